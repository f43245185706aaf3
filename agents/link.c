/* SPDX-License-Identifier: ISC */
/*
 * link: the DEALER to the broker and its monitor (see link.h).
 *
 * DESIGN: every send is ZMQ_DONTWAIT.  With ZMQ_IMMEDIATE=1 a message is
 * only queued on a connection whose handshake is done, so "not connected"
 * is an immediate EAGAIN and the message simply stays in the outbox; what
 * was queued on a connection that then dies is lost by ZeroMQ, and the
 * outbox's retry (same bytes) covers it.  ZeroMQ is never trusted with
 * durability.  The monitor is the only way a CURVE client learns that the
 * broker refused its key, so its events drive the state shown to people.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <zmq.h>

#include "agents/link.h"
#include "common/backoff.h"
#include "common/clock.h"
#include "common/log.h"
#include "config/rfc3339.h"

/* A monitor event's first frame: uint16 event, uint32 value. */
#define MONITOR_EVENT_BYTES 6
#define MONITOR_ENDPOINT_MAX 256
#define MONITOR_EVENTS \
	(ZMQ_EVENT_CONNECTED | ZMQ_EVENT_DISCONNECTED | ZMQ_EVENT_HANDSHAKE_SUCCEEDED | \
	    ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | \
	    ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL)

struct link {
	void *sock;
	void *mon;
	char agency[IDS_AGENCY_MAX + 1];
	char *endpoint;
	uint32_t window;
	uint64_t heartbeat_ms;
	enum link_state state;
	uint64_t heard_mono;		/* last message from the broker */
	uint64_t hello_mono;		/* last HELLO sent */
	int hello_failed;		/* ZeroMQ did not take the last HELLO */
	uint64_t retry_initial_ms;	/* reconnect backoff after a failed handshake */
	uint64_t retry_max_ms;
	unsigned failures;		/* handshakes failed in a row */
	uint64_t reconnect_mono;	/* when to connect again; 0: not needed */
	char text[LINK_STATE_TEXT_MAX];
};

static int
opt_int(void *s, int opt, int v, const char *name, struct status *st)
{
	if (zmq_setsockopt(s, opt, &v, sizeof(v)) != 0)
		return status_set(st, STATUS_UNAVAILABLE, "ZeroMQ refused %s=%d: %s", name, v,
		    zmq_strerror(zmq_errno()));
	return 0;
}

