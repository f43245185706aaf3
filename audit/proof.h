/* SPDX-License-Identifier: ISC */
/*
 * proof: the inclusion-proof bundle `dutynet-audit prove` writes and
 * `check-proof` reads: everything needed to show one audit entry to an
 * inspector without handing over the log (PROTOCOL.md §11.2, ISSUE 7):
 *
 *	{"format": "dutynet-inclusion-proof-v1",
 *	 "log": "<origin>",
 *	 "entry": {"seq": N, "time_ms": T, "time": "<RFC 3339, for people>",
 *	           "event": "...", "agency": "..." | null,
 *	           "message_id": "<uuid>" | null, "detail": "...",
 *	           "prev_hash": "<64 hex>"},
 *	 "hash": "<64 hex: the entry's hash, recomputed by the checker>",
 *	 "tree_size": S,
 *	 "proof": ["<64 hex>", ...],		(RFC 9162 PATH(N-1, D[S]), leaf up)
 *	 "checkpoint": "<the checkpoint text, countersigned for an agency>"}
 *
 * The checker recomputes the entry's hash from its fields and prev_hash
 * (common/auditlog.c), its leaf hash, and the root through the proof, and
 * that root must be the one in a checkpoint whose signatures verify with
 * the directory's keys: nothing in the bundle is taken on trust, and it
 * discloses one entry's metadata and hashes of the others only.
 */
#ifndef DUTYNET_AUDIT_PROOF_H
#define DUTYNET_AUDIT_PROOF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/auditlog.h"
#include "config/directory.h"
#include "proto/checkpoint.h"
#include "proto/merkle.h"
#include "proto/status.h"

#define PROOF_FORMAT "dutynet-inclusion-proof-v1"
#define PROOF_FILE_MAX (64 * 1024)	/* a bundle is a few kilobytes */

struct proof {
	char log[IDS_AGENCY_MAX + 1];
	struct auditlog_entry entry;		/* strings point into the owner's storage */
	uint8_t prev_hash[AUDITLOG_HASHBYTES];
	uint8_t hash[AUDITLOG_HASHBYTES];	/* as the bundle states it */
	uint64_t tree_size;
	uint8_t path[MERKLE_PROOF_MAX_BYTES];
	size_t n_path;				/* hashes in path */
	char checkpoint[CHECKPOINT_TEXT_MAX + 1];
	size_t checkpoint_len;
	/* Owned copies of the entry's strings (read_proof). */
	char event[AUDITLOG_EVENT_MAX + 1];
	char agency[IDS_AGENCY_MAX + 1];
	char detail[AUDITLOG_DETAIL_MAX + 1];
};

/* Writes p as the bundle above to f.  -1 and st 421 if it cannot be
 * written. */
int proof_write(const struct proof *p, FILE *f, struct status *st)
    __attribute__((warn_unused_result));

/* Parses a bundle from text[0..len) into p (its strings owned by p).  -1
 * and st: 510 over PROOF_FILE_MAX; 500 not JSON or a member missing or of
 * the wrong type; 502 another format; 504 a value out of range or hex of
 * the wrong length. */
int proof_read(const char *text, size_t len, struct proof *p, struct status *st)
    __attribute__((warn_unused_result));

/* Checks p against the directory's keys as described above; fills cp with
 * the checkpoint.  0, or -1 and st: 520 the entry's hash or the root does
 * not match (504 from the Merkle check: the text says which), or
 * cpverify's codes for the checkpoint. */
int proof_check(const struct proof *p, const struct directory *d, struct checkpoint *cp,
    struct status *st) __attribute__((warn_unused_result));

#endif
