#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# dutynet-audit verify on the databases of a real run of the broker, the
# school, the MASH and CAMHS (tests/integration/audit_common.bash), with
# checkpoints every AU_CHECKPOINT_EVERY entries signed with the area's keys
# and countersigned by the broker.  Each kind of tampering is done to a copy
# with the plain sqlite3 CLI and must be caught at the exact entry (or
# checkpoint), with exit 1: a field edited, a row deleted, rows reordered,
# the tail cut off (caught only through the broker's countersigned copy),
# a checkpoint forged, a log rewritten and re-signed by its owner (caught by
# the broker's copy), a log replaced wholesale by a self-consistent fake
# signed with a stranger's key.  Then --json, the exit codes for a bad
# command line (2) and unreadable input (3), and the progress bar: drawn on
# a terminal, never in a pipe.
. "$(dirname "$0")/audit_common.bash"

au_init
au_scenario
ok=$(au_fresh ok)
au_checkpoints "$ok"

audit verify "$ok"/broker.db "$ok"/school-stmarys.db "$ok"/mash.db "$ok"/camhs.db
expect_rc 0 "the untouched logs"
h_expect '^verify: OK: 4 logs verified' "$AU_OUT" "verify"
h_expect 'school-stmarys.db: agent log of school-stmarys, [0-9]+ entries' "$AU_OUT" "verify"
h_expect '[0-9]+ of its checkpoints held by the broker' "$AU_OUT" "verify"
h_expect_not 'FAILED' "$AU_OUT" "verify"

# tamper NAME DB SQL: a fresh copy with checkpoints, SQL run on its DB with
# the sqlite3 CLI; prints the copy's directory.
tamper() {
	local d
	d=$(au_fresh "$1")
	au_checkpoints "$d"
	sqlite3 "$d/$2" "$3" || h_fail "sqlite3 on $2 failed"
	echo "$d"
}

# A field edited: the detail of school-stmarys's entry 7.
d=$(tamper edited school-stmarys.db "UPDATE audit SET detail = 'nothing happened' WHERE seq = 7")
time7=$(sqlite3 "$d/school-stmarys.db" "SELECT strftime('%Y-%m-%dT%H:%M:%S', time_ms / 1000.0, 'unixepoch') FROM audit WHERE seq = 7")
audit verify "$d"/school-stmarys.db "$d"/broker.db
expect_rc 1 "an edited field"
h_expect "FAILED: first bad: seq 7 \\($time7" "$AU_OUT" "edited field"
h_expect "seq 7 does not match its hash: a field was changed.*detail 'nothing happened'" \
	"$AU_OUT" "edited field"
h_expect '^verify: FAILED: 1 of 2 logs did not verify' "$AU_OUT" "edited field"

# A row deleted: the MASH's entry 5.
d=$(tamper deleted mash.db "DELETE FROM audit WHERE seq = 5")
audit verify "$d"/mash.db
expect_rc 1 "a deleted row"
h_expect 'FAILED: first bad: seq 5: seq 5 is missing \(the next row is seq 6\)' "$AU_OUT" \
	"deleted row"

