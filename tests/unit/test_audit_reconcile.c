/* SPDX-License-Identifier: ISC */
/* Unit tests for dutynet-audit reconcile (audit/reconcile.c): each rule on
 * a hand-built set of records (what the broker, the sender and the
 * recipient each hold about one message), asserting the kind of each
 * finding (gap or contradiction) and what it says, and that a consistent
 * story gives none; then audit/msgset.c merging real tables, where two
 * logs disagree about a message's recipient. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "audit/auditdb.c"
#include "audit/inputs.c"
#include "audit/jsonout.c"
#include "audit/msgset.c"
#include "audit/msgset_deadline.c"
#include "audit/reconcile.c"
#include "audit/show.c"
#include "audit/when.c"
#include "tests/support/auditfx.h"
#include "tests/support/confdir.h"

#define T0 1767603600000ULL	/* Mon 2026-01-05 09:00Z */
#define MAX_MSGS 8
#define PATH_LEN 512

struct fx {
	struct msgset s;
	struct msgset_msg v[MAX_MSGS];
	char given[2][IDS_AGENCY_MAX + 1];
	struct reconcile r;
};

static int
setup(void **state)
{
	struct fx *x = calloc(1, sizeof(*x));

	assert_non_null(x);
	x->s.v = x->v;
	x->s.have_broker = true;
	snprintf(x->s.broker_id, sizeof(x->s.broker_id), "broker");
	snprintf(x->given[0], sizeof(x->given[0]), "school-a");
	snprintf(x->given[1], sizeof(x->given[1]), "mash");
	x->s.given = x->given;
	x->s.n_given = 2;
	*state = x;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *x = *state;

	reconcile_free(&x->r);
	free(x);
	return 0;
}

/* A referral from school-a to mash that went well everywhere: accepted at
 * T0, received at T0 + 1 s, its receipt back at T0 + 2 s. */
static struct msgset_msg *
add_msg(struct fx *x, int type, const char *from, const char *to)
{
	struct msgset_msg *m = &x->v[x->s.n++];

	memset(m, 0, sizeof(*m));
	m->id[0] = (uint8_t)x->s.n;
	m->type = (uint8_t)type;
	m->urgency = 3;
	snprintf(m->sender, sizeof(m->sender), "%s", from);
	snprintf(m->recipient, sizeof(m->recipient), "%s", to);
	snprintf(m->case_id, sizeof(m->case_id), "C-1");
	m->created_ms = T0;
	m->at_broker = true;
	m->b_state = MSGSET_DELIVERED;
	m->b_accepted_ms = T0;
	m->b_final_ms = T0 + 2000;
	m->b_code = 250;
	m->b_has_receipt = true;
	m->in_outbox = true;
	m->o_state = MSGSET_DELIVERED;
	m->o_accepted_ms = T0;
	m->o_has_receipt = true;
	m->in_inbox = true;
	m->i_state = MSGSET_RECEIVED;
	m->i_accepted_ms = T0;
	m->i_received_ms = T0 + 1000;
	m->i_has_receipt = true;
	return m;
}

static struct msgset_msg *
referral(struct fx *x)
{
	return add_msg(x, ENVELOPE_REFERRAL, "school-a", "mash");
}

/* Runs the rules as of as_of; the number of findings. */
static size_t
run(struct fx *x, uint64_t as_of, uint64_t skew)
{
	struct status st;

	reconcile_free(&x->r);
	assert_int_equal(reconcile_run(&x->s, as_of, skew, &x->r, &st), 0);
	return x->r.n;
}

/* The only finding is of kind k and says text. */
static void
only(struct fx *x, enum reconcile_kind k, const char *text)
{
	assert_int_equal(x->r.n, 1);
	assert_int_equal(x->r.v[0].kind, k);
	if (strstr(x->r.v[0].text, text) == NULL)
		fail_msg("'%s' does not say '%s'", x->r.v[0].text, text);
	assert_int_equal(k == RECONCILE_GAP ? x->r.gaps : x->r.contradictions, 1);
}

