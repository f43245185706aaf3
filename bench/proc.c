/* SPDX-License-Identifier: ISC */
/*
 * proc: starting, watching and stopping the daemons (see proc.h).  A
 * daemon's stderr goes to its own file in the area's log/ directory, as
 * journald would take it; the benchmark reads that file to know when the
 * daemon is ready, and shows its last line when it is not.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench/proc.h"

#define MS_PER_S 1000.0
#define NS_PER_MS 1e6
#define LINE_MAX_LEN 4096
#define STATUS_LINE_MAX 256
#define ARGV_MAX 8

double
proc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * MS_PER_S + (double)ts.tv_nsec / NS_PER_MS;
}

static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

long
proc_raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return -1;
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	getrlimit(RLIMIT_NOFILE, &rl);
	return (long)rl.rlim_cur;
}

void
proc_bin_dir(const char *given, char *out)
{
	char self[AREA_PATH_MAX];
	ssize_t n;

	if (given != NULL || (given = getenv("DUTYNET_BINARY_DIR")) != NULL) {
		snprintf(out, AREA_PATH_MAX, "%s", given);
		return;
	}
	/* BUILD/bench/dutynet-bench: the daemons are in BUILD/broker, BUILD/agents. */
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[n > 0 ? n : 0] = '\0';
	snprintf(out, AREA_PATH_MAX, "%s", dirname(dirname(self)));
}

/* The last line of p's log, into out (for an error). */
static void
last_line(const struct proc *p, char *out, size_t cap)
{
	char line[LINE_MAX_LEN];
	FILE *f = fopen(p->log, "r");

	snprintf(out, cap, "(no log)");
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		snprintf(out, cap, "%s", line);
	}
	fclose(f);
}

static int
spawn(struct proc *p, char *const argv[], struct status *st)
{
	int fd;

	if ((p->pid = fork()) < 0)
		return status_set(st, STATUS_UNAVAILABLE, "fork: %s", strerror(errno));
	if (p->pid == 0) {
		/* A daemon never outlives the benchmark that started it. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		fd = open(p->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (fd >= 0)
			dup2(fd, STDERR_FILENO);
		fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (fd >= 0) {
			dup2(fd, STDIN_FILENO);
			dup2(fd, STDOUT_FILENO);
		}
		execv(argv[0], argv);
		fprintf(stderr, "dutynet-bench: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	return 0;
}

long
proc_log_size(const struct proc *p)
{
	struct stat sb;

	return stat(p->log, &sb) == 0 ? (long)sb.st_size : 0;
}

int
proc_wait_log(const struct proc *p, long from, const char *w1, const char *w2, int ms,
    struct status *st)
{
	char line[LINE_MAX_LEN], last[LINE_MAX_LEN];
	double end = proc_now_ms() + ms;
	int status;
	FILE *f;

	for (;;) {
		if ((f = fopen(p->log, "r")) != NULL) {
			fseek(f, from, SEEK_SET);
			while (fgets(line, sizeof(line), f) != NULL)
				if (strstr(line, w1) != NULL && (w2 == NULL || strstr(line, w2) != NULL)) {
					fclose(f);
					return 0;
				}
			fclose(f);
		}
		if (waitpid(p->pid, &status, WNOHANG) == p->pid) {
			last_line(p, last, sizeof(last));
			return status_set(st, STATUS_UNAVAILABLE, "%s exited (status %d); its log "
			    "%s ends: %s", p->name, status, p->log, last);
		}
		if (proc_now_ms() > end) {
			last_line(p, last, sizeof(last));
			return status_set(st, STATUS_UNAVAILABLE, "%s did not log '%s' within %d ms; "
			    "its log %s ends: %s", p->name, w1, ms, p->log, last);
		}
		sleep_ms(PROC_POLL_MS);
	}
}

int
proc_start_broker(struct proc *p, const char *bindir, const struct area *a,
    struct status *st)
{
	char exe[AREA_PATH_MAX], conf[AREA_PATH_MAX];
	char *argv[ARGV_MAX] = { exe, "--config", conf, NULL };

	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "dutynet-broker");
	snprintf(exe, sizeof(exe), "%s/broker/dutynet-broker", bindir);
	snprintf(conf, sizeof(conf), "%s", a->dir);
	area_log(a, "broker", p->log);
	if (spawn(p, argv, st) != 0)
		return -1;
	if (proc_wait_log(p, 0, "event=ready", NULL, PROC_READY_MS, st) != 0) {
		proc_stop(p);
		return -1;
	}
	return 0;
}

int
proc_start_agent(struct proc *p, const char *bindir, const struct area *a, size_t i,
    int wait_session, struct status *st)
{
	char exe[AREA_PATH_MAX], conf[AREA_PATH_MAX], agency[IDS_AGENCY_MAX + 1];
	char *argv[ARGV_MAX] = { exe, "--config", conf, "--agency", agency, NULL };
	long from;

	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "dutynet-agent %s", a->ids[i]);
	snprintf(exe, sizeof(exe), "%s/agents/dutynet-agent", bindir);
	snprintf(conf, sizeof(conf), "%s", a->dir);
	snprintf(agency, sizeof(agency), "%s", a->ids[i]);
	area_log(a, a->ids[i], p->log);
	from = proc_log_size(p);
	if (spawn(p, argv, st) != 0)
		return -1;
	if (proc_wait_log(p, from, "event=ready", wait_session ? "session with the broker" : NULL,
		PROC_READY_MS, st) != 0) {
		proc_stop(p);
		return -1;
	}
	return 0;
}

int
proc_stop(struct proc *p)
{
	double end;
	int status = -1;

	if (p->pid <= 0)
		return 0;
	kill(p->pid, SIGTERM);
	end = proc_now_ms() + PROC_STOP_MS;
	while (waitpid(p->pid, &status, WNOHANG) == 0) {
		if (proc_now_ms() > end) {
			kill(p->pid, SIGKILL);
			waitpid(p->pid, &status, 0);
			break;
		}
		sleep_ms(PROC_POLL_MS);
	}
	p->pid = 0;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

uint64_t
proc_status_kib(pid_t pid, const char *field)
{
	char path[STATUS_LINE_MAX], line[STATUS_LINE_MAX];
	unsigned long long kib = 0;
	size_t n = strlen(field);
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, field, n) == 0) {
			sscanf(line + n, "%llu", &kib);
			break;
		}
	fclose(f);
	return (uint64_t)kib;
}
