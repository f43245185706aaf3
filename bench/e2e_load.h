/* SPDX-License-Identifier: ISC */
/*
 * e2e_load: the daemons and the load of `dutynet-bench e2e` (e2e.c reads
 * the figures afterwards): a broker and one agent per agency of the area,
 * agencies 0..S-1 sending to S..S+R-1, referrals of a 1 KiB payload sent
 * through the control sockets many at a time, urgent ones at a steady rate
 * beside them, and a wait until every one has its signed receipt back.
 */
#ifndef DUTYNET_BENCH_E2E_LOAD_H
#define DUTYNET_BENCH_E2E_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "bench/area.h"
#include "bench/proc.h"
#include "proto/status.h"

#define E2E_MESSAGES_MAX 10000000
#define E2E_AGENTS_MAX 16
#define E2E_BUSY_MS 5000		/* sqlite3 busy timeout when reading a database */
#define E2E_URGENCY_URGENT 2		/* PROTOCOL.md 4.4 */
#define E2E_DRAIN_MS 60000		/* the last message has this long to come back, */
#define E2E_DRAIN_PER_MSG_MS 2		/* plus this per message */
#define E2E_WAIT_STEP_MS 20
#define E2E_POLL_MAX_MS 100		/* the load's loop turns at least this often */
#define E2E_COUNT_MS 20			/* how often deliveries are counted (--inflight) */

struct e2e_run {
	struct area *area;		/* owned by the caller */
	char bindir[AREA_PATH_MAX];
	size_t senders, recipients;
	struct proc broker;
	struct proc agents[2 * E2E_AGENTS_MAX];
	long submitted;			/* requests answered 200 in the last phase */
	/* The requests (each sender's bulk one, and the urgent one) and where
	 * they go. */
	uint8_t *bulk[E2E_AGENTS_MAX], *urgent;
	size_t bulk_len[E2E_AGENTS_MAX], urgent_len;
	char sock[E2E_AGENTS_MAX][AREA_PATH_MAX];
};

/* Starts the broker and every agent, each with a session.  -1 and st. */
int e2e_load_start(struct e2e_run *r, int verbose, struct status *st);

/* Encodes the requests. */
int e2e_load_prepare(struct e2e_run *r, struct status *st);

/* One phase: sends n referrals, conns at a time, paced at rate a second
 * (0: as fast as the agents take them), at most inflight of them not yet
 * delivered (0: no limit), and urgent ones at urgent_rate a
 * second while they go; returns once every message of the phase, created
 * from *t0_ms (wall-clock ms) on, is delivered.  -1 and st if a request
 * is refused, a message fails, or they do not all come back in time. */
int e2e_load_phase(struct e2e_run *r, size_t n, size_t conns, double rate, double urgent_rate,
    size_t inflight, uint64_t *t0_ms, struct status *st);

/* Stops the agents, then the broker: 0 if all exited cleanly. */
int e2e_load_stop(struct e2e_run *r);

#endif
