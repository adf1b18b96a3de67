#!/usr/bin/env bash
# NDIS 5 packets and buffers: NdisAllocatePacketPool(Ex) and its limits,
# NdisAllocatePacket until the pool is empty (NDIS_STATUS_RESOURCES), the
# descriptors' WDK layout (OOB data and extension after ProtocolReserved),
# the Dpr forms at DISPATCH_LEVEL, NdisChainBufferAtFront/Back,
# NdisUnchainBufferAtFront/Back, NdisQueryPacket(Length) and its cached
# counts, NdisGetFirstBufferFromPacket(Safe), the OOB, status, header-size
# and per-packet-info macros, NdisCopyFromPacketToPacket(Safe) across
# buffer boundaries, NdisReinitializePacket, and forged handles and
# packets refused. ndis5_packet.ko runs the checks on load (each names the
# page its expected result comes from) and logs "ok"/"not ok" per check;
# this turns them into KTAP. The calls the shim must refuse are counted by
# debugfs rejected_calls: it must move by exactly as many as the module
# marks (REJECTED), and both numbers are pinned here, as is the number of
# checks. The module leaves one pool allocated on purpose: the shim must
# free it when it unloads and log it.
# ndis-test: kmemleak-scan
# Prints nested KTAP; exits 0 only if every subtest passed (4: skipped).
set -uo pipefail
CHECKS=46     # "ndis5_packet: ok|not ok" lines ndis5_packet.ko logs
REJECTIONS=7  # calls it makes that the shim must refuse
DBG=/sys/kernel/debug
shim=${NDIS_KO:?}/ndis_shim.ko test_ko=$NDIS_KO/ndis5_packet.ko
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
mapfile -t lines < <(log_since_mark | sed -nE 's/.*ndis5_packet: ((not )?ok .*)/\1/p')
done_line=$(log_since_mark | grep -c 'ndis5_packet: done$')
marked=$(log_since_mark | sed -nE 's/.*ndis5_packet: rejected ([0-9]+)$/\1/p')
left=$(log_since_mark | sed -nE 's/.*ndis5_packet: left pool (0x[0-9a-f]+)$/\1/p')

echo "KTAP version 1"
echo "1..$((${#lines[@]} + 5))"
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
	echo "ok $n rejected_calls +$delta, each refusal ndis5_packet.ko expects"
else
	echo "not ok $n rejected_calls ${rejected0:-?} -> ${rejected1:-?} (+$delta), ndis5_packet.ko marks ${marked:-?}, want $REJECTIONS"; failed=1
fi
n=$((n + 1))
if rmmod ndis5_packet; then echo "ok $n rmmod ndis5_packet"; else echo "not ok $n rmmod ndis5_packet"; failed=1; fi
n=$((n + 1))
if rmmod ndis_shim; then echo "ok $n rmmod ndis_shim"; else echo "not ok $n rmmod ndis_shim"; failed=1; fi
n=$((n + 1))
# The pool the module left: freed at the shim's unload, and logged.
if [ -n "$left" ] &&
	log_since_mark | grep -q "ndis: packet pool $left not freed by its driver (1 packets allocated); freed at unload"; then
	echo "ok $n the pool left behind ($left) freed at unload, logged"
else
	echo "not ok $n the pool left behind (${left:-?}) freed at unload, logged"; failed=1
fi
exit "$failed"
