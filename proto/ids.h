/* SPDX-License-Identifier: ISC */
/*
 * ids: the identifiers on the wire.  Agency ids name an agency in the
 * directory; message ids name one message for ever (a resend is a retry,
 * never a new message) and sort by creation time like UUIDv7 so logs read in
 * order; case ids group the messages about one child.
 */
#ifndef DUTYNET_IDS_H
#define DUTYNET_IDS_H

#include <stddef.h>
#include <stdint.h>

#include "proto/status.h"

/* Agency id: 3..32 bytes of [a-z0-9-], starting with a letter, not ending
 * with '-', no "--". */
#define IDS_AGENCY_MIN 3
#define IDS_AGENCY_MAX 32
/* Case id: 1..64 bytes of [A-Za-z0-9._:-], starting with [A-Za-z0-9]. */
#define IDS_CASE_MAX 64
#define IDS_MSGID_BYTES 16
#define IDS_MSGID_TEXT 36	/* 8-4-4-4-12 lowercase hex, without NUL */

/* 0 if s[0..len) is a valid agency id, else -1 and st = 504 naming it. */
int ids_agency_valid(const char *s, size_t len, struct status *st)
    __attribute__((warn_unused_result));

/* 0 if s[0..len) is a valid case id, else -1 and st = 504 naming it. */
int ids_case_valid(const char *s, size_t len, struct status *st)
    __attribute__((warn_unused_result));

/* Fills id with a new UUIDv7: 48-bit big-endian Unix milliseconds now_ms,
 * version 7, variant 0b10, 74 random bits. */
void ids_msgid_new(uint64_t now_ms, uint8_t id[IDS_MSGID_BYTES]);

/* Fills id like ids_msgid_new but from 10 caller-given random bytes, of
 * which the low 74 bits are used (test vectors). */
void ids_msgid_from(uint64_t now_ms, const uint8_t random[10], uint8_t id[IDS_MSGID_BYTES]);

/* 1 if id has the UUIDv7 version (7) and variant (0b10) bits, else 0. */
int ids_msgid_valid(const uint8_t id[IDS_MSGID_BYTES]);

/* The Unix milliseconds a message id was created at. */
uint64_t ids_msgid_time(const uint8_t id[IDS_MSGID_BYTES]);

/* Writes the canonical text form and a NUL into out. */
void ids_msgid_format(const uint8_t id[IDS_MSGID_BYTES], char out[IDS_MSGID_TEXT + 1]);

/* Parses the canonical text form (hex either case); -1 and st = 504 if bad. */
int ids_msgid_parse(const char *s, uint8_t id[IDS_MSGID_BYTES], struct status *st)
    __attribute__((warn_unused_result));

#endif
