/* SPDX-License-Identifier: ISC */
/*
 * payload: the plaintext of each message type (see payload.h and
 * proto/PROTOCOL.md, "Payloads").
 *
 * DESIGN: each payload type is a table of its fields in wire order, walked
 * by payload_schema: a field says where it lives in the struct and what it
 * may hold (length limits, a range, a format such as child_nhs_valid).  What
 * needs two fields at once (consent and why not, a redirect and its target,
 * the attachments' total size) is the type's rules(), run after the fields
 * by both payload_encode and payload_decode.  So a payload that encodes
 * always decodes, and a recipient refuses exactly what a sender would.
 * Status texts name the field and what is wrong, never its value: a payload
 * is about a child, and statuses end up in logs.
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "proto/child.h"
#include "proto/pack.h"
#include "proto/payload.h"
#include "proto/payload_schema.h"
#include "proto/seal.h"

_Static_assert(PAYLOAD_HASH_BYTES == SEAL_HASHBYTES, "a receipt names a seal_hash");

/* The vocabulary of the tables below. */
#define NELEM(a) (sizeof(a) / sizeof(a[0]))
#define FIELDS(a) a, NELEM(a)
#define SIZEOF(T, m) sizeof(((T *)0)->m)
#define F_GROUP(n, count) {.name = n, .kind = PAYLOAD_SCHEMA_GROUP, .size = count}
#define F_TEXT(n, T, m, min, max) \
	{.name = n, .kind = PAYLOAD_SCHEMA_TEXT, .off = offsetof(T, m), .lo = min, .hi = max}
#define F_OPT_TEXT(n, T, m, min, max)                                                   \
	{.name = n, .kind = PAYLOAD_SCHEMA_TEXT, .off = offsetof(T, m), .lo = min, .hi = max, \
	    .optional = true}
#define F_FORMAT(n, T, m, opt, fn, why)                                                 \
	{.name = n, .kind = PAYLOAD_SCHEMA_TEXT, .off = offsetof(T, m), .lo = 1,          \
	    .hi = PAYLOAD_SHORT_MAX, .optional = opt, .format = fn, .rule = why}
#define F_UINT(n, T, m, min, max)                                                             \
	{.name = n, .kind = PAYLOAD_SCHEMA_UINT, .off = offsetof(T, m), .size = SIZEOF(T, m), \
	    .lo = min, .hi = max}
#define F_BOOL(n, T, m) {.name = n, .kind = PAYLOAD_SCHEMA_BOOL, .off = offsetof(T, m)}
#define F_MSGID(n, T, m) {.name = n, .kind = PAYLOAD_SCHEMA_MSGID, .off = offsetof(T, m)}
#define F_DIGEST(n, T, m) \
	{.name = n, .kind = PAYLOAD_SCHEMA_DIGEST, .off = offsetof(T, m), .size = SIZEOF(T, m)}

static int
attachment_name_valid(const char *s, size_t len)
{
	/* A name becomes a file name in the recipient's inbox, never a path. */
	if (memchr(s, '/', len) != NULL || memchr(s, '\0', len) != NULL)
		return 0;
	return !(len == 1 && s[0] == '.') && !(len == 2 && s[0] == '.' && s[1] == '.');
}

static int
agency_valid(const char *s, size_t len)
{
	struct status ignored;

	return ids_agency_valid(s, len, &ignored) == 0;
}

#define A struct payload_attachment
static const struct payload_schema_field attachment_fields[] = {
	F_FORMAT("name", A, name, false, attachment_name_valid,
	    "a file name (not '.' or '..', no '/')"),
	F_TEXT("mime", A, mime, 1, PAYLOAD_SHORT_MAX),
	{.name = "data", .kind = PAYLOAD_SCHEMA_BYTES, .off = offsetof(A, data),
	    .count_off = offsetof(A, len)},
};
#undef A

#define R struct payload_referral
_Static_assert(SIZEOF(R, attachments) / SIZEOF(R, attachments[0]) == PAYLOAD_ATTACH_COUNT_MAX,
    "the attachments list is bounded by its array");
