/* SPDX-License-Identifier: ISC */
/*
 * compose: builds the envelopes this agency sends - people's messages
 * (referral, concern, ack, decision, feedback), the automatic signed
 * receipt for each delivery and the signed reject for one that cannot be
 * accepted.  Each gets a new message id, this agency as sender, the key ids
 * of the keys used, and is sealed with the cached pair key (seal.c).
 */
#ifndef DUTYNET_COMPOSE_H
#define DUTYNET_COMPOSE_H

#include <stddef.h>
#include <stdint.h>

#include "agents/agent.h"
#include "proto/envelope.h"
#include "proto/payload.h"
#include "proto/status.h"

/* Room around a payload for header, signature and framing. */
#define COMPOSE_OVERHEAD (ENVELOPE_MAX_HEADER + ENVELOPE_SEAL_OVERHEAD + ENVELOPE_SIG_BYTES + 128)

/* Completes h (the caller set type, to, case_id - empty for "the message's
 * own id" -, reply_to and urgency) and seals p to h->to into *out (the
 * caller's).  Checks first what the broker would refuse: 530 unknown
 * recipient, 531 no sharing rule, 532 not accepted, 504 a bad field. */
int compose_seal(struct agent *a, struct envelope_header *h, const struct payload *p,
    uint8_t **out, size_t *len, struct status *st) __attribute__((warn_unused_result));

/* The signed receipt for the delivered env (whole bytes[0..n)), saying it
 * was committed at received_ms. */
int compose_receipt(struct agent *a, const struct envelope *env, const uint8_t *bytes, size_t n,
    uint64_t received_ms, uint8_t **out, size_t *len, struct status *st)
    __attribute__((warn_unused_result));

/* The signed reject of the message with header h: code (5xx) and text. */
int compose_reject(struct agent *a, const struct envelope_header *h, int code, const char *text,
    uint8_t **out, size_t *len, struct status *st) __attribute__((warn_unused_result));

#endif
