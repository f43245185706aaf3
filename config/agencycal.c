/* SPDX-License-Identifier: ISC */
/*
 * agencycal: every agency's calendar, loaded once (see agencycal.h).  The
 * holiday file is parsed once into a template calendar; each agency's
 * calendar starts as a copy of that file's holidays on the default week and
 * then takes its own `calendar` group, as calendar_load_directory does.
 */
#include <assert.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/agencycal.h"

/* The installed copy; CMake passes DATADIR/dutynet/... of its prefix. */
#ifndef DUTYNET_HOLIDAYS_FILE
#define DUTYNET_HOLIDAYS_FILE "/usr/share/dutynet/" CALENDAR_HOLIDAYS_FILE
#endif

struct agencycal {
	struct calendar *fallback;	/* default week + holidays: unknown ids */
	char **ids;
	struct calendar **cals;
	size_t n;
};

#if defined(DUTYNET_BUILD_DIR) && defined(DUTYNET_BUILD_HOLIDAYS_FILE)
/* 1 if this program is one CMake built in DUTYNET_BUILD_DIR, run from
 * there (not an installed copy of it). */
static int
in_build_tree(void)
{
	char exe[PATH_MAX];
	size_t dir = strlen(DUTYNET_BUILD_DIR);
	ssize_t n = readlink(AGENCYCAL_SELF_EXE, exe, sizeof(exe) - 1);

	if (n <= 0)
		return 0;
	exe[n] = '\0';
	return (size_t)n > dir && strncmp(exe, DUTYNET_BUILD_DIR, dir) == 0 && exe[dir] == '/';
}
#endif

const char *
agencycal_holidays_path(void)
{
	const char *env = getenv(AGENCYCAL_HOLIDAYS_ENV);

	if (env != NULL && env[0] != '\0')
		return env;
#if defined(DUTYNET_BUILD_DIR) && defined(DUTYNET_BUILD_HOLIDAYS_FILE)
	if (in_build_tree())
		return DUTYNET_BUILD_HOLIDAYS_FILE;
#endif
	return DUTYNET_HOLIDAYS_FILE;
}

void
agencycal_destroy(struct agencycal **cp)
{
	struct agencycal *c;
	size_t i;

	if (cp == NULL || *cp == NULL)
		return;
	c = *cp;
	for (i = 0; i < c->n; i++) {
		free(c->ids[i]);
		calendar_destroy(&c->cals[i]);
	}
	free(c->ids);
	free(c->cals);
	calendar_destroy(&c->fallback);
	free(c);
	*cp = NULL;
}

/* A new default calendar with the holidays of tmpl copied in. */
static struct calendar *
with_holidays(const struct calendar *tmpl, struct status *st)
{
	const struct calendar_holiday *h;
	struct calendar *cal;
	int first, last;
	size_t i;

	if ((cal = calendar_new_default()) == NULL) {
		status_set(st, STATUS_UNAVAILABLE, "out of memory loading calendars");
		return NULL;
	}
	for (i = 0; i < calendar_holiday_count(tmpl); i++) {
		h = calendar_holiday_at(tmpl, i);
		if (calendar_add_holiday(cal, h->day, h->name, h->one_off, st) == -1)
			goto fail;
	}
	if (calendar_holiday_years(tmpl, &first, &last) == 0 &&
	    calendar_set_holiday_years(cal, first, last, st) == -1)
		goto fail;
	return cal;
fail:
	calendar_destroy(&cal);
	return NULL;
}

struct agencycal *
agencycal_load(const char *dir, const struct directory *d, const char *holidays_path,
    struct status *st)
{
	struct agencycal *c;
	size_t i;

	assert(dir != NULL && d != NULL && holidays_path != NULL);
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->ids = calloc(d->n_agencies ? d->n_agencies : 1, sizeof(*c->ids))) == NULL ||
	    (c->cals = calloc(d->n_agencies ? d->n_agencies : 1, sizeof(*c->cals))) == NULL ||
	    (c->fallback = calendar_new_default()) == NULL) {
		status_set(st, STATUS_UNAVAILABLE, "out of memory loading calendars");
		goto fail;
	}
	if (calendar_load_holidays(c->fallback, holidays_path, st) == -1)
		goto fail;
	for (i = 0; i < d->n_agencies; i++) {
		if ((c->ids[i] = strdup(d->agencies[i].id)) == NULL) {
			status_set(st, STATUS_UNAVAILABLE, "out of memory loading calendars");
			goto fail;
		}
		c->n = i + 1;
		if ((c->cals[i] = with_holidays(c->fallback, st)) == NULL)
			goto fail;
	}
	/* One parse of directory.conf for all of them. */
	if (calendar_load_directory_all(c->cals, (const char *const *)c->ids, c->n, dir, st) == -1)
		goto fail;
	status_ok(st);
	return c;
fail:
	agencycal_destroy(&c);
	return NULL;
}

const struct calendar *
agencycal_get(const struct agencycal *c, const char *id)
{
	size_t i;

	assert(c != NULL && id != NULL);
	for (i = 0; i < c->n; i++)
		if (strcmp(c->ids[i], id) == 0)
			return c->cals[i];
	return c->fallback;
}
