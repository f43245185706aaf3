/* SPDX-License-Identifier: ISC */
/*
 * store: the broker's database (see store.h for the model).  All the SQL on
 * messages and queues lives here, so the schema, the states and every
 * statement that moves a message between them can be read in one place and
 * checked against SCHEMA.md; the deadline tables are deadline.c's (their
 * schema is a migration step here).
 *
 * The rules that move a message to its outcome are in outcome.c.
 *
 * DESIGN.  Idempotence is by message id: a row is inserted once, and a
 * repeat is compared by envelope hash, never stored twice.  Each agency's
 * queue is numbered from its own counter in `sequences` (never reused, so a
 * late RECEIPT or ACK cannot hit a newer item), and read back one urgency
 * at a time in seq order: deliver.c sends the most urgent first.  The same
 * row counts the agency's waiting DELIVERs (`waiting`, kept by triggers on
 * `queue`, so every statement that adds or drops one keeps it exact, and a
 * rollback undoes it with the rows): the quota check is one lookup.  A
 * final outcome (delivered or failed) is written by exactly one UPDATE
 * guarded by state = 'queued', so a message can reach only one of them.
 */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/deadline.h"
#include "broker/retention.h"
#include "broker/store.h"
#include "common/auditlog.h"

/* Room for an audit detail line written here. */
#define STORE_DETAIL_MAX 160

struct store {
	struct db *db;
};

static const char *const schema[STORE_SCHEMA_VERSION] = {
	/* version 1 */
	AUDITLOG_SCHEMA_SQL
	"CREATE TABLE messages ("
	" id BLOB NOT NULL UNIQUE CHECK (length(id) = 16),"
	" sender TEXT NOT NULL,"
	" recipient TEXT NOT NULL,"
	" type INTEGER NOT NULL CHECK (type BETWEEN 1 AND 8),"
	" urgency INTEGER NOT NULL CHECK (urgency BETWEEN 1 AND 4),"
	" case_id TEXT NOT NULL,"
	" in_reply_to BLOB CHECK (in_reply_to IS NULL OR length(in_reply_to) = 16),"
	" created_ms INTEGER NOT NULL,"
	" accepted_ms INTEGER NOT NULL,"
	" expires_ms INTEGER NOT NULL,"
	" size INTEGER NOT NULL,"
	" envelope_hash BLOB NOT NULL CHECK (length(envelope_hash) = 32),"
	" envelope BLOB,"
	" state TEXT NOT NULL CHECK (state IN ('queued', 'delivered', 'failed')),"
	" code INTEGER NOT NULL,"
	" text TEXT NOT NULL,"
	" final_ms INTEGER NOT NULL DEFAULT 0,"
	" receipt_id BLOB REFERENCES messages(id));"
	"CREATE INDEX messages_expiry ON messages(expires_ms)"
	" WHERE state = 'queued' AND expires_ms > 0;"
	"CREATE TABLE sequences ("
	" agency TEXT PRIMARY KEY NOT NULL,"
	" last_seq INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE queue ("
	" agency TEXT NOT NULL,"
	" seq INTEGER NOT NULL,"
	" kind TEXT NOT NULL CHECK (kind IN ('deliver', 'outcome')),"
	" message_id BLOB NOT NULL REFERENCES messages(id),"
	" queued_ms INTEGER NOT NULL,"
	" PRIMARY KEY (agency, seq)) WITHOUT ROWID;"
	"CREATE INDEX queue_message ON queue(message_id);",
	/* version 2 */
	DEADLINE_SCHEMA_SQL,
	/* version 3 */
	RETENTION_SCHEMA_SQL,
	/* version 4: the recipient quota is read from a count the queue's own
	 * triggers keep exact (a count(*) per SEND was O(queue)), and items
	 * carry their message's urgency, the delivery order. */
	"ALTER TABLE sequences ADD COLUMN waiting INTEGER NOT NULL DEFAULT 0;"
	"UPDATE sequences SET waiting = (SELECT count(*) FROM queue q"
	" WHERE q.agency = sequences.agency AND q.kind = 'deliver');"
	"ALTER TABLE queue ADD COLUMN urgency INTEGER NOT NULL DEFAULT 3"
	" CHECK (urgency BETWEEN 1 AND 4);"
	"UPDATE queue SET urgency = (SELECT m.urgency FROM messages m"
	" WHERE m.id = queue.message_id);"
	"CREATE INDEX queue_urgency ON queue(agency, urgency, seq);"
	"CREATE TRIGGER queue_waiting_add AFTER INSERT ON queue WHEN NEW.kind = 'deliver'"
	" BEGIN UPDATE sequences SET waiting = waiting + 1 WHERE agency = NEW.agency; END;"
	"CREATE TRIGGER queue_waiting_drop AFTER DELETE ON queue WHEN OLD.kind = 'deliver'"
	" BEGIN UPDATE sequences SET waiting = waiting - 1 WHERE agency = OLD.agency; END;",
};

