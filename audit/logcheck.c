/* SPDX-License-Identifier: ISC */
/*
 * logcheck: one pass over an audit log: hash chain, Merkle tree, anchors
 * (see logcheck.h for what is checked and why).
 *
 * DESIGN.  The chain is checked exactly as common/auditlog.c's
 * auditlog_verify does, with its exported auditlog_read_row and
 * auditlog_hash, so the auditor and the daemons cannot disagree about a
 * row or a hash; the difference is
 * that this pass also builds the tree, compares it with the checkpoints,
 * says what differs, and keeps going after a checkpoint problem so one run
 * reports every independent fault.  After the first broken link the chain
 * says nothing more about later rows, so the pass stops comparing roots
 * there (each later checkpoint would only repeat the same fault) but still
 * reads the log to its end to count it and to find a cut-off tail.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/logcheck.h"
#include "audit/show.h"
#include "common/auditlog.h"

static const char rows_sql[] = "SELECT " AUDITLOG_ROW_COLUMNS " FROM audit ORDER BY seq";

const char *
logcheck_source_name(enum logcheck_source s)
{
	return s == LOGCHECK_BROKER_HELD ? "the broker's countersigned copy of a" : "its own";
}

void
logcheck_init(struct logcheck *lc)
{
	memset(lc, 0, sizeof(*lc));
}

static uint64_t
order_key(uint64_t seq)
{
	return seq == 0 ? UINT64_MAX : seq;
}

void
logcheck_add(struct logcheck *lc, uint64_t seq, uint64_t time_ms, uint64_t checkpoint, int code,
    const char *fmt, ...)
{
	struct logcheck_problem *p;
	size_t i, worst = 0;
	va_list ap;

	lc->problems_total++;
	if (lc->n_problems < LOGCHECK_PROBLEMS_MAX) {
		p = &lc->problems[lc->n_problems++];
	} else {
		for (i = 1; i < lc->n_problems; i++)
			if (order_key(lc->problems[i].seq) > order_key(lc->problems[worst].seq))
				worst = i;
		if (order_key(seq) >= order_key(lc->problems[worst].seq))
			return;
		p = &lc->problems[worst];
	}
	p->seq = seq;
	p->time_ms = time_ms;
	p->checkpoint = checkpoint;
	p->code = code;
	p->found = lc->problems_total;
	va_start(ap, fmt);
	vsnprintf(p->text, sizeof(p->text), fmt, ap);
	va_end(ap);
}

static int
by_entry(const void *a, const void *b)
{
	const struct logcheck_problem *x = a, *y = b;
	uint64_t kx = order_key(x->seq), ky = order_key(y->seq);

	if (kx != ky)
		return kx < ky ? -1 : 1;
	return x->found < y->found ? -1 : x->found > y->found;
}

void
logcheck_sort(struct logcheck *lc)
{
	qsort(lc->problems, lc->n_problems, sizeof(lc->problems[0]), by_entry);
}

/* What the row holds now, for the problem text. */
static void
describe(const struct auditlog_entry *e, char *out, size_t cap)
{
	char ev[SHOW_QUOTE_LEN], ag[SHOW_QUOTE_LEN], det[SHOW_QUOTE_LEN];
	char t[RFC3339_LEN], id[IDS_MSGID_TEXT + 1];

	snprintf(out, cap, "as it reads now: time %s, event '%s', agency '%s', message %s, "
	    "detail '%s'", show_time(e->time_ms, t), show_quote(e->event, ev),
	    show_quote(e->agency, ag), e->has_message_id ? show_msgid(e->message_id, id) : "none",
	    show_quote(e->detail, det));
}

/* Checks one row against the chain so far (expect, prev); 0, or -1 after
 * adding the problem to lc. */
static int
check_row(sqlite3_stmt *s, uint64_t expect, const uint8_t prev[AUDITLOG_HASHBYTES],
    uint8_t hash_out[AUDITLOG_HASHBYTES], struct logcheck *lc)
{
	struct auditlog_entry e;
	const uint8_t *stored_prev, *stored_hash;
	uint8_t want[AUDITLOG_HASHBYTES];
	uint64_t seq = (uint64_t)sqlite3_column_int64(s, AUDITLOG_COL_SEQ);
	uint64_t t = sqlite3_column_type(s, AUDITLOG_COL_TIME) == SQLITE_INTEGER ?
	    (uint64_t)sqlite3_column_int64(s, AUDITLOG_COL_TIME) : 0;
	char what[LOGCHECK_TEXT_MAX / 2];

	if (seq != expect) {
		logcheck_add(lc, expect, 0, 0, STATUS_MALFORMED,
		    "seq %" PRIu64 " is missing (the next row is seq %" PRIu64 "): rows were "
		    "deleted or renumbered", expect, seq);
		return -1;
	}
	if (auditlog_read_row(s, &e, &stored_prev, &stored_hash) != 0 ||
	    auditlog_hash(&e, prev, want) != 0) {
		logcheck_add(lc, seq, t, 0, STATUS_MALFORMED,
		    "seq %" PRIu64 " has a column of the wrong type or size: the row was edited "
		    "by hand", seq);
		return -1;
	}
	if (memcmp(stored_prev, prev, AUDITLOG_HASHBYTES) != 0) {
		describe(&e, what, sizeof(what));
		logcheck_add(lc, seq, e.time_ms, 0, STATUS_BAD_SIGNATURE,
		    "seq %" PRIu64 " does not chain to seq %" PRIu64 ": its prev_hash is not "
		    "that entry's hash, so it was moved or replaced, or the entry before it was "
		    "rewritten with a recomputed hash (%s)", seq, seq - 1, what);
		return -1;
	}
	if (memcmp(stored_hash, want, AUDITLOG_HASHBYTES) != 0) {
		describe(&e, what, sizeof(what));
		logcheck_add(lc, seq, e.time_ms, 0, STATUS_BAD_SIGNATURE,
		    "seq %" PRIu64 " does not match its hash: a field was changed after it was "
		    "written (%s)", seq, what);
		return -1;
	}
	memcpy(hash_out, stored_hash, AUDITLOG_HASHBYTES);
	return 0;
}

