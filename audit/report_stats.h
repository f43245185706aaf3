/* SPDX-License-Identifier: ISC */
/*
 * report_stats: the arithmetic of the report, kept apart and small so each
 * figure can be checked by hand (tests/unit/test_audit_stats.c):
 *   median       sorted x[0..n): x[n/2] for odd n; for even n the mean of
 *                x[n/2 - 1] and x[n/2], rounded down to the millisecond;
 *   90th pct     nearest rank: x[ceil(0.9 n) - 1], the smallest value with at
 *                least 90 % of the values at or below it (never interpolated:
 *                it is always a time somebody actually took);
 *   within       met / (met + late + overdue) as a percentage; pending and
 *                untracked answers are not judged.
 */
#ifndef DUTYNET_AUDIT_REPORT_STATS_H
#define DUTYNET_AUDIT_REPORT_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "audit/report.h"

#define REPORT_STATS_PERCENTILE 90
#define REPORT_STATS_PERCENT 100

/* Sorts v[0..n) ascending and fills out's n, median and 90th percentile
 * (both 0 when n is 0). */
void report_stats_summarise(int64_t *v, size_t n, struct report_stat *out);

/* The median of v[0..n), which must be sorted; 0 for n = 0. */
int64_t report_stats_median(const int64_t *v, size_t n);

/* The nearest-rank pct-th percentile (1..100) of sorted v[0..n); 0 for
 * n = 0. */
int64_t report_stats_percentile(const int64_t *v, size_t n, unsigned pct);

/* The percentage of answers within deadline, or -1 if none was judged. */
double report_stats_within(const struct report_deadline *d);

/* Adds one step of one message to d: no deadline (due_ms 0, or failed):
 * untracked; answered (answered_ms not 0): met if answered_ms <= due_ms,
 * else late; unanswered: overdue if due_ms <= as_of_ms, else pending. */
void report_stats_judge(struct report_deadline *d, uint64_t due_ms, uint64_t answered_ms,
    uint64_t as_of_ms, int failed);

#endif
