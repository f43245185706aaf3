/* SPDX-License-Identifier: ISC */
/*
 * duelist: gathering every open deadline (see duelist.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agents/duelist.h"
#include "agents/inbox.h"
#include "agents/outbox.h"

static const char *const role_names[] = {
	[DUELIST_SENDER] = "sender", [DUELIST_RECIPIENT] = "recipient", [DUELIST_TOLD] = "told",
};

const char *
duelist_role_name(int role)
{
	return role >= DUELIST_SENDER && role <= DUELIST_TOLD ? role_names[role] : NULL;
}

static struct duelist_row *
add(struct duelist *t)
{
	struct duelist_row *grown;
	size_t cap;

	if (t->n == t->cap) {
		cap = t->cap ? t->cap * 2 : DUELIST_FIRST_CAP;
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
open_steps(struct duelist *t, enum duelist_role role, const uint8_t id[IDS_MSGID_BYTES],
    const char *case_id, const char *with, const struct due_facts *f)
{
	const struct agent *a = t->a;
	struct due due;
	struct duelist_row *row;
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
	struct duelist *t = arg;
	struct due_facts f;

	if (m->type != ENVELOPE_REFERRAL && m->type != ENVELOPE_CONCERN)
		return 0;
	if (due_facts_sent(t->a->db, m, &f, t->st) != 0) {
		t->failed = 1;
		return 1;
	}
	return open_steps(t, DUELIST_SENDER, m->id, m->case_id, m->to, &f);
}

static int
received(const struct inbox_msg *m, void *arg)
{
	struct duelist *t = arg;
	struct due_facts f;

	if (m->type != ENVELOPE_REFERRAL && m->type != ENVELOPE_CONCERN)
		return 0;
	if (due_facts_received(t->a->db, m, t->a->self->id, &f, t->st) != 0) {
		t->failed = 1;
		return 1;
	}
	return open_steps(t, DUELIST_RECIPIENT, m->id, m->case_id, m->from, &f);
}

/* 1 if id is a message in this agency's inbox or outbox, 0 if not, -1
 * (t->failed) if the database failed. */
static int
ours(struct duelist *t, const uint8_t id[IDS_MSGID_BYTES])
{
	struct inbox_msg im;
	struct outbox_msg om;
	int rc;

	if ((rc = inbox_get(t->a->db, id, &im, t->st)) == 0)
		rc = outbox_get(t->a->db, id, &om, t->st);
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
	struct duelist *t = arg;
	struct duelist_row *told = NULL;
	size_t i;
	int tracked = 0, rc;

	for (i = 0; i < t->n; i++) {
		if (memcmp(t->v[i].id, n->about, IDS_MSGID_BYTES) != 0)
			continue;
		if (t->v[i].role == DUELIST_TOLD) {
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
	told->role = DUELIST_TOLD;
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
	const struct duelist_row *a = x, *b = y;

	if (a->step.due_ms != b->step.due_ms)
		return a->step.due_ms < b->step.due_ms ? -1 : 1;
	/* Due at the same time: the more urgent first (a lower number). */
	if (a->urgency != b->urgency)
		return a->urgency < b->urgency ? -1 : 1;
	return memcmp(a->id, b->id, IDS_MSGID_BYTES);
}

int
duelist_load(const struct agent *a, uint64_t now_ms, struct duelist *t, struct status *st)
{
	memset(t, 0, sizeof(*t));
	t->a = a;
	t->st = st;
	t->now = now_ms;
	if (outbox_list(a->db, 0, sent, t, st) != 0 || t->failed ||
	    inbox_list(a->db, received, t, st) != 0 || t->failed ||
	    notice_list(a->db, NULL, noticed, t, st) != 0 || t->failed)
		return -1;
	if (t->n > 1)
		qsort(t->v, t->n, sizeof(*t->v), soonest);
	return 0;
}

void
duelist_free(struct duelist *t)
{
	free(t->v);
	t->v = NULL;
	t->n = t->cap = 0;
}
