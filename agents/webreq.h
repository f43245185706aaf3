/* SPDX-License-Identifier: ISC */
/*
 * webreq: one request to the web inbox as the pages see it, and what they
 * answer with.  web.c fills the request (the session, the form, the peer),
 * calls the page's handler, and sends the answer with the headers every
 * response has.  The helpers here are what every page does: lay out a
 * page, redirect, refuse, set a cookie, audit, and run a person's action
 * through the control socket's own request handlers (control_run), so the
 * web and the command line follow the same rules and deadlines.
 */
#ifndef DUTYNET_WEBREQ_H
#define DUTYNET_WEBREQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agents/agent.h"
#include "agents/ctlmsg.h"
#include "agents/html.h"
#include "agents/output.h"
#include "agents/webform.h"
#include "agents/websession.h"
#include "proto/status.h"

#define WEBREQ_ADDR_MAX 64		/* the peer's address as text */
#define WEBREQ_LOCATION_MAX 256
#define WEBREQ_COOKIE_MAX 256
#define WEBREQ_COOKIES_MAX 2
#define WEBREQ_ARGS_MAX 20		/* arguments of one action */
/* "name, role" of the person, as the request handlers' --by reads it. */
#define WEBREQ_BY_MAX (USERS_NAME_MAX + 16)

/* The cookies. */
#define WEBREQ_SESSION_COOKIE "dn_session"
#define WEBREQ_PRE_COOKIE "dn_pre"	/* the login form's token, before a session */

#define WEBREQ_HTML "text/html; charset=utf-8"

/* Where a session ended because its account was disabled (or is gone)
 * is sent: the sign-in page, saying why. */
#define WEBREQ_ENDED_KEY "account"
#define WEBREQ_ENDED_DISABLED "disabled"
#define WEBREQ_LOGIN_DISABLED "/login?" WEBREQ_ENDED_KEY "=" WEBREQ_ENDED_DISABLED

struct loginrate;
struct websse;

struct webreq {
	struct agent *a;
	struct websessions *sessions;
	struct loginrate *rate;
	struct websse *sse;
	void *conn;			/* the struct MHD_Connection, for lookups */
	bool tls;
	bool post;
	const char *path;
	const char *rest;		/* the path after a route's prefix ("/message/") */
	const struct websession *s;	/* NULL: not signed in */
	const struct webform *form;	/* POST fields (empty for GET) */
	char addr[WEBREQ_ADDR_MAX];

	/* The answer. */
	unsigned status;
	struct output body;
	const char *content_type;	/* WEBREQ_HTML unless set */
	const unsigned char *fixed;	/* a static file instead of body */
	size_t fixed_len;
	bool stream;			/* /events: web.c opens the event stream */
	char location[WEBREQ_LOCATION_MAX];
	char cookies[WEBREQ_COOKIES_MAX][WEBREQ_COOKIE_MAX];
	size_t ncookies;
};

/* A query-string or cookie value of the request, or NULL. */
const char *webreq_query(const struct webreq *r, const char *key);
const char *webreq_cookie(const struct webreq *r, const char *name);

/* Answers 303 See Other to location (a path of this site). */
void webreq_redirect(struct webreq *r, const char *location);

/* Sets a cookie (HttpOnly; SameSite=Strict; Path=/; Secure under TLS);
 * an empty value with max_age 0 deletes it. */
void webreq_set_cookie(struct webreq *r, const char *name, const char *value, bool expire);

/* Starts a page of r->body with status: the layout for r's session. */
void webreq_begin(struct webreq *r, unsigned status, const char *title, enum html_nav nav);

/* Ends the page webreq_begin started. */
void webreq_end(struct webreq *r);

/* A whole page that says no: status, an h1 title and a paragraph text. */
void webreq_refuse(struct webreq *r, unsigned status, const char *title, const char *text);

/* 1 if the signed-in person may act (not a viewer). */
bool webreq_can_act(const struct webreq *r);

/* The signed-in person as "name, role". */
void webreq_by(const struct webreq *r, char out[WEBREQ_BY_MAX]);

/* Appends one audit event in a transaction of its own: 0, or -1 and st. */
int webreq_audit(struct webreq *r, const char *event, const char *agency, const uint8_t *id,
    const char *detail, struct status *st);

/* Runs the control request verb with args[0..n) (key, value; a value NULL
 * or "" is left out) - and, with_by, the signed-in person as --by ("name,
 * role") - in a transaction of its own, through control_run.  json: ask
 * for JSON output.  STATUS_OK and out filled (the caller frees it), or the
 * code with st. */
int webreq_act(struct webreq *r, const char *verb, const struct ctlmsg_arg *args, size_t n,
    bool with_by, bool json, struct output *out, struct status *st);

/* Appends an <option> for each agency this agency may send type to (0:
 * a referral or a concern), by the sharing policy and what each accepts;
 * selected is marked.  Returns how many. */
size_t webreq_recipients(struct webreq *r, int type, const char *selected);

#endif
