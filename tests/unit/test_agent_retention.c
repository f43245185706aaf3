/* SPDX-License-Identifier: ISC */
/* Unit tests for agents/retention.c: content older than the retention
 * period is purged case by case (inbox payload and envelope, outbox
 * envelope), while anything pending, recent, or in a case with something
 * pending or recent keeps it; each batch is one transaction with exactly one
 * "content-purged" audit entry, rolled back whole if either fails; the audit
 * log and an earlier signed checkpoint still verify; the version 4 schema
 * step keeps every row of an older database.  The clock is fixed; nothing
 * sleeps.  The units under test are included (outbox.c's reader of
 * purged_ms is tested in test_outbox.c). */
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

#include "agents/agentdb.c"
#include "agents/inbox.c"
#include "agents/retention.c"
#include "agents/row.c"
#include "common/checkpointer.h"
#include "common/clock.h"

#define NOW 1935410400000ull			/* 2031-05-01T14:00:00Z */
#define CUTOFF 1903874400000ull			/* 2030-05-01T14:00:00Z: one year before */
#define DAY 86400000ull
#define OLD (CUTOFF - 30 * DAY)
#define RECENT (CUTOFF + DAY)
#define MANY (RETENTION_BATCH + 44)		/* more than one batch */

static char tmpdir[64];
static int dbcount;
static struct retention_period year;

struct fixture {
	struct db *db;
	char path[128];
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct status st;

	assert_non_null(f);
	snprintf(f->path, sizeof(f->path), "%s/agent-%d.db", tmpdir, ++dbcount);
	assert_non_null(f->db = agentdb_open(f->path, &st));
	assert_int_equal(retention_period_parse("1 year", &year, &st), 0);
	clock_set_fixed(OLD - DAY);
	/* Some history before: the purge entry must chain onto it. */
	assert_int_equal(db_begin(f->db, &st), 0);
	assert_int_equal(auditlog_append(f->db, "created", "mash", NULL, "earlier", &st), 0);
	assert_int_equal(auditlog_append(f->db, "received", "camhs", NULL, "earlier", &st), 0);
	assert_int_equal(db_commit(f->db, &st), 0);
	clock_set_fixed(NOW);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	db_close(&f->db);
	free(f);
	return 0;
}

/* An inbox row: type, case, state, received at `at`, decided at decided
 * (0: never); its id into id. */
static void
inbox_row(struct fixture *f, uint8_t id[IDS_MSGID_BYTES], int type, const char *case_id,
    const char *state, uint64_t at, uint64_t decided)
{
	struct status st;
	sqlite3_stmt *s;

	ids_msgid_new(at, id);
	s = db_prepare(f->db, "INSERT INTO inbox (message_id, type, sender, case_id, urgency,"
	    " created_ms, received_ms, envelope, envelope_hash, payload, receipt, state,"
	    " decision_ms) VALUES (?1, ?2, 'school-a', ?3, 3, ?4, ?4, x'c0ffee', zeroblob(32),"
	    " x'5ec12e70', x'2ece1b70', ?5, ?6)", &st);
	assert_non_null(s);
	sqlite3_bind_blob(s, 1, id, IDS_MSGID_BYTES, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, type);
	sqlite3_bind_text(s, 3, case_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)at);
	sqlite3_bind_text(s, 5, state, -1, SQLITE_STATIC);
	if (decided != 0)
		sqlite3_bind_int64(s, 6, (sqlite3_int64)decided);
	assert_int_equal(db_step(f->db, s, &st), DB_DONE);
}

/* An outbox row: case, state, created at `at`, final at fin (0: not). */
static void
outbox_row(struct fixture *f, uint8_t id[IDS_MSGID_BYTES], const char *case_id,
    const char *state, uint64_t at, uint64_t fin)
{
	struct status st;
	sqlite3_stmt *s;

	ids_msgid_new(at, id);
	s = db_prepare(f->db, "INSERT INTO outbox (message_id, type, recipient, case_id, urgency,"
	    " created_ms, envelope, envelope_hash, state, next_try_ms, final_ms, receipt)"
	    " VALUES (?1, 1, 'mash', ?2, 3, ?3, x'c0ffee', zeroblob(32), ?4, ?3, ?5, x'2ece1b70')",
	    &st);
	assert_non_null(s);
	sqlite3_bind_blob(s, 1, id, IDS_MSGID_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, case_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)at);
	sqlite3_bind_text(s, 4, state, -1, SQLITE_STATIC);
	if (fin != 0)
		sqlite3_bind_int64(s, 5, (sqlite3_int64)fin);
	assert_int_equal(db_step(f->db, s, &st), DB_DONE);
}

