/* SPDX-License-Identifier: ISC */
/*
 * cmd_selftest: `dutynet selftest`.  Runs one referral from a school to the
 * MASH through the whole message protocol on this computer, with keys made
 * up for the run, and says what happens at each step in words a Designated
 * Safeguarding Lead can follow: sealed, what the broker can see, signature
 * checked, opened, read; then that a tampered copy and a third agency are
 * both refused.  It is the demo's first proof that the cryptography works
 * on this machine, and it fails (exit 1) if any step does not behave.
 *
 * Nothing here is a real child: the referral is made up, and the secret keys
 * live in sodium_malloc memory that is wiped when the command ends.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "agents/cli/cmd.h"
#include "common/clock.h"
#include "common/keyfile.h"
#include "proto/envelope.h"
#include "proto/ids.h"
#include "proto/payload.h"
#include "proto/seal.h"

#define SCHOOL "school-stmarys"
#define MASH "mash"
#define THIRD "camhs"
/* Room for the made-up referral, sealed or not; it is a few hundred bytes. */
#define SELFTEST_BUF_BYTES 8192
/* "2025-01-31 09:30 UTC" */
#define TIME_TEXT_BYTES 32

struct selftest {
	struct keyfile *school, *mash, *third;	/* keyfile_destroy */
	uint8_t *send_key;	/* school -> mash, as the school derives it */
	uint8_t *recv_key;	/* the same, as mash derives it */
	uint8_t *third_key;	/* what camhs derives for school -> camhs */
	uint8_t plain[SELFTEST_BUF_BYTES];	/* the referral, encoded */
	size_t plain_len;
	uint8_t sealed[SELFTEST_BUF_BYTES];	/* the whole envelope */
	size_t sealed_len;
	uint8_t opened[SELFTEST_BUF_BYTES];	/* what mash decrypted */
	size_t opened_len;
	char msgid[IDS_MSGID_TEXT + 1];
	int step;
};

static struct payload_text
text(const char *s)
{
	struct payload_text t = {s, (uint32_t)strlen(s)};

	return t;
}

