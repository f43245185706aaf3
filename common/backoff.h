/* SPDX-License-Identifier: ISC */
/*
 * backoff: how long to wait before trying again - the one retry schedule
 * behind the outbox's resends, the on_message hook's reruns and the broker
 * link's reconnects.  The delay starts at an initial value, doubles with
 * every failed attempt up to a maximum, and is spread ("jittered") to
 * between half and one and a half times itself, so that agents restarted
 * together, or a broker's many clients after it comes back, do not all
 * retry in the same instant.
 *
 * The random part is an argument (a uniform 32-bit value; callers pass
 * randombytes_random()), so tests can pin every bound exactly.
 */
#ifndef DUTYNET_BACKOFF_H
#define DUTYNET_BACKOFF_H

#include <stdint.h>

/* The delay in ms before attempt n+1 after n attempts (0 and 1 both mean
 * "the first retry"): initial_ms doubled n-1 times but never above max_ms
 * (max_ms below initial_ms caps it too), then scaled by rnd to
 * [d/2, 3d/2): d/2 for rnd 0, d for rnd 2^31, just under 3d/2 for
 * UINT32_MAX.  Needs max_ms < 2^32 and initial_ms < 2^32 (settings are far
 * below), so nothing overflows. */
uint64_t backoff_ms(uint64_t initial_ms, uint64_t max_ms, unsigned attempts, uint32_t rnd);

#endif
