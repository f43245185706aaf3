/* SPDX-License-Identifier: ISC */
/*
 * dutynet-agent: one agency's agent.  It keeps the agency's outbox, inbox
 * and audit log in its own database, talks to the broker over one CURVE
 * DEALER, and answers the dutynet command line on a local control socket.
 *
 * DESIGN: one thread and one zmq_poll loop over the broker link, the link's
 * socket monitor and the control socket (listener and callers as plain fds).
 * Each turn of the loop takes a batch from the broker and applies it in one
 * transaction (receive.c), runs the complete control requests as one group
 * (control.c), sends what the outbox has due (transmit.c) and reaps or
 * starts the on_message hook (hook.c).  Every answer - to the broker or to
 * a person - goes out only after the commit it reports.  The ZeroMQ context
 * is created after the configuration is read and before any hook is forked;
 * a hook child execs at once and never touches it.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>
#include <zmq.h>

#include "agents/agent.h"
#include "agents/agentdb.h"
#include "agents/control.h"
#include "agents/cpsend.h"
#include "agents/hook.h"
#include "agents/link.h"
#include "agents/pairkeys.h"
#include "agents/receive.h"
#include "agents/recvorder.h"
#include "agents/retention.h"
#include "agents/transmit.h"
#include "agents/web.h"
#include "common/checkpointer.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/sdnotify.h"
#include "proto/seal.h"

/* Exit codes (documented in --help). */
enum {
	EXIT_CLEAN = 0,		/* stopped by SIGTERM or SIGINT */
	EXIT_RUNTIME = 1,	/* database, sockets or memory failed */
	EXIT_USAGE = 2,		/* bad command line */
	EXIT_CONFIG = 3,	/* configuration or key file unusable */
};

#define DATA_DIR_MODE 0700
#define PATH_MAX_LEN 4096
#define POLLITEMS (2 + CONTROL_POLLITEMS + 1)	/* the last: the web inbox */

static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t reload_signal;

static const char usage[] =
    "usage: dutynet-agent --config DIR --agency ID [-v]\n"
    "       dutynet-agent --help | --version\n"
    "\n"
    "Runs the dutynet agent of agency ID with the configuration in DIR\n"
    "(directory.conf, policy.conf and agents/ID.conf; see config/CONFIG.md).\n"
    "It keeps the agency's outbox, inbox and audit log in DATA_DIR/" AGENT_DB_FILE ",\n"
    "connects to the broker, and answers the dutynet command on its control\n"
    "socket.  It logs one line per event to stderr and prints event=ready once\n"
    "its database is open and its sockets are up.  SIGTERM or SIGINT stop it;\n"
    "SIGHUP re-reads directory.conf, policy.conf and the calendars.  Under systemd\n"
    "(Type=notify) it reports READY=1 once ready, and pings the watchdog from its\n"
    "loop.\n"
    "\n"
    "on_message in agents/ID.conf runs WORDS... MESSAGE-ID TYPE (fork and exec,\n"
    "no shell, never the content; the environment without NOTIFY_SOCKET and the\n"
    "watchdog variables) for each message stored, AT LEAST once: a crash\n"
    "between its exit and its record runs it again, so the program must treat\n"
    "the message id as an idempotency key.  With contact_windows in agents/ID.conf\n"
    "a standard or routine message's run waits for the next window (a school's\n"
    "break, after lessons); immediate and urgent ones run at once.\n"
    "\n"
    "The broker's reminders and escalations about deadlines arrive as messages\n"
    "too (type escalation): checked with the broker's keys in directory.conf,\n"
    "stored, and ACKed rather than receipted.  An immediate or urgent message\n"
    "sent to children's social care while it is closed also goes to the\n"
    "emergency duty team.  Deadlines follow policy.conf and each recipient's\n"
    "calendar in directory.conf (bank holidays from $DUTYNET_HOLIDAYS, default\n"
    "the file dutynet was installed with); DUTYNET_CLOCK_OFFSET_MS moves this\n"
    "agent's clock (tests and demonstrations).\n"
    "\n"
    "With web_listen in agents/ID.conf it also serves the agency's web inbox\n"
    "(HTTPS only with web_tls_cert and web_tls_key) from the same loop.\n"
    "\n"
    "  -c, --config DIR   the configuration directory (default " CONF_DIR_DEFAULT ")\n"
    "  -a, --agency ID    the agency this agent runs for\n"
    "  -v, --verbose      also log debug lines\n"
    "\n"
    "Exit codes: 0 stopped by a signal; 1 the database, a socket or memory\n"
    "failed (the log says which); 2 bad command line; 3 the configuration or\n"
    "the key file is unusable (every problem is printed as file:line: field:\n"
    "message).\n";

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		reload_signal = 1;
	else
		stop_signal = 1;
}

