/* SPDX-License-Identifier: ISC */
/*
 * outbox: the sender's side of every message (states in outbox.h), and all
 * the SQL on the outbox table.
 *
 * DESIGN: every function that changes a row runs inside the caller's
 * transaction and appends the audit entry for the change itself, so state
 * and audit log cannot disagree; the caller decides when to commit (one
 * commit for a whole batch of broker answers) and only then acts on it.
 * Transitions are guarded in SQL (`WHERE state IN (...)`): a late or
 * repeated answer (a second 202, a receipt after a resend) changes nothing
 * and is reported as OUTBOX_UNCHANGED, never as a second event.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agents/outbox.h"
#include "agents/row.h"
#include "config/rfc3339.h"
#include "proto/ids.h"

static const char *const state_names[] = {
	[OUTBOX_QUEUED] = "queued",
	[OUTBOX_ACCEPTED] = "accepted",
	[OUTBOX_DELIVERED] = "delivered",
	[OUTBOX_FAILED] = "failed",
};
#define N_STATES ((int)(sizeof(state_names) / sizeof(state_names[0])))

#define ROW_COLUMNS \
	"message_id, type, recipient, case_id, in_reply_to, urgency, created_ms," \
	" envelope_hash, state, attempts, last_sent_ms, next_try_ms, accepted_ms, final_ms," \
	" code, reason, receipt_ms, purged_ms"

static const char insert_sql[] =
	"INSERT INTO outbox (message_id, type, recipient, case_id, in_reply_to, urgency,"
	" created_ms, envelope, envelope_hash, state, next_try_ms)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?)";
static const char exists_sql[] = "SELECT 1 FROM outbox WHERE message_id = ?";
static const char due_sql[] =
	"SELECT message_id, state, envelope, urgency FROM outbox"
	" WHERE state IN ('queued', 'accepted')"
	"  AND (next_try_ms <= ?1 OR (state = 'queued' AND (last_sent_ms IS NULL"
	"       OR last_sent_ms < ?2)))"
	" ORDER BY state = 'accepted', urgency, message_id LIMIT ?3";
static const char in_flight_sql[] =
	"SELECT count(*) FROM outbox WHERE state IN ('queued', 'accepted') AND state = 'queued'"
	" AND next_try_ms > ?2 AND last_sent_ms >= ?1";
static const char next_time_sql[] =
	"SELECT min(next_try_ms) FROM outbox WHERE state IN ('queued', 'accepted')";
static const char sent_sql[] =
	"UPDATE outbox SET attempts = attempts + 1, last_sent_ms = ?2, next_try_ms = ?3"
	" WHERE message_id = ?1 AND state IN ('queued', 'accepted')"
	" RETURNING attempts, recipient";
static const char accept_sql[] =
	"UPDATE outbox SET state = 'accepted', accepted_ms = ?2, code = ?3, reason = ?4,"
	" next_try_ms = ?5 WHERE message_id = ?1 AND state = 'queued' RETURNING recipient";
static const char defer_sql[] =
	"UPDATE outbox SET code = ?2, reason = ?3, next_try_ms = ?4"
	" WHERE message_id = ?1 AND state = 'queued' RETURNING recipient";
static const char fail_sql[] =
	"UPDATE outbox SET state = 'failed', final_ms = ?2, code = ?3, reason = ?4"
	" WHERE message_id = ?1 AND state IN ('queued', 'accepted') RETURNING recipient";
static const char deliver_sql[] =
	"UPDATE outbox SET state = 'delivered', final_ms = ?2, code = 250,"
	" reason = 'signed receipt verified', receipt = ?3, receipt_ms = ?4"
	" WHERE message_id = ?1 AND state IN ('queued', 'accepted') RETURNING recipient";
static const char late_receipt_sql[] =
	"UPDATE outbox SET receipt = ?2, receipt_ms = ?3"
	" WHERE message_id = ?1 AND receipt IS NULL RETURNING recipient";
static const char get_sql[] = "SELECT " ROW_COLUMNS " FROM outbox WHERE message_id = ?";
static const char envelope_sql[] = "SELECT envelope FROM outbox WHERE message_id = ?";
static const char list_all_sql[] = "SELECT " ROW_COLUMNS " FROM outbox ORDER BY message_id";
static const char list_pending_sql[] =
	"SELECT " ROW_COLUMNS " FROM outbox WHERE state IN ('queued', 'accepted')"
	" ORDER BY message_id";
static const char replies_sql[] =
	"SELECT " ROW_COLUMNS " FROM outbox WHERE in_reply_to = ? ORDER BY message_id";
static const char count_sql[] = "SELECT count(*) FROM outbox WHERE ?1 IS NULL OR state = ?1";

const char *
outbox_state_name(int state)
{
	if (state < 0 || state >= N_STATES)
		return NULL;
	return state_names[state];
}

int
outbox_state_parse(const char *name)
{
	return row_name_index(state_names, N_STATES, name);
}

int
outbox_put(struct db *db, const struct envelope *env, const uint8_t *bytes, size_t len,
    uint64_t now_ms, struct status *st)
{
	const struct envelope_header *h = &env->h;
	char detail[AUDITLOG_DETAIL_MAX], idtext[IDS_MSGID_TEXT + 1];
	uint8_t hash[SEAL_HASHBYTES];
	sqlite3_stmt *s;
	int rc;

	assert(db_in_transaction(db));
	if ((rc = row_find(db, exists_sql, h->id, &s, st)) == -1)
		return -1;
	if (rc == DB_ROW) {
		sqlite3_reset(s);
		ids_msgid_format(h->id, idtext);
		return status_set(st, STATUS_CONFLICT,
		    "message id %s is already in the outbox; a new message needs a new id", idtext);
	}

	seal_hash(bytes, len, hash);
	if ((s = db_prepare(db, insert_sql, st)) == NULL)
		return -1;
	sqlite3_bind_blob(s, 1, h->id, IDS_MSGID_BYTES, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, h->type);
	sqlite3_bind_text(s, 3, h->to, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, h->case_id, -1, SQLITE_STATIC);
	if (h->has_reply_to)
		sqlite3_bind_blob(s, 5, h->reply_to, IDS_MSGID_BYTES, SQLITE_STATIC);
	sqlite3_bind_int(s, 6, h->urgency);
	sqlite3_bind_int64(s, 7, (sqlite3_int64)h->created_ms);
	sqlite3_bind_blob64(s, 8, bytes, len, SQLITE_STATIC);
	sqlite3_bind_blob(s, 9, hash, sizeof(hash), SQLITE_STATIC);
	sqlite3_bind_int64(s, 10, (sqlite3_int64)now_ms);
	if (db_step(db, s, st) != DB_DONE)
		return -1;

	if (h->has_reply_to) {
		ids_msgid_format(h->reply_to, idtext);
		snprintf(detail, sizeof(detail), "%s to %s, case %s, %s, in reply to %s",
		    envelope_type_name(h->type), h->to, h->case_id,
		    envelope_urgency_name(h->urgency), idtext);
	} else {
		snprintf(detail, sizeof(detail), "%s to %s, case %s, %s",
		    envelope_type_name(h->type), h->to, h->case_id,
		    envelope_urgency_name(h->urgency));
	}
	return auditlog_append(db, "created", h->to, h->id, detail, st);
}

void
outbox_due_free(struct outbox_due **items, size_t n)
{
	size_t i;

	if (*items == NULL)
		return;
	for (i = 0; i < n; i++)
		free((*items)[i].envelope);
	free(*items);
	*items = NULL;
}

int
outbox_next_due(struct db *db, uint64_t now_ms, uint64_t flush_ms, size_t limit,
    struct outbox_due **items, size_t *n, struct status *st)
{
	struct outbox_due *out = NULL;
	sqlite3_stmt *s;
	size_t count = 0;
	int rc;

	*items = NULL;
	*n = 0;
	if (limit == 0)
		return 0;
	if ((out = calloc(limit, sizeof(*out))) == NULL)
		return status_set(st, STATUS_STORE_FAILED, "out of memory reading the outbox");
	if ((s = db_prepare(db, due_sql, st)) == NULL)
		goto fail;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)now_ms);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)flush_ms);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)limit);
	while ((rc = db_step(db, s, st)) == DB_ROW) {
		row_id(s, 0, out[count].id);
		out[count].state = outbox_state_parse((const char *)sqlite3_column_text(s, 1));
		out[count].urgency = sqlite3_column_int(s, 3);
		if (row_blob(s, 2, &out[count].envelope, &out[count].len, st) != 0) {
			sqlite3_reset(s);
			goto fail;
		}
		count++;
	}
	if (rc == -1)
		goto fail;
	*items = out;
	*n = count;
	return 0;
fail:
	outbox_due_free(&out, count);
	return -1;
}

int
outbox_in_flight(struct db *db, uint64_t now_ms, uint64_t flush_ms, size_t *n,
    struct status *st)
{
	sqlite3_stmt *s;

	*n = 0;
	if ((s = db_prepare(db, in_flight_sql, st)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)flush_ms);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)now_ms);
	if (db_step(db, s, st) != DB_ROW)
		return -1;
	*n = (size_t)sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return 0;
}

int
outbox_next_time(struct db *db, uint64_t *when, struct status *st)
{
	sqlite3_stmt *s;
	int found;

	*when = 0;
	if ((s = db_prepare(db, next_time_sql, st)) == NULL)
		return -1;
	if (db_step(db, s, st) != DB_ROW)
		return -1;
	found = sqlite3_column_type(s, 0) != SQLITE_NULL;
	if (found)
		*when = (uint64_t)sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return found;
}

/* Runs an UPDATE ... RETURNING recipient (the first column) bound by the
 * caller: 1 and to[] filled if a row changed, 0 if none, -1. */
