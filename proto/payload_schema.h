/* SPDX-License-Identifier: ISC */
/*
 * payload_schema: the walker behind payload.c.  A payload type is described
 * by a table of its fields in wire order (where each lives in its struct and
 * what it may hold); payload_schema_encode and payload_schema_decode walk
 * such a table, and both check every value with the same function, so the
 * two sides can never disagree about what is valid.  Internal to proto/:
 * other modules use payload.h.
 */
#ifndef DUTYNET_PAYLOAD_SCHEMA_H
#define DUTYNET_PAYLOAD_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/pack.h"
#include "proto/status.h"

/* Room for a field's full name in status texts ("attachments[7].mime"). */
#define PAYLOAD_SCHEMA_LABEL_MAX 64

enum payload_schema_kind {
	PAYLOAD_SCHEMA_GROUP,	/* a nested array of the next `size` fields */
	PAYLOAD_SCHEMA_TEXT,	/* str of lo..hi bytes (or nil if optional) into a
				 * struct payload_text */
	PAYLOAD_SCHEMA_UINT,	/* uint in lo..hi into a member of `size` bytes */
	PAYLOAD_SCHEMA_BOOL,	/* into a bool */
	PAYLOAD_SCHEMA_MSGID,	/* bin(16), a UUIDv7, into uint8_t[16] */
	PAYLOAD_SCHEMA_DIGEST,	/* bin of exactly `size` bytes into uint8_t[size] */
	PAYLOAD_SCHEMA_BYTES,	/* bin, as a const uint8_t * at off and its
				 * uint32_t length at count_off */
	PAYLOAD_SCHEMA_LIST,	/* array of 0..hi records described by sub[0..nsub),
				 * into an array of `size`-byte elements at off,
				 * the uint32_t count at count_off */
};

struct payload_schema_field {
	const char *name;	/* as PROTOCOL.md names it */
	enum payload_schema_kind kind;
	size_t off;
	size_t size;
	size_t count_off;
	uint64_t lo, hi;
	bool optional;		/* TEXT: nil allowed */
	int (*format)(const char *s, size_t len);	/* TEXT: 1 if valid */
	const char *rule;	/* what format wants, for the status text */
	const struct payload_schema_field *sub;		/* LIST */
	size_t nsub;
};

/* The elements of the array that fields[0..n) describe (a group is one). */
uint32_t payload_schema_elements(const struct payload_schema_field *fields, size_t n);

/* Checks each field of the struct at base, then writes it to w.  A full
 * buffer is left for pack_writer_finish to report; -1 and st 500, 504 or
 * 510 naming the field if a value is invalid. */
int payload_schema_encode(struct pack_writer *w, const struct payload_schema_field *fields,
    size_t n, const void *base, struct status *st) __attribute__((warn_unused_result));

/* Reads each field from r, checks it, then stores it in the struct at base;
 * texts and bytes stay views into r's buffer.  -1 and st as above. */
int payload_schema_decode(struct pack_reader *r, const struct payload_schema_field *fields,
    size_t n, void *base, struct status *st) __attribute__((warn_unused_result));

#endif
