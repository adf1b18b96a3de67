#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Hot-unplug through QEMU's monitor with a transfer in flight. The guest
# speaks QMP itself, on the virtio-serial port org.ndis-shim.qmp that
# tools/vm.sh wires to QEMU's own QMP server: device_add puts an edu behind
# the hot-pluggable pcie-root-port ndis_hp0, device_del takes it away (the
# guest's hotplug driver ejects it: an orderly removal, the driver's remove
# runs while the device still answers). Three rounds:
#  1. ndis_ops: Setup, then device_del: the adapter is halted and the shim
#     releases the channel the miniport left registered, mapping included;
#  2. edu_dma_c: a chain of transfers running (repeat=1000), device_del:
#     halt leaves the engine to NdisMDeregisterDmaChannel, which stops it
#     and waits before the buffers go;
#  3. device_add again: a verified round trip on the re-added device.
# The device is deleted again at the end. The harness checks Oops/WARN/
# DMA-API/kmemleak around it. Prints nested KTAP.
# ndis-test: timeout=900
set -uo pipefail
. "$(dirname "$0")/../removal_lib.sh"
. "$(dirname "$0")/../qmp_lib.sh"
qmp_open
ID=ndis_hp_edu

DEV=
plug() { # device_add; DEV = the new function's PCI name
	local before d i
	before=$(edu_devices)
	DEV=
	# edu's own reach: 32 bits (the miniports narrow it to 28 anyway).
	qmp '"execute": "device_add", "arguments": {"driver": "edu", "id": "'$ID'", "bus": "ndis_hp0", "dma_mask": 4294967295}' || return 1
	for ((i = 0; i < 300; i++)); do
		for d in $(edu_devices); do
			[[ $'\n'$before$'\n' == *$'\n'$d$'\n'* ]] || DEV=$d
		done
		[ -n "$DEV" ] && break
		sleep 0.1
	done
	echo "# plugged (${SECONDS}s): ${DEV:-nothing}"
	[ -n "$DEV" ]
}
unplug() { # device_del; waits until the guest and QEMU both let go
	EVENTS=
	echo "44-hot-unplug: device_del $ID ($DEV)" >/dev/kmsg
	qmp '"execute": "device_del", "arguments": {"id": "'$ID'"}' || return 1
	wait_gone "/sys/bus/pci/devices/$DEV" 60 || return 1
	echo "# removed from the guest (${SECONDS}s)"
	qmp_wait_deleted $ID 60 || return 1
	echo "# QEMU: DEVICE_DELETED (${SECONDS}s)"
}
dm=
unplug_now() { # description started(0/1): device_del now; dm = the kernel log since
	mark
	if [ "$2" = 1 ] && unplug; then ok "$1"; else notok "$1 ($r)"; fi
	dm=$(since_mark)
	echo "$dm" | grep -E "$DEV|ndis|edu_dma_c|pciehp|acpiphp|device_del" | sed 's/^/# /'
}
cleanup() {
	unload_all
	# never leave the hot-plugged device behind for the next test
	if [ -n "$DEV" ] && [ -e "/sys/bus/pci/devices/$DEV" ]; then unplug; fi
}

echo "KTAP version 1"
echo "1..21"
check "QMP monitor answers" qmp '"execute": "query-status"'
if ! insmod "$shim"; then notok "insmod ndis_shim"; cleanup; exit 1; fi

# ---- round 1: ndis_ops, the channel left registered with a transfer set up
check "insmod ndis_ops" insmod "$ops"
check "device_add $ID on ndis_hp0" plug
OPS=$DBG/ndis_ops/$DEV
check "ndis_ops bound the hot-plugged $DEV" wait_for "$OPS/op" 10
echo "register slot=0 max=4096 dma32=1 desc=1" >"$OPS/op"
read -r r <"$OPS/result"; echo "# $r"
echo "setup slot=0 buf=1 off=0 len=4096 dir=from" >"$OPS/op"
read -r r <"$OPS/result"; echo "# $r"
started=0
[[ $r == *"status=$SUCCESS"* ]] && started=1
unplug_now "round 1: device_del with a transfer set up" $started
check "round 1: adapter halted" grep -q "ndis_ops $DEV: ndis_ops: halted" <<<"$dm"
check "round 1: shim released the channel left registered" \
	grep -q "$DEV: ndis_ops: 1 DMA channel(s) not deregistered; released" <<<"$dm"
check "round 1: adapter gone from ndis_shim/adapters" bash -c "! grep -q '^$DEV ' $DBG/ndis_shim/adapters"
check "rmmod ndis_ops" rmmod ndis_ops

# ---- round 2: edu_dma_c with its engine running. Its DPC chains the
# transfers: a device_del whose halt lands between two of them (one
# completed, the next not yet set up) finds none in flight and tests
# nothing, so the device is added and deleted again (three attempts).
HALTING="edu_dma_c: halting with a transfer in flight"
check "insmod edu_dma_c" insmod "$edu"
check "device_add $ID again" plug
EDU=$DBG/edu_dma_c/$DEV
check "edu_dma_c bound $DEV" wait_for "$EDU/cmd" 10
unplugged=0
for attempt in 1 2 3; do
	echo "start-only off=0 len=4096 buf=kmalloc dir=to repeat=1000" >"$EDU/cmd"
	r=$(cat "$EDU/result")
	echo "# attempt $attempt: $r"
	[[ $r == "start-only setup=$SUCCESS" ]] || break
	mark
	unplug && unplugged=1
	dm=$(since_mark)
	echo "$dm" | grep -E "$DEV|ndis|edu_dma_c|pciehp|acpiphp|device_del" | sed 's/^/# /'
	[ "$unplugged" = 1 ] && [ "$attempt" -lt 3 ] || break
	grep -q "$HALTING" <<<"$dm" && break
	echo "# attempt $attempt: the halt came between two chained transfers; again"
	unplugged=0
	plug && wait_for "$DBG/edu_dma_c/$DEV/cmd" 10 || break
	EDU=$DBG/edu_dma_c/$DEV
done
if [ "$unplugged" = 1 ]; then ok "round 2: device_del with the engine running"
else notok "round 2: device_del with the engine running ($r)"; fi
check "round 2: halted with the transfer in flight" grep -q "$HALTING" <<<"$dm"
# The sample reads its engine after NdisMDeregisterDmaChannel and says
# which: idle, or still running (samples/edu_dma_c/miniport.c, halt).
check "round 2: engine idle after Deregister" \
	grep -q "edu_dma_c: DMA engine idle after NdisMDeregisterDmaChannel" <<<"$dm"
check "round 2: debugfs directory gone" test ! -e "$EDU"

# ---- round 3: re-added, the device works
check "device_add $ID a third time" plug
roundtrip "$DEV" "re-added"
check "device_del at the end" unplug
check "rmmod edu_dma_c" rmmod edu_dma_c
check "rmmod ndis_shim" rmmod ndis_shim
cleanup
exit "$failed"
