/* SPDX-License-Identifier: ISC */
/*
 * db: opening SQLite for durability, transactions, a statement cache and
 * the error texts.  Why these settings:
 *  - journal_mode=WAL: readers (stats, the audit tools) never block the
 *    writer, and a commit is one sequential append to the -wal file;
 *  - synchronous=FULL: in WAL mode NORMAL may lose the last commits on power
 *    loss, and a commit here is a promise ("accepted") made to another
 *    agency, so every commit is fsynced;
 *  - foreign_keys=ON: SQLite leaves it off by default, per connection;
 *  - busy_timeout: waits for a checkpoint or backup instead of failing at
 *    once, but never for long (DB_BUSY_TIMEOUT_MS), and then fails with 451.
 * Each pragma is read back, because SQLite silently ignores some it cannot
 * honour (WAL on a filesystem without shared memory, pragmas inside a
 * transaction).
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/db.h"

/* How much of an SQL statement an error text quotes to say what failed. */
#define SQL_QUOTE_MAX 40
#define SAVEPOINT_NAME "dutynet_item"
/* PRAGMA synchronous reads back as a number: 2 is FULL. */
#define SYNCHRONOUS_FULL 2
/* Slots the statement cache starts with; it doubles up to the maximum. */
#define STMT_CACHE_FIRST 16
/* Room for a journal mode name, and for one short generated SQL text. */
#define MODE_TEXT_MAX 16
#define SHORT_SQL_MAX 64

struct db {
	sqlite3 *sql;
	char *path;
	sqlite3_stmt **stmts;	/* the statement cache, owned */
	size_t nstmts;
	size_t capstmts;
};

static const char *
hint(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_FULL:
		return "free disk space (or raise the quota), then retry";
	case SQLITE_IOERR:
		return "the disk failed to read or write; check the system log and the disk";
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return "another process held the database too long; retry";
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return "check the file and its directory exist and this user may write to them";
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return "the file is damaged or not a dutynet database; restore it from a backup";
	case SQLITE_NOMEM:
		return "out of memory; retry";
	case SQLITE_CONSTRAINT:
		return "the change conflicts with stored data";
	}
	return "retry; if it persists, report it as a bug";
}

int
db_error(struct db *db, int rc, const char *what, struct status *st)
{
	const char *msg = sqlite3_errstr(rc);

	/* The connection's message is more precise ("no such table: x") but
	 * only if it belongs to this failure. */
	if (db->sql != NULL && sqlite3_extended_errcode(db->sql) == rc)
		msg = sqlite3_errmsg(db->sql);
	return status_set(st, STATUS_STORE_FAILED, "%s: %s: %s; %s", db->path, what, msg, hint(rc));
}

/* The start of sql on one line, to name a failing statement. */
static void
quote_sql(const char *sql, char out[SQL_QUOTE_MAX + 4])
{
	size_t i, n = 0;

	while (*sql == ' ' || *sql == '\t' || *sql == '\n')
		sql++;
	for (i = 0; sql[i] != '\0' && n < SQL_QUOTE_MAX; i++)
		out[n++] = (sql[i] == '\n' || sql[i] == '\t') ? ' ' : sql[i];
	if (sql[i] != '\0') {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
}

static int
exec_as(struct db *db, const char *sql, const char *what, struct status *st)
{
	int rc = sqlite3_exec(db->sql, sql, NULL, NULL, NULL);

	if (rc != SQLITE_OK)
		return db_error(db, rc, what, st);
	return 0;
}

int
db_exec(struct db *db, const char *sql, struct status *st)
{
	char what[SQL_QUOTE_MAX + 4];

	quote_sql(sql, what);
	return exec_as(db, sql, what, st);
}

/* Runs a one-row pragma and returns its first column as text (into out)
 * or as a number. */
static int
pragma(struct db *db, const char *sql, char *out, size_t cap, long long *num, struct status *st)
{
	sqlite3_stmt *stmt = NULL;
	const unsigned char *text;
	int rc, ret = -1;

	rc = sqlite3_prepare_v2(db->sql, sql, -1, &stmt, NULL);
	if (rc != SQLITE_OK) {
		db_error(db, rc, sql, st);
		goto out;
	}
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW) {
		db_error(db, rc == SQLITE_DONE ? SQLITE_ERROR : rc, sql, st);
		goto out;
	}
	if (out != NULL) {
		text = sqlite3_column_text(stmt, 0);
		snprintf(out, cap, "%s", text != NULL ? (const char *)text : "");
	}
	if (num != NULL)
		*num = sqlite3_column_int64(stmt, 0);
	ret = 0;
out:
	sqlite3_finalize(stmt);
	return ret;
}

/* Creates the file ourselves so that it gets DB_FILE_MODE (SQLite would use
 * 0644) and so that a bad path fails with the plain errno. */
