/* SPDX-License-Identifier: ISC */
/*
 * retention: purging message content under the retention period (the rule
 * and what is kept: retention.h).
 *
 * DESIGN: the rule is one SQL subquery, the cases that are still busy (a
 * message of them unsettled, or active after the cutoff); everything else
 * not yet purged is due.  The subquery does not depend on the row, so
 * SQLite evaluates it once per statement, and a batch is two UPDATEs (inbox
 * first, then outbox for what the limit leaves) and one audit entry in one
 * transaction: a crash leaves either the whole batch purged and audited or
 * nothing.  The agent runs a few batches per turn of its loop, so a first
 * run over years of content never stalls the broker link or the control
 * socket.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agents/retention.h"
#include "common/auditlog.h"
#include "common/log.h"
#include "config/rfc3339.h"

/* The cases that keep their content: types 1 and 2 (referral, concern)
 * are owed a decision until decided or rejected. */
#define BUSY_CASES_SQL \
	"SELECT case_id FROM inbox WHERE (type IN (1, 2) AND state IN ('received', 'acknowledged'))" \
	" OR max(received_ms, coalesce(ack_ms, 0), coalesce(decision_ms, 0)) > ?1" \
	" UNION SELECT case_id FROM outbox WHERE state IN ('queued', 'accepted')" \
	" OR coalesce(final_ms, created_ms) > ?1" \
	" UNION SELECT i.case_id FROM hooks h JOIN inbox i USING (message_id)" \
	" WHERE h.done_ms IS NULL"

static const char inbox_sql[] =
	"UPDATE inbox SET envelope = NULL, payload = NULL, purged_ms = ?2"
	" WHERE rowid IN (SELECT rowid FROM inbox WHERE purged_ms IS NULL"
	" AND case_id NOT IN (" BUSY_CASES_SQL ") ORDER BY received_ms LIMIT ?3)";
static const char outbox_sql[] =
	"UPDATE outbox SET envelope = NULL, purged_ms = ?2"
	" WHERE rowid IN (SELECT rowid FROM outbox WHERE purged_ms IS NULL"
	" AND case_id NOT IN (" BUSY_CASES_SQL ") ORDER BY created_ms LIMIT ?3)";

struct retention {
	struct db *db;
	const struct retention_period *period;
	uint64_t next_ms;		/* when retention_poll runs next */
};

struct retention *
retention_new(struct db *db, const struct retention_period *period)
{
	struct retention *r = calloc(1, sizeof(*r));

	assert(db != NULL && period != NULL);
	if (r == NULL)
		return NULL;
	r->db = db;
	r->period = period;
	return r;
}

void
retention_destroy(struct retention **rp)
{
	if (rp == NULL || *rp == NULL)
		return;
	free(*rp);
	*rp = NULL;
}

uint64_t
retention_wait_ms(const struct retention *r, uint64_t now_ms)
{
	if (r->period->unit == RETENTION_FOREVER)
		return UINT64_MAX;
	return r->next_ms > now_ms ? r->next_ms - now_ms : 0;
}

/* Runs one purge UPDATE; *n is how many rows it changed. */
static int
purge(struct db *db, const char *sql, uint64_t cutoff, uint64_t now_ms, unsigned limit,
    unsigned *n, struct status *st)
{
	sqlite3_stmt *s;

	*n = 0;
	if (limit == 0)
		return 0;
	if ((s = db_prepare(db, sql, st)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)cutoff);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)now_ms);
	sqlite3_bind_int(s, 3, (int)limit);
	if (db_step(db, s, st) != DB_DONE)
		return -1;
	*n = (unsigned)sqlite3_changes(db_handle(db));
	return 0;
}

int
retention_purge(struct db *db, const struct retention_period *period, uint64_t now_ms,
    unsigned limit, unsigned *purged, struct status *st)
{
	char detail[AUDITLOG_DETAIL_MAX], when[RFC3339_LEN];
	uint64_t cutoff = retention_period_cutoff(period, now_ms);
	unsigned in = 0, out = 0;

	assert(!db_in_transaction(db));
	*purged = 0;
	if (cutoff == 0)
		return 0;
	if (db_begin(db, st) != 0)
		return -1;
	if (purge(db, inbox_sql, cutoff, now_ms, limit, &in, st) != 0 ||
	    purge(db, outbox_sql, cutoff, now_ms, limit - in, &out, st) != 0)
		goto fail;
	if (in + out > 0) {
		rfc3339_format(cutoff, when);
		snprintf(detail, sizeof(detail), "purged the content of %u messages (inbox %u, "
		    "outbox %u) whose cases were over by %s; retention = \"%s\"; purged_ms=%llu",
		    in + out, in, out, when, period->text, (unsigned long long)now_ms);
		if (auditlog_append(db, RETENTION_EVENT, NULL, NULL, detail, st) != 0)
			goto fail;
	}
	if (db_commit(db, st) != 0)
		goto fail;
	*purged = in + out;
	return 0;
fail:
	db_rollback(db, NULL);
	return -1;
}

int
retention_poll(struct retention *r, uint64_t now_ms, unsigned *purged, struct status *st)
{
	unsigned i, n = 0;

	*purged = 0;
	if (retention_wait_ms(r, now_ms) != 0)
		return 0;
	r->next_ms = now_ms + RETENTION_INTERVAL_MS;
	for (i = 0; i < RETENTION_BATCHES_PER_POLL; i++) {
		if (retention_purge(r->db, r->period, now_ms, RETENTION_BATCH, &n, st) != 0)
			return -1;
		*purged += n;
		if (n < RETENTION_BATCH)
			break;
	}
	if (n == RETENTION_BATCH)
		r->next_ms = now_ms;	/* more is due: again next turn */
	if (*purged > 0)
		log_event(LOG_LEVEL_INFO, NULL, NULL, RETENTION_EVENT,
		    "purged the content of %u messages under retention = \"%s\"", *purged,
		    r->period->text);
	return 0;
}
