/* SPDX-License-Identifier: ISC */
/*
 * seal: the only message cryptography.  An agency has three key pairs:
 * Ed25519 for signing, X25519 for payload encryption ("box" keys), and a
 * CURVE pair for the ZeroMQ transport (not used here).  A sender seals a
 * payload to one recipient with XChaCha20-Poly1305 under a key derived from
 * static-static X25519 (so the encryption itself authenticates the sender),
 * with the exact header bytes as associated data (so a ciphertext cannot be
 * moved under another header), then signs tag || header || sealed with
 * Ed25519 (so the broker and any auditor can check who sent what without
 * being able to read it).  Reasons for each choice: proto/PROTOCOL.md.
 *
 * Secret inputs are borrowed; callers keep them in sodium_malloc memory.
 */
#ifndef DUTYNET_SEAL_H
#define DUTYNET_SEAL_H

#include <stddef.h>
#include <stdint.h>

#include "proto/envelope.h"
#include "proto/status.h"

#define SEAL_SIGN_PKBYTES 32
#define SEAL_SIGN_SKBYTES 64
#define SEAL_BOX_PKBYTES 32
#define SEAL_BOX_SKBYTES 32
#define SEAL_KEYBYTES 32	/* a precomputed pair key */
#define SEAL_NONCEBYTES 24
#define SEAL_TAGBYTES 16
#define SEAL_SIGBYTES ENVELOPE_SIG_BYTES
#define SEAL_KEYID_BYTES ENVELOPE_KEYID_BYTES
#define SEAL_HASHBYTES 32	/* envelope hash (BLAKE2b-256) */

/* Domain-separation strings, each used with its terminating NUL. */
#define SEAL_TAG_KEYID "dutynet-keyid-v1"
#define SEAL_TAG_PAIR "dutynet-pair-v1"
#define SEAL_TAG_SIGN "dutynet-envelope-v1"

/* Must be called once before anything else here (sodium_init). */
int seal_init(void) __attribute__((warn_unused_result));

/* key id = BLAKE2b-128(SEAL_TAG_KEYID NUL || public key). */
void seal_keyid(const uint8_t *pk, size_t pklen, uint8_t id[SEAL_KEYID_BYTES]);

/* Derives the key for messages from sender to recipient.  The sender calls it
 * with (its sk, its pk, recipient pk, SEAL_SENDING), the recipient with (its
 * sk, its pk, sender pk, SEAL_RECEIVING); both get BLAKE2b-256 of
 * SEAL_TAG_PAIR NUL || X25519 || sender pk || recipient pk.  -1 and st 523
 * for a low-order peer key.  Compute once per peer and keep it (secret). */
enum seal_direction { SEAL_SENDING, SEAL_RECEIVING };
int seal_pair_key(const uint8_t my_sk[SEAL_BOX_SKBYTES], const uint8_t my_pk[SEAL_BOX_PKBYTES],
    const uint8_t peer_pk[SEAL_BOX_PKBYTES], enum seal_direction dir,
    uint8_t key[SEAL_KEYBYTES], struct status *st) __attribute__((warn_unused_result));

/* Builds a whole envelope: encodes h, encrypts pt under pair_key with the
 * header bytes as associated data and nonce (random if NULL), signs, and
 * assembles into out[0..cap).  h's key ids must already be set. */
int seal_envelope(const struct envelope_header *h, const uint8_t *pt, size_t pt_len,
    const uint8_t pair_key[SEAL_KEYBYTES], const uint8_t sign_sk[SEAL_SIGN_SKBYTES],
    const uint8_t *nonce, uint8_t *out, size_t cap, size_t *len, struct status *st)
    __attribute__((warn_unused_result));

/* Checks env's signature with the sender's signing key: 0, or -1 and st 520
 * ("signature does not verify for agency school-001").  The broker stops
 * here; it never decrypts. */
int seal_verify(const struct envelope *env, const uint8_t sign_pk[SEAL_SIGN_PKBYTES],
    struct status *st) __attribute__((warn_unused_result));

/* Decrypts env's payload with the pair key into pt[0..cap); *pt_len = bytes.
 * -1 and st 523 if it does not open (wrong key, moved header, bit flip). */
int seal_decrypt(const struct envelope *env, const uint8_t pair_key[SEAL_KEYBYTES],
    uint8_t *pt, size_t cap, size_t *pt_len, struct status *st)
    __attribute__((warn_unused_result));

/* hash = BLAKE2b-256 of a whole envelope's bytes (receipts name it). */
void seal_hash(const uint8_t *buf, size_t len, uint8_t hash[SEAL_HASHBYTES]);

#endif
