/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for broker/escalate.c against a real SQLite file with a fixed
 * clock (fixture: broker_area.h): reminders and escalations fire when due
 * and exactly once (also across a close and reopen, and not at all when
 * the transaction that fired them rolls back); each becomes a notice the
 * agency told can verify and open with the broker's public keys, saying
 * what was due when, how late, and who is told next; a failed message's
 * timers are cancelled and a forbidden one refused, each audited; the
 * agency's ACK delivers the notice.
 *
 * The broker's modules are not a library, so the units under test are
 * compiled in here, as the fuzzers do with theirs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "broker/deadline.c"
#include "broker/escalate.c"
#include "broker/outcome.c"
#include "broker/store.c"
#include "tests/unit/broker_area.h"

static void
failed_message_cancels_and_forbidden_route_refuses(void **state)
{
	struct fixture *f = *state;
	struct escalate_fired out[ESCALATE_BATCH];
	struct status st;
	uint8_t id[IDS_MSGID_BYTES], id2[IDS_MSGID_BYTES];
	char note[NOTE_MAX];
	unsigned i;

	accept(f, ENVELOPE_REFERRAL, URGENCY_STANDARD, "school-a", "mash", NULL, id, note);
	accept(f, ENVELOPE_REFERRAL, URGENCY_STANDARD, "school-a", "mash", NULL, id2, note);
	/* The first referral expired; for the second, the policy no longer
	 * lets the broker tell anyone. */
	begin(f);
	assert_int_equal(store_set_failed(f->s, id, STATUS_EXPIRED, "expired", clock_now_ms(),
	    &st), 1);
	commit(f);
	policy_destroy(&f->p);
	confdir_write(f->dir, POLICY_FILE, "sharing = ();\n");
	f->p = policy_load(f->dir, f->d, f->errs);
	assert_non_null(f->p);
	f->esc.policy = f->p;
	f->env.policy = policy_deadlines(f->p);
	clock_set_fixed(at("2024-06-10T12:00:00+01:00"));
	assert_int_equal(pass(f, out), 2);
	for (i = 0; i < 2; i++) {
		if (memcmp(out[i].about, id, IDS_MSGID_BYTES) == 0) {
			assert_int_equal(out[i].state, DEADLINE_TIMER_CANCELLED);
			assert_non_null(strstr(out[i].why, "the message failed (540 expired)"));
		} else {
			assert_memory_equal(out[i].about, id2, IDS_MSGID_BYTES);
			assert_int_equal(out[i].state, DEADLINE_TIMER_REFUSED);
			assert_non_null(strstr(out[i].why, "policy.conf has no rule letting broker"));
		}
	}
	assert_int_equal(pass(f, out), 0);
	{
		sqlite3_stmt *q = db_prepare(store_db(f->s), "SELECT count(*) FROM audit WHERE "
		    "event IN ('notice-cancelled', 'notice-refused')", &st);

		assert_int_equal(db_step(store_db(f->s), q, &st), DB_ROW);
		assert_int_equal(sqlite3_column_int(q, 0), 2);
		sqlite3_reset(q);
	}
}


