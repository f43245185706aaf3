/* SPDX-License-Identifier: ISC */
/*
 * escalation: reading escalation chains (see escalation.h).  A step's delay
 * may be zero ("0 minutes": tell at once), which duration.h's grammar does
 * not allow for deadlines, so "0 UNIT" is recognised here by parsing
 * "1 UNIT" (so the unit is checked by the one grammar) and keeping zero.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "config/escalation.h"
#include "proto/ids.h"

/* "0 " + the longest unit ("working minutes") fits with room to spare. */
#define ZERO_PREFIX "0 "
#define ONE_PREFIX "1 "

static const char *const escalation_known[] = {"manager", "manager_contact", "chain", NULL};
static const char *const step_known[] = {"tell", "after", NULL};

/* The chain used when an agency sets none: sender and recipient at once. */
static const enum directory_tell default_chain[] = {DIRECTORY_TELL_SENDER,
    DIRECTORY_TELL_RECIPIENT};

const char *
escalation_tell_name(const struct directory_escalation_step *s)
{
	switch (s->tell) {
	case DIRECTORY_TELL_SENDER:
		return DIRECTORY_TELL_SENDER_NAME;
	case DIRECTORY_TELL_RECIPIENT:
		return DIRECTORY_TELL_RECIPIENT_NAME;
	case DIRECTORY_TELL_AGENCY:
		return s->agency;
	}
	assert(!"bad escalation step");
	return "";
}

/* A zero duration: clock time, nothing to wait. */
static void
set_at_once(struct conf_duration *d, const char *text)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->text, sizeof(d->text), "%s", text);
	d->parsed.kind = DURATION_CLOCK;
}

/* Reads a step's `after` into d: absent is at once, "0 UNIT" is at once if
 * "1 UNIT" is a duration with a unit (not "by the end of ..."). */
static void
read_after(struct conf *c, const config_setting_t *g, struct conf_duration *d)
{
	char one[DURATION_TEXT_LEN + 1];
	struct conf_duration probe;
	struct status st;
	const char *v;

	set_at_once(d, "0 minutes");
	if (conf_string(c, g, "after", CONF_OPTIONAL, &v) != 0)
		return;
	if (strncmp(v, ZERO_PREFIX, strlen(ZERO_PREFIX)) == 0) {
		snprintf(one, sizeof(one), ONE_PREFIX "%s", v + strlen(ZERO_PREFIX));
		if (conf_duration_parse(one, &probe, &st) == 0 &&
		    probe.parsed.kind != DURATION_END_OF_DAY) {
			set_at_once(d, v);
			return;
		}
	}
	conf_duration(c, g, "after", CONF_REQUIRED, d);
}

static void
read_step(struct conf *c, const config_setting_t *g, struct directory_escalation_step *s)
{
	char q[CONF_QUOTE_BUF];
	struct status st;
	const char *v;

	conf_check_known(c, g, step_known);
	read_after(c, g, &s->after);
	s->tell = DIRECTORY_TELL_SENDER;
	if (conf_string(c, g, "tell", CONF_REQUIRED, &v) != 0)
		return;
	if (strcmp(v, DIRECTORY_TELL_SENDER_NAME) == 0)
		return;
	if (strcmp(v, DIRECTORY_TELL_RECIPIENT_NAME) == 0) {
		s->tell = DIRECTORY_TELL_RECIPIENT;
		return;
	}
	if (ids_agency_valid(v, strlen(v), &st) == -1) {
		conf_quote(v, q);
		conf_error_member(c, g, "tell", "'%s' is neither \"" DIRECTORY_TELL_SENDER_NAME
		    "\", \"" DIRECTORY_TELL_RECIPIENT_NAME "\" nor an agency id", q);
		return;
	}
	s->tell = DIRECTORY_TELL_AGENCY;
	snprintf(s->agency, sizeof(s->agency), "%s", v);
}

/* An optional string copied into *out (NULL if absent). */
static void
read_text(struct conf *c, const config_setting_t *g, const char *name, char **out)
{
	const char *v;

	if (conf_string(c, g, name, CONF_OPTIONAL, &v) != 0)
		return;
	if ((*out = strdup(v)) == NULL)
		conf_error_member(c, g, name, "out of memory");
}

static void
read_default(struct directory_escalation *e)
{
	size_t i;

	for (i = 0; i < sizeof(default_chain) / sizeof(default_chain[0]); i++) {
		memset(&e->chain[i], 0, sizeof(e->chain[i]));
		e->chain[i].tell = default_chain[i];
		set_at_once(&e->chain[i].after, "0 minutes");
	}
	e->n_chain = i;
}

void
escalation_read(struct conf *c, const config_setting_t *g, struct directory_escalation *e)
{
	const config_setting_t *esc, *list;
	unsigned i, n;

	assert(c != NULL && g != NULL && e != NULL);
	read_default(e);
	if (conf_group(c, g, "escalation", CONF_OPTIONAL, &esc) != 0)
		return;
	conf_check_known(c, esc, escalation_known);
	read_text(c, esc, "manager", &e->manager);
	read_text(c, esc, "manager_contact", &e->manager_contact);
	if (conf_list(c, esc, "chain", CONF_OPTIONAL, &list) != 0)
		return;
	n = (unsigned)config_setting_length(list);
	if (n == 0 || n > DIRECTORY_CHAIN_MAX) {
		conf_error(c, list, "has %u steps; give 1 to %d (or leave chain out: the sender "
		    "and the recipient are then told at once)", n, DIRECTORY_CHAIN_MAX);
		return;
	}
	for (i = 0; i < n; i++) {
		memset(&e->chain[i], 0, sizeof(e->chain[i]));
		read_step(c, config_setting_get_elem(list, i), &e->chain[i]);
	}
	e->n_chain = n;
}

void
escalation_check(struct conf *c, const config_setting_t *list, const struct directory *d)
{
	const struct directory_escalation *e;
	const config_setting_t *chain, *step;
	size_t i, j;

	for (i = 0; i < d->n_agencies; i++) {
		e = &d->agencies[i].escalation;
		chain = config_setting_lookup(config_setting_get_elem(list, (unsigned)i),
		    "escalation.chain");
		for (j = 0; chain != NULL && j < e->n_chain; j++) {
			if (e->chain[j].tell != DIRECTORY_TELL_AGENCY)
				continue;
			step = config_setting_get_elem(chain, (unsigned)j);
			if (strcmp(e->chain[j].agency, d->broker.id) == 0)
				conf_error_member(c, step, "tell", "'%s' is the broker, which "
				    "sends the notices; name an agency", e->chain[j].agency);
			else if (directory_find(d, e->chain[j].agency) == NULL)
				conf_error_member(c, step, "tell", "unknown agency '%s': no entry "
				    "in agencies has that id", e->chain[j].agency);
		}
	}
}
