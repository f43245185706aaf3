/* SPDX-License-Identifier: ISC */
/*
 * Known-answer vectors for the envelope (PROTOCOL.md §10), in the spirit of
 * libsodium's .exp files.  From fixed keys, message-id bits and nonces this
 * computes every intermediate value of sealing one envelope and checks it
 * against proto/vectors/<case>.txt, parsed at run time (lines "name = hex").
 * tests/vectors/check_vectors.py re-derives the same files from PROTOCOL.md
 * with PyNaCl, so the two implementations check each other.
 *
 * Run with --write to (re)generate the files into DUTYNET_SOURCE_DIR; do that
 * only for a deliberate protocol change, and say so in the commit.
 *
 * Fixed inputs: agency school-stmarys signs with the Ed25519 key pair from
 * seed 0x01..0x20 and has box secret key 0x41..0x60; agency mash has seed
 * 0x21..0x40 and box secret key 0x61..0x80 (box public keys are X25519 of
 * the base point).  Each case has its own nonce so no (key, nonce) pair is
 * ever reused, even in examples.  The plaintexts follow PROTOCOL.md §6; they
 * are written here with the pack writer, not payload_encode, so that the
 * payload decoder is checked against bytes it did not produce.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "proto/envelope.h"
#include "proto/ids.h"
#include "proto/pack.h"
#include "proto/payload.h"
#include "proto/seal.h"

#define VEC_MAX_VALUES 32
#define VEC_NAME_MAX 32
#define VEC_ENVELOPE_CAP 4096
#define VEC_PLAINTEXT_CAP 2048
#define VEC_RANDOM_BYTES 10
#define VEC_DIR "proto/vectors"
#define VEC_TIME_BASE 1767225600000ull	/* 2026-01-01T00:00:00Z */

struct value {
	char name[VEC_NAME_MAX];
	uint8_t *bytes;
	size_t len;
};

struct vec {
	struct value v[VEC_MAX_VALUES];
	size_t n;
};

struct agency {
	const char *id;
	uint8_t sign_seed_first;
	uint8_t box_sk_first;
};

static const struct agency school = {"school-stmarys", 0x01, 0x41};
static const struct agency mash = {"mash", 0x21, 0x61};

/* What later cases need from the referral: its id and envelope hash. */
struct chain {
	uint8_t referral_id[IDS_MSGID_BYTES];
	uint8_t referral_hash[SEAL_HASHBYTES];
};

struct vcase {
	const char *name;
	const char *title;
	const struct agency *from, *to;
	uint8_t type;
	uint64_t created_ms;
	uint8_t random_first;		/* message id random bytes */
	uint8_t nonce_first;
	bool reply_to_referral;
	void (*plaintext)(const struct chain *c, struct pack_writer *w);
};

static void
referral_plaintext(const struct chain *c, struct pack_writer *w)
{
	static const char *const child[] = {"Alex Example", "2015-03-14"};
	static const char *const referrer[] = {"Sam Teacher", "Designated safeguarding lead",
	    "01632 960000"};

	(void)c;
	pack_write_array(w, 8);
	pack_write_uint(w, 1);
	pack_write_array(w, 4);
	pack_write_cstr_or_nil(w, child[0]);
	pack_write_cstr_or_nil(w, child[1]);
	pack_write_nil(w);
	pack_write_nil(w);
	pack_write_cstr_or_nil(w, "neglect");
	pack_write_cstr_or_nil(w, "Attendance has fallen to 60% this term; Alex often arrives "
				  "hungry and without a coat.");
	pack_write_array(w, 3);
	pack_write_cstr_or_nil(w, referrer[0]);
	pack_write_cstr_or_nil(w, referrer[1]);
	pack_write_cstr_or_nil(w, referrer[2]);
	pack_write_cstr_or_nil(w, "Children Act 1989 s17");
	pack_write_array(w, 2);
	pack_write_bool(w, true);
	pack_write_nil(w);
	pack_write_array(w, 0);
}

static void
receipt_plaintext(const struct chain *c, struct pack_writer *w)
{
	pack_write_array(w, 3);
	pack_write_uint(w, 1);
	pack_write_uint(w, VEC_TIME_BASE + 800);
	pack_write_bin(w, c->referral_hash, SEAL_HASHBYTES);
}

