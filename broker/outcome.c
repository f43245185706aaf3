/* SPDX-License-Identifier: ISC */
/*
 * outcome: moving an accepted message to its one final outcome (see
 * outcome.h).  The store's final-state updates only act on a queued
 * message, so a receipt racing an expiry, or a reject racing a receipt,
 * can never give a message two outcomes: whichever commits first wins and
 * the other is answered with the outcome that stands.
 */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/outcome.h"
#include "common/auditlog.h"

/* Room for an audit detail written here. */
#define OUTCOME_DETAIL_MAX 256

static int __attribute__((format(printf, 6, 7)))
audit_outcome(struct store *s, const char *event, const char *agency, const uint8_t *id,
    struct status *st, const char *fmt, ...)
{
	char detail[OUTCOME_DETAIL_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	return auditlog_append(store_db(s), event, agency, id, detail, st);
}

/* Checks that the receipt answers the delivery agency/seq of a message the
 * receipt's `to` sent to agency, and fills orig with it. */
static int
receipt_target(struct store *s, const char *agency, uint64_t seq, const struct envelope *env,
    struct store_message *orig, struct status *st)
{
	char a[IDS_MSGID_TEXT + 1], b[IDS_MSGID_TEXT + 1];
	uint8_t item_id[IDS_MSGID_BYTES];
	enum store_kind kind;
	int rc;

	ids_msgid_format(env->h.reply_to, a);
	if ((rc = store_item(s, agency, seq, &kind, item_id, st)) == -1)
		return -1;
	if (rc == 1 && (kind != STORE_ITEM_DELIVER ||
			   memcmp(item_id, env->h.reply_to, IDS_MSGID_BYTES) != 0)) {
		ids_msgid_format(item_id, b);
		return status_set(st, STATUS_BAD_FIELD,
		    "RECEIPT seq %llu is the %s of message %s, not of in_reply_to %s; receipt "
		    "the message delivered under that seq", (unsigned long long)seq,
		    kind == STORE_ITEM_DELIVER ? "delivery" : "outcome", b, a);
	}
	if ((rc = store_find(s, env->h.reply_to, orig, st)) == -1)
		return -1;
	if (rc == 0 || strcmp(orig->recipient, agency) != 0 ||
	    strcmp(orig->sender, env->h.to) != 0)
		return status_set(st, STATUS_BAD_FIELD,
		    "in_reply_to %s names no message from %s to %s that the broker holds", a,
		    env->h.to, agency);
	if (orig->type == ENVELOPE_RECEIPT)
		return status_set(st, STATUS_BAD_TYPE,
		    "message %s is a receipt: answer it with ACK, not with a receipt", a);
	return 0;
}

int
outcome_receipt(struct store *s, const char *agency, uint64_t seq, const struct envelope *env,
    const uint8_t *bytes, size_t len, uint64_t now_ms, struct status *st)
{
	struct store_message orig, rec;
	char text[STORE_TEXT_MAX + 1], id[IDS_MSGID_TEXT + 1];
	int rc;

	assert(env->h.type == ENVELOPE_RECEIPT && env->h.has_reply_to);
	if (receipt_target(s, agency, seq, env, &orig, st) == -1 ||
	    (rc = store_known(s, bytes, len, env->h.id, &rec, st)) == -1)
		return -1;
	/* A second receipt (or the same one again) changes nothing: the
	 * first is the outcome.  A late one cannot undo a failure. */
	if (orig.state != STORE_QUEUED)
		return orig.code;
	/* A stored receipt would have delivered orig in the same commit. */
	assert(rc == 0);
	snprintf(text, sizeof(text), "delivered to %s", agency);
	if (store_insert(s, env, bytes, len, now_ms, 0, st) == -1 ||
	    (rc = store_set_delivered(s, orig.id, env->h.id, text, now_ms, st)) == -1)
		return -1;
	assert(rc == 1);	/* it was queued, in this transaction */
	ids_msgid_format(env->h.id, id);
	if (store_drop_deliveries(s, orig.id, st) == -1 ||
	    audit_outcome(s, "receipt", agency, orig.id, st, "receipt=%s seq=%llu", id,
		(unsigned long long)seq) == -1)
		return -1;
	return STATUS_ACCEPTED;
}

/* Fails the queued message m with code and text, drops its DELIVERs and
 * queues its OUTCOME for the sender. */
static int
fail_queued(struct store *s, const struct store_message *m, uint16_t code, const char *text,
    uint64_t now_ms, struct status *st)
{
	uint64_t seq;
	int rc;

	if ((rc = store_set_failed(s, m->id, code, text, now_ms, st)) != 1)
		return rc;	/* 0: it already had its outcome */
	if (store_drop_deliveries(s, m->id, st) == -1 ||
	    store_enqueue(s, m->sender, STORE_ITEM_OUTCOME, m->id, now_ms, &seq, st) == -1 ||
	    audit_outcome(s, "failed", m->sender, m->id, st, "code=%u to=%s outcome-seq=%llu %s",
	    code, m->recipient, (unsigned long long)seq, text) == -1)
		return -1;
	return 1;
}

int
outcome_reject(struct store *s, const struct envelope *reject, uint64_t now_ms,
    struct status *st)
{
	struct store_message orig;
	char text[STORE_TEXT_MAX + 1], id[IDS_MSGID_TEXT + 1];
	int rc;

