/* SPDX-License-Identifier: ISC */
/*
 * verify: the `verify` verb (see verify.h).
 *
 * DESIGN.  Checkpoints are checked first (their signatures need only the
 * directory), so the one pass over each log can compare the tree with
 * every trustworthy root as it grows: the log's own checkpoints and the
 * broker's countersigned copies of them.  An agency that cuts its log
 * short and deletes its own checkpoints beyond the cut is caught by the
 * broker's copies; one that rewrites its log and re-signs its checkpoints
 * is caught because the broker's copies have other roots; a stranger who
 * forges a whole log is caught because no key in the directory signed its
 * checkpoints.  Each is reported at the first entry that can differ.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "audit/jsonout.h"
#include "audit/progress.h"
#include "audit/show.h"
#include "audit/verify.h"

/* Text of the first problem, and at most this many more, in text output. */
#define MORE_SHOWN 9

/* A verified broker-held checkpoint: an anchor for its origin's log. */
struct held {
	struct verify_log *v;
	size_t n;
};

static int
add_held(void *arg, const char *origin, const struct logcheck_anchor *a)
{
	struct held *h = arg;
	size_t i;

	for (i = 0; i < h->n; i++) {
		if (strcmp(h->v[i].db->owner, origin) != 0 || h->v[i].db->kind == AUDITDB_BROKER)
			continue;
		h->v[i].broker_held++;
		return cptable_anchors_push(&h->v[i].anchors, a);
	}
	return 0;	/* that agency's log was not given */
}

static void
on_progress(void *arg, uint64_t done)
{
	progress_update(arg, done);
}

void
verify_free(struct verify_log *v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		cptable_anchors_free(&v[i].anchors);
	free(v);
}

/* 1 if every entry, the tree and every checkpoint of the log verify. */
static int
entries_ok(const struct verify_log *v)
{
	return v->lc.problems_total == 0;
}

int
verify_ok(const struct verify_log *v)
{
	return entries_ok(v) && v->alarms.total == 0;
}

int
verify_logs(struct inputs *in, bool progress, struct verify_log **out, struct status *st)
{
	struct verify_log *v, *bv = NULL;
	struct progress bar;
	struct held held;
	sqlite3_int64 last;
	size_t i;
	int rc;

	*out = NULL;
	if ((v = calloc(in->n_dbs ? in->n_dbs : 1, sizeof(*v))) == NULL)
		return status_set(st, STATUS_UNAVAILABLE, "out of memory");
	for (i = 0; i < in->n_dbs; i++) {
		v[i].db = in->dbs[i];
		logcheck_init(&v[i].lc);
		if (v[i].db == in->broker)
			bv = &v[i];
		if (cptable_own(v[i].db, in->dir, &v[i].anchors, &v[i].lc, &v[i].own, st) != 0)
			goto fail;
	}
	held.v = v;
	held.n = in->n_dbs;
	if (bv != NULL &&
	    cptable_agency(bv->db, in->dir, add_held, &held, &bv->lc, &bv->agency, st) != 0)
		goto fail;
	for (i = 0; i < in->n_dbs; i++) {
		cptable_anchors_sort(&v[i].anchors);
		if (auditdb_last_seq(v[i].db, &last, st) != 0)
			goto fail;
		if (v[i].db->kind == AUDITDB_BROKER && alarms_read(v[i].db, &v[i].alarms, st) != 0)
			goto fail;
		progress_start(&bar, v[i].db->path, (uint64_t)last, progress);
		rc = logcheck_run(v[i].db, v[i].anchors.v, v[i].anchors.n, on_progress, &bar,
		    &v[i].lc, st);
		progress_end(&bar);
		if (rc != 0)
			goto fail;
		logcheck_sort(&v[i].lc);
	}
	*out = v;
	return 0;
fail:
	verify_free(v, in->n_dbs);
	return -1;
}

static void
print_problem(const struct logcheck_problem *p, const char *lead)
{
	char t[RFC3339_LEN];

	if (p->seq != 0 && p->time_ms != 0)
		printf("  %s seq %" PRIu64 " (%s): %s\n", lead, p->seq, show_time(p->time_ms, t),
		    p->text);
	else if (p->seq != 0)
		printf("  %s seq %" PRIu64 ": %s\n", lead, p->seq, p->text);
	else
		printf("  %s checkpoint size %" PRIu64 ": %s\n", lead, p->checkpoint, p->text);
}

