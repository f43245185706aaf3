/* SPDX-License-Identifier: ISC */
/*
 * agentdb: the agent's own database, one per agency: the outbox, the inbox,
 * the pending on_message runs and the audit log, in one SQLite file so that
 * a state change and its audit entry commit together (SCHEMA.md, "Agent
 * database").  Each table's SQL lives with its module; this only opens the
 * file (common/db.h: WAL, synchronous=FULL, busy timeout) and brings the
 * schema up to date.
 */
#ifndef DUTYNET_AGENTDB_H
#define DUTYNET_AGENTDB_H

#include "common/db.h"
#include "proto/status.h"

/* Opens or creates the database at path and migrates it; the caller owns
 * the result.  NULL and st (451, or 502 for a newer schema). */
struct db *agentdb_open(const char *path, struct status *st);

#endif
