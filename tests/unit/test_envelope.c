/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for proto/envelope.c.  Bad headers are built field by field
 * with the raw pack writer (bypassing envelope_header_check), so each test
 * changes exactly one field's bytes of an otherwise valid header and checks
 * the exact status code and the field named in the text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto/envelope.h"
#include "proto/pack.h"

/* Header field positions, from the spec (not from envelope.c). */
enum {
	P_VERSION,
	P_TYPE,
	P_ID,
	P_CASE,
	P_REPLY,
	P_FROM,
	P_TO,
	P_CREATED,
	P_URGENCY,
	P_SIGN_KEY,
	P_BOX_KEY,
	P_RCPT_KEY,
	P_DIRVER,
	P_N
};

static const char *const p_names[P_N] = {"version", "type", "message_id", "case_id",
    "in_reply_to", "from", "to", "created_ms", "urgency", "sender_sign_key", "sender_box_key",
    "recipient_box_key", "directory_version"};

#define PART_MAX 96
#define BUF_MAX 2048
#define CREATED 1700000000123ULL

/* Each field's encoding, so one can be swapped for other bytes. */
struct parts {
	uint8_t b[P_N][PART_MAX];
	size_t n[P_N];
};

/* The types that answer an earlier message, from the spec. */
static bool
needs_reply(int type)
{
	return type != ENVELOPE_REFERRAL && type != ENVELOPE_CONCERN;
}

static void
make_header(struct envelope_header *h, int type)
{
	static const uint8_t r1[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
	static const uint8_t r2[10] = {10, 9, 8, 7, 6, 5, 4, 3, 2, 1};

	memset(h, 0, sizeof(*h));
	h->version = ENVELOPE_VERSION;
	h->type = (uint8_t)type;
	ids_msgid_from(CREATED, r1, h->id);
	strcpy(h->case_id, "CASE-2024:001");
	h->has_reply_to = needs_reply(type);
	if (h->has_reply_to)
		ids_msgid_from(CREATED - 1000, r2, h->reply_to);
	strcpy(h->from, "school-001");
	strcpy(h->to, "mash");
	h->created_ms = CREATED;
	h->urgency = URGENCY_URGENT;
	memset(h->sender_sign_key, 0x11, ENVELOPE_KEYID_BYTES);
	memset(h->sender_box_key, 0x22, ENVELOPE_KEYID_BYTES);
	memset(h->recipient_box_key, 0x33, ENVELOPE_KEYID_BYTES);
	h->directory_version = 7;
}

static void
part_raw(struct parts *p, int f, const uint8_t *b, size_t n)
{
	assert_true(n <= PART_MAX);
	memcpy(p->b[f], b, n);
	p->n[f] = n;
}

#define PART(p, f, ...) \
	part_raw(p, f, (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__}))

static struct pack_writer *
part_begin(struct parts *p, int f, struct pack_writer *w)
{
	pack_writer_init(w, p->b[f], PART_MAX);
	return w;
}

static void
part_end(struct parts *p, int f, struct pack_writer *w)
{
	assert_int_equal(pack_writer_finish(w, &p->n[f]), 0);
}

static void
part_uint(struct parts *p, int f, uint64_t v)
{
	struct pack_writer w;

	pack_write_uint(part_begin(p, f, &w), v);
	part_end(p, f, &w);
}

static void
part_str(struct parts *p, int f, const char *s, size_t len)
{
	struct pack_writer w;

	pack_write_str(part_begin(p, f, &w), s, len);
	part_end(p, f, &w);
}

static void
part_bin(struct parts *p, int f, const uint8_t *b, size_t len)
{
	struct pack_writer w;

	pack_write_bin(part_begin(p, f, &w), b, len);
	part_end(p, f, &w);
}

/* The fields of h as the spec lays them out, without any checking. */
static void
parts_from(const struct envelope_header *h, struct parts *p)
{
	part_uint(p, P_VERSION, h->version);
	part_uint(p, P_TYPE, h->type);
	part_bin(p, P_ID, h->id, 16);
	part_str(p, P_CASE, h->case_id, strlen(h->case_id));
	if (h->has_reply_to)
		part_bin(p, P_REPLY, h->reply_to, 16);
	else
		PART(p, P_REPLY, 0xc0);
	part_str(p, P_FROM, h->from, strlen(h->from));
	part_str(p, P_TO, h->to, strlen(h->to));
	part_uint(p, P_CREATED, h->created_ms);
	part_uint(p, P_URGENCY, h->urgency);
	part_bin(p, P_SIGN_KEY, h->sender_sign_key, 16);
	part_bin(p, P_BOX_KEY, h->sender_box_key, 16);
	part_bin(p, P_RCPT_KEY, h->recipient_box_key, 16);
	part_uint(p, P_DIRVER, h->directory_version);
}

/* An array header claiming count, then the first nfields parts. */
static size_t
join(const struct parts *p, uint32_t count, size_t nfields, uint8_t *out)
{
	struct pack_writer w;
	size_t i, len;

	pack_writer_init(&w, out, BUF_MAX);
	pack_write_array(&w, count);
	assert_int_equal(pack_writer_finish(&w, &len), 0);
	for (i = 0; i < nfields; i++) {
		memcpy(out + len, p->b[i], p->n[i]);
		len += p->n[i];
	}
	return len;
}

/* Decodes buf[0..len) as a header: expects code (200 = success) and, on
 * failure, a text containing want. */
static void
expect_header(const uint8_t *buf, size_t len, int code, const char *want)
{
	struct envelope_header h;
	struct status st = {0};
	int rc = envelope_header_decode(buf, len, &h, &st);

	if (code == STATUS_OK) {
		if (rc != 0)
			fail_msg("unexpected %d: %s", st.code, st.text);
		return;
	}
	assert_int_equal(rc, -1);
	if (st.code != code)
		fail_msg("want %d, got %d: %s", code, st.code, st.text);
	if (want != NULL && strstr(st.text, want) == NULL)
		fail_msg("text \"%s\" lacks \"%s\"", st.text, want);
}

