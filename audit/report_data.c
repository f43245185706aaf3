/* SPDX-License-Identifier: ISC */
/*
 * report_data: the report's figures (see report_data.h).
 *
 * DESIGN.  First one item per referral or concern in the period, with
 * everything the figures need; then one row per (agency, type), one total
 * per type and a grand total, each computed afresh from the items it
 * covers (a median of medians is not a median).  The duration arrays are
 * allocated once, as large as the item list, and reused for every row.
 */
#include <stdlib.h>
#include <string.h>

#include "audit/report_data.h"
#include "audit/report_stats.h"
#include "config/calendar.h"
#include "proto/envelope.h"

#define REPORT_TYPES 2		/* referral, concern */

struct item {
	const char *agency;	/* the recipient, borrowed from the set */
	int type;
	bool failed;
	uint64_t received_ms, ack_ms, decision_ms;
	uint64_t due_ack_ms, due_decision_ms;
	int64_t ack_working, ack_clock, dec_working, dec_clock;
	uint32_t reminders, escalations;
};

/* When the broker accepted answer a of m, or 0. */
static uint64_t
broker_answer(const struct msgset *s, const struct msgset_msg *m, enum msgset_answer a)
{
	const struct msgset_msg *x = msgset_answer(s, m, a);

	return x != NULL && x->at_broker ? x->b_accepted_ms : 0;
}

static uint64_t
earliest(uint64_t a, uint64_t b)
{
	if (a == 0)
		return b;
	if (b == 0)
		return a;
	return a < b ? a : b;
}

/* Working and clock time from a to b (0 if b is before a: clocks). */
static void
spans(const struct calendar *cal, uint64_t a, uint64_t b, int64_t *working, int64_t *clock)
{
	if (b <= a) {
		*working = *clock = 0;
		return;
	}
	*clock = (int64_t)(b - a);
	*working = cal != NULL ? calendar_working_between(cal, a, b) : *clock;
}

/* The item of m if it is a referral or concern received in the period. */
static bool
make_item(const struct msgset *s, const struct inputs *in, const struct report *r,
    const struct msgset_msg *m, struct item *it)
{
	const struct calendar *cal;

	if ((m->type != ENVELOPE_REFERRAL && m->type != ENVELOPE_CONCERN) ||
	    strcmp(m->sender, s->broker_id) == 0)
		return false;
	memset(it, 0, sizeof(*it));
	if (s->have_broker) {
		if (!m->at_broker)
			return false;
		it->received_ms = m->b_accepted_ms;
		it->failed = m->b_state == MSGSET_FAILED;
		it->decision_ms = broker_answer(s, m, MSGSET_ANSWER_DECISION);
		it->ack_ms = earliest(broker_answer(s, m, MSGSET_ANSWER_ACK), it->decision_ms);
	} else {
		if (!m->in_inbox)
			return false;
		it->received_ms = m->i_accepted_ms != 0 ? m->i_accepted_ms : m->i_received_ms;
		it->failed = m->i_state == MSGSET_REJECTED;
		it->decision_ms = m->i_decision_ms;
		it->ack_ms = earliest(m->i_ack_ms, m->i_decision_ms);
	}
	if (it->received_ms < r->from_ms || it->received_ms >= r->to_ms)
		return false;
	it->agency = m->recipient;
	it->type = m->type;
	it->due_ack_ms = m->due_ack_ms;
	it->due_decision_ms = m->due_decision_ms;
	it->reminders = m->reminders;
	it->escalations = m->escalations;
	cal = in->cals != NULL ? agencycal_get(in->cals, m->recipient) : NULL;
	if (it->ack_ms != 0)
		spans(cal, it->received_ms, it->ack_ms, &it->ack_working, &it->ack_clock);
	if (it->decision_ms != 0)
		spans(cal, it->received_ms, it->decision_ms, &it->dec_working, &it->dec_clock);
	return true;
}

static int
by_group(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	int c = strcmp(x->agency, y->agency);

	return c != 0 ? c : x->type - y->type;
}

/* Scratch arrays for one row's durations. */
struct scratch {
	int64_t *aw, *ac, *dw, *dc;
};

