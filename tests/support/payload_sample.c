/* SPDX-License-Identifier: ISC */
/* Sample payloads and an unchecked second encoder for tests (see .h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto/pack.h"
#include "proto/payload.h"
#include "tests/support/payload_sample.h"

#define T(lit) ((struct payload_text){lit, sizeof(lit) - 1})
#define NIL ((struct payload_text){NULL, 0})

static const uint8_t plan_data[] = "safety plan, version 2\n";

void
payload_sample_msgid(uint64_t ms, uint8_t fill, uint8_t id[IDS_MSGID_BYTES])
{
	uint8_t rnd[10];

	memset(rnd, fill, sizeof(rnd));
	ids_msgid_from(ms, rnd, id);
}

void
payload_sample_referral(struct payload *p)
{
	struct payload_referral *r = &p->u.referral;

	memset(p, 0, sizeof(*p));
	p->type = ENVELOPE_REFERRAL;
	r->child_name = T("Alex Example");
	r->child_dob = T("2015-09-17");
	r->child_upn = T("A123456789012");
	r->child_nhs = T("9434765919");
	r->category = T("neglect");
	r->summary = T("Arrives hungry most days; younger sibling at home alone.");
	r->referrer_name = T("J. Smith");
	r->referrer_role = T("Designated Safeguarding Lead");
	r->referrer_contact = T("01632 960000");
	r->lawful_basis = T("Children Act 1989 s47");
	r->consent_sought = true;
	r->consent_why_not = NIL;
	r->attachment_count = 2;
	r->attachments[0] = (struct payload_attachment){
	    T("plan.txt"), T("text/plain"), plan_data, sizeof(plan_data) - 1};
	r->attachments[1] = (struct payload_attachment){T("empty.pdf"), T("application/pdf"), NULL, 0};
}

void
payload_sample_concern(struct payload *p)
{
	struct payload_referral *r = &p->u.referral;

	payload_sample_referral(p);
	p->type = ENVELOPE_CONCERN;
	r->child_upn = NIL;
	r->child_nhs = NIL;
	r->category = T("domestic-abuse");
	r->consent_sought = false;
	r->consent_why_not = T("Seeking consent could place the child at risk.");
	r->attachment_count = 0;
}

void
payload_sample_note(struct payload *p, uint8_t type)
{
	memset(p, 0, sizeof(*p));
	p->type = type;
	p->u.note.by_name = T("R. Patel");
	p->u.note.by_role = T("MASH social worker");
	p->u.note.text = T("Received; allocated to the duty team.");
}

void
payload_sample_decision(struct payload *p, uint8_t kind)
{
	struct payload_decision *d = &p->u.decision;

	memset(p, 0, sizeof(*p));
	p->type = ENVELOPE_DECISION;
	d->by_name = T("R. Patel");
	d->by_role = T("Team manager");
	d->decision = kind;
	d->reason = kind == DECISION_ACCEPT ? T("") : T("Threshold for CAMHS not met.");
	d->redirect_to = kind == DECISION_REDIRECT ? T("early-help") : NIL;
	d->text = T("");
}

void
payload_sample_receipt(struct payload *p)
{
	size_t i;

	memset(p, 0, sizeof(*p));
	p->type = ENVELOPE_RECEIPT;
	p->u.receipt.received_ms = 1735689600123ULL;
	for (i = 0; i < PAYLOAD_HASH_BYTES; i++)
		p->u.receipt.envelope_hash[i] = (uint8_t)(0xe0 + i);
}

void
payload_sample_notice(struct payload *p, uint8_t kind)
{
	memset(p, 0, sizeof(*p));
	p->type = ENVELOPE_ESCALATION;
	p->u.notice.kind = kind;
	payload_sample_msgid(1735689600000ULL, 0x5a, p->u.notice.about);
	p->u.notice.due_ms = 1735776000000ULL;
	p->u.notice.text = T("Acknowledgement overdue by 2 working hours.");
}

void
payload_sample_reject(struct payload *p)
{
	memset(p, 0, sizeof(*p));
	p->type = ENVELOPE_REJECT;
	payload_sample_msgid(1735689600000ULL, 0x77, p->u.reject.about);
	p->u.reject.code = STATUS_DECRYPT_FAILED;
	p->u.reject.text = T("payload does not decrypt with our current box key");
}

static void
raw_text(struct pack_writer *w, struct payload_text t)
{
	if (t.s == NULL)
		pack_write_nil(w);
	else
		pack_write_str(w, t.s, t.len);
}

static void
raw_referral(struct pack_writer *w, const struct payload_referral *r, uint64_t version)
{
	uint32_t i;

	pack_write_array(w, 8);
	pack_write_uint(w, version);
	pack_write_array(w, 4);
	raw_text(w, r->child_name);
	raw_text(w, r->child_dob);
	raw_text(w, r->child_upn);
	raw_text(w, r->child_nhs);
	raw_text(w, r->category);
	raw_text(w, r->summary);
	pack_write_array(w, 3);
	raw_text(w, r->referrer_name);
	raw_text(w, r->referrer_role);
	raw_text(w, r->referrer_contact);
	raw_text(w, r->lawful_basis);
	pack_write_array(w, 2);
	pack_write_bool(w, r->consent_sought);
	raw_text(w, r->consent_why_not);
	pack_write_array(w, r->attachment_count);
	for (i = 0; i < r->attachment_count; i++) {
		/* More entries than the struct holds repeat the last ones. */
		const struct payload_attachment *a =
		    &r->attachments[i % PAYLOAD_ATTACH_COUNT_MAX];

		pack_write_array(w, 3);
		raw_text(w, a->name);
		raw_text(w, a->mime);
		pack_write_bin(w, a->data, a->len);
	}
}

