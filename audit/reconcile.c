/* SPDX-License-Identifier: ISC */
/*
 * reconcile: the `reconcile` verb (see reconcile.h).
 *
 * DESIGN.  Each message is looked at from three places: the broker's
 * row, the sender's outbox and the recipient's inbox, each only when that
 * database was given (an absent database is no evidence either way).  The
 * rules are written one per function, named after what they check, and
 * each says in its finding which record says what, with times, so a reader
 * can go to the rows and see it.  Receipts are not subjects of their own:
 * they are checked as part of the message they receipt.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "audit/jsonout.h"
#include "audit/reconcile.h"
#include "audit/show.h"
#include "audit/when.h"
#include "common/clock.h"
#include "proto/envelope.h"

#define FINDINGS_FIRST 32
#define STATUS_CODE_EXPIRED 540
#define STATUS_CODE_REJECTED 541

const char *
reconcile_kind_name(enum reconcile_kind k)
{
	return k == RECONCILE_GAP ? "gap" : "contradiction";
}

/* What one run of the rules needs. */
struct ctx {
	const struct msgset *s;
	uint64_t as_of, skew;
	struct reconcile *r;
	int failed;		/* out of memory */
};

static void __attribute__((format(printf, 4, 5)))
add(struct ctx *c, enum reconcile_kind kind, const struct msgset_msg *m, const char *fmt, ...)
{
	struct reconcile_finding *f, *grown;
	size_t cap;
	va_list ap;

	if (c->r->n == c->r->cap) {
		cap = c->r->cap ? c->r->cap * 2 : FINDINGS_FIRST;
		if ((grown = realloc(c->r->v, cap * sizeof(*grown))) == NULL) {
			c->failed = 1;
			return;
		}
		c->r->v = grown;
		c->r->cap = cap;
	}
	f = &c->r->v[c->r->n++];
	f->kind = kind;
	f->m = m;
	va_start(ap, fmt);
	vsnprintf(f->text, sizeof(f->text), fmt, ap);
	va_end(ap);
	if (kind == RECONCILE_GAP)
		c->r->gaps++;
	else
		c->r->contradictions++;
}

static bool
from_broker(const struct ctx *c, const struct msgset_msg *m)
{
	return strcmp(m->sender, c->s->broker_id) == 0;
}

/* The message is in an agency's records but not the broker's. */
static void
unknown_to_broker(struct ctx *c, const struct msgset_msg *m)
{
	char t[RFC3339_LEN];

	if (m->in_outbox) {
		if (m->o_state == MSGSET_QUEUED)
			add(c, RECONCILE_GAP, m, "never reached the broker: %s has had it "
			    "queued since %s", m->sender, show_time(m->created_ms, t));
		else if (m->o_has_receipt || m->o_state == MSGSET_DELIVERED)
			add(c, RECONCILE_CONTRADICTION, m, "%s holds %s's receipt for it, but the "
			    "broker has no record of it: a receipt for a message the broker never "
			    "delivered", m->sender, m->recipient);
		else if (m->o_state == MSGSET_ACCEPTED ||
		    (m->o_state == MSGSET_FAILED && (m->o_code == STATUS_CODE_EXPIRED ||
			m->o_code == STATUS_CODE_REJECTED)))
			add(c, RECONCILE_CONTRADICTION, m, "%s's log says the broker accepted it "
			    "(state %s, code %d), but the broker has no record of it", m->sender,
			    msgset_state_name(m->o_state), m->o_code);
	}
	if (m->in_inbox)
		add(c, RECONCILE_CONTRADICTION, m, "%s's log has it as delivered (received %s), "
		    "but the broker has no record of it: a delivery the broker never made",
		    m->recipient, show_time(m->i_received_ms, t));
}

/* The broker accepted it: the sender must have it, and the recipient
 * cannot have received it before. */
static void
accepted_by_broker(struct ctx *c, const struct msgset_msg *m)
{
	char t1[RFC3339_LEN], t2[RFC3339_LEN];

	if (!from_broker(c, m) && msgset_has_db(c->s, m->sender) && !m->in_outbox)
		add(c, RECONCILE_CONTRADICTION, m, "the broker accepted it from %s at %s, but %s's "
		    "log does not have it", m->sender, show_time(m->b_accepted_ms, t1), m->sender);
	if (m->in_inbox && m->i_received_ms + c->skew < m->b_accepted_ms)
		add(c, RECONCILE_CONTRADICTION, m, "%s says it received it at %s, before the "
		    "broker accepted it at %s", m->recipient, show_time(m->i_received_ms, t1),
		    show_time(m->b_accepted_ms, t2));
}

