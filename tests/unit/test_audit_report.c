/* SPDX-License-Identifier: ISC */
/* Unit tests for dutynet-audit report: audit/msgset.c and
 * audit/msgset_deadline.c (the records of each message and its answers),
 * audit/report_data.c (the figures), audit/report.c (text, CSV, JSON) and
 * audit/report_html.c with audit/report_svg.c (the page), against the
 * hand-computed fixture tests/vectors/audit_report.sql, whose expected CSV
 * is tests/vectors/audit_report.csv.
 *
 * The working out, for --from 2026-01-05 --to 2026-01-11 --as-of
 * 2026-02-02 (London = UTC in January; both agencies work Mon-Fri
 * 09:00-17:00; message n as numbered in the fixture):
 *
 * mash, referrals (1, 2, 3, 4; 9 and 10 are outside the period):
 *   ack clock   1: 1 h; 2: Mon 16:00 -> Tue 10:00 = 18 h; 3: Fri 15:00 -> Mon
 *               11:00 = 68 h.  Sorted 1, 18, 68 h: median 18 h, 90th (rank
 *               ceil(2.7) = 3) 68 h.
 *   ack working 1: 1 h; 2: 1 h Mon + 1 h Tue = 2 h; 3: 2 h Fri + 2 h Mon = 4 h:
 *               median 2 h, 90th 4 h.
 *   ack due     1, 2, 3 met; 4 never answered, due Wed 7 17:00 < as-of:
 *               overdue.  3 of 4 = 75.0 %.
 *   decision clock   1: 4 h; 2: 20 h; 3: Fri 15:00 -> Tue 10:00 = 91 h.
 *                    Median 20 h, 90th 91 h.
 *   decision working 1: 4 h; 2: 1 + 3 = 4 h; 3: 2 + 8 + 1 = 11 h.  Median 4 h,
 *                    90th 11 h.
 *   decision due     1, 2 met; 3 late (Tue 10:00 > Mon 15:00); 4 overdue:
 *                    2 of 4 = 50.0 %.
 *   reminders 2 (3) + 2 (4) = 4; escalations 1 (3) + 3 (4) = 4; the pending
 *   and cancelled timers are not counted.  The ack from camhs about 4 is not
 *   mash's, so it answers nothing.
 * mash, concerns (5): decided at 30 min without an ack: both 30 min, met.
 * camhs, referrals (6, 7, 8; 8 failed: counted received and failed, not judged):
 *   ack 6: 2 h, 7: 45 min (clock = working).  Median (45 min + 2 h) / 2 =
 *   1 h 22 min 30 s = 4950000 ms; 90th (rank 2) 2 h.  Both met, 8 untracked.
 *   decision 7: Thu 09:00 -> Fri 09:00 = 24 h clock, 8 h working; 6 has none
 *   and its due time (Mon 19 17:00) passed: overdue.  1 of 2 = 50.0 %.
 * all referrals (1-4, 6-8): ack working 45 min, 1, 2, 2, 4 h: median 2 h,
 *   90th (rank 5) 4 h; clock 45 min, 1, 2, 18, 68 h: median 2 h, 90th 68 h;
 *   5 met of 6 judged = 83.3 %.  Decisions working 4, 4, 8, 11 h: median
 *   (4 + 8) / 2 = 6 h, 90th (rank 4) 11 h; clock 4, 20, 24, 91 h: median 22 h,
 *   90th 91 h; 3 met of 6 = 50.0 %.
 * all: ack working 30, 45 min, 1, 2, 2, 4 h: median (1 + 2) / 2 = 1 h 30 min;
 *   6 of 7 = 85.7 %; decisions working 30 min, 4, 4, 8, 11 h: median 4 h;
 *   clock 30 min, 4, 20, 24, 91 h: median 20 h; 4 of 7 = 57.1 %. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "audit/auditdb.c"
#include "audit/inputs.c"
#include "audit/jsonout.c"
#include "audit/msgset.c"
#include "audit/msgset_deadline.c"
#include "audit/report.c"
#include "audit/report_data.c"
#include "audit/report_html.c"
#include "audit/report_stats.c"
#include "audit/report_svg.c"
#include "audit/show.c"
#include "audit/when.c"
#include "tests/support/auditfx.h"
#include "tests/support/confdir.h"

#define H 3600000LL
#define MIN 60000LL
#define FROM 1767571200000ULL	/* 2026-01-05T00:00Z */
#define TO 1768176000000ULL	/* 2026-01-12T00:00Z */
#define AS_OF 1769990400000ULL	/* 2026-02-02T00:00Z */
#define FILE_MAX (64 * 1024)
#define PATH_LEN 512

