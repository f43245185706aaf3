/* SPDX-License-Identifier: ISC */
/*
 * html: escaping and the shared page layout (see html.h).
 */
#include <string.h>

#include "agents/html.h"

void
html_textn(struct output *o, const char *s, size_t len)
{
	size_t i, run = 0;
	const char *rep;

	for (i = 0; i < len; i++) {
		switch (s[i]) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		default:
			continue;
		}
		if (i > run)
			output_printf(o, "%.*s", (int)(i - run), s + run);
		output_printf(o, "%s", rep);
		run = i + 1;
	}
	if (len > run)
		output_printf(o, "%.*s", (int)(len - run), s + run);
}

void
html_text(struct output *o, const char *s)
{
	if (s != NULL)
		html_textn(o, s, strlen(s));
}

void
html_elem(struct output *o, const char *tag, const char *cls, const char *text)
{
	output_printf(o, "<%s", tag);
	if (cls != NULL) {
		output_printf(o, " class=\"");
		html_text(o, cls);
		output_printf(o, "\"");
	}
	output_printf(o, ">");
	html_text(o, text);
	output_printf(o, "</%s>", tag);
}

void
html_csrf(struct output *o, const char *token)
{
	output_printf(o, "<input type=\"hidden\" name=\"csrf\" value=\"");
	html_text(o, token);
	output_printf(o, "\">");
}

void
html_table_begin(struct output *o, const char *id, const char *caption,
    const char *const *headers)
{
	size_t i;

	output_printf(o, "<table class=\"govuk-table\" id=\"");
	html_text(o, id);
	output_printf(o, "\"><caption class=\"govuk-table__caption govuk-table__caption--m\">");
	html_text(o, caption);
	output_printf(o, "</caption>\n<thead class=\"govuk-table__head\"><tr class=\""
	    "govuk-table__row\">");
	for (i = 0; headers[i] != NULL; i++) {
		output_printf(o, "<th scope=\"col\" class=\"govuk-table__header\">");
		html_text(o, headers[i]);
		output_printf(o, "</th>");
	}
	output_printf(o, "</tr></thead>\n<tbody class=\"govuk-table__body\">\n");
}

void
html_table_end(struct output *o)
{
	output_printf(o, "</tbody></table>\n");
}

static void
nav_item(struct output *o, const struct html_page *p, enum html_nav which, const char *id,
    const char *href, const char *label)
{
	int current = p->nav == which;

	output_printf(o, "<li class=\"govuk-header__navigation-item%s\"><a class=\""
	    "govuk-header__link\" id=\"%s\" href=\"%s\"%s>%s</a></li>", current ?
	    " govuk-header__navigation-item--active" : "", id, href,
	    current ? " aria-current=\"page\"" : "", label);
}

void
html_begin(struct output *o, const struct html_page *p)
{
	output_printf(o, "<!DOCTYPE html>\n<html lang=\"en\" class=\"govuk-template\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<title>");
	html_text(o, p->title);
	output_printf(o, " - " HTML_SERVICE "</title>\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	    "<link rel=\"stylesheet\" href=\"/static/dutynet.css\">\n"
	    "<script src=\"/static/dutynet.js\" defer></script>\n</head>\n"
	    "<body class=\"govuk-template__body\">\n"
	    "<a href=\"#main-content\" class=\"govuk-skip-link\">Skip to main content</a>\n"
	    "<header class=\"govuk-header\" role=\"banner\">\n"
	    "<div class=\"govuk-header__container govuk-width-container\">\n"
	    "<div class=\"govuk-header__logo\"><a href=\"/\" class=\"govuk-header__link "
	    "govuk-header__link--homepage\">" HTML_SERVICE "</a> "
	    "<span class=\"govuk-header__service-name\">");
	html_text(o, p->agency);
	output_printf(o, "</span></div>\n");
	if (p->user != NULL) {
		output_printf(o, "<nav aria-label=\"Menu\" class=\"govuk-header__navigation\">"
		    "<ul class=\"govuk-header__navigation-list\">");
		nav_item(o, p, HTML_NAV_INBOX, "nav-inbox", "/inbox", "Inbox");
		if (p->can_act)
			nav_item(o, p, HTML_NAV_COMPOSE, "nav-compose", "/compose", "Compose");
		nav_item(o, p, HTML_NAV_SENT, "nav-sent", "/sent", "Sent");
		nav_item(o, p, HTML_NAV_DEADLINES, "nav-deadlines", "/deadlines", "Deadlines");
		output_printf(o, "</ul></nav>\n<div class=\"dn-account\"><p id=\"whoami\" "
		    "class=\"dn-whoami\">Signed in as <strong>");
		html_text(o, p->user);
		output_printf(o, "</strong> (");
		html_text(o, p->role);
		output_printf(o, ")</p>\n<form id=\"logout-form\" method=\"post\" action=\"/logout\">");
		html_csrf(o, p->csrf);
		output_printf(o, "<button id=\"logout-button\" type=\"submit\" class=\"govuk-button "
		    "govuk-button--secondary dn-logout\">Sign out</button></form></div>\n");
	}
	output_printf(o, "</div>\n</header>\n<div class=\"govuk-width-container\">\n");
	if (p->user != NULL)
		output_printf(o, "<div id=\"live-region\" class=\"dn-live\" aria-live=\"polite\" "
		    "role=\"status\"></div>\n");
	output_printf(o, "<main class=\"govuk-main-wrapper\" id=\"main-content\" role=\"main\">\n");
}

void
html_end(struct output *o)
{
	output_printf(o, "</main>\n</div>\n<footer class=\"govuk-footer\" role=\"contentinfo\">"
	    "<div class=\"govuk-width-container\"><p class=\"govuk-footer__meta\">" HTML_SERVICE
	    ": signed, end-to-end encrypted referrals between the agencies of one area. "
	    "Every opening of a referral is recorded.</p></div></footer>\n</body>\n</html>\n");
}
