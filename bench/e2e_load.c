/* SPDX-License-Identifier: ISC */
/*
 * e2e_load: running the daemons and the load (see e2e_load.h).
 *
 * Every bulk request is the same bytes (the agent gives each message its
 * own id and, with no --case, its own case id), so making the load costs
 * nothing per message here: what is measured is the agents and the broker.
 * The referral's summary is padded so that the encoded payload, the
 * plaintext that is sealed, is BOUND_PAYLOAD_BYTES.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "agents/ctlmsg.h"
#include "bench/bound.h"
#include "bench/ctlsend.h"
#include "bench/e2e_load.h"
#include "proto/payload.h"

#define MS_PER_S 1000.0
#define NS_PER_MS 1000000
#define FIELDS 12
#define TAG_BULK 0
#define TAG_URGENT 1

/* A referral's fields, as `dutynet send` would pass them. */
static const char *const field_keys[FIELDS] = {"type", "to", "urgency", "child-name", "dob",
	"category", "summary", "referrer-name", "referrer-role", "referrer-contact",
	"lawful-basis", "consent"};
static const char *const field_values[FIELDS] = {"referral", NULL, NULL, "Ann Example",
	"2015-03-02", "neglect", NULL, "Sam Patel", "Designated Safeguarding Lead",
	"01632 960101", "Children Act 1989 s17", "yes"};

/* The load's state while it runs. */
struct load {
	struct e2e_run *r;
	long answered, refused;
	int bad_code;
	int urgent_busy;
};

static uint64_t
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / NS_PER_MS;
}

/* The summary length that makes the encoded referral BOUND_PAYLOAD_BYTES. */
static size_t
summary_len(void)
{
	static uint8_t buf[2 * BOUND_PAYLOAD_BYTES];
	struct payload p;
	struct payload_text *t[] = {&p.u.referral.child_name, &p.u.referral.child_dob,
		&p.u.referral.category, &p.u.referral.summary, &p.u.referral.referrer_name,
		&p.u.referral.referrer_role, &p.u.referral.referrer_contact,
		&p.u.referral.lawful_basis};
	const int which[] = {3, 4, 5, 6, 7, 8, 9, 10};
	struct status st;
	size_t i, len = 0, want = BOUND_PAYLOAD_BYTES / 2;
	static char summary[BOUND_PAYLOAD_BYTES];
	int round;

	memset(summary, 'x', sizeof(summary));
	for (round = 0; round < 2; round++) {
		memset(&p, 0, sizeof(p));
		p.type = 1;
		for (i = 0; i < sizeof(which) / sizeof(which[0]); i++) {
			t[i]->s = which[i] == 6 ? summary : field_values[which[i]];
			t[i]->len = (uint32_t)(which[i] == 6 ? want : strlen(field_values[which[i]]));
		}
		p.u.referral.consent_sought = true;
		if (payload_encode(&p, buf, sizeof(buf), &len, &st) != 0)
			return want;
		want = want + BOUND_PAYLOAD_BYTES - len;
	}
	return want;
}

/* The request of sender i (urgency "standard" or "urgent"). */
static int
request(const struct e2e_run *r, size_t from, const char *urgency, uint8_t **out, size_t *len,
    struct status *st)
{
	struct ctlmsg_arg args[FIELDS];
	size_t i, slen = summary_len();
	char *summary = malloc(slen + 1);
	int rc;

	if (summary == NULL)
		return status_set(st, STATUS_STORE_FAILED, "out of memory");
	memset(summary, 'x', slen);
	memcpy(summary, "Benchmark referral. ", strlen("Benchmark referral. "));
	summary[slen] = '\0';
	for (i = 0; i < FIELDS; i++) {
		args[i].key = (char *)field_keys[i];
		args[i].value = (char *)field_values[i];
	}
	args[1].value = (char *)r->area->ids[r->senders + from % r->recipients];
	args[2].value = (char *)urgency;
	args[6].value = summary;
	rc = ctlmsg_request_encode("send", args, FIELDS, out, len, st);
	free(summary);
	return rc;
}

int
e2e_load_start(struct e2e_run *r, int verbose, struct status *st)
{
	size_t i, n = r->senders + r->recipients;

	if (proc_start_broker(&r->broker, r->bindir, r->area, st) != 0)
		return -1;
	if (verbose)
		fprintf(stderr, "dutynet-bench: broker pid %d, area %s\n", (int)r->broker.pid,
		    r->area->dir);
	for (i = 0; i < n; i++) {
		if (proc_start_agent(&r->agents[i], r->bindir, r->area, i, 1, st) != 0)
			return -1;
		if (verbose)
			fprintf(stderr, "dutynet-bench: agent %s pid %d\n", r->area->ids[i],
			    (int)r->agents[i].pid);
	}
	return 0;
}

