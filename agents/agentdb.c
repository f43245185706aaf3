/* SPDX-License-Identifier: ISC */
/*
 * agentdb: opening and migrating the agent database.  Version 1 is the
 * first schema, version 2 adds the notices table and the hooks' contact
 * window columns, version 3 the web inbox's users table, version 4 lets
 * content be purged under a retention period; a later release
 * appends steps and never edits one, so a file written by any earlier
 * release is brought forward in one transaction (db_migrate).
 */
#include <stddef.h>

#include "agents/agentdb.h"
#include "agents/hook.h"
#include "agents/inbox.h"
#include "agents/notice.h"
#include "agents/outbox.h"
#include "agents/users.h"
#include "common/auditlog.h"

static const char *const steps[] = {
	/* 1: the first schema. */
	AUDITLOG_SCHEMA_SQL OUTBOX_SCHEMA_SQL INBOX_SCHEMA_SQL HOOK_SCHEMA_SQL,
	/* 2: deadline notices from the broker; hooks wait for contact windows. */
	NOTICE_SCHEMA_SQL HOOK_SCHEMA_V2_SQL,
	/* 3: staff accounts of the web inbox (issue 9). */
	USERS_SCHEMA_SQL,
	/* 4: retention: envelopes may be purged (inbox, outbox purged_ms). */
	INBOX_SCHEMA_V4_SQL OUTBOX_SCHEMA_V4_SQL,
};

struct db *
agentdb_open(const char *path, struct status *st)
{
	struct db *db = db_open(path, st);

	if (db == NULL)
		return NULL;
	if (db_migrate(db, steps, (int)(sizeof(steps) / sizeof(steps[0])), st) != 0)
		db_close(&db);
	return db;
}
