/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for agents/cpsend.c on a real agent-like database (an audit
 * log and the checkpoints common/checkpointer.c writes), with the link
 * stubbed to record what is sent: nothing before the session is up or
 * before a checkpoint exists; the newest checkpoint with a proof from the
 * empty log, then from the size the broker countersigned (checked against
 * the roots); one CHECKPOINT outstanding at a time, sent again after a
 * timeout or a new session; a countersigned copy kept only if the
 * broker's countersignature verifies; 560 moving the proof's start (also
 * beyond this log's end, which is sent as it is for the broker to judge);
 * 561 not retried until the next checkpoint; 4xx retried later.
 *
 * cpsend.c is included; link_state and link_send are stubs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>
#include <sqlite3.h>

#include "agents/cpsend.c"
#include "common/auditlog.h"
#include "common/keyfile.h"

#define ORIGIN "school-a"
#define T0 1767225600000ull
#define SENT_MAX 8

static char tmpdir[64];
static int dbcount;
static struct keyfile *school, *broker_keys, *stranger;
static struct directory_agency self;
static struct directory dir;
static struct settings_agent settings;

static enum link_state state = LINK_READY;
static struct {
	struct frame f;
	uint8_t proof[MERKLE_PROOF_MAX_BYTES];
	size_t proof_len;
	int had_frame2;
} sent[SENT_MAX];
static size_t n_sent;
static int refuse_send;

enum link_state
link_state(const struct link *l)
{
	(void)l;
	return state;
}

int
link_send(struct link *l, const struct frame *f, const uint8_t *envelope, size_t len)
{
	(void)l;
	if (refuse_send)
		return -1;
	assert_true(n_sent < SENT_MAX);
	assert_true(len <= MERKLE_PROOF_MAX_BYTES);
	sent[n_sent].f = *f;
	sent[n_sent].had_frame2 = envelope != NULL;
	memcpy(sent[n_sent].proof, envelope, len);
	sent[n_sent].proof_len = len;
	n_sent++;
	return 0;
}

struct fx {
	struct agent a;
	struct checkpointer *c;
};

static int
setup(void **state_)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct status st;
	char path[128];

	assert_non_null(f);
	snprintf(path, sizeof(path), "%s/agent-%d.db", tmpdir, ++dbcount);
	assert_non_null(f->a.db = db_open(path, &st));
	assert_int_equal(auditlog_create(f->a.db, &st), 0);
	clock_set_fixed(T0);
	assert_non_null(f->c = checkpointer_open(f->a.db, ORIGIN, school->sign_sk, 1000, 60000,
	    &st));
	f->a.dir = &dir;
	f->a.self = &self;
	f->a.settings = &settings;
	assert_non_null(f->a.cpsend = cpsend_new());
	state = LINK_READY;
	n_sent = 0;
	refuse_send = 0;
	*state_ = f;
	return 0;
}

static int
teardown(void **state_)
{
	struct fx *f = *state_;

	cpsend_destroy(&f->a.cpsend);
	cpsend_destroy(&f->a.cpsend);	/* NULL is fine */
	checkpointer_destroy(&f->c);
	db_close(&f->a.db);
	free(f);
	return 0;
}

/* n more audit rows, then a checkpoint of the whole log. */
static void
grow(struct fx *f, int n)
{
	struct status st;
	int i;

	for (i = 0; i < n; i++) {
		assert_int_equal(db_begin(f->a.db, &st), 0);
		assert_int_equal(auditlog_append(f->a.db, "test-event", ORIGIN, NULL, "x", &st), 0);
		assert_int_equal(db_commit(f->a.db, &st), 0);
	}
	assert_int_equal(checkpointer_write(f->c, &st), 0);
	cpsend_written(f->a.cpsend);
}

/* The broker's answer to the last CHECKPOINT sent: code, and the sent
 * text countersigned with key k (or text as given if not NULL). */
