/* SPDX-License-Identifier: ISC */
/*
 * frame: the command frames between agent and broker (see frame.h and
 * proto/PROTOCOL.md, "Agent-broker framing").
 *
 * DESIGN: the protocol is a table, as in czmq's and Malamute's generated
 * codecs.  Each command lists the fields of its body in wire order; each
 * field says where it lives in struct frame and what values it may take.
 * One encoder and one decoder walk the table, and both call the same
 * check_field(), so the broker can never emit a body its own agents refuse,
 * nor accept one they could not have sent.  Frames come from the network:
 * the body's size is capped before parsing and nothing is copied into
 * struct frame before its length has been checked against the member.
 */
#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "proto/frame.h"
#include "proto/pack.h"

/* Byte positions in the head frame. */
enum { HEAD_MAGIC_0, HEAD_MAGIC_1, HEAD_VERSION, HEAD_COMMAND };

enum kind {
	K_AGENCY,	/* str: an agency id, into char agency[] */
	K_UINT,		/* uint in lo..hi, into an integer member */
	K_MSGID,	/* bin(16): a UUIDv7 message id */
	K_TEXT,		/* str of at most FRAME_TEXT_MAX bytes, into char text[] */
	K_CHECKPOINT,	/* str of at most CHECKPOINT_TEXT_MAX bytes, into checkpoint[] */
};

struct field {
	const char *name;	/* as PROTOCOL.md names it */
	enum kind kind;
	size_t off;		/* of the member in struct frame */
	size_t size;		/* K_UINT: sizeof the member */
	uint64_t lo, hi;	/* K_UINT: the values allowed */
};

#define MEMBER_SIZE(m) sizeof(((struct frame *)0)->m)
#define UINT_FIELD(name, m, lo, hi) {name, K_UINT, offsetof(struct frame, m), MEMBER_SIZE(m), lo, hi}

static const struct field f_agency = {"agency", K_AGENCY, offsetof(struct frame, agency), 0, 0, 0};
static const struct field f_window = UINT_FIELD("window", window, 1, FRAME_WINDOW_MAX);
static const struct field f_time = UINT_FIELD("time_ms", time_ms, 0, UINT64_MAX);
static const struct field f_accepted = UINT_FIELD("accepted_ms", time_ms, 0, UINT64_MAX);
static const struct field f_max_bytes = UINT_FIELD("max_bytes", max_bytes, 0, UINT32_MAX);
static const struct field f_heartbeat = UINT_FIELD("heartbeat_ms", heartbeat_ms, 0, UINT32_MAX);
static const struct field f_seq = UINT_FIELD("seq", seq, 0, UINT64_MAX);
static const struct field f_id = {"message_id", K_MSGID, offsetof(struct frame, id), 0, 0, 0};
static const struct field f_code = UINT_FIELD("code", code, FRAME_CODE_MIN, FRAME_CODE_MAX);
static const struct field f_text = {"text", K_TEXT, offsetof(struct frame, text), 0, 0, 0};
static const struct field f_size = UINT_FIELD("size", size, 0, MERKLE_MAX_SIZE);
static const struct field f_from_size = UINT_FIELD("from_size", from_size, 0, MERKLE_MAX_SIZE);
static const struct field f_checkpoint = {"checkpoint", K_CHECKPOINT,
	offsetof(struct frame, checkpoint), 0, 0, 0};

#define BODY_FIELDS_MAX 5

