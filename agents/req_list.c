/* SPDX-License-Identifier: ISC */
/*
 * req_list: `dutynet inbox` (what was received) and `dutynet outbox` (what
 * was sent and is not final yet - or everything with --all - and, for each,
 * why it is still pending: the link's state, the broker's last answer, the
 * next try, or whose receipt it waits for).
 */
#include <stdio.h>
#include <string.h>

#include "agents/inbox.h"
#include "agents/link.h"
#include "agents/outbox.h"
#include "agents/req.h"

#define WHY_MAX 512

static const char *const inbox_known[] = {NULL};
static const char *const outbox_known[] = {"all", NULL};

struct walk {
	struct req *r;
	size_t n;
};

static int
inbox_row(const struct inbox_msg *m, void *arg)
{
	struct walk *w = arg;
	struct output *o = w->r->out;
	char id[IDS_MSGID_TEXT + 1], when[OUTPUT_TIME_LEN];

	ids_msgid_format(m->id, id);
	if (o->json) {
		output_printf(o, "%s{", w->n ? ",\n  " : "\n  ");
		output_json_key_str(o, true, "id", id);
		output_json_key_str(o, false, "type", envelope_type_name(m->type));
		output_json_key_str(o, false, "from", m->from);
		output_json_key_str(o, false, "case", m->case_id);
		output_json_key_str(o, false, "urgency", envelope_urgency_name(m->urgency));
		output_json_key_str(o, false, "state", inbox_state_name(m->state));
		output_json_key_time(o, false, "received", m->received_ms);
		output_json_key_id(o, false, "in_reply_to", m->has_reply_to ? m->reply_to : NULL);
		output_json_key_uint(o, false, "deliveries", m->deliveries);
		output_printf(o, "}");
	} else {
		if (w->n == 0)
			output_printf(o, "%-36s  %-29s  %-20s  %-10s  %-9s  %-12s  %s\n", "ID",
			    "RECEIVED", "FROM", "TYPE", "URGENCY", "STATE", "CASE");
		output_time(m->received_ms, when);
		output_printf(o, "%-36s  %-29s  %-20s  %-10s  %-9s  %-12s  %s\n", id, when, m->from,
		    envelope_type_name(m->type), envelope_urgency_name(m->urgency),
		    inbox_state_name(m->state), m->case_id);
	}
	w->n++;
	return 0;
}

int
req_inbox(struct req *r, struct status *st)
{
	struct walk w = { r, 0 };

	if (req_known(r, inbox_known, st) != 0)
		return -1;
	if (r->out->json)
		output_printf(r->out, "{\"agency\": \"%s\", \"messages\": [", r->a->self->id);
	if (inbox_list(r->a->db, inbox_row, &w, st) != 0)
		return -1;
	if (r->out->json)
		output_printf(r->out, "%s]}\n", w.n ? "\n" : "");
	else if (w.n == 0)
		output_printf(r->out, "the inbox of %s is empty\n", r->a->self->id);
	else
		output_printf(r->out, "%zu message%s; 'dutynet show ID' opens one\n", w.n,
		    w.n == 1 ? "" : "s");
	return 0;
}

