/* SPDX-License-Identifier: ISC */
/*
 * cmd: the subcommands of the dutynet command line.  Each group lives in its
 * own cmd_<verb>.c and is reached through the table in dutynet.c, as in
 * wireguard-tools' wg.c.  A handler gets argv with argv[0] = its own name and
 * returns the process exit code (see dutynet --help, "Exit codes").
 */
#ifndef DUTYNET_CMD_H
#define DUTYNET_CMD_H

/* Exit codes shared by every subcommand. */
enum cmd_exit {
	CMD_OK = 0,
	CMD_FAIL = 1,		/* the operation failed; the message says why */
	CMD_USAGE = 2,		/* bad command line */
	CMD_CONFIG = 3,		/* configuration invalid or unreadable */
	CMD_UNAVAILABLE = 4,	/* agent daemon not running or not reachable */
	CMD_REJECTED = 5,	/* refused by policy, broker or recipient */
};

int cmd_version(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_calendar(int argc, char **argv);
int cmd_selftest(int argc, char **argv);
/* Talking to the agent (cmd_send.c, cmd_view.c, cmd_answer.c). */
int cmd_send(int argc, char **argv);
int cmd_inbox(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_ack(int argc, char **argv);
int cmd_decide(int argc, char **argv);
int cmd_feedback(int argc, char **argv);
int cmd_outbox(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_deadlines(int argc, char **argv);
/* Web inbox accounts (cmd_user.c). */
int cmd_user(int argc, char **argv);

#endif
