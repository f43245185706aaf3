/* SPDX-License-Identifier: ISC */
/*
 * transmit: hands due outbox messages to the broker link.  Only in a
 * session (after WELCOME); each message goes as SEND with its stored bytes,
 * and the attempts that ZeroMQ took are recorded (with a "sent" audit entry
 * each) in one transaction afterwards.  A message ZeroMQ would not take
 * stays due; a crash before the record only means it is sent again, which
 * the broker answers from its store (same id, same bytes).
 */
#ifndef DUTYNET_TRANSMIT_H
#define DUTYNET_TRANSMIT_H

#include <stdint.h>

#include "agents/agent.h"

/* SENDs in flight (sent this session, no RESULT yet) per agent: the rest
 * waits in the outbox, where the most urgent go first, rather than in the
 * broker's socket queue, where they would wait in line (two of the
 * broker's batches).  Standard and routine messages leave the last
 * TRANSMIT_URGENT_RESERVE places to immediate and urgent ones. */
#define TRANSMIT_WINDOW 128
#define TRANSMIT_URGENT_RESERVE 8

/* Sends what is due now (at most AGENT_SEND_BATCH); 1 if more may be due
 * at once, 0 if not. */
int transmit_due(struct agent *a);

/* Milliseconds until transmit_due has work: 0 now, AGENT_POLL_MAX_MS at
 * most (and when no session is up). */
uint64_t transmit_wait_ms(struct agent *a);

#endif
