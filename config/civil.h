/* SPDX-License-Identifier: ISC */
/*
 * civil: dates in the proleptic Gregorian calendar as a count of days since
 * 1970-01-01, so that "the next day" is +1 and a weekday is a remainder.
 * Calendars, bank holidays and RFC 3339 times all reduce to this; none of it
 * depends on the machine's locale or time zone.
 */
#ifndef DUTYNET_CIVIL_H
#define DUTYNET_CIVIL_H

#include <stdint.h>

#include "proto/status.h"

#define CIVIL_MS_PER_MINUTE 60000LL
#define CIVIL_MS_PER_HOUR 3600000LL
#define CIVIL_MS_PER_DAY 86400000LL
#define CIVIL_MINUTES_PER_DAY 1440
#define CIVIL_DAYS_PER_WEEK 7

/* Years civil_parse_date accepts: four digits, and no earlier than the Unix
 * epoch, since instants are unsigned milliseconds. */
#define CIVIL_YEAR_MIN 1970
#define CIVIL_YEAR_MAX 9999

/* "YYYY-MM-DD" and its NUL. */
#define CIVIL_DATE_LEN 11

/* Weekdays, Monday first as in ISO 8601 (and as working weeks are read). */
enum civil_weekday {
	CIVIL_MONDAY = 0,
	CIVIL_TUESDAY,
	CIVIL_WEDNESDAY,
	CIVIL_THURSDAY,
	CIVIL_FRIDAY,
	CIVIL_SATURDAY,
	CIVIL_SUNDAY,
};

/* Days since 1970-01-01 of year-month-day (month 1..12, day 1..31; not
 * checked: 2024-02-30 is 2024-03-01). */
int64_t civil_days_from_date(int year, int month, int day);

/* The year, month (1..12) and day (1..31) of a day count. */
void civil_date_from_days(int64_t days, int *year, int *month, int *day);

/* The weekday of a day count. */
enum civil_weekday civil_weekday(int64_t days);

/* 28..31. */
int civil_days_in_month(int year, int month);

/* The day count of the last given weekday of a month (the last Sunday of
 * March, the last Monday of May). */
int64_t civil_last_weekday(int year, int month, enum civil_weekday wd);

/* Parses exactly "YYYY-MM-DD" (a real date, CIVIL_YEAR_MIN..MAX) into a
 * day count; -1 and st = 504 naming the text otherwise. */
int civil_parse_date(const char *s, int64_t *days, struct status *st)
    __attribute__((warn_unused_result));

/* Writes "YYYY-MM-DD" and a NUL. */
void civil_format_date(int64_t days, char out[CIVIL_DATE_LEN]);

/* "Mon".."Sun". */
const char *civil_weekday_name(enum civil_weekday wd);

/* Floor division of ms by CIVIL_MS_PER_DAY, correct for negative values. */
int64_t civil_days_from_ms(int64_t ms);

#endif
