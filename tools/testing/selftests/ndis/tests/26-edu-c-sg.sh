#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# edu_dma_c, NDIS 6 scatter-gather DMA: NET_BUFFERs whose MDL chains hold
# several buffers straddling pages (kmalloc, vmalloc, both, and pages beyond
# edu's 28-bit reach), with DataOffset skipping a whole MDL and part of the
# next (CurrentMdl the second MDL, CurrentMdlOffset into it), go to edu's
# buffer element by element through NdisMAllocateNetBufferSGList and come
# back the same way. As Windows does, each list starts at the beginning of
# CurrentMdl and the miniport (sg.c) skips CurrentMdlOffset bytes of it:
# every data byte is verified and nothing outside the data is written.
# ProcessSGList must run at DISPATCH_LEVEL (BHs off) though the caller is
# at PASSIVE_LEVEL; NdisQueryNetBufferPhysicalCount must count the pages
# the test built. Device-to-host data sharing cache lines must be bounced
# (the adapter's "bounced" count moves). A ring of 32 sends and 32 receives
# holds 64 lists at once, mapped, then with the 32 receives bounced.
# Then every bad input gets its status, and a list freed twice or never
# handed out is rejected (two more rejected calls), with nothing leaked.
# Prints nested KTAP.
#
# Expected statuses are Windows' (learn.microsoft.com, ndis.h pages):
#   NdisMAllocateNetBufferSGList: SUCCESS or NDIS_STATUS_RESOURCES, the only
#     failure the page lists; for a handle naming no registration Windows
#     defines nothing (it would crash): the shim's INVALID_PARAMETER.
#   NdisMRegisterScatterGatherDma: BAD_VERSION for a wrong header;
#     NOT_SUPPORTED for a driver that is not a bus master; a second
#     registration is undocumented: the shim's RESOURCE_CONFLICT.
#   MINIPORT_PROCESS_SG_LIST: "NDIS calls MiniportProcessSGList at IRQL =
#     DISPATCH_LEVEL", once per successful allocation, never for a failed one.
set -uo pipefail
. "$(dirname "$0")/../edu_c_lib.sh"

SUCCESS=0x00000000 INVALID_PARAMETER=0xc000000d RESOURCES=0xc000009a
BAD_VERSION=0xc0010004 NOT_SUPPORTED=0xc00000bb RESOURCE_CONFLICT=0xc001001e
# Round trips: each list starts at the beginning of CurrentMdl and sg.c
# skips CurrentMdlOffset bytes of it (NdisMAllocateNetBufferSGList page,
# NetBuffer: "generated from the data starting at the beginning of the MDL
# that is specified at the CurrentMdl member"); SUCCESS, and
# MiniportProcessSGList at DISPATCH_LEVEL (MINIPORT_PROCESS_SG_LIST page).
ROUNDTRIPS=(
	"len=64 buf=kmalloc"
	"len=3072 parts=3 buf=kmalloc"
	"len=4096 parts=4 skip=128 mdl_off=64 buf=kmalloc"
	"len=3072 parts=3 skip=64 mdl_off=192 buf=vmalloc"
	"len=4000 parts=4 skip=100 mdl_off=37 buf=mixed"
	"len=2048 parts=2 buf=high"
	"len=1 mdl_off=1000 buf=vmalloc"
)
# Device-to-host into pieces sharing a cache line: always bounced.
UNALIGNED="len=1000 parts=3 skip=7 mdl_off=5 buf=mixed"
# A ring: count=32 sends and 32 receives, each list held until the last
# moved. Receives at off=8 share cache lines: bounced, all 32 at once.
# (Each list is one edu transfer, 100 ms in QEMU's model: a ring of 64 and
# 64 took 13 s, four of them half of this test's time.)
RING=32
RING_MAPPED="count=$RING len=64 mdl_off=64"
RING_BOUNCED="count=$RING len=64 mdl_off=24 off=8"
EXPECT=(
	# NdisMAllocateNetBufferSGList page: RESOURCES is the one failure.
	"sg-null-net-buffer $RESOURCES"
	"sg-no-mdl $RESOURCES"
	"sg-offset-overflow $RESOURCES"
	"sg-beyond-chain $RESOURCES"
	"sg-over-maximum $RESOURCES"
	"sg-zero-length $RESOURCES"
	# Undocumented (a forged handle crashes Windows): the shim's choice.
	"sg-bad-handle $INVALID_PARAMETER"
	# MINIPORT_PROCESS_SG_LIST page: called if the allocation succeeds.
	"sg-callbacks-on-failure 0x00000000"
	"sg-allocate $SUCCESS"
	"sg-callbacks 0x00000001"
	# MINIPORT_PROCESS_SG_LIST page: at IRQL = DISPATCH_LEVEL.
	"sg-callbacks-at-dispatch 0x00000001"
	# CurrentMdlOffset 8 + DataLength 64 bytes of a kmalloc'd MDL.
	"sg-elements 0x00000001"
	# NdisMRegisterScatterGatherDma page: BAD_VERSION, NOT_SUPPORTED.
	"sg-register-bad-revision $BAD_VERSION"
	"sg-register-bad-size $BAD_VERSION"
	"sg-register-bad-type $BAD_VERSION"
	# Undocumented: the shim's choice.
	"sg-register-twice $RESOURCE_CONFLICT"
	"sg-register-not-bus-master $NOT_SUPPORTED"
)
# swiotlb=force with edu's 28-bit reach: the pool lies beyond it, so the
# shim bounces every list (Documentation/scatter-gather.rst).
all_bounced=0
grep -q 'swiotlb=force' /proc/cmdline && all_bounced=1
field() { sed -n "s/^$1 .* $2=\([0-9]*\).*/\1/p" $DBG/ndis_shim/adapters; }