static void
signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a signal ends zmq_poll at once (EINTR). */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

static void
print_errors(const struct conf_errors *errs)
{
	size_t i;

	for (i = 0; i < conf_errors_count(errs); i++)
		fprintf(stderr, "%s\n", conf_errors_get(errs, i));
}

/* Loads directory, policy and every agency's calendar into *d, *p, *c:
 * 0, or -1 with errs filled. */
static int
load_area(const char *dir, struct directory **d, struct policy **p, struct agencycal **c,
    struct conf_errors *errs)
{
	struct status st;

	*c = NULL;
	*d = directory_load(dir, errs);
	*p = policy_load(dir, *d, errs);
	if (*d != NULL && *p != NULL && conf_errors_count(errs) == 0 &&
	    (*c = agencycal_load(dir, *d, agencycal_holidays_path(), &st)) == NULL)
		conf_errors_add_text(errs, st.text);
	if (*c == NULL) {
		directory_destroy(d);
		policy_destroy(p);
		return -1;
	}
	return 0;
}

/* The key file must hold exactly the keys directory.conf publishes. */
static int
check_keys(const struct agent *a, struct status *st)
{
	const struct keyfile *k = a->keys;
	const struct directory_agency *s = a->self;

	if (strcmp(k->id, s->id) != 0)
		return status_set(st, STATUS_BAD_FIELD, "key file %s holds the keys of %s, not of %s",
		    a->settings->key_file, k->id, s->id);
	if (!k->has_box || sodium_memcmp(k->sign_pk, s->sign_pk, SEAL_SIGN_PKBYTES) != 0 ||
	    sodium_memcmp(k->box_pk, s->box_pk, SEAL_BOX_PKBYTES) != 0 ||
	    sodium_memcmp(k->curve_pk, s->curve_pk, DIRECTORY_CURVE_PKBYTES) != 0)
		return status_set(st, STATUS_UNKNOWN_KEY,
		    "key file %s does not match the public keys directory.conf lists for %s; "
		    "put its keys/%s.pub in directory.conf, or use the right key file",
		    a->settings->key_file, s->id, s->id);
	return 0;
}

/* mkdir -p with mode for every directory it creates. */
static int
make_dirs(const char *path, struct status *st)
{
	char buf[PATH_MAX_LEN];
	size_t i, n = strlen(path);

	if (n == 0 || n >= sizeof(buf))
		return status_set(st, STATUS_BAD_FIELD, "data_dir '%.60s' is empty or too long",
		    path);
	memcpy(buf, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, DATA_DIR_MODE) != 0 && errno != EEXIST)
			return status_set(st, STATUS_UNAVAILABLE, "cannot create %s: %s", buf,
			    strerror(errno));
		buf[i] = i == n ? '\0' : '/';
	}
	return 0;
}

