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

cleanup() {
	echo 0 >$TR/events/ndis_shim/enable 2>/dev/null
	echo 1 >$TR/tracing_on
	: >$TR/trace
	rmmod edu_dma_c 2>/dev/null
	rmmod ndis_shim 2>/dev/null
}
trap cleanup EXIT

# recorded: the ndis_shim events in the buffer, one per line.
recorded() { grep -E ' ndis_(dma_setup|dma_complete|call|net): ' $TR/trace; }
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
echo "1..11"
if ! insmod "$shim" || ! insmod "$edu"; then notok "insmod ndis_shim, edu_dma_c"; exit 1; fi
check "the ndis_shim trace system lists its events" \
	eval '[ -d $TR/events/ndis_shim/ndis_dma_setup ] && [ -d $TR/events/ndis_shim/ndis_dma_complete ] && [ -d $TR/events/ndis_shim/ndis_call ] && [ -d $TR/events/ndis_shim/ndis_net ]'
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
exit "$failed"
