/* SPDX-License-Identifier: ISC */
/*
 * req_deadlines: `dutynet deadlines`, what is due and overdue for this
 * agency, soonest first: as recipient, the acknowledgements, decisions and
 * feedback it owes; as sender, the answers it waits for; and the broker's
 * escalation notices about other agencies' messages that it was told of
 * (a partnership, a manager).  Each open step says when it is due and, if
 * overdue, by how much in working and in clock time.  The arithmetic is
 * due.c's, with the broker's rules, so both agree on every due time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agents/due.h"
#include "agents/notice.h"
#include "agents/req.h"
#include "common/clock.h"

#define ROWS_FIRST_CAP 32

static const char *const known[] = {NULL};

enum role { ROLE_SENDER, ROLE_RECIPIENT, ROLE_TOLD };

static const char *const role_names[] = {
	[ROLE_SENDER] = "sender", [ROLE_RECIPIENT] = "recipient", [ROLE_TOLD] = "told",
};

/* One open deadline. */
struct row {
	enum role role;
	uint8_t id[IDS_MSGID_BYTES];	/* the message */
	int type;
	int urgency;
	char case_id[IDS_CASE_MAX + 1];
	char with[IDS_AGENCY_MAX + 1];	/* the other side ("" for told) */
	struct due_step step;		/* ROLE_TOLD: due_ms and lateness only */
	unsigned reminders;		/* notices received about it */
	unsigned escalations;
	char text[NOTICE_TEXT_MAX];	/* ROLE_TOLD: the latest notice's text */
};

struct rows {
	struct req *r;
	uint64_t now;
	struct row *v;
	size_t n;
	size_t cap;
	int failed;			/* out of memory, or st set (db) */
	struct status *st;
};

static struct row *
add(struct rows *t)
{
	struct row *grown;
	size_t cap;

	if (t->n == t->cap) {
		cap = t->cap ? t->cap * 2 : ROWS_FIRST_CAP;
		if ((grown = realloc(t->v, cap * sizeof(*grown))) == NULL) {
			status_set(t->st, STATUS_STORE_FAILED, "out of memory listing deadlines");
			t->failed = 1;
			return NULL;
		}
		t->v = grown;
		t->cap = cap;
	}
	memset(&t->v[t->n], 0, sizeof(t->v[t->n]));
	return &t->v[t->n++];
}

/* Adds a row per open step of the message with facts f. */
static int
open_steps(struct rows *t, enum role role, const uint8_t id[IDS_MSGID_BYTES],
    const char *case_id, const char *with, const struct due_facts *f)
{
	const struct agent *a = t->r->a;
	struct due due;
	struct row *row;
	size_t i;

	if (due_compute(policy_deadlines(a->policy), a->dir, a->cals, f, t->now, &due, t->st) != 0) {
		t->failed = 1;
		return 1;
	}
	for (i = 0; i < due.n; i++) {
		if (due.steps[i].state != DUE_PENDING && due.steps[i].state != DUE_OVERDUE)
			continue;
		if ((row = add(t)) == NULL)
			return 1;
		row->role = role;
		memcpy(row->id, id, IDS_MSGID_BYTES);
		row->type = f->type;
		row->urgency = f->urgency;
		snprintf(row->case_id, sizeof(row->case_id), "%s", case_id);
		snprintf(row->with, sizeof(row->with), "%s", with);
		row->step = due.steps[i];
	}
	return 0;
}

static int
sent(const struct outbox_msg *m, void *arg)
{
	struct rows *t = arg;
	struct due_facts f;

	if (m->type != ENVELOPE_REFERRAL && m->type != ENVELOPE_CONCERN)
		return 0;
	if (due_facts_sent(t->r->a->db, m, &f, t->st) != 0) {
		t->failed = 1;
		return 1;
	}
	return open_steps(t, ROLE_SENDER, m->id, m->case_id, m->to, &f);
}

