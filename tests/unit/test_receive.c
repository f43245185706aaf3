/* SPDX-License-Identifier: ISC */
/* Unit tests for agents/receive.c on the broker's deadline notices: a
 * notice sealed here with a broker key pair (as the broker seals one) is
 * verified with the broker's signing key from directory.conf, decrypted
 * with the pair key for the broker's box key, stored in the inbox and the
 * notices table, audited against the message it is about, and answered
 * with an ACK - never a receipt; a duplicate is stored once and ACKed
 * again; a notice that does not verify, one signed with another key and a
 * broker message that is not a notice are stored as rejected and ACKed,
 * with no reject sent (the broker takes none).
 *
 * receive.c, inbox.c, notice.c, row.c and pairkeys.c are included; what a
 * notice must never reach (the outbox, the receipt and reject composer,
 * the hook) is stubbed to fail the test, and link_send records the
 * answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "agents/agentdb.c"
#include "agents/inbox.c"
#include "agents/notice.c"
#include "agents/pairkeys.c"
#include "agents/receive.c"
#include "agents/row.c"
#include "tests/support/confdir.h"

#define SEQ 41
#define ANSWERS_MAX 8
#define ENVELOPE_CAP 4096
#define DUE_MS 1749632400000ull	/* 2025-06-11T09:00:00Z */
#define NOTICE_TEXT "mash has not acknowledged referral 0197... from school-a (due " \
	"2025-06-11 10:00 BST); told next: camhs in 2 working hours"

/* What link_send was asked to send. */
static struct {
	uint8_t command;
	uint64_t seq;
	int with_envelope;
} answers[ANSWERS_MAX];
static size_t n_answers;

static char *confdir;
static struct agent a;
static struct keyfile *broker_keys, *school_keys;
static struct settings_agent settings;

/* The web inbox is not under test (a.web stays NULL). */
void
web_stored(struct web *w, const uint8_t id[IDS_MSGID_BYTES])
{
	(void)w;
	(void)id;
}

int
link_send(struct link *l, const struct frame *f, const uint8_t *envelope, size_t len)
{
	(void)l;
	(void)len;
	assert_true(n_answers < ANSWERS_MAX);
	answers[n_answers].command = f->command;
	answers[n_answers].seq = f->seq;
	answers[n_answers].with_envelope = envelope != NULL;
	n_answers++;
	return 0;
}

/* Countersigning (agents/cpsend.c) is tested in test_cpsend.c. */
void
cpsend_session(struct cpsend *s)
{
	(void)s;
}

int
cpsend_on_countersigned(struct agent *ag, const struct frame *f, struct status *st)
{
	(void)ag, (void)f, (void)st;
	fail_msg("a notice was taken for a COUNTERSIGNED");
	return -1;
}

/* A notice must reach none of these. */
int
outbox_put(struct db *db, const struct envelope *env, const uint8_t *bytes, size_t len,
    uint64_t now_ms, struct status *st)
{
	(void)db, (void)env, (void)bytes, (void)len, (void)now_ms, (void)st;
	fail_msg("a notice made an outbox message (a reject to the broker?)");
	return -1;
}

int
outbox_get(struct db *db, const uint8_t id[IDS_MSGID_BYTES], struct outbox_msg *m,
    struct status *st)
{
	(void)db, (void)id, (void)m, (void)st;
	fail_msg("a notice was applied to the outbox");
	return -1;
}

int
outbox_result(struct db *db, const uint8_t id[IDS_MSGID_BYTES], int code, const char *text,
    uint64_t now_ms, uint64_t retry_ms, enum outbox_effect *effect, struct status *st)
{
	(void)db, (void)id, (void)code, (void)text, (void)now_ms, (void)retry_ms, (void)effect;
	(void)st;
	fail_msg("unexpected RESULT");
	return -1;
}

int
outbox_outcome(struct db *db, const uint8_t id[IDS_MSGID_BYTES], int code, const char *text,
    uint64_t now_ms, enum outbox_effect *effect, struct status *st)
{
	(void)db, (void)id, (void)code, (void)text, (void)now_ms, (void)effect, (void)st;
	fail_msg("unexpected OUTCOME");
	return -1;
}

int
outbox_delivered(struct db *db, const uint8_t id[IDS_MSGID_BYTES], const uint8_t *receipt,
    size_t receipt_len, uint64_t receipt_ms, uint64_t now_ms, enum outbox_effect *effect,
    struct status *st)
{
	(void)db, (void)id, (void)receipt, (void)receipt_len, (void)receipt_ms, (void)now_ms;
	(void)effect, (void)st;
	fail_msg("unexpected receipt");
	return -1;
}

