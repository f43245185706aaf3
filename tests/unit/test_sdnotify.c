/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for common/sdnotify.c: each test plays systemd, binding a
 * datagram socket in a fresh directory and naming it in $NOTIFY_SOCKET, then
 * reads back exactly what was sent.  A unix datagram is queued by the time
 * send returns, so reads never wait.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/clock.h"
#include "common/sdnotify.h"

#define DATAGRAM_MAX 4096

struct listener {
	char dir[64];
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int fd;
};

static void
clear_env(void)
{
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
}

static int
setup(void **state)
{
	struct listener *l = calloc(1, sizeof(*l));
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	if (l == NULL)
		return -1;
	clear_env();
	snprintf(l->dir, sizeof(l->dir), "/tmp/test_sdnotify.XXXXXX");
	if (mkdtemp(l->dir) == NULL)
		return -1;
	snprintf(l->path, sizeof(l->path), "%s/notify", l->dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", l->path);
	l->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (l->fd == -1 || bind(l->fd, (struct sockaddr *)&sa, sizeof(sa)) == -1)
		return -1;
	*state = l;
	return 0;
}

static int
teardown(void **state)
{
	struct listener *l = *state;

	clear_env();
	close(l->fd);
	unlink(l->path);
	rmdir(l->dir);
	free(l);
	return 0;
}

/* The next datagram, as a string, or "" if none is queued. */
static const char *
next_datagram(struct listener *l)
{
	static char buf[DATAGRAM_MAX + 1];
	ssize_t n = recv(l->fd, buf, DATAGRAM_MAX, MSG_DONTWAIT);

	if (n < 0) {
		assert_int_equal(errno, EAGAIN);
		n = 0;
	}
	buf[n] = '\0';
	return buf;
}

static void
listen_here(struct listener *l)
{
	assert_int_equal(setenv("NOTIFY_SOCKET", l->path, 1), 0);
}

/* Failure paths first: a socket that is not there, or a bad name. */

static void
missing_socket_fails_with_errno(void **state)
{
	struct listener *l = *state;
	char gone[sizeof(l->path) + 8];

	snprintf(gone, sizeof(gone), "%s/absent", l->dir);
	assert_int_equal(setenv("NOTIFY_SOCKET", gone, 1), 0);
	errno = 0;
	assert_int_equal(sdnotify_ready(), -1);
	assert_int_equal(errno, ENOENT);
	errno = 0;
	assert_int_equal(sdnotify_watchdog_ping(), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(sdnotify_status("x"), -1);
	assert_int_equal(sdnotify_stopping(), -1);
	assert_int_equal(sdnotify_reloading(), -1);
	assert_string_equal(next_datagram(l), "");
}

static void
relative_socket_name_is_refused(void **state)
{
	struct listener *l = *state;

	/* systemd only ever sends an absolute path or an @abstract name. */
	assert_int_equal(setenv("NOTIFY_SOCKET", "notify", 1), 0);
	errno = 0;
	assert_int_equal(sdnotify_ready(), -1);
	assert_int_equal(errno, EINVAL);
	assert_string_equal(next_datagram(l), "");
}

static void
without_notify_socket_nothing_is_sent_and_nothing_fails(void **state)
{
	struct listener *l = *state;

	errno = 0;
	assert_int_equal(sdnotify_ready(), 0);
	assert_int_equal(sdnotify_reloading(), 0);
	assert_int_equal(sdnotify_status("serving %d agencies", 3), 0);
	assert_int_equal(sdnotify_watchdog_ping(), 0);
	assert_int_equal(sdnotify_stopping(), 0);
	assert_int_equal(sdnotify_watchdog_interval_ms(), 0);
	assert_int_equal(errno, 0);
	assert_string_equal(next_datagram(l), "");
	/* An empty NOTIFY_SOCKET is the same as none. */
	assert_int_equal(setenv("NOTIFY_SOCKET", "", 1), 0);
	assert_int_equal(sdnotify_ready(), 0);
	assert_string_equal(next_datagram(l), "");
}

static void
ready_sends_ready(void **state)
{
	struct listener *l = *state;

	listen_here(l);
	assert_int_equal(sdnotify_ready(), 1);
	assert_string_equal(next_datagram(l), "READY=1");
	assert_string_equal(next_datagram(l), "");
	/* The environment is kept, so later messages still arrive. */
	assert_string_equal(getenv("NOTIFY_SOCKET"), l->path);
}

static void
stopping_sends_stopping(void **state)
{
	struct listener *l = *state;

	listen_here(l);
	assert_int_equal(sdnotify_stopping(), 1);
	assert_string_equal(next_datagram(l), "STOPPING=1");
	assert_string_equal(next_datagram(l), "");
}

static void
reloading_sends_reloading_and_the_monotonic_time(void **state)
{
	struct listener *l = *state;
	unsigned long long usec = 0;
	uint64_t before, after;
	int consumed = 0;
	const char *d;

	listen_here(l);
	before = clock_mono_ms();
	assert_int_equal(sdnotify_reloading(), 1);
	after = clock_mono_ms();
	d = next_datagram(l);
	assert_int_equal(sscanf(d, "RELOADING=1\nMONOTONIC_USEC=%llu%n", &usec, &consumed), 1);
	assert_int_equal((size_t)consumed, strlen(d));
	assert_true(usec >= before * 1000u && usec <= after * 1000u);
}

static void
status_is_formatted(void **state)
{
	struct listener *l = *state;

	listen_here(l);
	assert_int_equal(sdnotify_status("serving %d agencies, %s", 12, "3 queued"), 1);
	assert_string_equal(next_datagram(l), "STATUS=serving 12 agencies, 3 queued");
	assert_string_equal(next_datagram(l), "");
}

static void
status_cannot_add_a_second_assignment(void **state)
{
	struct listener *l = *state;

	listen_here(l);
	/* Say an agency id from a bad frame ended up in the status text. */
	assert_int_equal(sdnotify_status("rejected %s", "x\nREADY=1\rMAINPID=1\t\x7f"), 1);
	assert_string_equal(next_datagram(l), "STATUS=rejected x?READY=1?MAINPID=1??");
	assert_string_equal(next_datagram(l), "");
}

static void
status_is_cut_at_the_limit(void **state)
{
	struct listener *l = *state;
	char big[SDNOTIFY_STATUS_MAX * 2];
	const char *d;

	listen_here(l);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(sdnotify_status("%s", big), 1);
	d = next_datagram(l);
	assert_int_equal(strlen(d), strlen("STATUS=") + SDNOTIFY_STATUS_MAX);
	assert_int_equal(strncmp(d, "STATUS=aaaa", 11), 0);
	assert_int_equal(d[strlen(d) - 1], 'a');
}

static void
watchdog_ping_sends_watchdog(void **state)
{
	struct listener *l = *state;

	listen_here(l);
	assert_int_equal(sdnotify_watchdog_ping(), 1);
	assert_int_equal(sdnotify_watchdog_ping(), 1);
	assert_string_equal(next_datagram(l), "WATCHDOG=1");
	assert_string_equal(next_datagram(l), "WATCHDOG=1");
	assert_string_equal(next_datagram(l), "");
}

static void
abstract_socket_names_work(void **state)
{
	struct listener *l = *state;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char name[64], buf[DATAGRAM_MAX + 1];
	socklen_t len;
	ssize_t n;
	int fd;

	(void)l;
	/* systemd may name an abstract socket: "@" stands for the NUL. */
	snprintf(name, sizeof(name), "test_sdnotify.%ld", (long)getpid());
	memcpy(sa.sun_path + 1, name, strlen(name));
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, len), 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "@%s", name);
	assert_int_equal(setenv("NOTIFY_SOCKET", sa.sun_path, 1), 0);
	assert_int_equal(sdnotify_ready(), 1);
	n = recv(fd, buf, DATAGRAM_MAX, MSG_DONTWAIT);
	assert_int_equal(n, strlen("READY=1"));
	buf[n] = '\0';
	assert_string_equal(buf, "READY=1");
	close(fd);
}

