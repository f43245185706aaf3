/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for config/deadline.c: reading `deadlines` and `reminders` from
 * policy.conf (every error at its path:line and field, in one run), the
 * built-in defaults, first-match rule matching, and the arithmetic: due
 * times with a calendar or on the clock (immediate urgency), reminder times
 * as a share of working time, and lateness in working and clock time.
 * Instants are written as RFC 3339 London times (June 2024 is BST, +01:00;
 * Monday 3 June to Monday 10 June has no bank holiday).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config/deadline.h"
#include "config/policy.h"
#include "config/rfc3339.h"
#include "proto/envelope.h"
#include "tests/support/confdir.h"

#define HOUR 3600000LL
#define MINUTE 60000LL

struct fixture {
	char *dir;
	struct conf_errors *errs;
	struct directory *d;
	struct policy *p;
	struct calendar *cal;		/* the default week, no holidays */
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->dir = confdir_new();
	confdir_area(f->dir);
	f->errs = conf_errors_new();
	f->d = directory_load(f->dir, f->errs);
	assert_non_null(f->d);
	f->cal = calendar_new_default();
	assert_non_null(f->cal);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	policy_destroy(&f->p);
	directory_destroy(&f->d);
	calendar_destroy(&f->cal);
	conf_errors_destroy(&f->errs);
	confdir_destroy(&f->dir);
	free(f);
	return 0;
}

static uint64_t
at(const char *text)
{
	struct status st;
	uint64_t ms;

	if (rfc3339_parse(text, &ms, &st) != 0)
		fail_msg("%s", st.text);
	return ms;
}

static struct conf_duration
within(const char *text)
{
	struct conf_duration d;
	struct status st;

	if (conf_duration_parse(text, &d, &st) != 0)
		fail_msg("%s", st.text);
	return d;
}

/* Writes policy.conf: the example-style sharing rule, then extra. */
static void
write_policy(struct fixture *f, const char *extra)
{
	char text[4096];

	snprintf(text, sizeof(text), "sharing = ( { from = [ \"school\" ]; to = [ \"*\" ]; "
	    "types = [ \"referral\" ]; } );\n%s", extra);
	confdir_write(f->dir, POLICY_FILE, text);
}

static const struct deadline_policy *
load(struct fixture *f)
{
	size_t i;

	f->p = policy_load(f->dir, f->d, f->errs);
	if (f->p == NULL) {
		for (i = 0; i < conf_errors_count(f->errs); i++)
			print_error("%s\n", conf_errors_get(f->errs, i));
		fail_msg("policy.conf did not load");
	}
	return policy_deadlines(f->p);
}

/* Asserts an error "DIR/policy.conf:line: field: ...text...". */
static void
assert_error(struct fixture *f, unsigned line, const char *field, const char *text)
{
	char want[1024];
	const char *e;
	size_t i;

	snprintf(want, sizeof(want), "%s/%s:%u: %s: ", f->dir, POLICY_FILE, line, field);
	for (i = 0; i < conf_errors_count(f->errs); i++) {
		e = conf_errors_get(f->errs, i);
		if (strncmp(e, want, strlen(want)) == 0 && strstr(e, text) != NULL)
			return;
	}
	for (i = 0; i < conf_errors_count(f->errs); i++)
		print_error("%s\n", conf_errors_get(f->errs, i));
	fail_msg("no error '%s...%s'", want, text);
}

