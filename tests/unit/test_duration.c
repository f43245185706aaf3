/* SPDX-License-Identifier: ISC */
/* Unit tests for config/duration.c: the duration grammar. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "config/civil.h"
#include "config/duration.h"

#define MIN CIVIL_MS_PER_MINUTE
#define HOUR CIVIL_MS_PER_HOUR

static void
rejects_are_504_and_quote_the_text(void **state)
{
	static const char *const bad[] = {
	    "", "   ", "1", "hours", "1 fortnight", "1 hour 30 minutes", "1.5 hours",
	    "-1 hours", "+1 hours", "1 working", "working hours", "1 working weeks",
	    "one hour", "1 hourz", "end of 3 working day", "end of the 3rd day",
	    "end of the 3rd working days", "end 3rd working day", "by end 3rd working day",
	    "by the the end of the 1st working day", "end of the 1st working day please",
	    "1 working day by the end", "9999999999 hours", "1 hours working",
	};
	struct duration d = {DURATION_CLOCK, 7, 7};
	struct status st;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		st.code = 0;
		assert_int_equal(duration_parse(bad[i], &d, &st), -1);
		assert_int_equal(st.code, STATUS_BAD_FIELD);
		assert_non_null(strstr(st.text, bad[i]));
		/* Every "not understood" lists the accepted forms. */
		assert_true(strstr(st.text, "not understood") == NULL ||
		    strstr(st.text, "N working days") != NULL);
		assert_int_equal(d.ms, 7);
	}
}