static const struct payload_schema_field referral_fields[] = {
	F_GROUP("child", 4),
	F_TEXT("child.name", R, child_name, 1, PAYLOAD_SHORT_MAX),
	F_FORMAT("child.dob", R, child_dob, false, child_dob_valid,
	    "a real date as YYYY-MM-DD, 1900 to 2100"),
	F_FORMAT("child.upn", R, child_upn, true, child_upn_valid,
	    "a UPN (an uppercase letter then 12 digits) or nil"),
	F_FORMAT("child.nhs", R, child_nhs, true, child_nhs_valid,
	    "an NHS number (10 digits, the last a modulus-11 check digit) or nil"),
	F_FORMAT("category", R, category, false, payload_category_valid,
	    "one of the categories in PROTOCOL.md section 6.1"),
	F_TEXT("summary", R, summary, 1, PAYLOAD_TEXT_MAX),
	F_GROUP("referrer", 3),
	F_TEXT("referrer.name", R, referrer_name, 1, PAYLOAD_SHORT_MAX),
	F_TEXT("referrer.role", R, referrer_role, 1, PAYLOAD_SHORT_MAX),
	F_TEXT("referrer.contact", R, referrer_contact, 1, PAYLOAD_SHORT_MAX),
	F_TEXT("lawful_basis", R, lawful_basis, 1, PAYLOAD_SHORT_MAX),
	F_GROUP("consent", 2),
	F_BOOL("consent.sought", R, consent_sought),
	F_OPT_TEXT("consent.why_not", R, consent_why_not, 1, PAYLOAD_TEXT_MAX),
	{.name = "attachments", .kind = PAYLOAD_SCHEMA_LIST, .off = offsetof(R, attachments),
	    .size = sizeof(struct payload_attachment), .count_off = offsetof(R, attachment_count),
	    .hi = PAYLOAD_ATTACH_COUNT_MAX, .sub = attachment_fields,
	    .nsub = NELEM(attachment_fields)},
};
#undef R

#define N struct payload_note
static const struct payload_schema_field note_fields[] = {
	F_TEXT("by_name", N, by_name, 1, PAYLOAD_SHORT_MAX),
	F_TEXT("by_role", N, by_role, 1, PAYLOAD_SHORT_MAX),
	F_TEXT("text", N, text, 0, PAYLOAD_TEXT_MAX),
};
#undef N

#define D struct payload_decision
static const struct payload_schema_field decision_fields[] = {
	F_TEXT("by_name", D, by_name, 1, PAYLOAD_SHORT_MAX),
	F_TEXT("by_role", D, by_role, 1, PAYLOAD_SHORT_MAX),
	F_UINT("decision", D, decision, DECISION_ACCEPT, DECISION_REDIRECT),
	F_TEXT("reason", D, reason, 0, PAYLOAD_TEXT_MAX),
	F_FORMAT("redirect_to", D, redirect_to, true, agency_valid,
	    "an agency id (3..32 of a-z, 0-9 and '-') or nil"),
	F_TEXT("text", D, text, 0, PAYLOAD_TEXT_MAX),
};
#undef D

static const struct payload_schema_field receipt_fields[] = {
	F_UINT("received_ms", struct payload_receipt, received_ms, 0, UINT64_MAX),
	F_DIGEST("envelope_hash", struct payload_receipt, envelope_hash),
};

#define K struct payload_notice
static const struct payload_schema_field notice_fields[] = {
	F_UINT("kind", K, kind, NOTICE_REMINDER, NOTICE_OUT_OF_HOURS),
	F_MSGID("about", K, about),
	F_UINT("due_ms", K, due_ms, 0, UINT64_MAX),
	F_TEXT("text", K, text, 0, PAYLOAD_TEXT_MAX),
};
#undef K