int
compose_receipt(struct agent *ag, const struct envelope *env, const uint8_t *bytes, size_t n,
    uint64_t received_ms, uint8_t **out, size_t *len, struct status *st)
{
	(void)ag, (void)env, (void)bytes, (void)n, (void)received_ms, (void)out, (void)len;
	(void)st;
	fail_msg("a notice was receipted");
	return -1;
}

int
compose_reject(struct agent *ag, const struct envelope_header *h, int code, const char *text,
    uint8_t **out, size_t *len, struct status *st)
{
	(void)ag, (void)h, (void)code, (void)text, (void)out, (void)len, (void)st;
	fail_msg("a reject was composed for the broker");
	return -1;
}

int
hook_enqueue(struct hook *h, struct db *db, const uint8_t id[IDS_MSGID_BYTES], int type,
    int urgency, uint64_t now_ms, struct status *st)
{
	(void)h, (void)db, (void)id, (void)type, (void)urgency, (void)now_ms, (void)st;
	fail_msg("no hook is configured");
	return -1;
}

static struct keyfile *
load_keys(const char *id)
{
	struct keyfile *k;
	struct status st;
	char name[64], *path;

	snprintf(name, sizeof(name), "keys/%s.key", id);
	path = confdir_path(confdir, name);
	assert_int_equal(keyfile_load(path, &k, &st), 0);
	free(path);
	return k;
}

static int
setup(void **state)
{
	struct conf_errors *errs = conf_errors_new();
	struct status st;
	char *path;

	(void)state;
	confdir = confdir_new();
	confdir_area(confdir);
	memset(&a, 0, sizeof(a));
	a.confdir = confdir;
	a.dir = directory_load(confdir, errs);
	a.policy = policy_load(confdir, a.dir, errs);
	assert_int_equal(conf_errors_count(errs), 0);
	conf_errors_destroy(&errs);
	assert_non_null(a.cals = agencycal_load(confdir, a.dir, agencycal_holidays_path(), &st));
	a.self = directory_find(a.dir, "mash");
	a.keys = load_keys("mash");
	broker_keys = load_keys("broker");
	school_keys = load_keys("school-a");
	assert_true(broker_keys->has_box);
	assert_non_null(a.pairs = pairkeys_new(a.keys));
	path = confdir_path(confdir, "agent.db");
	assert_non_null(a.db = agentdb_open(path, &st));
	free(path);
	a.settings = &settings;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	db_close(&a.db);
	pairkeys_destroy(&a.pairs);
	keyfile_destroy(&a.keys);
	keyfile_destroy(&broker_keys);
	keyfile_destroy(&school_keys);
	agencycal_destroy(&a.cals);
	policy_destroy(&a.policy);
	directory_destroy(&a.dir);
	confdir_destroy(&confdir);
	return 0;
}

/* A notice from "broker" to mash about message `about`, sealed with box
 * key pair (box_sk, box_pk) and signed with sign_sk (as the broker does,
 * unless a test passes other keys), of the given type; *len bytes. */
