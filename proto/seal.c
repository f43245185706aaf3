/* SPDX-License-Identifier: ISC */
/*
 * seal: sealing, signing, verifying and opening envelopes (PROTOCOL.md §5).
 * This file and keyfile.c are the only places that touch agency secret keys,
 * and this is the only message cryptography: everything else hands bytes
 * here and gets a yes or no with a status.
 *
 * DESIGN.  The bytes signed are SEAL_TAG_SIGN NUL || header || sealed, and
 * Ed25519 (pure, RFC 8032) needs them in one buffer.  seal_envelope builds
 * that buffer once and encrypts straight into its tail, so the header and
 * the sealed bytes that envelope_assemble copies out are the very bytes that
 * were signed: one allocation per call, nothing re-encoded.  seal_verify has
 * to rebuild the buffer from the received envelope, again one allocation.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "proto/seal.h"

/* Each domain tag is hashed or signed with its terminating NUL. */
#define TAG_LEN(tag) (sizeof(tag))

int
seal_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

void
seal_keyid(const uint8_t *pk, size_t pklen, uint8_t id[SEAL_KEYID_BYTES])
{
	crypto_generichash_state s;

	assert(pk != NULL && id != NULL);
	crypto_generichash_init(&s, NULL, 0, SEAL_KEYID_BYTES);
	crypto_generichash_update(&s, (const uint8_t *)SEAL_TAG_KEYID, TAG_LEN(SEAL_TAG_KEYID));
	crypto_generichash_update(&s, pk, pklen);
	crypto_generichash_final(&s, id, SEAL_KEYID_BYTES);
}

int
seal_pair_key(const uint8_t my_sk[SEAL_BOX_SKBYTES], const uint8_t my_pk[SEAL_BOX_PKBYTES],
    const uint8_t peer_pk[SEAL_BOX_PKBYTES], enum seal_direction dir,
    uint8_t key[SEAL_KEYBYTES], struct status *st)
{
	uint8_t shared[crypto_scalarmult_BYTES];
	crypto_generichash_state s;
	const uint8_t *sender, *recipient;
	int rc = -1;

	assert(my_sk != NULL && my_pk != NULL && peer_pk != NULL && key != NULL);
	assert(dir == SEAL_SENDING || dir == SEAL_RECEIVING);
	/* libsodium refuses an all-zero result, which is what any low-order
	 * point gives: such a key would make the pair key public. */
	if (crypto_scalarmult(shared, my_sk, peer_pk) != 0) {
		status_set(st, STATUS_DECRYPT_FAILED,
		    "public key of the peer is not usable (low-order point)");
		goto out;
	}
	/* The sender's key always comes first, so A->B and B->A differ. */
	sender = dir == SEAL_SENDING ? my_pk : peer_pk;
	recipient = dir == SEAL_SENDING ? peer_pk : my_pk;
	crypto_generichash_init(&s, NULL, 0, SEAL_KEYBYTES);
	crypto_generichash_update(&s, (const uint8_t *)SEAL_TAG_PAIR, TAG_LEN(SEAL_TAG_PAIR));
	crypto_generichash_update(&s, shared, sizeof(shared));
	crypto_generichash_update(&s, sender, SEAL_BOX_PKBYTES);
	crypto_generichash_update(&s, recipient, SEAL_BOX_PKBYTES);
	crypto_generichash_final(&s, key, SEAL_KEYBYTES);
	rc = 0;
out:
	sodium_memzero(shared, sizeof(shared));
	sodium_memzero(&s, sizeof(s));
	return rc;
}

/* Allocates the signed bytes SEAL_TAG_SIGN NUL || header || room for the
 * sealed bytes and copies the header in; *sealed points at the room. */
static uint8_t *
signed_new(const uint8_t *header, size_t header_len, size_t sealed_len, uint8_t **sealed,
    size_t *len)
{
	uint8_t *buf;

	*len = TAG_LEN(SEAL_TAG_SIGN) + header_len + sealed_len;
	if ((buf = malloc(*len)) == NULL)
		return NULL;
	memcpy(buf, SEAL_TAG_SIGN, TAG_LEN(SEAL_TAG_SIGN));
	memcpy(buf + TAG_LEN(SEAL_TAG_SIGN), header, header_len);
	*sealed = buf + TAG_LEN(SEAL_TAG_SIGN) + header_len;
	return buf;
}

