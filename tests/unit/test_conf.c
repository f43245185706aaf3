/* SPDX-License-Identifier: ISC */
/* Unit tests for config/conf.c: error collection, file reading, typed getters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config/conf.h"
#include "tests/support/confdir.h"

struct fixture {
	char *dir;
	struct conf_errors *errs;
	struct conf *c;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->dir = confdir_new();
	f->errs = conf_errors_new();
	assert_non_null(f->errs);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	conf_destroy(&f->c);
	conf_errors_destroy(&f->errs);
	confdir_destroy(&f->dir);
	free(f);
	return 0;
}

/* Writes text as t.conf and opens it; fails the test if it does not parse. */
static struct conf *
open_text(struct fixture *f, const char *text)
{
	confdir_write(f->dir, "t.conf", text);
	f->c = conf_open(f->dir, "t.conf", f->errs);
	assert_non_null(f->c);
	assert_int_equal(conf_errors_count(f->errs), 0);
	return f->c;
}

/* Asserts that error i is exactly "DIR/file:line: field: message". */
static void
assert_error(struct fixture *f, size_t i, const char *file, unsigned line, const char *field,
    const char *message)
{
	char want[1024];

	snprintf(want, sizeof(want), "%s/%s:%u: %s: %s", f->dir, file, line, field, message);
	assert_true(i < conf_errors_count(f->errs));
	assert_string_equal(conf_errors_get(f->errs, i), want);
}

/* Asserts that error i starts with "DIR/file:line: field: ". */
static void
assert_error_at(struct fixture *f, size_t i, const char *file, unsigned line, const char *field)
{
	char want[1024];

	snprintf(want, sizeof(want), "%s/%s:%u: %s: ", f->dir, file, line, field);
	assert_true(i < conf_errors_count(f->errs));
	assert_memory_equal(conf_errors_get(f->errs, i), want, strlen(want));
}

static void
open_missing_file_is_one_error(void **state)
{
	struct fixture *f = *state;

	assert_null(conf_open(f->dir, "nope.conf", f->errs));
	assert_int_equal(conf_errors_count(f->errs), 1);
	assert_error(f, 0, "nope.conf", 0, "file", "cannot read it: No such file or directory");
}

static void
open_syntax_error_names_file_and_line(void **state)
{
	struct fixture *f = *state;

	confdir_write(f->dir, "t.conf", "a = 1;\nb = 2;\nc = ;\n");
	assert_null(conf_open(f->dir, "t.conf", f->errs));
	assert_int_equal(conf_errors_count(f->errs), 1);
	assert_error(f, 0, "t.conf", 3, "syntax", "syntax error");
}

static void
open_syntax_error_in_include_names_included_file(void **state)
{
	struct fixture *f = *state;

	confdir_write(f->dir, "keys/k.pub", "x = \"a\";\ny = ;\n");
	confdir_write(f->dir, "t.conf", "g = {\n\t@include \"keys/k.pub\"\n};\n");
	assert_null(conf_open(f->dir, "t.conf", f->errs));
	assert_error(f, 0, "keys/k.pub", 2, "syntax", "syntax error");
}

static void
open_missing_include_says_keygen(void **state)
{
	struct fixture *f = *state;

	confdir_write(f->dir, "t.conf", "a = 1;\ng = {\n\t@include \"keys/none.pub\"\n};\n");
	assert_null(conf_open(f->dir, "t.conf", f->errs));
	assert_error_at(f, 0, "t.conf", 3, "syntax");
	assert_non_null(strstr(conf_errors_get(f->errs, 0), "cannot open include file"));
	assert_non_null(strstr(conf_errors_get(f->errs, 0), "dutynet keygen"));
}

static void
open_duplicate_setting_is_syntax_error(void **state)
{
	struct fixture *f = *state;

	confdir_write(f->dir, "t.conf", "a = 1;\na = 2;\n");
	assert_null(conf_open(f->dir, "t.conf", f->errs));
	assert_error(f, 0, "t.conf", 2, "syntax", "duplicate setting name");
}

