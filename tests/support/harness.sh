# SPDX-License-Identifier: ISC
# harness.sh: shell functions for the integration tests, which drive the
# real dutynet-broker (and agents) in a throw-away directory, as Redis's
# test suite drives the real server.  Source it, then:
#
#	h_init                    temp area from config/example, fresh keys, a free port
#	h_broker_set KEY VALUE    change one broker.conf setting (before start_broker)
#	start_broker              start it in the background, wait for event=ready
#	start_agent ID            the same for dutynet-agent --agency ID
#	stop_broker / kill9_broker / stop_agent ID
#	tc ARGS...                run dutynet-testclient against the area
#	h_fail MESSAGE            fail the test, showing the daemons' logs
#
# Every wait is bounded; everything started is killed on exit (trap), and
# the directory is removed unless the test failed or DUTYNET_KEEP_TMP=1.
# Variables: H_DIR (temp area), H_CONF (configuration), H_LOG (logs),
# H_PORT, H_ENDPOINT, H_DB (broker database), H_BIN (build directory).

set -u
set -o pipefail

H_SRC=${DUTYNET_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
H_BIN=${DUTYNET_BINARY_DIR:-$H_SRC/build}
H_BROKER=$H_BIN/broker/dutynet-broker
H_AGENT=$H_BIN/agents/dutynet-agent
H_CLI=$H_BIN/agents/cli/dutynet
H_TC=$H_BIN/tests/support/testclient/dutynet-testclient
# Seconds a daemon has to say event=ready, to stop on SIGTERM, and a
# test client has to finish.
H_READY_TIMEOUT=${H_READY_TIMEOUT:-15}
H_STOP_TIMEOUT=10
H_TC_TIMEOUT=${H_TC_TIMEOUT:-30}
# Test ports come from below Linux's ephemeral range (32768-60999 by
# default): a port there can be taken at any moment by an outgoing
# connection's local end, which `ss -tln` does not show, and a daemon's bind
# then fails at random.
H_PORT_MIN=20000
H_PORT_SPAN=12000
H_PORT_TRIES=20

H_DIR=
H_BROKER_PID=
declare -A H_AGENT_PIDS=()
H_FAILED=0

h_log() {
	echo "# $*" >&2
}

h_cleanup() {
	local rc=$? pid
	# Only what this test started; quietly (no "Killed" job notices).
	for pid in $H_BROKER_PID "${H_AGENT_PIDS[@]}"; do
		{ kill -9 "$pid" && wait "$pid"; } 2>/dev/null
	done
	# Test clients a failed test left in the background: each job is a
	# subshell running timeout(1) (which passes the signal on to the
	# client) and tee; its children first, by parent pid.
	for pid in $(jobs -p); do
		{ pkill -TERM -P "$pid"; kill -TERM "$pid" && wait "$pid"; } 2>/dev/null
	done
	if [ "$rc" -ne 0 ] || [ "$H_FAILED" -ne 0 ] || [ "${DUTYNET_KEEP_TMP:-0}" = 1 ]; then
		[ -n "$H_DIR" ] && h_log "kept $H_DIR for inspection"
	elif [ -n "$H_DIR" ]; then
		rm -rf "$H_DIR"
	fi
	exit "$rc"
}

h_fail() {
	H_FAILED=1
	echo "FAIL: $*" >&2
	if [ -n "$H_DIR" ]; then
		for f in "$H_LOG"/*.log; do
			[ -f "$f" ] || continue
			echo "--- last lines of $f" >&2
			tail -n 25 "$f" >&2
		done
	fi
	exit 1
}

# A TCP port nothing listens on now (the broker's bind still decides).
h_free_port() {
	local i p
	for i in $(seq "$H_PORT_TRIES"); do
		p=$((H_PORT_MIN + RANDOM % H_PORT_SPAN))
		if ! ss -Htln "sport = :$p" 2>/dev/null | grep -q .; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# Sets KEY = VALUE in a libconfig file (VALUE written as given: quote strings).
h_conf_set() {
	local file=$1 key=$2 value=$3
	if grep -qE "^[# ]*$key *=" "$file"; then
		sed -i -E "s|^[# ]*$key *=.*|$key = $value;|" "$file"
	else
		echo "$key = $value;" >>"$file"
	fi
}

h_broker_set() {
	h_conf_set "$H_CONF/broker.conf" "$1" "$2"
}

# Points the broker and every agent at endpoint $1.
h_set_endpoint() {
	local f
	H_ENDPOINT=$1
	h_broker_set endpoint "\"$H_ENDPOINT\""
	for f in "$H_CONF"/agents/*.conf; do
		h_conf_set "$f" broker_endpoint "\"$H_ENDPOINT\""
	done
}

h_init() {
	local id
	for f in "$H_BROKER" "$H_CLI" "$H_TC"; do
		[ -x "$f" ] || { echo "FAIL: $f is not built" >&2; exit 1; }
	done
	H_DIR=$(mktemp -d "${TMPDIR:-/tmp}/dutynet-it-XXXXXX")
	trap h_cleanup EXIT
	H_CONF=$H_DIR/conf
	H_LOG=$H_DIR/log
	mkdir -p "$H_LOG"
	cp -r "$H_SRC/config/example" "$H_CONF"
	rm -f "$H_CONF"/keys/*.key "$H_CONF"/keys/*.pub
	for id in $(grep -oE '^[[:space:]]*id = "[a-z0-9-]+"' "$H_CONF/directory.conf" |
		sed -E 's/.*"(.*)"/\1/'); do
		if [ "$id" = broker ]; then
			"$H_CLI" keygen "$id" --broker --dir "$H_CONF/keys" >/dev/null 2>&1
		else
			"$H_CLI" keygen "$id" --dir "$H_CONF/keys" >/dev/null 2>&1
		fi || h_fail "dutynet keygen $id failed"
	done
	H_PORT=$(h_free_port) || h_fail "no free TCP port found"
	h_set_endpoint "tcp://127.0.0.1:$H_PORT"
	# An agent with a web inbox (web_listen) gets a free port of its own, so
	# tests that start the example's agents can run side by side.
	for f in "$H_CONF"/agents/*.conf; do
		if grep -qE '^web_listen *=' "$f"; then
			h_conf_set "$f" web_listen "\"127.0.0.1:$(h_free_port)\"" ||
				h_fail "no free TCP port found"
		fi
	done
	H_DB=$H_CONF/run/broker/broker.db
}

# Waits until log file $1 holds more than $2 lines with event=ready, while
# process $3 lives.
h_wait_ready() {
	local log=$1 before=$2 pid=$3 name=$4 deadline=$((SECONDS + H_READY_TIMEOUT))
	while [ "$SECONDS" -lt "$deadline" ]; do
		if [ "$(h_ready_count "$log")" -gt "$before" ]; then
			return 0
		fi
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.05
	done
	h_log "$name did not say event=ready within ${H_READY_TIMEOUT}s"
	return 1
}

h_ready_count() {
	local n
	n=$(grep -c 'event=ready' "$1" 2>/dev/null)
	echo "${n:-0}"
}

# Starts the broker; on a port taken meanwhile, moves to another one.
start_broker() {
	local log=$H_LOG/broker.log try before
	for try in 1 2 3 4 5; do
		before=$(h_ready_count "$log")
		"$H_BROKER" --config "$H_CONF" -v 2>>"$log" &
		H_BROKER_PID=$!
		h_wait_ready "$log" "$before" "$H_BROKER_PID" broker && return 0
		wait "$H_BROKER_PID" 2>/dev/null
		H_BROKER_PID=
		grep -q 'cannot bind' "$log" || h_fail "the broker did not start"
		H_PORT=$(h_free_port) || h_fail "no free TCP port found"
		h_set_endpoint "tcp://127.0.0.1:$H_PORT"
	done
	h_fail "the broker could not bind any port"
}

# SIGTERM, and the exit status must be 0 within the timeout.
stop_broker() {
	local i rc
	[ -n "$H_BROKER_PID" ] || return 0
	kill -TERM "$H_BROKER_PID"
	for i in $(seq $((H_STOP_TIMEOUT * 20))); do
		kill -0 "$H_BROKER_PID" 2>/dev/null || break
		sleep 0.05
	done
	kill -0 "$H_BROKER_PID" 2>/dev/null && h_fail "the broker ignored SIGTERM"
	wait "$H_BROKER_PID"
	rc=$?
	H_BROKER_PID=
	[ "$rc" -eq 0 ] || h_fail "the broker exited with $rc on SIGTERM"
	h_sanitizer_clean "$H_LOG/broker.log"
}

# Fails if a sanitizer (the -DDUTYNET_SANITIZE=ON build) reported in log $1.
h_sanitizer_clean() {
	if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$1"; then
		h_fail "sanitizer report in $1"
	fi
}

kill9_broker() {
	[ -n "$H_BROKER_PID" ] || return 0
	{ kill -9 "$H_BROKER_PID" && wait "$H_BROKER_PID"; } 2>/dev/null
	H_BROKER_PID=
}

hup_broker() {
	kill -HUP "$H_BROKER_PID"
}

start_agent() {
	local id=$1 log=$H_LOG/agent-$1.log before
	[ -x "$H_AGENT" ] || h_fail "$H_AGENT is not built"
	before=$(h_ready_count "$log")
	"$H_AGENT" --config "$H_CONF" --agency "$id" -v 2>>"$log" &
	H_AGENT_PIDS[$id]=$!
	h_wait_ready "$log" "$before" "${H_AGENT_PIDS[$id]}" "agent $id" ||
		h_fail "agent $id did not start"
}

stop_agent() {
	local pid=${H_AGENT_PIDS[$1]:-}
	[ -n "$pid" ] || return 0
	kill -TERM "$pid"
	timeout "$H_STOP_TIMEOUT" tail --pid="$pid" -f /dev/null
	wait "$pid" 2>/dev/null
	unset "H_AGENT_PIDS[$1]"
}

kill9_agent() {
	local pid=${H_AGENT_PIDS[$1]:-}
	[ -n "$pid" ] || return 0
	{ kill -9 "$pid" && wait "$pid"; } 2>/dev/null
	unset "H_AGENT_PIDS[$1]"
}

# dutynet-testclient against the area, bounded in time; its output is
# printed and also appended to $H_LOG/tc.log.
tc() {
	timeout "$H_TC_TIMEOUT" "$H_TC" --config "$H_CONF" "$@" | tee -a "$H_LOG/tc.log"
}

# The broker database, read with the plain sqlite3 tool.
h_sql() {
	sqlite3 "$H_DB" "$1"
}

# Fails unless the audit chain in database $1 verifies (SCHEMA.md, "Audit
# log"), recomputed independently of common/auditlog.c, in Python
# (scripts/audit-check.py, which the demo uses too).
h_audit_ok() {
	/usr/bin/python3 "$H_SRC/scripts/audit-check.py" --quiet "$1" ||
		h_fail "the audit chain of $1 does not verify"
}

# Fails unless file/text $2 matches the extended regex $1.
h_expect() {
	local pattern=$1 text=$2 what=${3:-output}
	grep -qE -- "$pattern" <<<"$text" || h_fail "$what lacks /$pattern/"
}

h_expect_not() {
	local pattern=$1 text=$2 what=${3:-output}
	if grep -qE -- "$pattern" <<<"$text"; then
		h_fail "$what has /$pattern/"
	fi
}

h_pass() {
	echo "PASS: $(basename "$0")"
}
