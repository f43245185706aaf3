#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# A duplicate delivery is stored once and receipted again.  The broker is
# made to forget that the MASH receipted a referral (its database is put
# back to a copy taken before the delivery, as after a crash that lost the
# receipt), so it delivers the same envelope a second time: the MASH keeps
# one inbox row (deliveries = 2, audited "duplicate") and answers with the
# very same signed receipt, which the broker accepts, so the message ends
# delivered at the broker too.  PROTOCOL.md 7.5.2.
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
stop_broker
saved=$H_DIR/broker-before-delivery
cp -a "$H_CONF/run/broker" "$saved"

start_broker
start_agent mash
wait_for 20 "the first delivery" sql_eq school-stmarys \
	"SELECT state FROM outbox WHERE lower(hex(message_id)) = '$hex'" delivered
receipt=$(a_sql mash "SELECT hex(receipt) FROM inbox WHERE lower(hex(message_id)) = '$hex'")
[ -n "$receipt" ] || h_fail "no receipt stored at the MASH"

stop_broker
rm -rf "$H_CONF/run/broker"
cp -a "$saved" "$H_CONF/run/broker"
[ "$(h_sql "SELECT state FROM messages WHERE lower(hex(id)) = '$hex'")" = queued ] ||
	h_fail "the restored broker database does not have the referral undelivered"
start_broker
wait_for 30 "the second delivery" sql_eq mash \
	"SELECT deliveries FROM inbox WHERE lower(hex(message_id)) = '$hex'" 2
sql_eq mash "SELECT count(*) FROM inbox" 1 || h_fail "the duplicate was stored twice"
sql_eq mash "SELECT count(*) FROM audit WHERE event = 'duplicate' AND lower(hex(message_id)) = '$hex'" \
	1 || h_fail "the duplicate is not audited"
sql_eq mash "SELECT hex(receipt) FROM inbox WHERE lower(hex(message_id)) = '$hex'" "$receipt" ||
	h_fail "the stored receipt changed"
is_delivered_at_broker() {
	[ "$(h_sql "SELECT state FROM messages WHERE lower(hex(id)) = '$hex'")" = delivered ]
}
wait_for 20 "the broker to take the repeated receipt" is_delivered_at_broker
sql_eq school-stmarys "SELECT state, hex(receipt) FROM outbox WHERE lower(hex(message_id)) = '$hex'" \
	"delivered|$receipt" || h_fail "the school's receipt is not the MASH's one receipt"
audit_ok "$(a_db mash)"
audit_ok "$(a_db school-stmarys)"
h_pass
