/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for proto/pack.c: the canonical-only reader (every reject path,
 * every shortest-form boundary) and the msgpack-c writer, cross-checked both
 * ways: our writer must emit exactly the forms our reader demands, and
 * msgpack-c's own unpacker must read our bytes back to the same values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto/pack.h"

#define B(...) ((const uint8_t[]){__VA_ARGS__})
#define N(...) sizeof((const uint8_t[]){__VA_ARGS__})
/* A byte string literal and its length, for reader inputs. */
#define IN(...) B(__VA_ARGS__), N(__VA_ARGS__)

static enum pack_error
uint_error(const uint8_t *b, size_t n, uint64_t *v)
{
	struct pack_reader r;

	pack_reader_init(&r, b, n);
	if (pack_read_uint(&r, v) == 0) {
		assert_int_equal(r.error, PACK_OK);
		return PACK_OK;
	}
	assert_int_not_equal(r.error, PACK_OK);
	return r.error;
}

static enum pack_error
str_error(const uint8_t *b, size_t n)
{
	struct pack_reader r;
	const char *s;
	uint32_t len;

	pack_reader_init(&r, b, n);
	if (pack_read_str(&r, &s, &len) == 0)
		return PACK_OK;
	assert_int_not_equal(r.error, PACK_OK);
	return r.error;
}

static enum pack_error
bin_error(const uint8_t *b, size_t n)
{
	struct pack_reader r;
	const uint8_t *p;
	uint32_t len;

	pack_reader_init(&r, b, n);
	if (pack_read_bin(&r, &p, &len) == 0)
		return PACK_OK;
	return r.error;
}

static enum pack_error
array_error(const uint8_t *b, size_t n, uint32_t *count)
{
	struct pack_reader r;

	pack_reader_init(&r, b, n);
	if (pack_read_array(&r, count) == 0)
		return PACK_OK;
	return r.error;
}

static void
uint_rejects_longer_forms(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(uint_error(IN(0xcc, 0x00), &v), PACK_NOT_CANONICAL);
	assert_int_equal(uint_error(IN(0xcc, 0x7f), &v), PACK_NOT_CANONICAL);
	assert_int_equal(uint_error(IN(0xcd, 0x00, 0x05), &v), PACK_NOT_CANONICAL);
	assert_int_equal(uint_error(IN(0xcd, 0x00, 0xff), &v), PACK_NOT_CANONICAL);
	assert_int_equal(uint_error(IN(0xce, 0x00, 0x00, 0xff, 0xff), &v), PACK_NOT_CANONICAL);
	assert_int_equal(uint_error(IN(0xce, 0x00, 0x00, 0x00, 0x01), &v), PACK_NOT_CANONICAL);
	assert_int_equal(uint_error(IN(0xcf, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff), &v),
	    PACK_NOT_CANONICAL);
	assert_int_equal(uint_error(IN(0xcf, 0, 0, 0, 0, 0, 0, 0, 0), &v), PACK_NOT_CANONICAL);
}

static void
uint_rejects_other_types(void **state)
{
	/* Negative fixints, signed ints (even of positive values), floats,
	 * maps, ext, and everything else that is not a uint. */
	static const uint8_t wrong[] = {0xe0, 0xff, 0xd0, 0xd1, 0xd2, 0xd3, 0xca, 0xcb, 0x80,
	    0x8f, 0xde, 0xdf, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xc7, 0xc8, 0xc9, 0xc0, 0xc1, 0xc2,
	    0xc3, 0xa0, 0xd9, 0xc4, 0x90, 0xdc};
	uint8_t b[9] = {0, 0, 0, 0, 0, 0, 0, 0, 5};
	uint64_t v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(wrong); i++) {
		b[0] = wrong[i];
		assert_int_equal(uint_error(b, sizeof(b), &v), PACK_WRONG_TYPE);
	}
}