/* The columns read_message expects, in this order. */
#define MESSAGE_COLUMNS \
	"m.id, m.sender, m.recipient, m.type, m.urgency, m.in_reply_to, m.accepted_ms," \
	" m.expires_ms, m.final_ms, m.envelope_hash, m.state, m.code, m.text, m.receipt_id," \
	" m.purged_ms"
enum {
	COL_ID, COL_SENDER, COL_RECIPIENT, COL_TYPE, COL_URGENCY, COL_REPLY_TO, COL_ACCEPTED,
	COL_EXPIRES, COL_FINAL, COL_HASH, COL_STATE, COL_CODE, COL_TEXT, COL_RECEIPT,
	COL_PURGED, COL_COUNT
};

static const char find_sql[] =
    "SELECT " MESSAGE_COLUMNS " FROM messages m WHERE m.id = ?1";
static const char insert_sql[] =
    "INSERT INTO messages (id, sender, recipient, type, urgency, case_id, in_reply_to,"
    " created_ms, accepted_ms, expires_ms, size, envelope_hash, envelope, state, code, text)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 'queued', ?14, ?15)";
static const char next_seq_sql[] =
    "INSERT INTO sequences (agency, last_seq) VALUES (?1, 1)"
    " ON CONFLICT (agency) DO UPDATE SET last_seq = last_seq + 1 RETURNING last_seq";
static const char enqueue_sql[] =
    "INSERT INTO queue (agency, seq, kind, message_id, queued_ms, urgency)"
    " SELECT ?1, ?2, ?3, ?4, ?5, urgency FROM messages WHERE id = ?4";
static const char item_sql[] =
    "SELECT kind, message_id FROM queue WHERE agency = ?1 AND seq = ?2";
static const char drop_item_sql[] =
    "DELETE FROM queue WHERE agency = ?1 AND seq = ?2";
static const char drop_deliveries_sql[] =
    "DELETE FROM queue WHERE message_id = ?1 AND kind = 'deliver'";
static const char pending_delivery_sql[] =
    "SELECT 1 FROM queue WHERE agency = ?1 AND message_id = ?2 AND kind = 'deliver'";
static const char delivered_sql[] =
    "UPDATE messages SET state = 'delivered', code = 250, text = ?2, final_ms = ?3,"
    " receipt_id = ?4, envelope = NULL WHERE id = ?1 AND state = 'queued'";
static const char receipt_acked_sql[] =
    "UPDATE messages SET state = 'delivered', code = 250, text = ?2, final_ms = ?3"
    " WHERE id = ?1 AND state = 'queued'";
static const char acked_sql[] =
    "UPDATE messages SET state = 'delivered', code = 250, text = ?2, final_ms = ?3,"
    " envelope = NULL WHERE id = ?1 AND state = 'queued'";
static const char count_deliveries_sql[] =
    "SELECT waiting FROM sequences WHERE agency = ?1";
static const char failed_sql[] =
    "UPDATE messages SET state = 'failed', code = ?2, text = ?3, final_ms = ?4,"
    " envelope = NULL WHERE id = ?1 AND state = 'queued'";