static int
update_one(struct db *db, sqlite3_stmt *s, char to[IDS_AGENCY_MAX + 1], struct status *st)
{
	int rc = db_step(db, s, st);

	if (rc == -1)
		return -1;
	if (rc == DB_DONE)
		return 0;
	row_text(s, sqlite3_column_count(s) - 1, to, IDS_AGENCY_MAX + 1);
	/* Finish the statement so the change is complete. */
	if (db_step(db, s, st) == -1)
		return -1;
	return 1;
}

int
outbox_mark_sent(struct db *db, const uint8_t id[IDS_MSGID_BYTES], uint64_t now_ms,
    uint64_t delay_ms, struct status *st)
{
	char detail[64], to[IDS_AGENCY_MAX + 1];
	sqlite3_stmt *s;
	int64_t attempts;
	int rc;

	assert(db_in_transaction(db));
	if ((s = db_prepare(db, sent_sql, st)) == NULL)
		return -1;
	sqlite3_bind_blob(s, 1, id, IDS_MSGID_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)now_ms);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)(now_ms + delay_ms));
	if ((rc = db_step(db, s, st)) == -1)
		return -1;
	if (rc == DB_DONE)
		return 0;	/* final meanwhile: nothing was pending */
	attempts = sqlite3_column_int64(s, 0);
	snprintf(to, sizeof(to), "%s", (const char *)sqlite3_column_text(s, 1));
	if (db_step(db, s, st) == -1)
		return -1;
	snprintf(detail, sizeof(detail), "attempt %lld", (long long)attempts);
	return auditlog_append(db, "sent", to, id, detail, st);
}

