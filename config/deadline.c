/* SPDX-License-Identifier: ISC */
/*
 * deadline: reading the deadline policy from policy.conf and computing due
 * times, reminder times and lateness with a recipient's calendar (the model
 * is in deadline.h).  Every error names its path:line and field, as all
 * configuration errors do, and one read reports all of them.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "config/deadline.h"
#include "proto/envelope.h"

#define KIND_BIT(k) (UINT32_C(1) << (k))
#define TRACKED_TYPES \
	(DIRECTORY_TYPE_BIT(ENVELOPE_REFERRAL) | DIRECTORY_TYPE_BIT(ENVELOPE_CONCERN))
#define ALL_URGENCIES \
	(DEADLINE_URGENCY_BIT(URGENCY_IMMEDIATE) | DEADLINE_URGENCY_BIT(URGENCY_URGENT) | \
	    DEADLINE_URGENCY_BIT(URGENCY_STANDARD) | DEADLINE_URGENCY_BIT(URGENCY_ROUTINE))
#define PERCENT_WHOLE 100

struct deadline_policy {
	struct deadline_rule *rules;
	size_t n_rules;
	unsigned reminders[DEADLINE_REMINDERS_MAX];
	size_t n_reminders;
};

static const char *const rule_known[] = {"name", "types", "urgency", "to", "ack", "decision",
    "feedback", NULL};

/* The built-in rules (deadline.h), first match wins. */
static const struct {
	const char *name;
	uint32_t urgencies;
	uint32_t to_kinds;		/* 0: every agency */
	const char *ack, *decision, *feedback;
} builtin[] = {
	{"immediate risk: clock time, at any hour", DEADLINE_URGENCY_BIT(URGENCY_IMMEDIATE), 0,
	    DEADLINE_DEFAULT_IMMEDIATE_ACK, DEADLINE_DEFAULT_IMMEDIATE_DECISION,
	    DEADLINE_DEFAULT_IMMEDIATE_FEEDBACK},
	{"children's social care: acknowledge and decide within 1 working day", ALL_URGENCIES,
	    KIND_BIT(DIRECTORY_SOCIAL_CARE) | KIND_BIT(DIRECTORY_EMERGENCY_DUTY_TEAM),
	    DEADLINE_DEFAULT_SOCIAL_CARE_ACK, DEADLINE_DEFAULT_SOCIAL_CARE_DECISION,
	    DEADLINE_DEFAULT_SOCIAL_CARE_FEEDBACK},
	{"other agencies: local defaults", ALL_URGENCIES, 0, DEADLINE_DEFAULT_OTHER_ACK,
	    DEADLINE_DEFAULT_OTHER_DECISION, DEADLINE_DEFAULT_OTHER_FEEDBACK},
};
#define BUILTIN_COUNT (sizeof(builtin) / sizeof(builtin[0]))

static void
rule_free(struct deadline_rule *r)
{
	size_t i;

	free(r->name);
	for (i = 0; i < r->n_to_ids; i++)
		free(r->to_ids[i]);
	free(r->to_ids);
}

void
deadline_policy_destroy(struct deadline_policy **pp)
{
	struct deadline_policy *p;
	size_t i;

	if (pp == NULL || *pp == NULL)
		return;
	p = *pp;
	for (i = 0; p->rules != NULL && i < p->n_rules; i++)
		rule_free(&p->rules[i]);
	free(p->rules);
	free(p);
	*pp = NULL;
}

static void
default_reminders(struct deadline_policy *p)
{
	p->reminders[0] = DEADLINE_REMINDER_DEFAULT_FIRST;
	p->reminders[1] = DEADLINE_REMINDER_DEFAULT_SECOND;
	p->n_reminders = 2;
}

/* Fills p->rules with the built-in rules; -1 if out of memory. */
static int
default_rules(struct deadline_policy *p)
{
	struct deadline_rule *r;
	struct status st;
	size_t i;
	int bad = 0;

	if ((p->rules = calloc(BUILTIN_COUNT, sizeof(*p->rules))) == NULL)
		return -1;
	p->n_rules = BUILTIN_COUNT;
	for (i = 0; i < BUILTIN_COUNT; i++) {
		r = &p->rules[i];
		if ((r->name = strdup(builtin[i].name)) == NULL)
			return -1;
		r->types = TRACKED_TYPES;
		r->urgencies = builtin[i].urgencies;
		r->to_any = builtin[i].to_kinds == 0;
		r->to_kinds = builtin[i].to_kinds;
		bad |= conf_duration_parse(builtin[i].ack, &r->ack, &st);
		bad |= conf_duration_parse(builtin[i].decision, &r->decision, &st);
		bad |= conf_duration_parse(builtin[i].feedback, &r->feedback, &st);
		r->has_feedback = true;
	}
	assert(bad == 0);	/* the defaults are constants of ours */
	return 0;
}

