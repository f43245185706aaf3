/* SPDX-License-Identifier: ISC */
/*
 * envelope: the unit dutynet routes.  One envelope has one sender and one
 * recipient; its header carries only what the broker needs to route, check
 * and time it, and everything about the child travels in the sealed payload.
 *
 * On the wire an envelope is the msgpack array [header, sealed, signature],
 * each a bin; the header bin holds the exact header bytes (itself a
 * fixed-position msgpack array), so signatures and hashes are always computed
 * over the bytes received and stored, never over a re-encoding.  Byte layout:
 * proto/PROTOCOL.md, "Envelope".
 */
#ifndef DUTYNET_ENVELOPE_H
#define DUTYNET_ENVELOPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/ids.h"
#include "proto/status.h"

#define ENVELOPE_VERSION 1
#define ENVELOPE_HEADER_FIELDS 13
#define ENVELOPE_KEYID_BYTES 16
#define ENVELOPE_SIG_BYTES 64
/* Largest plaintext payload, and the sealing overhead around it. */
#define ENVELOPE_MAX_PAYLOAD (1024 * 1024)
#define ENVELOPE_SEAL_OVERHEAD (24 + 16)	/* nonce + Poly1305 tag */
#define ENVELOPE_MAX_HEADER 512
/* Largest whole envelope: anything longer is rejected before parsing. */
#define ENVELOPE_MAX_BYTES \
	(ENVELOPE_MAX_PAYLOAD + ENVELOPE_SEAL_OVERHEAD + ENVELOPE_MAX_HEADER + 128)

enum envelope_type {
	ENVELOPE_REFERRAL = 1,	 /* a child needs a service */
	ENVELOPE_CONCERN = 2,	 /* a child may be at risk of harm */
	ENVELOPE_RECEIPT = 3,	 /* signed delivery receipt (automatic) */
	ENVELOPE_ACK = 4,	 /* acknowledgement by a person */
	ENVELOPE_DECISION = 5,	 /* accept / decline / redirect, reason */
	ENVELOPE_FEEDBACK = 6,	 /* feedback or update to the referrer */
	ENVELOPE_ESCALATION = 7, /* reminder or escalation notice */
	ENVELOPE_REJECT = 8,	 /* recipient could not accept it */
};
#define ENVELOPE_TYPE_MIN ENVELOPE_REFERRAL
#define ENVELOPE_TYPE_MAX ENVELOPE_REJECT

enum envelope_urgency {
	URGENCY_IMMEDIATE = 1,	/* child at immediate risk: any hour */
	URGENCY_URGENT = 2,
	URGENCY_STANDARD = 3,
	URGENCY_ROUTINE = 4,
};

struct envelope_header {
	uint8_t version;
	uint8_t type;			/* enum envelope_type */
	uint8_t id[IDS_MSGID_BYTES];
	char case_id[IDS_CASE_MAX + 1];
	bool has_reply_to;
	uint8_t reply_to[IDS_MSGID_BYTES];
	char from[IDS_AGENCY_MAX + 1];
	char to[IDS_AGENCY_MAX + 1];
	uint64_t created_ms;		/* Unix milliseconds, UTC */
	uint8_t urgency;		/* enum envelope_urgency */
	uint8_t sender_sign_key[ENVELOPE_KEYID_BYTES];
	uint8_t sender_box_key[ENVELOPE_KEYID_BYTES];
	uint8_t recipient_box_key[ENVELOPE_KEYID_BYTES];
	uint32_t directory_version;	/* 0 until a signed directory exists */
};

/* A decoded envelope: a view into the caller's buffer, which it borrows. */
struct envelope {
	struct envelope_header h;
	const uint8_t *header;	/* exact header bytes */
	size_t header_len;
	const uint8_t *sealed;	/* nonce || ciphertext || tag */
	size_t sealed_len;
	const uint8_t *sig;	/* ENVELOPE_SIG_BYTES */
};

/* Checks h field by field (ids, ranges); -1 and st 502/503/504 if bad. */
int envelope_header_check(const struct envelope_header *h, struct status *st)
    __attribute__((warn_unused_result));

/* Encodes a checked header into out[0..cap); *len = bytes.  -1 and st if h
 * is invalid or out too small. */
int envelope_header_encode(const struct envelope_header *h, uint8_t *out, size_t cap,
    size_t *len, struct status *st) __attribute__((warn_unused_result));

/* Decodes and checks header bytes strictly into h. */
int envelope_header_decode(const uint8_t *buf, size_t len, struct envelope_header *h,
    struct status *st) __attribute__((warn_unused_result));

/* Writes [header, sealed, sig] into out[0..cap); *len = bytes. */
int envelope_assemble(const uint8_t *header, size_t header_len, const uint8_t *sealed,
    size_t sealed_len, const uint8_t sig[ENVELOPE_SIG_BYTES], uint8_t *out, size_t cap,
    size_t *len, struct status *st) __attribute__((warn_unused_result));

/* Decodes untrusted bytes: size cap first, then exact structure, then the
 * header.  Does not verify the signature (seal_open does).  env borrows buf. */
int envelope_decode(const uint8_t *buf, size_t len, struct envelope *env, struct status *st)
    __attribute__((warn_unused_result));

/* Names for the wire enums ("referral", "urgent"); NULL if out of range. */
const char *envelope_type_name(int type);
const char *envelope_urgency_name(int urgency);
/* Parses those names; -1 if unknown. */
int envelope_type_parse(const char *name);
int envelope_urgency_parse(const char *name);

#endif
