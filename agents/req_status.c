/* SPDX-License-Identifier: ISC */
/*
 * req_status: `dutynet status ID`, where a message is and how it got there.
 * The timeline is the audit log itself - the entries about the message and
 * about every reply to it (acknowledgement, decision, feedback, receipts'
 * effects, the broker's reminders and escalations, an out-of-hours copy),
 * merged in the log's order - so what people see is exactly what an auditor
 * can verify.  After it, a referral's or concern's deadlines (due.h): each
 * step's due time, and whether it was met, is late (by how much, working
 * and clock time), pending or overdue.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agents/due.h"
#include "agents/inbox.h"
#include "agents/outbox.h"
#include "agents/req.h"
#include "agents/timeline.h"
#include "common/auditlog.h"
#include "common/clock.h"

static const char *const known[] = {"id", NULL};

/* A timeline's column widths: the widest time, event and agency in it, so
 * that every line lines up whatever the names (out-of-hours-copy) and
 * however a time is written (milliseconds, offset). */
struct columns {
	int when;
	int event;
	int agency;
};

static int
widest(int w, const char *s)
{
	int n = (int)strlen(s);

	return n > w ? n : w;
}

static void
measure(const struct timeline *t, struct columns *c)
{
	char when[OUTPUT_TIME_LEN];
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < t->n; i++) {
		output_time(t->ev[i].time_ms, when);
		c->when = widest(c->when, when);
		c->event = widest(c->event, t->ev[i].event);
		c->agency = widest(c->agency, t->ev[i].agency[0] ? t->ev[i].agency : "-");
	}
}

static void
render(struct output *o, const struct timeline *t, const uint8_t id[IDS_MSGID_BYTES])
{
	char when[OUTPUT_TIME_LEN], other[IDS_MSGID_TEXT + 1];
	struct columns c;
	size_t i;

	measure(t, &c);
	for (i = 0; i < t->n; i++) {
		const struct timeline_event *e = &t->ev[i];

		if (o->json) {
			output_printf(o, "%s{", i ? ",\n  " : "\n  ");
			output_json_key_uint(o, true, "seq", e->seq);
			output_json_key_time(o, false, "time", e->time_ms);
			output_json_key_str(o, false, "event", e->event);
			output_json_key_str(o, false, "agency", e->agency[0] ? e->agency : NULL);
			output_json_key_id(o, false, "message_id", e->has_id ? e->id : NULL);
			output_json_key_str(o, false, "detail", e->detail);
			output_printf(o, "}");
			continue;
		}
		output_time(e->time_ms, when);
		output_printf(o, "  %-*s  %-*s  %-*s  %s", c.when, when, c.event, e->event, c.agency,
		    e->agency[0] ? e->agency : "-", e->detail);
		if (e->has_id && memcmp(e->id, id, IDS_MSGID_BYTES) != 0) {
			ids_msgid_format(e->id, other);
			output_printf(o, " [%s]", other);
		}
		output_printf(o, "\n");
	}
}

/* The state of a step in words, after its time limit. */
static void
step_words(const struct due_step *s, char *out, size_t cap)
{
	char due[OUTPUT_TIME_LEN], done[OUTPUT_TIME_LEN], w[OUTPUT_SPAN_LEN], c[OUTPUT_SPAN_LEN];

	output_time(s->due_ms, due);
	output_time(s->done_ms, done);
	output_span(s->late_working_ms, w);
	output_span(s->late_clock_ms, c);
	switch (s->state) {
	case DUE_NOT_STARTED:
		snprintf(out, cap, "not started: counts from %s", s->step == DEADLINE_FEEDBACK ?
		    "the decision" : "the broker's acceptance");
		break;
	case DUE_PENDING:
		snprintf(out, cap, "due %s", due);
		break;
	case DUE_OVERDUE:
		snprintf(out, cap, "due %s: OVERDUE by %s working (%s clock)", due, w, c);
		break;
	case DUE_MET:
		snprintf(out, cap, "due %s: met %s", due, done);
		break;
	case DUE_LATE:
		snprintf(out, cap, "due %s: LATE, done %s, %s working (%s clock) after it", due,
		    done, w, c);
		break;
	}
}

/* The message's deadlines (due.h) after its timeline: none for a message
 * that has none. */