static const struct command {
	uint8_t code;
	const char *name;
	int parts;
	size_t count;
	const struct field *fields[BODY_FIELDS_MAX];
} commands[] = {
	{FRAME_HELLO, "hello", 2, 2, {&f_agency, &f_window}},
	{FRAME_WELCOME, "welcome", 2, 4, {&f_agency, &f_time, &f_max_bytes, &f_heartbeat}},
	{FRAME_SEND, "send", 3, 0, {NULL}},
	{FRAME_RESULT, "result", 2, 3, {&f_id, &f_code, &f_text}},
	{FRAME_DELIVER, "deliver", 3, 2, {&f_seq, &f_accepted}},
	{FRAME_RECEIPT, "receipt", 3, 1, {&f_seq}},
	{FRAME_ACK, "ack", 2, 1, {&f_seq}},
	{FRAME_OUTCOME, "outcome", 2, 5, {&f_seq, &f_id, &f_code, &f_text, &f_time}},
	{FRAME_PING, "ping", 2, 1, {&f_time}},
	{FRAME_PONG, "pong", 2, 1, {&f_time}},
	{FRAME_ERROR, "error", 2, 2, {&f_code, &f_text}},
	{FRAME_CHECKPOINT, "checkpoint", 3, 2, {&f_checkpoint, &f_from_size}},
	{FRAME_COUNTERSIGNED, "countersigned", 2, 4, {&f_size, &f_code, &f_text, &f_checkpoint}},
};

/* A field's value in transit: a byte view for str/bin, a number for uint. */
struct value {
	const void *p;
	size_t len;
	uint64_t u;
};

static const struct command *
find(int code)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (commands[i].code == code)
			return &commands[i];
	return NULL;
}

void
frame_head_encode(uint8_t command, uint8_t out[FRAME_HEAD_BYTES])
{
	out[HEAD_MAGIC_0] = FRAME_MAGIC_0;
	out[HEAD_MAGIC_1] = FRAME_MAGIC_1;
	out[HEAD_VERSION] = FRAME_VERSION;
	out[HEAD_COMMAND] = command;
}

int
frame_head_decode(const uint8_t *buf, size_t len, uint8_t *command, struct status *st)
{
	if (len != FRAME_HEAD_BYTES || buf[HEAD_MAGIC_0] != FRAME_MAGIC_0 ||
	    buf[HEAD_MAGIC_1] != FRAME_MAGIC_1)
		return status_set(st, STATUS_MALFORMED,
		    "not a dutynet frame: a head is %d bytes starting \"DN\" (got %zu bytes)",
		    FRAME_HEAD_BYTES, len);
	if (buf[HEAD_VERSION] != FRAME_VERSION)
		return status_set(st, STATUS_BAD_VERSION,
		    "protocol version %u is not supported: this peer speaks version %d; "
		    "upgrade the older side", buf[HEAD_VERSION], FRAME_VERSION);
	if (find(buf[HEAD_COMMAND]) == NULL)
		return status_set(st, STATUS_UNKNOWN_COMMAND,
		    "command 0x%02x is not known in protocol version %d", buf[HEAD_COMMAND],
		    FRAME_VERSION);
	*command = buf[HEAD_COMMAND];
	return 0;
}

int
frame_parts(uint8_t command)
{
	const struct command *c = find(command);

	return c == NULL ? -1 : c->parts;
}

const char *
frame_command_name(int command)
{
	const struct command *c = find(command);

	return c == NULL ? NULL : c->name;
}

static uint64_t
get_uint(const struct frame *f, const struct field *fl)
{
	const uint8_t *m = (const uint8_t *)f + fl->off;
	uint16_t v16;
	uint32_t v32;
	uint64_t v64;

	switch (fl->size) {
	case sizeof(uint16_t):
		memcpy(&v16, m, sizeof(v16));
		return v16;
	case sizeof(uint32_t):
		memcpy(&v32, m, sizeof(v32));
		return v32;
	default:
		assert(fl->size == sizeof(uint64_t));
		memcpy(&v64, m, sizeof(v64));
		return v64;
	}
}

/* Stores v, which check_field has found within the member's range. */
static void
set_uint(struct frame *f, const struct field *fl, uint64_t v)
{
	uint8_t *m = (uint8_t *)f + fl->off;
	uint16_t v16 = (uint16_t)v;
	uint32_t v32 = (uint32_t)v;

	switch (fl->size) {
	case sizeof(uint16_t):
		memcpy(m, &v16, sizeof(v16));
		break;
	case sizeof(uint32_t):
		memcpy(m, &v32, sizeof(v32));
		break;
	default:
		assert(fl->size == sizeof(uint64_t));
		memcpy(m, &v, sizeof(v));
		break;
	}
}

