/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for proto/merkle.c.  Every root and proof is checked against
 * an independent, deliberately naive implementation of the recursive
 * definitions of RFC 9162 §2.1 (tests/support/merkle_ref.c: MTH, PATH,
 * SUBPROOF) over hand-built trees of 1 to 17 leaves, and against the
 * Certificate Transparency known answers; and every proof is tampered with
 * in every way an attacker could (leaf, index, size, roots, each hash,
 * length) and must be refused with 504.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "proto/merkle.h"
#include "tests/support/merkle_ref.h"

#define HB MERKLE_HASHBYTES
#define MAX_LEAVES 18		/* trees of 1..17 leaves, and one more for wrong sizes */
#define BIG_LEAVES 300
#define LEAF_DATA_MAX 32
#define LOG merkle_ref_array_range, &leaves[0][0]	/* the reference over the log */

/* Leaf hashes of the test log: leaf i is "entry <i>", computed here. */
static uint8_t leaves[BIG_LEAVES][HB];

static void
leaf_data(size_t i, uint8_t *buf, size_t *len)
{
	*len = (size_t)snprintf((char *)buf, LEAF_DATA_MAX, "entry %zu", i);
}

static int
setup(void **state)
{
	uint8_t d[LEAF_DATA_MAX];
	size_t i, len;

	(void)state;
	if (sodium_init() < 0)
		return -1;
	for (i = 0; i < BIG_LEAVES; i++) {
		leaf_data(i, d, &len);
		merkle_ref_leaf(d, len, leaves[i]);
	}
	return 0;
}

static void
hex(const char *s, uint8_t out[HB])
{
	assert_int_equal(sodium_hex2bin(out, HB, s, strlen(s), NULL, NULL, NULL), 0);
}

static void
flip(uint8_t *p, size_t at)
{
	p[at] ^= 0x01;
}

/* ---- failure paths first ---- */

static int
failing_leaf(void *arg, uint64_t index, uint8_t out[HB], struct status *st)
{
	int *calls = arg;

	if (++*calls > 3)
		return status_set(st, STATUS_STORE_FAILED, "leaf %llu could not be read",
		    (unsigned long long)index);
	memcpy(out, leaves[index], HB);
	return 0;
}

