/* SPDX-License-Identifier: ISC */
/*
 * cpaccept: the broker's side of countersigning (PROTOCOL.md §7.8).  An
 * agency sends a checkpoint of its own audit log (signed with its signing
 * key) and a consistency proof from the newest checkpoint of it the broker
 * holds; the broker checks, in order, the proof's bytes, the text, that the
 * origin is the connection's agency, the origin's signature, that it does
 * not contradict the broker's copy (a smaller size, the same size with
 * another root, or a proof that fails is an ALARM: logged at error level,
 * audited, counted), and only then countersigns it with the broker's
 * signing key, stores it in agency_checkpoints and hands it back.
 *
 * So an agency cannot later cut or rewrite its log without disagreeing with
 * the broker's copy, and the broker cannot vouch for entries the agency
 * never signed.  The table and all its SQL live here (SCHEMA.md,
 * "Table agency_checkpoints").  Everything runs inside the loop's open
 * transaction; the reply is sent after the commit (loop.c).
 */
#ifndef DUTYNET_CPACCEPT_H
#define DUTYNET_CPACCEPT_H

#include <stddef.h>
#include <stdint.h>

#include "broker/stats.h"
#include "common/db.h"
#include "config/directory.h"
#include "proto/frame.h"
#include "proto/status.h"

/* The table, created by cpaccept_init if missing (broker database). */
#define CPACCEPT_SCHEMA_SQL \
	"CREATE TABLE IF NOT EXISTS agency_checkpoints (" \
	" origin TEXT NOT NULL," \
	" size INTEGER NOT NULL," \
	" time_ms INTEGER NOT NULL," \
	" root BLOB NOT NULL," \
	" text TEXT NOT NULL," \
	" PRIMARY KEY (origin, size));"

/* Room for the detail of an audit entry or a log line about a checkpoint:
 * sizes, times, two roots in hex and a reason. */
#define CPACCEPT_DETAIL_MAX 512

/* What cpaccept_handle needs, all borrowed. */
struct cpaccept_env {
	struct db *db;			/* the broker's, in a transaction */
	const struct directory *dir;	/* agencies' keys; broker.id countersigns */
	const uint8_t *sign_sk;		/* the broker's signing key */
	struct stats *stats;		/* alarms are counted here */
};

enum cpaccept_outcome {
	CPACCEPT_COUNTERSIGNED,	/* 250: countersigned and stored */
	CPACCEPT_PROVE_FROM,	/* 560: prove again from the size of the text given */
	CPACCEPT_REFUSED,	/* 500/504/510/520/521/522: a bad request */
	CPACCEPT_ALARM,		/* 561: contradicts the broker's copy (audited) */
};

struct cpaccept_result {
	enum cpaccept_outcome outcome;
	int new_size;		/* COUNTERSIGNED: a new row (audited), not a refresh */
	char detail[CPACCEPT_DETAIL_MAX];	/* what happened, for the log */
};

/* Creates agency_checkpoints if missing.  -1 and st 451. */
int cpaccept_init(struct db *db, struct status *st) __attribute__((warn_unused_result));

/* Handles a CHECKPOINT body (text, from_size) with its proof frame from the
 * connection authenticated as agency, inside the open transaction:
 * fills reply (a COUNTERSIGNED: code, text, the checkpoint) and *r.
 * Writes only the row and the audit entry of a countersignature, or the
 * audit entry of an alarm.  -1 and st 451 if the database failed (the
 * batch must be rolled back; reply is then not to be sent as it is). */
int cpaccept_handle(const struct cpaccept_env *e, const char *agency, const struct frame *body,
    const uint8_t *proof, size_t proof_len, struct frame *reply,
    struct cpaccept_result *r, struct status *st) __attribute__((warn_unused_result));

#endif
