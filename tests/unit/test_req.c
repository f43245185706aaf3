/* SPDX-License-Identifier: ISC */
/* Unit tests for agents/req.c, the argument readers every control handler
 * uses: unknown options named, required ones named, message ids checked,
 * and "name, role" split (or the caller's login name by default).  The
 * units under test are included. */
#include <pwd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "agents/ctlmsg.c"
#include "agents/req.c"

static struct ctlmsg_request rq;
static struct req r;

static void
with(const char *verb, const struct ctlmsg_arg *args, size_t n)
{
	memset(&rq, 0, sizeof(rq));
	snprintf(rq.verb, sizeof(rq.verb), "%s", verb);
	memcpy(rq.args, args, n * sizeof(*args));
	rq.nargs = n;
	memset(&r, 0, sizeof(r));
	r.rq = &rq;
	r.uid = getuid();
}

static void
unknown_and_missing_options_are_named(void **state)
{
	static const char *const known[] = {"id", "by", NULL};
	struct ctlmsg_arg args[] = {{"id", "x"}, {"json", "1"}, {"bye", "y"}};
	struct status st;

	(void)state;
	with("ack", args, 2);
	assert_int_equal(req_known(&r, known, &st), 0);
	with("ack", args, 3);
	assert_int_equal(req_known(&r, known, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_non_null(strstr(st.text, "--bye"));
	assert_non_null(strstr(st.text, "dutynet ack --help"));
	assert_string_equal(req_need(&r, "id", &st), "x");
	assert_null(req_need(&r, "to", &st));
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_non_null(strstr(st.text, "--to is required"));
	args[0].value = "";
	with("ack", args, 1);
	assert_null(req_need(&r, "id", &st));
}

static void
message_ids_are_checked(void **state)
{
	struct ctlmsg_arg good[] = {{"id", "019B7696-5c00-7abc-8def-0123456789ab"}};
	struct ctlmsg_arg bad[] = {{"id", "019b7696-5c00"}};
	uint8_t id[IDS_MSGID_BYTES];
	char text[IDS_MSGID_TEXT + 1];
	struct status st;

	(void)state;
	with("show", good, 1);
	assert_int_equal(req_id(&r, id, &st), 0);
	ids_msgid_format(id, text);
	assert_string_equal(text, "019b7696-5c00-7abc-8def-0123456789ab");
	with("show", bad, 1);
	assert_int_equal(req_id(&r, id, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_non_null(strstr(st.text, "'019b7696-5c00' is not a message id"));
	with("show", bad, 0);
	assert_int_equal(req_id(&r, id, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
}

static void
person_is_split_at_the_comma(void **state)
{
	struct ctlmsg_arg both[] = {{"by", "  Jo Bloggs ,  Duty Social Worker, MASH "}};
	struct ctlmsg_arg name[] = {{"by", "Jo Bloggs"}};
	struct ctlmsg_arg empty_role[] = {{"by", "Jo Bloggs,  "}};
	struct ctlmsg_arg empty_name[] = {{"by", ", role"}};
	struct req_person p;
	struct passwd *pw = getpwuid(getuid());
	struct status st;
	char big[PAYLOAD_SHORT_MAX + 2];

	(void)state;
	with("ack", both, 1);
	assert_int_equal(req_by(&r, &p, &st), 0);
	assert_string_equal(p.name, "Jo Bloggs");
	assert_string_equal(p.role, "Duty Social Worker, MASH");
	with("ack", name, 1);
	assert_int_equal(req_by(&r, &p, &st), 0);
	assert_string_equal(p.role, REQ_ROLE_DEFAULT);
	with("ack", empty_role, 1);
	assert_int_equal(req_by(&r, &p, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_non_null(strstr(st.text, "role"));
	with("ack", empty_name, 1);
	assert_int_equal(req_by(&r, &p, &st), -1);
	assert_non_null(strstr(st.text, "name"));
	memset(big, 'n', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	name[0].value = big;
	with("ack", name, 1);
	assert_int_equal(req_by(&r, &p, &st), -1);
	/* No --by: the caller's login name. */
	with("ack", name, 0);
	if (pw != NULL) {
		assert_int_equal(req_by(&r, &p, &st), 0);
		assert_string_equal(p.name, pw->pw_name);
		assert_string_equal(p.role, REQ_ROLE_DEFAULT);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unknown_and_missing_options_are_named),
		cmocka_unit_test(message_ids_are_checked),
		cmocka_unit_test(person_is_split_at_the_comma),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