static void
uint_rejects_truncation(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(uint_error(NULL, 0, &v), PACK_TRUNCATED);
	assert_int_equal(uint_error(IN(0xcc), &v), PACK_TRUNCATED);
	assert_int_equal(uint_error(IN(0xcd, 0x01), &v), PACK_TRUNCATED);
	assert_int_equal(uint_error(IN(0xce, 0x01, 0x00, 0x00), &v), PACK_TRUNCATED);
	assert_int_equal(uint_error(IN(0xcf, 1, 0, 0, 0, 0, 0, 0), &v), PACK_TRUNCATED);
}

static void
uint_accepts_each_shortest_form(void **state)
{
	static const struct {
		uint8_t b[9];
		size_t n;
		uint64_t v;
	} ok[] = {
		{{0x00}, 1, 0},
		{{0x7f}, 1, 127},
		{{0xcc, 0x80}, 2, 128},
		{{0xcc, 0xff}, 2, 255},
		{{0xcd, 0x01, 0x00}, 3, 256},
		{{0xcd, 0xff, 0xff}, 3, 65535},
		{{0xce, 0x00, 0x01, 0x00, 0x00}, 5, 65536},
		{{0xce, 0xff, 0xff, 0xff, 0xff}, 5, UINT32_MAX},
		{{0xcf, 0, 0, 0, 1, 0, 0, 0, 0}, 9, (uint64_t)UINT32_MAX + 1},
		{{0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, 9, UINT64_MAX},
	};
	struct pack_reader r;
	uint64_t v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		pack_reader_init(&r, ok[i].b, ok[i].n);
		assert_int_equal(pack_read_uint(&r, &v), 0);
		assert_true(v == ok[i].v);
		assert_int_equal(pack_remaining(&r), 0);
	}
}

static void
errors_are_sticky(void **state)
{
	struct pack_reader r;
	uint64_t v = 99;
	uint32_t n;
	bool b;
	const char *s;
	const uint8_t *p;

	(void)state;
	/* A non-canonical uint, then perfectly good values. */
	pack_reader_init(&r, IN(0xcc, 0x01, 0x05, 0xc3, 0xc0, 0x91, 0xa1, 'x', 0xc4, 0x00));
	assert_int_equal(pack_read_uint(&r, &v), -1);
	assert_int_equal(r.error, PACK_NOT_CANONICAL);
	assert_int_equal(pack_read_uint(&r, &v), -1);
	assert_int_equal(pack_read_bool(&r, &b), -1);
	assert_int_equal(pack_read_nil(&r), -1);
	assert_int_equal(pack_read_array(&r, &n), -1);
	assert_int_equal(pack_read_str(&r, &s, &n), -1);
	assert_int_equal(pack_read_bin(&r, &p, &n), -1);
	/* The first error is the one kept. */
	assert_int_equal(r.error, PACK_NOT_CANONICAL);
	assert_true(v == 99);
}

static void
str_rejects_longer_forms(void **state)
{
	uint8_t b[3 + 5 + 65535] = {0};

	(void)state;
	/* str8 for 31 bytes, str16 for 255, str32 for 65535. */
	b[0] = 0xd9;
	b[1] = 31;
	memset(b + 2, 'a', 31);
	assert_int_equal(str_error(b, 2 + 31), PACK_NOT_CANONICAL);
	b[0] = 0xda;
	b[1] = 0x00;
	b[2] = 0xff;
	memset(b + 3, 'a', 255);
	assert_int_equal(str_error(b, 3 + 255), PACK_NOT_CANONICAL);
	b[0] = 0xdb;
	b[1] = 0x00;
	b[2] = 0x00;
	b[3] = 0xff;
	b[4] = 0xff;
	memset(b + 5, 'a', 65535);
	assert_int_equal(str_error(b, 5 + 65535), PACK_NOT_CANONICAL);
	assert_int_equal(str_error(IN(0xd9, 0x00)), PACK_NOT_CANONICAL);
}

