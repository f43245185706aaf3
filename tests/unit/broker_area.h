/* SPDX-License-Identifier: ISC */
/*
 * broker_area: the fixture test_broker_deadline.c and test_escalate.c
 * share (a header, not a .c file, so that it is not linked into every unit
 * test): tests/support/confdir's area (school-a; mash, whose chain tells
 * the sender at once and camhs 2 working hours later; camhs) with the
 * deadline policy below, every calendar, the broker's keys, a real SQLite
 * store, and a fixed clock starting on Friday 7 June 2024 at 16:00 London
 * time (BST); Mon-Fri 09:00-17:00.  Include it after broker/deadline.c,
 * broker/escalate.c, broker/outcome.c and broker/store.c.
 */
#ifndef DUTYNET_TESTS_BROKER_AREA_H
#define DUTYNET_TESTS_BROKER_AREA_H

#include "common/clock.h"
#include "config/rfc3339.h"
#include "tests/support/confdir.h"

#define HOUR 3600000LL
#define MINUTE 60000LL
#define PATH_MAX_LEN 4096
#define NOTE_MAX 512

static const char policy_text[] =
    "sharing = ( { from = [ \"school\" ]; to = [ \"social-care\", \"camhs\" ];"
    " types = [ \"referral\", \"concern\" ]; },\n"
    "  { from = [ \"social-care\", \"camhs\" ]; to = [ \"school\" ];"
    " types = [ \"ack\", \"decision\", \"feedback\" ]; },\n"
    "  { from = [ \"broker\" ]; to = [ \"*\" ]; types = [ \"escalation\" ]; } );\n"
    "deadlines = (\n"
    "  { name = \"immediate\"; types = [ \"*\" ]; urgency = [ \"immediate\" ];"
    " ack = \"1 hour\"; decision = \"2 hours\"; },\n"
    "  { name = \"front door\"; types = [ \"*\" ]; to = [ \"mash\" ];"
    " ack = \"1 working day\"; decision = \"2 working days\"; feedback = \"1 hour\"; } );\n"
    "reminders = [ 50, 90 ];\n";

struct fixture {
	char *dir;
	char db[PATH_MAX_LEN];
	struct conf_errors *errs;
	struct directory *d;
	struct policy *p;
	struct agencycal *cals;
	struct keyfile *broker, *mash;
	struct store *s;
	struct deadline_env env;
	struct escalate_env esc;
};

static inline uint64_t
at(const char *text)
{
	struct status st;
	uint64_t ms;

	if (rfc3339_parse(text, &ms, &st) != 0)
		fail_msg("%s", st.text);
	return ms;
}

static inline struct keyfile *
keys_of(struct fixture *f, const char *id)
{
	char path[PATH_MAX_LEN];
	struct keyfile *k = NULL;
	struct status st;

	snprintf(path, sizeof(path), "%s/keys/%s.key", f->dir, id);
	if (keyfile_load(path, &k, &st) != 0)
		fail_msg("%s", st.text);
	return k;
}

static inline void
open_store(struct fixture *f)
{
	struct status st;

	if ((f->s = store_open(f->db, &st)) == NULL)
		fail_msg("%s", st.text);
	f->env.store = f->s;
}

static inline int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char holidays[PATH_MAX_LEN];
	struct status st;

	assert_non_null(f);
	f->dir = confdir_new();
	confdir_area(f->dir);
	confdir_write(f->dir, POLICY_FILE, policy_text);
	f->errs = conf_errors_new();
	f->d = directory_load(f->dir, f->errs);
	f->p = policy_load(f->dir, f->d, f->errs);
	assert_non_null(f->d);
	assert_non_null(f->p);
	snprintf(holidays, sizeof(holidays), "%s/config/%s", getenv("DUTYNET_SOURCE_DIR"),
	    CALENDAR_HOLIDAYS_FILE);
	f->cals = agencycal_load(f->dir, f->d, holidays, &st);
	assert_non_null(f->cals);
	f->broker = keys_of(f, "broker");
	f->mash = keys_of(f, "mash");
	snprintf(f->db, sizeof(f->db), "%s/broker.db", f->dir);
	f->env = (struct deadline_env){NULL, f->d, policy_deadlines(f->p), f->cals};
	f->esc = (struct escalate_env){&f->env, f->p, f->broker};
	open_store(f);
	clock_set_fixed(at("2024-06-07T16:00:00+01:00"));
	*state = f;
	return 0;
}

static inline int
teardown(void **state)
{
	struct fixture *f = *state;

	store_close(&f->s);
	keyfile_destroy(&f->broker);
	keyfile_destroy(&f->mash);
	agencycal_destroy(&f->cals);
	policy_destroy(&f->p);
	directory_destroy(&f->d);
	conf_errors_destroy(&f->errs);
	confdir_destroy(&f->dir);
	free(f);
	return 0;
}

static inline void
begin(struct fixture *f)
{
	struct status st;

	assert_int_equal(db_begin(store_db(f->s), &st), 0);
}

static inline void
commit(struct fixture *f)
{
	struct status st;

	assert_int_equal(db_commit(store_db(f->s), &st), 0);
}

