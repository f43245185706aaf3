#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# SIGKILL mid-stream loses nothing that was accepted.  A school streams
# referrals; the broker is killed -9 while RESULTs are coming back and
# restarted; the school sends every envelope again (same bytes: retries
# are idempotent); the recipient then receives every message exactly once,
# including every one the broker had answered 202 before it died.
# ZEROMQ.md traps: "Messages in flight die with a TCP reset or reconnect:
# ZeroMQ is not durable ... accepted only after the broker's commit is on
# disk", and Malamute's loss on restart (malamute#330).
. "$(dirname "$0")/../support/harness.sh"
h_init
start_broker

n=200
mkdir "$H_DIR/sent"
tc --as school-stmarys --timeout 3000 hello \
	sendmany:to=camhs:n=$n:gap=5:marker=CRASH:save="$H_DIR/sent" \
	expect:cmd=RESULT:code=202:count=$n:ms=3000 >"$H_LOG/stream.out" &
stream=$!
for i in $(seq 200); do
	[ "$(grep -c '^RESULT 202' "$H_LOG/stream.out")" -ge 40 ] && break
	sleep 0.02
done
kill9_broker
wait "$stream"
grep '^RESULT 202' "$H_LOG/stream.out" | awk '{print $3}' | sort -u >"$H_DIR/accepted"
before=$(wc -l <"$H_DIR/accepted")
[ "$before" -ge 40 ] || h_fail "only $before RESULTs before the kill"
[ "$before" -lt $n ] || h_fail "the kill came after the whole stream: not mid-stream"
h_log "$before of $n accepted before SIGKILL"

start_broker
out=$(tc --as school-stmarys --timeout 10000 hello resend:dir="$H_DIR/sent" \
	expect:cmd=RESULT:code=202:count=$n:ms=10000) || h_fail "the resent stream was not all accepted"
out=$(tc --as camhs --timeout 15000 hello receive:n=$n:ms=15000) || h_fail "receiving failed"
grep '^OPENED' <<<"$out" | sed -E 's/.* id=([0-9a-f-]+) .*/\1/' | sort >"$H_DIR/delivered"
[ "$(sort -u "$H_DIR/delivered" | wc -l)" -eq $n ] ||
	h_fail "$(sort -u "$H_DIR/delivered" | wc -l) of $n messages delivered"
missing=$(comm -23 "$H_DIR/accepted" <(sort -u "$H_DIR/delivered"))
[ -z "$missing" ] || h_fail "accepted before the kill but never delivered: $missing"
[ "$(h_sql "SELECT count(*) FROM messages WHERE type = 1")" -eq $n ] || h_fail "a message was stored twice"
[ "$(h_sql "SELECT count(*) FROM messages WHERE type = 1 AND state = 'delivered'")" -eq $n ] ||
	h_fail "not every message is marked delivered"
stop_broker
h_audit_ok "$H_DB"
h_pass
