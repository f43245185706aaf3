/* SPDX-License-Identifier: ISC */
/*
 * webpage_message: GET /message/ID, one referral or concern this agency
 * received, decrypted and laid out for reading, with its deadlines; and
 * the answers a member of staff gives to it - POST /message/ID/ack,
 * /decide and /feedback - run through the same request handlers as
 * `dutynet ack|decide|feedback` (webreq_act), so the rules, the audit
 * entries and the deadlines are the command line's.
 *
 * Opening a message is an audit event ("read", naming the person and
 * role), written before any of its content is put on the page: if the
 * event cannot be written, the content is not shown.  The plaintext is
 * wiped as soon as the page is rendered.
 *
 * The mistakes a person can make in these forms (no decision, a decline
 * with no reason, a redirect with nowhere to go, empty feedback) are
 * caught here first and told in the page's words beside the field; the
 * handler checks them again, and anything else it refuses is shown in
 * its own words above the form.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>
#include <sodium.h>

#include "agents/due.h"
#include "agents/inbox.h"
#include "agents/notice.h"
#include "agents/webpage.h"
#include "agents/webtag.h"
#include "common/clock.h"
#include "common/log.h"

/* What an action did, for the banner after it (?done=...). */
static const struct {
	const char *verb;
	const char *banner;
} done_text[] = {
	{"ack", "Acknowledged: the acknowledgement is on its way to the sender."},
	{"decide", "Decision recorded: it is on its way to the sender."},
	{"feedback", "Feedback sent: it is on its way to the sender."},
};

/* One form error to show beside the actions. */
struct problem {
	const char *form;		/* "ack", "decide", "feedback" */
	const char *field;		/* the element id it is about; NULL: the form */
	const char *text;
};

/* The opening of a form group, and its error message if pr is about id. */
static void
group_begin(struct output *o, const struct problem *pr, const char *id)
{
	bool err = pr != NULL && pr->field != NULL && strcmp(pr->field, id) == 0;

	output_printf(o, "<div class=\"govuk-form-group%s\">", err ? " govuk-form-group--error" :
	    "");
	if (!err)
		return;
	output_printf(o, "<p class=\"govuk-error-message\" id=\"%s-error\"><span class="
	    "\"govuk-visually-hidden\">Error:</span> ", id);
	html_text(o, pr->text);
	output_printf(o, "</p>");
}

static void
row_text(struct output *o, const char *key, const char *id, const struct payload_text *t)
{
	output_printf(o, "<div class=\"govuk-summary-list__row\"><dt class=\"govuk-summary-list__key\">"
	    "%s</dt><dd class=\"govuk-summary-list__value%s\"%s%s%s>", key,
	    id != NULL ? " dn-prewrap" : "", id != NULL ? " id=\"" : "", id != NULL ? id : "",
	    id != NULL ? "\"" : "");
	if (t->len > 0)
		html_textn(o, t->s, t->len);
	else
		output_printf(o, "<span class=\"dn-none\">not given</span>");
	output_printf(o, "</dd></div>\n");
}

static void
row_begin(struct output *o, const char *key)
{
	output_printf(o, "<div class=\"govuk-summary-list__row\"><dt class=\"govuk-summary-list__key\">"
	    "%s</dt><dd class=\"govuk-summary-list__value\">", key);
}

static void
row_end(struct output *o)
{
	output_printf(o, "</dd></div>\n");
}

static void
referral(struct output *o, const struct payload_referral *p)
{
	uint32_t i;

	output_printf(o, "<h2 class=\"govuk-heading-m\">The child</h2>\n"
	    "<dl class=\"govuk-summary-list\" id=\"child\">\n");
	row_text(o, "Name", NULL, &p->child_name);
	row_text(o, "Date of birth", NULL, &p->child_dob);
	row_text(o, "Unique Pupil Number", NULL, &p->child_upn);
	row_text(o, "NHS number", NULL, &p->child_nhs);
	output_printf(o, "</dl>\n<h2 class=\"govuk-heading-m\">The concern</h2>\n"
	    "<dl class=\"govuk-summary-list\" id=\"concern\">\n");
	row_begin(o, "Category");
	webtag_category(o, p->category.s, p->category.len);
	row_end(o);
	row_text(o, "Summary", "summary", &p->summary);
	row_text(o, "Lawful basis", NULL, &p->lawful_basis);
	row_begin(o, "Consent");
	if (p->consent_sought) {
		output_printf(o, "Sought");
	} else {
		output_printf(o, "Not sought: ");
		html_textn(o, p->consent_why_not.s, p->consent_why_not.len);
	}
	row_end(o);
	for (i = 0; i < p->attachment_count; i++) {
		row_begin(o, "Attachment");
		html_textn(o, p->attachments[i].name.s, p->attachments[i].name.len);
		output_printf(o, " (");
		html_textn(o, p->attachments[i].mime.s, p->attachments[i].mime.len);
		output_printf(o, ", %u bytes)", p->attachments[i].len);
		row_end(o);
	}
	output_printf(o, "</dl>\n<h2 class=\"govuk-heading-m\">Who referred</h2>\n"
	    "<dl class=\"govuk-summary-list\" id=\"referrer\">\n");
	row_text(o, "Name", NULL, &p->referrer_name);
	row_text(o, "Role", NULL, &p->referrer_role);
	row_text(o, "Contact", NULL, &p->referrer_contact);
	output_printf(o, "</dl>\n");
}