static void
bind_code_text(sqlite3_stmt *s, int code, const char *text)
{
	sqlite3_bind_int(s, 3, code);
	sqlite3_bind_text(s, 4, text, -1, SQLITE_STATIC);
}

int
outbox_result(struct db *db, const uint8_t id[IDS_MSGID_BYTES], int code, const char *text,
    uint64_t now_ms, uint64_t retry_ms, enum outbox_effect *effect, struct status *st)
{
	char detail[AUDITLOG_DETAIL_MAX], to[IDS_AGENCY_MAX + 1];
	const char *event;
	sqlite3_stmt *s;
	struct outbox_msg m;
	int rc;

	assert(db_in_transaction(db));
	*effect = OUTBOX_UNKNOWN;
	if ((rc = outbox_get(db, id, &m, st)) <= 0)
		return rc;
	*effect = OUTBOX_UNCHANGED;
	if (code == STATUS_ACCEPTED || code == STATUS_DELIVERED) {
		if ((s = db_prepare(db, accept_sql, st)) == NULL)
			return -1;
		bind_code_text(s, code, text);
		sqlite3_bind_int64(s, 2, (sqlite3_int64)now_ms);
		sqlite3_bind_int64(s, 5, (sqlite3_int64)(now_ms + OUTBOX_RECHECK_MS));
		event = "accepted";
		snprintf(detail, sizeof(detail), "broker committed it (%d %s)", code,
		    status_name(code));
	} else if (status_is_temporary(code)) {
		if ((s = db_prepare(db, defer_sql, st)) == NULL)
			return -1;
		sqlite3_bind_int(s, 2, code);
		sqlite3_bind_text(s, 3, text, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 4, (sqlite3_int64)(now_ms + retry_ms));
		event = "deferred";
		snprintf(detail, sizeof(detail), "broker answered %d %s: %s; retry in %llu s", code,
		    status_name(code), text, (unsigned long long)(retry_ms / 1000));
	} else if (code >= STATUS_MALFORMED) {
		if ((s = db_prepare(db, fail_sql, st)) == NULL)
			return -1;
		bind_code_text(s, code, text);
		sqlite3_bind_int64(s, 2, (sqlite3_int64)now_ms);
		event = "rejected";
		snprintf(detail, sizeof(detail), "refused by the broker: %d %s: %s", code,
		    status_name(code), text);
	} else {
		/* Another 2xx says nothing about this message's state. */
		return 0;
	}
	sqlite3_bind_blob(s, 1, id, IDS_MSGID_BYTES, SQLITE_STATIC);
	if ((rc = update_one(db, s, to, st)) <= 0)
		return rc;
	*effect = OUTBOX_CHANGED;
	return auditlog_append(db, event, to, id, detail, st);
}

