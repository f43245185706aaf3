/* SPDX-License-Identifier: ISC */
/*
 * store: the broker's store-and-forward database, and all of its SQL but
 * the deadline tables' (broker/deadline.c).
 *
 * The broker holds ciphertext and routing metadata only.  A message is a row
 * in `messages` from the moment it is accepted until for ever (its envelope
 * bytes are dropped once it reaches its final outcome, except a receipt's,
 * which may have to be sent again).  What still has to reach an agency is a
 * row in `queue`, numbered by that agency's own increasing sequence: the
 * DELIVER of a message (until its RECEIPT, or ACK for a receipt) and the
 * OUTCOME of a failed one (until its ACK).  Every state change writes its
 * audit entry in the same transaction.  Schema and states: SCHEMA.md,
 * "Broker database".
 *
 * The rules for moving a message to its final outcome are in outcome.c,
 * which uses the primitives below; this file holds the statements.
 * Writers run inside the caller's transaction (db_begin on store_db, one
 * savepoint per item, see common/db.h): the broker commits a whole batch at
 * once and only then answers.  Readers run inside or outside one.
 */
#ifndef DUTYNET_STORE_H
#define DUTYNET_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/db.h"
#include "proto/envelope.h"
#include "proto/frame.h"
#include "proto/seal.h"
#include "proto/status.h"

/* Schema versions store_open migrates through (db_migrate): 1 messages,
 * queue, audit; 2 the deadline tables (broker/deadline.h); 3 retention's
 * purged_ms (broker/retention.h); 4 the waiting count per agency and the
 * queue's urgency (delivery order). */
#define STORE_SCHEMA_VERSION 4
/* Longest outcome text kept, as on the wire. */
#define STORE_TEXT_MAX FRAME_TEXT_MAX

enum store_state {
	STORE_QUEUED = 1,	/* accepted, no final outcome yet */
	STORE_DELIVERED = 2,	/* receipted (a receipt: acknowledged) */
	STORE_FAILED = 3,	/* final failure: expired or rejected */
};

enum store_kind {
	STORE_ITEM_DELIVER = 1,	/* send the message's envelope as DELIVER */
	STORE_ITEM_OUTCOME = 2,	/* send the message's failure as OUTCOME */
};

/* What the broker knows about one message (never its plaintext). */
struct store_message {
	uint8_t id[IDS_MSGID_BYTES];
	char sender[IDS_AGENCY_MAX + 1];
	char recipient[IDS_AGENCY_MAX + 1];
	uint8_t type;			/* enum envelope_type */
	uint8_t urgency;
	bool has_reply_to;
	uint8_t reply_to[IDS_MSGID_BYTES];
	uint64_t accepted_ms;
	uint64_t expires_ms;		/* 0: never (receipts) */
	uint64_t final_ms;		/* 0 while queued */
	uint8_t hash[SEAL_HASHBYTES];	/* seal_hash of the envelope */
	enum store_state state;
	uint16_t code;			/* 202 queued, 250 delivered, 540/541 */
	char text[STORE_TEXT_MAX + 1];
	bool has_receipt;
	uint8_t receipt_id[IDS_MSGID_BYTES];	/* delivered: its receipt */
	uint64_t purged_ms;		/* envelope purged (retention.h); 0: not */
};

/* One pending item of an agency's queue, as store_queue_next hands it out.
 * The envelope is borrowed and lives only during the callback. */
struct store_item {
	uint64_t seq;
	enum store_kind kind;
	struct store_message m;		/* the message the item is about */
	const uint8_t *envelope;	/* DELIVER: the bytes to send */
	size_t envelope_len;
};

/* Counts for the stats socket. */
struct store_counts {
	uint64_t queued;
	uint64_t delivered;
	uint64_t failed;
	uint64_t pending_items;		/* queue rows: deliveries and outcomes */
};

struct store;

/* Opens or creates the database at path and brings its schema up to date;
 * the caller owns the result.  NULL and st 451 (or 502 for a newer schema). */
struct store *store_open(const char *path, struct status *st);

/* Closes *sp, rolling back an open transaction; accepts NULL. */
void store_close(struct store **sp);

/* The connection, borrowed: for transactions and the audit log. */
struct db *store_db(struct store *s);

/* 1 and m filled if message id is stored, 0 if not, -1 and st 451. */
int store_find(struct store *s, const uint8_t id[IDS_MSGID_BYTES], struct store_message *m,
    struct status *st);

/* Stores an accepted, checked envelope (bytes[0..len), decoded as env) with
 * its DELIVER queued for the recipient, and audits "accepted".  If the id is
 * already stored with the same bytes nothing changes, *duplicate = 1 and m
 * holds the stored state; with other bytes: -1 and st 550.  A receipt
 * (type 3) is refused (503): it goes through store_receipt.  expires_ms 0
 * means never.  -1 and st 451 if the database fails. */
