/* SPDX-License-Identifier: ISC */
/*
 * req_show: `dutynet show ID` (one message, decrypted: from the inbox's
 * stored plaintext, or for a message this agency sent by opening its own
 * envelope with the pair key) and `dutynet status ID` (its state and its
 * timeline: the audit entries about it and about every reply to it, in
 * order).  The plaintext goes to the caller and nowhere else: it is wiped
 * as soon as it is rendered.  A message whose content the retention period
 * purged (agents/retention.h) is shown from its row, with when and why.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "agents/inbox.h"
#include "agents/notice.h"
#include "agents/outbox.h"
#include "agents/pairkeys.h"
#include "agents/req.h"
#include "common/auditlog.h"
#include "proto/seal.h"

static const char *const id_known[] = {"id", NULL};

/* Appends "key": text (payload_text). */
static void
jt(struct output *o, const char *key, const struct payload_text *t)
{
	output_printf(o, ", \"%s\": ", key);
	output_json_strn(o, t->s, t->len);
}

static void
render_referral(struct output *o, const struct payload_referral *p)
{
	uint32_t i;

	if (o->json) {
		jt(o, "child_name", &p->child_name);
		jt(o, "dob", &p->child_dob);
		jt(o, "upn", &p->child_upn);
		jt(o, "nhs", &p->child_nhs);
		jt(o, "category", &p->category);
		jt(o, "summary", &p->summary);
		jt(o, "referrer_name", &p->referrer_name);
		jt(o, "referrer_role", &p->referrer_role);
		jt(o, "referrer_contact", &p->referrer_contact);
		jt(o, "lawful_basis", &p->lawful_basis);
		output_printf(o, ", \"consent_sought\": %s", p->consent_sought ? "true" : "false");
		jt(o, "consent_why_not", &p->consent_why_not);
		output_printf(o, ", \"attachments\": [");
		for (i = 0; i < p->attachment_count; i++) {
			output_printf(o, "%s{\"name\": ", i ? ", " : "");
			output_json_strn(o, p->attachments[i].name.s, p->attachments[i].name.len);
			jt(o, "mime", &p->attachments[i].mime);
			output_printf(o, ", \"bytes\": %u}", p->attachments[i].len);
		}
		output_printf(o, "]");
		return;
	}
	output_printf(o, "child:        %.*s, born %.*s", (int)p->child_name.len, p->child_name.s,
	    (int)p->child_dob.len, p->child_dob.s);
	if (p->child_upn.s != NULL)
		output_printf(o, ", UPN %.*s", (int)p->child_upn.len, p->child_upn.s);
	if (p->child_nhs.s != NULL)
		output_printf(o, ", NHS %.*s", (int)p->child_nhs.len, p->child_nhs.s);
	output_printf(o, "\ncategory:     %.*s\nreferrer:     %.*s, %.*s (%.*s)\n"
	    "lawful basis: %.*s\n", (int)p->category.len, p->category.s, (int)p->referrer_name.len,
	    p->referrer_name.s, (int)p->referrer_role.len, p->referrer_role.s,
	    (int)p->referrer_contact.len, p->referrer_contact.s, (int)p->lawful_basis.len,
	    p->lawful_basis.s);
	if (p->consent_sought)
		output_printf(o, "consent:      sought\n");
	else
		output_printf(o, "consent:      not sought: %.*s\n", (int)p->consent_why_not.len,
		    p->consent_why_not.s);
	for (i = 0; i < p->attachment_count; i++)
		output_printf(o, "attachment:   %.*s (%.*s, %u bytes)\n",
		    (int)p->attachments[i].name.len, p->attachments[i].name.s,
		    (int)p->attachments[i].mime.len, p->attachments[i].mime.s, p->attachments[i].len);
	output_printf(o, "summary:\n%.*s\n", (int)p->summary.len, p->summary.s);
}

