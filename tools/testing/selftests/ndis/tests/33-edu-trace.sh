#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The ndis_shim trace events (rust/ndis_trace.h, rust/trace.rs), through
# tracefs as trace-cmd uses them: enabled, two verified edu round trips
# through the C sample (edu_dma_c), each a Setup and a Complete per
# direction, must leave their ndis_dma_setup and ndis_dma_complete events
# with the fields of the transfer: the length, offset and direction asked
# for, a bus address, "bounced" as often as the adapter's own bounced
# counter (ndis_shim/adapters) says the shim copied through its memory
# (it maps a kmalloc buffer the device reaches, bounces one it does not,
# and always a vmalloc buffer across a page), status SUCCESS, and Setup's
# handle on Complete.
# Disabled, a round trip leaves no event.
# Then, with ndis_call and ndis_void_call on, a reload of the sample and
# its misuse command: every registration its MiniportInitializeEx makes
# is an ndis_call with status SUCCESS and the new handle, and its Halt
# and unload deregister that same handle (ndis_void_call); the adapter's
# calls name the adapter handle; a refused registration carries the
# status Windows documents; Setup and Complete stay with their own
# events (Documentation/debugging.rst lists which event covers which
# call).
set -uo pipefail
. "$(dirname "$0")/../edu_c_lib.sh"
TR=/sys/kernel/tracing
mountpoint -q $TR || mount -t tracefs nodev $TR 2>/dev/null
[ -e $TR/trace ] || { echo "# SKIP no tracefs"; exit 4; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else notok "$what"; fi; }
# The statuses the events must carry are Windows' for these valid calls
# (learn.microsoft.com, ndis.h): NdisMSetupDmaTransfer "NDIS_STATUS_SUCCESS:
# The DMA controller has been set up to transfer the specified data";
# NdisMCompleteDmaTransfer "NDIS_STATUS_SUCCESS: The data has been
# transferred and flushed" (the sample polls the counter to 0 first).
SUCCESS=0x00000000
# The registrations MiniportInitializeEx makes, each with the page's
# NDIS_STATUS_SUCCESS (learn.microsoft.com, ndis.h):
# NdisMRegisterMiniportDriver "registered the miniport driver
# successfully"; NdisMSetMiniportAttributes "registered the miniport
# adapter attributes successfully"; NdisMMapIoSpace "The device memory
# range was mapped successfully"; NdisMRegisterInterruptEx "NDIS
# initialized the interrupt object and supplied a valid interrupt handle";
# NdisMRegisterDmaChannel and NdisMRegisterScatterGatherDma return
# NDIS_STATUS_SUCCESS with the handle in *MiniportDmaHandle /
# *NdisMiniportDmaHandle. The refused one: NdisMRegisterDmaChannel
# NDIS_STATUS_RESOURCE_CONFLICT, "attempt to claim the DMA channel ...
# failed" (the misuse command's register-channel-3, as in
# 21-edu-c-misuse.sh).
RESOURCE_CONFLICT=0xc001001e

cleanup() {
	echo 0 >$TR/events/ndis_shim/enable 2>/dev/null
	echo 1 >$TR/tracing_on
	: >$TR/trace
	rmmod edu_dma_c 2>/dev/null
	rmmod ndis_shim 2>/dev/null
}
trap cleanup EXIT

# recorded: the ndis_shim events in the buffer, one per line.
recorded() { grep -E ' ndis_(dma_setup|dma_complete|call|void_call|net): ' $TR/trace; }
# field LINE NAME: NAME= of an event line.
field() { [[ " $1" =~ [\ ]$2=([^\ ]*) ]] && echo "${BASH_REMATCH[1]}"; }
# transfer_traced OFFSET LEN TO_DEVICE (OFFSET: Setup's, into the MDL):
# exactly one Setup event with these fields, SUCCESS, a bus address and a
# bounced flag (added to BOUNCED_SUM), and one Complete with the same
# handle, arguments and SUCCESS.
transfer_traced() {
	local setups completes h bus b
	setups=$(grep ' ndis_dma_setup: ' <<<"$EVENTS" | grep " offset=$1 length=$2 to_device=$3 ")
	[ "$(grep -c . <<<"$setups")" = 1 ] || { echo "# setups offset=$1 length=$2 to_device=$3: ${setups:-none}"; return 1; }
	h=$(field "$setups" handle) bus=$(field "$setups" bus_address)
	b=$(field "$setups" bounced)
	[ "$(field "$setups" status)" = $SUCCESS ] && [[ $b == [01] ]] &&
		[ -n "$bus" ] && [ "$((bus))" != 0 ] || { echo "# setup: $setups"; return 1; }
	BOUNCED_SUM=$((BOUNCED_SUM + b))
	completes=$(grep ' ndis_dma_complete: ' <<<"$EVENTS" | grep " handle=$h offset=$1 length=$2 to_device=$3 status=$SUCCESS")
	[ "$(grep -c . <<<"$completes")" = 1 ] || { echo "# completes for $h: ${completes:-none}"; return 1; }
}

