/* SPDX-License-Identifier: ISC */
/*
 * loop: the broker's poll loop and group commit (see loop.c).
 */
#ifndef DUTYNET_LOOP_H
#define DUTYNET_LOOP_H

#include "broker/broker.h"

/* Runs until SIGTERM or SIGINT: 0, or -1 if polling itself failed. */
int loop_run(struct broker *b);

#endif
