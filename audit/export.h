/* SPDX-License-Identifier: ISC */
/*
 * export: `dutynet-audit export DB...`: every audit entry as one line of
 * JSON, in seq order, for other tools (jq, a SIEM, a spreadsheet).  Each
 * line is one object:
 *
 *	{"log": "school-stmarys", "seq": 1, "time_ms": 1767225600000,
 *	 "time": "2026-01-01T00:00:00Z", "event": "created", "agency": "mash",
 *	 "message_id": "0190...", "detail": "...", "prev_hash": "<64 hex>",
 *	 "hash": "<64 hex>"}
 *
 * Export reads; it does not verify (run verify for that): a row edited to
 * hold the wrong types is written as it reads, with values SQLite converts.
 */
#ifndef DUTYNET_AUDIT_EXPORT_H
#define DUTYNET_AUDIT_EXPORT_H

#include <stdio.h>

#include "audit/auditdb.h"
#include "proto/status.h"

/* Writes every entry of db to f as JSON lines.  0, or -1 and st 421. */
int export_log(struct auditdb *db, FILE *f, struct status *st)
    __attribute__((warn_unused_result));

/* The verb. */
int export_cmd(int argc, char **argv);

#endif
