/* SPDX-License-Identifier: ISC */
/* Unit tests for agents/row.c, the column readers of the agent's SQL
 * modules: NULL columns read as 0, "" or absent; text is cut to the room
 * given; a message id is exactly 16 bytes; blobs are copied; counts with
 * and without a filter; a row found by message id.  The unit under test is
 * included. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "agents/row.c"

static const char table_sql[] =
	"CREATE TABLE t (n INTEGER, s TEXT, b BLOB, state TEXT);"
	"INSERT INTO t VALUES (NULL, NULL, NULL, 'a');"
	"INSERT INTO t VALUES (1700000000000, 'hello world', x'00112233445566778899aabbccddeeff', 'b');"
	"INSERT INTO t VALUES (7, '', x'0102', 'b');";
static const char select_sql[] = "SELECT n, s, b, state FROM t ORDER BY rowid";
static const char count_sql[] = "SELECT count(*) FROM t WHERE ?1 IS NULL OR state = ?1";

static struct db *
open_table(char *path, size_t cap)
{
	struct status st;
	struct db *db;
	int fd;

	snprintf(path, cap, "/tmp/test_row.XXXXXX");
	assert_true((fd = mkstemp(path)) >= 0);
	close(fd);
	unlink(path);
	assert_non_null(db = db_open(path, &st));
	assert_int_equal(db_exec(db, table_sql, &st), 0);
	return db;
}

static void
close_table(struct db **db, const char *path)
{
	char wal[128];

	db_close(db);
	unlink(path);
	snprintf(wal, sizeof(wal), "%s-wal", path);
	unlink(wal);
	snprintf(wal, sizeof(wal), "%s-shm", path);
	unlink(wal);
}

static void
columns_read_with_nulls_as_absent(void **state)
{
	char path[64], text[6];
	uint8_t id[IDS_MSGID_BYTES], *blob;
	struct status st;
	sqlite3_stmt *s;
	struct db *db = open_table(path, sizeof(path));
	size_t len;

	(void)state;
	assert_non_null(s = db_prepare(db, select_sql, &st));
	assert_int_equal(db_step(db, s, &st), DB_ROW);
	assert_int_equal(row_u64(s, 0), 0);
	memset(text, 'x', sizeof(text));
	row_text(s, 1, text, sizeof(text));
	assert_string_equal(text, "");
	memset(id, 0xee, sizeof(id));
	assert_int_equal(row_id(s, 2, id), 0);
	assert_int_equal(id[0], 0xee);	/* untouched */
	blob = (uint8_t *)"x";
	assert_int_equal(row_blob(s, 2, &blob, &len, &st), 0);
	assert_null(blob);
	assert_int_equal(len, 0);

	assert_int_equal(db_step(db, s, &st), DB_ROW);
	assert_int_equal(row_u64(s, 0), 1700000000000ull);
	row_text(s, 1, text, sizeof(text));
	assert_string_equal(text, "hello");	/* cut to the room */
	assert_int_equal(row_id(s, 2, id), 1);
	assert_int_equal(id[0], 0x00);
	assert_int_equal(id[15], 0xff);
	assert_int_equal(row_blob(s, 2, &blob, &len, &st), 0);
	assert_int_equal(len, IDS_MSGID_BYTES);
	assert_memory_equal(blob, id, IDS_MSGID_BYTES);
	free(blob);

	assert_int_equal(db_step(db, s, &st), DB_ROW);
	assert_int_equal(row_u64(s, 0), 7);
	assert_int_equal(row_id(s, 2, id), 0);	/* two bytes are no message id */
	assert_int_equal(row_blob(s, 2, &blob, &len, &st), 0);
	assert_int_equal(len, 2);
	assert_int_equal(blob[1], 0x02);
	free(blob);
	assert_int_equal(db_step(db, s, &st), DB_DONE);
	close_table(&db, path);
}

static void
counts_and_names(void **state)
{
	static const char *const names[] = {"a", "b", "c"};
	char path[64];
	struct status st;
	struct db *db = open_table(path, sizeof(path));

	(void)state;
	assert_int_equal(row_count(db, count_sql, NULL, &st), 3);
	assert_int_equal(row_count(db, count_sql, "b", &st), 2);
	assert_int_equal(row_count(db, count_sql, "z", &st), 0);
	assert_int_equal(row_count(db, "SELECT count(*) FROM no_such_table", NULL, &st), -1);
	assert_int_equal(st.code, STATUS_STORE_FAILED);
	assert_int_equal(row_name_index(names, 3, "c"), 2);
	assert_int_equal(row_name_index(names, 3, "a"), 0);
	assert_int_equal(row_name_index(names, 2, "c"), -1);
	assert_int_equal(row_name_index(names, 3, NULL), -1);
	close_table(&db, path);
}

static void
find_by_message_id(void **state)
{
	static const char find_sql[] = "SELECT state, n FROM t WHERE b = ?1";
	uint8_t id[IDS_MSGID_BYTES];
	char path[64], text[8];
	struct status st;
	sqlite3_stmt *s;
	struct db *db = open_table(path, sizeof(path));
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(id); i++)
		id[i] = (uint8_t)(i * 0x11);
	assert_int_equal(row_find(db, "SELECT x FROM no_such_table WHERE b = ?1", id, &s, &st),
	    -1);
	assert_int_equal(st.code, STATUS_STORE_FAILED);
	assert_int_equal(row_find(db, find_sql, id, &s, &st), DB_ROW);
	row_text(s, 0, text, sizeof(text));
	assert_string_equal(text, "b");
	assert_int_equal(row_u64(s, 1), 1700000000000ull);
	assert_int_equal(db_step(db, s, &st), DB_DONE);	/* exactly one */
	id[0] = 0xee;
	assert_int_equal(row_find(db, find_sql, id, &s, &st), DB_DONE);
	close_table(&db, path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(columns_read_with_nulls_as_absent),
		cmocka_unit_test(counts_and_names),
		cmocka_unit_test(find_by_message_id),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