static void
watchdog_interval_is_half_of_watchdog_usec(void **state)
{
	char pid[32];

	listen_here(*state);
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	assert_int_equal(setenv("WATCHDOG_USEC", "30000000", 1), 0);
	assert_int_equal(setenv("WATCHDOG_PID", pid, 1), 0);
	assert_int_equal(sdnotify_watchdog_interval_ms(), 15000);
	assert_int_equal(setenv("WATCHDOG_USEC", "5000", 1), 0);
	assert_int_equal(sdnotify_watchdog_interval_ms(), 2);
	/* Half of 1 ms rounds down to nothing, which would mean "off". */
	assert_int_equal(setenv("WATCHDOG_USEC", "1000", 1), 0);
	assert_int_equal(sdnotify_watchdog_interval_ms(), 1);
	/* Without WATCHDOG_PID the watchdog is meant for whoever reads it. */
	unsetenv("WATCHDOG_PID");
	assert_int_equal(setenv("WATCHDOG_USEC", "20000000", 1), 0);
	assert_int_equal(sdnotify_watchdog_interval_ms(), 10000);
}

static void
watchdog_interval_is_zero_when_not_ours_or_off(void **state)
{
	char pid[32], other[32];

	/* A watchdog with nobody to ping is no watchdog. */
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	assert_int_equal(setenv("WATCHDOG_USEC", "30000000", 1), 0);
	assert_int_equal(setenv("WATCHDOG_PID", pid, 1), 0);
	assert_int_equal(sdnotify_watchdog_interval_ms(), 0);
	listen_here(*state);
	assert_int_equal(sdnotify_watchdog_interval_ms(), 15000);
	unsetenv("WATCHDOG_USEC");
	assert_int_equal(sdnotify_watchdog_interval_ms(), 0);
	/* Meant for another process (say, our parent): not ours to ping. */
	snprintf(other, sizeof(other), "%ld", (long)getppid());
	assert_int_equal(setenv("WATCHDOG_USEC", "30000000", 1), 0);
	assert_int_equal(setenv("WATCHDOG_PID", other, 1), 0);
	assert_int_equal(sdnotify_watchdog_interval_ms(), 0);
	unsetenv("WATCHDOG_PID");
	assert_int_equal(setenv("WATCHDOG_USEC", "0", 1), 0);
	assert_int_equal(sdnotify_watchdog_interval_ms(), 0);
	assert_int_equal(setenv("WATCHDOG_USEC", "thirty seconds", 1), 0);
	assert_int_equal(sdnotify_watchdog_interval_ms(), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(missing_socket_fails_with_errno, setup, teardown),
		cmocka_unit_test_setup_teardown(relative_socket_name_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(without_notify_socket_nothing_is_sent_and_nothing_fails,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(ready_sends_ready, setup, teardown),
		cmocka_unit_test_setup_teardown(stopping_sends_stopping, setup, teardown),
		cmocka_unit_test_setup_teardown(reloading_sends_reloading_and_the_monotonic_time,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(status_is_formatted, setup, teardown),
		cmocka_unit_test_setup_teardown(status_cannot_add_a_second_assignment, setup, teardown),
		cmocka_unit_test_setup_teardown(status_is_cut_at_the_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(watchdog_ping_sends_watchdog, setup, teardown),
		cmocka_unit_test_setup_teardown(abstract_socket_names_work, setup, teardown),
		cmocka_unit_test_setup_teardown(watchdog_interval_is_half_of_watchdog_usec, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(watchdog_interval_is_zero_when_not_ours_or_off, setup,
		    teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
