/* SPDX-License-Identifier: ISC */
/*
 * checkpointer: the signed checkpoints of a daemon's own audit log
 * (checkpointer.h; table in SCHEMA.md, "Checkpoints").
 *
 * DESIGN: the tree is kept in memory as the stack of complete-subtree roots
 * (struct merkle_tree), fed with the audit rows past the last one read, so
 * a checkpoint costs one range query and a signature, never a pass over the
 * log.  At open the tree is rebuilt from seq 1 and, on the way, its root at
 * the newest stored checkpoint's size is compared with that checkpoint: a
 * daemon does not go on signing a log that was cut or rewritten behind it.
 * A quiet period still produces a checkpoint, re-signed at the same size
 * with the newer time and updated in place: the row says "the log had size
 * entries as late as time_ms", the strongest statement about that size (a
 * log only grows), so cutting the tail in a quiet period disagrees with a
 * recent signed time rather than an old one.  The countersignature of the
 * old text is cleared with it: it covered other bytes.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "common/auditlog.h"
#include "common/checkpointer.h"
#include "common/clock.h"

struct checkpointer {
	struct db *db;
	char origin[IDS_AGENCY_MAX + 1];
	const uint8_t *sign_sk;		/* borrowed */
	uint64_t entries, every_ms;
	struct merkle_tree tree;	/* over audit seq 1..tree.size */
	uint64_t last_size, last_time;	/* the newest checkpoint (time: open's, if none) */
	uint64_t retry_at;		/* after a failure: no poll before (clock ms) */
};

static const char rows_sql[] = "SELECT seq, hash FROM audit WHERE seq > ? ORDER BY seq";
static const char newest_sql[] =
	"SELECT size, time_ms, root FROM checkpoints ORDER BY size DESC LIMIT 1";
static const char upsert_sql[] =
	"INSERT INTO checkpoints (size, time_ms, root, text, countersigned)"
	" VALUES (?1, ?2, ?3, ?4, NULL)"
	" ON CONFLICT (size) DO UPDATE SET time_ms = ?2, text = ?4, countersigned = NULL"
	" WHERE root = ?3";

/* Appends the audit rows after c->tree.size.  If stop_at is not 0, copies
 * the root at that size into root_at (when the tree passes it). */
static int
read_rows(struct checkpointer *c, uint64_t stop_at, uint8_t root_at[MERKLE_HASHBYTES],
    struct status *st)
{
	sqlite3_stmt *s;
	uint64_t seq;
	int rc;

	if ((s = db_prepare(c->db, rows_sql, st)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)c->tree.size);
	while ((rc = db_step(c->db, s, st)) == DB_ROW) {
		seq = (uint64_t)sqlite3_column_int64(s, 0);
		if (seq != c->tree.size + 1) {
			sqlite3_reset(s);
			return status_set(st, STATUS_MALFORMED,
			    "%s: audit seq %llu is missing (the next row is seq %llu); check the "
			    "log with dutynet-audit verify", db_path(c->db),
			    (unsigned long long)(c->tree.size + 1), (unsigned long long)seq);
		}
		if (sqlite3_column_type(s, 1) != SQLITE_BLOB ||
		    sqlite3_column_bytes(s, 1) != AUDITLOG_HASHBYTES) {
			sqlite3_reset(s);
			return status_set(st, STATUS_MALFORMED,
			    "%s: audit seq %llu has a damaged hash; check the log with "
			    "dutynet-audit verify", db_path(c->db), (unsigned long long)seq);
		}
		/* Leaf data = the row's chain hash (PROTOCOL.md §11.1). */
		merkle_tree_append_leaf(&c->tree, sqlite3_column_blob(s, 1), AUDITLOG_HASHBYTES);
		if (stop_at != 0 && c->tree.size == stop_at)
			merkle_tree_root(&c->tree, root_at);
	}
	return rc == -1 ? -1 : 0;
}

/* Loads the newest checkpoint into c; *root gets its root, *found 0/1. */
static int
read_newest(struct checkpointer *c, uint8_t root[MERKLE_HASHBYTES], int *found,
    struct status *st)
{
	sqlite3_stmt *s;
	int rc, ret = -1;

	*found = 0;
	if ((s = db_prepare(c->db, newest_sql, st)) == NULL)
		return -1;
	if ((rc = db_step(c->db, s, st)) == -1)
		return -1;
	if (rc == DB_ROW) {
		if (sqlite3_column_int64(s, 0) < 0 || sqlite3_column_int64(s, 1) < 0 ||
		    sqlite3_column_type(s, 2) != SQLITE_BLOB ||
		    sqlite3_column_bytes(s, 2) != MERKLE_HASHBYTES) {
			status_set(st, STATUS_MALFORMED,
			    "%s: checkpoint of size %lld has a damaged column; check it with "
			    "dutynet-audit verify", db_path(c->db),
			    (long long)sqlite3_column_int64(s, 0));
			goto out;
		}
		c->last_size = (uint64_t)sqlite3_column_int64(s, 0);
		c->last_time = (uint64_t)sqlite3_column_int64(s, 1);
		memcpy(root, sqlite3_column_blob(s, 2), MERKLE_HASHBYTES);
		*found = 1;
	}
	ret = 0;
out:
	sqlite3_reset(s);
	return ret;
}

