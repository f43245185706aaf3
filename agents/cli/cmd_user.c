/* SPDX-License-Identifier: ISC */
/*
 * cmd_user: the web inbox's staff accounts - `dutynet user add NAME --role
 * lead|worker|viewer`, `dutynet user passwd NAME`, `dutynet user disable
 * NAME`, `dutynet user list [--json]`.  The agent keeps the accounts
 * (agents/users.c); this only asks for the password and sends the request.
 *
 * A password is never taken from the command line (anyone on the machine
 * can read another process's arguments).  It is read from the terminal
 * with echo off, asked twice, or - when stdin is not a terminal - as the
 * first line of stdin, for scripts.  It lives in sodium_malloc memory and
 * travels to the agent as the request's "password" argument over the
 * control socket, which only the agent's own user (and root) can open;
 * every copy is wiped after use (client.c, ctlmsg.c, control.c).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "agents/cli/client.h"
#include "agents/cli/cmd.h"
#include "agents/users.h"

#define PW_OPTION "--password="
#define PW_KEY "password"
/* Room for the option, the longest password, one byte more to tell "too
 * long" from "just fits", and the NUL. */
#define PW_BUF (sizeof(PW_OPTION) + USERS_PASSWORD_MAX + 2)
#define ARGV_EXTRA 2	/* the password option and the closing NULL */

static const char *const name_only[] = {"name", NULL};
static const char *const add_flags[] = {"role", PW_KEY, NULL};
static const char *const passwd_flags[] = {PW_KEY, NULL};

static const char group_usage[] =
    "usage: dutynet user add NAME --role lead|worker|viewer\n"
    "       dutynet user passwd NAME\n"
    "       dutynet user disable NAME\n"
    "       dutynet user list [--json]\n"
    "\n"
    "Staff accounts of this agency's web inbox.  A lead and a worker may answer\n"
    "and send; a viewer may only read.  Every read and every change is audited.\n"
    "The password is asked twice on the terminal (not echoed), or read as the\n"
    "first line of stdin when stdin is not a terminal:\n"
    "  printf '%%s\\n' \"$PW\" | dutynet user add alice.khan --role worker\n"
    "Passwords are %d to %d bytes.  Run 'dutynet user VERB --help' for a verb's\n"
    "options.\n";

static const char add_usage[] =
    "usage: dutynet user add NAME --role lead|worker|viewer\n"
    "\n"
    "Creates the web account NAME (1 to 64 of a-z, 0-9, '.', '_', '-', e.g.\n"
    "alice.khan) and asks for its password: twice on a terminal, or the first\n"
    "line of stdin.\n"
    "\n"
    "  --role ROLE         lead or worker (may answer and send) or viewer (reads)\n";

static const char passwd_usage[] =
    "usage: dutynet user passwd NAME\n"
    "\n"
    "Sets a new password for the web account NAME: asked twice on a terminal, or\n"
    "the first line of stdin.\n";

static const char disable_usage[] =
    "usage: dutynet user disable NAME\n"
    "\n"
    "Disables the web account NAME: it can no longer log in.  The account stays\n"
    "listed, and its history in the audit log stays.\n";

static const char list_usage[] =
    "usage: dutynet user list [--json]\n"
    "\n"
    "Lists the web accounts: name, role, enabled or disabled, when created.\n";

static struct termios saved_tty;
static volatile sig_atomic_t echo_off;

/* Puts the terminal back if the user interrupts while echo is off. */
static void
restore_tty(int sig)
{
	if (echo_off)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tty);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Reads one line of fd into buf (cap bytes, NUL-terminated, newline
 * dropped) a byte at a time, so no stdio buffer keeps a copy: its length,
 * or -1 on a read error, or cap if the line is longer than buf. */
static ssize_t
read_line(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	ssize_t r;
	char c;

	for (;;) {
		r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0 || c == '\n')
			break;
		if (n + 1 >= cap)
			return (ssize_t)cap;
		buf[n++] = c;
	}
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	return (ssize_t)n;
}

/* Asks prompt on the terminal with echo off.  Echo goes off (and what was
 * typed ahead is discarded) before the prompt shows, so nothing typed after
 * the prompt is echoed or lost. */
static ssize_t
ask(const char *prompt, char *buf, size_t cap)
{
	struct termios t;
	ssize_t n;

	if (tcgetattr(STDIN_FILENO, &saved_tty) != 0)
		return -1;
	t = saved_tty;
	t.c_lflag &= ~(tcflag_t)ECHO;
	t.c_lflag |= ECHONL;
	echo_off = 1;
	signal(SIGINT, restore_tty);
	signal(SIGTERM, restore_tty);
	signal(SIGHUP, restore_tty);
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &t) != 0) {
		echo_off = 0;
		return -1;
	}
	fputs(prompt, stderr);
	fflush(stderr);
	n = read_line(STDIN_FILENO, buf, cap);
	tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
	echo_off = 0;
	return n;
}

/* The password for name into pw (cap bytes): CMD_OK, or an exit code
 * after saying what is wrong. */
