#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Urgency counts in delivery (PROTOCOL.md 7.5).  Immediate and urgent
# referrals queued behind a backlog of standard ones are delivered first,
# and each urgency keeps its own acceptance order; with a window (of 32 or
# more) full of standard deliveries (no receipts coming back), those leave
# 8 places free,
# so an immediate referral sent meanwhile goes out at once on the same
# connection instead of waiting for the window to drain.  The recipient
# quota is read from the queue's own count, which stays right as the queue
# fills and empties.
. "$(dirname "$0")/../support/harness.sh"
h_init
start_broker

tc --as school-stmarys hello sendmany:to=camhs:n=10:marker=BULK \
	expect:cmd=RESULT:code=202:count=10 >/dev/null || h_fail "the bulk was not accepted"
tc --as school-stmarys hello send:to=camhs:marker=URGENT:urgency=2 \
	send:to=camhs:marker=IMMEDIATE:urgency=1 expect:cmd=RESULT:code=202:count=2 >/dev/null ||
	h_fail "the urgent ones were not accepted"
[ "$(h_sql "SELECT waiting FROM sequences WHERE agency = 'camhs'")" = 12 ] ||
	h_fail "the waiting count is not the 12 queued"

# A window of 4: the most urgent first, then the rest in the order sent.
out=$(tc --as camhs --timeout 10000 hello:window=4 receive:n=12) || h_fail "receiving failed"
seen=$(grep '^OPENED' <<<"$out" | sed -E 's/.*summary=//' | tr '\n' ' ')
want="IMMEDIATE URGENT $(for i in $(seq 0 9); do printf 'BULK-%06d ' "$i"; done)"
[ "$seen" = "$want" ] || h_fail "not delivered most urgent first: $seen"
[ "$(h_sql "SELECT waiting FROM sequences WHERE agency = 'camhs'")" = 0 ] ||
	h_fail "the waiting count did not come back to 0 with the receipts"

# 40 standard ones, and a recipient with a window of 40 that never
# answers: 32 standard deliveries fill what they may of its window.
tc --as school-stmarys hello sendmany:to=camhs:n=40:marker=MORE \
	expect:cmd=RESULT:code=202:count=40 >/dev/null || h_fail "the second bulk was not accepted"
held="$H_DIR/held.out"
timeout 20 "$H_TC" --config "$H_CONF" --as camhs --timeout 15000 hello:window=40 \
	recv:ms=4000 >"$held" 2>&1 &
held_pid=$!
for _ in $(seq 100); do
	[ "$(grep -c '^DELIVER' "$held")" -ge 32 ] && break
	sleep 0.1
done
[ "$(grep -c '^DELIVER' "$held")" -eq 32 ] ||
	h_fail "standard deliveries did not stop at window 40 - 8 reserved: $(cat "$held")"
tc --as school-stmarys hello send:to=camhs:marker=LATE:urgency=1 \
	expect:cmd=RESULT:code=202 >/dev/null || h_fail "the late immediate one was not accepted"
late=$(h_sql "SELECT seq FROM queue WHERE agency = 'camhs' AND urgency = 1")
[ -n "$late" ] || h_fail "the late immediate one is not queued for camhs"
for _ in $(seq 100); do
	grep -q "^DELIVER .*seq=$late " "$held" && break
	sleep 0.1
done
grep -q "^DELIVER .*seq=$late " "$held" ||
	h_fail "the immediate one waited behind the full window: $(cat "$held")"
[ "$(grep -c '^DELIVER' "$held")" -eq 33 ] || h_fail "more than the one immediate went: $(cat "$held")"
wait "$held_pid" 2>/dev/null
stop_broker
h_audit_ok "$H_DB"
h_pass
