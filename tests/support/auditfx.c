/* SPDX-License-Identifier: ISC */
/*
 * auditfx: audit logs and checkpoints for the auditor's tests (see
 * auditfx.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "common/auditlog.h"
#include "common/clock.h"
#include "common/db.h"
#include "proto/checkpoint.h"
#include "tests/support/auditfx.h"

#define PATH_LEN 4096
#define SQL_LEN 4096
#define DETAIL_LEN 64
#define ID_EVERY 3		/* every third entry has no message id */

static const char checkpoints_sql[] =
	"CREATE TABLE checkpoints (size INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL,"
	" root BLOB NOT NULL, text TEXT NOT NULL, countersigned TEXT)";
static const char broker_sql[] =
	"CREATE TABLE messages (id BLOB);"
	"CREATE TABLE agency_checkpoints (origin TEXT NOT NULL, size INTEGER NOT NULL,"
	" time_ms INTEGER NOT NULL, root BLOB NOT NULL, text TEXT NOT NULL,"
	" PRIMARY KEY (origin, size))";

static void
die(const char *what, const char *why)
{
	fprintf(stderr, "auditfx: %s: %s\n", what, why);
	abort();
}

void
auditfx_exec(const char *path, const char *sql)
{
	sqlite3 *h = NULL;

	if (sqlite3_open(path, &h) != SQLITE_OK || sqlite3_exec(h, sql, NULL, NULL, NULL) !=
	    SQLITE_OK)
		die(sql, sqlite3_errmsg(h));
	sqlite3_close(h);
}

void
auditfx_make_log(const char *path, int n, bool broker)
{
	uint8_t id[IDS_MSGID_BYTES];
	char detail[DETAIL_LEN];
	struct status st;
	struct db *db;
	int i;

	if ((db = db_open(path, &st)) == NULL || auditlog_create(db, &st) != 0 ||
	    db_exec(db, checkpoints_sql, &st) != 0 ||
	    (broker && db_exec(db, broker_sql, &st) != 0))
		die(path, st.text);
	clock_set_fixed(AUDITFX_T0);
	if (db_begin(db, &st) != 0)
		die(path, st.text);
	for (i = 1; i <= n; i++) {
		ids_msgid_new(clock_now_ms(), id);
		snprintf(detail, sizeof(detail), "entry %d", i);
		if (auditlog_append(db, i % 2 ? "created" : "sent", "mash", i % ID_EVERY ? id : NULL,
			detail, &st) != 0)
			die(path, st.text);
		clock_advance(AUDITFX_STEP_MS);
	}
	if (db_commit(db, &st) != 0)
		die(path, st.text);
	db_close(&db);
}

struct keyfile *
auditfx_key(const char *dir, const char *id)
{
	struct keyfile *k = NULL;
	struct status st;
	char path[PATH_LEN];

	snprintf(path, sizeof(path), "%s/keys/%s.key", dir, id);
	if (keyfile_load(path, &k, &st) != 0)
		die(path, st.text);
	return k;
}

/* The root of the first size leaves of the log in h. */
static void
root_of(sqlite3 *h, uint64_t size, uint8_t root[MERKLE_HASHBYTES])
{
	struct merkle_tree t;
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(h, "SELECT hash FROM audit WHERE seq <= ?1 ORDER BY seq", -1, &s,
		NULL) != SQLITE_OK)
		die("root", sqlite3_errmsg(h));
	sqlite3_bind_int64(s, 1, (sqlite3_int64)size);
	merkle_tree_init(&t);
	while (sqlite3_step(s) == SQLITE_ROW)
		merkle_tree_append_leaf(&t, sqlite3_column_blob(s, 0),
		    (size_t)sqlite3_column_bytes(s, 0));
	sqlite3_finalize(s);
	if (t.size != size)
		die("root", "the log is shorter than the checkpoint");
	merkle_tree_root(&t, root);
}

