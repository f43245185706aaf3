/* SPDX-License-Identifier: ISC */
/*
 * inbox: the recipient's side of every message (states in inbox.h), and all
 * the SQL on the inbox table.
 *
 * DESIGN: a message id is the primary key, so "stored once" is enforced by
 * the database itself; inbox_seen is asked first so that a duplicate
 * delivery is counted, audited and answered with the very receipt stored the
 * first time (the same bytes: the broker and an auditor see one receipt per
 * message, however often it was delivered).  As in outbox.c, each change
 * runs in the caller's transaction together with its audit entry.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agents/inbox.h"
#include "agents/row.h"
#include "proto/ids.h"

static const char *const state_names[] = {
	[INBOX_RECEIVED] = "received",
	[INBOX_ACKNOWLEDGED] = "acknowledged",
	[INBOX_DECIDED] = "decided",
	[INBOX_REJECTED] = "rejected",
};
#define N_STATES ((int)(sizeof(state_names) / sizeof(state_names[0])))

#define ROW_COLUMNS \
	"message_id, type, sender, case_id, in_reply_to, urgency, created_ms, accepted_ms," \
	" received_ms, deliveries, state, reject_code, reject_text, ack_ms, ack_by, decision," \
	" decision_ms, decision_by, purged_ms"

static const char seen_sql[] =
	"UPDATE inbox SET deliveries = deliveries + 1 WHERE message_id = ?"
	" RETURNING deliveries, receipt, sender";
static const char insert_sql[] =
	"INSERT INTO inbox (message_id, type, sender, case_id, in_reply_to, urgency, created_ms,"
	" accepted_ms, received_ms, envelope, envelope_hash, payload, receipt, state,"
	" reject_code, reject_text)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char ack_sql[] =
	"UPDATE inbox SET state = 'acknowledged', ack_ms = ?2, ack_by = ?3"
	" WHERE message_id = ?1 AND state = 'received'";
static const char decide_sql[] =
	"UPDATE inbox SET state = 'decided', decision = ?2, decision_ms = ?3, decision_by = ?4"
	" WHERE message_id = ?1 AND state IN ('received', 'acknowledged')";
static const char get_sql[] = "SELECT " ROW_COLUMNS " FROM inbox WHERE message_id = ?";
static const char bytes_sql[] = "SELECT envelope, payload FROM inbox WHERE message_id = ?";
static const char list_sql[] = "SELECT " ROW_COLUMNS " FROM inbox ORDER BY received_ms, rowid";
static const char replies_sql[] =
	"SELECT " ROW_COLUMNS " FROM inbox WHERE in_reply_to = ? ORDER BY received_ms, rowid";
static const char count_sql[] = "SELECT count(*) FROM inbox WHERE ?1 IS NULL OR state = ?1";

const char *
inbox_state_name(int state)
{
	if (state < 0 || state >= N_STATES)
		return NULL;
	return state_names[state];
}

int
inbox_state_parse(const char *name)
{
	return row_name_index(state_names, N_STATES, name);
}

int
inbox_seen(struct db *db, const uint8_t id[IDS_MSGID_BYTES], uint8_t **receipt,
    size_t *receipt_len, struct status *st)
{
	char detail[64], from[IDS_AGENCY_MAX + 1];
	sqlite3_stmt *s;
	int rc;

	assert(db_in_transaction(db));
	*receipt = NULL;
	*receipt_len = 0;
	if ((rc = row_find(db, seen_sql, id, &s, st)) == -1)
		return -1;
	if (rc == DB_DONE)
		return 0;
	snprintf(detail, sizeof(detail), "delivered again (%lld times); stored once",
	    (long long)sqlite3_column_int64(s, 0));
	snprintf(from, sizeof(from), "%s", (const char *)sqlite3_column_text(s, 2));
	if (row_blob(s, 1, receipt, receipt_len, st) != 0) {
		sqlite3_reset(s);
		return -1;
	}
	if (db_step(db, s, st) == -1)
		goto fail;
	if (auditlog_append(db, "duplicate", from, id, detail, st) != 0)
		goto fail;
	return 1;
fail:
	free(*receipt);
	*receipt = NULL;
	return -1;
}

static int
insert(struct db *db, const struct inbox_item *it, const char *state, int code, const char *text,
    struct status *st)
{
	const struct envelope_header *h = &it->env->h;
	uint8_t hash[SEAL_HASHBYTES];
	sqlite3_stmt *s;

	assert(db_in_transaction(db));
	seal_hash(it->bytes, it->len, hash);
	if ((s = db_prepare(db, insert_sql, st)) == NULL)
		return -1;
	sqlite3_bind_blob(s, 1, h->id, IDS_MSGID_BYTES, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, h->type);
	sqlite3_bind_text(s, 3, h->from, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, h->case_id, -1, SQLITE_STATIC);
	if (h->has_reply_to)
		sqlite3_bind_blob(s, 5, h->reply_to, IDS_MSGID_BYTES, SQLITE_STATIC);
	sqlite3_bind_int(s, 6, h->urgency);
	sqlite3_bind_int64(s, 7, (sqlite3_int64)h->created_ms);
	if (it->accepted_ms != 0)
		sqlite3_bind_int64(s, 8, (sqlite3_int64)it->accepted_ms);
	sqlite3_bind_int64(s, 9, (sqlite3_int64)it->received_ms);
	sqlite3_bind_blob64(s, 10, it->bytes, it->len, SQLITE_STATIC);
	sqlite3_bind_blob(s, 11, hash, sizeof(hash), SQLITE_STATIC);
	if (it->payload != NULL)
		sqlite3_bind_blob64(s, 12, it->payload, it->payload_len, SQLITE_STATIC);
	if (it->receipt != NULL)
		sqlite3_bind_blob64(s, 13, it->receipt, it->receipt_len, SQLITE_STATIC);
	sqlite3_bind_text(s, 14, state, -1, SQLITE_STATIC);
	if (code != 0) {
		sqlite3_bind_int(s, 15, code);
		sqlite3_bind_text(s, 16, text, -1, SQLITE_STATIC);
	}
	if (db_step(db, s, st) == -1) {
		/* The primary key: inbox_seen should have been asked. */
		if (st != NULL &&
		    sqlite3_extended_errcode(db_handle(db)) == SQLITE_CONSTRAINT_PRIMARYKEY)
			st->code = STATUS_CONFLICT;
		return -1;
	}
	return 0;
}

