/* SPDX-License-Identifier: ISC */
/*
 * receive: applying the broker's messages (see receive.h).
 *
 * DESIGN: everything a delivery needs that can fail because of the
 * delivery itself - signature, keys, recipient, decryption, payload - is
 * checked before anything is written, and decides between "store and
 * receipt" and "reject"; after that, a failure can only be the database's,
 * and it abandons the whole batch unanswered.  A receipt that does not
 * check out is audited as an error and ACKed, never applied: the outbox
 * keeps the message accepted, and its periodic re-send makes the broker
 * re-deliver the stored receipt.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "agents/compose.h"
#include "agents/cpsend.h"
#include "agents/hook.h"
#include "agents/inbox.h"
#include "agents/notice.h"
#include "agents/outbox.h"
#include "agents/pairkeys.h"
#include "agents/receive.h"
#include "agents/web.h"
#include "common/auditlog.h"
#include "common/backoff.h"
#include "common/clock.h"
#include "common/log.h"
#include "proto/payload.h"
#include "proto/seal.h"

enum answer { ANSWER_NONE, ANSWER_RECEIPT, ANSWER_ACK };

struct reply {
	enum answer answer;
	uint64_t seq;
	uint8_t *receipt;	/* owned */
	size_t len;
	bool stored;		/* a new message was stored: the web inbox is told */
	uint8_t id[IDS_MSGID_BYTES];
};

/* A delivery opened: plaintext (wiped on clear) and its decoded payload. */
struct opened {
	uint8_t *pt;
	size_t pt_len;
	struct payload p;
};

static void
opened_clear(struct opened *o)
{
	if (o->pt != NULL) {
		sodium_memzero(o->pt, o->pt_len);
		free(o->pt);
	}
	memset(o, 0, sizeof(*o));
}

/* 1 if h comes from the broker, whose only messages are its notices. */
static int
from_broker(const struct agent *a, const struct envelope_header *h)
{
	return strcmp(h->from, a->dir->broker.id) == 0;
}

/* The public key of h's sender named by key id (the signing key if sign,
 * else the box key), from our directory: an agency's, or the broker's.
 * NULL and st 521 if it is not a current key of h->from. */
static const uint8_t *
sender_key(const struct agent *a, const struct envelope_header *h, int sign, struct status *st)
{
	const struct directory_broker *b = &a->dir->broker;
	const struct directory_agency *ag;

	if (from_broker(a, h)) {
		if (memcmp(sign ? h->sender_sign_key : h->sender_box_key,
			sign ? b->sign_keyid : b->box_keyid, SEAL_KEYID_BYTES) == 0)
			return sign ? b->sign_pk : b->box_pk;
	} else {
		ag = sign ? directory_find_sign_keyid(a->dir, h->sender_sign_key) :
		    directory_find_box_keyid(a->dir, h->sender_box_key);
		if (ag != NULL && strcmp(ag->id, h->from) == 0)
			return sign ? ag->sign_pk : ag->box_pk;
	}
	status_set(st, STATUS_UNKNOWN_KEY, "the %s key id is not a current key of %s in our "
	    "directory", sign ? "signing" : "box", h->from);
	return NULL;
}

/* Verifies and opens env as a message to us: 0, or the status code that
 * says why it cannot be accepted (st names it).  The broker's messages are
 * checked with the broker's keys, and only its notices are accepted. */
