/* SPDX-License-Identifier: ISC */
/*
 * auditlog: the hash-chained audit table shared by the broker and the agents
 * (format in auditlog.h and SCHEMA.md, "Audit log").
 *
 * DESIGN: the log lives in the daemon's own database and every append runs
 * inside the caller's transaction, so the entry and the state change it
 * records commit or roll back together; there is no second file to keep in
 * step and nothing to reconcile after a crash.  seq is explicit (not
 * AUTOINCREMENT) because it is part of the hashed record: a row moved to
 * another seq no longer matches its hash.  The hash covers the canonical
 * msgpack of the row, so an independent checker needs only BLAKE2b and a
 * msgpack encoder, and the stored columns are the hashed values exactly.
 * The module keeps no state between calls: the chain head is read from the
 * table on each append (a primary-key lookup), which stays right across
 * rollbacks and processes.
 */
#include <assert.h>
#include <string.h>

#include <sodium.h>

#include "common/auditlog.h"
#include "common/clock.h"
#include "proto/pack.h"

/* Fields in the hashed msgpack array. */
#define RECORD_FIELDS 6

static const char head_sql[] = "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1";
static const char insert_sql[] =
	"INSERT INTO audit (seq, time_ms, event, agency, message_id, detail, prev_hash, hash)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
static const char all_sql[] =
	"SELECT " AUDITLOG_ROW_COLUMNS " FROM audit ORDER BY seq";
static const char message_sql[] =
	"SELECT " AUDITLOG_ROW_COLUMNS " FROM audit WHERE message_id = ? ORDER BY seq";

int
auditlog_create(struct db *db, struct status *st)
{
	return db_exec(db, AUDITLOG_SCHEMA_SQL, st);
}

static int
event_valid(const char *event)
{
	size_t i, n = strlen(event);

	if (n == 0 || n > AUDITLOG_EVENT_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((event[i] >= 'a' && event[i] <= 'z') || (event[i] >= '0' && event[i] <= '9') ||
			event[i] == '-'))
			return 0;
	return 1;
}

int
auditlog_hash(const struct auditlog_entry *e, const uint8_t prev[AUDITLOG_HASHBYTES],
    uint8_t out[AUDITLOG_HASHBYTES])
{
	uint8_t buf[AUDITLOG_RECORD_MAX];
	struct pack_writer w;
	crypto_generichash_state h;
	size_t len = 0;

	if (strlen(e->event) > AUDITLOG_EVENT_MAX || strlen(e->detail) > AUDITLOG_DETAIL_MAX ||
	    (e->agency != NULL && strlen(e->agency) > IDS_AGENCY_MAX))
		return -1;
	pack_writer_init(&w, buf, sizeof(buf));
	pack_write_array(&w, RECORD_FIELDS);
	pack_write_uint(&w, e->seq);
	pack_write_uint(&w, e->time_ms);
	pack_write_str(&w, e->event, strlen(e->event));
	pack_write_cstr_or_nil(&w, e->agency);
	if (e->has_message_id)
		pack_write_bin(&w, e->message_id, IDS_MSGID_BYTES);
	else
		pack_write_nil(&w);
	pack_write_str(&w, e->detail, strlen(e->detail));
	/* The limits above make the record fit; overflow would be a bug. */
	if (pack_writer_finish(&w, &len) != 0)
		assert(!"audit record larger than AUDITLOG_RECORD_MAX");

	crypto_generichash_init(&h, NULL, 0, AUDITLOG_HASHBYTES);
	crypto_generichash_update(&h, (const uint8_t *)AUDITLOG_TAG, sizeof(AUDITLOG_TAG));
	crypto_generichash_update(&h, prev, AUDITLOG_HASHBYTES);
	crypto_generichash_update(&h, buf, len);
	crypto_generichash_final(&h, out, AUDITLOG_HASHBYTES);
	return 0;
}

/* Reads the chain head: *seq = 0 and a zero hash if the log is empty. */
static int
read_head(struct db *db, uint64_t *seq, uint8_t hash[AUDITLOG_HASHBYTES], struct status *st)
{
	sqlite3_stmt *s;
	int rc, ret = -1;

	*seq = 0;
	memset(hash, 0, AUDITLOG_HASHBYTES);
	if ((s = db_prepare(db, head_sql, st)) == NULL)
		return -1;
	rc = db_step(db, s, st);
	if (rc == -1)
		return -1;
	if (rc == DB_ROW) {
		if (sqlite3_column_type(s, 1) != SQLITE_BLOB ||
		    sqlite3_column_bytes(s, 1) != AUDITLOG_HASHBYTES) {
			status_set(st, STATUS_MALFORMED,
			    "%s: audit seq %lld has a damaged hash; check the log with the audit "
			    "verifier", db_path(db), (long long)sqlite3_column_int64(s, 0));
			goto out;
		}
		*seq = (uint64_t)sqlite3_column_int64(s, 0);
		memcpy(hash, sqlite3_column_blob(s, 1), AUDITLOG_HASHBYTES);
	}
	ret = 0;
out:
	sqlite3_reset(s);
	return ret;
}

