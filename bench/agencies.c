/* SPDX-License-Identifier: ISC */
/*
 * agencies: `dutynet-bench agencies [N]`: N agencies (default 1,000), each
 * with its own CURVE key, connect to the broker at once.  Measures the time
 * until every one is authenticated (CURVE handshake, ZAP, HELLO, WELCOME),
 * and until every one has sent one message and received one: agency i
 * sends a referral to agency i+1 (mod N), which verifies and opens it and
 * answers with a signed receipt, and the receipt comes back to i.  Then
 * the broker's RSS per connection: (VmRSS with N sessions - VmRSS before
 * any) / N.
 *
 * The agencies are in-process peers (peer.h): a thousand dutynet-agent
 * processes, each with its own database, do not fit a 2-core machine, and
 * what is measured is the broker.  They share one ZeroMQ context (one I/O
 * thread) in this process, which competes with the broker for the same
 * cores: the figures include the clients' half of every handshake.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "bench/area.h"
#include "bench/bench.h"
#include "bench/peer.h"
#include "bench/proc.h"
#include "tests/support/testclient/tc.h"

#define AGENCIES_DEFAULT 1000
#define AGENCIES_MAX 20000L
#define PEER_WINDOW 16
#define POLL_MS 50
#define TIMEOUT_MS 180000.0
#define SOCKETS_SPARE 64		/* ZMQ_MAX_SOCKETS above N */
#define FDS_PER_AGENCY 3		/* this process 2 (TCP, mailbox), the broker 1 */
#define FDS_SPARE 256
#define MS_PER_S 1000.0

struct run {
	struct area *a;
	struct directory *d;
	void *ctx;
	struct peer *p;
	zmq_pollitem_t *items;
	unsigned char *sent;
	size_t n;
	struct proc broker;
	char bindir[AREA_PATH_MAX];
	uint8_t *env;
	double auth_ms, all_ms;
	uint64_t rss_before, rss_after, hwm;
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: %s agencies [N] [--json] [--keep] [--bin DIR]\n\n"
		   "N agencies (default %d), each with its own CURVE key, connect to a broker\n"
		   "at once (in-process clients on the real protocol); each sends one referral\n"
		   "to the next and receipts the one it receives.  Prints the time until all\n"
		   "are authenticated, until all messages and receipts are through, and the\n"
		   "broker's RSS per connection.\n", BENCH_PROGRAM, AGENCIES_DEFAULT);
}

static int
setup(struct run *r, struct status *st)
{
	struct area_spec spec;
	struct conf_errors *errs;
	long need = (long)(FDS_PER_AGENCY * r->n) + FDS_SPARE;

	if (proc_raise_nofile() < need)
		return status_set(st, STATUS_UNAVAILABLE, "%zu agencies need about %ld open files; "
		    "the hard limit is lower: raise it (ulimit -Hn, LimitNOFILE)", r->n, need);
	memset(&spec, 0, sizeof(spec));
	spec.prefix = "agency";
	spec.n = r->n;
	if ((r->a = area_new(&spec, st)) == NULL)
		return -1;
	if ((r->env = malloc(TC_ENVELOPE_MAX)) == NULL ||
	    (r->p = calloc(r->n, sizeof(*r->p))) == NULL ||
	    (r->items = calloc(r->n, sizeof(*r->items))) == NULL ||
	    (r->sent = calloc(r->n, 1)) == NULL || (errs = conf_errors_new()) == NULL)
		return status_set(st, STATUS_STORE_FAILED, "out of memory");
	r->d = directory_load(r->a->dir, errs);
	conf_errors_destroy(&errs);
	if (r->d == NULL)
		return status_set(st, STATUS_BAD_FIELD, "the generated directory does not load");
	if (proc_start_broker(&r->broker, r->bindir, r->a, st) != 0)
		return -1;
	r->rss_before = proc_status_kib(r->broker.pid, "VmRSS:");
	if ((r->ctx = zmq_ctx_new()) == NULL ||
	    zmq_ctx_set(r->ctx, ZMQ_MAX_SOCKETS, (int)r->n + SOCKETS_SPARE) != 0)
		return status_set(st, STATUS_UNAVAILABLE, "zmq context: %s",
		    zmq_strerror(zmq_errno()));
	return 0;
}

/* Agency i sends its referral to i+1 once it is welcomed. */
static int
send_one(struct run *r, size_t i, struct status *st)
{
	struct tc_spec spec;
	size_t len;

	memset(&spec, 0, sizeof(spec));
	spec.to = r->a->ids[(i + 1) % r->n];
	spec.type = ENVELOPE_REFERRAL;
	spec.marker = "benchmark: one message per agency";
	if (tc_build_envelope(r->a->keys[i], r->d, &spec, r->env, &len, st) != 0)
		return -1;
	if (peer_send(&r->p[i], r->env, len) == 0)
		r->sent[i] = 1;
	return 0;
}

