#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# A corrupt configuration is refused with file:line: dutynet-agent exits 3
# and names the file, the line and the setting of every problem (a value of
# the wrong type, a syntax error, a key file that is not the agency's), and
# starts nothing; the dutynet command says the same and exits 3.  Bad
# command lines exit 2.
. "$(dirname "$0")/agent_common.bash"

a_init
conf=$H_CONF/agents/mash.conf
cp "$conf" "$H_DIR/mash.conf.good"

# expect_refused PATTERN: the agent must exit 3 with PATTERN in its stderr.
expect_refused() {
	local err rc
	err=$(timeout 20 "$H_AGENT" --config "$H_CONF" --agency mash 2>&1)
	rc=$?
	[ "$rc" -eq 3 ] || h_fail "the agent exited $rc, not 3, for: $1 ($err)"
	h_expect "$1" "$err" "the agent's complaint"
	[ ! -e "$H_CONF/run/mash/control.sock" ] || h_fail "it left a control socket"
}

# A wrong type: the line of `window`.
line=$(grep -n '^window' "$conf" | cut -d: -f1)
sed -i 's/^window = .*/window = "many";/' "$conf"
expect_refused "agents/mash.conf:$line: window: "

# A syntax error, on its line.
cp "$H_DIR/mash.conf.good" "$conf"
line=$(grep -n '^heartbeat_ms' "$conf" | cut -d: -f1)
sed -i 's/^heartbeat_ms = .*/heartbeat_ms = = 5;/' "$conf"
expect_refused "agents/mash.conf:$line: syntax"
err=$(cli mash inbox 2>&1)
[ $? -eq 3 ] || h_fail "dutynet did not exit 3 on the broken configuration: $err"
h_expect "agents/mash.conf:$line: syntax" "$err" "dutynet's complaint"

# Two problems at once: both reported in one run.
cp "$H_DIR/mash.conf.good" "$conf"
l1=$(grep -n '^window' "$conf" | cut -d: -f1)
l2=$(grep -n '^retry_initial_ms' "$conf" | cut -d: -f1)
sed -i -e 's/^window = .*/window = 0;/' -e 's/^retry_initial_ms = .*/retry_initial_ms = "x";/' "$conf"
err=$(timeout 20 "$H_AGENT" --config "$H_CONF" --agency mash 2>&1)
h_expect "mash.conf:$l1: window" "$err" "first of two problems"
h_expect "mash.conf:$l2: retry_initial_ms" "$err" "second of two problems"

# Another agency's key file: refused, naming key_file's line.
cp "$H_DIR/mash.conf.good" "$conf"
line=$(grep -n '^key_file' "$conf" | cut -d: -f1)
sed -i 's|^key_file = .*|key_file = "keys/school-stmarys.key";|' "$conf"
expect_refused "agents/mash.conf:$line: key_file: .*school-stmarys"

# A key file others can read: refused.
cp "$H_DIR/mash.conf.good" "$conf"
chmod 644 "$H_CONF/keys/mash.key"
expect_refused "mode 0?644"
chmod 600 "$H_CONF/keys/mash.key"

# An agency with no configuration; bad command lines.
err=$(timeout 20 "$H_AGENT" --config "$H_CONF" --agency camhs-x 2>&1)
[ $? -eq 3 ] || h_fail "an agency without agents/ID.conf did not exit 3"
h_expect "camhs-x" "$err" "missing agency"
timeout 20 "$H_AGENT" --config "$H_CONF" --agency "Not-An-Id" >/dev/null 2>&1
[ $? -eq 2 ] || h_fail "a malformed agency id did not exit 2"
timeout 20 "$H_AGENT" --config "$H_CONF" >/dev/null 2>&1
[ $? -eq 2 ] || h_fail "no --agency did not exit 2"
"$H_AGENT" --help | grep -q 'Exit codes' || h_fail "--help does not document exit codes"

# The good file works.
start_agent mash
cli mash inbox >/dev/null || h_fail "the repaired configuration does not run"
h_pass