static void
str_rejects_bad_utf8_and_nul(void **state)
{
	static const struct {
		uint8_t b[8];
		size_t n;
	} bad[] = {
		{{0xa2, 0xc0, 0x80}, 3},		/* overlong NUL */
		{{0xa2, 0xc1, 0xbf}, 3},		/* overlong U+007F */
		{{0xa3, 0xe0, 0x80, 0x80}, 4},		/* overlong 3-byte */
		{{0xa3, 0xe0, 0x9f, 0xbf}, 4},		/* overlong U+07FF */
		{{0xa4, 0xf0, 0x8f, 0xbf, 0xbf}, 5},	/* overlong U+FFFF */
		{{0xa3, 0xed, 0xa0, 0x80}, 4},		/* surrogate U+D800 */
		{{0xa3, 0xed, 0xbf, 0xbf}, 4},		/* surrogate U+DFFF */
		{{0xa4, 0xf4, 0x90, 0x80, 0x80}, 5},	/* U+110000 */
		{{0xa4, 0xf5, 0x80, 0x80, 0x80}, 5},	/* lead byte past F4 */
		{{0xa1, 0xff}, 2},
		{{0xa1, 0x80}, 2},			/* lone continuation */
		{{0xa2, 0xe2, 0x82}, 3},		/* sequence cut by the end */
		{{0xa2, 0xc3, 'a'}, 3},			/* continuation missing */
		{{0xa3, 0xe2, 0x82, 'a'}, 4},
		{{0xa3, 'a', 0x00, 'b'}, 4},		/* NUL inside */
		{{0xa1, 0x00}, 2},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(str_error(bad[i].b, bad[i].n), PACK_BAD_UTF8);
}

static void
str_rejects_other_types_and_truncation(void **state)
{
	(void)state;
	assert_int_equal(str_error(IN(0xc4, 0x01, 'a')), PACK_WRONG_TYPE);
	assert_int_equal(str_error(IN(0xc0)), PACK_WRONG_TYPE);
	assert_int_equal(str_error(IN(0x01)), PACK_WRONG_TYPE);
	assert_int_equal(str_error(IN(0x91, 0xa0)), PACK_WRONG_TYPE);
	assert_int_equal(str_error(NULL, 0), PACK_TRUNCATED);
	assert_int_equal(str_error(IN(0xa3, 'a', 'b')), PACK_TRUNCATED);
	assert_int_equal(str_error(IN(0xd9)), PACK_TRUNCATED);
	assert_int_equal(str_error(IN(0xd9, 0x40, 'a')), PACK_TRUNCATED);
	assert_int_equal(str_error(IN(0xda, 0x01)), PACK_TRUNCATED);
	assert_int_equal(str_error(IN(0xdb, 0xff, 0xff, 0xff, 0xff, 'a')), PACK_TRUNCATED);
}

static void
str_accepts_valid_utf8(void **state)
{
	static const struct {
		uint8_t b[8];
		size_t n;
	} good[] = {
		{{0xa0}, 1},
		{{0xa1, 0x7f}, 2},
		{{0xa2, 0xc2, 0x80}, 3},		/* U+0080 */
		{{0xa2, 0xc3, 0xa9}, 3},		/* e acute */
		{{0xa3, 0xe0, 0xa0, 0x80}, 4},		/* U+0800 */
		{{0xa3, 0xe2, 0x82, 0xac}, 4},		/* euro sign */
		{{0xa3, 0xed, 0x9f, 0xbf}, 4},		/* U+D7FF */
		{{0xa3, 0xee, 0x80, 0x80}, 4},		/* U+E000 */
		{{0xa3, 0xef, 0xbf, 0xbf}, 4},		/* U+FFFF */
		{{0xa4, 0xf0, 0x90, 0x80, 0x80}, 5},	/* U+10000 */
		{{0xa4, 0xf4, 0x8f, 0xbf, 0xbf}, 5},	/* U+10FFFF */
	};
	struct pack_reader r;
	const char *s;
	uint32_t len;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		pack_reader_init(&r, good[i].b, good[i].n);
		assert_int_equal(pack_read_str(&r, &s, &len), 0);
		assert_int_equal(len, good[i].n - 1);
		assert_ptr_equal(s, (const char *)good[i].b + 1);
		assert_int_equal(pack_remaining(&r), 0);
	}
}

