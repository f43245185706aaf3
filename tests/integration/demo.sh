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
# concern at 03:00 also sent to the emergency duty team.  It makes web
# accounts at the school and the MASH, signs in over HTTP, and ends by
# printing the web inboxes' addresses and logins, which work again once the
# kept area's programs are started as the demo says; --serve keeps every
# daemon running until SIGINT, then stops cleanly.  Without --dir it
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

# The web inbox: accounts made, a sign-in over HTTP showing the MASH's
# inbox (the school's urgent concern in it), audited; the end of the output
# the addresses and logins, also kept in web-logins.txt (mode 0600).
h_expect '^      added account anita\.shah \(lead\)$' "$out" "the web step"
h_expect '^      added account tom\.reed \(worker\)$' "$out" "the web step"
h_expect '^      urgent +STM-0142 \(concern\) +decided ' "$out" "the MASH's web inbox"
h_expect '^      login\|tom\.reed, worker from 127\.0\.0\.1$' "$out" "the MASH's audit of the sign-in"
login_re='^      (http://127\.0\.0\.[0-9]+:[0-9]+)/ +user ([a-z.]+) +password ([A-Za-z0-9_-]{16}) +\((lead|worker)\)$'
tail_out=$(tail -n 7 <<<"$out")
h_expect "$login_re" "$tail_out" "the end of the demo's output"
[ "$(grep -cE "$login_re" <<<"$tail_out")" = 2 ] || h_fail "the demo did not end with two web logins"
[ "$(stat -c %a "$area/web-logins.txt")" = 600 ] || h_fail "web-logins.txt is not mode 0600"
[ "$(grep -cE "$login_re" "$area/web-logins.txt")" = 2 ] || h_fail "web-logins.txt lacks the two logins"
# The kept area runs again as the demo says (its clock offset included),
# and the MASH's login it printed signs in.
mash_login=$(grep -A1 '^  mash: ' "$area/web-logins.txt" | tail -n 1)
mash_url=$(sed -nE "s#$login_re#\1#p" <<<"$mash_login")
mash_pw=$(sed -nE "s#$login_re#\3#p" <<<"$mash_login")
[ -n "$mash_url" ] && [ -n "$mash_pw" ] || h_fail "no login for the MASH in web-logins.txt"
offset=$(sed -nE 's|^  DUTYNET_CLOCK_OFFSET_MS=([0-9]+) .*/dutynet-broker --config .*|\1|p' <<<"$out")
[ -n "$offset" ] || h_fail "the demo does not say how to start the broker again with its clock"
H_CONF=$area/conf
# (Unless a test running meanwhile took its web port: then another one.)
if ss -Htln "sport = :${mash_url##*:}" 2>/dev/null | grep -q .; then
	mash_host=${mash_url#http://}
	mash_url=http://${mash_host%:*}:$(h_free_port) || h_fail "no free TCP port found"
	h_conf_set "$H_CONF/agents/mash.conf" web_listen "\"${mash_url#http://}\""
fi
DUTYNET_CLOCK_OFFSET_MS=$offset start_broker
DUTYNET_CLOCK_OFFSET_MS=$offset start_agent mash
jar=$H_DIR/cookies
page=$(curl -sS -m 10 -c "$jar" -b "$jar" "$mash_url/login") || h_fail "no sign-in page at $mash_url"
csrf=$(sed -nE 's/.*<input type="hidden" name="csrf" value="([^"]*)".*/\1/p' <<<"$page")
code=$(printf 'username=tom.reed&password=%s&csrf=%s' "$mash_pw" "$csrf" |
	curl -sS -m 10 -c "$jar" -b "$jar" -o /dev/null -w '%{http_code} %{redirect_url}' \
		--data-binary @- "$mash_url/login")
[ "$code" = "303 $mash_url/inbox" ] || h_fail "the printed MASH login did not sign in: $code"
curl -sS -m 10 -b "$jar" "$mash_url/inbox" | grep -q 'STM-0142' ||
	h_fail "the MASH's inbox lacks STM-0142 after starting again"
stop_agent mash
stop_broker

# --serve: everything runs until SIGINT (Ctrl-C), then stops cleanly.
mkdir "$H_DIR/serve"
# timeout(1) itself in the background (not the demo function, whose
# subshell would ignore SIGINT); --foreground: it passes the signal on to
# the demo alone, as a terminal's Ctrl-C reaches the demo alone.
TMPDIR=$H_DIR/serve DUTYNET_DEMO_NO_BUILD=1 DUTYNET_BINARY_DIR=$H_BIN \
	timeout --foreground "$DEMO_TIMEOUT" "$H_SRC/scripts/demo" --serve >"$H_DIR/serve.out" 2>&1 &
serve_pid=$!
wait_serving() {
	grep -q '^Press Ctrl-C to stop everything\.$' "$H_DIR/serve.out" ||
		{ kill -0 "$serve_pid" 2>/dev/null || h_fail "scripts/demo --serve exited early"; false; }
}
deadline=$((SECONDS + DEMO_TIMEOUT))
until wait_serving; do
	[ "$SECONDS" -lt "$deadline" ] || h_fail "scripts/demo --serve did not start serving"
	sleep 0.2
done
serve_url=$(sed -nE "s#$login_re#\1#p" "$H_DIR/serve.out" | head -n 1)
[ "$(curl -sS -m 10 -o /dev/null -w '%{http_code}' "$serve_url/login")" = 200 ] ||
	h_fail "scripts/demo --serve: $serve_url/login does not answer"
kill -INT "$serve_pid"
wait "$serve_pid"
rc=$?
[ "$rc" -eq 0 ] || { tail -n 30 "$H_DIR/serve.out" >&2; h_fail "scripts/demo --serve exited $rc on SIGINT"; }
h_expect 'stopped cleanly' "$(cat "$H_DIR/serve.out")" "scripts/demo --serve"
h_expect '^They were served until Ctrl-C\.$' "$(cat "$H_DIR/serve.out")" "scripts/demo --serve"
if pgrep -f -- "--config $H_DIR/serve/" >/dev/null; then
	h_fail "daemons of scripts/demo --serve still run"
fi
[ -z "$(ls -A "$H_DIR/serve")" ] || h_fail "scripts/demo --serve left $(ls -A "$H_DIR/serve")"

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
demo --help | grep -q -- '--serve' || h_fail "scripts/demo --help lacks --serve"
h_pass
