#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Size limits.  An envelope over broker.conf's max_envelope_bytes (but
# within the frame cap) is refused 510 by RESULT naming the message; a frame
# over ZMQ_MAXMSGSIZE (max_envelope_bytes + 4096) makes libzmq drop that one
# connection before anything is parsed, while the broker goes on serving
# everybody else.
# ZEROMQ.md traps: "ZMQ_MAXMSGSIZE is per frame ... a violator is just
# disconnected" and "A quota or size limit answers the sender with an
# explicit rejection, never a dropped message".
. "$(dirname "$0")/../support/harness.sh"
h_init
h_broker_set max_envelope_bytes 65536
start_broker

out=$(tc --as school-stmarys hello expect:cmd=WELCOME:text=max_bytes=65536 \
	send:to=camhs:pad=67000 expect:cmd=RESULT:code=510) || h_fail "the oversized envelope was not refused 510"
h_expect 'RESULT 510 [0-9a-f-]{36} envelope is [0-9]+ bytes, over .* limit of 65536' "$out"

# An over-cap frame: the client is dropped ...
tc --as mash --timeout 8000 hello expect:cmd=WELCOME big:bytes=200000 \
	expect:cmd=EVENT:text=disconnected >"$H_LOG/big.out" &
big=$!
# ... and meanwhile, and after, the others are served.
out=$(tc --as school-stmarys hello expect:cmd=WELCOME send:to=camhs expect:cmd=RESULT:code=202) ||
	h_fail "another client was not served while one sent an over-cap frame"
wait "$big" || h_fail "the over-cap frame did not get its connection dropped: $(cat "$H_LOG/big.out")"
out=$(tc --as camhs hello expect:cmd=DELIVER) || h_fail "delivery stopped after the over-cap frame"
[ "$(h_sql 'SELECT count(*) FROM messages')" -eq 1 ] || h_fail "something oversized was stored"
kill -0 "$H_BROKER_PID" || h_fail "the broker died"
stop_broker
h_pass