static int
received(const struct inbox_msg *m, void *arg)
{
	struct rows *t = arg;
	struct due_facts f;

	if (m->type != ENVELOPE_REFERRAL && m->type != ENVELOPE_CONCERN)
		return 0;
	if (due_facts_received(t->r->a->db, m, t->r->a->self->id, &f, t->st) != 0) {
		t->failed = 1;
		return 1;
	}
	return open_steps(t, ROLE_RECIPIENT, m->id, m->case_id, m->from, &f);
}

/* 1 if id is a message in this agency's inbox or outbox, 0 if not, -1
 * (t->failed) if the database failed. */
static int
ours(struct rows *t, const uint8_t id[IDS_MSGID_BYTES])
{
	struct inbox_msg im;
	struct outbox_msg om;
	int rc;

	if ((rc = inbox_get(t->r->a->db, id, &im, t->st)) == 0)
		rc = outbox_get(t->r->a->db, id, &om, t->st);
	if (rc < 0)
		t->failed = 1;
	return rc;
}

/* A notice: counted on the rows about its message, or - for a message
 * that is not ours - a "told" row of its own, from its escalations of the
 * last NOTICE_TOLD_MS (the latest one's due time and text). */
static int
noticed(const struct notice_row *n, void *arg)
{
	struct rows *t = arg;
	struct row *told = NULL;
	size_t i;
	int tracked = 0, rc;

	for (i = 0; i < t->n; i++) {
		if (memcmp(t->v[i].id, n->about, IDS_MSGID_BYTES) != 0)
			continue;
		if (t->v[i].role == ROLE_TOLD) {
			told = &t->v[i];
			continue;
		}
		tracked = 1;
		t->v[i].reminders += n->kind == NOTICE_REMINDER;
		t->v[i].escalations += n->kind == NOTICE_ESCALATION;
	}
	if (tracked || n->kind != NOTICE_ESCALATION ||
	    n->received_ms + NOTICE_TOLD_MS < t->now)
		return 0;
	/* Ours, and nothing open on it any more: answered since. */
	if (told == NULL && (rc = ours(t, n->about)) != 0)
		return rc < 0;
	if (told == NULL && (told = add(t)) == NULL)
		return 1;
	told->role = ROLE_TOLD;
	memcpy(told->id, n->about, IDS_MSGID_BYTES);
	told->escalations++;
	told->step.state = n->due_ms < t->now ? DUE_OVERDUE : DUE_PENDING;
	told->step.due_ms = n->due_ms;
	deadline_lateness(NULL, URGENCY_IMMEDIATE, n->due_ms, t->now, &told->step.late_working_ms,
	    &told->step.late_clock_ms);
	snprintf(told->text, sizeof(told->text), "%s", n->text);
	return 0;
}

static int
soonest(const void *x, const void *y)
{
	const struct row *a = x, *b = y;

	if (a->step.due_ms != b->step.due_ms)
		return a->step.due_ms < b->step.due_ms ? -1 : 1;
	return memcmp(a->id, b->id, IDS_MSGID_BYTES);
}

/* "overdue by 2h working (16h clock)", "due in 3h 10m". */
static void
how(const struct row *row, uint64_t now, char *out, size_t cap)
{
	char w[OUTPUT_SPAN_LEN], c[OUTPUT_SPAN_LEN];
	size_t n;

	if (row->step.state == DUE_OVERDUE) {
		output_span(row->step.late_working_ms, w);
		output_span(row->step.late_clock_ms, c);
		if (row->role == ROLE_TOLD)
			n = (size_t)snprintf(out, cap, "overdue by %s", c);
		else
			n = (size_t)snprintf(out, cap, "overdue by %s working (%s clock)", w, c);
	} else {
		output_span((int64_t)(row->step.due_ms - now), c);
		n = (size_t)snprintf(out, cap, "due in %s", c);
	}
	if (n < cap && (row->reminders || row->escalations))
		snprintf(out + n, cap - n, "; %u reminder%s, %u escalation%s", row->reminders,
		    row->reminders == 1 ? "" : "s", row->escalations,
		    row->escalations == 1 ? "" : "s");
}