/* A valid header of the given type with field f replaced by bytes. */
static void
expect_field(int type, int f, const uint8_t *b, size_t n, int code, const char *want)
{
	struct envelope_header h;
	struct parts p;
	uint8_t buf[BUF_MAX];

	make_header(&h, type);
	parts_from(&h, &p);
	part_raw(&p, f, b, n);
	expect_header(buf, join(&p, P_N, P_N, buf), code, want);
}

#define FIELD(type, f, code, want, ...) \
	expect_field(type, f, (const uint8_t[]){__VA_ARGS__}, \
	    sizeof((const uint8_t[]){__VA_ARGS__}), code, want)

static void
assert_header_equal(const struct envelope_header *a, const struct envelope_header *b)
{
	assert_int_equal(a->version, b->version);
	assert_int_equal(a->type, b->type);
	assert_memory_equal(a->id, b->id, 16);
	assert_string_equal(a->case_id, b->case_id);
	assert_int_equal(a->has_reply_to, b->has_reply_to);
	if (a->has_reply_to)
		assert_memory_equal(a->reply_to, b->reply_to, 16);
	assert_string_equal(a->from, b->from);
	assert_string_equal(a->to, b->to);
	assert_true(a->created_ms == b->created_ms);
	assert_int_equal(a->urgency, b->urgency);
	assert_memory_equal(a->sender_sign_key, b->sender_sign_key, 16);
	assert_memory_equal(a->sender_box_key, b->sender_box_key, 16);
	assert_memory_equal(a->recipient_box_key, b->recipient_box_key, 16);
	assert_int_equal(a->directory_version, b->directory_version);
}

/* Checks encode and check both reject h with code and text. */
static void
check_rejects(const struct envelope_header *h, int code, const char *want)
{
	struct status st = {0}, st2 = {0};
	uint8_t buf[BUF_MAX];
	size_t len = 999;

	assert_int_equal(envelope_header_check(h, &st), -1);
	if (st.code != code)
		fail_msg("want %d, got %d: %s", code, st.code, st.text);
	if (strstr(st.text, want) == NULL)
		fail_msg("text \"%s\" lacks \"%s\"", st.text, want);
	assert_int_equal(envelope_header_encode(h, buf, sizeof(buf), &len, &st2), -1);
	assert_int_equal(st2.code, code);
	assert_string_equal(st2.text, st.text);
	assert_int_equal(len, 999);
}

static void
check_rejects_every_field(void **state)
{
	struct envelope_header h;
	int t;

	(void)state;
	make_header(&h, ENVELOPE_REFERRAL);
	h.version = 2;
	check_rejects(&h, 502, "envelope version 2 is not supported (this build speaks 1)");
	h.version = 0;
	check_rejects(&h, 502, "envelope version 0 is not supported");
	make_header(&h, ENVELOPE_REFERRAL);
	h.type = 9;
	check_rejects(&h, 503, "envelope type 9 is not known");
	h.type = 0;
	check_rejects(&h, 503, "envelope type 0 is not known");
	make_header(&h, ENVELOPE_REFERRAL);
	h.id[6] = 0x40;
	check_rejects(&h, 504, "field 'message_id': ");
	make_header(&h, ENVELOPE_REFERRAL);
	h.id[8] = 0xc0;
	check_rejects(&h, 504, "not a UUIDv7");
	make_header(&h, ENVELOPE_REFERRAL);
	strcpy(h.case_id, "");
	check_rejects(&h, 504, "field 'case_id': case id is empty");
	strcpy(h.case_id, "a b");
	check_rejects(&h, 504, "field 'case_id': case id 'a b' has invalid character ' '");
	/* Not terminated within the array: reads as one byte too long. */
	memset(h.case_id, 'c', sizeof(h.case_id));
	check_rejects(&h, 504, "is 65 bytes long");
	for (t = ENVELOPE_TYPE_MIN; t <= ENVELOPE_TYPE_MAX; t++) {
		make_header(&h, t);
		h.has_reply_to = false;
		if (needs_reply(t))
			check_rejects(&h, 504, "field 'in_reply_to': ");
		else
			assert_int_equal(envelope_header_check(&h, NULL), 0);
		h.has_reply_to = true;
		memset(h.reply_to, 0, sizeof(h.reply_to));
		check_rejects(&h, 504, "field 'in_reply_to': 00000000-0000-0000-0000-000000000000 "
				      "is not a UUIDv7");
	}
	make_header(&h, ENVELOPE_CONCERN);
	strcpy(h.from, "School_1");
	check_rejects(&h, 504,
	    "field 'from': agency id 'School_1' has invalid character '_' at position 6 (use "
	    "a-z, 0-9 and '-')");
	make_header(&h, ENVELOPE_CONCERN);
	strcpy(h.to, "ab");
	check_rejects(&h, 504, "field 'to': agency id 'ab' is 2 bytes long");
	memset(h.to, 'x', sizeof(h.to));
	check_rejects(&h, 504, "field 'to': ");
	make_header(&h, ENVELOPE_CONCERN);
	strcpy(h.to, h.from);
	check_rejects(&h, 504, "field 'to': agency 'school-001' is also the sender");
	make_header(&h, ENVELOPE_CONCERN);
	h.urgency = 0;
	check_rejects(&h, 504, "field 'urgency': 0 is not an urgency");
	h.urgency = 5;
	check_rejects(&h, 504, "field 'urgency': 5 is not an urgency");
}

