#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# A key removed from the directory while its connection is open gets
# nothing through: after directory.conf changes and SIGHUP, every message on
# the old connection is refused (521 for a replaced key, 530 for an agency
# removed) and nothing more is delivered to it; a new handshake with the
# old key is refused by ZAP; the new key works and receives what waited.
# ZEROMQ.md trap: "Revocation: ZAP runs at handshake only; a revoked key
# keeps its live connection.  Check the sender against the live directory
# on every message."
. "$(dirname "$0")/../support/harness.sh"
h_init
start_broker

tc --as camhs --timeout 8000 hello expect:cmd=WELCOME sleep:ms=3000 \
	hello expect:cmd=ERROR:code=521 \
	send:to=school-stmarys:type=ack expect:cmd=RESULT:code=521 recv:ms=1000 \
	>"$H_LOG/camhs-old.out" &
old=$!
tc --as housing --timeout 8000 hello expect:cmd=WELCOME sleep:ms=3000 \
	send:to=mash:type=referral expect:cmd=RESULT:code=530 >"$H_LOG/housing.out" &
housing=$!
for f in camhs-old housing; do
	for i in $(seq 100); do
		grep -q '^WELCOME' "$H_LOG/$f.out" 2>/dev/null && break
		sleep 0.05
	done
	grep -q '^WELCOME' "$H_LOG/$f.out" || h_fail "$f did not connect"
done

# camhs's keys are replaced in the directory, and the broker told.
mkdir "$H_DIR/newkeys"
"$H_CLI" keygen camhs --dir "$H_DIR/newkeys" >/dev/null 2>&1 || h_fail "keygen failed"
cp "$H_DIR/newkeys/camhs.pub" "$H_CONF/keys/camhs.pub"
# ... and housing leaves the area.
python3 - "$H_CONF/directory.conf" <<'PY' || h_fail "could not remove housing from directory.conf"
import re, sys
path = sys.argv[1]
text = open(path).read()
cut = re.sub(r'\t\{\n\t\tid = "housing";.*?\n\t\},\n', '', text, flags=re.S)
assert cut != text
open(path, 'w').write(cut)
PY
hup_broker
for i in $(seq 100); do
	grep -q 'event=reload ' "$H_LOG/broker.log" && break
	sleep 0.05
done
grep -q 'event=reload .*6 agencies' "$H_LOG/broker.log" || h_fail "the broker did not reload"

out=$(tc --as school-stmarys hello send:to=camhs:marker=AFTER-REVOCATION expect:cmd=RESULT:code=202) ||
	h_fail "the referral to camhs's new key was not accepted"
wait "$old" || h_fail "the revoked connection got something through: $(cat "$H_LOG/camhs-old.out")"
wait "$housing" || h_fail "the removed agency got something through: $(cat "$H_LOG/housing.out")"
h_expect "RESULT 530 .*agency 'housing' is no longer in the directory" "$(cat "$H_LOG/housing.out")"
h_expect "RESULT 521 .*no longer in the directory" "$(cat "$H_LOG/camhs-old.out")" "old camhs output"
h_expect_not "^DELIVER" "$(cat "$H_LOG/camhs-old.out")" "old camhs output"
[ "$(grep -c '^WELCOME' "$H_LOG/camhs-old.out")" -eq 1 ] || h_fail "the revoked key got a new session"

out=$(tc --as camhs --timeout 3000 hello expect:cmd=EVENT:text=handshake-failed-auth) ||
	h_fail "a new handshake with the old key was not refused"
out=$(tc --key "$H_DIR/newkeys/camhs.key" hello receive:n=1) || h_fail "the new key got nothing"
h_expect 'OPENED 0 .*summary=AFTER-REVOCATION' "$out"
stop_broker
[ "$(h_sql "SELECT count(*) FROM audit WHERE event = 'reload'")" -eq 1 ] || h_fail "the reload was not audited"
h_pass
