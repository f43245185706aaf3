/* SPDX-License-Identifier: ISC */
/* Unit tests for agents/outbox.c: every transition, its guard and its audit
 * entry; retries and flushing after a new session (the backoff itself is
 * common/backoff.c's, tested in test_backoff.c).
 * The agent's modules are not a library: the unit under test is included,
 * as the fuzzers do. */
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
#include "agents/outbox.c"
#include "agents/row.c"
#include "common/clock.h"

#define T0 1700000000000ull

static char tmpdir[64];
static int dbcount;

struct msg {
	uint8_t bytes[1024];
	size_t len;
	struct envelope env;
};

static struct db *
open_db(void)
{
	char path[128];
	struct status st;
	struct db *db;

	snprintf(path, sizeof(path), "%s/agent-%d.db", tmpdir, ++dbcount);
	db = agentdb_open(path, &st);
	assert_non_null(db);
	clock_set_fixed(T0);
	return db;
}

/* A real sealed envelope (keys are random: the outbox never opens it). */
static void
make_msg_urgency(struct msg *m, int type, const char *to, const uint8_t *reply_to, int urgency)
{
	struct envelope_header h;
	uint8_t key[SEAL_KEYBYTES], pk[SEAL_SIGN_PKBYTES], sk[SEAL_SIGN_SKBYTES];
	static const uint8_t pt[] = { 0x91, 0x01 };
	struct status st;

	memset(&h, 0, sizeof(h));
	h.version = ENVELOPE_VERSION;
	h.type = (uint8_t)type;
	ids_msgid_new(clock_now_ms(), h.id);
	snprintf(h.case_id, sizeof(h.case_id), "CASE-1");
	if (reply_to != NULL) {
		h.has_reply_to = true;
		memcpy(h.reply_to, reply_to, IDS_MSGID_BYTES);
	}
	snprintf(h.from, sizeof(h.from), "school-a");
	snprintf(h.to, sizeof(h.to), "%s", to);
	h.created_ms = clock_now_ms();
	h.urgency = (uint8_t)urgency;
	randombytes_buf(key, sizeof(key));
	crypto_sign_keypair(pk, sk);
	assert_int_equal(seal_envelope(&h, pt, sizeof(pt), key, sk, NULL, m->bytes,
			     sizeof(m->bytes), &m->len, &st),
	    0);
	assert_int_equal(envelope_decode(m->bytes, m->len, &m->env, &st), 0);
}

static void
make_msg(struct msg *m, int type, const char *to, const uint8_t *reply_to)
{
	make_msg_urgency(m, type, to, reply_to, URGENCY_STANDARD);
}

static void
put(struct db *db, struct msg *m)
{
	struct status st;

	assert_int_equal(db_begin(db, &st), 0);
	assert_int_equal(outbox_put(db, &m->env, m->bytes, m->len, clock_now_ms(), &st), 0);
	assert_int_equal(db_commit(db, &st), 0);
}

static struct outbox_msg
get(struct db *db, const struct msg *m)
{
	struct outbox_msg o;
	struct status st;

	assert_int_equal(outbox_get(db, m->env.h.id, &o, &st), 1);
	return o;
}

/* The events audited for id, joined with spaces. */
static void
events_of(struct db *db, const uint8_t *id, char *out, size_t cap);

struct events {
	char *out;
	size_t cap;
};

static int
add_event(const struct auditlog_entry *e, void *arg)
{
	struct events *ev = arg;
	size_t n = strlen(ev->out);

	snprintf(ev->out + n, ev->cap - n, "%s%s", n ? " " : "", e->event);
	return 0;
}

static void
events_of(struct db *db, const uint8_t *id, char *out, size_t cap)
{
	struct events ev = { out, cap };
	struct status st;

	out[0] = '\0';
	assert_int_equal(auditlog_foreach(db, id, add_event, &ev, &st), 0);
}

static size_t
due(struct db *db, uint64_t flush_ms)
{
	struct outbox_due *items;
	struct status st;
	size_t n;

	assert_int_equal(outbox_next_due(db, clock_now_ms(), flush_ms, 100, &items, &n, &st), 0);
	outbox_due_free(&items, n);
	return n;
}