static int
create_file(const char *path, struct status *st)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, DB_FILE_MODE);

	if (fd == -1)
		return status_set(st, STATUS_STORE_FAILED,
		    "%s: cannot open the database read-write: %s; check the directory exists "
		    "and this user may write to it", path, strerror(errno));
	close(fd);
	return 0;
}

static int
set_pragmas(struct db *db, struct status *st)
{
	char mode[MODE_TEXT_MAX];
	long long v;

	sqlite3_extended_result_codes(db->sql, 1);
	sqlite3_busy_timeout(db->sql, DB_BUSY_TIMEOUT_MS);
	if (pragma(db, "PRAGMA busy_timeout", NULL, 0, &v, st) == -1)
		return -1;
	if (v != DB_BUSY_TIMEOUT_MS)
		return status_set(st, STATUS_STORE_FAILED, "%s: busy_timeout is %lld, not %d",
		    db->path, v, DB_BUSY_TIMEOUT_MS);
	if (pragma(db, "PRAGMA journal_mode=WAL", mode, sizeof(mode), NULL, st) == -1)
		return -1;
	if (strcmp(mode, "wal") != 0)
		return status_set(st, STATUS_STORE_FAILED,
		    "%s: journal_mode is '%s', not 'wal'; put the database on a local "
		    "filesystem", db->path, mode);
	if (db_exec(db, "PRAGMA synchronous=FULL", st) == -1 ||
	    pragma(db, "PRAGMA synchronous", NULL, 0, &v, st) == -1)
		return -1;
	if (v != SYNCHRONOUS_FULL)
		return status_set(st, STATUS_STORE_FAILED, "%s: synchronous is %lld, not FULL",
		    db->path, v);
	if (db_exec(db, "PRAGMA foreign_keys=ON", st) == -1 ||
	    pragma(db, "PRAGMA foreign_keys", NULL, 0, &v, st) == -1)
		return -1;
	if (v != 1)
		return status_set(st, STATUS_STORE_FAILED, "%s: foreign_keys did not turn on",
		    db->path);
	/* The savepoint of each item of a batch journals the pages it
	 * changes; in a temporary file that is a write per page (the broker's
	 * batches spent a sixth of their time there).  In memory it is freed
	 * at each RELEASE.  Nothing durable lives in temp storage. */
	return db_exec(db, "PRAGMA temp_store=MEMORY", st);
}

struct db *
db_open(const char *path, struct status *st)
{
	struct db *db;
	int rc;

	assert(path != NULL);
	if (create_file(path, st) == -1)
		return NULL;
	db = calloc(1, sizeof(*db));
	if (db == NULL || (db->path = strdup(path)) == NULL) {
		status_set(st, STATUS_STORE_FAILED, "%s: out of memory opening the database", path);
		goto fail;
	}
	/* The file exists now: no SQLITE_OPEN_CREATE, so SQLite never
	 * creates one with its own mode if it vanishes meanwhile. */
	rc = sqlite3_open_v2(path, &db->sql, SQLITE_OPEN_READWRITE, NULL);
	if (rc != SQLITE_OK) {
		db_error(db, rc, "open", st);
		goto fail;
	}
	/* SQLite falls back to read-only when it may not write the file; a
	 * daemon that cannot commit must not start. */
	if (sqlite3_db_readonly(db->sql, "main") != 0) {
		status_set(st, STATUS_STORE_FAILED, "%s: opened read-only; %s", path,
		    hint(SQLITE_READONLY));
		goto fail;
	}
	if (set_pragmas(db, st) == -1)
		goto fail;
	return db;
fail:
	db_close(&db);
	return NULL;
}

/* Resets every cached statement so none holds a read snapshot or a pending
 * write across the end of a transaction. */
static void
reset_all(struct db *db)
{
	size_t i;

	for (i = 0; i < db->nstmts; i++)
		sqlite3_reset(db->stmts[i]);
}

void
db_close(struct db **dbp)
{
	struct db *db;
	size_t i;

	if (dbp == NULL || *dbp == NULL)
		return;
	db = *dbp;
	for (i = 0; i < db->nstmts; i++)
		sqlite3_finalize(db->stmts[i]);
	free(db->stmts);
	if (db->sql != NULL) {
		if (!sqlite3_get_autocommit(db->sql))
			sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
		/* _v2: a module's own unfinalized statement delays the close
		 * instead of leaking the connection. */
		sqlite3_close_v2(db->sql);
	}
	free(db->path);
	free(db);
	*dbp = NULL;
}

sqlite3 *
db_handle(struct db *db)
{
	return db->sql;
}

const char *
db_path(const struct db *db)
{
	return db->path;
}

int
db_in_transaction(struct db *db)
{
	return !sqlite3_get_autocommit(db->sql);
}