static void
include_settings_keep_their_file_and_line(void **state)
{
	struct fixture *f = *state;
	const config_setting_t *g, *y;
	char file[512], field[CONF_FIELD_MAX], want[512];
	unsigned line;

	confdir_write(f->dir, "keys/k.pub", "x = \"a\";\ny = \"b\";\n");
	open_text(f, "g = {\n\t@include \"keys/k.pub\"\n\tz = 1;\n};\n");
	g = config_setting_get_member(conf_root(f->c), "g");
	y = config_setting_get_member(g, "y");
	conf_where(f->c, y, file, sizeof(file), &line);
	snprintf(want, sizeof(want), "%s/keys/k.pub", f->dir);
	assert_string_equal(file, want);
	assert_int_equal(line, 2);
	conf_where(f->c, config_setting_get_member(g, "z"), file, sizeof(file), &line);
	assert_string_equal(file, conf_path(f->c));
	assert_int_equal(line, 3);
	conf_field(y, field, sizeof(field));
	assert_string_equal(field, "g.y");
	assert_string_equal(conf_dir(f->c), f->dir);
}

static void
field_paths_index_list_elements(void **state)
{
	struct fixture *f = *state;
	const config_setting_t *l;
	char field[CONF_FIELD_MAX];

	open_text(f, "l = ( { a = [ \"x\", \"y\" ]; }, { b = { c = 1; }; } );\n");
	l = config_setting_get_member(conf_root(f->c), "l");
	conf_field(config_setting_get_elem(config_setting_get_member(
	    config_setting_get_elem(l, 0), "a"), 1), field, sizeof(field));
	assert_string_equal(field, "l[0].a[1]");
	conf_field(config_setting_get_member(config_setting_get_member(
	    config_setting_get_elem(l, 1), "b"), "c"), field, sizeof(field));
	assert_string_equal(field, "l[1].b.c");
}

static void
string_rejects_missing_wrong_type_empty_and_control(void **state)
{
	struct fixture *f = *state;
	const config_setting_t *root, *g;
	const char *v = "untouched";

	open_text(f, "n = 5;\ne = \"\";\nt = \"a\\tb\";\ng = {\n\tx = 1;\n};\n");
	root = conf_root(f->c);
	g = config_setting_get_member(root, "g");
	assert_int_equal(conf_string(f->c, g, "name", CONF_REQUIRED, &v), -1);
	assert_int_equal(conf_string(f->c, g, "name", CONF_OPTIONAL, &v), 1);
	assert_int_equal(conf_string(f->c, root, "n", CONF_REQUIRED, &v), -1);
	assert_int_equal(conf_string(f->c, root, "e", CONF_REQUIRED, &v), -1);
	assert_int_equal(conf_string(f->c, root, "t", CONF_REQUIRED, &v), -1);
	assert_string_equal(v, "untouched");
	assert_int_equal(conf_errors_count(f->errs), 4);
	assert_error(f, 0, "t.conf", 4, "g.name", "missing; this setting is required");
	assert_error(f, 1, "t.conf", 1, "n", "must be a string in double quotes");
	assert_error(f, 2, "t.conf", 2, "e", "must not be empty");
	assert_error_at(f, 3, "t.conf", 3, "t");
	assert_non_null(strstr(conf_errors_get(f->errs, 3), "control character at byte 1"));
}

static void
string_reads_value(void **state)
{
	struct fixture *f = *state;
	const char *v = NULL;

	open_text(f, "s = \"hello\";\n");
	assert_int_equal(conf_string(f->c, conf_root(f->c), "s", CONF_REQUIRED, &v), 0);
	assert_string_equal(v, "hello");
}

