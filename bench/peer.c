/* SPDX-License-Identifier: ISC */
/*
 * peer: an in-process agency on the real protocol (see peer.h).  Every
 * send is ZMQ_DONTWAIT: the benchmark's one thread drives many peers and
 * must never block on one.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <zmq.h>

#include "bench/peer.h"
#include "proto/envelope.h"
#include "tests/support/testclient/tc.h"

#define SUMMARY_MAX 64

int
peer_open(struct peer *p, void *ctx, const char *endpoint, const struct keyfile *k,
    const struct directory *d, struct status *st)
{
	int zero = 0, hwm = PEER_HWM, ivl = PEER_HANDSHAKE_IVL_MS;

	memset(p, 0, sizeof(*p));
	p->k = k;
	p->d = d;
	if ((p->buf = malloc(TC_ENVELOPE_MAX)) == NULL)
		return status_set(st, STATUS_STORE_FAILED, "out of memory");
	if ((p->sock = zmq_socket(ctx, ZMQ_DEALER)) == NULL) {
		status_set(st, STATUS_UNAVAILABLE, "zmq_socket: %s (too many sockets? raise "
		    "ZMQ_MAX_SOCKETS)", zmq_strerror(zmq_errno()));
		goto fail;
	}
	zmq_setsockopt(p->sock, ZMQ_LINGER, &zero, sizeof(zero));
	zmq_setsockopt(p->sock, ZMQ_SNDHWM, &hwm, sizeof(hwm));
	zmq_setsockopt(p->sock, ZMQ_RCVHWM, &hwm, sizeof(hwm));
	zmq_setsockopt(p->sock, ZMQ_HANDSHAKE_IVL, &ivl, sizeof(ivl));
	zmq_setsockopt(p->sock, ZMQ_CURVE_SERVERKEY, d->broker.curve_pk, DIRECTORY_CURVE_PKBYTES);
	zmq_setsockopt(p->sock, ZMQ_CURVE_PUBLICKEY, k->curve_pk, KEYFILE_CURVE_PKBYTES);
	zmq_setsockopt(p->sock, ZMQ_CURVE_SECRETKEY, k->curve_sk, KEYFILE_CURVE_SKBYTES);
	if (zmq_connect(p->sock, endpoint) != 0) {
		status_set(st, STATUS_UNAVAILABLE, "connect %s: %s", endpoint,
		    zmq_strerror(zmq_errno()));
		goto fail;
	}
	return 0;
fail:
	peer_close(p);
	return -1;
}

void
peer_close(struct peer *p)
{
	if (p->sock != NULL)
		zmq_close(p->sock);
	free(p->buf);
	p->sock = NULL;
	p->buf = NULL;
}

/* Sends f's head and body, and env as a third frame if env. */
static int
send_command(struct peer *p, const struct frame *f, const uint8_t *env, size_t len)
{
	uint8_t head[FRAME_HEAD_BYTES], body[FRAME_MAX_BODY];
	struct status st;
	size_t blen;

	frame_head_encode(f->command, head);
	if (frame_body_encode(f, body, sizeof(body), &blen, &st) != 0)
		return -1;
	/* The first frame decides: once it is taken, ZeroMQ takes the rest. */
	if (zmq_send(p->sock, head, sizeof(head), ZMQ_SNDMORE | ZMQ_DONTWAIT) == -1)
		return -1;
	if (zmq_send(p->sock, body, blen, env != NULL ? ZMQ_SNDMORE : 0) == -1)
		return -1;
	if (env != NULL && zmq_send(p->sock, env, len, 0) == -1)
		return -1;
	return 0;
}

int
peer_hello(struct peer *p, uint32_t window)
{
	struct frame f;

	memset(&f, 0, sizeof(f));
	f.command = FRAME_HELLO;
	memcpy(f.agency, p->k->id, sizeof(f.agency));
	f.window = window;
	return send_command(p, &f, NULL, 0);
}

