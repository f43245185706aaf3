/* SPDX-License-Identifier: ISC */
/* Unit tests for config/policy.c: the two-sided sharing policy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config/policy.h"
#include "proto/envelope.h"
#include "tests/support/confdir.h"

struct fixture {
	char *dir;
	struct conf_errors *errs;
	struct directory *d;
	struct policy *p;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->dir = confdir_new();
	f->errs = conf_errors_new();
	confdir_area(f->dir);
	f->d = directory_load(f->dir, f->errs);
	assert_non_null(f->d);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	policy_destroy(&f->p);
	directory_destroy(&f->d);
	conf_errors_destroy(&f->errs);
	confdir_destroy(&f->dir);
	free(f);
	return 0;
}

/* Loads policy text, expecting exactly n errors (0: success). */
static void
load(struct fixture *f, const char *text, size_t n)
{
	size_t i;

	if (text != NULL)
		confdir_write(f->dir, POLICY_FILE, text);
	f->p = policy_load(f->dir, f->d, f->errs);
	if (conf_errors_count(f->errs) != n) {
		for (i = 0; i < conf_errors_count(f->errs); i++)
			print_error("%s\n", conf_errors_get(f->errs, i));
		fail_msg("%zu errors, expected %zu", conf_errors_count(f->errs), n);
	}
	if (n == 0)
		assert_non_null(f->p);
	else
		assert_null(f->p);
}

/* Asserts error i is "DIR/policy.conf:line: field: message". */
static void
assert_error(struct fixture *f, size_t i, unsigned line, const char *field, const char *message)
{
	char want[1024];

	snprintf(want, sizeof(want), "%s/%s:%u: %s: %s", f->dir, POLICY_FILE, line, field,
	    message);
	assert_string_equal(conf_errors_get(f->errs, i), want);
}

/* policy_allows must refuse with code and (if not NULL) exactly text. */
static void
refused(struct fixture *f, const char *from, const char *to, int type, int code,
    const char *text)
{
	struct status st;

	assert_int_equal(policy_allows(f->p, f->d, from, to, type, &st), -1);
	assert_int_equal(st.code, code);
	if (text != NULL)
		assert_string_equal(st.text, text);
}

static void
allowed(struct fixture *f, const char *from, const char *to, int type)
{
	struct status st;

	if (policy_allows(f->p, f->d, from, to, type, &st) != 0)
		fail_msg("%s -> %s type %d refused: %d %s", from, to, type, st.code, st.text);
	assert_int_equal(st.code, STATUS_OK);
}

static void
sharing_agreement_forbids_with_531(void **state)
{
	struct fixture *f = *state;

	load(f, NULL, 0);
	refused(f, "school-a", "camhs", ENVELOPE_DECISION, STATUS_FORBIDDEN,
	    "policy.conf has no rule letting school-a (school) send decision to camhs (camhs)");
	refused(f, "camhs", "mash", ENVELOPE_REFERRAL, STATUS_FORBIDDEN,
	    "policy.conf has no rule letting camhs (camhs) send referral to mash (social-care)");
	/* Escalations come from the broker only. */
	refused(f, "mash", "camhs", ENVELOPE_ESCALATION, STATUS_FORBIDDEN, NULL);
	refused(f, "broker", "mash", ENVELOPE_REFERRAL, STATUS_FORBIDDEN,
	    "policy.conf has no rule letting broker (the broker) send referral to mash "
	    "(social-care)");
	refused(f, "mash", "broker", ENVELOPE_FEEDBACK, STATUS_FORBIDDEN,
	    "the broker receives only receipts and rejects, not feedback");
}

static void
recipient_that_does_not_accept_refuses_with_532(void **state)
{
	struct fixture *f = *state;

	load(f, NULL, 0);
	/* The agreement lets schools send concerns to CAMHS; CAMHS does not take them. */
	refused(f, "school-a", "camhs", ENVELOPE_CONCERN, STATUS_NOT_ACCEPTED,
	    "camhs does not accept concern messages (see its accepts in directory.conf)");
}

