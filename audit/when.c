/* SPDX-License-Identifier: ISC */
/*
 * when: command-line instants and durations (see when.h).
 */
#include <string.h>

#include "audit/when.h"
#include "common/clock.h"
#include "config/civil.h"
#include "config/duration.h"
#include "config/london.h"
#include "config/rfc3339.h"

#define DATE_ONLY_LEN 10	/* "YYYY-MM-DD" */

int
when_parse(const char *s, enum when_edge edge, uint64_t *ms, struct status *st)
{
	struct status why;
	int64_t days;

	if (strcmp(s, "now") == 0) {
		*ms = clock_now_ms();
		return 0;
	}
	if (strlen(s) == DATE_ONLY_LEN) {
		if (civil_parse_date(s, &days, &why) != 0)
			return status_set(st, STATUS_BAD_FIELD, "'%.40s' is not a date: %s", s,
			    why.text);
		if (edge == WHEN_END)
			days++;
		*ms = (uint64_t)london_to_utc(days * CIVIL_MS_PER_DAY);
		return 0;
	}
	if (rfc3339_parse(s, ms, &why) != 0)
		return status_set(st, STATUS_BAD_FIELD, "'%.40s' is not 'now', a date "
		    "(YYYY-MM-DD, London) or an RFC 3339 time (2026-01-05T09:00:00Z)", s);
	return 0;
}

int
when_duration_parse(const char *s, uint64_t *ms, struct status *st)
{
	struct duration d;
	struct status why;

	if (strcmp(s, "0") == 0) {
		*ms = 0;
		return 0;
	}
	if (duration_parse(s, &d, &why) != 0 || d.kind != DURATION_CLOCK)
		return status_set(st, STATUS_BAD_FIELD, "'%.40s' is not 0 or a clock duration "
		    "such as \"2 minutes\" or \"1 hour\"", s);
	*ms = (uint64_t)d.ms;
	return 0;
}
