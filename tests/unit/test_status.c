/* SPDX-License-Identifier: ISC */
/* Unit tests for proto/status.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "proto/status.h"

static void
set_formats_and_returns_minus_one(void **state)
{
	struct status st;

	(void)state;
	assert_int_equal(status_set(&st, STATUS_BAD_FIELD, "agency id '%s' is bad", "X"), -1);
	assert_int_equal(st.code, 504);
	assert_string_equal(st.text, "agency id 'X' is bad");
	assert_int_equal(status_set(NULL, 500, "ignored"), -1);
}

static void
long_text_is_truncated_not_overflowed(void **state)
{
	struct status st;
	char big[1000];

	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	status_set(&st, 500, "%s", big);
	assert_int_equal(strlen(st.text), STATUS_TEXT_LEN - 1);
}

static void
names_and_classes(void **state)
{
	struct status st;

	(void)state;
	assert_string_equal(status_name(520), "bad-signature");
	assert_string_equal(status_name(999), "unknown");
	assert_true(status_is_temporary(STATUS_BUSY));
	assert_false(status_is_temporary(STATUS_FORBIDDEN));
	assert_false(status_is_temporary(STATUS_ACCEPTED));
	status_ok(&st);
	assert_int_equal(st.code, 200);
	assert_string_equal(st.text, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(set_formats_and_returns_minus_one),
		cmocka_unit_test(long_text_is_truncated_not_overflowed),
		cmocka_unit_test(names_and_classes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
