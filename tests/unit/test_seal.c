/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for proto/seal.c: the envelope cryptography.  Besides round
 * trips of every message type, these are the attacks PROTOCOL.md §5 says the
 * design stops: any flipped bit, a header moved onto another ciphertext, an
 * envelope re-addressed to a third agency, keys of the wrong agency or the
 * wrong direction, and low-order X25519 keys.  Each must be refused with its
 * exact status code and never accepted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "proto/envelope.h"
#include "proto/ids.h"
#include "proto/seal.h"

#define ENV_CAP 4096
#define PT_CAP 1024
#define TIME_BASE 1767225600000ull

/* An agency's keys, in sodium_malloc memory like the real ones. */
struct party {
	const char *id;
	uint8_t sign_pk[SEAL_SIGN_PKBYTES];
	uint8_t sign_sk[SEAL_SIGN_SKBYTES];
	uint8_t box_pk[SEAL_BOX_PKBYTES];
	uint8_t box_sk[SEAL_BOX_SKBYTES];
};

static struct party *alice, *bob, *carol, *mallory;

/* A sealed envelope and what went into it. */
struct sealed_env {
	uint8_t buf[ENV_CAP];
	size_t len;
	struct envelope_header h;
	uint8_t pt[PT_CAP];
	size_t pt_len;
	struct envelope env;	/* decoded view of buf */
};

static struct party *
party_new(const char *id)
{
	struct party *p = sodium_malloc(sizeof(*p));

	assert_non_null(p);
	p->id = id;
	crypto_sign_keypair(p->sign_pk, p->sign_sk);
	randombytes_buf(p->box_sk, sizeof(p->box_sk));
	assert_int_equal(crypto_scalarmult_base(p->box_pk, p->box_sk), 0);
	return p;
}

static int
setup(void **state)
{
	(void)state;
	if (seal_init() != 0)
		return -1;
	alice = party_new("school-stmarys");
	bob = party_new("mash");
	carol = party_new("camhs");
	mallory = party_new("police-cpu");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	sodium_free(alice);
	sodium_free(bob);
	sodium_free(carol);
	sodium_free(mallory);
	return 0;
}

static void
pair(const struct party *me, const struct party *peer, enum seal_direction dir,
    uint8_t key[SEAL_KEYBYTES])
{
	struct status st;

	assert_int_equal(seal_pair_key(me->box_sk, me->box_pk, peer->box_pk, dir, key, &st), 0);
}

static void
header_for(struct envelope_header *h, uint8_t type, const struct party *from,
    const struct party *to)
{
	uint8_t reply_to[IDS_MSGID_BYTES];

	memset(h, 0, sizeof(*h));
	h->version = ENVELOPE_VERSION;
	h->type = type;
	ids_msgid_new(TIME_BASE, h->id);
	strcpy(h->case_id, "SM-2026-0017");
	/* Types other than referral and concern answer an earlier message. */
	if (type != ENVELOPE_REFERRAL && type != ENVELOPE_CONCERN) {
		ids_msgid_new(TIME_BASE - 1000, reply_to);
		h->has_reply_to = true;
		memcpy(h->reply_to, reply_to, sizeof(h->reply_to));
	}
	strcpy(h->from, from->id);
	strcpy(h->to, to->id);
	h->created_ms = TIME_BASE;
	h->urgency = URGENCY_STANDARD;
	seal_keyid(from->sign_pk, SEAL_SIGN_PKBYTES, h->sender_sign_key);
	seal_keyid(from->box_pk, SEAL_BOX_PKBYTES, h->sender_box_key);
	seal_keyid(to->box_pk, SEAL_BOX_PKBYTES, h->recipient_box_key);
}

