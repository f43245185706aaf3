/* SPDX-License-Identifier: ISC */
/*
 * req_send: `dutynet send referral|concern --to AGENCY ...`.  Builds the
 * referral payload from the form's fields, seals it to the recipient and
 * commits it to the outbox with its "created" audit entry - all in the
 * request's transaction, so the answer "queued" means it is on disk and
 * will be sent, and re-sent, until its final outcome.
 *
 * Errors name the flag, never the value of a child's identifier (a name,
 * date of birth, UPN or NHS number must not reach a log).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agents/compose.h"
#include "agents/outbox.h"
#include "agents/req.h"
#include "common/clock.h"
#include "proto/child.h"

static const char *const known[] = {"type", "to", "case", "urgency", "child-name", "dob", "upn",
	"nhs", "category", "summary", "referrer-name", "referrer-role", "referrer-contact",
	"lawful-basis", "consent", "consent-why-not", NULL};

static void
text(struct payload_text *t, const char *s)
{
	t->s = s;
	t->len = s != NULL ? (uint32_t)strlen(s) : 0;
}

/* The required fields, each checked with the flag's name. */
static int
fill(const struct req *r, struct payload_referral *p, struct status *st)
{
	static const struct {
		const char *flag;
		size_t off;
	} required[] = {
		{"child-name", offsetof(struct payload_referral, child_name)},
		{"dob", offsetof(struct payload_referral, child_dob)},
		{"category", offsetof(struct payload_referral, category)},
		{"summary", offsetof(struct payload_referral, summary)},
		{"referrer-name", offsetof(struct payload_referral, referrer_name)},
		{"referrer-role", offsetof(struct payload_referral, referrer_role)},
		{"referrer-contact", offsetof(struct payload_referral, referrer_contact)},
		{"lawful-basis", offsetof(struct payload_referral, lawful_basis)},
	};
	const char *v, *consent;
	size_t i;

	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		if ((v = req_need(r, required[i].flag, st)) == NULL)
			return -1;
		text((struct payload_text *)((char *)p + required[i].off), v);
	}
	text(&p->child_upn, ctlmsg_get(r->rq, "upn"));
	text(&p->child_nhs, ctlmsg_get(r->rq, "nhs"));
	if (!child_dob_valid(p->child_dob.s, p->child_dob.len))
		return status_set(st, STATUS_BAD_FIELD,
		    "--dob is not a real date written YYYY-MM-DD between %d and %d",
		    CHILD_DOB_YEAR_MIN, CHILD_DOB_YEAR_MAX);
	if (p->child_upn.s != NULL && !child_upn_valid(p->child_upn.s, p->child_upn.len))
		return status_set(st, STATUS_BAD_FIELD,
		    "--upn is not a Unique Pupil Number (a capital letter and 12 digits)");
	if (p->child_nhs.s != NULL && !child_nhs_valid(p->child_nhs.s, p->child_nhs.len))
		return status_set(st, STATUS_BAD_FIELD,
		    "--nhs is not an NHS number (10 digits with a valid check digit)");
	if (!payload_category_valid(p->category.s, p->category.len))
		return status_set(st, STATUS_BAD_FIELD,
		    "--category '%.40s' is not one of the categories; 'dutynet send --help' "
		    "lists them", p->category.s);
	consent = ctlmsg_get(r->rq, "consent");
	if (consent == NULL)
		return status_set(st, STATUS_BAD_FIELD,
		    "--consent is required: yes (consent was sought) or no, with "
		    "--consent-why-not saying why not");
	if (strcmp(consent, "yes") == 0) {
		p->consent_sought = true;
		if (ctlmsg_get(r->rq, "consent-why-not") != NULL)
			return status_set(st, STATUS_BAD_FIELD,
			    "--consent-why-not goes only with --consent no");
	} else if (strcmp(consent, "no") == 0) {
		p->consent_sought = false;
		if ((v = req_need(r, "consent-why-not", st)) == NULL)
			return -1;
		text(&p->consent_why_not, v);
	} else {
		return status_set(st, STATUS_BAD_FIELD, "--consent is '%.20s'; say yes or no",
		    consent);
	}
	return 0;
}

int
req_send(struct req *r, struct status *st)
{
	struct envelope_header h;
	struct envelope env;
	struct payload p;
	const char *type, *to, *cs, *urg;
	char idtext[IDS_MSGID_TEXT + 1];
	uint8_t *out = NULL;
	size_t len;
	int t, u, ret = -1;

	if (req_known(r, known, st) != 0 || (type = req_need(r, "type", st)) == NULL ||
	    (to = req_need(r, "to", st)) == NULL)
		return -1;
	t = envelope_type_parse(type);
	if (t != ENVELOPE_REFERRAL && t != ENVELOPE_CONCERN)
		return status_set(st, STATUS_BAD_TYPE,
		    "'dutynet send %.20s': send makes a referral or a concern", type);
	if (ids_agency_valid(to, strlen(to), st) != 0)
		return status_set(st, STATUS_BAD_FIELD,
		    "--to '%.40s' is not an agency id (like mash or school-stmarys)", to);
	urg = ctlmsg_get(r->rq, "urgency");
	u = urg != NULL ? envelope_urgency_parse(urg) : URGENCY_STANDARD;
	if (u < 0)
		return status_set(st, STATUS_BAD_FIELD,
		    "--urgency '%.20s' is not one of immediate, urgent, standard, routine", urg);
	memset(&h, 0, sizeof(h));
	h.type = (uint8_t)t;
	h.urgency = (uint8_t)u;
	snprintf(h.to, sizeof(h.to), "%s", to);
	if ((cs = ctlmsg_get(r->rq, "case")) != NULL) {
		if (ids_case_valid(cs, strlen(cs), st) != 0)
			return status_set(st, STATUS_BAD_FIELD,
			    "--case is not a case id (1-%d of A-Z a-z 0-9 . _ : -, and nothing that "
			    "identifies the child)", IDS_CASE_MAX);
		snprintf(h.case_id, sizeof(h.case_id), "%s", cs);
	}
	memset(&p, 0, sizeof(p));
	p.type = (uint8_t)t;
	if (fill(r, &p.u.referral, st) != 0)
		return -1;
	if (compose_seal(r->a, &h, &p, &out, &len, st) != 0)
		return -1;
	if (envelope_decode(out, len, &env, st) != 0 ||
	    outbox_put(r->a->db, &env, out, len, clock_now_ms(), st) != 0)
		goto out;
	r->a->kick = true;
	ids_msgid_format(h.id, idtext);
	if (r->out->json) {
		output_printf(r->out, "{");
		output_json_key_str(r->out, true, "id", idtext);
		output_json_key_str(r->out, false, "type", envelope_type_name(t));
		output_json_key_str(r->out, false, "to", h.to);
		output_json_key_str(r->out, false, "case", h.case_id);
		output_json_key_str(r->out, false, "urgency", envelope_urgency_name(u));
		output_json_key_str(r->out, false, "state", outbox_state_name(OUTBOX_QUEUED));
		output_printf(r->out, "}\n");
	} else {
		output_printf(r->out,
		    "queued %s %s to %s (case %s, %s)\n"
		    "It is sent as soon as the broker is reachable, and again until %s's signed "
		    "receipt comes back.\nFollow it with: dutynet status %s\n",
		    envelope_type_name(t), idtext, h.to, h.case_id, envelope_urgency_name(u), h.to,
		    idtext);
	}
	ret = 0;
out:
	free(out);
	return ret;
}
