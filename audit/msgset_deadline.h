/* SPDX-License-Identifier: ISC */
/*
 * msgset_deadline: the deadlines of the messages in a msgset, and the
 * reminders and escalations the broker sent about them (the rules are in
 * msgset.h).  Separate from msgset.c because it is the one part that
 * depends on the broker's deadline tables and on the policy.
 */
#ifndef DUTYNET_AUDIT_MSGSET_DEADLINE_H
#define DUTYNET_AUDIT_MSGSET_DEADLINE_H

#include "audit/inputs.h"
#include "audit/msgset.h"
#include "proto/status.h"

/* Fills the due times, reminders and escalations of every message of s
 * from in's broker database and policy.  -1 and st 421 if the broker's
 * database cannot be read. */
int msgset_deadline_fill(struct msgset *s, const struct inputs *in, struct status *st)
    __attribute__((warn_unused_result));

#endif
