/* SPDX-License-Identifier: ISC */
/*
 * tc_io: the test client's socket and what it prints (see tc_io.h).  The
 * DEALER sets no routing id unless told, as PROTOCOL.md §7.1 requires of
 * agents; told, it sets one, which is how the tests try to take over
 * another agency's mailbox.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <zmq.h>

#include "common/clock.h"
#include "config/conf.h"
#include "config/settings.h"
#include "proto/envelope.h"
#include "tests/support/testclient/tc.h"
#include "tests/support/testclient/tc_io.h"

#define TC_MONITOR "inproc://dutynet-testclient-monitor"
#define TC_LINGER_MS 2000
#define LINE_MAX_LEN 1024
#define KEY_PATH_MAX 4096

static int
matches(const struct tc_expect *e, const char *cmd, int code, const char *text)
{
	return (e->cmd == NULL || strcmp(e->cmd, cmd) == 0) && (e->code == 0 || e->code == code) &&
	    (e->text == NULL || strstr(text, e->text) != NULL);
}

/* Keeps a line no wait has taken, for a later wait to count. */
static void
keep(struct tc_io *io, const char *cmd, int code, const char *text)
{
	char **grown, *line;
	size_t cap;

	if (io->nbacklog == io->capbacklog) {
		cap = io->capbacklog == 0 ? 64 : io->capbacklog * 2;
		if ((grown = realloc(io->backlog, cap * sizeof(*grown))) == NULL)
			return;
		io->backlog = grown;
		io->capbacklog = cap;
	}
	if (asprintf(&line, "%s %d %s", cmd, code, text) != -1)
		io->backlog[io->nbacklog++] = line;
}

/* An expectation still open that this line fulfils (one more of them). */
static int
consumes(const struct tc_expect *e, const char *cmd, int code, const char *text)
{
	return e != NULL && e->count > 0 && e->seen < e->count && matches(e, cmd, code, text);
}

