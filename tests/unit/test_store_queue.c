/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for the parts of broker/store.c that the delivery pump and the
 * quota check read on every message: the count of an agency's waiting
 * DELIVERs (kept by the queue's triggers, schema version 4) and the queue
 * read one urgency at a time.  The count must stay exact across every way a
 * row comes and goes, a rolled-back transaction and a rolled-back savepoint
 * included, since the quota refuses SENDs on it.  Real SQLite file in a
 * mkdtemp directory; the envelopes are headers with stand-in bytes (the
 * store never checks signatures).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "broker/outcome.c"
#include "broker/store.c"
#include "common/clock.h"

#define T0 1700000000000ULL	/* the injected clock's start */
#define EXPIRY 60000ULL
#define LIMIT 1000		/* a quota far above what the tests queue */
#define WALK_MAX 16

struct fixture {
	char dir[64];
	char path[128];
	struct store *s;
};

struct msg {
	struct envelope env;
	uint8_t bytes[64];
	size_t len;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct status st;

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/dutynet-test-storeq-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/broker.db", f->dir);
	clock_set_fixed(T0);
	if ((f->s = store_open(f->path, &st)) == NULL)
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
make(struct msg *m, int type, int urgency, const char *from, const char *to,
    const uint8_t *reply_to)
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
	h->urgency = (uint8_t)urgency;
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

/* Stores m inside the open transaction. */
static void
put_in(struct fixture *f, const struct msg *m)
{
	struct store_message sm;
	struct status st;
	int dup = -1;

	assert_int_equal(store_put(f->s, &m->env, m->bytes, m->len, clock_now_ms(), T0 + EXPIRY,
			    &dup, &sm, &st), 0);
	assert_int_equal(dup, 0);
}

static void
put_ok(struct fixture *f, const struct msg *m)
{
	begin(f);
	put_in(f, m);
	commit(f);
}

static uint64_t
waiting(struct fixture *f, const char *agency)
{
	struct status st;
	uint64_t n = 99;

	assert_int_equal(store_count_deliveries(f->s, agency, LIMIT, &n, &st), 0);
	return n;
}

/* The count kept by the triggers equals a count(*) of the queue. */
static void
assert_count_exact(struct fixture *f, const char *agency)
{
	struct status st;
	sqlite3_stmt *q;

	q = db_prepare(store_db(f->s), "SELECT count(*) FROM queue WHERE agency = ?1 AND"
	    " kind = 'deliver'", &st);
	assert_non_null(q);
	sqlite3_bind_text(q, 1, agency, -1, SQLITE_STATIC);
	assert_int_equal(db_step(store_db(f->s), q, &st), DB_ROW);
	assert_int_equal(waiting(f, agency), (uint64_t)sqlite3_column_int64(q, 0));
	sqlite3_reset(q);
}

struct walk {
	unsigned n;
	uint64_t seq[WALK_MAX];
	uint8_t urgency[WALK_MAX];
};

static int
collect(const struct store_item *it, void *arg)
{
	struct walk *w = arg;

	assert_true(w->n < WALK_MAX);
	w->seq[w->n] = it->seq;
	w->urgency[w->n] = it->m.urgency;
	w->n++;
	return 0;
}

static struct walk
lane_of(struct fixture *f, const char *agency, int urgency, uint64_t after, unsigned limit)
{
	struct walk w;
	struct status st;

	memset(&w, 0, sizeof(w));
	assert_int_equal(store_queue_next(f->s, agency, urgency, after, limit, collect, &w, &st),
	    0);
	return w;
}

static void
enqueue_without_a_message_row_fails_451(void **state)
{
	struct fixture *f = *state;
	uint8_t id[IDS_MSGID_BYTES];
	struct status st;

	ids_msgid_new(T0, id);
	begin(f);
	assert_int_equal(store_enqueue(f->s, "camhs", STORE_ITEM_DELIVER, id, T0, NULL, &st), -1);
	assert_int_equal(st.code, STATUS_STORE_FAILED);
	db_rollback(store_db(f->s), NULL);
	assert_int_equal(waiting(f, "camhs"), 0);
}

static void
count_is_zero_for_an_agency_never_queued_to(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(waiting(f, "nobody"), 0);
}

static void
count_stays_exact_across_rollbacks(void **state)
{
	struct fixture *f = *state;
	struct status st;
	struct msg a, b, c;

	make(&a, ENVELOPE_REFERRAL, URGENCY_STANDARD, "school-a", "camhs", NULL);
	make(&b, ENVELOPE_REFERRAL, URGENCY_STANDARD, "school-a", "camhs", NULL);
	make(&c, ENVELOPE_REFERRAL, URGENCY_STANDARD, "school-a", "camhs", NULL);
	put_ok(f, &a);
	assert_int_equal(waiting(f, "camhs"), 1);
	/* A failed batch: nothing it stored counts. */
	begin(f);
	put_in(f, &b);
	put_in(f, &c);
	assert_int_equal(waiting(f, "camhs"), 3);
	db_rollback(store_db(f->s), NULL);
	assert_int_equal(waiting(f, "camhs"), 1);
	/* One item's savepoint undone inside a batch that commits. */
	begin(f);
	assert_int_equal(db_savepoint(store_db(f->s), &st), 0);
	put_in(f, &b);
	assert_int_equal(db_rollback_to(store_db(f->s), &st), 0);
	assert_int_equal(db_savepoint(store_db(f->s), &st), 0);
	put_in(f, &c);
	assert_int_equal(db_release(store_db(f->s), &st), 0);
	commit(f);
	assert_int_equal(waiting(f, "camhs"), 2);
	assert_count_exact(f, "camhs");
	/* Reopened: the count is on disk, not in memory. */
	store_close(&f->s);
	assert_non_null(f->s = store_open(f->path, &st));
	assert_int_equal(waiting(f, "camhs"), 2);
}

static void
count_follows_receipts_failures_and_outcomes(void **state)
{
	struct fixture *f = *state;
	struct status st;
	struct msg a, b, r;
	unsigned n = 0;

	make(&a, ENVELOPE_REFERRAL, URGENCY_STANDARD, "school-a", "camhs", NULL);
	make(&b, ENVELOPE_REFERRAL, URGENCY_URGENT, "school-a", "camhs", NULL);
	put_ok(f, &a);
	put_ok(f, &b);
	assert_int_equal(waiting(f, "camhs"), 2);
	/* The quota's limit caps the answer. */
	{
		uint64_t capped = 0;

		assert_int_equal(store_count_deliveries(f->s, "camhs", 1, &capped, &st), 0);
		assert_int_equal(capped, 1);
	}
	/* A receipt takes a's DELIVER off camhs and queues one for school-a. */
	make(&r, ENVELOPE_RECEIPT, URGENCY_STANDARD, "camhs", "school-a", a.env.h.id);
	begin(f);
	assert_int_equal(outcome_receipt(f->s, "camhs", 1, &r.env, r.bytes, r.len, T0, &st),
	    STATUS_ACCEPTED);
	commit(f);
	assert_int_equal(waiting(f, "camhs"), 1);
	assert_int_equal(waiting(f, "school-a"), 1);
	/* b expires: its DELIVER goes, an OUTCOME (not a DELIVER) comes. */
	clock_set_fixed(T0 + EXPIRY);
	begin(f);
	assert_int_equal(outcome_expire(f->s, T0 + EXPIRY, NULL, NULL, &n, &st), 0);
	commit(f);
	assert_int_equal(n, 1);
	assert_int_equal(waiting(f, "camhs"), 0);
	assert_int_equal(waiting(f, "school-a"), 1);
	assert_count_exact(f, "camhs");
	assert_count_exact(f, "school-a");
	clock_set_fixed(T0);
}

static void
each_urgency_is_read_on_its_own_in_seq_order(void **state)
{
	struct fixture *f = *state;
	struct msg m[5];
	const int urgency[5] = {URGENCY_ROUTINE, URGENCY_STANDARD, URGENCY_IMMEDIATE,
	    URGENCY_STANDARD, URGENCY_IMMEDIATE};
	struct walk w;
	unsigned i;

	for (i = 0; i < 5; i++) {
		make(&m[i], ENVELOPE_REFERRAL, urgency[i], "school-a", "camhs", NULL);
		put_ok(f, &m[i]);
	}
	w = lane_of(f, "camhs", URGENCY_IMMEDIATE, 0, 10);
	assert_int_equal(w.n, 2);
	assert_int_equal(w.seq[0], 3);
	assert_int_equal(w.seq[1], 5);
	assert_int_equal(w.urgency[0], URGENCY_IMMEDIATE);
	w = lane_of(f, "camhs", URGENCY_STANDARD, 0, 10);
	assert_int_equal(w.n, 2);
	assert_int_equal(w.seq[0], 2);
	assert_int_equal(w.seq[1], 4);
	/* After a cursor, and at most limit. */
	w = lane_of(f, "camhs", URGENCY_STANDARD, 2, 10);
	assert_int_equal(w.n, 1);
	assert_int_equal(w.seq[0], 4);
	w = lane_of(f, "camhs", URGENCY_IMMEDIATE, 0, 1);
	assert_int_equal(w.n, 1);
	assert_int_equal(w.seq[0], 3);
	w = lane_of(f, "camhs", URGENCY_URGENT, 0, 10);
	assert_int_equal(w.n, 0);
	/* 0: every urgency, in seq order. */
	w = lane_of(f, "camhs", 0, 0, 10);
	assert_int_equal(w.n, 5);
	for (i = 0; i < 5; i++)
		assert_int_equal(w.seq[i], i + 1);
}

int
main(void)
{
#define TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		TEST(enqueue_without_a_message_row_fails_451),
		TEST(count_is_zero_for_an_agency_never_queued_to),
		TEST(count_stays_exact_across_rollbacks),
		TEST(count_follows_receipts_failures_and_outcomes),
		TEST(each_urgency_is_read_on_its_own_in_seq_order),
	};
#undef TEST
	return cmocka_run_group_tests(tests, NULL, NULL);
}
