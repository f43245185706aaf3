/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for broker/router.c: the ROUTER it sets up fails closed.  With
 * ZMQ_ZAP_ENFORCE_DOMAIN and no ZAP handler bound, every CURVE client is
 * refused: no handshake succeeds and nothing it sends reaches the broker,
 * though each client holds the right server key.  A control run with a
 * minimal handler that admits everyone shows the same clients getting
 * through, so the refusal is the missing handler's doing and the test can
 * fail.  Real libzmq sockets on ipc:// in a mkdtemp directory.
 *
 * The broker's modules are not a library, so the unit under test is
 * compiled in here, as the fuzzers do with theirs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "broker/router.c"
#include "common/clock.h"
#include "tests/support/confdir.h"

#define CLIENTS 3
/* How long a client is given to get through; a CURVE handshake on ipc://
 * takes a few milliseconds, so this is generous, not a race. */
#define GIVE_MS 1500
#define POLL_STEP_MS 20
#define ZAP_FRAMES 7			/* a ZAP request, RFC 27 */
#define FRAME_MAX 512

struct fixture {
	char *dir;
	char endpoint[256];
	void *ctx;
	void *router;
	void *zap;			/* the control run's handler, or NULL */
	uint8_t server_pk[32], server_sk[32];
	struct settings_broker conf;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_true(sodium_init() >= 0);
	f->dir = confdir_new();
	snprintf(f->endpoint, sizeof(f->endpoint), "ipc://%s/router", f->dir);
	f->ctx = zmq_ctx_new();
	assert_non_null(f->ctx);
	crypto_box_keypair(f->server_pk, f->server_sk);
	f->conf.endpoint = f->endpoint;
	f->conf.max_envelope_bytes = ENVELOPE_MAX_BYTES;
	f->conf.heartbeat_ms = SETTINGS_HEARTBEAT_MS_DEFAULT;
	f->conf.hwm = SETTINGS_HWM_DEFAULT;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	if (f->router != NULL)
		zmq_close(f->router);
	if (f->zap != NULL)
		zmq_close(f->zap);
	zmq_ctx_term(f->ctx);
	confdir_destroy(&f->dir);
	free(f);
	return 0;
}

/* A client like an agent: DEALER, CURVE client with fresh keys, monitored. */
static void *
client(struct fixture *f, int i, void **mon)
{
	uint8_t pk[32], sk[32];
	char ep[64];
	void *s = zmq_socket(f->ctx, ZMQ_DEALER);
	int zero = 0;

	assert_non_null(s);
	crypto_box_keypair(pk, sk);
	snprintf(ep, sizeof(ep), "inproc://test-router-monitor-%d", i);
	assert_int_equal(zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof(zero)), 0);
	assert_int_equal(zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, f->server_pk, 32), 0);
	assert_int_equal(zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, pk, 32), 0);
	assert_int_equal(zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, sk, 32), 0);
	assert_int_equal(zmq_socket_monitor(s, ep, ZMQ_EVENT_HANDSHAKE_SUCCEEDED |
	    ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
	    ZMQ_EVENT_HANDSHAKE_FAILED_AUTH), 0);
	*mon = zmq_socket(f->ctx, ZMQ_PAIR);
	assert_non_null(*mon);
	assert_int_equal(zmq_connect(*mon, ep), 0);
	assert_int_equal(zmq_connect(s, f->endpoint), 0);
	/* Queued until the handshake completes, if it ever does. */
	assert_int_equal(zmq_send(s, "DN", 2, ZMQ_DONTWAIT), 2);
	return s;
}

/* Answers pending ZAP requests with 200 and User-Id "anyone". */
static void
admit_all(void *zap)
{
	zmq_msg_t part[ZAP_FRAMES];
	int n, i;

	for (;;) {
		n = 0;
		do {
			zmq_msg_init(&part[n]);
			if (zmq_msg_recv(&part[n], zap, ZMQ_DONTWAIT) == -1) {
				zmq_msg_close(&part[n]);
				break;
			}
			n++;
		} while (zmq_msg_more(&part[n - 1]) && n < ZAP_FRAMES);
		if (n == 0)
			return;
		assert_int_equal(n, ZAP_FRAMES);
		/* version, request id, then 200, "OK", user id, metadata */
		zmq_send(zap, "1.0", 3, ZMQ_SNDMORE);
		zmq_send(zap, zmq_msg_data(&part[1]), zmq_msg_size(&part[1]), ZMQ_SNDMORE);
		zmq_send(zap, "200", 3, ZMQ_SNDMORE);
		zmq_send(zap, "OK", 2, ZMQ_SNDMORE);
		zmq_send(zap, "anyone", 6, ZMQ_SNDMORE);
		zmq_send(zap, "", 0, 0);
		for (i = 0; i < n; i++)
			zmq_msg_close(&part[i]);
	}
}

