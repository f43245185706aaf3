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

# audit_ok DB: the audit chain verifies (SCHEMA.md, "Audit log").
audit_ok() {
	"$A_PY" - "$1" <<'PY' || h_fail "audit chain of $1 does not verify"
import hashlib, msgpack, sqlite3, sys
prev, expect = bytes(32), 1
rows = sqlite3.connect(sys.argv[1]).execute(
    "SELECT seq, time_ms, event, agency, message_id, detail, prev_hash, hash"
    " FROM audit ORDER BY seq")
for seq, t, ev, ag, mid, det, ph, h in rows:
    rec = msgpack.packb([seq, t, ev, ag, mid, det], use_bin_type=True)
    want = hashlib.blake2b(b"dutynet-audit-v1\0" + prev + rec, digest_size=32).digest()
    if seq != expect or ph != prev or h != want:
        sys.exit(f"audit log altered at seq {expect}")
    prev, expect = h, expect + 1
if expect == 1:
    sys.exit("audit log is empty")
PY
}

a_init() {
	"$A_PY" -c 'import msgpack' 2>/dev/null ||
		{ echo "FAIL: $A_PY lacks msgpack: run scripts/deps" >&2; exit 1; }
	h_init
}
