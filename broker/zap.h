/* SPDX-License-Identifier: ISC */
/*
 * zap: the ZeroMQ authentication handler (RFC 27/ZAP) that decides which
 * CURVE clients may connect.  libzmq exposes a client's CURVE key nowhere
 * else, so this is where identity is born: a key listed in the live
 * directory is admitted with the owning agency id as the connection's
 * User-Id (which every message then carries as metadata) and the key
 * itself as property X-Curve-Key (so a later revocation can be checked per
 * message); any other key is refused with 400, logged and audited.
 *
 * The handler must be bound before the ROUTER binds, in the same context;
 * with ZMQ_ZAP_ENFORCE_DOMAIN a missing handler refuses everyone.
 */
#ifndef DUTYNET_ZAP_H
#define DUTYNET_ZAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "broker/auditq.h"
#include "broker/stats.h"
#include "config/directory.h"
#include "proto/status.h"

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define ZAP_DOMAIN "dutynet"
#define ZAP_MECHANISM "CURVE"
/* The metadata property carrying the client's CURVE key, hex. */
#define ZAP_PROPERTY_KEY "X-Curve-Key"
#define ZAP_KEY_HEX (2 * DIRECTORY_CURVE_PKBYTES)
/* A key's printable fingerprint: its key id (PROTOCOL.md §1.1), hex. */
#define ZAP_FINGERPRINT_LEN (2 * SEAL_KEYID_BYTES)
#define ZAP_ADDRESS_MAX 64
/* Recent decisions kept for the socket monitor to name its peers. */
#define ZAP_RECENT 64

/* One authentication decision. */
struct zap_decision {
	bool admitted;
	char agency[IDS_AGENCY_MAX + 1];	/* "" if refused */
	char address[ZAP_ADDRESS_MAX];		/* the peer's IP address */
	char fingerprint[ZAP_FINGERPRINT_LEN + 1];
};

struct zap;

/* Binds the handler in ctx.  NULL and st 421 if it cannot. */
struct zap *zap_new(void *ctx, struct status *st);

/* Closes the socket and frees *zp; accepts NULL. */
void zap_destroy(struct zap **zp);

/* The REP socket, for zmq_poll. */
void *zap_socket(struct zap *z);

/* Answers every pending request against the live directory d; logs and
 * queues an audit event for each refusal. */
void zap_handle(struct zap *z, const struct directory *d, struct auditq *aq, struct stats *s);

/* Takes the oldest remembered decision with the given result, for the
 * monitor's handshake events (which carry neither address nor key): 0 and
 * *out, or -1 if there is none. */
int zap_take(struct zap *z, bool admitted, struct zap_decision *out);

/* Writes the fingerprint of a CURVE public key. */
void zap_fingerprint(const uint8_t key[DIRECTORY_CURVE_PKBYTES],
    char out[ZAP_FINGERPRINT_LEN + 1]);

#endif