static int
read_password(const char *cmd, const char *name, char *pw, size_t cap)
{
	char prompt[USERS_NAME_MAX + 64], *again = NULL;
	ssize_t n, m;
	int ret = CMD_USAGE;

	if (!isatty(STDIN_FILENO)) {
		if ((n = read_line(STDIN_FILENO, pw, cap)) < 0) {
			fprintf(stderr, "dutynet %s: cannot read the password from stdin: %s\n",
			    cmd, strerror(errno));
			return CMD_FAIL;
		}
	} else {
		if ((again = sodium_malloc(cap)) == NULL) {
			fprintf(stderr, "dutynet %s: out of memory\n", cmd);
			return CMD_FAIL;
		}
		snprintf(prompt, sizeof(prompt), "Password for %s: ", name);
		n = ask(prompt, pw, cap);
		m = n >= 0 && (size_t)n < cap ? ask("Again: ", again, cap) : n;
		if (n < 0 || m < 0) {
			fprintf(stderr, "dutynet %s: cannot read the password from the "
			    "terminal: %s\n", cmd, strerror(errno));
			ret = CMD_FAIL;
			goto out;
		}
		if ((size_t)n < cap && (n != m || sodium_memcmp(pw, again, (size_t)n) != 0)) {
			fprintf(stderr, "dutynet %s: the two passwords differ; nothing "
			    "changed, try again\n", cmd);
			goto out;
		}
	}
	if ((size_t)n >= cap || n > USERS_PASSWORD_MAX || n < USERS_PASSWORD_MIN) {
		fprintf(stderr, "dutynet %s: the password is %s bytes; use %d to %d bytes (a few "
		    "words are easy to remember)\n", cmd, (size_t)n >= cap ? "too many" :
		    n < USERS_PASSWORD_MIN ? "too few" : "too many", USERS_PASSWORD_MIN,
		    USERS_PASSWORD_MAX);
		goto out;
	}
	ret = CMD_OK;
out:
	sodium_free(again);
	return ret;
}

/* The first word after the verb that is not an option or an option's
 * value: the account name, for the prompt; NULL if there is none. */
static const char *
name_arg(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strncmp(argv[i], "--", 2) != 0 || argv[i][2] == '\0')
			return argv[i];
		if (strchr(argv[i], '=') == NULL && strcmp(argv[i], "--json") != 0)
			i++;	/* --role lead, --config DIR, ... */
	}
	return NULL;
}

/* Runs c with the password read and appended as --password=PW. */
static int
with_password(const struct client_cmd *c, int argc, char **argv)
{
	char *opt = NULL, **v = NULL;
	const char *name;
	int i, ret = CMD_FAIL;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0)
			return client_main(c, argc, argv);
		if (strncmp(argv[i], "--" PW_KEY, sizeof("--" PW_KEY) - 1) == 0) {
			fprintf(stderr, "dutynet %s: the password is not given on the command line "
			    "(others can see it there); it is asked for, or read from stdin\n",
			    c->name);
			return CMD_USAGE;
		}
	}
	if ((name = name_arg(argc, argv)) == NULL)
		return client_main(c, argc, argv);	/* no NAME: client_main says so */
	if (sodium_init() < 0) {
		fprintf(stderr, "dutynet %s: libsodium did not initialise\n", c->name);
		return CMD_FAIL;
	}
	if ((opt = sodium_malloc(PW_BUF)) == NULL ||
	    (v = calloc((size_t)argc + ARGV_EXTRA, sizeof(*v))) == NULL) {
		fprintf(stderr, "dutynet %s: out of memory\n", c->name);
		goto out;
	}
	memcpy(opt, PW_OPTION, sizeof(PW_OPTION) - 1);
	if ((ret = read_password(c->name, name, opt + sizeof(PW_OPTION) - 1,
		 PW_BUF - sizeof(PW_OPTION) + 1)) != CMD_OK)
		goto out;
	for (i = 0; i < argc; i++)
		v[i] = argv[i];
	v[argc] = opt;
	ret = client_main(c, argc + 1, v);
out:
	free(v);
	sodium_free(opt);	/* wipes it */
	return ret;
}

int
cmd_user(int argc, char **argv)
{
	struct client_cmd add = {"user add", "user-add", add_usage, name_only, 1, add_flags, NULL,
		NULL};
	struct client_cmd passwd = {"user passwd", "user-passwd", passwd_usage, name_only, 1,
		passwd_flags, NULL, NULL};
	struct client_cmd disable = {"user disable", "user-disable", disable_usage, name_only, 1,
		NULL, NULL, NULL};
	struct client_cmd list = {"user list", "user-list", list_usage, NULL, 0, NULL, NULL, NULL};

	if (argc < 2) {
		fprintf(stderr, group_usage, USERS_PASSWORD_MIN, USERS_PASSWORD_MAX);
		return CMD_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		printf(group_usage, USERS_PASSWORD_MIN, USERS_PASSWORD_MAX);
		return CMD_OK;
	}
	if (strcmp(argv[1], "add") == 0)
		return with_password(&add, argc - 1, argv + 1);
	if (strcmp(argv[1], "passwd") == 0)
		return with_password(&passwd, argc - 1, argv + 1);
	if (strcmp(argv[1], "disable") == 0)
		return client_main(&disable, argc - 1, argv + 1);
	if (strcmp(argv[1], "list") == 0)
		return client_main(&list, argc - 1, argv + 1);
	fprintf(stderr, "dutynet user: unknown verb '%s'; it is add, passwd, disable or list "
	    "(see 'dutynet user --help')\n", argv[1]);
	return CMD_USAGE;
}
