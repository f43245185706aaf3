/* SPDX-License-Identifier: ISC */
/* Unit tests for config/settings.c: broker.conf and agents/<id>.conf. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config/settings.h"
#include "tests/support/confdir.h"

struct fixture {
	char *dir;
	struct conf_errors *errs;
	struct directory *d;
	struct settings_broker *b;
	struct settings_agent *a;
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

	settings_broker_destroy(&f->b);
	settings_agent_destroy(&f->a);
	directory_destroy(&f->d);
	conf_errors_destroy(&f->errs);
	confdir_destroy(&f->dir);
	free(f);
	return 0;
}

static void
expect_errors(struct fixture *f, size_t n)
{
	size_t i;

	if (conf_errors_count(f->errs) == n)
		return;
	for (i = 0; i < conf_errors_count(f->errs); i++)
		print_error("%s\n", conf_errors_get(f->errs, i));
	fail_msg("%zu errors, expected %zu", conf_errors_count(f->errs), n);
}

/* Asserts error i is "DIR/file:line: field: message" (message NULL: any). */
static void
assert_error(struct fixture *f, size_t i, const char *file, unsigned line, const char *field,
    const char *message)
{
	char want[1024];
	const char *e = conf_errors_get(f->errs, i);

	snprintf(want, sizeof(want), "%s/%s:%u: %s: %s", f->dir, file, line, field,
	    message ? message : "");
	if (message != NULL)
		assert_string_equal(e, want);
	else
		assert_memory_equal(e, want, strlen(want));
}

/* DIR/name in out. */
static const char *
in_dir(struct fixture *f, const char *name, char *out, size_t cap)
{
	snprintf(out, cap, "%s/%s", f->dir, name);
	return out;
}

static void
broker_reports_every_bad_value(void **state)
{
	struct fixture *f = *state;
	char longdir[200], text[512];

	memset(longdir, 'd', sizeof(longdir) - 1);
	longdir[sizeof(longdir) - 1] = '\0';
	confdir_write(f->dir, SETTINGS_BROKER_FILE, "endpoint = \"http://x:80\";\n"
						    "max_envelope_bytes = 99999999;\n"
						    "expiry = \"5 fortnights\";\n"
						    "hwm = 0;\n"
						    "colour = \"red\";\n"
						    "heartbeat_ms = 50;\n"
						    "delivery_window = 70000;\n");
	f->b = settings_broker_load(f->dir, f->errs);
	assert_null(f->b);
	expect_errors(f, 9);
	assert_error(f, 0, "broker.conf", 5, "colour", "unknown setting 'colour' (known here: "
	    "endpoint, data_dir, key_file, stats_socket, max_envelope_bytes, expiry, heartbeat_ms, "
	    "delivery_window, hwm, recipient_quota, checkpoint_entries, checkpoint_seconds, "
	    "retention)");
	assert_error(f, 1, "broker.conf", 1, "endpoint", "endpoint 'http://x:80' must start with "
	    "tcp:// or ipc:// (e.g. \"tcp://127.0.0.1:7450\")");
	assert_error(f, 2, "broker.conf", 0, "data_dir", "missing; this setting is required");
	assert_error(f, 3, "broker.conf", 0, "key_file", "missing; this setting is required");
	assert_error(f, 4, "broker.conf", 2, "max_envelope_bytes", NULL);
	assert_non_null(strstr(conf_errors_get(f->errs, 4), "99999999 is out of range"));
	assert_error(f, 5, "broker.conf", 3, "expiry", NULL);
	assert_error(f, 6, "broker.conf", 6, "heartbeat_ms", NULL);
	assert_error(f, 7, "broker.conf", 7, "delivery_window",
	    "70000 is out of range; it must be from 1 to 65535");
	assert_error(f, 8, "broker.conf", 4, "hwm", "0 is out of range; it must be from 1 to 1000000");

	/* A socket path too long for sun_path. */
	conf_errors_destroy(&f->errs);
	f->errs = conf_errors_new();
	snprintf(text, sizeof(text), "endpoint = \"tcp://*:7450\";\ndata_dir = \"%s\";\n"
	    "key_file = \"k\";\n", longdir);
	confdir_write(f->dir, SETTINGS_BROKER_FILE, text);
	f->b = settings_broker_load(f->dir, f->errs);
	assert_null(f->b);
	expect_errors(f, 1);
	assert_error(f, 0, "broker.conf", 0, "stats_socket", NULL);
	assert_non_null(strstr(conf_errors_get(f->errs, 0), "it defaults to one in data_dir"));
}

