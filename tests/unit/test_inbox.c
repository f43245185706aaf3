/* SPDX-License-Identifier: ISC */
/* Unit tests for agents/inbox.c: stored once per message id, the same
 * receipt for a duplicate, rejected messages, acknowledgement and decision
 * guards, and the audit entry of each change.  The unit under test is
 * included (the agent's modules are not a library). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "agents/agentdb.c"
#include "agents/inbox.c"
#include "agents/row.c"
#include "common/clock.h"

#define T0 1700000000000ull

static char tmpdir[64];
static int dbcount;

struct msg {
	uint8_t bytes[1024];
	size_t len;
	struct envelope env;
	uint8_t payload[8];
	uint8_t receipt[16];
	struct inbox_item it;
};

static struct db *
open_db(void)
{
	char path[128];
	struct status st;
	struct db *db;

	snprintf(path, sizeof(path), "%s/agent-%d.db", tmpdir, ++dbcount);
	db = agentdb_open(path, &st);
	assert_non_null(db);
	clock_set_fixed(T0);
	return db;
}

static void
make_msg(struct msg *m, int type, const char *from, const uint8_t *reply_to)
{
	struct envelope_header h;
	uint8_t key[SEAL_KEYBYTES], pk[SEAL_SIGN_PKBYTES], sk[SEAL_SIGN_SKBYTES];
	struct status st;

	memset(m, 0, sizeof(*m));
	memset(&h, 0, sizeof(h));
	h.version = ENVELOPE_VERSION;
	h.type = (uint8_t)type;
	ids_msgid_new(clock_now_ms(), h.id);
	snprintf(h.case_id, sizeof(h.case_id), "CASE-9");
	if (reply_to != NULL) {
		h.has_reply_to = true;
		memcpy(h.reply_to, reply_to, IDS_MSGID_BYTES);
	}
	snprintf(h.from, sizeof(h.from), "%s", from);
	snprintf(h.to, sizeof(h.to), "mash");
	h.created_ms = clock_now_ms() - 100;
	h.urgency = URGENCY_URGENT;
	randombytes_buf(key, sizeof(key));
	crypto_sign_keypair(pk, sk);
	randombytes_buf(m->payload, sizeof(m->payload));
	assert_int_equal(seal_envelope(&h, m->payload, sizeof(m->payload), key, sk, NULL,
			     m->bytes, sizeof(m->bytes), &m->len, &st),
	    0);
	assert_int_equal(envelope_decode(m->bytes, m->len, &m->env, &st), 0);
	randombytes_buf(m->receipt, sizeof(m->receipt));
	m->it.env = &m->env;
	m->it.bytes = m->bytes;
	m->it.len = m->len;
	m->it.payload = m->payload;
	m->it.payload_len = sizeof(m->payload);
	m->it.receipt = m->receipt;
	m->it.receipt_len = sizeof(m->receipt);
	m->it.accepted_ms = clock_now_ms() - 50;
	m->it.received_ms = clock_now_ms();
}

static void
store(struct db *db, struct msg *m)
{
	uint8_t *r;
	size_t rlen;
	struct status st;

	assert_int_equal(db_begin(db, &st), 0);
	assert_int_equal(inbox_seen(db, m->env.h.id, &r, &rlen, &st), 0);
	assert_null(r);
	assert_int_equal(inbox_put(db, &m->it, &st), 0);
	assert_int_equal(db_commit(db, &st), 0);
}

static struct inbox_msg
get(struct db *db, const struct msg *m)
{
	struct inbox_msg i;
	struct status st;

	assert_int_equal(inbox_get(db, m->env.h.id, &i, &st), 1);
	return i;
}

struct events {
	char out[256];
};

static int
add_event(const struct auditlog_entry *e, void *arg)
{
	struct events *ev = arg;
	size_t n = strlen(ev->out);

	snprintf(ev->out + n, sizeof(ev->out) - n, "%s%s", n ? " " : "", e->event);
	return 0;
}

static const char *
events_of(struct db *db, const uint8_t *id, struct events *ev)
{
	struct status st;

	ev->out[0] = '\0';
	assert_int_equal(auditlog_foreach(db, id, add_event, ev, &st), 0);
	return ev->out;
}

static void
verify_audit(struct db *db)
{
	struct status st;
	uint64_t bad;

	assert_int_equal(auditlog_verify(db, &bad, &st), 0);
}

static void
second_put_of_an_id_is_a_conflict(void **state)
{
	struct db *db = open_db();
	struct status st;
	struct msg m;

	(void)state;
	make_msg(&m, ENVELOPE_REFERRAL, "school-a", NULL);
	store(db, &m);
	assert_int_equal(db_begin(db, &st), 0);
	assert_int_equal(inbox_put(db, &m.it, &st), -1);
	assert_int_equal(st.code, STATUS_CONFLICT);
	assert_int_equal(db_rollback(db, &st), 0);
	assert_int_equal(inbox_count(db, -1, &st), 1);
	db_close(&db);
}

static void
duplicate_is_stored_once_and_gets_the_same_receipt(void **state)
{
	struct db *db = open_db();
	struct inbox_msg i;
	struct events ev;
	struct status st;
	struct msg m;
	uint8_t *r, *env, *pt;
	size_t rlen, elen, plen;

	(void)state;
	make_msg(&m, ENVELOPE_REFERRAL, "school-a", NULL);
	store(db, &m);
	i = get(db, &m);
	assert_int_equal(i.state, INBOX_RECEIVED);
	assert_int_equal(i.deliveries, 1);
	assert_string_equal(i.from, "school-a");
	assert_string_equal(i.case_id, "CASE-9");
	assert_int_equal(i.urgency, URGENCY_URGENT);
	assert_int_equal(i.received_ms, T0);
	assert_int_equal(i.accepted_ms, T0 - 50);
	assert_int_equal(i.created_ms, T0 - 100);

	clock_advance(1000);
	assert_int_equal(db_begin(db, &st), 0);
	assert_int_equal(inbox_seen(db, m.env.h.id, &r, &rlen, &st), 1);
	assert_int_equal(db_commit(db, &st), 0);
	assert_non_null(r);
	assert_int_equal(rlen, sizeof(m.receipt));
	assert_memory_equal(r, m.receipt, rlen);
	free(r);
	i = get(db, &m);
	assert_int_equal(i.deliveries, 2);
	assert_int_equal(i.received_ms, T0);	/* the first commit's time stays */
	assert_int_equal(inbox_count(db, -1, &st), 1);

	assert_int_equal(inbox_bytes(db, m.env.h.id, &env, &elen, &pt, &plen, &st), 1);
	assert_int_equal(elen, m.len);
	assert_memory_equal(env, m.bytes, elen);
	assert_int_equal(plen, sizeof(m.payload));
	assert_memory_equal(pt, m.payload, plen);
	free(env);
	free(pt);
	assert_string_equal(events_of(db, m.env.h.id, &ev), "received duplicate");
	verify_audit(db);
	db_close(&db);
}

