/* SPDX-License-Identifier: ISC */
/*
 * settings: loading broker.conf and agents/<id>.conf (see settings.h).
 * Every setting that has a default gets it before the file is read, so a
 * loaded struct is always complete; every bad value is recorded with its
 * file, line and field and loading carries on, so one run shows them all.
 */
#include <arpa/inet.h>
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "config/settings.h"

#define TCP_PREFIX "tcp://"
#define IPC_PREFIX "ipc://"
#define PORT_DIGITS_MAX 5
#define PORT_MAX 65535
/* Longest path a Unix socket can be bound at (sun_path holds a NUL too). */
#define SOCKET_PATH_MAX (sizeof(((struct sockaddr_un *)0)->sun_path) - 1)

static const char *const broker_known[] = {"endpoint", "data_dir", "key_file",
    "stats_socket", "max_envelope_bytes", "expiry", "heartbeat_ms", "delivery_window", "hwm",
    "recipient_quota", "checkpoint_entries", "checkpoint_seconds", "retention", NULL};
static const char *const agent_known[] = {"agency", "broker_endpoint", "data_dir",
    "key_file", "control_socket", "on_message", "retry_initial_ms", "retry_max_ms", "window",
    "heartbeat_ms", "contact_windows", "checkpoint_entries", "checkpoint_seconds", "retention",
    "web_listen", "web_tls_cert", "web_tls_key", "web_session_idle", NULL};

/* retention, the same in both files; absent: content is kept for ever. */
static void
load_retention(struct conf *c, const config_setting_t *root, struct retention_period *out)
{
	struct status st;
	const char *v;

	if (conf_string(c, root, "retention", CONF_OPTIONAL, &v) == 0 &&
	    retention_period_parse(v, out, &st) != 0)
		conf_error_member(c, root, "retention", "%s", st.text);
}

/* checkpoint_entries and checkpoint_seconds, the same in both files. */
static void
load_checkpoint(struct conf *c, const config_setting_t *root, int64_t *entries, int64_t *seconds)
{
	conf_int(c, root, "checkpoint_entries", CONF_OPTIONAL, 1, SETTINGS_CHECKPOINT_ENTRIES_MAX,
	    entries);
	conf_int(c, root, "checkpoint_seconds", CONF_OPTIONAL, 1, SETTINGS_CHECKPOINT_SECONDS_MAX,
	    seconds);
}

int
settings_endpoint_valid(const char *s, struct status *st)
{
	char q[CONF_QUOTE_BUF];
	const char *colon, *p;
	long port = 0;

	conf_quote(s, q);
	if (strncmp(s, IPC_PREFIX, strlen(IPC_PREFIX)) == 0 && s[strlen(IPC_PREFIX)] != '\0')
		return 0;
	if (strncmp(s, TCP_PREFIX, strlen(TCP_PREFIX)) != 0)
		return status_set(st, STATUS_BAD_FIELD,
		    "endpoint '%s' must start with tcp:// or ipc:// (e.g. \"tcp://127.0.0.1:7450\")",
		    q);
	s += strlen(TCP_PREFIX);
	colon = strrchr(s, ':');
	if (colon == NULL || colon == s)
		return status_set(st, STATUS_BAD_FIELD,
		    "endpoint '%s' needs a host and a port (\"tcp://HOST:PORT\")", q);
	if (strcmp(colon + 1, "*") == 0)
		return 0;
	for (p = colon + 1; *p >= '0' && *p <= '9' && p - colon <= PORT_DIGITS_MAX; p++)
		port = port * 10 + (*p - '0');
	if (p == colon + 1 || *p != '\0' || port < 1 || port > PORT_MAX)
		return status_set(st, STATUS_BAD_FIELD,
		    "endpoint '%s' has a bad port; use 1 to %d or *", q, PORT_MAX);
	return 0;
}

int
settings_web_listen_parse(const char *s, char host[SETTINGS_WEB_HOST_MAX], int *port,
    struct status *st)
{
	char q[CONF_QUOTE_BUF], addr[sizeof(struct in6_addr)];
	const char *h = s, *colon, *p;
	size_t hlen;
	long n = 0;
	int v6 = s[0] == '[';

