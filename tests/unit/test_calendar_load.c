/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for config/calendar_load.c: the shipped bank holiday data
 * against the rules that generate it, and every way a holiday file or an
 * agency's calendar settings can be wrong.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config/calendar.h"
#include "config/civil.h"

#define H CIVIL_MS_PER_HOUR
#define MIN CIVIL_MS_PER_MINUTE
#define PATH_LEN 512
#define TMPDIR_LEN 64
#define DATA_FIRST 2024
#define DATA_LAST 2030
#define MAX_RULE_DAYS 8

struct rule_day {
	int64_t day;
	const char *name;
};

/* Easter Sunday by the anonymous Gregorian algorithm (Meeus/Jones/Butcher),
 * written out here so the test does not trust the data it checks. */
static int64_t
easter(int y)
{
	int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4;
	int f = (b + 8) / 25, g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30;
	int i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7;
	int m = (a + 11 * h + 22 * l) / 451;
	int month = (h + l - 7 * m + 114) / 31, day = (h + l - 7 * m + 114) % 31 + 1;

	return civil_days_from_date(y, month, day);
}

static int64_t
first_monday(int y, int month)
{
	int64_t d = civil_days_from_date(y, month, 1);

	while (civil_weekday(d) != CIVIL_MONDAY)
		d++;
	return d;
}

static int64_t
last_monday(int y, int month)
{
	int64_t d = civil_days_from_date(y, month, civil_days_in_month(y, month));

	while (civil_weekday(d) != CIVIL_MONDAY)
		d--;
	return d;
}

static int
weekend(int64_t d)
{
	return civil_weekday(d) >= CIVIL_SATURDAY;
}

/* The rule-based bank holidays of England and Wales in year y. */
static int
rule_days(int y, struct rule_day *out)
{
	int64_t ny = civil_days_from_date(y, 1, 1), xmas = civil_days_from_date(y, 12, 25);
	int n = 0;

	if (!weekend(ny))
		out[n++] = (struct rule_day){ny, "New Year's Day"};
	else
		out[n++] = (struct rule_day){ny + (civil_weekday(ny) == CIVIL_SATURDAY ? 2 : 1),
		    "New Year's Day (substitute day)"};
	out[n++] = (struct rule_day){easter(y) - 2, "Good Friday"};
	out[n++] = (struct rule_day){easter(y) + 1, "Easter Monday"};
	out[n++] = (struct rule_day){first_monday(y, 5), "Early May bank holiday"};
	out[n++] = (struct rule_day){last_monday(y, 5), "Spring bank holiday"};
	out[n++] = (struct rule_day){last_monday(y, 8), "Summer bank holiday"};
	switch (civil_weekday(xmas)) {
	case CIVIL_FRIDAY:	/* Boxing Day on Saturday -> Monday 28 */
		out[n++] = (struct rule_day){xmas, "Christmas Day"};
		out[n++] = (struct rule_day){xmas + 3, "Boxing Day (substitute day)"};
		break;
	case CIVIL_SATURDAY:	/* -> Monday 27 and Tuesday 28 */
		out[n++] = (struct rule_day){xmas + 2, "Christmas Day (substitute day)"};
		out[n++] = (struct rule_day){xmas + 3, "Boxing Day (substitute day)"};
		break;
	case CIVIL_SUNDAY:	/* Boxing Day Monday 26, Christmas -> Tuesday 27 */
		out[n++] = (struct rule_day){xmas + 1, "Boxing Day"};
		out[n++] = (struct rule_day){xmas + 2, "Christmas Day (substitute day)"};
		break;
	default:
		out[n++] = (struct rule_day){xmas, "Christmas Day"};
		out[n++] = (struct rule_day){xmas + 1, "Boxing Day"};
		break;
	}
	return n;
}

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

