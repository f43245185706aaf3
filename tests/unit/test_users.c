/* SPDX-License-Identifier: ISC */
/* Unit tests for agents/users.c: name, role and password rules with their
 * exact codes, the Argon2id hash (never the password) in the table, the
 * audit event of each change in the same transaction, and users_check's
 * one answer for wrong, unknown and disabled.  Hashing runs with
 * DUTYNET_PWHASH_FAST=1 (minimum limits) except in the one test that shows
 * the default limits.  The unit under test is included (the agent's
 * modules are not a library). */
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
#include "agents/users.c"
#include "common/clock.h"

#define T0 1700000000000ull
#define PW "correct horse battery"
#define PW2 "another long passphrase"

static char tmpdir[64];
static int dbcount;

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

/* users_add in its own transaction, committed only on success. */
static int
add(struct db *db, const char *name, enum users_role role, const char *pw, struct status *st)
{
	struct status bst;
	int rc;

	assert_int_equal(db_begin(db, &bst), 0);
	rc = users_add(db, name, role, pw, st);
	if (rc == 0)
		assert_int_equal(db_commit(db, &bst), 0);
	else
		db_rollback(db, NULL);
	return rc;
}

static int
passwd(struct db *db, const char *name, const char *pw, struct status *st)
{
	struct status bst;
	int rc;

	assert_int_equal(db_begin(db, &bst), 0);
	rc = users_passwd(db, name, pw, st);
	if (rc == 0)
		assert_int_equal(db_commit(db, &bst), 0);
	else
		db_rollback(db, NULL);
	return rc;
}

static int
disable(struct db *db, const char *name, struct status *st)
{
	struct status bst;
	int rc;

	assert_int_equal(db_begin(db, &bst), 0);
	rc = users_disable(db, name, st);
	if (rc == 0)
		assert_int_equal(db_commit(db, &bst), 0);
	else
		db_rollback(db, NULL);
	return rc;
}

