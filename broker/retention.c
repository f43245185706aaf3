/* SPDX-License-Identifier: ISC */
/*
 * retention: purging the broker's envelopes under the retention period
 * (the rule: retention.h).  One UPDATE per batch, guarded by the final
 * states and by the queue, so no DELIVER can ever find its bytes gone, and
 * its audit entry in the same transaction.
 */
#include <assert.h>
#include <stdio.h>

#include "broker/retention.h"
#include "common/auditlog.h"
#include "common/log.h"
#include "config/rfc3339.h"

static const char purge_sql[] =
	"UPDATE messages SET envelope = NULL, purged_ms = ?2"
	" WHERE rowid IN (SELECT m.rowid FROM messages m"
	" WHERE m.envelope IS NOT NULL AND m.state <> 'queued' AND m.final_ms <= ?1"
	" AND NOT EXISTS (SELECT 1 FROM queue q WHERE q.message_id = m.id)"
	" ORDER BY m.final_ms LIMIT ?3)";

int
retention_purge(struct store *s, const struct retention_period *period, uint64_t now_ms,
    unsigned limit, unsigned *purged, struct status *st)
{
	char detail[AUDITLOG_DETAIL_MAX], when[RFC3339_LEN];
	uint64_t cutoff = retention_period_cutoff(period, now_ms);
	struct db *db = store_db(s);
	sqlite3_stmt *q;
	unsigned n;

	assert(!db_in_transaction(db));
	*purged = 0;
	if (cutoff == 0 || limit == 0)
		return 0;
	if (db_begin(db, st) != 0)
		return -1;
	if ((q = db_prepare(db, purge_sql, st)) == NULL)
		goto fail;
	sqlite3_bind_int64(q, 1, (sqlite3_int64)cutoff);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)now_ms);
	sqlite3_bind_int(q, 3, (int)limit);
	if (db_step(db, q, st) != DB_DONE)
		goto fail;
	n = (unsigned)sqlite3_changes(db_handle(db));
	if (n > 0) {
		rfc3339_format(cutoff, when);
		snprintf(detail, sizeof(detail), "purged the envelopes of %u messages final by %s; "
		    "retention = \"%s\"; purged_ms=%llu", n, when, period->text,
		    (unsigned long long)now_ms);
		if (auditlog_append(db, RETENTION_EVENT, NULL, NULL, detail, st) != 0)
			goto fail;
	}
	if (db_commit(db, st) != 0)
		goto fail;
	*purged = n;
	return 0;
fail:
	db_rollback(db, NULL);
	return -1;
}

int
retention_poll(struct store *s, const struct retention_period *period, uint64_t now_ms,
    uint64_t *next_ms, unsigned *purged, struct status *st)
{
	unsigned i, n = 0;

	*purged = 0;
	if (period->unit == RETENTION_FOREVER || *next_ms > now_ms)
		return 0;
	*next_ms = now_ms + RETENTION_INTERVAL_MS;
	for (i = 0; i < RETENTION_BATCHES_PER_POLL; i++) {
		if (retention_purge(s, period, now_ms, RETENTION_BATCH, &n, st) != 0)
			return -1;
		*purged += n;
		if (n < RETENTION_BATCH)
			break;
	}
	if (n == RETENTION_BATCH)
		*next_ms = now_ms;	/* more is due: again next turn */
	if (*purged > 0)
		log_event(LOG_LEVEL_INFO, NULL, NULL, RETENTION_EVENT,
		    "purged the envelopes of %u messages under retention = \"%s\"", *purged,
		    period->text);
	return 0;
}
