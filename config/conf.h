/* SPDX-License-Identifier: ISC */
/*
 * conf: reading one libconfig file of a configuration directory and
 * collecting every error in it, as OpenSMTPD's parse.y does, so that one run
 * of `dutynet config check` shows them all.  Each error is one line:
 *
 *	path:line: field: message
 *
 * where field is the setting's path ("agencies[2].sign_pk"), "syntax" for a
 * file that does not parse and "file" for one that cannot be read.  The
 * typed getters below check a value and record an error naming the file,
 * line and field themselves, so the loaders (directory, policy, settings)
 * only say what is wrong with a value and never lose where it came from.
 *
 * A configuration is a directory: `@include` paths and relative paths in
 * settings are resolved against it.  The format of every file is in
 * config/CONFIG.md.
 */
#ifndef DUTYNET_CONF_H
#define DUTYNET_CONF_H

#include <stddef.h>
#include <stdint.h>

#include <libconfig.h>

#include "config/duration.h"
#include "proto/status.h"

/* Where programs look for the configuration when not told: the directory
 * named by the environment variable, else the default. */
#define CONF_DIR_DEFAULT "/etc/dutynet"
#define CONF_DIR_ENV "DUTYNET_CONFIG"

/* Longest error line kept (longer ones are cut), and longest field path. */
#define CONF_ERROR_MAX 512
#define CONF_FIELD_MAX 128
/* How many characters of a quoted value an error shows at most. */
#define CONF_QUOTE_MAX 48
#define CONF_QUOTE_BUF (CONF_QUOTE_MAX * 4 + 4)

/* Field names used for errors that are not about one setting. */
#define CONF_FIELD_SYNTAX "syntax"
#define CONF_FIELD_FILE "file"

/* A duration setting as written ("5 working days"; grammar: duration.h),
 * parsed for calendars, with a fallback for code that has no calendar. */
struct conf_duration {
	char text[DURATION_TEXT_LEN];
	struct duration parsed;
	uint64_t clock_ms;		/* working time counted as clock time, and
					 * a working day as 24 hours */
};

/* $DUTYNET_CONFIG if set and not empty, else CONF_DIR_DEFAULT (borrowed). */
const char *conf_default_dir(void);

/* The errors of one run: an ordered list of "path:line: field: message". */
struct conf_errors;

/* A new empty list, the caller's; NULL if out of memory. */
struct conf_errors *conf_errors_new(void);

/* Frees *ep and its lines; accepts NULL; sets *ep = NULL. */
void conf_errors_destroy(struct conf_errors **ep);

/* Appends one error.  Never fails: if memory runs out the error is counted
 * and reported as lost by conf_errors_get, so nothing goes silent. */
void conf_errors_add(struct conf_errors *e, const char *path, unsigned line, const char *field,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Appends a line already in "path:line: field: message" form. */
void conf_errors_add_text(struct conf_errors *e, const char *text);

/* How many lines conf_errors_get returns (0 = no errors). */
size_t conf_errors_count(const struct conf_errors *e);

/* The i-th line, borrowed from e. */
const char *conf_errors_get(const struct conf_errors *e, size_t i);

/* Writes s as printable ASCII (control bytes, quote and backslash as \xNN,
 * cut after CONF_QUOTE_MAX characters with "...") so that a value from a
 * file cannot forge an error line. */
void conf_quote(const char *s, char out[CONF_QUOTE_BUF]);

/* One parsed file.  Errors about it go to the errs given to conf_open, which
 * the caller owns and must keep until conf_destroy. */
struct conf;

/* Reads dir/name with @include relative to dir.  NULL if the file cannot be
 * read or does not parse; the reason is then recorded in errs. */
struct conf *conf_open(const char *dir, const char *name, struct conf_errors *errs);

/* Frees c and everything borrowed from it; accepts NULL; sets *cp = NULL. */
void conf_destroy(struct conf **cp);

/* The root group, borrowed from c. */
const config_setting_t *conf_root(const struct conf *c);

/* "dir/name", borrowed from c. */
const char *conf_path(const struct conf *c);

/* The directory the file was read from (paths are relative to it). */
const char *conf_dir(const struct conf *c);

/* Writes s's display file and line (the @included file if s came from one). */
void conf_where(const struct conf *c, const config_setting_t *s, char *file, size_t cap,
    unsigned *line);

/* Writes s's field path ("agencies[2].accepts[0]") into out. */
void conf_field(const config_setting_t *s, char *out, size_t cap);

/* Records an error at setting s: its file, its line, its field path. */
void conf_error(struct conf *c, const config_setting_t *s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Records an error about member name of group (which may be absent): at the
 * member if present, else at the group's line with field "group.name". */
void conf_error_member(struct conf *c, const config_setting_t *group, const char *name,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Records an error for every member of group whose name is not in known
 * (a NULL-terminated list), so a misspelt setting is never silently ignored. */
void conf_check_known(struct conf *c, const config_setting_t *group, const char *const *known);

/* Typed getters.  Each looks up member name of group and returns 0 with *out
 * set if it is present and valid, 1 if it is absent and need is
 * CONF_OPTIONAL (*out untouched), or -1 after recording an error (absent
 * and required, wrong type, out of range).  Borrowed results live as long as c. */
enum conf_need { CONF_OPTIONAL, CONF_REQUIRED };

/* A non-empty string without control characters. */
int conf_string(struct conf *c, const config_setting_t *group, const char *name,
    enum conf_need need, const char **out);

/* An integer in [min, max]. */
int conf_int(struct conf *c, const config_setting_t *group, const char *name,
    enum conf_need need, int64_t min, int64_t max, int64_t *out);

/* A group ({ ... }). */
int conf_group(struct conf *c, const config_setting_t *group, const char *name,
    enum conf_need need, const config_setting_t **out);

/* A list of groups (( {...}, {...} )); may be empty. */
int conf_list(struct conf *c, const config_setting_t *group, const char *name,
    enum conf_need need, const config_setting_t **out);

/* An array or list of non-empty strings ([ "a", "b" ]); may be empty.  The
 * caller walks the elements with config_setting_get_elem so that its own
 * errors can point at the element. */
int conf_strings(struct conf *c, const config_setting_t *group, const char *name,
    enum conf_need need, const config_setting_t **out);

/* Exactly 2 * len hex digits, decoded into out[0..len). */
int conf_hex(struct conf *c, const config_setting_t *group, const char *name,
    enum conf_need need, uint8_t *out, size_t len);

/* A file system path; a relative one is taken relative to conf_dir(c).  *out
 * is the resolved path, the caller's to free. */
int conf_path_value(struct conf *c, const config_setting_t *group, const char *name,
    enum conf_need need, char **out);

/* A duration ("5 working days", "90 minutes"); see conf_duration_parse. */
int conf_duration(struct conf *c, const config_setting_t *group, const char *name,
    enum conf_need need, struct conf_duration *out);

/* Parses s by duration.h's grammar into d and fills its clock fallback.
 * -1 and st 504 naming the text if it does not parse. */
int conf_duration_parse(const char *s, struct conf_duration *d, struct status *st)
    __attribute__((warn_unused_result));

/* Joins dir and a relative path (an absolute one is copied); the caller
 * frees the result; NULL if out of memory. */
char *conf_resolve(const char *dir, const char *path);

#endif
