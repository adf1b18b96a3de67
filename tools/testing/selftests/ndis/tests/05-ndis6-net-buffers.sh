#!/usr/bin/env bash
# NDIS 6 NET_BUFFER_LIST / NET_BUFFER pools and data space:
# NdisAllocate/FreeNetBufferListPool, NdisAllocateNetBufferList,
# NdisAllocateNetBufferAndNetBufferList, NdisFreeNetBufferList, the
# NET_BUFFER pool calls, NdisRetreat/AdvanceNetBufferDataStart across MDL
# boundaries (with the shim's and the miniport's MDL allocators) and
# NdisGetDataBuffer, contiguous and not, at PASSIVE and DISPATCH_LEVEL.
# ndis_nbl.ko runs the checks on load (each names the page its expected
# result comes from) and logs "ok"/"not ok" per check; this turns them
# into KTAP. Everything is freed: the scan right after this test must find
# no leak. The calls the shim must refuse are counted by debugfs
# rejected_calls: it must move by exactly as many as ndis_nbl.ko marks
# (REJECTED) and reports, and that number is pinned here too, as is the
# number of checks, so a check or a refusal that goes missing fails.
# ndis-test: kmemleak-scan
# Prints nested KTAP; exits 0 only if every subtest passed (4: skipped).
set -uo pipefail
CHECKS=69    # "ndis_nbl: ok|not ok" lines ndis_nbl.ko logs
REJECTIONS=19 # calls it makes that the shim must refuse
DBG=/sys/kernel/debug
shim=${NDIS_KO:?}/ndis_shim.ko test_ko=$NDIS_KO/ndis_nbl.ko
for ko in "$shim" "$test_ko"; do
	[ -f "$ko" ] || { echo "# SKIP $ko not built"; exit 4; }
done

mark="ndis-test: $$-$(date +%s%N)"
echo "$mark" >/dev/kmsg
log_since_mark() { dmesg | awk -v m="$mark" 'on; index($0, m) { on = 1 }'; }

failed=0
insmod "$shim" || { echo "# insmod ndis_shim failed"; exit 1; }
read -r rejected0 <"$DBG/ndis_shim/rejected_calls"
insmod "$test_ko" || failed=1
read -r rejected1 <"$DBG/ndis_shim/rejected_calls"
mapfile -t lines < <(log_since_mark | sed -nE 's/.*ndis_nbl: ((not )?ok .*)/\1/p')
done_line=$(log_since_mark | grep -c 'ndis_nbl: done$')
marked=$(log_since_mark | sed -nE 's/.*ndis_nbl: rejected ([0-9]+)$/\1/p')

echo "KTAP version 1"
echo "1..$((${#lines[@]} + 4))"
n=0
for l in "${lines[@]}"; do
	n=$((n + 1))
	case $l in
	"not ok "*) echo "not ok $n ${l#not ok }"; failed=1 ;;
	*) echo "ok $n ${l#ok }" ;;
	esac
done
n=$((n + 1))
if [ "$done_line" = 1 ] && [ "${#lines[@]}" -eq "$CHECKS" ]; then
	echo "ok $n every check ran (${#lines[@]})"
else
	echo "not ok $n every check ran (${#lines[@]} lines, want $CHECKS; done=$done_line)"; failed=1
fi
n=$((n + 1))
delta=$((${rejected1:-0} - ${rejected0:-0}))
if [ "$delta" = "$REJECTIONS" ] && [ "${marked:-}" = "$REJECTIONS" ]; then
	echo "ok $n rejected_calls +$delta, each refusal ndis_nbl.ko expects"
else
	echo "not ok $n rejected_calls ${rejected0:-?} -> ${rejected1:-?} (+$delta), ndis_nbl.ko marks ${marked:-?}, want $REJECTIONS"; failed=1
fi
n=$((n + 1))
if rmmod ndis_nbl; then echo "ok $n rmmod ndis_nbl"; else echo "not ok $n rmmod ndis_nbl"; failed=1; fi
n=$((n + 1))
if rmmod ndis_shim; then echo "ok $n rmmod ndis_shim"; else echo "not ok $n rmmod ndis_shim"; failed=1; fi
exit "$failed"