static void
broker_defaults_and_relative_paths(void **state)
{
	struct fixture *f = *state;
	char want[512];

	f->b = settings_broker_load(f->dir, f->errs);
	expect_errors(f, 0);
	assert_non_null(f->b);
	assert_string_equal(f->b->path, in_dir(f, "broker.conf", want, sizeof(want)));
	assert_string_equal(f->b->endpoint, "tcp://127.0.0.1:7450");
	assert_string_equal(f->b->data_dir, in_dir(f, "run/broker", want, sizeof(want)));
	assert_string_equal(f->b->key_file, in_dir(f, "keys/broker.key", want, sizeof(want)));
	assert_int_equal(f->b->key_file_line, 3);
	assert_string_equal(f->b->stats_socket,
	    in_dir(f, "run/broker/" SETTINGS_STATS_SOCKET_NAME, want, sizeof(want)));
	assert_int_equal(f->b->max_envelope_bytes, ENVELOPE_MAX_BYTES);
	assert_string_equal(f->b->expiry.text, "2 working days");
	assert_int_equal(f->b->expiry.parsed.days, 2);
	assert_int_equal(f->b->heartbeat_ms, 2000);
	assert_int_equal(f->b->delivery_window, SETTINGS_DELIVERY_WINDOW_DEFAULT);
	assert_int_equal(f->b->hwm, SETTINGS_HWM_DEFAULT);
	assert_int_equal(f->b->recipient_quota, SETTINGS_RECIPIENT_QUOTA_DEFAULT);
	assert_int_equal(f->b->checkpoint_entries, SETTINGS_CHECKPOINT_ENTRIES_DEFAULT);
	assert_int_equal(f->b->checkpoint_seconds, SETTINGS_CHECKPOINT_SECONDS_DEFAULT);
}

static void
broker_every_setting_given(void **state)
{
	struct fixture *f = *state;

	confdir_write(f->dir, SETTINGS_BROKER_FILE, "endpoint = \"ipc:///run/dutynet/broker\";\n"
						    "data_dir = \"/var/lib/dutynet\";\n"
						    "key_file = \"/etc/dutynet/keys/broker.key\";\n"
						    "stats_socket = \"/run/dutynet/stats\";\n"
						    "max_envelope_bytes = 65536;\n"
						    "heartbeat_ms = 1000;\n"
						    "delivery_window = 8;\n"
						    "hwm = 50;\n"
						    "recipient_quota = 3;\n"
						    "checkpoint_entries = 10;\n"
						    "checkpoint_seconds = 20;\n");
	f->b = settings_broker_load(f->dir, f->errs);
	expect_errors(f, 0);
	assert_int_equal(f->b->checkpoint_entries, 10);
	assert_int_equal(f->b->checkpoint_seconds, 20);
	assert_string_equal(f->b->data_dir, "/var/lib/dutynet");
	assert_string_equal(f->b->stats_socket, "/run/dutynet/stats");
	assert_int_equal(f->b->max_envelope_bytes, 65536);
	assert_string_equal(f->b->expiry.text, SETTINGS_EXPIRY_DEFAULT);
	assert_int_equal(f->b->delivery_window, 8);
	assert_int_equal(f->b->hwm, 50);
	assert_int_equal(f->b->recipient_quota, 3);
}

static void
broker_quota_out_of_range(void **state)
{
	struct fixture *f = *state;

	confdir_write(f->dir, SETTINGS_BROKER_FILE, "endpoint = \"tcp://127.0.0.1:7450\";\n"
						    "data_dir = \"run/broker\";\n"
						    "key_file = \"keys/broker.key\";\n"
						    "recipient_quota = 0;\n");
	f->b = settings_broker_load(f->dir, f->errs);
	assert_null(f->b);
	expect_errors(f, 1);
	assert_error(f, 0, "broker.conf", 4, "recipient_quota",
	    "0 is out of range; it must be from 1 to 100000000");
}

