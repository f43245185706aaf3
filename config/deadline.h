/* SPDX-License-Identifier: ISC */
/*
 * deadline: the area's deadline policy, read from policy.conf next to the
 * sharing agreement, and the arithmetic that turns it into due times.  The
 * broker tracks deadlines with it (broker/deadline.c); agents list them
 * (`dutynet deadlines`) with the same rules, so both sides agree on every
 * due time without talking about it.
 *
 *	deadlines = (
 *		{ name = "..."; types = [ "referral", "concern" ]; urgency = [ "immediate" ];
 *		  to = [ "*" ]; ack = "1 hour"; decision = "4 hours"; feedback = "24 hours"; },
 *		{ types = [ "referral", "concern" ]; urgency = "*"; to = [ "social-care" ];
 *		  ack = "1 working day"; decision = "1 working day"; feedback = "5 working days"; },
 *		...
 *	);
 *	reminders = [ 50, 90 ];
 *
 * A referral or concern gets the deadlines of the FIRST rule that matches
 * its type, urgency and recipient (kind, agency id or "*"); one that no rule
 * matches has none.  Without a `deadlines` setting the built-in rules below
 * (DEADLINE_DEFAULT_*) apply; `deadlines = ()` turns tracking off.
 *
 * Steps: ack and decision count from when the broker accepted the message
 * (accepted_ms); feedback counts from the decision.  All are computed with
 * the RECIPIENT's calendar (config/agencycal.h).  Immediate urgency is clock
 * time at any hour: for it a working duration is counted as clock time and
 * a working day as 24 hours (conf_duration.clock_ms), whatever the rule says.
 *
 * Reminders go to the recipient at the given percentages of the time to
 * each deadline: of the working time for a working-time deadline (50 % of
 * one working day received Monday 09:00 is Monday 13:00, not 21:00), of the
 * clock time for a clock-time one.
 *
 * Escalation chains (who is told after a missed deadline) are per agency in
 * directory.conf (struct directory_escalation); their delays count from the
 * missed deadline with the same calendar and the same immediate rule.
 */
#ifndef DUTYNET_DEADLINE_H
#define DUTYNET_DEADLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/calendar.h"
#include "config/conf.h"
#include "config/directory.h"
#include "proto/status.h"

/* Limits: reminders per deadline, and their percentages. */
#define DEADLINE_REMINDERS_MAX 4
#define DEADLINE_PERCENT_MIN 1
#define DEADLINE_PERCENT_MAX 99
/* Defaults when policy.conf has no `reminders`: 50 % and 90 %. */
#define DEADLINE_REMINDER_DEFAULT_FIRST 50
#define DEADLINE_REMINDER_DEFAULT_SECOND 90
/* Built-in rules when policy.conf has no `deadlines` (Working Together:
 * social care acknowledges and decides within 1 working day; immediate risk
 * is clock time; other agencies get the documented local defaults). */
#define DEADLINE_DEFAULT_IMMEDIATE_ACK "1 hour"
#define DEADLINE_DEFAULT_IMMEDIATE_DECISION "4 hours"
#define DEADLINE_DEFAULT_IMMEDIATE_FEEDBACK "24 hours"
#define DEADLINE_DEFAULT_SOCIAL_CARE_ACK "1 working day"
#define DEADLINE_DEFAULT_SOCIAL_CARE_DECISION "1 working day"
#define DEADLINE_DEFAULT_SOCIAL_CARE_FEEDBACK "5 working days"
#define DEADLINE_DEFAULT_OTHER_ACK "3 working days"
#define DEADLINE_DEFAULT_OTHER_DECISION "10 working days"
#define DEADLINE_DEFAULT_OTHER_FEEDBACK "10 working days"

/* Bit for urgency u (enum envelope_urgency, 1..4) in deadline_rule.urgencies. */
#define DEADLINE_URGENCY_BIT(u) (UINT32_C(1) << (u))

/* The deadlines a tracked message has, in the order they fall due. */
enum deadline_step {
	DEADLINE_ACK = 1,	/* acknowledge the referral or concern */
	DEADLINE_DECISION = 2,	/* decide on it: accept, decline or redirect */
	DEADLINE_FEEDBACK = 3,	/* tell the referrer, counted from the decision */
};
#define DEADLINE_STEP_MIN DEADLINE_ACK
#define DEADLINE_STEP_MAX DEADLINE_FEEDBACK

