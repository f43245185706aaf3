/* SPDX-License-Identifier: ISC */
/* Unit tests for proto/frame.c: the head frame and every command body. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "proto/frame.h"
#include "proto/pack.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof(a[0]))

static const uint8_t all_commands[] = {
	FRAME_HELLO, FRAME_WELCOME, FRAME_SEND, FRAME_RESULT, FRAME_DELIVER, FRAME_RECEIPT,
	FRAME_ACK, FRAME_OUTCOME, FRAME_PING, FRAME_PONG, FRAME_ERROR, FRAME_CHECKPOINT,
	FRAME_COUNTERSIGNED,
};
/* The first command code after the last one this protocol version knows. */
#define UNKNOWN_CODE 0x0e

static void
msgid(uint64_t ms, uint8_t fill, uint8_t id[IDS_MSGID_BYTES])
{
	uint8_t rnd[10];

	memset(rnd, fill, sizeof(rnd));
	ids_msgid_from(ms, rnd, id);
}

/* A frame with every field its command carries set to a non-zero value. */
static void
sample(uint8_t command, struct frame *f)
{
	memset(f, 0, sizeof(*f));
	f->command = command;
	switch (command) {
	case FRAME_HELLO:
		strcpy(f->agency, "school-stmarys");
		f->window = 300;
		break;
	case FRAME_WELCOME:
		strcpy(f->agency, "mash");
		f->time_ms = 1735689600123ULL;
		f->max_bytes = UINT32_MAX;
		f->heartbeat_ms = 5000;
		break;
	case FRAME_RESULT:
		msgid(1735689600000ULL, 0xa5, f->id);
		f->code = 202;
		strcpy(f->text, "accepted: stored for camhs \xe2\x9c\x93");
		break;
	case FRAME_DELIVER:
		f->seq = 1ULL << 40;
		f->time_ms = 1735689600999ULL;
		break;
	case FRAME_RECEIPT:
	case FRAME_ACK:
		f->seq = 77;
		break;
	case FRAME_OUTCOME:
		f->seq = 65536;
		msgid(1735689601000ULL, 0x3c, f->id);
		f->code = 541;
		memset(f->text, 'r', FRAME_TEXT_MAX);
		f->time_ms = UINT64_MAX;
		break;
	case FRAME_PING:
	case FRAME_PONG:
		f->time_ms = 127;
		break;
	case FRAME_ERROR:
		f->code = 599;
		strcpy(f->text, "");
		break;
	case FRAME_CHECKPOINT:
		/* The frame carries any text up to the cap; only the broker
		 * parses it (checkpoint_parse). */
		memset(f->checkpoint, 'c', CHECKPOINT_TEXT_MAX);
		f->from_size = MERKLE_MAX_SIZE;
		break;
	case FRAME_COUNTERSIGNED:
		f->size = 1ULL << 33;
		f->code = 560;
		strcpy(f->text, "prove from size 8");
		memset(f->checkpoint, 'k', CHECKPOINT_TEXT_MAX);
		break;
	}
}

static void
encode_ok(const struct frame *f, uint8_t *buf, size_t cap, size_t *len)
{
	struct status st;

	if (frame_body_encode(f, buf, cap, len, &st) == -1)
		fail_msg("encode %s: %d %s", frame_command_name(f->command), st.code, st.text);
}

static void
expect_decode(uint8_t command, const uint8_t *buf, size_t len, int code)
{
	struct frame f;
	struct status st;

	st.code = 0;
	if (frame_body_decode(command, buf, len, &f, &st) != -1)
		fail_msg("%s body of %zu bytes decoded, expected %d", frame_command_name(command),
		    len, code);
	if (st.code != code)
		fail_msg("%s: got %d (%s), expected %d", frame_command_name(command), st.code,
		    st.text, code);
}

static void
expect_encode(const struct frame *f, int code)
{
	uint8_t buf[FRAME_MAX_BODY];
	struct status st;
	size_t len;

	st.code = 0;
	assert_int_equal(frame_body_encode(f, buf, sizeof(buf), &len, &st), -1);
	if (st.code != code)
		fail_msg("encode: got %d (%s), expected %d", st.code, st.text, code);
}

