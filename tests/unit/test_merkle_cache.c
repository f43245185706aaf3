/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for proto/merkle.c's subtree cache: a consistency proof made
 * with a merkle_cache is byte for byte the proof made without one, for
 * every pair of sizes around the cache's subtree boundaries, cold and warm;
 * a warm cache reads far fewer leaves than the whole log; a failing leaf
 * still fails the cached proof; and the cached proofs verify.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "proto/merkle.h"

#define LEAVES (MERKLE_CACHE_MIN * 5 + 37)	/* several subtrees and a ragged end */

static uint8_t leaves[LEAVES][MERKLE_HASHBYTES];

/* Counts the leaves read; fails at index `fail_at` if it is set. */
struct counter {
	uint64_t reads;
	uint64_t fail_at;	/* UINT64_MAX: never */
};

static int
counting_leaf(void *arg, uint64_t index, uint8_t out[MERKLE_HASHBYTES], struct status *st)
{
	struct counter *c = arg;

	if (index == c->fail_at)
		return status_set(st, STATUS_STORE_FAILED, "leaf %llu unreadable",
		    (unsigned long long)index);
	c->reads++;
	memcpy(out, leaves[index], MERKLE_HASHBYTES);
	return 0;
}

static int
setup(void **state)
{
	uint8_t data[8];
	uint64_t i;

	(void)state;
	for (i = 0; i < LEAVES; i++) {
		memcpy(data, &i, sizeof(data));
		merkle_leaf_hash(data, sizeof(data), leaves[i]);
	}
	return 0;
}

static void
root_of(uint64_t size, uint8_t root[MERKLE_HASHBYTES])
{
	struct merkle_tree t;
	uint64_t i;

	merkle_tree_init(&t);
	for (i = 0; i < size; i++)
		merkle_tree_append_leaf_hash(&t, leaves[i]);
	merkle_tree_root(&t, root);
}

static void
failing_leaf_fails_the_cached_proof(void **state)
{
	struct merkle_cache *c = merkle_cache_new();
	uint8_t proof[MERKLE_PROOF_MAX_BYTES];
	struct counter k = {0, 700};
	struct status st;
	size_t n = 99;

	(void)state;
	assert_non_null(c);
	assert_int_equal(merkle_consistency_proof_cached(c, 3, LEAVES, counting_leaf, &k, proof, &n,
			     &st), -1);
	assert_int_equal(st.code, STATUS_STORE_FAILED);
	/* Nothing half-computed was remembered: with the leaf back, the proof
	 * is the uncached one. */
	k.fail_at = UINT64_MAX;
	{
		uint8_t want[MERKLE_PROOF_MAX_BYTES];
		size_t wn;

		assert_int_equal(merkle_consistency_proof(3, LEAVES, merkle_array_leaf, leaves, want,
				     &wn, &st), 0);
		assert_int_equal(merkle_consistency_proof_cached(c, 3, LEAVES, counting_leaf, &k,
				     proof, &n, &st), 0);
		assert_int_equal(n, wn);
		assert_memory_equal(proof, want, wn * MERKLE_HASHBYTES);
	}
	merkle_cache_destroy(&c);
	assert_null(c);
	merkle_cache_destroy(NULL);
}

static void
bad_sizes_are_refused_504_with_a_cache(void **state)
{
	struct merkle_cache *c = merkle_cache_new();
	uint8_t proof[MERKLE_PROOF_MAX_BYTES];
	struct counter k = {0, UINT64_MAX};
	struct status st;
	size_t n;

	(void)state;
	assert_int_equal(merkle_consistency_proof_cached(c, 6, 5, counting_leaf, &k, proof, &n,
			     &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_int_equal(k.reads, 0);
	merkle_cache_destroy(&c);
}

static void
cached_proofs_equal_uncached_ones_and_verify(void **state)
{
	static const uint64_t sizes[] = {1, 2, 255, 256, 257, 511, 512, 513, 768, 1000, 1024,
	    1025, LEAVES - 1, LEAVES};
	uint8_t want[MERKLE_PROOF_MAX_BYTES], got[MERKLE_PROOF_MAX_BYTES];
	uint8_t r1[MERKLE_HASHBYTES], r2[MERKLE_HASHBYTES];
	struct counter k = {0, UINT64_MAX};
	struct merkle_cache *c = merkle_cache_new();
	size_t i, j, wn, gn, ns = sizeof(sizes) / sizeof(sizes[0]);
	struct status st;
	int pass;

	(void)state;
	assert_non_null(c);
	/* Twice: the first pass fills the cache, the second reads from it. */
	for (pass = 0; pass < 2; pass++)
		for (j = 0; j < ns; j++)
			for (i = 0; i <= j; i++) {
				assert_int_equal(merkle_consistency_proof(sizes[i], sizes[j],
						     merkle_array_leaf, leaves, want, &wn, &st), 0);
				assert_int_equal(merkle_consistency_proof_cached(c, sizes[i],
						     sizes[j], counting_leaf, &k, got, &gn, &st), 0);
				assert_int_equal(gn, wn);
				assert_memory_equal(got, want, wn * MERKLE_HASHBYTES);
				root_of(sizes[i], r1);
				root_of(sizes[j], r2);
				assert_int_equal(merkle_consistency_verify(sizes[i], sizes[j], r1, r2,
						     got, gn, &st), 0);
			}
	merkle_cache_destroy(&c);
}

static void
a_warm_cache_reads_only_the_ragged_end(void **state)
{
	uint8_t proof[MERKLE_PROOF_MAX_BYTES];
	struct counter k = {0, UINT64_MAX};
	struct merkle_cache *c = merkle_cache_new();
	struct status st;
	size_t n;

	(void)state;
	assert_int_equal(merkle_consistency_proof_cached(c, 1000, LEAVES - 1, counting_leaf, &k,
			     proof, &n, &st), 0);
	assert_true(k.reads >= LEAVES - 1);	/* cold: every leaf once at least */
	k.reads = 0;
	/* The log grew by one: the complete subtrees are known, only the
	 * leaves after the last of them (and a partial block) are read. */
	assert_int_equal(merkle_consistency_proof_cached(c, LEAVES - 1, LEAVES, counting_leaf, &k,
			     proof, &n, &st), 0);
	assert_true(k.reads < 2 * MERKLE_CACHE_MIN);
	merkle_cache_destroy(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(failing_leaf_fails_the_cached_proof),
		cmocka_unit_test(bad_sizes_are_refused_504_with_a_cache),
		cmocka_unit_test(cached_proofs_equal_uncached_ones_and_verify),
		cmocka_unit_test(a_warm_cache_reads_only_the_ragged_end),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