/* Any other type received (an answer to something this agency sent, a
 * notice): who and what it says. */
static void
other(struct output *o, const struct payload *p)
{
	output_printf(o, "<dl class=\"govuk-summary-list\">\n");
	switch (p->type) {
	case ENVELOPE_ACK:
	case ENVELOPE_FEEDBACK:
		row_text(o, "By", NULL, &p->u.note.by_name);
		row_text(o, "Role", NULL, &p->u.note.by_role);
		row_text(o, "Text", "summary", &p->u.note.text);
		break;
	case ENVELOPE_DECISION:
		row_begin(o, "Decision");
		html_text(o, payload_decision_name(p->u.decision.decision));
		row_end(o);
		row_text(o, "By", NULL, &p->u.decision.by_name);
		row_text(o, "Reason", NULL, &p->u.decision.reason);
		row_text(o, "Text", "summary", &p->u.decision.text);
		break;
	case ENVELOPE_ESCALATION:
		row_text(o, "Notice", "summary", &p->u.notice.text);
		break;
	case ENVELOPE_REJECT:
		row_text(o, "Why", "summary", &p->u.reject.text);
		break;
	default:
		break;
	}
	output_printf(o, "</dl>\n");
}

static void
deadlines(struct webreq *r, const struct inbox_msg *m, uint64_t now)
{
	struct due_facts f;
	struct status st;
	struct due d;

	if (due_facts_received(r->a->db, m, r->a->self->id, &f, &st) == 0 &&
	    due_compute(policy_deadlines(r->a->policy), r->a->dir, r->a->cals, &f, now, &d,
		&st) == 0)
		webtag_deadlines(&r->body, &d, now);
}

static void
textarea(struct output *o, const struct problem *pr, const char *id, const char *label,
    const char *hint)
{
	group_begin(o, pr, id);
	output_printf(o, "<label class=\"govuk-label\" for=\"%s\">%s</label>", id, label);
	if (hint != NULL)
		output_printf(o, "<div class=\"govuk-hint\" id=\"%s-hint\">%s</div>", id, hint);
	output_printf(o, "<textarea class=\"govuk-textarea\" id=\"%s\" name=\"text\" rows=\"3\"%s%s%s>"
	    "</textarea></div>\n", id, hint ? " aria-describedby=\"" : "", hint ? id : "",
	    hint ? "-hint\"" : "");
}

static void
error_for(struct output *o, const struct problem *pr, const char *form)
{
	if (pr == NULL || pr->field != NULL || strcmp(pr->form, form) != 0)
		return;
	output_printf(o, "<p class=\"govuk-error-message\" id=\"%s-error\"><span class="
	    "\"govuk-visually-hidden\">Error:</span> ", form);
	html_text(o, pr->text);
	output_printf(o, "</p>\n");
}

/* A form's opening: POST to /message/ID/VERB, its token, title and error. */
static void
form_begin(struct webreq *r, const char *id, const char *verb, const char *title,
    const struct problem *pr)
{
	struct output *o = &r->body;

	output_printf(o, "<form id=\"%s-form\" method=\"post\" action=\"/message/%s/%s\" "
	    "class=\"dn-action\">", verb, id, verb);
	html_csrf(o, r->s->csrf);
	output_printf(o, "<h3 class=\"govuk-heading-s\">%s</h3>", title);
	error_for(o, pr, verb);
}