static void
answer_with(struct fx *f, int code, const struct keyfile *k, const char *text)
{
	struct frame r;
	struct checkpoint cp;
	struct status st;
	size_t len;

	memset(&r, 0, sizeof(r));
	r.command = FRAME_COUNTERSIGNED;
	r.code = (uint16_t)code;
	if (text != NULL) {
		snprintf(r.checkpoint, sizeof(r.checkpoint), "%s", text);
	} else if (k != NULL) {
		assert_true(n_sent > 0);
		assert_int_equal(checkpoint_parse(sent[n_sent - 1].f.checkpoint,
		    strlen(sent[n_sent - 1].f.checkpoint), &cp, &st), 0);
		assert_int_equal(checkpoint_countersign(&cp, "broker", k->sign_sk, &st), 0);
		assert_int_equal(checkpoint_encode(&cp, r.checkpoint, &len, &st), 0);
		r.size = cp.size;
	}
	assert_int_equal(db_begin(f->a.db, &st), 0);
	assert_int_equal(cpsend_on_countersigned(&f->a, &r, &st), 0);
	assert_int_equal(db_commit(f->a.db, &st), 0);
}

/* A countersigned checkpoint of a log of size made-up leaves. */
static void
broker_copy(uint64_t size, char out[CHECKPOINT_TEXT_MAX + 1])
{
	struct checkpoint cp;
	uint8_t root[MERKLE_HASHBYTES];
	struct status st;
	size_t len;

	memset(root, 0x5a, sizeof(root));
	assert_int_equal(checkpoint_init(&cp, ORIGIN, size, root, T0, &st), 0);
	assert_int_equal(checkpoint_sign(&cp, school->sign_sk, &st), 0);
	assert_int_equal(checkpoint_countersign(&cp, "broker", broker_keys->sign_sk, &st), 0);
	assert_int_equal(checkpoint_encode(&cp, out, &len, &st), 0);
}