static void
every_bad_rule_is_reported_at_its_line(void **state)
{
	struct fixture *f = *state;

	write_policy(f,
	    "deadlines = (\n"
	    "  { types = [ \"ack\" ]; urgency = [ \"soon\" ]; to = [ \"nobody\", \"Bad Name\" ];\n"
	    "    ack = \"1 fortnight\"; decision = \"1 working day\"; colour = 1; },\n"
	    "  { types = [ ]; urgency = [ ]; to = [ ]; },\n"
	    "  { types = [ \"*\" ]; urgency = 3; ack = \"1 hour\"; decision = \"2 hours\";\n"
	    "    feedback = \"by the end of the day\"; }\n"
	    ");\n"
	    "reminders = ( 90, 50, 100, \"x\" );\n");
	f->p = policy_load(f->dir, f->d, f->errs);
	assert_null(f->p);
	assert_error(f, 3, "deadlines[0].types[0]", "'ack': only referrals and concerns have "
	    "deadlines");
	assert_error(f, 3, "deadlines[0].urgency[0]", "unknown urgency 'soon'");
	assert_error(f, 3, "deadlines[0].to[0]", "unknown agency 'nobody'");
	assert_error(f, 3, "deadlines[0].to[1]", "'Bad Name' is neither \"*\", a kind nor an "
	    "agency id");
	assert_error(f, 4, "deadlines[0].ack", "duration '1 fortnight' not understood");
	assert_error(f, 4, "deadlines[0].colour", "unknown setting 'colour'");
	assert_error(f, 5, "deadlines[1].types", "is empty");
	assert_error(f, 5, "deadlines[1].urgency", "is empty");
	assert_error(f, 5, "deadlines[1].to", "is empty");
	assert_error(f, 5, "deadlines[1].ack", "missing; this setting is required");
	assert_error(f, 5, "deadlines[1].decision", "missing; this setting is required");
	assert_error(f, 6, "deadlines[2].urgency", "must be");
	assert_error(f, 7, "deadlines[2].feedback", "not understood");
	assert_error(f, 9, "reminders[1]", "50% is not after the reminder before it");
	assert_error(f, 9, "reminders[2]", "100% is out of range");
	assert_error(f, 9, "reminders[3]", "is not a whole number");
	assert_int_equal(conf_errors_count(f->errs), 16);
}

static void
bad_top_level_settings_are_reported(void **state)
{
	struct fixture *f = *state;

	write_policy(f, "deadlines = \"1 working day\";\nreminders = [ 10, 20, 30, 40, 50 ];\n");
	f->p = policy_load(f->dir, f->d, f->errs);
	assert_null(f->p);
	assert_error(f, 2, "deadlines", "must be a list");
	assert_error(f, 3, "reminders", "has 5 reminders; at most 4");
	assert_int_equal(conf_errors_count(f->errs), 2);
	conf_errors_destroy(&f->errs);
	f->errs = conf_errors_new();
	write_policy(f, "reminders = { first = 50; };\n");
	assert_null(policy_load(f->dir, f->d, f->errs));
	assert_error(f, 2, "reminders", "must be a list of percentages");
}

static void
defaults_follow_working_together(void **state)
{
	struct fixture *f = *state;
	const struct deadline_policy *p;
	const struct deadline_rule *r;
	const unsigned *pct;

	write_policy(f, "");
	p = load(f);
	assert_int_equal(deadline_rule_count(p), 3);
	assert_int_equal(deadline_reminders(p, &pct), 2);
	assert_int_equal(pct[0], DEADLINE_REMINDER_DEFAULT_FIRST);
	assert_int_equal(pct[1], DEADLINE_REMINDER_DEFAULT_SECOND);
	/* Immediate: clock time, whoever the recipient. */
	r = deadline_match(p, ENVELOPE_CONCERN, URGENCY_IMMEDIATE, directory_find(f->d, "camhs"));
	assert_non_null(r);
	assert_string_equal(r->ack.text, DEADLINE_DEFAULT_IMMEDIATE_ACK);
	assert_int_equal(r->line, 0);
	/* Social care: 1 working day to acknowledge and to decide. */
	r = deadline_match(p, ENVELOPE_REFERRAL, URGENCY_ROUTINE, directory_find(f->d, "mash"));
	assert_string_equal(r->ack.text, DEADLINE_DEFAULT_SOCIAL_CARE_ACK);
	assert_string_equal(r->decision.text, DEADLINE_DEFAULT_SOCIAL_CARE_DECISION);
	assert_string_equal(deadline_within(r, DEADLINE_FEEDBACK)->text,
	    DEADLINE_DEFAULT_SOCIAL_CARE_FEEDBACK);
	/* Everyone else: the local defaults. */
	r = deadline_match(p, ENVELOPE_REFERRAL, URGENCY_STANDARD, directory_find(f->d, "camhs"));
	assert_string_equal(r->decision.text, DEADLINE_DEFAULT_OTHER_DECISION);
	/* Only referrals and concerns have deadlines. */
	assert_null(deadline_match(p, ENVELOPE_ACK, URGENCY_STANDARD, directory_find(f->d, "mash")));
	assert_null(deadline_match(p, ENVELOPE_ESCALATION, URGENCY_IMMEDIATE,
	    directory_find(f->d, "mash")));
	assert_null(deadline_match(p, ENVELOPE_REFERRAL, 0, directory_find(f->d, "mash")));
	assert_null(deadline_match(p, ENVELOPE_REFERRAL, 5, directory_find(f->d, "mash")));
	assert_null(deadline_match(p, 0, URGENCY_STANDARD, directory_find(f->d, "mash")));
}

