/* SPDX-License-Identifier: ISC */
/*
 * log: one line per event on stderr, after OpenSMTPD's log.c (log_warn adds
 * strerror(errno), log_warnx does not, fatal exits), with the line built as
 * key=value pairs so journald, grep and the audit tools can read it.
 *
 * DESIGN: the whole line is built in a stack buffer and written with one
 * write(2), so lines from several processes sharing stderr never interleave
 * (a pipe write of up to PIPE_BUF bytes is atomic, and LOG_LINE_MAX is
 * PIPE_BUF on Linux).  Values are escaped byte by byte, so nothing a peer
 * sends can end the line early or add a key.  The state is set once by
 * log_init before any thread starts and only read afterwards.
 */
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"

#define DEFAULT_PROGNAME "dutynet"
#define ELLIPSIS "..."
/* Room kept at the end of a line for the ellipsis, a closing quote and the
 * newline, so a cut line is still well formed. */
#define LINE_TAIL (sizeof(ELLIPSIS) - 1 + 2)
/* strerror texts are short; this bounds the copy. */
#define ERRSTR_MAX 128

static char progname[LOG_PROGNAME_MAX + 1] = DEFAULT_PROGNAME;
static int verbose;
static bool journal;

struct line {
	char buf[LOG_LINE_MAX];
	size_t len;
	bool cut;	/* the line reached LOG_LINE_MAX: drop what follows */
};

/* journald sets JOURNAL_STREAM to "device:inode" of the stream it reads;
 * stderr is the journal only if it is still that very file (a shell may
 * have redirected it since). */
static bool
stderr_is_journal(void)
{
	const char *s = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat sb;
	char *end;

	if (s == NULL || *s == '\0')
		return false;
	errno = 0;
	dev = strtoull(s, &end, 10);
	if (errno != 0 || *end != ':')
		return false;
	ino = strtoull(end + 1, &end, 10);
	if (errno != 0 || *end != '\0')
		return false;
	if (fstat(STDERR_FILENO, &sb) == -1)
		return false;
	return (unsigned long long)sb.st_dev == dev && (unsigned long long)sb.st_ino == ino;
}

void
log_init(const char *name, int v)
{
	int saved_errno = errno;
	size_t i;

	snprintf(progname, sizeof(progname), "%s", name != NULL ? name : DEFAULT_PROGNAME);
	/* The name starts every line unquoted: keep it one plain word. */
	for (i = 0; progname[i] != '\0'; i++)
		if (progname[i] <= ' ' || progname[i] == ':' || progname[i] == 0x7f)
			progname[i] = '_';
	verbose = v;
	journal = stderr_is_journal();
	errno = saved_errno;
}

const char *
log_level_name(int level)
{
	switch (level) {
	case LOG_LEVEL_FATAL:
		return "fatal";
	case LOG_LEVEL_ERROR:
		return "error";
	case LOG_LEVEL_WARN:
		return "warn";
	case LOG_LEVEL_INFO:
		return "info";
	case LOG_LEVEL_DEBUG:
		return "debug";
	}
	return NULL;
}

/* Appends n bytes unless they would eat into the tail reserve. */
static bool
put(struct line *l, const char *s, size_t n)
{
	if (l->cut || l->len + n > sizeof(l->buf) - LINE_TAIL) {
		l->cut = true;
		return false;
	}
	memcpy(l->buf + l->len, s, n);
	l->len += n;
	return true;
}

static bool
needs_quotes(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return true;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c == 0x7f)
			return true;
	}
	return false;
}

/* Writes one byte of a value, escaped if it must be. */
static bool
put_escaped(struct line *l, unsigned char c)
{
	char esc[5];

	switch (c) {
	case '"':
		return put(l, "\\\"", 2);
	case '\\':
		return put(l, "\\\\", 2);
	case '\n':
		return put(l, "\\n", 2);
	case '\t':
		return put(l, "\\t", 2);
	}
	if (c < ' ' || c == 0x7f) {
		snprintf(esc, sizeof(esc), "\\x%02x", c);
		return put(l, esc, 4);
	}
	return put(l, (const char *)&c, 1);
}

/* Writes " key=value" with at most max bytes of s (0: no limit but the
 * line's); a value cut short ends in "...". */
