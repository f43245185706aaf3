/* SPDX-License-Identifier: ISC */
/*
 * policy: the local area's information-sharing agreement, read from
 * policy.conf, and the two-sided check every message passes at the broker.
 *
 * Like AS4's P-Modes, a route needs two yeses: the sharing agreement must
 * have a rule letting the sender's kind (or the sender itself) send that
 * type to the recipient's kind (or the recipient itself), and the recipient
 * must accept that type (`accepts` in directory.conf).  A rule is a set of
 * senders, a set of recipients and a set of types; the agreement is the
 * union of its rules, so an area writes down exactly what it has agreed and
 * nothing else passes.
 *
 * Receipts and rejects are not in the agreement: they answer a message the
 * other side sent, and refusing them would lose an outcome, so policy_allows
 * always lets them through between two known parties.  The broker checks
 * that such a message really answers one sent the other way (in_reply_to).
 */
#ifndef DUTYNET_POLICY_H
#define DUTYNET_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "config/conf.h"
#include "config/deadline.h"
#include "config/directory.h"
#include "proto/status.h"

#define POLICY_FILE "policy.conf"
/* In from/to: every agency (of any kind).  In types: every type. */
#define POLICY_ANY "*"

struct policy;

/* Reads dir/policy.conf, checking every agency id it names against d.  d
 * may be NULL when directory.conf itself failed to load; then ids are only
 * checked for form, so that policy.conf's own errors are still reported.
 * Returns the policy, or NULL after recording every problem in errs. */
struct policy *policy_load(const char *dir, const struct directory *d, struct conf_errors *errs);

/* Frees p; accepts NULL; sets *pp = NULL. */
void policy_destroy(struct policy **pp);

/* How many rules the agreement has. */
size_t policy_rule_count(const struct policy *p);

/* The deadline policy read from the same file (`deadlines`, `reminders`;
 * config/deadline.h), borrowed from p.  Never NULL. */
const struct deadline_policy *policy_deadlines(const struct policy *p);

/* 0 if a message of type (enum envelope_type) may go from agency from_id to
 * agency to_id; else -1 and st: 530 if either is not in d (the broker's id
 * counts as a sender, and as a recipient of receipts and rejects only), 503
 * for a type out of range, 531 if no rule of the agreement allows it ("policy.conf
 * has no rule letting school-a (school) send decision to camhs (camhs)"),
 * 532 if the recipient does not accept the type. */
int policy_allows(const struct policy *p, const struct directory *d, const char *from_id,
    const char *to_id, int type, struct status *st) __attribute__((warn_unused_result));

#endif
