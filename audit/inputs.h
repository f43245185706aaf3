/* SPDX-License-Identifier: ISC */
/*
 * inputs: what one dutynet-audit run reads: the configuration directory
 * (directory.conf for the public keys; policy.conf and the agencies'
 * calendars when a verb judges deadlines and working time) and the
 * databases named on the command line, each opened read-only (auditdb.h)
 * and identified.  Problems are printed to stderr, every one, the way
 * `dutynet config check` does, because the verbs are programs.
 */
#ifndef DUTYNET_AUDIT_INPUTS_H
#define DUTYNET_AUDIT_INPUTS_H

#include <stddef.h>

#include "audit/auditdb.h"
#include "config/agencycal.h"
#include "config/directory.h"
#include "config/policy.h"

/* What to load besides the directory. */
#define INPUTS_POLICY 0x1	/* policy.conf and every agency's calendar */

struct inputs {
	char *config_dir;
	struct directory *dir;		/* always, once loaded */
	struct policy *policy;		/* with INPUTS_POLICY */
	struct agencycal *cals;		/* with INPUTS_POLICY */
	struct auditdb **dbs;		/* in command-line order */
	size_t n_dbs;
	struct auditdb *broker;		/* borrowed from dbs: the broker's, or NULL */
};

/* Loads the configuration in config_dir (NULL: $DUTYNET_CONFIG or
 * /etc/dutynet) into in (zeroed first).  0, or -1 after printing every
 * error (the caller exits AUDIT_UNREADABLE). */
int inputs_load_config(struct inputs *in, const char *config_dir, int flags);

/* Opens paths[0..n) read-only and identifies each.  0, or -1 after
 * printing why (unreadable, not a dutynet database, two databases of one
 * owner, two brokers' databases). */
int inputs_open_dbs(struct inputs *in, char *const *paths, size_t n);

/* The database of agency id among in's, or NULL. */
struct auditdb *inputs_db_of(const struct inputs *in, const char *id);

/* Frees everything in; in may be half-loaded. */
void inputs_free(struct inputs *in);

#endif