static int
render_due(struct req *r, const struct due_facts *f, struct status *st)
{
	struct output *o = r->out;
	const struct due_step *s;
	char words[STATUS_TEXT_LEN], limit[DUE_STEPS][DUE_WORDS_LEN];
	struct due d;
	size_t i;
	int step_w = 0, limit_w = 0;

	if (due_compute(policy_deadlines(r->a->policy), r->a->dir, r->a->cals, f, clock_now_ms(),
		&d, st) != 0)
		return -1;
	if (o->json) {
		output_printf(o, ", \"deadlines\": [");
		for (i = 0; i < d.n; i++) {
			s = &d.steps[i];
			output_printf(o, "%s{", i ? ", " : "");
			output_json_key_str(o, true, "step", deadline_step_name(s->step));
			output_json_key_str(o, false, "within", s->within->text);
			output_json_key_str(o, false, "state", due_state_name(s->state));
			output_json_key_time(o, false, "due", s->due_ms);
			output_json_key_time(o, false, "done", s->done_ms);
			output_json_key_int(o, false, "late_working_ms", s->late_working_ms);
			output_json_key_int(o, false, "late_clock_ms", s->late_clock_ms);
			output_printf(o, "}");
		}
		output_printf(o, "]");
		return 0;
	}
	if (d.rule == NULL)
		return 0;
	output_printf(o, "deadlines (%s%s%s, %s's calendar):\n", d.rule->name ? "rule \"" :
	    "the built-in rules", d.rule->name ? d.rule->name : "", d.rule->name ? "\"" : "",
	    f->to);
	/* Columns as wide as their widest entry: "by the end of the 10th
	 * working day" is much longer than "within 1 working day". */
	for (i = 0; i < d.n; i++) {
		due_within_words(d.steps[i].within, limit[i]);
		step_w = widest(step_w, deadline_step_name(d.steps[i].step));
		limit_w = widest(limit_w, limit[i]);
	}
	for (i = 0; i < d.n; i++) {
		s = &d.steps[i];
		step_words(s, words, sizeof(words));
		output_printf(o, "  %-*s  %-*s  %s\n", step_w, deadline_step_name(s->step), limit_w,
		    limit[i], words);
	}
	return 0;
}

int
req_status(struct req *r, struct status *st)
{
	struct timeline t;
	struct inbox_msg im;
	struct outbox_msg om;
	struct due_facts facts;
	uint8_t id[IDS_MSGID_BYTES];
	char idtext[IDS_MSGID_TEXT + 1];
	const char *dir, *state, *peer;
	int type, in, out, ret = -1;

	if (req_known(r, known, st) != 0 || req_id(r, id, st) != 0)
		return -1;
	ids_msgid_format(id, idtext);
	if ((in = inbox_get(r->a->db, id, &im, st)) < 0 ||
	    (out = in == 1 ? 0 : outbox_get(r->a->db, id, &om, st)) < 0)
		return -1;
	if (in == 0 && out == 0)
		return status_set(st, STATUS_BAD_FIELD,
		    "no message %s here; 'dutynet inbox' and 'dutynet outbox --all' list them",
		    idtext);
	dir = in ? "in" : "out";
	type = in ? im.type : om.type;
	state = in ? inbox_state_name(im.state) : outbox_state_name(om.state);
	peer = in ? im.from : om.to;

	if (timeline_load(r->a->db, id, &t, st) != 0)
		goto out;

	if ((in ? due_facts_received(r->a->db, &im, r->a->self->id, &facts, st) :
		due_facts_sent(r->a->db, &om, &facts, st)) != 0)
		goto out;
	if (r->out->json) {
		output_printf(r->out, "{");
		output_json_key_str(r->out, true, "id", idtext);
		output_json_key_str(r->out, false, "direction", dir);
		output_json_key_str(r->out, false, "type", envelope_type_name(type));
		output_json_key_str(r->out, false, in ? "from" : "to", peer);
		output_json_key_str(r->out, false, "state", state);
		output_printf(r->out, ", \"timeline\": [");
		render(r->out, &t, id);
		output_printf(r->out, "%s]", t.n ? "\n" : "");
		if (render_due(r, &facts, st) != 0)
			goto out;
		output_printf(r->out, "}\n");
	} else {
		output_printf(r->out, "%s %s %s %s: %s\n", envelope_type_name(type), idtext,
		    in ? "from" : "to", peer, state);
		render(r->out, &t, id);
		if (render_due(r, &facts, st) != 0)
			goto out;
	}
	ret = 0;
out:
	timeline_free(&t);
	return ret;
}
