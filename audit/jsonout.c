/* SPDX-License-Identifier: ISC */
/*
 * jsonout: JSON values written to a stream (see jsonout.h).
 */
#include "audit/jsonout.h"
#include "audit/show.h"

/* Bytes of the UTF-8 sequence starting at s if it is valid (shortest
 * form, no surrogates, at most U+10FFFF), else 0. */
static size_t
utf8_len(const unsigned char *s)
{
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (s[0] >= 0xe0 && s[0] <= 0xef) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f))
			return 0;
		return 3;
	}
	if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
			return 0;
		if ((s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
			return 0;
		return 4;
	}
	return 0;
}

void
jsonout_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	if (s == NULL) {
		fputs("null", f);
		return;
	}
	putc('"', f);
	while (*p != '\0') {
		if (*p == '"' || *p == '\\') {
			putc('\\', f);
			putc(*p++, f);
		} else if (*p == '\n') {
			fputs("\\n", f);
			p++;
		} else if (*p < 0x20 || *p == 0x7f) {
			fprintf(f, "\\u%04x", *p++);
		} else if ((n = utf8_len(p)) == 0) {
			fputs("\\ufffd", f);
			p++;
		} else {
			fwrite(p, 1, n, f);
			p += n;
		}
	}
	putc('"', f);
}

void
jsonout_hex(FILE *f, const uint8_t *b, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	putc('"', f);
	for (i = 0; i < n; i++) {
		putc(digits[b[i] >> 4], f);
		putc(digits[b[i] & 0xf], f);
	}
	putc('"', f);
}

void
jsonout_msgid(FILE *f, const uint8_t *id)
{
	char text[IDS_MSGID_TEXT + 1];

	if (id == NULL) {
		fputs("null", f);
		return;
	}
	fprintf(f, "\"%s\"", show_msgid(id, text));
}

void
jsonout_time(FILE *f, uint64_t ms)
{
	char text[RFC3339_LEN];

	if (ms == 0) {
		fputs("null", f);
		return;
	}
	fprintf(f, "\"%s\"", show_time(ms, text));
}