static int
open_delivery(struct agent *a, const struct envelope *env, struct opened *o, struct status *st)
{
	const struct envelope_header *h = &env->h;
	const uint8_t *sign_pk, *box_pk, *key;

	memset(o, 0, sizeof(*o));
	if (strcmp(h->to, a->self->id) != 0)
		return status_set(st, STATUS_WRONG_RECIPIENT, "addressed to %s, not to %s", h->to,
		    a->self->id);
	if (from_broker(a, h) && h->type != ENVELOPE_ESCALATION)
		return status_set(st, STATUS_BAD_TYPE, "the broker (%s) sends only escalation "
		    "notices, not %s messages", h->from, envelope_type_name(h->type));
	if ((sign_pk = sender_key(a, h, 1, st)) == NULL)
		return -1;
	if (seal_verify(env, sign_pk, st) != 0)
		return -1;
	if ((box_pk = sender_key(a, h, 0, st)) == NULL)
		return -1;
	if (memcmp(h->recipient_box_key, a->self->box_keyid, SEAL_KEYID_BYTES) != 0)
		return status_set(st, STATUS_UNKNOWN_KEY,
		    "sealed to a box key of ours that is not in our directory");
	if ((key = pairkeys_get(a->pairs, box_pk, SEAL_RECEIVING, st)) == NULL)
		return -1;
	o->pt_len = env->sealed_len - ENVELOPE_SEAL_OVERHEAD;
	if ((o->pt = malloc(o->pt_len ? o->pt_len : 1)) == NULL)
		return status_set(st, STATUS_STORE_FAILED, "out of memory opening a delivery");
	if (seal_decrypt(env, key, o->pt, o->pt_len, &o->pt_len, st) != 0 ||
	    payload_decode(h->type, o->pt, o->pt_len, &o->p, st) != 0) {
		opened_clear(o);
		return -1;
	}
	return 0;
}

static int
audit_error(struct agent *a, const char *agency, const uint8_t *id, const char *what,
    const struct status *why, struct status *st)
{
	char detail[AUDITLOG_DETAIL_MAX], idtext[IDS_MSGID_TEXT + 1] = "-";

	if (id != NULL)
		ids_msgid_format(id, idtext);
	snprintf(detail, sizeof(detail), "%s: %d %s: %s", what, why->code, status_name(why->code),
	    why->text);
	log_event(LOG_LEVEL_WARN, agency, idtext, "error", "%s", detail);
	return auditlog_append(a->db, "error", agency, id, detail, st);
}

/* A delivered receipt for one of our messages. */
static int
on_receipt(struct agent *a, const struct envelope *env, const uint8_t *bytes, size_t len,
    struct status *st)
{
	const struct envelope_header *h = &env->h;
	struct opened o;
	struct outbox_msg m;
	struct status why;
	enum outbox_effect eff;
	char idtext[IDS_MSGID_TEXT + 1];
	int rc;

	if (open_delivery(a, env, &o, &why) != 0)
		return audit_error(a, h->from, h->reply_to, "receipt does not check out", &why, st);
	status_ok(&why);
	ids_msgid_format(h->reply_to, idtext);
	rc = outbox_get(a->db, h->reply_to, &m, st);
	if (rc == 1 && strcmp(m.to, h->from) != 0)
		status_set(&why, STATUS_SENDER_MISMATCH, "receipt from %s for a message sent to %s",
		    h->from, m.to);
	else if (rc == 1 && memcmp(m.envelope_hash, o.p.u.receipt.envelope_hash,
				SEAL_HASHBYTES) != 0)
		status_set(&why, STATUS_CONFLICT, "receipt names other bytes than the ones sent");
	else if (rc == 0)
		status_set(&why, STATUS_BAD_FIELD, "receipt for a message not in the outbox");
	if (rc == -1) {
		opened_clear(&o);
		return -1;
	}
	if (rc == 0 || why.code != STATUS_OK) {
		opened_clear(&o);
		return audit_error(a, h->from, h->reply_to, "receipt not applied", &why, st);
	}
	rc = outbox_delivered(a->db, h->reply_to, bytes, len, o.p.u.receipt.received_ms,
	    clock_now_ms(), &eff, st);
	opened_clear(&o);
	if (rc == 0 && eff == OUTBOX_CHANGED)
		log_event(LOG_LEVEL_INFO, h->from, idtext, "delivered", "signed receipt verified");
	return rc;
}

/* The audit entry a reply makes about the message it answers - only if it
 * answers a message this agency sent to its sender: a signed ack, decision,
 * feedback or reject naming someone else's message changes nothing here.
 * A notice is recorded (notice_put) against whatever message it is about. */
static int
answer_effect(struct agent *a, const struct envelope_header *h, const struct payload *p,
    struct status *st)
{
	char detail[AUDITLOG_DETAIL_MAX], idtext[IDS_MSGID_TEXT + 1], text[FRAME_TEXT_MAX + 1];
	const struct payload_note *n = &p->u.note;
	const struct payload_decision *d = &p->u.decision;
	const uint8_t *about = h->reply_to;
	enum outbox_effect eff;
	struct outbox_msg m;
	struct status why;
	int rc;

