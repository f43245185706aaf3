/* SPDX-License-Identifier: ISC */
/*
 * loop: the broker's one thread.  Each turn polls the ROUTER, the ZAP
 * handler, the socket monitor, the stats socket and the signalfd, then:
 * answers ZAP requests at once (every handshake waits on them), takes up to
 * BROKER_BATCH_MAX messages from the ROUTER and admits them all inside ONE
 * transaction together with the queued audit events, the expiry pass and
 * the deadline timers that fell due (escalate.c), commits, and only then
 * sends the replies, logs and pumps deliveries.  Timers run after the
 * messages of their batch, so an answer that arrives in the same batch as
 * its deadline still cancels the escalation.  Under
 * load that is one fsync per batch instead of one per message; when the
 * commit fails every SEND and RECEIPT of the batch is answered 451 and
 * nothing is lost, because nothing was acknowledged.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <zmq.h>

#include "broker/admit.h"
#include "broker/broker.h"
#include "broker/escalate.h"
#include "broker/expire.h"
#include "broker/loop.h"
#include "broker/monitor.h"
#include "broker/retention.h"
#include "broker/router.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/sdnotify.h"

enum { POLL_ROUTER, POLL_ZAP, POLL_MONITOR, POLL_STATS, POLL_SIGNAL, POLL_COUNT };

/* Reads the signals waiting on the signalfd: 1 to stop. */
static int
signals(struct broker *b)
{
	struct signalfd_siginfo si;
	int stop = 0;

	while (read(b->signal_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP)
			broker_reload(b);
		else
			stop = 1;
	}
	return stop;
}

static void
serve_stats(struct broker *b)
{
	struct deadline_counts dc;
	struct store_counts sc;
	struct status st;
	struct stats_gauge g[] = {
		{"routes", deliver_routes(b->deliver)},
		{"uptime_s", (clock_now_ms() - b->started_ms) / 1000},
		{"audit_pending", auditq_pending(b->auditq)},
		{"messages_queued", 0},
		{"messages_delivered", 0},
		{"messages_failed", 0},
		{"queue_items", 0},
		{"deadlines_pending", 0},
		{"deadlines_overdue", 0},
		{"deadlines_met", 0},
		{"deadlines_late", 0},
		{"timers_pending", 0},
		{"reminders_sent", 0},
		{"escalations_sent", 0},
	};

	if (store_count(b->store, &sc, &st) == 0) {
		g[3].value = sc.queued;
		g[4].value = sc.delivered;
		g[5].value = sc.failed;
		g[6].value = sc.pending_items;
	}
	if (deadline_count(b->store, clock_now_ms(), &dc, &st) == 0) {
		g[7].value = dc.pending;
		g[8].value = dc.overdue;
		g[9].value = dc.met;
		g[10].value = dc.late;
		g[11].value = dc.timers_pending;
		g[12].value = dc.reminders_sent;
		g[13].value = dc.escalations_sent;
	}
	stats_serve(b->stats_fd, &b->stats, g, sizeof(g) / sizeof(g[0]));
}

/* Closes the current window of loud errors: a summary of the ones it did
 * not log one by one (admit.c) is logged and queued for the audit log. */
static void
close_window(struct broker *b, struct admit_batch *batch)
{
	if (batch->quiet > 0) {
		log_event(LOG_LEVEL_WARN, NULL, NULL, "flood",
		    "%u more errors and refusals were answered but not logged one by one",
		    batch->quiet);
		if (auditq_push(b->auditq, "flood", NULL, NULL,
		    "%u errors and refusals answered, not audited one by one", batch->quiet) == -1)
			stats_inc(&b->stats, STATS_AUDIT_LOST);
	}
	batch->loud_since = clock_mono_ms();
	batch->loud = 0;
	batch->quiet = 0;
}

/* A reply the rollback made untrue becomes "retry". */
static void
retry_later(struct frame *f)
{
	f->code = STATUS_STORE_FAILED;
	snprintf(f->text, sizeof(f->text),
	    "the broker could not store it; retry with the same bytes");
	f->checkpoint[0] = '\0';	/* a countersignature not stored */
}

/* After the commit (committed = 1) or the rollback (0): every reply goes
 * out, never blocking, and the sessions learn what is now on disk. */
