/* SPDX-License-Identifier: ISC */
/*
 * payload_schema: encoding and decoding a struct by its field table (see
 * payload_schema.h).
 *
 * DESIGN: each field goes through a value (struct value) on its way between
 * the wire and the struct.  Encoding is load -> check -> put; decoding is
 * get -> check -> store; check() is the one place that knows what a value
 * may be.  Nothing is stored before it has been checked, so a uint8_t
 * member never sees 300 and the fixed attachment array never sees a ninth
 * entry.  Decoding allocates nothing: texts and bytes are views into the
 * reader's buffer, and pack's reader has bounded every length by the bytes
 * left.  Status texts name the field, never its value: payloads are about
 * children, and statuses end up in logs.
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "proto/ids.h"
#include "proto/payload.h"
#include "proto/payload_schema.h"

/* One field's value between the wire and a struct. */
struct value {
	struct payload_text t;		/* TEXT */
	const uint8_t *b;		/* MSGID, DIGEST, BYTES */
	uint32_t len;
	uint64_t u;			/* UINT */
	bool flag;			/* BOOL */
};

/*
 * Every function below that takes `at` is handed the place of the fields it
 * handles, for status texts: "" at the top, "attachments[2]." in a list.
 */

static int
malformed(const char *at, const char *name, const struct pack_reader *r, struct status *st)
{
	return status_set(st, STATUS_MALFORMED, "payload field '%s%s' is malformed (%s)", at, name,
	    pack_error_name(r->error));
}

/* The one set of rules for a single value, for encoding and decoding. */
static int
check(const struct payload_schema_field *fl, const char *at, const struct value *v,
    struct status *st)
{
	switch (fl->kind) {
	case PAYLOAD_SCHEMA_TEXT:
		assert(v->t.s != NULL || v->t.len == 0);
		if (v->t.s == NULL && fl->optional)
			return 0;
		if (v->t.len > fl->hi)
			return status_set(st, STATUS_TOO_LARGE,
			    "payload field '%s%s' is %u bytes, over the %llu-byte cap; shorten it",
			    at, fl->name, v->t.len, (unsigned long long)fl->hi);
		if (v->t.len < fl->lo)
			return status_set(st, STATUS_BAD_FIELD,
			    "payload field '%s%s' is empty; fill it in", at, fl->name);
		if (fl->format != NULL && !fl->format(v->t.s, v->t.len))
			return status_set(st, STATUS_BAD_FIELD, "payload field '%s%s' is not %s",
			    at, fl->name, fl->rule);
		return 0;
	case PAYLOAD_SCHEMA_UINT:
		if (v->u < fl->lo || v->u > fl->hi)
			return status_set(st, STATUS_BAD_FIELD,
			    "payload field '%s%s' is %llu, outside %llu..%llu", at, fl->name,
			    (unsigned long long)v->u, (unsigned long long)fl->lo,
			    (unsigned long long)fl->hi);
		return 0;
	case PAYLOAD_SCHEMA_MSGID:
		if (v->len != IDS_MSGID_BYTES)
			return status_set(st, STATUS_BAD_FIELD,
			    "payload field '%s%s' is %u bytes; a message id is %d", at, fl->name,
			    v->len, IDS_MSGID_BYTES);
		if (!ids_msgid_valid(v->b))
			return status_set(st, STATUS_BAD_FIELD,
			    "payload field '%s%s' is not a UUIDv7 message id (version 7, "
			    "variant 0b10)", at, fl->name);
		return 0;
	case PAYLOAD_SCHEMA_DIGEST:
		if (v->len != fl->size)
			return status_set(st, STATUS_BAD_FIELD,
			    "payload field '%s%s' is %u bytes, must be %zu", at, fl->name, v->len,
			    fl->size);
		return 0;
	case PAYLOAD_SCHEMA_LIST:
		if (v->u > fl->hi)
			return status_set(st, STATUS_TOO_LARGE,
			    "payload field '%s%s' has %llu entries, over the cap of %llu", at,
			    fl->name, (unsigned long long)v->u, (unsigned long long)fl->hi);
		return 0;
	case PAYLOAD_SCHEMA_BOOL:
	case PAYLOAD_SCHEMA_BYTES:	/* bounded by the payload's rules */
	case PAYLOAD_SCHEMA_GROUP:
		return 0;
	}
	assert(!"unknown field kind");
	return -1;
}

