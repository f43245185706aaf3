#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# An unknown CURVE key is refused at the handshake, and the refusal is
# logged and audited with the peer's address and key fingerprint.
# ZEROMQ.md traps: "Only ZAP tells you" and "Fail closed" (a CURVE server
# without a ZAP verdict would accept any key), and "An agent whose key is
# refused never hears why" (the broker audits the failed handshake).
. "$(dirname "$0")/../support/harness.sh"
h_init
start_broker

out=$(tc --random-key --timeout 3000 hello expect:cmd=EVENT:text=handshake-failed-auth recv:ms=500) ||
	h_fail "the unknown key was not refused at the handshake"
h_expect_not '^(WELCOME|RESULT|ERROR|DELIVER)' "$out" "unknown key's output"
h_expect 'event=zap-refused .*key=[0-9a-f]{32}.*not in the directory' "$(cat "$H_LOG/broker.log")" \
	"broker log"

# A known key gets in, and the broker's records of both follow.
tc --as school-stmarys hello expect:cmd=WELCOME >/dev/null || h_fail "a listed key was refused"
stop_broker
audit=$(h_sql "SELECT event || ' ' || detail FROM audit")
h_expect '^zap-refused address=127\.0\.0\.1 key=[0-9a-f]{32} CURVE key not in the directory' \
	"$audit" "audit log"
h_expect '^handshake-failed address=127\.0\.0\.1 key=[0-9a-f]{32} refused by ZAP' "$audit" "audit log"
h_expect '^handshake-ok address=127\.0\.0\.1' "$audit" "audit log"
h_pass