static void
print_text(const struct verify_log *v)
{
	const struct auditdb *db = v->db;
	char root[SHOW_HASH_LEN];
	size_t i;

	printf("%s: %s log of %s, %" PRIu64 " entries", db->path, auditdb_kind_name(db->kind),
	    db->owner[0] ? db->owner : "(unknown owner)", v->lc.entries);
	show_hex(v->lc.root, MERKLE_HASHBYTES, root);
	if (v->lc.intact == v->lc.entries)
		printf(", Merkle root %s\n", root);
	else
		printf("; Merkle root of the unbroken part, seq 1..%" PRIu64 ": %s\n",
		    v->lc.intact, root);
	printf("  checkpoints: %" PRIu64 " in its table (%" PRIu64 " verified, %" PRIu64
	    " countersigned by the broker)", v->own.rows, v->own.verified, v->own.countersigned);
	if (db->kind == AUDITDB_BROKER)
		printf("; agency checkpoints it holds: %" PRIu64 " (%" PRIu64 " verified)",
		    v->agency.rows, v->agency.verified);
	else if (v->broker_held > 0)
		printf("; %" PRIu64 " of its checkpoints held by the broker", v->broker_held);
	printf("; %" PRIu64 " roots matched\n", v->lc.anchors_matched);
	for (i = 0; i < v->alarms.n; i++)
		print_problem(&v->alarms.first[i], "ALARM:");
	if (v->alarms.total > v->alarms.n)
		printf("  and %" PRIu64 " more alarms\n", v->alarms.total - v->alarms.n);
	if (entries_ok(v)) {
		printf("  OK: every entry, the Merkle tree and every checkpoint verify\n");
		if (v->anchors.n == 0)
			printf("  note: no checkpoint covers this log, so entries cut off its end "
			    "could not be noticed\n");
		return;
	}
	print_problem(&v->lc.problems[0], "FAILED: first bad:");
	for (i = 1; i < v->lc.n_problems && i <= MORE_SHOWN; i++)
		print_problem(&v->lc.problems[i], "also:");
	if (v->lc.problems_total > i)
		printf("  and %" PRIu64 " more problems\n", v->lc.problems_total - i);
}