static void
int_checks_type_and_range(void **state)
{
	struct fixture *f = *state;
	const config_setting_t *root;
	int64_t v = 42;

	open_text(f, "a = \"1\";\nb = 11;\nc = 10;\nd = 5000000000L;\n");
	root = conf_root(f->c);
	assert_int_equal(conf_int(f->c, root, "a", CONF_REQUIRED, 0, 10, &v), -1);
	assert_int_equal(conf_int(f->c, root, "b", CONF_REQUIRED, 0, 10, &v), -1);
	assert_int_equal(v, 42);
	assert_int_equal(conf_int(f->c, root, "c", CONF_REQUIRED, 0, 10, &v), 0);
	assert_int_equal(v, 10);
	assert_int_equal(conf_int(f->c, root, "d", CONF_REQUIRED, 0, INT64_MAX, &v), 0);
	assert_true(v == 5000000000LL);
	assert_int_equal(conf_errors_count(f->errs), 2);
	assert_error(f, 0, "t.conf", 1, "a", "must be a whole number (without quotes) from 0 to 10");
	assert_error(f, 1, "t.conf", 2, "b", "11 is out of range; it must be from 0 to 10");
}

static void
hex_checks_digits_and_length(void **state)
{
	struct fixture *f = *state;
	const config_setting_t *root;
	uint8_t out[4] = {0};
	const uint8_t want[4] = {0x01, 0xab, 0xCD, 0xef};

	open_text(f, "a = \"01abcdeg\";\nb = \"01abcd\";\nc = 7;\nd = \"01abCDef\";\n");
	root = conf_root(f->c);
	assert_int_equal(conf_hex(f->c, root, "a", CONF_REQUIRED, out, 4), -1);
	assert_int_equal(conf_hex(f->c, root, "b", CONF_REQUIRED, out, 4), -1);
	assert_int_equal(conf_hex(f->c, root, "c", CONF_REQUIRED, out, 4), -1);
	assert_int_equal(conf_errors_count(f->errs), 3);
	assert_error(f, 0, "t.conf", 1, "a", "is not hex: character 8 is not 0-9 or a-f");
	assert_error(f, 1, "t.conf", 2, "b",
	    "has 6 hex digits; it must have exactly 8 (a 4-byte key)");
	assert_error_at(f, 2, "t.conf", 3, "c");
	assert_int_equal(conf_hex(f->c, root, "d", CONF_REQUIRED, out, 4), 0);
	assert_memory_equal(out, want, 4);
}

static void
aggregates_check_their_shape(void **state)
{
	struct fixture *f = *state;
	const config_setting_t *root, *out = NULL;

	open_text(f, "g = 1;\nl = ( { }, 3 );\ns = [ \"a\" ];\nm = ( \"x\",\n 2 );\n"
		     "ok = ( { a = 1; } );\n");
	root = conf_root(f->c);
	assert_int_equal(conf_group(f->c, root, "g", CONF_REQUIRED, &out), -1);
	assert_int_equal(conf_list(f->c, root, "l", CONF_REQUIRED, &out), -1);
	assert_int_equal(conf_list(f->c, root, "s", CONF_REQUIRED, &out), -1);
	assert_int_equal(conf_strings(f->c, root, "m", CONF_REQUIRED, &out), -1);
	assert_int_equal(conf_strings(f->c, root, "g", CONF_REQUIRED, &out), -1);
	assert_null(out);
	assert_int_equal(conf_errors_count(f->errs), 5);
	assert_error(f, 0, "t.conf", 1, "g", "must be a group: { ... }");
	assert_error(f, 1, "t.conf", 2, "l[1]", "must be a group: { ... }");
	assert_error(f, 2, "t.conf", 3, "s", "must be a list of groups: ( { ... }, { ... } )");
	assert_error(f, 3, "t.conf", 5, "m[1]", "must be a string in double quotes");
	assert_error_at(f, 4, "t.conf", 1, "g");
	assert_int_equal(conf_list(f->c, root, "ok", CONF_REQUIRED, &out), 0);
	assert_int_equal(config_setting_length(out), 1);
	assert_int_equal(conf_strings(f->c, root, "s", CONF_REQUIRED, &out), 0);
	assert_string_equal(config_setting_get_string_elem(out, 0), "a");
	assert_int_equal(conf_group(f->c, root, "none", CONF_OPTIONAL, &out), 1);
}

