/* SPDX-License-Identifier: ISC */
/*
 * prove: `dutynet-audit prove DB --entry N` makes the inclusion-proof
 * bundle (proof.h) of entry N against the smallest verified checkpoint of
 * the log that covers it (for an agency's log, one the broker
 * countersigned); `dutynet-audit check-proof FILE` checks a bundle with the
 * directory's public keys alone.  So an agency can show an inspector one
 * record without handing over its whole log.
 */
#ifndef DUTYNET_AUDIT_PROVE_H
#define DUTYNET_AUDIT_PROVE_H

#include <stdint.h>

#include "audit/auditdb.h"
#include "audit/proof.h"
#include "config/directory.h"

/* Builds the bundle of entry seq of db's log into p: reads the row (which
 * must match its hash), picks the checkpoint (exactly of size
 * checkpoint_size if not 0), computes the proof and checks it before
 * returning.  0, or -1 and st: 504 no such entry (or a checkpoint size
 * below it); 520 no verified checkpoint covers it, or the row or the log
 * does not match what was signed; cpverify's codes for a bad checkpoint;
 * 421 the database could not be read. */
int prove_entry(struct auditdb *db, const struct directory *d, uint64_t seq,
    uint64_t checkpoint_size, struct proof *p, struct status *st)
    __attribute__((warn_unused_result));

/* The verbs. */
int prove_cmd(int argc, char **argv);
int prove_check_cmd(int argc, char **argv);

#endif
