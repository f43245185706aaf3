/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for broker/cpaccept.c on a broker-like database (an audit log
 * and agency_checkpoints) in a mkdtemp directory, with checkpoints signed
 * here over a hand-made log of leaves: each refusal in PROTOCOL.md §7.8's
 * order with its exact code and nothing stored; the first checkpoint (from
 * the empty log); a longer one with its consistency proof; 560 naming the
 * broker's newest size; a quiet period refreshing the row of a size; and
 * each alarm (a smaller size, another root for a size, a proof that fails)
 * audited, counted and answered 561 with nothing stored.  The countersigned
 * texts are checked with the broker's public key.
 *
 * The broker's modules are not a library, so the unit under test is
 * compiled in here.
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

#include "broker/cpaccept.c"
#include "common/keyfile.h"

#define ORIGIN "school-a"
#define OTHER "mash"
#define T0 1767225600000ull
#define LEAVES 20

static char tmpdir[64];
static int dbcount;
static struct keyfile *school, *mash, *stranger, *broker_keys;
static struct directory_agency agencies[2];
static struct directory dir;
/* Two logs that agree on their first 10 leaves and then differ. */
static uint8_t leaves[LEAVES][MERKLE_HASHBYTES], forked[LEAVES][MERKLE_HASHBYTES];

struct fx {
	struct db *db;
	struct stats stats;
	struct cpaccept_env env;
	struct frame reply;
	struct cpaccept_result r;
};

static void
agency(struct directory_agency *a, const char *id, const struct keyfile *k)
{
	memset(a, 0, sizeof(*a));
	snprintf(a->id, sizeof(a->id), "%s", id);
	memcpy(a->sign_pk, k->sign_pk, SEAL_SIGN_PKBYTES);
	seal_keyid(a->sign_pk, SEAL_SIGN_PKBYTES, a->sign_keyid);
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct status st;
	char path[128];

	assert_non_null(f);
	snprintf(path, sizeof(path), "%s/broker-%d.db", tmpdir, ++dbcount);
	assert_non_null(f->db = db_open(path, &st));
	assert_int_equal(auditlog_create(f->db, &st), 0);
	assert_int_equal(cpaccept_init(f->db, &st), 0);
	/* Twice is fine: IF NOT EXISTS. */
	assert_int_equal(cpaccept_init(f->db, &st), 0);
	f->env.db = f->db;
	f->env.dir = &dir;
	f->env.sign_sk = broker_keys->sign_sk;
	f->env.stats = &f->stats;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	db_close(&f->db);
	free(f);
	return 0;
}

/* The signed text of the log (leaves or forked) of size entries at time. */
static void
make_text(uint8_t (*log)[MERKLE_HASHBYTES], uint64_t size, uint64_t time_ms, const char *origin,
    const struct keyfile *k, char out[CHECKPOINT_TEXT_MAX + 1])
{
	struct merkle_tree t;
	struct checkpoint cp;
	uint8_t root[MERKLE_HASHBYTES];
	struct status st;
	size_t len;
	uint64_t i;

	merkle_tree_init(&t);
	for (i = 0; i < size; i++)
		merkle_tree_append_leaf_hash(&t, log[i]);
	merkle_tree_root(&t, root);
	assert_int_equal(checkpoint_init(&cp, origin, size, root, time_ms, &st), 0);
	assert_int_equal(checkpoint_sign(&cp, k->sign_sk, &st), 0);
	assert_int_equal(checkpoint_encode(&cp, out, &len, &st), 0);
}

/* Sends a CHECKPOINT of log at size, time, proved from from (over proof_log)
 * in its own transaction; returns the reply's code. */
static int
send_cp(struct fx *f, uint8_t (*log)[MERKLE_HASHBYTES], uint64_t size, uint64_t time_ms,
    uint64_t from, uint8_t (*proof_log)[MERKLE_HASHBYTES])
{
	uint8_t proof[MERKLE_PROOF_MAX_BYTES];
	struct frame body;
	struct status st;
	size_t n = 0;

	memset(&body, 0, sizeof(body));
	body.command = FRAME_CHECKPOINT;
	make_text(log, size, time_ms, ORIGIN, school, body.checkpoint);
	body.from_size = from;
	if (from <= size)
		assert_int_equal(merkle_consistency_proof(from, size, merkle_array_leaf, proof_log,
		    proof, &n, &st), 0);
	assert_int_equal(db_begin(f->db, &st), 0);
	assert_int_equal(cpaccept_handle(&f->env, ORIGIN, &body, proof, n * MERKLE_HASHBYTES,
	    &f->reply, &f->r, &st), 0);
	assert_int_equal(db_commit(f->db, &st), 0);
	assert_int_equal(f->reply.command, FRAME_COUNTERSIGNED);
	return f->reply.code;
}

