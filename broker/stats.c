/* SPDX-License-Identifier: ISC */
/*
 * stats: counters and the local stats socket (see stats.h).  The snapshot
 * is plain text so that `socat - UNIX:stats.sock` is a client too; the
 * socket is served from the broker's poll loop with non-blocking writes,
 * so a stuck client can never stall message routing.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "broker/stats.h"
#include "common/clock.h"

#define LISTEN_BACKLOG 8

static const char *const names[STATS_COUNT] = {
	[STATS_FRAMES_IN] = "frames_in",
	[STATS_ACCEPTED] = "accepted",
	[STATS_DUPLICATES] = "duplicates",
	[STATS_REJECTED] = "rejected",
	[STATS_RECEIPTS] = "receipts",
	[STATS_ACKS] = "acks",
	[STATS_DELIVERIES] = "deliveries",
	[STATS_REDELIVERIES] = "redeliveries",
	[STATS_OUTCOMES] = "outcomes_sent",
	[STATS_EXPIRED] = "expired",
	[STATS_ERRORS] = "error_replies",
	[STATS_UNROUTABLE] = "unroutable",
	[STATS_BACKPRESSURE] = "backpressure",
	[STATS_REPLIES_LOST] = "replies_lost",
	[STATS_HANDSHAKES_OK] = "handshakes_ok",
	[STATS_HANDSHAKES_FAILED] = "handshakes_failed",
	[STATS_ZAP_ADMITTED] = "zap_admitted",
	[STATS_ZAP_REFUSED] = "zap_refused",
	[STATS_SESSIONS] = "sessions",
	[STATS_REVOKED] = "revoked_refusals",
	[STATS_BATCHES] = "commits",
	[STATS_STORE_FAILURES] = "store_failures",
	[STATS_AUDIT_LOST] = "audit_lost",
	[STATS_RELOADS] = "reloads",
	[STATS_REMINDERS] = "reminders",
	[STATS_ESCALATIONS] = "escalations",
	[STATS_COUNTERSIGNED] = "checkpoints_countersigned",
	[STATS_CHECKPOINT_ALARMS] = "checkpoint_alarms",
};

const char *
stats_name(enum stats_counter c)
{
	return (unsigned)c < STATS_COUNT ? names[c] : NULL;
}

static int
unix_address(const char *path, struct sockaddr_un *sa, struct status *st)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return status_set(st, STATUS_UNAVAILABLE,
		    "stats socket path %s is longer than %zu bytes; set a shorter stats_socket",
		    path, sizeof(sa->sun_path) - 1);
	memcpy(sa->sun_path, path, strlen(path));
	return 0;
}

int
stats_listen(const char *path, struct status *st)
{
	struct sockaddr_un sa;
	struct stat sb;
	mode_t old;
	int fd, rc;

	if (unix_address(path, &sa, st) == -1)
		return -1;
	/* A socket left by a killed broker is ours to replace; anything
	 * else at that path is not. */
	if (lstat(path, &sb) == 0) {
		if (!S_ISSOCK(sb.st_mode))
			return status_set(st, STATUS_UNAVAILABLE,
			    "stats socket path %s exists and is not a socket; remove it or set "
			    "another stats_socket", path);
		unlink(path);
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) == -1)
		return status_set(st, STATUS_UNAVAILABLE, "stats socket: %s", strerror(errno));
	old = umask(0177);
	rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (rc == -1 || listen(fd, LISTEN_BACKLOG) == -1) {
		status_set(st, STATUS_UNAVAILABLE, "stats socket %s: %s; check its directory",
		    path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

void
stats_serve(int fd, const struct stats *s, const struct stats_gauge *g, size_t ng)
{
	char buf[STATS_TEXT_MAX];
	size_t len = 0, i;
	int c;

	if ((c = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) == -1)
		return;
	len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s\n", STATS_MAGIC);
	for (i = 0; i < STATS_COUNT && len < sizeof(buf); i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s %llu\n", names[i],
		    (unsigned long long)s->c[i]);
	for (i = 0; i < ng && len < sizeof(buf); i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s %llu\n", g[i].name,
		    (unsigned long long)g[i].value);
	if (len > sizeof(buf))
		len = sizeof(buf);
	/* One write into an empty socket buffer; a short write only cuts
	 * the snapshot, which the client sees as a missing last line. */
	if (write(c, buf, len) == -1) {
		/* nothing to do: the client went away */
	}
	close(c);
}

/* Reads everything the broker writes until it closes, within the timeout. */
static ssize_t
read_all(int fd, char *buf, size_t cap)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	uint64_t deadline = clock_mono_ms() + STATS_QUERY_TIMEOUT_MS, now;
	size_t len = 0;
	ssize_t n;

	while (len < cap - 1) {
		now = clock_mono_ms();
		if (now >= deadline || poll(&p, 1, (int)(deadline - now)) <= 0)
			return -1;
		if ((n = read(fd, buf + len, cap - 1 - len)) == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return (ssize_t)len;
}

static void
print(FILE *out, char *text, int json)
{
	char *line, *save = NULL, *value;
	int first = 1;

	if (json)
		fputs("{", out);
	for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		if ((value = strchr(line, ' ')) == NULL)
			continue;
		*value++ = '\0';
		if (json)
			fprintf(out, "%s\"%s\": %s", first ? "" : ", ", line, value);
		else
			fprintf(out, "%-20s %s\n", line, value);
		first = 0;
	}
	if (json)
		fputs("}\n", out);
}

int
stats_query(const char *path, int json, FILE *out, struct status *st)
{
	char buf[STATS_TEXT_MAX + 1];
	struct sockaddr_un sa;
	size_t magic = strlen(STATS_MAGIC);
	int fd, ret = -1;

	if (unix_address(path, &sa, st) == -1)
		return -1;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return status_set(st, STATUS_UNAVAILABLE, "socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		status_set(st, STATUS_UNAVAILABLE,
		    "no broker answers on %s: %s; is dutynet-broker running with this "
		    "configuration?", path, strerror(errno));
		goto out;
	}
	if (read_all(fd, buf, sizeof(buf)) == -1 || strncmp(buf, STATS_MAGIC, magic) != 0 ||
	    buf[magic] != '\n') {
		status_set(st, STATUS_UNAVAILABLE,
		    "%s did not answer with a stats snapshot within %d ms", path,
		    STATS_QUERY_TIMEOUT_MS);
		goto out;
	}
	print(out, buf + magic + 1, json);
	ret = 0;
out:
	close(fd);
	return ret;
}