static void
actions(struct webreq *r, const struct inbox_msg *m, const char *id, const struct problem *pr)
{
	struct output *o = &r->body;

	if (!webreq_can_act(r) || (m->type != ENVELOPE_REFERRAL && m->type != ENVELOPE_CONCERN) ||
	    m->state == INBOX_REJECTED)
		return;
	output_printf(o, "<h2 class=\"govuk-heading-m\">Answer</h2>\n");
	if (m->state == INBOX_RECEIVED) {
		form_begin(r, id, "ack", "Acknowledge", pr);
		textarea(o, pr, "ack-text", "Note to the sender (optional)", NULL);
		output_printf(o, "<button id=\"ack-button\" type=\"submit\" class=\"govuk-button\">"
		    "Acknowledge</button></form>\n");
	}
	if (m->state != INBOX_DECIDED) {
		form_begin(r, id, "decide", "Decide", pr);
		group_begin(o, pr, "decision-accept");
		output_printf(o, "<fieldset class=\"govuk-fieldset\">"
		    "<legend class=\"govuk-fieldset__legend\">Decision</legend>"
		    "<div class=\"govuk-radios\">");
		output_printf(o, "<div class=\"govuk-radios__item\"><input class=\"govuk-radios__input\" "
		    "id=\"decision-accept\" name=\"decision\" type=\"radio\" value=\"accept\"><label "
		    "class=\"govuk-label govuk-radios__label\" for=\"decision-accept\">Accept</label></div>"
		    "<div class=\"govuk-radios__item\"><input class=\"govuk-radios__input\" "
		    "id=\"decision-decline\" name=\"decision\" type=\"radio\" value=\"decline\"><label "
		    "class=\"govuk-label govuk-radios__label\" for=\"decision-decline\">Decline</label>"
		    "</div><div class=\"govuk-radios__item\"><input class=\"govuk-radios__input\" "
		    "id=\"decision-redirect\" name=\"decision\" type=\"radio\" value=\"redirect\"><label "
		    "class=\"govuk-label govuk-radios__label\" for=\"decision-redirect\">Redirect to "
		    "another agency</label></div></div></fieldset></div>\n");
		group_begin(o, pr, "reason");
		output_printf(o, "<label class=\"govuk-label\" "
		    "for=\"reason\">Reason (needed to decline or redirect)</label><input "
		    "class=\"govuk-input\" id=\"reason\" name=\"reason\" type=\"text\"></div>\n");
		group_begin(o, pr, "to");
		output_printf(o, "<label class=\"govuk-label\" for=\"to\">Redirect "
		    "to</label><select class=\"govuk-select\" id=\"to\" name=\"to\"><option value=\"\">"
		    "Choose an agency (redirect only)</option>");
		webreq_recipients(r, m->type, NULL);
		output_printf(o, "</select></div>\n");
		textarea(o, pr, "decide-text", "Note to the sender (optional)", NULL);
		output_printf(o, "<button id=\"decide-button\" type=\"submit\" class=\"govuk-button\">"
		    "Record decision</button></form>\n");
	}
	form_begin(r, id, "feedback", "Feedback", pr);
	textarea(o, pr, "feedback-text", "Feedback or an update for the referrer", NULL);
	output_printf(o, "<button id=\"feedback-button\" type=\"submit\" class=\"govuk-button "
	    "govuk-button--secondary\">Send feedback</button></form>\n");
}

static void
banner(struct webreq *r, const struct problem *pr)
{
	const char *done = webreq_query(r, "done");
	size_t i;

	if (pr != NULL) {
		output_printf(&r->body, "<div class=\"govuk-error-summary\" data-module="
		    "\"govuk-error-summary\"><div role=\"alert\"><h2 class=\"govuk-error-summary__title\">"
		    "There is a problem</h2><div class=\"govuk-error-summary__body\"><ul class=\""
		    "govuk-list govuk-error-summary__list\"><li><a href=\"#%s%s\">",
		    pr->field != NULL ? pr->field : pr->form, pr->field != NULL ? "" : "-error");
		html_text(&r->body, pr->text);
		output_printf(&r->body, "</a></li></ul></div></div></div>\n");
		return;
	}
	for (i = 0; done != NULL && i < sizeof(done_text) / sizeof(done_text[0]); i++)
		if (strcmp(done, done_text[i].verb) == 0)
			output_printf(&r->body, "<div class=\"govuk-notification-banner "
			    "govuk-notification-banner--success\" role=\"alert\" aria-labelledby="
			    "\"banner-title\"><div class=\"govuk-notification-banner__header\"><h2 "
			    "class=\"govuk-notification-banner__title\" id=\"banner-title\">Success</h2>"
			    "</div><div class=\"govuk-notification-banner__content\"><p class=\""
			    "govuk-notification-banner__heading\">%s</p></div></div>\n",
			    done_text[i].banner);
}