echo "KTAP version 1"
if ! insmod "$shim"; then echo "1..1"; notok "insmod ndis_shim"; exit 1; fi
if ! insmod "$edu"; then echo "1..1"; notok "insmod edu_dma_c"; rmmod ndis_shim; exit 1; fi
mapfile -t ADAPTERS < <(ls -d $DBG/edu_dma_c/*/ 2>/dev/null)
PER_ADAPTER=$((${#ROUNDTRIPS[@]} + ${#EXPECT[@]} + 10))
echo "1..$((${#ADAPTERS[@]} * PER_ADAPTER + 3))"
if [ "${#ADAPTERS[@]}" -ge 1 ]; then ok "edu_dma_c bound ${#ADAPTERS[@]} adapter(s)"; else notok "edu_dma_c bound no adapter"; fi
for d in "${ADAPTERS[@]}"; do
	name=$(basename "$d")
	if [ "$(field "$name" sg_dma)" = 1 ]; then ok "$name has an SG DMA registration"; else notok "$name: no SG DMA registration"; fi
	for c in "${ROUNDTRIPS[@]}"; do
		run "$d" "sg-roundtrip $c"
		echo "# $name sg-roundtrip $c: $R"
		if [[ $R == skip* ]]; then ok "$name sg-roundtrip $c # SKIP $R"; continue; fi
		expect "$name sg-roundtrip $c" "^ok sg .*dispatch=1 physical_count=[1-9][0-9]* verified=1"
	done
	before=$(field "$name" bounced)
	run "$d" "sg-roundtrip $UNALIGNED"
	echo "# $name sg-roundtrip $UNALIGNED: $R"
	expect "$name sg-roundtrip $UNALIGNED" "^ok sg .*from_elements=1 .*verified=1"
	after=$(field "$name" bounced)
	if [ -n "$before" ] && [ -n "$after" ] && [ $((after - before)) -ge 1 ]; then
		ok "$name: device-to-host data sharing cache lines was bounced ($before -> $after)"
	else
		notok "$name: expected a bounced SG list, counts '$before' -> '$after'"
	fi

	# 2*RING lists outstanding at once, then again with the RING receives
	# bounced: the bounce pool holds them all (RESOURCES otherwise).
	for ring in "$RING_MAPPED" "$RING_BOUNCED"; do
		m0=$(field "$name" mapped) b0=$(field "$name" bounced)
		run "$d" "sg-ring $ring"
		echo "# $name sg-ring $ring: $R"
		expect "$name sg-ring $ring" "^ok sg-ring outstanding=$((2 * RING)) dispatch=$((2 * RING)) verified=1"
		m1=$(field "$name" mapped) b1=$(field "$name" bounced)
		bounced=$((b1 - b0)) mapped=$((m1 - m0))
		if [ "$all_bounced" = 1 ]; then want_bounced=$((2 * RING))
		elif [ "$ring" = "$RING_MAPPED" ]; then want_bounced=0
		else want_bounced=$RING; fi
		if [ "$bounced" = "$want_bounced" ] && [ $((bounced + mapped)) = $((2 * RING)) ]; then
			ok "$name sg-ring $ring: $bounced of $((2 * RING)) lists bounced"
		else
			notok "$name sg-ring $ring: mapped +$mapped bounced +$bounced (want $want_bounced bounced of $((2 * RING)))"
		fi
	done

	rej0=$(field "$name" rejected_calls)
	if ! echo sg-misuse >"$d/cmd"; then notok "$name: sg-misuse command failed"; else ok "$name: sg-misuse command ran"; fi
	out=$(cat "$d/result")
	echo "$out" | sed 's/^/# /'
	for e in "${EXPECT[@]}"; do
		row=${e% *} want=${e#* }
		got=$(echo "$out" | awk -v r="$row" '$1 == "misuse" { split($2, kv, "="); if (kv[1] == r) print kv[2] }')
		if [ "$got" = "$want" ]; then ok "$name $row=$got"; else notok "$name $row=${got:-missing} (want $want)"; fi
	done
	rej1=$(field "$name" rejected_calls)
	if [ -n "$rej0" ] && [ -n "$rej1" ] && [ $((rej1 - rej0)) -eq 2 ]; then
		ok "$name: freeing twice and freeing an unknown list were rejected ($rej0 -> $rej1)"
	else
		notok "$name: expected 2 rejected frees, rejected_calls '$rej0' -> '$rej1'"
	fi
	# Still works after the misuse (and the bus-master flag is back).
	run "$d" "sg-roundtrip ${ROUNDTRIPS[1]}"
	expect "$name sg-roundtrip after misuse" "^ok sg .*verified=1"
done
if rmmod edu_dma_c; then ok "rmmod edu_dma_c"; else notok "rmmod edu_dma_c"; fi
if rmmod ndis_shim; then ok "rmmod ndis_shim"; else notok "rmmod ndis_shim"; fi
exit "$failed"