size_t
payload_sample_raw(const struct payload *p, uint64_t version, uint8_t *buf)
{
	const struct payload_note *n = &p->u.note;
	const struct payload_decision *d = &p->u.decision;
	const struct payload_receipt *rc = &p->u.receipt;
	const struct payload_notice *k = &p->u.notice;
	const struct payload_reject *j = &p->u.reject;
	struct pack_writer w;
	size_t len;

	pack_writer_init(&w, buf, PAYLOAD_SAMPLE_BUF);
	switch (p->type) {
	case ENVELOPE_REFERRAL:
	case ENVELOPE_CONCERN:
		raw_referral(&w, &p->u.referral, version);
		break;
	case ENVELOPE_ACK:
	case ENVELOPE_FEEDBACK:
		pack_write_array(&w, 4);
		pack_write_uint(&w, version);
		raw_text(&w, n->by_name);
		raw_text(&w, n->by_role);
		raw_text(&w, n->text);
		break;
	case ENVELOPE_DECISION:
		pack_write_array(&w, 7);
		pack_write_uint(&w, version);
		raw_text(&w, d->by_name);
		raw_text(&w, d->by_role);
		pack_write_uint(&w, d->decision);
		raw_text(&w, d->reason);
		raw_text(&w, d->redirect_to);
		raw_text(&w, d->text);
		break;
	case ENVELOPE_RECEIPT:
		pack_write_array(&w, 3);
		pack_write_uint(&w, version);
		pack_write_uint(&w, rc->received_ms);
		pack_write_bin(&w, rc->envelope_hash, sizeof(rc->envelope_hash));
		break;
	case ENVELOPE_ESCALATION:
		pack_write_array(&w, 5);
		pack_write_uint(&w, version);
		pack_write_uint(&w, k->kind);
		pack_write_bin(&w, k->about, sizeof(k->about));
		pack_write_uint(&w, k->due_ms);
		raw_text(&w, k->text);
		break;
	case ENVELOPE_REJECT:
		pack_write_array(&w, 4);
		pack_write_uint(&w, version);
		pack_write_bin(&w, j->about, sizeof(j->about));
		pack_write_uint(&w, j->code);
		raw_text(&w, j->text);
		break;
	default:
		fail_msg("raw: type %u", p->type);
	}
	assert_int_equal(pack_writer_finish(&w, &len), 0);
	return len;
}

