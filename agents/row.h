/* SPDX-License-Identifier: ISC */
/*
 * row: reading the agent database's rows into C values - the conversions
 * every agent module that owns SQL (outbox.c, inbox.c, hook.c, notice.c)
 * needs, written once.  A NULL column reads as 0, "" or "absent", never as
 * an error: the schema decides which columns may be NULL, and each module
 * documents what absent means for its own.
 */
#ifndef DUTYNET_ROW_H
#define DUTYNET_ROW_H

#include <stddef.h>
#include <stdint.h>

#include "common/db.h"
#include "proto/ids.h"
#include "proto/status.h"

/* Column col as an unsigned integer; 0 for NULL. */
uint64_t row_u64(sqlite3_stmt *s, int col);

/* Column col as text into out[0..cap) (truncated, NUL-terminated); "" for
 * NULL. */
void row_text(sqlite3_stmt *s, int col, char *out, size_t cap);

/* Column col as a message id: 1 and id filled if it holds exactly
 * IDS_MSGID_BYTES bytes, 0 (id untouched) for NULL or any other size. */
int row_id(sqlite3_stmt *s, int col, uint8_t id[IDS_MSGID_BYTES]);

/* A copy of column col's bytes into *out (the caller's to free) and *len;
 * *out = NULL for NULL.  -1 and st 451 if out of memory. */
int row_blob(sqlite3_stmt *s, int col, uint8_t **out, size_t *len, struct status *st);

/* Prepares sql, binds ?1 to the message id and takes one step: DB_ROW with
 * *sp on the row (the statement is db's; the caller reads the row, then
 * resets or steps *sp), DB_DONE if no row, or -1 and st. */
int row_find(struct db *db, const char *sql, const uint8_t id[IDS_MSGID_BYTES],
    sqlite3_stmt **sp, struct status *st);

/* Runs sql, a "SELECT count(*) ... WHERE ?1 IS NULL OR <column> = ?1",
 * with ?1 bound to value (NULL: every row): the count, or -1 and st 451. */
int64_t row_count(struct db *db, const char *sql, const char *value, struct status *st);

/* The index of name in names[0..n), or -1 if it is not there (state
 * columns: their text back to the enum). */
int row_name_index(const char *const *names, int n, const char *name);

#endif