static const char queue_sql[] =
    "SELECT " MESSAGE_COLUMNS ", q.seq, q.kind, m.envelope FROM queue q"
    " JOIN messages m ON m.id = q.message_id"
    " WHERE q.agency = ?1 AND q.seq > ?2 ORDER BY q.seq LIMIT ?3";
static const char lane_sql[] =
    "SELECT " MESSAGE_COLUMNS ", q.seq, q.kind, m.envelope FROM queue q"
    " JOIN messages m ON m.id = q.message_id"
    " WHERE q.agency = ?1 AND q.urgency = ?4 AND q.seq > ?2 ORDER BY q.seq LIMIT ?3";
static const char expired_sql[] =
    "SELECT " MESSAGE_COLUMNS " FROM messages m"
    " WHERE m.state = 'queued' AND m.expires_ms > 0 AND m.expires_ms <= ?1 AND m.type <> 3"
    " ORDER BY m.expires_ms LIMIT ?2";
static const char count_sql[] =
    "SELECT (SELECT count(*) FROM messages WHERE state = 'queued'),"
    " (SELECT count(*) FROM messages WHERE state = 'delivered'),"
    " (SELECT count(*) FROM messages WHERE state = 'failed'), (SELECT count(*) FROM queue)";

static const char *const state_names[] = {
	[STORE_QUEUED] = "queued",
	[STORE_DELIVERED] = "delivered",
	[STORE_FAILED] = "failed",
};

const char *
store_state_name(int state)
{
	if (state < STORE_QUEUED || state > STORE_FAILED)
		return NULL;
	return state_names[state];
}

static int
state_parse(const char *s)
{
	int i;

	for (i = STORE_QUEUED; i <= STORE_FAILED; i++)
		if (s != NULL && strcmp(s, state_names[i]) == 0)
			return i;
	return -1;
}

struct store *
store_open(const char *path, struct status *st)
{
	struct store *s = calloc(1, sizeof(*s));

	if (s == NULL) {
		status_set(st, STATUS_STORE_FAILED, "%s: out of memory opening the store", path);
		return NULL;
	}
	if ((s->db = db_open(path, st)) == NULL ||
	    db_migrate(s->db, schema, STORE_SCHEMA_VERSION, st) == -1)
		store_close(&s);
	return s;
}

void
store_close(struct store **sp)
{
	if (sp == NULL || *sp == NULL)
		return;
	db_close(&(*sp)->db);
	free(*sp);
	*sp = NULL;
}

struct db *
store_db(struct store *s)
{
	return s->db;
}

/* Copies a blob column of exactly n bytes; 0, or -1 if it is not one. */
static int
column_blob(sqlite3_stmt *q, int col, uint8_t *out, size_t n)
{
	if (sqlite3_column_type(q, col) != SQLITE_BLOB ||
	    (size_t)sqlite3_column_bytes(q, col) != n)
		return -1;
	memcpy(out, sqlite3_column_blob(q, col), n);
	return 0;
}

static void
column_text(sqlite3_stmt *q, int col, char *out, size_t cap)
{
	const unsigned char *t = sqlite3_column_text(q, col);

	snprintf(out, cap, "%s", t != NULL ? (const char *)t : "");
}

/* Fills m from the MESSAGE_COLUMNS of the current row; -1 and st 451 if a
 * column does not hold what the schema promises (a hand-edited row). */
