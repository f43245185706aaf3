/* SPDX-License-Identifier: ISC */
/* Unit tests for config/directory.c: loading directory.conf and lookups. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "common/keyfile.h"
#include "config/directory.h"
#include "proto/envelope.h"
#include "tests/support/confdir.h"

#define TEXT_MAX 8192
#define KEYS_TEXT 300

struct fixture {
	char *dir;
	struct conf_errors *errs;
	struct directory *d;
	/* One-line key settings for made-up agencies a0..a3 and the broker. */
	char keys[4][KEYS_TEXT];
	char broker_keys[KEYS_TEXT];
	struct keyfile *kf[4];
};

/* sign_pk = "..."; box_pk = "..."; curve_pk = "..."; on one line. */
static void
one_line_keys(const struct keyfile *k, char *out)
{
	char *nl;

	assert_true(directory_format_keys(k->sign_pk, k->has_box ? k->box_pk : NULL, k->curve_pk,
	    out, KEYS_TEXT) > 0);
	while ((nl = strchr(out, '\n')) != NULL)
		*nl = ' ';
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct keyfile *b = NULL;
	struct status st;
	char id[8];
	int i;

	assert_non_null(f);
	f->dir = confdir_new();
	f->errs = conf_errors_new();
	for (i = 0; i < 4; i++) {
		snprintf(id, sizeof(id), "agy%d", i);
		assert_int_equal(keyfile_generate(id, true, &f->kf[i], &st), 0);
		one_line_keys(f->kf[i], f->keys[i]);
	}
	assert_int_equal(keyfile_generate("broker", true, &b, &st), 0);
	one_line_keys(b, f->broker_keys);
	keyfile_destroy(&b);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	int i;

	for (i = 0; i < 4; i++)
		keyfile_destroy(&f->kf[i]);
	directory_destroy(&f->d);
	conf_errors_destroy(&f->errs);
	confdir_destroy(&f->dir);
	free(f);
	return 0;
}

/* Writes a directory.conf: line 1 the broker, line 2 "agencies = (", then
 * one line per agency (so agency i is on line 3 + i), then ");". */
static void
write_directory(struct fixture *f, const char *broker_extra, const char *const *agencies,
    size_t n)
{
	char text[TEXT_MAX];
	size_t o, i;

	o = (size_t)snprintf(text, sizeof(text), "broker = { %s %s };\nagencies = (\n",
	    f->broker_keys, broker_extra);
	for (i = 0; i < n; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o, "\t{ %s }%s\n", agencies[i],
		    i + 1 < n ? "," : "");
	snprintf(text + o, sizeof(text) - o, ");\n");
	confdir_write(f->dir, DIRECTORY_FILE, text);
}

/* One agency's settings with the keys of made-up agency k. */
static const char *
agency(struct fixture *f, int k, const char *id, const char *kind, const char *extra)
{
	static char buf[8][1024];
	static int next;
	char *b = buf[next++ % 8];

	snprintf(b, sizeof(buf[0]), "id = \"%s\"; name = \"Agency %s\"; kind = \"%s\"; %s %s",
	    id, id, kind, f->keys[k], extra);
	return b;
}

/* Loads, expecting failure and exactly n errors. */
static void
load_fails(struct fixture *f, size_t n)
{
	size_t i;

	f->d = directory_load(f->dir, f->errs);
	assert_null(f->d);
	if (conf_errors_count(f->errs) != n) {
		for (i = 0; i < conf_errors_count(f->errs); i++)
			print_error("%s\n", conf_errors_get(f->errs, i));
		fail_msg("%zu errors, expected %zu", conf_errors_count(f->errs), n);
	}
}

/* Asserts some error starts with "DIR/directory.conf:line: field: " and
 * contains text. */
static void
assert_has_error(struct fixture *f, unsigned line, const char *field, const char *text)
{
	char want[1024];
	const char *e;
	size_t i;

	snprintf(want, sizeof(want), "%s/%s:%u: %s: ", f->dir, DIRECTORY_FILE, line, field);
	for (i = 0; i < conf_errors_count(f->errs); i++) {
		e = conf_errors_get(f->errs, i);
		if (strncmp(e, want, strlen(want)) == 0 && strstr(e, text) != NULL)
			return;
	}
	for (i = 0; i < conf_errors_count(f->errs); i++)
		print_error("%s\n", conf_errors_get(f->errs, i));
	fail_msg("no error '%s...%s'", want, text);
}

