/* SPDX-License-Identifier: ISC */
/*
 * req: reading the arguments every request handler shares (see req.h).
 * Messages name the command-line flag (--to), because that is what the
 * person typed.
 */
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "agents/req.h"

#define PWBUF_MAX 4096

int
req_known(const struct req *r, const char *const *known, struct status *st)
{
	size_t i, j;

	for (i = 0; i < r->rq->nargs; i++) {
		const char *k = r->rq->args[i].key;

		if (strcmp(k, CTLMSG_JSON_KEY) == 0)
			continue;
		for (j = 0; known[j] != NULL; j++)
			if (strcmp(k, known[j]) == 0)
				break;
		if (known[j] == NULL)
			return status_set(st, STATUS_BAD_FIELD,
			    "'dutynet %s' has no option --%s; see 'dutynet %s --help'", r->rq->verb, k,
			    r->rq->verb);
	}
	return 0;
}

const char *
req_need(const struct req *r, const char *key, struct status *st)
{
	const char *v = ctlmsg_get(r->rq, key);

	if (v == NULL || *v == '\0') {
		status_set(st, STATUS_BAD_FIELD, "--%s is required; see 'dutynet %s --help'", key,
		    r->rq->verb);
		return NULL;
	}
	return v;
}

int
req_id(const struct req *r, uint8_t id[IDS_MSGID_BYTES], struct status *st)
{
	const char *v = req_need(r, "id", st);

	if (v == NULL)
		return -1;
	if (ids_msgid_parse(v, id, st) != 0)
		return status_set(st, STATUS_BAD_FIELD,
		    "'%.40s' is not a message id (36 characters like "
		    "019b7696-5c00-7abc-8def-0123456789ab); 'dutynet inbox' lists them", v);
	return 0;
}

static int
copy_part(const char *s, size_t len, char *out, const char *what, struct status *st)
{
	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len == 0 || len > PAYLOAD_SHORT_MAX)
		return status_set(st, STATUS_BAD_FIELD,
		    "--by needs a %s of 1 to %d bytes (\"name, role\")", what, PAYLOAD_SHORT_MAX);
	memcpy(out, s, len);
	out[len] = '\0';
	return 0;
}

int
req_by(const struct req *r, struct req_person *p, struct status *st)
{
	const char *by = ctlmsg_get(r->rq, "by"), *comma;
	struct passwd pw, *found = NULL;
	char buf[PWBUF_MAX];

	memset(p, 0, sizeof(*p));
	if (by == NULL) {
		if (getpwuid_r(r->uid, &pw, buf, sizeof(buf), &found) != 0 || found == NULL)
			return status_set(st, STATUS_BAD_FIELD,
			    "say who you are: --by \"name, role\" (uid %d has no login name)",
			    (int)r->uid);
		snprintf(p->name, sizeof(p->name), "%s", pw.pw_name);
		snprintf(p->role, sizeof(p->role), "%s", REQ_ROLE_DEFAULT);
		return 0;
	}
	if ((comma = strchr(by, REQ_BY_SEPARATOR)) == NULL) {
		snprintf(p->role, sizeof(p->role), "%s", REQ_ROLE_DEFAULT);
		return copy_part(by, strlen(by), p->name, "name", st);
	}
	if (copy_part(by, (size_t)(comma - by), p->name, "name", st) != 0)
		return -1;
	return copy_part(comma + 1, strlen(comma + 1), p->role, "role", st);
}
