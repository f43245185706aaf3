/* SPDX-License-Identifier: ISC */
/*
 * tc: dutynet-testclient, a raw ZeroMQ client of the broker for the
 * integration tests.  It speaks PROTOCOL.md §7 directly, as a well-behaved
 * agent would, and also everything an attacker or a broken agent might
 * send: another agency's routing id, an envelope claiming another sender,
 * forged signatures, re-addressed envelopes, oversized and malformed frames
 * and floods.  tc_build.c makes the envelopes; testclient.c is the program.
 */
#ifndef DUTYNET_TESTS_TC_H
#define DUTYNET_TESTS_TC_H

#include <stddef.h>
#include <stdint.h>

#include "common/keyfile.h"
#include "config/directory.h"
#include "proto/envelope.h"
#include "proto/status.h"

/* Room for any envelope the client builds, oversized ones included. */
#define TC_ENVELOPE_MAX (2 * ENVELOPE_MAX_BYTES)

/* What to build (the `send` step's options). */
struct tc_spec {
	const char *to;
	int type;			/* enum envelope_type */
	const char *from;		/* NULL: the client's own agency */
	const char *marker;		/* text put in the payload */
	const char *tamper;		/* NULL, "sig" or "to:AGENCY" */
	size_t pad;			/* > 0: a raw plaintext of this size */
	int has_reply_to;
	uint8_t reply_to[IDS_MSGID_BYTES];
	int urgency;
};

/* Builds and seals the envelope spec describes, as agency k, to a
 * recipient in d, into out[0..TC_ENVELOPE_MAX); *len = bytes. */
int tc_build_envelope(const struct keyfile *k, const struct directory *d,
    const struct tc_spec *spec, uint8_t *out, size_t *len, struct status *st);

/* Builds the signed receipt for the delivered envelope env (bytes
 * buf[0..len)), from k back to its sender. */
int tc_build_receipt(const struct keyfile *k, const struct directory *d,
    const struct envelope *env, const uint8_t *buf, size_t len, uint8_t *out, size_t *out_len,
    struct status *st);

/* Verifies and opens a delivered envelope addressed to k: the payload's
 * type name and its first text (a referral's summary, a note's text) are
 * written to summary[0..cap).  -1 and st 520/523/5xx if it does not. */
int tc_build_open(const struct keyfile *k, const struct directory *d, const struct envelope *env,
    char *summary, size_t cap, struct status *st);

/* Verifies and opens a notice (type 7) from the broker addressed to k,
 * with the broker's keys from d: writes "kind=K about=ID due=MS text=T"
 * into out[0..cap).  -1 and st 520/521/523/5xx if it does not. */
int tc_build_open_notice(const struct keyfile *k, const struct directory *d,
    const struct envelope *env, char *out, size_t cap, struct status *st);

#endif
