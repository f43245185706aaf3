/* SPDX-License-Identifier: ISC */
/*
 * calendar_load: filling a calendar from libconfig files, the bank holiday
 * data file and an agency's `calendar` group in directory.conf.  It uses
 * only calendar.h's public functions, so a calendar built in code and one
 * read from a file obey the same checks.
 *
 * Every bad setting is found in one run; the status carries the first as
 * "path:line: field: message" and how many more there were, so a config
 * error is fixed at the place it names.  Unknown settings are errors: a
 * misspelt "closure" must not silently leave a school open in its holidays.
 * On an error the calendar may hold part of the file: callers discard it.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config/calendar.h"

#define MINUTES_PER_HOUR 60
#define HOURS_PER_DAY 24
#define HM_CHARS 5		/* "HH:MM" */
#define FIELD_MAX 128
#define KNOWN_MAX 96		/* "hours, closures, ..." in an error */

/* The first error of a load, and how many there were. */
struct errs {
	const char *path;
	int count;
	int code;
	char first[STATUS_TEXT_LEN];
};

/* Indexed by enum civil_weekday; NULL-terminated for check_known. */
static const char *const day_names[CIVIL_DAYS_PER_WEEK + 1] = {"mon", "tue", "wed", "thu",
    "fri", "sat", "sun", NULL};
static const char *const holidays_known[] = {"first_year", "last_year", "holidays", NULL};
static const char *const holiday_known[] = {"date", "name", "one_off", NULL};
static const char *const calendar_known[] = {"hours", "closures", "working_day",
    "bank_holidays", NULL};
static const char *const closure_known[] = {"from", "to", "name", NULL};

/* Writes s's path from the root: "agencies[2].calendar.hours.mon[0]". */
static void
field(const config_setting_t *s, char *out, size_t cap)
{
	const config_setting_t *parent = config_setting_parent(s);
	size_t len;

	out[0] = '\0';
	if (parent == NULL)
		return;
	field(parent, out, cap);
	len = strlen(out);
	if (config_setting_name(s) != NULL)
		snprintf(out + len, cap - len, "%s%s", len > 0 ? "." : "", config_setting_name(s));
	else
		snprintf(out + len, cap - len, "[%d]", config_setting_index(s));
}

/* Records an error: at setting s, or about the file when s is NULL.  The
 * text is "path:line: field: message", cut to fit a status. */
static void __attribute__((format(printf, 4, 5)))
err(struct errs *e, int code, const config_setting_t *s, const char *fmt, ...)
{
	char where[FIELD_MAX];
	const char *file = e->path;
	size_t len;
	va_list ap;

	if (e->count++ > 0)
		return;
	e->code = code;
	if (s == NULL) {
		snprintf(e->first, sizeof(e->first), "%s: ", file);
	} else {
		if (config_setting_source_file(s) != NULL)
			file = config_setting_source_file(s);
		field(s, where, sizeof(where));
		snprintf(e->first, sizeof(e->first), "%s:%u: %s: ", file,
		    (unsigned)config_setting_source_line(s), where);
	}
	len = strlen(e->first);
	va_start(ap, fmt);
	vsnprintf(e->first + len, sizeof(e->first) - len, fmt, ap);
	va_end(ap);
}

static int
finish(const struct errs *e, struct status *st)
{
	if (e->count == 0) {
		status_ok(st);
		return 0;
	}
	if (e->count == 1)
		return status_set(st, e->code, "%s", e->first);
	return status_set(st, e->code, "%s (and %d more error%s)", e->first, e->count - 1,
	    e->count == 2 ? "" : "s");
}

/* Records an error for each member of group not named in known. */
static void
check_known(struct errs *e, const config_setting_t *group, const char *const *known)
{
	const config_setting_t *m;
	const char *const *k;
	char list[KNOWN_MAX] = "";
	size_t len;
	unsigned i;

	for (k = known; *k != NULL; k++) {
		len = strlen(list);
		snprintf(list + len, sizeof(list) - len, "%s%s", k == known ? "" : ", ", *k);
	}
	for (i = 0; (m = config_setting_get_elem(group, i)) != NULL; i++) {
		for (k = known; *k != NULL; k++)
			if (strcmp(config_setting_name(m), *k) == 0)
				break;
		if (*k == NULL)
			err(e, STATUS_BAD_FIELD, m, "unknown setting (known here: %s)", list);
	}
}

