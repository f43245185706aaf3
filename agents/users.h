/* SPDX-License-Identifier: ISC */
/*
 * users: the staff accounts of this agency's web inbox (issue 9), and ALL
 * the SQL on the users table.
 *
 * A password is stored only as crypto_pwhash_str (Argon2id, interactive
 * limits); it is never logged, never put in an audit detail, and every copy
 * this module makes is wiped.  Each change (add, passwd, disable) writes its
 * audit event (user-added, user-password-changed, user-disabled) in the same
 * transaction as the change, naming the account and role, never the
 * password or its hash.
 *
 * users_check answers "wrong password", "unknown account" and "disabled
 * account" alike, and spends about the same time on each: an unknown name is
 * checked against a fixed dummy hash, so timing does not tell which names
 * exist.  Rate limiting is loginrate's job, not this module's.
 *
 * TEST ONLY: with DUTYNET_PWHASH_FAST=1 in the environment, new hashes use
 * crypto_pwhash's minimum limits (OPSLIMIT_MIN/MEMLIMIT_MIN) so the test
 * suite stays fast.  Never set it for a real agency: such hashes are cheap to
 * guess.  It is read in one place (users_pwhash_fast).
 */
#ifndef DUTYNET_USERS_H
#define DUTYNET_USERS_H

#include <stdbool.h>
#include <stdint.h>

#include "common/db.h"
#include "proto/status.h"

#define USERS_NAME_MAX 64		/* bytes of an account name, [a-z0-9._-] */
#define USERS_PASSWORD_MIN 10		/* bytes of a password, at least */
#define USERS_PASSWORD_MAX 128		/* bytes of a password, at most */
#define USERS_ROLE_MAX 6		/* bytes of the longest role name */
#define USERS_PWHASH_FAST_ENV "DUTYNET_PWHASH_FAST"	/* test only, see above */
/* What users_check verifies an unknown name against, so it costs what a
 * real check costs: hashes of a throwaway password under the interactive
 * and (test only) the minimum limits. */
#define USERS_DUMMY_HASH \
	"$argon2id$v=19$m=65536,t=2,p=1$mWlnNA7VFqTqwbKNFe/t+w$" \
	"mi/tT2IAi4fEYm8b8hK7OkeP3y9m/WjQaD7T7pR2VR4"
#define USERS_DUMMY_HASH_FAST \
	"$argon2id$v=19$m=8,t=1,p=1$P5logKQVa5VwxEfMTvKnCA$" \
	"OgJbYaHoZKhgan9usc0we7xresU/HbPjlRMX/5aR+Xc"

/* Schema version step (agentdb.c's migrations): the users table. */
#define USERS_SCHEMA_SQL \
	"CREATE TABLE users (" \
	" name TEXT PRIMARY KEY," \
	" role TEXT NOT NULL CHECK (role IN ('lead','worker','viewer'))," \
	" pwhash TEXT NOT NULL," \
	" disabled INTEGER NOT NULL DEFAULT 0," \
	" created_ms INTEGER NOT NULL," \
	" changed_ms INTEGER NOT NULL);"

/* Ordered by what the role may do: a check may compare (role >= USERS_WORKER). */
enum users_role { USERS_VIEWER = 1, USERS_WORKER = 2, USERS_LEAD = 3 };

/* One account as read back; never holds the password or its hash. */
struct users_entry {
	char name[USERS_NAME_MAX + 1];
	enum users_role role;
	bool disabled;
	uint64_t created_ms, changed_ms;
};

/* Creates an enabled account with the password's hash, and its audit
 * event, inside the caller's open transaction (asserted; on -1 the caller
 * rolls back).  -1 and st 504 naming the bad name, role or password rule;
 * 550 if the name exists; 451 on a database error. */
int users_add(struct db *db, const char *name, enum users_role role, const char *password,
    struct status *st) __attribute__((warn_unused_result));

/* Replaces name's password hash (also for a disabled account; it stays
 * disabled), with its audit event, in the caller's transaction (asserted).
 * -1 and st 504 (bad name, password rule, or no such account), 451 on a
 * database error. */
int users_passwd(struct db *db, const char *name, const char *password, struct status *st)
    __attribute__((warn_unused_result));

/* Disables name, with its audit event, in the caller's transaction
 * (asserted): it can no longer log in.  Disabling a disabled account is
 * done (0, no second event).  -1 and st 504 (bad name or no such account),
 * 451 on a database error. */
int users_disable(struct db *db, const char *name, struct status *st)
    __attribute__((warn_unused_result));

/* Calls fn for every account in name order (e borrowed for the call);
 * fn returning non-zero stops the walk.  -1 and st 451 on a database error. */
int users_list(struct db *db, int (*fn)(const struct users_entry *e, void *arg), void *arg,
    struct status *st);

/* name's account into e (never its hash): 1 found (disabled ones too: see
 * e->disabled), 0 if there is no such account or name is not a valid
 * name, -1 and st 451 on a database error.  What a signed-in session
 * re-reads on each request, so a disabled account or a changed role takes
 * effect at once. */
int users_get(struct db *db, const char *name, struct users_entry *e, struct status *st)
    __attribute__((warn_unused_result));

/* 1 = right password and enabled (e filled), 0 = wrong password, unknown or
 * disabled (same answer, and roughly the same time: a dummy hash is checked
 * for unknown names), -1 = db error (st 451).  e may be NULL. */
int users_check(struct db *db, const char *name, const char *password, struct users_entry *e,
    struct status *st) __attribute__((warn_unused_result));

/* "lead", "worker", "viewer" -> *r: 0, or -1 for anything else. */
int users_role_parse(const char *s, enum users_role *r);

/* The role's name, or "unknown" for a value outside the enum. */
const char *users_role_name(enum users_role r);

/* 0 if name is 1..USERS_NAME_MAX bytes of [a-z0-9._-]; else -1 and st 504
 * naming the value and the rule (the CLI checks before asking a password). */
int users_name_check(const char *name, struct status *st);

/* 0 if password is USERS_PASSWORD_MIN..USERS_PASSWORD_MAX bytes; else -1
 * and st 504 naming the rule (never the password). */
int users_password_check(const char *password, struct status *st);

/* 1 if USERS_PWHASH_FAST_ENV is "1" (test only: minimum Argon2 limits). */
int users_pwhash_fast(void);

#endif
