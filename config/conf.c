/* SPDX-License-Identifier: ISC */
/*
 * conf: libconfig files of a configuration directory, and the list of
 * "path:line: field: message" errors a run collects (see conf.h for why).
 *
 * libconfig (1.5 on Debian 12) records for every setting the file it came
 * from (the @include path as written, relative to the include directory) and
 * its line, and stops at the first syntax error of a file.  So a file that
 * does not parse yields exactly one error, and everything else is checked
 * setting by setting (the typed getters, in conf_get.c), recording an error
 * and carrying on.
 */
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/conf.h"

#define QUOTE_ELLIPSIS "..."
#define ERRORS_INITIAL 16
/* Longest list of known names quoted in an "unknown setting" error. */
#define KNOWN_LIST_MAX 256
#define HINT_INCLUDE "cannot open include file"

struct conf_errors {
	char **lines;
	size_t n, cap;
	size_t lost;			/* errors dropped for want of memory */
	char lost_line[CONF_ERROR_MAX];
};

struct conf {
	config_t cf;
	char *dir;
	char *path;
	struct conf_errors *errs;	/* borrowed */
};

static const char hexdigits[] = "0123456789abcdef";

const char *
conf_default_dir(void)
{
	const char *v = getenv(CONF_DIR_ENV);

	return v != NULL && v[0] != '\0' ? v : CONF_DIR_DEFAULT;
}

struct conf_errors *
conf_errors_new(void)
{
	return calloc(1, sizeof(struct conf_errors));
}

void
conf_errors_destroy(struct conf_errors **ep)
{
	struct conf_errors *e;
	size_t i;

	if (ep == NULL || *ep == NULL)
		return;
	e = *ep;
	for (i = 0; i < e->n; i++)
		free(e->lines[i]);
	free(e->lines);
	free(e);
	*ep = NULL;
}

/* Appends line to e's list: 0, or -1 if out of memory. */
static int
push(struct conf_errors *e, const char *line)
{
	char **grown;
	size_t cap;

	if (e->n == e->cap) {
		cap = e->cap ? e->cap * 2 : ERRORS_INITIAL;
		if ((grown = realloc(e->lines, cap * sizeof(*grown))) == NULL)
			return -1;
		e->lines = grown;
		e->cap = cap;
	}
	if ((e->lines[e->n] = strdup(line)) == NULL)
		return -1;
	e->n++;
	return 0;
}

/* Counts an error that could not be stored, so the count still says so. */
static void
lose(struct conf_errors *e)
{
	e->lost++;
	snprintf(e->lost_line, sizeof(e->lost_line),
	    "out of memory: %zu more configuration errors were not recorded", e->lost);
}

void
conf_errors_add(struct conf_errors *e, const char *path, unsigned line, const char *field,
    const char *fmt, ...)
{
	char buf[CONF_ERROR_MAX];
	va_list ap;
	int n;

	assert(e != NULL && path != NULL && field != NULL);
	n = snprintf(buf, sizeof(buf), "%s:%u: %s: ", path, line, field);
	if (n > 0 && (size_t)n < sizeof(buf)) {
		va_start(ap, fmt);
		vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
		va_end(ap);
	}
	if (push(e, buf) != 0)
		lose(e);
}

void
conf_errors_add_text(struct conf_errors *e, const char *text)
{
	assert(e != NULL && text != NULL);
	if (push(e, text) != 0)
		lose(e);
}

size_t
conf_errors_count(const struct conf_errors *e)
{
	assert(e != NULL);
	return e->n + (e->lost > 0 ? 1 : 0);
}

const char *
conf_errors_get(const struct conf_errors *e, size_t i)
{
	assert(i < conf_errors_count(e));
	return i < e->n ? e->lines[i] : e->lost_line;
}

