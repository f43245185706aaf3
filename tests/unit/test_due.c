/* SPDX-License-Identifier: ISC */
/* Unit tests for agents/due.c: a referral's deadlines as its sender and its
 * recipient see them, with the built-in rules (no `deadlines` in
 * policy.conf) and the recipient's calendar, at fixed instants: pending,
 * overdue by so much working and clock time, met, late, a decision that
 * answers the acknowledgement too, feedback counted from the decision,
 * immediate urgency on the clock at 03:00 on a Sunday, and messages that
 * have no deadlines.  The gathering of facts from the inbox and outbox is
 * tested against stand-ins for inbox_replies and outbox_replies that hand
 * it the rows a test sets.  A step's time limit reads naturally in both
 * forms ("within 1 working day", "by the end of the 10th working day").
 * The unit under test is included. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agents/due.c"
#include "config/policy.h"
#include "tests/support/confdir.h"
#include "tests/support/instant.h"

#define HOUR_MS (60 * 60 * 1000LL)
#define ROWS_MAX 4

static char *confdir;
static struct directory *dir;
static struct policy *policy;
static struct agencycal *cals;

/* The replies the stand-ins hand out. */
static struct inbox_msg in_rows[ROWS_MAX];
static size_t n_in;
static struct outbox_msg out_rows[ROWS_MAX];
static size_t n_out;

int
inbox_replies(struct db *db, const uint8_t id[IDS_MSGID_BYTES],
    int (*fn)(const struct inbox_msg *m, void *arg), void *arg, struct status *st)
{
	size_t i;

	(void)db, (void)id, (void)st;
	for (i = 0; i < n_in; i++)
		if (fn(&in_rows[i], arg) != 0)
			break;
	return 0;
}

int
outbox_replies(struct db *db, const uint8_t id[IDS_MSGID_BYTES],
    int (*fn)(const struct outbox_msg *m, void *arg), void *arg, struct status *st)
{
	size_t i;

	(void)db, (void)id, (void)st;
	for (i = 0; i < n_out; i++)
		if (fn(&out_rows[i], arg) != 0)
			break;
	return 0;
}

static int
setup(void **state)
{
	struct conf_errors *errs = conf_errors_new();
	struct status st;

	(void)state;
	confdir = confdir_new();
	confdir_area(confdir);
	dir = directory_load(confdir, errs);
	policy = policy_load(confdir, dir, errs);
	assert_int_equal(conf_errors_count(errs), 0);
	conf_errors_destroy(&errs);
	assert_non_null(cals = agencycal_load(confdir, dir, agencycal_holidays_path(), &st));
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	agencycal_destroy(&cals);
	policy_destroy(&policy);
	directory_destroy(&dir);
	confdir_destroy(&confdir);
	return 0;
}

/* A concern from school-a to mash accepted on Wednesday 11 June 2025 at
 * 10:00 London: 1 working day each for ack and decision (built-in rule for
 * social care), feedback 5 working days after the decision. */
static struct due_facts
concern(int urgency)
{
	struct due_facts f;

	memset(&f, 0, sizeof(f));
	f.type = ENVELOPE_CONCERN;
	f.urgency = urgency;
	snprintf(f.to, sizeof(f.to), "mash");
	f.start_ms = instant_ms("2025-06-11T10:00:00+01:00");
	return f;
}

static void
compute(const struct due_facts *f, const char *now, struct due *d)
{
	struct status st;

	assert_int_equal(due_compute(policy_deadlines(policy), dir, cals, f, instant_ms(now), d,
			     &st), 0);
}

static void
messages_without_deadlines_have_none(void **state)
{
	struct due_facts f = concern(URGENCY_STANDARD);
	struct due d;

	(void)state;
	f.type = ENVELOPE_ACK;
	compute(&f, "2025-06-11T11:00:00+01:00", &d);
	assert_null(d.rule);
	assert_int_equal(d.n, 0);
	f = concern(URGENCY_STANDARD);
	snprintf(f.to, sizeof(f.to), "gone-agency");
	compute(&f, "2025-06-11T11:00:00+01:00", &d);
	assert_null(d.rule);
	assert_null(due_state_name(-1));
	assert_null(due_state_name(DUE_LATE + 1));
	assert_string_equal(due_state_name(DUE_NOT_STARTED), "not started");
	assert_string_equal(due_state_name(DUE_OVERDUE), "overdue");
}