struct checkpointer *
checkpointer_open(struct db *db, const char *origin, const uint8_t sign_sk[SEAL_SIGN_SKBYTES],
    uint64_t entries, uint64_t every_ms, struct status *st)
{
	struct checkpointer *c;
	struct checkpoint probe;
	uint8_t stored[MERKLE_HASHBYTES], actual[MERKLE_HASHBYTES];
	int found;

	assert(db != NULL && origin != NULL && sign_sk != NULL);
	assert(entries >= 1 && every_ms >= 1);
	assert(!db_in_transaction(db));
	/* Checks origin the way every checkpoint will. */
	memset(stored, 0, sizeof(stored));
	if (checkpoint_init(&probe, origin, 0, stored, 0, st) != 0)
		return NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		status_set(st, STATUS_STORE_FAILED, "out of memory for the checkpointer of %s",
		    origin);
		return NULL;
	}
	c->db = db;
	memcpy(c->origin, probe.origin, sizeof(c->origin));
	c->sign_sk = sign_sk;
	c->entries = entries;
	c->every_ms = every_ms;
	merkle_tree_init(&c->tree);
	if (db_exec(db, CHECKPOINTER_SCHEMA_SQL, st) != 0 ||
	    read_newest(c, stored, &found, st) != 0)
		goto fail;
	memset(actual, 0, sizeof(actual));
	if (found && c->last_size == 0)
		merkle_tree_root(&c->tree, actual);
	if (read_rows(c, c->last_size, actual, st) != 0)
		goto fail;
	if (found && c->tree.size < c->last_size) {
		status_set(st, STATUS_BAD_SIGNATURE,
		    "%s: the audit log ends at seq %llu but its checkpoint says it had %llu "
		    "entries: seq %llu.. were cut off; keep the file for an auditor and run "
		    "dutynet-audit verify", db_path(db), (unsigned long long)c->tree.size,
		    (unsigned long long)c->last_size, (unsigned long long)(c->tree.size + 1));
		goto fail;
	}
	if (found && memcmp(stored, actual, MERKLE_HASHBYTES) != 0) {
		status_set(st, STATUS_BAD_SIGNATURE,
		    "%s: the first %llu audit entries do not match the checkpoint of that size: "
		    "the log was rewritten; keep the file for an auditor and run dutynet-audit "
		    "verify", db_path(db), (unsigned long long)c->last_size);
		goto fail;
	}
	if (!found)
		c->last_time = clock_now_ms();
	return c;
fail:
	free(c);
	return NULL;
}

void
checkpointer_destroy(struct checkpointer **cp)
{
	if (cp == NULL || *cp == NULL)
		return;
	free(*cp);
	*cp = NULL;
}

uint64_t
checkpointer_wait_ms(const struct checkpointer *c)
{
	uint64_t now = clock_now_ms();

	if (now < c->retry_at)
		return c->retry_at - now;
	if (now >= c->last_time + c->every_ms)
		return 0;
	/* A clock stepped back waits at most one interval. */
	if (now < c->last_time)
		return c->every_ms;
	return c->last_time + c->every_ms - now;
}

void
checkpointer_tree(const struct checkpointer *c, uint64_t *size, uint8_t root[MERKLE_HASHBYTES])
{
	*size = c->tree.size;
	merkle_tree_root(&c->tree, root);
}

/* Signs and stores the checkpoint of the current tree at now. */
static int
write_checkpoint(struct checkpointer *c, uint64_t now, struct status *st)
{
	struct checkpoint cp;
	char text[CHECKPOINT_TEXT_MAX + 1];
	uint8_t root[MERKLE_HASHBYTES];
	sqlite3_stmt *s;
	size_t len;

	merkle_tree_root(&c->tree, root);
	if (checkpoint_init(&cp, c->origin, c->tree.size, root, now, st) != 0 ||
	    checkpoint_sign(&cp, c->sign_sk, st) != 0 || checkpoint_encode(&cp, text, &len, st) != 0)
		return -1;
	if (db_begin(c->db, st) != 0)
		return -1;
	if ((s = db_prepare(c->db, upsert_sql, st)) == NULL)
		goto fail;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)c->tree.size);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)now);
	sqlite3_bind_blob(s, 3, root, MERKLE_HASHBYTES, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, text, (int)len, SQLITE_STATIC);
	if (db_step(c->db, s, st) != DB_DONE)
		goto fail;
	/* The WHERE of the upsert keeps a stored row of this size with another
	 * root: that would be a forked log, never overwritten. */
	if (sqlite3_changes(db_handle(c->db)) != 1) {
		status_set(st, STATUS_BAD_SIGNATURE,
		    "%s: a checkpoint of size %llu with another root is already stored: the "
		    "log was rewritten; keep the file for an auditor and run dutynet-audit verify",
		    db_path(c->db), (unsigned long long)c->tree.size);
		goto fail;
	}
	if (db_commit(c->db, st) != 0)
		return -1;
	c->last_size = c->tree.size;
	c->last_time = now;
	return 0;
