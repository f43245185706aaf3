/* SPDX-License-Identifier: ISC */
/*
 * req_answer: a person answers a referral or concern this agency received -
 * `dutynet ack ID`, `dutynet decide ID accept|decline|redirect`, `dutynet
 * feedback ID`.  Each records the answer against the received message
 * (audited), and queues the signed answer to its sender, in the request's
 * transaction.  A redirect also forwards the referral, unchanged, to the
 * agency it is redirected to, as a new message whose in_reply_to names the
 * original (PROTOCOL.md 6.3) - checked against the sharing policy first, so
 * a redirect that cannot happen is refused before anything is recorded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "agents/compose.h"
#include "agents/inbox.h"
#include "agents/outbox.h"
#include "agents/req.h"
#include "common/auditlog.h"
#include "common/clock.h"

static const char *const ack_known[] = {"id", "by", "text", NULL};
static const char *const decide_known[] = {"id", "decision", "reason", "to", "by", "text", NULL};
static const char *const feedback_known[] = {"id", "by", "text", NULL};

static void
text(struct payload_text *t, const char *s)
{
	t->s = s != NULL ? s : "";
	t->len = (uint32_t)strlen(t->s);
}

/* Seals p as an answer of type to the received m and queues it; *id is the
 * new message's id. */
static int
queue_answer(struct req *r, const struct inbox_msg *m, int type, const struct payload *p,
    uint8_t id[IDS_MSGID_BYTES], struct status *st)
{
	struct envelope_header h;
	struct envelope env;
	uint8_t *out = NULL;
	size_t len;
	int ret = -1;

	memset(&h, 0, sizeof(h));
	h.type = (uint8_t)type;
	memcpy(h.to, m->from, sizeof(h.to));
	memcpy(h.case_id, m->case_id, sizeof(h.case_id));
	h.has_reply_to = true;
	memcpy(h.reply_to, m->id, IDS_MSGID_BYTES);
	h.urgency = (uint8_t)m->urgency;
	if (compose_seal(r->a, &h, p, &out, &len, st) != 0)
		return -1;
	if (envelope_decode(out, len, &env, st) == 0 &&
	    outbox_put(r->a->db, &env, out, len, clock_now_ms(), st) == 0) {
		memcpy(id, h.id, IDS_MSGID_BYTES);
		r->a->kick = true;
		ret = 0;
	}
	free(out);
	return ret;
}

/* Reads the message named by argument "id" from the inbox and checks that
 * it is a referral or concern that was accepted on arrival. */
static int
received(struct req *r, uint8_t id[IDS_MSGID_BYTES], struct inbox_msg *m, struct status *st)
{
	char idtext[IDS_MSGID_TEXT + 1];
	int rc;

	if (req_id(r, id, st) != 0)
		return -1;
	if ((rc = inbox_get(r->a->db, id, m, st)) < 0)
		return -1;
	ids_msgid_format(id, idtext);
	if (rc == 0)
		return status_set(st, STATUS_BAD_FIELD,
		    "no message %s in the inbox of %s; 'dutynet inbox' lists what was received",
		    idtext, r->a->self->id);
	if (m->type != ENVELOPE_REFERRAL && m->type != ENVELOPE_CONCERN)
		return status_set(st, STATUS_BAD_FIELD,
		    "message %s is a %s; only referrals and concerns are answered", idtext,
		    envelope_type_name(m->type));
	if (m->state == INBOX_REJECTED)
		return status_set(st, STATUS_BAD_FIELD,
		    "message %s was rejected on arrival (%d %s); there is nothing to answer",
		    idtext, m->reject_code, status_name(m->reject_code));
	return 0;
}

