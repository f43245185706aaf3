#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# dutynet-audit reconcile, timeline and export on the databases of a real
# run (tests/integration/audit_common.bash).  Untouched, the only finding is
# the gap the run left on purpose: C2, which the broker accepted while the
# MASH's agent was stopped, never receipted by the MASH.  Then, on copies
# altered with the sqlite3 CLI: a receipt for a message the broker never
# delivered (the broker's row of R2 set back to queued, or removed: then
# also a delivery the broker never made), a recipient's receipt time before
# the broker accepted it, and the agencies alone without the broker.  The
# timeline of R1 tells the story from all four logs in order; export writes
# one JSON line per entry.
. "$(dirname "$0")/audit_common.bash"

au_init
au_scenario
ok=$(au_fresh ok)
all() {
	echo "$1/broker.db" "$1/school-stmarys.db" "$1/mash.db" "$1/camhs.db"
}
r2=$(au_hex "$AU_R2")

# shellcheck disable=SC2046
audit reconcile $(all "$ok")
expect_rc 1 "the run's logs (C2 was never receipted)"
h_expect "^reconcile: [0-9]+ messages in 4 logs" "$AU_OUT" "reconcile"
h_expect "^GAP +$AU_C2 concern school-stmarys -> mash, case AU-CASE-3:" "$AU_OUT" "reconcile"
h_expect "mash never receipted it: it is not in its inbox; still queued at the broker" \
	"$AU_OUT" "reconcile"
h_expect '^reconcile: 1 gap, 0 contradictions$' "$AU_OUT" "reconcile"
# shellcheck disable=SC2046
audit reconcile --json $(all "$ok")
"$A_PY" -c 'import json, sys
d = json.load(sys.stdin)
assert d["gaps"] == 1 and d["contradictions"] == 0, d
f = d["findings"][0]
assert f["kind"] == "gap" and f["message_id"] == sys.argv[1] and f["to"] == "mash", f' \
	"$AU_C2" <<<"$AU_OUT" || h_fail "reconcile --json"
# Far in the future, the MASH's answers to C2 are overdue too.
# shellcheck disable=SC2046
audit reconcile --as-of 2099-01-01 $(all "$ok")
h_expect "no acknowledgement from mash: it was due at" "$AU_OUT" "reconcile --as-of"
h_expect "no decision from camhs" "$AU_OUT" "reconcile --as-of (R2 was only acknowledged)"

# The broker's record of R2 set back to queued: the school holds CAMHS's
# receipt for a message the broker never delivered.
d=$(au_fresh queued)
sqlite3 "$d/broker.db" "UPDATE messages SET state = 'queued', code = 202, final_ms = 0,
	receipt_id = NULL WHERE id = X'$r2'" || h_fail "sqlite3"
# shellcheck disable=SC2046
audit reconcile $(all "$d")
expect_rc 1 "a receipt for a message the broker never delivered"
h_expect "^CONTRADICTION $AU_R2 referral school-stmarys -> camhs" "$AU_OUT" "queued R2"
h_expect "school-stmarys holds camhs's receipt for it, but the broker never delivered it \\(still queued there since [0-9T:.Z-]+\\): a receipt for a message the broker never delivered" \
	"$AU_OUT" "queued R2"

# The broker's row of R2 removed: it never saw it, yet both agencies did.
d=$(au_fresh removed)
sqlite3 "$d/broker.db" "DELETE FROM deadline_timers WHERE message_id = X'$r2';
	DELETE FROM deadlines WHERE message_id = X'$r2'; DELETE FROM messages WHERE id = X'$r2'" ||
	h_fail "sqlite3"
# shellcheck disable=SC2046
audit reconcile $(all "$d")
expect_rc 1 "a message the broker never saw"
h_expect "broker has no record of it: a receipt for a message the broker never delivered" \
	"$AU_OUT" "removed R2"
h_expect "camhs's log has it as delivered \\(received .*\\), but the broker has no record of it: a delivery the broker never made" \
	"$AU_OUT" "removed R2"
h_expect '^reconcile: 1 gap, 2 contradictions$' "$AU_OUT" "removed R2"

