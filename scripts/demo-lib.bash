# SPDX-License-Identifier: ISC
# demo-lib.bash: the machinery of scripts/demo, kept apart from its story:
# printing steps and command excerpts, running the real programs (the broker,
# one agent per agency, the dutynet command), waiting with a deadline, and
# stopping everything on any exit.  Sourced by scripts/demo; not a program.
#
# Every wait here is bounded.  On any failure `fail` says what failed, shows
# the last lines of the logs concerned, and exits non-zero; the EXIT trap
# (demo_cleanup) then stops every daemon the demo started, and only those.
#
# Expects from scripts/demo: TOP (source tree), BIN (build tree), AREA (the
# demo directory), KEEP (1 with --dir), PY (Debian's python3).

# Seconds: a daemon to say event=ready, to stop on SIGTERM, a dutynet
# command to answer, and the default for a wait.
DEMO_READY_TIMEOUT=15
DEMO_STOP_TIMEOUT=10
DEMO_CLI_TIMEOUT=30
DEMO_WAIT_TIMEOUT=20
# Log lines shown when something fails.
DEMO_TAIL_LINES=20
# Ports tried for the broker: a free one picked by the kernel, then moved
# if someone takes it before the broker binds.
DEMO_BIND_TRIES=5

declare -A DEMO_PIDS=()
DEMO_STEP=0
DEMO_FAILED=0
# The last dutynet command's output and exit status.
OUT=
RC=0

# ---- printing

# heading TEXT: the next numbered step.
heading() {
	DEMO_STEP=$((DEMO_STEP + 1))
	printf '\n== %d. %s\n\n' "$DEMO_STEP" "$1"
}

say() {
	printf '%s\n' "$@"
}

# show_cmd WHO ARGS...: the command line as someone at WHO would type it.
show_cmd() {
	local who=$1 a line=
	shift
	for a in "$@"; do
		if [[ $a =~ ^[A-Za-z0-9@%+=:,./_*-]+$ ]]; then
			line+=" $a"
		else
			line+=" \"$a\""
		fi
	done
	printf '  [%s]$%s\n' "$who" "$line"
}

