#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The sender of an envelope is the connection's authenticated agency (ZAP
# User-Id), and the signature must verify with that agency's key: a client
# authenticated as one agency that claims another is refused 522, a forged
# signature 520, a signed envelope re-addressed to another agency 520.
# Each refusal goes back to the sender with its code and a text; nothing is
# forwarded; each is audited.
# ZEROMQ.md trap: "Bind the three names" (sender == User-Id == owner of the
# verifying key), with User-Id read from the message metadata.
. "$(dirname "$0")/../support/harness.sh"
h_init
start_broker

out=$(tc --as school-stmarys hello:agency=mash expect:cmd=ERROR:code=522) ||
	h_fail "HELLO claiming another agency was not refused 522"
h_expect 'ERROR 522 .*authenticated as .school-stmarys' "$out"

out=$(tc --as school-stmarys hello expect:cmd=WELCOME \
	send:to=camhs:from=mash:marker=CLAIMS-MASH expect:cmd=RESULT:code=522 \
	send:to=camhs:tamper=sig expect:cmd=RESULT:code=520 \
	send:to=mash:tamper=to:camhs expect:cmd=RESULT:code=520) ||
	h_fail "a false sender, forged signature or re-addressed envelope was not refused"
h_expect "RESULT 522 [0-9a-f-]{36} envelope is from 'mash' but this connection is authenticated as 'school-stmarys'" "$out"
[ "$(grep -c '^RESULT 520' <<<"$out")" -eq 2 ] || h_fail "expected two 520 refusals"
h_expect_not '^RESULT 202' "$out"

# Nothing was forwarded: the would-be recipients get no DELIVER.
for id in camhs mash; do
	out=$(tc --as "$id" hello expect:cmd=WELCOME recv:ms=700) || h_fail "$id could not connect"
	h_expect_not '^DELIVER' "$out" "$id's output"
done
[ "$(h_sql 'SELECT count(*) FROM messages')" -eq 0 ] || h_fail "a refused envelope was stored"
stop_broker
[ "$(h_sql "SELECT count(*) FROM audit WHERE event = 'rejected' AND detail LIKE 'code=520%'")" -eq 2 ] ||
	h_fail "the 520 refusals were not audited"
[ "$(h_sql "SELECT count(*) FROM audit WHERE event = 'rejected' AND detail LIKE 'code=522%'")" -eq 1 ] ||
	h_fail "the 522 refusal was not audited"
[ "$(h_sql "SELECT count(*) FROM audit WHERE event = 'error' AND detail LIKE 'code=522%'")" -eq 1 ] ||
	h_fail "the false HELLO was not audited"
h_pass
