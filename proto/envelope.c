/* SPDX-License-Identifier: ISC */
/*
 * envelope: encoding, decoding and checking the routed unit (envelope.h).
 *
 * DESIGN: decoding is strict and sequential.  The size cap comes before any
 * parsing, the outer [header, sealed, signature] structure before the
 * header, and each header field is checked as soon as it is read, so the
 * first thing wrong is the thing reported, and a field that is wrong (a bad
 * agency id) is never copied.  The version is read before the field count
 * is judged, so a future version with another layout is told "version 2 is
 * not supported" (502) rather than "malformed" (500).  Encoding runs the
 * same checks first, so no dutynet program can emit a header another would
 * reject.  Status texts name the field and the value; a value that is not
 * ours (an agency id) is quoted by ids.c so it cannot forge a log line.
 */
#include <assert.h>
#include <inttypes.h>
#include <string.h>

#include "proto/envelope.h"
#include "proto/pack.h"

/* Header fields in wire order, and the names the errors give them. */
enum field {
	F_VERSION,
	F_TYPE,
	F_MESSAGE_ID,
	F_CASE_ID,
	F_IN_REPLY_TO,
	F_FROM,
	F_TO,
	F_CREATED_MS,
	F_URGENCY,
	F_SENDER_SIGN_KEY,
	F_SENDER_BOX_KEY,
	F_RECIPIENT_BOX_KEY,
	F_DIRECTORY_VERSION,
	F_COUNT
};

static const char *const field_names[F_COUNT] = {
	[F_VERSION] = "version",
	[F_TYPE] = "type",
	[F_MESSAGE_ID] = "message_id",
	[F_CASE_ID] = "case_id",
	[F_IN_REPLY_TO] = "in_reply_to",
	[F_FROM] = "from",
	[F_TO] = "to",
	[F_CREATED_MS] = "created_ms",
	[F_URGENCY] = "urgency",
	[F_SENDER_SIGN_KEY] = "sender_sign_key",
	[F_SENDER_BOX_KEY] = "sender_box_key",
	[F_RECIPIENT_BOX_KEY] = "recipient_box_key",
	[F_DIRECTORY_VERSION] = "directory_version",
};

/* The outer array: [header, sealed, signature]. */
#define ENVELOPE_PARTS 3

static const struct {
	const char *name;
	bool needs_reply_to;	/* answers an earlier message */
} types[ENVELOPE_TYPE_MAX + 1] = {
	[ENVELOPE_REFERRAL] = {"referral", false},
	[ENVELOPE_CONCERN] = {"concern", false},
	[ENVELOPE_RECEIPT] = {"receipt", true},
	[ENVELOPE_ACK] = {"ack", true},
	[ENVELOPE_DECISION] = {"decision", true},
	[ENVELOPE_FEEDBACK] = {"feedback", true},
	[ENVELOPE_ESCALATION] = {"escalation", true},
	[ENVELOPE_REJECT] = {"reject", true},
};

#define URGENCY_MIN URGENCY_IMMEDIATE
#define URGENCY_MAX URGENCY_ROUTINE
static const char *const urgencies[URGENCY_MAX + 1] = {
	[URGENCY_IMMEDIATE] = "immediate",
	[URGENCY_URGENT] = "urgent",
	[URGENCY_STANDARD] = "standard",
	[URGENCY_ROUTINE] = "routine",
};

const char *
envelope_type_name(int type)
{
	if (type < ENVELOPE_TYPE_MIN || type > ENVELOPE_TYPE_MAX)
		return NULL;
	return types[type].name;
}

const char *
envelope_urgency_name(int urgency)
{
	if (urgency < URGENCY_MIN || urgency > URGENCY_MAX)
		return NULL;
	return urgencies[urgency];
}

int
envelope_type_parse(const char *name)
{
	int t;

	if (name == NULL)
		return -1;
	for (t = ENVELOPE_TYPE_MIN; t <= ENVELOPE_TYPE_MAX; t++)
		if (strcmp(name, types[t].name) == 0)
			return t;
	return -1;
}

