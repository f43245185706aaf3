/* SPDX-License-Identifier: ISC */
/* Unit tests for agents/loginrate.c: 5 failures per account or 20 per
 * address within 15 minutes lock for 15 minutes, a sliding window, what a
 * success forgets, and the bounded tables.  Time is passed in: nothing
 * sleeps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agents/loginrate.c"

#define T0 1700000000000ull
#define MIN_MS 60000ull

static void
fail_n(struct loginrate *lr, const char *account, const char *addr, int n, uint64_t now)
{
	int i;

	for (i = 0; i < n; i++)
		loginrate_failed(lr, account, addr, now);
}

static void
new_and_destroy(void **state)
{
	struct loginrate *lr = NULL;

	(void)state;
	loginrate_destroy(NULL);
	loginrate_destroy(&lr);
	assert_null(lr);
	assert_non_null(lr = loginrate_new());
	assert_int_equal(loginrate_wait_ms(lr, "alice", "192.0.2.1", T0), 0);
	loginrate_destroy(&lr);
	assert_null(lr);
	loginrate_destroy(&lr);
}

static void
account_locks_after_five_from_any_address(void **state)
{
	struct loginrate *lr = loginrate_new();
	uint64_t t, end;
	char addr[32];
	int i;

	(void)state;
	for (i = 0; i < LOGINRATE_ACCOUNT_FAILS - 1; i++) {
		snprintf(addr, sizeof(addr), "192.0.2.%d", i);
		t = T0 + (uint64_t)i * MIN_MS;
		loginrate_failed(lr, "alice", addr, t);
		assert_int_equal(loginrate_wait_ms(lr, "alice", addr, t), 0);
	}
	loginrate_failed(lr, "alice", "198.51.100.7", T0 + 10 * MIN_MS);
	/* Locked for everyone, whatever the address, and for 15 minutes. */
	assert_int_equal(loginrate_wait_ms(lr, "alice", "203.0.113.9", T0 + 10 * MIN_MS),
	    LOGINRATE_LOCK_MS);
	assert_int_equal(loginrate_wait_ms(lr, "alice", "192.0.2.0", T0 + 11 * MIN_MS),
	    LOGINRATE_LOCK_MS - MIN_MS);
	end = T0 + 10 * MIN_MS + LOGINRATE_LOCK_MS;
	assert_int_equal(loginrate_wait_ms(lr, "alice", "x", end - 1), 1);
	assert_int_equal(loginrate_wait_ms(lr, "alice", "x", end), 0);
	/* Other accounts, and the addresses (one failure each), are free. */
	assert_int_equal(loginrate_wait_ms(lr, "bob", "198.51.100.7", T0 + 10 * MIN_MS), 0);
	/* After the lock the account starts afresh. */
	loginrate_failed(lr, "alice", "x", end);
	assert_int_equal(loginrate_wait_ms(lr, "alice", "x", end), 0);
	loginrate_destroy(&lr);
}

static void
window_slides(void **state)
{
	struct loginrate *lr = loginrate_new();
	uint64_t t;

	(void)state;
	/* Four failures, then one just after the first left the window: only
	 * four are within 15 minutes, so no lock. */
	fail_n(lr, "alice", "a", 1, T0);
	fail_n(lr, "alice", "a", 3, T0 + 5 * MIN_MS);
	t = T0 + LOGINRATE_WINDOW_MS;
	loginrate_failed(lr, "alice", "a", t);
	assert_int_equal(loginrate_wait_ms(lr, "alice", "a", t), 0);
	/* One more inside the window of the last four: locked. */
	loginrate_failed(lr, "alice", "a", t + 1);
	assert_int_equal(loginrate_wait_ms(lr, "alice", "a", t + 1), LOGINRATE_LOCK_MS);
	loginrate_destroy(&lr);
}

static void
clock_stepped_back_still_counts(void **state)
{
	struct loginrate *lr = loginrate_new();

	(void)state;
	fail_n(lr, "alice", "a", LOGINRATE_ACCOUNT_FAILS - 1, T0 + 60 * MIN_MS);
	loginrate_failed(lr, "alice", "a", T0);
	assert_int_equal(loginrate_wait_ms(lr, "alice", "a", T0), LOGINRATE_LOCK_MS);
	loginrate_destroy(&lr);
}

