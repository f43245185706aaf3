/* SPDX-License-Identifier: ISC */
/*
 * jsonout: writing JSON values for the auditor's --json and export output,
 * straight to a stream, so a million entries need no allocation.  Strings
 * from a database under audit may hold anything: control characters are
 * escaped and bytes that are not valid UTF-8 become U+FFFD, so the output
 * always parses.
 */
#ifndef DUTYNET_AUDIT_JSONOUT_H
#define DUTYNET_AUDIT_JSONOUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "proto/ids.h"

/* s as a JSON string; null for NULL. */
void jsonout_string(FILE *f, const char *s);

/* b[0..n) as a JSON string of lowercase hex. */
void jsonout_hex(FILE *f, const uint8_t *b, size_t n);

/* A message id as a JSON string of its UUID text; null for NULL. */
void jsonout_msgid(FILE *f, const uint8_t *id);

/* An instant as a JSON string in RFC 3339 UTC; null for 0. */
void jsonout_time(FILE *f, uint64_t ms);

#endif