int
auditlog_head(struct db *db, uint64_t *seq, uint8_t hash[AUDITLOG_HASHBYTES], struct status *st)
{
	return read_head(db, seq, hash, st);
}

int
auditlog_append(struct db *db, const char *event, const char *agency, const uint8_t *msgid,
    const char *detail, struct status *st)
{
	struct auditlog_entry e;
	uint8_t prev[AUDITLOG_HASHBYTES], hash[AUDITLOG_HASHBYTES];
	sqlite3_stmt *s;

	/* The entry must commit with the state change it records. */
	assert(db_in_transaction(db));
	assert(event != NULL && detail != NULL);
	if (!event_valid(event))
		return status_set(st, STATUS_BAD_FIELD,
		    "audit event name '%.*s' is not 1-%d bytes of [a-z0-9-]", AUDITLOG_EVENT_MAX,
		    event, AUDITLOG_EVENT_MAX);
	if (agency != NULL && strlen(agency) > IDS_AGENCY_MAX)
		return status_set(st, STATUS_BAD_FIELD,
		    "audit agency '%.*s...' is longer than %d bytes", IDS_AGENCY_MAX, agency,
		    IDS_AGENCY_MAX);
	if (strlen(detail) > AUDITLOG_DETAIL_MAX)
		return status_set(st, STATUS_TOO_LARGE,
		    "audit detail of %zu bytes is over the %d-byte limit", strlen(detail),
		    AUDITLOG_DETAIL_MAX);

	memset(&e, 0, sizeof(e));
	if (read_head(db, &e.seq, prev, st) != 0)
		return -1;
	e.seq++;
	e.time_ms = clock_now_ms();
	e.event = event;
	e.agency = agency;
	e.has_message_id = msgid != NULL;
	if (msgid != NULL)
		memcpy(e.message_id, msgid, IDS_MSGID_BYTES);
	e.detail = detail;
	if (auditlog_hash(&e, prev, hash) != 0)
		assert(!"audit fields were checked above");

	if ((s = db_prepare(db, insert_sql, st)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)e.seq);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)e.time_ms);
	sqlite3_bind_text(s, 3, event, -1, SQLITE_STATIC);
	if (agency != NULL)
		sqlite3_bind_text(s, 4, agency, -1, SQLITE_STATIC);
	if (msgid != NULL)
		sqlite3_bind_blob(s, 5, msgid, IDS_MSGID_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, detail, -1, SQLITE_STATIC);
	sqlite3_bind_blob(s, 7, prev, AUDITLOG_HASHBYTES, SQLITE_STATIC);
	sqlite3_bind_blob(s, 8, hash, AUDITLOG_HASHBYTES, SQLITE_STATIC);
	/* Unbound parameters are NULL (db_prepare clears bindings). */
	return db_step(db, s, st) == DB_DONE ? 0 : -1;
}

static int
hash_column(sqlite3_stmt *s, int col, const uint8_t **out)
{
	if (sqlite3_column_type(s, col) != SQLITE_BLOB ||
	    sqlite3_column_bytes(s, col) != AUDITLOG_HASHBYTES)
		return -1;
	*out = sqlite3_column_blob(s, col);
	return 0;
}

