/* SPDX-License-Identifier: ISC */
/*
 * fuzz_payload: libFuzzer target for payload_decode, which a recipient runs
 * on the plaintext of every envelope it opens (another agency's bytes).  The
 * first input byte is the envelope type, the rest the plaintext.
 *
 * Besides "no crash, no sanitizer report" it checks that a payload that
 * decodes re-encodes to exactly the input bytes (one value, one encoding;
 * and payload_encode accepts all that payload_decode does) and aborts if
 * not.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/payload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t again[ENVELOPE_MAX_PAYLOAD];
static struct payload payload;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct status st;
	size_t len;

	if (size < 1)
		return 0;
	if (payload_decode(data[0], data + 1, size - 1, &payload, &st) == -1)
		return 0;
	if (payload_encode(&payload, again, sizeof(again), &len, &st) == -1)
		abort();	/* decoded, so it must encode */
	if (len != size - 1 || memcmp(again, data + 1, len) != 0)
		abort();	/* a second encoding of one value was accepted */
	return 0;
}
