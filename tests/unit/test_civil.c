/* SPDX-License-Identifier: ISC */
/* Unit tests for config/civil.c: Gregorian day counts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "config/civil.h"

static void
bad_dates_are_504_and_quoted(void **state)
{
	static const char *const bad[] = {
	    "", "2024-02-30", "2023-02-29", "1900-02-29", "2024-2-01", "24-02-01",
	    "1969-12-31", "2024-13-01", "2024-00-10", "2024-01-00", "2024-01-32",
	    "2024-01-01x", "2024/01/01", "2024-01-0a", "+024-01-01", "2024-04-31",
	};
	struct status st;
	int64_t days = 42;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		st.code = 0;
		assert_int_equal(civil_parse_date(bad[i], &days, &st), -1);
		assert_int_equal(st.code, STATUS_BAD_FIELD);
		assert_non_null(strstr(st.text, bad[i]));
		assert_int_equal(days, 42);
	}
	/* A NULL status is allowed (the caller reports in its own words). */
	assert_int_equal(civil_parse_date("2024-02-30", &days, NULL), -1);
}

static void
known_days(void **state)
{
	int64_t days;

	(void)state;
	assert_int_equal(civil_days_from_date(1970, 1, 1), 0);
	assert_int_equal(civil_days_from_date(1969, 12, 31), -1);
	/* 2000-03-01: 30 years of 365 days, 7 leap days (1972..1996), then
	 * January and February 2000 (31 + 29: 2000 is divisible by 400). */
	assert_int_equal(civil_days_from_date(2000, 3, 1), 30 * 365 + 7 + 31 + 29);
	assert_int_equal(civil_parse_date("2024-11-29", &days, NULL), 0);
	assert_int_equal(days, 20056);
	assert_int_equal(civil_weekday(days), CIVIL_FRIDAY);
	assert_int_equal(civil_weekday(0), CIVIL_THURSDAY);
	assert_int_equal(civil_weekday(-1), CIVIL_WEDNESDAY);
	assert_string_equal(civil_weekday_name(CIVIL_MONDAY), "Mon");
	assert_string_equal(civil_weekday_name(CIVIL_SUNDAY), "Sun");
	assert_int_equal(civil_parse_date("2024-02-29", &days, NULL), 0);
	assert_int_equal(civil_parse_date("2000-02-29", &days, NULL), 0);
}

static void
round_trip_every_day_1970_to_2100(void **state)
{
	int64_t days = 0, back;
	int y, m, d, ey = 1970, em = 1, ed = 1;
	char text[CIVIL_DATE_LEN], want[64];

	(void)state;
	/* Walk the calendar by hand (day + 1, roll months and years) and check
	 * every day maps both ways and formats to its own date. */
	for (days = 0; ey < 2100; days++) {
		civil_date_from_days(days, &y, &m, &d);
		assert_int_equal(y, ey);
		assert_int_equal(m, em);
		assert_int_equal(d, ed);
		assert_int_equal(civil_days_from_date(y, m, d), days);
		assert_int_equal(civil_weekday(days), (days + 3) % 7);
		civil_format_date(days, text);
		snprintf(want, sizeof(want), "%04d-%02d-%02d", ey, em, ed);
		assert_string_equal(text, want);
		assert_int_equal(civil_parse_date(text, &back, NULL), 0);
		assert_int_equal(back, days);
		if (++ed > civil_days_in_month(ey, em)) {
			ed = 1;
			if (++em > 12) {
				em = 1;
				ey++;
			}
		}
	}
}

static void
month_lengths_and_last_weekday(void **state)
{
	(void)state;
	assert_int_equal(civil_days_in_month(2024, 2), 29);
	assert_int_equal(civil_days_in_month(2025, 2), 28);
	assert_int_equal(civil_days_in_month(2100, 2), 28);
	assert_int_equal(civil_days_in_month(2000, 2), 29);
	assert_int_equal(civil_days_in_month(2025, 4), 30);
	assert_int_equal(civil_days_in_month(2025, 12), 31);
	/* Last Sundays of March and October 2025: the 30th and the 26th. */
	assert_int_equal(civil_last_weekday(2025, 3, CIVIL_SUNDAY), civil_days_from_date(2025, 3, 30));
	assert_int_equal(civil_last_weekday(2025, 10, CIVIL_SUNDAY),
	    civil_days_from_date(2025, 10, 26));
	/* A month ending on the weekday asked for: 31 March 2024 is a Sunday. */
	assert_int_equal(civil_last_weekday(2024, 3, CIVIL_SUNDAY), civil_days_from_date(2024, 3, 31));
	/* Last Monday of May 2026 (spring bank holiday): the 25th. */
	assert_int_equal(civil_last_weekday(2026, 5, CIVIL_MONDAY), civil_days_from_date(2026, 5, 25));
}

static void
days_from_ms_floors(void **state)
{
	(void)state;
	assert_int_equal(civil_days_from_ms(0), 0);
	assert_int_equal(civil_days_from_ms(CIVIL_MS_PER_DAY - 1), 0);
	assert_int_equal(civil_days_from_ms(CIVIL_MS_PER_DAY), 1);
	assert_int_equal(civil_days_from_ms(-1), -1);
	assert_int_equal(civil_days_from_ms(-CIVIL_MS_PER_DAY), -1);
	assert_int_equal(civil_days_from_ms(-CIVIL_MS_PER_DAY - 1), -2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bad_dates_are_504_and_quoted),
		cmocka_unit_test(known_days),
		cmocka_unit_test(round_trip_every_day_1970_to_2100),
		cmocka_unit_test(month_lengths_and_last_weekday),
		cmocka_unit_test(days_from_ms_floors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