static void
reminder_fires_once_and_opens_as_a_notice(void **state)
{
	struct fixture *f = *state;
	struct escalate_fired out[ESCALATE_BATCH];
	struct store_message m;
	struct payload p;
	struct status st;
	uint8_t id[IDS_MSGID_BYTES];
	char note[NOTE_MAX], text[ESCALATE_TEXT_MAX], idtext[IDS_MSGID_TEXT + 1];

	accept(f, ENVELOPE_REFERRAL, URGENCY_STANDARD, "school-a", "mash", NULL, id, note);
	/* Nothing before its time. */
	clock_set_fixed(at("2024-06-10T11:59:59+01:00"));
	assert_int_equal(pass(f, out), 0);
	clock_set_fixed(at("2024-06-10T12:00:00+01:00"));
	assert_int_equal(pass(f, out), 1);
	assert_int_equal(out[0].state, DEADLINE_TIMER_FIRED);
	assert_int_equal(out[0].kind, DEADLINE_TIMER_REMINDER);
	assert_string_equal(out[0].told, "mash");
	assert_memory_equal(out[0].about, id, IDS_MSGID_BYTES);
	/* Once. */
	assert_int_equal(pass(f, out), 0);
	/* The notice is a stored message queued for mash, never expiring. */
	assert_int_equal(store_find(f->s, out[0].notice, &m, &st), 1);
	assert_int_equal(m.type, ENVELOPE_ESCALATION);
	assert_string_equal(m.sender, "broker");
	assert_string_equal(m.recipient, "mash");
	assert_memory_equal(m.reply_to, id, IDS_MSGID_BYTES);
	assert_int_equal(m.expires_ms, 0);
	assert_int_equal(store_has_delivery(f->s, "mash", out[0].notice, &st), 1);
	open_notice(f, out[0].notice, &p, text, sizeof(text));
	assert_int_equal(p.u.notice.kind, NOTICE_REMINDER);
	assert_memory_equal(p.u.notice.about, id, IDS_MSGID_BYTES);
	assert_int_equal(p.u.notice.due_ms, at("2024-06-10T16:00:00+01:00"));
	ids_msgid_format(id, idtext);
	assert_non_null(strstr(text, "Reminder (50% of the time has passed): the referral"));
	assert_non_null(strstr(text, idtext));
	assert_non_null(strstr(text, "from school-a to mash is due to be acknowledged by "
	    "2024-06-10 16:00 London time (1 working day)"));
	assert_non_null(strstr(text, "school-a (the sender) will be told at 2024-06-10 16:00"));
	/* Nothing about the child: the broker never had it. */
	assert_null(strstr(text, "stand-in"));
}


static void
escalation_names_lateness_and_next_step(void **state)
{
	struct fixture *f = *state;
	struct escalate_fired out[ESCALATE_BATCH];
	struct payload p;
	uint8_t id[IDS_MSGID_BYTES];
	char note[NOTE_MAX], text[ESCALATE_TEXT_MAX];
	unsigned n, i, esc = 0;

	accept(f, ENVELOPE_REFERRAL, URGENCY_STANDARD, "school-a", "mash", NULL, id, note);
	/* The broker was down all Monday: at 16:30 the ack's two reminders,
	 * its first escalation and the decision's 50 % reminder (8 of its 16
	 * working hours: Monday 16:00) fire together, each once. */
	clock_set_fixed(at("2024-06-10T16:30:00+01:00"));
	n = pass(f, out);
	assert_int_equal(n, 4);
	for (i = 0; i < n; i++)
		if (out[i].kind == DEADLINE_TIMER_ESCALATION)
			esc = i;
	assert_string_equal(out[esc].told, "school-a");
	assert_int_equal(pass(f, out), 0);
	/* The sender's copy is sealed to school-a, so open it as school-a. */
	keyfile_destroy(&f->mash);
	f->mash = keys_of(f, "school-a");
	open_notice(f, out[esc].notice, &p, text, sizeof(text));
	assert_int_equal(p.u.notice.kind, NOTICE_ESCALATION);
	assert_non_null(strstr(text, "Escalation: the referral"));
	assert_non_null(strstr(text, "was due to be acknowledged by 2024-06-10 16:00 London time"));
	assert_non_null(strstr(text, "it is 0 h 30 min late in mash's working time "
	    "(0 h 30 min clock time)"));
	assert_non_null(strstr(text, "This notice goes to school-a (the sender)"));
	assert_non_null(strstr(text, "camhs (CAMHS) will be told at 2024-06-11 10:00"));
	/* Tuesday 10:00: the second step, to camhs, the last of the chain. */
	clock_set_fixed(at("2024-06-11T10:00:00+01:00"));
	n = pass(f, out);
	for (i = esc = 0; i < n; i++)
		if (out[i].kind == DEADLINE_TIMER_ESCALATION) {
			assert_string_equal(out[i].told, "camhs");
			esc++;
		}
	assert_int_equal(esc, 1);
}