static void
first_matching_rule_wins(void **state)
{
	struct fixture *f = *state;
	const struct deadline_policy *p;
	const struct deadline_rule *r;
	const unsigned *pct;

	write_policy(f,
	    "deadlines = (\n"
	    "  { name = \"camhs by id\"; types = [ \"referral\" ]; to = [ \"camhs\", \"mash\" ];\n"
	    "    urgency = [ \"urgent\", \"standard\" ]; ack = \"2 hours\"; decision = \"3 hours\"; },\n"
	    "  { types = [ \"*\" ]; urgency = \"*\"; to = [ \"social-care\" ];\n"
	    "    ack = \"4 working hours\"; decision = \"by the end of the 2nd working day\";\n"
	    "    feedback = \"5 working days\"; }\n"
	    ");\n"
	    "reminders = [ 25 ];\n");
	p = load(f);
	assert_int_equal(deadline_rule_count(p), 2);
	assert_int_equal(deadline_reminders(p, &pct), 1);
	assert_int_equal(pct[0], 25);
	r = deadline_match(p, ENVELOPE_REFERRAL, URGENCY_URGENT, directory_find(f->d, "mash"));
	assert_ptr_equal(r, deadline_rule_at(p, 0));
	assert_string_equal(r->name, "camhs by id");
	assert_int_equal(r->line, 3);
	assert_null(deadline_within(r, DEADLINE_FEEDBACK));
	assert_string_equal(deadline_within(r, DEADLINE_ACK)->text, "2 hours");
	/* Another urgency, or a concern, falls through to the kind rule. */
	r = deadline_match(p, ENVELOPE_REFERRAL, URGENCY_ROUTINE, directory_find(f->d, "mash"));
	assert_ptr_equal(r, deadline_rule_at(p, 1));
	assert_null(r->name);
	assert_int_equal(r->line, 5);
	r = deadline_match(p, ENVELOPE_CONCERN, URGENCY_URGENT, directory_find(f->d, "mash"));
	assert_ptr_equal(r, deadline_rule_at(p, 1));
	assert_string_equal(deadline_within(r, DEADLINE_DECISION)->text,
	    "by the end of the 2nd working day");
	/* No rule for a school, and none for camhs concerns. */
	assert_null(deadline_match(p, ENVELOPE_REFERRAL, URGENCY_URGENT,
	    directory_find(f->d, "school-a")));
	assert_null(deadline_match(p, ENVELOPE_CONCERN, URGENCY_URGENT,
	    directory_find(f->d, "camhs")));
}

