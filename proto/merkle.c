/* SPDX-License-Identifier: ISC */
/*
 * merkle: RFC 9162 §2.1 Merkle tree hashes, roots, inclusion and
 * consistency proofs (see merkle.h for why).
 *
 * DESIGN.  Everything works from leaf hashes and never stores interior
 * nodes.  A root is folded left to right through merkle_tree, whose stack
 * holds one hash per set bit of the size: appending a leaf merges it with
 * as many stacked subtrees as the old size has trailing one bits, so a
 * million leaves cost about two million SHA-256 calls and no allocation.
 * Proof generation walks the RFC's recursive definitions top down as a loop
 * (each level is a split at the largest power of two below the current
 * range), hashes each sibling range with a fresh merkle_tree, and reverses
 * the collected hashes into leaf-to-root order.  Verification is the RFC's
 * bit-walking algorithm verbatim; the length of the proof is checked first
 * by running the same walk without hashing, so the error can say how many
 * hashes were expected.  Roots are public values: memcmp is fine.
 */
#include <assert.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "proto/merkle.h"

/* Hex digits of a hash quoted in an error text (the text has 256 bytes). */
#define QUOTE_BYTES 8

static unsigned
stack_depth(uint64_t size)
{
	return (unsigned)__builtin_popcountll(size);
}

/* The largest power of two below n (n >= 2): where RFC 9162 splits. */
static uint64_t
split(uint64_t n)
{
	assert(n >= 2);
	return UINT64_C(1) << (63 - __builtin_clzll(n - 1));
}

/* The first QUOTE_BYTES of h in hex, for error texts. */
static const char *
quote(const uint8_t h[MERKLE_HASHBYTES], char out[QUOTE_BYTES * 2 + 1])
{
	return sodium_bin2hex(out, QUOTE_BYTES * 2 + 1, h, QUOTE_BYTES);
}

void
merkle_leaf_hash(const uint8_t *data, size_t len, uint8_t out[MERKLE_HASHBYTES])
{
	static const uint8_t prefix = MERKLE_LEAF_PREFIX;
	crypto_hash_sha256_state s;

	assert((data != NULL || len == 0) && out != NULL);
	crypto_hash_sha256_init(&s);
	crypto_hash_sha256_update(&s, &prefix, sizeof(prefix));
	if (len > 0)
		crypto_hash_sha256_update(&s, data, len);
	crypto_hash_sha256_final(&s, out);
}

void
merkle_node_hash(const uint8_t left[MERKLE_HASHBYTES], const uint8_t right[MERKLE_HASHBYTES],
    uint8_t out[MERKLE_HASHBYTES])
{
	uint8_t buf[1 + 2 * MERKLE_HASHBYTES];

	assert(left != NULL && right != NULL && out != NULL);
	/* One buffer, one call: both inputs are copied before out is
	 * written, so out may alias either. */
	buf[0] = MERKLE_NODE_PREFIX;
	memcpy(buf + 1, left, MERKLE_HASHBYTES);
	memcpy(buf + 1 + MERKLE_HASHBYTES, right, MERKLE_HASHBYTES);
	crypto_hash_sha256(out, buf, sizeof(buf));
}

void
merkle_tree_init(struct merkle_tree *t)
{
	assert(t != NULL);
	t->size = 0;
}

void
merkle_tree_append_leaf_hash(struct merkle_tree *t, const uint8_t leaf_hash[MERKLE_HASHBYTES])
{
	uint8_t cur[MERKLE_HASHBYTES];
	unsigned d;
	uint64_t s;

	assert(t != NULL && leaf_hash != NULL);
	assert(t->size < MERKLE_MAX_SIZE);
	d = stack_depth(t->size);
	memcpy(cur, leaf_hash, MERKLE_HASHBYTES);
	/* Each trailing one bit of the old size is a complete subtree on top
	 * of the stack exactly as large as cur has grown to: merge them. */
	for (s = t->size; s & 1; s >>= 1)
		merkle_node_hash(t->stack[--d], cur, cur);
	memcpy(t->stack[d], cur, MERKLE_HASHBYTES);
	t->size++;
}

void
merkle_tree_append_leaf(struct merkle_tree *t, const uint8_t *data, size_t len)
{
	uint8_t h[MERKLE_HASHBYTES];

	merkle_leaf_hash(data, len, h);
	merkle_tree_append_leaf_hash(t, h);
}

