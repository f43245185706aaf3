/* SPDX-License-Identifier: ISC */
/*
 * dutynet-broker: the store-and-forward router between the agencies' agents.
 * It authenticates every connection by its CURVE key (ZAP), checks every
 * envelope's signature and the sharing policy, commits what it accepts to
 * its own SQLite database before saying so, delivers in order, and keeps
 * each message until the recipient's signed receipt arrives; every message
 * gets exactly one final outcome, reported to its sender.  It routes
 * ciphertext: it never holds an agency's secret keys and never decrypts.
 *
 * This file is main: the command line, loading the configuration and the
 * broker's own keys, setting up the sockets in the order that fails closed
 * (ZAP handler before the ROUTER binds), and a clean shutdown (linger 0,
 * sockets closed, context terminated, database closed) on SIGTERM.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>
#include <zmq.h>

#include "broker/broker.h"
#include "broker/cpaccept.h"
#include "broker/loop.h"
#include "broker/monitor.h"
#include "broker/router.h"
#include "common/clock.h"
#include "common/keyfile.h"
#include "common/log.h"
#include "common/sdnotify.h"

static const char usage[] =
    "usage: dutynet-broker [--config DIR] [-v]\n"
    "       dutynet-broker --status [--json] [--config DIR]\n"
    "\n"
    "Routes signed, end-to-end encrypted dutynet messages between the agencies'\n"
    "agents: authenticates each connection by its CURVE key, checks each\n"
    "envelope's signature and the sharing policy, stores it before accepting it,\n"
    "and delivers it in order until the recipient's signed receipt comes back.\n"
    "Reads DIR/directory.conf, DIR/policy.conf and DIR/broker.conf (reference:\n"
    "config/CONFIG.md), and the bank holidays for working-time deadlines from\n"
    "$" AGENCYCAL_HOLIDAYS_ENV " (default: the file installed with dutynet).  It tracks\n"
    "the deadlines of referrals and concerns and sends signed reminders and\n"
    "escalations.  Logs one line per event to stderr.  SIGHUP reloads the\n"
    "directory, the policy and the calendars; SIGTERM stops it cleanly.\n"
    "\n"
    "  --config DIR  configuration directory (default $" CONF_DIR_ENV " or " CONF_DIR_DEFAULT ")\n"
    "  --status      print the running broker's counters (from its stats socket)\n"
    "  --json        with --status: one JSON object\n"
    "  -v            also log debug events\n"
    "  --version     print the version\n"
    "\n"
    "Exit codes: 0 stopped cleanly; 1 failed (store, sockets, keys: see the log);\n"
    "2 bad command line; 3 configuration invalid; 4 --status: no broker answers.\n";

struct opts {
	const char *dir;
	int status;
	int json;
	int verbose;
};

static int
parse(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"status", no_argument, NULL, 's'},
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	o->dir = conf_default_dir();
	opterr = 0;
	while ((c = getopt_long(argc, argv, "c:v", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->dir = optarg;
			break;
		case 's':
			o->status = 1;
			break;
		case 'j':
			o->json = 1;
			break;
		case 'v':
			o->verbose++;
			break;
		case 'h':
			fputs(usage, stdout);
			exit(BROKER_EXIT_OK);
		case 'V':
			printf("dutynet-broker %s (protocol %d)\n", DUTYNET_VERSION, FRAME_VERSION);
			exit(BROKER_EXIT_OK);
		default:
			fprintf(stderr, "dutynet-broker: unknown or incomplete option '%s'\n%s",
			    argv[optind - 1], usage);
			return -1;
		}
	}
	if (optind != argc || (o->json && !o->status)) {
		fprintf(stderr, "dutynet-broker: unexpected argument '%s'\n%s",
		    optind != argc ? argv[optind] : "--json", usage);
		return -1;
	}
	return 0;
}

static void
print_errors(struct conf_errors *errs)
{
	size_t i;

	for (i = 0; i < conf_errors_count(errs); i++)
		fprintf(stderr, "%s\n", conf_errors_get(errs, i));
}

/* Loads the directory, the policy and every agency's calendar; NULL
 * pointers and errs if any fails. */
static int
load_area(const char *dir, struct directory **d, struct policy **p, struct agencycal **cals,
    struct conf_errors *errs)
{
	struct status st;

