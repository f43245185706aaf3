/* SPDX-License-Identifier: ISC */
/*
 * rfc3339: the text form of instants that people type and read
 * ("2024-11-29T16:55:00Z", "2024-06-03T09:00:00+01:00").  dutynet stores and
 * exchanges instants as UTC milliseconds; this is the edge where text with
 * an offset comes in and UTC text with "Z" goes out.
 */
#ifndef DUTYNET_RFC3339_H
#define DUTYNET_RFC3339_H

#include <stddef.h>
#include <stdint.h>

#include "proto/status.h"

/* Room for the longest output, "YYYY-MM-DDTHH:MM:SS.mmm+hh:mm", and a NUL. */
#define RFC3339_LEN 32
/* An offset is less than a day (RFC 3339 allows -23:59..+23:59). */
#define RFC3339_MAX_OFFSET_MINUTES (24 * 60 - 1)

/* Parses an RFC 3339 date-time: "YYYY-MM-DDTHH:MM:SS", optional fraction
 * (kept to the millisecond, further digits dropped), then "Z" or "+hh:mm" /
 * "-hh:mm".  "t", "z" and a space for "T" are accepted (RFC 3339 s5.6
 * notes).  A leap second (":60") is refused, as is anything before the Unix
 * epoch.  -1 and st = 504 naming the text and the expected form otherwise. */
int rfc3339_parse(const char *s, uint64_t *ms, struct status *st)
    __attribute__((warn_unused_result));

/* Writes ms as UTC, "YYYY-MM-DDTHH:MM:SSZ", with ".mmm" before the Z only
 * when the milliseconds are not zero. */
void rfc3339_format(uint64_t ms, char out[RFC3339_LEN]);

/* Writes the wall time at utc_ms + offset_ms with that offset
 * ("2024-06-03T09:00:00+01:00"): for showing London time. */
void rfc3339_format_offset(uint64_t utc_ms, int64_t offset_ms, char out[RFC3339_LEN]);

#endif
