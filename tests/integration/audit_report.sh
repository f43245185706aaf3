#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# dutynet-audit report.  On the hand-computed fixture
# (tests/vectors/audit_report.sql, loaded with the sqlite3 CLI), the CSV is
# exactly tests/vectors/audit_report.csv (the working out is in
# tests/unit/test_audit_report.c); the HTML is one self-contained page (no
# script, no external asset) with its charts and tables.  On the databases
# of a real run, the counts per agency and type are the broker's own, and
# every format parses.  Then the command-line errors.
. "$(dirname "$0")/audit_common.bash"

au_init
fx=$H_DIR/fixture.db
sqlite3 "$fx" <"$H_SRC/tests/vectors/audit_report.sql" || h_fail "loading the fixture"
period=(--from 2026-01-05 --to 2026-01-11 --as-of 2026-02-02)

audit report "${period[@]}" --format csv "$fx"
expect_rc 0 "report --format csv"
diff <(printf '%s\n' "$AU_OUT") "$H_SRC/tests/vectors/audit_report.csv" >"$H_DIR/csv.diff" ||
	h_fail "the CSV is not the hand-computed one: $(cat "$H_DIR/csv.diff")"

audit report "${period[@]}" "$fx"
expect_rc 0 "report as text"
h_expect '^mash +referral +4 +3  2 h 00 min +18 h 00 min +4 h 00 min +2 d 20 h 00 min +75\.0% \(3 of 4\)$' \
	"$AU_OUT" "the text report"
h_expect '^all agencies +all +8 +5  4 h 00 min +20 h 00 min +11 h 00 min +3 d 19 h 00 min +57\.1% \(4 of 7\)$' \
	"$AU_OUT" "the text report"

audit report "${period[@]}" --format json "$fx"
"$A_PY" -c 'import json, sys
d = json.load(sys.stdin)
assert d["times"] == "broker" and d["deadlines"] == "broker", d
row = [r for r in d["rows"] if r["agency"] == "camhs"][0]
assert row["ack"]["median_working_ms"] == 4950000 and row["decision"]["overdue"] == 1, row
assert d["rows"][-1]["agency"] is None and d["rows"][-1]["received"] == 8' <<<"$AU_OUT" ||
	h_fail "report --format json"

html=$H_DIR/report.html
audit report "${period[@]}" --format html --output "$html" "$fx"
expect_rc 0 "report --format html"
h_expect "written to $html" "$AU_OUT" "report --output"
grep -qiE '<script|<link|src=|https?:|url\(|@import' "$html" && h_fail "the HTML loads something"
for want in '<html lang="en-GB">' '<meta charset="utf-8">' '<svg role="img" aria-labelledby="c1-t c1-d"' \
	'<title id="c2-t">' '<caption>Table 2. Time to decide</caption>' '<th scope="col"' \
	'Children&#39;s Services MASH (front door)' '5 January 2026' '75% (3 of 4)'; do
	grep -qF -- "$want" "$html" || h_fail "the HTML lacks $want"
done
"$A_PY" -c 'import html.parser, sys
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(); self.stack = []
    def handle_starttag(self, tag, a):
        if tag not in ("meta", "br", "rect", "line"): self.stack.append(tag)
    def handle_startendtag(self, tag, a): pass
    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, (tag, self.stack[-3:])
        self.stack.pop()
p = P(); p.feed(open(sys.argv[1]).read()); assert p.stack == [], p.stack' "$html" ||
	h_fail "the HTML does not nest"
audit report "${period[@]}" --format html --output "$html" "$fx"
expect_rc 3 "an output file that exists"

# A real run: the counts are the broker's.
au_scenario
audit report --from 2000-01-01 --to 2099-12-31 --format csv "$AU_COPY/broker.db" \
	"$AU_COPY/school-stmarys.db" "$AU_COPY/mash.db" "$AU_COPY/camhs.db"
expect_rc 0 "report on a real run"
while IFS='|' read -r to type n; do
	name=referral
	[ "$type" = 2 ] && name=concern
	h_expect "^$to,$name,$n," "$AU_OUT" "the real run's report ($to, $name)"
done < <(sqlite3 "$AU_COPY/broker.db" "SELECT recipient, type, count(*) FROM messages
	WHERE type IN (1, 2) GROUP BY recipient, type")
h_expect '^all,all,4,0,3,' "$AU_OUT" "the real run's totals"
audit report --from 2000-01-01 --to 2099-12-31 --format json "$AU_COPY/broker.db"
"$A_PY" -c 'import json, sys; json.load(sys.stdin)' <<<"$AU_OUT" || h_fail "JSON of a real run"

# The command line.
audit report --to 2026-01-11 "$fx"
expect_rc 2 "report without --from"
audit report --from 2026-01-11 --to 2026-01-05 "$fx"
expect_rc 2 "--to before --from"
audit report --from 2026-01-05 --to 2026-01-11 --format pdf "$fx"
expect_rc 2 "an unknown format"
audit report --from 2026-13-01 --to 2026-01-11 "$fx"
expect_rc 2 "a bad date"
audit report --from 2026-01-05 --to 2026-01-11 "$H_DIR/none.db"
expect_rc 3 "a missing database"
h_pass