static int
read_message(struct store *s, sqlite3_stmt *q, struct store_message *m, struct status *st)
{
	int state;

	memset(m, 0, sizeof(*m));
	state = state_parse((const char *)sqlite3_column_text(q, COL_STATE));
	if (column_blob(q, COL_ID, m->id, sizeof(m->id)) == -1 ||
	    column_blob(q, COL_HASH, m->hash, sizeof(m->hash)) == -1 || state == -1)
		return status_set(st, STATUS_STORE_FAILED,
		    "%s: a messages row has a bad id, hash or state; restore the database from a "
		    "backup", db_path(s->db));
	column_text(q, COL_SENDER, m->sender, sizeof(m->sender));
	column_text(q, COL_RECIPIENT, m->recipient, sizeof(m->recipient));
	column_text(q, COL_TEXT, m->text, sizeof(m->text));
	m->type = (uint8_t)sqlite3_column_int(q, COL_TYPE);
	m->urgency = (uint8_t)sqlite3_column_int(q, COL_URGENCY);
	m->has_reply_to = column_blob(q, COL_REPLY_TO, m->reply_to, sizeof(m->reply_to)) == 0;
	m->accepted_ms = (uint64_t)sqlite3_column_int64(q, COL_ACCEPTED);
	m->expires_ms = (uint64_t)sqlite3_column_int64(q, COL_EXPIRES);
	m->final_ms = (uint64_t)sqlite3_column_int64(q, COL_FINAL);
	m->state = (enum store_state)state;
	m->code = (uint16_t)sqlite3_column_int(q, COL_CODE);
	m->has_receipt = column_blob(q, COL_RECEIPT, m->receipt_id, sizeof(m->receipt_id)) == 0;
	m->purged_ms = (uint64_t)sqlite3_column_int64(q, COL_PURGED);
	return 0;
}

int
store_find(struct store *s, const uint8_t id[IDS_MSGID_BYTES], struct store_message *m,
    struct status *st)
{
	sqlite3_stmt *q;
	int rc;

	if ((q = db_prepare(s->db, find_sql, st)) == NULL)
		return -1;
	sqlite3_bind_blob(q, 1, id, IDS_MSGID_BYTES, SQLITE_STATIC);
	if ((rc = db_step(s->db, q, st)) != DB_ROW)
		return rc;	/* DB_DONE (0): not found, or -1 */
	rc = read_message(s, q, m, st) == 0 ? 1 : -1;
	sqlite3_reset(q);
	return rc;
}

