/* SPDX-License-Identifier: ISC */
/*
 * audit_verify: `dutynet-bench audit-verify`: how fast dutynet-audit
 * verifies a large audit log on this machine (ISSUE 7's target: at least
 * 200,000 entries a second on 2 cores).
 *
 * It generates a log of N entries in a temporary directory exactly as the
 * daemons write one (auditlog_append, in transactions of
 * GENERATE_BATCH entries, with synchronous=OFF: durability does not matter
 * for a throw-away file and the generation is not what is timed), then the
 * checkpoints an origin would sign every CHECKPOINT_EVERY entries (a fresh
 * signing key made for the run), closes it, and times what `dutynet-audit
 * verify` does with it: open read-only, check every checkpoint's
 * signature, and the single pass over every entry (verify_logs).  The
 * figure is entries / wall-clock seconds of that.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "audit/auditdb.h"
#include "audit/inputs.h"
#include "audit/verify.h"
#include "bench/bench.h"
#include "common/auditlog.h"
#include "common/clock.h"
#include "common/db.h"
#include "proto/checkpoint.h"

#define ENTRIES_DEFAULT 1000000ULL
#define GENERATE_BATCH 20000
#define CHECKPOINT_EVERY 10000
#define ORIGIN "broker"
#define T0_MS 1767225600000ULL		/* 2026-01-01T00:00:00Z */
#define STEP_MS 997			/* between entries */
#define NS_PER_S 1e9
#define DETAIL_MAX 128
#define PATH_LEN 4096

#define KINDS 4			/* of events, and of agencies */
#define NO_ID_EVERY 8		/* one entry in 8 has no message id */
#define BYTES_MIN 1024		/* the sizes in the details */
#define BYTES_SPAN 4096

static const char *const events[KINDS] = {"accepted", "delivered", "receipt", "acknowledged"};
static const char *const agencies[KINDS] = {"school-stmarys", "mash", "camhs", "police-cpu"};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / NS_PER_S;
}

/* Appends n entries like a busy broker's. */
static int
generate(struct db *db, uint64_t n, struct status *st)
{
	uint8_t id[IDS_MSGID_BYTES];
	char detail[DETAIL_MAX];
	uint64_t i;
	size_t k;

	clock_set_fixed(T0_MS);
	if (db_exec(db, "PRAGMA synchronous=OFF", st) != 0 || auditlog_create(db, st) != 0)
		return -1;
	for (i = 0; i < n;) {
		if (db_begin(db, st) != 0)
			return -1;
		for (k = 0; k < GENERATE_BATCH && i < n; k++, i++) {
			ids_msgid_new(clock_now_ms(), id);
			snprintf(detail, sizeof(detail), "type=referral to=%s bytes=%" PRIu64,
			    agencies[(i + 1) % KINDS], BYTES_MIN + i % BYTES_SPAN);
			if (auditlog_append(db, events[i % KINDS], agencies[i % KINDS],
				i % NO_ID_EVERY ? id : NULL, detail, st) != 0) {
				db_rollback(db, NULL);
				return -1;
			}
			clock_advance(STEP_MS);
		}
		if (db_commit(db, st) != 0)
			return -1;
	}
	return 0;
}

/* Signs a checkpoint of the log every CHECKPOINT_EVERY entries and at its
 * end, as its origin would. */
