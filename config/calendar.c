/* SPDX-License-Identifier: ISC */
/*
 * calendar: working hours, holidays and closures, and the two questions
 * deadlines ask of them: when is this due (calendar_due) and how much
 * working time lies between two instants (calendar_working_between).  The
 * rules are in calendar.h.
 *
 * DESIGN: both walk forward one London wall-clock day at a time.  Each
 * opening interval of a working day is turned into a UTC [start, end) with
 * london_to_utc on that day, and the arithmetic is done on those UTC
 * instants.  So "09:00-17:00" is eight real hours every day, a 24-hour
 * day is 23 or 25 real hours on the clock-change Sundays, and nothing
 * depends on the host's time zone.  Days are cheap (a few comparisons and a
 * binary search), and the longest statutory timescale is 45 working days,
 * so there is no cleverness about skipping weeks.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/calendar.h"
#include "config/london.h"

#define HM_LEN 6	/* "HH:MM" and a NUL */
#define MINUTES_PER_HOUR 60
#define YEARS_LEN 24	/* "YYYY to YYYY" with room for any int */
#define WARNING_TAIL ", so the deadline counts none there: check it against that year's " \
		     "bank holidays"

struct calendar {
	struct calendar_interval hours[CIVIL_DAYS_PER_WEEK][CALENDAR_MAX_INTERVALS];
	size_t n_hours[CIVIL_DAYS_PER_WEEK];
	int64_t day_length;		/* 0: the longest day's hours */
	struct calendar_holiday *holidays;	/* sorted by day, no duplicates */
	size_t n_holidays;
	struct calendar_closure *closures;
	size_t n_closures;
	int have_years;
	int first_year;
	int last_year;
	int bank_holidays;
};

/* Years visited that the holiday data does not cover. */
struct coverage {
	int below;	/* earliest year before first_year, or 0 */
	int above;	/* latest year after last_year, or 0 */
};

static void
fmt_hm(int minutes, char out[HM_LEN])
{
	out[0] = (char)('0' + minutes / MINUTES_PER_HOUR / 10);
	out[1] = (char)('0' + minutes / MINUTES_PER_HOUR % 10);
	out[2] = ':';
	out[3] = (char)('0' + minutes % MINUTES_PER_HOUR / 10);
	out[4] = (char)('0' + minutes % MINUTES_PER_HOUR % 10);
	out[5] = '\0';
}

struct calendar *
calendar_new_default(void)
{
	struct calendar *cal = calloc(1, sizeof(*cal));
	int wd;

	if (cal == NULL)
		return NULL;
	for (wd = CIVIL_MONDAY; wd <= CIVIL_FRIDAY; wd++) {
		cal->hours[wd][0].start = CALENDAR_DEFAULT_OPEN;
		cal->hours[wd][0].end = CALENDAR_DEFAULT_CLOSE;
		cal->n_hours[wd] = 1;
	}
	cal->bank_holidays = 1;
	return cal;
}

void
calendar_destroy(struct calendar **cp)
{
	if (cp == NULL || *cp == NULL)
		return;
	free((*cp)->holidays);
	free((*cp)->closures);
	free(*cp);
	*cp = NULL;
}

int
calendar_set_hours(struct calendar *cal, enum civil_weekday wd, const struct calendar_interval *iv,
    size_t n, struct status *st)
{
	char a[HM_LEN], b[HM_LEN];
	int prev_end = 0;
	size_t i;

	assert(wd >= CIVIL_MONDAY && wd <= CIVIL_SUNDAY);
	if (n > CALENDAR_MAX_INTERVALS)
		return status_set(st, STATUS_BAD_FIELD,
		    "%s has %zu opening intervals; at most %d are allowed",
		    civil_weekday_name(wd), n, CALENDAR_MAX_INTERVALS);
	for (i = 0; i < n; i++) {
		if (iv[i].start < 0 || iv[i].end > CIVIL_MINUTES_PER_DAY ||
		    iv[i].start >= iv[i].end)
			return status_set(st, STATUS_BAD_FIELD,
			    "%s: an opening interval must run forward within 00:00-24:00 "
			    "(interval %zu is %d to %d minutes after midnight)",
			    civil_weekday_name(wd), i + 1, iv[i].start, iv[i].end);
		if (i > 0 && iv[i].start < prev_end) {
			fmt_hm(iv[i].start, a);
			fmt_hm(prev_end, b);
			return status_set(st, STATUS_BAD_FIELD,
			    "%s: interval starting %s overlaps or precedes the one ending %s; "
			    "list intervals in order without overlap",
			    civil_weekday_name(wd), a, b);
		}
		prev_end = iv[i].end;
	}
	if (n > 0)
		memcpy(cal->hours[wd], iv, n * sizeof(*iv));
	cal->n_hours[wd] = n;
	return 0;
}

