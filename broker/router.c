/* SPDX-License-Identifier: ISC */
/*
 * router: the ROUTER socket's options and I/O (see router.h).
 *
 * ROUTER_HANDOVER is on, as the design asks, so that a client reconnecting
 * under the routing id it chose takes it over instead of being ignored.
 * Because that also lets one client take another's routing id, the broker
 * never trusts a routing id: deliver.c routes an agency's messages only to
 * a routing id that libzmq assigned and that said HELLO with that agency's
 * authenticated User-Id (admit.c), and forgets the route the moment
 * another agency's traffic arrives on it.
 */
#include <errno.h>
#include <string.h>

#include <sodium.h>

#include "broker/router.h"
#include "broker/zap.h"

static int
set_int(void *sock, int option, int value, const char *name, struct status *st)
{
	if (zmq_setsockopt(sock, option, &value, sizeof(value)) == -1)
		return status_set(st, STATUS_UNAVAILABLE, "ROUTER option %s=%d: %s", name, value,
		    zmq_strerror(zmq_errno()));
	return 0;
}

void *
router_open(void *ctx, const struct settings_broker *conf,
    const uint8_t curve_sk[DIRECTORY_CURVE_PKBYTES], struct status *st)
{
	int64_t maxmsg = conf->max_envelope_bytes + ROUTER_MAXMSG_SLACK;
	int hb = (int)conf->heartbeat_ms;
	void *sock = zmq_socket(ctx, ZMQ_ROUTER);

	if (sock == NULL) {
		status_set(st, STATUS_UNAVAILABLE, "ROUTER socket: %s", zmq_strerror(zmq_errno()));
		return NULL;
	}
	if (set_int(sock, ZMQ_LINGER, 0, "LINGER", st) == -1 ||
	    set_int(sock, ZMQ_ROUTER_MANDATORY, 1, "ROUTER_MANDATORY", st) == -1 ||
	    set_int(sock, ZMQ_ROUTER_HANDOVER, 1, "ROUTER_HANDOVER", st) == -1 ||
	    set_int(sock, ZMQ_SNDHWM, (int)conf->hwm, "SNDHWM", st) == -1 ||
	    set_int(sock, ZMQ_RCVHWM, (int)conf->hwm, "RCVHWM", st) == -1 ||
	    set_int(sock, ZMQ_HEARTBEAT_IVL, hb, "HEARTBEAT_IVL", st) == -1 ||
	    set_int(sock, ZMQ_HEARTBEAT_TIMEOUT, hb * ROUTER_HEARTBEAT_TIMEOUT_FACTOR,
		"HEARTBEAT_TIMEOUT", st) == -1 ||
	    set_int(sock, ZMQ_HEARTBEAT_TTL, hb * ROUTER_HEARTBEAT_TTL_FACTOR, "HEARTBEAT_TTL",
		st) == -1 ||
	    set_int(sock, ZMQ_HANDSHAKE_IVL, ROUTER_HANDSHAKE_IVL_MS, "HANDSHAKE_IVL", st) == -1 ||
	    set_int(sock, ZMQ_CURVE_SERVER, 1, "CURVE_SERVER", st) == -1 ||
	    set_int(sock, ZMQ_ZAP_ENFORCE_DOMAIN, 1, "ZAP_ENFORCE_DOMAIN", st) == -1)
		goto fail;
	if (zmq_setsockopt(sock, ZMQ_MAXMSGSIZE, &maxmsg, sizeof(maxmsg)) == -1 ||
	    zmq_setsockopt(sock, ZMQ_ZAP_DOMAIN, ZAP_DOMAIN, strlen(ZAP_DOMAIN)) == -1 ||
	    zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, curve_sk, DIRECTORY_CURVE_PKBYTES) == -1) {
		status_set(st, STATUS_UNAVAILABLE,
		    "ROUTER MAXMSGSIZE, ZAP_DOMAIN or CURVE key: %s",
		    zmq_strerror(zmq_errno()));
		goto fail;
	}
	if (zmq_bind(sock, conf->endpoint) == -1) {
		status_set(st, STATUS_UNAVAILABLE,
		    "cannot bind %s: %s; is another broker running?", conf->endpoint,
		    zmq_strerror(zmq_errno()));
		goto fail;
	}
	return sock;