void
merkle_tree_root(const struct merkle_tree *t, uint8_t root[MERKLE_HASHBYTES])
{
	unsigned d;

	assert(t != NULL && root != NULL);
	d = stack_depth(t->size);
	if (d == 0) {
		crypto_hash_sha256(root, (const uint8_t *)"", 0);
		return;
	}
	/* MTH splits off the largest complete subtree on the left, then
	 * recurses into the rest: fold the stack from the right. */
	memcpy(root, t->stack[d - 1], MERKLE_HASHBYTES);
	while (--d > 0)
		merkle_node_hash(t->stack[d - 1], root, root);
}

int
merkle_array_leaf(void *arg, uint64_t index, uint8_t out[MERKLE_HASHBYTES], struct status *st)
{
	const uint8_t *leaves = arg;

	(void)st;
	assert(leaves != NULL && out != NULL);
	memcpy(out, leaves + index * MERKLE_HASHBYTES, MERKLE_HASHBYTES);
	return 0;
}

/* One level of a cache: the roots of its aligned subtrees by index. */
struct cache_level {
	uint8_t *hash;		/* cap * MERKLE_HASHBYTES */
	bool *have;
	uint64_t cap;
};

struct merkle_cache {
	struct cache_level level[MERKLE_STACK_MAX];
};

struct merkle_cache *
merkle_cache_new(void)
{
	return calloc(1, sizeof(struct merkle_cache));
}

void
merkle_cache_destroy(struct merkle_cache **cp)
{
	unsigned i;

	if (cp == NULL || *cp == NULL)
		return;
	for (i = 0; i < MERKLE_STACK_MAX; i++) {
		free((*cp)->level[i].hash);
		free((*cp)->level[i].have);
	}
	free(*cp);
	*cp = NULL;
}

/* The level of [lo, lo + n) if it is a complete subtree the cache keeps
 * (n a power of two of at least MERKLE_CACHE_MIN leaves, lo a multiple of
 * n), else -1. */
static int
cache_level_of(uint64_t lo, uint64_t n)
{
	if (n < MERKLE_CACHE_MIN || (n & (n - 1)) != 0 || lo % n != 0)
		return -1;
	return __builtin_ctzll(n);
}

static bool
cache_get(const struct merkle_cache *c, int lv, uint64_t idx, uint8_t out[MERKLE_HASHBYTES])
{
	const struct cache_level *l = &c->level[lv];

	if (idx >= l->cap || !l->have[idx])
		return false;
	memcpy(out, l->hash + idx * MERKLE_HASHBYTES, MERKLE_HASHBYTES);
	return true;
}

/* Remembers a root; out of memory only means it is computed again. */
static void
cache_put(struct merkle_cache *c, int lv, uint64_t idx, const uint8_t h[MERKLE_HASHBYTES])
{
	struct cache_level *l = &c->level[lv];
	uint64_t cap;
	uint8_t *hash;
	bool *have;

	if (idx >= l->cap) {
		for (cap = l->cap ? l->cap : MERKLE_CACHE_FIRST; cap <= idx; cap *= 2)
			;
		if ((hash = realloc(l->hash, cap * MERKLE_HASHBYTES)) == NULL)
			return;
		l->hash = hash;
		if ((have = realloc(l->have, cap * sizeof(*have))) == NULL)
			return;
		memset(have + l->cap, 0, (cap - l->cap) * sizeof(*have));
		l->have = have;
		l->cap = cap;
	}
	memcpy(l->hash + idx * MERKLE_HASHBYTES, h, MERKLE_HASHBYTES);
	l->have[idx] = true;
}

/* out = MTH of leaves [lo, hi), hi > lo.  With a cache, a range of more
 * than MERKLE_CACHE_MIN leaves is split as MTH splits it, and the complete
 * subtrees on the way are looked up or remembered. */
static int
range_root(struct merkle_cache *c, merkle_leaf_fn *leaf, void *arg, uint64_t lo, uint64_t hi,
    uint8_t out[MERKLE_HASHBYTES], struct status *st)
{
	struct merkle_tree t;
	uint8_t h[MERKLE_HASHBYTES];
	uint64_t i, k;
	int lv = c != NULL ? cache_level_of(lo, hi - lo) : -1;

	assert(lo < hi);
	if (lv >= 0 && cache_get(c, lv, lo >> lv, out))
		return 0;
	if (c != NULL && hi - lo > MERKLE_CACHE_MIN) {
		k = split(hi - lo);
		if (range_root(c, leaf, arg, lo, lo + k, h, st) == -1 ||
		    range_root(c, leaf, arg, lo + k, hi, out, st) == -1)
			return -1;
		merkle_node_hash(h, out, out);
		if (lv >= 0)
			cache_put(c, lv, lo >> lv, out);
		return 0;
	}
	merkle_tree_init(&t);
	for (i = lo; i < hi; i++) {
		if (leaf(arg, i, h, st) == -1)
			return -1;
		merkle_tree_append_leaf_hash(&t, h);
	}
	merkle_tree_root(&t, out);
	if (lv >= 0)
		cache_put(c, lv, lo >> lv, out);
	return 0;
}