int
envelope_urgency_parse(const char *name)
{
	int u;

	if (name == NULL)
		return -1;
	for (u = URGENCY_MIN; u <= URGENCY_MAX; u++)
		if (strcmp(name, urgencies[u]) == 0)
			return u;
	return -1;
}

/*
 * Checks shared by envelope_header_check (our own headers, before
 * encoding) and envelope_header_decode (untrusted bytes, as each field is
 * read).
 */

static int
check_version(uint64_t v, struct status *st)
{
	if (v != ENVELOPE_VERSION)
		return status_set(st, STATUS_BAD_VERSION,
		    "envelope version %" PRIu64 " is not supported (this build speaks %d)", v,
		    ENVELOPE_VERSION);
	return 0;
}

static int
check_type(uint64_t t, struct status *st)
{
	if (t < ENVELOPE_TYPE_MIN || t > ENVELOPE_TYPE_MAX)
		return status_set(st, STATUS_BAD_TYPE,
		    "envelope type %" PRIu64 " is not known (this build knows %d %s to %d %s)", t,
		    ENVELOPE_TYPE_MIN, types[ENVELOPE_TYPE_MIN].name, ENVELOPE_TYPE_MAX,
		    types[ENVELOPE_TYPE_MAX].name);
	return 0;
}

static int
check_msgid(enum field f, const uint8_t id[IDS_MSGID_BYTES], struct status *st)
{
	char text[IDS_MSGID_TEXT + 1];

	if (ids_msgid_valid(id))
		return 0;
	ids_msgid_format(id, text);
	return status_set(st, STATUS_BAD_FIELD,
	    "field '%s': %s is not a UUIDv7 message id (version 7, variant 10)", field_names[f],
	    text);
}

/* Re-states an ids.c error with the field it came from. */
static int
name_field(enum field f, const struct status *why, struct status *st)
{
	return status_set(st, STATUS_BAD_FIELD, "field '%s': %s", field_names[f], why->text);
}

static int
check_agency(enum field f, const char *s, size_t len, struct status *st)
{
	struct status why;

	if (ids_agency_valid(s, len, &why) == -1)
		return name_field(f, &why, st);
	return 0;
}

static int
check_case(const char *s, size_t len, struct status *st)
{
	struct status why;

	if (ids_case_valid(s, len, &why) == -1)
		return name_field(F_CASE_ID, &why, st);
	return 0;
}

static int
check_reply_to(uint8_t type, bool has_reply_to, const uint8_t id[IDS_MSGID_BYTES],
    struct status *st)
{
	if (has_reply_to)
		return check_msgid(F_IN_REPLY_TO, id, st);
	if (types[type].needs_reply_to)
		return status_set(st, STATUS_BAD_FIELD,
		    "field '%s': a %s answers an earlier message, so it needs the id of that "
		    "message, not nil",
		    field_names[F_IN_REPLY_TO], types[type].name);
	return 0;
}

/* from and to are already valid agency ids here. */
static int
check_not_self(const char *from, size_t from_len, const char *to, size_t to_len,
    struct status *st)
{
	if (from_len == to_len && memcmp(from, to, to_len) == 0)
		return status_set(st, STATUS_BAD_FIELD,
		    "field '%s': agency '%.*s' is also the sender; an agency cannot send to itself",
		    field_names[F_TO], (int)to_len, to);
	return 0;
}

static int
check_urgency(uint64_t u, struct status *st)
{
	if (u < URGENCY_MIN || u > URGENCY_MAX)
		return status_set(st, STATUS_BAD_FIELD,
		    "field '%s': %" PRIu64 " is not an urgency (use %d %s, %d %s, %d %s or %d %s)",
		    field_names[F_URGENCY], u, URGENCY_IMMEDIATE, urgencies[URGENCY_IMMEDIATE],
		    URGENCY_URGENT, urgencies[URGENCY_URGENT], URGENCY_STANDARD,
		    urgencies[URGENCY_STANDARD], URGENCY_ROUTINE, urgencies[URGENCY_ROUTINE]);
	return 0;
}