static void
answer(struct broker *b, struct admit_batch *batch, int committed)
{
	struct admit_item *it;
	char id[IDS_MSGID_TEXT + 1];
	size_t i;

	for (i = 0; i < batch->n; i++) {
		it = &batch->item[i];
		if (it->has_reply && it->durable && !committed)
			retry_later(&it->reply);
		if (it->has_reply &&
		    router_send(b->router, it->rid, it->rid_len, &it->reply, NULL, 0) == -1) {
			/* Gone or not reading: it will send again. */
			stats_inc(&b->stats, STATS_REPLIES_LOST);
			if (batch->loud++ < ADMIT_LOUD_MAX)
				log_event(LOG_LEVEL_WARN, it->agency, NULL, "reply-lost",
				    "%s %u not sent: %s; the agent asks again",
				    frame_command_name(it->reply.command), it->reply.code,
				    zmq_strerror(zmq_errno()));
			else
				batch->quiet++;
		}
		if (!committed)
			continue;
		if (it->event != NULL) {
			if (it->has_id)
				ids_msgid_format(it->id, id);
			log_event(LOG_LEVEL_INFO, it->agency, it->has_id ? id : NULL, it->event,
			    "%s", it->detail);
			stats_inc(&b->stats, (enum stats_counter)it->counter);
		}
		if (it->deadline[0] != '\0') {
			ids_msgid_format(it->id, id);
			log_event(LOG_LEVEL_INFO, it->agency, it->has_id ? id : NULL, "deadline",
			    "%s", it->deadline);
		}
		if (it->has_done)
			deliver_done(b->deliver, it->agency, it->done_seq);
		if (it->wake[0] != '\0')
			deliver_wake(b->deliver, it->wake);
	}
}

/* Takes messages from the ROUTER into the open transaction: the number
 * admitted, or -1 (st 451) if the store failed part-way. */
static int
take(struct broker *b, struct admit_batch *batch, uint64_t now, struct status *st)
{
	struct router_msg m;
	int rc;

	while (batch->n < BROKER_BATCH_MAX && (rc = router_recv(b->router, &m)) == 1) {
		rc = admit_message(b, &m, batch, now, st);
		router_msg_close(&m);
		if (rc == -1)
			return -1;
	}
	return (int)batch->n;
}

/* After the commit: what the timers became, logged, and the agencies told
 * woken for their notices. */
static void
fired(struct broker *b, const struct escalate_fired *f, unsigned n)
{
	char about[IDS_MSGID_TEXT + 1], notice[IDS_MSGID_TEXT + 1];
	unsigned i;

	for (i = 0; i < n; i++) {
		ids_msgid_format(f[i].about, about);
		if (f[i].state != DEADLINE_TIMER_FIRED) {
			log_event(LOG_LEVEL_WARN, f[i].told, about, "notice-not-sent", "%s",
			    f[i].why);
			continue;
		}
		ids_msgid_format(f[i].notice, notice);
		log_event(LOG_LEVEL_INFO, f[i].told, about,
		    deadline_timer_kind_name(f[i].kind), "%s notice=%s",
		    deadline_step_name(f[i].step), notice);
		stats_inc(&b->stats, f[i].kind == DEADLINE_TIMER_REMINDER ? STATS_REMINDERS :
		    STATS_ESCALATIONS);
		deliver_wake(b->deliver, f[i].told);
	}
}

/* The deadline timers due now, inside the open transaction. */
static int
timers(struct broker *b, uint64_t now, struct escalate_fired *f, unsigned *n,
    struct status *st)
{
	struct deadline_env d = {b->store, b->dir, policy_deadlines(b->policy), b->cals};
	struct escalate_env e = {&d, b->policy, b->keys};

	return escalate_run(&e, now, f, ESCALATE_BATCH, n, st);
}

/* One transaction: queued audit events, a batch of messages, expiry,
 * deadline timers. */
