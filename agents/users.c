/* SPDX-License-Identifier: ISC */
/*
 * users: the web inbox's staff accounts and all the SQL on the users table
 * (see users.h).  Passwords are hashed with crypto_pwhash_str (Argon2id);
 * every buffer that held a hash is wiped, and no text this module writes
 * (status, audit detail) ever contains a password or a hash.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "agents/users.h"
#include "common/auditlog.h"
#include "common/clock.h"

#define N_ROLES 3
#define DETAIL_MAX (USERS_NAME_MAX + USERS_ROLE_MAX + 32)

static const char *const role_names[N_ROLES + 1] = {
	[USERS_VIEWER] = "viewer",
	[USERS_WORKER] = "worker",
	[USERS_LEAD] = "lead",
};

static const char find_sql[] =
    "SELECT role, disabled, created_ms, changed_ms, pwhash FROM users WHERE name = ?1";
static const char insert_sql[] =
    "INSERT INTO users (name, role, pwhash, disabled, created_ms, changed_ms)"
    " VALUES (?1, ?2, ?3, 0, ?4, ?4)";
static const char passwd_sql[] =
    "UPDATE users SET pwhash = ?2, changed_ms = ?3 WHERE name = ?1";
static const char disable_sql[] =
    "UPDATE users SET disabled = 1, changed_ms = ?2 WHERE name = ?1";
static const char list_sql[] =
    "SELECT name, role, disabled, created_ms, changed_ms FROM users ORDER BY name";

/* The columns of find_sql, and of list_sql after its leading name. */
enum { COL_ROLE, COL_DISABLED, COL_CREATED, COL_CHANGED, COL_PWHASH };

int
users_pwhash_fast(void)
{
	const char *v = getenv(USERS_PWHASH_FAST_ENV);

	return v != NULL && strcmp(v, "1") == 0;
}

int
users_role_parse(const char *s, enum users_role *r)
{
	int i;

	for (i = USERS_VIEWER; s != NULL && i <= USERS_LEAD; i++) {
		if (strcmp(s, role_names[i]) == 0) {
			*r = (enum users_role)i;
			return 0;
		}
	}
	return -1;
}

const char *
users_role_name(enum users_role r)
{
	if (r < USERS_VIEWER || r > USERS_LEAD)
		return "unknown";
	return role_names[r];
}

int
users_name_check(const char *name, struct status *st)
{
	size_t i, len = strlen(name);

	if (len == 0)
		return status_set(st, STATUS_BAD_FIELD,
		    "an account name is needed: 1 to %d characters of a-z, 0-9, '.', '_' and '-'",
		    USERS_NAME_MAX);
	if (len > USERS_NAME_MAX)
		return status_set(st, STATUS_BAD_FIELD,
		    "account name '%.*s...' is %zu bytes; use at most %d", USERS_NAME_MAX, name,
		    len, USERS_NAME_MAX);
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
			c == '-'))
			return status_set(st, STATUS_BAD_FIELD,
			    "account name '%.*s' has a character other than a-z, 0-9, '.', '_' "
			    "and '-' (e.g. alice.khan)", USERS_NAME_MAX, name);
	}
	return 0;
}

int
users_password_check(const char *password, struct status *st)
{
	size_t len = strlen(password);

	if (len < USERS_PASSWORD_MIN)
		return status_set(st, STATUS_BAD_FIELD,
		    "the password is %zu bytes; use at least %d (a few words are easy to remember)",
		    len, USERS_PASSWORD_MIN);
	if (len > USERS_PASSWORD_MAX)
		return status_set(st, STATUS_BAD_FIELD,
		    "the password is %zu bytes; use at most %d", len, USERS_PASSWORD_MAX);
	return 0;
}