/* Queued at the broker: nobody can hold a receipt yet. */
static void
queued_at_broker(struct ctx *c, const struct msgset_msg *m)
{
	char t[RFC3339_LEN], r[RFC3339_LEN];

	if (m->in_outbox && (m->o_has_receipt || m->o_state == MSGSET_DELIVERED)) {
		add(c, RECONCILE_CONTRADICTION, m, "%s holds %s's receipt for it, but the broker "
		    "never delivered it (still queued there since %s): a receipt for a message "
		    "the broker never delivered", m->sender, m->recipient,
		    show_time(m->b_accepted_ms, t));
		return;
	}
	if (m->in_inbox) {
		add(c, RECONCILE_GAP, m, "%s %s it at %s, but the broker has not recorded its %s "
		    "(still queued)", m->recipient, m->i_state == MSGSET_REJECTED ? "rejected" :
		    "received", show_time(m->i_received_ms, r), m->i_state == MSGSET_REJECTED ?
		    "reject" : "receipt");
		return;
	}
	add(c, RECONCILE_GAP, m, "accepted by the broker at %s, but %s never receipted it%s; "
	    "still queued at the broker", show_time(m->b_accepted_ms, t), m->recipient,
	    msgset_has_db(c->s, m->recipient) ? ": it is not in its inbox" : "");
}

static void
delivered_by_broker(struct ctx *c, const struct msgset_msg *m)
{
	char t[RFC3339_LEN];

	if (msgset_has_db(c->s, m->recipient) && !m->in_inbox)
		add(c, RECONCILE_CONTRADICTION, m, "the broker recorded it as delivered to %s at "
		    "%s, but %s's log does not have it", m->recipient, show_time(m->b_final_ms, t),
		    m->recipient);
	if (!from_broker(c, m) && !m->b_has_receipt)
		add(c, RECONCILE_CONTRADICTION, m, "the broker marked it delivered at %s without "
		    "a stored receipt", show_time(m->b_final_ms, t));
	if (m->in_outbox && m->o_state != MSGSET_DELIVERED && !m->o_has_receipt &&
	    m->o_state != MSGSET_FAILED)
		add(c, RECONCILE_GAP, m, "the broker has had %s's receipt since %s, but it has not "
		    "reached %s (its outbox says %s)", m->recipient, show_time(m->b_final_ms, t),
		    m->sender, msgset_state_name(m->o_state));
}

static void
failed_at_broker(struct ctx *c, const struct msgset_msg *m)
{
	char t[RFC3339_LEN];

	if (m->in_outbox && (m->o_state == MSGSET_DELIVERED || m->o_has_receipt))
		add(c, RECONCILE_CONTRADICTION, m, "the broker says it failed (%d) at %s, but %s "
		    "holds %s's receipt for it: a receipt for a message the broker never "
		    "delivered", m->b_code, show_time(m->b_final_ms, t), m->sender, m->recipient);
	else if (m->in_outbox && m->o_state != MSGSET_FAILED)
		add(c, RECONCILE_GAP, m, "it failed at the broker (%d) at %s, but %s has not been "
		    "told (its outbox says %s)", m->b_code, show_time(m->b_final_ms, t), m->sender,
		    msgset_state_name(m->o_state));
	if (m->in_inbox && m->i_has_receipt && m->b_code == STATUS_CODE_EXPIRED)
		add(c, RECONCILE_CONTRADICTION, m, "%s received it and made a receipt at %s, but "
		    "the broker says it expired undelivered", m->recipient,
		    show_time(m->i_received_ms, t));
}

/* Without the broker's database: the two agencies' records only. */
static void
agencies_only(struct ctx *c, const struct msgset_msg *m)
{
	if (m->in_outbox && msgset_has_db(c->s, m->recipient) && !m->in_inbox &&
	    (m->o_state == MSGSET_DELIVERED || m->o_has_receipt))
		add(c, RECONCILE_CONTRADICTION, m, "%s holds %s's receipt for it, but %s's log "
		    "does not have it", m->sender, m->recipient, m->recipient);
	else if (m->in_outbox && msgset_has_db(c->s, m->recipient) && !m->in_inbox &&
	    m->o_state == MSGSET_ACCEPTED)
		add(c, RECONCILE_GAP, m, "the broker accepted it, but %s never receipted it",
		    m->recipient);
	if (m->in_inbox && !from_broker(c, m) && msgset_has_db(c->s, m->sender) && !m->in_outbox)
		add(c, RECONCILE_CONTRADICTION, m, "%s received it from %s, but %s's log does not "
		    "have it", m->recipient, m->sender, m->sender);
}