	if (h->type == ENVELOPE_REFERRAL || h->type == ENVELOPE_CONCERN)
		return 0;
	if (h->type == ENVELOPE_REJECT)
		about = p->u.reject.about;
	if ((rc = outbox_get(a->db, about, &m, st)) < 0)
		return -1;
	if (rc == 0 || strcmp(m.to, h->from) != 0) {
		status_set(&why, STATUS_BAD_FIELD, "%s from %s about a message not sent to %s",
		    envelope_type_name(h->type), h->from, h->from);
		return audit_error(a, h->from, h->id, "answer not applied", &why, st);
	}
	ids_msgid_format(h->id, idtext);
	switch (h->type) {
	case ENVELOPE_ACK:
	case ENVELOPE_FEEDBACK:
		snprintf(detail, sizeof(detail), "by %.*s, %.*s (%s %s)", (int)n->by_name.len,
		    n->by_name.s, (int)n->by_role.len, n->by_role.s, envelope_type_name(h->type),
		    idtext);
		return auditlog_append(a->db, h->type == ENVELOPE_ACK ? "acknowledged" : "feedback",
		    h->from, about, detail, st);
	case ENVELOPE_DECISION:
		snprintf(detail, sizeof(detail), "%s%s%.*s by %.*s, %.*s (decision %s)",
		    payload_decision_name(d->decision), d->redirect_to.s ? " to " : "",
		    (int)d->redirect_to.len, d->redirect_to.s ? d->redirect_to.s : "",
		    (int)d->by_name.len, d->by_name.s, (int)d->by_role.len, d->by_role.s, idtext);
		return auditlog_append(a->db, "decided", h->from, about, detail, st);
	case ENVELOPE_REJECT:
		snprintf(text, sizeof(text), "rejected by %s: %u %s: %.*s", h->from,
		    p->u.reject.code, status_name(p->u.reject.code), (int)p->u.reject.text.len,
		    p->u.reject.text.s);
		return outbox_outcome(a->db, about, STATUS_REJECTED, text, clock_now_ms(), &eff, st);
	default:
		return 0;
	}
}

/* A message that cannot be accepted: stored as rejected, and a signed
 * reject goes back (unless it is itself a reject, comes from the broker, or
 * its sender is not in our directory: then there is no one to seal it to). */
static int
reject_delivery(struct agent *a, const struct envelope *env, const uint8_t *bytes, size_t len,
    uint64_t accepted_ms, const struct status *why, struct status *st)
{
	struct inbox_item it;
	struct envelope rej;
	struct status cst;
	uint8_t *out = NULL;
	size_t olen;
	char idtext[IDS_MSGID_TEXT + 1];
	int rc = 0;

	ids_msgid_format(env->h.id, idtext);
	log_event(LOG_LEVEL_WARN, env->h.from, idtext, "rejected", "%d %s: %s", why->code,
	    status_name(why->code), why->text);
	memset(&it, 0, sizeof(it));
	it.env = env;
	it.bytes = bytes;
	it.len = len;
	it.accepted_ms = accepted_ms;
	it.received_ms = clock_now_ms();
	if (inbox_put_rejected(a->db, &it, why->code, why->text, st) != 0)
		return -1;
	/* The broker takes no rejects of its notices: the audit entry and
	 * the log line are the record. */
	if (env->h.type == ENVELOPE_REJECT || from_broker(a, &env->h))
		return 0;
	if (compose_reject(a, &env->h, why->code, why->text, &out, &olen, &cst) != 0)
		return audit_error(a, env->h.from, env->h.id, "no reject could be sent", &cst, st);
	if (envelope_decode(out, olen, &rej, &cst) != 0)
		rc = audit_error(a, env->h.from, env->h.id, "reject did not decode", &cst, st);
	else if ((rc = outbox_put(a->db, &rej, out, olen, clock_now_ms(), st)) == 0)
		a->kick = true;
	free(out);
	return rc;
}

/* A delivered message other than a receipt: stored, and answered with a
 * signed receipt - or, for the broker's notices, with an ACK. */