static int64_t
countersigned_rows(struct fx *f)
{
	sqlite3_stmt *s;
	int64_t n;

	assert_int_equal(sqlite3_prepare_v2(db_handle(f->a.db),
	    "SELECT count(*) FROM checkpoints WHERE countersigned IS NOT NULL", -1, &s, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

/* The last CHECKPOINT sent: its text is the newest row's, from from_size,
 * and its proof takes the tree of from_size leaves to the row's root. */
static void
check_sent(struct fx *f, uint64_t from)
{
	struct checkpointer_row row;
	struct checkpoint cp;
	struct status st;
	uint8_t old[MERKLE_HASHBYTES];

	assert_true(n_sent > 0);
	assert_int_equal(sent[n_sent - 1].f.command, FRAME_CHECKPOINT);
	assert_true(sent[n_sent - 1].had_frame2);
	assert_int_equal(checkpointer_newest(f->a.db, &row, &st), 1);
	assert_string_equal(sent[n_sent - 1].f.checkpoint, row.text);
	assert_int_equal(sent[n_sent - 1].f.from_size, from);
	assert_int_equal(checkpoint_parse(row.text, row.len, &cp, &st), 0);
	assert_int_equal(checkpoint_verify(&cp, school->sign_pk, &st), 0);
	if (from > row.size) {
		assert_int_equal(sent[n_sent - 1].proof_len, 0);
		return;
	}
	/* The old root from the database, independently of cpsend. */
	{
		struct merkle_tree t;
		sqlite3_stmt *s;

		merkle_tree_init(&t);
		assert_int_equal(sqlite3_prepare_v2(db_handle(f->a.db),
		    "SELECT hash FROM audit WHERE seq <= ? ORDER BY seq", -1, &s, NULL), SQLITE_OK);
		sqlite3_bind_int64(s, 1, (sqlite3_int64)from);
		while (sqlite3_step(s) == SQLITE_ROW)
			merkle_tree_append_leaf(&t, sqlite3_column_blob(s, 0), 32);
		sqlite3_finalize(s);
		merkle_tree_root(&t, old);
	}
	assert_int_equal(merkle_consistency_verify(from, row.size, old, row.root,
	    sent[n_sent - 1].proof, sent[n_sent - 1].proof_len / MERKLE_HASHBYTES, &st), 0);
}

static void
sends_the_newest_and_keeps_the_copy(void **state_)
{
	struct fx *f = *state_;

	/* No checkpoint yet, then no session: nothing goes. */
	cpsend_tick(&f->a);
	assert_int_equal(n_sent, 0);
	state = LINK_CONNECTED;
	grow(f, 5);
	cpsend_tick(&f->a);
	assert_int_equal(n_sent, 0);
	state = LINK_READY;
	cpsend_tick(&f->a);
	assert_int_equal(n_sent, 1);
	check_sent(f, 0);
	/* One outstanding at a time, even with a newer checkpoint. */
	grow(f, 3);
	cpsend_tick(&f->a);
	assert_int_equal(n_sent, 1);
	/* The answer for 5 comes after 8 was written: kept for the row of 5. */
	answer_with(f, STATUS_DELIVERED, broker_keys, NULL);
	assert_int_equal(countersigned_rows(f), 1);
	cpsend_tick(&f->a);
	assert_int_equal(n_sent, 2);
	check_sent(f, 5);
	answer_with(f, STATUS_DELIVERED, broker_keys, NULL);
	assert_int_equal(countersigned_rows(f), 2);
	/* Everything countersigned: nothing more to send. */
	cpsend_tick(&f->a);
	assert_int_equal(n_sent, 2);
	/* A quiet period re-signs 8: sent again, proved from 8. */
	clock_advance(60000);
	assert_int_equal(checkpointer_write(f->c, &(struct status){0}), 0);
	cpsend_written(f->a.cpsend);
	cpsend_tick(&f->a);
	assert_int_equal(n_sent, 3);
	check_sent(f, 8);
	assert_int_equal(sent[2].proof_len, 0);
}

static void
bad_countersignature_is_not_kept(void **state_)
{
	struct fx *f = *state_;
	char text[CHECKPOINT_TEXT_MAX + 1];

	grow(f, 4);
	cpsend_tick(&f->a);
	assert_int_equal(n_sent, 1);
	/* Countersigned with a key that is not the broker's. */
	answer_with(f, STATUS_DELIVERED, stranger, NULL);
	assert_int_equal(countersigned_rows(f), 0);
	/* A copy of another agency's checkpoint. */
	broker_copy(4, text);
	text[strlen("dutynet-checkpoint v1\norigin ")] = 'x';	/* "xchool-a" */
	answer_with(f, STATUS_DELIVERED, NULL, text);
	assert_int_equal(countersigned_rows(f), 0);
	/* Retried, but not at once. */
	cpsend_tick(&f->a);
	assert_int_equal(n_sent, 1);
	clock_advance(CPSEND_RETRY_MS);
	cpsend_tick(&f->a);
	assert_int_equal(n_sent, 2);
	answer_with(f, STATUS_DELIVERED, broker_keys, NULL);
	assert_int_equal(countersigned_rows(f), 1);
}

static void
prove_from_moves_the_start(void **state_)
{
	struct fx *f = *state_;
	char text[CHECKPOINT_TEXT_MAX + 1];

	grow(f, 9);
	cpsend_tick(&f->a);
	check_sent(f, 0);
	broker_copy(6, text);
	answer_with(f, STATUS_PROVE_FROM, NULL, text);
	cpsend_tick(&f->a);
	assert_int_equal(n_sent, 2);
	check_sent(f, 6);
	/* The same answer again: not an endless round trip. */
	answer_with(f, STATUS_PROVE_FROM, NULL, text);
	cpsend_tick(&f->a);
	assert_int_equal(n_sent, 2);
	/* "None held": from 0. */
	answer_with(f, STATUS_PROVE_FROM, NULL, "");
	cpsend_tick(&f->a);
	assert_int_equal(n_sent, 3);
	check_sent(f, 0);
	/* The broker holds more of this log than it has: sent with no proof. */
	broker_copy(30, text);
	answer_with(f, STATUS_PROVE_FROM, NULL, text);
	cpsend_tick(&f->a);
	assert_int_equal(n_sent, 4);
	check_sent(f, 30);
	/* ... and the broker's alarm stops the sending until a new checkpoint. */
	answer_with(f, STATUS_INCONSISTENT, NULL, text);
	cpsend_tick(&f->a);
	clock_advance(CPSEND_TIMEOUT_MS);
	cpsend_tick(&f->a);
	assert_int_equal(n_sent, 4);
	grow(f, 1);
	cpsend_tick(&f->a);
	assert_int_equal(n_sent, 5);
	check_sent(f, 30);
}

static void
timeouts_sessions_and_failures(void **state_)
{
	struct fx *f = *state_;

	grow(f, 2);
	refuse_send = 1;
	cpsend_tick(&f->a);
	assert_int_equal(n_sent, 0);
	refuse_send = 0;
	cpsend_tick(&f->a);
	assert_int_equal(n_sent, 0);	/* waits CPSEND_RETRY_MS */
	clock_advance(CPSEND_RETRY_MS);
	cpsend_tick(&f->a);
	assert_int_equal(n_sent, 1);
	/* No answer: sent again after the timeout, not before. */
	clock_advance(CPSEND_TIMEOUT_MS - 1);
	cpsend_tick(&f->a);
	assert_int_equal(n_sent, 1);
	clock_advance(1);
	cpsend_tick(&f->a);
	assert_int_equal(n_sent, 2);
	/* A new session sends it again at once. */
	cpsend_session(f->a.cpsend);
	cpsend_tick(&f->a);
	assert_int_equal(n_sent, 3);
	/* 451: retried later; a permanent refusal: not until the next one. */
	answer_with(f, STATUS_STORE_FAILED, NULL, "");
	cpsend_tick(&f->a);
	assert_int_equal(n_sent, 3);
	clock_advance(CPSEND_RETRY_MS);
	cpsend_tick(&f->a);
	assert_int_equal(n_sent, 4);
	answer_with(f, STATUS_BAD_SIGNATURE, NULL, "");
	clock_advance(CPSEND_TIMEOUT_MS);
	cpsend_tick(&f->a);
	assert_int_equal(n_sent, 4);
	cpsend_session(f->a.cpsend);
	cpsend_tick(&f->a);
	assert_int_equal(n_sent, 5);
}

static void
database_failure_rolls_back(void **state_)
{
	struct fx *f = *state_;
	struct frame r;
	struct checkpoint cp;
	struct status st;
	size_t len;

	grow(f, 3);
	cpsend_tick(&f->a);
	assert_int_equal(checkpoint_parse(sent[0].f.checkpoint, strlen(sent[0].f.checkpoint), &cp,
	    &st), 0);
	assert_int_equal(checkpoint_countersign(&cp, "broker", broker_keys->sign_sk, &st), 0);
	memset(&r, 0, sizeof(r));
	r.command = FRAME_COUNTERSIGNED;
	r.code = STATUS_DELIVERED;
	assert_int_equal(checkpoint_encode(&cp, r.checkpoint, &len, &st), 0);
	assert_int_equal(sqlite3_exec(db_handle(f->a.db), "ALTER TABLE checkpoints RENAME TO gone",
	    NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(db_begin(f->a.db, &st), 0);
	assert_int_equal(cpsend_on_countersigned(&f->a, &r, &st), -1);
	assert_int_equal(st.code, STATUS_STORE_FAILED);
	db_rollback(f->a.db, NULL);
	/* And a tick that cannot read the table waits and logs. */
	cpsend_session(f->a.cpsend);
	cpsend_tick(&f->a);
	assert_int_equal(n_sent, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(sends_the_newest_and_keeps_the_copy, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(bad_countersignature_is_not_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(prove_from_moves_the_start, setup, teardown),
		cmocka_unit_test_setup_teardown(timeouts_sessions_and_failures, setup, teardown),
		cmocka_unit_test_setup_teardown(database_failure_rolls_back, setup, teardown),
	};
	struct status st;
	char cmd[128];
	int rc;

	if (sodium_init() < 0)
		return 1;
	log_init("test_cpsend", 0);
	if (keyfile_generate(ORIGIN, false, &school, &st) != 0 ||
	    keyfile_generate("broker", true, &broker_keys, &st) != 0 ||
	    keyfile_generate("broker", true, &stranger, &st) != 0)
		return 1;
	memset(&self, 0, sizeof(self));
	snprintf(self.id, sizeof(self.id), ORIGIN);
	memcpy(self.sign_pk, school->sign_pk, SEAL_SIGN_PKBYTES);
	memset(&dir, 0, sizeof(dir));
	snprintf(dir.broker.id, sizeof(dir.broker.id), "broker");
	memcpy(dir.broker.sign_pk, broker_keys->sign_pk, SEAL_SIGN_PKBYTES);
	seal_keyid(dir.broker.sign_pk, SEAL_SIGN_PKBYTES, dir.broker.sign_keyid);
	dir.agencies = &self;
	dir.n_agencies = 1;
	snprintf(settings.agency, sizeof(settings.agency), ORIGIN);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_cpsend.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		rc = 1;
	keyfile_destroy(&school);
	keyfile_destroy(&broker_keys);
	keyfile_destroy(&stranger);
	return rc;
}
