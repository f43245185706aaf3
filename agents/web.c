/* SPDX-License-Identifier: ISC */
/*
 * web: the daemon, its place in the agent's loop, routing, and the
 * headers of every answer (see web.h).
 *
 * Every request goes through dispatch(): the route decides what it needs -
 * a session, the session's CSRF token in the form, a role that may act -
 * and a request that lacks one is answered here (to sign in, 403 "Form
 * expired", 403) before any page code runs, so no page can forget a check.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>
#include <sodium.h>

#include "agents/inbox.h"
#include "agents/loginrate.h"
#include "agents/users.h"
#include "agents/web.h"
#include "agents/webasset.h"
#include "agents/webpage.h"
#include "agents/websse.h"
#include "common/clock.h"
#include "common/keyfile.h"
#include "common/log.h"

#define FORM_TYPE "application/x-www-form-urlencoded"
#define MHD_OPTIONS_MAX 12

/* What a route needs before its handler runs. */
enum {
	NEED_SESSION = 1,	/* signed in (else to /login) */
	NEED_CSRF = 2,		/* a POST with the session's token (else 403) */
	NEED_ACT = 4,		/* not a viewer (else 403) */
};

enum kind { PAGE, CSS, JS, EVENTS };

static const struct route {
	bool post;
	const char *path;	/* exact, or a prefix if it ends with '/' */
	int need;
	enum kind kind;
	void (*fn)(struct webreq *r);
} routes[] = {
	{false, "/", 0, PAGE, webpage_login_root},
	{false, "/login", 0, PAGE, webpage_login_form},
	{true, "/login", 0, PAGE, webpage_login_post},
	{true, "/logout", NEED_SESSION | NEED_CSRF, PAGE, webpage_login_logout},
	{false, "/inbox", NEED_SESSION, PAGE, webpage_inbox},
	{false, "/message/", NEED_SESSION, PAGE, webpage_message},
	{true, "/message/", NEED_SESSION | NEED_CSRF | NEED_ACT, PAGE, webpage_message_post},
	{false, "/compose", NEED_SESSION | NEED_ACT, PAGE, webpage_compose_form},
	{true, "/compose", NEED_SESSION | NEED_CSRF | NEED_ACT, PAGE, webpage_compose_post},
	{false, "/sent", NEED_SESSION, PAGE, webpage_sent},
	{false, "/sent/", NEED_SESSION, PAGE, webpage_sent_one},
	{false, "/deadlines", NEED_SESSION, PAGE, webpage_deadlines},
	{false, "/events", NEED_SESSION, EVENTS, NULL},
	{false, "/static/dutynet.css", 0, CSS, NULL},
	{false, "/static/dutynet.js", 0, JS, NULL},
};

struct web {
	struct agent *a;
	struct MHD_Daemon *d;
	struct websessions *sessions;
	struct loginrate *rate;
	struct websse *sse;
	bool tls;
	char *cert;		/* PEM, until the daemon stops */
	char *key;		/* PEM, sodium_malloc */
	size_t key_len;
};

/* One connection's request while its body arrives. */
struct pending {
	struct webform_body body;
};

static void
logger(void *cls, const char *fmt, va_list ap)
{
	char text[STATUS_TEXT_LEN];

	(void)cls;
	vsnprintf(text, sizeof(text), fmt, ap);
	text[strcspn(text, "\n")] = '\0';
	log_debug("web: %s", text);
}

/* The route for path, or NULL; *rest is what follows a prefix route. */
static const struct route *
find(const char *path, bool post, const char **rest, bool *other_method)
{
	size_t i, n;
	bool prefix;

	*other_method = false;
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		n = strlen(routes[i].path);
		prefix = n > 1 && routes[i].path[n - 1] == '/';
		if (prefix && (strncmp(path, routes[i].path, n) != 0 || path[n] == '\0'))
			continue;
		if (!prefix && strcmp(path, routes[i].path) != 0)
			continue;
		if (routes[i].post != post) {
			*other_method = true;
			continue;
		}
		*rest = path + n;
		return &routes[i];
	}
	return NULL;
}

