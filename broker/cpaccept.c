/* SPDX-License-Identifier: ISC */
/*
 * cpaccept: checking, countersigning and keeping the agencies' checkpoints
 * (see cpaccept.h; PROTOCOL.md §7.8 fixes the order of the checks).
 *
 * DESIGN: the broker keeps, per agency, every checkpoint it countersigned,
 * one row per size; the newest row is what a new checkpoint must extend.
 * The contradictions that need no proof (a smaller size; the same size with
 * another root) are looked at before from_size, so an agency whose log was
 * cut raises the alarm however it builds its proof.  A proof from another
 * size than the newest is not an error but a round trip: the answer names
 * the newest (560), so an agent that lost track (a re-signed row loses its
 * countersigned copy) proves again from there.  A checkpoint of the same
 * size and root with a newer time (a quiet period) replaces that row's
 * time and text, so the broker's copy says how late the log still had that
 * size; it is not audited again (one entry per new size keeps the volume
 * to the agency's own pace, never one per quiet period).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "broker/cpaccept.h"
#include "common/auditlog.h"
#include "common/log.h"
#include "proto/checkpoint.h"
#include "proto/merkle.h"

#define HEX_ROOT (MERKLE_HASHBYTES * 2 + 1)

static const char newest_sql[] =
	"SELECT size, time_ms, root, text FROM agency_checkpoints WHERE origin = ?"
	" ORDER BY size DESC LIMIT 1";
static const char insert_sql[] =
	"INSERT INTO agency_checkpoints (origin, size, time_ms, root, text)"
	" VALUES (?1, ?2, ?3, ?4, ?5)";
/* Only a newer time replaces a row, and never another root. */
static const char refresh_sql[] =
	"UPDATE agency_checkpoints SET time_ms = ?3, text = ?5"
	" WHERE origin = ?1 AND size = ?2 AND root = ?4 AND time_ms < ?3";

/* The broker's newest countersigned checkpoint of an origin. */
struct held {
	int found;
	uint64_t size, time_ms;
	uint8_t root[MERKLE_HASHBYTES];
	char text[CHECKPOINT_TEXT_MAX + 1];
};

int
cpaccept_init(struct db *db, struct status *st)
{
	return db_exec(db, CPACCEPT_SCHEMA_SQL, st);
}

static void
hex_root(const uint8_t root[MERKLE_HASHBYTES], char out[HEX_ROOT])
{
	sodium_bin2hex(out, HEX_ROOT, root, MERKLE_HASHBYTES);
}

/* Copies text onto the wire: printable ASCII only, cut to the cap. */
static void
wire_text(char out[FRAME_TEXT_MAX + 1], const char *text)
{
	size_t i;

	for (i = 0; i < FRAME_TEXT_MAX && text[i] != '\0'; i++)
		out[i] = (text[i] >= ' ' && text[i] < 0x7f) ? text[i] : '?';
	out[i] = '\0';
}

