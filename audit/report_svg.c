/* SPDX-License-Identifier: ISC */
/*
 * report_svg: the report's two bar charts as inline SVG (see
 * report_svg.h): horizontal bars, one group per agency and message type,
 * the group's name on its own line above its bars, each bar's value
 * written after it, a legend above and an axis below.
 */
#include <inttypes.h>
#include <string.h>

#include "audit/report_html.h"
#include "audit/report_stats.h"
#include "audit/report_svg.h"
#include "audit/show.h"
#include "config/civil.h"

#define MS_PER_HOUR CIVIL_MS_PER_HOUR
#define FONT_SIZE 13
#define TEXT_DROP 12		/* baseline below a bar's top */
#define COLOUR_ACK "#1d70b8"
#define COLOUR_DECISION "#00703c"
#define COLOUR_MEDIAN "#1d70b8"
#define COLOUR_P90 "#9fc3e7"
#define COLOUR_AXIS "#505a5f"
#define COLOUR_GRID "#d8dadc"
#define SWATCH 14		/* legend colour squares */
#define SWATCH_TOP 2
#define TICK_TEXT_GAP 4		/* between the chart's bottom and the tick labels */
#define VALUE_TEXT_MAX 48	/* "100% (1234 of 1234)" */
#define TICK_TEXT_MAX 24	/* "1200 h" */

static void
percent_text(const struct report_deadline *d, char *out, size_t cap)
{
	double p = report_stats_within(d);

	if (p < 0)
		snprintf(out, cap, "none due yet");
	else
		snprintf(out, cap, "%.0f%% (%zu of %zu)", p, d->met, d->met + d->late + d->overdue);
}

/* The label of a chart group, on its own line above its two bars: the
 * agency's name and the message type, so no name has to be cut short. */
static void
svg_label(FILE *f, const struct directory *d, const struct report_row *row, int y)
{
	fprintf(f, "<text x=\"0\" y=\"%d\"><tspan font-weight=\"700\">", y + TEXT_DROP);
	report_html_escape(f, report_html_agency_name(d, row->agency));
	fprintf(f, "</tspan><tspan fill=\"%s\"> \xe2\x80\x94 %s</tspan></text>\n", COLOUR_AXIS,
	    report_html_type_plural(row->type));
}

/* One horizontal bar of length w at y, its value as text after it. */
static void
svg_bar(FILE *f, int y, double w, const char *colour, const char *value)
{
	fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>"
	    "<text x=\"%.1f\" y=\"%d\">", REPORT_SVG_BAR_LEFT, y, w, REPORT_SVG_BAR_HEIGHT,
	    colour, REPORT_SVG_BAR_LEFT + w + REPORT_SVG_BAR_GAP, y + TEXT_DROP);
	report_html_escape(f, value);
	fputs("</text>\n", f);
}

/* A group: its label line, two bars, and the gap to the next. */
static int
group_height(void)
{
	return REPORT_SVG_LABEL_LINE + 2 * REPORT_SVG_BAR_HEIGHT + REPORT_SVG_BAR_GAP +
	    REPORT_SVG_GROUP_GAP;
}

/* Where the first bar of group y starts, and the second. */
static int
bar1(int y)
{
	return y + REPORT_SVG_LABEL_LINE;
}

static int
bar2(int y)
{
	return bar1(y) + REPORT_SVG_BAR_HEIGHT + REPORT_SVG_BAR_GAP;
}

/* The axis: tick labels under the chart and the zero line. */
static void
svg_axis(FILE *f, int top, int bottom, double scale_w, const char *const *ticks)
{
	int i, x;

	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\"/>\n",
	    REPORT_SVG_BAR_LEFT, top, REPORT_SVG_BAR_LEFT, bottom, COLOUR_AXIS);
	for (i = 0; i <= REPORT_SVG_TICKS; i++) {
		x = REPORT_SVG_BAR_LEFT + (int)(scale_w * i / REPORT_SVG_TICKS);
		fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"%s\">%s</text>\n",
		    x, bottom + FONT_SIZE + TICK_TEXT_GAP, COLOUR_AXIS, ticks[i]);
	}
}