/* Turns the top-down list of n hashes into RFC 9162's leaf-to-root order. */
static void
reverse(uint8_t *proof, size_t n)
{
	uint8_t tmp[MERKLE_HASHBYTES];
	size_t i;

	for (i = 0; i < n / 2; i++) {
		memcpy(tmp, proof + i * MERKLE_HASHBYTES, MERKLE_HASHBYTES);
		memcpy(proof + i * MERKLE_HASHBYTES, proof + (n - 1 - i) * MERKLE_HASHBYTES,
		    MERKLE_HASHBYTES);
		memcpy(proof + (n - 1 - i) * MERKLE_HASHBYTES, tmp, MERKLE_HASHBYTES);
	}
}

int
merkle_inclusion_proof(uint64_t index, uint64_t size, merkle_leaf_fn *leaf, void *arg,
    uint8_t proof[MERKLE_PROOF_MAX_BYTES], size_t *n, struct status *st)
{
	uint64_t lo = 0, hi = size, k;
	size_t len = 0;

	assert(leaf != NULL && proof != NULL && n != NULL);
	*n = 0;
	if (size > MERKLE_MAX_SIZE)
		return status_set(st, STATUS_BAD_FIELD,
		    "tree size %" PRIu64 " is over the limit of %" PRIu64 " leaves", size,
		    MERKLE_MAX_SIZE);
	if (index >= size)
		return status_set(st, STATUS_BAD_FIELD,
		    "leaf index %" PRIu64 " is not in a tree of %" PRIu64 " leaves; "
		    "indexes count from 0",
		    index, size);
	/* PATH(m, D[lo:hi]): the sibling at each split, top down. */
	while (hi - lo > 1) {
		k = split(hi - lo);
		assert(len < MERKLE_MAX_PROOF);
		if (index - lo < k) {
			if (range_root(NULL, leaf, arg, lo + k, hi, proof + len * MERKLE_HASHBYTES,
				st) == -1)
				return -1;
			hi = lo + k;
		} else {
			if (range_root(NULL, leaf, arg, lo, lo + k, proof + len * MERKLE_HASHBYTES,
				st) == -1)
				return -1;
			lo += k;
		}
		len++;
	}
	reverse(proof, len);
	*n = len;
	return 0;
}

/* The number of hashes RFC 9162 §2.1.3.2 consumes for leaf index of size
 * (index < size): its loop without the hashing. */
