/* SPDX-License-Identifier: ISC */
/* Unit tests for agents/req_deadlines.c, `dutynet deadlines` as people read
 * it: an option it does not take is named; with nothing open it says so
 * in one line; otherwise a table, soonest first, and a last line that is a
 * whole sentence, ended with a newline.  The inbox, outbox and notices are
 * stand-ins that hand out the message a test sets; the deadlines come from
 * a real policy.conf and calendar, at fixed instants.  The units under
 * test are included. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agents/ctlmsg.c"
#include "agents/due.c"
#include "agents/duelist.c"
#include "agents/output.c"
#include "agents/req.c"
#include "agents/req_deadlines.c"
#include "common/clock.h"
#include "config/policy.h"
#include "tests/support/confdir.h"
#include "tests/support/instant.h"

static const char deadlines[] =
    "deadlines = (\n"
    "\t{ name = \"CAMHS single point of access\"; types = [ \"referral\", \"concern\" ];\n"
    "\t  urgency = \"*\"; to = [ \"camhs\" ]; ack = \"3 working days\";\n"
    "\t  decision = \"by the end of the 10th working day\"; }\n"
    ");\n";

static char *confdir;
static struct agent agent;
static struct outbox_msg referral;	/* the outbox: this message, if n_sent */
static size_t n_sent;

int
outbox_list(struct db *db, int pending_only, int (*fn)(const struct outbox_msg *m, void *arg),
    void *arg, struct status *st)
{
	(void)db, (void)pending_only, (void)st;
	if (n_sent)
		fn(&referral, arg);
	return 0;
}

int
inbox_list(struct db *db, int (*fn)(const struct inbox_msg *m, void *arg), void *arg,
    struct status *st)
{
	(void)db, (void)fn, (void)arg, (void)st;
	return 0;
}

int
notice_list(struct db *db, const uint8_t *about,
    int (*fn)(const struct notice_row *n, void *arg), void *arg, struct status *st)
{
	(void)db, (void)about, (void)fn, (void)arg, (void)st;
	return 0;
}

int
inbox_get(struct db *db, const uint8_t id[IDS_MSGID_BYTES], struct inbox_msg *m,
    struct status *st)
{
	(void)db, (void)id, (void)m, (void)st;
	return 0;
}

int
outbox_get(struct db *db, const uint8_t id[IDS_MSGID_BYTES], struct outbox_msg *m,
    struct status *st)
{
	(void)db, (void)st;
	if (!n_sent || memcmp(id, referral.id, IDS_MSGID_BYTES) != 0)
		return 0;
	*m = referral;
	return 1;
}

int
inbox_replies(struct db *db, const uint8_t id[IDS_MSGID_BYTES],
    int (*fn)(const struct inbox_msg *m, void *arg), void *arg, struct status *st)
{
	(void)db, (void)id, (void)fn, (void)arg, (void)st;
	return 0;
}

int
outbox_replies(struct db *db, const uint8_t id[IDS_MSGID_BYTES],
    int (*fn)(const struct outbox_msg *m, void *arg), void *arg, struct status *st)
{
	(void)db, (void)id, (void)fn, (void)arg, (void)st;
	return 0;
}

static int
setup(void **state)
{
	struct conf_errors *errs = conf_errors_new();
	struct status st;
	char *policy_text;

	(void)state;
	confdir = confdir_new();
	confdir_area(confdir);
	if (asprintf(&policy_text, "%s%s", CONFDIR_POLICY, deadlines) == -1)
		abort();
	confdir_write(confdir, "policy.conf", policy_text);
	free(policy_text);
	memset(&agent, 0, sizeof(agent));
	agent.dir = directory_load(confdir, errs);
	agent.policy = policy_load(confdir, agent.dir, errs);
	assert_int_equal(conf_errors_count(errs), 0);
	conf_errors_destroy(&errs);
	assert_non_null(agent.cals = agencycal_load(confdir, agent.dir, agencycal_holidays_path(),
			    &st));
	assert_non_null(agent.self = directory_find(agent.dir, "mash"));

	/* The MASH's referral to CAMHS, accepted on Wednesday 11 June 2025 at
	 * 10:00 London. */
	memset(&referral, 0, sizeof(referral));
	ids_msgid_new(instant_ms("2025-06-11T10:00:00+01:00"), referral.id);
	referral.type = ENVELOPE_REFERRAL;
	referral.urgency = URGENCY_STANDARD;
	snprintf(referral.to, sizeof(referral.to), "camhs");
	snprintf(referral.case_id, sizeof(referral.case_id), "RD-1");
	referral.state = OUTBOX_DELIVERED;
	referral.created_ms = instant_ms("2025-06-11T10:00:00+01:00");
	referral.accepted_ms = referral.created_ms;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	agencycal_destroy(&agent.cals);
	policy_destroy(&agent.policy);
	directory_destroy(&agent.dir);
	confdir_destroy(&confdir);
	return 0;
}