int
envelope_header_check(const struct envelope_header *h, struct status *st)
{
	/* strnlen: an unterminated array shows as one byte too long. */
	size_t case_len = strnlen(h->case_id, sizeof(h->case_id));
	size_t from_len = strnlen(h->from, sizeof(h->from));
	size_t to_len = strnlen(h->to, sizeof(h->to));

	if (check_version(h->version, st) == -1 || check_type(h->type, st) == -1 ||
	    check_msgid(F_MESSAGE_ID, h->id, st) == -1 ||
	    check_case(h->case_id, case_len, st) == -1 ||
	    check_reply_to(h->type, h->has_reply_to, h->reply_to, st) == -1 ||
	    check_agency(F_FROM, h->from, from_len, st) == -1 ||
	    check_agency(F_TO, h->to, to_len, st) == -1 ||
	    check_not_self(h->from, from_len, h->to, to_len, st) == -1 ||
	    check_urgency(h->urgency, st) == -1)
		return -1;
	return 0;
}

int
envelope_header_encode(const struct envelope_header *h, uint8_t *out, size_t cap, size_t *len,
    struct status *st)
{
	struct pack_writer w;

	if (envelope_header_check(h, st) == -1)
		return -1;
	pack_writer_init(&w, out, cap);
	pack_write_array(&w, ENVELOPE_HEADER_FIELDS);
	pack_write_uint(&w, h->version);
	pack_write_uint(&w, h->type);
	pack_write_bin(&w, h->id, sizeof(h->id));
	pack_write_str(&w, h->case_id, strlen(h->case_id));
	if (h->has_reply_to)
		pack_write_bin(&w, h->reply_to, sizeof(h->reply_to));
	else
		pack_write_nil(&w);
	pack_write_str(&w, h->from, strlen(h->from));
	pack_write_str(&w, h->to, strlen(h->to));
	pack_write_uint(&w, h->created_ms);
	pack_write_uint(&w, h->urgency);
	pack_write_bin(&w, h->sender_sign_key, sizeof(h->sender_sign_key));
	pack_write_bin(&w, h->sender_box_key, sizeof(h->sender_box_key));
	pack_write_bin(&w, h->recipient_box_key, sizeof(h->recipient_box_key));
	pack_write_uint(&w, h->directory_version);
	if (pack_writer_finish(&w, len) == -1)
		return status_set(st, STATUS_TOO_LARGE,
		    "envelope header does not fit in an output buffer of %zu bytes", cap);
	/* The largest valid header is far below the cap; more is a bug. */
	assert(*len <= ENVELOPE_MAX_HEADER);
	return 0;
}

/* A read of field f failed: 500 naming the field and the pack error. */
static int
bad_read(enum field f, const struct pack_reader *r, struct status *st)
{
	return status_set(st, STATUS_MALFORMED, "envelope header field '%s': %s", field_names[f],
	    pack_error_name(r->error));
}

static int
read_uint(struct pack_reader *r, enum field f, uint64_t *v, struct status *st)
{
	if (pack_read_uint(r, v) == -1)
		return bad_read(f, r, st);
	return 0;
}

/* Reads a str field and checks it is a valid id of its kind. */
static int
read_id_str(struct pack_reader *r, enum field f, const char **s, uint32_t *len,
    struct status *st)
{
	if (pack_read_str(r, s, len) == -1)
		return bad_read(f, r, st);
	if (f == F_CASE_ID)
		return check_case(*s, *len, st);
	return check_agency(f, *s, *len, st);
}

/* Reads a bin field of exactly 16 bytes (message ids and key ids). */
static int
read_bin16(struct pack_reader *r, enum field f, uint8_t out[IDS_MSGID_BYTES], struct status *st)
{
	const uint8_t *b;
	uint32_t len;

	if (pack_read_bin(r, &b, &len) == -1)
		return bad_read(f, r, st);
	if (len != IDS_MSGID_BYTES)
		return status_set(st, STATUS_BAD_FIELD, "field '%s': %" PRIu32 " bytes, must be %d",
		    field_names[f], len, IDS_MSGID_BYTES);
	memcpy(out, b, IDS_MSGID_BYTES);
	return 0;
}

static void
copy_str(char *dst, const char *s, uint32_t len)
{
	memcpy(dst, s, len);
	dst[len] = '\0';
}

_Static_assert(ENVELOPE_KEYID_BYTES == IDS_MSGID_BYTES, "read_bin16 reads both");

