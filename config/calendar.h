/* SPDX-License-Identifier: ISC */
/*
 * calendar: when an agency is working, and the deadline arithmetic built on
 * it.  A calendar is the agency's weekly hours (one or more intervals per
 * weekday, Europe/London wall time), the bank holidays of England and Wales
 * (data, config/holidays-england-wales.conf) and the agency's own closures
 * (a school's holiday dates).  Deadlines follow Working Together to
 * Safeguard Children: "1 working day" from receipt.
 *
 * The rules (the deadline table in tests/vectors/deadlines.txt shows each):
 * - Working time passes only inside working hours on working days: not at
 *   weekends (days with no hours), on bank holidays or during closures.  A
 *   message received outside working hours starts counting at the next
 *   opening.
 * - N working days are N x the calendar's working-day length of working time
 *   (8 hours for the default 09:00-17:00), so a referral received on Friday
 *   at 16:55 is due in one working day on Monday at 16:55, and one received
 *   on Saturday on Monday at 17:00.  Time that runs out exactly at a
 *   closing time is due at the closing time.
 * - "By the end of the Nth working day": day 1 is the working day on which
 *   counting starts (the day of receipt if it arrives before that day's
 *   closing time, else the next working day); due at day N's closing time.
 * - Clock time ("1 hour") ignores the calendar: it is elapsed time, 24/7.
 * - Wall times are converted per day with london.h, so working hours are
 *   real elapsed time across the March and October clock changes.  An
 *   opening interval runs from the instant its opening time is first
 *   reached to the instant its closing time is first reached: 00:00-24:00
 *   is 23 hours on the March change day and 25 on the October one, and a
 *   night shift open 01:30-03:00 opens at 02:00 BST in March (the clock
 *   skips 01:00-01:59) and in October stays open through the repeated
 *   hour, 2h30 in all.
 * - A deadline that needs a year the holiday data does not cover is still
 *   computed (as if that year had no bank holidays) and comes with a
 *   warning naming the year.
 *
 * Instants are UTC milliseconds since the Unix epoch (common/clock.h); dates
 * are civil.h day counts of the London wall-clock date.
 */
#ifndef DUTYNET_CALENDAR_H
#define DUTYNET_CALENDAR_H

#include <stddef.h>
#include <stdint.h>

#include <libconfig.h>

#include "config/civil.h"
#include "config/duration.h"
#include "proto/status.h"

/* Opening hours per weekday: at most this many intervals. */
#define CALENDAR_MAX_INTERVALS 4
/* Holiday and closure names, bytes without the NUL. */
#define CALENDAR_NAME_MAX 63
/* The default working week: Monday to Friday, 09:00 to 17:00. */
#define CALENDAR_DEFAULT_OPEN (9 * 60)
#define CALENDAR_DEFAULT_CLOSE (17 * 60)
/* How far calendar_due looks for working time before giving up (a calendar
 * closed for ten years is a configuration error, not a deadline). */
#define CALENDAR_SEARCH_DAYS (10 * 366)
/* The file the default calendar's holidays come from, and the directory
 * file agency calendars are read from. */
#define CALENDAR_HOLIDAYS_FILE "holidays-england-wales.conf"
#define CALENDAR_DIRECTORY_FILE "directory.conf"

/* Open from start to end, London wall-clock minutes after midnight,
 * 0 <= start < end <= 1440 (end 1440 is midnight at the end of the day). */
struct calendar_interval {
	int start;
	int end;
};

struct calendar_holiday {
	int64_t day;
	char name[CALENDAR_NAME_MAX + 1];
	int one_off;	/* a one-off holiday, not from a rule (data file) */
};

/* Closed on the days from..to, both included. */
struct calendar_closure {
	int64_t from;
	int64_t to;
	char name[CALENDAR_NAME_MAX + 1];
};

struct calendar;

/* A new calendar with the default hours, no holidays and no closures (the
 * caller adds the holiday data with calendar_load_holidays); NULL if out of
 * memory.  The caller owns it. */
struct calendar *calendar_new_default(void);

/* Frees *cp; accepts NULL; sets *cp = NULL. */
void calendar_destroy(struct calendar **cp);

/* Replaces one weekday's hours with n intervals (n = 0: closed all day).
 * -1 and st = 504 if there are too many, or they are out of order,
 * overlapping or outside 00:00-24:00. */
int calendar_set_hours(struct calendar *cal, enum civil_weekday wd,
    const struct calendar_interval *iv, size_t n, struct status *st)
    __attribute__((warn_unused_result));

/* Sets the length of "1 working day" in ms (0: the longest day of the
 * week's hours, the default).  -1 and st = 504 if not 1 minute..24 hours. */
int calendar_set_day_length(struct calendar *cal, int64_t ms, struct status *st)
    __attribute__((warn_unused_result));

/* The length of one working day in ms (0 if the calendar has no hours). */
int64_t calendar_day_length(const struct calendar *cal);

/* Adds a bank holiday; name is copied.  -1 and st = 504 if the day is
 * already a holiday or the name is empty or too long. */
