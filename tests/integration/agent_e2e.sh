#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# End to end between the school and the MASH of config/example, through the
# real broker and agents and the dutynet command: send -> accepted ->
# delivered (signed receipt) -> ack -> decision -> feedback, each visible in
# both timelines; show decrypts on both sides; --json parses; exit codes for
# a bad value, an unknown recipient, a route the policy forbids, an unknown
# message and an agent that is not running; both audit chains verify; the
# envelope the school sent is byte for byte the one the MASH stored; the
# MASH's on_message hook runs with exactly [words..., id, type] (no shell).
# ZEROMQ.md: "Never lose a message silently" (accepted != delivered).
. "$(dirname "$0")/agent_common.bash"

a_init
# The MASH's case-management hook: appends its arguments to a file.
cat >"$H_DIR/hook.sh" <<SH
#!/bin/sh
printf '%s|' "\$@" >>"$H_DIR/hook.out"
echo >>"$H_DIR/hook.out"
SH
chmod 700 "$H_DIR/hook.sh"
h_conf_set "$H_CONF/agents/mash.conf" on_message "[ \"$H_DIR/hook.sh\", \"--from\", \"dutynet\" ]"
start_broker
start_agent school-stmarys
start_agent mash

out=$(cli school-stmarys send referral --to mash --case SCH-2024-17 --urgency urgent \
	"${A_REFERRAL[@]}" --json) || h_fail "send failed: $out"
id=$(json_id "$out")
[ -n "$id" ] || h_fail "send printed no id: $out"
h_expect '"state": "queued"' "$out" "send --json"

wait_for 20 "the referral delivered" sql_eq school-stmarys \
	"SELECT state FROM outbox WHERE lower(hex(message_id)) = '${id//-/}'" delivered
h_expect 'delivered' "$(cli school-stmarys outbox --all)" "outbox --all"
h_expect "^nothing pending" "$(cli school-stmarys outbox | tail -1)" "outbox"

# The MASH stored it once, decrypted, and `show` gives the content back.
inbox=$(cli mash inbox --json)
h_expect "\"id\": \"$id\".*\"from\": \"school-stmarys\".*\"state\": \"received\"" "$inbox" "inbox"
shown=$(cli mash show "$id")
h_expect 'Ann Example, born 2015-03-02' "$shown" "show at the MASH"
h_expect 'Came to school hungry' "$shown" "show at the MASH"
h_expect 'Ann Example' "$(cli school-stmarys show "$id")" "show at the school (its own copy)"
"$A_PY" -c 'import json,sys; d=json.load(sys.stdin); assert d["content"]["dob"]=="2015-03-02"' \
	<<<"$(cli mash show "$id" --json)" || h_fail "show --json is not the JSON expected"

hooked() {
	grep -qx -- "--from|dutynet|$id|referral|" "$H_DIR/hook.out" 2>/dev/null
}
wait_for 20 "the on_message hook to run for the referral" hooked

# The bytes sent are the bytes stored, and the receipt names them.
sent=$(a_sql school-stmarys "SELECT hex(envelope) FROM outbox WHERE lower(hex(message_id)) = '${id//-/}'")
got=$(a_sql mash "SELECT hex(envelope) FROM inbox WHERE lower(hex(message_id)) = '${id//-/}'")
[ -n "$sent" ] && [ "$sent" = "$got" ] || h_fail "the stored envelope differs from the one sent"
r1=$(a_sql school-stmarys "SELECT hex(receipt) FROM outbox WHERE lower(hex(message_id)) = '${id//-/}'")
r2=$(a_sql mash "SELECT hex(receipt) FROM inbox WHERE lower(hex(message_id)) = '${id//-/}'")
[ -n "$r1" ] && [ "$r1" = "$r2" ] || h_fail "the school's receipt is not the one the MASH made"

# A person at the MASH answers: ack, decision, feedback.
cli mash ack "$id" --by "Jo Bloggs, Duty Social Worker" >/dev/null || h_fail "ack failed"
h_expect 'already acknowledged by Jo Bloggs' "$(cli mash ack "$id" --by "X, Y")" "second ack"
cli mash decide "$id" accept --by "Jo Bloggs, Duty Social Worker" >/dev/null ||
	h_fail "decide failed"
err=$(cli mash decide "$id" decline --reason "changed my mind" 2>&1)
[ $? -eq 1 ] || h_fail "a second decision did not exit 1"
h_expect 'already decided' "$err" "second decision"
cli mash feedback "$id" --text "Family seen; early help offered" --by "Jo Bloggs, Duty SW" \
	>/dev/null || h_fail "feedback failed"