/* The one set of rules for a field's value, for encoding and decoding. */
static int
check_field(const struct command *c, const struct field *fl, const struct value *v,
    struct status *st)
{
	struct status why;

	switch (fl->kind) {
	case K_AGENCY:
		if (ids_agency_valid(v->p, v->len, &why) == -1)
			return status_set(st, why.code, "%s body field 'agency': %s", c->name,
			    why.text);
		return 0;
	case K_UINT:
		if (v->u < fl->lo || v->u > fl->hi)
			return status_set(st, STATUS_BAD_FIELD,
			    "%s body field '%s' is %llu, outside %llu..%llu", c->name, fl->name,
			    (unsigned long long)v->u, (unsigned long long)fl->lo,
			    (unsigned long long)fl->hi);
		return 0;
	case K_MSGID:
		if (v->len != IDS_MSGID_BYTES)
			return status_set(st, STATUS_BAD_FIELD,
			    "%s body field '%s' is %zu bytes; a message id is %d", c->name,
			    fl->name, v->len, IDS_MSGID_BYTES);
		if (!ids_msgid_valid(v->p))
			return status_set(st, STATUS_BAD_FIELD,
			    "%s body field '%s' is not a UUIDv7 (version 7, variant 0b10)",
			    c->name, fl->name);
		return 0;
	case K_TEXT:
		if (v->len > FRAME_TEXT_MAX)
			return status_set(st, STATUS_TOO_LARGE,
			    "%s body field '%s' is %zu bytes, over the %d-byte cap; shorten it",
			    c->name, fl->name, v->len, FRAME_TEXT_MAX);
		return 0;
	case K_CHECKPOINT:
		/* Only the length here: checkpoint_parse reads it strictly. */
		if (v->len > CHECKPOINT_TEXT_MAX)
			return status_set(st, STATUS_TOO_LARGE,
			    "%s body field '%s' is %zu bytes; a checkpoint text has at most %zu",
			    c->name, fl->name, v->len, (size_t)CHECKPOINT_TEXT_MAX);
		return 0;
	}
	assert(!"unknown field kind");
	return -1;
}

/* A read failed: 500 naming the field (or the body, if fl is NULL). */
static int
malformed(const struct command *c, const struct field *fl, enum pack_error e,
    struct status *st)
{
	if (fl == NULL)
		return status_set(st, STATUS_MALFORMED, "%s body is malformed (%s)", c->name,
		    pack_error_name(e));
	return status_set(st, STATUS_MALFORMED, "%s body field '%s' is malformed (%s)", c->name,
	    fl->name, pack_error_name(e));
}

/* Writes a str and reads it back with the decoder's reader, so text that is
 * not UTF-8 (or holds a NUL) fails here exactly as it would at the peer. */
static int
put_str(struct pack_writer *w, const struct command *c, const struct field *fl,
    const struct value *v, struct status *st)
{
	struct pack_reader r;
	size_t start = w->len;
	const char *s;
	uint32_t n;

	pack_write_str(w, v->p, v->len);
	if (w->overflow)
		return 0;	/* reported once by frame_body_encode */
	pack_reader_init(&r, w->buf + start, w->len - start);
	if (pack_read_str(&r, &s, &n) == -1)
		return malformed(c, fl, r.error, st);
	return 0;
}

