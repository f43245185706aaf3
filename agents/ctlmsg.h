/* SPDX-License-Identifier: ISC */
/*
 * ctlmsg: the bytes between the dutynet command line and its agent over
 * the local control socket (ISSUE 5, "Control protocol").  Each request and
 * each response is a 4-byte big-endian length, then one canonical msgpack
 * array (proto/pack.h):
 *
 *	request  = [1, verb: str, args: array of [key: str, value: str]]
 *	response = [code: uint, text: str, output: str]
 *
 * code is a status code (proto/status.h: 2xx done, 4xx try again, 5xx
 * refused), text says what went wrong and what to do (empty when done), and
 * output is what the command prints, already rendered by the agent (human
 * text, or JSON when the request has ["json", "1"]), so there is one
 * renderer.  One request per connection.  Shared by the agent (control.c)
 * and the CLI (agents/cli/client.c).
 */
#ifndef DUTYNET_CTLMSG_H
#define DUTYNET_CTLMSG_H

#include <stddef.h>
#include <stdint.h>

#include "proto/payload.h"
#include "proto/status.h"

#define CTLMSG_VERSION 1
#define CTLMSG_LEN_BYTES 4		/* the big-endian length prefix */
#define CTLMSG_REQUEST_MAX (256 * 1024)	/* a request body, bytes */
#define CTLMSG_RESPONSE_MAX (16 * 1024 * 1024)
#define CTLMSG_VERB_MAX 32
#define CTLMSG_KEY_MAX 32
#define CTLMSG_ARGS_MAX 64
#define CTLMSG_VALUE_MAX PAYLOAD_TEXT_MAX	/* a summary is the longest value */
#define CTLMSG_TEXT_MAX 1024		/* a response's error text */
#define CTLMSG_CODE_MAX 599		/* codes are status codes, 200..599 */
#define CTLMSG_REQUEST_FIELDS 3
#define CTLMSG_RESPONSE_FIELDS 3
#define CTLMSG_PAIR_FIELDS 2
/* The argument asking for JSON output. */
#define CTLMSG_JSON_KEY "json"

struct ctlmsg_arg {
	char *key;
	char *value;
};

/* A decoded request; its strings are owned (ctlmsg_request_clear). */
struct ctlmsg_request {
	char verb[CTLMSG_VERB_MAX + 1];
	size_t nargs;
	struct ctlmsg_arg args[CTLMSG_ARGS_MAX];
};

/* A decoded response; text and output are owned, NUL-terminated. */
struct ctlmsg_response {
	int code;
	char *text;
	char *output;
	size_t output_len;
};

/* The length a 4-byte prefix announces. */
uint32_t ctlmsg_frame_len(const uint8_t prefix[CTLMSG_LEN_BYTES]);

/* Encodes a request, length prefix included, into *out (the caller's).
 * -1 and st 504 for a bad verb, key or value (names it), 510 if too big. */
int ctlmsg_request_encode(const char *verb, const struct ctlmsg_arg *args, size_t nargs,
    uint8_t **out, size_t *len, struct status *st) __attribute__((warn_unused_result));

/* Decodes a request body (after the prefix) into req.  -1 and st: 510 too
 * long, 500 malformed, 502 other version, 504 a bad verb or key, a key
 * given twice, too many arguments or a value too long. */
int ctlmsg_request_decode(const uint8_t *buf, size_t len, struct ctlmsg_request *req,
    struct status *st) __attribute__((warn_unused_result));

/* Frees req's strings; req can be decoded into again. */
void ctlmsg_request_clear(struct ctlmsg_request *req);

/* The value of key, borrowed from req, or NULL if absent. */
const char *ctlmsg_get(const struct ctlmsg_request *req, const char *key);

/* Encodes a response, length prefix included, into *out (the caller's).
 * text and output may be NULL (empty).  -1 and st 510 if too big. */
int ctlmsg_response_encode(int code, const char *text, const char *output, size_t output_len,
    uint8_t **out, size_t *len, struct status *st) __attribute__((warn_unused_result));

/* Decodes a response body into resp.  -1 and st 500/510. */
int ctlmsg_response_decode(const uint8_t *buf, size_t len, struct ctlmsg_response *resp,
    struct status *st) __attribute__((warn_unused_result));

/* Frees resp's strings. */
void ctlmsg_response_clear(struct ctlmsg_response *resp);

#endif