/* The acknowledgement and decision the policy requires, when overdue. */
static void
answers_due(struct ctx *c, const struct msgset_msg *m)
{
	const struct msgset_msg *ack = msgset_answer(c->s, m, MSGSET_ANSWER_ACK);
	const struct msgset_msg *dec = msgset_answer(c->s, m, MSGSET_ANSWER_DECISION);
	char t[RFC3339_LEN], late[SHOW_DURATION_LEN];

	if ((m->at_broker && m->b_state == MSGSET_FAILED) ||
	    (m->in_outbox && m->o_state == MSGSET_FAILED))
		return;		/* failed: nothing to answer */
	/* A decision answers the acknowledgement too, as the broker counts it. */
	if (m->due_ack_ms != 0 && ack == NULL && dec == NULL && m->due_ack_ms <= c->as_of)
		add(c, RECONCILE_GAP, m, "no acknowledgement from %s: it was due at %s (%s ago)",
		    m->recipient, show_time(m->due_ack_ms, t),
		    show_duration((int64_t)(c->as_of - m->due_ack_ms), late));
	if (m->due_decision_ms != 0 && dec == NULL && m->due_decision_ms <= c->as_of)
		add(c, RECONCILE_GAP, m, "no decision from %s: it was due at %s (%s ago)",
		    m->recipient, show_time(m->due_decision_ms, t),
		    show_duration((int64_t)(c->as_of - m->due_decision_ms), late));
}

static void
check(struct ctx *c, const struct msgset_msg *m)
{
	if (m->conflict[0] != '\0')
		add(c, RECONCILE_CONTRADICTION, m, "the logs disagree about it: %s", m->conflict);
	if (!c->s->have_broker)
		agencies_only(c, m);
	else if (!m->at_broker)
		unknown_to_broker(c, m);
	else {
		accepted_by_broker(c, m);
		if (m->b_state == MSGSET_QUEUED)
			queued_at_broker(c, m);
		else if (m->b_state == MSGSET_DELIVERED)
			delivered_by_broker(c, m);
		else if (m->b_state == MSGSET_FAILED)
			failed_at_broker(c, m);
	}
	answers_due(c, m);
}

int
reconcile_run(const struct msgset *s, uint64_t as_of_ms, uint64_t max_skew_ms,
    struct reconcile *r, struct status *st)
{
	struct ctx c = {.s = s, .as_of = as_of_ms, .skew = max_skew_ms, .r = r};
	size_t i;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < s->n && !c.failed; i++) {
		if (s->v[i].type == ENVELOPE_RECEIPT)
			continue;
		r->checked++;
		check(&c, &s->v[i]);
	}
	if (c.failed)
		return status_set(st, STATUS_UNAVAILABLE, "out of memory");
	return 0;
}

void
reconcile_free(struct reconcile *r)
{
	free(r->v);
	memset(r, 0, sizeof(*r));
}

static const char *
type_name(int t)
{
	const char *n = envelope_type_name(t);

	return n != NULL ? n : "unknown";
}

static void
print_text(const struct reconcile *r, const struct inputs *in)
{
	const struct reconcile_finding *f;
	char id[IDS_MSGID_TEXT + 1];
	size_t i;

	printf("reconcile: %zu messages in %zu logs (", r->checked, in->n_dbs);
	for (i = 0; i < in->n_dbs; i++)
		printf("%s%s", i ? ", " : "", in->dbs[i]->owner[0] ? in->dbs[i]->owner : "?");
	printf(")\n");
	for (i = 0; i < r->n; i++) {
		f = &r->v[i];
		printf("%-13s %s %s %s -> %s, case %s:\n              %s\n",
		    f->kind == RECONCILE_GAP ? "GAP" : "CONTRADICTION", show_msgid(f->m->id, id),
		    type_name(f->m->type), f->m->sender, f->m->recipient, f->m->case_id, f->text);
	}
	printf("reconcile: %zu gap%s, %zu contradiction%s\n", r->gaps, r->gaps == 1 ? "" : "s",
	    r->contradictions, r->contradictions == 1 ? "" : "s");
}

