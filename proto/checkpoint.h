/* SPDX-License-Identifier: ISC */
/*
 * checkpoint: a signed statement "the audit log of <origin> had <size>
 * entries with Merkle root <root> at <time>", in the spirit of the C2SP
 * signed note and tlog-checkpoint formats but with our own exact text
 * (PROTOCOL.md §11).  The agency signs its own log's checkpoint; the broker
 * countersigns it, so an agency cannot later show an auditor a different
 * history than the one it showed the broker (a fork needs two checkpoints
 * of one size with different roots, both signed by the agency).
 *
 * Text, ASCII, every line ending in LF, nothing else:
 *
 *	dutynet-checkpoint v1
 *	origin <agency id>
 *	size <decimal>
 *	root <64 lowercase hex digits>
 *	time <Unix ms, decimal>
 *	<empty line>
 *	sig <origin> <key id, 32 lowercase hex> <Ed25519 signature, 128 lowercase hex>
 *	sig <countersigner> <key id> <signature>		(optional)
 *
 * Signed bytes (each tag with its NUL):
 *	signature        over CHECKPOINT_TAG_SIGN || body
 *	countersignature over CHECKPOINT_TAG_COUNTERSIGN || the text up to and
 *	                 including the space before the countersignature's hex
 * where body is the five lines up to and including the LF after "time".  So
 * the countersignature covers the body, the origin's whole signature line,
 * and its own signer's name and key id: no byte of the text is unsigned
 * except the origin's key id, which must name the key that verifies.
 *
 * The parser accepts exactly one text for each value (no spaces, no leading
 * zeros, lowercase hex), so encoding a parsed checkpoint gives back the
 * received bytes, and signatures verified over the encoding are over them.
 * Secret keys are borrowed; callers keep them in sodium_malloc memory.
 */
#ifndef DUTYNET_CHECKPOINT_H
#define DUTYNET_CHECKPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/ids.h"
#include "proto/merkle.h"
#include "proto/seal.h"
#include "proto/status.h"

#define CHECKPOINT_MAGIC "dutynet-checkpoint v1"	/* the first line */
#define CHECKPOINT_MAGIC_PREFIX "dutynet-checkpoint v"	/* other versions: 502 */
/* Domain-separation strings, each signed with its terminating NUL. */
#define CHECKPOINT_TAG_SIGN "dutynet-checkpoint-v1"
#define CHECKPOINT_TAG_COUNTERSIGN "dutynet-countersign-v1"
#define CHECKPOINT_MAX_TIME_MS UINT64_C(0x7fffffffffffffff)
#define CHECKPOINT_DECIMAL_MAX 19	/* digits of 2^63 - 1 */
/* Longest body: the magic, origin, size, root and time lines; each
 * sizeof() counts its line's LF in place of the NUL.  182 bytes. */
#define CHECKPOINT_BODY_MAX \
	(sizeof(CHECKPOINT_MAGIC) + sizeof("origin ") + IDS_AGENCY_MAX + \
	    2 * (sizeof("size ") + CHECKPOINT_DECIMAL_MAX) + sizeof("root ") + \
	    2 * MERKLE_HASHBYTES)
/* Longest signature line: "sig", three spaces, the values and LF.  199. */
#define CHECKPOINT_SIGLINE_MAX \
	(sizeof("sig   ") + IDS_AGENCY_MAX + 2 * SEAL_KEYID_BYTES + 2 * SEAL_SIGBYTES)
/* Longest whole text (without a NUL); the parser refuses more (510).  581. */
#define CHECKPOINT_TEXT_MAX (CHECKPOINT_BODY_MAX + 1 + 2 * CHECKPOINT_SIGLINE_MAX)

/* One signature line. */
struct checkpoint_sig {
	char signer[IDS_AGENCY_MAX + 1];	/* agency id of the signer */
	uint8_t keyid[SEAL_KEYID_BYTES];	/* key id of its signing key */
	uint8_t sig[SEAL_SIGBYTES];
};

struct checkpoint {
	char origin[IDS_AGENCY_MAX + 1];	/* whose log */
	uint64_t size;				/* entries (leaves) */
	uint8_t root[MERKLE_HASHBYTES];		/* RFC 9162 root of those */
	uint64_t time_ms;			/* when the origin signed */
	bool has_sig;
	struct checkpoint_sig sig;		/* by the origin */
	bool has_countersig;
	struct checkpoint_sig countersig;	/* by the broker */
};

/* Fills cp with an unsigned checkpoint.  -1 and st 504 naming the field if
 * origin is not an agency id, size > MERKLE_MAX_SIZE or time_ms >
 * CHECKPOINT_MAX_TIME_MS. */
int checkpoint_init(struct checkpoint *cp, const char *origin, uint64_t size,
    const uint8_t root[MERKLE_HASHBYTES], uint64_t time_ms, struct status *st)
    __attribute__((warn_unused_result));

/* Signs cp as its origin with sign_sk (borrowed; Ed25519 seed || public
 * key), sets the key id from the public half and drops any countersignature
 * (it covered the old signature).  -1 and st 504 if a field is invalid. */
int checkpoint_sign(struct checkpoint *cp, const uint8_t sign_sk[SEAL_SIGN_SKBYTES],
    struct status *st) __attribute__((warn_unused_result));

/* Countersigns a signed cp as signer (the broker) with sign_sk (borrowed).
 * Check the origin's signature first: this vouches for it.  -1 and st 504
 * if signer is not an agency id or is the origin itself. */
int checkpoint_countersign(struct checkpoint *cp, const char *signer,
    const uint8_t sign_sk[SEAL_SIGN_SKBYTES], struct status *st)
    __attribute__((warn_unused_result));

/* Writes the text of a signed cp and a NUL into out; *len excludes the NUL.
 * -1 and st 504 if a field is invalid (cp was filled by hand). */
int checkpoint_encode(const struct checkpoint *cp, char out[CHECKPOINT_TEXT_MAX + 1], size_t *len,
    struct status *st) __attribute__((warn_unused_result));

/* Parses text[0..len) strictly into cp.  -1 and st: 510 if len >
 * CHECKPOINT_TEXT_MAX; 502 for another version line; 500 for a missing,
 * misplaced or extra line or bytes; 504 naming a field with a bad value, or
 * a first signer other than the origin, or a countersigner that is. */
int checkpoint_parse(const char *text, size_t len, struct checkpoint *cp, struct status *st)
    __attribute__((warn_unused_result));

/* Checks the origin's signature with sign_pk, the origin's signing key
 * looked up by (cp->sig.signer, cp->sig.keyid).  0, or -1 and st 521 if
 * sign_pk's key id is not the one named, 520 if the signature is bad or
 * absent, 504 if a field of a hand-filled cp is invalid. */
int checkpoint_verify(const struct checkpoint *cp, const uint8_t sign_pk[SEAL_SIGN_PKBYTES],
    struct status *st) __attribute__((warn_unused_result));

/* Checks the countersignature with sign_pk, the countersigner's key.  0,
 * or -1 and st 520 if there is none or it is bad, 521 if sign_pk's key id
 * is not the one named, 504 as checkpoint_verify. */
int checkpoint_verify_countersig(const struct checkpoint *cp,
    const uint8_t sign_pk[SEAL_SIGN_PKBYTES], struct status *st)
    __attribute__((warn_unused_result));

#endif
