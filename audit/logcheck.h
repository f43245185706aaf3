/* SPDX-License-Identifier: ISC */
/*
 * logcheck: the single pass over one audit log that verify (and the
 * benchmark) runs.  It reads the rows in seq order through one prepared
 * statement and, for each, checks its seq (no gap), its columns (types and
 * sizes), its prev_hash (the previous row's hash) and its hash (recomputed
 * from its fields, common/auditlog.c's formula), and appends its hash as
 * the next leaf of the RFC 9162 Merkle tree (PROTOCOL.md §11.1).  Whenever
 * the tree reaches the size of an anchor (a checkpoint whose signatures
 * were already checked: the log's own, or the broker's countersigned copy)
 * the tree's root must be the anchor's root.  An anchor larger than the
 * log shows that its tail was cut off.
 *
 * No allocation per entry: the row's strings are read in place, the tree
 * is merkle_tree's fixed stack, and problems go into a fixed array that
 * keeps the earliest ones (the first bad entry is what matters).
 */
#ifndef DUTYNET_AUDIT_LOGCHECK_H
#define DUTYNET_AUDIT_LOGCHECK_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audit/auditdb.h"
#include "proto/merkle.h"
#include "proto/status.h"

#define LOGCHECK_PROBLEMS_MAX 32	/* problems kept per log (the earliest) */
#define LOGCHECK_TEXT_MAX 512
#define LOGCHECK_PROGRESS_EVERY 65536	/* entries between progress calls */

/* Where an anchor's root comes from. */
enum logcheck_source {
	LOGCHECK_OWN = 1,		/* the log's own checkpoints table */
	LOGCHECK_BROKER_HELD = 2,	/* the broker's agency_checkpoints */
};

/* A checkpoint already verified, to compare the tree with. */
struct logcheck_anchor {
	uint64_t size;
	uint8_t root[MERKLE_HASHBYTES];
	uint64_t time_ms;
	enum logcheck_source source;
};

/* One thing found wrong. */
struct logcheck_problem {
	uint64_t seq;		/* the first entry it concerns; 0 if none */
	uint64_t time_ms;	/* that entry's recorded time; 0 if not known */
	uint64_t checkpoint;	/* the size of the checkpoint concerned; 0 if none */
	int code;		/* status code: 500 a gap, a bad column or a cut-off
				 * tail; 520 altered or a bad signature; 521, 530,
				 * 504 a checkpoint's key or field */
	uint64_t found;		/* 1 for the first problem found, 2 for the next... */
	char text[LOGCHECK_TEXT_MAX];
};

struct logcheck {
	uint64_t entries;		/* rows read */
	uint64_t last_seq;		/* the seq of the last row read (0: none) */
	uint64_t intact;		/* seq 1..intact form an unbroken chain */
	uint8_t root[MERKLE_HASHBYTES];	/* Merkle root of leaves 1..intact */
	uint64_t anchors_matched;	/* anchors whose root the tree matched */
	struct logcheck_problem problems[LOGCHECK_PROBLEMS_MAX];
	size_t n_problems;		/* kept, in the order found */
	uint64_t problems_total;	/* found, kept or not */
};

/* Called every LOGCHECK_PROGRESS_EVERY entries with how many were read. */
typedef void logcheck_progress_fn(void *arg, uint64_t done);

/* Zeroes lc. */
void logcheck_init(struct logcheck *lc);

/* Records a problem; when the array is full the one with the highest seq
 * (0 counting as highest) makes room for an earlier one. */
void logcheck_add(struct logcheck *lc, uint64_t seq, uint64_t time_ms, uint64_t checkpoint,
    int code, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Runs the pass over db's audit table against anchors[0..n) (sorted by
 * size, ascending; borrowed), adding to lc.  progress may be NULL.  0 when
 * the pass ran (lc says what it found), -1 and st 421 if the database
 * could not be read. */
int logcheck_run(struct auditdb *db, const struct logcheck_anchor *anchors, size_t n,
    logcheck_progress_fn *progress, void *arg, struct logcheck *lc, struct status *st)
    __attribute__((warn_unused_result));

/* The problems in order of the entry they concern (those about no entry
 * last), for printing; sorts lc->problems in place. */
void logcheck_sort(struct logcheck *lc);

/* "own" or "broker-held". */
const char *logcheck_source_name(enum logcheck_source s);

#endif
