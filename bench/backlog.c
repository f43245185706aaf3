/* SPDX-License-Identifier: ISC */
/*
 * backlog: `dutynet-bench backlog`: an agency is offline while N messages
 * (default 100,000) queue for it at the broker; then its agent starts.
 * Measures how fast the backlog drains into the agent (every message
 * verified, opened, committed to its inbox and receipted) and the broker's
 * memory: its peak RSS (VmHWM) must not grow with the backlog, because the
 * broker streams deliveries from its database a credit window at a time
 * instead of loading the queue (SCHEMA.md, table queue).
 *
 * The recipient is a real dutynet-agent (agency 0 of the area).  The
 * sender is an in-process peer (peer.h, agency 1): queueing 100,000
 * messages through an agent would measure that agent, and the subject here
 * is the broker and the draining agent.  The sender keeps at most
 * SEND_WINDOW SENDs unanswered, and ACKs the receipts that come back.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>
#include <zmq.h>

#include "bench/area.h"
#include "bench/bench.h"
#include "bench/bound.h"
#include "bench/peer.h"
#include "bench/proc.h"
#include "tests/support/testclient/tc.h"

#define MESSAGES_DEFAULT 100000
#define MESSAGES_MAX 10000000L
#define SEND_WINDOW 2000		/* SENDs in flight from the sender */
#define PEER_WINDOW 16			/* the sender's HELLO window (receipts to it) */
#define POLL_MS 20
#define COUNT_EVERY_MS 100.0		/* how often the recipient's inbox is counted */
#define STEP_TIMEOUT_MS 60000.0		/* each phase may stall at most this long */
#define MARKER_BYTES 860		/* a referral's summary: a payload of about 1 KiB */
#define MS_PER_S 1000.0
#define RECIPIENT 0
#define SENDER 1

struct run {
	struct area *a;
	struct directory *d;
	void *ctx;
	struct peer sender;
	struct proc broker, agent;
	char bindir[AREA_PATH_MAX];
	uint8_t *env;
	char marker[MARKER_BYTES + 1];
	uint64_t rss_start, rss_queued, hwm_queued, rss_max_drain;
	double queue_s, drain_s, receipts_s;
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: %s backlog [--messages N] [--window W] [--json] [--keep] [--bin DIR]\n\n"
		   "Queues N messages (default %d, about %d bytes of payload each) at the broker\n"
		   "for an agency whose agent is not running, from an in-process sender, then\n"
		   "starts that agent and times the drain (all in its inbox, receipted) and the\n"
		   "receipts' way back.  Prints drain_per_s and the broker's RSS: at start,\n"
		   "with the backlog queued, and its peak (VmHWM).  --window sets the agent's\n"
		   "delivery window.\n", BENCH_PROGRAM, MESSAGES_DEFAULT, BOUND_PAYLOAD_BYTES);
}

/* The recipient's inbox rows, or -1. */
static long
inbox_count(const struct area *a)
{
	char path[AREA_PATH_MAX];
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	long n = -1;

	area_agent_db(a, RECIPIENT, path);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_busy_timeout(db, (int)STEP_TIMEOUT_MS) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "SELECT count(*) FROM inbox", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return n;
}

/* Waits for the sender's socket (at most POLL_MS) and handles what came. */
static void
pump(struct run *r)
{
	zmq_pollitem_t it = { r->sender.sock, 0, ZMQ_POLLIN, 0 };

	zmq_poll(&it, 1, POLL_MS);
	peer_pump(&r->sender);
}

