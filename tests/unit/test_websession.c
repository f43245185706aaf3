/* SPDX-License-Identifier: ISC */
/* Unit tests for agents/websession.c: sessions, idle timeout, CSRF tokens. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "agents/websession.c"

#define IDLE_MS 1800000ull
#define T0 1750000000000ull

static void
token_equal_refuses_bad_tokens(void **state)
{
	char a[WEBSESSION_TOKEN_TEXT + 1], b[WEBSESSION_TOKEN_TEXT + 1];

	(void)state;
	websession_token(a);
	websession_token(b);
	assert_int_equal(strlen(a), WEBSESSION_TOKEN_TEXT);
	assert_int_equal(strspn(a, "0123456789abcdef"), WEBSESSION_TOKEN_TEXT);
	assert_string_not_equal(a, b);
	assert_int_equal(websession_token_equal(a, NULL), 0);
	assert_int_equal(websession_token_equal(NULL, a), 0);
	assert_int_equal(websession_token_equal(a, ""), 0);
	assert_int_equal(websession_token_equal(a, b), 0);
	b[WEBSESSION_TOKEN_TEXT - 1] = '\0';
	assert_int_equal(websession_token_equal(b, b), 0);	/* too short */
	assert_int_equal(websession_token_equal(a, a), 1);
}

static void
find_refuses_unknown_and_idle(void **state)
{
	struct websessions *s = websession_new(IDLE_MS);
	const struct websession *w;
	char token[WEBSESSION_TOKEN_TEXT + 1], other[WEBSESSION_TOKEN_TEXT + 1];

	(void)state;
	assert_non_null(s);
	assert_null(websession_find(s, NULL, T0, true));
	websession_token(other);
	assert_null(websession_find(s, other, T0, true));
	assert_non_null(w = websession_start(s, "alice.khan", USERS_WORKER, T0));
	snprintf(token, sizeof(token), "%s", w->token);
	/* Just within the limit; a touch restarts the idle clock. */
	assert_non_null(websession_find(s, token, T0 + IDLE_MS, true));
	assert_non_null(websession_find(s, token, T0 + 2 * IDLE_MS, false));
	/* Not touched: the clock ran from T0 + IDLE_MS. */
	assert_null(websession_find(s, token, T0 + 2 * IDLE_MS + 1, true));
	assert_int_equal(websession_count(s), 0);
	/* Ended for good, even if asked earlier again. */
	assert_null(websession_find(s, token, T0, true));
	websession_destroy(&s);
	assert_null(s);
	websession_destroy(&s);
}

static void
start_gives_fresh_tokens_and_role(void **state)
{
	struct websessions *s = websession_new(IDLE_MS);
	const struct websession *w;
	char t1[WEBSESSION_TOKEN_TEXT + 1], c1[WEBSESSION_TOKEN_TEXT + 1];
	char name[USERS_NAME_MAX + 2];

	(void)state;
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	assert_null(websession_start(s, name, USERS_LEAD, T0));
	assert_non_null(w = websession_start(s, "vic.viewer", USERS_VIEWER, T0));
	snprintf(t1, sizeof(t1), "%s", w->token);
	snprintf(c1, sizeof(c1), "%s", w->csrf);
	assert_string_not_equal(t1, c1);
	assert_string_equal(w->name, "vic.viewer");
	assert_int_equal(w->role, USERS_VIEWER);
	/* The CSRF token is not a session token. */
	assert_null(websession_find(s, c1, T0, true));
	assert_non_null(w = websession_start(s, "vic.viewer", USERS_VIEWER, T0));
	assert_string_not_equal(w->token, t1);
	assert_int_equal(websession_count(s), 2);
	w = websession_find(s, t1, T0 + 1, true);
	assert_non_null(w);
	assert_string_equal(w->csrf, c1);
	websession_end(s, t1);
	assert_null(websession_find(s, t1, T0 + 2, true));
	assert_int_equal(websession_count(s), 1);
	websession_end(s, t1);	/* twice: nothing */
	websession_end(s, NULL);
	assert_int_equal(websession_count(s), 1);
	websession_destroy(&s);
}

static void
full_table_ends_least_recently_used(void **state)
{
	struct websessions *s = websession_new(IDLE_MS);
	const struct websession *w;
	char first[WEBSESSION_TOKEN_TEXT + 1], second[WEBSESSION_TOKEN_TEXT + 1];
	size_t i;

	(void)state;
	for (i = 0; i < WEBSESSION_MAX; i++) {
		assert_non_null(w = websession_start(s, "u", USERS_WORKER, T0 + i));
		if (i == 0)
			snprintf(first, sizeof(first), "%s", w->token);
		if (i == 1)
			snprintf(second, sizeof(second), "%s", w->token);
	}
	/* The first is used again: the second is now the least recent. */
	assert_non_null(websession_find(s, first, T0 + WEBSESSION_MAX, true));
	assert_non_null(websession_start(s, "new", USERS_LEAD, T0 + WEBSESSION_MAX + 1));
	assert_int_equal(websession_count(s), WEBSESSION_MAX);
	assert_null(websession_find(s, second, T0 + WEBSESSION_MAX + 2, true));
	assert_non_null(websession_find(s, first, T0 + WEBSESSION_MAX + 2, true));
	websession_destroy(&s);
}

/* A role changed since signing in: only that session's, and a token of
 * no session (or NULL) changes nothing. */
static void
set_role_changes_only_that_session(void **state)
{
	struct websessions *s = websession_new(IDLE_MS);
	const struct websession *w;
	char t1[WEBSESSION_TOKEN_TEXT + 1], t2[WEBSESSION_TOKEN_TEXT + 1];

	(void)state;
	assert_non_null(w = websession_start(s, "amy", USERS_WORKER, T0));
	snprintf(t1, sizeof(t1), "%s", w->token);
	assert_non_null(w = websession_start(s, "amy", USERS_WORKER, T0));
	snprintf(t2, sizeof(t2), "%s", w->token);
	websession_set_role(s, t1, USERS_VIEWER);
	assert_int_equal(websession_find(s, t1, T0, true)->role, USERS_VIEWER);
	assert_int_equal(websession_find(s, t2, T0, true)->role, USERS_WORKER);
	websession_set_role(s, NULL, USERS_LEAD);
	websession_set_role(s, "not-a-token", USERS_LEAD);
	assert_int_equal(websession_find(s, t1, T0, true)->role, USERS_VIEWER);
	assert_int_equal(websession_find(s, t2, T0, true)->role, USERS_WORKER);
	websession_end(s, t1);
	websession_set_role(s, t1, USERS_LEAD);	/* ended: nothing comes back */
	assert_null(websession_find(s, t1, T0, true));
	assert_int_equal(websession_count(s), 1);
	websession_destroy(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(token_equal_refuses_bad_tokens),
		cmocka_unit_test(find_refuses_unknown_and_idle),
		cmocka_unit_test(start_gives_fresh_tokens_and_role),
		cmocka_unit_test(full_table_ends_least_recently_used),
		cmocka_unit_test(set_role_changes_only_that_session),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