void
payload_sample_patch(uint8_t *buf, size_t *len, const void *from, size_t from_len, const void *to,
    size_t to_len)
{
	uint8_t *at = memmem(buf, *len, from, from_len);
	size_t tail;

	assert_non_null(at);
	tail = *len - (size_t)(at - buf) - from_len;
	memmove(at + to_len, at + from_len, tail);
	memcpy(at, to, to_len);
	*len = *len - from_len + to_len;
}

size_t
payload_sample_encode(const struct payload *p, uint8_t *buf)
{
	struct status st;
	size_t len;

	if (payload_encode(p, buf, PAYLOAD_SAMPLE_BUF, &len, &st) == -1)
		fail_msg("encode type %u: %d %s", p->type, st.code, st.text);
	return len;
}

/* A heap copy of exactly len bytes (NULL for none), for the sanitizer. */
static uint8_t *
exact_copy(const uint8_t *buf, size_t len)
{
	uint8_t *copy;

	if (len == 0)
		return NULL;
	copy = test_malloc(len);
	memcpy(copy, buf, len);
	return copy;
}

void
payload_sample_round_trip(const struct payload *p, uint8_t *buf, struct payload *out)
{
	uint8_t *raw = test_malloc(PAYLOAD_SAMPLE_BUF), *again = test_malloc(PAYLOAD_SAMPLE_BUF);
	struct status st;
	size_t len, raw_len, len2;

	len = payload_sample_encode(p, buf);
	raw_len = payload_sample_raw(p, PAYLOAD_VERSION, raw);
	assert_int_equal(len, raw_len);
	assert_memory_equal(buf, raw, len);
	memset(out, 0xa5, sizeof(*out));
	if (payload_decode(p->type, buf, len, out, &st) == -1)
		fail_msg("decode type %u: %d %s", p->type, st.code, st.text);
	assert_int_equal(out->type, p->type);
	len2 = payload_sample_encode(out, again);
	assert_int_equal(len, len2);
	assert_memory_equal(buf, again, len);
	test_free(again);
	test_free(raw);
}

void
payload_sample_expect_decode(uint8_t type, const uint8_t *buf, size_t len, int code,
    const char *field)
{
	uint8_t *copy = exact_copy(buf, len);
	struct payload p;
	struct status st;
	int rc;

	st.code = 0;
	rc = payload_decode(type, copy, len, &p, &st);
	if (copy != NULL)
		test_free(copy);
	if (rc != -1)
		fail_msg("type %u: %zu bytes decoded, expected %d", type, len, code);
	if (st.code != code)
		fail_msg("type %u decode: got %d (%s), expected %d", type, st.code, st.text, code);
	if (field != NULL && strstr(st.text, field) == NULL)
		fail_msg("decode: '%s' does not name '%s'", st.text, field);
}

void
payload_sample_expect_encode(const struct payload *p, int code, const char *field)
{
	uint8_t *buf = test_malloc(PAYLOAD_SAMPLE_BUF);
	struct status st;
	size_t len;
	int rc;

	st.code = 0;
	rc = payload_encode(p, buf, PAYLOAD_SAMPLE_BUF, &len, &st);
	test_free(buf);
	if (rc != -1)
		fail_msg("type %u: encoded, expected %d", p->type, code);
	if (st.code != code)
		fail_msg("type %u encode: got %d (%s), expected %d", p->type, st.code, st.text,
		    code);
	if (field != NULL && strstr(st.text, field) == NULL)
		fail_msg("encode: '%s' does not name '%s'", st.text, field);
}

void
payload_sample_expect_both(const struct payload *p, int code, const char *field)
{
	uint8_t *buf = test_malloc(PAYLOAD_SAMPLE_BUF);
	size_t len;

	payload_sample_expect_encode(p, code, field);
	len = payload_sample_raw(p, PAYLOAD_VERSION, buf);
	payload_sample_expect_decode(p->type, buf, len, code, field);
	test_free(buf);
}