static int
connect_all(struct run *r, struct status *st)
{
	double t0 = proc_now_ms();
	size_t i, welcomed, done;

	for (i = 0; i < r->n; i++) {
		if (peer_open(&r->p[i], r->ctx, r->a->endpoint, r->a->keys[i], r->d, st) != 0)
			return -1;
		/* Queued by ZeroMQ until the handshake is done. */
		if (peer_hello(&r->p[i], PEER_WINDOW) != 0)
			return status_set(st, STATUS_UNAVAILABLE, "HELLO of %s not taken",
			    r->a->ids[i]);
		r->items[i].socket = r->p[i].sock;
		r->items[i].events = ZMQ_POLLIN;
	}
	for (;;) {
		if (zmq_poll(r->items, (int)r->n, POLL_MS) < 0)
			continue;
		welcomed = done = 0;
		for (i = 0; i < r->n; i++) {
			if (r->items[i].revents & ZMQ_POLLIN)
				peer_pump(&r->p[i]);
			if (r->p[i].refused > 0)
				return status_set(st, STATUS_REJECTED, "%s was refused with %d; see %s/log",
				    r->a->ids[i], r->p[i].last_code, r->a->dir);
			if (!r->p[i].welcomed)
				continue;
			welcomed++;
			if (!r->sent[i] && send_one(r, i, st) != 0)
				return -1;
			done += r->p[i].accepted >= 1 && r->p[i].delivered >= 1 &&
			    r->p[i].receipts >= 1;
		}
		if (welcomed == r->n && r->auth_ms == 0)
			r->auth_ms = proc_now_ms() - t0;
		if (done == r->n) {
			r->all_ms = proc_now_ms() - t0;
			return 0;
		}
		if (proc_now_ms() - t0 > TIMEOUT_MS)
			return status_set(st, STATUS_UNAVAILABLE, "after %.0f s only %zu of %zu "
			    "agencies were welcomed and %zu done; see %s/log", TIMEOUT_MS / MS_PER_S,
			    welcomed, r->n, done, r->a->dir);
	}
}

static void
teardown(struct run *r, int *ret, int keep)
{
	size_t i;

	for (i = 0; r->p != NULL && i < r->n; i++)
		peer_close(&r->p[i]);
	if (r->ctx != NULL)
		zmq_ctx_term(r->ctx);
	if (proc_stop(&r->broker) != 0) {
		if (*ret == BENCH_OK)
			fprintf(stderr, "%s agencies: the broker did not stop cleanly\n",
			    BENCH_PROGRAM);
		*ret = BENCH_FAILED;
	}
	directory_destroy(&r->d);
	free(r->p);
	free(r->items);
	free(r->sent);
	free(r->env);
	area_destroy(&r->a, keep || *ret != BENCH_OK);
}

int
bench_agencies(int argc, char **argv)
{
	static const struct option lo[] = {
		{"json", no_argument, NULL, 'j'},
		{"keep", no_argument, NULL, 'k'},
		{"bin", required_argument, NULL, 'b'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct run r;
	struct status st;
	const char *bin = NULL;
	double per_conn;
	char *end;
	long n = AGENCIES_DEFAULT;
	int c, json = 0, keep = 0, ret = BENCH_FAILED;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'k':
			keep = 1;
			break;
		case 'b':
			bin = optarg;
			break;
		case 'h':
			usage(stdout);
			return BENCH_OK;
		default:
			usage(stderr);
			return BENCH_USAGE;
		}
	}
	if (optind + 1 == argc) {
		n = strtol(argv[optind], &end, 10);
		if (*end != '\0' || n < 2 || n > AGENCIES_MAX) {
			fprintf(stderr, "%s agencies: N '%s' is not a number from 2 to %ld\n",
			    BENCH_PROGRAM, argv[optind], AGENCIES_MAX);
			return BENCH_USAGE;
		}
	} else if (optind != argc) {
		usage(stderr);
		return BENCH_USAGE;
	}
	memset(&r, 0, sizeof(r));
	r.n = (size_t)n;
	proc_bin_dir(bin, r.bindir);
	if (setup(&r, &st) != 0 || connect_all(&r, &st) != 0) {
		fprintf(stderr, "%s agencies: %s\n", BENCH_PROGRAM, st.text);
		goto out;
	}
	r.rss_after = proc_status_kib(r.broker.pid, "VmRSS:");
	r.hwm = proc_status_kib(r.broker.pid, "VmHWM:");
	per_conn = r.rss_after > r.rss_before ? (double)(r.rss_after - r.rss_before) / (double)n : 0;
	if (json)
		printf("{\"bench\": \"agencies\", \"agencies\": %ld, \"auth_s\": %.3f, \"all_s\": %.3f, "
		       "\"broker_rss_before_kib\": %lu, \"broker_rss_kib\": %lu, \"broker_peak_rss_kib\": "
		       "%lu, \"rss_per_conn_kib\": %.1f}\n", n, r.auth_ms / MS_PER_S,
		    r.all_ms / MS_PER_S, (unsigned long)r.rss_before, (unsigned long)r.rss_after,
		    (unsigned long)r.hwm, per_conn);
	else
		printf("agencies: %ld agencies authenticated in %.2f s; each sent and received one "
		       "message, receipts back, in %.2f s\nagencies: broker RSS %lu KiB before, %lu "
		       "KiB with %ld sessions: %.1f KiB per connection (peak %lu KiB)\n", n,
		    r.auth_ms / MS_PER_S, r.all_ms / MS_PER_S, (unsigned long)r.rss_before,
		    (unsigned long)r.rss_after, n, per_conn, (unsigned long)r.hwm);
	ret = BENCH_OK;
out:
	teardown(&r, &ret, keep);
	return ret;
}