static void
unknown_agencies_and_types_are_refused(void **state)
{
	struct fixture *f = *state;

	load(f, NULL, 0);
	refused(f, "nobody", "mash", ENVELOPE_REFERRAL, STATUS_UNKNOWN_AGENCY,
	    "unknown agency 'nobody': not in directory.conf");
	refused(f, "school-a", "no\nbody", ENVELOPE_REFERRAL, STATUS_UNKNOWN_AGENCY,
	    "unknown agency 'no\\x0abody': not in directory.conf");
	refused(f, "nobody", "mash", ENVELOPE_RECEIPT, STATUS_UNKNOWN_AGENCY, NULL);
	refused(f, "school-a", "mash", 0, STATUS_BAD_TYPE, NULL);
	refused(f, "school-a", "mash", ENVELOPE_TYPE_MAX + 1, STATUS_BAD_TYPE, NULL);
}

static void
both_sides_allow(void **state)
{
	struct fixture *f = *state;

	load(f, NULL, 0);
	assert_int_equal(policy_rule_count(f->p), 4);
	allowed(f, "school-a", "mash", ENVELOPE_REFERRAL);
	allowed(f, "school-a", "mash", ENVELOPE_CONCERN);
	allowed(f, "school-a", "camhs", ENVELOPE_REFERRAL);
	allowed(f, "mash", "school-a", ENVELOPE_DECISION);
	allowed(f, "camhs", "school-a", ENVELOPE_FEEDBACK);
	allowed(f, "mash", "camhs", ENVELOPE_REFERRAL);	/* a rule naming agencies */
	allowed(f, "broker", "school-a", ENVELOPE_ESCALATION);
	allowed(f, "broker", "camhs", ENVELOPE_ESCALATION);
}

static void
receipts_and_rejects_need_no_rule(void **state)
{
	struct fixture *f = *state;

	load(f, "sharing = ();\n", 0);
	assert_int_equal(policy_rule_count(f->p), 0);
	refused(f, "school-a", "mash", ENVELOPE_REFERRAL, STATUS_FORBIDDEN, NULL);
	allowed(f, "camhs", "school-a", ENVELOPE_RECEIPT);
	allowed(f, "mash", "camhs", ENVELOPE_REJECT);
	allowed(f, "school-a", "broker", ENVELOPE_RECEIPT);
}

static void
wildcards_and_agency_ids(void **state)
{
	struct fixture *f = *state;

	load(f, "sharing = (\n"
		"\t{ from = [ \"mash\" ]; to = [ \"*\" ]; types = [ \"*\" ]; }\n"
		");\n", 0);
	allowed(f, "mash", "camhs", ENVELOPE_DECISION);
	allowed(f, "mash", "school-a", ENVELOPE_CONCERN);
	/* The rule allows it; the school does not accept referrals. */
	refused(f, "mash", "school-a", ENVELOPE_REFERRAL, STATUS_NOT_ACCEPTED, NULL);
	/* The rule names mash, not its kind. */
	refused(f, "camhs", "school-a", ENVELOPE_DECISION, STATUS_FORBIDDEN, NULL);
	/* "*" is every agency, not the broker. */
	refused(f, "mash", "broker", ENVELOPE_DECISION, STATUS_FORBIDDEN, NULL);
}

static void
star_does_not_match_the_broker_as_sender(void **state)
{
	struct fixture *f = *state;

	load(f, "sharing = ( { from = [ \"*\" ]; to = [ \"*\" ]; types = [ \"escalation\" ]; } );\n",
	    0);
	allowed(f, "mash", "camhs", ENVELOPE_ESCALATION);
	refused(f, "broker", "camhs", ENVELOPE_ESCALATION, STATUS_FORBIDDEN, NULL);
}