static uint32_t
get_u32(const uint8_t *m)
{
	uint32_t v;

	memcpy(&v, m, sizeof(v));
	return v;
}

static uint64_t
get_uint(const uint8_t *m, size_t size)
{
	uint16_t v16;
	uint64_t v64;

	switch (size) {
	case sizeof(uint8_t):
		return *m;
	case sizeof(uint16_t):
		memcpy(&v16, m, sizeof(v16));
		return v16;
	case sizeof(uint32_t):
		return get_u32(m);
	default:
		assert(size == sizeof(uint64_t));
		memcpy(&v64, m, sizeof(v64));
		return v64;
	}
}

/* Stores v, which check() has found within the member's range. */
static void
set_uint(uint8_t *m, size_t size, uint64_t v)
{
	uint16_t v16 = (uint16_t)v;
	uint32_t v32 = (uint32_t)v;

	switch (size) {
	case sizeof(uint8_t):
		*m = (uint8_t)v;
		break;
	case sizeof(uint16_t):
		memcpy(m, &v16, sizeof(v16));
		break;
	case sizeof(uint32_t):
		memcpy(m, &v32, sizeof(v32));
		break;
	default:
		assert(size == sizeof(uint64_t));
		memcpy(m, &v, sizeof(v));
		break;
	}
}

/* Struct member -> value (encoding). */
static void
load(const struct payload_schema_field *fl, const uint8_t *base, struct value *v)
{
	const uint8_t *m = base + fl->off;

	memset(v, 0, sizeof(*v));
	switch (fl->kind) {
	case PAYLOAD_SCHEMA_TEXT:
		memcpy(&v->t, m, sizeof(v->t));
		break;
	case PAYLOAD_SCHEMA_UINT:
		v->u = get_uint(m, fl->size);
		break;
	case PAYLOAD_SCHEMA_BOOL:
		memcpy(&v->flag, m, sizeof(v->flag));
		break;
	case PAYLOAD_SCHEMA_MSGID:
		v->b = m;
		v->len = IDS_MSGID_BYTES;
		break;
	case PAYLOAD_SCHEMA_DIGEST:
		v->b = m;
		v->len = (uint32_t)fl->size;
		break;
	case PAYLOAD_SCHEMA_BYTES:
		memcpy(&v->b, m, sizeof(v->b));
		v->len = get_u32(base + fl->count_off);
		assert(v->b != NULL || v->len == 0);
		break;
	case PAYLOAD_SCHEMA_LIST:
		v->u = get_u32(base + fl->count_off);
		break;
	case PAYLOAD_SCHEMA_GROUP:
		break;
	}
}

/* Value -> struct member (decoding), after check(). */
static void
store(const struct payload_schema_field *fl, uint8_t *base, const struct value *v)
{
	uint8_t *m = base + fl->off;

	switch (fl->kind) {
	case PAYLOAD_SCHEMA_TEXT:
		memcpy(m, &v->t, sizeof(v->t));
		break;
	case PAYLOAD_SCHEMA_UINT:
		set_uint(m, fl->size, v->u);
		break;
	case PAYLOAD_SCHEMA_BOOL:
		memcpy(m, &v->flag, sizeof(v->flag));
		break;
	case PAYLOAD_SCHEMA_MSGID:
	case PAYLOAD_SCHEMA_DIGEST:
		memcpy(m, v->b, v->len);
		break;
	case PAYLOAD_SCHEMA_BYTES:
		memcpy(m, &v->b, sizeof(v->b));
		set_uint(base + fl->count_off, sizeof(uint32_t), v->len);
		break;
	case PAYLOAD_SCHEMA_LIST:
		set_uint(base + fl->count_off, sizeof(uint32_t), v->u);
		break;
	case PAYLOAD_SCHEMA_GROUP:
		break;
	}
}

