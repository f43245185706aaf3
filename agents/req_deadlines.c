/* SPDX-License-Identifier: ISC */
/*
 * req_deadlines: `dutynet deadlines`, what is due and overdue for this
 * agency, soonest first: as recipient, the acknowledgements, decisions and
 * feedback it owes; as sender, the answers it waits for; and the broker's
 * escalation notices about other agencies' messages that it was told of
 * (a partnership, a manager).  Each open step says when it is due and, if
 * overdue, by how much in working and in clock time.  The arithmetic is
 * due.c's, with the broker's rules, so both agree on every due time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agents/duelist.h"
#include "agents/req.h"
#include "common/clock.h"

static const char *const known[] = {NULL};

/* "overdue by 2h working (16h clock)", "due in 3h 10m". */
static void
how(const struct duelist_row *row, uint64_t now, char *out, size_t cap)
{
	char w[OUTPUT_SPAN_LEN], c[OUTPUT_SPAN_LEN];
	size_t n;

	if (row->step.state == DUE_OVERDUE) {
		output_span(row->step.late_working_ms, w);
		output_span(row->step.late_clock_ms, c);
		if (row->role == DUELIST_TOLD)
			n = (size_t)snprintf(out, cap, "overdue by %s", c);
		else
			n = (size_t)snprintf(out, cap, "overdue by %s working (%s clock)", w, c);
	} else {
		output_span((int64_t)(row->step.due_ms - now), c);
		n = (size_t)snprintf(out, cap, "due in %s", c);
	}
	if (n < cap && (row->reminders || row->escalations))
		snprintf(out + n, cap - n, "; %u reminder%s, %u escalation%s", row->reminders,
		    row->reminders == 1 ? "" : "s", row->escalations,
		    row->escalations == 1 ? "" : "s");
}

static void
render(struct output *o, const struct duelist *t)
{
	char id[IDS_MSGID_TEXT + 1], due[OUTPUT_TIME_LEN], state[OUTPUT_SPAN_LEN * 3];
	const struct duelist_row *row;
	size_t i;

	for (i = 0; i < t->n; i++) {
		row = &t->v[i];
		ids_msgid_format(row->id, id);
		if (o->json) {
			output_printf(o, "%s{", i ? ",\n  " : "\n  ");
			output_json_key_time(o, true, "due", row->step.due_ms);
			output_json_key_str(o, false, "state", due_state_name(row->step.state));
			output_json_key_str(o, false, "step", row->role == DUELIST_TOLD ? NULL :
			    deadline_step_name(row->step.step));
			output_json_key_str(o, false, "role", duelist_role_name(row->role));
			output_json_key_str(o, false, "id", id);
			output_json_key_str(o, false, "type", row->role == DUELIST_TOLD ? NULL :
			    envelope_type_name(row->type));
			output_json_key_str(o, false, "with", row->role == DUELIST_TOLD ? NULL :
			    row->with);
			output_json_key_str(o, false, "case", row->role == DUELIST_TOLD ? NULL :
			    row->case_id);
			output_json_key_str(o, false, "urgency", row->role == DUELIST_TOLD ? NULL :
			    envelope_urgency_name(row->urgency));
			output_json_key_int(o, false, "late_working_ms",
			    row->step.state == DUE_OVERDUE ? row->step.late_working_ms : 0);
			output_json_key_int(o, false, "late_clock_ms",
			    row->step.state == DUE_OVERDUE ? row->step.late_clock_ms : 0);
			output_json_key_uint(o, false, "reminders", row->reminders);
			output_json_key_uint(o, false, "escalations", row->escalations);
			output_json_key_str(o, false, "notice", row->role == DUELIST_TOLD ? row->text :
			    NULL);
			output_printf(o, "}");
			continue;
		}
		if (i == 0)
			output_printf(o, "%-29s  %-8s  %-9s  %-36s  %-20s  %s\n", "DUE", "STEP", "ROLE",
			    "MESSAGE", "WITH", "STATE");
		output_time(row->step.due_ms, due);
		how(row, t->now, state, sizeof(state));
		output_printf(o, "%-29s  %-8s  %-9s  %-36s  %-20s  %s\n", due,
		    row->role == DUELIST_TOLD ? "-" : deadline_step_name(row->step.step),
		    duelist_role_name(row->role), id, row->role == DUELIST_TOLD ? "-" : row->with,
		    state);
		if (row->role == DUELIST_TOLD)
			output_printf(o, "    %s\n", row->text);
	}
}

int
req_deadlines(struct req *r, struct status *st)
{
	struct duelist t;
	char now[OUTPUT_TIME_LEN];
	int ret = -1;

	if (req_known(r, known, st) != 0)
		return -1;
	if (duelist_load(r->a, clock_now_ms(), &t, st) != 0)
		goto out;
	output_time(t.now, now);
	if (r->out->json) {
		output_printf(r->out, "{\"agency\": \"%s\", ", r->a->self->id);
		output_json_key_time(r->out, true, "now", t.now);
		output_printf(r->out, ", \"deadlines\": [");
		render(r->out, &t);
		output_printf(r->out, "%s]}\n", t.n ? "\n" : "");
	} else if (t.n == 0) {
		output_printf(r->out, "nothing is due: %s has no open deadlines (%s)\n",
		    r->a->self->id, now);
	} else {
		render(r->out, &t);
		output_printf(r->out, "%zu open deadline%s of %s at %s, soonest first.\n"
		    "'dutynet status ID' shows all of one message's deadlines, met and late ones "
		    "too.\n", t.n, t.n == 1 ? "" : "s", r->a->self->id, now);
	}
	ret = 0;
out:
	duelist_free(&t);
	return ret;
}