struct deadline_policy *
deadline_policy_default(void)
{
	struct deadline_policy *p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	default_reminders(p);
	if (default_rules(p) == -1)
		deadline_policy_destroy(&p);
	return p;
}

static void
read_types(struct conf *c, const config_setting_t *g, struct deadline_rule *r)
{
	const config_setting_t *list, *e;
	char q[CONF_QUOTE_BUF];
	const char *v;
	unsigned i;
	int t;

	if (conf_strings(c, g, "types", CONF_REQUIRED, &list) != 0)
		return;
	if (config_setting_length(list) == 0)
		conf_error(c, list, "is empty; name \"referral\", \"concern\" or both");
	for (i = 0; i < (unsigned)config_setting_length(list); i++) {
		e = config_setting_get_elem(list, i);
		v = config_setting_get_string(e);
		t = envelope_type_parse(v);
		if (strcmp(v, "*") == 0) {
			r->types |= TRACKED_TYPES;
		} else if (t >= 0 && (DIRECTORY_TYPE_BIT(t) & TRACKED_TYPES)) {
			r->types |= DIRECTORY_TYPE_BIT(t);
		} else {
			conf_quote(v, q);
			conf_error(c, e, "'%s': only referrals and concerns have deadlines; "
			    "name \"referral\", \"concern\" or \"*\"", q);
		}
	}
}

/* `urgency`: "*" or a list of urgency names; absent is "*". */
static void
read_urgency(struct conf *c, const config_setting_t *g, struct deadline_rule *r)
{
	const config_setting_t *s, *list, *e;
	char q[CONF_QUOTE_BUF];
	const char *v;
	unsigned i;
	int u;

	s = config_setting_get_member(g, "urgency");
	if (s == NULL || (config_setting_type(s) == CONFIG_TYPE_STRING &&
	    strcmp(config_setting_get_string(s), "*") == 0)) {
		r->urgencies = ALL_URGENCIES;
		return;
	}
	if (conf_strings(c, g, "urgency", CONF_REQUIRED, &list) != 0)
		return;
	if (config_setting_length(list) == 0)
		conf_error(c, list, "is empty; name urgencies (immediate, urgent, standard, "
		    "routine) or write urgency = \"*\"");
	for (i = 0; i < (unsigned)config_setting_length(list); i++) {
		e = config_setting_get_elem(list, i);
		v = config_setting_get_string(e);
		if (strcmp(v, "*") == 0) {
			r->urgencies |= ALL_URGENCIES;
		} else if ((u = envelope_urgency_parse(v)) > 0) {
			r->urgencies |= DEADLINE_URGENCY_BIT(u);
		} else {
			conf_quote(v, q);
			conf_error(c, e, "unknown urgency '%s'; urgencies are immediate, urgent, "
			    "standard, routine (or \"*\")", q);
		}
	}
}

/* One name of `to`: "*", a kind or an agency id (known to d, if given). */
static void
read_to_name(struct conf *c, const config_setting_t *e, const struct directory *d,
    struct deadline_rule *r)
{
	const char *v = config_setting_get_string(e);
	char q[CONF_QUOTE_BUF], **grown;
	struct status st;
	int k;

	if (strcmp(v, "*") == 0) {
		r->to_any = true;
		return;
	}
	if ((k = directory_kind_parse(v)) >= 0) {
		r->to_kinds |= KIND_BIT(k);
		return;
	}
	conf_quote(v, q);
	if (ids_agency_valid(v, strlen(v), &st) != 0) {
		conf_error(c, e, "'%s' is neither \"*\", a kind nor an agency id", q);
		return;
	}
	if (d != NULL && directory_find(d, v) == NULL) {
		conf_error(c, e, "unknown agency '%s': it is not a kind and no agency in "
		    "directory.conf has that id", q);
		return;
	}
	if ((grown = reallocarray(r->to_ids, r->n_to_ids + 1, sizeof(*grown))) != NULL)
		r->to_ids = grown;
	if (grown == NULL || (r->to_ids[r->n_to_ids] = strdup(v)) == NULL) {
		conf_error(c, e, "out of memory");
		return;
	}
	r->n_to_ids++;
}

