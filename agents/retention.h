/* SPDX-License-Identifier: ISC */
/*
 * retention: the agent purges message content once the retention period of
 * agents/<id>.conf (config/retention.h) has passed since the message's case
 * was over (issue 7).  What goes and what stays (SCHEMA.md, "Retention"):
 *
 *	purged:	inbox.envelope, inbox.payload (the decrypted text),
 *		outbox.envelope (sealed to the recipient, but this agent holds
 *		the pair key that opens it); purged_ms is set
 *	kept:	every row; ids, types, parties, case ids, times, states,
 *		codes and reasons, acknowledgement and decision records,
 *		envelope_hash (the evidence of exactly what was sent and
 *		received), the signed receipts both ways, notices, hooks and
 *		the audit log, so status, deadlines, listings, reconcile and
 *		`dutynet-audit verify` work as before
 *
 * The rule is per case (case_id), as a safeguarding record is kept for a
 * period after the case closed, not after each message: a message's content
 * is purged only when EVERY message of its case, in the inbox and the
 * outbox, is settled and its last activity is at or before the cutoff
 * (now minus the period).  Settled: an outbox message delivered or failed
 * (never one still queued or accepted: it may have to be sent again); an
 * inbox referral or concern decided or rejected (one received or only
 * acknowledged is still owed a decision), any other inbox message on
 * arrival; and no on_message run of it still pending.  Last activity: an
 * outbox message's final_ms (created_ms if none), an inbox message's latest
 * of received_ms, ack_ms and decision_ms.  Case ids are compared exactly
 * and across agencies, so a case id two senders share keeps both longer,
 * never shorter.
 *
 * Each batch of at most RETENTION_BATCH messages is purged in one
 * transaction together with one audit entry, "content-purged", that names
 * the count, the cutoff, the period and the purged_ms it set.  This module
 * holds the retention statements on inbox and outbox (the rule spans both
 * tables, so it belongs to neither inbox.c nor outbox.c).
 */
#ifndef DUTYNET_AGENT_RETENTION_H
#define DUTYNET_AGENT_RETENTION_H

#include <stdint.h>

#include "common/db.h"
#include "config/retention.h"
#include "proto/status.h"

#define RETENTION_BATCH 256		/* messages purged per transaction */
#define RETENTION_BATCHES_PER_POLL 8	/* then the loop turns before more */
#define RETENTION_INTERVAL_MS (60 * 60 * 1000)	/* look for content due hourly */
#define RETENTION_EVENT "content-purged"

struct retention;

/* A purger for db (borrowed) under period (borrowed: the settings'), due
 * at once; NULL if out of memory.  A FOREVER period never purges. */
struct retention *retention_new(struct db *db, const struct retention_period *period);

/* Frees *rp; accepts NULL; sets *rp = NULL. */
void retention_destroy(struct retention **rp);

/* Milliseconds until retention_poll has work (0: now); UINT64_MAX if the
 * period is FOREVER. */
uint64_t retention_wait_ms(const struct retention *r, uint64_t now_ms);

/* If due at now_ms: purges up to RETENTION_BATCHES_PER_POLL batches and
 * sets when it is due again (at once if content is left, else after
 * RETENTION_INTERVAL_MS).  *purged is the count; -1 and st 451 if a batch
 * failed (rolled back: nothing purged, nothing audited; retried later). */
int retention_poll(struct retention *r, uint64_t now_ms, unsigned *purged, struct status *st);

/* One batch in its own transaction (not inside one: asserted): purges the
 * content of at most limit messages due under period at now_ms, and audits
 * RETENTION_EVENT if any.  *purged is the count; -1 and st 451. */
int retention_purge(struct db *db, const struct retention_period *period, uint64_t now_ms,
    unsigned limit, unsigned *purged, struct status *st);

#endif