int
peer_send(struct peer *p, const uint8_t *env, size_t len)
{
	struct frame f;

	memset(&f, 0, sizeof(f));
	f.command = FRAME_SEND;
	return send_command(p, &f, env, len);
}

/* A DELIVER: a receipt for one of ours is ACKed; a message to us is
 * verified and opened, and receipted. */
static void
on_deliver(struct peer *p, const struct frame *f, const uint8_t *env, size_t len)
{
	char summary[SUMMARY_MAX];
	struct envelope e;
	struct frame a;
	struct status st;
	size_t rlen;

	memset(&a, 0, sizeof(a));
	a.seq = f->seq;
	if (envelope_decode(env, len, &e, &st) != 0) {
		p->bad++;
		return;
	}
	if (e.h.type == ENVELOPE_RECEIPT || e.h.type == ENVELOPE_ESCALATION) {
		a.command = FRAME_ACK;
		if (send_command(p, &a, NULL, 0) == 0 && e.h.type == ENVELOPE_RECEIPT)
			p->receipts++;
		return;
	}
	if (tc_build_open(p->k, p->d, &e, summary, sizeof(summary), &st) != 0 ||
	    tc_build_receipt(p->k, p->d, &e, env, len, p->buf, &rlen, &st) != 0) {
		p->bad++;
		return;
	}
	a.command = FRAME_RECEIPT;
	if (send_command(p, &a, p->buf, rlen) == 0)
		p->delivered++;
}

/* Takes one whole ZeroMQ message and acts on it: 1, or 0 if none. */
static int
one(struct peer *p)
{
	zmq_msg_t part[FRAME_MAX_PARTS], extra;
	struct frame f, pong;
	struct status st;
	uint8_t command;
	int n = 0, more = 1, i;

	while (more) {
		zmq_msg_t *m = n < FRAME_MAX_PARTS ? &part[n] : &extra;

		zmq_msg_init(m);
		if (zmq_msg_recv(m, p->sock, n == 0 ? ZMQ_DONTWAIT : 0) == -1) {
			zmq_msg_close(m);
			if (n == 0)
				return 0;
			break;
		}
		more = zmq_msg_more(m);
		if (m == &extra)
			zmq_msg_close(m);	/* too many frames: counted bad below */
		else
			n++;
	}
	if (n < 2 || frame_head_decode(zmq_msg_data(&part[0]), zmq_msg_size(&part[0]), &command,
		&st) != 0 ||
	    frame_body_decode(command, zmq_msg_data(&part[1]), zmq_msg_size(&part[1]), &f, &st)
		!= 0) {
		p->bad++;
		goto out;
	}
	switch (command) {
	case FRAME_WELCOME:
		p->welcomed = 1;
		break;
	case FRAME_RESULT:
		if (f.code == STATUS_ACCEPTED || f.code == STATUS_DELIVERED)
			p->accepted++;
		else if (f.code >= STATUS_UNAVAILABLE) {
			p->refused++;
			p->last_code = f.code;
		}
		break;
	case FRAME_DELIVER:
		if (n == FRAME_MAX_PARTS)
			on_deliver(p, &f, zmq_msg_data(&part[2]), zmq_msg_size(&part[2]));
		break;
	case FRAME_OUTCOME:
		memset(&pong, 0, sizeof(pong));
		pong.command = FRAME_ACK;
		pong.seq = f.seq;
		send_command(p, &pong, NULL, 0);
		break;
	case FRAME_PING:
		memset(&pong, 0, sizeof(pong));
		pong.command = FRAME_PONG;
		pong.time_ms = f.time_ms;
		send_command(p, &pong, NULL, 0);
		break;
	case FRAME_ERROR:
		p->refused++;
		p->last_code = f.code;
		break;
	default:
		break;
	}
out:
	for (i = 0; i < n; i++)
		zmq_msg_close(&part[i]);
	return 1;
}

int
peer_pump(struct peer *p)
{
	int n = 0;

	while (one(p))
		n++;
	return n;
}
