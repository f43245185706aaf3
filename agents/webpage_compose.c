/* SPDX-License-Identifier: ISC */
/*
 * webpage_compose: GET and POST /compose, a new referral or concern as a
 * structured form whose field names are `dutynet send`'s flags.  The form
 * is checked with sendform.c - the command line's own checks - and every
 * problem is shown beside its field (GOV.UK error summary and messages),
 * with what was typed kept; a form that passes goes through the "send"
 * request handler (webreq_act), which seals it and checks the recipient
 * against the directory and the sharing policy.  Only recipients the
 * policy allows are offered.  Values are never logged.
 *
 * sendform's texts are the command line's ("--dob is not a real date"):
 * on the page each problem is told in the GOV.UK way instead, naming the
 * field as it is labelled, from the wording table below (keyed by field,
 * in the page's order, which the error summary follows).
 */
#include <stdio.h>
#include <string.h>

#include <microhttpd.h>

#include "agents/sendform.h"
#include "agents/webpage.h"
#include "agents/webtag.h"
#include "common/log.h"
#include "proto/child.h"

#define JSON_ID_KEY "\"id\": \""
/* text_fields before the category (the case and the child), then after
 * the summary (the referrer). */
#define FIELDS_BEFORE_CATEGORY 5

/* A field: its name (also its id) and its label. */
struct field {
	const char *name;
	const char *label;
	const char *hint;
};

static const struct field text_fields[] = {
	{"case", "Case reference (optional)", "Letters, digits and . _ : - only; nothing that "
	    "identifies the child. Left empty, the message's own id is used."},
	{"child-name", "Child's full name", NULL},
	{"dob", "Child's date of birth", "For example, 2014-03-27"},
	{"upn", "Unique Pupil Number (optional)", "A capital letter and 12 digits"},
	{"nhs", "NHS number (optional)", "10 digits"},
	{"referrer-name", "Your name", NULL},
	{"referrer-role", "Your role", NULL},
	{"referrer-contact", "How to contact you", "A phone number or email address"},
	{"lawful-basis", "Lawful basis for sharing", "For example, Children Act 1989 s.47"},
};

/* What the page says about a field left empty and about one filled in
 * wrongly (or refused by the send handler), in the page's field order. */
static const struct {
	const char *field;
	const char *missing;
	const char *invalid;
} wording[] = {
	{"type", "Select what you are sending", "Select referral or concern"},
	{"to", "Select who to send it to", "Select an agency from the list: the one chosen "
	    "cannot receive this from you"},
	{"urgency", "Select how urgent it is", "Select immediate, urgent, standard or routine"},
	{"case", NULL, "Case reference must be letters, digits and . _ : - only, and nothing "
	    "that identifies the child"},
	{"child-name", "Enter the child's full name", NULL},
	{"dob", "Enter the child's date of birth as YYYY-MM-DD, for example 2016-05-14",
	    "Enter the child's date of birth as YYYY-MM-DD, for example 2016-05-14"},
	{"upn", NULL, "Enter the Unique Pupil Number as a capital letter and 12 digits, or "
	    "leave it empty"},
	{"nhs", NULL, "Enter a valid 10-digit NHS number, or leave it empty"},
	{"category", "Select the category of concern", "Select a category from the list"},
	{"summary", "Enter a summary of what happened", "Summary is too long: shorten it"},
	{"referrer-name", "Enter your name", NULL},
	{"referrer-role", "Enter your role", NULL},
	{"referrer-contact", "Enter how to contact you", NULL},
	{"lawful-basis", "Enter the lawful basis for sharing", NULL},
	{"consent", "Select whether consent to share was sought", "Select yes or no"},
	{"consent-why-not", "Enter why consent was not sought",
	    "Leave 'If not, why not' empty when consent was sought"},
};
#define WORDING_N (sizeof(wording) / sizeof(wording[0]))

struct page {
	struct webreq *r;
	const struct sendform_problems *probs;
	bool verbatim;			/* a refusal with no wording: its own text */
};

