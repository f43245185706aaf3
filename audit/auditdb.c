/* SPDX-License-Identifier: ISC */
/*
 * auditdb: opening a dutynet database read-only for the auditor and
 * finding out whose it is (see auditdb.h for the opening rules and why).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/auditdb.h"
#include "proto/checkpoint.h"
#include "proto/envelope.h"

#define URI_SCHEME "file:"
#define URI_ESCAPE_LEN 3	/* "%XX" */

static const char table_sql[] =
	"SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1";
static const char last_sql[] = "SELECT coalesce(max(seq), 0) FROM audit";
/* Any envelope still held: retention may have purged the first ones. */
static const char outbox_from_sql[] =
	"SELECT envelope FROM outbox WHERE envelope IS NOT NULL LIMIT 1";
static const char inbox_to_sql[] = "SELECT envelope FROM inbox WHERE envelope IS NOT NULL LIMIT 1";
static const char checkpoint_origin_sql[] = "SELECT text FROM checkpoints ORDER BY size LIMIT 1";

const char *
auditdb_kind_name(enum auditdb_kind kind)
{
	switch (kind) {
	case AUDITDB_BROKER:
		return "broker";
	case AUDITDB_AGENT:
		return "agent";
	case AUDITDB_LOG:
		return "log";
	}
	return "unknown";
}

int
auditdb_error(struct auditdb *db, const char *what, struct status *st)
{
	return status_set(st, STATUS_UNAVAILABLE, "%s: %s: %s", db->path, what,
	    sqlite3_errmsg(db->h));
}

sqlite3_stmt *
auditdb_prepare(struct auditdb *db, const char *sql, struct status *st)
{
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v2(db->h, sql, -1, &s, NULL) != SQLITE_OK) {
		auditdb_error(db, "cannot read it", st);
		return NULL;
	}
	return s;
}

/* "file:" and path with every byte a URI may not hold as-is as %XX. */
static int
make_uri(const char *path, bool immutable, char out[AUDITDB_URI_MAX])
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0, i;
	const char *tail = immutable ? "?mode=ro&immutable=1" : "?mode=ro";

	o = strlen(URI_SCHEME);
	memcpy(out, URI_SCHEME, o);
	for (i = 0; path[i] != '\0'; i++) {
		unsigned char c = (unsigned char)path[i];

		if (o + URI_ESCAPE_LEN >= AUDITDB_URI_MAX)
			return -1;
		if (c <= ' ' || c >= 0x7f || c == '?' || c == '#' || c == '%') {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 0xf];
		} else {
			out[o++] = (char)c;
		}
	}
	if (o + strlen(tail) + 1 > AUDITDB_URI_MAX)
		return -1;
	memcpy(out + o, tail, strlen(tail) + 1);
	return 0;
}

