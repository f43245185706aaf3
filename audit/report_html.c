/* SPDX-License-Identifier: ISC */
/*
 * report_html: the report as a self-contained HTML page (see
 * report_html.h).  Everything is written straight to the stream; every
 * text that comes from the configuration (agency names) is escaped.
 */
#include <inttypes.h>
#include <string.h>

#include "audit/report_html.h"
#include "audit/report_svg.h"
#include "audit/report_stats.h"
#include "audit/show.h"
#include "common/clock.h"
#include "config/civil.h"
#include "config/london.h"

#define DATE_TEXT_MAX 48		/* "30 September 2026, 23:59" */
#define CARD_VALUE_MAX 32		/* a key figure: "100%", "12345" */

static const char style[] =
	"body{font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,Arial,sans-serif;"
	"color:#0b0c0c;background:#fff;margin:0;line-height:1.45}"
	"main{max-width:70rem;margin:0 auto;padding:1.5rem 1.5rem 3rem}"
	"h1{font-size:1.9rem;line-height:1.2;margin:0 0 .5rem}"
	"h2{font-size:1.35rem;margin:2.4rem 0 .6rem;padding-top:.6rem;"
	"border-top:4px solid #1d70b8}"
	".meta{color:#505a5f;margin:.2rem 0}"
	".cards{display:grid;grid-template-columns:repeat(3,1fr);"
	"gap:.8rem;list-style:none;padding:0;margin:1.4rem 0}"
	"@media (max-width:40rem){.cards{grid-template-columns:1fr}}"
	".cards li{border-left:6px solid #1d70b8;background:#f3f2f1;padding:.7rem .9rem}"
	".cards .n{display:block;font-size:1.9rem;font-weight:700;line-height:1.2;"
	"white-space:nowrap}"
	".cards .warn{border-left-color:#d4351c}"
	"figure{margin:1.2rem 0}figcaption{font-weight:700;margin-bottom:.3rem}"
	"figure p{margin:.3rem 0 0;color:#505a5f;font-size:.92rem}"
	"svg{max-width:100%;height:auto}"
	"table{border-collapse:collapse;width:100%;margin:1.2rem 0;font-size:.86rem}"
	"caption{text-align:left;font-weight:700;font-size:1.05rem;padding:.3rem 0 .5rem}"
	"th,td{border-bottom:1px solid #b1b4b6;padding:.4rem .45rem;text-align:right;"
	"vertical-align:top}th[scope=row]{min-width:10rem}"
	"td .sub{display:block;color:#505a5f;font-size:.85em}"
	"thead th{vertical-align:bottom;border-bottom:2px solid #0b0c0c}"
	"th[scope=row],td.type,thead th.l{text-align:left}"
	"th[scope=row] span{display:block;font-weight:400;color:#505a5f;font-size:.85em}"
	"tfoot th,tfoot td{font-weight:700}"
	"tfoot tr:first-child th,tfoot tr:first-child td{border-top:2px solid #0b0c0c}"
	"dt{font-weight:700}dd{margin:0 0 .7rem}"
	"footer{margin-top:2.5rem;color:#505a5f;font-size:.88rem}"
	"@media print{main{max-width:none;padding:0}h2,caption{break-after:avoid}"
	"figure,tr{break-inside:avoid}}";

void
report_html_escape(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			putc(*s, f);
		}
	}
}

const char *
report_html_agency_name(const struct directory *d, const char *id)
{
	const struct directory_agency *a = d != NULL ? directory_find(d, id) : NULL;

	return a != NULL && a->name != NULL ? a->name : id;
}

static const char *const months[] = {"January", "February", "March", "April", "May", "June",
	"July", "August", "September", "October", "November", "December"};

/* "5 January 2026" for a date label ("2026-01-05"), else the label. */
static const char *
label_text(const char *label, char out[DATE_TEXT_MAX])
{
	struct status why;
	int64_t days;
	int y, m, d;

	if (civil_parse_date(label, &days, &why) != 0) {
		snprintf(out, DATE_TEXT_MAX, "%s", label);
		return out;
	}
	civil_date_from_days(days, &y, &m, &d);
	snprintf(out, DATE_TEXT_MAX, "%d %s %d", d, months[m - 1], y);
	return out;
}

