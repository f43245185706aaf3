/* SPDX-License-Identifier: ISC */
/*
 * expire: when an undelivered message gives up, and giving up.  A message
 * not receipted within broker.conf's `expiry` fails with OUTCOME 540, so
 * that its sender always learns its fate.  A working-time expiry ("5
 * working days") is counted with the RECIPIENT's calendar: a message sent
 * on Friday evening to a school does not expire during its half term.
 */
#ifndef DUTYNET_EXPIRE_H
#define DUTYNET_EXPIRE_H

#include <stdint.h>

#include "broker/deliver.h"
#include "broker/stats.h"
#include "broker/store.h"
#include "config/calendar.h"
#include "config/settings.h"
#include "proto/status.h"

/* How often the loop looks for expired messages. */
#define EXPIRE_INTERVAL_MS 1000

/* The expiry time of a message accepted at now_ms for a recipient with
 * calendar cal (NULL, or a calendar without working time: clock time, a
 * working day counted as 24 hours). */
uint64_t expire_at(const struct settings_broker *conf, const struct calendar *cal,
    uint64_t now_ms);

/* Inside the caller's transaction: fails the messages whose expiry has
 * passed at now_ms (540), logs each and wakes their senders' sessions for
 * the OUTCOME.  -1 and st 451. */
int expire_run(struct store *s, uint64_t now_ms, struct deliver *d, struct stats *stats,
    struct status *st) __attribute__((warn_unused_result));

#endif