/* Seals a random small payload of the given type from one party to another. */
static void
seal_one(struct sealed_env *e, uint8_t type, const struct party *from, const struct party *to,
    size_t pt_len)
{
	uint8_t key[SEAL_KEYBYTES];
	struct status st;

	assert_true(pt_len <= sizeof(e->pt));
	header_for(&e->h, type, from, to);
	randombytes_buf(e->pt, pt_len);
	e->pt_len = pt_len;
	pair(from, to, SEAL_SENDING, key);
	assert_int_equal(seal_envelope(&e->h, e->pt, pt_len, key, from->sign_sk, NULL, e->buf,
			     sizeof(e->buf), &e->len, &st),
	    0);
	assert_int_equal(envelope_decode(e->buf, e->len, &e->env, &st), 0);
}

/* Signs header || sealed as `by` and assembles it into out (an attacker or
 * a sender re-signing by hand, outside seal_envelope). */
static void
sign_and_assemble(const uint8_t *header, size_t header_len, const uint8_t *sealed,
    size_t sealed_len, const struct party *by, uint8_t *out, size_t *len)
{
	uint8_t msg[ENV_CAP], sig[SEAL_SIGBYTES];
	size_t n = 0;
	struct status st;

	assert_true(sizeof(SEAL_TAG_SIGN) + header_len + sealed_len <= sizeof(msg));
	memcpy(msg, SEAL_TAG_SIGN, sizeof(SEAL_TAG_SIGN));
	n += sizeof(SEAL_TAG_SIGN);
	memcpy(msg + n, header, header_len);
	n += header_len;
	memcpy(msg + n, sealed, sealed_len);
	n += sealed_len;
	crypto_sign_detached(sig, NULL, msg, n, by->sign_sk);
	assert_int_equal(
	    envelope_assemble(header, header_len, sealed, sealed_len, sig, out, ENV_CAP, len, &st),
	    0);
}

/* Asserts env does not open for (sign_pk, key): 520 at the signature and,
 * separately, 523 at decryption. */
