/* SPDX-License-Identifier: ISC */
/* Unit tests for agents/window.c: when an on_message run may start, with a
 * school's contact windows (a morning break and the time after lessons,
 * Monday to Friday, London time) and fixed instants - inside a window,
 * before, between and after them, over a weekend and across the October
 * clock change - and that immediate and urgent messages never wait.  The
 * unit under test is included. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "agents/window.c"
#include "tests/support/instant.h"

static void
no_windows_and_urgent_messages_run_at_once(void **state)
{
	struct calendar *cal = instant_school_windows();
	uint64_t lesson = instant_ms("2025-06-11T09:15:00+01:00");	/* a Wednesday, in lessons */

	(void)state;
	assert_true(window_applies(URGENCY_STANDARD));
	assert_true(window_applies(URGENCY_ROUTINE));
	assert_false(window_applies(URGENCY_URGENT));
	assert_false(window_applies(URGENCY_IMMEDIATE));
	assert_int_equal(window_next(NULL, URGENCY_ROUTINE, lesson), lesson);
	assert_int_equal(window_next(cal, URGENCY_URGENT, lesson), lesson);
	assert_int_equal(window_next(cal, URGENCY_IMMEDIATE, lesson), lesson);
	calendar_destroy(&cal);
}

static void
routine_and_standard_wait_for_the_next_window(void **state)
{
	static const struct {
		int urgency;
		const char *from;
		const char *start;
	} cases[] = {
		/* In lessons: the break. */
		{URGENCY_ROUTINE, "2025-06-11T09:15:00+01:00", "2025-06-11T10:30:00+01:00"},
		{URGENCY_STANDARD, "2025-06-11T09:15:00+01:00", "2025-06-11T10:30:00+01:00"},
		/* Inside a window, and at its very opening: at once. */
		{URGENCY_ROUTINE, "2025-06-11T10:41:07+01:00", "2025-06-11T10:41:07+01:00"},
		{URGENCY_ROUTINE, "2025-06-11T10:30:00+01:00", "2025-06-11T10:30:00+01:00"},
		/* At the closing instant the window is shut: after lessons. */
		{URGENCY_ROUTINE, "2025-06-11T10:50:00+01:00", "2025-06-11T15:30:00+01:00"},
		/* After the last window: the next morning's break. */
		{URGENCY_ROUTINE, "2025-06-11T17:00:00+01:00", "2025-06-12T10:30:00+01:00"},
		/* Friday evening: Monday's break, the weekend has no windows. */
		{URGENCY_ROUTINE, "2025-06-13T18:00:00+01:00", "2025-06-16T10:30:00+01:00"},
		/* Saturday 25 October 2025 in BST; the clocks go back on Sunday,
		 * so Monday's 10:30 London is 10:30 GMT. */
		{URGENCY_ROUTINE, "2025-10-25T18:00:00+01:00", "2025-10-27T10:30:00Z"},
	};
	struct calendar *cal = instant_school_windows();
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(window_next(cal, cases[i].urgency, instant_ms(cases[i].from)),
		    instant_ms(cases[i].start));
	calendar_destroy(&cal);
}

static void
a_calendar_without_windows_never_holds_a_run_back(void **state)
{
	struct calendar *cal = calendar_new_default();
	struct status st;
	uint64_t t = instant_ms("2025-06-11T09:15:00+01:00");
	int wd;

	(void)state;
	for (wd = CIVIL_MONDAY; wd <= CIVIL_SUNDAY; wd++)
		assert_int_equal(calendar_set_hours(cal, (enum civil_weekday)wd, NULL, 0, &st), 0);
	assert_int_equal(window_next(cal, URGENCY_ROUTINE, t), t);
	calendar_destroy(&cal);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(no_windows_and_urgent_messages_run_at_once),
		cmocka_unit_test(routine_and_standard_wait_for_the_next_window),
		cmocka_unit_test(a_calendar_without_windows_never_holds_a_run_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