static void
ack_plaintext(const struct chain *c, struct pack_writer *w)
{
	(void)c;
	pack_write_array(w, 4);
	pack_write_uint(w, 1);
	pack_write_cstr_or_nil(w, "Jo Duty");
	pack_write_cstr_or_nil(w, "MASH duty social worker");
	pack_write_cstr_or_nil(w, "Received; a duty social worker will call you today.");
}

/* In order: later cases refer to the referral. */
static const struct vcase cases[] = {
	{"referral", "a referral, school-stmarys -> mash", &school, &mash, ENVELOPE_REFERRAL,
	    VEC_TIME_BASE, 0xa0, 0x00, false, referral_plaintext},
	{"receipt", "the signed receipt for it, mash -> school-stmarys", &mash, &school,
	    ENVELOPE_RECEIPT, VEC_TIME_BASE + 1000, 0xb0, 0x20, true, receipt_plaintext},
	{"ack", "a person's acknowledgement of it, mash -> school-stmarys", &mash, &school,
	    ENVELOPE_ACK, VEC_TIME_BASE + 60000, 0xc0, 0x40, true, ack_plaintext},
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

static void
fill(uint8_t *b, size_t n, uint8_t first)
{
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (uint8_t)(first + i);
}

static void
vec_add(struct vec *v, const char *name, const uint8_t *b, size_t len)
{
	struct value *x;

	assert_true(v->n < VEC_MAX_VALUES);
	x = &v->v[v->n++];
	assert_true(strlen(name) < sizeof(x->name));
	strcpy(x->name, name);
	x->len = len;
	x->bytes = malloc(len > 0 ? len : 1);
	assert_non_null(x->bytes);
	memcpy(x->bytes, b, len);
}

static void
vec_free(struct vec *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		free(v->v[i].bytes);
	v->n = 0;
}

static const struct value *
vec_get(const struct vec *v, const char *name)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (strcmp(v->v[i].name, name) == 0)
			return &v->v[i];
	return NULL;
}

/* Computes every value of case k into out and the chain for later cases,
 * checking on the way that the receiving side agrees with the sending side. */
