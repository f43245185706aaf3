/* SPDX-License-Identifier: ISC */
/*
 * deliver: sessions and the delivery pump (see deliver.h).
 *
 * DESIGN.  A session remembers, per agency, its route (routing id and the
 * CURVE key it said HELLO with), a cursor per urgency (the highest seq of
 * that urgency sent on this route) and the items in flight.  The pump asks
 * the store for the items after each cursor, most urgent first, so sending
 * is a walk forward through each urgency's part of the agency's queue;
 * answered items leave the queue (store.c) and the flight list.  Going back
 * (a new route, a timeout) is setting cursors back: the store still has
 * every unanswered item, so nothing has to be remembered here for a resend,
 * and a broker restart loses nothing but the cursors.  Standard and routine
 * items may fill the window only up to deliver_reserve() below it, so an
 * immediate or urgent message never waits behind a full window of bulk.
 */
#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/deliver.h"
#include "broker/router.h"
#include "common/clock.h"
#include "common/log.h"

/* Sessions allocated first; the array doubles. */
#define SESSIONS_FIRST 16

/* Urgencies 1..4 (enum envelope_urgency), lane = urgency - 1. */
#define LANES URGENCY_ROUTINE

struct flight {
	uint64_t seq;
	uint64_t sent_ms;	/* monotonic */
	uint8_t lane;
};

struct session {
	char agency[IDS_AGENCY_MAX + 1];
	uint8_t rid[ROUTER_RID_MAX];
	size_t rid_len;			/* 0: no route */
	uint8_t key[DIRECTORY_CURVE_PKBYTES];
	uint32_t window;
	uint64_t cursor[LANES];		/* highest seq sent on this route */
	uint64_t high[LANES];		/* highest seq ever sent: above it is new */
	struct flight *flight;		/* window_max slots */
	uint32_t nflight;
	bool awake;			/* its queue may hold something to send */
	uint64_t last_sent_ms;		/* monotonic, anything sent */
};

struct deliver {
	struct session *s;
	size_t n, cap;
	uint32_t window_max;
	uint64_t heartbeat_ms;
};

/* What one pump of one session needs in the store's callback. */
struct pump {
	struct deliver *d;
	struct session *ss;
	void *router;
	struct auditq *aq;
	struct stats *stats;
	uint32_t limit;		/* the flight count this lane may fill up to */
	unsigned seen;
	bool stop;
};

struct deliver *
deliver_new(uint32_t window_max, uint64_t heartbeat_ms)
{
	struct deliver *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return NULL;
	d->window_max = window_max;
	d->heartbeat_ms = heartbeat_ms;
	return d;
}

void
deliver_destroy(struct deliver **dp)
{
	size_t i;

	if (dp == NULL || *dp == NULL)
		return;
	for (i = 0; i < (*dp)->n; i++)
		free((*dp)->s[i].flight);
	free((*dp)->s);
	free(*dp);
	*dp = NULL;
}

static struct session *
find(struct deliver *d, const char *agency)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (strcmp(d->s[i].agency, agency) == 0)
			return &d->s[i];
	return NULL;
}

static struct session *
add(struct deliver *d, const char *agency)
{
	struct session *grown, *ss;
	size_t cap;

	if (d->n == d->cap) {
		cap = d->cap == 0 ? SESSIONS_FIRST : d->cap * 2;
		if ((grown = realloc(d->s, cap * sizeof(*grown))) == NULL)
			return NULL;
		d->s = grown;
		d->cap = cap;
	}
	ss = &d->s[d->n];
	memset(ss, 0, sizeof(*ss));
	if ((ss->flight = calloc(d->window_max, sizeof(*ss->flight))) == NULL)
		return NULL;
	snprintf(ss->agency, sizeof(ss->agency), "%s", agency);
	d->n++;
	return ss;
}

static void
forget(struct session *ss, const char *why)
{
	if (ss->rid_len == 0)
		return;
	log_event(LOG_LEVEL_INFO, ss->agency, NULL, "route-lost", "%s", why);
	ss->rid_len = 0;
	ss->nflight = 0;
	memset(ss->cursor, 0, sizeof(ss->cursor));
}

/* Everything in flight goes back in line: each urgency's cursor moves back
 * to before its lowest seq in flight (the store still holds them all). */
static void
rewind_flights(struct session *ss)
{
	const struct flight *f;
	uint32_t i;

	for (i = 0; i < ss->nflight; i++) {
		f = &ss->flight[i];
		if (f->seq <= ss->cursor[f->lane])
			ss->cursor[f->lane] = f->seq - 1;
	}
	ss->nflight = 0;
	ss->awake = true;
}

