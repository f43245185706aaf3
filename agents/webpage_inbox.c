/* SPDX-License-Identifier: ISC */
/*
 * webpage_inbox: GET /inbox, the referrals and concerns this agency
 * received, soonest open deadline first (then the answered ones, newest
 * first): urgency, sender, case, when received, what is due next and how
 * late it is (working and clock time), the broker's reminders and
 * escalations about it, and its state.  The deadlines are due.c's, as for
 * `dutynet deadlines`; reading the list is not reading a referral, so it
 * is not audited (opening one is).
 */
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "agents/due.h"
#include "agents/inbox.h"
#include "agents/notice.h"
#include "agents/webpage.h"
#include "agents/webtag.h"
#include "common/clock.h"
#include "common/log.h"

#define ROWS_FIRST_CAP 32

struct row {
	struct inbox_msg m;
	bool open;			/* a step is pending or overdue */
	struct due_step step;		/* the soonest open one */
	unsigned reminders;
	unsigned escalations;
};

struct rows {
	struct webreq *r;
	uint64_t now;
	struct row *v;
	size_t n, cap;
	struct status *st;
	int failed;
};

static int
count_notice(const struct notice_row *n, void *arg)
{
	struct row *row = arg;

	row->reminders += n->kind == NOTICE_REMINDER;
	row->escalations += n->kind == NOTICE_ESCALATION;
	return 0;
}

static int
add(const struct inbox_msg *m, void *arg)
{
	struct rows *t = arg;
	const struct agent *a = t->r->a;
	struct due_facts f;
	struct row *row, *grown;
	struct due d;
	size_t i;

	if (m->type != ENVELOPE_REFERRAL && m->type != ENVELOPE_CONCERN)
		return 0;
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : ROWS_FIRST_CAP;
		if ((grown = realloc(t->v, t->cap * sizeof(*grown))) == NULL) {
			status_set(t->st, STATUS_STORE_FAILED, "out of memory listing the inbox");
			t->failed = 1;
			return 1;
		}
		t->v = grown;
	}
	row = &t->v[t->n];
	memset(row, 0, sizeof(*row));
	row->m = *m;
	if (due_facts_received(a->db, m, a->self->id, &f, t->st) != 0 ||
	    due_compute(policy_deadlines(a->policy), a->dir, a->cals, &f, t->now, &d, t->st) != 0 ||
	    notice_list(a->db, m->id, count_notice, row, t->st) != 0) {
		t->failed = 1;
		return 1;
	}
	for (i = 0; i < d.n; i++)
		if ((d.steps[i].state == DUE_PENDING || d.steps[i].state == DUE_OVERDUE) &&
		    (!row->open || d.steps[i].due_ms < row->step.due_ms)) {
			row->open = true;
			row->step = d.steps[i];
		}
	t->n++;
	return 0;
}

static int
soonest(const void *x, const void *y)
{
	const struct row *a = x, *b = y;

	if (a->open != b->open)
		return a->open ? -1 : 1;
	if (a->open && a->step.due_ms != b->step.due_ms)
		return a->step.due_ms < b->step.due_ms ? -1 : 1;
	/* Due at the same time: the more urgent first (a lower number), then
	 * the one waiting longest. */
	if (a->open && a->m.urgency != b->m.urgency)
		return a->m.urgency < b->m.urgency ? -1 : 1;
	if (a->m.received_ms != b->m.received_ms)
		return (a->m.received_ms < b->m.received_ms) == a->open ? -1 : 1;
	return memcmp(a->m.id, b->m.id, IDS_MSGID_BYTES);
}

static void
render_row(struct output *o, const struct directory *dir, const struct row *row,
    uint64_t now)
{
	const struct inbox_msg *m = &row->m;
	char id[IDS_MSGID_TEXT + 1];
	bool overdue = row->open && row->step.state == DUE_OVERDUE;

	ids_msgid_format(m->id, id);
	output_printf(o, "<tr class=\"govuk-table__row dn-message%s\" data-message-id=\"%s\" "
	    "data-urgency=\"%s\">", overdue ? " dn-overdue" : "", id,
	    envelope_urgency_name(m->urgency));
	output_printf(o, "<td class=\"govuk-table__cell\">");
	webtag_urgency(o, m->urgency);
	output_printf(o, "</td><td class=\"govuk-table__cell\">");
	webtag_agency(o, dir, m->from);
	output_printf(o, "</td><td class=\"govuk-table__cell\"><a class=\"govuk-link dn-open\" "
	    "href=\"/message/%s\">", id);
	html_text(o, m->case_id[0] ? m->case_id : id);
	output_printf(o, "</a> <span class=\"govuk-body-s\">(%s)</span></td>"
	    "<td class=\"govuk-table__cell\">", envelope_type_name(m->type));
	webtag_time(o, m->received_ms);
	output_printf(o, "</td><td class=\"govuk-table__cell\">");
	if (row->open) {
		html_text(o, webtag_step(row->step.step));
		output_printf(o, " ");
		webtag_time(o, row->step.due_ms);
		output_printf(o, "<br>");
		webtag_due(o, &row->step, now);
	} else {
		output_printf(o, "nothing due");
	}
	webtag_notices(o, row->reminders, row->escalations);
	output_printf(o, "</td><td class=\"govuk-table__cell dn-state\">%s</td></tr>\n",
	    inbox_state_name(m->state));
}

void
webpage_inbox(struct webreq *r)
{
	static const char *const columns[] = {"Urgency", "From", "Case", "Received", "Due",
		"State", NULL};
	struct output *o = &r->body;
	struct status st;
	struct rows t;
	size_t i;

	memset(&t, 0, sizeof(t));
	t.r = r;
	t.now = clock_now_ms();
	t.st = &st;
	if (inbox_list(r->a->db, add, &t, &st) != 0 || t.failed) {
		log_event(LOG_LEVEL_WARN, r->a->self->id, NULL, "store-failed", "web inbox: %s",
		    st.text);
		webreq_refuse(r, MHD_HTTP_SERVICE_UNAVAILABLE, "Sorry, there is a problem",
		    "The inbox cannot be read right now. Try again in a few minutes.");
		goto out;
	}
	if (t.n > 1)
		qsort(t.v, t.n, sizeof(*t.v), soonest);
	webreq_begin(r, MHD_HTTP_OK, "Inbox", HTML_NAV_INBOX);
	output_printf(o, "<h1 class=\"govuk-heading-l\">Inbox</h1>\n");
	if (t.n == 0) {
		output_printf(o, "<p class=\"govuk-body\" id=\"inbox-empty\">Nothing has been "
		    "received yet.</p>\n");
	} else {
		html_table_begin(o, "inbox-table", "Referrals and concerns received, soonest "
		    "deadline first", columns);
		for (i = 0; i < t.n; i++)
			render_row(o, r->a->dir, &t.v[i], t.now);
		html_table_end(o);
	}
	webreq_end(r);
out:
	free(t.v);
}