/* Runs `dutynet deadlines` (with the arguments given) into o. */
static int
deadlines_of(const struct ctlmsg_arg *args, size_t n, struct output *o, struct status *st)
{
	struct ctlmsg_request rq;
	struct req r;

	memset(&rq, 0, sizeof(rq));
	snprintf(rq.verb, sizeof(rq.verb), "deadlines");
	if (n > 0)
		memcpy(rq.args, args, n * sizeof(*args));
	rq.nargs = n;
	memset(&r, 0, sizeof(r));
	r.a = &agent;
	r.rq = &rq;
	r.out = o;
	output_init(o, false);
	return req_deadlines(&r, st);
}

static void
an_option_it_does_not_take_is_named(void **state)
{
	struct ctlmsg_arg args[] = {{"all", "1"}};
	struct output o;
	struct status st;

	(void)state;
	assert_int_equal(deadlines_of(args, 1, &o, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_non_null(strstr(st.text, "--all"));
	output_free(&o);
}

static void
nothing_open_is_one_line(void **state)
{
	struct output o;
	struct status st;

	(void)state;
	n_sent = 0;
	clock_set_fixed(instant_ms("2025-06-11T11:00:00+01:00"));
	assert_int_equal(deadlines_of(NULL, 0, &o, &st), 0);
	assert_string_equal(o.buf,
	    "nothing is due: mash has no open deadlines (2025-06-11T11:00:00+01:00)\n");
	output_free(&o);
}

static void
the_table_ends_with_a_whole_line(void **state)
{
	static const char head[] =
	    "DUE                            STEP      ROLE       MESSAGE                         "
	    "      WITH                  STATE\n";
	static const char last[] =
	    "'dutynet status ID' shows all of one message's deadlines, met and late ones too.\n";
	char id[IDS_MSGID_TEXT + 1], row[256];
	struct output o;
	struct status st;

	(void)state;
	n_sent = 1;
	ids_msgid_format(referral.id, id);
	clock_set_fixed(instant_ms("2025-06-11T11:00:00+01:00"));
	assert_int_equal(deadlines_of(NULL, 0, &o, &st), 0);
	assert_memory_equal(o.buf, head, sizeof(head) - 1);
	snprintf(row, sizeof(row), "\n2025-06-16T10:00:00+01:00      ack       sender     %s  "
	    "camhs                 due in 4d 23h\n", id);
	assert_non_null(strstr(o.buf, row));
	snprintf(row, sizeof(row), "\n2025-06-24T17:00:00+01:00      decision  sender     %s  "
	    "camhs                 due in 13d 6h\n", id);
	assert_non_null(strstr(o.buf, row));
	/* The summary, then where to look next: both whole lines. */
	assert_non_null(strstr(o.buf,
	    "\n2 open deadlines of mash at 2025-06-11T11:00:00+01:00, soonest first.\n"));
	assert_true(o.len > sizeof(last));
	assert_string_equal(o.buf + o.len - (sizeof(last) - 1), last);
	assert_int_equal(o.buf[o.len - sizeof(last)], '\n');
	output_free(&o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(an_option_it_does_not_take_is_named),
		cmocka_unit_test(nothing_open_is_one_line),
		cmocka_unit_test(the_table_ends_with_a_whole_line),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