has_answers() {
	local t
	t=$(cli school-stmarys status "$id")
	grep -q ' acknowledged ' <<<"$t" && grep -q ' decided ' <<<"$t" &&
		grep -q ' feedback ' <<<"$t"
}
wait_for 20 "ack, decision and feedback at the school" has_answers
timeline=$(cli school-stmarys status "$id")
for ev in created sent accepted delivered acknowledged decided feedback; do
	h_expect " $ev " "$timeline" "the school's timeline"
done
h_expect 'accept by Jo Bloggs' "$timeline" "the school's timeline"
mash_tl=$(cli mash status "$id")
h_expect ': decided$' "$(head -1 <<<"$mash_tl")" "the MASH's status"
for ev in received acknowledged decided feedback; do
	h_expect " $ev " "$mash_tl" "the MASH's timeline"
done
"$A_PY" -c 'import json,sys; d=json.load(sys.stdin); ev=[e["event"] for e in d["timeline"]];
assert d["state"]=="delivered" and "delivered" in ev and "decided" in ev, ev' \
	<<<"$(cli school-stmarys status "$id" --json)" || h_fail "status --json"
wait_for 20 "the MASH's answers delivered" sql_eq mash \
	"SELECT count(*) FROM outbox WHERE state = 'delivered'" 3
h_expect 'Family seen' "$(cli school-stmarys show "$(cli school-stmarys inbox --json |
	sed -nE 's/.*"id": "([0-9a-f-]{36})", "type": "feedback".*/\1/p')")" "the feedback at the school"

# A referral from a JSON form (--file); an option given as well wins.
cat >"$H_DIR/form.json" <<'JSON'
{"to": "mash", "case": "FORM-1", "urgency": "routine", "child_name": "Ben Form",
 "dob": "2016-01-01", "upn": null, "category": "housing", "summary": "Family sleeping in a car",
 "referrer_name": "Sam Patel", "referrer_role": "DSL", "referrer_contact": "01632 960101",
 "lawful_basis": "Children Act 1989 s17", "consent": false,
 "consent_why_not": "asking would place the child at risk"}
JSON
out=$(cli school-stmarys send referral --file "$H_DIR/form.json" --urgency urgent --json) ||
	h_fail "send --file failed: $out"
fid=$(json_id "$out")
h_expect '"case": "FORM-1", "urgency": "urgent"' "$out" "send --file"
wait_for 20 "the form's referral delivered" sql_eq school-stmarys \
	"SELECT state FROM outbox WHERE lower(hex(message_id)) = '${fid//-/}'" delivered
shown=$(cli mash show "$fid")
h_expect 'Ben Form, born 2016-01-01' "$shown" "the form's referral"
h_expect 'not sought: asking would place the child at risk' "$shown" "the form's consent"
echo '{"to": "mash", "child_nmae": "x"}' >"$H_DIR/typo.json"
err=$(cli school-stmarys send referral --file "$H_DIR/typo.json" 2>&1)
[ $? -eq 2 ] || h_fail "a form with an unknown field did not exit 2"
h_expect 'unknown field "child_nmae"' "$err" "the form typo"
echo '{"to": "mash",' >"$H_DIR/broken.json"
cli school-stmarys send referral --file "$H_DIR/broken.json" >/dev/null 2>&1
[ $? -eq 2 ] || h_fail "a form that is not JSON did not exit 2"

# Exit codes: bad value 2, refused 5, unknown 2, agent not running 4.
cli school-stmarys send referral --to mash "${A_REFERRAL[@]}" --dob 2015-02-30 >/dev/null 2>&1
[ $? -eq 2 ] || h_fail "an impossible date of birth did not exit 2"
err=$(cli school-stmarys send referral --to nowhere "${A_REFERRAL[@]}" 2>&1)
[ $? -eq 5 ] || h_fail "an unknown recipient did not exit 5: $err"
h_expect "nowhere" "$err" "unknown recipient message"
err=$(cli school-stmarys send concern --to camhs "${A_REFERRAL[@]}" 2>&1)
[ $? -eq 5 ] || h_fail "a concern to CAMHS (not accepted) did not exit 5: $err"
cli mash show 01900000-0000-7000-8000-000000000000 >/dev/null 2>&1
[ $? -eq 2 ] || h_fail "an unknown id did not exit 2"
cli mash frobnicate >/dev/null 2>&1
[ $? -eq 2 ] || h_fail "an unknown command did not exit 2"
cli mash send --help | grep -q 'neglect' || h_fail "send --help lacks the categories"
stop_agent mash
err=$(cli mash inbox 2>&1)
[ $? -eq 4 ] || h_fail "no agent did not exit 4"
h_expect 'not running' "$err" "no agent message"
stop_agent school-stmarys
stop_broker

audit_ok "$(a_db school-stmarys)"
audit_ok "$(a_db mash)"
h_pass
