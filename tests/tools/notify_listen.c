/* SPDX-License-Identifier: ISC */
/*
 * notify_listen: plays systemd's side of sd_notify(3) for tests, since on
 * the test machines systemd is not PID 1 and the daemons cannot be started
 * through it.  It binds a datagram socket in a fresh directory, runs
 * COMMAND with $NOTIFY_SOCKET naming it (and, with -w, $WATCHDOG_USEC and
 * $WATCHDOG_PID as systemd sets them), and prints every assignment it
 * receives, one per line, with the time since the command started:
 *
 *	0 - start pid=4242 mono_ms=918273
 *	153 4242 READY=1
 *	154 - probe exit=0
 *	1153 4242 WATCHDOG=1
 *	3000 - timeout
 *	3001 4242 STOPPING=1
 *	3004 - exit=0
 *
 * Columns: milliseconds since start (CLOCK_MONOTONIC), the sender's pid as
 * the kernel reports it (SO_PASSCRED; "-" for notify_listen's own events),
 * and the text.  Bytes outside printable ASCII are written as \xHH, so one
 * line is always one assignment.
 *
 * With -r PROBE, `/bin/sh -c PROBE` runs once, as soon as the first READY=1
 * arrives, while the command keeps running; its exit status is printed
 * ("probe exit=N").  The daemon test uses it to check that a daemon that
 * says READY=1 really accepts work at that moment.
 *
 * After -t SECONDS (default 10) the command (and a probe still running) get
 * SIGTERM, and SIGKILL if they have not exited GRACE_MS later.
 * notify_listen exits once the command and the probe have exited: 0 then,
 * whatever the command's status (printed as "exit=N" or "signal=N"), 1 if
 * it could not run the command, 2 on a bad command line.  It has a main(),
 * so it lives in tests/tools/, not tests/support/ (linked into unit tests).
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/clock.h"

#define TIMEOUT_S_DEFAULT 10.0
#define GRACE_MS 10000		/* SIGTERM to SIGKILL */
#define TICK_MS 20		/* how often child exits are looked for */
#define DATAGRAM_MAX 4096	/* systemd reads at most a page */
#define FDS_MAX 16		/* descriptors taken per datagram (FDSTORE=1) */
#define MS_PER_S 1000.0
#define EXIT_FAILED 1
#define EXIT_USAGE 2

static const char usage[] =
    "usage: notify_listen [-t SECONDS] [-w WATCHDOG_USEC] [-r PROBE] -- COMMAND [ARG...]\n"
    "Runs COMMAND with $NOTIFY_SOCKET set and prints each sd_notify assignment\n"
    "as \"MS PID TEXT\".  -t: SIGTERM the command after SECONDS (default 10).\n"
    "-w: also set $WATCHDOG_USEC (and $WATCHDOG_PID).  -r: run /bin/sh -c PROBE\n"
    "when the first READY=1 arrives and print its exit status.\n"
    "Exit: 0 once the command has exited, 1 if it could not be run, 2 usage.\n";

struct run {
	uint64_t start_ms;
	pid_t child;		/* 0 once reaped */
	pid_t probe;		/* 0 if not running */
	const char *probe_cmd;	/* NULL once started, or if none */
	int fd;
};

static uint64_t
elapsed(const struct run *r)
{
	return clock_mono_ms() - r->start_ms;
}