void
conf_quote(const char *s, char out[CONF_QUOTE_BUF])
{
	size_t i, o = 0, shown = 0;
	unsigned char ch;

	for (i = 0; s[i] != '\0'; i++) {
		if (shown == CONF_QUOTE_MAX)
			break;
		ch = (unsigned char)s[i];
		if (ch >= ' ' && ch <= '~' && ch != '\'' && ch != '\\') {
			out[o++] = (char)ch;
		} else {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hexdigits[ch >> 4];
			out[o++] = hexdigits[ch & 0x0f];
		}
		shown++;
	}
	if (s[i] != '\0') {
		memcpy(out + o, QUOTE_ELLIPSIS, sizeof(QUOTE_ELLIPSIS));
		return;
	}
	out[o] = '\0';
}

char *
conf_resolve(const char *dir, const char *path)
{
	char *out;
	size_t dl, pl;

	assert(dir != NULL && path != NULL);
	if (path[0] == '/')
		return strdup(path);
	dl = strlen(dir);
	pl = strlen(path);
	if ((out = malloc(dl + 1 + pl + 1)) == NULL)
		return NULL;
	memcpy(out, dir, dl);
	out[dl] = '/';
	memcpy(out + dl + 1, path, pl + 1);
	return out;
}

/* The name to show for a file libconfig reports: the main file as given, an
 * @included one (recorded as written, relative to the include directory)
 * joined to the directory. */
static void
display(const struct conf *c, const char *file, char *out, size_t cap)
{
	if (file == NULL || strcmp(file, c->path) == 0 || file[0] == '/')
		snprintf(out, cap, "%s", file ? file : c->path);
	else
		snprintf(out, cap, "%s/%s", c->dir, file);
}

struct conf *
conf_open(const char *dir, const char *name, struct conf_errors *errs)
{
	struct conf *c;
	char file[CONF_ERROR_MAX];
	const char *text;
	FILE *f;
	int ok = 0;

	assert(dir != NULL && name != NULL && errs != NULL);
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		conf_errors_add(errs, name, 0, CONF_FIELD_FILE, "out of memory reading it");
		return NULL;
	}
	c->errs = errs;
	config_init(&c->cf);
	if ((c->dir = strdup(dir)) == NULL || (c->path = conf_resolve(dir, name)) == NULL) {
		conf_errors_add(errs, name, 0, CONF_FIELD_FILE, "out of memory reading it");
		goto out;
	}
	/* Open it once ourselves: libconfig's "file I/O error" loses errno. */
	if ((f = fopen(c->path, "r")) == NULL) {
		conf_errors_add(errs, c->path, 0, CONF_FIELD_FILE, "cannot read it: %s",
		    strerror(errno));
		goto out;
	}
	fclose(f);
	config_set_include_dir(&c->cf, c->dir);
	if (config_read_file(&c->cf, c->path) != CONFIG_TRUE) {
		text = config_error_text(&c->cf) ? config_error_text(&c->cf) : "unknown error";
		if (config_error_type(&c->cf) == CONFIG_ERR_FILE_IO) {
			conf_errors_add(errs, c->path, 0, CONF_FIELD_FILE, "cannot read it: %s",
			    text);
			goto out;
		}
		display(c, config_error_file(&c->cf), file, sizeof(file));
		if (strcmp(text, HINT_INCLUDE) == 0)
			conf_errors_add(errs, file, (unsigned)config_error_line(&c->cf),
			    CONF_FIELD_SYNTAX,
			    "%s (@include paths are relative to %s; keys/<id>.pub files "
			    "are written by `dutynet keygen`)", text, c->dir);
		else
			conf_errors_add(errs, file, (unsigned)config_error_line(&c->cf),
			    CONF_FIELD_SYNTAX, "%s", text);
		goto out;
	}
	ok = 1;
out:
	if (!ok)
		conf_destroy(&c);
	return c;
}

void
conf_destroy(struct conf **cp)
{
	struct conf *c;

	if (cp == NULL || *cp == NULL)
		return;
	c = *cp;
	config_destroy(&c->cf);
	free(c->dir);
	free(c->path);
	free(c);
	*cp = NULL;
}

