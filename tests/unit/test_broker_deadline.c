/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for broker/deadline.c against a real SQLite file with a fixed
 * clock (fixture: broker_area.h): deadlines scheduled with the recipient's
 * calendar, with their reminders and escalation chain; answers from the
 * recipient that settle them, met or late with the lateness in working and
 * clock time, cancelling what is pending; a decision that answers the ack
 * too and starts the feedback deadline; immediate urgency on the clock.
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
untracked_messages_get_nothing(void **state)
{
	struct fixture *f = *state;
	struct deadline_timer t[4];
	uint8_t id[IDS_MSGID_BYTES], ack[IDS_MSGID_BYTES];
	char note[NOTE_MAX];

	/* No rule matches camhs (only "immediate" and mash have one). */
	accept(f, ENVELOPE_REFERRAL, URGENCY_STANDARD, "school-a", "camhs", NULL, id, note);
	assert_string_equal(note, "");
	assert_int_equal(timers(f, id, t, 4), 0);
	/* An ack to nothing tracked. */
	accept(f, ENVELOPE_ACK, URGENCY_STANDARD, "camhs", "school-a", id, ack, note);
	assert_string_equal(note, "");
}


static void
referral_gets_deadlines_reminders_and_chain(void **state)
{
	struct fixture *f = *state;
	struct deadline_timer t[16];
	struct deadline_row r;
	uint8_t id[IDS_MSGID_BYTES];
	char note[NOTE_MAX];
	int n;

	accept(f, ENVELOPE_REFERRAL, URGENCY_STANDARD, "school-a", "mash", NULL, id, note);
	assert_non_null(strstr(note, "ack due 2024-06-10T15:00:00Z, decision due "
	    "2024-06-11T15:00:00Z (front door)"));
	r = row(f, id, DEADLINE_ACK);
	assert_int_equal(r.state, DEADLINE_PENDING);
	assert_string_equal(r.sender, "school-a");
	assert_string_equal(r.recipient, "mash");
	assert_string_equal(r.within, "1 working day");
	assert_string_equal(r.rule, "front door");
	/* Friday 16:00 + 1 working day = Monday 16:00 (over the weekend). */
	assert_int_equal(r.due_ms, at("2024-06-10T16:00:00+01:00"));
	assert_int_equal(row(f, id, DEADLINE_DECISION).due_ms, at("2024-06-11T16:00:00+01:00"));
	n = timers(f, id, t, 16);
	assert_int_equal(n, 8);
	/* ack: reminders at 50 % and 90 % of its 8 working hours, the chain. */
	assert_int_equal(t[0].d.step, DEADLINE_ACK);
	assert_int_equal(t[0].kind, DEADLINE_TIMER_REMINDER);
	assert_string_equal(t[0].tell, "mash");
	assert_int_equal(t[0].percent, 50);
	assert_int_equal(t[0].fire_ms, at("2024-06-10T12:00:00+01:00"));
	assert_int_equal(t[1].fire_ms, at("2024-06-10T15:12:00+01:00"));
	assert_int_equal(t[2].kind, DEADLINE_TIMER_ESCALATION);
	assert_int_equal(t[2].role, DIRECTORY_TELL_SENDER);
	assert_string_equal(t[2].tell, "school-a");
	assert_int_equal(t[2].fire_ms, at("2024-06-10T16:00:00+01:00"));
	assert_int_equal(t[3].role, DIRECTORY_TELL_AGENCY);
	assert_string_equal(t[3].tell, "camhs");
	assert_int_equal(t[3].fire_ms, at("2024-06-11T10:00:00+01:00"));
	assert_int_equal(t[4].d.step, DEADLINE_DECISION);
	/* No feedback deadline until a decision. */
	{
		struct deadline_row fb;
		struct status st;

		assert_int_equal(deadline_find(f->s, id, DEADLINE_FEEDBACK, &fb, &st), 0);
	}
}


