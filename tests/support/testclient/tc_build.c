/* SPDX-License-Identifier: ISC */
/*
 * tc_build: the envelopes dutynet-testclient sends, built with the real
 * proto/ code (payload_encode, seal_envelope) so that a well-formed one is
 * exactly what an agent would send, and then broken on purpose where a test
 * asks: a sender that is not the authenticated agency, a flipped signature
 * bit, a header re-addressed after signing, a plaintext too big.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/clock.h"
#include "proto/payload.h"
#include "proto/seal.h"
#include "tests/support/testclient/tc.h"

#define TC_CHILD_NAME "Test Child"
#define TC_CHILD_DOB "2014-05-06"
#define TC_DEFAULT_MARKER "integration test message"
#define TC_REJECT_CODE 524

static struct payload_text
text(const char *s)
{
	struct payload_text t = {s, (uint32_t)strlen(s)};

	return t;
}

/* The payload of spec's type, carrying marker. */
static void
make_payload(const struct tc_spec *spec, const char *marker, const uint8_t *about,
    struct payload *p)
{
	memset(p, 0, sizeof(*p));
	p->type = (uint8_t)spec->type;
	switch (spec->type) {
	case ENVELOPE_REFERRAL:
	case ENVELOPE_CONCERN:
		p->u.referral.child_name = text(TC_CHILD_NAME);
		p->u.referral.child_dob = text(TC_CHILD_DOB);
		p->u.referral.category = text("neglect");
		p->u.referral.summary = text(marker);
		p->u.referral.referrer_name = text("A Tester");
		p->u.referral.referrer_role = text("Designated Safeguarding Lead");
		p->u.referral.referrer_contact = text("01632 960000");
		p->u.referral.lawful_basis = text("Children Act 1989 s17");
		p->u.referral.consent_sought = true;
		break;
	case ENVELOPE_ACK:
	case ENVELOPE_FEEDBACK:
		p->u.note.by_name = text("A Tester");
		p->u.note.by_role = text("Duty Worker");
		p->u.note.text = text(marker);
		break;
	case ENVELOPE_DECISION:
		p->u.decision.by_name = text("A Tester");
		p->u.decision.by_role = text("Team Manager");
		p->u.decision.decision = DECISION_ACCEPT;
		p->u.decision.text = text(marker);
		break;
	case ENVELOPE_ESCALATION:
		p->u.notice.kind = NOTICE_REMINDER;
		memcpy(p->u.notice.about, about, IDS_MSGID_BYTES);
		p->u.notice.due_ms = clock_now_ms();
		p->u.notice.text = text(marker);
		break;
	case ENVELOPE_REJECT:
		memcpy(p->u.reject.about, about, IDS_MSGID_BYTES);
		p->u.reject.code = TC_REJECT_CODE;
		p->u.reject.text = text(marker);
		break;
	default:	/* a receipt, sent where it does not belong */
		p->u.receipt.received_ms = clock_now_ms();
		break;
	}
}

/* The header of a message from k to `to`, with the keys the directory
 * lists for both. */
static int
make_header(const struct keyfile *k, const struct directory *d, const char *to, int type,
    struct envelope_header *h, struct status *st)
{
	const struct directory_agency *r = directory_find(d, to);

	if (r == NULL)
		return status_set(st, STATUS_UNKNOWN_AGENCY, "recipient %s is not in the directory",
		    to);
	memset(h, 0, sizeof(*h));
	h->version = ENVELOPE_VERSION;
	h->type = (uint8_t)type;
	ids_msgid_new(clock_now_ms(), h->id);
	ids_msgid_format(h->id, h->case_id);
	snprintf(h->from, sizeof(h->from), "%s", k->id);
	snprintf(h->to, sizeof(h->to), "%s", to);
	h->created_ms = clock_now_ms();
	h->urgency = URGENCY_STANDARD;
	seal_keyid(k->sign_pk, sizeof(k->sign_pk), h->sender_sign_key);
	seal_keyid(k->box_pk, sizeof(k->box_pk), h->sender_box_key);
	memcpy(h->recipient_box_key, r->box_keyid, sizeof(h->recipient_box_key));
	h->directory_version = d->version;
	return 0;
}

static int
seal_to(const struct keyfile *k, const struct directory *d, const struct envelope_header *h,
    const uint8_t *pt, size_t pt_len, uint8_t *out, size_t *len, struct status *st)
{
	const struct directory_agency *r = directory_find(d, h->to);
	uint8_t key[SEAL_KEYBYTES];
	int rc;

	if (r == NULL)
		return status_set(st, STATUS_UNKNOWN_AGENCY, "%s is not in the directory", h->to);
	if (seal_pair_key(k->box_sk, k->box_pk, r->box_pk, SEAL_SENDING, key, st) == -1)
		return -1;
	rc = seal_envelope(h, pt, pt_len, key, k->sign_sk, NULL, out, TC_ENVELOPE_MAX, len, st);
	sodium_memzero(key, sizeof(key));
	return rc;
}

