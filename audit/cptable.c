/* SPDX-License-Identifier: ISC */
/*
 * cptable: the checkpoint tables of a database under audit, verified row
 * by row into anchors (see cptable.h).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "audit/cptable.h"
#include "audit/cpverify.h"

#define ANCHORS_FIRST 64

static const char own_sql[] =
	"SELECT size, time_ms, root, text, countersigned FROM checkpoints ORDER BY size";
static const char agency_sql[] =
	"SELECT origin, size, time_ms, root, text FROM agency_checkpoints ORDER BY origin, size";
/* Column positions in own_sql and agency_sql. */
enum { OWN_SIZE, OWN_TIME, OWN_ROOT, OWN_TEXT, OWN_COUNTERSIGNED };
enum { HELD_ORIGIN, HELD_SIZE, HELD_TIME, HELD_ROOT, HELD_TEXT };
static const char find_sql[] =
	"SELECT size, text, countersigned FROM checkpoints WHERE size >= ?1 ORDER BY size";

int
cptable_anchors_push(struct cptable_anchors *v, const struct logcheck_anchor *a)
{
	struct logcheck_anchor *grown;
	size_t cap;

	if (v->n == v->cap) {
		cap = v->cap ? v->cap * 2 : ANCHORS_FIRST;
		if ((grown = realloc(v->v, cap * sizeof(*grown))) == NULL)
			return -1;
		v->v = grown;
		v->cap = cap;
	}
	v->v[v->n++] = *a;
	return 0;
}

static int
by_size(const void *a, const void *b)
{
	const struct logcheck_anchor *x = a, *y = b;

	return x->size < y->size ? -1 : x->size > y->size;
}

void
cptable_anchors_sort(struct cptable_anchors *v)
{
	if (v->n > 1)
		qsort(v->v, v->n, sizeof(v->v[0]), by_size);
}

void
cptable_anchors_free(struct cptable_anchors *v)
{
	free(v->v);
	memset(v, 0, sizeof(*v));
}

/* A TEXT column as (pointer, length); NULL if it is not text. */
static const char *
text_col(sqlite3_stmt *s, int col, size_t *len)
{
	if (sqlite3_column_type(s, col) != SQLITE_TEXT)
		return NULL;
	*len = (size_t)sqlite3_column_bytes(s, col);
	return (const char *)sqlite3_column_text(s, col);
}

/* 1 if the row's size, time_ms and root columns (from col) say what the
 * signed text says. */
static int
columns_match(sqlite3_stmt *s, int col, const struct checkpoint *cp)
{
	return sqlite3_column_type(s, col) == SQLITE_INTEGER &&
	    (uint64_t)sqlite3_column_int64(s, col) == cp->size &&
	    sqlite3_column_type(s, col + 1) == SQLITE_INTEGER &&
	    (uint64_t)sqlite3_column_int64(s, col + 1) == cp->time_ms &&
	    sqlite3_column_type(s, col + 2) == SQLITE_BLOB &&
	    sqlite3_column_bytes(s, col + 2) == MERKLE_HASHBYTES &&
	    memcmp(sqlite3_column_blob(s, col + 2), cp->root, MERKLE_HASHBYTES) == 0;
}

/* The countersigned copy of the checkpoint text[0..len): it must verify
 * with the broker's countersignature and be exactly that text plus one
 * signature line.  0, or -1 with st. */
static int
check_countersigned(const struct directory *d, const char *owner, const char *text, size_t len,
    const char *cs, size_t cs_len, struct status *st)
{
	struct checkpoint cp;

	if (cpverify_text(d, cs, cs_len, owner, CPVERIFY_COUNTERSIGNED, &cp, st) != 0)
		return -1;
	if (cs_len <= len || memcmp(cs, text, len) != 0)
		return status_set(st, STATUS_BAD_FIELD,
		    "its countersigned copy is of another checkpoint (the signed text before "
		    "the broker's line differs)");
	return 0;
}

int
cptable_own(struct auditdb *db, const struct directory *d, struct cptable_anchors *v,
    struct logcheck *lc, struct cptable_counts *c, struct status *st)
{
	struct logcheck_anchor a;
	struct checkpoint cp;
	struct status why;
	sqlite3_stmt *s;
	const char *text, *cs;
	size_t len, cs_len = 0;
	uint64_t size;
	int rc;

