/* SPDX-License-Identifier: ISC */
/*
 * report: `dutynet-audit report --from DATE --to DATE DB...`: how quickly
 * each agency answered the referrals and concerns sent to it in a period,
 * for a partnership board.  Per agency (the recipient, who owes the
 * answers) and message type, and in totals:
 *   - received: referrals or concerns the broker accepted for it in the
 *     period (failed: of those, how many expired or were rejected, never
 *     reaching a person; they are not judged against deadlines);
 *   - time to acknowledge and time to decide, from the broker's acceptance
 *     to the broker's acceptance of the answer: median and 90th percentile,
 *     in the agency's working time (its calendar) and in clock time.  A
 *     decision without an earlier acknowledgement counts as both, as the
 *     broker's deadline tracking counts it;
 *   - within deadline: of the answers due (met + late + overdue), the share
 *     met; unanswered ones not yet due are "pending" and not judged;
 *   - reminders and escalations the broker sent about them.
 * Definitions (report_stats.h): the median of an even count is the mean
 * of the two middle values; the 90th percentile is the nearest rank, the
 * smallest value with at least 90 % of the values at or below it.
 *
 * The figures are computed by report_data.c (from msgset.h's records and
 * report_stats.c), written by report.c as text, CSV or JSON and by
 * report_html.c as one self-contained HTML page with SVG charts.
 */
#ifndef DUTYNET_AUDIT_REPORT_H
#define DUTYNET_AUDIT_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "audit/inputs.h"
#include "audit/msgset.h"
#include "config/directory.h"
#include "proto/ids.h"

#define REPORT_LABEL_MAX 40

/* A distribution of durations. */
struct report_stat {
	size_t n;
	int64_t median_ms;	/* valid when n > 0 */
	int64_t p90_ms;
};

/* How the answers of one step (ack or decision) stood against deadlines. */
struct report_deadline {
	size_t met;		/* answered at or before the due time */
	size_t late;		/* answered after it */
	size_t overdue;		/* unanswered, due time passed (as of) */
	size_t pending;		/* unanswered, not due yet */
	size_t untracked;	/* no deadline (no rule, or the message failed) */
};

/* One row: an agency and a type, or a total ("" agency: all agencies;
 * type 0: both types). */
struct report_row {
	char agency[IDS_AGENCY_MAX + 1];
	int type;
	size_t received, failed;
	size_t acknowledged, decided;
	struct report_stat ack_working, ack_clock, dec_working, dec_clock;
	struct report_deadline ack_deadline, dec_deadline;
	uint64_t reminders, escalations;
};

/* Where the deadlines came from. */
enum report_deadlines {
	REPORT_DEADLINES_NONE = 0,	/* neither the broker's tables nor a policy */
	REPORT_DEADLINES_BROKER,	/* the broker's deadlines table */
	REPORT_DEADLINES_POLICY,	/* computed from policy.conf */
};

struct report {
	uint64_t from_ms, to_ms;	/* the period: [from, to) */
	uint64_t as_of_ms;		/* unanswered deadlines judged at */
	char from_label[REPORT_LABEL_MAX + 1];	/* the period as given: "2026-01-05" */
	char to_label[REPORT_LABEL_MAX + 1];
	enum report_deadlines deadlines;
	bool from_broker;		/* times are the broker's (else recipients') */
	struct report_row *rows;	/* per agency and type (sorted), then per type
					 * totals, then the grand total (last) */
	size_t n_rows;
	size_t n_agency_rows;		/* of which the first are per agency */
};

/* The output formats. */
enum report_format {
	REPORT_TEXT = 1,
	REPORT_CSV,
	REPORT_JSON,
	REPORT_HTML,
};

/* Writes r to f in fmt; d (may be NULL) gives the agencies' names. */
void report_write(const struct report *r, enum report_format fmt, const struct directory *d,
    FILE *f);

/* Frees r's rows. */
void report_free(struct report *r);

/* "referral", "concern", or "all" for type 0. */
const char *report_type_name(int type);

/* The verb. */
int report_cmd(int argc, char **argv);

#endif
