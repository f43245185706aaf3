#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# An agent whose CURVE key the broker refuses says "rejected by broker",
# not "connecting": the school's agent runs with new keys that the broker's
# directory does not list yet (its own copy of the configuration has them),
# so the broker's ZAP handler refuses the handshake and the agent's socket
# monitor sees ZMQ_EVENT_HANDSHAKE_FAILED_AUTH.  A referral sent meanwhile
# stays queued.  Once the broker's directory lists the new keys (SIGHUP),
# the agent's reconnect succeeds and the referral is delivered.
# ZEROMQ.md: "An agent whose key is refused never hears why".
. "$(dirname "$0")/agent_common.bash"

a_init
start_broker
start_agent mash
conf2=$H_DIR/conf-school
cp -a "$H_CONF" "$conf2"
rm -rf "$conf2/run"
rm "$conf2/keys/school-stmarys.key" "$conf2/keys/school-stmarys.pub"
"$H_CLI" keygen school-stmarys --dir "$conf2/keys" >/dev/null 2>&1 || h_fail "keygen failed"
h_conf_set "$conf2/agents/school-stmarys.conf" retry_max_ms 2000
log=$H_LOG/agent-school-new.log
"$H_AGENT" --config "$conf2" --agency school-stmarys -v 2>>"$log" &
H_AGENT_PIDS[school-new]=$!
h_wait_ready "$log" 0 "${H_AGENT_PIDS[school-new]}" "school (new keys)" ||
	h_fail "the school's agent did not start"

school() {
	DUTYNET_CONFIG=$conf2 DUTYNET_AGENCY=school-stmarys timeout "$H_TC_TIMEOUT" "$H_CLI" "$@"
}
rejected() {
	school outbox | grep -q '^broker: rejected by broker'
}
wait_for 20 "the outbox to say rejected by broker" rejected
h_expect 'rejected-by-broker' "$(cat "$log")" "the agent's log"
out=$(school send referral --to mash "${A_REFERRAL[@]}" --json) || h_fail "send failed: $out"
id=$(json_id "$out")
h_expect "$id .*queued .*rejected by broker" "$(school outbox)" "outbox of a refused agent"
"$A_PY" -c 'import json,sys; assert json.load(sys.stdin)["broker"]["state"]=="rejected"' \
	<<<"$(school outbox --json)" || h_fail "outbox --json does not say rejected"

# The area's directory lists the new keys: the MASH's agent and then the
# broker re-read it (SIGHUP), and the same school agent gets through.
cp "$conf2/keys/school-stmarys.pub" "$H_CONF/keys/school-stmarys.pub"
kill -HUP "${H_AGENT_PIDS[mash]}"
reloaded() {
	grep -q 're-read directory.conf' "$H_LOG/agent-mash.log"
}
wait_for 10 "the MASH's agent to re-read the directory" reloaded
hup_broker
delivered() {
	[ "$(sqlite3 -cmd ".timeout 5000" "$conf2/run/school-stmarys/agent.db" \
		"SELECT state FROM outbox WHERE lower(hex(message_id)) = '${id//-/}'")" = delivered ]
}
wait_for 40 "delivery after the broker learnt the key" delivered
h_expect '^broker: connected' "$(school outbox)" "outbox after the fix"
h_pass
