/* SPDX-License-Identifier: ISC */
/*
 * dutynet: the command line people use.  This file is only the table of
 * subcommands and the top-level help; each group is a cmd_<verb>.c.
 */
#include <stdio.h>
#include <string.h>

#include "agents/cli/cmd.h"

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *help;
} cmds[] = {
	{"version", cmd_version, "print the version and protocol versions"},
	{"keygen", cmd_keygen, "make an agency's keys: secret file and directory entry"},
	{"config", cmd_config, "check a whole configuration directory, every error at once"},
	{"calendar", cmd_calendar, "working-time deadlines and the holidays they skip"},
	{"selftest", cmd_selftest, "seal, check and open one made-up referral, step by step"},
	{"send", cmd_send, "send a referral or a safeguarding concern"},
	{"inbox", cmd_inbox, "list the messages received"},
	{"show", cmd_show, "print one message, decrypted"},
	{"ack", cmd_ack, "acknowledge a referral or concern received"},
	{"decide", cmd_decide, "accept, decline or redirect a referral or concern"},
	{"feedback", cmd_feedback, "send the referrer feedback"},
	{"outbox", cmd_outbox, "what was sent and is still pending, and why"},
	{"status", cmd_status, "where one message is: its timeline and deadlines"},
	{"deadlines", cmd_deadlines, "what is due and overdue, soonest first"},
	{"user", cmd_user, "staff accounts of the web inbox: add, passwd, disable, list"},
};

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: dutynet COMMAND [ARGS...]\n\n"
		   "dutynet sends signed, end-to-end encrypted referrals and safeguarding\n"
		   "concerns between the agencies of a local area, and tracks who received\n"
		   "and acknowledged what, and when.\n\n"
		   "Commands:\n");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %-10s %s\n", cmds[i].name, cmds[i].help);
	fprintf(f, "\nRun 'dutynet COMMAND --help' for a command's options.\n\n"
		   "Exit codes: 0 done; 1 failed; 2 bad command line; 3 configuration\n"
		   "invalid; 4 agent not reachable; 5 refused by policy, broker or recipient.\n");
}

int
main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return CMD_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return CMD_OK;
	}
	if (strcmp(argv[1], "--version") == 0)
		return cmd_version(argc - 1, argv + 1);
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "dutynet: unknown command '%s'; run 'dutynet --help' for the list\n",
	    argv[1]);
	return CMD_USAGE;
}
