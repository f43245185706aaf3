/* SPDX-License-Identifier: ISC */
/*
 * msgset: every message any of the given databases knows, by message id,
 * with what each side recorded about it: the broker's `messages` row, the
 * sender's `outbox` row and the recipient's `inbox` row (SCHEMA.md), the
 * answers that reply to it (ack, decision, feedback, receipt, reject,
 * notices), and its deadlines.  timeline, reconcile and report all read
 * their facts from here, so they agree on what the databases say.
 *
 * Deadlines come from the broker's `deadlines` table when it has one (what
 * the broker tracked at the time); otherwise, for referrals and concerns,
 * from policy.conf and the recipient's calendar (config/deadline.h), when
 * the inputs loaded them, counted from when the broker accepted the
 * message.  Reminders and escalations sent are counted from the broker's
 * `deadline_timers` (fired), or else from its audit events `reminder` and
 * `escalation`.
 */
#ifndef DUTYNET_AUDIT_MSGSET_H
#define DUTYNET_AUDIT_MSGSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audit/inputs.h"
#include "proto/ids.h"
#include "proto/status.h"

#define MSGSET_CONFLICT_MAX 160

/* A row's state, from any of the three tables. */
enum msgset_state {
	MSGSET_NONE = 0,	/* no such row */
	MSGSET_QUEUED,		/* broker, outbox */
	MSGSET_ACCEPTED,	/* outbox */
	MSGSET_DELIVERED,	/* broker, outbox */
	MSGSET_FAILED,		/* broker, outbox */
	MSGSET_RECEIVED,	/* inbox */
	MSGSET_ACKNOWLEDGED,	/* inbox */
	MSGSET_DECIDED,		/* inbox */
	MSGSET_REJECTED,	/* inbox */
	MSGSET_UNKNOWN,		/* a state name this auditor does not know */
};

/* The answers a message can have, by type (enum envelope_type). */
enum msgset_answer {
	MSGSET_ANSWER_RECEIPT,
	MSGSET_ANSWER_ACK,
	MSGSET_ANSWER_DECISION,
	MSGSET_ANSWER_FEEDBACK,
	MSGSET_ANSWER_REJECT,
	MSGSET_ANSWERS
};

struct msgset_msg {
	uint8_t id[IDS_MSGID_BYTES];
	uint8_t type, urgency;
	char sender[IDS_AGENCY_MAX + 1];
	char recipient[IDS_AGENCY_MAX + 1];
	char case_id[IDS_CASE_MAX + 1];
	bool has_reply_to;
	uint8_t reply_to[IDS_MSGID_BYTES];
	uint64_t created_ms;		/* the header's, from the first source read */
	char conflict[MSGSET_CONFLICT_MAX];	/* "" or what two sources disagree on */

	/* The broker's messages row. */
	bool at_broker;
	enum msgset_state b_state;
	uint64_t b_accepted_ms, b_final_ms;
	int b_code;
	bool b_has_receipt;

	/* The sender's outbox row (its database given). */
	bool in_outbox;
	enum msgset_state o_state;
	uint64_t o_accepted_ms, o_final_ms, o_receipt_ms;
	int o_code;
	bool o_has_receipt;

	/* The recipient's inbox row (its database given). */
	bool in_inbox;
	enum msgset_state i_state;
	uint64_t i_accepted_ms, i_received_ms, i_ack_ms, i_decision_ms;
	bool i_has_receipt;

	/* The first answer of each kind from the recipient: index + 1 in the
	 * set, 0 if none. */
	size_t answer[MSGSET_ANSWERS];

	/* Deadlines (0: none) and what the broker sent about them. */
	uint64_t due_ack_ms, due_decision_ms;
	bool due_from_broker;		/* from the broker's table, not computed here */
	uint32_t reminders, escalations;
};

struct msgset {
	struct msgset_msg *v;
	size_t n, cap;
	size_t *slots;			/* open addressing: index + 1, 0 empty */
	size_t n_slots;
	bool have_broker;		/* the broker's database was read */
	char broker_id[IDS_AGENCY_MAX + 1];
	char (*given)[IDS_AGENCY_MAX + 1];	/* agencies whose databases were read */
	size_t n_given;
};

/* Reads every database of in (config loaded; the policy too for computed
 * deadlines) into a new set, the caller's.  NULL and st 421 if a database
 * could not be read, or out of memory. */
struct msgset *msgset_load(const struct inputs *in, struct status *st);

/* Frees *sp; accepts NULL; sets *sp = NULL. */
void msgset_destroy(struct msgset **sp);

/* The message id, borrowed; NULL if no database knows it. */
struct msgset_msg *msgset_find(const struct msgset *s, const uint8_t id[IDS_MSGID_BYTES]);

/* Answer a of m (borrowed), or NULL. */
const struct msgset_msg *msgset_answer(const struct msgset *s, const struct msgset_msg *m,
    enum msgset_answer a);

/* When m happened as the broker saw it (accepted_ms), else as its
 * recipient was told (inbox accepted_ms), else its sender's outbox
 * acceptance, else its creation. */
uint64_t msgset_time(const struct msgset_msg *m);

/* 1 if agency's database was read (its outbox and inbox are known). */
bool msgset_has_db(const struct msgset *s, const char *agency);

/* "queued", "delivered", ...; "-" for none. */
const char *msgset_state_name(enum msgset_state st);

#endif
