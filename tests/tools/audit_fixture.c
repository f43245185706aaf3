/* SPDX-License-Identifier: ISC */
/*
 * audit_fixture: writes into a COPY of a dutynet database what the
 * auditor's tests need and the daemons do not write yet, or what a forger
 * would write:
 *
 *	audit_fixture checkpoint --keys DIR [--every N] [--sizes A,B,...]
 *	    [--key FILE] [--broker-db BROKER.DB] [--broker-id ID]
 *	    [--no-countersign] DB ORIGIN
 *		Creates the tables `checkpoints` (and, in BROKER.DB,
 *		`agency_checkpoints`) of ISSUE 7 if missing, and adds a
 *		checkpoint of DB's audit log (origin ORIGIN) at every N entries
 *		and at its last entry, or at the sizes given, signed with
 *		DIR/ORIGIN.key (or FILE: a forger's key) through
 *		proto/checkpoint.h.  An agency's checkpoint is countersigned
 *		with DIR/broker.key unless --no-countersign; the countersigned
 *		text goes into DB's `countersigned` column and, with
 *		--broker-db, into the broker's agency_checkpoints.  Each
 *		checkpoint's time is its last entry's time_ms.
 *
 *	audit_fixture rehash DB
 *		Recomputes every prev_hash and hash of DB's audit table from its
 *		fields (common/auditlog.c's formula), as a forger who edited the
 *		log with sqlite3 would, so the chain is self-consistent again.
 *
 * Exit 0, or 1 with a message.  A test tool: never point it at a live
 * database.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <sqlite3.h>

#include "common/auditlog.h"
#include "common/keyfile.h"
#include "proto/checkpoint.h"
#include "proto/merkle.h"

#define SIZES_MAX 256
#define PATH_MAX_LEN 4096
#define BROKER_ID_DEFAULT "broker"

static const char checkpoints_sql[] =
	"CREATE TABLE IF NOT EXISTS checkpoints (size INTEGER PRIMARY KEY,"
	" time_ms INTEGER NOT NULL, root BLOB NOT NULL, text TEXT NOT NULL, countersigned TEXT)";
static const char agency_checkpoints_sql[] =
	"CREATE TABLE IF NOT EXISTS agency_checkpoints (origin TEXT NOT NULL,"
	" size INTEGER NOT NULL, time_ms INTEGER NOT NULL, root BLOB NOT NULL,"
	" text TEXT NOT NULL, PRIMARY KEY (origin, size))";

struct opts {
	const char *keys, *key, *broker_db, *broker_id;
	uint64_t every;
	uint64_t sizes[SIZES_MAX];
	size_t n_sizes;
	bool countersign;
};

static int
fail(const char *what, const char *why)
{
	fprintf(stderr, "audit_fixture: %s: %s\n", what, why);
	return 1;
}

static int
exec_sql(sqlite3 *db, const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return fail(sql, sqlite3_errmsg(db));
	return 0;
}

static int
load_key(const struct opts *o, const char *id, const char *file, struct keyfile **k)
{
	char path[PATH_MAX_LEN];
	struct status st;

	if (file != NULL)
		snprintf(path, sizeof(path), "%s", file);
	else
		snprintf(path, sizeof(path), "%s/%s.key", o->keys, id);
	if (keyfile_load(path, k, &st) != 0)
		return fail(path, st.text);
	return 0;
}

/* Is size one where a checkpoint goes? */
static bool
wanted(const struct opts *o, uint64_t size, uint64_t last)
{
	size_t i;

	if (o->n_sizes > 0) {
		for (i = 0; i < o->n_sizes; i++)
			if (o->sizes[i] == size)
				return true;
		return false;
	}
	return size == last || (o->every > 0 && size % o->every == 0);
}

static int
store(sqlite3 *db, sqlite3 *broker, const struct checkpoint *cp, const char *text,
    const char *countersigned)
{
	static const char own_sql[] = "INSERT OR REPLACE INTO checkpoints (size, time_ms, root,"
		" text, countersigned) VALUES (?1, ?2, ?3, ?4, ?5)";
	static const char held_sql[] = "INSERT OR REPLACE INTO agency_checkpoints (origin, size,"
		" time_ms, root, text) VALUES (?1, ?2, ?3, ?4, ?5)";
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(db, own_sql, -1, &s, NULL) != SQLITE_OK)
		return fail("insert checkpoint", sqlite3_errmsg(db));
	sqlite3_bind_int64(s, 1, (sqlite3_int64)cp->size);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)cp->time_ms);
	sqlite3_bind_blob(s, 3, cp->root, MERKLE_HASHBYTES, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, text, -1, SQLITE_STATIC);
	if (countersigned != NULL)
		sqlite3_bind_text(s, 5, countersigned, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return fail("insert checkpoint", sqlite3_errmsg(db));
	if (broker == NULL || countersigned == NULL)
		return 0;
	if (sqlite3_prepare_v2(broker, held_sql, -1, &s, NULL) != SQLITE_OK)
		return fail("insert agency checkpoint", sqlite3_errmsg(broker));
	sqlite3_bind_text(s, 1, cp->origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)cp->size);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)cp->time_ms);
	sqlite3_bind_blob(s, 4, cp->root, MERKLE_HASHBYTES, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, countersigned, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return fail("insert agency checkpoint", sqlite3_errmsg(broker));
	return 0;
}

