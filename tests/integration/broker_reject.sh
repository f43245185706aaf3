#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# A recipient that cannot accept a message sends a signed reject (type 8)
# and ACKs the delivery: the original fails with OUTCOME 541 to its sender,
# who also gets the signed reject itself; a repeat of the original returns
# 541.  A reject that answers no message sent the other way is refused 504.
# ZEROMQ.md trap: "Never lose a message silently": a refusal by the
# recipient is a final outcome that reaches the sender, exactly once.
. "$(dirname "$0")/../support/harness.sh"
h_init
start_broker

env=$H_DIR/refused.env
out=$(tc --as school-stmarys hello send:to=camhs:save="$env" expect:cmd=RESULT:code=202) ||
	h_fail "the referral was not accepted"
id=$(sed -nE 's/^SENT 0 ([0-9a-f-]+) .*/\1/p' <<<"$out")

# camhs takes the delivery, rejects it, and acknowledges the delivery.
out=$(tc --as camhs hello expect:cmd=DELIVER \
	send:to=school-stmarys:type=reject:reply=$id:marker=CANNOT-OPEN expect:cmd=RESULT:code=202 \
	ack:seq=1 send:to=mash:type=reject:reply=$id expect:cmd=RESULT:code=504 \
	sleep:ms=200) || h_fail "the reject was not accepted, or the stray one not refused 504"

out=$(tc --as school-stmarys hello receive:n=2 resend:file="$env" expect:cmd=RESULT:code=541) ||
	h_fail "the sender did not get OUTCOME 541 and the reject, or the repeat was not 541"
h_expect "^OUTCOME 541 seq=[0-9]+ id=$id rejected by camhs" "$out"
h_expect "^OPENED 0 .*summary=CANNOT-OPEN" "$out"
[ "$(h_sql "SELECT state || ' ' || code FROM messages WHERE type = 1")" = "failed 541" ] ||
	h_fail "the original is not stored as failed 541"
[ "$(h_sql "SELECT count(*) FROM queue q JOIN messages m ON m.id = q.message_id
	WHERE q.agency = 'camhs' AND m.type = 1")" -eq 0 ] || h_fail "the rejected delivery is still queued for camhs"
stop_broker
h_pass
