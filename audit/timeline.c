/* SPDX-License-Identifier: ISC */
/*
 * timeline: the `timeline` verb (see timeline.h).  Entries are found
 * through each log's index on message_id (audit_message), one query per
 * message per log, so a story is quick to tell even from large logs.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "audit/jsonout.h"
#include "audit/show.h"
#include "audit/timeline.h"
#include "proto/envelope.h"

#define GROW_FIRST 16

static const char about_sql[] =
	"SELECT seq, time_ms, event, agency, detail FROM audit WHERE message_id = ?1 ORDER BY seq";

/* Adds id (and its records, if the set has them) unless already there. */
static int
add_msg(struct timeline *t, size_t *cap, const uint8_t id[IDS_MSGID_BYTES],
    const struct msgset *s)
{
	const struct msgset_msg **mg;
	uint8_t (*ig)[IDS_MSGID_BYTES];
	size_t i, n;

	for (i = 0; i < t->n_msgs; i++)
		if (memcmp(t->ids[i], id, IDS_MSGID_BYTES) == 0)
			return 0;
	if (t->n_msgs == *cap) {
		n = *cap ? *cap * 2 : GROW_FIRST;
		if ((ig = realloc(t->ids, n * sizeof(*ig))) == NULL)
			return -1;
		t->ids = ig;
		if ((mg = realloc(t->msgs, n * sizeof(*mg))) == NULL)
			return -1;
		t->msgs = mg;
		*cap = n;
	}
	memcpy(t->ids[t->n_msgs], id, IDS_MSGID_BYTES);
	t->msgs[t->n_msgs++] = msgset_find(s, id);
	return 0;
}

/* The messages of the story: a case's, or a message with the one it
 * answers and everything that answers it. */
static int
choose(const struct msgset *s, const char *case_id, const uint8_t *id, struct timeline *t)
{
	const struct msgset_msg *root;
	size_t i, cap = 0;

	if (case_id != NULL) {
		for (i = 0; i < s->n; i++)
			if (strcmp(s->v[i].case_id, case_id) == 0 &&
			    add_msg(t, &cap, s->v[i].id, s) != 0)
				return -1;
		return 0;
	}
	if (add_msg(t, &cap, id, s) != 0)
		return -1;
	if ((root = msgset_find(s, id)) != NULL && root->has_reply_to &&
	    add_msg(t, &cap, root->reply_to, s) != 0)
		return -1;
	for (i = 0; i < s->n; i++)
		if (s->v[i].has_reply_to && memcmp(s->v[i].reply_to, id, IDS_MSGID_BYTES) == 0 &&
		    add_msg(t, &cap, s->v[i].id, s) != 0)
			return -1;
	return 0;
}

static char *
dup_col(sqlite3_stmt *q, int col)
{
	const unsigned char *v = sqlite3_column_text(q, col);

	return v != NULL ? strdup((const char *)v) : NULL;
}

/* Reads every entry of db about message k of the story. */
static int
collect(struct auditdb *db, size_t dbi, const struct timeline *t, size_t k,
    struct timeline_event **ev, size_t *n, size_t *cap, struct status *st)
{
	struct timeline_event *e, *grown;
	sqlite3_stmt *q;
	int rc;

	if ((q = auditdb_prepare(db, about_sql, st)) == NULL)
		return -1;
	sqlite3_bind_blob(q, 1, t->ids[k], IDS_MSGID_BYTES, SQLITE_STATIC);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : GROW_FIRST;
			if ((grown = realloc(*ev, *cap * sizeof(*grown))) == NULL)
				goto oom;
			*ev = grown;
		}
		e = &(*ev)[(*n)++];
		memset(e, 0, sizeof(*e));
		e->db = dbi;
		e->seq = (uint64_t)sqlite3_column_int64(q, 0);
		e->time_ms = (uint64_t)sqlite3_column_int64(q, 1);
		e->label = k + 1;
		e->event = dup_col(q, 2);
		e->agency = dup_col(q, 3);
		e->detail = dup_col(q, 4);
		if (e->event == NULL || e->detail == NULL)
			goto oom;
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return auditdb_error(db, "cannot read the audit table", st);
	return 0;
oom:
	sqlite3_finalize(q);
	return status_set(st, STATUS_UNAVAILABLE, "out of memory");
}

