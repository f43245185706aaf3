/* SPDX-License-Identifier: ISC */
/*
 * recvorder: urgent deliveries before bulk ones.  The agent reads up to
 * AGENT_RECV_READ messages from the broker in a turn and commits them in
 * transactions of AGENT_RECV_BATCH; an immediate or urgent DELIVER (a
 * referral, or the receipt of one: a receipt copies its message's urgency)
 * found among them goes into the first, small transaction, so that its
 * receipt (or ACK) leaves after one commit instead of waiting behind the
 * bulk batches read with it (PROTOCOL.md §4.4).  Each answer still follows
 * its own commit.  Only DELIVERs move, and only within one session: a read
 * that holds a WELCOME is applied in the order it came.
 */
#include <stdlib.h>
#include <string.h>

#include "agents/recvorder.h"
#include "proto/envelope.h"

/* 1 if m is a DELIVER of an immediate or urgent envelope.  One that does
 * not decode is not urgent: receive.c answers it in its turn. */
static int
urgent(const struct link_msg *m)
{
	struct envelope env;
	struct status st;

	if (m->f.command != FRAME_DELIVER || m->envelope == NULL)
		return 0;
	if (envelope_decode(m->envelope, m->len, &env, &st) != 0)
		return 0;
	return env.h.urgency == URGENCY_IMMEDIATE || env.h.urgency == URGENCY_URGENT;
}

size_t
recvorder_urgent_first(struct link_msg *msgs, size_t n)
{
	struct link_msg *rest;
	unsigned char *is;
	size_t i, k = 0, r = 0;

	for (i = 0; i < n; i++)
		if (msgs[i].f.command == FRAME_WELCOME)
			return 0;
	if ((is = calloc(n ? n : 1, 1)) == NULL)
		return 0;	/* out of memory: the arrival order is correct too */
	for (i = 0; i < n; i++)
		k += (is[i] = (unsigned char)urgent(&msgs[i]));
	if (k == 0 || k == n || (rest = malloc((n - k) * sizeof(*rest))) == NULL) {
		free(is);
		return k == n ? k : 0;
	}
	/* A stable partition: urgent ones packed to the front, the rest
	 * copied aside and put back after them. */
	for (i = 0; i < n; i++) {
		if (is[i])
			msgs[r++] = msgs[i];
		else
			rest[i - r] = msgs[i];
	}
	memcpy(msgs + k, rest, (n - k) * sizeof(*rest));
	free(rest);
	free(is);
	return k;
}
