/* SPDX-License-Identifier: ISC */
/*
 * router: the broker's ROUTER socket, CURVE server, and its I/O.  Every
 * option that keeps a message from vanishing silently is set here (see
 * shared ZEROMQ.md): ROUTER_MANDATORY (an unroutable send fails with
 * EHOSTUNREACH instead of being dropped), explicit high-water marks with
 * every send non-blocking (EAGAIN instead of a block, or a drop), a frame
 * size cap (a violator is disconnected before anything is parsed), ZMTP
 * heartbeats, a short handshake timeout, ZAP with its domain enforced so a
 * missing handler refuses everyone, and linger 0.
 *
 * A received message carries who sent it in its metadata, read from a
 * payload frame with zmq_msg_gets (in libzmq 4.3.4 the routing-id frame
 * carries none): User-Id is the agency the ZAP handler admitted, and
 * X-Curve-Key the key it was admitted with.  The routing id says nothing
 * about identity; it is only where replies go.
 */
#ifndef DUTYNET_ROUTER_H
#define DUTYNET_ROUTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <zmq.h>

#include "config/directory.h"
#include "config/settings.h"
#include "proto/frame.h"
#include "proto/ids.h"
#include "proto/status.h"

#define ROUTER_RID_MAX 255		/* a ZeroMQ routing id */
/* libzmq's own routing ids: a zero byte, then a 32-bit counter. */
#define ROUTER_RID_AUTO_BYTES 5
/* Room above the largest envelope for the frame encoding and CURVE. */
#define ROUTER_MAXMSG_SLACK 4096
#define ROUTER_HANDSHAKE_IVL_MS 10000
/* ZMTP heartbeat timeout and TTL as multiples of the interval (5/15/30 s). */
#define ROUTER_HEARTBEAT_TIMEOUT_FACTOR 3
#define ROUTER_HEARTBEAT_TTL_FACTOR 6
/* ZMQ_ZAP_ENFORCE_DOMAIN is a DRAFT macro, but the option works. */
#ifndef ZMQ_ZAP_ENFORCE_DOMAIN
#define ZMQ_ZAP_ENFORCE_DOMAIN 93
#endif

/* One received ZeroMQ message, frames after the routing id. */
struct router_msg {
	uint8_t rid[ROUTER_RID_MAX];
	size_t rid_len;
	char user_id[IDS_AGENCY_MAX + 1];	/* "" if the metadata had none */
	bool has_key;
	uint8_t key[DIRECTORY_CURVE_PKBYTES];	/* the CURVE key it authenticated with */
	zmq_msg_t part[FRAME_MAX_PARTS];
	int nparts;		/* frames kept in part[] */
	int total;		/* frames received; more than kept is malformed */
};

/* Creates the ROUTER in ctx with conf's options and the broker's CURVE
 * secret key, and binds it to conf->endpoint.  The ZAP handler must be
 * bound already.  NULL and st 421 naming the option or endpoint. */
void *router_open(void *ctx, const struct settings_broker *conf,
    const uint8_t curve_sk[DIRECTORY_CURVE_PKBYTES], struct status *st);

/* Receives one whole message without blocking: 1 and *m filled (the
 * caller calls router_msg_close), 0 if none is waiting, -1 on error. */
int router_recv(void *sock, struct router_msg *m);

/* Frees the frames of m. */
void router_msg_close(struct router_msg *m);

/* Sends command f (head and body, then env[0..env_len) if env is not
 * NULL) to rid, never blocking.  0, or -1 with errno EHOSTUNREACH (no such
 * peer now), EAGAIN (its pipe is full), or another errno. */
int router_send(void *sock, const uint8_t *rid, size_t rid_len, const struct frame *f,
    const uint8_t *env, size_t env_len);

/* 1 if rid has the form of a routing id libzmq assigned itself (a client
 * that set ZMQ_ROUTING_ID usually has another). */
int router_rid_is_auto(const uint8_t *rid, size_t rid_len);

#endif