static size_t
inclusion_len(uint64_t index, uint64_t size)
{
	uint64_t fn = index, sn = size - 1;
	size_t len = 0;

	while (sn != 0) {
		if ((fn & 1) == 0 && fn == sn)
			while ((fn & 1) == 0 && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		fn >>= 1;
		sn >>= 1;
		len++;
	}
	return len;
}

int
merkle_inclusion_verify(const uint8_t leaf_hash[MERKLE_HASHBYTES], uint64_t index,
    uint64_t size, const uint8_t *proof, size_t n, const uint8_t root[MERKLE_HASHBYTES],
    struct status *st)
{
	char got[QUOTE_BYTES * 2 + 1], want[QUOTE_BYTES * 2 + 1];
	uint8_t r[MERKLE_HASHBYTES];
	const uint8_t *p;
	uint64_t fn, sn;
	size_t i, need;

	assert(leaf_hash != NULL && root != NULL && (proof != NULL || n == 0));
	if (size > MERKLE_MAX_SIZE)
		return status_set(st, STATUS_BAD_FIELD,
		    "tree size %" PRIu64 " is over the limit of %" PRIu64 " leaves", size,
		    MERKLE_MAX_SIZE);
	if (index >= size)
		return status_set(st, STATUS_BAD_FIELD,
		    "leaf index %" PRIu64 " is not in a tree of %" PRIu64 " leaves; "
		    "indexes count from 0",
		    index, size);
	need = inclusion_len(index, size);
	assert(need <= MERKLE_MAX_PROOF);
	if (n != need)
		return status_set(st, STATUS_BAD_FIELD,
		    "inclusion proof has %zu hashes but leaf %" PRIu64 " of a tree of %" PRIu64
		    " leaves needs %zu; ask the log for the proof for this index and size",
		    n, index, size, need);
	fn = index;
	sn = size - 1;
	memcpy(r, leaf_hash, MERKLE_HASHBYTES);
	for (i = 0; i < n; i++) {
		p = proof + i * MERKLE_HASHBYTES;
		assert(sn != 0);	/* the length was checked */
		if ((fn & 1) || fn == sn) {
			merkle_node_hash(p, r, r);
			while ((fn & 1) == 0 && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			merkle_node_hash(r, p, r);
		}
		fn >>= 1;
		sn >>= 1;
	}
	assert(sn == 0);
	if (memcmp(r, root, MERKLE_HASHBYTES) != 0)
		return status_set(st, STATUS_BAD_FIELD,
		    "inclusion proof of leaf %" PRIu64 " in a tree of %" PRIu64 " leaves leads to "
		    "root %s..., not the expected %s...: the entry, the proof or the log differs",
		    index, size, quote(r, got), quote(root, want));
	return 0;
}

int
merkle_consistency_proof(uint64_t size1, uint64_t size2, merkle_leaf_fn *leaf, void *arg,
    uint8_t proof[MERKLE_PROOF_MAX_BYTES], size_t *n, struct status *st)
{
	return merkle_consistency_proof_cached(NULL, size1, size2, leaf, arg, proof, n, st);
}

int
merkle_consistency_proof_cached(struct merkle_cache *c, uint64_t size1, uint64_t size2,
    merkle_leaf_fn *leaf, void *arg, uint8_t proof[MERKLE_PROOF_MAX_BYTES], size_t *n,
    struct status *st)
{
	uint64_t lo = 0, hi = size2, m = size1, k;
	size_t len = 0;
	int whole = 1;		/* RFC 9162's b: D[lo:lo+m] is all of the old tree */

	assert(leaf != NULL && proof != NULL && n != NULL);
	*n = 0;
	if (size2 > MERKLE_MAX_SIZE)
		return status_set(st, STATUS_BAD_FIELD,
		    "tree size %" PRIu64 " is over the limit of %" PRIu64 " leaves", size2,
		    MERKLE_MAX_SIZE);
	if (size1 > size2)
		return status_set(st, STATUS_BAD_FIELD,
		    "old tree size %" PRIu64 " is larger than new tree size %" PRIu64
		    "; give the earlier size first",
		    size1, size2);
	/* An empty old tree is a prefix of every tree: nothing to prove. */
	if (size1 == 0)
		return 0;
	/* SUBPROOF(m, D[lo:hi], b) top down, until m covers the range. */
	while (m != hi - lo) {
		k = split(hi - lo);
		assert(len < MERKLE_MAX_PROOF);
		if (m <= k) {
			if (range_root(c, leaf, arg, lo + k, hi, proof + len * MERKLE_HASHBYTES,
				st) == -1)
				return -1;
			hi = lo + k;
		} else {
			if (range_root(c, leaf, arg, lo, lo + k, proof + len * MERKLE_HASHBYTES,
				st) == -1)
				return -1;
			lo += k;
			m -= k;
			whole = 0;
		}
		len++;
	}
	/* A part of the old tree that is not its root is not known to the
	 * verifier: send it. */
	if (!whole) {
		assert(len < MERKLE_MAX_PROOF);
		if (range_root(c, leaf, arg, lo, hi, proof + len * MERKLE_HASHBYTES, st) == -1)
			return -1;
		len++;
	}
	reverse(proof, len);
	*n = len;
	return 0;
}

/* The number of hashes RFC 9162 §2.1.4.2 consumes for 0 < size1 < size2:
 * its loop without the hashing, plus the first hash unless it is root1. */
static size_t
consistency_len(uint64_t size1, uint64_t size2)
{
	uint64_t fn = size1 - 1, sn = size2 - 1;
	size_t len = (size1 & (size1 - 1)) == 0 ? 0 : 1;

	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	while (sn != 0) {
		if ((fn & 1) == 0 && fn == sn)
			while ((fn & 1) == 0 && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		fn >>= 1;
		sn >>= 1;
		len++;
	}
	return len;
}

/* size1 = 0 or size1 = size2: the cases RFC 9162 does not cover. */
static int
consistency_trivial(uint64_t size1, uint64_t size2, const uint8_t root1[MERKLE_HASHBYTES],
    const uint8_t root2[MERKLE_HASHBYTES], size_t n, struct status *st)
{
	char a[QUOTE_BYTES * 2 + 1], b[QUOTE_BYTES * 2 + 1];
	uint8_t empty[MERKLE_HASHBYTES];

	if (n != 0)
		return status_set(st, STATUS_BAD_FIELD,
		    "consistency proof from size %" PRIu64 " to %" PRIu64
		    " has %zu hashes but must be empty",
		    size1, size2, n);
	if (size1 == 0) {
		crypto_hash_sha256(empty, (const uint8_t *)"", 0);
		if (memcmp(root1, empty, MERKLE_HASHBYTES) != 0)
			return status_set(st, STATUS_BAD_FIELD,
			    "old root %s... is not the root of the empty tree %s...",
			    quote(root1, a), quote(empty, b));
		return 0;
	}
	if (memcmp(root1, root2, MERKLE_HASHBYTES) != 0)
		return status_set(st, STATUS_BAD_FIELD,
		    "two roots for the same tree size %" PRIu64 ": %s... and %s...; the log has "
		    "been altered or forked",
		    size1, quote(root1, a), quote(root2, b));
	return 0;
}

int
merkle_consistency_verify(uint64_t size1, uint64_t size2,
    const uint8_t root1[MERKLE_HASHBYTES], const uint8_t root2[MERKLE_HASHBYTES],
    const uint8_t *proof, size_t n, struct status *st)
{
	char got[QUOTE_BYTES * 2 + 1], want[QUOTE_BYTES * 2 + 1];
	uint8_t fr[MERKLE_HASHBYTES], sr[MERKLE_HASHBYTES];
	const uint8_t *c;
	uint64_t fn, sn;
	size_t i, need;

	assert(root1 != NULL && root2 != NULL && (proof != NULL || n == 0));
	if (size2 > MERKLE_MAX_SIZE)
		return status_set(st, STATUS_BAD_FIELD,
		    "tree size %" PRIu64 " is over the limit of %" PRIu64 " leaves", size2,
		    MERKLE_MAX_SIZE);
	if (size1 > size2)
		return status_set(st, STATUS_BAD_FIELD,
		    "old tree size %" PRIu64 " is larger than new tree size %" PRIu64
		    ": a log never shrinks",
		    size1, size2);
	if (size1 == 0 || size1 == size2)
		return consistency_trivial(size1, size2, root1, root2, n, st);
	need = consistency_len(size1, size2);
	assert(need >= 1 && need <= MERKLE_MAX_PROOF);
	if (n != need)
		return status_set(st, STATUS_BAD_FIELD,
		    "consistency proof has %zu hashes but sizes %" PRIu64 " to %" PRIu64
		    " need %zu; ask the log for the proof between these sizes",
		    n, size1, size2, need);
	/* Step 2: a power-of-two old tree is itself the first node; the
	 * proof then starts with the next one. */
	i = 0;
	if ((size1 & (size1 - 1)) == 0) {
		memcpy(fr, root1, MERKLE_HASHBYTES);
	} else {
		memcpy(fr, proof, MERKLE_HASHBYTES);
		i = 1;
	}
	memcpy(sr, fr, MERKLE_HASHBYTES);
	fn = size1 - 1;
	sn = size2 - 1;
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	for (; i < n; i++) {
		c = proof + i * MERKLE_HASHBYTES;
		assert(sn != 0);	/* the length was checked */
		if ((fn & 1) || fn == sn) {
			merkle_node_hash(c, fr, fr);
			merkle_node_hash(c, sr, sr);
			while ((fn & 1) == 0 && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			merkle_node_hash(sr, c, sr);
		}
		fn >>= 1;
		sn >>= 1;
	}
	assert(sn == 0);
	if (memcmp(fr, root1, MERKLE_HASHBYTES) != 0)
		return status_set(st, STATUS_BAD_FIELD,
		    "consistency proof from size %" PRIu64 " to %" PRIu64 " leads to old root "
		    "%s..., not %s...: the log was altered before size %" PRIu64 " or the proof is bad",
		    size1, size2, quote(fr, got), quote(root1, want), size1);
	if (memcmp(sr, root2, MERKLE_HASHBYTES) != 0)
		return status_set(st, STATUS_BAD_FIELD,
		    "consistency proof from size %" PRIu64 " to %" PRIu64 " leads to new root "
		    "%s..., not %s...: the new tree does not extend the old one",
		    size1, size2, quote(sr, got), quote(root2, want));
	return 0;
}