/* `to`: a list of names; absent is every agency. */
static void
read_to(struct conf *c, const config_setting_t *g, const struct directory *d,
    struct deadline_rule *r)
{
	const config_setting_t *list;
	unsigned i;
	int got;

	if ((got = conf_strings(c, g, "to", CONF_OPTIONAL, &list)) == 1)
		r->to_any = true;
	if (got != 0)
		return;
	if (config_setting_length(list) == 0)
		conf_error(c, list, "is empty; name kinds, agency ids or \"*\"");
	for (i = 0; i < (unsigned)config_setting_length(list); i++)
		read_to_name(c, config_setting_get_elem(list, i), d, r);
}

static void
read_rule(struct conf *c, const config_setting_t *g, const struct directory *d,
    struct deadline_rule *r)
{
	const char *name;

	conf_check_known(c, g, rule_known);
	/* Where the rule starts: its first setting (libconfig gives a group
	 * the line where it ends). */
	r->line = (unsigned)config_setting_source_line(config_setting_length(g) > 0 ?
	    config_setting_get_elem(g, 0) : g);
	if (conf_string(c, g, "name", CONF_OPTIONAL, &name) == 0 &&
	    (r->name = strdup(name)) == NULL)
		conf_error_member(c, g, "name", "out of memory");
	read_types(c, g, r);
	read_urgency(c, g, r);
	read_to(c, g, d, r);
	conf_duration(c, g, "ack", CONF_REQUIRED, &r->ack);
	conf_duration(c, g, "decision", CONF_REQUIRED, &r->decision);
	r->has_feedback = conf_duration(c, g, "feedback", CONF_OPTIONAL, &r->feedback) == 0;
}

/* `reminders`: ascending percentages; absent is 50 and 90, [] is none. */
static void
read_reminders(struct conf *c, const config_setting_t *root, struct deadline_policy *p)
{
	const config_setting_t *s, *e;
	unsigned i, n;
	int v;

	default_reminders(p);
	if ((s = config_setting_get_member(root, "reminders")) == NULL)
		return;
	p->n_reminders = 0;
	if (!config_setting_is_aggregate(s) || config_setting_is_group(s)) {
		conf_error(c, s, "must be a list of percentages, e.g. [ 50, 90 ]");
		return;
	}
	if ((n = (unsigned)config_setting_length(s)) > DEADLINE_REMINDERS_MAX) {
		conf_error(c, s, "has %u reminders; at most %d", n, DEADLINE_REMINDERS_MAX);
		return;
	}
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, i);
		if (config_setting_type(e) != CONFIG_TYPE_INT) {
			conf_error(c, e, "is not a whole number; write percentages such as 50");
			continue;
		}
		v = config_setting_get_int(e);
		if (v < DEADLINE_PERCENT_MIN || v > DEADLINE_PERCENT_MAX)
			conf_error(c, e, "%d%% is out of range: a reminder comes %d..%d%% of the "
			    "way to a deadline", v, DEADLINE_PERCENT_MIN, DEADLINE_PERCENT_MAX);
		else if (p->n_reminders > 0 && (unsigned)v <= p->reminders[p->n_reminders - 1])
			conf_error(c, e, "%d%% is not after the reminder before it; list them in "
			    "ascending order, each once", v);
		else
			p->reminders[p->n_reminders++] = (unsigned)v;
	}
}

struct deadline_policy *
deadline_policy_read(struct conf *c, const config_setting_t *root, const struct directory *d)
{
	const config_setting_t *list;
	struct deadline_policy *p;
	size_t i, n;
	int got;

	assert(c != NULL && root != NULL);
	if ((p = calloc(1, sizeof(*p))) == NULL)
		goto oom;
	read_reminders(c, root, p);
	if ((got = conf_list(c, root, "deadlines", CONF_OPTIONAL, &list)) == 1) {
		if (default_rules(p) == -1)
			goto oom;
		return p;
	}
	if (got == -1)
		return p;	/* the error is recorded; policy_load fails */
	n = (size_t)config_setting_length(list);
	if ((p->rules = calloc(n ? n : 1, sizeof(*p->rules))) == NULL)
		goto oom;
	p->n_rules = n;
	for (i = 0; i < n; i++)
		read_rule(c, config_setting_get_elem(list, (unsigned)i), d, &p->rules[i]);
	return p;
oom:
	conf_error(c, root, "out of memory reading the deadline policy");
	return p;
}

size_t
deadline_rule_count(const struct deadline_policy *p)
{
	return p->n_rules;
}

const struct deadline_rule *
deadline_rule_at(const struct deadline_policy *p, size_t i)
{
	assert(i < p->n_rules);
	return &p->rules[i];
}