/* Member name of group: 0 and *out if it is there and of type `type`, 1 if
 * absent, -1 (recorded) if of another type. */
static int
member(struct errs *e, const config_setting_t *group, const char *name, int type,
    const config_setting_t **out)
{
	static const char *const what[] = {
	    [CONFIG_TYPE_GROUP] = "a group { ... }",
	    [CONFIG_TYPE_STRING] = "a string in double quotes",
	    [CONFIG_TYPE_BOOL] = "true or false",
	    [CONFIG_TYPE_INT] = "a whole number",
	    [CONFIG_TYPE_LIST] = "a list ( ... )",
	};
	const config_setting_t *m = config_setting_get_member(group, name);

	if (m == NULL)
		return 1;
	if (config_setting_type(m) != type) {
		err(e, STATUS_BAD_FIELD, m, "must be %s", what[type]);
		return -1;
	}
	*out = m;
	return 0;
}

/* A required member: as member(), but absence is recorded too. */
static int
required(struct errs *e, const config_setting_t *group, const char *name, int type,
    const config_setting_t **out)
{
	int rc = member(e, group, name, type, out);

	if (rc == 1) {
		err(e, STATUS_BAD_FIELD, group, "'%s' is missing", name);
		return -1;
	}
	return rc;
}

/* A date member "YYYY-MM-DD": 0, 1 if absent, -1 (recorded) if bad. */
static int
date_member(struct errs *e, const config_setting_t *group, const char *name, int need,
    int64_t *day)
{
	const config_setting_t *m;
	struct status st;
	int rc = need ? required(e, group, name, CONFIG_TYPE_STRING, &m) :
			member(e, group, name, CONFIG_TYPE_STRING, &m);

	if (rc != 0)
		return rc;
	if (civil_parse_date(config_setting_get_string(m), day, &st) == -1) {
		err(e, STATUS_BAD_FIELD, m, "%s", st.text);
		return -1;
	}
	return 0;
}

/* "HH:MM" (00:00..24:00) at s as minutes, or -1. */
static int
parse_hm(const char *s)
{
	int h, m;

	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' || s[2] != ':' || s[3] < '0' ||
	    s[3] > '5' || s[4] < '0' || s[4] > '9')
		return -1;
	h = (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[3] - '0') * 10 + (s[4] - '0');
	if (h > HOURS_PER_DAY || (h == HOURS_PER_DAY && m != 0))
		return -1;
	return h * MINUTES_PER_HOUR + m;
}

/* Reads path into cfg (@include relative to dir, if given); -1 and the
 * error recorded if it cannot be read or does not parse. */
static int
read_file(config_t *cfg, const char *path, const char *dir, struct errs *e)
{
	FILE *f = fopen(path, "r");
	int rc;

	if (f == NULL) {
		err(e, STATUS_UNAVAILABLE, NULL, "cannot open: %s", strerror(errno));
		return -1;
	}
	if (dir != NULL)
		config_set_include_dir(cfg, dir);
	rc = config_read(cfg, f);
	fclose(f);
	if (rc == CONFIG_TRUE)
		return 0;
	if (config_error_type(cfg) == CONFIG_ERR_FILE_IO)
		err(e, STATUS_UNAVAILABLE, NULL, "cannot read an included file: %s",
		    config_error_text(cfg));
	else if (config_error_file(cfg) != NULL && strcmp(config_error_file(cfg), path) != 0)
		err(e, STATUS_MALFORMED, NULL, "in %s at line %d: syntax: %s",
		    config_error_file(cfg), config_error_line(cfg), config_error_text(cfg));
	else
		err(e, STATUS_MALFORMED, NULL, "line %d: syntax: %s", config_error_line(cfg),
		    config_error_text(cfg));
	return -1;
}

static void
load_holiday(struct calendar *cal, const config_setting_t *h, int first, int last,
    struct errs *e)
{
	const config_setting_t *name, *one_off = NULL;
	struct status st;
	int64_t day;
	int y, m, d;

