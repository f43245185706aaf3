#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# `dutynet keygen` and `dutynet config check` on a copy of config/example:
# with fresh keys for every agency and the broker the example is valid;
# keygen never overwrites and writes 0600 secrets; and each way of breaking
# the configuration (syntax, duplicate id, bad key hex, a key file others
# can read, an unknown agency in the policy) exits 3 naming path:line: field.
set -euo pipefail
bin=${DUTYNET_BINARY_DIR:?run from ctest}/agents/cli/dutynet
src=${DUTYNET_SOURCE_DIR:?run from ctest}/config/example
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=$tmp/out
agencies="school-stmarys mash edt camhs police-cpu housing lscp"

fail() { echo "config_check: $*" >&2; cat "$out" >&2 2>/dev/null || true; exit 1; }

# A fresh copy of the example with keys for everyone, in $tmp/$1.
fresh() {
	local d=$tmp/$1 a
	mkdir -p "$d"
	cp -R "$src"/. "$d"/
	for a in $agencies; do
		"$bin" keygen "$a" --dir "$d/keys" >"$out" 2>&1 || fail "keygen $a exited $?"
	done
	"$bin" keygen broker --broker --dir "$d/keys" >"$out" 2>&1 || fail "keygen broker exited $?"
	echo "$d"
}

# Runs config check on $1, which must exit 3 and print a line matching $2.
broken() {
	local rc=0
	"$bin" config check --dir "$1" >"$out" 2>&1 || rc=$?
	[ "$rc" -eq 3 ] || fail "config check on $1 exited $rc, not 3"
	grep -Eq -- "$2" "$out" || fail "config check output lacks: $2"
}

# The committed example holds no keys.
[ "$(ls "$src/keys")" = README ] || fail "config/example/keys holds more than README"

# keygen: public snippet on stdout and in the .pub file, secret file 0600.
d=$(fresh ok)
"$bin" keygen early-help --dir "$d/keys" >"$out" 2>/dev/null || fail "keygen exited $?"
grep -Eq '^sign_pk = "[0-9a-f]{64}";$' "$out" || fail "keygen printed no sign_pk"
grep -Eq '^box_pk = "[0-9a-f]{64}";$' "$out" || fail "keygen printed no box_pk"
grep -Eq '^curve_pk = "[0-9a-f]{64}";$' "$out" || fail "keygen printed no curve_pk"
cmp -s "$out" "$d/keys/early-help.pub" || fail "printed keys differ from early-help.pub"
[ "$(stat -c %a "$d/keys/early-help.key")" = 600 ] || fail "key file is not mode 600"
grep -q "sign_sk" "$out" && fail "keygen printed a secret key"
# The broker has a box pair too: it seals its reminders and escalations.
grep -Eq '^box_pk = "[0-9a-f]{64}";$' "$d/keys/broker.pub" || fail "broker keys have no box pair"
cp "$d/keys/early-help.key" "$tmp/saved.key"
rc=0
"$bin" keygen early-help --dir "$d/keys" >"$out" 2>&1 || rc=$?
[ "$rc" -eq 1 ] || fail "keygen over existing keys exited $rc, not 1"
grep -q "already exists; refusing to overwrite" "$out" || fail "overwrite refusal not explained"
cmp -s "$tmp/saved.key" "$d/keys/early-help.key" || fail "keygen changed an existing key file"
rc=0
"$bin" keygen Not_An_Id --dir "$d/keys" >"$out" 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "keygen with a bad id exited $rc, not 2"
"$bin" keygen --help >"$out" || fail "keygen --help exited $?"
grep -q '^usage: dutynet keygen AGENCY' "$out" || fail "keygen --help printed no usage"
rm "$d/keys/early-help.key" "$d/keys/early-help.pub"

# The example with fresh keys is valid.
"$bin" config check --dir "$d" >"$out" 2>&1 || fail "config check on the example exited $?"
grep -q 'configuration valid: 7 agencies, 7 sharing rules, broker, 7 agents' "$out" ||
	fail "config check printed no summary"
