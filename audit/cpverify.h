/* SPDX-License-Identifier: ISC */
/*
 * cpverify: checking one checkpoint text as an auditor must (PROTOCOL.md
 * §11.5): parse it strictly, check that it is about the log expected, look
 * up its signer's public signing key in the directory (by agency id, then
 * key id: a key the directory does not publish is 521), verify the
 * origin's signature and, where there is one, the countersignature, which
 * must be the broker's.  The directory is the only trust anchor: nothing
 * in the database under audit is believed.
 */
#ifndef DUTYNET_AUDIT_CPVERIFY_H
#define DUTYNET_AUDIT_CPVERIFY_H

#include <stddef.h>

#include "config/directory.h"
#include "proto/checkpoint.h"
#include "proto/status.h"

/* Whether a countersignature must be there. */
enum cpverify_need {
	CPVERIFY_SIGNED = 1,		/* the origin's signature; a countersignature
					 * present is checked too */
	CPVERIFY_COUNTERSIGNED = 2,	/* and the broker's countersignature */
};

/* Checks text[0..len) as above into *cp.  expect_origin (NULL: any) is
 * whose log it must be about.  0, or -1 and st: the parser's 500/502/504/
 * 510; 504 if the origin is not expect_origin or the countersigner is not
 * the broker; 530 if the origin is not in the directory; 521 if the key id
 * named is not the one the directory publishes; 520 if a signature does
 * not verify or a countersignature is required and absent.  The text of
 * st starts with what the checkpoint is ("checkpoint school-a size 8"). */
int cpverify_text(const struct directory *d, const char *text, size_t len,
    const char *expect_origin, enum cpverify_need need, struct checkpoint *cp,
    struct status *st) __attribute__((warn_unused_result));

/* The origin's signing key in d (an agency's, or the broker's for the
 * broker's id), borrowed; NULL if d has no such id. */
const uint8_t *cpverify_sign_key(const struct directory *d, const char *id);

#endif
