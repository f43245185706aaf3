/* SPDX-License-Identifier: ISC */
/*
 * dutynet-audit: the auditor's program.  It reads copies of dutynet's
 * databases (or the live ones, read-only) with the area's public
 * configuration only, and checks what the daemons claim: that no audit
 * entry was altered, removed or invented (verify, prove, check-proof), what
 * happened to a message or a case across every log (timeline), that every
 * message reached its recipient and was answered as the policy requires
 * (reconcile), and how quickly each agency answered (report).  This file
 * is only the table of verbs and the top-level help; each verb is a file.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "audit/audit.h"
#include "audit/export.h"
#include "audit/prove.h"
#include "audit/reconcile.h"
#include "audit/report.h"
#include "audit/timeline.h"
#include "audit/verify.h"

static const struct {
	const char *name;
	audit_verb_fn *fn;
	const char *help;
} verbs[] = {
	{"verify", verify_cmd, "check every entry, the Merkle tree and every checkpoint"},
	{"prove", prove_cmd, "write the inclusion proof of one entry, for an inspector"},
	{"check-proof", prove_check_cmd, "check an inclusion proof with the public keys"},
	{"timeline", timeline_cmd, "the story of one case or message across every log"},
	{"reconcile", reconcile_cmd, "every gap and contradiction between the logs"},
	{"report", report_cmd, "response times and deadlines per agency, for a board"},
	{"export", export_cmd, "every entry as JSON lines, for other tools"},
};

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: %s VERB [OPTIONS] [DB...]\n\n"
		   "Checks dutynet's audit logs and message records, read-only, with the area's\n"
		   "public configuration only (--config DIR: directory.conf, policy.conf).\n"
		   "DB is a broker or agent database, ideally a copy (sqlite3 DB '.backup COPY').\n\n"
		   "Verbs:\n", AUDIT_PROGRAM);
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fprintf(f, "  %-12s %s\n", verbs[i].name, verbs[i].help);
	fprintf(f, "\nRun '%s VERB --help' for a verb's options and output.\n\n"
		   "Output: text for people on stdout; --json gives one JSON object (verify,\n"
		   "timeline, reconcile); report --format text|csv|json|html; export writes JSON\n"
		   "lines; prove writes a JSON proof bundle.  Errors go to stderr, and so does\n"
		   "verify's progress bar, only when stderr is a terminal.\n\n"
		   "Exit codes: 0 everything checked out; 1 verification failed, or gaps or\n"
		   "contradictions found; 2 bad command line; 3 configuration or a database\n"
		   "cannot be read.\n", AUDIT_PROGRAM);
}

int
main(int argc, char **argv)
{
	size_t i;

	if (sodium_init() < 0) {
		fprintf(stderr, "%s: libsodium cannot start\n", AUDIT_PROGRAM);
		return AUDIT_UNREADABLE;
	}
	if (argc < 2) {
		usage(stderr);
		return AUDIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return AUDIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("%s %s\n", AUDIT_PROGRAM, DUTYNET_VERSION);
		return AUDIT_OK;
	}
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(argv[1], verbs[i].name) == 0)
			return verbs[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "%s: unknown verb '%s'; run '%s --help' for the list\n", AUDIT_PROGRAM,
	    argv[1], AUDIT_PROGRAM);
	return AUDIT_USAGE;
}