static int
by_seq(const void *a, const void *b)
{
	const struct timeline_event *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Merges one log's entries (each sorted by seq) into t->events by time,
 * never reordering a log: repeatedly take the earliest head. */
static int
merge(struct timeline *t, struct timeline_event **per, const size_t *n, size_t n_dbs)
{
	size_t *at = calloc(n_dbs ? n_dbs : 1, sizeof(*at)), total = 0, i, best;

	if (at == NULL)
		return -1;
	for (i = 0; i < n_dbs; i++)
		total += n[i];
	if ((t->events = calloc(total ? total : 1, sizeof(*t->events))) == NULL) {
		free(at);
		return -1;
	}
	while (t->n_events < total) {
		best = n_dbs;
		for (i = 0; i < n_dbs; i++)
			if (at[i] < n[i] && (best == n_dbs ||
			    per[i][at[i]].time_ms < per[best][at[best]].time_ms))
				best = i;
		t->events[t->n_events++] = per[best][at[best]++];
	}
	free(at);
	return 0;
}

int
timeline_build(const struct inputs *in, const struct msgset *s, const char *case_id,
    const uint8_t *id, struct timeline *t, struct status *st)
{
	struct timeline_event **per;
	size_t *n, *cap, d, k, j;
	int ret = -1;

	memset(t, 0, sizeof(*t));
	per = calloc(in->n_dbs + 1, sizeof(*per));
	n = calloc(in->n_dbs + 1, sizeof(*n));
	cap = calloc(in->n_dbs + 1, sizeof(*cap));
	if (per == NULL || n == NULL || cap == NULL || choose(s, case_id, id, t) != 0) {
		status_set(st, STATUS_UNAVAILABLE, "out of memory");
		goto out;
	}
	for (d = 0; d < in->n_dbs; d++) {
		for (k = 0; k < t->n_msgs; k++)
			if (collect(in->dbs[d], d, t, k, &per[d], &n[d], &cap[d], st) != 0)
				goto out;
		if (n[d] > 1)
			qsort(per[d], n[d], sizeof(*per[d]), by_seq);
	}
	if (merge(t, per, n, in->n_dbs) != 0) {
		status_set(st, STATUS_UNAVAILABLE, "out of memory");
		goto out;
	}
	ret = 0;
out:
	for (d = 0; per != NULL && d < in->n_dbs; d++) {
		if (ret != 0)
			for (j = 0; j < n[d]; j++) {
				free(per[d][j].event);
				free(per[d][j].agency);
				free(per[d][j].detail);
			}
		free(per[d]);
	}
	free(per);
	free(n);
	free(cap);
	if (ret != 0)
		timeline_free(t);
	return ret;
}

void
timeline_free(struct timeline *t)
{
	size_t i;

	for (i = 0; i < t->n_events; i++) {
		free(t->events[i].event);
		free(t->events[i].agency);
		free(t->events[i].detail);
	}
	free(t->events);
	free(t->ids);
	free(t->msgs);
	memset(t, 0, sizeof(*t));
}

static const char *
type_name(const struct msgset_msg *m)
{
	const char *n = m != NULL ? envelope_type_name(m->type) : NULL;

	return n != NULL ? n : "?";
}

static void
print_text(const struct timeline *t, const struct inputs *in, const char *what)
{
	char id[IDS_MSGID_TEXT + 1], when[RFC3339_LEN], ag[SHOW_QUOTE_LEN], det[SHOW_QUOTE_LEN];
	const struct timeline_event *e;
	const struct msgset_msg *m;
	size_t i;

	printf("Timeline of %s, from %zu logs (times UTC; \"log\" is whose audit log recorded "
	    "it; this reads the logs, verify checks them)\n\nMessages:\n", what, in->n_dbs);
	for (i = 0; i < t->n_msgs; i++) {
		m = t->msgs[i];
		printf("  M%-3zu %s  ", i + 1, show_msgid(t->ids[i], id));
		if (m == NULL)
			printf("(in no message table)\n");
		else
			printf("%-9s %s -> %s, case %s%s%s\n", type_name(m), m->sender, m->recipient,
			    m->case_id, m->at_broker ? "; at the broker: " : "",
			    m->at_broker ? msgset_state_name(m->b_state) : "");
	}
	printf("\nEvents:\n");
	for (i = 0; i < t->n_events; i++) {
		e = &t->events[i];
		printf("  %-24s %-16s M%-3zu %-14s %s%s%s\n", show_time(e->time_ms, when),
		    in->dbs[e->db]->owner[0] ? in->dbs[e->db]->owner : "?", e->label, e->event,
		    e->agency ? show_quote(e->agency, ag) : "", e->agency ? ": " : "",
		    show_quote(e->detail, det));
	}
	if (t->n_events == 0)
		printf("  (no audit entry in these logs)\n");
}

static void
print_json(const struct timeline *t, const struct inputs *in)
{
	const struct timeline_event *e;
	const struct msgset_msg *m;
	size_t i;

	printf("{\"messages\": [");
	for (i = 0; i < t->n_msgs; i++) {
		m = t->msgs[i];
		printf("%s{\"label\": \"M%zu\", \"id\": ", i ? ", " : "", i + 1);
		jsonout_msgid(stdout, t->ids[i]);
		printf(", \"type\": ");
		jsonout_string(stdout, m != NULL ? type_name(m) : NULL);
		printf(", \"from\": ");
		jsonout_string(stdout, m != NULL ? m->sender : NULL);
		printf(", \"to\": ");
		jsonout_string(stdout, m != NULL ? m->recipient : NULL);
		printf(", \"case\": ");
		jsonout_string(stdout, m != NULL ? m->case_id : NULL);
		printf("}");
	}
	printf("], \"events\": [");
	for (i = 0; i < t->n_events; i++) {
		e = &t->events[i];
		printf("%s{\"time\": ", i ? ",\n " : "\n ");
		jsonout_time(stdout, e->time_ms);
		printf(", \"time_ms\": %" PRIu64 ", \"log\": ", e->time_ms);
		jsonout_string(stdout, in->dbs[e->db]->owner[0] ? in->dbs[e->db]->owner : NULL);
		printf(", \"seq\": %" PRIu64 ", \"message\": \"M%zu\", \"message_id\": ", e->seq,
		    e->label);
		jsonout_msgid(stdout, t->ids[e->label - 1]);
		printf(", \"event\": ");
		jsonout_string(stdout, e->event);
		printf(", \"agency\": ");
		jsonout_string(stdout, e->agency);
		printf(", \"detail\": ");
		jsonout_string(stdout, e->detail);
		printf("}");
	}
	printf("]}\n");
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: %s timeline [--config DIR] (--case ID | --message ID) [--json] DB...\n\n"
		   "Tells the story of one case (every message with that case id) or one message\n"
		   "(with the message it answers and every answer, receipt and notice about it)\n"
		   "from every log given: the messages, then every audit entry about them in\n"
		   "order (each log in its own order, the logs merged by time).\n\n"
		   "Exit: 0 printed; 1 no log has anything about it; 2 bad command line;\n"
		   "3 configuration or a database cannot be read.\n", AUDIT_PROGRAM);
}

