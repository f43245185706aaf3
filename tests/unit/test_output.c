/* SPDX-License-Identifier: ISC */
/* Unit tests for agents/output.c: the buffer grows, JSON strings are
 * escaped so any text (a name with a quote, a summary with a newline or a
 * control byte) stays one valid JSON value, times are rendered, and the
 * "label: value" lines of `dutynet show` line up and leave out an empty
 * optional field.  The unit under test is included. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "agents/output.c"

static void
json_strings_are_escaped(void **state)
{
	struct output o;

	(void)state;
	output_init(&o, true);
	assert_true(o.json);
	output_json_str(&o, "a \"quoted\" \\ name\nline\ttab\r\x01\x7f é");
	assert_string_equal(o.buf,
	    "\"a \\\"quoted\\\" \\\\ name\\nline\\ttab\\r\\u0001\\u007f é\"");
	output_reset(&o);
	assert_int_equal(o.len, 0);
	output_json_str(&o, NULL);
	assert_string_equal(o.buf, "null");
	output_reset(&o);
	output_json_strn(&o, "abc", 2);
	assert_string_equal(o.buf, "\"ab\"");
	output_free(&o);
	assert_null(o.buf);
}

static void
keys_and_values(void **state)
{
	struct output o;
	uint8_t id[IDS_MSGID_BYTES];

	(void)state;
	output_init(&o, true);
	memset(id, 0, sizeof(id));
	id[6] = 0x70;
	id[8] = 0x80;
	output_printf(&o, "{");
	output_json_key_str(&o, true, "to", "mash");
	output_json_key_uint(&o, false, "n", 42);
	output_json_key_time(&o, false, "at", 1700000000123ull);
	output_json_key_time(&o, false, "never", 0);
	output_json_key_id(&o, false, "id", id);
	output_json_key_id(&o, false, "none", NULL);
	output_printf(&o, "}");
	assert_string_equal(o.buf,
	    "{\"to\": \"mash\", \"n\": 42, \"at\": \"2023-11-14T22:13:20.123Z\", \"never\": null, "
	    "\"id\": \"00000000-0000-7000-8000-000000000000\", \"none\": null}");
	output_free(&o);
}

static void
buffer_grows_past_its_first_size(void **state)
{
	struct output o;
	size_t i;

	(void)state;
	output_init(&o, false);
	for (i = 0; i < OUTPUT_FIRST_CAP; i++)
		output_printf(&o, "%zu,", i % 10);
	assert_false(o.failed);
	assert_int_equal(o.len, 2 * OUTPUT_FIRST_CAP);
	assert_int_equal(strlen(o.buf), o.len);
	assert_memory_equal(o.buf + o.len - 4, "2,3,", 4);
	output_free(&o);
}

static void
times_for_people_are_london_time(void **state)
{
	char t[OUTPUT_TIME_LEN];

	(void)state;
	output_time(0, t);
	assert_string_equal(t, "-");
	output_time(1700000000000ull, t);	/* November: GMT */
	assert_string_equal(t, "2023-11-14T22:13:20Z");
	output_time(1690000000000ull, t);	/* July: BST */
	assert_string_equal(t, "2023-07-22T05:26:40+01:00");
}

static void
short_times_for_pages_are_london_wall_time(void **state)
{
	char t[OUTPUT_TIME_SHORT_LEN];

	(void)state;
	output_time_short(0, t);
	assert_string_equal(t, "-");
	output_time_short(1700000000000ull, t);	/* 2023-11-14T22:13:20Z, GMT */
	assert_string_equal(t, "Tue 14 Nov 2023 22:13");
	output_time_short(1690000000000ull, t);	/* 2023-07-22T04:26:40Z, BST */
	assert_string_equal(t, "Sat 22 Jul 2023 05:26");
	/* 23:30 UTC on a summer Friday is already Saturday in London. */
	output_time_short(1689982200000ull, t);	/* 2023-07-21T23:30:00Z */
	assert_string_equal(t, "Sat 22 Jul 2023 00:30");
	/* Seconds are dropped, not rounded; single-digit days have no zero. */
	output_time_short(1704153599999ull, t);	/* 2024-01-01T23:59:59.999Z */
	assert_string_equal(t, "Mon 1 Jan 2024 23:59");
	/* The clocks go back at 01:00 UTC on 2023-10-29: 01:30 happens twice. */
	output_time_short(1698539400000ull, t);	/* 00:30Z, BST */
	assert_string_equal(t, "Sun 29 Oct 2023 01:30");
	output_time_short(1698543000000ull, t);	/* 01:30Z, GMT */
	assert_string_equal(t, "Sun 29 Oct 2023 01:30");
	output_time_short(4102444740000ull, t);	/* 2099-12-31T23:59Z, longest form */
	assert_string_equal(t, "Thu 31 Dec 2099 23:59");
	assert_true(strlen(t) < OUTPUT_TIME_SHORT_LEN);
}

static void
spans_for_people_to_the_minute(void **state)
{
	char t[OUTPUT_SPAN_LEN];
	struct output o;

	(void)state;
	output_span(0, t);
	assert_string_equal(t, "under a minute");
	output_span(59999, t);
	assert_string_equal(t, "under a minute");
	output_span(60000, t);
	assert_string_equal(t, "1m");
	output_span(-(2 * 3600000 + 5 * 60000), t);	/* how late: the size only */
	assert_string_equal(t, "2h 5m");
	output_span(3600000, t);
	assert_string_equal(t, "1h");
	output_span((3LL * 24 + 4) * 3600000 + 5 * 60000 + 999, t);
	assert_string_equal(t, "3d 4h 5m");
	output_span(24LL * 3600000 + 60000, t);
	assert_string_equal(t, "1d 1m");
	output_init(&o, true);
	output_json_key_int(&o, true, "late", -5);
	output_json_key_int(&o, false, "early", 7);
	assert_string_equal(o.buf, "\"late\": -5, \"early\": 7");
	output_free(&o);
}

static void
fields_line_up_and_empty_ones_are_left_out(void **state)
{
	struct output o;

	(void)state;
	output_init(&o, false);
	output_field(&o, "reason", "", 0);
	output_field(&o, "reason", NULL, 0);
	assert_int_equal(o.len, 0);
	output_field(&o, "reason", "Needs a mental health assessment", 5);
	output_field(&o, "lawful basis", "Children Act 1989 s17", 21);
	output_field(&o, "a label wider than the column", "x", 1);
	assert_string_equal(o.buf,
	    "reason:       Needs\n"
	    "lawful basis: Children Act 1989 s17\n"
	    "a label wider than the column: x\n");
	output_free(&o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(json_strings_are_escaped),
		cmocka_unit_test(keys_and_values),
		cmocka_unit_test(buffer_grows_past_its_first_size),
		cmocka_unit_test(times_for_people_are_london_time),
		cmocka_unit_test(short_times_for_pages_are_london_wall_time),
		cmocka_unit_test(spans_for_people_to_the_minute),
		cmocka_unit_test(fields_line_up_and_empty_ones_are_left_out),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
