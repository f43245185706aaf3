#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The sharing policy is checked for every envelope before it is accepted,
# both sides of it: a route no rule of policy.conf allows is refused 531, a
# type the recipient does not accept (directory.conf) 532, and a receipt
# sent as SEND 503.  Each refusal reaches the sender with its code and a
# text; nothing is stored or forwarded.
# ZEROMQ.md trap: "A quota or size limit answers the sender with an
# explicit rejection, never a dropped message" (malamute#195).
. "$(dirname "$0")/../support/harness.sh"
h_init
start_broker

out=$(tc --as school-stmarys hello expect:cmd=WELCOME \
	send:to=lscp:type=referral expect:cmd=RESULT:code=531 \
	send:to=mash:type=decision expect:cmd=RESULT:code=531 \
	send:to=camhs:type=concern expect:cmd=RESULT:code=532 \
	send:to=camhs:type=receipt expect:cmd=RESULT:code=503 \
	send:to=camhs:type=referral expect:cmd=RESULT:code=202) ||
	h_fail "a refusal (or the allowed route) did not get its code"
h_expect 'RESULT 531 [0-9a-f-]{36} .*school-stmarys.*lscp' "$out"
h_expect 'RESULT 532 [0-9a-f-]{36} .*camhs' "$out"
[ "$(h_sql 'SELECT count(*) FROM messages')" -eq 1 ] || h_fail "a refused envelope was stored"

out=$(tc --as lscp hello expect:cmd=WELCOME recv:ms=500)
h_expect_not '^DELIVER' "$out" "lscp's output"
out=$(tc --as camhs hello expect:cmd=DELIVER recv:ms=500) || h_fail "the allowed referral did not arrive"
[ "$(grep -c '^DELIVER' <<<"$out")" -eq 1 ] || h_fail "camhs got more than the one allowed message"
h_expect 'type=referral from=school-stmarys' "$out"
h_pass
