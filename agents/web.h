/* SPDX-License-Identifier: ISC */
/*
 * web: the agent's web inbox (issue 9) - HTTP, or HTTPS only when
 * web_tls_cert and web_tls_key are set, on web_listen (agents/ID.conf) -
 * served by the agent itself with libmicrohttpd, so there is no second
 * daemon: the pages read the same inbox, outbox and deadline code the
 * command line uses, and people's actions go through the control socket's
 * own request handlers (webreq.h).
 *
 * DESIGN: libmicrohttpd runs in the agent's one thread with external
 * polling: its epoll descriptor is one more item of the zmq_poll loop,
 * web_wait_ms folds its timeouts into the loop's, and web_run lets it
 * accept, read and answer without ever blocking.  web.c owns the daemon,
 * routing and the headers every answer has; the pages are webpage_*.c;
 * sessions websession.c, forms webform.c, the event stream websse.c.
 */
#ifndef DUTYNET_WEB_H
#define DUTYNET_WEB_H

#include <stdint.h>

#include "agents/agent.h"
#include "proto/ids.h"
#include "proto/status.h"

/* Connections at once, and how long one may idle. */
#define WEB_CONNECTIONS_MAX 128
#define WEB_CONNECTION_TIMEOUT_S 60
#define WEB_CONNECTION_MEMORY (128 * 1024)
/* A TLS private key or certificate chain is at most this big. */
#define WEB_TLS_KEY_MAX (64 * 1024)
#define WEB_TLS_CERT_MAX (256 * 1024)

/* Every answer's security headers. */
#define WEB_CSP "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " \
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

struct web;

/* Starts the web inbox on a->settings' web_listen (which must be set).
 * NULL and st: 504 (the TLS files, "path:line: web_tls_key: ..."), 421
 * (cannot listen on the address). */
struct web *web_new(struct agent *a, struct status *st);

/* Ends every connection and stops; accepts NULL; sets *wp = NULL. */
void web_destroy(struct web **wp);

/* The descriptor the loop polls for input. */
int web_fd(const struct web *w);

/* Milliseconds until web_run has something to do at the latest
 * (AGENT_POLL_MAX_MS if nothing is timed). */
uint64_t web_wait_ms(struct web *w);

/* Accepts, reads and answers what is ready; never blocks.  Each turn. */
void web_run(struct web *w);

/* The message id was stored in the inbox and committed: open pages are
 * told if it is an immediate or urgent referral or concern. */
void web_stored(struct web *w, const uint8_t id[IDS_MSGID_BYTES]);

#endif