/* A raw request: body text and proof bytes as given. */
static int
send_raw(struct fx *f, const char *agency_id, const char *text, uint64_t from,
    const uint8_t *proof, size_t proof_len)
{
	struct frame body;
	struct status st;

	memset(&body, 0, sizeof(body));
	body.command = FRAME_CHECKPOINT;
	snprintf(body.checkpoint, sizeof(body.checkpoint), "%s", text);
	body.from_size = from;
	assert_int_equal(db_begin(f->db, &st), 0);
	assert_int_equal(cpaccept_handle(&f->env, agency_id, &body, proof, proof_len, &f->reply,
	    &f->r, &st), 0);
	assert_int_equal(db_commit(f->db, &st), 0);
	return f->reply.code;
}

static int64_t
count(struct fx *f, const char *sql)
{
	sqlite3_stmt *s;
	int64_t n;

	assert_int_equal(sqlite3_prepare_v2(db_handle(f->db), sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

/* The stored row of size: its columns say what its text says, and the
 * text is the one sent plus the broker's verifying countersignature. */
static void
check_row(struct fx *f, uint64_t size, uint64_t time_ms, const char *sent)
{
	struct checkpoint cp;
	struct status st;
	sqlite3_stmt *s;
	const char *text;

	assert_int_equal(sqlite3_prepare_v2(db_handle(f->db), "SELECT time_ms, root, text FROM "
	    "agency_checkpoints WHERE origin = ? AND size = ?", -1, &s, NULL), SQLITE_OK);
	sqlite3_bind_text(s, 1, ORIGIN, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)size);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	text = (const char *)sqlite3_column_text(s, 2);
	assert_int_equal(checkpoint_parse(text, strlen(text), &cp, &st), 0);
	assert_int_equal(cp.size, size);
	assert_int_equal(cp.time_ms, time_ms);
	assert_int_equal(sqlite3_column_int64(s, 0), (int64_t)time_ms);
	assert_memory_equal(sqlite3_column_blob(s, 1), cp.root, MERKLE_HASHBYTES);
	assert_true(cp.has_countersig);
	assert_string_equal(cp.countersig.signer, "broker");
	assert_int_equal(checkpoint_verify_countersig(&cp, broker_keys->sign_pk, &st), 0);
	assert_int_equal(checkpoint_verify(&cp, school->sign_pk, &st), 0);
	assert_int_equal(strncmp(text, sent, strlen(sent)), 0);
	sqlite3_finalize(s);
}

static void
expect_refused(struct fx *f, int code, int got)
{
	if (got != code)
		fail_msg("got %d (%s), expected %d", got, f->reply.text, code);
	assert_int_equal(f->r.outcome, CPACCEPT_REFUSED);
	assert_string_equal(f->reply.checkpoint, "");
	assert_int_equal(count(f, "SELECT count(*) FROM agency_checkpoints"), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM audit"), 0);
}

static void
refusals_in_order(void **state)
{
	struct fx *f = *state;
	char text[CHECKPOINT_TEXT_MAX + 1], bad[CHECKPOINT_TEXT_MAX + 1];
	static uint8_t proof[MERKLE_PROOF_MAX_BYTES + MERKLE_HASHBYTES];
	struct checkpoint cp;
	struct status st;
	size_t len;
	char *p;

	make_text(leaves, 5, T0, ORIGIN, school, text);
	/* Proof bytes before the text: a bad text with a bad proof is 510/500. */
	expect_refused(f, STATUS_TOO_LARGE, send_raw(f, ORIGIN, "junk", 0, proof,
	    sizeof(proof)));
	assert_int_equal(f->reply.size, 0);
	expect_refused(f, STATUS_MALFORMED, send_raw(f, ORIGIN, text, 0, proof, 33));
	expect_refused(f, STATUS_MALFORMED, send_raw(f, ORIGIN, "junk", 0, proof, 0));
	expect_refused(f, STATUS_MALFORMED, send_raw(f, ORIGIN, "", 0, proof, 0));
	snprintf(bad, sizeof(bad), "%s", text);
	bad[strlen(CHECKPOINT_MAGIC_PREFIX)] = '2';
	expect_refused(f, STATUS_BAD_VERSION, send_raw(f, ORIGIN, bad, 0, proof, 0));
	/* Already countersigned. */
	assert_int_equal(checkpoint_parse(text, strlen(text), &cp, &st), 0);
	assert_int_equal(checkpoint_countersign(&cp, "broker", broker_keys->sign_sk, &st), 0);
	assert_int_equal(checkpoint_encode(&cp, bad, &len, &st), 0);
	expect_refused(f, STATUS_BAD_FIELD, send_raw(f, ORIGIN, bad, 0, proof, 0));
	assert_non_null(strstr(f->reply.text, "already countersigned"));
	assert_int_equal(f->reply.size, 5);
	/* Another agency's log, sent on school-a's connection. */
	make_text(leaves, 5, T0, OTHER, mash, bad);
	expect_refused(f, STATUS_SENDER_MISMATCH, send_raw(f, ORIGIN, bad, 0, proof, 0));
	assert_non_null(strstr(f->reply.text, "'mash'"));
	/* An authenticated agency the directory no longer lists. */
	make_text(leaves, 5, T0, "camhs", mash, bad);
	expect_refused(f, STATUS_UNKNOWN_AGENCY, send_raw(f, "camhs", bad, 0, proof, 0));
	/* Signed with a key the directory does not publish for school-a. */
	make_text(leaves, 5, T0, ORIGIN, stranger, bad);
	expect_refused(f, STATUS_UNKNOWN_KEY, send_raw(f, ORIGIN, bad, 0, proof, 0));
	/* A signature that does not verify: one hex digit of it changed. */
	snprintf(bad, sizeof(bad), "%s", text);
	p = bad + strlen(bad) - 2;
	*p = *p == '0' ? '1' : '0';
	expect_refused(f, STATUS_BAD_SIGNATURE, send_raw(f, ORIGIN, bad, 0, proof, 0));
	/* The first checkpoint with a proof that is not empty. */
	expect_refused(f, STATUS_BAD_FIELD, send_raw(f, ORIGIN, text, 0, proof, MERKLE_HASHBYTES));
	assert_int_equal(f->stats.c[STATS_CHECKPOINT_ALARMS], 0);
}

static void
first_then_longer_then_prove_from(void **state)
{
	struct fx *f = *state;
	char text[CHECKPOINT_TEXT_MAX + 1];
	struct checkpoint cp;
	struct status st;

	/* None held: a proof from 3 is answered "prove from 0", no text. */
	assert_int_equal(send_cp(f, leaves, 5, T0, 3, leaves), STATUS_PROVE_FROM);
	assert_int_equal(f->r.outcome, CPACCEPT_PROVE_FROM);
	assert_string_equal(f->reply.checkpoint, "");
	assert_int_equal(f->reply.size, 5);
	assert_int_equal(count(f, "SELECT count(*) FROM agency_checkpoints"), 0);

	assert_int_equal(send_cp(f, leaves, 5, T0, 0, leaves), STATUS_DELIVERED);
	assert_int_equal(f->r.outcome, CPACCEPT_COUNTERSIGNED);
	assert_true(f->r.new_size);
	assert_int_equal(f->reply.size, 5);
	make_text(leaves, 5, T0, ORIGIN, school, text);
	check_row(f, 5, T0, text);
	/* The reply carries exactly the stored text. */
	assert_int_equal(count(f, "SELECT count(*) FROM agency_checkpoints WHERE text = "
	    "(SELECT text FROM agency_checkpoints WHERE size = 5)"), 1);
	assert_int_equal(checkpoint_parse(f->reply.checkpoint, strlen(f->reply.checkpoint), &cp,
	    &st), 0);
	assert_int_equal(checkpoint_verify_countersig(&cp, broker_keys->sign_pk, &st), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM audit WHERE event = "
	    "'checkpoint-countersigned' AND agency = 'school-a' AND detail LIKE 'size 5 root %'"),
	    1);

	assert_int_equal(send_cp(f, leaves, 12, T0 + 1, 5, leaves), STATUS_DELIVERED);
	make_text(leaves, 12, T0 + 1, ORIGIN, school, text);
	check_row(f, 12, T0 + 1, text);
	/* The broker holds 12: a proof from 5 is answered with its copy of 12. */
	assert_int_equal(send_cp(f, leaves, 15, T0 + 2, 5, leaves), STATUS_PROVE_FROM);
	assert_int_equal(checkpoint_parse(f->reply.checkpoint, strlen(f->reply.checkpoint), &cp,
	    &st), 0);
	assert_int_equal(cp.size, 12);
	assert_int_equal(checkpoint_verify_countersig(&cp, broker_keys->sign_pk, &st), 0);
	assert_non_null(strstr(f->reply.text, "prove from size 12"));
	assert_int_equal(send_cp(f, leaves, 15, T0 + 2, 12, leaves), STATUS_DELIVERED);
	assert_int_equal(count(f, "SELECT count(*) FROM agency_checkpoints"), 3);
	assert_int_equal(count(f, "SELECT count(*) FROM audit"), 3);
	/* Nothing that is not an alarm counts as one. */
	assert_int_equal(f->stats.c[STATS_CHECKPOINT_ALARMS], 0);
}

static void
quiet_period_refreshes_the_row(void **state)
{
	struct fx *f = *state;
	char text[CHECKPOINT_TEXT_MAX + 1];

	assert_int_equal(send_cp(f, leaves, 8, T0, 0, leaves), STATUS_DELIVERED);
	/* Same size and root, a newer time: the row's time and text move. */
	assert_int_equal(send_cp(f, leaves, 8, T0 + 300000, 8, leaves), STATUS_DELIVERED);
	assert_false(f->r.new_size);
	make_text(leaves, 8, T0 + 300000, ORIGIN, school, text);
	check_row(f, 8, T0 + 300000, text);
	/* An older re-send is countersigned but replaces nothing. */
	assert_int_equal(send_cp(f, leaves, 8, T0 + 1, 8, leaves), STATUS_DELIVERED);
	check_row(f, 8, T0 + 300000, text);
	assert_int_equal(count(f, "SELECT count(*) FROM agency_checkpoints"), 1);
	/* One audit entry for the size, none per quiet period. */
	assert_int_equal(count(f, "SELECT count(*) FROM audit"), 1);
}

static void
expect_alarm(struct fx *f, int got, uint64_t alarms, const char *why)
{
	struct checkpoint cp;
	struct status st;

	if (got != STATUS_INCONSISTENT)
		fail_msg("got %d (%s), expected 561", got, f->reply.text);
	assert_int_equal(f->r.outcome, CPACCEPT_ALARM);
	assert_non_null(strstr(f->reply.text, why));
	assert_int_equal(f->stats.c[STATS_CHECKPOINT_ALARMS], alarms);
	/* The broker's copy goes back, so the agent can show what it holds. */
	assert_int_equal(checkpoint_parse(f->reply.checkpoint, strlen(f->reply.checkpoint), &cp,
	    &st), 0);
	assert_int_equal(cp.size, 12);
	assert_int_equal(count(f, "SELECT count(*) FROM audit WHERE event = "
	    "'checkpoint-inconsistent' AND agency = 'school-a'"), (int64_t)alarms);
	/* Nothing new is stored. */
	assert_int_equal(count(f, "SELECT count(*) FROM agency_checkpoints"), 1);
	assert_int_equal(count(f, "SELECT max(size) FROM agency_checkpoints"), 12);
}

static void
alarms(void **state)
{
	struct fx *f = *state;

	assert_int_equal(send_cp(f, leaves, 12, T0, 0, leaves), STATUS_DELIVERED);
	/* A smaller log, whatever it proves from. */
	expect_alarm(f, send_cp(f, leaves, 8, T0 + 1, 8, leaves), 1, "smaller");
	assert_int_equal(count(f, "SELECT count(*) FROM audit WHERE event = "
	    "'checkpoint-inconsistent' AND detail LIKE '%size 12 root %now size 8 root %'"), 1);
	expect_alarm(f, send_cp(f, leaves, 8, T0 + 1, 12, leaves), 2, "smaller");
	/* Another root for size 12 (the forked log). */
	expect_alarm(f, send_cp(f, forked, 12, T0 + 2, 12, forked), 3, "another root");
	/* A longer forked log with its own (correct for it) proof from 12. */
	expect_alarm(f, send_cp(f, forked, 16, T0 + 3, 12, forked), 4, "root");
	/* The real log still extends it. */
	assert_int_equal(send_cp(f, leaves, 16, T0 + 4, 12, leaves), STATUS_DELIVERED);
	assert_int_equal(f->stats.c[STATS_CHECKPOINT_ALARMS], 4);
}

static void
another_agency_is_separate(void **state)
{
	struct fx *f = *state;
	char text[CHECKPOINT_TEXT_MAX + 1];
	uint8_t proof[MERKLE_HASHBYTES];

	assert_int_equal(send_cp(f, leaves, 12, T0, 0, leaves), STATUS_DELIVERED);
	/* mash's first checkpoint is from the empty log, whatever school-a's is. */
	make_text(forked, 3, T0, OTHER, mash, text);
	assert_int_equal(send_raw(f, OTHER, text, 0, proof, 0), STATUS_DELIVERED);
	assert_int_equal(count(f, "SELECT count(*) FROM agency_checkpoints WHERE origin = 'mash'"),
	    1);
}

static void
store_failure_is_451(void **state)
{
	struct fx *f = *state;
	struct frame body;
	struct status st;

	assert_int_equal(sqlite3_exec(db_handle(f->db), "DROP TABLE agency_checkpoints", NULL, NULL,
	    NULL), SQLITE_OK);
	memset(&body, 0, sizeof(body));
	make_text(leaves, 5, T0, ORIGIN, school, body.checkpoint);
	assert_int_equal(db_begin(f->db, &st), 0);
	assert_int_equal(cpaccept_handle(&f->env, ORIGIN, &body, NULL, 0, &f->reply,
	    &f->r, &st), -1);
	assert_int_equal(st.code, STATUS_STORE_FAILED);
	db_rollback(f->db, NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(refusals_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(first_then_longer_then_prove_from, setup, teardown),
		cmocka_unit_test_setup_teardown(quiet_period_refreshes_the_row, setup, teardown),
		cmocka_unit_test_setup_teardown(alarms, setup, teardown),
		cmocka_unit_test_setup_teardown(another_agency_is_separate, setup, teardown),
		cmocka_unit_test_setup_teardown(store_failure_is_451, setup, teardown),
	};
	struct status st;
	char cmd[128];
	int i, rc;

	if (sodium_init() < 0)
		return 1;
	log_init("test_cpaccept", 0);
	if (keyfile_generate(ORIGIN, false, &school, &st) != 0 ||
	    keyfile_generate(OTHER, false, &mash, &st) != 0 ||
	    keyfile_generate(ORIGIN, false, &stranger, &st) != 0 ||
	    keyfile_generate("broker", true, &broker_keys, &st) != 0)
		return 1;
	agency(&agencies[0], ORIGIN, school);
	agency(&agencies[1], OTHER, mash);
	memset(&dir, 0, sizeof(dir));
	snprintf(dir.broker.id, sizeof(dir.broker.id), "broker");
	memcpy(dir.broker.sign_pk, broker_keys->sign_pk, SEAL_SIGN_PKBYTES);
	dir.agencies = agencies;
	dir.n_agencies = 2;
	for (i = 0; i < LEAVES; i++) {
		randombytes_buf(leaves[i], MERKLE_HASHBYTES);
		memcpy(forked[i], leaves[i], MERKLE_HASHBYTES);
		if (i >= 10)
			randombytes_buf(forked[i], MERKLE_HASHBYTES);
	}
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_cpaccept.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		rc = 1;
	keyfile_destroy(&school);
	keyfile_destroy(&mash);
	keyfile_destroy(&stranger);
	keyfile_destroy(&broker_keys);
	return rc;
}