/* The Argon2id hash of password into out, at the configured limits. */
static int
hash(const char *password, char out[crypto_pwhash_STRBYTES], struct status *st)
{
	int fast = users_pwhash_fast();
	size_t mem = fast ? crypto_pwhash_MEMLIMIT_MIN : crypto_pwhash_MEMLIMIT_INTERACTIVE;
	unsigned long long ops =
	    fast ? crypto_pwhash_OPSLIMIT_MIN : crypto_pwhash_OPSLIMIT_INTERACTIVE;

	if (crypto_pwhash_str(out, password, strlen(password), ops, mem) != 0)
		return status_set(st, STATUS_UNAVAILABLE,
		    "out of memory hashing the password (Argon2id needs %zu bytes); try again",
		    mem);
	return 0;
}

/* Reads name's row into e and, if pwhash is not NULL, its hash: 1 found,
 * 0 not found, -1 and st 451. */
static int
find(struct db *db, const char *name, struct users_entry *e, char pwhash[crypto_pwhash_STRBYTES],
    struct status *st)
{
	const unsigned char *h;
	sqlite3_stmt *s;
	int rc;

	if ((s = db_prepare(db, find_sql, st)) == NULL)
		return -1;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	if ((rc = db_step(db, s, st)) != DB_ROW)
		return rc == DB_DONE ? 0 : -1;
	memset(e, 0, sizeof(*e));
	snprintf(e->name, sizeof(e->name), "%s", name);
	if (users_role_parse((const char *)sqlite3_column_text(s, COL_ROLE), &e->role) != 0)
		e->role = 0;	/* the CHECK constraint makes this a hand edit */
	e->disabled = sqlite3_column_int(s, COL_DISABLED) != 0;
	e->created_ms = (uint64_t)sqlite3_column_int64(s, COL_CREATED);
	e->changed_ms = (uint64_t)sqlite3_column_int64(s, COL_CHANGED);
	if (pwhash != NULL) {
		h = sqlite3_column_text(s, COL_PWHASH);
		snprintf(pwhash, crypto_pwhash_STRBYTES, "%s", h != NULL ? (const char *)h : "");
	}
	sqlite3_reset(s);
	return 1;
}

/* name's row into e: 0, or -1 and st 504 if there is none (or 451). */
static int
need(struct db *db, const char *name, struct users_entry *e, struct status *st)
{
	int rc = find(db, name, e, NULL, st);

	if (rc == 0)
		return status_set(st, STATUS_BAD_FIELD,
		    "there is no account '%s'; 'dutynet user list' shows them", name);
	return rc == 1 ? 0 : -1;
}

static int
audit(struct db *db, const char *event, const char *name, enum users_role role,
    struct status *st)
{
	char detail[DETAIL_MAX];

	snprintf(detail, sizeof(detail), "account %s, role %s", name, users_role_name(role));
	return auditlog_append(db, event, NULL, NULL, detail, st);
}

int
users_add(struct db *db, const char *name, enum users_role role, const char *password,
    struct status *st)
{
	char h[crypto_pwhash_STRBYTES];
	struct users_entry e;
	sqlite3_stmt *s;
	int rc, ret = -1;

	assert(db_in_transaction(db));
	if (users_name_check(name, st) != 0)
		return -1;
	if (role < USERS_VIEWER || role > USERS_LEAD)
		return status_set(st, STATUS_BAD_FIELD, "role %d is not lead, worker or viewer",
		    (int)role);
	if (users_password_check(password, st) != 0)
		return -1;
	if ((rc = find(db, name, &e, NULL, st)) != 0)
		return rc < 0 ? -1 : status_set(st, STATUS_CONFLICT,
		    "account '%s' exists already (%s%s); use 'dutynet user passwd %s' for a new "
		    "password", name, users_role_name(e.role), e.disabled ? ", disabled" : "",
		    name);
	if (hash(password, h, st) != 0)
		goto out;
	if ((s = db_prepare(db, insert_sql, st)) == NULL)
		goto out;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, users_role_name(role), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, h, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)clock_now_ms());
	rc = db_step(db, s, st);
	sqlite3_clear_bindings(s);
	if (rc == -1 || audit(db, "user-added", name, role, st) != 0)
		goto out;
	ret = 0;
out:
	sodium_memzero(h, sizeof(h));
	return ret;
}