	if (config_setting_type(h) != CONFIG_TYPE_GROUP) {
		err(e, STATUS_BAD_FIELD, h, "must be a group { date = \"YYYY-MM-DD\"; name = \"...\"; }");
		return;
	}
	check_known(e, h, holiday_known);
	if (date_member(e, h, "date", 1, &day) != 0 ||
	    required(e, h, "name", CONFIG_TYPE_STRING, &name) != 0 ||
	    member(e, h, "one_off", CONFIG_TYPE_BOOL, &one_off) == -1)
		return;
	civil_date_from_days(day, &y, &m, &d);
	if (y < first || y > last) {
		err(e, STATUS_BAD_FIELD, h, "date is in %d, outside first_year..last_year (%d..%d)",
		    y, first, last);
		return;
	}
	if (calendar_add_holiday(cal, day, config_setting_get_string(name),
		one_off != NULL && config_setting_get_bool(one_off), &st) == -1)
		err(e, st.code, h, "%s", st.text);
}

/* Records an error for each covered year that has no holiday: the sign of
 * a year added to the range but not to the list. */
static void
check_years(const struct calendar *cal, const config_setting_t *list, int first, int last,
    struct errs *e)
{
	size_t i = 0, n = calendar_holiday_count(cal);
	int y;

	for (y = first; y <= last; y++) {
		while (i < n && calendar_holiday_at(cal, i)->day < civil_days_from_date(y, 1, 1))
			i++;
		if (i == n || calendar_holiday_at(cal, i)->day >= civil_days_from_date(y + 1, 1, 1))
			err(e, STATUS_BAD_FIELD, list,
			    "no holidays listed for %d, which first_year..last_year covers", y);
	}
}

int
calendar_load_holidays(struct calendar *cal, const char *path, struct status *st)
{
	const config_setting_t *root, *first, *last, *list;
	struct status ys;
	struct errs e = {.path = path};
	config_t cfg;
	unsigned i;

	config_init(&cfg);
	if (read_file(&cfg, path, NULL, &e) == -1)
		goto out;
	root = config_root_setting(&cfg);
	check_known(&e, root, holidays_known);
	if (required(&e, root, "first_year", CONFIG_TYPE_INT, &first) != 0 ||
	    required(&e, root, "last_year", CONFIG_TYPE_INT, &last) != 0 ||
	    required(&e, root, "holidays", CONFIG_TYPE_LIST, &list) != 0)
		goto out;
	if (calendar_set_holiday_years(cal, config_setting_get_int(first),
		config_setting_get_int(last), &ys) == -1) {
		err(&e, ys.code, last, "%s", ys.text);
		goto out;
	}
	for (i = 0; i < (unsigned)config_setting_length(list); i++)
		load_holiday(cal, config_setting_get_elem(list, i), config_setting_get_int(first),
		    config_setting_get_int(last), &e);
	if (e.count == 0)
		check_years(cal, list, config_setting_get_int(first), config_setting_get_int(last),
		    &e);
out:
	config_destroy(&cfg);
	return finish(&e, st);
}

/* One weekday's list of "HH:MM-HH:MM". */
static void
load_day(struct calendar *cal, enum civil_weekday wd, const config_setting_t *day,
    struct errs *e)
{
	struct calendar_interval iv[CALENDAR_MAX_INTERVALS];
	const config_setting_t *s;
	struct status st;
	const char *text;
	int n = config_setting_length(day), i;