static void
assert_refused(const struct envelope *env, const uint8_t *sign_pk, const uint8_t *key)
{
	uint8_t pt[PT_CAP];
	size_t pt_len;
	struct status st;

	st.code = 0;
	assert_int_equal(seal_verify(env, sign_pk, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_SIGNATURE);
	assert_non_null(strstr(st.text, env->h.from));
	st.code = 0;
	assert_int_equal(seal_decrypt(env, key, pt, sizeof(pt), &pt_len, &st), -1);
	assert_int_equal(st.code, STATUS_DECRYPT_FAILED);
}

static void
pair_key_refuses_low_order_points(void **state)
{
	/* Points of order 1, 2, 4 and 8, and p-1, p, p+1 (non-canonical). */
	static const uint8_t bad[][SEAL_BOX_PKBYTES] = {
		{0},
		{1},
		{0xe0, 0xeb, 0x7a, 0x7c, 0x3b, 0x41, 0xb8, 0xae, 0x16, 0x56, 0xe3, 0xfa, 0xf1, 0x9f,
		    0xc4, 0x6a, 0xda, 0x09, 0x8d, 0xeb, 0x9c, 0x32, 0xb1, 0xfd, 0x86, 0x62, 0x05,
		    0x16, 0x5f, 0x49, 0xb8, 0x00},
		{0x5f, 0x9c, 0x95, 0xbc, 0xa3, 0x50, 0x8c, 0x24, 0xb1, 0xd0, 0xb1, 0x55, 0x9c, 0x83,
		    0xef, 0x5b, 0x04, 0x44, 0x5c, 0xc4, 0x58, 0x1c, 0x8e, 0x86, 0xd8, 0x22, 0x4e,
		    0xdd, 0xd0, 0x9f, 0x11, 0x57},
		{0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		    0xff, 0xff, 0xff, 0xff, 0x7f},
		{0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		    0xff, 0xff, 0xff, 0xff, 0x7f},
		{0xee, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		    0xff, 0xff, 0xff, 0xff, 0x7f},
	};
	uint8_t key[SEAL_KEYBYTES];
	struct status st;
	size_t i;
	int dir;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		for (dir = SEAL_SENDING; dir <= SEAL_RECEIVING; dir++) {
			st.code = 0;
			assert_int_equal(seal_pair_key(alice->box_sk, alice->box_pk, bad[i],
					     (enum seal_direction)dir, key, &st),
			    -1);
			assert_int_equal(st.code, STATUS_DECRYPT_FAILED);
			assert_non_null(strstr(st.text, "low-order"));
		}
}

static void
pair_key_is_shared_and_directional(void **state)
{
	uint8_t ab[SEAL_KEYBYTES], ab_at_b[SEAL_KEYBYTES];
	uint8_t ba[SEAL_KEYBYTES], ba_at_a[SEAL_KEYBYTES], ac[SEAL_KEYBYTES];
	uint8_t shared[crypto_scalarmult_BYTES], want[SEAL_KEYBYTES];
	uint8_t msg[sizeof(SEAL_TAG_PAIR) + 3 * 32];

	(void)state;
	pair(alice, bob, SEAL_SENDING, ab);
	pair(bob, alice, SEAL_RECEIVING, ab_at_b);
	pair(bob, alice, SEAL_SENDING, ba);
	pair(alice, bob, SEAL_RECEIVING, ba_at_a);
	pair(alice, carol, SEAL_SENDING, ac);
	assert_memory_equal(ab, ab_at_b, SEAL_KEYBYTES);
	assert_memory_equal(ba, ba_at_a, SEAL_KEYBYTES);
	assert_memory_not_equal(ab, ba, SEAL_KEYBYTES);
	assert_memory_not_equal(ab, ac, SEAL_KEYBYTES);

	/* The byte layout of PROTOCOL.md §5.2, computed here in one buffer. */
	assert_int_equal(crypto_scalarmult(shared, alice->box_sk, bob->box_pk), 0);
	memcpy(msg, SEAL_TAG_PAIR, sizeof(SEAL_TAG_PAIR));
	memcpy(msg + sizeof(SEAL_TAG_PAIR), shared, 32);
	memcpy(msg + sizeof(SEAL_TAG_PAIR) + 32, alice->box_pk, 32);
	memcpy(msg + sizeof(SEAL_TAG_PAIR) + 64, bob->box_pk, 32);
	crypto_generichash(want, sizeof(want), msg, sizeof(msg), NULL, 0);
	assert_memory_equal(ab, want, SEAL_KEYBYTES);
	sodium_memzero(shared, sizeof(shared));
}

static void
keyid_is_tagged_blake2b_128(void **state)
{
	uint8_t msg[sizeof(SEAL_TAG_KEYID) + SEAL_SIGN_PKBYTES];
	uint8_t want[SEAL_KEYID_BYTES], id[SEAL_KEYID_BYTES], other[SEAL_KEYID_BYTES];

	(void)state;
	memcpy(msg, SEAL_TAG_KEYID, sizeof(SEAL_TAG_KEYID));
	memcpy(msg + sizeof(SEAL_TAG_KEYID), alice->sign_pk, SEAL_SIGN_PKBYTES);
	crypto_generichash(want, sizeof(want), msg, sizeof(msg), NULL, 0);
	seal_keyid(alice->sign_pk, SEAL_SIGN_PKBYTES, id);
	assert_memory_equal(id, want, sizeof(id));
	seal_keyid(alice->box_pk, SEAL_BOX_PKBYTES, other);
	assert_memory_not_equal(id, other, sizeof(id));
}

static void
oversize_plaintext_is_refused(void **state)
{
	struct envelope_header h;
	uint8_t key[SEAL_KEYBYTES];
	uint8_t *pt, *out;
	size_t len;
	struct envelope env;
	struct status st;

	(void)state;
	header_for(&h, ENVELOPE_REFERRAL, alice, bob);
	pair(alice, bob, SEAL_SENDING, key);
	pt = calloc(1, ENVELOPE_MAX_PAYLOAD + 1);
	out = malloc(ENVELOPE_MAX_BYTES);
	assert_non_null(pt);
	assert_non_null(out);
	st.code = 0;
	assert_int_equal(seal_envelope(&h, pt, ENVELOPE_MAX_PAYLOAD + 1, key, alice->sign_sk,
			     NULL, out, ENVELOPE_MAX_BYTES, &len, &st),
	    -1);
	assert_int_equal(st.code, STATUS_TOO_LARGE);
	/* Exactly the limit fits in ENVELOPE_MAX_BYTES and opens again. */
	assert_int_equal(seal_envelope(&h, pt, ENVELOPE_MAX_PAYLOAD, key, alice->sign_sk, NULL,
			     out, ENVELOPE_MAX_BYTES, &len, &st),
	    0);
	assert_true(len <= ENVELOPE_MAX_BYTES);
	assert_int_equal(envelope_decode(out, len, &env, &st), 0);
	assert_int_equal(seal_verify(&env, alice->sign_pk, &st), 0);
	free(out);
	free(pt);
}

static void
seal_refuses_bad_header_and_small_output(void **state)
{
	struct sealed_env e;
	uint8_t key[SEAL_KEYBYTES], small[64];
	size_t len;
	struct status st;

	(void)state;
	pair(alice, bob, SEAL_SENDING, key);
	header_for(&e.h, ENVELOPE_REFERRAL, alice, bob);
	e.h.type = ENVELOPE_TYPE_MAX + 1;
	st.code = 0;
	assert_int_equal(seal_envelope(&e.h, e.pt, 10, key, alice->sign_sk, NULL, e.buf,
			     sizeof(e.buf), &len, &st),
	    -1);
	assert_int_equal(st.code, STATUS_BAD_TYPE);
	header_for(&e.h, ENVELOPE_REFERRAL, alice, bob);
	memset(e.pt, 0, sizeof(e.pt));
	st.code = 0;
	assert_int_equal(seal_envelope(&e.h, e.pt, 10, key, alice->sign_sk, NULL, small,
			     sizeof(small), &len, &st),
	    -1);
	assert_int_equal(st.code, STATUS_TOO_LARGE);
}

static void
decrypt_refuses_short_sealed_and_small_buffer(void **state)
{
	struct sealed_env e;
	struct envelope env;
	uint8_t key[SEAL_KEYBYTES], pt[PT_CAP];
	size_t pt_len;
	struct status st;

	(void)state;
	seal_one(&e, ENVELOPE_REFERRAL, alice, bob, 100);
	pair(bob, alice, SEAL_RECEIVING, key);
	env = e.env;
	env.sealed_len = SEAL_NONCEBYTES + SEAL_TAGBYTES - 1;
	st.code = 0;
	assert_int_equal(seal_decrypt(&env, key, pt, sizeof(pt), &pt_len, &st), -1);
	assert_int_equal(st.code, STATUS_MALFORMED);
	st.code = 0;
	assert_int_equal(seal_decrypt(&e.env, key, pt, 99, &pt_len, &st), -1);
	assert_int_equal(st.code, STATUS_TOO_LARGE);
	assert_int_equal(seal_decrypt(&e.env, key, pt, 100, &pt_len, &st), 0);
	assert_int_equal(pt_len, 100);
	assert_memory_equal(pt, e.pt, 100);
}

static void
every_type_round_trips(void **state)
{
	static const size_t sizes[] = {0, 1, 200};
	struct sealed_env e;
	uint8_t key[SEAL_KEYBYTES], pt[PT_CAP];
	size_t pt_len, i;
	struct status st;
	int type;

	(void)state;
	for (type = ENVELOPE_TYPE_MIN; type <= ENVELOPE_TYPE_MAX; type++)
		for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			seal_one(&e, (uint8_t)type, alice, bob, sizes[i]);
			assert_int_equal(e.env.h.type, type);
			assert_string_equal(e.env.h.to, "mash");
			assert_int_equal(e.env.sealed_len,
			    SEAL_NONCEBYTES + sizes[i] + SEAL_TAGBYTES);
			assert_int_equal(seal_verify(&e.env, alice->sign_pk, &st), 0);
			pair(bob, alice, SEAL_RECEIVING, key);
			assert_int_equal(
			    seal_decrypt(&e.env, key, pt, sizeof(pt), &pt_len, &st), 0);
			assert_int_equal(pt_len, sizes[i]);
			assert_memory_equal(pt, e.pt, sizes[i]);
		}
	/* And the other way, B -> A, with B's keys. */
	seal_one(&e, ENVELOPE_RECEIPT, bob, alice, 50);
	assert_int_equal(seal_verify(&e.env, bob->sign_pk, &st), 0);
	pair(alice, bob, SEAL_RECEIVING, key);
	assert_int_equal(seal_decrypt(&e.env, key, pt, sizeof(pt), &pt_len, &st), 0);
	assert_memory_equal(pt, e.pt, 50);
}

