/* SPDX-License-Identifier: ISC */
/*
 * sdnotify: a thin layer over libsystemd's sd_notify(3) and
 * sd_watchdog_enabled(3).  It exists so the daemons speak in our terms
 * (0 / 1 / -1 with errno rather than negative errno values), so a status
 * text is always one line whatever it was built from, and so the protocol's
 * strings live in one place.  It keeps no state of its own: every call
 * reads the environment afresh, as libsystemd does.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include <systemd/sd-daemon.h>

#include "common/clock.h"
#include "common/sdnotify.h"

#define USEC_PER_MS 1000u

/* Whether there is anyone to tell.  An empty $NOTIFY_SOCKET counts as
 * unset (libsystemd calls it invalid), so `NOTIFY_SOCKET= dutynet-broker`
 * turns notification off as a shell user would expect. */
static bool
wanted(void)
{
	const char *e = getenv("NOTIFY_SOCKET");

	return e != NULL && *e != '\0';
}

/* sd_notify's result in our terms: 1 sent, 0 no socket, -1 with errno. */
static int
result(int r)
{
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return r > 0 ? 1 : 0;
}

int
sdnotify_ready(void)
{
	if (!wanted())
		return 0;
	return result(sd_notify(0, "READY=1"));
}

int
sdnotify_reloading(void)
{
	unsigned long long usec = (unsigned long long)clock_mono_ms() * USEC_PER_MS;

	if (!wanted())
		return 0;
	return result(sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu", usec));
}

int
sdnotify_stopping(void)
{
	if (!wanted())
		return 0;
	return result(sd_notify(0, "STOPPING=1"));
}

int
sdnotify_status(const char *fmt, ...)
{
	char text[SDNOTIFY_STATUS_MAX + 1];
	va_list ap;
	int n;

	if (!wanted())
		return 0;
	va_start(ap, fmt);
	n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (n < 0)
		text[0] = '\0';
	/* One assignment per line is the protocol: a newline in the text
	 * would let whoever chose the text send READY=1 or MAINPID=. */
	for (char *p = text; *p != '\0'; p++)
		if ((unsigned char)*p < ' ' || *p == '\x7f')
			*p = '?';
	return result(sd_notifyf(0, "STATUS=%s", text));
}

int
sdnotify_watchdog_ping(void)
{
	if (!wanted())
		return 0;
	return result(sd_notify(0, "WATCHDOG=1"));
}

uint64_t
sdnotify_watchdog_interval_ms(void)
{
	uint64_t usec = 0;
	uint64_t ms;

	if (!wanted())
		return 0;
	if (sd_watchdog_enabled(0, &usec) <= 0)
		return 0;
	ms = usec / 2 / USEC_PER_MS;
	return ms > 0 ? ms : 1;
}