static void
apply_result(struct db *db, const struct msg *m, int code, const char *text,
    enum outbox_effect want)
{
	enum outbox_effect eff;
	struct status st;

	assert_int_equal(db_begin(db, &st), 0);
	assert_int_equal(outbox_result(db, m->env.h.id, code, text, clock_now_ms(), 30000, &eff,
			     &st),
	    0);
	assert_int_equal(eff, want);
	assert_int_equal(db_commit(db, &st), 0);
}

static void
verify_audit(struct db *db)
{
	struct status st;
	uint64_t bad;

	assert_int_equal(auditlog_verify(db, &bad, &st), 0);
}

static void
duplicate_id_is_refused_and_rollback_keeps_nothing(void **state)
{
	struct db *db = open_db();
	struct msg m;
	struct status st;

	(void)state;
	make_msg(&m, ENVELOPE_REFERRAL, "mash", NULL);
	put(db, &m);
	assert_int_equal(db_begin(db, &st), 0);
	assert_int_equal(outbox_put(db, &m.env, m.bytes, m.len, clock_now_ms(), &st), -1);
	assert_int_equal(st.code, STATUS_CONFLICT);
	assert_int_equal(db_rollback(db, &st), 0);

	make_msg(&m, ENVELOPE_CONCERN, "mash", NULL);
	assert_int_equal(db_begin(db, &st), 0);
	assert_int_equal(outbox_put(db, &m.env, m.bytes, m.len, clock_now_ms(), &st), 0);
	assert_int_equal(db_rollback(db, &st), 0);
	assert_int_equal(outbox_count(db, -1, &st), 1);
	assert_int_equal(outbox_get(db, m.env.h.id, &(struct outbox_msg){ 0 }, &st), 0);
	db_close(&db);
}

static void
put_stores_queued_with_exact_bytes_and_audits_created(void **state)
{
	struct db *db = open_db();
	struct outbox_msg o;
	struct msg m;
	struct status st;
	uint8_t *buf, hash[SEAL_HASHBYTES];
	size_t len;
	char ev[256];

	(void)state;
	make_msg(&m, ENVELOPE_REFERRAL, "mash", NULL);
	put(db, &m);
	o = get(db, &m);
	assert_int_equal(o.state, OUTBOX_QUEUED);
	assert_int_equal(o.type, ENVELOPE_REFERRAL);
	assert_string_equal(o.to, "mash");
	assert_string_equal(o.case_id, "CASE-1");
	assert_int_equal(o.attempts, 0);
	assert_int_equal(o.last_sent_ms, 0);
	seal_hash(m.bytes, m.len, hash);
	assert_memory_equal(o.envelope_hash, hash, sizeof(hash));
	assert_int_equal(outbox_envelope(db, m.env.h.id, &buf, &len, &st), 1);
	assert_int_equal(len, m.len);
	assert_memory_equal(buf, m.bytes, len);
	free(buf);
	events_of(db, m.env.h.id, ev, sizeof(ev));
	assert_string_equal(ev, "created");
	assert_string_equal(outbox_state_name(OUTBOX_ACCEPTED), "accepted");
	assert_int_equal(outbox_state_parse("failed"), OUTBOX_FAILED);
	assert_int_equal(outbox_state_parse("lost"), -1);
	assert_null(outbox_state_name(9));
	verify_audit(db);
	db_close(&db);
}

