/* SPDX-License-Identifier: ISC */
/*
 * settings: how the broker and each agent run here: endpoints, data
 * directories, key files, size caps, retry and expiry times.  The broker
 * reads broker.conf; the agent of agency X reads agents/X.conf.  Relative
 * paths are relative to the configuration directory, so a configuration can
 * be copied and moved whole.  Every setting and its default: CONFIG.md.
 */
#ifndef DUTYNET_SETTINGS_H
#define DUTYNET_SETTINGS_H

#include <stddef.h>
#include <stdint.h>

#include "config/calendar.h"
#include "config/conf.h"
#include "config/directory.h"
#include "config/retention.h"
#include "proto/envelope.h"
#include "proto/ids.h"

#define SETTINGS_BROKER_FILE "broker.conf"
#define SETTINGS_AGENTS_DIR "agents"
#define SETTINGS_AGENT_SUFFIX ".conf"

/* Defaults for settings a file leaves out, and the limits of each. */
#define SETTINGS_STATS_SOCKET_NAME "stats.sock"		/* in data_dir */
#define SETTINGS_CONTROL_SOCKET_NAME "control.sock"	/* in data_dir */
#define SETTINGS_ENVELOPE_BYTES_MIN 4096
#define SETTINGS_EXPIRY_DEFAULT "5 working days"
#define SETTINGS_HEARTBEAT_MS_DEFAULT 5000
#define SETTINGS_HEARTBEAT_MS_MIN 100
#define SETTINGS_HEARTBEAT_MS_MAX 600000
#define SETTINGS_WINDOW_MAX 65535			/* HELLO's window is a uint16 */
#define SETTINGS_DELIVERY_WINDOW_DEFAULT 256	/* = what the agent reads at a time (AGENT_RECV_READ) */
#define SETTINGS_AGENT_WINDOW_DEFAULT 256
#define SETTINGS_HWM_DEFAULT 1000
#define SETTINGS_HWM_MAX 1000000
/* Most DELIVERs queued for one recipient before a SEND to it is refused
 * with 452 (retry later): an agent that stays away cannot fill the disk. */
#define SETTINGS_RECIPIENT_QUOTA_DEFAULT 100000
#define SETTINGS_RECIPIENT_QUOTA_MAX 100000000
#define SETTINGS_RETRY_INITIAL_MS_DEFAULT 1000
#define SETTINGS_RETRY_MAX_MS_DEFAULT 300000
#define SETTINGS_RETRY_MS_MIN 10
#define SETTINGS_RETRY_MS_MAX 86400000			/* one day */
#define SETTINGS_ARGV_MAX 64				/* on_message words */
/* Audit checkpoints (ISSUE 7): one every this many new audit entries or
 * this many seconds, whichever comes first, even if nothing happened. */
#define SETTINGS_CHECKPOINT_ENTRIES_DEFAULT 1000
#define SETTINGS_CHECKPOINT_ENTRIES_MAX 100000000
#define SETTINGS_CHECKPOINT_SECONDS_DEFAULT 300
#define SETTINGS_CHECKPOINT_SECONDS_MAX 86400		/* one day */
/* The web inbox (issue 9): idle login sessions end after this long. */
#define SETTINGS_WEB_SESSION_IDLE_DEFAULT_MS 1800000	/* 30 minutes */
#define SETTINGS_WEB_SESSION_IDLE_MIN_MS 60000		/* one minute */
#define SETTINGS_WEB_SESSION_IDLE_MAX_MS 86400000	/* one day */
#define SETTINGS_WEB_HOST_MAX 46			/* INET6_ADDRSTRLEN */

struct settings_broker {
	char *path;			/* the file read */
	char *endpoint;			/* ZeroMQ endpoint to bind, "tcp://..." */
	char *data_dir;			/* resolved against the config directory */
	char *key_file;			/* the broker's secret keys */
	unsigned key_file_line;		/* where key_file is set, for errors */
	char *stats_socket;
	int64_t max_envelope_bytes;	/* <= ENVELOPE_MAX_BYTES */
	struct conf_duration expiry;	/* undelivered messages expire after */
	int64_t heartbeat_ms;
	int64_t delivery_window;	/* deliveries in flight per agency, at most */
	int64_t hwm;			/* ZeroMQ high-water mark, messages */
	int64_t recipient_quota;	/* DELIVERs queued per recipient, at most */
	int64_t checkpoint_entries;	/* audit checkpoint every this many entries */
	int64_t checkpoint_seconds;	/* or this many seconds */
	struct retention_period retention;	/* content kept this long after
						 * its message is final; FOREVER if unset */
};

struct settings_agent {
	char *path;
	char agency[IDS_AGENCY_MAX + 1];
	char *broker_endpoint;		/* ZeroMQ endpoint to connect to */
	char *data_dir;
	char *key_file;
	unsigned key_file_line;
	char *control_socket;
	char **on_message;		/* NULL-terminated argv, or NULL if unset */
	size_t on_message_argc;
	int64_t retry_initial_ms;	/* first resend delay, doubling up to: */
	int64_t retry_max_ms;
	int64_t window;			/* deliveries it takes unreceipted */
	int64_t heartbeat_ms;
	int64_t checkpoint_entries;	/* audit checkpoint every this many entries */
	int64_t checkpoint_seconds;	/* or this many seconds */
	struct retention_period retention;	/* content kept this long after its
						 * case is over; FOREVER if unset */
	struct calendar *contact_windows;	/* when on_message may interrupt people for
						 * standard and routine messages; NULL if unset */
	/* The web inbox: web_port 0 if web_listen is unset (no web server). */
	char web_host[SETTINGS_WEB_HOST_MAX];	/* an IPv4 or IPv6 literal */
	int web_port;
	char *web_tls_cert;		/* both or neither: HTTPS only */
	char *web_tls_key;
	unsigned web_tls_key_line;	/* where web_tls_key is set, for errors */
	int64_t web_session_idle_ms;
};

/* Reads dir/broker.conf.  NULL after recording every problem in errs. */
struct settings_broker *settings_broker_load(const char *dir, struct conf_errors *errs);

/* Frees *sp; accepts NULL; sets *sp = NULL. */
void settings_broker_destroy(struct settings_broker **sp);

/* Reads dir/agents/<agency>.conf, whose `agency` must be agency and (unless
 * d is NULL, as when directory.conf did not load) an agency in d.  NULL
 * after recording every problem in errs. */
struct settings_agent *settings_agent_load(const char *dir, const char *agency,
    const struct directory *d, struct conf_errors *errs);

/* Frees *sp; accepts NULL; sets *sp = NULL. */
void settings_agent_destroy(struct settings_agent **sp);

/* 0 if s is a ZeroMQ endpoint dutynet uses ("tcp://host:port" with a port
 * or "*", or "ipc://path"), else -1 and st 504 naming it. */
int settings_endpoint_valid(const char *s, struct status *st)
    __attribute__((warn_unused_result));

/* Parses a web_listen value, "HOST:PORT" with an IPv4 literal or
 * "[IPv6]:PORT", into host (without brackets) and *port (1..65535).  -1 and
 * st 504 naming the value otherwise. */
int settings_web_listen_parse(const char *s, char host[SETTINGS_WEB_HOST_MAX], int *port,
    struct status *st) __attribute__((warn_unused_result));

#endif
