/* SPDX-License-Identifier: ISC */
/*
 * admit: the command table and the checks every message passes (see
 * admit.h).  Each refusal is answered with its code and a text that says
 * what was wrong and what to do, logged, and audited; nothing is forwarded.
 * A message that is not even a dutynet command gets an ERROR and the
 * connection stays up.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>


#include "broker/admit.h"
#include "broker/cpaccept.h"
#include "broker/deadline.h"
#include "broker/expire.h"
#include "broker/outcome.h"
#include "common/auditlog.h"
#include "common/log.h"
#include "proto/pack.h"
#include "proto/seal.h"

/* An envelope is [header, sealed, signature] (PROTOCOL.md §4.1). */
#define ENVELOPE_ARRAY_PARTS 3
/* The frames of a message (PROTOCOL.md §7.2): head, body, and for SEND and
 * RECEIPT the envelope. */
#define HEAD_FRAME 0
#define BODY_FRAME 1
#define ENVELOPE_FRAME 2

/* One message being admitted. */
struct ctx {
	struct broker *b;
	struct router_msg *m;
	struct admit_batch *batch;
	struct admit_item *it;
	const struct directory_agency *sender;	/* the live entry of User-Id */
	struct frame body;
	uint8_t command;
	uint64_t now;
	struct status *st;			/* 451: the batch fails */
};

static int on_hello(struct ctx *c);
static int on_send(struct ctx *c);
static int on_receipt(struct ctx *c);
static int on_ack(struct ctx *c);
static int on_ping(struct ctx *c);
static int on_pong(struct ctx *c);
static int on_checkpoint(struct ctx *c);

static const struct handler {
	uint8_t command;
	int (*fn)(struct ctx *c);
} handlers[] = {
	{FRAME_HELLO, on_hello},
	{FRAME_SEND, on_send},
	{FRAME_RECEIPT, on_receipt},
	{FRAME_ACK, on_ack},
	{FRAME_PING, on_ping},
	{FRAME_PONG, on_pong},
	{FRAME_CHECKPOINT, on_checkpoint},
};

/* Copies text onto the wire: printable ASCII only, cut to the cap. */
static void
wire_text(char out[FRAME_TEXT_MAX + 1], const char *text)
{
	size_t i;

	for (i = 0; i < FRAME_TEXT_MAX && text[i] != '\0'; i++)
		out[i] = (text[i] >= ' ' && text[i] < 0x7f) ? text[i] : '?';
	out[i] = '\0';
}

static void
reply_result(struct ctx *c, const uint8_t id[IDS_MSGID_BYTES], int code, const char *text)
{
	struct frame *f = &c->it->reply;

	memset(f, 0, sizeof(*f));
	f->command = FRAME_RESULT;
	memcpy(f->id, id, IDS_MSGID_BYTES);
	f->code = (uint16_t)code;
	wire_text(f->text, text);
	c->it->has_reply = true;
	c->it->durable = true;
}

static void
reply_error(struct ctx *c, int code, const char *text)
{
	struct frame *f = &c->it->reply;

	memset(f, 0, sizeof(*f));
	f->command = FRAME_ERROR;
	f->code = (uint16_t)code;
	wire_text(f->text, text);
	c->it->has_reply = true;
	/* A RESULT-less refusal of a SEND or RECEIPT is still only said
	 * once its audit entry is on disk. */
	c->it->durable = c->command == FRAME_SEND || c->command == FRAME_RECEIPT;
}

static struct db *
db_of(struct ctx *c)
{
	return store_db(c->b->store);
}

/* Logs and audits a refusal (or, in a flood, counts it for the summary). */
static int
record(struct ctx *c, const char *event, const uint8_t *id, int code, const char *text)
{
	char idtext[IDS_MSGID_TEXT + 1], detail[AUDITLOG_DETAIL_MAX];

	if (c->batch->loud >= ADMIT_LOUD_MAX) {
		c->batch->quiet++;
		return 0;
	}
	c->batch->loud++;
	if (id != NULL)
		ids_msgid_format(id, idtext);
	log_event(LOG_LEVEL_WARN, c->m->user_id[0] ? c->m->user_id : NULL,
	    id != NULL ? idtext : NULL, event, "code=%d command=%s %s", code,
	    frame_command_name(c->command) ? frame_command_name(c->command) : "unknown", text);
	snprintf(detail, sizeof(detail), "code=%d command=%s %s", code,
	    frame_command_name(c->command) ? frame_command_name(c->command) : "unknown", text);
	return auditlog_append(db_of(c), event, c->m->user_id[0] ? c->m->user_id : NULL, id,
	    detail, c->st);
}