static void
event(const struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
event(const struct run *r, const char *fmt, ...)
{
	va_list ap;

	printf("%llu - ", (unsigned long long)elapsed(r));
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* Prints each line of one datagram from pid. */
static void
print_datagram(const struct run *r, pid_t pid, const unsigned char *buf, size_t len)
{
	uint64_t t = elapsed(r);
	size_t i = 0;

	while (i < len) {
		size_t end = i;

		while (end < len && buf[end] != '\n')
			end++;
		if (end > i) {
			printf("%llu %ld ", (unsigned long long)t, (long)pid);
			for (; i < end; i++) {
				if (buf[i] >= ' ' && buf[i] < 0x7f && buf[i] != '\\')
					putchar(buf[i]);
				else
					printf("\\x%02x", buf[i]);
			}
			putchar('\n');
		}
		i = end + 1;
	}
	fflush(stdout);
}

static bool
has_ready(const unsigned char *buf, size_t len)
{
	static const char want[] = "READY=1";
	size_t n = sizeof(want) - 1;

	for (size_t i = 0; i + n <= len; i++)
		if ((i == 0 || buf[i - 1] == '\n') && memcmp(buf + i, want, n) == 0 &&
		    (i + n == len || buf[i + n] == '\n'))
			return true;
	return false;
}

static pid_t
start_probe(const char *cmd)
{
	pid_t pid = fork();

	if (pid == 0) {
		unsetenv("NOTIFY_SOCKET");
		unsetenv("WATCHDOG_USEC");
		unsetenv("WATCHDOG_PID");
		/* The probe's output is for people: keep it off the event stream. */
		dup2(STDERR_FILENO, STDOUT_FILENO);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* Closes the descriptors a datagram carried.  systemd-notify sends one
 * with BARRIER=1 and waits until the receiver closes it, as systemd does. */
static void
close_fds(struct cmsghdr *c)
{
	size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

	for (size_t i = 0; i < n; i++) {
		int fd;

		memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
		close(fd);
	}
}

/* Reads every queued datagram; -1 on a socket error. */
static int
drain(struct run *r)
{
	unsigned char buf[DATAGRAM_MAX];
	union {
		struct cmsghdr align;
		char space[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int) * FDS_MAX)];
	} control;

	for (;;) {
		struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
		struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1,
		    .msg_control = &control, .msg_controllen = sizeof(control)};
		struct cmsghdr *c;
		pid_t pid = 0;
		ssize_t n = recvmsg(r->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? 0 : -1;
		}
		for (c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c)) {
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
				struct ucred uc;

				memcpy(&uc, CMSG_DATA(c), sizeof(uc));
				pid = uc.pid;
			} else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
				close_fds(c);
			}
		}
		print_datagram(r, pid, buf, (size_t)n);
		if (r->probe_cmd != NULL && has_ready(buf, (size_t)n)) {
			if ((r->probe = start_probe(r->probe_cmd)) == -1) {
				event(r, "probe failed: %s", strerror(errno));
				r->probe = 0;
			}
			r->probe_cmd = NULL;
		}
	}
}

/* Reaps whichever of the command and the probe have exited. */
static void
reap(struct run *r)
{
	pid_t pid;
	int ws;

	while ((pid = waitpid(-1, &ws, WNOHANG)) > 0) {
		const char *who = pid == r->probe ? "probe " : "";

		if (WIFEXITED(ws))
			event(r, "%sexit=%d", who, WEXITSTATUS(ws));
		else if (WIFSIGNALED(ws))
			event(r, "%ssignal=%d", who, WTERMSIG(ws));
		else
			continue;
		if (pid == r->probe)
			r->probe = 0;
		else if (pid == r->child)
			r->child = 0;
	}
}

/* Sends sig to the command and the probe, whichever still run. */
static void
signal_all(const struct run *r, int sig)
{
	if (r->child > 0)
		kill(r->child, sig);
	if (r->probe > 0)
		kill(r->probe, sig);
}

