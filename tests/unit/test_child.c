/* SPDX-License-Identifier: ISC */
/* Unit tests for proto/child.c: dates of birth, UPNs and NHS numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "proto/child.h"

#define S(lit) lit, sizeof(lit) - 1

static void
dob_rejects_bad_shapes(void **state)
{
	(void)state;
	assert_int_equal(child_dob_valid(NULL, 0), 0);
	assert_int_equal(child_dob_valid(S("")), 0);
	assert_int_equal(child_dob_valid(S("2024-1-01")), 0);
	assert_int_equal(child_dob_valid(S("2024-01-01 ")), 0);
	assert_int_equal(child_dob_valid(S("24-01-2024")), 0);
	assert_int_equal(child_dob_valid(S("2024/01/01")), 0);
	assert_int_equal(child_dob_valid(S("2024x01-01")), 0);
	assert_int_equal(child_dob_valid(S("+024-01-01")), 0);
	assert_int_equal(child_dob_valid(S("2024-0a-01")), 0);
	assert_int_equal(child_dob_valid(S("2024-01- 1")), 0);
	/* Only the first len bytes count: a valid date cut short is not one. */
	assert_int_equal(child_dob_valid("2024-01-01", 9), 0);
}

static void
dob_rejects_impossible_dates(void **state)
{
	(void)state;
	assert_int_equal(child_dob_valid(S("2023-02-29")), 0);	/* not a leap year */
	assert_int_equal(child_dob_valid(S("1900-02-29")), 0);	/* century, not /400 */
	assert_int_equal(child_dob_valid(S("2100-02-29")), 0);
	assert_int_equal(child_dob_valid(S("2024-02-30")), 0);
	assert_int_equal(child_dob_valid(S("2024-04-31")), 0);
	assert_int_equal(child_dob_valid(S("2024-00-10")), 0);
	assert_int_equal(child_dob_valid(S("2024-13-01")), 0);
	assert_int_equal(child_dob_valid(S("2024-01-00")), 0);
	assert_int_equal(child_dob_valid(S("2024-01-32")), 0);
	assert_int_equal(child_dob_valid(S("1899-12-31")), 0);
	assert_int_equal(child_dob_valid(S("2101-01-01")), 0);
	assert_int_equal(child_dob_valid(S("0000-01-01")), 0);
}

static void
dob_accepts_real_dates(void **state)
{
	(void)state;
	assert_int_equal(child_dob_valid(S("2024-02-29")), 1);
	assert_int_equal(child_dob_valid(S("2000-02-29")), 1);	/* divisible by 400 */
	assert_int_equal(child_dob_valid(S("1900-01-01")), 1);
	assert_int_equal(child_dob_valid(S("2100-12-31")), 1);
	assert_int_equal(child_dob_valid(S("2024-04-30")), 1);
	assert_int_equal(child_dob_valid(S("2015-09-17")), 1);
}

/* Counting every MM-DD a year accepts must give the length of that year. */
static int
days_in_year(int year)
{
	char s[16];
	int m, d, n = 0;

	for (m = 0; m <= 13; m++)
		for (d = 0; d <= 32; d++) {
			snprintf(s, sizeof(s), "%04d-%02d-%02d", year, m, d);
			n += child_dob_valid(s, strlen(s));
		}
	return n;
}

static void
dob_years_have_their_days(void **state)
{
	(void)state;
	assert_int_equal(days_in_year(2023), 365);
	assert_int_equal(days_in_year(2024), 366);
	assert_int_equal(days_in_year(1900), 365);
	assert_int_equal(days_in_year(2000), 366);
	assert_int_equal(days_in_year(2100), 365);
	assert_int_equal(days_in_year(1899), 0);
	assert_int_equal(days_in_year(2101), 0);
}

