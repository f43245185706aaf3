/* SPDX-License-Identifier: ISC */
/*
 * child: the formats of a child's identifiers in a referral (see child.h).
 * Pure functions over byte views, so they run the same in the sender's CLI,
 * in payload_encode and in the recipient's payload_decode.
 */
#include <stdbool.h>

#include "proto/child.h"

/* Byte positions in "YYYY-MM-DD". */
enum {
	DOB_YEAR = 0,
	DOB_YEAR_DIGITS = 4,
	DOB_DASH1 = 4,
	DOB_MONTH = 5,
	DOB_DASH2 = 7,
	DOB_DAY = 8,
	DOB_PART_DIGITS = 2,
};

enum { MONTHS = 12, FEBRUARY = 2, FEBRUARY_LEAP_DAYS = 29 };

static const int month_days[MONTHS] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return false;
	return true;
}

/* The n (at most 4) digits at s as a number, or -1 if any is not a digit. */
static int
digits(const char *s, size_t n)
{
	int v = 0;
	size_t i;

	if (!all_digits(s, n))
		return -1;
	for (i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* Gregorian: every 4th year, but not centuries unless divisible by 400. */
static bool
leap(int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int
child_dob_valid(const char *s, size_t len)
{
	int year, month, day, last;

	if (s == NULL || len != CHILD_DOB_BYTES)
		return 0;
	if (s[DOB_DASH1] != '-' || s[DOB_DASH2] != '-')
		return 0;
	year = digits(s + DOB_YEAR, DOB_YEAR_DIGITS);
	month = digits(s + DOB_MONTH, DOB_PART_DIGITS);
	day = digits(s + DOB_DAY, DOB_PART_DIGITS);
	if (year < CHILD_DOB_YEAR_MIN || year > CHILD_DOB_YEAR_MAX)
		return 0;
	if (month < 1 || month > MONTHS)
		return 0;
	last = month == FEBRUARY && leap(year) ? FEBRUARY_LEAP_DAYS : month_days[month - 1];
	return day >= 1 && day <= last;
}

int
child_upn_valid(const char *s, size_t len)
{
	if (s == NULL || len != CHILD_UPN_BYTES)
		return 0;
	if (s[0] < 'A' || s[0] > 'Z')
		return 0;
	return all_digits(s + 1, CHILD_UPN_BYTES - 1);
}

int
child_nhs_valid(const char *s, size_t len)
{
	int sum = 0, check, weight = CHILD_NHS_FIRST_WEIGHT;
	size_t i;

	if (s == NULL || len != CHILD_NHS_BYTES || !all_digits(s, CHILD_NHS_BYTES))
		return 0;
	for (i = 0; i < CHILD_NHS_BYTES - 1; i++)
		sum += (s[i] - '0') * weight--;
	check = CHILD_NHS_MODULUS - sum % CHILD_NHS_MODULUS;
	if (check == CHILD_NHS_MODULUS)
		check = 0;
	/* A remainder of 1 gives 10: no number is issued with that stem. */
	if (check == CHILD_NHS_MODULUS - 1)
		return 0;
	return s[CHILD_NHS_BYTES - 1] - '0' == check;
}
