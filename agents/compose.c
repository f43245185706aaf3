/* SPDX-License-Identifier: ISC */
/*
 * compose: new envelopes from this agency (see compose.h).  The plaintext
 * is about a child: it lives only in a buffer that is wiped before it is
 * freed, on every path.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "agents/compose.h"
#include "agents/pairkeys.h"
#include "common/clock.h"
#include "proto/seal.h"

/* Checks the route as the broker will, so a person hears at once. */
static int
check_route(struct agent *a, const struct directory_agency *to, int type, struct status *st)
{
	if (type == ENVELOPE_RECEIPT || type == ENVELOPE_REJECT)
		return 0;	/* they answer a message: always allowed */
	if (a->policy != NULL)
		return policy_allows(a->policy, a->dir, a->self->id, to->id, type, st);
	if (!directory_accepts(to, type))
		return status_set(st, STATUS_NOT_ACCEPTED, "%s does not accept %s messages",
		    to->id, envelope_type_name(type));
	return 0;
}

int
compose_seal(struct agent *a, struct envelope_header *h, const struct payload *p,
    uint8_t **out, size_t *len, struct status *st)
{
	const struct directory_agency *to;
	const uint8_t *key;
	uint8_t *pt = NULL, *env = NULL;
	size_t pt_len = 0, cap;
	int ret = -1;

	*out = NULL;
	*len = 0;
	if ((to = directory_find(a->dir, h->to)) == NULL)
		return status_set(st, STATUS_UNKNOWN_AGENCY,
		    "recipient '%s' is not in the directory (%s/%s); check the id", h->to,
		    a->confdir, DIRECTORY_FILE);
	if (check_route(a, to, h->type, st) != 0)
		return -1;
	h->version = ENVELOPE_VERSION;
	ids_msgid_new(clock_now_ms(), h->id);
	if (h->case_id[0] == '\0')
		ids_msgid_format(h->id, h->case_id);
	memcpy(h->from, a->self->id, sizeof(h->from));
	h->created_ms = clock_now_ms();
	memcpy(h->sender_sign_key, a->self->sign_keyid, SEAL_KEYID_BYTES);
	memcpy(h->sender_box_key, a->self->box_keyid, SEAL_KEYID_BYTES);
	memcpy(h->recipient_box_key, to->box_keyid, SEAL_KEYID_BYTES);
	h->directory_version = a->dir->version;
	if (envelope_header_check(h, st) != 0)
		return -1;

	if ((pt = malloc(ENVELOPE_MAX_PAYLOAD)) == NULL) {
		status_set(st, STATUS_STORE_FAILED, "out of memory composing a message");
		goto out;
	}
	if (payload_encode(p, pt, ENVELOPE_MAX_PAYLOAD, &pt_len, st) != 0)
		goto out;
	if ((key = pairkeys_get(a->pairs, to->box_pk, SEAL_SENDING, st)) == NULL)
		goto out;
	cap = pt_len + COMPOSE_OVERHEAD;
	if ((env = malloc(cap)) == NULL) {
		status_set(st, STATUS_STORE_FAILED, "out of memory composing a message");
		goto out;
	}
	if (seal_envelope(h, pt, pt_len, key, a->keys->sign_sk, NULL, env, cap, len, st) != 0)
		goto out;
	*out = env;
	env = NULL;
	ret = 0;
out:
	if (pt != NULL) {
		sodium_memzero(pt, pt_len);
		free(pt);
	}
	free(env);
	return ret;
}

/* A reply to h (receipt, reject): same case and urgency, back to h->from. */
static void
reply_header(const struct envelope_header *h, int type, struct envelope_header *r)
{
	memset(r, 0, sizeof(*r));
	r->type = (uint8_t)type;
	memcpy(r->to, h->from, sizeof(r->to));
	memcpy(r->case_id, h->case_id, sizeof(r->case_id));
	r->has_reply_to = true;
	memcpy(r->reply_to, h->id, IDS_MSGID_BYTES);
	r->urgency = h->urgency;
}

int
compose_receipt(struct agent *a, const struct envelope *env, const uint8_t *bytes, size_t n,
    uint64_t received_ms, uint8_t **out, size_t *len, struct status *st)
{
	struct envelope_header r;
	struct payload p;

	reply_header(&env->h, ENVELOPE_RECEIPT, &r);
	memset(&p, 0, sizeof(p));
	p.type = ENVELOPE_RECEIPT;
	p.u.receipt.received_ms = received_ms;
	seal_hash(bytes, n, p.u.receipt.envelope_hash);
	return compose_seal(a, &r, &p, out, len, st);
}

int
compose_reject(struct agent *a, const struct envelope_header *h, int code, const char *text,
    uint8_t **out, size_t *len, struct status *st)
{
	struct envelope_header r;
	struct payload p;

	reply_header(h, ENVELOPE_REJECT, &r);
	memset(&p, 0, sizeof(p));
	p.type = ENVELOPE_REJECT;
	memcpy(p.u.reject.about, h->id, IDS_MSGID_BYTES);
	p.u.reject.code = (uint16_t)code;
	p.u.reject.text.s = text;
	p.u.reject.text.len = (uint32_t)strnlen(text, PAYLOAD_TEXT_MAX);
	return compose_seal(a, &r, &p, out, len, st);
}
