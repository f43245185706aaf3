#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# `dutynet selftest` and `dutynet --version`, as the demo runs them: the
# round trip must pass, say the steps a person reads, refuse bad arguments
# with exit 2, and never print a secret key (it has none to print).
set -euo pipefail
bin=${DUTYNET_BINARY_DIR:?run from ctest}/agents/cli/dutynet
out=$(mktemp)
trap 'rm -f "$out"' EXIT

fail() { echo "cli_selftest: $*" >&2; cat "$out" >&2; exit 1; }

"$bin" --version >"$out" || fail "--version exited $?"
grep -Eq '^dutynet [0-9]+\.[0-9]+\.[0-9]+ \(envelope v1, protocol v1\)$' "$out" ||
	fail "--version printed something unexpected"

"$bin" selftest >"$out" 2>&1 || fail "selftest exited $?"
for want in \
	'Sealed a referral from school-stmarys to mash: [0-9]+ bytes; only mash can read it\.' \
	'Signature checked: the referral really comes from school-stmarys' \
	'Tampered copy rejected: signature does not verify for agency school-stmarys\.' \
	'camhs, a third agency, tried to open the referral' \
	'Only mash can read it\.' \
	'^Self-test passed: all [0-9]+ steps behaved as they should\.$'; do
	grep -Eq "$want" "$out" || fail "selftest output lacks: $want"
done

"$bin" selftest --help >"$out" || fail "selftest --help exited $?"
grep -q '^usage: dutynet selftest' "$out" || fail "selftest --help printed no usage"

rc=0
"$bin" selftest extra >"$out" 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "selftest with an argument exited $rc, not 2"
grep -q "takes no arguments (got 'extra')" "$out" || fail "bad argument not named"

rc=0
"$bin" no-such-command >"$out" 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "unknown command exited $rc, not 2"
echo "cli_selftest: ok"