/* Fills row (agency and type set; "" and 0 match all) from the items. */
static void
fill_row(struct report_row *row, const struct item *items, size_t n, uint64_t as_of,
    struct scratch *x)
{
	size_t i, na = 0, nd = 0;
	const struct item *it;

	for (i = 0; i < n; i++) {
		it = &items[i];
		if ((row->agency[0] != '\0' && strcmp(row->agency, it->agency) != 0) ||
		    (row->type != 0 && row->type != it->type))
			continue;
		row->received++;
		if (it->failed)
			row->failed++;
		row->reminders += it->reminders;
		row->escalations += it->escalations;
		if (it->ack_ms != 0) {
			x->aw[na] = it->ack_working;
			x->ac[na++] = it->ack_clock;
		}
		if (it->decision_ms != 0) {
			x->dw[nd] = it->dec_working;
			x->dc[nd++] = it->dec_clock;
		}
		report_stats_judge(&row->ack_deadline, it->due_ack_ms, it->ack_ms, as_of, it->failed);
		report_stats_judge(&row->dec_deadline, it->due_decision_ms, it->decision_ms, as_of,
		    it->failed);
	}
	row->acknowledged = na;
	row->decided = nd;
	report_stats_summarise(x->aw, na, &row->ack_working);
	report_stats_summarise(x->ac, na, &row->ack_clock);
	report_stats_summarise(x->dw, nd, &row->dec_working);
	report_stats_summarise(x->dc, nd, &row->dec_clock);
}

static struct report_row *
new_row(struct report *r, const char *agency, int type)
{
	struct report_row *row = &r->rows[r->n_rows++];

	memset(row, 0, sizeof(*row));
	snprintf(row->agency, sizeof(row->agency), "%s", agency);
	row->type = type;
	return row;
}

int
report_data_build(const struct msgset *s, const struct inputs *in, struct report *r,
    struct status *st)
{
	struct item *items = NULL;
	struct scratch x = {0};
	size_t i, n = 0, groups = 0;
	int t, ret = -1;

	r->deadlines = in->broker != NULL && in->broker->has_deadlines ? REPORT_DEADLINES_BROKER :
	    in->policy != NULL ? REPORT_DEADLINES_POLICY : REPORT_DEADLINES_NONE;
	r->from_broker = s->have_broker;
	if ((items = calloc(s->n + 1, sizeof(*items))) == NULL)
		goto oom;
	for (i = 0; i < s->n; i++)
		if (make_item(s, in, r, &s->v[i], &items[n]))
			n++;
	qsort(items, n, sizeof(*items), by_group);
	for (i = 0; i < n; i++)
		if (i == 0 || by_group(&items[i - 1], &items[i]) != 0)
			groups++;
	x.aw = calloc(n + 1, sizeof(*x.aw));
	x.ac = calloc(n + 1, sizeof(*x.ac));
	x.dw = calloc(n + 1, sizeof(*x.dw));
	x.dc = calloc(n + 1, sizeof(*x.dc));
	r->rows = calloc(groups + REPORT_TYPES + 1, sizeof(*r->rows));
	if (x.aw == NULL || x.ac == NULL || x.dw == NULL || x.dc == NULL || r->rows == NULL)
		goto oom;
	for (i = 0; i < n; i++)
		if (i == 0 || by_group(&items[i - 1], &items[i]) != 0)
			fill_row(new_row(r, items[i].agency, items[i].type), items, n, r->as_of_ms,
			    &x);
	r->n_agency_rows = r->n_rows;
	for (t = ENVELOPE_REFERRAL; t <= ENVELOPE_CONCERN; t++)
		fill_row(new_row(r, "", t), items, n, r->as_of_ms, &x);
	fill_row(new_row(r, "", 0), items, n, r->as_of_ms, &x);
	ret = 0;
	goto out;
oom:
	status_set(st, STATUS_UNAVAILABLE, "out of memory");
out:
	free(items);
	free(x.aw);
	free(x.ac);
	free(x.dw);
	free(x.dc);
	return ret;
}
