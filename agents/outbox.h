/* SPDX-License-Identifier: ISC */
/*
 * outbox: the messages this agency has sent, from the moment they are
 * committed until their final outcome, and ALL the SQL that touches them.
 *
 * A message is committed here (with its "created" audit entry) before any
 * byte of it is sent, and is sent again, the same bytes under the same
 * message id, until its final outcome arrives.  States (SCHEMA.md, "Agent
 * database"):
 *
 *	queued ──RESULT 202──▶ accepted ──signed receipt──▶ delivered
 *	   │                       │
 *	   └─RESULT 5xx──▶ failed ◀┴─OUTCOME 540/541
 *
 * queued: committed here, the broker has not (yet) said it committed it;
 * accepted: the broker committed it (RESULT 202) - an earlier, separate
 * state from delivered; delivered: the recipient's signed receipt verified
 * (final); failed: refused by the broker (5xx) or expired / rejected by the
 * recipient (OUTCOME) (final).  A 4xx RESULT leaves it queued and is
 * retried with backoff.  Every change is audited in the same transaction.
 */
#ifndef DUTYNET_OUTBOX_H
#define DUTYNET_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include "common/auditlog.h"
#include "common/db.h"
#include "proto/envelope.h"
#include "proto/seal.h"
#include "proto/status.h"

/* The table, for the agent database's migration (agentdb.c). */
#define OUTBOX_SCHEMA_SQL \
	"CREATE TABLE outbox (" \
	" message_id BLOB PRIMARY KEY CHECK (length(message_id) = 16)," \
	" type INTEGER NOT NULL," \
	" recipient TEXT NOT NULL," \
	" case_id TEXT NOT NULL," \
	" in_reply_to BLOB," \
	" urgency INTEGER NOT NULL," \
	" created_ms INTEGER NOT NULL," \
	" envelope BLOB NOT NULL," \
	" envelope_hash BLOB NOT NULL," \
	" state TEXT NOT NULL CHECK (state IN ('queued','accepted','delivered','failed'))," \
	" attempts INTEGER NOT NULL DEFAULT 0," \
	" last_sent_ms INTEGER," \
	" next_try_ms INTEGER NOT NULL," \
	" accepted_ms INTEGER," \
	" final_ms INTEGER," \
	" code INTEGER," \
	" reason TEXT," \
	" receipt BLOB," \
	" receipt_ms INTEGER);" \
	"CREATE INDEX outbox_pending ON outbox(state, next_try_ms)" \
	" WHERE state IN ('queued','accepted');" \
	"CREATE INDEX outbox_reply ON outbox(in_reply_to);"
/* Schema version 4: retention (agents/retention.h).  The table is rebuilt
 * (SQLite cannot drop a NOT NULL) so that envelope may be NULL once the
 * content is purged, and purged_ms records when; every other column and
 * value is kept as it was. */
#define OUTBOX_SCHEMA_V4_SQL \
	"CREATE TABLE outbox_v4 (" \
	" message_id BLOB PRIMARY KEY CHECK (length(message_id) = 16)," \
	" type INTEGER NOT NULL," \
	" recipient TEXT NOT NULL," \
	" case_id TEXT NOT NULL," \
	" in_reply_to BLOB," \
	" urgency INTEGER NOT NULL," \
	" created_ms INTEGER NOT NULL," \
	" envelope BLOB CHECK (envelope IS NOT NULL OR purged_ms IS NOT NULL)," \
	" envelope_hash BLOB NOT NULL," \
	" state TEXT NOT NULL CHECK (state IN ('queued','accepted','delivered','failed'))," \
	" attempts INTEGER NOT NULL DEFAULT 0," \
	" last_sent_ms INTEGER," \
	" next_try_ms INTEGER NOT NULL," \
	" accepted_ms INTEGER," \
	" final_ms INTEGER," \
	" code INTEGER," \
	" reason TEXT," \
	" receipt BLOB," \
	" receipt_ms INTEGER," \
	" purged_ms INTEGER);" \
	"INSERT INTO outbox_v4 SELECT *, NULL FROM outbox;" \
	"DROP TABLE outbox;" \
	"ALTER TABLE outbox_v4 RENAME TO outbox;" \
	"CREATE INDEX outbox_pending ON outbox(state, next_try_ms)" \
	" WHERE state IN ('queued','accepted');" \
	"CREATE INDEX outbox_reply ON outbox(in_reply_to);"

/* An accepted message is re-sent (same bytes) this long after acceptance
 * and then at the retry maximum: the broker answers with its current state
 * and re-sends a stored receipt, so an outcome lost anywhere is recovered. */
#define OUTBOX_RECHECK_MS (10 * 60 * 1000)
#define OUTBOX_REASON_MAX 256

enum outbox_state {
	OUTBOX_QUEUED,
	OUTBOX_ACCEPTED,
	OUTBOX_DELIVERED,
	OUTBOX_FAILED,
};

/* One outbox row without its envelope bytes. */
struct outbox_msg {
	uint8_t id[IDS_MSGID_BYTES];
	int type;
	char to[IDS_AGENCY_MAX + 1];
	char case_id[IDS_CASE_MAX + 1];
	int has_reply_to;
	uint8_t reply_to[IDS_MSGID_BYTES];
	int urgency;
	uint64_t created_ms;
	uint8_t envelope_hash[SEAL_HASHBYTES];
	enum outbox_state state;
	unsigned attempts;
	uint64_t last_sent_ms;		/* 0: never sent */
	uint64_t next_try_ms;
	uint64_t accepted_ms;		/* 0: not accepted */
	uint64_t final_ms;		/* 0: not final */
	int code;			/* last broker code; 0 if none yet */
	char reason[OUTBOX_REASON_MAX];	/* its text: why pending, why failed */
	uint64_t receipt_ms;		/* when the recipient committed it */
	uint64_t purged_ms;		/* envelope purged (retention.h); 0: kept */
};

