/* SPDX-License-Identifier: ISC */
/*
 * merkle_ref: RFC 9162 §2.1 transcribed as literally as C allows (see
 * merkle_ref.h).  Each function is the RFC's definition with the same
 * names; nothing is optimised, nothing is shared with proto/merkle.c.
 */
#include <assert.h>
#include <string.h>

#include <sodium.h>

#include "tests/support/merkle_ref.h"

#define HB MERKLE_REF_HASHBYTES
#define LEAF_MAX 64

void
merkle_ref_leaf(const uint8_t *d, size_t len, uint8_t out[HB])
{
	uint8_t buf[1 + LEAF_MAX];

	assert(len <= LEAF_MAX);
	buf[0] = 0x00;
	if (len > 0)
		memcpy(buf + 1, d, len);
	crypto_hash_sha256(out, buf, 1 + len);
}

void
merkle_ref_node(const uint8_t l[HB], const uint8_t r[HB], uint8_t out[HB])
{
	uint8_t buf[1 + 2 * HB];

	buf[0] = 0x01;
	memcpy(buf + 1, l, HB);
	memcpy(buf + 1 + HB, r, HB);
	crypto_hash_sha256(out, buf, sizeof(buf));
}

uint64_t
merkle_ref_split(uint64_t n)
{
	uint64_t k = 1;

	assert(n >= 2);
	while (k * 2 < n)
		k *= 2;
	return k;
}

void
merkle_ref_mth(const uint8_t *leaves, size_t n, uint8_t out[HB])
{
	uint8_t l[HB], r[HB];
	size_t k;

	if (n == 0) {
		crypto_hash_sha256(out, (const uint8_t *)"", 0);
		return;
	}
	if (n == 1) {
		memcpy(out, leaves, HB);
		return;
	}
	k = (size_t)merkle_ref_split(n);
	merkle_ref_mth(leaves, k, l);
	merkle_ref_mth(leaves + k * HB, n - k, r);
	merkle_ref_node(l, r, out);
}

void
merkle_ref_array_range(void *arg, uint64_t lo, uint64_t n, uint8_t out[HB])
{
	const uint8_t *leaves = arg;

	merkle_ref_mth(leaves + lo * HB, (size_t)n, out);
}

void
merkle_ref_path(merkle_ref_range_fn *mth, void *arg, uint64_t m, uint64_t lo, uint64_t n,
    uint8_t *out, size_t *len)
{
	uint64_t k;

	if (n == 1)
		return;
	k = merkle_ref_split(n);
	if (m < k) {
		merkle_ref_path(mth, arg, m, lo, k, out, len);
		mth(arg, lo + k, n - k, out + (*len)++ * HB);
	} else {
		merkle_ref_path(mth, arg, m - k, lo + k, n - k, out, len);
		mth(arg, lo, k, out + (*len)++ * HB);
	}
}

void
merkle_ref_subproof(merkle_ref_range_fn *mth, void *arg, uint64_t m, uint64_t lo, uint64_t n,
    int b, uint8_t *out, size_t *len)
{
	uint64_t k;

	if (m == n) {
		if (!b)
			mth(arg, lo, n, out + (*len)++ * HB);
		return;
	}
	k = merkle_ref_split(n);
	if (m <= k) {
		merkle_ref_subproof(mth, arg, m, lo, k, b, out, len);
		mth(arg, lo + k, n - k, out + (*len)++ * HB);
	} else {
		merkle_ref_subproof(mth, arg, m - k, lo + k, n - k, 0, out, len);
		mth(arg, lo, k, out + (*len)++ * HB);
	}
}