/* Why m is where it is, in a sentence. */
static void
why(const struct req *r, const struct outbox_msg *m, char out[WHY_MAX])
{
	char t1[OUTPUT_TIME_LEN], t2[OUTPUT_TIME_LEN];
	const struct link *l = r->a->link;

	switch (m->state) {
	case OUTBOX_QUEUED:
		output_time(m->next_try_ms, t2);
		if (link_state(l) != LINK_READY)
			snprintf(out, WHY_MAX, "not sent: %s", link_state_text(l));
		else if (m->code != 0)
			snprintf(out, WHY_MAX, "the broker answered %d %s: %s; next try %s", m->code,
			    status_name(m->code), m->reason, t2);
		else if (m->attempts > 0) {
			output_time(m->last_sent_ms, t1);
			snprintf(out, WHY_MAX, "sent %u time%s, last %s; no answer from the broker "
			    "yet; next try %s", m->attempts, m->attempts == 1 ? "" : "s", t1, t2);
		} else
			snprintf(out, WHY_MAX, "about to be sent");
		break;
	case OUTBOX_ACCEPTED:
		output_time(m->accepted_ms, t1);
		snprintf(out, WHY_MAX, "accepted by the broker %s; waiting for %s's signed receipt "
		    "(%s's agent may be offline)", t1, m->to, m->to);
		break;
	case OUTBOX_DELIVERED:
		output_time(m->receipt_ms, t1);
		snprintf(out, WHY_MAX, "delivered: %s's signed receipt says it was stored %s", m->to,
		    t1);
		break;
	case OUTBOX_FAILED:
		snprintf(out, WHY_MAX, "failed: %d %s: %s", m->code, status_name(m->code), m->reason);
		break;
	}
}

static int
outbox_row(const struct outbox_msg *m, void *arg)
{
	struct walk *w = arg;
	struct output *o = w->r->out;
	char id[IDS_MSGID_TEXT + 1], reason[WHY_MAX];

	ids_msgid_format(m->id, id);
	why(w->r, m, reason);
	if (o->json) {
		output_printf(o, "%s{", w->n ? ",\n  " : "\n  ");
		output_json_key_str(o, true, "id", id);
		output_json_key_str(o, false, "type", envelope_type_name(m->type));
		output_json_key_str(o, false, "to", m->to);
		output_json_key_str(o, false, "case", m->case_id);
		output_json_key_str(o, false, "state", outbox_state_name(m->state));
		output_json_key_uint(o, false, "attempts", m->attempts);
		output_json_key_time(o, false, "created", m->created_ms);
		output_json_key_time(o, false, "last_sent", m->last_sent_ms);
		output_json_key_time(o, false, "next_try",
		    m->state == OUTBOX_QUEUED || m->state == OUTBOX_ACCEPTED ? m->next_try_ms : 0);
		output_json_key_time(o, false, "accepted", m->accepted_ms);
		output_json_key_time(o, false, "final", m->final_ms);
		output_json_key_uint(o, false, "code", (uint64_t)m->code);
		output_json_key_str(o, false, "why", reason);
		output_printf(o, "}");
	} else {
		output_printf(o, "%s  %-9s to %-20s  %-9s  %s\n", id, envelope_type_name(m->type),
		    m->to, outbox_state_name(m->state), reason);
	}
	w->n++;
	return 0;
}

int
req_outbox(struct req *r, struct status *st)
{
	struct walk w = { r, 0 };
	const char *all = ctlmsg_get(r->rq, "all");
	const struct link *l = r->a->link;
	int everything = all != NULL && strcmp(all, "1") == 0;

	if (req_known(r, outbox_known, st) != 0)
		return -1;
	if (r->out->json) {
		output_printf(r->out, "{\"agency\": \"%s\", \"broker\": {", r->a->self->id);
		output_json_key_str(r->out, true, "state",
		    link_state(l) == LINK_READY ? "connected" :
		    link_state(l) == LINK_REJECTED ? "rejected" :
		    link_state(l) == LINK_CONNECTED ? "handshake" : "connecting");
		output_json_key_str(r->out, false, "text", link_state_text(l));
		output_printf(r->out, "}, \"messages\": [");
	} else {
		output_printf(r->out, "broker: %s\n", link_state_text(l));
	}
	if (outbox_list(r->a->db, !everything, outbox_row, &w, st) != 0)
		return -1;
	if (r->out->json)
		output_printf(r->out, "%s]}\n", w.n ? "\n" : "");
	else if (w.n == 0)
		output_printf(r->out, "nothing %s\n", everything ? "sent yet" : "pending");
	return 0;
}