	*cals = NULL;
	*d = directory_load(dir, errs);
	*p = policy_load(dir, *d, errs);
	if (*d != NULL && (*cals = agencycal_load(dir, *d, agencycal_holidays_path(), &st)) == NULL)
		conf_errors_add(errs, agencycal_holidays_path(), 0, "calendars", "%s (set $"
		    AGENCYCAL_HOLIDAYS_ENV " to the bank holiday file)", st.text);
	if (*d != NULL && *p != NULL && *cals != NULL)
		return 0;
	directory_destroy(d);
	policy_destroy(p);
	agencycal_destroy(cals);
	return -1;
}

void
broker_reload(struct broker *b)
{
	struct conf_errors *errs = conf_errors_new();
	struct agencycal *cals;
	struct directory *d;
	struct policy *p;
	size_t i;

	sdnotify_reloading();
	if (errs == NULL || load_area(b->config_dir, &d, &p, &cals, errs) == -1) {
		for (i = 0; errs != NULL && i < conf_errors_count(errs); i++)
			log_event(LOG_LEVEL_WARN, NULL, NULL, "reload-failed", "%s",
			    conf_errors_get(errs, i));
		log_event(LOG_LEVEL_WARN, NULL, NULL, "reload-failed",
		    "kept the directory and policy loaded before");
		conf_errors_destroy(&errs);
		sdnotify_ready();
		return;
	}
	conf_errors_destroy(&errs);
	directory_destroy(&b->dir);
	policy_destroy(&b->policy);
	agencycal_destroy(&b->cals);
	b->dir = d;
	b->policy = p;
	b->cals = cals;
	deliver_revoke(b->deliver, b->dir);
	stats_inc(&b->stats, STATS_RELOADS);
	log_event(LOG_LEVEL_INFO, NULL, NULL, "reload", "%zu agencies, %zu policy rules",
	    d->n_agencies, policy_rule_count(p));
	if (auditq_push(b->auditq, "reload", NULL, NULL, "%zu agencies, %zu policy rules",
		d->n_agencies, policy_rule_count(p)) == -1)
		stats_inc(&b->stats, STATS_AUDIT_LOST);
	sdnotify_ready();
}

/* The broker's own keys, checked against the public halves directory.conf
 * publishes, kept (sodium_malloc, read-only) to sign and seal its notices;
 * the CURVE secret key is copied out for the ROUTER. */
static int
broker_keys(struct broker *b, uint8_t sk[DIRECTORY_CURVE_PKBYTES])
{
	const struct directory_broker *pub = &b->dir->broker;
	struct keyfile *k = NULL;
	struct status st;

	if (keyfile_load(b->conf->key_file, &k, &st) == -1) {
		fprintf(stderr, "%s:%u: key_file: %s\n", b->conf->path, b->conf->key_file_line,
		    st.text);
		return -1;
	}
	if (!k->has_box) {
		fprintf(stderr, "%s:%u: key_file: %s has no box_sk: the broker seals its reminders "
		    "and escalations with one; run `dutynet keygen %s --broker` and publish "
		    "keys/%s.pub\n", b->conf->path, b->conf->key_file_line, b->conf->key_file,
		    pub->id, pub->id);
		goto fail;
	}
	if (strcmp(k->id, pub->id) != 0 ||
	    sodium_memcmp(k->curve_pk, pub->curve_pk, DIRECTORY_CURVE_PKBYTES) != 0 ||
	    sodium_memcmp(k->sign_pk, pub->sign_pk, SEAL_SIGN_PKBYTES) != 0 ||
	    sodium_memcmp(k->box_pk, pub->box_pk, SEAL_BOX_PKBYTES) != 0) {
		fprintf(stderr, "%s:%u: key_file: %s holds the keys of '%s', not the broker's "
		    "keys published in directory.conf ('%s'); run `dutynet keygen %s --broker` "
		    "and publish keys/%s.pub\n", b->conf->path, b->conf->key_file_line,
		    b->conf->key_file, k->id, pub->id, pub->id, pub->id);
		goto fail;
	}
	memcpy(sk, k->curve_sk, DIRECTORY_CURVE_PKBYTES);
	b->keys = k;
	return 0;
fail:
	keyfile_destroy(&k);
	return -1;
}

static int
load(struct broker *b, const char *dir)
{
	struct conf_errors *errs = conf_errors_new();
	int ret = -1;

	if (errs == NULL)
		return -1;
	b->config_dir = dir;
	/* All three, so that one run reports every error. */
	if (load_area(dir, &b->dir, &b->policy, &b->cals, errs) == 0)
		ret = 0;
	if ((b->conf = settings_broker_load(dir, errs)) == NULL)
		ret = -1;
	print_errors(errs);
	conf_errors_destroy(&errs);
	return ret;
}

