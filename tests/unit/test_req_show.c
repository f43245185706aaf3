/* SPDX-License-Identifier: ISC */
/* Unit tests for agents/req_show.c, `dutynet show ID` of a decision as
 * people read it: a message that is not here is named; an accept made
 * without --reason shows no "reason:" line (no empty field, no trailing
 * spaces); a redirect shows where to, the reason and the note.  --json
 * keeps every field; a message whose content was purged under the retention
 * period says so, when and why.  The inbox is a stand-in that hands out one sealed
 * decision and its plaintext, as the real inbox stores them.  The units
 * under test are included. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "agents/ctlmsg.c"
#include "agents/output.c"
#include "agents/req.c"
#include "agents/req_show.c"
#include "common/clock.h"

#define T0 1700000000000ull	/* 14 November 2023: GMT */
#define BUF_MAX 2048

/* The one message in the inbox: its envelope and plaintext. */
static uint8_t env_bytes[BUF_MAX], plain[BUF_MAX];
static size_t env_len, plain_len;
static uint8_t msg_id[IDS_MSGID_BYTES];
static struct agent agent;
static struct settings_agent settings;
/* Set: the message's content was purged at this time (retention). */
static uint64_t purged_at;

static uint8_t *
copy(const uint8_t *p, size_t n)
{
	uint8_t *c = malloc(n);

	assert_non_null(c);
	memcpy(c, p, n);
	return c;
}

int
inbox_get(struct db *db, const uint8_t id[IDS_MSGID_BYTES], struct inbox_msg *m,
    struct status *st)
{
	(void)db, (void)st;
	if (env_len == 0 || memcmp(id, msg_id, IDS_MSGID_BYTES) != 0)
		return 0;
	memset(m, 0, sizeof(*m));
	memcpy(m->id, msg_id, IDS_MSGID_BYTES);
	m->type = ENVELOPE_DECISION;
	m->state = INBOX_RECEIVED;
	if (purged_at != 0) {
		/* What a purged row still holds: every header field. */
		snprintf(m->from, sizeof(m->from), "mash");
		snprintf(m->case_id, sizeof(m->case_id), "RD-1");
		m->urgency = URGENCY_STANDARD;
		m->created_ms = T0;
		m->purged_ms = purged_at;
	}
	return 1;
}

int
inbox_bytes(struct db *db, const uint8_t id[IDS_MSGID_BYTES], uint8_t **envelope,
    size_t *envelope_len, uint8_t **payload, size_t *payload_len, struct status *st)
{
	(void)db, (void)id, (void)st;
	if (purged_at != 0)
		fail_msg("a purged message has no bytes to read");
	*envelope = copy(env_bytes, env_len);
	*envelope_len = env_len;
	*payload = copy(plain, plain_len);
	*payload_len = plain_len;
	return 1;
}

int
outbox_get(struct db *db, const uint8_t id[IDS_MSGID_BYTES], struct outbox_msg *m,
    struct status *st)
{
	(void)db, (void)id, (void)m, (void)st;
	return 0;
}

int
outbox_envelope(struct db *db, const uint8_t id[IDS_MSGID_BYTES], uint8_t **buf, size_t *len,
    struct status *st)
{
	(void)db, (void)id, (void)buf, (void)len, (void)st;
	fail_msg("only messages in the inbox are shown here");
	return -1;
}

const uint8_t *
pairkeys_get(struct pairkeys *p, const uint8_t peer_pk[SEAL_BOX_PKBYTES],
    enum seal_direction dir, struct status *st)
{
	(void)p, (void)peer_pk, (void)dir, (void)st;
	fail_msg("the inbox keeps the plaintext: no key is needed");
	return NULL;
}

const char *
notice_kind_name(int kind)
{
	(void)kind;
	return "reminder";
}

const char *
inbox_state_name(int state)
{
	return state == INBOX_RECEIVED ? "received" : "other";
}

const char *
outbox_state_name(int state)
{
	(void)state;
	return "other";
}

