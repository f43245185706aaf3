#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The systemd units in systemd/, checked without starting them (systemd is
# not PID 1 on the test machines):
#   - `systemd-analyze verify` loads each unit with no warning at all (it
#     exits 0 even on an unknown key, so any output fails the test; a
#     deliberately broken copy proves the check can fail);
#   - `systemd-analyze security --offline=true` scores each unit <= 2.0;
#   - the settings the daemons rely on are there (Type=notify, watchdog,
#     restart, user, state and key directories, LimitNOFILE);
#   - sysusers.d and tmpfiles.d create the user and a 0700 keys directory
#     (in a scratch --root; as root only, since it chowns);
#   - `cmake --install` puts the programs, units and example in place and
#     the installed units name the installed programs.
# verify needs ExecStart's program to exist, so the units are checked as
# copies naming the built daemons (or /bin/true for one not built yet).
set -euo pipefail
src=${DUTYNET_SOURCE_DIR:?run from ctest}
bin=${DUTYNET_BINARY_DIR:?run from ctest}
max_score=2.0
threshold=20	# --threshold counts tenths

if ! command -v systemd-analyze >/dev/null; then
	echo "systemd_units: SKIPPED: systemd-analyze not installed (apt-get install systemd)"
	exit 0
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
out=$dir/out

fail() { echo "systemd_units: $*" >&2; [ -s "$out" ] && cat "$out" >&2; exit 1; }

# The built program, or /bin/true (with a note) if it is not built yet.
program() {
	local p
	p=$(find "$bin" -type f -perm -u+x -name "$1" -not -path '*/CMakeFiles/*' | head -n 1)
	if [ -z "$p" ]; then
		echo "systemd_units: note: $1 is not built; verifying with /bin/true in its place" >&2
		p=/bin/true
	fi
	echo "$p"
}

mkdir "$dir/units"
sed "s|/usr/bin/dutynet-broker|$(program dutynet-broker)|" "$src/systemd/dutynet-broker.service" \
	>"$dir/units/dutynet-broker.service"
# A template is checked as an instance, so %i is expanded as it will be.
sed "s|/usr/bin/dutynet-agent|$(program dutynet-agent)|" "$src/systemd/dutynet-agent@.service" \
	>"$dir/units/dutynet-agent@school-stmarys.service"
units=(dutynet-broker.service dutynet-agent@school-stmarys.service)

cd "$dir/units"
for u in "${units[@]}"; do
	systemd-analyze verify "$u" >"$out" 2>&1 || fail "verify $u exited $?"
	[ ! -s "$out" ] || fail "verify $u warned"
done

# The check can fail: a misspelt key and a bad time span are reported.
cp dutynet-broker.service bad@x.service
printf '[Service]\nWatchdogSecs=30\nRestartSec=soon\n' >>bad@x.service
systemd-analyze verify bad@x.service >"$out" 2>&1 || true
grep -q "Unknown key 'WatchdogSecs'" "$out" || fail "verify missed a misspelt key"
grep -q "Failed to parse" "$out" || fail "verify missed a bad time span"
rm bad@x.service
: >"$out"

for u in "${units[@]}"; do
	rc=0
	systemd-analyze security --offline=true --threshold=$threshold --no-pager "$u" >"$out" 2>&1 ||
		rc=$?
	score=$(sed -n 's/^→ Overall exposure level for [^:]*: \([0-9.]*\) .*/\1/p' "$out")
	[ -n "$score" ] || fail "security printed no score for $u"
	echo "systemd_units: $u: exposure $score (limit $max_score)"
	awk -v s="$score" -v m="$max_score" 'BEGIN { exit !(s <= m) }' ||
		fail "$u scores $score, above $max_score"
	[ "$rc" -eq 0 ] || fail "security --threshold=$threshold exited $rc for $u"
done

# What the daemons and the README rely on (each line an extended regex).
common=(Type=notify NotifyAccess=main 'WatchdogSec=[0-9]+' Restart=on-failure 'RestartSec=[0-9]+'
	User=dutynet Group=dutynet UMask=0077 StateDirectoryMode=0700 ConfigurationDirectory=dutynet
	NoNewPrivileges=yes CapabilityBoundingSet= ProtectSystem=strict
	'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6' 'SystemCallFilter=@system-service')