static void
encode_needs_room(void **state)
{
	struct envelope_header h;
	struct status st;
	uint8_t buf[BUF_MAX];
	size_t len, cap, got;

	(void)state;
	make_header(&h, ENVELOPE_DECISION);
	assert_int_equal(envelope_header_encode(&h, buf, sizeof(buf), &len, &st), 0);
	for (cap = 0; cap < len; cap++) {
		assert_int_equal(envelope_header_encode(&h, buf, cap, &got, &st), -1);
		assert_int_equal(st.code, STATUS_TOO_LARGE);
	}
	assert_int_equal(envelope_header_encode(&h, buf, len, &got, &st), 0);
	assert_int_equal(got, len);
}

static void
header_bytes_match_the_spec(void **state)
{
	struct envelope_header h;
	struct status st;
	uint8_t buf[BUF_MAX], want[BUF_MAX];
	size_t len, n = 0;

	(void)state;
	make_header(&h, ENVELOPE_REFERRAL);
	assert_int_equal(envelope_header_encode(&h, buf, sizeof(buf), &len, &st), 0);
	/* Written out from the spec byte by byte. */
	want[n++] = 0x9d;
	want[n++] = 0x01;
	want[n++] = 0x01;
	want[n++] = 0xc4;
	want[n++] = 0x10;
	memcpy(want + n, h.id, 16);
	n += 16;
	want[n++] = 0xa0 | 13;
	memcpy(want + n, "CASE-2024:001", 13);
	n += 13;
	want[n++] = 0xc0;
	want[n++] = 0xa0 | 10;
	memcpy(want + n, "school-001", 10);
	n += 10;
	want[n++] = 0xa4;
	memcpy(want + n, "mash", 4);
	n += 4;
	memcpy(want + n, ((const uint8_t[]){0xcf, 0, 0, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x7b}), 9);
	n += 9;
	want[n++] = 0x02;
	want[n++] = 0xc4;
	want[n++] = 0x10;
	memset(want + n, 0x11, 16);
	n += 16;
	want[n++] = 0xc4;
	want[n++] = 0x10;
	memset(want + n, 0x22, 16);
	n += 16;
	want[n++] = 0xc4;
	want[n++] = 0x10;
	memset(want + n, 0x33, 16);
	n += 16;
	want[n++] = 0x07;
	assert_int_equal(len, n);
	assert_memory_equal(buf, want, n);
	/* And the message id's own layout. */
	assert_memory_equal(h.id, ((const uint8_t[]){0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x7b, 0x71,
				      0x02, 0x83, 0x04, 5, 6, 7, 8, 9, 10}),
	    16);
}

static void
header_round_trips_every_type(void **state)
{
	struct envelope_header h, back;
	struct status st;
	uint8_t buf[BUF_MAX];
	size_t len;
	int t;

	(void)state;
	for (t = ENVELOPE_TYPE_MIN; t <= ENVELOPE_TYPE_MAX; t++) {
		make_header(&h, t);
		h.urgency = (uint8_t)(1 + t % 4);
		h.directory_version = (uint32_t)t << 28;
		assert_int_equal(envelope_header_check(&h, &st), 0);
		assert_int_equal(envelope_header_encode(&h, buf, sizeof(buf), &len, &st), 0);
		assert_true(len <= ENVELOPE_MAX_HEADER);
		assert_int_equal(envelope_header_decode(buf, len, &back, &st), 0);
		assert_header_equal(&h, &back);
	}
	/* Referral and concern may still answer something. */
	make_header(&h, ENVELOPE_CONCERN);
	h.has_reply_to = true;
	memcpy(h.reply_to, h.id, 16);
	/* The longest ids and largest numbers. */
	memset(h.case_id, 'Z', IDS_CASE_MAX);
	memset(h.from, 'f', IDS_AGENCY_MAX);
	memset(h.to, 't', IDS_AGENCY_MAX);
	h.created_ms = UINT64_MAX;
	h.directory_version = UINT32_MAX;
	assert_int_equal(envelope_header_encode(&h, buf, sizeof(buf), &len, &st), 0);
	assert_true(len <= ENVELOPE_MAX_HEADER);
	assert_int_equal(envelope_header_decode(buf, len, &back, &st), 0);
	assert_header_equal(&h, &back);
}

static void
decode_rejects_structure(void **state)
{
	struct envelope_header h;
	struct parts p;
	uint8_t buf[BUF_MAX];
	size_t len;

	(void)state;
	expect_header(NULL, 0, 500, "envelope header: truncated");
	expect_header((const uint8_t[]){0x80}, 1, 500, "envelope header: wrong type");
	expect_header((const uint8_t[]){0xc4, 0x00}, 2, 500, "wrong type");
	expect_header((const uint8_t[]){0x90}, 1, 500, "empty array");
	expect_header((const uint8_t[]){0x91, 0xc0}, 2, 500, "field 'version': wrong type");
	expect_header((const uint8_t[]){0x91, 0x01}, 2, 500, "has 1 fields");
	make_header(&h, ENVELOPE_REFERRAL);
	parts_from(&h, &p);
	expect_header(buf, join(&p, 12, 12, buf), 500, "has 12 fields (version 1 has 13)");
	len = join(&p, 14, 13, buf);
	buf[len++] = 0x00;
	expect_header(buf, len, 500, "has 14 fields");
	/* 13 as an array16 is not canonical. */
	len = join(&p, 13, 13, buf + 2);
	buf[0] = 0xdc;
	buf[1] = 0x00;
	buf[2] = 0x0d;
	expect_header(buf, len + 2, 500, "envelope header: not canonical");
	/* Anything after the 13th field. */
	len = join(&p, 13, 13, buf);
	expect_header(buf, len, STATUS_OK, NULL);
	buf[len] = 0xc0;
	expect_header(buf, len + 1, 500, "1 bytes after its 13 fields");
}