static int
on_message(struct agent *a, const struct envelope *env, const uint8_t *bytes, size_t len,
    uint64_t accepted_ms, struct reply *r, struct status *st)
{
	const struct envelope_header *h = &env->h;
	struct inbox_item it;
	struct opened o;
	struct status why;
	char idtext[IDS_MSGID_TEXT + 1];
	int rc, notice = from_broker(a, h);

	ids_msgid_format(h->id, idtext);
	if ((rc = inbox_seen(a->db, h->id, &r->receipt, &r->len, st)) != 0) {
		if (rc == 1) {
			r->answer = r->receipt != NULL ? ANSWER_RECEIPT : ANSWER_ACK;
			log_event(LOG_LEVEL_INFO, h->from, idtext, "duplicate",
			    "stored once; answered again");
		}
		return rc == 1 ? 0 : -1;
	}
	if (open_delivery(a, env, &o, &why) != 0) {
		if (why.code < STATUS_MALFORMED) {
			/* Out of memory, not the message's fault: leave it to the
			 * broker's redelivery. */
			*st = why;
			return -1;
		}
		r->answer = ANSWER_ACK;
		return reject_delivery(a, env, bytes, len, accepted_ms, &why, st);
	}
	memset(&it, 0, sizeof(it));
	it.env = env;
	it.bytes = bytes;
	it.len = len;
	it.payload = o.pt;
	it.payload_len = o.pt_len;
	it.accepted_ms = accepted_ms;
	it.received_ms = clock_now_ms();
	if (!notice &&
	    compose_receipt(a, env, bytes, len, it.received_ms, &r->receipt, &r->len, &why) != 0) {
		opened_clear(&o);
		if (why.code < STATUS_MALFORMED) {
			*st = why;
			return -1;
		}
		r->answer = ANSWER_ACK;
		return reject_delivery(a, env, bytes, len, accepted_ms, &why, st);
	}
	it.receipt = r->receipt;
	it.receipt_len = r->len;
	rc = -1;
	if (inbox_put(a->db, &it, st) != 0 ||
	    (a->hook != NULL &&
		hook_enqueue(a->hook, a->db, h->id, h->type, h->urgency, it.received_ms, st) != 0) ||
	    (h->type == ENVELOPE_ESCALATION ?
		notice_put(a->db, h->id, h->from, &o.p.u.notice, it.received_ms, st) :
		answer_effect(a, h, &o.p, st)) != 0)
		goto out;
	r->answer = notice ? ANSWER_ACK : ANSWER_RECEIPT;
	r->stored = true;
	memcpy(r->id, h->id, IDS_MSGID_BYTES);
	log_event(LOG_LEVEL_INFO, h->from, idtext, "received", "%s, case %s, %s",
	    envelope_type_name(h->type), h->case_id, envelope_urgency_name(h->urgency));
	rc = 0;
out:
	opened_clear(&o);
	return rc;
}

static int
on_deliver(struct agent *a, const struct link_msg *m, struct reply *r, struct status *st)
{
	struct envelope env;
	struct status why;

	r->seq = m->f.seq;
	if (envelope_decode(m->envelope, m->len, &env, &why) != 0) {
		/* Nothing to answer to: audit it, and stop the redelivery. */
		r->answer = ANSWER_ACK;
		return audit_error(a, NULL, NULL, "delivery does not decode", &why, st);
	}
	if (env.h.type == ENVELOPE_RECEIPT) {
		r->answer = ANSWER_ACK;
		return on_receipt(a, &env, m->envelope, m->len, st);
	}
	return on_message(a, &env, m->envelope, m->len, m->f.time_ms, r, st);
}

static int
on_result(struct agent *a, const struct frame *f, struct status *st)
{
	struct outbox_msg m;
	enum outbox_effect eff;
	uint64_t retry;
	char idtext[IDS_MSGID_TEXT + 1];
	int rc;

	ids_msgid_format(f->id, idtext);
	if ((rc = outbox_get(a->db, f->id, &m, st)) <= 0) {
		if (rc == 0 && f->code >= STATUS_MALFORMED)
			log_event(LOG_LEVEL_WARN, NULL, idtext, "broker-refused", "%u %s: %s",
			    f->code, status_name(f->code), f->text);
		return rc;
	}
	retry = backoff_ms((uint64_t)a->settings->retry_initial_ms,
	    (uint64_t)a->settings->retry_max_ms, m.attempts, randombytes_random());
	if (outbox_result(a->db, f->id, f->code, f->text, clock_now_ms(), retry, &eff, st) != 0)
		return -1;
	a->kick = true;		/* a place in the SEND window (transmit.h) */
	if (eff == OUTBOX_CHANGED)
		log_event(f->code >= STATUS_MALFORMED ? LOG_LEVEL_WARN : LOG_LEVEL_INFO, m.to, idtext,
		    f->code == STATUS_ACCEPTED || f->code == STATUS_DELIVERED ? "accepted" :
		    status_is_temporary(f->code) ? "deferred" : "rejected",
		    "%u %s: %s", f->code, status_name(f->code), f->text);
	return 0;
}

