/* SPDX-License-Identifier: ISC */
/*
 * ids: checking agency and case ids, and making, printing and parsing
 * message ids (see ids.h for why each exists).
 *
 * The rules are narrow on purpose: agency ids end up in file names, SQL,
 * log lines and ZeroMQ identities, so only lowercase letters, digits and
 * single hyphens are allowed.  An error names the offending value, quoted so
 * that a hostile value cannot forge a log line (non-printable bytes become
 * \xNN and long values are cut), and says which rule it broke.
 */
#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "proto/ids.h"

/* UUIDv7 layout (RFC 9562, section 5.7). */
enum {
	MSGID_TIME_BYTES = 6,		/* 48-bit big-endian Unix ms */
	MSGID_TIME_BITS = 48,
	MSGID_VERSION_BYTE = 6,
	MSGID_VERSION_MASK = 0xf0,
	MSGID_VERSION = 0x70,		/* version 7 in the high nibble */
	MSGID_VARIANT_BYTE = 8,
	MSGID_VARIANT_MASK = 0xc0,
	MSGID_VARIANT = 0x80,		/* variant 0b10 in the top two bits */
	MSGID_RANDOM_BYTES = 10,
};

/* Where the hyphens of 8-4-4-4-12 go in the text form. */
static const size_t hyphen_at[] = {8, 13, 18, 23};

/* How many characters of a quoted value an error shows at most, so that the
 * whole text fits in a status. */
#define QUOTE_MAX 48
#define QUOTE_ELLIPSIS "..."
#define QUOTE_BUF (QUOTE_MAX + sizeof(QUOTE_ELLIPSIS))
#define ESCAPE_LEN 4			/* "\xNN" */

static const char hexdigits[] = "0123456789abcdef";

/* Writes s[0..len) into out as printable ASCII for an error text: bytes
 * outside 0x20..0x7e and the quote and backslash become \xNN, and a value
 * longer than QUOTE_MAX characters is cut and marked with "...". */
static void
quote(const char *s, size_t len, char out[QUOTE_BUF])
{
	size_t i, o = 0;
	unsigned char c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c >= ' ' && c <= '~' && c != '\'' && c != '\\') {
			if (o + 1 > QUOTE_MAX)
				break;
			out[o++] = (char)c;
		} else {
			if (o + ESCAPE_LEN > QUOTE_MAX)
				break;
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hexdigits[c >> 4];
			out[o++] = hexdigits[c & 0x0f];
		}
	}
	if (i < len) {
		memcpy(out + o, QUOTE_ELLIPSIS, sizeof(QUOTE_ELLIPSIS));
		return;
	}
	out[o] = '\0';
}

static bool
is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

static bool
is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_alnum(char c)
{
	return is_lower(c) || is_upper(c) || is_digit(c);
}

/* Characters an agency id may hold once lowercased: used first so that
 * "School_1" is told about '_' (which no case fixes) before 'S'. */
static bool
agency_char_any_case(char c)
{
	return is_alnum(c) || c == '-';
}

static bool
case_char(char c)
{
	return is_alnum(c) || c == '.' || c == '_' || c == ':' || c == '-';
}

#define AGENCY_RULE "use 3 to 32 characters: a-z, 0-9 and '-'"
#define AGENCY_CHARS "use a-z, 0-9 and '-'"

int
ids_agency_valid(const char *s, size_t len, struct status *st)
{
	char q[QUOTE_BUF], c[QUOTE_BUF];
	size_t i;

	assert(s != NULL || len == 0);
	if (len == 0)
		return status_set(st, STATUS_BAD_FIELD, "agency id is empty (" AGENCY_RULE ")");
	quote(s, len, q);
	if (len < IDS_AGENCY_MIN || len > IDS_AGENCY_MAX)
		return status_set(st, STATUS_BAD_FIELD,
		    "agency id '%s' is %zu bytes long (" AGENCY_RULE ")", q, len);
	for (i = 0; i < len; i++)
		if (!agency_char_any_case(s[i])) {
			quote(s + i, 1, c);
			return status_set(st, STATUS_BAD_FIELD,
			    "agency id '%s' has invalid character '%s' at position %zu (" AGENCY_CHARS
			    ")",
			    q, c, i);
		}
	for (i = 0; i < len; i++)
		if (is_upper(s[i]))
			return status_set(st, STATUS_BAD_FIELD,
			    "agency id '%s' has uppercase letter '%c' at position %zu (agency ids "
			    "are lowercase)",
			    q, s[i], i);
	if (!is_lower(s[0]))
		return status_set(st, STATUS_BAD_FIELD,
		    "agency id '%s' must start with a letter a-z, not '%c'", q, s[0]);
	if (s[len - 1] == '-')
		return status_set(st, STATUS_BAD_FIELD, "agency id '%s' must not end with '-'", q);
	for (i = 0; i + 1 < len; i++)
		if (s[i] == '-' && s[i + 1] == '-')
			return status_set(st, STATUS_BAD_FIELD,
			    "agency id '%s' has '--' at position %zu (use single hyphens)", q, i);
	return 0;
}

#define CASE_CHARS "use A-Z, a-z, 0-9, '.', '_', ':' and '-'"

