#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The broker's deadline notices, received: a concern the MASH leaves
# unanswered past its deadline (every daemon's clock moved on by
# DUTYNET_CLOCK_OFFSET_MS, from Wednesday 10:00 to Friday 12:00) brings
# reminders to the MASH and escalations to the MASH, the school (the sender)
# and the partnership (lscp, which runs an agent here too).  Each agent
# verifies them with the broker's signing key, decrypts them with the pair
# key for the broker's box key, stores them (inbox, type escalation, from
# the broker; no receipt made), ACKs them (the broker marks them
# delivered), and shows them: `inbox`, `show`, the timeline of the concern
# in `status`, the reminder and escalation counts in `deadlines` - and, at
# the partnership, a "told" row for the other agencies' missed deadline.
. "$(dirname "$0")/agent_common.bash"

AGENTS=(school-stmarys mash lscp)
# notices AGENCY KIND: how many notices of KIND about the concern AGENCY has.
notices() {
	a_sql "$1" "SELECT count(*) FROM notices WHERE kind = $2 AND lower(hex(about)) = '${id//-/}'"
}
at_least() {
	[ "$(notices "$1" "$2")" -ge "$3" ] 2>/dev/null
}

a_init
# The partnership's agent, like the MASH's (if the example has none).
[ -f "$H_CONF/agents/lscp.conf" ] ||
	sed -e 's/mash/lscp/g' "$H_CONF/agents/mash.conf" >"$H_CONF/agents/lscp.conf"
a_start_at 2025-06-11T10:00:00+01:00 "${AGENTS[@]}"
id=$(a_concern school-stmarys mash NT-1) || h_fail "the concern did not go"
[ "$(a_sql mash "SELECT count(*) FROM notices")" = 0 ] || h_fail "a notice before any was due"

a_stop "${AGENTS[@]}"
a_start_at 2025-06-13T12:00:00+01:00 "${AGENTS[@]}"
# Reminders at 50 % and 90 % of each deadline to the MASH; the escalation
# chain (directory.conf): the sender at once, the MASH's manager after 2
# working hours, the partnership after 1 working day.
wait_for 20 "escalations at the school" at_least school-stmarys 2 2
wait_for 20 "reminders at the MASH" at_least mash 1 4
wait_for 20 "escalations at the MASH" at_least mash 2 2
wait_for 20 "escalations at the partnership" at_least lscp 2 2

# Stored as messages from the broker, ACKed, never receipted.
for a in "${AGENTS[@]}"; do
	sql_eq "$a" "SELECT count(*) FROM inbox WHERE type = 7 AND (sender <> 'broker'
		OR receipt IS NOT NULL OR state <> 'received')" 0 || h_fail "$a: a notice stored wrong"
	sql_eq "$a" "SELECT count(*) FROM inbox WHERE type = 7" \
		"$(a_sql "$a" "SELECT count(*) FROM notices")" || h_fail "$a: inbox and notices differ"
done
acked() {
	[ "$(h_sql "SELECT count(*) FROM messages WHERE type = 7 AND state <> 'delivered'")" = 0 ]
}
wait_for 20 "every notice ACKed (delivered at the broker)" acked

# Shown: inbox, show, status, deadlines.
h_expect "broker +escalation +urgent|broker +escalation +standard" "$(cli school-stmarys inbox)" \
	"the school's inbox"
nid=$(a_sql school-stmarys "SELECT lower(hex(message_id)) FROM notices LIMIT 1" |
	sed -E 's/(.{8})(.{4})(.{4})(.{4})(.{12})/\1-\2-\3-\4-\5/')
shown=$(cli school-stmarys show "$nid")
h_expect "^about: +$id" "$shown" "the notice shown"
h_expect "Escalation: the concern $id \(case NT-1\) from school-stmarys to mash" "$shown" \
	"the notice shown"
timeline=$(cli school-stmarys status "$id")
h_expect " escalation +broker +escalation from broker \(notice [0-9a-f-]{36}, due " "$timeline" \
	"the school's timeline"
h_expect "^  ack +within 1 working day +due .*: OVERDUE" "$timeline" "the school's timeline"
"$A_PY" -c 'import json,sys; r=json.load(sys.stdin)["deadlines"];
assert len(r) == 2 and all(x["escalations"] >= 1 and x["role"] == "sender" for x in r), r' \
	<<<"$(cli school-stmarys deadlines --json)" || h_fail "the school's deadlines"
# (Counts are per message: a notice names the message, not the step.)
"$A_PY" -c 'import json,sys; r=json.load(sys.stdin)["deadlines"];
assert len(r) == 2 and all(x["reminders"] == 4 and x["escalations"] == 2 for x in r), r' \
	<<<"$(cli mash deadlines --json)" || h_fail "the MASH's deadlines"
h_expect " reminder +broker +reminder from broker" "$(cli mash status "$id")" \
	"the MASH's timeline"
# The partnership: one row for the concern, told of both missed deadlines.
"$A_PY" -c 'import json,sys; r=json.load(sys.stdin)["deadlines"];
assert (len(r) == 1 and r[0]["role"] == "told" and r[0]["id"] == sys.argv[1] and
	r[0]["escalations"] == 2 and r[0]["state"] == "overdue" and r[0]["late_clock_ms"] > 0 and
	"lscp" in r[0]["notice"]), r' "$id" <<<"$(cli lscp deadlines --json)" ||
	h_fail "the partnership's deadlines"
h_expect "^ +Escalation: the concern $id \\(case NT-1\\) from school-stmarys to mash" "$(cli lscp deadlines)" "the partnership's deadlines"

a_stop "${AGENTS[@]}"
for a in "${AGENTS[@]}"; do
	h_sanitizer_clean "$H_LOG/agent-$a.log"
	audit_ok "$(a_db "$a")"
done
h_pass
