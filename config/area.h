/* SPDX-License-Identifier: ISC */
/*
 * area: a whole configuration directory, loaded and cross-checked at once:
 * directory.conf, policy.conf, broker.conf (if this host runs the broker)
 * and every agents/<id>.conf (the agencies whose agents run here).  This is
 * what `dutynet config check` runs, so every file is read even when an
 * earlier one failed, and every problem is recorded, not just the first.
 *
 * With AREA_CHECK_KEYS it also opens every key file the settings name: mode
 * and owner, format, that it belongs to that agency (or the broker), and
 * that its public half is what directory.conf publishes.  The broker itself
 * loads without that flag, since it never holds an agency's secret keys.
 */
#ifndef DUTYNET_AREA_H
#define DUTYNET_AREA_H

#include <stddef.h>

#include "config/conf.h"
#include "config/directory.h"
#include "config/policy.h"
#include "config/settings.h"

#define AREA_CHECK_KEYS 0x1

struct area {
	char *dir;
	struct directory *directory;
	struct policy *policy;
	struct settings_broker *broker;	/* NULL if there is no broker.conf */
	struct settings_agent **agents;	/* sorted by agency id */
	size_t n_agents;
};

/* Loads everything under dir (flags: AREA_CHECK_KEYS).  Returns the area,
 * or NULL after recording every problem in errs. */
struct area *area_load(const char *dir, int flags, struct conf_errors *errs);

/* Frees a and all it holds; accepts NULL; sets *ap = NULL. */
void area_destroy(struct area **ap);

#endif