static void
decode_rejects_version_before_count(void **state)
{
	struct envelope_header h;
	struct parts p;
	uint8_t buf[BUF_MAX];
	struct status st;

	(void)state;
	make_header(&h, ENVELOPE_REFERRAL);
	parts_from(&h, &p);
	part_uint(&p, P_VERSION, 2);
	expect_header(buf, join(&p, 13, 13, buf), 502,
	    "envelope version 2 is not supported (this build speaks 1)");
	/* A future layout with other fields is still a version error. */
	expect_header(buf, join(&p, 5, 5, buf), 502, "envelope version 2 ");
	assert_int_equal(envelope_header_decode(buf, join(&p, 5, 5, buf), &h, &st), -1);
	assert_string_equal(st.text, "envelope version 2 is not supported (this build speaks 1)");
	part_uint(&p, P_VERSION, 0);
	expect_header(buf, join(&p, 13, 13, buf), 502, "version 0 ");
	part_uint(&p, P_VERSION, 1ULL << 40);
	expect_header(buf, join(&p, 13, 13, buf), 502, "version 1099511627776 ");
	part_uint(&p, P_VERSION, 257);
	expect_header(buf, join(&p, 13, 13, buf), 502, "version 257 ");
}

static void
decode_rejects_types(void **state)
{
	(void)state;
	FIELD(ENVELOPE_REFERRAL, P_TYPE, 503, "envelope type 9 is not known", 0x09);
	FIELD(ENVELOPE_REFERRAL, P_TYPE, 503, "envelope type 0 is not known", 0x00);
	FIELD(ENVELOPE_REFERRAL, P_TYPE, 503, "envelope type 8589934592 ", 0xcf, 0, 0, 0, 2, 0,
	    0, 0, 0);
	FIELD(ENVELOPE_REFERRAL, P_TYPE, 503, "type 264 ", 0xcd, 0x01, 0x08);
}

/* Every field of a header in a non-canonical encoding: 500 naming it. */
static void
decode_rejects_noncanonical_fields(void **state)
{
	struct envelope_header h;
	struct parts p;
	uint8_t buf[BUF_MAX], wide[PART_MAX];
	char want[128];
	struct status st;
	size_t len;
	int f;

	(void)state;
	make_header(&h, ENVELOPE_FEEDBACK);
	h.created_ms = 1000;	/* so that a wider form exists */
	for (f = 0; f < P_N; f++) {
		parts_from(&h, &p);
		len = p.n[f];
		if (p.b[f][0] <= 0x7f || p.b[f][0] == 0xcd) {
			/* A uint: the same value as a uint64. */
			uint64_t v = p.b[f][0] <= 0x7f ? p.b[f][0] :
			    (uint64_t)p.b[f][1] << 8 | p.b[f][2];
			wide[0] = 0xcf;
			memset(wide + 1, 0, 8);
			wide[7] = (uint8_t)(v >> 8);
			wide[8] = (uint8_t)v;
			len = 9;
		} else if ((p.b[f][0] & 0xe0) == 0xa0) {
			/* A fixstr as a str8. */
			wide[0] = 0xd9;
			wide[1] = p.b[f][0] & 0x1f;
			memcpy(wide + 2, p.b[f] + 1, wide[1]);
			len = 2 + wide[1];
		} else {
			/* A bin8 as a bin16. */
			assert_int_equal(p.b[f][0], 0xc4);
			wide[0] = 0xc5;
			wide[1] = 0;
			memcpy(wide + 2, p.b[f] + 1, p.n[f] - 1);
			len = p.n[f] + 1;
		}
		part_raw(&p, f, wide, len);
		snprintf(want, sizeof(want), "envelope header field '%s': not canonical", p_names[f]);
		expect_header(buf, join(&p, 13, 13, buf), 500, want);
	}
	/* The exact text, for one. */
	parts_from(&h, &p);
	PART(&p, P_CREATED, 0xcd, 0x03, 0xe8);
	expect_header(buf, join(&p, 13, 13, buf), STATUS_OK, NULL);
	PART(&p, P_CREATED, 0xce, 0, 0, 0x03, 0xe8);
	assert_int_equal(envelope_header_decode(buf, join(&p, 13, 13, buf), &h, &st), -1);
	assert_int_equal(st.code, 500);
	assert_string_equal(st.text, "envelope header field 'created_ms': not canonical");
}

/* Every field as the wrong msgpack type: 500 naming it. */
static void
decode_rejects_wrong_types(void **state)
{
	char want[128];
	int f;

	(void)state;
	for (f = 0; f < P_N; f++) {
		snprintf(want, sizeof(want), "envelope header field '%s': wrong type", p_names[f]);
		if (f == P_CASE || f == P_FROM || f == P_TO)
			FIELD(ENVELOPE_ACK, f, 500, want, 0xc4, 0x03, 'a', 'b', 'c');
		else
			FIELD(ENVELOPE_ACK, f, 500, want, 0xa1, 'x');
		/* Negative ints, floats, maps and booleans are never ours. */
		FIELD(ENVELOPE_ACK, f, 500, want, 0xff);
		FIELD(ENVELOPE_ACK, f, 500, want, 0xca, 0x3f, 0x80, 0x00, 0x00);
		FIELD(ENVELOPE_ACK, f, 500, want, 0x80);
		FIELD(ENVELOPE_ACK, f, 500, want, 0xc3);
		/* nil is allowed only for in_reply_to (of a referral/concern). */
		if (f != P_REPLY)
			FIELD(ENVELOPE_REFERRAL, f, 500, want, 0xc0);
	}
	FIELD(ENVELOPE_REFERRAL, P_VERSION, 500, "field 'version': wrong type", 0xd0, 0x01);
	FIELD(ENVELOPE_REFERRAL, P_CASE, 500, "field 'case_id': not UTF-8", 0xa2, 0xc0, 0x80);
	FIELD(ENVELOPE_REFERRAL, P_FROM, 500, "field 'from': not UTF-8", 0xa4, 'a', 0, 'b', 'c');
}

