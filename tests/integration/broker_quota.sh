#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# A recipient with broker.conf's recipient_quota of deliveries waiting gets
# no more: a SEND over it is refused with RESULT 452 (temporary), audited,
# nothing stored; the sender keeps the message and, once the recipient has
# taken its queue, the same bytes are accepted.  Nothing is dropped.
# ZEROMQ.md trap: "A quota or size limit answers the sender with an
# explicit rejection, never a dropped message" (malamute#195).
. "$(dirname "$0")/../support/harness.sh"
h_init
h_broker_set recipient_quota 2
start_broker

third=$H_DIR/third.env
out=$(tc --as school-stmarys hello \
	send:to=camhs:marker=Q1 expect:cmd=RESULT:code=202 \
	send:to=camhs:marker=Q2 expect:cmd=RESULT:code=202 \
	send:to=camhs:marker=Q3:save="$third" expect:cmd=RESULT:code=452 \
	send:to=mash:marker=OTHER expect:cmd=RESULT:code=202) ||
	h_fail "the quota did not refuse the third message with 452 (or refused others)"
h_expect 'RESULT 452 [0-9a-f-]{36} camhs already has 2 messages waiting for delivery \(recipient_quota\); nothing was stored: retry later' "$out"
id=$(sed -nE 's/^SENT 0 ([0-9a-f-]+) .*/\1/p' <<<"$out" | sed -n 3p)
hex=$(tr -d - <<<"$id" | tr a-f A-F)
[ "$(h_sql "SELECT count(*) FROM messages WHERE hex(id) = '$hex'")" -eq 0 ] ||
	h_fail "the refused message was stored"
[ "$(h_sql "SELECT count(*) FROM audit WHERE event = 'rejected' AND hex(message_id) = '$hex'
	AND detail LIKE 'code=452 %'")" -eq 1 ] || h_fail "the 452 is not audited"

# camhs takes its queue; the same bytes are now accepted and delivered.
tc --as camhs hello receive:n=2:ms=5000 >/dev/null || h_fail "camhs did not take its queue"
out=$(tc --as school-stmarys hello resend:file="$third" expect:cmd=RESULT:code=202) ||
	h_fail "the retried message was not accepted after the queue drained"
out=$(tc --as camhs hello receive:n=1:ms=5000) || h_fail "the retried message was not delivered"
h_expect "summary=Q3" "$out"
stop_broker
[ "$(h_sql "SELECT count(*) FROM messages WHERE type = 1 AND recipient = 'camhs'
	AND state = 'delivered'")" -eq 3 ] || h_fail "not all three referrals reached camhs"
h_audit_ok "$H_DB"
h_pass