static void
head_rejects_wrong_length_or_magic(void **state)
{
	const uint8_t good[] = {0x44, 0x4e, 0x01, 0x01};
	const uint8_t bad_magic[][FRAME_HEAD_BYTES] = {
		{0x44, 0x4f, 0x01, 0x01}, {0x45, 0x4e, 0x01, 0x01}, {0x00, 0x00, 0x00, 0x00},
		{0x4e, 0x44, 0x01, 0x01},
	};
	uint8_t longer[FRAME_HEAD_BYTES + 1] = {0x44, 0x4e, 0x01, 0x01, 0x00};
	struct status st;
	uint8_t cmd = 0xee;
	size_t i;

	(void)state;
	for (i = 0; i < FRAME_HEAD_BYTES; i++) {
		assert_int_equal(frame_head_decode(good, i, &cmd, &st), -1);
		assert_int_equal(st.code, STATUS_MALFORMED);
		assert_non_null(strstr(st.text, "not a dutynet frame"));
	}
	assert_int_equal(frame_head_decode(longer, sizeof(longer), &cmd, &st), -1);
	assert_int_equal(st.code, STATUS_MALFORMED);
	for (i = 0; i < ARRAY_LEN(bad_magic); i++) {
		assert_int_equal(frame_head_decode(bad_magic[i], FRAME_HEAD_BYTES, &cmd, &st), -1);
		assert_int_equal(st.code, STATUS_MALFORMED);
	}
	assert_int_equal(cmd, 0xee);	/* untouched on failure */
}

