/* SPDX-License-Identifier: ISC */
/*
 * report: the `report` verb and its text, CSV and JSON output (see
 * report.h; the figures are report_data.c's, the HTML report_html.c's).
 * CSV and JSON carry every figure in milliseconds and counts, for a
 * spreadsheet or another tool; text is for reading in a terminal.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "audit/jsonout.h"
#include "audit/report.h"
#include "audit/report_data.h"
#include "audit/report_html.h"
#include "audit/report_stats.h"
#include "audit/show.h"
#include "audit/when.h"
#include "common/clock.h"
#include "proto/envelope.h"

#define ALL_AGENCIES "all agencies"
#define ALL_CSV "all"
#define RULE_WIDTH 136		/* the line between agencies and totals */
#define WITHIN_TEXT_MAX 48	/* "100.0% (1234 of 1234)" */

const char *
report_type_name(int type)
{
	const char *n = type != 0 ? envelope_type_name(type) : NULL;

	return n != NULL ? n : "all";
}

void
report_free(struct report *r)
{
	free(r->rows);
	r->rows = NULL;
	r->n_rows = r->n_agency_rows = 0;
}

static const char *
times_name(const struct report *r)
{
	return r->from_broker ? "broker" : "recipients";
}

static const char *
deadlines_name(enum report_deadlines d)
{
	return d == REPORT_DEADLINES_BROKER ? "broker" : d == REPORT_DEADLINES_POLICY ? "policy" :
	    "none";
}

/* "75.0% (3 of 4)" or "-" */
static const char *
within_text(const struct report_deadline *d, char *out, size_t cap)
{
	double p = report_stats_within(d);

	if (p < 0)
		snprintf(out, cap, "-");
	else
		snprintf(out, cap, "%.1f%% (%zu of %zu)", p, d->met, d->met + d->late + d->overdue);
	return out;
}

static const char *
stat_text(const struct report_stat *s, bool p90, char out[SHOW_DURATION_LEN])
{
	if (s->n == 0) {
		snprintf(out, SHOW_DURATION_LEN, "-");
		return out;
	}
	return show_duration(p90 ? s->p90_ms : s->median_ms, out);
}

static void
rule(FILE *f)
{
	int i;

	for (i = 0; i < RULE_WIDTH; i++)
		putc('-', f);
	putc('\n', f);
}

static void
text_step(const struct report *r, FILE *f, bool decision)
{
	char mw[SHOW_DURATION_LEN], mc[SHOW_DURATION_LEN], pw[SHOW_DURATION_LEN];
	char pc[SHOW_DURATION_LEN], in[WITHIN_TEXT_MAX];
	const struct report_row *row;
	size_t i;

	fprintf(f, "\n%s\n%-16s %-9s %8s %8s  %-17s %-17s %-17s %-17s %s\n",
	    decision ? "Time to decide" : "Time to acknowledge", "agency", "type", "received",
	    decision ? "decided" : "acked", "median working", "median clock", "90% working",
	    "90% clock", "within deadline");
	for (i = 0; i < r->n_rows; i++) {
		row = &r->rows[i];
		if (i == r->n_agency_rows)
			rule(f);
		fprintf(f, "%-16s %-9s %8zu %8zu  %-17s %-17s %-17s %-17s %s\n",
		    row->agency[0] ? row->agency : ALL_AGENCIES, report_type_name(row->type),
		    row->received, decision ? row->decided : row->acknowledged,
		    stat_text(decision ? &row->dec_working : &row->ack_working, false, mw),
		    stat_text(decision ? &row->dec_clock : &row->ack_clock, false, mc),
		    stat_text(decision ? &row->dec_working : &row->ack_working, true, pw),
		    stat_text(decision ? &row->dec_clock : &row->ack_clock, true, pc),
		    within_text(decision ? &row->dec_deadline : &row->ack_deadline, in,
			sizeof(in)));
	}
}