int store_put(struct store *s, const struct envelope *env, const uint8_t *bytes, size_t len,
    uint64_t now_ms, uint64_t expires_ms, int *duplicate, struct store_message *m,
    struct status *st) __attribute__((warn_unused_result));

/* Is id stored?  With the same bytes (bytes[0..len)): 1 and m filled; with
 * other bytes: -1 and st 550; unknown: 0.  -1 and st 451. */
int store_known(struct store *s, const uint8_t *bytes, size_t len,
                const uint8_t id[IDS_MSGID_BYTES], struct store_message *m, struct status *st)
    __attribute__((warn_unused_result));

/* The primitives outcome.c moves messages with, each one statement, each
 * inside the caller's transaction.  -1 and st 451 on a database error. */

/* Inserts env (id not yet stored) as queued and queues its DELIVER for
 * env's recipient.  Does not audit. */
int store_insert(struct store *s, const struct envelope *env, const uint8_t *bytes, size_t len,
    uint64_t now_ms, uint64_t expires_ms, struct status *st) __attribute__((warn_unused_result));

/* Appends an item to agency's queue under its next seq (*seq, may be NULL). */
int store_enqueue(struct store *s, const char *agency, enum store_kind kind,
    const uint8_t id[IDS_MSGID_BYTES], uint64_t now_ms, uint64_t *seq, struct status *st)
    __attribute__((warn_unused_result));

/* The queue item agency/seq: 1 with its kind and message id, 0 if none. */
int store_item(struct store *s, const char *agency, uint64_t seq, enum store_kind *kind,
    uint8_t id[IDS_MSGID_BYTES], struct status *st) __attribute__((warn_unused_result));

/* 1 if agency's queue holds a DELIVER of id, 0 if not. */
int store_has_delivery(struct store *s, const char *agency, const uint8_t id[IDS_MSGID_BYTES],
    struct status *st) __attribute__((warn_unused_result));

/* Removes the item agency/seq; removes every DELIVER of id. */
int store_drop_item(struct store *s, const char *agency, uint64_t seq, struct status *st)
    __attribute__((warn_unused_result));
int store_drop_deliveries(struct store *s, const uint8_t id[IDS_MSGID_BYTES], struct status *st)
    __attribute__((warn_unused_result));

/* How many DELIVERs agency's queue holds, at most limit (the recipient
 * quota: more than that is never needed).  O(1): a count kept by the
 * queue's triggers in the same transaction, so exact across rollbacks.
 * -1 and st 451. */
int store_count_deliveries(struct store *s, const char *agency, uint64_t limit, uint64_t *n,
    struct status *st) __attribute__((warn_unused_result));

/* Final outcomes, each only from queued: 1 if the message moved, 0 if it
 * was not queued (it already has its outcome).  Delivered with a receipt
 * id drops the envelope; without one (a receipt acknowledged by its
 * recipient) keeps it, as a repeated SEND may need the receipt again.
 * store_set_acked (a broker notice its recipient ACKed) drops it: nobody
 * sends a notice again.  Failed drops the envelope. */
int store_set_delivered(struct store *s, const uint8_t id[IDS_MSGID_BYTES],
    const uint8_t *receipt_id, const char *text, uint64_t now_ms, struct status *st)
    __attribute__((warn_unused_result));
int store_set_acked(struct store *s, const uint8_t id[IDS_MSGID_BYTES], const char *text,
    uint64_t now_ms, struct status *st) __attribute__((warn_unused_result));
int store_set_failed(struct store *s, const uint8_t id[IDS_MSGID_BYTES], uint16_t code,
    const char *text, uint64_t now_ms, struct status *st) __attribute__((warn_unused_result));

/* Up to limit queued messages (not receipts) with an expiry at or before
 * now_ms, earliest first, into out[0..*n). */
int store_due(struct store *s, uint64_t now_ms, unsigned limit, struct store_message *out,
    unsigned *n, struct status *st) __attribute__((warn_unused_result));

/* Calls fn for agency's queue items of urgency (enum envelope_urgency of
 * their message; 0: every urgency) with seq > after, in seq order, at most
 * limit of them; fn returning non-zero stops the walk.  -1 and st 451. */
int store_queue_next(struct store *s, const char *agency, int urgency, uint64_t after,
    unsigned limit, int (*fn)(const struct store_item *it, void *arg), void *arg,
    struct status *st);

/* Totals by state, and pending queue items.  -1 and st 451. */
int store_count(struct store *s, struct store_counts *c, struct status *st);

/* The state's name as stored ("queued"), or NULL. */
const char *store_state_name(int state);

#endif
