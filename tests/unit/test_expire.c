/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for broker/expire.c's expiry times: a working-time expiry is
 * counted with the recipient's calendar (over weekends and closures), a
 * clock-time one on the clock, and without a calendar as 24-hour days.
 *
 * The broker's modules are not a library, so the unit under test is
 * compiled in here, as the fuzzers do with theirs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "broker/expire.c"
#include "broker/outcome.c"
#include "broker/store.c"
#include "config/rfc3339.h"

#define HOUR 3600000LL
#define MINUTE 60000LL

/* expire.c wakes sessions; there are none here. */
void
deliver_wake(struct deliver *d, const char *agency)
{
	(void)d;
	(void)agency;
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

static void
expiry_counts_the_recipients_working_time(void **state)
{
	struct settings_broker conf;
	struct calendar *office = calendar_new_default(), *school = calendar_new_default();
	struct status st;
	uint64_t fri = at("2024-06-07T16:00:00+01:00");

	(void)state;
	memset(&conf, 0, sizeof(conf));
	assert_int_equal(conf_duration_parse("5 working days", &conf.expiry, &st), 0);
	/* Five working days from Friday 16:00 is next Friday 16:00 ... */
	assert_int_equal(expire_at(&conf, office, fri),
	    at("2024-06-14T16:00:00+01:00"));
	/* ... a week later for a school closed for half term ... */
	assert_int_equal(calendar_add_closure(school, civil_days_from_date(2024, 6, 10),
	    civil_days_from_date(2024, 6, 14), "half term", &st), 0);
	assert_int_equal(expire_at(&conf, school, fri), at("2024-06-21T16:00:00+01:00"));
	/* ... and 5 x 24 hours without a calendar. */
	assert_int_equal(expire_at(&conf, NULL, fri), fri + 5 * 24 * HOUR);
	assert_int_equal(conf_duration_parse("90 minutes", &conf.expiry, &st), 0);
	assert_int_equal(expire_at(&conf, school, fri), fri + 90 * MINUTE);
	calendar_destroy(&school);
	calendar_destroy(&office);
}


int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(expiry_counts_the_recipients_working_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
