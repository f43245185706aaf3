/* SPDX-License-Identifier: ISC */
/*
 * transmit: sending due outbox messages (see transmit.h).
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "agents/link.h"
#include "agents/outbox.h"
#include "agents/transmit.h"
#include "common/backoff.h"
#include "common/clock.h"
#include "common/log.h"

/* The window is full: the next try waits for a RESULT (which kicks), or
 * AGENT_POLL_MAX_MS at most, when resends may have fallen due. */
static void
full(struct agent *a)
{
	a->send_full_mono = clock_mono_ms() + AGENT_POLL_MAX_MS;
}

int
transmit_due(struct agent *a)
{
	struct outbox_due *items = NULL;
	struct outbox_msg m;
	struct status st;
	struct frame f;
	uint64_t now = clock_now_ms(), delay;
	size_t n = 0, i, sent = 0, flying = 0, room;
	int *ok = NULL, more = 0;

	a->kick = false;
	if (link_state(a->link) != LINK_READY || clock_mono_ms() < a->send_pause_mono)
		return 0;
	if (outbox_in_flight(a->db, now, a->flush_ms, &flying, &st) != 0) {
		log_event(LOG_LEVEL_WARN, NULL, NULL, "store-failed", "%s", st.text);
		return 0;
	}
	a->send_full_mono = 0;
	if (flying >= TRANSMIT_WINDOW) {
		full(a);
		return 0;
	}
	room = TRANSMIT_WINDOW - flying < AGENT_SEND_BATCH ? TRANSMIT_WINDOW - flying :
	    AGENT_SEND_BATCH;
	if (outbox_next_due(a->db, now, a->flush_ms, room, &items, &n, &st) != 0) {
		log_event(LOG_LEVEL_WARN, NULL, NULL, "store-failed", "%s", st.text);
		return 0;
	}
	if (n == 0)
		goto out;
	if ((ok = calloc(n, sizeof(*ok))) == NULL)
		goto out;
	memset(&f, 0, sizeof(f));
	f.command = FRAME_SEND;
	for (i = 0; i < n; i++) {
		/* Most urgent first (outbox_next_due): bulk stops short of the
		 * places kept for urgent messages, and stays due. */
		if (items[i].urgency >= URGENCY_STANDARD &&
		    flying + sent >= TRANSMIT_WINDOW - TRANSMIT_URGENT_RESERVE) {
			full(a);
			break;
		}
		if (link_send(a->link, &f, items[i].envelope, items[i].len) != 0)
			break;	/* not connected or full: the rest stays due */
		ok[i] = 1;
		sent++;
	}
	if (sent == 0 && a->send_full_mono != 0)
		goto out;
	if (sent == 0) {
		/* The session just dropped, or the pipe is full: do not spin. */
		a->send_pause_mono = clock_mono_ms() + AGENT_SEND_PAUSE_MS;
		goto out;
	}
	if (db_begin(a->db, &st) != 0)
		goto fail;
	for (i = 0; i < n; i++) {
		if (!ok[i])
			continue;
		if (outbox_get(a->db, items[i].id, &m, &st) != 1)
			continue;
		if (items[i].state == OUTBOX_QUEUED)
			delay = backoff_ms((uint64_t)a->settings->retry_initial_ms,
			    (uint64_t)a->settings->retry_max_ms, m.attempts + 1, randombytes_random());
		else
			delay = OUTBOX_RECHECK_MS;
		if (outbox_mark_sent(a->db, items[i].id, now, delay, &st) != 0)
			goto fail;
	}
	if (db_commit(a->db, &st) != 0)
		goto fail;
	more = a->send_full_mono == 0 && ((n == room && sent == n) || sent < n);
	goto out;
fail:
	db_rollback(a->db, NULL);
	log_event(LOG_LEVEL_WARN, NULL, NULL, "store-failed", "%s; the sends are not recorded and "
	    "will be repeated", st.text);
out:
	free(ok);
	outbox_due_free(&items, n);
	return more;
}

uint64_t
transmit_wait_ms(struct agent *a)
{
	struct status st;
	uint64_t when, now = clock_now_ms();
	int rc;

	if (link_state(a->link) != LINK_READY)
		return AGENT_POLL_MAX_MS;
	if (clock_mono_ms() < a->send_pause_mono)
		return a->send_pause_mono - clock_mono_ms();
	if (a->kick)
		return 0;
	if (clock_mono_ms() < a->send_full_mono)
		return a->send_full_mono - clock_mono_ms();
	if ((rc = outbox_next_time(a->db, &when, &st)) <= 0)
		return AGENT_POLL_MAX_MS;
	if (when <= now)
		return 0;
	return when - now < AGENT_POLL_MAX_MS ? when - now : AGENT_POLL_MAX_MS;
}
