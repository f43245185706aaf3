/* SPDX-License-Identifier: ISC */
/*
 * report_data: the figures of the report (report.h says what each means),
 * computed from the records of a msgset.  With the broker's database, every
 * time is the broker's (when it accepted the message, when it accepted the
 * answer), one clock for every agency; without it, the recipients' inbox
 * times (the broker's acceptance as delivered, the agency's own ack and
 * decision times).  Working time is counted with the recipient's calendar.
 */
#ifndef DUTYNET_AUDIT_REPORT_DATA_H
#define DUTYNET_AUDIT_REPORT_DATA_H

#include "audit/inputs.h"
#include "audit/msgset.h"
#include "audit/report.h"
#include "proto/status.h"

/* Fills r's rows for the period [r->from_ms, r->to_ms), judging unanswered
 * deadlines at r->as_of_ms, from s and the calendars in in (loaded with
 * INPUTS_POLICY).  0, or -1 and st 421 if out of memory. */
int report_data_build(const struct msgset *s, const struct inputs *in, struct report *r,
    struct status *st) __attribute__((warn_unused_result));

#endif
