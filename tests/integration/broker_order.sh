#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Store and forward, in order, within the recipient's window.  Referrals
# sent while the recipient is offline wait in the store; on HELLO with a
# window of 3 exactly 3 are sent until some are answered; a reconnect gets
# the unanswered ones again; in the end every message arrives once opened,
# in the order sent.  Counters are readable with --status; SIGTERM stops the
# broker with exit status 0.
# ZEROMQ.md traps: "High-water marks are inexact ... keep a per-agency
# credit window below them", "a reconnecting DEALER does not re-register"
# (HELLO makes the new route), "ZMTP heartbeats ... do not tell the
# application which peer died ... also run PING/PONG" (an idle session gets
# a PING), Malamute's loss on disconnect/reconnect (#53, #89) and its
# unimplemented credit (#37, #256).
. "$(dirname "$0")/../support/harness.sh"
h_init
h_broker_set heartbeat_ms 500
start_broker

n=12
out=$(tc --as school-stmarys hello sendmany:to=camhs:n=$n:marker=ORDER \
	expect:cmd=RESULT:code=202:count=$n) || h_fail "the referrals were not accepted"

# A window of 3, nothing answered: 3 deliveries and no more; the idle
# session is kept alive with PINGs (heartbeat_ms 500 here).
out=$(tc --as camhs hello:window=3 expect:cmd=DELIVER:count=3 expect:cmd=PING recv:ms=300) ||
	h_fail "nothing delivered, or no PING on the idle session"
[ "$(grep -c '^DELIVER' <<<"$out")" -eq 3 ] || h_fail "the window of 3 was not respected"

# A new connection: everything, in order, the first three again.
out=$(tc --as camhs --timeout 10000 hello:window=3 receive:n=$n) || h_fail "receiving failed"
seen=$(grep '^OPENED' <<<"$out" | sed -E 's/.*summary=//' | tr '\n' ' ')
want=$(for i in $(seq 0 $((n - 1))); do printf 'ORDER-%06d ' "$i"; done)
[ "$seen" = "$want" ] || h_fail "delivered out of order or incompletely: $seen"

status=$("$H_BROKER" --config "$H_CONF" --status) || h_fail "--status failed"
h_expect '^deliveries +12$' "$status" "--status"
h_expect '^redeliveries +3$' "$status" "--status"
h_expect '^receipts +12$' "$status" "--status"
json=$("$H_BROKER" --config "$H_CONF" --status --json) || h_fail "--status --json failed"
python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["accepted"] == 12' <<<"$json" ||
	h_fail "--status --json is not the JSON expected: $json"
stop_broker
"$H_BROKER" --config "$H_CONF" --status >/dev/null 2>&1
[ $? -eq 4 ] || h_fail "--status without a broker did not exit 4"
h_audit_ok "$H_DB"
h_pass
