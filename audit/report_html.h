/* SPDX-License-Identifier: ISC */
/*
 * report_html: the report as one self-contained HTML page a partnership
 * board can table: key figures, two bar charts in inline SVG
 * (report_svg.h: the share of answers within deadline; the time to decide
 * in working hours) and the full tables.  No external assets, no script, no web fonts: the file can
 * be emailed, archived and printed as it is.  Accessible: every chart has a
 * title and description for screen readers and the same figures are in
 * tables with captions and row and column headers; values are written as
 * text on the bars, so nothing depends on telling colours apart.
 */
#ifndef DUTYNET_AUDIT_REPORT_HTML_H
#define DUTYNET_AUDIT_REPORT_HTML_H

#include <stdio.h>

#include "audit/report.h"
#include "config/directory.h"

/* Writes r as the page to f; d (may be NULL) names the agencies. */
void report_html_write(const struct report *r, const struct directory *d, FILE *f);

/* Writes s with & < > " ' as character references (report_svg too). */
void report_html_escape(FILE *f, const char *s);

/* The agency's display name in d (may be NULL), or id itself; borrowed. */
const char *report_html_agency_name(const struct directory *d, const char *id);

/* "referrals", "concerns", or "all" for type 0. */
const char *report_html_type_plural(int type);

#endif