int
inbox_put(struct db *db, const struct inbox_item *it, struct status *st)
{
	const struct envelope_header *h = &it->env->h;
	char detail[AUDITLOG_DETAIL_MAX], reply[IDS_MSGID_TEXT + 1];

	const char *answer = it->receipt != NULL ? "receipt made" : "ACKed (a notice is not receipted)";

	assert(it->payload != NULL);
	assert(it->receipt != NULL || h->type == ENVELOPE_ESCALATION);
	if (insert(db, it, "received", 0, NULL, st) != 0)
		return -1;
	if (h->has_reply_to) {
		ids_msgid_format(h->reply_to, reply);
		snprintf(detail, sizeof(detail), "%s from %s, case %s, %s, in reply to %s; %s",
		    envelope_type_name(h->type), h->from, h->case_id,
		    envelope_urgency_name(h->urgency), reply, answer);
	} else {
		snprintf(detail, sizeof(detail), "%s from %s, case %s, %s; %s",
		    envelope_type_name(h->type), h->from, h->case_id,
		    envelope_urgency_name(h->urgency), answer);
	}
	return auditlog_append(db, "received", h->from, h->id, detail, st);
}

int
inbox_put_rejected(struct db *db, const struct inbox_item *it, int code, const char *text,
    struct status *st)
{
	const struct envelope_header *h = &it->env->h;
	char detail[AUDITLOG_DETAIL_MAX];

