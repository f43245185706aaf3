/* SPDX-License-Identifier: ISC */
/*
 * payload_sample: sample payloads and a second payload encoder for the
 * payload tests.  payload_sample_raw is written from PROTOCOL.md section 6
 * alone and checks nothing, so tests can put on the wire what
 * payload_encode refuses and see payload_decode refuse it too.  The expect
 * helpers fail the running cmocka test; decoding always reads from a heap
 * copy of exactly the input's length, so the sanitizer build catches any
 * read past the end.
 */
#ifndef DUTYNET_TESTS_PAYLOAD_SAMPLE_H
#define DUTYNET_TESTS_PAYLOAD_SAMPLE_H

#include <stddef.h>
#include <stdint.h>

#include "proto/payload.h"

/* Room for any payload the tests write, valid or one past a cap. */
#define PAYLOAD_SAMPLE_BUF (ENVELOPE_MAX_PAYLOAD + 4096)

/* A UUIDv7 for ms whose random bits are all `fill`. */
void payload_sample_msgid(uint64_t ms, uint8_t fill, uint8_t id[IDS_MSGID_BYTES]);

/* Valid payloads of each type, borrowing static strings.  The referral has
 * UPN, NHS number, consent sought and two attachments; the concern has no
 * identifiers, consent not sought and no attachments. */
void payload_sample_referral(struct payload *p);
void payload_sample_concern(struct payload *p);
void payload_sample_note(struct payload *p, uint8_t type);
void payload_sample_decision(struct payload *p, uint8_t decision);
void payload_sample_receipt(struct payload *p);
void payload_sample_notice(struct payload *p, uint8_t kind);
void payload_sample_reject(struct payload *p);

/* Writes p as PROTOCOL.md lays it out, with the given version and no checks
 * (NULL texts as nil); returns the length.  buf holds PAYLOAD_SAMPLE_BUF. */
size_t payload_sample_raw(const struct payload *p, uint64_t version, uint8_t *buf);

/* Replaces the first `from` in buf[0..*len) with `to`; fails the test if
 * `from` is not there. */
void payload_sample_patch(uint8_t *buf, size_t *len, const void *from, size_t from_len,
    const void *to, size_t to_len);

/* payload_encode into buf (PAYLOAD_SAMPLE_BUF bytes), failing the test if it
 * fails; returns the length. */
size_t payload_sample_encode(const struct payload *p, uint8_t *buf);

/* Encodes p into buf, checks the bytes equal payload_sample_raw's, decodes
 * them into out (which borrows buf) and checks out encodes to the same
 * bytes. */
void payload_sample_round_trip(const struct payload *p, uint8_t *buf, struct payload *out);

/* Expects payload_decode / payload_encode to fail with code and a status
 * text that contains field (unless field is NULL). */
void payload_sample_expect_decode(uint8_t type, const uint8_t *buf, size_t len, int code,
    const char *field);
void payload_sample_expect_encode(const struct payload *p, int code, const char *field);

/* Both: payload_encode refuses p, and payload_decode refuses the bytes
 * payload_sample_raw writes for it, with the same code. */
void payload_sample_expect_both(const struct payload *p, int code, const char *field);

#endif