#define J struct payload_reject
static const struct payload_schema_field reject_fields[] = {
	F_MSGID("about", J, about),
	F_UINT("code", J, code, PAYLOAD_REJECT_CODE_MIN, PAYLOAD_REJECT_CODE_MAX),
	F_TEXT("text", J, text, 0, PAYLOAD_TEXT_MAX),
};
#undef J

static int
referral_rules(const void *body, struct status *st)
{
	const struct payload_referral *r = body;
	uint64_t total = 0;
	uint32_t i;

	if (r->consent_sought && r->consent_why_not.s != NULL)
		return status_set(st, STATUS_BAD_FIELD,
		    "payload field 'consent.why_not' must be nil when consent was sought");
	if (!r->consent_sought && r->consent_why_not.s == NULL)
		return status_set(st, STATUS_BAD_FIELD,
		    "payload field 'consent.why_not' is nil: say why consent was not sought");
	for (i = 0; i < r->attachment_count; i++)
		total += r->attachments[i].len;
	if (total > PAYLOAD_ATTACH_BYTES_MAX)
		return status_set(st, STATUS_TOO_LARGE,
		    "payload field 'attachments' holds %llu bytes of data, over the %d-byte cap",
		    (unsigned long long)total, PAYLOAD_ATTACH_BYTES_MAX);
	return 0;
}

static int
decision_rules(const void *body, struct status *st)
{
	const struct payload_decision *d = body;
	bool redirect = d->decision == DECISION_REDIRECT;

	if (d->decision != DECISION_ACCEPT && d->reason.len == 0)
		return status_set(st, STATUS_BAD_FIELD,
		    "payload field 'reason' is empty: a %s needs a reason",
		    payload_decision_name(d->decision));
	if (redirect && d->redirect_to.s == NULL)
		return status_set(st, STATUS_BAD_FIELD,
		    "payload field 'redirect_to' is nil: a redirect names the agency");
	if (!redirect && d->redirect_to.s != NULL)
		return status_set(st, STATUS_BAD_FIELD,
		    "payload field 'redirect_to' must be nil unless the decision is redirect");
	return 0;
}

static const struct schema {
	uint8_t type;
	const char *name;
	const struct payload_schema_field *fields;
	size_t nfields;
	int (*rules)(const void *body, struct status *st);
} schemas[] = {
	{ENVELOPE_REFERRAL, "referral", FIELDS(referral_fields), referral_rules},
	{ENVELOPE_CONCERN, "referral", FIELDS(referral_fields), referral_rules},
	{ENVELOPE_RECEIPT, "receipt", FIELDS(receipt_fields), NULL},
	{ENVELOPE_ACK, "note", FIELDS(note_fields), NULL},
	{ENVELOPE_DECISION, "decision", FIELDS(decision_fields), decision_rules},
	{ENVELOPE_FEEDBACK, "note", FIELDS(note_fields), NULL},
	{ENVELOPE_ESCALATION, "notice", FIELDS(notice_fields), NULL},
	{ENVELOPE_REJECT, "reject", FIELDS(reject_fields), NULL},
};

static const struct schema *
find(int type)
{
	size_t i;

	for (i = 0; i < NELEM(schemas); i++)
		if (schemas[i].type == type)
			return &schemas[i];
	return NULL;
}

int
payload_encode(const struct payload *p, uint8_t *out, size_t cap, size_t *len,
    struct status *st)
{
	const struct schema *sc = find(p->type);
	struct pack_writer w;

	if (sc == NULL)
		return status_set(st, STATUS_BAD_TYPE, "message type %u has no payload", p->type);
	pack_writer_init(&w, out, cap);
	pack_write_array(&w, 1 + payload_schema_elements(sc->fields, sc->nfields));
	pack_write_uint(&w, PAYLOAD_VERSION);
	if (payload_schema_encode(&w, sc->fields, sc->nfields, &p->u, st) == -1)
		return -1;
	if (sc->rules != NULL && sc->rules(&p->u, st) == -1)
		return -1;
	if (pack_writer_finish(&w, len) == -1)
		return status_set(st, STATUS_TOO_LARGE, "%s payload does not fit in %zu bytes",
		    sc->name, cap);
	if (*len > ENVELOPE_MAX_PAYLOAD)
		return status_set(st, STATUS_TOO_LARGE, "%s payload is %zu bytes, over the %d-byte cap",
		    sc->name, *len, ENVELOPE_MAX_PAYLOAD);
	return 0;
}

