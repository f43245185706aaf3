/* SPDX-License-Identifier: ISC */
/*
 * escalate: turning due timers into signed, sealed notices (see
 * escalate.h).  The pair key for each notice is derived when it is sealed
 * and wiped at once: notices are rare (a few per referral, hours apart),
 * so keeping a pair key per agency in memory would buy nothing.
 */
#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "broker/escalate.h"
#include "common/auditlog.h"
#include "config/london.h"
#include "config/rfc3339.h"
#include "proto/seal.h"

/* A notice's envelope: header, a text of ESCALATE_TEXT_MAX, and overhead. */
#define NOTICE_ENVELOPE_MAX 4096
#define NOTICE_PAYLOAD_MAX 2048
#define DETAIL_MAX 256
#define PART_MAX 256
#define MS_PER_MINUTE 60000
#define MINUTES_PER_HOUR 60
#define WALL_MINUTES_LEN 16		/* "YYYY-MM-DDTHH:MM" */

/* "2025-03-03 10:00": London wall time, as the people told read it. */
static void
when(uint64_t ms, char out[RFC3339_LEN])
{
	char *t;

	rfc3339_format_offset(ms, london_offset((int64_t)ms), out);
	out[WALL_MINUTES_LEN] = '\0';		/* "YYYY-MM-DDTHH:MM" */
	if ((t = strchr(out, 'T')) != NULL)
		*t = ' ';
}

static void
span(int64_t ms, char *out, size_t cap)
{
	int64_t min = ms / MS_PER_MINUTE;

	snprintf(out, cap, "%" PRId64 " h %02" PRId64 " min", min / MINUTES_PER_HOUR,
	    min % MINUTES_PER_HOUR);
}

/* What the deadline asks of the recipient. */
static const char *
duty(enum deadline_step step)
{
	switch (step) {
	case DEADLINE_ACK:
		return "acknowledged";
	case DEADLINE_DECISION:
		return "decided on";
	case DEADLINE_FEEDBACK:
		return "followed by feedback to its sender";
	}
	return "answered";
}

/* Who a timer tells, in words: "school-stmarys (the sender)". */
static void
who(const struct deadline_env *e, const struct deadline_timer *t, char *out, size_t cap)
{
	const struct directory_agency *a = directory_find(e->dir, t->tell);

	switch (t->role) {
	case DIRECTORY_TELL_SENDER:
		snprintf(out, cap, "%s (the sender)", t->tell);
		break;
	case DIRECTORY_TELL_RECIPIENT:
		snprintf(out, cap, "%s's manager (%s)", t->tell,
		    a != NULL && a->escalation.manager != NULL ? a->escalation.manager :
		    "no manager named in directory.conf");
		break;
	case DIRECTORY_TELL_AGENCY:
		snprintf(out, cap, "%s (%s)", t->tell,
		    a != NULL ? a->name : "not in the directory");
		break;
	}
}

void
escalate_text(const struct deadline_env *e, const struct deadline_timer *t,
    const struct deadline_timer *next, uint64_t now_ms, char *out, size_t cap)
{
	const struct directory_agency *to = directory_find(e->dir, t->d.recipient);
	char id[IDS_MSGID_TEXT + 1], due[RFC3339_LEN], at[RFC3339_LEN];
	char head[PART_MAX], late[PART_MAX], then[PART_MAX], told[PART_MAX / 2];
	char w[PART_MAX / 4], c[PART_MAX / 4];
	int64_t late_w, late_c;

	ids_msgid_format(t->d.message_id, id);
	when(t->d.due_ms, due);
	head[0] = '\0';
	if (t->kind == DEADLINE_TIMER_ESCALATION && t->role == DIRECTORY_TELL_RECIPIENT &&
	    to != NULL && to->escalation.manager != NULL)
		snprintf(head, sizeof(head), "For the attention of %s%s%s%s. ",
		    to->escalation.manager, to->escalation.manager_contact ? " (" : "",
		    to->escalation.manager_contact ? to->escalation.manager_contact : "",
		    to->escalation.manager_contact ? ")" : "");
	if (next != NULL) {
		who(e, next, told, sizeof(told));
		when(next->fire_ms, at);
		snprintf(then, sizeof(then),
		    "If it is still not done, %s will be told at %s London time.", told, at);
	} else {
		snprintf(then, sizeof(then), "Nobody further is on the escalation chain.");
	}
	if (t->kind == DEADLINE_TIMER_REMINDER) {
		snprintf(out, cap, "%sReminder (%u%% of the time has passed): the %s %s (case %s) "
		    "from %s to %s is due to be %s by %s London time (%s). %s",
		    head, t->percent, envelope_type_name(t->d.type), id, t->d.case_id, t->d.sender,
		    t->d.recipient, duty(t->d.step), due, t->d.within, then);
		return;
	}
	deadline_lateness(agencycal_get(e->cals, t->d.recipient), t->d.urgency, t->d.due_ms,
	    now_ms, &late_w, &late_c);
	span(late_w, w, sizeof(w));
	span(late_c, c, sizeof(c));
	snprintf(late, sizeof(late), "it is %s late in %s's working time (%s clock time)", w,
	    t->d.recipient, c);
	who(e, t, told, sizeof(told));
	snprintf(out, cap, "%sEscalation: the %s %s (case %s) from %s to %s was due to be %s by "
	    "%s London time (%s); %s. This notice goes to %s. %s", head,
	    envelope_type_name(t->d.type), id, t->d.case_id, t->d.sender, t->d.recipient,
	    duty(t->d.step), due, t->d.within, late, told, then);
}

