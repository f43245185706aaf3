/* SPDX-License-Identifier: ISC */
/* Unit tests for dutynet-audit prove and check-proof: audit/prove.c
 * (inclusion proofs from a log in a database) and audit/proof.c (the
 * bundle: written, read back, checked with the directory's keys only).
 * Every entry of a 17-entry log is proven against every checkpoint that
 * covers it; then each refusal, with its status code: an altered entry, a
 * wrong path, a wrong tree size, a forged or uncountersigned checkpoint,
 * another log's name, bundles that are not JSON, of another format, too
 * large, or with a member missing or malformed; and prove's own refusals
 * (no countersigned checkpoint yet, an altered row, a log that no longer
 * matches its checkpoint). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "audit/auditdb.c"
#include "audit/cptable.c"
#include "audit/cpverify.c"
#include "audit/inputs.c"
#include "audit/jsonout.c"
#include "audit/logcheck.c"
#include "audit/proof.c"
#include "audit/prove.c"
#include "audit/show.c"
#include "tests/support/auditfx.h"
#include "tests/support/confdir.h"

#define ENTRIES 17
#define PATH_LEN 512

struct fx {
	char *dir;
	char log[PATH_LEN], broker[PATH_LEN];
	struct inputs in;
	struct auditdb *db;
	struct proof p;
};

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
	auditfx_make_log(x->broker, 5, true);
	sk = auditfx_key(x->dir, "school-a");
	bk = auditfx_key(x->dir, "broker");
	for (n = 1; n <= ENTRIES; n++)
		auditfx_sign(x->log, "school-a", n, sk, bk, NULL);
	auditfx_sign(x->broker, "broker", 5, bk, NULL, NULL);
	keyfile_destroy(&sk);
	keyfile_destroy(&bk);
	assert_int_equal(inputs_load_config(&x->in, x->dir, 0), 0);
	*state = x;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *x = *state;

	auditdb_close(&x->db);
	inputs_free(&x->in);
	confdir_destroy(&x->dir);
	free(x);
	return 0;
}

static struct auditdb *
open_db(struct fx *x, const char *path)
{
	struct status st;

	auditdb_close(&x->db);
	x->db = auditdb_open(path, x->in.dir->broker.id, &st);
	assert_non_null(x->db);
	return x->db;
}

static void
every_entry_against_every_covering_checkpoint(void **state)
{
	struct fx *x = *state;
	struct checkpoint cp;
	struct status st;
	uint64_t seq, size;

	open_db(x, x->log);
	for (seq = 1; seq <= ENTRIES; seq++) {
		/* Without a size: the smallest countersigned one covering it. */
		assert_int_equal(prove_entry(x->db, x->in.dir, seq, 0, &x->p, &st), 0);
		assert_true(x->p.tree_size == seq);
		for (size = seq; size <= ENTRIES; size++) {
			assert_int_equal(prove_entry(x->db, x->in.dir, seq, size, &x->p, &st), 0);
			assert_int_equal(proof_check(&x->p, x->in.dir, &cp, &st), 0);
			assert_true(cp.size == size && cp.has_countersig);
			assert_true(x->p.entry.seq == seq);
		}
	}
}

static void
bundle_round_trip(void **state)
{
	struct fx *x = *state;
	struct proof back;
	struct checkpoint cp;
	struct status st;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	open_db(x, x->log);
	assert_int_equal(prove_entry(x->db, x->in.dir, 6, 13, &x->p, &st), 0);
	assert_non_null(f = open_memstream(&buf, &len));
	assert_int_equal(proof_write(&x->p, f, &st), 0);
	fclose(f);
	assert_non_null(strstr(buf, "\"format\": \"dutynet-inclusion-proof-v1\""));
	assert_non_null(strstr(buf, "\"detail\": \"entry 6\""));
	assert_int_equal(proof_read(buf, len, &back, &st), 0);
	free(buf);
	assert_string_equal(back.log, "school-a");
	assert_true(back.entry.seq == 6 && back.tree_size == 13 && back.n_path == x->p.n_path);
	assert_string_equal(back.entry.detail, "entry 6");
	assert_true(back.entry.has_message_id == x->p.entry.has_message_id);
	assert_memory_equal(back.path, x->p.path, back.n_path * MERKLE_HASHBYTES);
	assert_int_equal(proof_check(&back, x->in.dir, &cp, &st), 0);
	/* Entry 3 has no message id: null in the bundle, and back. */
	assert_int_equal(prove_entry(x->db, x->in.dir, 3, 0, &x->p, &st), 0);
	assert_false(x->p.entry.has_message_id);
	assert_non_null(f = open_memstream(&buf, &len));
	assert_int_equal(proof_write(&x->p, f, &st), 0);
	fclose(f);
	assert_non_null(strstr(buf, "\"message_id\": null"));
	assert_int_equal(proof_read(buf, len, &back, &st), 0);
	free(buf);
	assert_false(back.entry.has_message_id);
	assert_int_equal(proof_check(&back, x->in.dir, &cp, &st), 0);
}

