/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for proto/payload.c: a round trip of every payload type, every
 * field rule with its exact status code (refused by payload_encode, and by
 * payload_decode once tests/support/payload_sample.c has written it anyway),
 * and the category and decision names.  Structure (counts, types,
 * truncation) is tested in test_payload_schema.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "proto/pack.h"
#include "proto/payload.h"
#include "tests/support/payload_sample.h"

#define T(lit) ((struct payload_text){lit, sizeof(lit) - 1})
#define NIL ((struct payload_text){NULL, 0})

static uint8_t enc[PAYLOAD_SAMPLE_BUF], wire[PAYLOAD_SAMPLE_BUF], again[PAYLOAD_SAMPLE_BUF];
static char big[PAYLOAD_TEXT_MAX + 2];
static uint8_t blob[PAYLOAD_ATTACH_BYTES_MAX + 1];

static struct payload_text
big_text(size_t len)
{
	return (struct payload_text){big, (uint32_t)len};
}

static void
unknown_type_is_503(void **state)
{
	const uint8_t empty[] = {0x91, 0x01};
	struct payload p;

	(void)state;
	payload_sample_expect_decode(0, empty, sizeof(empty), STATUS_BAD_TYPE, NULL);
	payload_sample_expect_decode(ENVELOPE_TYPE_MAX + 1, empty, sizeof(empty), STATUS_BAD_TYPE, NULL);
	payload_sample_expect_decode(0xff, empty, sizeof(empty), STATUS_BAD_TYPE, NULL);
	payload_sample_note(&p, ENVELOPE_ACK);
	p.type = 0;
	payload_sample_expect_encode(&p, STATUS_BAD_TYPE, NULL);
	p.type = ENVELOPE_TYPE_MAX + 1;
	payload_sample_expect_encode(&p, STATUS_BAD_TYPE, NULL);
}

static void
oversize_plaintext_is_510_before_parsing(void **state)
{
	(void)state;
	memset(wire, 0xc1, ENVELOPE_MAX_PAYLOAD + 1);	/* not msgpack at all */
	payload_sample_expect_decode(ENVELOPE_REFERRAL, wire, ENVELOPE_MAX_PAYLOAD + 1, STATUS_TOO_LARGE, NULL);
	payload_sample_expect_decode(ENVELOPE_REFERRAL, wire, ENVELOPE_MAX_PAYLOAD, STATUS_MALFORMED, NULL);
}

static void
child_fields(void **state)
{
	struct payload p;

	(void)state;
	payload_sample_referral(&p);
	p.u.referral.child_name = T("");
	payload_sample_expect_both(&p, STATUS_BAD_FIELD, "child.name");
	p.u.referral.child_name = big_text(PAYLOAD_SHORT_MAX + 1);
	payload_sample_expect_both(&p, STATUS_TOO_LARGE, "child.name");

	payload_sample_referral(&p);
	p.u.referral.child_dob = T("2023-02-29");
	payload_sample_expect_both(&p, STATUS_BAD_FIELD, "child.dob");
	p.u.referral.child_dob = T("2024-13-01");
	payload_sample_expect_both(&p, STATUS_BAD_FIELD, "child.dob");
	p.u.referral.child_dob = T("17/09/2015");
	payload_sample_expect_both(&p, STATUS_BAD_FIELD, "child.dob");
	p.u.referral.child_dob = T("");
	payload_sample_expect_both(&p, STATUS_BAD_FIELD, "child.dob");
	p.u.referral.child_dob = big_text(PAYLOAD_SHORT_MAX + 1);
	payload_sample_expect_both(&p, STATUS_TOO_LARGE, "child.dob");
	p.u.referral.child_dob = T("2024-02-29");
	payload_sample_encode(&p, enc);

	payload_sample_referral(&p);
	p.u.referral.child_upn = T("a123456789012");
	payload_sample_expect_both(&p, STATUS_BAD_FIELD, "child.upn");
	p.u.referral.child_upn = T("A12345678901");
	payload_sample_expect_both(&p, STATUS_BAD_FIELD, "child.upn");
	p.u.referral.child_upn = T("");	/* present but empty is not nil */
	payload_sample_expect_both(&p, STATUS_BAD_FIELD, "child.upn");

	payload_sample_referral(&p);
	p.u.referral.child_nhs = T("9434765918");	/* check digit should be 9 */
	payload_sample_expect_both(&p, STATUS_BAD_FIELD, "child.nhs");
	p.u.referral.child_nhs = T("1234567890");	/* remainder 1: no valid number */
	payload_sample_expect_both(&p, STATUS_BAD_FIELD, "child.nhs");
	p.u.referral.child_nhs = T("943 476 5919");
	payload_sample_expect_both(&p, STATUS_BAD_FIELD, "child.nhs");
	p.u.referral.child_nhs = T("");
	payload_sample_expect_both(&p, STATUS_BAD_FIELD, "child.nhs");
}

