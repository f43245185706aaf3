/* SPDX-License-Identifier: ISC */
/*
 * peer: a lightweight agency inside the benchmark's own process, for loads
 * that a real dutynet-agent per agency cannot make on a small machine (a
 * thousand agencies at once) or would make slowly (a hundred thousand
 * messages queued as fast as the broker takes them).  It speaks the real
 * protocol (PROTOCOL.md section 7): a ZeroMQ DEALER as CURVE client with
 * the agency's own key, HELLO, SEND, and, when something is delivered to it,
 * a signed RECEIPT built by the test client's builder (tc_build.c: verify,
 * decrypt, seal, sign) or an ACK for a receipt.  It keeps nothing on disk:
 * it stands in for an agent only as far as the broker can tell.
 */
#ifndef DUTYNET_BENCH_PEER_H
#define DUTYNET_BENCH_PEER_H

#include <stddef.h>
#include <stdint.h>

#include "common/keyfile.h"
#include "config/directory.h"
#include "proto/frame.h"
#include "proto/status.h"

#define PEER_HWM 200000			/* messages; above any window used here */
#define PEER_HANDSHAKE_IVL_MS 30000	/* a thousand handshakes queue at the broker */

struct peer {
	void *sock;
	const struct keyfile *k;	/* borrowed */
	const struct directory *d;	/* borrowed */
	int welcomed;
	/* What came back. */
	unsigned long accepted;		/* RESULT 202/250 for our SENDs */
	unsigned long refused;		/* other RESULTs and ERRORs */
	unsigned long delivered;	/* messages delivered to us (receipted) */
	unsigned long receipts;		/* receipts for our messages (ACKed) */
	unsigned long bad;		/* deliveries that did not verify or open */
	int last_code;			/* the last refusal's code */
	uint8_t *buf;			/* receipts are built here */
};

/* Creates the DEALER in ctx with k's CURVE keys and the broker's key from
 * d, and starts connecting to endpoint.  -1 and st. */
int peer_open(struct peer *p, void *ctx, const char *endpoint, const struct keyfile *k,
    const struct directory *d, struct status *st);

void peer_close(struct peer *p);

/* HELLO with window.  -1 if ZeroMQ would not take it now. */
int peer_hello(struct peer *p, uint32_t window);

/* SEND of env[0..len).  -1 if ZeroMQ would not take it now. */
int peer_send(struct peer *p, const uint8_t *env, size_t len);

/* Handles every message waiting, without blocking: counts it, and answers
 * a DELIVER with a RECEIPT (or an ACK for a receipt) and a PING with a
 * PONG.  Returns how many it handled. */
int peer_pump(struct peer *p);

#endif