static void
compute(const struct vcase *k, struct chain *c, struct vec *out)
{
	uint8_t seed[crypto_sign_SEEDBYTES], sign_pk[SEAL_SIGN_PKBYTES], sign_sk[SEAL_SIGN_SKBYTES];
	uint8_t s_sk[SEAL_BOX_SKBYTES], s_pk[SEAL_BOX_PKBYTES];
	uint8_t r_sk[SEAL_BOX_SKBYTES], r_pk[SEAL_BOX_PKBYTES];
	uint8_t id[SEAL_KEYID_BYTES], pair[SEAL_KEYBYTES], pair_r[SEAL_KEYBYTES];
	uint8_t random[VEC_RANDOM_BYTES], nonce[SEAL_NONCEBYTES], hash[SEAL_HASHBYTES];
	uint8_t header[ENVELOPE_MAX_HEADER], pt[VEC_PLAINTEXT_CAP], opened[VEC_PLAINTEXT_CAP];
	uint8_t *env_buf, *signed_buf;
	size_t header_len, pt_len, env_len, opened_len, signed_len;
	struct envelope_header h;
	struct envelope env;
	struct pack_writer w;
	struct payload p;
	struct status st;

	fill(seed, sizeof(seed), k->from->sign_seed_first);
	assert_int_equal(crypto_sign_seed_keypair(sign_pk, sign_sk, seed), 0);
	fill(s_sk, sizeof(s_sk), k->from->box_sk_first);
	fill(r_sk, sizeof(r_sk), k->to->box_sk_first);
	assert_int_equal(crypto_scalarmult_base(s_pk, s_sk), 0);
	assert_int_equal(crypto_scalarmult_base(r_pk, r_sk), 0);

	vec_add(out, "sender_sign_seed", seed, sizeof(seed));
	vec_add(out, "sender_sign_pk", sign_pk, sizeof(sign_pk));
	seal_keyid(sign_pk, sizeof(sign_pk), id);
	vec_add(out, "sender_sign_keyid", id, sizeof(id));
	vec_add(out, "sender_box_sk", s_sk, sizeof(s_sk));
	vec_add(out, "sender_box_pk", s_pk, sizeof(s_pk));
	seal_keyid(s_pk, sizeof(s_pk), id);
	vec_add(out, "sender_box_keyid", id, sizeof(id));
	vec_add(out, "recipient_box_sk", r_sk, sizeof(r_sk));
	vec_add(out, "recipient_box_pk", r_pk, sizeof(r_pk));
	seal_keyid(r_pk, sizeof(r_pk), id);
	vec_add(out, "recipient_box_keyid", id, sizeof(id));

	assert_int_equal(seal_pair_key(s_sk, s_pk, r_pk, SEAL_SENDING, pair, &st), 0);
	assert_int_equal(seal_pair_key(r_sk, r_pk, s_pk, SEAL_RECEIVING, pair_r, &st), 0);
	assert_memory_equal(pair, pair_r, sizeof(pair));
	vec_add(out, "pair_key", pair, sizeof(pair));

	memset(&h, 0, sizeof(h));
	h.version = ENVELOPE_VERSION;
	h.type = k->type;
	fill(random, sizeof(random), k->random_first);
	ids_msgid_from(k->created_ms, random, h.id);
	vec_add(out, "msgid_random", random, sizeof(random));
	vec_add(out, "msgid", h.id, sizeof(h.id));
	if (k->reply_to_referral) {
		h.has_reply_to = true;
		memcpy(h.reply_to, c->referral_id, sizeof(h.reply_to));
		vec_add(out, "in_reply_to", h.reply_to, sizeof(h.reply_to));
	}
	strcpy(h.case_id, "SM-2026-0017");
	strcpy(h.from, k->from->id);
	strcpy(h.to, k->to->id);
	h.created_ms = k->created_ms;
	h.urgency = URGENCY_URGENT;
	seal_keyid(sign_pk, sizeof(sign_pk), h.sender_sign_key);
	seal_keyid(s_pk, sizeof(s_pk), h.sender_box_key);
	seal_keyid(r_pk, sizeof(r_pk), h.recipient_box_key);
	h.directory_version = 0;

	pack_writer_init(&w, pt, sizeof(pt));
	k->plaintext(c, &w);
	assert_int_equal(pack_writer_finish(&w, &pt_len), 0);
	/* Written by hand, checked by the payload decoder (PROTOCOL.md §6). */
	assert_int_equal(payload_decode(k->type, pt, pt_len, &p, &st), 0);
	vec_add(out, "plaintext", pt, pt_len);
	fill(nonce, sizeof(nonce), k->nonce_first);
	vec_add(out, "nonce", nonce, sizeof(nonce));

	assert_int_equal(envelope_header_encode(&h, header, sizeof(header), &header_len, &st), 0);
	vec_add(out, "header", header, header_len);

	env_buf = malloc(VEC_ENVELOPE_CAP);
	assert_non_null(env_buf);
	assert_int_equal(seal_envelope(&h, pt, pt_len, pair, sign_sk, nonce, env_buf,
			     VEC_ENVELOPE_CAP, &env_len, &st),
	    0);
	assert_int_equal(envelope_decode(env_buf, env_len, &env, &st), 0);
	assert_int_equal(env.header_len, header_len);
	assert_memory_equal(env.header, header, header_len);

	/* The signed bytes, built here independently of seal.c. */
	signed_len = sizeof(SEAL_TAG_SIGN) + header_len + env.sealed_len;
	signed_buf = malloc(signed_len);
	assert_non_null(signed_buf);
	memcpy(signed_buf, SEAL_TAG_SIGN, sizeof(SEAL_TAG_SIGN));
	memcpy(signed_buf + sizeof(SEAL_TAG_SIGN), header, header_len);
	memcpy(signed_buf + sizeof(SEAL_TAG_SIGN) + header_len, env.sealed, env.sealed_len);
	assert_int_equal(crypto_sign_verify_detached(env.sig, signed_buf, signed_len, sign_pk), 0);
	vec_add(out, "signed", signed_buf, signed_len);
	vec_add(out, "signature", env.sig, SEAL_SIGBYTES);
	vec_add(out, "sealed", env.sealed, env.sealed_len);
	vec_add(out, "envelope", env_buf, env_len);
	seal_hash(env_buf, env_len, hash);
	vec_add(out, "envelope_hash", hash, sizeof(hash));

	/* The recipient's side opens what the sender's side sealed. */
	assert_int_equal(seal_verify(&env, sign_pk, &st), 0);
	assert_int_equal(seal_decrypt(&env, pair_r, opened, sizeof(opened), &opened_len, &st), 0);
	assert_int_equal(opened_len, pt_len);
	assert_memory_equal(opened, pt, pt_len);

	if (k->type == ENVELOPE_REFERRAL) {
		memcpy(c->referral_id, h.id, sizeof(c->referral_id));
		memcpy(c->referral_hash, hash, sizeof(c->referral_hash));
	}
	free(signed_buf);
	free(env_buf);
}

