/* SPDX-License-Identifier: ISC */
/* Unit tests for agents/webform.c: collecting and decoding form bodies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agents/webform.c"

static void
rejects_bad_escapes(void **state)
{
	static const char *const bad[] = {"a=%", "a=%4", "a=%zz", "a=%00", "a%=1", "b=1&a=x%g1"};
	struct webform f;
	struct status st;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(webform_parse(bad[i], strlen(bad[i]), &f, &st), -1);
		assert_int_equal(st.code, STATUS_BAD_FIELD);
		assert_int_equal(f.n, 0);
	}
	assert_int_equal(webform_parse("a=1\0b", 5, &f, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_non_null(strstr(st.text, "NUL"));
}

static void
rejects_duplicate_and_empty_keys(void **state)
{
	struct webform f;
	struct status st;
	char longkey[WEBFORM_KEY_MAX + 3];

	(void)state;
	assert_int_equal(webform_parse("csrf=a&csrf=b", 13, &f, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_string_equal(st.text, "the form has the field 'csrf' twice");
	assert_int_equal(webform_parse("=x", 2, &f, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	memset(longkey, 'k', WEBFORM_KEY_MAX + 1);
	longkey[WEBFORM_KEY_MAX + 1] = '=';
	longkey[WEBFORM_KEY_MAX + 2] = '\0';
	assert_int_equal(webform_parse(longkey, strlen(longkey), &f, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
}

static void
rejects_too_many_fields_and_bytes(void **state)
{
	struct webform f;
	struct status st;
	char body[WEBFORM_FIELDS_MAX * 8 + 16];
	size_t i, n = 0;

	(void)state;
	for (i = 0; i <= WEBFORM_FIELDS_MAX; i++)
		n += (size_t)snprintf(body + n, sizeof(body) - n, "%sk%zu=v", i ? "&" : "", i);
	assert_int_equal(webform_parse(body, n, &f, &st), -1);
	assert_int_equal(st.code, STATUS_TOO_LARGE);
	assert_int_equal(webform_parse("a=b", WEBFORM_BODY_MAX + 1, &f, &st), -1);
	assert_int_equal(st.code, STATUS_TOO_LARGE);
}

static void
decodes_plus_and_percent(void **state)
{
	const char *body = "username=alice.khan&password=p%40ss+w%C3%B6rd%26%3D&&empty=&bare";
	struct webform f;
	struct status st;

	(void)state;
	assert_int_equal(webform_parse(body, strlen(body), &f, &st), 0);
	assert_int_equal(f.n, 4);
	assert_string_equal(webform_get(&f, "username"), "alice.khan");
	assert_string_equal(webform_get(&f, "password"), "p@ss w\xc3\xb6rd&=");
	assert_string_equal(webform_get(&f, "empty"), "");
	assert_string_equal(webform_get(&f, "bare"), "");
	assert_null(webform_get(&f, "csrf"));
	webform_clear(&f);
	assert_int_equal(f.n, 0);
	assert_null(webform_get(&f, "username"));
	assert_int_equal(webform_parse("", 0, &f, &st), 0);
	assert_int_equal(f.n, 0);
}

static void
body_collects_within_the_limit(void **state)
{
	struct webform_body b;
	char *big;

	(void)state;
	memset(&b, 0, sizeof(b));
	assert_int_equal(webform_body_add(&b, "a=1", 3), 0);
	assert_int_equal(webform_body_add(&b, "&b=2", 4), 0);
	assert_int_equal(webform_body_add(&b, "", 0), 0);
	assert_int_equal(b.len, 7);
	assert_string_equal(b.buf, "a=1&b=2");
	assert_non_null(big = calloc(1, WEBFORM_BODY_MAX));
	assert_int_equal(webform_body_add(&b, big, WEBFORM_BODY_MAX - 7 + 1), -1);
	assert_true(b.too_long);
	/* Once too long, nothing more is taken. */
	assert_int_equal(webform_body_add(&b, "x", 1), -1);
	assert_int_equal(b.len, 7);
	webform_body_clear(&b);
	assert_null(b.buf);
	assert_false(b.too_long);
	assert_int_equal(webform_body_add(&b, big, WEBFORM_BODY_MAX), 0);
	assert_int_equal(b.len, WEBFORM_BODY_MAX);
	webform_body_clear(&b);
	free(big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rejects_bad_escapes),
		cmocka_unit_test(rejects_duplicate_and_empty_keys),
		cmocka_unit_test(rejects_too_many_fields_and_bytes),
		cmocka_unit_test(decodes_plus_and_percent),
		cmocka_unit_test(body_collects_within_the_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
