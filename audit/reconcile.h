/* SPDX-License-Identifier: ISC */
/*
 * reconcile: `dutynet-audit reconcile DB...`: holds the broker's records
 * and every agency's records of each message against one another (msgset.h)
 * and lists
 *   - every GAP: something that should have happened and has not (yet): a
 *     message the broker accepted that its recipient never receipted, a
 *     receipt that has not reached the sender, an outcome the sender was
 *     not told, an acknowledgement or decision the policy requires that is
 *     overdue, a message that never reached the broker;
 *   - every CONTRADICTION: two records that cannot both be true: a message
 *     in an agency's log the broker never saw, a receipt for a message the
 *     broker never delivered, a delivery the broker has no record of, a
 *     recipient's receipt time before the broker accepted it, two logs that
 *     disagree about a message's sender, recipient, type or case.
 * The rules, one by one, are in audit/README.md ("reconcile").
 */
#ifndef DUTYNET_AUDIT_RECONCILE_H
#define DUTYNET_AUDIT_RECONCILE_H

#include <stddef.h>
#include <stdint.h>

#include "audit/msgset.h"

#define RECONCILE_TEXT_MAX 384
/* Clock difference allowed between the broker and an agency before a
 * receipt "before" acceptance is a contradiction (--max-skew). */
#define RECONCILE_SKEW_DEFAULT_MS 0

enum reconcile_kind {
	RECONCILE_GAP = 1,
	RECONCILE_CONTRADICTION = 2,
};

struct reconcile_finding {
	enum reconcile_kind kind;
	const struct msgset_msg *m;	/* borrowed from the set */
	char text[RECONCILE_TEXT_MAX];
};

struct reconcile {
	struct reconcile_finding *v;
	size_t n, cap;
	size_t gaps, contradictions;
	size_t checked;			/* messages looked at */
};

/* Checks every message of s as of as_of_ms (overdue answers), allowing
 * max_skew_ms between clocks, into r (zeroed first).  0, or -1 and st 421
 * if out of memory. */
int reconcile_run(const struct msgset *s, uint64_t as_of_ms, uint64_t max_skew_ms,
    struct reconcile *r, struct status *st) __attribute__((warn_unused_result));

/* Frees r's findings. */
void reconcile_free(struct reconcile *r);

/* "gap" or "contradiction". */
const char *reconcile_kind_name(enum reconcile_kind k);

/* The verb. */
int reconcile_cmd(int argc, char **argv);

#endif
