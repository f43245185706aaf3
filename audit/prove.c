/* SPDX-License-Identifier: ISC */
/*
 * prove: the `prove` and `check-proof` verbs (see prove.h).
 *
 * DESIGN.  merkle_inclusion_proof asks for leaves through a callback, in
 * runs of consecutive indexes (one sibling subtree at a time), so the
 * callback keeps one statement stepping through the hash column and only
 * re-seeks when the next leaf asked for is not the next row: O(log n)
 * seeks and one read of each leaf, without loading the log into memory.
 * The proof is checked with merkle_inclusion_verify before it is written,
 * so prove never hands out a bundle that check-proof would refuse.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "audit/cptable.h"
#include "audit/cpverify.h"
#include "audit/inputs.h"
#include "audit/prove.h"
#include "audit/show.h"

static const char row_sql[] =
	"SELECT seq, time_ms, event, agency, message_id, detail, prev_hash, hash"
	" FROM audit WHERE seq = ?1";
static const char leaves_sql[] = "SELECT seq, hash FROM audit WHERE seq >= ?1 ORDER BY seq";
/* Column positions in row_sql. */
enum { ROW_SEQ, ROW_TIME, ROW_EVENT, ROW_AGENCY, ROW_MSGID, ROW_DETAIL, ROW_PREV, ROW_HASH };

/* The leaf reader: one statement stepping forward from the last seek. */
struct leaves {
	struct auditdb *db;
	sqlite3_stmt *s;
	uint64_t next;		/* the index the statement's next row has */
	bool active;
};

static int
read_leaf(void *arg, uint64_t index, uint8_t out[MERKLE_HASHBYTES], struct status *st)
{
	struct leaves *l = arg;

	if (!l->active || index != l->next) {
		sqlite3_reset(l->s);
		sqlite3_bind_int64(l->s, 1, (sqlite3_int64)index + 1);
		l->active = true;
	}
	if (sqlite3_step(l->s) != SQLITE_ROW) {
		l->active = false;
		return auditdb_error(l->db, "cannot read the audit table", st);
	}
	if ((uint64_t)sqlite3_column_int64(l->s, 0) != index + 1 ||
	    sqlite3_column_type(l->s, 1) != SQLITE_BLOB ||
	    sqlite3_column_bytes(l->s, 1) != AUDITLOG_HASHBYTES) {
		l->active = false;
		return status_set(st, STATUS_STORE_FAILED, "%s: audit seq %" PRIu64 " is missing "
		    "or damaged: run dutynet-audit verify", l->db->path, index + 1);
	}
	merkle_leaf_hash(sqlite3_column_blob(l->s, 1), AUDITLOG_HASHBYTES, out);
	l->next = index + 1;
	return 0;
}

/* Reads row seq into p's entry (strings copied into p) and checks it
 * against its own hash. */
