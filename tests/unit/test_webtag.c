/* SPDX-License-Identifier: ISC */
/* Unit tests for agents/webtag.c: a time on a page is London wall time for
 * people inside <time datetime="UTC"> for machines; an overdue step says
 * so in words.  The unit under test is included. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "agents/html.c"
#include "agents/output.c"
#include "agents/webtag.c"

/* due.c needs the inbox and outbox; webtag_deadlines, which calls these,
 * is covered by the pages' integration tests. */
void
due_within_words(const struct conf_duration *within, char out[DUE_WORDS_LEN])
{
	(void)within;
	out[0] = '\0';
}

const char *
due_state_name(int state)
{
	(void)state;
	return "";
}

static void
zero_time_is_a_dash_without_markup(void **state)
{
	struct output o;

	(void)state;
	output_init(&o, false);
	webtag_time(&o, 0);
	assert_string_equal(o.buf, "-");
	output_free(&o);
}

static void
time_is_london_for_people_and_utc_for_machines(void **state)
{
	struct output o;

	(void)state;
	output_init(&o, false);
	webtag_time(&o, 1700000000864ull);	/* November: GMT */
	assert_string_equal(o.buf, "<time datetime=\"2023-11-14T22:13:20.864Z\" "
	    "title=\"2023-11-14T22:13:20.864Z\">Tue 14 Nov 2023 22:13</time>");
	output_reset(&o);
	webtag_time(&o, 1689982200000ull);	/* July: BST, the next day in London */
	assert_string_equal(o.buf, "<time datetime=\"2023-07-21T23:30:00Z\" "
	    "title=\"2023-07-22T00:30:00+01:00\">Sat 22 Jul 2023 00:30</time>");
	output_free(&o);
}

static void
due_keeps_its_relative_words(void **state)
{
	struct due_step s;
	struct output o;

	(void)state;
	memset(&s, 0, sizeof(s));
	output_init(&o, false);
	s.state = DUE_PENDING;
	s.due_ms = 1700000000000ull + 75 * 60000ull;
	webtag_due(&o, &s, 1700000000000ull);
	assert_string_equal(o.buf, "<span class=\"dn-due\">due in 1h 15m</span>");
	output_reset(&o);
	s.state = DUE_OVERDUE;
	s.late_working_ms = 2 * 3600000;
	s.late_clock_ms = 26 * 3600000;
	webtag_due(&o, &s, 1700000000000ull);
	assert_non_null(strstr(o.buf, ">Overdue</strong>"));
	assert_non_null(strstr(o.buf, "late by 2h working, 1d 2h clock"));
	output_free(&o);
}

/* An agency the directory lists shows by name, escaped; one it does not
 * (or one with no name) by its id; no directory at all, by its id. */
static void
agency_is_its_name_else_its_id(void **state)
{
	struct directory_agency ag[2];
	struct directory d;
	struct output o;

	(void)state;
	memset(ag, 0, sizeof(ag));
	memset(&d, 0, sizeof(d));
	strcpy(ag[0].id, "mash");
	ag[0].name = "Children's <MASH>";
	strcpy(ag[1].id, "camhs");
	d.agencies = ag;
	d.n_agencies = 2;
	output_init(&o, false);
	webtag_agency(&o, &d, "ghost");
	assert_string_equal(o.buf, "ghost");
	output_reset(&o);
	webtag_agency(&o, &d, "camhs");
	assert_string_equal(o.buf, "camhs");
	output_reset(&o);
	webtag_agency(&o, NULL, "mash");
	assert_string_equal(o.buf, "mash");
	output_reset(&o);
	webtag_agency(&o, &d, "mash");
	assert_string_equal(o.buf, "Children&#39;s &lt;MASH&gt;");
	output_free(&o);
}

static void
step_and_category_in_words(void **state)
{
	struct output o;

	(void)state;
	assert_string_equal(webtag_step(0), "-");
	assert_string_equal(webtag_step(DEADLINE_FEEDBACK + 1), "-");
	assert_string_equal(webtag_step(DEADLINE_ACK), "Acknowledge");
	assert_string_equal(webtag_step(DEADLINE_DECISION), "Decision");
	assert_string_equal(webtag_step(DEADLINE_FEEDBACK), "Feedback");
	output_init(&o, false);
	webtag_category(&o, "", 0);
	assert_true(o.len == 0);
	output_reset(&o);
	webtag_category(&o, "physical-abuse-x", 14);	/* not NUL-terminated at 14 */
	assert_string_equal(o.buf, "Physical abuse");
	output_reset(&o);
	webtag_category(&o, "neglect", 7);
	assert_string_equal(o.buf, "Neglect");
	output_free(&o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(zero_time_is_a_dash_without_markup),
		cmocka_unit_test(time_is_london_for_people_and_utc_for_machines),
		cmocka_unit_test(due_keeps_its_relative_words),
		cmocka_unit_test(agency_is_its_name_else_its_id),
		cmocka_unit_test(step_and_category_in_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
