/* SPDX-License-Identifier: ISC */
/*
 * e2e: `dutynet-bench e2e`: end-to-end throughput and latency of referrals
 * through the real daemons on loopback, against the bound (bound.h)
 * measured in the same run (ISSUE 8).
 *
 * An area of S sending and R receiving agencies (area.h) gets a
 * dutynet-broker and one dutynet-agent per agency, durable as in service
 * (WAL, synchronous=FULL).  The load is referrals of 1 KiB payload sent
 * through the senders' control sockets, CONNECTIONS requests in flight at
 * once (ctlsend.h) as if that many people pressed send together, so the
 * agents' group commit has something to group.  While it runs, urgent
 * referrals go at a steady rate on a connection of their own.  A message's
 * latency is its outbox row's final_ms (the recipient's signed receipt is
 * back and committed at the sender) minus its created_ms (sealed, about to
 * be committed), read from the senders' agent.db with sqlite3, read-only,
 * after the run; throughput is messages / (last final_ms - first
 * created_ms).  A short warm-up first (connections, caches, pair keys) is
 * left out of the figures.
 */
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "agents/ctlmsg.h"
#include "bench/bench.h"
#include "bench/bound.h"
#include "bench/ctlsend.h"
#include "bench/e2e_load.h"
#include "bench/proc.h"
#include "proto/frame.h"

#define MESSAGES_DEFAULT 20000
#define CONNECTIONS_DEFAULT 32
#define URGENT_RATE_DEFAULT 20.0
#define LOAD_DEFAULT 0.5
#define INFLIGHT_DEFAULT 1000
#define E2E_WARMUP_MAX 200		/* messages sent and delivered before measuring */
#define E2E_WARMUP_SHARE 10		/* or a tenth of the load, if smaller */
#define E2E_PACED_SHARE 4		/* the paced phase: a quarter as many messages */
#define E2E_PACED_MIN 100
#define E2E_FIGURES_FIRST 1024
#define MS_PER_S 1000.0
#define PCT_50 0.50
#define PCT_99 0.99

struct opts {
	long messages, connections, senders, recipients, window, delivery_window, inflight;
	double urgent_rate, load;
	int json, keep, verbose;
	const char *bin;
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: %s e2e [--messages N] [--connections P] [--senders S] [--recipients R]\n"
		   "          [--urgent-rate PER_S] [--load F] [--inflight K] [--window W]\n"
		   "          [--delivery-window W] [--json] [--keep] [--bin BUILD_DIR] [-v]\n\n"
		   "Measures the bound (the protocol's cryptography at all three parties x the\n"
		   "cores, and the durable commit rate), then runs a broker and S+R agents on\n"
		   "loopback.  Saturated phase: N referrals of %d bytes of payload (default %d)\n"
		   "through the senders' control sockets, P requests at a time (default %d), as\n"
		   "fast as the agents take them but never more than K (default %d) sent and not\n"
		   "yet delivered: e2e_per_s (outbox commit to signed receipt back at the\n"
		   "sender), ratio = e2e / bound, and the latencies, which are then mostly\n"
		   "queueing (K 0: no limit, and the queues grow).  Paced phase: N/4 more at F\n"
		   "(default %.1f) x e2e_per_s: latency p50/p99.  In both, urgent referrals go at PER_S a second (default %.0f) on a\n"
		   "connection of their own, and their latency is reported apart.  --window sets\n"
		   "the agents' delivery window, --delivery-window the broker's cap.  --keep\n"
		   "leaves the area (logs, databases); -v prints the daemons' process ids.\n",
	    BENCH_PROGRAM, BOUND_PAYLOAD_BYTES, MESSAGES_DEFAULT, CONNECTIONS_DEFAULT,
	    INFLIGHT_DEFAULT, LOAD_DEFAULT, URGENT_RATE_DEFAULT);
}

static int
num(const char *name, const char *v, long min, long max, long *out)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (*end != '\0' || end == v || n < min || n > max) {
		fprintf(stderr, "%s e2e: --%s '%s' is not a whole number from %ld to %ld\n",
		    BENCH_PROGRAM, name, v, min, max);
		return -1;
	}
	*out = n;
	return 0;
}