int
e2e_load_stop(struct e2e_run *r)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < r->senders + r->recipients; i++)
		rc |= proc_stop(&r->agents[i]);
	rc |= proc_stop(&r->broker);
	for (i = 0; i < r->senders; i++)
		free(r->bulk[i]);
	free(r->urgent);
	return rc;
}

static void
on_done(void *arg, int tag, int code)
{
	struct load *l = arg;

	if (tag == TAG_URGENT)
		l->urgent_busy = 0;
	if (code == STATUS_OK) {
		l->answered++;
		return;
	}
	l->refused++;
	if (l->bad_code == 0)
		l->bad_code = code;
}

static int count_final(const struct e2e_run *r, uint64_t t0, long *delivered, long *failed,
    struct status *st);
static int count_pending(const struct e2e_run *r, uint64_t t0, long *pending,
    struct status *st);

/* Sends n bulk requests, conns at a time, and an urgent one every
 * 1/urgent_rate s meanwhile; with inflight > 0, never more than that many
 * sent since t0_ms and not yet delivered (the senders' outboxes are
 * counted every E2E_COUNT_MS).  -1 and st if a request is refused. */
static int
drive(struct load *l, size_t n, size_t conns, double rate, double urgent_rate, size_t inflight,
    uint64_t t0_ms, struct status *st)
{
	double next_count = 0;
	long delivered = 0, pending = 0;

	struct ctlsend cs;
	struct pollfd pfd[CTLSEND_SLOTS_MAX];
	double t0 = proc_now_ms(), next_urgent = t0, next_bulk, now;
	double gap = urgent_rate > 0 ? MS_PER_S / urgent_rate : 0;
	double bulk_gap = rate > 0 ? MS_PER_S / rate : 0;
	size_t started = 0, np, s;
	int wait, ret = -1;

	ctlsend_init(&cs);
	while (started < n || cs.active > 0) {
		/* Paced (rate > 0): the k-th request is due at t0 + k / rate. */
		if (inflight > 0 && proc_now_ms() >= next_count) {
			next_count = proc_now_ms() + E2E_COUNT_MS;
			if (count_pending(l->r, t0_ms, &pending, st) != 0)
				goto out;
			/* Committed by the agents and no longer waiting for its
			 * outcome (a failure stops the run in await). */
			delivered = l->answered - pending;
		}
		while (started < n && cs.active < conns + (size_t)l->urgent_busy &&
		    (bulk_gap == 0 || proc_now_ms() >= t0 + (double)started * bulk_gap) &&
		    (inflight == 0 || started < (size_t)delivered + inflight)) {
			s = started % l->r->senders;
			if (ctlsend_start(&cs, l->r->sock[s], l->r->bulk[s], l->r->bulk_len[s], TAG_BULK,
			    st) != 0)
				goto out;
			started++;
		}
		if (gap > 0 && started < n && !l->urgent_busy && proc_now_ms() >= next_urgent) {
			if (ctlsend_start(&cs, l->r->sock[0], l->r->urgent, l->r->urgent_len, TAG_URGENT,
			    st) != 0)
				goto out;
			l->urgent_busy = 1;
			/* A steady rate; after a stall, no burst to catch up. */
			next_urgent += gap;
			if (next_urgent < proc_now_ms())
				next_urgent = proc_now_ms() + gap;
		}
		np = ctlsend_pollfds(&cs, pfd);
		/* Wake for the next urgent one (unless one is still out) and the
		 * next paced one, and at least every E2E_POLL_MAX_MS. */
		wait = inflight > 0 ? E2E_COUNT_MS : E2E_POLL_MAX_MS;
		now = proc_now_ms();
		if (gap > 0 && started < n && !l->urgent_busy && next_urgent - now < wait)
			wait = next_urgent > now ? (int)(next_urgent - now) : 0;
		next_bulk = t0 + (double)started * bulk_gap;
		if (bulk_gap > 0 && started < n && next_bulk - now < wait)
			wait = next_bulk > now ? (int)(next_bulk - now) : 0;
		if (poll(pfd, np, wait) < 0)
			continue;
		ctlsend_io(&cs, pfd, np, on_done, l);
		if (l->refused > 0) {
			status_set(st, STATUS_REJECTED, "the agent refused a send with %d; see %s/log",
			    l->bad_code, l->r->area->dir);
			goto out;
		}
	}
	ret = 0;
out:
	ctlsend_clear(&cs);
	return ret;
}

/* Counts the senders' messages created from t0 on that are delivered, and
 * those that failed. */
static int
count_final(const struct e2e_run *r, uint64_t t0, long *delivered, long *failed,
    struct status *st)
{
	static const char sql[] = "SELECT count(*) FILTER (WHERE state = 'delivered'),"
		" count(*) FILTER (WHERE state = 'failed') FROM outbox WHERE created_ms >= ?1";
	char path[AREA_PATH_MAX];
	sqlite3 *db;
	sqlite3_stmt *s;
	size_t i;
	int ok;