static void
write_text(const struct report *r, FILE *f)
{
	const struct report_row *row;
	char asof[RFC3339_LEN];
	size_t i;

	fprintf(f, "dutynet report: referrals and concerns received from %s to %s\n"
	    "Judged as of %s.  Times are %s; deadlines from %s.\n"
	    "Median and 90th percentile (nearest rank); working time by each agency's calendar,\n"
	    "clock time as elapsed.  Within deadline = met / (met + late + overdue).\n",
	    r->from_label, r->to_label, show_time(r->as_of_ms, asof),
	    r->from_broker ? "the broker's (acceptance of the message and of the answer)" :
	    "the recipients' own (no broker database given)",
	    r->deadlines == REPORT_DEADLINES_BROKER ? "the broker's records" :
	    r->deadlines == REPORT_DEADLINES_POLICY ? "policy.conf" : "nowhere (none known)");
	text_step(r, f, false);
	text_step(r, f, true);
	fprintf(f, "\nReminders, escalations and what is still open\n%-16s %-9s %8s %9s %11s "
	    "%8s %8s %8s\n", "agency", "type", "received", "reminders", "escalations",
	    "overdue", "pending", "failed");
	for (i = 0; i < r->n_rows; i++) {
		row = &r->rows[i];
		fprintf(f, "%-16s %-9s %8zu %9" PRIu64 " %11" PRIu64 " %8zu %8zu %8zu\n",
		    row->agency[0] ? row->agency : ALL_AGENCIES, report_type_name(row->type),
		    row->received, row->reminders, row->escalations,
		    row->ack_deadline.overdue + row->dec_deadline.overdue,
		    row->ack_deadline.pending + row->dec_deadline.pending, row->failed);
	}
}

static void
csv_stat(FILE *f, const struct report_stat *s)
{
	if (s->n == 0)
		fputs(",", f);
	else
		fprintf(f, "%" PRId64 ",", s->median_ms);
}

static void
csv_step(FILE *f, size_t answered, const struct report_stat *w, const struct report_stat *c,
    const struct report_deadline *d)
{
	double p = report_stats_within(d);

	fprintf(f, "%zu,", answered);
	csv_stat(f, w);
	csv_stat(f, c);
	if (w->n == 0)
		fputs(",,", f);
	else
		fprintf(f, "%" PRId64 ",%" PRId64 ",", w->p90_ms, c->p90_ms);
	fprintf(f, "%zu,%zu,%zu,%zu,%zu,", d->met, d->late, d->overdue, d->pending, d->untracked);
	if (p >= 0)
		fprintf(f, "%.1f", p);
	fputs(",", f);
}

static void
write_csv(const struct report *r, FILE *f)
{
	const struct report_row *row;
	size_t i;

	fputs("agency,type,received,failed,"
	    "acknowledged,ack_median_working_ms,ack_median_clock_ms,ack_p90_working_ms,"
	    "ack_p90_clock_ms,ack_met,ack_late,ack_overdue,ack_pending,ack_untracked,"
	    "ack_within_percent,"
	    "decided,decision_median_working_ms,decision_median_clock_ms,"
	    "decision_p90_working_ms,decision_p90_clock_ms,decision_met,decision_late,"
	    "decision_overdue,decision_pending,decision_untracked,decision_within_percent,"
	    "reminders,escalations\n", f);
	for (i = 0; i < r->n_rows; i++) {
		row = &r->rows[i];
		fprintf(f, "%s,%s,%zu,%zu,", row->agency[0] ? row->agency : ALL_CSV,
		    report_type_name(row->type), row->received, row->failed);
		csv_step(f, row->acknowledged, &row->ack_working, &row->ack_clock,
		    &row->ack_deadline);
		csv_step(f, row->decided, &row->dec_working, &row->dec_clock, &row->dec_deadline);
		fprintf(f, "%" PRIu64 ",%" PRIu64 "\n", row->reminders, row->escalations);
	}
}

static void
json_ms(FILE *f, const char *name, const struct report_stat *s, bool p90)
{
	fprintf(f, "\"%s\": ", name);
	if (s->n == 0)
		fputs("null", f);
	else
		fprintf(f, "%" PRId64, p90 ? s->p90_ms : s->median_ms);
}

