/* SPDX-License-Identifier: ISC */
/*
 * req_send: `dutynet send referral|concern --to AGENCY ...`.  Builds the
 * referral payload from the form's fields, seals it to the recipient and
 * commits it to the outbox with its "created" audit entry - all in the
 * request's transaction, so the answer "queued" means it is on disk and
 * will be sent, and re-sent, until its final outcome.
 *
 * The fields are read and checked by sendform.c (the web form's too).
 * Errors name the flag, never the value of a child's identifier (a name,
 * date of birth, UPN or NHS number must not reach a log).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agents/afterhours.h"
#include "agents/compose.h"
#include "agents/outbox.h"
#include "agents/req.h"
#include "agents/sendform.h"
#include "common/auditlog.h"
#include "common/clock.h"

/* The form's fields, from the request's arguments. */
static const char *
arg(void *r, const char *field)
{
	return ctlmsg_get(((const struct req *)r)->rq, field);
}

/* The out-of-hours copy of a message (afterhours.h): where it went, or
 * why it could not. */
struct copy {
	bool due;				/* the recipient is closed: a copy is owed */
	const struct directory_agency *team;	/* where it went; NULL if nowhere */
	char id[IDS_MSGID_TEXT + 1];
	char why[STATUS_TEXT_LEN];		/* team == NULL: why not */
};

/* Seals p again to the emergency duty team, with the original's case id,
 * and queues it, in the request's transaction.  A copy the directory or the
 * policy does not allow is reported in c->why, and the original still
 * goes: only a database failure fails the request. */
static int
copy_out_of_hours(struct req *r, const struct envelope_header *orig, const struct payload *p,
    struct copy *c, struct status *st)
{
	const struct directory_agency *to = directory_find(r->a->dir, orig->to);
	char detail[AUDITLOG_DETAIL_MAX];
	struct envelope_header h;
	struct envelope env;
	struct status why;
	uint8_t *out = NULL;
	size_t len;
	int ret = -1;

	memset(c, 0, sizeof(*c));
	if (to == NULL || !afterhours_due(r->a->cals, to, orig->urgency, clock_now_ms()))
		return 0;
	c->due = true;
	memset(&h, 0, sizeof(h));
	h.type = orig->type;
	h.urgency = orig->urgency;
	memcpy(h.case_id, orig->case_id, sizeof(h.case_id));
	if ((c->team = afterhours_team(r->a->dir)) == NULL) {
		snprintf(c->why, sizeof(c->why), "directory.conf has no agency of kind %s",
		    directory_kind_name(DIRECTORY_EMERGENCY_DUTY_TEAM));
	} else {
		snprintf(h.to, sizeof(h.to), "%s", c->team->id);
		if (compose_seal(r->a, &h, p, &out, &len, &why) != 0) {
			if (why.code < STATUS_MALFORMED) {
				*st = why;
				goto out;
			}
			snprintf(c->why, sizeof(c->why), "%s", why.text);
			c->team = NULL;
		} else if (envelope_decode(out, len, &env, st) != 0 ||
		    outbox_put(r->a->db, &env, out, len, clock_now_ms(), st) != 0) {
			goto out;
		} else {
			ids_msgid_format(h.id, c->id);
		}
	}
	if (c->team != NULL)
		snprintf(detail, sizeof(detail), "%s (%s) is closed now: the same %s also sent to %s "
		    "as %s", to->id, directory_kind_name(to->kind), envelope_type_name(h.type),
		    c->team->id, c->id);
	else
		snprintf(detail, sizeof(detail), "%s (%s) is closed now, and no copy could go out of "
		    "hours: %s", to->id, directory_kind_name(to->kind), c->why);
	ret = auditlog_append(r->a->db, "out-of-hours-copy", c->team ? c->team->id : NULL,
	    orig->id, detail, st);
out:
	free(out);
	return ret;
}

static void
render_copy(struct output *o, const struct directory *d, const struct envelope_header *h,
    const struct copy *c)
{
	const struct directory_agency *to = directory_find(d, h->to);

	if (o->json) {
		if (!c->due) {
			output_printf(o, ", \"out_of_hours\": null");
			return;
		}
		output_printf(o, ", \"out_of_hours\": {");
		output_json_key_str(o, true, "to", c->team ? c->team->id : NULL);
		output_json_key_str(o, false, "id", c->team ? c->id : NULL);
		output_json_key_str(o, false, "error", c->team ? NULL : c->why);
		output_printf(o, "}");
		return;
	}
	if (!c->due)
		return;
	if (c->team != NULL) {
		output_printf(o, "Out of hours: also sent to %s (%s) as %s, because %s is closed "
		    "now.\n", c->team->id, AFTERHOURS_TEAM_NAME, c->id, h->to);
		if (c->team->contact.phone != NULL)
			output_printf(o, "%s phone: %s\n", AFTERHOURS_TEAM_NAME, c->team->contact.phone);
		return;
	}
	output_printf(o, "Out of hours: %s is closed now, and no copy could go to the %s: %s.\n",
	    h->to, AFTERHOURS_TEAM_NAME, c->why);
	if (to != NULL && to->contact.out_of_hours != NULL)
		output_printf(o, "%s out of hours: %s\n", to->id, to->contact.out_of_hours);
}

int
req_send(struct req *r, struct status *st)
{
	struct envelope_header h;
	struct envelope env;
	struct payload p;
	struct copy copy;
	struct sendform_problems probs;
	char idtext[IDS_MSGID_TEXT + 1];
	uint8_t *out = NULL;
	size_t len;
	int t, u, ret = -1;

	if (req_known(r, sendform_fields, st) != 0)
		return -1;
	if (sendform_read(arg, r, &h, &p, &probs) > 0) {
		*st = probs.v[0].st;
		return -1;
	}
	t = h.type;
	u = h.urgency;
	if (compose_seal(r->a, &h, &p, &out, &len, st) != 0)
		return -1;
	if (envelope_decode(out, len, &env, st) != 0 ||
	    outbox_put(r->a->db, &env, out, len, clock_now_ms(), st) != 0 ||
	    copy_out_of_hours(r, &h, &p, &copy, st) != 0)
		goto out;
	r->a->kick = true;
	ids_msgid_format(h.id, idtext);
	if (r->out->json) {
		output_printf(r->out, "{");
		output_json_key_str(r->out, true, "id", idtext);
		output_json_key_str(r->out, false, "type", envelope_type_name(t));
		output_json_key_str(r->out, false, "to", h.to);
		output_json_key_str(r->out, false, "case", h.case_id);
		output_json_key_str(r->out, false, "urgency", envelope_urgency_name(u));
		output_json_key_str(r->out, false, "state", outbox_state_name(OUTBOX_QUEUED));
		render_copy(r->out, r->a->dir, &h, &copy);
		output_printf(r->out, "}\n");
	} else {
		output_printf(r->out,
		    "queued %s %s to %s (case %s, %s)\n"
		    "It is sent as soon as the broker is reachable, and again until %s's signed "
		    "receipt comes back.\nFollow it with: dutynet status %s\n",
		    envelope_type_name(t), idtext, h.to, h.case_id, envelope_urgency_name(u), h.to,
		    idtext);
		render_copy(r->out, r->a->dir, &h, &copy);
	}
	ret = 0;
out:
	free(out);
	return ret;
}
