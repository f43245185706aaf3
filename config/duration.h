/* SPDX-License-Identifier: ISC */
/*
 * duration: how long an agency has, as people write it in configuration and
 * on the command line ("1 working day", "4 working hours", "1 hour", "by the
 * end of the 3rd working day").  Parsing is separate from the calendar so a
 * typo is reported before any date arithmetic, and so one parsed duration
 * can be applied to many calendars.
 *
 * Grammar (case-insensitive; words separated by spaces):
 *   N minute[s] | N hour[s]                 clock time, 24/7
 *   N working minute[s] | N working hour[s] working time (calendar.h)
 *   N working day[s]                        N x the calendar's working-day length
 *   [by] [the] end of [the] Nth working day the closing time of working day N
 * N is a decimal integer from 1; Nth is N with its English suffix (1st, 2nd,
 * 3rd, 4th, 11th, 21st, 22nd, 112th).  "N day[s]" and "N week[s]" are refused
 * as ambiguous: the message asks for "24 hours" or "1 working day".
 */
#ifndef DUTYNET_DURATION_H
#define DUTYNET_DURATION_H

#include <stdint.h>

#include "proto/status.h"

/* Longest text duration_parse reads, and the size duration_format needs. */
#define DURATION_TEXT_MAX 64
#define DURATION_TEXT_LEN (DURATION_TEXT_MAX + 1)
/* Upper bounds, far beyond any statutory timescale (45 working days), so a
 * slip of the keyboard ("4500 working days") is an error, not a date. */
#define DURATION_MAX_MS (366LL * 24 * 3600000)
#define DURATION_MAX_DAYS 366

enum duration_kind {
	DURATION_CLOCK = 1,	/* ms of elapsed time */
	DURATION_WORKING,	/* ms of working time */
	DURATION_WORKING_DAYS,	/* days x the calendar's working-day length */
	DURATION_END_OF_DAY,	/* closing time of working day `days` */
};

struct duration {
	enum duration_kind kind;
	int64_t ms;	/* DURATION_CLOCK and DURATION_WORKING */
	int days;	/* DURATION_WORKING_DAYS and DURATION_END_OF_DAY */
};

/* Parses text by the grammar above into d; -1 and st = 504 quoting the text
 * and listing the accepted forms otherwise. */
int duration_parse(const char *text, struct duration *d, struct status *st)
    __attribute__((warn_unused_result));

/* Writes the canonical text of d ("90 minutes", "1 working day", "by the end
 * of the 3rd working day"), which duration_parse reads back to d. */
void duration_format(const struct duration *d, char out[DURATION_TEXT_LEN]);

#endif
