/* SPDX-License-Identifier: ISC */
/*
 * output: what a control request prints, built in the agent so that the
 * command line stays a thin client and there is one renderer.  Human text
 * by default; JSON when the request asked for it (--json).  A growing
 * buffer: an allocation failure is sticky and reported once, at the end.
 */
#ifndef DUTYNET_OUTPUT_H
#define DUTYNET_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/ids.h"

#define OUTPUT_FIRST_CAP 1024
#define OUTPUT_TIME_LEN 32	/* room for output_time's text */
#define OUTPUT_TIME_SHORT_LEN 24	/* room for output_time_short's text */
#define OUTPUT_SPAN_LEN 48	/* room for output_span's text */
#define OUTPUT_MS_PER_MINUTE 60000
#define OUTPUT_MINUTES_PER_HOUR 60
#define OUTPUT_MINUTES_PER_DAY (24 * 60)

struct output {
	char *buf;		/* NUL-terminated while not failed */
	size_t len;
	size_t cap;
	bool json;		/* the request asked for JSON */
	bool failed;		/* out of memory: buf is incomplete */
};

/* Starts an empty output. */
void output_init(struct output *o, bool json);

/* Frees o's buffer; o can be initialised again. */
void output_free(struct output *o);

/* Empties o, keeping its mode (a handler that fails starts again). */
void output_reset(struct output *o);

/* Appends printf-formatted text. */
void output_printf(struct output *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Appends s[0..len) as a JSON string (quoted, escaped); NULL as null. */
void output_json_strn(struct output *o, const char *s, size_t len);
void output_json_str(struct output *o, const char *s);

/* Appends "key": value pairs (with a leading comma unless first). */
void output_json_key_str(struct output *o, bool first, const char *key, const char *value);
void output_json_key_uint(struct output *o, bool first, const char *key, uint64_t v);
/* A time as "key": "2024-...Z" (UTC), or null for 0. */
void output_json_key_time(struct output *o, bool first, const char *key, uint64_t ms);
/* A message id in its text form, or null if id is NULL. */
void output_json_key_id(struct output *o, bool first, const char *key, const uint8_t *id);

/* A time for people: London wall time with its offset, or "-" for 0. */
void output_time(uint64_t ms, char out[OUTPUT_TIME_LEN]);

/* The same London wall time, shorter, for a page: "Mon 23 Nov 2026 12:42"
 * (to the minute, no offset: the page puts the exact instant beside it in
 * machine form), or "-" for 0. */
void output_time_short(uint64_t ms, char out[OUTPUT_TIME_SHORT_LEN]);

/* A length of time for people, to the minute: "3d 4h 5m", "2h", "45m",
 * "under a minute" (days are 24 hours: working time is shown in hours). */
void output_span(int64_t ms, char out[OUTPUT_SPAN_LEN]);

/* Appends "key": an integer that may be negative. */
void output_json_key_int(struct output *o, bool first, const char *key, int64_t v);

/* The column where the values of `dutynet show` begin ("lawful basis: "). */
#define OUTPUT_LABEL_WIDTH 14

/* Appends a line "label:" padded to OUTPUT_LABEL_WIDTH, then s[0..len) -
 * or nothing if len is 0: an optional field left empty is not shown. */
void output_field(struct output *o, const char *label, const char *s, size_t len);

#endif
