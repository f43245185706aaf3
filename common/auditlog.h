/* SPDX-License-Identifier: ISC */
/*
 * auditlog: the append-only, hash-chained record of every event a daemon
 * (agent or broker) acts on, kept in the daemon's own SQLite database so each
 * entry commits in the same transaction as the state change it records: an
 * event is logged if and only if it happened.
 *
 * Table (readable with the plain sqlite3 CLI):
 *	audit(seq INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL,
 *	      event TEXT NOT NULL, agency TEXT, message_id BLOB,
 *	      detail TEXT NOT NULL, prev_hash BLOB NOT NULL, hash BLOB NOT NULL)
 * seq counts from 1 without gaps.  Each row's
 *	hash = BLAKE2b-256("dutynet-audit-v1" NUL || prev_hash ||
 *	       canonical msgpack [seq, time_ms, event, agency or nil,
 *	                          message_id (bin 16) or nil, detail])
 * and prev_hash is the previous row's hash (32 zero bytes for seq 1), so an
 * edited, deleted, inserted or reordered row breaks the chain at that seq.
 * Removing rows from the end is only detectable against a head that was
 * recorded elsewhere (auditlog_head); signed checkpoints come later.
 *
 * Metadata only: event names, agency ids, message ids and short details;
 * never payload plaintext, never key material.
 */
#ifndef DUTYNET_AUDITLOG_H
#define DUTYNET_AUDITLOG_H

#include <stddef.h>
#include <stdint.h>

#include "common/db.h"
#include "proto/ids.h"
#include "proto/status.h"

#define AUDITLOG_TAG "dutynet-audit-v1"	/* hashed with its NUL */
#define AUDITLOG_HASHBYTES 32
#define AUDITLOG_EVENT_MAX 32		/* bytes of an event name */
#define AUDITLOG_DETAIL_MAX 2048	/* bytes of a detail text */
/* Room for the hashed msgpack record: tag, prev hash, the array with
 * two 9-byte uints, three str and one bin headers and their contents. */
#define AUDITLOG_RECORD_MAX \
	(sizeof(AUDITLOG_TAG) + AUDITLOG_HASHBYTES + 64 + AUDITLOG_EVENT_MAX + \
	    IDS_AGENCY_MAX + IDS_MSGID_BYTES + AUDITLOG_DETAIL_MAX)

/* The table, for the owner's schema migration step (db_migrate): the
 * broker's and the agent's first schema version include it. */
#define AUDITLOG_SCHEMA_SQL \
	"CREATE TABLE IF NOT EXISTS audit (" \
	" seq INTEGER PRIMARY KEY," \
	" time_ms INTEGER NOT NULL," \
	" event TEXT NOT NULL," \
	" agency TEXT," \
	" message_id BLOB," \
	" detail TEXT NOT NULL," \
	" prev_hash BLOB NOT NULL," \
	" hash BLOB NOT NULL);" \
	"CREATE INDEX IF NOT EXISTS audit_message ON audit(message_id);"

/* One audit row as read back (auditlog_foreach). */
struct auditlog_entry {
	uint64_t seq;
	uint64_t time_ms;
	const char *event;
	const char *agency;		/* NULL if none */
	int has_message_id;
	uint8_t message_id[IDS_MSGID_BYTES];
	const char *detail;
};

/* Creates the audit table and its index if missing (tools and tests; the
 * daemons put AUDITLOG_SCHEMA_SQL in their migrations).  -1 and st 451. */
int auditlog_create(struct db *db, struct status *st);

/* Appends one event inside the caller's open transaction (asserted), at
 * the current clock_now_ms().  event: [a-z0-9-], 1..AUDITLOG_EVENT_MAX
 * bytes; agency and msgid may be NULL; detail is NUL-terminated, at most
 * AUDITLOG_DETAIL_MAX bytes.  -1 and st 504/510 for a bad argument, 451 on
 * an SQL error (the caller rolls back: neither state nor event is kept). */
int auditlog_append(struct db *db, const char *event, const char *agency,
    const uint8_t *msgid, const char *detail, struct status *st)
    __attribute__((warn_unused_result));

/* Recomputes the whole chain.  0 if intact (*first_bad_seq = 0); -1 with
 * *first_bad_seq = the first seq that is missing, altered or out of place
 * and st 520 (hash mismatch) or 500 (gap, bad column); -1 with
 * *first_bad_seq = 0 and st 451 if the database could not be read. */
int auditlog_verify(struct db *db, uint64_t *first_bad_seq, struct status *st)
    __attribute__((warn_unused_result));

/* The last seq and its hash (seq 0 and zero hash for an empty log), to
 * anchor the log elsewhere.  -1 and st 451 on an SQL error. */
int auditlog_head(struct db *db, uint64_t *seq, uint8_t hash[AUDITLOG_HASHBYTES],
    struct status *st);

/* Calls fn for each entry about msgid (all entries if msgid is NULL) in seq
 * order; fn returning non-zero stops the walk.  The entry's strings live
 * until fn returns.  -1 and st 451 on an SQL error. */
int auditlog_foreach(struct db *db, const uint8_t *msgid,
    int (*fn)(const struct auditlog_entry *e, void *arg), void *arg, struct status *st);

/* The columns of an audit row, in the order auditlog_read_row expects them
 * (SELECT AUDITLOG_ROW_COLUMNS FROM audit ...), so an independent checker
 * reads rows exactly as auditlog_verify does. */
#define AUDITLOG_ROW_COLUMNS \
	"seq, time_ms, event, agency, message_id, detail, prev_hash, hash"
enum auditlog_column {
	AUDITLOG_COL_SEQ, AUDITLOG_COL_TIME, AUDITLOG_COL_EVENT, AUDITLOG_COL_AGENCY,
	AUDITLOG_COL_MSGID, AUDITLOG_COL_DETAIL, AUDITLOG_COL_PREV, AUDITLOG_COL_HASH
};

/* Fills e (strings borrowed from s, valid until the next step) and, if prev
 * and hash are not NULL, points them at the stored 32-byte hash columns,
 * from the current row of a SELECT AUDITLOG_ROW_COLUMNS.  0, or -1 if a
 * column has the wrong type or size (a damaged or hand-edited row). */
int auditlog_read_row(sqlite3_stmt *s, struct auditlog_entry *e, const uint8_t **prev,
    const uint8_t **hash) __attribute__((warn_unused_result));

/* The record hash of one entry given its predecessor's hash (exported so
 * an independent checker and the tests compute exactly what verify does).
 * -1 if a field is over its limit. */
int auditlog_hash(const struct auditlog_entry *e, const uint8_t prev[AUDITLOG_HASHBYTES],
    uint8_t out[AUDITLOG_HASHBYTES]);

#endif
