/* SPDX-License-Identifier: ISC */
/*
 * monitor: the ROUTER's socket-monitor events, audited.  A refused agent
 * never hears why (libzmq just drops the connection), so the broker keeps
 * its own record of every handshake, successful or failed, with the peer's
 * address and key fingerprint when the ZAP handler saw them.  libzmq's
 * handshake events carry neither, so they are matched with the ZAP
 * handler's recent decisions, oldest first: best effort, and marked
 * "unknown" when there is no decision to match.
 */
#ifndef DUTYNET_MONITOR_H
#define DUTYNET_MONITOR_H

#include "broker/auditq.h"
#include "broker/stats.h"
#include "broker/zap.h"
#include "proto/status.h"

#define MONITOR_ENDPOINT "inproc://dutynet-broker-monitor"

/* Starts monitoring router and connects a PAIR socket to the events
 * (*out).  -1 and st 421 if libzmq refuses. */
int monitor_open(void *ctx, void *router, void **out, struct status *st);

/* Reads every pending event from sock: handshakes are logged and queued
 * for the audit log, failures to accept (file descriptors exhausted) are
 * logged as warnings. */
void monitor_handle(void *sock, struct zap *z, struct auditq *aq, struct stats *s);

#endif
