#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# edu_dma_ndis5 (a Windows NDIS 5.1 bus-master miniport in C,
# samples/edu_dma_ndis5): NdisMInitializeWrapper / NdisMRegisterMiniport /
# NdisMSetAttributesEx / NdisMQueryAdapterResources bring every edu adapter
# up; NdisMAllocateMapRegisters, then each buffer goes host -> edu -> host
# through NdisMStartBufferPhysicalMapping, edu's engine programmed with every
# physical-mapping entry in turn, and the bytes compared (kmalloc and vmalloc,
# mid-page, across pages). DmaSize 24 bits keeps every address below
# 16 MiB (bounced into map register memory, or, under an IOMMU, possibly
# mapped in place at a low IOVA); bad calls are each rejected and counted;
# a non-bus master's map registers are SUCCESS and nothing, and without a
# DMA adapter it gets no shared memory. NdisMAllocateSharedMemoryAsync
# delivers blocks to MiniportAllocateComplete that edu's engine moves data
# through, and NULL pointers when the allocation fails. Nested KTAP.
# The sample also checks its PCI IDs with NdisReadPciSlotInformation, reads
# its timer period with NdisOpenConfiguration (set here through the shim's
# config parameter), and takes edu's interrupts (each DMA completion, and
# raised on demand) with NdisMRegisterInterrupt's MiniportISR and
# MiniportHandleInterrupt, the status passed under
# NdisMSynchronizeWithInterrupt; NDIS_MINIPORT_TIMER one-shot, periodic and
# cancelled; NDIS_EVENT; misuse of each refused.
set -uo pipefail
EDU_SAMPLE=edu_dma_ndis5
. "$(dirname "$0")/../edu_c_lib.sh"

rejected() { cat $DBG/ndis_shim/rejected_calls; }
# "mapped bounced" of the adapter at PCI name $1.
transfers() { sed -nE "s/^$1 .* mapped=([0-9]+) bounced=([0-9]+).*/\1 \2/p" $DBG/ndis_shim/adapters; }

ROUNDTRIPS=("len=4096 off=0 buf=kmalloc reg=0" "len=4096 off=0 buf=vmalloc reg=1"
	"len=3000 off=2000 buf=vmalloc reg=2" "len=100 off=4090 buf=kmalloc reg=3"
	"len=1 off=0 buf=kmalloc reg=0" "len=2049 off=2048 buf=vmalloc reg=3")
ASYNC=("len=64" "len=1500" "len=4096")
# "misuse rows=K" runs the first K of these calls (tools/testing/edu-test/
# edu5_test.c): a Start row shows *ArraySize, a Complete row (VOID) only
# its name; each row's rejected_calls count, per Documentation/ndis5.rst:
# Start with an index out of range, a NULL buffer, a buffer longer than
# MaximumBufferSize, a forged handle: "rejected, *ArraySize 0"; Complete
# with nothing mapped, an index out of range, another buffer: "rejected; a
# mapping stays"; a Start on a register that maps a buffer: "rejected;
# first mapping stays"; first_start (one 64-byte kmalloc buffer: one entry)
# and the Complete of the buffer Start mapped: accepted.
MISUSE_ROWS=(index_out_of_range=0 null_buffer=0 too_long=0 stale_handle=0
	complete_unmapped complete_index_out_of_range first_start=1 start_in_use=0
	complete_wrong_buffer complete)