	if (config_setting_type(day) != CONFIG_TYPE_ARRAY &&
	    config_setting_type(day) != CONFIG_TYPE_LIST) {
		err(e, STATUS_BAD_FIELD, day, "must be a list of \"HH:MM-HH:MM\", e.g. "
		    "[\"09:00-17:00\"], or [] for closed");
		return;
	}
	if (n > CALENDAR_MAX_INTERVALS) {
		err(e, STATUS_BAD_FIELD, day, "%d intervals; at most %d are allowed", n,
		    CALENDAR_MAX_INTERVALS);
		return;
	}
	for (i = 0; i < n; i++) {
		s = config_setting_get_elem(day, (unsigned)i);
		text = config_setting_type(s) == CONFIG_TYPE_STRING ? config_setting_get_string(s) :
								      "";
		if (strlen(text) != 2 * HM_CHARS + 1 || text[HM_CHARS] != '-' ||
		    (iv[i].start = parse_hm(text)) == -1 ||
		    (iv[i].end = parse_hm(text + HM_CHARS + 1)) == -1) {
			err(e, STATUS_BAD_FIELD, s,
			    "'%.40s' is not an opening interval: write \"HH:MM-HH:MM\", e.g. "
			    "\"09:00-17:00\" (24:00 for midnight at the end of the day)", text);
			return;
		}
	}
	if (calendar_set_hours(cal, wd, iv, (size_t)n, &st) == -1)
		err(e, st.code, day, "%s", st.text);
}

static void
load_hours(struct calendar *cal, const config_setting_t *hours, struct errs *e)
{
	const config_setting_t *day;
	struct status st;
	int wd;

	check_known(e, hours, day_names);
	for (wd = CIVIL_MONDAY; wd <= CIVIL_SUNDAY; wd++) {
		day = config_setting_get_member(hours, day_names[wd]);
		if (day != NULL)
			load_day(cal, (enum civil_weekday)wd, day, e);
		else if (calendar_set_hours(cal, (enum civil_weekday)wd, NULL, 0, &st) == -1)
			err(e, st.code, hours, "%s", st.text);
	}
}

static void
load_closure(struct calendar *cal, const config_setting_t *c, struct errs *e)
{
	const config_setting_t *name;
	struct status st;
	int64_t from, to;
	int rc;

	if (config_setting_type(c) != CONFIG_TYPE_GROUP) {
		err(e, STATUS_BAD_FIELD, c,
		    "must be a group { from = \"YYYY-MM-DD\"; to = \"YYYY-MM-DD\"; name = \"...\"; }");
		return;
	}
	check_known(e, c, closure_known);
	if (date_member(e, c, "from", 1, &from) != 0 ||
	    required(e, c, "name", CONFIG_TYPE_STRING, &name) != 0)
		return;
	/* A one-day closure (an INSET day) may leave out `to`. */
	rc = date_member(e, c, "to", 0, &to);
	if (rc == -1)
		return;
	if (rc == 1)
		to = from;
	if (calendar_add_closure(cal, from, to, config_setting_get_string(name), &st) == -1)
		err(e, st.code, c, "%s", st.text);
}

/* The settings of a `calendar` group into cal, errors into e. */
static void
load_calendar(struct calendar *cal, const config_setting_t *group, struct errs *e)
{
	const config_setting_t *hours, *closures, *len, *bank;
	struct status st;
	int minutes;
	unsigned i;

	if (config_setting_type(group) != CONFIG_TYPE_GROUP) {
		err(e, STATUS_BAD_FIELD, group, "must be a group { hours = { ... }; ... }");
		return;
	}
	check_known(e, group, calendar_known);
	if (member(e, group, "hours", CONFIG_TYPE_GROUP, &hours) == 0)
		load_hours(cal, hours, e);
	if (member(e, group, "working_day", CONFIG_TYPE_STRING, &len) == 0) {
		minutes = strlen(config_setting_get_string(len)) == HM_CHARS ?
		    parse_hm(config_setting_get_string(len)) : -1;
		if (minutes <= 0)
			err(e, STATUS_BAD_FIELD, len,
			    "'%.40s' is not a length of day: write \"HH:MM\", e.g. \"07:30\"",
			    config_setting_get_string(len));
		else if (calendar_set_day_length(cal, minutes * CIVIL_MS_PER_MINUTE, &st) == -1)
			err(e, st.code, len, "%s", st.text);
	}
	if (member(e, group, "bank_holidays", CONFIG_TYPE_BOOL, &bank) == 0)
		calendar_set_bank_holidays(cal, config_setting_get_bool(bank));
	if (member(e, group, "closures", CONFIG_TYPE_LIST, &closures) == 0)
		for (i = 0; i < (unsigned)config_setting_length(closures); i++)
			load_closure(cal, config_setting_get_elem(closures, i), e);
}

