/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for common/log.c.  Each test points stderr (fd 2) at a fresh
 * temporary file, logs, and compares the exact bytes written, so the line
 * format journald and the audit tools rely on cannot drift unnoticed.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/log.h"

struct capture {
	FILE *file;	/* where fd 2 points during the test */
	int saved;	/* the real stderr */
	long seen;	/* bytes a test has read back; the rest is cmocka's */
	char text[2 * LOG_LINE_MAX];
};

static int
setup(void **state)
{
	struct capture *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return -1;
	unsetenv("JOURNAL_STREAM");
	c->file = tmpfile();
	c->saved = dup(STDERR_FILENO);
	if (c->file == NULL || c->saved == -1 || dup2(fileno(c->file), STDERR_FILENO) == -1)
		return -1;
	*state = c;
	return 0;
}

static int
teardown(void **state)
{
	struct capture *c = *state;
	char buf[512];
	size_t n;

	/* A failing assertion's message went to the capture file: pass it on. */
	fflush(stderr);
	fseek(c->file, c->seen, SEEK_SET);
	while ((n = fread(buf, 1, sizeof(buf), c->file)) > 0)
		if (write(c->saved, buf, n) < 0)
			break;
	dup2(c->saved, STDERR_FILENO);
	close(c->saved);
	fclose(c->file);
	free(c);
	unsetenv("JOURNAL_STREAM");
	return 0;
}

/* Everything written to fd 2 so far. */
static const char *
captured(struct capture *c)
{
	size_t n;

	rewind(c->file);
	n = fread(c->text, 1, sizeof(c->text) - 1, c->file);
	c->text[n] = '\0';
	c->seen = (long)n;
	return c->text;
}

