#!/usr/bin/env bash
# A second module links against the shim's exported NdisGetVersion(), and
# the shim cannot be unloaded while that module uses it.
# Prints nested KTAP; exits 0 only if every subtest passed (4: skipped).
set -uo pipefail
shim=${NDIS_KO:?}/ndis_shim.ko link=$NDIS_KO/ndis_link_test.ko
for ko in "$shim" "$link"; do
	[ -f "$ko" ] || { echo "# SKIP $ko not built"; exit 4; }
done

n=0 failed=0
check() { # DESCRIPTION COMMAND...: one KTAP subtest line
	n=$((n + 1))
	local d=$1
	shift
	if "$@"; then echo "ok $n $d"; else echo "not ok $n $d"; failed=1; fi
}
mark="ndis-test: $$-$(date +%s%N)"
echo "$mark" >/dev/kmsg
log_since_mark() { dmesg | awk -v m="$mark" 'on; index($0, m) { on = 1 }'; }
# shellcheck disable=SC2317 # both are called through check()
loaded() { grep -q "^$1 " /proc/modules; }
# shellcheck disable=SC2317
refused() { ! rmmod "$1" 2>/dev/null && loaded "$1"; }

echo "KTAP version 1"
echo "1..6"
check "insmod ndis_shim" insmod "$shim"
check "insmod ndis_link_test" insmod "$link"
line=$(log_since_mark | grep -m1 -E 'ndis_link_test: NdisGetVersion\(\) = 0x[0-9a-fA-F]+')
echo "# ${line:-no NdisGetVersion() line in dmesg}"
check "ndis_link_test logged NdisGetVersion()" test -n "$line"
check "rmmod ndis_shim refused while ndis_link_test uses it" refused ndis_shim
check "rmmod ndis_link_test" rmmod ndis_link_test
check "rmmod ndis_shim" rmmod ndis_shim
exit "$failed"