static void
upn_rules(void **state)
{
	(void)state;
	assert_int_equal(child_upn_valid(NULL, 0), 0);
	assert_int_equal(child_upn_valid(S("")), 0);
	assert_int_equal(child_upn_valid(S("a123456789012")), 0);	/* lowercase */
	assert_int_equal(child_upn_valid(S("1123456789012")), 0);	/* no letter */
	assert_int_equal(child_upn_valid(S("AB23456789012")), 0);
	assert_int_equal(child_upn_valid(S("A12345678901B")), 0);
	assert_int_equal(child_upn_valid(S("A12345678901")), 0);	/* 12 long */
	assert_int_equal(child_upn_valid(S("A1234567890123")), 0);	/* 14 long */
	assert_int_equal(child_upn_valid(S("A123456789012")), 1);
	assert_int_equal(child_upn_valid(S("Z000000000000")), 1);
}

/*
 * NHS numbers worked by hand: digits 1..9 times weights 10..2, summed;
 * check = 11 - (sum mod 11); 11 becomes 0; 10 means the stem is never issued.
 */
static const struct {
	const char *number;
	int valid;
} nhs_table[] = {
	/* 9*10+4*9+3*8+4*7+7*6+6*5+5*4+9*3+1*2 = 299; 299 mod 11 = 2; 11-2 = 9 */
	{"9434765919", 1},
	{"9434765918", 0},
	{"9434765910", 0},
	/* 4*10+0+1*8+0+2*6+3*5+2*4+1*3+3*2 = 92; 92 mod 11 = 4; 11-4 = 7 */
	{"4010232137", 1},
	{"4010232136", 0},
	/* 10+18+24+28+30+30+28+24+16 = 208; 208 mod 11 = 10; 11-10 = 1 */
	{"1234567881", 1},
	{"1234567882", 0},
	/* 90+72+56+42+30+20+12+6+2 = 330; 330 mod 11 = 0; 11 -> 0 */
	{"9876543210", 1},
	{"9876543211", 0},
	/* sum 0: 11 -> 0 */
	{"0000000000", 1},
	/* 10+18+24+28+30+30+28+24+18 = 210; 210 mod 11 = 1; 11-1 = 10: none */
	{"1234567890", 0},
	{"1234567891", 0},
	/* 6*2 = 12; 12 mod 11 = 1: none */
	{"0000000060", 0},
	/* shapes */
	{"943476591", 0},
	{"94347659190", 0},
	{"943 476 591", 0},
	{"943476591a", 0},
	{"", 0},
};

static void
nhs_table_check(void **state)
{
	size_t i;

	(void)state;
	assert_int_equal(child_nhs_valid(NULL, 0), 0);
	for (i = 0; i < sizeof(nhs_table) / sizeof(nhs_table[0]); i++) {
		const char *n = nhs_table[i].number;

		if (child_nhs_valid(n, strlen(n)) != nhs_table[i].valid)
			fail_msg("NHS number '%s': expected %s", n,
			    nhs_table[i].valid ? "valid" : "invalid");
	}
}

/* Exactly one check digit completes a stem whose check is not 10. */
static int
completions(const char *stem)
{
	char s[CHILD_NHS_BYTES + 1];
	int d, n = 0;

	for (d = 0; d <= 9; d++) {
		snprintf(s, sizeof(s), "%s%d", stem, d);
		n += child_nhs_valid(s, CHILD_NHS_BYTES);
	}
	return n;
}

static void
nhs_one_check_digit_per_stem(void **state)
{
	(void)state;
	assert_int_equal(completions("943476591"), 1);
	assert_int_equal(completions("401023213"), 1);
	assert_int_equal(completions("987654321"), 1);
	assert_int_equal(completions("123456789"), 0);
	assert_int_equal(completions("000000006"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dob_rejects_bad_shapes),
		cmocka_unit_test(dob_rejects_impossible_dates),
		cmocka_unit_test(dob_accepts_real_dates),
		cmocka_unit_test(dob_years_have_their_days),
		cmocka_unit_test(upn_rules),
		cmocka_unit_test(nhs_table_check),
		cmocka_unit_test(nhs_one_check_digit_per_stem),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