static void
check_known_reports_each_unknown_setting(void **state)
{
	struct fixture *f = *state;
	static const char *const known[] = {"id", "name", NULL};

	open_text(f, "id = 1;\nnmae = 2;\nname = 3;\nextra = 4;\n");
	conf_check_known(f->c, conf_root(f->c), known);
	assert_int_equal(conf_errors_count(f->errs), 2);
	assert_error(f, 0, "t.conf", 2, "nmae", "unknown setting 'nmae' (known here: id, name)");
	assert_error(f, 1, "t.conf", 4, "extra", "unknown setting 'extra' (known here: id, name)");
}

static void
path_value_resolves_relative_to_dir(void **state)
{
	struct fixture *f = *state;
	char *rel = NULL, *abs = NULL, want[512];

	open_text(f, "rel = \"run/x\";\nabs = \"/var/lib/x\";\n");
	assert_int_equal(conf_path_value(f->c, conf_root(f->c), "rel", CONF_REQUIRED, &rel), 0);
	assert_int_equal(conf_path_value(f->c, conf_root(f->c), "abs", CONF_REQUIRED, &abs), 0);
	snprintf(want, sizeof(want), "%s/run/x", f->dir);
	assert_string_equal(rel, want);
	assert_string_equal(abs, "/var/lib/x");
	free(rel);
	free(abs);
}

static void
duration_rejects_bad_text_at_its_line(void **state)
{
	struct fixture *f = *state;
	struct conf_duration d;

	open_text(f, "a = 1;\nd = \"5 fortnights\";\n");
	assert_int_equal(conf_duration(f->c, conf_root(f->c), "d", CONF_REQUIRED, &d), -1);
	assert_int_equal(conf_errors_count(f->errs), 1);
	assert_error_at(f, 0, "t.conf", 2, "d");
	assert_non_null(strstr(conf_errors_get(f->errs, 0), "5 fortnights"));
}

