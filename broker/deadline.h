/* SPDX-License-Identifier: ISC */
/*
 * deadline (broker): tracking the deadlines of referrals and concerns in
 * the broker's database, from envelope metadata alone.  The broker is
 * always on (a school's server may be off at night), so it is the one that
 * notices a missed deadline.  The policy and the arithmetic are
 * config/deadline.h; this module owns the two tables that make them
 * durable (schema and every statement are here; SCHEMA.md documents them):
 *
 *   deadlines        one row per (message, step): ack, decision, feedback;
 *                    when it is due, and whether it was met or late (by how
 *                    much, in the recipient's working time and clock time)
 *   deadline_timers  one row per reminder and escalation step of a
 *                    deadline: when it fires, whom it tells, and its state
 *                    pending -> fired | cancelled | refused
 *
 * EXACTLY ONCE.  Rows are written in the transaction that accepts the
 * message; a timer changes state in the transaction that queues its notice
 * (escalate.c) or that accepts the answer cancelling it.  A broker killed
 * at any point therefore restarts with either the timer pending and no
 * notice, or the timer fired and its notice queued: never both, never
 * neither.
 *
 * Everything here runs inside the caller's open transaction.  -1 and st 451
 * on a database error (the caller rolls back).
 */
#ifndef DUTYNET_BROKER_DEADLINE_H
#define DUTYNET_BROKER_DEADLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "broker/store.h"
#include "config/agencycal.h"
#include "config/deadline.h"
#include "config/directory.h"
#include "proto/envelope.h"
#include "proto/status.h"

/* The tables, for store.c's migrations (schema version 2). */
#define DEADLINE_SCHEMA_SQL \
	"CREATE TABLE deadlines (" \
	" message_id BLOB NOT NULL REFERENCES messages(id)," \
	" step TEXT NOT NULL CHECK (step IN ('ack', 'decision', 'feedback'))," \
	" type INTEGER NOT NULL," \
	" sender TEXT NOT NULL," \
	" recipient TEXT NOT NULL," \
	" case_id TEXT NOT NULL," \
	" urgency INTEGER NOT NULL," \
	" rule TEXT NOT NULL," \
	" within TEXT NOT NULL," \
	" from_ms INTEGER NOT NULL," \
	" due_ms INTEGER NOT NULL," \
	" state TEXT NOT NULL CHECK (state IN ('pending', 'met', 'late'))," \
	" answer_id BLOB," \
	" answered_ms INTEGER," \
	" late_working_ms INTEGER," \
	" late_clock_ms INTEGER," \
	" PRIMARY KEY (message_id, step)) WITHOUT ROWID;" \
	"CREATE INDEX deadlines_due ON deadlines(due_ms) WHERE state = 'pending';" \
	"CREATE TABLE deadline_timers (" \
	" message_id BLOB NOT NULL," \
	" step TEXT NOT NULL," \
	" ord INTEGER NOT NULL," \
	" kind TEXT NOT NULL CHECK (kind IN ('reminder', 'escalation'))," \
	" role TEXT NOT NULL CHECK (role IN ('sender', 'recipient', 'agency'))," \
	" tell TEXT NOT NULL," \
	" percent INTEGER," \
	" fire_ms INTEGER NOT NULL," \
	" state TEXT NOT NULL CHECK (state IN ('pending', 'fired', 'cancelled', 'refused'))," \
	" done_ms INTEGER," \
	" notice_id BLOB," \
	" PRIMARY KEY (message_id, step, ord)," \
	" FOREIGN KEY (message_id, step) REFERENCES deadlines(message_id, step)) WITHOUT ROWID;" \
	"CREATE INDEX deadline_timers_due ON deadline_timers(fire_ms) WHERE state = 'pending';"

/* Longest rule name kept in a row (longer names are cut). */
#define DEADLINE_RULE_MAX 127

enum deadline_state {
	DEADLINE_PENDING = 1,	/* not answered yet (overdue once due_ms passed) */
	DEADLINE_MET = 2,	/* answered at or before due_ms */
	DEADLINE_LATE = 3,	/* answered after due_ms */
};

enum deadline_timer_kind {
	DEADLINE_TIMER_REMINDER = 1,	/* to the recipient, before the deadline */
	DEADLINE_TIMER_ESCALATION = 2,	/* a step of its escalation chain, after it */
};