int
deliver_hello(struct deliver *d, const char *agency, const uint8_t *rid, size_t rid_len,
    const uint8_t key[DIRECTORY_CURVE_PKBYTES], uint32_t window)
{
	struct session *ss = find(d, agency);
	int fresh = 0;
	size_t i;

	if (ss == NULL && (ss = add(d, agency)) == NULL)
		return -1;
	/* A routing id belongs to one connection: no one else's route. */
	for (i = 0; i < d->n; i++)
		if (&d->s[i] != ss && d->s[i].rid_len == rid_len &&
		    memcmp(d->s[i].rid, rid, rid_len) == 0)
			forget(&d->s[i], "its routing id now belongs to another connection");
	if (ss->rid_len != rid_len || memcmp(ss->rid, rid, rid_len) != 0) {
		/* A new connection: everything unanswered goes again. */
		memcpy(ss->rid, rid, rid_len);
		ss->rid_len = rid_len;
		memset(ss->cursor, 0, sizeof(ss->cursor));
		ss->nflight = 0;
		fresh = 1;
	}
	memcpy(ss->key, key, sizeof(ss->key));
	ss->window = window < d->window_max ? window : d->window_max;
	if (ss->nflight > ss->window)	/* a smaller window: send them again, fewer at once */
		rewind_flights(ss);
	ss->awake = true;
	ss->last_sent_ms = clock_mono_ms();
	return fresh;
}

void
deliver_seen(struct deliver *d, const char *agency, const uint8_t *rid, size_t rid_len)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (d->s[i].rid_len == rid_len && memcmp(d->s[i].rid, rid, rid_len) == 0 &&
		    strcmp(d->s[i].agency, agency) != 0) {
			log_event(LOG_LEVEL_WARN, d->s[i].agency, NULL, "route-taken",
			    "its routing id now carries traffic authenticated as %s", agency);
			forget(&d->s[i], "routing id taken by another agency's connection");
		}
}

void
deliver_done(struct deliver *d, const char *agency, uint64_t seq)
{
	struct session *ss = find(d, agency);
	uint32_t i;

	if (ss == NULL)
		return;
	for (i = 0; i < ss->nflight; i++)
		if (ss->flight[i].seq == seq) {
			ss->flight[i] = ss->flight[--ss->nflight];
			break;
		}
	ss->awake = true;
}

void
deliver_wake(struct deliver *d, const char *agency)
{
	struct session *ss = find(d, agency);

	if (ss != NULL)
		ss->awake = true;
}

void
deliver_forget(struct deliver *d, const char *agency, const uint8_t *rid, size_t rid_len)
{
	struct session *ss = find(d, agency);

	if (ss != NULL && ss->rid_len == rid_len && memcmp(ss->rid, rid, rid_len) == 0)
		forget(ss, "its key is no longer in the directory");
}

void
deliver_revoke(struct deliver *d, const struct directory *dir)
{
	const struct directory_agency *a;
	size_t i;

	for (i = 0; i < d->n; i++) {
		a = directory_find(dir, d->s[i].agency);
		if (a == NULL || memcmp(a->curve_pk, d->s[i].key, sizeof(d->s[i].key)) != 0)
			forget(&d->s[i], "its key is no longer in the directory");
	}
}

uint32_t
deliver_reserve(uint32_t window)
{
	return window >= DELIVER_RESERVE_FROM ? DELIVER_URGENT_RESERVE : 0;
}

size_t
deliver_routes(const struct deliver *d)
{
	size_t i, n = 0;

	for (i = 0; i < d->n; i++)
		n += d->s[i].rid_len != 0;
	return n;
}

/* Sends one frame to ss's route; on failure decides what it means. */
static int
send_to(struct pump *p, const struct frame *f, const uint8_t *env, size_t env_len)
{
	struct session *ss = p->ss;

	if (router_send(p->router, ss->rid, ss->rid_len, f, env, env_len) == 0) {
		ss->last_sent_ms = clock_mono_ms();
		return 0;
	}
	if (zmq_errno() == EAGAIN) {
		stats_inc(p->stats, STATS_BACKPRESSURE);	/* slow: next tick */
	} else if (zmq_errno() == EHOSTUNREACH) {
		stats_inc(p->stats, STATS_UNROUTABLE);
		forget(ss, "connection gone (EHOSTUNREACH); the queue waits for its next HELLO");
	} else {
		log_event(LOG_LEVEL_WARN, ss->agency, NULL, "send-failed", "%s",
		    zmq_strerror(zmq_errno()));
	}
	p->stop = true;
	return -1;
}

