#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# A message id names one message for ever: sending the same envelope again
# returns its stored state and never makes a second message.  Queued: 202
# again.  Delivered: 250, and the stored signed receipt is delivered to the
# sender again.  (A failed one returns its failure: broker_expiry.sh and
# broker_reject.sh; other bytes under a known id, 550: unit.store.)
# ZEROMQ.md traps: "every hop is idempotent by message id (a repeat returns
# the stored outcome, never a second message)", and "ROUTER drops what it
# cannot route unless ZMQ_ROUTER_MANDATORY=1" (the receipt sent to a closed
# connection stays stored until the sender's next HELLO).
. "$(dirname "$0")/../support/harness.sh"
h_init
start_broker

env=$H_DIR/one.env
out=$(tc --as school-stmarys hello send:to=camhs:marker=ONCE:save="$env" expect:cmd=RESULT:code=202 \
	resend:file="$env" expect:cmd=RESULT:code=202:text=already) || h_fail "the repeat was not answered 202"
id=$(sed -nE 's/^SENT 0 ([0-9a-f-]+) .*/\1/p' <<<"$out" | head -1)
[ "$(grep -c "^RESULT 202 $id" <<<"$out")" -eq 2 ] || h_fail "two 202s for $id expected"

out=$(tc --as camhs hello receive:n=1 recv:ms=300) || h_fail "camhs got nothing"
[ "$(grep -c '^DELIVER' <<<"$out")" -eq 1 ] || h_fail "the repeat was delivered as a second message"

# The receipt went back towards the school's first connection, which had
# closed: with ROUTER_MANDATORY the send failed (EHOSTUNREACH) instead of
# vanishing, and the receipt waited in the store for the next HELLO.
for i in $(seq 100); do
	grep -q 'agency=school-stmarys event=route-lost .*EHOSTUNREACH' "$H_LOG/broker.log" && break
	sleep 0.05
done
h_expect 'agency=school-stmarys event=route-lost .*EHOSTUNREACH' "$(cat "$H_LOG/broker.log")" \
	"broker log"

# The sender takes its receipt, then sends the message once more.
out=$(tc --as school-stmarys hello receive:n=1) || h_fail "the receipt did not come back"
h_expect "^RECEIPT-FOR 0 $id" "$out"
out=$(tc --as school-stmarys hello resend:file="$env" expect:cmd=RESULT:code=250 \
	expect:cmd=DELIVER:text=type=receipt) ||
	h_fail "the repeat of a delivered message was not answered 250 with its receipt"
h_expect "^RESULT 250 $id .*receipt is sent again" "$out"
[ "$(h_sql "SELECT count(*) FROM messages WHERE type = 1")" -eq 1 ] || h_fail "stored twice"
[ "$(h_sql "SELECT count(*) FROM messages WHERE type = 3")" -eq 1 ] || h_fail "two receipts stored"
stop_broker
h_pass
