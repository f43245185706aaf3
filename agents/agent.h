/* SPDX-License-Identifier: ISC */
/*
 * agent: the state of one running dutynet-agent (one per agency), shared by
 * its modules.  agent.c owns it: it loads the configuration and keys, opens
 * the database and the sockets, and runs the one-threaded zmq_poll loop
 * over the broker link, its monitor and the control socket.
 */
#ifndef DUTYNET_AGENT_H
#define DUTYNET_AGENT_H

#include <stdbool.h>
#include <stdint.h>

#include "common/db.h"
#include "common/keyfile.h"
#include "config/agencycal.h"
#include "config/directory.h"
#include "config/policy.h"
#include "config/settings.h"

/* Messages read from the broker link per loop iteration; they are applied
 * in transactions (group commits) of at most AGENT_RECV_BATCH, urgent
 * deliveries first (recvorder.c), so that no commit keeps an urgent one
 * waiting long.  AGENT_SEND_BATCH: outbox messages sent per iteration. */
#define AGENT_RECV_READ 256
#define AGENT_RECV_BATCH 64
#define AGENT_SEND_BATCH 64
/* The longest the loop sleeps when nothing is due (ms). */
#define AGENT_POLL_MAX_MS 1000
/* How long to wait before sending again when ZeroMQ took nothing. */
#define AGENT_SEND_PAUSE_MS 100
/* The agent database's file name in data_dir. */
#define AGENT_DB_FILE "agent.db"

struct link;
struct pairkeys;
struct hook;
struct checkpointer;
struct web;
struct cpsend;
struct retention;

struct agent {
	const char *confdir;
	struct directory *dir;
	struct policy *policy;			/* with the deadline policy */
	struct agencycal *cals;			/* every agency's working calendar */
	struct settings_agent *settings;
	struct keyfile *keys;
	const struct directory_agency *self;	/* borrowed from dir */
	struct db *db;
	struct pairkeys *pairs;
	struct link *link;
	struct hook *hook;			/* NULL without on_message */
	struct checkpointer *checkpoints;	/* signs the audit log's checkpoints */
	struct cpsend *cpsend;			/* sends them for countersigning */
	struct retention *retention;		/* purges content past its period */
	struct web *web;			/* the web inbox; NULL without web_listen */
	bool kick;				/* the outbox has something new */
	uint64_t flush_ms;			/* clock time of the last WELCOME */
	uint64_t send_pause_mono;		/* ZeroMQ took nothing: wait until */
	uint64_t send_full_mono;		/* SEND window full: wait for a RESULT
						 * until then (transmit.h) */
};

#endif
