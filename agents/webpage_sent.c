/* SPDX-License-Identifier: ISC */
/*
 * webpage_sent: GET /sent, the referrals and concerns this agency sent,
 * newest first, each with its state - queued, accepted (by the broker),
 * delivered (the recipient's signed receipt), acknowledged, decided, or
 * failed with the reason - and GET /sent/ID, one message's state, its
 * deadlines as the sender sees them, and its timeline (timeline.c: the
 * audit log itself, as `dutynet status ID` shows it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "agents/due.h"
#include "agents/inbox.h"
#include "agents/outbox.h"
#include "agents/timeline.h"
#include "agents/webpage.h"
#include "agents/webtag.h"
#include "common/clock.h"
#include "common/log.h"

#define STATE_MAX (OUTBOX_REASON_MAX + 64)

/* What the timeline's audit events are called on the page. */
static const struct {
	const char *event;
	const char *words;
} event_words[] = {
	{"created", "queued"},
	{"sent", "sent to the broker"},
	{"accepted", "accepted by broker"},
	{"deferred", "deferred by broker"},
	{"rejected", "rejected by broker"},
	{"delivered", "delivered"},
	{"receipt", "receipt"},
	{"received", "answer received"},
};

/* A sent message's state in one word, the recipient's answers included;
 * failed with its reason. */
static int
state(struct webreq *r, const struct outbox_msg *m, struct due_facts *f, char out[STATE_MAX],
    struct status *st)
{
	if (due_facts_sent(r->a->db, m, f, st) != 0)
		return -1;
	if (m->state == OUTBOX_FAILED)
		snprintf(out, STATE_MAX, "failed: %d %s: %s", m->code, status_name(m->code),
		    m->reason);
	else if (f->decision_ms != 0)
		snprintf(out, STATE_MAX, "decided");
	else if (f->ack_ms != 0)
		snprintf(out, STATE_MAX, "acknowledged");
	else
		snprintf(out, STATE_MAX, "%s", outbox_state_name(m->state));
	return 0;
}

struct walk {
	struct webreq *r;
	struct status *st;
	size_t n;
	int failed;
};

static int
row(const struct outbox_msg *m, void *arg)
{
	struct walk *w = arg;
	struct output *o = &w->r->body;
	char id[IDS_MSGID_TEXT + 1], words[STATE_MAX];
	struct due_facts f;

	if (m->type != ENVELOPE_REFERRAL && m->type != ENVELOPE_CONCERN)
		return 0;
	if (state(w->r, m, &f, words, w->st) != 0) {
		w->failed = 1;
		return 1;
	}
	ids_msgid_format(m->id, id);
	output_printf(o, "<tr class=\"govuk-table__row dn-message%s\" data-message-id=\"%s\" "
	    "data-urgency=\"%s\"><td class=\"govuk-table__cell\">", m->state == OUTBOX_FAILED ?
	    " dn-failed" : "", id, envelope_urgency_name(m->urgency));
	webtag_urgency(o, m->urgency);
	output_printf(o, "</td><td class=\"govuk-table__cell\">");
	webtag_agency(o, w->r->a->dir, m->to);
	output_printf(o, "</td><td class=\"govuk-table__cell\"><a class=\"govuk-link dn-open\" "
	    "href=\"/sent/%s\">", id);
	html_text(o, m->case_id[0] ? m->case_id : id);
	output_printf(o, "</a> <span class=\"govuk-body-s\">(%s)</span></td><td class=\""
	    "govuk-table__cell\">", envelope_type_name(m->type));
	webtag_time(o, m->created_ms);
	output_printf(o, "</td><td class=\"govuk-table__cell dn-state\">");
	if (m->state == OUTBOX_FAILED)
		output_printf(o, "<strong class=\"govuk-tag govuk-tag--red\">Failed</strong> ");
	html_text(o, words);
	output_printf(o, "</td></tr>\n");
	w->n++;
	return 0;
}

static void
unavailable(struct webreq *r, const struct status *st)
{
	log_event(LOG_LEVEL_WARN, r->a->self->id, NULL, "store-failed", "web sent: %s", st->text);
	webreq_refuse(r, MHD_HTTP_SERVICE_UNAVAILABLE, "Sorry, there is a problem",
	    "What was sent cannot be read right now. Try again in a few minutes.");
}