static void
duplicate_id_names_both_places(void **state)
{
	struct fixture *f = *state;
	const char *a[] = {agency(f, 0, "mash", "social-care", ""),
	    agency(f, 1, "camhs", "camhs", ""), agency(f, 2, "mash", "health", "")};
	char first[512];

	write_directory(f, "", a, 3);
	load_fails(f, 1);
	snprintf(first, sizeof(first), "already used by the entry at %s/%s:3", f->dir,
	    DIRECTORY_FILE);
	assert_has_error(f, 5, "agencies[2].id", first);
}

static void
duplicate_key_names_both_places(void **state)
{
	struct fixture *f = *state;
	const char *a[] = {agency(f, 0, "mash", "social-care", ""),
	    agency(f, 1, "camhs", "camhs", ""), agency(f, 1, "health", "health", "")};
	char first[512];

	write_directory(f, "", a, 3);
	load_fails(f, 3);
	snprintf(first, sizeof(first), "same key as agencies[1].sign_pk of camhs at %s/%s:4",
	    f->dir, DIRECTORY_FILE);
	assert_has_error(f, 5, "agencies[2].sign_pk", first);
	assert_has_error(f, 5, "agencies[2].box_pk", "same key as agencies[1].box_pk of camhs");
	assert_has_error(f, 5, "agencies[2].curve_pk", "same key as agencies[1].curve_pk");
}

static void
same_key_in_two_roles_is_an_error(void **state)
{
	struct fixture *f = *state;
	char sign[SEAL_SIGN_PKBYTES * 2 + 1], box[SEAL_BOX_PKBYTES * 2 + 1], text[512];
	const char *a[1];

	/* agy0's box key reused as its curve key. */
	sodium_bin2hex(sign, sizeof(sign), f->kf[0]->sign_pk, SEAL_SIGN_PKBYTES);
	sodium_bin2hex(box, sizeof(box), f->kf[0]->box_pk, SEAL_BOX_PKBYTES);
	snprintf(text, sizeof(text), "id = \"mash\"; name = \"M\"; kind = \"social-care\"; "
	    "sign_pk = \"%s\"; box_pk = \"%s\"; curve_pk = \"%s\";", sign, box, box);
	a[0] = text;
	write_directory(f, "", a, 1);
	load_fails(f, 1);
	assert_has_error(f, 3, "agencies[0].curve_pk", "same key as agencies[0].box_pk of mash");
}

static void
malformed_keys_are_reported_each(void **state)
{
	struct fixture *f = *state;
	char a0[512], a1[512], a2[512], a3[512];
	char zero[65], bad[65], shortkey[63];
	const char *a[4];

	memset(zero, '0', 64);
	zero[64] = '\0';
	memset(bad, 'a', 64);
	bad[10] = 'x';
	bad[64] = '\0';
	memset(shortkey, 'a', 62);
	shortkey[62] = '\0';
	snprintf(a0, sizeof(a0), "id = \"a-one\"; name = \"A\"; kind = \"health\"; sign_pk = \"%s\"; "
	    "box_pk = \"%s\"; curve_pk = \"%s\";", bad, shortkey, zero);
	/* Valid hex but not keys: an all-zero Ed25519 key is a small-order point. */
	snprintf(a1, sizeof(a1), "id = \"a-two\"; name = \"B\"; kind = \"health\"; sign_pk = \"%s\"; "
	    "box_pk = 5; curve_pk = \"%s\";", zero, zero);
	snprintf(a2, sizeof(a2), "id = \"a-three\"; name = \"C\"; kind = \"health\";");
	snprintf(a3, sizeof(a3), "%s", agency(f, 3, "a-four", "health", ""));
	a[0] = a0;
	a[1] = a1;
	a[2] = a2;
	a[3] = a3;
	write_directory(f, "", a, 4);
	load_fails(f, 9);
	assert_has_error(f, 3, "agencies[0].sign_pk", "is not hex: character 11 is not 0-9 or a-f");
	assert_has_error(f, 3, "agencies[0].box_pk", "has 62 hex digits; it must have exactly 64");
	assert_has_error(f, 3, "agencies[0].curve_pk", "is a low-order X25519 point");
	assert_has_error(f, 4, "agencies[1].sign_pk", "is not a valid Ed25519 public key");
	assert_has_error(f, 4, "agencies[1].box_pk", "must be a string of 64 hex digits");
	assert_has_error(f, 4, "agencies[1].curve_pk", "is a low-order X25519 point");
	assert_has_error(f, 5, "agencies[2].sign_pk", "missing; this setting is required");
	assert_has_error(f, 5, "agencies[2].box_pk", "missing; this setting is required");
	assert_has_error(f, 5, "agencies[2].curve_pk", "missing; this setting is required");
}

