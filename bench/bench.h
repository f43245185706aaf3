/* SPDX-License-Identifier: ISC */
/*
 * bench: the subcommands of dutynet-bench, each in its own file and reached
 * through the table in bench.c.  A benchmark prints what it measured, as
 * text or, with --json, as one JSON object on stdout, and exits 0, 1 if
 * the run failed (its result could not be trusted), or 2 for a bad
 * command line.
 */
#ifndef DUTYNET_BENCH_BENCH_H
#define DUTYNET_BENCH_BENCH_H

#define BENCH_PROGRAM "dutynet-bench"

enum bench_exit {
	BENCH_OK = 0,
	BENCH_FAILED = 1,
	BENCH_USAGE = 2,
};

/* dutynet-bench audit-verify [--entries N] [--json] [--dir DIR] */
int bench_audit_verify(int argc, char **argv);

/* dutynet-bench e2e [--messages N] [--connections P] ... [--json] (e2e.c) */
int bench_e2e(int argc, char **argv);

/* dutynet-bench backlog [--messages N] [--json] (backlog.c) */
int bench_backlog(int argc, char **argv);

/* dutynet-bench agencies [N] [--json] (agencies.c) */
int bench_agencies(int argc, char **argv);

#endif