static void
render_payload(struct output *o, int type, const struct payload *p)
{
	const struct payload_note *n = &p->u.note;
	const struct payload_decision *d = &p->u.decision;
	char about[IDS_MSGID_TEXT + 1], due[OUTPUT_TIME_LEN];

	switch (type) {
	case ENVELOPE_REFERRAL:
	case ENVELOPE_CONCERN:
		render_referral(o, &p->u.referral);
		break;
	case ENVELOPE_ACK:
	case ENVELOPE_FEEDBACK:
		if (o->json) {
			jt(o, "by_name", &n->by_name);
			jt(o, "by_role", &n->by_role);
			jt(o, "text", &n->text);
		} else {
			output_printf(o, "by:           %.*s, %.*s\n%.*s%s", (int)n->by_name.len,
			    n->by_name.s, (int)n->by_role.len, n->by_role.s, (int)n->text.len, n->text.s,
			    n->text.len ? "\n" : "");
		}
		break;
	case ENVELOPE_DECISION:
		if (o->json) {
			output_printf(o, ", \"decision\": \"%s\"", payload_decision_name(d->decision));
			jt(o, "by_name", &d->by_name);
			jt(o, "by_role", &d->by_role);
			jt(o, "reason", &d->reason);
			jt(o, "redirect_to", &d->redirect_to);
			jt(o, "text", &d->text);
		} else {
			/* reason and redirect_to are optional (an accept has
			 * neither): an empty one is left out, not shown blank. */
			output_printf(o, "decision:     %s%s%.*s\nby:           %.*s, %.*s\n",
			    payload_decision_name(d->decision), d->redirect_to.len ? " to " : "",
			    (int)d->redirect_to.len, d->redirect_to.len ? d->redirect_to.s : "",
			    (int)d->by_name.len, d->by_name.s, (int)d->by_role.len, d->by_role.s);
			output_field(o, "reason", d->reason.s, d->reason.len);
			if (d->text.len)
				output_printf(o, "%.*s\n", (int)d->text.len, d->text.s);
		}
		break;
	case ENVELOPE_ESCALATION:
		ids_msgid_format(p->u.notice.about, about);
		if (o->json) {
			output_printf(o, ", \"kind\": %u, \"about\": \"%s\"", p->u.notice.kind, about);
			output_json_key_time(o, false, "due", p->u.notice.due_ms);
			jt(o, "text", &p->u.notice.text);
		} else {
			output_time(p->u.notice.due_ms, due);
			output_printf(o, "notice:       %s, about a deadline due %s\nabout:        %s\n"
			    "%.*s\n", notice_kind_name(p->u.notice.kind), due, about,
			    (int)p->u.notice.text.len, p->u.notice.text.s);
		}
		break;
	case ENVELOPE_REJECT:
		ids_msgid_format(p->u.reject.about, about);
		if (o->json) {
			output_printf(o, ", \"about\": \"%s\", \"code\": %u", about, p->u.reject.code);
			jt(o, "text", &p->u.reject.text);
		} else {
			output_printf(o, "rejects:      %s\ncode:         %u %s\n%.*s\n", about,
			    p->u.reject.code, status_name(p->u.reject.code), (int)p->u.reject.text.len,
			    p->u.reject.text.s);
		}
		break;
	default:
		break;
	}
}

static void
render_header(struct output *o, const char *dir, const struct envelope_header *h,
    const char *state)
{
	char id[IDS_MSGID_TEXT + 1], when[OUTPUT_TIME_LEN], reply[IDS_MSGID_TEXT + 1];

	ids_msgid_format(h->id, id);
	if (o->json) {
		output_printf(o, "{");
		output_json_key_str(o, true, "id", id);
		output_json_key_str(o, false, "direction", dir);
		output_json_key_str(o, false, "type", envelope_type_name(h->type));
		output_json_key_str(o, false, "from", h->from);
		output_json_key_str(o, false, "to", h->to);
		output_json_key_str(o, false, "case", h->case_id);
		output_json_key_str(o, false, "urgency", envelope_urgency_name(h->urgency));
		output_json_key_time(o, false, "created", h->created_ms);
		output_json_key_id(o, false, "in_reply_to", h->has_reply_to ? h->reply_to : NULL);
		output_json_key_str(o, false, "state", state);
		return;
	}
	output_time(h->created_ms, when);
	output_printf(o, "%s %s from %s to %s (%s)\ncase:         %s\nurgency:      %s\n"
	    "created:      %s\n", envelope_type_name(h->type), id, h->from, h->to, state,
	    h->case_id, envelope_urgency_name(h->urgency), when);
	if (h->has_reply_to) {
		ids_msgid_format(h->reply_to, reply);
		output_printf(o, "in reply to:  %s\n", reply);
	}
}

/* A message whose content was purged under the retention period: what
 * its row still says (the header's fields are all kept), and why the
 * content is gone, so nobody takes the missing text for a fault. */
static void
render_purged(struct req *r, const char *dir, const struct envelope_header *h,
    const char *state, uint64_t purged_ms)
{
	const struct retention_period *p = &r->a->settings->retention;
	char when[OUTPUT_TIME_LEN], id[IDS_MSGID_TEXT + 1];

	render_header(r->out, dir, h, state);
	if (r->out->json) {
		output_printf(r->out, ", \"purged\": {");
		output_json_key_time(r->out, true, "time", purged_ms);
		if (p->unit != RETENTION_FOREVER)
			output_json_key_str(r->out, false, "retention", p->text);
		output_printf(r->out, "}}\n");
		return;
	}
	output_time(purged_ms, when);
	ids_msgid_format(h->id, id);
	output_printf(r->out, "content:      purged on %s under the retention policy", when);
	if (p->unit != RETENTION_FOREVER)
		output_printf(r->out, " (retention = \"%s\")", p->text);
	output_printf(r->out, "; the envelope hash, receipts and the record of what happened are "
	    "kept: 'dutynet status %s'\n", id);
}