static void
render(struct req *r, const char *what, const uint8_t answer[IDS_MSGID_BYTES],
    const struct inbox_msg *m, const char *extra)
{
	char a[IDS_MSGID_TEXT + 1], o[IDS_MSGID_TEXT + 1];

	ids_msgid_format(answer, a);
	ids_msgid_format(m->id, o);
	if (r->out->json) {
		output_printf(r->out, "{");
		output_json_key_str(r->out, true, "id", a);
		output_json_key_str(r->out, false, "type", what);
		output_json_key_str(r->out, false, "in_reply_to", o);
		output_json_key_str(r->out, false, "to", m->from);
		output_json_key_str(r->out, false, "state", outbox_state_name(OUTBOX_QUEUED));
		output_printf(r->out, "}\n");
		return;
	}
	output_printf(r->out, "queued %s %s to %s for %s%s\nFollow it with: dutynet status %s\n",
	    what, a, m->from, o, extra, o);
}

int
req_ack(struct req *r, struct status *st)
{
	uint8_t id[IDS_MSGID_BYTES], answer[IDS_MSGID_BYTES];
	char by[INBOX_BY_MAX], when[OUTPUT_TIME_LEN];
	struct req_person who;
	struct inbox_msg m;
	struct payload p;
	int rc;

	if (req_known(r, ack_known, st) != 0 || received(r, id, &m, st) != 0 ||
	    req_by(r, &who, st) != 0)
		return -1;
	snprintf(by, sizeof(by), "%s, %s", who.name, who.role);
	if ((rc = inbox_acknowledge(r->a->db, id, by, clock_now_ms(), st)) < 0)
		return -1;
	if (rc == 0) {
		/* Already acknowledged: nothing new to say, and nothing sent. */
		output_time(m.ack_ms, when);
		if (r->out->json) {
			output_printf(r->out, "{");
			output_json_key_id(r->out, true, "in_reply_to", id);
			output_json_key_str(r->out, false, "state", inbox_state_name(m.state));
			output_json_key_str(r->out, false, "acknowledged_by", m.ack_by);
			output_json_key_time(r->out, false, "acknowledged", m.ack_ms);
			output_printf(r->out, "}\n");
		} else {
			output_printf(r->out, "already acknowledged by %s at %s; nothing sent\n",
			    m.ack_by[0] ? m.ack_by : "-", when);
		}
		return 0;
	}
	memset(&p, 0, sizeof(p));
	p.type = ENVELOPE_ACK;
	text(&p.u.note.by_name, who.name);
	text(&p.u.note.by_role, who.role);
	text(&p.u.note.text, ctlmsg_get(r->rq, "text"));
	if (queue_answer(r, &m, ENVELOPE_ACK, &p, answer, st) != 0)
		return -1;
	render(r, "ack", answer, &m, "");
	return 0;
}

/* Forwards the received referral m, unchanged, to agency to. */
static int
forward(struct req *r, const struct inbox_msg *m, const char *to, struct status *st)
{
	struct envelope_header h;
	struct envelope env;
	struct payload p;
	uint8_t *envb = NULL, *pt = NULL, *out = NULL;
	size_t elen, plen = 0, len;
	int ret = -1;

	if (inbox_bytes(r->a->db, m->id, &envb, &elen, &pt, &plen, st) != 1 || pt == NULL) {
		if (st->code == STATUS_OK)
			status_set(st, STATUS_BAD_FIELD, "the referral's content is not stored");
		goto out;
	}
	if (payload_decode((uint8_t)m->type, pt, plen, &p, st) != 0)
		goto out;
	memset(&h, 0, sizeof(h));
	h.type = (uint8_t)m->type;
	snprintf(h.to, sizeof(h.to), "%s", to);
	memcpy(h.case_id, m->case_id, sizeof(h.case_id));
	h.has_reply_to = true;
	memcpy(h.reply_to, m->id, IDS_MSGID_BYTES);
	h.urgency = (uint8_t)m->urgency;
	if (compose_seal(r->a, &h, &p, &out, &len, st) != 0)
		goto out;
	if (envelope_decode(out, len, &env, st) != 0 ||
	    outbox_put(r->a->db, &env, out, len, clock_now_ms(), st) != 0)
		goto out;
	ret = 0;
out:
	if (pt != NULL) {
		sodium_memzero(pt, plen);
		free(pt);
	}
	free(envb);
	free(out);
	return ret;
}

