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
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agents/afterhours.h"
#include "agents/compose.h"
#include "agents/outbox.h"
#include "agents/req.h"
#include "common/auditlog.h"
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

/* The out-of-hours copy of a message (afterhours.h): where it went, or
 * why it could not. */
struct copy {
	bool due;				/* the recipient is closed: a copy is owed */
	const struct directory_agency *team;	/* where it went; NULL if nowhere */
	char id[IDS_MSGID_TEXT + 1];
	char why[STATUS_TEXT_LEN];		/* team == NULL: why not */
};

/* Seals p again to the emergency duty team, with the original's case id,
 * and queues it, in the request's transaction.  A copy the directory or the
 * policy does not allow is reported in c->why, and the original still
 * goes: only a database failure fails the request. */
static int
copy_out_of_hours(struct req *r, const struct envelope_header *orig, const struct payload *p,
    struct copy *c, struct status *st)
{
	const struct directory_agency *to = directory_find(r->a->dir, orig->to);
	char detail[AUDITLOG_DETAIL_MAX];
	struct envelope_header h;
	struct envelope env;
	struct status why;
	uint8_t *out = NULL;
	size_t len;
	int ret = -1;

	memset(c, 0, sizeof(*c));
	if (to == NULL || !afterhours_due(r->a->cals, to, orig->urgency, clock_now_ms()))
		return 0;
	c->due = true;
	memset(&h, 0, sizeof(h));
	h.type = orig->type;
	h.urgency = orig->urgency;
	memcpy(h.case_id, orig->case_id, sizeof(h.case_id));
	if ((c->team = afterhours_team(r->a->dir)) == NULL) {
		snprintf(c->why, sizeof(c->why), "directory.conf has no agency of kind %s",
		    directory_kind_name(DIRECTORY_EMERGENCY_DUTY_TEAM));
	} else {
		snprintf(h.to, sizeof(h.to), "%s", c->team->id);
		if (compose_seal(r->a, &h, p, &out, &len, &why) != 0) {
			if (why.code < STATUS_MALFORMED) {
				*st = why;
				goto out;
			}
			snprintf(c->why, sizeof(c->why), "%s", why.text);
			c->team = NULL;
		} else if (envelope_decode(out, len, &env, st) != 0 ||
		    outbox_put(r->a->db, &env, out, len, clock_now_ms(), st) != 0) {
			goto out;
		} else {
			ids_msgid_format(h.id, c->id);
		}
	}
	if (c->team != NULL)
		snprintf(detail, sizeof(detail), "%s (%s) is closed now: the same %s also sent to %s "
		    "as %s", to->id, directory_kind_name(to->kind), envelope_type_name(h.type),
		    c->team->id, c->id);
	else
		snprintf(detail, sizeof(detail), "%s (%s) is closed now, and no copy could go out of "
		    "hours: %s", to->id, directory_kind_name(to->kind), c->why);
	ret = auditlog_append(r->a->db, "out-of-hours-copy", c->team ? c->team->id : NULL,
	    orig->id, detail, st);
out:
	free(out);
	return ret;
}

static void
render_copy(struct output *o, const struct directory *d, const struct envelope_header *h,
    const struct copy *c)
{
	const struct directory_agency *to = directory_find(d, h->to);

	if (o->json) {
		if (!c->due) {
			output_printf(o, ", \"out_of_hours\": null");
			return;
		}
		output_printf(o, ", \"out_of_hours\": {");
		output_json_key_str(o, true, "to", c->team ? c->team->id : NULL);
		output_json_key_str(o, false, "id", c->team ? c->id : NULL);
		output_json_key_str(o, false, "error", c->team ? NULL : c->why);
		output_printf(o, "}");
		return;
	}
	if (!c->due)
		return;
	if (c->team != NULL) {
		output_printf(o, "Out of hours: also sent to %s (%s) as %s, because %s is closed "
		    "now.\n", c->team->id, AFTERHOURS_TEAM_NAME, c->id, h->to);
		if (c->team->contact.phone != NULL)
			output_printf(o, "%s phone: %s\n", AFTERHOURS_TEAM_NAME, c->team->contact.phone);
		return;
	}
	output_printf(o, "Out of hours: %s is closed now, and no copy could go to the %s: %s.\n",
	    h->to, AFTERHOURS_TEAM_NAME, c->why);
	if (to != NULL && to->contact.out_of_hours != NULL)
		output_printf(o, "%s out of hours: %s\n", to->id, to->contact.out_of_hours);
}

int
req_send(struct req *r, struct status *st)
{
	struct envelope_header h;
	struct envelope env;
	struct payload p;
	struct copy copy;
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
	    outbox_put(r->a->db, &env, out, len, clock_now_ms(), st) != 0 ||
	    copy_out_of_hours(r, &h, &p, &copy, st) != 0)
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
		render_copy(r->out, r->a->dir, &h, &copy);
		output_printf(r->out, "}\n");
	} else {
		output_printf(r->out,
		    "queued %s %s to %s (case %s, %s)\n"
		    "It is sent as soon as the broker is reachable, and again until %s's signed "
		    "receipt comes back.\nFollow it with: dutynet status %s\n",
		    envelope_type_name(t), idtext, h.to, h.case_id, envelope_urgency_name(u), h.to,
		    idtext);
		render_copy(r->out, r->a->dir, &h, &copy);
	}
	ret = 0;
out:
	free(out);
	return ret;
}
