/* SPDX-License-Identifier: ISC */
/*
 * pack: the canonical MessagePack subset dutynet speaks (see pack.h).
 *
 * DESIGN: the reader is written by hand because it sees untrusted bytes.  It
 * never allocates and never copies: every value is checked against the bytes
 * left before it is touched, so an array32 header that claims four billion
 * elements costs one comparison.  It accepts only the shortest encoding of
 * each value, so one value has exactly one byte sequence and a signature over
 * header bytes cannot be replayed under a second spelling of the same header.
 * Strings must be UTF-8 without NUL bytes because the rest of dutynet keeps
 * them as C strings.  The first error sticks: a parser can read a whole
 * record and check once, and no later read can succeed on misaligned bytes.
 *
 * The writer is msgpack-c's packer pointed at the caller's fixed buffer;
 * msgpack-c always picks the shortest form, which the unit tests check
 * against this reader.
 */
#include <assert.h>
#include <string.h>

#include "proto/pack.h"

/* MessagePack format bytes (msgpack spec, "Formats"), the subset we read. */
enum {
	FMT_POSFIXINT_MAX = 0x7f,
	FMT_FIXARRAY = 0x90,	/* 0x90..0x9f, count in the low nibble */
	FMT_FIXSTR = 0xa0,	/* 0xa0..0xbf, length in the low five bits */
	FMT_FIXARRAY_MASK = 0xf0,
	FMT_FIXARRAY_COUNT = 0x0f,
	FMT_FIXSTR_MASK = 0xe0,
	FMT_FIXSTR_LEN = 0x1f,
	FMT_NIL = 0xc0,
	FMT_FALSE = 0xc2,
	FMT_TRUE = 0xc3,
	FMT_BIN8 = 0xc4,
	FMT_BIN16 = 0xc5,
	FMT_BIN32 = 0xc6,
	FMT_UINT8 = 0xcc,
	FMT_UINT16 = 0xcd,
	FMT_UINT32 = 0xce,
	FMT_UINT64 = 0xcf,
	FMT_STR8 = 0xd9,
	FMT_STR16 = 0xda,
	FMT_STR32 = 0xdb,
	FMT_ARRAY16 = 0xdc,
	FMT_ARRAY32 = 0xdd,
};

/* The smallest value each wider form may carry; anything less has a
 * shorter encoding and is not canonical. */
#define MIN_UINT8 ((uint64_t)FMT_POSFIXINT_MAX + 1)
#define MIN_16 ((uint64_t)UINT8_MAX + 1)
#define MIN_32 ((uint64_t)UINT16_MAX + 1)
#define MIN_64 ((uint64_t)UINT32_MAX + 1)
#define MIN_STR8 ((uint64_t)FMT_FIXSTR_LEN + 1)
#define MIN_ARRAY16 ((uint64_t)FMT_FIXARRAY_COUNT + 1)

void
pack_reader_init(struct pack_reader *r, const uint8_t *buf, size_t len)
{
	assert(r != NULL);
	assert(buf != NULL || len == 0);
	r->p = buf;
	/* Never offset a NULL pointer, even by zero. */
	r->end = len == 0 ? buf : buf + len;
	r->error = PACK_OK;
}

size_t
pack_remaining(const struct pack_reader *r)
{
	return (size_t)(r->end - r->p);
}

static int
fail(struct pack_reader *r, enum pack_error e)
{
	if (r->error == PACK_OK)
		r->error = e;
	return -1;
}

/* Reads n big-endian bytes as an unsigned number; the caller has checked
 * that n bytes remain. */
static uint64_t
take_be(struct pack_reader *r, size_t n)
{
	uint64_t v = 0;
	size_t i;

	assert(n <= sizeof(v) && pack_remaining(r) >= n);
	for (i = 0; i < n; i++)
		v = (v << 8) | r->p[i];
	r->p += n;
	return v;
}

/* Reads the n-byte length or value that follows a format byte and checks it
 * is at least min (the shortest-form rule).  Like every read, it leaves
 * *v alone when it fails. */
static int
take_sized(struct pack_reader *r, size_t n, uint64_t min, uint64_t *v)
{
	uint64_t x;

	if (pack_remaining(r) < n)
		return fail(r, PACK_TRUNCATED);
	x = take_be(r, n);
	if (x < min)
		return fail(r, PACK_NOT_CANONICAL);
	*v = x;
	return 0;
}

/* Consumes the format byte; -1 at the end or after an earlier error. */
static int
take_format(struct pack_reader *r, uint8_t *fmt)
{
	if (r->error != PACK_OK)
		return -1;
	if (r->p == r->end)
		return fail(r, PACK_TRUNCATED);
	*fmt = *r->p++;
	return 0;
}