/* "2 February 2026, 00:00": London wall time of ms. */
static const char *
london_text(uint64_t ms, char out[DATE_TEXT_MAX])
{
	int64_t local = london_to_local((int64_t)ms);
	int64_t days = local / CIVIL_MS_PER_DAY, in_day = local % CIVIL_MS_PER_DAY;
	int y, m, d;

	civil_date_from_days(days, &y, &m, &d);
	snprintf(out, DATE_TEXT_MAX, "%d %s %d, %02d:%02d", d, months[m - 1], y,
	    (int)(in_day / CIVIL_MS_PER_HOUR), (int)(in_day % CIVIL_MS_PER_HOUR /
	    CIVIL_MS_PER_MINUTE));
	return out;
}

const char *
report_html_type_plural(int type)
{
	return type == 0 ? "all" : type == 1 ? "referrals" : "concerns";
}

static void
head(const struct report *r, FILE *f)
{
	char from[DATE_TEXT_MAX], to[DATE_TEXT_MAX];

	fputs("<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	    "<meta name=\"generator\" content=\"dutynet-audit report\">\n<title>", f);
	fputs("Answering referrals and concerns, ", f);
	report_html_escape(f, label_text(r->from_label, from));
	fputs(" to ", f);
	report_html_escape(f, label_text(r->to_label, to));
	fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n", style);
}

static void
intro(const struct report *r, FILE *f)
{
	char from[DATE_TEXT_MAX], to[DATE_TEXT_MAX], asof[DATE_TEXT_MAX];

	fputs("<header>\n<h1>How quickly agencies answered referrals and safeguarding "
	    "concerns</h1>\n<p class=\"meta\">Referrals and concerns received from <strong>", f);
	report_html_escape(f, label_text(r->from_label, from));
	fputs("</strong> to <strong>", f);
	report_html_escape(f, label_text(r->to_label, to));
	fprintf(f, "</strong>. Answers still missing are judged as of %s, London time.</p>\n",
	    london_text(r->as_of_ms, asof));
	fprintf(f, "<p class=\"meta\">Source: %s; deadlines from %s.</p>\n</header>\n",
	    r->from_broker ? "the broker's records (one clock for every agency)" :
	    "the receiving agencies' own records",
	    r->deadlines == REPORT_DEADLINES_BROKER ? "the broker's deadline records" :
	    r->deadlines == REPORT_DEADLINES_POLICY ? "the area's policy" : "nowhere: none known");
}

static void
card(FILE *f, const char *cls, const char *value, const char *label)
{
	fprintf(f, "<li%s%s%s><span class=\"n\">", cls ? " class=\"" : "", cls ? cls : "",
	    cls ? "\"" : "");
	report_html_escape(f, value);
	fputs("</span>", f);
	report_html_escape(f, label);
	fputs("</li>\n", f);
}

static void
cards(const struct report_row *t, FILE *f)
{
	char v[CARD_VALUE_MAX], d[SHOW_DURATION_LEN];
	size_t overdue = t->ack_deadline.overdue + t->dec_deadline.overdue;
	double p;

	fputs("<h2 id=\"key\">Key figures</h2>\n<ul class=\"cards\">\n", f);
	snprintf(v, sizeof(v), "%zu", t->received);
	card(f, NULL, v, "referrals and concerns received");
	p = report_stats_within(&t->ack_deadline);
	snprintf(v, sizeof(v), p < 0 ? "-" : "%.0f%%", p);
	card(f, NULL, v, "acknowledged within deadline");
	p = report_stats_within(&t->dec_deadline);
	snprintf(v, sizeof(v), p < 0 ? "-" : "%.0f%%", p);
	card(f, NULL, v, "decided within deadline");
	card(f, NULL, t->dec_working.n ? show_duration(t->dec_working.median_ms, d) : "-",
	    "median time to decide (working time)");
	snprintf(v, sizeof(v), "%zu", overdue);
	card(f, overdue ? "warn" : NULL, v, "answers overdue and still missing");
	snprintf(v, sizeof(v), "%" PRIu64, t->escalations);
	card(f, t->escalations ? "warn" : NULL, v, "escalations sent after missed deadlines");
	fputs("</ul>\n", f);
}