static int
load_entry(struct auditdb *db, uint64_t seq, struct proof *p, struct status *st)
{
	sqlite3_stmt *s;
	uint8_t want[AUDITLOG_HASHBYTES];
	const char *event, *agency, *detail;
	int rc, ret = -1;

	if ((s = auditdb_prepare(db, row_sql, st)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)seq);
	if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
		if (rc == SQLITE_DONE)
			status_set(st, STATUS_BAD_FIELD, "%s has no audit entry seq %" PRIu64,
			    db->path, seq);
		else
			auditdb_error(db, "cannot read the audit table", st);
		goto out;
	}
	event = (const char *)sqlite3_column_text(s, ROW_EVENT);
	agency = sqlite3_column_type(s, ROW_AGENCY) == SQLITE_NULL ? NULL :
	    (const char *)sqlite3_column_text(s, ROW_AGENCY);
	detail = (const char *)sqlite3_column_text(s, ROW_DETAIL);
	if (event == NULL || detail == NULL || strlen(event) > AUDITLOG_EVENT_MAX ||
	    strlen(detail) > AUDITLOG_DETAIL_MAX || (agency != NULL && strlen(agency) >
		IDS_AGENCY_MAX) || sqlite3_column_bytes(s, ROW_PREV) != AUDITLOG_HASHBYTES ||
	    sqlite3_column_bytes(s, ROW_HASH) != AUDITLOG_HASHBYTES ||
	    (sqlite3_column_type(s, ROW_MSGID) != SQLITE_NULL &&
		sqlite3_column_bytes(s, ROW_MSGID) != IDS_MSGID_BYTES)) {
		status_set(st, STATUS_BAD_SIGNATURE, "audit seq %" PRIu64 " has a column of the "
		    "wrong type or size: run dutynet-audit verify", seq);
		goto out;
	}
	memcpy(p->event, event, strlen(event) + 1);
	memcpy(p->detail, detail, strlen(detail) + 1);
	if (agency != NULL)
		memcpy(p->agency, agency, strlen(agency) + 1);
	p->entry.seq = seq;
	p->entry.time_ms = (uint64_t)sqlite3_column_int64(s, ROW_TIME);
	p->entry.event = p->event;
	p->entry.agency = agency != NULL ? p->agency : NULL;
	p->entry.detail = p->detail;
	if ((p->entry.has_message_id = sqlite3_column_type(s, ROW_MSGID) != SQLITE_NULL))
		memcpy(p->entry.message_id, sqlite3_column_blob(s, ROW_MSGID), IDS_MSGID_BYTES);
	memcpy(p->prev_hash, sqlite3_column_blob(s, ROW_PREV), AUDITLOG_HASHBYTES);
	memcpy(p->hash, sqlite3_column_blob(s, ROW_HASH), AUDITLOG_HASHBYTES);
	if (auditlog_hash(&p->entry, p->prev_hash, want) != 0 ||
	    memcmp(want, p->hash, AUDITLOG_HASHBYTES) != 0) {
		status_set(st, STATUS_BAD_SIGNATURE, "audit seq %" PRIu64 " does not match its "
		    "hash: it was altered; run dutynet-audit verify", seq);
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(s);
	return ret;
}

int
prove_entry(struct auditdb *db, const struct directory *d, uint64_t seq,
    uint64_t checkpoint_size, struct proof *p, struct status *st)
{
	struct leaves l = {.db = db};
	struct checkpoint cp;
	struct status why;
	uint8_t leaf[MERKLE_HASHBYTES];
	bool agency = strcmp(db->owner, d->broker.id) != 0;
	int found, ret = -1;

	memset(p, 0, sizeof(*p));
	snprintf(p->log, sizeof(p->log), "%s", db->owner);
	if (checkpoint_size != 0 && checkpoint_size < seq)
		return status_set(st, STATUS_BAD_FIELD, "a checkpoint of size %" PRIu64 " cannot "
		    "cover seq %" PRIu64, checkpoint_size, seq);
	if (load_entry(db, seq, p, st) != 0)
		return -1;
	found = cptable_find(db, d, checkpoint_size ? checkpoint_size : seq, checkpoint_size != 0,
	    agency, &cp, p->checkpoint, st);
	if (found == -1)
		return -1;
	if (found == 0)
		return status_set(st, STATUS_BAD_SIGNATURE, "%s has no %scheckpoint %s seq %" PRIu64
		    " yet: wait for the next one", db->path, agency ? "countersigned " : "",
		    checkpoint_size ? "of that size covering" : "covering", seq);
	p->checkpoint_len = strlen(p->checkpoint);
	p->tree_size = cp.size;
	if ((l.s = auditdb_prepare(db, leaves_sql, st)) == NULL)
		return -1;
	if (merkle_inclusion_proof(seq - 1, cp.size, read_leaf, &l, p->path, &p->n_path, st) != 0)
		goto out;
	merkle_leaf_hash(p->hash, AUDITLOG_HASHBYTES, leaf);
	if (merkle_inclusion_verify(leaf, seq - 1, cp.size, p->path, p->n_path, cp.root, &why) !=
	    0) {
		status_set(st, STATUS_BAD_SIGNATURE, "the log does not match its checkpoint of size "
		    "%" PRIu64 " (%s): run dutynet-audit verify", cp.size, why.text);
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(l.s);
	return ret;
}

static int
exit_for(const struct status *st)
{
	return st->code == STATUS_UNAVAILABLE || st->code == STATUS_STORE_FAILED ?
	    AUDIT_UNREADABLE : AUDIT_FAILED;
}

static void
prove_usage(FILE *f)
{
	fprintf(f, "usage: %s prove [--config DIR] --entry SEQ [--checkpoint SIZE]\n"
		   "                     [--output FILE] DB\n\n"
		   "Writes the inclusion proof of one audit entry: the entry's fields, the\n"
		   "Merkle path from it to the root of a signed checkpoint of the log (the\n"
		   "smallest covering it, or the one of SIZE; for an agency, one the broker\n"
		   "countersigned) and that checkpoint.  It shows the inspector this one entry\n"
		   "and nothing of the others.  Check it with '%s check-proof FILE'.\n\n"
		   "Exit: 0 written; 1 no checkpoint covers it, or the log does not match what\n"
		   "was signed; 2 bad command line (or no such entry); 3 configuration or the\n"
		   "database cannot be read, or FILE cannot be written.\n", AUDIT_PROGRAM,
	    AUDIT_PROGRAM);
}

static int
parse_u64(const char *s, uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 10);
	return s[0] >= '0' && s[0] <= '9' && *end == '\0' && errno == 0 ? 0 : -1;
}

