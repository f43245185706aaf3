/* SPDX-License-Identifier: ISC */
/*
 * client: argument shaping, the control-socket round trip and exit codes
 * for the commands that talk to the agent (see client.h).
 *
 * Finding the agent: --socket PATH, else $DUTYNET_SOCKET, else the
 * control_socket of agents/ID.conf in the configuration directory
 * (--config DIR, $DUTYNET_CONFIG, /etc/dutynet), where ID is --agency,
 * $DUTYNET_AGENCY, or the only agent configured there.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <sodium.h>

#include "agents/cli/client.h"
#include "agents/cli/cmd.h"
#include "config/settings.h"

static const char common_help[] =
    "\nCommon options:\n"
    "  --config DIR    configuration directory (default $" CLIENT_ENV_CONFIG " or "
    CONF_DIR_DEFAULT ")\n"
    "  --agency ID     whose agent to ask (default $" CLIENT_ENV_AGENCY ", or the only\n"
    "                  agent configured in DIR)\n"
    "  --socket PATH   the agent's control socket (default $" CLIENT_ENV_SOCKET ", or\n"
    "                  control_socket in DIR/agents/ID.conf)\n"
    "  --json          print JSON instead of text\n"
    "  --help          print this help\n"
    "\nExit codes: 0 done; 1 failed (the message says why; 4xx answers are\n"
    "temporary: try again); 2 bad command line or value; 3 configuration\n"
    "unreadable; 4 agent not running or not reachable; 5 refused by the\n"
    "sharing policy, the broker or the recipient.\n";

struct where {
	const char *config;
	const char *agency;
	const char *socket;
};

int
client_args_set(struct client_args *args, const char *key, const char *value)
{
	char *k, *v;
	size_t i;

	if ((v = strdup(value)) == NULL)
		return -1;
	for (i = 0; i < args->n; i++) {
		if (strcmp(args->a[i].key, key) == 0) {
			free(args->a[i].value);
			args->a[i].value = v;
			return 0;
		}
	}
	if (args->n == CLIENT_ARGS_MAX || (k = strdup(key)) == NULL) {
		free(v);
		return -1;
	}
	args->a[args->n].key = k;
	args->a[args->n++].value = v;
	return 0;
}

void
client_args_clear(struct client_args *args)
{
	size_t i;

	for (i = 0; i < args->n; i++) {
		free(args->a[i].key);
		/* A value may be a password (dutynet user add): wiped. */
		sodium_memzero(args->a[i].value, strlen(args->a[i].value));
		free(args->a[i].value);
	}
	args->n = 0;
}

int
client_exit_code(int code)
{
	if (code >= STATUS_OK && code < STATUS_UNAVAILABLE)
		return CMD_OK;
	switch (code) {
	case STATUS_MALFORMED:
	case STATUS_BAD_TYPE:
	case STATUS_BAD_FIELD:
	case STATUS_TOO_LARGE:
		return CMD_USAGE;
	case STATUS_UNKNOWN_AGENCY:
	case STATUS_FORBIDDEN:
	case STATUS_NOT_ACCEPTED:
	case STATUS_EXPIRED:
	case STATUS_REJECTED:
		return CMD_REJECTED;
	default:
		return CMD_FAIL;
	}
}

static int
in_list(const char *const *list, const char *name)
{
	size_t i;

	for (i = 0; list != NULL && list[i] != NULL; i++)
		if (strcmp(list[i], name) == 0)
			return 1;
	return 0;
}

/* The only agents/NAME.conf in dir, into out; -1 if none or several. */
static int
only_agent(const char *dir, char *out, size_t cap)
{
	char path[CLIENT_ERR_MAX];
	struct dirent *e;
	size_t len, suf = strlen(SETTINGS_AGENT_SUFFIX);
	int found = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s", dir, SETTINGS_AGENTS_DIR);
	if ((d = opendir(path)) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		len = strlen(e->d_name);
		if (len <= suf || strcmp(e->d_name + len - suf, SETTINGS_AGENT_SUFFIX) != 0)
			continue;
		if (found++ == 0)
			snprintf(out, cap, "%.*s", (int)(len - suf), e->d_name);
	}
	closedir(d);
	return found == 1 ? 0 : -1;
}

/* The control socket's path into out: CMD_OK, or an exit code after
 * printing what went wrong. */