/* The header of a purged message, from its row. */
static void
purged_header(struct envelope_header *h, const uint8_t id[IDS_MSGID_BYTES], int type,
    const char *from, const char *to, const char *case_id, int urgency, uint64_t created_ms,
    const uint8_t *reply_to)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->id, id, IDS_MSGID_BYTES);
	h->type = (uint8_t)type;
	snprintf(h->from, sizeof(h->from), "%s", from);
	snprintf(h->to, sizeof(h->to), "%s", to);
	snprintf(h->case_id, sizeof(h->case_id), "%s", case_id);
	h->urgency = (uint8_t)urgency;
	h->created_ms = created_ms;
	h->has_reply_to = reply_to != NULL;
	if (reply_to != NULL)
		memcpy(h->reply_to, reply_to, IDS_MSGID_BYTES);
}

/* Opens a message this agency sent: its own envelope, with the pair key. */
static int
open_sent(struct req *r, const struct envelope *env, uint8_t **pt, size_t *len,
    struct status *st)
{
	const struct directory_agency *to;
	const uint8_t *key;

	to = directory_find_box_keyid(r->a->dir, env->h.recipient_box_key);
	if (to == NULL)
		return status_set(st, STATUS_UNKNOWN_KEY,
		    "the recipient's key for this message is no longer in the directory");
	if ((key = pairkeys_get(r->a->pairs, to->box_pk, SEAL_SENDING, st)) == NULL)
		return -1;
	*len = env->sealed_len - ENVELOPE_SEAL_OVERHEAD;
	if ((*pt = malloc(*len ? *len : 1)) == NULL)
		return status_set(st, STATUS_STORE_FAILED, "out of memory");
	if (seal_decrypt(env, key, *pt, *len, len, st) != 0) {
		free(*pt);
		*pt = NULL;
		return -1;
	}
	return 0;
}

int
req_show(struct req *r, struct status *st)
{
	uint8_t id[IDS_MSGID_BYTES], *envb = NULL, *pt = NULL;
	size_t elen = 0, plen = 0;
	struct envelope env;
	struct inbox_msg im;
	struct outbox_msg om;
	struct payload p;
	const char *dir = "in", *state;
	char idtext[IDS_MSGID_TEXT + 1];
	int rc, ret = -1;

	if (req_known(r, id_known, st) != 0 || req_id(r, id, st) != 0)
		return -1;
	ids_msgid_format(id, idtext);
	if ((rc = inbox_get(r->a->db, id, &im, st)) < 0)
		return -1;
	if (rc == 1) {
		state = inbox_state_name(im.state);
		if (im.purged_ms != 0) {
			purged_header(&env.h, id, im.type, im.from, r->a->settings->agency,
			    im.case_id, im.urgency, im.created_ms, im.has_reply_to ? im.reply_to : NULL);
			render_purged(r, dir, &env.h, state, im.purged_ms);
			return 0;
		}
		if (inbox_bytes(r->a->db, id, &envb, &elen, &pt, &plen, st) != 1)
			goto out;
	} else {
		dir = "out";
		if ((rc = outbox_get(r->a->db, id, &om, st)) <= 0) {
			if (rc == 0)
				status_set(st, STATUS_BAD_FIELD,
				    "no message %s here; 'dutynet inbox' and 'dutynet outbox --all' "
				    "list them", idtext);
			return -1;
		}
		state = outbox_state_name(om.state);
		if (om.purged_ms != 0) {
			purged_header(&env.h, id, om.type, r->a->settings->agency, om.to,
			    om.case_id, om.urgency, om.created_ms, om.has_reply_to ? om.reply_to : NULL);
			render_purged(r, dir, &env.h, state, om.purged_ms);
			return 0;
		}
		if (outbox_envelope(r->a->db, id, &envb, &elen, st) != 1)
			goto out;
	}
	if (envelope_decode(envb, elen, &env, st) != 0)
		goto out;
	if (pt == NULL && rc == 1 && im.state == INBOX_REJECTED) {
		render_header(r->out, dir, &env.h, state);
		if (r->out->json)
			output_printf(r->out, ", \"rejected\": {\"code\": %d, \"text\": ", im.reject_code);
		else
			output_printf(r->out, "rejected on arrival: %d %s: ", im.reject_code,
			    status_name(im.reject_code));
		if (r->out->json) {
			output_json_str(r->out, im.reject_text);
			output_printf(r->out, "}}\n");
		} else {
			output_printf(r->out, "%s\n", im.reject_text);
		}
		ret = 0;
		goto out;
	}
	if (pt == NULL && open_sent(r, &env, &pt, &plen, st) != 0)
		goto out;
	if (payload_decode(env.h.type, pt, plen, &p, st) != 0)
		goto out;
	render_header(r->out, dir, &env.h, state);
	if (r->out->json)
		output_printf(r->out, ", \"content\": {\"type\": \"%s\"", envelope_type_name(env.h.type));
	render_payload(r->out, env.h.type, &p);
	if (r->out->json)
		output_printf(r->out, "}}\n");
	ret = 0;
out:
	if (pt != NULL) {
		sodium_memzero(pt, plen);
		free(pt);
	}
	free(envb);
	return ret;
}
