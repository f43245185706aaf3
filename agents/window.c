/* SPDX-License-Identifier: ISC */
/*
 * window: contact windows (see window.h).
 *
 * DESIGN: "the next opening at or after t" is asked of the calendar as a
 * deadline: one millisecond of working time counted from t ends one
 * millisecond after the first instant the windows are open, at or after t.
 */
#include <string.h>

#include "agents/window.h"
#include "proto/envelope.h"

/* The smallest working time: its due time is just past the next opening. */
#define WINDOW_PROBE_MS 1

bool
window_applies(int urgency)
{
	return urgency == URGENCY_STANDARD || urgency == URGENCY_ROUTINE;
}

uint64_t
window_next(const struct calendar *windows, int urgency, uint64_t t)
{
	struct duration probe;
	struct status st;
	uint64_t due;

	if (windows == NULL || !window_applies(urgency))
		return t;
	memset(&probe, 0, sizeof(probe));
	probe.kind = DURATION_WORKING;
	probe.ms = WINDOW_PROBE_MS;
	if (calendar_due(windows, t, &probe, &due, &st) != 0)
		return t;
	return due - WINDOW_PROBE_MS;
}