	conf_quote(s, q);
	if (v6) {
		h = s + 1;
		if ((colon = strchr(h, ']')) == NULL || colon[1] != ':')
			return status_set(st, STATUS_BAD_FIELD,
			    "web_listen '%s': write an IPv6 address as \"[::1]:8441\"", q);
		hlen = (size_t)(colon - h);
		colon++;
	} else {
		if ((colon = strrchr(s, ':')) == NULL)
			return status_set(st, STATUS_BAD_FIELD,
			    "web_listen '%s' needs an address and a port, like \"127.0.0.1:8441\"", q);
		hlen = (size_t)(colon - s);
	}
	if (hlen == 0 || hlen >= SETTINGS_WEB_HOST_MAX)
		return status_set(st, STATUS_BAD_FIELD,
		    "web_listen '%s' needs an IP address before the port, like \"127.0.0.1:8441\"",
		    q);
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	if (inet_pton(v6 ? AF_INET6 : AF_INET, host, addr) != 1)
		return status_set(st, STATUS_BAD_FIELD,
		    "web_listen '%s': '%s' is not an %s address (a literal, not a host name)", q,
		    host, v6 ? "IPv6" : "IPv4");
	for (p = colon + 1; *p >= '0' && *p <= '9' && p - colon <= PORT_DIGITS_MAX; p++)
		n = n * 10 + (*p - '0');
	if (p == colon + 1 || *p != '\0' || n < 1 || n > PORT_MAX)
		return status_set(st, STATUS_BAD_FIELD, "web_listen '%s' has a bad port; use 1 to %d",
		    q, PORT_MAX);
	*port = (int)n;
	return 0;
}

/* web_listen, web_tls_cert and web_tls_key (both or neither) and
 * web_session_idle: the web inbox. */
static void
load_web(struct conf *c, const config_setting_t *root, struct settings_agent *s)
{
	struct conf_duration idle;
	struct status st;
	const char *v;
	int cert, key;

	if (conf_string(c, root, "web_listen", CONF_OPTIONAL, &v) == 0 &&
	    settings_web_listen_parse(v, s->web_host, &s->web_port, &st) != 0) {
		conf_error_member(c, root, "web_listen", "%s", st.text);
		s->web_port = 0;
	}
	cert = conf_path_value(c, root, "web_tls_cert", CONF_OPTIONAL, &s->web_tls_cert);
	key = conf_path_value(c, root, "web_tls_key", CONF_OPTIONAL, &s->web_tls_key);
	if (key == 0)
		s->web_tls_key_line = (unsigned)config_setting_source_line(
		    config_setting_get_member(root, "web_tls_key"));
	if ((cert == 0) != (key == 0) && cert != -1 && key != -1)
		conf_error_member(c, root, cert == 0 ? "web_tls_key" : "web_tls_cert",
		    "is missing: HTTPS needs both web_tls_cert and web_tls_key (or neither)");
	if (conf_duration(c, root, "web_session_idle", CONF_OPTIONAL, &idle) != 0)
		return;
	if (idle.parsed.kind != DURATION_CLOCK || idle.parsed.ms < SETTINGS_WEB_SESSION_IDLE_MIN_MS ||
	    idle.parsed.ms > SETTINGS_WEB_SESSION_IDLE_MAX_MS)
		conf_error_member(c, root, "web_session_idle", "'%s' must be clock time from 1 "
		    "minute to 24 hours, like \"30 minutes\"", idle.text);
	else
		s->web_session_idle_ms = idle.parsed.ms;
}

/* Reads an endpoint setting into a copy. */
static void
load_endpoint(struct conf *c, const config_setting_t *root, const char *name, char **out)
{
	struct status st;
	const char *v;

	if (conf_string(c, root, name, CONF_REQUIRED, &v) != 0)
		return;
	if (settings_endpoint_valid(v, &st) != 0)
		conf_error_member(c, root, name, "%s", st.text);
	else if ((*out = strdup(v)) == NULL)
		conf_error_member(c, root, name, "out of memory");
}

