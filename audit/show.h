/* SPDX-License-Identifier: ISC */
/*
 * show: how the auditor writes values for people: times, durations,
 * message ids and untrusted text.  Everything read from a database under
 * audit is untrusted (it may have been edited to contain terminal escapes
 * or fake lines), so text is shown as printable ASCII only, cut to a
 * length, with anything else as '?'.
 */
#ifndef DUTYNET_AUDIT_SHOW_H
#define DUTYNET_AUDIT_SHOW_H

#include <stddef.h>
#include <stdint.h>

#include "config/rfc3339.h"
#include "proto/ids.h"

#define SHOW_QUOTE_MAX 80		/* bytes of untrusted text shown */
#define SHOW_QUOTE_LEN (SHOW_QUOTE_MAX + 4)
#define SHOW_DURATION_LEN 32		/* "123 d 23 h 59 min" */
#define SHOW_HASH_SHORT 8		/* bytes of a hash shown in short */
#define SHOW_HASH_LEN (2 * 32 + 1)

/* s as printable ASCII, at most SHOW_QUOTE_MAX bytes then "..."; "" for
 * NULL.  Returns out. */
const char *show_quote(const char *s, char out[SHOW_QUOTE_LEN]);

/* An instant as RFC 3339 UTC ("2025-01-06T09:00:00Z"); "-" for 0. */
const char *show_time(uint64_t ms, char out[RFC3339_LEN]);

/* A duration for people, cut to the minute: "< 1 min", "45 min",
 * "3 h 05 min", "2 d 04 h 00 min"; a negative one with a minus sign.
 * Returns out. */
const char *show_duration(int64_t ms, char out[SHOW_DURATION_LEN]);

/* A message id as its UUID text. */
const char *show_msgid(const uint8_t id[IDS_MSGID_BYTES], char out[IDS_MSGID_TEXT + 1]);

/* n bytes as lowercase hex into out (2n + 1 bytes). */
const char *show_hex(const uint8_t *b, size_t n, char *out);

#endif