static void
text(struct payload_text *t, const char *s)
{
	t->s = s;
	t->len = s != NULL ? (uint32_t)strlen(s) : 0;
}

/* Puts in the inbox a decision from mash to school-a, as req_answer makes
 * one: the texts not given are empty, redirect_to absent unless given. */
static void
receive_decision(int decision, const char *reason, const char *to, const char *note)
{
	struct envelope_header h;
	struct payload p;
	uint8_t key[SEAL_KEYBYTES], pk[SEAL_SIGN_PKBYTES], sk[SEAL_SIGN_SKBYTES];
	struct status st;

	memset(&p, 0, sizeof(p));
	p.type = ENVELOPE_DECISION;
	text(&p.u.decision.by_name, "Jo Bloggs");
	text(&p.u.decision.by_role, "Duty Social Worker");
	p.u.decision.decision = (uint8_t)decision;
	text(&p.u.decision.reason, reason != NULL ? reason : "");
	text(&p.u.decision.redirect_to, to);
	text(&p.u.decision.text, note != NULL ? note : "");
	assert_int_equal(payload_encode(&p, plain, sizeof(plain), &plain_len, &st), 0);

	memset(&h, 0, sizeof(h));
	h.version = ENVELOPE_VERSION;
	h.type = ENVELOPE_DECISION;
	ids_msgid_new(T0, h.id);
	snprintf(h.case_id, sizeof(h.case_id), "RD-1");
	h.has_reply_to = true;
	ids_msgid_new(T0 - 1000, h.reply_to);
	snprintf(h.from, sizeof(h.from), "mash");
	snprintf(h.to, sizeof(h.to), "school-a");
	h.created_ms = T0;
	h.urgency = URGENCY_STANDARD;
	randombytes_buf(key, sizeof(key));
	crypto_sign_keypair(pk, sk);
	assert_int_equal(seal_envelope(&h, plain, plain_len, key, sk, NULL, env_bytes,
			     sizeof(env_bytes), &env_len, &st), 0);
	memcpy(msg_id, h.id, IDS_MSGID_BYTES);
}

/* Runs `dutynet show ID` into o. */
static int
show(const uint8_t id[IDS_MSGID_BYTES], bool json, struct output *o, struct status *st)
{
	char idtext[IDS_MSGID_TEXT + 1];
	struct ctlmsg_request rq;
	struct req r;

	ids_msgid_format(id, idtext);
	memset(&rq, 0, sizeof(rq));
	snprintf(rq.verb, sizeof(rq.verb), "show");
	rq.args[0].key = "id";
	rq.args[0].value = idtext;
	rq.nargs = 1;
	memset(&r, 0, sizeof(r));
	r.a = &agent;
	r.rq = &rq;
	r.out = o;
	output_init(o, json);
	return req_show(&r, st);
}

/* The text after the header: from the "decision:" line to the end. */
static const char *
body(const struct output *o)
{
	const char *at = strstr(o->buf, "\ndecision:");

	assert_non_null(at);
	return at + 1;
}

