/* SPDX-License-Identifier: ISC */
/* Unit tests for common/auditlog.c: append inside transactions, the exact
 * hashed bytes, and tampering (edited, re-hashed, deleted, reordered,
 * retyped rows) detected at the exact seq. */
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
#include "common/clock.h"

#define T0 1700000000000ull

static char tmpdir[64];
static int dbcount;

static struct db *
open_plain(void)
{
	char path[128];
	struct status st;
	struct db *db;

	snprintf(path, sizeof(path), "%s/audit-%d.db", tmpdir, ++dbcount);
	db = db_open(path, &st);
	assert_non_null(db);
	return db;
}

static struct db *
open_db(void)
{
	struct db *db = open_plain();
	struct status st;

	assert_int_equal(auditlog_create(db, &st), 0);
	/* Idempotent: daemons call it on every start. */
	assert_int_equal(auditlog_create(db, &st), 0);
	clock_set_fixed(T0);
	return db;
}

/* Raw SQL, as someone editing the file with the sqlite3 CLI would. */
static void
exec(struct db *db, const char *sql)
{
	assert_int_equal(sqlite3_exec(db_handle(db), sql, NULL, NULL, NULL), SQLITE_OK);
}

static int64_t
count_rows(struct db *db)
{
	sqlite3_stmt *s;
	int64_t n;

	assert_int_equal(sqlite3_prepare_v2(db_handle(db), "SELECT count(*) FROM audit", -1, &s, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

static void
make_id(uint8_t id[IDS_MSGID_BYTES], uint8_t fill)
{
	memset(id, fill, IDS_MSGID_BYTES);
}

/* Appends n events in one transaction: message ids alternate between two. */
static void
append_n(struct db *db, int n)
{
	uint8_t a[IDS_MSGID_BYTES], b[IDS_MSGID_BYTES];
	struct status st;
	char detail[64];
	int i;

	make_id(a, 0xaa);
	make_id(b, 0xbb);
	assert_int_equal(db_begin(db, &st), 0);
	for (i = 0; i < n; i++) {
		snprintf(detail, sizeof(detail), "event number %d", i + 1);
		clock_advance(7);
		assert_int_equal(auditlog_append(db, i % 3 == 2 ? "sent" : "created",
				     i % 2 ? "school-a" : NULL, i % 2 ? a : b, detail, &st),
		    0);
	}
	assert_int_equal(db_commit(db, &st), 0);
}

static void
verify_fails_at(struct db *db, uint64_t seq, int code)
{
	struct status st;
	uint64_t bad = 12345;

	assert_int_equal(auditlog_verify(db, &bad, &st), -1);
	assert_int_equal(st.code, code);
	assert_int_equal(bad, seq);
}

static void
bad_arguments_are_refused_and_leave_no_row(void **state)
{
	struct db *db = open_db();
	struct status st;
	char big[AUDITLOG_DETAIL_MAX + 2];

	(void)state;
	memset(big, 'd', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(db_begin(db, &st), 0);
	assert_int_equal(auditlog_append(db, "", NULL, NULL, "x", &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_int_equal(auditlog_append(db, "Created", NULL, NULL, "x", &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_non_null(strstr(st.text, "'Created'"));
	assert_int_equal(auditlog_append(db, "this-event-name-is-far-too-long-x", NULL, NULL,
			     "x", &st),
	    -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_int_equal(auditlog_append(db, "sent", "an-agency-name-that-is-too-long-xx", NULL,
			     "x", &st),
	    -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_int_equal(auditlog_append(db, "sent", NULL, NULL, big, &st), -1);
	assert_int_equal(st.code, STATUS_TOO_LARGE);
	/* Exactly at the limit is fine. */
	big[AUDITLOG_DETAIL_MAX] = '\0';
	assert_int_equal(auditlog_append(db, "sent", NULL, NULL, big, &st), 0);
	assert_int_equal(db_commit(db, &st), 0);
	assert_int_equal(count_rows(db), 1);
	db_close(&db);
}

static void
verify_without_table_is_an_environment_failure(void **state)
{
	struct db *db = open_plain();
	struct status st;
	uint64_t bad = 99, seq;
	uint8_t h[AUDITLOG_HASHBYTES];

	(void)state;
	assert_int_equal(auditlog_verify(db, &bad, &st), -1);
	assert_int_equal(st.code, STATUS_STORE_FAILED);
	assert_int_equal(bad, 0);
	assert_int_equal(auditlog_head(db, &seq, h, &st), -1);
	assert_int_equal(st.code, STATUS_STORE_FAILED);
	assert_int_equal(db_begin(db, &st), 0);
	assert_int_equal(auditlog_append(db, "sent", NULL, NULL, "x", &st), -1);
	assert_int_equal(st.code, STATUS_STORE_FAILED);
	assert_int_equal(db_rollback(db, &st), 0);
	db_close(&db);
}

/* The hashed bytes, written out by hand from the format in auditlog.h. */
static void
hash_matches_the_documented_bytes(void **state)
{
	static const uint8_t record[] = {
		0x96,			/* array(6) */
		0x01,			/* seq 1 */
		0xcd, 0x03, 0xe8,	/* time_ms 1000 */
		0xa7, 'c', 'r', 'e', 'a', 't', 'e', 'd',
		0xa8, 's', 'c', 'h', 'o', 'o', 'l', '-', 'a',
		0xc4, 0x10,		/* bin(16) */
		0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
		0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
		0xa1, 'x',
	};
	struct auditlog_entry e;
	uint8_t prev[AUDITLOG_HASHBYTES], got[AUDITLOG_HASHBYTES], want[AUDITLOG_HASHBYTES];
	crypto_generichash_state h;

	(void)state;
	memset(prev, 0x5a, sizeof(prev));
	crypto_generichash_init(&h, NULL, 0, sizeof(want));
	crypto_generichash_update(&h, (const uint8_t *)"dutynet-audit-v1", 17);
	crypto_generichash_update(&h, prev, sizeof(prev));
	crypto_generichash_update(&h, record, sizeof(record));
	crypto_generichash_final(&h, want, sizeof(want));

	memset(&e, 0, sizeof(e));
	e.seq = 1;
	e.time_ms = 1000;
	e.event = "created";
	e.agency = "school-a";
	e.has_message_id = 1;
	make_id(e.message_id, 0x11);
	e.detail = "x";
	assert_int_equal(auditlog_hash(&e, prev, got), 0);
	assert_memory_equal(got, want, sizeof(want));

	/* nil for agency and message id changes the bytes. */
	e.agency = NULL;
	assert_int_equal(auditlog_hash(&e, prev, got), 0);
	assert_memory_not_equal(got, want, sizeof(want));
}

static void
append_chains_rows_and_rollback_keeps_nothing(void **state)
{
	struct db *db = open_db();
	struct status st;
	struct auditlog_entry e;
	sqlite3_stmt *s;
	uint8_t prev[AUDITLOG_HASHBYTES], want[AUDITLOG_HASHBYTES], head[AUDITLOG_HASHBYTES];
	uint64_t seq, bad;
	int i;

	(void)state;
	assert_int_equal(auditlog_head(db, &seq, head, &st), 0);
	assert_int_equal(seq, 0);
	append_n(db, 3);

	/* A rolled-back append leaves neither row nor gap. */
	assert_int_equal(db_begin(db, &st), 0);
	assert_int_equal(auditlog_append(db, "failed", NULL, NULL, "rolled back", &st), 0);
	assert_int_equal(db_rollback(db, &st), 0);
	append_n(db, 2);
	assert_int_equal(count_rows(db), 5);

	/* Recompute every row from its columns: seq 1..5, first prev zero. */
	memset(prev, 0, sizeof(prev));
	assert_int_equal(sqlite3_prepare_v2(db_handle(db),
			     "SELECT seq, time_ms, event, agency, message_id, detail, prev_hash, "
			     "hash FROM audit ORDER BY seq",
			     -1, &s, NULL),
	    SQLITE_OK);
	for (i = 1; i <= 5; i++) {
		assert_int_equal(sqlite3_step(s), SQLITE_ROW);
		memset(&e, 0, sizeof(e));
		e.seq = (uint64_t)sqlite3_column_int64(s, 0);
		assert_int_equal(e.seq, i);
		e.time_ms = (uint64_t)sqlite3_column_int64(s, 1);
		assert_true(e.time_ms > T0);
		e.event = (const char *)sqlite3_column_text(s, 2);
		e.agency = (const char *)sqlite3_column_text(s, 3);
		if (sqlite3_column_type(s, 4) == SQLITE_BLOB) {
			e.has_message_id = 1;
			memcpy(e.message_id, sqlite3_column_blob(s, 4), IDS_MSGID_BYTES);
		}
		e.detail = (const char *)sqlite3_column_text(s, 5);
		assert_memory_equal(sqlite3_column_blob(s, 6), prev, sizeof(prev));
		assert_int_equal(auditlog_hash(&e, prev, want), 0);
		assert_memory_equal(sqlite3_column_blob(s, 7), want, sizeof(want));
		memcpy(prev, want, sizeof(prev));
	}
	assert_int_equal(sqlite3_step(s), SQLITE_DONE);
	sqlite3_finalize(s);

	assert_int_equal(auditlog_head(db, &seq, head, &st), 0);
	assert_int_equal(seq, 5);
	assert_memory_equal(head, prev, sizeof(prev));
	assert_int_equal(auditlog_verify(db, &bad, &st), 0);
	assert_int_equal(bad, 0);
	assert_int_equal(st.code, STATUS_OK);
	db_close(&db);
}

static void
edited_row_is_found_at_its_seq(void **state)
{
	struct db *db = open_db();

	(void)state;
	append_n(db, 6);
	exec(db, "UPDATE audit SET detail = 'nothing happened' WHERE seq = 4");
	verify_fails_at(db, 4, STATUS_BAD_SIGNATURE);
	db_close(&db);

	db = open_db();
	append_n(db, 6);
	exec(db, "UPDATE audit SET time_ms = time_ms + 1 WHERE seq = 1");
	verify_fails_at(db, 1, STATUS_BAD_SIGNATURE);
	db_close(&db);

	db = open_db();
	append_n(db, 6);
	exec(db, "UPDATE audit SET agency = 'school-b' WHERE seq = 6");
	verify_fails_at(db, 6, STATUS_BAD_SIGNATURE);
	db_close(&db);
}

/* An editor who also recomputes the edited row's hash breaks the next link. */
static void
rehashed_row_breaks_the_next_link(void **state)
{
	struct db *db = open_db();
	struct auditlog_entry e;
	sqlite3_stmt *s;
	uint8_t prev[AUDITLOG_HASHBYTES], h[AUDITLOG_HASHBYTES];

	(void)state;
	append_n(db, 5);
	assert_int_equal(sqlite3_prepare_v2(db_handle(db),
			     "SELECT time_ms, prev_hash FROM audit WHERE seq = 3", -1, &s, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	memset(&e, 0, sizeof(e));
	e.seq = 3;
	e.time_ms = (uint64_t)sqlite3_column_int64(s, 0);
	memcpy(prev, sqlite3_column_blob(s, 1), sizeof(prev));
	sqlite3_finalize(s);
	e.event = "created";
	e.detail = "forged";
	assert_int_equal(auditlog_hash(&e, prev, h), 0);
	assert_int_equal(sqlite3_prepare_v2(db_handle(db),
			     "UPDATE audit SET event = 'created', agency = NULL, message_id = NULL,"
			     " detail = 'forged', hash = ? WHERE seq = 3",
			     -1, &s, NULL),
	    SQLITE_OK);
	sqlite3_bind_blob(s, 1, h, sizeof(h), SQLITE_STATIC);
	assert_int_equal(sqlite3_step(s), SQLITE_DONE);
	sqlite3_finalize(s);
	verify_fails_at(db, 4, STATUS_BAD_SIGNATURE);
	db_close(&db);
}

static void
deleted_row_is_found_at_its_seq(void **state)
{
	struct db *db = open_db();

	(void)state;
	append_n(db, 6);
	exec(db, "DELETE FROM audit WHERE seq = 3");
	verify_fails_at(db, 3, STATUS_MALFORMED);
	db_close(&db);

	/* Deleting and renumbering the rest closes the gap but not the chain. */
	db = open_db();
	append_n(db, 6);
	exec(db, "DELETE FROM audit WHERE seq = 2");
	exec(db, "UPDATE audit SET seq = seq - 1 WHERE seq > 2");
	verify_fails_at(db, 2, STATUS_BAD_SIGNATURE);
	db_close(&db);

	/* The first row gone: seq 1 is missing. */
	db = open_db();
	append_n(db, 3);
	exec(db, "DELETE FROM audit WHERE seq = 1");
	verify_fails_at(db, 1, STATUS_MALFORMED);
	db_close(&db);
}

static void
reordered_rows_are_found_at_the_first_moved_seq(void **state)
{
	struct db *db = open_db();

	(void)state;
	append_n(db, 6);
	/* Swap rows 3 and 4 (seq is the primary key: go through a free value). */
	exec(db, "UPDATE audit SET seq = 100 WHERE seq = 3");
	exec(db, "UPDATE audit SET seq = 3 WHERE seq = 4");
	exec(db, "UPDATE audit SET seq = 4 WHERE seq = 100");
	verify_fails_at(db, 3, STATUS_BAD_SIGNATURE);
	db_close(&db);
}

static void
retyped_column_is_found_at_its_seq(void **state)
{
	struct db *db = open_db();

	(void)state;
	append_n(db, 4);
	exec(db, "UPDATE audit SET message_id = x'0102' WHERE seq = 2");
	verify_fails_at(db, 2, STATUS_MALFORMED);
	db_close(&db);

	db = open_db();
	append_n(db, 4);
	exec(db, "UPDATE audit SET hash = x'00' WHERE seq = 3");
	verify_fails_at(db, 3, STATUS_MALFORMED);
	db_close(&db);
}

/* Steps s to the row at seq (the statement selects AUDITLOG_ROW_COLUMNS). */
static sqlite3_stmt *
row_at(struct db *db, int seq)
{
	sqlite3_stmt *s;

	assert_int_equal(sqlite3_prepare_v2(db_handle(db),
	    "SELECT " AUDITLOG_ROW_COLUMNS " FROM audit WHERE seq = ?", -1, &s, NULL), SQLITE_OK);
	sqlite3_bind_int(s, 1, seq);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	return s;
}

static void
read_row_checks_hash_columns_only_when_asked(void **state)
{
	struct db *db = open_db();
	struct auditlog_entry e;
	const uint8_t *prev, *hash;
	uint8_t zero[AUDITLOG_HASHBYTES], want[AUDITLOG_HASHBYTES];
	sqlite3_stmt *s;

	(void)state;
	append_n(db, 3);
	exec(db, "UPDATE audit SET hash = x'00' WHERE seq = 2");
	exec(db, "UPDATE audit SET event = x'07' WHERE seq = 3");

	s = row_at(db, 2);
	assert_int_equal(auditlog_read_row(s, &e, &prev, &hash), -1);
	/* Without the hash columns the fields alone are read (foreach). */
	assert_int_equal(auditlog_read_row(s, &e, NULL, NULL), 0);
	assert_int_equal(e.seq, 2);
	sqlite3_finalize(s);

	s = row_at(db, 3);
	assert_int_equal(auditlog_read_row(s, &e, NULL, NULL), -1);
	assert_int_equal(auditlog_read_row(s, &e, &prev, &hash), -1);
	sqlite3_finalize(s);

	s = row_at(db, 1);
	assert_int_equal(auditlog_read_row(s, &e, &prev, &hash), 0);
	assert_int_equal(e.seq, 1);
	assert_int_equal(e.time_ms, T0 + 7);
	memset(zero, 0, sizeof(zero));
	assert_memory_equal(prev, zero, AUDITLOG_HASHBYTES);
	assert_int_equal(auditlog_hash(&e, prev, want), 0);
	assert_memory_equal(hash, want, AUDITLOG_HASHBYTES);
	sqlite3_finalize(s);
	db_close(&db);
}

struct collected {
	int n;
	uint64_t seqs[16];
	int stop_after;
};

static int
collect(const struct auditlog_entry *e, void *arg)
{
	struct collected *c = arg;

	c->seqs[c->n++] = e->seq;
	return c->stop_after != 0 && c->n >= c->stop_after;
}

static void
foreach_walks_one_message_in_order(void **state)
{
	struct db *db = open_db();
	struct collected c;
	struct status st;
	uint8_t a[IDS_MSGID_BYTES];

	(void)state;
	append_n(db, 6);
	make_id(a, 0xaa);
	memset(&c, 0, sizeof(c));
	assert_int_equal(auditlog_foreach(db, a, collect, &c, &st), 0);
	/* append_n gives message a to the odd-indexed events: seq 2, 4, 6. */
	assert_int_equal(c.n, 3);
	assert_int_equal(c.seqs[0], 2);
	assert_int_equal(c.seqs[1], 4);
	assert_int_equal(c.seqs[2], 6);

	memset(&c, 0, sizeof(c));
	assert_int_equal(auditlog_foreach(db, NULL, collect, &c, &st), 0);
	assert_int_equal(c.n, 6);

	memset(&c, 0, sizeof(c));
	c.stop_after = 2;
	assert_int_equal(auditlog_foreach(db, NULL, collect, &c, &st), 0);
	assert_int_equal(c.n, 2);
	db_close(&db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bad_arguments_are_refused_and_leave_no_row),
		cmocka_unit_test(verify_without_table_is_an_environment_failure),
		cmocka_unit_test(hash_matches_the_documented_bytes),
		cmocka_unit_test(append_chains_rows_and_rollback_keeps_nothing),
		cmocka_unit_test(edited_row_is_found_at_its_seq),
		cmocka_unit_test(rehashed_row_breaks_the_next_link),
		cmocka_unit_test(deleted_row_is_found_at_its_seq),
		cmocka_unit_test(reordered_rows_are_found_at_the_first_moved_seq),
		cmocka_unit_test(retyped_column_is_found_at_its_seq),
		cmocka_unit_test(read_row_checks_hash_columns_only_when_asked),
		cmocka_unit_test(foreach_walks_one_message_in_order),
	};

	char cmd[128];
	int rc;

	if (sodium_init() < 0)
		return 1;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_auditlog.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		rc = 1;
	return rc;
}