static int
parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{"messages", required_argument, NULL, 'n'},
		{"connections", required_argument, NULL, 'p'},
		{"senders", required_argument, NULL, 's'},
		{"recipients", required_argument, NULL, 'r'},
		{"urgent-rate", required_argument, NULL, 'u'},
		{"load", required_argument, NULL, 'l'},
		{"inflight", required_argument, NULL, 'i'},
		{"window", required_argument, NULL, 'w'},
		{"delivery-window", required_argument, NULL, 'd'},
		{"json", no_argument, NULL, 'j'},
		{"keep", no_argument, NULL, 'k'},
		{"bin", required_argument, NULL, 'b'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char *end;
	int c, rc = 0;

	memset(o, 0, sizeof(*o));
	o->messages = MESSAGES_DEFAULT;
	o->connections = CONNECTIONS_DEFAULT;
	o->senders = 1;
	o->recipients = 1;
	o->urgent_rate = URGENT_RATE_DEFAULT;
	o->load = LOAD_DEFAULT;
	o->inflight = INFLIGHT_DEFAULT;
	optind = 1;
	while (rc == 0 && (c = getopt_long(argc, argv, "v", lo, NULL)) != -1) {
		switch (c) {
		case 'n':
			rc = num("messages", optarg, 1, E2E_MESSAGES_MAX, &o->messages);
			break;
		case 'p':
			rc = num("connections", optarg, 1, CTLSEND_SLOTS_MAX - 1, &o->connections);
			break;
		case 's':
			rc = num("senders", optarg, 1, E2E_AGENTS_MAX, &o->senders);
			break;
		case 'r':
			rc = num("recipients", optarg, 1, E2E_AGENTS_MAX, &o->recipients);
			break;
		case 'i':
			rc = num("inflight", optarg, 0, E2E_MESSAGES_MAX, &o->inflight);
			break;
		case 'w':
			rc = num("window", optarg, 1, FRAME_WINDOW_MAX, &o->window);
			break;
		case 'd':
			rc = num("delivery-window", optarg, 1, FRAME_WINDOW_MAX, &o->delivery_window);
			break;
		case 'u':
			o->urgent_rate = strtod(optarg, &end);
			if (*end != '\0' || !(o->urgent_rate >= 0 && o->urgent_rate <= MS_PER_S)) {
				fprintf(stderr, "%s e2e: --urgent-rate '%s' is not a rate from 0 to "
				    "%.0f a second\n", BENCH_PROGRAM, optarg, MS_PER_S);
				rc = -1;
			}
			break;
		case 'l':
			o->load = strtod(optarg, &end);
			if (*end != '\0' || !(o->load > 0 && o->load <= 1)) {
				fprintf(stderr, "%s e2e: --load '%s' is not a fraction above 0, at most 1\n",
				    BENCH_PROGRAM, optarg);
				rc = -1;
			}
			break;
		case 'j':
			o->json = 1;
			break;
		case 'k':
			o->keep = 1;
			break;
		case 'b':
			o->bin = optarg;
			break;
		case 'v':
			o->verbose = 1;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return -1;
		}
	}
	if (rc == 0 && optind != argc) {
		fprintf(stderr, "%s e2e: unexpected '%s'\n", BENCH_PROGRAM, argv[optind]);
		rc = -1;
	}
	return rc;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The nearest-rank percentile q of v[0..n), sorted here; 0 if n is 0. */
static double
percentile(double *v, size_t n, double q)
{
	size_t k;

	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	k = (size_t)ceil(q * (double)n);
	return v[k > 0 ? k - 1 : 0];
}

/* The figures, from every sender's outbox rows created from t0_ms on. */
struct figures {
	double *bulk, *urgent;
	size_t nbulk, nurgent, capbulk, capurgent;
	uint64_t first_created, last_final;
	double per_s, p50, p99, u50, u99;
};

/* Appends x to the array *v of *n (room for *cap). */
static int
push(double **v, size_t *n, size_t *cap, double x)
{
	double *p;

	if (*n == *cap) {
		if ((p = realloc(*v, (*cap ? 2 * *cap : E2E_FIGURES_FIRST) * sizeof(*p))) == NULL)
			return -1;
		*v = p;
		*cap = *cap ? 2 * *cap : E2E_FIGURES_FIRST;
	}
	(*v)[(*n)++] = x;
	return 0;
}

static int
read_outbox(const char *path, uint64_t t0_ms, uint64_t t1_ms, struct figures *fg,
    struct status *st)
{
	static const char sql[] = "SELECT urgency, created_ms, final_ms FROM outbox"
		" WHERE state = 'delivered' AND created_ms >= ?1 AND created_ms < ?2";
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	uint64_t created, final;
	double ms;
	int rc = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_busy_timeout(db, E2E_BUSY_MS) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
		status_set(st, STATUS_STORE_FAILED, "cannot read %s: %s", path, sqlite3_errmsg(db));
		goto out;
	}
	sqlite3_bind_int64(s, 1, (sqlite3_int64)t0_ms);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)t1_ms);
	while (sqlite3_step(s) == SQLITE_ROW) {
		created = (uint64_t)sqlite3_column_int64(s, 1);
		final = (uint64_t)sqlite3_column_int64(s, 2);
		ms = final >= created ? (double)(final - created) : 0;
		if (fg->first_created == 0 || created < fg->first_created)
			fg->first_created = created;
		if (final > fg->last_final)
			fg->last_final = final;
		if (sqlite3_column_int(s, 0) == E2E_URGENCY_URGENT) {
			if (push(&fg->urgent, &fg->nurgent, &fg->capurgent, ms) != 0)
				goto oom;
		} else if (push(&fg->bulk, &fg->nbulk, &fg->capbulk, ms) != 0) {
			goto oom;
		}
	}
	rc = 0;
	goto out;