static void
decode_rejects_field_values(void **state)
{
	char big[80];
	struct envelope_header h;
	struct parts p;
	uint8_t buf[BUF_MAX];
	int t;

	(void)state;
	/* Message ids: exactly 16 bytes, UUIDv7. */
	FIELD(ENVELOPE_REFERRAL, P_ID, 504, "field 'message_id': 15 bytes, must be 16", 0xc4, 15,
	    0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x7b, 0x71, 0x02, 0x83, 0x04, 5, 6, 7, 8, 9);
	FIELD(ENVELOPE_REFERRAL, P_ID, 504, "field 'message_id': 0 bytes", 0xc4, 0);
	FIELD(ENVELOPE_REFERRAL, P_ID, 504,
	    "field 'message_id': 018bcfe5-687b-4102-8304-05060708090a is not a UUIDv7", 0xc4, 16,
	    0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x7b, 0x41, 0x02, 0x83, 0x04, 5, 6, 7, 8, 9, 10);
	FIELD(ENVELOPE_REFERRAL, P_ID, 504, "not a UUIDv7", 0xc4, 16, 0x01, 0x8b, 0xcf, 0xe5,
	    0x68, 0x7b, 0x71, 0x02, 0x03, 0x04, 5, 6, 7, 8, 9, 10);
	/* in_reply_to: required for the answering types, UUIDv7 when present. */
	for (t = ENVELOPE_TYPE_MIN; t <= ENVELOPE_TYPE_MAX; t++) {
		if (needs_reply(t))
			FIELD(t, P_REPLY, 504, "field 'in_reply_to': ", 0xc0);
		else
			FIELD(t, P_REPLY, STATUS_OK, NULL, 0xc0);
		FIELD(t, P_REPLY, 504, "field 'in_reply_to': 17 bytes", 0xc4, 17, 0, 0, 0, 0, 0, 0,
		    0x70, 0, 0x80, 0, 0, 0, 0, 0, 0, 0, 0);
		FIELD(t, P_REPLY, 504, "field 'in_reply_to': 00000000-0000-7000-0000-", 0xc4, 16, 0,
		    0, 0, 0, 0, 0, 0x70, 0, 0, 0, 0, 0, 0, 0, 0, 0);
		FIELD(t, P_REPLY, STATUS_OK, NULL, 0xc4, 16, 0, 0, 0, 0, 0, 0, 0x70, 0, 0x80, 0, 0,
		    0, 0, 0, 0, 0);
	}
	/* Ids named with their field. */
	FIELD(ENVELOPE_REFERRAL, P_CASE, 504, "field 'case_id': case id is empty", 0xa0);
	FIELD(ENVELOPE_REFERRAL, P_CASE, 504, "field 'case_id': case id '-x' must start", 0xa2,
	    '-', 'x');
	memset(big, 'a', sizeof(big));
	make_header(&h, ENVELOPE_REFERRAL);
	parts_from(&h, &p);
	part_str(&p, P_CASE, big, 65);
	expect_header(buf, join(&p, 13, 13, buf), 504, "field 'case_id': case id 'aaa");
	part_str(&p, P_CASE, big, 64);
	expect_header(buf, join(&p, 13, 13, buf), STATUS_OK, NULL);
	part_str(&p, P_TO, big, 33);
	expect_header(buf, join(&p, 13, 13, buf), 504, "field 'to': agency id 'aaa");
	part_str(&p, P_TO, big, 32);
	expect_header(buf, join(&p, 13, 13, buf), STATUS_OK, NULL);
	{
		struct status st;

		part_str(&p, P_FROM, "School_1", 8);
		assert_int_equal(envelope_header_decode(buf, join(&p, 13, 13, buf), &h, &st), -1);
		assert_int_equal(st.code, 504);
		assert_string_equal(st.text, "field 'from': agency id 'School_1' has invalid "
					     "character '_' at position 6 (use a-z, 0-9 and '-')");
	}
	FIELD(ENVELOPE_REFERRAL, P_FROM, 504, "field 'from': agency id 'ab' is 2 bytes", 0xa2, 'a',
	    'b');
	FIELD(ENVELOPE_REFERRAL, P_TO, 504, "field 'to': agency id 'Mash' has uppercase", 0xa4,
	    'M', 'a', 's', 'h');
	FIELD(ENVELOPE_REFERRAL, P_TO, 504, "field 'to': agency 'school-001' is also the sender",
	    0xaa, 's', 'c', 'h', 'o', 'o', 'l', '-', '0', '0', '1');
	/* Urgency 1..4. */
	FIELD(ENVELOPE_REFERRAL, P_URGENCY, 504, "field 'urgency': 0 is not an urgency", 0x00);
	FIELD(ENVELOPE_REFERRAL, P_URGENCY, 504, "field 'urgency': 5 is not an urgency", 0x05);
	FIELD(ENVELOPE_REFERRAL, P_URGENCY, 504, "field 'urgency': 256 ", 0xcd, 0x01, 0x00);
	FIELD(ENVELOPE_REFERRAL, P_URGENCY, STATUS_OK, NULL, 0x01);
	FIELD(ENVELOPE_REFERRAL, P_URGENCY, STATUS_OK, NULL, 0x04);
	/* Key ids: exactly 16 bytes each. */
	FIELD(ENVELOPE_REFERRAL, P_SIGN_KEY, 504, "field 'sender_sign_key': 1 bytes", 0xc4, 1, 0);
	FIELD(ENVELOPE_REFERRAL, P_BOX_KEY, 504, "field 'sender_box_key': 0 bytes", 0xc4, 0);
	FIELD(ENVELOPE_REFERRAL, P_RCPT_KEY, 504, "field 'recipient_box_key': 2 bytes", 0xc4, 2, 0,
	    0);
	/* Directory version: 32 bits. */
	FIELD(ENVELOPE_REFERRAL, P_DIRVER, 504, "field 'directory_version': 4294967296 ", 0xcf, 0, 0,
	    0, 1, 0, 0, 0, 0);
	FIELD(ENVELOPE_REFERRAL, P_DIRVER, STATUS_OK, NULL, 0xce, 0xff, 0xff, 0xff, 0xff);
	/* created_ms: any uint. */
	FIELD(ENVELOPE_REFERRAL, P_CREATED, STATUS_OK, NULL, 0x00);
}

