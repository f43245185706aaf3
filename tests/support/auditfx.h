/* SPDX-License-Identifier: ISC */
/*
 * auditfx: audit logs for the auditor's unit tests (test_audit_*.c): a log
 * written as the daemons write one (auditlog_append), checkpoints of it
 * signed and countersigned with a test area's keys (proto/checkpoint.h),
 * and what a forger does with the sqlite3 CLI (raw SQL, every hash
 * recomputed).  The tables are those of ISSUE 7 (audit/cptable.h).
 * Failures here are test bugs: they abort.
 */
#ifndef DUTYNET_TESTS_AUDITFX_H
#define DUTYNET_TESTS_AUDITFX_H

#include <stdbool.h>
#include <stdint.h>

#include "common/keyfile.h"

#define AUDITFX_T0 1767603600000ULL	/* 2026-01-05T09:00:00Z: the first entry */
#define AUDITFX_STEP_MS 1000		/* between entries */

/* Writes a new log of n entries at path, with an empty checkpoints table;
 * with broker, also a `messages` and an `agency_checkpoints` table, which
 * make it a broker's database to the auditor. */
void auditfx_make_log(const char *path, int n, bool broker);

/* Runs sql on the database at path, as the sqlite3 CLI would. */
void auditfx_exec(const char *path, const char *sql);

/* Loads dir/keys/<id>.key (confdir_keys made it); keyfile_destroy it. */
struct keyfile *auditfx_key(const char *dir, const char *id);

/* Adds the checkpoint of the first size entries of the log at path, as
 * origin signed with k, at time AUDITFX_T0 + size; countersigned by the
 * broker with bk unless bk is NULL, and then also stored in the broker's
 * agency_checkpoints at broker_path unless that is NULL. */
void auditfx_sign(const char *path, const char *origin, uint64_t size, const struct keyfile *k,
    const struct keyfile *bk, const char *broker_path);

/* Recomputes every prev_hash and hash of the log at path from its fields. */
void auditfx_rehash(const char *path);

#endif