static void
checkpoint_settings_out_of_range(void **state)
{
	struct fixture *f = *state;

	confdir_write(f->dir, SETTINGS_BROKER_FILE, "endpoint = \"tcp://127.0.0.1:7450\";\n"
						    "data_dir = \"run/broker\";\n"
						    "key_file = \"keys/broker.key\";\n"
						    "checkpoint_entries = 0;\n"
						    "checkpoint_seconds = 86401;\n");
	f->b = settings_broker_load(f->dir, f->errs);
	assert_null(f->b);
	expect_errors(f, 2);
	assert_error(f, 0, "broker.conf", 4, "checkpoint_entries",
	    "0 is out of range; it must be from 1 to 100000000");
	assert_error(f, 1, "broker.conf", 5, "checkpoint_seconds",
	    "86401 is out of range; it must be from 1 to 86400");
}

/* retention: absent keeps content for ever; days or years in both files;
 * a bad value is reported at its line with what to write. */
static void
retention_setting_in_both_files(void **state)
{
	struct fixture *f = *state;
	static const char agent_head[] = "agency = \"mash\";\n"
					 "broker_endpoint = \"tcp://127.0.0.1:7450\";\n"
					 "data_dir = \"run/mash\";\n"
					 "key_file = \"keys/mash.key\";\n";
	char text[512];

	confdir_write(f->dir, SETTINGS_BROKER_FILE, "endpoint = \"tcp://127.0.0.1:7450\";\n"
						    "data_dir = \"run/broker\";\n"
						    "key_file = \"keys/broker.key\";\n");
	assert_non_null(f->b = settings_broker_load(f->dir, f->errs));
	assert_int_equal(f->b->retention.unit, RETENTION_FOREVER);
	settings_broker_destroy(&f->b);
	confdir_write(f->dir, SETTINGS_BROKER_FILE, "endpoint = \"tcp://127.0.0.1:7450\";\n"
						    "data_dir = \"run/broker\";\n"
						    "key_file = \"keys/broker.key\";\n"
						    "retention = \"2555 days\";\n");
	assert_non_null(f->b = settings_broker_load(f->dir, f->errs));
	assert_int_equal(f->b->retention.unit, RETENTION_DAYS);
	assert_int_equal(f->b->retention.count, 2555);
	assert_string_equal(f->b->retention.text, "2555 days");
	settings_broker_destroy(&f->b);
	snprintf(text, sizeof(text), "%sretention = \"7 Years\";\n", agent_head);
	confdir_write(f->dir, "agents/mash.conf", text);
	assert_non_null(f->a = settings_agent_load(f->dir, "mash", f->d, f->errs));
	assert_int_equal(f->a->retention.unit, RETENTION_YEARS);
	assert_int_equal(f->a->retention.count, 7);
	settings_agent_destroy(&f->a);
	expect_errors(f, 0);
	/* "7y" and a number are refused, each at its own line. */
	snprintf(text, sizeof(text), "%sretention = \"7y\";\n", agent_head);
	confdir_write(f->dir, "agents/mash.conf", text);
	assert_null(f->a = settings_agent_load(f->dir, "mash", f->d, f->errs));
	confdir_write(f->dir, SETTINGS_BROKER_FILE, "endpoint = \"tcp://127.0.0.1:7450\";\n"
						    "data_dir = \"run/broker\";\n"
						    "key_file = \"keys/broker.key\";\n"
						    "\n"
						    "retention = 7;\n");
	assert_null(f->b = settings_broker_load(f->dir, f->errs));
	expect_errors(f, 2);
	assert_error(f, 0, "agents/mash.conf", 5, "retention", "retention '7y' not understood: "
	    "write \"N days\" or \"N years\" (e.g. \"7 years\"), or leave retention out to keep "
	    "content for ever");
	assert_error(f, 1, "broker.conf", 5, "retention", NULL);
}