size_t
deadline_reminders(const struct deadline_policy *p, const unsigned **percent)
{
	*percent = p->reminders;
	return p->n_reminders;
}

static bool
rule_matches(const struct deadline_rule *r, int type, int urgency,
    const struct directory_agency *to)
{
	size_t i;

	if (!(r->types & DIRECTORY_TYPE_BIT(type)) ||
	    !(r->urgencies & DEADLINE_URGENCY_BIT(urgency)))
		return false;
	if (r->to_any || (r->to_kinds & KIND_BIT(to->kind)))
		return true;
	for (i = 0; i < r->n_to_ids; i++)
		if (strcmp(r->to_ids[i], to->id) == 0)
			return true;
	return false;
}

const struct deadline_rule *
deadline_match(const struct deadline_policy *p, int type, int urgency,
    const struct directory_agency *to)
{
	size_t i;

	assert(p != NULL && to != NULL);
	if (type < ENVELOPE_TYPE_MIN || type > ENVELOPE_TYPE_MAX ||
	    !(DIRECTORY_TYPE_BIT(type) & TRACKED_TYPES) || urgency < URGENCY_IMMEDIATE ||
	    urgency > URGENCY_ROUTINE)
		return NULL;
	for (i = 0; i < p->n_rules; i++)
		if (rule_matches(&p->rules[i], type, urgency, to))
			return &p->rules[i];
	return NULL;
}

const struct conf_duration *
deadline_within(const struct deadline_rule *r, enum deadline_step step)
{
	switch (step) {
	case DEADLINE_ACK:
		return &r->ack;
	case DEADLINE_DECISION:
		return &r->decision;
	case DEADLINE_FEEDBACK:
		return r->has_feedback ? &r->feedback : NULL;
	}
	assert(!"bad deadline step");
	return NULL;
}

const char *
deadline_step_name(int step)
{
	static const char *const names[] = {[DEADLINE_ACK] = "ack",
	    [DEADLINE_DECISION] = "decision", [DEADLINE_FEEDBACK] = "feedback"};

	if (step < DEADLINE_STEP_MIN || step > DEADLINE_STEP_MAX)
		return NULL;
	return names[step];
}

/* Whether within is counted on the clock rather than the calendar. */
static bool
on_clock(const struct conf_duration *within, int urgency, const struct calendar *cal)
{
	return cal == NULL || urgency == URGENCY_IMMEDIATE || within->parsed.kind == DURATION_CLOCK;
}

int
deadline_due(const struct conf_duration *within, int urgency, const struct calendar *cal,
    uint64_t from_ms, uint64_t *due_ms, struct status *st)
{
	assert(within != NULL && due_ms != NULL);
	if (within->clock_ms == 0 || on_clock(within, urgency, cal)) {
		*due_ms = from_ms + within->clock_ms;
		status_ok(st);
		return 0;
	}
	return calendar_due(cal, from_ms, &within->parsed, due_ms, st);
}

int
deadline_reminder_at(const struct conf_duration *within, int urgency,
    const struct calendar *cal, uint64_t from_ms, uint64_t due_ms, unsigned percent,
    uint64_t *at_ms, struct status *st)
{
	struct duration share = {.kind = DURATION_WORKING};
	int64_t working;

	assert(within != NULL && at_ms != NULL && percent <= PERCENT_WHOLE);
	if (due_ms <= from_ms) {
		*at_ms = from_ms;
		status_ok(st);
		return 0;
	}
	if (on_clock(within, urgency, cal)) {
		*at_ms = from_ms + (due_ms - from_ms) * percent / PERCENT_WHOLE;
		status_ok(st);
		return 0;
	}
	working = calendar_working_between(cal, from_ms, due_ms);
	share.ms = working * (int64_t)percent / PERCENT_WHOLE;
	if (share.ms <= 0) {
		*at_ms = from_ms;
		status_ok(st);
		return 0;
	}
	return calendar_due(cal, from_ms, &share, at_ms, st);
}

void
deadline_lateness(const struct calendar *cal, int urgency, uint64_t due_ms, uint64_t at_ms,
    int64_t *working_ms, int64_t *clock_ms)
{
	assert(working_ms != NULL && clock_ms != NULL);
	*working_ms = *clock_ms = 0;
	if (at_ms <= due_ms)
		return;
	*clock_ms = (int64_t)(at_ms - due_ms);
	if (cal == NULL || urgency == URGENCY_IMMEDIATE)
		*working_ms = *clock_ms;
	else
		*working_ms = calendar_working_between(cal, due_ms, at_ms);
}