static void
bad_fields_are_reported_in_one_run(void **state)
{
	struct fixture *f = *state;
	const char *a[] = {
	    "id = \"Bad_Id\"; name = \"x\"; kind = \"school\";",
	    "id = \"ok-id\"; kind = \"scool\"; colour = \"red\";",
	    "id = \"ok-two\"; name = \"\"; kind = \"camhs\"; accepts = [ \"referal\", \"ack\" ];",
	    "id = \"ok-three\"; name = \"n\"; kind = \"police\"; "
	    "escalation = { chain = ( { tell = \"nobody\"; after = \"5 fortnights\"; }, "
	    "{ tell = \"Not An Id\"; } ); boss = 1; };",
	};
	char full[4][1024];
	int i;

	for (i = 0; i < 4; i++) {
		snprintf(full[i], sizeof(full[i]), "%s %s", a[i], f->keys[i]);
		a[i] = full[i];
	}
	write_directory(f, "", a, 4);
	load_fails(f, 10);
	assert_has_error(f, 3, "agencies[0].id", "'Bad_Id' is not a valid agency id");
	assert_has_error(f, 4, "agencies[1].colour", "unknown setting 'colour'");
	assert_has_error(f, 4, "agencies[1].name", "missing; this setting is required");
	assert_has_error(f, 4, "agencies[1].kind", "unknown kind 'scool'; kinds are: school, "
	    "social-care, emergency-duty-team, camhs, health, police, housing, youth-offending, "
	    "early-help, partnership");
	assert_has_error(f, 5, "agencies[2].name", "must not be empty");
	assert_has_error(f, 5, "agencies[2].accepts[0]", "unknown message type 'referal'; "
	    "types are: referral, concern, receipt, ack, decision, feedback, escalation, reject");
	assert_has_error(f, 6, "agencies[3].escalation.boss", "unknown setting 'boss'");
	assert_has_error(f, 6, "agencies[3].escalation.chain[0].after", "5 fortnights");
	assert_has_error(f, 6, "agencies[3].escalation.chain[0].tell",
	    "unknown agency 'nobody': no entry in agencies has that id");
	assert_has_error(f, 6, "agencies[3].escalation.chain[1].tell",
	    "'Not An Id' is neither \"sender\", \"recipient\" nor an agency id");
}

static void
broker_problems_are_reported(void **state)
{
	struct fixture *f = *state;
	const char *a[] = {agency(f, 0, "broker", "social-care", "")};

	/* The broker's id clashes with an agency's. */
	write_directory(f, "id = \"broker\";", a, 1);
	load_fails(f, 1);
	assert_has_error(f, 1, "broker.id", "the broker's id 'broker' is also an agency's id");
}

static void
missing_top_level_settings_are_reported(void **state)
{
	struct fixture *f = *state;

	confdir_write(f->dir, DIRECTORY_FILE, "version = -1;\nagencie = ();\n");
	load_fails(f, 4);
	assert_has_error(f, 2, "agencie", "unknown setting 'agencie'");
	assert_has_error(f, 1, "version", "-1 is out of range");
	assert_has_error(f, 0, "agencies", "missing; this setting is required");
	assert_has_error(f, 0, "broker", "missing; this setting is required");
}

static void
syntax_error_and_missing_file(void **state)
{
	struct fixture *f = *state;

	load_fails(f, 1);
	assert_has_error(f, 0, "file", "cannot read it");
	conf_errors_destroy(&f->errs);
	f->errs = conf_errors_new();
	confdir_write(f->dir, DIRECTORY_FILE, "agencies = (\n{ id = \"x\" \n name = ; }\n);\n");
	load_fails(f, 1);
	assert_has_error(f, 3, "syntax", "syntax error");
}