static int
send_item(const struct store_item *it, void *arg)
{
	struct pump *p = arg;
	struct session *ss = p->ss;
	char id[IDS_MSGID_TEXT + 1];
	struct frame f;
	unsigned lane = it->m.urgency - 1u;
	bool again;
	int rc;

	assert(lane < LANES);	/* the store's CHECK */
	again = it->seq <= ss->high[lane];
	p->seen++;
	memset(&f, 0, sizeof(f));
	f.seq = it->seq;
	if (it->kind == STORE_ITEM_DELIVER) {
		f.command = FRAME_DELIVER;
		f.time_ms = it->m.accepted_ms;
		rc = send_to(p, &f, it->envelope, it->envelope_len);
	} else {
		f.command = FRAME_OUTCOME;
		memcpy(f.id, it->m.id, sizeof(f.id));
		f.code = it->m.code;
		snprintf(f.text, sizeof(f.text), "%s", it->m.text);
		f.time_ms = it->m.final_ms;
		rc = send_to(p, &f, NULL, 0);
	}
	if (rc == -1)
		return 1;
	ss->flight[ss->nflight].seq = it->seq;
	ss->flight[ss->nflight].sent_ms = ss->last_sent_ms;
	ss->flight[ss->nflight].lane = (uint8_t)lane;
	ss->nflight++;
	ss->cursor[lane] = it->seq;
	if (it->seq > ss->high[lane])
		ss->high[lane] = it->seq;
	stats_inc(p->stats, it->kind == STORE_ITEM_OUTCOME ? STATS_OUTCOMES :
	    again ? STATS_REDELIVERIES : STATS_DELIVERIES);
	ids_msgid_format(it->m.id, id);
	log_event(LOG_LEVEL_INFO, ss->agency, id,
	    it->kind == STORE_ITEM_DELIVER ? "deliver" : "outcome", "seq=%llu%s%s",
	    (unsigned long long)it->seq, again ? " again" : "",
	    it->kind == STORE_ITEM_OUTCOME ? (it->m.code == STATUS_EXPIRED ? " expired" :
		" rejected") : "");
	if (auditq_push(p->aq, it->kind == STORE_ITEM_DELIVER ? "delivered" : "outcome",
		ss->agency, it->m.id, "seq=%llu code=%u%s", (unsigned long long)it->seq,
		it->m.code, again ? " again" : "") == -1)
		stats_inc(p->stats, STATS_AUDIT_LOST);
	return ss->nflight >= p->limit;
}

/* Puts everything in flight for longer than the timeout back in line. */
static void
expire_flights(struct session *ss, uint64_t now)
{
	uint32_t i;

	for (i = 0; i < ss->nflight; i++)
		if (now - ss->flight[i].sent_ms >= DELIVER_TIMEOUT_MS) {
			rewind_flights(ss);
			return;
		}
}

static void
pump_one(struct deliver *d, struct session *ss, void *router, struct store *s,
    struct auditq *aq, struct stats *stats, uint64_t now)
{
	struct pump p = {d, ss, router, aq, stats, 0, 0, false};
	uint32_t room, reserve = deliver_reserve(ss->window);
	bool full = false;
	struct status st;
	struct frame f;
	unsigned lane;

	expire_flights(ss, now);
	for (lane = 0; ss->awake && !p.stop && lane < LANES; lane++) {
		p.limit = ss->window - (lane + 1 >= URGENCY_STANDARD ? reserve : 0);
		if (ss->nflight >= p.limit) {
			full = true;
			continue;
		}
		room = p.limit - ss->nflight;
		p.seen = 0;
		if (store_queue_next(s, ss->agency, (int)lane + 1, ss->cursor[lane], room,
			send_item, &p, &st) == -1) {
			log_event(LOG_LEVEL_WARN, ss->agency, NULL, "store-failed", "%s", st.text);
			return;
		}
		full = full || p.seen >= room;
	}
	/* Every lane gave fewer than asked for, and no send refused: all sent. */
	if (ss->awake && !p.stop && !full)
		ss->awake = false;
	if (ss->rid_len != 0 && now - ss->last_sent_ms >= d->heartbeat_ms) {
		memset(&f, 0, sizeof(f));
		f.command = FRAME_PING;
		f.time_ms = clock_now_ms();
		send_to(&p, &f, NULL, 0);
	}
}

void
deliver_pump(struct deliver *d, void *router, struct store *s, struct auditq *aq,
    struct stats *stats)
{
	uint64_t now = clock_mono_ms();
	size_t i;

	for (i = 0; i < d->n; i++)
		if (d->s[i].rid_len != 0)
			pump_one(d, &d->s[i], router, s, aq, stats, now);
}