int
prove_cmd(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"entry", required_argument, NULL, 'e'},
		{"checkpoint", required_argument, NULL, 'k'},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *config = NULL, *output = NULL;
	uint64_t seq = 0, size = 0;
	struct proof *p = NULL;
	sqlite3_int64 last;
	struct inputs in;
	struct status st;
	FILE *f = stdout;
	int c, ret = AUDIT_UNREADABLE;

	memset(&in, 0, sizeof(in));
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:e:k:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 'e':
		case 'k':
			if (parse_u64(optarg, c == 'e' ? &seq : &size) != 0 ||
			    (c == 'e' && seq == 0)) {
				fprintf(stderr, "%s prove: --%s '%s' is not a positive whole "
				    "number\n", AUDIT_PROGRAM, c == 'e' ? "entry" : "checkpoint",
				    optarg);
				return AUDIT_USAGE;
			}
			break;
		case 'o':
			output = optarg;
			break;
		case 'h':
			prove_usage(stdout);
			return AUDIT_OK;
		default:
			prove_usage(stderr);
			return AUDIT_USAGE;
		}
	}
	if (optind != argc - 1 || seq == 0) {
		fprintf(stderr, "%s prove: give --entry SEQ and one database\n", AUDIT_PROGRAM);
		prove_usage(stderr);
		return AUDIT_USAGE;
	}
	if ((p = malloc(sizeof(*p))) == NULL) {
		fprintf(stderr, "%s: out of memory\n", AUDIT_PROGRAM);
		return AUDIT_UNREADABLE;
	}
	if (size != 0 && size < seq) {
		fprintf(stderr, "%s prove: a checkpoint of size %" PRIu64 " cannot cover seq %"
		    PRIu64 "\n", AUDIT_PROGRAM, size, seq);
		ret = AUDIT_USAGE;
		goto out;
	}
	if (inputs_load_config(&in, config, 0) != 0 || inputs_open_dbs(&in, argv + optind, 1) != 0)
		goto out;
	if (auditdb_last_seq(in.dbs[0], &last, &st) != 0) {
		fprintf(stderr, "%s prove: %s\n", AUDIT_PROGRAM, st.text);
		goto out;
	}
	if ((sqlite3_int64)seq > last) {
		fprintf(stderr, "%s prove: %s has %lld audit entries: there is no seq %" PRIu64 "\n",
		    AUDIT_PROGRAM, in.dbs[0]->path, (long long)last, seq);
		ret = AUDIT_USAGE;
		goto out;
	}
	if (prove_entry(in.dbs[0], in.dir, seq, size, p, &st) != 0) {
		fprintf(stderr, "%s prove: %s\n", AUDIT_PROGRAM, st.text);
		ret = exit_for(&st);
		goto out;
	}
	if (output != NULL && (f = fopen(output, "wx")) == NULL) {
		fprintf(stderr, "%s prove: cannot create %s: %s (it must not exist)\n",
		    AUDIT_PROGRAM, output, strerror(errno));
		goto out;
	}
	if (proof_write(p, f, &st) != 0) {
		fprintf(stderr, "%s prove: %s\n", AUDIT_PROGRAM, st.text);
		goto out;
	}
	ret = AUDIT_OK;