static int __attribute__((format(printf, 6, 7)))
audit_store(struct store *s, const char *event, const char *agency, const uint8_t *id,
    struct status *st, const char *fmt, ...)
{
	char detail[STORE_DETAIL_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	return auditlog_append(s->db, event, agency, id, detail, st);
}

/* Appends an item for agency with the next seq of its queue. */
static int
enqueue(struct store *s, const char *agency, enum store_kind kind,
    const uint8_t id[IDS_MSGID_BYTES], uint64_t now_ms, uint64_t *seq, struct status *st)
{
	sqlite3_stmt *q;
	uint64_t n;

	if ((q = db_prepare(s->db, next_seq_sql, st)) == NULL)
		return -1;
	sqlite3_bind_text(q, 1, agency, -1, SQLITE_STATIC);
	if (db_step(s->db, q, st) != DB_ROW)
		return status_set(st, STATUS_STORE_FAILED, "%s: no sequence number for %s; retry",
		    db_path(s->db), agency);
	n = (uint64_t)sqlite3_column_int64(q, 0);
	if (db_step(s->db, q, st) != DB_DONE)
		return -1;
	if ((q = db_prepare(s->db, enqueue_sql, st)) == NULL)
		return -1;
	sqlite3_bind_text(q, 1, agency, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)n);
	sqlite3_bind_text(q, 3, kind == STORE_ITEM_DELIVER ? "deliver" : "outcome", -1,
	    SQLITE_STATIC);
	sqlite3_bind_blob(q, 4, id, IDS_MSGID_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(q, 5, (sqlite3_int64)now_ms);
	if (db_step(s->db, q, st) != DB_DONE)
		return -1;
	if (sqlite3_changes(db_handle(s->db)) != 1)	/* the message row is missing */
		return status_set(st, STATUS_STORE_FAILED, "%s: no message row for an item of %s's "
		    "queue; restore the database from a backup", db_path(s->db), agency);
	if (seq != NULL)
		*seq = n;
	return 0;
}

int
store_insert(struct store *s, const struct envelope *env, const uint8_t *bytes, size_t len,
    uint64_t now_ms, uint64_t expires_ms, struct status *st)
{
	const struct envelope_header *h = &env->h;
	uint8_t hash[SEAL_HASHBYTES];
	sqlite3_stmt *q;

	assert(db_in_transaction(s->db));
	seal_hash(bytes, len, hash);
	if ((q = db_prepare(s->db, insert_sql, st)) == NULL)
		return -1;
	sqlite3_bind_blob(q, 1, h->id, IDS_MSGID_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, h->from, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, h->to, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 4, h->type);
	sqlite3_bind_int(q, 5, h->urgency);
	sqlite3_bind_text(q, 6, h->case_id, -1, SQLITE_STATIC);
	if (h->has_reply_to)
		sqlite3_bind_blob(q, 7, h->reply_to, IDS_MSGID_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(q, 8, (sqlite3_int64)h->created_ms);
	sqlite3_bind_int64(q, 9, (sqlite3_int64)now_ms);
	sqlite3_bind_int64(q, 10, (sqlite3_int64)expires_ms);
	sqlite3_bind_int64(q, 11, (sqlite3_int64)len);
	sqlite3_bind_blob(q, 12, hash, SEAL_HASHBYTES, SQLITE_STATIC);
	sqlite3_bind_blob(q, 13, bytes, (int)len, SQLITE_STATIC);
	sqlite3_bind_int(q, 14, STATUS_ACCEPTED);
	sqlite3_bind_text(q, 15, "accepted", -1, SQLITE_STATIC);
	if (db_step(s->db, q, st) != DB_DONE)
		return -1;
	return enqueue(s, h->to, STORE_ITEM_DELIVER, h->id, now_ms, NULL, st);
}

int
store_known(struct store *s, const uint8_t *bytes, size_t len, const uint8_t id[IDS_MSGID_BYTES],
    struct store_message *m, struct status *st)
{
	char text[IDS_MSGID_TEXT + 1];
	uint8_t hash[SEAL_HASHBYTES];
	int rc = store_find(s, id, m, st);

	seal_hash(bytes, len, hash);
	if (rc != 1)
		return rc;
	if (memcmp(m->hash, hash, SEAL_HASHBYTES) != 0) {
		ids_msgid_format(id, text);
		return status_set(st, STATUS_CONFLICT,
		    "message id %s is already used by a different envelope; a new message needs "
		    "a new id", text);
	}
	return 1;
}

int
store_put(struct store *s, const struct envelope *env, const uint8_t *bytes, size_t len,
    uint64_t now_ms, uint64_t expires_ms, int *duplicate, struct store_message *m,
    struct status *st)
{
	int rc;

	assert(db_in_transaction(s->db));
	*duplicate = 0;
	if (env->h.type == ENVELOPE_RECEIPT)
		return status_set(st, STATUS_BAD_TYPE,
		    "a receipt travels in a RECEIPT frame, not in SEND");
	if ((rc = store_known(s, bytes, len, env->h.id, m, st)) != 0) {
		*duplicate = rc == 1;
		return rc == 1 ? 0 : -1;
	}
	if (store_insert(s, env, bytes, len, now_ms, expires_ms, st) == -1 ||
	    audit_store(s, "accepted", env->h.from, env->h.id, st, "type=%s to=%s bytes=%zu",
		envelope_type_name(env->h.type), env->h.to, len) == -1)
		return -1;
	return store_find(s, env->h.id, m, st) == 1 ? 0 : -1;
}

int
store_enqueue(struct store *s, const char *agency, enum store_kind kind,
    const uint8_t id[IDS_MSGID_BYTES], uint64_t now_ms, uint64_t *seq, struct status *st)
{
	assert(db_in_transaction(s->db));
	return enqueue(s, agency, kind, id, now_ms, seq, st);
}

int
store_item(struct store *s, const char *agency, uint64_t seq, enum store_kind *kind,
    uint8_t id[IDS_MSGID_BYTES], struct status *st)
{
	sqlite3_stmt *q;
	const unsigned char *k;
	int rc;

	if ((q = db_prepare(s->db, item_sql, st)) == NULL)
		return -1;
	sqlite3_bind_text(q, 1, agency, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)seq);
	if ((rc = db_step(s->db, q, st)) != DB_ROW)
		return rc;
	k = sqlite3_column_text(q, 0);
	*kind = k != NULL && strcmp((const char *)k, "outcome") == 0 ? STORE_ITEM_OUTCOME :
	    STORE_ITEM_DELIVER;
	rc = column_blob(q, 1, id, IDS_MSGID_BYTES) == 0 ? 1 :
	    status_set(st, STATUS_STORE_FAILED, "%s: queue row %s/%llu has a bad message id",
		db_path(s->db), agency, (unsigned long long)seq);
	sqlite3_reset(q);
	return rc;
}

int
store_has_delivery(struct store *s, const char *agency, const uint8_t id[IDS_MSGID_BYTES],
    struct status *st)
{
	sqlite3_stmt *q;
	int rc;