static void
tampered_bundles_are_refused(void **state)
{
	struct fx *x = *state;
	struct checkpoint cp;
	struct proof p;
	struct status st;
	char *root;

	open_db(x, x->log);
	assert_int_equal(prove_entry(x->db, x->in.dir, 9, 16, &x->p, &st), 0);
	p = x->p;
	p.entry.detail = "entry 99";
	assert_int_equal(proof_check(&p, x->in.dir, &cp, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_SIGNATURE);
	assert_non_null(strstr(st.text, "the entry was changed"));
	p = x->p;
	p.entry.agency = p.agency;
	p.entry.event = p.event;
	p.entry.detail = p.detail;
	p.path[0] ^= 1;
	assert_int_equal(proof_check(&p, x->in.dir, &cp, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_SIGNATURE);
	assert_non_null(strstr(st.text, "seq 9 is not in the log"));
	p = x->p;
	p.entry.agency = p.agency;
	p.entry.event = p.event;
	p.entry.detail = p.detail;
	p.tree_size = 17;
	assert_int_equal(proof_check(&p, x->in.dir, &cp, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	p.tree_size = 16;
	snprintf(p.log, sizeof(p.log), "mash");
	assert_int_equal(proof_check(&p, x->in.dir, &cp, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	snprintf(p.log, sizeof(p.log), "school-a");
	root = strstr(p.checkpoint, "root ") + 5;
	*root = *root == '0' ? '1' : '0';
	assert_int_equal(proof_check(&p, x->in.dir, &cp, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_SIGNATURE);
	/* An agency's checkpoint without the broker's countersignature. */
	p = x->p;
	p.entry.agency = p.agency;
	p.entry.event = p.event;
	p.entry.detail = p.detail;
	*strstr(p.checkpoint, "sig broker") = '\0';
	p.checkpoint_len = strlen(p.checkpoint);
	assert_int_equal(proof_check(&p, x->in.dir, &cp, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_SIGNATURE);
	assert_non_null(strstr(st.text, "no countersignature"));
}

/* proof_read's code for a bundle text. */
static int
read_code(const char *text)
{
	struct proof p;
	struct status st;

	if (proof_read(text, strlen(text), &p, &st) == 0)
		return STATUS_OK;
	return st.code;
}

static void
malformed_bundles_are_refused(void **state)
{
	static const char good_entry[] = "\"entry\": {\"seq\": 1, \"time_ms\": 5, \"event\": \"e\","
	    " \"agency\": null, \"message_id\": null, \"detail\": \"\", \"prev_hash\": \""
	    "0000000000000000000000000000000000000000000000000000000000000000\"}";
	char text[2048], *big;

	(void)state;
	assert_int_equal(read_code("not json"), STATUS_MALFORMED);
	assert_int_equal(read_code("[1, 2]"), STATUS_MALFORMED);
	assert_int_equal(read_code("{}"), STATUS_MALFORMED);
	assert_int_equal(read_code("{\"format\": \"dutynet-inclusion-proof-v2\"}"),
	    STATUS_BAD_VERSION);
	snprintf(text, sizeof(text), "{\"format\": \"%s\", \"log\": \"school-a\", %s}", PROOF_FORMAT,
	    good_entry);
	assert_int_equal(read_code(text), STATUS_MALFORMED);	/* no hash */
	snprintf(text, sizeof(text), "{\"format\": \"%s\", \"log\": \"school-a\", %s, \"hash\": "
	    "\"zz\"}", PROOF_FORMAT, good_entry);
	assert_int_equal(read_code(text), STATUS_BAD_FIELD);
	snprintf(text, sizeof(text), "{\"format\": \"%s\", \"log\": \"school-a\", \"entry\": "
	    "{\"seq\": 0}}", PROOF_FORMAT);
	assert_int_equal(read_code(text), STATUS_BAD_FIELD);
	snprintf(text, sizeof(text), "{\"format\": \"%s\", \"log\": \"school-a\", \"entry\": "
	    "{\"seq\": \"one\"}}", PROOF_FORMAT);
	assert_int_equal(read_code(text), STATUS_MALFORMED);
	snprintf(text, sizeof(text), "{\"format\": \"%s\", \"log\": \"school-a\", \"entry\": "
	    "{\"seq\": 1, \"time_ms\": 5, \"event\": \"e\", \"agency\": null, \"message_id\": "
	    "\"not-an-id\"}}", PROOF_FORMAT);
	assert_int_equal(read_code(text), STATUS_BAD_FIELD);
	snprintf(text, sizeof(text), "{\"format\": \"%s\", \"log\": \"a\\u0000b\"}", PROOF_FORMAT);
	assert_int_equal(read_code(text), STATUS_BAD_FIELD);
	big = calloc(1, PROOF_FILE_MAX + 2);
	assert_non_null(big);
	memset(big, ' ', PROOF_FILE_MAX + 1);
	assert_int_equal(read_code(big), STATUS_TOO_LARGE);
	free(big);
}

static void
prove_refuses_what_it_cannot_prove(void **state)
{
	struct fx *x = *state;
	struct status st;

	/* No countersigned checkpoint: only the school's own signature. */
	auditfx_exec(x->log, "UPDATE checkpoints SET countersigned = NULL");
	open_db(x, x->log);
	assert_int_equal(prove_entry(x->db, x->in.dir, 4, 0, &x->p, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_SIGNATURE);
	assert_non_null(strstr(st.text, "no countersigned checkpoint"));
	/* The broker's own log needs no countersignature. */
	open_db(x, x->broker);
	assert_int_equal(prove_entry(x->db, x->in.dir, 4, 0, &x->p, &st), 0);
	assert_true(x->p.tree_size == 5);
	assert_int_equal(prove_entry(x->db, x->in.dir, 4, 4, &x->p, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_SIGNATURE);	/* none of that size */
	assert_int_equal(prove_entry(x->db, x->in.dir, 4, 3, &x->p, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_int_equal(prove_entry(x->db, x->in.dir, 9, 0, &x->p, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);		/* no such entry */
}

static void
prove_refuses_an_altered_log(void **state)
{
	struct fx *x = *state;
	struct status st;

	auditfx_exec(x->log, "UPDATE audit SET detail = 'changed' WHERE seq = 5");
	open_db(x, x->log);
	assert_int_equal(prove_entry(x->db, x->in.dir, 5, 0, &x->p, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_SIGNATURE);
	assert_non_null(strstr(st.text, "seq 5 does not match its hash"));
	/* Re-hashed, each row is consistent, but the tree is not the one signed. */
	auditdb_close(&x->db);
	auditfx_rehash(x->log);
	open_db(x, x->log);
	assert_int_equal(prove_entry(x->db, x->in.dir, 2, 8, &x->p, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_SIGNATURE);
	assert_non_null(strstr(st.text, "does not match its checkpoint of size 8"));
	/* A forged checkpoint is refused before any proof is made. */
	auditfx_exec(x->log, "UPDATE checkpoints SET countersigned = replace(countersigned,"
	    " 'size 12', 'size 13') WHERE size = 12");
	open_db(x, x->log);
	assert_int_equal(prove_entry(x->db, x->in.dir, 1, 12, &x->p, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_SIGNATURE);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(every_entry_against_every_covering_checkpoint),
		T(bundle_round_trip),
		T(tampered_bundles_are_refused),
		cmocka_unit_test(malformed_bundles_are_refused),
		T(prove_refuses_what_it_cannot_prove),
		T(prove_refuses_an_altered_log),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