static void
decode_header_truncated_anywhere(void **state)
{
	struct envelope_header h;
	struct status st;
	uint8_t buf[BUF_MAX], *cut;
	size_t len, n;

	(void)state;
	make_header(&h, ENVELOPE_ESCALATION);
	assert_int_equal(envelope_header_encode(&h, buf, sizeof(buf), &len, &st), 0);
	for (n = 0; n < len; n++) {
		/* An exact-size copy, so ASan sees any read past the end. */
		cut = malloc(n + 1);
		assert_non_null(cut);
		memcpy(cut, buf, n);
		assert_int_equal(envelope_header_decode(cut, n, &h, &st), -1);
		assert_int_equal(st.code, STATUS_MALFORMED);
		assert_non_null(strstr(st.text, "truncated"));
		free(cut);
	}
}

/* A valid envelope of the given sealed length into buf; returns its length
 * and the header length. */
static size_t
make_envelope(int type, size_t sealed_len, uint8_t *buf, size_t cap, size_t *header_len)
{
	struct envelope_header h;
	struct status st;
	uint8_t header[BUF_MAX], sig[ENVELOPE_SIG_BYTES];
	uint8_t *sealed = malloc(sealed_len);
	size_t len, i;

	assert_non_null(sealed);
	for (i = 0; i < sealed_len; i++)
		sealed[i] = (uint8_t)(i * 7);
	memset(sig, 0x5e, sizeof(sig));
	make_header(&h, type);
	assert_int_equal(envelope_header_encode(&h, header, sizeof(header), header_len, &st), 0);
	assert_int_equal(envelope_assemble(header, *header_len, sealed, sealed_len, sig, buf, cap,
			     &len, &st),
	    0);
	free(sealed);
	return len;
}

static void
expect_envelope(const uint8_t *buf, size_t len, int code, const char *want)
{
	struct envelope env;
	struct status st = {0};

	memset(&env, 0xaa, sizeof(env));
	assert_int_equal(envelope_decode(buf, len, &env, &st), -1);
	if (st.code != code)
		fail_msg("want %d, got %d: %s", code, st.code, st.text);
	if (want != NULL && strstr(st.text, want) == NULL)
		fail_msg("text \"%s\" lacks \"%s\"", st.text, want);
	assert_null(env.header);
	assert_null(env.sealed);
	assert_null(env.sig);
}

static void
decode_checks_size_before_parsing(void **state)
{
	uint8_t *buf = malloc(ENVELOPE_MAX_BYTES + 1);

	(void)state;
	assert_non_null(buf);
	/* 0xc1 is never valid msgpack: a parser would say 500. */
	memset(buf, 0xc1, ENVELOPE_MAX_BYTES + 1);
	expect_envelope(buf, ENVELOPE_MAX_BYTES + 1, 510, "the limit is");
	expect_envelope(buf, ENVELOPE_MAX_BYTES, 500, "envelope: wrong type");
	free(buf);
}

static void
decode_rejects_outer_structure(void **state)
{
	uint8_t buf[BUF_MAX], bad[BUF_MAX];
	size_t len, hlen;

	(void)state;
	len = make_envelope(ENVELOPE_REFERRAL, 50, buf, sizeof(buf), &hlen);
	expect_envelope(NULL, 0, 500, "envelope: truncated");
	expect_envelope((const uint8_t[]){0x80}, 1, 500, "envelope: wrong type");
	expect_envelope((const uint8_t[]){0xc4, 0}, 2, 500, "envelope: wrong type");
	/* Wrong part counts. */
	memcpy(bad, buf, len);
	bad[0] = 0x92;
	expect_envelope(bad, len, 500, "has 2 parts (expected 3");
	bad[0] = 0x94;
	expect_envelope(bad, len, 500, "has 4 parts");
	/* 3 as an array16. */
	bad[0] = 0xdc;
	bad[1] = 0x00;
	bad[2] = 0x03;
	memcpy(bad + 3, buf + 1, len - 1);
	expect_envelope(bad, len + 2, 500, "envelope: not canonical");
	/* Trailing bytes: one, and a whole value. */
	memcpy(bad, buf, len);
	bad[len] = 0x00;
	expect_envelope(bad, len + 1, 500, "1 bytes after its signature");
	bad[len] = 0xa1;
	bad[len + 1] = 'x';
	expect_envelope(bad, len + 2, 500, "2 bytes after its signature");
	/* The header bin as a bin16. */
	bad[0] = 0x93;
	bad[1] = 0xc5;
	bad[2] = 0x00;
	memcpy(bad + 3, buf + 2, len - 2);
	expect_envelope(bad, len + 1, 500, "envelope header: not canonical");
	/* The header as a str. */
	memcpy(bad, buf, len);
	bad[1] = 0xd9;
	expect_envelope(bad, len, 500, "envelope header: wrong type");
}

