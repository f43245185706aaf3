/* SPDX-License-Identifier: ISC */
/*
 * inbox: the messages delivered to this agency, and ALL the SQL on the
 * inbox table.
 *
 * A delivered envelope is stored once per message id, with its exact bytes
 * (the evidence), its decrypted payload and the signed receipt made for it,
 * in the same transaction as its audit entry; the receipt goes to the
 * broker only after that commit.  The same message delivered again is not
 * stored again: the stored receipt is sent again.  States (SCHEMA.md):
 *
 *	received ──dutynet ack──▶ acknowledged ──dutynet decide──▶ decided
 *	(a decision may also be made without an acknowledgement first)
 *	rejected: it could not be accepted (signature, key, recipient,
 *	decryption or payload); a signed reject went back instead of a receipt.
 */
#ifndef DUTYNET_INBOX_H
#define DUTYNET_INBOX_H

#include <stddef.h>
#include <stdint.h>

#include "common/auditlog.h"
#include "common/db.h"
#include "proto/envelope.h"
#include "proto/seal.h"
#include "proto/status.h"

#define INBOX_SCHEMA_SQL \
	"CREATE TABLE inbox (" \
	" message_id BLOB PRIMARY KEY CHECK (length(message_id) = 16)," \
	" type INTEGER NOT NULL," \
	" sender TEXT NOT NULL," \
	" case_id TEXT NOT NULL," \
	" in_reply_to BLOB," \
	" urgency INTEGER NOT NULL," \
	" created_ms INTEGER NOT NULL," \
	" accepted_ms INTEGER," \
	" received_ms INTEGER NOT NULL," \
	" deliveries INTEGER NOT NULL DEFAULT 1," \
	" envelope BLOB NOT NULL," \
	" envelope_hash BLOB NOT NULL," \
	" payload BLOB," \
	" receipt BLOB," \
	" state TEXT NOT NULL" \
	"  CHECK (state IN ('received','acknowledged','decided','rejected'))," \
	" reject_code INTEGER," \
	" reject_text TEXT," \
	" ack_ms INTEGER," \
	" ack_by TEXT," \
	" decision TEXT," \
	" decision_ms INTEGER," \
	" decision_by TEXT);" \
	"CREATE INDEX inbox_reply ON inbox(in_reply_to);"

/* Schema version 4: retention (agents/retention.h).  The table is rebuilt
 * (SQLite cannot drop a NOT NULL) so that envelope may be NULL once the
 * content is purged, and purged_ms records when; every other column and
 * value is kept as it was. */
#define INBOX_SCHEMA_V4_SQL \
	"CREATE TABLE inbox_v4 (" \
	" message_id BLOB PRIMARY KEY CHECK (length(message_id) = 16)," \
	" type INTEGER NOT NULL," \
	" sender TEXT NOT NULL," \
	" case_id TEXT NOT NULL," \
	" in_reply_to BLOB," \
	" urgency INTEGER NOT NULL," \
	" created_ms INTEGER NOT NULL," \
	" accepted_ms INTEGER," \
	" received_ms INTEGER NOT NULL," \
	" deliveries INTEGER NOT NULL DEFAULT 1," \
	" envelope BLOB CHECK (envelope IS NOT NULL OR purged_ms IS NOT NULL)," \
	" envelope_hash BLOB NOT NULL," \
	" payload BLOB," \
	" receipt BLOB," \
	" state TEXT NOT NULL" \
	"  CHECK (state IN ('received','acknowledged','decided','rejected'))," \
	" reject_code INTEGER," \
	" reject_text TEXT," \
	" ack_ms INTEGER," \
	" ack_by TEXT," \
	" decision TEXT," \
	" decision_ms INTEGER," \
	" decision_by TEXT," \
	" purged_ms INTEGER);" \
	"INSERT INTO inbox_v4 SELECT *, NULL FROM inbox;" \
	"DROP TABLE inbox;" \
	"ALTER TABLE inbox_v4 RENAME TO inbox;" \
	"CREATE INDEX inbox_reply ON inbox(in_reply_to);"

#define INBOX_BY_MAX 520	/* "name, role" of a person: two payload shorts */
#define INBOX_TEXT_MAX 256

enum inbox_state {
	INBOX_RECEIVED,
	INBOX_ACKNOWLEDGED,
	INBOX_DECIDED,
	INBOX_REJECTED,
};