static void
bin_rejects_bad_forms(void **state)
{
	uint8_t b[5 + 65535] = {0};

	(void)state;
	b[0] = 0xc5;
	b[1] = 0x00;
	b[2] = 0xff;
	assert_int_equal(bin_error(b, 3 + 255), PACK_NOT_CANONICAL);
	assert_int_equal(bin_error(IN(0xc5, 0x00, 0x00)), PACK_NOT_CANONICAL);
	b[0] = 0xc6;
	b[1] = 0x00;
	b[2] = 0x00;
	b[3] = 0xff;
	b[4] = 0xff;
	assert_int_equal(bin_error(b, 5 + 65535), PACK_NOT_CANONICAL);
	assert_int_equal(bin_error(IN(0xa1, 'a')), PACK_WRONG_TYPE);
	assert_int_equal(bin_error(IN(0xc0)), PACK_WRONG_TYPE);
	assert_int_equal(bin_error(IN(0x00)), PACK_WRONG_TYPE);
	assert_int_equal(bin_error(NULL, 0), PACK_TRUNCATED);
	assert_int_equal(bin_error(IN(0xc4)), PACK_TRUNCATED);
	assert_int_equal(bin_error(IN(0xc4, 0x02, 0x00)), PACK_TRUNCATED);
	assert_int_equal(bin_error(IN(0xc5, 0x01)), PACK_TRUNCATED);
	assert_int_equal(bin_error(IN(0xc5, 0x01, 0x00, 0x00)), PACK_TRUNCATED);
	assert_int_equal(bin_error(IN(0xc6, 0xff, 0xff, 0xff, 0xff, 0x00)), PACK_TRUNCATED);
}

static void
bin_accepts_each_shortest_form(void **state)
{
	uint8_t *b = calloc(1, 5 + 65536);
	struct pack_reader r;
	const uint8_t *p;
	uint32_t len;

	(void)state;
	assert_non_null(b);
	/* bin8 may carry any length 0..255, including zero. */
	pack_reader_init(&r, IN(0xc4, 0x00));
	assert_int_equal(pack_read_bin(&r, &p, &len), 0);
	assert_int_equal(len, 0);
	b[0] = 0xc4;
	b[1] = 0xff;
	pack_reader_init(&r, b, 2 + 255);
	assert_int_equal(pack_read_bin(&r, &p, &len), 0);
	assert_int_equal(len, 255);
	assert_ptr_equal(p, b + 2);
	b[0] = 0xc5;
	b[1] = 0x01;
	b[2] = 0x00;
	pack_reader_init(&r, b, 3 + 256);
	assert_int_equal(pack_read_bin(&r, &p, &len), 0);
	assert_int_equal(len, 256);
	b[0] = 0xc6;
	b[1] = 0x00;
	b[2] = 0x01;
	b[3] = 0x00;
	b[4] = 0x00;
	pack_reader_init(&r, b, 5 + 65536);
	assert_int_equal(pack_read_bin(&r, &p, &len), 0);
	assert_int_equal(len, 65536);
	assert_int_equal(pack_remaining(&r), 0);
	free(b);
}