static int
bind_socket(char *dir, char *path, size_t pathlen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int on = 1, fd;

	if (mkdtemp(dir) == NULL)
		return -1;
	if ((size_t)snprintf(path, pathlen, "%s/notify", dir) >= pathlen ||
	    strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) == -1 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static pid_t
start_child(char **argv, const char *path, const char *watchdog_usec)
{
	pid_t pid = fork();

	if (pid == 0) {
		char self[32];

		setenv("NOTIFY_SOCKET", path, 1);
		if (watchdog_usec != NULL) {
			snprintf(self, sizeof(self), "%ld", (long)getpid());
			setenv("WATCHDOG_USEC", watchdog_usec, 1);
			setenv("WATCHDOG_PID", self, 1);
		}
		execvp(argv[0], argv);
		fprintf(stderr, "notify_listen: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	return pid;
}

int
main(int argc, char **argv)
{
	char dir[] = "/tmp/notify_listen.XXXXXX";
	char path[sizeof(dir) + 16] = "";
	const char *watchdog_usec = NULL;
	double timeout_s = TIMEOUT_S_DEFAULT;
	struct run r = {.fd = -1};
	uint64_t deadline, kill_at = 0;
	bool termed = false;
	int c, rc = EXIT_FAILED;
	char *end;

	while ((c = getopt(argc, argv, "+t:w:r:h")) != -1) {
		switch (c) {
		case 't':
			timeout_s = strtod(optarg, &end);
			if (*end != '\0' || !(timeout_s > 0)) {
				fprintf(stderr, "notify_listen: -t '%s' is not a positive number of "
				    "seconds\n%s", optarg, usage);
				return EXIT_USAGE;
			}
			break;
		case 'w':
			if (strtoull(optarg, &end, 10) == 0 || *end != '\0') {
				fprintf(stderr, "notify_listen: -w '%s' is not a positive number of "
				    "microseconds\n%s", optarg, usage);
				return EXIT_USAGE;
			}
			watchdog_usec = optarg;
			break;
		case 'r':
			r.probe_cmd = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "notify_listen: no command given\n%s", usage);
		return EXIT_USAGE;
	}
	if ((r.fd = bind_socket(dir, path, sizeof(path))) == -1) {
		fprintf(stderr, "notify_listen: cannot bind a socket in %s: %s\n", dir,
		    strerror(errno));
		goto out;
	}
	r.start_ms = clock_mono_ms();
	fflush(stdout);
	if ((r.child = start_child(argv + optind, path, watchdog_usec)) == -1) {
		fprintf(stderr, "notify_listen: fork: %s\n", strerror(errno));
		goto out;
	}
	event(&r, "start pid=%ld mono_ms=%llu", (long)r.child, (unsigned long long)r.start_ms);
	deadline = r.start_ms + (uint64_t)(timeout_s * MS_PER_S);

	while (r.child != 0 || r.probe != 0) {
		struct pollfd pfd = {.fd = r.fd, .events = POLLIN};
		uint64_t now = clock_mono_ms();

		if (!termed && now >= deadline) {
			event(&r, "timeout");
			signal_all(&r, SIGTERM);
			termed = true;
			kill_at = now + GRACE_MS;
		}
		if (kill_at != 0 && now >= kill_at) {
			event(&r, "kill");
			signal_all(&r, SIGKILL);
			kill_at = 0;
		}
		if (poll(&pfd, 1, TICK_MS) == -1 && errno != EINTR) {
			fprintf(stderr, "notify_listen: poll: %s\n", strerror(errno));
			goto out;
		}
		if (drain(&r) == -1) {
			fprintf(stderr, "notify_listen: recvmsg: %s\n", strerror(errno));
			goto out;
		}
		reap(&r);
	}
	/* Whatever the command sent just before it exited. */
	if (drain(&r) == -1) {
		fprintf(stderr, "notify_listen: recvmsg: %s\n", strerror(errno));
		goto out;
	}
	rc = 0;
out:
	signal_all(&r, SIGKILL);
	if (r.child > 0)
		waitpid(r.child, NULL, 0);
	if (r.probe > 0)
		waitpid(r.probe, NULL, 0);
	if (r.fd != -1)
		close(r.fd);
	if (path[0] != '\0')
		unlink(path);
	/* Fails harmlessly if mkdtemp never made it. */
	rmdir(dir);
	return rc;
}
