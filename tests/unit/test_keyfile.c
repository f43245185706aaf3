/* SPDX-License-Identifier: ISC */
/* Unit tests for common/keyfile.c: secret key files on disk and in memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "common/keyfile.h"
#include "tests/support/confdir.h"

#define HEX_SIGN (SEAL_SIGN_SKBYTES * 2)
#define HEX_X25519 (SEAL_BOX_SKBYTES * 2)

static int
setup(void **state)
{
	*state = confdir_new();
	return 0;
}

static int
teardown(void **state)
{
	char *dir = *state;

	confdir_destroy(&dir);
	return 0;
}

/* Writes text as dir/name with mode 0600 and returns the path. */
static char *
put(const char *dir, const char *name, const char *text, mode_t mode)
{
	char *path = confdir_path(dir, name);

	confdir_write(dir, name, text);
	assert_int_equal(chmod(path, mode), 0);
	return path;
}

/* A valid key file's text with 'a' digits, as keyfile_write lays it out. */
static void
text_of(char *out, size_t cap, const char *id, const char *sign, const char *box,
    const char *curve)
{
	if (box != NULL)
		snprintf(out, cap, "%s\nid %s\nsign_sk %s\nbox_sk %s\ncurve_sk %s\n", KEYFILE_MAGIC,
		    id, sign, box, curve);
	else
		snprintf(out, cap, "%s\nid %s\nsign_sk %s\ncurve_sk %s\n", KEYFILE_MAGIC, id, sign,
		    curve);
}

/* Loads path, expects -1 and 504 with text containing want. */
static void
assert_load_fails(const char *path, const char *want)
{
	struct keyfile *k = (struct keyfile *)1;
	struct status st;

	assert_int_equal(keyfile_load(path, &k, &st), -1);
	assert_null(k);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	if (strstr(st.text, want) == NULL)
		fail_msg("'%s' does not contain '%s'", st.text, want);
}

