/* SPDX-License-Identifier: ISC */
/*
 * recvorder: the order in which the agent applies what it read from the
 * broker in one turn (see recvorder.c).
 */
#ifndef DUTYNET_RECVORDER_H
#define DUTYNET_RECVORDER_H

#include <stddef.h>

#include "agents/link.h"

/* Moves the DELIVERs of immediate and urgent envelopes in msgs[0..n) to the
 * front, keeping the order within both groups; returns how many there are.
 * Returns 0 and leaves msgs as they are if a WELCOME is among them (a new
 * session: everything is then applied in the order it came). */
size_t recvorder_urgent_first(struct link_msg *msgs, size_t n);

#endif
