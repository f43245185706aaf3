/* SPDX-License-Identifier: ISC */
/* Unit tests for agents/afterhours.c: when an immediate or urgent message
 * to children's social care also goes to the emergency duty team - at 03:00
 * on a Sunday, at closing time, on Christmas Day - and when it does not
 * (office hours, standard urgency, another kind of agency), and which
 * agency that is.  The unit under test is included. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agents/afterhours.c"
#include "tests/support/confdir.h"
#include "tests/support/instant.h"

/* The edt entry added after the last agency of CONFDIR_DIRECTORY. */
static const char edt_entry[] =
    "\t},\n"
    "\t{\n"
    "\t\tid = \"edt\";\n"
    "\t\tname = \"Emergency Duty Team\";\n"
    "\t\tkind = \"emergency-duty-team\";\n"
    "\t\t@include \"keys/edt.pub\"\n"
    "\t\tcalendar = { hours = { mon = [ \"00:00-24:00\" ]; sun = [ \"00:00-24:00\" ]; }; };\n"
    "\t}\n"
    ");\n";

/* Loads an area, with an emergency duty team if with_edt. */
static void
area(bool with_edt, char **dir, struct directory **d, struct agencycal **c)
{
	struct conf_errors *errs = conf_errors_new();
	struct status st;
	char text[4096];
	const char *end;

	*dir = confdir_new();
	confdir_area(*dir);
	if (with_edt) {
		end = strstr(CONFDIR_DIRECTORY, "\t}\n);\n");
		assert_non_null(end);
		snprintf(text, sizeof(text), "%.*s%s", (int)(end - CONFDIR_DIRECTORY),
		    CONFDIR_DIRECTORY, edt_entry);
		confdir_keys(*dir, "edt", false);
		confdir_write(*dir, "directory.conf", text);
	}
	*d = directory_load(*dir, errs);
	assert_int_equal(conf_errors_count(errs), 0);
	conf_errors_destroy(&errs);
	assert_non_null(*c = agencycal_load(*dir, *d, agencycal_holidays_path(), &st));
}

static void
closed_means_no_working_time_at_that_instant(void **state)
{
	struct calendar *cal = calendar_new_default();	/* Mon-Fri 09:00-17:00 */

	(void)state;
	/* Sunday; Wednesday mid-morning, at opening, just before and at closing. */
	assert_true(afterhours_closed(cal, instant_ms("2025-06-15T03:00:00+01:00")));
	assert_false(afterhours_closed(cal, instant_ms("2025-06-11T11:00:00+01:00")));
	assert_false(afterhours_closed(cal, instant_ms("2025-06-11T09:00:00+01:00")));
	assert_true(afterhours_closed(cal, instant_ms("2025-06-11T08:59:59.999+01:00")));
	assert_false(afterhours_closed(cal, instant_ms("2025-06-11T16:59:59.999+01:00")));
	assert_true(afterhours_closed(cal, instant_ms("2025-06-11T17:00:00+01:00")));
	calendar_destroy(&cal);
}

static void
urgent_to_closed_social_care_is_copied(void **state)
{
	const struct directory_agency *mash, *camhs;
	uint64_t sunday = instant_ms("2025-06-15T03:00:00+01:00");
	uint64_t evening = instant_ms("2025-06-11T19:30:00+01:00");
	uint64_t christmas = instant_ms("2025-12-25T11:00:00Z");	/* a bank holiday */
	uint64_t morning = instant_ms("2025-06-11T11:00:00+01:00");
	struct agencycal *c;
	struct directory *d;
	char *dir;

	(void)state;
	area(true, &dir, &d, &c);
	mash = directory_find(d, "mash");
	camhs = directory_find(d, "camhs");
	assert_true(afterhours_due(c, mash, URGENCY_IMMEDIATE, sunday));
	assert_true(afterhours_due(c, mash, URGENCY_URGENT, evening));
	assert_true(afterhours_due(c, mash, URGENCY_URGENT, christmas));
	/* Office hours, lower urgency, or not social care: no copy. */
	assert_false(afterhours_due(c, mash, URGENCY_IMMEDIATE, morning));
	assert_false(afterhours_due(c, mash, URGENCY_STANDARD, sunday));
	assert_false(afterhours_due(c, mash, URGENCY_ROUTINE, sunday));
	assert_false(afterhours_due(c, camhs, URGENCY_IMMEDIATE, sunday));
	assert_string_equal(afterhours_team(d)->id, "edt");
	agencycal_destroy(&c);
	directory_destroy(&d);
	confdir_destroy(&dir);
}

static void
an_area_without_a_duty_team_has_none(void **state)
{
	struct agencycal *c;
	struct directory *d;
	char *dir;

	(void)state;
	area(false, &dir, &d, &c);
	assert_null(afterhours_team(d));
	agencycal_destroy(&c);
	directory_destroy(&d);
	confdir_destroy(&dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(closed_means_no_working_time_at_that_instant),
		cmocka_unit_test(urgent_to_closed_social_care_is_copied),
		cmocka_unit_test(an_area_without_a_duty_team_has_none),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
