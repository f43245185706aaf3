/* SPDX-License-Identifier: ISC */
/*
 * audit: what every dutynet-audit verb shares: its exit codes (documented
 * in `dutynet-audit --help` and audit/README.md) and the program name used
 * in messages.  Each verb is one file (verify.c, prove.c, timeline.c,
 * reconcile.c, report.c, export.c) with a <verb>_cmd entry point reached
 * through the table in audit.c, as in wireguard-tools' wg.c.
 */
#ifndef DUTYNET_AUDIT_AUDIT_H
#define DUTYNET_AUDIT_AUDIT_H

#define AUDIT_PROGRAM "dutynet-audit"

/* Exit codes of every verb. */
enum audit_exit {
	AUDIT_OK = 0,		/* everything checked out */
	AUDIT_FAILED = 1,	/* verification failed, or gaps or contradictions found */
	AUDIT_USAGE = 2,	/* bad command line */
	AUDIT_UNREADABLE = 3,	/* configuration or a database cannot be read */
};

/* A verb: argv[0] is its name; returns the exit code. */
typedef int audit_verb_fn(int argc, char **argv);

#endif
