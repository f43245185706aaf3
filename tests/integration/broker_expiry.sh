#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# A message not delivered within broker.conf's expiry fails with OUTCOME
# 540, reported to its sender (who can ACK it); a repeat of it returns 540;
# the recipient, connecting later, never gets it.  Time is moved with
# DUTYNET_CLOCK_OFFSET_MS on a restarted broker, never slept.
# ZEROMQ.md trap: "Never lose a message silently" (exactly one final
# outcome for every message, errors always reach the sender).
. "$(dirname "$0")/../support/harness.sh"
h_init
h_broker_set expiry '"1 hour"'
start_broker

env=$H_DIR/late.env
out=$(tc --as school-stmarys hello send:to=camhs:marker=TOO-LATE:save="$env" \
	expect:cmd=RESULT:code=202) || h_fail "the referral was not accepted"
id=$(sed -nE 's/^SENT 0 ([0-9a-f-]+) .*/\1/p' <<<"$out")
stop_broker

# Two hours later (to the broker) camhs has still not connected.
export DUTYNET_CLOCK_OFFSET_MS=$((2 * 3600 * 1000))
start_broker
unset DUTYNET_CLOCK_OFFSET_MS
out=$(tc --as school-stmarys hello receive:n=1:ms=5000 \
	resend:file="$env" expect:cmd=RESULT:code=540) || h_fail "no OUTCOME 540, or the repeat was not 540"
h_expect "^OUTCOME 540 seq=[0-9]+ id=$id expired: not delivered to camhs" "$out"
out=$(tc --as camhs hello expect:cmd=WELCOME recv:ms=700)
h_expect_not '^DELIVER' "$out" "camhs's output"
[ "$(h_sql "SELECT state || ' ' || code FROM messages")" = "failed 540" ] || h_fail "not stored as failed 540"
[ "$(h_sql "SELECT count(*) FROM queue")" -eq 0 ] || h_fail "the acknowledged OUTCOME is still queued"
[ "$(h_sql "SELECT count(*) FROM messages WHERE envelope IS NOT NULL")" -eq 0 ] ||
	h_fail "the failed message's envelope was kept"
stop_broker
[ "$(h_sql "SELECT count(*) FROM audit WHERE event = 'failed' AND detail LIKE 'code=540%'")" -eq 1 ] ||
	h_fail "the expiry was not audited"
h_pass
