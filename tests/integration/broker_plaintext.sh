#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The broker stores ciphertext and routing metadata only: after referrals
# and concerns carrying a unique marker have been accepted, delivered,
# opened by their recipients and receipted, the marker (and the child's
# name) appears nowhere in the broker's database files, nor in its
# `sqlite3 .dump`, nor in its log.
# ZEROMQ.md: no trap of its own; this is the other half of "Durability is
# ours": what the broker keeps durably is only what it may hold.
. "$(dirname "$0")/../support/harness.sh"
h_init
start_broker

marker="PLAINTEXT-MARKER-$RANDOM$RANDOM$RANDOM"
tc --as school-stmarys hello send:to=camhs:marker=$marker expect:cmd=RESULT:code=202 \
	send:to=mash:type=concern:marker=$marker expect:cmd=RESULT:code=202 >/dev/null ||
	h_fail "the messages were not accepted"
for id in camhs mash; do
	out=$(tc --as "$id" hello receive:n=1) || h_fail "$id did not get its message"
	h_expect "OPENED 0 .*summary=$marker" "$out" "$id's output"
done

check() {
	local f
	for f in "$H_CONF"/run/broker/broker.db*; do
		if grep -a -q -e "$marker" -e "Test Child" "$f"; then
			h_fail "plaintext found in $(basename "$f") ($1)"
		fi
	done
	if sqlite3 "$H_DB" .dump | grep -c -e "$marker" -e "Test Child" >/dev/null; then
		h_fail "plaintext found in sqlite3 .dump ($1)"
	fi
}
check "while running"
# The same search does find what the broker may hold: routing metadata.
grep -a -q "school-stmarys" "$H_CONF"/run/broker/broker.db* ||
	h_fail "the search cannot see inside the database files"
[ "$(h_sql 'SELECT count(*) FROM messages')" -eq 4 ] || h_fail "expected two messages and two receipts"
stop_broker
check "after shutdown"
if grep -q -e "$marker" "$H_LOG/broker.log"; then
	h_fail "plaintext in the broker's log"
fi
h_pass
