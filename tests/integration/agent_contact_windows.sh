#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Contact windows: the school's on_message hook may interrupt staff for
# routine and standard messages only at break and after lessons
# (contact_windows in agents/school-stmarys.conf).  Its agent runs at 09:15
# on a Wednesday (lesson time; DUTYNET_CLOCK_OFFSET_MS) when the police
# send it two concerns (Operation Encompass): both are stored and receipted
# at once, the urgent one notifies at once, the routine one waits for the
# break at 10:30 (the hooks table says so, and the concern's timeline);
# restarted at 10:30 the agent runs it.
. "$(dirname "$0")/agent_common.bash"

a_init
cat >"$H_DIR/hook.sh" <<SH
#!/bin/sh
echo "\$2 \$1" >>"$H_DIR/hook.out"
SH
chmod 700 "$H_DIR/hook.sh"
school=$H_CONF/agents/school-stmarys.conf
h_conf_set "$school" on_message "[ \"$H_DIR/hook.sh\" ]"
h_conf_set "$school" contact_windows '{ mon = [ "10:30-10:50", "15:30-17:00" ]; tue = [ "10:30-10:50", "15:30-17:00" ]; wed = [ "10:30-10:50", "15:30-17:00" ]; thu = [ "10:30-10:50", "15:30-17:00" ]; fri = [ "10:30-10:50", "15:30-17:00" ]; }'
start_broker
start_agent police-cpu
DUTYNET_CLOCK_OFFSET_MS=$(a_offset_to 2025-06-11T09:15:00+01:00) start_agent school-stmarys

send() {
	local out
	out=$(cli police-cpu send concern --to school-stmarys --urgency "$1" --case "CW-$1" \
		"${A_REFERRAL[@]}" --json) || h_fail "send $1 failed: $out"
	json_id "$out"
}
routine=$(send routine)
urgent=$(send urgent)
wait_for 20 "both concerns delivered (receipted at once)" sql_eq police-cpu \
	"SELECT count(*) FROM outbox WHERE state = 'delivered'" 2
hooked() {
	grep -qx "$2 $1" "$H_DIR/hook.out" 2>/dev/null
}
wait_for 20 "the urgent concern's hook at once" hooked "$urgent" concern
# The routine one waits for the break: 10:30 London is 09:30Z.
sql_eq school-stmarys "SELECT done_ms IS NULL, attempts,
	strftime('%Y-%m-%dT%H:%M:%SZ', not_before_ms / 1000, 'unixepoch') FROM hooks
	WHERE lower(hex(message_id)) = '${routine//-/}'" "1|0|2025-06-11T09:30:00Z" ||
	h_fail "the routine concern's hook does not wait for 10:30: $(a_sql school-stmarys \
	"SELECT * FROM hooks")"
hooked "$routine" concern && h_fail "the routine concern's hook ran in lesson time"
h_expect " hook +- +on_message waits for the next contact window, at 2025-06-11T09:30:00Z" \
	"$(cli school-stmarys status "$routine")" "the routine concern's timeline"

# The break: the agent (restarted with its clock at 10:30) runs it.
stop_agent school-stmarys
DUTYNET_CLOCK_OFFSET_MS=$(a_offset_to 2025-06-11T10:30:00+01:00) start_agent school-stmarys
wait_for 20 "the routine concern's hook at the break" hooked "$routine" concern
[ "$(grep -c . "$H_DIR/hook.out")" = 2 ] || h_fail "hooks ran more than once: $(cat "$H_DIR/hook.out")"

stop_agent school-stmarys
stop_agent police-cpu
stop_broker
h_sanitizer_clean "$H_LOG/agent-school-stmarys.log"
audit_ok "$(a_db school-stmarys)"
h_pass
