/* SPDX-License-Identifier: ISC */
/*
 * dutynet-bench: timing dutynet's costly paths on this machine, outside the
 * test suite (timing in a unit test makes it flaky).  This file is only the
 * table of benchmarks; each is a file.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "bench/bench.h"

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *help;
} benches[] = {
	{"audit-verify", bench_audit_verify,
	    "generate an audit log of N entries (default 1,000,000) and time verify"},
	{"e2e", bench_e2e,
	    "the bound, then end-to-end throughput and latency through real daemons"},
	{"backlog", bench_backlog,
	    "an agency offline while N messages queue (default 100,000): drain rate, broker RSS"},
	{"agencies", bench_agencies,
	    "N agencies (default 1,000) connect at once: time to all served, broker RSS each"},
};

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: %s BENCHMARK [OPTIONS]\n\nBenchmarks:\n", BENCH_PROGRAM);
	for (i = 0; i < sizeof(benches) / sizeof(benches[0]); i++)
		fprintf(f, "  %-14s %s\n", benches[i].name, benches[i].help);
	fprintf(f, "\nRun '%s BENCHMARK --help' for its options.  Exit codes: 0 done;\n"
		   "1 the run failed; 2 bad command line.\n", BENCH_PROGRAM);
}

int
main(int argc, char **argv)
{
	size_t i;

	if (sodium_init() < 0) {
		fprintf(stderr, "%s: libsodium cannot start\n", BENCH_PROGRAM);
		return BENCH_FAILED;
	}
	if (argc < 2) {
		usage(stderr);
		return BENCH_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return BENCH_OK;
	}
	for (i = 0; i < sizeof(benches) / sizeof(benches[0]); i++)
		if (strcmp(argv[1], benches[i].name) == 0)
			return benches[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "%s: unknown benchmark '%s'; run '%s --help'\n", BENCH_PROGRAM, argv[1],
	    BENCH_PROGRAM);
	return BENCH_USAGE;
}