static void
reload(struct agent *a)
{
	struct conf_errors *errs = conf_errors_new();
	struct directory *d = NULL;
	struct policy *p = NULL;
	struct agencycal *c = NULL;
	const struct directory_agency *self;

	reload_signal = 0;
	if (errs == NULL)
		return;
	sdnotify_reloading();
	if (load_area(a->confdir, &d, &p, &c, errs) != 0 ||
	    (self = directory_find(d, a->settings->agency)) == NULL) {
		log_warnx("SIGHUP: the new configuration is not used (%zu problems); the first: %s",
		    conf_errors_count(errs), conf_errors_count(errs) ? conf_errors_get(errs, 0) :
		    "this agency is no longer in directory.conf");
		directory_destroy(&d);
		policy_destroy(&p);
		agencycal_destroy(&c);
		goto out;
	}
	directory_destroy(&a->dir);
	policy_destroy(&a->policy);
	agencycal_destroy(&a->cals);
	a->dir = d;
	a->policy = p;
	a->cals = c;
	a->self = self;
	log_info("SIGHUP: re-read directory.conf (version %u), policy.conf and the calendars",
	    d->version);
out:
	sdnotify_ready();
	conf_errors_destroy(&errs);
}

static uint64_t
min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static void
take_from_broker(struct agent *a)
{
	struct link_msg msgs[AGENT_RECV_READ];
	size_t n = 0, i, urgent, chunk;
	int rc;

	while (n < AGENT_RECV_READ && (rc = link_recv(a->link, &msgs[n])) != 0)
		if (rc == 1)
			n++;
	/* Urgent deliveries in a small transaction of their own first, the
	 * rest in batches that keep each commit short. */
	urgent = recvorder_urgent_first(msgs, n);
	if (urgent > 0)
		receive_batch(a, msgs, urgent);
	for (i = urgent; i < n; i += chunk) {
		chunk = n - i < AGENT_RECV_BATCH ? n - i : AGENT_RECV_BATCH;
		receive_batch(a, msgs + i, chunk);
	}
	for (i = 0; i < n; i++)
		link_msg_clear(&msgs[i]);
}

static int
run(struct agent *a, struct control *ctl)
{
	zmq_pollitem_t items[POLLITEMS];
	struct status st;
	size_t nc, nw;
	uint64_t timeout, watchdog = sdnotify_watchdog_interval_ms(), pinged = 0;
	int64_t hw;
	unsigned purged;
	int written;

	while (!stop_signal) {
		/* systemd restarts an agent whose loop stops turning. */
		if (watchdog != 0 && clock_mono_ms() - pinged >= watchdog) {
			sdnotify_watchdog_ping();
			pinged = clock_mono_ms();
		}
		if (reload_signal)
			reload(a);
		memset(items, 0, sizeof(items));
		items[0].socket = link_socket(a->link);
		items[0].events = ZMQ_POLLIN;
		items[1].socket = link_monitor(a->link);
		items[1].events = ZMQ_POLLIN;
		nc = control_pollitems(ctl, items + 2, CONTROL_POLLITEMS);
		nw = 0;
		if (a->web != NULL) {
			items[2 + nc].fd = web_fd(a->web);
			items[2 + nc].events = ZMQ_POLLIN;
			nw = 1;
		}
		timeout = min_u64(transmit_wait_ms(a), link_tick(a->link));
		timeout = min_u64(timeout, control_wait_ms(ctl));
		if (a->web != NULL)
			timeout = min_u64(timeout, web_wait_ms(a->web));
		timeout = min_u64(timeout, checkpointer_wait_ms(a->checkpoints));
		timeout = min_u64(timeout, retention_wait_ms(a->retention, clock_now_ms()));
		if (a->hook != NULL && (hw = hook_wait_ms(a->hook, a->db, clock_now_ms())) >= 0)
			timeout = min_u64(timeout, (uint64_t)hw);
		if (watchdog != 0)
			timeout = min_u64(timeout, watchdog);
		if (zmq_poll(items, (int)(2 + nc + nw), (long)timeout) < 0) {
			if (zmq_errno() == EINTR)
				continue;
			log_warnx("zmq_poll: %s", zmq_strerror(zmq_errno()));
			return EXIT_RUNTIME;
		}
		if (items[1].revents & ZMQ_POLLIN)
			link_on_monitor(a->link);
		if (items[0].revents & ZMQ_POLLIN)
			take_from_broker(a);
		control_io(ctl, a, items + 2, nc);
		/* Every turn, not only when its descriptor is ready: its own
		 * timeouts and resumed event streams need it too. */
		if (a->web != NULL)
			web_run(a->web);
		while (transmit_wait_ms(a) == 0 && transmit_due(a))
			;
		if (a->hook != NULL && (hook_running(a->hook) != 0 ||
					   hook_wait_ms(a->hook, a->db, clock_now_ms()) == 0) &&
		    hook_poll(a->hook, a->db, 0, &st) != 0)
			log_event(LOG_LEVEL_WARN, NULL, NULL, "store-failed", "on_message: %s", st.text);
		/* After every transaction of the turn: a checkpoint is its own. */
		if (checkpointer_poll(a->checkpoints, &written, &st) != 0)
			log_event(LOG_LEVEL_WARN, a->settings->agency, NULL, "checkpoint-failed", "%s",
			    st.text);
		if (written)
			cpsend_written(a->cpsend);
		cpsend_tick(a);
		if (retention_poll(a->retention, clock_now_ms(), &purged, &st) != 0)
			log_event(LOG_LEVEL_WARN, a->settings->agency, NULL, "retention-failed", "%s",
			    st.text);
	}
	sdnotify_stopping();
	log_event(LOG_LEVEL_INFO, a->settings->agency, NULL, "stopping", "signal received");
	return EXIT_CLEAN;
}