echo "KTAP version 1"
echo "1..19"
if ! insmod "$shim" || ! insmod "$edu"; then notok "insmod ndis_shim, edu_dma_c"; exit 1; fi
check "the ndis_shim trace system lists its events" \
	eval '[ -d $TR/events/ndis_shim/ndis_dma_setup ] && [ -d $TR/events/ndis_shim/ndis_dma_complete ] && [ -d $TR/events/ndis_shim/ndis_call ] && [ -d $TR/events/ndis_shim/ndis_void_call ] && [ -d $TR/events/ndis_shim/ndis_net ]'
D=
for d in $DBG/edu_dma_c/*/; do [ -e "$d/cmd" ] && D=${d%/} && break; done
[ -n "$D" ] || { notok "an edu_dma_c device"; exit 1; }

echo 0 >$TR/tracing_on
: >$TR/trace
echo 1 >$TR/events/ndis_shim/enable
echo 1 >$TR/tracing_on
PCI=${D##*/}
# roundtrip_counted CMD: the round trip; BOUNCED = how many of its two
# transfers the adapter counted bounced (the rest it counted mapped; the
# sample may use a different buffer each way, one within reach and one
# not).
roundtrip_counted() {
	local b0 m0 b1 m1
	b0=$(adapter_count "$PCI" bounced) m0=$(adapter_count "$PCI" mapped)
	run "$D" "$1"
	b1=$(adapter_count "$PCI" bounced) m1=$(adapter_count "$PCI" mapped)
	BOUNCED=$((b1 - b0))
	[ $((b1 - b0 + m1 - m0)) = 2 ] || BOUNCED="(not 2 transfers)"
	echo "# $1: bounced $b0 -> $b1, mapped $m0 -> $m1"
}
roundtrip_counted "roundtrip off=0 len=4096 mdl_off=0 buf=kmalloc"
expect "events on: round trip 4096 B from kmalloc verified" "^ok .*verified=1"
BOUNCED_K=$BOUNCED
roundtrip_counted "roundtrip off=64 len=1000 mdl_off=3500 buf=vmalloc"
expect "events on: round trip 1000 B from vmalloc across a page verified" "^ok .*verified=1"
BOUNCED_V=$BOUNCED
echo 0 >$TR/tracing_on
EVENTS=$(recorded)
echo "$EVENTS" | sed -E 's/^ *//; s/^/# /'
BOUNCED_SUM=0
check "kmalloc, to the device: Setup and Complete traced" transfer_traced 0 4096 1
check "kmalloc, from the device: Setup and Complete traced" transfer_traced 0 4096 0
check "kmalloc: as many Setups say bounced as the adapter counted ($BOUNCED_K)" [ "$BOUNCED_SUM" = "$BOUNCED_K" ]
BOUNCED_SUM=0
check "vmalloc across a page, to the device: traced" transfer_traced 3500 1000 1
check "vmalloc across a page, from the device: traced" transfer_traced 3500 1000 0
check "vmalloc across a page: both bounced, as the adapter counted ($BOUNCED_V)" \
	eval '[ "$BOUNCED_SUM" = 2 ] && [ "$BOUNCED_V" = 2 ]'

echo 0 >$TR/events/ndis_shim/enable
: >$TR/trace
echo 1 >$TR/tracing_on
run "$D" "roundtrip off=0 len=4096 mdl_off=0 buf=kmalloc"
expect "events off: round trip verified" "^ok .*verified=1"
check "events off: nothing recorded" eval '[ -z "$(recorded)" ]'