# show_out [FILTER...]: $OUT indented, through FILTER (e.g. head -n 5).
show_out() {
	if [ $# -gt 0 ]; then
		"$@" <<<"$OUT"
	else
		cat <<<"$OUT"
	fi | sed 's/^/      /'
}

# ---- failing

# fail TEXT [LOG...]: says what failed, shows the end of each LOG (names
# under $AREA/log, default the broker's), and exits 1; the trap stops the rest.
fail() {
	local what=$1 f
	shift
	DEMO_FAILED=1
	printf '\nscripts/demo: FAILED: %s\n' "$what" >&2
	[ $# -gt 0 ] || set -- broker.log
	for f in "$@"; do
		[ -f "$AREA/log/$f" ] || continue
		printf -- '--- last %d lines of %s\n' "$DEMO_TAIL_LINES" "$AREA/log/$f" >&2
		tail -n "$DEMO_TAIL_LINES" "$AREA/log/$f" >&2
	done
	exit 1
}

# ---- the dutynet command, as one agency

# dn AGENCY ARGS...: runs `dutynet ARGS` as AGENCY's staff would (their
# agent's control socket), bounded in time; output in $OUT, status in $RC.
dn() {
	local agency=$1
	shift
	OUT=$(DUTYNET_CONFIG=$CONF DUTYNET_AGENCY=$agency \
		timeout "$DEMO_CLI_TIMEOUT" "$BIN/agents/cli/dutynet" "$@" 2>&1)
	RC=$?
	return "$RC"
}

# must AGENCY ARGS...: dn, failing the demo if it does not exit 0.
must() {
	local agency=$1
	dn "$@" && return 0
	shift
	printf '%s\n' "$OUT" >&2
	fail "'dutynet $*' at $agency exited $RC" "agent-$agency.log" broker.log
}

# run_shown AGENCY ARGS...: must, showing the command and its output.
run_shown() {
	local agency=$1
	shift
	show_cmd "$agency" dutynet "$@"
	must "$agency" "$@"
	show_out
}

# dutynet_cmd ARGS...: the dutynet command for what needs no agent
# (keygen, config check, selftest, calendar), bounded in time.
dutynet_cmd() {
	timeout "$DEMO_CLI_TIMEOUT" "$BIN/agents/cli/dutynet" "$@"
}

# broker_status: the broker's counters (dutynet-broker --status) in $OUT.
broker_status() {
	OUT=$(DUTYNET_CONFIG=$CONF timeout "$DEMO_CLI_TIMEOUT" "$BIN/broker/dutynet-broker" --status 2>&1) ||
		fail "dutynet-broker --status did not answer: $OUT"
}

# msg_id: the message id in the output of `dutynet send` (or ack, decide).
msg_id() {
	sed -nE 's/^queued [a-z]+ ([0-9a-f-]{36}) .*/\1/p' <<<"$OUT" | head -n 1
}

# ---- reading `dutynet status ID --json`

# state AGENCY ID: where the message is, as AGENCY sees it.
state() {
	dn "$1" status "$2" --json || return 1
	"$PY" -c 'import json, sys; print(json.load(sys.stdin)["state"])' <<<"$OUT"
}

# state_is AGENCY ID STATE: true once it is there.
state_is() {
	[ "$(state "$1" "$2" 2>/dev/null)" = "$3" ]
}

# event_time AGENCY ID EVENT: when EVENT happened to message ID itself
# (RFC 3339, UTC), from AGENCY's timeline; empty if it has not.
event_time() {
	dn "$1" status "$2" --json || return 1
	"$PY" -c '
import json, sys
for e in json.load(sys.stdin)["timeline"]:
    if e["event"] == sys.argv[2] and e.get("message_id") == sys.argv[1]:
        print(e["time"])
        break' "$2" "$3" <<<"$OUT"
}

# deadline_info ID STEP: "within|due" of STEP (ack, decision, feedback) of
# message ID, as the school's agent tracks it (`dutynet status --json`,
# "deadlines"); empty if it tracks none.
deadline_info() {
	dn school-stmarys status "$1" --json || return 1
	"$PY" -c '
import json, sys
for d in json.load(sys.stdin).get("deadlines") or []:
    if d.get("step") == sys.argv[1] and d.get("due"):
        print(d["within"] + "|" + d["due"])
        break' "$2" <<<"$OUT"
}

# clock TIME: "10:42:07 GMT" (or BST): UK time, where the agencies are.
clock() {
	TZ=Europe/London date -d "$1" '+%H:%M:%S %Z'
}

# day_clock TIME: "10:42 GMT on Tue 24 Nov", UK time.
day_clock() {
	TZ=Europe/London date -d "$1" '+%H:%M %Z on %a %-d %b'
}

# ms TIME: Unix milliseconds.
ms() {
	date -d "$1" '+%s%3N'
}

# seconds_between T1 T2: "0.004" (seconds, 3 decimals).
seconds_between() {
	local d=$(($(ms "$2") - $(ms "$1")))
	printf '%d.%03d' $((d / 1000)) $((d % 1000))
}

# ---- directory.conf, read the simple way (the file scripts/demo copied)

# agency_setting ID KEY: the string value of KEY in ID's entry, or empty.
agency_setting() {
	awk -v id="$1" -v key="$2" '
		function val() { match($0, /"[^"]*"/); return substr($0, RSTART + 1, RLENGTH - 2) }
		$1 == "id" && $2 == "=" { cur = val() }
		cur == id && $1 == key && $2 == "=" { print val(); exit }' "$CONF/directory.conf"
}

# agency_ids: every agency id in directory.conf, in order (not the broker).
agency_ids() {
	awk '$1 == "id" && $2 == "=" { match($0, /"[^"]*"/); v = substr($0, RSTART + 1, RLENGTH - 2)
		if (v != "broker") print v }' "$CONF/directory.conf"
}

# agent_ids: the agencies with an agent in this area (agents/ID.conf).
agent_ids() {
	local f
	for f in "$CONF"/agents/*.conf; do
		[ -f "$f" ] && basename "$f" .conf
	done
}

# count_words N THING: "six agents" (digits above twelve).
count_words() {
	local words=(no one two three four five six seven eight nine ten eleven twelve)
	if [ "$1" -le 12 ]; then
		echo "${words[$1]} $2"
	else
		echo "$1 $2"
	fi
}

# ---- waiting

# wait_until SECONDS WHAT LOG COMMAND...: polls COMMAND until it succeeds;
# past the deadline, fails naming WHAT and showing LOG.  A daemon that dies
# meanwhile fails the demo at once.
wait_until() {
	local secs=$1 what=$2 log=$3 deadline
	shift 3
	deadline=$((SECONDS + secs))
	until "$@"; do
		all_alive
		[ "$SECONDS" -lt "$deadline" ] || fail "$what did not happen within ${secs}s" "$log" broker.log
		sleep 0.1
	done
}

# all_alive: fails the demo if a daemon it started has exited.
all_alive() {
	local name rc
	for name in "${!DEMO_PIDS[@]}"; do
		kill -0 "${DEMO_PIDS[$name]}" 2>/dev/null && continue
		wait "${DEMO_PIDS[$name]}" 2>/dev/null
		rc=$?
		unset "DEMO_PIDS[$name]"
		fail "$name stopped unexpectedly (exit status $rc)" "$(log_of "$name")"
	done
}

# ---- daemons

ready_count() {
	local n
	n=$(grep -c 'event=ready' "$1" 2>/dev/null)
	echo "${n:-0}"
}

# start_daemon NAME LOG ARGS...: starts ARGS in the background, logging to
# $AREA/log/LOG, and waits for its first new event=ready line; 1 if it
# exited or did not get ready in time (then it is not running).  Each
# daemon has a session of its own (setsid, which keeps the pid), so a Ctrl-C
# at the terminal reaches the demo alone, whose trap stops the daemons in
# order.
start_daemon() {
	local name=$1 log=$AREA/log/$2 before pid deadline
	shift 2
	before=$(ready_count "$log")
	setsid "$@" 2>>"$log" &
	pid=$!
	DEMO_PIDS[$name]=$pid
	deadline=$((SECONDS + DEMO_READY_TIMEOUT))
	while [ "$SECONDS" -lt "$deadline" ]; do
		[ "$(ready_count "$log")" -gt "$before" ] && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	kill_daemon "$name"
	return 1
}

# stop_daemon NAME: SIGTERM, then it must exit 0 within the timeout.
stop_daemon() {
	local name=$1 pid=${DEMO_PIDS[$1]:-} deadline rc
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null
	deadline=$((SECONDS + DEMO_STOP_TIMEOUT))
	while kill -0 "$pid" 2>/dev/null; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			kill_daemon "$name"
			fail "$name did not stop within ${DEMO_STOP_TIMEOUT}s of SIGTERM" \
				"$(log_of "$name")"
		fi
		sleep 0.05
	done
	wait "$pid" 2>/dev/null
	rc=$?
	unset "DEMO_PIDS[$name]"
	[ "$rc" -eq 0 ] || fail "$name exited with status $rc when asked to stop" "$(log_of "$name")"
}

# kill_daemon NAME: SIGKILL, quietly; for the cleanup and failed starts.
kill_daemon() {
	local pid=${DEMO_PIDS[$1]:-}
	[ -n "$pid" ] || return 0
	{ kill -KILL "$pid" && wait "$pid"; } 2>/dev/null
	unset "DEMO_PIDS[$1]"
}

log_of() {
	case $1 in
	broker) echo broker.log ;;
	*) echo "agent-$1.log" ;;
	esac
}

# start_agent ID: starts ID's agent; if another program took its web
# inbox's port meanwhile, moves the inbox to a free port (web_move, in
# demo-web.bash) and tries again.
start_agent() {
	local _
	for _ in $(seq "$DEMO_BIND_TRIES"); do
		start_daemon "$1" "agent-$1.log" "$BIN/agents/dutynet-agent" --config "$CONF" \
			--agency "$1" && return 0
		tail -n 1 "$AREA/log/agent-$1.log" | grep -q 'event=startup-failed text="web inbox:' ||
			break
		web_move "$1"
	done
	fail "the agent of $1 did not start" "agent-$1.log"
}

# connected AGENCY: its agent has a session with the broker.
connected() {
	dn "$1" outbox --json || return 1
	"$PY" -c 'import json, sys; sys.exit(json.load(sys.stdin)["broker"]["state"] != "connected")' \
		<<<"$OUT"
}

# demo_cleanup: the EXIT trap.  Stops whatever is still running (SIGTERM,
# then SIGKILL after the timeout), and removes a temporary area unless the
# demo failed (then its logs say why); an interrupted demo leaves nothing.
demo_cleanup() {
	local rc=$? name pid deadline
	trap - EXIT INT TERM HUP
	for name in "${!DEMO_PIDS[@]}"; do
		kill -TERM "${DEMO_PIDS[$name]}" 2>/dev/null
	done
	deadline=$((SECONDS + DEMO_STOP_TIMEOUT))
	for name in "${!DEMO_PIDS[@]}"; do
		pid=${DEMO_PIDS[$name]}
		while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do
			sleep 0.05
		done
		kill_daemon "$name"
	done
	if [ -n "${AREA:-}" ] && [ "${KEEP:-0}" != 1 ]; then
		if [ "$DEMO_FAILED" -ne 0 ] || { [ "$rc" -ne 0 ] && [ "$rc" -ne 130 ]; }; then
			echo "scripts/demo: kept $AREA (configuration, databases, logs) for inspection" >&2
		else
			rm -rf -- "$AREA"
		fi
	fi
	exit "$rc"
}

demo_interrupted() {
	echo >&2
	echo "scripts/demo: interrupted; stopping every daemon it started" >&2
	exit 130
}