static void
render(struct output *o, const struct rows *t)
{
	char id[IDS_MSGID_TEXT + 1], due[OUTPUT_TIME_LEN], state[OUTPUT_SPAN_LEN * 3];
	const struct row *row;
	size_t i;

	for (i = 0; i < t->n; i++) {
		row = &t->v[i];
		ids_msgid_format(row->id, id);
		if (o->json) {
			output_printf(o, "%s{", i ? ",\n  " : "\n  ");
			output_json_key_time(o, true, "due", row->step.due_ms);
			output_json_key_str(o, false, "state", due_state_name(row->step.state));
			output_json_key_str(o, false, "step", row->role == ROLE_TOLD ? NULL :
			    deadline_step_name(row->step.step));
			output_json_key_str(o, false, "role", role_names[row->role]);
			output_json_key_str(o, false, "id", id);
			output_json_key_str(o, false, "type", row->role == ROLE_TOLD ? NULL :
			    envelope_type_name(row->type));
			output_json_key_str(o, false, "with", row->role == ROLE_TOLD ? NULL : row->with);
			output_json_key_str(o, false, "case", row->role == ROLE_TOLD ? NULL :
			    row->case_id);
			output_json_key_str(o, false, "urgency", row->role == ROLE_TOLD ? NULL :
			    envelope_urgency_name(row->urgency));
			output_json_key_int(o, false, "late_working_ms",
			    row->step.state == DUE_OVERDUE ? row->step.late_working_ms : 0);
			output_json_key_int(o, false, "late_clock_ms",
			    row->step.state == DUE_OVERDUE ? row->step.late_clock_ms : 0);
			output_json_key_uint(o, false, "reminders", row->reminders);
			output_json_key_uint(o, false, "escalations", row->escalations);
			output_json_key_str(o, false, "notice", row->role == ROLE_TOLD ? row->text :
			    NULL);
			output_printf(o, "}");
			continue;
		}
		if (i == 0)
			output_printf(o, "%-29s  %-8s  %-9s  %-36s  %-20s  %s\n", "DUE", "STEP", "ROLE",
			    "MESSAGE", "WITH", "STATE");
		output_time(row->step.due_ms, due);
		how(row, t->now, state, sizeof(state));
		output_printf(o, "%-29s  %-8s  %-9s  %-36s  %-20s  %s\n", due,
		    row->role == ROLE_TOLD ? "-" : deadline_step_name(row->step.step),
		    role_names[row->role], id, row->role == ROLE_TOLD ? "-" : row->with, state);
		if (row->role == ROLE_TOLD)
			output_printf(o, "    %s\n", row->text);
	}
}

int
req_deadlines(struct req *r, struct status *st)
{
	struct rows t;
	char now[OUTPUT_TIME_LEN];
	int ret = -1;

	if (req_known(r, known, st) != 0)
		return -1;
	memset(&t, 0, sizeof(t));
	t.r = r;
	t.st = st;
	t.now = clock_now_ms();
	if (outbox_list(r->a->db, 0, sent, &t, st) != 0 || t.failed ||
	    inbox_list(r->a->db, received, &t, st) != 0 || t.failed ||
	    notice_list(r->a->db, NULL, noticed, &t, st) != 0 || t.failed)
		goto out;
	if (t.n > 1)
		qsort(t.v, t.n, sizeof(*t.v), soonest);
	output_time(t.now, now);
	if (r->out->json) {
		output_printf(r->out, "{\"agency\": \"%s\", ", r->a->self->id);
		output_json_key_time(r->out, true, "now", t.now);
		output_printf(r->out, ", \"deadlines\": [");
		render(r->out, &t);
		output_printf(r->out, "%s]}\n", t.n ? "\n" : "");
	} else if (t.n == 0) {
		output_printf(r->out, "nothing is due: %s has no open deadlines (%s)\n",
		    r->a->self->id, now);
	} else {
		render(r->out, &t);
		output_printf(r->out, "%zu open deadline%s of %s at %s, soonest first.\n"
		    "'dutynet status ID' shows all of one message's deadlines, met and late ones "
		    "too.\n", t.n, t.n == 1 ? "" : "s", r->a->self->id, now);
	}
	ret = 0;
out:
	free(t.v);
	return ret;
}
