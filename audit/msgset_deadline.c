/* SPDX-License-Identifier: ISC */
/*
 * msgset_deadline: deadlines, reminders and escalations of a msgset (see
 * msgset_deadline.h).  The broker's tables win when they exist: they hold
 * what was due under the policy and calendars in force when the message
 * was accepted, which today's policy.conf may no longer say.  Computing
 * from the policy is the fallback for databases from before deadline
 * tracking, and uses the broker's own rule (config/deadline.h) exactly.
 */
#include <string.h>

#include "audit/msgset_deadline.h"
#include "config/deadline.h"
#include "proto/envelope.h"

static const char due_sql[] = "SELECT message_id, step, due_ms FROM deadlines";
static const char fired_sql[] =
	"SELECT message_id, kind, count(*) FROM deadline_timers WHERE state = 'fired'"
	" GROUP BY message_id, kind";
static const char events_sql[] =
	"SELECT message_id, event, count(*) FROM audit WHERE event IN ('reminder', 'escalation')"
	" AND message_id IS NOT NULL GROUP BY message_id, event";

/* The message of a row's first column, or NULL. */
static struct msgset_msg *
row_msg(struct msgset *s, sqlite3_stmt *q)
{
	if (sqlite3_column_bytes(q, 0) != IDS_MSGID_BYTES)
		return NULL;
	return msgset_find(s, sqlite3_column_blob(q, 0));
}

static int
is(sqlite3_stmt *q, int col, const char *text)
{
	const unsigned char *t = sqlite3_column_text(q, col);

	return t != NULL && strcmp((const char *)t, text) == 0;
}

/* Runs sql on the broker's database, calling row for each row. */
static int
each(struct msgset *s, struct auditdb *db, const char *sql,
    void (*row)(struct msgset_msg *, sqlite3_stmt *), struct status *st)
{
	struct msgset_msg *m;
	sqlite3_stmt *q;
	int rc;

	if ((q = auditdb_prepare(db, sql, st)) == NULL)
		return -1;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		if ((m = row_msg(s, q)) != NULL)
			row(m, q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return auditdb_error(db, "cannot read its deadlines", st);
	return 0;
}

static void
due_row(struct msgset_msg *m, sqlite3_stmt *q)
{
	uint64_t due = (uint64_t)sqlite3_column_int64(q, 2);

	if (is(q, 1, "ack"))
		m->due_ack_ms = due;
	else if (is(q, 1, "decision"))
		m->due_decision_ms = due;
	m->due_from_broker = true;
}

static void
count_row(struct msgset_msg *m, sqlite3_stmt *q)
{
	uint32_t n = (uint32_t)sqlite3_column_int(q, 2);

	if (is(q, 1, "reminder"))
		m->reminders += n;
	else if (is(q, 1, "escalation"))
		m->escalations += n;
}

/* A due time as the broker computes it: the recipient's calendar, falling
 * back to clock time for a calendar without working time. */
static uint64_t
due_at(const struct conf_duration *d, int urgency, const struct calendar *cal, uint64_t from)
{
	struct status why;
	uint64_t due = 0;

	if (deadline_due(d, urgency, cal, from, &due, &why) != 0 &&
	    deadline_due(d, urgency, NULL, from, &due, &why) != 0)
		return 0;
	return due;
}

static void
from_policy(struct msgset *s, const struct inputs *in)
{
	const struct deadline_policy *p = policy_deadlines(in->policy);
	const struct directory_agency *to;
	const struct deadline_rule *r;
	const struct calendar *cal;
	struct msgset_msg *m;
	uint64_t from;
	size_t i;

	for (i = 0; i < s->n; i++) {
		m = &s->v[i];
		if (m->type != ENVELOPE_REFERRAL && m->type != ENVELOPE_CONCERN)
			continue;
		if ((to = directory_find(in->dir, m->recipient)) == NULL ||
		    (r = deadline_match(p, m->type, m->urgency, to)) == NULL)
			continue;
		cal = agencycal_get(in->cals, m->recipient);
		from = msgset_time(m);
		m->due_ack_ms = due_at(&r->ack, m->urgency, cal, from);
		m->due_decision_ms = due_at(&r->decision, m->urgency, cal, from);
	}
}

int
msgset_deadline_fill(struct msgset *s, const struct inputs *in, struct status *st)
{
	struct auditdb *b = in->broker;

	if (b != NULL && b->has_deadlines)
		return each(s, b, due_sql, due_row, st) != 0 ? -1 :
		    each(s, b, fired_sql, count_row, st);
	if (b != NULL && each(s, b, events_sql, count_row, st) != 0)
		return -1;
	if (in->policy != NULL && in->cals != NULL)
		from_policy(s, in);
	return 0;
}
