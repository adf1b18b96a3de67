#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# edu_dma_c (a Windows NDIS miniport in C, samples/edu_dma_c) moves data
# through NdisMSetupDmaTransfer / NdisMCompleteDmaTransfer on every edu
# adapter: host -> device -> host round trips over lengths 1..4096, at
# several edu-buffer offsets, with the data starting mid-page and spanning
# page boundaries inside the MDL, from kmalloc, vmalloc and >= 256 MiB
# pages; a few with Setup called under an NDIS spin lock (DISPATCH_LEVEL).
# Prints nested KTAP; exit 0 pass, 4 skip, else fail.
set -uo pipefail
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
	for len in 1 2 63 64 511 4095 4096; do
		while read -r off moff; do
			CASES+=("roundtrip off=$off len=$len mdl_off=$moff buf=$kind")
		done < <(cases_for_len "$len")
	done
done
for c in "off=0 len=4096 mdl_off=100 buf=kmalloc" "off=7 len=511 mdl_off=4000 buf=vmalloc" \
	"off=64 len=64 mdl_off=4090 buf=high"; do
	CASES+=("spinlock-roundtrip $c")
done

mark="ndis-test: $$-$(date +%s%N)"
echo "$mark" >/dev/kmsg
log_since_mark() { dmesg | awk -v m="$mark" 'on; index($0, m) { on = 1 }'; }

echo "KTAP version 1"
if ! insmod "$shim"; then echo "1..1"; notok "insmod ndis_shim"; exit 1; fi
if ! insmod "$edu"; then echo "1..1"; notok "insmod edu_dma_c"; rmmod ndis_shim; exit 1; fi
mapfile -t ADAPTERS < <(ls -d $DBG/edu_dma_c/*/ 2>/dev/null)
echo "1..$((${#ADAPTERS[@]} * ${#CASES[@]} + 3))"
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
done
if rmmod edu_dma_c; then ok "rmmod edu_dma_c"; else notok "rmmod edu_dma_c"; fi
if rmmod ndis_shim; then ok "rmmod ndis_shim"; else notok "rmmod ndis_shim"; fi
exit "$failed"