static const char *
problem(const struct page *pg, const char *field)
{
	const char *v = webform_get(pg->r->form, field), *t = NULL;
	size_t i;

	for (i = 0; pg->probs != NULL && i < pg->probs->n; i++)
		if (strcmp(pg->probs->v[i].field, field) == 0)
			break;
	if (pg->probs == NULL || i == pg->probs->n)
		return NULL;
	if (pg->verbatim)
		return pg->probs->v[i].st.text;
	for (i = 0; i < WORDING_N && t == NULL; i++)
		if (strcmp(wording[i].field, field) == 0)
			t = v == NULL || *v == '\0' ? wording[i].missing : wording[i].invalid;
	/* A field with no wording for this case still gets a message. */
	return t != NULL ? t : "Check this field";
}

static const char *
value(const struct page *pg, const char *field)
{
	const char *v = webform_get(pg->r->form, field);

	return v != NULL ? v : "";
}

/* The group's opening, label, hint and error message. */
static void
group(const struct page *pg, const char *name, const char *label, const char *hint,
    bool fieldset)
{
	struct output *o = &pg->r->body;
	const char *err = problem(pg, name);

	output_printf(o, "<div class=\"govuk-form-group%s\">", err ? " govuk-form-group--error" :
	    "");
	if (fieldset)
		output_printf(o, "<fieldset class=\"govuk-fieldset\"><legend class=\""
		    "govuk-fieldset__legend govuk-fieldset__legend--s\">%s</legend>", label);
	else
		output_printf(o, "<label class=\"govuk-label govuk-label--s\" for=\"%s\">%s</label>",
		    name, label);
	if (hint != NULL) {
		output_printf(o, "<div class=\"govuk-hint\" id=\"%s-hint\">", name);
		html_text(o, hint);
		output_printf(o, "</div>");
	}
	if (err != NULL) {
		output_printf(o, "<p id=\"%s-error\" class=\"govuk-error-message\"><span class="
		    "\"govuk-visually-hidden\">Error:</span> ", name);
		html_text(o, err);
		output_printf(o, "</p>");
	}
}

static void
describedby(const struct page *pg, const char *name, bool hint)
{
	bool err = problem(pg, name) != NULL;

	if (!hint && !err)
		return;
	output_printf(&pg->r->body, " aria-describedby=\"%s%s%s%s%s\"", hint ? name : "",
	    hint ? "-hint" : "", hint && err ? " " : "", err ? name : "", err ? "-error" : "");
}

static void
input(const struct page *pg, const struct field *f)
{
	struct output *o = &pg->r->body;

	group(pg, f->name, f->label, f->hint, false);
	output_printf(o, "<input class=\"govuk-input%s\" id=\"%s\" name=\"%s\" type=\"text\" "
	    "spellcheck=\"false\"", problem(pg, f->name) ? " govuk-input--error" : "", f->name,
	    f->name);
	describedby(pg, f->name, f->hint != NULL);
	output_printf(o, " value=\"");
	html_text(o, value(pg, f->name));
	output_printf(o, "\"></div>\n");
}

/* Radios: the first input has the field's name as id (the error summary
 * links to it), the others name-value. */
static void
radios(const struct page *pg, const char *name, const char *label,
    const char *const *values, const char *const *labels, const char *dflt)
{
	struct output *o = &pg->r->body;
	const char *v = webform_get(pg->r->form, name);
	size_t i;

	if (v == NULL)
		v = dflt;
	group(pg, name, label, NULL, true);
	output_printf(o, "<div class=\"govuk-radios govuk-radios--small\">");
	for (i = 0; values[i] != NULL; i++) {
		output_printf(o, "<div class=\"govuk-radios__item\"><input class=\"govuk-radios__input\""
		    " id=\"%s%s%s\" name=\"%s\" type=\"radio\" value=\"%s\"%s><label class=\"govuk-label "
		    "govuk-radios__label\" for=\"%s%s%s\">%s</label></div>", name, i ? "-" : "",
		    i ? values[i] : "", name, values[i], v != NULL && strcmp(v, values[i]) == 0 ?
		    " checked" : "", name, i ? "-" : "", i ? values[i] : "", labels[i]);
	}
	output_printf(o, "</div></fieldset></div>\n");
}

