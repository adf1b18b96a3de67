#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# edu_dma_ndis5 (a Windows NDIS 5.1 bus-master miniport in C,
# samples/edu_dma_ndis5): NdisMInitializeWrapper / NdisMRegisterMiniport /
# NdisMSetAttributesEx / NdisMQueryAdapterResources bring every edu adapter
# up; NdisMAllocateMapRegisters, then each buffer goes host -> edu -> host
# through NdisMStartBufferPhysicalMapping, edu's engine programmed with every
# physical-mapping entry in turn, and the bytes compared (kmalloc and vmalloc,
# mid-page, across pages). DmaSize 24 bits bounces everything into map
# register memory below 16 MiB; bad calls are each rejected and counted;
# a non-bus master's map registers are SUCCESS and nothing. Nested KTAP.
set -uo pipefail
EDU_SAMPLE=edu_dma_ndis5
. "$(dirname "$0")/../edu_c_lib.sh"

rejected() { cat $DBG/ndis_shim/rejected_calls; }
# "mapped bounced" of the adapter at PCI name $1.
transfers() { sed -nE "s/^$1 .* mapped=([0-9]+) bounced=([0-9]+).*/\1 \2/p" $DBG/ndis_shim/adapters; }

ROUNDTRIPS=("len=4096 off=0 buf=kmalloc reg=0" "len=4096 off=0 buf=vmalloc reg=1"
	"len=3000 off=2000 buf=vmalloc reg=2" "len=100 off=4090 buf=kmalloc reg=3"
	"len=1 off=0 buf=kmalloc reg=0" "len=2049 off=2048 buf=vmalloc reg=3")
PER_ADAPTER=$((${#ROUNDTRIPS[@]} + 10))

echo "KTAP version 1"
if ! insmod "$shim"; then echo "1..1"; notok "insmod ndis_shim"; exit 1; fi
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

	# DmaSize 24 bits: nothing above 16 MiB, so every buffer bounces.
	run "$d" "dmasize 0"
	expect "$name DmaSize 24 bits allocated" "status=0x00000000"
	read -r m0 b0 < <(transfers "$name")
	run "$d" "roundtrip len=4096 off=0 buf=kmalloc reg=1"
	expect "$name 24-bit round trip" "^ok .*verified=1"
	read -r m1 b1 < <(transfers "$name")
	if [ $((b1 - b0)) = 2 ] && [ "$m1" = "$m0" ]; then ok "$name 24-bit transfers bounced"
	else notok "$name 24-bit: mapped +$((m1 - m0)) bounced +$((b1 - b0))"; fi
	run "$d" "dmasize 2"
	expect "$name DmaSize 64 bits again" "status=0x00000000"

	r0=$(rejected)
	run "$d" "misuse"
	expect "$name misuse rows" "index_out_of_range=0 null_buffer=0 too_long=0 stale_handle=0 complete_unmapped=99 complete_index_out_of_range=99 first_start=1 start_in_use=0 complete_wrong_buffer=99 complete=99"
	r1=$(rejected)
	if [ $((r1 - r0)) = 8 ]; then ok "$name 8 bad calls rejected and counted"
	else notok "$name rejected_calls grew by $((r1 - r0)), expected 8"; fi

	run "$d" "alloc"
	expect "$name NdisMAllocateMapRegisters refusals" "again=0xc000009a dmasize3=0xc000000d zero=0xc000000d too_many=0xc000009a"

	# NdisMRegisterScatterGatherDma page: NOT_SUPPORTED below NDIS 6.0.
	run "$d" "sg-register"
	expect "$name NDIS 5.1 driver: NdisMRegisterScatterGatherDma NOT_SUPPORTED" "^sg-register status=0xc00000bb handle=0"

	r0=$(rejected)
	run "$d" "nonbm"
	expect "$name non-bus master: SUCCESS and nothing" "nonbm_alloc=0x00000000 nonbm_entries=0 busmaster_alloc=0x00000000"
	r1=$(rejected)
	if [ $((r1 - r0)) = 1 ]; then ok "$name mapping without map registers rejected"
	else notok "$name rejected_calls grew by $((r1 - r0)), expected 1"; fi
done
if rmmod edu_dma_ndis5; then ok "rmmod edu_dma_ndis5"; else notok "rmmod edu_dma_ndis5"; fi
if rmmod ndis_shim; then ok "rmmod ndis_shim"; else notok "rmmod ndis_shim"; fi
exit "$failed"