static void
shipped_data_matches_the_rules(void **state)
{
	struct calendar *cal = calendar_new_default();
	char *path = source_path("config/holidays-england-wales.conf");
	char date[CIVIL_DATE_LEN];
	struct rule_day rules[MAX_RULE_DAYS];
	const struct calendar_holiday *h;
	struct status st;
	size_t i, rule_entries = 0, total = 0;
	int first, last, y, n, j, found;

	(void)state;
	if (calendar_load_holidays(cal, path, &st) != 0)
		fail_msg("%s", st.text);
	assert_int_equal(calendar_holiday_years(cal, &first, &last), 0);
	assert_int_equal(first, DATA_FIRST);
	assert_int_equal(last, DATA_LAST);
	for (y = DATA_FIRST; y <= DATA_LAST; y++) {
		n = rule_days(y, rules);
		total += (size_t)n;
		for (j = 0; j < n; j++) {
			civil_format_date(rules[j].day, date);
			assert_false(weekend(rules[j].day));
			found = 0;
			for (i = 0; i < calendar_holiday_count(cal); i++) {
				h = calendar_holiday_at(cal, i);
				if (h->day != rules[j].day)
					continue;
				found = 1;
				if (strcmp(h->name, rules[j].name) != 0)
					fail_msg("%s: data says '%s', rule says '%s'", date, h->name,
					    rules[j].name);
				assert_false(h->one_off);
			}
			if (!found)
				fail_msg("%s (%s) is missing from %s", date, rules[j].name, path);
		}
	}
	/* Every entry the rules do not explain must be marked one_off. */
	for (i = 0; i < calendar_holiday_count(cal); i++)
		if (!calendar_holiday_at(cal, i)->one_off)
			rule_entries++;
	if (rule_entries != total)
		fail_msg("%s has %zu rule-based entries, the rules give %zu: an extra or "
			 "mistyped date not marked one_off", path, rule_entries, total);
	/* Spot checks against gov.uk, in case rule and data share a mistake. */
	assert_false(calendar_is_working_day(cal, civil_days_from_date(2026, 12, 28), NULL));
	assert_false(calendar_is_working_day(cal, civil_days_from_date(2027, 12, 27), NULL));
	assert_false(calendar_is_working_day(cal, civil_days_from_date(2027, 12, 28), NULL));
	assert_false(calendar_is_working_day(cal, civil_days_from_date(2028, 1, 3), NULL));
	assert_false(calendar_is_working_day(cal, civil_days_from_date(2025, 4, 18), NULL));
	assert_false(calendar_is_working_day(cal, civil_days_from_date(2026, 8, 31), NULL));
	assert_true(calendar_is_working_day(cal, civil_days_from_date(2026, 12, 29), NULL));
	free(path);
	calendar_destroy(&cal);
}

/* A scratch directory per test run. */
static char tmpdir[TMPDIR_LEN];

static int
setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_calendar_load.XXXXXX");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[PATH_LEN + 16];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *
write_file(const char *name, const char *text)
{
	static char path[PATH_LEN];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	return path;
}

/* Loads text as a holiday file; returns the status code (200 if it loaded)
 * and leaves the text in st. */
static int
load_holidays_text(const char *text, struct status *st, struct calendar **out)
{
	struct calendar *cal = calendar_new_default();
	const char *path = write_file("holidays.conf", text);
	int rc = calendar_load_holidays(cal, path, st);

	assert_true(rc == 0 ? st->code == STATUS_OK : st->code != STATUS_OK);
	if (out != NULL)
		*out = cal;
	else
		calendar_destroy(&cal);
	return st->code;
}