static bool
has_table(struct auditdb *db, const char *name)
{
	sqlite3_stmt *s;
	bool yes = false;

	if (sqlite3_prepare_v2(db->h, table_sql, -1, &s, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	yes = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_finalize(s);
	return yes;
}

/* The agency id in the header of the first envelope sql selects: its
 * `from` (from_side) or its `to`.  0 and db->owner set, or -1. */
static int
owner_from_envelope(struct auditdb *db, const char *sql, bool from_side)
{
	struct envelope env;
	struct status why;
	sqlite3_stmt *s;
	int ret = -1;

	if (sqlite3_prepare_v2(db->h, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) == SQLITE_BLOB &&
	    envelope_decode(sqlite3_column_blob(s, 0), (size_t)sqlite3_column_bytes(s, 0), &env,
		&why) == 0) {
		snprintf(db->owner, sizeof(db->owner), "%s", from_side ? env.h.from : env.h.to);
		ret = 0;
	}
	sqlite3_finalize(s);
	return ret;
}

static int
owner_from_checkpoints(struct auditdb *db)
{
	struct checkpoint cp;
	struct status why;
	sqlite3_stmt *s;
	int ret = -1;

	if (!db->has_checkpoints ||
	    sqlite3_prepare_v2(db->h, checkpoint_origin_sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) == SQLITE_TEXT &&
	    checkpoint_parse((const char *)sqlite3_column_text(s, 0),
		(size_t)sqlite3_column_bytes(s, 0), &cp, &why) == 0) {
		snprintf(db->owner, sizeof(db->owner), "%s", cp.origin);
		ret = 0;
	}
	sqlite3_finalize(s);
	return ret;
}

static void
identify(struct auditdb *db, const char *broker_id)
{
	db->has_checkpoints = has_table(db, "checkpoints");
	db->has_agency_checkpoints = has_table(db, "agency_checkpoints");
	db->has_deadlines = has_table(db, "deadlines") && has_table(db, "deadline_timers");
	if (has_table(db, "messages")) {
		db->kind = AUDITDB_BROKER;
		if (broker_id != NULL)
			snprintf(db->owner, sizeof(db->owner), "%s", broker_id);
		else
			(void)owner_from_checkpoints(db);
		return;
	}
	if (has_table(db, "outbox") && has_table(db, "inbox")) {
		db->kind = AUDITDB_AGENT;
		if (owner_from_envelope(db, outbox_from_sql, true) == 0 ||
		    owner_from_envelope(db, inbox_to_sql, false) == 0)
			return;
	} else {
		db->kind = AUDITDB_LOG;
	}
	(void)owner_from_checkpoints(db);
}

struct auditdb *
auditdb_open(const char *path, const char *broker_id, struct status *st)
{
	struct auditdb *db;
	char uri[AUDITDB_URI_MAX], wal[AUDITDB_PATH_MAX + sizeof(AUDITDB_WAL_SUFFIX)];
	int rc;

	if (strlen(path) > AUDITDB_PATH_MAX) {
		status_set(st, STATUS_UNAVAILABLE, "database path '%.40s...' is longer than %d bytes",
		    path, AUDITDB_PATH_MAX);
		return NULL;
	}
	if (access(path, R_OK) != 0) {
		status_set(st, STATUS_UNAVAILABLE, "%s: cannot read it: %s", path, strerror(errno));
		return NULL;
	}
	if ((db = calloc(1, sizeof(*db))) == NULL || (db->path = strdup(path)) == NULL) {
		free(db);
		status_set(st, STATUS_UNAVAILABLE, "%s: out of memory", path);
		return NULL;
	}
	snprintf(wal, sizeof(wal), "%s%s", path, AUDITDB_WAL_SUFFIX);
	db->immutable = access(wal, F_OK) != 0;
	if (make_uri(path, db->immutable, uri) != 0) {
		status_set(st, STATUS_UNAVAILABLE, "%s: path too long for a URI", path);
		goto fail;
	}
	rc = sqlite3_open_v2(uri, &db->h, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
	if (rc != SQLITE_OK) {
		if (db->h != NULL)
			auditdb_error(db, "cannot open it read-only", st);
		else
			status_set(st, STATUS_UNAVAILABLE, "%s: cannot open it: out of memory", path);
		goto fail;
	}
	/* One snapshot for every table read from now on. */
	if (sqlite3_exec(db->h, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(db->h, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL) !=
		SQLITE_OK) {
		auditdb_error(db, "cannot read it (is it an SQLite database?)", st);
		goto fail;
	}
	if (!has_table(db, "audit")) {
		status_set(st, STATUS_MALFORMED,
		    "%s: has no table 'audit': not a dutynet broker or agent database", path);
		goto fail;
	}
	identify(db, broker_id);
	return db;
fail:
	auditdb_close(&db);
	return NULL;
}

void
auditdb_close(struct auditdb **dbp)
{
	struct auditdb *db;

	if (dbp == NULL || (db = *dbp) == NULL)
		return;
	if (db->h != NULL) {
		if (!sqlite3_get_autocommit(db->h))
			sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_close(db->h);
	}
	free(db->path);
	free(db);
	*dbp = NULL;
}

int
auditdb_last_seq(struct auditdb *db, sqlite3_int64 *last, struct status *st)
{
	sqlite3_stmt *s;
	int rc;

	*last = 0;
	if ((s = auditdb_prepare(db, last_sql, st)) == NULL)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*last = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return auditdb_error(db, "cannot read the audit table", st);
	return 0;
}
