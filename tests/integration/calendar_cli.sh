#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Drives `dutynet calendar due` and `dutynet calendar holidays` as a user
# would: every row of tests/vectors/deadlines.txt (the agency calendars via
# --agency and a directory.conf built here), --json, the warning past the
# holiday data, the exit codes and messages of bad input, and the
# independent Python model of the same table when python3 can run it.
set -euo pipefail

bin=${DUTYNET_BINARY_DIR:?set by ctest}/agents/cli/dutynet
src=${DUTYNET_SOURCE_DIR:?set by ctest}
vectors=$src/tests/vectors
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unset DUTYNET_HOLIDAYS DUTYNET_CONFIG DUTYNET_CLOCK_OFFSET_MS

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# expect CODE CMD...: runs CMD, keeps stdout/stderr in $tmp/out, $tmp/err,
# and fails unless it exits with CODE.
expect() {
	local want=$1 rc=0
	shift
	"$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
	[ "$rc" -eq "$want" ] || fail "$* exited $rc, want $want; stderr: $(cat "$tmp/err")"
}

says() {
	grep -qF -- "$2" "$tmp/$1" || fail "$1 does not say '$2': $(cat "$tmp/$1")"
}

# A configuration directory whose agencies use the test calendars.
cp "$vectors"/calendar-*.conf "$tmp/"
cat >"$tmp/directory.conf" <<CONF
version = 1;
agencies = (
	{ id = "mash"; },
	{ id = "school-a";
	  @include "calendar-school.conf"
	},
	{ id = "camhs";
	  @include "calendar-camhs.conf"
	},
	{ id = "edt";
	  @include "calendar-edt.conf"
	},
	{ id = "night";
	  @include "calendar-night.conf"
	}
);
CONF
declare -A agency=([school]=school-a [camhs]=camhs [edt]=edt [night]=night)

# 1. The deadline table, row by row.
rows=0
while IFS= read -r line; do
	case $line in '#'* | '') continue ;; esac
	IFS='|' read -r from within cal due warn <<<"$line"
	from=$(echo $from) within=$(echo $within) cal=$(echo $cal) due=$(echo $due) warn=$(echo $warn)
	args=(calendar due --from "$from" --within "$within")
	if [ "$cal" != default ]; then
		args+=(--agency "${agency[$cal]}" --config "$tmp")
	fi
	expect 0 "$bin" "${args[@]}"
	[ "$(cat "$tmp/out")" = "$due" ] ||
		fail "$from + $within ($cal): got $(cat "$tmp/out"), want $due"
	if [ "$warn" = - ]; then
		[ ! -s "$tmp/err" ] || fail "$from + $within: unexpected stderr: $(cat "$tmp/err")"
	else
		says err "warning: bank holiday data"
		says err "$warn"
	fi
	rows=$((rows + 1))
done <"$vectors/deadlines.txt"
[ "$rows" -ge 50 ] || fail "only $rows rows in deadlines.txt"
echo "calendar_cli: $rows table rows agree"

# 2. --json: an object with "due", UTC and London time.
expect 0 "$bin" calendar due --from 2025-10-24T16:55:00+01:00 --within "1 Working Day" --json
says out '"due": "2025-10-27T16:55:00Z"'
says out '"due_local": "2025-10-27T16:55:00Z"'
says out '"from": "2025-10-24T15:55:00Z"'
says out '"within": "1 working day"'
says out '"warning": null'
says out '"agency": null'
expect 0 "$bin" calendar due --from 2025-03-28T16:55:00Z --within "1 working day" --json
says out '"due_local": "2025-03-31T16:55:00+01:00"'
expect 0 "$bin" calendar due --from 2030-12-20T16:55:00Z --within "10 working days" --json \
	--agency school-a --config "$tmp"
says out '"due": "2031-01-07T16:55:00Z"'
says out '"agency": "school-a"'
says out '"warning": "bank holiday data ends in 2030; no holidays known for 2031'
if command -v python3 >/dev/null; then
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d["due"]' \
		"$tmp/out" || fail "--json output is not JSON: $(cat "$tmp/out")"
fi
# The config directory may come from the environment.
DUTYNET_CONFIG=$tmp expect 0 "$bin" calendar due --from 2026-02-13T16:55:00Z \
	--within "1 working day" --agency school-a
[ "$(cat "$tmp/out")" = 2026-02-23T16:55:00Z ] || fail "DUTYNET_CONFIG not used"
# Without --from: now (from the injectable clock), so a fixed offset moves it.
expect 0 "$bin" calendar due --within "1 hour"
grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$' "$tmp/out" || fail "bad now: $(cat "$tmp/out")"