static size_t
count_newlines(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

static void
debug_is_silent_unless_verbose(void **state)
{
	struct capture *c = *state;

	log_init("dutynet-agent", 0);
	log_debug("heartbeat %d", 1);
	log_event(LOG_LEVEL_DEBUG, "mash", NULL, "ping", NULL);
	assert_string_equal(captured(c), "");
	log_init("dutynet-agent", 1);
	log_debug("heartbeat %d", 2);
	assert_string_equal(captured(c), "dutynet-agent: level=debug text=\"heartbeat 2\"\n");
}

static void
warn_appends_strerror_and_keeps_errno(void **state)
{
	struct capture *c = *state;
	char want[512];

	log_init("dutynet-broker", 0);
	errno = ENOENT;
	log_warn("cannot open %s", "/var/lib/dutynet/broker.db");
	assert_int_equal(errno, ENOENT);
	snprintf(want, sizeof(want),
	    "dutynet-broker: level=warn text=\"cannot open /var/lib/dutynet/broker.db: %s\"\n",
	    strerror(ENOENT));
	assert_string_equal(captured(c), want);
}

static void
warnx_leaves_errno_out_and_keeps_it(void **state)
{
	struct capture *c = *state;

	log_init("dutynet-broker", 0);
	errno = EACCES;
	log_warnx("peer %s sent %d bytes", "10.0.0.1", 12);
	assert_int_equal(errno, EACCES);
	log_info("ready");
	assert_int_equal(errno, EACCES);
	log_event(LOG_LEVEL_INFO, "mash", NULL, "hello", NULL);
	assert_int_equal(errno, EACCES);
	assert_string_equal(captured(c),
	    "dutynet-broker: level=warn text=\"peer 10.0.0.1 sent 12 bytes\"\n"
	    "dutynet-broker: level=info text=ready\n"
	    "dutynet-broker: level=info agency=mash event=hello\n");
}

static void
event_line_has_every_key_in_order(void **state)
{
	struct capture *c = *state;

	log_init("dutynet-broker", 0);
	log_event(LOG_LEVEL_WARN, "school-x", "0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b", "reject",
	    "signature does not verify for agency %s", "school-x");
	assert_string_equal(captured(c),
	    "dutynet-broker: level=warn agency=school-x "
	    "msg=0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b event=reject "
	    "text=\"signature does not verify for agency school-x\"\n");
}

static void
event_leaves_out_null_keys(void **state)
{
	struct capture *c = *state;

	log_init("dutynet-broker", 0);
	log_event(LOG_LEVEL_INFO, NULL, NULL, "started", NULL);
	log_event(LOG_LEVEL_INFO, NULL, "0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b", "expired",
	    "%s", "no receipt");
	assert_string_equal(captured(c),
	    "dutynet-broker: level=info event=started\n"
	    "dutynet-broker: level=info msg=0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b "
	    "event=expired text=\"no receipt\"\n");
}

/* Untrusted values cannot add a line or a key. */
static void
values_are_quoted_and_escaped(void **state)
{
	struct capture *c = *state;

	log_init("dutynet-broker", 0);
	log_event(LOG_LEVEL_WARN, "evil\nprog: level=info", "", "a=b", "say \"hi\" \\ %s",
	    "tab\there\x01");
	assert_string_equal(captured(c),
	    "dutynet-broker: level=warn agency=\"evil\\nprog: level=info\" "
	    "msg=\"\" event=\"a=b\" text=\"say \\\"hi\\\" \\\\ tab\\there\\x01\"\n");
	assert_int_equal(count_newlines(c->text), 1);
}

static void
long_values_are_cut_with_ellipsis(void **state)
{
	struct capture *c = *state;
	char agency[LOG_VALUE_MAX + 20];
	char want[512];

	memset(agency, 'a', sizeof(agency) - 1);
	agency[sizeof(agency) - 1] = '\0';
	log_init("p", 0);
	log_event(LOG_LEVEL_INFO, agency, NULL, "x", NULL);
	snprintf(want, sizeof(want), "p: level=info agency=%.*s... event=x\n", LOG_VALUE_MAX,
	    agency);
	assert_string_equal(captured(c), want);
}

static void
long_text_is_cut_to_text_max(void **state)
{
	struct capture *c = *state;
	static char text[LOG_TEXT_MAX * 2];
	const char *line, *value;

	memset(text, 'x', sizeof(text) - 1);
	log_init("p", 0);
	log_info("%s", text);
	line = captured(c);
	value = strstr(line, "text=");
	assert_non_null(value);
	value += strlen("text=");
	/* LOG_TEXT_MAX - 1 bytes of which the last three are the ellipsis. */
	assert_int_equal(strlen(value), LOG_TEXT_MAX - 1 + 1);
	assert_memory_equal(value + LOG_TEXT_MAX - 1 - 3, "...\n", 4);
	assert_int_equal(strspn(value, "x"), LOG_TEXT_MAX - 1 - 3);
}

/* Escaping can grow text fourfold; the line still ends well formed. */
static void
escaped_text_never_exceeds_line_max(void **state)
{
	struct capture *c = *state;
	static char text[LOG_TEXT_MAX];
	size_t len;
	const char *line;

	memset(text, '\x01', sizeof(text) - 1);
	log_init("p", 0);
	log_warnx("%s", text);
	line = captured(c);
	len = strlen(line);
	assert_true(len <= LOG_LINE_MAX);
	assert_true(len > LOG_LINE_MAX - 8);
	assert_string_equal(line + len - 5, "...\"\n");
	assert_int_equal(count_newlines(line), 1);
	assert_memory_equal(line, "p: level=warn text=\"\\x01\\x01", 28);
}

static void
progname_is_one_plain_word(void **state)
{
	struct capture *c = *state;

	log_init(NULL, 0);
	log_info("a");
	log_init("bad name:\x01", 0);
	log_info("b");
	assert_string_equal(captured(c), "dutynet: level=info text=a\nbad_name__: level=info text=b\n");
}

static void
journal_gets_priority_prefix(void **state)
{
	struct capture *c = *state;
	struct stat sb;
	char env[64];

	assert_int_equal(fstat(STDERR_FILENO, &sb), 0);
	/* Another file's inode: stderr was redirected away from the journal. */
	snprintf(env, sizeof(env), "%llu:%llu", (unsigned long long)sb.st_dev,
	    (unsigned long long)sb.st_ino + 1);
	setenv("JOURNAL_STREAM", env, 1);
	log_init("dutynet-broker", 1);
	log_warnx("plain");
	snprintf(env, sizeof(env), "%llu:%llu", (unsigned long long)sb.st_dev,
	    (unsigned long long)sb.st_ino);
	setenv("JOURNAL_STREAM", env, 1);
	log_init("dutynet-broker", 1);
	log_warnx("w");
	log_info("i");
	log_debug("d");
	log_event(LOG_LEVEL_INFO, "mash", NULL, "hello", NULL);
	setenv("JOURNAL_STREAM", "garbage", 1);
	log_init("dutynet-broker", 1);
	log_info("again plain");
	assert_string_equal(captured(c),
	    "dutynet-broker: level=warn text=plain\n"
	    "<4>dutynet-broker: level=warn text=w\n"
	    "<6>dutynet-broker: level=info text=i\n"
	    "<7>dutynet-broker: level=debug text=d\n"
	    "<6>dutynet-broker: level=info agency=mash event=hello\n"
	    "dutynet-broker: level=info text=\"again plain\"\n");
}

/* Runs fatal or fatalx in a child; returns its exit status. */
static int
run_fatal(int with_errno)
{
	pid_t pid;
	int status;

	fflush(NULL);
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		errno = EACCES;
		if (with_errno)
			fatal("cannot bind %s", "tcp://*:7400");
		fatalx("invariant broken: seq %d", 7);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void
fatal_logs_and_exits_one(void **state)
{
	struct capture *c = *state;
	char want[512];

	log_init("dutynet-broker", 0);
	assert_int_equal(run_fatal(1), 1);
	assert_int_equal(run_fatal(0), 1);
	snprintf(want, sizeof(want),
	    "dutynet-broker: level=fatal text=\"cannot bind tcp://*:7400: %s\"\n"
	    "dutynet-broker: level=fatal text=\"invariant broken: seq 7\"\n",
	    strerror(EACCES));
	assert_string_equal(captured(c), want);
}

static void
level_names(void **state)
{
	(void)state;
	assert_string_equal(log_level_name(LOG_LEVEL_FATAL), "fatal");
	assert_string_equal(log_level_name(LOG_LEVEL_WARN), "warn");
	assert_string_equal(log_level_name(LOG_LEVEL_INFO), "info");
	assert_string_equal(log_level_name(LOG_LEVEL_DEBUG), "debug");
	assert_string_equal(log_level_name(LOG_LEVEL_ERROR), "error");
	assert_null(log_level_name(5));
	assert_null(log_level_name(0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(debug_is_silent_unless_verbose, setup, teardown),
		cmocka_unit_test_setup_teardown(warn_appends_strerror_and_keeps_errno, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(warnx_leaves_errno_out_and_keeps_it, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(event_line_has_every_key_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(event_leaves_out_null_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(values_are_quoted_and_escaped, setup, teardown),
		cmocka_unit_test_setup_teardown(long_values_are_cut_with_ellipsis, setup, teardown),
		cmocka_unit_test_setup_teardown(long_text_is_cut_to_text_max, setup, teardown),
		cmocka_unit_test_setup_teardown(escaped_text_never_exceeds_line_max, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(progname_is_one_plain_word, setup, teardown),
		cmocka_unit_test_setup_teardown(journal_gets_priority_prefix, setup, teardown),
		cmocka_unit_test_setup_teardown(fatal_logs_and_exits_one, setup, teardown),
		cmocka_unit_test(level_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
