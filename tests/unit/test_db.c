/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for common/db.c: each runs in its own mkdtemp directory, reads
 * SQLite's settings back through a second path (the raw handle, or a fresh
 * connection after close), and provokes the environment failures a daemon
 * must survive: a locked database, a full disk (PRAGMA max_page_count), an
 * unwritable or damaged file.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/db.h"

/* The user the unwritable-path test drops to when run as root. */
#define NOBODY_UID 65534

struct fixture {
	char dir[64];
	char path[128];
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/dutynet-test-db-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/test.db", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "chmod -R u+rwx '%s' && rm -rf '%s'", f->dir, f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* One integer from a query on the raw handle. */
static long long
query_int(struct db *db, const char *sql)
{
	sqlite3_stmt *stmt;
	long long v;

	assert_int_equal(sqlite3_prepare_v2(db_handle(db), sql, -1, &stmt, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	v = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return v;
}

static struct db *
open_ok(const char *path)
{
	struct status st;
	struct db *db = db_open(path, &st);

	if (db == NULL)
		fail_msg("db_open %s: %s", path, st.text);
	return db;
}

static void
open_missing_directory_names_path_and_errno(void **state)
{
	struct fixture *f = *state;
	struct status st;
	char path[256];

	snprintf(path, sizeof(path), "%s/no-such-dir/broker.db", f->dir);
	assert_null(db_open(path, &st));
	assert_int_equal(st.code, STATUS_STORE_FAILED);
	assert_non_null(strstr(st.text, path));
	assert_non_null(strstr(st.text, strerror(ENOENT)));
}

static void
open_directory_fails(void **state)
{
	struct fixture *f = *state;
	struct status st;

	assert_null(db_open(f->dir, &st));
	assert_int_equal(st.code, STATUS_STORE_FAILED);
	assert_non_null(strstr(st.text, f->dir));
	assert_non_null(strstr(st.text, strerror(EISDIR)));
}

/* A file that is not SQLite is refused, not overwritten. */
static void
open_not_a_database_fails(void **state)
{
	struct fixture *f = *state;
	struct status st;
	FILE *fp = fopen(f->path, "w");
	char junk[4096];

	assert_non_null(fp);
	memset(junk, 'j', sizeof(junk));
	assert_int_equal(fwrite(junk, 1, sizeof(junk), fp), sizeof(junk));
	fclose(fp);
	assert_null(db_open(f->path, &st));
	assert_int_equal(st.code, STATUS_STORE_FAILED);
	assert_non_null(strstr(st.text, f->path));
	assert_non_null(strstr(st.text, "not a database"));
	assert_non_null(strstr(st.text, "restore it from a backup"));
}

/* Checks, in a child that is not root (root may write anything), that a
 * read-only file and a read-only directory are refused by name. */
static int
unwritable_child(const struct fixture *f, const char *newpath)
{
	struct status st;

	if (geteuid() == 0 && setuid(NOBODY_UID) == -1)
		return 10;
	if (db_open(f->path, &st) != NULL)
		return 11;
	if (st.code != STATUS_STORE_FAILED || strstr(st.text, f->path) == NULL ||
	    strstr(st.text, strerror(EACCES)) == NULL)
		return 12;
	if (db_open(newpath, &st) != NULL)
		return 13;
	if (st.code != STATUS_STORE_FAILED || strstr(st.text, newpath) == NULL ||
	    strstr(st.text, strerror(EACCES)) == NULL)
		return 14;
	return 0;
}

static void
open_unwritable_path_fails(void **state)
{
	struct fixture *f = *state;
	char newpath[256];
	struct db *db;
	pid_t pid;
	int status;

	db = open_ok(f->path);
	db_close(&db);
	snprintf(newpath, sizeof(newpath), "%s/new.db", f->dir);
	assert_int_equal(chmod(f->path, 0444), 0);
	assert_int_equal(chmod(f->dir, 0555), 0);
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0)
		_exit(unwritable_child(f, newpath));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void
pragmas_read_back(void **state)
{
	struct fixture *f = *state;
	struct db *db = open_ok(f->path);
	sqlite3_stmt *stmt;
	struct stat sb;

	assert_string_equal(db_path(db), f->path);
	assert_int_equal(sqlite3_prepare_v2(db_handle(db), "PRAGMA journal_mode", -1, &stmt,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(stmt, 0), "wal");
	sqlite3_finalize(stmt);
	assert_int_equal(query_int(db, "PRAGMA synchronous"), 2);	/* FULL */
	assert_int_equal(query_int(db, "PRAGMA foreign_keys"), 1);
	assert_int_equal(query_int(db, "PRAGMA busy_timeout"), DB_BUSY_TIMEOUT_MS);
	assert_int_equal(stat(f->path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, DB_FILE_MODE);
	db_close(&db);
	assert_null(db);
}

static void
foreign_keys_are_enforced(void **state)
{
	struct fixture *f = *state;
	struct db *db = open_ok(f->path);
	struct status st;

	assert_int_equal(db_exec(db, "CREATE TABLE parent(id INTEGER PRIMARY KEY);"
	    "CREATE TABLE child(p INTEGER REFERENCES parent(id))", &st), 0);
	assert_int_equal(db_exec(db, "INSERT INTO child VALUES (7)", &st), -1);
	assert_int_equal(st.code, STATUS_STORE_FAILED);
	assert_non_null(strstr(st.text, f->path));
	assert_non_null(strstr(st.text, "FOREIGN KEY constraint failed"));
	assert_non_null(strstr(st.text, "INSERT INTO child"));
	db_close(&db);
}

static void
exec_error_names_statement(void **state)
{
	struct fixture *f = *state;
	struct db *db = open_ok(f->path);
	struct status st;

	assert_int_equal(db_exec(db, "\n\tSELEC nonsense that is long enough to be cut short", &st),
	    -1);
	assert_int_equal(st.code, STATUS_STORE_FAILED);
	assert_non_null(strstr(st.text, "SELEC nonsense that is long enough to be..."));
	assert_non_null(strstr(st.text, "syntax error"));
	db_close(&db);
}

static void
commit_keeps_and_rollback_discards(void **state)
{
	struct fixture *f = *state;
	struct db *db = open_ok(f->path);
	struct status st;

	assert_int_equal(db_exec(db, "CREATE TABLE t(x)", &st), 0);
	assert_false(db_in_transaction(db));
	assert_int_equal(db_begin(db, &st), 0);
	assert_true(db_in_transaction(db));
	assert_int_equal(db_exec(db, "INSERT INTO t VALUES (1)", &st), 0);
	assert_int_equal(db_commit(db, &st), 0);
	assert_false(db_in_transaction(db));
	assert_int_equal(db_begin(db, &st), 0);
	assert_int_equal(db_exec(db, "INSERT INTO t VALUES (2)", &st), 0);
	assert_int_equal(db_rollback(db, &st), 0);
	assert_false(db_in_transaction(db));
	/* Rolling back with nothing open is harmless (error paths do it). */
	assert_int_equal(db_rollback(db, NULL), 0);
	/* Closing with a transaction open rolls it back. */
	assert_int_equal(db_begin(db, &st), 0);
	assert_int_equal(db_exec(db, "INSERT INTO t VALUES (3)", &st), 0);
	db_close(&db);
	db_close(&db);
	db_close(NULL);
	db = open_ok(f->path);
	assert_int_equal(query_int(db, "SELECT count(*) FROM t"), 1);
	assert_int_equal(query_int(db, "SELECT x FROM t"), 1);
	db_close(&db);
}

/* A commit that fails (here a deferred foreign key) rolls back and says so. */
static void
failed_commit_rolls_back(void **state)
{
	struct fixture *f = *state;
	struct db *db = open_ok(f->path);
	struct status st;

	assert_int_equal(db_exec(db, "CREATE TABLE parent(id INTEGER PRIMARY KEY);"
	    "CREATE TABLE child(p INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)",
	    &st), 0);
	assert_int_equal(db_begin(db, &st), 0);
	assert_int_equal(db_exec(db, "INSERT INTO child VALUES (7)", &st), 0);
	assert_int_equal(db_commit(db, &st), -1);
	assert_int_equal(st.code, STATUS_STORE_FAILED);
	assert_non_null(strstr(st.text, "commit"));
	assert_non_null(strstr(st.text, "FOREIGN KEY constraint failed"));
	assert_false(db_in_transaction(db));
	assert_int_equal(query_int(db, "SELECT count(*) FROM child"), 0);
	db_close(&db);
}

static void
busy_database_fails_with_451(void **state)
{
	struct fixture *f = *state;
	struct db *a = open_ok(f->path), *b = open_ok(f->path);
	struct status st;

	assert_int_equal(db_exec(a, "CREATE TABLE t(x)", &st), 0);
	assert_int_equal(db_begin(a, &st), 0);
	/* The test does not wait DB_BUSY_TIMEOUT_MS: b gives up at once. */
	sqlite3_busy_timeout(db_handle(b), 0);
	assert_int_equal(db_begin(b, &st), -1);
	assert_int_equal(st.code, STATUS_STORE_FAILED);
	assert_non_null(strstr(st.text, f->path));
	assert_non_null(strstr(st.text, "database is locked"));
	assert_non_null(strstr(st.text, "retry"));
	assert_false(db_in_transaction(b));
	assert_int_equal(db_commit(a, &st), 0);
	assert_int_equal(db_begin(b, &st), 0);
	assert_int_equal(db_commit(b, &st), 0);
	db_close(&a);
	db_close(&b);
}

static void
full_disk_fails_with_451_and_keeps_committed_data(void **state)
{
	struct fixture *f = *state;
	struct db *db = open_ok(f->path);
	struct status st;
	sqlite3_stmt *ins;
	char sql[64];
	int i, rc = 0;

	assert_int_equal(db_exec(db, "CREATE TABLE t(n INTEGER, b BLOB)", &st), 0);
	assert_int_equal(db_begin(db, &st), 0);
	for (i = 0; i < 3; i++) {
		ins = db_prepare(db, "INSERT INTO t VALUES (?, zeroblob(100))", &st);
		assert_non_null(ins);
		sqlite3_bind_int(ins, 1, i);
		assert_int_equal(db_step(db, ins, &st), DB_DONE);
	}
	assert_int_equal(db_commit(db, &st), 0);
	/* The disk is full: the file may not grow by a page. */
	snprintf(sql, sizeof(sql), "PRAGMA max_page_count=%lld",
	    query_int(db, "PRAGMA page_count"));
	assert_int_equal(db_exec(db, sql, &st), 0);
	assert_int_equal(db_begin(db, &st), 0);
	for (i = 0; i < 100; i++) {
		ins = db_prepare(db, "INSERT INTO t VALUES (?, zeroblob(8192))", &st);
		assert_non_null(ins);
		sqlite3_bind_int(ins, 1, 100 + i);
		if ((rc = db_step(db, ins, &st)) == -1)
			break;
	}
	assert_int_equal(rc, -1);
	assert_int_equal(st.code, STATUS_STORE_FAILED);
	assert_non_null(strstr(st.text, f->path));
	assert_non_null(strstr(st.text, "full"));
	assert_non_null(strstr(st.text, "free disk space"));
	assert_int_equal(db_rollback(db, &st), 0);
	db_close(&db);
	db = open_ok(f->path);
	assert_int_equal(query_int(db, "SELECT count(*) FROM t"), 3);
	assert_int_equal(query_int(db, "SELECT sum(n) FROM t"), 0 + 1 + 2);
	db_close(&db);
}

/* The group-commit pattern of db.h: one item undone, the others kept. */
static void
savepoints_undo_one_item_of_a_batch(void **state)
{
	struct fixture *f = *state;
	struct db *db = open_ok(f->path);
	struct status st;

	assert_int_equal(db_exec(db, "CREATE TABLE t(x UNIQUE)", &st), 0);
	assert_int_equal(db_begin(db, &st), 0);
	assert_int_equal(db_savepoint(db, &st), 0);
	assert_int_equal(db_exec(db, "INSERT INTO t VALUES ('a')", &st), 0);
	assert_int_equal(db_release(db, &st), 0);
	assert_int_equal(db_savepoint(db, &st), 0);
	assert_int_equal(db_exec(db, "INSERT INTO t VALUES ('b')", &st), 0);
	assert_int_equal(db_exec(db, "INSERT INTO t VALUES ('a')", &st), -1);
	assert_non_null(strstr(st.text, "UNIQUE constraint failed"));
	assert_int_equal(db_rollback_to(db, &st), 0);
	assert_true(db_in_transaction(db));
	assert_int_equal(db_savepoint(db, &st), 0);
	assert_int_equal(db_exec(db, "INSERT INTO t VALUES ('c')", &st), 0);
	assert_int_equal(db_release(db, &st), 0);
	assert_int_equal(db_commit(db, &st), 0);
	db_close(&db);
	db = open_ok(f->path);
	assert_int_equal(query_int(db, "SELECT count(*) FROM t"), 2);
	assert_int_equal(query_int(db, "SELECT count(*) FROM t WHERE x IN ('a', 'c')"), 2);
	/* Releasing a savepoint that was never started is an error, not a crash. */
	assert_int_equal(db_release(db, &st), -1);
	assert_int_equal(st.code, STATUS_STORE_FAILED);
	db_close(&db);
}

static void
prepare_caches_resets_and_reports(void **state)
{
	struct fixture *f = *state;
	struct db *db = open_ok(f->path);
	struct status st;
	sqlite3_stmt *a, *b;

	assert_null(db_prepare(db, "SELECT x FROM nosuch", &st));
	assert_int_equal(st.code, STATUS_STORE_FAILED);
	assert_non_null(strstr(st.text, f->path));
	assert_non_null(strstr(st.text, "no such table: nosuch"));
	assert_int_equal(db_exec(db, "CREATE TABLE t(x PRIMARY KEY)", &st), 0);

	a = db_prepare(db, "SELECT ?1", &st);
	assert_non_null(a);
	sqlite3_bind_int(a, 1, 42);
	assert_int_equal(db_step(db, a, &st), DB_ROW);
	assert_int_equal(sqlite3_column_int(a, 0), 42);
	/* The same SQL: the same statement, reset, bindings cleared. */
	b = db_prepare(db, "SELECT ?1", &st);
	assert_ptr_equal(a, b);
	assert_int_equal(db_step(db, b, &st), DB_ROW);
	assert_int_equal(sqlite3_column_type(b, 0), SQLITE_NULL);
	assert_int_equal(db_step(db, b, &st), DB_DONE);

	a = db_prepare(db, "INSERT INTO t VALUES (?)", &st);
	assert_non_null(a);
	assert_ptr_not_equal(a, b);
	sqlite3_bind_int(a, 1, 1);
	assert_int_equal(db_step(db, a, &st), DB_DONE);
	a = db_prepare(db, "INSERT INTO t VALUES (?)", &st);
	sqlite3_bind_int(a, 1, 1);
	assert_int_equal(db_step(db, a, &st), -1);
	assert_int_equal(st.code, STATUS_STORE_FAILED);
	assert_non_null(strstr(st.text, "UNIQUE constraint failed"));
	assert_non_null(strstr(st.text, "INSERT INTO t VALUES (?)"));
	/* Reset after the failure: usable again at once. */
	sqlite3_bind_int(a, 1, 2);
	assert_int_equal(db_step(db, a, &st), DB_DONE);
	assert_int_equal(query_int(db, "SELECT count(*) FROM t"), 2);
	db_close(&db);
}

static void
migrate_runs_each_step_once(void **state)
{
	struct fixture *f = *state;
	static const char *const steps[] = {
		"CREATE TABLE a(x)",
		"CREATE TABLE b(x); INSERT INTO b VALUES (1)",
		"CREATE TABLE c(x)",
		"CREATE TABLE d(x); SELECT nosuch FROM a",
	};
	struct db *db = open_ok(f->path);
	struct status st;

	assert_int_equal(db_migrate(db, steps, 2, &st), 0);
	assert_int_equal(query_int(db, "PRAGMA user_version"), 2);
	/* Again: nothing to do (re-running CREATE TABLE would fail). */
	assert_int_equal(db_migrate(db, steps, 2, &st), 0);
	assert_int_equal(query_int(db, "SELECT count(*) FROM b"), 1);
	assert_int_equal(db_migrate(db, steps, 3, &st), 0);
	assert_int_equal(query_int(db, "PRAGMA user_version"), 3);
	assert_int_equal(query_int(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'c'"), 1);

	/* A failing step leaves the version and the schema as they were. */
	assert_int_equal(db_migrate(db, steps, 4, &st), -1);
	assert_int_equal(st.code, STATUS_STORE_FAILED);
	assert_non_null(strstr(st.text, "schema step to version 4"));
	assert_non_null(strstr(st.text, "no such column: nosuch"));
	assert_false(db_in_transaction(db));
	assert_int_equal(query_int(db, "PRAGMA user_version"), 3);
	assert_int_equal(query_int(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'd'"), 0);

	/* A file from a newer dutynet is refused, not misread. */
	assert_int_equal(db_migrate(db, steps, 1, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_VERSION);
	assert_non_null(strstr(st.text, f->path));
	assert_non_null(strstr(st.text, "schema version 3 is newer than this program's 1"));
	assert_int_equal(query_int(db, "PRAGMA user_version"), 3);
	db_close(&db);
}

static void
error_text_for_a_module_own_call(void **state)
{
	struct fixture *f = *state;
	struct db *db = open_ok(f->path);
	struct status st;

	assert_int_equal(db_error(db, SQLITE_IOERR_WRITE, "append to outbox", &st), -1);
	assert_int_equal(st.code, STATUS_STORE_FAILED);
	assert_true(strncmp(st.text, f->path, strlen(f->path)) == 0);
	assert_non_null(strstr(st.text, ": append to outbox: disk I/O error; "));
	assert_non_null(strstr(st.text, "check the system log"));
	assert_int_equal(db_error(db, SQLITE_FULL, "x", NULL), -1);
	db_close(&db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(open_missing_directory_names_path_and_errno, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(open_directory_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(open_not_a_database_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(open_unwritable_path_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(foreign_keys_are_enforced, setup, teardown),
		cmocka_unit_test_setup_teardown(exec_error_names_statement, setup, teardown),
		cmocka_unit_test_setup_teardown(failed_commit_rolls_back, setup, teardown),
		cmocka_unit_test_setup_teardown(busy_database_fails_with_451, setup, teardown),
		cmocka_unit_test_setup_teardown(full_disk_fails_with_451_and_keeps_committed_data,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(pragmas_read_back, setup, teardown),
		cmocka_unit_test_setup_teardown(commit_keeps_and_rollback_discards, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(savepoints_undo_one_item_of_a_batch, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(prepare_caches_resets_and_reports, setup, teardown),
		cmocka_unit_test_setup_teardown(migrate_runs_each_step_once, setup, teardown),
		cmocka_unit_test_setup_teardown(error_text_for_a_module_own_call, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
