/* SPDX-License-Identifier: ISC */
/*
 * timeline: a message's audit entries and its replies', in order (see
 * timeline.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agents/inbox.h"
#include "agents/outbox.h"
#include "agents/timeline.h"

static int
add_event(const struct auditlog_entry *e, void *arg)
{
	struct timeline *t = arg;
	struct timeline_event *grown, *v;

	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : TIMELINE_FIRST_CAP;

		if ((grown = realloc(t->ev, cap * sizeof(*grown))) == NULL) {
			t->oom = 1;
			return 1;
		}
		t->ev = grown;
		t->cap = cap;
	}
	v = &t->ev[t->n];
	memset(v, 0, sizeof(*v));
	v->seq = e->seq;
	v->time_ms = e->time_ms;
	snprintf(v->event, sizeof(v->event), "%s", e->event);
	snprintf(v->agency, sizeof(v->agency), "%s", e->agency ? e->agency : "");
	v->has_id = e->has_message_id;
	memcpy(v->id, e->message_id, IDS_MSGID_BYTES);
	if ((v->detail = strdup(e->detail)) == NULL) {
		t->oom = 1;
		return 1;
	}
	t->n++;
	return 0;
}

static void
add_id(struct timeline *t, const uint8_t id[IDS_MSGID_BYTES])
{
	if (t->nids < TIMELINE_IDS_MAX)
		memcpy(t->ids[t->nids++], id, IDS_MSGID_BYTES);
}

static int
reply_in(const struct inbox_msg *m, void *arg)
{
	add_id(arg, m->id);
	return 0;
}

static int
reply_out(const struct outbox_msg *m, void *arg)
{
	add_id(arg, m->id);
	return 0;
}

static int
by_seq(const void *a, const void *b)
{
	const struct timeline_event *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int
timeline_load(struct db *db, const uint8_t id[IDS_MSGID_BYTES], struct timeline *t,
    struct status *st)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	add_id(t, id);
	if (inbox_replies(db, id, reply_in, t, st) != 0 ||
	    outbox_replies(db, id, reply_out, t, st) != 0)
		return -1;
	for (i = 0; i < t->nids && !t->oom; i++)
		if (auditlog_foreach(db, t->ids[i], add_event, t, st) != 0)
			return -1;
	if (t->oom)
		return status_set(st, STATUS_STORE_FAILED, "out of memory reading the timeline");
	/* Each walk is in seq order; together they are merged into one. */
	if (t->n > 1)
		qsort(t->ev, t->n, sizeof(*t->ev), by_seq);
	return 0;
}

void
timeline_free(struct timeline *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->ev[i].detail);
	free(t->ev);
	memset(t, 0, sizeof(*t));
}