/* Reads a key_file setting, remembering its line for later errors. */
static void
load_key_file(struct conf *c, const config_setting_t *root, char **out, unsigned *line)
{
	const config_setting_t *s;

	if (conf_path_value(c, root, "key_file", CONF_REQUIRED, out) != 0)
		return;
	s = config_setting_get_member(root, "key_file");
	*line = config_setting_source_line(s);
}

/* Reads an optional socket path; the default is name inside data_dir. */
static void
load_socket(struct conf *c, const config_setting_t *root, const char *setting,
    const char *data_dir, const char *name, char **out)
{
	int r = conf_path_value(c, root, setting, CONF_OPTIONAL, out);

	if (r == 1 && data_dir != NULL && (*out = conf_resolve(data_dir, name)) == NULL)
		conf_error_member(c, root, setting, "out of memory");
	if (*out != NULL && strlen(*out) > SOCKET_PATH_MAX)
		conf_error_member(c, root, setting, "%s is %zu bytes long; a Unix socket path "
		    "can be at most %zu: choose a shorter path%s", *out, strlen(*out),
		    SOCKET_PATH_MAX, r == 1 ? " (it defaults to one in data_dir)" : "");
}

void
settings_broker_destroy(struct settings_broker **sp)
{
	struct settings_broker *s;

	if (sp == NULL || *sp == NULL)
		return;
	s = *sp;
	free(s->path);
	free(s->endpoint);
	free(s->data_dir);
	free(s->key_file);
	free(s->stats_socket);
	free(s);
	*sp = NULL;
}

struct settings_broker *
settings_broker_load(const char *dir, struct conf_errors *errs)
{
	struct settings_broker *s = NULL;
	const config_setting_t *root;
	struct status st;
	struct conf *c;
	size_t before;
	int r;

	assert(dir != NULL && errs != NULL);
	before = conf_errors_count(errs);
	if ((c = conf_open(dir, SETTINGS_BROKER_FILE, errs)) == NULL)
		return NULL;
	root = conf_root(c);
	if ((s = calloc(1, sizeof(*s))) == NULL || (s->path = strdup(conf_path(c))) == NULL) {
		conf_errors_add(errs, conf_path(c), 0, CONF_FIELD_FILE, "out of memory reading it");
		goto out;
	}
	s->max_envelope_bytes = ENVELOPE_MAX_BYTES;
	r = conf_duration_parse(SETTINGS_EXPIRY_DEFAULT, &s->expiry, &st);
	assert(r == 0);
	(void)r;
	s->heartbeat_ms = SETTINGS_HEARTBEAT_MS_DEFAULT;
	s->delivery_window = SETTINGS_DELIVERY_WINDOW_DEFAULT;
	s->hwm = SETTINGS_HWM_DEFAULT;
	s->recipient_quota = SETTINGS_RECIPIENT_QUOTA_DEFAULT;
	s->checkpoint_entries = SETTINGS_CHECKPOINT_ENTRIES_DEFAULT;
	s->checkpoint_seconds = SETTINGS_CHECKPOINT_SECONDS_DEFAULT;

	conf_check_known(c, root, broker_known);
	load_endpoint(c, root, "endpoint", &s->endpoint);
	conf_path_value(c, root, "data_dir", CONF_REQUIRED, &s->data_dir);
	load_key_file(c, root, &s->key_file, &s->key_file_line);
	load_socket(c, root, "stats_socket", s->data_dir, SETTINGS_STATS_SOCKET_NAME,
	    &s->stats_socket);
	conf_int(c, root, "max_envelope_bytes", CONF_OPTIONAL, SETTINGS_ENVELOPE_BYTES_MIN,
	    ENVELOPE_MAX_BYTES, &s->max_envelope_bytes);
	conf_duration(c, root, "expiry", CONF_OPTIONAL, &s->expiry);
	conf_int(c, root, "heartbeat_ms", CONF_OPTIONAL, SETTINGS_HEARTBEAT_MS_MIN,
	    SETTINGS_HEARTBEAT_MS_MAX, &s->heartbeat_ms);
	conf_int(c, root, "delivery_window", CONF_OPTIONAL, 1, SETTINGS_WINDOW_MAX,
	    &s->delivery_window);
	conf_int(c, root, "hwm", CONF_OPTIONAL, 1, SETTINGS_HWM_MAX, &s->hwm);
	conf_int(c, root, "recipient_quota", CONF_OPTIONAL, 1, SETTINGS_RECIPIENT_QUOTA_MAX,
	    &s->recipient_quota);
	load_checkpoint(c, root, &s->checkpoint_entries, &s->checkpoint_seconds);
	load_retention(c, root, &s->retention);
out:
	if (conf_errors_count(errs) > before)
		settings_broker_destroy(&s);
	conf_destroy(&c);
	return s;
}

