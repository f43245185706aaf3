/* SPDX-License-Identifier: ISC */
/*
 * cpsend: sending the agency's checkpoints for countersigning (see
 * cpsend.h; PROTOCOL.md §7.8).
 *
 * DESIGN: nothing here is durable except what the broker sends back: the
 * checkpoints table says which checkpoint is still without its
 * countersigned copy, so after a crash or a reconnect the newest one is
 * simply sent again (the broker's side is idempotent by size and root).
 * The size to prove from is the newest size the broker is known to hold:
 * first the newest row with a countersigned copy, then whatever the broker
 * answered (250: the size it just countersigned; 560: the size it says it
 * holds).  It is kept in memory because a quiet-period re-sign of the
 * newest row clears that row's countersigned copy (it covered the old
 * text), and proving from an older size would only cost a 560 round trip.
 * A proof is computed once per checkpoint, after the turn's transactions,
 * with a cache of the log's subtree roots (proto/merkle.h): only the entries
 * since the last complete subtrees are read, not the whole log every time.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "agents/cpsend.h"
#include "agents/link.h"
#include "common/checkpointer.h"
#include "common/clock.h"
#include "common/log.h"
#include "proto/checkpoint.h"
#include "proto/merkle.h"

struct cpsend {
	bool due;		/* look at the newest checkpoint and send it if needed */
	bool outstanding;	/* a CHECKPOINT went, no answer yet */
	uint64_t sent_ms;	/* when it went (clock_now_ms: tests move it) */
	uint64_t sent_from;	/* its from_size */
	uint64_t retry_ms;	/* no send before (after a failure) */
	bool have_base;		/* base is known */
	uint64_t base;		/* the newest size the broker holds, as last learnt */
	struct merkle_cache *cache;	/* subtree roots of this agent's audit log */
};

struct cpsend *
cpsend_new(void)
{
	struct cpsend *s = calloc(1, sizeof(*s));

	if (s == NULL || (s->cache = merkle_cache_new()) == NULL) {
		free(s);
		return NULL;
	}
	s->due = true;
	return s;
}

void
cpsend_destroy(struct cpsend **sp)
{
	if (sp == NULL || *sp == NULL)
		return;
	merkle_cache_destroy(&(*sp)->cache);
	free(*sp);
	*sp = NULL;
}

void
cpsend_session(struct cpsend *s)
{
	/* An answer still on its way went with the old connection. */
	s->outstanding = false;
	s->retry_ms = 0;
	s->due = true;
}

void
cpsend_written(struct cpsend *s)
{
	s->due = true;
}

static void
later(struct cpsend *s)
{
	s->retry_ms = clock_now_ms() + CPSEND_RETRY_MS;
	s->due = true;
}

void
cpsend_tick(struct agent *a)
{
	static uint8_t proof[MERKLE_PROOF_MAX_BYTES];
	struct cpsend *s = a->cpsend;
	struct checkpointer_row row;
	struct status st;
	struct frame f;
	uint64_t now = clock_now_ms(), from;
	size_t n = 0;
	int rc;

	if (link_state(a->link) != LINK_READY)
		return;
	if (s->outstanding) {
		/* A clock stepped back does not hold it for longer. */
		if (now >= s->sent_ms && now - s->sent_ms < CPSEND_TIMEOUT_MS)
			return;
		s->outstanding = false;
		s->due = true;
	}
	if (!s->due || (now < s->retry_ms && s->retry_ms - now <= CPSEND_RETRY_MS))
		return;
	if ((rc = checkpointer_newest(a->db, &row, &st)) == 1 && !s->have_base &&
	    (rc = checkpointer_countersigned_size(a->db, &s->base, &st)) >= 0) {
		s->have_base = true;
		rc = 1;
	}
	if (rc == -1) {
		log_event(LOG_LEVEL_WARN, a->settings->agency, NULL, "checkpoint-failed",
		    "cannot read the checkpoints to send: %s", st.text);
		later(s);
		return;
	}
	s->due = false;
	if (rc == 0 || row.countersigned)
		return;
	from = s->base;
	if (from > row.size) {
		/* The broker holds more of this log than it has: say so, with
		 * no proof; the broker raises the alarm (561). */
		log_event(LOG_LEVEL_ERROR, a->settings->agency, NULL, "checkpoint-behind",
		    "the broker countersigned %" PRIu64 " entries of this log, but it has %" PRIu64
		    ": entries were removed; keep the database for an auditor and run "
		    "dutynet-audit verify", from, row.size);
	} else if (checkpointer_proof_cached(a->db, s->cache, from, row.size, proof, &n,
		       &st) != 0) {
		log_event(LOG_LEVEL_WARN, a->settings->agency, NULL, "checkpoint-failed",
		    "cannot prove size %" PRIu64 " from %" PRIu64 ": %s", row.size, from, st.text);
		later(s);
		return;
	}
	memset(&f, 0, sizeof(f));
	f.command = FRAME_CHECKPOINT;
	memcpy(f.checkpoint, row.text, row.len + 1);
	f.from_size = from;
	/* Frame 2 is the proof, even when it has no hashes. */
	if (link_send(a->link, &f, proof, n * MERKLE_HASHBYTES) != 0) {
		later(s);
		return;
	}
	s->outstanding = true;
	s->sent_ms = now;
	s->sent_from = from;
	log_event(LOG_LEVEL_DEBUG, a->settings->agency, NULL, "checkpoint-sent",
	    "size %" PRIu64 " time %" PRIu64 ", proof from %" PRIu64 " (%zu hashes)", row.size,
	    row.time_ms, from, n);
}

