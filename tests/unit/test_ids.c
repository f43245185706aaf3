/* SPDX-License-Identifier: ISC */
/* Unit tests for proto/ids.c: every rule of agency and case ids with its
 * exact text, and UUIDv7 message ids byte by byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "proto/ids.h"

/* Checks s is rejected with 504 and a text containing want. */
static void
agency_bad(const char *s, size_t len, const char *want)
{
	struct status st = {0};

	assert_int_equal(ids_agency_valid(s, len, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	if (strstr(st.text, want) == NULL)
		fail_msg("text \"%s\" lacks \"%s\"", st.text, want);
}

static void
case_bad(const char *s, size_t len, const char *want)
{
	struct status st = {0};

	assert_int_equal(ids_case_valid(s, len, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	if (strstr(st.text, want) == NULL)
		fail_msg("text \"%s\" lacks \"%s\"", st.text, want);
}

static void
agency_rejects_each_rule(void **state)
{
	struct status st;
	char big[200];

	(void)state;
	assert_int_equal(ids_agency_valid("School_1", 8, &st), -1);
	assert_int_equal(st.code, 504);
	assert_string_equal(st.text, "agency id 'School_1' has invalid character '_' at position 6 "
				     "(use a-z, 0-9 and '-')");
	agency_bad("", 0, "agency id is empty");
	agency_bad(NULL, 0, "agency id is empty");
	agency_bad("ab", 2, "agency id 'ab' is 2 bytes long (use 3 to 32");
	memset(big, 'a', 33);
	agency_bad(big, 33, "is 33 bytes long");
	agency_bad("School-1", 8, "agency id 'School-1' has uppercase letter 'S' at position 0");
	agency_bad("schooL", 6, "uppercase letter 'L' at position 5");
	agency_bad("1school", 7, "agency id '1school' must start with a letter a-z, not '1'");
	agency_bad("-school", 7, "must start with a letter a-z, not '-'");
	agency_bad("school-", 7, "agency id 'school-' must not end with '-'");
	agency_bad("sch--ool", 8, "agency id 'sch--ool' has '--' at position 3 (use single hyphens)");
	agency_bad("sch.ool", 7, "invalid character '.' at position 3");
	agency_bad("sch ool", 7, "invalid character ' ' at position 3");
	/* A length counts, not a NUL: the NUL inside is a bad byte. */
	agency_bad("abc\0def", 7, "agency id 'abc\\x00def' has invalid character '\\x00' at "
				  "position 3");
	agency_bad("caf\xc3\xa9", 5, "'caf\\xc3\\xa9' has invalid character '\\xc3' at position 3");
	agency_bad("ab'c", 4, "agency id 'ab\\x27c' has invalid character '\\x27' at position 2");
	agency_bad("ab\\c", 4, "'ab\\x5cc'");
	agency_bad("ab\nc", 4, "'ab\\x0ac'");
}

static void
quoted_values_are_cut_to_fit(void **state)
{
	struct status st;
	char big[200];

	(void)state;
	/* 200 non-printable bytes would escape to 800 characters; the value
	 * is cut so the rule after it still fits in the status. */
	memset(big, 0x01, sizeof(big));
	assert_int_equal(ids_agency_valid(big, sizeof(big), &st), -1);
	assert_non_null(strstr(st.text, "\\x01\\x01..."));
	assert_non_null(strstr(st.text, "is 200 bytes long (use 3 to 32 characters"));
	assert_true(strlen(st.text) < STATUS_TEXT_LEN - 1);
	assert_int_equal(st.text[strlen(st.text) - 1], ')');
	memset(big, 'x', sizeof(big));
	assert_int_equal(ids_case_valid(big, 100, &st), -1);
	assert_non_null(strstr(st.text, "xxx...' is 100 bytes long"));
}

static void
agency_accepts_valid(void **state)
{
	struct status st = {0};
	char big[IDS_AGENCY_MAX];

	(void)state;
	assert_int_equal(ids_agency_valid("abc", 3, &st), 0);
	assert_int_equal(ids_agency_valid("school-001", 10, &st), 0);
	assert_int_equal(ids_agency_valid("a1-b2-c3", 8, &st), 0);
	memset(big, 'z', sizeof(big));
	assert_int_equal(ids_agency_valid(big, sizeof(big), &st), 0);
	/* Only len bytes count: what follows is not looked at. */
	assert_int_equal(ids_agency_valid("mash_", 4, &st), 0);
	assert_int_equal(ids_agency_valid("mash", 4, NULL), 0);
	assert_int_equal(ids_agency_valid("MASH", 4, NULL), -1);
}

static void
case_rejects_each_rule(void **state)
{
	struct status st;
	char big[IDS_CASE_MAX + 1];

	(void)state;
	assert_int_equal(ids_case_valid("CASE 1", 6, &st), -1);
	assert_int_equal(st.code, 504);
	assert_string_equal(st.text, "case id 'CASE 1' has invalid character ' ' at position 4 "
				     "(use A-Z, a-z, 0-9, '.', '_', ':' and '-')");
	case_bad("", 0, "case id is empty (use 1 to 64 characters");
	memset(big, 'C', sizeof(big));
	case_bad(big, sizeof(big), "is 65 bytes long (use at most 64)");
	case_bad("-abc", 4, "case id '-abc' must start with a letter or digit, not '-'");
	case_bad(".abc", 4, "not '.'");
	case_bad("_abc", 4, "not '_'");
	case_bad(":abc", 4, "not ':'");
	case_bad("ab/c", 4, "invalid character '/' at position 2");
	case_bad("ab\x7f", 3, "invalid character '\\x7f' at position 2");
}

static void
case_accepts_valid(void **state)
{
	struct status st = {0};
	char big[IDS_CASE_MAX];

	(void)state;
	assert_int_equal(ids_case_valid("A", 1, &st), 0);
	assert_int_equal(ids_case_valid("9", 1, &st), 0);
	assert_int_equal(ids_case_valid("2024:CASE-01.b_c", 16, &st), 0);
	memset(big, 'q', sizeof(big));
	assert_int_equal(ids_case_valid(big, sizeof(big), &st), 0);
}

static void
msgid_from_lays_out_every_bit(void **state)
{
	static const uint8_t ones[10] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff};
	static const uint8_t zeros[10] = {0};
	static const uint8_t seq[10] = {0x1a, 0x2b, 0x3c, 0x4d, 0x5e, 0x6f, 0x70, 0x81, 0x92,
	    0xa3};
	static const uint8_t want_ones[16] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0x7f, 0xff,
	    0xbf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	static const uint8_t want_zeros[16] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0x70, 0x00,
	    0x80, 0, 0, 0, 0, 0, 0, 0};
	static const uint8_t want_seq[16] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0x7a, 0x2b,
	    0xbc, 0x4d, 0x5e, 0x6f, 0x70, 0x81, 0x92, 0xa3};
	uint8_t id[IDS_MSGID_BYTES];
	char text[IDS_MSGID_TEXT + 1];

	(void)state;
	ids_msgid_from(0x0123456789abULL, ones, id);
	assert_memory_equal(id, want_ones, 16);
	ids_msgid_from(0x0123456789abULL, zeros, id);
	assert_memory_equal(id, want_zeros, 16);
	ids_msgid_from(0x0123456789abULL, seq, id);
	assert_memory_equal(id, want_seq, 16);
	assert_true(ids_msgid_time(id) == 0x0123456789abULL);
	ids_msgid_format(id, text);
	assert_string_equal(text, "01234567-89ab-7a2b-bc4d-5e6f708192a3");
	/* The largest 48-bit time. */
	ids_msgid_from(0xffffffffffffULL, zeros, id);
	assert_true(ids_msgid_time(id) == 0xffffffffffffULL);
	ids_msgid_from(0, zeros, id);
	assert_true(ids_msgid_time(id) == 0);
}

static void
msgid_new_is_random_v7(void **state)
{
	uint8_t a[IDS_MSGID_BYTES], b[IDS_MSGID_BYTES];
	uint64_t now = 1700000000123ULL;

	(void)state;
	ids_msgid_new(now, a);
	ids_msgid_new(now, b);
	assert_true(ids_msgid_valid(a));
	assert_true(ids_msgid_valid(b));
	assert_true(ids_msgid_time(a) == now);
	assert_true(ids_msgid_time(b) == now);
	/* Same millisecond, 74 random bits: equal only by a 2^-74 accident. */
	assert_memory_not_equal(a, b, IDS_MSGID_BYTES);
	/* Ids sort by time bytewise. */
	ids_msgid_new(now + 1, b);
	assert_true(memcmp(a, b, IDS_MSGID_BYTES) < 0);
}

static void
msgid_valid_checks_version_and_variant(void **state)
{
	uint8_t id[IDS_MSGID_BYTES];
	static const uint8_t zeros[10] = {0};

	(void)state;
	ids_msgid_from(1, zeros, id);
	assert_int_equal(ids_msgid_valid(id), 1);
	id[6] = 0x40;	/* version 4 */
	assert_int_equal(ids_msgid_valid(id), 0);
	id[6] = 0x70;
	id[8] = 0xc0;	/* variant 11 */
	assert_int_equal(ids_msgid_valid(id), 0);
	id[8] = 0x00;	/* variant 0 */
	assert_int_equal(ids_msgid_valid(id), 0);
	id[8] = 0xbf;
	assert_int_equal(ids_msgid_valid(id), 1);
}

/* Checks s is rejected with 504, a text containing want, id untouched. */
static void
parse_bad(const char *s, const char *want)
{
	struct status st = {0};
	uint8_t id[IDS_MSGID_BYTES];

	memset(id, 0x5a, sizeof(id));
	assert_int_equal(ids_msgid_parse(s, id, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	if (strstr(st.text, want) == NULL)
		fail_msg("text \"%s\" lacks \"%s\"", st.text, want);
	assert_int_equal(id[0], 0x5a);
	assert_int_equal(id[15], 0x5a);
}

static void
msgid_parse_rejects(void **state)
{
	(void)state;
	parse_bad("", "message id '' is not 36 characters");
	parse_bad("01234567-89ab-7a2b-bc4d-5e6f708192a", "is not 36 characters");
	parse_bad("01234567-89ab-7a2b-bc4d-5e6f708192a30", "is not 36 characters");
	parse_bad("01234567089ab-7a2b-bc4d-5e6f708192a3", "has '0' at position 8");
	parse_bad("0123456-789ab-7a2b-bc4d-5e6f708192a3", "has '-' at position 7");
	parse_bad("01234567-89ab-7a2b-bc4d-5e6f708192-3", "has '-' at position 34");
	parse_bad("01234567-89ab-7a2b-bc4d-5e6f708192g3", "non-hex character 'g' at position 34");
	parse_bad("01234567-89ab-7a2b-bc4d-5e6f708192ag", "non-hex character 'g' at position 35");
	parse_bad("01234567-89ab-7a2b-bc4d-5e6f708192a\x01",
	    "non-hex character '\\x01' at position 35");
	/* A random (version 4) UUID, and v7 with the wrong variant. */
	parse_bad("550e8400-e29b-41d4-a716-446655440000",
	    "message id '550e8400-e29b-41d4-a716-446655440000' is not a UUIDv7 (version 4, "
	    "variant bits 10");
	parse_bad("01234567-89ab-7a2b-cc4d-5e6f708192a3", "(version 7, variant bits 11");
	parse_bad("01234567-89ab-7a2b-4c4d-5e6f708192a3", "(version 7, variant bits 01");
}

static void
msgid_format_and_parse_round_trip(void **state)
{
	static const uint8_t r[10] = {0xde, 0xad, 0xbe, 0xef, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55};
	uint8_t id[IDS_MSGID_BYTES], back[IDS_MSGID_BYTES];
	char text[IDS_MSGID_TEXT + 1], upper[IDS_MSGID_TEXT + 1];
	struct status st;
	size_t i;

	(void)state;
	ids_msgid_from(1700000000123ULL, r, id);
	ids_msgid_format(id, text);
	assert_int_equal(strlen(text), IDS_MSGID_TEXT);
	assert_string_equal(text, "018bcfe5-687b-7ead-beef-001122334455");
	assert_int_equal(ids_msgid_parse(text, back, &st), 0);
	assert_memory_equal(id, back, IDS_MSGID_BYTES);
	/* Uppercase hex parses to the same id. */
	for (i = 0; i <= IDS_MSGID_TEXT; i++)
		upper[i] = (text[i] >= 'a' && text[i] <= 'f') ? (char)(text[i] - 32) : text[i];
	assert_string_equal(upper, "018BCFE5-687B-7EAD-BEEF-001122334455");
	memset(back, 0, sizeof(back));
	assert_int_equal(ids_msgid_parse(upper, back, &st), 0);
	assert_memory_equal(id, back, IDS_MSGID_BYTES);
	for (i = 0; i < 100; i++) {
		ids_msgid_new(1700000000123ULL + i, id);
		ids_msgid_format(id, text);
		assert_int_equal(ids_msgid_parse(text, back, NULL), 0);
		assert_memory_equal(id, back, IDS_MSGID_BYTES);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(agency_rejects_each_rule),
		cmocka_unit_test(quoted_values_are_cut_to_fit),
		cmocka_unit_test(case_rejects_each_rule),
		cmocka_unit_test(msgid_parse_rejects),
		cmocka_unit_test(msgid_valid_checks_version_and_variant),
		cmocka_unit_test(agency_accepts_valid),
		cmocka_unit_test(case_accepts_valid),
		cmocka_unit_test(msgid_from_lays_out_every_bit),
		cmocka_unit_test(msgid_new_is_random_v7),
		cmocka_unit_test(msgid_format_and_parse_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