static void
summary(const struct page *pg)
{
	struct output *o = &pg->r->body;
	const char *text;
	size_t i;

	if (pg->probs == NULL || pg->probs->n == 0)
		return;
	output_printf(o, "<div class=\"govuk-error-summary\" data-module=\"govuk-error-summary\">"
	    "<div role=\"alert\"><h2 class=\"govuk-error-summary__title\">There is a problem</h2>"
	    "<div class=\"govuk-error-summary__body\"><ul class=\"govuk-list "
	    "govuk-error-summary__list\">");
	for (i = 0; i < WORDING_N; i++) {
		if ((text = problem(pg, wording[i].field)) == NULL)
			continue;
		output_printf(o, "<li><a href=\"#%s\">", wording[i].field);
		html_text(o, text);
		output_printf(o, "</a></li>");
	}
	output_printf(o, "</ul></div></div></div>\n");
}

static void
render(struct webreq *r, unsigned status, const struct sendform_problems *probs,
    bool verbatim)
{
	static const char *const types[] = {"referral", "concern", NULL};
	static const char *const type_labels[] = {"Referral: a child needs a service",
		"Concern: a child may be at risk of harm", NULL};
	static const char *const urgencies[] = {"immediate", "urgent", "standard", "routine",
		NULL};
	static const char *const urgency_labels[] = {"Immediate: the child is at risk now",
		"Urgent", "Standard", "Routine", NULL};
	static const char *const yesno[] = {"yes", "no", NULL};
	static const char *const consent_labels[] = {"Yes, consent was sought",
		"No, consent was not sought", NULL};
	struct page pg = { r, probs, verbatim };
	struct output *o = &r->body;
	const char *cat = webform_get(r->form, "category");
	size_t i;

	webreq_begin(r, status, "Send a referral or concern", HTML_NAV_COMPOSE);
	summary(&pg);
	output_printf(o, "<h1 class=\"govuk-heading-l\">Send a referral or concern</h1>\n"
	    "<form id=\"compose-form\" method=\"post\" action=\"/compose\" novalidate>");
	html_csrf(o, r->s->csrf);
	radios(&pg, "type", "What are you sending?", types, type_labels, NULL);
	group(&pg, "to", "Send to", "Only the agencies this agency may share with are listed.",
	    false);
	output_printf(o, "<select class=\"govuk-select%s\" id=\"to\" name=\"to\"",
	    problem(&pg, "to") ? " govuk-select--error" : "");
	describedby(&pg, "to", true);
	output_printf(o, "><option value=\"\">Choose an agency</option>");
	webreq_recipients(r, 0, webform_get(r->form, "to"));
	output_printf(o, "</select></div>\n");
	radios(&pg, "urgency", "How urgent is it?", urgencies, urgency_labels,
	    envelope_urgency_name(URGENCY_STANDARD));
	for (i = 0; i < FIELDS_BEFORE_CATEGORY; i++)
		input(&pg, &text_fields[i]);
	group(&pg, "category", "Category of concern", NULL, false);
	output_printf(o, "<select class=\"govuk-select%s\" id=\"category\" name=\"category\"",
	    problem(&pg, "category") ? " govuk-select--error" : "");
	describedby(&pg, "category", false);
	output_printf(o, "><option value=\"\">Choose a category</option>");
	for (i = 0; payload_categories[i] != NULL; i++) {
		output_printf(o, "<option value=\"%s\"%s>", payload_categories[i],
		    cat != NULL && strcmp(cat, payload_categories[i]) == 0 ? " selected" : "");
		webtag_category(o, payload_categories[i], strlen(payload_categories[i]));
		output_printf(o, "</option>");
	}
	output_printf(o, "</select></div>\n");
	group(&pg, "summary", "Summary", "What happened, what you saw or were told, and what "
	    "you have done.", false);
	output_printf(o, "<textarea class=\"govuk-textarea%s\" id=\"summary\" name=\"summary\" "
	    "rows=\"8\"", problem(&pg, "summary") ? " govuk-textarea--error" : "");
	describedby(&pg, "summary", true);
	output_printf(o, ">");
	html_text(o, value(&pg, "summary"));
	output_printf(o, "</textarea></div>\n");
	for (i = FIELDS_BEFORE_CATEGORY; i < sizeof(text_fields) / sizeof(text_fields[0]); i++)
		input(&pg, &text_fields[i]);
	radios(&pg, "consent", "Was consent to share sought?", yesno, consent_labels, NULL);
	group(&pg, "consent-why-not", "If not, why not", "Needed when consent was not sought.",
	    false);
	output_printf(o, "<textarea class=\"govuk-textarea%s\" id=\"consent-why-not\" "
	    "name=\"consent-why-not\" rows=\"2\"", problem(&pg, "consent-why-not") ?
	    " govuk-textarea--error" : "");
	describedby(&pg, "consent-why-not", true);
	output_printf(o, ">");
	html_text(o, value(&pg, "consent-why-not"));
	output_printf(o, "</textarea></div>\n<button id=\"send-button\" type=\"submit\" "
	    "class=\"govuk-button\">Send</button>\n</form>\n");
	webreq_end(r);
}

