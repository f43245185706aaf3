/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for proto/checkpoint.c: signed audit-log checkpoints.  The
 * known answer (PROTOCOL.md §11.6) was computed independently with Python,
 * hashlib and PyNaCl from the text of §11; the signed bytes are rebuilt here
 * by hand and checked with libsodium directly; every way the parser refuses
 * a text is tried with its exact status code; and every byte of a signed,
 * countersigned text is changed in turn: each change must be refused by the
 * parser or by one of the two signature checks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "proto/checkpoint.h"
#include "proto/seal.h"

#define ORIGIN "school-stmarys"
#define BROKER "broker"
#define TIME_MS UINT64_C(1767225600000)
#define CT_ROOT8 "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
#define EDIT_MAX (CHECKPOINT_TEXT_MAX + 64)

/* PROTOCOL.md §11.6: agency seed 00 01 .. 1f, broker seed 20 21 .. 3f. */
static const char kat_text[] =
    "dutynet-checkpoint v1\n"
    "origin school-stmarys\n"
    "size 8\n"
    "root " CT_ROOT8 "\n"
    "time 1767225600000\n"
    "\n"
    "sig school-stmarys 65725a683dd229cbc0e66dfed8a46edd "
    "d445135125fb93d7b911ab52c4b893dacc1b77cf21cde734a0ac2c02b28c7ff2"
    "4a9de7a4b4c7ae1ec3d96d5a20f432e20ed119043b6ddffa22709c454c00780e\n"
    "sig broker 1d9d720accaae94f4729b9aa407efdec "
    "f39a99a71f4353f60be29c7cdb5c64bfc0c12d3f1dba40374a165d1c8ff45a6b"
    "83a72178d0eec4b444b4b08267754d4de2dd9d0fe82100ca600f187694401503\n";
#define KAT_AGENCY_PK "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8"
#define KAT_BROKER_PK "29acbae141bccaf0b22e1a94d34d0bc7361e526d0bfe12c89794bc9322966dd7"

/* Signing keys, in sodium_malloc memory like the real ones. */
struct keys {
	uint8_t agency_pk[SEAL_SIGN_PKBYTES], agency_sk[SEAL_SIGN_SKBYTES];
	uint8_t broker_pk[SEAL_SIGN_PKBYTES], broker_sk[SEAL_SIGN_SKBYTES];
	uint8_t other_pk[SEAL_SIGN_PKBYTES], other_sk[SEAL_SIGN_SKBYTES];
};

static struct keys *k;
static uint8_t root8[MERKLE_HASHBYTES];

static int
setup(void **state)
{
	uint8_t seed[crypto_sign_SEEDBYTES];
	size_t i;

	(void)state;
	if (sodium_init() < 0 || (k = sodium_malloc(sizeof(*k))) == NULL)
		return -1;
	for (i = 0; i < sizeof(seed); i++)
		seed[i] = (uint8_t)i;
	crypto_sign_seed_keypair(k->agency_pk, k->agency_sk, seed);
	for (i = 0; i < sizeof(seed); i++)
		seed[i] = (uint8_t)(i + sizeof(seed));
	crypto_sign_seed_keypair(k->broker_pk, k->broker_sk, seed);
	crypto_sign_keypair(k->other_pk, k->other_sk);
	sodium_memzero(seed, sizeof(seed));
	return sodium_hex2bin(root8, sizeof(root8), CT_ROOT8, strlen(CT_ROOT8), NULL, NULL, NULL);
}

static int
teardown(void **state)
{
	(void)state;
	sodium_free(k);
	return 0;
}

/* A checkpoint signed by the agency and countersigned by the broker. */
static void
make(struct checkpoint *cp, uint64_t size, uint64_t time_ms)
{
	struct status st;

	assert_int_equal(checkpoint_init(cp, ORIGIN, size, root8, time_ms, &st), 0);
	assert_int_equal(checkpoint_sign(cp, k->agency_sk, &st), 0);
	assert_int_equal(checkpoint_countersign(cp, BROKER, k->broker_sk, &st), 0);
}

