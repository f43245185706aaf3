/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for config/london.c: the UK summer-time rule, checked against
 * known change instants and, hour by hour for 2024 to 2030, against the
 * system's tzdata (Europe/London), which is an independent source.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "config/civil.h"
#include "config/london.h"

#define H CIVIL_MS_PER_HOUR
#define ZONEINFO "/usr/share/zoneinfo/Europe/London"
#define FIRST_YEAR 2024
#define LAST_YEAR 2030

static int64_t
utc(int y, int mo, int d, int h, int mi)
{
	return civil_days_from_date(y, mo, d) * CIVIL_MS_PER_DAY + h * H +
	    mi * CIVIL_MS_PER_MINUTE;
}

static void
change_instants_are_known(void **state)
{
	(void)state;
	/* gov.uk: clocks go forward 30 March 2025, back 26 October 2025, at
	 * 01:00 GMT / 02:00 BST. */
	assert_int_equal(london_bst_start(2025), utc(2025, 3, 30, 1, 0));
	assert_int_equal(london_bst_end(2025), utc(2025, 10, 26, 1, 0));
	assert_int_equal(london_bst_start(2024), utc(2024, 3, 31, 1, 0));
	assert_int_equal(london_bst_end(2024), utc(2024, 10, 27, 1, 0));
	assert_int_equal(london_bst_start(2027), utc(2027, 3, 28, 1, 0));
	assert_int_equal(london_bst_end(2030), utc(2030, 10, 27, 1, 0));
	assert_int_equal(london_offset(utc(2025, 3, 30, 0, 59)), 0);
	assert_int_equal(london_offset(utc(2025, 3, 30, 1, 0)), LONDON_BST_OFFSET_MS);
	assert_int_equal(london_offset(utc(2025, 10, 26, 0, 59)), LONDON_BST_OFFSET_MS);
	assert_int_equal(london_offset(utc(2025, 10, 26, 1, 0)), 0);
	assert_int_equal(london_offset(utc(2025, 1, 1, 12, 0)), 0);
	assert_int_equal(london_offset(utc(2025, 7, 1, 12, 0)), LONDON_BST_OFFSET_MS);
}

static void
gap_shifts_forward_to_the_change(void **state)
{
	(void)state;
	/* 01:00-01:59 on 30 March 2025 does not exist: the clock goes from
	 * 00:59:59 GMT to 02:00 BST, at 01:00 UTC, the first instant it shows
	 * 01:30 or later. */
	assert_int_equal(london_to_utc(utc(2025, 3, 30, 1, 30)), utc(2025, 3, 30, 1, 0));
	assert_int_equal(london_to_utc(utc(2025, 3, 30, 1, 0)), utc(2025, 3, 30, 1, 0));
	assert_int_equal(london_to_utc(utc(2025, 3, 30, 1, 59)), utc(2025, 3, 30, 1, 0));
	assert_int_equal(london_to_local(utc(2025, 3, 30, 1, 0)), utc(2025, 3, 30, 2, 0));
	/* Either side of the gap is unambiguous. */
	assert_int_equal(london_to_utc(utc(2025, 3, 30, 0, 59)), utc(2025, 3, 30, 0, 59));
	assert_int_equal(london_to_utc(utc(2025, 3, 30, 2, 0)), utc(2025, 3, 30, 1, 0));
	assert_int_equal(london_to_utc(utc(2025, 3, 30, 2, 1)), utc(2025, 3, 30, 1, 1));
}

static void
wall_to_utc_never_goes_backwards(void **state)
{
	int64_t local, end, prev;
	int y;

	(void)state;
	/* Every wall-clock minute of both change days, 2024 to 2030. */
	for (y = FIRST_YEAR; y <= LAST_YEAR; y++) {
		local = civil_days_from_ms(london_bst_start(y)) * CIVIL_MS_PER_DAY;
		prev = london_to_utc(local - CIVIL_MS_PER_MINUTE);
		for (end = local + CIVIL_MS_PER_DAY; local < end; local += CIVIL_MS_PER_MINUTE) {
			assert_true(london_to_utc(local) >= prev);
			prev = london_to_utc(local);
		}
		local = civil_days_from_ms(london_bst_end(y)) * CIVIL_MS_PER_DAY;
		prev = london_to_utc(local - CIVIL_MS_PER_MINUTE);
		for (end = local + CIVIL_MS_PER_DAY; local < end; local += CIVIL_MS_PER_MINUTE) {
			assert_true(london_to_utc(local) > prev);
			prev = london_to_utc(local);
		}
	}
}

