/* SPDX-License-Identifier: ISC */
/*
 * escalation: reading an agency's `escalation` group in directory.conf,
 * whose chain says who is told, in order and after what delay, when the
 * agency misses a deadline (the deadlines themselves are in policy.conf,
 * config/deadline.h):
 *
 *	escalation = { manager = "MASH Team Manager"; manager_contact = "01632 960201";
 *		chain = ( { tell = "sender"; after = "0 minutes"; },
 *			  { tell = "recipient"; after = "2 working hours"; },
 *			  { tell = "lscp"; after = "1 working day"; } ); };
 *
 * tell is "sender" (who sent the overdue message), "recipient" (the agency
 * itself, addressed to its manager) or an agency id.  after counts from the
 * missed deadline with the agency's calendar; absent or "0 minutes" is at
 * once.  Without a chain the sender and the recipient are told at once, so
 * a missed deadline is never silent.  directory.c calls these while loading.
 */
#ifndef DUTYNET_ESCALATION_H
#define DUTYNET_ESCALATION_H

#include "config/conf.h"
#include "config/directory.h"

/* Fills e from member "escalation" of the agency group g (absent: no
 * manager, the default chain), recording every problem in c's errors.
 * Agency ids in the chain are checked for form only here. */
void escalation_read(struct conf *c, const config_setting_t *g, struct directory_escalation *e);

/* Checks that every agency a chain tells is in d and is not the broker;
 * list is directory.conf's `agencies`, d read from it in the same order. */
void escalation_check(struct conf *c, const config_setting_t *list, const struct directory *d);

/* "sender", "recipient" or the agency id a step tells, borrowed from s. */
const char *escalation_tell_name(const struct directory_escalation_step *s);

#endif
