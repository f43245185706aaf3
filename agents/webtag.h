/* SPDX-License-Identifier: ISC */
/*
 * webtag: the small labelled values the web inbox's pages share - an
 * urgency, a time, a deadline and how late it is - written the same way
 * on every page (GOV.UK tags), each with words as well as a colour, so
 * colour is never the only signal (WCAG 1.4.1).
 */
#ifndef DUTYNET_WEBTAG_H
#define DUTYNET_WEBTAG_H

#include <stddef.h>
#include <stdint.h>

#include "agents/due.h"
#include "agents/output.h"
#include "config/directory.h"

/* An agency as people know it: its name from the directory d (escaped),
 * or its id if d does not list it (a stale entry, the broker). */
void webtag_agency(struct output *o, const struct directory *d, const char *id);

/* A deadline step as a heading word: "Acknowledge", "Decision",
 * "Feedback"; "-" if out of range. */
const char *webtag_step(int step);

/* A category slug as words, "physical-abuse" as "Physical abuse"
 * (escaped); s[0..len) may hold no NUL. */
void webtag_category(struct output *o, const char *s, size_t len);

/* <strong class="govuk-tag govuk-tag--COLOUR">immediate</strong>. */
void webtag_urgency(struct output *o, int urgency);

/* A time as people read it, London wall time to the minute ("Mon 23 Nov
 * 2026 12:42"), in <time datetime="UTC RFC 3339"> so the exact instant is
 * there for machines, and titled with the London time and its offset (the
 * October hour that happens twice); "-" for 0. */
void webtag_time(struct output *o, uint64_t ms);

/* An open step's state: "Overdue" (red tag) and "late by X working, Y
 * clock", or "due in X". */
void webtag_due(struct output *o, const struct due_step *s, uint64_t now_ms);

/* "N reminders, M escalations" as a tag, or nothing if both are 0. */
void webtag_notices(struct output *o, unsigned reminders, unsigned escalations);

/* A message's deadlines as a summary list (dl#deadlines): each step, its
 * time limit, and when it is due and how late, or whether it was met;
 * nothing if d has no rule. */
void webtag_deadlines(struct output *o, const struct due *d, uint64_t now_ms);

#endif
