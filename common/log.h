/* SPDX-License-Identifier: ISC */
/*
 * log: how programs (broker/, agents/, audit/, the CLI) report events, after
 * OpenSMTPD's log.c.  Library code (proto/, common/, config/) never calls it:
 * it returns a struct status and the program decides what to say.
 *
 * Every event is one line on stderr, written with a single write(2), in
 * logfmt-style key=value pairs that journald stores as they are and that grep
 * and awk can take apart:
 *
 *	dutynet-broker: level=warn agency=school-x msg=0190... event=reject text="bad signature"
 *
 * A value that is empty or holds a space, '"', '=', '\' or a control byte is
 * quoted, with '"' and '\' escaped and control bytes written as \n, \t or
 * \xHH, so untrusted text (an agency id from a malformed frame) can never
 * forge a second line or a key.  When stderr is the journal (JOURNAL_STREAM
 * names it) each line starts with the "<N>" syslog priority journald reads.
 *
 * Every function here preserves errno, so a program can log and then still
 * report or test the errno it was handling.
 */
#ifndef DUTYNET_LOG_H
#define DUTYNET_LOG_H

#include <stdarg.h>

/* Longest program name kept, the longest formatted text, and the longest
 * agency / message id / event value; longer ones are cut and end in "...". */
#define LOG_PROGNAME_MAX 64
#define LOG_TEXT_MAX 1024
#define LOG_VALUE_MAX 64
/* The longest line written, newline included; a line never exceeds it. */
#define LOG_LINE_MAX 4096

/* The levels, with the syslog priorities journald is given for them. */
enum log_level {
	LOG_LEVEL_FATAL = 2,	/* LOG_CRIT: the program is exiting */
	LOG_LEVEL_ERROR = 3,	/* LOG_ERR: an alarm someone must look at (it goes on) */
	LOG_LEVEL_WARN = 4,	/* LOG_WARNING: something failed or was refused */
	LOG_LEVEL_INFO = 6,	/* LOG_INFO: a normal event worth keeping */
	LOG_LEVEL_DEBUG = 7,	/* LOG_DEBUG: only when verbose */
};

/* Sets the program name printed on every line (copied; NULL keeps
 * "dutynet") and whether debug lines are written (verbose > 0).  Also
 * checks whether stderr is the journal.  Call once at start. */
void log_init(const char *progname, int verbose);

/* The level's name as printed ("warn"), or NULL if out of range. */
const char *log_level_name(int level);

/* A free-text event: level=info text="...". */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* level=warn, with ": strerror(errno)" appended to the text. */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* level=warn, text only. */
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* level=debug, written only if log_init was given verbose > 0. */
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A structured event about one agency and one message:
 *	level=L [agency=A] [msg=ID] event=E [text=T]
 * agency, msgid (the text form) and fmt may be NULL to leave the key out;
 * event is a short fixed word naming what happened ("accepted", "reject"). */
void log_event(int level, const char *agency, const char *msgid, const char *event,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void log_eventv(int level, const char *agency, const char *msgid, const char *event,
    const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

/* Logs level=fatal with ": strerror(errno)" appended when errno is not 0,
 * then exits with status 1.  For a broken invariant, never for bad input. */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* As fatal, without strerror. */
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