static void
expect_parse(const char *text, size_t len, int code)
{
	struct checkpoint cp, zero;
	struct status st;

	memset(&zero, 0, sizeof(zero));
	st.code = 0;
	assert_int_equal(checkpoint_parse(text, len, &cp, &st), -1);
	if (st.code != code)
		fail_msg("parse gave %d (%s), expected %d, for:\n%.*s", st.code, st.text, code,
		    (int)len, text);
	assert_memory_equal(&cp, &zero, sizeof(cp));	/* nothing half-parsed */
}

/* kat_text with its first `find` after `after` replaced by `repl`. */
static size_t
edit(const char *find, const char *repl, const char *after, char out[EDIT_MAX])
{
	const char *from = after ? strstr(kat_text, after) : kat_text, *at;
	size_t n;

	assert_non_null(from);
	assert_non_null(at = strstr(from, find));
	n = (size_t)(at - kat_text);
	assert_true(sizeof(kat_text) - 1 - strlen(find) + strlen(repl) < EDIT_MAX);
	memcpy(out, kat_text, n);
	memcpy(out + n, repl, strlen(repl));
	strcpy(out + n + strlen(repl), at + strlen(find));
	return sizeof(kat_text) - 1 - strlen(find) + strlen(repl);
}

/* ---- failure paths first ---- */