static void
print_json(const struct verify_log *v, size_t n, bool all_ok)
{
	const struct logcheck_problem *p;
	size_t i, j;

	printf("{\"ok\": %s, \"logs\": [", all_ok ? "true" : "false");
	for (i = 0; i < n; i++) {
		printf("%s{\"path\": ", i ? ", " : "");
		jsonout_string(stdout, v[i].db->path);
		printf(", \"kind\": \"%s\", \"owner\": ", auditdb_kind_name(v[i].db->kind));
		jsonout_string(stdout, v[i].db->owner[0] ? v[i].db->owner : NULL);
		printf(", \"ok\": %s, \"entries\": %" PRIu64 ", \"intact\": %" PRIu64 ", \"root\": ",
		    verify_ok(&v[i]) ? "true" : "false", v[i].lc.entries, v[i].lc.intact);
		jsonout_hex(stdout, v[i].lc.root, MERKLE_HASHBYTES);
		printf(", \"checkpoints\": %" PRIu64 ", \"checkpoints_verified\": %" PRIu64
		    ", \"countersigned\": %" PRIu64 ", \"broker_held\": %" PRIu64
		    ", \"agency_checkpoints\": %" PRIu64 ", \"roots_matched\": %" PRIu64
		    ", \"problems_total\": %" PRIu64 ", \"problems\": [", v[i].own.rows,
		    v[i].own.verified, v[i].own.countersigned, v[i].broker_held, v[i].agency.rows,
		    v[i].lc.anchors_matched, v[i].lc.problems_total);
		for (j = 0; j < v[i].lc.n_problems; j++) {
			p = &v[i].lc.problems[j];
			printf("%s{\"seq\": ", j ? ", " : "");
			if (p->seq != 0)
				printf("%" PRIu64, p->seq);
			else
				printf("null");
			printf(", \"time\": ");
			jsonout_time(stdout, p->time_ms);
			printf(", \"checkpoint\": ");
			if (p->checkpoint != 0)
				printf("%" PRIu64, p->checkpoint);
			else
				printf("null");
			printf(", \"code\": %d, \"text\": ", p->code);
			jsonout_string(stdout, p->text);
			printf("}");
		}
		printf("], \"alarms_total\": %" PRIu64 ", \"alarms\": [", v[i].alarms.total);
		for (j = 0; j < v[i].alarms.n; j++) {
			p = &v[i].alarms.first[j];
			printf("%s{\"seq\": %" PRIu64 ", \"time\": ", j ? ", " : "", p->seq);
			jsonout_time(stdout, p->time_ms);
			printf(", \"code\": %d, \"text\": ", p->code);
			jsonout_string(stdout, p->text);
			printf("}");
		}
		printf("]}");
	}
	printf("]}\n");
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: %s verify [--config DIR] [--json] [--no-progress] DB...\n\n"
		   "Checks every entry of each audit log (hash chain and Merkle tree), every\n"
		   "checkpoint's signature and the broker's countersignature, and each agency's\n"
		   "log against the broker's countersigned checkpoints of it (give the broker's\n"
		   "database too).  Needs only the public keys in DIR/directory.conf.  On a\n"
		   "failure it names the first bad entry: its seq, its time and what differs.\n"
		   "A broker's log is also searched for ALARMs: checkpoints the broker refused\n"
		   "because they did not extend the one it countersigned before (an agency's\n"
		   "log cut, rewritten or forked); any alarm fails the run.\n\n"
		   "  --config DIR    the area's configuration (default $DUTYNET_CONFIG or\n"
		   "                  /etc/dutynet)\n"
		   "  --json          one JSON object on stdout\n"
		   "  --no-progress   no progress bar (drawn only when stderr is a terminal)\n\n"
		   "Exit: 0 every log verifies and no alarm; 1 one does not, or an alarm;\n"
		   "2 bad command line; "
		   "3 configuration or a database cannot be read.\n", AUDIT_PROGRAM);
}

int
verify_cmd(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"json", no_argument, NULL, 'j'},
		{"no-progress", no_argument, NULL, 'P'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct verify_log *v = NULL;
	struct inputs in;
	struct status st;
	const char *config = NULL;
	bool json = false, progress = true, all_ok = true;
	uint64_t alarms = 0;
	size_t i, bad = 0;
	int c, ret = AUDIT_UNREADABLE;

	memset(&in, 0, sizeof(in));
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'P':
			progress = false;
			break;
		case 'h':
			usage(stdout);
			return AUDIT_OK;
		default:
			usage(stderr);
			return AUDIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "%s verify: name at least one database\n", AUDIT_PROGRAM);
		usage(stderr);
		return AUDIT_USAGE;
	}
	if (inputs_load_config(&in, config, 0) != 0 ||
	    inputs_open_dbs(&in, argv + optind, (size_t)(argc - optind)) != 0)
		goto out;
	if (verify_logs(&in, progress && !json, &v, &st) != 0) {
		fprintf(stderr, "%s: %s\n", AUDIT_PROGRAM, st.text);
		goto out;
	}
	for (i = 0; i < in.n_dbs; i++) {
		if (!entries_ok(&v[i]))
			bad++;
		alarms += v[i].alarms.total;
	}
	all_ok = bad == 0 && alarms == 0;
	if (json) {
		print_json(v, in.n_dbs, all_ok);
	} else {
		for (i = 0; i < in.n_dbs; i++)
			print_text(&v[i]);
		if (all_ok)
			printf("verify: OK: %zu log%s verified\n", in.n_dbs,
			    in.n_dbs == 1 ? "" : "s");
		else if (bad > 0)
			printf("verify: FAILED: %zu of %zu log%s did not verify%s\n", bad, in.n_dbs,
			    in.n_dbs == 1 ? "" : "s", alarms > 0 ? ", and the broker raised alarms" : "");
		else
			printf("verify: FAILED: every log verifies, but the broker raised %" PRIu64
			    " alarm%s (above)\n", alarms, alarms == 1 ? "" : "s");
	}
	ret = all_ok ? AUDIT_OK : AUDIT_FAILED;
out:
	verify_free(v, in.n_dbs);
	inputs_free(&in);
	return ret;
}
