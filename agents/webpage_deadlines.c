/* SPDX-License-Identifier: ISC */
/*
 * webpage_deadlines: GET /deadlines, what is due and overdue for this
 * agency, soonest first, as recipient and as sender, and the escalations
 * it was told of - duelist.c's list, the one `dutynet deadlines` prints.
 */
#include <string.h>

#include <microhttpd.h>

#include "agents/duelist.h"
#include "agents/webpage.h"
#include "agents/webtag.h"
#include "common/clock.h"
#include "common/log.h"

static void
render_row(struct output *o, const struct directory *dir, const struct duelist_row *row,
    uint64_t now)
{
	char id[IDS_MSGID_TEXT + 1];
	bool told = row->role == DUELIST_TOLD;

	ids_msgid_format(row->id, id);
	output_printf(o, "<tr class=\"govuk-table__row dn-deadline%s\" data-message-id=\"%s\" "
	    "data-role=\"%s\"><td class=\"govuk-table__cell\">", row->step.state == DUE_OVERDUE ?
	    " dn-overdue" : "", id, duelist_role_name(row->role));
	webtag_time(o, row->step.due_ms);
	output_printf(o, "</td><td class=\"govuk-table__cell\">%s</td><td class=\""
	    "govuk-table__cell\">%s</td><td class=\"govuk-table__cell\">", told ? "-" :
	    webtag_step(row->step.step), row->role == DUELIST_SENDER ? "we sent it" :
	    row->role == DUELIST_RECIPIENT ? "we received it" : "we were told");
	if (!told) {
		output_printf(o, "<a class=\"govuk-link\" href=\"/%s/%s\">",
		    row->role == DUELIST_SENDER ? "sent" : "message", id);
		html_text(o, row->case_id[0] ? row->case_id : id);
		output_printf(o, "</a> ");
		webtag_urgency(o, row->urgency);
	} else {
		html_text(o, row->text);
	}
	output_printf(o, "</td><td class=\"govuk-table__cell\">");
	if (told)
		output_printf(o, "-");
	else
		webtag_agency(o, dir, row->with);
	output_printf(o, "</td><td class=\"govuk-table__cell\">");
	webtag_due(o, &row->step, now);
	webtag_notices(o, row->reminders, row->escalations);
	output_printf(o, "</td></tr>\n");
}

void
webpage_deadlines(struct webreq *r)
{
	static const char *const columns[] = {"Due", "Step", "Role", "Message", "With", "State",
		NULL};
	struct output *o = &r->body;
	struct duelist t;
	struct status st;
	size_t i;

	if (duelist_load(r->a, clock_now_ms(), &t, &st) != 0) {
		log_event(LOG_LEVEL_WARN, r->a->self->id, NULL, "store-failed", "web deadlines: %s",
		    st.text);
		webreq_refuse(r, MHD_HTTP_SERVICE_UNAVAILABLE, "Sorry, there is a problem",
		    "The deadlines cannot be read right now. Try again in a few minutes.");
		goto out;
	}
	webreq_begin(r, MHD_HTTP_OK, "Deadlines", HTML_NAV_DEADLINES);
	output_printf(o, "<h1 class=\"govuk-heading-l\">Deadlines</h1>\n");
	if (t.n == 0) {
		output_printf(o, "<p class=\"govuk-body\" id=\"deadlines-empty\">Nothing is due.</p>\n");
	} else {
		html_table_begin(o, "deadlines-table", "Open deadlines, soonest first, as recipient "
		    "and as sender", columns);
		for (i = 0; i < t.n; i++)
			render_row(o, r->a->dir, &t.v[i], t.now);
		html_table_end(o);
	}
	webreq_end(r);
out:
	duelist_free(&t);
}
