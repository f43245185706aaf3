/* SPDX-License-Identifier: ISC */
/*
 * civil: Gregorian day counts.  The conversions are Howard Hinnant's
 * days_from_civil / civil_from_days (public domain), which shift the year to
 * start in March so that the leap day is the last day of a year and every
 * other month has a fixed offset; exact for every year, no tables.
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "config/civil.h"

#define DAYS_PER_ERA 146097	/* 400 Gregorian years */
#define YEARS_PER_ERA 400
#define EPOCH_SHIFT 719468	/* days from 0000-03-01 to 1970-01-01 */
#define EPOCH_WEEKDAY CIVIL_THURSDAY	/* 1970-01-01 */

int64_t
civil_days_from_date(int year, int month, int day)
{
	int64_t y = (int64_t)year - (month <= 2);
	int64_t era = (y >= 0 ? y : y - (YEARS_PER_ERA - 1)) / YEARS_PER_ERA;
	int64_t yoe = y - era * YEARS_PER_ERA;
	int64_t mp = (month + 9) % 12;	/* March = 0 */
	int64_t doy = (153 * mp + 2) / 5 + day - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * DAYS_PER_ERA + doe - EPOCH_SHIFT;
}

void
civil_date_from_days(int64_t days, int *year, int *month, int *day)
{
	int64_t z = days + EPOCH_SHIFT;
	int64_t era = (z >= 0 ? z : z - (DAYS_PER_ERA - 1)) / DAYS_PER_ERA;
	int64_t doe = z - era * DAYS_PER_ERA;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t d = doy - (153 * mp + 2) / 5 + 1;
	int64_t m = mp < 10 ? mp + 3 : mp - 9;

	*year = (int)(yoe + era * YEARS_PER_ERA + (m <= 2));
	*month = (int)m;
	*day = (int)d;
}

enum civil_weekday
civil_weekday(int64_t days)
{
	int64_t r = (days + EPOCH_WEEKDAY) % CIVIL_DAYS_PER_WEEK;

	if (r < 0)
		r += CIVIL_DAYS_PER_WEEK;
	return (enum civil_weekday)r;
}

int
civil_days_in_month(int year, int month)
{
	static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	if (month == 2)
		return 28 + leap;
	return len[month - 1];
}

int64_t
civil_last_weekday(int year, int month, enum civil_weekday wd)
{
	int64_t last = civil_days_from_date(year, month, civil_days_in_month(year, month));
	int back = ((int)civil_weekday(last) - (int)wd + CIVIL_DAYS_PER_WEEK) % CIVIL_DAYS_PER_WEEK;

	return last - back;
}

/* n decimal digits at s, all of them digits; -1 otherwise. */
static int
digits(const char *s, int n)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int
civil_parse_date(const char *s, int64_t *days, struct status *st)
{
	int y, m, d;

	if (strlen(s) != CIVIL_DATE_LEN - 1 || s[4] != '-' || s[7] != '-')
		goto bad;
	y = digits(s, 4);
	m = digits(s + 5, 2);
	d = digits(s + 8, 2);
	if (y < CIVIL_YEAR_MIN || y > CIVIL_YEAR_MAX || m < 1 || m > 12 || d < 1 ||
	    d > civil_days_in_month(y, m))
		goto bad;
	*days = civil_days_from_date(y, m, d);
	return 0;
bad:
	return status_set(st, STATUS_BAD_FIELD,
	    "date '%.40s' is not a real date written YYYY-MM-DD (%d to %d)", s, CIVIL_YEAR_MIN,
	    CIVIL_YEAR_MAX);
}

void
civil_format_date(int64_t days, char out[CIVIL_DATE_LEN])
{
	int y, m, d;

	civil_date_from_days(days, &y, &m, &d);
	/* Day counts come from parsed input, so within four-digit years. */
	assert(y >= 0 && y <= CIVIL_YEAR_MAX);
	snprintf(out, CIVIL_DATE_LEN, "%04d-%02d-%02d", y, m, d);
}

const char *
civil_weekday_name(enum civil_weekday wd)
{
	static const char *const names[CIVIL_DAYS_PER_WEEK] = {"Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat", "Sun"};

	return names[wd];
}

int64_t
civil_days_from_ms(int64_t ms)
{
	int64_t q = ms / CIVIL_MS_PER_DAY;

	if (ms % CIVIL_MS_PER_DAY < 0)
		q--;
	return q;
}
