/* SPDX-License-Identifier: ISC */
/*
 * sendform: reading and checking the send form (see sendform.h).  The
 * checks run in a fixed order - type, to, urgency, case, then the child,
 * the concern, the referrer and consent - and each records its problem and
 * goes on, so the first problem is the one `dutynet send` has always
 * reported, and the web form can show all of them at once.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "agents/sendform.h"
#include "proto/child.h"

const char *const sendform_fields[] = {"type", "to", "case", "urgency", "child-name", "dob",
	"upn", "nhs", "category", "summary", "referrer-name", "referrer-role", "referrer-contact",
	"lawful-basis", "consent", "consent-why-not", NULL};

struct form {
	sendform_get_fn get;
	void *arg;
	struct sendform_problems *probs;
};

static void
problem(struct form *f, const char *field, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
problem(struct form *f, const char *field, int code, const char *fmt, ...)
{
	struct sendform_problem *pr;
	va_list ap;

	if (f->probs->n == SENDFORM_PROBLEMS_MAX)
		return;
	pr = &f->probs->v[f->probs->n++];
	snprintf(pr->field, sizeof(pr->field), "%s", field);
	pr->st.code = code;
	va_start(ap, fmt);
	vsnprintf(pr->st.text, sizeof(pr->st.text), fmt, ap);
	va_end(ap);
}

/* A required field's value, or NULL after recording that it is missing. */
static const char *
need(struct form *f, const char *field)
{
	const char *v = f->get(f->arg, field);

	if (v == NULL || *v == '\0') {
		problem(f, field, STATUS_BAD_FIELD, "--%s is required; see 'dutynet send --help'",
		    field);
		return NULL;
	}
	return v;
}

static void
text(struct payload_text *t, const char *s)
{
	t->s = s;
	t->len = s != NULL ? (uint32_t)strlen(s) : 0;
}

static void
header(struct form *f, struct envelope_header *h)
{
	struct status st;
	const char *type = need(f, "type"), *to = need(f, "to"), *cs, *urg;
	int t = -1, u;

	if (type != NULL) {
		t = envelope_type_parse(type);
		if (t != ENVELOPE_REFERRAL && t != ENVELOPE_CONCERN)
			problem(f, "type", STATUS_BAD_TYPE,
			    "'dutynet send %.20s': send makes a referral or a concern", type);
		else
			h->type = (uint8_t)t;
	}
	if (to != NULL && ids_agency_valid(to, strlen(to), &st) != 0)
		problem(f, "to", STATUS_BAD_FIELD,
		    "--to '%.40s' is not an agency id (like mash or school-stmarys)", to);
	else if (to != NULL)
		snprintf(h->to, sizeof(h->to), "%s", to);
	urg = f->get(f->arg, "urgency");
	u = urg != NULL ? envelope_urgency_parse(urg) : URGENCY_STANDARD;
	if (u < 0)
		problem(f, "urgency", STATUS_BAD_FIELD,
		    "--urgency '%.20s' is not one of immediate, urgent, standard, routine", urg);
	else
		h->urgency = (uint8_t)u;
	if ((cs = f->get(f->arg, "case")) != NULL) {
		if (ids_case_valid(cs, strlen(cs), &st) != 0)
			problem(f, "case", STATUS_BAD_FIELD,
			    "--case is not a case id (1-%d of A-Z a-z 0-9 . _ : -, and nothing that "
			    "identifies the child)", IDS_CASE_MAX);
		else
			snprintf(h->case_id, sizeof(h->case_id), "%s", cs);
	}
}

/* The required fields, each checked with the flag's name. */
static void
referral(struct form *f, struct payload_referral *p)
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
	const char *consent;
	size_t i;

	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		text((struct payload_text *)((char *)p + required[i].off), need(f, required[i].flag));
	text(&p->child_upn, f->get(f->arg, "upn"));
	text(&p->child_nhs, f->get(f->arg, "nhs"));
	if (p->child_dob.s != NULL && !child_dob_valid(p->child_dob.s, p->child_dob.len))
		problem(f, "dob", STATUS_BAD_FIELD,
		    "--dob is not a real date written YYYY-MM-DD between %d and %d",
		    CHILD_DOB_YEAR_MIN, CHILD_DOB_YEAR_MAX);
	if (p->child_upn.s != NULL && !child_upn_valid(p->child_upn.s, p->child_upn.len))
		problem(f, "upn", STATUS_BAD_FIELD,
		    "--upn is not a Unique Pupil Number (a capital letter and 12 digits)");
	if (p->child_nhs.s != NULL && !child_nhs_valid(p->child_nhs.s, p->child_nhs.len))
		problem(f, "nhs", STATUS_BAD_FIELD,
		    "--nhs is not an NHS number (10 digits with a valid check digit)");
	if (p->category.s != NULL && !payload_category_valid(p->category.s, p->category.len))
		problem(f, "category", STATUS_BAD_FIELD,
		    "--category '%.40s' is not one of the categories; 'dutynet send --help' "
		    "lists them", p->category.s);
	consent = f->get(f->arg, "consent");
	if (consent == NULL) {
		problem(f, "consent", STATUS_BAD_FIELD,
		    "--consent is required: yes (consent was sought) or no, with "
		    "--consent-why-not saying why not");
	} else if (strcmp(consent, "yes") == 0) {
		p->consent_sought = true;
		if (f->get(f->arg, "consent-why-not") != NULL)
			problem(f, "consent-why-not", STATUS_BAD_FIELD,
			    "--consent-why-not goes only with --consent no");
	} else if (strcmp(consent, "no") == 0) {
		p->consent_sought = false;
		text(&p->consent_why_not, need(f, "consent-why-not"));
	} else {
		problem(f, "consent", STATUS_BAD_FIELD, "--consent is '%.20s'; say yes or no",
		    consent);
	}
}

size_t
sendform_read(sendform_get_fn get, void *arg, struct envelope_header *h, struct payload *p,
    struct sendform_problems *probs)
{
	struct form f = { get, arg, probs };

	memset(h, 0, sizeof(*h));
	memset(p, 0, sizeof(*p));
	probs->n = 0;
	header(&f, h);
	p->type = h->type;
	referral(&f, &p->u.referral);
	return probs->n;
}