static void
bad_calendar_is_reported(void **state)
{
	struct fixture *f = *state;
	const char *a[] = {agency(f, 0, "mash", "social-care",
	    "calendar = { hours = { mon = [ \"9-5\" ]; }; };")};

	write_directory(f, "", a, 1);
	load_fails(f, 1);
	assert_has_error(f, 3, "agencies[0].calendar.hours.mon[0]", "'9-5'");
}

static void
example_style_area_loads_every_field(void **state)
{
	struct fixture *f = *state;
	const struct directory_agency *school, *mash, *camhs;
	struct keyfile *k = NULL;
	struct status st;
	char *path;

	confdir_area(f->dir);
	f->d = directory_load(f->dir, f->errs);
	assert_int_equal(conf_errors_count(f->errs), 0);
	assert_non_null(f->d);
	assert_int_equal(f->d->version, 3);
	assert_int_equal(f->d->n_agencies, 3);
	assert_string_equal(f->d->broker.id, DIRECTORY_BROKER_ID_DEFAULT);

	path = confdir_path(f->dir, "keys/mash.key");
	assert_int_equal(keyfile_load(path, &k, &st), 0);
	free(path);
	mash = directory_find(f->d, "mash");
	assert_non_null(mash);
	assert_string_equal(mash->name, "MASH");
	assert_int_equal(mash->kind, DIRECTORY_SOCIAL_CARE);
	assert_memory_equal(mash->sign_pk, k->sign_pk, SEAL_SIGN_PKBYTES);
	assert_memory_equal(mash->box_pk, k->box_pk, SEAL_BOX_PKBYTES);
	assert_memory_equal(mash->curve_pk, k->curve_pk, DIRECTORY_CURVE_PKBYTES);
	assert_string_equal(mash->contact.email, "mash@example.org");
	assert_string_equal(mash->contact.phone, "01632 960000");
	assert_null(mash->contact.out_of_hours);
	assert_string_equal(mash->escalation.manager, "Team manager");
	assert_null(mash->escalation.manager_contact);
	assert_int_equal(mash->escalation.n_chain, 2);
	assert_int_equal(mash->escalation.chain[0].tell, DIRECTORY_TELL_SENDER);
	assert_int_equal(mash->escalation.chain[0].after.clock_ms, 0);
	assert_int_equal(mash->escalation.chain[1].tell, DIRECTORY_TELL_AGENCY);
	assert_string_equal(mash->escalation.chain[1].agency, "camhs");
	assert_int_equal(mash->escalation.chain[1].after.parsed.kind, DURATION_WORKING);
	assert_int_equal(mash->escalation.chain[1].after.parsed.ms, 2 * 3600000);

	/* Lookups by each key. */
	assert_ptr_equal(directory_find_curve(f->d, k->curve_pk), mash);
	assert_ptr_equal(directory_find_sign_keyid(f->d, mash->sign_keyid), mash);
	assert_ptr_equal(directory_find_box_keyid(f->d, mash->box_keyid), mash);
	assert_null(directory_find_curve(f->d, k->box_pk));
	assert_null(directory_find_sign_keyid(f->d, mash->box_keyid));
	assert_null(directory_find_box_keyid(f->d, mash->sign_keyid));
	assert_null(directory_find(f->d, "nobody"));
	assert_null(directory_find(f->d, "broker"));
	keyfile_destroy(&k);

	/* Accepts: default by kind, explicit list plus receipts and rejects. */
	school = directory_find(f->d, "school-a");
	camhs = directory_find(f->d, "camhs");
	assert_int_equal(school->accepts, directory_accepts_default(DIRECTORY_SCHOOL));
	assert_false(directory_accepts(school, ENVELOPE_REFERRAL));
	assert_true(directory_accepts(school, ENVELOPE_CONCERN));
	assert_true(directory_accepts(school, ENVELOPE_DECISION));
	assert_true(directory_accepts(camhs, ENVELOPE_REFERRAL));
	assert_false(directory_accepts(camhs, ENVELOPE_CONCERN));
	assert_true(directory_accepts(camhs, ENVELOPE_RECEIPT));
	assert_true(directory_accepts(camhs, ENVELOPE_REJECT));
	assert_false(directory_accepts(camhs, 0));
	assert_false(directory_accepts(camhs, ENVELOPE_TYPE_MAX + 1));
	assert_true(directory_accepts(mash, ENVELOPE_CONCERN));
	/* No escalation group: the default chain, sender and recipient at once. */
	assert_null(camhs->escalation.manager);
	assert_int_equal(camhs->escalation.n_chain, 2);
	assert_int_equal(camhs->escalation.chain[0].tell, DIRECTORY_TELL_SENDER);
	assert_int_equal(camhs->escalation.chain[1].tell, DIRECTORY_TELL_RECIPIENT);
	assert_int_equal(camhs->escalation.chain[1].after.clock_ms, 0);
	/* The broker's box key, for the notices it seals. */
	assert_false(sodium_is_zero(f->d->broker.box_pk, SEAL_BOX_PKBYTES));
}