/* Prints one line; it fulfils e, or is kept for a later wait. */
static void __attribute__((format(printf, 5, 6)))
emit(struct tc_io *io, struct tc_expect *e, const char *cmd, int code, const char *fmt, ...)
{
	char text[LINE_MAX_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	printf("%s %d %s\n", cmd, code, text);
	if (consumes(e, cmd, code, text))
		e->seen++;
	else
		keep(io, cmd, code, text);
}

/* Lets e consume the kept lines it matches; the others stay kept. */
static void
replay(struct tc_io *io, struct tc_expect *e)
{
	char cmd[LINE_MAX_LEN], *sp, *text;
	size_t i, n = 0;
	int code;

	for (i = 0; i < io->nbacklog; i++) {
		snprintf(cmd, sizeof(cmd), "%s", io->backlog[i]);
		if ((sp = strchr(cmd, ' ')) != NULL) {
			*sp = '\0';
			code = atoi(sp + 1);
			text = strchr(sp + 1, ' ');
			if (consumes(e, cmd, code, text != NULL ? text + 1 : "")) {
				e->seen++;
				free(io->backlog[i]);
				continue;
			}
		}
		io->backlog[n++] = io->backlog[i];
	}
	io->nbacklog = n;
}

static int
keys(struct tc_io *io, const struct tc_io_config *cfg, uint8_t pk[32], uint8_t sk[32])
{
	char path[KEY_PATH_MAX];
	struct status st;

	if (cfg->random_key) {
		crypto_box_keypair(pk, sk);
		snprintf(io->agency, sizeof(io->agency), "nobody");
		return 0;
	}
	if (cfg->key != NULL)
		snprintf(path, sizeof(path), "%s", cfg->key);
	else if (cfg->agency != NULL)
		snprintf(path, sizeof(path), "%s/keys/%s.key", cfg->config, cfg->agency);
	else
		return -1;
	if (keyfile_load(path, &io->k, &st) == -1) {
		fprintf(stderr, "testclient: %s\n", st.text);
		return -1;
	}
	snprintf(io->agency, sizeof(io->agency), "%s", io->k->id);
	memcpy(pk, io->k->curve_pk, 32);
	memcpy(sk, io->k->curve_sk, 32);
	return 0;
}

int
tc_io_open(struct tc_io *io, const struct tc_io_config *cfg)
{
	struct conf_errors *errs = conf_errors_new();
	struct settings_broker *sb = NULL;
	uint8_t pk[32], sk[32];
	int linger = TC_LINGER_MS, ret = -1;

	memset(io, 0, sizeof(*io));
	io->timeout_ms = cfg->timeout_ms;
	if (seal_init() == -1 || errs == NULL || (io->rbuf = malloc(TC_ENVELOPE_MAX)) == NULL ||
	    (io->d = directory_load(cfg->config, errs)) == NULL ||
	    (cfg->endpoint == NULL && (sb = settings_broker_load(cfg->config, errs)) == NULL)) {
		fprintf(stderr, "testclient: cannot load %s (%s)\n", cfg->config,
		    errs != NULL && conf_errors_count(errs) > 0 ? conf_errors_get(errs, 0) : "?");
		goto out;
	}
	if (keys(io, cfg, pk, sk) == -1)
		goto out;
	io->ctx = zmq_ctx_new();
	io->sock = zmq_socket(io->ctx, ZMQ_DEALER);
	zmq_setsockopt(io->sock, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(io->sock, ZMQ_SNDTIMEO, &io->timeout_ms, sizeof(io->timeout_ms));
	zmq_setsockopt(io->sock, ZMQ_CURVE_SERVERKEY, io->d->broker.curve_pk, 32);
	zmq_setsockopt(io->sock, ZMQ_CURVE_PUBLICKEY, pk, 32);
	zmq_setsockopt(io->sock, ZMQ_CURVE_SECRETKEY, sk, 32);
	sodium_memzero(sk, sizeof(sk));
	if (cfg->routing_id != NULL)
		zmq_setsockopt(io->sock, ZMQ_ROUTING_ID, cfg->routing_id, strlen(cfg->routing_id));
	zmq_socket_monitor(io->sock, TC_MONITOR, ZMQ_EVENT_ALL);
	io->mon = zmq_socket(io->ctx, ZMQ_PAIR);
	zmq_connect(io->mon, TC_MONITOR);
	if (zmq_connect(io->sock, cfg->endpoint != NULL ? cfg->endpoint : sb->endpoint) == -1) {
		fprintf(stderr, "testclient: connect: %s\n", zmq_strerror(zmq_errno()));
		goto out;
	}
	ret = 0;
out:
	settings_broker_destroy(&sb);
	conf_errors_destroy(&errs);
	return ret;
}

void
tc_io_close(struct tc_io *io)
{
	if (io->sock != NULL) {
		zmq_socket_monitor(io->sock, NULL, 0);
		zmq_close(io->sock);
	}
	if (io->mon != NULL)
		zmq_close(io->mon);
	if (io->ctx != NULL)
		zmq_ctx_term(io->ctx);
	keyfile_destroy(&io->k);
	directory_destroy(&io->d);
	free(io->rbuf);
	while (io->nbacklog > 0)
		free(io->backlog[--io->nbacklog]);
	free(io->backlog);
}

static int
send_frame(struct tc_io *io, const void *buf, size_t len, int more)
{
	if (zmq_send(io->sock, buf, len, more ? ZMQ_SNDMORE : 0) == -1) {
		printf("SEND-FAILED 0 %s\n", zmq_strerror(zmq_errno()));
		return 2;
	}
	return 0;
}

/* Sends head and body of f, and more frames after if more. */
static int
send_command(struct tc_io *io, const struct frame *f, int more)
{
	uint8_t head[FRAME_HEAD_BYTES], body[FRAME_MAX_BODY];
	struct status st;
	size_t len;

	frame_head_encode(f->command, head);
	if (frame_body_encode(f, body, sizeof(body), &len, &st) == -1) {
		fprintf(stderr, "testclient: %s\n", st.text);
		return 2;
	}
	if (send_frame(io, head, sizeof(head), 1) != 0)
		return 2;
	return send_frame(io, body, len, more);
}

int
tc_io_hello(struct tc_io *io, const char *agency, uint32_t window)
{
	struct frame f;

	memset(&f, 0, sizeof(f));
	f.command = FRAME_HELLO;
	snprintf(f.agency, sizeof(f.agency), "%s", agency);
	f.window = window;
	return send_command(io, &f, 0);
}

int
tc_io_simple(struct tc_io *io, uint8_t command, uint64_t value)
{
	struct frame f;

	memset(&f, 0, sizeof(f));
	f.command = command;
	f.time_ms = value;
	f.seq = value;
	return send_command(io, &f, 0);
}

int
tc_io_send_envelope(struct tc_io *io, uint8_t command, uint64_t seq, const uint8_t *env,
    size_t len)
{
	struct envelope e;
	struct status st;
	struct frame f;
	char id[IDS_MSGID_TEXT + 1];

	memset(&f, 0, sizeof(f));
	f.command = command;
	f.seq = seq;
	if (send_command(io, &f, 1) != 0 || send_frame(io, env, len, 0) != 0)
		return 2;
	if (envelope_decode(env, len, &e, &st) == 0) {
		memcpy(io->last_id, e.h.id, IDS_MSGID_BYTES);
		io->has_last = 1;
		ids_msgid_format(e.h.id, id);
		printf("SENT 0 %s %s to=%s\n", id, command == FRAME_SEND ? "send" : "receipt",
		    e.h.to);
	}
	return 0;
}

int
tc_io_send_frames(struct tc_io *io, const uint8_t (*frames)[FRAME_MAX_BODY], const size_t *lens,
    int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (send_frame(io, frames[i], lens[i], i + 1 < n) != 0)
			return 2;
	return 0;
}

/* Plays the recipient for one DELIVER: open it, RECEIPT (or ACK a receipt). */
static void
deliver(struct tc_io *io, const struct frame *f, const uint8_t *env, size_t len,
    struct tc_expect *e)
{
	char id[IDS_MSGID_TEXT + 1], summary[LINE_MAX_LEN / 2];
	struct envelope en;
	struct status st;
	size_t rlen;

	if (envelope_decode(env, len, &en, &st) == -1) {
		emit(io, e, "DELIVER", st.code, "seq=%llu undecodable: %s",
		    (unsigned long long)f->seq, st.text);
		return;
	}
	ids_msgid_format(en.h.id, id);
	emit(io, e, "DELIVER", 0, "seq=%llu id=%s type=%s from=%s to=%s",
	    (unsigned long long)f->seq, id, envelope_type_name(en.h.type), en.h.from, en.h.to);
	if (!io->receiving || io->k == NULL)
		return;
	if (en.h.type == ENVELOPE_RECEIPT) {
		ids_msgid_format(en.h.reply_to, summary);
		emit(io, e, "RECEIPT-FOR", 0, "%s", summary);
		tc_io_simple(io, FRAME_ACK, f->seq);
	} else if (strcmp(en.h.from, io->d->broker.id) == 0) {
		/* A broker notice: opened with the broker's keys, answered ACK. */
		if (tc_build_open_notice(io->k, io->d, &en, summary, sizeof(summary), &st) == -1) {
			emit(io, e, "OPEN-FAILED", st.code, "id=%s %s", id, st.text);
			return;
		}
		emit(io, e, "NOTICE", 0, "id=%s %s", id, summary);
		tc_io_simple(io, FRAME_ACK, f->seq);
	} else if (tc_build_open(io->k, io->d, &en, summary, sizeof(summary), &st) == -1) {
		emit(io, e, "OPEN-FAILED", st.code, "id=%s %s", id, st.text);
		return;
	} else {
		emit(io, e, "OPENED", 0, "id=%s summary=%s", id, summary);
		if (tc_build_receipt(io->k, io->d, &en, env, len, io->rbuf, &rlen, &st) == -1) {
			emit(io, e, "RECEIPT-FAILED", st.code, "%s", st.text);
			return;
		}
		if (tc_io_send_envelope(io, FRAME_RECEIPT, f->seq, io->rbuf, rlen) == 0)
			io->receipts_sent++;
	}
	emit(io, e, "HANDLED", 0, "seq=%llu", (unsigned long long)f->seq);
}

/* One message from the broker, printed (and answered when due). */
static void
incoming(struct tc_io *io, zmq_msg_t *part, int n, struct tc_expect *e)
{
	char id[IDS_MSGID_TEXT + 1], name[LINE_MAX_LEN / 8];
	struct status st;
	struct frame f;
	uint8_t cmd;
	size_t i;

	if (n < 2 || frame_head_decode(zmq_msg_data(&part[0]), zmq_msg_size(&part[0]), &cmd,
			 &st) == -1 ||
	    frame_body_decode(cmd, zmq_msg_data(&part[1]), zmq_msg_size(&part[1]), &f, &st) == -1) {
		emit(io, e, "GARBAGE", 0, "%d frames from the broker", n);
		return;
	}
	ids_msgid_format(f.id, id);
	switch (cmd) {
	case FRAME_WELCOME:
		emit(io, e, "WELCOME", 200, "agency=%s max_bytes=%u heartbeat_ms=%u", f.agency,
		    f.max_bytes, f.heartbeat_ms);
		break;
	case FRAME_RESULT:
		io->results++;
		emit(io, e, "RESULT", f.code, "%s %s", id, f.text);
		break;
	case FRAME_ERROR:
		emit(io, e, "ERROR", f.code, "%s", f.text);
		break;
	case FRAME_OUTCOME:
		emit(io, e, "OUTCOME", f.code, "seq=%llu id=%s %s", (unsigned long long)f.seq, id,
		    f.text);
		if (io->receiving) {
			tc_io_simple(io, FRAME_ACK, f.seq);
			emit(io, e, "HANDLED", 0, "seq=%llu", (unsigned long long)f.seq);
		}
		break;
	case FRAME_DELIVER:
		if (n == 3)
			deliver(io, &f, zmq_msg_data(&part[2]), zmq_msg_size(&part[2]), e);
		break;
	case FRAME_PING:
		emit(io, e, "PING", 0, "time=%llu", (unsigned long long)f.time_ms);
		tc_io_simple(io, FRAME_PONG, f.time_ms);
		break;
	default:
		snprintf(name, sizeof(name), "%s", frame_command_name(cmd));
		for (i = 0; name[i] != '\0'; i++)
			name[i] = (char)toupper((unsigned char)name[i]);
		emit(io, e, name, 0, "time=%llu", (unsigned long long)f.time_ms);
		break;
	}
}

static void
read_socket(struct tc_io *io, struct tc_expect *e, int print)
{
	zmq_msg_t part[FRAME_MAX_PARTS + 1];
	int n, i, more;

	for (;;) {
		n = 0;
		do {
			zmq_msg_init(&part[n]);
			if (zmq_msg_recv(&part[n], io->sock, n == 0 ? ZMQ_DONTWAIT : 0) == -1) {
				zmq_msg_close(&part[n]);
				if (n == 0)
					return;
				break;
			}
			more = zmq_msg_more(&part[n]);
			if (n < FRAME_MAX_PARTS)
				n++;
			else
				zmq_msg_close(&part[n]);
		} while (more);
		if (print)
			incoming(io, part, n, e);
		for (i = 0; i < n; i++)
			zmq_msg_close(&part[i]);
	}
}

static void
read_monitor(struct tc_io *io, struct tc_expect *e)
{
	static const struct {
		uint16_t event;
		const char *name;
	} names[] = {
		{ZMQ_EVENT_CONNECTED, "connected"},
		{ZMQ_EVENT_DISCONNECTED, "disconnected"},
		{ZMQ_EVENT_HANDSHAKE_SUCCEEDED, "handshake-ok"},
		{ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, "handshake-failed-auth"},
		{ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL, "handshake-failed-protocol"},
		{ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, "handshake-failed"},
	};
	zmq_msg_t m;
	uint16_t event;
	uint32_t value;
	size_t i;

	for (;;) {
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, io->mon, ZMQ_DONTWAIT) == -1) {
			zmq_msg_close(&m);
			return;
		}
		memcpy(&event, zmq_msg_data(&m), sizeof(event));
		memcpy(&value, (uint8_t *)zmq_msg_data(&m) + sizeof(event), sizeof(value));
		zmq_msg_close(&m);
		zmq_msg_init(&m);
		zmq_msg_recv(&m, io->mon, 0);	/* the endpoint */
		zmq_msg_close(&m);
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (names[i].event == event)
				emit(io, e, "EVENT", (int)value, "%s", names[i].name);
	}
}

