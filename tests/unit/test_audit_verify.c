/* SPDX-License-Identifier: ISC */
/* Unit tests for dutynet-audit verify: audit/logcheck.c (hash chain and
 * Merkle tree in one pass), audit/cptable.c and audit/cpverify.c
 * (checkpoints, signatures, countersignatures, the broker's copies),
 * audit/auditdb.c (read-only opening) and audit/verify.c.  Each kind of
 * tampering is done to a real log the way the sqlite3 CLI would, and must
 * be named at the exact entry or checkpoint with its status code: an edited
 * field, a deleted row, a reordered row, a retyped column, a tail cut off
 * (seen only through the broker's countersigned copy), a forged
 * checkpoint, a checkpoint signed with another key, a log rewritten and
 * re-signed by its owner, a log faked with a stranger's key. */
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

#include "audit/alarms.c"
#include "audit/auditdb.c"
#include "audit/cptable.c"
#include "audit/cpverify.c"
#include "audit/inputs.c"
#include "audit/jsonout.c"
#include "audit/logcheck.c"
#include "audit/progress.c"
#include "audit/show.c"
#include "audit/verify.c"
#include "common/clock.h"
#include "common/keyfile.h"
#include "tests/support/auditfx.h"
#include "tests/support/confdir.h"

#define T0 AUDITFX_T0
#define ENTRIES 20
#define EVERY 5			/* a checkpoint every 5 entries */
#define PATH_LEN 512

struct fx {
	char *dir;
	char log[PATH_LEN], broker[PATH_LEN];
	struct inputs in;
	struct verify_log *v;
};

/* The school's log of ENTRIES entries with a countersigned checkpoint
 * every EVERY, and the broker's log holding the copies. */
static int
setup(void **state)
{
	struct fx *x = calloc(1, sizeof(*x));
	struct keyfile *sk, *bk;
	uint64_t n;

	assert_non_null(x);
	x->dir = confdir_new();
	confdir_area(x->dir);
	snprintf(x->log, sizeof(x->log), "%s/school.db", x->dir);
	snprintf(x->broker, sizeof(x->broker), "%s/broker.db", x->dir);
	auditfx_make_log(x->log, ENTRIES, false);
	auditfx_make_log(x->broker, 3, true);
	sk = auditfx_key(x->dir, "school-a");
	bk = auditfx_key(x->dir, "broker");
	for (n = EVERY; n <= ENTRIES; n += EVERY)
		auditfx_sign(x->log, "school-a", n, sk, bk, x->broker);
	auditfx_sign(x->broker, "broker", 3, bk, NULL, NULL);
	keyfile_destroy(&sk);
	keyfile_destroy(&bk);
	*state = x;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *x = *state;

	verify_free(x->v, x->in.n_dbs);
	inputs_free(&x->in);
	confdir_destroy(&x->dir);
	free(x);
	return 0;
}

/* Verifies the school's log, with the broker's if with_broker; returns
 * the school's verdict. */
static struct verify_log *
run(struct fx *x, bool with_broker)
{
	char *paths[2] = {x->log, x->broker};
	struct status st;

	verify_free(x->v, x->in.n_dbs);
	x->v = NULL;
	inputs_free(&x->in);
	assert_int_equal(inputs_load_config(&x->in, x->dir, 0), 0);
	assert_int_equal(inputs_open_dbs(&x->in, paths, with_broker ? 2 : 1), 0);
	assert_int_equal(verify_logs(&x->in, false, &x->v, &st), 0);
	if (with_broker)
		assert_true(verify_ok(&x->v[1]));
	return &x->v[0];
}

static const struct logcheck_problem *
first(const struct verify_log *v)
{
	assert_false(verify_ok(v));
	assert_true(v->lc.n_problems > 0);
	return &v->lc.problems[0];
}