/* One rule of `deadlines`.  Borrowed from its deadline_policy. */
struct deadline_rule {
	char *name;			/* NULL if the rule has none */
	unsigned line;			/* its line in policy.conf (0: built in) */
	uint32_t types;			/* DIRECTORY_TYPE_BIT: referral and/or concern */
	uint32_t urgencies;		/* DEADLINE_URGENCY_BIT per urgency */
	bool to_any;			/* "*" in `to` */
	uint32_t to_kinds;		/* bit (1 << enum directory_kind) per kind */
	char **to_ids;			/* agency ids in `to` */
	size_t n_to_ids;
	struct conf_duration ack;
	struct conf_duration decision;
	struct conf_duration feedback;
	bool has_feedback;		/* feedback is optional; the others are not */
};

struct deadline_policy;

/* Reads `deadlines` and `reminders` from root, the top of policy.conf as
 * opened by policy_load (which calls this: policy_deadlines gives the
 * result), checking agency ids against d (NULL: form only).  Absent
 * settings give the defaults above.  Returns the policy, or NULL after
 * recording every problem at its path:line in c's errors. */
struct deadline_policy *deadline_policy_read(struct conf *c, const config_setting_t *root,
    const struct directory *d);

/* The built-in policy (the DEADLINE_DEFAULT_* rules, reminders 50 and 90);
 * NULL if out of memory. */
struct deadline_policy *deadline_policy_default(void);

/* Frees *pp; accepts NULL; sets *pp = NULL. */
void deadline_policy_destroy(struct deadline_policy **pp);

/* The rules in order, borrowed. */
size_t deadline_rule_count(const struct deadline_policy *p);
const struct deadline_rule *deadline_rule_at(const struct deadline_policy *p, size_t i);

/* The reminder percentages, ascending (e.g. 50, 90), borrowed; returns how
 * many (0: no reminders). */
size_t deadline_reminders(const struct deadline_policy *p, const unsigned **percent);

/* The first rule matching a message of type (enum envelope_type) and
 * urgency (1..4) to agency `to`, borrowed; NULL if the message has no
 * deadlines (any type but referral and concern, or no rule matches). */
const struct deadline_rule *deadline_match(const struct deadline_policy *p, int type,
    int urgency, const struct directory_agency *to);

/* The rule's duration for step, borrowed; NULL for DEADLINE_FEEDBACK when
 * the rule has none. */
const struct conf_duration *deadline_within(const struct deadline_rule *r,
    enum deadline_step step);

/* "ack", "decision", "feedback"; NULL if out of range. */
const char *deadline_step_name(int step);

/* The due time of `within` counted from from_ms with the recipient's
 * calendar cal, into *due_ms: clock time (within.clock_ms) when urgency is
 * immediate or cal is NULL, else calendar_due.  A zero duration (an
 * escalation step "at once") is due at from_ms.  0, st 200 (perhaps with
 * calendar_due's warning text); -1 and st 504 if cal has no working time. */
int deadline_due(const struct conf_duration *within, int urgency, const struct calendar *cal,
    uint64_t from_ms, uint64_t *due_ms, struct status *st)
    __attribute__((warn_unused_result));

/* When the reminder at `percent` of the way from from_ms to due_ms falls,
 * into *at_ms: that share of the working time between them (cal, unless
 * urgency is immediate, cal is NULL or within is clock time), else of the
 * clock time.  -1 and st 504 as deadline_due. */
int deadline_reminder_at(const struct conf_duration *within, int urgency,
    const struct calendar *cal, uint64_t from_ms, uint64_t due_ms, unsigned percent,
    uint64_t *at_ms, struct status *st) __attribute__((warn_unused_result));

/* How late `at_ms` is for a deadline due_ms: *clock_ms the elapsed time
 * and *working_ms the working time by cal (the clock time when cal is NULL
 * or urgency is immediate); both 0 if at_ms <= due_ms. */
void deadline_lateness(const struct calendar *cal, int urgency, uint64_t due_ms, uint64_t at_ms,
    int64_t *working_ms, int64_t *clock_ms);

#endif