static int
queue_all(struct run *r, unsigned long n, struct status *st)
{
	struct tc_spec spec;
	unsigned long sent = 0, done, prev = 0;
	double t0 = proc_now_ms(), last = t0;
	size_t len;

	memset(&spec, 0, sizeof(spec));
	spec.to = r->a->ids[RECIPIENT];
	spec.type = ENVELOPE_REFERRAL;
	memset(r->marker, 'x', MARKER_BYTES);
	spec.marker = r->marker;
	while ((done = r->sender.accepted + r->sender.refused) < n) {
		while (sent < n && sent - done < SEND_WINDOW) {
			if (tc_build_envelope(r->a->keys[SENDER], r->d, &spec, r->env, &len, st) != 0)
				return -1;
			if (peer_send(&r->sender, r->env, len) != 0)
				break;	/* ZeroMQ is full: answers first */
			sent++;
		}
		if (r->sender.refused > 0)
			return status_set(st, STATUS_REJECTED, "the broker refused a message with %d; "
			    "see %s/log", r->sender.last_code, r->a->dir);
		if (done != prev) {
			prev = done;
			last = proc_now_ms();
		}
		if (proc_now_ms() - last > STEP_TIMEOUT_MS)
			return status_set(st, STATUS_UNAVAILABLE, "the broker stopped accepting after "
			    "%lu of %lu messages; see %s/log", r->sender.accepted, n, r->a->dir);
		pump(r);
	}
	r->queue_s = (proc_now_ms() - t0) / MS_PER_S;
	return 0;
}

static int
drain(struct run *r, unsigned long n, struct status *st)
{
	double t0, next_count = 0, last_progress;
	long got = 0, prev = -1;
	uint64_t rss;

	t0 = last_progress = proc_now_ms();
	if (proc_start_agent(&r->agent, r->bindir, r->a, RECIPIENT, 0, st) != 0)
		return -1;
	while (r->sender.receipts < n) {
		pump(r);
		if ((rss = proc_status_kib(r->broker.pid, "VmRSS:")) > r->rss_max_drain)
			r->rss_max_drain = rss;
		if (r->drain_s == 0 && proc_now_ms() >= next_count) {
			next_count = proc_now_ms() + COUNT_EVERY_MS;
			got = inbox_count(r->a);
			if (got >= (long)n)
				r->drain_s = (proc_now_ms() - t0) / MS_PER_S;
		}
		if (got != prev || r->sender.receipts > 0) {
			prev = got;
			last_progress = proc_now_ms();
		}
		if (proc_now_ms() - last_progress > STEP_TIMEOUT_MS)
			return status_set(st, STATUS_UNAVAILABLE, "the drain stalled at %ld of %lu "
			    "messages in the inbox, %lu receipts back; see %s/log", got, n,
			    r->sender.receipts, r->a->dir);
	}
	if (r->drain_s == 0)
		r->drain_s = (proc_now_ms() - t0) / MS_PER_S;
	r->receipts_s = (proc_now_ms() - t0) / MS_PER_S;
	return 0;
}

static int
setup(struct run *r, long window, struct status *st)
{
	struct area_spec spec;
	struct conf_errors *errs;
	double end;

	memset(&spec, 0, sizeof(spec));
	spec.prefix = "agency";
	spec.n = 2;
	spec.agents = 1;
	spec.agent_window = window;
	spec.recipient_quota = 2 * MESSAGES_MAX;
	if ((r->a = area_new(&spec, st)) == NULL ||
	    (r->env = malloc(TC_ENVELOPE_MAX)) == NULL || (errs = conf_errors_new()) == NULL)
		return r->a == NULL ? -1 : status_set(st, STATUS_STORE_FAILED, "out of memory");
	r->d = directory_load(r->a->dir, errs);
	conf_errors_destroy(&errs);
	if (r->d == NULL)
		return status_set(st, STATUS_BAD_FIELD, "the generated directory does not load");
	if (proc_start_broker(&r->broker, r->bindir, r->a, st) != 0)
		return -1;
	r->rss_start = proc_status_kib(r->broker.pid, "VmRSS:");
	if ((r->ctx = zmq_ctx_new()) == NULL ||
	    peer_open(&r->sender, r->ctx, r->a->endpoint, r->a->keys[SENDER], r->d, st) != 0 ||
	    peer_hello(&r->sender, PEER_WINDOW) != 0)
		return r->ctx == NULL ? status_set(st, STATUS_UNAVAILABLE, "zmq_ctx_new failed") : -1;
	end = proc_now_ms() + STEP_TIMEOUT_MS;
	while (!r->sender.welcomed && proc_now_ms() < end)
		pump(r);
	if (!r->sender.welcomed)
		return status_set(st, STATUS_UNAVAILABLE, "the broker did not welcome the sender; "
		    "see %s/log", r->a->dir);
	return 0;
}

