/* SPDX-License-Identifier: ISC */
/*
 * websse: the web inbox's Server-Sent Events (GET /events), so a page that
 * is open learns of a new immediate or urgent referral without a reload
 * (dutynet.js shows it in the page's live region, and as a browser
 * notification if the person allowed them).
 *
 * DESIGN: the agent has one thread, so a stream never blocks: its response
 * is read through a callback that hands over what is queued and, when
 * nothing is, suspends the connection (libmicrohttpd's suspend/resume);
 * websse_send queues an event on every stream and resumes it.  A comment
 * line every WEBSSE_KEEPALIVE_MS keeps proxies from closing a quiet stream
 * and finds clients that went away; a stream whose session has ended
 * (signed out, idle) is closed, and the browser's reconnect then meets the
 * sign-in page instead.  Streams do not keep a session alive.
 */
#ifndef DUTYNET_WEBSSE_H
#define DUTYNET_WEBSSE_H

#include <stdint.h>

#include "agents/websession.h"

#define WEBSSE_STREAMS_MAX 64
#define WEBSSE_KEEPALIVE_MS 20000
#define WEBSSE_QUEUE_MAX (64 * 1024)	/* bytes queued on one stream, at most */
#define WEBSSE_RETRY_MS 5000		/* the browser's reconnect delay */

struct websse;
struct MHD_Response;

/* No streams yet; sessions is borrowed (to end streams with their
 * session).  NULL if out of memory. */
struct websse *websse_new(struct websessions *sessions);

/* Ends and frees every stream (before the daemon stops); accepts NULL;
 * sets *sp = NULL. */
void websse_destroy(struct websse **sp);

/* A response streaming events to conn (a struct MHD_Connection) for the
 * session with this token; NULL if WEBSSE_STREAMS_MAX are open. */
struct MHD_Response *websse_open(struct websse *s, void *conn, const char *token,
    uint64_t now_ms);

/* Queues "event: EVENT / data: DATA" on every stream (data one line of
 * JSON) and wakes each.  A stream with WEBSSE_QUEUE_MAX queued is closed:
 * its reader is not keeping up. */
void websse_send(struct websse *s, const char *event, const char *data);

/* Keepalives and ending streams whose session ended; each loop turn. */
void websse_tick(struct websse *s, uint64_t now_ms);

/* Streams open now. */
unsigned websse_count(const struct websse *s);

#endif