fail:
	db_rollback(c->db, NULL);
	return -1;
}

/* Reads the rows appended since the last call and checks that none
 * before them went away. */
static int
catch_up(struct checkpointer *c, struct status *st)
{
	uint64_t head;
	uint8_t hash[AUDITLOG_HASHBYTES];

	if (read_rows(c, 0, NULL, st) != 0 || auditlog_head(c->db, &head, hash, st) != 0)
		return -1;
	if (head < c->tree.size)
		return status_set(st, STATUS_MALFORMED,
		    "%s: the audit log now ends at seq %llu but %llu entries were read: seq "
		    "%llu.. were removed while the daemon ran; run dutynet-audit verify",
		    db_path(c->db), (unsigned long long)head, (unsigned long long)c->tree.size,
		    (unsigned long long)(head + 1));
	return 0;
}

int
checkpointer_poll(struct checkpointer *c, int *written, struct status *st)
{
	uint64_t now;

	*written = 0;
	/* A checkpoint never rides in another module's transaction. */
	assert(!db_in_transaction(c->db));
	now = clock_now_ms();
	if (now < c->retry_at)
		return 0;
	if (catch_up(c, st) != 0)
		goto fail;
	if (c->tree.size - c->last_size < c->entries && checkpointer_wait_ms(c) != 0)
		return 0;
	if (write_checkpoint(c, now, st) != 0)
		goto fail;
	c->retry_at = 0;
	*written = 1;
	return 0;
fail:
	c->retry_at = now + CHECKPOINTER_RETRY_MS;
	return -1;
}

int
checkpointer_write(struct checkpointer *c, struct status *st)
{
	assert(!db_in_transaction(c->db));
	if (catch_up(c, st) != 0 || write_checkpoint(c, clock_now_ms(), st) != 0)
		return -1;
	c->retry_at = 0;
	return 0;
}

/*
 * Countersigning, the agent's side (PROTOCOL.md §7.8).
 */

static const char newest_row_sql[] =
	"SELECT size, time_ms, root, text, countersigned IS NOT NULL FROM checkpoints"
	" ORDER BY size DESC LIMIT 1";
static const char countersigned_size_sql[] =
	"SELECT max(size) FROM checkpoints WHERE countersigned IS NOT NULL";
static const char leaf_sql[] = "SELECT seq, hash FROM audit WHERE seq > ? ORDER BY seq";
static const char row_text_sql[] = "SELECT text FROM checkpoints WHERE size = ?";
static const char set_countersigned_sql[] =
	"UPDATE checkpoints SET countersigned = ?2 WHERE size = ?1";

int
checkpointer_newest(struct db *db, struct checkpointer_row *row, struct status *st)
{
	sqlite3_stmt *s;
	int rc, ret = -1;

	memset(row, 0, sizeof(*row));
	if ((s = db_prepare(db, newest_row_sql, st)) == NULL)
		return -1;
	if ((rc = db_step(db, s, st)) != DB_ROW)
		return rc == DB_DONE ? 0 : -1;
	if (sqlite3_column_int64(s, 0) < 0 || sqlite3_column_int64(s, 1) < 0 ||
	    sqlite3_column_type(s, 2) != SQLITE_BLOB ||
	    sqlite3_column_bytes(s, 2) != MERKLE_HASHBYTES ||
	    sqlite3_column_type(s, 3) != SQLITE_TEXT ||
	    (size_t)sqlite3_column_bytes(s, 3) > CHECKPOINT_TEXT_MAX) {
		status_set(st, STATUS_MALFORMED, "%s: the checkpoint of size %lld has a damaged "
		    "column; check it with dutynet-audit verify", db_path(db),
		    (long long)sqlite3_column_int64(s, 0));
		goto out;
	}
	row->size = (uint64_t)sqlite3_column_int64(s, 0);
	row->time_ms = (uint64_t)sqlite3_column_int64(s, 1);
	memcpy(row->root, sqlite3_column_blob(s, 2), MERKLE_HASHBYTES);
	row->len = (size_t)sqlite3_column_bytes(s, 3);
	memcpy(row->text, sqlite3_column_text(s, 3), row->len);
	row->text[row->len] = '\0';
	row->countersigned = sqlite3_column_int(s, 4) != 0;
	ret = 1;
out:
	sqlite3_reset(s);
	return ret;
}

