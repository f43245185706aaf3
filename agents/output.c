/* SPDX-License-Identifier: ISC */
/*
 * output: the growing text buffer every control handler writes into, and
 * the JSON string escaping (RFC 8259: quote, backslash and control bytes;
 * the text is already UTF-8, checked where it entered).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agents/output.h"
#include "config/civil.h"
#include "config/london.h"
#include "config/rfc3339.h"

void
output_init(struct output *o, bool json)
{
	memset(o, 0, sizeof(*o));
	o->json = json;
}

void
output_free(struct output *o)
{
	free(o->buf);
	o->buf = NULL;
	o->len = o->cap = 0;
	o->failed = false;
}

void
output_reset(struct output *o)
{
	o->len = 0;
	if (o->buf != NULL)
		o->buf[0] = '\0';
	o->failed = false;
}

/* Makes room for n more bytes and a NUL; false (and failed) if it cannot. */
static bool
reserve(struct output *o, size_t n)
{
	size_t cap;
	char *p;

	if (o->failed)
		return false;
	if (o->len + n + 1 <= o->cap)
		return true;
	cap = o->cap ? o->cap : OUTPUT_FIRST_CAP;
	while (cap < o->len + n + 1)
		cap *= 2;
	if ((p = realloc(o->buf, cap)) == NULL) {
		o->failed = true;
		return false;
	}
	o->buf = p;
	o->cap = cap;
	return true;
}

void
output_printf(struct output *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !reserve(o, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(o->buf + o->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	o->len += (size_t)n;
}

void
output_json_strn(struct output *o, const char *s, size_t len)
{
	size_t i;
	unsigned char c;

	if (s == NULL) {
		output_printf(o, "null");
		return;
	}
	output_printf(o, "\"");
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			output_printf(o, "\\%c", c);
		else if (c == '\n')
			output_printf(o, "\\n");
		else if (c == '\t')
			output_printf(o, "\\t");
		else if (c == '\r')
			output_printf(o, "\\r");
		else if (c < 0x20 || c == 0x7f)
			output_printf(o, "\\u%04x", c);
		else if (reserve(o, 1)) {
			o->buf[o->len++] = (char)c;
			o->buf[o->len] = '\0';
		}
	}
	output_printf(o, "\"");
}

void
output_json_str(struct output *o, const char *s)
{
	output_json_strn(o, s, s != NULL ? strlen(s) : 0);
}

static void
key(struct output *o, bool first, const char *k)
{
	output_printf(o, "%s\"%s\": ", first ? "" : ", ", k);
}

void
output_json_key_str(struct output *o, bool first, const char *k, const char *value)
{
	key(o, first, k);
	output_json_str(o, value);
}

void
output_json_key_uint(struct output *o, bool first, const char *k, uint64_t v)
{
	key(o, first, k);
	output_printf(o, "%llu", (unsigned long long)v);
}

void
output_json_key_time(struct output *o, bool first, const char *k, uint64_t ms)
{
	char t[RFC3339_LEN];

	key(o, first, k);
	if (ms == 0) {
		output_printf(o, "null");
		return;
	}
	rfc3339_format(ms, t);
	output_json_str(o, t);
}

void
output_json_key_id(struct output *o, bool first, const char *k, const uint8_t *id)
{
	char t[IDS_MSGID_TEXT + 1];

	key(o, first, k);
	if (id == NULL) {
		output_printf(o, "null");
		return;
	}
	ids_msgid_format(id, t);
	output_json_str(o, t);
}

void
output_time(uint64_t ms, char out[OUTPUT_TIME_LEN])
{
	if (ms == 0) {
		snprintf(out, OUTPUT_TIME_LEN, "-");
		return;
	}
	rfc3339_format_offset(ms, london_offset((int64_t)ms), out);
}

void
output_time_short(uint64_t ms, char out[OUTPUT_TIME_SHORT_LEN])
{
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul",
		"Aug", "Sep", "Oct", "Nov", "Dec"};
	int64_t local, days, minute;
	int year, month, day;

	if (ms == 0) {
		snprintf(out, OUTPUT_TIME_SHORT_LEN, "-");
		return;
	}
	local = london_to_local((int64_t)ms);
	days = civil_days_from_ms(local);
	minute = (local - days * CIVIL_MS_PER_DAY) / CIVIL_MS_PER_MINUTE;
	civil_date_from_days(days, &year, &month, &day);
	snprintf(out, OUTPUT_TIME_SHORT_LEN, "%s %d %s %d %02d:%02d",
	    civil_weekday_name(civil_weekday(days)), day, months[month - 1], year,
	    (int)(minute / OUTPUT_MINUTES_PER_HOUR), (int)(minute % OUTPUT_MINUTES_PER_HOUR));
}

void
output_span(int64_t ms, char out[OUTPUT_SPAN_LEN])
{
	int64_t m = (ms < 0 ? -ms : ms) / OUTPUT_MS_PER_MINUTE;
	int64_t d = m / OUTPUT_MINUTES_PER_DAY, h = m % OUTPUT_MINUTES_PER_DAY / OUTPUT_MINUTES_PER_HOUR;
	size_t n = 0;

	out[0] = '\0';
	m %= OUTPUT_MINUTES_PER_HOUR;
	if (d == 0 && h == 0 && m == 0) {
		snprintf(out, OUTPUT_SPAN_LEN, "under a minute");
		return;
	}
	if (d > 0)
		n += (size_t)snprintf(out + n, OUTPUT_SPAN_LEN - n, "%lldd", (long long)d);
	if (h > 0)
		n += (size_t)snprintf(out + n, OUTPUT_SPAN_LEN - n, "%s%lldh", n ? " " : "",
		    (long long)h);
	if (m > 0)
		snprintf(out + n, OUTPUT_SPAN_LEN - n, "%s%lldm", n ? " " : "", (long long)m);
}

void
output_json_key_int(struct output *o, bool first, const char *k, int64_t v)
{
	key(o, first, k);
	output_printf(o, "%lld", (long long)v);
}

void
output_field(struct output *o, const char *label, const char *s, size_t len)
{
	int pad = OUTPUT_LABEL_WIDTH - 1 - (int)strlen(label);

	if (len == 0)
		return;
	/* A label too long for the column still gets a space after it. */
	output_printf(o, "%s:%*s%.*s\n", label, pad > 0 ? pad : 1, "", (int)len, s);
}