void
tc_io_drain(struct tc_io *io)
{
	read_socket(io, NULL, 0);
}

void
tc_io_quiet(struct tc_io *io, int ms)
{
	zmq_pollitem_t item = {io->sock, 0, ZMQ_POLLIN, 0};

	while (zmq_poll(&item, 1, ms) > 0)
		read_socket(io, NULL, 0);
}

void
tc_io_poll(struct tc_io *io, int ms, struct tc_expect *e)
{
	zmq_pollitem_t items[2] = {{io->sock, 0, ZMQ_POLLIN, 0}, {io->mon, 0, ZMQ_POLLIN, 0}};

	zmq_poll(items, 2, ms);
	read_monitor(io, e);
	read_socket(io, e, 1);
}

int
tc_io_wait(struct tc_io *io, struct tc_expect *e)
{
	uint64_t deadline = clock_mono_ms() + (uint64_t)e->ms, now;

	e->seen = 0;
	replay(io, e);
	for (;;) {
		if (e->count > 0 && e->seen >= e->count)
			return 0;
		if ((now = clock_mono_ms()) >= deadline)
			return e->count > 0 ? -1 : 0;
		tc_io_poll(io, (int)(deadline - now), e);
	}
}

void
tc_io_settle(struct tc_io *io, int ms)
{
	uint64_t deadline = clock_mono_ms() + (uint64_t)ms, now;

	while (io->results < io->receipts_sent && (now = clock_mono_ms()) < deadline)
		tc_io_poll(io, (int)(deadline - now), NULL);
}