static void
peer(struct MHD_Connection *conn, char *out, size_t cap)
{
	const union MHD_ConnectionInfo *ci;
	const struct sockaddr *sa;

	snprintf(out, cap, "-");
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || (sa = ci->client_addr) == NULL)
		return;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
		    (socklen_t)cap);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
		    (socklen_t)cap);
}

static void
headers(struct MHD_Response *resp, const struct webreq *r, bool page)
{
	size_t i;

	MHD_add_response_header(resp, "Content-Security-Policy", WEB_CSP);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Cache-Control", page ? "no-store" : "no-cache");
	if (r->tls)
		MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
	if (r->content_type != NULL)
		MHD_add_response_header(resp, "Content-Type", r->content_type);
	if (r->location[0] != '\0')
		MHD_add_response_header(resp, "Location", r->location);
	for (i = 0; i < r->ncookies; i++)
		MHD_add_response_header(resp, "Set-Cookie", r->cookies[i]);
}

static enum MHD_Result
respond(struct web *w, struct MHD_Connection *conn, struct webreq *r, enum kind kind)
{
	struct MHD_Response *resp = NULL;
	enum MHD_Result ret;

	if (kind == EVENTS && r->status == MHD_HTTP_OK) {
		resp = websse_open(w->sse, conn, r->s->token, clock_now_ms());
		if (resp == NULL)
			webreq_refuse(r, MHD_HTTP_SERVICE_UNAVAILABLE, "Too many pages open",
			    "Close some of this service's pages and reload.");
		else
			r->content_type = "text/event-stream";
	}
	if (resp == NULL && r->fixed != NULL)
		resp = MHD_create_response_from_buffer(r->fixed_len, (void *)(uintptr_t)r->fixed,
		    MHD_RESPMEM_PERSISTENT);
	else if (resp == NULL && r->body.failed)
		return MHD_NO;	/* out of memory: drop the connection */
	else if (resp == NULL)
		resp = MHD_create_response_from_buffer(r->body.len, r->body.buf,
		    MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MHD_NO;
	if (r->content_type == NULL && r->body.len > 0)
		r->content_type = WEBREQ_HTML;
	headers(resp, r, r->fixed == NULL);
	ret = MHD_queue_response(conn, r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* Re-reads the signed-in account on every request, so that `dutynet user
 * disable` (or an account gone, or a role changed) takes effect on its
 * next request rather than at the session's idle timeout: a disabled or
 * missing account ends the session (r->s NULL, *ended true); a changed
 * role replaces the session's.  0 to go on, -1 when r holds the answer
 * (the database failed: nothing is shown with a stale role). */
static int
account(struct web *w, struct webreq *r, bool *ended)
{
	const char *token = webreq_cookie(r, WEBREQ_SESSION_COOKIE);
	struct users_entry e;
	struct status st;
	int rc;

	*ended = false;
	if (r->s == NULL)
		return 0;
	if ((rc = users_get(w->a->db, r->s->name, &e, &st)) < 0) {
		log_event(LOG_LEVEL_WARN, w->a->self->id, NULL, "store-failed",
		    "web: re-reading account %s: %s", r->s->name, st.text);
		webreq_refuse(r, MHD_HTTP_SERVICE_UNAVAILABLE, "Sorry, there is a problem",
		    "Your account could not be checked. Reload the page in a moment.");
		return -1;
	}
	if (rc == 0 || e.disabled || e.role == 0) {
		log_event(LOG_LEVEL_INFO, w->a->self->id, NULL, "session-ended",
		    "web: account %s is %s: its session ended", r->s->name,
		    rc == 0 ? "gone" : "disabled");
		websession_end(w->sessions, token);
		webreq_set_cookie(r, WEBREQ_SESSION_COOKIE, "", true);
		r->s = NULL;
		*ended = true;
		return 0;
	}
	if (e.role != r->s->role) {
		log_event(LOG_LEVEL_INFO, w->a->self->id, NULL, "session-role",
		    "web: account %s is now %s (was %s)", r->s->name, users_role_name(e.role),
		    users_role_name(r->s->role));
		websession_set_role(w->sessions, token, e.role);
	}
	return 0;
}

/* The checks a route needs; 0 to go on, -1 when r holds the answer. */
static int
check(struct web *w, struct webreq *r, const struct route *rt, struct pending *p,
    struct webform *form)
{
	const char *type;
	struct status st;
	bool ended;

	r->s = websession_find(w->sessions, webreq_cookie(r, WEBREQ_SESSION_COOKIE),
	    clock_now_ms(), rt->kind != EVENTS);
	if (account(w, r, &ended) != 0)
		return -1;
	if ((rt->need & NEED_SESSION) && r->s == NULL) {
		if (rt->kind == EVENTS)
			webreq_refuse(r, MHD_HTTP_UNAUTHORIZED, "Signed out", "Sign in again.");
		else
			webreq_redirect(r, ended ? WEBREQ_LOGIN_DISABLED : "/login");
		return -1;
	}
	if (r->post) {
		type = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Content-Type");
		if (p->body.too_long) {
			webreq_refuse(r, MHD_HTTP_CONTENT_TOO_LARGE, "Too much text",
			    "The form was too long to accept. Shorten it and send it again.");
			return -1;
		}
		if (type == NULL || strncmp(type, FORM_TYPE, strlen(FORM_TYPE)) != 0) {
			webreq_refuse(r, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, "Not a form",
			    "Send this page's form from the browser.");
			return -1;
		}
		if (webform_parse(p->body.buf ? p->body.buf : "", p->body.len, form, &st) != 0) {
			webreq_refuse(r, MHD_HTTP_BAD_REQUEST, "The form could not be read", st.text);
			return -1;
		}
	}
	if ((rt->need & NEED_CSRF) &&
	    !websession_token_equal(webform_get(form, "csrf"), r->s->csrf)) {
		webreq_refuse(r, MHD_HTTP_FORBIDDEN, "Form expired",
		    "Nothing was done: the form was too old or did not come from this service. "
		    "Go back, reload the page and try again.");
		return -1;
	}
	if ((rt->need & NEED_ACT) && !webreq_can_act(r)) {
		webreq_refuse(r, MHD_HTTP_FORBIDDEN, "You cannot do this",
		    "Nothing was done: your account can read messages but not act on them.");
		return -1;
	}
	return 0;
}

static enum MHD_Result
dispatch(struct web *w, struct MHD_Connection *conn, const char *url, const char *method,
    struct pending *p)
{
	const struct route *rt;
	struct webform form;
	struct webreq r;
	enum MHD_Result ret;
	bool other;

	memset(&r, 0, sizeof(r));
	memset(&form, 0, sizeof(form));
	r.a = w->a;
	r.sessions = w->sessions;
	r.rate = w->rate;
	r.sse = w->sse;
	r.conn = conn;
	r.tls = w->tls;
	r.path = url;
	r.form = &form;
	r.status = MHD_HTTP_OK;
	r.post = strcmp(method, MHD_HTTP_METHOD_POST) == 0;
	output_init(&r.body, false);
	peer(conn, r.addr, sizeof(r.addr));
	rt = find(url, r.post, &r.rest, &other);
	if (!r.post && strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) {
		rt = NULL;
		other = true;
	}
	if (rt == NULL)
		webreq_refuse(&r, other ? MHD_HTTP_METHOD_NOT_ALLOWED : MHD_HTTP_NOT_FOUND,
		    other ? "Not allowed" : "Page not found",
		    other ? "This page cannot be used that way." :
		    "If you typed the web address, check it is correct.");
	else if (check(w, &r, rt, p, &form) == 0) {
		if (rt->kind == CSS) {
			r.fixed = webasset_css;
			r.fixed_len = webasset_css_len;
			r.content_type = "text/css; charset=utf-8";
		} else if (rt->kind == JS) {
			r.fixed = webasset_js;
			r.fixed_len = webasset_js_len;
			r.content_type = "text/javascript; charset=utf-8";
		} else if (rt->fn != NULL) {
			rt->fn(&r);
		}
	}
	ret = respond(w, conn, &r, rt != NULL ? rt->kind : PAGE);
	output_free(&r.body);
	webform_clear(&form);
	return ret;
}

static enum MHD_Result
access_cb(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
    const char *version, const char *data, size_t *data_size, void **con_cls)
{
	struct pending *p = *con_cls;

	(void)version;
	if (p == NULL) {
		if ((p = calloc(1, sizeof(*p))) == NULL)
			return MHD_NO;
		*con_cls = p;
		return MHD_YES;
	}
	if (*data_size > 0) {
		webform_body_add(&p->body, data, *data_size);
		*data_size = 0;
		return MHD_YES;
	}
	return dispatch(cls, conn, url, method, p);
}

static void
completed_cb(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct pending *p = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (p != NULL) {
		webform_body_clear(&p->body);
		free(p);
		*con_cls = NULL;
	}
}

/* Reads the certificate chain and the key (checked as key files are). */
static int
load_tls(struct web *w, const struct settings_agent *s, struct status *st)
{
	struct status why;
	FILE *f;
	size_t n;

	if (keyfile_read_secret(s->web_tls_key, WEB_TLS_KEY_MAX, &w->key, &w->key_len, &why) != 0)
		return status_set(st, why.code, "%s:%u: web_tls_key: %s", s->path,
		    s->web_tls_key_line, why.text);
	if ((f = fopen(s->web_tls_cert, "re")) == NULL)
		return status_set(st, STATUS_BAD_FIELD, "%s: web_tls_cert: cannot open %s: %s",
		    s->path, s->web_tls_cert, strerror(errno));
	if ((w->cert = malloc(WEB_TLS_CERT_MAX + 1)) == NULL) {
		fclose(f);
		return status_set(st, STATUS_UNAVAILABLE, "out of memory");
	}
	n = fread(w->cert, 1, WEB_TLS_CERT_MAX + 1, f);
	fclose(f);
	if (n == 0 || n > WEB_TLS_CERT_MAX)
		return status_set(st, STATUS_BAD_FIELD, "%s: web_tls_cert: %s is empty or over %d "
		    "bytes", s->path, s->web_tls_cert, WEB_TLS_CERT_MAX);
	w->cert[n] = '\0';
	w->tls = true;
	return 0;
}

static int
start(struct web *w, const struct settings_agent *s, struct status *st)
{
	struct MHD_OptionItem opts[MHD_OPTIONS_MAX];
	struct sockaddr_in6 sa6;
	struct sockaddr_in sa4;
	bool v6 = strchr(s->web_host, ':') != NULL;
	unsigned flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
	size_t n = 0;

	memset(&sa4, 0, sizeof(sa4));
	memset(&sa6, 0, sizeof(sa6));
	if (v6) {
		sa6.sin6_family = AF_INET6;
		sa6.sin6_port = htons((uint16_t)s->web_port);
		inet_pton(AF_INET6, s->web_host, &sa6.sin6_addr);
		flags |= MHD_USE_IPv6;
	} else {
		sa4.sin_family = AF_INET;
		sa4.sin_port = htons((uint16_t)s->web_port);
		inet_pton(AF_INET, s->web_host, &sa4.sin_addr);
	}
	/* The logger first: it applies to the options after it. */
	opts[n++] = (struct MHD_OptionItem){MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)logger, NULL};
	opts[n++] = (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0,
	    v6 ? (void *)&sa6 : (void *)&sa4};
	opts[n++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_COMPLETED,
	    (intptr_t)completed_cb, NULL};
	opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT, WEB_CONNECTIONS_MAX, NULL};
	opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT,
	    WEB_CONNECTION_TIMEOUT_S, NULL};
	opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_MEMORY_LIMIT,
	    WEB_CONNECTION_MEMORY, NULL};
	if (w->tls) {
		flags |= MHD_USE_TLS;
		opts[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, w->key};
		opts[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, w->cert};
	}
	opts[n++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
	w->d = MHD_start_daemon(flags, (uint16_t)s->web_port, NULL, NULL, access_cb, w,
	    MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
	if (w->d == NULL)
		return status_set(st, STATUS_UNAVAILABLE,
		    "cannot serve the web inbox on %s:%d (web_listen in %s): the port is in use, "
		    "the address is not this host's, or TLS could not start with web_tls_cert "
		    "and web_tls_key", s->web_host, s->web_port, s->path);
	return 0;
}

struct web *
web_new(struct agent *a, struct status *st)
{
	const struct settings_agent *s = a->settings;
	struct web *w;

	if ((w = calloc(1, sizeof(*w))) == NULL) {
		status_set(st, STATUS_UNAVAILABLE, "out of memory");
		return NULL;
	}
	w->a = a;
	if ((s->web_tls_key != NULL && load_tls(w, s, st) != 0))
		goto fail;
	if (w->tls && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
		status_set(st, STATUS_UNAVAILABLE, "this libmicrohttpd has no TLS; install "
		    "Debian's libmicrohttpd12 (built with GnuTLS)");
		goto fail;
	}
	if ((w->sessions = websession_new((uint64_t)s->web_session_idle_ms)) == NULL ||
	    (w->rate = loginrate_new()) == NULL || (w->sse = websse_new(w->sessions)) == NULL) {
		status_set(st, STATUS_UNAVAILABLE, "out of memory");
		goto fail;
	}
	if (start(w, s, st) != 0)
		goto fail;
	return w;
fail:
	web_destroy(&w);
	return NULL;
}

void
web_destroy(struct web **wp)
{
	struct web *w;

	if (wp == NULL || *wp == NULL)
		return;
	w = *wp;
	websse_destroy(&w->sse);
	if (w->d != NULL)
		MHD_stop_daemon(w->d);
	websession_destroy(&w->sessions);
	loginrate_destroy(&w->rate);
	sodium_free(w->key);
	free(w->cert);
	free(w);
	*wp = NULL;
}

int
web_fd(const struct web *w)
{
	const union MHD_DaemonInfo *i = MHD_get_daemon_info(w->d, MHD_DAEMON_INFO_EPOLL_FD);

	return i != NULL ? i->epoll_fd : -1;
}

uint64_t
web_wait_ms(struct web *w)
{
	MHD_UNSIGNED_LONG_LONG ms;

	if (MHD_get_timeout(w->d, &ms) == MHD_YES && ms < AGENT_POLL_MAX_MS)
		return (uint64_t)ms;
	return AGENT_POLL_MAX_MS;
}

void
web_run(struct web *w)
{
	websse_tick(w->sse, clock_now_ms());
	MHD_run(w->d);
}

void
web_stored(struct web *w, const uint8_t id[IDS_MSGID_BYTES])
{
	const struct directory_agency *from;
	struct inbox_msg m;
	struct output o;
	struct status st;
	char idtext[IDS_MSGID_TEXT + 1];

	if (w == NULL || websse_count(w->sse) == 0 || inbox_get(w->a->db, id, &m, &st) != 1 ||
	    (m.type != ENVELOPE_REFERRAL && m.type != ENVELOPE_CONCERN) ||
	    m.state == INBOX_REJECTED ||
	    (m.urgency != URGENCY_IMMEDIATE && m.urgency != URGENCY_URGENT))
		return;
	ids_msgid_format(id, idtext);
	output_init(&o, true);
	output_printf(&o, "{");
	output_json_key_str(&o, true, "id", idtext);
	output_json_key_str(&o, false, "from", m.from);
	output_json_key_str(&o, false, "case", m.case_id);
	output_json_key_str(&o, false, "urgency", envelope_urgency_name(m.urgency));
	output_json_key_str(&o, false, "type", envelope_type_name(m.type));
	/* The page shows the name people know; "from" stays the id. */
	from = directory_find(w->a->dir, m.from);
	output_json_key_str(&o, false, "from_name", from != NULL && from->name != NULL ?
	    from->name : m.from);
	output_printf(&o, "}");
	if (!o.failed)
		websse_send(w->sse, "urgent", o.buf);
	output_free(&o);
}