static void
sent_messages_wait_for_retry_or_a_new_session(void **state)
{
	struct db *db = open_db();
	struct outbox_due *items;
	struct msg a, b;
	struct status st;
	size_t n;
	uint64_t when;

	(void)state;
	make_msg(&a, ENVELOPE_REFERRAL, "mash", NULL);
	put(db, &a);
	clock_advance(1);
	make_msg(&b, ENVELOPE_CONCERN, "camhs", NULL);
	put(db, &b);

	assert_int_equal(outbox_next_due(db, clock_now_ms(), 0, 1, &items, &n, &st), 0);
	assert_int_equal(n, 1);	/* the limit holds */
	assert_memory_equal(items[0].id, a.env.h.id, IDS_MSGID_BYTES);
	assert_int_equal(items[0].len, a.len);
	assert_memory_equal(items[0].envelope, a.bytes, a.len);
	outbox_due_free(&items, n);
	assert_null(items);

	assert_int_equal(db_begin(db, &st), 0);
	assert_int_equal(outbox_mark_sent(db, a.env.h.id, clock_now_ms(), 10000, &st), 0);
	assert_int_equal(outbox_mark_sent(db, b.env.h.id, clock_now_ms(), 20000, &st), 0);
	assert_int_equal(db_commit(db, &st), 0);
	assert_int_equal(get(db, &a).attempts, 1);
	assert_int_equal(get(db, &a).last_sent_ms, clock_now_ms());
	assert_int_equal(due(db, 0), 0);
	assert_int_equal(outbox_next_time(db, &when, &st), 1);
	assert_int_equal(when, clock_now_ms() + 10000);

	/* A new session (WELCOME after the sends) makes every queued one due. */
	clock_advance(5);
	assert_int_equal(due(db, clock_now_ms()), 2);
	/* The retry timer alone. */
	clock_advance(10000);
	assert_int_equal(due(db, 0), 1);
	clock_advance(10000);
	assert_int_equal(due(db, 0), 2);
	verify_audit(db);
	db_close(&db);
}

/* Due messages go most urgent first, oldest first within one urgency, and
 * queued ones before accepted rechecks, so an urgent referral is never
 * sent behind a backlog of routine ones. */
static void
due_messages_go_most_urgent_first(void **state)
{
	static const int urgency[] = {URGENCY_ROUTINE, URGENCY_STANDARD, URGENCY_URGENT,
	    URGENCY_STANDARD, URGENCY_IMMEDIATE};
	static const size_t want[] = {4, 2, 1, 3, 0};	/* indexes of m, in sending order */
	struct db *db = open_db();
	struct outbox_due *items;
	struct msg m[5];
	struct status st;
	size_t i, n;

	(void)state;
	for (i = 0; i < 5; i++) {
		make_msg_urgency(&m[i], ENVELOPE_REFERRAL, "mash", NULL, urgency[i]);
		put(db, &m[i]);
		clock_advance(1);
	}
	assert_int_equal(outbox_next_due(db, clock_now_ms(), 0, 100, &items, &n, &st), 0);
	assert_int_equal(n, 5);
	for (i = 0; i < n; i++)
		assert_memory_equal(items[i].id, m[want[i]].env.h.id, IDS_MSGID_BYTES);
	outbox_due_free(&items, n);
	/* With a limit, the most urgent are the ones taken. */
	assert_int_equal(outbox_next_due(db, clock_now_ms(), 0, 2, &items, &n, &st), 0);
	assert_int_equal(n, 2);
	assert_memory_equal(items[0].id, m[4].env.h.id, IDS_MSGID_BYTES);
	assert_memory_equal(items[1].id, m[2].env.h.id, IDS_MSGID_BYTES);
	outbox_due_free(&items, n);
	/* The immediate one accepted and its recheck due: the queued ones,
	 * routine included, still go before it. */
	assert_int_equal(db_begin(db, &st), 0);
	assert_int_equal(outbox_mark_sent(db, m[4].env.h.id, clock_now_ms(), 10, &st), 0);
	assert_int_equal(db_commit(db, &st), 0);
	apply_result(db, &m[4], STATUS_ACCEPTED, "accepted", OUTBOX_CHANGED);
	clock_advance(24 * 60 * 60 * 1000ULL);
	assert_int_equal(outbox_next_due(db, clock_now_ms(), 0, 100, &items, &n, &st), 0);
	assert_int_equal(n, 5);
	assert_memory_equal(items[0].id, m[2].env.h.id, IDS_MSGID_BYTES);
	assert_memory_equal(items[3].id, m[0].env.h.id, IDS_MSGID_BYTES);
	assert_memory_equal(items[4].id, m[4].env.h.id, IDS_MSGID_BYTES);
	assert_int_equal(items[4].state, OUTBOX_ACCEPTED);
	outbox_due_free(&items, n);
	db_close(&db);
}