static void
address_locks_after_twenty_for_every_account(void **state)
{
	struct loginrate *lr = loginrate_new();
	char account[32];
	int i;

	(void)state;
	/* A guesser trying many accounts: four each, never five. */
	for (i = 0; i < LOGINRATE_ADDR_FAILS - 1; i++) {
		snprintf(account, sizeof(account), "user%d", i / 4);
		loginrate_failed(lr, account, "203.0.113.5", T0 + (uint64_t)i);
	}
	assert_int_equal(loginrate_wait_ms(lr, "user0", "203.0.113.5", T0 + 100), 0);
	loginrate_failed(lr, "someone", "203.0.113.5", T0 + 100);
	assert_int_equal(loginrate_wait_ms(lr, "never-tried", "203.0.113.5", T0 + 100),
	    LOGINRATE_LOCK_MS);
	/* The accounts themselves are not locked from other addresses. */
	assert_int_equal(loginrate_wait_ms(lr, "user0", "198.51.100.1", T0 + 100), 0);
	loginrate_destroy(&lr);
}

static void
wait_is_the_longer_lock(void **state)
{
	struct loginrate *lr = loginrate_new();
	char account[32];
	int i;

	(void)state;
	for (i = 0; i < LOGINRATE_ADDR_FAILS; i++) {
		snprintf(account, sizeof(account), "u%d", i);
		loginrate_failed(lr, account, "addr-a", T0);
	}
	fail_n(lr, "alice", "addr-b", LOGINRATE_ACCOUNT_FAILS, T0 + 2 * MIN_MS);
	assert_int_equal(loginrate_wait_ms(lr, "alice", "addr-a", T0 + 3 * MIN_MS),
	    LOGINRATE_LOCK_MS - MIN_MS);
	assert_int_equal(loginrate_wait_ms(lr, "u1", "addr-a", T0 + 3 * MIN_MS),
	    LOGINRATE_LOCK_MS - 3 * MIN_MS);
	loginrate_destroy(&lr);
}

static void
failures_during_a_lock_do_not_stretch_it(void **state)
{
	struct loginrate *lr = loginrate_new();

	(void)state;
	fail_n(lr, "alice", "a", LOGINRATE_ACCOUNT_FAILS, T0);
	fail_n(lr, "alice", "b", LOGINRATE_ACCOUNT_FAILS, T0 + 10 * MIN_MS);
	assert_int_equal(loginrate_wait_ms(lr, "alice", "c", T0 + 10 * MIN_MS),
	    LOGINRATE_LOCK_MS - 10 * MIN_MS);
	assert_int_equal(loginrate_wait_ms(lr, "alice", "c", T0 + LOGINRATE_LOCK_MS), 0);
	loginrate_destroy(&lr);
}

static void
success_forgets_the_account_not_the_address(void **state)
{
	struct loginrate *lr = loginrate_new();
	char account[32];
	int i;

	(void)state;
	loginrate_succeeded(lr, "unknown", "a");	/* nothing to forget */
	fail_n(lr, "alice", "a", LOGINRATE_ACCOUNT_FAILS - 1, T0);
	loginrate_succeeded(lr, "alice", "a");
	loginrate_failed(lr, "alice", "a", T0 + 1);
	assert_int_equal(loginrate_wait_ms(lr, "alice", "a", T0 + 1), 0);
	/* The address has 5 failures; 15 more at other accounts lock it. */
	for (i = 0; i < LOGINRATE_ADDR_FAILS - LOGINRATE_ACCOUNT_FAILS; i++) {
		snprintf(account, sizeof(account), "v%d", i);
		loginrate_failed(lr, account, "a", T0 + 2);
	}
	assert_int_equal(loginrate_wait_ms(lr, "bob", "a", T0 + 2), LOGINRATE_LOCK_MS);
	/* A success does not lift a lock that is running. */
	fail_n(lr, "carol", "z", LOGINRATE_ACCOUNT_FAILS, T0 + 3);
	loginrate_succeeded(lr, "carol", "z");
	assert_int_equal(loginrate_wait_ms(lr, "carol", "y", T0 + 3), LOGINRATE_LOCK_MS);
	loginrate_destroy(&lr);
}

