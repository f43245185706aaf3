#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# dutynet-audit prove and check-proof on the databases of a real run: the
# school proves one entry of its log (the MASH's receipt of R1 arriving)
# against a checkpoint the broker countersigned, and an inspector checks
# the bundle with the public configuration alone.  A bundle edited in any
# field is refused (exit 1); so is a proof from a log altered after it was
# signed; an entry that does not exist is a command-line error (exit 2).
. "$(dirname "$0")/audit_common.bash"

au_init
au_scenario
d=$(au_fresh prove)
au_checkpoints "$d"
school=$d/school-stmarys.db
r1=$(au_hex "$AU_R1")
seq=$(sqlite3 "$school" "SELECT seq FROM audit WHERE event = 'delivered' AND message_id = X'$r1'")
[ -n "$seq" ] || h_fail "the school's log has no 'delivered' entry for R1"

audit prove --entry "$seq" --output "$H_DIR/r1.proof" "$school"
expect_rc 0 "prove"
"$A_PY" -c 'import json, sys
p = json.load(open(sys.argv[1]))
assert p["format"] == "dutynet-inclusion-proof-v1" and p["log"] == "school-stmarys", p
assert p["entry"]["seq"] == int(sys.argv[2]) and p["entry"]["event"] == "delivered", p
assert p["checkpoint"].count("\nsig ") == 2, "not countersigned"' "$H_DIR/r1.proof" "$seq" ||
	h_fail "the proof is not the bundle expected"
# What the inspector gets: one entry, hashes of the others, no detail of them.
grep -q 'referral to mash' "$H_DIR/r1.proof" && h_fail "the proof discloses another entry"

audit check-proof "$H_DIR/r1.proof"
expect_rc 0 "check-proof"
h_expect "^proof holds: entry seq $seq of the audit log of school-stmarys" "$AU_OUT" "check-proof"
h_expect "message  $AU_R1" "$AU_OUT" "check-proof"
h_expect 'countersigned by broker\.$' "$AU_OUT" "check-proof"
audit check-proof - <"$H_DIR/r1.proof"
expect_rc 0 "check-proof from stdin"

# Every field matters.
refused() {
	local what=$1 expr=$2
	sed -E "$expr" "$H_DIR/r1.proof" >"$H_DIR/bad.proof"
	cmp -s "$H_DIR/r1.proof" "$H_DIR/bad.proof" && h_fail "$what: the edit changed nothing"
	audit check-proof "$H_DIR/bad.proof"
	expect_rc 1 "a proof with $what"
	h_expect 'the proof does not hold' "$AU_OUT" "$what"
}
refused "another event" 's/"event": "delivered"/"event": "failed"/'
refused "another time" 's/"time_ms": ([0-9]+)/"time_ms": \1000/'
refused "another seq" "s/\"seq\": $seq,/\"seq\": $((seq + 1)),/"
refused "a changed path" 's/("proof": \[")0/\11/; t; s/("proof": \[")[0-9a-f]/\10/'
refused "another tree size" 's/"tree_size": ([0-9]+)/"tree_size": 1\1/'
refused "a forged checkpoint" 's/(root [0-9a-f]{10})f/\10/; t; s/(root [0-9a-f]{10})[0-9a-e]/\1f/'
refused "another format" 's/inclusion-proof-v1/inclusion-proof-v2/'
printf 'not json' >"$H_DIR/bad.proof"
audit check-proof "$H_DIR/bad.proof"
expect_rc 1 "a proof that is not JSON"

# The broker's own log: signed by the broker, no countersignature needed.
audit prove --entry 3 --output "$H_DIR/broker.proof" "$d/broker.db"
expect_rc 0 "prove from the broker's log"
audit check-proof "$H_DIR/broker.proof"
expect_rc 0 "check-proof of the broker's entry"
h_expect 'of the audit log of broker$' "$AU_OUT" "broker proof"

# A log altered after it was signed cannot be proven.
sqlite3 "$school" "UPDATE audit SET detail = 'x' WHERE seq = 2"
audit prove --entry 2 "$school"
expect_rc 1 "prove from an altered log"
h_expect 'seq 2 does not match its hash' "$AU_OUT" "altered log"
audit prove --entry 999999 "$school"
expect_rc 2 "an entry that does not exist"
audit prove "$school"
expect_rc 2 "prove without --entry"
audit prove --entry 3 --output "$H_DIR/broker.proof" "$d/broker.db"
expect_rc 3 "an output file that exists"
audit check-proof "$H_DIR/none.proof"
expect_rc 3 "a missing proof file"
h_pass