static void
empty_lists_turn_tracking_off(void **state)
{
	struct fixture *f = *state;
	const struct deadline_policy *p;
	const unsigned *pct;

	write_policy(f, "deadlines = ();\nreminders = [];\n");
	p = load(f);
	assert_int_equal(deadline_rule_count(p), 0);
	assert_int_equal(deadline_reminders(p, &pct), 0);
	assert_null(deadline_match(p, ENVELOPE_REFERRAL, URGENCY_IMMEDIATE,
	    directory_find(f->d, "mash")));
}

static void
built_in_policy_stands_alone(void **state)
{
	struct deadline_policy *p = deadline_policy_default();

	(void)state;
	assert_non_null(p);
	assert_int_equal(deadline_rule_count(p), 3);
	assert_true(deadline_rule_at(p, 0)->urgencies == DEADLINE_URGENCY_BIT(URGENCY_IMMEDIATE));
	assert_true(deadline_rule_at(p, 2)->to_any);
	deadline_policy_destroy(&p);
	assert_null(p);
	deadline_policy_destroy(NULL);
}

static void
step_names(void **state)
{
	(void)state;
	assert_string_equal(deadline_step_name(DEADLINE_ACK), "ack");
	assert_string_equal(deadline_step_name(DEADLINE_DECISION), "decision");
	assert_string_equal(deadline_step_name(DEADLINE_FEEDBACK), "feedback");
	assert_null(deadline_step_name(0));
	assert_null(deadline_step_name(DEADLINE_STEP_MAX + 1));
}

static void
due_times_use_the_calendar_unless_immediate(void **state)
{
	struct fixture *f = *state;
	struct conf_duration day = within("1 working day"), hour = within("1 hour");
	struct conf_duration zero;
	struct status st;
	uint64_t due, fri = at("2024-06-07T16:55:00+01:00");

	/* Friday 16:55 + 1 working day = Monday 16:55. */
	assert_int_equal(deadline_due(&day, URGENCY_STANDARD, f->cal, fri, &due, &st), 0);
	assert_int_equal(due, at("2024-06-10T16:55:00+01:00"));
	/* Immediate: the same rule counts 24 hours of clock time. */
	assert_int_equal(deadline_due(&day, URGENCY_IMMEDIATE, f->cal, fri, &due, &st), 0);
	assert_int_equal(due, fri + 24 * HOUR);
	/* No calendar: the clock fallback. */
	assert_int_equal(deadline_due(&day, URGENCY_STANDARD, NULL, fri, &due, &st), 0);
	assert_int_equal(due, fri + 24 * HOUR);
	/* Clock time ignores the weekend. */
	assert_int_equal(deadline_due(&hour, URGENCY_ROUTINE, f->cal, fri, &due, &st), 0);
	assert_int_equal(due, fri + HOUR);
	/* A zero duration (an escalation step "at once"). */
	memset(&zero, 0, sizeof(zero));
	zero.parsed.kind = DURATION_CLOCK;
	assert_int_equal(deadline_due(&zero, URGENCY_STANDARD, f->cal, fri, &due, &st), 0);
	assert_int_equal(due, fri);
}