static void
a_message_not_here_is_named(void **state)
{
	uint8_t other[IDS_MSGID_BYTES];
	struct output o;
	struct status st;

	(void)state;
	receive_decision(DECISION_ACCEPT, NULL, NULL, NULL);
	ids_msgid_new(T0 + 1, other);
	assert_int_equal(show(other, false, &o, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_non_null(strstr(st.text, " here; 'dutynet inbox' and 'dutynet outbox --all'"));
	output_free(&o);
}

static void
an_accept_without_a_reason_has_no_reason_line(void **state)
{
	struct output o;
	struct status st;

	(void)state;
	receive_decision(DECISION_ACCEPT, NULL, NULL, NULL);
	assert_int_equal(show(msg_id, false, &o, &st), 0);
	assert_string_equal(body(&o),
	    "decision:     accept\n"
	    "by:           Jo Bloggs, Duty Social Worker\n");
	assert_null(strstr(o.buf, "reason"));
	assert_null(strstr(o.buf, " \n"));
	output_free(&o);
	/* The machine form keeps the field, empty. */
	assert_int_equal(show(msg_id, true, &o, &st), 0);
	assert_non_null(strstr(o.buf, "\"decision\": \"accept\""));
	assert_non_null(strstr(o.buf, "\"reason\": \"\", \"redirect_to\": null, \"text\": \"\""));
	output_free(&o);
}

static void
a_redirect_says_where_to_and_why(void **state)
{
	struct output o;
	struct status st;

	(void)state;
	receive_decision(DECISION_REDIRECT, "A mental health need", "camhs",
	    "CAMHS will contact the family.");
	assert_int_equal(show(msg_id, false, &o, &st), 0);
	assert_string_equal(body(&o),
	    "decision:     redirect to camhs\n"
	    "by:           Jo Bloggs, Duty Social Worker\n"
	    "reason:       A mental health need\n"
	    "CAMHS will contact the family.\n");
	output_free(&o);
	/* A decline has a reason, and no note. */
	receive_decision(DECISION_DECLINE, "Below the threshold", NULL, NULL);
	assert_int_equal(show(msg_id, false, &o, &st), 0);
	assert_string_equal(body(&o),
	    "decision:     decline\n"
	    "by:           Jo Bloggs, Duty Social Worker\n"
	    "reason:       Below the threshold\n");
	output_free(&o);
}

/* Content purged under the retention period: the header from the row, and
 * a clear line saying when and why, never an error or a blank. */
static void
a_purged_message_says_when_and_why(void **state)
{
	char idtext[IDS_MSGID_TEXT + 1], want[512];
	struct output o;
	struct status st;

	(void)state;
	receive_decision(DECISION_ACCEPT, NULL, NULL, NULL);
	ids_msgid_format(msg_id, idtext);
	purged_at = T0 + 7 * 366 * 24 * 3600000ull;	/* 2030-11-19 22:13:20 GMT */
	assert_int_equal(retention_period_parse("7 years", &settings.retention, &st), 0);
	assert_int_equal(show(msg_id, false, &o, &st), 0);
	assert_non_null(strstr(o.buf, "decision "));
	assert_non_null(strstr(o.buf, " from mash to school-a (received)\ncase:         RD-1\n"));
	snprintf(want, sizeof(want), "content:      purged on 2030-11-19T22:13:20Z under the "
	    "retention policy (retention = \"7 years\"); the envelope hash, receipts and the "
	    "record of what happened are kept: 'dutynet status %s'\n", idtext);
	assert_string_equal(strstr(o.buf, "content:"), want);
	assert_null(strstr(o.buf, "decision:"));
	output_free(&o);
	assert_int_equal(show(msg_id, true, &o, &st), 0);
	assert_non_null(strstr(o.buf, "\"state\": \"received\", \"purged\": {\"time\": "
	    "\"2030-11-19T22:13:20Z\", \"retention\": \"7 years\"}}\n"));
	assert_null(strstr(o.buf, "\"content\""));
	output_free(&o);
	/* Without a retention setting now, it still says what happened. */
	memset(&settings.retention, 0, sizeof(settings.retention));
	assert_int_equal(show(msg_id, false, &o, &st), 0);
	assert_non_null(strstr(o.buf, "under the retention policy; the envelope hash"));
	output_free(&o);
	purged_at = 0;
}

static int
setup(void **state)
{
	(void)state;
	assert_true(sodium_init() >= 0);
	clock_set_fixed(T0);
	memset(&agent, 0, sizeof(agent));
	memset(&settings, 0, sizeof(settings));
	snprintf(settings.agency, sizeof(settings.agency), "school-a");
	agent.settings = &settings;
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_message_not_here_is_named),
		cmocka_unit_test(an_accept_without_a_reason_has_no_reason_line),
		cmocka_unit_test(a_redirect_says_where_to_and_why),
		cmocka_unit_test(a_purged_message_says_when_and_why),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