/* Runs CLIENTS clients for GIVE_MS: how many handshakes succeeded, how
 * many failed, and how many messages the ROUTER received. */
static void
run(struct fixture *f, int *ok, int *failed, int *received)
{
	void *c[CLIENTS], *mon[CLIENTS];
	uint8_t buf[FRAME_MAX];
	uint64_t end;
	int i, n;

	*ok = *failed = *received = 0;
	for (i = 0; i < CLIENTS; i++)
		c[i] = client(f, i, &mon[i]);
	end = clock_mono_ms() + GIVE_MS;
	/* Until every client has its answer (and, admitted, its message is in). */
	while (clock_mono_ms() < end &&
	    (*ok + *failed < CLIENTS || (*ok > 0 && *received < *ok))) {
		zmq_pollitem_t items[1 + CLIENTS + 1];

		memset(items, 0, sizeof(items));
		items[0].socket = f->router;
		items[0].events = ZMQ_POLLIN;
		for (i = 0; i < CLIENTS; i++) {
			items[1 + i].socket = mon[i];
			items[1 + i].events = ZMQ_POLLIN;
		}
		n = 1 + CLIENTS;
		if (f->zap != NULL) {
			items[n].socket = f->zap;
			items[n++].events = ZMQ_POLLIN;
		}
		assert_true(zmq_poll(items, n, POLL_STEP_MS) >= 0);
		if (f->zap != NULL)
			admit_all(f->zap);
		while (zmq_recv(f->router, buf, sizeof(buf), ZMQ_DONTWAIT) >= 0) {
			int more = 0;
			size_t len = sizeof(more);

			zmq_getsockopt(f->router, ZMQ_RCVMORE, &more, &len);
			if (!more)
				(*received)++;
		}
		for (i = 0; i < CLIENTS; i++) {
			zmq_msg_t ev;
			uint16_t event;

			zmq_msg_init(&ev);
			while (zmq_msg_recv(&ev, mon[i], ZMQ_DONTWAIT) >= 0) {
				if (zmq_msg_more(&ev) && zmq_msg_size(&ev) >= 2) {
					memcpy(&event, zmq_msg_data(&ev), sizeof(event));
					if (event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED)
						(*ok)++;
					else
						(*failed)++;
				}
				zmq_msg_close(&ev);
				zmq_msg_init(&ev);
			}
			zmq_msg_close(&ev);
		}
	}
	for (i = 0; i < CLIENTS; i++) {
		zmq_socket_monitor(c[i], NULL, 0);
		zmq_close(c[i]);
		zmq_close(mon[i]);
	}
}

static void
no_zap_handler_refuses_every_client(void **state)
{
	struct fixture *f = *state;
	struct status st;
	int ok, failed, received;

	f->router = router_open(f->ctx, &f->conf, f->server_sk, &st);
	assert_non_null(f->router);
	run(f, &ok, &failed, &received);
	assert_int_equal(ok, 0);
	assert_int_equal(received, 0);
	/* Each client saw its handshake refused, not just time running out. */
	assert_true(failed >= CLIENTS);
}

static void
with_a_handler_the_same_clients_get_through(void **state)
{
	struct fixture *f = *state;
	struct status st;
	int ok, failed, received;

	f->zap = zmq_socket(f->ctx, ZMQ_REP);
	assert_non_null(f->zap);
	assert_int_equal(zmq_bind(f->zap, ZAP_ENDPOINT), 0);
	f->router = router_open(f->ctx, &f->conf, f->server_sk, &st);
	assert_non_null(f->router);
	run(f, &ok, &failed, &received);
	assert_int_equal(ok, CLIENTS);
	assert_int_equal(failed, 0);
	assert_int_equal(received, CLIENTS);
}

static void
bad_endpoint_is_refused_with_421(void **state)
{
	struct fixture *f = *state;
	struct status st;

	f->conf.endpoint = "tcp://256.0.0.1:1";
	assert_null(router_open(f->ctx, &f->conf, f->server_sk, &st));
	assert_int_equal(st.code, STATUS_UNAVAILABLE);
	assert_non_null(strstr(st.text, "cannot bind tcp://256.0.0.1:1"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(bad_endpoint_is_refused_with_421, setup, teardown),
		cmocka_unit_test_setup_teardown(no_zap_handler_refuses_every_client, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(with_a_handler_the_same_clients_get_through, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
