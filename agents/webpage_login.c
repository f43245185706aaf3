/* SPDX-License-Identifier: ISC */
/*
 * webpage_login: signing in and out of the web inbox.
 *
 * The sign-in form is protected against cross-site posts before there is
 * a session by a random token in a cookie (dn_pre, HttpOnly, SameSite=
 * Strict) that the form must repeat.  A sign-in is refused while
 * loginrate says the account or the address is locked (the right password
 * too), and every attempt, good or bad, is an audit event naming the
 * account and the address - never the password.  A new session gets new
 * tokens, so a token seen before signing in is worth nothing after.
 */
#include <stdio.h>
#include <string.h>

#include <microhttpd.h>

#include "agents/loginrate.h"
#include "agents/users.h"
#include "agents/webpage.h"
#include "common/auditlog.h"
#include "common/clock.h"
#include "common/log.h"
#include "config/conf.h"

#define MS_PER_MINUTE 60000

void
webpage_login_root(struct webreq *r)
{
	webreq_redirect(r, r->s != NULL ? "/inbox" : "/login");
}

static void
form(struct webreq *r, unsigned status, const char *error, const char *username)
{
	const char *pre = webreq_cookie(r, WEBREQ_PRE_COOKIE), *ended;
	char token[WEBSESSION_TOKEN_TEXT + 1];
	struct output *o = &r->body;

	if (pre == NULL || !websession_token_equal(pre, pre)) {
		websession_token(token);
		webreq_set_cookie(r, WEBREQ_PRE_COOKIE, token, false);
	} else {
		snprintf(token, sizeof(token), "%s", pre);
	}
	webreq_begin(r, status, "Sign in", HTML_NAV_NONE);
	output_printf(o, "<div class=\"govuk-grid-row\"><div class=\"govuk-grid-column-two-thirds\">\n");
	if (error == NULL && (ended = webreq_query(r, WEBREQ_ENDED_KEY)) != NULL &&
	    strcmp(ended, WEBREQ_ENDED_DISABLED) == 0)
		output_printf(o, "<div class=\"govuk-notification-banner\" role=\"region\" "
		    "aria-labelledby=\"banner-title\" id=\"signed-out-banner\"><div class=\""
		    "govuk-notification-banner__header\"><h2 class=\"govuk-notification-banner__title\" "
		    "id=\"banner-title\">Signed out</h2></div><div class=\"govuk-notification-banner__"
		    "content\"><p class=\"govuk-notification-banner__heading\">Your account has been "
		    "disabled</p><p class=\"govuk-body\">Ask your lead if you think this is wrong."
		    "</p></div></div>\n");
	if (error != NULL) {
		output_printf(o, "<div class=\"govuk-error-summary\" data-module=\"govuk-error-summary\">"
		    "<div role=\"alert\"><h2 class=\"govuk-error-summary__title\">There is a problem</h2>"
		    "<div class=\"govuk-error-summary__body\"><ul class=\"govuk-list "
		    "govuk-error-summary__list\"><li><a href=\"#username\">");
		html_text(o, error);
		output_printf(o, "</a></li></ul></div></div></div>\n");
	}
	output_printf(o, "<h1 class=\"govuk-heading-l\">Sign in</h1>\n"
	    "<form method=\"post\" action=\"/login\" novalidate>");
	html_csrf(o, token);
	output_printf(o, "<div class=\"govuk-form-group\"><label class=\"govuk-label\" "
	    "for=\"username\">Username</label><input class=\"govuk-input govuk-!-width-one-half\" "
	    "id=\"username\" name=\"username\" type=\"text\" autocomplete=\"username\" "
	    "spellcheck=\"false\" autocapitalize=\"none\" value=\"");
	html_text(o, username);
	output_printf(o, "\"></div>\n<div class=\"govuk-form-group\"><label class=\"govuk-label\" "
	    "for=\"password\">Password</label><input class=\"govuk-input govuk-!-width-one-half\" "
	    "id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\">"
	    "</div>\n<button id=\"login-button\" type=\"submit\" class=\"govuk-button\">Sign in"
	    "</button>\n</form>\n</div></div>\n");
	webreq_end(r);
}