static void
json_step(FILE *f, const char *name, const struct report_stat *w, const struct report_stat *c,
    const struct report_deadline *d)
{
	double p = report_stats_within(d);

	fprintf(f, "\"%s\": {", name);
	json_ms(f, "median_working_ms", w, false);
	fputs(", ", f);
	json_ms(f, "median_clock_ms", c, false);
	fputs(", ", f);
	json_ms(f, "p90_working_ms", w, true);
	fputs(", ", f);
	json_ms(f, "p90_clock_ms", c, true);
	fprintf(f, ", \"met\": %zu, \"late\": %zu, \"overdue\": %zu, \"pending\": %zu, "
	    "\"untracked\": %zu, \"within_percent\": ", d->met, d->late, d->overdue, d->pending,
	    d->untracked);
	if (p >= 0)
		fprintf(f, "%.1f}", p);
	else
		fputs("null}", f);
}

static void
write_json(const struct report *r, FILE *f)
{
	const struct report_row *row;
	size_t i;

	fputs("{\"from\": ", f);
	jsonout_time(f, r->from_ms);
	fputs(", \"to\": ", f);
	jsonout_time(f, r->to_ms);
	fputs(", \"as_of\": ", f);
	jsonout_time(f, r->as_of_ms);
	fprintf(f, ", \"times\": \"%s\", \"deadlines\": \"%s\", \"rows\": [", times_name(r),
	    deadlines_name(r->deadlines));
	for (i = 0; i < r->n_rows; i++) {
		row = &r->rows[i];
		fprintf(f, "%s{\"agency\": ", i ? ",\n " : "\n ");
		jsonout_string(f, row->agency[0] ? row->agency : NULL);
		fprintf(f, ", \"type\": \"%s\", \"received\": %zu, \"failed\": %zu, "
		    "\"acknowledged\": %zu, \"decided\": %zu, ", report_type_name(row->type),
		    row->received, row->failed, row->acknowledged, row->decided);
		json_step(f, "ack", &row->ack_working, &row->ack_clock, &row->ack_deadline);
		fputs(", ", f);
		json_step(f, "decision", &row->dec_working, &row->dec_clock, &row->dec_deadline);
		fprintf(f, ", \"reminders\": %" PRIu64 ", \"escalations\": %" PRIu64 "}",
		    row->reminders, row->escalations);
	}
	fputs("]}\n", f);
}

void
report_write(const struct report *r, enum report_format fmt, const struct directory *d,
    FILE *f)
{
	switch (fmt) {
	case REPORT_CSV:
		write_csv(r, f);
		break;
	case REPORT_JSON:
		write_json(r, f);
		break;
	case REPORT_HTML:
		report_html_write(r, d, f);
		break;
	case REPORT_TEXT:
		write_text(r, f);
		break;
	}
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: %s report [--config DIR] --from WHEN --to WHEN [--as-of WHEN]\n"
		   "                      [--format text|csv|json|html] [--output FILE] DB...\n\n"
		   "Per agency (the recipient) and message type, for the referrals and concerns\n"
		   "the broker accepted in the period: how many; median and 90th percentile time\n"
		   "to acknowledge and to decide, in the agency's working time and in clock time;\n"
		   "%% answered within deadline; reminders and escalations sent.  Give the\n"
		   "broker's database (its times and deadline records are used); agencies'\n"
		   "databases alone give their own times.  DIR's policy.conf and calendars count\n"
		   "working time.\n\n"
		   "  --from WHEN, --to WHEN   the period: YYYY-MM-DD (London; --to includes\n"
		   "                           that whole day) or RFC 3339 times (--to excluded)\n"
		   "  --as-of WHEN             judge unanswered deadlines at WHEN (default now)\n"
		   "  --format FORMAT          text (default), csv, json, or html: one\n"
		   "                           self-contained page with charts, for a board\n"
		   "  --output FILE            write there (a new file) instead of stdout\n\n"
		   "Exit: 0 written; 2 bad command line; 3 configuration or a database cannot\n"
		   "be read, or FILE cannot be written.\n", AUDIT_PROGRAM);
}

static int
parse_format(const char *s, enum report_format *fmt)
{
	static const char *const names[] = {
		[REPORT_TEXT] = "text", [REPORT_CSV] = "csv", [REPORT_JSON] = "json",
		[REPORT_HTML] = "html",
	};
	int i;

	for (i = REPORT_TEXT; i <= REPORT_HTML; i++)
		if (strcmp(s, names[i]) == 0) {
			*fmt = (enum report_format)i;
			return 0;
		}
	return -1;
}