/* Computes cases[0..upto] (the chain needs the earlier ones); out = upto. */
static void
compute_upto(size_t upto, struct vec *out)
{
	struct chain c;
	struct vec scratch;
	size_t i;

	memset(&c, 0, sizeof(c));
	for (i = 0; i <= upto; i++) {
		memset(&scratch, 0, sizeof(scratch));
		compute(&cases[i], &c, i == upto ? out : &scratch);
		vec_free(&scratch);
	}
}

static void
vec_path(const char *name, char *path, size_t cap)
{
	const char *src = getenv("DUTYNET_SOURCE_DIR");
	int n;

	if (src == NULL) {
		fail_msg("DUTYNET_SOURCE_DIR is not set: run through ctest, or set it to the "
			 "source tree");
	}
	n = snprintf(path, cap, "%s/%s/%s.txt", src, VEC_DIR, name);
	assert_true(n > 0 && (size_t)n < cap);
}

static int
hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

/* Parses one "name = hex" line into v; -1 if it is not one. */
static int
parse_line(const char *line, struct vec *v)
{
	const char *eq = strstr(line, " = ");
	const char *hex;
	size_t name_len, hex_len, i;
	uint8_t *b;
	int hi, lo;

	if (eq == NULL || (name_len = (size_t)(eq - line)) == 0 || name_len >= VEC_NAME_MAX)
		return -1;
	for (i = 0; i < name_len; i++)
		if (strchr("abcdefghijklmnopqrstuvwxyz0123456789_", line[i]) == NULL)
			return -1;
	hex = eq + 3;
	hex_len = strcspn(hex, "\n");
	if (hex_len % 2 != 0 || hex[hex_len] != '\n' || v->n >= VEC_MAX_VALUES)
		return -1;
	if ((b = malloc(hex_len / 2 + 1)) == NULL)
		return -1;
	for (i = 0; i < hex_len / 2; i++) {
		if ((hi = hexval(hex[2 * i])) < 0 || (lo = hexval(hex[2 * i + 1])) < 0) {
			free(b);
			return -1;
		}
		b[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(v->v[v->n].name, line, name_len);
	v->v[v->n].name[name_len] = '\0';
	v->v[v->n].bytes = b;
	v->v[v->n].len = hex_len / 2;
	v->n++;
	return 0;
}

static void
load(const char *name, struct vec *v)
{
	char path[4096];
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	FILE *f;

	vec_path(name, path, sizeof(path));
	if ((f = fopen(path, "r")) == NULL)
		fail_msg("cannot open %s: run test_vectors --write to generate it", path);
	while (getline(&line, &cap, f) != -1) {
		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (parse_line(line, v) == -1)
			fail_msg("%s:%zu: not a line of the form 'name = lowercase-hex'", path,
			    lineno);
		if (vec_get(v, v->v[v->n - 1].name) != &v->v[v->n - 1])
			fail_msg("%s:%zu: %s appears twice", path, lineno, v->v[v->n - 1].name);
	}
	free(line);
	fclose(f);
}

/* Number of differences between the computed and the loaded values, each
 * printed if loud; names on one side only count too. */
static int
compare(const char *file, const struct vec *want, const struct vec *got, bool loud)
{
	const struct value *x;
	int bad = 0;
	size_t i;

	for (i = 0; i < want->n; i++) {
		x = vec_get(got, want->v[i].name);
		if (x == NULL) {
			if (loud)
				print_error("%s: %s is missing\n", file, want->v[i].name);
			bad++;
		} else if (x->len != want->v[i].len ||
		    memcmp(x->bytes, want->v[i].bytes, x->len) != 0) {
			if (loud)
				print_error("%s: %s differs\n", file, want->v[i].name);
			bad++;
		}
	}
	for (i = 0; i < got->n; i++)
		if (vec_get(want, got->v[i].name) == NULL) {
			if (loud)
				print_error("%s: %s is not a value this test computes\n",
				    file, got->v[i].name);
			bad++;
		}
	return bad;
}

static void
check_case(size_t k)
{
	struct vec want, got;

	memset(&want, 0, sizeof(want));
	memset(&got, 0, sizeof(got));
	compute_upto(k, &want);
	load(cases[k].name, &got);
	assert_int_equal(compare(cases[k].name, &want, &got, true), 0);
	vec_free(&want);
	vec_free(&got);
}

static void
a_changed_value_is_caught(void **state)
{
	struct vec want, got;

	(void)state;
	memset(&want, 0, sizeof(want));
	memset(&got, 0, sizeof(got));
	compute_upto(0, &want);
	load(cases[0].name, &got);
	assert_int_equal(compare(cases[0].name, &want, &got, true), 0);
	/* One bit of the signature, then a missing and an extra name. */
	((struct value *)vec_get(&got, "signature"))->bytes[0] ^= 1;
	assert_int_equal(compare(cases[0].name, &want, &got, false), 1);
	strcpy(got.v[0].name, "no_such_value");
	assert_int_equal(compare(cases[0].name, &want, &got, false), 3);
	vec_free(&want);
	vec_free(&got);
}

static void
parser_refuses_malformed_lines(void **state)
{
	static const char *const bad[] = {
		"pair_key = 0a0\n",	/* odd length */
		"pair_key = 0A\n",	/* uppercase */
		"pair_key=0a\n",	/* no spaces */
		"Pair = 0a\n",		/* bad name */
		" = 0a\n",		/* empty name */
		"pair_key = 0a",	/* no newline: truncated file */
		"pair_key = 0g\n",	/* not hex */
	};
	struct vec v;
	size_t i;

	(void)state;
	memset(&v, 0, sizeof(v));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(parse_line(bad[i], &v), -1);
	assert_int_equal(v.n, 0);
	assert_int_equal(parse_line("pair_key = 0aff\n", &v), 0);
	assert_int_equal(v.v[0].len, 2);
	assert_int_equal(v.v[0].bytes[1], 0xff);
	vec_free(&v);
}

static void
referral_matches(void **state)
{
	(void)state;
	check_case(0);
}

static void
receipt_matches(void **state)
{
	(void)state;
	check_case(1);
}

static void
ack_matches(void **state)
{
	(void)state;
	check_case(2);
}

/* --write: regenerates every file; the tests then compare against them. */
static int
write_all(void)
{
	struct vec v;
	char path[4096];
	size_t k, i, j;
	FILE *f;

	for (k = 0; k < NCASES; k++) {
		memset(&v, 0, sizeof(v));
		compute_upto(k, &v);
		vec_path(cases[k].name, path, sizeof(path));
		if ((f = fopen(path, "w")) == NULL) {
			perror(path);
			return 1;
		}
		fprintf(f, "# SPDX-License-Identifier: ISC\n");
		fprintf(f, "# dutynet known-answer vector (proto/PROTOCOL.md section 10): %s.\n",
		    cases[k].title);
		fprintf(f, "# Written by test_vectors --write; checked by unit.vectors (C) and\n"
			   "# vectors.python (tests/vectors/check_vectors.py).  All values hex.\n");
		for (i = 0; i < v.n; i++) {
			fprintf(f, "%s = ", v.v[i].name);
			for (j = 0; j < v.v[i].len; j++)
				fprintf(f, "%02x", v.v[i].bytes[j]);
			fprintf(f, "\n");
		}
		if (fclose(f) != 0) {
			perror(path);
			return 1;
		}
		vec_free(&v);
		printf("wrote %s\n", path);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parser_refuses_malformed_lines),
		cmocka_unit_test(a_changed_value_is_caught),
		cmocka_unit_test(referral_matches),
		cmocka_unit_test(receipt_matches),
		cmocka_unit_test(ack_matches),
	};

	if (seal_init() != 0)
		return 1;
	if (argc == 2 && strcmp(argv[1], "--write") == 0)
		return write_all();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
