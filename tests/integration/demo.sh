#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The README's first command, scripts/demo, with the programs already built
# (DUTYNET_DEMO_NO_BUILD=1, DUTYNET_BINARY_DIR): it runs to the end and
# exits 0; with --dir it leaves the configuration, keys, databases, logs and
# forms there, every daemon stopped, every audit chain intact (checked again
# here) and no sanitizer report; without --dir it removes its temporary
# directory; a bad command line or a non-empty --dir exits 2 and starts
# nothing.
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
h_expect 'broker\.db: [0-9]+ entries, chain intact' "$out" "the audit step"
h_expect 'tampered-copy-of-mash\.db: ALTERED: audit seq [0-9]+ ' "$out" "the tampering step"
h_expect 'stopped cleanly' "$out" "the stop step"
h_expect_not 'FAILED' "$out" "the demo's output"

for f in conf/directory.conf conf/policy.conf conf/broker.conf conf/keys/broker.key \
	conf/keys/broker.pub conf/run/broker/broker.db log/broker.log selftest.txt \
	forms/concern-maisie.json forms/referral-leo.json forms/concern-oscar.json; do
	[ -s "$area/$f" ] || h_fail "the demo did not leave $f in --dir"
done
for f in "$area"/conf/agents/*.conf; do
	id=$(basename "$f" .conf)
	for g in "conf/keys/$id.key" "conf/run/$id/agent.db" "log/agent-$id.log"; do
		[ -s "$area/$g" ] || h_fail "the demo did not leave $g in --dir"
	done
	[ "$(stat -c %a "$area/conf/keys/$id.key")" = 600 ] || h_fail "$id.key is not mode 0600"
done
# Every daemon stopped: nothing runs with this configuration any more.
if pgrep -f -- "--config $area/conf" >/dev/null; then
	h_fail "daemons of the demo still run: $(pgrep -af -- "--config $area/conf")"
fi
grep -q 'event=stopping' "$area/log/broker.log" || h_fail "the broker was not stopped by a signal"
for f in "$area"/log/*.log; do
	h_sanitizer_clean "$f"
done
h_audit_ok "$area/conf/run/broker/broker.db"
for id in school-stmarys mash camhs; do
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