/* Seals the notice for t to agency `to` into out; *len bytes, id set. */
static int
seal_notice(const struct escalate_env *e, const struct deadline_timer *t,
    const struct directory_agency *to, const char *text, uint64_t now_ms, uint8_t *out,
    size_t *len, uint8_t id[IDS_MSGID_BYTES], struct status *st)
{
	const struct keyfile *k = e->keys;
	uint8_t pt[NOTICE_PAYLOAD_MAX], key[SEAL_KEYBYTES];
	struct envelope_header h;
	struct payload p;
	size_t pt_len;
	int rc;

	memset(&h, 0, sizeof(h));
	h.version = ENVELOPE_VERSION;
	h.type = ENVELOPE_ESCALATION;
	ids_msgid_new(now_ms, h.id);
	snprintf(h.case_id, sizeof(h.case_id), "%s", t->d.case_id);
	h.has_reply_to = true;
	memcpy(h.reply_to, t->d.message_id, IDS_MSGID_BYTES);
	snprintf(h.from, sizeof(h.from), "%s", e->d->dir->broker.id);
	snprintf(h.to, sizeof(h.to), "%s", to->id);
	h.created_ms = now_ms;
	h.urgency = t->d.urgency;
	seal_keyid(k->sign_pk, sizeof(k->sign_pk), h.sender_sign_key);
	seal_keyid(k->box_pk, sizeof(k->box_pk), h.sender_box_key);
	memcpy(h.recipient_box_key, to->box_keyid, SEAL_KEYID_BYTES);
	h.directory_version = e->d->dir->version;
	memset(&p, 0, sizeof(p));
	p.type = ENVELOPE_ESCALATION;
	p.u.notice.kind = t->kind == DEADLINE_TIMER_REMINDER ? NOTICE_REMINDER : NOTICE_ESCALATION;
	memcpy(p.u.notice.about, t->d.message_id, IDS_MSGID_BYTES);
	p.u.notice.due_ms = t->d.due_ms;
	p.u.notice.text.s = text;
	p.u.notice.text.len = (uint32_t)strlen(text);
	if (payload_encode(&p, pt, sizeof(pt), &pt_len, st) == -1 ||
	    seal_pair_key(k->box_sk, k->box_pk, to->box_pk, SEAL_SENDING, key, st) == -1)
		return -1;
	rc = seal_envelope(&h, pt, pt_len, key, k->sign_sk, NULL, out, NOTICE_ENVELOPE_MAX, len,
	    st);
	sodium_memzero(key, sizeof(key));
	memcpy(id, h.id, IDS_MSGID_BYTES);
	return rc;
}

/* Ends t without a notice (state cancelled or refused), audited. */
static int
not_sent(const struct escalate_env *e, const struct deadline_timer *t,
    enum deadline_timer_state state, uint64_t now_ms, struct escalate_fired *f,
    struct status *st)
{
	int rc;

	f->state = state;
	if ((rc = deadline_timer_end(e->d->store, t, state, NULL, now_ms, st)) != 1)
		return rc;
	return auditlog_append(store_db(e->d->store),
	    state == DEADLINE_TIMER_CANCELLED ? "notice-cancelled" : "notice-refused", t->tell,
	    t->d.message_id, f->why, st);
}