	if ((q = db_prepare(s->db, pending_delivery_sql, st)) == NULL)
		return -1;
	sqlite3_bind_text(q, 1, agency, -1, SQLITE_STATIC);
	sqlite3_bind_blob(q, 2, id, IDS_MSGID_BYTES, SQLITE_STATIC);
	if ((rc = db_step(s->db, q, st)) == DB_ROW)
		sqlite3_reset(q);
	return rc;
}

int
store_drop_item(struct store *s, const char *agency, uint64_t seq, struct status *st)
{
	sqlite3_stmt *q;

	assert(db_in_transaction(s->db));
	if ((q = db_prepare(s->db, drop_item_sql, st)) == NULL)
		return -1;
	sqlite3_bind_text(q, 1, agency, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)seq);
	return db_step(s->db, q, st) == DB_DONE ? 0 : -1;
}

int
store_drop_deliveries(struct store *s, const uint8_t id[IDS_MSGID_BYTES], struct status *st)
{
	sqlite3_stmt *q;

	assert(db_in_transaction(s->db));
	if ((q = db_prepare(s->db, drop_deliveries_sql, st)) == NULL)
		return -1;
	sqlite3_bind_blob(q, 1, id, IDS_MSGID_BYTES, SQLITE_STATIC);
	return db_step(s->db, q, st) == DB_DONE ? 0 : -1;
}

/* Runs a final-state UPDATE and reports whether it changed the row: the
 * state = 'queued' guard in each makes a second final outcome impossible. */
static int
finish(struct store *s, sqlite3_stmt *q, struct status *st)
{
	if (db_step(s->db, q, st) != DB_DONE)
		return -1;
	return sqlite3_changes(db_handle(s->db)) == 1 ? 1 : 0;
}

int
store_set_delivered(struct store *s, const uint8_t id[IDS_MSGID_BYTES],
    const uint8_t *receipt_id, const char *text, uint64_t now_ms, struct status *st)
{
	sqlite3_stmt *q;

	assert(db_in_transaction(s->db));
	if ((q = db_prepare(s->db, receipt_id != NULL ? delivered_sql : receipt_acked_sql,
		 st)) == NULL)
		return -1;
	sqlite3_bind_blob(q, 1, id, IDS_MSGID_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, text, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, (sqlite3_int64)now_ms);
	if (receipt_id != NULL)
		sqlite3_bind_blob(q, 4, receipt_id, IDS_MSGID_BYTES, SQLITE_STATIC);
	return finish(s, q, st);
}

int
store_set_acked(struct store *s, const uint8_t id[IDS_MSGID_BYTES], const char *text,
    uint64_t now_ms, struct status *st)
{
	sqlite3_stmt *q;

	assert(db_in_transaction(s->db));
	if ((q = db_prepare(s->db, acked_sql, st)) == NULL)
		return -1;
	sqlite3_bind_blob(q, 1, id, IDS_MSGID_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, text, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, (sqlite3_int64)now_ms);
	return finish(s, q, st);
}

int
store_count_deliveries(struct store *s, const char *agency, uint64_t limit, uint64_t *n,
    struct status *st)
{
	sqlite3_stmt *q;
	sqlite3_int64 w;
	int rc;

