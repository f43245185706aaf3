/* SPDX-License-Identifier: ISC */
/*
 * webform: the body of a POST from the web inbox's forms
 * (application/x-www-form-urlencoded), collected within a size limit and
 * decoded into key/value pairs.  Strict: a key given twice, a bad %
 * escape, a NUL byte, too many fields or too many bytes is refused rather
 * than guessed at.  A body may hold a password: every copy is wiped.
 */
#ifndef DUTYNET_WEBFORM_H
#define DUTYNET_WEBFORM_H

#include <stdbool.h>
#include <stddef.h>

#include "proto/status.h"

/* A summary may be 64 KiB, three times that when percent-encoded. */
#define WEBFORM_BODY_MAX (256 * 1024)
#define WEBFORM_FIELDS_MAX 32
#define WEBFORM_KEY_MAX 32

struct webform_field {
	char *key;
	char *value;		/* decoded, NUL-terminated */
};

struct webform {
	size_t n;
	struct webform_field f[WEBFORM_FIELDS_MAX];
};

/* A body being received in pieces. */
struct webform_body {
	char *buf;
	size_t len;
	bool too_long;		/* more than WEBFORM_BODY_MAX came; the rest dropped */
};

/* Appends data[0..n) to b: 0, or -1 when b would exceed WEBFORM_BODY_MAX
 * (b->too_long, the data dropped) or memory ran out. */
int webform_body_add(struct webform_body *b, const char *data, size_t n);

/* Wipes and frees b's buffer; b can be used again. */
void webform_body_clear(struct webform_body *b);

/* Decodes body[0..len) into f (the caller clears it): 0, or -1 and st:
 * 510 over WEBFORM_BODY_MAX or WEBFORM_FIELDS_MAX fields, 504 a bad %
 * escape, a NUL, an empty or over-long key, or a key given twice (named). */
int webform_parse(const char *body, size_t len, struct webform *f, struct status *st)
    __attribute__((warn_unused_result));

/* The value of key, borrowed from f, or NULL if it was not sent. */
const char *webform_get(const struct webform *f, const char *key);

/* Wipes and frees f's strings; f can be parsed into again. */
void webform_clear(struct webform *f);

#endif