static int
checkpoints(struct db *db, const uint8_t *sk, uint64_t *count, struct status *st)
{
	static const char rows_sql[] = "SELECT seq, time_ms, hash FROM audit ORDER BY seq";
	static const char put_sql[] = "INSERT INTO checkpoints (size, time_ms, root, text)"
		" VALUES (?1, ?2, ?3, ?4)";
	char text[CHECKPOINT_TEXT_MAX + 1];
	uint8_t root[MERKLE_HASHBYTES];
	struct merkle_tree t;
	struct checkpoint cp;
	sqlite3_stmt *s, *p;
	sqlite3_int64 last = 0;
	size_t len;
	int rc, ret = -1;

	if (db_exec(db, "CREATE TABLE checkpoints (size INTEGER PRIMARY KEY, time_ms INTEGER "
		"NOT NULL, root BLOB NOT NULL, text TEXT NOT NULL, countersigned TEXT)", st) != 0 ||
	    sqlite3_prepare_v2(db_handle(db), "SELECT max(seq) FROM audit", -1, &s, NULL) !=
		SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		last = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (sqlite3_prepare_v2(db_handle(db), rows_sql, -1, &s, NULL) != SQLITE_OK)
		return db_error(db, SQLITE_ERROR, "read the log", st);
	if (sqlite3_prepare_v2(db_handle(db), put_sql, -1, &p, NULL) != SQLITE_OK) {
		sqlite3_finalize(s);
		return db_error(db, SQLITE_ERROR, "store a checkpoint", st);
	}
	merkle_tree_init(&t);
	if (db_begin(db, st) != 0)
		goto out;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		merkle_tree_append_leaf(&t, sqlite3_column_blob(s, 2), AUDITLOG_HASHBYTES);
		if (t.size % CHECKPOINT_EVERY != 0 && (sqlite3_int64)t.size != last)
			continue;
		merkle_tree_root(&t, root);
		if (checkpoint_init(&cp, ORIGIN, t.size, root,
			(uint64_t)sqlite3_column_int64(s, 1), st) != 0 ||
		    checkpoint_sign(&cp, sk, st) != 0 || checkpoint_encode(&cp, text, &len, st) != 0)
			goto out;
		sqlite3_bind_int64(p, 1, (sqlite3_int64)t.size);
		sqlite3_bind_int64(p, 2, (sqlite3_int64)cp.time_ms);
		sqlite3_bind_blob(p, 3, root, MERKLE_HASHBYTES, SQLITE_STATIC);
		sqlite3_bind_text(p, 4, text, (int)len, SQLITE_STATIC);
		if (sqlite3_step(p) != SQLITE_DONE) {
			db_error(db, SQLITE_ERROR, "store a checkpoint", st);
			goto out;
		}
		sqlite3_reset(p);
		(*count)++;
	}
	if (rc != SQLITE_DONE) {
		db_error(db, rc, "read the log", st);
		goto out;
	}
	ret = db_commit(db, st);
out:
	if (ret != 0)
		db_rollback(db, NULL);
	sqlite3_finalize(s);
	sqlite3_finalize(p);
	return ret;
}

/* Times verify_logs over the log at path, whose checkpoints pk verifies. */
static int
time_verify(const char *path, const uint8_t pk[SEAL_SIGN_PKBYTES], double *seconds,
    uint64_t *entries, struct status *st)
{
	struct directory d;
	struct inputs in;
	struct verify_log *v = NULL;
	struct auditdb *db;
	double t0;
	int ret = -1;

	memset(&d, 0, sizeof(d));
	snprintf(d.broker.id, sizeof(d.broker.id), "%s", ORIGIN);
	memcpy(d.broker.sign_pk, pk, SEAL_SIGN_PKBYTES);
	seal_keyid(pk, SEAL_SIGN_PKBYTES, d.broker.sign_keyid);
	t0 = now_s();
	if ((db = auditdb_open(path, NULL, st)) == NULL)
		return -1;
	memset(&in, 0, sizeof(in));
	in.dir = &d;
	in.dbs = &db;
	in.n_dbs = 1;
	if (verify_logs(&in, false, &v, st) != 0)
		goto out;
	*seconds = now_s() - t0;
	*entries = v[0].lc.entries;
	if (!verify_ok(&v[0]) || v[0].lc.anchors_matched != v[0].own.verified) {
		status_set(st, STATUS_BAD_SIGNATURE, "the generated log did not verify: %s",
		    v[0].lc.n_problems ? v[0].lc.problems[0].text : "checkpoints unmatched");
		goto out;
	}
	ret = 0;
out:
	verify_free(v, 1);
	auditdb_close(&db);
	return ret;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: %s audit-verify [--entries N] [--json] [--keep]\n\n"
		   "Generates an audit log of N entries (default %llu) in a temporary\n"
		   "directory, with a signed checkpoint every %d entries, and times what\n"
		   "dutynet-audit verify does with it.  Prints entries and entries_per_s\n"
		   "(--json: one JSON object).  --keep leaves the directory.\n", BENCH_PROGRAM,
	    ENTRIES_DEFAULT, CHECKPOINT_EVERY);
}

