/* SPDX-License-Identifier: ISC */
/*
 * webreq: the helpers every page of the web inbox uses (see webreq.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>

#include "agents/control.h"
#include "agents/webreq.h"
#include "common/auditlog.h"
#include "common/log.h"

const char *
webreq_query(const struct webreq *r, const char *key)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
}

const char *
webreq_cookie(const struct webreq *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

void
webreq_redirect(struct webreq *r, const char *location)
{
	r->status = MHD_HTTP_SEE_OTHER;
	snprintf(r->location, sizeof(r->location), "%s", location);
	output_reset(&r->body);
}

void
webreq_set_cookie(struct webreq *r, const char *name, const char *value, bool expire)
{
	if (r->ncookies == WEBREQ_COOKIES_MAX)
		return;
	snprintf(r->cookies[r->ncookies++], WEBREQ_COOKIE_MAX,
	    "%s=%s; HttpOnly; SameSite=Strict; Path=/%s%s", name, expire ? "" : value,
	    expire ? "; Max-Age=0" : "", r->tls ? "; Secure" : "");
}

bool
webreq_can_act(const struct webreq *r)
{
	return r->s != NULL && r->s->role >= USERS_WORKER;
}

void
webreq_by(const struct webreq *r, char out[WEBREQ_BY_MAX])
{
	snprintf(out, WEBREQ_BY_MAX, "%s, %s", r->s ? r->s->name : "-",
	    r->s ? users_role_name(r->s->role) : "-");
}

void
webreq_begin(struct webreq *r, unsigned status, const char *title, enum html_nav nav)
{
	struct html_page p;

	memset(&p, 0, sizeof(p));
	p.title = title;
	p.agency = r->a->self->name != NULL ? r->a->self->name : r->a->self->id;
	if (r->s != NULL) {
		p.user = r->s->name;
		p.role = users_role_name(r->s->role);
		p.csrf = r->s->csrf;
		p.can_act = webreq_can_act(r);
	}
	p.nav = nav;
	r->status = status;
	output_reset(&r->body);
	html_begin(&r->body, &p);
}

void
webreq_end(struct webreq *r)
{
	html_end(&r->body);
}

void
webreq_refuse(struct webreq *r, unsigned status, const char *title, const char *text)
{
	webreq_begin(r, status, title, HTML_NAV_NONE);
	html_elem(&r->body, "h1", "govuk-heading-l", title);
	html_elem(&r->body, "p", "govuk-body", text);
	output_printf(&r->body, "<p class=\"govuk-body\"><a class=\"govuk-link\" href=\"/\">"
	    "Go to the start</a></p>\n");
	webreq_end(r);
}

int
webreq_audit(struct webreq *r, const char *event, const char *agency, const uint8_t *id,
    const char *detail, struct status *st)
{
	struct db *db = r->a->db;

	if (db_begin(db, st) != 0)
		return -1;
	if (auditlog_append(db, event, agency, id, detail, st) != 0 || db_commit(db, st) != 0) {
		db_rollback(db, NULL);
		return -1;
	}
	return 0;
}

/* Adds key=value to rq (copies): 0, or -1 if out of memory. */
static int
arg(struct ctlmsg_request *rq, const char *key, const char *value)
{
	struct ctlmsg_arg *a = &rq->args[rq->nargs];

	a->key = strdup(key);
	a->value = strdup(value);
	rq->nargs++;
	return a->key != NULL && a->value != NULL ? 0 : -1;
}

int
webreq_act(struct webreq *r, const char *verb, const struct ctlmsg_arg *args, size_t n,
    bool with_by, bool json, struct output *out, struct status *st)
{
	struct ctlmsg_request rq;
	char by[WEBREQ_BY_MAX];
	size_t i;
	int code;

	memset(&rq, 0, sizeof(rq));
	output_init(out, json);
	if (n + 1 > CTLMSG_ARGS_MAX) {
		status_set(st, STATUS_TOO_LARGE, "too many fields");
		return STATUS_TOO_LARGE;
	}
	snprintf(rq.verb, sizeof(rq.verb), "%s", verb);
	webreq_by(r, by);
	for (i = 0; i < n; i++)
		if (args[i].value != NULL && args[i].value[0] != '\0' &&
		    arg(&rq, args[i].key, args[i].value) != 0)
			goto oom;
	if (with_by && arg(&rq, "by", by) != 0)
		goto oom;
	if (db_begin(r->a->db, st) != 0) {
		code = st->code;
		goto out;
	}
	code = control_run(r->a, &rq, getuid(), out, st);
	if (code == STATUS_OK && db_commit(r->a->db, st) != 0)
		code = st->code;
	if (code != STATUS_OK)
		db_rollback(r->a->db, NULL);
	if (code == STATUS_STORE_FAILED)
		log_event(LOG_LEVEL_WARN, r->a->self->id, NULL, "store-failed", "web %s: %s", verb,
		    st->text);
	goto out;
oom:
	status_set(st, STATUS_STORE_FAILED, "out of memory");
	code = STATUS_STORE_FAILED;
out:
	ctlmsg_request_clear(&rq);
	return code;
}
/* 1 if this agency may send a message of type to agency id. */
static int
allowed(const struct webreq *r, const char *id, int type)
{
	struct status st;

	return strcmp(id, r->a->self->id) != 0 &&
	    policy_allows(r->a->policy, r->a->dir, r->a->self->id, id, type, &st) == 0;
}

size_t
webreq_recipients(struct webreq *r, int type, const char *selected)
{
	const struct directory *d = r->a->dir;
	const struct directory_agency *ag;
	size_t i, n = 0;
	int ref, con;

	for (i = 0; i < d->n_agencies; i++) {
		ag = &d->agencies[i];
		ref = (type == 0 || type == ENVELOPE_REFERRAL) && allowed(r, ag->id, ENVELOPE_REFERRAL);
		con = (type == 0 || type == ENVELOPE_CONCERN) && allowed(r, ag->id, ENVELOPE_CONCERN);
		if (!ref && !con)
			continue;
		output_printf(&r->body, "<option value=\"");
		html_text(&r->body, ag->id);
		output_printf(&r->body, "\"%s>", selected != NULL && strcmp(selected, ag->id) == 0 ?
		    " selected" : "");
		html_text(&r->body, ag->name != NULL ? ag->name : ag->id);
		if (type == 0)
			output_printf(&r->body, " (%s)", ref && con ? "referral or concern" :
			    ref ? "referral only" : "concern only");
		output_printf(&r->body, "</option>");
		n++;
	}
	return n;
}