/* One due timer: a queued notice, or why not. */
static int
fire(const struct escalate_env *e, const struct deadline_timer *t, uint64_t now_ms,
    struct escalate_fired *f, struct status *st)
{
	const struct directory_agency *to = directory_find(e->d->dir, t->tell);
	struct store *s = e->d->store;
	struct deadline_timer next;
	struct store_message m;
	struct envelope env;
	struct status why;
	char text[ESCALATE_TEXT_MAX], detail[DETAIL_MAX], id[IDS_MSGID_TEXT + 1];
	char due[RFC3339_LEN];
	uint8_t buf[NOTICE_ENVELOPE_MAX];
	size_t len;
	int rc;

	memset(f, 0, sizeof(*f));
	f->kind = t->kind;
	f->step = t->d.step;
	snprintf(f->told, sizeof(f->told), "%s", t->tell);
	memcpy(f->about, t->d.message_id, IDS_MSGID_BYTES);
	if ((rc = store_find(s, t->d.message_id, &m, st)) == -1)
		return -1;
	if (rc == 1 && m.state == STORE_FAILED) {
		snprintf(f->why, sizeof(f->why), "%s %s not sent: the message failed (%u %.60s)",
		    deadline_step_name(t->d.step), deadline_timer_kind_name(t->kind), m.code,
		    m.text);
		return not_sent(e, t, DEADLINE_TIMER_CANCELLED, now_ms, f, st);
	}
	if (to == NULL || policy_allows(e->policy, e->d->dir, e->d->dir->broker.id, t->tell,
	    ENVELOPE_ESCALATION, &why) == -1) {
		snprintf(f->why, sizeof(f->why), "%s %s to %s not sent: %.90s",
		    deadline_step_name(t->d.step), deadline_timer_kind_name(t->kind), t->tell,
		    to == NULL ? "the agency is no longer in directory.conf" : why.text);
		return not_sent(e, t, DEADLINE_TIMER_REFUSED, now_ms, f, st);
	}
	if ((rc = deadline_timer_next(s, t, &next, st)) == -1)
		return -1;
	escalate_text(e->d, t, rc == 1 ? &next : NULL, now_ms, text, sizeof(text));
	if (seal_notice(e, t, to, text, now_ms, buf, &len, f->notice, &why) == -1 ||
	    envelope_decode(buf, len, &env, &why) == -1) {
		snprintf(f->why, sizeof(f->why), "%s %s to %s not sent: %.90s",
		    deadline_step_name(t->d.step), deadline_timer_kind_name(t->kind), t->tell,
		    why.text);
		return not_sent(e, t, DEADLINE_TIMER_REFUSED, now_ms, f, st);
	}
	f->state = DEADLINE_TIMER_FIRED;
	ids_msgid_format(f->notice, id);
	rfc3339_format(t->d.due_ms, due);
	snprintf(detail, sizeof(detail), "notice=%s to=%s (%s) %s due %s", id, t->tell,
	    t->role == DIRECTORY_TELL_SENDER ? "sender" : t->role == DIRECTORY_TELL_RECIPIENT ?
	    "recipient" : "chain", deadline_step_name(t->d.step), due);
	if (store_insert(s, &env, buf, len, now_ms, 0, st) == -1 ||
	    deadline_timer_end(s, t, DEADLINE_TIMER_FIRED, f->notice, now_ms, st) == -1)
		return -1;
	return auditlog_append(store_db(s), deadline_timer_kind_name(t->kind), t->tell,
	    t->d.message_id, detail, st);
}

int
escalate_run(const struct escalate_env *e, uint64_t now_ms, struct escalate_fired *out,
    unsigned cap, unsigned *n, struct status *st)
{
	struct deadline_timer *due;
	unsigned i, got;
	int ret = -1;

	*n = 0;
	if (cap > ESCALATE_BATCH)
		cap = ESCALATE_BATCH;
	if ((due = calloc(cap ? cap : 1, sizeof(*due))) == NULL)
		return status_set(st, STATUS_STORE_FAILED, "out of memory for due timers");
	if (deadline_timers_due(e->d->store, now_ms, due, cap, &got, st) == -1)
		goto out;
	for (i = 0; i < got; i++) {
		if (fire(e, &due[i], now_ms, &out[*n], st) == -1)
			goto out;
		(*n)++;
	}
	ret = 0;
out:
	free(due);
	return ret;
}