int
seal_envelope(const struct envelope_header *h, const uint8_t *pt, size_t pt_len,
    const uint8_t pair_key[SEAL_KEYBYTES], const uint8_t sign_sk[SEAL_SIGN_SKBYTES],
    const uint8_t *nonce, uint8_t *out, size_t cap, size_t *len, struct status *st)
{
	uint8_t header[ENVELOPE_MAX_HEADER];
	uint8_t sig[SEAL_SIGBYTES];
	uint8_t *msg = NULL, *sealed;
	size_t header_len, sealed_len, msg_len;
	int rc = -1;

	assert(h != NULL && (pt != NULL || pt_len == 0) && pair_key != NULL);
	assert(sign_sk != NULL && out != NULL && len != NULL);
	if (pt_len > ENVELOPE_MAX_PAYLOAD) {
		status_set(st, STATUS_TOO_LARGE,
		    "payload of %zu bytes is over the limit of %d bytes; send large documents "
		    "by another route and refer to them",
		    pt_len, ENVELOPE_MAX_PAYLOAD);
		goto out;
	}
	if (envelope_header_encode(h, header, sizeof(header), &header_len, st) == -1)
		goto out;
	sealed_len = SEAL_NONCEBYTES + pt_len + SEAL_TAGBYTES;
	if ((msg = signed_new(header, header_len, sealed_len, &sealed, &msg_len)) == NULL) {
		status_set(st, STATUS_UNAVAILABLE,
		    "out of memory sealing a payload of %zu bytes; retry later", pt_len);
		goto out;
	}
	if (nonce != NULL)
		memcpy(sealed, nonce, SEAL_NONCEBYTES);
	else
		randombytes_buf(sealed, SEAL_NONCEBYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(sealed + SEAL_NONCEBYTES, NULL, pt, pt_len,
	    header, header_len, NULL, sealed, pair_key);
	crypto_sign_detached(sig, NULL, msg, msg_len, sign_sk);
	if (envelope_assemble(header, header_len, sealed, sealed_len, sig, out, cap, len, st)
	    == -1)
		goto out;
	rc = 0;
out:
	free(msg);
	return rc;
}

int
seal_verify(const struct envelope *env, const uint8_t sign_pk[SEAL_SIGN_PKBYTES],
    struct status *st)
{
	uint8_t *msg, *sealed;
	size_t msg_len;
	int rc = -1;

	assert(env != NULL && env->header != NULL && env->sealed != NULL && env->sig != NULL);
	assert(sign_pk != NULL);
	if ((msg = signed_new(env->header, env->header_len, env->sealed_len, &sealed,
	    &msg_len)) == NULL) {
		status_set(st, STATUS_UNAVAILABLE,
		    "out of memory verifying an envelope from agency %s; retry later",
		    env->h.from);
		goto out;
	}
	memcpy(sealed, env->sealed, env->sealed_len);
	if (crypto_sign_verify_detached(env->sig, msg, msg_len, sign_pk) != 0) {
		status_set(st, STATUS_BAD_SIGNATURE, "signature does not verify for agency %s",
		    env->h.from);
		goto out;
	}
	rc = 0;
out:
	free(msg);
	return rc;
}

int
seal_decrypt(const struct envelope *env, const uint8_t pair_key[SEAL_KEYBYTES], uint8_t *pt,
    size_t cap, size_t *pt_len, struct status *st)
{
	unsigned long long n;
	size_t need;

	assert(env != NULL && env->header != NULL && env->sealed != NULL);
	assert(pair_key != NULL && (pt != NULL || cap == 0) && pt_len != NULL);
	if (env->sealed_len < SEAL_NONCEBYTES + SEAL_TAGBYTES)
		return status_set(st, STATUS_MALFORMED,
		    "sealed payload from agency %s is %zu bytes, shorter than the %d bytes of "
		    "nonce and tag",
		    env->h.from, env->sealed_len, SEAL_NONCEBYTES + SEAL_TAGBYTES);
	need = env->sealed_len - SEAL_NONCEBYTES - SEAL_TAGBYTES;
	if (need > cap)
		return status_set(st, STATUS_TOO_LARGE,
		    "payload from agency %s is %zu bytes, over the %zu bytes of room for it",
		    env->h.from, need, cap);
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(pt, &n, NULL,
	    env->sealed + SEAL_NONCEBYTES, env->sealed_len - SEAL_NONCEBYTES, env->header,
	    env->header_len, env->sealed, pair_key) != 0)
		return status_set(st, STATUS_DECRYPT_FAILED,
		    "payload from agency %s does not decrypt: altered, moved under another "
		    "header, or not sealed for this key",
		    env->h.from);
	*pt_len = (size_t)n;
	return 0;
}

void
seal_hash(const uint8_t *buf, size_t len, uint8_t hash[SEAL_HASHBYTES])
{
	assert((buf != NULL || len == 0) && hash != NULL);
	crypto_generichash(hash, SEAL_HASHBYTES, buf, len, NULL, 0);
}