static int
socket_path(const char *name, const struct where *w, char *out, size_t cap)
{
	struct conf_errors *errs;
	struct settings_agent *s;
	const char *dir = w->config, *agency = w->agency, *sock = w->socket;
	char only[IDS_AGENCY_MAX + 1];
	size_t i;
	int ret = CMD_CONFIG;

	if (sock != NULL || (sock = getenv(CLIENT_ENV_SOCKET)) != NULL) {
		snprintf(out, cap, "%s", sock);
		return CMD_OK;
	}
	if (dir == NULL && (dir = getenv(CLIENT_ENV_CONFIG)) == NULL)
		dir = CONF_DIR_DEFAULT;
	if (agency == NULL && (agency = getenv(CLIENT_ENV_AGENCY)) == NULL) {
		if (only_agent(dir, only, sizeof(only)) != 0) {
			fprintf(stderr, "dutynet %s: say whose agent to ask: --agency ID (%s/%s has "
			    "no single agent configuration)\n", name, dir, SETTINGS_AGENTS_DIR);
			return CMD_USAGE;
		}
		agency = only;
	}
	if ((errs = conf_errors_new()) == NULL)
		return CMD_FAIL;
	if ((s = settings_agent_load(dir, agency, NULL, errs)) == NULL) {
		for (i = 0; i < conf_errors_count(errs); i++)
			fprintf(stderr, "%s\n", conf_errors_get(errs, i));
		fprintf(stderr, "dutynet %s: cannot find the agent of %s: fix %s/%s/%s%s, or give "
		    "--socket PATH\n", name, agency, dir, SETTINGS_AGENTS_DIR, agency,
		    SETTINGS_AGENT_SUFFIX);
	} else {
		snprintf(out, cap, "%s", s->control_socket);
		ret = CMD_OK;
	}
	settings_agent_destroy(&s);
	conf_errors_destroy(&errs);
	return ret;
}

