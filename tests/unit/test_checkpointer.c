/* SPDX-License-Identifier: ISC */
/* Unit tests for common/checkpointer.c on a real SQLite file with an audit
 * log: checkpoints at N entries, at T seconds and in a quiet period, each
 * root recomputed independently (RFC 9162 MTH over the rows' hashes, written
 * out here with SHA-256) and each signature checked with the public key;
 * reopening continues; a cut or rewritten log is refused at open.  The
 * agent's countersigning helpers: consistency proofs read from the audit
 * table (against proto/merkle.c over the same leaves, for every pair of
 * sizes up to 17), the newest row, and keeping a countersigned copy only
 * for the exact text it countersigns. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>
#include <sqlite3.h>

#include "common/auditlog.h"
#include "common/checkpointer.h"
#include "common/clock.h"
#include "common/keyfile.h"

#define T0 1700000000000ull
#define ORIGIN "north-la"
#define EVERY_N 3
#define EVERY_MS 60000ull
#define MAX_ROWS 64

static char tmpdir[64];
static int dbcount;
static struct keyfile *keys;

static struct db *
open_db(char path[128])
{
	struct status st;
	struct db *db;

	snprintf(path, 128, "%s/cp-%d.db", tmpdir, ++dbcount);
	assert_non_null(db = db_open(path, &st));
	assert_int_equal(auditlog_create(db, &st), 0);
	clock_set_fixed(T0);
	return db;
}

static void
append(struct db *db, int n)
{
	struct status st;
	int i;

	for (i = 0; i < n; i++) {
		assert_int_equal(db_begin(db, &st), 0);
		assert_int_equal(auditlog_append(db, "test-event", ORIGIN, NULL, "x", &st), 0);
		assert_int_equal(db_commit(db, &st), 0);
	}
}

static void
exec(struct db *db, const char *sql)
{
	assert_int_equal(sqlite3_exec(db_handle(db), sql, NULL, NULL, NULL), SQLITE_OK);
}

/* RFC 9162 MTH, recursively, independent of proto/merkle.c. */
static void
mth(uint8_t (*d)[32], size_t n, uint8_t out[32])
{
	uint8_t buf[65];
	size_t k = 1;

	if (n == 0) {
		crypto_hash_sha256(out, NULL, 0);
		return;
	}
	if (n == 1) {
		buf[0] = 0x00;
		memcpy(buf + 1, d[0], 32);
		crypto_hash_sha256(out, buf, 33);
		return;
	}
	while (k * 2 < n)
		k *= 2;
	buf[0] = 0x01;
	mth(d, k, buf + 1);
	mth(d + k, n - k, buf + 33);
	crypto_hash_sha256(out, buf, 65);
}

/* The root of the first n audit rows, read with plain SQL. */
static void
expected_root(struct db *db, uint64_t n, uint8_t out[32])
{
	uint8_t leaves[MAX_ROWS][32];
	sqlite3_stmt *s;
	size_t i = 0;

	assert_true(n <= MAX_ROWS);
	assert_int_equal(sqlite3_prepare_v2(db_handle(db),
	    "SELECT hash FROM audit WHERE seq <= ? ORDER BY seq", -1, &s, NULL), SQLITE_OK);
	sqlite3_bind_int64(s, 1, (sqlite3_int64)n);
	while (sqlite3_step(s) == SQLITE_ROW)
		memcpy(leaves[i++], sqlite3_column_blob(s, 0), 32);
	sqlite3_finalize(s);
	assert_int_equal(i, n);
	mth(leaves, n, out);
}

