/* SPDX-License-Identifier: ISC */
/*
 * ctlsend: many requests in flight at once to agents' control sockets, as
 * many members of staff running `dutynet send` at the same moment would
 * make them, without the cost of starting a process for each: one
 * connection per request (the control protocol's rule, agents/ctlmsg.h),
 * non-blocking, all driven by one poll().  The agent runs every request
 * that is complete when its loop comes round in one transaction, so
 * requests in flight together are committed together (group commit).
 */
#ifndef DUTYNET_BENCH_CTLSEND_H
#define DUTYNET_BENCH_CTLSEND_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/status.h"

#define CTLSEND_SLOTS_MAX 63	/* the agent takes 64 callers at once */

struct ctlsend_slot {
	int fd;			/* -1: free */
	int tag;		/* the caller's */
	const uint8_t *req;	/* borrowed until done */
	size_t req_len, sent;
	uint8_t prefix[4];
	uint8_t *body;
	size_t need, got;	/* of the prefix, then of the body */
};

struct ctlsend {
	struct ctlsend_slot slot[CTLSEND_SLOTS_MAX];
	size_t active;
};

/* Called for each finished request: its tag and the answer's status code
 * (0 if the agent closed or the answer did not parse). */
typedef void ctlsend_done_fn(void *arg, int tag, int code);

void ctlsend_init(struct ctlsend *c);

/* Closes every connection still open. */
void ctlsend_clear(struct ctlsend *c);

/* Connects to the socket at path and starts sending req (an encoded
 * request, ctlmsg_request_encode; borrowed until done).  -1 and st if
 * every slot is busy or the agent does not answer. */
int ctlsend_start(struct ctlsend *c, const char *path, const uint8_t *req, size_t len, int tag,
    struct status *st);

/* Fills pfd[0..) for poll(); returns how many (pfd has CTLSEND_SLOTS_MAX). */
size_t ctlsend_pollfds(const struct ctlsend *c, struct pollfd *pfd);

/* Reads and writes as pfd (from ctlsend_pollfds, polled) says; calls done
 * for each request answered. */
void ctlsend_io(struct ctlsend *c, const struct pollfd *pfd, size_t n, ctlsend_done_fn *done,
    void *arg);

#endif