int
auditlog_read_row(sqlite3_stmt *s, struct auditlog_entry *e, const uint8_t **prev,
    const uint8_t **hash)
{
	memset(e, 0, sizeof(*e));
	e->seq = (uint64_t)sqlite3_column_int64(s, AUDITLOG_COL_SEQ);
	if (sqlite3_column_type(s, AUDITLOG_COL_TIME) != SQLITE_INTEGER ||
	    sqlite3_column_type(s, AUDITLOG_COL_EVENT) != SQLITE_TEXT ||
	    sqlite3_column_type(s, AUDITLOG_COL_DETAIL) != SQLITE_TEXT ||
	    sqlite3_column_int64(s, AUDITLOG_COL_TIME) < 0)
		return -1;
	e->time_ms = (uint64_t)sqlite3_column_int64(s, AUDITLOG_COL_TIME);
	e->event = (const char *)sqlite3_column_text(s, AUDITLOG_COL_EVENT);
	e->detail = (const char *)sqlite3_column_text(s, AUDITLOG_COL_DETAIL);
	switch (sqlite3_column_type(s, AUDITLOG_COL_AGENCY)) {
	case SQLITE_NULL:
		break;
	case SQLITE_TEXT:
		e->agency = (const char *)sqlite3_column_text(s, AUDITLOG_COL_AGENCY);
		break;
	default:
		return -1;
	}
	switch (sqlite3_column_type(s, AUDITLOG_COL_MSGID)) {
	case SQLITE_NULL:
		break;
	case SQLITE_BLOB:
		if (sqlite3_column_bytes(s, AUDITLOG_COL_MSGID) != IDS_MSGID_BYTES)
			return -1;
		e->has_message_id = 1;
		memcpy(e->message_id, sqlite3_column_blob(s, AUDITLOG_COL_MSGID), IDS_MSGID_BYTES);
		break;
	default:
		return -1;
	}
	if (e->event == NULL || e->detail == NULL)
		return -1;
	/* Both or neither: foreach skips only rows whose fields are damaged. */
	assert((prev == NULL) == (hash == NULL));
	if (prev != NULL && (hash_column(s, AUDITLOG_COL_PREV, prev) != 0 ||
	    hash_column(s, AUDITLOG_COL_HASH, hash) != 0))
		return -1;
	return 0;
}

/* Checks the current row against the chain so far; 0, or -1 with st. */
static int
check_row(sqlite3_stmt *s, uint64_t expect, uint8_t prev[AUDITLOG_HASHBYTES], struct status *st)
{
	struct auditlog_entry e;
	uint8_t want[AUDITLOG_HASHBYTES];
	const uint8_t *stored_prev, *stored_hash;
	uint64_t seq = (uint64_t)sqlite3_column_int64(s, AUDITLOG_COL_SEQ);

	if (seq != expect)
		return status_set(st, STATUS_MALFORMED,
		    "audit seq %llu is missing (the next row is seq %llu): rows were deleted or "
		    "renumbered", (unsigned long long)expect, (unsigned long long)seq);
	if (auditlog_read_row(s, &e, &stored_prev, &stored_hash) != 0 ||
	    auditlog_hash(&e, prev, want) != 0)
		return status_set(st, STATUS_MALFORMED,
		    "audit seq %llu has a column of the wrong type or size: the row was edited "
		    "by hand", (unsigned long long)seq);
	if (memcmp(stored_prev, prev, AUDITLOG_HASHBYTES) != 0)
		return status_set(st, STATUS_BAD_SIGNATURE,
		    "audit seq %llu does not chain to seq %llu: a row before it was inserted, "
		    "deleted or moved", (unsigned long long)seq, (unsigned long long)(seq - 1));
	if (memcmp(stored_hash, want, AUDITLOG_HASHBYTES) != 0)
		return status_set(st, STATUS_BAD_SIGNATURE,
		    "audit seq %llu does not match its hash: the row was altered",
		    (unsigned long long)seq);
	memcpy(prev, want, AUDITLOG_HASHBYTES);
	return 0;
}

int
auditlog_verify(struct db *db, uint64_t *first_bad_seq, struct status *st)
{
	uint8_t prev[AUDITLOG_HASHBYTES];
	sqlite3_stmt *s;
	uint64_t expect = 1;
	int rc;

	*first_bad_seq = 0;
	memset(prev, 0, sizeof(prev));
	/* One statement reads one consistent snapshot, even while the daemon
	 * keeps appending (WAL). */
	if ((s = db_prepare(db, all_sql, st)) == NULL)
		return -1;
	while ((rc = db_step(db, s, st)) == DB_ROW) {
		if (check_row(s, expect, prev, st) != 0) {
			*first_bad_seq = expect;
			sqlite3_reset(s);
			return -1;
		}
		expect++;
	}
	if (rc == -1)
		return -1;
	status_ok(st);
	return 0;
}

int
auditlog_foreach(struct db *db, const uint8_t *msgid,
    int (*fn)(const struct auditlog_entry *e, void *arg), void *arg, struct status *st)
{
	struct auditlog_entry e;
	sqlite3_stmt *s;
	int rc;

	if ((s = db_prepare(db, msgid != NULL ? message_sql : all_sql, st)) == NULL)
		return -1;
	if (msgid != NULL)
		sqlite3_bind_blob(s, 1, msgid, IDS_MSGID_BYTES, SQLITE_STATIC);
	while ((rc = db_step(db, s, st)) == DB_ROW) {
		/* A damaged row is skipped here; auditlog_verify names it. */
		if (auditlog_read_row(s, &e, NULL, NULL) != 0)
			continue;
		if (fn(&e, arg) != 0) {
			sqlite3_reset(s);
			break;
		}
	}
	return rc == -1 ? -1 : 0;
}
