/* SPDX-License-Identifier: ISC */
/* Unit tests for agents/req_status.c, `dutynet status ID` as people read
 * it: a message that is not here is named; the timeline's columns line up
 * whatever the event names (out-of-hours-copy is the longest the agent
 * writes); and the deadline lines read naturally for both forms of time
 * limit ("within 3 working days", "by the end of the 10th working day"),
 * in one column.  The timeline is a real audit log; the inbox and outbox
 * are stand-ins that hand out the message a test sets; the deadlines come
 * from a real policy.conf and calendar, at fixed instants.  The units under
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
#include "agents/output.c"
#include "agents/req.c"
#include "agents/req_status.c"
#include "agents/timeline.c"
#include "common/clock.h"
#include "config/policy.h"
#include "tests/support/confdir.h"
#include "tests/support/instant.h"

/* CAMHS's rule of config/example/policy.conf: both forms of time limit. */
static const char deadlines[] =
    "deadlines = (\n"
    "\t{ name = \"CAMHS single point of access\"; types = [ \"referral\", \"concern\" ];\n"
    "\t  urgency = \"*\"; to = [ \"camhs\" ]; ack = \"3 working days\";\n"
    "\t  decision = \"by the end of the 10th working day\"; feedback = \"5 working days\"; }\n"
    ");\n";

static char *confdir;
static struct agent agent;
static struct outbox_msg sent;		/* the one message in the outbox */

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
	if (memcmp(id, sent.id, IDS_MSGID_BYTES) != 0)
		return 0;
	*m = sent;
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

const char *
inbox_state_name(int state)
{
	(void)state;
	return "received";
}

const char *
outbox_state_name(int state)
{
	return state == OUTBOX_DELIVERED ? "delivered" : "other";
}

/* Appends an audit entry about the message at instant `at`. */
static void
audit(const char *at, const char *event, const char *agency, const char *detail)
{
	struct status st;

	clock_set_fixed(instant_ms(at));
	assert_int_equal(db_begin(agent.db, &st), 0);
	assert_int_equal(auditlog_append(agent.db, event, agency, sent.id, detail, &st), 0);
	assert_int_equal(db_commit(agent.db, &st), 0);
}

static int
setup(void **state)
{
	struct conf_errors *errs = conf_errors_new();
	struct status st;
	char *policy_text, *path;

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
	path = confdir_path(confdir, "agent.db");
	assert_non_null(agent.db = db_open(path, &st));
	free(path);
	assert_int_equal(auditlog_create(agent.db, &st), 0);

	/* The MASH's referral to CAMHS, accepted on Wednesday 11 June 2025 at
	 * 10:00 London, and delivered. */
	memset(&sent, 0, sizeof(sent));
	ids_msgid_new(instant_ms("2025-06-11T10:00:00+01:00"), sent.id);
	sent.type = ENVELOPE_REFERRAL;
	sent.urgency = URGENCY_STANDARD;
	snprintf(sent.to, sizeof(sent.to), "camhs");
	snprintf(sent.case_id, sizeof(sent.case_id), "RD-1");
	sent.state = OUTBOX_DELIVERED;
	sent.created_ms = instant_ms("2025-06-11T10:00:00+01:00");
	sent.accepted_ms = sent.created_ms;
	audit("2025-06-11T10:00:00+01:00", "created", "camhs", "referral to camhs, case RD-1");
	audit("2025-06-11T10:00:00.250+01:00", "out-of-hours-copy", "edt", "also sent to edt");
	audit("2025-06-11T10:00:01+01:00", "delivered", "camhs", "signed receipt verified");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	db_close(&agent.db);
	agencycal_destroy(&agent.cals);
	policy_destroy(&agent.policy);
	directory_destroy(&agent.dir);
	confdir_destroy(&confdir);
	return 0;
}

/* Runs `dutynet status ID` into o; returns what req_status returned. */
static int
status_of(const char *id, struct output *o, struct status *st)
{
	struct ctlmsg_arg args[] = {{"id", (char *)id}};
	struct ctlmsg_request rq;
	struct req r;

	memset(&rq, 0, sizeof(rq));
	snprintf(rq.verb, sizeof(rq.verb), "status");
	rq.args[0] = args[0];
	rq.nargs = 1;
	memset(&r, 0, sizeof(r));
	r.a = &agent;
	r.rq = &rq;
	r.out = o;
	output_init(o, false);
	return req_status(&r, st);
}

/* The line of text that starts with prefix (a copy, the caller's). */
static char *
line_of(const char *text, const char *prefix)
{
	const char *at = strstr(text, prefix), *end;

	assert_non_null(at);
	end = strchr(at, '\n');
	assert_non_null(end);
	return strndup(at, (size_t)(end - at));
}

static void
a_message_not_here_is_named(void **state)
{
	struct output o;
	struct status st;

	(void)state;
	assert_int_equal(status_of("019b7696-5c00-7abc-8def-0123456789ab", &o, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_non_null(strstr(st.text, "no message 019b7696-5c00-7abc-8def-0123456789ab here"));
	output_free(&o);
	assert_int_equal(status_of("019b7696", &o, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	output_free(&o);
}

static void
timeline_columns_line_up(void **state)
{
	char id[IDS_MSGID_TEXT + 1], *created, *copy, *delivered;
	struct output o;
	struct status st;

	(void)state;
	ids_msgid_format(sent.id, id);
	clock_set_fixed(instant_ms("2025-06-11T11:00:00+01:00"));
	assert_int_equal(status_of(id, &o, &st), 0);
	created = line_of(o.buf, "  2025-06-11T10:00:00+01:00 ");
	copy = line_of(o.buf, "  2025-06-11T10:00:00.250+01:00 ");
	delivered = line_of(o.buf, "  2025-06-11T10:00:01+01:00 ");
	/* The widest time and event set their columns; the rest are padded. */
	assert_string_equal(created,
	    "  2025-06-11T10:00:00+01:00      created            camhs  "
	    "referral to camhs, case RD-1");
	assert_string_equal(copy,
	    "  2025-06-11T10:00:00.250+01:00  out-of-hours-copy  edt    also sent to edt");
	assert_string_equal(delivered,
	    "  2025-06-11T10:00:01+01:00      delivered          camhs  signed receipt verified");
	free(created);
	free(copy);
	free(delivered);
	output_free(&o);
}

static void
deadline_lines_read_naturally_in_one_column(void **state)
{
	char id[IDS_MSGID_TEXT + 1];
	struct output o;
	struct status st;

	(void)state;
	ids_msgid_format(sent.id, id);
	clock_set_fixed(instant_ms("2025-06-11T11:00:00+01:00"));
	assert_int_equal(status_of(id, &o, &st), 0);
	/* 3 working days from Wednesday 10:00: Monday 10:00; the 10th working
	 * day counting Wednesday: Tuesday 24th, closing at 17:00. */
	assert_non_null(strstr(o.buf,
	    "deadlines (rule \"CAMHS single point of access\", camhs's calendar):\n"
	    "  ack       within 3 working days               due 2025-06-16T10:00:00+01:00\n"
	    "  decision  by the end of the 10th working day  due 2025-06-24T17:00:00+01:00\n"
	    "  feedback  within 5 working days               not started: counts from the "
	    "decision\n"));
	assert_null(strstr(o.buf, "within by"));
	output_free(&o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_message_not_here_is_named),
		cmocka_unit_test(timeline_columns_line_up),
		cmocka_unit_test(deadline_lines_read_naturally_in_one_column),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