void
webpage_login_form(struct webreq *r)
{
	if (r->s != NULL)
		webreq_redirect(r, "/inbox");
	else
		form(r, MHD_HTTP_OK, NULL, NULL);
}

static void
audit(struct webreq *r, const char *event, const char *detail)
{
	struct status st;

	if (webreq_audit(r, event, NULL, NULL, detail, &st) != 0)
		log_event(LOG_LEVEL_WARN, r->a->self->id, NULL, "store-failed", "audit %s: %s",
		    event, st.text);
}

void
webpage_login_post(struct webreq *r)
{
	const char *user = webform_get(r->form, "username");
	const char *pw = webform_get(r->form, "password");
	char detail[AUDITLOG_DETAIL_MAX], q[CONF_QUOTE_BUF], text[STATUS_TEXT_LEN];
	const struct websession *s;
	struct users_entry e;
	struct status st;
	uint64_t now = clock_now_ms(), wait;
	int rc;

	if (!websession_token_equal(webform_get(r->form, "csrf"),
		webreq_cookie(r, WEBREQ_PRE_COOKIE))) {
		webreq_refuse(r, MHD_HTTP_FORBIDDEN, "Form expired",
		    "Nothing was done: the sign-in form was too old. Go back, reload the page and "
		    "sign in again.");
		return;
	}
	if (user == NULL || *user == '\0' || pw == NULL || *pw == '\0') {
		form(r, MHD_HTTP_OK, "Enter your username and password", user);
		return;
	}
	conf_quote(user, q);
	if ((wait = loginrate_wait_ms(r->rate, user, r->addr, now)) > 0) {
		snprintf(detail, sizeof(detail), "account '%s' from %s: locked after too many "
		    "failed attempts", q, r->addr);
		audit(r, "login-failed", detail);
		snprintf(text, sizeof(text), "Too many failed attempts. Try again in %llu minutes.",
		    (unsigned long long)((wait + MS_PER_MINUTE - 1) / MS_PER_MINUTE));
		form(r, MHD_HTTP_TOO_MANY_REQUESTS, text, user);
		return;
	}
	if ((rc = users_check(r->a->db, user, pw, &e, &st)) < 0) {
		log_event(LOG_LEVEL_WARN, r->a->self->id, NULL, "store-failed", "sign-in: %s",
		    st.text);
		webreq_refuse(r, MHD_HTTP_SERVICE_UNAVAILABLE, "Sorry, there is a problem",
		    "Signing in is not possible right now. Try again in a few minutes.");
		return;
	}
	if (rc == 0) {
		loginrate_failed(r->rate, user, r->addr, now);
		snprintf(detail, sizeof(detail), "account '%s' from %s: wrong password, or no such "
		    "enabled account", q, r->addr);
		audit(r, "login-failed", detail);
		log_event(LOG_LEVEL_WARN, r->a->self->id, NULL, "login-failed", "%s", detail);
		form(r, MHD_HTTP_OK, "Wrong username or password", user);
		return;
	}
	loginrate_succeeded(r->rate, user, r->addr);
	if ((s = websession_start(r->sessions, e.name, e.role, now)) == NULL) {
		webreq_refuse(r, MHD_HTTP_SERVICE_UNAVAILABLE, "Sorry, there is a problem",
		    "Signing in is not possible right now.");
		return;
	}
	snprintf(detail, sizeof(detail), "%s, %s from %s", e.name, users_role_name(e.role),
	    r->addr);
	audit(r, "login", detail);
	webreq_set_cookie(r, WEBREQ_SESSION_COOKIE, s->token, false);
	webreq_set_cookie(r, WEBREQ_PRE_COOKIE, "", true);
	webreq_redirect(r, "/inbox");
}

void
webpage_login_logout(struct webreq *r)
{
	char detail[STATUS_TEXT_LEN];

	snprintf(detail, sizeof(detail), "%s, %s from %s", r->s->name, users_role_name(r->s->role),
	    r->addr);
	websession_end(r->sessions, webreq_cookie(r, WEBREQ_SESSION_COOKIE));
	r->s = NULL;
	audit(r, "logout", detail);
	webreq_set_cookie(r, WEBREQ_SESSION_COOKIE, "", true);
	webreq_redirect(r, "/login");
}
