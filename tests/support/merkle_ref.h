/* SPDX-License-Identifier: ISC */
/*
 * merkle_ref: a second, deliberately naive implementation of the Merkle
 * tree of RFC 9162 §2.1 for the tests, written from the RFC's recursive
 * definitions (MTH, PATH, SUBPROOF) and sharing nothing with proto/merkle.c,
 * so that the tests compare two independent implementations.  Recursive,
 * slow, and only for small trees, except through a caller's range function
 * (a tree whose subtree hashes can be computed without its leaves).
 */
#ifndef DUTYNET_TESTS_MERKLE_REF_H
#define DUTYNET_TESTS_MERKLE_REF_H

#include <stddef.h>
#include <stdint.h>

#define MERKLE_REF_HASHBYTES 32

/* Writes MTH of the n leaves starting at leaf lo into out. */
typedef void merkle_ref_range_fn(void *arg, uint64_t lo, uint64_t n,
    uint8_t out[MERKLE_REF_HASHBYTES]);

/* SHA-256(0x00 || d[0..len)), len <= 64. */
void merkle_ref_leaf(const uint8_t *d, size_t len, uint8_t out[MERKLE_REF_HASHBYTES]);

/* SHA-256(0x01 || l || r). */
void merkle_ref_node(const uint8_t l[MERKLE_REF_HASHBYTES], const uint8_t r[MERKLE_REF_HASHBYTES],
    uint8_t out[MERKLE_REF_HASHBYTES]);

/* The largest power of two below n (n >= 2). */
uint64_t merkle_ref_split(uint64_t n);

/* MTH of n leaf hashes stored one after another at leaves. */
void merkle_ref_mth(const uint8_t *leaves, size_t n, uint8_t out[MERKLE_REF_HASHBYTES]);

/* A merkle_ref_range_fn over leaf hashes stored one after another at arg. */
void merkle_ref_array_range(void *arg, uint64_t lo, uint64_t n, uint8_t out[MERKLE_REF_HASHBYTES]);

/* Appends PATH(m, D[lo:lo+n]) (leaf to root) to out, counting in *len. */
void merkle_ref_path(merkle_ref_range_fn *mth, void *arg, uint64_t m, uint64_t lo, uint64_t n,
    uint8_t *out, size_t *len);

/* Appends SUBPROOF(m, D[lo:lo+n], b) to out, counting in *len; the
 * consistency proof PROOF(m, D[n]) is b = 1, lo = 0. */
void merkle_ref_subproof(merkle_ref_range_fn *mth, void *arg, uint64_t m, uint64_t lo, uint64_t n,
    int b, uint8_t *out, size_t *len);

#endif
