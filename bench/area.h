/* SPDX-License-Identifier: ISC */
/*
 * area: a throw-away local area for a benchmark, laid out as
 * config/example is (directory.conf, policy.conf, broker.conf,
 * agents/ID.conf, keys/) but with N agencies named PREFIX-0000,
 * PREFIX-0001, ..., each with fresh keys.  Only the broker and the
 * agencies that run a real dutynet-agent get key files on disk; the keys of
 * every agency stay in memory too, for the benchmark's own in-process
 * clients (peer.h).  Every agency is of kind health (it accepts every
 * type) and the policy lets anyone send anything to anyone, so a benchmark
 * measures the machinery, not the policy's refusals.
 */
#ifndef DUTYNET_BENCH_AREA_H
#define DUTYNET_BENCH_AREA_H

#include <stddef.h>

#include "common/keyfile.h"
#include "proto/status.h"

#define AREA_DIR_MAX 1024		/* the area's directory: short, so paths in it fit */
#define AREA_PATH_MAX 4096
#define AREA_ENDPOINT_MAX 64
#define AREA_PREFIX_MAX 16

/* What to generate; zero fields take the shipped defaults. */
struct area_spec {
	const char *prefix;		/* agency ids PREFIX-0000 ... */
	size_t n;			/* agencies */
	size_t agents;			/* the first this many get agents/ID.conf and a key file */
	long recipient_quota;		/* broker.conf settings (0: default) */
	long delivery_window;
	long hwm;
	long agent_window;		/* agents/ID.conf window (0: default) */
};

struct area {
	char dir[AREA_DIR_MAX];		/* the configuration directory (--config) */
	char endpoint[AREA_ENDPOINT_MAX];
	size_t n;
	char (*ids)[IDS_AGENCY_MAX + 1];
	struct keyfile **keys;		/* n, owned */
	struct keyfile *broker;
};

/* Makes the area in a new directory under $TMPDIR (or /tmp), on a free
 * loopback port.  NULL and st (451: the filesystem, 504: a bad spec). */
struct area *area_new(const struct area_spec *spec, struct status *st);

/* Removes the directory unless keep (then says where it is on stderr),
 * wipes the keys, frees *ap; accepts NULL. */
void area_destroy(struct area **ap, int keep);

/* An agent's database and log paths, into out[0..AREA_PATH_MAX). */
void area_agent_db(const struct area *a, size_t i, char *out);
void area_log(const struct area *a, const char *name, char *out);

/* The broker's database path. */
void area_broker_db(const struct area *a, char *out);

#endif
