#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# edu_dma_c (a Windows NDIS miniport in C, samples/edu_dma_c) moves data
# through NdisMSetupDmaTransfer / NdisMCompleteDmaTransfer on every edu
# adapter: host -> device -> host round trips over lengths 1..4096, at
# several edu-buffer offsets, with the data starting mid-page and spanning
# page boundaries inside the MDL, from kmalloc, vmalloc and >= 256 MiB
# pages; a few with Setup called under an NDIS spin lock (DISPATCH_LEVEL).
# Then the same through a second channel registered with 24-bit addresses
# (Dma32BitAddresses FALSE, as an ISA subordinate NIC would): every byte
# comes back, and every bus address edu's engine was given (the glue
# records the highest) lies below 16 MiB. Each transfer is counted once in
# the adapter's mapped or bounced count (ndis_shim/adapters): 2 in all.
# Without an IOMMU or swiotlb every buffer here lies above 16 MiB
# (kmalloc and vmalloc memory is not in ZONE_DMA, "high" pages are
# >= 256 MiB), so both transfers are bounced, through the channel's map
# registers below 16 MiB; an IOMMU may hand out a bus address below
# 16 MiB and swiotlb a slot there, which the shim then maps in place.
# NDIS_ROUNDTRIP_LENS picks the lengths, comma-separated (default all
# seven; tools/check.sh runs 1,63,4095,4096 in iommu and swiotlb, the
# lengths on either side of a cache line and a page: each round trip is two
# 100 ms edu transfers).
# Prints nested KTAP; exit 0 pass, 4 skip, else fail.
set -uo pipefail
LENS=${NDIS_ROUNDTRIP_LENS:-1,2,63,64,511,4095,4096}
LENS=${LENS//,/ }
. "$(dirname "$0")/../edu_c_lib.sh"

# (off mdl_off) pairs per length: start of edu's buffer, its end, and the
# middle; data at the MDL's start, mid-page, and across a page boundary.
cases_for_len() { # LEN -> lines "off mdl_off"
	local l=$1 end=$((4096 - $1))
	if [ "$l" = 4096 ]; then
		echo "0 0"; echo "0 2047"; echo "0 4095"
		return
	fi
	echo "0 0"
	echo "$end $((4096 - (l + 1) / 2))" # straddles the page boundary at 4096
	echo "$(((end + 1) / 2)) 333"
	[ "$l" -le 64 ] && echo "1 4095"
}

CASES=()
for kind in kmalloc vmalloc high; do
	for len in $LENS; do
		while read -r off moff; do
			CASES+=("roundtrip off=$off len=$len mdl_off=$moff buf=$kind")
		done < <(cases_for_len "$len")
	done
done
for c in "off=0 len=4096 mdl_off=100 buf=kmalloc" "off=7 len=511 mdl_off=4000 buf=vmalloc" \
	"off=64 len=64 mdl_off=4090 buf=high"; do
	CASES+=("spinlock-roundtrip $c")
done

# 24-bit channel round trips: edu-buffer offset, length, MDL offset, memory.
CASES24=(
	"off=0 len=4096 mdl_off=0 buf=kmalloc"
	"off=0 len=4096 mdl_off=2047 buf=vmalloc"
	"off=100 len=1000 mdl_off=3500 buf=kmalloc"
	"off=4095 len=1 mdl_off=4095 buf=vmalloc"
	"off=64 len=2048 mdl_off=4000 buf=high"
)
# Expected statuses, Windows' (learn.microsoft.com, ndis.h pages):
#   NdisMRegisterDmaChannel: Dma32BitAddresses "TRUE if the NIC has 32
#     address lines. Otherwise, it is FALSE": a valid input, so SUCCESS
#     (the page's other statuses are RESOURCE_CONFLICT, RESOURCES, FAILURE).
#   NdisMSetupDmaTransfer: SUCCESS, "The DMA controller has been set up to
#     transfer the specified data"; RESOURCES only for a channel in use or
#     an invalid Length.
#   NdisMCompleteDmaTransfer: SUCCESS, "The data has been transferred and
#     flushed"; RESOURCES, "released, but the data transfer might be
#     incoherent", does not apply: the counter was polled to 0 first.
SUCCESS=0x00000000
EXPECT24="^ok register=$SUCCESS setup=$SUCCESS/$SUCCESS complete=$SUCCESS/$SUCCESS verified=1 highest_bus_address=0x[0-9a-f]{1,6} "
# Bus address = physical address: both transfers must be bounced.
direct=1
grep -qE 'intel_iommu=on|swiotlb=force' /proc/cmdline && direct=

mark="ndis-test: $$-$(date +%s%N)"
echo "$mark" >/dev/kmsg
log_since_mark() { dmesg | awk -v m="$mark" 'on; index($0, m) { on = 1 }'; }

echo "KTAP version 1"
if ! insmod "$shim"; then echo "1..1"; notok "insmod ndis_shim"; exit 1; fi
if ! insmod "$edu"; then echo "1..1"; notok "insmod edu_dma_c"; rmmod ndis_shim; exit 1; fi
mapfile -t ADAPTERS < <(ls -d $DBG/edu_dma_c/*/ 2>/dev/null)
echo "1..$((${#ADAPTERS[@]} * (${#CASES[@]} + 2 * ${#CASES24[@]}) + 3))"
if [ "${#ADAPTERS[@]}" -ge 1 ]; then ok "edu_dma_c bound ${#ADAPTERS[@]} adapter(s)"; else notok "edu_dma_c bound no adapter"; fi
for d in "${ADAPTERS[@]}"; do
	name=$(basename "$d")
	echo "# $name: $(cat "$d/channel")"
	for c in "${CASES[@]}"; do
		if ! run "$d" "$c"; then
			notok "$name $c: $R"
		else
			case $R in
			ok\ *verified=1*) ok "$name $c" ;;
			skip*) n=$((n + 1)); echo "ok $n $name $c # SKIP ${R#skip }" ;;
			*) notok "$name $c: $R" ;;
			esac
		fi
	done
	echo "# $name: $(cat "$d/channel")"
	for c in "${CASES24[@]}"; do
		m0=$(adapter_count "$name" mapped) b0=$(adapter_count "$name" bounced)
		run "$d" "roundtrip-24bit $c"
		m1=$(adapter_count "$name" mapped) b1=$(adapter_count "$name" bounced)
		if [[ $R == skip* ]]; then
			n=$((n + 1)); echo "ok $n $name roundtrip-24bit $c # SKIP ${R#skip }"
			n=$((n + 1)); echo "ok $n $name roundtrip-24bit $c bounced # SKIP ${R#skip }"
			continue
		fi
		echo "# $name roundtrip-24bit $c: $R"
		expect "$name roundtrip-24bit $c" "$EXPECT24"
		counts="bounced $b0 -> $b1, mapped $m0 -> $m1"
		if [ -z "$b0" ] || [ -z "$m0" ] || [ $((b1 - b0 + m1 - m0)) != 2 ]; then
			notok "$name roundtrip-24bit $c: $counts (want 2 transfers in all)"
		elif [ -n "$direct" ] && [ $((b1 - b0)) != 2 ]; then
			notok "$name roundtrip-24bit $c: $counts (want both bounced)"
		else
			ok "$name roundtrip-24bit $c counted ($counts)"
		fi
	done
done
if rmmod edu_dma_c; then ok "rmmod edu_dma_c"; else notok "rmmod edu_dma_c"; fi
if rmmod ndis_shim; then ok "rmmod ndis_shim"; else notok "rmmod ndis_shim"; fi
exit "$failed"
