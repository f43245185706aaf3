/* SPDX-License-Identifier: ISC */
/*
 * escalate: the broker's notices.  When a reminder or escalation timer of
 * broker/deadline.c falls due, this builds a type-7 envelope about the
 * message concerned (PROTOCOL.md §6.5 and §7.5): from the broker's id, to
 * the agency told, in_reply_to and case id and urgency of that message,
 * its payload a notice (kind, about, due time, a text in plain English
 * saying which message, from whom to whom, what was due when, how late,
 * who is told next: metadata only, never anything about the child),
 * sealed with the broker's box key to the agency's and signed with the
 * broker's signing key.  It is stored in `messages` and queued like any
 * message, in the same transaction that marks the timer fired, so a
 * notice is queued exactly once whatever happens to the process.
 *
 * The broker's own keys are the only secret keys it holds; it never holds
 * an agency's, and never opens an agency's payload.
 */
#ifndef DUTYNET_ESCALATE_H
#define DUTYNET_ESCALATE_H

#include <stdint.h>

#include "broker/deadline.h"
#include "common/keyfile.h"
#include "config/policy.h"
#include "proto/payload.h"

/* Most timers one pass fires (the rest wait for the next tick). */
#define ESCALATE_BATCH 64
/* Longest notice text. */
#define ESCALATE_TEXT_MAX 1024
/* Room for why a timer did not become a notice. */
#define ESCALATE_WHY_MAX 160

/* What a pass needs, borrowed from the broker. */
struct escalate_env {
	const struct deadline_env *d;
	const struct policy *policy;	/* may the broker tell that agency? */
	const struct keyfile *keys;	/* the broker's: signing and box pairs */
};

/* What one timer became, for the log after the commit. */
struct escalate_fired {
	enum deadline_timer_kind kind;
	enum deadline_timer_state state;	/* fired, cancelled or refused */
	enum deadline_step step;
	char told[IDS_AGENCY_MAX + 1];
	uint8_t about[IDS_MSGID_BYTES];
	uint8_t notice[IDS_MSGID_BYTES];	/* fired: the notice's id */
	char why[ESCALATE_WHY_MAX];		/* cancelled, refused: why */
};

/* Inside the caller's transaction: every timer due at now_ms (at most
 * ESCALATE_BATCH and cap) becomes a queued notice, or is cancelled (the
 * message concerned failed) or refused (its agency is gone, has no box
 * key, or the policy does not let the broker tell it), each audited.
 * out[0..*n) says what happened, for the caller to log and to wake the
 * agencies told once the commit is done.  -1 and st 451. */
int escalate_run(const struct escalate_env *e, uint64_t now_ms, struct escalate_fired *out,
    unsigned cap, unsigned *n, struct status *st) __attribute__((warn_unused_result));

/* Writes the text of the notice for timer t at now_ms into out[0..cap):
 * plain English, metadata only.  next is the escalation that follows
 * (NULL: none). */
void escalate_text(const struct deadline_env *e, const struct deadline_timer *t,
    const struct deadline_timer *next, uint64_t now_ms, char *out, size_t cap);

#endif