need() {
	local unit=$1 line
	shift
	for line in "$@"; do
		grep -Eqx -- "$line" "$src/systemd/$unit" || { : >"$out"; fail "$unit lacks '$line'"; }
	done
}
need dutynet-broker.service "${common[@]}" 'ExecStart=/usr/bin/dutynet-broker --config /etc/dutynet' \
	StateDirectory=dutynet/broker 'LimitNOFILE=[0-9]+'
need dutynet-agent@.service "${common[@]}" \
	'ExecStart=/usr/bin/dutynet-agent --config /etc/dutynet --agency %i' 'StateDirectory=dutynet/%i'
# The agent's hook is fork/exec: nothing may forbid execve.
grep -Eq '^SystemCallFilter=~.*(@process|execve)' "$src/systemd/dutynet-agent@.service" &&
	fail "the agent's unit forbids execve, which its on_message hook needs"
# Two descriptors per agency plus 1024: at least a thousand agencies.
nofile=$(sed -n 's/^LimitNOFILE=//p' "$src/systemd/dutynet-broker.service")
[ "$nofile" -ge $((2 * 1000 + 1024)) ] || fail "LimitNOFILE=$nofile is too low for 1000 agencies"

# sysusers.d and tmpfiles.d, in a scratch root.
if [ "$(id -u)" -eq 0 ]; then
	root=$dir/root
	mkdir -p "$root/etc"
	systemd-sysusers --root="$root" "$src/systemd/dutynet.sysusers" >"$out" 2>&1 ||
		fail "systemd-sysusers failed"
	uid=$(awk -F: '$1 == "dutynet" { print $3 }' "$root/etc/passwd")
	[ -n "$uid" ] || fail "systemd-sysusers made no dutynet user"
	awk -F: '$1 == "dutynet" && $7 ~ /nologin$/ { ok = 1 } END { exit !ok }' "$root/etc/passwd" ||
		fail "the dutynet user can log in"
	systemd-tmpfiles --root="$root" --create "$src/systemd/dutynet.tmpfiles" >"$out" 2>&1 ||
		fail "systemd-tmpfiles failed"
	[ "$(stat -c '%a %u' "$root/etc/dutynet/keys")" = "700 $uid" ] ||
		fail "/etc/dutynet/keys is $(stat -c '%a %u' "$root/etc/dutynet/keys"), not 700 $uid"
else
	echo "systemd_units: note: not root, sysusers.d and tmpfiles.d not applied"
fi

# cmake --install into a staging directory.
stage=$dir/stage
DESTDIR=$stage cmake --install "$bin" >"$out" 2>&1 || fail "cmake --install failed"
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$bin/CMakeCache.txt")
for f in lib/systemd/system/dutynet-broker.service lib/systemd/system/dutynet-agent@.service \
	lib/sysusers.d/dutynet.conf lib/tmpfiles.d/dutynet.conf \
	share/dutynet/holidays-england-wales.conf share/dutynet/example/broker.conf \
	share/dutynet/example/directory.conf share/doc/dutynet/systemd/README.md bin/dutynet; do
	[ -f "$stage$prefix/$f" ] || fail "cmake --install did not install $prefix/$f"
done
find "$stage" -name '*.key' | grep -q . && fail "cmake --install installed a secret key file"
for unit in dutynet-broker.service dutynet-agent@.service; do
	exe=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$stage$prefix/lib/systemd/system/$unit")
	[ "$exe" = "$prefix/bin/${unit%%[@.]*}" ] ||
		fail "installed $unit runs $exe, not $prefix/bin/${unit%%[@.]*}"
	if [ "$(program "${unit%%[@.]*}" 2>/dev/null)" != /bin/true ]; then
		[ -x "$stage$exe" ] || fail "installed $unit names $exe, which was not installed"
	fi
done
echo "systemd_units: ok"