/* Signs (and countersigns) the tree t as origin's checkpoint and stores it. */
static int
make_one(const struct opts *o, sqlite3 *db, sqlite3 *broker, const char *origin,
    const struct keyfile *ok, const struct keyfile *bk, const struct merkle_tree *t,
    uint64_t time_ms)
{
	char text[CHECKPOINT_TEXT_MAX + 1], cs[CHECKPOINT_TEXT_MAX + 1];
	uint8_t root[MERKLE_HASHBYTES];
	struct checkpoint cp;
	struct status st;
	size_t len;
	bool counter = o->countersign && strcmp(origin, o->broker_id) != 0;

	merkle_tree_root(t, root);
	if (checkpoint_init(&cp, origin, t->size, root, time_ms, &st) != 0 ||
	    checkpoint_sign(&cp, ok->sign_sk, &st) != 0 ||
	    checkpoint_encode(&cp, text, &len, &st) != 0)
		return fail("checkpoint", st.text);
	if (counter && (checkpoint_countersign(&cp, o->broker_id, bk->sign_sk, &st) != 0 ||
	    checkpoint_encode(&cp, cs, &len, &st) != 0))
		return fail("countersign", st.text);
	return store(db, broker, &cp, text, counter ? cs : NULL);
}

static int
checkpoint_cmd(const struct opts *o, const char *path, const char *origin)
{
	struct keyfile *ok = NULL, *bk = NULL;
	struct merkle_tree t;
	sqlite3 *db = NULL, *broker = NULL;
	sqlite3_stmt *s = NULL;
	uint64_t last = 0, time_ms = 0;
	int rc, ret = 1;

	if (load_key(o, origin, o->key, &ok) != 0 ||
	    (o->countersign && strcmp(origin, o->broker_id) != 0 &&
		load_key(o, o->broker_id, NULL, &bk) != 0))
		goto out;
	if (sqlite3_open(path, &db) != SQLITE_OK) {
		fail(path, sqlite3_errmsg(db));
		goto out;
	}
	if (o->broker_db != NULL && sqlite3_open(o->broker_db, &broker) != SQLITE_OK) {
		fail(o->broker_db, sqlite3_errmsg(broker));
		goto out;
	}
	if (exec_sql(db, checkpoints_sql) != 0 || exec_sql(db, "BEGIN") != 0 ||
	    (broker != NULL && (exec_sql(broker, agency_checkpoints_sql) != 0 ||
		exec_sql(broker, "BEGIN") != 0)))
		goto out;
	if (sqlite3_prepare_v2(db, "SELECT coalesce(max(seq), 0) FROM audit", -1, &s, NULL) !=
		SQLITE_OK || sqlite3_step(s) != SQLITE_ROW) {
		fail(path, sqlite3_errmsg(db));
		goto out;
	}
	last = (uint64_t)sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (sqlite3_prepare_v2(db, "SELECT time_ms, hash FROM audit ORDER BY seq", -1, &s,
		NULL) != SQLITE_OK) {
		fail(path, sqlite3_errmsg(db));
		goto out;
	}
	merkle_tree_init(&t);
	if (wanted(o, 0, last) && o->n_sizes > 0 &&
	    make_one(o, db, broker, origin, ok, bk, &t, 0) != 0)
		goto out;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		time_ms = (uint64_t)sqlite3_column_int64(s, 0);
		merkle_tree_append_leaf(&t, sqlite3_column_blob(s, 1),
		    (size_t)sqlite3_column_bytes(s, 1));
		if (wanted(o, t.size, last) &&
		    make_one(o, db, broker, origin, ok, bk, &t, time_ms) != 0)
			goto out;
	}
	if (rc != SQLITE_DONE) {
		fail(path, sqlite3_errmsg(db));
		goto out;
	}
	if (exec_sql(db, "COMMIT") != 0 || (broker != NULL && exec_sql(broker, "COMMIT") != 0))
		goto out;
	ret = 0;
