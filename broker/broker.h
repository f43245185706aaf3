/* SPDX-License-Identifier: ISC */
/*
 * broker: the state of one dutynet-broker process, which its modules
 * borrow.  broker.c owns every member: it creates them at start, swaps the
 * directory and policy on SIGHUP and destroys them at shutdown.  There is
 * one thread; nothing here is locked.
 */
#ifndef DUTYNET_BROKER_H
#define DUTYNET_BROKER_H

#include <stdint.h>

#include "broker/auditq.h"
#include "broker/deliver.h"
#include "broker/stats.h"
#include "broker/store.h"
#include "broker/zap.h"
#include "common/checkpointer.h"
#include "common/keyfile.h"
#include "config/agencycal.h"
#include "config/directory.h"
#include "config/policy.h"
#include "config/settings.h"

#define BROKER_PROGNAME "dutynet-broker"
#define BROKER_DB_FILE "broker.db"
#define BROKER_DATA_DIR_MODE 0700
/* Most messages taken from the ROUTER and committed in one transaction. */
#define BROKER_BATCH_MAX 64
/* Longest the loop sleeps: timers (expiry, redelivery, pings) run at
 * least this often. */
#define BROKER_TICK_MS 1000
/* Exit codes (also in --help). */
enum broker_exit {
	BROKER_EXIT_OK = 0,
	BROKER_EXIT_FAILED = 1,		/* store, sockets, keys: see the log */
	BROKER_EXIT_USAGE = 2,		/* bad command line */
	BROKER_EXIT_CONFIG = 3,		/* configuration invalid */
	BROKER_EXIT_UNREACHABLE = 4,	/* --status: no broker answers */
};

struct broker {
	const char *config_dir;
	struct settings_broker *conf;
	struct directory *dir;		/* the live directory (SIGHUP reloads) */
	struct policy *policy;		/* sharing agreement and deadline policy */
	struct agencycal *cals;		/* every agency's calendar (SIGHUP reloads) */
	struct keyfile *keys;		/* the broker's own: it signs and seals notices */
	struct store *store;
	struct checkpointer *checkpoints;	/* signs the audit log's checkpoints */
	void *ctx;
	void *router;			/* ROUTER, CURVE server */
	struct zap *zap;		/* ZAP handler (REP) */
	void *monitor;			/* PAIR connected to the ROUTER's monitor */
	int stats_fd;			/* listening unix socket */
	int signal_fd;			/* signalfd: TERM, INT, HUP */
	struct deliver *deliver;	/* per-agency sessions */
	struct auditq *auditq;		/* events waiting for the next commit */
	struct stats stats;
	uint64_t started_ms;
};

/* SIGHUP: reads directory.conf, policy.conf and the calendars again; if
 * all load they replace the live ones and every route whose key is gone is
 * forgotten, else the errors are logged and the old ones stay. */
void broker_reload(struct broker *b);

#endif
