/* SPDX-License-Identifier: ISC */
/*
 * cpsend: the agent's side of countersigning (PROTOCOL.md §7.8).  The
 * checkpointer signs checkpoints of the agency's audit log; cpsend sends the
 * newest one that is not yet countersigned to the broker as CHECKPOINT, with
 * a consistency proof from the newest size the broker countersigned, and
 * keeps the broker's countersigned copy (checkpoints.countersigned) once it
 * has checked the broker's signature.  One CHECKPOINT is outstanding at a
 * time; it is sent again after a reconnect (WELCOME) or a timeout, and when
 * the broker says it holds another size (560) the proof is made again from
 * that size.  A contradiction the broker found (561) is logged at error
 * level: the log this agent runs on disagrees with what it showed before.
 */
#ifndef DUTYNET_CPSEND_H
#define DUTYNET_CPSEND_H

#include <stdint.h>

#include "agents/agent.h"
#include "proto/frame.h"
#include "proto/status.h"

/* An unanswered CHECKPOINT is sent again after this long (ms): the answer
 * went with a dropped connection, or the broker refused the frame. */
#define CPSEND_TIMEOUT_MS 60000
/* After a failed send, a temporary refusal (4xx) or a database error, the
 * next try waits this long (ms). */
#define CPSEND_RETRY_MS 5000

struct cpsend;

/* A new sender with a send due (the newest checkpoint is looked at once the
 * session is up); the caller's to free with cpsend_destroy.  NULL if out
 * of memory. */
struct cpsend *cpsend_new(void);

/* Frees *sp; accepts NULL; sets *sp = NULL. */
void cpsend_destroy(struct cpsend **sp);

/* A new broker session (WELCOME): what was outstanding is sent again. */
void cpsend_session(struct cpsend *s);

/* The checkpointer wrote a checkpoint: it is to be sent. */
void cpsend_written(struct cpsend *s);

/* Outside any transaction: sends the newest checkpoint if it is not
 * countersigned, nothing is outstanding and the session is up.  Logs what
 * fails and tries again later. */
void cpsend_tick(struct agent *a);

/* A COUNTERSIGNED from the broker, inside receive.c's transaction: on 250
 * the countersigned text is verified with the broker's signing key and
 * kept; on 560 the next proof starts from the broker's size.  -1 and st 451
 * if the database failed (the batch is rolled back). */
int cpsend_on_countersigned(struct agent *a, const struct frame *f, struct status *st)
    __attribute__((warn_unused_result));

#endif
