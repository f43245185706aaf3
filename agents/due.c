/* SPDX-License-Identifier: ISC */
/*
 * due: a message's deadlines as this agency sees them (see due.h).
 */
#include <stdio.h>
#include <string.h>

#include "agents/due.h"
#include "proto/envelope.h"

static const char *const state_names[] = {
	[DUE_NOT_STARTED] = "not started",
	[DUE_PENDING] = "pending",
	[DUE_OVERDUE] = "overdue",
	[DUE_MET] = "met",
	[DUE_LATE] = "late",
};
#define N_STATES ((int)(sizeof(state_names) / sizeof(state_names[0])))

const char *
due_state_name(int state)
{
	if (state < 0 || state >= N_STATES)
		return NULL;
	return state_names[state];
}

void
due_within_words(const struct conf_duration *within, char out[DUE_WORDS_LEN])
{
	if (within->parsed.kind == DURATION_END_OF_DAY)
		/* "by the end of ...", whichever words of the grammar the rule used */
		duration_format(&within->parsed, out);
	else
		snprintf(out, DUE_WORDS_LEN, DUE_WITHIN "%s", within->text);
}

/* When step was done (0: not yet).  A decision answers an acknowledgement
 * that never came on its own: the message was plainly seen. */
static uint64_t
done_at(const struct due_facts *f, enum deadline_step step)
{
	switch (step) {
	case DEADLINE_ACK:
		if (f->ack_ms != 0 && (f->decision_ms == 0 || f->ack_ms < f->decision_ms))
			return f->ack_ms;
		return f->decision_ms;
	case DEADLINE_DECISION:
		return f->decision_ms;
	case DEADLINE_FEEDBACK:
		return f->feedback_ms;
	}
	return 0;
}

/* Fills s's state and lateness, its due time being known. */
static void
judge(struct due_step *s, const struct calendar *cal, int urgency, uint64_t done,
    uint64_t now_ms)
{
	s->done_ms = done;
	if (done != 0) {
		s->state = done <= s->due_ms ? DUE_MET : DUE_LATE;
		deadline_lateness(cal, urgency, s->due_ms, done, &s->late_working_ms,
		    &s->late_clock_ms);
		return;
	}
	s->state = now_ms <= s->due_ms ? DUE_PENDING : DUE_OVERDUE;
	deadline_lateness(cal, urgency, s->due_ms, now_ms, &s->late_working_ms, &s->late_clock_ms);
}

int
due_compute(const struct deadline_policy *p, const struct directory *d,
    const struct agencycal *cals, const struct due_facts *f, uint64_t now_ms, struct due *out,
    struct status *st)
{
	const struct directory_agency *to = directory_find(d, f->to);
	const struct calendar *cal;
	struct due_step *s;
	struct status why;
	uint64_t from;
	int step;

	memset(out, 0, sizeof(*out));
	status_ok(st);
	if (to == NULL || (out->rule = deadline_match(p, f->type, f->urgency, to)) == NULL)
		return 0;
	cal = agencycal_get(cals, to->id);
	for (step = DEADLINE_STEP_MIN; step <= DEADLINE_STEP_MAX; step++) {
		const struct conf_duration *within = deadline_within(out->rule, step);

		if (within == NULL)
			continue;
		s = &out->steps[out->n++];
		s->step = (enum deadline_step)step;
		s->within = within;
		from = step == DEADLINE_FEEDBACK ? f->decision_ms : f->start_ms;
		if (from == 0) {
			s->state = DUE_NOT_STARTED;
			continue;
		}
		if (deadline_due(within, f->urgency, cal, from, &s->due_ms, &why) != 0)
			return status_set(st, why.code, "%s's %s deadline: %s; fix its calendar in "
			    "%s", to->id, deadline_step_name(step), why.text, DIRECTORY_FILE);
		judge(s, cal, f->urgency, done_at(f, s->step), now_ms);
	}
	return 0;
}

/* An answer's time, the earliest of its kind: inbox_replies' walker. */
struct answers {
	const char *from;	/* who must have sent (or made) the answer */
	struct due_facts *f;
};

static void
earliest(uint64_t *slot, uint64_t t)
{
	if (t != 0 && (*slot == 0 || t < *slot))
		*slot = t;
}

static void
note(struct due_facts *f, int type, uint64_t t)
{
	if (type == ENVELOPE_ACK)
		earliest(&f->ack_ms, t);
	else if (type == ENVELOPE_DECISION)
		earliest(&f->decision_ms, t);
	else if (type == ENVELOPE_FEEDBACK)
		earliest(&f->feedback_ms, t);
}

static int
answer_in(const struct inbox_msg *m, void *arg)
{
	struct answers *a = arg;

	/* Only the recipient's own answers count, and only ones accepted here. */
	if (m->state != INBOX_REJECTED && strcmp(m->from, a->from) == 0)
		note(a->f, m->type, m->accepted_ms != 0 ? m->accepted_ms : m->received_ms);
	return 0;
}

static int
answer_out(const struct outbox_msg *m, void *arg)
{
	struct answers *a = arg;

	if (m->state != OUTBOX_FAILED)
		note(a->f, m->type, m->accepted_ms != 0 ? m->accepted_ms : m->created_ms);
	return 0;
}

int
due_facts_sent(struct db *db, const struct outbox_msg *m, struct due_facts *f,
    struct status *st)
{
	struct answers a = { m->to, f };

	memset(f, 0, sizeof(*f));
	/* A message the broker refused or that expired has no deadlines
	 * (type 0 matches no rule). */
	if (m->state == OUTBOX_FAILED)
		return 0;
	f->type = m->type;
	f->urgency = m->urgency;
	memcpy(f->to, m->to, sizeof(f->to));
	f->start_ms = m->accepted_ms;
	return inbox_replies(db, m->id, answer_in, &a, st);
}

int
due_facts_received(struct db *db, const struct inbox_msg *m, const char *self,
    struct due_facts *f, struct status *st)
{
	struct answers a = { self, f };

	memset(f, 0, sizeof(*f));
	if (m->state == INBOX_REJECTED)
		return 0;
	f->type = m->type;
	f->urgency = m->urgency;
	snprintf(f->to, sizeof(f->to), "%s", self);
	f->start_ms = m->accepted_ms != 0 ? m->accepted_ms : m->received_ms;
	return outbox_replies(db, m->id, answer_out, &a, st);
}
