# SPDX-License-Identifier: ISC
# audit_common.bash: what the audit_*.sh tests share on top of
# agent_common.bash: one real run of the broker and three agencies (the
# school, the MASH and CAMHS of config/example) that leaves databases with
# every kind of story in them, copies of those databases, checkpoints at
# exact sizes on top of the ones the daemons wrote (tests/tools/audit_fixture,
# signing with the test area's own keys through proto/checkpoint.h, so that
# each tampering test knows which sizes are anchored), and helpers to run
# dutynet-audit and check its exit code.  Not a test itself (ctest runs
# *.sh only).
#
# The story (au_scenario), all through the real `dutynet` command:
#   R1  referral school -> mash, urgent: delivered, acknowledged, decided, feedback
#   R2  referral school -> camhs: delivered, acknowledged only
#   C1  concern school -> mash: delivered, decided without an ack
#   C2  concern school -> mash while the MASH's agent is stopped: accepted by
#       the broker, never delivered (the MASH never receipts it)
# Afterwards: AU_COPY holds broker.db, school-stmarys.db, mash.db and
# camhs.db, copied with sqlite3 .backup while nothing runs, and the ids of the
# four messages are in AU_R1, AU_R2, AU_C1, AU_C2.

. "$(dirname "${BASH_SOURCE[0]}")/agent_common.bash"

AU_AUDIT=$H_BIN/audit/dutynet-audit
AU_FIXTURE=$H_BIN/tests/tools/audit_fixture
AU_CHECKPOINT_EVERY=${AU_CHECKPOINT_EVERY:-4}

au_init() {
	[ -x "$AU_AUDIT" ] || { echo "FAIL: $AU_AUDIT is not built" >&2; exit 1; }
	[ -x "$AU_FIXTURE" ] || { echo "FAIL: $AU_FIXTURE is not built" >&2; exit 1; }
	a_init
	AU_COPY=$H_DIR/copy
	mkdir -p "$AU_COPY"
}

# au_send FROM TYPE TO CASE [URGENCY]: sends and prints the new id.
au_send() {
	local out id
	out=$(cli "$1" send "$2" --to "$3" --case "$4" --urgency "${5:-standard}" \
		"${A_REFERRAL[@]}" --json) || h_fail "send $2 to $3 failed: $out"
	id=$(json_id "$out")
	[ -n "$id" ] || h_fail "send printed no id: $out"
	echo "$id"
}

# au_outbox_state AGENCY ID STATE: true when AGENCY's outbox row is in STATE.
au_outbox_state() {
	sql_eq "$1" "SELECT state FROM outbox WHERE lower(hex(message_id)) = '${2//-/}'" "$3"
}

au_scenario() {
	start_broker
	start_agent school-stmarys
	start_agent mash
	start_agent camhs
	AU_R1=$(au_send school-stmarys referral mash AU-CASE-1 urgent)
	AU_R2=$(au_send school-stmarys referral camhs AU-CASE-2)
	AU_C1=$(au_send school-stmarys concern mash AU-CASE-1)
	for id in "$AU_R1" "$AU_C1"; do
		wait_for 20 "$id delivered to the MASH" au_outbox_state school-stmarys "$id" delivered
	done
	wait_for 20 "R2 delivered to CAMHS" au_outbox_state school-stmarys "$AU_R2" delivered
	cli mash ack "$AU_R1" --by "Jo Bloggs, Duty Social Worker" >/dev/null || h_fail "ack R1"
	cli mash decide "$AU_R1" accept --by "Jo Bloggs, Duty Social Worker" >/dev/null ||
		h_fail "decide R1"
	cli mash feedback "$AU_R1" --text "Family seen" --by "Jo Bloggs, Duty SW" >/dev/null ||
		h_fail "feedback R1"
	cli camhs ack "$AU_R2" --by "Ann Lee, SPA clinician" >/dev/null || h_fail "ack R2"
	cli mash decide "$AU_C1" decline --reason "no role for social care" \
		--by "Jo Bloggs, Duty Social Worker" >/dev/null || h_fail "decide C1"
	wait_for 20 "the MASH's answers delivered" sql_eq mash \
		"SELECT count(*) FROM outbox WHERE state = 'delivered'" 4
	wait_for 20 "CAMHS's ack delivered" sql_eq camhs \
		"SELECT count(*) FROM outbox WHERE state = 'delivered'" 1
	stop_agent mash
	AU_C2=$(au_send school-stmarys concern mash AU-CASE-3 urgent)
	wait_for 20 "C2 accepted by the broker" au_outbox_state school-stmarys "$AU_C2" accepted
	stop_agent school-stmarys
	stop_agent camhs
	stop_broker
	au_copy
}

# Copies every database into AU_COPY with sqlite3 .backup.
au_copy() {
	local id
	sqlite3 "$H_DB" ".backup '$AU_COPY/broker.db'" || h_fail "cannot copy the broker database"
	for id in school-stmarys mash camhs; do
		sqlite3 "$(a_db "$id")" ".backup '$AU_COPY/$id.db'" ||
			h_fail "cannot copy the $id database"
	done
}

# au_checkpoints DIR: the checkpoints of every log in DIR (the broker's own,
# every AU_CHECKPOINT_EVERY entries; each agency's, countersigned and held
# by the broker).
au_checkpoints() {
	local dir=$1 id
	"$AU_FIXTURE" checkpoint --keys "$H_CONF/keys" --every "$AU_CHECKPOINT_EVERY" \
		"$dir/broker.db" broker || h_fail "broker checkpoints"
	for id in school-stmarys mash camhs; do
		"$AU_FIXTURE" checkpoint --keys "$H_CONF/keys" --every "$AU_CHECKPOINT_EVERY" \
			--broker-db "$dir/broker.db" "$dir/$id.db" "$id" || h_fail "$id checkpoints"
	done
}

# au_fresh NAME: a new directory $H_DIR/NAME holding copies of AU_COPY.
au_fresh() {
	local d=$H_DIR/$1
	rm -rf "$d"
	cp -r "$AU_COPY" "$d"
	echo "$d"
}

# audit ARGS...: runs dutynet-audit with the test area's configuration; its
# output goes to AU_OUT and its exit code to AU_RC.  A sanitizer report
# (the -DDUTYNET_SANITIZE=ON build) fails the test whatever the exit code,
# since an expected failure exits 1 too.
audit() {
	AU_OUT=$("$AU_AUDIT" "$1" --config "$H_CONF" "${@:2}" 2>&1)
	AU_RC=$?
	printf '%s\n' "$AU_OUT" >>"$H_LOG/audit.log"
	if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' <<<"$AU_OUT"; then
		printf '%s\n' "$AU_OUT" >&2
		h_fail "sanitizer report from dutynet-audit $1"
	fi
}

# expect_rc CODE WHAT: the last audit exited CODE.
expect_rc() {
	[ "$AU_RC" -eq "$1" ] || {
		printf '%s\n' "$AU_OUT" >&2
		h_fail "$2: dutynet-audit exited $AU_RC, not $1"
	}
}

# au_hex ID: the message id as sqlite3's hex().
au_hex() {
	local h=${1//-/}
	echo "${h^^}"
}