static void __attribute__((format(printf, 3, 4)))
answer(struct frame *reply, int code, const char *fmt, ...)
{
	char text[STATUS_TEXT_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	reply->code = (uint16_t)code;
	wire_text(reply->text, text);
}

static int
refuse(struct frame *reply, struct cpaccept_result *r, const struct status *why)
{
	r->outcome = CPACCEPT_REFUSED;
	answer(reply, why->code, "%s", why->text);
	snprintf(r->detail, sizeof(r->detail), "%s", why->text);
	return 0;
}

static int
read_held(struct db *db, const char *origin, struct held *h, struct status *st)
{
	sqlite3_stmt *s;
	size_t len;
	int rc, ret = -1;

	memset(h, 0, sizeof(*h));
	if ((s = db_prepare(db, newest_sql, st)) == NULL)
		return -1;
	sqlite3_bind_text(s, 1, origin, -1, SQLITE_STATIC);
	if ((rc = db_step(db, s, st)) != DB_ROW)
		return rc == DB_DONE ? 0 : -1;
	len = (size_t)sqlite3_column_bytes(s, 3);
	/* The broker's own rows, written only here: damage is the disk's. */
	if (sqlite3_column_int64(s, 0) < 0 || sqlite3_column_bytes(s, 2) != MERKLE_HASHBYTES ||
	    sqlite3_column_type(s, 3) != SQLITE_TEXT || len > CHECKPOINT_TEXT_MAX) {
		status_set(st, STATUS_STORE_FAILED, "agency_checkpoints row of %s size %lld is "
		    "damaged; check broker.db with dutynet-audit verify", origin,
		    (long long)sqlite3_column_int64(s, 0));
		goto out;
	}
	h->found = 1;
	h->size = (uint64_t)sqlite3_column_int64(s, 0);
	h->time_ms = (uint64_t)sqlite3_column_int64(s, 1);
	memcpy(h->root, sqlite3_column_blob(s, 2), MERKLE_HASHBYTES);
	memcpy(h->text, sqlite3_column_text(s, 3), len);
	h->text[len] = '\0';
	ret = 0;
out:
	sqlite3_reset(s);
	return ret;
}

/* The checks of the text alone: countersigned already, origin, key,
 * signature.  0, or -1 with why. */
static int
check_text(const struct cpaccept_env *e, const char *agency, const struct checkpoint *cp,
    struct status *why)
{
	const struct directory_agency *a;

	if (cp->has_countersig)
		return status_set(why, STATUS_BAD_FIELD, "the checkpoint of size %" PRIu64 " is "
		    "already countersigned by %s; send the text your agency signed", cp->size,
		    cp->countersig.signer);
	if (strcmp(cp->origin, agency) != 0)
		return status_set(why, STATUS_SENDER_MISMATCH, "the checkpoint is of the log of "
		    "'%s' but this connection is authenticated as '%s'; an agency sends only its "
		    "own", cp->origin, agency);
	if ((a = directory_find(e->dir, agency)) == NULL)
		return status_set(why, STATUS_UNKNOWN_AGENCY, "agency '%s' is not in the "
		    "directory", agency);
	return checkpoint_verify(cp, a->sign_pk, why);
}

/* The checks that need no broker state: proof bytes, then the text.  0 and
 * *cp, or 1 with the refusal in reply. */
static int
check_request(const struct cpaccept_env *e, const char *agency, const struct frame *body,
    size_t proof_len, struct checkpoint *cp, struct frame *reply, struct cpaccept_result *r)
{
	struct status why;

	if (proof_len > MERKLE_PROOF_MAX_BYTES)
		status_set(&why, STATUS_TOO_LARGE, "the consistency proof is %zu bytes; a proof "
		    "has at most %d hashes (%d bytes)", proof_len, MERKLE_MAX_PROOF,
		    MERKLE_PROOF_MAX_BYTES);
	else if (proof_len % MERKLE_HASHBYTES != 0)
		status_set(&why, STATUS_MALFORMED, "the consistency proof is %zu bytes, not a "
		    "whole number of %d-byte hashes", proof_len, MERKLE_HASHBYTES);
	else if (checkpoint_parse(body->checkpoint, strlen(body->checkpoint), cp, &why) != 0)
		;
	else if (check_text(e, agency, cp, &why) != 0)
		reply->size = cp->size;
	else
		return 0;
	refuse(reply, r, &why);
	return 1;
}

/* A contradiction with the broker's copy: logged at error level, audited,
 * counted, answered 561 with the broker's copy. */
static int
alarm(const struct cpaccept_env *e, const struct checkpoint *cp, uint64_t from_size,
    const struct held *h, const char *why, struct frame *reply, struct cpaccept_result *r,
    struct status *st)
{
	char held_root[HEX_ROOT], new_root[HEX_ROOT];

	hex_root(h->root, held_root);
	hex_root(cp->root, new_root);
	snprintf(r->detail, sizeof(r->detail), "%s: the broker countersigned size %" PRIu64
	    " root %s time %" PRIu64 "; now size %" PRIu64 " root %s time %" PRIu64
	    " from_size %" PRIu64, why, h->size, held_root, h->time_ms, cp->size, new_root,
	    cp->time_ms, from_size);
	log_event(LOG_LEVEL_ERROR, cp->origin, NULL, "checkpoint-inconsistent", "%s", r->detail);
	stats_inc(e->stats, STATS_CHECKPOINT_ALARMS);
	r->outcome = CPACCEPT_ALARM;
	answer(reply, STATUS_INCONSISTENT, "%s: the broker holds size %" PRIu64 " (given); "
	    "the log was cut, rewritten or forked; keep the database for an auditor", why,
	    h->size);
	snprintf(reply->checkpoint, sizeof(reply->checkpoint), "%s", h->text);
	return auditlog_append(e->db, "checkpoint-inconsistent", cp->origin, NULL, r->detail, st);
}

/* Countersigns cp and stores it (a new size, or a newer time for the
 * newest size). */
static int
countersign(const struct cpaccept_env *e, struct checkpoint *cp, const struct held *h,
    struct frame *reply, struct cpaccept_result *r, struct status *st)
{
	char root[HEX_ROOT];
	struct status why;
	sqlite3_stmt *s;
	size_t len;

	if (checkpoint_countersign(cp, e->dir->broker.id, e->sign_sk, &why) != 0 ||
	    checkpoint_encode(cp, reply->checkpoint, &len, &why) != 0)
		return refuse(reply, r, &why);	/* a bug: the checks passed */
	r->new_size = !h->found || h->size != cp->size;
	if ((s = db_prepare(e->db, r->new_size ? insert_sql : refresh_sql, st)) == NULL)
		return -1;
	sqlite3_bind_text(s, 1, cp->origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)cp->size);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)cp->time_ms);
	sqlite3_bind_blob(s, 4, cp->root, MERKLE_HASHBYTES, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, reply->checkpoint, (int)len, SQLITE_STATIC);
	if (db_step(e->db, s, st) != DB_DONE)
		return -1;
	hex_root(cp->root, root);
	snprintf(r->detail, sizeof(r->detail), "size %" PRIu64 " root %s time %" PRIu64 "%s",
	    cp->size, root, cp->time_ms, r->new_size ? "" : " (a size countersigned before)");
	r->outcome = CPACCEPT_COUNTERSIGNED;
	answer(reply, STATUS_DELIVERED, "countersigned size %" PRIu64 " of %s", cp->size,
	    cp->origin);
	if (r->new_size)
		return auditlog_append(e->db, "checkpoint-countersigned", cp->origin, NULL,
		    r->detail, st);
	return 0;
}

