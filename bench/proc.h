/* SPDX-License-Identifier: ISC */
/*
 * proc: the daemons a benchmark runs - dutynet-broker and dutynet-agent from
 * the same build as dutynet-bench - started with their log on a file,
 * waited for (a line of their log), stopped with SIGTERM, and their memory
 * read from /proc/PID/status.
 */
#ifndef DUTYNET_BENCH_PROC_H
#define DUTYNET_BENCH_PROC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "bench/area.h"
#include "proto/status.h"

#define PROC_READY_MS 180000		/* a daemon has this long to say it is ready (a
					 * broker loading 1,000 agencies on a busy machine) */
#define PROC_STOP_MS 20000		/* and to stop after SIGTERM */
#define PROC_POLL_MS 10

struct proc {
	pid_t pid;			/* 0: not running */
	char name[64];
	char log[AREA_PATH_MAX];
};

/* Raises this process's open-file limit to its hard limit (children
 * inherit it): the new limit. */
long proc_raise_nofile(void);

/* The directory holding dutynet-broker (broker/) and dutynet-agent
 * (agents/): --bin, else $DUTYNET_BINARY_DIR, else the build tree this
 * program is in.  Into out[0..AREA_PATH_MAX). */
void proc_bin_dir(const char *given, char *out);

/* Starts the broker of area a, and waits until its log says it is ready.
 * -1 and st (with the last log line) if it does not start. */
int proc_start_broker(struct proc *p, const char *bindir, const struct area *a,
    struct status *st);

/* Starts the agent of agency i of a; waits until it has a session with the
 * broker if wait_session, else until it is up. */
int proc_start_agent(struct proc *p, const char *bindir, const struct area *a, size_t i,
    int wait_session, struct status *st);

/* Waits until p's log has a line holding both words (b may be NULL) after
 * byte offset from, p still running, within ms. */
int proc_wait_log(const struct proc *p, long from, const char *w1, const char *w2, int ms,
    struct status *st);

/* The size of p's log now (an offset for proc_wait_log). */
long proc_log_size(const struct proc *p);

/* SIGTERM, then waits; SIGKILL after PROC_STOP_MS.  0 if it exited 0. */
int proc_stop(struct proc *p);

/* A "VmHWM:" or "VmRSS:" figure of /proc/PID/status in KiB, 0 if unknown. */
uint64_t proc_status_kib(pid_t pid, const char *field);

/* Monotonic milliseconds, for timing. */
double proc_now_ms(void);

#endif
