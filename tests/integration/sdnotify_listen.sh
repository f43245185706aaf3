#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The sd_notify path end to end, without systemd as PID 1: tests/tools/
# notify_listen plays systemd's notify socket around tests/tools/
# notify_daemon, a stand-in daemon using common/sdnotify.c the way the real
# daemons do.  Checks: READY=1 comes once the daemon accepts work (a probe
# run at READY=1 finds it ready), every message comes from the main pid
# (the units say NotifyAccess=main), WATCHDOG=1 keeps coming at least once
# per WATCHDOG_USEC, STOPPING=1 on SIGTERM, and no watchdog pings when
# systemd asks for none.  A daemon that says READY=1 too early is caught.
set -euo pipefail
tools=${DUTYNET_BINARY_DIR:?run from ctest}/tests/tools
listen=$tools/notify_listen
daemon=$tools/notify_daemon
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
out=$dir/out

fail() { echo "sdnotify_listen: $*" >&2; cat "$out" >&2; exit 1; }

# WATCHDOG_USEC=1 s, so pings every 500 ms; 3 s of running, so 6 pings.
watchdog_usec=1000000
"$listen" -t 3 -w "$watchdog_usec" -r "test -e '$dir/ready'" -- "$daemon" "$dir/ready" >"$out" ||
	fail "notify_listen exited $?"
pid=$(awk '$2 == "-" && $3 == "start" { sub("pid=", "", $4); print $4 }' "$out")
[ -n "$pid" ] || fail "no start line"
awk -v pid="$pid" '$2 != "-" && $2 != pid { bad = 1 } END { exit bad }' "$out" ||
	fail "a message came from a pid other than the main process $pid"
awk '
	$3 == "STATUS=starting" && !ready { starting = 1 }
	$3 == "READY=1" { ready++ }
	$3 == "WATCHDOG=1" && !ready { early = 1 }
	END { exit !(starting && ready == 1 && !early) }' "$out" ||
	fail "want STATUS=starting, then exactly one READY=1, and no WATCHDOG=1 before it"
grep -Eq '^[0-9]+ - probe exit=0$' "$out" || fail "the daemon did not accept work when it said READY=1"
awk -v limit_ms=$((watchdog_usec / 1000)) '
	$3 == "READY=1" { last = $1 }
	$3 == "WATCHDOG=1" { n++; if ($1 - last >= limit_ms) gap = 1; last = $1 }
	$3 == "timeout" { if ($1 - last >= limit_ms) gap = 1 }
	END { exit !(n >= 4 && !gap) }' "$out" ||
	fail "WATCHDOG=1 did not keep coming at least every $((watchdog_usec / 1000)) ms"
awk '$3 == "timeout" { t = 1 } $3 == "STOPPING=1" && t { s = 1 } $3 == "exit=0" && s { e = 1 }
	END { exit !e }' "$out" || fail "want STOPPING=1 after SIGTERM, then exit 0"
[ ! -e "$dir/ready" ] || fail "notify_daemon did not clean up"

# No watchdog asked for: READY=1 and STOPPING=1, never WATCHDOG=1.
"$listen" -t 0.5 -- "$daemon" "$dir/ready" >"$out" || fail "notify_listen exited $?"
grep -Eq '^[0-9]+ [0-9]+ READY=1$' "$out" || fail "no READY=1 without a watchdog"
grep -q 'WATCHDOG=1' "$out" && fail "WATCHDOG=1 sent though systemd asked for no watchdog"
grep -Eq '^[0-9]+ [0-9]+ STOPPING=1$' "$out" || fail "no STOPPING=1 without a watchdog"

# The probe can fail: a daemon that says READY=1 before it accepts work.
"$listen" -t 5 -r "test -e '$dir/late'" -- \
	sh -c "systemd-notify --ready; sleep 1; touch '$dir/late'" >"$out" ||
	fail "notify_listen exited $?"
grep -Eq '^[0-9]+ - probe exit=1$' "$out" || fail "a premature READY=1 went unnoticed"
grep -Eq '^[0-9]+ - exit=0$' "$out" || fail "the early daemon's exit was not reported"

# Bad command lines.
rc=0
"$listen" -t nonsense -- true >"$out" 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "-t nonsense exited $rc, not 2"
grep -q "'nonsense' is not a positive number" "$out" || fail "bad -t not named"
echo "sdnotify_listen: ok"