static int
put_field(struct pack_writer *w, const struct command *c, const struct field *fl,
    const struct frame *f, struct status *st)
{
	const char *m = (const char *)f + fl->off;
	struct value v = {m, 0, 0};

	switch (fl->kind) {
	case K_AGENCY:
		v.len = strnlen(m, MEMBER_SIZE(agency));
		break;
	case K_TEXT:
		v.len = strnlen(m, MEMBER_SIZE(text));
		break;
	case K_CHECKPOINT:
		v.len = strnlen(m, MEMBER_SIZE(checkpoint));
		break;
	case K_MSGID:
		v.len = IDS_MSGID_BYTES;
		break;
	case K_UINT:
		v.u = get_uint(f, fl);
		break;
	}
	if (check_field(c, fl, &v, st) == -1)
		return -1;
	switch (fl->kind) {
	case K_AGENCY:
	case K_TEXT:
	case K_CHECKPOINT:
		return put_str(w, c, fl, &v, st);
	case K_MSGID:
		pack_write_bin(w, v.p, v.len);
		return 0;
	case K_UINT:
		pack_write_uint(w, v.u);
		return 0;
	}
	return 0;
}

int
frame_body_encode(const struct frame *f, uint8_t *out, size_t cap, size_t *len,
    struct status *st)
{
	const struct command *c = find(f->command);
	struct pack_writer w;
	size_t i;

	if (c == NULL)
		return status_set(st, STATUS_UNKNOWN_COMMAND, "command 0x%02x is not known",
		    f->command);
	pack_writer_init(&w, out, cap);
	pack_write_array(&w, (uint32_t)c->count);
	for (i = 0; i < c->count; i++)
		if (put_field(&w, c, c->fields[i], f, st) == -1)
			return -1;
	if (pack_writer_finish(&w, len) == -1)
		return status_set(st, STATUS_TOO_LARGE, "%s body does not fit in %zu bytes",
		    c->name, cap);
	return 0;
}

static int
get_field(struct pack_reader *r, const struct command *c, const struct field *fl,
    struct frame *f, struct status *st)
{
	char *m = (char *)f + fl->off;
	struct value v = {NULL, 0, 0};
	const char *s;
	const uint8_t *b;
	uint32_t n = 0;
	int rc = -1;

	switch (fl->kind) {
	case K_AGENCY:
	case K_TEXT:
	case K_CHECKPOINT:
		rc = pack_read_str(r, &s, &n);
		v.p = s;
		break;
	case K_MSGID:
		rc = pack_read_bin(r, &b, &n);
		v.p = b;
		break;
	case K_UINT:
		rc = pack_read_uint(r, &v.u);
		break;
	}
	if (rc == -1)
		return malformed(c, fl, r->error, st);
	v.len = n;
	if (check_field(c, fl, &v, st) == -1)
		return -1;
	/* check_field bounds every length by its member (agency ids by
	 * IDS_AGENCY_MAX, texts by FRAME_TEXT_MAX, checkpoint texts by
	 * CHECKPOINT_TEXT_MAX, ids exactly), and the
	 * frame was zeroed, so each copy stays NUL-terminated. */
	if (fl->kind == K_UINT)
		set_uint(f, fl, v.u);
	else
		memcpy(m, v.p, v.len);
	return 0;
}

int
frame_body_decode(uint8_t command, const uint8_t *buf, size_t len, struct frame *f,
    struct status *st)
{
	const struct command *c = find(command);
	struct pack_reader r;
	uint32_t count;
	size_t i;

	memset(f, 0, sizeof(*f));
	if (c == NULL)
		return status_set(st, STATUS_UNKNOWN_COMMAND, "command 0x%02x is not known",
		    command);
	f->command = command;
	if (len > FRAME_MAX_BODY)
		return status_set(st, STATUS_TOO_LARGE, "%s body is %zu bytes, over the %d-byte cap",
		    c->name, len, FRAME_MAX_BODY);
	pack_reader_init(&r, buf, len);
	if (pack_read_array(&r, &count) == -1)
		return malformed(c, NULL, r.error, st);
	if (count != c->count)
		return status_set(st, STATUS_MALFORMED, "%s body has %u fields, expected %zu",
		    c->name, count, c->count);
	for (i = 0; i < c->count; i++)
		if (get_field(&r, c, c->fields[i], f, st) == -1)
			return -1;
	if (pack_remaining(&r) != 0)
		return status_set(st, STATUS_MALFORMED,
		    "%s body has %zu bytes after its last field", c->name, pack_remaining(&r));
	return 0;
}
