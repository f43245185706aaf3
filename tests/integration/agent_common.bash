# SPDX-License-Identifier: ISC
# agent_common.bash: what the agent_*.sh tests share on top of
# tests/support/harness.sh (which starts and stops the daemons): running the
# dutynet command as an agency, polling with a deadline, reading an agent's
# database with the plain sqlite3 tool, and checking its audit chain with an
# independent implementation (Python, from SCHEMA.md alone).  Not a test
# itself (ctest runs *.sh only).

. "$(dirname "${BASH_SOURCE[0]}")/../support/harness.sh"

# Python with python3-msgpack (Debian's; scripts/deps installs it).
A_PY=/usr/bin/python3
# A referral's fields, as options for `dutynet send`.
A_REFERRAL=(--child-name "Ann Example" --dob 2015-03-02 --category neglect
	--summary "Came to school hungry three days running" --referrer-name "Sam Patel"
	--referrer-role "Designated Safeguarding Lead" --referrer-contact "01632 960101"
	--lawful-basis "Children Act 1989 s17" --consent yes)

# cli AGENCY ARGS...: the dutynet command as AGENCY's user would run it.
cli() {
	local agency=$1
	shift
	DUTYNET_CONFIG=$H_CONF DUTYNET_AGENCY=$agency timeout "$H_TC_TIMEOUT" "$H_CLI" "$@"
}

# The agent database of AGENCY (data_dir of the example configuration).
a_db() {
	echo "$H_CONF/run/$1/agent.db"
}

# a_sql AGENCY SQL: one query against AGENCY's agent database.
a_sql() {
	sqlite3 -cmd ".timeout 5000" "$(a_db "$1")" "$2"
}

# wait_for SECONDS DESCRIPTION COMMAND...: polls COMMAND until it succeeds,
# failing the test when the deadline passes.
wait_for() {
	local secs=$1 what=$2 deadline
	shift 2
	deadline=$((SECONDS + secs))
	until "$@"; do
		[ "$SECONDS" -lt "$deadline" ] || h_fail "not within ${secs}s: $what"
		sleep 0.1
	done
}

# The "id" of a --json answer.
json_id() {
	sed -nE 's/^\{"id": "([0-9a-f-]{36})".*/\1/p' <<<"$1"
}

# sql_eq AGENCY SQL VALUE: true when the query answers VALUE.
sql_eq() {
	[ "$(a_sql "$1" "$2" 2>/dev/null)" = "$3" ]
}

# a_offset_to INSTANT: the milliseconds from now to INSTANT (RFC 3339), for
# DUTYNET_CLOCK_OFFSET_MS: a daemon started with it lives at that instant.
a_offset_to() {
	echo $(($(date -d "$1" +%s%3N) - $(date +%s%3N)))
}

# a_start_at INSTANT AGENCY...: the broker and the agents of AGENCY..., all
# with their clocks at INSTANT (the same offset, so they agree).
a_start_at() {
	local off a
	off=$(a_offset_to "$1")
	shift
	DUTYNET_CLOCK_OFFSET_MS=$off start_broker
	for a in "$@"; do
		DUTYNET_CLOCK_OFFSET_MS=$off start_agent "$a"
	done
}

# a_stop AGENCY...: stops those agents, then the broker.
a_stop() {
	local a
	for a in "$@"; do
		stop_agent "$a"
	done
	stop_broker
}

# a_concern FROM TO CASE [OPTION...]: FROM sends TO a concern (A_REFERRAL's
# fields), waits until it is delivered (signed receipt), and prints its id;
# fails (in a subshell: use `id=$(a_concern ...) || h_fail ...`) otherwise.
a_concern() {
	local from=$1 to=$2 case=$3 out id
	shift 3
	out=$(cli "$from" send concern --to "$to" --case "$case" "${A_REFERRAL[@]}" "$@" \
		--json) || h_fail "send failed: $out"
	id=$(json_id "$out")
	[ -n "$id" ] || h_fail "send printed no id: $out"
	wait_for 20 "the concern $case delivered" sql_eq "$from" \
		"SELECT state FROM outbox WHERE lower(hex(message_id)) = '${id//-/}'" delivered
	echo "$id"
}

# audit_ok DB: the audit chain verifies (SCHEMA.md, "Audit log"), checked by
# the independent implementation the harness uses (h_audit_ok).
audit_ok() {
	h_audit_ok "$1"
}

a_init() {
	"$A_PY" -c 'import msgpack' 2>/dev/null ||
		{ echo "FAIL: $A_PY lacks msgpack: run scripts/deps" >&2; exit 1; }
	h_init
}
