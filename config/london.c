/* SPDX-License-Identifier: ISC */
/*
 * london: the UK daylight-saving rule as code (see london.h for the rule and
 * for why tzdata is not used).  Both directions come down to one question,
 * "which year, and is this inside that year's summer-time window", asked in
 * UTC for UTC and in wall time for wall time.
 */
#include "config/civil.h"
#include "config/london.h"

#define MARCH 3
#define OCTOBER 10

static int
year_of(int64_t ms)
{
	int y, m, d;

	civil_date_from_days(civil_days_from_ms(ms), &y, &m, &d);
	return y;
}

int64_t
london_bst_start(int year)
{
	return civil_last_weekday(year, MARCH, CIVIL_SUNDAY) * CIVIL_MS_PER_DAY +
	    LONDON_CHANGE_UTC_MS;
}

int64_t
london_bst_end(int year)
{
	return civil_last_weekday(year, OCTOBER, CIVIL_SUNDAY) * CIVIL_MS_PER_DAY +
	    LONDON_CHANGE_UTC_MS;
}

int64_t
london_offset(int64_t utc_ms)
{
	int y = year_of(utc_ms);

	/* BST never spans a new year, so the UTC year is the one that counts. */
	if (utc_ms >= london_bst_start(y) && utc_ms < london_bst_end(y))
		return LONDON_BST_OFFSET_MS;
	return 0;
}

int64_t
london_to_local(int64_t utc_ms)
{
	return utc_ms + london_offset(utc_ms);
}

int64_t
london_to_utc(int64_t local_ms)
{
	int y = year_of(local_ms);
	/*
	 * In wall time BST is [02:00 on the March change day, 02:00 on the
	 * October one): the start is the first wall time that exists after
	 * the gap, the end the first one after the repeated hour, so the
	 * repeated hour is read as BST, its first occurrence (london.h).  The
	 * gap, [01:00, 02:00) in wall time, starts where the GMT wall time of
	 * the change instant does.
	 */
	int64_t start = london_bst_start(y) + LONDON_BST_OFFSET_MS;
	int64_t end = london_bst_end(y) + LONDON_BST_OFFSET_MS;

	if (local_ms >= start && local_ms < end)
		return local_ms - LONDON_BST_OFFSET_MS;
	/* In the gap: the clocks change at london_bst_start, shown as 02:00. */
	if (local_ms >= london_bst_start(y) && local_ms < start)
		return london_bst_start(y);
	return local_ms;
}