int
outbox_outcome(struct db *db, const uint8_t id[IDS_MSGID_BYTES], int code, const char *text,
    uint64_t now_ms, enum outbox_effect *effect, struct status *st)
{
	char detail[AUDITLOG_DETAIL_MAX], to[IDS_AGENCY_MAX + 1];
	struct outbox_msg m;
	sqlite3_stmt *s;
	int rc;

	assert(db_in_transaction(db));
	*effect = OUTBOX_UNKNOWN;
	if ((rc = outbox_get(db, id, &m, st)) <= 0)
		return rc;
	*effect = OUTBOX_UNCHANGED;
	if ((s = db_prepare(db, fail_sql, st)) == NULL)
		return -1;
	sqlite3_bind_blob(s, 1, id, IDS_MSGID_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)now_ms);
	bind_code_text(s, code, text);
	if ((rc = update_one(db, s, to, st)) <= 0)
		return rc;
	*effect = OUTBOX_CHANGED;
	snprintf(detail, sizeof(detail), "%d %s: %s", code, status_name(code), text);
	return auditlog_append(db, "failed", to, id, detail, st);
}

int
outbox_delivered(struct db *db, const uint8_t id[IDS_MSGID_BYTES], const uint8_t *receipt,
    size_t receipt_len, uint64_t receipt_ms, uint64_t now_ms, enum outbox_effect *effect,
    struct status *st)
{
	char detail[160], to[IDS_AGENCY_MAX + 1], when[RFC3339_LEN];
	struct outbox_msg m;
	sqlite3_stmt *s;
	int rc;

