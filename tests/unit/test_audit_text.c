/* SPDX-License-Identifier: ISC */
/* Unit tests for how dutynet-audit writes and reads values: audit/show.c
 * (durations, untrusted text made printable), audit/jsonout.c (JSON that
 * always parses, whatever bytes a tampered database holds) and
 * audit/when.c (command-line dates in London time, clock durations), with
 * every refusal's status code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "audit/jsonout.c"
#include "audit/show.c"
#include "audit/when.c"
#include "common/clock.h"

#define MS_MIN 60000LL
#define MS_HOUR 3600000LL
#define MS_DAY 86400000LL

/* What fn wrote, as a string the caller frees. */
static char *
capture(void (*fn)(FILE *, const void *), const void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fn(f, arg);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void
write_string(FILE *f, const void *s)
{
	jsonout_string(f, s);
}

static void
durations_for_people(void **state)
{
	char out[SHOW_DURATION_LEN];

	(void)state;
	assert_string_equal(show_duration(0, out), "0 min");
	assert_string_equal(show_duration(59999, out), "< 1 min");
	assert_string_equal(show_duration(-1, out), "-< 1 min");
	assert_string_equal(show_duration(45 * MS_MIN + 59999, out), "45 min");
	assert_string_equal(show_duration(MS_HOUR, out), "1 h 00 min");
	assert_string_equal(show_duration(3 * MS_HOUR + 5 * MS_MIN, out), "3 h 05 min");
	assert_string_equal(show_duration(2 * MS_DAY + 20 * MS_HOUR, out), "2 d 20 h 00 min");
	assert_string_equal(show_duration(-90 * MS_MIN, out), "-1 h 30 min");
	show_duration(INT64_MIN, out);	/* its magnitude does not fit int64_t */
	assert_true(out[0] == '-' && strstr(out, " d ") != NULL);
}

static void
untrusted_text_is_printable_and_cut(void **state)
{
	char out[SHOW_QUOTE_LEN], big[SHOW_QUOTE_MAX * 2];

	(void)state;
	assert_string_equal(show_quote(NULL, out), "");
	assert_string_equal(show_quote("a\033[2Jb\nc", out), "a?[2Jb?c");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	show_quote(big, out);
	assert_int_equal(strlen(out), SHOW_QUOTE_MAX + 3);
	assert_string_equal(out + SHOW_QUOTE_MAX, "...");
}

static void
times_ids_and_hex(void **state)
{
	static const uint8_t id[IDS_MSGID_BYTES] = {0x01, 0x90, 0, 0, 0, 0, 0x70, 0, 0x80};
	char t[RFC3339_LEN], m[IDS_MSGID_TEXT + 1], h[5];
	static const uint8_t b[] = {0xab, 0x01};

	(void)state;
	assert_string_equal(show_time(0, t), "-");
	assert_string_equal(show_time(1767603600000ULL, t), "2026-01-05T09:00:00Z");
	assert_string_equal(show_msgid(id, m), "01900000-0000-7000-8000-000000000000");
	assert_string_equal(show_hex(b, sizeof(b), h), "ab01");
}

static void
json_strings_always_parse(void **state)
{
	char *s;

	(void)state;
	s = capture(write_string, NULL);
	assert_string_equal(s, "null");
	free(s);
	s = capture(write_string, "say \"hi\"\\ \n\t\x01\x7f");
	assert_string_equal(s, "\"say \\\"hi\\\"\\\\ \\n\\u0009\\u0001\\u007f\"");
	free(s);
	/* Valid UTF-8 passes; invalid bytes become U+FFFD, one each. */
	s = capture(write_string, "caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x98\x80");
	assert_string_equal(s, "\"caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x98\x80\"");
	free(s);
	s = capture(write_string, "a\xff" "b\xc3" "c\xed\xa0\x80" "d\xc0\xaf");
	assert_string_equal(s, "\"a\\ufffdb\\ufffdc\\ufffd\\ufffd\\ufffdd\\ufffd\\ufffd\"");
	free(s);
}

static void
write_others(FILE *f, const void *unused)
{
	static const uint8_t id[IDS_MSGID_BYTES] = {1};
	static const uint8_t b[] = {0, 0xff};

	(void)unused;
	jsonout_hex(f, b, sizeof(b));
	jsonout_msgid(f, NULL);
	jsonout_msgid(f, id);
	jsonout_time(f, 0);
	jsonout_time(f, 1767603600000ULL);
}

static void
json_other_values(void **state)
{
	char *s;

	(void)state;
	s = capture(write_others, NULL);
	assert_string_equal(s, "\"00ff\"null\"01000000-0000-0000-0000-000000000000\"null"
	    "\"2026-01-05T09:00:00Z\"");
	free(s);
}

static void
when_refuses_what_it_cannot_read(void **state)
{
	struct status st;
	uint64_t ms;

	(void)state;
	assert_int_equal(when_parse("yesterday", WHEN_START, &ms, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_non_null(strstr(st.text, "'yesterday'"));
	assert_int_equal(when_parse("2026-02-30", WHEN_START, &ms, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_int_equal(when_parse("2026-01-05T25:00:00Z", WHEN_START, &ms, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_int_equal(when_duration_parse("1 working day", &ms, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_int_equal(when_duration_parse("2 days", &ms, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_int_equal(when_duration_parse("", &ms, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
}

static void
when_dates_are_london_days(void **state)
{
	struct status st;
	uint64_t ms;

	(void)state;
	/* Winter: London is UTC. */
	assert_int_equal(when_parse("2026-01-05", WHEN_START, &ms, &st), 0);
	assert_true(ms == 1767571200000ULL);
	assert_int_equal(when_parse("2026-01-11", WHEN_END, &ms, &st), 0);
	assert_true(ms == 1768176000000ULL);	/* 2026-01-12T00:00Z */
	/* Summer: midnight in London is 23:00 UTC the day before. */
	assert_int_equal(when_parse("2026-07-01", WHEN_START, &ms, &st), 0);
	assert_true(ms == 1782860400000ULL);	/* 2026-06-30T23:00Z */
	assert_int_equal(when_parse("2026-07-01T12:00:00+01:00", WHEN_END, &ms, &st), 0);
	assert_true(ms == 1782903600000ULL);	/* as given, whatever the edge */
	clock_set_fixed(1767603600000ULL);
	assert_int_equal(when_parse("now", WHEN_END, &ms, &st), 0);
	assert_true(ms == 1767603600000ULL);
	assert_int_equal(when_duration_parse("0", &ms, &st), 0);
	assert_true(ms == 0);
	assert_int_equal(when_duration_parse("90 minutes", &ms, &st), 0);
	assert_true(ms == 90 * MS_MIN);
	assert_int_equal(when_duration_parse("2 hours", &ms, &st), 0);
	assert_true(ms == 2 * MS_HOUR);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(durations_for_people),
		cmocka_unit_test(untrusted_text_is_printable_and_cut),
		cmocka_unit_test(times_ids_and_hex),
		cmocka_unit_test(json_strings_always_parse),
		cmocka_unit_test(json_other_values),
		cmocka_unit_test(when_refuses_what_it_cannot_read),
		cmocka_unit_test(when_dates_are_london_days),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