oom:
	status_set(st, STATUS_STORE_FAILED, "out of memory");
out:
	sqlite3_finalize(s);
	sqlite3_close(db);
	return rc;
}

/* The figures of the messages created in [t0_ms, t1_ms). */
static int
figures(const struct e2e_run *r, uint64_t t0_ms, uint64_t t1_ms, struct figures *fg,
    struct status *st)
{
	char path[AREA_PATH_MAX];
	size_t i;

	memset(fg, 0, sizeof(*fg));
	for (i = 0; i < r->senders; i++) {
		area_agent_db(r->area, i, path);
		if (read_outbox(path, t0_ms, t1_ms, fg, st) != 0)
			return -1;
	}
	if (fg->last_final > fg->first_created)
		fg->per_s = (double)(fg->nbulk + fg->nurgent) * MS_PER_S /
		    (double)(fg->last_final - fg->first_created);
	fg->p50 = percentile(fg->bulk, fg->nbulk, PCT_50);
	fg->p99 = percentile(fg->bulk, fg->nbulk, PCT_99);
	fg->u50 = percentile(fg->urgent, fg->nurgent, PCT_50);
	fg->u99 = percentile(fg->urgent, fg->nurgent, PCT_99);
	return 0;
}

static void
print(const struct opts *o, const struct bound *b, const struct figures *sat,
    const struct figures *pac, double rate, double ratio)
{
	if (!o->json) {
		printf("e2e: saturated: %zu referrals (%d-byte payload) + %zu urgent, %ld requests at "
		       "a time, %ld sender(s) -> %ld recipient(s)\n", sat->nbulk, BOUND_PAYLOAD_BYTES,
		    sat->nurgent, o->connections, o->senders, o->recipients);
		printf("e2e: %.0f msg/s end to end = %.2f of the bound; latency p50 %.1f ms, p99 "
		       "%.1f ms; urgent p50 %.1f ms, p99 %.1f ms\n", sat->per_s, ratio, sat->p50,
		    sat->p99, sat->u50, sat->u99);
		printf("e2e: paced at %.0f msg/s (%.0f%% of that): %zu referrals + %zu urgent: latency "
		       "p50 %.1f ms, p99 %.1f ms; urgent p50 %.1f ms, p99 %.1f ms\n", rate,
		    o->load * 100, pac->nbulk, pac->nurgent, pac->p50, pac->p99, pac->u50, pac->u99);
		return;
	}
	printf("{\"bench\": \"e2e\", \"messages\": %zu, \"urgent\": %zu, \"payload_bytes\": %d, "
	       "\"connections\": %ld, \"inflight\": %ld, \"senders\": %ld, \"recipients\": %ld, \"cores\": %d, "
	       "\"sender_seal_us\": %.2f, \"broker_verify_us\": %.2f, \"recipient_open_us\": "
	       "%.2f, \"recipient_receipt_us\": %.2f, \"broker_receipt_us\": %.2f, "
	       "\"sender_receipt_us\": %.2f, \"curve_us\": %.2f, \"crypto_us\": %.2f, "
	       "\"crypto_per_s\": %.0f, \"crypto_no_curve_per_s\": %.0f, \"commit_batch\": %zu, "
	       "\"commit_ms\": %.3f, \"sqlite_per_s\": %.0f, \"bound_per_s\": %.0f, "
	       "\"e2e_per_s\": %.0f, \"ratio\": %.3f, \"saturated_p50_ms\": %.1f, "
	       "\"saturated_p99_ms\": %.1f, \"urgent_p50_ms\": %.1f, \"urgent_p99_ms\": %.1f, "
	       "\"paced_rate_per_s\": %.0f, \"paced_messages\": %zu, \"p50_ms\": %.1f, "
	       "\"p99_ms\": %.1f, \"paced_urgent_p50_ms\": %.1f, \"paced_urgent_p99_ms\": %.1f}\n",
	    sat->nbulk, sat->nurgent, BOUND_PAYLOAD_BYTES, o->connections, o->inflight, o->senders,
	    o->recipients, b->cores, b->sender_seal_us, b->broker_verify_us, b->recipient_open_us,
	    b->recipient_receipt_us, b->broker_receipt_us, b->sender_receipt_us, b->curve_us,
	    b->total_us, b->crypto_per_s, b->crypto_no_curve_per_s, b->batch, b->commit_ms,
	    b->sqlite_per_s, b->bound_per_s, sat->per_s, ratio, sat->p50, sat->p99, sat->u50,
	    sat->u99, rate, pac->nbulk, pac->p50, pac->p99, pac->u50, pac->u99);
}

