#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Malformed frames: each kind gets an ERROR with its code (500 not dutynet,
# wrong frame count or bad body; 501 unknown or broker-only command; 502
# bad version), is audited, and the connection stays up.  A flood of them
# from an authenticated agency leaves the broker serving everybody else,
# and the flood is summarised in the audit log rather than filling it.
# ZEROMQ.md traps: "A malformed or unknown command gets an ERROR reply with
# a code and is audited; the connection stays up", "The first frame is a
# versioned protocol header" (502 for another version), "With MANDATORY a
# send to a full peer blocks ... send every ROUTER frame with ZMQ_DONTWAIT"
# (the flooder does not read its ERRORs, and the broker never waits for
# it), and Malamute's "crashes and stalls under load" (#80, #81, #87).
. "$(dirname "$0")/../support/harness.sh"
h_init
start_broker

out=$(tc --as mash hello expect:cmd=WELCOME \
	raw:58580101,90 expect:cmd=ERROR:code=500:text=not \
	raw:444e0901,90 expect:cmd=ERROR:code=502 \
	raw:444e017f,90 expect:cmd=ERROR:code=501 \
	raw:444e0103 expect:cmd=ERROR:code=500:text=frames \
	raw:444e0101,c1 expect:cmd=ERROR:code=500 \
	raw:444e0102,90 expect:cmd=ERROR:code=501:text=broker \
	raw:- expect:cmd=ERROR:code=500 \
	ping expect:cmd=PONG) || h_fail "a malformed frame did not get its ERROR, or the connection dropped"

# The flood, and meanwhile a school's fifty referrals.
tc --as mash --timeout 20000 hello flood:n=20000 ping expect:cmd=PONG:ms=20000 >"$H_LOG/flood.out" &
flood=$!
out=$(tc --as school-stmarys --timeout 20000 hello sendmany:to=camhs:n=50 \
	expect:cmd=RESULT:code=202:count=50:ms=20000) || h_fail "the school was not served during the flood"
wait "$flood" || h_fail "the flooder's connection did not survive: $(tail -3 "$H_LOG/flood.out")"
h_expect '^FLOOD 0 sent=20000' "$(cat "$H_LOG/flood.out")" "flood output"
out=$(tc --as camhs hello expect:cmd=DELIVER:count=16) || h_fail "delivery stalled after the flood"
stop_broker
[ "$(h_sql "SELECT count(*) FROM messages")" -eq 50 ] || h_fail "not all fifty referrals were stored"
[ "$(h_sql "SELECT count(*) FROM audit WHERE event = 'error'")" -ge 7 ] || h_fail "errors not audited"
[ "$(h_sql "SELECT count(*) FROM audit WHERE event = 'error'")" -lt 20000 ] ||
	h_fail "the flood filled the audit log"
[ "$(h_sql "SELECT count(*) FROM audit WHERE event = 'flood'")" -ge 1 ] || h_fail "the flood was not audited"
h_audit_ok "$H_DB"
h_pass
