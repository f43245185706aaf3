/* SPDX-License-Identifier: ISC */
/* Unit tests for audit/report_stats.c: the median (odd and even counts),
 * the nearest-rank 90th percentile for every count from 1 to 20 against a
 * hand-written table, the within-deadline share, and every branch of the
 * deadline judgement.  The audit modules are not a library the tests link,
 * so the unit under test is included, as the broker's tests do. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "audit/report_stats.c"

#define N_MAX 20

static void
median_of_nothing_and_of_one(void **state)
{
	int64_t one[] = {42};

	(void)state;
	assert_int_equal(report_stats_median(NULL, 0), 0);
	assert_int_equal(report_stats_percentile(NULL, 0, REPORT_STATS_PERCENTILE), 0);
	assert_int_equal(report_stats_median(one, 1), 42);
	assert_int_equal(report_stats_percentile(one, 1, REPORT_STATS_PERCENTILE), 42);
}

static void
median_odd_is_the_middle_value(void **state)
{
	int64_t v[] = {1, 7, 100};

	(void)state;
	assert_int_equal(report_stats_median(v, 3), 7);
}

static void
median_even_is_the_mean_of_the_middle_two_rounded_down(void **state)
{
	int64_t v[] = {2700000, 7200000};	/* 45 min, 2 h: 1 h 22 min 30 s */
	int64_t w[] = {1, 2, 4, 9};		/* (2 + 4) / 2 = 3 */
	int64_t x[] = {10, 11};			/* 10.5 rounds down */

	(void)state;
	assert_int_equal(report_stats_median(v, 2), 4950000);
	assert_int_equal(report_stats_median(w, 4), 3);
	assert_int_equal(report_stats_median(x, 2), 10);
}

static void
median_even_does_not_overflow(void **state)
{
	int64_t v[] = {INT64_MAX - 2, INT64_MAX};

	(void)state;
	assert_true(report_stats_median(v, 2) == INT64_MAX - 1);
}

/* The 90th percentile of 1, 2, ..., n by nearest rank, worked out by hand:
 * rank = ceil(0.9 n), and the value of rank r is r. */
static void
p90_nearest_rank_for_1_to_20(void **state)
{
	static const int64_t want[N_MAX + 1] = {
		0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9,	/* n = 1..10: 0.9 n rounds up */
		10, 11, 12, 13, 14, 15, 16, 17, 18, 18,	/* n = 11..20 */
	};
	int64_t v[N_MAX];
	size_t n;

	(void)state;
	for (n = 0; n < N_MAX; n++)
		v[n] = (int64_t)n + 1;
	for (n = 1; n <= N_MAX; n++)
		assert_int_equal(report_stats_percentile(v, n, REPORT_STATS_PERCENTILE), want[n]);
	assert_int_equal(report_stats_percentile(v, 4, 50), 2);
	assert_int_equal(report_stats_percentile(v, 4, 100), 4);
	assert_int_equal(report_stats_percentile(v, 4, 1), 1);
}

static void
summarise_sorts_first(void **state)
{
	int64_t v[] = {244800000, 3600000, 64800000};	/* 68 h, 1 h, 18 h */
	struct report_stat s;

	(void)state;
	report_stats_summarise(v, 3, &s);
	assert_int_equal(s.n, 3);
	assert_int_equal(v[0], 3600000);
	assert_int_equal(s.median_ms, 64800000);
	assert_int_equal(s.p90_ms, 244800000);
	report_stats_summarise(v, 0, &s);
	assert_int_equal(s.n, 0);
	assert_int_equal(s.median_ms, 0);
	assert_int_equal(s.p90_ms, 0);
}

static void
within_counts_met_over_judged(void **state)
{
	struct report_deadline d;

	(void)state;
	memset(&d, 0, sizeof(d));
	d.pending = 3;
	d.untracked = 2;
	assert_true(report_stats_within(&d) < 0);	/* nothing judged */
	d.met = 6;
	d.overdue = 1;
	assert_true(report_stats_within(&d) > 85.71 && report_stats_within(&d) < 85.72);
	d.late = 1;
	assert_true(report_stats_within(&d) == 75.0);
	d.met = 0;
	assert_true(report_stats_within(&d) == 0.0);
}

static void
judge_every_branch(void **state)
{
	struct report_deadline d;
	const uint64_t due = 1000, as_of = 5000;

	(void)state;
	memset(&d, 0, sizeof(d));
	report_stats_judge(&d, 0, 10, as_of, 0);	/* no deadline */
	report_stats_judge(&d, due, 10, as_of, 1);	/* failed */
	assert_int_equal(d.untracked, 2);
	report_stats_judge(&d, due, due, as_of, 0);	/* exactly at the due time */
	report_stats_judge(&d, due, 1, as_of, 0);
	assert_int_equal(d.met, 2);
	report_stats_judge(&d, due, due + 1, as_of, 0);
	assert_int_equal(d.late, 1);
	report_stats_judge(&d, as_of, 0, as_of, 0);	/* due now, unanswered */
	assert_int_equal(d.overdue, 1);
	report_stats_judge(&d, as_of + 1, 0, as_of, 0);
	assert_int_equal(d.pending, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(median_of_nothing_and_of_one),
		cmocka_unit_test(median_odd_is_the_middle_value),
		cmocka_unit_test(median_even_is_the_mean_of_the_middle_two_rounded_down),
		cmocka_unit_test(median_even_does_not_overflow),
		cmocka_unit_test(p90_nearest_rank_for_1_to_20),
		cmocka_unit_test(summarise_sorts_first),
		cmocka_unit_test(within_counts_met_over_judged),
		cmocka_unit_test(judge_every_branch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
