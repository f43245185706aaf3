/* SPDX-License-Identifier: ISC */
/* Unit tests for config/retention.c: the retention period's grammar, its
 * refusals (each 504, quoting the text and saying what to write) and its
 * cutoff in days and in calendar years, leap days included.  The agent's
 * and the broker's purging: test_agent_retention.c, test_broker_retention.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "config/civil.h"
#include "config/retention.h"
#include "config/rfc3339.h"

static uint64_t
at(const char *rfc3339)
{
	struct status st;
	uint64_t ms;

	assert_int_equal(rfc3339_parse(rfc3339, &ms, &st), 0);
	return ms;
}

static void
bad_texts_are_refused_and_quoted(void **state)
{
	static const char *const bad[] = {"", "7", "7y", "y 7", "seven years", "7 weeks",
	    "7 months", "7 years ago", "-1 days", "7  yearss", "1.5 years",
	    "123456789 days", "this text is far too long for a retention period"};
	struct retention_period p = {RETENTION_DAYS, 3, "3 days"};
	struct status st;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(retention_period_parse(bad[i], &p, &st), -1);
		assert_int_equal(st.code, STATUS_BAD_FIELD);
		assert_non_null(strstr(st.text, "write \"N days\" or \"N years\""));
	}
	assert_int_equal(retention_period_parse("7y", &p, &st), -1);
	assert_string_equal(st.text, "retention '7y' not understood: write \"N days\" or "
	    "\"N years\" (e.g. \"7 years\"), or leave retention out to keep content for ever");
	/* p is untouched by a refusal. */
	assert_int_equal(p.unit, RETENTION_DAYS);
	assert_int_equal(p.count, 3);
}

static void
out_of_range_is_refused(void **state)
{
	struct retention_period p;
	struct status st;

	(void)state;
	assert_int_equal(retention_period_parse("0 days", &p, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_string_equal(st.text, "retention '0 days' is out of range: give 1 to 36525 days "
	    "or 1 to 100 years");
	assert_int_equal(retention_period_parse("36526 days", &p, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_int_equal(retention_period_parse("101 years", &p, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_int_equal(retention_period_parse("36525 days", &p, &st), 0);
	assert_int_equal(retention_period_parse("100 years", &p, &st), 0);
}

static void
days_and_years_parse(void **state)
{
	struct retention_period p;
	struct status st;

	(void)state;
	assert_int_equal(retention_period_parse("1 day", &p, &st), 0);
	assert_int_equal(p.unit, RETENTION_DAYS);
	assert_int_equal(p.count, 1);
	assert_string_equal(p.text, "1 day");
	assert_int_equal(retention_period_parse("2555 Days", &p, &st), 0);
	assert_int_equal(p.unit, RETENTION_DAYS);
	assert_int_equal(p.count, 2555);
	assert_int_equal(retention_period_parse(" 7  YEARS ", &p, &st), 0);
	assert_int_equal(p.unit, RETENTION_YEARS);
	assert_int_equal(p.count, 7);
	assert_string_equal(p.text, " 7  YEARS ");
	assert_int_equal(retention_period_parse("1 year", &p, &st), 0);
	assert_int_equal(p.unit, RETENTION_YEARS);
	assert_int_equal(p.count, 1);
}

static void
cutoff_counts_days_and_calendar_years(void **state)
{
	struct retention_period p, forever = {RETENTION_FOREVER, 0, ""};
	struct status st;

	(void)state;
	assert_int_equal(retention_period_cutoff(&forever, at("2030-01-01T00:00:00Z")), 0);
	assert_int_equal(retention_period_parse("30 days", &p, &st), 0);
	assert_int_equal(retention_period_cutoff(&p, at("2024-03-31T12:34:56.789Z")),
	    at("2024-03-01T12:34:56.789Z"));
	/* Seven calendar years back, whatever leap days lie between. */
	assert_int_equal(retention_period_parse("7 years", &p, &st), 0);
	assert_int_equal(retention_period_cutoff(&p, at("2031-05-01T14:00:00Z")),
	    at("2024-05-01T14:00:00Z"));
	assert_true(retention_period_cutoff(&p, at("2031-05-01T14:00:00Z")) <
	    at("2031-05-01T14:00:00Z") - 7 * 365 * (uint64_t)CIVIL_MS_PER_DAY);
	/* 29 February counts back to 28 February of a common year, and to
	 * 29 February of a leap year. */
	assert_int_equal(retention_period_parse("1 year", &p, &st), 0);
	assert_int_equal(retention_period_cutoff(&p, at("2028-02-29T08:00:00Z")),
	    at("2027-02-28T08:00:00Z"));
	assert_int_equal(retention_period_parse("4 years", &p, &st), 0);
	assert_int_equal(retention_period_cutoff(&p, at("2028-02-29T08:00:00Z")),
	    at("2024-02-29T08:00:00Z"));
	/* A period reaching back before 1970 has no cutoff. */
	assert_int_equal(retention_period_parse("100 years", &p, &st), 0);
	assert_int_equal(retention_period_cutoff(&p, at("2030-01-01T00:00:00Z")), 0);
	assert_int_equal(retention_period_parse("2 days", &p, &st), 0);
	assert_int_equal(retention_period_cutoff(&p, CIVIL_MS_PER_DAY), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bad_texts_are_refused_and_quoted),
		cmocka_unit_test(out_of_range_is_refused),
		cmocka_unit_test(days_and_years_parse),
		cmocka_unit_test(cutoff_counts_days_and_calendar_years),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