static void
answer_in_time_cancels_and_late_answer_is_measured(void **state)
{
	struct fixture *f = *state;
	struct escalate_fired out[ESCALATE_BATCH];
	struct deadline_timer t[16];
	struct deadline_row r;
	uint8_t id[IDS_MSGID_BYTES], id2[IDS_MSGID_BYTES], ack[IDS_MSGID_BYTES];
	char note[NOTE_MAX];
	int n, i, cancelled = 0;

	accept(f, ENVELOPE_REFERRAL, URGENCY_STANDARD, "school-a", "mash", NULL, id, note);
	accept(f, ENVELOPE_REFERRAL, URGENCY_STANDARD, "school-a", "mash", NULL, id2, note);
	/* An ack from someone else does not discharge mash's duty. */
	clock_set_fixed(at("2024-06-10T15:59:59+01:00"));
	accept(f, ENVELOPE_ACK, URGENCY_STANDARD, "camhs", "school-a", id, ack, note);
	assert_string_equal(note, "");
	assert_int_equal(row(f, id, DEADLINE_ACK).state, DEADLINE_PENDING);
	/* mash's ack one second before the deadline: met. */
	accept(f, ENVELOPE_ACK, URGENCY_STANDARD, "mash", "school-a", id, ack, note);
	assert_non_null(strstr(note, "ack deadline of "));
	assert_non_null(strstr(note, " met (due 2024-06-10T15:00:00Z)"));
	r = row(f, id, DEADLINE_ACK);
	assert_int_equal(r.state, DEADLINE_MET);
	assert_true(r.answered);
	assert_memory_equal(r.answer_id, ack, IDS_MSGID_BYTES);
	assert_int_equal(r.answered_ms, at("2024-06-10T15:59:59+01:00"));
	assert_int_equal(r.late_clock_ms, 0);
	/* Its pending ack timers are cancelled; the decision's are not. */
	n = timers(f, id, t, 16);
	for (i = 0; i < n; i++) {
		if (t[i].d.step == DEADLINE_ACK && t[i].kind == DEADLINE_TIMER_ESCALATION)
			assert_int_equal(t[i].state, DEADLINE_TIMER_CANCELLED);
		if (t[i].state == DEADLINE_TIMER_CANCELLED)
			cancelled++;
		if (t[i].d.step == DEADLINE_DECISION)
			assert_int_equal(t[i].state, DEADLINE_TIMER_PENDING);
	}
	assert_int_equal(cancelled, 4);	/* the ack's two reminders were due later too */
	/* Tuesday 10:00: only the other referral's ack escalates (the first
	 * one's decision reminders still come). */
	clock_set_fixed(at("2024-06-11T10:00:00+01:00"));
	n = (int)pass(f, out);
	for (i = 0; i < n; i++)
		if (out[i].step == DEADLINE_ACK)
			assert_memory_equal(out[i].about, id2, IDS_MSGID_BYTES);
	/* The other ack arrives at 10:00 on Tuesday: 18 hours late on the
	 * clock, 2 of mash's working hours (Monday 16-17, Tuesday 9-10). */
	accept(f, ENVELOPE_ACK, URGENCY_STANDARD, "mash", "school-a", id2, ack, note);
	assert_non_null(strstr(note, " late: due 2024-06-10T15:00:00Z, late by 2 h 00 min "
	    "working time, 18 h 00 min clock time"));
	r = row(f, id2, DEADLINE_ACK);
	assert_int_equal(r.state, DEADLINE_LATE);
	assert_int_equal(r.late_working_ms, 2 * HOUR);
	assert_int_equal(r.late_clock_ms, 18 * HOUR);
	/* A second ack changes nothing. */
	accept(f, ENVELOPE_ACK, URGENCY_STANDARD, "mash", "school-a", id2, ack, note);
	assert_string_equal(note, "");
	assert_int_equal(row(f, id2, DEADLINE_ACK).answered_ms, r.answered_ms);
}


static void
decision_settles_ack_and_starts_feedback(void **state)
{
	struct fixture *f = *state;
	struct escalate_fired out[ESCALATE_BATCH];
	struct deadline_row r;
	uint8_t id[IDS_MSGID_BYTES], dec[IDS_MSGID_BYTES], fb[IDS_MSGID_BYTES];
	char note[NOTE_MAX];

	accept(f, ENVELOPE_REFERRAL, URGENCY_STANDARD, "school-a", "mash", NULL, id, note);
	clock_set_fixed(at("2024-06-10T10:00:00+01:00"));
	accept(f, ENVELOPE_DECISION, URGENCY_STANDARD, "mash", "school-a", id, dec, note);
	assert_non_null(strstr(note, "decision deadline of "));
	assert_non_null(strstr(note, "; ack deadline of "));
	assert_int_equal(row(f, id, DEADLINE_DECISION).state, DEADLINE_MET);
	r = row(f, id, DEADLINE_ACK);
	assert_int_equal(r.state, DEADLINE_MET);
	assert_memory_equal(r.answer_id, dec, IDS_MSGID_BYTES);
	/* Feedback: 1 hour (clock time) from the decision. */
	r = row(f, id, DEADLINE_FEEDBACK);
	assert_int_equal(r.state, DEADLINE_PENDING);
	assert_int_equal(r.from_ms, at("2024-06-10T10:00:00+01:00"));
	assert_int_equal(r.due_ms, at("2024-06-10T11:00:00+01:00"));
	/* Its 50 % reminder fires at 10:30. */
	clock_set_fixed(at("2024-06-10T10:30:00+01:00"));
	assert_int_equal(pass(f, out), 1);
	assert_int_equal(out[0].step, DEADLINE_FEEDBACK);
	/* Feedback at 10:45: met; the rest of its timers are cancelled. */
	clock_set_fixed(at("2024-06-10T10:45:00+01:00"));
	accept(f, ENVELOPE_FEEDBACK, URGENCY_STANDARD, "mash", "school-a", id, fb, note);
	assert_int_equal(row(f, id, DEADLINE_FEEDBACK).state, DEADLINE_MET);
	clock_set_fixed(at("2024-06-12T10:00:00+01:00"));
	assert_int_equal(pass(f, out), 0);
}


static void
immediate_is_clock_time(void **state)
{
	struct fixture *f = *state;
	uint8_t id[IDS_MSGID_BYTES];
	char note[NOTE_MAX];

	/* Friday 16:00, immediate: due at 17:00 whatever the calendar. */
	accept(f, ENVELOPE_CONCERN, URGENCY_IMMEDIATE, "school-a", "camhs", NULL, id, note);
	assert_int_equal(row(f, id, DEADLINE_ACK).due_ms, at("2024-06-07T17:00:00+01:00"));
	assert_string_equal(row(f, id, DEADLINE_ACK).rule, "immediate");
}


static void
names_round_trip(void **state)
{
	(void)state;
	assert_string_equal(deadline_state_name(DEADLINE_LATE), "late");
	assert_null(deadline_state_name(0));
	assert_string_equal(deadline_timer_kind_name(DEADLINE_TIMER_ESCALATION), "escalation");
	assert_null(deadline_timer_kind_name(3));
	assert_string_equal(deadline_timer_state_name(DEADLINE_TIMER_REFUSED), "refused");
	assert_null(deadline_timer_state_name(5));
}


int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(untracked_messages_get_nothing),
		T(referral_gets_deadlines_reminders_and_chain),
		T(answer_in_time_cancels_and_late_answer_is_measured),
		T(decision_settles_ack_and_starts_feedback),
		T(immediate_is_clock_time),
		cmocka_unit_test(names_round_trip),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