/* mkdir -p: each missing component of path is created mode 0700. */
static int
make_dirs(const char *path)
{
	char *p = strdup(path), *slash;
	int ret = 0;

	if (p == NULL)
		return -1;
	for (slash = p + 1; ret == 0 && (slash = strchr(slash, '/')) != NULL; slash++) {
		*slash = '\0';
		if (mkdir(p, BROKER_DATA_DIR_MODE) == -1 && errno != EEXIST)
			ret = -1;
		*slash = '/';
	}
	if (ret == 0 && mkdir(p, BROKER_DATA_DIR_MODE) == -1 && errno != EEXIST)
		ret = -1;
	free(p);
	return ret;
}

/* Opens the store in data_dir, creating the directory (0700) if needed. */
static int
open_store(struct broker *b)
{
	struct status st;
	char *path = NULL;

	if (make_dirs(b->conf->data_dir) == -1) {
		log_event(LOG_LEVEL_FATAL, NULL, NULL, "failed", "cannot create data_dir %s: %s",
		    b->conf->data_dir, strerror(errno));
		return -1;
	}
	if ((path = conf_resolve(b->conf->data_dir, BROKER_DB_FILE)) == NULL)
		return -1;
	b->store = store_open(path, &st);
	free(path);
	if (b->store == NULL) {
		log_event(LOG_LEVEL_FATAL, NULL, NULL, "failed", "%s", st.text);
		return -1;
	}
	/* The broker's own log: origin its id, signed with its own key. */
	b->checkpoints = checkpointer_open(store_db(b->store), b->keys->id, b->keys->sign_sk,
	    (uint64_t)b->conf->checkpoint_entries,
	    (uint64_t)b->conf->checkpoint_seconds * CHECKPOINTER_MS_PER_SECOND, &st);
	if (b->checkpoints == NULL) {
		log_event(LOG_LEVEL_FATAL, NULL, NULL, "checkpoint-failed", "%s", st.text);
		return -1;
	}
	/* The agencies' checkpoints it countersigns (cpaccept.c). */
	if (cpaccept_init(store_db(b->store), &st) == -1) {
		log_event(LOG_LEVEL_FATAL, NULL, NULL, "failed", "%s", st.text);
		return -1;
	}
	return 0;
}

/* Signals arrive on a signalfd, polled with the sockets: blocked first, so
 * libzmq's I/O threads (created after this) never take them. */
