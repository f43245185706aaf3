/* SPDX-License-Identifier: ISC */
/*
 * auditdb: one dutynet database (the broker's or an agent's) opened for
 * the auditor, strictly read-only, and what kind of database it is and
 * whose log it holds.
 *
 * How it is opened, and why (audit/README.md, "Reading live databases"):
 * - always SQLITE_OPEN_READONLY through a "file:PATH?mode=ro" URI, so
 *   nothing the auditor does can write the file;
 * - when PATH-wal does not exist (a copy, or a daemon that stopped
 *   cleanly), also `immutable=1`: SQLite then takes no locks and creates no
 *   -wal or -shm file next to the copy (a copy on read-only media works);
 * - when PATH-wal exists (a daemon has it open, or was killed), as an
 *   ordinary WAL reader, which sees every committed transaction, never
 *   blocks the writer and never checkpoints.
 * Everything is read inside one read transaction (BEGIN at open, ROLLBACK
 * at close), so all the tables come from one consistent snapshot even
 * while the daemon keeps appending.
 *
 * The owner (whose log it is) is found from signed content: an agent's
 * outbox envelopes are `from` it and its inbox envelopes `to` it; the
 * broker's database is the directory's broker; otherwise the origin of its
 * checkpoints.  The checks compare every checkpoint's origin with it.
 */
#ifndef DUTYNET_AUDIT_AUDITDB_H
#define DUTYNET_AUDIT_AUDITDB_H

#include <stdbool.h>

#include <sqlite3.h>

#include "proto/ids.h"
#include "proto/status.h"

/* Room for the URI built from a path (each byte may become %XX). */
#define AUDITDB_URI_MAX 4200
#define AUDITDB_PATH_MAX 1024
#define AUDITDB_WAL_SUFFIX "-wal"

enum auditdb_kind {
	AUDITDB_BROKER = 1,	/* has `messages`: the broker's */
	AUDITDB_AGENT = 2,	/* has `outbox` and `inbox`: an agency's */
	AUDITDB_LOG = 3,	/* only an audit table (a test or a generated log) */
};

struct auditdb {
	sqlite3 *h;
	char *path;
	enum auditdb_kind kind;
	char owner[IDS_AGENCY_MAX + 1];	/* "" while unknown */
	bool immutable;			/* opened with immutable=1 */
	bool has_checkpoints;		/* table checkpoints */
	bool has_agency_checkpoints;	/* table agency_checkpoints (broker) */
	bool has_deadlines;		/* tables deadlines and deadline_timers (broker) */
};

/* Opens path read-only as above and identifies its kind; the caller owns
 * the result.  broker_id names the owner of a broker database (the
 * directory's broker id; NULL: from its checkpoints).  NULL and st: 421 if
 * the file cannot be opened or read, 500 if it has no audit table. */
struct auditdb *auditdb_open(const char *path, const char *broker_id, struct status *st);

/* Ends the read transaction, closes *dbp and sets it to NULL; accepts NULL. */
void auditdb_close(struct auditdb **dbp);

/* Compiles sql against db; the caller finalizes it.  NULL and st 421
 * naming the file and SQLite's message. */
sqlite3_stmt *auditdb_prepare(struct auditdb *db, const char *sql, struct status *st);

/* Fills st 421 with "PATH: what: SQLite's message" and returns -1. */
int auditdb_error(struct auditdb *db, const char *what, struct status *st);

/* "broker", "agent" or "log". */
const char *auditdb_kind_name(enum auditdb_kind kind);

/* The last seq of the audit log (0 if empty), for progress and sizes.
 * -1 and st 421. */
int auditdb_last_seq(struct auditdb *db, sqlite3_int64 *last, struct status *st);

#endif
