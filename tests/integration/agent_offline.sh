#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The recipient offline, then online: the broker accepts the school's
# referral and keeps it; the school's outbox says it is accepted and waits
# for the MASH's signed receipt (accepted is not delivered); when the MASH's
# agent starts, it is delivered once.  Then the broker offline: a message
# sent meanwhile stays queued, `dutynet outbox` says why, and it goes when
# the broker is back.  ZEROMQ.md: messages in flight die with a reconnect -
# durability is the outbox's; malamute#53/#89/#330 (lost on disconnect or
# restart) cannot happen.
. "$(dirname "$0")/agent_common.bash"

a_init
start_broker
start_agent school-stmarys

out=$(cli school-stmarys send referral --to mash "${A_REFERRAL[@]}" --json) ||
	h_fail "send failed: $out"
id=$(json_id "$out")
hex=${id//-/}
wait_for 20 "the broker to accept it" sql_eq school-stmarys \
	"SELECT state FROM outbox WHERE lower(hex(message_id)) = '$hex'" accepted
pending=$(cli school-stmarys outbox)
h_expect "$id .*accepted .*waiting for mash's signed receipt" "$pending" "outbox while mash is off"
h_expect ": accepted$" "$(cli school-stmarys status "$id" | head -1)" "status while mash is off"

start_agent mash
wait_for 20 "delivery once the MASH is up" sql_eq school-stmarys \
	"SELECT state FROM outbox WHERE lower(hex(message_id)) = '$hex'" delivered
sql_eq mash "SELECT count(*), sum(deliveries) FROM inbox" "1|1" ||
	h_fail "the MASH did not store it exactly once"

# The broker down: the message stays queued, and says why.
stop_broker
out=$(cli school-stmarys send concern --to mash "${A_REFERRAL[@]}" --json) ||
	h_fail "send with the broker down failed: $out"
id2=$(json_id "$out")
has_reason() {
	cli school-stmarys outbox | grep -qE "$id2 .*queued .*not sent: connecting"
}
wait_for 20 "the outbox to say the broker is unreachable" has_reason
sql_eq school-stmarys "SELECT state FROM outbox WHERE lower(hex(message_id)) = '${id2//-/}'" \
	queued || h_fail "the concern is not queued"
start_broker
wait_for 30 "the concern delivered after the broker came back" sql_eq school-stmarys \
	"SELECT state FROM outbox WHERE lower(hex(message_id)) = '${id2//-/}'" delivered
sql_eq mash "SELECT count(*), sum(deliveries) FROM inbox" "2|2" ||
	h_fail "the MASH does not have both, once each"
audit_ok "$(a_db school-stmarys)"
audit_ok "$(a_db mash)"
h_pass
