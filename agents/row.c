/* SPDX-License-Identifier: ISC */
/*
 * row: column readers for the agent's SQL modules (see row.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agents/row.h"

uint64_t
row_u64(sqlite3_stmt *s, int col)
{
	return sqlite3_column_type(s, col) == SQLITE_NULL ? 0 :
	    (uint64_t)sqlite3_column_int64(s, col);
}

void
row_text(sqlite3_stmt *s, int col, char *out, size_t cap)
{
	const unsigned char *t = sqlite3_column_text(s, col);

	snprintf(out, cap, "%s", t != NULL ? (const char *)t : "");
}

int
row_id(sqlite3_stmt *s, int col, uint8_t id[IDS_MSGID_BYTES])
{
	if (sqlite3_column_bytes(s, col) != IDS_MSGID_BYTES)
		return 0;
	memcpy(id, sqlite3_column_blob(s, col), IDS_MSGID_BYTES);
	return 1;
}

int
row_blob(sqlite3_stmt *s, int col, uint8_t **out, size_t *len, struct status *st)
{
	*out = NULL;
	*len = 0;
	if (sqlite3_column_type(s, col) == SQLITE_NULL)
		return 0;
	*len = (size_t)sqlite3_column_bytes(s, col);
	if ((*out = malloc(*len ? *len : 1)) == NULL)
		return status_set(st, STATUS_STORE_FAILED,
		    "out of memory reading %zu bytes from the agent database", *len);
	memcpy(*out, sqlite3_column_blob(s, col), *len);
	return 0;
}

int
row_find(struct db *db, const char *sql, const uint8_t id[IDS_MSGID_BYTES],
    sqlite3_stmt **sp, struct status *st)
{
	if ((*sp = db_prepare(db, sql, st)) == NULL)
		return -1;
	sqlite3_bind_blob(*sp, 1, id, IDS_MSGID_BYTES, SQLITE_STATIC);
	return db_step(db, *sp, st);
}

int64_t
row_count(struct db *db, const char *sql, const char *value, struct status *st)
{
	sqlite3_stmt *s;
	int64_t n;

	if ((s = db_prepare(db, sql, st)) == NULL)
		return -1;
	if (value != NULL)
		sqlite3_bind_text(s, 1, value, -1, SQLITE_STATIC);
	if (db_step(db, s, st) != DB_ROW)
		return -1;
	n = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return n;
}

int
row_name_index(const char *const *names, int n, const char *name)
{
	int i;

	for (i = 0; name != NULL && i < n; i++)
		if (strcmp(name, names[i]) == 0)
			return i;
	return -1;
}
