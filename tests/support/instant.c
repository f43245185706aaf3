/* SPDX-License-Identifier: ISC */
/*
 * instant: fixed instants and a school's contact windows for tests (see
 * instant.h).
 */
#include <stdio.h>
#include <stdlib.h>

#include "config/rfc3339.h"
#include "tests/support/instant.h"

uint64_t
instant_ms(const char *rfc3339)
{
	struct status st;
	uint64_t ms;

	if (rfc3339_parse(rfc3339, &ms, &st) != 0) {
		fprintf(stderr, "instant_ms: %s\n", st.text);
		abort();
	}
	return ms;
}

struct calendar *
instant_school_windows(void)
{
	const struct calendar_interval iv[] = {
		{INSTANT_BREAK_START, INSTANT_BREAK_END},
		{INSTANT_AFTER_START, INSTANT_AFTER_END},
	};
	struct calendar *cal = calendar_new_default();
	struct status st;
	int wd;

	if (cal == NULL)
		abort();
	for (wd = CIVIL_MONDAY; wd <= CIVIL_FRIDAY; wd++)
		if (calendar_set_hours(cal, (enum civil_weekday)wd, iv,
			sizeof(iv) / sizeof(iv[0]), &st) != 0) {
			fprintf(stderr, "instant_school_windows: %s\n", st.text);
			abort();
		}
	calendar_set_bank_holidays(cal, 0);
	return cal;
}
