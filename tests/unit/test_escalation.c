/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for config/escalation.c: escalation chains in directory.conf
 * (who is told, in order, after what delay), their defaults, the "at once"
 * delay, and every error at its path:line and field.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config/escalation.h"
#include "tests/support/confdir.h"

struct fixture {
	char *dir;
	unsigned line;			/* of mash's escalation group */
	struct conf_errors *errs;
	struct directory *d;
};

/* confdir_area's directory with mash's escalation group replaced. */
static void
write_mash_escalation(struct fixture *f, const char *group)
{
	const char *start = strstr(CONFDIR_DIRECTORY, "\t\tescalation = {");
	const char *end;
	char text[8192];

	assert_non_null(start);
	f->line = 1;
	for (end = CONFDIR_DIRECTORY; end < start; end++)
		f->line += *end == '\n';
	end = strchr(start, '\n');
	snprintf(text, sizeof(text), "%.*s\t\t%s%s", (int)(start - CONFDIR_DIRECTORY),
	    CONFDIR_DIRECTORY, group, end);
	confdir_write(f->dir, "directory.conf", text);
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->dir = confdir_new();
	confdir_area(f->dir);
	f->errs = conf_errors_new();
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	directory_destroy(&f->d);
	conf_errors_destroy(&f->errs);
	confdir_destroy(&f->dir);
	free(f);
	return 0;
}

static void
assert_error(struct fixture *f, const char *field, const char *text)
{
	char want[1024];
	const char *e;
	size_t i;

	snprintf(want, sizeof(want), "%s/directory.conf:%u: %s: ", f->dir, f->line, field);
	for (i = 0; i < conf_errors_count(f->errs); i++) {
		e = conf_errors_get(f->errs, i);
		if (strncmp(e, want, strlen(want)) == 0 && strstr(e, text) != NULL)
			return;
	}
	for (i = 0; i < conf_errors_count(f->errs); i++)
		print_error("%s\n", conf_errors_get(f->errs, i));
	fail_msg("no error '%s...%s'", want, text);
}

static void
bad_steps_are_reported(void **state)
{
	struct fixture *f = *state;

	write_mash_escalation(f, "escalation = { chain = ( { tell = \"broker\"; "
	    "after = \"0 fortnights\"; }, { after = \"1 hour\"; }, { tell = \"sender\"; "
	    "after = \"by the end of the 0th working day\"; when = 1; } ); };");
	f->d = directory_load(f->dir, f->errs);
	assert_null(f->d);
	assert_error(f, "agencies[1].escalation.chain[0].tell", "'broker' is the broker");
	assert_error(f, "agencies[1].escalation.chain[0].after", "'0 fortnights' not understood");
	assert_error(f, "agencies[1].escalation.chain[1].tell", "missing");
	assert_error(f, "agencies[1].escalation.chain[2].after", "out of range");
	assert_error(f, "agencies[1].escalation.chain[2].when", "unknown setting 'when'");
	assert_int_equal(conf_errors_count(f->errs), 5);
}

static void
chain_length_is_bounded(void **state)
{
	struct fixture *f = *state;
	char group[2048];
	size_t o;
	int i;

	write_mash_escalation(f, "escalation = { chain = (); };");
	assert_null(directory_load(f->dir, f->errs));
	assert_error(f, "agencies[1].escalation.chain", "has 0 steps; give 1 to 8");
	conf_errors_destroy(&f->errs);
	f->errs = conf_errors_new();
	o = (size_t)snprintf(group, sizeof(group), "escalation = { chain = (");
	for (i = 0; i <= DIRECTORY_CHAIN_MAX; i++)
		o += (size_t)snprintf(group + o, sizeof(group) - o, "%s{ tell = \"sender\"; }",
		    i ? ", " : " ");
	snprintf(group + o, sizeof(group) - o, " ); };");
	write_mash_escalation(f, group);
	assert_null(directory_load(f->dir, f->errs));
	assert_error(f, "agencies[1].escalation.chain", "has 9 steps; give 1 to 8");
}

static void
steps_and_delays_are_read(void **state)
{
	struct fixture *f = *state;
	const struct directory_escalation *e;

	write_mash_escalation(f, "escalation = { manager = \"Team manager\"; chain = ( "
	    "{ tell = \"sender\"; after = \"0 minutes\"; }, "
	    "{ tell = \"recipient\"; after = \"0 Working Hours\"; }, "
	    "{ tell = \"camhs\"; after = \"2 working hours\"; }, "
	    "{ tell = \"school-a\"; } ); };");
	f->d = directory_load(f->dir, f->errs);
	assert_non_null(f->d);
	e = &directory_find(f->d, "mash")->escalation;
	assert_string_equal(e->manager, "Team manager");
	assert_int_equal(e->n_chain, 4);
	assert_int_equal(e->chain[0].tell, DIRECTORY_TELL_SENDER);
	assert_string_equal(escalation_tell_name(&e->chain[0]), "sender");
	assert_string_equal(e->chain[0].after.text, "0 minutes");
	assert_int_equal(e->chain[0].after.clock_ms, 0);
	assert_int_equal(e->chain[1].tell, DIRECTORY_TELL_RECIPIENT);
	assert_string_equal(escalation_tell_name(&e->chain[1]), "recipient");
	assert_int_equal(e->chain[1].after.clock_ms, 0);
	assert_int_equal(e->chain[2].tell, DIRECTORY_TELL_AGENCY);
	assert_string_equal(escalation_tell_name(&e->chain[2]), "camhs");
	assert_int_equal(e->chain[2].after.parsed.kind, DURATION_WORKING);
	assert_int_equal(e->chain[2].after.clock_ms, 2 * 3600000);
	/* No delay: at once. */
	assert_int_equal(e->chain[3].after.clock_ms, 0);
	assert_int_equal(e->chain[3].after.parsed.kind, DURATION_CLOCK);
	/* An agency without an escalation group: sender and recipient at once. */
	e = &directory_find(f->d, "camhs")->escalation;
	assert_null(e->manager);
	assert_int_equal(e->n_chain, 2);
	assert_int_equal(e->chain[0].tell, DIRECTORY_TELL_SENDER);
	assert_int_equal(e->chain[1].tell, DIRECTORY_TELL_RECIPIENT);
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(bad_steps_are_reported),
		T(chain_length_is_bounded),
		T(steps_and_delays_are_read),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