int
db_begin(struct db *db, struct status *st)
{
	assert(!db_in_transaction(db));
	return exec_as(db, "BEGIN IMMEDIATE", "begin transaction", st);
}

int
db_commit(struct db *db, struct status *st)
{
	int rc;

	assert(db_in_transaction(db));
	reset_all(db);
	rc = sqlite3_exec(db->sql, "COMMIT", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		return 0;
	/* Name the failure before ROLLBACK replaces SQLite's message. */
	db_error(db, rc, "commit", st);
	if (db_in_transaction(db))
		sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

int
db_rollback(struct db *db, struct status *st)
{
	reset_all(db);
	if (!db_in_transaction(db))
		return 0;
	return exec_as(db, "ROLLBACK", "rollback", st);
}

int
db_savepoint(struct db *db, struct status *st)
{
	/* Outside BEGIN IMMEDIATE a savepoint would start a deferred
	 * transaction that can fail later with SQLITE_BUSY: a bug. */
	assert(db_in_transaction(db));
	return exec_as(db, "SAVEPOINT " SAVEPOINT_NAME, "savepoint", st);
}

int
db_release(struct db *db, struct status *st)
{
	return exec_as(db, "RELEASE " SAVEPOINT_NAME, "release savepoint", st);
}

int
db_rollback_to(struct db *db, struct status *st)
{
	/* ROLLBACK TO undoes but keeps the savepoint open; RELEASE ends it. */
	return exec_as(db, "ROLLBACK TO " SAVEPOINT_NAME "; RELEASE " SAVEPOINT_NAME,
	    "roll back to savepoint", st);
}

sqlite3_stmt *
db_prepare(struct db *db, const char *sql, struct status *st)
{
	char what[SQL_QUOTE_MAX + 4];
	sqlite3_stmt *stmt = NULL, **grown;
	const char *tail = NULL;
	size_t i, cap;
	int rc;

	for (i = 0; i < db->nstmts; i++) {
		if (strcmp(sqlite3_sql(db->stmts[i]), sql) == 0) {
			sqlite3_reset(db->stmts[i]);
			sqlite3_clear_bindings(db->stmts[i]);
			return db->stmts[i];
		}
	}
	assert(db->nstmts < DB_STMT_CACHE_MAX);
	if (db->nstmts == db->capstmts) {
		cap = db->capstmts == 0 ? STMT_CACHE_FIRST : db->capstmts * 2;
		grown = realloc(db->stmts, cap * sizeof(*grown));
		if (grown == NULL) {
			db_error(db, SQLITE_NOMEM, "prepare", st);
			return NULL;
		}
		db->stmts = grown;
		db->capstmts = cap;
	}
	rc = sqlite3_prepare_v3(db->sql, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
	if (rc != SQLITE_OK) {
		quote_sql(sql, what);
		db_error(db, rc, what, st);
		return NULL;
	}
	/* Empty SQL, or a second statement that would be silently ignored. */
	assert(stmt != NULL);
	assert(tail == NULL || tail[strspn(tail, " \t\n;")] == '\0');
	db->stmts[db->nstmts++] = stmt;
	return stmt;
}

int
db_step(struct db *db, sqlite3_stmt *stmt, struct status *st)
{
	char what[SQL_QUOTE_MAX + 4];
	int rc = sqlite3_step(stmt);

	if (rc == SQLITE_ROW)
		return DB_ROW;
	if (rc == SQLITE_DONE) {
		sqlite3_reset(stmt);
		return DB_DONE;
	}
	quote_sql(sqlite3_sql(stmt), what);
	db_error(db, rc, what, st);
	sqlite3_reset(stmt);
	return -1;
}

int
db_migrate(struct db *db, const char *const steps[], int count, struct status *st)
{
	char what[SHORT_SQL_MAX], sql[SHORT_SQL_MAX];
	long long version;
	int i;

	assert(count >= 0);
	if (db_begin(db, st) == -1)
		return -1;
	if (pragma(db, "PRAGMA user_version", NULL, 0, &version, st) == -1)
		goto fail;
	if (version > count) {
		status_set(st, STATUS_BAD_VERSION,
		    "%s: schema version %lld is newer than this program's %d; run the dutynet "
		    "that wrote it, or restore a backup", db->path, version, count);
		goto fail;
	}
	for (i = (int)version; i < count; i++) {
		snprintf(what, sizeof(what), "schema step to version %d", i + 1);
		if (exec_as(db, steps[i], what, st) == -1)
			goto fail;
	}
	/* user_version lives in the file header, inside the transaction. */
	snprintf(sql, sizeof(sql), "PRAGMA user_version=%d", count);
	if (db_exec(db, sql, st) == -1)
		goto fail;
	return db_commit(db, st);
fail:
	db_rollback(db, NULL);
	return -1;
}