# Rows reordered: the broker's entries 10 and 11 swapped.
d=$(tamper reordered broker.db "UPDATE audit SET seq = -1 WHERE seq = 10;
	UPDATE audit SET seq = 10 WHERE seq = 11; UPDATE audit SET seq = 11 WHERE seq = -1")
audit verify "$d"/broker.db
expect_rc 1 "reordered rows"
h_expect 'FAILED: first bad: seq 10 \(.*seq 10 does not chain to seq 9' "$AU_OUT" "reordered rows"

# The tail cut off, with the agency's own checkpoints of it: the shorter
# log is consistent on its own, and only the broker's copy shows the cut.
total=$(sqlite3 "$ok/school-stmarys.db" "SELECT max(seq) FROM audit")
held=$(sqlite3 "$ok/broker.db" "SELECT max(size) FROM agency_checkpoints WHERE origin = 'school-stmarys'")
d=$(tamper truncated school-stmarys.db "DELETE FROM audit WHERE seq > 10;
	DELETE FROM checkpoints WHERE size > 10")
audit verify "$d"/school-stmarys.db
expect_rc 0 "a cut-off log, without the broker's copy"
audit verify "$d"/school-stmarys.db "$d"/broker.db
expect_rc 1 "a cut-off log"
h_expect "FAILED: first bad: seq 11: the log ends at seq 10, but the broker's countersigned copy of a checkpoint .* shows it had $held entries: seq 11..$held were cut off" \
	"$AU_OUT" "cut-off tail"
[ "$held" -eq "$total" ] || h_fail "the broker holds no checkpoint of the whole school log"

# A checkpoint forged: another root written into the text and its column.
d=$(tamper forged school-stmarys.db "UPDATE checkpoints SET text = replace(text,
	'root ' || lower(hex(root)), 'root ' || lower(hex(zeroblob(32)))), root = zeroblob(32),
	countersigned = NULL WHERE size = 8")
audit verify "$d"/school-stmarys.db
expect_rc 1 "a forged checkpoint"
h_expect 'FAILED: first bad: checkpoint size 8: .*the signature of school-stmarys does not verify' \
	"$AU_OUT" "forged checkpoint"

# Rewritten by its owner: entries from 14 on changed, every hash recomputed,
# its checkpoints signed again with its own key.  Alone it verifies; the
# broker's copies disagree from the first checkpoint after seq 13 on.
d=$(tamper rewritten school-stmarys.db "UPDATE audit SET detail = 'rewritten' WHERE seq >= 14;
	DELETE FROM checkpoints")
"$AU_FIXTURE" rehash "$d/school-stmarys.db" || h_fail "rehash"
"$AU_FIXTURE" checkpoint --keys "$H_CONF/keys" --every "$AU_CHECKPOINT_EVERY" --no-countersign \
	"$d/school-stmarys.db" school-stmarys || h_fail "re-signing"
audit verify "$d"/school-stmarys.db
expect_rc 0 "a rewritten log, without the broker's copy"
audit verify "$d"/school-stmarys.db "$d"/broker.db
expect_rc 1 "a rewritten log"
h_expect 'FAILED: first bad: seq 13: the log.s Merkle root at size 16 is not the root of the broker.s countersigned copy' \
	"$AU_OUT" "rewritten log"
h_expect 're-signed after the broker countersigned the original' "$AU_OUT" "rewritten log"

# Replaced wholesale by a self-consistent fake, signed with a stranger's
# key made under the school's name.
mkdir -m 700 "$H_DIR/stranger"
"$H_CLI" keygen school-stmarys --dir "$H_DIR/stranger" >/dev/null 2>&1 || h_fail "keygen"
d=$(tamper fake school-stmarys.db "DELETE FROM checkpoints;
	UPDATE audit SET detail = 'nothing to see', agency = NULL, message_id = NULL")
"$AU_FIXTURE" rehash "$d/school-stmarys.db" || h_fail "rehash"
"$AU_FIXTURE" checkpoint --keys "$H_CONF/keys" --key "$H_DIR/stranger/school-stmarys.key" \
	--every "$AU_CHECKPOINT_EVERY" --no-countersign "$d/school-stmarys.db" school-stmarys ||
	h_fail "signing the fake"
audit verify "$d"/school-stmarys.db "$d"/broker.db
expect_rc 1 "a fake log"
h_expect "FAILED: first bad: seq 1: the log.s Merkle root at size $AU_CHECKPOINT_EVERY is not the root of the broker.s countersigned copy" \
	"$AU_OUT" "fake log"
h_expect 'signed by school-stmarys with a key the directory does not publish' "$AU_OUT" "fake log"

# --json: one object, for tools.
audit verify --json "$d"/school-stmarys.db "$d"/broker.db
expect_rc 1 "--json on the fake log"
"$A_PY" -c 'import json, sys
d = json.load(sys.stdin)
school = [l for l in d["logs"] if l["owner"] == "school-stmarys"][0]
assert d["ok"] is False and school["ok"] is False, d
assert school["problems"][0]["seq"] == 1 and school["problems"][0]["code"] == 520, school
assert school["checkpoints_verified"] == 0' <<<"$AU_OUT" || h_fail "verify --json"

# Exit codes: 2 for the command line, 3 for what cannot be read.
audit verify
expect_rc 2 "no database"
audit verify --frobnicate "$ok/broker.db"
expect_rc 2 "an unknown option"
audit verify "$H_DIR/none.db"
expect_rc 3 "a missing database"
h_expect 'none.db: cannot read it' "$AU_OUT" "missing database"
echo "not a database" >"$H_DIR/junk.db"
audit verify "$H_DIR/junk.db"
expect_rc 3 "a file that is not a database"
out=$("$AU_AUDIT" verify --config "$H_DIR/nowhere" "$ok/broker.db" 2>&1)
[ $? -eq 3 ] || h_fail "a missing configuration did not exit 3"
h_expect 'nowhere/directory.conf' "$out" "missing configuration"
"$AU_AUDIT" --help | grep -q '1 verification failed' || h_fail "--help lacks the exit codes"

# The progress bar: only on a terminal (script(1) gives the program one).
# A log of 150,000 entries from the benchmark takes long enough to draw it.
err=$("$AU_AUDIT" verify --config "$H_CONF" "$ok/school-stmarys.db" 2>&1 >/dev/null)
[ -z "$err" ] || h_fail "verify wrote to stderr in a pipe: $err"
if command -v script >/dev/null && [ -x "$H_BIN/bench/dutynet-bench" ]; then
	big=$(TMPDIR=$H_DIR "$H_BIN/bench/dutynet-bench" audit-verify --entries 150000 --keep 2>&1 |
		sed -nE 's/.*kept (.*)$/\1/p')
	[ -f "$big/audit.db" ] || h_fail "the benchmark kept no log"
	tty=$(script -qec "'$AU_AUDIT' verify --config '$H_CONF' '$big/audit.db'" /dev/null)
	h_expect '\[#+\.*\] +[0-9]+% [0-9]+/150000' "$tty" "the progress bar on a terminal"
	piped=$("$AU_AUDIT" verify --config "$H_CONF" "$big/audit.db" 2>&1)
	h_expect_not '\[#' "$piped" "verify in a pipe"
fi
h_pass
