/* SPDX-License-Identifier: ISC */
/*
 * fuzz_frame: libFuzzer target for what a broker or agent does with the
 * first two frames of every ZeroMQ message it receives: frame_head_decode
 * and frame_body_decode.  The first input byte picks the command (as the
 * head's last byte would), the rest is the body.
 *
 * Besides "no crash, no sanitizer report" it checks that a body that decodes
 * re-encodes to exactly the input bytes (one value, one encoding:
 * PROTOCOL.md section 3) and aborts if not.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t head[FRAME_HEAD_BYTES], again[FRAME_MAX_BODY], command;
	struct frame f;
	struct status st;
	size_t len;

	if (size < 1)
		return 0;
	(void)frame_head_decode(data, size < FRAME_HEAD_BYTES ? size : FRAME_HEAD_BYTES,
	    &command, &st);
	frame_head_encode(data[0], head);
	if (frame_head_decode(head, sizeof(head), &command, &st) == -1)
		return 0;
	if (frame_body_decode(command, data + 1, size - 1, &f, &st) == -1)
		return 0;
	if (frame_body_encode(&f, again, sizeof(again), &len, &st) == -1)
		abort();	/* decoded, so it must encode */
	if (len != size - 1 || memcmp(again, data + 1, len) != 0)
		abort();	/* a second encoding of one value was accepted */
	return 0;
}
