/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for config/agencycal.c: every agency's calendar loaded once,
 * each with the bank holidays of the holiday file and its own `calendar`
 * group; the default calendar for ids not in the directory; the holiday
 * file from $DUTYNET_HOLIDAYS; and each way loading fails.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config/agencycal.h"
#include "config/rfc3339.h"
#include "tests/support/confdir.h"

#define PATH_MAX_LEN 4096

struct fixture {
	char *dir;
	char holidays[PATH_MAX_LEN];
	struct conf_errors *errs;
	struct directory *d;
	struct agencycal *c;
};

/* confdir_area's directory with a Saturday morning for camhs. */
static void
write_directory(struct fixture *f, const char *camhs_calendar)
{
	const char *anchor = "\t\taccepts = [ \"referral\", \"ack\"";
	const char *pos = strstr(CONFDIR_DIRECTORY, anchor);
	char text[8192];

	assert_non_null(pos);
	snprintf(text, sizeof(text), "%.*s\t\t%s\n%s", (int)(pos - CONFDIR_DIRECTORY),
	    CONFDIR_DIRECTORY, camhs_calendar, pos);
	confdir_write(f->dir, "directory.conf", text);
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const char *src = getenv("DUTYNET_SOURCE_DIR");

	assert_non_null(f);
	assert_non_null(src);
	snprintf(f->holidays, sizeof(f->holidays), "%s/config/%s", src, CALENDAR_HOLIDAYS_FILE);
	f->dir = confdir_new();
	confdir_area(f->dir);
	write_directory(f, "calendar = { hours = { sat = [ \"10:00-12:00\" ]; }; };");
	f->errs = conf_errors_new();
	f->d = directory_load(f->dir, f->errs);
	assert_non_null(f->d);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	agencycal_destroy(&f->c);
	directory_destroy(&f->d);
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

static int
working(const struct calendar *cal, const char *text)
{
	return calendar_is_working_day(cal, civil_days_from_ms((int64_t)at(text)), NULL);
}

static void
missing_holiday_file_is_421(void **state)
{
	struct fixture *f = *state;
	struct status st;
	char path[PATH_MAX_LEN];

	snprintf(path, sizeof(path), "%s/no-such-holidays.conf", f->dir);
	assert_null(agencycal_load(f->dir, f->d, path, &st));
	assert_int_equal(st.code, STATUS_UNAVAILABLE);
	assert_non_null(strstr(st.text, "no-such-holidays.conf"));
}

static void
bad_calendar_names_its_place(void **state)
{
	struct fixture *f = *state;
	struct status st;

	/* directory.conf changed after it was loaded: the calendar is bad now. */
	write_directory(f, "calendar = { hours = { sat = [ \"10-12\" ]; }; };");
	assert_null(agencycal_load(f->dir, f->d, f->holidays, &st));
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_non_null(strstr(st.text, "calendar.hours.sat[0]"));
	/* ... and an agency that is gone from it is 530. */
	confdir_write(f->dir, "directory.conf", "agencies = ();\n");
	assert_null(agencycal_load(f->dir, f->d, f->holidays, &st));
	assert_int_equal(st.code, STATUS_UNKNOWN_AGENCY);
}

static void
each_agency_has_its_own_calendar(void **state)
{
	struct fixture *f = *state;
	const struct calendar *camhs, *mash, *other;
	struct status st;

	f->c = agencycal_load(f->dir, f->d, f->holidays, &st);
	assert_non_null(f->c);
	camhs = agencycal_get(f->c, "camhs");
	mash = agencycal_get(f->c, "mash");
	other = agencycal_get(f->c, "broker");
	assert_ptr_not_equal(camhs, mash);
	assert_non_null(other);
	/* Saturday 8 June 2024: camhs works its morning, mash does not. */
	assert_true(working(camhs, "2024-06-08T11:00:00+01:00"));
	assert_false(working(mash, "2024-06-08T11:00:00+01:00"));
	assert_false(working(other, "2024-06-08T11:00:00+01:00"));
	/* Every calendar has the bank holidays: Christmas Day 2024. */
	assert_false(working(mash, "2024-12-25T12:00:00Z"));
	assert_false(working(other, "2024-12-25T12:00:00Z"));
	assert_true(working(mash, "2024-12-24T12:00:00Z"));
	assert_true(calendar_holiday_count(mash) > 0);
	agencycal_destroy(&f->c);
	assert_null(f->c);
	agencycal_destroy(NULL);
}

static void
holiday_file_from_the_environment(void **state)
{
	char want[PATH_MAX_LEN];

	(void)state;
	assert_int_equal(setenv(AGENCYCAL_HOLIDAYS_ENV, "/etc/dutynet/holidays.conf", 1), 0);
	assert_string_equal(agencycal_holidays_path(), "/etc/dutynet/holidays.conf");
	assert_int_equal(setenv(AGENCYCAL_HOLIDAYS_ENV, "", 1), 0);
	assert_non_null(strstr(agencycal_holidays_path(), CALENDAR_HOLIDAYS_FILE));
	assert_int_equal(unsetenv(AGENCYCAL_HOLIDAYS_ENV), 0);
	assert_non_null(strstr(agencycal_holidays_path(), CALENDAR_HOLIDAYS_FILE));
	/* This test runs from the build tree: the source tree's copy, not the
	 * installed one (which need not exist yet). */
	snprintf(want, sizeof(want), "%s/config/%s", getenv("DUTYNET_SOURCE_DIR"),
	    CALENDAR_HOLIDAYS_FILE);
	assert_string_equal(agencycal_holidays_path(), want);
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(missing_holiday_file_is_421),
		T(bad_calendar_names_its_place),
		T(each_agency_has_its_own_calendar),
		cmocka_unit_test(holiday_file_from_the_environment),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