	assert(db_in_transaction(db));
	*effect = OUTBOX_UNKNOWN;
	if ((rc = outbox_get(db, id, &m, st)) <= 0)
		return rc;
	*effect = OUTBOX_UNCHANGED;
	rfc3339_format(receipt_ms, when);
	if ((s = db_prepare(db, deliver_sql, st)) == NULL)
		return -1;
	sqlite3_bind_blob(s, 1, id, IDS_MSGID_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)now_ms);
	sqlite3_bind_blob64(s, 3, receipt, receipt_len, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)receipt_ms);
	if ((rc = update_one(db, s, to, st)) < 0)
		return -1;
	if (rc == 1) {
		*effect = OUTBOX_CHANGED;
		snprintf(detail, sizeof(detail), "signed receipt from %s verified; stored there at %s",
		    to, when);
		return auditlog_append(db, "delivered", to, id, detail, st);
	}
	if (m.state != OUTBOX_FAILED)
		return 0;	/* delivered already: a repeated receipt */
	/* Final as failed, yet the recipient has it: keep the evidence. */
	if ((s = db_prepare(db, late_receipt_sql, st)) == NULL)
		return -1;
	sqlite3_bind_blob(s, 1, id, IDS_MSGID_BYTES, SQLITE_STATIC);
	sqlite3_bind_blob64(s, 2, receipt, receipt_len, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)receipt_ms);
	if ((rc = update_one(db, s, to, st)) <= 0)
		return rc;
	*effect = OUTBOX_CHANGED;
	snprintf(detail, sizeof(detail),
	    "signed receipt from %s after the message failed (%d); stored there at %s", to, m.code,
	    when);
	return auditlog_append(db, "receipt", to, id, detail, st);
}

/* Fills m from a row of ROW_COLUMNS. */
static void
read_row(sqlite3_stmt *s, struct outbox_msg *m)
{
	memset(m, 0, sizeof(*m));
	row_id(s, 0, m->id);
	m->type = sqlite3_column_int(s, 1);
	row_text(s, 2, m->to, sizeof(m->to));
	row_text(s, 3, m->case_id, sizeof(m->case_id));
	m->has_reply_to = row_id(s, 4, m->reply_to);
	m->urgency = sqlite3_column_int(s, 5);
	m->created_ms = row_u64(s, 6);
	if (sqlite3_column_bytes(s, 7) == SEAL_HASHBYTES)
		memcpy(m->envelope_hash, sqlite3_column_blob(s, 7), SEAL_HASHBYTES);
	m->state = outbox_state_parse((const char *)sqlite3_column_text(s, 8));
	m->attempts = (unsigned)sqlite3_column_int(s, 9);
	m->last_sent_ms = row_u64(s, 10);
	m->next_try_ms = row_u64(s, 11);
	m->accepted_ms = row_u64(s, 12);
	m->final_ms = row_u64(s, 13);
	m->code = sqlite3_column_int(s, 14);
	row_text(s, 15, m->reason, sizeof(m->reason));
	m->receipt_ms = row_u64(s, 16);
	m->purged_ms = row_u64(s, 17);
}

int
outbox_get(struct db *db, const uint8_t id[IDS_MSGID_BYTES], struct outbox_msg *m,
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
outbox_envelope(struct db *db, const uint8_t id[IDS_MSGID_BYTES], uint8_t **buf, size_t *len,
    struct status *st)
{
	sqlite3_stmt *s;
	int rc;

	*buf = NULL;
	*len = 0;
	if ((rc = row_find(db, envelope_sql, id, &s, st)) == -1)
		return -1;
	if (rc == DB_DONE)
		return 0;
	rc = row_blob(s, 0, buf, len, st);
	sqlite3_reset(s);
	return rc == 0 ? 1 : -1;
}

static int
walk(struct db *db, sqlite3_stmt *s, int (*fn)(const struct outbox_msg *m, void *arg),
    void *arg, struct status *st)
{
	struct outbox_msg m;
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
outbox_list(struct db *db, int pending_only, int (*fn)(const struct outbox_msg *m, void *arg),
    void *arg, struct status *st)
{
	sqlite3_stmt *s = db_prepare(db, pending_only ? list_pending_sql : list_all_sql, st);

	if (s == NULL)
		return -1;
	return walk(db, s, fn, arg, st);
}

int
outbox_replies(struct db *db, const uint8_t id[IDS_MSGID_BYTES],
    int (*fn)(const struct outbox_msg *m, void *arg), void *arg, struct status *st)
{
	sqlite3_stmt *s = db_prepare(db, replies_sql, st);

	if (s == NULL)
		return -1;
	sqlite3_bind_blob(s, 1, id, IDS_MSGID_BYTES, SQLITE_STATIC);
	return walk(db, s, fn, arg, st);
}

int64_t
outbox_count(struct db *db, int state, struct status *st)
{
	return row_count(db, count_sql, state >= 0 ? outbox_state_name(state) : NULL, st);
}
