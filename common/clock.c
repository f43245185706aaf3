/* SPDX-License-Identifier: ISC */
/*
 * clock: one injectable time source.  A process has one clock, so this is
 * the one piece of global state in common/; it is set once at start (from
 * the environment) or by tests, never mid-run by daemons.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "common/clock.h"

static bool fixed;
static uint64_t fixed_ms;
static int64_t offset_ms;

static uint64_t
read_clock(clockid_t id)
{
	struct timespec ts;

	/* Cannot fail for these clock ids on Linux. */
	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t
clock_now_ms(void)
{
	if (fixed)
		return fixed_ms;
	return (uint64_t)((int64_t)read_clock(CLOCK_REALTIME) + offset_ms);
}

uint64_t
clock_mono_ms(void)
{
	return read_clock(CLOCK_MONOTONIC);
}

void
clock_set_fixed(uint64_t ms)
{
	fixed = true;
	fixed_ms = ms;
}

void
clock_advance(uint64_t ms)
{
	if (fixed)
		fixed_ms += ms;
	else
		offset_ms += (int64_t)ms;
}

void
clock_set_real(int64_t offset)
{
	fixed = false;
	offset_ms = offset;
}

int
clock_from_env(void)
{
	const char *s = getenv("DUTYNET_CLOCK_OFFSET_MS");
	char *end;
	long long v;

	if (s == NULL || *s == '\0')
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	clock_set_real((int64_t)v);
	return 0;
}
