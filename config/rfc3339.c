/* SPDX-License-Identifier: ISC */
/*
 * rfc3339: a strict hand-written parser (no strptime: it depends on the
 * locale and ignores offsets) and a formatter.  Strict means one form with
 * a few documented spellings, so a typo is an error and never a guess.
 */
#include <string.h>

#include "config/civil.h"
#include "config/rfc3339.h"

#define DATE_CHARS 10		/* "YYYY-MM-DD" */
#define TIME_CHARS 8		/* "HH:MM:SS" */
#define OFFSET_CHARS 6		/* "+hh:mm" */
#define HOURS_PER_DAY 24
#define MINUTES_PER_HOUR 60
#define SECONDS_PER_MINUTE 60
#define MS_PER_SECOND 1000

/* Two digits at s as a number, or -1. */
static int
two(const char *s)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return -1;
	return (s[0] - '0') * 10 + (s[1] - '0');
}

int
rfc3339_parse(const char *s, uint64_t *ms, struct status *st)
{
	char date[DATE_CHARS + 1];
	const char *p;
	int64_t days, t, frac = 0, scale = MS_PER_SECOND;
	int hh, mm, ss, oh, om, sign;

	if (strlen(s) < DATE_CHARS + 1 + TIME_CHARS + 1)
		goto bad;
	memcpy(date, s, DATE_CHARS);
	date[DATE_CHARS] = '\0';
	if (civil_parse_date(date, &days, NULL) == -1)
		goto bad;
	p = s + DATE_CHARS;
	if (*p != 'T' && *p != 't' && *p != ' ')
		goto bad;
	p++;
	hh = two(p);
	mm = two(p + 3);
	ss = two(p + 6);
	if (p[2] != ':' || p[5] != ':' || hh < 0 || hh >= HOURS_PER_DAY || mm < 0 ||
	    mm >= MINUTES_PER_HOUR || ss < 0 || ss >= SECONDS_PER_MINUTE)
		goto bad;
	p += TIME_CHARS;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			goto bad;
		for (; *p >= '0' && *p <= '9'; p++) {
			if (scale > 1) {
				scale /= 10;
				frac += (*p - '0') * scale;
			}
		}
	}
	if ((p[0] == 'Z' || p[0] == 'z') && p[1] == '\0') {
		oh = om = 0;
		sign = 1;
	} else if ((p[0] == '+' || p[0] == '-') && strlen(p) == OFFSET_CHARS && p[3] == ':') {
		sign = p[0] == '-' ? -1 : 1;
		oh = two(p + 1);
		om = two(p + 4);
		if (oh < 0 || oh >= HOURS_PER_DAY || om < 0 || om >= MINUTES_PER_HOUR)
			goto bad;
	} else {
		goto bad;
	}
	t = days * CIVIL_MS_PER_DAY + hh * CIVIL_MS_PER_HOUR + mm * CIVIL_MS_PER_MINUTE +
	    (int64_t)ss * MS_PER_SECOND + frac;
	/* Local time = UTC + offset, so UTC = local - offset. */
	t -= sign * (oh * CIVIL_MS_PER_HOUR + om * CIVIL_MS_PER_MINUTE);
	if (t < 0)
		return status_set(st, STATUS_BAD_FIELD,
		    "time '%.64s' is before 1970-01-01T00:00:00Z, which dutynet cannot store", s);
	*ms = (uint64_t)t;
	return 0;
bad:
	return status_set(st, STATUS_BAD_FIELD,
	    "time '%.64s' is not RFC 3339: write e.g. 2024-11-29T16:55:00Z or "
	    "2024-06-03T09:00:00+01:00",
	    s);
}

/* Writes v (0..99) as two digits at p; returns p + 2. */
static char *
put2(char *p, int v)
{
	p[0] = (char)('0' + v / 10 % 10);
	p[1] = (char)('0' + v % 10);
	return p + 2;
}

void
rfc3339_format_offset(uint64_t utc_ms, int64_t offset_ms, char out[RFC3339_LEN])
{
	int64_t wall = (int64_t)utc_ms + offset_ms;
	int64_t days = civil_days_from_ms(wall);
	int64_t in_day = wall - days * CIVIL_MS_PER_DAY;
	int64_t off_min = (offset_ms < 0 ? -offset_ms : offset_ms) / CIVIL_MS_PER_MINUTE;
	int msec = (int)(in_day % MS_PER_SECOND);
	char *p = out + DATE_CHARS;

	/* Digit by digit: the field widths are fixed by RFC 3339. */
	civil_format_date(days, out);
	*p++ = 'T';
	p = put2(p, (int)(in_day / CIVIL_MS_PER_HOUR));
	*p++ = ':';
	p = put2(p, (int)(in_day / CIVIL_MS_PER_MINUTE % MINUTES_PER_HOUR));
	*p++ = ':';
	p = put2(p, (int)(in_day / MS_PER_SECOND % SECONDS_PER_MINUTE));
	if (msec != 0) {
		*p++ = '.';
		*p++ = (char)('0' + msec / 100);
		p = put2(p, msec % 100);
	}
	if (offset_ms == 0) {
		*p++ = 'Z';
	} else {
		*p++ = offset_ms < 0 ? '-' : '+';
		p = put2(p, (int)(off_min / MINUTES_PER_HOUR % HOURS_PER_DAY));
		*p++ = ':';
		p = put2(p, (int)(off_min % MINUTES_PER_HOUR));
	}
	*p = '\0';
}

void
rfc3339_format(uint64_t ms, char out[RFC3339_LEN])
{
	rfc3339_format_offset(ms, 0, out);
}
