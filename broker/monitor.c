/* SPDX-License-Identifier: ISC */
/*
 * monitor: reading the ROUTER's monitor socket (see monitor.h).  An event
 * is two frames: 6 bytes (event number, uint16, and value, uint32, in host
 * order) and the endpoint.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <zmq.h>

#include "broker/monitor.h"
#include "common/log.h"

#define EVENT_FRAME_BYTES 6
#define WATCHED (ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_ACCEPT_FAILED | ZMQ_EVENT_DISCONNECTED | \
	ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | \
	ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)

int
monitor_open(void *ctx, void *router, void **out, struct status *st)
{
	int linger = 0;

	*out = NULL;
	if (zmq_socket_monitor(router, MONITOR_ENDPOINT, WATCHED) == -1 ||
	    (*out = zmq_socket(ctx, ZMQ_PAIR)) == NULL ||
	    zmq_setsockopt(*out, ZMQ_LINGER, &linger, sizeof(linger)) == -1 ||
	    zmq_connect(*out, MONITOR_ENDPOINT) == -1) {
		status_set(st, STATUS_UNAVAILABLE, "socket monitor on %s: %s", MONITOR_ENDPOINT,
		    zmq_strerror(zmq_errno()));
		if (*out != NULL)
			zmq_close(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

static void
audit_push(struct auditq *aq, struct stats *s, const char *event, const char *agency,
    const char *detail)
{
	if (auditq_push(aq, event, agency, NULL, "%s", detail) == -1)
		stats_inc(s, STATS_AUDIT_LOST);
}

static void
handshake(uint16_t event, uint32_t value, struct zap *z, struct auditq *aq, struct stats *s)
{
	struct zap_decision d;
	char detail[AUDITQ_DETAIL_MAX];
	bool ok = event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED;
	const char *kind = ok ? "ok" :
	    event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH ? "refused by ZAP" :
	    event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL ? "protocol error" : "failed";

	/* Only ok and auth failures went through the ZAP handler. */
	if ((ok || event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) && zap_take(z, ok, &d) == 0) {
		snprintf(detail, sizeof(detail), "address=%s key=%s %s", d.address, d.fingerprint,
		    kind);
	} else {
		memset(&d, 0, sizeof(d));
		snprintf(detail, sizeof(detail), "address=unknown key=unknown %s (code %u)", kind,
		    value);
	}
	if (ok) {
		stats_inc(s, STATS_HANDSHAKES_OK);
		log_event(LOG_LEVEL_INFO, d.agency[0] != '\0' ? d.agency : NULL, NULL,
		    "handshake-ok", "%s", detail);
		audit_push(aq, s, "handshake-ok", d.agency[0] != '\0' ? d.agency : NULL, detail);
	} else {
		stats_inc(s, STATS_HANDSHAKES_FAILED);
		log_event(LOG_LEVEL_WARN, NULL, NULL, "handshake-failed", "%s", detail);
		audit_push(aq, s, "handshake-failed", NULL, detail);
	}
}

void
monitor_handle(void *sock, struct zap *z, struct auditq *aq, struct stats *s)
{
	zmq_msg_t f;
	uint8_t head[EVENT_FRAME_BYTES];
	uint16_t event;
	uint32_t value;
	size_t n;

	for (;;) {
		zmq_msg_init(&f);
		if (zmq_msg_recv(&f, sock, ZMQ_DONTWAIT) == -1) {
			zmq_msg_close(&f);
			return;
		}
		n = zmq_msg_size(&f);
		memset(head, 0, sizeof(head));
		memcpy(head, zmq_msg_data(&f), n < sizeof(head) ? n : sizeof(head));
		/* The endpoint frame (and anything else) is not needed. */
		while (zmq_msg_more(&f)) {
			zmq_msg_close(&f);
			zmq_msg_init(&f);
			if (zmq_msg_recv(&f, sock, 0) == -1)
				break;
		}
		zmq_msg_close(&f);
		memcpy(&event, head, sizeof(event));
		memcpy(&value, head + sizeof(event), sizeof(value));
		switch (event) {
		case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
		case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
		case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
		case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
			handshake(event, value, z, aq, s);
			break;
		case ZMQ_EVENT_ACCEPT_FAILED:
			/* Out of file descriptors: connections are being refused. */
			log_event(LOG_LEVEL_WARN, NULL, NULL, "accept-failed",
			    "cannot accept a connection: %s; raise LimitNOFILE",
			    zmq_strerror((int)value));
			break;
		default:
			log_event(LOG_LEVEL_DEBUG, NULL, NULL,
			    event == ZMQ_EVENT_ACCEPTED ? "accepted-tcp" : "disconnected", "fd=%u",
			    value);
			break;
		}
	}
}