/* How far the log agrees with its anchors. */
struct agreement {
	size_t next;		/* the first anchor not yet compared */
	uint64_t agreed;	/* every anchor up to this size matched */
	uint64_t mismatches;	/* anchors whose root differed */
};

/* The tree has just reached size: compare it with every anchor of that
 * size.  The first mismatch is the problem; it bounds the first entry that
 * can differ to (agreed, size], and later ones only repeat it. */
static void
compare_anchors(const struct merkle_tree *t, const struct logcheck_anchor *a, size_t n,
    struct agreement *g, struct logcheck *lc)
{
	uint8_t root[MERKLE_HASHBYTES];
	char when[RFC3339_LEN];
	bool have_root = false, all = true;

	for (; g->next < n && a[g->next].size <= t->size; g->next++) {
		const struct logcheck_anchor *x = &a[g->next];

		if (x->size < t->size)
			continue;	/* passed while the chain was broken */
		if (!have_root) {
			merkle_tree_root(t, root);
			have_root = true;
		}
		if (memcmp(root, x->root, MERKLE_HASHBYTES) == 0) {
			lc->anchors_matched++;
			continue;
		}
		all = false;
		if (g->mismatches++ > 0)
			continue;
		logcheck_add(lc, g->agreed + 1, 0, x->size, STATUS_BAD_SIGNATURE,
		    "the log's Merkle root at size %" PRIu64 " is not the root of %s checkpoint of "
		    "that size (signed %s): an entry in seq %" PRIu64 "..%" PRIu64 " differs from "
		    "what was signed (the first that can differ is seq %" PRIu64 ")%s", x->size,
		    logcheck_source_name(x->source), show_time(x->time_ms, when), g->agreed + 1,
		    x->size, g->agreed + 1, x->source == LOGCHECK_BROKER_HELD ?
		    "; if its own checkpoints agree with it, the log was rewritten and re-signed "
		    "after the broker countersigned the original" : "");
	}
	if (all && g->mismatches == 0)
		g->agreed = t->size;
}

int
logcheck_run(struct auditdb *db, const struct logcheck_anchor *anchors, size_t n,
    logcheck_progress_fn *progress, void *arg, struct logcheck *lc, struct status *st)
{
	struct merkle_tree tree;
	uint8_t prev[AUDITLOG_HASHBYTES], hash[AUDITLOG_HASHBYTES];
	char when[RFC3339_LEN];
	sqlite3_stmt *s;
	struct agreement g;
	uint64_t expect = 1;
	bool broken = false;
	int rc;

	memset(prev, 0, sizeof(prev));
	memset(&g, 0, sizeof(g));
	merkle_tree_init(&tree);
	/* An empty log's root is SHA-256(""): every log extends it. */
	if (n > 0 && anchors[0].size == 0)
		compare_anchors(&tree, anchors, n, &g, lc);
	if ((s = auditdb_prepare(db, rows_sql, st)) == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		lc->entries++;
		lc->last_seq = (uint64_t)sqlite3_column_int64(s, AUDITLOG_COL_SEQ);
		if (progress != NULL && lc->entries % LOGCHECK_PROGRESS_EVERY == 0)
			progress(arg, lc->entries);
		if (broken)
			continue;
		if (check_row(s, expect, prev, hash, lc) != 0) {
			broken = true;
			continue;
		}
		memcpy(prev, hash, sizeof(prev));
		merkle_tree_append_leaf(&tree, hash, sizeof(hash));
		lc->intact = expect++;
		if (g.next < n && anchors[g.next].size == tree.size)
			compare_anchors(&tree, anchors, n, &g, lc);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return auditdb_error(db, "cannot read the audit table", st);
	merkle_tree_root(&tree, lc->root);
	if (g.mismatches > 1)
		logcheck_add(lc, g.agreed + 1, 0, 0, STATUS_BAD_SIGNATURE,
		    "%" PRIu64 " more checkpoints disagree with the log from there on",
		    g.mismatches - 1);
	/* An anchor beyond the end: the log once had more entries.  The
	 * largest (the last) says it all; smaller ones would repeat it. */
	if (n > 0 && anchors[n - 1].size > lc->last_seq)
		logcheck_add(lc, lc->last_seq + 1, 0, anchors[n - 1].size, STATUS_MALFORMED,
		    "the log ends at seq %" PRIu64 ", but %s checkpoint (signed %s) shows it had "
		    "%" PRIu64 " entries: seq %" PRIu64 "..%" PRIu64 " were cut off",
		    lc->last_seq, logcheck_source_name(anchors[n - 1].source),
		    show_time(anchors[n - 1].time_ms, when), anchors[n - 1].size,
		    lc->last_seq + 1, anchors[n - 1].size);
	return 0;
}
