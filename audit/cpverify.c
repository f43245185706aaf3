/* SPDX-License-Identifier: ISC */
/*
 * cpverify: one checkpoint checked against the directory's public keys
 * (see cpverify.h).  Every refusal says which checkpoint (origin and size)
 * and why, because the auditor prints these texts to people.
 */
#include <inttypes.h>
#include <string.h>

#include "audit/cpverify.h"

const uint8_t *
cpverify_sign_key(const struct directory *d, const char *id)
{
	const struct directory_agency *a;

	if (strcmp(id, d->broker.id) == 0)
		return d->broker.sign_pk;
	if ((a = directory_find(d, id)) == NULL)
		return NULL;
	return a->sign_pk;
}

/* Prefixes st's text with the checkpoint's name and returns -1. */
static int
refuse(const struct checkpoint *cp, struct status *st)
{
	struct status inner = *st;

	return status_set(st, inner.code, "checkpoint %s size %" PRIu64 ": %s", cp->origin,
	    cp->size, inner.text);
}

int
cpverify_text(const struct directory *d, const char *text, size_t len,
    const char *expect_origin, enum cpverify_need need, struct checkpoint *cp,
    struct status *st)
{
	const uint8_t *pk;

	if (checkpoint_parse(text, len, cp, st) != 0)
		return -1;
	if (expect_origin != NULL && strcmp(cp->origin, expect_origin) != 0) {
		status_set(st, STATUS_BAD_FIELD, "it is about the log of %s, not of %s",
		    cp->origin, expect_origin);
		return refuse(cp, st);
	}
	if ((pk = cpverify_sign_key(d, cp->origin)) == NULL) {
		status_set(st, STATUS_UNKNOWN_AGENCY,
		    "its origin %s is not in the directory: no key to check it with", cp->origin);
		return refuse(cp, st);
	}
	if (checkpoint_verify(cp, pk, st) != 0) {
		if (st->code == STATUS_UNKNOWN_KEY)
			status_set(st, STATUS_UNKNOWN_KEY,
			    "signed by %s with a key the directory does not publish for it (key "
			    "id differs): signed by someone else's key", cp->origin);
		else
			status_set(st, STATUS_BAD_SIGNATURE,
			    "the signature of %s does not verify: the checkpoint was forged or "
			    "altered", cp->origin);
		return refuse(cp, st);
	}
	if (!cp->has_countersig) {
		if (need == CPVERIFY_COUNTERSIGNED) {
			status_set(st, STATUS_BAD_SIGNATURE,
			    "it has no countersignature by the broker");
			return refuse(cp, st);
		}
		return 0;
	}
	if (strcmp(cp->countersig.signer, d->broker.id) != 0) {
		status_set(st, STATUS_BAD_FIELD, "countersigned by %s, not by the broker %s",
		    cp->countersig.signer, d->broker.id);
		return refuse(cp, st);
	}
	if (checkpoint_verify_countersig(cp, d->broker.sign_pk, st) != 0) {
		if (st->code == STATUS_UNKNOWN_KEY)
			status_set(st, STATUS_UNKNOWN_KEY,
			    "countersigned with a key the directory does not publish for the "
			    "broker %s", d->broker.id);
		else
			status_set(st, STATUS_BAD_SIGNATURE,
			    "the broker's countersignature does not verify: forged or altered");
		return refuse(cp, st);
	}
	return 0;
}