static void
intact_log_verifies(void **state)
{
	struct fx *x = *state;
	struct verify_log *v = run(x, true);

	assert_true(verify_ok(v));
	assert_string_equal(v->db->owner, "school-a");
	assert_true(v->lc.entries == ENTRIES && v->lc.intact == ENTRIES);
	assert_true(v->own.rows == 4 && v->own.verified == 4 && v->own.countersigned == 4);
	assert_true(v->broker_held == 4);
	assert_true(v->lc.anchors_matched == 8);	/* its own four and the broker's four */
	assert_true(x->v[1].agency.verified == 4);
	assert_true(verify_ok(run(x, false)));
}

static void
edited_field_is_named_at_its_seq(void **state)
{
	struct fx *x = *state;
	const struct logcheck_problem *p;

	auditfx_exec(x->log, "UPDATE audit SET detail = 'nothing happened' WHERE seq = 7");
	p = first(run(x, true));
	assert_true(p->seq == 7);
	assert_int_equal(p->code, STATUS_BAD_SIGNATURE);
	assert_true(p->time_ms == T0 + 6000);
	assert_non_null(strstr(p->text, "does not match its hash"));
	assert_non_null(strstr(p->text, "detail 'nothing happened'"));
}

static void
deleted_row_is_named(void **state)
{
	struct fx *x = *state;
	struct verify_log *v;

	auditfx_exec(x->log, "DELETE FROM audit WHERE seq = 7");
	v = run(x, true);
	assert_true(first(v)->seq == 7);
	assert_int_equal(first(v)->code, STATUS_MALFORMED);
	assert_non_null(strstr(first(v)->text, "seq 7 is missing"));
	assert_true(v->lc.problems_total == 1);	/* not also a cut-off tail */
}

static void
reordered_rows_are_named(void **state)
{
	struct fx *x = *state;
	const struct logcheck_problem *p;

	auditfx_exec(x->log, "UPDATE audit SET seq = -1 WHERE seq = 7; UPDATE audit SET seq = 7"
	    " WHERE seq = 8; UPDATE audit SET seq = 8 WHERE seq = -1");
	p = first(run(x, false));
	assert_true(p->seq == 7);
	assert_int_equal(p->code, STATUS_BAD_SIGNATURE);
	assert_non_null(strstr(p->text, "does not chain to seq 6"));
}

static void
retyped_column_is_named(void **state)
{
	struct fx *x = *state;
	const struct logcheck_problem *p;

	auditfx_exec(x->log, "UPDATE audit SET time_ms = 'yesterday' WHERE seq = 3");
	p = first(run(x, false));
	assert_true(p->seq == 3);
	assert_int_equal(p->code, STATUS_MALFORMED);
	assert_non_null(strstr(p->text, "wrong type or size"));
}

static void
cut_off_tail_is_caught_by_the_brokers_copy(void **state)
{
	struct fx *x = *state;
	const struct logcheck_problem *p;

	/* The agency removes its last 8 entries and its own checkpoints of
	 * them: on its own, the shorter log is consistent. */
	auditfx_exec(x->log, "DELETE FROM audit WHERE seq > 12;"
	    " DELETE FROM checkpoints WHERE size > 12");
	assert_true(verify_ok(run(x, false)));
	p = first(run(x, true));
	assert_true(p->seq == 13);
	assert_true(p->checkpoint == ENTRIES);
	assert_int_equal(p->code, STATUS_MALFORMED);
	assert_non_null(strstr(p->text, "seq 13..20 were cut off"));
	assert_non_null(strstr(p->text, "broker's countersigned copy"));
}

static void
forged_checkpoint_is_named(void **state)
{
	struct fx *x = *state;
	const struct logcheck_problem *p;

	/* A new root written into the text and the column alike. */
	auditfx_exec(x->log, "UPDATE checkpoints SET text = replace(text,"
	    " 'root ' || lower(hex(root)), 'root ' || lower(hex(zeroblob(32)))),"
	    " root = zeroblob(32), countersigned = NULL"
	    " WHERE size = 10");
	p = first(run(x, false));
	assert_true(p->seq == 0 && p->checkpoint == 10);
	assert_int_equal(p->code, STATUS_BAD_SIGNATURE);
	assert_non_null(strstr(p->text, "signature of school-a does not verify"));
}

