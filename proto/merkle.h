/* SPDX-License-Identifier: ISC */
/*
 * merkle: the Merkle tree of an audit log, exactly as Certificate
 * Transparency defines it (RFC 9162 §2.1, same as RFC 6962 §2.1), so that an
 * auditor can check one entry against a signed root with an inclusion proof,
 * and check that a later log extends an earlier one with a consistency
 * proof, without trusting the database that holds the log.
 *
 *	leaf hash  = SHA-256(0x00 || leaf data)
 *	node hash  = SHA-256(0x01 || left || right)
 *	empty tree = SHA-256("")
 *
 * The tree of n leaves splits at the largest power of two below n.  Which
 * bytes make a leaf is up to the log that uses the tree (PROTOCOL.md §11).
 *
 * merkle_tree builds a root in one pass over the leaf hashes with O(log n)
 * memory and no allocation (a stack of the roots of the complete subtrees).
 * Proofs are generated from the leaf hashes alone, read through a callback,
 * so a log kept in a database needs no stored interior nodes; a proof reads
 * every leaf of the tree once (O(n)).  A program that proves the same
 * growing log again and again (an agent sending a checkpoint every thousand
 * entries) keeps a merkle_cache: the roots of the complete subtrees of
 * MERKLE_CACHE_MIN leaves and more it has computed, which never change in
 * an append-only log, so the next proof reads only the leaves that are new
 * or in no complete subtree yet (O(MERKLE_CACHE_MIN * log n) hashes, memory
 * about n / MERKLE_CACHE_MIN * 64 bytes).  Proofs are flat arrays of n * 32
 * bytes, ordered from the leaf up, as on the wire in RFC 9162.
 */
#ifndef DUTYNET_MERKLE_H
#define DUTYNET_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#include "proto/status.h"

#define MERKLE_HASHBYTES 32		/* SHA-256 */
#define MERKLE_LEAF_PREFIX 0x00
#define MERKLE_NODE_PREFIX 0x01
/* The largest tree: SQLite's largest INTEGER, so a size fits an audit row's
 * seq.  A tree this size is 63 levels high, so no proof is longer than
 * MERKLE_MAX_PROOF (a consistency proof is at most height + 1). */
#define MERKLE_MAX_SIZE UINT64_C(0x7fffffffffffffff)
#define MERKLE_MAX_PROOF 64		/* hashes in any proof */
#define MERKLE_PROOF_MAX_BYTES (MERKLE_MAX_PROOF * MERKLE_HASHBYTES)
#define MERKLE_STACK_MAX 64		/* complete subtrees: one per bit of size */
#define MERKLE_CACHE_MIN 256		/* leaves of the smallest subtree a cache keeps */
#define MERKLE_CACHE_FIRST 16		/* roots per level allocated first; doubles */

/* A root under construction: stack[i] is the root of the i-th complete
 * subtree from the left, one per set bit of size, largest first. */
struct merkle_tree {
	uint64_t size;
	uint8_t stack[MERKLE_STACK_MAX][MERKLE_HASHBYTES];
};

/* Supplies the hash of leaf index into out: 0, or -1 with st filled (451
 * if the store could not be read).  arg is the caller's. */
typedef int merkle_leaf_fn(void *arg, uint64_t index, uint8_t out[MERKLE_HASHBYTES],
    struct status *st);

/* out = SHA-256(0x00 || data[0..len)). */
void merkle_leaf_hash(const uint8_t *data, size_t len, uint8_t out[MERKLE_HASHBYTES]);

/* out = SHA-256(0x01 || left || right); out may alias either input. */
void merkle_node_hash(const uint8_t left[MERKLE_HASHBYTES], const uint8_t right[MERKLE_HASHBYTES],
    uint8_t out[MERKLE_HASHBYTES]);

/* Makes t the empty tree. */
void merkle_tree_init(struct merkle_tree *t);

/* Appends one leaf by its hash (amortised one node hash, no allocation).
 * Appending beyond MERKLE_MAX_SIZE leaves is a bug (asserted). */