static uint8_t *
seal_notice(int type, const uint8_t about[IDS_MSGID_BYTES], const uint8_t *sign_sk,
    const uint8_t box_sk[SEAL_BOX_SKBYTES], const uint8_t box_pk[SEAL_BOX_PKBYTES],
    size_t *len)
{
	const struct directory_broker *b = &a.dir->broker;
	struct envelope_header h;
	struct payload p;
	struct status st;
	uint8_t pt[1024], key[SEAL_KEYBYTES], *out = malloc(ENVELOPE_CAP);
	size_t pt_len;

	assert_non_null(out);
	memset(&h, 0, sizeof(h));
	h.version = ENVELOPE_VERSION;
	h.type = (uint8_t)type;
	ids_msgid_new(clock_now_ms(), h.id);
	snprintf(h.case_id, sizeof(h.case_id), "CASE-7");
	h.has_reply_to = true;
	memcpy(h.reply_to, about, IDS_MSGID_BYTES);
	snprintf(h.from, sizeof(h.from), "%s", b->id);
	snprintf(h.to, sizeof(h.to), "mash");
	h.created_ms = clock_now_ms();
	h.urgency = URGENCY_URGENT;
	memcpy(h.sender_sign_key, b->sign_keyid, SEAL_KEYID_BYTES);
	memcpy(h.sender_box_key, b->box_keyid, SEAL_KEYID_BYTES);
	memcpy(h.recipient_box_key, a.self->box_keyid, SEAL_KEYID_BYTES);
	memset(&p, 0, sizeof(p));
	p.type = (uint8_t)type;
	if (type == ENVELOPE_ESCALATION) {
		p.u.notice.kind = NOTICE_ESCALATION;
		memcpy(p.u.notice.about, about, IDS_MSGID_BYTES);
		p.u.notice.due_ms = DUE_MS;
		p.u.notice.text.s = NOTICE_TEXT;
		p.u.notice.text.len = (uint32_t)strlen(NOTICE_TEXT);
	} else {
		p.u.note.by_name.s = "Broker";
		p.u.note.by_name.len = 6;
		p.u.note.by_role.s = "broker";
		p.u.note.by_role.len = 6;
		p.u.note.text.s = "";
	}
	assert_int_equal(payload_encode(&p, pt, sizeof(pt), &pt_len, &st), 0);
	assert_int_equal(seal_pair_key(box_sk, box_pk, a.self->box_pk, SEAL_SENDING, key, &st), 0);
	assert_int_equal(seal_envelope(&h, pt, pt_len, key, sign_sk, NULL, out, ENVELOPE_CAP, len,
			     &st), 0);
	sodium_memzero(key, sizeof(key));
	return out;
}

/* Delivers bytes as DELIVER seq SEQ: exactly one answer comes back. */
static void
deliver(uint8_t *bytes, size_t len)
{
	struct link_msg m;

	memset(&m, 0, sizeof(m));
	m.f.command = FRAME_DELIVER;
	m.f.seq = SEQ;
	m.f.time_ms = clock_now_ms();
	m.envelope = bytes;
	m.len = len;
	n_answers = 0;
	receive_batch(&a, &m, 1);
	assert_int_equal(n_answers, 1);
}

static int
count_event(const struct auditlog_entry *e, void *arg)
{
	struct { const char *event; int n; const char *text; } *c = arg;

	if (strcmp(e->event, c->event) == 0 &&
	    (c->text == NULL || strstr(e->detail, c->text) != NULL))
		c->n++;
	return 0;
}

static int
audited(const uint8_t *id, const char *event, const char *text)
{
	struct { const char *event; int n; const char *text; } c = { event, 0, text };
	struct status st;

	assert_int_equal(auditlog_foreach(a.db, id, count_event, &c, &st), 0);
	return c.n;
}

static int
collect(const struct notice_row *n, void *arg)
{
	*(struct notice_row *)arg = *n;
	return 0;
}

static void
a_notice_is_verified_stored_audited_and_acked(void **state)
{
	uint8_t about[IDS_MSGID_BYTES], *env;
	struct envelope e;
	struct inbox_msg m;
	struct notice_row n;
	struct status st;
	uint64_t bad;
	size_t len;
	uint8_t *stored_env, *pt;
	size_t elen, plen;

	(void)state;
	ids_msgid_new(clock_now_ms(), about);
	env = seal_notice(ENVELOPE_ESCALATION, about, broker_keys->sign_sk, broker_keys->box_sk,
	    broker_keys->box_pk, &len);
	assert_int_equal(envelope_decode(env, len, &e, &st), 0);
	deliver(env, len);
	/* ACK [seq], not RECEIPT: notices are not receipted. */
	assert_int_equal(answers[0].command, FRAME_ACK);
	assert_int_equal(answers[0].seq, SEQ);
	assert_false(answers[0].with_envelope);

	assert_int_equal(inbox_get(a.db, e.h.id, &m, &st), 1);
	assert_int_equal(m.type, ENVELOPE_ESCALATION);
	assert_string_equal(m.from, "broker");
	assert_int_equal(m.state, INBOX_RECEIVED);
	assert_true(m.has_reply_to);
	assert_memory_equal(m.reply_to, about, IDS_MSGID_BYTES);
	assert_int_equal(inbox_bytes(a.db, e.h.id, &stored_env, &elen, &pt, &plen, &st), 1);
	assert_int_equal(elen, len);
	assert_memory_equal(stored_env, env, len);
	assert_non_null(pt);
	free(stored_env);
	free(pt);

	memset(&n, 0, sizeof(n));
	assert_int_equal(notice_list(a.db, about, collect, &n, &st), 0);
	assert_memory_equal(n.id, e.h.id, IDS_MSGID_BYTES);
	assert_int_equal(n.kind, NOTICE_ESCALATION);
	assert_int_equal(n.due_ms, DUE_MS);
	assert_string_equal(n.from, "broker");
	assert_string_equal(n.text, NOTICE_TEXT);
	/* The message it is about gets the entry its timeline shows. */
	assert_int_equal(audited(about, "escalation", "mash has not acknowledged"), 1);
	assert_int_equal(audited(e.h.id, "received", "ACKed (a notice is not receipted)"), 1);

	/* Delivered again: stored once, ACKed again, nothing new audited. */
	deliver(env, len);
	assert_int_equal(answers[0].command, FRAME_ACK);
	assert_int_equal(inbox_get(a.db, e.h.id, &m, &st), 1);
	assert_int_equal(m.deliveries, 2);
	assert_int_equal(audited(about, "escalation", NULL), 1);
	assert_int_equal(audited(e.h.id, "duplicate", NULL), 1);
	assert_int_equal(auditlog_verify(a.db, &bad, &st), 0);
	free(env);
}