void
settings_agent_destroy(struct settings_agent **sp)
{
	struct settings_agent *s;
	size_t i;

	if (sp == NULL || *sp == NULL)
		return;
	s = *sp;
	free(s->path);
	free(s->broker_endpoint);
	free(s->data_dir);
	free(s->key_file);
	free(s->control_socket);
	free(s->web_tls_cert);
	free(s->web_tls_key);
	for (i = 0; s->on_message != NULL && s->on_message[i] != NULL; i++)
		free(s->on_message[i]);
	free(s->on_message);
	calendar_destroy(&s->contact_windows);
	free(s);
	*sp = NULL;
}

static void
load_argv(struct conf *c, const config_setting_t *root, struct settings_agent *s)
{
	const config_setting_t *list;
	size_t i, n;

	if (conf_strings(c, root, "on_message", CONF_OPTIONAL, &list) != 0)
		return;
	n = (size_t)config_setting_length(list);
	if (n == 0 || n > SETTINGS_ARGV_MAX) {
		conf_error(c, list, "has %zu words; give the program and its arguments, "
		    "1 to %d words (or leave on_message out)", n, SETTINGS_ARGV_MAX);
		return;
	}
	if ((s->on_message = calloc(n + 1, sizeof(*s->on_message))) == NULL) {
		conf_error(c, list, "out of memory");
		return;
	}
	for (i = 0; i < n; i++)
		if ((s->on_message[i] = strdup(config_setting_get_string(
		    config_setting_get_elem(list, (unsigned)i)))) == NULL) {
			conf_error(c, list, "out of memory");
			return;
		}
	s->on_message_argc = n;
}

/* contact_windows: the hours syntax of calendars, no holidays. */
static void
load_windows(struct conf *c, const config_setting_t *root, struct conf_errors *errs,
    struct settings_agent *s)
{
	const config_setting_t *g = config_setting_get_member(root, "contact_windows");
	struct status st;

	if (g == NULL)
		return;
	if ((s->contact_windows = calendar_new_default()) == NULL) {
		conf_error(c, g, "out of memory");
		return;
	}
	calendar_set_bank_holidays(s->contact_windows, 0);
	if (calendar_load_hours(s->contact_windows, g, conf_path(c), &st) != 0)
		conf_errors_add_text(errs, st.text);
	else if (calendar_day_length(s->contact_windows) == 0)
		conf_error(c, g, "declares no window on any day; leave contact_windows out if "
		    "on_message may run at any time");
}

static void
load_agency(struct conf *c, const config_setting_t *root, const char *agency,
    const struct directory *d, struct settings_agent *s)
{
	char q[CONF_QUOTE_BUF];
	const char *v;

	if (conf_string(c, root, "agency", CONF_REQUIRED, &v) != 0)
		return;
	if (strcmp(v, agency) != 0) {
		conf_quote(v, q);
		conf_error_member(c, root, "agency", "is '%s' but the file is for '%s'; "
		    "agents/<id>.conf must set agency = \"<id>\"", q, agency);
		return;
	}
	if (d != NULL && directory_find(d, agency) == NULL) {
		conf_error_member(c, root, "agency", "unknown agency '%s': no entry in "
		    "directory.conf has that id", agency);
		return;
	}
	snprintf(s->agency, sizeof(s->agency), "%s", agency);
}

