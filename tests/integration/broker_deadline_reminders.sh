#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Reminders reach the recipient at the fractions policy.conf configures
# (reminders = [ 50, 90 ]) of the time to each deadline, each once, as
# notices signed and sealed by the broker that the recipient opens with the
# broker's public keys from the directory and answers with ACK.  A
# reminder is not sent before its time.  Time moves with
# DUTYNET_CLOCK_OFFSET_MS on each restart; never slept.
. "$(dirname "$0")/../support/harness.sh"
h_init
start_broker

# An immediate concern to mash: ack within 1 hour (clock time), so the
# reminders fall 30 and 54 minutes after acceptance.
out=$(tc --as school-stmarys hello send:to=mash:type=concern:urgency=1:marker=REMIND \
	expect:cmd=RESULT:code=202) || h_fail "the concern was not accepted"
id=$(sed -nE 's/^SENT 0 ([0-9a-f-]+) .*/\1/p' <<<"$out")
hex=$(tr -d - <<<"$id" | tr a-f A-F)
accepted=$(h_sql "SELECT accepted_ms FROM messages WHERE hex(id) = '$hex'")
due=$(h_sql "SELECT due_ms FROM deadlines WHERE hex(message_id) = '$hex' AND step = 'ack'")
fires=($(h_sql "SELECT fire_ms FROM deadline_timers WHERE hex(message_id) = '$hex'
	AND step = 'ack' AND kind = 'reminder' ORDER BY ord"))
[ "${#fires[@]}" -eq 2 ] || h_fail "${#fires[@]} ack reminders scheduled, not 2"
[ $((fires[0] - accepted)) -eq $(((due - accepted) * 50 / 100)) ] || h_fail "first reminder not at 50 %"
[ $((fires[1] - accepted)) -eq $(((due - accepted) * 90 / 100)) ] || h_fail "second reminder not at 90 %"
# mash takes the concern itself now, so that only notices come later.
tc --as mash hello receive:n=1:ms=5000 >/dev/null || h_fail "mash did not get the concern"
stop_broker

# At 31 minutes: the 50 % reminder, and only that.
export DUTYNET_CLOCK_OFFSET_MS=$((accepted + 31 * 60000 - $(date +%s%3N)))
start_broker
out=$(tc --as mash hello receive:n=1:ms=5000 recv:ms=700) || h_fail "mash got no reminder at 50 %"
stop_broker
[ "$(grep -c '^NOTICE' <<<"$out")" -eq 1 ] || h_fail "$(grep -c '^NOTICE' <<<"$out") notices at 31 min, not 1"
h_expect "^NOTICE 0 id=[0-9a-f-]{36} kind=reminder about=$id due=$due text=Reminder \(50% of the time has passed\): the concern $id .* from school-stmarys to mash is due to be acknowledged by [0-9-]{10} [0-9:]{5} London time \(1 hour\)" "$out"

# At 55 minutes: the 90 % reminder, once.
export DUTYNET_CLOCK_OFFSET_MS=$((accepted + 55 * 60000 - $(date +%s%3N)))
start_broker
out=$(tc --as mash hello receive:n=1:ms=5000 recv:ms=700) || h_fail "mash got no reminder at 90 %"
stop_broker
unset DUTYNET_CLOCK_OFFSET_MS
[ "$(grep -c '^NOTICE' <<<"$out")" -eq 1 ] || h_fail "$(grep -c '^NOTICE' <<<"$out") notices at 55 min, not 1"
h_expect "^NOTICE 0 id=[0-9a-f-]{36} kind=reminder about=$id .*\(90% of the time has passed\)" "$out"

[ "$(h_sql "SELECT count(*) FROM deadline_timers WHERE hex(message_id) = '$hex'
	AND kind = 'reminder' AND state = 'fired'")" -eq 2 ] || h_fail "not exactly 2 reminders fired"
[ "$(h_sql "SELECT count(*) FROM messages WHERE type = 7 AND recipient = 'mash' AND state = 'delivered'")" -eq 2 ] ||
	h_fail "the reminders were not both delivered (ACKed)"
[ "$(h_sql "SELECT count(*) FROM deadline_timers WHERE kind = 'escalation' AND state = 'fired'")" -eq 0 ] ||
	h_fail "an escalation fired before the deadline"
[ "$(h_sql "SELECT count(*) FROM audit WHERE event = 'reminder' AND agency = 'mash'")" -eq 2 ] ||
	h_fail "the reminders are not audited"
h_audit_ok "$H_DB"
h_pass
