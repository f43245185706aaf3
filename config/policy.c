/* SPDX-License-Identifier: ISC */
/*
 * policy: loading policy.conf and checking routes (see policy.h for the
 * model).  A name in a rule's from or to is, in this order: "*" (every
 * agency; not the broker), a kind name, or an agency id, which must then be
 * in the directory (or be the broker's id, as a sender only).  Kinds come
 * first, so an agency whose id is also a kind name ("camhs") is named by its
 * kind in a rule.
 */
#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "config/policy.h"
#include "proto/envelope.h"
#include "proto/ids.h"

#define KIND_BIT(k) (UINT32_C(1) << (k))
#define NOT_AN_AGENCY (-1)		/* "kind" of the broker when matching */
#define LIST_MAX 256

/* Who may be on one side of a rule. */
struct parties {
	bool any;
	uint32_t kinds;			/* KIND_BIT per enum directory_kind */
	char **ids;
	size_t n_ids;
};

struct rule {
	struct parties from, to;
	uint32_t types;			/* DIRECTORY_TYPE_BIT per type */
};

struct policy {
	struct rule *rules;
	size_t n_rules;
	struct deadline_policy *deadlines;
};

static const char *const top_known[] = {"sharing", "deadlines", "reminders", NULL};
static const char *const rule_known[] = {"name", "from", "to", "types", NULL};

static void
parties_free(struct parties *ps)
{
	size_t i;

	for (i = 0; i < ps->n_ids; i++)
		free(ps->ids[i]);
	free(ps->ids);
}

void
policy_destroy(struct policy **pp)
{
	struct policy *p;
	size_t i;

	if (pp == NULL || *pp == NULL)
		return;
	p = *pp;
	for (i = 0; p->rules != NULL && i < p->n_rules; i++) {
		parties_free(&p->rules[i].from);
		parties_free(&p->rules[i].to);
	}
	free(p->rules);
	deadline_policy_destroy(&p->deadlines);
	free(p);
	*pp = NULL;
}

size_t
policy_rule_count(const struct policy *p)
{
	return p->n_rules;
}

const struct deadline_policy *
policy_deadlines(const struct policy *p)
{
	assert(p->deadlines != NULL);
	return p->deadlines;
}

/* Resolves one name of a from (is_from) or to list into ps. */
static void
load_party(struct conf *c, const config_setting_t *e, const struct directory *d, bool is_from,
    struct parties *ps)
{
	const char *v = config_setting_get_string(e);
	char q[CONF_QUOTE_BUF], list[LIST_MAX], **grown;
	struct status st;
	size_t i, o = 0;
	int k, n;

	if (strcmp(v, POLICY_ANY) == 0) {
		ps->any = true;
		return;
	}
	if ((k = directory_kind_parse(v)) >= 0) {
		ps->kinds |= KIND_BIT(k);
		return;
	}
	conf_quote(v, q);
	if (ids_agency_valid(v, strlen(v), &st) != 0) {
		for (k = 0; k < DIRECTORY_KIND_COUNT && o < sizeof(list); k++) {
			n = snprintf(list + o, sizeof(list) - o, "%s%s", k ? ", " : "",
			    directory_kind_name(k));
			if (n < 0)
				break;
			o += (size_t)n;
		}
		conf_error(c, e, "'%s' is neither \"*\", a kind (%s) nor an agency id", q, list);
		return;
	}
	if (d != NULL && strcmp(v, d->broker.id) == 0 && !is_from) {
		conf_error(c, e, "the broker ('%s') receives only receipts and rejects, which "
		    "need no rule; it cannot be in 'to'", q);
		return;
	}
	if (d != NULL && strcmp(v, d->broker.id) != 0 && directory_find(d, v) == NULL) {
		conf_error(c, e, "unknown agency '%s': it is not a kind and no agency in "
		    "directory.conf has that id", q);
		return;
	}
	for (i = 0; i < ps->n_ids; i++)
		if (strcmp(ps->ids[i], v) == 0)
			return;
	if ((grown = reallocarray(ps->ids, ps->n_ids + 1, sizeof(*ps->ids))) != NULL)
		ps->ids = grown;
	if (grown == NULL || (ps->ids[ps->n_ids] = strdup(v)) == NULL) {
		conf_error(c, e, "out of memory");
		return;
	}
	ps->n_ids++;
}

/* Reads a rule's from or to list. */
static void
load_parties(struct conf *c, const config_setting_t *g, const char *name,
    const struct directory *d, struct parties *ps)
{
	const config_setting_t *list;
	unsigned i;

	if (conf_strings(c, g, name, CONF_REQUIRED, &list) != 0)
		return;
	if (config_setting_length(list) == 0) {
		conf_error(c, list, "is empty; name at least one kind, agency id or \"*\"");
		return;
	}
	for (i = 0; i < (unsigned)config_setting_length(list); i++)
		load_party(c, config_setting_get_elem(list, i), d, strcmp(name, "from") == 0, ps);
}