static void
long_keys_are_cut(void **state)
{
	struct loginrate *lr = loginrate_new();
	char a[LOGINRATE_KEY_MAX + 8], b[LOGINRATE_KEY_MAX + 8];

	(void)state;
	memset(a, 'k', sizeof(a) - 1);
	a[sizeof(a) - 1] = '\0';
	memcpy(b, a, sizeof(b));
	b[LOGINRATE_KEY_MAX + 2] = 'X';	/* differs only after the cut */
	fail_n(lr, a, "a", LOGINRATE_ACCOUNT_FAILS - 1, T0);
	loginrate_failed(lr, b, "b", T0);
	assert_int_equal(loginrate_wait_ms(lr, a, "c", T0), LOGINRATE_LOCK_MS);
	b[LOGINRATE_KEY_MAX - 1] = 'X';		/* differs before the cut */
	assert_int_equal(loginrate_wait_ms(lr, b, "c", T0), 0);
	loginrate_destroy(&lr);
}

static void
full_table_forgets_the_least_recent(void **state)
{
	struct loginrate *lr = loginrate_new();
	char account[32], addr[32];
	int i;

	(void)state;
	fail_n(lr, "old", "old-addr", LOGINRATE_ACCOUNT_FAILS - 1, T0);
	fail_n(lr, "locked", "locked-addr", LOGINRATE_ACCOUNT_FAILS, T0);
	/* Fill both tables: "old" is the least recently touched unlocked
	 * account, so the first newcomer after the table is full takes it. */
	for (i = 0; i < LOGINRATE_MAX_KEYS - 1; i++) {
		snprintf(account, sizeof(account), "a%d", i);
		snprintf(addr, sizeof(addr), "h%d", i);
		loginrate_failed(lr, account, addr, T0 + 1);
	}
	loginrate_failed(lr, "old", "old-addr", T0 + 2);
	assert_int_equal(loginrate_wait_ms(lr, "old", "x", T0 + 2), 0);	/* forgotten */
	assert_int_equal(loginrate_wait_ms(lr, "locked", "x", T0 + 2), LOGINRATE_LOCK_MS - 2);
	loginrate_destroy(&lr);
}

static void
full_of_locks_forgets_the_soonest_to_end(void **state)
{
	struct loginrate *lr = loginrate_new();
	char account[32], addr[32];
	uint64_t end = T0 + LOGINRATE_MAX_KEYS;
	int i;

	(void)state;
	for (i = 0; i < LOGINRATE_MAX_KEYS; i++) {
		snprintf(account, sizeof(account), "a%d", i);
		snprintf(addr, sizeof(addr), "h%d", i);
		fail_n(lr, account, addr, LOGINRATE_ACCOUNT_FAILS, T0 + (uint64_t)i);
	}
	fail_n(lr, "newcomer", "h-new", LOGINRATE_ACCOUNT_FAILS, end);
	assert_int_equal(loginrate_wait_ms(lr, "newcomer", "x", end), LOGINRATE_LOCK_MS);
	assert_int_equal(loginrate_wait_ms(lr, "a0", "x", end), 0);
	assert_int_equal(loginrate_wait_ms(lr, "a1", "x", end), LOGINRATE_LOCK_MS - (end - T0 - 1));
	loginrate_destroy(&lr);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(new_and_destroy),
		cmocka_unit_test(account_locks_after_five_from_any_address),
		cmocka_unit_test(window_slides),
		cmocka_unit_test(clock_stepped_back_still_counts),
		cmocka_unit_test(address_locks_after_twenty_for_every_account),
		cmocka_unit_test(wait_is_the_longer_lock),
		cmocka_unit_test(failures_during_a_lock_do_not_stretch_it),
		cmocka_unit_test(success_forgets_the_account_not_the_address),
		cmocka_unit_test(long_keys_are_cut),
		cmocka_unit_test(full_table_forgets_the_least_recent),
		cmocka_unit_test(full_of_locks_forgets_the_soonest_to_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
