/* SPDX-License-Identifier: ISC */
/*
 * area: loading a whole configuration directory (see area.h).
 *
 * Agent files are found by listing agents/ and taken in name order, so the
 * errors of two runs come out in the same order.  A key file problem is
 * reported at the key_file setting that names the file, because that is the
 * line an operator fixes (or the file next to it they chmod).
 */
#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/keyfile.h"
#include "config/area.h"

#define FIELD_KEY_FILE "key_file"

_Static_assert(SEAL_SIGN_PKBYTES == SEAL_BOX_PKBYTES &&
    SEAL_SIGN_PKBYTES == DIRECTORY_CURVE_PKBYTES && SEAL_SIGN_PKBYTES == KEYFILE_CURVE_PKBYTES,
    "compare() takes every public key to be the same size");

void
area_destroy(struct area **ap)
{
	struct area *a;
	size_t i;

	if (ap == NULL || *ap == NULL)
		return;
	a = *ap;
	for (i = 0; i < a->n_agents; i++)
		settings_agent_destroy(&a->agents[i]);
	free(a->agents);
	settings_broker_destroy(&a->broker);
	policy_destroy(&a->policy);
	directory_destroy(&a->directory);
	free(a->dir);
	free(a);
	*ap = NULL;
}

/* 1 if name is "<something>.conf" and not hidden. */
static int
is_agent_file(const struct dirent *e)
{
	size_t n = strlen(e->d_name), sl = strlen(SETTINGS_AGENT_SUFFIX);

	return e->d_name[0] != '.' && n > sl &&
	    strcmp(e->d_name + n - sl, SETTINGS_AGENT_SUFFIX) == 0;
}

static void
load_agents(struct area *a, struct conf_errors *errs)
{
	char *path, id[IDS_AGENCY_MAX * 2];
	struct dirent **names = NULL;
	size_t len;
	int n, i;

	if ((path = conf_resolve(a->dir, SETTINGS_AGENTS_DIR)) == NULL) {
		conf_errors_add(errs, a->dir, 0, CONF_FIELD_FILE, "out of memory");
		return;
	}
	if ((n = scandir(path, &names, is_agent_file, alphasort)) == -1) {
		if (errno != ENOENT)
			conf_errors_add(errs, path, 0, CONF_FIELD_FILE, "cannot list it: %s",
			    strerror(errno));
		free(path);
		return;
	}
	if ((a->agents = calloc((size_t)n + 1, sizeof(*a->agents))) == NULL)
		conf_errors_add(errs, path, 0, CONF_FIELD_FILE, "out of memory");
	for (i = 0; i < n; i++) {
		len = strlen(names[i]->d_name) - strlen(SETTINGS_AGENT_SUFFIX);
		if (a->agents != NULL && len < sizeof(id)) {
			memcpy(id, names[i]->d_name, len);
			id[len] = '\0';
			a->agents[a->n_agents] = settings_agent_load(a->dir, id, a->directory,
			    errs);
			if (a->agents[a->n_agents] != NULL)
				a->n_agents++;
		} else if (a->agents != NULL) {
			conf_errors_add(errs, path, 0, CONF_FIELD_FILE,
			    "%s is not named after an agency id", names[i]->d_name);
		}
		free(names[i]);
	}
	free(names);
	free(path);
}

/* Reports each key that differs from the directory's; names which. */
static void
compare(struct conf_errors *errs, const char *path, unsigned line, const char *key_file,
    const char *owner, const char *what, const uint8_t *mine, const uint8_t *published)
{
	if (memcmp(mine, published, SEAL_SIGN_PKBYTES) == 0)
		return;
	conf_errors_add(errs, path, line, FIELD_KEY_FILE,
	    "the %s of %s's key file %s is not the one in directory.conf: the directory must "
	    "publish this key file's public keys (the .pub file keygen wrote with it)", what,
	    owner, key_file);
}

static void
check_agent_keys(const struct area *a, const struct settings_agent *s,
    struct conf_errors *errs)
{
	const struct directory_agency *pub;
	struct keyfile *k = NULL;
	struct status st;