MISUSE_REJECTED=(1 1 1 1 1 1 0 1 1 0)
PER_ADAPTER=$((${#ROUNDTRIPS[@]} + ${#ASYNC[@]} + ${#MISUSE_ROWS[@]} + 12 + 7))
TIMER_PERIOD=25

echo "KTAP version 1"
if ! insmod "$shim"; then echo "1..1"; notok "insmod ndis_shim"; exit 1; fi
printf '*/TimerPeriod=%s' "$TIMER_PERIOD" >/sys/module/ndis_shim/parameters/config
if ! insmod "$edu"; then echo "1..1"; notok "insmod edu_dma_ndis5"; rmmod ndis_shim; exit 1; fi
mapfile -t ADAPTERS < <(ls -d $DBG/edu_dma_ndis5/*/ 2>/dev/null)
echo "1..$((${#ADAPTERS[@]} * PER_ADAPTER + 3))"
if [ "${#ADAPTERS[@]}" -ge 1 ]; then ok "edu_dma_ndis5 bound ${#ADAPTERS[@]} adapter(s)"; else notok "edu_dma_ndis5 bound no adapter"; fi
for d in "${ADAPTERS[@]}"; do
	name=$(basename "$d")
	read -r m0 b0 < <(transfers "$name")
	for c in "${ROUNDTRIPS[@]}"; do
		run "$d" "roundtrip $c"
		expect "$name physical mapping round trip $c" "^ok .*verified=1"
		echo "# $name $c: $R"
	done
	read -r m1 b1 < <(transfers "$name")
	echo "# $name: mapped in place $((m1 - m0)), bounced $((b1 - b0))"
	if [ $((m1 - m0 + b1 - b0)) = $((2 * ${#ROUNDTRIPS[@]})) ]; then
		ok "$name every mapping counted once (in place or bounced)"
	else
		notok "$name mapped $((m1 - m0)) + bounced $((b1 - b0)) != $((2 * ${#ROUNDTRIPS[@]}))"
	fi

	# MiniportInitialize: NdisReadPciSlotInformation of the 64-byte header
	# (edu is 1234:11e8), NdisOpenConfiguration + NdisReadConfiguration of
	# TimerPeriod (the value set above). Every DMA above raised edu's
	# interrupt: MiniportISR recognized them and MiniportHandleInterrupt
	# saw EDU_INTR_DMA (a DPC may serve several interrupts).
	run "$d" "info"
	expect "$name PCI IDs and configuration read in MiniportInitialize" \
		"^vendor=0x1234 device=0x11e8 pci_bytes=64 config=0x00000000 timer_period=$TIMER_PERIOD "
	isr=$(sed -nE 's/.* isr=([0-9]+).*/\1/p' <<<"$R")
	dpc=$(sed -nE 's/.* dpc=([0-9]+).*/\1/p' <<<"$R")
	dma=$(sed -nE 's/.* dma_irqs=([0-9]+).*/\1/p' <<<"$R")
	if [ "${isr:-0}" -ge 1 ] && [ "${dpc:-0}" -ge 1 ] && [ "$dpc" -le "$isr" ] && [ "${dma:-0}" -ge 1 ]; then
		ok "$name DMA completion interrupts: isr=$isr dpc=$dpc dma_irqs=$dma"
	else
		notok "$name DMA completion interrupts: isr=${isr:-?} dpc=${dpc:-?} dma_irqs=${dma:-?}"
	fi
	# edu's raise register, 5 times, each waited for (NdisWaitEvent on the
	# event the DPC sets): one ISR and one DPC each.
	run "$d" "irq rows=5"
	expect "$name raised interrupts reach MiniportISR and MiniportHandleInterrupt" \
		"^irq raised=5 seen=5 isr\+5 dpc\+5 dpc_raised\+5$"
	# NdisMSetTimer fires once (NdisMCancelTimer after: FALSE, it had run);
	# NdisMSetPeriodicTimer runs 3 times and is still set when cancelled
	# (TRUE); a timer set for 10 s and cancelled: TRUE, never runs, and a
	# second cancel is FALSE (NdisMCancelTimer page, ff552321: TimerCancelled
	# "TRUE if the timer was dequeued").
	run "$d" "timer"
	expect "$name NDIS_MINIPORT_TIMER one-shot, periodic, cancelled" \
		"^timer once=1 periodic=1 periodic_cancelled=1 set_cancelled=1 again_cancelled=0 not_run=1 once_cancelled=0$"
	run "$d" "events"
	expect "$name NDIS_EVENT: NdisWaitEvent times out unset, TRUE set, times out reset" \
		"^events unset=0 set=1 reset=0$"
	# Misuse: NdisMSynchronizeWithInterrupt with the adapter's interrupt runs
	# the function (TRUE), with a zeroed object FALSE (counted); a second
	# NdisMRegisterInterrupt: NDIS_STATUS_RESOURCE_CONFLICT; NdisMSetTimer
	# and NdisMCancelTimer of a timer never initialized (counted, FALSE);
	# edu has no I/O BAR: NdisMRegisterIoPortRange NDIS_STATUS_FAILURE
	# ("InitialPort and NumberOfPorts are invalid", its page), *PortOffset
	# NULL; deregistering it (counted); a PCI slot read past the 4 KiB
	# configuration space reads 0 bytes (counted); NdisOpenConfiguration
	# with a forged context: FAILURE, NULL handle (counted).
	r0=$(rejected)
	run "$d" "ndis5-misuse"
	expect "$name NDIS 5 interrupt, timer, port, slot and configuration misuse" \
		"^sync=1 sync_forged=0 again=0xc001001e cancelled=0 port=0xc0000001 port_offset_null=1 past_bytes=0 config=0xc0000001 config_null=1$"
	r1=$(rejected)
	if [ $((r1 - r0)) = 6 ]; then ok "$name NDIS 5 misuse: 6 calls rejected and counted"
	else notok "$name NDIS 5 misuse: rejected_calls grew by $((r1 - r0)), expected 6"; fi

	# DmaSize 24 bits: the sample refuses (FAILURE, so no verified round
	# trip) any address at or above 16 MiB. Without an IOMMU a kmalloc
	# buffer lies above 16 MiB, so both transfers bounce into map register
	# memory; with one the IOVA allocator may hand out addresses below
	# 16 MiB (IOVAs freed by earlier 24-bit allocations are reused), and
	# mapping in place is then right.
	run "$d" "dmasize 0"
	expect "$name DmaSize 24 bits allocated" "status=0x00000000"
	read -r m0 b0 < <(transfers "$name")
	run "$d" "roundtrip len=4096 off=0 buf=kmalloc reg=1"
	expect "$name 24-bit round trip, every address below 16 MiB" "^ok .*verified=1"
	read -r m1 b1 < <(transfers "$name")
	moved="mapped +$((m1 - m0)) bounced +$((b1 - b0))"
	if grep -q intel_iommu=on /proc/cmdline; then
		want="2 in all"
		[ $((m1 - m0 + b1 - b0)) = 2 ]
	else
		want="mapped +0 bounced +2"
		[ "$moved" = "$want" ]
	fi
	if [ $? = 0 ]; then ok "$name 24-bit transfers counted (bounced without an IOMMU)"
	else notok "$name 24-bit: $moved (want $want)"; fi
	run "$d" "dmasize 2"
	expect "$name DmaSize 64 bits again" "status=0x00000000"

	# Builtins only: 30 reads and writes, no fork each.
	prefix=0
	for ((k = 1; k <= ${#MISUSE_ROWS[@]}; k++)); do
		read -r r0 <"$DBG/ndis_shim/rejected_calls"
		R="(write to cmd failed)"
		echo "misuse rows=$k" >"$d/cmd" && read -r R <"$d/result"
		read -r r1 <"$DBG/ndis_shim/rejected_calls"
		want="${MISUSE_ROWS[*]:0:k}" row=${MISUSE_ROWS[k - 1]%=*}
		# Rows 1..k-1 were checked in the runs before: row k is the difference.
		got=$((r1 - r0 - prefix))
		prefix=$((r1 - r0))
		if [ "$R" = "$want" ] && [ "$got" = "${MISUSE_REJECTED[k - 1]}" ]; then
			ok "$name misuse $row: ${MISUSE_ROWS[k - 1]} rejected +$got"
		else
			notok "$name misuse $row: '$R' (want '$want'), rejected +$got (want +${MISUSE_REJECTED[k - 1]})"
		fi
	done

	# NdisMAllocateMapRegisters (NDIS 5.1 page, ff552300): SUCCESS, or
	# NDIS_STATUS_RESOURCES for incompatible parameters (allocated already,
	# DmaSize not 24/32/64 bits, no base register, an empty buffer) and
	# beyond "a limit of 64 map registers per miniport driver" (1512-byte
	# buffers take two each: 32 fit, 33 do not). It and NdisMFreeMapRegisters
	# are PASSIVE_LEVEL calls (their NDIS 5.1 pages, and
	# ../shared/reference/ndis-dma.md); under a spin lock the shim refuses
	# them (shim's choice, neither page names a status for it,
	# Documentation/ndis5.rst): Free leaves the registers (a Start still
	# maps: one entry), Allocate is RESOURCES (the page's one failure status),
	# each logged and counted shim-wide. The other refusals are the
	# documented statuses, not counted.
	r0=$(rejected)
	run "$d" "alloc"
	expect "$name NdisMAllocateMapRegisters refusals" "again=0xc000009a free_at_dispatch_entries=1 alloc_at_dispatch=0xc000009a dmasize3=0xc000009a zero=0xc000009a empty=0xc000009a too_many=0xc000009a over64=0xc000009a at64=0x00000000 restored=0x00000000"
	r1=$(rejected)
	if [ $((r1 - r0)) = 2 ]; then ok "$name map registers above PASSIVE_LEVEL: 2 calls rejected and counted"
	else notok "$name map register refusals: rejected_calls grew by $((r1 - r0)), expected 2"; fi

	# NdisMAllocateSharedMemoryAsync (NDIS 5.1 page, ff552304):
	# NDIS_STATUS_PENDING, then MiniportAllocateComplete (W_ALLOCATE_COMPLETE_HANDLER,
	# ff549352) with the block; edu moves data through it.
	for c in "${ASYNC[@]}"; do
		run "$d" "shm-async $c"
		expect "$name NdisMAllocateSharedMemoryAsync $c" "^ok shm-async status=0x00000103/0x00000103 .*verified=1 in_reach=1"
	done
	# Same page: "MiniportAllocateComplete will be called with NULL pointers
	# if the attempt to allocate shared memory fails" (Length 0, 4 GiB - 1);
	# a forged handle: NDIS_STATUS_FAILURE, the page's other status (Windows
	# itself would crash).
	run "$d" "shm-async-fail"
	expect "$name failed asynchronous allocations" "zero=0x00000103 zero_nulls=1 huge=0x00000103 huge_nulls=1 forged=0xc0000001"

	# NdisMRegisterScatterGatherDma page: NOT_SUPPORTED below NDIS 6.0.
	run "$d" "sg-register"
	expect "$name NDIS 5.1 driver: NdisMRegisterScatterGatherDma NOT_SUPPORTED" "^sg-register status=0xc00000bb handle=0"

	r0=$(rejected)
	run "$d" "nonbm"
	# Not a bus master: map registers SUCCESS and nothing (NdisMAllocateMapRegisters);
	# no DMA adapter, so NdisMAllocateSharedMemory gives NULL
	# ("must have already called ... to initialize a ... DMA channel") and
	# NdisMAllocateSharedMemoryAsync NDIS_STATUS_FAILURE.
	expect "$name non-bus master: SUCCESS and nothing" "nonbm_alloc=0x00000000 nonbm_entries=0 nonbm_shm_va_null=1 nonbm_async=0xc0000001 busmaster_alloc=0x00000000"
	r1=$(rejected)
	if [ $((r1 - r0)) = 2 ]; then ok "$name mapping and shared memory without a DMA adapter rejected"
	else notok "$name rejected_calls grew by $((r1 - r0)), expected 2"; fi
	blocks=$(sed -nE "s/^$name .* shared_blocks=([0-9]+).*/\1/p" $DBG/ndis_shim/adapters)
	if [ "$blocks" = 0 ]; then ok "$name no shared memory left allocated"
	else notok "$name shared_blocks=$blocks"; fi
done
if rmmod edu_dma_ndis5; then ok "rmmod edu_dma_ndis5"; else notok "rmmod edu_dma_ndis5"; fi
if rmmod ndis_shim; then ok "rmmod ndis_shim"; else notok "rmmod ndis_shim"; fi
exit "$failed"
