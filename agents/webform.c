/* SPDX-License-Identifier: ISC */
/*
 * webform: collecting and decoding a form's body (see webform.h).
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "agents/webform.h"

#define HEX_BASE 16
#define HEX_DIGIT_A 10

int
webform_body_add(struct webform_body *b, const char *data, size_t n)
{
	char *grown;

	if (b->too_long || n > WEBFORM_BODY_MAX - b->len) {
		b->too_long = true;
		return -1;
	}
	if (n == 0)
		return 0;
	/* Always a fresh copy, so realloc leaves no stale part of a password
	 * behind. */
	if ((grown = malloc(b->len + n + 1)) == NULL)
		return -1;
	if (b->buf != NULL)
		memcpy(grown, b->buf, b->len);
	memcpy(grown + b->len, data, n);
	grown[b->len + n] = '\0';
	if (b->buf != NULL) {
		sodium_memzero(b->buf, b->len);
		free(b->buf);
	}
	b->buf = grown;
	b->len += n;
	return 0;
}

void
webform_body_clear(struct webform_body *b)
{
	if (b->buf != NULL) {
		sodium_memzero(b->buf, b->len);
		free(b->buf);
	}
	memset(b, 0, sizeof(*b));
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + HEX_DIGIT_A;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + HEX_DIGIT_A;
	return -1;
}

static void
drop(char *s, size_t n)
{
	sodium_memzero(s, n);
	free(s);
}

/* Decodes s[0..len) ('+' is a space, %XX a byte) into a new string. */
static char *
decode(const char *s, size_t len, const char *what, struct status *st)
{
	char *out = malloc(len + 1);
	size_t i, n = 0;
	int hi, lo;

	if (out == NULL) {
		status_set(st, STATUS_STORE_FAILED, "out of memory reading a form");
		return NULL;
	}
	for (i = 0; i < len; i++) {
		if (s[i] == '\0') {
			drop(out, n);
			status_set(st, STATUS_BAD_FIELD, "the form's %s holds a NUL byte", what);
			return NULL;
		}
		if (s[i] == '+') {
			out[n++] = ' ';
		} else if (s[i] != '%') {
			out[n++] = s[i];
		} else if (i + 2 < len && (hi = hexval(s[i + 1])) >= 0 &&
		    (lo = hexval(s[i + 2])) >= 0 && (hi | lo) != 0) {
			out[n++] = (char)(hi * HEX_BASE + lo);
			i += 2;
		} else {
			drop(out, n);
			status_set(st, STATUS_BAD_FIELD,
			    "the form's %s has a bad %% escape or a NUL byte", what);
			return NULL;
		}
	}
	out[n] = '\0';
	return out;
}

int
webform_parse(const char *body, size_t len, struct webform *f, struct status *st)
{
	const char *p = body, *end = body + len, *amp, *eq;
	char *key, *value;
	size_t i;

	memset(f, 0, sizeof(*f));
	if (len > WEBFORM_BODY_MAX)
		return status_set(st, STATUS_TOO_LARGE, "the form is over %d bytes",
		    WEBFORM_BODY_MAX);
	while (p < end) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		if (amp == p) {		/* "a=1&&b=2": an empty pair */
			p++;
			continue;
		}
		if ((eq = memchr(p, '=', (size_t)(amp - p))) == NULL)
			eq = amp;
		if (f->n == WEBFORM_FIELDS_MAX) {
			webform_clear(f);
			return status_set(st, STATUS_TOO_LARGE, "the form has more than %d fields",
			    WEBFORM_FIELDS_MAX);
		}
		if ((key = decode(p, (size_t)(eq - p), "field name", st)) == NULL) {
			webform_clear(f);
			return -1;
		}
		if (*key == '\0' || strlen(key) > WEBFORM_KEY_MAX) {
			free(key);
			webform_clear(f);
			return status_set(st, STATUS_BAD_FIELD,
			    "the form has an empty field name or one over %d bytes", WEBFORM_KEY_MAX);
		}
		for (i = 0; i < f->n; i++)
			if (strcmp(f->f[i].key, key) == 0) {
				status_set(st, STATUS_BAD_FIELD, "the form has the field '%.32s' twice",
				    key);
				free(key);
				webform_clear(f);
				return -1;
			}
		value = decode(eq < amp ? eq + 1 : eq, eq < amp ? (size_t)(amp - eq - 1) : 0,
		    "value", st);
		if (value == NULL) {
			free(key);
			webform_clear(f);
			return -1;
		}
		f->f[f->n].key = key;
		f->f[f->n++].value = value;
		p = amp < end ? amp + 1 : end;
	}
	return 0;
}

const char *
webform_get(const struct webform *f, const char *key)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->f[i].key, key) == 0)
			return f->f[i].value;
	return NULL;
}

void
webform_clear(struct webform *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		free(f->f[i].key);
		drop(f->f[i].value, strlen(f->f[i].value));
	}
	memset(f, 0, sizeof(*f));
}