static void
array_rejects_bad_forms(void **state)
{
	uint8_t b[5 + 65535] = {0};
	uint32_t n = 7;

	(void)state;
	b[0] = 0xdc;
	b[1] = 0x00;
	b[2] = 0x0f;
	assert_int_equal(array_error(b, 3 + 15, &n), PACK_NOT_CANONICAL);
	b[0] = 0xdd;
	b[1] = 0x00;
	b[2] = 0x00;
	b[3] = 0xff;
	b[4] = 0xff;
	assert_int_equal(array_error(b, 5 + 65535, &n), PACK_NOT_CANONICAL);
	assert_int_equal(array_error(IN(0x80), &n), PACK_WRONG_TYPE);
	assert_int_equal(array_error(IN(0xde, 0x00, 0x10), &n), PACK_WRONG_TYPE);
	assert_int_equal(array_error(IN(0xc4, 0x00), &n), PACK_WRONG_TYPE);
	assert_int_equal(array_error(NULL, 0, &n), PACK_TRUNCATED);
	assert_int_equal(array_error(IN(0xdc, 0x00), &n), PACK_TRUNCATED);
	/* Counts larger than the bytes left fail at once. */
	assert_int_equal(array_error(IN(0x93, 0x01, 0x02), &n), PACK_TRUNCATED);
	assert_int_equal(array_error(IN(0x9f), &n), PACK_TRUNCATED);
	assert_int_equal(n, 7);
}

static void
array_of_four_billion_in_twenty_bytes(void **state)
{
	/* An unpacker that trusts the count would allocate 4 G elements; ours
	 * compares it with the 15 bytes left (ASan watches for anything else). */
	uint8_t b[20];
	uint32_t n = 0;
	uint64_t v;
	struct pack_reader r;

	(void)state;
	memset(b, 0x01, sizeof(b));
	b[0] = 0xdd;
	b[1] = b[2] = b[3] = b[4] = 0xff;
	pack_reader_init(&r, b, sizeof(b));
	assert_int_equal(pack_read_array(&r, &n), -1);
	assert_int_equal(r.error, PACK_TRUNCATED);
	assert_int_equal(n, 0);
	assert_int_equal(pack_read_uint(&r, &v), -1);
}

static void
array_accepts_each_shortest_form(void **state)
{
	uint8_t *b = calloc(1, 5 + 65536);
	uint32_t n;

	(void)state;
	assert_non_null(b);
	assert_int_equal(array_error(IN(0x90), &n), PACK_OK);
	assert_int_equal(n, 0);
	b[0] = 0x9f;
	assert_int_equal(array_error(b, 1 + 15, &n), PACK_OK);
	assert_int_equal(n, 15);
	/* A count equal to the bytes left is the most the reader allows. */
	assert_int_equal(array_error(b, 1 + 14, &n), PACK_TRUNCATED);
	b[0] = 0xdc;
	b[1] = 0x00;
	b[2] = 0x10;
	assert_int_equal(array_error(b, 3 + 16, &n), PACK_OK);
	assert_int_equal(n, 16);
	b[0] = 0xdd;
	b[1] = 0x00;
	b[2] = 0x01;
	b[3] = 0x00;
	b[4] = 0x00;
	assert_int_equal(array_error(b, 5 + 65536, &n), PACK_OK);
	assert_int_equal(n, 65536);
	free(b);
}

static void
bool_and_nil(void **state)
{
	struct pack_reader r;
	bool b = false;
	uint64_t v;

	(void)state;
	pack_reader_init(&r, IN(0xc3, 0xc2, 0xc0, 0x05, 0xc0));
	assert_int_equal(pack_read_bool(&r, &b), 0);
	assert_true(b);
	assert_int_equal(pack_read_bool(&r, &b), 0);
	assert_false(b);
	assert_int_equal(pack_read_nil(&r), 1);
	assert_int_equal(pack_remaining(&r), 2);
	/* Not nil: nothing consumed, the value is still there. */
	assert_int_equal(pack_read_nil(&r), 0);
	assert_int_equal(pack_remaining(&r), 2);
	assert_int_equal(r.error, PACK_OK);
	assert_int_equal(pack_read_uint(&r, &v), 0);
	assert_true(v == 5);
	assert_int_equal(pack_read_nil(&r), 1);
	/* At the end nil is a truncation like any other read. */
	assert_int_equal(pack_read_nil(&r), -1);
	assert_int_equal(r.error, PACK_TRUNCATED);

	pack_reader_init(&r, IN(0xc0));
	assert_int_equal(pack_read_bool(&r, &b), -1);
	assert_int_equal(r.error, PACK_WRONG_TYPE);
	assert_int_equal(pack_read_nil(&r), -1);
	pack_reader_init(&r, IN(0x01));
	assert_int_equal(pack_read_bool(&r, &b), -1);
	assert_int_equal(r.error, PACK_WRONG_TYPE);
	pack_reader_init(&r, NULL, 0);
	assert_int_equal(pack_read_bool(&r, &b), -1);
	assert_int_equal(r.error, PACK_TRUNCATED);
}