/* Moves a signed envelope to another recipient, keeping its signature. */
static int
readdress(const struct directory *d, const char *to, uint8_t *buf, size_t *len,
    struct status *st)
{
	const struct directory_agency *r = directory_find(d, to);
	uint8_t header[ENVELOPE_MAX_HEADER], sig[SEAL_SIGBYTES], *copy;
	struct envelope env;
	size_t hlen;
	int rc = -1;

	if (r == NULL)
		return status_set(st, STATUS_UNKNOWN_AGENCY, "%s is not in the directory", to);
	if ((copy = malloc(*len)) == NULL)
		return status_set(st, STATUS_STORE_FAILED, "out of memory");
	memcpy(copy, buf, *len);
	if (envelope_decode(copy, *len, &env, st) == -1)
		goto out;
	snprintf(env.h.to, sizeof(env.h.to), "%s", to);
	memcpy(env.h.recipient_box_key, r->box_keyid, sizeof(env.h.recipient_box_key));
	memcpy(sig, env.sig, sizeof(sig));
	if (envelope_header_encode(&env.h, header, sizeof(header), &hlen, st) == -1)
		goto out;
	rc = envelope_assemble(header, hlen, env.sealed, env.sealed_len, sig, buf, TC_ENVELOPE_MAX,
	    len, st);
out:
	free(copy);
	return rc;
}

int
tc_build_envelope(const struct keyfile *k, const struct directory *d,
    const struct tc_spec *spec, uint8_t *out, size_t *len, struct status *st)
{
	struct envelope_header h;
	struct payload p;
	uint8_t *pt = NULL;
	size_t pt_len;
	int rc = -1;

	if (make_header(k, d, spec->to, spec->type, &h, st) == -1)
		return -1;
	if (spec->from != NULL)
		snprintf(h.from, sizeof(h.from), "%s", spec->from);
	if (spec->urgency != 0)
		h.urgency = (uint8_t)spec->urgency;
	/* Types 3-8 answer a message: a made-up one if the test names none. */
	h.has_reply_to = spec->has_reply_to || spec->type >= ENVELOPE_RECEIPT;
	if (spec->has_reply_to)
		memcpy(h.reply_to, spec->reply_to, sizeof(h.reply_to));
	else
		ids_msgid_new(clock_now_ms(), h.reply_to);
	if ((pt = malloc(TC_ENVELOPE_MAX)) == NULL)
		return status_set(st, STATUS_STORE_FAILED, "out of memory");
	if (spec->pad > 0) {
		pt_len = spec->pad < TC_ENVELOPE_MAX ? spec->pad : TC_ENVELOPE_MAX;
		memset(pt, 'x', pt_len);
	} else {
		make_payload(spec, spec->marker != NULL ? spec->marker : TC_DEFAULT_MARKER,
		    h.reply_to, &p);
		if (payload_encode(&p, pt, TC_ENVELOPE_MAX, &pt_len, st) == -1)
			goto out;
	}
	if (seal_to(k, d, &h, pt, pt_len, out, len, st) == -1)
		goto out;
	if (spec->tamper != NULL && strcmp(spec->tamper, "sig") == 0)
		out[*len - 1] ^= 0x01;	/* the signature is the last bin */
	else if (spec->tamper != NULL && strncmp(spec->tamper, "to:", 3) == 0 &&
	    readdress(d, spec->tamper + 3, out, len, st) == -1)
		goto out;
	rc = 0;
out:
	free(pt);
	return rc;
}

int
tc_build_receipt(const struct keyfile *k, const struct directory *d,
    const struct envelope *env, const uint8_t *buf, size_t len, uint8_t *out, size_t *out_len,
    struct status *st)
{
	uint8_t pt[ENVELOPE_MAX_HEADER];
	struct envelope_header h;
	struct payload p;
	size_t pt_len;

	if (make_header(k, d, env->h.from, ENVELOPE_RECEIPT, &h, st) == -1)
		return -1;
	snprintf(h.case_id, sizeof(h.case_id), "%s", env->h.case_id);
	h.has_reply_to = true;
	memcpy(h.reply_to, env->h.id, sizeof(h.reply_to));
	h.urgency = env->h.urgency;
	memset(&p, 0, sizeof(p));
	p.type = ENVELOPE_RECEIPT;
	p.u.receipt.received_ms = clock_now_ms();
	seal_hash(buf, len, p.u.receipt.envelope_hash);
	if (payload_encode(&p, pt, sizeof(pt), &pt_len, st) == -1)
		return -1;
	return seal_to(k, d, &h, pt, pt_len, out, out_len, st);
}

