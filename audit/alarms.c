/* SPDX-License-Identifier: ISC */
/*
 * alarms: the broker's refused checkpoints, read for verify (see alarms.h).
 */
#include <stdio.h>
#include <string.h>

#include "audit/alarms.h"

static const char alarms_sql[] =
	"SELECT seq, time_ms, agency, detail FROM audit WHERE event = '" ALARMS_EVENT
	"' ORDER BY seq";
enum { COL_SEQ, COL_TIME, COL_AGENCY, COL_DETAIL };

static const char *
text_or(sqlite3_stmt *s, int col, const char *none)
{
	const unsigned char *t = sqlite3_column_text(s, col);

	return t != NULL ? (const char *)t : none;
}

int
alarms_read(struct auditdb *db, struct alarms *a, struct status *st)
{
	struct logcheck_problem *p;
	sqlite3_stmt *s;
	int rc;

	memset(a, 0, sizeof(*a));
	if ((s = auditdb_prepare(db, alarms_sql, st)) == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		a->total++;
		if (a->n == ALARMS_KEPT)
			continue;
		p = &a->first[a->n++];
		p->seq = (uint64_t)sqlite3_column_int64(s, COL_SEQ);
		p->time_ms = (uint64_t)sqlite3_column_int64(s, COL_TIME);
		p->code = STATUS_INCONSISTENT;
		p->found = a->total;
		snprintf(p->text, sizeof(p->text), "the broker refused a checkpoint of %s as "
		    "inconsistent with the one it countersigned before (its log was cut, "
		    "rewritten or forked): %s", text_or(s, COL_AGENCY, "(no agency)"),
		    text_or(s, COL_DETAIL, "(no detail)"));
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return auditdb_error(db, "cannot read the alarms in the audit table", st);
	return 0;
}
