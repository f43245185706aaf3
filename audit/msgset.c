/* SPDX-License-Identifier: ISC */
/*
 * msgset: the messages of every database given, merged by id (see
 * msgset.h); deadlines are msgset_deadline.c's.
 *
 * DESIGN.  Messages are one growing array, found by id through an
 * open-addressing table of indexes (ids are UUIDv7: their last eight bytes
 * are random, a good hash as they are).  Each table is read with one
 * statement.  The header fields (type, sender, recipient, case, reply) are
 * taken from the first source read and compared with every later one;
 * a difference is recorded as the message's conflict, for reconcile to
 * report, and never silently merged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/msgset.h"
#include "audit/msgset_deadline.h"
#include "proto/envelope.h"

#define SET_FIRST 256
#define LOAD_NUM 1			/* grow the slots above n * 2 */
#define LOAD_DEN 2
#define HASH_BYTES 8			/* of the id's random tail */

static const char broker_sql[] =
	"SELECT id, sender, recipient, type, urgency, case_id, in_reply_to, created_ms,"
	" accepted_ms, state, code, final_ms, receipt_id IS NOT NULL FROM messages";
static const char outbox_sql[] =
	"SELECT message_id, ?1, recipient, type, urgency, case_id, in_reply_to, created_ms,"
	" accepted_ms, state, code, final_ms, receipt IS NOT NULL, receipt_ms FROM outbox";
static const char inbox_sql[] =
	"SELECT message_id, sender, ?1, type, urgency, case_id, in_reply_to, created_ms,"
	" accepted_ms, state, received_ms, receipt IS NOT NULL, ack_ms, decision_ms FROM inbox";
/* The header columns every query above starts with. */
enum { COL_ID, COL_FROM, COL_TO, COL_TYPE, COL_URGENCY, COL_CASE, COL_REPLY, COL_CREATED,
	COL_ACCEPTED, COL_STATE, COL_REST };

static const char *const state_names[] = {
	[MSGSET_NONE] = "-", [MSGSET_QUEUED] = "queued", [MSGSET_ACCEPTED] = "accepted",
	[MSGSET_DELIVERED] = "delivered", [MSGSET_FAILED] = "failed",
	[MSGSET_RECEIVED] = "received", [MSGSET_ACKNOWLEDGED] = "acknowledged",
	[MSGSET_DECIDED] = "decided", [MSGSET_REJECTED] = "rejected",
	[MSGSET_UNKNOWN] = "unknown",
};

const char *
msgset_state_name(enum msgset_state st)
{
	return st <= MSGSET_UNKNOWN ? state_names[st] : "unknown";
}

static enum msgset_state
state_parse(const unsigned char *s)
{
	int i;

	if (s == NULL)
		return MSGSET_UNKNOWN;
	for (i = MSGSET_QUEUED; i < MSGSET_UNKNOWN; i++)
		if (strcmp((const char *)s, state_names[i]) == 0)
			return (enum msgset_state)i;
	return MSGSET_UNKNOWN;
}

static size_t
slot_of(const uint8_t id[IDS_MSGID_BYTES], size_t n_slots)
{
	uint64_t h = 0;
	size_t i;

	for (i = IDS_MSGID_BYTES - HASH_BYTES; i < IDS_MSGID_BYTES; i++)
		h = h << 8 | id[i];
	return (size_t)(h % n_slots);
}

struct msgset_msg *
msgset_find(const struct msgset *s, const uint8_t id[IDS_MSGID_BYTES])
{
	size_t i;

	if (s->n_slots == 0)
		return NULL;
	for (i = slot_of(id, s->n_slots); s->slots[i] != 0; i = (i + 1) % s->n_slots)
		if (memcmp(s->v[s->slots[i] - 1].id, id, IDS_MSGID_BYTES) == 0)
			return &s->v[s->slots[i] - 1];
	return NULL;
}

static int
rehash(struct msgset *s, size_t n_slots)
{
	size_t *slots = calloc(n_slots, sizeof(*slots)), i, j;

	if (slots == NULL)
		return -1;
	for (i = 0; i < s->n; i++) {
		for (j = slot_of(s->v[i].id, n_slots); slots[j] != 0; j = (j + 1) % n_slots)
			;
		slots[j] = i + 1;
	}
	free(s->slots);
	s->slots = slots;
	s->n_slots = n_slots;
	return 0;
}

/* The message with id, added (zeroed but for its id) if new; *is_new says
 * which.  NULL if out of memory. */
