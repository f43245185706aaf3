/* SPDX-License-Identifier: ISC */
/*
 * hook: runs the on_message program for each stored message, at least once
 * (see hook.h), and all the SQL on the hooks table.
 *
 * DESIGN: fork then exec at once.  The agent has ZeroMQ I/O threads, and
 * after fork only the calling thread exists in the child, so the child
 * calls only async-signal-safe functions before exec: it unblocks signals,
 * restores SIGPIPE, points stdin at /dev/null, closes every other
 * descriptor above stderr (the ZeroMQ sockets, the database, the control
 * socket must not leak into the program) and execs the program by path
 * with an argument vector and an environment built before the fork (the
 * agent's own, without NOTIFY_SOCKET and the watchdog variables, which are
 * the agent's alone).  No shell ever parses
 * anything.  The child gets its own process group, so a timeout kills the
 * program and anything it started.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "agents/hook.h"
#include "agents/window.h"
#include "common/auditlog.h"
#include "common/backoff.h"
#include "common/clock.h"
#include "common/log.h"
#include "config/rfc3339.h"
#include "proto/envelope.h"

#define TYPE_NAME_MAX 16
#define HOOK_EXTRA_ARGS 2		/* message id and type */
/* Descriptors closed one by one when close_range(2) is unavailable. */
#define FD_FALLBACK_MAX 65536

struct hook {
	char **argv;			/* words, id, type, NULL */
	size_t n;			/* configured words */
	uint64_t timeout_ms;
	pid_t pid;			/* running child, or 0 */
	uint64_t started_mono;		/* clock_mono_ms at fork */
	int killed;			/* the timeout killed it */
	uint8_t id[IDS_MSGID_BYTES];	/* the message it runs for */
	const struct calendar *windows;	/* contact windows, borrowed; NULL: none */
};

static const char enqueue_sql[] =
	"INSERT OR IGNORE INTO hooks (message_id, type, queued_ms, next_try_ms, urgency,"
	" not_before_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?4)";
static const char next_sql[] =
	"SELECT message_id, type FROM hooks WHERE done_ms IS NULL AND next_try_ms <= ?"
	" ORDER BY next_try_ms, queued_ms LIMIT 1";
static const char when_sql[] = "SELECT min(next_try_ms) FROM hooks WHERE done_ms IS NULL";
static const char attempts_sql[] =
	"SELECT attempts, urgency FROM hooks WHERE message_id = ? AND done_ms IS NULL";
static const char done_sql[] =
	"UPDATE hooks SET attempts = attempts + 1, last_exit = 0, done_ms = ?2"
	" WHERE message_id = ?1";
static const char retry_sql[] =
	"UPDATE hooks SET attempts = attempts + 1, last_exit = ?2, next_try_ms = ?3"
	" WHERE message_id = ?1";
static const char pending_sql[] = "SELECT count(*) FROM hooks WHERE done_ms IS NULL";

struct hook *
hook_new(const char *const *words, size_t n, uint64_t timeout_ms)
{
	struct hook *h;
	size_t i;

	assert(n > 0 && words[0] != NULL);
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	h->timeout_ms = timeout_ms;
	h->n = n;
	/* Two slots for id and type (filled per run), one for NULL. */
	if ((h->argv = calloc(n + HOOK_EXTRA_ARGS + 1, sizeof(*h->argv))) == NULL)
		goto fail;
	for (i = 0; i < n; i++)
		if ((h->argv[i] = strdup(words[i])) == NULL)
			goto fail;
	return h;
fail:
	hook_destroy(&h);
	return NULL;
}

void
hook_destroy(struct hook **hp)
{
	size_t i;

	if (*hp == NULL)
		return;
	for (i = 0; (*hp)->argv != NULL && i < (*hp)->n; i++)
		free((*hp)->argv[i]);
	free((*hp)->argv);
	free(*hp);
	*hp = NULL;
}

pid_t
hook_running(const struct hook *h)
{
	return h->pid;
}

void
hook_set_windows(struct hook *h, const struct calendar *windows)
{
	h->windows = windows;
}