/* The message id at the start of r->rest, and what follows it. */
static int
message_id(struct webreq *r, uint8_t id[IDS_MSGID_BYTES], const char **after)
{
	char text[IDS_MSGID_TEXT + 1];
	struct status st;

	if (strlen(r->rest) < IDS_MSGID_TEXT)
		return -1;
	memcpy(text, r->rest, IDS_MSGID_TEXT);
	text[IDS_MSGID_TEXT] = '\0';
	*after = r->rest + IDS_MSGID_TEXT;
	return ids_msgid_parse(text, id, &st);
}

static void
show(struct webreq *r, const uint8_t id[IDS_MSGID_BYTES], unsigned status,
    const struct problem *pr)
{
	struct output *o = &r->body;
	uint8_t *envb = NULL, *pt = NULL;
	size_t elen = 0, plen = 0;
	char idtext[IDS_MSGID_TEXT + 1], by[WEBREQ_BY_MAX], loc[WEBREQ_LOCATION_MAX];
	struct inbox_msg m;
	struct payload p;
	struct status st;
	int rc;

	ids_msgid_format(id, idtext);
	if ((rc = inbox_get(r->a->db, id, &m, &st)) == 0) {
		snprintf(loc, sizeof(loc), "/sent/%s", idtext);
		webreq_redirect(r, loc);
		return;
	}
	webreq_by(r, by);
	if (rc < 0 || webreq_audit(r, "read", m.from, id, by, &st) != 0 ||
	    inbox_bytes(r->a->db, id, &envb, &elen, &pt, &plen, &st) != 1) {
		log_event(LOG_LEVEL_WARN, r->a->self->id, idtext, "store-failed", "web: %s",
		    st.text);
		webreq_refuse(r, MHD_HTTP_SERVICE_UNAVAILABLE, "Sorry, there is a problem",
		    "The message cannot be opened right now. Try again in a few minutes.");
		goto out;
	}
	webreq_begin(r, status, envelope_type_name(m.type), HTML_NAV_INBOX);
	banner(r, pr);
	output_printf(o, "<span class=\"govuk-caption-l\">From ");
	webtag_agency(o, r->a->dir, m.from);
	output_printf(o, "</span><h1 class=\"govuk-heading-l\">%s ", m.type == ENVELOPE_CONCERN ?
	    "Concern" : m.type == ENVELOPE_REFERRAL ? "Referral" : "Message");
	html_text(o, m.case_id);
	output_printf(o, "</h1>\n<dl class=\"govuk-summary-list\" id=\"header\">\n");
	row_begin(o, "Urgency");
	webtag_urgency(o, m.urgency);
	row_end(o);
	row_begin(o, "State");
	output_printf(o, "<span id=\"state\">%s</span>", inbox_state_name(m.state));
	if (m.ack_by[0] != '\0') {
		output_printf(o, " (acknowledged by ");
		html_text(o, m.ack_by);
		output_printf(o, ")");
	}
	if (m.decision_by[0] != '\0') {
		output_printf(o, " (");
		html_text(o, m.decision);
		output_printf(o, " by ");
		html_text(o, m.decision_by);
		output_printf(o, ")");
	}
	row_end(o);
	row_begin(o, "Received");
	webtag_time(o, m.received_ms);
	row_end(o);
	row_begin(o, "Message id");
	output_printf(o, "<code>%s</code>", idtext);
	row_end(o);
	output_printf(o, "</dl>\n");
	if (pt == NULL)
		output_printf(o, "<p class=\"govuk-body\">%s</p>\n", m.state == INBOX_REJECTED ?
		    "This message was rejected on arrival; there is nothing to read." :
		    "The content of this message is no longer kept.");
	else if (payload_decode((uint8_t)m.type, pt, plen, &p, &st) != 0)
		output_printf(o, "<p class=\"govuk-body\">The content could not be read.</p>\n");
	else if (m.type == ENVELOPE_REFERRAL || m.type == ENVELOPE_CONCERN)
		referral(o, &p.u.referral);
	else
		other(o, &p);
	deadlines(r, &m, clock_now_ms());
	actions(r, &m, idtext, pr);
	webreq_end(r);
out:
	if (pt != NULL) {
		sodium_memzero(pt, plen);
		free(pt);
	}
	free(envb);
}

