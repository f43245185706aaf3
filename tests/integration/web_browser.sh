#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The web inbox in a real browser (issue 9): headless Chromium driven by
# WebDriver (Debian's chromium, chromium-driver, python3-selenium) against
# the real broker and the agents of the school and the MASH, each with its
# web inbox on a free port.  This script sets up the area, the daemons and
# the staff accounts (`dutynet user add`); tests/browser/test_web.py does
# the browsing and the asserting, in two phases:
#
#	main     the school's lead composes an urgent concern; the MASH's
#	         worker finds it at the top of the inbox, acknowledges and
#	         decides; the lead sees the receipt, acknowledgement and
#	         decision on the sent page; wrong password, lockout, a form
#	         without its CSRF token, a viewer's acknowledgement, a summary
#	         with <script>; screenshots and axe-core on every page.
#	overdue  the MASH (and the broker) restarted with their clocks moved
#	         forward (DUTYNET_CLOCK_OFFSET_MS) past the 1-hour acknowledgement
#	         deadline of an immediate concern: shown as overdue.
#
# Screenshots go to $DUTYNET_BINARY_DIR/test-output/web/ (with axe-core's
# results, axe-PHASE.json).  A missing browser, driver, selenium or
# axe-core fails the test (scripts/deps installs them): it never passes
# without having looked.  It runs in both builds of scripts/test - in the
# sanitizer build it puts the agents' web server under a real browser's
# traffic - and takes about 40 seconds.
. "$(dirname "$0")/agent_common.bash"

# Test only: minimum Argon2id limits, so hashing a password is quick.
export DUTYNET_PWHASH_FAST=1
W_PY=/usr/bin/python3
W_TEST=$H_SRC/tests/browser/test_web.py
W_OUT=$H_BIN/test-output/web
# The clock moved forward for the overdue phase: past the 1-hour
# acknowledgement deadline of an immediate concern (policy.conf), in clock
# time at any hour, so it holds whenever the test runs.
W_AHEAD_MS=$((3 * 3600 * 1000))

# The accounts (passwords are made up, 10..128 bytes).
export DN_LEAD=anita.shah DN_LEAD_PW='lead password 1'
export DN_WORKER=tom.reed DN_WORKER_PW='worker password 2'
export DN_VIEWER=val.view DN_VIEWER_PW='viewer password 3'
export DN_LOCKED=lou.locked DN_LOCKED_PW='locked password 4'

# web_port AGENCY: the port of its web inbox (h_init gave it a free one).
web_port() {
	sed -nE 's/^web_listen *= *"127\.0\.0\.1:([0-9]+)";.*/\1/p' "$H_CONF/agents/$1.conf"
}

# user_add AGENCY NAME ROLE PASSWORD
user_add() {
	printf '%s\n' "$4" | cli "$1" user add "$2" --role "$3" >/dev/null ||
		h_fail "dutynet user add $2 at $1 failed"
}

# browse PHASE: runs the browser test's PHASE; fails the test if it fails.
browse() {
	timeout 240 "$W_PY" "$W_TEST" --phase "$1" ||
		h_fail "the browser test's $1 phase failed (screenshots in $W_OUT)"
}

"$W_PY" -c 'import selenium' 2>/dev/null ||
	{ echo "FAIL: $W_PY lacks selenium (python3-selenium): run scripts/deps" >&2; exit 1; }
a_init
mkdir -p "$W_OUT"
rm -f "$W_OUT"/*.png
start_broker
start_agent school-stmarys
start_agent mash
user_add school-stmarys "$DN_LEAD" lead "$DN_LEAD_PW"
user_add school-stmarys "$DN_LOCKED" lead "$DN_LOCKED_PW"
user_add mash "$DN_WORKER" worker "$DN_WORKER_PW"
user_add mash "$DN_VIEWER" viewer "$DN_VIEWER_PW"

export DN_SCHOOL_URL=http://127.0.0.1:$(web_port school-stmarys)
export DN_MASH_URL=http://127.0.0.1:$(web_port mash)
export DN_CLI=$H_CLI DN_CONF=$H_CONF DN_OUT=$W_OUT DN_STATE=$H_DIR/browser-state.json
h_log "school $DN_SCHOOL_URL, MASH $DN_MASH_URL, screenshots in $W_OUT"
browse main

# An immediate concern, delivered; then the broker and the MASH restarted
# with their clocks past its acknowledgement deadline (the broker's notices
# about it reach the MASH too).
DN_OVERDUE_ID=$(a_concern school-stmarys mash STM-OVERDUE --urgency immediate) ||
	h_fail "the immediate concern was not delivered"
export DN_OVERDUE_ID
stop_agent school-stmarys
stop_agent mash
stop_broker
DUTYNET_CLOCK_OFFSET_MS=$W_AHEAD_MS start_broker
DUTYNET_CLOCK_OFFSET_MS=$W_AHEAD_MS start_agent mash
export DN_AHEAD_MS=$W_AHEAD_MS
browse overdue

stop_agent mash
stop_broker
for f in "$H_LOG"/*.log; do
	h_sanitizer_clean "$f"
done
audit_ok "$(a_db mash)"
audit_ok "$(a_db school-stmarys)"
h_log "screenshots: $(cd "$W_OUT" && echo *.png)"
h_pass