static void
status_text_never_quotes_the_child(void **state)
{
	struct payload p;
	struct status st;
	size_t len;

	(void)state;
	payload_sample_referral(&p);
	p.u.referral.child_nhs = T("9434765918");
	assert_int_equal(payload_encode(&p, enc, PAYLOAD_SAMPLE_BUF, &len, &st), -1);
	assert_null(strstr(st.text, "9434765918"));
	p.u.referral.child_nhs = NIL;
	p.u.referral.child_dob = T("2026-02-30");
	len = payload_sample_raw(&p, PAYLOAD_VERSION, wire);
	assert_int_equal(payload_decode(p.type, wire, len, &p, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_non_null(strstr(st.text, "'child.dob'"));
	assert_non_null(strstr(st.text, "YYYY-MM-DD"));
	assert_null(strstr(st.text, "2026-02-30"));
}

static void
referral_fields(void **state)
{
	struct payload p;

	(void)state;
	payload_sample_referral(&p);
	p.u.referral.category = T("neglected");
	payload_sample_expect_both(&p, STATUS_BAD_FIELD, "category");
	p.u.referral.category = T("NEGLECT");
	payload_sample_expect_both(&p, STATUS_BAD_FIELD, "category");
	p.u.referral.category = T("");
	payload_sample_expect_both(&p, STATUS_BAD_FIELD, "category");

	payload_sample_referral(&p);
	p.u.referral.summary = T("");
	payload_sample_expect_both(&p, STATUS_BAD_FIELD, "summary");
	p.u.referral.summary = big_text(PAYLOAD_TEXT_MAX + 1);
	payload_sample_expect_both(&p, STATUS_TOO_LARGE, "summary");

	payload_sample_referral(&p);
	p.u.referral.referrer_name = T("");
	payload_sample_expect_both(&p, STATUS_BAD_FIELD, "referrer.name");
	payload_sample_referral(&p);
	p.u.referral.referrer_role = big_text(PAYLOAD_SHORT_MAX + 1);
	payload_sample_expect_both(&p, STATUS_TOO_LARGE, "referrer.role");
	payload_sample_referral(&p);
	p.u.referral.referrer_contact = T("");
	payload_sample_expect_both(&p, STATUS_BAD_FIELD, "referrer.contact");
	payload_sample_referral(&p);
	p.u.referral.lawful_basis = T("");
	payload_sample_expect_both(&p, STATUS_BAD_FIELD, "lawful_basis");
	p.u.referral.lawful_basis = big_text(PAYLOAD_SHORT_MAX + 1);
	payload_sample_expect_both(&p, STATUS_TOO_LARGE, "lawful_basis");

	/* A required text given as NULL is refused, not sent as nil. */
	payload_sample_referral(&p);
	p.u.referral.summary = NIL;
	payload_sample_expect_encode(&p, STATUS_BAD_FIELD, "summary");
}

static void
consent_and_why_not(void **state)
{
	struct payload p;

	(void)state;
	payload_sample_referral(&p);
	p.u.referral.consent_why_not = T("not needed");	/* sought, yet a reason */
	payload_sample_expect_both(&p, STATUS_BAD_FIELD, "consent.why_not");
	p.u.referral.consent_why_not = T("");
	payload_sample_expect_both(&p, STATUS_BAD_FIELD, "consent.why_not");
	payload_sample_concern(&p);
	p.u.referral.consent_why_not = NIL;	/* not sought, no reason */
	payload_sample_expect_both(&p, STATUS_BAD_FIELD, "consent.why_not");
	p.u.referral.consent_why_not = T("");
	payload_sample_expect_both(&p, STATUS_BAD_FIELD, "consent.why_not");
	p.u.referral.consent_why_not = big_text(PAYLOAD_TEXT_MAX + 1);
	payload_sample_expect_both(&p, STATUS_TOO_LARGE, "consent.why_not");
}

static void
attachments(void **state)
{
	struct payload_referral *r;
	struct payload p;
	uint32_t i;

	(void)state;
	payload_sample_referral(&p);
	r = &p.u.referral;
	r->attachments[1].name = T("../../etc/passwd");
	payload_sample_expect_both(&p, STATUS_BAD_FIELD, "attachments[1].name");
	r->attachments[1].name = T("..");
	payload_sample_expect_both(&p, STATUS_BAD_FIELD, "attachments[1].name");
	r->attachments[1].name = T(".");
	payload_sample_expect_both(&p, STATUS_BAD_FIELD, "attachments[1].name");
	r->attachments[1].name = T("");
	payload_sample_expect_both(&p, STATUS_BAD_FIELD, "attachments[1].name");
	r->attachments[1].name = big_text(PAYLOAD_SHORT_MAX + 1);
	payload_sample_expect_both(&p, STATUS_TOO_LARGE, "attachments[1].name");
	r->attachments[1].name = (struct payload_text){"a\0b", 3};
	payload_sample_expect_encode(&p, STATUS_BAD_FIELD, "attachments[1].name");
	r->attachments[1].name = T("..notes");	/* dots are fine in a name */
	payload_sample_encode(&p, enc);

	payload_sample_referral(&p);
	r->attachments[0].mime = T("");
	payload_sample_expect_both(&p, STATUS_BAD_FIELD, "attachments[0].mime");

	/* One too many, and more data than the cap all together. */
	payload_sample_referral(&p);
	r->attachment_count = PAYLOAD_ATTACH_COUNT_MAX + 1;
	payload_sample_expect_both(&p, STATUS_TOO_LARGE, "attachments");
	payload_sample_referral(&p);
	r->attachment_count = 3;
	for (i = 0; i < 3; i++)
		r->attachments[i] = (struct payload_attachment){T("a.bin"),
		    T("application/octet-stream"), blob, PAYLOAD_ATTACH_BYTES_MAX / 3};
	r->attachments[2].len += PAYLOAD_ATTACH_BYTES_MAX % 3 + 1;
	payload_sample_expect_both(&p, STATUS_TOO_LARGE, "attachments");
	r->attachments[2].len -= 1;
	payload_sample_encode(&p, enc);
}

static void
note_fields(void **state)
{
	struct payload p;

	(void)state;
	payload_sample_note(&p, ENVELOPE_ACK);
	p.u.note.by_name = T("");
	payload_sample_expect_both(&p, STATUS_BAD_FIELD, "by_name");
	payload_sample_note(&p, ENVELOPE_FEEDBACK);
	p.u.note.by_role = big_text(PAYLOAD_SHORT_MAX + 1);
	payload_sample_expect_both(&p, STATUS_TOO_LARGE, "by_role");
	payload_sample_note(&p, ENVELOPE_FEEDBACK);
	p.u.note.text = big_text(PAYLOAD_TEXT_MAX + 1);
	payload_sample_expect_both(&p, STATUS_TOO_LARGE, "text");
	p.u.note.text = big_text(PAYLOAD_TEXT_MAX);
	payload_sample_encode(&p, enc);
}

static void
decision_fields(void **state)
{
	struct payload p;
	size_t len;

	(void)state;
	payload_sample_decision(&p, DECISION_ACCEPT);
	p.u.decision.decision = 0;
	payload_sample_expect_both(&p, STATUS_BAD_FIELD, "decision");
	p.u.decision.decision = DECISION_REDIRECT + 1;
	payload_sample_expect_both(&p, STATUS_BAD_FIELD, "decision");
	/* 300 does not fit the member: refused, not truncated to 44. */
	payload_sample_decision(&p, DECISION_ACCEPT);
	len = payload_sample_raw(&p, PAYLOAD_VERSION, wire);
	payload_sample_patch(wire, &len, "manager\x01", 8, "manager\xcd\x01\x2c", 10);
	payload_sample_expect_decode(p.type, wire, len, STATUS_BAD_FIELD, "decision");

	payload_sample_decision(&p, DECISION_DECLINE);
	p.u.decision.reason = T("");
	payload_sample_expect_both(&p, STATUS_BAD_FIELD, "reason");
	payload_sample_decision(&p, DECISION_REDIRECT);
	p.u.decision.reason = T("");
	payload_sample_expect_both(&p, STATUS_BAD_FIELD, "reason");
	payload_sample_decision(&p, DECISION_DECLINE);
	p.u.decision.reason = big_text(PAYLOAD_TEXT_MAX + 1);
	payload_sample_expect_both(&p, STATUS_TOO_LARGE, "reason");

	payload_sample_decision(&p, DECISION_REDIRECT);
	p.u.decision.redirect_to = NIL;
	payload_sample_expect_both(&p, STATUS_BAD_FIELD, "redirect_to");
	p.u.decision.redirect_to = T("Early_Help");
	payload_sample_expect_both(&p, STATUS_BAD_FIELD, "redirect_to");
	p.u.decision.redirect_to = T("");
	payload_sample_expect_both(&p, STATUS_BAD_FIELD, "redirect_to");
	payload_sample_decision(&p, DECISION_ACCEPT);
	p.u.decision.redirect_to = T("early-help");
	payload_sample_expect_both(&p, STATUS_BAD_FIELD, "redirect_to");
	payload_sample_decision(&p, DECISION_DECLINE);
	p.u.decision.redirect_to = T("early-help");
	payload_sample_expect_both(&p, STATUS_BAD_FIELD, "redirect_to");
	payload_sample_decision(&p, DECISION_ACCEPT);
	p.u.decision.text = big_text(PAYLOAD_TEXT_MAX + 1);
	payload_sample_expect_both(&p, STATUS_TOO_LARGE, "text");
}

static void
receipt_fields(void **state)
{
	uint8_t short_hash[2 + PAYLOAD_HASH_BYTES - 1];
	struct payload p;
	size_t len;

	(void)state;
	payload_sample_receipt(&p);
	len = payload_sample_raw(&p, PAYLOAD_VERSION, wire);
	short_hash[0] = 0xc4;
	short_hash[1] = PAYLOAD_HASH_BYTES - 1;
	memcpy(short_hash + 2, p.u.receipt.envelope_hash, PAYLOAD_HASH_BYTES - 1);
	payload_sample_patch(wire, &len, wire + len - PAYLOAD_HASH_BYTES - 2, PAYLOAD_HASH_BYTES + 2, short_hash,
	    sizeof(short_hash));
	payload_sample_expect_decode(p.type, wire, len, STATUS_BAD_FIELD, "envelope_hash");
}

static void
notice_fields(void **state)
{
	struct payload p;
	size_t len;

	(void)state;
	payload_sample_notice(&p, NOTICE_REMINDER);
	p.u.notice.kind = 0;
	payload_sample_expect_both(&p, STATUS_BAD_FIELD, "kind");
	p.u.notice.kind = NOTICE_OUT_OF_HOURS + 1;
	payload_sample_expect_both(&p, STATUS_BAD_FIELD, "kind");
	payload_sample_notice(&p, NOTICE_REMINDER);
	p.u.notice.about[6] = 0x40;	/* version 4 */
	payload_sample_expect_both(&p, STATUS_BAD_FIELD, "about");
	payload_sample_notice(&p, NOTICE_REMINDER);
	p.u.notice.about[8] = 0x40;	/* variant 0b01 */
	payload_sample_expect_both(&p, STATUS_BAD_FIELD, "about");
	payload_sample_notice(&p, NOTICE_REMINDER);
	p.u.notice.text = big_text(PAYLOAD_TEXT_MAX + 1);
	payload_sample_expect_both(&p, STATUS_TOO_LARGE, "text");
	/* about as a 15-byte bin */
	payload_sample_notice(&p, NOTICE_REMINDER);
	len = payload_sample_raw(&p, PAYLOAD_VERSION, wire);
	payload_sample_patch(wire, &len, "\xc4\x10", 2, "\xc4\x0f", 2);
	payload_sample_patch(wire, &len, p.u.notice.about + 14, 2, p.u.notice.about + 15, 1);
	payload_sample_expect_decode(p.type, wire, len, STATUS_BAD_FIELD, "about");
}

static void
reject_fields(void **state)
{
	struct payload p;
	size_t len;

	(void)state;
	payload_sample_reject(&p);
	p.u.reject.code = PAYLOAD_REJECT_CODE_MIN - 1;
	payload_sample_expect_both(&p, STATUS_BAD_FIELD, "code");
	p.u.reject.code = PAYLOAD_REJECT_CODE_MAX + 1;
	payload_sample_expect_both(&p, STATUS_BAD_FIELD, "code");
	p.u.reject.code = STATUS_ACCEPTED;
	payload_sample_expect_both(&p, STATUS_BAD_FIELD, "code");
	payload_sample_reject(&p);
	p.u.reject.about[6] = 0x00;
	payload_sample_expect_both(&p, STATUS_BAD_FIELD, "about");
	payload_sample_reject(&p);
	p.u.reject.text = big_text(PAYLOAD_TEXT_MAX + 1);
	payload_sample_expect_both(&p, STATUS_TOO_LARGE, "text");
	/* 65536 + 523 does not fit a uint16_t member: refused, not wrapped. */
	payload_sample_reject(&p);
	len = payload_sample_raw(&p, PAYLOAD_VERSION, wire);
	payload_sample_patch(wire, &len, "\xcd\x02\x0b", 3, "\xce\x00\x01\x02\x0b", 5);
	payload_sample_expect_decode(p.type, wire, len, STATUS_BAD_FIELD, "code");
}

static void
text_equal(struct payload_text a, struct payload_text b)
{
	if (a.s == NULL || b.s == NULL) {
		assert_true(a.s == NULL && b.s == NULL);
		return;
	}
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.s, b.s, a.len);
}

static void
round_trip_referral_and_concern(void **state)
{
	const struct payload_referral *r;
	struct payload p, q;
	size_t len;

	(void)state;
	payload_sample_referral(&p);
	payload_sample_round_trip(&p, enc, &q);
	r = &q.u.referral;
	text_equal(r->child_name, p.u.referral.child_name);
	text_equal(r->child_dob, p.u.referral.child_dob);
	text_equal(r->child_nhs, p.u.referral.child_nhs);
	text_equal(r->lawful_basis, p.u.referral.lawful_basis);
	assert_true(r->consent_sought);
	assert_null(r->consent_why_not.s);
	assert_int_equal(r->attachment_count, 2);
	text_equal(r->attachments[0].name, T("plan.txt"));
	assert_int_equal(r->attachments[0].len, p.u.referral.attachments[0].len);
	assert_true(r->attachments[0].len > 0);
	assert_memory_equal(r->attachments[0].data, p.u.referral.attachments[0].data,
	    r->attachments[0].len);
	assert_int_equal(r->attachments[1].len, 0);
	/* Texts borrow the buffer they were decoded from. */
	len = payload_sample_encode(&p, again);
	assert_memory_equal(enc, again, len);
	assert_true((const uint8_t *)r->summary.s > enc &&
	    (const uint8_t *)r->summary.s + r->summary.len < enc + len);

	payload_sample_concern(&p);
	payload_sample_round_trip(&p, enc, &q);
	r = &q.u.referral;
	assert_null(r->child_upn.s);
	assert_null(r->child_nhs.s);
	assert_false(r->consent_sought);
	text_equal(r->consent_why_not, p.u.referral.consent_why_not);
	text_equal(r->category, T("domestic-abuse"));
	assert_int_equal(r->attachment_count, 0);
}

static void
round_trip_at_the_limits(void **state)
{
	struct payload_referral *r;
	struct payload p, q;
	uint32_t i;

	(void)state;
	payload_sample_referral(&p);
	r = &p.u.referral;
	r->child_name = big_text(PAYLOAD_SHORT_MAX);
	r->summary = big_text(PAYLOAD_TEXT_MAX);
	r->attachment_count = PAYLOAD_ATTACH_COUNT_MAX;
	for (i = 0; i < PAYLOAD_ATTACH_COUNT_MAX; i++)
		r->attachments[i] = (struct payload_attachment){T("part.bin"),
		    T("application/octet-stream"), blob, PAYLOAD_ATTACH_BYTES_MAX / 8};
	payload_sample_round_trip(&p, enc, &q);
	assert_int_equal(q.u.referral.summary.len, PAYLOAD_TEXT_MAX);
	assert_int_equal(q.u.referral.attachment_count, PAYLOAD_ATTACH_COUNT_MAX);
	assert_int_equal(q.u.referral.attachments[7].len, PAYLOAD_ATTACH_BYTES_MAX / 8);
}

static void
round_trip_every_category(void **state)
{
	struct payload p, q;
	size_t i;

	(void)state;
	for (i = 0; payload_categories[i] != NULL; i++) {
		payload_sample_referral(&p);
		p.u.referral.category =
		    (struct payload_text){payload_categories[i], strlen(payload_categories[i])};
		payload_sample_round_trip(&p, enc, &q);
		text_equal(q.u.referral.category, p.u.referral.category);
	}
	assert_int_equal(i, 11);
}

static void
round_trip_notes(void **state)
{
	struct payload p, q;

	(void)state;
	payload_sample_note(&p, ENVELOPE_ACK);
	payload_sample_round_trip(&p, enc, &q);
	text_equal(q.u.note.by_name, p.u.note.by_name);
	text_equal(q.u.note.text, p.u.note.text);
	payload_sample_note(&p, ENVELOPE_FEEDBACK);
	p.u.note.text = T("");
	payload_sample_round_trip(&p, enc, &q);
	assert_int_equal(q.u.note.text.len, 0);
	assert_non_null(q.u.note.text.s);
	/* An absent text is written as the empty str, never as nil. */
	p.u.note.text = NIL;
	payload_sample_encode(&p, enc);
	assert_int_equal(payload_decode(p.type, enc, payload_sample_encode(&p, enc), &q, NULL), 0);
	assert_non_null(q.u.note.text.s);
}

static void
round_trip_decisions(void **state)
{
	struct payload p, q;
	uint8_t k;

	(void)state;
	for (k = DECISION_ACCEPT; k <= DECISION_REDIRECT; k++) {
		payload_sample_decision(&p, k);
		payload_sample_round_trip(&p, enc, &q);
		assert_int_equal(q.u.decision.decision, k);
		text_equal(q.u.decision.reason, p.u.decision.reason);
		text_equal(q.u.decision.redirect_to, p.u.decision.redirect_to);
	}
}

static void
round_trip_receipt_notice_reject(void **state)
{
	struct payload p, q;
	uint8_t k;

	(void)state;
	payload_sample_receipt(&p);
	payload_sample_round_trip(&p, enc, &q);
	assert_int_equal(q.u.receipt.received_ms, p.u.receipt.received_ms);
	assert_memory_equal(q.u.receipt.envelope_hash, p.u.receipt.envelope_hash,
	    PAYLOAD_HASH_BYTES);
	p.u.receipt.received_ms = UINT64_MAX;
	payload_sample_round_trip(&p, enc, &q);
	assert_true(q.u.receipt.received_ms == UINT64_MAX);
	for (k = NOTICE_REMINDER; k <= NOTICE_OUT_OF_HOURS; k++) {
		payload_sample_notice(&p, k);
		payload_sample_round_trip(&p, enc, &q);
		assert_int_equal(q.u.notice.kind, k);
		assert_memory_equal(q.u.notice.about, p.u.notice.about, IDS_MSGID_BYTES);
		assert_true(q.u.notice.due_ms == p.u.notice.due_ms);
	}
	payload_sample_reject(&p);
	payload_sample_round_trip(&p, enc, &q);
	assert_int_equal(q.u.reject.code, STATUS_DECRYPT_FAILED);
	assert_memory_equal(q.u.reject.about, p.u.reject.about, IDS_MSGID_BYTES);
	p.u.reject.code = PAYLOAD_REJECT_CODE_MAX;
	payload_sample_round_trip(&p, enc, &q);
	assert_int_equal(q.u.reject.code, PAYLOAD_REJECT_CODE_MAX);
}

static void
categories_list(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; payload_categories[i] != NULL; i++)
		assert_int_equal(payload_category_valid(payload_categories[i],
		    strlen(payload_categories[i])), 1);
	assert_int_equal(i, 11);
	assert_string_equal(payload_categories[0], "neglect");
	assert_string_equal(payload_categories[10], "other");
	assert_int_equal(payload_category_valid("self-harm", 9), 1);
	assert_int_equal(payload_category_valid("self-harm", 4), 0);	/* "self" */
	assert_int_equal(payload_category_valid("self-harms", 10), 0);
	assert_int_equal(payload_category_valid("Neglect", 7), 0);
	assert_int_equal(payload_category_valid("", 0), 0);
	assert_int_equal(payload_category_valid(NULL, 0), 0);
}