	*delivered = *failed = 0;
	for (i = 0; i < r->senders; i++) {
		area_agent_db(r->area, i, path);
		db = NULL;
		s = NULL;
		ok = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
		    sqlite3_busy_timeout(db, E2E_BUSY_MS) == SQLITE_OK &&
		    sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK &&
		    sqlite3_bind_int64(s, 1, (sqlite3_int64)t0) == SQLITE_OK &&
		    sqlite3_step(s) == SQLITE_ROW;
		if (ok) {
			*delivered += sqlite3_column_int64(s, 0);
			*failed += sqlite3_column_int64(s, 1);
		} else {
			status_set(st, STATUS_STORE_FAILED, "cannot read %s: %s", path,
			    sqlite3_errmsg(db));
		}
		sqlite3_finalize(s);
		sqlite3_close(db);
		if (!ok)
			return -1;
	}
	return 0;
}

/* Counts the senders' messages created from t0 on that still wait for
 * their outcome (queued or accepted).  The outbox's partial index on those
 * states makes this O(waiting), not O(outbox): counting every row every
 * E2E_COUNT_MS kept the load's own loop busy reading the whole outbox and
 * starved the requests it is meant to keep in flight. */
static int
count_pending(const struct e2e_run *r, uint64_t t0, long *pending, struct status *st)
{
	static const char sql[] = "SELECT count(*) FROM outbox"
		" WHERE state IN ('queued','accepted') AND created_ms >= ?1";
	char path[AREA_PATH_MAX];
	sqlite3 *db;
	sqlite3_stmt *s;
	size_t i;
	int ok;

	*pending = 0;
	for (i = 0; i < r->senders; i++) {
		area_agent_db(r->area, i, path);
		db = NULL;
		s = NULL;
		ok = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
		    sqlite3_busy_timeout(db, E2E_BUSY_MS) == SQLITE_OK &&
		    sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK &&
		    sqlite3_bind_int64(s, 1, (sqlite3_int64)t0) == SQLITE_OK &&
		    sqlite3_step(s) == SQLITE_ROW;
		if (ok)
			*pending += sqlite3_column_int64(s, 0);
		else
			status_set(st, STATUS_STORE_FAILED, "cannot read %s: %s", path,
			    sqlite3_errmsg(db));
		sqlite3_finalize(s);
		sqlite3_close(db);
		if (!ok)
			return -1;
	}
	return 0;
}

/* Waits until want messages from t0 on are delivered: until none waits for
 * its outcome (cheap, see count_pending), then counts the outcomes once. */
static int
await(const struct e2e_run *r, uint64_t t0, long want, struct status *st)
{
	struct timespec step = { 0, E2E_WAIT_STEP_MS * NS_PER_MS };
	double end = proc_now_ms() + E2E_DRAIN_MS + (double)want * E2E_DRAIN_PER_MSG_MS;
	long delivered, failed, pending;

	for (;;) {
		if (count_pending(r, t0, &pending, st) != 0)
			return -1;
		if (pending > 0 && proc_now_ms() <= end) {
			nanosleep(&step, NULL);
			continue;
		}
		if (count_final(r, t0, &delivered, &failed, st) != 0)
			return -1;
		if (failed > 0)
			return status_set(st, STATUS_REJECTED, "%ld messages failed; see the senders' "
			    "outbox and %s/log", failed, r->area->dir);
		if (delivered >= want)
			return 0;
		if (proc_now_ms() > end)
			return status_set(st, STATUS_UNAVAILABLE, "only %ld of %ld messages came back "
			    "delivered in time; see %s/log", delivered, want, r->area->dir);
		nanosleep(&step, NULL);
	}
}

int
e2e_load_prepare(struct e2e_run *r, struct status *st)
{
	size_t i;

	for (i = 0; i < r->senders; i++) {
		snprintf(r->sock[i], sizeof(r->sock[i]), "%s/run/%s/control.sock", r->area->dir,
		    r->area->ids[i]);
		if (request(r, i, "standard", &r->bulk[i], &r->bulk_len[i], st) != 0)
			return -1;
	}
	return request(r, 0, "urgent", &r->urgent, &r->urgent_len, st);
}

int
e2e_load_phase(struct e2e_run *r, size_t n, size_t conns, double rate, double urgent_rate,
    size_t inflight, uint64_t *t0_ms, struct status *st)
{
	struct load l;

	memset(&l, 0, sizeof(l));
	l.r = r;
	/* created_ms of this phase's messages is at least t0 (same clock),
	 * and later than any earlier phase's. */
	*t0_ms = wall_ms() + 1;
	while (wall_ms() < *t0_ms)
		;
	if (drive(&l, n, conns, rate, urgent_rate, inflight, *t0_ms, st) != 0)
		return -1;
	r->submitted = l.answered;
	return await(r, *t0_ms, l.answered, st);
}
