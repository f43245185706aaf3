/* SPDX-License-Identifier: ISC */
/*
 * payload: the plaintext inside a sealed envelope, one fixed-position msgpack
 * array per message type (layouts in proto/PROTOCOL.md, "Payloads").  This is
 * where everything about the child lives; only the recipient agency ever sees
 * it.  Decoding is strict like the envelope's: canonical encodings only,
 * exact counts, every length checked against the bytes left.
 *
 * Text fields are views (pointer + length, not NUL-terminated) into the
 * buffer they were decoded from, or into the caller's strings when encoding.
 */
#ifndef DUTYNET_PAYLOAD_H
#define DUTYNET_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/envelope.h"
#include "proto/status.h"

#define PAYLOAD_VERSION 1
#define PAYLOAD_SHORT_MAX 256		/* names, roles, dates, categories */
#define PAYLOAD_TEXT_MAX (64 * 1024)	/* summaries, reasons, free text */
#define PAYLOAD_ATTACH_COUNT_MAX 8
#define PAYLOAD_ATTACH_BYTES_MAX (512 * 1024)	/* all attachments together */
#define PAYLOAD_HASH_BYTES 32			/* receipt: envelope hash */
#define PAYLOAD_REJECT_CODE_MIN 500		/* reject: a permanent status */
#define PAYLOAD_REJECT_CODE_MAX 599

struct payload_text {
	const char *s;		/* NULL with len 0 means absent (nil) */
	uint32_t len;
};

struct payload_attachment {
	struct payload_text name;	/* file name, no '/' */
	struct payload_text mime;	/* e.g. "application/pdf" */
	const uint8_t *data;
	uint32_t len;
};

/* ENVELOPE_REFERRAL and ENVELOPE_CONCERN. */
struct payload_referral {
	struct payload_text child_name;
	struct payload_text child_dob;		/* YYYY-MM-DD */
	struct payload_text child_upn;		/* optional */
	struct payload_text child_nhs;		/* optional, 10 digits */
	struct payload_text category;		/* payload_category_valid() */
	struct payload_text summary;
	struct payload_text referrer_name;
	struct payload_text referrer_role;
	struct payload_text referrer_contact;
	struct payload_text lawful_basis;
	bool consent_sought;
	struct payload_text consent_why_not;	/* required iff !consent_sought */
	uint32_t attachment_count;
	struct payload_attachment attachments[PAYLOAD_ATTACH_COUNT_MAX];
};

/* ENVELOPE_ACK and ENVELOPE_FEEDBACK. */
struct payload_note {
	struct payload_text by_name;
	struct payload_text by_role;
	struct payload_text text;
};

enum payload_decision_kind {
	DECISION_ACCEPT = 1,
	DECISION_DECLINE = 2,
	DECISION_REDIRECT = 3,
};

/* ENVELOPE_DECISION. */
struct payload_decision {
	struct payload_text by_name;
	struct payload_text by_role;
	uint8_t decision;			/* enum payload_decision_kind */
	struct payload_text reason;		/* required for decline/redirect */
	struct payload_text redirect_to;	/* agency id, iff redirect */
	struct payload_text text;
};

/* ENVELOPE_RECEIPT: what was received, when. */
struct payload_receipt {
	uint64_t received_ms;
	uint8_t envelope_hash[PAYLOAD_HASH_BYTES];	/* seal_hash of the envelope */
};

enum payload_notice_kind {
	NOTICE_REMINDER = 1,
	NOTICE_ESCALATION = 2,
	NOTICE_OUT_OF_HOURS = 3,
};

/* ENVELOPE_ESCALATION. */
struct payload_notice {
	uint8_t kind;				/* enum payload_notice_kind */
	uint8_t about[IDS_MSGID_BYTES];		/* the message it concerns */
	uint64_t due_ms;
	struct payload_text text;
};

/* ENVELOPE_REJECT: the recipient could not accept a message. */
struct payload_reject {
	uint8_t about[IDS_MSGID_BYTES];
	uint16_t code;				/* enum status_code, 5xx */
	struct payload_text text;
};

struct payload {
	uint8_t type;				/* enum envelope_type */
	union {
		struct payload_referral referral;
		struct payload_note note;
		struct payload_decision decision;
		struct payload_receipt receipt;
		struct payload_notice notice;
		struct payload_reject reject;
	} u;
};

/* Checks then encodes p into out[0..cap); *len = bytes.  -1 and st 504 (or
 * 510) naming the field if p is invalid. */
int payload_encode(const struct payload *p, uint8_t *out, size_t cap, size_t *len,
    struct status *st) __attribute__((warn_unused_result));

/* Decodes untrusted plaintext of the given envelope type; p borrows buf. */
int payload_decode(uint8_t type, const uint8_t *buf, size_t len, struct payload *p,
    struct status *st) __attribute__((warn_unused_result));

/* 1 if the text is one of the concern categories listed in PROTOCOL.md. */
int payload_category_valid(const char *s, size_t len);

/* The concern categories, NULL-terminated (for --help and forms). */
extern const char *const payload_categories[];

/* Names for decisions ("accept"); -1 / NULL when unknown. */
const char *payload_decision_name(int decision);
int payload_decision_parse(const char *name);

#endif
