/* SPDX-License-Identifier: ISC */
/*
 * sdnotify: how a daemon tells systemd what state it is in, over the
 * datagram socket named by $NOTIFY_SOCKET (sd_notify(3), from libsystemd).
 * The units in systemd/ are Type=notify with WatchdogSec=, so:
 *
 *	- sdnotify_ready() is sent once the daemon really accepts work (its
 *	  database is open and every socket is bound), never earlier: systemd
 *	  starts units ordered after it, and an administrator's
 *	  `systemctl start` returns, only then;
 *	- the main loop calls sdnotify_watchdog_ping() at least every
 *	  sdnotify_watchdog_interval_ms(), so a loop that hangs (a blocked
 *	  send, a spin at the fd limit) is killed and restarted by systemd;
 *	- sdnotify_stopping() is sent when a clean shutdown begins.
 *
 * Started outside systemd (tests, the demo, a terminal) $NOTIFY_SOCKET is
 * unset (or empty) and every call does nothing and returns 0, so the daemons call
 * these unconditionally.  No call unsets the environment: a child the agent
 * starts may inherit $NOTIFY_SOCKET, which is harmless because the units say
 * NotifyAccess=main (systemd ignores every other sender).
 *
 * Each function returns 1 if the message was sent, 0 if there is no
 * $NOTIFY_SOCKET to send it to, and -1 with errno set if sending failed
 * (an environment failure: the program may log it and carry on; nothing
 * is lost but systemd's view of the state).
 */
#ifndef DUTYNET_SDNOTIFY_H
#define DUTYNET_SDNOTIFY_H

#include <stdint.h>

/* The longest status text sent, in bytes; a longer one is cut.  Status
 * texts are one line: control bytes are sent as '?', so a text built from
 * untrusted input can never add a second assignment (say READY=1). */
#define SDNOTIFY_STATUS_MAX 200

/* "READY=1": startup is complete and the daemon accepts work. */
int sdnotify_ready(void);

/* "RELOADING=1" (with MONOTONIC_USEC=): a reload (SIGHUP) has begun;
 * send sdnotify_ready() again when it is done. */
int sdnotify_reloading(void);

/* "STOPPING=1": a clean shutdown has begun. */
int sdnotify_stopping(void);

/* "STATUS=<text>": a one-line state for `systemctl status`. */
int sdnotify_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "WATCHDOG=1": the main loop is alive. */
int sdnotify_watchdog_ping(void);

/* How often to call sdnotify_watchdog_ping, in milliseconds: half of
 * $WATCHDOG_USEC (at least 1), or 0 if no watchdog runs for this process
 * ($NOTIFY_SOCKET or $WATCHDOG_USEC unset, $WATCHDOG_PID naming another
 * process, or $WATCHDOG_USEC not a positive number, which systemd never
 * sends).  Read it once at start; it does not change while running. */
uint64_t sdnotify_watchdog_interval_ms(void);

#endif
