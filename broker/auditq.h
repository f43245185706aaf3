/* SPDX-License-Identifier: ISC */
/*
 * auditq: audit events that happen outside a transaction (a handshake, a
 * ZAP refusal, a DELIVER sent) wait here, in memory, until the loop's next
 * commit writes them to the audit log.  Writing each in a transaction of
 * its own would cost an fsync per handshake, and a reconnect storm would
 * then stall routing.  The queue is bounded; an event that does not fit is
 * counted and logged, never dropped silently.
 */
#ifndef DUTYNET_AUDITQ_H
#define DUTYNET_AUDITQ_H

#include <stddef.h>
#include <stdint.h>

#include "common/auditlog.h"
#include "common/db.h"
#include "proto/ids.h"
#include "proto/status.h"

/* Events held at most; one loop iteration rarely adds more than a batch. */
#define AUDITQ_CAPACITY 65536
#define AUDITQ_DETAIL_MAX 256

struct auditq;

/* A new empty queue of capacity events, or NULL. */
struct auditq *auditq_new(size_t capacity);

/* Frees *qp (events still queued are lost: flush first); accepts NULL. */
void auditq_destroy(struct auditq **qp);

/* Queues one event; agency and msgid may be NULL.  -1 if the queue is
 * full (the caller counts and logs the loss). */
int auditq_push(struct auditq *q, const char *event, const char *agency, const uint8_t *msgid,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* How many events wait. */
size_t auditq_pending(const struct auditq *q);

/* Appends every queued event to db's audit log inside the caller's open
 * transaction, oldest first, and empties the queue only once all are
 * written.  -1 and st 451 (the events stay queued for the next try). */
int auditq_flush(struct auditq *q, struct db *db, struct status *st)
    __attribute__((warn_unused_result));

/* Empties the queue after its flush committed. */
void auditq_clear(struct auditq *q);

#endif