/* The notice id in env; stored as rejected with code, ACKed, nothing sent. */
static void
refused(uint8_t *env, size_t len, int code)
{
	struct envelope e;
	struct inbox_msg m;
	struct status st;
	int64_t notices;

	assert_int_equal(envelope_decode(env, len, &e, &st), 0);
	notices = row_count(a.db, "SELECT count(*) FROM notices WHERE ?1 IS NULL", NULL, &st);
	deliver(env, len);
	assert_int_equal(answers[0].command, FRAME_ACK);
	assert_false(answers[0].with_envelope);
	assert_int_equal(inbox_get(a.db, e.h.id, &m, &st), 1);
	assert_int_equal(m.state, INBOX_REJECTED);
	assert_int_equal(m.reject_code, code);
	assert_int_equal(audited(e.h.id, "rejected", NULL), 1);
	assert_int_equal(row_count(a.db, "SELECT count(*) FROM notices WHERE ?1 IS NULL", NULL, &st),
	    notices);
}

static void
a_notice_that_does_not_verify_is_rejected_and_acked(void **state)
{
	uint8_t about[IDS_MSGID_BYTES], *env;
	size_t len;

	(void)state;
	ids_msgid_new(clock_now_ms(), about);
	env = seal_notice(ENVELOPE_ESCALATION, about, broker_keys->sign_sk, broker_keys->box_sk,
	    broker_keys->box_pk, &len);
	env[len - 1] ^= 0x01;	/* the signature's last byte */
	refused(env, len, STATUS_BAD_SIGNATURE);
	free(env);
}

static void
a_notice_signed_with_another_key_is_rejected(void **state)
{
	uint8_t about[IDS_MSGID_BYTES], *env;
	size_t len;

	(void)state;
	/* The broker's key ids in the header, a school's signature. */
	ids_msgid_new(clock_now_ms(), about);
	env = seal_notice(ENVELOPE_ESCALATION, about, school_keys->sign_sk, broker_keys->box_sk,
	    broker_keys->box_pk, &len);
	refused(env, len, STATUS_BAD_SIGNATURE);
	free(env);
	/* Sealed with a box key that is not the broker's: it does not open. */
	env = seal_notice(ENVELOPE_ESCALATION, about, broker_keys->sign_sk, school_keys->box_sk,
	    school_keys->box_pk, &len);
	refused(env, len, STATUS_DECRYPT_FAILED);
	free(env);
}

static void
the_broker_sends_only_notices(void **state)
{
	uint8_t about[IDS_MSGID_BYTES], *env;
	size_t len;

	(void)state;
	ids_msgid_new(clock_now_ms(), about);
	env = seal_notice(ENVELOPE_ACK, about, broker_keys->sign_sk, broker_keys->box_sk,
	    broker_keys->box_pk, &len);
	refused(env, len, STATUS_BAD_TYPE);
	free(env);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_notice_is_verified_stored_audited_and_acked),
		cmocka_unit_test(a_notice_that_does_not_verify_is_rejected_and_acked),
		cmocka_unit_test(a_notice_signed_with_another_key_is_rejected),
		cmocka_unit_test(the_broker_sends_only_notices),
	};

	if (seal_init() != 0)
		return 1;
	log_init("test_receive", 0);
	return cmocka_run_group_tests(tests, setup, teardown);
}
