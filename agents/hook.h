/* SPDX-License-Identifier: ISC */
/*
 * hook: tells a local case-management system that a message arrived, by
 * running the agency's on_message command (a list of words in its
 * agents/<id>.conf, the first an absolute path) with two words added:
 *
 *	WORDS... MESSAGE-ID TYPE    e.g.  /usr/local/bin/notify-cms --agency mash
 *	                                  019b...-...ab referral
 *
 * through fork and exec, never a shell, and never with plaintext: the
 * program asks `dutynet show ID --json` for the content if it needs it.
 *
 * AT LEAST ONCE.  A pending run is committed in the same transaction that
 * stores the message; it is marked done only after the program has exited
 * 0.  A crash (or a failed commit) between the exit and that mark means the
 * program runs again for the same message, so the consumer MUST treat the
 * message id as an idempotency key.  A non-zero exit, a signal or a run
 * longer than HOOK_TIMEOUT_MS (killed) is retried with backoff.  One run at
 * a time, in the order the messages became due.
 *
 * CONTACT WINDOWS (window.h).  A standard or routine message's run waits for
 * the agency's next contact window; immediate and urgent ones never wait.
 * The message itself is stored and receipted at once either way.
 *
 * The program's environment is the agent's without NOTIFY_SOCKET and the
 * watchdog variables (HOOK_ENV_DROPPED): it is not the agent's service.
 */
#ifndef DUTYNET_HOOK_H
#define DUTYNET_HOOK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/db.h"
#include "config/calendar.h"
#include "proto/ids.h"
#include "proto/status.h"

#define HOOK_SCHEMA_SQL \
	"CREATE TABLE hooks (" \
	" message_id BLOB PRIMARY KEY CHECK (length(message_id) = 16)," \
	" type TEXT NOT NULL," \
	" queued_ms INTEGER NOT NULL," \
	" attempts INTEGER NOT NULL DEFAULT 0," \
	" last_exit INTEGER," \
	" next_try_ms INTEGER NOT NULL," \
	" done_ms INTEGER);" \
	"CREATE INDEX hooks_pending ON hooks(next_try_ms) WHERE done_ms IS NULL;"
/* Schema version 2: contact windows (window.h).  urgency decides whether
 * runs wait for a window (NULL in rows from version 1: they do not);
 * not_before_ms is when the first run could start. */
#define HOOK_SCHEMA_V2_SQL \
	"ALTER TABLE hooks ADD COLUMN urgency INTEGER;" \
	"ALTER TABLE hooks ADD COLUMN not_before_ms INTEGER;"

#define HOOK_TIMEOUT_MS (60 * 1000)	/* a run longer than this is killed */
#define HOOK_RETRY_BASE_MS (10 * 1000)	/* doubled per failed attempt ... */
#define HOOK_RETRY_MAX_MS (30 * 60 * 1000) /* ... up to this */
#define HOOK_POLL_MS 50			/* how often a running hook is reaped */
#define HOOK_EXIT_SIGNAL_BASE 128	/* last_exit for a signal: 128 + signo */
#define HOOK_EXIT_EXEC_FAILED 127	/* the program could not be executed */
/* Environment variables the program does not inherit: systemd's
 * notification socket and watchdog settings belong to the agent. */
#define HOOK_ENV_DROPPED {"NOTIFY_SOCKET", "WATCHDOG_PID", "WATCHDOG_USEC", NULL}

struct hook;

/* A runner for the command words[0..n) (copied; words[0] is the program's
 * path) that kills a run after timeout_ms (HOOK_TIMEOUT_MS in the agent);
 * NULL if out of memory. */
struct hook *hook_new(const char *const *words, size_t n, uint64_t timeout_ms);

/* Frees *hp and sets it to NULL; accepts NULL.  A running program is left
 * to finish; its exit is not recorded, so it will run again (at least once). */
void hook_destroy(struct hook **hp);

/* Makes standard and routine runs wait for the contact windows (borrowed;
 * NULL: no windows, every run starts when due).  See window.h. */
void hook_set_windows(struct hook *h, const struct calendar *windows);

/* In the caller's transaction: records that the hook must run for id (a
 * message of type, enum envelope_type, and urgency): at now_ms, or at the
 * next contact window opening for a standard or routine message (audited
 * as "hook", so the timeline says why it waits).  Once per id: a repeat is
 * ignored.  A failed run is retried with backoff, and again no earlier than
 * a window for those that wait for one. */
int hook_enqueue(struct hook *h, struct db *db, const uint8_t id[IDS_MSGID_BYTES], int type,
    int urgency, uint64_t now_ms, struct status *st) __attribute__((warn_unused_result));

/* Outside any transaction: reaps a finished run (waiting for it if wait is
 * non-zero) and records it in its own transaction with an audit entry
 * "hook"; kills a run past its timeout; starts the next due run.  -1 and st
 * if the database failed (the run will simply happen again). */
int hook_poll(struct hook *h, struct db *db, int wait, struct status *st);

/* The pid of the running program, or 0. */
pid_t hook_running(const struct hook *h);

/* Milliseconds from now_ms until hook_poll has work (HOOK_POLL_MS while a
 * run is in progress), or -1 if nothing is pending. */
int64_t hook_wait_ms(struct hook *h, struct db *db, uint64_t now_ms);

/* Pending (not yet done) runs, or -1 and st. */
int64_t hook_pending(struct db *db, struct status *st);

#endif