/* Parses the broker's text: a checkpoint of our log, countersigned by the
 * broker with its current key.  0, or -1 with why. */
static int
broker_text(const struct agent *a, const char *text, struct checkpoint *cp, struct status *why)
{
	const struct directory_broker *b = &a->dir->broker;

	if (checkpoint_parse(text, strlen(text), cp, why) != 0)
		return -1;
	if (strcmp(cp->origin, a->self->id) != 0)
		return status_set(why, STATUS_BAD_FIELD, "it is a checkpoint of %s, not of %s",
		    cp->origin, a->self->id);
	if (!cp->has_countersig || strcmp(cp->countersig.signer, b->id) != 0)
		return status_set(why, STATUS_BAD_SIGNATURE, "it is not countersigned by the "
		    "broker (%s)", b->id);
	return checkpoint_verify_countersig(cp, b->sign_pk, why);
}

static int
on_countersigned(struct agent *a, const struct frame *f, struct status *st)
{
	struct cpsend *s = a->cpsend;
	struct checkpoint cp;
	struct status why;
	int stored;

	if (broker_text(a, f->checkpoint, &cp, &why) != 0) {
		log_event(LOG_LEVEL_WARN, a->settings->agency, NULL, "checkpoint-refused",
		    "the broker's countersigned checkpoint of size %" PRIu64 " does not check "
		    "out (%d %s: %s); it is sent again later", f->size, why.code,
		    status_name(why.code), why.text);
		later(s);
		return 0;
	}
	if (checkpointer_set_countersigned(a->db, cp.size, f->checkpoint, strlen(f->checkpoint),
		&stored, st) != 0)
		return -1;
	s->have_base = true;
	s->base = cp.size;
	s->due = true;	/* a newer one may be waiting */
	log_event(stored ? LOG_LEVEL_INFO : LOG_LEVEL_DEBUG, a->settings->agency, NULL,
	    "checkpoint-countersigned", "size %" PRIu64 " time %" PRIu64 "%s", cp.size,
	    cp.time_ms, stored ? "" : " (re-signed since: not kept)");
	return 0;
}

/* 560: the broker holds another size; the next proof starts there. */
static void
on_prove_from(struct agent *a, const struct frame *f)
{
	struct cpsend *s = a->cpsend;
	struct checkpoint cp;
	struct status why;
	uint64_t size = 0;

	if (f->checkpoint[0] != '\0') {
		if (broker_text(a, f->checkpoint, &cp, &why) != 0) {
			log_event(LOG_LEVEL_WARN, a->settings->agency, NULL, "checkpoint-refused",
			    "560 with a checkpoint that does not check out (%d %s: %s)", why.code,
			    status_name(why.code), why.text);
			later(s);
			return;
		}
		size = cp.size;
	}
	if (s->have_base && s->base == size && s->sent_from == size) {
		/* Proved from there already: the broker contradicts itself. */
		log_event(LOG_LEVEL_WARN, a->settings->agency, NULL, "checkpoint-refused",
		    "560 asks for a proof from %" PRIu64 ", which was just sent; not retried "
		    "until the next checkpoint", size);
		return;
	}
	log_event(LOG_LEVEL_INFO, a->settings->agency, NULL, "checkpoint-prove-from",
	    "the broker holds size %" PRIu64 "; proving again from there", size);
	s->have_base = true;
	s->base = size;
	s->due = true;
}

int
cpsend_on_countersigned(struct agent *a, const struct frame *f, struct status *st)
{
	struct cpsend *s = a->cpsend;

	s->outstanding = false;
	switch (f->code) {
	case STATUS_DELIVERED:
		return on_countersigned(a, f, st);
	case STATUS_PROVE_FROM:
		on_prove_from(a, f);
		return 0;
	case STATUS_INCONSISTENT:
		/* Not sent again until the next checkpoint or session. */
		log_event(LOG_LEVEL_ERROR, a->settings->agency, NULL, "checkpoint-refused",
		    "%u %s: %s", f->code, status_name(f->code), f->text);
		return 0;
	default:
		if (status_is_temporary(f->code)) {
			later(s);
			return 0;
		}
		log_event(LOG_LEVEL_WARN, a->settings->agency, NULL, "checkpoint-refused",
		    "checkpoint of size %" PRIu64 ": %u %s: %s", f->size, f->code,
		    status_name(f->code), f->text);
		return 0;
	}
}
