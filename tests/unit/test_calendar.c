/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for config/calendar.c: the deadline table in
 * tests/vectors/deadlines.txt (checked independently by
 * tests/vectors/check_deadlines.py), the rules one by one, and the
 * agreement of calendar_due with calendar_working_between.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config/calendar.h"
#include "config/civil.h"
#include "config/duration.h"
#include "config/rfc3339.h"

#define H CIVIL_MS_PER_HOUR
#define MIN CIVIL_MS_PER_MINUTE
#define LINE_MAX_LEN 512
#define FIELDS 5

static char *
source_path(const char *rel)
{
	const char *top = getenv("DUTYNET_SOURCE_DIR");
	char *p;

	if (top == NULL)
		fail_msg("DUTYNET_SOURCE_DIR is not set (ctest sets it)");
	p = malloc(strlen(top) + strlen(rel) + 2);
	assert_non_null(p);
	sprintf(p, "%s/%s", top, rel);
	return p;
}

/* The default calendar with the shipped holiday data. */
static struct calendar *
default_calendar(void)
{
	struct calendar *cal = calendar_new_default();
	char *path = source_path("config/holidays-england-wales.conf");
	struct status st;

	assert_non_null(cal);
	if (calendar_load_holidays(cal, path, &st) != 0)
		fail_msg("%s", st.text);
	free(path);
	return cal;
}