int
bench_audit_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{"entries", required_argument, NULL, 'n'},
		{"json", no_argument, NULL, 'j'},
		{"keep", no_argument, NULL, 'k'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char dir[PATH_LEN], path[PATH_LEN + sizeof("/audit.db-wal")], *end;
	uint8_t *sk = NULL, pk[SEAL_SIGN_PKBYTES];
	uint64_t n = ENTRIES_DEFAULT, entries = 0, cps = 0;
	double gen_s, secs = 0;
	struct status st;
	struct db *db = NULL;
	bool json = false, keep = false;
	int c, ret = BENCH_FAILED;

	optind = 1;
	while ((c = getopt_long(argc, argv, "n:jkh", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			n = strtoull(optarg, &end, 10);
			if (*end != '\0' || n == 0 || optarg[0] == '-') {
				fprintf(stderr, "%s audit-verify: --entries '%s' is not a positive "
				    "whole number\n", BENCH_PROGRAM, optarg);
				return BENCH_USAGE;
			}
			break;
		case 'j':
			json = true;
			break;
		case 'k':
			keep = true;
			break;
		case 'h':
			usage(stdout);
			return BENCH_OK;
		default:
			usage(stderr);
			return BENCH_USAGE;
		}
	}
	snprintf(dir, sizeof(dir), "%s/dutynet-bench-XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(dir) == NULL) {
		fprintf(stderr, "%s: cannot make a directory in %s\n", BENCH_PROGRAM, dir);
		return BENCH_FAILED;
	}
	snprintf(path, sizeof(path), "%s/audit.db", dir);
	if ((sk = sodium_malloc(SEAL_SIGN_SKBYTES)) == NULL) {
		fprintf(stderr, "%s: out of memory\n", BENCH_PROGRAM);
		goto out;
	}
	crypto_sign_keypair(pk, sk);
	gen_s = now_s();
	if ((db = db_open(path, &st)) == NULL || generate(db, n, &st) != 0 ||
	    checkpoints(db, sk, &cps, &st) != 0) {
		fprintf(stderr, "%s: generating the log: %s\n", BENCH_PROGRAM, st.text);
		goto out;
	}
	db_close(&db);
	gen_s = now_s() - gen_s;
	if (time_verify(path, pk, &secs, &entries, &st) != 0) {
		fprintf(stderr, "%s: %s\n", BENCH_PROGRAM, st.text);
		goto out;
	}
	if (json)
		printf("{\"bench\": \"audit-verify\", \"entries\": %" PRIu64 ", \"checkpoints\": %"
		    PRIu64 ", \"seconds\": %.3f, \"entries_per_s\": %.0f, \"generate_seconds\": "
		    "%.3f}\n", entries, cps, secs, (double)entries / secs, gen_s);
	else
		printf("audit-verify: %" PRIu64 " entries and %" PRIu64 " checkpoints verified in "
		    "%.3f s: %.0f entries/s (generating them took %.1f s)\n", entries, cps, secs,
		    (double)entries / secs, gen_s);
	ret = BENCH_OK;
out:
	db_close(&db);
	sodium_free(sk);
	if (!keep) {
		unlink(path);
		snprintf(path, sizeof(path), "%s/audit.db-wal", dir);
		unlink(path);
		snprintf(path, sizeof(path), "%s/audit.db-shm", dir);
		unlink(path);
		rmdir(dir);
	} else {
		fprintf(stderr, "%s: kept %s\n", BENCH_PROGRAM, dir);
	}
	return ret;
}
