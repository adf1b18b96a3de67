#!/usr/bin/env bash
# ndis_shim.ko loads, logs its version, exports NdisGetVersion, unloads.
# Prints nested KTAP; exits 0 only if every subtest passed (4: skipped).
set -uo pipefail
ko=${NDIS_KO:?}/ndis_shim.ko
[ -f "$ko" ] || { echo "# SKIP $ko not built"; exit 4; }

n=0 failed=0
check() { # DESCRIPTION COMMAND...: one KTAP subtest line
	n=$((n + 1))
	local d=$1
	shift
	if "$@"; then echo "ok $n $d"; else echo "not ok $n $d"; failed=1; fi
}
# Kernel log written since MARK was logged.
mark="ndis-test: $$-$(date +%s%N)"
echo "$mark" >/dev/kmsg
log_since_mark() { dmesg | awk -v m="$mark" 'on; index($0, m) { on = 1 }'; }

echo "KTAP version 1"
echo "1..4"
check "insmod ndis_shim" insmod "$ko"
line=$(log_since_mark | grep -m1 -E 'ndis_shim: ndis-shim [0-9][^ ]* loaded')
echo "# ${line:-no version line in dmesg}"
check "version line in dmesg" test -n "$line"
check "NdisGetVersion in /proc/kallsyms" grep -qE '\sNdisGetVersion\s+\[ndis_shim\]' /proc/kallsyms
check "rmmod ndis_shim" rmmod ndis_shim
exit "$failed"