static void
pending_then_overdue_by_working_and_clock_time(void **state)
{
	struct due_facts f = concern(URGENCY_STANDARD);
	struct due d;

	(void)state;
	compute(&f, "2025-06-11T11:00:00+01:00", &d);
	assert_non_null(d.rule);
	assert_int_equal(d.n, 3);
	assert_int_equal(d.steps[0].step, DEADLINE_ACK);
	assert_int_equal(d.steps[0].state, DUE_PENDING);
	/* Wednesday 10:00 + 8 working hours: Thursday 10:00. */
	assert_int_equal(d.steps[0].due_ms, instant_ms("2025-06-12T10:00:00+01:00"));
	assert_string_equal(d.steps[0].within->text, "1 working day");
	assert_int_equal(d.steps[1].step, DEADLINE_DECISION);
	assert_int_equal(d.steps[1].state, DUE_PENDING);
	assert_int_equal(d.steps[2].step, DEADLINE_FEEDBACK);
	assert_int_equal(d.steps[2].state, DUE_NOT_STARTED);
	assert_int_equal(d.steps[2].due_ms, 0);

	/* Friday 12:00: 7 working hours on Thursday and 3 on Friday late. */
	compute(&f, "2025-06-13T12:00:00+01:00", &d);
	assert_int_equal(d.steps[0].state, DUE_OVERDUE);
	assert_int_equal(d.steps[0].late_working_ms, 10 * HOUR_MS);
	assert_int_equal(d.steps[0].late_clock_ms, 26 * HOUR_MS);
	assert_int_equal(d.steps[1].state, DUE_OVERDUE);

	/* Not accepted by the broker yet: no clock is running. */
	f.start_ms = 0;
	compute(&f, "2025-06-13T12:00:00+01:00", &d);
	assert_int_equal(d.steps[0].state, DUE_NOT_STARTED);
	assert_int_equal(d.steps[1].state, DUE_NOT_STARTED);
}

static void
met_late_and_feedback_from_the_decision(void **state)
{
	struct due_facts f = concern(URGENCY_STANDARD);
	struct due d;

	(void)state;
	f.ack_ms = instant_ms("2025-06-12T09:30:00+01:00");
	f.decision_ms = instant_ms("2025-06-13T12:00:00+01:00");
	compute(&f, "2025-06-13T13:00:00+01:00", &d);
	assert_int_equal(d.steps[0].state, DUE_MET);
	assert_int_equal(d.steps[0].done_ms, f.ack_ms);
	assert_int_equal(d.steps[0].late_working_ms, 0);
	assert_int_equal(d.steps[1].state, DUE_LATE);
	assert_int_equal(d.steps[1].late_working_ms, 10 * HOUR_MS);
	assert_int_equal(d.steps[1].late_clock_ms, 26 * HOUR_MS);
	/* 40 working hours from Friday 12:00: the next Friday 12:00. */
	assert_int_equal(d.steps[2].state, DUE_PENDING);
	assert_int_equal(d.steps[2].due_ms, instant_ms("2025-06-20T12:00:00+01:00"));

	/* Exactly at the due time is met. */
	f.ack_ms = instant_ms("2025-06-12T10:00:00+01:00");
	compute(&f, "2025-06-13T13:00:00+01:00", &d);
	assert_int_equal(d.steps[0].state, DUE_MET);

	/* A decision with no acknowledgement before it answers both. */
	f.ack_ms = 0;
	compute(&f, "2025-06-13T13:00:00+01:00", &d);
	assert_int_equal(d.steps[0].state, DUE_LATE);
	assert_int_equal(d.steps[0].done_ms, f.decision_ms);
	f.ack_ms = instant_ms("2025-06-13T12:30:00+01:00");	/* an ack after the decision */
	compute(&f, "2025-06-13T13:00:00+01:00", &d);
	assert_int_equal(d.steps[0].done_ms, f.decision_ms);
}

