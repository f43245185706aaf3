/* SPDX-License-Identifier: ISC */
/*
 * instant: fixed instants and calendars for the tests of time-dependent
 * agent code (deadlines, contact windows, out of hours), written as people
 * read them ("2025-06-11T10:00:00+01:00"), so a test shows the London wall
 * time its assertions are about.  A failure here is a test bug: it aborts.
 */
#ifndef DUTYNET_TESTS_INSTANT_H
#define DUTYNET_TESTS_INSTANT_H

#include <stdint.h>

#include "config/calendar.h"

/* A school's contact windows, Monday to Friday: the morning break and the
 * time after lessons (INSTANT_BREAK_*, INSTANT_AFTER_*, London minutes). */
#define INSTANT_BREAK_START (10 * 60 + 30)
#define INSTANT_BREAK_END (10 * 60 + 50)
#define INSTANT_AFTER_START (15 * 60 + 30)
#define INSTANT_AFTER_END (17 * 60)

/* The Unix milliseconds of an RFC 3339 date-time. */
uint64_t instant_ms(const char *rfc3339);

/* A new calendar (the caller's) whose hours are the school's contact
 * windows above, without holidays. */
struct calendar *instant_school_windows(void);

#endif