static void
holiday_file_errors(void **state)
{
	static const struct {
		const char *text;
		int code;
		const char *says;
	} bad[] = {
	    {"first_year = ;\n", STATUS_MALFORMED, "holidays.conf: line 1: syntax"},
	    {"last_year = 2024;\nholidays = ();\n", STATUS_BAD_FIELD, "'first_year' is missing"},
	    {"first_year = 2024;\nlast_year = 2024;\n", STATUS_BAD_FIELD,
		"'holidays' is missing"},
	    {"fist_year = 2024;\nfirst_year = 2024;\nlast_year = 2024;\n"
	     "holidays = ({ date = \"2024-01-01\"; name = \"N\"; });\n",
		STATUS_BAD_FIELD, "holidays.conf:1: fist_year: unknown setting"},
	    {"first_year = \"2024\";\nlast_year = 2024;\nholidays = ();\n", STATUS_BAD_FIELD,
		"first_year: must be a whole number"},
	    {"first_year = 2025;\nlast_year = 2024;\nholidays = ();\n", STATUS_BAD_FIELD,
		"2025 to 2024"},
	    {"first_year = 2024;\nlast_year = 2024;\nholidays = 5;\n", STATUS_BAD_FIELD,
		"holidays: must be a list"},
	    {"first_year = 2024;\nlast_year = 2024;\nholidays = (\n"
	     "  { date = \"2024-02-30\"; name = \"Leap\"; }\n);\n",
		STATUS_BAD_FIELD, ":4: holidays[0].date: date '2024-02-30'"},
	    {"first_year = 2024;\nlast_year = 2024;\nholidays = ( \"2024-01-01\" );\n",
		STATUS_BAD_FIELD, "holidays[0]: must be a group"},
	    {"first_year = 2024;\nlast_year = 2024;\nholidays = ({ date = \"2024-01-01\"; });\n",
		STATUS_BAD_FIELD, "'name' is missing"},
	    {"first_year = 2024;\nlast_year = 2024;\n"
	     "holidays = ({ date = \"2024-01-01\"; name = \"N\"; one_off = \"yes\"; });\n",
		STATUS_BAD_FIELD, "one_off: must be true or false"},
	    {"first_year = 2024;\nlast_year = 2024;\n"
	     "holidays = ({ date = \"2025-01-01\"; name = \"N\"; });\n",
		STATUS_BAD_FIELD, "date is in 2025, outside"},
	    {"first_year = 2024;\nlast_year = 2024;\nholidays = (\n"
	     " { date = \"2024-01-01\"; name = \"A\"; },\n { date = \"2024-01-01\"; name = \"B\"; }\n);\n",
		STATUS_BAD_FIELD, "listed twice"},
	    {"first_year = 2024;\nlast_year = 2025;\n"
	     "holidays = ({ date = \"2024-01-01\"; name = \"N\"; });\n",
		STATUS_BAD_FIELD, "no holidays listed for 2025"},
	    {"first_year = 2024;\nlast_year = 2024;\n"
	     "holidays = ({ date = \"2024-01-01\"; name = \"N\"; dat = 1; });\n",
		STATUS_BAD_FIELD, "holidays[0].dat: unknown setting (known here: date, name, one_off)"},
	    /* Every error counts; the first is shown. */
	    {"first_year = 2024;\nlast_year = 2024;\nholidays = (\n"
	     " { date = \"x\"; name = \"A\"; },\n { date = \"y\"; name = \"B\"; },\n"
	     " { date = \"z\"; name = \"C\"; }\n);\n",
		STATUS_BAD_FIELD, "date 'x' is not a real date written YYYY-MM-DD (1970 to 9999) "
				  "(and 2 more errors)"},
	};
	struct status st;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(load_holidays_text(bad[i].text, &st, NULL), bad[i].code);
		if (strstr(st.text, bad[i].says) == NULL)
			fail_msg("case %zu: '%s' does not say '%s'", i, st.text, bad[i].says);
	}
}

static void
missing_holiday_file_is_421(void **state)
{
	struct calendar *cal = calendar_new_default();
	char path[PATH_LEN];
	struct status st;

	(void)state;
	snprintf(path, sizeof(path), "%s/no-such-file.conf", tmpdir);
	assert_int_equal(calendar_load_holidays(cal, path, &st), -1);
	assert_int_equal(st.code, STATUS_UNAVAILABLE);
	assert_non_null(strstr(st.text, path));
	assert_non_null(strstr(st.text, "No such file"));
	calendar_destroy(&cal);
}

static void
one_off_holidays_are_data(void **state)
{
	struct calendar *cal;
	struct status st;

	(void)state;
	assert_int_equal(load_holidays_text(
	    "first_year = 2023;\nlast_year = 2023;\nholidays = (\n"
	    " { date = \"2023-05-08\"; name = \"Bank holiday for the coronation\"; one_off = true; },\n"
	    " { date = \"2023-05-01\"; name = \"Early May bank holiday\"; }\n);\n",
	    &st, &cal), STATUS_OK);
	assert_int_equal(calendar_holiday_count(cal), 2);
	/* Kept in date order, whatever the file's order. */
	assert_int_equal(calendar_holiday_at(cal, 0)->day, civil_days_from_date(2023, 5, 1));
	assert_false(calendar_holiday_at(cal, 0)->one_off);
	assert_true(calendar_holiday_at(cal, 1)->one_off);
	assert_false(calendar_is_working_day(cal, civil_days_from_date(2023, 5, 8), NULL));
	calendar_destroy(&cal);
}

