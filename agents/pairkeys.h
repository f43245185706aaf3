/* SPDX-License-Identifier: ISC */
/*
 * pairkeys: the payload keys this agency shares with each peer, computed
 * once per peer and direction (seal_pair_key: one X25519 each) and kept in
 * locked, guarded memory (sodium_malloc) until the agent stops - never
 * recomputed per message.  A key is cached by the peer's box public key, so
 * a rotated key gets a new entry and old messages still open.
 */
#ifndef DUTYNET_PAIRKEYS_H
#define DUTYNET_PAIRKEYS_H

#include <stdint.h>

#include "common/keyfile.h"
#include "proto/seal.h"
#include "proto/status.h"

#define PAIRKEYS_FIRST_CAP 16	/* entries before the first growth */

struct pairkeys;

/* A cache for the box key pair in k (borrowed: k must outlive it).  NULL
 * if out of (locked) memory. */
struct pairkeys *pairkeys_new(const struct keyfile *k);

/* Wipes and frees *pp; accepts NULL; sets *pp = NULL. */
void pairkeys_destroy(struct pairkeys **pp);

/* The key for messages to (SEAL_SENDING) or from (SEAL_RECEIVING) the peer
 * whose box public key is peer_pk, borrowed from the cache until it is
 * destroyed.  NULL and st 523 for a low-order peer key, 451 if out of
 * memory. */
const uint8_t *pairkeys_get(struct pairkeys *p, const uint8_t peer_pk[SEAL_BOX_PKBYTES],
    enum seal_direction dir, struct status *st);

#endif
