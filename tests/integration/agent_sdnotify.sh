#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# dutynet-agent under a stand-in for systemd's notify socket
# (tests/tools/notify_listen), as systemd/dutynet-agent@.service runs it
# (Type=notify, WatchdogSec=): READY=1 exactly once and only when the
# control socket answers (the probe runs `dutynet inbox` at READY=1), all
# from the main pid, WATCHDOG=1 from the loop at least every WATCHDOG_USEC
# even with the broker down, STOPPING=1 on SIGTERM, then exit 0.
. "$(dirname "$0")/agent_common.bash"

listen=$H_BIN/tests/tools/notify_listen
[ -x "$listen" ] || h_fail "$listen is not built"
a_init
out=$H_DIR/notify.out
watchdog_usec=1000000
probe="DUTYNET_CONFIG='$H_CONF' DUTYNET_AGENCY=mash '$H_CLI' inbox"
timeout 60 "$listen" -t 3 -w "$watchdog_usec" -r "$probe" -- \
	"$H_AGENT" --config "$H_CONF" --agency mash >"$out" 2>"$H_LOG/agent-mash.log" ||
	h_fail "notify_listen exited $?: $(cat "$out")"
pid=$(awk '$2 == "-" && $3 == "start" { sub("pid=", "", $4); print $4 }' "$out")
[ -n "$pid" ] || h_fail "no start line: $(cat "$out")"
awk -v pid="$pid" '$2 != "-" && $2 != pid { bad = 1 } END { exit bad }' "$out" ||
	h_fail "a notification came from a pid other than the agent's"
[ "$(grep -c ' READY=1$' "$out")" = 1 ] || h_fail "not exactly one READY=1: $(cat "$out")"
grep -Eq '^[0-9]+ - probe exit=0$' "$out" ||
	h_fail "the control socket did not answer at READY=1: $(cat "$out")"
awk -v limit_ms=$((watchdog_usec / 1000)) '
	$3 == "READY=1" { last = $1 }
	$3 == "WATCHDOG=1" { n++; if ($1 - last >= limit_ms) gap = 1; last = $1 }
	$3 == "timeout" { if ($1 - last >= limit_ms) gap = 1 }
	END { exit !(n >= 4 && !gap) }' "$out" ||
	h_fail "WATCHDOG=1 did not keep coming every $((watchdog_usec / 1000)) ms: $(cat "$out")"
awk '$3 == "timeout" { t = 1 } $3 == "STOPPING=1" && t { s = 1 } $3 == "exit=0" && s { e = 1 }
	END { exit !e }' "$out" || h_fail "want STOPPING=1 after SIGTERM, then exit 0: $(cat "$out")"
h_pass