const config_setting_t *
conf_root(const struct conf *c)
{
	return config_root_setting(&c->cf);
}

const char *
conf_path(const struct conf *c)
{
	return c->path;
}

const char *
conf_dir(const struct conf *c)
{
	return c->dir;
}

void
conf_where(const struct conf *c, const config_setting_t *s, char *file, size_t cap,
    unsigned *line)
{
	display(c, config_setting_source_file(s), file, cap);
	*line = config_setting_source_line(s);
}

void
conf_field(const config_setting_t *s, char *out, size_t cap)
{
	const config_setting_t *chain[CONF_FIELD_MAX];
	size_t n = 0, o = 0;
	int w;

	assert(cap > 0);
	out[0] = '\0';
	for (; s != NULL && !config_setting_is_root(s) && n < CONF_FIELD_MAX;
	    s = config_setting_parent(s))
		chain[n++] = s;
	while (n-- > 0 && o < cap) {
		s = chain[n];
		if (config_setting_name(s) != NULL)
			w = snprintf(out + o, cap - o, "%s%s", o ? "." : "",
			    config_setting_name(s));
		else
			w = snprintf(out + o, cap - o, "[%d]", config_setting_index(s));
		if (w < 0)
			break;
		o += (size_t)w;
	}
}

static void
verror(struct conf *c, const char *file, unsigned line, const char *field, const char *fmt,
    va_list ap)
{
	char msg[CONF_ERROR_MAX];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	conf_errors_add(c->errs, file, line, field, "%s", msg);
}

void
conf_error(struct conf *c, const config_setting_t *s, const char *fmt, ...)
{
	char file[CONF_ERROR_MAX], field[CONF_FIELD_MAX];
	unsigned line;
	va_list ap;

	conf_where(c, s, file, sizeof(file), &line);
	conf_field(s, field, sizeof(field));
	va_start(ap, fmt);
	verror(c, file, line, field[0] ? field : "(top level)", fmt, ap);
	va_end(ap);
}

void
conf_error_member(struct conf *c, const config_setting_t *group, const char *name,
    const char *fmt, ...)
{
	char file[CONF_ERROR_MAX], field[CONF_FIELD_MAX], full[CONF_FIELD_MAX];
	const config_setting_t *m;
	unsigned line;
	va_list ap;

	if ((m = config_setting_get_member(group, name)) != NULL) {
		conf_where(c, m, file, sizeof(file), &line);
		conf_field(m, full, sizeof(full));
	} else {
		conf_where(c, group, file, sizeof(file), &line);
		conf_field(group, field, sizeof(field));
		/* A path longer than full is cut: the file and line still say where. */
		if (snprintf(full, sizeof(full), "%s%s%s", field, field[0] ? "." : "", name) < 0)
			full[0] = '\0';
	}
	va_start(ap, fmt);
	verror(c, file, line, full, fmt, ap);
	va_end(ap);
}

void
conf_check_known(struct conf *c, const config_setting_t *group, const char *const *known)
{
	char list[KNOWN_LIST_MAX], q[CONF_QUOTE_BUF];
	const config_setting_t *m;
	size_t i, k, o;
	int n;

	o = 0;
	list[0] = '\0';
	for (k = 0; known[k] != NULL && o < sizeof(list); k++) {
		n = snprintf(list + o, sizeof(list) - o, "%s%s", k ? ", " : "", known[k]);
		if (n < 0)
			break;
		o += (size_t)n;
	}
	for (i = 0; i < (size_t)config_setting_length(group); i++) {
		m = config_setting_get_elem(group, (unsigned)i);
		if (config_setting_name(m) == NULL)
			continue;
		for (k = 0; known[k] != NULL; k++)
			if (strcmp(known[k], config_setting_name(m)) == 0)
				break;
		if (known[k] == NULL) {
			conf_quote(config_setting_name(m), q);
			conf_error(c, m, "unknown setting '%s' (known here: %s)", q, list);
		}
	}
}
