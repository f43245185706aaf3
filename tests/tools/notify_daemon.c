/* SPDX-License-Identifier: ISC */
/*
 * notify_daemon: a stand-in daemon that speaks to systemd through
 * common/sdnotify.c exactly as dutynet-broker and dutynet-agent are meant
 * to, so notify_listen and the module are tested end to end before the real
 * daemons are wired in (tests/integration/sdnotify_listen.sh), and so the
 * daemons have a short model to copy:
 *
 *	STATUS=starting ... -> (start accepting work) -> READY=1 ->
 *	WATCHDOG=1 every sdnotify_watchdog_interval_ms() from the main loop ->
 *	SIGTERM -> STOPPING=1 -> exit 0
 *
 * "Accepting work" is standing in for "database open, sockets bound":
 * notify_daemon creates the file READY_FILE (its one argument) before it
 * says READY=1, and a probe can test for it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/sdnotify.h"

#define IDLE_POLL_MS (-1)	/* no watchdog: sleep until a signal */
#define EXIT_FAILED 1
#define EXIT_USAGE 2

static volatile sig_atomic_t stop;

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

int
main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_term};
	uint64_t interval, next_ping;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: notify_daemon READY_FILE\n");
		return EXIT_USAGE;
	}
	/* No SA_RESTART: the signal must cut the poll short. */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) == -1 || sigaction(SIGINT, &sa, NULL) == -1) {
		perror("notify_daemon: sigaction");
		return EXIT_FAILED;
	}
	if (sdnotify_status("starting") == -1)
		fprintf(stderr, "notify_daemon: sd_notify: %s\n", strerror(errno));
	if ((fd = open(argv[1], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) == -1) {
		fprintf(stderr, "notify_daemon: cannot create %s: %s\n", argv[1], strerror(errno));
		return EXIT_FAILED;
	}
	close(fd);
	/* Only now is there anything to be ready for. */
	sdnotify_ready();
	sdnotify_status("serving");
	interval = sdnotify_watchdog_interval_ms();
	next_ping = clock_mono_ms();
	while (!stop) {
		uint64_t now = clock_mono_ms();
		int timeout = IDLE_POLL_MS;

		if (interval != 0) {
			if (now >= next_ping) {
				sdnotify_watchdog_ping();
				next_ping = now + interval;
			}
			timeout = (int)(next_ping - now);
		}
		if (poll(NULL, 0, timeout) == -1 && errno != EINTR) {
			perror("notify_daemon: poll");
			return EXIT_FAILED;
		}
	}
	sdnotify_stopping();
	unlink(argv[1]);
	return 0;
}
