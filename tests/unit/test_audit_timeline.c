/* SPDX-License-Identifier: ISC */
/* Unit tests for dutynet-audit timeline (audit/timeline.c): which messages
 * a story takes in (a case's; a message, the one it answers and its
 * answers), the merge of several logs by time that never reorders one log
 * (even when its clock went backwards), and a message known only from
 * audit entries. */
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
#include "audit/inputs.c"
#include "audit/jsonout.c"
#include "audit/msgset.c"
#include "audit/msgset_deadline.c"
#include "audit/show.c"
#include "audit/timeline.c"
#include "tests/support/auditfx.h"
#include "tests/support/confdir.h"

#define PATH_LEN 512
/* Message ids: A a referral of case C1, B its ack, C another case's,
 * D known only from the school's audit log. */
#define ID_A "000000000000000A"
#define ID_B "000000000000000B"
#define ID_C "000000000000000C"
#define ID_D "000000000000000D"

struct fx {
	char *dir;
	char broker[PATH_LEN], school[PATH_LEN];
	struct inputs in;
	struct msgset *set;
	struct timeline t;
};

static int
setup(void **state)
{
	struct fx *x = calloc(1, sizeof(*x));
	char *paths[2];
	struct keyfile *k;
	struct status st;

	assert_non_null(x);
	x->dir = confdir_new();
	confdir_area(x->dir);
	snprintf(x->broker, sizeof(x->broker), "%s/broker.db", x->dir);
	snprintf(x->school, sizeof(x->school), "%s/school.db", x->dir);
	auditfx_make_log(x->broker, 0, false);
	auditfx_exec(x->broker, "CREATE TABLE messages (id BLOB, sender TEXT, recipient TEXT,"
	    " type INTEGER, urgency INTEGER, case_id TEXT, in_reply_to BLOB, created_ms INTEGER,"
	    " accepted_ms INTEGER, state TEXT, code INTEGER, final_ms INTEGER, receipt_id BLOB);"
	    "INSERT INTO messages VALUES"
	    " (CAST('" ID_A "' AS BLOB), 'school-a', 'mash', 1, 3, 'C1', NULL, 1, 200, 'delivered',"
	    "  250, 300, NULL),"
	    " (CAST('" ID_B "' AS BLOB), 'mash', 'school-a', 4, 3, 'C1', CAST('" ID_A "' AS BLOB),"
	    "  1, 400, 'queued', 202, 0, NULL),"
	    " (CAST('" ID_C "' AS BLOB), 'school-a', 'mash', 2, 3, 'C2', NULL, 1, 500, 'queued',"
	    "  202, 0, NULL);"
	    "INSERT INTO audit VALUES (1, 200, 'accepted', 'school-a', CAST('" ID_A "' AS BLOB),"
	    " 'b1', zeroblob(32), zeroblob(32)), (2, 250, 'delivered', 'mash', CAST('" ID_A "' AS"
	    " BLOB), 'b2', zeroblob(32), zeroblob(32)), (3, 400, 'accepted', 'mash', CAST('" ID_B
	    "' AS BLOB), 'b3', zeroblob(32), zeroblob(32)), (4, 500, 'accepted', 'school-a',"
	    " CAST('" ID_C "' AS BLOB), 'b4', zeroblob(32), zeroblob(32))");
	auditfx_make_log(x->school, 0, false);
	/* The school's clock went back between its 2nd and 3rd entries. */
	auditfx_exec(x->school, "CREATE TABLE outbox (message_id BLOB, type INTEGER,"
	    " recipient TEXT, case_id TEXT, in_reply_to BLOB, urgency INTEGER, created_ms INTEGER,"
	    " accepted_ms INTEGER, state TEXT, code INTEGER, final_ms INTEGER, receipt BLOB,"
	    " receipt_ms INTEGER);"
	    "CREATE TABLE inbox (message_id BLOB, type INTEGER, sender TEXT, case_id TEXT,"
	    " in_reply_to BLOB, urgency INTEGER, created_ms INTEGER, accepted_ms INTEGER,"
	    " received_ms INTEGER, state TEXT, receipt BLOB, ack_ms INTEGER, decision_ms INTEGER);"
	    "INSERT INTO audit VALUES (1, 100, 'created', 'mash', CAST('" ID_A "' AS BLOB), 's1',"
	    " zeroblob(32), zeroblob(32)), (2, 300, 'sent', 'mash', CAST('" ID_A "' AS BLOB),"
	    " 's2', zeroblob(32), zeroblob(32)), (3, 50, 'accepted', NULL, CAST('" ID_A "' AS"
	    " BLOB), 's3', zeroblob(32), zeroblob(32)), (4, 60, 'error', 'mash', CAST('" ID_D
	    "' AS BLOB), 's4 \"quoted\"', zeroblob(32), zeroblob(32))");
	k = auditfx_key(x->dir, "school-a");
	auditfx_sign(x->school, "school-a", 0, k, NULL, NULL);
	keyfile_destroy(&k);
	assert_int_equal(inputs_load_config(&x->in, x->dir, 0), 0);
	paths[0] = x->broker;
	paths[1] = x->school;
	assert_int_equal(inputs_open_dbs(&x->in, paths, 2), 0);
	assert_non_null(x->set = msgset_load(&x->in, &st));
	*state = x;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *x = *state;

	timeline_free(&x->t);
	msgset_destroy(&x->set);
	inputs_free(&x->in);
	confdir_destroy(&x->dir);
	free(x);
	return 0;
}

