/* SPDX-License-Identifier: ISC */
/*
 * retention: parsing the retention period and finding its cutoff (see
 * retention.h).  Years are counted on the UTC calendar with civil.h, so
 * "7 years" is never a day short however many leap days fall in between.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config/civil.h"
#include "config/conf.h"
#include "config/retention.h"

#define MAX_DIGITS 6	/* beyond any limit, and no overflow in an int */
#define FEBRUARY 2
#define LEAP_DAY 29

static int
bad(const char *text, struct status *st)
{
	char q[CONF_QUOTE_BUF];

	conf_quote(text, q);
	return status_set(st, STATUS_BAD_FIELD,
	    "retention '%s' not understood: write \"N days\" or \"N years\" (e.g. \"7 years\"), "
	    "or leave retention out to keep content for ever", q);
}

/* Case-insensitive: word is singular or singular + "s". */
static int
is_unit(const char *word, size_t len, const char *singular)
{
	size_t n = strlen(singular);

	return (len == n || (len == n + 1 && tolower((unsigned char)word[n]) == 's')) &&
	    strncasecmp(word, singular, n) == 0;
}

int
retention_period_parse(const char *text, struct retention_period *p, struct status *st)
{
	const char *s = text, *word;
	char q[CONF_QUOTE_BUF];
	enum retention_unit unit;
	size_t digits = 0, len;
	long n = 0;
	int max;

	if (strlen(text) > RETENTION_TEXT_MAX)
		return bad(text, st);
	while (*s == ' ')
		s++;
	for (; isdigit((unsigned char)*s); s++, digits++) {
		if (digits == MAX_DIGITS)
			return bad(text, st);
		n = n * 10 + (*s - '0');
	}
	if (digits == 0 || *s != ' ')
		return bad(text, st);
	while (*s == ' ')
		s++;
	for (word = s; *s != '\0' && *s != ' '; s++)
		;
	len = (size_t)(s - word);
	while (*s == ' ')
		s++;
	if (*s != '\0')
		return bad(text, st);
	if (is_unit(word, len, "day")) {
		unit = RETENTION_DAYS;
		max = RETENTION_DAYS_MAX;
	} else if (is_unit(word, len, "year")) {
		unit = RETENTION_YEARS;
		max = RETENTION_YEARS_MAX;
	} else {
		return bad(text, st);
	}
	if (n < 1 || n > max) {
		conf_quote(text, q);
		return status_set(st, STATUS_BAD_FIELD,
		    "retention '%s' is out of range: give 1 to %d days or 1 to %d years", q,
		    RETENTION_DAYS_MAX, RETENTION_YEARS_MAX);
	}
	p->unit = unit;
	p->count = (int)n;
	snprintf(p->text, sizeof(p->text), "%s", text);
	return 0;
}

uint64_t
retention_period_cutoff(const struct retention_period *p, uint64_t now_ms)
{
	int64_t days, ms_of_day, cutoff;
	int y, m, d;

	switch (p->unit) {
	case RETENTION_DAYS:
		cutoff = (int64_t)now_ms - (int64_t)p->count * CIVIL_MS_PER_DAY;
		break;
	case RETENTION_YEARS:
		days = civil_days_from_ms((int64_t)now_ms);
		ms_of_day = (int64_t)now_ms - days * CIVIL_MS_PER_DAY;
		civil_date_from_days(days, &y, &m, &d);
		y -= p->count;
		if (m == FEBRUARY && d == LEAP_DAY && civil_days_in_month(y, m) < LEAP_DAY)
			d = LEAP_DAY - 1;
		cutoff = civil_days_from_date(y, m, d) * CIVIL_MS_PER_DAY + ms_of_day;
		break;
	default:
		return 0;
	}
	return cutoff > 0 ? (uint64_t)cutoff : 0;
}