static void
immediate_is_clock_time_at_any_hour(void **state)
{
	struct due_facts f = concern(URGENCY_IMMEDIATE);
	struct due d;

	(void)state;
	/* Sunday 15 June 2025, 03:00 London: the MASH is closed, the clock runs. */
	f.start_ms = instant_ms("2025-06-15T03:00:00+01:00");
	compute(&f, "2025-06-15T03:30:00+01:00", &d);
	assert_int_equal(d.steps[0].state, DUE_PENDING);
	assert_int_equal(d.steps[0].due_ms, instant_ms("2025-06-15T04:00:00+01:00"));
	assert_int_equal(d.steps[1].due_ms, instant_ms("2025-06-15T07:00:00+01:00"));
	compute(&f, "2025-06-15T05:00:00+01:00", &d);
	assert_int_equal(d.steps[0].state, DUE_OVERDUE);
	assert_int_equal(d.steps[0].late_working_ms, HOUR_MS);
	assert_int_equal(d.steps[0].late_clock_ms, HOUR_MS);
}

static void
a_calendar_without_working_time_is_named(void **state)
{
	static const char closed[] = "\t\tcalendar = { hours = { }; };\n";
	struct conf_errors *errs = conf_errors_new();
	struct due_facts f = concern(URGENCY_STANDARD);
	struct directory *d;
	struct agencycal *c;
	struct status st;
	struct due due;
	char text[4096], *area = confdir_new();
	const char *at;

	(void)state;
	/* camhs works no hours at all. */
	confdir_area(area);
	at = strstr(CONFDIR_DIRECTORY, "\t\taccepts = [ \"referral\", \"ack\"");
	assert_non_null(at);
	snprintf(text, sizeof(text), "%.*s%s%s", (int)(at - CONFDIR_DIRECTORY), CONFDIR_DIRECTORY,
	    closed, at);
	confdir_write(area, "directory.conf", text);
	assert_non_null(d = directory_load(area, errs));
	assert_non_null(c = agencycal_load(area, d, agencycal_holidays_path(), &st));
	f.type = ENVELOPE_REFERRAL;
	snprintf(f.to, sizeof(f.to), "camhs");
	assert_int_equal(due_compute(policy_deadlines(policy), d, c, &f, f.start_ms, &due, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_non_null(strstr(st.text, "camhs's ack deadline: "));
	assert_non_null(strstr(st.text, "fix its calendar in directory.conf"));
	/* Immediate urgency is clock time: no calendar needed. */
	f.urgency = URGENCY_IMMEDIATE;
	assert_int_equal(due_compute(policy_deadlines(policy), d, c, &f, f.start_ms, &due, &st), 0);
	assert_int_equal(due.steps[0].due_ms, f.start_ms + 60 * 60 * 1000);
	agencycal_destroy(&c);
	directory_destroy(&d);
	conf_errors_destroy(&errs);
	confdir_destroy(&area);
}

static void
facts_come_from_the_answers(void **state)
{
	struct outbox_msg sent;
	struct inbox_msg got;
	struct due_facts f;
	struct status st;

	(void)state;
	/* As sender: the recipient's answers in the inbox, at the broker's
	 * acceptance; someone else's, and rejected ones, do not count. */
	memset(&sent, 0, sizeof(sent));
	sent.type = ENVELOPE_REFERRAL;
	sent.urgency = URGENCY_URGENT;
	snprintf(sent.to, sizeof(sent.to), "mash");
	sent.state = OUTBOX_DELIVERED;
	sent.accepted_ms = 1000;
	memset(in_rows, 0, sizeof(in_rows));
	in_rows[0].type = ENVELOPE_ACK;
	snprintf(in_rows[0].from, sizeof(in_rows[0].from), "mash");
	in_rows[0].accepted_ms = 3000;
	in_rows[0].received_ms = 3500;
	in_rows[1] = in_rows[0];
	in_rows[1].accepted_ms = 2000;		/* the earlier of two */
	in_rows[2].type = ENVELOPE_DECISION;
	snprintf(in_rows[2].from, sizeof(in_rows[2].from), "camhs");
	in_rows[2].accepted_ms = 2500;
	in_rows[3].type = ENVELOPE_FEEDBACK;
	snprintf(in_rows[3].from, sizeof(in_rows[3].from), "mash");
	in_rows[3].state = INBOX_REJECTED;
	in_rows[3].received_ms = 2600;
	n_in = 4;
	assert_int_equal(due_facts_sent(NULL, &sent, &f, &st), 0);
	assert_int_equal(f.type, ENVELOPE_REFERRAL);
	assert_int_equal(f.urgency, URGENCY_URGENT);
	assert_string_equal(f.to, "mash");
	assert_int_equal(f.start_ms, 1000);
	assert_int_equal(f.ack_ms, 2000);
	assert_int_equal(f.decision_ms, 0);
	assert_int_equal(f.feedback_ms, 0);
	/* A failed message has no deadlines. */
	sent.state = OUTBOX_FAILED;
	assert_int_equal(due_facts_sent(NULL, &sent, &f, &st), 0);
	assert_int_equal(f.type, 0);

	/* As recipient: this agency's answers in the outbox, accepted or made. */
	memset(&got, 0, sizeof(got));
	got.type = ENVELOPE_CONCERN;
	got.urgency = URGENCY_ROUTINE;
	snprintf(got.from, sizeof(got.from), "school-a");
	got.received_ms = 900;
	memset(out_rows, 0, sizeof(out_rows));
	out_rows[0].type = ENVELOPE_DECISION;
	out_rows[0].state = OUTBOX_QUEUED;
	out_rows[0].created_ms = 4000;		/* not accepted yet: when it was made */
	out_rows[1].type = ENVELOPE_FEEDBACK;
	out_rows[1].state = OUTBOX_DELIVERED;
	out_rows[1].created_ms = 4100;
	out_rows[1].accepted_ms = 4200;
	out_rows[2].type = ENVELOPE_ACK;
	out_rows[2].state = OUTBOX_FAILED;	/* refused: it answered nothing */
	out_rows[2].created_ms = 3000;
	n_out = 3;
	assert_int_equal(due_facts_received(NULL, &got, "mash", &f, &st), 0);
	assert_string_equal(f.to, "mash");
	assert_int_equal(f.start_ms, 900);	/* no broker time: our own */
	assert_int_equal(f.ack_ms, 0);
	assert_int_equal(f.decision_ms, 4000);
	assert_int_equal(f.feedback_ms, 4200);
	got.accepted_ms = 800;
	assert_int_equal(due_facts_received(NULL, &got, "mash", &f, &st), 0);
	assert_int_equal(f.start_ms, 800);
	got.state = INBOX_REJECTED;
	assert_int_equal(due_facts_received(NULL, &got, "mash", &f, &st), 0);
	assert_int_equal(f.type, 0);
}

static void
time_limits_read_as_people_say_them(void **state)
{
	static const struct {
		const char *rule;
		const char *words;
	} cases[] = {
		{"1 working day", "within 1 working day"},
		{"4 hours", "within 4 hours"},
		{"90 Working Minutes", "within 90 Working Minutes"},	/* as the rule writes it */
		/* An end says when by itself: no "within", whatever words it used. */
		{"by the end of the 10th working day", "by the end of the 10th working day"},
		{"end of 3rd working day", "by the end of the 3rd working day"},
		{"By The End Of The 1st Working Day", "by the end of the 1st working day"},
	};
	struct conf_duration d;
	struct status st;
	char words[DUE_WORDS_LEN];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(conf_duration_parse(cases[i].rule, &d, &st), 0);
		due_within_words(&d, words);
		assert_string_equal(words, cases[i].words);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(messages_without_deadlines_have_none),
		cmocka_unit_test(pending_then_overdue_by_working_and_clock_time),
		cmocka_unit_test(met_late_and_feedback_from_the_decision),
		cmocka_unit_test(immediate_is_clock_time_at_any_hour),
		cmocka_unit_test(a_calendar_without_working_time_is_named),
		cmocka_unit_test(facts_come_from_the_answers),
		cmocka_unit_test(time_limits_read_as_people_say_them),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