static void
set_text(struct link *l, enum link_state state, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
set_text(struct link *l, enum link_state state, const char *fmt, ...)
{
	va_list ap;

	l->state = state;
	va_start(ap, fmt);
	vsnprintf(l->text, sizeof(l->text), fmt, ap);
	va_end(ap);
}

static int
configure(struct link *l, const struct settings_agent *s, const struct keyfile *k,
    const uint8_t broker_pk[DIRECTORY_CURVE_PKBYTES], struct status *st)
{
	int initial = (int)s->retry_initial_ms, max = (int)s->retry_max_ms, ivl;

	if (max > LINK_RECONNECT_MAX_MS)
		max = LINK_RECONNECT_MAX_MS;
	if (max < initial)
		max = initial;
	/* Jitter: agents started together do not reconnect together. */
	ivl = (int)backoff_ms((uint64_t)initial, (uint64_t)initial, 1, randombytes_random());
	if (ivl < 1)
		ivl = 1;
	if (zmq_setsockopt(l->sock, ZMQ_CURVE_SERVERKEY, broker_pk, DIRECTORY_CURVE_PKBYTES) != 0 ||
	    zmq_setsockopt(l->sock, ZMQ_CURVE_PUBLICKEY, k->curve_pk, KEYFILE_CURVE_PKBYTES) != 0 ||
	    zmq_setsockopt(l->sock, ZMQ_CURVE_SECRETKEY, k->curve_sk, KEYFILE_CURVE_SKBYTES) != 0)
		return status_set(st, STATUS_UNAVAILABLE, "ZeroMQ refused the CURVE keys: %s",
		    zmq_strerror(zmq_errno()));
	if (opt_int(l->sock, ZMQ_IMMEDIATE, 1, "ZMQ_IMMEDIATE", st) != 0 ||
	    opt_int(l->sock, ZMQ_LINGER, 0, "ZMQ_LINGER", st) != 0 ||
	    opt_int(l->sock, ZMQ_SNDHWM, LINK_HWM, "ZMQ_SNDHWM", st) != 0 ||
	    opt_int(l->sock, ZMQ_RCVHWM, LINK_HWM, "ZMQ_RCVHWM", st) != 0 ||
	    opt_int(l->sock, ZMQ_RECONNECT_IVL, ivl, "ZMQ_RECONNECT_IVL", st) != 0 ||
	    opt_int(l->sock, ZMQ_RECONNECT_IVL_MAX, max, "ZMQ_RECONNECT_IVL_MAX", st) != 0 ||
	    opt_int(l->sock, ZMQ_HANDSHAKE_IVL, LINK_HANDSHAKE_IVL_MS, "ZMQ_HANDSHAKE_IVL", st) != 0 ||
	    opt_int(l->sock, ZMQ_HEARTBEAT_IVL, (int)s->heartbeat_ms, "ZMQ_HEARTBEAT_IVL", st) != 0 ||
	    opt_int(l->sock, ZMQ_HEARTBEAT_TIMEOUT, (int)s->heartbeat_ms * LINK_HEARTBEAT_TIMEOUT_FACTOR,
		"ZMQ_HEARTBEAT_TIMEOUT", st) != 0 ||
	    opt_int(l->sock, ZMQ_HEARTBEAT_TTL, (int)s->heartbeat_ms * LINK_HEARTBEAT_TTL_FACTOR,
		"ZMQ_HEARTBEAT_TTL", st) != 0)
		return -1;
	{
		int64_t maxmsg = ENVELOPE_MAX_BYTES + LINK_MAXMSG_SLACK;

		if (zmq_setsockopt(l->sock, ZMQ_MAXMSGSIZE, &maxmsg, sizeof(maxmsg)) != 0)
			return status_set(st, STATUS_UNAVAILABLE, "ZeroMQ refused ZMQ_MAXMSGSIZE: %s",
			    zmq_strerror(zmq_errno()));
	}
	return 0;
}

struct link *
link_new(void *zctx, const struct settings_agent *s, const struct keyfile *k,
    const uint8_t broker_pk[DIRECTORY_CURVE_PKBYTES], struct status *st)
{
	struct link *l = calloc(1, sizeof(*l));

	if (l == NULL) {
		status_set(st, STATUS_UNAVAILABLE, "out of memory");
		return NULL;
	}
	snprintf(l->agency, sizeof(l->agency), "%s", s->agency);
	l->window = (uint32_t)s->window;
	l->heartbeat_ms = (uint64_t)s->heartbeat_ms;
	l->retry_initial_ms = (uint64_t)s->retry_initial_ms;
	l->retry_max_ms = (uint64_t)s->retry_max_ms < LINK_RECONNECT_MAX_MS ?
	    (uint64_t)s->retry_max_ms : LINK_RECONNECT_MAX_MS;
	if ((l->endpoint = strdup(s->broker_endpoint)) == NULL) {
		status_set(st, STATUS_UNAVAILABLE, "out of memory");
		goto fail;
	}
	if ((l->sock = zmq_socket(zctx, ZMQ_DEALER)) == NULL ||
	    (l->mon = zmq_socket(zctx, ZMQ_PAIR)) == NULL) {
		status_set(st, STATUS_UNAVAILABLE, "cannot create ZeroMQ sockets: %s",
		    zmq_strerror(zmq_errno()));
		goto fail;
	}
	if (configure(l, s, k, broker_pk, st) != 0)
		goto fail;
	if (zmq_socket_monitor(l->sock, LINK_MONITOR_ENDPOINT, MONITOR_EVENTS) != 0 ||
	    opt_int(l->mon, ZMQ_LINGER, 0, "ZMQ_LINGER", st) != 0 ||
	    zmq_connect(l->mon, LINK_MONITOR_ENDPOINT) != 0) {
		status_set(st, STATUS_UNAVAILABLE, "cannot monitor the broker connection: %s",
		    zmq_strerror(zmq_errno()));
		goto fail;
	}
	if (zmq_connect(l->sock, l->endpoint) != 0) {
		status_set(st, STATUS_BAD_FIELD,
		    "broker_endpoint '%s' is refused by ZeroMQ: %s; fix agents/%s.conf", l->endpoint,
		    zmq_strerror(zmq_errno()), s->agency);
		goto fail;
	}
	set_text(l, LINK_CONNECTING, "connecting to the broker at %s", l->endpoint);
	return l;
fail:
	link_destroy(&l);
	return NULL;
}

void
link_destroy(struct link **lp)
{
	struct link *l = *lp;

	if (l == NULL)
		return;
	if (l->sock != NULL) {
		zmq_socket_monitor(l->sock, NULL, 0);
		zmq_close(l->sock);
	}
	if (l->mon != NULL)
		zmq_close(l->mon);
	free(l->endpoint);
	free(l);
	*lp = NULL;
}

void *
link_socket(struct link *l)
{
	return l->sock;
}

void *
link_monitor(struct link *l)
{
	return l->mon;
}

enum link_state
link_state(const struct link *l)
{
	return l->state;
}

const char *
link_state_text(const struct link *l)
{
	return l->text;
}

static void
send_hello(struct link *l)
{
	struct frame f;

	memset(&f, 0, sizeof(f));
	f.command = FRAME_HELLO;
	memcpy(f.agency, l->agency, sizeof(f.agency));
	f.window = l->window;
	l->hello_mono = clock_mono_ms();
	l->hello_failed = link_send(l, &f, NULL, 0) != 0;
	if (l->hello_failed)
		log_event(LOG_LEVEL_DEBUG, l->agency, NULL, "hello", "could not send HELLO yet");
}

/* libzmq (4.3) ends a session whose handshake failed and does not
 * reconnect it (a protocol error, unlike a refused TCP connection): the
 * link connects again itself, backing off with jitter. */
static void
schedule_reconnect(struct link *l)
{
	l->reconnect_mono = clock_mono_ms() +
	    backoff_ms(l->retry_initial_ms, l->retry_max_ms, l->failures, randombytes_random());
}

static void
reconnect(struct link *l)
{
	l->reconnect_mono = 0;
	/* The old session is gone; disconnect only clears what is left. */
	zmq_disconnect(l->sock, l->endpoint);
	if (zmq_connect(l->sock, l->endpoint) != 0)
		log_event(LOG_LEVEL_WARN, l->agency, NULL, "connect-failed", "%s: %s", l->endpoint,
		    zmq_strerror(zmq_errno()));
	else
		log_event(LOG_LEVEL_DEBUG, l->agency, NULL, "reconnect", "%s", l->endpoint);
}

static void
on_event(struct link *l, uint16_t event, uint32_t value)
{
	char now[RFC3339_LEN];

	rfc3339_format(clock_now_ms(), now);
	switch (event) {
	case ZMQ_EVENT_CONNECTED:
		log_event(LOG_LEVEL_DEBUG, l->agency, NULL, "connected", "%s", l->endpoint);
		break;
	case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
		set_text(l, LINK_CONNECTED, "connected to the broker at %s since %s", l->endpoint,
		    now);
		log_event(LOG_LEVEL_INFO, l->agency, NULL, "handshake-ok", "%s", l->endpoint);
		l->failures = 0;
		l->reconnect_mono = 0;
		l->heard_mono = clock_mono_ms();
		send_hello(l);
		break;
	case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
		set_text(l, LINK_REJECTED,
		    "rejected by broker: it refused this agency's CURVE key (status %u) at %s; "
		    "check that directory.conf lists the public keys of %s's key file", value, now,
		    l->agency);
		log_event(LOG_LEVEL_WARN, l->agency, NULL, "rejected-by-broker",
		    "the broker at %s refused our CURVE key (status %u)", l->endpoint, value);
		l->failures++;
		schedule_reconnect(l);
		break;
	case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
	case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
		/* A refused key stays the explanation until a handshake works. */
		if (l->state != LINK_REJECTED)
			set_text(l, LINK_CONNECTING,
			    "connecting: the handshake with %s failed (event %u, %u) at %s; check the "
			    "broker's curve_pk in directory.conf", l->endpoint, event, value, now);
		log_event(LOG_LEVEL_WARN, l->agency, NULL, "handshake-failed",
		    "handshake with %s failed (event %u, value %u)", l->endpoint, event, value);
		l->failures++;
		schedule_reconnect(l);
		break;
	case ZMQ_EVENT_DISCONNECTED:
		if (l->state != LINK_REJECTED)
			set_text(l, LINK_CONNECTING,
			    "connecting: the connection to %s dropped at %s; reconnecting", l->endpoint,
			    now);
		log_event(LOG_LEVEL_INFO, l->agency, NULL, "disconnected", "%s", l->endpoint);
		break;
	default:
		break;
	}
}

void
link_on_monitor(struct link *l)
{
	uint8_t ev[MONITOR_EVENT_BYTES];
	char addr[MONITOR_ENDPOINT_MAX];
	uint16_t event;
	uint32_t value;
	int n;

	for (;;) {
		n = zmq_recv(l->mon, ev, sizeof(ev), ZMQ_DONTWAIT);
		if (n < 0)
			return;
		/* The second frame (the endpoint) always follows. */
		if (zmq_recv(l->mon, addr, sizeof(addr), 0) < 0 || n != MONITOR_EVENT_BYTES)
			continue;
		memcpy(&event, ev, sizeof(event));
		memcpy(&value, ev + sizeof(event), sizeof(value));
		on_event(l, event, value);
	}
}

/* Discards the rest of a multipart message. */
static void
drain(void *sock)
{
	int more;
	size_t sz = sizeof(more);
	zmq_msg_t part;

	for (;;) {
		if (zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &sz) != 0 || !more)
			return;
		zmq_msg_init(&part);
		zmq_msg_recv(&part, sock, 0);
		zmq_msg_close(&part);
	}
}

