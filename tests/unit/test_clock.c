/* SPDX-License-Identifier: ISC */
/* Unit tests for common/clock.c: the injectable clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "common/clock.h"

static void
fixed_clock_does_not_move_until_advanced(void **state)
{
	(void)state;
	clock_set_fixed(1700000000000ull);
	assert_int_equal(clock_now_ms(), 1700000000000ull);
	clock_advance(1500);
	assert_int_equal(clock_now_ms(), 1700000001500ull);
	clock_set_real(0);
}

static void
offset_shifts_real_time(void **state)
{
	uint64_t real, shifted;

	(void)state;
	clock_set_real(0);
	real = clock_now_ms();
	clock_set_real(86400000);
	shifted = clock_now_ms();
	assert_true(shifted >= real + 86400000);
	assert_true(shifted < real + 86400000 + 60000);
	clock_set_real(0);
}

static void
env_offset_parsed_and_bad_value_refused(void **state)
{
	uint64_t real;

	(void)state;
	clock_set_real(0);
	real = clock_now_ms();
	setenv("DUTYNET_CLOCK_OFFSET_MS", "-3600000", 1);
	assert_int_equal(clock_from_env(), 0);
	assert_true(clock_now_ms() < real);
	setenv("DUTYNET_CLOCK_OFFSET_MS", "soon", 1);
	assert_int_equal(clock_from_env(), -1);
	unsetenv("DUTYNET_CLOCK_OFFSET_MS");
	clock_set_real(0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fixed_clock_does_not_move_until_advanced),
		cmocka_unit_test(offset_shifts_real_time),
		cmocka_unit_test(env_offset_parsed_and_bad_value_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
