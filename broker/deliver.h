/* SPDX-License-Identifier: ISC */
/*
 * deliver: per-agency sessions and the delivery pump.  An agency's route
 * is the routing id of its newest connection that said HELLO (authenticated
 * by User-Id in admit.c); its queue (store.c) is sent most urgent first,
 * and in seq order within one urgency, at most `window` items unanswered at
 * once, far below the socket's high-water mark, so the ROUTER never has to
 * drop.  Standard and routine items leave deliver_reserve(window) of the
 * window to immediate and urgent ones.  Every send is non-blocking: an
 * EHOSTUNREACH (the connection is gone) forgets the route and an EAGAIN
 * (the peer is slow) waits for the next tick; either way the item stays in
 * the store and nothing is lost.  Items not answered within
 * DELIVER_TIMEOUT_MS, and everything in flight when a new connection says
 * HELLO, are sent again: the agent is idempotent by message id.  A session
 * the broker has sent nothing to for a heartbeat interval gets a PING.
 */
#ifndef DUTYNET_DELIVER_H
#define DUTYNET_DELIVER_H

#include <stddef.h>
#include <stdint.h>

#include "broker/auditq.h"
#include "broker/stats.h"
#include "broker/store.h"
#include "config/directory.h"

/* How long a DELIVER or OUTCOME may stay unanswered before it is sent
 * again on the same connection. */
#define DELIVER_TIMEOUT_MS 30000
/* Window slots standard and routine items leave free for immediate and
 * urgent ones, in a window of DELIVER_RESERVE_FROM or more (a smaller
 * window, which an agent asks for to take little at a time, is not cut). */
#define DELIVER_URGENT_RESERVE 8
#define DELIVER_RESERVE_FROM 32

struct deliver;

/* Sessions for window_max items in flight per agency (the broker's
 * delivery_window; a HELLO may ask for fewer) and PINGs after heartbeat_ms
 * of silence.  NULL if out of memory. */
struct deliver *deliver_new(uint32_t window_max, uint64_t heartbeat_ms);

/* Frees *dp; accepts NULL. */
void deliver_destroy(struct deliver **dp);

/* agency said HELLO on rid, authenticated with key, asking for window.
 * rid becomes its route; a new route sends everything in flight again.
 * 1 if the route is new, 0 if it was already this one, -1 if out of
 * memory (the HELLO is then refused with 453). */
int deliver_hello(struct deliver *d, const char *agency, const uint8_t *rid, size_t rid_len,
    const uint8_t key[DIRECTORY_CURVE_PKBYTES], uint32_t window);

/* Traffic from rid authenticated as agency.  If rid is another agency's
 * route (a client took over its routing id), that route is forgotten at
 * once: nothing more is sent there until that agency says HELLO again. */
void deliver_seen(struct deliver *d, const char *agency, const uint8_t *rid, size_t rid_len);

/* agency answered seq (RECEIPT or ACK): no longer in flight. */
void deliver_done(struct deliver *d, const char *agency, uint64_t seq);

/* Something was queued for agency: look at its queue on the next pump. */
void deliver_wake(struct deliver *d, const char *agency);

/* Forgets the routes of agencies not in dir, or listed with another CURVE
 * key than they said HELLO with (a key removed or replaced, SIGHUP). */
void deliver_revoke(struct deliver *d, const struct directory *dir);

/* Forgets agency's route if it is rid (a connection whose key was revoked;
 * the agency's new connection, under its new key, keeps its route). */
void deliver_forget(struct deliver *d, const char *agency, const uint8_t *rid, size_t rid_len);

/* Sends what every awake session's window allows, resends what timed out,
 * pings idle sessions (timers read clock_mono_ms).  Queues an audit event
 * per DELIVER and OUTCOME sent. */
void deliver_pump(struct deliver *d, void *router, struct store *s, struct auditq *aq,
    struct stats *stats);

/* How much of window standard and routine deliveries leave to immediate
 * and urgent ones: DELIVER_URGENT_RESERVE if window is at least
 * DELIVER_RESERVE_FROM, else none. */
uint32_t deliver_reserve(uint32_t window);

/* How many agencies have a route now. */
size_t deliver_routes(const struct deliver *d);

#endif