int
hook_enqueue(struct hook *h, struct db *db, const uint8_t id[IDS_MSGID_BYTES], int type,
    int urgency, uint64_t now_ms, struct status *st)
{
	const char *name = envelope_type_name(type);
	char detail[AUDITLOG_DETAIL_MAX], when[RFC3339_LEN];
	uint64_t at = window_next(h->windows, urgency, now_ms);
	sqlite3_stmt *s;

	assert(db_in_transaction(db));
	assert(name != NULL);
	if ((s = db_prepare(db, enqueue_sql, st)) == NULL)
		return -1;
	sqlite3_bind_blob(s, 1, id, IDS_MSGID_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)now_ms);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)at);
	sqlite3_bind_int(s, 5, urgency);
	if (db_step(db, s, st) != DB_DONE)
		return -1;
	if (at == now_ms || sqlite3_changes(db_handle(db)) == 0)
		return 0;
	rfc3339_format(at, when);
	snprintf(detail, sizeof(detail), "on_message waits for the next contact window, at %s "
	    "(a %s message)", when, envelope_urgency_name(urgency));
	return auditlog_append(db, "hook", NULL, id, detail, st);
}

/* In the child, between fork and exec: async-signal-safe calls only. */
static void __attribute__((noreturn))
child(const char *program, char *const argv[], char *const envp[])
{
	struct sigaction sa;
	struct rlimit rl;
	sigset_t none;
	int fd;
	long i, max;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigaction(SIGPIPE, &sa, NULL);
	setpgid(0, 0);
	if ((fd = open("/dev/null", O_RDONLY)) >= 0 && fd != STDIN_FILENO) {
		dup2(fd, STDIN_FILENO);
		close(fd);
	}
	if (syscall(SYS_close_range, 3U, ~0U, 0U) != 0) {
		max = FD_FALLBACK_MAX;
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
		    (long)rl.rlim_cur < max)
			max = (long)rl.rlim_cur;
		for (i = 3; i < max; i++)
			close((int)i);
	}
	execve(program, argv, envp);
	_exit(HOOK_EXIT_EXEC_FAILED);
}

/* The agent's environment without what belongs to its service manager
 * (HOOK_ENV_DROPPED): the program must not be able to report READY, STOPPING
 * or watchdog pings as if it were the agent.  Built before the fork - the
 * child may not allocate or unsetenv (neither is async-signal-safe) - as an
 * array of borrowed pointers into environ; NULL if out of memory. */
static char **
child_environment(void)
{
	static const char *const dropped[] = HOOK_ENV_DROPPED;
	char **envp;
	size_t n = 0, k = 0, i, j, len;

	while (environ[n] != NULL)
		n++;
	if ((envp = calloc(n + 1, sizeof(*envp))) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		for (j = 0; dropped[j] != NULL; j++) {
			len = strlen(dropped[j]);
			if (strncmp(environ[i], dropped[j], len) == 0 && environ[i][len] == '=')
				break;
		}
		if (dropped[j] == NULL)
			envp[k++] = environ[i];
	}
	return envp;
}

static int
start(struct hook *h, struct db *db, struct status *st)
{
	char **envp;
	char idtext[IDS_MSGID_TEXT + 1], type[TYPE_NAME_MAX];
	sqlite3_stmt *s;
	pid_t pid;
	int rc;

	if ((s = db_prepare(db, next_sql, st)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)clock_now_ms());
	if ((rc = db_step(db, s, st)) != DB_ROW)
		return rc == -1 ? -1 : 0;
	memcpy(h->id, sqlite3_column_blob(s, 0), IDS_MSGID_BYTES);
	snprintf(type, sizeof(type), "%s", (const char *)sqlite3_column_text(s, 1));
	sqlite3_reset(s);
	ids_msgid_format(h->id, idtext);

	if ((envp = child_environment()) == NULL) {
		log_warnx("on_message: out of memory starting the run for message %s", idtext);
		return 0;
	}
	h->argv[h->n] = idtext;
	h->argv[h->n + 1] = type;
	h->argv[h->n + 2] = NULL;
	pid = fork();
	if (pid == 0)
		child(h->argv[0], h->argv, envp);
	h->argv[h->n] = h->argv[h->n + 1] = NULL;
	free(envp);
	if (pid == -1) {
		/* Nothing started: the run stays pending and is tried again. */
		log_warn("on_message: cannot fork for message %s", idtext);
		return 0;
	}
	h->pid = pid;
	h->killed = 0;
	h->started_mono = clock_mono_ms();
	log_event(LOG_LEVEL_DEBUG, NULL, idtext, "hook-start", "pid %d", (int)pid);
	return 0;
}

/* Records a finished run (exit code, or HOOK_EXIT_SIGNAL_BASE + signal). */
static int
record(struct hook *h, struct db *db, int code, struct status *st)
{
	char detail[AUDITLOG_DETAIL_MAX], idtext[IDS_MSGID_TEXT + 1];
	uint64_t now = clock_now_ms(), delay = 0;
	sqlite3_stmt *s;
	int64_t attempts;
	int rc, urgency;

