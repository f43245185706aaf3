/* SPDX-License-Identifier: ISC */
/*
 * due: the deadlines of one referral or concern as this agency sees it -
 * as its sender (waiting for the recipient) or as its recipient (owing the
 * answers) - for `dutynet deadlines` and `dutynet status ID`.
 *
 * The rules are the broker's (config/deadline.h, the same policy.conf and
 * the recipient's calendar), so both sides compute the same due times: the
 * acknowledgement and the decision count from when the broker accepted the
 * message, the feedback from the decision.  A step is done when its answer
 * was made: the recipient's ack, decision or feedback (a decision also
 * closes an acknowledgement never sent on its own).  A done step was met,
 * or late by so much working and clock time; an open one is pending or
 * overdue by so much so far.
 *
 * due_compute is pure arithmetic over the facts; due_facts_sent and
 * due_facts_received gather the facts from the outbox and inbox.
 */
#ifndef DUTYNET_DUE_H
#define DUTYNET_DUE_H

#include <stddef.h>
#include <stdint.h>

#include "agents/inbox.h"
#include "agents/outbox.h"
#include "common/db.h"
#include "config/agencycal.h"
#include "config/deadline.h"
#include "config/directory.h"
#include "config/duration.h"
#include "proto/status.h"

#define DUE_STEPS DEADLINE_STEP_MAX	/* ack, decision, feedback */

enum due_role {
	DUE_SENDER,		/* we sent it: waiting for the recipient */
	DUE_RECIPIENT,		/* we received it: we owe the answers */
};

enum due_state {
	DUE_NOT_STARTED,	/* no clock yet: not accepted, or no decision to count from */
	DUE_PENDING,		/* due later */
	DUE_OVERDUE,		/* past due, not done */
	DUE_MET,		/* done by the due time */
	DUE_LATE,		/* done after the due time */
};

/* What this agency knows about one message (times in Unix ms; 0: not yet). */
struct due_facts {
	int type;			/* enum envelope_type */
	int urgency;			/* enum envelope_urgency */
	char to[IDS_AGENCY_MAX + 1];	/* the recipient */
	uint64_t start_ms;		/* when the broker accepted it */
	uint64_t ack_ms;		/* when each answer was made */
	uint64_t decision_ms;
	uint64_t feedback_ms;
};

struct due_step {
	enum deadline_step step;
	enum due_state state;
	const struct conf_duration *within;	/* borrowed from the policy */
	uint64_t due_ms;		/* 0 while DUE_NOT_STARTED */
	uint64_t done_ms;		/* DUE_MET and DUE_LATE */
	int64_t late_working_ms;	/* DUE_LATE: by how much; DUE_OVERDUE: so far */
	int64_t late_clock_ms;
};

/* A message's deadlines.  rule is NULL when it has none (not a referral or
 * concern, or no rule of the policy matches). */
struct due {
	const struct deadline_rule *rule;
	size_t n;			/* steps the rule has: 2, or 3 with feedback */
	struct due_step steps[DUE_STEPS];
};

/* "not started", "pending", "overdue", "met", "late"; NULL if out of range. */
const char *due_state_name(int state);

/* The word before a time limit that is a length of time. */
#define DUE_WITHIN "within "
/* Room for due_within_words' text. */
#define DUE_WORDS_LEN (sizeof(DUE_WITHIN) + DURATION_TEXT_LEN)

/* A step's time limit as people read it after the step's name: "within 1
 * working day" (a length, as the rule writes it), or "by the end of the
 * 10th working day" (an end that says when by itself, canonical). */
void due_within_words(const struct conf_duration *within, char out[DUE_WORDS_LEN]);

/* The deadlines of the message f describes at now_ms, with policy p, the
 * recipient found in d and its calendar in cals.  0 (out->rule NULL if it
 * has none, or its recipient is no longer in d), or -1 and st 504 naming
 * the recipient if its calendar has no working time. */
int due_compute(const struct deadline_policy *p, const struct directory *d,
    const struct agencycal *cals, const struct due_facts *f, uint64_t now_ms, struct due *out,
    struct status *st) __attribute__((warn_unused_result));

/* The facts of m, a message this agency sent: its acceptance, and the
 * recipient's answers in the inbox (as the broker accepted them).  -1 and
 * st 451. */
int due_facts_sent(struct db *db, const struct outbox_msg *m, struct due_facts *f,
    struct status *st);

/* The facts of m, a message this agency received: its acceptance, and
 * this agency's answers in the outbox (accepted, or made if not yet).  -1
 * and st 451. */
int due_facts_received(struct db *db, const struct inbox_msg *m, const char *self,
    struct due_facts *f, struct status *st);

#endif