static void
batch_once(struct broker *b, struct admit_batch *batch, int readable, uint64_t *next_expiry)
{
	static struct escalate_fired f[ESCALATE_BATCH];
	struct db *db = store_db(b->store);
	struct status st;
	uint64_t now = clock_now_ms();
	int expire = now >= *next_expiry;
	unsigned nf = 0;

	batch->n = 0;
	if (clock_mono_ms() - batch->loud_since >= ADMIT_LOUD_WINDOW_MS)
		close_window(b, batch);
	if (!readable && !expire && auditq_pending(b->auditq) == 0)
		return;
	/* Nothing is taken from the ROUTER before the write lock is held:
	 * if the database is busy the messages wait in the socket. */
	if (db_begin(db, &st) == -1) {
		log_event(LOG_LEVEL_WARN, NULL, NULL, "store-failed", "%s", st.text);
		stats_inc(&b->stats, STATS_STORE_FAILURES);
		return;
	}
	if (auditq_flush(b->auditq, db, &st) == -1 ||
	    (readable && take(b, batch, now, &st) == -1) ||
	    (expire && expire_run(b->store, now, b->deliver, &b->stats, &st) == -1) ||
	    (expire && timers(b, now, f, &nf, &st) == -1) ||
	    db_commit(db, &st) == -1) {
		db_rollback(db, NULL);
		stats_inc(&b->stats, STATS_STORE_FAILURES);
		log_event(LOG_LEVEL_WARN, NULL, NULL, "store-failed",
		    "%s; %zu messages answered 451", st.text, batch->n);
		answer(b, batch, 0);
		return;
	}
	if (expire)
		*next_expiry = now + EXPIRE_INTERVAL_MS;
	auditq_clear(b->auditq);
	stats_inc(&b->stats, STATS_BATCHES);
	answer(b, batch, 1);
	fired(b, f, nf);
}

/* 1 if the ROUTER has a message waiting (zmq_poll said so, or a full batch
 * left more behind). */
static int
router_ready(struct broker *b, short revents)
{
	int events = 0;
	size_t len = sizeof(events);

	if (revents & ZMQ_POLLIN)
		return 1;
	if (zmq_getsockopt(b->router, ZMQ_EVENTS, &events, &len) == -1)
		return 0;
	return (events & ZMQ_POLLIN) != 0;
}

int
loop_run(struct broker *b)
{
	zmq_pollitem_t items[POLL_COUNT];
	struct admit_batch *batch = calloc(1, sizeof(*batch));
	uint64_t next_expiry = 0, watchdog = sdnotify_watchdog_interval_ms(), pinged = 0;
	uint64_t next_purge = 0;
	struct status st;
	unsigned purged;
	int rc, stop = 0, written;

	if (batch == NULL) {
		log_event(LOG_LEVEL_FATAL, NULL, NULL, "failed", "out of memory for the batch");
		return -1;
	}
	memset(items, 0, sizeof(items));
	items[POLL_ROUTER].socket = b->router;
	items[POLL_ZAP].socket = zap_socket(b->zap);
	items[POLL_MONITOR].socket = b->monitor;
	items[POLL_STATS].fd = b->stats_fd;
	items[POLL_SIGNAL].fd = b->signal_fd;
	for (rc = 0; rc < POLL_COUNT; rc++)
		items[rc].events = ZMQ_POLLIN;
	while (!stop) {
		rc = zmq_poll(items, POLL_COUNT, BROKER_TICK_MS);
		if (rc == -1 && zmq_errno() != EINTR) {
			log_event(LOG_LEVEL_FATAL, NULL, NULL, "failed", "zmq_poll: %s",
			    zmq_strerror(zmq_errno()));
			free(batch);
			return -1;
		}
		if (rc > 0 && (items[POLL_SIGNAL].revents & ZMQ_POLLIN))
			stop = signals(b);
		zap_handle(b->zap, b->dir, b->auditq, &b->stats);
		monitor_handle(b->monitor, b->zap, b->auditq, &b->stats);
		if (rc > 0 && (items[POLL_STATS].revents & ZMQ_POLLIN))
			serve_stats(b);
		batch_once(b, batch, router_ready(b, rc > 0 ? items[POLL_ROUTER].revents : 0),
		    &next_expiry);
		deliver_pump(b->deliver, b->router, b->store, b->auditq, &b->stats);
		/* After the turn's transactions (a checkpoint is its own); the
		 * tick bounds how late a timed one is. */
		if (checkpointer_poll(b->checkpoints, &written, &st) == -1)
			log_event(LOG_LEVEL_WARN, NULL, NULL, "checkpoint-failed", "%s", st.text);
		if (retention_poll(b->store, &b->conf->retention, clock_now_ms(), &next_purge,
			&purged, &st) == -1)
			log_event(LOG_LEVEL_WARN, NULL, NULL, "retention-failed", "%s", st.text);
		/* systemd's watchdog: the loop is turning (at least every tick). */
		if (watchdog > 0 && clock_mono_ms() - pinged >= watchdog) {
			sdnotify_watchdog_ping();
			pinged = clock_mono_ms();
		}
	}
	close_window(b, batch);
	free(batch);
	return 0;
}