static int
recv_part(void *sock, zmq_msg_t *part, int flags)
{
	zmq_msg_init(part);
	if (zmq_msg_recv(part, sock, flags) < 0) {
		zmq_msg_close(part);
		return -1;
	}
	return 0;
}

static int
more(void *sock)
{
	int m = 0;
	size_t sz = sizeof(m);

	zmq_getsockopt(sock, ZMQ_RCVMORE, &m, &sz);
	return m;
}

/* Acts on the session commands; the caller sees them too. */
static void
on_session(struct link *l, const struct link_msg *m)
{
	struct frame pong;

	switch (m->f.command) {
	case FRAME_WELCOME:
		if (l->state != LINK_READY)
			log_event(LOG_LEVEL_INFO, l->agency, NULL, "ready",
			    "session with the broker at %s", l->endpoint);
		set_text(l, LINK_READY, "connected to the broker at %s", l->endpoint);
		break;
	case FRAME_PING:
		memset(&pong, 0, sizeof(pong));
		pong.command = FRAME_PONG;
		pong.time_ms = m->f.time_ms;
		link_send(l, &pong, NULL, 0);
		break;
	case FRAME_ERROR:
		log_event(LOG_LEVEL_WARN, l->agency, NULL, "broker-error", "%u %s: %s", m->f.code,
		    status_name(m->f.code), m->f.text);
		break;
	default:
		break;
	}
}