static void
repeated_hour_is_first_occurrence(void **state)
{
	(void)state;
	/* 01:30 on 26 October 2025 happens at 00:30 UTC (BST) and again at
	 * 01:30 UTC (GMT): the first is chosen. */
	assert_int_equal(london_to_utc(utc(2025, 10, 26, 1, 30)), utc(2025, 10, 26, 0, 30));
	assert_int_equal(london_to_local(utc(2025, 10, 26, 0, 30)), utc(2025, 10, 26, 1, 30));
	assert_int_equal(london_to_local(utc(2025, 10, 26, 1, 30)), utc(2025, 10, 26, 1, 30));
	assert_int_equal(london_to_utc(utc(2025, 10, 26, 0, 59)), utc(2025, 10, 25, 23, 59));
	assert_int_equal(london_to_utc(utc(2025, 10, 26, 2, 0)), utc(2025, 10, 26, 2, 0));
}

static void
round_trip_every_minute_of_the_change_days(void **state)
{
	int64_t t, end;
	int y;

	(void)state;
	for (y = FIRST_YEAR; y <= LAST_YEAR; y++) {
		t = london_bst_start(y) - 3 * H;
		for (end = t + 6 * H; t < end; t += CIVIL_MS_PER_MINUTE)
			assert_int_equal(london_to_utc(london_to_local(t)), t);
		t = london_bst_end(y) - 3 * H;
		for (end = t + 6 * H; t < end; t += CIVIL_MS_PER_MINUTE) {
			/* The second pass of the repeated hour maps back to
			 * the first (london.h). */
			if (t >= london_bst_end(y) && t < london_bst_end(y) + H)
				assert_int_equal(london_to_utc(london_to_local(t)), t - H);
			else
				assert_int_equal(london_to_utc(london_to_local(t)), t);
		}
	}
}

static void
agrees_with_tzdata_every_hour(void **state)
{
	struct tm tm;
	time_t s, back;
	int64_t t, end, local;
	char *old = getenv("TZ") != NULL ? strdup(getenv("TZ")) : NULL;
	long checked = 0;

	(void)state;
	if (access(ZONEINFO, R_OK) != 0) {
		print_message("skipped: %s is missing (apt-get install tzdata); the rule is "
			      "still checked against known change instants\n", ZONEINFO);
		skip();
	}
	setenv("TZ", "Europe/London", 1);
	tzset();
	end = utc(LAST_YEAR + 1, 1, 1, 0, 0);
	for (t = utc(FIRST_YEAR, 1, 1, 0, 0); t < end; t += H / 2, checked++) {
		s = (time_t)(t / 1000);
		assert_non_null(localtime_r(&s, &tm));
		assert_int_equal(london_offset(t), (int64_t)tm.tm_gmtoff * 1000);
		local = london_to_local(t);
		assert_int_equal(civil_days_from_ms(local),
		    civil_days_from_date(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday));
		assert_int_equal(local - civil_days_from_ms(local) * CIVIL_MS_PER_DAY,
		    (int64_t)(tm.tm_hour * 3600 + tm.tm_min * 60) * 1000);
		/* Wall time back to UTC, through mktime for every wall time
		 * that exists once (not in the repeated hour). */
		if (london_to_utc(local) == t && london_to_utc(local + H) == t + H &&
		    london_to_utc(local - H) == t - H) {
			tm.tm_isdst = -1;
			back = mktime(&tm);
			assert_int_equal((int64_t)back * 1000, t);
		}
	}
	assert_int_equal(checked, (end - utc(FIRST_YEAR, 1, 1, 0, 0)) / (H / 2));
	if (old != NULL)
		setenv("TZ", old, 1);
	else
		unsetenv("TZ");
	free(old);
	tzset();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(change_instants_are_known),
		cmocka_unit_test(gap_shifts_forward_to_the_change),
		cmocka_unit_test(wall_to_utc_never_goes_backwards),
		cmocka_unit_test(repeated_hour_is_first_occurrence),
		cmocka_unit_test(round_trip_every_minute_of_the_change_days),
		cmocka_unit_test(agrees_with_tzdata_every_hour),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
