/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for broker/store.c and broker/outcome.c against a real SQLite file in a mkdtemp
 * directory: idempotence by message id, conflicts (550), each agency's
 * queue in seq order, receipts, rejects, acknowledgements, expiry with an
 * injected clock, and a full disk (PRAGMA max_page_count) that fails with
 * 451 and loses nothing committed.  The store never checks signatures, so
 * the envelopes here are headers with stand-in ciphertext bytes.
 *
 * The broker's modules are not a library, so the unit under test is
 * compiled in here, as the fuzzers do with theirs.
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
#define BIG_ENVELOPE 20000	/* bytes; a few fill a tiny max_page_count */

struct fixture {
	char dir[64];
	char path[128];
	struct store *s;
};

/* One test message: a header and its stand-in envelope bytes. */
struct msg {
	struct envelope env;
	uint8_t bytes[BIG_ENVELOPE];
	size_t len;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct status st;

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/dutynet-test-store-XXXXXX");
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
make(struct msg *m, int type, const char *from, const char *to, const uint8_t *reply_to,
    const char *content)
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
	m->len = (size_t)snprintf((char *)m->bytes, sizeof(m->bytes), "ciphertext:%s:%u",
	    content, n);
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

/* Stores m in its own transaction; returns *duplicate. */
static int
put_ok(struct fixture *f, const struct msg *m, uint64_t expires_ms)
{
	struct store_message sm;
	struct status st;
	int dup = -1;

	begin(f);
	assert_int_equal(store_put(f->s, &m->env, m->bytes, m->len, clock_now_ms(), expires_ms,
			    &dup, &sm, &st), 0);
	commit(f);
	assert_memory_equal(sm.id, m->env.h.id, IDS_MSGID_BYTES);
	return dup;
}

static struct store_message
find_ok(struct fixture *f, const uint8_t *id)
{
	struct store_message sm;
	struct status st;

	assert_int_equal(store_find(f->s, id, &sm, &st), 1);
	return sm;
}

/* The queue of one agency as read by store_queue_next. */
struct walk {
	unsigned n;
	uint64_t seq[16];
	enum store_kind kind[16];
	uint8_t id[16][IDS_MSGID_BYTES];
	size_t len[16];
};

static int
collect(const struct store_item *it, void *arg)
{
	struct walk *w = arg;

	assert_true(w->n < 16);
	w->seq[w->n] = it->seq;
	w->kind[w->n] = it->kind;
	memcpy(w->id[w->n], it->m.id, IDS_MSGID_BYTES);
	w->len[w->n] = it->envelope_len;
	w->n++;
	return 0;
}

static struct walk
queue_of(struct fixture *f, const char *agency, uint64_t after, unsigned limit)
{
	struct walk w;
	struct status st;

	memset(&w, 0, sizeof(w));
	assert_int_equal(store_queue_next(f->s, agency, 0, after, limit, collect, &w, &st), 0);
	return w;
}

static int
receipt(struct fixture *f, const char *agency, uint64_t seq, const struct msg *r,
    struct status *st)
{
	int rc;

