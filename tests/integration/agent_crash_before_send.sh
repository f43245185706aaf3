#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The sender's agent SIGKILLed between commit and send: with the broker
# down, `dutynet send` commits the referral (queued, never sent), the agent
# is killed -9, then the broker, the MASH and the school's agent start: the
# referral is sent from the outbox and delivered exactly once.  ISSUE: "a
# message written by the CLI is committed before anything is sent".
. "$(dirname "$0")/agent_common.bash"

a_init
start_agent school-stmarys	# no broker yet
out=$(cli school-stmarys send referral --to mash "${A_REFERRAL[@]}" --json) ||
	h_fail "send failed: $out"
id=$(json_id "$out")
hex=${id//-/}
sql_eq school-stmarys "SELECT state, attempts FROM outbox WHERE lower(hex(message_id)) = '$hex'" \
	"queued|0" || h_fail "the referral is not committed as queued and unsent"
kill9_agent school-stmarys

start_broker
start_agent mash
start_agent school-stmarys
wait_for 30 "delivery after the restart" sql_eq school-stmarys \
	"SELECT state FROM outbox WHERE lower(hex(message_id)) = '$hex'" delivered
sql_eq mash "SELECT count(*), sum(deliveries), lower(hex(min(message_id))) FROM inbox" \
	"1|1|$hex" || h_fail "the MASH did not get it exactly once"
[ "$(h_sql "SELECT count(*) FROM messages WHERE lower(hex(id)) = '$hex'")" = 1 ] ||
	h_fail "the broker does not hold it exactly once"
audit_ok "$(a_db school-stmarys)"
audit_ok "$(a_db mash)"
h_pass