static void
ambiguous_days_and_weeks_are_refused(void **state)
{
	struct duration d;
	struct status st;

	(void)state;
	assert_int_equal(duration_parse("1 day", &d, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_non_null(strstr(st.text, "'1 working day' or '24 hours'"));
	assert_int_equal(duration_parse("3 days", &d, &st), -1);
	assert_non_null(strstr(st.text, "'3 working days' or '72 hours'"));
	assert_int_equal(duration_parse("2 weeks", &d, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_non_null(strstr(st.text, "ambiguous"));
}

static void
out_of_range_is_504(void **state)
{
	static const char *const bad[] = {
	    "0 hours", "0 working days", "367 working days", "8785 hours",
	    "527041 minutes", "8785 working hours", "end of the 0th working day",
	    "end of the 367th working day",
	};
	struct duration d;
	struct status st;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(duration_parse(bad[i], &d, &st), -1);
		assert_int_equal(st.code, STATUS_BAD_FIELD);
		assert_non_null(strstr(st.text, "out of range"));
	}
	/* The limits themselves are accepted. */
	assert_int_equal(duration_parse("366 working days", &d, &st), 0);
	assert_int_equal(duration_parse("8784 hours", &d, &st), 0);
	assert_int_equal(d.ms, DURATION_MAX_MS);
}

static void
wrong_ordinal_suffix_names_the_right_one(void **state)
{
	struct duration d;
	struct status st;

	(void)state;
	assert_int_equal(duration_parse("end of the 3th working day", &d, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_non_null(strstr(st.text, "3rd"));
	assert_int_equal(duration_parse("end of the 11st working day", &d, &st), -1);
	assert_non_null(strstr(st.text, "11th"));
	assert_int_equal(duration_parse("end of the 22th working day", &d, &st), -1);
	assert_non_null(strstr(st.text, "22nd"));
}

static void
too_long_or_too_many_words(void **state)
{
	char text[DURATION_TEXT_MAX + 2];
	struct duration d;
	struct status st;

	(void)state;
	memset(text, ' ', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	memcpy(text, "1 hour", 6);
	assert_int_equal(duration_parse(text, &d, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	text[DURATION_TEXT_MAX] = '\0';
	assert_int_equal(duration_parse(text, &d, &st), 0);
	assert_int_equal(duration_parse("a b c d e f g h i", &d, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
}

static void
accepted_forms(void **state)
{
	static const struct {
		const char *text;
		enum duration_kind kind;
		int64_t ms;
		int days;
	} ok[] = {
	    {"1 hour", DURATION_CLOCK, HOUR, 0},
	    {"24 hours", DURATION_CLOCK, 24 * HOUR, 0},
	    {"90 minutes", DURATION_CLOCK, 90 * MIN, 0},
	    {"1 minute", DURATION_CLOCK, MIN, 0},
	    {"  1   HOUR ", DURATION_CLOCK, HOUR, 0},
	    {"1\thours", DURATION_CLOCK, HOUR, 0},
	    {"4 working hours", DURATION_WORKING, 4 * HOUR, 0},
	    {"30 Working Minutes", DURATION_WORKING, 30 * MIN, 0},
	    {"1 working day", DURATION_WORKING_DAYS, 0, 1},
	    {"45 working days", DURATION_WORKING_DAYS, 0, 45},
	    {"15 working day", DURATION_WORKING_DAYS, 0, 15},
	    {"007 working days", DURATION_WORKING_DAYS, 0, 7},
	    {"end of 3rd working day", DURATION_END_OF_DAY, 0, 3},
	    {"by the end of the 1st working day", DURATION_END_OF_DAY, 0, 1},
	    {"By The End Of The 2nd Working Day", DURATION_END_OF_DAY, 0, 2},
	    {"the end of 4th working day", DURATION_END_OF_DAY, 0, 4},
	    {"by end of the 11th working day", DURATION_END_OF_DAY, 0, 11},
	    {"end of the 12th working day", DURATION_END_OF_DAY, 0, 12},
	    {"end of the 13th working day", DURATION_END_OF_DAY, 0, 13},
	    {"end of the 21st working day", DURATION_END_OF_DAY, 0, 21},
	    {"end of the 22nd working day", DURATION_END_OF_DAY, 0, 22},
	    {"end of the 23rd working day", DURATION_END_OF_DAY, 0, 23},
	    {"end of the 101st working day", DURATION_END_OF_DAY, 0, 101},
	    {"end of the 111th working day", DURATION_END_OF_DAY, 0, 111},
	    {"end of the 112th working day", DURATION_END_OF_DAY, 0, 112},
	};
	struct duration d;
	struct status st;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		memset(&d, 0xff, sizeof(d));
		assert_int_equal(duration_parse(ok[i].text, &d, &st), 0);
		assert_int_equal(d.kind, ok[i].kind);
		assert_int_equal(d.ms, ok[i].ms);
		assert_int_equal(d.days, ok[i].days);
	}
}

static void
format_is_canonical_and_reads_back(void **state)
{
	static const struct {
		const char *text;
		const char *canonical;
	} ok[] = {
	    {"1 hours", "1 hour"},
	    {"120 minutes", "2 hours"},
	    {"90 MINUTES", "90 minutes"},
	    {"1 minutes", "1 minute"},
	    {"4 working hour", "4 working hours"},
	    {"75 working minutes", "75 working minutes"},
	    {"1 working days", "1 working day"},
	    {"45 working days", "45 working days"},
	    {"end of 1st working day", "by the end of the 1st working day"},
	    {"end of 2nd working day", "by the end of the 2nd working day"},
	    {"end of 3rd working day", "by the end of the 3rd working day"},
	    {"end of 12th working day", "by the end of the 12th working day"},
	};
	char out[DURATION_TEXT_LEN];
	struct duration d, back;
	struct status st;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(duration_parse(ok[i].text, &d, &st), 0);
		duration_format(&d, out);
		assert_string_equal(out, ok[i].canonical);
		assert_int_equal(duration_parse(out, &back, &st), 0);
		assert_int_equal(back.kind, d.kind);
		assert_int_equal(back.ms, d.ms);
		assert_int_equal(back.days, d.days);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rejects_are_504_and_quote_the_text),
		cmocka_unit_test(ambiguous_days_and_weeks_are_refused),
		cmocka_unit_test(out_of_range_is_504),
		cmocka_unit_test(wrong_ordinal_suffix_names_the_right_one),
		cmocka_unit_test(too_long_or_too_many_words),
		cmocka_unit_test(accepted_forms),
		cmocka_unit_test(format_is_canonical_and_reads_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
