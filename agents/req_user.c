/* SPDX-License-Identifier: ISC */
/*
 * req_user: the web inbox's staff accounts from the command line -
 * `dutynet user add|passwd|disable|list` (control verbs user-add,
 * user-passwd, user-disable, user-list).  The password arrives as the
 * request's "password" argument over the local control socket, which only
 * the agent's own user (and root) can reach (control.c); it is handed to
 * users.c to hash and is never rendered, logged or audited.  The request's
 * copies of it are wiped when the request is cleared (ctlmsg.c).
 */
#include <stdio.h>
#include <string.h>

#include "agents/req.h"
#include "agents/users.h"

static const char *const add_known[] = {"name", "role", "password", NULL};
static const char *const passwd_known[] = {"name", "password", NULL};
static const char *const disable_known[] = {"name", NULL};
static const char *const list_known[] = {NULL};

#define NAME_COLUMN 24	/* width of the NAME column of `dutynet user list` */

/* The account as the commands print it after a change. */
static void
render(struct req *r, const char *done, const char *name, const char *role, bool disabled)
{
	if (r->out->json) {
		output_printf(r->out, "{");
		output_json_key_str(r->out, true, "name", name);
		output_json_key_str(r->out, false, "role", role);
		output_json_key_str(r->out, false, "state", disabled ? "disabled" : "enabled");
		output_json_key_str(r->out, false, "done", done);
		output_printf(r->out, "}\n");
		return;
	}
	output_printf(r->out, "%s account %s (%s%s)\n", done, name, role,
	    disabled ? ", disabled" : "");
}

/* users_list callback: copies the entry named want->name into want. */
static int
find_one(const struct users_entry *e, void *arg)
{
	struct users_entry *want = arg;

	if (strcmp(e->name, want->name) != 0)
		return 0;
	*want = *e;
	return 1;
}

/* Reads name's entry back after a change, for the answer. */
static int
reread(struct req *r, const char *name, struct users_entry *e, struct status *st)
{
	memset(e, 0, sizeof(*e));
	snprintf(e->name, sizeof(e->name), "%s", name);
	return users_list(r->a->db, find_one, e, st);
}

int
req_user_add(struct req *r, struct status *st)
{
	const char *name, *rname, *pw;
	enum users_role role;

	if (req_known(r, add_known, st) != 0 || (name = req_need(r, "name", st)) == NULL ||
	    (rname = req_need(r, "role", st)) == NULL)
		return -1;
	if (users_role_parse(rname, &role) != 0)
		return status_set(st, STATUS_BAD_FIELD,
		    "role '%.20s' is not lead, worker or viewer; see 'dutynet user --help'", rname);
	if ((pw = ctlmsg_get(r->rq, "password")) == NULL)
		return status_set(st, STATUS_BAD_FIELD,
		    "no password came with the request; 'dutynet user add' asks for one");
	if (users_add(r->a->db, name, role, pw, st) != 0)
		return -1;
	render(r, "added", name, users_role_name(role), false);
	return 0;
}

int
req_user_passwd(struct req *r, struct status *st)
{
	struct users_entry e;
	const char *name, *pw;

	if (req_known(r, passwd_known, st) != 0 || (name = req_need(r, "name", st)) == NULL)
		return -1;
	if ((pw = ctlmsg_get(r->rq, "password")) == NULL)
		return status_set(st, STATUS_BAD_FIELD,
		    "no password came with the request; 'dutynet user passwd' asks for one");
	if (users_passwd(r->a->db, name, pw, st) != 0 || reread(r, name, &e, st) != 0)
		return -1;
	render(r, "changed the password of", name, users_role_name(e.role), e.disabled);
	return 0;
}

int
req_user_disable(struct req *r, struct status *st)
{
	struct users_entry e;
	const char *name;

	if (req_known(r, disable_known, st) != 0 || (name = req_need(r, "name", st)) == NULL ||
	    users_disable(r->a->db, name, st) != 0 || reread(r, name, &e, st) != 0)
		return -1;
	render(r, "disabled", name, users_role_name(e.role), true);
	return 0;
}

struct lister {
	struct output *o;
	size_t n;
};

static int
list_one(const struct users_entry *e, void *arg)
{
	struct lister *l = arg;
	struct output *o = l->o;
	char when[OUTPUT_TIME_LEN];
	const char *state = e->disabled ? "disabled" : "enabled";

	if (o->json) {
		output_printf(o, "%s{", l->n ? ",\n  " : "\n  ");
		output_json_key_str(o, true, "name", e->name);
		output_json_key_str(o, false, "role", users_role_name(e->role));
		output_json_key_str(o, false, "state", state);
		output_json_key_time(o, false, "created", e->created_ms);
		output_json_key_time(o, false, "changed", e->changed_ms);
		output_printf(o, "}");
	} else {
		if (l->n == 0)
			output_printf(o, "%-*s  %-6s  %-8s  %s\n", NAME_COLUMN, "NAME", "ROLE",
			    "STATE", "CREATED");
		output_time(e->created_ms, when);
		output_printf(o, "%-*s  %-6s  %-8s  %s\n", NAME_COLUMN, e->name,
		    users_role_name(e->role), state, when);
	}
	l->n++;
	return 0;
}

int
req_user_list(struct req *r, struct status *st)
{
	struct lister l = { r->out, 0 };

	if (req_known(r, list_known, st) != 0)
		return -1;
	if (r->out->json)
		output_printf(r->out, "{\"agency\": \"%s\", \"users\": [", r->a->self->id);
	if (users_list(r->a->db, list_one, &l, st) != 0)
		return -1;
	if (r->out->json)
		output_printf(r->out, "%s]}\n", l.n ? "\n" : "");
	else if (l.n == 0)
		output_printf(r->out, "%s has no web accounts; add one with 'dutynet user add "
		    "NAME --role lead|worker|viewer'\n", r->a->self->id);
	return 0;
}
