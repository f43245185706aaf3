/* SPDX-License-Identifier: ISC */
/*
 * pack: the canonical MessagePack subset dutynet speaks.  Writing goes
 * through msgpack-c's packer into a caller's fixed buffer (msgpack-c always
 * emits the shortest form); reading is by hand, because untrusted bytes must
 * be checked before anything is allocated: msgpack-c's unpacker allocates
 * whatever an array32 header claims.  The reader accepts only the shortest
 * encoding of each value, so one value has exactly one byte sequence, and
 * never reads past the end: a declared length larger than the bytes left is
 * an error before any copy.
 */
#ifndef DUTYNET_PACK_H
#define DUTYNET_PACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>

enum pack_error {
	PACK_OK = 0,
	PACK_TRUNCATED,		/* ran out of bytes, or a length exceeds them */
	PACK_WRONG_TYPE,	/* a different msgpack type than the schema's */
	PACK_NOT_CANONICAL,	/* a longer encoding than the shortest */
	PACK_OVERFLOW,		/* value too large for the field */
	PACK_BAD_UTF8,		/* a str that is not valid UTF-8 */
};

struct pack_reader {
	const uint8_t *p;
	const uint8_t *end;
	enum pack_error error;	/* first error; later reads fail at once */
};

/* Starts reading buf[0..len). */
void pack_reader_init(struct pack_reader *r, const uint8_t *buf, size_t len);

/* Each read returns 0, or -1 with r->error set (and stays failed). */
int pack_read_array(struct pack_reader *r, uint32_t *count);
int pack_read_uint(struct pack_reader *r, uint64_t *v);
int pack_read_bool(struct pack_reader *r, bool *v);
/* Borrowed pointers into the input; strings are not NUL-terminated. */
int pack_read_str(struct pack_reader *r, const char **s, uint32_t *len);
int pack_read_bin(struct pack_reader *r, const uint8_t **b, uint32_t *len);
/* 1 and consumes the byte if the next value is nil, 0 if not, -1 at end. */
int pack_read_nil(struct pack_reader *r);

/* Bytes not yet read. */
size_t pack_remaining(const struct pack_reader *r);

/* A short English name of an error ("truncated"). */
const char *pack_error_name(enum pack_error e);

/* A packer that writes into a fixed buffer; overflow is sticky. */
struct pack_writer {
	msgpack_packer pk;
	uint8_t *buf;
	size_t cap;
	size_t len;
	bool overflow;
};

/* Starts writing into buf[0..cap). */
void pack_writer_init(struct pack_writer *w, uint8_t *buf, size_t cap);

/* The writing helpers; use w->pk with msgpack_pack_* for anything else. */
void pack_write_array(struct pack_writer *w, uint32_t n);
void pack_write_uint(struct pack_writer *w, uint64_t v);
void pack_write_bool(struct pack_writer *w, bool v);
void pack_write_nil(struct pack_writer *w);
void pack_write_str(struct pack_writer *w, const char *s, size_t len);
/* Writes s (NUL-terminated) or nil if s is NULL. */
void pack_write_cstr_or_nil(struct pack_writer *w, const char *s);
void pack_write_bin(struct pack_writer *w, const uint8_t *b, size_t len);

/* 0 and *len = bytes written, or -1 if the buffer was too small. */
int pack_writer_finish(struct pack_writer *w, size_t *len);

#endif
