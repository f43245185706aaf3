/* SPDX-License-Identifier: ISC */
/* Unit tests for agents/hook.c with a real fork/exec of a tiny script that
 * appends its argument vector to a file: argv is exactly [id, type], other
 * descriptors are closed, failures retry with backoff, a timed-out run is
 * killed, and a crash between the program's exit and its record makes it
 * run again (at least once); the program does not get the agent's
 * NOTIFY_SOCKET; standard and routine runs wait for the contact windows,
 * urgent ones do not.  The unit under test is included. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "agents/agentdb.c"
#include "agents/hook.c"
#include "agents/window.c"
#include "tests/support/instant.h"

#define T0 1700000000000ull
/* The descriptor the test leaves open (not close-on-exec) before a run. */
#define LEAK_FD 7

static char tmpdir[64];
static char script[128];
static const char *words[] = { script };
static char outfile[128];
static int dbcount;

static const char script_text[] =
	"#!/bin/sh\n"
	"if [ -e /proc/$$/fd/7 ]; then fd=leaked; else fd=closed; fi\n"
	"{ printf '%s|' \"$#\" \"$@\"; echo \"$fd\"; } >> \"$HOOK_OUT\"\n"
	"[ -n \"$HOOK_SLEEP\" ] && sleep \"$HOOK_SLEEP\"\n"
	"[ -n \"$HOOK_ENV_OUT\" ] && echo \"${NOTIFY_SOCKET-unset}|${WATCHDOG_USEC-unset}|"
	"${WATCHDOG_PID-unset}|${HOOK_KEEP-unset}\" > \"$HOOK_ENV_OUT\"\n"
	"exit \"${HOOK_EXIT:-0}\"\n";

static struct db *
open_db(void)
{
	char path[128];
	struct status st;
	struct db *db;

	snprintf(path, sizeof(path), "%s/agent-%d.db", tmpdir, ++dbcount);
	db = agentdb_open(path, &st);
	assert_non_null(db);
	clock_set_fixed(T0);
	unlink(outfile);
	unsetenv("HOOK_EXIT");
	unsetenv("HOOK_SLEEP");
	return db;
}

static void
enqueue_urgency(struct hook *h, struct db *db, const uint8_t id[IDS_MSGID_BYTES], int type,
    int urgency)
{
	struct status st;

	assert_int_equal(db_begin(db, &st), 0);
	assert_int_equal(hook_enqueue(h, db, id, type, urgency, clock_now_ms(), &st), 0);
	assert_int_equal(db_commit(db, &st), 0);
}

/* An urgent message: never waits for a contact window. */
static void
enqueue(struct hook *h, struct db *db, const uint8_t id[IDS_MSGID_BYTES], int type)
{
	enqueue_urgency(h, db, id, type, URGENCY_URGENT);
}

