#!/usr/bin/env bash
# NDIS 5 memory and buffer descriptors: NdisAllocateMemoryWithTag,
# NdisAllocateMemory with NDIS_MEMORY_CONTIGUOUS / NDIS_MEMORY_NONCACHED and
# HighestAcceptableAddress, NdisFreeMemory, the buffer pool calls,
# NdisQueryBuffer(Safe) and NdisGetNextBuffer. ndis_memory.ko runs the
# checks on load (each names the page its expected status comes from) and
# logs "ok"/"not ok" per check; this turns them into KTAP.
# Prints nested KTAP; exits 0 only if every subtest passed (4: skipped).
set -uo pipefail
shim=${NDIS_KO:?}/ndis_shim.ko test_ko=$NDIS_KO/ndis_memory.ko
for ko in "$shim" "$test_ko"; do
	[ -f "$ko" ] || { echo "# SKIP $ko not built"; exit 4; }
done

mark="ndis-test: $$-$(date +%s%N)"
echo "$mark" >/dev/kmsg
log_since_mark() { dmesg | awk -v m="$mark" 'on; index($0, m) { on = 1 }'; }

failed=0
insmod "$shim" || { echo "# insmod ndis_shim failed"; exit 1; }
insmod "$test_ko" || failed=1
mapfile -t lines < <(log_since_mark | sed -nE 's/.*ndis_memory: ((not )?ok .*)/\1/p')
done_line=$(log_since_mark | grep -c 'ndis_memory: done$')

echo "KTAP version 1"
echo "1..$((${#lines[@]} + 3))"
n=0
for l in "${lines[@]}"; do
	n=$((n + 1))
	case $l in
	"not ok "*) echo "not ok $n ${l#not ok }"; failed=1 ;;
	*) echo "ok $n ${l#ok }" ;;
	esac
done
n=$((n + 1))
if [ "$done_line" = 1 ] && [ "${#lines[@]}" -ge 12 ]; then
	echo "ok $n every check ran (${#lines[@]})"
else
	echo "not ok $n every check ran (${#lines[@]} lines, done=$done_line)"; failed=1
fi
n=$((n + 1))
if rmmod ndis_memory; then echo "ok $n rmmod ndis_memory"; else echo "not ok $n rmmod ndis_memory"; failed=1; fi
n=$((n + 1))
if rmmod ndis_shim; then echo "ok $n rmmod ndis_shim"; else echo "not ok $n rmmod ndis_shim"; failed=1; fi
exit "$failed"