static void
checkpoint_signed_with_another_key_is_named(void **state)
{
	struct fx *x = *state;
	struct keyfile *k = auditfx_key(x->dir, "camhs");
	const struct logcheck_problem *p;

	auditfx_sign(x->log, "school-a", 12, k, NULL, NULL);
	keyfile_destroy(&k);
	p = first(run(x, false));
	assert_true(p->checkpoint == 12);
	assert_int_equal(p->code, STATUS_UNKNOWN_KEY);
}

static void
edited_checkpoint_columns_are_named(void **state)
{
	struct fx *x = *state;
	const struct logcheck_problem *p;

	auditfx_exec(x->log, "UPDATE checkpoints SET time_ms = 1 WHERE size = 15");
	p = first(run(x, false));
	assert_true(p->checkpoint == 15);
	assert_int_equal(p->code, STATUS_BAD_FIELD);
	assert_non_null(strstr(p->text, "the row was edited"));
}

static void
countersigned_copy_of_another_checkpoint_is_named(void **state)
{
	struct fx *x = *state;
	const struct logcheck_problem *p;

	auditfx_exec(x->log, "UPDATE checkpoints SET countersigned = (SELECT countersigned FROM"
	    " checkpoints WHERE size = 15) WHERE size = 10");
	p = first(run(x, false));
	assert_true(p->checkpoint == 10);
	assert_int_equal(p->code, STATUS_BAD_FIELD);
	assert_non_null(strstr(p->text, "countersigned copy"));
}

static void
rewritten_and_resigned_log_disagrees_with_the_broker(void **state)
{
	struct fx *x = *state;
	struct keyfile *k = auditfx_key(x->dir, "school-a");
	const struct logcheck_problem *p;
	uint64_t n;

	/* The agency itself rewrites entries 14.. and signs new checkpoints
	 * with its real key: alone, its log verifies. */
	auditfx_exec(x->log, "UPDATE audit SET detail = 'rewritten' WHERE seq >= 14;"
	    " DELETE FROM checkpoints");
	auditfx_rehash(x->log);
	for (n = EVERY; n <= ENTRIES; n += EVERY)
		auditfx_sign(x->log, "school-a", n, k, NULL, NULL);
	keyfile_destroy(&k);
	assert_true(verify_ok(run(x, false)));
	p = first(run(x, true));
	assert_true(p->seq == 11);		/* the last size both agree on is 10 */
	assert_true(p->checkpoint == 15);
	assert_int_equal(p->code, STATUS_BAD_SIGNATURE);
	assert_non_null(strstr(p->text, "seq 11..15 differs"));
}

static void
fake_log_with_a_strangers_key_is_refused_from_seq_1(void **state)
{
	struct fx *x = *state;
	struct keyfile *k = NULL;
	struct verify_log *v;
	struct status st;
	uint64_t n;
	size_t i, bad_keys = 0;

	assert_int_equal(keyfile_generate("school-a", true, &k, &st), 0);
	unlink(x->log);
	auditfx_make_log(x->log, ENTRIES, false);	/* other times, other ids: another log */
	auditfx_exec(x->log, "UPDATE audit SET detail = 'made up'");
	auditfx_rehash(x->log);
	for (n = EVERY; n <= ENTRIES; n += EVERY)
		auditfx_sign(x->log, "school-a", n, k, NULL, NULL);
	keyfile_destroy(&k);
	v = run(x, true);
	assert_true(first(v)->seq == 1);
	assert_true(first(v)->checkpoint == EVERY);
	for (i = 0; i < v->lc.n_problems; i++)
		if (v->lc.problems[i].code == STATUS_UNKNOWN_KEY)
			bad_keys++;
	assert_true(bad_keys == 4);
	assert_true(v->own.verified == 0);
}