"$bin" config check --help >"$out" || fail "config check --help exited $?"
grep -q '^usage: dutynet config check' "$out" || fail "config check --help printed no usage"
DUTYNET_CONFIG=$d "$bin" config check >"$out" 2>&1 || fail "DUTYNET_CONFIG was not used"
rc=0
"$bin" config frobnicate >"$out" 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "config frobnicate exited $rc, not 2"

# Without keys the example names the missing include.
d=$tmp/nokeys
mkdir -p "$d"
cp -R "$src"/. "$d"/
broken "$d" "^$d/directory.conf:[0-9]+: syntax: cannot open include file"

# A syntax error.
d=$(fresh syntax)
sed -i 's/^hwm = 1000;/hwm = ;/' "$d/broker.conf"
broken "$d" "^$d/broker.conf:11: syntax: syntax error$"

# A duplicate agency id, naming both places.
d=$(fresh dup)
sed -i 's/id = "edt";/id = "mash";/' "$d/directory.conf"
line=$(grep -n 'id = "mash";' "$d/directory.conf" | tail -1 | cut -d: -f1)
broken "$d" "^$d/directory.conf:$line: agencies\[2\]\.id: agency id 'mash' is already used by the entry at $d/directory.conf:[0-9]+"

# A public key that is not hex, reported in the .pub file that holds it.
d=$(fresh hex)
sed -i '1s/"\(.\)/"z/' "$d/keys/camhs.pub"
broken "$d" "^$d/keys/camhs.pub:1: agencies\[3\]\.sign_pk: is not hex"

# A key pasted for two agencies.
d=$(fresh twice)
cp "$d/keys/mash.pub" "$d/keys/housing.pub"
broken "$d" "^$d/keys/housing.pub:2: agencies\[5\]\.box_pk: same key as agencies\[1\]\.box_pk of mash at $d/keys/mash.pub:2"

# A key file others can read, at the key_file setting that names it.
d=$(fresh mode)
chmod 644 "$d/keys/camhs.key"
broken "$d" "^$d/agents/camhs.conf:6: key_file: key file $d/keys/camhs.key has mode 0644; run chmod 600 $d/keys/camhs.key$"

# A key file whose public half is not the one the directory publishes.
d=$(fresh swapped)
mkdir "$tmp/other"
"$bin" keygen housing --dir "$tmp/other" >/dev/null 2>&1 || fail "keygen housing exited $?"
cp "$tmp/other/housing.key" "$d/keys/housing.key"
broken "$d" "^$d/agents/housing.conf:6: key_file: the sign_pk of housing's key file $d/keys/housing.key is not the one in directory.conf"

# An unknown agency in the sharing agreement, and every error of a run at once.
d=$(fresh policy)
sed -i 's/from = \[ "police" \];/from = [ "police-hq" ];/' "$d/policy.conf"
sed -i 's/^window = 16;/window = 0;/' "$d/agents/edt.conf"
broken "$d" "^$d/policy.conf:[0-9]+: sharing\[2\]\.from\[0\]: unknown agency 'police-hq'"
grep -Eq "^$d/agents/edt.conf:11: window: 0 is out of range" "$out" ||
	fail "the second error of the run was not reported"
grep -q '^dutynet config check: 2 errors in ' "$out" || fail "error count not summarised"

# A deadline in a form the duration grammar does not know, at its line.
d=$(fresh deadline)
sed -i 's/ack = "4 hours";/ack = "4 fortnights";/' "$d/policy.conf"
line=$(grep -n 'ack = "4 fortnights";' "$d/policy.conf" | cut -d: -f1)
broken "$d" "^$d/policy.conf:$line: deadlines\[2\]\.ack: duration '4 fortnights' not understood"

# An escalation chain naming an agency the directory does not have.
d=$(fresh chain)
sed -i 's/{ tell = "lscp"; after = "1 working day"; }/{ tell = "lscp-old"; after = "1 working day"; }/' \
	"$d/directory.conf"
broken "$d" "^$d/directory.conf:[0-9]+: agencies\[1\]\.escalation\.chain\[2\]\.tell: unknown agency 'lscp-old'"

echo "config_check: ok"