void
webpage_sent(struct webreq *r)
{
	static const char *const columns[] = {"Urgency", "To", "Case", "Sent", "State", NULL};
	struct output *o = &r->body;
	struct status st;
	struct walk w = { r, &st, 0, 0 };

	webreq_begin(r, MHD_HTTP_OK, "Sent", HTML_NAV_SENT);
	output_printf(o, "<h1 class=\"govuk-heading-l\">Sent</h1>\n");
	html_table_begin(o, "sent-table", "Referrals and concerns sent, oldest first", columns);
	if (outbox_list(r->a->db, 0, row, &w, &st) != 0 || w.failed) {
		unavailable(r, &st);
		return;
	}
	html_table_end(o);
	if (w.n == 0)
		output_printf(o, "<p class=\"govuk-body\" id=\"sent-empty\">Nothing has been sent "
		    "yet.</p>\n");
	webreq_end(r);
}

static void
timeline(struct output *o, const struct timeline *t)
{
	const struct timeline_event *e;
	const char *words;
	size_t i, j, n;

	output_printf(o, "<h2 class=\"govuk-heading-m\">Timeline</h2>\n<ol class=\"govuk-list "
	    "govuk-list--number dn-timeline\" id=\"timeline\">\n");
	for (i = 0; i < t->n; i++) {
		e = &t->ev[i];
		words = e->event;
		for (j = 0; j < sizeof(event_words) / sizeof(event_words[0]); j++)
			if (strcmp(e->event, event_words[j].event) == 0)
				words = event_words[j].words;
		output_printf(o, "<li><span class=\"dn-event\">");
		html_text(o, words);
		if (strcmp(e->event, "decided") == 0) {
			/* "decided: accept", the decision is the detail's first word */
			n = strcspn(e->detail, " ");
			output_printf(o, ": ");
			html_textn(o, e->detail, n);
		}
		output_printf(o, "</span> <span class=\"dn-when\">");
		webtag_time(o, e->time_ms);
		output_printf(o, "</span> <span class=\"dn-detail\">");
		html_text(o, e->detail);
		output_printf(o, "</span></li>\n");
	}
	output_printf(o, "</ol>\n");
}

static void
deadlines(struct webreq *r, const struct due_facts *f, uint64_t now)
{
	struct status st;
	struct due d;

	if (due_compute(policy_deadlines(r->a->policy), r->a->dir, r->a->cals, f, now, &d,
		&st) == 0)
		webtag_deadlines(&r->body, &d, now);
}

void
webpage_sent_one(struct webreq *r)
{
	struct output *o = &r->body;
	char idtext[IDS_MSGID_TEXT + 1], words[STATE_MAX], loc[WEBREQ_LOCATION_MAX];
	uint8_t id[IDS_MSGID_BYTES];
	struct outbox_msg m;
	struct due_facts f;
	struct timeline t;
	struct status st;
	int rc;

	memset(&t, 0, sizeof(t));
	if (strlen(r->rest) != IDS_MSGID_TEXT || ids_msgid_parse(r->rest, id, &st) != 0) {
		webreq_refuse(r, MHD_HTTP_NOT_FOUND, "Page not found", "There is no such message.");
		return;
	}
	ids_msgid_format(id, idtext);
	if ((rc = outbox_get(r->a->db, id, &m, &st)) == 0) {
		snprintf(loc, sizeof(loc), "/message/%s", idtext);
		webreq_redirect(r, loc);
		return;
	}
	if (rc < 0 || state(r, &m, &f, words, &st) != 0 ||
	    timeline_load(r->a->db, id, &t, &st) != 0) {
		unavailable(r, &st);
		goto out;
	}
	webreq_begin(r, MHD_HTTP_OK, envelope_type_name(m.type), HTML_NAV_SENT);
	output_printf(o, "<span class=\"govuk-caption-l\">To ");
	webtag_agency(o, r->a->dir, m.to);
	output_printf(o, "</span><h1 class=\"govuk-heading-l\">%s ", m.type == ENVELOPE_CONCERN ?
	    "Concern" : m.type == ENVELOPE_REFERRAL ? "Referral" : "Message");
	html_text(o, m.case_id);
	output_printf(o, "</h1>\n<dl class=\"govuk-summary-list\">\n<div class=\""
	    "govuk-summary-list__row\"><dt class=\"govuk-summary-list__key\">State</dt><dd class="
	    "\"govuk-summary-list__value\"><span id=\"state\">");
	html_text(o, words);
	output_printf(o, "</span></dd></div>\n<div class=\"govuk-summary-list__row\"><dt class="
	    "\"govuk-summary-list__key\">Urgency</dt><dd class=\"govuk-summary-list__value\">");
	webtag_urgency(o, m.urgency);
	output_printf(o, "</dd></div>\n<div class=\"govuk-summary-list__row\"><dt class="
	    "\"govuk-summary-list__key\">Message id</dt><dd class=\"govuk-summary-list__value\">"
	    "<code>%s</code></dd></div>\n</dl>\n", idtext);
	deadlines(r, &f, clock_now_ms());
	timeline(o, &t);
	webreq_end(r);
out:
	timeline_free(&t);
}