struct fx {
	char *dir;
	char db[PATH_LEN];
	struct inputs in;
	struct msgset *set;
	struct report r;
};

/* The contents of $DUTYNET_SOURCE_DIR/name (or ../name from the build's
 * tests directory), the caller's to free. */
static char *
source_file(const char *name)
{
	const char *src = getenv("DUTYNET_SOURCE_DIR");
	char path[PATH_LEN], *buf = calloc(1, FILE_MAX);
	size_t n;
	FILE *f;

	assert_non_null(buf);
	snprintf(path, sizeof(path), "%s/%s", src != NULL ? src : "..", name);
	assert_non_null(f = fopen(path, "r"));
	n = fread(buf, 1, FILE_MAX - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

static int
setup(void **state)
{
	struct fx *x = calloc(1, sizeof(*x));
	char *sql = source_file("tests/vectors/audit_report.sql");
	char *paths[1];
	struct status st;

	assert_non_null(x);
	x->dir = confdir_new();
	confdir_area(x->dir);
	snprintf(x->db, sizeof(x->db), "%s/broker.db", x->dir);
	auditfx_exec(x->db, sql);
	free(sql);
	assert_int_equal(inputs_load_config(&x->in, x->dir, INPUTS_POLICY), 0);
	paths[0] = x->db;
	assert_int_equal(inputs_open_dbs(&x->in, paths, 1), 0);
	assert_non_null(x->set = msgset_load(&x->in, &st));
	x->r.from_ms = FROM;
	x->r.to_ms = TO;
	x->r.as_of_ms = AS_OF;
	snprintf(x->r.from_label, sizeof(x->r.from_label), "2026-01-05");
	snprintf(x->r.to_label, sizeof(x->r.to_label), "2026-01-11");
	assert_int_equal(report_data_build(x->set, &x->in, &x->r, &st), 0);
	*state = x;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *x = *state;

	report_free(&x->r);
	msgset_destroy(&x->set);
	inputs_free(&x->in);
	confdir_destroy(&x->dir);
	free(x);
	return 0;
}

static const struct report_row *
row(const struct report *r, const char *agency, int type)
{
	size_t i;

	for (i = 0; i < r->n_rows; i++)
		if (strcmp(r->rows[i].agency, agency) == 0 && r->rows[i].type == type)
			return &r->rows[i];
	fail_msg("no row %s/%d", agency, type);
	return NULL;
}

static void
stat_is(const struct report_stat *s, size_t n, int64_t median, int64_t p90)
{
	assert_int_equal(s->n, n);
	assert_true(s->median_ms == median);
	assert_true(s->p90_ms == p90);
}

static void
deadline_is(const struct report_deadline *d, size_t met, size_t late, size_t overdue,
    size_t untracked)
{
	assert_int_equal(d->met, met);
	assert_int_equal(d->late, late);
	assert_int_equal(d->overdue, overdue);
	assert_int_equal(d->pending, 0);
	assert_int_equal(d->untracked, untracked);
}

static void
messages_and_answers_are_linked(void **state)
{
	struct fx *x = *state;
	const struct msgset_msg *m = msgset_find(x->set, (const uint8_t *)"0000000000000003");
	const struct msgset_msg *four = msgset_find(x->set, (const uint8_t *)"0000000000000004");

	assert_non_null(m);
	assert_true(x->set->have_broker && x->set->n == 21);
	assert_true(m->at_broker && m->b_state == MSGSET_DELIVERED && m->b_code == 250);
	assert_non_null(msgset_answer(x->set, m, MSGSET_ANSWER_ACK));
	assert_string_equal(msgset_answer(x->set, m, MSGSET_ANSWER_DECISION)->case_id, "FX-203");
	assert_null(msgset_answer(x->set, m, MSGSET_ANSWER_FEEDBACK));
	assert_true(m->due_from_broker && m->reminders == 2 && m->escalations == 1);
	assert_null(msgset_answer(x->set, four, MSGSET_ANSWER_ACK));	/* camhs's, not mash's */
	assert_null(msgset_find(x->set, (const uint8_t *)"0000000000000999"));
	assert_string_equal(msgset_state_name(MSGSET_DECIDED), "decided");
}

static void
per_agency_figures_are_the_hand_computed_ones(void **state)
{
	struct fx *x = *state;
	const struct report_row *w;

	assert_int_equal(x->r.n_agency_rows, 3);
	assert_true(x->r.deadlines == REPORT_DEADLINES_BROKER && x->r.from_broker);
	/* Sorted by agency, then type. */
	assert_string_equal(x->r.rows[0].agency, "camhs");
	assert_true(x->r.rows[1].type == 1 && x->r.rows[2].type == 2);
	w = row(&x->r, "mash", 1);
	assert_int_equal(w->received, 4);
	assert_int_equal(w->failed, 0);
	stat_is(&w->ack_clock, 3, 18 * H, 68 * H);
	stat_is(&w->ack_working, 3, 2 * H, 4 * H);
	deadline_is(&w->ack_deadline, 3, 0, 1, 0);
	stat_is(&w->dec_clock, 3, 20 * H, 91 * H);
	stat_is(&w->dec_working, 3, 4 * H, 11 * H);
	deadline_is(&w->dec_deadline, 2, 1, 1, 0);
	assert_true(w->reminders == 4 && w->escalations == 4);
	w = row(&x->r, "mash", 2);
	assert_int_equal(w->received, 1);
	stat_is(&w->ack_clock, 1, 30 * MIN, 30 * MIN);
	stat_is(&w->dec_working, 1, 30 * MIN, 30 * MIN);
	deadline_is(&w->ack_deadline, 1, 0, 0, 0);
	w = row(&x->r, "camhs", 1);
	assert_int_equal(w->received, 3);
	assert_int_equal(w->failed, 1);
	stat_is(&w->ack_clock, 2, 4950000, 2 * H);
	stat_is(&w->ack_working, 2, 4950000, 2 * H);
	deadline_is(&w->ack_deadline, 2, 0, 0, 1);
	stat_is(&w->dec_clock, 1, 24 * H, 24 * H);
	stat_is(&w->dec_working, 1, 8 * H, 8 * H);
	deadline_is(&w->dec_deadline, 1, 0, 1, 1);
	assert_true(w->reminders == 1 && w->escalations == 0);
}

static void
totals_are_recomputed_not_averaged(void **state)
{
	struct fx *x = *state;
	const struct report_row *w = row(&x->r, "", 1);

	assert_int_equal(w->received, 7);
	stat_is(&w->ack_working, 5, 2 * H, 4 * H);
	stat_is(&w->ack_clock, 5, 2 * H, 68 * H);
	stat_is(&w->dec_working, 4, 6 * H, 11 * H);
	stat_is(&w->dec_clock, 4, 22 * H, 91 * H);
	deadline_is(&w->ack_deadline, 5, 0, 1, 1);
	deadline_is(&w->dec_deadline, 3, 1, 2, 1);
	w = row(&x->r, "", 0);
	assert_true(w == &x->r.rows[x->r.n_rows - 1]);
	assert_int_equal(w->received, 8);
	stat_is(&w->ack_working, 6, 90 * MIN, 4 * H);
	stat_is(&w->dec_working, 5, 4 * H, 11 * H);
	stat_is(&w->dec_clock, 5, 20 * H, 91 * H);
	assert_true(report_stats_within(&w->ack_deadline) > 85.71 &&
	    report_stats_within(&w->ack_deadline) < 85.72);
	assert_true(w->reminders == 5 && w->escalations == 4);
}

/* What report_write wrote in fmt, the caller's to free. */
static char *
written(const struct fx *x, enum report_format fmt)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	report_write(&x->r, fmt, x->in.dir, f);
	fclose(f);
	return buf;
}

static void
csv_is_the_expected_file(void **state)
{
	struct fx *x = *state;
	char *want = source_file("tests/vectors/audit_report.csv"), *got = written(x, REPORT_CSV);

	assert_string_equal(got, want);
	free(want);
	free(got);
}

static void
text_and_json_carry_the_figures(void **state)
{
	struct fx *x = *state;
	char *t = written(x, REPORT_TEXT), *j = written(x, REPORT_JSON);

	assert_non_null(strstr(t, "mash             referral         4        3  2 h 00 min"));
	assert_non_null(strstr(t, "75.0% (3 of 4)"));
	assert_non_null(strstr(t, "2 d 20 h 00 min"));		/* 68 h */
	assert_non_null(strstr(j, "\"from\": \"2026-01-05T00:00:00Z\""));
	assert_non_null(strstr(j, "\"deadlines\": \"broker\""));
	assert_non_null(strstr(j, "{\"agency\": \"mash\", \"type\": \"referral\", \"received\": 4"));
	assert_non_null(strstr(j, "\"median_working_ms\": 7200000"));
	assert_non_null(strstr(j, "{\"agency\": null, \"type\": \"all\", \"received\": 8"));
	free(t);
	free(j);
}

static void
html_is_self_contained_and_accessible(void **state)
{
	struct fx *x = *state;
	char *h = written(x, REPORT_HTML);

	assert_true(strncmp(h, "<!DOCTYPE html>\n<html lang=\"en-GB\">", 35) == 0);
	assert_null(strstr(h, "<script"));
	assert_null(strstr(h, "src="));
	assert_null(strstr(h, "http"));
	assert_null(strstr(h, "<link"));
	assert_non_null(strstr(h, "<svg role=\"img\" aria-labelledby=\"c1-t c1-d\""));
	assert_non_null(strstr(h, "<title id=\"c2-t\">"));
	assert_non_null(strstr(h, "<caption>Table 1. Time to acknowledge</caption>"));
	assert_non_null(strstr(h, "<th scope=\"col\""));
	assert_non_null(strstr(h, "<th scope=\"row\">MASH<span>mash</span></th>"));
	assert_non_null(strstr(h, "5 January 2026"));
	assert_non_null(strstr(h, "75% (3 of 4)"));		/* a bar's value */
	assert_non_null(strstr(h, "11&nbsp;h&nbsp;00&nbsp;min"));	/* a table cell */
	assert_non_null(strstr(h, "</html>\n"));
	free(h);
}

static void
names_in_html_are_escaped(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(f);
	report_html_escape(f, "<b>Tom & Jerry's \"team\"</b>");
	fclose(f);
	assert_string_equal(buf, "&lt;b&gt;Tom &amp; Jerry&#39;s &quot;team&quot;&lt;/b&gt;");
	free(buf);
	assert_string_equal(report_html_agency_name(NULL, "mash"), "mash");
	assert_string_equal(report_html_type_plural(2), "concerns");
}

static void
an_empty_period_has_no_agency_rows(void **state)
{
	struct fx *x = *state;
	struct status st;
	char *h;

	report_free(&x->r);
	x->r.from_ms = TO + 1;
	x->r.to_ms = AS_OF;
	assert_int_equal(report_data_build(x->set, &x->in, &x->r, &st), 0);
	assert_int_equal(x->r.n_agency_rows, 0);
	assert_int_equal(x->r.n_rows, 3);
	assert_int_equal(x->r.rows[2].received, 0);
	h = written(x, REPORT_HTML);
	assert_non_null(strstr(h, "No referrals or concerns were received in this period."));
	assert_null(strstr(h, "<svg"));
	free(h);
}

/* Without the broker's database: the recipient's own inbox times, and the
 * deadlines computed from policy.conf (the built-in social care rule: 1
 * working day for both). */
static void
from_the_recipients_records_alone(void **state)
{
	struct fx *x = *state;
	struct keyfile *k = auditfx_key(x->dir, "mash");
	const struct report_row *w;
	struct report r = {.from_ms = FROM, .to_ms = TO, .as_of_ms = AS_OF};
	struct msgset *set;
	struct inputs in;
	struct status st;
	char path[PATH_LEN], *paths[1] = {path};

	snprintf(path, sizeof(path), "%s/mash.db", x->dir);
	auditfx_make_log(path, 0, false);
	auditfx_exec(path, "CREATE TABLE outbox (message_id BLOB, type INTEGER, recipient TEXT,"
	    " case_id TEXT, in_reply_to BLOB, urgency INTEGER, created_ms INTEGER,"
	    " accepted_ms INTEGER, state TEXT, code INTEGER, final_ms INTEGER, receipt BLOB,"
	    " receipt_ms INTEGER);"
	    "CREATE TABLE inbox (message_id BLOB, type INTEGER, sender TEXT, case_id TEXT,"
	    " in_reply_to BLOB, urgency INTEGER, created_ms INTEGER, accepted_ms INTEGER,"
	    " received_ms INTEGER, state TEXT, receipt BLOB, ack_ms INTEGER, decision_ms INTEGER);"
	    /* Mon 5 Jan 09:00, acknowledged 09:30, decided 11:00 (mash's clock). */
	    "INSERT INTO inbox VALUES (CAST('000000000000000a' AS BLOB), 1, 'school-a', 'C', NULL,"
	    " 3, 1767603600000, 1767603600000, 1767603601000, 'decided', X'00', 1767605400000,"
	    " 1767610800000)");
	auditfx_sign(path, "mash", 0, k, NULL, NULL);	/* says whose log it is */
	keyfile_destroy(&k);
	assert_int_equal(inputs_load_config(&in, x->dir, INPUTS_POLICY), 0);
	assert_int_equal(inputs_open_dbs(&in, paths, 1), 0);
	assert_non_null(set = msgset_load(&in, &st));
	assert_int_equal(report_data_build(set, &in, &r, &st), 0);
	assert_true(r.deadlines == REPORT_DEADLINES_POLICY && !r.from_broker);
	w = row(&r, "mash", 1);
	assert_int_equal(w->received, 1);
	stat_is(&w->ack_working, 1, 30 * MIN, 30 * MIN);
	stat_is(&w->dec_clock, 1, 2 * H, 2 * H);
	deadline_is(&w->ack_deadline, 1, 0, 0, 0);
	deadline_is(&w->dec_deadline, 1, 0, 0, 0);
	report_free(&r);
	msgset_destroy(&set);
	inputs_free(&in);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(messages_and_answers_are_linked),
		T(per_agency_figures_are_the_hand_computed_ones),
		T(totals_are_recomputed_not_averaged),
		T(csv_is_the_expected_file),
		T(text_and_json_carry_the_figures),
		T(html_is_self_contained_and_accessible),
		cmocka_unit_test(names_in_html_are_escaped),
		T(an_empty_period_has_no_agency_rows),
		T(from_the_recipients_records_alone),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