static void
nonce_is_random_unless_given(void **state)
{
	struct sealed_env e;
	uint8_t key[SEAL_KEYBYTES], nonce[SEAL_NONCEBYTES], out1[ENV_CAP], out2[ENV_CAP];
	size_t len1, len2;
	struct envelope env;
	struct status st;

	(void)state;
	header_for(&e.h, ENVELOPE_ACK, alice, bob);
	memset(e.pt, 'x', 20);
	pair(alice, bob, SEAL_SENDING, key);
	assert_int_equal(seal_envelope(&e.h, e.pt, 20, key, alice->sign_sk, NULL, out1,
			     sizeof(out1), &len1, &st),
	    0);
	assert_int_equal(seal_envelope(&e.h, e.pt, 20, key, alice->sign_sk, NULL, out2,
			     sizeof(out2), &len2, &st),
	    0);
	assert_int_equal(len1, len2);
	assert_memory_not_equal(out1, out2, len1);
	/* A given nonce is used as is, and makes sealing deterministic. */
	randombytes_buf(nonce, sizeof(nonce));
	assert_int_equal(seal_envelope(&e.h, e.pt, 20, key, alice->sign_sk, nonce, out1,
			     sizeof(out1), &len1, &st),
	    0);
	assert_int_equal(seal_envelope(&e.h, e.pt, 20, key, alice->sign_sk, nonce, out2,
			     sizeof(out2), &len2, &st),
	    0);
	assert_int_equal(len1, len2);
	assert_memory_equal(out1, out2, len1);
	assert_int_equal(envelope_decode(out1, len1, &env, &st), 0);
	assert_memory_equal(env.sealed, nonce, sizeof(nonce));
}