/* The details of the story's events, joined by spaces. */
static void
order_is(const struct timeline *t, const char *want)
{
	char got[256] = "";
	size_t i;

	for (i = 0; i < t->n_events; i++) {
		strcat(got, i ? " " : "");
		strcat(got, t->events[i].detail);
	}
	assert_string_equal(got, want);
}

static void
a_message_with_its_answers_in_log_order(void **state)
{
	struct fx *x = *state;
	struct status st;

	assert_int_equal(timeline_build(&x->in, x->set, NULL, (const uint8_t *)ID_A, &x->t,
	    &st), 0);
	assert_int_equal(x->t.n_msgs, 2);		/* A and its ack B, not C */
	assert_memory_equal(x->t.ids[1], ID_B, IDS_MSGID_BYTES);
	assert_non_null(x->t.msgs[0]);
	/* Merged by time, but s3 (time 50) stays after s2: it is the school's
	 * third entry. */
	order_is(&x->t, "s1 b1 b2 s2 s3 b3");
	assert_int_equal(x->t.events[1].db, 0);
	assert_int_equal(x->t.events[5].label, 2);
	assert_null(x->t.events[4].agency);
	timeline_free(&x->t);
	/* From the ack: it, and the referral it answers. */
	assert_int_equal(timeline_build(&x->in, x->set, NULL, (const uint8_t *)ID_B, &x->t,
	    &st), 0);
	assert_int_equal(x->t.n_msgs, 2);
	order_is(&x->t, "s1 b1 b2 s2 s3 b3");
}

static void
a_case_takes_every_message_with_its_id(void **state)
{
	struct fx *x = *state;
	struct status st;

	assert_int_equal(timeline_build(&x->in, x->set, "C2", NULL, &x->t, &st), 0);
	assert_int_equal(x->t.n_msgs, 1);
	order_is(&x->t, "b4");
	timeline_free(&x->t);
	assert_int_equal(timeline_build(&x->in, x->set, "C1", NULL, &x->t, &st), 0);
	assert_int_equal(x->t.n_msgs, 2);
	timeline_free(&x->t);
	assert_int_equal(timeline_build(&x->in, x->set, "nothing", NULL, &x->t, &st), 0);
	assert_int_equal(x->t.n_msgs + x->t.n_events, 0);
}

static void
a_message_known_only_from_audit_entries(void **state)
{
	struct fx *x = *state;
	struct status st;

	assert_int_equal(timeline_build(&x->in, x->set, NULL, (const uint8_t *)ID_D, &x->t,
	    &st), 0);
	assert_int_equal(x->t.n_msgs, 1);
	assert_null(x->t.msgs[0]);
	order_is(&x->t, "s4 \"quoted\"");
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(a_message_with_its_answers_in_log_order),
		T(a_case_takes_every_message_with_its_id),
		T(a_message_known_only_from_audit_entries),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
