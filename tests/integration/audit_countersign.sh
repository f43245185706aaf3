#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The daemons countersign each other's checkpoints (PROTOCOL.md §7.8): the
# real broker and two agents (the school and the MASH) with checkpoints
# every 4 entries or 2 seconds exchange messages; each agent sends its
# checkpoints, the broker checks, countersigns and keeps them
# (agency_checkpoints), the agents keep the countersigned copies, and
# `dutynet-audit verify` passes on copies of the databases.  Then:
#   - a TRUNCATED TAIL: on a copy of the school's database the last audit
#     rows and the checkpoints above the cut are deleted with the plain
#     sqlite3 CLI: alone the log verifies, with the broker's database
#     verify exits 1 naming the first missing entry and the broker's
#     countersigned size;
#   - the ALARM: the same cut made to the school's real database, and its
#     agent started on it (its own checkpoints agree with the shorter log,
#     so it starts): its next checkpoint is smaller than the one the broker
#     countersigned; the broker logs checkpoint-inconsistent at error level,
#     audits it, counts it (checkpoint_alarms) and answers 561, which the
#     agent logs at error level; nothing it sent is countersigned.
. "$(dirname "$0")/audit_common.bash"

au_init
for id in school-stmarys mash; do
	h_conf_set "$H_CONF/agents/$id.conf" checkpoint_entries 4
	h_conf_set "$H_CONF/agents/$id.conf" checkpoint_seconds 2
done

# held_size AGENCY: the largest size of AGENCY's log the broker countersigned.
held_size() {
	h_sql "SELECT coalesce(max(size), 0) FROM agency_checkpoints WHERE origin = '$1'"
}

# held_at_least AGENCY N: true once the broker holds size N or more of it.
held_at_least() {
	[ "$(held_size "$1")" -ge "$2" ]
}

# broker_sql_ge SQL N: true once the broker database answers N or more.
broker_sql_ge() {
	[ "$(h_sql "$1")" -ge "$2" ]
}

# broker_stat NAME: a counter from the running broker's stats socket.
broker_stat() {
	"$H_BROKER" --config "$H_CONF" --status | sed -nE "s/^$1 +([0-9]+)\$/\\1/p"
}

start_broker
start_agent school-stmarys
start_agent mash
for i in 1 2 3; do
	id=$(au_send school-stmarys referral mash "CS-CASE-$i")
	wait_for 20 "referral $i delivered" au_outbox_state school-stmarys "$id" delivered
done
cli mash ack "$id" --by "Jo Bloggs, Duty Social Worker" >/dev/null || h_fail "ack"
wait_for 20 "the ack delivered" sql_eq mash \
	"SELECT count(*) FROM outbox WHERE state = 'delivered'" 1

# Every agency's log reaches the broker: countersigned copies come back.
for id in school-stmarys mash; do
	wait_for 20 "a countersigned checkpoint of $id at the broker" held_at_least "$id" 1
	wait_for 20 "a countersigned copy in $id's database" sql_eq "$id" \
		"SELECT count(*) > 0 FROM checkpoints WHERE countersigned IS NOT NULL" 1
done
# ... and, with the log now quiet, the copy of its whole log.
total=$(a_sql school-stmarys "SELECT max(seq) FROM audit")
wait_for 20 "the school's whole log countersigned" held_at_least school-stmarys "$total"
h_expect "^checkpoints_countersigned +[1-9]" "$("$H_BROKER" --config "$H_CONF" --status)" \
	"broker --status"
[ "$(broker_stat checkpoint_alarms)" = 0 ] || h_fail "an alarm without a reason"
# The copy an agent keeps is of the broker's row of that size: same root,
# the agency's signature and the broker's.
size=$(a_sql school-stmarys "SELECT max(size) FROM checkpoints WHERE countersigned IS NOT NULL")
mine=$(a_sql school-stmarys "SELECT countersigned FROM checkpoints WHERE size = $size")
h_expect "^origin school-stmarys\$" "$mine" "the school's countersigned copy"
h_expect "^sig school-stmarys [0-9a-f]{32} [0-9a-f]{128}\$" "$mine" "the school's countersigned copy"
h_expect "^sig broker [0-9a-f]{32} [0-9a-f]{128}\$" "$mine" "the school's countersigned copy"
[ "$(a_sql school-stmarys "SELECT hex(root) FROM checkpoints WHERE size = $size")" = \
	"$(h_sql "SELECT hex(root) FROM agency_checkpoints WHERE origin = 'school-stmarys'
		AND size = $size")" ] || h_fail "the school and the broker disagree on size $size"
[ "$(h_sql "SELECT count(*) FROM audit WHERE event = 'checkpoint-countersigned'
	AND agency = 'school-stmarys'")" -gt 0 ] || h_fail "the broker audited no countersignature"