int
envelope_header_decode(const uint8_t *buf, size_t len, struct envelope_header *h,
    struct status *st)
{
	struct pack_reader r;
	uint32_t count, case_len, from_len, to_len;
	const char *case_id, *from, *to;
	uint64_t v;
	int nil;

	memset(h, 0, sizeof(*h));
	pack_reader_init(&r, buf, len);
	if (pack_read_array(&r, &count) == -1)
		return status_set(st, STATUS_MALFORMED,
		    "envelope header: %s (expected an array of %d fields)",
		    pack_error_name(r.error), ENVELOPE_HEADER_FIELDS);
	if (count == 0)
		return status_set(st, STATUS_MALFORMED,
		    "envelope header is an empty array (expected %d fields)",
		    ENVELOPE_HEADER_FIELDS);
	if (read_uint(&r, F_VERSION, &v, st) == -1 || check_version(v, st) == -1)
		return -1;
	h->version = (uint8_t)v;
	if (count != ENVELOPE_HEADER_FIELDS)
		return status_set(st, STATUS_MALFORMED,
		    "envelope header has %" PRIu32 " fields (version %d has %d)", count,
		    ENVELOPE_VERSION, ENVELOPE_HEADER_FIELDS);

	if (read_uint(&r, F_TYPE, &v, st) == -1 || check_type(v, st) == -1)
		return -1;
	h->type = (uint8_t)v;
	if (read_bin16(&r, F_MESSAGE_ID, h->id, st) == -1 ||
	    check_msgid(F_MESSAGE_ID, h->id, st) == -1)
		return -1;
	if (read_id_str(&r, F_CASE_ID, &case_id, &case_len, st) == -1)
		return -1;
	copy_str(h->case_id, case_id, case_len);

	if ((nil = pack_read_nil(&r)) == -1)
		return bad_read(F_IN_REPLY_TO, &r, st);
	if (nil == 0) {
		if (read_bin16(&r, F_IN_REPLY_TO, h->reply_to, st) == -1)
			return -1;
		h->has_reply_to = true;
	}
	if (check_reply_to(h->type, h->has_reply_to, h->reply_to, st) == -1)
		return -1;

	if (read_id_str(&r, F_FROM, &from, &from_len, st) == -1)
		return -1;
	copy_str(h->from, from, from_len);
	if (read_id_str(&r, F_TO, &to, &to_len, st) == -1 ||
	    check_not_self(from, from_len, to, to_len, st) == -1)
		return -1;
	copy_str(h->to, to, to_len);

	if (read_uint(&r, F_CREATED_MS, &h->created_ms, st) == -1)
		return -1;
	if (read_uint(&r, F_URGENCY, &v, st) == -1 || check_urgency(v, st) == -1)
		return -1;
	h->urgency = (uint8_t)v;
	if (read_bin16(&r, F_SENDER_SIGN_KEY, h->sender_sign_key, st) == -1 ||
	    read_bin16(&r, F_SENDER_BOX_KEY, h->sender_box_key, st) == -1 ||
	    read_bin16(&r, F_RECIPIENT_BOX_KEY, h->recipient_box_key, st) == -1)
		return -1;
	if (read_uint(&r, F_DIRECTORY_VERSION, &v, st) == -1)
		return -1;
	if (v > UINT32_MAX)
		return status_set(st, STATUS_BAD_FIELD,
		    "field '%s': %" PRIu64 " is larger than the largest directory version %" PRIu32,
		    field_names[F_DIRECTORY_VERSION], v, UINT32_MAX);
	h->directory_version = (uint32_t)v;

	if (pack_remaining(&r) != 0)
		return status_set(st, STATUS_MALFORMED,
		    "envelope header has %zu bytes after its %d fields", pack_remaining(&r),
		    ENVELOPE_HEADER_FIELDS);
	return 0;
}

/* The size rules shared by envelope_assemble and envelope_decode. */
static int
check_header_size(size_t header_len, struct status *st)
{
	if (header_len > ENVELOPE_MAX_HEADER)
		return status_set(st, STATUS_TOO_LARGE,
		    "envelope header is %zu bytes (the limit is %d)", header_len,
		    ENVELOPE_MAX_HEADER);
	return 0;
}