fail:
	zmq_close(sock);
	return NULL;
}

/* Reads User-Id and X-Curve-Key from a payload frame's metadata. */
static void
identity(zmq_msg_t *part, struct router_msg *m)
{
	const char *user = zmq_msg_gets(part, "User-Id");
	const char *key = zmq_msg_gets(part, ZAP_PROPERTY_KEY);
	size_t len;

	if (user != NULL && (len = strlen(user)) <= IDS_AGENCY_MAX) {
		memcpy(m->user_id, user, len);
		m->user_id[len] = '\0';
	}
	m->has_key = key != NULL && strlen(key) == ZAP_KEY_HEX &&
	    sodium_hex2bin(m->key, sizeof(m->key), key, ZAP_KEY_HEX, NULL, NULL, NULL) == 0;
}

int
router_recv(void *sock, struct router_msg *m)
{
	zmq_msg_t f;
	int more;

	memset(m, 0, sizeof(*m));
	zmq_msg_init(&f);
	if (zmq_msg_recv(&f, sock, ZMQ_DONTWAIT) == -1) {
		zmq_msg_close(&f);
		return zmq_errno() == EAGAIN ? 0 : -1;
	}
	m->rid_len = zmq_msg_size(&f) <= ROUTER_RID_MAX ? zmq_msg_size(&f) : ROUTER_RID_MAX;
	memcpy(m->rid, zmq_msg_data(&f), m->rid_len);
	more = zmq_msg_more(&f);
	zmq_msg_close(&f);
	/* The rest of a multipart message is already here: no waiting. */
	while (more) {
		zmq_msg_init(&f);
		if (zmq_msg_recv(&f, sock, 0) == -1) {
			zmq_msg_close(&f);
			break;
		}
		more = zmq_msg_more(&f);
		if (m->total++ == 0)
			identity(&f, m);
		if (m->nparts < FRAME_MAX_PARTS)
			m->part[m->nparts++] = f;	/* moved, not copied */
		else
			zmq_msg_close(&f);
	}
	return 1;
}

void
router_msg_close(struct router_msg *m)
{
	int i;

	for (i = 0; i < m->nparts; i++)
		zmq_msg_close(&m->part[i]);
	m->nparts = 0;
}

int
router_send(void *sock, const uint8_t *rid, size_t rid_len, const struct frame *f,
    const uint8_t *env, size_t env_len)
{
	uint8_t head[FRAME_HEAD_BYTES], body[FRAME_MAX_BODY];
	struct status st;
	size_t len;
	int last = env != NULL ? ZMQ_SNDMORE : 0;

	frame_head_encode(f->command, head);
	if (frame_body_encode(f, body, sizeof(body), &len, &st) == -1) {
		errno = EINVAL;	/* a broker bug: its own frame does not encode */
		return -1;
	}
	/* With ROUTER_MANDATORY only the first frame can fail: the rest of
	 * the message then goes whole to the same pipe. */
	if (zmq_send(sock, rid, rid_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) == -1)
		return -1;
	if (zmq_send(sock, head, sizeof(head), ZMQ_SNDMORE | ZMQ_DONTWAIT) == -1 ||
	    zmq_send(sock, body, len, last | ZMQ_DONTWAIT) == -1 ||
	    (env != NULL && zmq_send(sock, env, env_len, ZMQ_DONTWAIT) == -1))
		return -1;
	return 0;
}

int
router_rid_is_auto(const uint8_t *rid, size_t rid_len)
{
	return rid_len == ROUTER_RID_AUTO_BYTES && rid[0] == 0;
}
