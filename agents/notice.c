/* SPDX-License-Identifier: ISC */
/*
 * notice: the broker's deadline notices received (see notice.h), and all
 * the SQL on the notices table.
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "agents/notice.h"
#include "agents/row.h"
#include "common/auditlog.h"
#include "config/rfc3339.h"

static const char *const kind_names[] = {
	[NOTICE_REMINDER] = "reminder",
	[NOTICE_ESCALATION] = "escalation",
	[NOTICE_OUT_OF_HOURS] = "out-of-hours",
};
#define N_KINDS ((int)(sizeof(kind_names) / sizeof(kind_names[0])))

#define NOTICE_COLUMNS "message_id, sender, about, kind, due_ms, received_ms, text"

static const char put_sql[] =
	"INSERT OR IGNORE INTO notices (" NOTICE_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?)";
static const char about_sql[] =
	"SELECT " NOTICE_COLUMNS " FROM notices WHERE about = ? ORDER BY received_ms, rowid";
static const char all_sql[] =
	"SELECT " NOTICE_COLUMNS " FROM notices ORDER BY received_ms, rowid";

const char *
notice_kind_name(int kind)
{
	if (kind < NOTICE_REMINDER || kind >= N_KINDS)
		return NULL;
	return kind_names[kind];
}

int
notice_put(struct db *db, const uint8_t id[IDS_MSGID_BYTES], const char *from,
    const struct payload_notice *n, uint64_t received_ms, struct status *st)
{
	char detail[AUDITLOG_DETAIL_MAX], due[RFC3339_LEN], idtext[IDS_MSGID_TEXT + 1];
	const char *kind = notice_kind_name(n->kind);
	sqlite3_stmt *s;

	assert(db_in_transaction(db));
	assert(kind != NULL);	/* payload_decode checked the range */
	if ((s = db_prepare(db, put_sql, st)) == NULL)
		return -1;
	sqlite3_bind_blob(s, 1, id, IDS_MSGID_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, from, -1, SQLITE_STATIC);
	sqlite3_bind_blob(s, 3, n->about, IDS_MSGID_BYTES, SQLITE_STATIC);
	sqlite3_bind_int(s, 4, n->kind);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)n->due_ms);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)received_ms);
	sqlite3_bind_text(s, 7, n->text.s != NULL ? n->text.s : "", (int)n->text.len,
	    SQLITE_STATIC);
	if (db_step(db, s, st) != DB_DONE)
		return -1;
	if (sqlite3_changes(db_handle(db)) == 0)
		return 0;
	rfc3339_format(n->due_ms, due);
	ids_msgid_format(id, idtext);
	snprintf(detail, sizeof(detail), "%s from %s (notice %s, due %s): %.*s", kind, from, idtext,
	    due, (int)(n->text.len < NOTICE_TEXT_MAX ? n->text.len : NOTICE_TEXT_MAX),
	    n->text.s != NULL ? n->text.s : "");
	return auditlog_append(db, kind, from, n->about, detail, st);
}

int
notice_list(struct db *db, const uint8_t *about,
    int (*fn)(const struct notice_row *n, void *arg), void *arg, struct status *st)
{
	struct notice_row n;
	sqlite3_stmt *s;
	int rc;

	if ((s = db_prepare(db, about != NULL ? about_sql : all_sql, st)) == NULL)
		return -1;
	if (about != NULL)
		sqlite3_bind_blob(s, 1, about, IDS_MSGID_BYTES, SQLITE_STATIC);
	while ((rc = db_step(db, s, st)) == DB_ROW) {
		memset(&n, 0, sizeof(n));
		row_id(s, 0, n.id);
		row_text(s, 1, n.from, sizeof(n.from));
		row_id(s, 2, n.about);
		n.kind = sqlite3_column_int(s, 3);
		n.due_ms = row_u64(s, 4);
		n.received_ms = row_u64(s, 5);
		row_text(s, 6, n.text, sizeof(n.text));
		if (fn(&n, arg) != 0) {
			sqlite3_reset(s);
			return 0;
		}
	}
	return rc == -1 ? -1 : 0;
}