static void
agent_reports_every_bad_value(void **state)
{
	struct fixture *f = *state;

	confdir_write(f->dir, "agents/mash.conf", "agency = \"camhs\";\n"
						 "broker_endpoint = \"tcp://broker\";\n"
						 "data_dir = \"run/mash\";\n"
						 "key_file = \"keys/mash.key\";\n"
						 "on_message = [ ];\n"
						 "retry_initial_ms = 5000;\n"
						 "retry_max_ms = 1000;\n"
						 "window = 0;\n");
	f->a = settings_agent_load(f->dir, "mash", f->d, f->errs);
	assert_null(f->a);
	expect_errors(f, 5);
	assert_error(f, 0, "agents/mash.conf", 1, "agency", "is 'camhs' but the file is for "
	    "'mash'; agents/<id>.conf must set agency = \"<id>\"");
	assert_error(f, 1, "agents/mash.conf", 2, "broker_endpoint", "endpoint 'tcp://broker' "
	    "needs a host and a port (\"tcp://HOST:PORT\")");
	assert_error(f, 2, "agents/mash.conf", 5, "on_message", "has 0 words; give the program "
	    "and its arguments, 1 to 64 words (or leave on_message out)");
	assert_error(f, 3, "agents/mash.conf", 7, "retry_max_ms", "1000 is less than "
	    "retry_initial_ms (5000); the longest delay cannot be shorter than the first");
	assert_error(f, 4, "agents/mash.conf", 8, "window",
	    "0 is out of range; it must be from 1 to 65535");
}

static void
agent_must_be_in_the_directory(void **state)
{
	struct fixture *f = *state;

	confdir_write(f->dir, "agents/health.conf", "agency = \"health\";\n"
						   "broker_endpoint = \"tcp://broker:7450\";\n"
						   "data_dir = \"run/health\";\n"
						   "key_file = \"keys/health.key\";\n"
						   "on_message = ( \"/bin/true\", 3 );\n");
	f->a = settings_agent_load(f->dir, "health", f->d, f->errs);
	assert_null(f->a);
	expect_errors(f, 2);
	assert_error(f, 0, "agents/health.conf", 1, "agency",
	    "unknown agency 'health': no entry in directory.conf has that id");
	assert_error(f, 1, "agents/health.conf", 5, "on_message[1]",
	    "must be a string in double quotes");
	/* Without a directory only the file itself is checked. */
	confdir_write(f->dir, "agents/health.conf", "agency = \"health\";\n"
						   "broker_endpoint = \"tcp://broker:7450\";\n"
						   "data_dir = \"run/health\";\n"
						   "key_file = \"keys/health.key\";\n");
	f->a = settings_agent_load(f->dir, "health", NULL, f->errs);
	assert_non_null(f->a);
	assert_null(f->a->on_message);
	assert_int_equal(f->a->on_message_argc, 0);
}

static void
agent_file_must_exist_and_id_be_valid(void **state)
{
	struct fixture *f = *state;

	assert_null(settings_agent_load(f->dir, "camhs", f->d, f->errs));
	expect_errors(f, 1);
	assert_error(f, 0, "agents/camhs.conf", 0, "file",
	    "cannot read it: No such file or directory");
	assert_null(settings_agent_load(f->dir, "../mash", f->d, f->errs));
	expect_errors(f, 2);
	assert_non_null(strstr(conf_errors_get(f->errs, 1),
	    "'../mash' is not a valid agency id, so it has no agents/<id>.conf"));
}