static void
a_consistent_story_has_no_findings(void **state)
{
	struct fx *x = *state;
	struct msgset_msg *m = referral(x), *rc = add_msg(x, ENVELOPE_RECEIPT, "mash", "school-a");

	rc->has_reply_to = true;
	memcpy(rc->reply_to, m->id, IDS_MSGID_BYTES);
	rc->b_has_receipt = false;	/* receipts are not subjects of their own */
	assert_int_equal(run(x, T0, 0), 0);
	assert_int_equal(x->r.checked, 1);
}

static void
never_receipted_is_a_gap(void **state)
{
	struct fx *x = *state;
	struct msgset_msg *m = referral(x);

	m->b_state = MSGSET_QUEUED;
	m->b_has_receipt = m->o_has_receipt = m->in_inbox = false;
	m->o_state = MSGSET_ACCEPTED;
	run(x, T0, 0);
	only(x, RECONCILE_GAP, "mash never receipted it: it is not in its inbox");
	/* Without mash's database it is still a gap, said without the inbox. */
	x->s.n_given = 1;
	run(x, T0, 0);
	only(x, RECONCILE_GAP, "mash never receipted it; still queued");
}

static void
receipt_the_broker_never_delivered_is_a_contradiction(void **state)
{
	struct fx *x = *state;
	struct msgset_msg *m = referral(x);

	m->b_state = MSGSET_QUEUED;
	m->b_has_receipt = false;
	run(x, T0, 0);
	only(x, RECONCILE_CONTRADICTION, "a receipt for a message the broker never delivered");
	m->at_broker = false;
	run(x, T0, 0);
	assert_int_equal(x->r.contradictions, 2);	/* the receipt, and the delivery */
	assert_non_null(strstr(x->r.v[0].text, "the broker has no record of it: a receipt"));
	assert_non_null(strstr(x->r.v[1].text, "a delivery the broker never made"));
	m->b_state = MSGSET_FAILED;
	m->at_broker = true;
	m->b_code = 540;
	m->in_inbox = false;
	run(x, T0, 0);
	only(x, RECONCILE_CONTRADICTION, "says it failed (540)");
}

static void
message_the_sender_does_not_have_is_a_contradiction(void **state)
{
	struct fx *x = *state;

	referral(x)->in_outbox = false;
	run(x, T0, 0);
	only(x, RECONCILE_CONTRADICTION, "school-a's log does not have it");
	/* A notice from the broker has no outbox to be in. */
	x->s.n = 0;
	add_msg(x, ENVELOPE_ESCALATION, "broker", "mash")->in_outbox = false;
	x->v[0].b_has_receipt = false;	/* notices are ACKed, not receipted */
	assert_int_equal(run(x, T0, 0), 0);
}

static void
receipt_before_acceptance_is_a_contradiction_beyond_the_skew(void **state)
{
	struct fx *x = *state;
	struct msgset_msg *m = referral(x);

	m->i_received_ms = T0 - 5000;
	run(x, T0, 0);
	only(x, RECONCILE_CONTRADICTION, "before the broker accepted it");
	assert_int_equal(run(x, T0, 5000), 0);
	assert_int_equal(run(x, T0, 4999), 1);
}

static void
delivered_without_the_recipients_record_or_receipt(void **state)
{
	struct fx *x = *state;
	struct msgset_msg *m = referral(x);

	m->in_inbox = false;
	run(x, T0, 0);
	only(x, RECONCILE_CONTRADICTION, "recorded it as delivered to mash");
	m->in_inbox = true;
	m->b_has_receipt = false;
	run(x, T0, 0);
	only(x, RECONCILE_CONTRADICTION, "without a stored receipt");
	m->b_has_receipt = true;
	m->o_has_receipt = false;
	m->o_state = MSGSET_ACCEPTED;
	run(x, T0, 0);
	only(x, RECONCILE_GAP, "it has not reached school-a");
}

