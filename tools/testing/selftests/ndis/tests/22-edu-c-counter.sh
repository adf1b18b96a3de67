#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# edu_dma_c: NdisMReadDmaCounter reports the whole length while edu's
# engine runs and 0 once the DPC completed the transfer; a Complete while
# the engine is still running gets NDIS_STATUS_RESOURCES (the shim fences
# the engine; Microsoft's NdisMCompleteDmaTransfer page names only SUCCESS
# and RESOURCES, and says nothing of a transfer the controller has not
# finished: RESOURCES there is the shim's choice, Documentation/controller.rst),
# and after the engine finished (>= 200 ms) the channel takes
# a new transfer and moves data correctly again.
# A receive shorter than its buffer (the glue's test hook has edu move
# len - short bytes): after Complete, NdisMReadDmaCounter still reports the
# bytes not moved, so EndOfData = Offset + Length - Counter is where the
# received data ends (NdisMReadDmaCounter: "the number of bytes remaining
# in the current DMA transfer"), and the data up to it is intact.
# A receive completed while edu still runs (RESOURCES: "released but the
# data transfer might be incoherent") hands the buffer back: the miniport
# refills it, and letting the old mapping go at the next Setup must not
# copy anything over the refill (under swiotlb=force an unmap that synced
# would copy its slot back; Documentation/system-dma.rst). The same for
# a receive SG list the miniport never frees: it refills the NET_BUFFER
# and NdisMDeregisterScatterGatherDma releases the list, copying nothing
# back (Documentation/scatter-gather.rst).
# Prints nested KTAP.
set -uo pipefail
. "$(dirname "$0")/../edu_c_lib.sh"

COUNTERS=("off=0 len=4096 buf=kmalloc" "off=100 len=256 buf=vmalloc" "off=4095 len=1 mdl_off=4095 buf=kmalloc")
BUSY=("off=0 len=256 buf=kmalloc" "off=0 len=4096 buf=vmalloc")
# The kmalloc buffers are mapped (through the swiotlb pool where edu
# reaches it: swiotlb-tiny); vmalloc is not contiguous, so it goes through
# the channel's own bounce memory, which nothing copies from after an
# incoherent Complete.
BUSY_RECEIVE=("off=0 len=4096 buf=kmalloc" "off=0 len=256 buf=kmalloc" "off=0 len=4096 buf=vmalloc")
SHORT=("off=0 len=256 short=56 buf=kmalloc" "off=100 len=1000 mdl_off=5 short=1 buf=vmalloc"
	"off=0 len=4096 short=4000 mdl_off=3000 buf=kmalloc")
SG_ABANDON=("len=4096 buf=kmalloc" "len=1500 parts=3 mdl_off=10 buf=kmalloc")
PER_ADAPTER=$((${#COUNTERS[@]} + 2 * ${#BUSY[@]} + ${#BUSY_RECEIVE[@]} + ${#SHORT[@]} +
	${#SG_ABANDON[@]} + 1))

echo "KTAP version 1"
if ! insmod "$shim"; then echo "1..1"; notok "insmod ndis_shim"; exit 1; fi
if ! insmod "$edu"; then echo "1..1"; notok "insmod edu_dma_c"; rmmod ndis_shim; exit 1; fi
mapfile -t ADAPTERS < <(ls -d $DBG/edu_dma_c/*/ 2>/dev/null)
echo "1..$((${#ADAPTERS[@]} * PER_ADAPTER + 3))"
if [ "${#ADAPTERS[@]}" -ge 1 ]; then ok "edu_dma_c bound ${#ADAPTERS[@]} adapter(s)"; else notok "edu_dma_c bound no adapter"; fi
for d in "${ADAPTERS[@]}"; do
	name=$(basename "$d")
	for c in "${COUNTERS[@]}"; do
		len=$(sed -E 's/.*len=([0-9]+).*/\1/' <<<"$c")
		expect_while_busy "$d" "counter $c" "$name counter $c" \
			"^counter busy=$len idle=0 len=$len complete=0x00000000"
	done
	for c in "${SHORT[@]}"; do
		len=$(sed -E 's/.*len=([0-9]+).*/\1/' <<<"$c")
		short=$(sed -E 's/.*short=([0-9]+).*/\1/' <<<"$c")
		mdl_off=0
		[[ $c == *mdl_off=* ]] && mdl_off=$(sed -E 's/.*mdl_off=([0-9]+).*/\1/' <<<"$c")
		run "$d" "short-receive $c"
		expect "$name short-receive $c" \
			"^short-receive counter=$short end=$((mdl_off + len - short)) verified=1 setup=0x00000000 complete=0x00000000"
	done
	for c in "${BUSY[@]}"; do
		expect_while_busy "$d" "busy-complete $c" "$name busy-complete $c" \
			"^busy-complete complete=0xc000009a next_setup=0x00000000 next_complete=0x00000000"
		# Data still arrives intact after the fenced transfer.
		run "$d" "roundtrip $c"
		expect "$name roundtrip after busy-complete $c" "^ok .*verified=1"
	done
	# NdisMCompleteDmaTransfer page: RESOURCES, "the DMA controller was
	# released but the data transfer might be incoherent" (for an engine
	# still running, the shim's choice: Documentation/controller.rst); the
	# next NdisMSetupDmaTransfer and NdisMCompleteDmaTransfer: SUCCESS
	# (their pages). kept=1: nothing the shim did wrote the refilled buffer.
	for c in "${BUSY_RECEIVE[@]}"; do
		expect_while_busy "$d" "busy-receive $c" "$name busy-receive $c: the refill kept" \
			"^busy-receive complete=0xc000009a next_setup=0x00000000 next_complete=0x00000000 kept=1 "
	done
	# NdisMAllocateNetBufferSGList and NdisMRegisterScatterGatherDma:
	# SUCCESS (their pages); the list left at NdisMDeregisterScatterGatherDma
	# is undocumented, the shim unmaps it (its choice: nothing copied
	# back). kept=1: the refill survived the release.
	for c in "${SG_ABANDON[@]}"; do
		run "$d" "sg-abandon-receive $c"
		expect "$name sg-abandon-receive $c: the refill kept" \
			"^sg-abandon-receive alloc=0x00000000 calls=1 elements=[1-9][0-9]* kept=1 changed=0 register=0x00000000$"
	done
	ch=$(cat "$d/channel")
	echo "# $name: $ch"
	if [[ $ch == *fenced=0* ]]; then ok "$name bus mastering restored"; else notok "$name still fenced: $ch"; fi
done
if rmmod edu_dma_c; then ok "rmmod edu_dma_c"; else notok "rmmod edu_dma_c"; fi
if rmmod ndis_shim; then ok "rmmod ndis_shim"; else notok "rmmod ndis_shim"; fi
exit "$failed"
