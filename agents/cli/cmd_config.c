/* SPDX-License-Identifier: ISC */
/*
 * cmd_config: `dutynet config check`, which loads a whole configuration
 * directory the way the broker and the agents will (config/area.h), opens
 * every key file it names, and prints every problem as
 * "path:line: field: message", so an operator fixes them all in one pass
 * before anything starts.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "agents/cli/cmd.h"
#include "config/area.h"
#include "config/conf.h"

/* parse() after printing --help: not an exit code. */
#define HELP_SHOWN (-1)

static const char config_usage[] =
    "usage: dutynet config check [--dir DIR]\n"
    "\n"
    "Commands:\n"
    "  check   validate a whole configuration directory\n";

static const char check_usage[] =
    "usage: dutynet config check [--dir DIR]\n"
    "\n"
    "Loads DIR/directory.conf, DIR/policy.conf, DIR/broker.conf (if present) and\n"
    "every DIR/agents/<id>.conf, and opens every key file they name.  Reports\n"
    "every problem, one per line, as 'path:line: field: message': syntax errors,\n"
    "unknown or missing settings, duplicate agency ids, malformed or duplicate\n"
    "public keys, unknown agencies, kinds or message types, unreadable key files,\n"
    "key files with group or other access, and key files whose public keys are\n"
    "not the ones directory.conf publishes.  Reference: config/CONFIG.md.\n"
    "\n"
    "  --dir DIR   configuration directory (also --config; default\n"
    "              $" CONF_DIR_ENV " or " CONF_DIR_DEFAULT ")\n"
    "\n"
    "Exit codes: 0 valid (one summary line on stdout), 2 bad command line,\n"
    "3 invalid (the errors on stderr).\n";

static int
parse(int argc, char **argv, const char **dir)
{
	static const struct option longopts[] = {
	    {"dir", required_argument, NULL, 'd'},
	    {"config", required_argument, NULL, 'd'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			*dir = optarg;
			break;
		case 'h':
			fputs(check_usage, stdout);
			return HELP_SHOWN;
		default:
			fprintf(stderr, "dutynet config check: unknown or incomplete option '%s'\n%s",
			    argv[optind - 1], check_usage);
			return CMD_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "dutynet config check: unexpected argument '%s'\n%s", argv[optind],
		    check_usage);
		return CMD_USAGE;
	}
	return CMD_OK;
}

static int
check(int argc, char **argv)
{
	const char *dir = conf_default_dir();
	struct conf_errors *errs;
	struct area *a;
	size_t i, n;
	int rc;

	if ((rc = parse(argc, argv, &dir)) != CMD_OK)
		return rc == HELP_SHOWN ? CMD_OK : rc;
	if ((errs = conf_errors_new()) == NULL) {
		fprintf(stderr, "dutynet config check: out of memory\n");
		return CMD_FAIL;
	}
	a = area_load(dir, AREA_CHECK_KEYS, errs);
	if (a == NULL) {
		n = conf_errors_count(errs);
		for (i = 0; i < n; i++)
			fprintf(stderr, "%s\n", conf_errors_get(errs, i));
		fprintf(stderr, "dutynet config check: %zu error%s in %s\n", n, n == 1 ? "" : "s",
		    dir);
		rc = CMD_CONFIG;
	} else {
		printf("%s: configuration valid: %zu agencies, %zu sharing rules, %s, %zu agent%s\n",
		    dir, a->directory->n_agencies, policy_rule_count(a->policy),
		    a->broker ? "broker" : "no broker", a->n_agents, a->n_agents == 1 ? "" : "s");
		rc = CMD_OK;
	}
	area_destroy(&a);
	conf_errors_destroy(&errs);
	return rc;
}

int
cmd_config(int argc, char **argv)
{
	if (argc < 2) {
		fputs(config_usage, stderr);
		return CMD_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(config_usage, stdout);
		return CMD_OK;
	}
	if (strcmp(argv[1], "check") == 0)
		return check(argc - 1, argv + 1);
	fprintf(stderr, "dutynet config: unknown command '%s'\n%s", argv[1], config_usage);
	return CMD_USAGE;
}