/* Applies the `calendar` group of text to a default calendar. */
static int
load_agency_text(const char *text, struct status *st, struct calendar **out)
{
	struct calendar *cal = calendar_new_default();
	const config_setting_t *group;
	config_t cfg;
	int rc;

	config_init(&cfg);
	if (config_read_string(&cfg, text) != CONFIG_TRUE)
		fail_msg("test text does not parse: line %d: %s", config_error_line(&cfg),
		    config_error_text(&cfg));
	group = config_lookup(&cfg, "calendar");
	assert_non_null(group);
	rc = calendar_load_agency(cal, group, "agency.conf", st);
	assert_true(rc == 0 ? st->code == STATUS_OK : st->code != STATUS_OK);
	config_destroy(&cfg);
	if (out != NULL)
		*out = cal;
	else
		calendar_destroy(&cal);
	return st->code;
}

static void
agency_calendar_errors(void **state)
{
	static const struct {
		const char *text;
		const char *says;
	} bad[] = {
	    {"calendar = 5;", "agency.conf:1: calendar: must be a group"},
	    {"calendar = { closure = (); };", "calendar.closure: unknown setting (known here: "
					      "hours, closures, working_day, bank_holidays)"},
	    {"calendar = { hours = [\"09:00-17:00\"]; };", "calendar.hours: must be a group"},
	    {"calendar = { hours = { monday = [\"09:00-17:00\"]; }; };",
		"calendar.hours.monday: unknown setting (known here: mon, tue, wed, thu, fri, sat, "
		"sun)"},
	    {"calendar = { hours = { mon = \"09:00-17:00\"; }; };",
		"calendar.hours.mon: must be a list"},
	    {"calendar = { hours = { mon = [\"9-17\"]; }; };",
		"calendar.hours.mon[0]: '9-17' is not an opening interval"},
	    {"calendar = { hours = { mon = [\"09:00-17\"]; }; };", "'09:00-17'"},
	    {"calendar = { hours = { mon = [\"09:00 - 17:00\"]; }; };", "'09:00 - 17:00'"},
	    {"calendar = { hours = { mon = [\"09:00-24:01\"]; }; };", "'09:00-24:01'"},
	    {"calendar = { hours = { mon = [\"25:00-26:00\"]; }; };", "'25:00-26:00'"},
	    {"calendar = { hours = { mon = [\"09:60-17:00\"]; }; };", "'09:60-17:00'"},
	    {"calendar = { hours = { mon = ( 9 ); }; };", "'' is not an opening interval"},
	    {"calendar = { hours = { mon = [\"17:00-09:00\"]; }; };",
		"calendar.hours.mon: Mon: an opening interval must run forward"},
	    {"calendar = { hours = { tue = [\"09:00-13:00\", \"12:00-17:00\"]; }; };",
		"calendar.hours.tue: Tue: interval starting 12:00 overlaps"},
	    {"calendar = { hours = { mon = [\"01:00-02:00\", \"03:00-04:00\", \"05:00-06:00\","
	     " \"07:00-08:00\", \"09:00-10:00\"]; }; };", "5 intervals; at most 4"},
	    {"calendar = { working_day = \"7:30\"; };", "calendar.working_day: '7:30' is not a "
							"length of day"},
	    {"calendar = { working_day = \"00:00\"; };", "'00:00' is not a length"},
	    {"calendar = { working_day = \"24:01\"; };", "'24:01' is not a length"},
	    {"calendar = { working_day = 450; };", "working_day: must be a string"},
	    {"calendar = { bank_holidays = \"no\"; };", "bank_holidays: must be true or false"},
	    {"calendar = { closures = { from = \"2026-02-16\"; }; };",
		"calendar.closures: must be a list"},
	    {"calendar = { closures = ( \"2026-02-16\" ); };", "closures[0]: must be a group"},
	    {"calendar = { closures = ( { name = \"Half term\"; } ); };", "'from' is missing"},
	    {"calendar = { closures = ( { from = \"2026-02-16\"; } ); };", "'name' is missing"},
	    {"calendar = { closures = ( { from = \"2026-02-30\"; name = \"X\"; } ); };",
		"closures[0].from: date '2026-02-30'"},
	    {"calendar = { closures = ( { from = \"2026-02-16\"; to = \"16/02/2026\"; "
	     "name = \"X\"; } ); };", "closures[0].to: date '16/02/2026'"},
	    {"calendar = { closures = ( { from = \"2026-02-20\"; to = \"2026-02-16\"; "
	     "name = \"Half term\"; } ); };", "closure 'Half term' ends (2026-02-16) before"},
	    {"calendar = { closures = ( { from = \"2026-02-16\"; until = \"2026-02-20\"; "
	     "name = \"X\"; } ); };", "closures[0].until: unknown setting"},
	};
	struct status st;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(load_agency_text(bad[i].text, &st, NULL), STATUS_BAD_FIELD);
		if (strstr(st.text, bad[i].says) == NULL)
			fail_msg("case %zu: '%s' does not say '%s'", i, st.text, bad[i].says);
	}
}

