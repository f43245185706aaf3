/* SPDX-License-Identifier: ISC */
/*
 * fuzz_envelope: libFuzzer target for everything a broker or agent does with
 * untrusted envelope bytes: envelope_decode, then seal_verify with the
 * sender's key, then (for the recipient) seal_decrypt and payload_decode.
 * The keys are the fixed ones of proto/vectors (school-stmarys, mash), so the
 * seed corpus scripts/fuzz makes from those vectors verifies and reaches the
 * payload decoder.
 *
 * Besides "no crash, no sanitizer report", it checks two properties and
 * aborts if either fails: a decoded envelope re-assembles to exactly the
 * input bytes, and its header re-encodes to exactly the header bytes (one
 * value, one encoding: PROTOCOL.md §3).  A decoder that accepted a longer
 * form, trailing bytes or a lenient field would break the signatures and
 * hashes computed over the bytes as received.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "proto/envelope.h"
#include "proto/seal.h"
#include "proto/payload.h"

/* The fixed keys of proto/vectors (tests/unit/test_vectors.c). */
#define SCHOOL_SIGN_SEED_FIRST 0x01
#define SCHOOL_BOX_SK_FIRST 0x41
#define MASH_SIGN_SEED_FIRST 0x21
#define MASH_BOX_SK_FIRST 0x61

struct party {
	const char *id;
	uint8_t sign_pk[SEAL_SIGN_PKBYTES];
	uint8_t box_pk[SEAL_BOX_PKBYTES];
	uint8_t box_sk[SEAL_BOX_SKBYTES];
};

static struct party parties[] = {{.id = "school-stmarys"}, {.id = "mash"}};
static int ready;

static uint8_t again[ENVELOPE_MAX_BYTES];
static uint8_t pt[ENVELOPE_MAX_PAYLOAD];
static struct payload payload;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
party_init(struct party *p, uint8_t seed_first, uint8_t sk_first)
{
	uint8_t seed[crypto_sign_SEEDBYTES], sign_sk[SEAL_SIGN_SKBYTES];
	size_t i;

	for (i = 0; i < sizeof(seed); i++)
		seed[i] = (uint8_t)(seed_first + i);
	for (i = 0; i < sizeof(p->box_sk); i++)
		p->box_sk[i] = (uint8_t)(sk_first + i);
	if (crypto_sign_seed_keypair(p->sign_pk, sign_sk, seed) != 0 ||
	    crypto_scalarmult_base(p->box_pk, p->box_sk) != 0)
		abort();
}

static const struct party *
party_find(const char *id)
{
	size_t i;

	for (i = 0; i < sizeof(parties) / sizeof(parties[0]); i++)
		if (strcmp(parties[i].id, id) == 0)
			return &parties[i];
	return &parties[0];
}

/* One value, one encoding: what decoded must re-encode to the same bytes. */
static void
check_canonical(const uint8_t *data, size_t size, const struct envelope *env)
{
	uint8_t header[ENVELOPE_MAX_HEADER];
	size_t len;
	struct status st;

	if (envelope_assemble(env->header, env->header_len, env->sealed, env->sealed_len,
	    env->sig, again, sizeof(again), &len, &st) != 0 ||
	    len != size || memcmp(again, data, size) != 0)
		abort();
	if (envelope_header_encode(&env->h, header, sizeof(header), &len, &st) != 0 ||
	    len != env->header_len || memcmp(header, env->header, len) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct party *from, *to;
	uint8_t key[SEAL_KEYBYTES];
	struct envelope env;
	struct status st;
	size_t pt_len;

	if (!ready) {
		if (seal_init() != 0)
			abort();
		party_init(&parties[0], SCHOOL_SIGN_SEED_FIRST, SCHOOL_BOX_SK_FIRST);
		party_init(&parties[1], MASH_SIGN_SEED_FIRST, MASH_BOX_SK_FIRST);
		ready = 1;
	}
	if (envelope_decode(data, size, &env, &st) != 0) {
		/* Every refusal is a permanent 5xx with a text. */
		if (st.code < STATUS_MALFORMED || st.code > 599 || st.text[0] == '\0')
			abort();
		return 0;
	}
	check_canonical(data, size, &env);
	from = party_find(env.h.from);
	to = party_find(env.h.to);
	if (seal_verify(&env, from->sign_pk, &st) != 0) {
		if (st.code != STATUS_BAD_SIGNATURE)
			abort();
		return 0;
	}
	if (seal_pair_key(to->box_sk, to->box_pk, from->box_pk, SEAL_RECEIVING, key, &st) != 0)
		abort();
	if (seal_decrypt(&env, key, pt, sizeof(pt), &pt_len, &st) != 0) {
		if (st.code != STATUS_DECRYPT_FAILED && st.code != STATUS_MALFORMED)
			abort();
		return 0;
	}
	(void)payload_decode(env.h.type, pt, pt_len, &payload, &st);
	return 0;
}