	ids_msgid_format(h->id, idtext);
	if (db_begin(db, st) != 0)
		return -1;
	if ((s = db_prepare(db, attempts_sql, st)) == NULL)
		goto fail;
	sqlite3_bind_blob(s, 1, h->id, IDS_MSGID_BYTES, SQLITE_STATIC);
	if ((rc = db_step(db, s, st)) == -1)
		goto fail;
	if (rc == DB_DONE)	/* already done: nothing to add */
		return db_commit(db, st);
	attempts = sqlite3_column_int64(s, 0) + 1;
	urgency = sqlite3_column_type(s, 1) == SQLITE_NULL ? URGENCY_URGENT :
	    sqlite3_column_int(s, 1);
	sqlite3_reset(s);

	if ((s = db_prepare(db, code == 0 ? done_sql : retry_sql, st)) == NULL)
		goto fail;
	sqlite3_bind_blob(s, 1, h->id, IDS_MSGID_BYTES, SQLITE_STATIC);
	if (code == 0) {
		sqlite3_bind_int64(s, 2, (sqlite3_int64)now);
		snprintf(detail, sizeof(detail), "on_message exited 0 (attempt %lld)",
		    (long long)attempts);
	} else {
		delay = backoff_ms(HOOK_RETRY_BASE_MS, HOOK_RETRY_MAX_MS, (unsigned)attempts,
		    randombytes_random());
		/* A run that waits for windows retries inside one too. */
		delay = window_next(h->windows, urgency, now + delay) - now;
		sqlite3_bind_int(s, 2, code);
		sqlite3_bind_int64(s, 3, (sqlite3_int64)(now + delay));
		snprintf(detail, sizeof(detail), "on_message %s %d (attempt %lld); runs again in %llu s",
		    h->killed ? "killed after the timeout, status" :
		    code >= HOOK_EXIT_SIGNAL_BASE ? "killed by a signal, status" : "exited",
		    code, (long long)attempts, (unsigned long long)(delay / 1000));
	}
	if (db_step(db, s, st) != DB_DONE)
		goto fail;
	if (auditlog_append(db, "hook", NULL, h->id, detail, st) != 0)
		goto fail;
	if (db_commit(db, st) != 0)
		return -1;
	log_event(code == 0 ? LOG_LEVEL_INFO : LOG_LEVEL_WARN, NULL, idtext, "hook", "%s",
	    detail);
	return 0;
fail:
	db_rollback(db, NULL);
	return -1;
}

int
hook_poll(struct hook *h, struct db *db, int wait, struct status *st)
{
	int wstatus, code;
	pid_t r;

	assert(!db_in_transaction(db));
	if (h->pid != 0) {
		r = waitpid(h->pid, &wstatus, wait ? 0 : WNOHANG);
		if (r == 0) {
			if (!h->killed && clock_mono_ms() - h->started_mono >= h->timeout_ms) {
				kill(-h->pid, SIGKILL);
				kill(h->pid, SIGKILL);
				h->killed = 1;
			}
			return 0;
		}
		if (r == -1 && errno == EINTR)
			return 0;
		h->pid = 0;
		if (r == -1) {
			/* Reaped elsewhere: its exit is unknown, so it runs again. */
			return 0;
		}
		if (WIFEXITED(wstatus))
			code = WEXITSTATUS(wstatus);
		else
			code = HOOK_EXIT_SIGNAL_BASE + WTERMSIG(wstatus);
		if (record(h, db, code, st) != 0)
			return -1;
	}
	return start(h, db, st);
}

int64_t
hook_wait_ms(struct hook *h, struct db *db, uint64_t now_ms)
{
	sqlite3_stmt *s;
	int64_t when;

	if (h->pid != 0)
		return HOOK_POLL_MS;
	if ((s = db_prepare(db, when_sql, NULL)) == NULL || db_step(db, s, NULL) != DB_ROW)
		return HOOK_POLL_MS;	/* the database is failing: look again soon */
	if (sqlite3_column_type(s, 0) == SQLITE_NULL) {
		sqlite3_reset(s);
		return -1;
	}
	when = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return when <= (int64_t)now_ms ? 0 : when - (int64_t)now_ms;
}

int64_t
hook_pending(struct db *db, struct status *st)
{
	sqlite3_stmt *s;
	int64_t n;

	if ((s = db_prepare(db, pending_sql, st)) == NULL)
		return -1;
	if (db_step(db, s, st) != DB_ROW)
		return -1;
	n = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return n;
}
