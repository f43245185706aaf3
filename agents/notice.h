/* SPDX-License-Identifier: ISC */
/*
 * notice: the reminders and escalations the broker sent this agency about
 * deadlines (PROTOCOL.md 4.3 type 7, payload 6.5), and ALL the SQL on the
 * notices table.
 *
 * A notice is a message like any other - verified with the broker's
 * signing key, decrypted with the pair key for the broker's box key, and
 * stored in the inbox (type escalation) - but it is ACKed, not receipted.
 * This table indexes what it says (which message it is about, what was due
 * when, what kind of notice), so `dutynet deadlines` and `dutynet status
 * ID` find the notices about a message without opening every payload.
 * Metadata only, as the notice itself: never a child's data.
 */
#ifndef DUTYNET_NOTICE_H
#define DUTYNET_NOTICE_H

#include <stddef.h>
#include <stdint.h>

#include "common/db.h"
#include "proto/ids.h"
#include "proto/payload.h"
#include "proto/status.h"

/* Part of the agent database's schema version 2 (agentdb.c). */
#define NOTICE_SCHEMA_SQL \
	"CREATE TABLE notices (" \
	" message_id BLOB PRIMARY KEY CHECK (length(message_id) = 16)," \
	" sender TEXT NOT NULL," \
	" about BLOB NOT NULL CHECK (length(about) = 16)," \
	" kind INTEGER NOT NULL CHECK (kind BETWEEN 1 AND 3)," \
	" due_ms INTEGER NOT NULL," \
	" received_ms INTEGER NOT NULL," \
	" text TEXT NOT NULL);" \
	"CREATE INDEX notices_about ON notices(about);"

#define NOTICE_TEXT_MAX 512	/* of a notice's text, as read back */
/* `dutynet deadlines` lists the escalations about other agencies' messages
 * (this agency was told, e.g. as the partnership) for this many days after
 * they came: it cannot see when those are answered. */
#define NOTICE_TOLD_DAYS 7
#define NOTICE_TOLD_MS ((uint64_t)NOTICE_TOLD_DAYS * 24 * 60 * 60 * 1000)

/* One notice as stored. */
struct notice_row {
	uint8_t id[IDS_MSGID_BYTES];	/* the notice's own message id (in inbox) */
	char from[IDS_AGENCY_MAX + 1];	/* the broker's id */
	uint8_t about[IDS_MSGID_BYTES];	/* the message whose deadline it concerns */
	int kind;			/* enum payload_notice_kind */
	uint64_t due_ms;		/* the deadline it is about */
	uint64_t received_ms;		/* when this agent stored it */
	char text[NOTICE_TEXT_MAX];	/* its plain-English text (truncated) */
};

/* "reminder", "escalation", "out-of-hours" - also the audit events that
 * record a notice against the message it is about; NULL if out of range. */
const char *notice_kind_name(int kind);

/* In the caller's transaction: records the notice id from agency `from`
 * (already stored in the inbox) and audits it against the message it is
 * about (event notice_kind_name, detail: the notice's text), so that
 * message's timeline shows it.  Once per id.  -1 and st 451. */
int notice_put(struct db *db, const uint8_t id[IDS_MSGID_BYTES], const char *from,
    const struct payload_notice *n, uint64_t received_ms, struct status *st)
    __attribute__((warn_unused_result));

/* Calls fn on the notices about message `about` (all notices if NULL),
 * oldest first; fn returning non-zero stops.  -1 and st 451. */
int notice_list(struct db *db, const uint8_t *about,
    int (*fn)(const struct notice_row *n, void *arg), void *arg, struct status *st);

#endif
