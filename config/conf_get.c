/* SPDX-License-Identifier: ISC */
/*
 * conf_get: conf.h's typed getters.  Each reads one setting, checks its type
 * and value, and on any problem records one error at the setting (or, for a
 * missing one, at its group) and returns -1, so callers only decide what a
 * valid value means and never format a location themselves.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/conf.h"

#define DAY_MS (24 * 60 * 60 * 1000ULL)

/* Looks up name in group: 0 and *out if present, 1 if absent and optional,
 * -1 after recording an error if absent and required. */
static int
lookup(struct conf *c, const config_setting_t *group, const char *name, enum conf_need need,
    const config_setting_t **out)
{
	assert(group != NULL && config_setting_is_group(group));
	if ((*out = config_setting_get_member(group, name)) != NULL)
		return 0;
	if (need == CONF_OPTIONAL)
		return 1;
	conf_error_member(c, group, name, "missing; this setting is required");
	return -1;
}

static int
check_text(struct conf *c, const config_setting_t *s, const char *v)
{
	size_t i;

	if (v[0] == '\0') {
		conf_error(c, s, "must not be empty");
		return -1;
	}
	for (i = 0; v[i] != '\0'; i++)
		if ((unsigned char)v[i] < ' ' || v[i] == 0x7f) {
			conf_error(c, s, "contains a control character at byte %zu; "
			    "use plain text", i);
			return -1;
		}
	return 0;
}

int
conf_string(struct conf *c, const config_setting_t *group, const char *name,
    enum conf_need need, const char **out)
{
	const config_setting_t *s;
	const char *v;
	int r;

	if ((r = lookup(c, group, name, need, &s)) != 0)
		return r;
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		conf_error(c, s, "must be a string in double quotes");
		return -1;
	}
	v = config_setting_get_string(s);
	if (check_text(c, s, v) == -1)
		return -1;
	*out = v;
	return 0;
}

int
conf_int(struct conf *c, const config_setting_t *group, const char *name,
    enum conf_need need, int64_t min, int64_t max, int64_t *out)
{
	const config_setting_t *s;
	long long v;
	int r;

	if ((r = lookup(c, group, name, need, &s)) != 0)
		return r;
	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64) {
		conf_error(c, s, "must be a whole number (without quotes) from %lld to %lld",
		    (long long)min, (long long)max);
		return -1;
	}
	v = config_setting_get_int64(s);
	if (v < min || v > max) {
		conf_error(c, s, "%lld is out of range; it must be from %lld to %lld", v,
		    (long long)min, (long long)max);
		return -1;
	}
	*out = v;
	return 0;
}

static int
aggregate(struct conf *c, const config_setting_t *group, const char *name,
    enum conf_need need, int type, const char *what, const config_setting_t **out)
{
	const config_setting_t *s;
	int r;

	if ((r = lookup(c, group, name, need, &s)) != 0)
		return r;
	if (config_setting_type(s) != type) {
		conf_error(c, s, "must be %s", what);
		return -1;
	}
	*out = s;
	return 0;
}

int
conf_group(struct conf *c, const config_setting_t *group, const char *name,
    enum conf_need need, const config_setting_t **out)
{
	return aggregate(c, group, name, need, CONFIG_TYPE_GROUP, "a group: { ... }", out);
}

int
conf_list(struct conf *c, const config_setting_t *group, const char *name,
    enum conf_need need, const config_setting_t **out)
{
	const config_setting_t *s, *e;
	int r, bad = 0;
	unsigned i;

	r = aggregate(c, group, name, need, CONFIG_TYPE_LIST,
	    "a list of groups: ( { ... }, { ... } )", &s);
	if (r != 0)
		return r;
	for (i = 0; i < (unsigned)config_setting_length(s); i++) {
		e = config_setting_get_elem(s, i);
		if (!config_setting_is_group(e)) {
			conf_error(c, e, "must be a group: { ... }");
			bad = 1;
		}
	}
	if (bad)
		return -1;
	*out = s;
	return 0;
}

int
conf_strings(struct conf *c, const config_setting_t *group, const char *name,
    enum conf_need need, const config_setting_t **out)
{
	const config_setting_t *s, *e;
	int r, bad = 0;
	unsigned i;

	if ((r = lookup(c, group, name, need, &s)) != 0)
		return r;
	if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
		conf_error(c, s, "must be a list of strings: [ \"a\", \"b\" ]");
		return -1;
	}
	for (i = 0; i < (unsigned)config_setting_length(s); i++) {
		e = config_setting_get_elem(s, i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			conf_error(c, e, "must be a string in double quotes");
			bad = 1;
		} else if (check_text(c, e, config_setting_get_string(e)) == -1) {
			bad = 1;
		}
	}
	if (bad)
		return -1;
	*out = s;
	return 0;
}

static int
hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

int
conf_hex(struct conf *c, const config_setting_t *group, const char *name,
    enum conf_need need, uint8_t *out, size_t len)
{
	const config_setting_t *s;
	const char *v;
	size_t i, n;
	int r, hi, lo;

	if ((r = lookup(c, group, name, need, &s)) != 0)
		return r;
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		conf_error(c, s, "must be a string of %zu hex digits in double quotes", 2 * len);
		return -1;
	}
	v = config_setting_get_string(s);
	for (i = 0; v[i] != '\0'; i++)
		if (hexval(v[i]) < 0) {
			conf_error(c, s, "is not hex: character %zu is not 0-9 or a-f", i + 1);
			return -1;
		}
	n = i;
	if (n != 2 * len) {
		conf_error(c, s, "has %zu hex digits; it must have exactly %zu (a %zu-byte key)",
		    n, 2 * len, len);
		return -1;
	}
	for (i = 0; i < len; i++) {
		hi = hexval(v[2 * i]);
		lo = hexval(v[2 * i + 1]);
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int
conf_path_value(struct conf *c, const config_setting_t *group, const char *name,
    enum conf_need need, char **out)
{
	const char *v;
	char *p;
	int r;

	if ((r = conf_string(c, group, name, need, &v)) != 0)
		return r;
	if ((p = conf_resolve(conf_dir(c), v)) == NULL) {
		conf_error_member(c, group, name, "out of memory");
		return -1;
	}
	*out = p;
	return 0;
}

int
conf_duration(struct conf *c, const config_setting_t *group, const char *name,
    enum conf_need need, struct conf_duration *out)
{
	struct conf_duration d;
	struct status st;
	const char *v;
	int r;

	if ((r = conf_string(c, group, name, need, &v)) != 0)
		return r;
	if (conf_duration_parse(v, &d, &st) == -1) {
		conf_error_member(c, group, name, "%s", st.text);
		return -1;
	}
	*out = d;
	return 0;
}

int
conf_duration_parse(const char *s, struct conf_duration *d, struct status *st)
{
	struct duration parsed;

	assert(s != NULL && d != NULL);
	if (duration_parse(s, &parsed, st) != 0)
		return -1;
	memset(d, 0, sizeof(*d));
	snprintf(d->text, sizeof(d->text), "%s", s);
	d->parsed = parsed;
	switch (parsed.kind) {
	case DURATION_CLOCK:
	case DURATION_WORKING:
		d->clock_ms = (uint64_t)parsed.ms;
		break;
	case DURATION_WORKING_DAYS:
	case DURATION_END_OF_DAY:
		d->clock_ms = (uint64_t)parsed.days * DAY_MS;
		break;
	}
	status_ok(st);
	return 0;
}