	if (keyfile_load(s->key_file, &k, &st) != 0) {
		conf_errors_add(errs, s->path, s->key_file_line, FIELD_KEY_FILE, "%s", st.text);
		return;
	}
	if (strcmp(k->id, s->agency) != 0)
		conf_errors_add(errs, s->path, s->key_file_line, FIELD_KEY_FILE,
		    "key file %s holds the keys of '%s', not of '%s'", s->key_file, k->id,
		    s->agency);
	else if (!k->has_box)
		conf_errors_add(errs, s->path, s->key_file_line, FIELD_KEY_FILE,
		    "key file %s has no box_sk; an agency needs all three pairs "
		    "(dutynet keygen %s)", s->key_file, s->agency);
	else if (a->directory != NULL &&
	    (pub = directory_find(a->directory, s->agency)) != NULL) {
		compare(errs, s->path, s->key_file_line, s->key_file, s->agency, "sign_pk",
		    k->sign_pk, pub->sign_pk);
		compare(errs, s->path, s->key_file_line, s->key_file, s->agency, "box_pk",
		    k->box_pk, pub->box_pk);
		compare(errs, s->path, s->key_file_line, s->key_file, s->agency, "curve_pk",
		    k->curve_pk, pub->curve_pk);
	}
	keyfile_destroy(&k);
}

static void
check_broker_keys(const struct area *a, struct conf_errors *errs)
{
	const struct settings_broker *s = a->broker;
	struct keyfile *k = NULL;
	struct status st;

	if (keyfile_load(s->key_file, &k, &st) != 0) {
		conf_errors_add(errs, s->path, s->key_file_line, FIELD_KEY_FILE, "%s", st.text);
		return;
	}
	if (!k->has_box)
		conf_errors_add(errs, s->path, s->key_file_line, FIELD_KEY_FILE,
		    "key file %s has no box_sk: the broker seals its reminders and escalations "
		    "with one; make new broker keys (dutynet keygen ID --broker) and publish "
		    "them in directory.conf", s->key_file);
	else if (a->directory != NULL && strcmp(k->id, a->directory->broker.id) != 0)
		conf_errors_add(errs, s->path, s->key_file_line, FIELD_KEY_FILE,
		    "key file %s holds the keys of '%s', but directory.conf names the broker "
		    "'%s'", s->key_file, k->id, a->directory->broker.id);
	else if (a->directory != NULL) {
		compare(errs, s->path, s->key_file_line, s->key_file, "the broker", "sign_pk",
		    k->sign_pk, a->directory->broker.sign_pk);
		compare(errs, s->path, s->key_file_line, s->key_file, "the broker", "box_pk",
		    k->box_pk, a->directory->broker.box_pk);
		compare(errs, s->path, s->key_file_line, s->key_file, "the broker", "curve_pk",
		    k->curve_pk, a->directory->broker.curve_pk);
	}
	keyfile_destroy(&k);
}

struct area *
area_load(const char *dir, int flags, struct conf_errors *errs)
{
	struct area *a;
	struct stat sb;
	char *broker_path;
	size_t before, i;

	assert(dir != NULL && errs != NULL);
	before = conf_errors_count(errs);
	if ((a = calloc(1, sizeof(*a))) == NULL || (a->dir = strdup(dir)) == NULL ||
	    (broker_path = conf_resolve(dir, SETTINGS_BROKER_FILE)) == NULL) {
		conf_errors_add(errs, dir, 0, CONF_FIELD_FILE, "out of memory");
		area_destroy(&a);
		return NULL;
	}
	a->directory = directory_load(dir, errs);
	a->policy = policy_load(dir, a->directory, errs);
	/* broker.conf is needed only where the broker runs. */
	if (stat(broker_path, &sb) == 0 || errno != ENOENT)
		a->broker = settings_broker_load(dir, errs);
	free(broker_path);
	load_agents(a, errs);
	if (a->broker == NULL && a->n_agents == 0 && conf_errors_count(errs) == before)
		conf_errors_add(errs, dir, 0, CONF_FIELD_FILE,
		    "nothing runs here: there is neither a broker.conf nor any %s/<id>%s",
		    SETTINGS_AGENTS_DIR, SETTINGS_AGENT_SUFFIX);
	if (flags & AREA_CHECK_KEYS) {
		if (a->broker != NULL)
			check_broker_keys(a, errs);
		for (i = 0; i < a->n_agents; i++)
			check_agent_keys(a, a->agents[i], errs);
	}
	if (conf_errors_count(errs) > before)
		area_destroy(&a);
	return a;
}