/* The default calendar plus tests/vectors/calendar-NAME.conf. */
static struct calendar *
named_calendar(const char *name)
{
	struct calendar *cal = default_calendar();
	char rel[LINE_MAX_LEN], *path;
	struct status st;
	config_t cfg;

	if (strcmp(name, "default") == 0)
		return cal;
	snprintf(rel, sizeof(rel), "tests/vectors/calendar-%s.conf", name);
	path = source_path(rel);
	config_init(&cfg);
	if (config_read_file(&cfg, path) != CONFIG_TRUE)
		fail_msg("%s:%d: %s", path, config_error_line(&cfg), config_error_text(&cfg));
	assert_non_null(config_lookup(&cfg, "calendar"));
	if (calendar_load_agency(cal, config_lookup(&cfg, "calendar"), path, &st) != 0)
		fail_msg("%s", st.text);
	config_destroy(&cfg);
	free(path);
	return cal;
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

static struct duration
dur(const char *text)
{
	struct duration d;
	struct status st;

	if (duration_parse(text, &d, &st) != 0)
		fail_msg("%s", st.text);
	return d;
}

/* Splits "a | b | c | d | e" in place. */
static int
split_row(char *line, char **f)
{
	char *p = line, *bar;
	int n = 0;

	line[strcspn(line, "\n")] = '\0';
	while (n < FIELDS) {
		f[n++] = p;
		bar = strstr(p, " | ");
		if (bar == NULL)
			break;
		*bar = '\0';
		p = bar + 3;
	}
	return n;
}

static void
deadline_table(void **state)
{
	char *path = source_path("tests/vectors/deadlines.txt");
	char line[LINE_MAX_LEN], *f[FIELDS], got[RFC3339_LEN];
	struct calendar *cal;
	struct duration d;
	struct status st;
	uint64_t due;
	int rows = 0, lineno = 0;
	FILE *in = fopen(path, "r");

	(void)state;
	assert_non_null(in);
	while (fgets(line, sizeof(line), in) != NULL) {
		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (split_row(line, f) != FIELDS)
			fail_msg("deadlines.txt:%d: want 5 fields", lineno);
		cal = named_calendar(f[2]);
		d = dur(f[1]);
		st.code = 0;
		if (calendar_due(cal, at(f[0]), &d, &due, &st) != 0)
			fail_msg("deadlines.txt:%d: %s", lineno, st.text);
		assert_int_equal(st.code, STATUS_OK);
		rfc3339_format(due, got);
		if (strcmp(got, f[3]) != 0)
			fail_msg("deadlines.txt:%d: %s + %s (%s): got %s, want %s", lineno, f[0],
			    f[1], f[2], got, f[3]);
		if (strcmp(f[4], "-") == 0 && st.text[0] != '\0')
			fail_msg("deadlines.txt:%d: unexpected warning: %s", lineno, st.text);
		if (strcmp(f[4], "-") != 0 && strstr(st.text, f[4]) == NULL)
			fail_msg("deadlines.txt:%d: warning should name %s: '%s'", lineno, f[4],
			    st.text);
		calendar_destroy(&cal);
		assert_null(cal);
		rows++;
	}
	fclose(in);
	free(path);
	/* The issue asks for at least these rows; a truncated file must fail. */
	assert_true(rows >= 50);
}

static void
bad_hours_are_504(void **state)
{
	struct calendar *cal = calendar_new_default();
	struct calendar_interval too_many[CALENDAR_MAX_INTERVALS + 1] = {
	    {0, 60}, {60, 120}, {120, 180}, {180, 240}, {240, 300}};
	struct calendar_interval reversed[] = {{17 * 60, 9 * 60}};
	struct calendar_interval empty[] = {{9 * 60, 9 * 60}};
	struct calendar_interval past_midnight[] = {{9 * 60, 24 * 60 + 1}};
	struct calendar_interval negative[] = {{-1, 60}};
	struct calendar_interval overlap[] = {{9 * 60, 13 * 60}, {12 * 60, 17 * 60}};
	struct calendar_interval unordered[] = {{13 * 60, 17 * 60}, {9 * 60, 12 * 60}};
	struct calendar_interval touching[] = {{9 * 60, 12 * 60}, {12 * 60, 17 * 60}};
	const struct calendar_interval *iv;
	struct status st;
	size_t n;

	(void)state;
	assert_int_equal(calendar_set_hours(cal, CIVIL_MONDAY, too_many, 5, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_non_null(strstr(st.text, "Mon"));
	assert_int_equal(calendar_set_hours(cal, CIVIL_MONDAY, reversed, 1, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_int_equal(calendar_set_hours(cal, CIVIL_MONDAY, empty, 1, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_int_equal(calendar_set_hours(cal, CIVIL_MONDAY, past_midnight, 1, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_int_equal(calendar_set_hours(cal, CIVIL_MONDAY, negative, 1, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_int_equal(calendar_set_hours(cal, CIVIL_TUESDAY, overlap, 2, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_non_null(strstr(st.text, "12:00"));
	assert_non_null(strstr(st.text, "13:00"));
	assert_int_equal(calendar_set_hours(cal, CIVIL_TUESDAY, unordered, 2, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	/* Nothing was changed by the refusals. */
	iv = calendar_hours(cal, CIVIL_MONDAY, &n);
	assert_int_equal(n, 1);
	assert_int_equal(iv[0].start, CALENDAR_DEFAULT_OPEN);
	assert_int_equal(iv[0].end, CALENDAR_DEFAULT_CLOSE);
	/* Touching intervals are fine. */
	assert_int_equal(calendar_set_hours(cal, CIVIL_TUESDAY, touching, 2, &st), 0);
	iv = calendar_hours(cal, CIVIL_TUESDAY, &n);
	assert_int_equal(n, 2);
	assert_int_equal(iv[1].start, 12 * 60);
	calendar_destroy(&cal);
}

static void
bad_holidays_closures_and_lengths_are_504(void **state)
{
	struct calendar *cal = calendar_new_default();
	int64_t xmas = civil_days_from_date(2024, 12, 25);
	char long_name[CALENDAR_NAME_MAX + 2];
	struct status st;
	int first, last;

	(void)state;
	memset(long_name, 'x', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	assert_int_equal(calendar_add_holiday(cal, xmas, "Christmas Day", 0, &st), 0);
	assert_int_equal(calendar_add_holiday(cal, xmas, "Also Christmas", 0, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_non_null(strstr(st.text, "2024-12-25"));
	assert_int_equal(calendar_add_holiday(cal, xmas + 1, "", 0, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_int_equal(calendar_add_holiday(cal, xmas + 1, NULL, 0, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_int_equal(calendar_add_holiday(cal, xmas + 1, long_name, 0, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	long_name[CALENDAR_NAME_MAX] = '\0';
	assert_int_equal(calendar_add_holiday(cal, xmas + 1, long_name, 0, &st), 0);
	assert_int_equal(calendar_holiday_count(cal), 2);

	assert_int_equal(calendar_add_closure(cal, xmas, xmas - 1, "Backwards", &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_non_null(strstr(st.text, "Backwards"));
	assert_int_equal(calendar_add_closure(cal, xmas, xmas, "", &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_int_equal(calendar_closure_count(cal), 0);

	assert_int_equal(calendar_holiday_years(cal, &first, &last), -1);
	assert_int_equal(calendar_set_holiday_years(cal, 2030, 2024, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_int_equal(calendar_set_holiday_years(cal, 1969, 2024, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_int_equal(calendar_holiday_years(cal, &first, &last), -1);
	assert_int_equal(calendar_set_holiday_years(cal, 2024, 2024, &st), 0);
	assert_int_equal(calendar_holiday_years(cal, &first, &last), 0);
	assert_int_equal(first, 2024);
	assert_int_equal(last, 2024);

	assert_int_equal(calendar_set_day_length(cal, MIN - 1, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_int_equal(calendar_set_day_length(cal, 24 * H + 1, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_int_equal(calendar_day_length(cal), 8 * H);
	calendar_destroy(&cal);
	calendar_destroy(&cal);
	calendar_destroy(NULL);
}

static void
no_working_time_is_504(void **state)
{
	struct calendar *cal = calendar_new_default();
	struct duration d = dur("1 working day");
	struct status st;
	uint64_t due = 1;
	int wd;

	(void)state;
	/* Closed for longer than the search horizon. */
	assert_int_equal(calendar_add_closure(cal, civil_days_from_date(2024, 1, 1),
	    civil_days_from_date(2040, 1, 1), "Closed", &st), 0);
	assert_int_equal(calendar_due(cal, at("2024-06-03T09:00:00Z"), &d, &due, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	d = dur("end of 1st working day");
	assert_int_equal(calendar_due(cal, at("2024-06-03T09:00:00Z"), &d, &due, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_int_equal(due, 1);
	/* No hours on any day. */
	for (wd = CIVIL_MONDAY; wd <= CIVIL_SUNDAY; wd++)
		assert_int_equal(calendar_set_hours(cal, (enum civil_weekday)wd, NULL, 0, &st), 0);
	assert_int_equal(calendar_day_length(cal), 0);
	d = dur("4 working hours");
	assert_int_equal(calendar_due(cal, at("2024-06-03T09:00:00Z"), &d, &due, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_non_null(strstr(st.text, "no working hours"));
	/* Clock time needs no calendar. */
	d = dur("1 hour");
	assert_int_equal(calendar_due(cal, at("2024-06-03T09:00:00Z"), &d, &due, &st), 0);
	assert_int_equal(due, at("2024-06-03T10:00:00Z"));
	assert_string_equal(st.text, "");
	calendar_destroy(&cal);
}

static void
working_days_holidays_and_closures(void **state)
{
	struct calendar *cal = default_calendar();
	struct status st;
	const char *why = NULL;

	(void)state;
	assert_true(calendar_is_working_day(cal, civil_days_from_date(2024, 12, 24), &why));
	assert_false(calendar_is_working_day(cal, civil_days_from_date(2024, 12, 25), &why));
	assert_string_equal(why, "Christmas Day");
	assert_false(calendar_is_working_day(cal, civil_days_from_date(2027, 12, 28), &why));
	assert_string_equal(why, "Boxing Day (substitute day)");
	assert_false(calendar_is_working_day(cal, civil_days_from_date(2024, 11, 30), &why));
	assert_string_equal(why, "no working hours");
	assert_int_equal(calendar_add_closure(cal, civil_days_from_date(2024, 12, 23),
	    civil_days_from_date(2024, 12, 24), "Christmas closure", &st), 0);
	assert_false(calendar_is_working_day(cal, civil_days_from_date(2024, 12, 24), &why));
	assert_string_equal(why, "Christmas closure");
	assert_true(calendar_is_working_day(cal, civil_days_from_date(2024, 12, 27), NULL));
	assert_int_equal(calendar_closure_count(cal), 1);
	assert_string_equal(calendar_closure_at(cal, 0)->name, "Christmas closure");
	/* A service that works bank holidays. */
	assert_true(calendar_bank_holidays(cal));
	calendar_set_bank_holidays(cal, 0);
	assert_false(calendar_bank_holidays(cal));
	assert_true(calendar_is_working_day(cal, civil_days_from_date(2024, 12, 25), NULL));
	calendar_destroy(&cal);
}

static void
day_length_follows_the_hours(void **state)
{
	struct calendar *cal = named_calendar("camhs");
	struct duration d = dur("1 working day");
	struct status st;
	uint64_t due;

	(void)state;
	assert_int_equal(calendar_day_length(cal), 7 * H);
	assert_int_equal(calendar_set_day_length(cal, 7 * H + 30 * MIN, &st), 0);
	assert_int_equal(calendar_day_length(cal), 7 * H + 30 * MIN);
	/* Monday 09:00 + 7h30 of working time: 3h30 to 12:30, 3h30 from 13:30
	 * to 17:00, and the last 30 minutes on Tuesday. */
	assert_int_equal(calendar_due(cal, at("2024-12-02T09:00:00Z"), &d, &due, &st), 0);
	assert_int_equal(due, at("2024-12-03T09:30:00Z"));
	calendar_destroy(&cal);
}

static void
warning_outside_the_data_names_the_years(void **state)
{
	struct calendar *cal = default_calendar();
	struct duration d = dur("300 working days");
	struct status st;
	uint64_t due;

	(void)state;
	/* From December 2029 across 2030 into 2031. */
	assert_int_equal(calendar_due(cal, at("2029-12-03T09:00:00Z"), &d, &due, &st), 0);
	assert_int_equal(st.code, STATUS_OK);
	assert_non_null(strstr(st.text, "ends in 2030"));
	assert_non_null(strstr(st.text, "2031"));
	/* From 2022 into the data: names both missing years. */
	assert_int_equal(calendar_due(cal, at("2022-12-01T09:00:00Z"), &d, &due, &st), 0);
	assert_non_null(strstr(st.text, "starts in 2024"));
	assert_non_null(strstr(st.text, "2022 to 2023"));
	/* A calendar that does not observe bank holidays needs no data. */
	calendar_set_bank_holidays(cal, 0);
	assert_int_equal(calendar_due(cal, at("2031-03-03T09:00:00Z"), &d, &due, &st), 0);
	assert_string_equal(st.text, "");
	calendar_destroy(&cal);
	/* Nor does one with no holiday data at all. */
	cal = calendar_new_default();
	assert_int_equal(calendar_due(cal, at("2031-03-03T09:00:00Z"), &d, &due, &st), 0);
	assert_string_equal(st.text, "");
	calendar_destroy(&cal);
}

static void
working_between_counts_working_time(void **state)
{
	struct calendar *cal = default_calendar();

	(void)state;
	/* Friday 16:55 to Monday 16:55: one working day. */
	assert_int_equal(calendar_working_between(cal, at("2024-11-29T16:55:00Z"),
	    at("2024-12-02T16:55:00Z")), 8 * H);
	/* Backwards is negative: how early, not how late. */
	assert_int_equal(calendar_working_between(cal, at("2024-12-02T16:55:00Z"),
	    at("2024-11-29T16:55:00Z")), -8 * H);
	assert_int_equal(calendar_working_between(cal, at("2024-12-02T10:00:00Z"),
	    at("2024-12-02T10:00:00Z")), 0);
	/* A whole weekend: nothing. */
	assert_int_equal(calendar_working_between(cal, at("2024-11-29T17:00:00Z"),
	    at("2024-12-02T09:00:00Z")), 0);
	/* Christmas 2027 (substitute days Monday and Tuesday). */
	assert_int_equal(calendar_working_between(cal, at("2027-12-24T09:00:00Z"),
	    at("2027-12-31T17:00:00Z")), 4 * 8 * H);
	/* Across the October change: Friday 15:00 BST to Monday 11:00 GMT. */
	assert_int_equal(calendar_working_between(cal, at("2025-10-24T14:00:00Z"),
	    at("2025-10-27T11:00:00Z")), 4 * H);
	calendar_destroy(&cal);
	/* Around the clock, the March change Sunday has 23 hours. */
	cal = named_calendar("edt");
	assert_int_equal(calendar_working_between(cal, at("2025-03-30T00:00:00Z"),
	    at("2025-03-30T23:00:00Z")), 23 * H);
	assert_int_equal(calendar_working_between(cal, at("2025-10-26T00:00:00+01:00"),
	    at("2025-10-27T00:00:00Z")), 25 * H);
	calendar_destroy(&cal);
}

static void
night_hours_across_the_changes(void **state)
{
	struct calendar *cal = named_calendar("night");
	struct duration d = dur("1 working day");
	struct calendar_interval gap[] = {{60, 110}};
	struct status st;
	uint64_t due;

	(void)state;
	assert_int_equal(calendar_day_length(cal), 90 * MIN);
	/* March: open 02:00-03:00 BST only. */
	assert_int_equal(calendar_working_between(cal, at("2025-03-29T00:00:00Z"),
	    at("2025-03-31T00:00:00Z")), H);
	/* October: from the first 01:30 (BST) to 03:00 GMT, through the
	 * repeated hour: 2h30. */
	assert_int_equal(calendar_working_between(cal, at("2025-10-25T00:00:00Z"),
	    at("2025-10-27T00:00:00Z")), 2 * H + 30 * MIN);
	assert_int_equal(calendar_due(cal, at("2025-10-25T12:00:00Z"), &d, &due, &st), 0);
	assert_int_equal(due, at("2025-10-26T02:00:00Z"));
	d = dur("end of 1st working day");
	assert_int_equal(calendar_due(cal, at("2025-10-25T12:00:00Z"), &d, &due, &st), 0);
	assert_int_equal(due, at("2025-10-26T03:00:00Z"));
	/* An interval wholly inside the skipped hour is empty that night. */
	assert_int_equal(calendar_set_hours(cal, CIVIL_SUNDAY, gap, 1, &st), 0);
	assert_int_equal(calendar_working_between(cal, at("2025-03-29T00:00:00Z"),
	    at("2025-03-31T00:00:00Z")), 0);
	assert_int_equal(calendar_working_between(cal, at("2025-04-05T00:00:00Z"),
	    at("2025-04-07T00:00:00Z")), 50 * MIN);
	calendar_destroy(&cal);
}

/* A fixed pseudo-random sequence (so a failure is reproducible). */
static uint64_t
next(uint64_t *seed)
{
	*seed = *seed * 6364136223846793005ULL + 1442695040888963407ULL;
	return *seed >> 33;
}

static void
due_and_between_agree(void **state)
{
	static const char *const names[] = {"default", "school", "camhs", "edt", "night"};
	uint64_t seed = 20241129, from, due, lo = at("2024-01-01T00:00:00Z"),
		 span = at("2030-06-01T00:00:00Z") - lo;
	struct calendar *cal;
	struct duration d;
	struct status st;
	size_t c;
	int i;

	(void)state;
	/* For working time, the working time between receipt and the due
	 * time is exactly what was asked for, and a minute earlier it is
	 * not yet: checked at random instants and lengths. */
	for (c = 0; c < sizeof(names) / sizeof(names[0]); c++) {
		cal = named_calendar(names[c]);
		for (i = 0; i < 400; i++) {
			from = lo + next(&seed) % span / MIN * MIN;
			d.kind = DURATION_WORKING;
			d.ms = (int64_t)(1 + next(&seed) % (60 * 24 * 20)) * MIN;
			d.days = 0;
			assert_int_equal(calendar_due(cal, from, &d, &due, &st), 0);
			assert_int_equal(calendar_working_between(cal, from, due), d.ms);
			assert_int_equal(calendar_working_between(cal, from, due - MIN), d.ms - MIN);
			d.kind = DURATION_WORKING_DAYS;
			d.days = (int)(1 + next(&seed) % 45);
			assert_int_equal(calendar_due(cal, from, &d, &due, &st), 0);
			assert_int_equal(calendar_working_between(cal, from, due),
			    d.days * calendar_day_length(cal));
		}
		calendar_destroy(&cal);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bad_hours_are_504),
		cmocka_unit_test(bad_holidays_closures_and_lengths_are_504),
		cmocka_unit_test(no_working_time_is_504),
		cmocka_unit_test(deadline_table),
		cmocka_unit_test(working_days_holidays_and_closures),
		cmocka_unit_test(day_length_follows_the_hours),
		cmocka_unit_test(warning_outside_the_data_names_the_years),
		cmocka_unit_test(working_between_counts_working_time),
		cmocka_unit_test(night_hours_across_the_changes),
		cmocka_unit_test(due_and_between_agree),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