int
calendar_set_day_length(struct calendar *cal, int64_t ms, struct status *st)
{
	if (ms != 0 && (ms < CIVIL_MS_PER_MINUTE || ms > CIVIL_MS_PER_DAY))
		return status_set(st, STATUS_BAD_FIELD,
		    "working-day length of %lld ms is not between 1 minute and 24 hours",
		    (long long)ms);
	cal->day_length = ms;
	return 0;
}

int64_t
calendar_day_length(const struct calendar *cal)
{
	int64_t best = 0, len;
	size_t wd, i;

	if (cal->day_length != 0)
		return cal->day_length;
	for (wd = 0; wd < CIVIL_DAYS_PER_WEEK; wd++) {
		len = 0;
		for (i = 0; i < cal->n_hours[wd]; i++)
			len += cal->hours[wd][i].end - cal->hours[wd][i].start;
		if (len > best)
			best = len;
	}
	return best * CIVIL_MS_PER_MINUTE;
}

static int
check_name(const char *what, int64_t day, const char *name, struct status *st)
{
	char date[CIVIL_DATE_LEN];

	civil_format_date(day, date);
	if (name == NULL || name[0] == '\0')
		return status_set(st, STATUS_BAD_FIELD, "%s on %s has no name; give it one",
		    what, date);
	if (strlen(name) > CALENDAR_NAME_MAX)
		return status_set(st, STATUS_BAD_FIELD,
		    "%s on %s: name '%.40s...' is longer than %d bytes", what, date, name,
		    CALENDAR_NAME_MAX);
	return 0;
}

