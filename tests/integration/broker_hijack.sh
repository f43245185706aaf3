#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# A client cannot take over another agency's mailbox by claiming its
# routing id (malamute#54, #318).  The broker routes an agency's messages
# only to a connection that said HELLO authenticated (ZAP User-Id) as that
# agency, with a routing id libzmq assigned; a connection that chose its
# own routing id is told so (ERROR 504) and gets nothing, even with
# ROUTER_HANDOVER taking the id over at the socket level.
# ZEROMQ.md trap: "Routing ids are chosen by clients and say nothing about
# who they are".
. "$(dirname "$0")/../support/harness.sh"
h_init
start_broker

# camhs, well-behaved, is connected and listening; mash connects under the
# routing id "camhs" and listens too.
tc --as camhs --timeout 4000 hello expect:cmd=WELCOME recv:ms=4000 >"$H_LOG/camhs.out" &
camhs=$!
tc --as mash --routing-id camhs --timeout 4000 hello expect:cmd=ERROR:code=504 recv:ms=3500 \
	>"$H_LOG/mash.out" &
mash=$!
sleep 0.5
tc --as school-stmarys hello send:to=camhs:marker=FOR-CAMHS-ONLY expect:cmd=RESULT:code=202 \
	send:to=mash:marker=FOR-MASH expect:cmd=RESULT:code=202 >/dev/null ||
	h_fail "the referrals were not accepted"
wait "$mash" || h_fail "the client with a chosen routing id was not told 504: $(cat "$H_LOG/mash.out")"
wait "$camhs"
h_expect 'ERROR 504 .*chose its own routing id' "$(cat "$H_LOG/mash.out")" "mash's output"
h_expect_not '^DELIVER' "$(cat "$H_LOG/mash.out")" "the claimer's output"
h_expect '^DELIVER 0 seq=1 .*from=school-stmarys to=camhs' "$(cat "$H_LOG/camhs.out")" "camhs's output"

# camhs itself choosing a routing id is refused too, and gets nothing ...
out=$(tc --as camhs --routing-id camhs hello expect:cmd=ERROR:code=504 recv:ms=500) ||
	h_fail "camhs with a chosen routing id was not told 504"
h_expect_not '^DELIVER' "$out"
# ... and mash, well-behaved, gets exactly its own message.
out=$(tc --as mash hello expect:cmd=DELIVER recv:ms=500) || h_fail "mash's own message did not arrive"
[ "$(grep -c '^DELIVER' <<<"$out")" -eq 1 ] || h_fail "mash got someone else's message"
h_expect 'from=school-stmarys to=mash' "$out"
stop_broker
h_pass
