#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# edu_dma_c, bus-master shared memory: a descriptor and its payload that
# the driver writes into NdisMAllocateSharedMemory memory are read by edu's
# engine at the block's device address and written back into a second
# block at another offset, byte for byte; the blocks lie inside the
# device's coherent mask. Wrong frees (length, VA, device address, Cached,
# twice) are rejected and counted without freeing anything; allocations
# before any DMA adapter exists, of length 0 or at DISPATCH_LEVEL give VA
# NULL; as a subordinate-DMA NIC (no bus-master declaration) the adapter
# gets shared memory for its system-DMA channel;
# NdisMAllocateSharedMemoryAsyncEx is PENDING and completes through the
# SG DMA description's handler, with NULL pointers when the allocation
# fails; a free under a spin lock is deferred and completes; shared memory
# the miniport never freed is freed (and logged) at halt.
# Prints nested KTAP.
#
# Each expected value is Windows' documented one, the page named beside it;
# where a page names none (a forged handle, which would crash Windows) the
# shim's choice is marked so (Documentation/bus-master-dma.rst).
set -uo pipefail
. "$(dirname "$0")/../edu_c_lib.sh"

ROUNDTRIPS=("off=0 len=64 mdl_off=0" "off=100 len=1000 mdl_off=64" "off=0 len=4072 mdl_off=128 cached=1" "off=4000 len=72 mdl_off=4095")
MISUSE=(
	# NdisMAllocateSharedMemory: "must have already called
	# NdisMRegisterScatterGatherDma or NdisMRegisterDmaChannel"; "If
	# NdisMAllocateSharedMemory cannot satisfy its caller, it returns NULL".
	"va-before-bus-master=0x00000000"
	# NdisMGetDmaAlignment: the same precondition; no value named without
	# it (shim: 0).
	"alignment-before-bus-master=0x00000000"
	# NdisMGetDmaAlignment: "the alignment requirements of the DMA system".
	"dma-alignment-pow2=0x00000001"
	# Forged handle: no page names a value (shim: 0).
	"dma-alignment-null-handle=0x00000000"
	# NdisGetSharedDataAlignment: the cache line size.
	"shared-data-alignment-pow2=0x00000001"
	# NdisMAllocateSharedMemory: cannot satisfy its caller -> NULL.
	"zero-length-va-null=0x00000001"
	"forged-handle-va-null=0x00000001"
	"alloc=0x00000001"
	"alloc-other=0x00000001"
	# NdisMFreeSharedMemory: the parameters must be the allocation's.
	"intact-after-wrong-frees=0x00000001"
	# NdisMAllocateSharedMemoryAsyncEx: NDIS_STATUS_PENDING, then "If the
	# attempt to allocate shared memory fails, NDIS calls
	# MiniportSharedMemoryAllocateComplete and passes NULL pointers"
	# (MINIPORT_ALLOCATE_SHARED_MEM_COMPLETE: called at PASSIVE_LEVEL).
	"async-zero-length=0x00000103"
	"async-huge-length=0x00000103"
	"async=0x00000103"
	"async-completed=0x00000001"
	"async-zero-length-nulls=0x00000001"
	"async-huge-length-nulls=0x00000001"
	"async-va=0x00000001"
	# NdisMAllocateSharedMemoryAsyncEx returns PENDING or FAILURE only; a
	# forged handle gets the latter (Windows would crash).
	"async-forged-handle=0xc0000001"
)
# NdisMAllocateSharedMemory: "Windows Server 2003, Windows XP Service Pack
# 1, and later versions of Windows allow both bus-master DMA NICs and
# subordinate DMA NICs to call NdisMAllocateSharedMemory"; the memory is
# the system-DMA channel's (edu's 28 address bits).
SUBORDINATE=(
	"attributes-subordinate=0x00000000"
	"subordinate-va=0x00000001"
	"subordinate-in-reach=0x00000001"
	"subordinate-dma-alignment-pow2=0x00000001"
	"attributes-bus-master=0x00000000"
)
# Wrong length, VA, device address, Cached, double free, zero length.
MISUSE_REJECTS=6
PER_ADAPTER=$((${#ROUNDTRIPS[@]} + ${#MISUSE[@]} + ${#SUBORDINATE[@]} + 10))

field() { # PCI-NAME FIELD: the shim's per-adapter counter
	grep "^$1 " "$DBG/ndis_shim/adapters" | sed -E "s/.* $2=([0-9]+).*/\1/"
}
total() { cat "$DBG/ndis_shim/rejected_calls"; }

echo "KTAP version 1"
if ! insmod "$shim"; then echo "1..1"; notok "insmod ndis_shim"; exit 1; fi
if ! insmod "$edu"; then echo "1..1"; notok "insmod edu_dma_c"; rmmod ndis_shim; exit 1; fi
mapfile -t ADAPTERS < <(ls -d $DBG/edu_dma_c/*/ 2>/dev/null)
echo "1..$((${#ADAPTERS[@]} * PER_ADAPTER + 7))"
if [ "${#ADAPTERS[@]}" -ge 1 ]; then ok "edu_dma_c bound ${#ADAPTERS[@]} adapter(s)"; else notok "edu_dma_c bound no adapter"; fi
total0=$(total) sum=0
for d in "${ADAPTERS[@]}"; do
	name=$(basename "$d")
	echo "# $name: $(grep "^$name " $DBG/ndis_shim/adapters)"
	for c in "${ROUNDTRIPS[@]}"; do
		run "$d" "shm-roundtrip $c"
		echo "# $R"
		expect "$name shm-roundtrip $c" "^ok shm-roundtrip status=0x00000000 what=ok .*verified=1 in_reach=1 aligned=1"
	done

	# Frees in process context are done at once, never deferred.
	def=$(field "$name" shared_deferred_frees)
	if [ "$def" = 0 ]; then ok "$name process-context frees not deferred"; else notok "$name shared_deferred_frees=$def after process-context frees"; fi

	rej0=$(field "$name" rejected_calls)
	run "$d" "shm-misuse"
	for m in "${MISUSE[@]}"; do
		expect "$name shm-misuse ${m%%=*}" "shm-misuse $m"$'(\n|$)'
	done
	rej1=$(field "$name" rejected_calls)
	if [ $((rej1 - rej0)) -eq $MISUSE_REJECTS ]; then ok "$name $MISUSE_REJECTS bad calls rejected and counted"; else notok "$name rejected_calls $rej0 -> $rej1, want +$MISUSE_REJECTS"; fi
	blocks=$(field "$name" shared_blocks)
	if [ "$blocks" = 0 ]; then ok "$name nothing left allocated after misuse"; else notok "$name shared_blocks=$blocks after misuse"; fi

	run "$d" "shm-subordinate"
	for m in "${SUBORDINATE[@]}"; do
		expect "$name shm-subordinate ${m%%=*}" "shm-subordinate $m"$'(\n|$)'
	done
	blocks=$(field "$name" shared_blocks)
	if [ "$blocks" = 0 ]; then ok "$name subordinate block freed"; else notok "$name shared_blocks=$blocks after shm-subordinate"; fi

	def0=$(field "$name" shared_deferred_frees)
	run "$d" "shm-free-dispatch"
	expect "$name alloc for the free at DISPATCH" "shm-free-dispatch alloc=0x00000001"
	expect "$name allocation at DISPATCH gives VA NULL" "shm-free-dispatch alloc-at-dispatch-va-null=0x00000001"
	for _ in $(seq 50); do
		[ "$(field "$name" shared_free_pending)" = 0 ] && [ "$(field "$name" shared_deferred_frees)" -gt "$def0" ] && break
		sleep 0.1
	done
	def1=$(field "$name" shared_deferred_frees) pend=$(field "$name" shared_free_pending)
	if [ "$def1" -eq $((def0 + 1)) ] && [ "$pend" = 0 ]; then ok "$name free at DISPATCH deferred and done"; else notok "$name deferred frees $def0 -> $def1, pending $pend"; fi
	blocks=$(field "$name" shared_blocks)
	if [ "$blocks" = 0 ]; then ok "$name nothing left allocated after the deferred free"; else notok "$name shared_blocks=$blocks"; fi
	rej2=$(field "$name" rejected_calls)
	if [ $((rej2 - rej1)) -eq 1 ]; then ok "$name allocation at DISPATCH rejected and counted"; else notok "$name rejected_calls $rej1 -> $rej2, want +1"; fi
	sum=$((sum + rej2 - rej0 + 2))

	# The system-DMA channel still works beside the bus-master copies.
	run "$d" "roundtrip off=0 len=256"
	expect "$name system-DMA roundtrip after shared memory" "^ok .*verified=1"
done
# Per adapter, the two forged-handle calls are counted only shim-wide.
total1=$(total)
if [ $((total1 - total0)) -eq "$sum" ]; then ok "shim-wide rejected_calls +$sum"; else notok "shim-wide rejected_calls $total0 -> $total1, want +$sum"; fi

# Forgotten shared memory: halt frees it and says so once.
d=${ADAPTERS[0]} name=$(basename "${ADAPTERS[0]}")
run "$d" "shm-forget count=3"
expect "$name forgot 3 blocks" "^shm-forget made=3"
blocks=$(field "$name" shared_blocks)
if [ "$blocks" = 3 ]; then ok "$name 3 blocks live before halt"; else notok "$name shared_blocks=$blocks before halt"; fi
mark=$(dmesg | wc -l)
if rmmod edu_dma_c; then ok "rmmod edu_dma_c"; else notok "rmmod edu_dma_c"; fi
if dmesg | tail -n +$((mark + 1)) | grep -q "$name: edu_dma_c: 3 shared memory block(s) not freed; freed"; then
	ok "$name halt freed the 3 forgotten blocks"
else
	notok "$name no 'not freed; freed' line: $(dmesg | tail -n +$((mark + 1)) | tr '\n' '|')"
fi
if rmmod ndis_shim; then ok "rmmod ndis_shim"; else notok "rmmod ndis_shim"; fi
exit "$failed"