int
calendar_load_agency(struct calendar *cal, const config_setting_t *group, const char *path,
    struct status *st)
{
	struct errs e = {.path = path};

	load_calendar(cal, group, &e);
	return finish(&e, st);
}

int
calendar_load_hours(struct calendar *cal, const config_setting_t *hours, const char *path,
    struct status *st)
{
	struct errs e = {.path = path};

	if (config_setting_type(hours) != CONFIG_TYPE_GROUP)
		err(&e, STATUS_BAD_FIELD, hours, "must be a group of weekdays, e.g. { mon = "
		    "[\"10:30-10:50\", \"15:30-17:00\"]; }");
	else
		load_hours(cal, hours, &e);
	return finish(&e, st);
}

int
calendar_load_directory(struct calendar *cal, const char *dir, const char *id,
    struct status *st)
{
	const config_setting_t *agencies, *a = NULL, *group;
	char path[PATH_MAX];
	const char *aid;
	struct errs e = {.path = path};
	config_t cfg;
	unsigned i;

	config_init(&cfg);
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, CALENDAR_DIRECTORY_FILE) >=
	    sizeof(path)) {
		e.path = dir;
		err(&e, STATUS_BAD_FIELD, NULL, "configuration directory name is too long");
		goto out;
	}
	if (read_file(&cfg, path, dir, &e) == -1)
		goto out;
	if (required(&e, config_root_setting(&cfg), "agencies", CONFIG_TYPE_LIST, &agencies) != 0)
		goto out;
	for (i = 0; a == NULL && i < (unsigned)config_setting_length(agencies); i++) {
		group = config_setting_get_elem(agencies, i);
		if (config_setting_lookup_string(group, "id", &aid) == CONFIG_TRUE &&
		    strcmp(aid, id) == 0)
			a = group;
	}
	if (a == NULL) {
		err(&e, STATUS_UNKNOWN_AGENCY, NULL,
		    "no agency with id '%.40s'; check the id, or add the agency", id);
		goto out;
	}
	/* An agency without a calendar group keeps the default calendar. */
	group = config_setting_get_member(a, "calendar");
	if (group != NULL)
		load_calendar(cal, group, &e);
out:
	config_destroy(&cfg);
	return finish(&e, st);
}

/* The agency group of list with id, looked for at index hint first (the
 * directory lists its agencies in the order the caller has them). */
static const config_setting_t *
agency_group(const config_setting_t *agencies, unsigned hint, const char *id)
{
	const config_setting_t *group;
	const char *aid;
	unsigned i, n = (unsigned)config_setting_length(agencies);

	for (i = 0; i < n; i++) {
		group = config_setting_get_elem(agencies, (hint + i) % n);
		if (config_setting_lookup_string(group, "id", &aid) == CONFIG_TRUE &&
		    strcmp(aid, id) == 0)
			return group;
	}
	return NULL;
}

int
calendar_load_directory_all(struct calendar *const *cals, const char *const *ids, size_t n,
    const char *dir, struct status *st)
{
	const config_setting_t *agencies, *a, *group;
	char path[PATH_MAX];
	struct errs e = {.path = path};
	config_t cfg;
	size_t i;

	config_init(&cfg);
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, CALENDAR_DIRECTORY_FILE) >=
	    sizeof(path)) {
		e.path = dir;
		err(&e, STATUS_BAD_FIELD, NULL, "configuration directory name is too long");
		goto out;
	}
	if (read_file(&cfg, path, dir, &e) == -1)
		goto out;
	if (required(&e, config_root_setting(&cfg), "agencies", CONFIG_TYPE_LIST, &agencies) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		if ((a = agency_group(agencies, (unsigned)i, ids[i])) == NULL) {
			err(&e, STATUS_UNKNOWN_AGENCY, NULL,
			    "no agency with id '%.40s'; check the id, or add the agency", ids[i]);
			continue;
		}
		/* An agency without a calendar group keeps the default calendar. */
		if ((group = config_setting_get_member(a, "calendar")) != NULL)
			load_calendar(cals[i], group, &e);
	}
out:
	config_destroy(&cfg);
	return finish(&e, st);
}