/* The row header of a table row: the agency's name and id, or a total. */
static void
row_header(FILE *f, const struct directory *d, const struct report_row *row)
{
	fputs("<th scope=\"row\">", f);
	if (row->agency[0] == '\0') {
		fputs("All agencies", f);
	} else {
		report_html_escape(f, report_html_agency_name(d, row->agency));
		fputs("<span>", f);
		report_html_escape(f, row->agency);
		fputs("</span>", f);
	}
	fprintf(f, "</th><td class=\"type\">%s</td>", report_html_type_plural(row->type));
}

/* A duration that never breaks across lines ("2&nbsp;h&nbsp;00&nbsp;min"). */
static void
td_stat(FILE *f, const struct report_stat *s, bool p90)
{
	char d[SHOW_DURATION_LEN];
	const char *c;

	fputs("<td>", f);
	if (s->n == 0)
		fputs("-", f);
	else
		for (c = show_duration(p90 ? s->p90_ms : s->median_ms, d); *c != '\0'; c++)
			if (*c == ' ')
				fputs("&nbsp;", f);
			else
				putc(*c, f);
	fputs("</td>", f);
}

/* "83%" over "5 of 6", or "-" when nothing was due. */
static void
td_within(FILE *f, const struct report_deadline *d)
{
	double p = report_stats_within(d);

	if (p < 0)
		fputs("<td>-</td>", f);
	else
		fprintf(f, "<td>%.0f%%<span class=\"sub\">%zu&nbsp;of&nbsp;%zu</span></td>", p,
		    d->met, d->met + d->late + d->overdue);
}

static void
table_step(const struct report *r, const struct directory *d, FILE *f, bool decision)
{
	const struct report_row *row;
	const struct report_deadline *dl;
	size_t i;

	fprintf(f, "<table>\n<caption>Table %d. Time to %s</caption>\n<thead><tr>"
	    "<th scope=\"col\" class=\"l\">Agency</th><th scope=\"col\" class=\"l\">Type</th>"
	    "<th scope=\"col\">Received</th><th scope=\"col\">%s</th>"
	    "<th scope=\"col\">Median, working time</th><th scope=\"col\">Median, clock time</th>"
	    "<th scope=\"col\">90th percentile, working time</th>"
	    "<th scope=\"col\">90th percentile, clock time</th>"
	    "<th scope=\"col\">Within deadline</th><th scope=\"col\">Overdue, missing</th>"
	    "</tr></thead>\n", decision ? 2 : 1, decision ? "decide" : "acknowledge",
	    decision ? "Decided" : "Acknowledged");
	for (i = 0; i < r->n_rows; i++) {
		row = &r->rows[i];
		dl = decision ? &row->dec_deadline : &row->ack_deadline;
		if (i == 0 && r->n_agency_rows > 0)
			fputs("<tbody>\n", f);
		if (i == r->n_agency_rows)
			fputs(i > 0 ? "</tbody>\n<tfoot>\n" : "<tfoot>\n", f);
		fputs("<tr>", f);
		row_header(f, d, row);
		fprintf(f, "<td>%zu</td><td>%zu</td>", row->received,
		    decision ? row->decided : row->acknowledged);
		td_stat(f, decision ? &row->dec_working : &row->ack_working, false);
		td_stat(f, decision ? &row->dec_clock : &row->ack_clock, false);
		td_stat(f, decision ? &row->dec_working : &row->ack_working, true);
		td_stat(f, decision ? &row->dec_clock : &row->ack_clock, true);
		td_within(f, dl);
		fprintf(f, "<td>%zu</td></tr>\n", dl->overdue);
	}
	fputs("</tfoot>\n</table>\n", f);
}