static struct msgset_msg *
get(struct msgset *s, const uint8_t id[IDS_MSGID_BYTES], bool *is_new)
{
	struct msgset_msg *m = msgset_find(s, id), *grown;
	size_t cap, j;

	*is_new = m == NULL;
	if (m != NULL)
		return m;
	if (s->n == s->cap) {
		cap = s->cap ? s->cap * 2 : SET_FIRST;
		if ((grown = realloc(s->v, cap * sizeof(*grown))) == NULL)
			return NULL;
		s->v = grown;
		s->cap = cap;
	}
	/* At most half the slots in use, so probes stay short. */
	if ((s->n + 1) * LOAD_DEN > s->n_slots * LOAD_NUM &&
	    rehash(s, s->n_slots ? s->n_slots * 2 : SET_FIRST * LOAD_DEN) != 0)
		return NULL;
	m = &s->v[s->n++];
	memset(m, 0, sizeof(*m));
	memcpy(m->id, id, IDS_MSGID_BYTES);
	for (j = slot_of(id, s->n_slots); s->slots[j] != 0; j = (j + 1) % s->n_slots)
		;
	s->slots[j] = s->n;
	return m;
}

static void
text_into(sqlite3_stmt *q, int col, char *out, size_t cap)
{
	const unsigned char *t = sqlite3_column_text(q, col);

	snprintf(out, cap, "%s", t != NULL ? (const char *)t : "");
}

/* Fills a new message's header from the row, or compares it. */
static void
header(struct msgset_msg *m, bool is_new, sqlite3_stmt *q, const char *source)
{
	char from[IDS_AGENCY_MAX + 1], to[IDS_AGENCY_MAX + 1], cs[IDS_CASE_MAX + 1];
	bool reply = sqlite3_column_bytes(q, COL_REPLY) == IDS_MSGID_BYTES;

	text_into(q, COL_FROM, from, sizeof(from));
	text_into(q, COL_TO, to, sizeof(to));
	text_into(q, COL_CASE, cs, sizeof(cs));
	if (is_new) {
		m->type = (uint8_t)sqlite3_column_int(q, COL_TYPE);
		m->urgency = (uint8_t)sqlite3_column_int(q, COL_URGENCY);
		memcpy(m->sender, from, sizeof(from));
		memcpy(m->recipient, to, sizeof(to));
		memcpy(m->case_id, cs, sizeof(cs));
		if ((m->has_reply_to = reply))
			memcpy(m->reply_to, sqlite3_column_blob(q, COL_REPLY), IDS_MSGID_BYTES);
		m->created_ms = (uint64_t)sqlite3_column_int64(q, COL_CREATED);
		return;
	}
	if (m->conflict[0] != '\0')
		return;
	if (m->type == sqlite3_column_int(q, COL_TYPE) && strcmp(m->sender, from) == 0 &&
	    strcmp(m->recipient, to) == 0 && strcmp(m->case_id, cs) == 0 &&
	    m->has_reply_to == reply && (!reply || memcmp(m->reply_to,
		sqlite3_column_blob(q, COL_REPLY), IDS_MSGID_BYTES) == 0))
		return;
	/* A longer text is cut, which is fine for a message to people. */
	if (snprintf(m->conflict, sizeof(m->conflict), "%s records it as %s %s -> %s (case "
		"%.24s), not %s %s -> %s", source,
		envelope_type_name(sqlite3_column_int(q, COL_TYPE)) ?
		envelope_type_name(sqlite3_column_int(q, COL_TYPE)) : "?", from, to, cs,
		envelope_type_name(m->type) ? envelope_type_name(m->type) : "?", m->sender,
		m->recipient) < 0)
		m->conflict[0] = '\0';
}

static uint64_t
u64(sqlite3_stmt *q, int col)
{
	sqlite3_int64 v = sqlite3_column_int64(q, col);

	return v > 0 ? (uint64_t)v : 0;
}

