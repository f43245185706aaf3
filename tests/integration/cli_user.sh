#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# `dutynet user add|passwd|disable|list` against a real agent (the MASH of
# the example area; no broker needed): the password read from stdin and,
# through a pseudo-terminal, asked twice without echo; bad names, roles and
# passwords refused with exit 2 and a text naming the value; the hash (at
# the test-only minimum limits) in the users table, the three audit events
# with the password nowhere - not in the database, not in the log.
. "$(dirname "$0")/agent_common.bash"

# Test only: minimum Argon2id limits, so hashing is quick (users.h).
export DUTYNET_PWHASH_FAST=1
PW='correct horse battery'
PW2='a different passphrase'

a_init
start_agent mash

# run_cli EXPECTED-EXIT DESCRIPTION ARGS...: runs `dutynet` as the MASH with
# stdin from $IN; its stdout in $OUT, stderr in $ERR.
IN=/dev/null
run_cli() {
	local want=$1 what=$2 rc=0
	shift 2
	cli mash "$@" <"$IN" >"$H_DIR/out" 2>"$H_DIR/err" || rc=$?
	OUT=$(cat "$H_DIR/out")
	ERR=$(cat "$H_DIR/err")
	[ "$rc" = "$want" ] || h_fail "$what: exit $rc, not $want: $OUT $ERR"
}
pw_file() {
	printf '%s\n' "$1" >"$H_DIR/pw"
	IN=$H_DIR/pw
}

run_cli 0 "user --help" user --help
h_expect '^usage: dutynet user add NAME --role lead\|worker\|viewer' "$OUT"
run_cli 2 "an unknown verb" user remove alice
h_expect "unknown verb 'remove'" "$ERR"
run_cli 0 "an empty list" user list
h_expect 'mash has no web accounts' "$OUT"

pw_file "$PW"
run_cli 0 "user add" user add alice.khan --role worker
h_expect '^added account alice\.khan \(worker\)$' "$OUT"
run_cli 1 "adding alice.khan twice" user add alice.khan --role lead
h_expect "account 'alice\.khan' exists already \(worker\).*\(550 conflict\)" "$ERR"
run_cli 2 "role admin" user add bob --role admin
h_expect "role 'admin' is not lead, worker or viewer" "$ERR"
run_cli 2 "no role" user add bob
h_expect 'role is required; see' "$ERR"
run_cli 2 "a bad name" user add Bob.Smith --role lead
h_expect "account name 'Bob\.Smith' has a character other than a-z" "$ERR"
run_cli 2 "a password on the command line" user add bob --role lead --password "$PW"
h_expect 'not given on the command line' "$ERR"
pw_file 'short'
run_cli 2 "a short password" user add bob --role lead
h_expect 'use 10 to 128 bytes' "$ERR"
IN=/dev/null
run_cli 2 "no password at all" user add bob --role lead
h_expect 'use 10 to 128 bytes' "$ERR"
sql_eq mash "SELECT count(*) FROM users" 1 || h_fail "a refused add left a row"

hash1=$(a_sql mash "SELECT pwhash FROM users WHERE name = 'alice.khan'")
h_expect '^\$argon2id\$v=19\$m=8,t=1,p=1\$' "$hash1" "the stored hash (DUTYNET_PWHASH_FAST)"
sql_eq mash "SELECT role, disabled FROM users" "worker|0" || h_fail "alice.khan's row is wrong"

pw_file "$PW2"
run_cli 0 "user passwd" user passwd alice.khan
h_expect '^changed the password of account alice\.khan \(worker\)$' "$OUT"
hash2=$(a_sql mash "SELECT pwhash FROM users WHERE name = 'alice.khan'")
[ -n "$hash2" ] && [ "$hash2" != "$hash1" ] || h_fail "passwd did not replace the hash"
run_cli 2 "passwd of an unknown account" user passwd nobody
h_expect "there is no account 'nobody'" "$ERR"