int
req_decide(struct req *r, struct status *st)
{
	uint8_t id[IDS_MSGID_BYTES], answer[IDS_MSGID_BYTES];
	char by[INBOX_BY_MAX], detail[AUDITLOG_DETAIL_MAX], extra[IDS_AGENCY_MAX + 32] = "";
	const char *dname, *reason, *to;
	struct req_person who;
	struct inbox_msg m;
	struct payload p;
	int d;

	if (req_known(r, decide_known, st) != 0 || received(r, id, &m, st) != 0 ||
	    (dname = req_need(r, "decision", st)) == NULL || req_by(r, &who, st) != 0)
		return -1;
	if ((d = payload_decision_parse(dname)) < 0)
		return status_set(st, STATUS_BAD_FIELD,
		    "decision '%.20s' is not accept, decline or redirect", dname);
	reason = ctlmsg_get(r->rq, "reason");
	to = ctlmsg_get(r->rq, "to");
	if (d != DECISION_ACCEPT && (reason == NULL || *reason == '\0'))
		return status_set(st, STATUS_BAD_FIELD, "a %s needs --reason saying why", dname);
	if (d == DECISION_REDIRECT && to == NULL)
		return status_set(st, STATUS_BAD_FIELD, "a redirect needs --to AGENCY");
	if (d != DECISION_REDIRECT && to != NULL)
		return status_set(st, STATUS_BAD_FIELD, "--to goes only with redirect");
	if (to != NULL && ids_agency_valid(to, strlen(to), st) != 0)
		return status_set(st, STATUS_BAD_FIELD, "--to '%.40s' is not an agency id", to);
	if (to != NULL && strcmp(to, r->a->self->id) == 0)
		return status_set(st, STATUS_BAD_FIELD, "--to names this agency itself");
	snprintf(by, sizeof(by), "%s, %s", who.name, who.role);
	snprintf(detail, sizeof(detail), "%s%s%s by %s", dname, to ? " to " : "", to ? to : "", by);
	if (inbox_decide(r->a->db, id, dname, by, detail, clock_now_ms(), st) != 0)
		return -1;
	if (d == DECISION_REDIRECT) {
		if (forward(r, &m, to, st) != 0)
			return -1;
		snprintf(extra, sizeof(extra), ", and forwarded it to %s", to);
	}
	memset(&p, 0, sizeof(p));
	p.type = ENVELOPE_DECISION;
	text(&p.u.decision.by_name, who.name);
	text(&p.u.decision.by_role, who.role);
	p.u.decision.decision = (uint8_t)d;
	text(&p.u.decision.reason, reason);
	if (to != NULL)
		text(&p.u.decision.redirect_to, to);
	text(&p.u.decision.text, ctlmsg_get(r->rq, "text"));
	if (queue_answer(r, &m, ENVELOPE_DECISION, &p, answer, st) != 0)
		return -1;
	render(r, "decision", answer, &m, extra);
	return 0;
}

int
req_feedback(struct req *r, struct status *st)
{
	uint8_t id[IDS_MSGID_BYTES], answer[IDS_MSGID_BYTES];
	char detail[AUDITLOG_DETAIL_MAX], atext[IDS_MSGID_TEXT + 1];
	struct req_person who;
	struct inbox_msg m;
	struct payload p;
	const char *t;

	if (req_known(r, feedback_known, st) != 0 || received(r, id, &m, st) != 0 ||
	    (t = req_need(r, "text", st)) == NULL || req_by(r, &who, st) != 0)
		return -1;
	memset(&p, 0, sizeof(p));
	p.type = ENVELOPE_FEEDBACK;
	text(&p.u.note.by_name, who.name);
	text(&p.u.note.by_role, who.role);
	text(&p.u.note.text, t);
	if (queue_answer(r, &m, ENVELOPE_FEEDBACK, &p, answer, st) != 0)
		return -1;
	ids_msgid_format(answer, atext);
	snprintf(detail, sizeof(detail), "by %s, %s (feedback %s)", who.name, who.role, atext);
	if (auditlog_append(r->a->db, "feedback", m.from, id, detail, st) != 0)
		return -1;
	render(r, "feedback", answer, &m, "");
	return 0;
}