void
webpage_compose_form(struct webreq *r)
{
	render(r, MHD_HTTP_OK, NULL, false);
}

/* A form value, with "" as not given (a browser sends every field). */
static const char *
get(void *arg, const char *field)
{
	const char *v = webform_get(arg, field);

	return v != NULL && *v != '\0' ? v : NULL;
}

/* The field a refusal by the send handler is about; NULL if it names none
 * (shown by the summary, in its own words). */
static const char *
field_of(const struct status *st)
{
	size_t i, n;

	switch (st->code) {
	case STATUS_UNKNOWN_AGENCY:
	case STATUS_FORBIDDEN:
	case STATUS_NOT_ACCEPTED:
		return "to";
	case STATUS_BAD_TYPE:
		return "type";
	default:
		break;
	}
	for (i = 0; sendform_fields[i] != NULL; i++) {
		n = strlen(sendform_fields[i]);
		if (strncmp(st->text, "--", 2) == 0 &&
		    strncmp(st->text + 2, sendform_fields[i], n) == 0 && st->text[2 + n] == ' ')
			return sendform_fields[i];
	}
	return NULL;
}

void
webpage_compose_post(struct webreq *r)
{
	struct ctlmsg_arg args[WEBREQ_ARGS_MAX];
	struct sendform_problems probs;
	struct envelope_header h;
	struct payload p;
	struct output out;
	struct status st;
	char loc[WEBREQ_LOCATION_MAX], idtext[IDS_MSGID_TEXT + 1], by[WEBREQ_BY_MAX];
	uint8_t id[IDS_MSGID_BYTES];
	const char *found;
	size_t n = 0, i;
	int code;

	if (sendform_read(get, (void *)(uintptr_t)r->form, &h, &p, &probs) > 0) {
		render(r, MHD_HTTP_BAD_REQUEST, &probs, false);
		return;
	}
	for (i = 0; sendform_fields[i] != NULL && n < WEBREQ_ARGS_MAX; i++)
		args[n++] = (struct ctlmsg_arg){(char *)(uintptr_t)sendform_fields[i],
		    (char *)(uintptr_t)get((void *)(uintptr_t)r->form, sendform_fields[i])};
	/* The referral names its referrer; who sent it from here is in the
	 * audit log as "composed". */
	code = webreq_act(r, "send", args, n, false, true, &out, &st);
	if (code == STATUS_OK && !out.failed && (found = strstr(out.buf, JSON_ID_KEY)) != NULL &&
	    strlen(found) > strlen(JSON_ID_KEY) + IDS_MSGID_TEXT) {
		memcpy(idtext, found + strlen(JSON_ID_KEY), IDS_MSGID_TEXT);
		idtext[IDS_MSGID_TEXT] = '\0';
		webreq_by(r, by);
		if (ids_msgid_parse(idtext, id, &st) == 0 &&
		    webreq_audit(r, "composed", h.to, id, by, &st) != 0)
			log_event(LOG_LEVEL_WARN, r->a->self->id, idtext, "store-failed",
			    "audit composed: %s", st.text);
		snprintf(loc, sizeof(loc), "/sent/%s", idtext);
		webreq_redirect(r, loc);
	} else if (code == STATUS_OK) {
		webreq_redirect(r, "/sent");
	} else if (code == STATUS_STORE_FAILED) {
		webreq_refuse(r, MHD_HTTP_SERVICE_UNAVAILABLE, "Sorry, there is a problem",
		    "Nothing was sent: the database failed. Try again in a few minutes.");
	} else {
		probs.n = 1;
		snprintf(probs.v[0].field, sizeof(probs.v[0].field), "%s",
		    field_of(&st) != NULL ? field_of(&st) : "summary");
		probs.v[0].st = st;
		render(r, MHD_HTTP_BAD_REQUEST, &probs, field_of(&st) == NULL);
	}
	output_free(&out);
}
