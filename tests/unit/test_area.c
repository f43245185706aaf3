/* SPDX-License-Identifier: ISC */
/* Unit tests for config/area.c: a whole configuration directory at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/keyfile.h"
#include "config/area.h"
#include "tests/support/confdir.h"

struct fixture {
	char *dir;
	struct conf_errors *errs;
	struct area *a;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->dir = confdir_new();
	f->errs = conf_errors_new();
	confdir_area(f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	area_destroy(&f->a);
	conf_errors_destroy(&f->errs);
	confdir_destroy(&f->dir);
	free(f);
	return 0;
}

static void
load_fails(struct fixture *f, int flags, size_t n)
{
	size_t i;

	f->a = area_load(f->dir, flags, f->errs);
	assert_null(f->a);
	if (conf_errors_count(f->errs) == n)
		return;
	for (i = 0; i < conf_errors_count(f->errs); i++)
		print_error("%s\n", conf_errors_get(f->errs, i));
	fail_msg("%zu errors, expected %zu", conf_errors_count(f->errs), n);
}

/* Asserts some error starts with "DIR/file:line: field: " and has text. */
static void
assert_has_error(struct fixture *f, const char *file, unsigned line, const char *field,
    const char *text)
{
	char want[1024];
	const char *e;
	size_t i;

	snprintf(want, sizeof(want), "%s/%s:%u: %s: ", f->dir, file, line, field);
	for (i = 0; i < conf_errors_count(f->errs); i++) {
		e = conf_errors_get(f->errs, i);
		if (strncmp(e, want, strlen(want)) == 0 && strstr(e, text) != NULL)
			return;
	}
	fail_msg("no error '%s...%s'", want, text);
}

static void
key_file_with_open_mode_is_refused_at_its_setting(void **state)
{
	struct fixture *f = *state;
	char *path = confdir_path(f->dir, "keys/mash.key");

	assert_int_equal(chmod(path, 0644), 0);
	load_fails(f, AREA_CHECK_KEYS, 1);
	assert_has_error(f, "agents/mash.conf", 4, "key_file", "has mode 0644; run chmod 600");
	free(path);
}

static void
key_file_of_another_agency_is_refused(void **state)
{
	struct fixture *f = *state;

	confdir_write(f->dir, "agents/mash.conf", "agency = \"mash\";\n"
						 "broker_endpoint = \"tcp://127.0.0.1:7450\";\n"
						 "data_dir = \"run/mash\";\n"
						 "key_file = \"keys/camhs.key\";\n");
	load_fails(f, AREA_CHECK_KEYS, 1);
	assert_has_error(f, "agents/mash.conf", 4, "key_file",
	    "holds the keys of 'camhs', not of 'mash'");
}

static void
damaged_key_file_is_refused(void **state)
{
	struct fixture *f = *state;
	char *key = confdir_path(f->dir, "keys/mash.key");

	confdir_write(f->dir, "keys/mash.key", "-----BEGIN PRIVATE KEY-----\n");
	assert_int_equal(chmod(key, 0600), 0);
	load_fails(f, AREA_CHECK_KEYS, 1);
	assert_has_error(f, "agents/mash.conf", 4, "key_file", "is not a dutynet key file");
	free(key);
}

static void
mismatched_public_keys_are_named(void **state)
{
	struct fixture *f = *state;
	char *key = confdir_path(f->dir, "keys/mash.key");

	/* mash's key file replaced by fresh keys; the directory keeps the old. */
	assert_int_equal(unlink(key), 0);
	{
		char *pub = confdir_path(f->dir, "keys/mash.pub");
		char *keep = confdir_path(f->dir, "keys/mash.pub.old");

		assert_int_equal(rename(pub, keep), 0);
		confdir_keys(f->dir, "mash", false);
		assert_int_equal(rename(keep, pub), 0);
		free(pub);
		free(keep);
	}
	load_fails(f, AREA_CHECK_KEYS, 3);
	assert_has_error(f, "agents/mash.conf", 4, "key_file",
	    "the sign_pk of mash's key file");
	assert_has_error(f, "agents/mash.conf", 4, "key_file", "the box_pk of mash's key file");
	assert_has_error(f, "agents/mash.conf", 4, "key_file", "the curve_pk of mash's key file");
	free(key);
}

static void
broker_key_file_must_be_the_brokers(void **state)
{
	struct fixture *f = *state;

	confdir_write(f->dir, "broker.conf", "endpoint = \"tcp://127.0.0.1:7450\";\n"
					     "data_dir = \"run/broker\";\n"
					     "key_file = \"keys/camhs.key\";\n");
	load_fails(f, AREA_CHECK_KEYS, 1);
	assert_has_error(f, "broker.conf", 3, "key_file",
	    "holds the keys of 'camhs', but directory.conf names the broker 'broker'");
}

static void
broker_key_file_needs_a_box_pair(void **state)
{
	struct fixture *f = *state;
	struct keyfile *k = NULL;
	struct status st;
	char *path = confdir_path(f->dir, "keys/old-broker.key");

	/* A broker key file from before the broker sealed its notices. */
	assert_int_equal(keyfile_generate("broker", false, &k, &st), 0);
	assert_int_equal(keyfile_write(k, path, &st), 0);
	keyfile_destroy(&k);
	confdir_write(f->dir, "broker.conf", "endpoint = \"tcp://127.0.0.1:7450\";\n"
					     "data_dir = \"run/broker\";\n"
					     "key_file = \"keys/old-broker.key\";\n");
	load_fails(f, AREA_CHECK_KEYS, 1);
	assert_has_error(f, "broker.conf", 3, "key_file", "has no box_sk: the broker seals");
	free(path);
}

