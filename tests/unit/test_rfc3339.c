/* SPDX-License-Identifier: ISC */
/* Unit tests for config/rfc3339.c: instants as text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "config/civil.h"
#include "config/rfc3339.h"

/* 2024-11-29T16:55:00Z */
#define FRIDAY_1655 (20056LL * CIVIL_MS_PER_DAY + 16 * CIVIL_MS_PER_HOUR + \
		     55 * CIVIL_MS_PER_MINUTE)

static void
bad_text_is_504_and_quoted(void **state)
{
	static const char *const bad[] = {
	    "", "2024-11-29", "2024-11-29T16:55:00", "2024-11-29T16:55Z",
	    "2024-11-29T16:55:00+01", "2024-11-29T16:55:00+1:00", "2024-11-29T16:55:00+0100",
	    "2024-11-29T16:55:00+24:00", "2024-11-29T16:55:00+01:60", "2024-11-29T24:00:00Z",
	    "2024-11-29T16:60:00Z", "2024-11-29T16:55:60Z", "2024-11-29X16:55:00Z",
	    "2024-02-30T16:55:00Z", "2024-11-29T16:55:00.Z", "2024-11-29T16:55:00ZZ",
	    "2024-11-29T16:55:00Z ", " 2024-11-29T16:55:00Z", "2024-11-29T1:55:00Z",
	    "1969-12-31T23:59:59Z", "friday at five",
	};
	struct status st;
	uint64_t ms = 7;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		st.code = 0;
		assert_int_equal(rfc3339_parse(bad[i], &ms, &st), -1);
		assert_int_equal(st.code, STATUS_BAD_FIELD);
		assert_non_null(strstr(st.text, bad[i]));
		assert_int_equal(ms, 7);
	}
	/* Before the epoch once the offset is applied. */
	assert_int_equal(rfc3339_parse("1970-01-01T00:30:00+01:00", &ms, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_non_null(strstr(st.text, "before 1970"));
}

static void
accepted_spellings(void **state)
{
	static const struct {
		const char *text;
		int64_t ms;
	} ok[] = {
	    {"2024-11-29T16:55:00Z", FRIDAY_1655},
	    {"2024-11-29t16:55:00z", FRIDAY_1655},
	    {"2024-11-29 16:55:00Z", FRIDAY_1655},
	    {"2024-11-29T16:55:00+00:00", FRIDAY_1655},
	    {"2024-11-29T16:55:00-00:00", FRIDAY_1655},
	    {"2024-11-29T17:55:00+01:00", FRIDAY_1655},
	    {"2024-11-29T11:55:00-05:00", FRIDAY_1655},
	    {"2024-11-30T02:25:00+09:30", FRIDAY_1655},
	    {"2024-11-29T16:55:00.5Z", FRIDAY_1655 + 500},
	    {"2024-11-29T16:55:00.123Z", FRIDAY_1655 + 123},
	    {"2024-11-29T16:55:00.123999999Z", FRIDAY_1655 + 123},
	    {"1970-01-01T00:00:00Z", 0},
	};
	struct status st;
	uint64_t ms;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(rfc3339_parse(ok[i].text, &ms, &st), 0);
		assert_int_equal(ms, ok[i].ms);
	}
}

static void
format_utc_and_offset(void **state)
{
	char out[RFC3339_LEN];
	struct status st;
	uint64_t ms;

	(void)state;
	rfc3339_format(FRIDAY_1655, out);
	assert_string_equal(out, "2024-11-29T16:55:00Z");
	rfc3339_format(FRIDAY_1655 + 7, out);
	assert_string_equal(out, "2024-11-29T16:55:00.007Z");
	rfc3339_format(FRIDAY_1655 + 999, out);
	assert_string_equal(out, "2024-11-29T16:55:00.999Z");
	rfc3339_format(0, out);
	assert_string_equal(out, "1970-01-01T00:00:00Z");
	rfc3339_format_offset(FRIDAY_1655, CIVIL_MS_PER_HOUR, out);
	assert_string_equal(out, "2024-11-29T17:55:00+01:00");
	rfc3339_format_offset(FRIDAY_1655, -(5 * CIVIL_MS_PER_HOUR + 30 * CIVIL_MS_PER_MINUTE), out);
	assert_string_equal(out, "2024-11-29T11:25:00-05:30");
	rfc3339_format_offset(FRIDAY_1655, 8 * CIVIL_MS_PER_HOUR, out);
	assert_string_equal(out, "2024-11-30T00:55:00+08:00");
	/* What is written reads back to the same instant. */
	rfc3339_format_offset(FRIDAY_1655 + 250, -(5 * CIVIL_MS_PER_HOUR), out);
	assert_int_equal(rfc3339_parse(out, &ms, &st), 0);
	assert_int_equal(ms, FRIDAY_1655 + 250);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bad_text_is_504_and_quoted),
		cmocka_unit_test(accepted_spellings),
		cmocka_unit_test(format_utc_and_offset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