static void
figures_free(struct figures *fg)
{
	free(fg->bulk);
	free(fg->urgent);
}

/* Warm-up (not measured), the saturated phase, the paced phase. */
static int
phases(const struct opts *o, struct e2e_run *r, struct figures *sat, struct figures *pac,
    double *rate, struct status *st)
{
	size_t warm = (size_t)o->messages / E2E_WARMUP_SHARE + 1;
	size_t paced = (size_t)o->messages / E2E_PACED_SHARE + 1;
	uint64_t t0, t1, t2;

	if (e2e_load_prepare(r, st) != 0 ||
	    e2e_load_phase(r, warm < E2E_WARMUP_MAX ? warm : E2E_WARMUP_MAX, (size_t)o->connections,
		0, 0, (size_t)o->inflight, &t0, st) != 0 ||
	    e2e_load_phase(r, (size_t)o->messages, (size_t)o->connections, 0, o->urgent_rate,
		(size_t)o->inflight, &t1, st) != 0 ||
	    figures(r, t1, UINT64_MAX / 2, sat, st) != 0)
		return -1;
	if (sat->per_s <= 0)
		return status_set(st, STATUS_UNAVAILABLE, "no message was delivered");
	*rate = sat->per_s * o->load;
	if (e2e_load_phase(r, paced < E2E_PACED_MIN ? E2E_PACED_MIN : paced,
		(size_t)o->connections, *rate, o->urgent_rate, (size_t)o->inflight, &t2, st) != 0 ||
	    figures(r, t2, UINT64_MAX / 2, pac, st) != 0)
		return -1;
	/* The saturated phase's figures again, without the paced phase's rows. */
	figures_free(sat);
	return figures(r, t1, t2, sat, st);
}

int
bench_e2e(int argc, char **argv)
{
	struct area_spec spec;
	struct e2e_run r;
	struct bound b;
	struct figures sat, pac;
	struct status st;
	struct opts o;
	double rate = 0;
	int rc, ret = BENCH_FAILED;

	if ((rc = parse(argc, argv, &o)) != 0)
		return rc > 0 ? BENCH_OK : BENCH_USAGE;
	memset(&sat, 0, sizeof(sat));
	memset(&pac, 0, sizeof(pac));
	memset(&spec, 0, sizeof(spec));
	spec.prefix = "agency";
	spec.n = (size_t)(o.senders + o.recipients);
	spec.agents = spec.n;
	spec.agent_window = o.window;
	spec.delivery_window = o.delivery_window;
	spec.recipient_quota = E2E_MESSAGES_MAX;
	memset(&r, 0, sizeof(r));
	r.senders = (size_t)o.senders;
	r.recipients = (size_t)o.recipients;
	proc_bin_dir(o.bin, r.bindir);
	proc_raise_nofile();
	if ((r.area = area_new(&spec, &st)) == NULL) {
		fprintf(stderr, "%s e2e: cannot make the area: %s\n", BENCH_PROGRAM, st.text);
		return BENCH_FAILED;
	}
	if (bound_measure(r.area, &b, &st) != 0) {
		fprintf(stderr, "%s e2e: measuring the bound: %s\n", BENCH_PROGRAM, st.text);
		goto out;
	}
	if (!o.json)
		bound_print(&b);
	if (e2e_load_start(&r, o.verbose, &st) != 0 ||
	    phases(&o, &r, &sat, &pac, &rate, &st) != 0) {
		fprintf(stderr, "%s e2e: %s\n", BENCH_PROGRAM, st.text);
		goto out;
	}
	print(&o, &b, &sat, &pac, rate, sat.per_s / b.bound_per_s);
	ret = BENCH_OK;
out:
	if (e2e_load_stop(&r) != 0 && ret == BENCH_OK) {
		fprintf(stderr, "%s e2e: a daemon did not stop cleanly; see %s/log\n", BENCH_PROGRAM,
		    r.area->dir);
		ret = BENCH_FAILED;
	}
	figures_free(&sat);
	figures_free(&pac);
	area_destroy(&r.area, o.keep || ret != BENCH_OK);
	return ret;
}