/* 1 if id's content is gone (and purged_ms = NOW), 0 if all of it is
 * there; the hash and receipt are kept either way. */
static int
purged(struct fixture *f, const char *table, const uint8_t id[IDS_MSGID_BYTES])
{
	char sql[256];
	struct status st;
	sqlite3_stmt *s;
	int gone;

	snprintf(sql, sizeof(sql), "SELECT envelope IS NULL, %s, purged_ms,"
	    " length(envelope_hash), receipt IS NOT NULL FROM %s WHERE message_id = ?1",
	    strcmp(table, "inbox") == 0 ? "payload IS NULL" : "envelope IS NULL", table);
	assert_int_equal(row_find(f->db, sql, id, &s, &st), DB_ROW);
	gone = sqlite3_column_int(s, 0);
	assert_int_equal(sqlite3_column_int(s, 1), gone);
	if (gone)
		assert_int_equal(sqlite3_column_int64(s, 2), NOW);
	else
		assert_int_equal(sqlite3_column_type(s, 2), SQLITE_NULL);
	assert_int_equal(sqlite3_column_int(s, 3), SEAL_HASHBYTES);
	assert_int_equal(sqlite3_column_int(s, 4), 1);
	sqlite3_reset(s);
	return gone;
}

static int64_t
count(struct fixture *f, const char *sql)
{
	struct status st;

	return row_count(f->db, sql, NULL, &st);
}

static void
verify_log(struct fixture *f)
{
	uint64_t bad = 99;
	struct status st;

	assert_int_equal(auditlog_verify(f->db, &bad, &st), 0);
	assert_int_equal(bad, 0);
}

static void
forever_never_purges(void **state)
{
	struct fixture *f = *state;
	struct retention_period forever = {RETENTION_FOREVER, 0, ""};
	struct retention *r;
	uint8_t a[IDS_MSGID_BYTES];
	struct status st;
	unsigned n = 9;

	inbox_row(f, a, ENVELOPE_FEEDBACK, "C-1", "received", OLD, 0);
	assert_non_null(r = retention_new(f->db, &forever));
	assert_int_equal(retention_wait_ms(r, NOW), UINT64_MAX);
	assert_int_equal(retention_poll(r, NOW, &n, &st), 0);
	assert_int_equal(n, 0);
	assert_int_equal(retention_purge(f->db, &forever, NOW, RETENTION_BATCH, &n, &st), 0);
	assert_int_equal(n, 0);
	assert_int_equal(purged(f, "inbox", a), 0);
	retention_destroy(&r);
	assert_null(r);
	retention_destroy(&r);
}

