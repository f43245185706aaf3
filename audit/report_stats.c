/* SPDX-License-Identifier: ISC */
/*
 * report_stats: medians, percentiles and deadline shares (definitions in
 * report_stats.h).
 */
#include <stdlib.h>

#include "audit/report_stats.h"

static int
ascending(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

int64_t
report_stats_median(const int64_t *v, size_t n)
{
	int64_t lo, hi;

	if (n == 0)
		return 0;
	if (n % 2 == 1)
		return v[n / 2];
	lo = v[n / 2 - 1];
	hi = v[n / 2];
	/* lo + (hi - lo) / 2 cannot overflow; hi >= lo as v is sorted. */
	return lo + (hi - lo) / 2;
}

int64_t
report_stats_percentile(const int64_t *v, size_t n, unsigned pct)
{
	size_t rank;

	if (n == 0)
		return 0;
	/* ceil(pct * n / 100), at least 1. */
	rank = (pct * n + REPORT_STATS_PERCENT - 1) / REPORT_STATS_PERCENT;
	if (rank == 0)
		rank = 1;
	return v[rank - 1];
}

void
report_stats_summarise(int64_t *v, size_t n, struct report_stat *out)
{
	if (n > 1)
		qsort(v, n, sizeof(*v), ascending);
	out->n = n;
	out->median_ms = report_stats_median(v, n);
	out->p90_ms = report_stats_percentile(v, n, REPORT_STATS_PERCENTILE);
}

double
report_stats_within(const struct report_deadline *d)
{
	size_t judged = d->met + d->late + d->overdue;

	if (judged == 0)
		return -1;
	return (double)d->met * REPORT_STATS_PERCENT / (double)judged;
}

void
report_stats_judge(struct report_deadline *d, uint64_t due_ms, uint64_t answered_ms,
    uint64_t as_of_ms, int failed)
{
	if (due_ms == 0 || failed)
		d->untracked++;
	else if (answered_ms != 0 && answered_ms <= due_ms)
		d->met++;
	else if (answered_ms != 0)
		d->late++;
	else if (due_ms <= as_of_ms)
		d->overdue++;
	else
		d->pending++;
}
