/* SPDX-License-Identifier: ISC */
/*
 * outcome: the rules that give every accepted message exactly one final
 * outcome, reported to its sender.  Delivered: the recipient's signed
 * receipt arrived (it travels back to the sender as a DELIVER).  Failed:
 * the recipient rejected it (541) or it was not delivered before its expiry
 * (540); the sender gets an OUTCOME.  Each function runs inside the caller's
 * transaction, changes the store through store.h and audits what changed,
 * so a change and its audit entry commit together or not at all.
 */
#ifndef DUTYNET_OUTCOME_H
#define DUTYNET_OUTCOME_H

#include <stddef.h>
#include <stdint.h>

#include "broker/store.h"
#include "proto/envelope.h"
#include "proto/status.h"

/* Most messages one outcome_expire call fails (the rest wait a tick). */
#define OUTCOME_EXPIRE_BATCH 256

/* Applies the receipt env (bytes[0..len), signature already verified) that
 * agency sent for its queue item seq: stores the receipt, marks the
 * original delivered (250), drops its DELIVER and queues the receipt for
 * the original sender.  Returns the RESULT code: 202 receipt stored, 250
 * the original already had a receipt (nothing changes), or the original's
 * failure (540, 541) if it failed first.  -1 and st 504 if seq names
 * another message than in_reply_to, or in_reply_to is not a message from
 * the receipt's recipient to agency; 503 if it names a receipt; 550 if the
 * receipt's id is used by other bytes; 451 on a database error. */
int outcome_receipt(struct store *s, const char *agency, uint64_t seq,
    const struct envelope *env, const uint8_t *bytes, size_t len, uint64_t now_ms,
    struct status *st) __attribute__((warn_unused_result));

/* A reject (type 8) from the original's recipient was stored: fails the
 * message it names with 541 and queues the OUTCOME for its sender.  0 if
 * done, 1 if there was nothing to fail (unknown message, another route,
 * already final); -1 and st 451. */
int outcome_reject(struct store *s, const struct envelope *reject, uint64_t now_ms,
    struct status *st) __attribute__((warn_unused_result));

/* Agency acknowledged its queue item seq: drops it.  A receipt delivered to
 * its sender becomes delivered; so does a notice (type 7) from the broker
 * (broker_id), which is answered with ACK, not receipted, and audited
 * "notice-delivered"; an OUTCOME is done; an ordinary message stays queued
 * until its reject arrives or it expires.  1 if dropped, 0 if there was no
 * such item (a repeated ACK); -1 and st 451. */
int outcome_ack(struct store *s, const char *agency, uint64_t seq, const char *broker_id,
    uint64_t now_ms, struct status *st) __attribute__((warn_unused_result));

/* A SEND repeated the delivered message m: queues its stored receipt for
 * the sender again, unless it is still queued: 0.  1 if the receipt's
 * bytes were purged under the retention period (broker/retention.h):
 * nothing is queued.  -1 and st 451. */
int outcome_resend_receipt(struct store *s, const struct store_message *m, uint64_t now_ms,
    struct status *st) __attribute__((warn_unused_result));

/* Fails up to OUTCOME_EXPIRE_BATCH queued messages whose expiry is at or
 * before now_ms with 540 and queues their OUTCOMEs; fn (may be NULL) sees
 * each after its change.  *count = how many.  -1 and st 451. */
int outcome_expire(struct store *s, uint64_t now_ms,
    void (*fn)(const struct store_message *m, void *arg), void *arg, unsigned *count,
    struct status *st) __attribute__((warn_unused_result));

#endif
