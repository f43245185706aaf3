#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# A redirect, end to end through the real broker and agents, with every
# daemon's clock at Wednesday 11 June 2025 10:00 London
# (DUTYNET_CLOCK_OFFSET_MS; nothing sleeps for a deadline): the school
# refers a child to the MASH; a redirect the sharing policy forbids (to the
# partnership), that lacks --reason or names the MASH itself is refused
# with nothing recorded; the MASH acknowledges and decides `redirect --to
# camhs --reason ...`.  Then: the school sees the decision (redirect, to
# camhs, the reason) in `dutynet show` and `dutynet status`; the MASH
# forwarded the referral, unchanged, to CAMHS as a new message whose
# in_reply_to names the original, and CAMHS's receipt for it is in the
# MASH's outbox; CAMHS decrypts the same child with `dutynet show`; the
# broker's deadlines table has the new referral's own acknowledgement and
# decision deadlines (CAMHS's rule and calendar) and the original's were
# met.  CAMHS accepts without a
# reason: the MASH's `show` of that decision has no empty "reason:" line,
# and the broker marks the new referral's decision met.  A concern cannot
# be redirected to CAMHS (it accepts none).  Along the way the human output
# of `status` (the deadline lines, both duration forms, in line) and
# `deadlines` (a whole last line) is checked.  Every audit chain verifies.
. "$(dirname "$0")/agent_common.bash"

AGENTS=(school-stmarys mash camhs)
REASON="A mental health need: CAMHS single point of access, not a safeguarding response"
BY="Jo Bloggs, Duty Social Worker"

# hex ID: a message id as the databases' lower(hex(...)) gives it.
hex() {
	echo "${1//-/}"
}

# broker SQL: one query against the broker's database.
broker() {
	sqlite3 -cmd ".timeout 5000" "$H_DB" "$1"
}

# column_of TEXT WORD: the offset of WORD in TEXT (one line).
column_of() {
	local before=${1%%"$2"*}
	echo "${#before}"
}

a_init
a_start_at 2025-06-11T10:00:00+01:00 "${AGENTS[@]}"

out=$(cli school-stmarys send referral --to mash --case RD-1 "${A_REFERRAL[@]}" --json) ||
	h_fail "send failed: $out"
id=$(json_id "$out")
[ -n "$id" ] || h_fail "send printed no id: $out"
wait_for 20 "the referral delivered to the MASH" sql_eq school-stmarys \
	"SELECT state FROM outbox WHERE lower(hex(message_id)) = '$(hex "$id")'" delivered

# Redirects that cannot happen are refused before anything is recorded:
# the policy lets social care refer to CAMHS, not to the partnership; a
# redirect says why; and a referral cannot be redirected to where it is.
err=$(cli mash decide "$id" redirect --to lscp --reason "$REASON" --by "$BY" 2>&1)
[ $? -eq 5 ] || h_fail "a redirect to the partnership did not exit 5: $err"
h_expect 'lscp' "$err" "the refused redirect"
err=$(cli mash decide "$id" redirect --to camhs --by "$BY" 2>&1)
[ $? -eq 2 ] || h_fail "a redirect without --reason did not exit 2: $err"
h_expect 'needs --reason' "$err" "the redirect without a reason"
err=$(cli mash decide "$id" redirect --to mash --reason "$REASON" --by "$BY" 2>&1)
[ $? -eq 2 ] || h_fail "a redirect to the MASH itself did not exit 2: $err"
sql_eq mash "SELECT count(*) FROM outbox" 0 || h_fail "a refused redirect queued something"
sql_eq mash "SELECT state FROM inbox WHERE lower(hex(message_id)) = '$(hex "$id")'" received ||
	h_fail "a refused redirect changed the referral's state"
sql_eq mash "SELECT count(*) FROM audit WHERE event = 'decided'" 0 ||
	h_fail "a refused redirect was audited as a decision"

# The MASH acknowledges and redirects.
cli mash ack "$id" --by "$BY" >/dev/null || h_fail "ack failed"
out=$(cli mash decide "$id" redirect --to camhs --reason "$REASON" --by "$BY") ||
	h_fail "the redirect failed: $out"
h_expect "^queued decision [0-9a-f-]{36} to school-stmarys for $id, and forwarded it to camhs$" \
	"$out" "decide redirect"
fid=$(a_sql mash "SELECT lower(hex(message_id)) FROM outbox WHERE type = 1 AND recipient = 'camhs'")
[ "${#fid}" -eq 32 ] || h_fail "no referral to camhs in the MASH's outbox: '$fid'"
sql_eq mash "SELECT lower(hex(in_reply_to)) || ' ' || case_id FROM outbox
	WHERE lower(hex(message_id)) = '$fid'" "$(hex "$id") RD-1" ||
	h_fail "the forwarded referral does not answer the original, in its case"
fid=$(sed -E 's/(.{8})(.{4})(.{4})(.{4})(.{12})/\1-\2-\3-\4-\5/' <<<"$fid")

