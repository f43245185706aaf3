/* SPDX-License-Identifier: ISC */
/*
 * stats: the broker's counters, and the local stats socket that serves
 * them.  A client connects to the unix socket and reads one snapshot as
 * text, a "name value" pair per line, then the broker closes the
 * connection; `dutynet-broker --status` is that client.  The socket is
 * created mode 0600: the counters are metadata, but metadata about
 * children's services.
 */
#ifndef DUTYNET_STATS_H
#define DUTYNET_STATS_H

#include <stdint.h>
#include <stdio.h>

#include "proto/status.h"

#define STATS_MAGIC "dutynet-broker-stats v1"
#define STATS_SOCKET_MODE 0600
/* Largest snapshot: a line per counter, well under a socket buffer. */
#define STATS_TEXT_MAX 4096
/* How long --status waits for the broker's answer. */
#define STATS_QUERY_TIMEOUT_MS 5000

enum stats_counter {
	STATS_FRAMES_IN,	/* ZeroMQ messages received */
	STATS_ACCEPTED,		/* new messages committed (202) */
	STATS_DUPLICATES,	/* SENDs of a message already stored */
	STATS_REJECTED,		/* SENDs and RECEIPTs refused (4xx/5xx) */
	STATS_RECEIPTS,		/* receipts committed */
	STATS_ACKS,
	STATS_DELIVERIES,	/* DELIVERs sent (first time) */
	STATS_REDELIVERIES,	/* DELIVERs sent again */
	STATS_OUTCOMES,		/* OUTCOMEs sent */
	STATS_EXPIRED,		/* messages failed 540 */
	STATS_ERRORS,		/* ERROR replies for bad frames */
	STATS_UNROUTABLE,	/* sends refused EHOSTUNREACH: peer gone */
	STATS_BACKPRESSURE,	/* sends refused EAGAIN: peer slow */
	STATS_REPLIES_LOST,	/* replies that could not be sent (peer gone) */
	STATS_HANDSHAKES_OK,
	STATS_HANDSHAKES_FAILED,
	STATS_ZAP_ADMITTED,
	STATS_ZAP_REFUSED,
	STATS_SESSIONS,		/* HELLOs answered with WELCOME */
	STATS_REVOKED,		/* messages refused: key no longer listed */
	STATS_BATCHES,		/* transactions committed */
	STATS_STORE_FAILURES,	/* transactions that failed (451 sent) */
	STATS_AUDIT_LOST,	/* audit events dropped: queue full */
	STATS_RELOADS,		/* SIGHUP reloads that took */
	STATS_REMINDERS,	/* reminder notices queued */
	STATS_ESCALATIONS,	/* escalation notices queued */
	STATS_COUNTERSIGNED,	/* agency checkpoints countersigned (250) */
	STATS_CHECKPOINT_ALARMS,	/* agency checkpoints inconsistent (561) */
	STATS_COUNT
};

struct stats {
	uint64_t c[STATS_COUNT];
};

/* The counter's name as printed ("accepted"). */
const char *stats_name(enum stats_counter c);

static inline void
stats_inc(struct stats *s, enum stats_counter c)
{
	s->c[c]++;
}

/* A value for the snapshot that is not a counter (queue sizes, uptime). */
struct stats_gauge {
	const char *name;
	uint64_t value;
};

/* Binds and listens on the unix socket at path (replacing a stale socket
 * file, never another file); returns the fd or -1 and st 421. */
int stats_listen(const char *path, struct status *st);

/* Accepts one client on fd and writes it a snapshot of s and the gauges;
 * a client that does not read is dropped, never waited for. */
void stats_serve(int fd, const struct stats *s, const struct stats_gauge *g, size_t ng);

/* The client: reads the broker's snapshot from path and prints it to out,
 * aligned for people or (json) as one JSON object.  -1 and st 421 if no
 * broker answers there. */
int stats_query(const char *path, int json, FILE *out, struct status *st);

#endif