static int
on_outcome(struct agent *a, const struct frame *f, struct reply *r, struct status *st)
{
	enum outbox_effect eff;
	char idtext[IDS_MSGID_TEXT + 1];

	r->answer = ANSWER_ACK;
	r->seq = f->seq;
	if (outbox_outcome(a->db, f->id, f->code, f->text, clock_now_ms(), &eff, st) != 0)
		return -1;
	ids_msgid_format(f->id, idtext);
	if (eff == OUTBOX_CHANGED)
		log_event(LOG_LEVEL_WARN, NULL, idtext, "failed", "%u %s: %s", f->code,
		    status_name(f->code), f->text);
	return 0;
}

static void
send_answers(struct agent *a, struct reply *r, size_t n)
{
	struct frame f;
	size_t i;

	for (i = 0; i < n; i++) {
		if (r[i].answer == ANSWER_NONE)
			continue;
		memset(&f, 0, sizeof(f));
		f.seq = r[i].seq;
		f.command = r[i].answer == ANSWER_RECEIPT ? FRAME_RECEIPT : FRAME_ACK;
		/* Lost on the way? The broker re-delivers, and we answer again. */
		if (link_send(a->link, &f, r[i].receipt, r[i].len) != 0)
			log_event(LOG_LEVEL_DEBUG, NULL, NULL, "answer-deferred",
			    "%s for seq %llu not sent now", frame_command_name(f.command),
			    (unsigned long long)f.seq);
	}
}

void
receive_batch(struct agent *a, struct link_msg *msgs, size_t n)
{
	struct reply *r;
	struct status st;
	size_t i;
	int rc = 0;

	if ((r = calloc(n ? n : 1, sizeof(*r))) == NULL) {
		log_warnx("out of memory: %zu broker messages left for redelivery", n);
		return;
	}
	if (db_begin(a->db, &st) != 0) {
		log_event(LOG_LEVEL_WARN, NULL, NULL, "store-failed", "%s", st.text);
		goto out;
	}
	for (i = 0; i < n && rc == 0; i++) {
		switch (msgs[i].f.command) {
		case FRAME_WELCOME:
			a->flush_ms = clock_now_ms();
			a->kick = true;
			cpsend_session(a->cpsend);
			break;
		case FRAME_COUNTERSIGNED:
			rc = cpsend_on_countersigned(a, &msgs[i].f, &st);
			break;
		case FRAME_RESULT:
			rc = on_result(a, &msgs[i].f, &st);
			break;
		case FRAME_OUTCOME:
			rc = on_outcome(a, &msgs[i].f, &r[i], &st);
			break;
		case FRAME_DELIVER:
			rc = on_deliver(a, &msgs[i], &r[i], &st);
			break;
		default:
			break;	/* PING, PONG, ERROR: handled by the link */
		}
	}
	if (rc != 0) {
		db_rollback(a->db, NULL);
		log_event(LOG_LEVEL_WARN, NULL, NULL, "store-failed",
		    "%s; %zu broker messages left unanswered for redelivery", st.text, n);
		goto out;
	}
	if (db_commit(a->db, &st) != 0) {
		log_event(LOG_LEVEL_WARN, NULL, NULL, "store-failed",
		    "%s; %zu broker messages left unanswered for redelivery", st.text, n);
		goto out;
	}
	send_answers(a, r, n);
	for (i = 0; i < n && a->web != NULL; i++)
		if (r[i].stored)
			web_stored(a->web, r[i].id);
out:
	for (i = 0; i < n; i++)
		free(r[i].receipt);
	free(r);
}