# Delivered: CAMHS's signed receipt is in the MASH's outbox, and CAMHS
# stored the very bytes the MASH sent.
wait_for 20 "the forwarded referral delivered to CAMHS" sql_eq mash \
	"SELECT state || ' ' || (receipt IS NOT NULL) FROM outbox
	 WHERE lower(hex(message_id)) = '$(hex "$fid")'" "delivered 1"
sent=$(a_sql mash "SELECT hex(envelope) FROM outbox WHERE lower(hex(message_id)) = '$(hex "$fid")'")
got=$(a_sql camhs "SELECT hex(envelope) FROM inbox WHERE lower(hex(message_id)) = '$(hex "$fid")'")
[ -n "$sent" ] && [ "$sent" = "$got" ] || h_fail "CAMHS stored other bytes than the MASH sent"

# CAMHS: in its inbox, from the MASH, in reply to the original, the same
# child decrypted.
h_expect "\"id\": \"$fid\", \"type\": \"referral\".*\"from\": \"mash\".*\"state\": \"received\"" \
	"$(cli camhs inbox --json)" "CAMHS's inbox"
shown=$(cli camhs show "$fid") || h_fail "show at CAMHS failed"
h_expect "^referral $fid from mash to camhs \(received\)$" "$shown" "show at CAMHS"
h_expect "^in reply to:  $id$" "$shown" "show at CAMHS"
h_expect '^child: +Ann Example, born 2015-03-02$' "$shown" "show at CAMHS"
h_expect '^referrer: +Sam Patel, Designated Safeguarding Lead' "$shown" "show at CAMHS"
h_expect '^Came to school hungry three days running$' "$shown" "show at CAMHS"
"$A_PY" -c "import json,sys; d=json.load(sys.stdin)
assert d['in_reply_to'] == '$id' and d['case'] == 'RD-1' and d['from'] == 'mash', d
assert d['content']['child_name'] == 'Ann Example' and d['content']['dob'] == '2015-03-02', d" \
	<<<"$(cli camhs show "$fid" --json)" || h_fail "show --json at CAMHS"

# The school: the decision, its kind, where to and why.
decided() {
	grep -qE ' decided +mash +redirect to camhs by Jo Bloggs' \
		<<<"$(cli school-stmarys status "$id")"
}
wait_for 20 "the decision at the school" decided
did=$(cli school-stmarys inbox --json |
	sed -nE 's/.*"id": "([0-9a-f-]{36})", "type": "decision".*/\1/p')
[ -n "$did" ] || h_fail "no decision in the school's inbox"
shown=$(cli school-stmarys show "$did") || h_fail "show of the decision at the school failed"
h_expect "^in reply to:  $id$" "$shown" "the decision at the school"
h_expect '^decision: +redirect to camhs$' "$shown" "the decision at the school"
h_expect "^reason: +$REASON$" "$shown" "the decision at the school"
"$A_PY" -c "import json,sys; c=json.load(sys.stdin)['content']
assert (c['decision'], c['redirect_to'], c['reason']) == ('redirect', 'camhs', '''$REASON'''), c" \
	<<<"$(cli school-stmarys show "$did" --json)" || h_fail "show --json of the decision"
"$A_PY" -c "import json,sys; d=json.load(sys.stdin)['deadlines']
assert [(x['step'], x['state']) for x in d] == [('ack', 'met'), ('decision', 'met'),
	('feedback', 'pending')], d" <<<"$(cli school-stmarys status "$id" --json)" ||
	h_fail "the school's deadlines for the original"

# The MASH's timeline of the original shows the forwarding.
h_expect " created +camhs +referral to camhs, case RD-1, standard, in reply to $id \[$fid\]" \
	"$(cli mash status "$id")" "the MASH's status of the original"

# The broker: the new referral has its own deadlines, by CAMHS's rule and
# calendar (3 working days: Monday 16th, 10:00 London; the end of the 10th
# working day: Tuesday 24th, 17:00 London), with reminders and CAMHS's
# escalation chain; the original's acknowledgement and decision were met.
q="SELECT step || '|' || sender || '|' || recipient || '|' || rule || '|' || state || '|' ||
	strftime('%Y-%m-%dT%H:%M', due_ms / 1000, 'unixepoch') FROM deadlines
	WHERE lower(hex(message_id)) = '$(hex "$fid")' ORDER BY step"
