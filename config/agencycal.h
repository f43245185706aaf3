/* SPDX-License-Identifier: ISC */
/*
 * agencycal: the working-time calendar of every agency of an area, loaded
 * once.  Deadlines and escalation delays are counted with the recipient's
 * calendar (config/deadline.h), and the broker computes them for every
 * referral it accepts: reading directory.conf and the bank-holiday file per
 * message would be slow and could fail half-way, so the broker and the
 * agents load all calendars at start (and on reload) and look them up here.
 *
 * Each calendar is the default week (Mon-Fri 09:00-17:00) with the bank
 * holidays of the holiday file, then the agency's `calendar` group from
 * directory.conf (calendar_load_agency).  Agencies without one, and ids not
 * in the set (the broker's), get the default calendar.
 */
#ifndef DUTYNET_AGENCYCAL_H
#define DUTYNET_AGENCYCAL_H

#include "config/calendar.h"
#include "config/directory.h"
#include "proto/status.h"

/* Where the bank holidays come from: $DUTYNET_HOLIDAYS if set; else, for a
 * program run from the build tree CMake made (its own path, /proc/self/exe,
 * is under DUTYNET_BUILD_DIR), the source tree's copy
 * (DUTYNET_BUILD_HOLIDAYS_FILE), so tests and demos run unchanged before
 * anything is installed; else the copy `cmake --install` put in
 * DATADIR/dutynet/ (DUTYNET_HOLIDAYS_FILE, e.g.
 * /usr/share/dutynet/holidays-england-wales.conf).  All three are compiled
 * in by config/CMakeLists.txt. */
#define AGENCYCAL_HOLIDAYS_ENV "DUTYNET_HOLIDAYS"
#define AGENCYCAL_SELF_EXE "/proc/self/exe"

struct agencycal;

/* The holiday file to use (see above), borrowed: a string constant or the
 * environment's. */
const char *agencycal_holidays_path(void);

/* Loads the calendar of every agency in d from dir/directory.conf, with the
 * holidays of holidays_path.  NULL and st: 421 if a file cannot be read,
 * 500 if it does not parse, 504 naming the agency for a bad calendar. */
struct agencycal *agencycal_load(const char *dir, const struct directory *d,
    const char *holidays_path, struct status *st);

/* Frees *cp; accepts NULL; sets *cp = NULL. */
void agencycal_destroy(struct agencycal **cp);

/* The calendar of agency id, borrowed: the default calendar for an id that
 * is not in the set.  Never NULL. */
const struct calendar *agencycal_get(const struct agencycal *c, const char *id);

#endif