/* Writes a str and reads it back with the decoder's reader, so text that is
 * not UTF-8 (or holds a NUL) fails here exactly as it would at the peer. */
static int
put_text(struct pack_writer *w, const struct payload_schema_field *fl, const char *at,
    const struct payload_text *t, struct status *st)
{
	struct pack_reader r;
	size_t start = w->len;
	const char *s;
	uint32_t n;

	if (t->s == NULL && fl->optional) {
		pack_write_nil(w);
		return 0;
	}
	pack_write_str(w, t->s == NULL ? "" : t->s, t->len);
	if (w->overflow)
		return 0;	/* pack_writer_finish reports it */
	pack_reader_init(&r, w->buf + start, w->len - start);
	if (pack_read_str(&r, &s, &n) == -1)
		return malformed(at, fl->name, &r, st);
	return 0;
}

static int
put(struct pack_writer *w, const struct payload_schema_field *fl, const char *at,
    const struct value *v, struct status *st)
{
	switch (fl->kind) {
	case PAYLOAD_SCHEMA_TEXT:
		return put_text(w, fl, at, &v->t, st);
	case PAYLOAD_SCHEMA_UINT:
		pack_write_uint(w, v->u);
		break;
	case PAYLOAD_SCHEMA_BOOL:
		pack_write_bool(w, v->flag);
		break;
	case PAYLOAD_SCHEMA_MSGID:
	case PAYLOAD_SCHEMA_DIGEST:
	case PAYLOAD_SCHEMA_BYTES:
		pack_write_bin(w, v->b, v->len);
		break;
	case PAYLOAD_SCHEMA_GROUP:
		pack_write_array(w, (uint32_t)fl->size);
		break;
	case PAYLOAD_SCHEMA_LIST:
		pack_write_array(w, (uint32_t)v->u);
		break;
	}
	return 0;
}

static int
get(struct pack_reader *r, const struct payload_schema_field *fl, const char *at,
    struct value *v, struct status *st)
{
	uint32_t n = 0;
	int rc = -1, nil;

	memset(v, 0, sizeof(*v));
	switch (fl->kind) {
	case PAYLOAD_SCHEMA_TEXT:
		nil = fl->optional ? pack_read_nil(r) : 0;
		if (nil == 1)
			return 0;
		rc = nil == -1 ? -1 : pack_read_str(r, &v->t.s, &v->t.len);
		break;
	case PAYLOAD_SCHEMA_UINT:
		rc = pack_read_uint(r, &v->u);
		break;
	case PAYLOAD_SCHEMA_BOOL:
		rc = pack_read_bool(r, &v->flag);
		break;
	case PAYLOAD_SCHEMA_MSGID:
	case PAYLOAD_SCHEMA_DIGEST:
	case PAYLOAD_SCHEMA_BYTES:
		rc = pack_read_bin(r, &v->b, &v->len);
		break;
	case PAYLOAD_SCHEMA_GROUP:
		rc = pack_read_array(r, &n);
		if (rc == 0 && n != fl->size)
			return status_set(st, STATUS_MALFORMED,
			    "payload field '%s%s' has %u elements, expected %zu", at, fl->name, n,
			    fl->size);
		break;
	case PAYLOAD_SCHEMA_LIST:
		rc = pack_read_array(r, &n);
		v->u = n;
		break;
	}
	if (rc == -1)
		return malformed(at, fl->name, r, st);
	return 0;
}

uint32_t
payload_schema_elements(const struct payload_schema_field *fields, size_t n)
{
	uint32_t count = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		count++;
		if (fields[i].kind == PAYLOAD_SCHEMA_GROUP)
			i += fields[i].size;
	}
	return count;
}

static int encode(struct pack_writer *w, const struct payload_schema_field *fields, size_t n,
    const uint8_t *base, const char *at, struct status *st);