static void
say(struct selftest *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
say(struct selftest *t, const char *fmt, ...)
{
	va_list ap;

	printf("%2d. ", ++t->step);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static int
failed(struct selftest *t, const char *what, const struct status *st)
{
	fprintf(stderr, "dutynet selftest: FAILED after step %d: %s: %s (%d %s)\n", t->step,
	    what, st->text, st->code, status_name(st->code));
	return -1;
}

static int
make_keys(struct selftest *t)
{
	struct status st;

	/* The agencies' keys as keyfile makes them for real agents, kept only in
	 * memory; the pair keys are secret too. */
	if (keyfile_generate(SCHOOL, true, &t->school, &st) == -1 ||
	    keyfile_generate(MASH, true, &t->mash, &st) == -1 ||
	    keyfile_generate(THIRD, true, &t->third, &st) == -1)
		return failed(t, "making keys", &st);
	if ((t->send_key = sodium_malloc(SEAL_KEYBYTES)) == NULL ||
	    (t->recv_key = sodium_malloc(SEAL_KEYBYTES)) == NULL ||
	    (t->third_key = sodium_malloc(SEAL_KEYBYTES)) == NULL) {
		status_set(&st, STATUS_UNAVAILABLE, "out of locked memory for keys");
		return failed(t, "making keys", &st);
	}
	say(t, "Made new keys for three example agencies: %s (a school),\n"
	       "    %s (the multi-agency safeguarding hub) and %s (child and\n"
	       "    adolescent mental health).  Each has a signing key, to prove who\n"
	       "    sent a message, and an encryption key, so that only it can read\n"
	       "    messages sent to it.",
	    SCHOOL, MASH, THIRD);
	/* Each side works out the pair key alone, from its own secret key and
	 * the other's public key: nothing secret is ever sent. */
	if (seal_pair_key(t->school->box_sk, t->school->box_pk, t->mash->box_pk, SEAL_SENDING,
		t->send_key, &st) == -1)
		return failed(t, "school's pair key", &st);
	if (seal_pair_key(t->mash->box_sk, t->mash->box_pk, t->school->box_pk, SEAL_RECEIVING,
		t->recv_key, &st) == -1)
		return failed(t, "mash's pair key", &st);
	if (seal_pair_key(t->third->box_sk, t->third->box_pk, t->school->box_pk, SEAL_RECEIVING,
		t->third_key, &st) == -1)
		return failed(t, "camhs's pair key", &st);
	return 0;
}

static int
write_referral(struct selftest *t)
{
	struct payload p;
	struct payload_referral *r = &p.u.referral;
	struct status st;

	memset(&p, 0, sizeof(p));
	p.type = ENVELOPE_REFERRAL;
	r->child_name = text("Sam Example");
	r->child_dob = text("2014-03-09");
	r->category = text("neglect");
	r->summary = text("Made-up example: Sam has come to school hungry and in the same "
			  "clothes most days this half term.");
	r->referrer_name = text("Jo Bloggs");
	r->referrer_role = text("Designated Safeguarding Lead");
	r->referrer_contact = text("dsl@stmarys.example");
	r->lawful_basis = text("Children Act 1989 s17");
	r->consent_sought = true;
	if (payload_encode(&p, t->plain, sizeof(t->plain), &t->plain_len, &st) == -1)
		return failed(t, "writing the referral", &st);
	say(t, "Wrote a referral about a made-up child (category: neglect): %zu bytes\n"
	       "    of private details.", t->plain_len);
	return 0;
}

static int
seal_referral(struct selftest *t)
{
	struct envelope_header h;
	struct status st;

	memset(&h, 0, sizeof(h));
	h.version = ENVELOPE_VERSION;
	h.type = ENVELOPE_REFERRAL;
	ids_msgid_new(clock_now_ms(), h.id);
	ids_msgid_format(h.id, t->msgid);
	/* No case number of its own: the first message's id names the case. */
	snprintf(h.case_id, sizeof(h.case_id), "%s", t->msgid);
	snprintf(h.from, sizeof(h.from), "%s", SCHOOL);
	snprintf(h.to, sizeof(h.to), "%s", MASH);
	h.created_ms = clock_now_ms();
	h.urgency = URGENCY_STANDARD;
	seal_keyid(t->school->sign_pk, SEAL_SIGN_PKBYTES, h.sender_sign_key);
	seal_keyid(t->school->box_pk, SEAL_BOX_PKBYTES, h.sender_box_key);
	seal_keyid(t->mash->box_pk, SEAL_BOX_PKBYTES, h.recipient_box_key);
	if (seal_envelope(&h, t->plain, t->plain_len, t->send_key, t->school->sign_sk, NULL,
		t->sealed, sizeof(t->sealed), &t->sealed_len, &st) == -1)
		return failed(t, "sealing", &st);
	say(t, "Sealed a referral from %s to %s: %zu bytes; only %s can read it.\n"
	       "    Its message id is %s.", SCHOOL, MASH, t->sealed_len, MASH, t->msgid);
	return 0;
}

static void
format_time(uint64_t ms, char out[TIME_TEXT_BYTES])
{
	time_t secs = (time_t)(ms / 1000);
	struct tm tm;

	if (gmtime_r(&secs, &tm) == NULL || strftime(out, TIME_TEXT_BYTES, "%Y-%m-%d %H:%M UTC",
	    &tm) == 0)
		snprintf(out, TIME_TEXT_BYTES, "%llu ms", (unsigned long long)ms);
}

static int
broker_view(struct selftest *t, struct envelope *env)
{
	char when[TIME_TEXT_BYTES];
	struct status st;

	if (envelope_decode(t->sealed, t->sealed_len, env, &st) == -1)
		return failed(t, "reading the envelope", &st);
	format_time(env->h.created_ms, when);
	say(t, "What the broker sees (it passes messages on but cannot read them):\n"
	       "    a %s from %s to %s, urgency %s,\n"
	       "    written %s.  The child's details are in the %zu\n"
	       "    sealed bytes, which it cannot open.",
	    envelope_type_name(env->h.type), env->h.from, env->h.to,
	    envelope_urgency_name(env->h.urgency), when, env->sealed_len);
	if (seal_verify(env, t->school->sign_pk, &st) == -1)
		return failed(t, "checking the signature", &st);
	say(t, "Signature checked: the referral really comes from %s, and\n"
	       "    nothing in it has been changed since it was sealed.", SCHOOL);
	return 0;
}

static int
mash_reads(struct selftest *t, const struct envelope *env)
{
	const struct payload_referral *r;
	struct payload p;
	struct status st;

	if (seal_decrypt(env, t->recv_key, t->opened, sizeof(t->opened), &t->opened_len,
		&st) == -1)
		return failed(t, "mash opening the referral", &st);
	if (t->opened_len != t->plain_len || memcmp(t->opened, t->plain, t->plain_len) != 0) {
		status_set(&st, STATUS_DECRYPT_FAILED, "opened %zu bytes that differ from the "
		    "%zu sealed", t->opened_len, t->plain_len);
		return failed(t, "mash opening the referral", &st);
	}
	say(t, "%s opened it with its own secret key: %zu bytes, exactly what\n"
	       "    the school wrote.", MASH, t->opened_len);
	if (payload_decode(env->h.type, t->opened, t->opened_len, &p, &st) == -1)
		return failed(t, "mash reading the referral", &st);
	r = &p.u.referral;
	say(t, "%s read the referral: %.*s, born %.*s; concern: %.*s;\n"
	       "    from %.*s (%.*s),\n"
	       "    who %s the family's consent.", MASH,
	    (int)r->child_name.len, r->child_name.s, (int)r->child_dob.len, r->child_dob.s,
	    (int)r->category.len, r->category.s, (int)r->referrer_name.len, r->referrer_name.s,
	    (int)r->referrer_role.len, r->referrer_role.s,
	    r->consent_sought ? "sought" : "did not seek");
	return 0;
}

/* A copy with one byte of the sealed part changed, as an attacker on the
 * way would: the signature must fail, and so must decryption on its own. */
static int
tampered_copy(struct selftest *t)
{
	static uint8_t copy[SELFTEST_BUF_BYTES];
	struct envelope env;
	struct status st;
	size_t flip;
	int ret = -1;

	memcpy(copy, t->sealed, t->sealed_len);
	if (envelope_decode(copy, t->sealed_len, &env, &st) == -1) {
		failed(t, "reading the copy", &st);
		goto out;
	}
	/* The last byte of the ciphertext, just before the tag. */
	flip = (size_t)(env.sealed - copy) + env.sealed_len - SEAL_TAGBYTES - 1;
	copy[flip] ^= 0x01;
	if (seal_verify(&env, t->school->sign_pk, &st) == 0) {
		status_set(&st, STATUS_BAD_SIGNATURE, "a tampered copy verified");
		failed(t, "checking a tampered copy", &st);
		goto out;
	}
	say(t, "Changed one byte of a copy, as if someone had interfered on the way.\n"
	       "    Tampered copy rejected: %s.", st.text);
	if (seal_decrypt(&env, t->recv_key, t->opened, sizeof(t->opened), &t->opened_len,
		&st) == 0) {
		status_set(&st, STATUS_DECRYPT_FAILED, "a tampered copy decrypted");
		failed(t, "opening a tampered copy", &st);
		goto out;
	}
	say(t, "Even without the signature check, %s cannot open the tampered copy:\n"
	       "    %s.", MASH, st.text);
	ret = 0;
out:
	sodium_memzero(t->opened, sizeof(t->opened));
	return ret;
}

static int
third_agency(struct selftest *t, const struct envelope *env)
{
	struct status st;

	if (seal_decrypt(env, t->third_key, t->opened, sizeof(t->opened), &t->opened_len,
		&st) == 0) {
		status_set(&st, STATUS_DECRYPT_FAILED, "camhs decrypted a message to mash");
		return failed(t, "camhs opening the referral", &st);
	}
	say(t, "%s, a third agency, tried to open the referral with its own keys\n"
	       "    and could not:\n"
	       "    %s.\n"
	       "    Only %s can read it.", THIRD, st.text, MASH);
	return 0;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: dutynet selftest\n\n"
		   "Sends one made-up referral from a school (%s) to the MASH (%s)\n"
		   "through the whole message protocol on this computer, with new keys,\n"
		   "and explains each step: sealing, what the broker can see, checking the\n"
		   "signature, opening and reading it; then shows that a tampered copy and\n"
		   "a third agency (%s) are refused.  Nothing is sent anywhere.\n\n"
		   "Exit status 0 if every step behaved as it should, 1 if not.\n",
	    SCHOOL, MASH, THIRD);
}

int
cmd_selftest(int argc, char **argv)
{
	static struct selftest t;
	struct envelope env;
	struct status st;
	int ret = CMD_FAIL;

	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return CMD_OK;
	}
	if (argc > 1) {
		fprintf(stderr, "dutynet selftest: takes no arguments (got '%s'); see "
				"'dutynet selftest --help'\n", argv[1]);
		return CMD_USAGE;
	}
	memset(&t, 0, sizeof(t));
	if (seal_init() == -1) {
		status_set(&st, STATUS_UNAVAILABLE, "libsodium did not initialise");
		failed(&t, "starting", &st);
		goto out;
	}
	printf("dutynet selftest: one referral from a school to the MASH, step by step.\n"
	       "Everything happens on this computer; the keys are new and thrown away.\n\n");
	if (make_keys(&t) == -1 || write_referral(&t) == -1 || seal_referral(&t) == -1 ||
	    broker_view(&t, &env) == -1 || mash_reads(&t, &env) == -1 ||
	    tampered_copy(&t) == -1 || third_agency(&t, &env) == -1)
		goto out;
	printf("\nSelf-test passed: all %d steps behaved as they should.\n", t.step);
	ret = CMD_OK;
out:
	keyfile_destroy(&t.school);
	keyfile_destroy(&t.mash);
	keyfile_destroy(&t.third);
	sodium_free(t.send_key);
	sodium_free(t.recv_key);
	sodium_free(t.third_key);
	sodium_memzero(&t, sizeof(t));
	return ret;
}