static void
due_fails_on_a_calendar_without_working_time(void **state)
{
	struct fixture *f = *state;
	struct conf_duration day = within("1 working day");
	struct status st;
	uint64_t due = 0;
	int wd;

	for (wd = 0; wd < 7; wd++)
		assert_int_equal(calendar_set_hours(f->cal, (enum civil_weekday)wd, NULL, 0, &st), 0);
	assert_int_equal(deadline_due(&day, URGENCY_STANDARD, f->cal, at("2024-06-03T09:00:00Z"),
	    &due, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	/* No working time between the two: the reminder is at the start. */
	assert_int_equal(deadline_reminder_at(&day, URGENCY_STANDARD, f->cal,
	    at("2024-06-03T09:00:00Z"), at("2024-06-04T09:00:00Z"), 50, &due, &st), 0);
	assert_int_equal(due, at("2024-06-03T09:00:00Z"));
}

static void
reminders_share_the_working_time(void **state)
{
	struct fixture *f = *state;
	struct conf_duration day = within("1 working day"), hour = within("1 hour");
	struct status st;
	uint64_t mon = at("2024-06-03T09:00:00+01:00"), fri = at("2024-06-07T16:00:00+01:00");
	uint64_t due, r;

	/* 50 % of Monday's 8 working hours is 13:00, not 21:00. */
	assert_int_equal(deadline_due(&day, URGENCY_STANDARD, f->cal, mon, &due, &st), 0);
	assert_int_equal(deadline_reminder_at(&day, URGENCY_STANDARD, f->cal, mon, due, 50, &r,
	    &st), 0);
	assert_int_equal(r, at("2024-06-03T13:00:00+01:00"));
	assert_int_equal(deadline_reminder_at(&day, URGENCY_STANDARD, f->cal, mon, due, 90, &r,
	    &st), 0);
	assert_int_equal(r, at("2024-06-03T16:12:00+01:00"));
	/* Across a weekend: Friday 16:00 + 1 working day is Monday 16:00;
	 * half of it is 1 hour on Friday and 3 on Monday: Monday 12:00. */
	assert_int_equal(deadline_due(&day, URGENCY_STANDARD, f->cal, fri, &due, &st), 0);
	assert_int_equal(deadline_reminder_at(&day, URGENCY_STANDARD, f->cal, fri, due, 50, &r,
	    &st), 0);
	assert_int_equal(r, at("2024-06-10T12:00:00+01:00"));
	/* Clock time, and immediate urgency: a share of the clock time. */
	assert_int_equal(deadline_reminder_at(&hour, URGENCY_STANDARD, f->cal, fri, fri + HOUR,
	    50, &r, &st), 0);
	assert_int_equal(r, fri + 30 * MINUTE);
	assert_int_equal(deadline_reminder_at(&day, URGENCY_IMMEDIATE, f->cal, fri,
	    fri + 24 * HOUR, 90, &r, &st), 0);
	assert_int_equal(r, fri + 24 * HOUR * 90 / 100);
	/* Nothing to share: at the start. */
	assert_int_equal(deadline_reminder_at(&day, URGENCY_STANDARD, f->cal, fri, fri, 50, &r,
	    &st), 0);
	assert_int_equal(r, fri);
}

static void
lateness_in_working_and_clock_time(void **state)
{
	struct fixture *f = *state;
	uint64_t due = at("2024-06-07T17:00:00+01:00");
	int64_t w, c;

	/* Answered Monday 10:00: 65 hours late on the clock, 1 working hour. */
	deadline_lateness(f->cal, URGENCY_STANDARD, due, at("2024-06-10T10:00:00+01:00"), &w, &c);
	assert_int_equal(c, 65 * HOUR);
	assert_int_equal(w, HOUR);
	/* Immediate urgency: working time is clock time. */
	deadline_lateness(f->cal, URGENCY_IMMEDIATE, due, at("2024-06-10T10:00:00+01:00"), &w, &c);
	assert_int_equal(w, 65 * HOUR);
	/* On time, or early: not late at all. */
	deadline_lateness(f->cal, URGENCY_STANDARD, due, due, &w, &c);
	assert_int_equal(w, 0);
	assert_int_equal(c, 0);
	deadline_lateness(f->cal, URGENCY_STANDARD, due, due - HOUR, &w, &c);
	assert_int_equal(c, 0);
	deadline_lateness(NULL, URGENCY_STANDARD, due, due + HOUR, &w, &c);
	assert_int_equal(w, HOUR);
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(every_bad_rule_is_reported_at_its_line),
		T(bad_top_level_settings_are_reported),
		T(due_fails_on_a_calendar_without_working_time),
		T(defaults_follow_working_together),
		T(first_matching_rule_wins),
		T(empty_lists_turn_tracking_off),
		cmocka_unit_test(built_in_policy_stands_alone),
		cmocka_unit_test(step_names),
		T(due_times_use_the_calendar_unless_immediate),
		T(reminders_share_the_working_time),
		T(lateness_in_working_and_clock_time),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
