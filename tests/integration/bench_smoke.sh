# SPDX-License-Identifier: ISC
# bench_smoke: dutynet-bench e2e, backlog and agencies run end to end with
# small counts against the real daemons, and their --json has every field
# with a sane value (a positive number).  Never the speed targets: timing
# belongs to bench/RESULTS.md, not to a test that must pass on any machine.

set -u
set -o pipefail

SRC=${DUTYNET_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${DUTYNET_BINARY_DIR:-$SRC/build}
BENCH=$BIN/bench/dutynet-bench
[ -x "$BENCH" ] || { echo "FAIL: $BENCH is not built" >&2; exit 1; }
export DUTYNET_BINARY_DIR=$BIN

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# check NAME JSON FIELD...: each FIELD is a number > 0 in the one JSON object.
check() {
	local name=$1 json=$2
	shift 2
	/usr/bin/python3 - "$name" "$json" "$@" <<'EOF' || fail "$name: $json"
import json, sys
name, text, fields = sys.argv[1], sys.argv[2], sys.argv[3:]
obj = json.loads(text)
for f in fields:
    v = obj.get(f)
    if not isinstance(v, (int, float)) or isinstance(v, bool) or not v > 0:
        sys.exit(f"{name}: field {f} is {v!r}, not a number > 0")
EOF
}

out=$(timeout 120 "$BENCH" e2e --messages 200 --urgent-rate 50 --json) ||
	fail "dutynet-bench e2e exited $?"
check e2e "$out" bound_per_s crypto_per_s sqlite_per_s e2e_per_s ratio p50_ms p99_ms \
	urgent_p99_ms messages urgent sender_seal_us broker_verify_us curve_us
# The bound is the lower of its two parts.
/usr/bin/python3 -c 'import json,sys; o=json.loads(sys.argv[1]);
sys.exit(0 if abs(o["bound_per_s"] - min(o["crypto_per_s"], o["sqlite_per_s"])) <= 1 else 1)' \
	"$out" || fail "e2e: bound_per_s is not min(crypto_per_s, sqlite_per_s): $out"

out=$(timeout 120 "$BENCH" backlog --messages 300 --json) ||
	fail "dutynet-bench backlog exited $?"
check backlog "$out" messages drain_per_s broker_peak_rss_kib broker_rss_queued_kib

out=$(timeout 120 "$BENCH" agencies 20 --json) || fail "dutynet-bench agencies exited $?"
check agencies "$out" agencies auth_s all_s broker_rss_kib

# A bad command line is refused with exit 2.
"$BENCH" e2e --messages 0 2>/dev/null
[ $? -eq 2 ] || fail "e2e --messages 0 was not refused with exit 2"
"$BENCH" agencies 1 2>/dev/null
[ $? -eq 2 ] || fail "agencies 1 was not refused with exit 2"

echo "PASS: $(basename "$0")"