/* Grid lines behind the bars of the group at y (not across its label). */
static void
svg_grid(FILE *f, int y, double scale_w)
{
	int i, x;

	for (i = 1; i <= REPORT_SVG_TICKS; i++) {
		x = REPORT_SVG_BAR_LEFT + (int)(scale_w * i / REPORT_SVG_TICKS);
		fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\"/>", x,
		    bar1(y) - REPORT_SVG_BAR_GAP, x, bar2(y) + REPORT_SVG_BAR_HEIGHT +
		    REPORT_SVG_BAR_GAP, COLOUR_GRID);
	}
	putc('\n', f);
}

/* Two legend entries: a swatch and its text each. */
static void
svg_legend(FILE *f, const char *c1, const char *t1, const char *c2, const char *t2)
{
	const char *colour[] = {c1, c2}, *text[] = {t1, t2};
	int i, x;

	for (i = 0; i < 2; i++) {
		x = REPORT_SVG_BAR_LEFT + i * REPORT_SVG_LEGEND_STEP;
		fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>"
		    "<text x=\"%d\" y=\"%d\">%s</text>\n", x, SWATCH_TOP, SWATCH, SWATCH, colour[i],
		    x + SWATCH + REPORT_SVG_BAR_GAP * 2, SWATCH_TOP + SWATCH - 2, text[i]);
	}
}

static void
svg_open(FILE *f, const char *id, int height, const char *title, const char *desc)
{
	fprintf(f, "<svg role=\"img\" aria-labelledby=\"%s-t %s-d\" viewBox=\"0 0 %d %d\" "
	    "width=\"%d\" height=\"%d\" font-size=\"%d\" "
	    "font-family=\"system-ui,-apple-system,Segoe UI,Roboto,Arial,sans-serif\">\n"
	    "<title id=\"%s-t\">%s</title>\n<desc id=\"%s-d\">", id, id,
	    REPORT_SVG_WIDTH, height, REPORT_SVG_WIDTH, height, FONT_SIZE, id,
	    title, id);
	report_html_escape(f, desc);
	fputs("</desc>\n", f);
}

/* Chart 1: the share of acknowledgements and decisions within deadline. */
void
report_svg_within(const struct report *r, const struct directory *d, FILE *f)
{
	static const char *const ticks[] = {"0%", "25%", "50%", "75%", "100%"};
	double scale = REPORT_SVG_WIDTH - REPORT_SVG_BAR_LEFT -
	    REPORT_SVG_VALUE_WIDTH, p;
	int top = REPORT_SVG_LEGEND_HEIGHT, y, bottom;
	char v[VALUE_TEXT_MAX];
	size_t i;

	bottom = top + (int)r->n_agency_rows * group_height();
	fputs("<figure>\n<figcaption>Chart 1. Share of acknowledgements and decisions made "
	    "within deadline, by agency</figcaption>\n", f);
	svg_open(f, "c1", bottom + REPORT_SVG_AXIS_HEIGHT, "Share answered within deadline, by "
	    "agency", "For each agency and message type, two bars: the percentage of "
	    "acknowledgements and of decisions made within deadline. The figures are in "
	    "tables 1 and 2.");
	svg_legend(f, COLOUR_ACK, "Acknowledged in time", COLOUR_DECISION, "Decided in time");
	svg_axis(f, top - REPORT_SVG_BAR_GAP, bottom, scale, ticks);
	for (i = 0; i < r->n_agency_rows; i++) {
		y = top + (int)i * group_height();
		svg_grid(f, y, scale);
		svg_label(f, d, &r->rows[i], y);
		p = report_stats_within(&r->rows[i].ack_deadline);
		percent_text(&r->rows[i].ack_deadline, v, sizeof(v));
		svg_bar(f, bar1(y), p < 0 ? 0 : scale * p / REPORT_STATS_PERCENT, COLOUR_ACK, v);
		p = report_stats_within(&r->rows[i].dec_deadline);
		percent_text(&r->rows[i].dec_deadline, v, sizeof(v));
		svg_bar(f, bar2(y), p < 0 ? 0 : scale * p / REPORT_STATS_PERCENT, COLOUR_DECISION,
		    v);
	}
	fputs("</svg>\n<p>Within deadline means answered by the due time, out of all answers "
	    "that were due: met, late, and still missing after the due time.</p>\n"
	    "</figure>\n", f);
}