out:
	if (f != stdout && f != NULL && fclose(f) != 0 && ret == AUDIT_OK) {
		fprintf(stderr, "%s prove: cannot write %s: %s\n", AUDIT_PROGRAM, output,
		    strerror(errno));
		ret = AUDIT_UNREADABLE;
	}
	free(p);
	inputs_free(&in);
	return ret;
}

/* Reads all of path (at most PROOF_FILE_MAX + 1 bytes) into buf. */
static int
slurp(const char *path, char *buf, size_t cap, size_t *len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");

	if (f == NULL)
		return -1;
	*len = fread(buf, 1, cap, f);
	if (ferror(f)) {
		if (f != stdin)
			fclose(f);
		return -1;
	}
	if (f != stdin)
		fclose(f);
	return 0;
}

static void
check_usage(FILE *f)
{
	fprintf(f, "usage: %s check-proof [--config DIR] FILE\n\n"
		   "Checks an inclusion proof made by '%s prove' (FILE, or - for stdin) with\n"
		   "the public keys in DIR/directory.conf only: the entry's hash from its\n"
		   "fields, the Merkle path to the checkpoint's root, the origin's signature\n"
		   "and, for an agency, the broker's countersignature.  Prints the entry.\n\n"
		   "Exit: 0 the proof holds; 1 it does not; 2 bad command line; 3\n"
		   "configuration or FILE cannot be read.\n", AUDIT_PROGRAM, AUDIT_PROGRAM);
}

static void
print_entry(const struct proof *p, const struct checkpoint *cp)
{
	char t[RFC3339_LEN], ct[RFC3339_LEN], id[IDS_MSGID_TEXT + 1];
	char ev[SHOW_QUOTE_LEN], ag[SHOW_QUOTE_LEN], det[SHOW_QUOTE_LEN];

	printf("proof holds: entry seq %" PRIu64 " of the audit log of %s\n", p->entry.seq, p->log);
	printf("  time     %s\n  event    %s\n  agency   %s\n  message  %s\n  detail   %s\n",
	    show_time(p->entry.time_ms, t), show_quote(p->entry.event, ev),
	    p->entry.agency ? show_quote(p->entry.agency, ag) : "-",
	    p->entry.has_message_id ? show_msgid(p->entry.message_id, id) : "-",
	    show_quote(p->entry.detail, det));
	printf("is entry %" PRIu64 " of the %" PRIu64 " that %s signed at %s", p->entry.seq,
	    cp->size, cp->origin, show_time(cp->time_ms, ct));
	if (cp->has_countersig)
		printf(", countersigned by %s", cp->countersig.signer);
	printf(".\n");
}

int
prove_check_cmd(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *config = NULL;
	struct proof *p = NULL;
	struct checkpoint cp;
	struct inputs in;
	struct status st;
	char *buf = NULL;
	size_t len = 0;
	int c, ret = AUDIT_UNREADABLE;

	memset(&in, 0, sizeof(in));
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 'h':
			check_usage(stdout);
			return AUDIT_OK;
		default:
			check_usage(stderr);
			return AUDIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "%s check-proof: name one proof file\n", AUDIT_PROGRAM);
		check_usage(stderr);
		return AUDIT_USAGE;
	}
	if ((p = malloc(sizeof(*p))) == NULL || (buf = malloc(PROOF_FILE_MAX + 1)) == NULL) {
		fprintf(stderr, "%s: out of memory\n", AUDIT_PROGRAM);
		goto out;
	}
	if (inputs_load_config(&in, config, 0) != 0)
		goto out;
	if (slurp(argv[optind], buf, PROOF_FILE_MAX + 1, &len) != 0) {
		fprintf(stderr, "%s check-proof: cannot read %s: %s\n", AUDIT_PROGRAM, argv[optind],
		    strerror(errno));
		goto out;
	}
	ret = AUDIT_FAILED;
	if (proof_read(buf, len, p, &st) != 0 || proof_check(p, in.dir, &cp, &st) != 0) {
		fprintf(stderr, "%s check-proof: %s: the proof does not hold: %s\n", AUDIT_PROGRAM,
		    argv[optind], st.text);
		goto out;
	}
	print_entry(p, &cp);
	ret = AUDIT_OK;
out:
	free(buf);
	free(p);
	inputs_free(&in);
	return ret;
}
