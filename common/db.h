/* SPDX-License-Identifier: ISC */
/*
 * db: the daemons' SQLite connection, opened the one way that makes a
 * commit mean "on disk": WAL journal, synchronous=FULL, foreign keys on, and
 * a bounded busy timeout.  The modules that own SQL (store.c, outbox.c,
 * inbox.c) keep their schema and statements to themselves and use this for
 * opening, transactions, cached statements and error texts.
 *
 * Every failure returns -1 and fills st with STATUS_STORE_FAILED (451, a
 * temporary code: retry later with the same message id) and a text naming
 * the database file, what was being done, SQLite's message and what to do.
 * Nothing is lost by a failure, because nothing is acknowledged until
 * db_commit has returned 0, and a failed commit rolls back.
 *
 * GROUP COMMIT.  An fsync costs milliseconds; a daemon that receives a burst
 * applies many messages in one transaction and pays for one fsync:
 *
 *	db_begin(db, st)                  -- BEGIN IMMEDIATE: takes the write lock
 *	for each message m received:
 *		db_savepoint(db, st)
 *		if (apply(m) == 0)        -- apply: the owning module's SQL
 *			db_release(db, st), result[m] = accepted
 *		else if (the failure is m's own fault, a 5xx)
 *			db_rollback_to(db, st), result[m] = the 5xx
 *		else                      -- 451: the store failed; stop
 *			goto fail
 *	if (db_commit(db, st) == 0)
 *		send result[m] for every m    -- only now, after the fsync
 *	else
 *	fail:	db_rollback(db, NULL), answer every m in the batch 451
 *
 * A 451 ends the whole batch (SQLite may already have rolled the
 * transaction back for SQLITE_FULL or SQLITE_IOERR); no reply, not even a
 * rejection, goes out before the commit, so what a peer was told always
 * matches what is on disk.
 */
#ifndef DUTYNET_DB_H
#define DUTYNET_DB_H

#include <sqlite3.h>

#include "proto/status.h"

/* How long a statement waits for another connection's lock before failing
 * with 451.  Long enough to ride out a checkpoint or a backup, short enough
 * that a sender is answered well inside its retry interval. */
#define DB_BUSY_TIMEOUT_MS 5000
/* The mode a new database file is created with: it holds messages. */
#define DB_FILE_MODE 0600
/* Distinct statements db_prepare may cache per connection.  A program has a
 * fixed set of SQL strings, so reaching this means SQL is being built at
 * run time, which is a bug (asserts). */
#define DB_STMT_CACHE_MAX 256

/* db_step's results besides -1. */
#define DB_DONE 0
#define DB_ROW 1

struct db;

/* Opens or creates the database file at path (created DB_FILE_MODE), sets
 * and reads back the pragmas; the caller owns the result.  NULL and st 451
 * naming the path if it cannot be opened read-write or a pragma does not
 * take. */
struct db *db_open(const char *path, struct status *st);

/* Closes *dbp (rolling back an open transaction) and sets it to NULL;
 * accepts NULL and *dbp == NULL. */
void db_close(struct db **dbp);

/* The SQLite connection, borrowed, for the owning module's own calls. */
sqlite3 *db_handle(struct db *db);

/* The file name db_open was given, borrowed. */
const char *db_path(const struct db *db);

/* Runs one or more SQL statements without parameters or results. */
int db_exec(struct db *db, const char *sql, struct status *st)
    __attribute__((warn_unused_result));

/* BEGIN IMMEDIATE: takes the write lock now, so a busy database fails here
 * and not halfway through a batch.  Beginning twice is a bug (asserts). */
int db_begin(struct db *db, struct status *st) __attribute__((warn_unused_result));

/* COMMIT: 0 once the transaction is durable.  On failure it rolls back and
 * returns -1 with st 451: nothing in the transaction happened. */
int db_commit(struct db *db, struct status *st) __attribute__((warn_unused_result));

/* ROLLBACK if a transaction is open (SQLite may have ended it already);
 * st may be NULL on error paths. */
int db_rollback(struct db *db, struct status *st);

/* 1 if a transaction is open. */
int db_in_transaction(struct db *db);

/* One item of a group transaction (see above): db_savepoint starts it,
 * db_release keeps its changes, db_rollback_to undoes them and ends it. */
int db_savepoint(struct db *db, struct status *st) __attribute__((warn_unused_result));
int db_release(struct db *db, struct status *st) __attribute__((warn_unused_result));
int db_rollback_to(struct db *db, struct status *st) __attribute__((warn_unused_result));

/* A compiled statement for sql (one statement, a constant string), reset
 * and with its bindings cleared, from the connection's cache (compiled on
 * first use).  The statement belongs to db and lives until db_close.
 * db_commit, db_rollback and the next db_prepare of the same sql reset it,
 * so copy any column you need before then.  NULL and st 451 if sql does not
 * compile against this database's schema. */
sqlite3_stmt *db_prepare(struct db *db, const char *sql, struct status *st);

/* Steps stmt: DB_ROW (columns readable), DB_DONE (reset for reuse), or -1
 * and st 451 (reset). */
int db_step(struct db *db, sqlite3_stmt *stmt, struct status *st)
    __attribute__((warn_unused_result));

/* Brings the schema up to version count: steps[i] is the SQL that takes
 * version i to i + 1 (PRAGMA user_version), all in one transaction.  A file
 * already at count is left alone; one newer than count (written by a later
 * dutynet) is refused with st 502 rather than misread. */
int db_migrate(struct db *db, const char *const steps[], int count, struct status *st)
    __attribute__((warn_unused_result));

/* Fills st from SQLite's result code rc and the connection's message, as
 * "PATH: WHAT: MESSAGE; WHAT TO DO", and returns -1: for the owning module's
 * own sqlite3_* calls. */
int db_error(struct db *db, int rc, const char *what, struct status *st);

#endif
