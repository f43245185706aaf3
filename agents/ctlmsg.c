/* SPDX-License-Identifier: ISC */
/*
 * ctlmsg: encoding and strict decoding of control-socket requests and
 * responses (format in ctlmsg.h).  The agent decodes bytes from any local
 * process of its user, so decoding is as strict as for the wire: the
 * canonical reader, exact counts, every length checked before a copy.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "agents/ctlmsg.h"
#include "proto/pack.h"

/* msgpack overhead per value is at most 5 bytes (str32/array32 header). */
#define HEADER_MAX 5
#define RESPONSE_FIXED (CTLMSG_LEN_BYTES + 4 * HEADER_MAX + 8)

uint32_t
ctlmsg_frame_len(const uint8_t p[CTLMSG_LEN_BYTES])
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void
put_len(uint8_t *p, size_t n)
{
	p[0] = (uint8_t)(n >> 24);
	p[1] = (uint8_t)(n >> 16);
	p[2] = (uint8_t)(n >> 8);
	p[3] = (uint8_t)n;
}

/* A verb or key: 1..max bytes of [a-z0-9-]. */
static bool
name_valid(const char *s, size_t len, size_t max)
{
	size_t i;

	if (len == 0 || len > max)
		return false;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

int
ctlmsg_request_encode(const char *verb, const struct ctlmsg_arg *args, size_t nargs,
    uint8_t **out, size_t *len, struct status *st)
{
	struct pack_writer w;
	size_t i, cap, body;
	uint8_t *buf;

	*out = NULL;
	*len = 0;
	if (!name_valid(verb, strlen(verb), CTLMSG_VERB_MAX))
		return status_set(st, STATUS_BAD_FIELD, "control verb '%.*s' is not 1-%d of [a-z0-9-]",
		    CTLMSG_VERB_MAX, verb, CTLMSG_VERB_MAX);
	if (nargs > CTLMSG_ARGS_MAX)
		return status_set(st, STATUS_BAD_FIELD, "%zu arguments; at most %d are allowed",
		    nargs, CTLMSG_ARGS_MAX);
	cap = CTLMSG_LEN_BYTES + 3 * HEADER_MAX + strlen(verb);
	for (i = 0; i < nargs; i++) {
		if (!name_valid(args[i].key, strlen(args[i].key), CTLMSG_KEY_MAX))
			return status_set(st, STATUS_BAD_FIELD,
			    "argument name '%.*s' is not 1-%d of [a-z0-9-]", CTLMSG_KEY_MAX,
			    args[i].key, CTLMSG_KEY_MAX);
		if (strlen(args[i].value) > CTLMSG_VALUE_MAX)
			return status_set(st, STATUS_TOO_LARGE,
			    "--%s is %zu bytes long; at most %d are allowed", args[i].key,
			    strlen(args[i].value), CTLMSG_VALUE_MAX);
		cap += 3 * HEADER_MAX + strlen(args[i].key) + strlen(args[i].value);
	}
	if (cap > CTLMSG_REQUEST_MAX + CTLMSG_LEN_BYTES)
		return status_set(st, STATUS_TOO_LARGE,
		    "the request is %zu bytes; at most %d are allowed", cap, CTLMSG_REQUEST_MAX);
	if ((buf = malloc(cap)) == NULL)
		return status_set(st, STATUS_UNAVAILABLE, "out of memory");
	pack_writer_init(&w, buf + CTLMSG_LEN_BYTES, cap - CTLMSG_LEN_BYTES);
	pack_write_array(&w, CTLMSG_REQUEST_FIELDS);
	pack_write_uint(&w, CTLMSG_VERSION);
	pack_write_str(&w, verb, strlen(verb));
	pack_write_array(&w, (uint32_t)nargs);
	for (i = 0; i < nargs; i++) {
		pack_write_array(&w, CTLMSG_PAIR_FIELDS);
		pack_write_str(&w, args[i].key, strlen(args[i].key));
		pack_write_str(&w, args[i].value, strlen(args[i].value));
	}
	if (pack_writer_finish(&w, &body) != 0) {
		free(buf);
		return status_set(st, STATUS_TOO_LARGE, "the request does not fit %zu bytes", cap);
	}
	put_len(buf, body);
	*out = buf;
	*len = body + CTLMSG_LEN_BYTES;
	return 0;
}

static char *
dup_str(const char *s, size_t len)
{
	char *p = malloc(len + 1);

	if (p != NULL) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

static int
malformed(struct pack_reader *r, struct status *st)
{
	return status_set(st, STATUS_MALFORMED, "control message does not parse: %s",
	    pack_error_name(r->error == PACK_OK ? PACK_TRUNCATED : r->error));
}

int
ctlmsg_request_decode(const uint8_t *buf, size_t len, struct ctlmsg_request *req,
    struct status *st)
{
	struct pack_reader r;
	const char *s, *v;
	uint32_t n, m, slen, vlen, i;
	uint64_t version;
	size_t j;

	memset(req, 0, sizeof(*req));
	if (len > CTLMSG_REQUEST_MAX)
		return status_set(st, STATUS_TOO_LARGE, "control request of %zu bytes; at most %d",
		    len, CTLMSG_REQUEST_MAX);
	pack_reader_init(&r, buf, len);
	if (pack_read_array(&r, &n) != 0)
		return malformed(&r, st);
	if (n == 0 || pack_read_uint(&r, &version) != 0)
		return status_set(st, STATUS_MALFORMED, "control request has no version");
	if (version != CTLMSG_VERSION)
		return status_set(st, STATUS_BAD_VERSION,
		    "control request version %llu; this agent speaks %d: use the dutynet command "
		    "of the same release", (unsigned long long)version, CTLMSG_VERSION);
	if (n != CTLMSG_REQUEST_FIELDS)
		return status_set(st, STATUS_MALFORMED, "control request has %u fields, not %d", n,
		    CTLMSG_REQUEST_FIELDS);
	if (pack_read_str(&r, &s, &slen) != 0 || pack_read_array(&r, &m) != 0)
		return malformed(&r, st);
	if (!name_valid(s, slen, CTLMSG_VERB_MAX))
		return status_set(st, STATUS_BAD_FIELD, "control verb '%.*s' is not valid",
		    (int)(slen > CTLMSG_VERB_MAX ? CTLMSG_VERB_MAX : slen), s);
	memcpy(req->verb, s, slen);
	req->verb[slen] = '\0';
	if (m > CTLMSG_ARGS_MAX)
		return status_set(st, STATUS_BAD_FIELD, "%u arguments; at most %d are allowed", m,
		    CTLMSG_ARGS_MAX);
	for (i = 0; i < m; i++) {
		if (pack_read_array(&r, &n) != 0 || n != CTLMSG_PAIR_FIELDS ||
		    pack_read_str(&r, &s, &slen) != 0 || pack_read_str(&r, &v, &vlen) != 0) {
			ctlmsg_request_clear(req);
			if (r.error == PACK_OK)
				return status_set(st, STATUS_MALFORMED,
				    "control argument %u is not a [key, value] pair", i);
			return malformed(&r, st);
		}
		if (!name_valid(s, slen, CTLMSG_KEY_MAX) || vlen > CTLMSG_VALUE_MAX) {
			ctlmsg_request_clear(req);
			return status_set(st, STATUS_BAD_FIELD,
			    "control argument %u ('%.*s') has a bad name or a value over %d bytes", i,
			    (int)(slen > CTLMSG_KEY_MAX ? CTLMSG_KEY_MAX : slen), s, CTLMSG_VALUE_MAX);
		}
		for (j = 0; j < req->nargs; j++) {
			if (strlen(req->args[j].key) == slen && memcmp(req->args[j].key, s, slen) == 0) {
				ctlmsg_request_clear(req);
				return status_set(st, STATUS_BAD_FIELD, "--%.*s is given twice",
				    (int)slen, s);
			}
		}
		req->args[req->nargs].key = dup_str(s, slen);
		req->args[req->nargs].value = dup_str(v, vlen);
		req->nargs++;
		if (req->args[req->nargs - 1].key == NULL || req->args[req->nargs - 1].value == NULL) {
			ctlmsg_request_clear(req);
			return status_set(st, STATUS_UNAVAILABLE, "out of memory");
		}
	}
	if (pack_remaining(&r) != 0) {
		ctlmsg_request_clear(req);
		return status_set(st, STATUS_MALFORMED, "%zu bytes after the control request",
		    pack_remaining(&r));
	}
	return 0;
}

void
ctlmsg_request_clear(struct ctlmsg_request *req)
{
	size_t i;

	for (i = 0; i < req->nargs; i++) {
		free(req->args[i].key);
		/* A value may be a password (user-add): wiped, not just freed. */
		if (req->args[i].value != NULL)
			sodium_memzero(req->args[i].value, strlen(req->args[i].value));
		free(req->args[i].value);
	}
	memset(req, 0, sizeof(*req));
}

const char *
ctlmsg_get(const struct ctlmsg_request *req, const char *key)
{
	size_t i;

	for (i = 0; i < req->nargs; i++)
		if (strcmp(req->args[i].key, key) == 0)
			return req->args[i].value;
	return NULL;
}

int
ctlmsg_response_encode(int code, const char *text, const char *output, size_t output_len,
    uint8_t **out, size_t *len, struct status *st)
{
	struct pack_writer w;
	size_t tlen, cap, body;
	uint8_t *buf;

	*out = NULL;
	*len = 0;
	if (text == NULL)
		text = "";
	if (output == NULL)
		output_len = 0;
	tlen = strnlen(text, CTLMSG_TEXT_MAX);
	cap = RESPONSE_FIXED + tlen + output_len;
	if (cap > CTLMSG_RESPONSE_MAX + CTLMSG_LEN_BYTES)
		return status_set(st, STATUS_TOO_LARGE,
		    "the answer is %zu bytes; at most %d can be sent: narrow the request", cap,
		    CTLMSG_RESPONSE_MAX);
	if ((buf = malloc(cap)) == NULL)
		return status_set(st, STATUS_UNAVAILABLE, "out of memory");
	pack_writer_init(&w, buf + CTLMSG_LEN_BYTES, cap - CTLMSG_LEN_BYTES);
	pack_write_array(&w, CTLMSG_RESPONSE_FIELDS);
	pack_write_uint(&w, (uint64_t)code);
	pack_write_str(&w, text, tlen);
	pack_write_str(&w, output_len ? output : "", output_len);
	if (pack_writer_finish(&w, &body) != 0) {
		free(buf);
		return status_set(st, STATUS_TOO_LARGE, "the answer does not fit %zu bytes", cap);
	}
	put_len(buf, body);
	*out = buf;
	*len = body + CTLMSG_LEN_BYTES;
	return 0;
}

int
ctlmsg_response_decode(const uint8_t *buf, size_t len, struct ctlmsg_response *resp,
    struct status *st)
{
	struct pack_reader r;
	const char *t, *o;
	uint32_t n, tlen, olen;
	uint64_t code;

	memset(resp, 0, sizeof(*resp));
	if (len > CTLMSG_RESPONSE_MAX)
		return status_set(st, STATUS_TOO_LARGE, "answer of %zu bytes; at most %d", len,
		    CTLMSG_RESPONSE_MAX);
	pack_reader_init(&r, buf, len);
	if (pack_read_array(&r, &n) != 0 || pack_read_uint(&r, &code) != 0 ||
	    pack_read_str(&r, &t, &tlen) != 0 || pack_read_str(&r, &o, &olen) != 0)
		return malformed(&r, st);
	if (n != CTLMSG_RESPONSE_FIELDS || pack_remaining(&r) != 0)
		return status_set(st, STATUS_MALFORMED, "the agent's answer has the wrong shape");
	if (code < STATUS_OK || code > CTLMSG_CODE_MAX)
		return status_set(st, STATUS_MALFORMED, "the agent answered with code %llu",
		    (unsigned long long)code);
	resp->code = (int)code;
	resp->text = dup_str(t, tlen);
	resp->output = dup_str(o, olen);
	resp->output_len = olen;
	if (resp->text == NULL || resp->output == NULL) {
		ctlmsg_response_clear(resp);
		return status_set(st, STATUS_UNAVAILABLE, "out of memory");
	}
	return 0;
}

void
ctlmsg_response_clear(struct ctlmsg_response *resp)
{
	free(resp->text);
	free(resp->output);
	memset(resp, 0, sizeof(*resp));
}