void merkle_tree_append_leaf_hash(struct merkle_tree *t, const uint8_t leaf_hash[MERKLE_HASHBYTES]);

/* Appends one leaf by its data: merkle_leaf_hash, then append. */
void merkle_tree_append_leaf(struct merkle_tree *t, const uint8_t *data, size_t len);

/* root = MTH of the t->size leaves appended so far; t is unchanged. */
void merkle_tree_root(const struct merkle_tree *t, uint8_t root[MERKLE_HASHBYTES]);

/* A merkle_leaf_fn over an array: arg points at contiguous leaf hashes,
 * leaf i at byte i * MERKLE_HASHBYTES.  Never fails. */
int merkle_array_leaf(void *arg, uint64_t index, uint8_t out[MERKLE_HASHBYTES], struct status *st);

/* Writes the inclusion proof of leaf index in the tree of the first size
 * leaves (RFC 9162 §2.1.3.1) into proof, *n hashes.  -1 and st 504 if
 * index >= size or size > MERKLE_MAX_SIZE; -1 and leaf's status if it fails. */
int merkle_inclusion_proof(uint64_t index, uint64_t size, merkle_leaf_fn *leaf, void *arg,
    uint8_t proof[MERKLE_PROOF_MAX_BYTES], size_t *n, struct status *st)
    __attribute__((warn_unused_result));

/* Checks that leaf_hash is leaf index of the tree of size leaves whose root
 * is root, given proof (n hashes), as RFC 9162 §2.1.3.2.  0, or -1 and st
 * 504 naming what does not match (index out of range, proof length, root). */
int merkle_inclusion_verify(const uint8_t leaf_hash[MERKLE_HASHBYTES], uint64_t index,
    uint64_t size, const uint8_t *proof, size_t n, const uint8_t root[MERKLE_HASHBYTES],
    struct status *st) __attribute__((warn_unused_result));

/* Writes the consistency proof between the trees of the first size1 and
 * size2 leaves (RFC 9162 §2.1.4.1) into proof, *n hashes; empty if size1 is
 * 0 or equals size2.  -1 and st 504 if size1 > size2 or size2 >
 * MERKLE_MAX_SIZE; -1 and leaf's status if it fails. */
int merkle_consistency_proof(uint64_t size1, uint64_t size2, merkle_leaf_fn *leaf, void *arg,
    uint8_t proof[MERKLE_PROOF_MAX_BYTES], size_t *n, struct status *st)
    __attribute__((warn_unused_result));

/* Subtree roots of ONE append-only log (see above); the caller owns it.
 * NULL if out of memory. */
struct merkle_cache;
struct merkle_cache *merkle_cache_new(void);

/* Frees *cp; accepts NULL. */
void merkle_cache_destroy(struct merkle_cache **cp);

/* merkle_consistency_proof, looking up and remembering subtree roots in c
 * (NULL: none).  c must only ever see the leaves of one log, and a leaf
 * must never change, or the proof is wrong. */
int merkle_consistency_proof_cached(struct merkle_cache *c, uint64_t size1, uint64_t size2,
    merkle_leaf_fn *leaf, void *arg, uint8_t proof[MERKLE_PROOF_MAX_BYTES], size_t *n,
    struct status *st) __attribute__((warn_unused_result));

/* Checks that the tree of size2 leaves with root2 extends the tree of size1
 * leaves with root1, given proof (n hashes), as RFC 9162 §2.1.4.2.  Sizes
 * RFC 9162 leaves open: size1 = size2 needs an empty proof and root1 =
 * root2; size1 = 0 needs an empty proof and root1 = the empty root.  0, or
 * -1 and st 504 naming what does not match. */
int merkle_consistency_verify(uint64_t size1, uint64_t size2,
    const uint8_t root1[MERKLE_HASHBYTES], const uint8_t root2[MERKLE_HASHBYTES],
    const uint8_t *proof, size_t n, struct status *st) __attribute__((warn_unused_result));

#endif