int
users_passwd(struct db *db, const char *name, const char *password, struct status *st)
{
	char h[crypto_pwhash_STRBYTES];
	struct users_entry e;
	sqlite3_stmt *s;
	int rc, ret = -1;

	assert(db_in_transaction(db));
	if (users_name_check(name, st) != 0 || users_password_check(password, st) != 0 ||
	    need(db, name, &e, st) != 0)
		return -1;
	if (hash(password, h, st) != 0)
		goto out;
	if ((s = db_prepare(db, passwd_sql, st)) == NULL)
		goto out;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, h, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)clock_now_ms());
	rc = db_step(db, s, st);
	sqlite3_clear_bindings(s);
	if (rc == -1 || audit(db, "user-password-changed", name, e.role, st) != 0)
		goto out;
	ret = 0;
out:
	sodium_memzero(h, sizeof(h));
	return ret;
}

int
users_disable(struct db *db, const char *name, struct status *st)
{
	struct users_entry e;
	sqlite3_stmt *s;

	assert(db_in_transaction(db));
	if (users_name_check(name, st) != 0 || need(db, name, &e, st) != 0)
		return -1;
	if (e.disabled)
		return 0;
	if ((s = db_prepare(db, disable_sql, st)) == NULL)
		return -1;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)clock_now_ms());
	if (db_step(db, s, st) == -1)
		return -1;
	return audit(db, "user-disabled", name, e.role, st);
}

int
users_list(struct db *db, int (*fn)(const struct users_entry *e, void *arg), void *arg,
    struct status *st)
{
	struct users_entry e;
	sqlite3_stmt *s;
	const unsigned char *name, *role;
	int rc;

	if ((s = db_prepare(db, list_sql, st)) == NULL)
		return -1;
	while ((rc = db_step(db, s, st)) == DB_ROW) {
		memset(&e, 0, sizeof(e));
		name = sqlite3_column_text(s, 0);
		role = sqlite3_column_text(s, 1 + COL_ROLE);
		snprintf(e.name, sizeof(e.name), "%s", name != NULL ? (const char *)name : "");
		if (users_role_parse((const char *)role, &e.role) != 0)
			e.role = 0;
		e.disabled = sqlite3_column_int(s, 1 + COL_DISABLED) != 0;
		e.created_ms = (uint64_t)sqlite3_column_int64(s, 1 + COL_CREATED);
		e.changed_ms = (uint64_t)sqlite3_column_int64(s, 1 + COL_CHANGED);
		if (fn(&e, arg) != 0) {
			sqlite3_reset(s);
			return 0;
		}
	}
	return rc == DB_DONE ? 0 : -1;
}

int
users_get(struct db *db, const char *name, struct users_entry *e, struct status *st)
{
	int rc;

	if (users_name_check(name, NULL) != 0)
		return 0;
	if ((rc = find(db, name, e, NULL, st)) >= 0)
		status_ok(st);
	return rc;
}

int
users_check(struct db *db, const char *name, const char *password, struct users_entry *e,
    struct status *st)
{
	char h[crypto_pwhash_STRBYTES];
	struct users_entry found;
	size_t plen = strlen(password);
	int rc, ok, ret = -1;

	memset(h, 0, sizeof(h));
	rc = users_name_check(name, NULL) == 0 ? find(db, name, &found, h, st) : 0;
	if (rc < 0)
		goto out;
	/* Unknown names and impossible passwords cost a verification too, so
	 * the answer's timing does not say which accounts exist. */
	if (rc == 0)
		snprintf(h, sizeof(h), "%s",
		    users_pwhash_fast() ? USERS_DUMMY_HASH_FAST : USERS_DUMMY_HASH);
	if (plen > USERS_PASSWORD_MAX)
		plen = 0;
	ok = crypto_pwhash_str_verify(h, password, plen) == 0;
	ret = rc == 1 && ok && plen > 0 && !found.disabled && found.role != 0;
	if (ret == 1 && e != NULL)
		*e = found;
	status_ok(st);
out:
	sodium_memzero(h, sizeof(h));
	return ret;
}