/* A message that is not a valid command: ERROR, audited; the connection
 * stays up. */
static int
bad_frame(struct ctx *c, int code, const char *text)
{
	stats_inc(&c->b->stats, STATS_ERRORS);
	reply_error(c, code, text);
	return record(c, "error", NULL, code, text);
}

/* Refuses a SEND or RECEIPT, by RESULT if its message id is known (id). */
static int
refuse(struct ctx *c, const uint8_t *id, int code, const char *text)
{
	stats_inc(&c->b->stats, STATS_REJECTED);
	if (id != NULL)
		reply_result(c, id, code, text);
	else
		reply_error(c, code, text);
	return record(c, "rejected", id, code, text);
}

static int __attribute__((format(printf, 4, 5)))
refusef(struct ctx *c, const uint8_t *id, int code, const char *fmt, ...)
{
	char text[STATUS_TEXT_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	return refuse(c, id, code, text);
}

/* The store failed: the whole batch is rolled back and answered 451. */
static int
store_failed(struct ctx *c, const struct status *why)
{
	*c->st = *why;
	return -1;
}

/* Ends an item's savepoint: kept if ok, else undone. */
static int
end_item(struct ctx *c, int ok)
{
	struct status why;

	if ((ok ? db_release(db_of(c), &why) : db_rollback_to(db_of(c), &why)) == -1)
		return store_failed(c, &why);
	return 0;
}

/* What to log and count once the batch commits. */
static void __attribute__((format(printf, 5, 6)))
on_commit(struct ctx *c, const char *event, int counter, const uint8_t *id, const char *fmt,
    ...)
{
	va_list ap;

	c->it->event = event;
	c->it->counter = counter;
	c->it->has_id = id != NULL;
	if (id != NULL)
		memcpy(c->it->id, id, IDS_MSGID_BYTES);
	va_start(ap, fmt);
	vsnprintf(c->it->detail, sizeof(c->it->detail), fmt, ap);
	va_end(ap);
}

/* The message id of envelope bytes that did not decode, if its header
 * did: a refusal can then name the message (RESULT) instead of ERROR. */
static const uint8_t *
peek_id(const uint8_t *buf, size_t len, struct envelope_header *h)
{
	struct pack_reader r;
	struct status why;
	const uint8_t *header;
	uint32_t n, header_len;

	pack_reader_init(&r, buf, len);
	if (pack_read_array(&r, &n) == -1 || n != ENVELOPE_ARRAY_PARTS ||
	    pack_read_bin(&r, &header, &header_len) == -1 ||
	    envelope_header_decode(header, header_len, h, &why) == -1)
		return NULL;
	return h->id;
}

/* Size, structure, type, sender, signing key, signature.  0 and env, 1
 * if refused, -1 if the store failed. */
static int
check_envelope(struct ctx *c, struct envelope *env, const uint8_t **bytes, size_t *len)
{
	const struct directory_agency *a = c->sender;
	zmq_msg_t *part = &c->m->part[ENVELOPE_FRAME];
	struct envelope_header peek;
	const uint8_t *id;
	struct status why;
	int rc = 0;

	*bytes = zmq_msg_data(part);
	*len = zmq_msg_size(part);
	id = peek_id(*bytes, *len, &peek);
	if (*len > (size_t)c->b->conf->max_envelope_bytes)
		rc = refusef(c, id, STATUS_TOO_LARGE,
		    "envelope is %zu bytes, over this broker's limit of %lld (max_bytes in "
		    "WELCOME); send less", *len, (long long)c->b->conf->max_envelope_bytes);
	else if (envelope_decode(*bytes, *len, env, &why) == -1)
		rc = refuse(c, id, why.code, why.text);
	else if ((c->command == FRAME_RECEIPT) != (env->h.type == ENVELOPE_RECEIPT))
		rc = refusef(c, env->h.id, STATUS_BAD_TYPE,
		    "a %s envelope cannot travel in %s: receipts go in RECEIPT, everything else "
		    "in SEND", envelope_type_name(env->h.type), frame_command_name(c->command));
	else if (strcmp(env->h.from, c->m->user_id) != 0)
		rc = refusef(c, env->h.id, STATUS_SENDER_MISMATCH,
		    "envelope is from '%s' but this connection is authenticated as '%s'; an "
		    "agency sends only as itself", env->h.from, c->m->user_id);
	else if (memcmp(env->h.sender_sign_key, a->sign_keyid, SEAL_KEYID_BYTES) != 0)
		rc = refusef(c, env->h.id, STATUS_UNKNOWN_KEY,
		    "sender_sign_key is not %s's signing key in the directory; sign with the "
		    "current key", a->id);
	else if (seal_verify(env, a->sign_pk, &why) == -1)
		rc = refuse(c, env->h.id, why.code, why.text);
	else {
		/* Replaced by the real answer; stands if the store fails. */
		reply_result(c, env->h.id, STATUS_STORE_FAILED, "not stored");
		return 0;
	}
	return rc == -1 ? -1 : 1;
}

/* A SEND of a message already stored with the same bytes: its state. */
static int
duplicate(struct ctx *c, const struct store_message *sm)
{
	struct status why;
	char text[STATUS_TEXT_LEN];
	int rc;

	switch (sm->state) {
	case STORE_QUEUED:
		snprintf(text, sizeof(text), "already accepted; waiting for delivery to %s",
		    sm->recipient);
		reply_result(c, sm->id, STATUS_ACCEPTED, text);
		break;
	case STORE_DELIVERED:
		if (db_savepoint(db_of(c), &why) == -1)
			return store_failed(c, &why);
		if ((rc = outcome_resend_receipt(c->b->store, sm, c->now, &why)) == -1) {
			end_item(c, 0);
			return store_failed(c, &why);
		}
		if (end_item(c, 1) == -1)
			return -1;
		snprintf(text, sizeof(text), rc == 1 ? "already delivered to %s; its receipt was "
		    "purged under the retention period" : "already delivered to %s; its receipt is "
		    "sent again", sm->recipient);
		reply_result(c, sm->id, STATUS_DELIVERED, text);
		snprintf(c->it->wake, sizeof(c->it->wake), "%s", sm->sender);
		break;
	case STORE_FAILED:
		reply_result(c, sm->id, sm->code, sm->text);
		break;
	}
	on_commit(c, "duplicate", STATS_DUPLICATES, sm->id, "state=%s code=%u",
	    store_state_name(sm->state), sm->code);
	return 0;
}

/* 1 (refused 452) if env's recipient already has its quota of deliveries
 * waiting: a recipient that stays away cannot fill the broker's disk, and
 * the sender is told to retry rather than anything being dropped. */
static int
over_quota(struct ctx *c, const struct envelope *env)
{
	uint64_t quota = (uint64_t)c->b->conf->recipient_quota, n;
	struct status why;

	if (store_count_deliveries(c->b->store, env->h.to, quota, &n, &why) == -1)
		return store_failed(c, &why);
	if (n < quota)
		return 0;
	return refusef(c, env->h.id, STATUS_QUOTA, "%s already has %llu messages waiting for "
	    "delivery (recipient_quota); nothing was stored: retry later with the same bytes",
	    env->h.to, (unsigned long long)n) == -1 ? -1 : 1;
}

/* The deadlines env starts or answers (same savepoint as its storing). */
static int
track(struct ctx *c, const struct envelope *env, struct status *why)
{
	struct deadline_env e = {c->b->store, c->b->dir, policy_deadlines(c->b->policy),
	    c->b->cals};

	return deadline_on_accept(&e, &env->h, c->now, c->it->deadline, sizeof(c->it->deadline),
	    why);
}

/* A reject must answer a message sent the other way. */
static int
answers(struct ctx *c, const struct envelope *env)
{
	struct store_message orig;
	struct status why;
	int rc;

	if (!env->h.has_reply_to)
		return 0;
	if ((rc = store_find(c->b->store, env->h.reply_to, &orig, &why)) == -1)
		return store_failed(c, &why);
	return rc == 1 && strcmp(orig.sender, env->h.to) == 0 &&
	    strcmp(orig.recipient, env->h.from) == 0;
}

static int
on_send(struct ctx *c)
{
	struct store_message sm;
	struct envelope env;
	struct status why;
	const uint8_t *bytes;
	size_t len;
	int rc, dup;

	if ((rc = check_envelope(c, &env, &bytes, &len)) != 0)
		return rc == -1 ? -1 : 0;
	/* The same bytes again: the stored outcome, whatever the policy now. */
	rc = store_known(c->b->store, bytes, len, env.h.id, &sm, &why);
	if (rc == -1 && why.code != STATUS_CONFLICT)
		return store_failed(c, &why);
	if (rc == 1)
		return duplicate(c, &sm);
	if (directory_find(c->b->dir, env.h.to) == NULL)
		return refusef(c, env.h.id, STATUS_UNKNOWN_AGENCY,
		    "recipient '%s' is not in the directory; check the agency id", env.h.to);
	if (policy_allows(c->b->policy, c->b->dir, env.h.from, env.h.to, env.h.type, &why) == -1)
		return refuse(c, env.h.id, why.code, why.text);
	if (env.h.type == ENVELOPE_REJECT && (rc = answers(c, &env)) != 1)
		return rc == -1 ? -1 : refusef(c, env.h.id, STATUS_BAD_FIELD,
		    "a reject's in_reply_to must name a message from %s to %s that the broker "
		    "holds", env.h.to, env.h.from);
	if ((rc = over_quota(c, &env)) != 0)
		return rc == -1 ? -1 : 0;
	if (db_savepoint(db_of(c), &why) == -1)
		return store_failed(c, &why);
	if (store_put(c->b->store, &env, bytes, len, c->now, expire_at(c->b->conf,
		agencycal_get(c->b->cals, env.h.to), c->now), &dup, &sm, &why) == -1 ||
	    (env.h.type == ENVELOPE_REJECT &&
		outcome_reject(c->b->store, &env, c->now, &why) == -1) ||
	    (!dup && track(c, &env, &why) == -1)) {
		if (end_item(c, 0) == -1 || why.code == STATUS_STORE_FAILED)
			return store_failed(c, &why);
		return refuse(c, env.h.id, why.code, why.text);	/* 550 */
	}
	if (end_item(c, 1) == -1)
		return -1;
	reply_result(c, env.h.id, STATUS_ACCEPTED,
	    "accepted: stored; the recipient's signed receipt or an OUTCOME follows");
	snprintf(c->it->wake, sizeof(c->it->wake), "%s", env.h.to);
	on_commit(c, "accepted", STATS_ACCEPTED, env.h.id, "type=%s to=%s bytes=%zu",
	    envelope_type_name(env.h.type), env.h.to, len);
	return 0;
}

static int
on_receipt(struct ctx *c)
{
	struct envelope env;
	struct status why;
	char text[STATUS_TEXT_LEN];
	const uint8_t *bytes;
	size_t len;
	int rc;

	if ((rc = check_envelope(c, &env, &bytes, &len)) != 0)
		return rc == -1 ? -1 : 0;
	if (strcmp(env.h.to, c->b->dir->broker.id) == 0)
		return refusef(c, env.h.id, STATUS_BAD_TYPE, "notices from the broker are answered "
		    "with ACK, not with a receipt (PROTOCOL.md 7.5); send ACK [seq]");
	if (db_savepoint(db_of(c), &why) == -1)
		return store_failed(c, &why);
	rc = outcome_receipt(c->b->store, c->m->user_id, c->body.seq, &env, bytes, len, c->now,
	    &why);
	if (rc == -1) {
		if (end_item(c, 0) == -1 || why.code == STATUS_STORE_FAILED)
			return store_failed(c, &why);
		return refuse(c, env.h.id, why.code, why.text);
	}
	if (end_item(c, 1) == -1)
		return -1;
	if (rc == STATUS_ACCEPTED)
		snprintf(text, sizeof(text), "receipt stored; it goes to %s", env.h.to);
	else if (rc == STATUS_DELIVERED)
		snprintf(text, sizeof(text), "the message already has its receipt");
	else
		snprintf(text, sizeof(text), "the message had already failed (%d), and its "
		    "sender was told so", rc);
	reply_result(c, env.h.id, rc, text);
	c->it->has_done = true;
	c->it->done_seq = c->body.seq;
	if (rc == STATUS_ACCEPTED) {
		snprintf(c->it->wake, sizeof(c->it->wake), "%s", env.h.to);
		on_commit(c, "receipt", STATS_RECEIPTS, env.h.reply_to, "seq=%llu to=%s",
		    (unsigned long long)c->body.seq, env.h.to);
	}
	return 0;
}

static int
on_ack(struct ctx *c)
{
	struct status why;
	int rc;

	if (db_savepoint(db_of(c), &why) == -1)
		return store_failed(c, &why);
	if ((rc = outcome_ack(c->b->store, c->m->user_id, c->body.seq, c->b->dir->broker.id,
		 c->now, &why)) == -1) {
		end_item(c, 0);
		return store_failed(c, &why);
	}
	if (end_item(c, 1) == -1)
		return -1;
	c->it->has_done = true;
	c->it->done_seq = c->body.seq;
	if (rc == 1)
		on_commit(c, "ack", STATS_ACKS, NULL, "seq=%llu", (unsigned long long)c->body.seq);
	return 0;
}

static int
on_hello(struct ctx *c)
{
	char text[STATUS_TEXT_LEN];
	struct frame *f = &c->it->reply;
	struct status why;
	int rc;

	if (strcmp(c->body.agency, c->m->user_id) != 0) {
		snprintf(text, sizeof(text), "HELLO names '%s' but this connection is "
		    "authenticated as '%s'", c->body.agency, c->m->user_id);
		return bad_frame(c, STATUS_SENDER_MISMATCH, text);
	}
	if (!router_rid_is_auto(c->m->rid, c->m->rid_len))
		return bad_frame(c, STATUS_BAD_FIELD, "this connection chose its own routing id; "
		    "agents must not set ZMQ_ROUTING_ID (PROTOCOL.md 7.1), and nothing is "
		    "delivered to one that does");
	rc = deliver_hello(c->b->deliver, c->m->user_id, c->m->rid, c->m->rid_len, c->m->key,
	    c->body.window);
	if (rc == -1)
		return bad_frame(c, STATUS_BUSY, "the broker is out of memory for sessions; retry");
	memset(f, 0, sizeof(*f));
	f->command = FRAME_WELCOME;
	snprintf(f->agency, sizeof(f->agency), "%s", c->m->user_id);
	f->time_ms = c->now;
	f->max_bytes = (uint32_t)c->b->conf->max_envelope_bytes;
	f->heartbeat_ms = (uint32_t)c->b->conf->heartbeat_ms;
	c->it->has_reply = true;
	if (rc == 1) {
		on_commit(c, "session", STATS_SESSIONS, NULL, "window=%u",
		    (unsigned)c->body.window);
		if (auditlog_append(db_of(c), "session", c->m->user_id, NULL, "new route",
			&why) == -1)
			return store_failed(c, &why);
	}
	return 0;
}

static int
on_ping(struct ctx *c)
{
	memset(&c->it->reply, 0, sizeof(c->it->reply));
	c->it->reply.command = FRAME_PONG;
	c->it->reply.time_ms = c->body.time_ms;
	c->it->has_reply = true;
	return 0;
}

static int
on_pong(struct ctx *c)
{
	(void)c;	/* liveness only: deliver_seen has noted it */
	return 0;
}

/* An agency's checkpoint (PROTOCOL.md 7.8): cpaccept.c checks, countersigns
 * and stores it; refusals are audited as any other. */
static int
on_checkpoint(struct ctx *c)
{
	struct cpaccept_env e = {db_of(c), c->b->dir, c->b->keys->sign_sk, &c->b->stats};
	zmq_msg_t *proof = &c->m->part[ENVELOPE_FRAME];
	struct cpaccept_result r;
	struct status why;

	if (db_savepoint(db_of(c), &why) == -1)
		return store_failed(c, &why);
	if (cpaccept_handle(&e, c->m->user_id, &c->body, zmq_msg_data(proof), zmq_msg_size(proof),
		&c->it->reply, &r, &why) == -1) {
		end_item(c, 0);
		return store_failed(c, &why);
	}
	if (end_item(c, 1) == -1)
		return -1;
	c->it->has_reply = true;
	c->it->durable = true;
	if (r.outcome == CPACCEPT_REFUSED) {
		stats_inc(&c->b->stats, STATS_REJECTED);
		return record(c, "rejected", NULL, c->it->reply.code, c->it->reply.text);
	}
	if (r.outcome == CPACCEPT_COUNTERSIGNED)
		on_commit(c, "checkpoint-countersigned", STATS_COUNTERSIGNED, NULL, "%s", r.detail);
	return 0;
}

/* The connection's key is no longer its agency's (or the agency is gone):
 * nothing it sends is accepted, and nothing more is delivered to it. */
static int
revoked(struct ctx *c)
{
	struct envelope_header peek;
	const uint8_t *id = NULL;
	int gone = directory_find(c->b->dir, c->m->user_id) == NULL;

	stats_inc(&c->b->stats, STATS_REVOKED);
	deliver_forget(c->b->deliver, c->m->user_id, c->m->rid, c->m->rid_len);
	if ((c->command == FRAME_SEND || c->command == FRAME_RECEIPT) &&
	    c->m->nparts == FRAME_MAX_PARTS)
		id = peek_id(zmq_msg_data(&c->m->part[ENVELOPE_FRAME]),
		    zmq_msg_size(&c->m->part[ENVELOPE_FRAME]), &peek);
	return refusef(c, id, gone ? STATUS_UNKNOWN_AGENCY : STATUS_UNKNOWN_KEY,
	    "%s '%s' is no longer in the directory; this connection gets nothing through",
	    gone ? "agency" : "the CURVE key of", c->m->user_id);
}

int
admit_message(struct broker *b, struct router_msg *m, struct admit_batch *batch,
    uint64_t now_ms, struct status *st)
{
	struct ctx c = {b, m, batch, NULL, NULL, {0}, 0, now_ms, st};
	char text[STATUS_TEXT_LEN];
	struct status why;
	const uint8_t *head;
	size_t i, head_len;
	int parts;

	c.it = &batch->item[batch->n++];
	memset(c.it, 0, sizeof(*c.it));
	memcpy(c.it->rid, m->rid, m->rid_len);
	c.it->rid_len = m->rid_len;
	snprintf(c.it->agency, sizeof(c.it->agency), "%s", m->user_id);
	stats_inc(&b->stats, STATS_FRAMES_IN);
	head = m->nparts > 0 ? zmq_msg_data(&m->part[HEAD_FRAME]) : NULL;
	head_len = m->nparts > 0 ? zmq_msg_size(&m->part[HEAD_FRAME]) : 0;
	/* Named early, for the refusal of a revoked key's SEND. */
	if (head != NULL && frame_head_decode(head, head_len, &c.command, &why) == -1)
		c.command = 0;
	/* Identity first, against the live directory. */
	c.sender = directory_find(b->dir, m->user_id);
	if (c.sender == NULL || !m->has_key ||
	    memcmp(c.sender->curve_pk, m->key, sizeof(m->key)) != 0)
		return revoked(&c);
	deliver_seen(b->deliver, m->user_id, m->rid, m->rid_len);
	if (head == NULL)
		return bad_frame(&c, STATUS_MALFORMED,
		    "empty message: a dutynet message starts with a 4-byte head frame");
	if (frame_head_decode(head, head_len, &c.command, &why) == -1)
		return bad_frame(&c, why.code, why.text);
	for (i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
		if (handlers[i].command == c.command)
			break;
	if (i == sizeof(handlers) / sizeof(handlers[0])) {
		snprintf(text, sizeof(text), "%s is sent by the broker, not to it",
		    frame_command_name(c.command));
		return bad_frame(&c, STATUS_UNKNOWN_COMMAND, text);
	}
	if (m->total != (parts = frame_parts(c.command))) {
		snprintf(text, sizeof(text), "%s has %d frames; it takes %d",
		    frame_command_name(c.command), m->total, parts);
		return bad_frame(&c, STATUS_MALFORMED, text);
	}
	if (frame_body_decode(c.command, zmq_msg_data(&m->part[BODY_FRAME]),
		zmq_msg_size(&m->part[BODY_FRAME]), &c.body, &why) == -1)
		return bad_frame(&c, why.code, why.text);
	if (handlers[i].fn(&c) == 0)
		return 0;
	/* The store failed: the batch is answered 451 (loop.c). */
	if (!c.it->has_reply)
		reply_error(&c, STATUS_STORE_FAILED, "not stored");
	c.it->durable = true;
	return -1;
}
