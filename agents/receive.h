/* SPDX-License-Identifier: ISC */
/*
 * receive: what the agent does with the broker's messages.  A batch taken
 * from the link is applied in ONE transaction (group commit) - RESULTs and
 * OUTCOMEs to the outbox, DELIVERs verified, decrypted and stored in the
 * inbox (or, for a receipt, checked against the outbox) - and only after
 * that commit does any answer (RECEIPT, ACK) go back.  A batch that cannot
 * be committed is answered with nothing: the broker re-delivers it, and
 * every step is idempotent by message id.
 */
#ifndef DUTYNET_RECEIVE_H
#define DUTYNET_RECEIVE_H

#include <stddef.h>

#include "agents/agent.h"
#include "agents/link.h"

/* Applies msgs[0..n) (taken from a->link) and sends their answers. */
void receive_batch(struct agent *a, struct link_msg *msgs, size_t n);

#endif