int
checkpointer_countersigned_size(struct db *db, uint64_t *size, struct status *st)
{
	sqlite3_stmt *s;
	int rc;

	*size = 0;
	if ((s = db_prepare(db, countersigned_size_sql, st)) == NULL)
		return -1;
	if ((rc = db_step(db, s, st)) != DB_ROW)
		return -1;	/* an aggregate always has its row */
	rc = sqlite3_column_type(s, 0) == SQLITE_INTEGER && sqlite3_column_int64(s, 0) >= 0;
	if (rc)
		*size = (uint64_t)sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc;
}

/* Reads leaf hashes from the audit table for merkle_consistency_proof,
 * which asks for ranges of leaves, each in ascending order: the statement
 * is stepped while the leaves asked for follow each other and re-seeked
 * only when a new range starts (O(log n) times). */
struct leaf_cursor {
	struct db *db;
	sqlite3_stmt *s;
	uint64_t next;		/* the leaf the statement gives next */
	bool open;
};

static int
cursor_leaf(void *arg, uint64_t index, uint8_t out[MERKLE_HASHBYTES], struct status *st)
{
	struct leaf_cursor *c = arg;
	int rc;

	if (!c->open || index != c->next) {
		sqlite3_reset(c->s);
		sqlite3_bind_int64(c->s, 1, (sqlite3_int64)index);
		c->open = true;
		c->next = index;
	}
	if ((rc = db_step(c->db, c->s, st)) == -1) {
		c->open = false;
		return -1;
	}
	if (rc == DB_DONE || (uint64_t)sqlite3_column_int64(c->s, 0) != index + 1 ||
	    sqlite3_column_type(c->s, 1) != SQLITE_BLOB ||
	    sqlite3_column_bytes(c->s, 1) != AUDITLOG_HASHBYTES) {
		sqlite3_reset(c->s);
		c->open = false;
		return status_set(st, STATUS_MALFORMED, "%s: audit seq %llu is missing or its "
		    "hash is damaged; check the log with dutynet-audit verify", db_path(c->db),
		    (unsigned long long)(index + 1));
	}
	/* Leaf data = the row's chain hash (PROTOCOL.md §11.1). */
	merkle_leaf_hash(sqlite3_column_blob(c->s, 1), AUDITLOG_HASHBYTES, out);
	c->next++;
	return 0;
}

int
checkpointer_proof(struct db *db, uint64_t from, uint64_t to,
    uint8_t proof[MERKLE_PROOF_MAX_BYTES], size_t *n, struct status *st)
{
	return checkpointer_proof_cached(db, NULL, from, to, proof, n, st);
}

int
checkpointer_proof_cached(struct db *db, struct merkle_cache *cache, uint64_t from, uint64_t to,
    uint8_t proof[MERKLE_PROOF_MAX_BYTES], size_t *n, struct status *st)
{
	struct leaf_cursor c;
	int rc;

	*n = 0;
	memset(&c, 0, sizeof(c));
	c.db = db;
	if ((c.s = db_prepare(db, leaf_sql, st)) == NULL)
		return -1;
	rc = merkle_consistency_proof_cached(cache, from, to, cursor_leaf, &c, proof, n, st);
	sqlite3_reset(c.s);
	return rc;
}

int
checkpointer_set_countersigned(struct db *db, uint64_t size, const char *cs, size_t cs_len,
    int *stored, struct status *st)
{
	sqlite3_stmt *s;
	size_t len;
	int rc, match;

	*stored = 0;
	if ((s = db_prepare(db, row_text_sql, st)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)size);
	if ((rc = db_step(db, s, st)) != DB_ROW)
		return rc == DB_DONE ? 0 : -1;
	len = (size_t)sqlite3_column_bytes(s, 0);
	/* cs is the row's text and one signature line more, or another
	 * checkpoint (an answer to a text re-signed since). */
	match = sqlite3_column_type(s, 0) == SQLITE_TEXT && cs_len > len &&
	    memcmp(sqlite3_column_text(s, 0), cs, len) == 0;
	sqlite3_reset(s);
	if (!match)
		return 0;
	if ((s = db_prepare(db, set_countersigned_sql, st)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)size);
	sqlite3_bind_text(s, 2, cs, (int)cs_len, SQLITE_STATIC);
	if (db_step(db, s, st) != DB_DONE)
		return -1;
	*stored = 1;
	return 0;
}