static int
parse_args(int argc, char **argv, const char **confdir, const char **agency, int *verbose)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"agency", required_argument, NULL, 'a'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "c:a:vh", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			*confdir = optarg;
			break;
		case 'a':
			*agency = optarg;
			break;
		case 'v':
			(*verbose)++;
			break;
		case 'h':
			fputs(usage, stdout);
			exit(EXIT_CLEAN);
		case 'V':
			printf("dutynet-agent %s (envelope v%d, protocol v%d)\n", DUTYNET_VERSION,
			    ENVELOPE_VERSION, FRAME_VERSION);
			exit(EXIT_CLEAN);
		default:
			fputs(usage, stderr);
			return -1;
		}
	}
	if (optind != argc || *agency == NULL) {
		fprintf(stderr, "dutynet-agent: %s\n%s",
		    optind != argc ? "unexpected argument" : "--agency ID is required", usage);
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct agent a;
	struct conf_errors *errs = NULL;
	struct control *ctl = NULL;
	struct status st;
	const char *agency = NULL;
	char dbpath[PATH_MAX_LEN];
	void *zctx = NULL;
	int verbose = 0, ret = EXIT_CONFIG;

	memset(&a, 0, sizeof(a));
	a.confdir = CONF_DIR_DEFAULT;
	if (parse_args(argc, argv, &a.confdir, &agency, &verbose) != 0)
		return EXIT_USAGE;
	log_init("dutynet-agent", verbose);
	if (!zmq_has("curve"))
		fatalx("this libzmq has no CURVE security; install Debian's libzmq5 (with libsodium)");
	if (seal_init() != 0)
		fatalx("libsodium failed to initialise");
	if (clock_from_env() != 0)
		fatalx("DUTYNET_CLOCK_OFFSET_MS is not an integer");
	if ((errs = conf_errors_new()) == NULL)
		fatalx("out of memory");

	if (ids_agency_valid(agency, strlen(agency), &st) != 0) {
		fprintf(stderr, "dutynet-agent: --agency: %s\n", st.text);
		ret = EXIT_USAGE;
		goto out;
	}
	if (load_area(a.confdir, &a.dir, &a.policy, &a.cals, errs) == 0)
		a.settings = settings_agent_load(a.confdir, agency, a.dir, errs);
	if (a.settings == NULL || conf_errors_count(errs) > 0) {
		print_errors(errs);
		fprintf(stderr, "dutynet-agent: the configuration in %s is not usable; fix the "
		    "lines above ('dutynet config check %s' shows them too)\n", a.confdir, a.confdir);
		goto out;
	}
	a.self = directory_find(a.dir, agency);
	if (keyfile_load(a.settings->key_file, &a.keys, &st) != 0 || check_keys(&a, &st) != 0) {
		fprintf(stderr, "%s:%u: key_file: %s\n", a.settings->path, a.settings->key_file_line,
		    st.text);
		goto out;
	}
	ret = EXIT_RUNTIME;
	snprintf(dbpath, sizeof(dbpath), "%s/%s", a.settings->data_dir, AGENT_DB_FILE);
	if (make_dirs(a.settings->data_dir, &st) != 0 ||
	    (a.db = agentdb_open(dbpath, &st)) == NULL) {
		log_event(LOG_LEVEL_FATAL, agency, NULL, "store-failed", "%s", st.text);
		goto out;
	}
	if ((a.checkpoints = checkpointer_open(a.db, agency, a.keys->sign_sk,
		 (uint64_t)a.settings->checkpoint_entries,
		 (uint64_t)a.settings->checkpoint_seconds * CHECKPOINTER_MS_PER_SECOND, &st)) == NULL) {
		log_event(LOG_LEVEL_FATAL, agency, NULL, "checkpoint-failed", "%s", st.text);
		goto out;
	}
	if ((a.cpsend = cpsend_new()) == NULL) {
		log_warnx("out of memory");
		goto out;
	}
	if ((a.pairs = pairkeys_new(a.keys)) == NULL ||
	    (a.retention = retention_new(a.db, &a.settings->retention)) == NULL) {
		log_warnx("out of locked memory");
		goto out;
	}
	if (a.settings->on_message != NULL &&
	    (a.hook = hook_new((const char *const *)a.settings->on_message,
		 a.settings->on_message_argc, HOOK_TIMEOUT_MS)) == NULL) {
		log_warnx("out of memory");
		goto out;
	}
	if (a.hook != NULL)
		hook_set_windows(a.hook, a.settings->contact_windows);
	signals();
	/* After any fork that could matter: hook children exec at once. */
	if ((zctx = zmq_ctx_new()) == NULL) {
		log_warnx("zmq_ctx_new: %s", zmq_strerror(zmq_errno()));
		goto out;
	}
	if ((a.link = link_new(zctx, a.settings, a.keys, a.dir->broker.curve_pk, &st)) == NULL ||
	    (ctl = control_new(a.settings->control_socket, &st)) == NULL) {
		log_event(LOG_LEVEL_FATAL, agency, NULL, "startup-failed", "%s", st.text);
		goto out;
	}
	if (a.settings->web_port != 0 && (a.web = web_new(&a, &st)) == NULL) {
		log_event(LOG_LEVEL_FATAL, agency, NULL, "startup-failed", "web inbox: %s", st.text);
		if (st.code == STATUS_BAD_FIELD)
			ret = EXIT_CONFIG;
		goto out;
	}
	a.kick = true;
	log_event(LOG_LEVEL_INFO, agency, NULL, "ready",
	    "database %s, control socket %s, broker %s", dbpath, a.settings->control_socket,
	    a.settings->broker_endpoint);
	sdnotify_ready();
	sdnotify_status("agent of %s; broker %s", agency, a.settings->broker_endpoint);
	ret = run(&a, ctl);
	/* A last checkpoint covers the log's tail. */
	if (checkpointer_write(a.checkpoints, &st) != 0)
		log_event(LOG_LEVEL_WARN, agency, NULL, "checkpoint-failed", "%s", st.text);
out:
	web_destroy(&a.web);
	control_destroy(&ctl);
	link_destroy(&a.link);
	if (zctx != NULL)
		zmq_ctx_term(zctx);
	hook_destroy(&a.hook);
	pairkeys_destroy(&a.pairs);
	cpsend_destroy(&a.cpsend);
	checkpointer_destroy(&a.checkpoints);
	retention_destroy(&a.retention);
	db_close(&a.db);
	keyfile_destroy(&a.keys);
	settings_agent_destroy(&a.settings);
	agencycal_destroy(&a.cals);
	policy_destroy(&a.policy);
	directory_destroy(&a.dir);
	conf_errors_destroy(&errs);
	return ret;
}