int
timeline_cmd(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"case", required_argument, NULL, 'C'},
		{"message", required_argument, NULL, 'm'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct timeline t = {0};
	struct msgset *set = NULL;
	struct inputs in;
	struct status st;
	const char *config = NULL, *case_id = NULL, *msg = NULL;
	uint8_t id[IDS_MSGID_BYTES];
	char what[sizeof("message ") + IDS_CASE_MAX + IDS_MSGID_TEXT];
	bool json = false;
	int c, ret = AUDIT_UNREADABLE;

	memset(&in, 0, sizeof(in));
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:C:m:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 'C':
			case_id = optarg;
			break;
		case 'm':
			msg = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return AUDIT_OK;
		default:
			usage(stderr);
			return AUDIT_USAGE;
		}
	}
	if ((case_id == NULL) == (msg == NULL) || optind >= argc) {
		fprintf(stderr, "%s timeline: give --case ID or --message ID, and the databases\n",
		    AUDIT_PROGRAM);
		usage(stderr);
		return AUDIT_USAGE;
	}
	if (msg != NULL && ids_msgid_parse(msg, id, &st) != 0) {
		fprintf(stderr, "%s timeline: --message: %s\n", AUDIT_PROGRAM, st.text);
		return AUDIT_USAGE;
	}
	snprintf(what, sizeof(what), "%s %s", case_id ? "case" : "message",
	    case_id ? case_id : msg);
	if (inputs_load_config(&in, config, 0) != 0 ||
	    inputs_open_dbs(&in, argv + optind, (size_t)(argc - optind)) != 0)
		goto out;
	if ((set = msgset_load(&in, &st)) == NULL ||
	    timeline_build(&in, set, case_id, msg ? id : NULL, &t, &st) != 0) {
		fprintf(stderr, "%s: %s\n", AUDIT_PROGRAM, st.text);
		goto out;
	}
	if (json)
		print_json(&t, &in);
	else
		print_text(&t, &in, what);
	ret = t.n_events > 0 ? AUDIT_OK : AUDIT_FAILED;
out:
	timeline_free(&t);
	msgset_destroy(&set);
	inputs_free(&in);
	return ret;
}
