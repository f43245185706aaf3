/* SPDX-License-Identifier: ISC */
/*
 * child: checks for the identifiers of a child that a referral may carry
 * (date of birth, Unique Pupil Number, NHS number).  They live apart from
 * payload so the CLI and forms can check what a person typed before anything
 * is sealed, with exactly the rules a recipient will apply.  Each returns 1
 * or 0 and never says why in detail: a status naming a child's identifier
 * would carry it into logs (see proto/status.h).
 */
#ifndef DUTYNET_CHILD_H
#define DUTYNET_CHILD_H

#include <stddef.h>

#define CHILD_DOB_BYTES 10		/* "YYYY-MM-DD" */
#define CHILD_DOB_YEAR_MIN 1900
#define CHILD_DOB_YEAR_MAX 2100
#define CHILD_UPN_BYTES 13		/* an uppercase letter, 12 digits */
#define CHILD_NHS_BYTES 10		/* 9 digits and a check digit */
/* NHS number check digit: digits 1..9 weighted 10 down to 2, summed;
 * 11 - (sum mod 11), where 11 means 0 and 10 means no valid number. */
#define CHILD_NHS_MODULUS 11
#define CHILD_NHS_FIRST_WEIGHT 10

/* 1 if s[0..len) is a real calendar date "YYYY-MM-DD", years 1900..2100. */
int child_dob_valid(const char *s, size_t len);

/* 1 if s[0..len) is an uppercase letter followed by 12 digits. */
int child_upn_valid(const char *s, size_t len);

/* 1 if s[0..len) is 10 digits whose last is the modulus-11 check digit. */
int child_nhs_valid(const char *s, size_t len);

#endif