static void
error_names(void **state)
{
	enum pack_error e, f;

	(void)state;
	assert_string_equal(pack_error_name(PACK_TRUNCATED), "truncated");
	assert_string_equal(pack_error_name(PACK_NOT_CANONICAL), "not canonical");
	assert_string_equal(pack_error_name(PACK_WRONG_TYPE), "wrong type");
	for (e = PACK_OK; e <= PACK_BAD_UTF8; e++) {
		assert_non_null(pack_error_name(e));
		for (f = PACK_OK; f < e; f++)
			assert_string_not_equal(pack_error_name(e), pack_error_name(f));
	}
	assert_string_equal(pack_error_name((enum pack_error)99), "unknown error");
}

/* The shortest form's length, computed from the msgpack spec independently
 * of both implementations. */
static size_t
uint_size(uint64_t v)
{
	if (v < 128)
		return 1;
	if (v <= UINT8_MAX)
		return 2;
	if (v <= UINT16_MAX)
		return 3;
	if (v <= UINT32_MAX)
		return 5;
	return 9;
}

static size_t
len_prefix(size_t n, size_t fix_limit, size_t min8)
{
	if (n < fix_limit)
		return 1;
	if (n < min8)
		return 2;
	if (n <= UINT16_MAX)
		return 3;
	return 5;
}

/* msgpack-c's unpacker reads buf[0..len) as exactly one object of type t. */
static void
unpack_one(const uint8_t *buf, size_t len, msgpack_unpacked *und, msgpack_object_type t)
{
	size_t off = 0;

	msgpack_unpacked_init(und);
	assert_int_equal(msgpack_unpack_next(und, (const char *)buf, len, &off),
	    MSGPACK_UNPACK_SUCCESS);
	assert_int_equal(off, len);
	assert_int_equal(und->data.type, t);
}

