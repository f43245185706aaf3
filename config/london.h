/* SPDX-License-Identifier: ISC */
/*
 * london: Europe/London local time <-> UTC, from the UK rule itself rather
 * than the machine's tzdata, so a deadline is the same on every host, in a
 * container without /usr/share/zoneinfo, and in ten years' time.
 *
 * The rule (Summer Time Order 2002, same as the EU's since 1996): British
 * Summer Time, UTC+1, runs from 01:00 UTC on the last Sunday of March to
 * 01:00 UTC on the last Sunday of October; otherwise GMT, UTC+0.  Before 1996
 * the rule was different and these functions are wrong; nothing in dutynet
 * deals in such dates.  If Parliament changes the rule, this file changes.
 *
 * Times are milliseconds since the Unix epoch.  A "local" value counts the
 * London wall clock as if it were UTC: its day is floor(local / 86400000) and
 * its time of day the remainder, so civil.h applies to it directly.
 */
#ifndef DUTYNET_LONDON_H
#define DUTYNET_LONDON_H

#include <stdint.h>

/* First year the rule above is right for. */
#define LONDON_RULE_FIRST_YEAR 1996
#define LONDON_BST_OFFSET_MS 3600000LL
/* Clocks change at 01:00 UTC: 01:00 GMT in March, 02:00 BST in October. */
#define LONDON_CHANGE_UTC_MS 3600000LL

/* UTC offset in ms (0 or LONDON_BST_OFFSET_MS) in force at utc_ms. */
int64_t london_offset(int64_t utc_ms);

/* The London wall-clock time at utc_ms. */
int64_t london_to_local(int64_t utc_ms);

/* The UTC instant of a London wall-clock time: the first instant at which
 * the clock shows that time or later.  Two wall times are not one-to-one
 * with instants, and this is what that gives:
 * - the hour skipped in March (01:00-01:59 on the last Sunday of March does
 *   not exist: the clock goes from 00:59:59 GMT to 02:00:00 BST) shifts
 *   forward to the change itself, 02:00 BST = 01:00 UTC, the first instant
 *   the clock shows 01:30 or later;
 * - the hour repeated in October (01:00-01:59 on the last Sunday of October
 *   happens twice) gives its first occurrence, in BST: 01:30 gives 00:30
 *   UTC.
 * So london_to_utc never goes backwards as wall time goes forwards (an
 * opening interval is never negative), and london_to_utc(london_to_local(t))
 * == t except in the second pass of the repeated hour, where it is t - 1h. */
int64_t london_to_utc(int64_t local_ms);

/* The instant BST starts (last Sunday of March, 01:00 UTC) in a year. */
int64_t london_bst_start(int year);

/* The instant BST ends (last Sunday of October, 01:00 UTC) in a year. */
int64_t london_bst_end(int year);

#endif
