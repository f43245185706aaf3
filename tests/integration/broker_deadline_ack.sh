#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# An acknowledgement one second before its deadline is met and cancels
# the escalation: however far the clock then moves, nobody is told.  One
# that arrives after the deadline is recorded as late, with how late in
# working time and in clock time, in the broker's log, its audit chain and
# `dutynet-broker --status`.  Time moves with DUTYNET_CLOCK_OFFSET_MS on
# each restart (the test client shares the broker's clock); never slept.
. "$(dirname "$0")/../support/harness.sh"
h_init
start_broker

# Two immediate concerns to mash: ack due within 1 hour, clock time.
out=$(tc --as school-stmarys hello \
	send:to=mash:type=concern:urgency=1:marker=IN-TIME expect:cmd=RESULT:code=202 \
	send:to=mash:type=concern:urgency=1:marker=LATE expect:cmd=RESULT:code=202) ||
	h_fail "the concerns were not accepted"
ids=($(sed -nE 's/^SENT 0 ([0-9a-f-]+) .*/\1/p' <<<"$out"))
hex() { tr -d - <<<"$1" | tr a-f A-F; }
ontime=${ids[0]} late=${ids[1]}
due() {
	h_sql "SELECT due_ms FROM deadlines WHERE hex(message_id) = '$(hex "$1")' AND step = 'ack'"
}
deadline() {
	h_sql "SELECT state, answered_ms, late_working_ms, late_clock_ms FROM deadlines
		WHERE hex(message_id) = '$(hex "$1")' AND step = 'ack'"
}
stop_broker
due1=$(due "$ontime")
due2=$(due "$late")

# The broker comes back 3 s before the first deadline; mash acknowledges
# when the shared clock reads 1 s before it.
export DUTYNET_CLOCK_OFFSET_MS=$((due1 - 3000 - $(date +%s%3N)))
start_broker
tc --as mash hello expect:cmd=WELCOME until:ms=$((due1 - 1000)) \
	send:to=school-stmarys:type=ack:reply="$ontime":marker=SEEN expect:cmd=RESULT:code=202 \
	>/dev/null || h_fail "mash's ack was not accepted"
stop_broker
IFS='|' read -r state answered lw lc <<<"$(deadline "$ontime")"
[ "$state" = met ] || h_fail "the ack 1 s before the deadline is '$state', not met"
[ $((due1 - answered)) -gt 0 ] && [ $((due1 - answered)) -le 1500 ] ||
	h_fail "the ack was accepted $((due1 - answered)) ms before the deadline, not about 1 s"
[ "$lw" -eq 0 ] && [ "$lc" -eq 0 ] || h_fail "a met deadline has a lateness"

# Two hours past both deadlines: the late concern escalates, the other not.
export DUTYNET_CLOCK_OFFSET_MS=$((due2 + 2 * 3600000 - $(date +%s%3N)))
start_broker
for i in $(seq 100); do
	grep -q "msg=$late event=escalation" "$H_LOG/broker.log" && break
	sleep 0.05
done
tc --as mash hello expect:cmd=WELCOME \
	send:to=school-stmarys:type=ack:reply="$late":marker=AT-LAST expect:cmd=RESULT:code=202 \
	>/dev/null || h_fail "mash's late ack was not accepted"
status=$("$H_BROKER" --status --config "$H_CONF") || h_fail "--status failed"
stop_broker
unset DUTYNET_CLOCK_OFFSET_MS

[ "$(h_sql "SELECT count(*) FROM deadline_timers WHERE hex(message_id) = '$(hex "$ontime")'
	AND step = 'ack' AND kind = 'escalation' AND state = 'fired'")" -eq 0 ] ||
	h_fail "the deadline met in time escalated"
[ "$(h_sql "SELECT count(*) FROM deadline_timers WHERE hex(message_id) = '$(hex "$ontime")'
	AND step = 'ack' AND state = 'cancelled'")" -eq 3 ] ||
	h_fail "the in-time ack did not cancel the 3 escalation steps"
[ "$(h_sql "SELECT count(*) FROM deadline_timers WHERE hex(message_id) = '$(hex "$late")'
	AND step = 'ack' AND kind = 'escalation' AND state = 'fired'")" -ge 1 ] ||
	h_fail "the missed deadline did not escalate"
IFS='|' read -r state answered lw lc <<<"$(deadline "$late")"
[ "$state" = late ] || h_fail "the ack after the deadline is '$state', not late"
# Immediate urgency is clock time: late by 2 hours and the few seconds the
# restart took, in both measures.
[ "$lc" -ge 7200000 ] && [ "$lc" -lt 7260000 ] || h_fail "late by $lc ms of clock time, not ~2 h"
[ "$lw" -eq "$lc" ] || h_fail "working lateness $lw differs from clock lateness $lc (clock-time rule)"
h_expect "event=deadline text=\"ack deadline of $late late: due [0-9T:.Z-]+, late by 2 h 00 min working time, 2 h 00 min clock time\"" \
	"$(cat "$H_LOG/broker.log")" "the broker log"
[ "$(h_sql "SELECT count(*) FROM audit WHERE event = 'deadline-late' AND hex(message_id) = '$(hex "$late")'
	AND detail LIKE 'ack by mash, due %, late by 2 h 00 min working time%'")" -eq 1 ] ||
	h_fail "the late ack is not audited"
[ "$(h_sql "SELECT count(*) FROM audit WHERE event = 'deadline-met' AND hex(message_id) = '$(hex "$ontime")'")" -eq 1 ] ||
	h_fail "the ack in time is not audited"
h_expect '^deadlines_late +1$' "$status" "--status"
h_expect '^deadlines_met +1$' "$status" "--status"
h_audit_ok "$H_DB"
h_pass