/* Writes an outer array by hand, so sizes assemble refuses can be sent. */
static size_t
raw_envelope(const uint8_t *header, size_t hlen, size_t sealed_len, size_t sig_len,
    uint8_t *out, size_t cap)
{
	struct pack_writer w;
	uint8_t *zeros = calloc(1, sealed_len + sig_len + 1);
	size_t len;

	assert_non_null(zeros);
	pack_writer_init(&w, out, cap);
	pack_write_array(&w, 3);
	pack_write_bin(&w, header, hlen);
	pack_write_bin(&w, zeros, sealed_len);
	pack_write_bin(&w, zeros, sig_len);
	assert_int_equal(pack_writer_finish(&w, &len), 0);
	free(zeros);
	return len;
}

static void
decode_rejects_part_sizes(void **state)
{
	struct envelope_header h;
	struct status st;
	uint8_t header[BUF_MAX], big_header[ENVELOPE_MAX_HEADER + 1] = {0};
	size_t cap = ENVELOPE_MAX_BYTES, len, hlen;
	uint8_t *buf = malloc(cap);

	(void)state;
	assert_non_null(buf);
	make_header(&h, ENVELOPE_REFERRAL);
	assert_int_equal(envelope_header_encode(&h, header, sizeof(header), &hlen, &st), 0);
	len = raw_envelope(big_header, sizeof(big_header), 40, 64, buf, cap);
	expect_envelope(buf, len, 510, "envelope header is 513 bytes (the limit is 512)");
	len = raw_envelope(header, hlen, 39, 64, buf, cap);
	expect_envelope(buf, len, 500, "sealed payload is 39 bytes");
	len = raw_envelope(header, hlen, 0, 64, buf, cap);
	expect_envelope(buf, len, 500, "sealed payload is 0 bytes");
	len = raw_envelope(header, hlen, ENVELOPE_MAX_PAYLOAD + ENVELOPE_SEAL_OVERHEAD + 1, 64,
	    buf, cap);
	assert_true(len <= ENVELOPE_MAX_BYTES);
	expect_envelope(buf, len, 510, "sealed payload is 1048617 bytes (the limit is 1048616)");
	len = raw_envelope(header, hlen, ENVELOPE_MAX_PAYLOAD + ENVELOPE_SEAL_OVERHEAD, 64, buf,
	    cap);
	{
		struct envelope env;

		assert_int_equal(envelope_decode(buf, len, &env, &st), 0);
		assert_int_equal(env.sealed_len, ENVELOPE_MAX_PAYLOAD + ENVELOPE_SEAL_OVERHEAD);
	}
	len = raw_envelope(header, hlen, 40, 63, buf, cap);
	expect_envelope(buf, len, 500, "signature is 63 bytes (must be 64)");
	len = raw_envelope(header, hlen, 40, 65, buf, cap);
	expect_envelope(buf, len, 500, "signature is 65 bytes");
	len = raw_envelope(header, hlen, 40, 0, buf, cap);
	expect_envelope(buf, len, 500, "signature is 0 bytes");
	free(buf);
}

static void
decode_rejects_bad_headers_inside(void **state)
{
	struct envelope_header h;
	struct parts p;
	uint8_t header[BUF_MAX], buf[BUF_MAX];
	size_t hlen;

	(void)state;
	make_header(&h, ENVELOPE_REFERRAL);
	parts_from(&h, &p);
	part_uint(&p, P_VERSION, 2);
	hlen = join(&p, 13, 13, header);
	expect_envelope(buf, raw_envelope(header, hlen, 40, 64, buf, sizeof(buf)), 502,
	    "envelope version 2 is not supported (this build speaks 1)");
	parts_from(&h, &p);
	part_uint(&p, P_TYPE, 9);
	hlen = join(&p, 13, 13, header);
	expect_envelope(buf, raw_envelope(header, hlen, 40, 64, buf, sizeof(buf)), 503,
	    "envelope type 9 is not known");
	parts_from(&h, &p);
	part_str(&p, P_TO, "school-001", 10);
	hlen = join(&p, 13, 13, header);
	expect_envelope(buf, raw_envelope(header, hlen, 40, 64, buf, sizeof(buf)), 504,
	    "field 'to'");
	expect_envelope(buf, raw_envelope(header, 0, 40, 64, buf, sizeof(buf)), 500,
	    "envelope header: truncated");
}

static void
four_billion_elements_in_twenty_bytes(void **state)
{
	uint8_t b[20];
	struct envelope_header h;
	struct status st;

	(void)state;
	memset(b, 0, sizeof(b));
	b[0] = 0xdd;
	b[1] = b[2] = b[3] = b[4] = 0xff;
	expect_envelope(b, sizeof(b), 500, "envelope: truncated");
	assert_int_equal(envelope_header_decode(b, sizeof(b), &h, &st), -1);
	assert_int_equal(st.code, 500);
	assert_string_equal(st.text, "envelope header: truncated (expected an array of 13 fields)");
}

static void
envelope_truncated_at_every_byte(void **state)
{
	uint8_t buf[BUF_MAX], *cut;
	size_t len, hlen, n;

	(void)state;
	len = make_envelope(ENVELOPE_RECEIPT, 48, buf, sizeof(buf), &hlen);
	for (n = 0; n < len; n++) {
		cut = malloc(n + 1);
		assert_non_null(cut);
		memcpy(cut, buf, n);
		expect_envelope(n == 0 ? NULL : cut, n, 500, NULL);
		free(cut);
	}
}