int
payload_decode(uint8_t type, const uint8_t *buf, size_t len, struct payload *p,
    struct status *st)
{
	const struct schema *sc = find(type);
	struct pack_reader r;
	uint32_t count, want;
	uint64_t version;

	memset(p, 0, sizeof(*p));
	if (sc == NULL)
		return status_set(st, STATUS_BAD_TYPE, "message type %u has no payload", type);
	p->type = type;
	if (len > ENVELOPE_MAX_PAYLOAD)
		return status_set(st, STATUS_TOO_LARGE, "%s payload is %zu bytes, over the %d-byte cap",
		    sc->name, len, ENVELOPE_MAX_PAYLOAD);
	pack_reader_init(&r, buf, len);
	if (pack_read_array(&r, &count) == -1)
		return status_set(st, STATUS_MALFORMED, "%s payload is malformed (%s)", sc->name,
		    pack_error_name(r.error));
	/* The version first, whatever follows: another version may have
	 * another shape, and "upgrade" is more use than "malformed". */
	if (count == 0)
		return status_set(st, STATUS_MALFORMED,
		    "%s payload is an empty array: field 'version' is missing", sc->name);
	if (pack_read_uint(&r, &version) == -1)
		return status_set(st, STATUS_MALFORMED,
		    "%s payload field 'version' is malformed (%s)", sc->name,
		    pack_error_name(r.error));
	if (version != PAYLOAD_VERSION)
		return status_set(st, STATUS_BAD_VERSION,
		    "%s payload version %llu is not supported (this side reads version %d); "
		    "upgrade the older agent", sc->name, (unsigned long long)version,
		    PAYLOAD_VERSION);
	want = 1 + payload_schema_elements(sc->fields, sc->nfields);
	if (count != want)
		return status_set(st, STATUS_MALFORMED, "%s payload has %u elements, expected %u",
		    sc->name, count, want);
	if (payload_schema_decode(&r, sc->fields, sc->nfields, &p->u, st) == -1)
		return -1;
	if (pack_remaining(&r) != 0)
		return status_set(st, STATUS_MALFORMED, "%s payload has %zu bytes after its end",
		    sc->name, pack_remaining(&r));
	if (sc->rules != NULL && sc->rules(&p->u, st) == -1)
		return -1;
	return 0;
}

const char *const payload_categories[] = {
	"neglect",
	"physical-abuse",
	"emotional-abuse",
	"sexual-abuse",
	"domestic-abuse",
	"exploitation",
	"mental-health",
	"self-harm",
	"missing-education",
	"housing",
	"other",
	NULL,
};

int
payload_category_valid(const char *s, size_t len)
{
	size_t i;

	if (s == NULL)
		return 0;
	for (i = 0; payload_categories[i] != NULL; i++)
		if (strlen(payload_categories[i]) == len &&
		    memcmp(payload_categories[i], s, len) == 0)
			return 1;
	return 0;
}

static const char *const decision_names[] = {
	[DECISION_ACCEPT] = "accept",
	[DECISION_DECLINE] = "decline",
	[DECISION_REDIRECT] = "redirect",
};

const char *
payload_decision_name(int decision)
{
	if (decision < DECISION_ACCEPT || decision > DECISION_REDIRECT)
		return NULL;
	return decision_names[decision];
}

int
payload_decision_parse(const char *name)
{
	int d;

	if (name == NULL)
		return -1;
	for (d = DECISION_ACCEPT; d <= DECISION_REDIRECT; d++)
		if (strcmp(decision_names[d], name) == 0)
			return d;
	return -1;
}