/* The axis maximum for chart 2: the largest value rounded up to a whole
 * number of hours divisible by the ticks. */
static int64_t
hours_axis(const struct report *r)
{
	int64_t max = 0, step = REPORT_SVG_TICKS * MS_PER_HOUR;
	size_t i;

	for (i = 0; i < r->n_agency_rows; i++)
		if (r->rows[i].dec_working.n > 0 && r->rows[i].dec_working.p90_ms > max)
			max = r->rows[i].dec_working.p90_ms;
	return max <= 0 ? step : (max + step - 1) / step * step;
}

/* Chart 2: median and 90th percentile working time to decide. */
void
report_svg_decide(const struct report *r, const struct directory *d, FILE *f)
{
	double scale = REPORT_SVG_WIDTH - REPORT_SVG_BAR_LEFT - REPORT_SVG_VALUE_WIDTH;
	int64_t axis = hours_axis(r);
	int top = REPORT_SVG_LEGEND_HEIGHT, y, bottom, i;
	char tick[REPORT_SVG_TICKS + 1][TICK_TEXT_MAX], v[SHOW_DURATION_LEN];
	const char *ticks[REPORT_SVG_TICKS + 1];
	const struct report_row *row;
	size_t k;

	for (i = 0; i <= REPORT_SVG_TICKS; i++) {
		snprintf(tick[i], sizeof(tick[i]), "%lld h",
		    (long long)(axis / MS_PER_HOUR * i / REPORT_SVG_TICKS));
		ticks[i] = tick[i];
	}
	bottom = top + (int)r->n_agency_rows * group_height();
	fputs("<figure>\n<figcaption>Chart 2. Working time from receipt to decision, by "
	    "agency</figcaption>\n", f);
	svg_open(f, "c2", bottom + REPORT_SVG_AXIS_HEIGHT, "Working time to decide, by agency",
	    "For each agency and message type, two bars: the median and the 90th percentile "
	    "of the working time between the broker receiving the message and the agency's "
	    "decision, in hours. The figures are in table 2.");
	svg_legend(f, COLOUR_MEDIAN, "Median", COLOUR_P90, "90th percentile");
	svg_axis(f, top - REPORT_SVG_BAR_GAP, bottom, scale, ticks);
	for (k = 0; k < r->n_agency_rows; k++) {
		row = &r->rows[k];
		y = top + (int)k * group_height();
		svg_grid(f, y, scale);
		svg_label(f, d, row, y);
		if (row->dec_working.n == 0) {
			svg_bar(f, bar1(y), 0, COLOUR_MEDIAN, "no decisions yet");
			continue;
		}
		show_duration(row->dec_working.median_ms, v);
		svg_bar(f, bar1(y), scale * (double)row->dec_working.median_ms / (double)axis,
		    COLOUR_MEDIAN, v);
		show_duration(row->dec_working.p90_ms, v);
		svg_bar(f, bar2(y), scale * (double)row->dec_working.p90_ms / (double)axis,
		    COLOUR_P90, v);
	}
	fputs("</svg>\n<p>Working time counts only each agency's own working hours (its "
	    "calendar, with bank holidays and closures). Half of the decisions took no longer "
	    "than the median; nine in ten no longer than the 90th percentile.</p>\n</figure>\n",
	    f);
}
