/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for proto/payload_schema.c: the walker on a small table of its
 * own, then the structure of real payloads as payload_decode meets it
 * (versions, counts, types, canonical forms, UTF-8, truncation, lying array
 * headers, buffers).  Field values are tested in test_payload.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "proto/pack.h"
#include "proto/payload.h"
#include "proto/payload_schema.h"
#include "tests/support/payload_sample.h"

#define T(lit) ((struct payload_text){lit, sizeof(lit) - 1})
#define NIL ((struct payload_text){NULL, 0})

static uint8_t enc[PAYLOAD_SAMPLE_BUF], wire[PAYLOAD_SAMPLE_BUF];

/* ---- the walker, on a table of its own ---- */

#define ITEMS_MAX 2
#define SMALL_MAX 200
#define TAG_MAX 4

struct item {
	struct payload_text tag;
	const uint8_t *data;
	uint32_t len;
};

struct rec {
	uint8_t small;
	uint32_t mid;
	struct payload_text name;
	uint32_t count;
	struct item items[ITEMS_MAX];
};

static int
lowercase(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] < 'a' || s[i] > 'z')
			return 0;
	return 1;
}

static const struct payload_schema_field item_fields[] = {
	{.name = "tag", .kind = PAYLOAD_SCHEMA_TEXT, .off = offsetof(struct item, tag), .lo = 1,
	    .hi = TAG_MAX},
	{.name = "data", .kind = PAYLOAD_SCHEMA_BYTES, .off = offsetof(struct item, data),
	    .count_off = offsetof(struct item, len)},
};

static const struct payload_schema_field rec_fields[] = {
	{.name = "pair", .kind = PAYLOAD_SCHEMA_GROUP, .size = 2},
	{.name = "pair.small", .kind = PAYLOAD_SCHEMA_UINT, .off = offsetof(struct rec, small),
	    .size = sizeof(uint8_t), .lo = 1, .hi = SMALL_MAX},
	{.name = "pair.mid", .kind = PAYLOAD_SCHEMA_UINT, .off = offsetof(struct rec, mid),
	    .size = sizeof(uint32_t), .lo = 0, .hi = UINT32_MAX},
	{.name = "name", .kind = PAYLOAD_SCHEMA_TEXT, .off = offsetof(struct rec, name), .lo = 1,
	    .hi = PAYLOAD_SHORT_MAX, .optional = true, .format = lowercase, .rule = "lowercase"},
	{.name = "items", .kind = PAYLOAD_SCHEMA_LIST, .off = offsetof(struct rec, items),
	    .size = sizeof(struct item), .count_off = offsetof(struct rec, count), .hi = ITEMS_MAX,
	    .sub = item_fields, .nsub = sizeof(item_fields) / sizeof(item_fields[0])},
};
#define REC_FIELDS rec_fields, sizeof(rec_fields) / sizeof(rec_fields[0])

/* [[5, 70000], "abc", [["t", bin "xy"]]] */
static const uint8_t rec_bytes[] = {0x93, 0x92, 0x05, 0xce, 0x00, 0x01, 0x11, 0x70, 0xa3, 'a',
	'b', 'c', 0x91, 0x92, 0xa1, 't', 0xc4, 0x02, 'x', 'y'};

static void
sample_rec(struct rec *r)
{
	memset(r, 0, sizeof(*r));
	r->small = 5;
	r->mid = 70000;
	r->name = T("abc");
	r->count = 1;
	r->items[0] = (struct item){T("t"), (const uint8_t *)"xy", 2};
}

/* Encodes r as a whole record (the walker writes the fields, not the
 * array around them): 0, or -1 and st. */
static int
rec_encode(const struct rec *r, uint8_t *buf, size_t cap, size_t *len, struct status *st)
{
	struct pack_writer w;

	pack_writer_init(&w, buf, cap);
	pack_write_array(&w, payload_schema_elements(REC_FIELDS));
	if (payload_schema_encode(&w, REC_FIELDS, r, st) == -1)
		return -1;
	assert_int_equal(pack_writer_finish(&w, len), 0);
	return 0;
}

static int
rec_decode(const uint8_t *buf, size_t len, struct rec *r, struct status *st)
{
	struct pack_reader rd;
	uint32_t n;

	memset(r, 0, sizeof(*r));
	pack_reader_init(&rd, buf, len);
	assert_int_equal(pack_read_array(&rd, &n), 0);
	assert_int_equal(n, payload_schema_elements(REC_FIELDS));
	if (payload_schema_decode(&rd, REC_FIELDS, r, st) == -1)
		return -1;
	assert_int_equal(pack_remaining(&rd), 0);
	return 0;
}

