/* SPDX-License-Identifier: ISC */
/*
 * duration: a small word-by-word parser for the grammar in duration.h.  The
 * text is lowered and split into words first, so the grammar is a few string
 * comparisons and every refusal can quote what was typed.
 */
#include <assert.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "config/civil.h"
#include "config/duration.h"

#define MAX_WORDS 8
/* Nine digits cannot overflow int64 once multiplied by an hour in ms, and
 * anything longer is over the limits anyway. */
#define MAX_DIGITS 9
#define ORDINAL_SUFFIX 2

#define FORMS "use 'N minutes' or 'N hours' (clock time, 24/7), 'N working minutes', " \
	      "'N working hours', 'N working days', or 'by the end of the Nth working day'"

struct words {
	char buf[DURATION_TEXT_LEN];
	char *w[MAX_WORDS];
	int n;
};

/* Lowers and splits text; -1 if it is too long or has too many words. */
static int
split(const char *text, struct words *ws)
{
	char *p, *save = NULL;
	size_t i, len = strlen(text);

	if (len > DURATION_TEXT_MAX)
		return -1;
	for (i = 0; i <= len; i++)
		ws->buf[i] = (char)tolower((unsigned char)text[i]);
	ws->n = 0;
	for (p = strtok_r(ws->buf, " \t", &save); p != NULL; p = strtok_r(NULL, " \t", &save)) {
		if (ws->n == MAX_WORDS)
			return -1;
		ws->w[ws->n++] = p;
	}
	return 0;
}

/* The decimal number that fills s up to `suffix` more characters; -1 if s
 * does not start with 1..MAX_DIGITS digits or they are followed by more. */
static long long
number(const char *s, size_t suffix)
{
	long long v = 0;
	size_t i;

	for (i = 0; s[i] >= '0' && s[i] <= '9'; i++) {
		if (i == MAX_DIGITS)
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (i == 0 || strlen(s + i) != suffix)
		return -1;
	return v;
}

/* "st", "nd", "rd" or "th": 1st, 2nd, 3rd, 4th, 11th-13th, 21st. */
static const char *
ordinal(long long n)
{
	if (n % 100 >= 11 && n % 100 <= 13)
		return "th";
	switch (n % 10) {
	case 1:
		return "st";
	case 2:
		return "nd";
	case 3:
		return "rd";
	default:
		return "th";
	}
}

static int
is(const char *word, const char *a, const char *b)
{
	return strcmp(word, a) == 0 || (b != NULL && strcmp(word, b) == 0);
}

/* Unit word -> ms per unit, or 0 if it is not one. */
static int64_t
unit_ms(const char *word)
{
	if (is(word, "minute", "minutes"))
		return CIVIL_MS_PER_MINUTE;
	if (is(word, "hour", "hours"))
		return CIVIL_MS_PER_HOUR;
	return 0;
}

static int
bad(const char *text, struct status *st)
{
	return status_set(st, STATUS_BAD_FIELD, "duration '%.64s' not understood: " FORMS, text);
}

static int
out_of_range(const char *text, struct status *st)
{
	return status_set(st, STATUS_BAD_FIELD,
	    "duration '%.64s' is out of range: it must be more than zero and at most %d days",
	    text, DURATION_MAX_DAYS);
}

/* "[by] [the] end of [the] Nth working day", from word i. */
static int
parse_end_of(const char *text, const struct words *ws, struct duration *d, struct status *st)
{
	long long n;
	int i = 0;

	if (i < ws->n && is(ws->w[i], "by", NULL))
		i++;
	if (i < ws->n && is(ws->w[i], "the", NULL))
		i++;
	if (i + 1 >= ws->n || !is(ws->w[i], "end", NULL) || !is(ws->w[i + 1], "of", NULL))
		return bad(text, st);
	i += 2;
	if (i < ws->n && is(ws->w[i], "the", NULL))
		i++;
	if (i + 3 != ws->n || !is(ws->w[i + 1], "working", NULL) || !is(ws->w[i + 2], "day", NULL))
		return bad(text, st);
	n = number(ws->w[i], ORDINAL_SUFFIX);
	if (n < 0)
		return bad(text, st);
	if (strcmp(ws->w[i] + strlen(ws->w[i]) - ORDINAL_SUFFIX, ordinal(n)) != 0)
		return status_set(st, STATUS_BAD_FIELD,
		    "duration '%.64s': '%s' should be written %lld%s", text, ws->w[i], n,
		    ordinal(n));
	if (n < 1 || n > DURATION_MAX_DAYS)
		return out_of_range(text, st);
	d->kind = DURATION_END_OF_DAY;
	d->ms = 0;
	d->days = (int)n;
	return 0;
}

int
duration_parse(const char *text, struct duration *d, struct status *st)
{
	struct words ws;
	const char *unit;
	long long n;
	int working;

	if (split(text, &ws) == -1 || ws.n == 0)
		return bad(text, st);
	n = number(ws.w[0], 0);
	if (n < 0)
		return parse_end_of(text, &ws, d, st);
	working = ws.n == 3 && is(ws.w[1], "working", NULL);
	if (ws.n != 2 && !working)
		return bad(text, st);
	unit = ws.w[ws.n - 1];
	if (!working && is(unit, "day", "days"))
		return status_set(st, STATUS_BAD_FIELD,
		    "duration '%.64s' is ambiguous: write '%lld working day%s' or '%lld hours'", text,
		    n, n == 1 ? "" : "s", n * (CIVIL_MS_PER_DAY / CIVIL_MS_PER_HOUR));
	if (!working && is(unit, "week", "weeks"))
		return status_set(st, STATUS_BAD_FIELD,
		    "duration '%.64s' is ambiguous: write it in working days or in hours", text);
	if (working && is(unit, "day", "days")) {
		if (n < 1 || n > DURATION_MAX_DAYS)
			return out_of_range(text, st);
		d->kind = DURATION_WORKING_DAYS;
		d->ms = 0;
		d->days = (int)n;
		return 0;
	}
	if (unit_ms(unit) == 0)
		return bad(text, st);
	if (n < 1 || n * unit_ms(unit) > DURATION_MAX_MS)
		return out_of_range(text, st);
	d->kind = working ? DURATION_WORKING : DURATION_CLOCK;
	d->ms = n * unit_ms(unit);
	d->days = 0;
	return 0;
}

void
duration_format(const struct duration *d, char out[DURATION_TEXT_LEN])
{
	const char *working = d->kind == DURATION_WORKING ? "working " : "";
	long long n;

	switch (d->kind) {
	case DURATION_CLOCK:
	case DURATION_WORKING:
		if (d->ms % CIVIL_MS_PER_HOUR == 0) {
			n = d->ms / CIVIL_MS_PER_HOUR;
			snprintf(out, DURATION_TEXT_LEN, "%lld %shour%s", n, working,
			    n == 1 ? "" : "s");
		} else {
			n = d->ms / CIVIL_MS_PER_MINUTE;
			snprintf(out, DURATION_TEXT_LEN, "%lld %sminute%s", n, working,
			    n == 1 ? "" : "s");
		}
		return;
	case DURATION_WORKING_DAYS:
		snprintf(out, DURATION_TEXT_LEN, "%d working day%s", d->days,
		    d->days == 1 ? "" : "s");
		return;
	case DURATION_END_OF_DAY:
		snprintf(out, DURATION_TEXT_LEN, "by the end of the %d%s working day", d->days,
		    ordinal(d->days));
		return;
	}
	/* A duration not from duration_parse is a bug in the caller. */
	assert(!"duration kind");
	snprintf(out, DURATION_TEXT_LEN, "(invalid duration)");
}
