/* SPDX-License-Identifier: ISC */
/* Unit tests for common/backoff.c: the doubling, the cap, and the jitter's
 * exact bounds, with the random part pinned. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "common/backoff.h"

#define BASE 1000
#define MAX 300000
#define HALF_RANGE (UINT32_C(1) << 31)

static void
a_cap_below_the_start_is_still_the_cap(void **state)
{
	(void)state;
	/* A maximum that is not a power-of-two multiple is still the cap. */
	assert_int_equal(backoff_ms(BASE, BASE * 3, 10, 0), BASE * 3 / 2);
	/* A maximum below the first delay wins over it. */
	assert_int_equal(backoff_ms(BASE, BASE / 4, 1, HALF_RANGE), BASE / 4);
	assert_int_equal(backoff_ms(0, MAX, 5, UINT32_MAX), 0);
}

static void
doubles_per_attempt_up_to_the_maximum(void **state)
{
	unsigned n;
	uint64_t prev = 0, d;

	(void)state;
	assert_int_equal(backoff_ms(BASE, MAX, 0, HALF_RANGE), BASE);
	assert_int_equal(backoff_ms(BASE, MAX, 1, HALF_RANGE), BASE);
	assert_int_equal(backoff_ms(BASE, MAX, 2, HALF_RANGE), BASE * 2);
	assert_int_equal(backoff_ms(BASE, MAX, 3, HALF_RANGE), BASE * 4);
	assert_int_equal(backoff_ms(BASE, MAX, 1000, HALF_RANGE), MAX);
	assert_int_equal(backoff_ms(BASE, MAX, UINT32_MAX, HALF_RANGE), MAX);
	for (n = 1; n < 40; n++) {
		d = backoff_ms(BASE, MAX, n, HALF_RANGE);
		assert_true(d >= prev);
		assert_true(d <= MAX);
		prev = d;
	}
}

static void
jitter_spreads_between_half_and_one_and_a_half(void **state)
{
	uint32_t rnd;
	uint64_t d, prev = 0;
	int i;

	(void)state;
	assert_int_equal(backoff_ms(BASE, MAX, 1, 0), BASE / 2);
	assert_int_equal(backoff_ms(BASE, MAX, 1, UINT32_MAX), BASE * 3 / 2 - 1);
	assert_int_equal(backoff_ms(BASE, MAX, 1000, 0), MAX / 2);
	assert_int_equal(backoff_ms(BASE, MAX, 1000, UINT32_MAX), MAX * 3 / 2 - 1);
	/* Every rnd lands inside [d/2, 3d/2), growing with rnd. */
	for (i = 0, rnd = 0; i < 64; i++, rnd += UINT32_C(0x4000000)) {
		d = backoff_ms(BASE, MAX, 3, rnd);
		assert_true(d >= BASE * 4 / 2);
		assert_true(d < BASE * 4 * 3 / 2);
		assert_true(d >= prev);
		prev = d;
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_cap_below_the_start_is_still_the_cap),
		cmocka_unit_test(doubles_per_attempt_up_to_the_maximum),
		cmocka_unit_test(jitter_spreads_between_half_and_one_and_a_half),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