static void
rec_expect_encode(const struct rec *r, int code, const char *field)
{
	uint8_t buf[256];
	struct status st;
	size_t len;

	assert_int_equal(rec_encode(r, buf, sizeof(buf), &len, &st), -1);
	assert_int_equal(st.code, code);
	if (strstr(st.text, field) == NULL)
		fail_msg("'%s' does not name '%s'", st.text, field);
}

static void
rec_expect_decode(const uint8_t *buf, size_t len, int code, const char *field)
{
	struct status st;
	struct rec r;

	assert_int_equal(rec_decode(buf, len, &r, &st), -1);
	assert_int_equal(st.code, code);
	if (strstr(st.text, field) == NULL)
		fail_msg("'%s' does not name '%s'", st.text, field);
}

static void
walker_rejects_bad_values(void **state)
{
	uint8_t buf[64];
	struct rec r;
	size_t len;

	(void)state;
	sample_rec(&r);
	r.small = 0;
	rec_expect_encode(&r, STATUS_BAD_FIELD, "'pair.small'");
	r.small = SMALL_MAX + 1;
	rec_expect_encode(&r, STATUS_BAD_FIELD, "'pair.small'");
	sample_rec(&r);
	r.name = T("ABC");
	rec_expect_encode(&r, STATUS_BAD_FIELD, "'name' is not lowercase");
	sample_rec(&r);
	r.count = ITEMS_MAX + 1;
	rec_expect_encode(&r, STATUS_TOO_LARGE, "'items'");
	sample_rec(&r);
	r.count = 2;
	r.items[1] = (struct item){T("toolong"), NULL, 0};
	rec_expect_encode(&r, STATUS_TOO_LARGE, "'items[1].tag'");
	r.items[1].tag = T("");
	rec_expect_encode(&r, STATUS_BAD_FIELD, "'items[1].tag'");

	/* small = 300 and mid = 2^32 never reach their members. */
	memcpy(buf, rec_bytes, sizeof(rec_bytes));
	len = sizeof(rec_bytes);
	payload_sample_patch(buf, &len, "\x92\x05", 2, "\x92\xcd\x01\x2c", 4);
	rec_expect_decode(buf, len, STATUS_BAD_FIELD, "'pair.small'");
	memcpy(buf, rec_bytes, sizeof(rec_bytes));
	len = sizeof(rec_bytes);
	payload_sample_patch(buf, &len, "\xce\x00\x01\x11\x70", 5,
	    "\xcf\x00\x00\x00\x01\x00\x00\x00\x00", 9);
	rec_expect_decode(buf, len, STATUS_BAD_FIELD, "'pair.mid'");
}

static void
walker_rejects_bad_structure(void **state)
{
	uint8_t buf[64];
	size_t len;

	(void)state;
	/* The group with three elements. */
	memcpy(buf, rec_bytes, sizeof(rec_bytes));
	len = sizeof(rec_bytes);
	payload_sample_patch(buf, &len, "\x92\x05", 2, "\x93\x05", 2);
	rec_expect_decode(buf, len, STATUS_MALFORMED, "'pair'");
	/* A list entry with one element. */
	memcpy(buf, rec_bytes, sizeof(rec_bytes));
	len = sizeof(rec_bytes);
	payload_sample_patch(buf, &len, "\x92\xa1t", 3, "\x91\xa1t", 3);
	rec_expect_decode(buf, len, STATUS_MALFORMED, "'items[0]'");
	/* Three entries claimed (more than the cap) with bytes enough left. */
	memcpy(buf, rec_bytes, sizeof(rec_bytes));
	len = sizeof(rec_bytes);
	payload_sample_patch(buf, &len, "\x91\x92", 2, "\x93\x92", 2);
	rec_expect_decode(buf, len, STATUS_TOO_LARGE, "'items'");
	/* An entry's bytes as a str. */
	memcpy(buf, rec_bytes, sizeof(rec_bytes));
	len = sizeof(rec_bytes);
	payload_sample_patch(buf, &len, "\xc4\x02", 2, "\xa2", 1);
	rec_expect_decode(buf, len, STATUS_MALFORMED, "'items[0].data'");
}