static void
outcomes_the_sender_was_not_told(void **state)
{
	struct fx *x = *state;
	struct msgset_msg *m = referral(x);

	m->b_state = MSGSET_FAILED;
	m->b_code = 541;
	m->o_state = MSGSET_ACCEPTED;
	m->o_has_receipt = false;
	m->i_state = MSGSET_REJECTED;
	m->i_has_receipt = false;
	run(x, T0, 0);
	only(x, RECONCILE_GAP, "has not been told");
	m->o_state = MSGSET_FAILED;
	assert_int_equal(run(x, T0, 0), 0);
	/* Expired at the broker, yet the recipient made a receipt. */
	m->b_code = 540;
	m->i_state = MSGSET_RECEIVED;
	m->i_has_receipt = true;
	run(x, T0, 0);
	only(x, RECONCILE_CONTRADICTION, "the broker says it expired undelivered");
}

static void
never_reached_the_broker_is_a_gap(void **state)
{
	struct fx *x = *state;
	struct msgset_msg *m = referral(x);

	m->at_broker = m->in_inbox = m->o_has_receipt = false;
	m->o_state = MSGSET_QUEUED;
	run(x, T0, 0);
	only(x, RECONCILE_GAP, "never reached the broker");
	m->o_state = MSGSET_FAILED;	/* refused by the broker: nothing stored */
	m->o_code = 531;
	assert_int_equal(run(x, T0, 0), 0);
}

static void
overdue_answers_are_gaps(void **state)
{
	struct fx *x = *state;
	struct msgset_msg *m = referral(x);

	m->due_ack_ms = T0 + 1000;
	m->due_decision_ms = T0 + 2000;
	assert_int_equal(run(x, T0 + 999, 0), 0);	/* not due yet */
	run(x, T0 + 1000, 0);
	only(x, RECONCILE_GAP, "no acknowledgement from mash: it was due at");
	assert_int_equal(run(x, T0 + 2000, 0), 2);
	assert_non_null(strstr(x->r.v[1].text, "no decision from mash"));
	/* A decision answers the acknowledgement too. */
	add_msg(x, ENVELOPE_DECISION, "mash", "school-a");
	m->answer[MSGSET_ANSWER_DECISION] = 2;
	assert_int_equal(run(x, T0 + 2000, 0), 0);
	/* A failed message owes nothing. */
	m->answer[MSGSET_ANSWER_DECISION] = 0;
	m->b_state = MSGSET_FAILED;
	m->o_state = MSGSET_FAILED;
	m->b_code = 541;
	m->in_inbox = false;
	m->o_has_receipt = false;
	assert_int_equal(run(x, T0 + 2000, 0), 0);
}

static void
disagreeing_logs_are_a_contradiction(void **state)
{
	struct fx *x = *state;

	snprintf(referral(x)->conflict, MSGSET_CONFLICT_MAX, "school-a records it as ...");
	run(x, T0, 0);
	only(x, RECONCILE_CONTRADICTION, "the logs disagree about it: school-a records");
}

static void
without_the_broker_the_agencies_are_compared(void **state)
{
	struct fx *x = *state;
	struct msgset_msg *m = referral(x);

	x->s.have_broker = false;
	assert_int_equal(run(x, T0, 0), 0);
	m->in_inbox = false;
	run(x, T0, 0);
	only(x, RECONCILE_CONTRADICTION, "school-a holds mash's receipt for it, but mash's log");
	m->o_state = MSGSET_ACCEPTED;
	m->o_has_receipt = false;
	run(x, T0, 0);
	only(x, RECONCILE_GAP, "mash never receipted it");
	m->in_inbox = true;
	m->in_outbox = false;
	run(x, T0, 0);
	only(x, RECONCILE_CONTRADICTION, "mash received it from school-a, but school-a's log");
	assert_string_equal(reconcile_kind_name(RECONCILE_GAP), "gap");
}

/* msgset on real tables: the broker says the referral went to mash, the
 * school's outbox that it went to camhs. */
