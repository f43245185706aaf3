#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# A missed deadline escalates exactly once, whatever happens to the broker:
# killed (SIGKILL) before the escalation was due, the restarted broker
# fires it once; killed right after it fired, the restarted broker (same
# clock) does not fire it again.  The notice reaches the sender signed and
# sealed by the broker, and the broker's audit chain holds it.  Time moves
# with DUTYNET_CLOCK_OFFSET_MS on each restart, never by sleeping.
# ZEROMQ.md trap: "Never lose a message silently" (the notice is stored
# and queued like any message, in the transaction that fires the timer).
. "$(dirname "$0")/../support/harness.sh"
h_init
start_broker

# An immediate concern: policy.conf's first rule, ack within 1 hour of clock
# time; mash's chain tells the sender at once when that is missed.
out=$(tc --as school-stmarys hello send:to=mash:type=concern:urgency=1:marker=ONCE \
	expect:cmd=RESULT:code=202) || h_fail "the concern was not accepted"
id=$(sed -nE 's/^SENT 0 ([0-9a-f-]+) .*/\1/p' <<<"$out")
hex=$(tr -d - <<<"$id" | tr a-f A-F)
# Killed before anything was due.
kill9_broker
due=$(h_sql "SELECT due_ms FROM deadlines WHERE hex(message_id) = '$hex' AND step = 'ack'")
[ -n "$due" ] || h_fail "no ack deadline was recorded"
accepted=$(h_sql "SELECT accepted_ms FROM messages WHERE hex(id) = '$hex'")
[ $((due - accepted)) -eq 3600000 ] || h_fail "ack due $((due - accepted)) ms after acceptance, not 1 hour"
[ "$(h_sql "SELECT count(*) FROM deadline_timers WHERE state = 'fired'")" -eq 0 ] ||
	h_fail "a timer fired before its time"

escalations() {
	h_sql "SELECT count(*) FROM deadline_timers WHERE hex(message_id) = '$hex' AND step = 'ack'
		AND kind = 'escalation' AND state = 'fired'"
}
notices_to_school() {
	h_sql "SELECT count(*) FROM messages WHERE type = 7 AND sender = 'broker'
		AND recipient = 'school-stmarys' AND hex(in_reply_to) = '$hex'"
}

# Restarted 10 s past the deadline: the escalation fires once.
export DUTYNET_CLOCK_OFFSET_MS=$((due + 10000 - $(date +%s%3N)))
start_broker
for i in $(seq 100); do
	grep -q 'event=escalation ' "$H_LOG/broker.log" && break
	sleep 0.05
done
# ... and the broker is killed right after it fired.
kill9_broker
grep -q "agency=school-stmarys msg=$id event=escalation text=\"ack notice=" "$H_LOG/broker.log" ||
	h_fail "the escalation to the sender was not logged"
[ "$(escalations)" -eq 1 ] || h_fail "escalation fired $(escalations) times, not once"
[ "$(notices_to_school)" -eq 1 ] || h_fail "$(notices_to_school) notices queued, not 1"

# Restarted with the same clock: nothing fires twice.
start_broker
out=$(tc --as school-stmarys hello receive:n=1:ms=5000 recv:ms=700) ||
	h_fail "the sender did not get its notice"
unset DUTYNET_CLOCK_OFFSET_MS
[ "$(grep -c '^NOTICE' <<<"$out")" -eq 1 ] || h_fail "the sender got $(grep -c '^NOTICE' <<<"$out") notices"
h_expect "^NOTICE 0 id=[0-9a-f-]{36} kind=escalation about=$id due=$due text=Escalation: the concern $id .* from school-stmarys to mash was due to be acknowledged" "$out"
h_expect "This notice goes to school-stmarys \(the sender\)\. If it is still not done, mash's manager \(MASH Team Manager\) will be told at [0-9-]{10} [0-9:]{5} London time" "$out"
stop_broker
[ "$(escalations)" -eq 1 ] || h_fail "escalation fired again after the restart"
[ "$(notices_to_school)" -eq 1 ] || h_fail "a second notice was queued after the restart"
[ "$(h_sql "SELECT state FROM messages WHERE type = 7 AND recipient = 'school-stmarys'")" = delivered ] ||
	h_fail "the sender's ACK did not mark the notice delivered"
[ "$(h_sql "SELECT count(*) FROM audit WHERE event = 'escalation' AND agency = 'school-stmarys'
	AND hex(message_id) = '$hex'")" -eq 1 ] || h_fail "the escalation is not audited exactly once"
[ "$(h_sql "SELECT count(*) FROM audit WHERE event = 'notice-delivered'")" -eq 1 ] ||
	h_fail "the notice's delivery is not audited"
h_audit_ok "$H_DB"
h_sanitizer_clean "$H_LOG/broker.log"
h_pass
