/* SPDX-License-Identifier: ISC */
/*
 * retention: the broker purges the envelope bytes it still holds of
 * messages that reached their final outcome longer ago than the retention
 * period of broker.conf (config/retention.h; issue 7).
 *
 * The broker drops a message's envelope at its final outcome already; what
 * it keeps are the receipts' (a repeated SEND of a delivered message is
 * answered with its receipt again, SCHEMA.md).  A row whose state is
 * delivered or failed, whose final_ms is at or before the cutoff (now minus
 * the period) and which no queue item still names (a receipt on its way
 * again) loses its envelope; purged_ms records when.  Every row stays, with
 * its id, parties, times, state, code, text and envelope_hash: the
 * idempotency of SEND compares hashes (store_known), so a repeat of a
 * purged message id is still told its outcome, and one with other bytes is
 * still refused 550.  A repeated SEND of a delivered message whose receipt
 * was purged is answered 250 without the receipt (outcome.c): its sender
 * ACKed that receipt before its row became final.
 *
 * Each batch of at most RETENTION_BATCH rows is purged in one transaction
 * with one audit entry, "content-purged", naming the count, the cutoff, the
 * period and the purged_ms it set.  This module holds the one retention
 * statement on messages (its schema step is store.c's version 3).
 */
#ifndef DUTYNET_BROKER_RETENTION_H
#define DUTYNET_BROKER_RETENTION_H

#include <stdint.h>

#include "broker/store.h"
#include "config/retention.h"
#include "proto/status.h"

/* Schema version 3 of the broker database (store.c): when the envelope
 * was purged, and an index of the rows that still hold one after their
 * outcome, so the hourly look for content due reads only those. */
#define RETENTION_SCHEMA_SQL \
	"ALTER TABLE messages ADD COLUMN purged_ms INTEGER;" \
	"CREATE INDEX messages_retained ON messages(final_ms)" \
	" WHERE envelope IS NOT NULL AND state <> 'queued';"

#define RETENTION_BATCH 256		/* rows purged per transaction */
#define RETENTION_BATCHES_PER_POLL 8	/* then the loop turns before more */
#define RETENTION_INTERVAL_MS (60 * 60 * 1000)	/* look for content due hourly */
#define RETENTION_EVENT "content-purged"

/* If *next_ms <= now_ms: purges up to RETENTION_BATCHES_PER_POLL batches
 * and sets *next_ms (now_ms if more is due, else RETENTION_INTERVAL_MS
 * later).  Nothing for a FOREVER period.  *purged is the count; -1 and st
 * 451 if a batch failed (rolled back; retried at *next_ms). */
int retention_poll(struct store *s, const struct retention_period *period, uint64_t now_ms,
    uint64_t *next_ms, unsigned *purged, struct status *st);

/* One batch in its own transaction (not inside one: asserted): purges the
 * envelopes of at most limit rows due under period at now_ms and audits
 * RETENTION_EVENT if any.  *purged is the count; -1 and st 451. */
int retention_purge(struct store *s, const struct retention_period *period, uint64_t now_ms,
    unsigned limit, unsigned *purged, struct status *st);

#endif