# The entry points' own events across a reload: the sample's Initialize
# (insmod) and Halt and driver unload (rmmod), with its misuse command
# between them.
rmmod edu_dma_c
echo 0 >$TR/tracing_on
: >$TR/trace
echo 1 >$TR/events/ndis_shim/ndis_call/enable
echo 1 >$TR/events/ndis_shim/ndis_void_call/enable
echo 1 >$TR/tracing_on
if ! insmod "$edu"; then notok "events on: insmod edu_dma_c again"; exit 1; fi
D=
for d in $DBG/edu_dma_c/*/; do [ -e "$d/cmd" ] && D=${d%/} && break; done
[ -n "$D" ] || { notok "an edu_dma_c device after the reload"; exit 1; }
run "$D" misuse
echo "# misuse: $(grep -c . <<<"$R") rows"
rmmod edu_dma_c
echo 0 >$TR/tracing_on
CALLS=$(grep -E ' ndis_(void_)?call: ' $TR/trace)
echo "# $(grep -c . <<<"$CALLS") ndis_call and ndis_void_call events, the first 60:"
head -60 <<<"$CALLS" | sed -E 's/^ *//; s/^/# /'
# handle_of CALL STATUS: the handle of the first ndis_call of CALL with
# STATUS (the Initialize's, ahead of the misuse command's).
handle_of() {
	local l
	l=$(grep -m1 -E " ndis_call: $1 handle=[^ ]+ status=$2\$" <<<"$CALLS") && field "$l" handle
}
# void_on CALL HANDLE: an ndis_void_call of CALL on HANDLE.
void_on() { grep -qE " ndis_void_call: $1 handle=$2\$" <<<"$CALLS"; }
# registered_then_released REGISTER RELEASE: REGISTER SUCCESS with a
# handle other than 0 and the adapter's, then RELEASE on that handle.
registered_then_released() {
	local h
	h=$(handle_of "$1" $SUCCESS)
	[ -n "$h" ] && [ "$((h))" != 0 ] && [ "$h" != "$ADAPTER" ] ||
		{ echo "# $1: no SUCCESS with a new handle (${h:-none})"; return 1; }
	void_on "$2" "$h" || { echo "# no $2 handle=$h"; return 1; }
}
ADAPTER=$(handle_of NdisMSetMiniportAttributes $SUCCESS)
echo "# adapter handle: ${ADAPTER:-none}"
check "events on: NdisMSetMiniportAttributes and NdisMMapIoSpace SUCCESS on the adapter, NdisMUnmapIoSpace on it at Halt" \
	eval '[ -n "$ADAPTER" ] && [ "$((ADAPTER))" != 0 ] && [ "$(handle_of NdisMMapIoSpace $SUCCESS)" = "$ADAPTER" ] && void_on NdisMUnmapIoSpace "$ADAPTER"'
check "events on: NdisMRegisterMiniportDriver SUCCESS, NdisMDeregisterMiniportDriver on its handle" \
	registered_then_released NdisMRegisterMiniportDriver NdisMDeregisterMiniportDriver
check "events on: NdisMRegisterInterruptEx SUCCESS, NdisMDeregisterInterruptEx on its handle" \
	registered_then_released NdisMRegisterInterruptEx NdisMDeregisterInterruptEx
check "events on: NdisMRegisterDmaChannel SUCCESS, NdisMDeregisterDmaChannel on its handle" \
	registered_then_released NdisMRegisterDmaChannel NdisMDeregisterDmaChannel
check "events on: NdisMRegisterScatterGatherDma SUCCESS, NdisMDeregisterScatterGatherDma on its handle" \
	registered_then_released NdisMRegisterScatterGatherDma NdisMDeregisterScatterGatherDma
# Before the adapter is a bus master its NdisMAllocateSharedMemory is
# refused (a void call: the event has no status); NdisFreeMemory names
# no handle (the kernel's %#llx prints 0 as 0x0).
check "events on: void calls: NdisMAllocateSharedMemory on the adapter, NdisFreeMemory with handle 0" \
	eval 'void_on NdisMAllocateSharedMemory "$ADAPTER" && void_on NdisFreeMemory 0x0'
check "events on: misuse: NdisMRegisterDmaChannel refused on the adapter with RESOURCE_CONFLICT" \
	eval 'grep -qE " ndis_call: NdisMRegisterDmaChannel handle=$ADAPTER status=$RESOURCE_CONFLICT\$" <<<"$CALLS"'
check "events on: Setup and Complete are not ndis_call events (ndis_dma_setup, ndis_dma_complete)" \
	eval '! grep -qE " ndis_(void_)?call: Ndis(M)?(Setup|Complete)DmaTransfer " <<<"$CALLS"'
exit "$failed"