/* Index of the first holiday on or after day. */
static size_t
holiday_index(const struct calendar *cal, int64_t day)
{
	size_t lo = 0, hi = cal->n_holidays, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (cal->holidays[mid].day < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int
calendar_add_holiday(struct calendar *cal, int64_t day, const char *name, int one_off,
    struct status *st)
{
	struct calendar_holiday *h;
	char date[CIVIL_DATE_LEN];
	size_t at;

	if (check_name("holiday", day, name, st) == -1)
		return -1;
	at = holiday_index(cal, day);
	if (at < cal->n_holidays && cal->holidays[at].day == day) {
		civil_format_date(day, date);
		return status_set(st, STATUS_BAD_FIELD, "%s is listed twice as a holiday ('%s', '%s')",
		    date, cal->holidays[at].name, name);
	}
	h = realloc(cal->holidays, (cal->n_holidays + 1) * sizeof(*h));
	if (h == NULL)
		return status_set(st, STATUS_UNAVAILABLE, "out of memory adding a holiday");
	cal->holidays = h;
	memmove(&h[at + 1], &h[at], (cal->n_holidays - at) * sizeof(*h));
	h[at].day = day;
	strcpy(h[at].name, name);
	h[at].one_off = one_off != 0;
	cal->n_holidays++;
	return 0;
}

int
calendar_set_holiday_years(struct calendar *cal, int first_year, int last_year, struct status *st)
{
	if (first_year > last_year || first_year < CIVIL_YEAR_MIN || last_year > CIVIL_YEAR_MAX)
		return status_set(st, STATUS_BAD_FIELD,
		    "holiday years %d to %d are not a range of years from %d to %d", first_year,
		    last_year, CIVIL_YEAR_MIN, CIVIL_YEAR_MAX);
	cal->have_years = 1;
	cal->first_year = first_year;
	cal->last_year = last_year;
	return 0;
}

int
calendar_holiday_years(const struct calendar *cal, int *first_year, int *last_year)
{
	if (!cal->have_years)
		return -1;
	*first_year = cal->first_year;
	*last_year = cal->last_year;
	return 0;
}

void
calendar_set_bank_holidays(struct calendar *cal, int on)
{
	cal->bank_holidays = on != 0;
}

int
calendar_bank_holidays(const struct calendar *cal)
{
	return cal->bank_holidays;
}

int
calendar_add_closure(struct calendar *cal, int64_t from, int64_t to, const char *name,
    struct status *st)
{
	struct calendar_closure *c;
	char a[CIVIL_DATE_LEN], b[CIVIL_DATE_LEN];

	if (check_name("closure", from, name, st) == -1)
		return -1;
	if (to < from) {
		civil_format_date(from, a);
		civil_format_date(to, b);
		return status_set(st, STATUS_BAD_FIELD,
		    "closure '%s' ends (%s) before it starts (%s)", name, b, a);
	}
	c = realloc(cal->closures, (cal->n_closures + 1) * sizeof(*c));
	if (c == NULL)
		return status_set(st, STATUS_UNAVAILABLE, "out of memory adding a closure");
	cal->closures = c;
	c[cal->n_closures].from = from;
	c[cal->n_closures].to = to;
	strcpy(c[cal->n_closures].name, name);
	cal->n_closures++;
	return 0;
}

size_t
calendar_holiday_count(const struct calendar *cal)
{
	return cal->n_holidays;
}

const struct calendar_holiday *
calendar_holiday_at(const struct calendar *cal, size_t i)
{
	assert(i < cal->n_holidays);
	return &cal->holidays[i];
}

size_t
calendar_closure_count(const struct calendar *cal)
{
	return cal->n_closures;
}

const struct calendar_closure *
calendar_closure_at(const struct calendar *cal, size_t i)
{
	assert(i < cal->n_closures);
	return &cal->closures[i];
}

const struct calendar_interval *
calendar_hours(const struct calendar *cal, enum civil_weekday wd, size_t *n)
{
	assert(wd >= CIVIL_MONDAY && wd <= CIVIL_SUNDAY);
	*n = cal->n_hours[wd];
	return cal->hours[wd];
}

int
calendar_is_working_day(const struct calendar *cal, int64_t day, const char **why)
{
	size_t i;

	if (cal->n_hours[civil_weekday(day)] == 0) {
		if (why != NULL)
			*why = "no working hours";
		return 0;
	}
	if (cal->bank_holidays) {
		i = holiday_index(cal, day);
		if (i < cal->n_holidays && cal->holidays[i].day == day) {
			if (why != NULL)
				*why = cal->holidays[i].name;
			return 0;
		}
	}
	for (i = 0; i < cal->n_closures; i++) {
		if (day >= cal->closures[i].from && day <= cal->closures[i].to) {
			if (why != NULL)
				*why = cal->closures[i].name;
			return 0;
		}
	}
	return 1;
}

/* Records day's year if the holiday data does not cover it. */
static void
note_year(const struct calendar *cal, int64_t day, struct coverage *cov)
{
	int y, m, d;

	if (!cal->have_years || !cal->bank_holidays)
		return;
	civil_date_from_days(day, &y, &m, &d);
	if (y < cal->first_year && (cov->below == 0 || y < cov->below))
		cov->below = y;
	if (y > cal->last_year && y > cov->above)
		cov->above = y;
}

/* Writes "2031" or "2031 to 2032". */
static void
years_text(int lo, int hi, char *out, size_t cap)
{
	if (lo == hi)
		snprintf(out, cap, "%d", lo);
	else
		snprintf(out, cap, "%d to %d", lo, hi);
}

/* Sets st to 200, with the coverage warning if years were missing. */
static void
report(const struct calendar *cal, const struct coverage *cov, struct status *st)
{
	char before[YEARS_LEN], after[YEARS_LEN];

	status_ok(st);
	if (cov->below != 0)
		years_text(cov->below, cal->first_year - 1, before, sizeof(before));
	if (cov->above != 0)
		years_text(cal->last_year + 1, cov->above, after, sizeof(after));
	if (cov->below != 0 && cov->above != 0)
		status_set(st, STATUS_OK,
		    "bank holiday data covers only %d to %d; no holidays known for %s and %s"
		    WARNING_TAIL, cal->first_year, cal->last_year, before, after);
	else if (cov->above != 0)
		status_set(st, STATUS_OK,
		    "bank holiday data ends in %d; no holidays known for %s" WARNING_TAIL,
		    cal->last_year, after);
	else if (cov->below != 0)
		status_set(st, STATUS_OK,
		    "bank holiday data starts in %d; no holidays known for %s" WARNING_TAIL,
		    cal->first_year, before);
}

/* The UTC instant of minute `minute` of London day `day`. */
static int64_t
at(int64_t day, int minute)
{
	return london_to_utc(day * CIVIL_MS_PER_DAY + minute * CIVIL_MS_PER_MINUTE);
}

static int64_t
day_of(int64_t utc)
{
	return civil_days_from_ms(london_to_local(utc));
}

static int
no_time(const char *what, struct status *st)
{
	return status_set(st, STATUS_BAD_FIELD,
	    "the calendar has no %s within %d days; check its hours and closures", what,
	    CALENDAR_SEARCH_DAYS);
}

/* w ms of working time from t. */
static int
add_working(const struct calendar *cal, int64_t t, int64_t w, int64_t *due,
    struct coverage *cov, struct status *st)
{
	const struct calendar_interval *iv;
	int64_t day = day_of(t), s, e, from;
	size_t i;
	int k;

	for (k = 0; k < CALENDAR_SEARCH_DAYS; k++, day++) {
		note_year(cal, day, cov);
		if (!calendar_is_working_day(cal, day, NULL))
			continue;
		iv = cal->hours[civil_weekday(day)];
		for (i = 0; i < cal->n_hours[civil_weekday(day)]; i++) {
			s = at(day, iv[i].start);
			e = at(day, iv[i].end);
			if (e <= t)
				continue;
			from = s > t ? s : t;
			if (w <= e - from) {
				*due = from + w;
				return 0;
			}
			w -= e - from;
		}
	}
	return no_time("working time", st);
}

/* The closing time of working day n, day 1 being the one counting starts. */
static int
end_of_day(const struct calendar *cal, int64_t t, int n, int64_t *due, struct coverage *cov,
    struct status *st)
{
	int64_t day = day_of(t);
	size_t last;
	int k, count = 0;

	for (k = 0; k < CALENDAR_SEARCH_DAYS; k++, day++) {
		note_year(cal, day, cov);
		if (!calendar_is_working_day(cal, day, NULL))
			continue;
		last = cal->n_hours[civil_weekday(day)] - 1;
		/* The day of receipt counts only if it is still open. */
		if (count == 0 && at(day, cal->hours[civil_weekday(day)][last].end) <= t)
			continue;
		if (++count == n) {
			*due = at(day, cal->hours[civil_weekday(day)][last].end);
			return 0;
		}
	}
	return no_time("working days", st);
}

int
calendar_due(const struct calendar *cal, uint64_t from, const struct duration *d, uint64_t *due,
    struct status *st)
{
	struct coverage cov = {0, 0};
	int64_t t = (int64_t)from, out = 0, len = calendar_day_length(cal);
	int rc;

	assert(from <= (uint64_t)INT64_MAX / 2);
	switch (d->kind) {
	case DURATION_CLOCK:
		*due = from + (uint64_t)d->ms;
		status_ok(st);
		return 0;
	case DURATION_WORKING:
	case DURATION_WORKING_DAYS:
	case DURATION_END_OF_DAY:
		break;
	default:
		assert(!"duration kind");
	}
	if (len == 0)
		return status_set(st, STATUS_BAD_FIELD,
		    "the calendar has no working hours on any day, so '%s' never passes",
		    d->kind == DURATION_WORKING ? "working time" : "a working day");
	if (d->kind == DURATION_END_OF_DAY)
		rc = end_of_day(cal, t, d->days, &out, &cov, st);
	else
		rc = add_working(cal, t, d->kind == DURATION_WORKING ? d->ms : d->days * len,
		    &out, &cov, st);
	if (rc == -1)
		return -1;
	*due = (uint64_t)out;
	report(cal, &cov, st);
	return 0;
}

int64_t
calendar_working_between(const struct calendar *cal, uint64_t a, uint64_t b)
{
	const struct calendar_interval *iv;
	int64_t day, last, s, e, sum = 0;
	size_t i;

	if (b < a)
		return -calendar_working_between(cal, b, a);
	last = day_of((int64_t)b);
	for (day = day_of((int64_t)a); day <= last; day++) {
		if (!calendar_is_working_day(cal, day, NULL))
			continue;
		iv = cal->hours[civil_weekday(day)];
		for (i = 0; i < cal->n_hours[civil_weekday(day)]; i++) {
			s = at(day, iv[i].start);
			e = at(day, iv[i].end);
			if (s < (int64_t)a)
				s = (int64_t)a;
			if (e > (int64_t)b)
				e = (int64_t)b;
			if (e > s)
				sum += e - s;
		}
	}
	return sum;
}
