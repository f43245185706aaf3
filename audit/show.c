/* SPDX-License-Identifier: ISC */
/*
 * show: values written for people (see show.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "audit/show.h"
#include "config/civil.h"

#define HOURS_PER_DAY 24
#define MINUTES_PER_HOUR 60

const char *
show_quote(const char *s, char out[SHOW_QUOTE_LEN])
{
	size_t i, n;

	if (s == NULL) {
		out[0] = '\0';
		return out;
	}
	for (i = 0, n = 0; s[i] != '\0' && n < SHOW_QUOTE_MAX; i++)
		out[n++] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	if (s[i] != '\0') {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
	return out;
}

const char *
show_time(uint64_t ms, char out[RFC3339_LEN])
{
	if (ms == 0) {
		snprintf(out, RFC3339_LEN, "-");
		return out;
	}
	rfc3339_format(ms, out);
	return out;
}

const char *
show_duration(int64_t ms, char out[SHOW_DURATION_LEN])
{
	const char *sign = ms < 0 ? "-" : "";
	uint64_t a = ms < 0 ? (uint64_t)(-(ms + 1)) + 1 : (uint64_t)ms;
	uint64_t min = a / CIVIL_MS_PER_MINUTE;
	uint64_t h = min / MINUTES_PER_HOUR, d = h / HOURS_PER_DAY;

	if (min == 0 && a != 0)
		snprintf(out, SHOW_DURATION_LEN, "%s< 1 min", sign);
	else if (min < MINUTES_PER_HOUR)
		snprintf(out, SHOW_DURATION_LEN, "%s%" PRIu64 " min", sign, min);
	else if (d == 0)
		snprintf(out, SHOW_DURATION_LEN, "%s%" PRIu64 " h %02" PRIu64 " min", sign, h,
		    min % MINUTES_PER_HOUR);
	else
		snprintf(out, SHOW_DURATION_LEN, "%s%" PRIu64 " d %02" PRIu64 " h %02" PRIu64 " min",
		    sign, d, h % HOURS_PER_DAY, min % MINUTES_PER_HOUR);
	return out;
}

const char *
show_msgid(const uint8_t id[IDS_MSGID_BYTES], char out[IDS_MSGID_TEXT + 1])
{
	ids_msgid_format(id, out);
	return out;
}

const char *
show_hex(const uint8_t *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 0xf];
	}
	out[2 * n] = '\0';
	return out;
}
