/* SPDX-License-Identifier: ISC */
/*
 * control: the agent's local control socket, which the dutynet command line
 * talks to (framing in ctlmsg.h).  A unix stream socket created mode 0600 in
 * a directory of mode 0700, and each caller checked with SO_PEERCRED: the
 * agent's own user, or root.  The filesystem permissions are the access
 * control; the peer check is the second lock, as in OpenSMTPD's control.c.
 *
 * Requests that are complete when the loop comes round are run together in
 * one transaction (group commit), each in its own savepoint; every answer
 * is written only after that commit, so "queued" always means "on disk".
 * One request per connection; a caller that does not finish its request
 * within CONTROL_IDLE_MS is dropped.
 */
#ifndef DUTYNET_CONTROL_H
#define DUTYNET_CONTROL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <zmq.h>

#include "agents/agent.h"
#include "agents/ctlmsg.h"
#include "agents/output.h"
#include "proto/status.h"

#define CONTROL_CLIENTS_MAX 64
#define CONTROL_IDLE_MS 30000
#define CONTROL_BACKLOG 64
#define CONTROL_SOCKET_MODE 0600
#define CONTROL_DIR_MODE 0700
/* Poll items control_pollitems may fill: the listener and every client. */
#define CONTROL_POLLITEMS (CONTROL_CLIENTS_MAX + 1)

struct control;

/* Listens on path (its directory is created 0700 if missing; a stale
 * socket is replaced, a live one - another agent - refused with st 421).
 * NULL and st otherwise. */
struct control *control_new(const char *path, struct status *st);

/* Closes every connection and removes the socket file. */
void control_destroy(struct control **cp);

/* Fills items[0..) with the fds to poll; returns how many. */
size_t control_pollitems(struct control *c, zmq_pollitem_t *items, size_t cap);

/* Accepts, reads and writes as items (filled by control_pollitems and
 * polled) say, then runs the complete requests against a and queues their
 * answers. */
void control_io(struct control *c, struct agent *a, const zmq_pollitem_t *items, size_t n);

/* Runs one decoded request rq for the caller uid through the table of
 * handlers, in its own savepoint of the transaction the caller opened
 * (the web inbox runs people's actions through here too): the status code
 * it answers with (STATUS_OK, or st's code; 451 means the caller must roll
 * the whole transaction back).  out holds what it printed. */
int control_run(struct agent *a, const struct ctlmsg_request *rq, uid_t uid, struct output *out,
    struct status *st);

/* Milliseconds until a caller's idle limit runs out (AGENT_POLL_MAX_MS if
 * none). */
uint64_t control_wait_ms(const struct control *c);

#endif