static void
print_json(const struct reconcile *r)
{
	const struct reconcile_finding *f;
	size_t i;

	printf("{\"messages\": %zu, \"gaps\": %zu, \"contradictions\": %zu, \"findings\": [",
	    r->checked, r->gaps, r->contradictions);
	for (i = 0; i < r->n; i++) {
		f = &r->v[i];
		printf("%s{\"kind\": \"%s\", \"message_id\": ", i ? ", " : "",
		    reconcile_kind_name(f->kind));
		jsonout_msgid(stdout, f->m->id);
		printf(", \"type\": \"%s\", \"from\": ", type_name(f->m->type));
		jsonout_string(stdout, f->m->sender);
		printf(", \"to\": ");
		jsonout_string(stdout, f->m->recipient);
		printf(", \"case\": ");
		jsonout_string(stdout, f->m->case_id);
		printf(", \"text\": ");
		jsonout_string(stdout, f->text);
		printf("}");
	}
	printf("]}\n");
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: %s reconcile [--config DIR] [--as-of WHEN] [--max-skew DURATION]\n"
		   "                         [--json] DB...\n\n"
		   "Holds the broker's records of every message against the sender's and the\n"
		   "recipient's (give the broker's database and as many agencies' as you have)\n"
		   "and lists every GAP (something due that has not happened: a message never\n"
		   "receipted, an overdue acknowledgement or decision, a receipt or outcome\n"
		   "that has not reached the sender) and every CONTRADICTION (records that\n"
		   "cannot both be true: a message the broker never saw, a receipt for a\n"
		   "message the broker never delivered, a receipt time before the broker\n"
		   "accepted it).\n\n"
		   "  --as-of WHEN         judge deadlines at WHEN: now (default), YYYY-MM-DD\n"
		   "                       (London) or an RFC 3339 time\n"
		   "  --max-skew DURATION  clock difference allowed between the broker and an\n"
		   "                       agency (default 0; e.g. \"2 minutes\")\n"
		   "  --json               one JSON object on stdout\n\n"
		   "Exit: 0 nothing found; 1 gaps or contradictions; 2 bad command line;\n"
		   "3 configuration or a database cannot be read.\n", AUDIT_PROGRAM);
}

int
reconcile_cmd(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"as-of", required_argument, NULL, 'a'},
		{"max-skew", required_argument, NULL, 's'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct reconcile r = {0};
	struct msgset *set = NULL;
	struct inputs in;
	struct status st;
	const char *config = NULL;
	uint64_t as_of = clock_now_ms(), skew = RECONCILE_SKEW_DEFAULT_MS;
	bool json = false;
	int c, ret = AUDIT_UNREADABLE;

	memset(&in, 0, sizeof(in));
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:a:s:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 'a':
		case 's':
			if ((c == 'a' ? when_parse(optarg, WHEN_START, &as_of, &st) :
			    when_duration_parse(optarg, &skew, &st)) != 0) {
				fprintf(stderr, "%s reconcile: --%s: %s\n", AUDIT_PROGRAM,
				    c == 'a' ? "as-of" : "max-skew", st.text);
				return AUDIT_USAGE;
			}
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
	if (optind >= argc) {
		fprintf(stderr, "%s reconcile: name the databases to reconcile\n", AUDIT_PROGRAM);
		usage(stderr);
		return AUDIT_USAGE;
	}
	if (inputs_load_config(&in, config, INPUTS_POLICY) != 0 ||
	    inputs_open_dbs(&in, argv + optind, (size_t)(argc - optind)) != 0)
		goto out;
	if ((set = msgset_load(&in, &st)) == NULL ||
	    reconcile_run(set, as_of, skew, &r, &st) != 0) {
		fprintf(stderr, "%s: %s\n", AUDIT_PROGRAM, st.text);
		goto out;
	}
	if (json)
		print_json(&r);
	else
		print_text(&r, &in);
	if (in.broker == NULL)
		fprintf(stderr, "%s reconcile: note: without the broker's database only the "
		    "agencies' records were compared\n", AUDIT_PROGRAM);
	ret = r.n == 0 ? AUDIT_OK : AUDIT_FAILED;
out:
	reconcile_free(&r);
	msgset_destroy(&set);
	inputs_free(&in);
	return ret;
}