static void
decision_names(void **state)
{
	int d;

	(void)state;
	assert_null(payload_decision_name(0));
	assert_null(payload_decision_name(DECISION_REDIRECT + 1));
	assert_null(payload_decision_name(-1));
	assert_int_equal(payload_decision_parse("Accept"), -1);
	assert_int_equal(payload_decision_parse(""), -1);
	assert_int_equal(payload_decision_parse(NULL), -1);
	assert_string_equal(payload_decision_name(DECISION_ACCEPT), "accept");
	assert_string_equal(payload_decision_name(DECISION_DECLINE), "decline");
	assert_string_equal(payload_decision_name(DECISION_REDIRECT), "redirect");
	for (d = DECISION_ACCEPT; d <= DECISION_REDIRECT; d++)
		assert_int_equal(payload_decision_parse(payload_decision_name(d)), d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unknown_type_is_503),
		cmocka_unit_test(oversize_plaintext_is_510_before_parsing),
		cmocka_unit_test(child_fields),
		cmocka_unit_test(status_text_never_quotes_the_child),
		cmocka_unit_test(referral_fields),
		cmocka_unit_test(consent_and_why_not),
		cmocka_unit_test(attachments),
		cmocka_unit_test(note_fields),
		cmocka_unit_test(decision_fields),
		cmocka_unit_test(receipt_fields),
		cmocka_unit_test(notice_fields),
		cmocka_unit_test(reject_fields),
		cmocka_unit_test(round_trip_referral_and_concern),
		cmocka_unit_test(round_trip_at_the_limits),
		cmocka_unit_test(round_trip_every_category),
		cmocka_unit_test(round_trip_notes),
		cmocka_unit_test(round_trip_decisions),
		cmocka_unit_test(round_trip_receipt_notice_reject),
		cmocka_unit_test(categories_list),
		cmocka_unit_test(decision_names),
	};

	memset(big, 'a', sizeof(big));
	memset(blob, 0x5c, sizeof(blob));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