/* One inbox row without its bytes. */
struct inbox_msg {
	uint8_t id[IDS_MSGID_BYTES];
	int type;
	char from[IDS_AGENCY_MAX + 1];
	char case_id[IDS_CASE_MAX + 1];
	int has_reply_to;
	uint8_t reply_to[IDS_MSGID_BYTES];
	int urgency;
	uint64_t created_ms;		/* the sender's clock */
	uint64_t accepted_ms;		/* the broker's acceptance (0: unknown) */
	uint64_t received_ms;		/* our commit: the receipt says this */
	unsigned deliveries;		/* 1 + duplicates delivered */
	enum inbox_state state;
	int reject_code;
	char reject_text[INBOX_TEXT_MAX];
	uint64_t ack_ms;
	char ack_by[INBOX_BY_MAX];
	char decision[16];
	uint64_t decision_ms;
	char decision_by[INBOX_BY_MAX];
	uint64_t purged_ms;		/* content purged (retention.h); 0: kept */
};

/* What is being stored (borrowed). */
struct inbox_item {
	const struct envelope *env;	/* decoded and verified */
	const uint8_t *bytes;		/* the envelope as delivered */
	size_t len;
	const uint8_t *payload;		/* decrypted plaintext; NULL if rejected */
	size_t payload_len;
	const uint8_t *receipt;		/* our signed receipt; NULL if rejected, and
					 * for the broker's notices (ACKed, not receipted) */
	size_t receipt_len;
	uint64_t accepted_ms;		/* from DELIVER */
	uint64_t received_ms;		/* the time put in the receipt */
};

/* "received", ... ; -1 / NULL if unknown. */
const char *inbox_state_name(int state);
int inbox_state_parse(const char *name);

/* In a transaction: 1 if id is already stored (a duplicate delivery): its
 * deliveries count goes up, "duplicate" is audited and *receipt is a copy
 * of the stored receipt (the caller's; NULL for a rejected message), so the
 * same receipt is sent again; 0 if id is new; -1 and st 451. */
int inbox_seen(struct db *db, const uint8_t id[IDS_MSGID_BYTES], uint8_t **receipt,
    size_t *receipt_len, struct status *st);

/* In a transaction: stores a new message as received and audits
 * "received".  It has a receipt unless it is a notice (type escalation).
 * -1 and st 451 (or 550 if the id exists: call inbox_seen). */
int inbox_put(struct db *db, const struct inbox_item *it, struct status *st)
    __attribute__((warn_unused_result));

/* In a transaction: stores a message that could not be accepted (state
 * rejected, no payload, no receipt) with the reason, audits "rejected". */
int inbox_put_rejected(struct db *db, const struct inbox_item *it, int code, const char *text,
    struct status *st) __attribute__((warn_unused_result));

/* In a transaction: a person acknowledged id (by = "name, role"):
 * received -> acknowledged, audits "acknowledged".  1 done, 0 if it was
 * already acknowledged or decided (nothing changes), -1 and st (504 if no
 * such message or it cannot be acknowledged). */
int inbox_acknowledge(struct db *db, const uint8_t id[IDS_MSGID_BYTES], const char *by,
    uint64_t now_ms, struct status *st) __attribute__((warn_unused_result));

/* In a transaction: the decision ("accept", "decline", "redirect") on id:
 * -> decided, audits "decided" with detail.  -1 and st 504 if no such
 * message, 550 if already decided. */
int inbox_decide(struct db *db, const uint8_t id[IDS_MSGID_BYTES], const char *decision,
    const char *by, const char *detail, uint64_t now_ms, struct status *st)
    __attribute__((warn_unused_result));

/* Reads one row: 1 found, 0 not, -1 and st. */
int inbox_get(struct db *db, const uint8_t id[IDS_MSGID_BYTES], struct inbox_msg *m,
    struct status *st);

/* Copies of the stored envelope and payload (each the caller's; payload
 * NULL if rejected, both NULL once purged): 1, 0 if not found, -1 and st. */
int inbox_bytes(struct db *db, const uint8_t id[IDS_MSGID_BYTES], uint8_t **envelope,
    size_t *envelope_len, uint8_t **payload, size_t *payload_len, struct status *st);

/* Calls fn on every row, oldest first; fn returning non-zero stops. */
int inbox_list(struct db *db, int (*fn)(const struct inbox_msg *m, void *arg), void *arg,
    struct status *st);

/* Calls fn on the messages received in reply to id. */
int inbox_replies(struct db *db, const uint8_t id[IDS_MSGID_BYTES],
    int (*fn)(const struct inbox_msg *m, void *arg), void *arg, struct status *st);

/* Rows in a state (state < 0: all), or -1 and st. */
int64_t inbox_count(struct db *db, int state, struct status *st);

#endif