static void
load_types(struct conf *c, const config_setting_t *g, uint32_t *types)
{
	const config_setting_t *list, *e;
	char q[CONF_QUOTE_BUF], names[LIST_MAX];
	size_t o;
	unsigned i;
	int t, n;

	if (conf_strings(c, g, "types", CONF_REQUIRED, &list) != 0)
		return;
	if (config_setting_length(list) == 0)
		conf_error(c, list, "is empty; name at least one message type");
	for (i = 0; i < (unsigned)config_setting_length(list); i++) {
		e = config_setting_get_elem(list, i);
		if (strcmp(config_setting_get_string(e), POLICY_ANY) == 0) {
			for (t = ENVELOPE_TYPE_MIN; t <= ENVELOPE_TYPE_MAX; t++)
				*types |= DIRECTORY_TYPE_BIT(t);
			continue;
		}
		if ((t = envelope_type_parse(config_setting_get_string(e))) >= 0) {
			*types |= DIRECTORY_TYPE_BIT(t);
			continue;
		}
		o = 0;
		names[0] = '\0';
		for (t = ENVELOPE_TYPE_MIN; t <= ENVELOPE_TYPE_MAX && o < sizeof(names); t++) {
			n = snprintf(names + o, sizeof(names) - o, "%s%s",
			    t > ENVELOPE_TYPE_MIN ? ", " : "", envelope_type_name(t));
			if (n < 0)
				break;
			o += (size_t)n;
		}
		conf_quote(config_setting_get_string(e), q);
		conf_error(c, e, "unknown message type '%s'; types are: %s", q, names);
	}
}

struct policy *
policy_load(const char *dir, const struct directory *d, struct conf_errors *errs)
{
	const config_setting_t *root, *list, *g;
	struct policy *p = NULL;
	struct conf *c;
	const char *name;
	size_t before, i, n = 0;

	assert(dir != NULL && errs != NULL);
	before = conf_errors_count(errs);
	if ((c = conf_open(dir, POLICY_FILE, errs)) == NULL)
		return NULL;
	root = conf_root(c);
	conf_check_known(c, root, top_known);
	if (conf_list(c, root, "sharing", CONF_REQUIRED, &list) == 0)
		n = (size_t)config_setting_length(list);
	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (p->rules = calloc(n ? n : 1, sizeof(*p->rules))) == NULL) {
		conf_errors_add(errs, conf_path(c), 0, CONF_FIELD_FILE, "out of memory reading it");
		goto out;
	}
	p->n_rules = n;
	for (i = 0; i < n; i++) {
		g = config_setting_get_elem(list, (unsigned)i);
		conf_check_known(c, g, rule_known);
		conf_string(c, g, "name", CONF_OPTIONAL, &name);
		load_parties(c, g, "from", d, &p->rules[i].from);
		load_parties(c, g, "to", d, &p->rules[i].to);
		load_types(c, g, &p->rules[i].types);
	}
	p->deadlines = deadline_policy_read(c, root, d);
out:
	if (conf_errors_count(errs) > before)
		policy_destroy(&p);
	conf_destroy(&c);
	return p;
}

/* 1 if the agency id (of kind, or NOT_AN_AGENCY for the broker) is in ps. */
static int
matches(const struct parties *ps, const char *id, int kind)
{
	size_t i;

	if (kind != NOT_AN_AGENCY && (ps->any || (ps->kinds & KIND_BIT(kind))))
		return 1;
	for (i = 0; i < ps->n_ids; i++)
		if (strcmp(ps->ids[i], id) == 0)
			return 1;
	return 0;
}

static const char *
kind_label(const struct directory_agency *a)
{
	return a ? directory_kind_name(a->kind) : "the broker";
}

int
policy_allows(const struct policy *p, const struct directory *d, const char *from_id,
    const char *to_id, int type, struct status *st)
{
	const struct directory_agency *from, *to;
	char q[CONF_QUOTE_BUF];
	size_t i;
	bool from_broker, to_broker;

	assert(p != NULL && d != NULL && from_id != NULL && to_id != NULL);
	if (type < ENVELOPE_TYPE_MIN || type > ENVELOPE_TYPE_MAX)
		return status_set(st, STATUS_BAD_TYPE, "message type %d is not one dutynet knows",
		    type);
	from = directory_find(d, from_id);
	from_broker = strcmp(from_id, d->broker.id) == 0;
	to = directory_find(d, to_id);
	to_broker = strcmp(to_id, d->broker.id) == 0;
	if (from == NULL && !from_broker) {
		conf_quote(from_id, q);
		return status_set(st, STATUS_UNKNOWN_AGENCY,
		    "unknown agency '%s': not in directory.conf", q);
	}
	if (to == NULL && !to_broker) {
		conf_quote(to_id, q);
		return status_set(st, STATUS_UNKNOWN_AGENCY,
		    "unknown agency '%s': not in directory.conf", q);
	}
	if (type == ENVELOPE_RECEIPT || type == ENVELOPE_REJECT) {
		status_ok(st);
		return 0;
	}
	if (to == NULL)
		return status_set(st, STATUS_FORBIDDEN,
		    "the broker receives only receipts and rejects, not %s",
		    envelope_type_name(type));
	for (i = 0; i < p->n_rules; i++)
		if ((p->rules[i].types & DIRECTORY_TYPE_BIT(type)) &&
		    matches(&p->rules[i].from, from_id, from ? (int)from->kind : NOT_AN_AGENCY) &&
		    matches(&p->rules[i].to, to_id, (int)to->kind))
			break;
	if (i == p->n_rules)
		return status_set(st, STATUS_FORBIDDEN,
		    "policy.conf has no rule letting %s (%s) send %s to %s (%s)", from_id,
		    kind_label(from), envelope_type_name(type), to_id, kind_label(to));
	if (!directory_accepts(to, type))
		return status_set(st, STATUS_NOT_ACCEPTED,
		    "%s does not accept %s messages (see its accepts in directory.conf)", to_id,
		    envelope_type_name(type));
	status_ok(st);
	return 0;
}
