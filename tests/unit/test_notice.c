/* SPDX-License-Identifier: ISC */
/* Unit tests for agents/notice.c: a notice is recorded once, with what it
 * says, and audited against the message it is about (so that message's
 * timeline shows it); the notices about one message, and all of them, in
 * order.  The unit under test is included. */
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
#include "agents/notice.c"
#include "agents/row.c"
#include "common/clock.h"

#define T0 1749632400000ull	/* 2025-06-11T09:00:00Z */
#define TEXT "mash has not acknowledged concern 0197... from school-a; due 10:00"

static char tmpdir[64];

static struct db *
open_db(void)
{
	static int n;
	char path[128];
	struct status st;
	struct db *db;

	snprintf(path, sizeof(path), "%s/agent-%d.db", tmpdir, ++n);
	assert_non_null(db = agentdb_open(path, &st));
	clock_set_fixed(T0);
	return db;
}

static void
put(struct db *db, const uint8_t id[IDS_MSGID_BYTES], const uint8_t about[IDS_MSGID_BYTES],
    int kind, const char *text)
{
	struct payload_notice n;
	struct status st;

	memset(&n, 0, sizeof(n));
	n.kind = (uint8_t)kind;
	memcpy(n.about, about, IDS_MSGID_BYTES);
	n.due_ms = T0 + 3600000;
	n.text.s = text;
	n.text.len = (uint32_t)strlen(text);
	assert_int_equal(db_begin(db, &st), 0);
	assert_int_equal(notice_put(db, id, "broker", &n, clock_now_ms(), &st), 0);
	assert_int_equal(db_commit(db, &st), 0);
}

struct seen {
	int n;
	struct notice_row last;
	int stop_after;
};

static int
collect(const struct notice_row *n, void *arg)
{
	struct seen *s = arg;

	s->last = *n;
	return ++s->n == s->stop_after;
}

static int
entry(const struct auditlog_entry *e, void *arg)
{
	struct seen *s = arg;

	if (strcmp(e->event, "escalation") == 0 || strcmp(e->event, "reminder") == 0) {
		assert_string_equal(e->agency, "broker");
		assert_non_null(strstr(e->detail, TEXT));
		assert_non_null(strstr(e->detail, "due 2025-06-11T10:00:00Z"));
		s->n++;
	}
	return 0;
}

static void
kinds_have_names(void **state)
{
	(void)state;
	assert_null(notice_kind_name(0));
	assert_null(notice_kind_name(NOTICE_OUT_OF_HOURS + 1));
	assert_string_equal(notice_kind_name(NOTICE_REMINDER), "reminder");
	assert_string_equal(notice_kind_name(NOTICE_ESCALATION), "escalation");
	assert_string_equal(notice_kind_name(NOTICE_OUT_OF_HOURS), "out-of-hours");
}

static void
recorded_once_and_audited_against_the_message(void **state)
{
	struct db *db = open_db();
	uint8_t about[IDS_MSGID_BYTES], other[IDS_MSGID_BYTES], n1[IDS_MSGID_BYTES],
	    n2[IDS_MSGID_BYTES], n3[IDS_MSGID_BYTES];
	struct seen s;
	struct status st;
	uint64_t bad;

	(void)state;
	ids_msgid_new(T0, about);
	ids_msgid_new(T0, other);
	ids_msgid_new(T0, n1);
	ids_msgid_new(T0, n2);
	ids_msgid_new(T0, n3);
	put(db, n1, about, NOTICE_REMINDER, TEXT);
	clock_advance(1000);
	put(db, n2, about, NOTICE_ESCALATION, TEXT);
	put(db, n2, about, NOTICE_ESCALATION, TEXT);	/* again: kept once */
	clock_advance(1000);
	put(db, n3, other, NOTICE_ESCALATION, TEXT);

	memset(&s, 0, sizeof(s));
	assert_int_equal(notice_list(db, about, collect, &s, &st), 0);
	assert_int_equal(s.n, 2);
	assert_memory_equal(s.last.id, n2, IDS_MSGID_BYTES);
	assert_memory_equal(s.last.about, about, IDS_MSGID_BYTES);
	assert_int_equal(s.last.kind, NOTICE_ESCALATION);
	assert_int_equal(s.last.due_ms, T0 + 3600000);
	assert_int_equal(s.last.received_ms, T0 + 1000);
	assert_string_equal(s.last.from, "broker");
	assert_string_equal(s.last.text, TEXT);
	memset(&s, 0, sizeof(s));
	assert_int_equal(notice_list(db, NULL, collect, &s, &st), 0);
	assert_int_equal(s.n, 3);
	assert_memory_equal(s.last.id, n3, IDS_MSGID_BYTES);
	/* fn returning non-zero stops the walk. */
	memset(&s, 0, sizeof(s));
	s.stop_after = 1;
	assert_int_equal(notice_list(db, NULL, collect, &s, &st), 0);
	assert_int_equal(s.n, 1);
	assert_memory_equal(s.last.id, n1, IDS_MSGID_BYTES);

	/* The message it is about has one audit entry per notice. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(auditlog_foreach(db, about, entry, &s, &st), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(auditlog_verify(db, &bad, &st), 0);
	db_close(&db);
}

static void
a_long_text_is_cut_when_read(void **state)
{
	struct db *db = open_db();
	uint8_t about[IDS_MSGID_BYTES], id[IDS_MSGID_BYTES];
	char *text = malloc(NOTICE_TEXT_MAX * 2);
	struct seen s;
	struct status st;

	(void)state;
	assert_non_null(text);
	memset(text, 'x', NOTICE_TEXT_MAX * 2 - 1);
	text[NOTICE_TEXT_MAX * 2 - 1] = '\0';
	ids_msgid_new(T0, about);
	ids_msgid_new(T0, id);
	put(db, id, about, NOTICE_REMINDER, text);
	memset(&s, 0, sizeof(s));
	assert_int_equal(notice_list(db, about, collect, &s, &st), 0);
	assert_int_equal(strlen(s.last.text), NOTICE_TEXT_MAX - 1);
	free(text);
	db_close(&db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kinds_have_names),
		cmocka_unit_test(recorded_once_and_audited_against_the_message),
		cmocka_unit_test(a_long_text_is_cut_when_read),
	};
	char cmd[128];
	int rc;

	if (seal_init() != 0)
		return 1;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_notice.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		rc = 1;
	return rc;
}
