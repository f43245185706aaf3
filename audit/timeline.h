/* SPDX-License-Identifier: ISC */
/*
 * timeline: `dutynet-audit timeline --case ID | --message ID DB...`: the
 * story of one case or one message across every log given: the messages
 * concerned (for a message: it, the one it answers, and every answer,
 * receipt and notice about it) and every audit entry about them, in order.
 *
 * The order: each log's entries keep their own order (seq), and the logs
 * are merged by time; clocks of different machines may differ, but no log
 * is ever shown out of its own order.  timeline reads; it does not verify
 * (run verify first when the logs are evidence).
 */
#ifndef DUTYNET_AUDIT_TIMELINE_H
#define DUTYNET_AUDIT_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

#include "audit/inputs.h"
#include "audit/msgset.h"

/* One audit entry of the story. */
struct timeline_event {
	size_t db;		/* index of its database in the inputs */
	uint64_t seq, time_ms;
	char *event, *agency, *detail;	/* owned; agency may be NULL */
	size_t label;		/* 1-based index into the story's messages */
};

struct timeline {
	uint8_t (*ids)[IDS_MSGID_BYTES];	/* the messages: M1, M2, ... */
	const struct msgset_msg **msgs;	/* each one's records, borrowed from the
					 * set; NULL if only audit entries name it */
	size_t n_msgs;
	struct timeline_event *events;	/* in story order */
	size_t n_events;
};

/* Builds the story of the messages of case_id (or, if NULL, of message id
 * and its relatives) from in's databases into t.  0, or -1 and st 421. */
int timeline_build(const struct inputs *in, const struct msgset *s, const char *case_id,
    const uint8_t *id, struct timeline *t, struct status *st)
    __attribute__((warn_unused_result));

/* Frees what timeline_build made. */
void timeline_free(struct timeline *t);

/* The verb. */
int timeline_cmd(int argc, char **argv);

#endif
