/* SPDX-License-Identifier: ISC */
/*
 * timeline: where a message has been, from the audit log itself - the
 * entries about the message and about every reply to it (acknowledgement,
 * decision, feedback, receipts' effects, the broker's reminders and
 * escalations, an out-of-hours copy), merged in the log's order - so what
 * people see (`dutynet status ID`, the web inbox's sent page) is exactly
 * what an auditor can verify.
 */
#ifndef DUTYNET_TIMELINE_H
#define DUTYNET_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

#include "common/auditlog.h"
#include "common/db.h"
#include "proto/ids.h"
#include "proto/status.h"

#define TIMELINE_FIRST_CAP 32
#define TIMELINE_IDS_MAX 64	/* the message and up to this many replies */

struct timeline_event {
	uint64_t seq;
	uint64_t time_ms;
	char event[AUDITLOG_EVENT_MAX + 1];
	char agency[IDS_AGENCY_MAX + 1];
	int has_id;
	uint8_t id[IDS_MSGID_BYTES];
	char *detail;
};

struct timeline {
	struct timeline_event *ev;
	size_t n;
	size_t cap;
	uint8_t ids[TIMELINE_IDS_MAX][IDS_MSGID_BYTES];
	size_t nids;
	int oom;
};

/* Reads the timeline of id into t (the caller's: timeline_free, also
 * after a failure): 0, or -1 and st 451. */
int timeline_load(struct db *db, const uint8_t id[IDS_MSGID_BYTES], struct timeline *t,
    struct status *st);

/* Frees t's events; t can be loaded again. */
void timeline_free(struct timeline *t);

#endif