struct settings_agent *
settings_agent_load(const char *dir, const char *agency, const struct directory *d,
    struct conf_errors *errs)
{
	char name[sizeof(SETTINGS_AGENTS_DIR) + IDS_AGENCY_MAX + sizeof(SETTINGS_AGENT_SUFFIX)];
	struct settings_agent *s = NULL;
	const config_setting_t *root;
	char q[CONF_QUOTE_BUF];
	struct status st;
	struct conf *c;
	size_t before;

	assert(dir != NULL && agency != NULL && errs != NULL);
	before = conf_errors_count(errs);
	if (ids_agency_valid(agency, strlen(agency), &st) != 0) {
		conf_quote(agency, q);
		conf_errors_add(errs, dir, 0, CONF_FIELD_FILE,
		    "'%s' is not a valid agency id, so it has no agents/<id>.conf", q);
		return NULL;
	}
	snprintf(name, sizeof(name), "%s/%s%s", SETTINGS_AGENTS_DIR, agency,
	    SETTINGS_AGENT_SUFFIX);
	if ((c = conf_open(dir, name, errs)) == NULL)
		return NULL;
	root = conf_root(c);
	if ((s = calloc(1, sizeof(*s))) == NULL || (s->path = strdup(conf_path(c))) == NULL) {
		conf_errors_add(errs, conf_path(c), 0, CONF_FIELD_FILE, "out of memory reading it");
		goto out;
	}
	s->retry_initial_ms = SETTINGS_RETRY_INITIAL_MS_DEFAULT;
	s->retry_max_ms = SETTINGS_RETRY_MAX_MS_DEFAULT;
	s->window = SETTINGS_AGENT_WINDOW_DEFAULT;
	s->heartbeat_ms = SETTINGS_HEARTBEAT_MS_DEFAULT;
	s->checkpoint_entries = SETTINGS_CHECKPOINT_ENTRIES_DEFAULT;
	s->checkpoint_seconds = SETTINGS_CHECKPOINT_SECONDS_DEFAULT;
	s->web_session_idle_ms = SETTINGS_WEB_SESSION_IDLE_DEFAULT_MS;

	conf_check_known(c, root, agent_known);
	load_agency(c, root, agency, d, s);
	load_endpoint(c, root, "broker_endpoint", &s->broker_endpoint);
	conf_path_value(c, root, "data_dir", CONF_REQUIRED, &s->data_dir);
	load_key_file(c, root, &s->key_file, &s->key_file_line);
	load_socket(c, root, "control_socket", s->data_dir, SETTINGS_CONTROL_SOCKET_NAME,
	    &s->control_socket);
	load_argv(c, root, s);
	load_windows(c, root, errs, s);
	conf_int(c, root, "retry_initial_ms", CONF_OPTIONAL, SETTINGS_RETRY_MS_MIN,
	    SETTINGS_RETRY_MS_MAX, &s->retry_initial_ms);
	if (conf_int(c, root, "retry_max_ms", CONF_OPTIONAL, SETTINGS_RETRY_MS_MIN,
	    SETTINGS_RETRY_MS_MAX, &s->retry_max_ms) != -1 &&
	    s->retry_max_ms < s->retry_initial_ms)
		conf_error_member(c, root, "retry_max_ms", "%lld is less than retry_initial_ms "
		    "(%lld); the longest delay cannot be shorter than the first",
		    (long long)s->retry_max_ms, (long long)s->retry_initial_ms);
	conf_int(c, root, "window", CONF_OPTIONAL, 1, SETTINGS_WINDOW_MAX, &s->window);
	conf_int(c, root, "heartbeat_ms", CONF_OPTIONAL, SETTINGS_HEARTBEAT_MS_MIN,
	    SETTINGS_HEARTBEAT_MS_MAX, &s->heartbeat_ms);
	load_checkpoint(c, root, &s->checkpoint_entries, &s->checkpoint_seconds);
	load_retention(c, root, &s->retention);
	load_web(c, root, s);
out:
	if (conf_errors_count(errs) > before)
		settings_agent_destroy(&s);
	conf_destroy(&c);
	return s;
}
