#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The README's first command, scripts/demo, with the programs already built
# (DUTYNET_DEMO_NO_BUILD=1, DUTYNET_BINARY_DIR): it runs to the end and
# exits 0; with --dir it leaves the configuration, keys, databases, logs and
# forms there, every daemon stopped, every audit chain intact (checked again
# here) and no sanitizer report.  Its steps on a simulated clock say so, and
# show a missed deadline escalating (the broker's notices to the school,
# housing and the MASH, overdue in `dutynet deadlines`, audited), a late
# acknowledgement recorded as late and stopping the chain, and an urgent
# concern at 03:00 also sent to the emergency duty team.  Without --dir it
# removes its temporary directory; a bad command line or a non-empty --dir
# exits 2 and starts nothing.
. "$(dirname "$0")/../support/harness.sh"

# Seconds the whole demo may take (it takes a few).
DEMO_TIMEOUT=90

for f in "$H_BROKER" "$H_AGENT" "$H_CLI"; do
	[ -x "$f" ] || { echo "FAIL: $f is not built" >&2; exit 1; }
done
H_DIR=$(mktemp -d "${TMPDIR:-/tmp}/dutynet-it-XXXXXX")
trap h_cleanup EXIT
area=$H_DIR/area
# h_fail shows the logs here.
H_LOG=$area/log

demo() {
	DUTYNET_DEMO_NO_BUILD=1 DUTYNET_BINARY_DIR=$H_BIN timeout "$DEMO_TIMEOUT" \
		"$H_SRC/scripts/demo" "$@"
}

# --dir DIR: runs to the end and keeps everything.
out=$(demo --dir "$area" 2>&1)
rc=$?
printf '%s\n' "$out" >"$H_DIR/demo.out"
[ "$rc" -eq 0 ] || { tail -n 40 "$H_DIR/demo.out" >&2; h_fail "scripts/demo --dir exited $rc"; }
h_expect 'configuration valid' "$out" "the demo's config check"
h_expect 'stored at the broker, waiting for the MASH' "$out" "the store-and-forward step"
h_expect 'waited [0-9]+\.[0-9]+ seconds at the broker' "$out" "the store-and-forward step"
h_expect 'Maisie Example, born 2016-05-14' "$out" "the MASH opening the concern"
h_expect 'The MASH acknowledged at .*: in time\.' "$out" "the acknowledgement deadline"
h_expect 'CAMHS decided at .*: in time\.' "$out" "the CAMHS decision deadline"
h_expect '^ +[0-9TZ:.-]+ +feedback +mash ' "$out" "the concern's timeline"
# The missed deadline, on a simulated clock, clearly labelled.  (Prose and
# the notices' texts are wrapped: $flat reads them as one line.)
flat=$(tr '\n' ' ' <<<"$out" | tr -s ' ')
h_expect '^SIMULATED CLOCK: ' "$out" "the missed-deadline step"
h_expect 'SIMULATED CLOCK: .* restarted with their clocks moved forward by [0-9]+ hours \(DUTYNET_CLOCK_OFFSET_MS=[0-9]+\)\. ' \
	"$flat" "the missed-deadline step"
h_expect '^ +[0-9:.TZ-]+ +ack +sender +[0-9a-f-]{36} +housing +overdue by [0-9dhm ]+ working \([0-9dhm ]+ clock\); 0 reminders, 1 escalation$' \
	"$out" "the school's deadlines"
h_expect '^ +[0-9:.TZ-]+ +ack +recipient +[0-9a-f-]{36} +school-stmarys +overdue by .*; 3 reminders, 1 escalation$' \
	"$out" "Housing's deadlines"
h_expect '^ +[0-9:.TZ-]+ +- +told +[0-9a-f-]{36} +- +overdue by ' "$out" "the MASH's deadlines"
h_expect 'Escalation: the referral [0-9a-f-]{36} \(case STM-0151\) from school-stmarys to housing was due to be acknowledged by [0-9-]+ [0-9:]+ London time \(2 working days\); it is [0-9]+ h [0-9]+ min late in housing.s working time \([0-9]+ h [0-9]+ min clock time\)\. This notice goes to school-stmarys \(the sender\)\.' \
	"$flat" "the school's notice"
h_expect 'This notice goes to mash \(Children.s Services MASH \(front door\)\)\. If it is still not done, lscp \(Local Safeguarding Children Partnership\) will be told at ' \
	"$flat" "the MASH's notice"
for who in 'reminder\|housing\|notice=[0-9a-f-]{36} to=housing \(recipient\) ack due' \
	'escalation\|school-stmarys\|notice=[0-9a-f-]{36} to=school-stmarys \(sender\) ack due' \
	'escalation\|housing\|notice=[0-9a-f-]{36} to=housing \(recipient\) ack due' \
	'escalation\|mash\|notice=[0-9a-f-]{36} to=mash \(chain\) ack due'; do
	h_expect "^ +$who " "$out" "the broker's audit of the notices"
done
h_expect '^ +ack +within 2 working days +due [0-9:.TZ-]+: LATE, done [0-9:.TZ-]+, [0-9dhm ]+ working \([0-9dhm ]+ clock\) after it$' \
	"$out" "the late acknowledgement at the school"
h_expect '^ +deadline-late\|housing\|ack by housing, due [0-9:.TZ-]+, late by [0-9]+ h [0-9]+ min working time \([0-9]+ ms\), [0-9]+ h [0-9]+ min clock time' \
	"$out" "the late acknowledgement at the broker"
h_expect 'stops the escalation: the Local Safeguarding Children Partnership will not be told\.' \
	"$out" "the cancelled escalation"