/* A message due to be sent: its id and a copy of its envelope bytes. */
struct outbox_due {
	uint8_t id[IDS_MSGID_BYTES];
	int state;			/* OUTBOX_QUEUED or OUTBOX_ACCEPTED */
	int urgency;			/* enum envelope_urgency */
	uint8_t *envelope;		/* owned by the array (outbox_due_free) */
	size_t len;
};

/* What a broker answer did to a message. */
enum outbox_effect {
	OUTBOX_UNKNOWN,		/* no such message here */
	OUTBOX_UNCHANGED,	/* already past that point: nothing to do */
	OUTBOX_CHANGED,		/* state or reason changed (and was audited) */
};

/* "queued", "accepted", "delivered", "failed"; -1 / NULL if unknown. */
const char *outbox_state_name(int state);
int outbox_state_parse(const char *name);

/* Commits nothing itself: inside the caller's transaction, stores the
 * envelope bytes[0..len) (already decoded into env) as queued, due now,
 * and audits "created".  -1 and st 550 if the id is already used, 451. */
int outbox_put(struct db *db, const struct envelope *env, const uint8_t *bytes, size_t len,
    uint64_t now_ms, struct status *st) __attribute__((warn_unused_result));

/* Up to limit messages due at now_ms: queued ones whose next try is due or
 * that were not sent since flush_ms (the last WELCOME: a new session gets
 * every queued message at once), and accepted ones whose recheck is due;
 * queued before accepted, then most urgent first (immediate before urgent
 * before standard before routine), then oldest first.  *items is the
 * caller's (outbox_due_free). */
int outbox_next_due(struct db *db, uint64_t now_ms, uint64_t flush_ms, size_t limit,
    struct outbox_due **items, size_t *n, struct status *st);
void outbox_due_free(struct outbox_due **items, size_t n);

/* *n = queued messages sent since flush_ms (this session) whose answer is
 * still awaited (their resend is not yet due at now_ms): the SENDs in
 * flight.  O(those), by the outbox_pending index.  -1 and st 451. */
int outbox_in_flight(struct db *db, uint64_t now_ms, uint64_t flush_ms, size_t *n,
    struct status *st) __attribute__((warn_unused_result));

/* The earliest next try of any queued or accepted message (*when = 0 and
 * 0 returned if none): 1, 0, or -1 and st. */
int outbox_next_time(struct db *db, uint64_t *when, struct status *st);

/* In a transaction: records that id was handed to the broker at now_ms
 * (attempts + 1, next try at now_ms + delay) and audits "sent". */
int outbox_mark_sent(struct db *db, const uint8_t id[IDS_MSGID_BYTES], uint64_t now_ms,
    uint64_t delay_ms, struct status *st) __attribute__((warn_unused_result));

/* In a transaction: applies the broker's RESULT for id.  202/250: queued ->
 * accepted ("accepted"); 4xx: stays queued, reason kept, next try after
 * retry_ms ("deferred"); 5xx: queued/accepted -> failed ("rejected"). */
int outbox_result(struct db *db, const uint8_t id[IDS_MSGID_BYTES], int code, const char *text,
    uint64_t now_ms, uint64_t retry_ms, enum outbox_effect *effect, struct status *st)
    __attribute__((warn_unused_result));

/* In a transaction: a final failure from an OUTCOME (540, 541): a queued or
 * accepted message becomes failed ("failed"). */
int outbox_outcome(struct db *db, const uint8_t id[IDS_MSGID_BYTES], int code, const char *text,
    uint64_t now_ms, enum outbox_effect *effect, struct status *st)
    __attribute__((warn_unused_result));

/* In a transaction: the recipient's verified receipt (the whole receipt
 * envelope, and the time it says the recipient committed the message)
 * makes a queued or accepted message delivered ("delivered").  A receipt
 * for a message already failed is stored as evidence ("receipt"), state
 * unchanged. */
int outbox_delivered(struct db *db, const uint8_t id[IDS_MSGID_BYTES], const uint8_t *receipt,
    size_t receipt_len, uint64_t receipt_ms, uint64_t now_ms, enum outbox_effect *effect,
    struct status *st) __attribute__((warn_unused_result));

/* Reads one row: 1 found, 0 not found, -1 and st 451. */
int outbox_get(struct db *db, const uint8_t id[IDS_MSGID_BYTES], struct outbox_msg *m,
    struct status *st);

/* A copy of id's envelope bytes (*buf the caller's to free; NULL once
 * purged): 1, 0 if not found, -1 and st. */
int outbox_envelope(struct db *db, const uint8_t id[IDS_MSGID_BYTES], uint8_t **buf,
    size_t *len, struct status *st);

/* Calls fn on rows oldest first: all of them, or only queued and accepted
 * (pending_only); fn returning non-zero stops.  -1 and st 451. */
int outbox_list(struct db *db, int pending_only, int (*fn)(const struct outbox_msg *m, void *arg),
    void *arg, struct status *st);

/* Calls fn on the messages sent in reply to id (in_reply_to = id). */
int outbox_replies(struct db *db, const uint8_t id[IDS_MSGID_BYTES],
    int (*fn)(const struct outbox_msg *m, void *arg), void *arg, struct status *st);

/* Rows in a state (state < 0: all): -1 and st on error. */
int64_t outbox_count(struct db *db, int state, struct status *st);

#endif