int
pack_read_uint(struct pack_reader *r, uint64_t *v)
{
	uint8_t fmt;

	if (take_format(r, &fmt) == -1)
		return -1;
	if (fmt <= FMT_POSFIXINT_MAX) {
		*v = fmt;
		return 0;
	}
	switch (fmt) {
	case FMT_UINT8:
		return take_sized(r, sizeof(uint8_t), MIN_UINT8, v);
	case FMT_UINT16:
		return take_sized(r, sizeof(uint16_t), MIN_16, v);
	case FMT_UINT32:
		return take_sized(r, sizeof(uint32_t), MIN_32, v);
	case FMT_UINT64:
		return take_sized(r, sizeof(uint64_t), MIN_64, v);
	default:
		return fail(r, PACK_WRONG_TYPE);
	}
}

int
pack_read_bool(struct pack_reader *r, bool *v)
{
	uint8_t fmt;

	if (take_format(r, &fmt) == -1)
		return -1;
	if (fmt != FMT_FALSE && fmt != FMT_TRUE)
		return fail(r, PACK_WRONG_TYPE);
	*v = fmt == FMT_TRUE;
	return 0;
}

int
pack_read_nil(struct pack_reader *r)
{
	if (r->error != PACK_OK)
		return -1;
	if (r->p == r->end)
		return fail(r, PACK_TRUNCATED);
	if (*r->p != FMT_NIL)
		return 0;
	r->p++;
	return 1;
}

int
pack_read_array(struct pack_reader *r, uint32_t *count)
{
	uint8_t fmt;
	uint64_t n;

	if (take_format(r, &fmt) == -1)
		return -1;
	if ((fmt & FMT_FIXARRAY_MASK) == FMT_FIXARRAY)
		n = fmt & FMT_FIXARRAY_COUNT;
	else if (fmt == FMT_ARRAY16) {
		if (take_sized(r, sizeof(uint16_t), MIN_ARRAY16, &n) == -1)
			return -1;
	} else if (fmt == FMT_ARRAY32) {
		if (take_sized(r, sizeof(uint32_t), MIN_32, &n) == -1)
			return -1;
	} else
		return fail(r, PACK_WRONG_TYPE);
	/* Every element takes at least one byte: a count beyond the bytes
	 * left is a lie we can catch before anyone loops over it. */
	if (n > pack_remaining(r))
		return fail(r, PACK_TRUNCATED);
	*count = (uint32_t)n;
	return 0;
}

/*
 * Well-formed UTF-8 (Unicode 15, table 3-7): each lead byte range and the
 * range its second byte must fall in; any further bytes are 0x80..0xbf.
 * The narrowed second-byte ranges are what reject overlong forms (after
 * 0xe0 and 0xf0), surrogates (after 0xed) and code points past U+10FFFF
 * (after 0xf4); 0xc0, 0xc1 and 0xf5..0xff never appear.
 */
#define UTF8_CONT_LO 0x80
#define UTF8_CONT_HI 0xbf
static const struct {
	uint8_t lead_lo, lead_hi;
	uint8_t len;
	uint8_t second_lo, second_hi;
} utf8_forms[] = {
	{0xc2, 0xdf, 2, 0x80, 0xbf},
	{0xe0, 0xe0, 3, 0xa0, 0xbf},
	{0xe1, 0xec, 3, 0x80, 0xbf},
	{0xed, 0xed, 3, 0x80, 0x9f},
	{0xee, 0xef, 3, 0x80, 0xbf},
	{0xf0, 0xf0, 4, 0x90, 0xbf},
	{0xf1, 0xf3, 4, 0x80, 0xbf},
	{0xf4, 0xf4, 4, 0x80, 0x8f},
};

/* 1 if s[0..len) is well-formed UTF-8 with no NUL. */
static int
utf8_valid(const uint8_t *s, size_t len)
{
	size_t i = 0, f, k;

	while (i < len) {
		if (s[i] == '\0')
			return 0;
		if (s[i] < UTF8_CONT_LO) {
			i++;
			continue;
		}
		for (f = 0; f < sizeof(utf8_forms) / sizeof(utf8_forms[0]); f++)
			if (s[i] >= utf8_forms[f].lead_lo && s[i] <= utf8_forms[f].lead_hi)
				break;
		if (f == sizeof(utf8_forms) / sizeof(utf8_forms[0]))
			return 0;
		if (len - i < utf8_forms[f].len)
			return 0;
		if (s[i + 1] < utf8_forms[f].second_lo || s[i + 1] > utf8_forms[f].second_hi)
			return 0;
		for (k = 2; k < utf8_forms[f].len; k++)
			if (s[i + k] < UTF8_CONT_LO || s[i + k] > UTF8_CONT_HI)
				return 0;
		i += utf8_forms[f].len;
	}
	return 1;
}

/* Borrows the len bytes that follow, after checking they are there. */
static int
take_bytes(struct pack_reader *r, uint64_t len, const uint8_t **b)
{
	if (len > pack_remaining(r))
		return fail(r, PACK_TRUNCATED);
	*b = r->p;
	r->p += len;
	return 0;
}