static void
walker_round_trip(void **state)
{
	uint8_t buf[64];
	struct status st;
	struct rec r, q;
	size_t len;

	(void)state;
	assert_int_equal(payload_schema_elements(REC_FIELDS), 3);
	assert_int_equal(payload_schema_elements(item_fields, 2), 2);
	assert_int_equal(payload_schema_elements(rec_fields, 3), 1);	/* just the group */
	sample_rec(&r);
	assert_int_equal(rec_encode(&r, buf, sizeof(buf), &len, &st), 0);
	assert_int_equal(len, sizeof(rec_bytes));
	assert_memory_equal(buf, rec_bytes, len);
	memset(&q, 0xff, sizeof(q));
	assert_int_equal(rec_decode(buf, len, &q, &st), 0);
	assert_int_equal(q.small, 5);
	assert_int_equal(q.mid, 70000);
	assert_int_equal(q.name.len, 3);
	assert_memory_equal(q.name.s, "abc", 3);
	assert_int_equal(q.count, 1);
	assert_int_equal(q.items[0].len, 2);
	assert_ptr_equal(q.items[0].data, buf + len - 2);	/* a view, not a copy */
	/* nil for an optional text, an empty list, the largest values. */
	r.name = NIL;
	r.count = 0;
	r.small = SMALL_MAX;
	r.mid = UINT32_MAX;
	assert_int_equal(rec_encode(&r, buf, sizeof(buf), &len, &st), 0);
	assert_int_equal(rec_decode(buf, len, &q, &st), 0);
	assert_null(q.name.s);
	assert_int_equal(q.count, 0);
	assert_int_equal(q.small, SMALL_MAX);
	assert_true(q.mid == UINT32_MAX);
}

/* ---- real payloads ---- */

static void
version_is_checked_first(void **state)
{
	const uint8_t empty_array[] = {0x90};
	const uint8_t str_version[] = {0x94, 0xa1, '1', 0xa1, 'a', 0xa1, 'b', 0xa0};
	const uint8_t v2_other_shape[] = {0x92, 0x02, 0xc0};
	const uint8_t not_array[] = {0x01};
	struct payload p;
	size_t len;

	(void)state;
	payload_sample_note(&p, ENVELOPE_FEEDBACK);
	len = payload_sample_raw(&p, 2, wire);
	payload_sample_expect_decode(p.type, wire, len, STATUS_BAD_VERSION, NULL);
	len = payload_sample_raw(&p, 0, wire);
	payload_sample_expect_decode(p.type, wire, len, STATUS_BAD_VERSION, NULL);
	len = payload_sample_raw(&p, UINT64_MAX, wire);
	payload_sample_expect_decode(p.type, wire, len, STATUS_BAD_VERSION, NULL);
	payload_sample_expect_decode(p.type, v2_other_shape, sizeof(v2_other_shape), STATUS_BAD_VERSION, NULL);
	payload_sample_expect_decode(p.type, empty_array, sizeof(empty_array), STATUS_MALFORMED, "version");
	payload_sample_expect_decode(p.type, str_version, sizeof(str_version), STATUS_MALFORMED, "version");
	payload_sample_expect_decode(p.type, not_array, sizeof(not_array), STATUS_MALFORMED, NULL);
	payload_sample_expect_decode(p.type, NULL, 0, STATUS_MALFORMED, NULL);
}