int
link_recv(struct link *l, struct link_msg *m)
{
	struct status st;
	zmq_msg_t head, body, env;
	uint8_t command;
	int parts, ret = -1;

	memset(m, 0, sizeof(*m));
	if (recv_part(l->sock, &head, ZMQ_DONTWAIT) != 0)
		return 0;
	l->heard_mono = clock_mono_ms();
	if (frame_head_decode(zmq_msg_data(&head), zmq_msg_size(&head), &command, &st) != 0) {
		log_event(LOG_LEVEL_WARN, l->agency, NULL, "bad-frame", "%s", st.text);
		zmq_msg_close(&head);
		drain(l->sock);
		return -1;
	}
	zmq_msg_close(&head);
	parts = frame_parts(command);
	if (!more(l->sock) || recv_part(l->sock, &body, 0) != 0) {
		log_event(LOG_LEVEL_WARN, l->agency, NULL, "bad-frame", "%s without a body",
		    frame_command_name(command));
		return -1;
	}
	if (frame_body_decode(command, zmq_msg_data(&body), zmq_msg_size(&body), &m->f, &st) != 0) {
		log_event(LOG_LEVEL_WARN, l->agency, NULL, "bad-frame", "%s: %s",
		    frame_command_name(command), st.text);
		zmq_msg_close(&body);
		drain(l->sock);
		return -1;
	}
	zmq_msg_close(&body);
	m->f.command = command;
	if (parts == FRAME_MAX_PARTS) {
		if (!more(l->sock) || recv_part(l->sock, &env, 0) != 0)
			goto bad_parts;
		m->len = zmq_msg_size(&env);
		if ((m->envelope = malloc(m->len ? m->len : 1)) == NULL) {
			zmq_msg_close(&env);
			drain(l->sock);
			log_event(LOG_LEVEL_WARN, l->agency, NULL, "dropped", "out of memory");
			return -1;
		}
		memcpy(m->envelope, zmq_msg_data(&env), m->len);
		zmq_msg_close(&env);
	}
	if (more(l->sock))
		goto bad_parts;
	on_session(l, m);
	return 1;
bad_parts:
	log_event(LOG_LEVEL_WARN, l->agency, NULL, "bad-frame", "%s with the wrong number of frames",
	    frame_command_name(command));
	drain(l->sock);
	link_msg_clear(m);
	return ret;
}