void
webpage_message(struct webreq *r)
{
	uint8_t id[IDS_MSGID_BYTES];
	const char *after;

	if (message_id(r, id, &after) != 0 || *after != '\0') {
		webreq_refuse(r, MHD_HTTP_NOT_FOUND, "Page not found",
		    "There is no such message. Open messages from the inbox.");
		return;
	}
	show(r, id, MHD_HTTP_OK, NULL);
}

/* The mistakes the page words itself (see the top): -1 with pr's field
 * and text, else 0. */
static int
wording(const struct webreq *r, const char *verb, struct problem *pr)
{
	const char *decision = webform_get(r->form, "decision");
	const char *reason = webform_get(r->form, "reason"), *to = webform_get(r->form, "to");
	const char *text = webform_get(r->form, "text");

	pr->field = NULL;
	if (strcmp(verb, "feedback") == 0 && (text == NULL || *text == '\0')) {
		pr->field = "feedback-text";
		pr->text = "Enter the feedback or update for the referrer";
	} else if (strcmp(verb, "decide") != 0) {
		return 0;
	} else if (decision == NULL || payload_decision_parse(decision) < 0) {
		pr->field = "decision-accept";
		pr->text = "Select a decision";
	} else if (strcmp(decision, "accept") != 0 && (reason == NULL || *reason == '\0')) {
		pr->field = "reason";
		pr->text = strcmp(decision, "decline") == 0 ? "Enter the reason for declining" :
		    "Enter the reason for redirecting";
	} else if (strcmp(decision, "redirect") == 0 && (to == NULL || *to == '\0')) {
		pr->field = "to";
		pr->text = "Select the agency to redirect to";
	}
	return pr->field != NULL ? -1 : 0;
}

void
webpage_message_post(struct webreq *r)
{
	const char *decision = webform_get(r->form, "decision");
	struct ctlmsg_arg args[5];
	char idtext[IDS_MSGID_TEXT + 1], loc[WEBREQ_LOCATION_MAX];
	uint8_t id[IDS_MSGID_BYTES];
	struct problem pr;
	struct output out;
	struct status st;
	const char *after, *verb;
	size_t n = 0;
	int code;

	if (message_id(r, id, &after) != 0 || after[0] != '/' ||
	    (strcmp(after + 1, "ack") != 0 && strcmp(after + 1, "decide") != 0 &&
		strcmp(after + 1, "feedback") != 0)) {
		webreq_refuse(r, MHD_HTTP_NOT_FOUND, "Page not found", "There is no such action.");
		return;
	}
	verb = after + 1;
	ids_msgid_format(id, idtext);
	args[n++] = (struct ctlmsg_arg){"id", idtext};
	args[n++] = (struct ctlmsg_arg){"text", (char *)(uintptr_t)webform_get(r->form, "text")};
	if (strcmp(verb, "decide") == 0) {
		args[n++] = (struct ctlmsg_arg){"decision", (char *)(uintptr_t)decision};
		args[n++] = (struct ctlmsg_arg){"reason",
		    (char *)(uintptr_t)webform_get(r->form, "reason")};
		/* The list offers an agency whatever the decision: it counts
		 * only for a redirect. */
		if (decision != NULL && strcmp(decision, "redirect") == 0)
			args[n++] = (struct ctlmsg_arg){"to",
			    (char *)(uintptr_t)webform_get(r->form, "to")};
	}
	pr.form = verb;
	if (wording(r, verb, &pr) != 0) {
		show(r, id, MHD_HTTP_BAD_REQUEST, &pr);
		return;
	}
	code = webreq_act(r, verb, args, n, true, false, &out, &st);
	output_free(&out);
	if (code == STATUS_OK) {
		snprintf(loc, sizeof(loc), "/message/%s?done=%s", idtext, verb);
		webreq_redirect(r, loc);
		return;
	}
	if (code == STATUS_STORE_FAILED) {
		webreq_refuse(r, MHD_HTTP_SERVICE_UNAVAILABLE, "Sorry, there is a problem",
		    "Nothing was done: the database failed. Try again in a few minutes.");
		return;
	}
	pr.field = NULL;
	pr.text = st.text;
	show(r, id, MHD_HTTP_BAD_REQUEST, &pr);
}