/* The SENDs in flight: sent this session, unanswered, resend not yet due. */
static void
in_flight_counts_unanswered_sends_of_this_session(void **state)
{
	struct db *db = open_db();
	struct msg a, b, c;
	struct status st;
	size_t n = 99;

	(void)state;
	make_msg(&a, ENVELOPE_REFERRAL, "mash", NULL);
	make_msg(&b, ENVELOPE_REFERRAL, "mash", NULL);
	make_msg(&c, ENVELOPE_REFERRAL, "mash", NULL);
	put(db, &a);
	put(db, &b);
	put(db, &c);
	assert_int_equal(outbox_in_flight(db, clock_now_ms(), 0, &n, &st), 0);
	assert_int_equal(n, 0);	/* queued, never sent */
	assert_int_equal(db_begin(db, &st), 0);
	assert_int_equal(outbox_mark_sent(db, a.env.h.id, clock_now_ms(), 1000, &st), 0);
	assert_int_equal(outbox_mark_sent(db, b.env.h.id, clock_now_ms(), 5000, &st), 0);
	assert_int_equal(db_commit(db, &st), 0);
	assert_int_equal(outbox_in_flight(db, clock_now_ms(), 0, &n, &st), 0);
	assert_int_equal(n, 2);
	/* a's answer: accepted, no longer in flight. */
	apply_result(db, &a, STATUS_ACCEPTED, "accepted", OUTBOX_CHANGED);
	assert_int_equal(outbox_in_flight(db, clock_now_ms(), 0, &n, &st), 0);
	assert_int_equal(n, 1);
	/* b's resend falls due: it is due again, not in flight. */
	clock_advance(5000);
	assert_int_equal(outbox_in_flight(db, clock_now_ms(), 0, &n, &st), 0);
	assert_int_equal(n, 0);
	/* Sent in an earlier session (before flush_ms): not in this one's. */
	assert_int_equal(db_begin(db, &st), 0);
	assert_int_equal(outbox_mark_sent(db, c.env.h.id, clock_now_ms(), 5000, &st), 0);
	assert_int_equal(db_commit(db, &st), 0);
	assert_int_equal(outbox_in_flight(db, clock_now_ms(), clock_now_ms() + 1, &n, &st), 0);
	assert_int_equal(n, 0);
	assert_int_equal(outbox_in_flight(db, clock_now_ms(), clock_now_ms(), &n, &st), 0);
	assert_int_equal(n, 1);
	db_close(&db);
}

static void
accepted_is_separate_from_delivered(void **state)
{
	struct db *db = open_db();
	struct outbox_msg o;
	enum outbox_effect eff;
	struct msg m;
	struct status st;
	uint8_t receipt[] = { 1, 2, 3 };
	char ev[256];

	(void)state;
	make_msg(&m, ENVELOPE_REFERRAL, "mash", NULL);
	put(db, &m);
	apply_result(db, &m, STATUS_ACCEPTED, "accepted", OUTBOX_CHANGED);
	o = get(db, &m);
	assert_int_equal(o.state, OUTBOX_ACCEPTED);
	assert_int_equal(o.accepted_ms, clock_now_ms());
	assert_int_equal(o.final_ms, 0);
	/* A repeated 202 (a resend) is not a second event. */
	apply_result(db, &m, STATUS_ACCEPTED, "accepted", OUTBOX_UNCHANGED);
	/* Accepted messages are re-checked, but only after OUTBOX_RECHECK_MS. */
	assert_int_equal(due(db, clock_now_ms() + 1), 0);
	clock_advance(OUTBOX_RECHECK_MS);
	assert_int_equal(due(db, 0), 1);

	assert_int_equal(db_begin(db, &st), 0);
	assert_int_equal(outbox_delivered(db, m.env.h.id, receipt, sizeof(receipt), T0 + 5,
			     clock_now_ms(), &eff, &st),
	    0);
	assert_int_equal(eff, OUTBOX_CHANGED);
	assert_int_equal(outbox_delivered(db, m.env.h.id, receipt, sizeof(receipt), T0 + 5,
			     clock_now_ms(), &eff, &st),
	    0);
	assert_int_equal(eff, OUTBOX_UNCHANGED);
	assert_int_equal(db_commit(db, &st), 0);
	o = get(db, &m);
	assert_int_equal(o.state, OUTBOX_DELIVERED);
	assert_int_equal(o.code, STATUS_DELIVERED);
	assert_int_equal(o.receipt_ms, T0 + 5);
	assert_int_equal(due(db, UINT32_MAX), 0);
	/* Final: a late 5xx changes nothing. */
	apply_result(db, &m, STATUS_FORBIDDEN, "no", OUTBOX_UNCHANGED);
	assert_int_equal(get(db, &m).state, OUTBOX_DELIVERED);
	events_of(db, m.env.h.id, ev, sizeof(ev));
	assert_string_equal(ev, "created accepted delivered");
	verify_audit(db);
	db_close(&db);
}

