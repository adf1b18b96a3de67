#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# edu_dma_c: two adapters' device-to-host transfers into neighbouring small
# pieces of one kmalloc buffer (sharing a cache line), in flight at the same
# time. The shim must bounce them (its per-adapter "bounced" count in
# /sys/kernel/debug/ndis_shim/adapters moves), and both pieces must arrive
# intact, neither clobbering the other. Prints nested KTAP.
set -uo pipefail
. "$(dirname "$0")/../edu_c_lib.sh"

# piece length, then the two pieces' offsets in the shared buffer
CASES=("32 0 32" "8 0 8" "24 40 64" "1 63 64")

insmod "$shim" || { echo "# insmod ndis_shim failed"; exit 1; }
if ! insmod "$edu"; then echo "# insmod edu_dma_c failed"; rmmod ndis_shim; exit 1; fi
mapfile -t A < <(ls -d $DBG/edu_dma_c/*/ 2>/dev/null)
if [ "${#A[@]}" -lt 2 ]; then
	echo "# SKIP needs two edu devices, found ${#A[@]}"
	rmmod edu_dma_c; rmmod ndis_shim
	exit 4
fi
# bounced=N of adapter $1 in the shim's adapters list
bounced() { sed -n "s/^$1 .* bounced=\([0-9]*\).*/\1/p" $DBG/ndis_shim/adapters; }
n0=$(basename "${A[0]}") n1=$(basename "${A[1]}")
b0=$(bounced "$n0") b1=$(bounced "$n1")

echo "KTAP version 1"
echo "1..$((${#CASES[@]} * 2 + 4))"
for c in "${CASES[@]}"; do
	read -r len o1 o2 <<<"$c"
	run "${A[0]}" "adjacent-prep off=0 len=$len"
	run "${A[1]}" "adjacent-prep off=0 len=$len"
	run "${A[0]}" "adjacent-start off=0 len=$len mdl_off=$o1"
	r0=$R
	run "${A[1]}" "adjacent-start off=0 len=$len mdl_off=$o2"
	r1=$R
	run "${A[0]}" "adjacent-finish"
	R="$r0 / $R"
	expect "len=$len at $o1 (adapter $(basename "${A[0]}"))" 'adjacent-start setup=0x00000000 / ok adjacent .*verified=1'
	run "${A[1]}" "adjacent-finish"
	R="$r1 / $R"
	expect "len=$len at $o2 (adapter $(basename "${A[1]}"))" 'adjacent-start setup=0x00000000 / ok adjacent .*verified=1'
done
# Each case bounces one device-to-host piece per adapter (the host-to-device
# preparations may be mapped in place).
for a in "$n0 $b0" "$n1 $b1"; do
	read -r name before <<<"$a"
	after=$(bounced "$name")
	if [ -n "$before" ] && [ -n "$after" ] && [ $((after - before)) -ge ${#CASES[@]} ]; then
		ok "$name: small device-to-host pieces were bounced ($before -> $after)"
	else
		notok "$name: expected >= ${#CASES[@]} bounced transfers, counts '$before' -> '$after'"
	fi
done
if rmmod edu_dma_c; then ok "rmmod edu_dma_c"; else notok "rmmod edu_dma_c"; fi
if rmmod ndis_shim; then ok "rmmod ndis_shim"; else notok "rmmod ndis_shim"; fi
exit "$failed"