static void
key_ids_are_seal_key_ids(void **state)
{
	struct fixture *f = *state;
	const struct directory_agency *a;
	uint8_t id[SEAL_KEYID_BYTES];
	const char *list[] = {agency(f, 2, "health", "health", "")};

	write_directory(f, "id = \"hub\";", list, 1);
	f->d = directory_load(f->dir, f->errs);
	assert_non_null(f->d);
	a = directory_find(f->d, "health");
	seal_keyid(f->kf[2]->sign_pk, SEAL_SIGN_PKBYTES, id);
	assert_memory_equal(a->sign_keyid, id, sizeof(id));
	seal_keyid(f->kf[2]->box_pk, SEAL_BOX_PKBYTES, id);
	assert_memory_equal(a->box_keyid, id, sizeof(id));
	assert_string_equal(f->d->broker.id, "hub");
	seal_keyid(f->d->broker.sign_pk, SEAL_SIGN_PKBYTES, id);
	assert_memory_equal(f->d->broker.sign_keyid, id, sizeof(id));
	assert_int_equal(f->d->version, 0);
	assert_int_equal(f->d->agencies[0].accepts, directory_accepts_default(DIRECTORY_HEALTH));
}

static void
kind_names_round_trip(void **state)
{
	int k;

	(void)state;
	for (k = 0; k < DIRECTORY_KIND_COUNT; k++)
		assert_int_equal(directory_kind_parse(directory_kind_name(k)), k);
	assert_string_equal(directory_kind_name(DIRECTORY_EMERGENCY_DUTY_TEAM),
	    "emergency-duty-team");
	assert_null(directory_kind_name(-1));
	assert_null(directory_kind_name(DIRECTORY_KIND_COUNT));
	assert_int_equal(directory_kind_parse("mash"), -1);
	assert_int_equal(directory_accepts_default(DIRECTORY_PARTNERSHIP),
	    DIRECTORY_TYPE_BIT(ENVELOPE_ESCALATION) | DIRECTORY_TYPE_BIT(ENVELOPE_RECEIPT) |
	    DIRECTORY_TYPE_BIT(ENVELOPE_REJECT));
}

static void
format_keys_fits_or_fails(void **state)
{
	struct fixture *f = *state;
	char out[DIRECTORY_KEYS_TEXT_MAX], hex[65];
	int n;

	n = directory_format_keys(f->kf[0]->sign_pk, NULL, f->kf[0]->curve_pk, out, sizeof(out));
	assert_int_equal(n, (int)strlen(out));
	sodium_bin2hex(hex, sizeof(hex), f->kf[0]->sign_pk, 32);
	assert_memory_equal(out, "sign_pk = \"", 11);
	assert_memory_equal(out + 11, hex, 64);
	assert_null(strstr(out, "box_pk"));
	assert_int_equal(directory_format_keys(f->kf[0]->sign_pk, f->kf[0]->box_pk,
	    f->kf[0]->curve_pk, out, 100), -1);
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(duplicate_id_names_both_places),
		T(duplicate_key_names_both_places),
		T(same_key_in_two_roles_is_an_error),
		T(malformed_keys_are_reported_each),
		T(bad_fields_are_reported_in_one_run),
		T(broker_problems_are_reported),
		T(missing_top_level_settings_are_reported),
		T(syntax_error_and_missing_file),
		T(bad_calendar_is_reported),
		T(example_style_area_loads_every_field),
		T(key_ids_are_seal_key_ids),
		cmocka_unit_test(kind_names_round_trip),
		T(format_keys_fits_or_fails),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
