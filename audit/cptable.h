/* SPDX-License-Identifier: ISC */
/*
 * cptable: reading the checkpoint tables of a database under audit and
 * turning every checkpoint that verifies into an anchor for logcheck.
 * The tables (ISSUE 7, SCHEMA.md):
 *
 *	checkpoints (size INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL,
 *	    root BLOB NOT NULL, text TEXT NOT NULL, countersigned TEXT)
 *		in every database: the owner's own checkpoints; text signed by
 *		the owner, countersigned the broker-countersigned copy that
 *		came back (agents), else NULL
 *	agency_checkpoints (origin TEXT NOT NULL, size INTEGER NOT NULL,
 *	    time_ms INTEGER NOT NULL, root BLOB NOT NULL, text TEXT NOT NULL,
 *	    PRIMARY KEY (origin, size))
 *		in the broker's database: every agency checkpoint the broker
 *		countersigned, text with its countersignature
 *
 * The columns size, time_ms and root are conveniences for queries: only
 * the signed text is believed, and a row whose columns say something else
 * was edited.  A checkpoint that fails is a problem of the log it is in,
 * named by its size, and is not used as an anchor.
 */
#ifndef DUTYNET_AUDIT_CPTABLE_H
#define DUTYNET_AUDIT_CPTABLE_H

#include <stddef.h>
#include <stdint.h>

#include "audit/auditdb.h"
#include "audit/logcheck.h"
#include "config/directory.h"
#include "proto/checkpoint.h"

/* A growing array of anchors. */
struct cptable_anchors {
	struct logcheck_anchor *v;
	size_t n, cap;
};

struct cptable_counts {
	uint64_t rows;			/* checkpoint rows read */
	uint64_t verified;		/* whose signatures verified */
	uint64_t countersigned;		/* of those, with the broker's countersignature */
};

/* Called for each verified row of agency_checkpoints: origin's anchor. */
typedef int cptable_agency_fn(void *arg, const char *origin, const struct logcheck_anchor *a);

/* Appends a to v.  -1 if out of memory. */
int cptable_anchors_push(struct cptable_anchors *v, const struct logcheck_anchor *a)
    __attribute__((warn_unused_result));

/* Sorts v by size (for logcheck_run). */
void cptable_anchors_sort(struct cptable_anchors *v);

/* Frees v's array and empties it. */
void cptable_anchors_free(struct cptable_anchors *v);

/* Reads db's checkpoints table (if it has one), verifies every row with
 * d's keys as the log of db->owner, pushes each verified one onto v and
 * adds each failure to lc.  -1 and st 421 if the table cannot be read,
 * or out of memory. */
int cptable_own(struct auditdb *db, const struct directory *d, struct cptable_anchors *v,
    struct logcheck *lc, struct cptable_counts *c, struct status *st)
    __attribute__((warn_unused_result));

/* Reads the broker database's agency_checkpoints (if it has it), verifies
 * every row (origin's signature and the broker's countersignature), calls
 * fn for each verified one and adds each failure to lc (the broker's).
 * -1 and st 421, or fn's -1. */
int cptable_agency(struct auditdb *broker, const struct directory *d, cptable_agency_fn *fn,
    void *arg, struct logcheck *lc, struct cptable_counts *c, struct status *st)
    __attribute__((warn_unused_result));

/* The smallest checkpoint of db's own table with size >= at_least (or
 * exactly size when exact), countersigned when countersigned_only,
 * verified with d's keys, into *cp and its text into text.  1 if found,
 * 0 if none; -1 and st (421; or the verification's code for the row
 * chosen). */
int cptable_find(struct auditdb *db, const struct directory *d, uint64_t at_least, bool exact,
    bool countersigned_only, struct checkpoint *cp, char text[CHECKPOINT_TEXT_MAX + 1],
    struct status *st) __attribute__((warn_unused_result));

#endif