int
ids_case_valid(const char *s, size_t len, struct status *st)
{
	char q[QUOTE_BUF], c[QUOTE_BUF];
	size_t i;

	assert(s != NULL || len == 0);
	if (len == 0)
		return status_set(st, STATUS_BAD_FIELD,
		    "case id is empty (use 1 to 64 characters: A-Z, a-z, 0-9, '.', '_', ':', '-')");
	quote(s, len, q);
	if (len > IDS_CASE_MAX)
		return status_set(st, STATUS_BAD_FIELD,
		    "case id '%s' is %zu bytes long (use at most %d)", q, len, IDS_CASE_MAX);
	for (i = 0; i < len; i++)
		if (!case_char(s[i])) {
			quote(s + i, 1, c);
			return status_set(st, STATUS_BAD_FIELD,
			    "case id '%s' has invalid character '%s' at position %zu (" CASE_CHARS ")",
			    q, c, i);
		}
	if (!is_alnum(s[0]))
		return status_set(st, STATUS_BAD_FIELD,
		    "case id '%s' must start with a letter or digit, not '%c'", q, s[0]);
	return 0;
}

void
ids_msgid_from(uint64_t now_ms, const uint8_t rnd[MSGID_RANDOM_BYTES],
    uint8_t id[IDS_MSGID_BYTES])
{
	size_t i;

	/* 48 bits of milliseconds last until the year 10889; more is a bug. */
	assert(now_ms >> MSGID_TIME_BITS == 0);
	for (i = 0; i < MSGID_TIME_BYTES; i++)
		id[i] = (uint8_t)(now_ms >> (8 * (MSGID_TIME_BYTES - 1 - i)));
	id[MSGID_VERSION_BYTE] = MSGID_VERSION | (rnd[0] & ~MSGID_VERSION_MASK);
	id[MSGID_VERSION_BYTE + 1] = rnd[1];
	id[MSGID_VARIANT_BYTE] = MSGID_VARIANT | (rnd[2] & ~MSGID_VARIANT_MASK);
	memcpy(id + MSGID_VARIANT_BYTE + 1, rnd + 3, IDS_MSGID_BYTES - MSGID_VARIANT_BYTE - 1);
}

void
ids_msgid_new(uint64_t now_ms, uint8_t id[IDS_MSGID_BYTES])
{
	uint8_t r[MSGID_RANDOM_BYTES];

	randombytes_buf(r, sizeof(r));
	ids_msgid_from(now_ms, r, id);
}

int
ids_msgid_valid(const uint8_t id[IDS_MSGID_BYTES])
{
	return (id[MSGID_VERSION_BYTE] & MSGID_VERSION_MASK) == MSGID_VERSION &&
	    (id[MSGID_VARIANT_BYTE] & MSGID_VARIANT_MASK) == MSGID_VARIANT;
}

uint64_t
ids_msgid_time(const uint8_t id[IDS_MSGID_BYTES])
{
	uint64_t t = 0;
	size_t i;

	for (i = 0; i < MSGID_TIME_BYTES; i++)
		t = (t << 8) | id[i];
	return t;
}

static bool
is_hyphen_pos(size_t pos)
{
	size_t k;

	for (k = 0; k < sizeof(hyphen_at) / sizeof(hyphen_at[0]); k++)
		if (hyphen_at[k] == pos)
			return true;
	return false;
}

void
ids_msgid_format(const uint8_t id[IDS_MSGID_BYTES], char out[IDS_MSGID_TEXT + 1])
{
	size_t i, o = 0;

	for (i = 0; i < IDS_MSGID_BYTES; i++) {
		if (is_hyphen_pos(o))
			out[o++] = '-';
		out[o++] = hexdigits[id[i] >> 4];
		out[o++] = hexdigits[id[i] & 0x0f];
	}
	assert(o == IDS_MSGID_TEXT);
	out[o] = '\0';
}

/* The value of a hex digit in either case, or -1. */
static int
hexval(char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#define MSGID_FORM "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"

int
ids_msgid_parse(const char *s, uint8_t id[IDS_MSGID_BYTES], struct status *st)
{
	char q[QUOTE_BUF], c[QUOTE_BUF];
	uint8_t out[IDS_MSGID_BYTES];
	size_t len, i, n = 0;
	int hi, lo;

	assert(s != NULL);
	len = strnlen(s, QUOTE_MAX + 1);
	quote(s, len, q);
	if (len != IDS_MSGID_TEXT)
		return status_set(st, STATUS_BAD_FIELD,
		    "message id '%s' is not 36 characters of the form " MSGID_FORM, q);
	for (i = 0; i < IDS_MSGID_TEXT; i++)
		if (is_hyphen_pos(i) != (s[i] == '-')) {
			quote(s + i, 1, c);
			return status_set(st, STATUS_BAD_FIELD,
			    "message id '%s' has '%s' at position %zu (use the form " MSGID_FORM ")",
			    q, c, i);
		}
	/* Hex digits come in pairs between the hyphens, so a pair never
	 * straddles one. */
	for (i = 0; i < IDS_MSGID_TEXT; i += 2) {
		if (is_hyphen_pos(i))
			i++;
		hi = hexval(s[i]);
		lo = hexval(s[i + 1]);
		if (hi < 0 || lo < 0) {
			quote(s + i + (hi < 0 ? 0 : 1), 1, c);
			return status_set(st, STATUS_BAD_FIELD,
			    "message id '%s' has non-hex character '%s' at position %zu", q, c,
			    i + (hi < 0 ? 0 : 1));
		}
		out[n++] = (uint8_t)(hi << 4 | lo);
	}
	assert(n == IDS_MSGID_BYTES);
	if (!ids_msgid_valid(out))
		return status_set(st, STATUS_BAD_FIELD,
		    "message id '%s' is not a UUIDv7 (version %d, variant bits %d%d; dutynet "
		    "message ids are version 7, variant 10)",
		    q, out[MSGID_VERSION_BYTE] >> 4, out[MSGID_VARIANT_BYTE] >> 7,
		    (out[MSGID_VARIANT_BYTE] >> 6) & 1);
	memcpy(id, out, IDS_MSGID_BYTES);
	return 0;
}