static void
every_flipped_bit_is_refused(void **state)
{
	struct sealed_env e;
	uint8_t key[SEAL_KEYBYTES], flipped[ENV_CAP], pt[PT_CAP];
	size_t pos, pt_len, sig_at, n_decode = 0, n_sig = 0;
	struct envelope env;
	struct status st;

	(void)state;
	seal_one(&e, ENVELOPE_ACK, alice, bob, 16);
	pair(bob, alice, SEAL_RECEIVING, key);
	sig_at = (size_t)(e.env.sig - e.buf);
	for (pos = 0; pos < e.len; pos++) {
		memcpy(flipped, e.buf, e.len);
		flipped[pos] ^= (uint8_t)(1u << (pos % 8));
		st.code = 0;
		if (envelope_decode(flipped, e.len, &env, &st) == -1) {
			assert_true(st.code >= STATUS_MALFORMED && st.code <= STATUS_TOO_LARGE);
			n_decode++;
			continue;
		}
		st.code = 0;
		assert_int_equal(seal_verify(&env, alice->sign_pk, &st), -1);
		assert_int_equal(st.code, STATUS_BAD_SIGNATURE);
		n_sig++;
		/* Without the signature the AEAD alone still refuses any change to
		 * the header or the sealed bytes; the signature is not under it. */
		if (pos < sig_at) {
			st.code = 0;
			assert_int_equal(seal_decrypt(&env, key, pt, sizeof(pt), &pt_len, &st), -1);
			assert_int_equal(st.code, STATUS_DECRYPT_FAILED);
		}
	}
	assert_int_equal(n_decode + n_sig, e.len);
	/* Both paths were taken: the test did look at signatures. */
	assert_true(n_sig > SEAL_SIGBYTES);
	assert_true(n_decode > 0);
}

