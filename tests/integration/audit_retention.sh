#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Retention (issue 7) with the real broker and agents: with retention =
# "1 day" in broker.conf and the agents' files, the school sends the MASH two
# concerns; the MASH decides the first and leaves the second undecided.
# Restarted with their clocks two days later (DUTYNET_CLOCK_OFFSET_MS), the
# daemons purge: the MASH the first concern's decrypted payload and envelope
# and its own decision's envelope, the school its sent concerns and the
# received decision, the broker the receipts it kept; the undecided concern
# keeps its content at the MASH (a decision is still owed).  Every row, hash
# and receipt stays; `dutynet show` says the content was purged, when and
# under which setting; status and the inbox still work; and dutynet-audit
# verify (and the independent Python check) pass on copies of all three
# databases, the daemons' own signed checkpoints included.  The deadline
# policy is off here so that no notice arrives after the restart and keeps a
# case open (that rule is test_agent_retention.c's).
. "$(dirname "$0")/audit_common.bash"

# sql_eq_broker SQL VALUE: true when the broker database answers VALUE.
sql_eq_broker() {
	[ "$(sqlite3 -cmd ".timeout 5000" "$H_DB" "$1" 2>/dev/null)" = "$2" ]
}

au_init
sed -i '/^deadlines = (/,/^);/c\deadlines = ();' "$H_CONF/policy.conf"
h_broker_set retention '"1 day"'
for id in school-stmarys mash; do
	h_conf_set "$H_CONF/agents/$id.conf" retention '"1 day"'
done
start_broker
start_agent school-stmarys
start_agent mash

c1=$(a_concern school-stmarys mash RET-1) || h_fail "concern RET-1"
c2=$(a_concern school-stmarys mash RET-2) || h_fail "concern RET-2"
cli mash decide "$c1" accept --by "Jo Bloggs, Duty Social Worker" >/dev/null ||
	h_fail "decide RET-1"
wait_for 20 "the decision delivered to the school" sql_eq mash \
	"SELECT state FROM outbox WHERE type = 5" delivered
wait_for 20 "the school ACKed the decision's receipt" sql_eq school-stmarys \
	"SELECT count(*) FROM inbox WHERE type = 5" 1
out=$(cli mash show "$c1") || h_fail "show before: $out"
h_expect 'Came to school hungry' "$out" "show before the purge"
wait_for 20 "every receipt ACKed at the broker" sql_eq_broker \
	"SELECT count(*) FROM messages WHERE type = 3 AND state = 'delivered'" 3
# Nothing is due yet: a day has not passed.
sql_eq mash "SELECT count(*) FROM inbox WHERE purged_ms IS NOT NULL" 0 ||
	h_fail "the MASH purged content before its period"
a_stop school-stmarys mash

# Two days later.
off=$((2 * 86400000 + 60000))
DUTYNET_CLOCK_OFFSET_MS=$off start_broker
DUTYNET_CLOCK_OFFSET_MS=$off start_agent school-stmarys
DUTYNET_CLOCK_OFFSET_MS=$off start_agent mash
hex1=$(au_hex "$c1")
hex2=$(au_hex "$c2")
wait_for 20 "the MASH purged the decided concern" sql_eq mash \
	"SELECT payload IS NULL AND envelope IS NULL AND purged_ms > 0 AND length(envelope_hash) = 32
	 AND receipt IS NOT NULL AND state = 'decided' FROM inbox WHERE hex(message_id) = '$hex1'" 1
wait_for 20 "the school purged what it sent and received" sql_eq school-stmarys \
	"SELECT (SELECT count(*) FROM outbox WHERE envelope IS NULL AND purged_ms > 0
	 AND receipt IS NOT NULL) || ',' || (SELECT count(*) FROM inbox WHERE envelope IS NULL
	 AND payload IS NULL)" "2,1"
wait_for 20 "the broker purged the receipts" sql_eq_broker \
	"SELECT count(*) FROM messages WHERE type = 3 AND envelope IS NULL AND purged_ms > 0" 3
sql_eq mash "SELECT payload IS NOT NULL AND envelope IS NOT NULL AND purged_ms IS NULL FROM inbox
	WHERE hex(message_id) = '$hex2'" 1 || h_fail "the undecided concern lost its content"
sql_eq mash "SELECT envelope IS NULL AND purged_ms > 0 FROM outbox WHERE type = 5" 1 ||
	h_fail "the MASH kept its decision's envelope"
sql_eq mash "SELECT count(*) FROM audit WHERE event = 'content-purged' AND detail LIKE
	'purged the content of 2 messages (inbox 1, outbox 1)%retention = \"1 day\"%'" 1 ||
	h_fail "the MASH's content-purged entry"
[ "$(h_sql "SELECT count(*) FROM messages WHERE envelope IS NOT NULL")" = 0 ] ||
	h_fail "the broker still holds envelopes"
[ "$(h_sql "SELECT count(*) FROM audit WHERE event = 'content-purged'")" = 1 ] ||
	h_fail "the broker's content-purged entry"

# What people see.
out=$(cli mash show "$c1") || h_fail "show of a purged message failed: $out"
h_expect "^concern $c1 from school-stmarys to mash \\(decided\\)" "$out" "show purged"
h_expect '^content:      purged on .* under the retention policy \(retention = "1 day"\)' \
	"$out" "show purged"
h_expect_not 'hungry' "$out" "show purged"
out=$(cli school-stmarys show "$c1" --json) || h_fail "show --json of a purged message: $out"
h_expect '"direction": "out", .*"purged": \{"time": "[^"]+", "retention": "1 day"\}\}' "$out" \
	"show --json purged"
out=$(cli mash show "$c2") || h_fail "show of the undecided concern: $out"
h_expect 'Came to school hungry' "$out" "the undecided concern"
out=$(cli mash status "$c1") || h_fail "status of a purged message: $out"
h_expect 'decided' "$out" "status purged"
out=$(cli mash inbox) || h_fail "inbox: $out"
h_expect "$c1" "$out" "inbox listing"
h_expect "$c2" "$out" "inbox listing"

a_stop school-stmarys mash
au_copy_two() {
	sqlite3 "$H_DB" ".backup '$AU_COPY/broker.db'" || h_fail "cannot copy the broker database"
	for id in school-stmarys mash; do
		sqlite3 "$(a_db "$id")" ".backup '$AU_COPY/$id.db'" || h_fail "cannot copy $id"
	done
}
au_copy_two
for db in broker school-stmarys mash; do
	audit_ok "$AU_COPY/$db.db"
done
audit verify "$AU_COPY/broker.db" "$AU_COPY/school-stmarys.db" "$AU_COPY/mash.db"
expect_rc 0 "verify after the purge"
h_expect '^verify: OK: 3 logs verified' "$AU_OUT" "verify after the purge"
h_pass
