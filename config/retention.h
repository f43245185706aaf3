/* SPDX-License-Identifier: ISC */
/*
 * retention: how long a daemon keeps message content (issue 7), the
 * `retention` setting of broker.conf and agents/<id>.conf.  Once a message's
 * lifecycle is over and the period has passed, its content (envelope bytes,
 * decrypted payload) may be purged while every row, id, time, state and
 * hash stays: the audit log commits to entry hashes, not to plaintext, so it
 * still verifies.  The purging itself is agents/retention.c and
 * broker/retention.c; this module only reads and applies the period.
 *
 * Grammar (case-insensitive, one space or more between the words):
 *	N day[s]	N x 24 hours of calendar time
 *	N year[s]	N calendar years (UTC): the same date and time N years
 *			earlier; 29 February counts back to 28 February
 * Not the deadline grammar (duration.h): that refuses "N days" because
 * deadlines count working time, while a retention period is calendar time
 * and is measured in years (a referral record: years after the case ended).
 */
#ifndef DUTYNET_RETENTION_H
#define DUTYNET_RETENTION_H

#include <stdint.h>

#include "proto/status.h"

/* Longest text read (and kept for messages and audit details). */
#define RETENTION_TEXT_MAX 32
#define RETENTION_TEXT_LEN (RETENTION_TEXT_MAX + 1)
/* Limits: at least a day, at most a century, so a typo ("70000 days") is
 * an error rather than content kept or purged by surprise. */
#define RETENTION_DAYS_MAX 36525
#define RETENTION_YEARS_MAX 100

enum retention_unit {
	RETENTION_FOREVER = 0,	/* no setting: content is kept for ever */
	RETENTION_DAYS,
	RETENTION_YEARS,
};

struct retention_period {
	enum retention_unit unit;
	int count;			/* days or years, >= 1 unless FOREVER */
	char text[RETENTION_TEXT_LEN];	/* as written ("7 years"); "" if FOREVER */
};

/* Parses text by the grammar above into p; -1 and st 504 quoting the text
 * and saying what to write otherwise (p untouched). */
int retention_period_parse(const char *text, struct retention_period *p, struct status *st)
    __attribute__((warn_unused_result));

/* The cutoff at now_ms: content whose lifecycle ended at or before it is
 * due for purging.  0 (nothing is ever due) for RETENTION_FOREVER or a
 * period reaching back before 1970. */
uint64_t retention_period_cutoff(const struct retention_period *p, uint64_t now_ms);

#endif
