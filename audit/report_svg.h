/* SPDX-License-Identifier: ISC */
/*
 * report_svg: the two charts of the HTML report, as inline SVG figures
 * with their captions: the share of acknowledgements and decisions made
 * within deadline, and the median and 90th percentile working time to
 * decide, one group of two bars per agency and message type.  Each SVG
 * has role="img", a <title> and a <desc> for screen readers, and every
 * bar's value is written beside it, so the charts are readable without
 * colour and the tables carry the same figures.
 */
#ifndef DUTYNET_AUDIT_REPORT_SVG_H
#define DUTYNET_AUDIT_REPORT_SVG_H

#include <stdio.h>

#include "audit/report.h"
#include "config/directory.h"

/* Geometry, in SVG user units (the SVG scales down to the page width). */
#define REPORT_SVG_WIDTH 760
#define REPORT_SVG_BAR_LEFT 16		/* where bars start (room for the axis text) */
#define REPORT_SVG_LABEL_LINE 22	/* agency and type, on a line above its bars */
#define REPORT_SVG_VALUE_WIDTH 130	/* room for a value right of a bar */
#define REPORT_SVG_BAR_HEIGHT 16
#define REPORT_SVG_BAR_GAP 4
#define REPORT_SVG_GROUP_GAP 14
#define REPORT_SVG_AXIS_HEIGHT 34
#define REPORT_SVG_LEGEND_HEIGHT 30
#define REPORT_SVG_LEGEND_STEP 200	/* from one legend entry to the next */
#define REPORT_SVG_TICKS 4		/* axis divisions */

/* Chart 1: the share answered within deadline, per agency row of r. */
void report_svg_within(const struct report *r, const struct directory *d, FILE *f);

/* Chart 2: median and 90th percentile working time to decide. */
void report_svg_decide(const struct report *r, const struct directory *d, FILE *f);

#endif