# CAMHS's receipt time set an hour before the broker accepted R2.
d=$(au_fresh early)
sqlite3 "$d/camhs.db" "UPDATE inbox SET received_ms = received_ms - 3600000
	WHERE message_id = X'$r2'" || h_fail "sqlite3"
# shellcheck disable=SC2046
audit reconcile $(all "$d")
h_expect "camhs says it received it at .*, before the broker accepted it at" "$AU_OUT" "early"
# shellcheck disable=SC2046
audit reconcile --max-skew "2 hours" $(all "$d")
h_expect '^reconcile: 1 gap, 0 contradictions$' "$AU_OUT" "early, with 2 hours of skew allowed"

# Without the broker: what the agencies say of each other only.
audit reconcile "$ok/school-stmarys.db" "$ok/mash.db" "$ok/camhs.db"
expect_rc 1 "the agencies alone"
h_expect "^GAP +$AU_C2 concern school-stmarys -> mash" "$AU_OUT" "agencies alone"
h_expect "^ +the broker accepted it, but mash never receipted it$" "$AU_OUT" "agencies alone"
h_expect 'only the agencies. records were compared' "$AU_OUT" "agencies alone"
audit reconcile "$ok/school-stmarys.db" "$ok/camhs.db"
expect_rc 0 "the school and CAMHS, who agree"
audit reconcile
expect_rc 2 "reconcile without databases"
audit reconcile --as-of tomorrow "$ok/broker.db"
expect_rc 2 "a bad --as-of"

# timeline: R1's story from every log, in each log's own order.
# shellcheck disable=SC2046
audit timeline --message "$AU_R1" $(all "$ok")
expect_rc 0 "timeline of R1"
h_expect "^  M1   $AU_R1  referral  school-stmarys -> mash, case AU-CASE-1; at the broker: delivered" \
	"$AU_OUT" "timeline"
order=$(sed -nE 's/^  [0-9T:.Z-]+ +([a-z-]+) +M1 +([a-z-]+) .*/\1:\2/p' <<<"$AU_OUT" | tr '\n' ' ')
for step in school-stmarys:created broker:accepted mash:received school-stmarys:delivered \
	mash:acknowledged mash:decided school-stmarys:decided; do
	grep -q "$step" <<<"$order" || h_fail "R1's timeline lacks $step: $order"
done
[[ $order =~ school-stmarys:created.*broker:accepted.*mash:received.*mash:acknowledged.*mash:decided ]] ||
	h_fail "R1's timeline is out of order: $order"
# shellcheck disable=SC2046
audit timeline --case AU-CASE-1 --json $(all "$ok")
"$A_PY" -c 'import json, sys
d = json.load(sys.stdin)
types = sorted({m["type"] for m in d["messages"]})
assert types == ["ack", "concern", "decision", "feedback", "receipt", "referral"], types
logs = {e["log"] for e in d["events"]}
assert logs == {"broker", "school-stmarys", "mash"}, logs
times = [e["time_ms"] for e in d["events"] if e["log"] == "mash"]
seqs = [e["seq"] for e in d["events"] if e["log"] == "mash"]
assert seqs == sorted(seqs), seqs' <<<"$AU_OUT" || h_fail "timeline --json"
# shellcheck disable=SC2046
audit timeline --message 01900000-0000-7000-8000-000000000000 $(all "$ok")
expect_rc 1 "a message no log knows"
audit timeline --message not-an-id "$ok/broker.db"
expect_rc 2 "a bad message id"
audit timeline "$ok/broker.db"
expect_rc 2 "timeline without --case or --message"

# export: one JSON object per entry, every entry.
"$AU_AUDIT" export --config "$H_CONF" "$ok/mash.db" >"$H_DIR/mash.jsonl" ||
	h_fail "export failed"
[ "$(wc -l <"$H_DIR/mash.jsonl")" -eq "$(sqlite3 "$ok/mash.db" "SELECT count(*) FROM audit")" ] ||
	h_fail "export did not write one line per entry"
"$A_PY" -c 'import json, sys
for n, line in enumerate(open(sys.argv[1]), 1):
    e = json.loads(line)
    assert e["seq"] == n and e["log"] == "mash" and len(e["hash"]) == 64, e' \
	"$H_DIR/mash.jsonl" || h_fail "export's lines"
h_pass