static int decode(struct pack_reader *r, const struct payload_schema_field *fields, size_t n,
    uint8_t *base, const char *at, struct status *st);

/* "attachments[2]." : the place of the fields of entry i of a list. */
static void
entry_place(char out[PAYLOAD_SCHEMA_LABEL_MAX], const char *at,
    const struct payload_schema_field *fl, uint64_t i)
{
	snprintf(out, PAYLOAD_SCHEMA_LABEL_MAX, "%s%s[%llu].", at, fl->name, (unsigned long long)i);
}

/* Each entry of a list is itself an array of the sub-fields: a group
 * named "attachments[2]", for decoding with get(). */
static const struct payload_schema_field *
entry_group(const struct payload_schema_field *fl, struct payload_schema_field *g,
    char name[PAYLOAD_SCHEMA_LABEL_MAX], uint64_t i)
{
	snprintf(name, PAYLOAD_SCHEMA_LABEL_MAX, "%s[%llu]", fl->name, (unsigned long long)i);
	memset(g, 0, sizeof(*g));
	g->name = name;
	g->kind = PAYLOAD_SCHEMA_GROUP;
	g->size = payload_schema_elements(fl->sub, fl->nsub);
	return g;
}

static int
encode_list(struct pack_writer *w, const struct payload_schema_field *fl, const uint8_t *base,
    const char *at, uint64_t count, struct status *st)
{
	char place[PAYLOAD_SCHEMA_LABEL_MAX];
	uint64_t i;

	for (i = 0; i < count; i++) {
		entry_place(place, at, fl, i);
		pack_write_array(w, payload_schema_elements(fl->sub, fl->nsub));
		if (encode(w, fl->sub, fl->nsub, base + fl->off + i * fl->size, place, st) == -1)
			return -1;
	}
	return 0;
}

static int
decode_list(struct pack_reader *r, const struct payload_schema_field *fl, uint8_t *base,
    const char *at, uint64_t count, struct status *st)
{
	char place[PAYLOAD_SCHEMA_LABEL_MAX], name[PAYLOAD_SCHEMA_LABEL_MAX];
	struct payload_schema_field g;
	struct value v;
	uint64_t i;

	for (i = 0; i < count; i++) {
		entry_place(place, at, fl, i);
		if (get(r, entry_group(fl, &g, name, i), at, &v, st) == -1 ||
		    decode(r, fl->sub, fl->nsub, base + fl->off + i * fl->size, place, st) == -1)
			return -1;
	}
	return 0;
}

static int
encode(struct pack_writer *w, const struct payload_schema_field *fields, size_t n,
    const uint8_t *base, const char *at, struct status *st)
{
	struct value v;
	size_t i;

	for (i = 0; i < n; i++) {
		load(&fields[i], base, &v);
		if (check(&fields[i], at, &v, st) == -1 || put(w, &fields[i], at, &v, st) == -1)
			return -1;
		if (fields[i].kind == PAYLOAD_SCHEMA_LIST &&
		    encode_list(w, &fields[i], base, at, v.u, st) == -1)
			return -1;
	}
	return 0;
}

static int
decode(struct pack_reader *r, const struct payload_schema_field *fields, size_t n,
    uint8_t *base, const char *at, struct status *st)
{
	struct value v;
	size_t i;

	for (i = 0; i < n; i++) {
		if (get(r, &fields[i], at, &v, st) == -1 || check(&fields[i], at, &v, st) == -1)
			return -1;
		store(&fields[i], base, &v);
		if (fields[i].kind == PAYLOAD_SCHEMA_LIST &&
		    decode_list(r, &fields[i], base, at, v.u, st) == -1)
			return -1;
	}
	return 0;
}

int
payload_schema_encode(struct pack_writer *w, const struct payload_schema_field *fields,
    size_t n, const void *base, struct status *st)
{
	return encode(w, fields, n, base, "", st);
}

int
payload_schema_decode(struct pack_reader *r, const struct payload_schema_field *fields,
    size_t n, void *base, struct status *st)
{
	return decode(r, fields, n, base, "", st);
}