/* The one text column of a one-row query, into out. */
static void
query_text(struct db *db, const char *sql, char *out, size_t cap)
{
	sqlite3_stmt *s;

	assert_int_equal(sqlite3_prepare_v2(db_handle(db), sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	snprintf(out, cap, "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
}

static int
count(struct db *db, const char *sql)
{
	char out[32];

	query_text(db, sql, out, sizeof(out));
	return atoi(out);
}

struct events {
	char out[1024];
	int n;
};

static int
add_event(const struct auditlog_entry *e, void *arg)
{
	struct events *ev = arg;
	size_t len = strlen(ev->out);

	snprintf(ev->out + len, sizeof(ev->out) - len, "%s[%s]%s;", e->event, e->detail,
	    e->agency != NULL ? e->agency : "");
	ev->n++;
	return 0;
}

static struct events
events(struct db *db)
{
	struct events ev;
	struct status st;

	memset(&ev, 0, sizeof(ev));
	assert_int_equal(auditlog_foreach(db, NULL, add_event, &ev, &st), 0);
	return ev;
}

static void
role_names_and_parsing(void **state)
{
	enum users_role r = USERS_VIEWER;

	(void)state;
	assert_int_equal(users_role_parse("admin", &r), -1);
	assert_int_equal(users_role_parse("", &r), -1);
	assert_int_equal(users_role_parse("Lead", &r), -1);
	assert_int_equal(users_role_parse("leads", &r), -1);
	assert_int_equal(users_role_parse(NULL, &r), -1);
	assert_int_equal(r, USERS_VIEWER);	/* untouched on failure */
	assert_int_equal(users_role_parse("lead", &r), 0);
	assert_int_equal(r, USERS_LEAD);
	assert_int_equal(users_role_parse("worker", &r), 0);
	assert_int_equal(r, USERS_WORKER);
	assert_int_equal(users_role_parse("viewer", &r), 0);
	assert_int_equal(r, USERS_VIEWER);
	assert_string_equal(users_role_name(USERS_LEAD), "lead");
	assert_string_equal(users_role_name(USERS_WORKER), "worker");
	assert_string_equal(users_role_name(USERS_VIEWER), "viewer");
	assert_string_equal(users_role_name((enum users_role)0), "unknown");
	assert_string_equal(users_role_name((enum users_role)4), "unknown");
	assert_true(USERS_LEAD > USERS_WORKER && USERS_WORKER > USERS_VIEWER);
}

static void
name_rules(void **state)
{
	char longname[USERS_NAME_MAX + 2];
	struct status st;

	(void)state;
	assert_int_equal(users_name_check("", &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_non_null(strstr(st.text, "account name is needed"));
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(users_name_check(longname, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_non_null(strstr(st.text, "65 bytes"));
	assert_int_equal(users_name_check("Alice", &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_non_null(strstr(st.text, "'Alice'"));
	assert_int_equal(users_name_check("a b", &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_int_equal(users_name_check("a/b", &st), -1);
	assert_int_equal(users_name_check("al'ce", &st), -1);
	assert_int_equal(users_name_check("a", &st), 0);
	assert_int_equal(users_name_check("alice.khan_2-x", &st), 0);
	longname[USERS_NAME_MAX] = '\0';
	assert_int_equal(users_name_check(longname, &st), 0);
}

static void
password_rules(void **state)
{
	char pw[USERS_PASSWORD_MAX + 2];
	struct status st;

	(void)state;
	assert_int_equal(users_password_check("short pw!", &st), -1);	/* 9 bytes */
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_non_null(strstr(st.text, "at least 10"));
	assert_null(strstr(st.text, "short pw!"));
	memset(pw, 'x', sizeof(pw) - 1);
	pw[sizeof(pw) - 1] = '\0';
	assert_int_equal(users_password_check(pw, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_non_null(strstr(st.text, "at most 128"));
	assert_null(strstr(st.text, "xxxxxxxxxx"));
	assert_int_equal(users_password_check("ten bytes!", &st), 0);
	pw[USERS_PASSWORD_MAX] = '\0';
	assert_int_equal(users_password_check(pw, &st), 0);
}

static void
fast_hashing_is_read_from_the_environment(void **state)
{
	(void)state;
	assert_int_equal(unsetenv(USERS_PWHASH_FAST_ENV), 0);
	assert_int_equal(users_pwhash_fast(), 0);
	assert_int_equal(setenv(USERS_PWHASH_FAST_ENV, "0", 1), 0);
	assert_int_equal(users_pwhash_fast(), 0);
	assert_int_equal(setenv(USERS_PWHASH_FAST_ENV, "yes", 1), 0);
	assert_int_equal(users_pwhash_fast(), 0);
	assert_int_equal(setenv(USERS_PWHASH_FAST_ENV, "1", 1), 0);
	assert_int_equal(users_pwhash_fast(), 1);
}

static void
dummy_hashes_cost_what_real_ones_cost(void **state)
{
	char h[crypto_pwhash_STRBYTES];

	(void)state;
	/* users_check's stand-in for unknown names must be a valid Argon2id
	 * hash at the same limits as real ones, or timing would tell. */
	snprintf(h, sizeof(h), "%s", USERS_DUMMY_HASH);
	assert_int_equal(strncmp(h, "$argon2id$", 10), 0);
	assert_int_equal(crypto_pwhash_str_needs_rehash(h, crypto_pwhash_OPSLIMIT_INTERACTIVE,
			     crypto_pwhash_MEMLIMIT_INTERACTIVE),
	    0);
	snprintf(h, sizeof(h), "%s", USERS_DUMMY_HASH_FAST);
	assert_int_equal(crypto_pwhash_str_needs_rehash(h, crypto_pwhash_OPSLIMIT_MIN,
			     crypto_pwhash_MEMLIMIT_MIN),
	    0);
}

static void
add_rejects_bad_input(void **state)
{
	struct db *db = open_db();
	struct status st;

	(void)state;
	assert_int_equal(add(db, "Bad Name", USERS_LEAD, PW, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_non_null(strstr(st.text, "'Bad Name'"));
	assert_int_equal(add(db, "alice", (enum users_role)0, PW, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_non_null(strstr(st.text, "not lead, worker or viewer"));
	assert_int_equal(add(db, "alice", (enum users_role)4, PW, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_int_equal(add(db, "alice", USERS_LEAD, "tooshort", &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_null(strstr(st.text, "tooshort"));
	assert_int_equal(count(db, "SELECT count(*) FROM users"), 0);
	assert_int_equal(events(db).n, 0);
	assert_int_equal(add(db, "alice", USERS_LEAD, PW, &st), 0);
	assert_int_equal(add(db, "alice", USERS_VIEWER, PW2, &st), -1);
	assert_int_equal(st.code, STATUS_CONFLICT);
	assert_non_null(strstr(st.text, "'alice' exists already (lead)"));
	assert_int_equal(count(db, "SELECT count(*) FROM users"), 1);
	assert_int_equal(events(db).n, 1);
	db_close(&db);
}

static void
add_stores_a_hash_and_audits(void **state)
{
	struct db *db = open_db();
	struct users_entry e;
	struct events ev;
	struct status st;
	char h[crypto_pwhash_STRBYTES], role[16];

	(void)state;
	assert_int_equal(add(db, "alice.khan", USERS_WORKER, PW, &st), 0);
	query_text(db, "SELECT pwhash FROM users WHERE name = 'alice.khan'", h, sizeof(h));
	/* Argon2id at the test's minimum limits, never the password itself. */
	assert_int_equal(strncmp(h, "$argon2id$v=19$m=8,t=1,", 23), 0);
	assert_null(strstr(h, PW));
	assert_int_equal(crypto_pwhash_str_verify(h, PW, strlen(PW)), 0);
	query_text(db, "SELECT role FROM users", role, sizeof(role));
	assert_string_equal(role, "worker");
	assert_int_equal(count(db, "SELECT disabled FROM users"), 0);
	assert_int_equal(count(db, "SELECT created_ms = 1700000000000 AND changed_ms = created_ms "
				   "FROM users"),
	    1);
	ev = events(db);
	assert_int_equal(ev.n, 1);
	assert_string_equal(ev.out, "user-added[account alice.khan, role worker];");
	assert_null(strstr(ev.out, PW));
	assert_int_equal(users_check(db, "alice.khan", PW, &e, &st), 1);
	assert_string_equal(e.name, "alice.khan");
	assert_int_equal(e.role, USERS_WORKER);
	db_close(&db);
}

static void
add_uses_interactive_limits_by_default(void **state)
{
	struct db *db = open_db();
	struct status st;
	char h[crypto_pwhash_STRBYTES];

	(void)state;
	assert_int_equal(unsetenv(USERS_PWHASH_FAST_ENV), 0);
	assert_int_equal(add(db, "lead", USERS_LEAD, PW, &st), 0);
	assert_int_equal(setenv(USERS_PWHASH_FAST_ENV, "1", 1), 0);
	query_text(db, "SELECT pwhash FROM users", h, sizeof(h));
	assert_int_equal(crypto_pwhash_str_needs_rehash(h, crypto_pwhash_OPSLIMIT_INTERACTIVE,
			     crypto_pwhash_MEMLIMIT_INTERACTIVE),
	    0);
	db_close(&db);
}

static void
failed_change_leaves_nothing(void **state)
{
	struct db *db = open_db();
	struct status st;

	(void)state;
	/* An audit failure inside users_add: the caller rolls back, and
	 * neither the account nor the event stays. */
	assert_int_equal(db_exec(db, "DROP TABLE audit", &st), 0);
	assert_int_equal(add(db, "alice", USERS_LEAD, PW, &st), -1);
	assert_int_equal(st.code, STATUS_STORE_FAILED);
	assert_int_equal(count(db, "SELECT count(*) FROM users"), 0);
	db_close(&db);
}

static void
store_failures_are_451(void **state)
{
	struct db *db = open_db();
	struct users_entry e;
	struct status st;

	(void)state;
	assert_int_equal(db_exec(db, "DROP TABLE users", &st), 0);
	assert_int_equal(add(db, "alice", USERS_LEAD, PW, &st), -1);
	assert_int_equal(st.code, STATUS_STORE_FAILED);
	assert_int_equal(passwd(db, "alice", PW, &st), -1);
	assert_int_equal(st.code, STATUS_STORE_FAILED);
	assert_int_equal(disable(db, "alice", &st), -1);
	assert_int_equal(st.code, STATUS_STORE_FAILED);
	assert_int_equal(users_list(db, NULL, NULL, &st), -1);
	assert_int_equal(st.code, STATUS_STORE_FAILED);
	assert_int_equal(users_check(db, "alice", PW, &e, &st), -1);
	assert_int_equal(st.code, STATUS_STORE_FAILED);
	assert_int_equal(users_get(db, "alice", &e, &st), -1);
	assert_int_equal(st.code, STATUS_STORE_FAILED);
	db_close(&db);
}

/* What a session re-reads on each request: the account as it is now,
 * disabled or with a new role, and no account for a bad or unknown name. */
static void
get_reads_the_account_as_it_is_now(void **state)
{
	struct db *db = open_db();
	struct users_entry e;
	struct status st;

	(void)state;
	memset(&e, 0x5a, sizeof(e));
	st.code = 0;
	assert_int_equal(users_get(db, "nobody", &e, &st), 0);
	assert_int_equal(st.code, STATUS_OK);
	assert_int_equal((unsigned char)e.name[0], 0x5a);	/* not filled */
	assert_int_equal(users_get(db, "Not A Name", &e, &st), 0);
	assert_int_equal(users_get(db, "", &e, &st), 0);
	assert_int_equal(add(db, "erin", USERS_WORKER, PW, &st), 0);
	assert_int_equal(add(db, "fay", USERS_LEAD, PW, &st), 0);
	assert_int_equal(users_get(db, "erin", &e, &st), 1);
	assert_int_equal(st.code, STATUS_OK);
	assert_string_equal(e.name, "erin");
	assert_int_equal(e.role, USERS_WORKER);
	assert_false(e.disabled);
	assert_int_equal(e.created_ms, T0);
	assert_int_equal(e.changed_ms, T0);
	/* A role changed behind the session's back is seen at once. */
	assert_int_equal(db_exec(db, "UPDATE users SET role = 'viewer' WHERE name = 'erin'", &st),
	    0);
	assert_int_equal(users_get(db, "erin", &e, &st), 1);
	assert_int_equal(e.role, USERS_VIEWER);
	/* Disabled: still found, and says so (users_check would say only 0). */
	clock_set_fixed(T0 + 7);
	assert_int_equal(disable(db, "erin", &st), 0);
	assert_int_equal(users_get(db, "erin", &e, &st), 1);
	assert_true(e.disabled);
	assert_int_equal(e.changed_ms, T0 + 7);
	assert_int_equal(users_get(db, "fay", &e, &st), 1);
	assert_string_equal(e.name, "fay");
	assert_int_equal(e.role, USERS_LEAD);
	assert_false(e.disabled);
	/* A role outside the enum (a hand edit) reads as 0: no role at all. */
	assert_int_equal(db_exec(db, "PRAGMA ignore_check_constraints = 1;"
				     "UPDATE users SET role = 'admin' WHERE name = 'fay'", &st), 0);
	assert_int_equal(users_get(db, "fay", &e, &st), 1);
	assert_int_equal(e.role, 0);
	/* Nothing it reads holds the hash. */
	assert_null(memchr(&e, '$', sizeof(e)));
	db_close(&db);
}

static void
passwd_replaces_the_hash(void **state)
{
	struct db *db = open_db();
	struct events ev;
	struct status st;

	(void)state;
	assert_int_equal(passwd(db, "BAD", PW2, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_int_equal(passwd(db, "bob", PW2, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_non_null(strstr(st.text, "no account 'bob'"));
	assert_int_equal(add(db, "bob", USERS_VIEWER, PW, &st), 0);
	assert_int_equal(passwd(db, "bob", "short", &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_null(strstr(st.text, "short,"));
	clock_set_fixed(T0 + 1000);
	assert_int_equal(passwd(db, "bob", PW2, &st), 0);
	assert_int_equal(users_check(db, "bob", PW, NULL, &st), 0);
	assert_int_equal(users_check(db, "bob", PW2, NULL, &st), 1);
	assert_int_equal(count(db, "SELECT changed_ms - created_ms FROM users"), 1000);
	ev = events(db);
	assert_int_equal(ev.n, 2);
	assert_string_equal(ev.out, "user-added[account bob, role viewer];"
				    "user-password-changed[account bob, role viewer];");
	assert_null(strstr(ev.out, PW2));
	/* A disabled account may get a new password; it stays disabled. */
	assert_int_equal(disable(db, "bob", &st), 0);
	assert_int_equal(passwd(db, "bob", PW, &st), 0);
	assert_int_equal(count(db, "SELECT disabled FROM users"), 1);
	assert_int_equal(users_check(db, "bob", PW, NULL, &st), 0);
	db_close(&db);
}

static void
disable_refuses_logins_once(void **state)
{
	struct db *db = open_db();
	struct users_entry e;
	struct status st;

	(void)state;
	assert_int_equal(disable(db, "x y", &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_int_equal(disable(db, "carol", &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_non_null(strstr(st.text, "no account 'carol'"));
	assert_int_equal(add(db, "carol", USERS_LEAD, PW, &st), 0);
	assert_int_equal(users_check(db, "carol", PW, &e, &st), 1);
	assert_int_equal(disable(db, "carol", &st), 0);
	memset(&e, 0x5a, sizeof(e));
	assert_int_equal(users_check(db, "carol", PW, &e, &st), 0);
	assert_int_equal((unsigned char)e.name[0], 0x5a);	/* not filled */
	assert_int_equal(disable(db, "carol", &st), 0);	/* already: done, no event */
	assert_string_equal(events(db).out, "user-added[account carol, role lead];"
					    "user-disabled[account carol, role lead];");
	db_close(&db);
}

struct seen {
	char names[256];
	int n, stop_after;
	struct users_entry last;
};

static int
collect(const struct users_entry *e, void *arg)
{
	struct seen *s = arg;
	size_t len = strlen(s->names);

	snprintf(s->names + len, sizeof(s->names) - len, "%s:%s:%d,", e->name,
	    users_role_name(e->role), e->disabled);
	s->last = *e;
	return ++s->n == s->stop_after;
}

static void
list_in_name_order(void **state)
{
	struct db *db = open_db();
	struct seen s;
	struct status st;

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(users_list(db, collect, &s, &st), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(add(db, "zoe", USERS_VIEWER, PW, &st), 0);
	clock_set_fixed(T0 + 5);
	assert_int_equal(add(db, "amir", USERS_LEAD, PW, &st), 0);
	assert_int_equal(add(db, "mo", USERS_WORKER, PW, &st), 0);
	clock_set_fixed(T0 + 9);
	assert_int_equal(disable(db, "mo", &st), 0);
	assert_int_equal(users_list(db, collect, &s, &st), 0);
	assert_string_equal(s.names, "amir:lead:0,mo:worker:1,zoe:viewer:0,");
	assert_int_equal(s.last.created_ms, T0);
	memset(&s, 0, sizeof(s));
	s.stop_after = 2;
	assert_int_equal(users_list(db, collect, &s, &st), 0);
	assert_string_equal(s.names, "amir:lead:0,mo:worker:1,");
	assert_int_equal(s.last.created_ms, T0 + 5);
	assert_int_equal(s.last.changed_ms, T0 + 9);
	/* The walk was stopped cleanly: the statement is reusable. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(users_list(db, collect, &s, &st), 0);
	assert_int_equal(s.n, 3);
	db_close(&db);
}

static void
check_gives_one_answer_for_every_failure(void **state)
{
	char longpw[USERS_PASSWORD_MAX + 2];
	struct db *db = open_db();
	struct users_entry e;
	struct status st;

	(void)state;
	assert_int_equal(add(db, "dee", USERS_WORKER, PW, &st), 0);
	memset(longpw, 'p', sizeof(longpw) - 1);
	longpw[sizeof(longpw) - 1] = '\0';
	st.code = 0;
	assert_int_equal(users_check(db, "dee", PW2, &e, &st), 0);	/* wrong */
	assert_int_equal(st.code, STATUS_OK);
	assert_int_equal(users_check(db, "nobody", PW, &e, &st), 0);	/* unknown */
	assert_int_equal(st.code, STATUS_OK);
	assert_int_equal(users_check(db, "Not A Name", PW, &e, &st), 0);
	assert_int_equal(users_check(db, "dee", "", &e, &st), 0);
	assert_int_equal(users_check(db, "dee", longpw, &e, &st), 0);
	assert_int_equal(users_check(db, "dee", PW, NULL, &st), 1);
	memset(&e, 0, sizeof(e));
	assert_int_equal(users_check(db, "dee", PW, &e, &st), 1);
	assert_string_equal(e.name, "dee");
	assert_int_equal(e.role, USERS_WORKER);
	assert_false(e.disabled);
	assert_int_equal(e.created_ms, T0);
	assert_int_equal(e.changed_ms, T0);
	/* A row edited by hand to a role outside the enum logs nobody in. */
	assert_int_equal(db_exec(db, "PRAGMA ignore_check_constraints = 1;"
				     "UPDATE users SET role = 'admin'", &st), 0);
	assert_int_equal(users_check(db, "dee", PW, &e, &st), 0);
	db_close(&db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(role_names_and_parsing),
		cmocka_unit_test(name_rules),
		cmocka_unit_test(password_rules),
		cmocka_unit_test(fast_hashing_is_read_from_the_environment),
		cmocka_unit_test(dummy_hashes_cost_what_real_ones_cost),
		cmocka_unit_test(add_rejects_bad_input),
		cmocka_unit_test(add_stores_a_hash_and_audits),
		cmocka_unit_test(add_uses_interactive_limits_by_default),
		cmocka_unit_test(failed_change_leaves_nothing),
		cmocka_unit_test(store_failures_are_451),
		cmocka_unit_test(passwd_replaces_the_hash),
		cmocka_unit_test(disable_refuses_logins_once),
		cmocka_unit_test(list_in_name_order),
		cmocka_unit_test(check_gives_one_answer_for_every_failure),
		cmocka_unit_test(get_reads_the_account_as_it_is_now),
	};
	char cmd[128];
	int rc;

	/* Test only: minimum Argon2id limits keep the suite fast. */
	if (sodium_init() < 0 || setenv(USERS_PWHASH_FAST_ENV, "1", 1) != 0)
		return 1;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_users.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		rc = 1;
	return rc;
}