static void
every_file_is_checked_in_one_run(void **state)
{
	struct fixture *f = *state;

	confdir_write(f->dir, "policy.conf", "sharing = ( { from = [ \"nobody\" ]; "
					     "to = [ \"*\" ]; types = [ \"ack\" ]; } );\n");
	confdir_write(f->dir, "broker.conf", "endpoint = \"tcp://127.0.0.1\";\n"
					     "data_dir = \"run/broker\";\n"
					     "key_file = \"keys/broker.key\";\n");
	confdir_write(f->dir, "agents/camhs.conf", "agency = \"camhs\";\nwindow = 0;\n");
	confdir_write(f->dir, "agents/ghost.conf", "agency = \"ghost\";\n");
	load_fails(f, AREA_CHECK_KEYS, 10);
	assert_has_error(f, "policy.conf", 1, "sharing[0].from[0]", "unknown agency 'nobody'");
	assert_has_error(f, "broker.conf", 1, "endpoint", "needs a host and a port");
	assert_has_error(f, "agents/camhs.conf", 0, "broker_endpoint", "missing");
	assert_has_error(f, "agents/camhs.conf", 0, "data_dir", "missing");
	assert_has_error(f, "agents/camhs.conf", 0, "key_file", "missing");
	assert_has_error(f, "agents/camhs.conf", 2, "window", "out of range");
	assert_has_error(f, "agents/ghost.conf", 1, "agency", "unknown agency 'ghost'");
}

static void
broken_directory_still_checks_the_rest(void **state)
{
	struct fixture *f = *state;
	char *pub = confdir_path(f->dir, "keys/camhs.pub");

	unlink(pub);
	confdir_write(f->dir, "policy.conf", "sharing = ( { from = [ \"Bad\" ]; "
					     "to = [ \"*\" ]; types = [ \"ack\" ]; } );\n");
	load_fails(f, AREA_CHECK_KEYS, 2);
	assert_has_error(f, "directory.conf", 24, "syntax", "cannot open include file");
	assert_has_error(f, "policy.conf", 1, "sharing[0].from[0]", "'Bad' is neither");
	free(pub);
}

static void
nothing_to_run_is_an_error(void **state)
{
	struct fixture *f = *state;
	char *p = confdir_path(f->dir, "broker.conf");
	char *q = confdir_path(f->dir, "agents/mash.conf");
	char want[512];

	unlink(p);
	unlink(q);
	load_fails(f, 0, 1);
	snprintf(want, sizeof(want), "%s:0: file: nothing runs here: there is neither a "
	    "broker.conf nor any agents/<id>.conf", f->dir);
	assert_string_equal(conf_errors_get(f->errs, 0), want);
	free(p);
	free(q);
}

static void
valid_area_loads_with_keys_checked(void **state)
{
	struct fixture *f = *state;

	confdir_write(f->dir, "agents/school-a.conf", "agency = \"school-a\";\n"
						     "broker_endpoint = \"tcp://127.0.0.1:7450\";\n"
						     "data_dir = \"run/school-a\";\n"
						     "key_file = \"keys/school-a.key\";\n");
	confdir_write(f->dir, "agents/.hidden.conf", "not = libconfig");
	confdir_write(f->dir, "agents/README", "not a conf file");
	f->a = area_load(f->dir, AREA_CHECK_KEYS, f->errs);
	assert_int_equal(conf_errors_count(f->errs), 0);
	assert_non_null(f->a);
	assert_string_equal(f->a->dir, f->dir);
	assert_int_equal(f->a->directory->n_agencies, 3);
	assert_int_equal(policy_rule_count(f->a->policy), 4);
	assert_non_null(f->a->broker);
	assert_int_equal(f->a->n_agents, 2);
	assert_string_equal(f->a->agents[0]->agency, "mash");
	assert_string_equal(f->a->agents[1]->agency, "school-a");
	area_destroy(&f->a);
	assert_null(f->a);
	area_destroy(NULL);
}

static void
without_key_check_missing_keys_are_fine(void **state)
{
	struct fixture *f = *state;
	char *p = confdir_path(f->dir, "keys/mash.key");
	char *b = confdir_path(f->dir, "broker.conf");

	unlink(p);
	unlink(b);
	f->a = area_load(f->dir, 0, f->errs);
	assert_non_null(f->a);
	assert_null(f->a->broker);
	assert_int_equal(f->a->n_agents, 1);
	area_destroy(&f->a);
	load_fails(f, AREA_CHECK_KEYS, 1);
	assert_has_error(f, "agents/mash.conf", 4, "key_file", "cannot open key file");
	free(p);
	free(b);
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(key_file_with_open_mode_is_refused_at_its_setting),
		T(key_file_of_another_agency_is_refused),
		T(damaged_key_file_is_refused),
		T(mismatched_public_keys_are_named),
		T(broker_key_file_must_be_the_brokers),
		T(broker_key_file_needs_a_box_pair),
		T(every_file_is_checked_in_one_run),
		T(broken_directory_still_checks_the_rest),
		T(nothing_to_run_is_an_error),
		T(valid_area_loads_with_keys_checked),
		T(without_key_check_missing_keys_are_fine),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
