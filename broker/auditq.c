/* SPDX-License-Identifier: ISC */
/*
 * auditq: the in-memory queue of audit events waiting for a commit (see
 * auditq.h).  flush and clear are separate so that a failed commit keeps
 * the events for the next one.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/auditq.h"

/* Slots allocated first; the array doubles up to the capacity. */
#define AUDITQ_FIRST 64

struct event {
	char name[AUDITLOG_EVENT_MAX + 1];
	char agency[IDS_AGENCY_MAX + 1];	/* "" for none */
	int has_msgid;
	uint8_t msgid[IDS_MSGID_BYTES];
	char detail[AUDITQ_DETAIL_MAX];
};

struct auditq {
	struct event *ev;
	size_t n;		/* queued */
	size_t alloc;		/* slots in ev */
	size_t cap;		/* most slots ever */
};

struct auditq *
auditq_new(size_t capacity)
{
	struct auditq *q = calloc(1, sizeof(*q));

	if (q != NULL)
		q->cap = capacity;
	return q;
}

void
auditq_destroy(struct auditq **qp)
{
	if (qp == NULL || *qp == NULL)
		return;
	free((*qp)->ev);
	free(*qp);
	*qp = NULL;
}

int
auditq_push(struct auditq *q, const char *event, const char *agency, const uint8_t *msgid,
    const char *fmt, ...)
{
	struct event *e, *grown;
	size_t want;
	va_list ap;

	if (q->n == q->alloc) {
		if (q->alloc == q->cap)
			return -1;
		want = q->alloc == 0 ? AUDITQ_FIRST : q->alloc * 2;
		if (want > q->cap)
			want = q->cap;
		if ((grown = realloc(q->ev, want * sizeof(*grown))) == NULL)
			return -1;
		q->ev = grown;
		q->alloc = want;
	}
	e = &q->ev[q->n];
	memset(e, 0, sizeof(*e));
	snprintf(e->name, sizeof(e->name), "%s", event);
	snprintf(e->agency, sizeof(e->agency), "%s", agency != NULL ? agency : "");
	if (msgid != NULL) {
		e->has_msgid = 1;
		memcpy(e->msgid, msgid, IDS_MSGID_BYTES);
	}
	va_start(ap, fmt);
	vsnprintf(e->detail, sizeof(e->detail), fmt, ap);
	va_end(ap);
	q->n++;
	return 0;
}

size_t
auditq_pending(const struct auditq *q)
{
	return q->n;
}

int
auditq_flush(struct auditq *q, struct db *db, struct status *st)
{
	const struct event *e;
	size_t i;

	for (i = 0; i < q->n; i++) {
		e = &q->ev[i];
		if (auditlog_append(db, e->name, e->agency[0] != '\0' ? e->agency : NULL,
			e->has_msgid ? e->msgid : NULL, e->detail, st) == -1)
			return -1;
	}
	return 0;
}

void
auditq_clear(struct auditq *q)
{
	q->n = 0;
}