void
link_msg_clear(struct link_msg *m)
{
	free(m->envelope);
	m->envelope = NULL;
	m->len = 0;
}

int
link_send(struct link *l, const struct frame *f, const uint8_t *envelope, size_t len)
{
	uint8_t head[FRAME_HEAD_BYTES], body[FRAME_MAX_BODY];
	struct status st;
	size_t blen;
	int last = envelope == NULL ? 0 : ZMQ_SNDMORE;

	frame_head_encode(f->command, head);
	if (frame_body_encode(f, body, sizeof(body), &blen, &st) != 0) {
		log_event(LOG_LEVEL_WARN, l->agency, NULL, "bad-frame", "cannot encode %s: %s",
		    frame_command_name(f->command), st.text);
		return -1;
	}
	/* Only the first part can fail: ZeroMQ takes a multipart whole. */
	if (zmq_send(l->sock, head, sizeof(head), ZMQ_DONTWAIT | ZMQ_SNDMORE) < 0)
		return -1;
	if (zmq_send(l->sock, body, blen, ZMQ_DONTWAIT | last) < 0)
		return -1;
	if (envelope != NULL && zmq_send(l->sock, envelope, len, ZMQ_DONTWAIT) < 0)
		return -1;
	return 0;
}

uint64_t
link_tick(struct link *l)
{
	uint64_t now = clock_mono_ms(), quiet, since_hello;

	if (l->reconnect_mono != 0) {
		if (now >= l->reconnect_mono)
			reconnect(l);
		else
			return l->reconnect_mono - now;
	}
	if (l->state != LINK_CONNECTED && l->state != LINK_READY)
		return l->heartbeat_ms;
	quiet = now - l->heard_mono;
	since_hello = now - l->hello_mono;
	/* A HELLO ZeroMQ did not take (the pipe was not attached yet). */
	if (l->hello_failed && l->state == LINK_CONNECTED) {
		if (since_hello < LINK_HELLO_RETRY_MS)
			return LINK_HELLO_RETRY_MS - since_hello;
		send_hello(l);
		return LINK_HELLO_RETRY_MS;
	}
	if (quiet >= l->heartbeat_ms && since_hello >= l->heartbeat_ms) {
		send_hello(l);
		return l->heartbeat_ms;
	}
	quiet = quiet >= l->heartbeat_ms ? l->heartbeat_ms - since_hello :
	    l->heartbeat_ms - quiet;
	return quiet;
}