/* Reads one table with sql (its ?1 bound to owner) through fill. */
static int
read_table(struct msgset *s, struct auditdb *db, const char *sql, const char *owner,
    const char *source, void (*fill)(struct msgset_msg *, sqlite3_stmt *), struct status *st)
{
	struct msgset_msg *m;
	sqlite3_stmt *q;
	bool is_new;
	int rc;

	if ((q = auditdb_prepare(db, sql, st)) == NULL)
		return -1;
	if (owner != NULL)
		sqlite3_bind_text(q, 1, owner, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (sqlite3_column_bytes(q, COL_ID) != IDS_MSGID_BYTES)
			continue;	/* CHECK constraints keep these out */
		if ((m = get(s, sqlite3_column_blob(q, COL_ID), &is_new)) == NULL) {
			sqlite3_finalize(q);
			return status_set(st, STATUS_UNAVAILABLE, "out of memory");
		}
		header(m, is_new, q, source);
		fill(m, q);
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return auditdb_error(db, "cannot read its messages", st);
	return 0;
}

static void
fill_broker(struct msgset_msg *m, sqlite3_stmt *q)
{
	m->at_broker = true;
	m->b_accepted_ms = u64(q, COL_ACCEPTED);
	m->b_state = state_parse(sqlite3_column_text(q, COL_STATE));
	m->b_code = sqlite3_column_int(q, COL_REST);
	m->b_final_ms = u64(q, COL_REST + 1);
	m->b_has_receipt = sqlite3_column_int(q, COL_REST + 2) != 0;
}

static void
fill_outbox(struct msgset_msg *m, sqlite3_stmt *q)
{
	m->in_outbox = true;
	m->o_accepted_ms = u64(q, COL_ACCEPTED);
	m->o_state = state_parse(sqlite3_column_text(q, COL_STATE));
	m->o_code = sqlite3_column_int(q, COL_REST);
	m->o_final_ms = u64(q, COL_REST + 1);
	m->o_has_receipt = sqlite3_column_int(q, COL_REST + 2) != 0;
	m->o_receipt_ms = u64(q, COL_REST + 3);
}

static void
fill_inbox(struct msgset_msg *m, sqlite3_stmt *q)
{
	m->in_inbox = true;
	m->i_accepted_ms = u64(q, COL_ACCEPTED);
	m->i_state = state_parse(sqlite3_column_text(q, COL_STATE));
	m->i_received_ms = u64(q, COL_REST);
	m->i_has_receipt = sqlite3_column_int(q, COL_REST + 1) != 0;
	m->i_ack_ms = u64(q, COL_REST + 2);
	m->i_decision_ms = u64(q, COL_REST + 3);
}

uint64_t
msgset_time(const struct msgset_msg *m)
{
	if (m->at_broker && m->b_accepted_ms != 0)
		return m->b_accepted_ms;
	if (m->in_inbox && m->i_accepted_ms != 0)
		return m->i_accepted_ms;
	if (m->in_outbox && m->o_accepted_ms != 0)
		return m->o_accepted_ms;
	return m->created_ms;
}

static int
answer_kind(int type)
{
	switch (type) {
	case ENVELOPE_RECEIPT:
		return MSGSET_ANSWER_RECEIPT;
	case ENVELOPE_ACK:
		return MSGSET_ANSWER_ACK;
	case ENVELOPE_DECISION:
		return MSGSET_ANSWER_DECISION;
	case ENVELOPE_FEEDBACK:
		return MSGSET_ANSWER_FEEDBACK;
	case ENVELOPE_REJECT:
		return MSGSET_ANSWER_REJECT;
	}
	return -1;
}

/* Links each answer (from the recipient back to the sender) to the
 * message it answers, keeping the earliest of each kind. */
static void
link_answers(struct msgset *s)
{
	struct msgset_msg *a, *m;
	size_t i, *slot;
	int k;

	for (i = 0; i < s->n; i++) {
		a = &s->v[i];
		if (!a->has_reply_to || (k = answer_kind(a->type)) < 0 ||
		    (m = msgset_find(s, a->reply_to)) == NULL ||
		    strcmp(a->sender, m->recipient) != 0 || strcmp(a->recipient, m->sender) != 0)
			continue;
		slot = &m->answer[k];
		if (*slot == 0 || msgset_time(a) < msgset_time(&s->v[*slot - 1]))
			*slot = i + 1;
	}
}

const struct msgset_msg *
msgset_answer(const struct msgset *s, const struct msgset_msg *m, enum msgset_answer a)
{
	return m->answer[a] != 0 ? &s->v[m->answer[a] - 1] : NULL;
}

bool
msgset_has_db(const struct msgset *s, const char *agency)
{
	size_t i;

	for (i = 0; i < s->n_given; i++)
		if (strcmp(s->given[i], agency) == 0)
			return true;
	return false;
}

void
msgset_destroy(struct msgset **sp)
{
	if (sp == NULL || *sp == NULL)
		return;
	free((*sp)->v);
	free((*sp)->slots);
	free((*sp)->given);
	free(*sp);
	*sp = NULL;
}

struct msgset *
msgset_load(const struct inputs *in, struct status *st)
{
	struct msgset *s = calloc(1, sizeof(*s));
	struct auditdb *db;
	size_t i;

	if (s == NULL || (s->given = calloc(in->n_dbs + 1, sizeof(*s->given))) == NULL) {
		status_set(st, STATUS_UNAVAILABLE, "out of memory");
		goto fail;
	}
	if (in->dir != NULL)
		snprintf(s->broker_id, sizeof(s->broker_id), "%s", in->dir->broker.id);
	for (i = 0; i < in->n_dbs; i++) {
		db = in->dbs[i];
		if (db->kind == AUDITDB_BROKER) {
			s->have_broker = true;
			if (read_table(s, db, broker_sql, NULL, "the broker", fill_broker, st) != 0)
				goto fail;
		} else if (db->kind == AUDITDB_AGENT && db->owner[0] != '\0') {
			memcpy(s->given[s->n_given++], db->owner, sizeof(db->owner));
			if (read_table(s, db, outbox_sql, db->owner, db->owner, fill_outbox,
				st) != 0 ||
			    read_table(s, db, inbox_sql, db->owner, db->owner, fill_inbox, st) != 0)
				goto fail;
		}
	}
	link_answers(s);
	if (msgset_deadline_fill(s, in, st) != 0)
		goto fail;
	return s;
fail:
	msgset_destroy(&s);
	return NULL;
}