static void
cpverify_refusals(void **state)
{
	struct fx *x = *state;
	struct keyfile *sk = auditfx_key(x->dir, "school-a"), *mk = auditfx_key(x->dir, "mash");
	struct keyfile *bk = auditfx_key(x->dir, "broker");
	char text[CHECKPOINT_TEXT_MAX + 1];
	uint8_t root[MERKLE_HASHBYTES] = {1};
	struct checkpoint cp, out;
	struct status st;
	size_t len;

	assert_int_equal(run(x, false) != NULL, 1);
	assert_int_equal(checkpoint_init(&cp, "school-a", 3, root, T0, &st), 0);
	assert_int_equal(checkpoint_sign(&cp, sk->sign_sk, &st), 0);
	assert_int_equal(checkpoint_encode(&cp, text, &len, &st), 0);
	assert_int_equal(cpverify_text(x->in.dir, text, len, "school-a", CPVERIFY_SIGNED, &out,
	    &st), 0);
	assert_int_equal(cpverify_text(x->in.dir, text, len, "mash", CPVERIFY_SIGNED, &out, &st),
	    -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_int_equal(cpverify_text(x->in.dir, text, len, NULL, CPVERIFY_COUNTERSIGNED, &out,
	    &st), -1);
	assert_int_equal(st.code, STATUS_BAD_SIGNATURE);
	assert_non_null(strstr(st.text, "checkpoint school-a size 3: it has no countersignature"));
	assert_int_equal(cpverify_text(x->in.dir, "junk", 4, NULL, CPVERIFY_SIGNED, &out, &st), -1);
	assert_int_equal(st.code, STATUS_MALFORMED);
	/* Countersigned by an agency, not the broker. */
	assert_int_equal(checkpoint_countersign(&cp, "mash", mk->sign_sk, &st), 0);
	assert_int_equal(checkpoint_encode(&cp, text, &len, &st), 0);
	assert_int_equal(cpverify_text(x->in.dir, text, len, NULL, CPVERIFY_SIGNED, &out, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	/* Countersigned as the broker with another key. */
	assert_int_equal(checkpoint_countersign(&cp, "broker", mk->sign_sk, &st), 0);
	assert_int_equal(checkpoint_encode(&cp, text, &len, &st), 0);
	assert_int_equal(cpverify_text(x->in.dir, text, len, NULL, CPVERIFY_SIGNED, &out, &st), -1);
	assert_int_equal(st.code, STATUS_UNKNOWN_KEY);
	/* A countersignature that does not verify. */
	assert_int_equal(checkpoint_countersign(&cp, "broker", bk->sign_sk, &st), 0);
	cp.countersig.sig[0] ^= 1;
	assert_int_equal(checkpoint_encode(&cp, text, &len, &st), 0);
	assert_int_equal(cpverify_text(x->in.dir, text, len, NULL, CPVERIFY_SIGNED, &out, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_SIGNATURE);
	/* An origin the directory does not know. */
	assert_int_equal(checkpoint_init(&cp, "nobody", 3, root, T0, &st), 0);
	assert_int_equal(checkpoint_sign(&cp, sk->sign_sk, &st), 0);
	assert_int_equal(checkpoint_encode(&cp, text, &len, &st), 0);
	assert_int_equal(cpverify_text(x->in.dir, text, len, NULL, CPVERIFY_SIGNED, &out, &st), -1);
	assert_int_equal(st.code, STATUS_UNKNOWN_AGENCY);
	assert_null(cpverify_sign_key(x->in.dir, "nobody"));
	assert_non_null(cpverify_sign_key(x->in.dir, "broker"));
	keyfile_destroy(&sk);
	keyfile_destroy(&mk);
	keyfile_destroy(&bk);
}

static void
auditdb_refusals_and_kinds(void **state)
{
	struct fx *x = *state;
	char path[PATH_LEN];
	struct auditdb *db;
	struct status st;

	snprintf(path, sizeof(path), "%s/none.db", x->dir);
	assert_null(auditdb_open(path, NULL, &st));
	assert_int_equal(st.code, STATUS_UNAVAILABLE);
	assert_non_null(strstr(st.text, "none.db"));
	confdir_write(x->dir, "junk.db", "this is not a database, it is text, long enough....\n");
	snprintf(path, sizeof(path), "%s/junk.db", x->dir);
	assert_null(auditdb_open(path, NULL, &st));
	assert_int_equal(st.code, STATUS_UNAVAILABLE);
	snprintf(path, sizeof(path), "%s/other.db", x->dir);
	auditfx_exec(path, "CREATE TABLE t (x)");
	assert_null(auditdb_open(path, NULL, &st));
	assert_int_equal(st.code, STATUS_MALFORMED);
	/* A closed copy opens immutable and writes nothing next to it. */
	assert_non_null(db = auditdb_open(x->log, NULL, &st));
	assert_true(db->immutable && db->kind == AUDITDB_LOG && db->has_checkpoints);
	assert_string_equal(db->owner, "school-a");	/* from its checkpoints */
	auditdb_close(&db);
	assert_null(db);
	assert_true(snprintf(path, sizeof(path), "%s-wal", x->log) < (int)sizeof(path));
	assert_int_equal(access(path, F_OK), -1);
	assert_non_null(db = auditdb_open(x->broker, "broker", &st));
	assert_true(db->kind == AUDITDB_BROKER && db->has_agency_checkpoints && !db->has_deadlines);
	assert_string_equal(db->owner, "broker");
	assert_string_equal(auditdb_kind_name(db->kind), "broker");
	auditdb_close(&db);
	auditdb_close(NULL);
}

static void
two_logs_of_one_owner_are_refused(void **state)
{
	struct fx *x = *state;
	char *paths[2] = {x->log, x->log};

	assert_int_equal(inputs_load_config(&x->in, x->dir, 0), 0);
	assert_int_equal(inputs_open_dbs(&x->in, paths, 2), -1);
	assert_true(x->in.n_dbs == 1);
	paths[0] = x->broker;
	paths[1] = x->broker;
	inputs_free(&x->in);
	assert_int_equal(inputs_load_config(&x->in, x->dir, 0), 0);
	assert_int_equal(inputs_open_dbs(&x->in, paths, 2), -1);
	assert_non_null(inputs_db_of(&x->in, "broker"));
	assert_null(inputs_db_of(&x->in, "mash"));
}

static void
problems_keep_the_earliest(void **state)
{
	struct logcheck lc;
	uint64_t seq;

	(void)state;
	logcheck_init(&lc);
	logcheck_add(&lc, 0, 0, 9, STATUS_BAD_SIGNATURE, "a checkpoint");
	for (seq = 40; seq >= 1; seq--)
		logcheck_add(&lc, seq, 0, 0, STATUS_MALFORMED, "seq %llu", (unsigned long long)seq);
	assert_true(lc.problems_total == 41);
	assert_true(lc.n_problems == LOGCHECK_PROBLEMS_MAX);
	logcheck_sort(&lc);
	assert_true(lc.problems[0].seq == 1);
	assert_true(lc.problems[LOGCHECK_PROBLEMS_MAX - 1].seq == LOGCHECK_PROBLEMS_MAX);
	assert_string_equal(lc.problems[0].text, "seq 1");
}

static void
empty_log_verifies_against_the_empty_root(void **state)
{
	struct fx *x = *state;
	struct keyfile *k = auditfx_key(x->dir, "school-a");
	struct verify_log *v;

	unlink(x->log);
	auditfx_make_log(x->log, 0, false);
	auditfx_sign(x->log, "school-a", 0, k, NULL, NULL);
	keyfile_destroy(&k);
	v = run(x, false);
	assert_true(verify_ok(v));
	assert_true(v->lc.entries == 0 && v->lc.anchors_matched == 1);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(intact_log_verifies),
		T(edited_field_is_named_at_its_seq),
		T(deleted_row_is_named),
		T(reordered_rows_are_named),
		T(retyped_column_is_named),
		T(cut_off_tail_is_caught_by_the_brokers_copy),
		T(forged_checkpoint_is_named),
		T(checkpoint_signed_with_another_key_is_named),
		T(edited_checkpoint_columns_are_named),
		T(countersigned_copy_of_another_checkpoint_is_named),
		T(rewritten_and_resigned_log_disagrees_with_the_broker),
		T(fake_log_with_a_strangers_key_is_refused_from_seq_1),
		T(cpverify_refusals),
		T(auditdb_refusals_and_kinds),
		T(two_logs_of_one_owner_are_refused),
		cmocka_unit_test(problems_keep_the_earliest),
		T(empty_log_verifies_against_the_empty_root),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