out:
	sqlite3_finalize(s);
	sqlite3_close(db);
	sqlite3_close(broker);
	keyfile_destroy(&ok);
	keyfile_destroy(&bk);
	return ret;
}

static int
rehash_cmd(const char *path)
{
	static const char rows_sql[] = "SELECT seq, time_ms, event, agency, message_id, detail"
		" FROM audit ORDER BY seq";
	static const char set_sql[] = "UPDATE audit SET prev_hash = ?2, hash = ?3 WHERE seq = ?1";
	struct auditlog_entry e;
	uint8_t prev[AUDITLOG_HASHBYTES], hash[AUDITLOG_HASHBYTES];
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL, *u = NULL;
	int rc, ret = 1;

	memset(prev, 0, sizeof(prev));
	if (sqlite3_open(path, &db) != SQLITE_OK || exec_sql(db, "BEGIN") != 0 ||
	    sqlite3_prepare_v2(db, rows_sql, -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, set_sql, -1, &u, NULL) != SQLITE_OK) {
		fail(path, sqlite3_errmsg(db));
		goto out;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&e, 0, sizeof(e));
		e.seq = (uint64_t)sqlite3_column_int64(s, 0);
		e.time_ms = (uint64_t)sqlite3_column_int64(s, 1);
		e.event = (const char *)sqlite3_column_text(s, 2);
		e.agency = (const char *)sqlite3_column_text(s, 3);
		e.detail = (const char *)sqlite3_column_text(s, 5);
		if (sqlite3_column_bytes(s, 4) == IDS_MSGID_BYTES) {
			e.has_message_id = 1;
			memcpy(e.message_id, sqlite3_column_blob(s, 4), IDS_MSGID_BYTES);
		}
		if (e.event == NULL || e.detail == NULL || auditlog_hash(&e, prev, hash) != 0) {
			fail(path, "a row has fields auditlog_hash refuses");
			goto out;
		}
		sqlite3_bind_int64(u, 1, (sqlite3_int64)e.seq);
		sqlite3_bind_blob(u, 2, prev, AUDITLOG_HASHBYTES, SQLITE_TRANSIENT);
		sqlite3_bind_blob(u, 3, hash, AUDITLOG_HASHBYTES, SQLITE_TRANSIENT);
		if (sqlite3_step(u) != SQLITE_DONE) {
			fail(path, sqlite3_errmsg(db));
			goto out;
		}
		sqlite3_reset(u);
		memcpy(prev, hash, sizeof(prev));
	}
	if (rc != SQLITE_DONE || exec_sql(db, "COMMIT") != 0)
		goto out;
	ret = 0;
out:
	sqlite3_finalize(s);
	sqlite3_finalize(u);
	sqlite3_close(db);
	return ret;
}

static int
parse_sizes(struct opts *o, char *list)
{
	char *tok, *save = NULL, *end;

	for (tok = strtok_r(list, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		if (o->n_sizes == SIZES_MAX)
			return fail("--sizes", "too many");
		o->sizes[o->n_sizes++] = strtoull(tok, &end, 10);
		if (*end != '\0')
			return fail("--sizes", tok);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct opts o;
	int i;

	memset(&o, 0, sizeof(o));
	o.broker_id = BROKER_ID_DEFAULT;
	o.countersign = true;
	if (sodium_init() < 0)
		return fail("libsodium", "cannot start");
	if (argc == 3 && strcmp(argv[1], "rehash") == 0)
		return rehash_cmd(argv[2]);
	if (argc < 2 || strcmp(argv[1], "checkpoint") != 0)
		return fail("usage", "audit_fixture checkpoint|rehash ... (see the source)");
	for (i = 2; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--no-countersign") == 0)
			o.countersign = false;
		else if (i + 1 >= argc)
			return fail(argv[i], "needs a value");
		else if (strcmp(argv[i], "--keys") == 0)
			o.keys = argv[++i];
		else if (strcmp(argv[i], "--key") == 0)
			o.key = argv[++i];
		else if (strcmp(argv[i], "--broker-db") == 0)
			o.broker_db = argv[++i];
		else if (strcmp(argv[i], "--broker-id") == 0)
			o.broker_id = argv[++i];
		else if (strcmp(argv[i], "--every") == 0)
			o.every = strtoull(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--sizes") == 0) {
			if (parse_sizes(&o, argv[++i]) != 0)
				return 1;
		} else
			return fail(argv[i], "unknown option");
	}
	if (argc - i != 2 || o.keys == NULL)
		return fail("usage", "checkpoint --keys DIR [options] DB ORIGIN");
	return checkpoint_cmd(&o, argv[i], argv[i + 1]);
}