static void
writer_uint_is_shortest_and_round_trips(void **state)
{
	static const uint64_t edges[] = {0, 1, 127, 128, 255, 256, 65535, 65536, UINT32_MAX,
	    (uint64_t)UINT32_MAX + 1, UINT64_MAX - 1, UINT64_MAX};
	uint64_t vals[sizeof(edges) / sizeof(edges[0]) + 64], v, x = 88172645463325252ULL;
	uint8_t buf[16];
	struct pack_writer w;
	struct pack_reader r;
	msgpack_unpacked und;
	size_t i, len, nvals = 0;

	(void)state;
	for (i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
		vals[nvals++] = edges[i];
	/* xorshift64, shifted so every size class gets values. */
	for (i = 0; i < 64; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		vals[nvals++] = x >> (i % 64);
	}
	for (i = 0; i < nvals; i++) {
		pack_writer_init(&w, buf, sizeof(buf));
		pack_write_uint(&w, vals[i]);
		assert_int_equal(pack_writer_finish(&w, &len), 0);
		assert_int_equal(len, uint_size(vals[i]));
		pack_reader_init(&r, buf, len);
		assert_int_equal(pack_read_uint(&r, &v), 0);
		assert_true(v == vals[i]);
		assert_int_equal(pack_remaining(&r), 0);
		unpack_one(buf, len, &und, MSGPACK_OBJECT_POSITIVE_INTEGER);
		assert_true(und.data.via.u64 == vals[i]);
		msgpack_unpacked_destroy(&und);
	}
}

static void
writer_str_bin_array_are_shortest_and_round_trip(void **state)
{
	static const size_t lens[] = {0, 1, 15, 16, 31, 32, 255, 256, 65535, 65536, 70000};
	size_t cap = 5 + 70000, i, len, k;
	uint8_t *buf = malloc(cap);
	char *text = malloc(70000);
	struct pack_writer w;
	struct pack_reader r;
	msgpack_unpacked und;
	const char *s;
	const uint8_t *b;
	uint32_t n;

	(void)state;
	assert_non_null(buf);
	assert_non_null(text);
	for (k = 0; k < 70000; k++)
		text[k] = (char)('a' + k % 26);
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		/* str: fixstr below 32, then str8, str16, str32. */
		pack_writer_init(&w, buf, cap);
		pack_write_str(&w, text, lens[i]);
		assert_int_equal(pack_writer_finish(&w, &len), 0);
		assert_int_equal(len, len_prefix(lens[i], 32, 256) + lens[i]);
		if (lens[i] >= 32 && lens[i] <= 255)
			assert_int_equal(buf[0], 0xd9);
		pack_reader_init(&r, buf, len);
		assert_int_equal(pack_read_str(&r, &s, &n), 0);
		assert_int_equal(n, lens[i]);
		assert_memory_equal(s, text, lens[i]);
		unpack_one(buf, len, &und, MSGPACK_OBJECT_STR);
		assert_int_equal(und.data.via.str.size, lens[i]);
		assert_memory_equal(und.data.via.str.ptr, text, lens[i]);
		msgpack_unpacked_destroy(&und);

		/* bin: bin8 up to 255 (no fix form), then bin16, bin32. */
		pack_writer_init(&w, buf, cap);
		pack_write_bin(&w, (const uint8_t *)text, lens[i]);
		assert_int_equal(pack_writer_finish(&w, &len), 0);
		assert_int_equal(len, len_prefix(lens[i], 0, 256) + lens[i]);
		pack_reader_init(&r, buf, len);
		assert_int_equal(pack_read_bin(&r, &b, &n), 0);
		assert_int_equal(n, lens[i]);
		assert_memory_equal(b, text, lens[i]);
		unpack_one(buf, len, &und, MSGPACK_OBJECT_BIN);
		assert_int_equal(und.data.via.bin.size, lens[i]);
		msgpack_unpacked_destroy(&und);

		/* array of that many nils: fixarray below 16, array16, array32. */
		pack_writer_init(&w, buf, cap);
		pack_write_array(&w, (uint32_t)lens[i]);
		for (k = 0; k < lens[i]; k++)
			pack_write_nil(&w);
		assert_int_equal(pack_writer_finish(&w, &len), 0);
		assert_int_equal(len, len_prefix(lens[i], 16, 16) + lens[i]);
		pack_reader_init(&r, buf, len);
		assert_int_equal(pack_read_array(&r, &n), 0);
		assert_int_equal(n, lens[i]);
		for (k = 0; k < lens[i]; k++)
			assert_int_equal(pack_read_nil(&r), 1);
		assert_int_equal(pack_remaining(&r), 0);
		unpack_one(buf, len, &und, MSGPACK_OBJECT_ARRAY);
		assert_int_equal(und.data.via.array.size, lens[i]);
		msgpack_unpacked_destroy(&und);
	}
	free(text);
	free(buf);
}