static void
agency_calendar_settings(void **state)
{
	struct calendar *cal;
	const struct calendar_interval *iv;
	const struct calendar_closure *c;
	struct status st;
	size_t n;

	(void)state;
	assert_int_equal(load_agency_text(
	    "calendar = {\n"
	    "  hours = { mon = [\"08:30-12:30\", \"13:30-17:00\"]; tue = [\"00:00-24:00\"];\n"
	    "            wed = []; sat = [\"10:00-12:00\"]; };\n"
	    "  working_day = \"07:30\";\n"
	    "  bank_holidays = false;\n"
	    "  closures = ( { from = \"2026-02-16\"; to = \"2026-02-20\"; name = \"Half term\"; },\n"
	    "               { from = \"2026-06-05\"; name = \"INSET day\"; } );\n"
	    "};\n", &st, &cal), STATUS_OK);
	iv = calendar_hours(cal, CIVIL_MONDAY, &n);
	assert_int_equal(n, 2);
	assert_int_equal(iv[0].start, 8 * 60 + 30);
	assert_int_equal(iv[0].end, 12 * 60 + 30);
	assert_int_equal(iv[1].start, 13 * 60 + 30);
	assert_int_equal(iv[1].end, 17 * 60);
	iv = calendar_hours(cal, CIVIL_TUESDAY, &n);
	assert_int_equal(n, 1);
	assert_int_equal(iv[0].end, CIVIL_MINUTES_PER_DAY);
	/* Listed empty, or not listed at all: closed. */
	calendar_hours(cal, CIVIL_WEDNESDAY, &n);
	assert_int_equal(n, 0);
	calendar_hours(cal, CIVIL_THURSDAY, &n);
	assert_int_equal(n, 0);
	calendar_hours(cal, CIVIL_SATURDAY, &n);
	assert_int_equal(n, 1);
	assert_int_equal(calendar_day_length(cal), 7 * H + 30 * MIN);
	assert_false(calendar_bank_holidays(cal));
	assert_int_equal(calendar_closure_count(cal), 2);
	c = calendar_closure_at(cal, 0);
	assert_int_equal(c->from, civil_days_from_date(2026, 2, 16));
	assert_int_equal(c->to, civil_days_from_date(2026, 2, 20));
	assert_string_equal(c->name, "Half term");
	c = calendar_closure_at(cal, 1);
	assert_int_equal(c->from, c->to);
	calendar_destroy(&cal);

	/* An empty group changes nothing. */
	assert_int_equal(load_agency_text("calendar = { };", &st, &cal), STATUS_OK);
	calendar_hours(cal, CIVIL_THURSDAY, &n);
	assert_int_equal(n, 1);
	assert_true(calendar_bank_holidays(cal));
	calendar_destroy(&cal);
}

static const char directory_text[] =
    "version = 1;\n"
    "agencies = (\n"
    "  { id = \"mash\"; name = \"Front door\"; },\n"
    "  { id = \"school-a\"; name = \"School A\";\n"
    "    @include \"school-a-calendar.conf\"\n"
    "  },\n"
    "  { id = \"school-b\"; calendar = { closures = ( { from = \"x\"; name = \"Y\"; } ); }; }\n"
    ");\n";