/* The first text of a payload, for the test to look for its marker. */
static void
summarise(const struct payload *p, char *out, size_t cap)
{
	const struct payload_text *t;

	switch (p->type) {
	case ENVELOPE_REFERRAL:
	case ENVELOPE_CONCERN:
		t = &p->u.referral.summary;
		break;
	case ENVELOPE_ACK:
	case ENVELOPE_FEEDBACK:
		t = &p->u.note.text;
		break;
	case ENVELOPE_DECISION:
		t = &p->u.decision.text;
		break;
	case ENVELOPE_ESCALATION:
		t = &p->u.notice.text;
		break;
	case ENVELOPE_REJECT:
		t = &p->u.reject.text;
		break;
	default:
		snprintf(out, cap, "receipt");
		return;
	}
	snprintf(out, cap, "%.*s", (int)t->len, t->s);
}

int
tc_build_open(const struct keyfile *k, const struct directory *d, const struct envelope *env,
    char *summary, size_t cap, struct status *st)
{
	const struct directory_agency *from = directory_find(d, env->h.from);
	const struct directory_agency *box = directory_find_box_keyid(d, env->h.sender_box_key);
	uint8_t key[SEAL_KEYBYTES], *pt;
	struct payload p;
	size_t pt_len;
	int rc = -1;

	if (from == NULL || box != from ||
	    memcmp(from->sign_keyid, env->h.sender_sign_key, SEAL_KEYID_BYTES) != 0)
		return status_set(st, STATUS_UNKNOWN_KEY,
		    "sender %s or its keys not in the directory", env->h.from);
	if (seal_verify(env, from->sign_pk, st) == -1)
		return -1;
	if (strcmp(env->h.to, k->id) != 0)
		return status_set(st, STATUS_WRONG_RECIPIENT, "addressed to %s, not %s", env->h.to,
		    k->id);
	if ((pt = malloc(ENVELOPE_MAX_PAYLOAD)) == NULL)
		return status_set(st, STATUS_STORE_FAILED, "out of memory");
	if (seal_pair_key(k->box_sk, k->box_pk, from->box_pk, SEAL_RECEIVING, key, st) == 0 &&
	    seal_decrypt(env, key, pt, ENVELOPE_MAX_PAYLOAD, &pt_len, st) == 0 &&
	    payload_decode(env->h.type, pt, pt_len, &p, st) == 0) {
		summarise(&p, summary, cap);
		rc = 0;
	}
	sodium_memzero(key, sizeof(key));
	sodium_memzero(pt, ENVELOPE_MAX_PAYLOAD);
	free(pt);
	return rc;
}

int
tc_build_open_notice(const struct keyfile *k, const struct directory *d,
    const struct envelope *env, char *out, size_t cap, struct status *st)
{
	static const char *const kinds[] = {"?", "reminder", "escalation", "out-of-hours"};
	char about[IDS_MSGID_TEXT + 1];
	uint8_t key[SEAL_KEYBYTES], *pt;
	struct payload p;
	size_t pt_len;
	int rc = -1;

	if (strcmp(env->h.from, d->broker.id) != 0 || env->h.type != ENVELOPE_ESCALATION ||
	    memcmp(env->h.sender_sign_key, d->broker.sign_keyid, SEAL_KEYID_BYTES) != 0 ||
	    memcmp(env->h.sender_box_key, d->broker.box_keyid, SEAL_KEYID_BYTES) != 0)
		return status_set(st, STATUS_UNKNOWN_KEY, "not a notice signed and sealed with "
		    "the broker's keys of the directory");
	if (seal_verify(env, d->broker.sign_pk, st) == -1)
		return -1;
	if (strcmp(env->h.to, k->id) != 0)
		return status_set(st, STATUS_WRONG_RECIPIENT, "addressed to %s, not %s", env->h.to,
		    k->id);
	if ((pt = malloc(ENVELOPE_MAX_PAYLOAD)) == NULL)
		return status_set(st, STATUS_STORE_FAILED, "out of memory");
	if (seal_pair_key(k->box_sk, k->box_pk, d->broker.box_pk, SEAL_RECEIVING, key, st) == 0 &&
	    seal_decrypt(env, key, pt, ENVELOPE_MAX_PAYLOAD, &pt_len, st) == 0 &&
	    payload_decode(ENVELOPE_ESCALATION, pt, pt_len, &p, st) == 0) {
		ids_msgid_format(p.u.notice.about, about);
		snprintf(out, cap, "kind=%s about=%s due=%llu text=%.*s",
		    kinds[p.u.notice.kind < 4 ? p.u.notice.kind : 0], about,
		    (unsigned long long)p.u.notice.due_ms, (int)p.u.notice.text.len,
		    p.u.notice.text.s);
		rc = 0;
	}
	sodium_memzero(key, sizeof(key));
	sodium_memzero(pt, ENVELOPE_MAX_PAYLOAD);
	free(pt);
	return rc;
}