static void
generation_refuses_bad_sizes_and_passes_on_leaf_errors(void **state)
{
	uint8_t proof[MERKLE_PROOF_MAX_BYTES];
	struct status st;
	size_t n = 99;
	int calls = 0;

	(void)state;
	assert_int_equal(merkle_inclusion_proof(5, 5, merkle_array_leaf, leaves, proof, &n, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_non_null(strstr(st.text, "leaf index 5"));
	assert_int_equal(n, 0);
	assert_int_equal(merkle_inclusion_proof(0, 0, merkle_array_leaf, leaves, proof, &n, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_int_equal(merkle_inclusion_proof(0, MERKLE_MAX_SIZE + 1, merkle_array_leaf, leaves,
	    proof, &n, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_non_null(strstr(st.text, "over the limit"));
	assert_int_equal(merkle_consistency_proof(6, 5, merkle_array_leaf, leaves, proof, &n, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_non_null(strstr(st.text, "old tree size 6"));
	assert_int_equal(merkle_consistency_proof(1, MERKLE_MAX_SIZE + 1, merkle_array_leaf, leaves,
	    proof, &n, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);

	/* A store that fails part way: the caller gets its status, no proof. */
	assert_int_equal(merkle_inclusion_proof(0, 8, failing_leaf, &calls, proof, &n, &st), -1);
	assert_int_equal(st.code, STATUS_STORE_FAILED);
	assert_int_equal(n, 0);
	calls = 0;
	assert_int_equal(merkle_consistency_proof(3, 8, failing_leaf, &calls, proof, &n, &st), -1);
	assert_int_equal(st.code, STATUS_STORE_FAILED);
	assert_int_equal(n, 0);
}

static void
verification_refuses_bad_sizes(void **state)
{
	uint8_t h[HB] = { 0 }, empty[HB];
	struct status st;

	(void)state;
	assert_int_equal(merkle_inclusion_verify(h, 3, 3, NULL, 0, h, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_non_null(strstr(st.text, "leaf index 3"));
	assert_int_equal(merkle_inclusion_verify(h, 0, 0, NULL, 0, h, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_int_equal(merkle_inclusion_verify(h, 0, MERKLE_MAX_SIZE + 1, NULL, 0, h, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_non_null(strstr(st.text, "over the limit"));
	assert_int_equal(merkle_consistency_verify(2, 1, h, h, NULL, 0, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_non_null(strstr(st.text, "never shrinks"));
	assert_int_equal(merkle_consistency_verify(1, MERKLE_MAX_SIZE + 1, h, h, NULL, 0, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);

	/* Size 0: any log extends the empty one, with an empty proof only,
	 * and only from the empty root. */
	crypto_hash_sha256(empty, (const uint8_t *)"", 0);
	assert_int_equal(merkle_consistency_verify(0, 5, empty, h, NULL, 0, &st), 0);
	assert_int_equal(merkle_consistency_verify(0, 0, empty, empty, NULL, 0, &st), 0);
	assert_int_equal(merkle_consistency_verify(0, 5, h, h, NULL, 0, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_non_null(strstr(st.text, "empty tree"));
	assert_int_equal(merkle_consistency_verify(0, 5, empty, h, h, 1, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_non_null(strstr(st.text, "must be empty"));
}

/* ---- hashes and roots ---- */

static void
hashes_follow_rfc_9162(void **state)
{
	uint8_t d[LEAF_DATA_MAX], got[HB], want[HB], a[HB], b[HB];
	size_t len;

	(void)state;
	leaf_data(7, d, &len);
	merkle_leaf_hash(d, len, got);
	assert_memory_equal(got, leaves[7], HB);
	/* An empty leaf is SHA-256 of the prefix alone. */
	merkle_leaf_hash(NULL, 0, got);
	merkle_ref_leaf(d, 0, want);
	assert_memory_equal(got, want, HB);
	/* The prefixes keep a leaf from passing for a node. */
	memcpy(a, leaves[0], HB);
	memcpy(b, leaves[1], HB);
	merkle_ref_node(a, b, want);
	merkle_node_hash(a, b, got);
	assert_memory_equal(got, want, HB);
	merkle_node_hash(a, b, a);	/* out aliases left */
	assert_memory_equal(a, want, HB);
	memcpy(a, leaves[0], HB);
	merkle_node_hash(a, b, b);	/* out aliases right */
	assert_memory_equal(b, want, HB);
}

static void
roots_match_the_recursive_definition(void **state)
{
	struct merkle_tree t, u;
	uint8_t d[LEAF_DATA_MAX], got[HB], want[HB];
	size_t n, len;

	(void)state;
	merkle_tree_init(&t);
	merkle_tree_init(&u);
	merkle_tree_root(&t, got);
	hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", want);
	assert_memory_equal(got, want, HB);
	/* Sizes 1..17 by hand, then on to BIG_LEAVES: the root of every
	 * prefix, from leaf data and from leaf hashes, reading the root
	 * between appends (it must not disturb the builder). */
	for (n = 1; n <= BIG_LEAVES; n++) {
		leaf_data(n - 1, d, &len);
		merkle_tree_append_leaf(&t, d, len);
		merkle_tree_append_leaf_hash(&u, leaves[n - 1]);
		assert_int_equal(t.size, n);
		merkle_ref_mth(&leaves[0][0], n, want);
		merkle_tree_root(&t, got);
		assert_memory_equal(got, want, HB);
		merkle_tree_root(&u, got);
		assert_memory_equal(got, want, HB);
	}
}

/* The 8-leaf test log of certificate-transparency's merkle_tree_test (also
 * transparency-dev/merkle testonly): roots of every size, audit paths and
 * consistency proofs, independently checked with Python's hashlib. */
static const char *const ct_roots[] = {
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};
#define CT_96A2 "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"
#define CT_5F08 "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"
#define CT_6B47 "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"
#define CT_BC1A "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"
#define CT_CA85 "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"
#define CT_0EBC "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"
#define CT_6E34 "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
#define CT_D37E "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"
#define CT_FAC5 "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"

struct ct_proof {
	int kind;		/* 'i' inclusion (a = index), 'c' consistency (a = size1) */
	uint64_t a, size;
	const char *hash[3];
};

static const struct ct_proof ct_proofs[] = {
	{ 'i', 0, 1, { NULL } },
	{ 'i', 0, 8, { CT_96A2, CT_5F08, CT_6B47 } },
	{ 'i', 5, 8, { CT_BC1A, CT_CA85, CT_D37E } },
	{ 'i', 2, 3, { CT_FAC5 } },
	{ 'i', 1, 5, { CT_6E34, CT_5F08, CT_BC1A } },
	{ 'c', 1, 1, { NULL } },
	{ 'c', 1, 8, { CT_96A2, CT_5F08, CT_6B47 } },
	{ 'c', 6, 8, { CT_0EBC, CT_CA85, CT_D37E } },
	{ 'c', 2, 5, { CT_5F08, CT_BC1A } },
};

static void
certificate_transparency_known_answers(void **state)
{
	static const char *const data[8] = { "", "\x00", "\x10", "\x20\x21", "\x30\x31",
		"\x40\x41\x42\x43", "\x50\x51\x52\x53\x54\x55\x56\x57",
		"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f" };
	static const size_t data_len[8] = { 0, 1, 1, 2, 2, 4, 8, 16 };
	uint8_t ct[8][HB], roots[9][HB], want[MERKLE_PROOF_MAX_BYTES], proof[MERKLE_PROOF_MAX_BYTES];
	struct merkle_tree t;
	struct status st;
	const struct ct_proof *c;
	size_t i, j, n, want_n;

	(void)state;
	merkle_tree_init(&t);
	merkle_tree_root(&t, roots[0]);
	for (i = 0; i < 8; i++) {
		merkle_leaf_hash((const uint8_t *)data[i], data_len[i], ct[i]);
		merkle_tree_append_leaf_hash(&t, ct[i]);
		merkle_tree_root(&t, roots[i + 1]);
		hex(ct_roots[i], want);
		assert_memory_equal(roots[i + 1], want, HB);
	}
	for (i = 0; i < sizeof(ct_proofs) / sizeof(ct_proofs[0]); i++) {
		c = &ct_proofs[i];
		for (want_n = 0; want_n < 3 && c->hash[want_n] != NULL; want_n++)
			hex(c->hash[want_n], want + want_n * HB);
		if (c->kind == 'i') {
			assert_int_equal(merkle_inclusion_proof(c->a, c->size, merkle_array_leaf, ct,
			    proof, &n, &st), 0);
			assert_int_equal(merkle_inclusion_verify(ct[c->a], c->a, c->size, want, want_n,
			    roots[c->size], &st), 0);
		} else {
			assert_int_equal(merkle_consistency_proof(c->a, c->size, merkle_array_leaf, ct,
			    proof, &n, &st), 0);
			assert_int_equal(merkle_consistency_verify(c->a, c->size, roots[c->a],
			    roots[c->size], want, want_n, &st), 0);
		}
		assert_int_equal(n, want_n);
		for (j = 0; j < n; j++)
			assert_memory_equal(proof + j * HB, want + j * HB, HB);
	}
}

/* ---- inclusion ---- */

static void
expect_inclusion_refused(const uint8_t leaf[HB], uint64_t index, uint64_t size,
    const uint8_t *proof, size_t n, const uint8_t root[HB])
{
	struct status st;

	st.code = 0;
	assert_int_equal(merkle_inclusion_verify(leaf, index, size, proof, n, root, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
}

static void
inclusion_proofs_for_every_leaf_of_trees_1_to_17(void **state)
{
	uint8_t roots[MAX_LEAVES + 1][HB], proof[MERKLE_PROOF_MAX_BYTES + HB];
	uint8_t want[MERKLE_PROOF_MAX_BYTES], leaf[HB], root[HB];
	struct status st;
	size_t size, i, j, n, want_n;

	(void)state;
	for (size = 0; size <= MAX_LEAVES; size++)
		merkle_ref_mth(&leaves[0][0], size, roots[size]);
	for (size = 1; size < MAX_LEAVES; size++) {
		for (i = 0; i < size; i++) {
			want_n = 0;
			merkle_ref_path(LOG, i, 0, size, want, &want_n);
			assert_int_equal(merkle_inclusion_proof(i, size, merkle_array_leaf, leaves, proof,
			    &n, &st), 0);
			assert_int_equal(n, want_n);
			if (n > 0)
				assert_memory_equal(proof, want, n * HB);
			assert_int_equal(merkle_inclusion_verify(leaves[i], i, size, proof, n,
			    roots[size], &st), 0);

			/* Another leaf, another index, the index past the end. */
			memcpy(leaf, leaves[i], HB);
			flip(leaf, HB - 1);
			expect_inclusion_refused(leaf, i, size, proof, n, roots[size]);
			if (size > 1)
				expect_inclusion_refused(leaves[(i + 1) % size], i, size, proof, n,
				    roots[size]);
			for (j = 0; j < size; j++)
				if (j != i)
					expect_inclusion_refused(leaves[i], j, size, proof, n,
					    roots[size]);
			expect_inclusion_refused(leaves[i], size, size, proof, n, roots[size]);
			/* Other sizes, each with its own true root. */
			for (j = i + 1; j <= MAX_LEAVES; j++)
				if (j != size)
					expect_inclusion_refused(leaves[i], i, j, proof, n, roots[j]);
			/* Another root, every hash altered, shorter, longer. */
			memcpy(root, roots[size], HB);
			flip(root, 0);
			expect_inclusion_refused(leaves[i], i, size, proof, n, root);
			for (j = 0; j < n; j++) {
				flip(proof, j * HB + j % HB);
				expect_inclusion_refused(leaves[i], i, size, proof, n, roots[size]);
				flip(proof, j * HB + j % HB);
			}
			if (n > 0)
				expect_inclusion_refused(leaves[i], i, size, proof, n - 1, roots[size]);
			memcpy(proof + n * HB, leaves[0], HB);
			expect_inclusion_refused(leaves[i], i, size, proof, n + 1, roots[size]);
			/* Unharmed after all that. */
			assert_int_equal(merkle_inclusion_verify(leaves[i], i, size, proof, n,
			    roots[size], &st), 0);
		}
	}
	/* The texts say what is wrong. */
	assert_int_equal(merkle_inclusion_verify(leaves[0], 0, 8, proof, 2, roots[8], &st), -1);
	assert_non_null(strstr(st.text, "has 2 hashes but leaf 0 of a tree of 8 leaves needs 3"));
	assert_int_equal(merkle_inclusion_proof(0, 8, merkle_array_leaf, leaves, proof, &n, &st), 0);
	assert_int_equal(merkle_inclusion_verify(leaves[1], 0, 8, proof, n, roots[8], &st), -1);
	assert_non_null(strstr(st.text, "leads to root"));
}

/* ---- consistency ---- */

static void
expect_consistency_refused(uint64_t size1, uint64_t size2, const uint8_t r1[HB],
    const uint8_t r2[HB], const uint8_t *proof, size_t n)
{
	struct status st;

	st.code = 0;
	assert_int_equal(merkle_consistency_verify(size1, size2, r1, r2, proof, n, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
}

static void
consistency_proofs_for_every_pair_of_sizes_up_to_17(void **state)
{
	uint8_t roots[MAX_LEAVES + 1][HB], proof[MERKLE_PROOF_MAX_BYTES + HB];
	uint8_t want[MERKLE_PROOF_MAX_BYTES], root[HB];
	struct status st;
	size_t m, size, j, n, want_n;

	(void)state;
	for (size = 0; size <= MAX_LEAVES; size++)
		merkle_ref_mth(&leaves[0][0], size, roots[size]);
	for (size = 1; size < MAX_LEAVES; size++) {
		for (m = 0; m <= size; m++) {
			want_n = 0;
			if (m > 0)
				merkle_ref_subproof(LOG, m, 0, size, 1, want, &want_n);
			assert_int_equal(merkle_consistency_proof(m, size, merkle_array_leaf, leaves,
			    proof, &n, &st), 0);
			assert_int_equal(n, want_n);
			if (n > 0)
				assert_memory_equal(proof, want, n * HB);
			assert_int_equal(merkle_consistency_verify(m, size, roots[m], roots[size], proof,
			    n, &st), 0);
			if (m == 0)
				continue;

			/* Other roots. */
			memcpy(root, roots[m], HB);
			flip(root, HB / 2);
			expect_consistency_refused(m, size, root, roots[size], proof, n);
			memcpy(root, roots[size], HB);
			flip(root, HB / 2);
			expect_consistency_refused(m, size, roots[m], root, proof, n);
			if (m < size)
				expect_consistency_refused(m, size, roots[size], roots[m], proof, n);
			/* Other sizes, each with its own true root. */
			for (j = 1; j <= size; j++)
				if (j != m)
					expect_consistency_refused(j, size, roots[j], roots[size],
					    proof, n);
			for (j = m; j <= MAX_LEAVES; j++)
				if (j != size)
					expect_consistency_refused(m, j, roots[m], roots[j], proof,
					    n);
			/* Every hash altered, shorter, longer. */
			for (j = 0; j < n; j++) {
				flip(proof, j * HB + j % HB);
				expect_consistency_refused(m, size, roots[m], roots[size], proof, n);
				flip(proof, j * HB + j % HB);
			}
			if (n > 0)
				expect_consistency_refused(m, size, roots[m], roots[size], proof, n - 1);
			memcpy(proof + n * HB, roots[m], HB);
			expect_consistency_refused(m, size, roots[m], roots[size], proof, n + 1);
			assert_int_equal(merkle_consistency_verify(m, size, roots[m], roots[size], proof,
			    n, &st), 0);
		}
	}
	/* The texts say which side does not match. */
	assert_int_equal(merkle_consistency_proof(3, 7, merkle_array_leaf, leaves, proof, &n, &st), 0);
	assert_int_equal(merkle_consistency_verify(3, 7, roots[4], roots[7], proof, n, &st), -1);
	assert_non_null(strstr(st.text, "leads to old root"));
	assert_int_equal(merkle_consistency_verify(3, 7, roots[3], roots[6], proof, n, &st), -1);
	assert_non_null(strstr(st.text, "leads to new root"));
	assert_int_equal(merkle_consistency_verify(5, 5, roots[5], roots[6], NULL, 0, &st), -1);
	assert_non_null(strstr(st.text, "forked"));
}

/* ---- larger trees and the size limit ---- */

static void
larger_trees_agree_with_the_reference(void **state)
{
	static const size_t sizes[] = { 31, 32, 33, 63, 64, 65, 100, 127, 128, 129, 255, 256, 257,
		BIG_LEAVES };
	uint8_t proof[MERKLE_PROOF_MAX_BYTES], want[MERKLE_PROOF_MAX_BYTES], r1[HB], r2[HB];
	struct status st;
	size_t s, size, i, n, want_n;

	(void)state;
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		size = sizes[s];
		merkle_ref_mth(&leaves[0][0], size, r2);
		for (i = 0; i < size; i += 1 + size / 9) {
			want_n = 0;
			merkle_ref_path(LOG, i, 0, size, want, &want_n);
			assert_int_equal(merkle_inclusion_proof(i, size, merkle_array_leaf, leaves, proof,
			    &n, &st), 0);
			assert_int_equal(n, want_n);
			if (n > 0)
				assert_memory_equal(proof, want, n * HB);
			assert_int_equal(merkle_inclusion_verify(leaves[i], i, size, proof, n, r2, &st),
			    0);

			want_n = 0;
			merkle_ref_subproof(LOG, i + 1, 0, size, 1, want, &want_n);
			merkle_ref_mth(&leaves[0][0], i + 1, r1);
			assert_int_equal(merkle_consistency_proof(i + 1, size, merkle_array_leaf, leaves,
			    proof, &n, &st), 0);
			assert_int_equal(n, want_n);
			if (n > 0)
				assert_memory_equal(proof, want, n * HB);
			assert_int_equal(merkle_consistency_verify(i + 1, size, r1, r2, proof, n, &st), 0);
		}
	}
}

/* In a tree whose leaves are all equal, a subtree's hash depends only on
 * its size, so proofs for the largest trees can be built without 2^63
 * leaves: this checks that the longest proofs fit MERKLE_MAX_PROOF. */
static uint8_t pow2_hash[64][HB];	/* subtree of 2^i equal leaves */

static void
uniform_init(void)
{
	int i;

	memcpy(pow2_hash[0], leaves[0], HB);
	for (i = 1; i < 64; i++)
		merkle_ref_node(pow2_hash[i - 1], pow2_hash[i - 1], pow2_hash[i]);
}

static void
uniform_mth(void *arg, uint64_t lo, uint64_t n, uint8_t out[HB])
{
	uint8_t l[HB], r[HB];
	uint64_t k;
	int i;

	if ((n & (n - 1)) == 0) {
		for (i = 0; (UINT64_C(1) << i) != n; i++)
			;
		memcpy(out, pow2_hash[i], HB);
		return;
	}
	k = merkle_ref_split(n);
	uniform_mth(arg, lo, k, l);
	uniform_mth(arg, lo + k, n - k, r);
	merkle_ref_node(l, r, out);
}

static void
longest_proofs_fit_at_the_size_limit(void **state)
{
	uint8_t proof[MERKLE_PROOF_MAX_BYTES * 2], r1[HB], r2[HB];
	const uint64_t max = MERKLE_MAX_SIZE;
	struct status st;
	size_t n = 0;

	(void)state;
	uniform_init();
	uniform_mth(NULL, 0, max, r2);
	merkle_ref_path(uniform_mth, NULL, 0, 0, max, proof, &n);
	assert_int_equal(n, 63);
	assert_int_equal(merkle_inclusion_verify(leaves[0], 0, max, proof, n, r2, &st), 0);
	n = 0;
	merkle_ref_path(uniform_mth, NULL, max - 1, 0, max, proof, &n);
	assert_int_equal(merkle_inclusion_verify(leaves[0], max - 1, max, proof, n, r2, &st), 0);
	/* Size 3 to the largest tree takes the most hashes: 64. */
	n = 0;
	merkle_ref_subproof(uniform_mth, NULL, 3, 0, max, 1, proof, &n);
	assert_int_equal(n, MERKLE_MAX_PROOF);
	uniform_mth(NULL, 0, 3, r1);
	assert_int_equal(merkle_consistency_verify(3, max, r1, r2, proof, n, &st), 0);
	assert_int_equal(merkle_consistency_verify(3, max, r1, r2, proof, n - 1, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	n = 0;
	merkle_ref_subproof(uniform_mth, NULL, max - 1, 0, max, 1, proof, &n);
	uniform_mth(NULL, 0, max - 1, r1);
	assert_int_equal(merkle_consistency_verify(max - 1, max, r1, r2, proof, n, &st), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(generation_refuses_bad_sizes_and_passes_on_leaf_errors),
		cmocka_unit_test(verification_refuses_bad_sizes),
		cmocka_unit_test(hashes_follow_rfc_9162),
		cmocka_unit_test(roots_match_the_recursive_definition),
		cmocka_unit_test(certificate_transparency_known_answers),
		cmocka_unit_test(inclusion_proofs_for_every_leaf_of_trees_1_to_17),
		cmocka_unit_test(consistency_proofs_for_every_pair_of_sizes_up_to_17),
		cmocka_unit_test(larger_trees_agree_with_the_reference),
		cmocka_unit_test(longest_proofs_fit_at_the_size_limit),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