run_cli 0 "user disable" user disable alice.khan --json
h_expect '"name": "alice\.khan", "role": "worker", "state": "disabled"' "$OUT"
run_cli 2 "disable an unknown account" user disable nobody
h_expect "there is no account 'nobody'" "$ERR"

# The terminal: asked twice, not echoed; two different answers change nothing.
pty_add() {
	DUTYNET_CONFIG=$H_CONF DUTYNET_AGENCY=mash timeout "$H_TC_TIMEOUT" "$A_PY" - "$H_CLI" "$@" <<'EOF'
import os, pty, select, sys
cli, name, first, second = sys.argv[1:5]
pid, fd = pty.fork()
if pid == 0:
    os.execv(cli, [cli, "user", "add", name, "--role", "viewer"])
seen = b""
def until(want):
    global seen
    while want not in seen:
        r, _, _ = select.select([fd], [], [], 20)
        if not r:
            sys.exit("timed out waiting for %r; got %r" % (want, seen))
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            sys.exit("ended before %r; got %r" % (want, seen))
        if not chunk:
            sys.exit("ended before %r; got %r" % (want, seen))
        seen += chunk
until(b"Password for " + name.encode() + b": ")
os.write(fd, first.encode() + b"\n")
until(b"Again: ")
os.write(fd, second.encode() + b"\n")
while True:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    seen += chunk
_, status = os.waitpid(pid, 0)
sys.stdout.write(seen.decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(status))
EOF
}
rc=0
out=$(pty_add bob.viewer "$PW" "$PW") || rc=$?
[ "$rc" = 0 ] || h_fail "user add on a terminal: exit $rc: $out"
h_expect 'added account bob\.viewer \(viewer\)' "$out" "the terminal"
h_expect_not "$PW" "$out" "the terminal (echo)"
rc=0
out=$(pty_add carol "$PW" "$PW2") || rc=$?
[ "$rc" = 2 ] || h_fail "two different passwords on a terminal: exit $rc: $out"
h_expect 'the two passwords differ; nothing changed' "$out" "the terminal"
sql_eq mash "SELECT count(*) FROM users WHERE name = 'carol'" 0 ||
	h_fail "carol was added with mismatched passwords"

run_cli 0 "user list" user list
h_expect '^NAME +ROLE +STATE +CREATED$' "$OUT"
h_expect '^alice\.khan +worker +disabled +20[0-9]{2}-[0-9]{2}-[0-9]{2}' "$OUT"
h_expect '^bob\.viewer +viewer +enabled +20[0-9]{2}-[0-9]{2}-[0-9]{2}' "$OUT"
run_cli 0 "user list --json" user list --json
h_expect '"name": "alice\.khan", "role": "worker", "state": "disabled", "created": "20' "$OUT"
h_expect '"name": "bob\.viewer", "role": "viewer", "state": "enabled"' "$OUT"

# Audited in the same transaction as each change, never with the password.
events=$(a_sql mash "SELECT event || ':' || detail FROM audit WHERE event LIKE 'user-%' ORDER BY seq")
[ "$events" = "user-added:account alice.khan, role worker
user-password-changed:account alice.khan, role worker
user-disabled:account alice.khan, role worker
user-added:account bob.viewer, role viewer" ] || h_fail "unexpected audit events: $events"
audit_ok "$(a_db mash)"
for pw in "$PW" "$PW2"; do
	if grep -qF -- "$pw" "$H_LOG/agent-mash.log"; then
		h_fail "the agent's log holds a password"
	fi
	[ "$(a_sql mash "SELECT count(*) FROM audit WHERE instr(detail, '$pw') > 0")" = 0 ] ||
		h_fail "the audit log holds a password"
done

# The schema step: the file is at the version that has the users table.
[ "$(a_sql mash "PRAGMA user_version")" -ge 3 ] || h_fail "user_version below 3"

stop_agent mash
run_cli 4 "user list without an agent" user list
h_expect 'the agent is not running' "$ERR"
h_pass