	if (!db->has_checkpoints)
		return 0;
	if ((s = auditdb_prepare(db, own_sql, st)) == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		c->rows++;
		size = (uint64_t)sqlite3_column_int64(s, OWN_SIZE);
		cs = text_col(s, OWN_COUNTERSIGNED, &cs_len);
		if ((text = text_col(s, OWN_TEXT, &len)) == NULL) {
			logcheck_add(lc, 0, 0, size, STATUS_MALFORMED,
			    "checkpoint row size %" PRIu64 ": its text is missing or not text", size);
			continue;
		}
		if (cpverify_text(d, text, len, db->owner[0] ? db->owner : NULL, CPVERIFY_SIGNED,
			&cp, &why) != 0) {
			logcheck_add(lc, 0, 0, size, why.code, "checkpoint row size %" PRIu64 ": %s",
			    size, why.text);
			continue;
		}
		if (!columns_match(s, OWN_SIZE, &cp)) {
			logcheck_add(lc, 0, 0, size, STATUS_BAD_FIELD,
			    "checkpoint row size %" PRIu64 ": its size, time_ms or root column is "
			    "not what its signed text says (size %" PRIu64 "): the row was edited",
			    size, cp.size);
			continue;
		}
		if (cs != NULL &&
		    check_countersigned(d, cp.origin, text, len, cs, cs_len, &why) != 0) {
			logcheck_add(lc, 0, 0, size, why.code, "checkpoint row size %" PRIu64
			    ", countersigned copy: %s", size, why.text);
			continue;
		}
		c->verified++;
		if (cs != NULL)
			c->countersigned++;
		memset(&a, 0, sizeof(a));
		a.size = cp.size;
		memcpy(a.root, cp.root, MERKLE_HASHBYTES);
		a.time_ms = cp.time_ms;
		a.source = LOGCHECK_OWN;
		if (cptable_anchors_push(v, &a) != 0) {
			sqlite3_finalize(s);
			return status_set(st, STATUS_UNAVAILABLE, "out of memory");
		}
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return auditdb_error(db, "cannot read the checkpoints table", st);
	return 0;
}

int
cptable_agency(struct auditdb *broker, const struct directory *d, cptable_agency_fn *fn,
    void *arg, struct logcheck *lc, struct cptable_counts *c, struct status *st)
{
	struct logcheck_anchor a;
	struct checkpoint cp;
	struct status why;
	sqlite3_stmt *s;
	const char *origin, *text;
	size_t len, olen;
	uint64_t size;
	int rc, ret = -1;

	if (!broker->has_agency_checkpoints)
		return 0;
	if ((s = auditdb_prepare(broker, agency_sql, st)) == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		c->rows++;
		size = (uint64_t)sqlite3_column_int64(s, HELD_SIZE);
		origin = text_col(s, HELD_ORIGIN, &olen);
		if (origin == NULL || (text = text_col(s, HELD_TEXT, &len)) == NULL) {
			logcheck_add(lc, 0, 0, size, STATUS_MALFORMED,
			    "agency_checkpoints row size %" PRIu64 ": origin or text is missing",
			    size);
			continue;
		}
		if (cpverify_text(d, text, len, origin, CPVERIFY_COUNTERSIGNED, &cp, &why) != 0) {
			logcheck_add(lc, 0, 0, size, why.code,
			    "agency_checkpoints row of %.*s size %" PRIu64 ": %s", (int)olen, origin,
			    size, why.text);
			continue;
		}
		if (!columns_match(s, HELD_SIZE, &cp)) {
			logcheck_add(lc, 0, 0, size, STATUS_BAD_FIELD,
			    "agency_checkpoints row of %s size %" PRIu64 ": its size, time_ms or "
			    "root column is not what its signed text says: the row was edited",
			    cp.origin, size);
			continue;
		}
		c->verified++;
		c->countersigned++;
		memset(&a, 0, sizeof(a));
		a.size = cp.size;
		memcpy(a.root, cp.root, MERKLE_HASHBYTES);
		a.time_ms = cp.time_ms;
		a.source = LOGCHECK_BROKER_HELD;
		if (fn(arg, cp.origin, &a) != 0) {
			status_set(st, STATUS_UNAVAILABLE, "out of memory");
			goto out;
		}
	}
	if (rc != SQLITE_DONE) {
		auditdb_error(broker, "cannot read the agency_checkpoints table", st);
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(s);
	return ret;
}

int
cptable_find(struct auditdb *db, const struct directory *d, uint64_t at_least, bool exact,
    bool countersigned_only, struct checkpoint *cp, char text[CHECKPOINT_TEXT_MAX + 1],
    struct status *st)
{
	sqlite3_stmt *s;
	const char *t, *cs;
	size_t len = 0, cs_len = 0;
	int rc, ret = 0;

	if (!db->has_checkpoints)
		return 0;
	if ((s = auditdb_prepare(db, find_sql, st)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)at_least);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (exact && (uint64_t)sqlite3_column_int64(s, 0) != at_least)
			break;
		t = text_col(s, 1, &len);
		cs = text_col(s, 2, &cs_len);
		if (cs != NULL) {
			t = cs;
			len = cs_len;
		} else if (countersigned_only) {
			continue;
		}
		if (t == NULL || len > CHECKPOINT_TEXT_MAX) {
			ret = status_set(st, STATUS_MALFORMED, "%s: checkpoint row size %lld has no "
			    "valid text: run dutynet-audit verify", db->path,
			    (long long)sqlite3_column_int64(s, 0));
			break;
		}
		memcpy(text, t, len);
		text[len] = '\0';
		if (cpverify_text(d, text, len, db->owner[0] ? db->owner : NULL,
			cs != NULL ? CPVERIFY_COUNTERSIGNED : CPVERIFY_SIGNED, cp, st) != 0) {
			ret = -1;
			break;
		}
		ret = 1;
		break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		ret = auditdb_error(db, "cannot read the checkpoints table", st);
	sqlite3_finalize(s);
	return ret;
}