static void
a_failed_batch_purges_and_audits_nothing(void **state)
{
	struct fixture *f = *state;
	uint8_t a[IDS_MSGID_BYTES], b[IDS_MSGID_BYTES];
	struct status st;
	unsigned n = 9;

	inbox_row(f, a, ENVELOPE_FEEDBACK, "C-1", "received", OLD, 0);
	outbox_row(f, b, "C-1", "delivered", OLD, OLD);
	/* The audit entry cannot be written: the purge goes with it. */
	assert_int_equal(db_exec(f->db, "CREATE TEMP TRIGGER no_audit BEFORE INSERT ON audit"
	    " BEGIN SELECT RAISE(ABORT, 'disk full'); END", &st), 0);
	assert_int_equal(retention_purge(f->db, &year, NOW, RETENTION_BATCH, &n, &st), -1);
	assert_int_equal(st.code, STATUS_STORE_FAILED);
	assert_int_equal(n, 0);
	assert_false(db_in_transaction(f->db));
	assert_int_equal(purged(f, "inbox", a), 0);
	assert_int_equal(purged(f, "outbox", b), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM audit"), 2);
	assert_int_equal(db_exec(f->db, "DROP TRIGGER no_audit", &st), 0);
	assert_int_equal(retention_purge(f->db, &year, NOW, RETENTION_BATCH, &n, &st), 0);
	assert_int_equal(n, 2);
	verify_log(f);
}

static void
old_settled_cases_are_purged_with_one_audit_entry(void **state)
{
	struct fixture *f = *state;
	uint8_t a[IDS_MSGID_BYTES], b[IDS_MSGID_BYTES], c[IDS_MSGID_BYTES], d[IDS_MSGID_BYTES];
	uint8_t e[IDS_MSGID_BYTES], g[IDS_MSGID_BYTES];
	struct inbox_msg im;
	struct status st;
	sqlite3_stmt *s;
	uint8_t *env, *pay;
	size_t elen, plen;
	unsigned n = 0;

	/* Case A: our referral, delivered, and its decision back; over. */
	outbox_row(f, a, "A", "delivered", OLD - DAY, OLD - DAY);
	inbox_row(f, b, ENVELOPE_DECISION, "A", "received", OLD, 0);
	/* Case B: a referral to us, decided exactly at the cutoff. */
	inbox_row(f, c, ENVELOPE_REFERRAL, "B", "decided", OLD, CUTOFF);
	/* Case C: a rejected delivery and a failed send. */
	inbox_row(f, d, ENVELOPE_CONCERN, "C", "rejected", OLD, 0);
	outbox_row(f, e, "C", "failed", OLD, OLD);
	/* Case D: settled, but decided after the cutoff: kept. */
	inbox_row(f, g, ENVELOPE_REFERRAL, "D", "decided", OLD, RECENT);
	assert_int_equal(retention_purge(f->db, &year, NOW, RETENTION_BATCH, &n, &st), 0);
	assert_int_equal(n, 5);
	assert_int_equal(purged(f, "outbox", a), 1);
	assert_int_equal(purged(f, "inbox", b), 1);
	assert_int_equal(purged(f, "inbox", c), 1);
	assert_int_equal(purged(f, "inbox", d), 1);
	assert_int_equal(purged(f, "outbox", e), 1);
	assert_int_equal(purged(f, "inbox", g), 0);
	/* Everything else of the rows stays, and the readers say purged. */
	assert_int_equal(inbox_get(f->db, c, &im, &st), 1);
	assert_int_equal(im.state, INBOX_DECIDED);
	assert_int_equal(im.decision_ms, CUTOFF);
	assert_int_equal(im.purged_ms, NOW);
	assert_string_equal(im.case_id, "B");
	assert_int_equal(inbox_bytes(f->db, c, &env, &elen, &pay, &plen, &st), 1);
	assert_null(env);
	assert_null(pay);
	assert_int_equal(count(f, "SELECT count(*) FROM outbox WHERE state = 'delivered'"
	    " AND final_ms IS NOT NULL AND code IS NULL AND receipt = x'2ece1b70'"), 1);
	/* One entry for the batch, in the chain, saying what and why. */
	assert_int_equal(count(f, "SELECT count(*) FROM audit"), 3);
	s = db_prepare(f->db, "SELECT event, agency IS NULL, message_id IS NULL, detail, time_ms"
	    " FROM audit WHERE seq = 3", &st);
	assert_non_null(s);
	assert_int_equal(db_step(f->db, s, &st), DB_ROW);
	assert_string_equal(sqlite3_column_text(s, 0), "content-purged");
	assert_int_equal(sqlite3_column_int(s, 1), 1);
	assert_int_equal(sqlite3_column_int(s, 2), 1);
	assert_string_equal(sqlite3_column_text(s, 3), "purged the content of 5 messages "
	    "(inbox 3, outbox 2) whose cases were over by 2030-05-01T14:00:00Z; "
	    "retention = \"1 year\"; purged_ms=1935410400000");
	assert_int_equal(sqlite3_column_int64(s, 4), NOW);
	sqlite3_reset(s);
	verify_log(f);
	/* Nothing left: no rows change, and no empty entry is written. */
	assert_int_equal(retention_purge(f->db, &year, NOW, RETENTION_BATCH, &n, &st), 0);
	assert_int_equal(n, 0);
	assert_int_equal(count(f, "SELECT count(*) FROM audit"), 3);
}

static void
pending_work_keeps_its_whole_case(void **state)
{
	struct fixture *f = *state;
	uint8_t q[IDS_MSGID_BYTES], q2[IDS_MSGID_BYTES], ac[IDS_MSGID_BYTES];
	uint8_t r[IDS_MSGID_BYTES], k[IDS_MSGID_BYTES], h[IDS_MSGID_BYTES];
	uint8_t h2[IDS_MSGID_BYTES], x[IDS_MSGID_BYTES];
	struct status st;
	sqlite3_stmt *s;
	unsigned n = 0;

	/* Case Q: one message still queued keeps an old delivered one too. */
	outbox_row(f, q, "Q", "queued", OLD, 0);
	outbox_row(f, q2, "Q", "delivered", OLD, OLD);
	/* Case AC: accepted, no receipt yet. */
	outbox_row(f, ac, "AC", "accepted", OLD, 0);
	/* Case R: a referral received and acknowledged, never decided. */
	inbox_row(f, r, ENVELOPE_REFERRAL, "R", "acknowledged", OLD, 0);
	inbox_row(f, k, ENVELOPE_ACK, "R", "received", OLD, 0);
	/* Case H: an on_message run still pending. */
	inbox_row(f, h, ENVELOPE_FEEDBACK, "H", "received", OLD, 0);
	inbox_row(f, h2, ENVELOPE_FEEDBACK, "H", "received", OLD, 0);
	s = db_prepare(f->db, "INSERT INTO hooks (message_id, type, queued_ms, next_try_ms)"
	    " VALUES (?1, 'feedback', 1, 1)", &st);
	assert_non_null(s);
	sqlite3_bind_blob(s, 1, h, IDS_MSGID_BYTES, SQLITE_STATIC);
	assert_int_equal(db_step(f->db, s, &st), DB_DONE);
	/* Case X: over, purged; proves the rest were kept by rule. */
	outbox_row(f, x, "X", "delivered", OLD, OLD);
	assert_int_equal(retention_purge(f->db, &year, NOW, RETENTION_BATCH, &n, &st), 0);
	assert_int_equal(n, 1);
	assert_int_equal(purged(f, "outbox", x), 1);
	assert_int_equal(purged(f, "outbox", q), 0);
	assert_int_equal(purged(f, "outbox", q2), 0);
	assert_int_equal(purged(f, "outbox", ac), 0);
	assert_int_equal(purged(f, "inbox", r), 0);
	assert_int_equal(purged(f, "inbox", k), 0);
	assert_int_equal(purged(f, "inbox", h), 0);
	assert_int_equal(purged(f, "inbox", h2), 0);
	/* Once the hook ran and the referral is decided, both cases go. */
	assert_int_equal(db_exec(f->db, "UPDATE hooks SET done_ms = 1;"
	    " UPDATE inbox SET state = 'decided', decision_ms = 1 WHERE case_id = 'R'"
	    " AND type = 1", &st), 0);
	assert_int_equal(retention_purge(f->db, &year, NOW, RETENTION_BATCH, &n, &st), 0);
	assert_int_equal(n, 4);
	assert_int_equal(purged(f, "inbox", r), 1);
	assert_int_equal(purged(f, "inbox", h2), 1);
	assert_int_equal(purged(f, "outbox", q2), 0);
	verify_log(f);
}

static void
batches_are_bounded_and_poll_comes_back(void **state)
{
	struct fixture *f = *state;
	uint8_t id[IDS_MSGID_BYTES];
	char case_id[16];
	struct retention *r;
	struct status st;
	unsigned n = 0, i;

	assert_int_equal(db_begin(f->db, &st), 0);
	for (i = 0; i < MANY; i++) {
		snprintf(case_id, sizeof(case_id), "M-%u", i);
		outbox_row(f, id, case_id, "delivered", OLD, OLD);
	}
	assert_int_equal(db_commit(f->db, &st), 0);
	/* One batch is at most its limit. */
	assert_int_equal(retention_purge(f->db, &year, NOW, 3, &n, &st), 0);
	assert_int_equal(n, 3);
	assert_non_null(r = retention_new(f->db, &year));
	assert_int_equal(retention_wait_ms(r, NOW), 0);
	assert_int_equal(retention_poll(r, NOW, &n, &st), 0);
	assert_int_equal(n, MANY - 3);
	/* Two batches, two entries: 2 earlier + 1 + 2. */
	assert_int_equal(count(f, "SELECT count(*) FROM audit WHERE event = 'content-purged'"), 3);
	assert_int_equal(count(f, "SELECT count(*) FROM outbox WHERE envelope IS NOT NULL"), 0);
	/* Not due again for an interval; then nothing to do. */
	assert_int_equal(retention_wait_ms(r, NOW), RETENTION_INTERVAL_MS);
	assert_int_equal(retention_poll(r, NOW + 1, &n, &st), 0);
	assert_int_equal(n, 0);
	assert_int_equal(retention_wait_ms(r, NOW + RETENTION_INTERVAL_MS), 0);
	retention_destroy(&r);
	verify_log(f);
}

/* A checkpoint signed before the purge still matches the log after it:
 * the tree commits to entry hashes, and purging appends one entry. */
static void
an_earlier_checkpoint_still_verifies(void **state)
{
	struct fixture *f = *state;
	uint8_t pk[SEAL_SIGN_PKBYTES], sk[SEAL_SIGN_SKBYTES], id[IDS_MSGID_BYTES];
	struct checkpointer *c;
	struct status st;
	unsigned n = 0;

	crypto_sign_keypair(pk, sk);
	inbox_row(f, id, ENVELOPE_FEEDBACK, "C-1", "received", OLD, 0);
	assert_non_null(c = checkpointer_open(f->db, "school-a", sk, 1000, 300000, &st));
	assert_int_equal(checkpointer_write(c, &st), 0);
	checkpointer_destroy(&c);
	assert_int_equal(retention_purge(f->db, &year, NOW, RETENTION_BATCH, &n, &st), 0);
	assert_int_equal(n, 1);
	/* Opening rebuilds the tree and refuses a log that does not match. */
	assert_non_null(c = checkpointer_open(f->db, "school-a", sk, 1000, 300000, &st));
	assert_int_equal(checkpointer_write(c, &st), 0);
	checkpointer_destroy(&c);
	verify_log(f);
}

/* A database of schema version 3 (before retention) is rebuilt by
 * agentdb_open: every row and value kept, envelope now nullable. */
static void
version_3_database_gains_purged_ms(void **state)
{
	struct fixture *f = *state;
	char path[128];
	uint8_t a[IDS_MSGID_BYTES], b[IDS_MSGID_BYTES];
	struct status st;
	struct db *db;
	unsigned n = 0;

	snprintf(path, sizeof(path), "%s/old-%d.db", tmpdir, ++dbcount);
	assert_non_null(db = db_open(path, &st));
	assert_int_equal(db_migrate(db, steps, 3, &st), 0);
	db_close(&f->db);
	f->db = db;
	inbox_row(f, a, ENVELOPE_FEEDBACK, "C-1", "received", OLD, 0);
	outbox_row(f, b, "C-1", "delivered", OLD, OLD);
	/* Version 3 still refuses a NULL envelope. */
	assert_int_equal(db_exec(f->db, "UPDATE outbox SET envelope = NULL", &st), -1);
	db_close(&f->db);
	assert_non_null(f->db = agentdb_open(path, &st));
	assert_int_equal(count(f, "SELECT user_version FROM pragma_user_version"), 4);
	assert_int_equal(count(f, "SELECT count(*) FROM inbox WHERE envelope = x'c0ffee'"
	    " AND payload = x'5ec12e70' AND receipt = x'2ece1b70'"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM outbox WHERE state = 'delivered'"
	    " AND purged_ms IS NULL"), 1);
	/* The rebuilt table keeps its indexes and its one rule: no NULL
	 * envelope unless purged. */
	assert_int_equal(count(f, "SELECT count(*) FROM sqlite_schema WHERE name IN"
	    " ('inbox_reply', 'outbox_pending', 'outbox_reply')"), 3);
	assert_int_equal(db_exec(f->db, "UPDATE outbox SET envelope = NULL", &st), -1);
	assert_int_equal(retention_purge(f->db, &year, NOW, RETENTION_BATCH, &n, &st), 0);
	assert_int_equal(n, 2);
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(forever_never_purges),
		T(a_failed_batch_purges_and_audits_nothing),
		T(old_settled_cases_are_purged_with_one_audit_entry),
		T(pending_work_keeps_its_whole_case),
		T(batches_are_bounded_and_poll_comes_back),
		T(an_earlier_checkpoint_still_verifies),
		T(version_3_database_gains_purged_ms),
	};
#undef T
	char cmd[128];
	int rc;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_agent_retention.XXXXXX");
	if (mkdtemp(tmpdir) == NULL || sodium_init() < 0)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		rc = 1;
	return rc;
}