static void
table_open_items(const struct report *r, const struct directory *d, FILE *f)
{
	const struct report_row *row;
	size_t i;

	fputs("<table>\n<caption>Table 3. Reminders, escalations and what is still open"
	    "</caption>\n<thead><tr><th scope=\"col\" class=\"l\">Agency</th>"
	    "<th scope=\"col\" class=\"l\">Type</th><th scope=\"col\">Received</th>"
	    "<th scope=\"col\">Reminders sent</th><th scope=\"col\">Escalations sent</th>"
	    "<th scope=\"col\">Answers overdue</th><th scope=\"col\">Answers not yet due</th>"
	    "<th scope=\"col\">Never delivered</th></tr></thead>\n", f);
	for (i = 0; i < r->n_rows; i++) {
		row = &r->rows[i];
		if (i == 0 && r->n_agency_rows > 0)
			fputs("<tbody>\n", f);
		if (i == r->n_agency_rows)
			fputs(i > 0 ? "</tbody>\n<tfoot>\n" : "<tfoot>\n", f);
		fputs("<tr>", f);
		row_header(f, d, row);
		fprintf(f, "<td>%zu</td><td>%" PRIu64 "</td><td>%" PRIu64 "</td><td>%zu</td>"
		    "<td>%zu</td><td>%zu</td></tr>\n", row->received, row->reminders,
		    row->escalations, row->ack_deadline.overdue + row->dec_deadline.overdue,
		    row->ack_deadline.pending + row->dec_deadline.pending, row->failed);
	}
	fputs("</tfoot>\n</table>\n", f);
}

static void
definitions(FILE *f)
{
	fputs("<h2 id=\"how\">How to read this report</h2>\n<dl>\n"
	    "<dt>Received</dt><dd>Referrals and concerns the broker accepted for the agency in "
	    "the period, whatever happened to them next. \"Never delivered\" counts those that "
	    "expired or were rejected before reaching anyone; they are not judged against "
	    "deadlines.</dd>\n"
	    "<dt>Time to acknowledge, time to decide</dt><dd>From the moment the broker accepted "
	    "the message to the moment it accepted the agency's acknowledgement or decision. A "
	    "decision made without an acknowledgement first counts as both.</dd>\n"
	    "<dt>Working time, clock time</dt><dd>Working time counts only the agency's working "
	    "hours (its calendar, bank holidays and closures); clock time is all elapsed time, "
	    "nights and weekends included.</dd>\n"
	    "<dt>Median, 90th percentile</dt><dd>Half of the answers took no longer than the "
	    "median (for an even number, the mean of the middle two); nine in ten took no "
	    "longer than the 90th percentile, which is always a time an answer actually "
	    "took.</dd>\n"
	    "<dt>Within deadline</dt><dd>Answers made by their due time, as a share of all "
	    "answers that were due: made in time, made late, and still missing after the due "
	    "time. Answers not yet due are not counted.</dd>\n"
	    "<dt>Reminders, escalations</dt><dd>Notices the broker sent: reminders to the "
	    "agency before a deadline, escalations to the people in its escalation chain after "
	    "a missed one.</dd>\n</dl>\n", f);
}

void
report_html_write(const struct report *r, const struct directory *d, FILE *f)
{
	const struct report_row *total = &r->rows[r->n_rows - 1];
	char now[DATE_TEXT_MAX];

	head(r, f);
	intro(r, f);
	cards(total, f);
	if (r->n_agency_rows == 0) {
		fputs("<p>No referrals or concerns were received in this period.</p>\n", f);
	} else {
		fputs("<h2 id=\"deadlines\">Answering within deadline</h2>\n", f);
		report_svg_within(r, d, f);
		fputs("<h2 id=\"times\">How long answers took</h2>\n", f);
		report_svg_decide(r, d, f);
		fputs("<h2 id=\"tables\">The figures</h2>\n", f);
		table_step(r, d, f, false);
		table_step(r, d, f, true);
		table_open_items(r, d, f);
	}
	definitions(f);
	fprintf(f, "<footer><p>Produced by dutynet-audit report on %s (London time) from the "
	    "databases given "
	    "to it, read-only. Run dutynet-audit verify on the same databases to check that "
	    "no record was altered.</p></footer>\n</main>\n</body>\n</html>\n",
	    london_text(clock_now_ms(), now));
}