static void
msgset_records_disagreement(void **state)
{
	char *dir = confdir_new(), broker[PATH_LEN], school[PATH_LEN];
	char *paths[2] = {broker, school};
	struct keyfile *k;
	struct inputs in;
	struct msgset *s;
	struct status st;
	const struct msgset_msg *m;

	(void)state;
	confdir_area(dir);
	snprintf(broker, sizeof(broker), "%s/broker.db", dir);
	snprintf(school, sizeof(school), "%s/school.db", dir);
	auditfx_make_log(broker, 0, false);
	auditfx_exec(broker, "CREATE TABLE messages (id BLOB, sender TEXT, recipient TEXT,"
	    " type INTEGER, urgency INTEGER, case_id TEXT, in_reply_to BLOB, created_ms INTEGER,"
	    " accepted_ms INTEGER, state TEXT, code INTEGER, final_ms INTEGER, receipt_id BLOB);"
	    "INSERT INTO messages VALUES (CAST('000000000000000r' AS BLOB), 'school-a', 'mash', 1,"
	    " 3, 'C', NULL, 1, 2, 'queued', 202, 0, NULL)");
	auditfx_make_log(school, 0, false);
	auditfx_exec(school, "CREATE TABLE outbox (message_id BLOB, type INTEGER, recipient TEXT,"
	    " case_id TEXT, in_reply_to BLOB, urgency INTEGER, created_ms INTEGER,"
	    " accepted_ms INTEGER, state TEXT, code INTEGER, final_ms INTEGER, receipt BLOB,"
	    " receipt_ms INTEGER);"
	    "CREATE TABLE inbox (message_id BLOB, type INTEGER, sender TEXT, case_id TEXT,"
	    " in_reply_to BLOB, urgency INTEGER, created_ms INTEGER, accepted_ms INTEGER,"
	    " received_ms INTEGER, state TEXT, receipt BLOB, ack_ms INTEGER, decision_ms INTEGER);"
	    "INSERT INTO outbox VALUES (CAST('000000000000000r' AS BLOB), 1, 'camhs', 'C', NULL, 3,"
	    " 1, 2, 'accepted', 202, NULL, NULL, NULL)");
	k = auditfx_key(dir, "school-a");
	auditfx_sign(school, "school-a", 0, k, NULL, NULL);
	keyfile_destroy(&k);
	assert_int_equal(inputs_load_config(&in, dir, INPUTS_POLICY), 0);
	assert_int_equal(inputs_open_dbs(&in, paths, 2), 0);
	assert_non_null(s = msgset_load(&in, &st));
	assert_int_equal(s->n, 1);
	assert_true(s->have_broker && msgset_has_db(s, "school-a") && !msgset_has_db(s, "mash"));
	m = &s->v[0];
	assert_true(m->at_broker && m->in_outbox && !m->in_inbox);
	assert_true(m->b_state == MSGSET_QUEUED && m->o_state == MSGSET_ACCEPTED);
	assert_string_equal(m->recipient, "mash");
	assert_non_null(strstr(m->conflict, "school-a records it as referral school-a -> camhs"));
	/* Deadlines computed from policy.conf (the broker has no deadline
	 * tables here): the built-in social care rule, 1 working day. */
	assert_true(m->due_ack_ms != 0 && !m->due_from_broker);
	msgset_destroy(&s);
	inputs_free(&in);
	confdir_destroy(&dir);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(a_consistent_story_has_no_findings),
		T(never_receipted_is_a_gap),
		T(receipt_the_broker_never_delivered_is_a_contradiction),
		T(message_the_sender_does_not_have_is_a_contradiction),
		T(receipt_before_acceptance_is_a_contradiction_beyond_the_skew),
		T(delivered_without_the_recipients_record_or_receipt),
		T(outcomes_the_sender_was_not_told),
		T(never_reached_the_broker_is_a_gap),
		T(overdue_answers_are_gaps),
		T(disagreeing_logs_are_a_contradiction),
		T(without_the_broker_the_agencies_are_compared),
		cmocka_unit_test(msgset_records_disagreement),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