static void
wrong_counts_and_trailing_bytes_are_500(void **state)
{
	const uint8_t top5[] = {0x94, 0x01, 0xa1, 'x'};
	struct payload p;
	size_t len;

	(void)state;
	/* One element short and one too many at the top. */
	payload_sample_note(&p, ENVELOPE_ACK);
	len = payload_sample_raw(&p, PAYLOAD_VERSION, wire);
	wire[0] = 0x93;
	payload_sample_expect_decode(p.type, wire, len, STATUS_MALFORMED, NULL);
	wire[0] = 0x95;
	payload_sample_expect_decode(p.type, wire, len, STATUS_MALFORMED, NULL);
	payload_sample_expect_decode(ENVELOPE_RECEIPT, top5, sizeof(top5), STATUS_MALFORMED, NULL);
	/* Trailing bytes after a valid payload, for every type. */
	len = payload_sample_raw(&p, PAYLOAD_VERSION, wire);
	wire[len] = 0xc0;
	payload_sample_expect_decode(p.type, wire, len + 1, STATUS_MALFORMED, NULL);
	payload_sample_referral(&p);
	len = payload_sample_raw(&p, PAYLOAD_VERSION, wire);
	wire[len] = 0x00;
	payload_sample_expect_decode(p.type, wire, len + 1, STATUS_MALFORMED, NULL);
	/* Nested groups: child with 3 elements, consent with 3, attachment with 2. */
	len = payload_sample_raw(&p, PAYLOAD_VERSION, wire);
	payload_sample_patch(wire, &len, "\x94\xac" "Alex", 6, "\x93\xac" "Alex", 6);
	payload_sample_expect_decode(p.type, wire, len, STATUS_MALFORMED, "child");
	len = payload_sample_raw(&p, PAYLOAD_VERSION, wire);
	payload_sample_patch(wire, &len, "\x92\xc3\xc0", 3, "\x93\xc3\xc0\xc0", 4);
	payload_sample_expect_decode(p.type, wire, len, STATUS_MALFORMED, "consent");
	len = payload_sample_raw(&p, PAYLOAD_VERSION, wire);
	payload_sample_patch(wire, &len, "\x93\xa8plan.txt", 10, "\x92\xa8plan.txt", 10);
	payload_sample_expect_decode(p.type, wire, len, STATUS_MALFORMED, "attachments[0]");
}

static void
wrong_types_are_500(void **state)
{
	struct payload p;
	size_t len;

	(void)state;
	payload_sample_referral(&p);
	/* consent.sought as a uint */
	len = payload_sample_raw(&p, PAYLOAD_VERSION, wire);
	payload_sample_patch(wire, &len, "\x92\xc3\xc0", 3, "\x92\x01\xc0", 3);
	payload_sample_expect_decode(p.type, wire, len, STATUS_MALFORMED, "consent.sought");
	/* category (required) as nil */
	len = payload_sample_raw(&p, PAYLOAD_VERSION, wire);
	payload_sample_patch(wire, &len, "\xa7neglect", 8, "\xc0", 1);
	payload_sample_expect_decode(p.type, wire, len, STATUS_MALFORMED, "category");
	/* upn (optional) as a uint */
	len = payload_sample_raw(&p, PAYLOAD_VERSION, wire);
	payload_sample_patch(wire, &len, "\xad" "A123456789012", 14, "\x07", 1);
	payload_sample_expect_decode(p.type, wire, len, STATUS_MALFORMED, "child.upn");
	/* attachment data as a str */
	len = payload_sample_raw(&p, PAYLOAD_VERSION, wire);
	payload_sample_patch(wire, &len, "\xc4\x17safety", 8, "\xb7safety", 7);
	payload_sample_expect_decode(p.type, wire, len, STATUS_MALFORMED, "attachments[0].data");
	/* envelope_hash as a str */
	payload_sample_receipt(&p);
	len = payload_sample_raw(&p, PAYLOAD_VERSION, wire);
	payload_sample_patch(wire, &len, "\xc4\x20", 2, "\xd9\x20", 2);
	payload_sample_expect_decode(p.type, wire, len, STATUS_MALFORMED, "envelope_hash");
}

static void
non_canonical_and_bad_utf8_are_500(void **state)
{
	const char bad_utf8[] = "caf\xc3(";
	struct payload p;
	size_t len;

	(void)state;
	payload_sample_receipt(&p);
	p.u.receipt.received_ms = 5;
	len = payload_sample_raw(&p, PAYLOAD_VERSION, wire);
	payload_sample_patch(wire, &len, "\x93\x01\x05", 3, "\x93\x01\xcc\x05", 4);
	payload_sample_expect_decode(p.type, wire, len, STATUS_MALFORMED, "received_ms");
	payload_sample_note(&p, ENVELOPE_ACK);
	len = payload_sample_raw(&p, PAYLOAD_VERSION, wire);
	payload_sample_patch(wire, &len, "\xa8R. Patel", 9, "\xd9\x08R. Patel", 10);
	payload_sample_expect_decode(p.type, wire, len, STATUS_MALFORMED, "by_name");
	/* Not UTF-8, on both sides; a NUL too. */
	payload_sample_note(&p, ENVELOPE_ACK);
	p.u.note.text = T(bad_utf8);
	payload_sample_expect_both(&p, STATUS_MALFORMED, "text");
	p.u.note.text = (struct payload_text){"a\0b", 3};
	payload_sample_expect_both(&p, STATUS_MALFORMED, "text");
	payload_sample_referral(&p);
	p.u.referral.summary = T("\xed\xa0\x80 surrogate");
	payload_sample_expect_both(&p, STATUS_MALFORMED, "summary");
}