static int64_t
count_checkpoints(struct db *db)
{
	sqlite3_stmt *s;
	int64_t n;

	assert_int_equal(sqlite3_prepare_v2(db_handle(db), "SELECT count(*) FROM checkpoints", -1,
	    &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

/* Checks the row of size: root, time, text signed by ORIGIN over them. */
static void
check_row(struct db *db, uint64_t size, uint64_t time_ms)
{
	struct checkpoint cp;
	struct status st;
	uint8_t want[32];
	sqlite3_stmt *s;

	expected_root(db, size, want);
	assert_int_equal(sqlite3_prepare_v2(db_handle(db),
	    "SELECT time_ms, root, text, countersigned FROM checkpoints WHERE size = ?", -1, &s,
	    NULL), SQLITE_OK);
	sqlite3_bind_int64(s, 1, (sqlite3_int64)size);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int64(s, 0), (int64_t)time_ms);
	assert_int_equal(sqlite3_column_bytes(s, 1), 32);
	assert_memory_equal(sqlite3_column_blob(s, 1), want, 32);
	assert_int_equal(sqlite3_column_type(s, 3), SQLITE_NULL);
	assert_int_equal(checkpoint_parse((const char *)sqlite3_column_text(s, 2),
	    (size_t)sqlite3_column_bytes(s, 2), &cp, &st), 0);
	sqlite3_finalize(s);
	assert_string_equal(cp.origin, ORIGIN);
	assert_int_equal(cp.size, size);
	assert_int_equal(cp.time_ms, time_ms);
	assert_memory_equal(cp.root, want, 32);
	assert_int_equal(checkpoint_verify(&cp, keys->sign_pk, &st), 0);
}

static void
poll_expect(struct checkpointer *c, int want)
{
	struct status st;
	int written = -1;

	assert_int_equal(checkpointer_poll(c, &written, &st), 0);
	assert_int_equal(written, want);
}

static void
bad_origin_and_tampered_logs_are_refused(void **state)
{
	struct checkpointer *c;
	struct status st;
	char path[128];
	struct db *db = open_db(path);

	(void)state;
	assert_null(checkpointer_open(db, "Not An Id", keys->sign_sk, EVERY_N, EVERY_MS, &st));
	assert_int_equal(st.code, STATUS_BAD_FIELD);

	append(db, EVERY_N);
	assert_non_null(c = checkpointer_open(db, ORIGIN, keys->sign_sk, EVERY_N, EVERY_MS, &st));
	poll_expect(c, 1);
	checkpointer_destroy(&c);
	checkpointer_destroy(&c);
	assert_null(c);

	/* A row rewritten under the stopped daemon: the root differs. */
	exec(db, "UPDATE audit SET hash = zeroblob(32) WHERE seq = 2");
	assert_null(checkpointer_open(db, ORIGIN, keys->sign_sk, EVERY_N, EVERY_MS, &st));
	assert_int_equal(st.code, STATUS_BAD_SIGNATURE);

	/* The tail cut: shorter than its checkpoint. */
	exec(db, "DELETE FROM audit WHERE seq = 3");
	assert_null(checkpointer_open(db, ORIGIN, keys->sign_sk, EVERY_N, EVERY_MS, &st));
	assert_int_equal(st.code, STATUS_BAD_SIGNATURE);

	/* A gap is a damaged log. */
	exec(db, "DELETE FROM checkpoints; DELETE FROM audit WHERE seq = 1");
	assert_null(checkpointer_open(db, ORIGIN, keys->sign_sk, EVERY_N, EVERY_MS, &st));
	assert_int_equal(st.code, STATUS_MALFORMED);
	db_close(&db);
}

static void
rows_removed_while_running_are_an_error(void **state)
{
	struct checkpointer *c;
	struct status st;
	char path[128];
	struct db *db = open_db(path);
	int written;

	(void)state;
	append(db, 2);
	assert_non_null(c = checkpointer_open(db, ORIGIN, keys->sign_sk, EVERY_N, EVERY_MS, &st));
	exec(db, "DELETE FROM audit WHERE seq = 2");
	assert_int_equal(checkpointer_poll(c, &written, &st), -1);
	assert_int_equal(st.code, STATUS_MALFORMED);
	assert_int_equal(written, 0);
	assert_int_equal(count_checkpoints(db), 0);
	/* No spinning on a failure: quiet until the retry time, then again. */
	assert_int_equal(checkpointer_wait_ms(c), CHECKPOINTER_RETRY_MS);
	clock_advance(CHECKPOINTER_RETRY_MS - 1);
	poll_expect(c, 0);
	clock_advance(1);
	assert_int_equal(checkpointer_poll(c, &written, &st), -1);
	assert_int_equal(st.code, STATUS_MALFORMED);
	checkpointer_destroy(&c);
	db_close(&db);
}

static void
checkpoints_at_n_entries_t_seconds_and_quiet_periods(void **state)
{
	struct checkpointer *c;
	struct status st;
	uint8_t root[32], want[32];
	uint64_t size;
	char path[128];
	struct db *db = open_db(path);

	(void)state;
	assert_non_null(c = checkpointer_open(db, ORIGIN, keys->sign_sk, EVERY_N, EVERY_MS, &st));
	assert_int_equal(checkpointer_wait_ms(c), EVERY_MS);
	poll_expect(c, 0);

	/* N entries. */
	append(db, EVERY_N - 1);
	poll_expect(c, 0);
	append(db, 1);
	clock_advance(5);
	poll_expect(c, 1);
	check_row(db, EVERY_N, T0 + 5);
	checkpointer_tree(c, &size, root);
	expected_root(db, EVERY_N, want);
	assert_int_equal(size, EVERY_N);
	assert_memory_equal(root, want, 32);
	poll_expect(c, 0);

	/* T seconds with fewer than N new entries. */
	append(db, 1);
	clock_advance(EVERY_MS - 1);
	assert_int_equal(checkpointer_wait_ms(c), 1);
	poll_expect(c, 0);
	clock_advance(1);
	assert_int_equal(checkpointer_wait_ms(c), 0);
	poll_expect(c, 1);
	check_row(db, EVERY_N + 1, T0 + 5 + EVERY_MS);
	assert_int_equal(checkpointer_wait_ms(c), EVERY_MS);

	/* Quiet period: same size re-signed with the newer time, in place; a
	 * countersignature of the old text is cleared. */
	exec(db, "UPDATE checkpoints SET countersigned = 'old' WHERE size = 4");
	clock_advance(EVERY_MS);
	poll_expect(c, 1);
	check_row(db, EVERY_N + 1, T0 + 5 + 2 * EVERY_MS);
	check_row(db, EVERY_N, T0 + 5);
	assert_int_equal(count_checkpoints(db), 2);

	/* A stored row of the same size with another root is never replaced. */
	exec(db, "UPDATE checkpoints SET root = zeroblob(32) WHERE size = 4");
	clock_advance(EVERY_MS);
	assert_int_equal(checkpointer_poll(c, &(int){0}, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_SIGNATURE);
	assert_int_equal(count_checkpoints(db), 2);
	checkpointer_destroy(&c);
	db_close(&db);
}

static void
reopen_continues(void **state)
{
	struct checkpointer *c;
	struct status st;
	uint8_t root[32], want[32];
	uint64_t size;
	char path[128];
	struct db *db = open_db(path);

	(void)state;
	append(db, 7);
	assert_non_null(c = checkpointer_open(db, ORIGIN, keys->sign_sk, EVERY_N, EVERY_MS, &st));
	poll_expect(c, 1);
	check_row(db, 7, T0);
	append(db, 2);
	poll_expect(c, 0);
	checkpointer_destroy(&c);
	db_close(&db);

	/* A restart: the tree is rebuilt, the time counts from the stored
	 * checkpoint, the count from its size. */
	assert_non_null(db = db_open(path, &st));
	clock_advance(10);
	assert_non_null(c = checkpointer_open(db, ORIGIN, keys->sign_sk, EVERY_N, EVERY_MS, &st));
	checkpointer_tree(c, &size, root);
	expected_root(db, 9, want);
	assert_int_equal(size, 9);
	assert_memory_equal(root, want, 32);
	assert_int_equal(checkpointer_wait_ms(c), EVERY_MS - 10);
	poll_expect(c, 0);
	append(db, 1);
	poll_expect(c, 1);
	check_row(db, 10, T0 + 10);
	check_row(db, 7, T0);

	/* A clean stop writes one now, due or not: new entries or none. */
	append(db, 1);
	clock_advance(1);
	assert_int_equal(checkpointer_write(c, &st), 0);
	check_row(db, 11, T0 + 11);
	clock_advance(1);
	assert_int_equal(checkpointer_write(c, &st), 0);
	check_row(db, 11, T0 + 12);
	assert_int_equal(count_checkpoints(db), 3);
	exec(db, "DELETE FROM audit WHERE seq = 11");
	assert_int_equal(checkpointer_write(c, &st), -1);
	assert_int_equal(st.code, STATUS_MALFORMED);
	checkpointer_destroy(&c);
	db_close(&db);
}

/* The leaf hashes of the first n audit rows, read with plain SQL. */
static void
leaf_hashes(struct db *db, uint64_t n, uint8_t (*out)[32])
{
	uint8_t buf[33];
	sqlite3_stmt *s;
	size_t i = 0;

	assert_int_equal(sqlite3_prepare_v2(db_handle(db),
	    "SELECT hash FROM audit WHERE seq <= ? ORDER BY seq", -1, &s, NULL), SQLITE_OK);
	sqlite3_bind_int64(s, 1, (sqlite3_int64)n);
	while (sqlite3_step(s) == SQLITE_ROW) {
		buf[0] = 0x00;
		memcpy(buf + 1, sqlite3_column_blob(s, 0), 32);
		crypto_hash_sha256(out[i++], buf, sizeof(buf));
	}
	sqlite3_finalize(s);
	assert_int_equal(i, n);
}

/* The countersigned copy of the row of size, made with the broker's key. */
static void
countersigned_copy(struct db *db, uint64_t size, const struct keyfile *broker,
    char out[CHECKPOINT_TEXT_MAX + 1], size_t *len)
{
	struct checkpoint cp;
	struct status st;
	sqlite3_stmt *s;

	assert_int_equal(sqlite3_prepare_v2(db_handle(db),
	    "SELECT text FROM checkpoints WHERE size = ?", -1, &s, NULL), SQLITE_OK);
	sqlite3_bind_int64(s, 1, (sqlite3_int64)size);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(checkpoint_parse((const char *)sqlite3_column_text(s, 0),
	    (size_t)sqlite3_column_bytes(s, 0), &cp, &st), 0);
	sqlite3_finalize(s);
	assert_int_equal(checkpoint_countersign(&cp, "broker", broker->sign_sk, &st), 0);
	assert_int_equal(checkpoint_encode(&cp, out, len, &st), 0);
}

static void
proofs_from_the_database(void **state)
{
	uint8_t leaves[MAX_ROWS][32], got[MERKLE_PROOF_MAX_BYTES], want[MERKLE_PROOF_MAX_BYTES];
	uint8_t r1[32], r2[32];
	struct checkpointer_row row;
	struct status st;
	struct db *db;
	char path[128];
	uint64_t from, to;
	size_t n, m;

	(void)state;
	db = open_db(path);
	append(db, 17);
	leaf_hashes(db, 17, leaves);
	for (to = 0; to <= 17; to++) {
		for (from = 0; from <= to; from++) {
			assert_int_equal(checkpointer_proof(db, from, to, got, &n, &st), 0);
			assert_int_equal(merkle_consistency_proof(from, to, merkle_array_leaf,
			    leaves, want, &m, &st), 0);
			assert_int_equal(n, m);
			assert_memory_equal(got, want, n * 32);
			expected_root(db, from, r1);
			expected_root(db, to, r2);
			assert_int_equal(merkle_consistency_verify(from, to, r1, r2, got, n, &st),
			    0);
		}
	}
	assert_int_equal(checkpointer_proof(db, 5, 4, got, &n, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_int_equal(checkpointer_proof(db, 3, 18, got, &n, &st), -1);
	assert_int_equal(st.code, STATUS_MALFORMED);
	assert_non_null(strstr(st.text, "seq 18"));
	exec(db, "DELETE FROM audit WHERE seq = 9");
	assert_int_equal(checkpointer_proof(db, 3, 17, got, &n, &st), -1);
	assert_int_equal(st.code, STATUS_MALFORMED);
	assert_non_null(strstr(st.text, "seq 9"));
	exec(db, "UPDATE audit SET hash = x'00' WHERE seq = 4");
	assert_int_equal(checkpointer_proof(db, 2, 3, got, &n, &st), 0);
	assert_int_equal(checkpointer_proof(db, 2, 5, got, &n, &st), -1);
	assert_int_equal(st.code, STATUS_MALFORMED);
	/* No checkpoints table yet: read as a failure, not as none. */
	assert_int_equal(checkpointer_newest(db, &row, &st), -1);
	assert_int_equal(st.code, STATUS_STORE_FAILED);
	db_close(&db);
}

static void
newest_and_countersigned_copies(void **state)
{
	struct checkpointer *c;
	struct checkpointer_row row;
	struct keyfile *broker = NULL;
	struct status st;
	struct db *db;
	char path[128], cs5[CHECKPOINT_TEXT_MAX + 1], cs9[CHECKPOINT_TEXT_MAX + 1];
	size_t len5, len9;
	uint64_t size = 77;
	int stored = -1;

	(void)state;
	assert_int_equal(keyfile_generate("broker", true, &broker, &st), 0);
	db = open_db(path);
	assert_non_null(c = checkpointer_open(db, ORIGIN, keys->sign_sk, 100, EVERY_MS, &st));
	assert_int_equal(checkpointer_newest(db, &row, &st), 0);
	assert_int_equal(checkpointer_countersigned_size(db, &size, &st), 0);
	assert_int_equal(size, 0);
	append(db, 5);
	assert_int_equal(checkpointer_write(c, &st), 0);
	append(db, 4);
	clock_set_fixed(T0 + 10);
	assert_int_equal(checkpointer_write(c, &st), 0);
	assert_int_equal(checkpointer_newest(db, &row, &st), 1);
	assert_int_equal(row.size, 9);
	assert_int_equal(row.time_ms, T0 + 10);
	assert_false(row.countersigned);
	assert_int_equal(strlen(row.text), row.len);
	check_row(db, 9, T0 + 10);

	countersigned_copy(db, 5, broker, cs5, &len5);
	countersigned_copy(db, 9, broker, cs9, &len9);
	/* Another row's copy, and a size with no row: not kept. */
	assert_int_equal(checkpointer_set_countersigned(db, 9, cs5, len5, &stored, &st), 0);
	assert_int_equal(stored, 0);
	assert_int_equal(checkpointer_set_countersigned(db, 6, cs5, len5, &stored, &st), 0);
	assert_int_equal(stored, 0);
	/* The row's own text with no signature line more: not kept. */
	assert_int_equal(checkpointer_set_countersigned(db, 9, row.text, row.len, &stored, &st), 0);
	assert_int_equal(stored, 0);
	assert_int_equal(checkpointer_countersigned_size(db, &size, &st), 0);
	assert_int_equal(checkpointer_set_countersigned(db, 5, cs5, len5, &stored, &st), 0);
	assert_int_equal(stored, 1);
	assert_int_equal(checkpointer_set_countersigned(db, 9, cs9, len9, &stored, &st), 0);
	assert_int_equal(stored, 1);
	assert_int_equal(checkpointer_countersigned_size(db, &size, &st), 1);
	assert_int_equal(size, 9);
	assert_int_equal(checkpointer_newest(db, &row, &st), 1);
	assert_true(row.countersigned);

	/* A quiet period re-signs size 9: its copy goes, the copy of 5 stays. */
	clock_set_fixed(T0 + EVERY_MS);
	assert_int_equal(checkpointer_write(c, &st), 0);
	assert_int_equal(checkpointer_newest(db, &row, &st), 1);
	assert_int_equal(row.size, 9);
	assert_false(row.countersigned);
	assert_int_equal(checkpointer_countersigned_size(db, &size, &st), 1);
	assert_int_equal(size, 5);
	/* The copy of the old text no longer fits the row. */
	assert_int_equal(checkpointer_set_countersigned(db, 9, cs9, len9, &stored, &st), 0);
	assert_int_equal(stored, 0);

	exec(db, "UPDATE checkpoints SET root = x'01' WHERE size = 9");
	assert_int_equal(checkpointer_newest(db, &row, &st), -1);
	assert_int_equal(st.code, STATUS_MALFORMED);
	checkpointer_destroy(&c);
	db_close(&db);
	keyfile_destroy(&broker);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bad_origin_and_tampered_logs_are_refused),
		cmocka_unit_test(rows_removed_while_running_are_an_error),
		cmocka_unit_test(checkpoints_at_n_entries_t_seconds_and_quiet_periods),
		cmocka_unit_test(reopen_continues),
		cmocka_unit_test(proofs_from_the_database),
		cmocka_unit_test(newest_and_countersigned_copies),
	};
	struct status st;
	char cmd[128];
	int rc;

	if (sodium_init() < 0)
		return 1;
	if (keyfile_generate(ORIGIN, true, &keys, &st) != 0)
		return 1;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_checkpointer.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		rc = 1;
	keyfile_destroy(&keys);
	return rc;
}