static void
header_moved_to_another_ciphertext_is_refused(void **state)
{
	struct sealed_env e1, e2;
	uint8_t key[SEAL_KEYBYTES], out[ENV_CAP];
	size_t len;
	struct envelope env;
	struct status st;

	(void)state;
	seal_one(&e1, ENVELOPE_REFERRAL, alice, bob, 64);
	seal_one(&e2, ENVELOPE_REFERRAL, alice, bob, 64);
	pair(bob, alice, SEAL_RECEIVING, key);

	/* Not re-signed: e2's header over e1's ciphertext, with either
	 * signature. */
	assert_int_equal(envelope_assemble(e2.env.header, e2.env.header_len, e1.env.sealed,
			     e1.env.sealed_len, e1.env.sig, out, sizeof(out), &len, &st),
	    0);
	assert_int_equal(envelope_decode(out, len, &env, &st), 0);
	assert_refused(&env, alice->sign_pk, key);
	assert_int_equal(envelope_assemble(e2.env.header, e2.env.header_len, e1.env.sealed,
			     e1.env.sealed_len, e2.env.sig, out, sizeof(out), &len, &st),
	    0);
	assert_int_equal(envelope_decode(out, len, &env, &st), 0);
	assert_refused(&env, alice->sign_pk, key);

	/* Re-signed by an attacker with its own key: its signature is valid
	 * for its own key only, and the ciphertext still does not open. */
	sign_and_assemble(e2.env.header, e2.env.header_len, e1.env.sealed, e1.env.sealed_len,
	    mallory, out, &len);
	assert_int_equal(envelope_decode(out, len, &env, &st), 0);
	assert_int_equal(seal_verify(&env, mallory->sign_pk, &st), 0);
	assert_refused(&env, alice->sign_pk, key);
}

static void
readdressed_envelope_is_refused(void **state)
{
	struct sealed_env e;
	struct envelope_header h;
	uint8_t header[ENVELOPE_MAX_HEADER], out[ENV_CAP], pt[PT_CAP];
	uint8_t key_cb[SEAL_KEYBYTES], key_ab[SEAL_KEYBYTES];
	size_t header_len, len, pt_len;
	struct envelope env;
	struct status st;

	(void)state;
	seal_one(&e, ENVELOPE_REFERRAL, alice, bob, 64);
	/* Bob forwards Alice's envelope to Carol as if Alice had sent it. */
	h = e.env.h;
	strcpy(h.to, carol->id);
	seal_keyid(carol->box_pk, SEAL_BOX_PKBYTES, h.recipient_box_key);
	assert_int_equal(envelope_header_encode(&h, header, sizeof(header), &header_len, &st), 0);
	assert_int_equal(envelope_assemble(header, header_len, e.env.sealed, e.env.sealed_len,
			     e.env.sig, out, sizeof(out), &len, &st),
	    0);
	assert_int_equal(envelope_decode(out, len, &env, &st), 0);
	assert_string_equal(env.h.to, "camhs");
	pair(carol, alice, SEAL_RECEIVING, key_cb);
	assert_refused(&env, alice->sign_pk, key_cb);

	/* Even re-signed by Alice herself, Carol cannot open a payload sealed
	 * for Bob, and Bob cannot open it under the changed header. */
	sign_and_assemble(header, header_len, e.env.sealed, e.env.sealed_len, alice, out, &len);
	assert_int_equal(envelope_decode(out, len, &env, &st), 0);
	assert_int_equal(seal_verify(&env, alice->sign_pk, &st), 0);
	st.code = 0;
	assert_int_equal(seal_decrypt(&env, key_cb, pt, sizeof(pt), &pt_len, &st), -1);
	assert_int_equal(st.code, STATUS_DECRYPT_FAILED);
	pair(bob, alice, SEAL_RECEIVING, key_ab);
	st.code = 0;
	assert_int_equal(seal_decrypt(&env, key_ab, pt, sizeof(pt), &pt_len, &st), -1);
	assert_int_equal(st.code, STATUS_DECRYPT_FAILED);
}