int
cpaccept_handle(const struct cpaccept_env *e, const char *agency, const struct frame *body,
    const uint8_t *proof, size_t proof_len, struct frame *reply, struct cpaccept_result *r,
    struct status *st)
{
	uint8_t empty[MERKLE_HASHBYTES];
	struct merkle_tree t;
	struct checkpoint cp;
	struct held h;
	struct status why;

	memset(reply, 0, sizeof(*reply));
	memset(r, 0, sizeof(*r));
	reply->command = FRAME_COUNTERSIGNED;
	if (check_request(e, agency, body, proof_len, &cp, reply, r) != 0)
		return 0;
	reply->size = cp.size;
	if (read_held(e->db, cp.origin, &h, st) != 0)
		return -1;
	if (!h.found) {
		/* The first one the broker sees: it extends the empty log. */
		if (body->from_size != 0) {
			r->outcome = CPACCEPT_PROVE_FROM;
			answer(reply, STATUS_PROVE_FROM, "the broker holds no checkpoint of %s; "
			    "prove from size 0", cp.origin);
			snprintf(r->detail, sizeof(r->detail), "from_size %" PRIu64 ", none held",
			    body->from_size);
			return 0;
		}
		merkle_tree_init(&t);
		merkle_tree_root(&t, empty);
		if (merkle_consistency_verify(0, cp.size, empty, cp.root, proof, proof_len /
			MERKLE_HASHBYTES, &why) != 0)
			return refuse(reply, r, &why);
		return countersign(e, &cp, &h, reply, r, st);
	}
	if (cp.size < h.size)
		return alarm(e, &cp, body->from_size, &h, "the log is smaller than a checkpoint "
		    "the broker countersigned", reply, r, st);
	if (cp.size == h.size && memcmp(cp.root, h.root, MERKLE_HASHBYTES) != 0)
		return alarm(e, &cp, body->from_size, &h, "another root for a size the broker "
		    "countersigned", reply, r, st);
	if (body->from_size != h.size) {
		r->outcome = CPACCEPT_PROVE_FROM;
		answer(reply, STATUS_PROVE_FROM, "prove from size %" PRIu64 ", the newest "
		    "checkpoint of %s the broker countersigned (given), not from %" PRIu64,
		    h.size, cp.origin, body->from_size);
		snprintf(reply->checkpoint, sizeof(reply->checkpoint), "%s", h.text);
		snprintf(r->detail, sizeof(r->detail), "from_size %" PRIu64 ", held %" PRIu64,
		    body->from_size, h.size);
		return 0;
	}
	if (merkle_consistency_verify(h.size, cp.size, h.root, cp.root, proof,
		proof_len / MERKLE_HASHBYTES, &why) != 0)
		return alarm(e, &cp, body->from_size, &h, why.text, reply, r, st);
	return countersign(e, &cp, &h, reply, r, st);
}