# 3. Bad input: exit 2, naming what was wrong.
expect 2 "$bin" calendar due --from 2024-11-29T16:55:00Z --within "3 fortnights"
says err "'3 fortnights' not understood"
says err "N working days"
expect 2 "$bin" calendar due --from 2024-11-29T16:55:00Z --within "1 day"
says err "'1 day' is ambiguous"
expect 2 "$bin" calendar due --from 2024-11-29T16:55:00Z --within "end of the 3th working day"
says err "3rd"
expect 2 "$bin" calendar due --from "Friday 16:55" --within "1 working day"
says err "--from: time 'Friday 16:55' is not RFC 3339"
expect 2 "$bin" calendar due --from 2024-11-29T16:55:00Z
says err "--within DURATION is required"
expect 2 "$bin" calendar due --within "1 hour" --bogus
says err "'--bogus'"
expect 2 "$bin" calendar due --within "1 hour" extra
says err "unexpected argument 'extra'"
expect 2 "$bin" calendar due --within "1 hour" --agency "Not An Id"
says err "--agency"
expect 2 "$bin" calendar frobnicate
says err "unknown subcommand 'frobnicate'"
expect 2 "$bin" calendar
expect 2 "$bin" calendar holidays
says err "--year YYYY is required"
expect 2 "$bin" calendar holidays --year 26
says err "--year '26' is not a year"

# 4. Configuration problems: exit 3.
expect 3 "$bin" calendar due --within "1 working day" --agency police --config "$tmp"
says err "no agency with id 'police'"
expect 3 "$bin" calendar due --within "1 working day" --agency mash --config "$tmp/nowhere"
says err "$tmp/nowhere/directory.conf: cannot open"
DUTYNET_HOLIDAYS=$tmp/none.conf expect 3 "$bin" calendar due --within "1 working day"
says err "$tmp/none.conf: cannot open"
says err "DUTYNET_HOLIDAYS"
printf 'first_year = 2024;\nlast_year = 2024;\nholidays = ({ date = "2024-12-25"; name = "Christmas Day"; });\n' \
	>"$tmp/short.conf"
DUTYNET_HOLIDAYS=$tmp/short.conf expect 0 "$bin" calendar due \
	--from 2024-12-24T16:55:00Z --within "1 working day"
[ "$(cat "$tmp/out")" = 2024-12-26T16:55:00Z ] || fail "DUTYNET_HOLIDAYS not used"
mkdir "$tmp/bad"
printf 'agencies = ( { id = "school-a"; calendar = { closures = ( { from = "2026-02-30"; name = "X"; } ); }; } );\n' \
	>"$tmp/bad/directory.conf"
expect 3 "$bin" calendar due --within "1 working day" --agency school-a --config "$tmp/bad"
says err "directory.conf:1: agencies[0].calendar.closures[0].from: date '2026-02-30'"

# 5. Holidays in use.
expect 0 "$bin" calendar holidays --year 2027
says out "2027-03-26 Fri  Good Friday"
says out "2027-12-27 Mon  Christmas Day (substitute day)"
says out "2027-12-28 Tue  Boxing Day (substitute day)"
[ "$(wc -l <"$tmp/out")" -eq 8 ] || fail "2027 should have 8 bank holidays: $(cat "$tmp/out")"
expect 0 "$bin" calendar holidays --year 2026 --json
says out '{"date": "2026-12-28", "weekday": "Mon", "name": "Boxing Day (substitute day)", "one_off": false}'
expect 0 "$bin" calendar holidays --year 2026 --agency school-a --config "$tmp"
says out "2026-02-16 Mon to 2026-02-20 Fri  closed: February half term"
says out "2026-12-21 Mon to 2027-01-01 Fri  closed: Christmas holidays"
expect 0 "$bin" calendar holidays --year 2027 --agency edt --config "$tmp" --json
says out '"bank_holidays": false, "holidays": []'
expect 1 "$bin" calendar holidays --year 2031
says err "no bank holiday data for 2031"
expect 0 "$bin" calendar holidays --help
says out "usage: dutynet calendar holidays"
expect 0 "$bin" calendar due --help
says out "usage: dutynet calendar due"
expect 0 "$bin" --help
says out "calendar"

# 6. The same table from an independent model (Python zoneinfo on tzdata).
if python3 -c 'import zoneinfo; zoneinfo.ZoneInfo("Europe/London")' 2>/dev/null; then
	python3 "$vectors/check_deadlines.py" "$vectors" || fail "check_deadlines.py disagrees"
else
	echo "calendar_cli: skipped check_deadlines.py (needs python3 >= 3.9 and tzdata)"
fi
echo "calendar_cli: all passed"