int calendar_add_holiday(struct calendar *cal, int64_t day, const char *name, int one_off,
    struct status *st) __attribute__((warn_unused_result));

/* Declares that the holidays are complete for first_year..last_year (years
 * outside it draw a warning from calendar_due).  -1 and st = 504 if
 * first_year > last_year. */
int calendar_set_holiday_years(struct calendar *cal, int first_year, int last_year,
    struct status *st) __attribute__((warn_unused_result));

/* The covered years; -1 if no holiday data was loaded. */
int calendar_holiday_years(const struct calendar *cal, int *first_year, int *last_year);

/* Whether bank holidays apply (default yes; a 24/7 service turns them off). */
void calendar_set_bank_holidays(struct calendar *cal, int on);
int calendar_bank_holidays(const struct calendar *cal);

/* Adds a closure from..to (day counts, both included); name is copied.
 * -1 and st = 504 if to < from or the name is empty or too long. */
int calendar_add_closure(struct calendar *cal, int64_t from, int64_t to, const char *name,
    struct status *st) __attribute__((warn_unused_result));

/* The holidays (in date order) and closures (in the order added), borrowed. */
size_t calendar_holiday_count(const struct calendar *cal);
const struct calendar_holiday *calendar_holiday_at(const struct calendar *cal, size_t i);
size_t calendar_closure_count(const struct calendar *cal);
const struct calendar_closure *calendar_closure_at(const struct calendar *cal, size_t i);

/* A weekday's hours, borrowed; *n is their count. */
const struct calendar_interval *calendar_hours(const struct calendar *cal, enum civil_weekday wd,
    size_t *n);

/* 1 if day is a working day; else 0, and *why (if not NULL) is the name of
 * the holiday or closure, or "no working hours" for a weekend. */
int calendar_is_working_day(const struct calendar *cal, int64_t day, const char **why);

/* The due time of duration d for something received at from, into *due.
 * Returns 0 and st = 200 with an empty text, or with a warning text when
 * the deadline runs into years without holiday data (the deadline is still
 * right for everything but unknown holidays).  -1 and st = 504 if the
 * calendar has no working hours, or none within CALENDAR_SEARCH_DAYS. */
int calendar_due(const struct calendar *cal, uint64_t from, const struct duration *d,
    uint64_t *due, struct status *st) __attribute__((warn_unused_result));

/* The working time in ms between a and b: positive when b is later, the
 * negative of calendar_working_between(cal, b, a) when it is earlier (how
 * late an answer was, in working time). */
int64_t calendar_working_between(const struct calendar *cal, uint64_t a, uint64_t b);

/* calendar_load.c: reading calendars from libconfig files.  Errors are
 * "path:line: field: message" in st (the first one, and how many more). */

/* Adds the holidays and covered years of a holiday data file (format in
 * config/holidays-england-wales.conf).  -1 and st = 421 if the file cannot
 * be read, 500 if it does not parse, 504 for a bad entry. */
int calendar_load_holidays(struct calendar *cal, const char *path, struct status *st)
    __attribute__((warn_unused_result));

/* Applies an agency's `calendar` group: `hours = { mon = ["09:00-17:00"];
 * ... }` (days not listed are closed), `closures = ( { from = "YYYY-MM-DD";
 * to = "YYYY-MM-DD"; name = "..."; } )`, `working_day = "07:30"` and
 * `bank_holidays = false`; all optional.  path names the file in errors.
 * -1 and st = 504 naming the first bad setting. */
int calendar_load_agency(struct calendar *cal, const config_setting_t *group, const char *path,
    struct status *st) __attribute__((warn_unused_result));

/* Applies an hours group alone - weekday names to lists of "HH:MM-HH:MM"
 * (`mon = [ "10:30-10:50", "15:30-17:00" ];`; days not listed have none),
 * the syntax of a calendar's `hours` - as an agent's contact windows are
 * written.  path names the file in errors.  -1 and st = 504 naming the first
 * bad setting. */
int calendar_load_hours(struct calendar *cal, const config_setting_t *hours, const char *path,
    struct status *st) __attribute__((warn_unused_result));

/* Finds agency id in dir/directory.conf (`agencies = ( { id = "..."; ...
 * calendar = { ... }; } )`) and applies its calendar group, if any.  -1 and
 * st = 530 if the agency is not there, 421 if the file cannot be read, 500 if
 * it does not parse, 504 for a bad calendar. */
int calendar_load_directory(struct calendar *cal, const char *dir, const char *id,
    struct status *st) __attribute__((warn_unused_result));

/* calendar_load_directory for n agencies at once, ids[i] into cals[i], with
 * one parse of directory.conf (a parse per agency made loading n agencies
 * O(n^2)).  Errors of every agency are reported together; the codes are
 * calendar_load_directory's. */
int calendar_load_directory_all(struct calendar *const *cals, const char *const *ids, size_t n,
    const char *dir, struct status *st) __attribute__((warn_unused_result));

#endif