int
pack_read_str(struct pack_reader *r, const char **s, uint32_t *len)
{
	uint8_t fmt;
	uint64_t n;
	const uint8_t *b;

	if (take_format(r, &fmt) == -1)
		return -1;
	if ((fmt & FMT_FIXSTR_MASK) == FMT_FIXSTR)
		n = fmt & FMT_FIXSTR_LEN;
	else if (fmt == FMT_STR8) {
		if (take_sized(r, sizeof(uint8_t), MIN_STR8, &n) == -1)
			return -1;
	} else if (fmt == FMT_STR16) {
		if (take_sized(r, sizeof(uint16_t), MIN_16, &n) == -1)
			return -1;
	} else if (fmt == FMT_STR32) {
		if (take_sized(r, sizeof(uint32_t), MIN_32, &n) == -1)
			return -1;
	} else
		return fail(r, PACK_WRONG_TYPE);
	if (take_bytes(r, n, &b) == -1)
		return -1;
	if (!utf8_valid(b, (size_t)n))
		return fail(r, PACK_BAD_UTF8);
	*s = (const char *)b;
	*len = (uint32_t)n;
	return 0;
}

int
pack_read_bin(struct pack_reader *r, const uint8_t **b, uint32_t *len)
{
	uint8_t fmt;
	uint64_t n;

	if (take_format(r, &fmt) == -1)
		return -1;
	if (fmt == FMT_BIN8) {
		if (take_sized(r, sizeof(uint8_t), 0, &n) == -1)
			return -1;
	} else if (fmt == FMT_BIN16) {
		if (take_sized(r, sizeof(uint16_t), MIN_16, &n) == -1)
			return -1;
	} else if (fmt == FMT_BIN32) {
		if (take_sized(r, sizeof(uint32_t), MIN_32, &n) == -1)
			return -1;
	} else
		return fail(r, PACK_WRONG_TYPE);
	if (take_bytes(r, n, b) == -1)
		return -1;
	*len = (uint32_t)n;
	return 0;
}

const char *
pack_error_name(enum pack_error e)
{
	switch (e) {
	case PACK_OK:
		return "ok";
	case PACK_TRUNCATED:
		return "truncated";
	case PACK_WRONG_TYPE:
		return "wrong type";
	case PACK_NOT_CANONICAL:
		return "not canonical";
	case PACK_OVERFLOW:
		return "value too large";
	case PACK_BAD_UTF8:
		return "not UTF-8 text without NUL";
	}
	return "unknown error";
}

/* msgpack-c's write callback: append or mark the writer overflowed.  Once
 * it has overflowed nothing more is written, so a partial value never
 * follows a missing one. */
static int
append(void *data, const char *buf, size_t len)
{
	struct pack_writer *w = data;

	if (w->overflow)
		return -1;
	if (len > w->cap - w->len) {
		w->overflow = true;
		return -1;
	}
	if (len > 0)
		memcpy(w->buf + w->len, buf, len);
	w->len += len;
	return 0;
}

void
pack_writer_init(struct pack_writer *w, uint8_t *buf, size_t cap)
{
	assert(w != NULL);
	assert(buf != NULL || cap == 0);
	w->buf = buf;
	w->cap = cap;
	w->len = 0;
	w->overflow = false;
	msgpack_packer_init(&w->pk, w, append);
}

/* The msgpack_pack_* results are ignored on purpose: a failed write sets
 * w->overflow, which pack_writer_finish reports. */

void
pack_write_array(struct pack_writer *w, uint32_t n)
{
	(void)msgpack_pack_array(&w->pk, n);
}

void
pack_write_uint(struct pack_writer *w, uint64_t v)
{
	(void)msgpack_pack_uint64(&w->pk, v);
}

void
pack_write_bool(struct pack_writer *w, bool v)
{
	(void)(v ? msgpack_pack_true(&w->pk) : msgpack_pack_false(&w->pk));
}

void
pack_write_nil(struct pack_writer *w)
{
	(void)msgpack_pack_nil(&w->pk);
}

void
pack_write_str(struct pack_writer *w, const char *s, size_t len)
{
	/* A str32 holds at most 4 GiB; nothing we send comes near. */
	assert(len <= UINT32_MAX);
	(void)msgpack_pack_str(&w->pk, len);
	(void)msgpack_pack_str_body(&w->pk, s, len);
}

void
pack_write_cstr_or_nil(struct pack_writer *w, const char *s)
{
	if (s == NULL)
		pack_write_nil(w);
	else
		pack_write_str(w, s, strlen(s));
}

void
pack_write_bin(struct pack_writer *w, const uint8_t *b, size_t len)
{
	assert(len <= UINT32_MAX);
	(void)msgpack_pack_bin(&w->pk, len);
	(void)msgpack_pack_bin_body(&w->pk, b, len);
}

int
pack_writer_finish(struct pack_writer *w, size_t *len)
{
	if (w->overflow)
		return -1;
	*len = w->len;
	return 0;
}