static void
temporary_codes_defer_and_permanent_codes_fail(void **state)
{
	struct db *db = open_db();
	struct outbox_msg o;
	struct msg m;
	char ev[256];

	(void)state;
	make_msg(&m, ENVELOPE_REFERRAL, "mash", NULL);
	put(db, &m);
	apply_result(db, &m, STATUS_STORE_FAILED, "disk full at the broker", OUTBOX_CHANGED);
	o = get(db, &m);
	assert_int_equal(o.state, OUTBOX_QUEUED);
	assert_int_equal(o.code, STATUS_STORE_FAILED);
	assert_string_equal(o.reason, "disk full at the broker");
	assert_int_equal(o.next_try_ms, clock_now_ms() + 30000);
	apply_result(db, &m, STATUS_FORBIDDEN, "policy.conf has no rule", OUTBOX_CHANGED);
	o = get(db, &m);
	assert_int_equal(o.state, OUTBOX_FAILED);
	assert_int_equal(o.code, STATUS_FORBIDDEN);
	assert_int_equal(o.final_ms, clock_now_ms());
	assert_string_equal(o.reason, "policy.conf has no rule");
	apply_result(db, &m, STATUS_ACCEPTED, "late", OUTBOX_UNCHANGED);
	assert_int_equal(get(db, &m).state, OUTBOX_FAILED);
	/* A 200 says nothing about a message. */
	apply_result(db, &m, STATUS_OK, "", OUTBOX_UNCHANGED);
	events_of(db, m.env.h.id, ev, sizeof(ev));
	assert_string_equal(ev, "created deferred rejected");
	verify_audit(db);
	db_close(&db);
}

static void
outcomes_fail_accepted_messages_and_receipts_after_failure_are_kept(void **state)
{
	struct db *db = open_db();
	enum outbox_effect eff;
	struct outbox_msg o;
	struct msg m, other;
	struct status st;
	uint8_t receipt[] = { 9 };
	char ev[256];

	(void)state;
	make_msg(&m, ENVELOPE_REFERRAL, "mash", NULL);
	put(db, &m);
	apply_result(db, &m, STATUS_ACCEPTED, "ok", OUTBOX_CHANGED);
	assert_int_equal(db_begin(db, &st), 0);
	assert_int_equal(outbox_outcome(db, m.env.h.id, STATUS_EXPIRED, "not delivered in 1 day",
			     clock_now_ms(), &eff, &st),
	    0);
	assert_int_equal(eff, OUTBOX_CHANGED);
	assert_int_equal(outbox_outcome(db, m.env.h.id, STATUS_EXPIRED, "again", clock_now_ms(),
			     &eff, &st),
	    0);
	assert_int_equal(eff, OUTBOX_UNCHANGED);
	assert_int_equal(outbox_delivered(db, m.env.h.id, receipt, sizeof(receipt), T0,
			     clock_now_ms(), &eff, &st),
	    0);
	assert_int_equal(eff, OUTBOX_CHANGED);
	/* Unknown ids are reported, never created. */
	make_msg(&other, ENVELOPE_REFERRAL, "mash", NULL);
	assert_int_equal(outbox_outcome(db, other.env.h.id, STATUS_EXPIRED, "x", clock_now_ms(),
			     &eff, &st),
	    0);
	assert_int_equal(eff, OUTBOX_UNKNOWN);
	assert_int_equal(outbox_result(db, other.env.h.id, STATUS_ACCEPTED, "x", clock_now_ms(),
			     1, &eff, &st),
	    0);
	assert_int_equal(eff, OUTBOX_UNKNOWN);
	assert_int_equal(outbox_delivered(db, other.env.h.id, receipt, 1, T0, clock_now_ms(),
			     &eff, &st),
	    0);
	assert_int_equal(eff, OUTBOX_UNKNOWN);
	assert_int_equal(db_commit(db, &st), 0);
	o = get(db, &m);
	assert_int_equal(o.state, OUTBOX_FAILED);
	assert_int_equal(o.code, STATUS_EXPIRED);
	assert_int_equal(o.receipt_ms, T0);
	events_of(db, m.env.h.id, ev, sizeof(ev));
	assert_string_equal(ev, "created accepted failed receipt");
	assert_int_equal(outbox_count(db, OUTBOX_FAILED, &st), 1);
	assert_int_equal(outbox_count(db, OUTBOX_QUEUED, &st), 0);
	verify_audit(db);
	db_close(&db);
}