enum deadline_timer_state {
	DEADLINE_TIMER_PENDING = 1,
	DEADLINE_TIMER_FIRED = 2,	/* its notice is queued (notice_id) */
	DEADLINE_TIMER_CANCELLED = 3,	/* answered in time, or the message failed */
	DEADLINE_TIMER_REFUSED = 4,	/* could not be sent (no such agency now, or the
					 * policy forbids it): logged and audited */
};

/* What tracking needs from the broker, all borrowed. */
struct deadline_env {
	struct store *store;
	const struct directory *dir;
	const struct deadline_policy *policy;
	const struct agencycal *cals;
};

/* One row of `deadlines`. */
struct deadline_row {
	uint8_t message_id[IDS_MSGID_BYTES];
	enum deadline_step step;
	uint8_t type;				/* the tracked message's type */
	char sender[IDS_AGENCY_MAX + 1];	/* who waits for the answer */
	char recipient[IDS_AGENCY_MAX + 1];	/* who owes it */
	char case_id[IDS_CASE_MAX + 1];
	uint8_t urgency;
	char rule[DEADLINE_RULE_MAX + 1];
	char within[DURATION_TEXT_LEN];
	uint64_t from_ms;
	uint64_t due_ms;
	enum deadline_state state;
	bool answered;
	uint8_t answer_id[IDS_MSGID_BYTES];
	uint64_t answered_ms;
	int64_t late_working_ms;
	int64_t late_clock_ms;
};

/* One row of `deadline_timers`, with its deadline. */
struct deadline_timer {
	struct deadline_row d;
	unsigned ord;
	enum deadline_timer_kind kind;
	enum directory_tell role;
	char tell[IDS_AGENCY_MAX + 1];		/* the agency told */
	unsigned percent;			/* reminders */
	uint64_t fire_ms;
	enum deadline_timer_state state;
};

/* Counts for the stats socket. */
struct deadline_counts {
	uint64_t pending;		/* deadlines not answered yet ... */
	uint64_t overdue;		/* ... of which past due */
	uint64_t met;
	uint64_t late;
	uint64_t timers_pending;
	uint64_t reminders_sent;
	uint64_t escalations_sent;
};

/* After accepting the new envelope h at now_ms (same transaction): a
 * referral or concern that a rule matches gets its ack and decision
 * deadlines with their timers; an ack, decision or feedback from the
 * recipient of a tracked message to its sender answers its deadline (a
 * decision answers the ack too, and starts the feedback deadline): met or
 * late, pending timers cancelled.  Audits each change; writes a one-line
 * summary for the log into note[0..cap) ("" if nothing was tracked).
 * -1 and st 451. */
int deadline_on_accept(const struct deadline_env *e, const struct envelope_header *h,
    uint64_t now_ms, char *note, size_t cap, struct status *st)
    __attribute__((warn_unused_result));

/* The deadline of message id at step: 1 and *row, 0 if none; -1 and st 451. */
int deadline_find(struct store *s, const uint8_t id[IDS_MSGID_BYTES], enum deadline_step step,
    struct deadline_row *row, struct status *st) __attribute__((warn_unused_result));

/* Up to limit pending timers with fire_ms <= now_ms, earliest first, into
 * out[0..*n).  -1 and st 451. */
int deadline_timers_due(struct store *s, uint64_t now_ms, struct deadline_timer *out,
    unsigned limit, unsigned *n, struct status *st) __attribute__((warn_unused_result));

/* The pending escalation of t's deadline that fires next after t (what a
 * notice says happens next): 1 and *next, 0 if none.  -1 and st 451. */
int deadline_timer_next(struct store *s, const struct deadline_timer *t,
    struct deadline_timer *next, struct status *st) __attribute__((warn_unused_result));

/* Ends pending timer t in state (fired with notice_id, cancelled or
 * refused) at now_ms.  1 if it was pending, 0 if not.  Does not audit: the
 * caller does, with the notice.  -1 and st 451. */
int deadline_timer_end(struct store *s, const struct deadline_timer *t,
    enum deadline_timer_state state, const uint8_t *notice_id, uint64_t now_ms,
    struct status *st) __attribute__((warn_unused_result));

/* Totals for --status at now_ms.  -1 and st 451. */
int deadline_count(struct store *s, uint64_t now_ms, struct deadline_counts *c,
    struct status *st) __attribute__((warn_unused_result));

/* Names as stored ("pending", "reminder", "fired"); NULL if out of range. */
const char *deadline_state_name(int state);
const char *deadline_timer_kind_name(int kind);
const char *deadline_timer_state_name(int state);

#endif
