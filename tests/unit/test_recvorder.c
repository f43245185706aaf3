/* SPDX-License-Identifier: ISC */
/* Unit tests for agents/recvorder.c: the immediate and urgent DELIVERs
 * of a read move ahead of the bulk ones (both groups keep their order),
 * receipts count by the urgency they copy, nothing moves across a WELCOME,
 * and what does not decode or is not a DELIVER stays with the bulk. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agents/recvorder.c"

#define CREATED 1700000000123ULL
#define SEALED_LEN 64
#define ENV_CAP 1024
#define MSGS 6

static uint8_t envs[MSGS][ENV_CAP];

/* msgs[i] as a DELIVER (seq i) of a valid envelope of this type and
 * urgency. */
static void
deliver(struct link_msg *m, size_t i, int type, int urgency)
{
	static const uint8_t r[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
	struct envelope_header h;
	struct status st;
	uint8_t header[ENVELOPE_MAX_HEADER], sealed[SEALED_LEN], sig[ENVELOPE_SIG_BYTES];
	size_t hlen;

	memset(&h, 0, sizeof(h));
	h.version = ENVELOPE_VERSION;
	h.type = (uint8_t)type;
	ids_msgid_from(CREATED + i, r, h.id);
	strcpy(h.case_id, "CASE-2024:001");
	h.has_reply_to = type == ENVELOPE_RECEIPT;
	if (h.has_reply_to)
		ids_msgid_from(CREATED - 1000, r, h.reply_to);
	strcpy(h.from, "school-001");
	strcpy(h.to, "mash");
	h.created_ms = CREATED;
	h.urgency = (uint8_t)urgency;
	memset(sealed, 0x44, sizeof(sealed));
	memset(sig, 0x5e, sizeof(sig));
	assert_int_equal(envelope_header_encode(&h, header, sizeof(header), &hlen, &st), 0);
	memset(m, 0, sizeof(*m));
	m->f.command = FRAME_DELIVER;
	m->f.seq = i;
	assert_int_equal(envelope_assemble(header, hlen, sealed, sizeof(sealed), sig, envs[i],
			     ENV_CAP, &m->len, &st),
	    0);
	m->envelope = envs[i];
}

static void
other(struct link_msg *m, size_t i, uint8_t command)
{
	memset(m, 0, sizeof(*m));
	m->f.command = command;
	m->f.seq = i;
}

static void
seqs_are(const struct link_msg *m, size_t n, const uint64_t *want)
{
	size_t i;

	for (i = 0; i < n; i++)
		assert_int_equal(m[i].f.seq, want[i]);
}

static void
welcome_keeps_the_order(void **state)
{
	struct link_msg m[MSGS];
	static const uint64_t same[MSGS] = {0, 1, 2, 3, 4, 5};
	size_t i;

	(void)state;
	for (i = 0; i < MSGS; i++)
		deliver(&m[i], i, ENVELOPE_REFERRAL, i % 2 ? URGENCY_IMMEDIATE : URGENCY_ROUTINE);
	other(&m[3], 3, FRAME_WELCOME);
	assert_int_equal(recvorder_urgent_first(m, MSGS), 0);
	seqs_are(m, MSGS, same);
}

static void
undecodable_and_other_commands_stay_bulk(void **state)
{
	struct link_msg m[MSGS];
	static const uint64_t want[MSGS] = {4, 0, 1, 2, 3, 5};
	size_t i;

	(void)state;
	for (i = 0; i < MSGS; i++)
		deliver(&m[i], i, ENVELOPE_REFERRAL, URGENCY_URGENT);
	m[0].len = 10;			/* truncated: does not decode */
	other(&m[1], 1, FRAME_RESULT);
	m[2].envelope = NULL;		/* a DELIVER without its envelope */
	m[3].f.command = FRAME_OUTCOME;	/* only DELIVERs move */
	deliver(&m[5], 5, ENVELOPE_REFERRAL, URGENCY_STANDARD);
	assert_int_equal(recvorder_urgent_first(m, MSGS), 1);
	seqs_are(m, MSGS, want);
	assert_int_equal(recvorder_urgent_first(m, 0), 0);
}

static void
urgent_deliveries_go_first_in_order(void **state)
{
	struct link_msg m[MSGS];
	static const uint64_t want[MSGS] = {1, 3, 4, 0, 2, 5};
	static const uint64_t all[MSGS] = {0, 1, 2, 3, 4, 5};
	size_t i;

	(void)state;
	deliver(&m[0], 0, ENVELOPE_REFERRAL, URGENCY_ROUTINE);
	deliver(&m[1], 1, ENVELOPE_REFERRAL, URGENCY_URGENT);
	deliver(&m[2], 2, ENVELOPE_REFERRAL, URGENCY_STANDARD);
	deliver(&m[3], 3, ENVELOPE_RECEIPT, URGENCY_IMMEDIATE);	/* a receipt copies it */
	deliver(&m[4], 4, ENVELOPE_REFERRAL, URGENCY_IMMEDIATE);
	deliver(&m[5], 5, ENVELOPE_RECEIPT, URGENCY_ROUTINE);
	assert_int_equal(recvorder_urgent_first(m, MSGS), 3);
	seqs_are(m, MSGS, want);
	/* The envelopes moved with their frames. */
	for (i = 0; i < MSGS; i++)
		assert_ptr_equal(m[i].envelope, envs[m[i].f.seq]);
	/* All urgent: all of them, in their order. */
	for (i = 0; i < MSGS; i++)
		deliver(&m[i], i, ENVELOPE_REFERRAL, URGENCY_URGENT);
	assert_int_equal(recvorder_urgent_first(m, MSGS), MSGS);
	seqs_are(m, MSGS, all);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(welcome_keeps_the_order),
		cmocka_unit_test(undecodable_and_other_commands_stay_bulk),
		cmocka_unit_test(urgent_deliveries_go_first_in_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