	assert(reject->h.type == ENVELOPE_REJECT);
	if (!reject->h.has_reply_to)
		return 1;
	if ((rc = store_find(s, reject->h.reply_to, &orig, st)) != 1)
		return rc == 0 ? 1 : -1;
	if (orig.state != STORE_QUEUED || orig.type == ENVELOPE_RECEIPT ||
	    strcmp(orig.recipient, reject->h.from) != 0 || strcmp(orig.sender, reject->h.to) != 0)
		return 1;
	ids_msgid_format(reject->h.id, id);
	snprintf(text, sizeof(text), "rejected by %s (reject message %s)", orig.recipient, id);
	if ((rc = fail_queued(s, &orig, STATUS_REJECTED, text, now_ms, st)) == -1)
		return -1;
	return rc == 1 ? 0 : 1;
}

int
outcome_ack(struct store *s, const char *agency, uint64_t seq, const char *broker_id,
    uint64_t now_ms, struct status *st)
{
	struct store_message m;
	uint8_t id[IDS_MSGID_BYTES];
	enum store_kind kind;
	int rc;

	if ((rc = store_item(s, agency, seq, &kind, id, st)) != 1)
		return rc;
	if (store_drop_item(s, agency, seq, st) == -1 || (rc = store_find(s, id, &m, st)) == -1)
		return -1;
	if (kind == STORE_ITEM_DELIVER && rc == 1 && m.type == ENVELOPE_RECEIPT &&
	    store_set_delivered(s, id, NULL, "receipt acknowledged", now_ms, st) == -1)
		return -1;
	if (kind == STORE_ITEM_DELIVER && rc == 1 && m.type == ENVELOPE_ESCALATION &&
	    strcmp(m.sender, broker_id) == 0 && strcmp(m.recipient, agency) == 0) {
		if ((rc = store_set_acked(s, id, "notice acknowledged", now_ms, st)) == -1 ||
		    (rc == 1 && audit_outcome(s, "notice-delivered", agency, id, st, "seq=%llu",
			(unsigned long long)seq) == -1))
			return -1;
	}
	if (audit_outcome(s, "acknowledged", agency, id, st, "seq=%llu %s", (unsigned long long)seq,
		kind == STORE_ITEM_DELIVER ? "deliver" : "outcome") == -1)
		return -1;
	return 1;
}

int
outcome_resend_receipt(struct store *s, const struct store_message *m, uint64_t now_ms,
    struct status *st)
{
	struct store_message rec;
	int rc;

	if (m->state != STORE_DELIVERED || !m->has_receipt)
		return 0;
	if ((rc = store_find(s, m->receipt_id, &rec, st)) != 1)
		return rc == 0 ? status_set(st, STATUS_STORE_FAILED,
				    "the receipt of delivered message is missing from %s",
				    db_path(store_db(s))) : -1;
	if (rec.purged_ms != 0)
		return 1;	/* its sender ACKed it before it was purged */
	if ((rc = store_has_delivery(s, rec.recipient, rec.id, st)) != 0)
		return rc == 1 ? 0 : -1;	/* still on its way */
	if (store_enqueue(s, rec.recipient, STORE_ITEM_DELIVER, rec.id, now_ms, NULL, st) == -1)
		return -1;
	return audit_outcome(s, "requeued", rec.recipient, m->id, st, "receipt sent again");
}

int
outcome_expire(struct store *s, uint64_t now_ms,
    void (*fn)(const struct store_message *m, void *arg), void *arg, unsigned *count,
    struct status *st)
{
	struct store_message *due;
	char text[STORE_TEXT_MAX + 1];
	unsigned n, i;
	int rc, ret = -1;

	*count = 0;
	if ((due = calloc(OUTCOME_EXPIRE_BATCH, sizeof(*due))) == NULL)
		return status_set(st, STATUS_STORE_FAILED, "out of memory expiring messages");
	if (store_due(s, now_ms, OUTCOME_EXPIRE_BATCH, due, &n, st) == -1)
		goto out;
	for (i = 0; i < n; i++) {
		snprintf(text, sizeof(text), "expired: not delivered to %s within the expiry",
		    due[i].recipient);
		if ((rc = fail_queued(s, &due[i], STATUS_EXPIRED, text, now_ms, st)) == -1)
			goto out;
		if (rc == 0)
			continue;
		(*count)++;
		if (fn != NULL) {
			due[i].state = STORE_FAILED;
			due[i].code = STATUS_EXPIRED;
			due[i].final_ms = now_ms;
			snprintf(due[i].text, sizeof(due[i].text), "%s", text);
			fn(&due[i], arg);
		}
	}
	ret = 0;
out:
	free(due);
	return ret;
}
