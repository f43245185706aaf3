/* SPDX-License-Identifier: ISC */
/*
 * admit: what the broker does with each message an agent sends, one
 * handler per command in a table.  A SEND passes, in PROTOCOL.md §7.4's
 * order: size, structure, sender == the connection's authenticated agency
 * (User-Id), the signing key is that agency's current key, signature,
 * recipient, sharing policy and accepted types, and a known id only with
 * the same bytes; then it is stored.  The sender's key is checked against
 * the live directory on every message, so a key removed from the directory
 * (SIGHUP) gets nothing more through its open connection.
 *
 * Handlers run inside the loop's batch transaction, each item in its own
 * savepoint, and only record their replies: loop.c sends them after the
 * commit, so "accepted" is never said before it is true.
 */
#ifndef DUTYNET_ADMIT_H
#define DUTYNET_ADMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "broker/broker.h"
#include "broker/router.h"
#include "proto/frame.h"

/* Error and rejection events logged and audited one by one per
 * ADMIT_LOUD_WINDOW_MS; beyond this (a flood) they are still answered, but
 * counted and summarised once per window, so a flood cannot fill the disk
 * with audit entries. */
#define ADMIT_LOUD_MAX 32
#define ADMIT_LOUD_WINDOW_MS 1000
#define ADMIT_DETAIL_MAX 128

/* One received message's answer and after-effects, applied by loop.c once
 * the batch has committed (or failed). */
struct admit_item {
	uint8_t rid[ROUTER_RID_MAX];
	size_t rid_len;
	char agency[IDS_AGENCY_MAX + 1];	/* authenticated sender */
	bool has_reply;
	bool durable;		/* true only if the batch commits: else 451 */
	struct frame reply;
	bool has_done;		/* deliver_done(agency, done_seq) */
	uint64_t done_seq;
	char wake[IDS_AGENCY_MAX + 1];		/* "" or the agency to wake */
	/* The event logged, and the counter counted, once the batch
	 * commits ("accepted", STATS_ACCEPTED), if any. */
	const char *event;
	int counter;
	bool has_id;
	uint8_t id[IDS_MSGID_BYTES];
	char detail[ADMIT_DETAIL_MAX];
	/* What its deadlines became ("ack deadline late: ..."), logged as
	 * event "deadline" once the batch commits; "" if nothing. */
	char deadline[ADMIT_DETAIL_MAX * 3];
};

struct admit_batch {
	struct admit_item item[BROKER_BATCH_MAX];
	size_t n;
	/* Kept from batch to batch: */
	uint64_t loud_since;	/* monotonic start of the current window */
	unsigned loud;		/* errors logged one by one in the window */
	unsigned quiet;		/* errors beyond ADMIT_LOUD_MAX in it */
};

/* Handles m (inside the open transaction) into the batch's next item.  -1
 * and st 451 if the store failed: the batch must be rolled back. */
int admit_message(struct broker *b, struct router_msg *m, struct admit_batch *batch,
    uint64_t now_ms, struct status *st) __attribute__((warn_unused_result));

#endif