static int
count_msg(const struct outbox_msg *o, void *arg)
{
	(void)o;
	(*(int *)arg)++;
	return 0;
}

static void
lists_and_replies(void **state)
{
	struct db *db = open_db();
	struct msg a, b, reply;
	struct status st;
	int n;

	(void)state;
	make_msg(&a, ENVELOPE_REFERRAL, "mash", NULL);
	put(db, &a);
	make_msg(&b, ENVELOPE_REFERRAL, "camhs", NULL);
	put(db, &b);
	make_msg(&reply, ENVELOPE_FEEDBACK, "mash", a.env.h.id);
	put(db, &reply);
	apply_result(db, &b, STATUS_NOT_ACCEPTED, "camhs does not accept referral",
	    OUTBOX_CHANGED);
	n = 0;
	assert_int_equal(outbox_list(db, 0, count_msg, &n, &st), 0);
	assert_int_equal(n, 3);
	n = 0;
	assert_int_equal(outbox_list(db, 1, count_msg, &n, &st), 0);
	assert_int_equal(n, 2);
	n = 0;
	assert_int_equal(outbox_replies(db, a.env.h.id, count_msg, &n, &st), 0);
	assert_int_equal(n, 1);
	n = 0;
	assert_int_equal(outbox_replies(db, b.env.h.id, count_msg, &n, &st), 0);
	assert_int_equal(n, 0);
	db_close(&db);
}

/* A row whose envelope was purged under the retention period (agents/
 * retention.c does it): the reader reports when, and the envelope is gone. */
static void
purged_row_reads_purged_ms_and_no_envelope(void **state)
{
	struct db *db = open_db();
	struct status st;
	struct msg m;
	uint8_t *buf;
	size_t len;

	(void)state;
	make_msg(&m, ENVELOPE_REFERRAL, "mash", NULL);
	put(db, &m);
	assert_int_equal(get(db, &m).purged_ms, 0);
	assert_int_equal(db_exec(db, "UPDATE outbox SET envelope = NULL, purged_ms = 42", &st), 0);
	assert_int_equal(get(db, &m).purged_ms, 42);
	assert_int_equal(outbox_envelope(db, m.env.h.id, &buf, &len, &st), 1);
	assert_null(buf);
	assert_int_equal(len, 0);
	db_close(&db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(duplicate_id_is_refused_and_rollback_keeps_nothing),
		cmocka_unit_test(put_stores_queued_with_exact_bytes_and_audits_created),
		cmocka_unit_test(sent_messages_wait_for_retry_or_a_new_session),
		cmocka_unit_test(due_messages_go_most_urgent_first),
		cmocka_unit_test(in_flight_counts_unanswered_sends_of_this_session),
		cmocka_unit_test(accepted_is_separate_from_delivered),
		cmocka_unit_test(temporary_codes_defer_and_permanent_codes_fail),
		cmocka_unit_test(outcomes_fail_accepted_messages_and_receipts_after_failure_are_kept),
		cmocka_unit_test(lists_and_replies),
		cmocka_unit_test(purged_row_reads_purged_ms_and_no_envelope),
	};
	char cmd[128];
	int rc;

	if (seal_init() != 0)
		return 1;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_outbox.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		rc = 1;
	return rc;
}
