#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# `dutynet deadlines` and the deadlines in `dutynet status ID`, on both
# sides of a concern, with every daemon's clock set by
# DUTYNET_CLOCK_OFFSET_MS (nothing sleeps for a deadline): sent on
# Wednesday 11 June 2025 at 10:00 London, the MASH owes an acknowledgement
# and a decision within 1 working day (the example policy), due Thursday
# 10:00, listed as recipient at the MASH and as sender at the school.  On
# Friday at 12:00 both are overdue by 10 working hours (26 clock hours);
# the acknowledgement made then is late by that much, the decision too, and
# the feedback then falls due 5 working days after the decision; once it is
# given nothing is due.
. "$(dirname "$0")/agent_common.bash"

AGENTS=(school-stmarys mash)
# check AGENCY PYTHON-EXPRESSION: `dutynet deadlines --json` of AGENCY as d
# (its rows as r) satisfies the expression.
check() {
	local out
	out=$(cli "$1" deadlines --json) || h_fail "deadlines at $1 failed"
	"$A_PY" -c "import json,sys; d=json.load(sys.stdin); r=d['deadlines']; assert ($2), r" \
		<<<"$out" || h_fail "deadlines at $1: not $2"
}
HOUR=3600000
NEAR=120000	# ms of slack for the seconds the test itself takes

a_init
a_start_at 2025-06-11T10:00:00+01:00 "${AGENTS[@]}"
id=$(a_concern school-stmarys mash DL-1) || h_fail "the concern did not go"

# Wednesday: due Thursday 10:00 London (09:00Z), at both ends.
check mash "len(r) == 2 and [x['step'] for x in r] == ['ack', 'decision'] and
	all(x['role'] == 'recipient' and x['with'] == 'school-stmarys' and x['id'] == '$id' and
	    x['state'] == 'pending' and x['due'].startswith('2025-06-12T09:00:') for x in r)"
check school-stmarys "len(r) == 2 and all(x['role'] == 'sender' and x['with'] == 'mash' and
	x['state'] == 'pending' and x['case'] == 'DL-1' for x in r)"
table=$(cli mash deadlines)
h_expect "^DUE +STEP +ROLE +MESSAGE +WITH +STATE" "$table" "deadlines"
h_expect "^2025-06-12T10:00:[0-9.]+\+01:00 +ack +recipient +$id +school-stmarys +due in 2[34]h" \
	"$table" "deadlines"
status=$(cli mash status "$id")
h_expect '^deadlines \(rule "children.s social care", mash.s calendar\):' "$status" "status"
h_expect '^  ack +within 1 working day +due 2025-06-12T10:00' "$status" "status"
h_expect '^  feedback +within 5 working days +not started: counts from the decision' \
	"$status" "status"

# Friday 12:00: 7 working hours on Thursday and 3 on Friday overdue.
a_stop "${AGENTS[@]}"
a_start_at 2025-06-13T12:00:00+01:00 "${AGENTS[@]}"
check mash "len(r) == 2 and all(x['state'] == 'overdue' and
	abs(x['late_working_ms'] - 10 * $HOUR) < $NEAR and
	abs(x['late_clock_ms'] - 26 * $HOUR) < $NEAR for x in r)"
check school-stmarys "len(r) == 2 and all(x['state'] == 'overdue' and
	abs(x['late_working_ms'] - 10 * $HOUR) < $NEAR for x in r)"
h_expect "ack +recipient +$id +school-stmarys +overdue by (9h 5[89]m|10h( [0-2]m)?) working \(1d (1h 5[89]m|2h( [0-2]m)?) clock\)" \
	"$(cli mash deadlines)" "deadlines on Friday"

# The acknowledgement now is late; the decision is still owed.
cli mash ack "$id" --by "Jo Bloggs, Duty Social Worker" >/dev/null || h_fail "ack failed"
check mash "len(r) == 1 and r[0]['step'] == 'decision' and r[0]['state'] == 'overdue'"
h_expect '^  ack +within 1 working day +due 2025-06-12T10:00:[0-9.]+\+01:00: LATE, done 2025-06-13T12:0[0-2]:.*, (9h 5[89]m|10h( [0-2]m)?) working \(1d (1h 5[89]m|2h( [0-2]m)?) clock\) after it' \
	"$(cli mash status "$id")" "the MASH's status"
acked() {
	check school-stmarys "len(r) == 1 and r[0]['step'] == 'decision'" 2>/dev/null
}
wait_for 20 "the acknowledgement at the school" acked
h_expect '^  ack +within 1 working day +due .*: LATE' "$(cli school-stmarys status "$id")" \
	"the school's status"

# The decision starts the feedback deadline: 5 working days, Friday 12:00 next week.
cli mash decide "$id" accept --by "Jo Bloggs, Duty Social Worker" >/dev/null ||
	h_fail "decide failed"
check mash "len(r) == 1 and r[0]['step'] == 'feedback' and r[0]['state'] == 'pending' and
	r[0]['due'].startswith('2025-06-20T11:0')"
decided() {
	check school-stmarys "len(r) == 1 and r[0]['step'] == 'feedback'" 2>/dev/null
}
wait_for 20 "the decision at the school" decided
cli mash feedback "$id" --text "Seen today" --by "Jo Bloggs, Duty SW" >/dev/null ||
	h_fail "feedback failed"
h_expect '^nothing is due: mash has no open deadlines' "$(cli mash deadlines)" "deadlines"
"$A_PY" -c 'import json,sys; d=json.load(sys.stdin)["deadlines"];
assert [(x["step"], x["state"]) for x in d] == [("ack","late"),("decision","late"),("feedback","met")], d' \
	<<<"$(cli mash status "$id" --json)" || h_fail "status --json deadlines"
fed() {
	check school-stmarys "len(r) == 0" 2>/dev/null
}
wait_for 20 "the feedback at the school" fed

a_stop "${AGENTS[@]}"
for a in "${AGENTS[@]}"; do
	h_sanitizer_clean "$H_LOG/agent-$a.log"
	audit_ok "$(a_db "$a")"
done
h_pass