static int
open_signals(struct broker *b)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1 ||
	    (b->signal_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) == -1) {
		log_event(LOG_LEVEL_FATAL, NULL, NULL, "failed", "signalfd: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int
open_sockets(struct broker *b, const uint8_t sk[DIRECTORY_CURVE_PKBYTES])
{
	struct status st;

	if ((b->ctx = zmq_ctx_new()) == NULL) {
		log_event(LOG_LEVEL_FATAL, NULL, NULL, "failed", "zmq_ctx_new: %s",
		    zmq_strerror(zmq_errno()));
		return -1;
	}
	/* ZAP before the ROUTER binds: no handshake may find it missing. */
	if ((b->zap = zap_new(b->ctx, &st)) == NULL ||
	    (b->router = router_open(b->ctx, b->conf, sk, &st)) == NULL ||
	    monitor_open(b->ctx, b->router, &b->monitor, &st) == -1 ||
	    (b->stats_fd = stats_listen(b->conf->stats_socket, &st)) == -1)
		goto fail;
	return 0;
fail:
	log_event(LOG_LEVEL_FATAL, NULL, NULL, "failed", "%s", st.text);
	return -1;
}

static void
shutdown_broker(struct broker *b)
{
	struct status st;

	if (b->store != NULL && auditq_pending(b->auditq) > 0 &&
	    db_begin(store_db(b->store), &st) == 0) {
		if (auditq_flush(b->auditq, store_db(b->store), &st) == 0 &&
		    db_commit(store_db(b->store), &st) == 0)
			auditq_clear(b->auditq);
		else
			db_rollback(store_db(b->store), NULL);
	}
	/* A last checkpoint covers the log's tail, "stopped" included. */
	if (b->checkpoints != NULL && checkpointer_write(b->checkpoints, &st) == -1)
		log_event(LOG_LEVEL_WARN, NULL, NULL, "checkpoint-failed", "%s", st.text);
	if (b->router != NULL)
		zmq_socket_monitor(b->router, NULL, 0);
	if (b->monitor != NULL)
		zmq_close(b->monitor);
	if (b->router != NULL)
		zmq_close(b->router);	/* linger 0: in-flight frames are dropped, never */
	zap_destroy(&b->zap);		/* the messages: those wait in the store */
	if (b->ctx != NULL)
		zmq_ctx_term(b->ctx);
	if (b->stats_fd != -1) {
		close(b->stats_fd);
		unlink(b->conf->stats_socket);
	}
	if (b->signal_fd != -1)
		close(b->signal_fd);
	checkpointer_destroy(&b->checkpoints);
	store_close(&b->store);
	deliver_destroy(&b->deliver);
	auditq_destroy(&b->auditq);
	settings_broker_destroy(&b->conf);
	policy_destroy(&b->policy);
	agencycal_destroy(&b->cals);
	directory_destroy(&b->dir);
	keyfile_destroy(&b->keys);
}

static int
status_command(const struct opts *o)
{
	struct conf_errors *errs = conf_errors_new();
	struct settings_broker *conf;
	struct status st;
	int rc;

	if (errs == NULL)
		return BROKER_EXIT_FAILED;
	conf = settings_broker_load(o->dir, errs);
	print_errors(errs);
	conf_errors_destroy(&errs);
	if (conf == NULL)
		return BROKER_EXIT_CONFIG;
	rc = stats_query(conf->stats_socket, o->json, stdout, &st);
	if (rc == -1)
		fprintf(stderr, "dutynet-broker: %s\n", st.text);
	settings_broker_destroy(&conf);
	return rc == 0 ? BROKER_EXIT_OK : BROKER_EXIT_UNREACHABLE;
}

int
main(int argc, char **argv)
{
	uint8_t sk[DIRECTORY_CURVE_PKBYTES];
	struct broker b;
	struct opts o;
	int ret = BROKER_EXIT_FAILED, rc;

	memset(&o, 0, sizeof(o));
	memset(&b, 0, sizeof(b));
	b.stats_fd = b.signal_fd = -1;
	if (parse(argc, argv, &o) == -1)
		return BROKER_EXIT_USAGE;
	if (o.status)
		return status_command(&o);
	log_init(BROKER_PROGNAME, o.verbose);
	if (!zmq_has("curve") || seal_init() == -1)
		fatalx("libzmq without CURVE, or libsodium failed to start");
	if (clock_from_env() == -1)
		log_warnx("DUTYNET_CLOCK_OFFSET_MS is not an integer; using the real clock");
	if (load(&b, o.dir) == -1 || broker_keys(&b, sk) == -1) {
		ret = BROKER_EXIT_CONFIG;
		goto out;
	}
	if (b.conf->delivery_window >= b.conf->hwm)
		log_warnx("delivery_window %lld is not below hwm %lld: a slow agent could make "
		    "the ROUTER refuse sends; lower delivery_window",
		    (long long)b.conf->delivery_window, (long long)b.conf->hwm);
	b.started_ms = clock_now_ms();
	if ((b.auditq = auditq_new(AUDITQ_CAPACITY)) == NULL ||
	    (b.deliver = deliver_new((uint32_t)b.conf->delivery_window,
		 (uint64_t)b.conf->heartbeat_ms)) == NULL ||
	    open_signals(&b) == -1 || open_store(&b) == -1)
		goto out;
	rc = open_sockets(&b, sk);
	sodium_memzero(sk, sizeof(sk));
	if (rc == -1)
		goto out;
	if (auditq_push(b.auditq, "started", NULL, NULL, "endpoint=%s", b.conf->endpoint) == -1)
		stats_inc(&b.stats, STATS_AUDIT_LOST);
	log_event(LOG_LEVEL_INFO, NULL, NULL, "ready", "endpoint=%s agencies=%zu db=%s",
	    b.conf->endpoint, b.dir->n_agencies, db_path(store_db(b.store)));
	sdnotify_ready();
	sdnotify_status("routing on %s for %zu agencies", b.conf->endpoint, b.dir->n_agencies);
	if (loop_run(&b) == 0)
		ret = BROKER_EXIT_OK;
	sdnotify_stopping();
	log_event(LOG_LEVEL_INFO, NULL, NULL, "stopping", "signal received; closing");
	if (auditq_push(b.auditq, "stopped", NULL, NULL, "clean shutdown") == -1)
		stats_inc(&b.stats, STATS_AUDIT_LOST);
out:
	sodium_memzero(sk, sizeof(sk));
	shutdown_broker(&b);
	return ret;
}