static int
read_all(int fd, uint8_t *buf, size_t len)
{
	ssize_t r;
	size_t got = 0;

	while (got < len) {
		r = read(fd, buf + got, len - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

static int
write_all(int fd, const uint8_t *buf, size_t len)
{
	ssize_t w;
	size_t done = 0;

	while (done < len) {
		w = send(fd, buf + done, len - done, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		done += (size_t)w;
	}
	return 0;
}

/* One round trip: CMD_OK with *resp filled, or an exit code after printing. */
static int
round_trip(const char *name, const char *path, const uint8_t *req, size_t len,
    struct ctlmsg_response *resp)
{
	struct sockaddr_un addr;
	struct timeval tv = { CLIENT_TIMEOUT_S, 0 };
	struct status st;
	uint8_t prefix[CTLMSG_LEN_BYTES], *body = NULL;
	uint32_t blen;
	int fd, ret = CMD_UNAVAILABLE;

	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "dutynet %s: socket path %s is too long\n", name, path);
		return CMD_CONFIG;
	}
	memcpy(addr.sun_path, path, strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		fprintf(stderr, "dutynet %s: socket: %s\n", name, strerror(errno));
		return CMD_FAIL;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
		if (errno == EACCES || errno == EPERM)
			fprintf(stderr, "dutynet %s: not allowed to use %s (%s); run this as the "
			    "agent's user\n", name, path, strerror(errno));
		else
			fprintf(stderr, "dutynet %s: the agent is not running: no answer on %s (%s); "
			    "start dutynet-agent, then try again\n", name, path, strerror(errno));
		goto out;
	}
	if (write_all(fd, req, len) != 0 || read_all(fd, prefix, sizeof(prefix)) != 0) {
		fprintf(stderr, "dutynet %s: the agent on %s did not answer (%s); check its log\n",
		    name, path, errno ? strerror(errno) : "connection closed");
		goto out;
	}
	blen = ctlmsg_frame_len(prefix);
	ret = CMD_FAIL;
	if (blen > CTLMSG_RESPONSE_MAX || (body = malloc(blen ? blen : 1)) == NULL ||
	    read_all(fd, body, blen) != 0) {
		fprintf(stderr, "dutynet %s: the agent's answer was cut short or too long\n", name);
		goto out;
	}
	if (ctlmsg_response_decode(body, blen, resp, &st) != 0) {
		fprintf(stderr, "dutynet %s: the agent's answer does not parse: %s\n", name, st.text);
		goto out;
	}
	ret = CMD_OK;
out:
	free(body);
	close(fd);
	return ret;
}

static void
help(const struct client_cmd *c)
{
	fputs(c->usage, stdout);
	fputs(common_help, stdout);
}

/* Parses argv into args and w: CMD_OK, or an exit code after printing. */
static int
parse(const struct client_cmd *c, int argc, char **argv, struct client_args *args,
    struct where *w, const char **file)
{
	size_t npos = 0;
	const char *name, *value, *eq;
	char key[CTLMSG_KEY_MAX + 1];
	int i;

	for (i = 1; i < argc; i++) {
		if (strncmp(argv[i], "--", 2) != 0 || argv[i][2] == '\0') {
			if (c->positionals == NULL || c->positionals[npos] == NULL) {
				fprintf(stderr, "dutynet %s: unexpected '%s'; see 'dutynet %s --help'\n",
				    c->name, argv[i], c->name);
				return CMD_USAGE;
			}
			if (client_args_set(args, c->positionals[npos++], argv[i]) != 0)
				return CMD_FAIL;
			continue;
		}
		name = argv[i] + 2;
		eq = strchr(name, '=');
		snprintf(key, sizeof(key), "%.*s", (int)(eq ? (size_t)(eq - name) : strlen(name)),
		    name);
		if (strcmp(key, "help") == 0) {
			help(c);
			return -1;
		}
		if (strcmp(key, "json") == 0 || in_list(c->switches, key)) {
			if (eq != NULL) {
				fprintf(stderr, "dutynet %s: --%s takes no value\n", c->name, key);
				return CMD_USAGE;
			}
			if (client_args_set(args, key, "1") != 0)
				return CMD_FAIL;
			continue;
		}
		if (!in_list(c->flags, key) && strcmp(key, "config") != 0 &&
		    strcmp(key, "agency") != 0 && strcmp(key, "socket") != 0 &&
		    !(c->form != NULL && strcmp(key, "file") == 0)) {
			fprintf(stderr, "dutynet %s: unknown option --%s; see 'dutynet %s --help'\n",
			    c->name, key, c->name);
			return CMD_USAGE;
		}
		if (eq != NULL)
			value = eq + 1;
		else if (i + 1 < argc)
			value = argv[++i];
		else {
			fprintf(stderr, "dutynet %s: --%s needs a value\n", c->name, key);
			return CMD_USAGE;
		}
		if (strcmp(key, "config") == 0)
			w->config = value;
		else if (strcmp(key, "agency") == 0)
			w->agency = value;
		else if (strcmp(key, "socket") == 0)
			w->socket = value;
		else if (strcmp(key, "file") == 0)
			*file = value;
		else if (client_args_set(args, key, value) != 0)
			return CMD_FAIL;
	}
	if (npos < c->required) {
		fprintf(stderr, "dutynet %s: missing %s; see 'dutynet %s --help'\n", c->name,
		    c->positionals[npos], c->name);
		return CMD_USAGE;
	}
	return CMD_OK;
}

int
client_main(const struct client_cmd *c, int argc, char **argv)
{
	struct client_args args, form;
	struct ctlmsg_response resp;
	struct where w = { NULL, NULL, NULL };
	struct status st;
	const char *file = NULL;
	char path[CLIENT_ERR_MAX], err[CLIENT_ERR_MAX];
	uint8_t *req = NULL;
	size_t len = 0, i;
	int ret;

	memset(&args, 0, sizeof(args));
	memset(&form, 0, sizeof(form));
	memset(&resp, 0, sizeof(resp));
	if ((ret = parse(c, argc, argv, &args, &w, &file)) != CMD_OK) {
		ret = ret == -1 ? CMD_OK : ret;
		goto out;
	}
	if (file != NULL) {
		/* The form first; options given on the command line win. */
		if (c->form(file, &form, err, sizeof(err)) != 0) {
			fprintf(stderr, "dutynet %s: %s\n", c->name, err);
			ret = CMD_USAGE;
			goto out;
		}
		for (i = 0; i < args.n; i++)
			if (client_args_set(&form, args.a[i].key, args.a[i].value) != 0) {
				ret = CMD_FAIL;
				goto out;
			}
		client_args_clear(&args);
		args = form;
		memset(&form, 0, sizeof(form));
	}
	if ((ret = socket_path(c->name, &w, path, sizeof(path))) != CMD_OK)
		goto out;
	if (ctlmsg_request_encode(c->verb, args.a, args.n, &req, &len, &st) != 0) {
		fprintf(stderr, "dutynet %s: %s\n", c->name, st.text);
		ret = client_exit_code(st.code);
		goto out;
	}
	if ((ret = round_trip(c->name, path, req, len, &resp)) != CMD_OK)
		goto out;
	fwrite(resp.output, 1, resp.output_len, stdout);
	if (resp.code >= STATUS_UNAVAILABLE)
		fprintf(stderr, "dutynet %s: %s (%d %s)\n", c->name, resp.text, resp.code,
		    status_name(resp.code));
	ret = client_exit_code(resp.code);
out:
	ctlmsg_response_clear(&resp);
	client_args_clear(&args);
	client_args_clear(&form);
	if (req != NULL)
		sodium_memzero(req, len);	/* it may carry a password */
	free(req);
	return ret;
}
