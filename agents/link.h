/* SPDX-License-Identifier: ISC */
/*
 * link: the agent's one connection to the broker, a ZeroMQ DEALER as CURVE
 * client (proto/PROTOCOL.md section 7), and what the agent knows about it.
 *
 * The DEALER never sets a routing id; it has ZMQ_IMMEDIATE=1 (nothing is
 * queued for a connection that is not up: a send then fails at once and the
 * message stays in the outbox), reconnects with a jittered interval that
 * backs off to a maximum, and runs ZMTP heartbeats.  A socket monitor tells
 * the states apart - in particular a CURVE key the broker refuses
 * (ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) is "rejected by broker", not
 * "connecting".  After each successful handshake, and whenever the broker
 * has been silent for a heartbeat interval, the link sends HELLO; the
 * session is ready (SENDs may go) once WELCOME arrives.
 */
#ifndef DUTYNET_LINK_H
#define DUTYNET_LINK_H

#include <stddef.h>
#include <stdint.h>

#include "common/keyfile.h"
#include "config/settings.h"
#include "proto/frame.h"
#include "proto/status.h"

#define LINK_HWM 10000			/* messages; far above the windows */
#define LINK_HANDSHAKE_IVL_MS 10000
#define LINK_RECONNECT_MAX_MS 30000	/* cap on the reconnect backoff */
#define LINK_HEARTBEAT_TIMEOUT_FACTOR 3	/* ZMTP heartbeat timeout = 3 intervals */
#define LINK_HEARTBEAT_TTL_FACTOR 6
#define LINK_MAXMSG_SLACK 4096		/* framing above the largest envelope */
#define LINK_STATE_TEXT_MAX 256
#define LINK_HELLO_RETRY_MS 100		/* a HELLO ZeroMQ would not take yet */
#define LINK_MONITOR_ENDPOINT "inproc://dutynet-agent-link-monitor"

enum link_state {
	LINK_CONNECTING,	/* no connection yet, or it dropped */
	LINK_REJECTED,		/* the broker refused our CURVE key */
	LINK_CONNECTED,		/* handshake done, waiting for WELCOME */
	LINK_READY,		/* WELCOME received: a session */
};

/* One message from the broker: its decoded body and, for DELIVER, the
 * envelope bytes (owned; link_msg_clear frees them). */
struct link_msg {
	struct frame f;
	uint8_t *envelope;
	size_t len;
};

struct link;

/* Creates the DEALER in zctx with k's CURVE keys and the broker's CURVE
 * public key, its monitor, and starts connecting to s->broker_endpoint.
 * NULL and st if a socket option or the endpoint is refused. */
struct link *link_new(void *zctx, const struct settings_agent *s, const struct keyfile *k,
    const uint8_t broker_curve_pk[DIRECTORY_CURVE_PKBYTES], struct status *st);

/* Closes both sockets (linger 0: durability never relies on it). */
void link_destroy(struct link **lp);

/* The sockets to poll for input. */
void *link_socket(struct link *l);
void *link_monitor(struct link *l);

/* Reads every pending monitor event and updates the state; sends HELLO
 * after a successful handshake. */
void link_on_monitor(struct link *l);

/* Takes one message from the broker without blocking: 1 and *m filled, 0
 * if none is waiting, -1 if one was malformed (logged and dropped; the
 * broker resends what matters).  WELCOME, PING and ERROR are handled here
 * too and reported, so the caller sees the session change. */
int link_recv(struct link *l, struct link_msg *m);
void link_msg_clear(struct link_msg *m);

/* Sends a command with an optional envelope frame, never blocking: 0 if
 * handed to ZeroMQ, -1 if not (no connection: ZMQ_IMMEDIATE; or full). */
int link_send(struct link *l, const struct frame *f, const uint8_t *envelope, size_t len);

/* Sends HELLO if the broker has been silent for a heartbeat interval;
 * returns the ms until it should be called again. */
uint64_t link_tick(struct link *l);

enum link_state link_state(const struct link *l);

/* Why the link is in its state, for `dutynet outbox` and logs
 * ("rejected by broker: CURVE key refused (status 400) at ..."). */
const char *link_state_text(const struct link *l);

#endif
