/* SPDX-License-Identifier: ISC */
/* Unit tests for broker/retention.c: the envelopes the broker still holds
 * after a message's final outcome (receipts its sender ACKed) are purged
 * once the period has passed, never while queued or while a queue item
 * names them; each batch is one transaction with one "content-purged" audit
 * entry; the audit log still verifies; a repeated SEND of a purged message
 * id is still answered by its hash (duplicate, or 550 for other bytes) and
 * its purged receipt is not queued again.  The clock is fixed; nothing
 * sleeps.  The units under test are included. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "broker/outcome.c"
#include "broker/retention.c"
#include "broker/store.c"
#include "common/clock.h"

#define T0 1700000000000ULL	/* when everything happens */
#define DAY 86400000ULL
#define MSG_MAX 128

struct fixture {
	char dir[64];
	char path[128];
	struct store *s;
	struct retention_period day;
};

struct msg {
	struct envelope env;
	uint8_t bytes[MSG_MAX];
	size_t len;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct status st;

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/dutynet-test-bretention-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/broker.db", f->dir);
	clock_set_fixed(T0);
	if ((f->s = store_open(f->path, &st)) == NULL ||
	    retention_period_parse("1 day", &f->day, &st) != 0)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[256];

	store_close(&f->s);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static void
make(struct msg *m, int type, const char *from, const char *to, const uint8_t *reply_to)
{
	static unsigned n;
	struct envelope_header *h = &m->env.h;

	memset(m, 0, sizeof(*m));
	h->version = ENVELOPE_VERSION;
	h->type = (uint8_t)type;
	ids_msgid_new(T0 + n++, h->id);
	snprintf(h->case_id, sizeof(h->case_id), "case-%u", n);
	snprintf(h->from, sizeof(h->from), "%s", from);
	snprintf(h->to, sizeof(h->to), "%s", to);
	h->created_ms = T0;
	h->urgency = URGENCY_STANDARD;
	if (reply_to != NULL) {
		h->has_reply_to = true;
		memcpy(h->reply_to, reply_to, IDS_MSGID_BYTES);
	}
	m->len = (size_t)snprintf((char *)m->bytes, sizeof(m->bytes), "ciphertext:%u", n);
}

static void
begin(struct fixture *f)
{
	struct status st;

	assert_int_equal(db_begin(store_db(f->s), &st), 0);
}

static void
commit(struct fixture *f)
{
	struct status st;

	assert_int_equal(db_commit(store_db(f->s), &st), 0);
}

/* store_put in its own transaction: its return, *dup and st. */
static int
put(struct fixture *f, const struct msg *m, int *dup, struct status *st)
{
	struct store_message sm;
	int rc;

	begin(f);
	rc = store_put(f->s, &m->env, m->bytes, m->len, clock_now_ms(), 0, dup, &sm, st);
	commit(f);
	return rc;
}

static int64_t
value(struct fixture *f, const char *sql, const uint8_t *id)
{
	struct status st;
	sqlite3_stmt *q = db_prepare(store_db(f->s), sql, &st);
	int64_t v;

	assert_non_null(q);
	if (id != NULL)
		sqlite3_bind_blob(q, 1, id, IDS_MSGID_BYTES, SQLITE_STATIC);
	assert_int_equal(db_step(store_db(f->s), q, &st), DB_ROW);
	v = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	return v;
}

/* m goes school-a -> camhs, camhs receipts it (r), school-a ACKs the
 * receipt (seq): both rows final, the receipt's envelope kept. */
static void
deliver(struct fixture *f, struct msg *m, struct msg *r)
{
	struct status st;
	uint64_t seq = 0;
	int dup;

	make(m, ENVELOPE_REFERRAL, "school-a", "camhs", NULL);
	assert_int_equal(put(f, m, &dup, &st), 0);
	make(r, ENVELOPE_RECEIPT, "camhs", "school-a", m->env.h.id);
	begin(f);
	assert_int_equal(outcome_receipt(f->s, "camhs", 1, &r->env, r->bytes, r->len, T0, &st),
	    STATUS_ACCEPTED);
	commit(f);
	seq = (uint64_t)value(f, "SELECT max(seq) FROM queue WHERE agency = 'school-a'", NULL);
	begin(f);
	assert_int_equal(outcome_ack(f->s, "school-a", seq, "broker", T0, &st), 1);
	commit(f);
}

static void
verify_log(struct fixture *f)
{
	uint64_t bad = 99;
	struct status st;

	assert_int_equal(auditlog_verify(store_db(f->s), &bad, &st), 0);
	assert_int_equal(bad, 0);
}

static void
a_failed_batch_purges_and_audits_nothing(void **state)
{
	struct fixture *f = *state;
	struct msg m, r;
	struct status st;
	unsigned n = 9;

	deliver(f, &m, &r);
	assert_int_equal(db_exec(store_db(f->s), "CREATE TEMP TRIGGER no_audit BEFORE INSERT ON"
	    " audit BEGIN SELECT RAISE(ABORT, 'disk full'); END", &st), 0);
	assert_int_equal(retention_purge(f->s, &f->day, T0 + DAY, RETENTION_BATCH, &n, &st), -1);
	assert_int_equal(st.code, STATUS_STORE_FAILED);
	assert_int_equal(n, 0);
	assert_false(db_in_transaction(store_db(f->s)));
	assert_int_equal(value(f, "SELECT envelope IS NOT NULL AND purged_ms IS NULL FROM messages"
	    " WHERE id = ?1", r.env.h.id), 1);
	assert_int_equal(value(f, "SELECT count(*) FROM audit WHERE event = 'content-purged'",
	    NULL), 0);
}

static void
final_envelopes_older_than_the_period_are_purged(void **state)
{
	struct fixture *f = *state;
	struct msg m, r, q, other;
	struct store_message sm;
	struct status st;
	unsigned n = 9;
	int dup = -1;

	deliver(f, &m, &r);
	make(&q, ENVELOPE_REFERRAL, "school-a", "mash", NULL);
	assert_int_equal(put(f, &q, &dup, &st), 0);
	/* A day less a millisecond: not yet. */
	assert_int_equal(retention_purge(f->s, &f->day, T0 + DAY - 1, RETENTION_BATCH, &n, &st),
	    0);
	assert_int_equal(n, 0);
	/* The receipt's final_ms is exactly the cutoff: purged.  The queued
	 * message keeps its envelope (it still has to be delivered). */
	clock_set_fixed(T0 + DAY);
	assert_int_equal(retention_purge(f->s, &f->day, T0 + DAY, RETENTION_BATCH, &n, &st), 0);
	assert_int_equal(n, 1);
	assert_int_equal(value(f, "SELECT envelope IS NULL AND purged_ms = 1700086400000"
	    " AND length(envelope_hash) = 32 AND state = 'delivered' FROM messages WHERE id = ?1",
	    r.env.h.id), 1);
	assert_int_equal(value(f, "SELECT envelope IS NOT NULL AND purged_ms IS NULL FROM messages"
	    " WHERE id = ?1", q.env.h.id), 1);
	assert_int_equal(value(f, "SELECT count(*) FROM audit WHERE event = 'content-purged'"
	    " AND agency IS NULL AND message_id IS NULL AND time_ms = 1700086400000 AND detail ="
	    " 'purged the envelopes of 1 messages final by 2023-11-14T22:13:20Z; retention ="
	    " \"1 day\"; purged_ms=1700086400000'", NULL), 1);
	verify_log(f);
	assert_int_equal(store_find(f->s, r.env.h.id, &sm, &st), 1);
	assert_int_equal(sm.purged_ms, T0 + DAY);
	/* A repeated SEND is still told its outcome by hash; its purged
	 * receipt is not queued again (its sender ACKed it). */
	assert_int_equal(put(f, &m, &dup, &st), 0);
	assert_int_equal(dup, 1);
	assert_int_equal(store_find(f->s, m.env.h.id, &sm, &st), 1);
	assert_int_equal(sm.state, STORE_DELIVERED);
	begin(f);
	assert_int_equal(outcome_resend_receipt(f->s, &sm, T0 + DAY, &st), 1);
	commit(f);
	assert_int_equal(value(f, "SELECT count(*) FROM queue WHERE agency = 'school-a'", NULL), 0);
	/* Other bytes under the same id are still refused. */
	other = m;
	memcpy(other.bytes, "other", 5);
	assert_int_equal(put(f, &other, &dup, &st), -1);
	assert_int_equal(st.code, STATUS_CONFLICT);
	/* Nothing left: no entry. */
	assert_int_equal(retention_purge(f->s, &f->day, T0 + DAY, RETENTION_BATCH, &n, &st), 0);
	assert_int_equal(n, 0);
	assert_int_equal(value(f, "SELECT count(*) FROM audit WHERE event = 'content-purged'",
	    NULL), 1);
}

static void
a_receipt_on_its_way_again_is_kept(void **state)
{
	struct fixture *f = *state;
	struct store_message sm;
	struct msg m, r;
	struct status st;
	unsigned n = 9;

	deliver(f, &m, &r);
	assert_int_equal(store_find(f->s, m.env.h.id, &sm, &st), 1);
	begin(f);
	assert_int_equal(outcome_resend_receipt(f->s, &sm, T0, &st), 0);
	commit(f);
	assert_int_equal(retention_purge(f->s, &f->day, T0 + 2 * DAY, RETENTION_BATCH, &n, &st),
	    0);
	assert_int_equal(n, 0);
	assert_int_equal(value(f, "SELECT envelope IS NOT NULL FROM messages WHERE id = ?1",
	    r.env.h.id), 1);
}

static void
poll_runs_when_due_and_forever_never(void **state)
{
	struct fixture *f = *state;
	struct retention_period forever = {RETENTION_FOREVER, 0, ""};
	uint64_t next = 0;
	struct msg m, r;
	struct status st;
	unsigned n = 9;

	deliver(f, &m, &r);
	assert_int_equal(retention_poll(f->s, &forever, T0 + 2 * DAY, &next, &n, &st), 0);
	assert_int_equal(n, 0);
	assert_int_equal(next, 0);
	assert_int_equal(retention_poll(f->s, &f->day, T0 + 2 * DAY, &next, &n, &st), 0);
	assert_int_equal(n, 1);
	assert_int_equal(next, T0 + 2 * DAY + RETENTION_INTERVAL_MS);
	/* Not due before next. */
	assert_int_equal(retention_poll(f->s, &f->day, next - 1, &next, &n, &st), 0);
	assert_int_equal(n, 0);
	assert_int_equal(next, T0 + 2 * DAY + RETENTION_INTERVAL_MS);
	verify_log(f);
}

int
main(void)
{
#define TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		TEST(a_failed_batch_purges_and_audits_nothing),
		TEST(final_envelopes_older_than_the_period_are_purged),
		TEST(a_receipt_on_its_way_again_is_kept),
		TEST(poll_runs_when_due_and_forever_never),
	};
#undef TEST
	return cmocka_run_group_tests(tests, NULL, NULL);
}