static void
duration_keeps_text_and_clock_fallback(void **state)
{
	struct fixture *f = *state;
	struct conf_duration d;
	struct status st;

	open_text(f, "d = \"90 minutes\";\n");
	assert_int_equal(conf_duration(f->c, conf_root(f->c), "d", CONF_REQUIRED, &d), 0);
	assert_string_equal(d.text, "90 minutes");
	assert_int_equal(d.parsed.kind, DURATION_CLOCK);
	assert_true(d.clock_ms == 90 * 60 * 1000ULL);
	assert_int_equal(conf_duration_parse("5 working days", &d, &st), 0);
	assert_int_equal(d.parsed.kind, DURATION_WORKING_DAYS);
	assert_int_equal(d.parsed.days, 5);
	assert_true(d.clock_ms == 5 * 24 * 3600 * 1000ULL);
	assert_int_equal(conf_duration_parse("4 working hours", &d, &st), 0);
	assert_true(d.clock_ms == 4 * 3600 * 1000ULL);
	assert_int_equal(conf_duration_parse("by the end of the 3rd working day", &d, &st), 0);
	assert_true(d.clock_ms == 3 * 24 * 3600 * 1000ULL);
	assert_int_equal(conf_duration_parse("soon", &d, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
}

static void
errors_keep_order_and_exact_text(void **state)
{
	struct fixture *f = *state;
	char big[2 * CONF_ERROR_MAX];
	size_t i;

	conf_errors_add(f->errs, "a.conf", 3, "x", "bad %d", 7);
	conf_errors_add_text(f->errs, "b.conf:1: y: given whole");
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	conf_errors_add(f->errs, "c.conf", 9, "z", "%s", big);
	assert_int_equal(conf_errors_count(f->errs), 3);
	assert_string_equal(conf_errors_get(f->errs, 0), "a.conf:3: x: bad 7");
	assert_string_equal(conf_errors_get(f->errs, 1), "b.conf:1: y: given whole");
	assert_int_equal(strlen(conf_errors_get(f->errs, 2)), CONF_ERROR_MAX - 1);
	for (i = 0; i < 100; i++)
		conf_errors_add(f->errs, "d.conf", (unsigned)i, "f", "many");
	assert_int_equal(conf_errors_count(f->errs), 103);
	assert_string_equal(conf_errors_get(f->errs, 102), "d.conf:99: f: many");
	conf_errors_destroy(&f->errs);
	assert_null(f->errs);
	conf_errors_destroy(&f->errs);
	f->errs = conf_errors_new();
}

static void
quote_escapes_and_cuts(void **state)
{
	char out[CONF_QUOTE_BUF], long_text[CONF_QUOTE_MAX * 2 + 1];

	(void)state;
	conf_quote("plain", out);
	assert_string_equal(out, "plain");
	conf_quote("a\nb'c\\", out);
	assert_string_equal(out, "a\\x0ab\\x27c\\x5c");
	memset(long_text, 'q', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = '\0';
	conf_quote(long_text, out);
	assert_int_equal(strlen(out), CONF_QUOTE_MAX + 3);
	assert_string_equal(out + CONF_QUOTE_MAX, "...");
}

static void
resolve_and_default_dir(void **state)
{
	char *p;

	(void)state;
	p = conf_resolve("/etc/x", "keys/a.key");
	assert_string_equal(p, "/etc/x/keys/a.key");
	free(p);
	p = conf_resolve("/etc/x", "/abs");
	assert_string_equal(p, "/abs");
	free(p);
	unsetenv(CONF_DIR_ENV);
	assert_string_equal(conf_default_dir(), CONF_DIR_DEFAULT);
	setenv(CONF_DIR_ENV, "", 1);
	assert_string_equal(conf_default_dir(), CONF_DIR_DEFAULT);
	setenv(CONF_DIR_ENV, "/srv/dutynet", 1);
	assert_string_equal(conf_default_dir(), "/srv/dutynet");
	unsetenv(CONF_DIR_ENV);
}

static void
destroy_accepts_null(void **state)
{
	struct conf *c = NULL;

	(void)state;
	conf_destroy(&c);
	conf_destroy(NULL);
	assert_null(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(open_missing_file_is_one_error, setup, teardown),
		cmocka_unit_test_setup_teardown(open_syntax_error_names_file_and_line, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(open_syntax_error_in_include_names_included_file,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(open_missing_include_says_keygen, setup, teardown),
		cmocka_unit_test_setup_teardown(open_duplicate_setting_is_syntax_error, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(string_rejects_missing_wrong_type_empty_and_control,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(int_checks_type_and_range, setup, teardown),
		cmocka_unit_test_setup_teardown(hex_checks_digits_and_length, setup, teardown),
		cmocka_unit_test_setup_teardown(aggregates_check_their_shape, setup, teardown),
		cmocka_unit_test_setup_teardown(check_known_reports_each_unknown_setting, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(duration_rejects_bad_text_at_its_line, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(include_settings_keep_their_file_and_line, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(field_paths_index_list_elements, setup, teardown),
		cmocka_unit_test_setup_teardown(string_reads_value, setup, teardown),
		cmocka_unit_test_setup_teardown(path_value_resolves_relative_to_dir, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(duration_keeps_text_and_clock_fallback, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(errors_keep_order_and_exact_text, setup, teardown),
		cmocka_unit_test(quote_escapes_and_cuts),
		cmocka_unit_test(resolve_and_default_dir),
		cmocka_unit_test(destroy_accepts_null),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
