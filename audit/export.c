/* SPDX-License-Identifier: ISC */
/*
 * export: the `export` verb (see export.h).  One statement steps through
 * the table and each row is written straight to the stream, so a log of
 * millions of entries needs no memory beyond the row.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "audit/audit.h"
#include "audit/export.h"
#include "audit/inputs.h"
#include "audit/jsonout.h"

static const char rows_sql[] =
	"SELECT seq, time_ms, event, agency, message_id, detail, prev_hash, hash"
	" FROM audit ORDER BY seq";
enum { COL_SEQ, COL_TIME, COL_EVENT, COL_AGENCY, COL_MSGID, COL_DETAIL, COL_PREV, COL_HASH };

static void
text_or_null(FILE *f, sqlite3_stmt *s, int col)
{
	if (sqlite3_column_type(s, col) == SQLITE_NULL)
		fputs("null", f);
	else
		jsonout_string(f, (const char *)sqlite3_column_text(s, col));
}

/* A BLOB column as hex (any length: an edited row is shown as it is). */
static void
blob_hex(FILE *f, sqlite3_stmt *s, int col)
{
	if (sqlite3_column_type(s, col) == SQLITE_NULL)
		fputs("null", f);
	else
		jsonout_hex(f, sqlite3_column_blob(s, col), (size_t)sqlite3_column_bytes(s, col));
}

int
export_log(struct auditdb *db, FILE *f, struct status *st)
{
	sqlite3_stmt *s;
	int rc;

	if ((s = auditdb_prepare(db, rows_sql, st)) == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		fputs("{\"log\": ", f);
		jsonout_string(f, db->owner[0] ? db->owner : NULL);
		fprintf(f, ", \"seq\": %lld, \"time_ms\": %lld, \"time\": ",
		    (long long)sqlite3_column_int64(s, COL_SEQ),
		    (long long)sqlite3_column_int64(s, COL_TIME));
		jsonout_time(f, (uint64_t)sqlite3_column_int64(s, COL_TIME));
		fputs(", \"event\": ", f);
		text_or_null(f, s, COL_EVENT);
		fputs(", \"agency\": ", f);
		text_or_null(f, s, COL_AGENCY);
		fputs(", \"message_id\": ", f);
		if (sqlite3_column_type(s, COL_MSGID) == SQLITE_BLOB &&
		    sqlite3_column_bytes(s, COL_MSGID) == IDS_MSGID_BYTES)
			jsonout_msgid(f, sqlite3_column_blob(s, COL_MSGID));
		else
			blob_hex(f, s, COL_MSGID);
		fputs(", \"detail\": ", f);
		text_or_null(f, s, COL_DETAIL);
		fputs(", \"prev_hash\": ", f);
		blob_hex(f, s, COL_PREV);
		fputs(", \"hash\": ", f);
		blob_hex(f, s, COL_HASH);
		fputs("}\n", f);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return auditdb_error(db, "cannot read the audit table", st);
	if (fflush(f) != 0 || ferror(f))
		return status_set(st, STATUS_UNAVAILABLE, "cannot write the output");
	return 0;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: %s export [--config DIR] DB...\n\n"
		   "Writes every audit entry of each database as one JSON object per line\n"
		   "(fields: log, seq, time_ms, time, event, agency, message_id, detail,\n"
		   "prev_hash, hash), in seq order.  It does not verify: run verify for that.\n"
		   "--config names the area's configuration, used only to name the broker's\n"
		   "log (without it, its checkpoints name it).\n\n"
		   "Exit: 0 written; 2 bad command line; 3 a database cannot be read or the\n"
		   "output cannot be written.\n", AUDIT_PROGRAM);
}

int
export_cmd(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct inputs in;
	struct status st;
	const char *config = NULL;
	size_t i;
	int c, ret = AUDIT_UNREADABLE;

	memset(&in, 0, sizeof(in));
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 'h':
			usage(stdout);
			return AUDIT_OK;
		default:
			usage(stderr);
			return AUDIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "%s export: name at least one database\n", AUDIT_PROGRAM);
		usage(stderr);
		return AUDIT_USAGE;
	}
	if ((config != NULL && inputs_load_config(&in, config, 0) != 0) ||
	    inputs_open_dbs(&in, argv + optind, (size_t)(argc - optind)) != 0)
		goto out;
	for (i = 0; i < in.n_dbs; i++)
		if (export_log(in.dbs[i], stdout, &st) != 0) {
			fprintf(stderr, "%s: %s\n", AUDIT_PROGRAM, st.text);
			goto out;
		}
	ret = AUDIT_OK;
out:
	inputs_free(&in);
	return ret;
}