static void
rejected_message_has_no_payload_and_no_receipt(void **state)
{
	struct db *db = open_db();
	struct inbox_msg i;
	struct events ev;
	struct status st;
	struct msg m;
	uint8_t *r, *env, *pt;
	size_t rlen, elen, plen;

	(void)state;
	make_msg(&m, ENVELOPE_REFERRAL, "school-a", NULL);
	m.it.payload = NULL;
	m.it.receipt = NULL;
	assert_int_equal(db_begin(db, &st), 0);
	assert_int_equal(inbox_put_rejected(db, &m.it, STATUS_DECRYPT_FAILED,
			     "payload does not decrypt", &st),
	    0);
	assert_int_equal(db_commit(db, &st), 0);
	i = get(db, &m);
	assert_int_equal(i.state, INBOX_REJECTED);
	assert_int_equal(i.reject_code, STATUS_DECRYPT_FAILED);
	assert_string_equal(i.reject_text, "payload does not decrypt");

	assert_int_equal(db_begin(db, &st), 0);
	assert_int_equal(inbox_seen(db, m.env.h.id, &r, &rlen, &st), 1);
	assert_null(r);
	assert_int_equal(db_commit(db, &st), 0);
	assert_int_equal(inbox_bytes(db, m.env.h.id, &env, &elen, &pt, &plen, &st), 1);
	assert_non_null(env);
	assert_null(pt);
	free(env);

	/* A rejected message cannot be acknowledged. */
	assert_int_equal(db_begin(db, &st), 0);
	assert_int_equal(inbox_acknowledge(db, m.env.h.id, "A B, duty", T0, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_int_equal(db_rollback(db, &st), 0);
	assert_string_equal(events_of(db, m.env.h.id, &ev), "rejected duplicate");
	assert_int_equal(inbox_count(db, INBOX_REJECTED, &st), 1);
	verify_audit(db);
	db_close(&db);
}

static void
acknowledge_and_decide_guards(void **state)
{
	struct db *db = open_db();
	struct inbox_msg i;
	struct events ev;
	struct status st;
	struct msg m, fb, missing;

	(void)state;
	make_msg(&m, ENVELOPE_CONCERN, "school-a", NULL);
	store(db, &m);
	make_msg(&fb, ENVELOPE_FEEDBACK, "school-a", m.env.h.id);
	store(db, &fb);
	make_msg(&missing, ENVELOPE_REFERRAL, "school-a", NULL);

	assert_int_equal(db_begin(db, &st), 0);
	assert_int_equal(inbox_acknowledge(db, missing.env.h.id, "X, y", T0, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_non_null(strstr(st.text, "no message"));
	assert_int_equal(inbox_acknowledge(db, fb.env.h.id, "X, y", T0, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_non_null(strstr(st.text, "feedback"));
	assert_int_equal(inbox_decide(db, missing.env.h.id, "accept", "X, y", "accept", T0, &st),
	    -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);

	assert_int_equal(inbox_acknowledge(db, m.env.h.id, "Jo Bloggs, duty social worker",
			     T0 + 10, &st),
	    1);
	assert_int_equal(inbox_acknowledge(db, m.env.h.id, "Someone Else, x", T0 + 20, &st), 0);
	assert_int_equal(inbox_decide(db, m.env.h.id, "decline", "Jo Bloggs, duty social worker",
			     "decline: threshold not met", T0 + 30, &st),
	    0);
	assert_int_equal(inbox_decide(db, m.env.h.id, "accept", "Jo, x", "accept", T0 + 40, &st),
	    -1);
	assert_int_equal(st.code, STATUS_CONFLICT);
	assert_non_null(strstr(st.text, "decline"));
	assert_int_equal(inbox_acknowledge(db, m.env.h.id, "Late, x", T0 + 50, &st), 0);
	assert_int_equal(db_commit(db, &st), 0);

	i = get(db, &m);
	assert_int_equal(i.state, INBOX_DECIDED);
	assert_string_equal(i.ack_by, "Jo Bloggs, duty social worker");
	assert_int_equal(i.ack_ms, T0 + 10);
	assert_string_equal(i.decision, "decline");
	assert_int_equal(i.decision_ms, T0 + 30);
	assert_string_equal(events_of(db, m.env.h.id, &ev), "received acknowledged decided");
	assert_string_equal(inbox_state_name(INBOX_DECIDED), "decided");
	assert_int_equal(inbox_state_parse("acknowledged"), INBOX_ACKNOWLEDGED);
	assert_int_equal(inbox_state_parse("x"), -1);
	verify_audit(db);
	db_close(&db);
}

static void
decide_without_acknowledging_first(void **state)
{
	struct db *db = open_db();
	struct status st;
	struct msg m;

	(void)state;
	make_msg(&m, ENVELOPE_REFERRAL, "school-a", NULL);
	store(db, &m);
	assert_int_equal(db_begin(db, &st), 0);
	assert_int_equal(inbox_decide(db, m.env.h.id, "accept", "A, b", "accept", T0, &st), 0);
	assert_int_equal(db_commit(db, &st), 0);
	assert_int_equal(get(db, &m).state, INBOX_DECIDED);
	assert_int_equal(get(db, &m).ack_ms, 0);
	db_close(&db);
}

static int
count_msg(const struct inbox_msg *i, void *arg)
{
	(void)i;
	(*(int *)arg)++;
	return 0;
}

static int
stop_at_first(const struct inbox_msg *i, void *arg)
{
	(void)i;
	(*(int *)arg)++;
	return 1;
}

static void
lists_and_replies(void **state)
{
	struct db *db = open_db();
	struct status st;
	struct msg a, b, r1, r2;
	int n;

	(void)state;
	make_msg(&a, ENVELOPE_REFERRAL, "school-a", NULL);
	store(db, &a);
	make_msg(&b, ENVELOPE_REFERRAL, "school-b", NULL);
	store(db, &b);
	make_msg(&r1, ENVELOPE_FEEDBACK, "school-a", a.env.h.id);
	store(db, &r1);
	make_msg(&r2, ENVELOPE_FEEDBACK, "school-a", a.env.h.id);
	store(db, &r2);
	n = 0;
	assert_int_equal(inbox_list(db, count_msg, &n, &st), 0);
	assert_int_equal(n, 4);
	n = 0;
	assert_int_equal(inbox_list(db, stop_at_first, &n, &st), 0);
	assert_int_equal(n, 1);
	n = 0;
	assert_int_equal(inbox_replies(db, a.env.h.id, count_msg, &n, &st), 0);
	assert_int_equal(n, 2);
	n = 0;
	assert_int_equal(inbox_replies(db, b.env.h.id, count_msg, &n, &st), 0);
	assert_int_equal(n, 0);
	assert_int_equal(inbox_count(db, INBOX_RECEIVED, &st), 4);
	db_close(&db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(second_put_of_an_id_is_a_conflict),
		cmocka_unit_test(duplicate_is_stored_once_and_gets_the_same_receipt),
		cmocka_unit_test(rejected_message_has_no_payload_and_no_receipt),
		cmocka_unit_test(acknowledge_and_decide_guards),
		cmocka_unit_test(decide_without_acknowledging_first),
		cmocka_unit_test(lists_and_replies),
	};
	char cmd[128];
	int rc;

	if (seal_init() != 0)
		return 1;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_inbox.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		rc = 1;
	return rc;
}