stop_agent school-stmarys
stop_agent mash
stop_broker
for f in broker:"$H_DB" school-stmarys:"$(a_db school-stmarys)" mash:"$(a_db mash)"; do
	sqlite3 "${f#*:}" ".backup '$AU_COPY/${f%%:*}.db'" || h_fail "cannot copy ${f%%:*}"
done
h_sanitizer_clean "$H_LOG/agent-school-stmarys.log"
h_sanitizer_clean "$H_LOG/agent-mash.log"
ok=$(au_fresh ok)
audit verify "$ok"/broker.db "$ok"/school-stmarys.db "$ok"/mash.db
expect_rc 0 "the logs of a real run"
h_expect '^verify: OK: 3 logs verified' "$AU_OUT" "verify"
h_expect '[1-9][0-9]* of its checkpoints held by the broker' "$AU_OUT" "verify"

# The truncated tail, on a copy: 3 entries before the broker's newest size.
held=$(sqlite3 "$ok/broker.db" "SELECT max(size) FROM agency_checkpoints WHERE origin = 'school-stmarys'")
cut=$((held - 3))
cutsql="DELETE FROM audit WHERE seq > $cut; DELETE FROM checkpoints WHERE size > $cut"
d=$(au_fresh truncated)
sqlite3 "$d/school-stmarys.db" "$cutsql" || h_fail "sqlite3 on the copy"
audit verify "$d"/school-stmarys.db
expect_rc 0 "a cut-off log, without the broker's copy"
audit verify "$d"/school-stmarys.db "$d"/broker.db
expect_rc 1 "a cut-off log"
h_expect "FAILED: first bad: seq $((cut + 1)): the log ends at seq $cut, but the broker's countersigned copy of a checkpoint .* shows it had $held entries: seq $((cut + 1))..$held were cut off" \
	"$AU_OUT" "the cut-off tail"

# The alarm: the cut made to the real database, and the agent started on it.
sqlite3 "$(a_db school-stmarys)" "$cutsql" || h_fail "sqlite3 on the school's database"
start_broker
start_agent school-stmarys
wait_for 30 "the broker's alarm" grep -q 'level=error agency=school-stmarys event=checkpoint-inconsistent' \
	"$H_LOG/broker.log"
h_expect "the log is smaller than a checkpoint the broker countersigned: the broker countersigned size $held root [0-9a-f]{64} time [0-9]+; now size [0-9]+ root [0-9a-f]{64}" \
	"$(grep 'event=checkpoint-inconsistent' "$H_LOG/broker.log")" "the broker's alarm"
wait_for 10 "the agent told" grep -q 'level=error agency=school-stmarys event=checkpoint-refused text="561 inconsistent' \
	"$H_LOG/agent-school-stmarys.log"
[ "$(broker_stat checkpoint_alarms)" -ge 1 ] || h_fail "the alarm was not counted"
wait_for 10 "the alarm audited" broker_sql_ge "SELECT count(*) FROM audit WHERE event =
	'checkpoint-inconsistent' AND agency = 'school-stmarys' AND detail LIKE '%size $held root%'" 1
# The broker's copy is unchanged: nothing smaller was countersigned.
[ "$(held_size school-stmarys)" -eq "$held" ] || h_fail "the broker's copy changed"
[ "$(h_sql "SELECT count(*) FROM agency_checkpoints WHERE origin = 'school-stmarys'
	AND size <= $cut AND time_ms > (SELECT max(time_ms) FROM agency_checkpoints
	WHERE origin = 'school-stmarys' AND size = $held)")" -eq 0 ] ||
	h_fail "the broker countersigned the cut log"
stop_agent school-stmarys
stop_broker
# An auditor given only the broker's log is told of the alarm.
sqlite3 "$H_DB" ".backup '$H_DIR/alarm-broker.db'" || h_fail "cannot copy the broker database"
audit verify "$H_DIR/alarm-broker.db"
expect_rc 1 "the broker's log with an alarm"
h_expect "ALARM: seq [0-9]+ \\([0-9T:.-]+Z\\): the broker refused a checkpoint of school-stmarys as inconsistent .*size $held root" \
	"$AU_OUT" "the alarm reported"
h_expect 'OK: every entry, the Merkle tree and every checkpoint verify' "$AU_OUT" "the broker's own log"
h_expect "verify: FAILED: every log verifies, but the broker raised 1 alarm" "$AU_OUT" "the verdict"
audit verify --json "$H_DIR/alarm-broker.db"
h_expect '"alarms_total": 1, "alarms": \[\{"seq": [0-9]+' "$AU_OUT" "the alarm in JSON"
h_sanitizer_clean "$H_LOG/agent-school-stmarys.log"
h_pass