static void
init_sign_and_countersign_refuse_bad_fields(void **state)
{
	struct checkpoint cp, before;
	struct status st;

	(void)state;
	assert_int_equal(checkpoint_init(&cp, "School", 1, root8, TIME_MS, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_non_null(strstr(st.text, "checkpoint origin"));
	assert_int_equal(checkpoint_init(&cp, "an-agency-id-that-is-far-too-long-x", 1, root8,
	    TIME_MS, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_int_equal(checkpoint_init(&cp, ORIGIN, MERKLE_MAX_SIZE + 1, root8, TIME_MS, &st),
	    -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_non_null(strstr(st.text, "size 9223372036854775808"));
	assert_int_equal(checkpoint_init(&cp, ORIGIN, 1, root8, CHECKPOINT_MAX_TIME_MS + 1, &st),
	    -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_non_null(strstr(st.text, "time"));

	make(&cp, 8, TIME_MS);
	before = cp;
	assert_int_equal(checkpoint_countersign(&cp, ORIGIN, k->agency_sk, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_non_null(strstr(st.text, "own checkpoint"));
	assert_int_equal(checkpoint_countersign(&cp, "Broker", k->broker_sk, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_memory_equal(&cp, &before, sizeof(cp));	/* unchanged on failure */

	/* A struct filled by hand with a bad field is refused, not signed. */
	strcpy(cp.origin, "x");
	assert_int_equal(checkpoint_sign(&cp, k->agency_sk, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	before.size = MERKLE_MAX_SIZE + 1;
	{
		char text[CHECKPOINT_TEXT_MAX + 1];
		size_t len;

		assert_int_equal(checkpoint_encode(&before, text, &len, &st), -1);
		assert_int_equal(st.code, STATUS_BAD_FIELD);
	}
}

static void
verify_refuses_wrong_keys_and_altered_fields(void **state)
{
	struct checkpoint cp, bad;
	struct status st;

	(void)state;
	assert_int_equal(checkpoint_init(&cp, ORIGIN, 8, root8, TIME_MS, &st), 0);
	assert_int_equal(checkpoint_verify(&cp, k->agency_pk, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_SIGNATURE);
	assert_non_null(strstr(st.text, "not signed"));
	assert_int_equal(checkpoint_sign(&cp, k->agency_sk, &st), 0);
	assert_int_equal(checkpoint_verify_countersig(&cp, k->broker_pk, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_SIGNATURE);
	assert_non_null(strstr(st.text, "not countersigned"));
	assert_int_equal(checkpoint_countersign(&cp, BROKER, k->broker_sk, &st), 0);

	/* Each signature checks only with its own key: another key has
	 * another key id (521). */
	assert_int_equal(checkpoint_verify(&cp, k->broker_pk, &st), -1);
	assert_int_equal(st.code, STATUS_UNKNOWN_KEY);
	assert_non_null(strstr(st.text, "key id"));
	assert_int_equal(checkpoint_verify_countersig(&cp, k->agency_pk, &st), -1);
	assert_int_equal(st.code, STATUS_UNKNOWN_KEY);
	assert_int_equal(checkpoint_verify(&cp, k->other_pk, &st), -1);
	assert_int_equal(st.code, STATUS_UNKNOWN_KEY);

	/* Every field is covered by both signatures (520). */
	bad = cp;
	bad.size++;
	assert_int_equal(checkpoint_verify(&bad, k->agency_pk, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_SIGNATURE);
	assert_non_null(strstr(st.text, "does not verify"));
	assert_int_equal(checkpoint_verify_countersig(&bad, k->broker_pk, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_SIGNATURE);
	bad = cp;
	bad.root[31] ^= 1;
	assert_int_equal(checkpoint_verify(&bad, k->agency_pk, &st), -1);
	assert_int_equal(checkpoint_verify_countersig(&bad, k->broker_pk, &st), -1);
	bad = cp;
	bad.time_ms--;
	assert_int_equal(checkpoint_verify(&bad, k->agency_pk, &st), -1);
	assert_int_equal(checkpoint_verify_countersig(&bad, k->broker_pk, &st), -1);
	bad = cp;
	strcpy(bad.origin, "school-other");
	strcpy(bad.sig.signer, "school-other");
	assert_int_equal(checkpoint_verify(&bad, k->agency_pk, &st), -1);
	assert_int_equal(checkpoint_verify_countersig(&bad, k->broker_pk, &st), -1);
	/* The countersignature covers the origin's signature and its own
	 * signer's name. */
	bad = cp;
	bad.sig.sig[0] ^= 1;
	assert_int_equal(checkpoint_verify(&bad, k->agency_pk, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_SIGNATURE);
	assert_int_equal(checkpoint_verify_countersig(&bad, k->broker_pk, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_SIGNATURE);
	bad = cp;
	strcpy(bad.countersig.signer, "brokes");
	assert_int_equal(checkpoint_verify(&bad, k->agency_pk, &st), 0);
	assert_int_equal(checkpoint_verify_countersig(&bad, k->broker_pk, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_SIGNATURE);
	bad = cp;
	bad.countersig.sig[63] ^= 0x80;
	assert_int_equal(checkpoint_verify_countersig(&bad, k->broker_pk, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_SIGNATURE);

	assert_int_equal(checkpoint_verify(&cp, k->agency_pk, &st), 0);
	assert_int_equal(checkpoint_verify_countersig(&cp, k->broker_pk, &st), 0);
	/* Signing again drops the countersignature, which covered the old
	 * signature line. */
	assert_int_equal(checkpoint_sign(&cp, k->agency_sk, &st), 0);
	assert_false(cp.has_countersig);
	assert_int_equal(checkpoint_verify_countersig(&cp, k->broker_pk, &st), -1);
}

struct bad_text {
	const char *find, *repl, *after;
	int code;
};

static const struct bad_text bad_texts[] = {
	/* Version line. */
	{ "dutynet-checkpoint v1\n", "dutynet-checkpoint v2\n", NULL, STATUS_BAD_VERSION },
	{ "dutynet-checkpoint v1\n", "dutynet-checkpoint v10\n", NULL, STATUS_BAD_VERSION },
	{ "dutynet-checkpoint v1\n", "dutynet-checkpoint v1 \n", NULL, STATUS_MALFORMED },
	{ "dutynet-checkpoint v1\n", "dutynet-checkpoint v\n", NULL, STATUS_MALFORMED },
	{ "dutynet-checkpoint v1\n", "Dutynet-checkpoint v1\n", NULL, STATUS_MALFORMED },
	{ "dutynet-checkpoint v1\n", "dutynet-checkpoint v1\r\n", NULL, STATUS_MALFORMED },
	{ "dutynet-checkpoint v1\n", "", NULL, STATUS_MALFORMED },
	/* origin */
	{ "origin school-stmarys", "origin School-stmarys", NULL, STATUS_BAD_FIELD },
	{ "origin school-stmarys", "origin  school-stmarys", NULL, STATUS_BAD_FIELD },
	{ "origin school-stmarys", "origin school-stmarys ", NULL, STATUS_BAD_FIELD },
	{ "origin school-stmarys", "origin school-stmarys\r", NULL, STATUS_BAD_FIELD },
	{ "origin school-stmarys", "origin school\x01stmarys", NULL, STATUS_BAD_FIELD },
	{ "origin school-stmarys", "origin ", NULL, STATUS_BAD_FIELD },
	{ "origin school-stmarys", "origin", NULL, STATUS_MALFORMED },
	{ "origin school-stmarys", "origin:school-stmarys", NULL, STATUS_MALFORMED },
	{ "origin school-stmarys\n", "", NULL, STATUS_MALFORMED },
	/* size */
	{ "size 8\n", "size 08\n", NULL, STATUS_BAD_FIELD },
	{ "size 8\n", "size 00\n", NULL, STATUS_BAD_FIELD },
	{ "size 8\n", "size -8\n", NULL, STATUS_BAD_FIELD },
	{ "size 8\n", "size +8\n", NULL, STATUS_BAD_FIELD },
	{ "size 8\n", "size 8.0\n", NULL, STATUS_BAD_FIELD },
	{ "size 8\n", "size 0x8\n", NULL, STATUS_BAD_FIELD },
	{ "size 8\n", "size  8\n", NULL, STATUS_BAD_FIELD },
	{ "size 8\n", "size 8 \n", NULL, STATUS_BAD_FIELD },
	{ "size 8\n", "size 9223372036854775808\n", NULL, STATUS_BAD_FIELD },
	{ "size 8\n", "size 18446744073709551616\n", NULL, STATUS_BAD_FIELD },
	{ "size 8\n", "size \n", NULL, STATUS_BAD_FIELD },
	{ "size 8\n", "SIZE 8\n", NULL, STATUS_MALFORMED },
	{ "size 8\nroot " CT_ROOT8 "\n", "root " CT_ROOT8 "\nsize 8\n", NULL, STATUS_MALFORMED },
	/* root */
	{ "root 5dc9", "root 5DC9", NULL, STATUS_BAD_FIELD },
	{ "root 5dc9", "root 5dc", NULL, STATUS_BAD_FIELD },
	{ "root 5dc9", "root 5dc90", NULL, STATUS_BAD_FIELD },
	{ "root 5dc9", "root 5dcg", NULL, STATUS_BAD_FIELD },
	{ "root 5dc9", "root  5dc", NULL, STATUS_BAD_FIELD },
	/* time */
	{ "time 1767225600000", "time 01767225600000", NULL, STATUS_BAD_FIELD },
	{ "time 1767225600000", "time 9223372036854775808", NULL, STATUS_BAD_FIELD },
	{ "time 1767225600000", "time 1767225600000.5", NULL, STATUS_BAD_FIELD },
	{ "time 1767225600000\n", "", NULL, STATUS_MALFORMED },
	/* the empty line */
	{ "\n\nsig", "\nsig", NULL, STATUS_MALFORMED },
	{ "\n\nsig", "\n \nsig", NULL, STATUS_MALFORMED },
	{ "\n\nsig", "\n\n\nsig", NULL, STATUS_MALFORMED },
	{ "\n\nsig", "\n\r\nsig", NULL, STATUS_MALFORMED },
	/* the origin's signature line */
	{ "sig school-stmarys ", "sig school-other ", NULL, STATUS_BAD_FIELD },
	{ "sig school-stmarys ", "sig broker ", NULL, STATUS_BAD_FIELD },
	{ "sig school-stmarys ", "sig School-stmarys ", NULL, STATUS_BAD_FIELD },
	{ "sig school-stmarys ", "sig  school-stmarys ", NULL, STATUS_MALFORMED },
	{ "sig school-stmarys ", "sig\tschool-stmarys ", NULL, STATUS_MALFORMED },
	{ "sig school-stmarys ", "sig school-stmarys  ", NULL, STATUS_MALFORMED },
	{ "sig school-stmarys ", "sig school-stmarys", NULL, STATUS_MALFORMED },
	{ " 65725a683dd229cbc0e66dfed8a46edd ", " 65725A683DD229CBC0E66DFED8A46EDD ", NULL,
	    STATUS_BAD_FIELD },
	{ " 65725a683dd229cbc0e66dfed8a46edd ", " 65725a683dd229cbc0e66dfed8a46ed ", NULL,
	    STATUS_BAD_FIELD },
	{ " 65725a683dd229cbc0e66dfed8a46edd ", " 65725a683dd229cbc0e66dfed8a46edd00 ", NULL,
	    STATUS_BAD_FIELD },
	{ " d445135125fb", " D445135125FB", NULL, STATUS_BAD_FIELD },
	{ " d445135125fb", " 445135125fb", NULL, STATUS_BAD_FIELD },
	{ "00780e\n", "00780e \n", NULL, STATUS_MALFORMED },
	{ "00780e\n", "00780e0\n", NULL, STATUS_BAD_FIELD },
	{ "00780e\n", "00780e", NULL, STATUS_MALFORMED },	/* joins the next line */
	/* the countersignature line */
	{ "sig broker ", "sig school-stmarys ", "00780e\n", STATUS_BAD_FIELD },
	{ "sig broker ", "sig Broker ", NULL, STATUS_BAD_FIELD },
	{ "sig broker ", "sig-broker ", NULL, STATUS_MALFORMED },
	{ "sig broker ", "\nsig broker ", NULL, STATUS_MALFORMED },
	{ " 1d9d720accaae94f4729b9aa407efdec ", " 1d9d720accaae94f4729b9aa407efdec", NULL,
	    STATUS_MALFORMED },
	{ " f39a99a71f43", " F39A99A71F43", NULL, STATUS_BAD_FIELD },
	{ "01503\n", "01503", NULL, STATUS_MALFORMED },
	{ "01503\n", "01503\r\n", NULL, STATUS_BAD_FIELD },
	/* nothing after it */
	{ "01503\n", "01503\n\n", NULL, STATUS_MALFORMED },
	{ "01503\n", "01503\nx", NULL, STATUS_MALFORMED },
	{ "01503\n", "01503\nsig mash 00 00\n", NULL, STATUS_MALFORMED },	/* a third */
};

static void
parse_refuses_every_malformation_with_its_code(void **state)
{
	char text[EDIT_MAX], big[CHECKPOINT_TEXT_MAX + 2];
	struct checkpoint cp;
	struct status st;
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof(bad_texts) / sizeof(bad_texts[0]); i++) {
		len = edit(bad_texts[i].find, bad_texts[i].repl, bad_texts[i].after, text);
		expect_parse(text, len, bad_texts[i].code);
	}
	expect_parse("", 0, STATUS_MALFORMED);
	expect_parse("dutynet-checkpoint v1", strlen("dutynet-checkpoint v1"), STATUS_MALFORMED);
	/* A NUL inside a value is a bad value, not the end of the text. */
	len = edit("origin", "origin", NULL, text);
	text[strlen("dutynet-checkpoint v1\norigin school")] = '\0';	/* the '-' */
	expect_parse(text, len, STATUS_BAD_FIELD);
	/* Over the cap before anything is read. */
	memset(big, '\n', sizeof(big));
	memcpy(big, kat_text, sizeof(kat_text) - 1);
	expect_parse(big, CHECKPOINT_TEXT_MAX + 1, STATUS_TOO_LARGE);

	/* Every prefix of the text is refused, except the one that ends
	 * after the origin's signature line: a checkpoint not yet
	 * countersigned. */
	for (len = 0; len < sizeof(kat_text) - 1; len++) {
		if (len == (size_t)(strstr(kat_text, "sig broker") - kat_text)) {
			assert_int_equal(checkpoint_parse(kat_text, len, &cp, &st), 0);
			assert_true(cp.has_sig);
			assert_false(cp.has_countersig);
			continue;
		}
		assert_int_equal(checkpoint_parse(kat_text, len, &cp, &st), -1);
		assert_true(st.code == STATUS_MALFORMED || st.code == STATUS_BAD_FIELD);
	}

	/* Texts name the bad value and the line. */
	len = edit("size 8\n", "size 08\n", NULL, text);
	assert_int_equal(checkpoint_parse(text, len, &cp, &st), -1);
	assert_non_null(strstr(st.text, "size '08'"));
	len = edit("sig broker ", "sig-broker ", NULL, text);
	assert_int_equal(checkpoint_parse(text, len, &cp, &st), -1);
	assert_non_null(strstr(st.text, "line 8"));
	len = edit("origin school-stmarys", "origin sch\x1b[2Jool", NULL, text);
	assert_int_equal(checkpoint_parse(text, len, &cp, &st), -1);
	assert_null(strchr(st.text, '\x1b'));	/* no terminal escapes echoed */
}

/* ---- round trips and known answers ---- */

static void
known_answer_of_protocol_md(void **state)
{
	char text[CHECKPOINT_TEXT_MAX + 1];
	uint8_t pk[SEAL_SIGN_PKBYTES];
	struct checkpoint cp, parsed;
	struct status st;
	size_t len;

	(void)state;
	assert_int_equal(sodium_hex2bin(pk, sizeof(pk), KAT_AGENCY_PK, strlen(KAT_AGENCY_PK), NULL,
	    NULL, NULL), 0);
	assert_memory_equal(pk, k->agency_pk, sizeof(pk));
	assert_int_equal(sodium_hex2bin(pk, sizeof(pk), KAT_BROKER_PK, strlen(KAT_BROKER_PK), NULL,
	    NULL, NULL), 0);
	assert_memory_equal(pk, k->broker_pk, sizeof(pk));

	make(&cp, 8, TIME_MS);
	assert_int_equal(checkpoint_encode(&cp, text, &len, &st), 0);
	assert_int_equal(len, sizeof(kat_text) - 1);
	assert_string_equal(text, kat_text);

	assert_int_equal(checkpoint_parse(kat_text, sizeof(kat_text) - 1, &parsed, &st), 0);
	assert_string_equal(parsed.origin, ORIGIN);
	assert_int_equal(parsed.size, 8);
	assert_memory_equal(parsed.root, root8, sizeof(root8));
	assert_int_equal(parsed.time_ms, TIME_MS);
	assert_true(parsed.has_sig && parsed.has_countersig);
	assert_string_equal(parsed.sig.signer, ORIGIN);
	assert_string_equal(parsed.countersig.signer, BROKER);
	assert_memory_equal(&parsed, &cp, sizeof(cp));
	assert_int_equal(checkpoint_verify(&parsed, k->agency_pk, &st), 0);
	assert_int_equal(checkpoint_verify_countersig(&parsed, k->broker_pk, &st), 0);
}

/* The signed bytes, rebuilt by hand from PROTOCOL.md §11.4 and checked
 * with libsodium alone. */
static void
signed_bytes_are_as_documented(void **state)
{
	static const char tag[] = "dutynet-checkpoint-v1";
	static const char ctag[] = "dutynet-countersign-v1";
	uint8_t msg[sizeof(ctag) + CHECKPOINT_TEXT_MAX];
	const char *body_end = strstr(kat_text, "\n\nsig ") + 1;
	const char *csig_hex = strstr(kat_text, "sig broker ") + strlen("sig broker ") +
	    2 * SEAL_KEYID_BYTES + 1;
	struct checkpoint cp;
	struct status st;
	size_t body_len = (size_t)(body_end - kat_text), pre = (size_t)(csig_hex - kat_text);

	(void)state;
	assert_int_equal(checkpoint_parse(kat_text, sizeof(kat_text) - 1, &cp, &st), 0);
	memcpy(msg, tag, sizeof(tag));
	memcpy(msg + sizeof(tag), kat_text, body_len);
	assert_int_equal(crypto_sign_verify_detached(cp.sig.sig, msg, sizeof(tag) + body_len,
	    k->agency_pk), 0);
	memcpy(msg, ctag, sizeof(ctag));
	memcpy(msg + sizeof(ctag), kat_text, pre);
	assert_int_equal(crypto_sign_verify_detached(cp.countersig.sig, msg, sizeof(ctag) + pre,
	    k->broker_pk), 0);
	/* The key ids are those of PROTOCOL.md §1.1. */
	seal_keyid(k->agency_pk, sizeof(k->agency_pk), msg);
	assert_memory_equal(cp.sig.keyid, msg, SEAL_KEYID_BYTES);
	seal_keyid(k->broker_pk, sizeof(k->broker_pk), msg);
	assert_memory_equal(cp.countersig.keyid, msg, SEAL_KEYID_BYTES);
}

static void
round_trip_keeps_every_byte(void **state)
{
	static const uint64_t sizes[] = { 0, 1, 9, 10, 1000000, MERKLE_MAX_SIZE };
	static const uint64_t times[] = { 0, 1, TIME_MS, CHECKPOINT_MAX_TIME_MS };
	char text[CHECKPOINT_TEXT_MAX + 1], again[CHECKPOINT_TEXT_MAX + 1];
	struct checkpoint cp, parsed;
	struct status st;
	size_t i, j, len, len2;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		for (j = 0; j < sizeof(times) / sizeof(times[0]); j++) {
			make(&cp, sizes[i], times[j]);
			assert_int_equal(checkpoint_encode(&cp, text, &len, &st), 0);
			assert_int_equal(strlen(text), len);
			assert_int_equal(checkpoint_parse(text, len, &parsed, &st), 0);
			assert_int_equal(parsed.size, sizes[i]);
			assert_int_equal(parsed.time_ms, times[j]);
			assert_memory_equal(&parsed, &cp, sizeof(cp));
			assert_int_equal(checkpoint_encode(&parsed, again, &len2, &st), 0);
			assert_int_equal(len2, len);
			assert_string_equal(again, text);
			assert_int_equal(checkpoint_verify(&parsed, k->agency_pk, &st), 0);
			assert_int_equal(checkpoint_verify_countersig(&parsed, k->broker_pk, &st), 0);
		}
	}
	/* The longest possible text fits the cap. */
	assert_int_equal(checkpoint_init(&cp, "a2345678901234567890123456789012", MERKLE_MAX_SIZE,
	    root8, CHECKPOINT_MAX_TIME_MS, &st), 0);
	assert_int_equal(checkpoint_sign(&cp, k->agency_sk, &st), 0);
	assert_int_equal(checkpoint_countersign(&cp, "b2345678901234567890123456789012",
	    k->broker_sk, &st), 0);
	assert_int_equal(checkpoint_encode(&cp, text, &len, &st), 0);
	assert_int_equal(len, CHECKPOINT_TEXT_MAX);	/* the cap is exact */
	assert_int_equal(checkpoint_parse(text, len, &parsed, &st), 0);
	/* Unsigned by the broker: one signature line only. */
	assert_int_equal(checkpoint_sign(&cp, k->agency_sk, &st), 0);
	assert_int_equal(checkpoint_encode(&cp, text, &len, &st), 0);
	assert_int_equal(checkpoint_parse(text, len, &parsed, &st), 0);
	assert_false(parsed.has_countersig);
	assert_int_equal(checkpoint_verify(&parsed, k->agency_pk, &st), 0);
}

/* Each byte of the countersigned text changed to several other values:
 * the parser, the signature or the countersignature must refuse it. */
static void
any_changed_byte_is_refused(void **state)
{
	static const char repl[] = { 0x01, ' ', '\n', '0', '9', 'a', 'f', 'A', '\0', '\x80' };
	char text[sizeof(kat_text)], again[CHECKPOINT_TEXT_MAX + 1];
	struct checkpoint cp;
	struct status st, st2;
	size_t i, j, len, parsed = 0;

	(void)state;
	for (i = 0; i < sizeof(kat_text) - 1; i++) {
		for (j = 0; j < sizeof(repl) + 1; j++) {
			memcpy(text, kat_text, sizeof(kat_text));
			text[i] = j < sizeof(repl) ? repl[j] : (char)(kat_text[i] ^ 0x01);
			if (text[i] == kat_text[i])
				continue;
			if (checkpoint_parse(text, sizeof(kat_text) - 1, &cp, &st) == -1)
				continue;
			/* What parses re-encodes to the same bytes... */
			parsed++;
			assert_int_equal(checkpoint_encode(&cp, again, &len, &st), 0);
			assert_int_equal(len, sizeof(kat_text) - 1);
			assert_memory_equal(again, text, len);
			/* ...and does not verify. */
			if (checkpoint_verify(&cp, k->agency_pk, &st) == 0 &&
			    checkpoint_verify_countersig(&cp, k->broker_pk, &st2) == 0)
				fail_msg("byte %zu changed to 0x%02x still verifies", i,
				    (unsigned char)text[i]);
		}
	}
	assert_true(parsed > 0);	/* the signatures, not only the parser, were tested */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(init_sign_and_countersign_refuse_bad_fields),
		cmocka_unit_test(verify_refuses_wrong_keys_and_altered_fields),
		cmocka_unit_test(parse_refuses_every_malformation_with_its_code),
		cmocka_unit_test(known_answer_of_protocol_md),
		cmocka_unit_test(signed_bytes_are_as_documented),
		cmocka_unit_test(round_trip_keeps_every_byte),
		cmocka_unit_test(any_changed_byte_is_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