static void
writer_bool_nil_cstr(void **state)
{
	uint8_t buf[16];
	struct pack_writer w;
	struct pack_reader r;
	msgpack_unpacked und;
	size_t len;
	bool b;
	const char *s;
	uint32_t n;

	(void)state;
	pack_writer_init(&w, buf, sizeof(buf));
	pack_write_bool(&w, true);
	pack_write_bool(&w, false);
	pack_write_nil(&w);
	pack_write_cstr_or_nil(&w, NULL);
	pack_write_cstr_or_nil(&w, "abc");
	assert_int_equal(pack_writer_finish(&w, &len), 0);
	assert_int_equal(len, 8);
	assert_memory_equal(buf, B(0xc3, 0xc2, 0xc0, 0xc0, 0xa3, 'a', 'b', 'c'), 8);
	pack_reader_init(&r, buf, len);
	assert_int_equal(pack_read_bool(&r, &b), 0);
	assert_true(b);
	assert_int_equal(pack_read_bool(&r, &b), 0);
	assert_false(b);
	assert_int_equal(pack_read_nil(&r), 1);
	assert_int_equal(pack_read_nil(&r), 1);
	assert_int_equal(pack_read_str(&r, &s, &n), 0);
	assert_int_equal(n, 3);
	assert_memory_equal(s, "abc", 3);
	unpack_one(buf, 1, &und, MSGPACK_OBJECT_BOOLEAN);
	assert_true(und.data.via.boolean);
	msgpack_unpacked_destroy(&und);
	unpack_one(buf + 2, 1, &und, MSGPACK_OBJECT_NIL);
	msgpack_unpacked_destroy(&und);
}

static void
writer_overflow_is_sticky(void **state)
{
	uint8_t buf[8];
	struct pack_writer w;
	size_t len = 12345;

	(void)state;
	/* Exactly full is fine. */
	pack_writer_init(&w, buf, 3);
	pack_write_str(&w, "ab", 2);
	assert_int_equal(pack_writer_finish(&w, &len), 0);
	assert_int_equal(len, 3);
	/* One byte over fails, and later small writes that would fit do not
	 * land after the gap. */
	len = 12345;
	memset(buf, 0xee, sizeof(buf));
	pack_writer_init(&w, buf, 4);
	pack_write_uint(&w, 1);
	pack_write_str(&w, "abcd", 4);
	pack_write_nil(&w);
	assert_true(w.overflow);
	assert_int_equal(pack_writer_finish(&w, &len), -1);
	assert_int_equal(len, 12345);
	/* The uint and the str's 1-byte head fit; its body did not, and the
	 * nil that would fit after the head was refused too. */
	assert_int_equal(w.len, 2);
	assert_int_equal(buf[2], 0xee);
	/* A zero-capacity writer fails on the first byte. */
	pack_writer_init(&w, NULL, 0);
	pack_write_bin(&w, NULL, 0);
	assert_int_equal(pack_writer_finish(&w, &len), -1);
	pack_writer_init(&w, NULL, 0);
	assert_int_equal(pack_writer_finish(&w, &len), 0);
	assert_int_equal(len, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(uint_rejects_longer_forms),
		cmocka_unit_test(uint_rejects_other_types),
		cmocka_unit_test(uint_rejects_truncation),
		cmocka_unit_test(errors_are_sticky),
		cmocka_unit_test(str_rejects_longer_forms),
		cmocka_unit_test(str_rejects_bad_utf8_and_nul),
		cmocka_unit_test(str_rejects_other_types_and_truncation),
		cmocka_unit_test(bin_rejects_bad_forms),
		cmocka_unit_test(array_rejects_bad_forms),
		cmocka_unit_test(array_of_four_billion_in_twenty_bytes),
		cmocka_unit_test(uint_accepts_each_shortest_form),
		cmocka_unit_test(str_accepts_valid_utf8),
		cmocka_unit_test(bin_accepts_each_shortest_form),
		cmocka_unit_test(array_accepts_each_shortest_form),
		cmocka_unit_test(bool_and_nil),
		cmocka_unit_test(error_names),
		cmocka_unit_test(writer_uint_is_shortest_and_round_trips),
		cmocka_unit_test(writer_str_bin_array_are_shortest_and_round_trip),
		cmocka_unit_test(writer_bool_nil_cstr),
		cmocka_unit_test(writer_overflow_is_sticky),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