static void
assemble_and_decode_round_trip(void **state)
{
	struct envelope_header h;
	struct envelope env;
	struct status st;
	uint8_t buf[BUF_MAX], header[BUF_MAX];
	size_t len, hlen, i;

	(void)state;
	len = make_envelope(ENVELOPE_DECISION, 300, buf, sizeof(buf), &hlen);
	/* [bin8 header, bin16 sealed, bin8 signature]. */
	assert_int_equal(buf[0], 0x93);
	assert_int_equal(buf[1], 0xc4);
	assert_int_equal(buf[2], hlen);
	assert_int_equal(buf[3 + hlen], 0xc5);
	assert_int_equal(buf[4 + hlen], 300 >> 8);
	assert_int_equal(buf[5 + hlen], 300 & 0xff);
	assert_int_equal(buf[6 + hlen + 300], 0xc4);
	assert_int_equal(buf[7 + hlen + 300], 64);
	assert_int_equal(len, 8 + hlen + 300 + 64);
	assert_int_equal(envelope_decode(buf, len, &env, &st), 0);
	assert_ptr_equal(env.header, buf + 3);
	assert_int_equal(env.header_len, hlen);
	assert_ptr_equal(env.sealed, buf + 6 + hlen);
	assert_int_equal(env.sealed_len, 300);
	assert_ptr_equal(env.sig, buf + 8 + hlen + 300);
	for (i = 0; i < 300; i++)
		assert_int_equal(env.sealed[i], (uint8_t)(i * 7));
	for (i = 0; i < ENVELOPE_SIG_BYTES; i++)
		assert_int_equal(env.sig[i], 0x5e);
	make_header(&h, ENVELOPE_DECISION);
	assert_header_equal(&h, &env.h);
	assert_int_equal(envelope_header_encode(&h, header, sizeof(header), &hlen, &st), 0);
	assert_int_equal(hlen, env.header_len);
	assert_memory_equal(header, env.header, hlen);
}

static void
assemble_rejects_sizes_and_small_buffers(void **state)
{
	uint8_t header[ENVELOPE_MAX_HEADER + 1] = {0x90}, sig[ENVELOPE_SIG_BYTES] = {0};
	uint8_t sealed[64] = {0}, buf[BUF_MAX];
	struct status st;
	size_t len, cap;

	(void)state;
	assert_int_equal(envelope_assemble(header, ENVELOPE_MAX_HEADER + 1, sealed, 40, sig, buf,
			     sizeof(buf), &len, &st),
	    -1);
	assert_int_equal(st.code, 510);
	assert_int_equal(envelope_assemble(header, 10, sealed, 39, sig, buf, sizeof(buf), &len,
			     &st),
	    -1);
	assert_int_equal(st.code, 500);
	/* Too large a payload is refused before anything is read from it. */
	assert_int_equal(envelope_assemble(header, 10, sealed,
			     ENVELOPE_MAX_PAYLOAD + ENVELOPE_SEAL_OVERHEAD + 1, sig, buf,
			     sizeof(buf), &len, &st),
	    -1);
	assert_int_equal(st.code, 510);
	assert_int_equal(envelope_assemble(header, ENVELOPE_MAX_HEADER, sealed, 64, sig, buf,
			     sizeof(buf), &len, &st),
	    0);
	assert_int_equal(len, 1 + 3 + ENVELOPE_MAX_HEADER + 2 + 64 + 2 + 64);
	for (cap = 0; cap < len; cap++) {
		assert_int_equal(envelope_assemble(header, ENVELOPE_MAX_HEADER, sealed, 64, sig,
				     buf, cap, &len, &st),
		    -1);
		assert_int_equal(st.code, STATUS_TOO_LARGE);
	}
}

static void
names_and_parsing(void **state)
{
	static const char *const tnames[] = {NULL, "referral", "concern", "receipt", "ack",
	    "decision", "feedback", "escalation", "reject"};
	static const char *const unames[] = {NULL, "immediate", "urgent", "standard", "routine"};
	int i;

	(void)state;
	for (i = 1; i <= 8; i++) {
		assert_string_equal(envelope_type_name(i), tnames[i]);
		assert_int_equal(envelope_type_parse(tnames[i]), i);
	}
	for (i = 1; i <= 4; i++) {
		assert_string_equal(envelope_urgency_name(i), unames[i]);
		assert_int_equal(envelope_urgency_parse(unames[i]), i);
	}
	assert_null(envelope_type_name(0));
	assert_null(envelope_type_name(9));
	assert_null(envelope_type_name(-1));
	assert_null(envelope_urgency_name(0));
	assert_null(envelope_urgency_name(5));
	assert_int_equal(envelope_type_parse("Referral"), -1);
	assert_int_equal(envelope_type_parse("referra"), -1);
	assert_int_equal(envelope_type_parse(""), -1);
	assert_int_equal(envelope_type_parse(NULL), -1);
	assert_int_equal(envelope_urgency_parse("URGENT"), -1);
	assert_int_equal(envelope_urgency_parse("urgentx"), -1);
	assert_int_equal(envelope_urgency_parse(NULL), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(check_rejects_every_field),
		cmocka_unit_test(encode_needs_room),
		cmocka_unit_test(decode_rejects_structure),
		cmocka_unit_test(decode_rejects_version_before_count),
		cmocka_unit_test(decode_rejects_types),
		cmocka_unit_test(decode_rejects_noncanonical_fields),
		cmocka_unit_test(decode_rejects_wrong_types),
		cmocka_unit_test(decode_rejects_field_values),
		cmocka_unit_test(decode_header_truncated_anywhere),
		cmocka_unit_test(decode_checks_size_before_parsing),
		cmocka_unit_test(decode_rejects_outer_structure),
		cmocka_unit_test(decode_rejects_part_sizes),
		cmocka_unit_test(decode_rejects_bad_headers_inside),
		cmocka_unit_test(four_billion_elements_in_twenty_bytes),
		cmocka_unit_test(envelope_truncated_at_every_byte),
		cmocka_unit_test(assemble_rejects_sizes_and_small_buffers),
		cmocka_unit_test(header_bytes_match_the_spec),
		cmocka_unit_test(header_round_trips_every_type),
		cmocka_unit_test(assemble_and_decode_round_trip),
		cmocka_unit_test(names_and_parsing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
