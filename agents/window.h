/* SPDX-License-Identifier: ISC */
/*
 * window: an agency's contact windows - the times of the week when its
 * on_message program may interrupt people for messages that can wait.  A
 * school's staff teach most of the day, so a school declares its breaks
 * and the time after lessons (agents/<id>.conf `contact_windows`, the
 * hours syntax of calendars: `mon = [ "10:30-10:50", "15:30-17:00" ];`):
 *
 *	- a standard or routine message is received, stored and receipted at
 *	  once like any other, but its on_message run waits for the next window
 *	  opening (or runs at once inside a window);
 *	- immediate and urgent messages bypass the windows: their run starts at
 *	  once, whatever the time;
 *	- with no contact_windows every run starts at once.
 *
 * The windows are a calendar (config/calendar.h) whose hours are the
 * windows, with no holidays: the arithmetic, Europe/London wall time and
 * the clock changes included, is the calendar's.
 */
#ifndef DUTYNET_WINDOW_H
#define DUTYNET_WINDOW_H

#include <stdbool.h>
#include <stdint.h>

#include "config/calendar.h"

/* true if a message of urgency (enum envelope_urgency) waits for a window:
 * standard and routine; immediate and urgent do not. */
bool window_applies(int urgency);

/* When an on_message run for a message of urgency, due at t, may start:
 * t itself if windows is NULL, the urgency bypasses them, or t is inside a
 * window; else the next window opening.  A calendar with no window at all
 * (which settings refuse) also gives t: a notification is never held back
 * for ever. */
uint64_t window_next(const struct calendar *windows, int urgency, uint64_t t);

#endif
