/* SPDX-License-Identifier: ISC */
/*
 * webtag: the labelled values the pages share (see webtag.h).
 */
#include "agents/html.h"
#include "agents/webtag.h"
#include "config/rfc3339.h"
#include "proto/envelope.h"

/* Room for one category's words (the slugs are short; a longer one is cut). */
#define CATEGORY_WORDS_MAX 64

void
webtag_agency(struct output *o, const struct directory *d, const char *id)
{
	const struct directory_agency *ag = d != NULL ? directory_find(d, id) : NULL;

	html_text(o, ag != NULL && ag->name != NULL ? ag->name : id);
}

const char *
webtag_step(int step)
{
	switch (step) {
	case DEADLINE_ACK:
		return "Acknowledge";
	case DEADLINE_DECISION:
		return "Decision";
	case DEADLINE_FEEDBACK:
		return "Feedback";
	default:
		return "-";
	}
}

void
webtag_category(struct output *o, const char *s, size_t len)
{
	char words[CATEGORY_WORDS_MAX];
	size_t i;

	if (len >= sizeof(words))
		len = sizeof(words) - 1;
	for (i = 0; i < len; i++)
		words[i] = s[i] == '-' ? ' ' : i == 0 && s[i] >= 'a' && s[i] <= 'z' ?
		    (char)(s[i] - 'a' + 'A') : s[i];
	html_textn(o, words, len);
}

void
webtag_urgency(struct output *o, int urgency)
{
	const char *colour;

	switch (urgency) {
	case URGENCY_IMMEDIATE:
		colour = "red";
		break;
	case URGENCY_URGENT:
		colour = "orange";
		break;
	case URGENCY_STANDARD:
		colour = "blue";
		break;
	default:
		colour = "grey";
		break;
	}
	output_printf(o, "<strong class=\"govuk-tag govuk-tag--%s\">", colour);
	html_text(o, envelope_urgency_name(urgency));
	output_printf(o, "</strong>");
}

void
webtag_time(struct output *o, uint64_t ms)
{
	char machine[RFC3339_LEN], exact[OUTPUT_TIME_LEN], shown[OUTPUT_TIME_SHORT_LEN];

	output_time_short(ms, shown);
	if (ms == 0) {
		html_text(o, shown);
		return;
	}
	rfc3339_format(ms, machine);
	output_time(ms, exact);
	output_printf(o, "<time datetime=\"");
	html_text(o, machine);
	output_printf(o, "\" title=\"");
	html_text(o, exact);
	output_printf(o, "\">");
	html_text(o, shown);
	output_printf(o, "</time>");
}

void
webtag_due(struct output *o, const struct due_step *s, uint64_t now_ms)
{
	char w[OUTPUT_SPAN_LEN], c[OUTPUT_SPAN_LEN];

	if (s->state == DUE_OVERDUE) {
		output_span(s->late_working_ms, w);
		output_span(s->late_clock_ms, c);
		output_printf(o, "<strong class=\"govuk-tag govuk-tag--red\">Overdue</strong> "
		    "<span class=\"dn-late\">late by %s working, %s clock</span>", w, c);
		return;
	}
	output_span(s->due_ms > now_ms ? (int64_t)(s->due_ms - now_ms) : 0, c);
	output_printf(o, "<span class=\"dn-due\">due in %s</span>", c);
}

void
webtag_notices(struct output *o, unsigned reminders, unsigned escalations)
{
	if (reminders == 0 && escalations == 0)
		return;
	output_printf(o, " <strong class=\"govuk-tag govuk-tag--yellow dn-notices\">%u "
	    "reminder%s, %u escalation%s</strong>", reminders, reminders == 1 ? "" : "s",
	    escalations, escalations == 1 ? "" : "s");
}

void
webtag_deadlines(struct output *o, const struct due *d, uint64_t now_ms)
{
	const struct due_step *s;
	char limit[DUE_WORDS_LEN];
	size_t i;

	if (d->rule == NULL)
		return;
	output_printf(o, "<h2 class=\"govuk-heading-m\">Deadlines</h2>\n"
	    "<dl class=\"govuk-summary-list\" id=\"deadlines\">\n");
	for (i = 0; i < d->n; i++) {
		s = &d->steps[i];
		due_within_words(s->within, limit);
		output_printf(o, "<div class=\"govuk-summary-list__row%s\"><dt class=\""
		    "govuk-summary-list__key\">", s->state == DUE_OVERDUE ? " dn-overdue" : "");
		html_text(o, webtag_step(s->step));
		output_printf(o, " <span class=\"govuk-body-s\">(");
		html_text(o, limit);
		output_printf(o, ")</span></dt><dd class=\"govuk-summary-list__value\">");
		if (s->state == DUE_PENDING || s->state == DUE_OVERDUE) {
			webtag_time(o, s->due_ms);
			output_printf(o, " ");
			webtag_due(o, s, now_ms);
		} else {
			html_text(o, due_state_name(s->state));
			if (s->due_ms != 0) {
				output_printf(o, " (due ");
				webtag_time(o, s->due_ms);
				output_printf(o, ")");
			}
		}
		output_printf(o, "</dd></div>\n");
	}
	output_printf(o, "</dl>\n");
}
