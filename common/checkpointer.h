/* SPDX-License-Identifier: ISC */
/*
 * checkpointer: keeps the signed checkpoints of a daemon's own audit log
 * (PROTOCOL.md §11, ISSUE 7) in the `checkpoints` table of the same
 * database.  Every `entries` new audit rows, or `every_ms` after the last
 * checkpoint even if nothing happened, it signs "the log of <origin> had
 * <size> entries with Merkle root <root> at <time>" with the daemon's own
 * signing key (the agency's, or the broker's) and stores it.
 *
 * Leaf i of the tree is the 32-byte `hash` column of the audit row with
 * seq i + 1.  The tree state lives in memory (proto/merkle.h, O(log n));
 * checkpointer_open rebuilds it by reading the hashes in seq order (O(n))
 * and checks it against the newest stored checkpoint, so a log cut or
 * rewritten under a stopped daemon is refused at start.
 *
 * A checkpoint is not a state change: it is written in its own transaction,
 * never inside another one (asserted).  When nothing happened since the
 * last checkpoint, the row of that size is re-signed with the newer time in
 * place (size stays the primary key; SCHEMA.md, "Checkpoints").
 */
#ifndef DUTYNET_CHECKPOINTER_H
#define DUTYNET_CHECKPOINTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/db.h"
#include "proto/checkpoint.h"
#include "proto/seal.h"
#include "proto/status.h"

#define CHECKPOINTER_MS_PER_SECOND 1000
/* After a failed poll the next one waits this long (ms): a daemon whose
 * database is failing does not spin on it. */
#define CHECKPOINTER_RETRY_MS 1000

/* The table, created by checkpointer_open if missing (both daemons). */
#define CHECKPOINTER_SCHEMA_SQL \
	"CREATE TABLE IF NOT EXISTS checkpoints (" \
	" size INTEGER PRIMARY KEY," \
	" time_ms INTEGER NOT NULL," \
	" root BLOB NOT NULL," \
	" text TEXT NOT NULL," \
	" countersigned TEXT);"

struct checkpointer;

/* Creates the checkpoints table if missing, rebuilds the tree over db's
 * audit log (which must exist) and returns a new checkpointer, the
 * caller's to free with checkpointer_destroy.  origin is the log's owner
 * (agency id), sign_sk its signing key, borrowed until destroy; a checkpoint
 * is due every `entries` (>= 1) new rows or every_ms (>= 1) ms.  NULL and
 * st: 451 if the database cannot be read; 500 if an audit row's seq or hash
 * is damaged; 520 if the log no longer matches its newest checkpoint (cut
 * or rewritten); 504 if origin is not an agency id. */
struct checkpointer *checkpointer_open(struct db *db, const char *origin,
    const uint8_t sign_sk[SEAL_SIGN_SKBYTES], uint64_t entries, uint64_t every_ms,
    struct status *st);

/* Frees *cp (not the db nor the key); accepts NULL; sets *cp = NULL. */
void checkpointer_destroy(struct checkpointer **cp);

/* Milliseconds until a checkpoint is due by time (0: due now), or until
 * the retry after a failed poll, for the daemon's poll timeout. */
uint64_t checkpointer_wait_ms(const struct checkpointer *c);

/* Reads the audit rows appended since the last call, and writes a
 * checkpoint if one is due (*written = 1, else 0).  Outside any transaction
 * (asserted).  -1 and st 451 if the database failed (nothing written), 500
 * if a new row is damaged or the log shrank, 520 if a row of this size with
 * another root is stored; calls within CHECKPOINTER_RETRY_MS of a failure
 * return 0 and do nothing, later ones retry. */
int checkpointer_poll(struct checkpointer *c, int *written, struct status *st)
    __attribute__((warn_unused_result));

/* Reads the new audit rows and writes a checkpoint now, due or not (a
 * daemon's clean stop, so the log's tail is covered).  Outside any
 * transaction (asserted).  -1 and st as checkpointer_poll, with no wait. */
int checkpointer_write(struct checkpointer *c, struct status *st)
    __attribute__((warn_unused_result));

/* The tree size and root the checkpointer has read so far. */
void checkpointer_tree(const struct checkpointer *c, uint64_t *size,
    uint8_t root[MERKLE_HASHBYTES]);

/*
 * The agent's side of countersigning (PROTOCOL.md §7.8): reading what to
 * send, proving it, and keeping what the broker sent back.  These work on
 * the database alone (no struct checkpointer), inside or outside a
 * transaction.
 */

/* One row of the checkpoints table. */
struct checkpointer_row {
	uint64_t size;
	uint64_t time_ms;
	uint8_t root[MERKLE_HASHBYTES];
	char text[CHECKPOINT_TEXT_MAX + 1];	/* the owner-signed text, NUL-terminated */
	size_t len;
	bool countersigned;			/* the countersigned column is set */
};

/* The newest row (the largest size): 1 and *row, 0 if the table is empty.
 * -1 and st 451 if it cannot be read, 500 if the row is damaged. */
int checkpointer_newest(struct db *db, struct checkpointer_row *row, struct status *st)
    __attribute__((warn_unused_result));

/* The largest size with a countersigned copy: 1 and *size, 0 if none.  -1
 * and st 451. */
int checkpointer_countersigned_size(struct db *db, uint64_t *size, struct status *st)
    __attribute__((warn_unused_result));

/* Writes the consistency proof from the log's first `from` entries to its
 * first `to` (RFC 9162 §2.1.4.1; leaf i = the hash of audit seq i + 1) into
 * proof, *n hashes.  Reads the audit hashes of seq 1..to once (O(to)).  -1
 * and st 504 if from > to, 500 if an audit row of 1..to is missing or
 * damaged, 451 if the database failed. */
int checkpointer_proof(struct db *db, uint64_t from, uint64_t to,
    uint8_t proof[MERKLE_PROOF_MAX_BYTES], size_t *n, struct status *st)
    __attribute__((warn_unused_result));

/* checkpointer_proof with cache (borrowed; proto/merkle.h), which must be
 * used with this database's log only: a program that proves its log at
 * every checkpoint then reads only the entries since the cached subtrees
 * (O(log to) of them), not the whole log each time. */
int checkpointer_proof_cached(struct db *db, struct merkle_cache *cache, uint64_t from,
    uint64_t to, uint8_t proof[MERKLE_PROOF_MAX_BYTES], size_t *n, struct status *st)
    __attribute__((warn_unused_result));

/* Keeps cs[0..cs_len), a countersigned checkpoint of size entries that the
 * caller has verified, as the countersigned copy of the row of that size,
 * if that row's text is exactly the part cs countersigns (cs is that text
 * followed by one more signature line): *stored = 1.  *stored = 0 if there
 * is no such row or its text differs (it was re-signed meanwhile).  -1 and
 * st 451. */
int checkpointer_set_countersigned(struct db *db, uint64_t size, const char *cs, size_t cs_len,
    int *stored, struct status *st) __attribute__((warn_unused_result));

#endif