static void
agent_settings_and_defaults(void **state)
{
	struct fixture *f = *state;
	char want[512];

	f->a = settings_agent_load(f->dir, "mash", f->d, f->errs);
	expect_errors(f, 0);
	assert_non_null(f->a);
	assert_string_equal(f->a->path, in_dir(f, "agents/mash.conf", want, sizeof(want)));
	assert_string_equal(f->a->agency, "mash");
	assert_string_equal(f->a->broker_endpoint, "tcp://127.0.0.1:7450");
	assert_string_equal(f->a->data_dir, in_dir(f, "run/mash", want, sizeof(want)));
	assert_string_equal(f->a->key_file, in_dir(f, "keys/mash.key", want, sizeof(want)));
	assert_int_equal(f->a->key_file_line, 4);
	assert_string_equal(f->a->control_socket,
	    in_dir(f, "run/mash/" SETTINGS_CONTROL_SOCKET_NAME, want, sizeof(want)));
	assert_int_equal(f->a->on_message_argc, 2);
	assert_string_equal(f->a->on_message[0], "/bin/echo");
	assert_string_equal(f->a->on_message[1], "new message");
	assert_null(f->a->on_message[2]);
	assert_int_equal(f->a->retry_initial_ms, SETTINGS_RETRY_INITIAL_MS_DEFAULT);
	assert_int_equal(f->a->retry_max_ms, SETTINGS_RETRY_MAX_MS_DEFAULT);
	assert_int_equal(f->a->window, SETTINGS_AGENT_WINDOW_DEFAULT);
	assert_int_equal(f->a->heartbeat_ms, SETTINGS_HEARTBEAT_MS_DEFAULT);
	assert_int_equal(f->a->checkpoint_entries, SETTINGS_CHECKPOINT_ENTRIES_DEFAULT);
	assert_int_equal(f->a->checkpoint_seconds, SETTINGS_CHECKPOINT_SECONDS_DEFAULT);
	settings_agent_destroy(&f->a);
	assert_null(f->a);
	settings_agent_destroy(NULL);
	settings_broker_destroy(NULL);

	confdir_write(f->dir, "agents/mash.conf", "agency = \"mash\";\n"
						 "broker_endpoint = \"tcp://[::1]:7450\";\n"
						 "data_dir = \"/var/lib/mash\";\n"
						 "key_file = \"keys/mash.key\";\n"
						 "control_socket = \"/run/mash.sock\";\n"
						 "retry_initial_ms = 250;\n"
						 "retry_max_ms = 250;\n"
						 "window = 4;\n"
						 "heartbeat_ms = 750;\n"
						 "checkpoint_entries = 5;\n"
						 "checkpoint_seconds = 7;\n");
	f->a = settings_agent_load(f->dir, "mash", f->d, f->errs);
	expect_errors(f, 0);
	assert_string_equal(f->a->control_socket, "/run/mash.sock");
	assert_int_equal(f->a->retry_initial_ms, 250);
	assert_int_equal(f->a->retry_max_ms, 250);
	assert_int_equal(f->a->window, 4);
	assert_int_equal(f->a->heartbeat_ms, 750);
	assert_int_equal(f->a->checkpoint_entries, 5);
	assert_int_equal(f->a->checkpoint_seconds, 7);
}