static void
fired_exactly_once_across_restart_and_rollback(void **state)
{
	struct fixture *f = *state;
	struct escalate_fired out[ESCALATE_BATCH];
	struct deadline_counts c;
	struct status st;
	uint8_t id[IDS_MSGID_BYTES];
	char note[NOTE_MAX];
	unsigned n;

	accept(f, ENVELOPE_REFERRAL, URGENCY_STANDARD, "school-a", "mash", NULL, id, note);
	clock_set_fixed(at("2024-06-10T12:00:00+01:00"));
	/* Fired, then the process dies before the commit: nothing happened. */
	begin(f);
	assert_int_equal(escalate_run(&f->esc, clock_now_ms(), out, ESCALATE_BATCH, &n, &st), 0);
	assert_int_equal(n, 1);
	store_close(&f->s);
	open_store(f);
	assert_int_equal(deadline_count(f->s, clock_now_ms(), &c, &st), 0);
	assert_int_equal(c.reminders_sent, 0);
	assert_int_equal(c.timers_pending, 8);
	/* Restarted: it fires once; restarted again: not again. */
	assert_int_equal(pass(f, out), 1);
	store_close(&f->s);
	open_store(f);
	assert_int_equal(pass(f, out), 0);
	assert_int_equal(deadline_count(f->s, clock_now_ms(), &c, &st), 0);
	assert_int_equal(c.reminders_sent, 1);
	assert_int_equal(c.escalations_sent, 0);
	assert_int_equal(c.pending, 2);
	assert_int_equal(c.overdue, 0);
	{
		sqlite3_stmt *q = db_prepare(store_db(f->s), "SELECT count(*) FROM messages WHERE "
		    "type = 7", &st);

		assert_int_equal(db_step(store_db(f->s), q, &st), DB_ROW);
		assert_int_equal(sqlite3_column_int(q, 0), 1);
		sqlite3_reset(q);
	}
	clock_set_fixed(at("2024-06-10T17:00:00+01:00"));
	assert_int_equal(deadline_count(f->s, clock_now_ms(), &c, &st), 0);
	assert_int_equal(c.overdue, 1);
}


static void
notice_is_delivered_on_ack(void **state)
{
	struct fixture *f = *state;
	struct escalate_fired out[ESCALATE_BATCH];
	struct store_message m;
	struct status st;
	uint8_t id[IDS_MSGID_BYTES], nid[IDS_MSGID_BYTES];
	enum store_kind kind;
	char note[NOTE_MAX];
	uint64_t seq;

	accept(f, ENVELOPE_REFERRAL, URGENCY_STANDARD, "school-a", "mash", NULL, id, note);
	clock_set_fixed(at("2024-06-10T12:00:00+01:00"));
	assert_int_equal(pass(f, out), 1);
	/* mash's queue: seq 1 the referral, seq 2 the reminder. */
	seq = 2;
	assert_int_equal(store_item(f->s, "mash", seq, &kind, nid, &st), 1);
	assert_memory_equal(nid, out[0].notice, IDS_MSGID_BYTES);
	begin(f);
	assert_int_equal(outcome_ack(f->s, "mash", seq, "broker", clock_now_ms(), &st), 1);
	commit(f);
	assert_int_equal(store_find(f->s, nid, &m, &st), 1);
	assert_int_equal(m.state, STORE_DELIVERED);
	assert_string_equal(m.text, "notice acknowledged");
}


int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(failed_message_cancels_and_forbidden_route_refuses),
		T(reminder_fires_once_and_opens_as_a_notice),
		T(escalation_names_lateness_and_next_step),
		T(fired_exactly_once_across_restart_and_rollback),
		T(notice_is_delivered_on_ack),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
