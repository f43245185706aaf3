#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# A delivery the recipient cannot accept is answered with a signed reject,
# never silence.  The school sends a referral while the MASH's agent is
# down; the MASH's box key is then replaced (and the directory updated, the
# school's agent and the broker re-reading it), so the waiting referral is
# sealed to a key the MASH no longer has (521).  The MASH stores it as
# rejected (no content, no receipt) and sends the school a signed reject
# (type 8) through its outbox; the school's referral ends failed (541) with
# the reason, the school stores and receipts the reject, so the MASH's
# reject is delivered.  PROTOCOL.md 7.5.6.
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

# The MASH's box key pair is replaced, and the directory says so.
mkdir -m 700 "$H_DIR/rot"
"$H_CLI" keygen rotated --dir "$H_DIR/rot" >/dev/null 2>&1 || h_fail "keygen failed"
sed -i "s/^box_sk .*/$(grep '^box_sk ' "$H_DIR/rot/rotated.key")/" "$H_CONF/keys/mash.key"
sed -i "s/^box_pk = .*/$(grep '^box_pk = ' "$H_DIR/rot/rotated.pub")/" "$H_CONF/keys/mash.pub"
kill -HUP "${H_AGENT_PIDS[school-stmarys]}"
hup_broker
reloaded() {
	grep -q 're-read directory.conf' "$H_LOG/agent-school-stmarys.log"
}
wait_for 10 "the school's agent to re-read the directory" reloaded
start_agent mash

failed() {
	sql_eq school-stmarys "SELECT state, code FROM outbox WHERE lower(hex(message_id)) = '$hex'" \
		"failed|541"
}
wait_for 30 "the referral to fail with 541" failed
h_expect "rejected by mash" "$(a_sql school-stmarys \
	"SELECT reason FROM outbox WHERE lower(hex(message_id)) = '$hex'")" "the failure's reason"
h_expect ": failed$" "$(cli school-stmarys status "$id" | head -1)" "the school's status"
sql_eq mash "SELECT state, reject_code, payload IS NULL, receipt IS NULL FROM inbox
	WHERE lower(hex(message_id)) = '$hex'" "rejected|521|1|1" ||
	h_fail "the MASH did not store it as rejected, without content or receipt"
sql_eq mash "SELECT count(*) FROM audit WHERE event = 'rejected' AND lower(hex(message_id)) = '$hex'" \
	1 || h_fail "the rejection is not audited at the MASH"
h_expect "rejected on arrival: 521" "$(cli mash show "$id")" "show of a rejected message"

reject_delivered() {
	sql_eq mash "SELECT type, state FROM outbox WHERE lower(hex(in_reply_to)) = '$hex'" "8|delivered"
}
wait_for 30 "the MASH's signed reject to be delivered" reject_delivered
rid=$(a_sql school-stmarys "SELECT lower(hex(message_id)) FROM inbox WHERE type = 8")
[ -n "$rid" ] || h_fail "the school did not store the reject"
rid=$(sed -E 's/(.{8})(.{4})(.{4})(.{4})(.{12})/\1-\2-\3-\4-\5/' <<<"$rid")
shown=$(cli school-stmarys show "$rid")
h_expect "rejects: +$id" "$shown" "the reject at the school"
h_expect "code: +521 unknown-key" "$shown" "the reject at the school"
audit_ok "$(a_db mash)"
audit_ok "$(a_db school-stmarys)"
h_pass