static void
load_refuses_group_or_other_access(void **state)
{
	struct keyfile *k = NULL;
	char *path, want[1024];
	struct status st;

	assert_int_equal(keyfile_generate("mash", true, &k, &st), 0);
	path = confdir_path(*state, "mash.key");
	assert_int_equal(keyfile_write(k, path, &st), 0);
	keyfile_destroy(&k);
	assert_int_equal(chmod(path, 0644), 0);
	snprintf(want, sizeof(want), "key file %s has mode 0644; run chmod 600 %s", path, path);
	assert_int_equal(keyfile_load(path, &k, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_string_equal(st.text, want);
	assert_int_equal(chmod(path, 0640), 0);
	assert_load_fails(path, "has mode 0640");
	assert_int_equal(chmod(path, 0604), 0);
	assert_load_fails(path, "has mode 0604");
	assert_int_equal(chmod(path, 0400), 0);
	assert_int_equal(keyfile_load(path, &k, &st), 0);
	keyfile_destroy(&k);
	free(path);
}

static void
load_refuses_file_of_another_user(void **state)
{
	struct keyfile *k = NULL;
	struct status st;
	char *path;

	if (geteuid() != 0)
		skip();
	assert_int_equal(keyfile_generate("mash", true, &k, &st), 0);
	path = confdir_path(*state, "mash.key");
	assert_int_equal(keyfile_write(k, path, &st), 0);
	keyfile_destroy(&k);
	assert_int_equal(chown(path, 4242, (gid_t)-1), 0);
	assert_load_fails(path, "is owned by uid 4242, not by uid 0");
	free(path);
}

static void
load_refuses_missing_and_non_regular(void **state)
{
	char *path = confdir_path(*state, "none.key");

	assert_load_fails(path, "cannot open key file");
	assert_load_fails(path, "No such file or directory");
	assert_int_equal(chmod(*state, 0700), 0);
	assert_load_fails(*state, "is not a regular file");
	free(path);
}

static void
load_refuses_malformed_files(void **state)
{
	char big[KEYFILE_MAX_BYTES + 10], text[1024], sign[HEX_SIGN + 1], x[HEX_X25519 + 1], *path;

	memset(sign, 'a', HEX_SIGN);
	sign[HEX_SIGN] = '\0';
	memset(x, 'b', HEX_X25519);
	x[HEX_X25519] = '\0';

	path = put(*state, "k1", "dutynet-secret-key v2\nid mash\n", 0600);
	assert_load_fails(path, "is not a dutynet key file");
	free(path);
	path = put(*state, "k2", "dutynet-secret-key v1\nid MASH\n", 0600);
	assert_load_fails(path, "line 2 must be 'id' and a valid agency id");
	free(path);
	path = put(*state, "k3", "dutynet-secret-key v1\nid mash\n", 0600);
	assert_load_fails(path, "ends early: sign_sk is missing");
	free(path);
	text_of(text, sizeof(text), "mash", "abcd", x, x);
	path = put(*state, "k4", text, 0600);
	assert_load_fails(path, "line 3 must be 'sign_sk' and 128 hex digits");
	free(path);
	text_of(text, sizeof(text), "mash", sign, x, x);
	text[strlen(text) - 2] = 'z';	/* a non-hex digit in curve_sk */
	path = put(*state, "k5", text, 0600);
	assert_load_fails(path, "line 5 must be 'curve_sk' and 64 hex digits");
	free(path);
	snprintf(text, sizeof(text), "%s\nid mash\nsign_sk %s\nbox_sk %s\n", KEYFILE_MAGIC, sign,
	    x);
	path = put(*state, "k6", text, 0600);
	assert_load_fails(path, "ends early: curve_sk is missing");
	free(path);
	text_of(text, sizeof(text), "mash", sign, x, x);
	strcat(text, "more\n");
	path = put(*state, "k7", text, 0600);
	assert_load_fails(path, "has extra text at line 6");
	free(path);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	path = put(*state, "k8", big, 0600);
	assert_load_fails(path, "bytes; a key file is at most 1024");
	free(path);
}

static void
load_reports_damaged_sign_key_without_echoing_it(void **state)
{
	char text[1024], sign[HEX_SIGN + 1], x[HEX_X25519 + 1], *path;
	struct keyfile *k = NULL;
	struct status st;

	/* A seed of 'a' digits with a public half that is not its own. */
	memset(sign, 'a', HEX_SIGN);
	sign[HEX_SIGN] = '\0';
	memset(x, 'b', HEX_X25519);
	x[HEX_X25519] = '\0';
	text_of(text, sizeof(text), "mash", sign, x, x);
	path = put(*state, "k", text, 0600);
	assert_int_equal(keyfile_load(path, &k, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_non_null(strstr(st.text, "damaged"));
	assert_null(strstr(st.text, "aaaaaaaa"));
	assert_null(strstr(st.text, "bbbbbbbb"));
	free(path);
}

static void
write_refuses_to_overwrite(void **state)
{
	struct keyfile *k1 = NULL, *k2 = NULL, *back = NULL;
	struct status st;
	char *path = confdir_path(*state, "mash.key");

	assert_int_equal(keyfile_generate("mash", true, &k1, &st), 0);
	assert_int_equal(keyfile_generate("mash", true, &k2, &st), 0);
	assert_int_equal(keyfile_write(k1, path, &st), 0);
	assert_int_equal(keyfile_write(k2, path, &st), -1);
	assert_int_equal(st.code, STATUS_CONFLICT);
	assert_non_null(strstr(st.text, "already exists; refusing to overwrite"));
	assert_non_null(strstr(st.text, path));
	assert_int_equal(keyfile_load(path, &back, &st), 0);
	assert_memory_equal(back->sign_pk, k1->sign_pk, SEAL_SIGN_PKBYTES);
	keyfile_destroy(&back);
	keyfile_destroy(&k1);
	keyfile_destroy(&k2);
	free(path);
}

static void
write_fails_cleanly_in_missing_directory(void **state)
{
	struct keyfile *k = NULL;
	struct status st;
	char *path = confdir_path(*state, "no/such/dir/mash.key");

	assert_int_equal(keyfile_generate("mash", true, &k, &st), 0);
	assert_int_equal(keyfile_write(k, path, &st), -1);
	assert_int_equal(st.code, STATUS_STORE_FAILED);
	assert_non_null(strstr(st.text, "No such file or directory"));
	keyfile_destroy(&k);
	free(path);
}

static void
generate_refuses_bad_id(void **state)
{
	struct keyfile *k = (struct keyfile *)1;
	struct status st;

	(void)state;
	assert_int_equal(keyfile_generate("Not An Id", true, &k, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_null(k);
}

static void
keys_round_trip_with_mode_0600(void **state)
{
	struct keyfile *k = NULL, *back = NULL;
	uint8_t pk[SEAL_BOX_PKBYTES], sig[crypto_sign_BYTES];
	const uint8_t msg[] = "referral";
	struct status st;
	struct stat sb;
	mode_t old;
	char *path = confdir_path(*state, "school-a.key");

	old = umask(0);
	assert_int_equal(keyfile_generate("school-a", true, &k, &st), 0);
	assert_int_equal(keyfile_write(k, path, &st), 0);
	umask(old);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	assert_int_equal(keyfile_load(path, &back, &st), 0);
	assert_int_equal(st.code, STATUS_OK);
	assert_string_equal(back->id, "school-a");
	assert_true(back->has_box);
	assert_int_equal(sodium_memcmp(back->sign_sk, k->sign_sk, SEAL_SIGN_SKBYTES), 0);
	assert_int_equal(sodium_memcmp(back->box_sk, k->box_sk, SEAL_BOX_SKBYTES), 0);
	assert_int_equal(sodium_memcmp(back->curve_sk, k->curve_sk, KEYFILE_CURVE_SKBYTES), 0);
	assert_memory_equal(back->sign_pk, k->sign_pk, SEAL_SIGN_PKBYTES);
	assert_memory_equal(back->box_pk, k->box_pk, SEAL_BOX_PKBYTES);
	assert_memory_equal(back->curve_pk, k->curve_pk, KEYFILE_CURVE_PKBYTES);
	/* The pairs are real pairs: derived public keys sign and agree. */
	crypto_scalarmult_base(pk, back->box_sk);
	assert_memory_equal(pk, back->box_pk, sizeof(pk));
	crypto_scalarmult_base(pk, back->curve_sk);
	assert_memory_equal(pk, back->curve_pk, sizeof(pk));
	crypto_sign_detached(sig, NULL, msg, sizeof(msg), back->sign_sk);
	assert_int_equal(crypto_sign_verify_detached(sig, msg, sizeof(msg), k->sign_pk), 0);
	/* Three independent pairs. */
	assert_memory_not_equal(k->box_pk, k->curve_pk, SEAL_BOX_PKBYTES);
	keyfile_destroy(&back);
	keyfile_destroy(&k);
	assert_null(k);
	keyfile_destroy(&k);
	keyfile_destroy(NULL);
	free(path);
}

static void
broker_keys_have_no_box_pair(void **state)
{
	struct keyfile *k = NULL, *back = NULL;
	struct status st;
	char *path = confdir_path(*state, "broker.key");
	char text[1024];
	FILE *f;

	assert_int_equal(keyfile_generate("broker", false, &k, &st), 0);
	assert_false(k->has_box);
	assert_int_equal(keyfile_write(k, path, &st), 0);
	f = fopen(path, "r");
	assert_non_null(f);
	text[fread(text, 1, sizeof(text) - 1, f)] = '\0';
	fclose(f);
	assert_null(strstr(text, "box_sk"));
	assert_non_null(strstr(text, "dutynet-secret-key v1\nid broker\nsign_sk "));
	assert_int_equal(keyfile_load(path, &back, &st), 0);
	assert_false(back->has_box);
	assert_memory_equal(back->curve_pk, k->curve_pk, KEYFILE_CURVE_PKBYTES);
	keyfile_destroy(&back);
	keyfile_destroy(&k);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(load_refuses_group_or_other_access, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(load_refuses_file_of_another_user, setup, teardown),
		cmocka_unit_test_setup_teardown(load_refuses_missing_and_non_regular, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(load_refuses_malformed_files, setup, teardown),
		cmocka_unit_test_setup_teardown(load_reports_damaged_sign_key_without_echoing_it,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(write_refuses_to_overwrite, setup, teardown),
		cmocka_unit_test_setup_teardown(write_fails_cleanly_in_missing_directory, setup,
		    teardown),
		cmocka_unit_test(generate_refuses_bad_id),
		cmocka_unit_test_setup_teardown(keys_round_trip_with_mode_0600, setup, teardown),
		cmocka_unit_test_setup_teardown(broker_keys_have_no_box_pair, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