static void
agent_contact_windows(void **state)
{
	struct fixture *f = *state;
	const struct calendar_interval *iv;
	size_t n;

	confdir_write(f->dir, "agents/mash.conf", "agency = \"mash\";\n"
						 "broker_endpoint = \"tcp://127.0.0.1:7450\";\n"
						 "data_dir = \"run/mash\";\n"
						 "key_file = \"keys/mash.key\";\n"
						 "contact_windows = { mon = [ \"10:30-10:50\", "
						 "\"15:30-17:00\" ]; fri = [ \"15:15-16:00\" ]; };\n");
	f->a = settings_agent_load(f->dir, "mash", f->d, f->errs);
	expect_errors(f, 0);
	assert_non_null(f->a->contact_windows);
	iv = calendar_hours(f->a->contact_windows, CIVIL_MONDAY, &n);
	assert_int_equal(n, 2);
	assert_int_equal(iv[0].start, 10 * 60 + 30);
	assert_int_equal(iv[1].end, 17 * 60);
	calendar_hours(f->a->contact_windows, CIVIL_TUESDAY, &n);
	assert_int_equal(n, 0);
	calendar_hours(f->a->contact_windows, CIVIL_FRIDAY, &n);
	assert_int_equal(n, 1);
	assert_false(calendar_bank_holidays(f->a->contact_windows));
	settings_agent_destroy(&f->a);

	/* Without the setting there are none. */
	f->a = settings_agent_load(f->dir, "mash", f->d, f->errs);
	settings_agent_destroy(&f->a);
	confdir_write(f->dir, "agents/mash.conf", "agency = \"mash\";\n"
						 "broker_endpoint = \"tcp://127.0.0.1:7450\";\n"
						 "data_dir = \"run/mash\";\n"
						 "key_file = \"keys/mash.key\";\n");
	f->a = settings_agent_load(f->dir, "mash", f->d, f->errs);
	expect_errors(f, 0);
	assert_null(f->a->contact_windows);
	settings_agent_destroy(&f->a);

	/* A bad interval, an unknown day, no window at all. */
	confdir_write(f->dir, "agents/mash.conf", "agency = \"mash\";\n"
						 "broker_endpoint = \"tcp://127.0.0.1:7450\";\n"
						 "data_dir = \"run/mash\";\n"
						 "key_file = \"keys/mash.key\";\n"
						 "contact_windows = { mon = [ \"10:50-10:30\" ]; };\n");
	assert_null(f->a = settings_agent_load(f->dir, "mash", f->d, f->errs));
	expect_errors(f, 1);
	assert_non_null(strstr(conf_errors_get(f->errs, 0), "agents/mash.conf:5: "
	    "contact_windows.mon: "));
	confdir_write(f->dir, "agents/mash.conf", "agency = \"mash\";\n"
						 "broker_endpoint = \"tcp://127.0.0.1:7450\";\n"
						 "data_dir = \"run/mash\";\n"
						 "key_file = \"keys/mash.key\";\n"
						 "contact_windows = { monday = [ \"10:30-10:50\" ]; };\n");
	assert_null(f->a = settings_agent_load(f->dir, "mash", f->d, f->errs));
	expect_errors(f, 2);
	assert_non_null(strstr(conf_errors_get(f->errs, 1), "agents/mash.conf:5: "
	    "contact_windows.monday: unknown setting"));
	confdir_write(f->dir, "agents/mash.conf", "agency = \"mash\";\n"
						 "broker_endpoint = \"tcp://127.0.0.1:7450\";\n"
						 "data_dir = \"run/mash\";\n"
						 "key_file = \"keys/mash.key\";\n"
						 "contact_windows = { sat = [ ]; };\n");
	assert_null(f->a = settings_agent_load(f->dir, "mash", f->d, f->errs));
	expect_errors(f, 3);
	assert_error(f, 2, "agents/mash.conf", 5, "contact_windows", "declares no window on "
	    "any day; leave contact_windows out if on_message may run at any time");
}

static void
endpoints(void **state)
{
	static const char *const good[] = {"tcp://127.0.0.1:7450", "tcp://*:7450",
	    "tcp://broker.example.org:1", "tcp://[::1]:65535", "tcp://h:*", "ipc:///run/x"};
	static const char *const bad[] = {"", "tcp://", "tcp://:1", "tcp://h:0", "tcp://h:65536",
	    "tcp://h:12a", "tcp://h:", "tcp://h:123456", "ipc://", "udp://h:1", "TCP://h:1"};
	struct status st;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (settings_endpoint_valid(good[i], &st) != 0)
			fail_msg("'%s' refused: %s", good[i], st.text);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (settings_endpoint_valid(bad[i], &st) == 0)
			fail_msg("'%s' accepted", bad[i]);
		assert_int_equal(st.code, STATUS_BAD_FIELD);
	}
}

/* The web inbox's settings: web_listen parsed, TLS both or neither,
 * web_session_idle clock time within limits; absent: no web server. */
