/* SPDX-License-Identifier: ISC */
/*
 * inputs: the configuration and databases of one dutynet-audit run (see
 * inputs.h).  Only directory.conf and policy.conf are read, never
 * broker.conf or an agent's settings, and never a key file: an auditor
 * gets an area's public configuration and copies of the databases, and
 * nothing secret.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "audit/inputs.h"
#include "config/conf.h"

static void
print_errors(const struct conf_errors *errs)
{
	size_t i;

	for (i = 0; i < conf_errors_count(errs); i++)
		fprintf(stderr, "%s: %s\n", AUDIT_PROGRAM, conf_errors_get(errs, i));
}

int
inputs_load_config(struct inputs *in, const char *config_dir, int flags)
{
	struct conf_errors *errs = NULL;
	struct status st;
	int ret = -1;

	memset(in, 0, sizeof(*in));
	if (config_dir == NULL)
		config_dir = conf_default_dir();
	if ((in->config_dir = strdup(config_dir)) == NULL || (errs = conf_errors_new()) == NULL) {
		fprintf(stderr, "%s: out of memory\n", AUDIT_PROGRAM);
		goto out;
	}
	in->dir = directory_load(config_dir, errs);
	if (in->dir != NULL && (flags & INPUTS_POLICY))
		in->policy = policy_load(config_dir, in->dir, errs);
	if (conf_errors_count(errs) > 0 || in->dir == NULL ||
	    ((flags & INPUTS_POLICY) && in->policy == NULL)) {
		print_errors(errs);
		fprintf(stderr, "%s: cannot use the configuration in %s (--config DIR names "
		    "another)\n", AUDIT_PROGRAM, config_dir);
		goto out;
	}
	if (flags & INPUTS_POLICY) {
		in->cals = agencycal_load(config_dir, in->dir, agencycal_holidays_path(), &st);
		if (in->cals == NULL) {
			fprintf(stderr, "%s: calendars: %s\n", AUDIT_PROGRAM, st.text);
			goto out;
		}
	}
	ret = 0;
out:
	conf_errors_destroy(&errs);
	return ret;
}

struct auditdb *
inputs_db_of(const struct inputs *in, const char *id)
{
	size_t i;

	for (i = 0; i < in->n_dbs; i++)
		if (in->dbs[i]->owner[0] != '\0' && strcmp(in->dbs[i]->owner, id) == 0)
			return in->dbs[i];
	return NULL;
}

/* A second database of one owner would make every cross-check ambiguous. */
static int
check_owner(const struct inputs *in, const struct auditdb *db)
{
	struct auditdb *other;

	if (db->kind == AUDITDB_BROKER && in->broker != NULL) {
		fprintf(stderr, "%s: %s and %s are both broker databases; give one\n",
		    AUDIT_PROGRAM, in->broker->path, db->path);
		return -1;
	}
	if (db->owner[0] != '\0' && (other = inputs_db_of(in, db->owner)) != NULL) {
		fprintf(stderr, "%s: %s and %s both hold the log of %s; give one of them\n",
		    AUDIT_PROGRAM, other->path, db->path, db->owner);
		return -1;
	}
	return 0;
}

int
inputs_open_dbs(struct inputs *in, char *const *paths, size_t n)
{
	struct auditdb *db;
	struct status st;
	size_t i;
	int ret = 0;

	if ((in->dbs = calloc(n ? n : 1, sizeof(*in->dbs))) == NULL) {
		fprintf(stderr, "%s: out of memory\n", AUDIT_PROGRAM);
		return -1;
	}
	for (i = 0; i < n; i++) {
		db = auditdb_open(paths[i], in->dir != NULL ? in->dir->broker.id : NULL, &st);
		if (db == NULL) {
			fprintf(stderr, "%s: %s\n", AUDIT_PROGRAM, st.text);
			ret = -1;
			continue;
		}
		if (check_owner(in, db) != 0) {
			auditdb_close(&db);
			ret = -1;
			continue;
		}
		if (db->kind == AUDITDB_BROKER)
			in->broker = db;
		in->dbs[in->n_dbs++] = db;
	}
	return ret;
}

void
inputs_free(struct inputs *in)
{
	size_t i;

	for (i = 0; i < in->n_dbs; i++)
		auditdb_close(&in->dbs[i]);
	free(in->dbs);
	agencycal_destroy(&in->cals);
	policy_destroy(&in->policy);
	directory_destroy(&in->dir);
	free(in->config_dir);
	memset(in, 0, sizeof(*in));
}
