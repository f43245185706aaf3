/* SPDX-License-Identifier: ISC */
/*
 * when: the instants and durations people give dutynet-audit on the
 * command line (--from, --to, --as-of, --max-skew).  A date alone is a
 * London calendar day, because that is the day a partnership board means:
 * "--from 2026-01-01 --to 2026-03-31" is the first quarter from midnight
 * London time on 1 January up to midnight at the END of 31 March.  A full
 * RFC 3339 time is taken as given.
 */
#ifndef DUTYNET_AUDIT_WHEN_H
#define DUTYNET_AUDIT_WHEN_H

#include <stdint.h>

#include "proto/status.h"

/* Which end of a day a date alone means. */
enum when_edge {
	WHEN_START = 1,		/* midnight at its start (London) */
	WHEN_END = 2,		/* midnight at its end: the next day's start */
};

/* Parses "now", "YYYY-MM-DD" (a London date, edge says which end) or an
 * RFC 3339 time into *ms.  -1 and st 504 naming the text and the forms. */
int when_parse(const char *s, enum when_edge edge, uint64_t *ms, struct status *st)
    __attribute__((warn_unused_result));

/* Parses "0" or a clock duration ("90 minutes", "2 hours"; config/
 * duration.h) into *ms.  -1 and st 504 for anything else, working time
 * included (a skew between clocks is elapsed time). */
int when_duration_parse(const char *s, uint64_t *ms, struct status *st)
    __attribute__((warn_unused_result));

#endif