static void
four_billion_elements_rejected_without_allocating(void **state)
{
	const uint8_t top[] = {0xdd, 0xff, 0xff, 0xff, 0xff, 0x01, 0x02, 0x03};
	struct payload p;
	size_t len;

	(void)state;
	payload_sample_expect_decode(ENVELOPE_REFERRAL, top, sizeof(top), STATUS_MALFORMED, NULL);
	/* The attachments list of an otherwise valid referral. */
	payload_sample_referral(&p);
	p.u.referral.attachment_count = 0;
	len = payload_sample_raw(&p, PAYLOAD_VERSION, wire);
	assert_int_equal(wire[len - 1], 0x90);
	memcpy(wire + len - 1, "\xdd\xff\xff\xff\xff\x90\x90", 7);
	payload_sample_expect_decode(p.type, wire, len + 6, STATUS_MALFORMED, "attachments");
}

static void
attachment_count_cap_checked_before_entries(void **state)
{
	struct payload p;
	size_t len;

	(void)state;
	/* An array claiming 9 entries, followed by enough junk to pass the
	 * bytes-left test: the count cap must answer, before any entry. */
	payload_sample_referral(&p);
	p.u.referral.attachment_count = 0;
	len = payload_sample_raw(&p, PAYLOAD_VERSION, wire);
	wire[len - 1] = 0x99;
	memset(wire + len, 0xc1, 64);
	payload_sample_expect_decode(p.type, wire, len + 64, STATUS_TOO_LARGE, "attachments");
}

/* Every proper prefix of a valid payload fails, and cleanly (heap copies
 * of exactly that length, so the sanitizer build sees any overread). */
static void
truncate_everywhere(const struct payload *p)
{
	uint8_t *copy;
	size_t cut, len;

	len = payload_sample_encode(p, enc);
	for (cut = 0; cut < len; cut++) {
		copy = test_malloc(cut + 1);
		memcpy(copy, enc, cut);
		payload_sample_expect_decode(p->type, cut == 0 ? NULL : copy, cut, STATUS_MALFORMED, NULL);
		test_free(copy);
	}
}

static void
truncation_at_every_offset(void **state)
{
	struct payload p;

	(void)state;
	payload_sample_referral(&p);
	truncate_everywhere(&p);
	payload_sample_concern(&p);
	truncate_everywhere(&p);
	payload_sample_note(&p, ENVELOPE_ACK);
	truncate_everywhere(&p);
	payload_sample_decision(&p, DECISION_REDIRECT);
	truncate_everywhere(&p);
	payload_sample_receipt(&p);
	truncate_everywhere(&p);
	payload_sample_notice(&p, NOTICE_ESCALATION);
	truncate_everywhere(&p);
	payload_sample_reject(&p);
	truncate_everywhere(&p);
}

static void
encode_buffer_too_small_is_510(void **state)
{
	struct payload p;
	struct status st;
	size_t cap, full, len;

	(void)state;
	payload_sample_note(&p, ENVELOPE_FEEDBACK);
	full = payload_sample_encode(&p, enc);
	for (cap = 0; cap < full; cap++) {
		assert_int_equal(payload_encode(&p, enc, cap, &len, &st), -1);
		assert_int_equal(st.code, STATUS_TOO_LARGE);
	}
	payload_sample_referral(&p);
	full = payload_sample_encode(&p, enc);
	assert_int_equal(payload_encode(&p, enc, full - 1, &len, &st), -1);
	assert_int_equal(st.code, STATUS_TOO_LARGE);
	assert_int_equal(payload_encode(&p, enc, full, &len, &st), 0);
	assert_int_equal(len, full);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(walker_rejects_bad_values),
		cmocka_unit_test(walker_rejects_bad_structure),
		cmocka_unit_test(walker_round_trip),
		cmocka_unit_test(version_is_checked_first),
		cmocka_unit_test(wrong_counts_and_trailing_bytes_are_500),
		cmocka_unit_test(wrong_types_are_500),
		cmocka_unit_test(non_canonical_and_bad_utf8_are_500),
		cmocka_unit_test(four_billion_elements_rejected_without_allocating),
		cmocka_unit_test(attachment_count_cap_checked_before_entries),
		cmocka_unit_test(truncation_at_every_offset),
		cmocka_unit_test(encode_buffer_too_small_is_510),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