static void
directory_calendars(void **state)
{
	struct calendar *cal = calendar_new_default();
	struct status st;
	size_t n;

	(void)state;
	write_file("directory.conf", directory_text);
	write_file("school-a-calendar.conf",
	    "calendar = { closures = ( { from = \"2026-02-16\"; to = \"2026-02-20\"; "
	    "name = \"Half term\"; } ); };\n");
	/* No calendar group: the default calendar, unchanged. */
	assert_int_equal(calendar_load_directory(cal, tmpdir, "mash", &st), 0);
	assert_int_equal(st.code, STATUS_OK);
	assert_int_equal(calendar_closure_count(cal), 0);
	calendar_hours(cal, CIVIL_FRIDAY, &n);
	assert_int_equal(n, 1);
	/* A calendar group from an @include, relative to the directory. */
	assert_int_equal(calendar_load_directory(cal, tmpdir, "school-a", &st), 0);
	assert_int_equal(calendar_closure_count(cal), 1);
	assert_false(calendar_is_working_day(cal, civil_days_from_date(2026, 2, 18), NULL));
	calendar_destroy(&cal);

	cal = calendar_new_default();
	assert_int_equal(calendar_load_directory(cal, tmpdir, "school-b", &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_non_null(strstr(st.text, "directory.conf:7: agencies[2].calendar.closures[0]"
					".from: date 'x'"));
	assert_int_equal(calendar_load_directory(cal, tmpdir, "camhs", &st), -1);
	assert_int_equal(st.code, STATUS_UNKNOWN_AGENCY);
	assert_non_null(strstr(st.text, "'camhs'"));
	assert_non_null(strstr(st.text, "directory.conf"));
	assert_int_equal(calendar_load_directory(cal, "/nonexistent-dir", "mash", &st), -1);
	assert_int_equal(st.code, STATUS_UNAVAILABLE);
	assert_non_null(strstr(st.text, "/nonexistent-dir/directory.conf"));
	write_file("directory.conf", "version = 1;\n");
	assert_int_equal(calendar_load_directory(cal, tmpdir, "mash", &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_non_null(strstr(st.text, "'agencies' is missing"));
	write_file("directory.conf", "agencies = ( { id = \"mash\" } \n");
	assert_int_equal(calendar_load_directory(cal, tmpdir, "mash", &st), -1);
	assert_int_equal(st.code, STATUS_MALFORMED);
	assert_non_null(strstr(st.text, "syntax"));
	write_file("directory.conf", "agencies = ( { id = \"mash\"; } );\n@include \"gone.conf\"\n");
	assert_int_equal(calendar_load_directory(cal, tmpdir, "mash", &st), -1);
	assert_true(st.code == STATUS_UNAVAILABLE || st.code == STATUS_MALFORMED);
	calendar_destroy(&cal);
}

/* All agencies with one parse: each gets its own group, whatever the order
 * they are asked in; the errors of all of them are reported together. */
static void
directory_calendars_all(void **state)
{
	struct calendar *cal[3];
	const char *ids[3] = {"school-a", "mash", "school-a"};
	struct status st;
	size_t i;

	(void)state;
	write_file("directory.conf", directory_text);
	write_file("school-a-calendar.conf",
	    "calendar = { closures = ( { from = \"2026-02-16\"; to = \"2026-02-20\"; "
	    "name = \"Half term\"; } ); };\n");
	for (i = 0; i < 3; i++)
		assert_non_null(cal[i] = calendar_new_default());
	assert_int_equal(calendar_load_directory_all(cal, ids, 3, tmpdir, &st), 0);
	assert_int_equal(st.code, STATUS_OK);
	assert_int_equal(calendar_closure_count(cal[0]), 1);
	assert_int_equal(calendar_closure_count(cal[1]), 0);
	assert_int_equal(calendar_closure_count(cal[2]), 1);
	/* n = 0 reads the file and changes nothing. */
	assert_int_equal(calendar_load_directory_all(cal, ids, 0, tmpdir, &st), 0);
	ids[0] = "school-b";
	ids[1] = "camhs";
	assert_int_equal(calendar_load_directory_all(cal, ids, 3, tmpdir, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_non_null(strstr(st.text, "agencies[2].calendar.closures[0].from"));
	assert_non_null(strstr(st.text, "and 1 more error"));
	ids[0] = "camhs";
	assert_int_equal(calendar_load_directory_all(cal, ids, 1, tmpdir, &st), -1);
	assert_int_equal(st.code, STATUS_UNKNOWN_AGENCY);
	assert_int_equal(calendar_load_directory_all(cal, ids, 1, "/nonexistent-dir", &st), -1);
	assert_int_equal(st.code, STATUS_UNAVAILABLE);
	for (i = 0; i < 3; i++)
		calendar_destroy(&cal[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(holiday_file_errors),
		cmocka_unit_test(missing_holiday_file_is_421),
		cmocka_unit_test(agency_calendar_errors),
		cmocka_unit_test(shipped_data_matches_the_rules),
		cmocka_unit_test(one_off_holidays_are_data),
		cmocka_unit_test(agency_calendar_settings),
		cmocka_unit_test(directory_calendars),
		cmocka_unit_test(directory_calendars_all),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