/* An envelope from -> to, stored and passed to deadline_on_accept at the
 * clock's now, in one transaction; its id in id, the note in note. */
static inline void
accept(struct fixture *f, int type, int urgency, const char *from, const char *to,
    const uint8_t *reply_to, uint8_t id[IDS_MSGID_BYTES], char note[NOTE_MAX])
{
	static unsigned n;
	struct store_message sm;
	struct envelope env;
	struct status st;
	uint8_t bytes[64];
	size_t len;
	int dup;

	memset(&env, 0, sizeof(env));
	env.h.version = ENVELOPE_VERSION;
	env.h.type = (uint8_t)type;
	ids_msgid_new(clock_now_ms() + n, env.h.id);
	snprintf(env.h.case_id, sizeof(env.h.case_id), "case-%u", ++n);
	snprintf(env.h.from, sizeof(env.h.from), "%s", from);
	snprintf(env.h.to, sizeof(env.h.to), "%s", to);
	env.h.created_ms = clock_now_ms();
	env.h.urgency = (uint8_t)urgency;
	if (reply_to != NULL) {
		env.h.has_reply_to = true;
		memcpy(env.h.reply_to, reply_to, IDS_MSGID_BYTES);
	}
	len = (size_t)snprintf((char *)bytes, sizeof(bytes), "stand-in ciphertext %u", n);
	begin(f);
	assert_int_equal(store_put(f->s, &env, bytes, len, clock_now_ms(), 0, &dup, &sm, &st), 0);
	assert_int_equal(deadline_on_accept(&f->env, &env.h, clock_now_ms(), note, NOTE_MAX,
	    &st), 0);
	commit(f);
	memcpy(id, env.h.id, IDS_MSGID_BYTES);
}

static inline struct deadline_row
row(struct fixture *f, const uint8_t *id, enum deadline_step step)
{
	struct deadline_row r;
	struct status st;

	assert_int_equal(deadline_find(f->s, id, step, &r, &st), 1);
	return r;
}

/* The timers of id (all steps), in (step, ord) order. */
static inline int
timers(struct fixture *f, const uint8_t *id, struct deadline_timer *out, int cap)
{
	sqlite3_stmt *q;
	struct status st;
	int n = 0;

	q = db_prepare(store_db(f->s), "SELECT " TIMER_COLUMNS TIMER_FROM
	    " WHERE t.message_id = ?1 ORDER BY t.step, t.ord", &st);
	assert_non_null(q);
	sqlite3_bind_blob(q, 1, id, IDS_MSGID_BYTES, SQLITE_STATIC);
	while (db_step(store_db(f->s), q, &st) == DB_ROW) {
		assert_true(n < cap);
		assert_int_equal(read_timer(f->s, q, &out[n++], &st), 0);
	}
	return n;
}

/* Runs a timer pass at the clock's now in its own transaction. */
static inline unsigned
pass(struct fixture *f, struct escalate_fired *out)
{
	struct status st;
	unsigned n;

	begin(f);
	assert_int_equal(escalate_run(&f->esc, clock_now_ms(), out, ESCALATE_BATCH, &n, &st), 0);
	commit(f);
	return n;
}

/* Opens notice id as its recipient (mash) would: broker's keys from the
 * directory, mash's secret box key. */
static inline void
open_notice(struct fixture *f, const uint8_t *id, struct payload *p, char *text, size_t cap)
{
	static uint8_t bytes[4096], pt[4096];
	uint8_t key[SEAL_KEYBYTES];
	struct envelope env;
	struct status st;
	sqlite3_stmt *q;
	size_t len, pt_len;

	q = db_prepare(store_db(f->s), "SELECT envelope FROM messages WHERE id = ?1", &st);
	sqlite3_bind_blob(q, 1, id, IDS_MSGID_BYTES, SQLITE_STATIC);
	assert_int_equal(db_step(store_db(f->s), q, &st), DB_ROW);
	len = (size_t)sqlite3_column_bytes(q, 0);
	assert_true(len > 0 && len <= sizeof(bytes));
	memcpy(bytes, sqlite3_column_blob(q, 0), len);
	sqlite3_reset(q);
	assert_int_equal(envelope_decode(bytes, len, &env, &st), 0);
	assert_int_equal(env.h.type, ENVELOPE_ESCALATION);
	assert_string_equal(env.h.from, "broker");
	assert_memory_equal(env.h.sender_sign_key, f->d->broker.sign_keyid, SEAL_KEYID_BYTES);
	assert_memory_equal(env.h.sender_box_key, f->d->broker.box_keyid, SEAL_KEYID_BYTES);
	assert_int_equal(seal_verify(&env, f->d->broker.sign_pk, &st), 0);
	assert_int_equal(seal_pair_key(f->mash->box_sk, f->mash->box_pk, f->d->broker.box_pk,
	    SEAL_RECEIVING, key, &st), 0);
	assert_int_equal(seal_decrypt(&env, key, pt, sizeof(pt), &pt_len, &st), 0);
	assert_int_equal(payload_decode(ENVELOPE_ESCALATION, pt, pt_len, p, &st), 0);
	snprintf(text, cap, "%.*s", (int)p->u.notice.text.len, p->u.notice.text.s);
}

#endif
