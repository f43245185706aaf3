/* SPDX-License-Identifier: ISC */
/*
 * alarms: the broker's record of checkpoints it refused as inconsistent
 * (PROTOCOL.md §7.8, event `checkpoint-inconsistent` in its audit log).
 * Such an entry verifies like any other, so the log check alone would call
 * the broker's log OK; but it says that an agency showed the broker a
 * history that does not extend the one the broker countersigned before
 * (cut, rewritten or forked), which an auditor must be told about even
 * when that agency's database was not handed over.
 */
#ifndef DUTYNET_AUDIT_ALARMS_H
#define DUTYNET_AUDIT_ALARMS_H

#include <stdint.h>

#include "audit/auditdb.h"
#include "audit/logcheck.h"
#include "proto/status.h"

#define ALARMS_EVENT "checkpoint-inconsistent"
#define ALARMS_KEPT 16		/* alarms kept for printing (the earliest) */

struct alarms {
	uint64_t total;				/* alarms found */
	size_t n;				/* kept in first[] */
	struct logcheck_problem first[ALARMS_KEPT];	/* seq, time, text */
};

/* Reads the alarms in db's audit log (a broker's; other logs have none)
 * into a.  0, or -1 and st 421 if the database cannot be read. */
int alarms_read(struct auditdb *db, struct alarms *a, struct status *st)
    __attribute__((warn_unused_result));

#endif