/* Parses --from or --to into *ms and its label. */
static int
period_arg(const char *opt, const char *s, enum when_edge edge, uint64_t *ms, char *label)
{
	struct status st;

	if (when_parse(s, edge, ms, &st) != 0) {
		fprintf(stderr, "%s report: --%s: %s\n", AUDIT_PROGRAM, opt, st.text);
		return -1;
	}
	snprintf(label, REPORT_LABEL_MAX + 1, "%s", s);
	return 0;
}

int
report_cmd(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"from", required_argument, NULL, 'f'},
		{"to", required_argument, NULL, 't'},
		{"as-of", required_argument, NULL, 'a'},
		{"format", required_argument, NULL, 'F'},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct report r = {0};
	struct msgset *set = NULL;
	enum report_format fmt = REPORT_TEXT;
	struct inputs in;
	struct status st;
	const char *config = NULL, *output = NULL;
	bool have_from = false, have_to = false;
	FILE *f = stdout;
	int c, ret = AUDIT_UNREADABLE;

	memset(&in, 0, sizeof(in));
	r.as_of_ms = clock_now_ms();
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:f:t:a:F:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 'f':
			if (period_arg("from", optarg, WHEN_START, &r.from_ms, r.from_label) != 0)
				return AUDIT_USAGE;
			have_from = true;
			break;
		case 't':
			if (period_arg("to", optarg, WHEN_END, &r.to_ms, r.to_label) != 0)
				return AUDIT_USAGE;
			have_to = true;
			break;
		case 'a':
			if (when_parse(optarg, WHEN_START, &r.as_of_ms, &st) != 0) {
				fprintf(stderr, "%s report: --as-of: %s\n", AUDIT_PROGRAM, st.text);
				return AUDIT_USAGE;
			}
			break;
		case 'F':
			if (parse_format(optarg, &fmt) != 0) {
				fprintf(stderr, "%s report: --format '%s' is not text, csv, json or "
				    "html\n", AUDIT_PROGRAM, optarg);
				return AUDIT_USAGE;
			}
			break;
		case 'o':
			output = optarg;
			break;
		case 'h':
			usage(stdout);
			return AUDIT_OK;
		default:
			usage(stderr);
			return AUDIT_USAGE;
		}
	}
	if (!have_from || !have_to || optind >= argc) {
		fprintf(stderr, "%s report: give --from, --to and the databases\n", AUDIT_PROGRAM);
		usage(stderr);
		return AUDIT_USAGE;
	}
	if (r.to_ms <= r.from_ms) {
		fprintf(stderr, "%s report: --to %s is not after --from %s\n", AUDIT_PROGRAM,
		    r.to_label, r.from_label);
		return AUDIT_USAGE;
	}
	if (inputs_load_config(&in, config, INPUTS_POLICY) != 0 ||
	    inputs_open_dbs(&in, argv + optind, (size_t)(argc - optind)) != 0)
		goto out;
	if ((set = msgset_load(&in, &st)) == NULL || report_data_build(set, &in, &r, &st) != 0) {
		fprintf(stderr, "%s: %s\n", AUDIT_PROGRAM, st.text);
		goto out;
	}
	if (output != NULL && (f = fopen(output, "wx")) == NULL) {
		fprintf(stderr, "%s report: cannot create %s: %s (it must not exist)\n",
		    AUDIT_PROGRAM, output, strerror(errno));
		goto out;
	}
	report_write(&r, fmt, in.dir, f);
	if (fflush(f) != 0 || ferror(f) || (f != stdout && fclose(f) != 0)) {
		fprintf(stderr, "%s report: cannot write %s: %s\n", AUDIT_PROGRAM,
		    output ? output : "the output", strerror(errno));
		f = stdout;
		goto out;
	}
	if (output != NULL)
		fprintf(stderr, "%s report: written to %s\n", AUDIT_PROGRAM, output);
	f = stdout;
	ret = AUDIT_OK;
out:
	if (f != stdout && f != NULL)
		fclose(f);
	report_free(&r);
	msgset_destroy(&set);
	inputs_free(&in);
	return ret;
}