static int
check_sealed_size(size_t sealed_len, struct status *st)
{
	if (sealed_len < ENVELOPE_SEAL_OVERHEAD)
		return status_set(st, STATUS_MALFORMED,
		    "envelope sealed payload is %zu bytes, shorter than its %d-byte nonce and tag",
		    sealed_len, ENVELOPE_SEAL_OVERHEAD);
	if (sealed_len > ENVELOPE_MAX_PAYLOAD + ENVELOPE_SEAL_OVERHEAD)
		return status_set(st, STATUS_TOO_LARGE,
		    "envelope sealed payload is %zu bytes (the limit is %d)", sealed_len,
		    ENVELOPE_MAX_PAYLOAD + ENVELOPE_SEAL_OVERHEAD);
	return 0;
}

int
envelope_assemble(const uint8_t *header, size_t header_len, const uint8_t *sealed,
    size_t sealed_len, const uint8_t sig[ENVELOPE_SIG_BYTES], uint8_t *out, size_t cap,
    size_t *len, struct status *st)
{
	struct pack_writer w;

	if (check_header_size(header_len, st) == -1 || check_sealed_size(sealed_len, st) == -1)
		return -1;
	pack_writer_init(&w, out, cap);
	pack_write_array(&w, ENVELOPE_PARTS);
	pack_write_bin(&w, header, header_len);
	pack_write_bin(&w, sealed, sealed_len);
	pack_write_bin(&w, sig, ENVELOPE_SIG_BYTES);
	if (pack_writer_finish(&w, len) == -1)
		return status_set(st, STATUS_TOO_LARGE,
		    "envelope does not fit in an output buffer of %zu bytes", cap);
	assert(*len <= ENVELOPE_MAX_BYTES);
	return 0;
}

/* A read of the outer array's part failed. */
static int
bad_part(const char *part, const struct pack_reader *r, struct status *st)
{
	return status_set(st, STATUS_MALFORMED, "envelope %s: %s", part,
	    pack_error_name(r->error));
}

int
envelope_decode(const uint8_t *buf, size_t len, struct envelope *env, struct status *st)
{
	struct pack_reader r;
	const uint8_t *header, *sealed, *sig;
	uint32_t count, header_len, sealed_len, sig_len;

	memset(env, 0, sizeof(*env));
	if (len > ENVELOPE_MAX_BYTES)
		return status_set(st, STATUS_TOO_LARGE, "envelope is %zu bytes (the limit is %d)",
		    len, ENVELOPE_MAX_BYTES);
	pack_reader_init(&r, buf, len);
	if (pack_read_array(&r, &count) == -1)
		return status_set(st, STATUS_MALFORMED,
		    "envelope: %s (expected an array [header, sealed, signature])",
		    pack_error_name(r.error));
	if (count != ENVELOPE_PARTS)
		return status_set(st, STATUS_MALFORMED,
		    "envelope has %" PRIu32 " parts (expected %d: header, sealed, signature)",
		    count, ENVELOPE_PARTS);
	if (pack_read_bin(&r, &header, &header_len) == -1)
		return bad_part("header", &r, st);
	if (check_header_size(header_len, st) == -1)
		return -1;
	if (pack_read_bin(&r, &sealed, &sealed_len) == -1)
		return bad_part("sealed payload", &r, st);
	if (check_sealed_size(sealed_len, st) == -1)
		return -1;
	if (pack_read_bin(&r, &sig, &sig_len) == -1)
		return bad_part("signature", &r, st);
	if (sig_len != ENVELOPE_SIG_BYTES)
		return status_set(st, STATUS_MALFORMED,
		    "envelope signature is %" PRIu32 " bytes (must be %d)", sig_len,
		    ENVELOPE_SIG_BYTES);
	if (pack_remaining(&r) != 0)
		return status_set(st, STATUS_MALFORMED,
		    "envelope has %zu bytes after its signature", pack_remaining(&r));
	if (envelope_header_decode(header, header_len, &env->h, st) == -1)
		return -1;
	env->header = header;
	env->header_len = header_len;
	env->sealed = sealed;
	env->sealed_len = sealed_len;
	env->sig = sig;
	return 0;
}