	assert(code >= STATUS_MALFORMED);
	if (insert(db, it, "rejected", code, text, st) != 0)
		return -1;
	snprintf(detail, sizeof(detail), "could not accept %s from %s: %d %s: %s",
	    envelope_type_name(h->type) ? envelope_type_name(h->type) : "message", h->from, code,
	    status_name(code), text);
	return auditlog_append(db, "rejected", h->from, h->id, detail, st);
}

/* Reads id and checks that a person may acknowledge or decide it. */
static int
answerable(struct db *db, const uint8_t id[IDS_MSGID_BYTES], struct inbox_msg *m,
    const char *what, struct status *st)
{
	char idtext[IDS_MSGID_TEXT + 1];
	int rc;

	ids_msgid_format(id, idtext);
	if ((rc = inbox_get(db, id, m, st)) < 0)
		return -1;
	if (rc == 0)
		return status_set(st, STATUS_BAD_FIELD,
		    "no message %s in the inbox; 'dutynet inbox' lists what was received", idtext);
	if (m->type != ENVELOPE_REFERRAL && m->type != ENVELOPE_CONCERN)
		return status_set(st, STATUS_BAD_FIELD,
		    "message %s is a %s; only referrals and concerns are %s", idtext,
		    envelope_type_name(m->type), what);
	if (m->state == INBOX_REJECTED)
		return status_set(st, STATUS_BAD_FIELD,
		    "message %s was rejected on arrival (%d); it cannot be %s", idtext,
		    m->reject_code, what);
	return 0;
}

int
inbox_acknowledge(struct db *db, const uint8_t id[IDS_MSGID_BYTES], const char *by,
    uint64_t now_ms, struct status *st)
{
	char detail[AUDITLOG_DETAIL_MAX];
	struct inbox_msg m;
	sqlite3_stmt *s;

	assert(db_in_transaction(db));
	if (answerable(db, id, &m, "acknowledged", st) != 0)
		return -1;
	if (m.state != INBOX_RECEIVED)
		return 0;
	if ((s = db_prepare(db, ack_sql, st)) == NULL)
		return -1;
	sqlite3_bind_blob(s, 1, id, IDS_MSGID_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)now_ms);
	sqlite3_bind_text(s, 3, by, -1, SQLITE_STATIC);
	if (db_step(db, s, st) != DB_DONE)
		return -1;
	snprintf(detail, sizeof(detail), "by %s", by);
	if (auditlog_append(db, "acknowledged", m.from, id, detail, st) != 0)
		return -1;
	return 1;
}

int
inbox_decide(struct db *db, const uint8_t id[IDS_MSGID_BYTES], const char *decision,
    const char *by, const char *detail, uint64_t now_ms, struct status *st)
{
	char idtext[IDS_MSGID_TEXT + 1];
	struct inbox_msg m;
	sqlite3_stmt *s;

	assert(db_in_transaction(db));
	if (answerable(db, id, &m, "decided", st) != 0)
		return -1;
	if (m.state == INBOX_DECIDED) {
		ids_msgid_format(id, idtext);
		return status_set(st, STATUS_CONFLICT,
		    "message %s was already decided (%s, by %s); send feedback to add to it",
		    idtext, m.decision, m.decision_by);
	}
	if ((s = db_prepare(db, decide_sql, st)) == NULL)
		return -1;
	sqlite3_bind_blob(s, 1, id, IDS_MSGID_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, decision, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)now_ms);
	sqlite3_bind_text(s, 4, by, -1, SQLITE_STATIC);
	if (db_step(db, s, st) != DB_DONE)
		return -1;
	return auditlog_append(db, "decided", m.from, id, detail, st);
}