static void
unknown_names_are_errors_with_line_and_field(void **state)
{
	struct fixture *f = *state;

	load(f,
	    "sharing = (\n"
	    "\t{ from = [ \"school\", \"nobody\" ]; to = [ \"camhs\" ]; types = [ \"referral\" ]; },\n"
	    "\t{ from = [ \"mash\" ]; to = [ \"broker\", \"Not An Id\" ];\n"
	    "\t  types = [ \"referal\" ]; },\n"
	    "\t{ from = [ ]; to = [ \"*\" ]; colour = \"red\"; }\n"
	    ");\n"
	    "extra = 1;\n",
	    8);
	assert_error(f, 0, 7, "extra", "unknown setting 'extra' (known here: sharing, deadlines, reminders)");
	assert_error(f, 1, 2, "sharing[0].from[1]",
	    "unknown agency 'nobody': it is not a kind and no agency in directory.conf has that id");
	assert_error(f, 2, 3, "sharing[1].to[0]", "the broker ('broker') receives only receipts "
	    "and rejects, which need no rule; it cannot be in 'to'");
	assert_error(f, 3, 3, "sharing[1].to[1]", "'Not An Id' is neither \"*\", a kind (school, "
	    "social-care, emergency-duty-team, camhs, health, police, housing, youth-offending, "
	    "early-help, partnership) nor an agency id");
	assert_error(f, 4, 4, "sharing[1].types[0]", "unknown message type 'referal'; types are: "
	    "referral, concern, receipt, ack, decision, feedback, escalation, reject");
	assert_error(f, 5, 5, "sharing[2].colour",
	    "unknown setting 'colour' (known here: name, from, to, types)");
	assert_error(f, 6, 5, "sharing[2].from",
	    "is empty; name at least one kind, agency id or \"*\"");
	assert_error(f, 7, 5, "sharing[2].types", "missing; this setting is required");
}

static void
without_directory_ids_are_checked_for_form_only(void **state)
{
	struct fixture *f = *state;

	confdir_write(f->dir, POLICY_FILE,
	    "sharing = ( { from = [ \"nobody\" ]; to = [ \"school\" ]; types = [ \"ack\" ]; } );\n");
	f->p = policy_load(f->dir, NULL, f->errs);
	assert_non_null(f->p);
	assert_int_equal(conf_errors_count(f->errs), 0);
	policy_destroy(&f->p);
	load(f, NULL, 1);
	assert_non_null(strstr(conf_errors_get(f->errs, 0), "unknown agency 'nobody'"));
}

static void
syntax_errors_and_missing_file(void **state)
{
	struct fixture *f = *state;
	char *path = confdir_path(f->dir, POLICY_FILE);

	load(f, "sharing = (\n\t{ from = [ \"school\" ; }\n);\n", 1);
	assert_error(f, 0, 2, "syntax", "syntax error");
	conf_errors_destroy(&f->errs);
	f->errs = conf_errors_new();
	unlink(path);
	load(f, NULL, 1);
	assert_error(f, 0, 0, "file", "cannot read it: No such file or directory");
	conf_errors_destroy(&f->errs);
	f->errs = conf_errors_new();
	load(f, "rules = ();\n", 2);
	assert_error(f, 1, 0, "sharing", "missing; this setting is required");
	free(path);
	policy_destroy(NULL);
}

/* Copies config/example/NAME from the source tree into dir. */
static void
copy_example(const char *dir, const char *name)
{
	const char *src = getenv("DUTYNET_SOURCE_DIR");
	char path[1024], text[16384];
	size_t n;
	FILE *fp;

	assert_non_null(src);
	snprintf(path, sizeof(path), "%s/config/example/%s", src, name);
	fp = fopen(path, "r");
	assert_non_null(fp);
	n = fread(text, 1, sizeof(text) - 1, fp);
	assert_true(n < sizeof(text) - 1);
	text[n] = '\0';
	fclose(fp);
	confdir_write(dir, name, text);
}