static void
put_pair(struct line *l, const char *key, const char *s, size_t max)
{
	size_t n = strlen(s), i;
	bool quoted, shortened = false;

	if (max > 0 && n > max) {
		n = max;
		shortened = true;
	}
	quoted = needs_quotes(s, n);
	if (!put(l, " ", 1) || !put(l, key, strlen(key)) || !put(l, "=", 1))
		return;
	if (quoted && !put(l, "\"", 1))
		return;
	for (i = 0; i < n; i++)
		if (!put_escaped(l, (unsigned char)s[i]))
			break;
	if (i < n)
		shortened = true;
	/* The tail reserve guarantees room for these two even after a cut. */
	if (shortened) {
		memcpy(l->buf + l->len, ELLIPSIS, sizeof(ELLIPSIS) - 1);
		l->len += sizeof(ELLIPSIS) - 1;
	}
	if (quoted)
		l->buf[l->len++] = '"';
}

/* Formats fmt into text (cut to LOG_TEXT_MAX - 1 bytes, ending "..."),
 * then appends ": strerror(errnum)" if errnum is not 0. */
static void
format_text(char *text, size_t cap, int errnum, const char *fmt, va_list ap)
{
	char errbuf[ERRSTR_MAX];
	int n;

	assert(cap >= LOG_TEXT_MAX + ERRSTR_MAX);
	n = vsnprintf(text, LOG_TEXT_MAX, fmt, ap);
	if (n < 0) {
		n = snprintf(text, LOG_TEXT_MAX, "(text could not be formatted)");
	} else if ((size_t)n >= LOG_TEXT_MAX) {
		n = LOG_TEXT_MAX - 1;
		memcpy(text + n - (sizeof(ELLIPSIS) - 1), ELLIPSIS, sizeof(ELLIPSIS) - 1);
	}
	if (errnum != 0)
		snprintf(text + n, cap - (size_t)n, ": %s",
		    strerror_r(errnum, errbuf, sizeof(errbuf)));
}

static void
emit(const struct line *l)
{
	size_t off = 0;
	ssize_t w;

	while (off < l->len) {
		w = write(STDERR_FILENO, l->buf + off, l->len - off);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			return;	/* stderr is gone; there is nowhere left to say so */
		off += (size_t)w;
	}
}

/* The one writer.  errnum != 0 appends its strerror to the text. */
static void
vlog(int level, const char *agency, const char *msgid, const char *event, int errnum,
    const char *fmt, va_list ap)
{
	char text[LOG_TEXT_MAX + ERRSTR_MAX];
	char prio[8];
	struct line l;
	int saved_errno = errno;

	assert(log_level_name(level) != NULL);
	if (level == LOG_LEVEL_DEBUG && verbose <= 0)
		goto out;
	l.len = 0;
	l.cut = false;
	if (journal) {
		snprintf(prio, sizeof(prio), "<%d>", level);
		put(&l, prio, strlen(prio));
	}
	put(&l, progname, strlen(progname));
	put(&l, ":", 1);
	put_pair(&l, "level", log_level_name(level), 0);
	if (agency != NULL)
		put_pair(&l, "agency", agency, LOG_VALUE_MAX);
	if (msgid != NULL)
		put_pair(&l, "msg", msgid, LOG_VALUE_MAX);
	if (event != NULL)
		put_pair(&l, "event", event, LOG_VALUE_MAX);
	if (fmt != NULL) {
		format_text(text, sizeof(text), errnum, fmt, ap);
		put_pair(&l, "text", text, 0);
	}
	l.buf[l.len++] = '\n';
	emit(&l);
out:
	errno = saved_errno;
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_INFO, NULL, NULL, NULL, 0, fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_WARN, NULL, NULL, NULL, errno, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_WARN, NULL, NULL, NULL, 0, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_DEBUG, NULL, NULL, NULL, 0, fmt, ap);
	va_end(ap);
}

void
log_eventv(int level, const char *agency, const char *msgid, const char *event,
    const char *fmt, va_list ap)
{
	assert(event != NULL);
	vlog(level, agency, msgid, event, 0, fmt, ap);
}

void
log_event(int level, const char *agency, const char *msgid, const char *event,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_eventv(level, agency, msgid, event, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_FATAL, NULL, NULL, NULL, errno, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_FATAL, NULL, NULL, NULL, 0, fmt, ap);
	va_end(ap);
	exit(1);
}