static void
read_row(sqlite3_stmt *s, struct inbox_msg *m)
{
	char state[16];

	memset(m, 0, sizeof(*m));
	row_id(s, 0, m->id);
	m->type = sqlite3_column_int(s, 1);
	row_text(s, 2, m->from, sizeof(m->from));
	row_text(s, 3, m->case_id, sizeof(m->case_id));
	m->has_reply_to = row_id(s, 4, m->reply_to);
	m->urgency = sqlite3_column_int(s, 5);
	m->created_ms = row_u64(s, 6);
	m->accepted_ms = row_u64(s, 7);
	m->received_ms = row_u64(s, 8);
	m->deliveries = (unsigned)sqlite3_column_int(s, 9);
	row_text(s, 10, state, sizeof(state));
	m->state = inbox_state_parse(state);
	m->reject_code = sqlite3_column_int(s, 11);
	row_text(s, 12, m->reject_text, sizeof(m->reject_text));
	m->ack_ms = row_u64(s, 13);
	row_text(s, 14, m->ack_by, sizeof(m->ack_by));
	row_text(s, 15, m->decision, sizeof(m->decision));
	m->decision_ms = row_u64(s, 16);
	row_text(s, 17, m->decision_by, sizeof(m->decision_by));
	m->purged_ms = row_u64(s, 18);
}

int
inbox_get(struct db *db, const uint8_t id[IDS_MSGID_BYTES], struct inbox_msg *m,
    struct status *st)
{
	sqlite3_stmt *s;
	int rc;

	if ((rc = row_find(db, get_sql, id, &s, st)) == -1)
		return -1;
	if (rc == DB_DONE)
		return 0;
	read_row(s, m);
	sqlite3_reset(s);
	return 1;
}

int
inbox_bytes(struct db *db, const uint8_t id[IDS_MSGID_BYTES], uint8_t **envelope,
    size_t *envelope_len, uint8_t **payload, size_t *payload_len, struct status *st)
{
	sqlite3_stmt *s;
	int rc;

	*envelope = *payload = NULL;
	*envelope_len = *payload_len = 0;
	if ((rc = row_find(db, bytes_sql, id, &s, st)) == -1)
		return -1;
	if (rc == DB_DONE)
		return 0;
	if (row_blob(s, 0, envelope, envelope_len, st) != 0 ||
	    row_blob(s, 1, payload, payload_len, st) != 0) {
		sqlite3_reset(s);
		free(*envelope);
		*envelope = NULL;
		return -1;
	}
	sqlite3_reset(s);
	return 1;
}

static int
walk(struct db *db, sqlite3_stmt *s, int (*fn)(const struct inbox_msg *m, void *arg), void *arg,
    struct status *st)
{
	struct inbox_msg m;
	int rc;

	while ((rc = db_step(db, s, st)) == DB_ROW) {
		read_row(s, &m);
		if (fn(&m, arg) != 0) {
			sqlite3_reset(s);
			return 0;
		}
	}
	return rc == -1 ? -1 : 0;
}

int
inbox_list(struct db *db, int (*fn)(const struct inbox_msg *m, void *arg), void *arg,
    struct status *st)
{
	sqlite3_stmt *s = db_prepare(db, list_sql, st);

	if (s == NULL)
		return -1;
	return walk(db, s, fn, arg, st);
}

int
inbox_replies(struct db *db, const uint8_t id[IDS_MSGID_BYTES],
    int (*fn)(const struct inbox_msg *m, void *arg), void *arg, struct status *st)
{
	sqlite3_stmt *s = db_prepare(db, replies_sql, st);

	if (s == NULL)
		return -1;
	sqlite3_bind_blob(s, 1, id, IDS_MSGID_BYTES, SQLITE_STATIC);
	return walk(db, s, fn, arg, st);
}

int64_t
inbox_count(struct db *db, int state, struct status *st)
{
	return row_count(db, count_sql, state >= 0 ? inbox_state_name(state) : NULL, st);
}
