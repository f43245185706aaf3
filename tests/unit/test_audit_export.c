/* SPDX-License-Identifier: ISC */
/* Unit tests for dutynet-audit export (audit/export.c): one JSON object per
 * audit entry, in seq order, with every field; strings escaped; and a row
 * edited to hold the wrong types written as it reads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "audit/auditdb.c"
#include "audit/export.c"
#include "audit/inputs.c"
#include "audit/jsonout.c"
#include "audit/show.c"
#include "tests/support/auditfx.h"
#include "tests/support/confdir.h"

#define PATH_LEN 512

struct fx {
	char *dir;
	char school[PATH_LEN];
	struct inputs in;
};

static int
setup(void **state)
{
	struct fx *x = calloc(1, sizeof(*x));
	char *paths[1];
	struct keyfile *k;

	assert_non_null(x);
	x->dir = confdir_new();
	confdir_area(x->dir);
	snprintf(x->school, sizeof(x->school), "%s/school.db", x->dir);
	auditfx_make_log(x->school, 0, false);
	auditfx_exec(x->school, "INSERT INTO audit VALUES (1, 100, 'created', 'mash',"
	    " CAST('000000000000000A' AS BLOB), 's1', zeroblob(32), zeroblob(32)),"
	    " (2, 300, 'sent', NULL, NULL, 's2 \"quoted\"', zeroblob(32), zeroblob(32))");
	k = auditfx_key(x->dir, "school-a");
	auditfx_sign(x->school, "school-a", 0, k, NULL, NULL);
	keyfile_destroy(&k);
	assert_int_equal(inputs_load_config(&x->in, x->dir, 0), 0);
	paths[0] = x->school;
	assert_int_equal(inputs_open_dbs(&x->in, paths, 1), 0);
	*state = x;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *x = *state;

	inputs_free(&x->in);
	confdir_destroy(&x->dir);
	free(x);
	return 0;
}

static char *
exported(struct fx *x, size_t db)
{
	struct status st;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(export_log(x->in.dbs[db], f, &st), 0);
	fclose(f);
	return buf;
}

static void
export_writes_one_json_object_per_entry(void **state)
{
	static const char first[] = "{\"log\": \"school-a\", \"seq\": 1, \"time_ms\": 100, "
	    "\"time\": \"1970-01-01T00:00:00.100Z\", \"event\": \"created\", \"agency\": "
	    "\"mash\", \"message_id\": \"30303030-3030-3030-3030-303030303041\", \"detail\": "
	    "\"s1\", \"prev_hash\": \"00000000000000000000000000000000"
	    "00000000000000000000000000000000\", \"hash\": \"00";
	struct fx *x = *state;
	char *s = exported(x, 0), *line;
	size_t lines = 0;

	for (line = s; (line = strchr(line, '\n')) != NULL; line++)
		lines++;
	assert_int_equal(lines, 2);
	assert_true(strncmp(s, first, strlen(first)) == 0);
	assert_non_null(strstr(s, "\"agency\": null"));
	assert_non_null(strstr(s, "\"detail\": \"s2 \\\"quoted\\\"\""));
	free(s);
	/* A row edited to hold a 3-byte message id and a text hash. */
	auditdb_close(&x->in.dbs[0]);
	auditfx_exec(x->school, "UPDATE audit SET message_id = X'010203', hash = 'x'"
	    " WHERE seq = 1");
	x->in.dbs[0] = auditdb_open(x->school, NULL, &(struct status){0});
	assert_non_null(x->in.dbs[0]);
	s = exported(x, 0);
	assert_non_null(strstr(s, "\"message_id\": \"010203\""));
	assert_non_null(strstr(s, "\"hash\": \"78\""));
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(export_writes_one_json_object_per_entry, setup,
		    teardown),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
