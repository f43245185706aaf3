/* SPDX-License-Identifier: ISC */
/*
 * clock: the one source of time for deadlines, retries and timestamps.
 * Programs read clock_now_ms(); tests and the demo replace the source with a
 * fixed or stepped clock (clock_set_fixed) or an offset from real time given
 * in DUTYNET_CLOCK_OFFSET_MS, so deadlines are tested without sleeping.
 */
#ifndef DUTYNET_CLOCK_H
#define DUTYNET_CLOCK_H

#include <stdint.h>

/* Unix milliseconds, UTC, from the current source. */
uint64_t clock_now_ms(void);

/* Monotonic milliseconds for timeouts within one process (never faked). */
uint64_t clock_mono_ms(void);

/* Freezes the clock at ms (tests); clock_advance moves it forward. */
void clock_set_fixed(uint64_t ms);
void clock_advance(uint64_t ms);

/* Back to real time plus offset_ms (may be negative). */
void clock_set_real(int64_t offset_ms);

/* Reads DUTYNET_CLOCK_OFFSET_MS (a signed integer) if set: 0, or -1 if the
 * value does not parse, in which case the clock stays real. */
int clock_from_env(void);

#endif