/* The lines the script wrote, joined. */
static void
read_out(char *buf, size_t cap)
{
	FILE *f = fopen(outfile, "r");
	size_t n = 0;

	buf[0] = '\0';
	if (f == NULL)
		return;
	n = fread(buf, 1, cap - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static int
count_lines(void)
{
	char buf[4096];
	int n = 0;
	char *p;

	read_out(buf, sizeof(buf));
	for (p = buf; *p; p++)
		n += *p == '\n';
	return n;
}

static int
last_exit(struct db *db, const uint8_t id[IDS_MSGID_BYTES], int64_t *attempts, int *done)
{
	sqlite3_stmt *s;
	int code;

	assert_int_equal(sqlite3_prepare_v2(db_handle(db),
			     "SELECT last_exit, attempts, done_ms FROM hooks WHERE message_id = ?",
			     -1, &s, NULL),
	    SQLITE_OK);
	sqlite3_bind_blob(s, 1, id, IDS_MSGID_BYTES, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	code = sqlite3_column_type(s, 0) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 0);
	*attempts = sqlite3_column_int64(s, 1);
	*done = sqlite3_column_type(s, 2) != SQLITE_NULL;
	sqlite3_finalize(s);
	return code;
}

static void
runs_once_with_id_and_type_and_no_leaked_descriptors(void **state)
{
	struct db *db = open_db();
	struct hook *h = hook_new(words, 1, HOOK_TIMEOUT_MS);
	struct status st;
	uint8_t id[IDS_MSGID_BYTES];
	char idtext[IDS_MSGID_TEXT + 1], want[256], got[4096];
	int64_t attempts;
	int done, fd;
	uint64_t bad;

	(void)state;
	assert_non_null(h);
	ids_msgid_new(T0, id);
	ids_msgid_format(id, idtext);
	enqueue(h, db, id, ENVELOPE_CONCERN);
	/* Once per id: a second enqueue (a duplicate delivery) adds nothing. */
	enqueue(h, db, id, ENVELOPE_CONCERN);
	assert_int_equal(hook_pending(db, &st), 1);
	assert_int_equal(hook_wait_ms(h, db, clock_now_ms()), 0);

	fd = open("/dev/null", O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(dup2(fd, LEAK_FD), LEAK_FD);
	assert_int_equal(hook_poll(h, db, 0, &st), 0);
	assert_true(hook_running(h) > 0);
	assert_int_equal(hook_wait_ms(h, db, clock_now_ms()), HOOK_POLL_MS);
	close(LEAK_FD);
	close(fd);
	assert_int_equal(hook_poll(h, db, 1, &st), 0);
	assert_int_equal(hook_running(h), 0);

	snprintf(want, sizeof(want), "2|%s|concern|closed\n", idtext);
	read_out(got, sizeof(got));
	assert_string_equal(got, want);
	assert_int_equal(last_exit(db, id, &attempts, &done), 0);
	assert_int_equal(attempts, 1);
	assert_true(done);
	assert_int_equal(hook_pending(db, &st), 0);
	assert_int_equal(hook_wait_ms(h, db, clock_now_ms()), -1);
	/* Nothing more to run. */
	assert_int_equal(hook_poll(h, db, 0, &st), 0);
	assert_int_equal(hook_running(h), 0);
	assert_int_equal(count_lines(), 1);
	assert_int_equal(auditlog_verify(db, &bad, &st), 0);
	hook_destroy(&h);
	assert_null(h);
	hook_destroy(&h);
	db_close(&db);
}

static void
failure_is_retried_with_backoff(void **state)
{
	struct db *db = open_db();
	struct hook *h = hook_new(words, 1, HOOK_TIMEOUT_MS);
	struct status st;
	uint8_t id[IDS_MSGID_BYTES];
	int64_t attempts, wait;
	int done;

	(void)state;
	ids_msgid_new(T0, id);
	enqueue(h, db, id, ENVELOPE_REFERRAL);
	setenv("HOOK_EXIT", "3", 1);
	assert_int_equal(hook_poll(h, db, 0, &st), 0);
	assert_int_equal(hook_poll(h, db, 1, &st), 0);
	assert_int_equal(last_exit(db, id, &attempts, &done), 3);
	assert_int_equal(attempts, 1);
	assert_false(done);
	wait = hook_wait_ms(h, db, clock_now_ms());
	assert_true(wait >= HOOK_RETRY_BASE_MS / 2 && wait < HOOK_RETRY_BASE_MS * 3 / 2);
	/* Not due yet: nothing starts. */
	assert_int_equal(hook_poll(h, db, 0, &st), 0);
	assert_int_equal(hook_running(h), 0);
	assert_int_equal(count_lines(), 1);

	clock_advance((uint64_t)wait);
	unsetenv("HOOK_EXIT");
	assert_int_equal(hook_poll(h, db, 0, &st), 0);
	assert_true(hook_running(h) > 0);
	assert_int_equal(hook_poll(h, db, 1, &st), 0);
	assert_int_equal(last_exit(db, id, &attempts, &done), 0);
	assert_int_equal(attempts, 2);
	assert_true(done);
	assert_int_equal(count_lines(), 2);
	hook_destroy(&h);
	db_close(&db);
}

static void
missing_program_and_timeout_are_failures(void **state)
{
	struct db *db = open_db();
	struct hook *h;
	struct status st;
	uint8_t id[IDS_MSGID_BYTES];
	char missing[160];
	int64_t attempts;
	int done;

	(void)state;
	snprintf(missing, sizeof(missing), "%s/no-such-program", tmpdir);
	h = hook_new((const char *const[]){ missing }, 1, HOOK_TIMEOUT_MS);
	ids_msgid_new(T0, id);
	enqueue(h, db, id, ENVELOPE_FEEDBACK);
	assert_int_equal(hook_poll(h, db, 0, &st), 0);
	assert_int_equal(hook_poll(h, db, 1, &st), 0);
	assert_int_equal(last_exit(db, id, &attempts, &done), HOOK_EXIT_EXEC_FAILED);
	assert_false(done);
	hook_destroy(&h);

	/* A zero timeout: the first look kills the run. */
	h = hook_new(words, 1, 0);
	clock_advance(HOOK_RETRY_MAX_MS * 2);
	setenv("HOOK_SLEEP", "30", 1);
	assert_int_equal(hook_poll(h, db, 0, &st), 0);
	assert_true(hook_running(h) > 0);
	assert_int_equal(hook_poll(h, db, 0, &st), 0);	/* kills */
	assert_int_equal(hook_poll(h, db, 1, &st), 0);	/* reaps */
	assert_int_equal(last_exit(db, id, &attempts, &done), HOOK_EXIT_SIGNAL_BASE + SIGKILL);
	assert_int_equal(attempts, 2);
	assert_false(done);
	hook_destroy(&h);
	db_close(&db);
}

static void
crash_before_the_record_runs_it_again(void **state)
{
	struct db *db = open_db();
	struct hook *h = hook_new(words, 1, HOOK_TIMEOUT_MS);
	struct status st;
	uint8_t a[IDS_MSGID_BYTES], b[IDS_MSGID_BYTES];
	char atext[IDS_MSGID_TEXT + 1], btext[IDS_MSGID_TEXT + 1], want[512], got[4096];
	int64_t attempts;
	int done, wstatus;
	pid_t pid;

	(void)state;
	ids_msgid_new(T0, a);
	ids_msgid_format(a, atext);
	enqueue(h, db, a, ENVELOPE_REFERRAL);
	clock_advance(1);
	ids_msgid_new(T0 + 1, b);
	ids_msgid_format(b, btext);
	enqueue(h, db, b, ENVELOPE_ACK);

	assert_int_equal(hook_poll(h, db, 0, &st), 0);
	pid = hook_running(h);
	assert_true(pid > 0);
	/* The program finishes, and the agent dies before recording it: reap
	 * it behind the runner's back and throw the runner away. */
	assert_int_equal(waitpid(pid, &wstatus, 0), pid);
	assert_true(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0);
	hook_destroy(&h);
	assert_int_equal(last_exit(db, a, &attempts, &done), -1);
	assert_false(done);

	/* The restarted agent runs it again, then the next one, in order. */
	h = hook_new(words, 1, HOOK_TIMEOUT_MS);
	assert_int_equal(hook_poll(h, db, 0, &st), 0);
	assert_int_equal(hook_poll(h, db, 1, &st), 0);
	assert_true(hook_running(h) > 0);	/* b started after a's record */
	assert_int_equal(hook_poll(h, db, 1, &st), 0);
	assert_int_equal(hook_running(h), 0);
	snprintf(want, sizeof(want), "2|%s|referral|closed\n2|%s|referral|closed\n2|%s|ack|closed\n",
	    atext, atext, btext);
	read_out(got, sizeof(got));
	assert_string_equal(got, want);
	assert_int_equal(last_exit(db, a, &attempts, &done), 0);
	assert_true(done);
	assert_int_equal(hook_pending(db, &st), 0);
	hook_destroy(&h);

	/* Recorded as done: a further restart does not run it again. */
	h = hook_new(words, 1, HOOK_TIMEOUT_MS);
	assert_int_equal(hook_poll(h, db, 0, &st), 0);
	assert_int_equal(hook_running(h), 0);
	assert_int_equal(count_lines(), 3);
	hook_destroy(&h);
	db_close(&db);
}

static void
configured_words_come_first(void **state)
{
	struct db *db = open_db();
	const char *cmd[] = { script, "--agency", "mash" };
	struct hook *h = hook_new(cmd, 3, HOOK_TIMEOUT_MS);
	struct status st;
	uint8_t id[IDS_MSGID_BYTES];
	char idtext[IDS_MSGID_TEXT + 1], want[256], got[4096];

	(void)state;
	ids_msgid_new(T0, id);
	ids_msgid_format(id, idtext);
	enqueue(h, db, id, ENVELOPE_DECISION);
	assert_int_equal(hook_poll(h, db, 0, &st), 0);
	assert_int_equal(hook_poll(h, db, 1, &st), 0);
	snprintf(want, sizeof(want), "4|--agency|mash|%s|decision|closed\n", idtext);
	read_out(got, sizeof(got));
	assert_string_equal(got, want);
	hook_destroy(&h);
	db_close(&db);
}

static void
the_program_does_not_get_the_service_managers_variables(void **state)
{
	struct db *db = open_db();
	struct hook *h = hook_new(words, 1, HOOK_TIMEOUT_MS);
	struct status st;
	uint8_t id[IDS_MSGID_BYTES];
	char envout[160], got[256];
	FILE *f;
	size_t n;

	(void)state;
	snprintf(envout, sizeof(envout), "%s/hook.env", tmpdir);
	setenv("HOOK_ENV_OUT", envout, 1);
	setenv("NOTIFY_SOCKET", "/run/systemd/notify", 1);
	setenv("WATCHDOG_USEC", "30000000", 1);
	setenv("WATCHDOG_PID", "1", 1);
	setenv("HOOK_KEEP", "kept", 1);
	ids_msgid_new(T0, id);
	enqueue(h, db, id, ENVELOPE_CONCERN);
	assert_int_equal(hook_poll(h, db, 0, &st), 0);
	assert_int_equal(hook_poll(h, db, 1, &st), 0);
	/* The agent itself keeps them. */
	assert_string_equal(getenv("NOTIFY_SOCKET"), "/run/systemd/notify");
	unsetenv("HOOK_ENV_OUT");
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	unsetenv("HOOK_KEEP");
	assert_non_null(f = fopen(envout, "r"));
	n = fread(got, 1, sizeof(got) - 1, f);
	got[n] = '\0';
	fclose(f);
	assert_string_equal(got, "unset|unset|unset|kept\n");
	hook_destroy(&h);
	db_close(&db);
}

static int
find_wait(const struct auditlog_entry *e, void *arg)
{
	if (strcmp(e->event, "hook") == 0 &&
	    strstr(e->detail, "waits for the next contact window, at 2025-06-11T09:30:00Z") != NULL)
		(*(int *)arg)++;
	return 0;
}

static uint64_t
not_before(struct db *db, const uint8_t id[IDS_MSGID_BYTES])
{
	sqlite3_stmt *s;
	uint64_t v;

	assert_int_equal(sqlite3_prepare_v2(db_handle(db),
			     "SELECT not_before_ms FROM hooks WHERE message_id = ?", -1, &s, NULL),
	    SQLITE_OK);
	sqlite3_bind_blob(s, 1, id, IDS_MSGID_BYTES, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	v = (uint64_t)sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

static void
routine_runs_wait_for_the_contact_window_urgent_ones_do_not(void **state)
{
	struct db *db = open_db();
	struct hook *h = hook_new(words, 1, HOOK_TIMEOUT_MS);
	struct calendar *cal = instant_school_windows();
	struct status st;
	uint8_t r[IDS_MSGID_BYTES], u[IDS_MSGID_BYTES], x[IDS_MSGID_BYTES];
	char rtext[IDS_MSGID_TEXT + 1], utext[IDS_MSGID_TEXT + 1], want[256], got[4096];
	int64_t attempts;
	int done, waits = 0;

	(void)state;
	hook_set_windows(h, cal);
	/* Wednesday 11 June 2025, 09:15 London: in lessons. */
	clock_set_fixed(instant_ms("2025-06-11T09:15:00+01:00"));
	ids_msgid_new(clock_now_ms(), r);
	ids_msgid_format(r, rtext);
	enqueue_urgency(h, db, r, ENVELOPE_REFERRAL, URGENCY_ROUTINE);
	clock_advance(1);
	ids_msgid_new(clock_now_ms(), u);
	ids_msgid_format(u, utext);
	enqueue_urgency(h, db, u, ENVELOPE_CONCERN, URGENCY_URGENT);
	assert_int_equal(not_before(db, r), instant_ms("2025-06-11T10:30:00+01:00"));
	assert_int_equal(not_before(db, u), clock_now_ms());
	assert_int_equal(auditlog_foreach(db, r, find_wait, &waits, &st), 0);
	assert_int_equal(waits, 1);

	/* The urgent concern notifies at once; the routine referral waits. */
	assert_int_equal(hook_wait_ms(h, db, clock_now_ms()), 0);
	assert_int_equal(hook_poll(h, db, 0, &st), 0);
	assert_int_equal(hook_poll(h, db, 1, &st), 0);
	snprintf(want, sizeof(want), "2|%s|concern|closed\n", utext);
	read_out(got, sizeof(got));
	assert_string_equal(got, want);
	assert_int_equal(hook_wait_ms(h, db, clock_now_ms()),
	    instant_ms("2025-06-11T10:30:00+01:00") - clock_now_ms());
	assert_int_equal(hook_poll(h, db, 0, &st), 0);
	assert_int_equal(hook_running(h), 0);
	assert_int_equal(last_exit(db, r, &attempts, &done), -1);

	/* The break begins: it runs. */
	clock_set_fixed(instant_ms("2025-06-11T10:30:00+01:00"));
	assert_int_equal(hook_wait_ms(h, db, clock_now_ms()), 0);
	assert_int_equal(hook_poll(h, db, 0, &st), 0);
	assert_int_equal(hook_poll(h, db, 1, &st), 0);
	assert_int_equal(last_exit(db, r, &attempts, &done), 0);
	assert_true(done);
	snprintf(want, sizeof(want), "2|%s|concern|closed\n2|%s|referral|closed\n", utext, rtext);
	read_out(got, sizeof(got));
	assert_string_equal(got, want);

	/* Inside the window a standard message runs at once; its failure is
	 * retried no earlier than the next window, after lessons. */
	clock_set_fixed(instant_ms("2025-06-11T10:49:55+01:00"));
	ids_msgid_new(clock_now_ms(), x);
	enqueue_urgency(h, db, x, ENVELOPE_FEEDBACK, URGENCY_STANDARD);
	assert_int_equal(not_before(db, x), clock_now_ms());
	setenv("HOOK_EXIT", "3", 1);
	assert_int_equal(hook_poll(h, db, 0, &st), 0);
	assert_int_equal(hook_poll(h, db, 1, &st), 0);
	unsetenv("HOOK_EXIT");
	assert_int_equal(last_exit(db, x, &attempts, &done), 3);
	assert_int_equal(hook_wait_ms(h, db, clock_now_ms()),
	    instant_ms("2025-06-11T15:30:00+01:00") - clock_now_ms());
	hook_destroy(&h);
	calendar_destroy(&cal);
	db_close(&db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(runs_once_with_id_and_type_and_no_leaked_descriptors),
		cmocka_unit_test(failure_is_retried_with_backoff),
		cmocka_unit_test(missing_program_and_timeout_are_failures),
		cmocka_unit_test(crash_before_the_record_runs_it_again),
		cmocka_unit_test(configured_words_come_first),
		cmocka_unit_test(the_program_does_not_get_the_service_managers_variables),
		cmocka_unit_test(routine_runs_wait_for_the_contact_window_urgent_ones_do_not),
	};
	char cmd[128];
	FILE *f;
	int rc;

	log_init("test_hook", 0);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_hook.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	snprintf(script, sizeof(script), "%s/hook.sh", tmpdir);
	snprintf(outfile, sizeof(outfile), "%s/hook.out", tmpdir);
	if ((f = fopen(script, "w")) == NULL)
		return 1;
	fputs(script_text, f);
	fclose(f);
	chmod(script, 0700);
	setenv("HOOK_OUT", outfile, 1);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		rc = 1;
	return rc;
}