static void
agent_web_settings(void **state)
{
	struct fixture *f = *state;
	char want[512];

	confdir_write(f->dir, "agents/mash.conf", "agency = \"mash\";\n"
						 "broker_endpoint = \"tcp://127.0.0.1:7450\";\n"
						 "data_dir = \"run/mash\";\n"
						 "key_file = \"keys/mash.key\";\n");
	f->a = settings_agent_load(f->dir, "mash", f->d, f->errs);
	expect_errors(f, 0);
	assert_int_equal(f->a->web_port, 0);
	assert_null(f->a->web_tls_cert);
	assert_null(f->a->web_tls_key);
	assert_int_equal(f->a->web_session_idle_ms, SETTINGS_WEB_SESSION_IDLE_DEFAULT_MS);
	settings_agent_destroy(&f->a);

	confdir_write(f->dir, "agents/mash.conf", "agency = \"mash\";\n"
						 "broker_endpoint = \"tcp://127.0.0.1:7450\";\n"
						 "data_dir = \"run/mash\";\n"
						 "key_file = \"keys/mash.key\";\n"
						 "web_listen = \"[::1]:8441\";\n"
						 "web_tls_cert = \"tls/web.crt\";\n"
						 "web_tls_key = \"tls/web.key\";\n"
						 "web_session_idle = \"15 minutes\";\n");
	f->a = settings_agent_load(f->dir, "mash", f->d, f->errs);
	expect_errors(f, 0);
	assert_string_equal(f->a->web_host, "::1");
	assert_int_equal(f->a->web_port, 8441);
	assert_string_equal(f->a->web_tls_cert, in_dir(f, "tls/web.crt", want, sizeof(want)));
	assert_string_equal(f->a->web_tls_key, in_dir(f, "tls/web.key", want, sizeof(want)));
	assert_int_equal(f->a->web_tls_key_line, 7);
	assert_int_equal(f->a->web_session_idle_ms, 15 * 60000);
	settings_agent_destroy(&f->a);

	confdir_write(f->dir, "agents/mash.conf", "agency = \"mash\";\n"
						 "broker_endpoint = \"tcp://127.0.0.1:7450\";\n"
						 "data_dir = \"run/mash\";\n"
						 "key_file = \"keys/mash.key\";\n"
						 "web_listen = \"localhost:8441\";\n"
						 "web_tls_key = \"tls/web.key\";\n"
						 "web_session_idle = \"2 working hours\";\n");
	assert_null(f->a = settings_agent_load(f->dir, "mash", f->d, f->errs));
	expect_errors(f, 3);
	assert_error(f, 0, "agents/mash.conf", 5, "web_listen", "web_listen 'localhost:8441': "
	    "'localhost' is not an IPv4 address (a literal, not a host name)");
	assert_error(f, 1, "agents/mash.conf", 0, "web_tls_cert", "is missing: HTTPS needs both "
	    "web_tls_cert and web_tls_key (or neither)");
	assert_error(f, 2, "agents/mash.conf", 7, "web_session_idle", "'2 working hours' must be "
	    "clock time from 1 minute to 24 hours, like \"30 minutes\"");
}

static void
web_listen_values(void **state)
{
	static const char *const bad[] = {"127.0.0.1", "127.0.0.1:", "127.0.0.1:0",
		"127.0.0.1:65536", "127.0.0.1:80x", ":8441", "[::1]8441", "::1:8441",
		"[127.0.0.1]:8441", "999.0.0.1:8441", "[]:80"};
	char host[SETTINGS_WEB_HOST_MAX];
	struct status st;
	size_t i;
	int port;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(settings_web_listen_parse(bad[i], host, &port, &st), -1);
		assert_int_equal(st.code, STATUS_BAD_FIELD);
		assert_non_null(strstr(st.text, "web_listen '"));
	}
	assert_int_equal(settings_web_listen_parse("127.0.0.1:8441", host, &port, &st), 0);
	assert_string_equal(host, "127.0.0.1");
	assert_int_equal(port, 8441);
	assert_int_equal(settings_web_listen_parse("0.0.0.0:65535", host, &port, &st), 0);
	assert_int_equal(port, 65535);
	assert_int_equal(settings_web_listen_parse("[fe80::1]:1", host, &port, &st), 0);
	assert_string_equal(host, "fe80::1");
	assert_int_equal(port, 1);
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(broker_reports_every_bad_value),
		T(agent_reports_every_bad_value),
		T(agent_must_be_in_the_directory),
		T(agent_file_must_exist_and_id_be_valid),
		T(agent_contact_windows),
		cmocka_unit_test(endpoints),
		T(broker_defaults_and_relative_paths),
		T(broker_every_setting_given),
		T(broker_quota_out_of_range),
		T(checkpoint_settings_out_of_range),
		T(retention_setting_in_both_files),
		T(agent_settings_and_defaults),
		T(agent_web_settings),
		cmocka_unit_test(web_listen_values),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
