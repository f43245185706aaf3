#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Out of hours: the school's agent runs at 03:00 on a Sunday (London), by
# its clock offset (DUTYNET_CLOCK_OFFSET_MS), and raises an immediate
# concern with the MASH (children's social care, closed): the concern goes
# to the MASH and, as a separate message with the same case id, to the
# emergency duty team; `dutynet send` says so (and --json too), the school's
# audit log records the copy, and the EDT's inbox holds it, decrypted.  A
# standard concern at the same hour, and an urgent one on a Wednesday
# morning (the MASH open), go to the MASH alone.
. "$(dirname "$0")/agent_common.bash"

edt_count() {
	a_sql edt "SELECT count(*) FROM inbox WHERE sender = 'school-stmarys'"
}

a_init
start_broker
start_agent mash
start_agent edt
DUTYNET_CLOCK_OFFSET_MS=$(a_offset_to 2025-06-15T03:00:00+01:00) start_agent school-stmarys

out=$(cli school-stmarys send concern --to mash --urgency immediate --case OOH-1 \
	"${A_REFERRAL[@]}") || h_fail "send failed: $out"
h_expect '^Out of hours: also sent to edt \(Emergency Duty Team\) as [0-9a-f-]{36}, because mash is closed now' \
	"$out" "send at 03:00 on a Sunday"
h_expect '^Emergency Duty Team phone: 01632 960299' "$out" "send at 03:00 on a Sunday"
id=$(sed -nE 's/^queued concern ([0-9a-f-]{36}) .*/\1/p' <<<"$out")
copy=$(sed -nE 's/^Out of hours: .* as ([0-9a-f-]{36}), because.*/\1/p' <<<"$out")
[ -n "$id" ] && [ -n "$copy" ] && [ "$id" != "$copy" ] || h_fail "no two message ids in: $out"

# Both arrive: the MASH's and the EDT's, same case, same content.
wait_for 20 "the copy in the EDT's inbox" sql_eq edt \
	"SELECT sender || '|' || case_id || '|' || type || '|' || urgency FROM inbox
	 WHERE lower(hex(message_id)) = '${copy//-/}'" "school-stmarys|OOH-1|2|1"
wait_for 20 "the concern in the MASH's inbox" sql_eq mash \
	"SELECT case_id FROM inbox WHERE lower(hex(message_id)) = '${id//-/}'" OOH-1
h_expect 'Ann Example, born 2015-03-02' "$(cli edt show "$copy")" "the EDT's copy"
h_expect 'Came to school hungry' "$(cli mash show "$id")" "the MASH's concern"
wait_for 20 "both delivered" sql_eq school-stmarys \
	"SELECT count(*) FROM outbox WHERE state = 'delivered' AND case_id = 'OOH-1'" 2

# The school's record: the copy is in its audit log and the timeline.
sql_eq school-stmarys "SELECT count(*) FROM audit WHERE event = 'out-of-hours-copy'
	AND agency = 'edt' AND lower(hex(message_id)) = '${id//-/}'
	AND detail LIKE 'mash (social-care) is closed now: the same concern also sent to edt as $copy'" 1 ||
	h_fail "no out-of-hours-copy audit entry for $id"
h_expect " out-of-hours-copy +edt +mash \(social-care\) is closed now" \
	"$(cli school-stmarys status "$id")" "the school's timeline"

# --json says the same.
out=$(cli school-stmarys send concern --to mash --urgency urgent --case OOH-2 \
	"${A_REFERRAL[@]}" --json) || h_fail "send --json failed: $out"
"$A_PY" -c 'import json,sys; d=json.load(sys.stdin); o=d["out_of_hours"];
assert o["to"]=="edt" and len(o["id"])==36 and o["id"]!=d["id"] and o["error"] is None, d' \
	<<<"$out" || h_fail "send --json lacks the out-of-hours copy: $out"
wait_for 20 "the second copy at the EDT" sql_eq edt \
	"SELECT count(*) FROM inbox WHERE case_id = 'OOH-2'" 1

# Standard urgency waits for the MASH to open: no copy.
before=$(edt_count)
out=$(cli school-stmarys send concern --to mash --urgency standard --case OOH-3 \
	"${A_REFERRAL[@]}" --json) || h_fail "send failed: $out"
h_expect '"out_of_hours": null' "$out" "a standard concern at 03:00"
h_expect_not 'Out of hours' "$(cli school-stmarys send concern --to mash --case OOH-4 \
	"${A_REFERRAL[@]}")" "a standard concern at 03:00"

# On a Wednesday morning the MASH is open: an urgent concern goes there only.
stop_agent school-stmarys
DUTYNET_CLOCK_OFFSET_MS=$(a_offset_to 2025-06-11T11:00:00+01:00) start_agent school-stmarys
out=$(cli school-stmarys send concern --to mash --urgency urgent --case OOH-5 \
	"${A_REFERRAL[@]}" --json) || h_fail "send failed: $out"
h_expect '"out_of_hours": null' "$out" "an urgent concern on a Wednesday morning"
wait_for 20 "the school's concerns all delivered" sql_eq school-stmarys \
	"SELECT count(*) FROM outbox WHERE state <> 'delivered'" 0
[ "$(edt_count)" = "$before" ] || h_fail "the EDT got a copy it should not have"

stop_agent school-stmarys
stop_agent mash
stop_agent edt
stop_broker
for a in school-stmarys mash edt; do
	h_sanitizer_clean "$H_LOG/agent-$a.log"
	audit_ok "$(a_db "$a")"
done
h_pass
