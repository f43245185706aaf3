/* SPDX-License-Identifier: ISC */
/*
 * duelist: what is due and overdue for this agency, soonest first - as
 * recipient, the acknowledgements, decisions and feedback it owes; as
 * sender, the answers it waits for; and the broker's escalation notices
 * about other agencies' messages that it was told of (a partnership, a
 * manager) - with the reminders and escalations received about each.  One
 * list for `dutynet deadlines` and the web inbox's deadlines page.  The
 * arithmetic is due.c's, with the broker's rules, so both agree on every
 * due time.
 */
#ifndef DUTYNET_DUELIST_H
#define DUTYNET_DUELIST_H

#include <stddef.h>
#include <stdint.h>

#include "agents/agent.h"
#include "agents/due.h"
#include "agents/notice.h"
#include "proto/status.h"

#define DUELIST_FIRST_CAP 32

enum duelist_role { DUELIST_SENDER, DUELIST_RECIPIENT, DUELIST_TOLD };

/* One open deadline. */
struct duelist_row {
	enum duelist_role role;
	uint8_t id[IDS_MSGID_BYTES];	/* the message */
	int type;
	int urgency;
	char case_id[IDS_CASE_MAX + 1];
	char with[IDS_AGENCY_MAX + 1];	/* the other side ("" for told) */
	struct due_step step;		/* DUELIST_TOLD: due_ms and lateness only */
	unsigned reminders;		/* notices received about it */
	unsigned escalations;
	char text[NOTICE_TEXT_MAX];	/* DUELIST_TOLD: the latest notice's text */
};

struct duelist {
	const struct agent *a;
	uint64_t now;
	struct duelist_row *v;		/* soonest first */
	size_t n;
	size_t cap;
	int failed;			/* while loading: out of memory, or st set (db) */
	struct status *st;
};

/* "sender", "recipient", "told". */
const char *duelist_role_name(int role);

/* Every open deadline of agent a at now_ms into t (the caller's:
 * duelist_free, also after a failure): 0, or -1 and st 451 (or 504 from
 * due_compute). */
int duelist_load(const struct agent *a, uint64_t now_ms, struct duelist *t, struct status *st);

/* Frees t's rows. */
void duelist_free(struct duelist *t);

#endif
