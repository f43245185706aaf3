/* SPDX-License-Identifier: ISC */
/* Unit tests for agents/pairkeys.c: a key is derived once per peer and
 * direction and then served from the cache (the same locked memory), both
 * sides of a pair derive the same key for one direction and different keys
 * for the two directions, a low-order peer key is refused (523), and the
 * cache keeps its keys right across growth.  The unit under test is
 * included. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "agents/pairkeys.c"

static void
both_sides_agree_and_directions_differ(void **state)
{
	struct keyfile *a = NULL, *b = NULL;
	struct pairkeys *pa, *pb;
	struct status st;
	const uint8_t *a_to_b, *b_from_a, *a_from_b, *again;
	uint8_t copy[SEAL_KEYBYTES];

	(void)state;
	assert_int_equal(keyfile_generate("school-a", true, &a, &st), 0);
	assert_int_equal(keyfile_generate("mash", true, &b, &st), 0);
	pa = pairkeys_new(a);
	pb = pairkeys_new(b);
	assert_non_null(pa);
	assert_non_null(pb);
	a_to_b = pairkeys_get(pa, b->box_pk, SEAL_SENDING, &st);
	b_from_a = pairkeys_get(pb, a->box_pk, SEAL_RECEIVING, &st);
	assert_non_null(a_to_b);
	assert_non_null(b_from_a);
	assert_memory_equal(a_to_b, b_from_a, SEAL_KEYBYTES);
	memcpy(copy, a_to_b, sizeof(copy));
	a_from_b = pairkeys_get(pa, b->box_pk, SEAL_RECEIVING, &st);
	assert_non_null(a_from_b);
	assert_memory_not_equal(a_from_b, copy, SEAL_KEYBYTES);
	/* Cached: the same memory, not a second derivation. */
	again = pairkeys_get(pa, b->box_pk, SEAL_SENDING, &st);
	assert_ptr_equal(again, a_to_b);
	pairkeys_destroy(&pa);
	pairkeys_destroy(&pb);
	assert_null(pa);
	pairkeys_destroy(&pa);
	keyfile_destroy(&a);
	keyfile_destroy(&b);
}

static void
low_order_peer_key_is_refused(void **state)
{
	struct keyfile *a = NULL;
	struct pairkeys *p;
	struct status st;
	uint8_t zero[SEAL_BOX_PKBYTES];

	(void)state;
	memset(zero, 0, sizeof(zero));
	assert_int_equal(keyfile_generate("school-a", true, &a, &st), 0);
	p = pairkeys_new(a);
	assert_null(pairkeys_get(p, zero, SEAL_SENDING, &st));
	assert_int_equal(st.code, STATUS_DECRYPT_FAILED);
	pairkeys_destroy(&p);
	keyfile_destroy(&a);
}

static void
keys_survive_growth(void **state)
{
	struct keyfile *a = NULL, *peers[PAIRKEYS_FIRST_CAP * 2 + 1];
	uint8_t first[SEAL_KEYBYTES];
	struct pairkeys *p;
	struct status st;
	char id[16];
	size_t i;

	(void)state;
	assert_int_equal(keyfile_generate("school-a", true, &a, &st), 0);
	p = pairkeys_new(a);
	for (i = 0; i < sizeof(peers) / sizeof(peers[0]); i++) {
		snprintf(id, sizeof(id), "peer-%zu", i + 100);
		peers[i] = NULL;
		assert_int_equal(keyfile_generate(id, true, &peers[i], &st), 0);
		assert_non_null(pairkeys_get(p, peers[i]->box_pk, SEAL_SENDING, &st));
		if (i == 0)
			memcpy(first, pairkeys_get(p, peers[0]->box_pk, SEAL_SENDING, &st),
			    sizeof(first));
	}
	assert_memory_equal(pairkeys_get(p, peers[0]->box_pk, SEAL_SENDING, &st), first,
	    sizeof(first));
	for (i = 0; i < sizeof(peers) / sizeof(peers[0]); i++)
		keyfile_destroy(&peers[i]);
	pairkeys_destroy(&p);
	keyfile_destroy(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(both_sides_agree_and_directions_differ),
		cmocka_unit_test(low_order_peer_key_is_refused),
		cmocka_unit_test(keys_survive_growth),
	};

	if (seal_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