	begin(f);
	rc = outcome_receipt(f->s, agency, seq, &r->env, r->bytes, r->len, clock_now_ms(), st);
	commit(f);
	return rc;
}

static void
conflicting_bytes_are_refused_550_and_change_nothing(void **state)
{
	struct fixture *f = *state;
	struct store_message sm;
	struct status st;
	struct msg a, b;
	int dup;

	make(&a, ENVELOPE_REFERRAL, "school-a", "camhs", NULL, "first");
	assert_int_equal(put_ok(f, &a, T0 + EXPIRY), 0);
	b = a;
	memcpy(b.bytes, "other bytes", 11);
	begin(f);
	assert_int_equal(store_put(f->s, &b.env, b.bytes, b.len, T0, 0, &dup, &sm, &st), -1);
	assert_int_equal(st.code, STATUS_CONFLICT);
	commit(f);
	sm = find_ok(f, a.env.h.id);
	assert_int_equal(sm.state, STORE_QUEUED);
	assert_int_equal(queue_of(f, "camhs", 0, 10).n, 1);
}

static void
receipts_cannot_be_sent_as_messages_503(void **state)
{
	struct fixture *f = *state;
	struct store_message sm;
	struct status st;
	static const uint8_t some_id[IDS_MSGID_BYTES] = { 1 };
	struct msg r;
	int dup;

	make(&r, ENVELOPE_RECEIPT, "camhs", "school-a", some_id, "receipt");
	begin(f);
	assert_int_equal(store_put(f->s, &r.env, r.bytes, r.len, T0, 0, &dup, &sm, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_TYPE);
	commit(f);
	assert_int_equal(store_find(f->s, r.env.h.id, &sm, &st), 0);
}

static void
same_bytes_again_is_a_duplicate_not_a_second_message(void **state)
{
	struct fixture *f = *state;
	struct store_counts c;
	struct status st;
	struct msg a;

	make(&a, ENVELOPE_CONCERN, "school-a", "mash", NULL, "once");
	assert_int_equal(put_ok(f, &a, T0 + EXPIRY), 0);
	assert_int_equal(put_ok(f, &a, T0 + EXPIRY), 1);
	assert_int_equal(store_count(f->s, &c, &st), 0);
	assert_int_equal(c.queued, 1);
	assert_int_equal(c.pending_items, 1);
	assert_int_equal(queue_of(f, "mash", 0, 10).n, 1);
}

static void
each_agency_queue_is_in_order_with_its_own_seq(void **state)
{
	struct fixture *f = *state;
	struct msg a, b, c, d;
	struct walk w;

	make(&a, ENVELOPE_REFERRAL, "school-a", "camhs", NULL, "1");
	make(&b, ENVELOPE_REFERRAL, "school-b", "camhs", NULL, "2");
	make(&c, ENVELOPE_REFERRAL, "school-a", "mash", NULL, "x");
	make(&d, ENVELOPE_REFERRAL, "school-a", "camhs", NULL, "3");
	put_ok(f, &a, 0);
	put_ok(f, &b, 0);
	put_ok(f, &c, 0);
	put_ok(f, &d, 0);
	w = queue_of(f, "camhs", 0, 10);
	assert_int_equal(w.n, 3);
	assert_true(w.seq[0] < w.seq[1] && w.seq[1] < w.seq[2]);
	assert_memory_equal(w.id[0], a.env.h.id, IDS_MSGID_BYTES);
	assert_memory_equal(w.id[1], b.env.h.id, IDS_MSGID_BYTES);
	assert_memory_equal(w.id[2], d.env.h.id, IDS_MSGID_BYTES);
	assert_int_equal(w.kind[0], STORE_ITEM_DELIVER);
	assert_int_equal(w.len[0], a.len);
	/* Resuming after a seq, and a window of one. */
	w = queue_of(f, "camhs", w.seq[0], 1);
	assert_int_equal(w.n, 1);
	assert_memory_equal(w.id[0], b.env.h.id, IDS_MSGID_BYTES);
	w = queue_of(f, "mash", 0, 10);
	assert_int_equal(w.n, 1);
	assert_int_equal(w.seq[0], 1);
	assert_int_equal(queue_of(f, "nobody", 0, 10).n, 0);
}

static void
receipt_for_the_wrong_item_or_message_is_refused_504(void **state)
{
	static const uint8_t unknown_id[IDS_MSGID_BYTES] = { 2 };
	struct fixture *f = *state;
	struct status st;
	struct msg a, b, r;
	struct walk w;

	make(&a, ENVELOPE_REFERRAL, "school-a", "camhs", NULL, "a");
	make(&b, ENVELOPE_REFERRAL, "school-a", "camhs", NULL, "b");
	put_ok(f, &a, 0);
	put_ok(f, &b, 0);
	w = queue_of(f, "camhs", 0, 10);
	/* seq of b, receipt naming a */
	make(&r, ENVELOPE_RECEIPT, "camhs", "school-a", a.env.h.id, "r");
	assert_int_equal(receipt(f, "camhs", w.seq[1], &r, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	/* sent by an agency the message was not for */
	make(&r, ENVELOPE_RECEIPT, "mash", "school-a", a.env.h.id, "r");
	assert_int_equal(receipt(f, "mash", 99, &r, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	/* addressed to someone other than the original sender */
	make(&r, ENVELOPE_RECEIPT, "camhs", "school-b", a.env.h.id, "r");
	assert_int_equal(receipt(f, "camhs", w.seq[0], &r, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	/* naming no stored message */
	make(&r, ENVELOPE_RECEIPT, "camhs", "school-a", unknown_id, "r");
	assert_int_equal(receipt(f, "camhs", 99, &r, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_int_equal(find_ok(f, a.env.h.id).state, STORE_QUEUED);
	assert_int_equal(queue_of(f, "camhs", 0, 10).n, 2);
}

static void
receipt_marks_delivered_and_travels_back_to_the_sender(void **state)
{
	struct fixture *f = *state;
	struct store_message sm;
	struct status st;
	struct msg a, r, r2, rr;
	struct walk w;

	make(&a, ENVELOPE_REFERRAL, "school-a", "camhs", NULL, "a");
	put_ok(f, &a, T0 + EXPIRY);
	w = queue_of(f, "camhs", 0, 10);
	make(&r, ENVELOPE_RECEIPT, "camhs", "school-a", a.env.h.id, "r");
	assert_int_equal(receipt(f, "camhs", w.seq[0], &r, &st), STATUS_ACCEPTED);
	sm = find_ok(f, a.env.h.id);
	assert_int_equal(sm.state, STORE_DELIVERED);
	assert_int_equal(sm.code, STATUS_DELIVERED);
	assert_true(sm.has_receipt);
	assert_memory_equal(sm.receipt_id, r.env.h.id, IDS_MSGID_BYTES);
	assert_int_equal(queue_of(f, "camhs", 0, 10).n, 0);
	w = queue_of(f, "school-a", 0, 10);
	assert_int_equal(w.n, 1);
	assert_memory_equal(w.id[0], r.env.h.id, IDS_MSGID_BYTES);
	/* The same receipt again, or a second one: the first stands. */
	assert_int_equal(receipt(f, "camhs", 99, &r, &st), STATUS_DELIVERED);
	make(&r2, ENVELOPE_RECEIPT, "camhs", "school-a", a.env.h.id, "r2");
	assert_int_equal(receipt(f, "camhs", 99, &r2, &st), STATUS_DELIVERED);
	assert_int_equal(store_find(f->s, r2.env.h.id, &sm, &st), 0);
	/* A receipt is acknowledged, never receipted. */
	make(&rr, ENVELOPE_RECEIPT, "school-a", "camhs", r.env.h.id, "rr");
	assert_int_equal(receipt(f, "school-a", w.seq[0], &rr, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_TYPE);
	begin(f);
	assert_int_equal(outcome_ack(f->s, "school-a", w.seq[0], "broker", T0, &st), 1);
	assert_int_equal(outcome_ack(f->s, "school-a", w.seq[0], "broker", T0, &st), 0);
	commit(f);
	assert_int_equal(find_ok(f, r.env.h.id).state, STORE_DELIVERED);
	assert_int_equal(queue_of(f, "school-a", 0, 10).n, 0);
}

static void
receipt_id_reused_by_other_bytes_is_550(void **state)
{
	struct fixture *f = *state;
	struct status st;
	struct msg a, b, r;

	make(&a, ENVELOPE_REFERRAL, "school-a", "camhs", NULL, "a");
	make(&b, ENVELOPE_REFERRAL, "school-a", "camhs", NULL, "b");
	put_ok(f, &a, 0);
	put_ok(f, &b, 0);
	make(&r, ENVELOPE_RECEIPT, "camhs", "school-a", b.env.h.id, "r");
	memcpy(r.env.h.id, a.env.h.id, IDS_MSGID_BYTES);
	assert_int_equal(receipt(f, "camhs", 99, &r, &st), -1);
	assert_int_equal(st.code, STATUS_CONFLICT);
	assert_int_equal(find_ok(f, b.env.h.id).state, STORE_QUEUED);
}

static void
resend_of_delivered_queues_the_receipt_once(void **state)
{
	struct fixture *f = *state;
	struct store_message sm;
	struct status st;
	struct msg a, r;
	struct walk w;

	make(&a, ENVELOPE_REFERRAL, "school-a", "camhs", NULL, "a");
	put_ok(f, &a, 0);
	make(&r, ENVELOPE_RECEIPT, "camhs", "school-a", a.env.h.id, "r");
	assert_int_equal(receipt(f, "camhs", 1, &r, &st), STATUS_ACCEPTED);
	w = queue_of(f, "school-a", 0, 10);
	begin(f);
	assert_int_equal(outcome_ack(f->s, "school-a", w.seq[0], "broker", T0, &st), 1);
	commit(f);
	assert_int_equal(put_ok(f, &a, 0), 1);
	sm = find_ok(f, a.env.h.id);
	assert_int_equal(sm.code, STATUS_DELIVERED);
	begin(f);
	assert_int_equal(outcome_resend_receipt(f->s, &sm, T0, &st), 0);
	assert_int_equal(outcome_resend_receipt(f->s, &sm, T0, &st), 0);
	commit(f);
	w = queue_of(f, "school-a", 0, 10);
	assert_int_equal(w.n, 1);
	assert_memory_equal(w.id[0], r.env.h.id, IDS_MSGID_BYTES);
	assert_int_equal(w.len[0], r.len);
	assert_true(w.seq[0] > 1);	/* a new seq, never a reused one */
}

static void
reject_fails_the_original_541_once(void **state)
{
	struct fixture *f = *state;
	struct store_message sm;
	struct status st;
	struct msg a, rej, wrong;
	struct walk w;

	make(&a, ENVELOPE_REFERRAL, "school-a", "camhs", NULL, "a");
	put_ok(f, &a, T0 + EXPIRY);
	/* A reject from someone the message was not sent to does nothing. */
	make(&wrong, ENVELOPE_REJECT, "mash", "school-a", a.env.h.id, "w");
	begin(f);
	assert_int_equal(outcome_reject(f->s, &wrong.env, T0, &st), 1);
	commit(f);
	make(&rej, ENVELOPE_REJECT, "camhs", "school-a", a.env.h.id, "rej");
	put_ok(f, &rej, T0 + EXPIRY);
	begin(f);
	assert_int_equal(outcome_reject(f->s, &rej.env, T0 + 5, &st), 0);
	assert_int_equal(outcome_reject(f->s, &rej.env, T0 + 6, &st), 1);
	commit(f);
	sm = find_ok(f, a.env.h.id);
	assert_int_equal(sm.state, STORE_FAILED);
	assert_int_equal(sm.code, STATUS_REJECTED);
	assert_int_equal(sm.final_ms, T0 + 5);
	assert_int_equal(queue_of(f, "camhs", 0, 10).n, 0);
	/* The sender's queue: the reject envelope, then the OUTCOME. */
	w = queue_of(f, "school-a", 0, 10);
	assert_int_equal(w.n, 2);
	assert_int_equal(w.kind[0], STORE_ITEM_DELIVER);
	assert_memory_equal(w.id[0], rej.env.h.id, IDS_MSGID_BYTES);
	assert_int_equal(w.kind[1], STORE_ITEM_OUTCOME);
	assert_memory_equal(w.id[1], a.env.h.id, IDS_MSGID_BYTES);
	/* A receipt arriving after the failure cannot change it. */
	make(&wrong, ENVELOPE_RECEIPT, "camhs", "school-a", a.env.h.id, "late");
	assert_int_equal(receipt(f, "camhs", 99, &wrong, &st), STATUS_REJECTED);
	assert_int_equal(find_ok(f, a.env.h.id).state, STORE_FAILED);
}

static int expired_seen;

static void
on_expired(const struct store_message *m, void *arg)
{
	(void)arg;
	assert_int_equal(m->code, STATUS_EXPIRED);
	assert_int_equal(m->state, STORE_FAILED);
	expired_seen++;
}

static void
expiry_uses_the_injected_clock_and_fails_540(void **state)
{
	struct fixture *f = *state;
	struct store_message sm;
	struct status st;
	struct msg a, b, c, late;
	struct walk w;
	unsigned n;

	make(&a, ENVELOPE_REFERRAL, "school-a", "camhs", NULL, "a");
	make(&b, ENVELOPE_REFERRAL, "school-a", "camhs", NULL, "b");
	make(&c, ENVELOPE_REFERRAL, "school-a", "camhs", NULL, "c");
	put_ok(f, &a, T0 + 1000);
	put_ok(f, &b, T0 + 5000);
	put_ok(f, &c, 0);	/* never expires */
	expired_seen = 0;
	begin(f);
	assert_int_equal(outcome_expire(f->s, T0 + 999, on_expired, NULL, &n, &st), 0);
	assert_int_equal(n, 0);
	clock_advance(2000);
	assert_int_equal(outcome_expire(f->s, clock_now_ms(), on_expired, NULL, &n, &st), 0);
	assert_int_equal(n, 1);
	assert_int_equal(outcome_expire(f->s, clock_now_ms(), on_expired, NULL, &n, &st), 0);
	assert_int_equal(n, 0);
	commit(f);
	assert_int_equal(expired_seen, 1);
	sm = find_ok(f, a.env.h.id);
	assert_int_equal(sm.state, STORE_FAILED);
	assert_int_equal(sm.code, STATUS_EXPIRED);
	assert_int_equal(find_ok(f, b.env.h.id).state, STORE_QUEUED);
	w = queue_of(f, "camhs", 0, 10);
	assert_int_equal(w.n, 2);	/* b and c still to deliver */
	w = queue_of(f, "school-a", 0, 10);
	assert_int_equal(w.n, 1);
	assert_int_equal(w.kind[0], STORE_ITEM_OUTCOME);
	/* A resend gets the stored failure; a late receipt changes nothing. */
	assert_int_equal(put_ok(f, &a, T0 + EXPIRY), 1);
	assert_int_equal(find_ok(f, a.env.h.id).code, STATUS_EXPIRED);
	make(&late, ENVELOPE_RECEIPT, "camhs", "school-a", a.env.h.id, "late");
	assert_int_equal(receipt(f, "camhs", 99, &late, &st), STATUS_EXPIRED);
	/* The OUTCOME stays until acknowledged. */
	begin(f);
	assert_int_equal(outcome_ack(f->s, "school-a", w.seq[0], "broker", T0, &st), 1);
	commit(f);
	assert_int_equal(queue_of(f, "school-a", 0, 10).n, 0);
}

static void
full_disk_fails_451_and_loses_nothing(void **state)
{
	struct fixture *f = *state;
	struct store_message sm;
	struct store_counts c;
	struct status st;
	struct msg *m = calloc(1, sizeof(*m));
	char sql[64];
	int i, dup, stored = 0, failed = 0;
	long long pages;
	sqlite3_stmt *q;

	assert_non_null(m);
	assert_int_equal(sqlite3_prepare_v2(db_handle(store_db(f->s)), "PRAGMA page_count", -1,
			    &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	pages = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	snprintf(sql, sizeof(sql), "PRAGMA max_page_count=%lld", pages + 12);
	assert_int_equal(db_exec(store_db(f->s), sql, &st), 0);
	for (i = 0; i < 20 && failed == 0; i++) {
		make(m, ENVELOPE_REFERRAL, "school-a", "camhs", NULL, "big");
		m->len = BIG_ENVELOPE;
		begin(f);
		if (store_put(f->s, &m->env, m->bytes, m->len, T0, 0, &dup, &sm, &st) == -1 ||
		    db_commit(store_db(f->s), &st) == -1) {
			assert_int_equal(st.code, STATUS_STORE_FAILED);
			db_rollback(store_db(f->s), NULL);
			failed = 1;
		} else {
			stored++;
		}
	}
	assert_int_equal(failed, 1);
	assert_true(stored > 0);
	assert_int_equal(store_find(f->s, m->env.h.id, &sm, &st), 0);
	assert_int_equal(store_count(f->s, &c, &st), 0);
	assert_int_equal(c.queued, stored);
	assert_int_equal(c.pending_items, stored);
	/* Space again: the same message goes through. */
	assert_int_equal(db_exec(store_db(f->s), "PRAGMA max_page_count=1073741823", &st), 0);
	assert_int_equal(put_ok(f, m, 0), 0);
	assert_int_equal(queue_of(f, "camhs", 0, 30).n, stored + 1);
	free(m);
}

static void
everything_survives_a_reopen(void **state)
{
	struct fixture *f = *state;
	struct status st;
	struct msg a;
	struct walk w;

	make(&a, ENVELOPE_REFERRAL, "school-a", "camhs", NULL, "a");
	put_ok(f, &a, T0 + EXPIRY);
	store_close(&f->s);
	assert_null(f->s);
	store_close(&f->s);	/* NULL is fine */
	assert_non_null(f->s = store_open(f->path, &st));
	assert_int_equal(find_ok(f, a.env.h.id).state, STORE_QUEUED);
	w = queue_of(f, "camhs", 0, 10);
	assert_int_equal(w.n, 1);
	assert_int_equal(w.len[0], a.len);
	assert_string_equal(store_state_name(STORE_FAILED), "failed");
	assert_null(store_state_name(0));
}

static void
newer_schema_is_refused_502(void **state)
{
	struct fixture *f = *state;
	struct status st;

	assert_int_equal(db_exec(store_db(f->s), "PRAGMA user_version=99", &st), 0);
	store_close(&f->s);
	assert_null(store_open(f->path, &st));
	assert_int_equal(st.code, STATUS_BAD_VERSION);
	assert_null(store_open("/nonexistent-dir/broker.db", &st));
	assert_int_equal(st.code, STATUS_STORE_FAILED);
}

static void
quota_counts_deliveries_up_to_the_limit(void **state)
{
	struct fixture *f = *state;
	struct status st;
	struct msg a, b, c, d, r;
	uint64_t n = 99;

	assert_int_equal(store_count_deliveries(f->s, "camhs", 10, &n, &st), 0);
	assert_int_equal(n, 0);
	make(&a, ENVELOPE_REFERRAL, "school-a", "camhs", NULL, "a");
	make(&b, ENVELOPE_REFERRAL, "school-a", "camhs", NULL, "b");
	make(&c, ENVELOPE_REFERRAL, "school-a", "camhs", NULL, "c");
	make(&d, ENVELOPE_REFERRAL, "school-a", "mash", NULL, "d");
	put_ok(f, &a, 0);
	put_ok(f, &b, 0);
	put_ok(f, &c, 0);
	put_ok(f, &d, 0);
	assert_int_equal(store_count_deliveries(f->s, "camhs", 10, &n, &st), 0);
	assert_int_equal(n, 3);
	/* Counting stops at the limit: the quota check never needs more. */
	assert_int_equal(store_count_deliveries(f->s, "camhs", 2, &n, &st), 0);
	assert_int_equal(n, 2);
	assert_int_equal(store_count_deliveries(f->s, "mash", 10, &n, &st), 0);
	assert_int_equal(n, 1);
	/* A receipt takes one off camhs's queue and puts one on school-a's. */
	make(&r, ENVELOPE_RECEIPT, "camhs", "school-a", a.env.h.id, "r");
	assert_int_equal(receipt(f, "camhs", 1, &r, &st), STATUS_ACCEPTED);
	assert_int_equal(store_count_deliveries(f->s, "camhs", 10, &n, &st), 0);
	assert_int_equal(n, 2);
	assert_int_equal(store_count_deliveries(f->s, "school-a", 10, &n, &st), 0);
	assert_int_equal(n, 1);
}

static void
version_1_store_gains_the_deadline_tables(void **state)
{
	struct fixture *f = *state;
	struct status st;
	sqlite3_stmt *q;
	struct msg a;

	make(&a, ENVELOPE_REFERRAL, "school-a", "camhs", NULL, "a");
	put_ok(f, &a, 0);
	/* As the broker of issue 5 left it. */
	assert_int_equal(db_exec(store_db(f->s), "DROP TRIGGER queue_waiting_add; DROP TRIGGER "
	    "queue_waiting_drop; DROP INDEX queue_urgency; ALTER TABLE queue DROP COLUMN urgency; "
	    "ALTER TABLE sequences DROP COLUMN waiting; "
	    "DROP INDEX messages_retained; ALTER TABLE "
	    "messages DROP COLUMN purged_ms; DROP TABLE deadline_timers; DROP TABLE "
	    "deadlines; PRAGMA user_version=1", &st), 0);
	store_close(&f->s);
	f->s = store_open(f->path, &st);
	assert_non_null(f->s);
	q = db_prepare(store_db(f->s), "SELECT (SELECT user_version FROM pragma_user_version),"
	    " (SELECT count(*) FROM deadlines), (SELECT count(*) FROM messages),"
	    " (SELECT count(*) FROM messages WHERE purged_ms IS NULL),"
	    " (SELECT waiting FROM sequences WHERE agency = 'camhs'),"
	    " (SELECT urgency FROM queue WHERE agency = 'camhs')", &st);
	assert_non_null(q);
	assert_int_equal(db_step(store_db(f->s), q, &st), DB_ROW);
	assert_int_equal(sqlite3_column_int(q, 0), STORE_SCHEMA_VERSION);
	assert_int_equal(sqlite3_column_int(q, 1), 0);
	assert_int_equal(sqlite3_column_int(q, 2), 1);
	assert_int_equal(sqlite3_column_int(q, 3), 1);	/* version 3: retention */
	assert_int_equal(sqlite3_column_int(q, 4), 1);	/* version 4: the count rebuilt */
	assert_int_equal(sqlite3_column_int(q, 5), a.env.h.urgency);
	sqlite3_reset(q);
}

static void
audit_chain_records_every_change(void **state)
{
	struct fixture *f = *state;
	uint64_t bad = 1;
	struct status st;
	struct msg a, r;

	make(&a, ENVELOPE_REFERRAL, "school-a", "camhs", NULL, "a");
	put_ok(f, &a, 0);
	make(&r, ENVELOPE_RECEIPT, "camhs", "school-a", a.env.h.id, "r");
	assert_int_equal(receipt(f, "camhs", 1, &r, &st), STATUS_ACCEPTED);
	assert_int_equal(auditlog_verify(store_db(f->s), &bad, &st), 0);
	assert_int_equal(bad, 0);
	{
		sqlite3_stmt *q;

		assert_int_equal(sqlite3_prepare_v2(db_handle(store_db(f->s)),
				    "SELECT group_concat(event) FROM audit", -1, &q, NULL),
		    SQLITE_OK);
		assert_int_equal(sqlite3_step(q), SQLITE_ROW);
		assert_string_equal((const char *)sqlite3_column_text(q, 0), "accepted,receipt");
		sqlite3_finalize(q);
	}
}

int
main(void)
{
#define TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		TEST(conflicting_bytes_are_refused_550_and_change_nothing),
		TEST(receipts_cannot_be_sent_as_messages_503),
		TEST(receipt_for_the_wrong_item_or_message_is_refused_504),
		TEST(receipt_id_reused_by_other_bytes_is_550),
		TEST(full_disk_fails_451_and_loses_nothing),
		TEST(newer_schema_is_refused_502),
		TEST(quota_counts_deliveries_up_to_the_limit),
		TEST(version_1_store_gains_the_deadline_tables),
		TEST(same_bytes_again_is_a_duplicate_not_a_second_message),
		TEST(each_agency_queue_is_in_order_with_its_own_seq),
		TEST(receipt_marks_delivered_and_travels_back_to_the_sender),
		TEST(resend_of_delivered_queues_the_receipt_once),
		TEST(reject_fails_the_original_541_once),
		TEST(expiry_uses_the_injected_clock_and_fails_540),
		TEST(everything_survives_a_reopen),
		TEST(audit_chain_records_every_change),
	};
#undef TEST
	return cmocka_run_group_tests(tests, NULL, NULL);
}
