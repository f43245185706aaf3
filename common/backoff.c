/* SPDX-License-Identifier: ISC */
/*
 * backoff: the retry schedule shared by the outbox, the hook and the link
 * (see backoff.h).  Pure arithmetic: no clock, no randomness of its own.
 */
#include <assert.h>

#include "common/backoff.h"

/* Above this the jitter product d * rnd could overflow 64 bits. */
#define BACKOFF_LIMIT_MS UINT64_C(0xffffffff)

uint64_t
backoff_ms(uint64_t initial_ms, uint64_t max_ms, unsigned attempts, uint32_t rnd)
{
	uint64_t d = initial_ms;
	unsigned i;

	assert(initial_ms <= BACKOFF_LIMIT_MS && max_ms <= BACKOFF_LIMIT_MS);
	for (i = 1; i < attempts && d < max_ms; i++)
		d *= 2;
	if (d > max_ms)
		d = max_ms;
	/* [d/2, 3d/2): rnd spread over d. */
	return d / 2 + ((d * rnd) >> 32);
}