static void
head_rejects_other_versions(void **state)
{
	uint8_t head[FRAME_HEAD_BYTES] = {0x44, 0x4e, 0x00, 0x01};
	struct status st;
	uint8_t cmd;

	(void)state;
	assert_int_equal(frame_head_decode(head, sizeof(head), &cmd, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_VERSION);
	head[2] = 0x02;
	assert_int_equal(frame_head_decode(head, sizeof(head), &cmd, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_VERSION);
	assert_non_null(strstr(st.text, "version 2"));
	/* The version is checked before the command. */
	head[3] = 0xff;
	assert_int_equal(frame_head_decode(head, sizeof(head), &cmd, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_VERSION);
}

static void
head_rejects_unknown_commands(void **state)
{
	const uint8_t unknown[] = {0x00, UNKNOWN_CODE, 0x10, 0x7f, 0xff};
	uint8_t head[FRAME_HEAD_BYTES] = {0x44, 0x4e, 0x01, 0x00};
	struct status st;
	uint8_t cmd;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(unknown); i++) {
		head[3] = unknown[i];
		assert_int_equal(frame_head_decode(head, sizeof(head), &cmd, &st), -1);
		assert_int_equal(st.code, STATUS_UNKNOWN_COMMAND);
	}
	head[3] = UNKNOWN_CODE;
	assert_int_equal(frame_head_decode(head, sizeof(head), &cmd, &st), -1);
	assert_non_null(strstr(st.text, "0x0e"));
}

static void
head_round_trip_and_parts(void **state)
{
	uint8_t head[FRAME_HEAD_BYTES];
	struct status st;
	uint8_t cmd;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(all_commands); i++) {
		frame_head_encode(all_commands[i], head);
		assert_int_equal(head[0], 'D');
		assert_int_equal(head[1], 'N');
		assert_int_equal(head[2], FRAME_VERSION);
		assert_int_equal(head[3], all_commands[i]);
		cmd = 0;
		assert_int_equal(frame_head_decode(head, sizeof(head), &cmd, &st), 0);
		assert_int_equal(cmd, all_commands[i]);
		assert_non_null(frame_command_name(all_commands[i]));
		if (all_commands[i] == FRAME_SEND || all_commands[i] == FRAME_DELIVER ||
		    all_commands[i] == FRAME_RECEIPT || all_commands[i] == FRAME_CHECKPOINT)
			assert_int_equal(frame_parts(all_commands[i]), 3);
		else
			assert_int_equal(frame_parts(all_commands[i]), 2);
	}
	assert_int_equal(frame_parts(0x00), -1);
	assert_int_equal(frame_parts(UNKNOWN_CODE), -1);
	assert_null(frame_command_name(UNKNOWN_CODE));
	assert_null(frame_command_name(-1));
	assert_string_equal(frame_command_name(FRAME_HELLO), "hello");
	assert_string_equal(frame_command_name(FRAME_SEND), "send");
	assert_string_equal(frame_command_name(FRAME_ERROR), "error");
	assert_string_equal(frame_command_name(FRAME_CHECKPOINT), "checkpoint");
	assert_string_equal(frame_command_name(FRAME_COUNTERSIGNED), "countersigned");
}

static void
body_round_trip_every_command(void **state)
{
	uint8_t buf[FRAME_MAX_BODY], again[FRAME_MAX_BODY];
	struct frame f, g;
	struct status st;
	size_t i, len, len2;

	(void)state;
	for (i = 0; i < ARRAY_LEN(all_commands); i++) {
		sample(all_commands[i], &f);
		encode_ok(&f, buf, sizeof(buf), &len);
		memset(&g, 0xff, sizeof(g));
		if (frame_body_decode(all_commands[i], buf, len, &g, &st) == -1)
			fail_msg("decode %s: %d %s", frame_command_name(all_commands[i]), st.code,
			    st.text);
		/* Every field, carried or not (decode zeroes the frame first). */
		assert_memory_equal(&f, &g, sizeof(f));
		encode_ok(&g, again, sizeof(again), &len2);
		assert_int_equal(len, len2);
		assert_memory_equal(buf, again, len);
	}
}

static void
body_known_bytes(void **state)
{
	const uint8_t send[] = {0x90};
	const uint8_t ping[] = {0x91, 0x7f};
	const uint8_t hello[] = {0x92, 0xa4, 'm', 'a', 's', 'h', 0xcd, 0x01, 0x2c};
	uint8_t buf[FRAME_MAX_BODY];
	struct frame f;
	size_t len;

	(void)state;
	sample(FRAME_SEND, &f);
	encode_ok(&f, buf, sizeof(buf), &len);
	assert_int_equal(len, sizeof(send));
	assert_memory_equal(buf, send, sizeof(send));
	sample(FRAME_PING, &f);
	encode_ok(&f, buf, sizeof(buf), &len);
	assert_int_equal(len, sizeof(ping));
	assert_memory_equal(buf, ping, sizeof(ping));
	sample(FRAME_HELLO, &f);
	strcpy(f.agency, "mash");
	encode_ok(&f, buf, sizeof(buf), &len);
	assert_int_equal(len, sizeof(hello));
	assert_memory_equal(buf, hello, sizeof(hello));
}

static void
body_rejects_unknown_command(void **state)
{
	const uint8_t empty[] = {0x90};
	struct frame f;

	(void)state;
	expect_decode(UNKNOWN_CODE, empty, sizeof(empty), STATUS_UNKNOWN_COMMAND);
	expect_decode(0x00, empty, sizeof(empty), STATUS_UNKNOWN_COMMAND);
	sample(FRAME_SEND, &f);
	f.command = 0x42;
	expect_encode(&f, STATUS_UNKNOWN_COMMAND);
}

static void
body_rejects_oversize_before_parsing(void **state)
{
	static uint8_t big[FRAME_MAX_BODY + 1];

	(void)state;
	/* Not msgpack at all: the cap must answer first. */
	memset(big, 0xc1, sizeof(big));
	expect_decode(FRAME_PING, big, sizeof(big), STATUS_TOO_LARGE);
	expect_decode(FRAME_PING, big, FRAME_MAX_BODY, STATUS_MALFORMED);
}

static void
body_rejects_bad_structure(void **state)
{
	const uint8_t not_array[] = {0x7f};
	const uint8_t too_few[] = {0x90};
	const uint8_t too_many[] = {0x92, 0x01, 0x02};
	const uint8_t wrong_type[] = {0x91, 0xa1, 'x'};
	const uint8_t non_canonical[] = {0x91, 0xcc, 0x05};
	const uint8_t non_canonical_array[] = {0xdc, 0x00, 0x01, 0x05};
	const uint8_t trailing[] = {0x91, 0x05, 0x00};
	const uint8_t nil_field[] = {0x91, 0xc0};
	const uint8_t send_not_empty[] = {0x91, 0x00};
	const uint8_t send_trailing[] = {0x90, 0x90};
	const uint8_t hello_int_agency[] = {0x92, 0x05, 0x05};
	const uint8_t hello_bad_utf8[] = {0x92, 0xa4, 'm', 0xff, 's', 'h', 0x05};
	const uint8_t hello_nul[] = {0x92, 0xa4, 'm', 0x00, 's', 'h', 0x05};
	const uint8_t empty[] = {0};

	(void)state;
	expect_decode(FRAME_PING, empty, 0, STATUS_MALFORMED);
	expect_decode(FRAME_PING, not_array, sizeof(not_array), STATUS_MALFORMED);
	expect_decode(FRAME_PING, too_few, sizeof(too_few), STATUS_MALFORMED);
	expect_decode(FRAME_PING, too_many, sizeof(too_many), STATUS_MALFORMED);
	expect_decode(FRAME_PING, wrong_type, sizeof(wrong_type), STATUS_MALFORMED);
	expect_decode(FRAME_PING, non_canonical, sizeof(non_canonical), STATUS_MALFORMED);
	expect_decode(FRAME_PING, non_canonical_array, sizeof(non_canonical_array),
	    STATUS_MALFORMED);
	expect_decode(FRAME_PING, trailing, sizeof(trailing), STATUS_MALFORMED);
	expect_decode(FRAME_PING, nil_field, sizeof(nil_field), STATUS_MALFORMED);
	expect_decode(FRAME_SEND, send_not_empty, sizeof(send_not_empty), STATUS_MALFORMED);
	expect_decode(FRAME_SEND, send_trailing, sizeof(send_trailing), STATUS_MALFORMED);
	expect_decode(FRAME_HELLO, hello_int_agency, sizeof(hello_int_agency), STATUS_MALFORMED);
	expect_decode(FRAME_HELLO, hello_bad_utf8, sizeof(hello_bad_utf8), STATUS_MALFORMED);
	expect_decode(FRAME_HELLO, hello_nul, sizeof(hello_nul), STATUS_MALFORMED);
}

static void
body_error_names_command_and_field(void **state)
{
	const uint8_t hello_int_agency[] = {0x92, 0x05, 0x05};
	struct frame f;
	struct status st;

	(void)state;
	assert_int_equal(frame_body_decode(FRAME_HELLO, hello_int_agency,
	    sizeof(hello_int_agency), &f, &st), -1);
	assert_int_equal(st.code, STATUS_MALFORMED);
	assert_non_null(strstr(st.text, "hello"));
	assert_non_null(strstr(st.text, "'agency'"));
}

static void
four_billion_elements_rejected_without_allocating(void **state)
{
	const uint8_t claim[] = {0xdd, 0xff, 0xff, 0xff, 0xff, 0x01, 0x02, 0x03};

	(void)state;
	expect_decode(FRAME_PING, claim, sizeof(claim), STATUS_MALFORMED);
	expect_decode(FRAME_OUTCOME, claim, sizeof(claim), STATUS_MALFORMED);
}

/* Every proper prefix of every valid body fails, and cleanly. */
static void
truncation_at_every_offset(void **state)
{
	uint8_t buf[FRAME_MAX_BODY];
	uint8_t *copy;
	struct frame f;
	size_t i, cut, len;

	(void)state;
	for (i = 0; i < ARRAY_LEN(all_commands); i++) {
		sample(all_commands[i], &f);
		encode_ok(&f, buf, sizeof(buf), &len);
		for (cut = 0; cut < len; cut++) {
			/* A heap copy of exactly cut bytes, so ASan sees overreads. */
			copy = test_malloc(cut + 1);
			memcpy(copy, buf, cut);
			expect_decode(all_commands[i], cut == 0 ? NULL : copy, cut,
			    STATUS_MALFORMED);
			test_free(copy);
		}
	}
}

static void
agency_must_be_valid(void **state)
{
	const uint8_t upper[] = {0x92, 0xa4, 'M', 'A', 'S', 'H', 0x05};
	const uint8_t too_short[] = {0x92, 0xa2, 'm', 'a', 0x05};
	struct frame f;
	struct status st;

	(void)state;
	sample(FRAME_HELLO, &f);
	strcpy(f.agency, "Bad_Agency");
	expect_encode(&f, STATUS_BAD_FIELD);
	sample(FRAME_HELLO, &f);
	f.agency[0] = '\0';
	expect_encode(&f, STATUS_BAD_FIELD);
	sample(FRAME_WELCOME, &f);
	memset(f.agency, 'a', sizeof(f.agency));	/* no NUL at all */
	expect_encode(&f, STATUS_BAD_FIELD);
	expect_decode(FRAME_HELLO, upper, sizeof(upper), STATUS_BAD_FIELD);
	expect_decode(FRAME_HELLO, too_short, sizeof(too_short), STATUS_BAD_FIELD);
	assert_int_equal(frame_body_decode(FRAME_HELLO, upper, sizeof(upper), &f, &st), -1);
	assert_non_null(strstr(st.text, "MASH"));
}

/* Builds a body by hand: [agency, window] with any window. */
static size_t
hello_body(uint64_t window, uint8_t *buf, size_t cap)
{
	struct pack_writer w;
	size_t len;

	pack_writer_init(&w, buf, cap);
	pack_write_array(&w, 2);
	pack_write_str(&w, "mash", 4);
	pack_write_uint(&w, window);
	assert_int_equal(pack_writer_finish(&w, &len), 0);
	return len;
}

static void
uint_ranges(void **state)
{
	uint8_t buf[64];
	struct frame f;
	size_t len;

	(void)state;
	sample(FRAME_HELLO, &f);
	f.window = 0;
	expect_encode(&f, STATUS_BAD_FIELD);
	f.window = FRAME_WINDOW_MAX + 1;
	expect_encode(&f, STATUS_BAD_FIELD);
	f.window = FRAME_WINDOW_MAX;
	encode_ok(&f, buf, sizeof(buf), &len);
	len = hello_body(0, buf, sizeof(buf));
	expect_decode(FRAME_HELLO, buf, len, STATUS_BAD_FIELD);
	len = hello_body(FRAME_WINDOW_MAX + 1, buf, sizeof(buf));
	expect_decode(FRAME_HELLO, buf, len, STATUS_BAD_FIELD);
	len = hello_body(UINT64_MAX, buf, sizeof(buf));
	expect_decode(FRAME_HELLO, buf, len, STATUS_BAD_FIELD);

	sample(FRAME_ERROR, &f);
	f.code = FRAME_CODE_MIN - 1;
	expect_encode(&f, STATUS_BAD_FIELD);
	f.code = FRAME_CODE_MAX + 1;
	expect_encode(&f, STATUS_BAD_FIELD);
	f.code = 0;
	expect_encode(&f, STATUS_BAD_FIELD);
}

static void
wide_values_rejected_on_decode(void **state)
{
	/* WELCOME max_bytes = 2^32; ERROR code = 600 and 199; RESULT code 2^16 + 202. */
	const uint8_t welcome[] = {0x94, 0xa4, 'm', 'a', 's', 'h', 0x00,
		0xcf, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00};
	const uint8_t welcome_hb[] = {0x94, 0xa4, 'm', 'a', 's', 'h', 0x00, 0x00,
		0xcf, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00};
	const uint8_t error600[] = {0x92, 0xcd, 0x02, 0x58, 0xa0};
	const uint8_t error199[] = {0x92, 0xcc, 0xc7, 0xa0};
	const uint8_t error_wide[] = {0x92, 0xce, 0x00, 0x01, 0x00, 0xca, 0xa0};

	(void)state;
	expect_decode(FRAME_WELCOME, welcome, sizeof(welcome), STATUS_BAD_FIELD);
	expect_decode(FRAME_WELCOME, welcome_hb, sizeof(welcome_hb), STATUS_BAD_FIELD);
	expect_decode(FRAME_ERROR, error600, sizeof(error600), STATUS_BAD_FIELD);
	expect_decode(FRAME_ERROR, error199, sizeof(error199), STATUS_BAD_FIELD);
	expect_decode(FRAME_ERROR, error_wide, sizeof(error_wide), STATUS_BAD_FIELD);
}

/* [code, text] with text of n bytes of c. */
static size_t
error_body(size_t n, char c, uint8_t *buf, size_t cap)
{
	char text[FRAME_MAX_BODY];
	struct pack_writer w;
	size_t len;

	memset(text, c, n);
	pack_writer_init(&w, buf, cap);
	pack_write_array(&w, 2);
	pack_write_uint(&w, 500);
	pack_write_str(&w, text, n);
	assert_int_equal(pack_writer_finish(&w, &len), 0);
	return len;
}

static void
text_cap(void **state)
{
	uint8_t buf[FRAME_MAX_BODY];
	struct frame f;
	size_t len;

	(void)state;
	sample(FRAME_ERROR, &f);
	memset(f.text, 'x', sizeof(f.text));	/* 201 bytes, no NUL */
	expect_encode(&f, STATUS_TOO_LARGE);
	len = error_body(FRAME_TEXT_MAX + 1, 'x', buf, sizeof(buf));
	expect_decode(FRAME_ERROR, buf, len, STATUS_TOO_LARGE);
	len = error_body(FRAME_TEXT_MAX, 'x', buf, sizeof(buf));
	assert_int_equal(frame_body_decode(FRAME_ERROR, buf, len, &f, NULL), 0);
	assert_int_equal(strlen(f.text), FRAME_TEXT_MAX);
}

static void
text_must_be_utf8(void **state)
{
	uint8_t buf[FRAME_MAX_BODY];
	struct frame f;
	size_t len;

	(void)state;
	sample(FRAME_ERROR, &f);
	strcpy(f.text, "bad \xc3\x28 byte");
	expect_encode(&f, STATUS_MALFORMED);
	strcpy(f.text, "overlong \xc0\xaf");
	expect_encode(&f, STATUS_MALFORMED);
	strcpy(f.text, "surrogate \xed\xa0\x80");
	expect_encode(&f, STATUS_MALFORMED);
	strcpy(f.text, "fine \xc3\xa9 \xf0\x9f\x91\x8d");
	encode_ok(&f, buf, sizeof(buf), &len);
}

static void
message_id_must_be_uuidv7(void **state)
{
	/* RESULT [bin(15), 202, ""] and [uuidv4-ish bin(16), 202, ""]. */
	uint8_t short_id[] = {0x93, 0xc4, 0x0f, 1, 2, 3, 4, 5, 6, 0x70, 8, 0x80, 10, 11, 12,
		13, 14, 15, 0xcc, 0xca, 0xa0};
	uint8_t v4[] = {0x93, 0xc4, 0x10, 1, 2, 3, 4, 5, 6, 0x40, 8, 0x80, 10, 11, 12, 13, 14,
		15, 16, 0xcc, 0xca, 0xa0};
	uint8_t good[sizeof(v4)];
	struct frame f;

	(void)state;
	expect_decode(FRAME_RESULT, short_id, sizeof(short_id), STATUS_BAD_FIELD);
	expect_decode(FRAME_RESULT, v4, sizeof(v4), STATUS_BAD_FIELD);
	memcpy(good, v4, sizeof(v4));
	good[3 + 6] = 0x70;
	assert_int_equal(frame_body_decode(FRAME_RESULT, good, sizeof(good), &f, NULL), 0);
	good[3 + 8] = 0xc0;	/* variant 0b11 */
	expect_decode(FRAME_RESULT, good, sizeof(good), STATUS_BAD_FIELD);

	sample(FRAME_OUTCOME, &f);
	f.id[6] = 0x40;
	expect_encode(&f, STATUS_BAD_FIELD);
	sample(FRAME_RESULT, &f);
	f.id[8] = 0x00;
	expect_encode(&f, STATUS_BAD_FIELD);
}

static void
encode_buffer_too_small(void **state)
{
	uint8_t buf[FRAME_MAX_BODY];
	struct frame f;
	struct status st;
	size_t len, full, cap;

	(void)state;
	sample(FRAME_OUTCOME, &f);
	encode_ok(&f, buf, sizeof(buf), &full);
	for (cap = 0; cap < full; cap++) {
		assert_int_equal(frame_body_encode(&f, buf, cap, &len, &st), -1);
		assert_int_equal(st.code, STATUS_TOO_LARGE);
	}
	assert_int_equal(frame_body_encode(&f, buf, full, &len, &st), 0);
	assert_int_equal(len, full);
}

/* [checkpoint, from_size] with a text of n bytes of c. */
static size_t
checkpoint_body(size_t n, char c, uint64_t from_size, uint8_t *buf, size_t cap)
{
	char text[FRAME_MAX_BODY];
	struct pack_writer w;
	size_t len;

	memset(text, c, n);
	pack_writer_init(&w, buf, cap);
	pack_write_array(&w, 2);
	pack_write_str(&w, text, n);
	pack_write_uint(&w, from_size);
	assert_int_equal(pack_writer_finish(&w, &len), 0);
	return len;
}

/* [size, code, text, checkpoint] by hand. */
static size_t
countersigned_body(uint64_t size, uint64_t code, size_t n, uint8_t *buf, size_t cap)
{
	char text[FRAME_MAX_BODY];
	struct pack_writer w;
	size_t len;

	memset(text, 'k', n);
	pack_writer_init(&w, buf, cap);
	pack_write_array(&w, 4);
	pack_write_uint(&w, size);
	pack_write_uint(&w, code);
	pack_write_str(&w, "t", 1);
	pack_write_str(&w, text, n);
	assert_int_equal(pack_writer_finish(&w, &len), 0);
	return len;
}

static void
checkpoint_text_cap(void **state)
{
	uint8_t buf[FRAME_MAX_BODY];
	struct frame f;
	size_t len;

	(void)state;
	sample(FRAME_CHECKPOINT, &f);
	memset(f.checkpoint, 'x', sizeof(f.checkpoint));	/* 582 bytes, no NUL */
	expect_encode(&f, STATUS_TOO_LARGE);
	sample(FRAME_COUNTERSIGNED, &f);
	memset(f.checkpoint, 'x', sizeof(f.checkpoint));
	expect_encode(&f, STATUS_TOO_LARGE);
	len = checkpoint_body(CHECKPOINT_TEXT_MAX + 1, 'x', 0, buf, sizeof(buf));
	expect_decode(FRAME_CHECKPOINT, buf, len, STATUS_TOO_LARGE);
	len = countersigned_body(8, 250, CHECKPOINT_TEXT_MAX + 1, buf, sizeof(buf));
	expect_decode(FRAME_COUNTERSIGNED, buf, len, STATUS_TOO_LARGE);
	len = checkpoint_body(CHECKPOINT_TEXT_MAX, 'x', 0, buf, sizeof(buf));
	assert_int_equal(frame_body_decode(FRAME_CHECKPOINT, buf, len, &f, NULL), 0);
	assert_int_equal(strlen(f.checkpoint), CHECKPOINT_TEXT_MAX);
	/* An empty one is well-formed: COUNTERSIGNED carries none on refusals. */
	len = countersigned_body(8, 504, 0, buf, sizeof(buf));
	assert_int_equal(frame_body_decode(FRAME_COUNTERSIGNED, buf, len, &f, NULL), 0);
	assert_int_equal(f.size, 8);
	assert_int_equal(f.code, 504);
	assert_string_equal(f.checkpoint, "");
	/* The longest bodies fit the body cap with room to spare. */
	sample(FRAME_COUNTERSIGNED, &f);
	memset(f.text, 't', FRAME_TEXT_MAX);
	f.size = MERKLE_MAX_SIZE;
	encode_ok(&f, buf, sizeof(buf), &len);
	assert_true(len < FRAME_MAX_BODY);
}

static void
checkpoint_sizes_in_range(void **state)
{
	uint8_t buf[FRAME_MAX_BODY];
	struct frame f;
	size_t len;

	(void)state;
	sample(FRAME_CHECKPOINT, &f);
	f.from_size = MERKLE_MAX_SIZE + 1;
	expect_encode(&f, STATUS_BAD_FIELD);
	sample(FRAME_COUNTERSIGNED, &f);
	f.size = UINT64_MAX;
	expect_encode(&f, STATUS_BAD_FIELD);
	f.size = 0;
	f.code = 199;
	expect_encode(&f, STATUS_BAD_FIELD);
	len = checkpoint_body(10, 'x', MERKLE_MAX_SIZE + 1, buf, sizeof(buf));
	expect_decode(FRAME_CHECKPOINT, buf, len, STATUS_BAD_FIELD);
	len = countersigned_body(MERKLE_MAX_SIZE + 1, 250, 0, buf, sizeof(buf));
	expect_decode(FRAME_COUNTERSIGNED, buf, len, STATUS_BAD_FIELD);
	len = countersigned_body(0, 600, 0, buf, sizeof(buf));
	expect_decode(FRAME_COUNTERSIGNED, buf, len, STATUS_BAD_FIELD);
	len = countersigned_body(0, 250, 0, buf, sizeof(buf));
	assert_int_equal(frame_body_decode(FRAME_COUNTERSIGNED, buf, len, &f, NULL), 0);
}

static void
checkpoint_known_bytes(void **state)
{
	/* CHECKPOINT ["ab", 300]; COUNTERSIGNED [8, 250, "", ""]. */
	const uint8_t cp[] = {0x92, 0xa2, 'a', 'b', 0xcd, 0x01, 0x2c};
	const uint8_t cs[] = {0x94, 0x08, 0xcc, 0xfa, 0xa0, 0xa0};
	uint8_t buf[FRAME_MAX_BODY];
	struct frame f;
	size_t len;

	(void)state;
	memset(&f, 0, sizeof(f));
	f.command = FRAME_CHECKPOINT;
	strcpy(f.checkpoint, "ab");
	f.from_size = 300;
	encode_ok(&f, buf, sizeof(buf), &len);
	assert_int_equal(len, sizeof(cp));
	assert_memory_equal(buf, cp, sizeof(cp));
	memset(&f, 0, sizeof(f));
	f.command = FRAME_COUNTERSIGNED;
	f.size = 8;
	f.code = 250;
	encode_ok(&f, buf, sizeof(buf), &len);
	assert_int_equal(len, sizeof(cs));
	assert_memory_equal(buf, cs, sizeof(cs));
	/* A checkpoint text that is not UTF-8 fails like any str. */
	f.command = FRAME_CHECKPOINT;
	strcpy(f.checkpoint, "bad \xc3\x28");
	expect_encode(&f, STATUS_MALFORMED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(head_rejects_wrong_length_or_magic),
		cmocka_unit_test(head_rejects_other_versions),
		cmocka_unit_test(head_rejects_unknown_commands),
		cmocka_unit_test(body_rejects_unknown_command),
		cmocka_unit_test(body_rejects_oversize_before_parsing),
		cmocka_unit_test(body_rejects_bad_structure),
		cmocka_unit_test(body_error_names_command_and_field),
		cmocka_unit_test(four_billion_elements_rejected_without_allocating),
		cmocka_unit_test(truncation_at_every_offset),
		cmocka_unit_test(agency_must_be_valid),
		cmocka_unit_test(uint_ranges),
		cmocka_unit_test(wide_values_rejected_on_decode),
		cmocka_unit_test(text_cap),
		cmocka_unit_test(text_must_be_utf8),
		cmocka_unit_test(message_id_must_be_uuidv7),
		cmocka_unit_test(encode_buffer_too_small),
		cmocka_unit_test(head_round_trip_and_parts),
		cmocka_unit_test(body_known_bytes),
		cmocka_unit_test(body_round_trip_every_command),
		cmocka_unit_test(checkpoint_text_cap),
		cmocka_unit_test(checkpoint_sizes_in_range),
		cmocka_unit_test(checkpoint_known_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