	*n = 0;
	if ((q = db_prepare(s->db, count_deliveries_sql, st)) == NULL)
		return -1;
	sqlite3_bind_text(q, 1, agency, -1, SQLITE_STATIC);
	if ((rc = db_step(s->db, q, st)) != DB_ROW)
		return rc;	/* DB_DONE: no queue yet, 0 waiting; or -1 */
	w = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	*n = w < 0 ? 0 : (uint64_t)w < limit ? (uint64_t)w : limit;
	return 0;
}

int
store_set_failed(struct store *s, const uint8_t id[IDS_MSGID_BYTES], uint16_t code,
    const char *text, uint64_t now_ms, struct status *st)
{
	sqlite3_stmt *q;

	assert(db_in_transaction(s->db));
	if ((q = db_prepare(s->db, failed_sql, st)) == NULL)
		return -1;
	sqlite3_bind_blob(q, 1, id, IDS_MSGID_BYTES, SQLITE_STATIC);
	sqlite3_bind_int(q, 2, code);
	sqlite3_bind_text(q, 3, text, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 4, (sqlite3_int64)now_ms);
	return finish(s, q, st);
}

int
store_due(struct store *s, uint64_t now_ms, unsigned limit, struct store_message *out,
    unsigned *n, struct status *st)
{
	sqlite3_stmt *q;
	int rc;

	*n = 0;
	if (limit == 0)
		return 0;
	if ((q = db_prepare(s->db, expired_sql, st)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, (sqlite3_int64)now_ms);
	sqlite3_bind_int(q, 2, (int)limit);
	while ((rc = db_step(s->db, q, st)) == DB_ROW) {
		if (read_message(s, q, &out[*n], st) == -1) {
			sqlite3_reset(q);
			return -1;
		}
		(*n)++;
	}
	return rc;
}

int
store_queue_next(struct store *s, const char *agency, int urgency, uint64_t after,
    unsigned limit, int (*fn)(const struct store_item *it, void *arg), void *arg,
    struct status *st)
{
	struct store_item it;
	const unsigned char *kind;
	sqlite3_stmt *q;
	int rc;

	if ((q = db_prepare(s->db, urgency != 0 ? lane_sql : queue_sql, st)) == NULL)
		return -1;
	sqlite3_bind_text(q, 1, agency, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)after);
	sqlite3_bind_int(q, 3, (int)limit);
	if (urgency != 0)
		sqlite3_bind_int(q, 4, urgency);
	while ((rc = db_step(s->db, q, st)) == DB_ROW) {
		if (read_message(s, q, &it.m, st) == -1) {
			rc = -1;
			break;
		}
		it.seq = (uint64_t)sqlite3_column_int64(q, COL_COUNT);
		kind = sqlite3_column_text(q, COL_COUNT + 1);
		it.kind = kind != NULL && strcmp((const char *)kind, "outcome") == 0 ?
		    STORE_ITEM_OUTCOME : STORE_ITEM_DELIVER;
		it.envelope = sqlite3_column_blob(q, COL_COUNT + 2);
		it.envelope_len = (size_t)sqlite3_column_bytes(q, COL_COUNT + 2);
		if (it.kind == STORE_ITEM_DELIVER && it.envelope == NULL) {
			rc = status_set(st, STATUS_STORE_FAILED,
			    "%s: queued delivery %s/%llu has no envelope", db_path(s->db), agency,
			    (unsigned long long)it.seq);
			break;
		}
		if (fn(&it, arg) != 0)
			break;
	}
	sqlite3_reset(q);
	return rc == -1 ? -1 : 0;
}

int
store_count(struct store *s, struct store_counts *c, struct status *st)
{
	sqlite3_stmt *q;

	memset(c, 0, sizeof(*c));
	if ((q = db_prepare(s->db, count_sql, st)) == NULL || db_step(s->db, q, st) != DB_ROW)
		return -1;
	c->queued = (uint64_t)sqlite3_column_int64(q, 0);
	c->delivered = (uint64_t)sqlite3_column_int64(q, 1);
	c->failed = (uint64_t)sqlite3_column_int64(q, 2);
	c->pending_items = (uint64_t)sqlite3_column_int64(q, 3);
	sqlite3_reset(q);
	return 0;
}