# Out of hours, on the simulated clock.
h_expect '^SIMULATED CLOCK again: ' "$out" "the out-of-hours step"
h_expect 'SIMULATED CLOCK again: .* clocks moved forward by [0-9]+ hours \(DUTYNET_CLOCK_OFFSET_MS=[0-9]+\), to 03:00 (GMT|BST) on [A-Z][a-z]{2} [0-9]+ [A-Z][a-z]{2}, when the MASH is closed\.' \
	"$flat" "the out-of-hours step"
h_expect '^ +Out of hours: also sent to edt \(Emergency Duty Team\) as [0-9a-f-]{36}' "$out" \
	"the police's concern at 03:00"
h_expect '^ +[0-9a-f-]{36} +[0-9:.TZ-]+ +police-cpu +concern +urgent +received +CPU-2611-031$' \
	"$out" "the emergency duty team's inbox"
h_expect 'broker\.db: [0-9]+ entries, chain intact' "$out" "the audit step"
h_expect 'tampered-copy-of-mash\.db: ALTERED: audit seq [0-9]+ ' "$out" "the tampering step"
h_expect 'stopped cleanly' "$out" "the stop step"
h_expect_not 'FAILED' "$out" "the demo's output"

for f in conf/directory.conf conf/policy.conf conf/broker.conf conf/keys/broker.key \
	conf/keys/broker.pub conf/run/broker/broker.db log/broker.log selftest.txt \
	forms/concern-maisie.json forms/referral-leo.json forms/concern-oscar.json \
	forms/referral-ava.json forms/concern-jayden.json; do
	[ -s "$area/$f" ] || h_fail "the demo did not leave $f in --dir"
done
for f in "$area"/conf/agents/*.conf; do
	id=$(basename "$f" .conf)
	for g in "conf/keys/$id.key" "conf/run/$id/agent.db" "log/agent-$id.log"; do
		[ -s "$area/$g" ] || h_fail "the demo did not leave $g in --dir"
	done
	[ "$(stat -c %a "$area/conf/keys/$id.key")" = 600 ] || h_fail "$id.key is not mode 0600"
done
# The auditor's step: the tool verified every log, reconciled, and wrote a
# self-contained HTML report into the kept directory.
h_expect '^      verify: OK: [0-9]+ logs verified' "$out" "dutynet-audit verify"
h_expect '^      reconcile: [0-9]+ messages in [0-9]+ logs' "$out" "dutynet-audit reconcile"
[ -s "$area/report.html" ] || h_fail "the demo left no report.html"
grep -q '<svg' "$area/report.html" || h_fail "report.html has no SVG chart"
if grep -Eq '(src|href)="https?:' "$area/report.html"; then
	h_fail "report.html loads an external asset"
fi
# Every daemon stopped: nothing runs with this configuration any more.
if pgrep -f -- "--config $area/conf" >/dev/null; then
	h_fail "daemons of the demo still run: $(pgrep -af -- "--config $area/conf")"
fi
grep -q 'event=stopping' "$area/log/broker.log" || h_fail "the broker was not stopped by a signal"
for f in "$area"/log/*.log; do
	h_sanitizer_clean "$f"
done
h_audit_ok "$area/conf/run/broker/broker.db"
# What the demo said of the deadline is what the broker recorded: housing's
# ack late, the chain's steps up to the MASH fired, the partnership's cancelled.
bq() {
	sqlite3 -readonly "$area/conf/run/broker/broker.db" "$1"
}
[ "$(bq "SELECT count(*) FROM deadlines WHERE recipient = 'housing' AND step = 'ack'
	AND state = 'late' AND late_working_ms > 0 AND late_clock_ms > late_working_ms")" = 1 ] ||
	h_fail "the broker did not record housing's acknowledgement as late"
[ "$(bq "SELECT group_concat(tell || '=' || state, ' ') FROM (SELECT t.tell, t.state
	FROM deadline_timers t JOIN deadlines d USING (message_id, step) WHERE d.recipient = 'housing'
	AND t.step = 'ack' AND t.kind = 'escalation' ORDER BY t.fire_ms, t.ord)")" = \
	"school-stmarys=fired housing=fired mash=fired lscp=cancelled" ] ||
	h_fail "housing's escalation chain did not fire up to the MASH and stop there"
for id in school-stmarys mash camhs housing police-cpu edt; do
	h_audit_ok "$area/conf/run/$id/agent.db"
done

# Without --dir: a temporary directory, removed at the end.
mkdir "$H_DIR/tmp"
out=$(TMPDIR=$H_DIR/tmp demo 2>&1)
rc=$?
[ "$rc" -eq 0 ] || { printf '%s\n' "$out" | tail -n 40 >&2; h_fail "scripts/demo exited $rc"; }
h_expect 'temporary directory is removed' "$out" "the demo without --dir"
[ -z "$(ls -A "$H_DIR/tmp")" ] || h_fail "scripts/demo left $(ls -A "$H_DIR/tmp") in TMPDIR"

# Bad command lines: exit 2, nothing started.
demo --dir "$area" >/dev/null 2>&1
[ $? -eq 2 ] || h_fail "a non-empty --dir did not exit 2"
demo --frobnicate >/dev/null 2>&1
[ $? -eq 2 ] || h_fail "an unknown option did not exit 2"
demo --dir >/dev/null 2>&1
[ $? -eq 2 ] || h_fail "--dir without a directory did not exit 2"
demo --help | grep -q -- '--dir DIR' || h_fail "scripts/demo --help lacks --dir"
h_pass