static void
example_area_agreement(void **state)
{
	static const char *const ids[] = {"school-stmarys", "mash", "edt", "camhs", "police-cpu",
	    "housing", "lscp"};
	struct fixture *f = *state;
	size_t i;

	/* A fresh area: the example's files and new keys. */
	confdir_destroy(&f->dir);
	directory_destroy(&f->d);
	f->dir = confdir_new();
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		confdir_keys(f->dir, ids[i], false);
	confdir_keys(f->dir, "broker", true);
	copy_example(f->dir, DIRECTORY_FILE);
	f->d = directory_load(f->dir, f->errs);
	assert_non_null(f->d);
	copy_example(f->dir, POLICY_FILE);
	load(f, NULL, 0);
	allowed(f, "school-stmarys", "mash", ENVELOPE_REFERRAL);
	allowed(f, "school-stmarys", "mash", ENVELOPE_CONCERN);
	allowed(f, "school-stmarys", "camhs", ENVELOPE_REFERRAL);
	allowed(f, "school-stmarys", "police-cpu", ENVELOPE_CONCERN);
	allowed(f, "school-stmarys", "housing", ENVELOPE_REFERRAL);
	allowed(f, "mash", "school-stmarys", ENVELOPE_ACK);
	allowed(f, "camhs", "school-stmarys", ENVELOPE_DECISION);
	allowed(f, "housing", "school-stmarys", ENVELOPE_FEEDBACK);
	allowed(f, "police-cpu", "school-stmarys", ENVELOPE_CONCERN);
	allowed(f, "mash", "edt", ENVELOPE_REFERRAL);
	allowed(f, "edt", "mash", ENVELOPE_FEEDBACK);
	allowed(f, "mash", "housing", ENVELOPE_DECISION);
	allowed(f, "broker", "camhs", ENVELOPE_ESCALATION);
	allowed(f, "edt", "school-stmarys", ENVELOPE_RECEIPT);
	refused(f, "school-stmarys", "camhs", ENVELOPE_CONCERN, STATUS_NOT_ACCEPTED, NULL);
	refused(f, "school-stmarys", "housing", ENVELOPE_CONCERN, STATUS_NOT_ACCEPTED, NULL);
	/* Out of hours an agent copies urgent messages to the EDT (issue 6). */
	allowed(f, "school-stmarys", "edt", ENVELOPE_REFERRAL);
	allowed(f, "school-stmarys", "edt", ENVELOPE_CONCERN);
	allowed(f, "edt", "school-stmarys", ENVELOPE_ACK);
	allowed(f, "broker", "lscp", ENVELOPE_ESCALATION);
	refused(f, "school-stmarys", "lscp", ENVELOPE_REFERRAL, STATUS_FORBIDDEN, NULL);
	refused(f, "mash", "lscp", ENVELOPE_ACK, STATUS_FORBIDDEN, NULL);
	refused(f, "school-stmarys", "camhs", ENVELOPE_DECISION, STATUS_FORBIDDEN,
	    "policy.conf has no rule letting school-stmarys (school) send decision to camhs "
	    "(camhs)");
	refused(f, "camhs", "mash", ENVELOPE_ESCALATION, STATUS_FORBIDDEN, NULL);
	refused(f, "housing", "camhs", ENVELOPE_REFERRAL, STATUS_FORBIDDEN, NULL);
	refused(f, "mash", "school-stmarys", ENVELOPE_REFERRAL, STATUS_FORBIDDEN, NULL);
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(sharing_agreement_forbids_with_531),
		T(recipient_that_does_not_accept_refuses_with_532),
		T(unknown_agencies_and_types_are_refused),
		T(unknown_names_are_errors_with_line_and_field),
		T(syntax_errors_and_missing_file),
		T(without_directory_ids_are_checked_for_form_only),
		T(both_sides_allow),
		T(receipts_and_rejects_need_no_rule),
		T(wildcards_and_agency_ids),
		T(star_does_not_match_the_broker_as_sender),
		T(example_area_agreement),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