static void
teardown(struct run *r, int *ret, int keep)
{
	if (proc_stop(&r->agent) != 0 || proc_stop(&r->broker) != 0) {
		if (*ret == BENCH_OK)
			fprintf(stderr, "%s backlog: a daemon did not stop cleanly\n", BENCH_PROGRAM);
		*ret = BENCH_FAILED;
	}
	peer_close(&r->sender);
	if (r->ctx != NULL)
		zmq_ctx_term(r->ctx);
	directory_destroy(&r->d);
	free(r->env);
	area_destroy(&r->a, keep || *ret != BENCH_OK);
}

int
bench_backlog(int argc, char **argv)
{
	static const struct option lo[] = {
		{"messages", required_argument, NULL, 'n'},
		{"window", required_argument, NULL, 'w'},
		{"json", no_argument, NULL, 'j'},
		{"keep", no_argument, NULL, 'k'},
		{"bin", required_argument, NULL, 'b'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct run r;
	struct status st;
	const char *bin = NULL;
	long n = MESSAGES_DEFAULT, window = 0;
	uint64_t hwm;
	char *end;
	int c, json = 0, keep = 0, ret = BENCH_FAILED;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'n':
		case 'w':
			if (c == 'n')
				n = strtol(optarg, &end, 10);
			else
				window = strtol(optarg, &end, 10);
			if (*end != '\0' || end == optarg || (c == 'n' ? n : window) < 1 ||
			    (c == 'n' ? n : window) > (c == 'n' ? MESSAGES_MAX : FRAME_WINDOW_MAX)) {
				fprintf(stderr, "%s backlog: --%s '%s' is out of range\n", BENCH_PROGRAM,
				    c == 'n' ? "messages" : "window", optarg);
				return BENCH_USAGE;
			}
			break;
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
	if (optind != argc) {
		usage(stderr);
		return BENCH_USAGE;
	}
	memset(&r, 0, sizeof(r));
	proc_bin_dir(bin, r.bindir);
	proc_raise_nofile();
	if (setup(&r, window, &st) != 0 || queue_all(&r, (unsigned long)n, &st) != 0)
		goto fail;
	r.rss_queued = proc_status_kib(r.broker.pid, "VmRSS:");
	r.hwm_queued = proc_status_kib(r.broker.pid, "VmHWM:");
	if (drain(&r, (unsigned long)n, &st) != 0)
		goto fail;
	hwm = proc_status_kib(r.broker.pid, "VmHWM:");
	if (json)
		printf("{\"bench\": \"backlog\", \"messages\": %ld, \"queue_per_s\": %.0f, "
		       "\"drain_s\": %.3f, \"drain_per_s\": %.0f, \"receipts_s\": %.3f, "
		       "\"broker_rss_start_kib\": %lu, \"broker_rss_queued_kib\": %lu, "
		       "\"broker_peak_rss_queued_kib\": %lu, \"broker_rss_max_drain_kib\": %lu, "
		       "\"broker_peak_rss_kib\": %lu}\n", n, (double)n / r.queue_s, r.drain_s,
		    (double)n / r.drain_s, r.receipts_s, (unsigned long)r.rss_start,
		    (unsigned long)r.rss_queued, (unsigned long)r.hwm_queued,
		    (unsigned long)r.rss_max_drain, (unsigned long)hwm);
	else
		printf("backlog: %ld messages queued in %.1f s (%.0f/s); drained into the agent in "
		       "%.1f s: %.0f msg/s; all receipts back after %.1f s\n"
		       "backlog: broker RSS %lu KiB at start, %lu KiB queued, at most %lu KiB while "
		       "draining; peak (VmHWM) %lu KiB\n", n, r.queue_s, (double)n / r.queue_s,
		    r.drain_s, (double)n / r.drain_s, r.receipts_s, (unsigned long)r.rss_start,
		    (unsigned long)r.rss_queued, (unsigned long)r.rss_max_drain, (unsigned long)hwm);
	ret = BENCH_OK;
	goto out;
fail:
	fprintf(stderr, "%s backlog: %s\n", BENCH_PROGRAM, st.text);
out:
	teardown(&r, &ret, keep);
	return ret;
}