rows=$(broker "$q")
[ "$rows" = "ack|mash|camhs|CAMHS single point of access|pending|2025-06-16T09:00
decision|mash|camhs|CAMHS single point of access|pending|2025-06-24T16:00" ] ||
	h_fail "the broker's deadlines for the forwarded referral: $rows"
n=$(broker "SELECT count(*) FROM deadline_timers WHERE lower(hex(message_id)) = '$(hex "$fid")'
	AND state = 'pending' AND kind = 'escalation' AND tell IN ('mash', 'camhs', 'lscp')")
[ "$n" -ge 2 ] || h_fail "the forwarded referral has $n pending escalation steps"
rows=$(broker "SELECT step || '|' || state || '|' || lower(hex(answer_id)) FROM deadlines
	WHERE lower(hex(message_id)) = '$(hex "$id")' ORDER BY step")
[ "$rows" = "ack|met|$(a_sql mash "SELECT lower(hex(message_id)) FROM outbox WHERE type = 4")
decision|met|$(hex "$did")
feedback|pending|" ] || h_fail "the broker's deadlines for the original: $rows"

# CAMHS's status: both duration forms read naturally, in one column.
status=$(cli camhs status "$fid") || h_fail "status at CAMHS failed"
h_expect '^deadlines \(rule "CAMHS single point of access", camhs.s calendar\):$' "$status" \
	"status at CAMHS"
ack=$(grep -E '^  ack +within 3 working days +due 2025-06-16T10:00:' <<<"$status") ||
	h_fail "status at CAMHS lacks the ack line: $status"
dec=$(grep -E '^  decision +by the end of the 10th working day +due 2025-06-24T17:00:00\+01:00$' \
	<<<"$status") || h_fail "status at CAMHS lacks the decision line: $status"
h_expect_not 'within by' "$status" "status at CAMHS"
[ "$(column_of "$ack" within)" = "$(column_of "$dec" by)" ] &&
	[ "$(column_of "$ack" ' due ')" = "$(column_of "$dec" ' due ')" ] ||
	h_fail "the deadline lines are not in line:"$'\n'"$ack"$'\n'"$dec"

# `dutynet deadlines` at the MASH: the forwarded referral as sender, the
# original's feedback as recipient, and a whole last line, ended.
table=$(cli mash deadlines) || h_fail "deadlines at the MASH failed"
h_expect "^2025-06-16T10:00:[0-9.]+\+01:00 +ack +sender +$fid +camhs +due in" "$table" "deadlines"
h_expect "feedback +recipient +$id +school-stmarys" "$table" "deadlines"
h_expect "^3 open deadlines of mash at 2025-06-11T10:0.*, soonest first\.$" "$table" "deadlines"
h_expect "^'dutynet status ID' shows all of one message's deadlines, met and late ones too\.$" \
	"$(tail -1 <<<"$table")" "the last line of deadlines"
[ "$(cli mash deadlines | tail -c 1 | od -An -c | tr -d ' ')" = '\n' ] ||
	h_fail "the output of deadlines does not end with a newline"

# CAMHS accepts, with no reason: the MASH's show of that decision has no
# empty reason line, and the broker marks the deadline met.
cli camhs decide "$fid" accept --by "Ali Khan, SPA Clinician" >/dev/null ||
	h_fail "CAMHS's decision failed"
cdid=
camhs_decided() {
	cdid=$(cli mash inbox --json |
		sed -nE 's/.*"id": "([0-9a-f-]{36})", "type": "decision", "from": "camhs".*/\1/p')
	[ -n "$cdid" ]
}
wait_for 20 "CAMHS's decision at the MASH" camhs_decided
shown=$(cli mash show "$cdid") || h_fail "show of CAMHS's decision failed"
h_expect '^decision: +accept$' "$shown" "CAMHS's decision at the MASH"
h_expect '^by: +Ali Khan, SPA Clinician$' "$shown" "CAMHS's decision at the MASH"
h_expect_not '^reason:' "$shown" "an accept without a reason"
h_expect_not ' $' "$shown" "show (trailing spaces)"
wait_for 20 "CAMHS's decision delivered" sql_eq camhs \
	"SELECT state FROM outbox WHERE lower(hex(message_id)) = '$(hex "$cdid")'" delivered
[ "$(broker "SELECT state || '|' || lower(hex(answer_id)) FROM deadlines
	WHERE lower(hex(message_id)) = '$(hex "$fid")' AND step = 'decision'")" = "met|$(hex "$cdid")" ] ||
	h_fail "the broker did not mark the forwarded referral's decision met"

# A redirect forwards the message as it is: a concern cannot go to CAMHS,
# which accepts no concerns (directory.conf); refused, nothing recorded.
cid=$(a_concern school-stmarys mash RD-2) || h_fail "the concern did not go"
err=$(cli mash decide "$cid" redirect --to camhs --reason "$REASON" --by "$BY" 2>&1)
[ $? -eq 5 ] || h_fail "a concern redirected to CAMHS did not exit 5: $err"
h_expect 'camhs does not accept concern messages' "$err" "the concern redirected to CAMHS"
sql_eq mash "SELECT state FROM inbox WHERE lower(hex(message_id)) = '$(hex "$cid")'" received ||
	h_fail "the refused redirect changed the concern's state"

a_stop "${AGENTS[@]}"
for a in "${AGENTS[@]}"; do
	h_sanitizer_clean "$H_LOG/agent-$a.log"
	audit_ok "$(a_db "$a")"
done
h_pass