static void
hex(const uint8_t *b, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

void
auditfx_sign(const char *path, const char *origin, uint64_t size, const struct keyfile *k,
    const struct keyfile *bk, const char *broker_path)
{
	char text[CHECKPOINT_TEXT_MAX + 1], cs[CHECKPOINT_TEXT_MAX + 1], sql[SQL_LEN];
	char roothex[2 * MERKLE_HASHBYTES + 1];
	uint8_t root[MERKLE_HASHBYTES];
	uint64_t t = AUDITFX_T0 + size;
	struct checkpoint cp;
	struct status st;
	sqlite3 *h;
	size_t len;

	if (sqlite3_open(path, &h) != SQLITE_OK)
		die(path, sqlite3_errmsg(h));
	root_of(h, size, root);
	sqlite3_close(h);
	if (checkpoint_init(&cp, origin, size, root, t, &st) != 0 ||
	    checkpoint_sign(&cp, k->sign_sk, &st) != 0 ||
	    checkpoint_encode(&cp, text, &len, &st) != 0 ||
	    (bk != NULL && (checkpoint_countersign(&cp, "broker", bk->sign_sk, &st) != 0 ||
		checkpoint_encode(&cp, cs, &len, &st) != 0)))
		die("checkpoint", st.text);
	hex(root, sizeof(root), roothex);
	snprintf(sql, sizeof(sql), "INSERT OR REPLACE INTO checkpoints VALUES (%llu, %llu, X'%s',"
	    " '%s', %s%s%s)", (unsigned long long)size, (unsigned long long)t, roothex, text,
	    bk ? "'" : "", bk ? cs : "NULL", bk ? "'" : "");
	auditfx_exec(path, sql);
	if (broker_path == NULL || bk == NULL)
		return;
	snprintf(sql, sizeof(sql), "INSERT OR REPLACE INTO agency_checkpoints VALUES ('%s', %llu,"
	    " %llu, X'%s', '%s')", origin, (unsigned long long)size, (unsigned long long)t,
	    roothex, cs);
	auditfx_exec(broker_path, sql);
}

void
auditfx_rehash(const char *path)
{
	struct auditlog_entry e;
	uint8_t prev[AUDITLOG_HASHBYTES] = {0}, h[AUDITLOG_HASHBYTES];
	sqlite3_stmt *s = NULL, *u = NULL;
	sqlite3 *db;

	if (sqlite3_open(path, &db) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT seq, time_ms, event, agency, message_id, detail FROM"
		" audit ORDER BY seq", -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "UPDATE audit SET prev_hash = ?2, hash = ?3 WHERE seq = ?1", -1,
		&u, NULL) != SQLITE_OK)
		die(path, sqlite3_errmsg(db));
	while (sqlite3_step(s) == SQLITE_ROW) {
		memset(&e, 0, sizeof(e));
		e.seq = (uint64_t)sqlite3_column_int64(s, 0);
		e.time_ms = (uint64_t)sqlite3_column_int64(s, 1);
		e.event = (const char *)sqlite3_column_text(s, 2);
		e.agency = (const char *)sqlite3_column_text(s, 3);
		if ((e.has_message_id = sqlite3_column_bytes(s, 4) == IDS_MSGID_BYTES))
			memcpy(e.message_id, sqlite3_column_blob(s, 4), IDS_MSGID_BYTES);
		e.detail = (const char *)sqlite3_column_text(s, 5);
		if (e.event == NULL || e.detail == NULL || auditlog_hash(&e, prev, h) != 0)
			die(path, "a row auditlog_hash refuses");
		sqlite3_bind_int64(u, 1, (sqlite3_int64)e.seq);
		sqlite3_bind_blob(u, 2, prev, AUDITLOG_HASHBYTES, SQLITE_TRANSIENT);
		sqlite3_bind_blob(u, 3, h, AUDITLOG_HASHBYTES, SQLITE_TRANSIENT);
		if (sqlite3_step(u) != SQLITE_DONE)
			die(path, sqlite3_errmsg(db));
		sqlite3_reset(u);
		memcpy(prev, h, sizeof(prev));
	}
	sqlite3_finalize(s);
	sqlite3_finalize(u);
	sqlite3_close(db);
}
