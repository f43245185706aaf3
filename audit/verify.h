/* SPDX-License-Identifier: ISC */
/*
 * verify: `dutynet-audit verify DB...`: every entry of every log given
 * (hash chain and Merkle tree, logcheck.h), every checkpoint's signature
 * and countersignature (cptable.h), and each agency's log against the
 * checkpoints of it the broker countersigned and holds (when the broker's
 * database is among those given), which is what catches a log cut short
 * at its end or replaced by a self-consistent fake.
 */
#ifndef DUTYNET_AUDIT_VERIFY_H
#define DUTYNET_AUDIT_VERIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "audit/alarms.h"
#include "audit/cptable.h"
#include "audit/inputs.h"
#include "audit/logcheck.h"

/* The verdict on one database. */
struct verify_log {
	struct auditdb *db;			/* borrowed from the inputs */
	struct cptable_anchors anchors;		/* verified checkpoints to compare */
	struct cptable_counts own;		/* its checkpoints table */
	uint64_t broker_held;			/* checkpoints of it the broker holds */
	struct cptable_counts agency;		/* broker: its agency_checkpoints */
	struct logcheck lc;
	struct alarms alarms;			/* broker: checkpoints it refused */
};

/* Verifies every database of in (its directory loaded) into a new array
 * *out of in->n_dbs verdicts (the caller frees it with verify_free).
 * progress: draw a bar on a terminal.  0, or -1 and st 421 if a database
 * could not be read (out is then NULL). */
int verify_logs(struct inputs *in, bool progress, struct verify_log **out, struct status *st)
    __attribute__((warn_unused_result));

/* Frees the n verdicts of verify_logs; accepts NULL. */
void verify_free(struct verify_log *v, size_t n);

/* 1 if the verdict found nothing wrong. */
int verify_ok(const struct verify_log *v);

/* The verb. */
int verify_cmd(int argc, char **argv);

#endif