static void
wrong_keys_are_refused(void **state)
{
	struct sealed_env e;
	uint8_t key[SEAL_KEYBYTES], pt[PT_CAP];
	size_t pt_len;
	struct status st;

	(void)state;
	seal_one(&e, ENVELOPE_DECISION, alice, bob, 64);
	/* Another agency's signing key, or the right agency's box key used as
	 * a signing key. */
	st.code = 0;
	assert_int_equal(seal_verify(&e.env, bob->sign_pk, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_SIGNATURE);
	assert_string_equal(st.text, "signature does not verify for agency school-stmarys");
	st.code = 0;
	assert_int_equal(seal_verify(&e.env, alice->box_pk, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_SIGNATURE);

	/* Pair keys: a third agency's, the B->A key for an A->B message (from
	 * either end), and the right key computed with the wrong peer. */
	pair(carol, alice, SEAL_RECEIVING, key);
	st.code = 0;
	assert_int_equal(seal_decrypt(&e.env, key, pt, sizeof(pt), &pt_len, &st), -1);
	assert_int_equal(st.code, STATUS_DECRYPT_FAILED);
	assert_non_null(strstr(st.text, "school-stmarys"));
	pair(bob, alice, SEAL_SENDING, key);
	st.code = 0;
	assert_int_equal(seal_decrypt(&e.env, key, pt, sizeof(pt), &pt_len, &st), -1);
	assert_int_equal(st.code, STATUS_DECRYPT_FAILED);
	pair(alice, bob, SEAL_RECEIVING, key);
	st.code = 0;
	assert_int_equal(seal_decrypt(&e.env, key, pt, sizeof(pt), &pt_len, &st), -1);
	assert_int_equal(st.code, STATUS_DECRYPT_FAILED);
	pair(bob, carol, SEAL_RECEIVING, key);
	st.code = 0;
	assert_int_equal(seal_decrypt(&e.env, key, pt, sizeof(pt), &pt_len, &st), -1);
	assert_int_equal(st.code, STATUS_DECRYPT_FAILED);
	/* The right key still opens it: the refusals were about the keys. */
	pair(bob, alice, SEAL_RECEIVING, key);
	assert_int_equal(seal_decrypt(&e.env, key, pt, sizeof(pt), &pt_len, &st), 0);
	assert_int_equal(seal_verify(&e.env, alice->sign_pk, &st), 0);
}

static void
hash_is_blake2b_256_of_the_bytes(void **state)
{
	struct sealed_env e;
	uint8_t want[SEAL_HASHBYTES], got[SEAL_HASHBYTES];

	(void)state;
	seal_one(&e, ENVELOPE_REFERRAL, alice, bob, 32);
	crypto_generichash(want, sizeof(want), e.buf, e.len, NULL, 0);
	seal_hash(e.buf, e.len, got);
	assert_memory_equal(got, want, sizeof(got));
	e.buf[e.len - 1] ^= 1;
	seal_hash(e.buf, e.len, got);
	assert_memory_not_equal(got, want, sizeof(got));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pair_key_refuses_low_order_points),
		cmocka_unit_test(oversize_plaintext_is_refused),
		cmocka_unit_test(seal_refuses_bad_header_and_small_output),
		cmocka_unit_test(decrypt_refuses_short_sealed_and_small_buffer),
		cmocka_unit_test(every_flipped_bit_is_refused),
		cmocka_unit_test(header_moved_to_another_ciphertext_is_refused),
		cmocka_unit_test(readdressed_envelope_is_refused),
		cmocka_unit_test(wrong_keys_are_refused),
		cmocka_unit_test(pair_key_is_shared_and_directional),
		cmocka_unit_test(keyid_is_tagged_blake2b_128),
		cmocka_unit_test(every_type_round_trips),
		cmocka_unit_test(nonce_is_random_unless_given),
		cmocka_unit_test(hash_is_blake2b_256_of_the_bytes),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
