#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The live view (debugfs ndis_shim/view/, printed by tools/ndiskd) while
# edu_dma_c keeps a transfer in flight: the tree shows the driver with its
# NDIS version and handlers, the adapter, and the channel the sample holds
# (its handle, as the sample reports it) with the transfer it set up: its
# length, Offset, direction, an MDL id and a bus address; the adapter's
# transfer counters moved; once the transfer is reaped the channel is idle
# and the interrupt's claimed and DPC counts moved. Once each way: host ->
# device from kmalloc memory, device -> host into vmalloc memory at an
# offset. No kernel address appears in any file or in ndiskd's output
# (the check is shown to catch a real one, read from /proc/kallsyms). The
# files are root-only. Reading the view in a loop while edu_dma_c is
# unloaded with a transfer in flight is safe (no oops, lockdep, KASAN or
# DMA-API report: the harness checks) and the adapter is gone from the
# view after. Prints nested KTAP.
set -uo pipefail
. "$(dirname "$0")/../edu_c_lib.sh"
NDISKD=$(cd "$(dirname "$0")/../../../../.." && pwd)/tools/ndiskd
VIEW=$DBG/ndis_shim/view
[ -x "$NDISKD" ] || { echo "# SKIP $NDISKD missing"; exit 4; }

# field LINE KEY: the value of KEY= in LINE, or nothing.
field() {
	local f
	for f in $1; do [[ $f == "$2="* ]] && { echo "${f#*=}"; return; }; done
}
# kernel_addresses: the words on stdin that are kernel addresses (upper
# half of x86-64's address space, 0xffff8000_00000000 and up) in hex, with
# or without 0x, or in decimal; but all ones, a 64-bit DMA mask and no
# address.
kernel_addresses() {
	grep -Eiow '(0x)?ffff[89a-f][0-9a-f]{11}|18446[0-9]{15}' | grep -viE '^(0x)?f{16}$|^18446744073709551615$' || true
}

# (direction word, start-only arguments, expected dir=, expected offset=, length)
CASES=(
	"to|off=0 len=4096 buf=kmalloc dir=to|to_device|0|4096"
	"from|off=0 len=512 mdl_off=100 buf=vmalloc dir=from|from_device|100|512"
)
echo "KTAP version 1"
echo "1..$((5 + ${#CASES[@]} * 9 + 4))"
if insmod "$shim"; then ok "insmod ndis_shim"; else notok "insmod ndis_shim"; exit 1; fi
if insmod "$edu"; then ok "insmod edu_dma_c"; else notok "insmod edu_dma_c"; exit 1; fi
d=$(ls -d $DBG/edu_dma_c/*/ 2>/dev/null | head -n 1)
d=${d%/}
pci=$(basename "$d")
modes=$(stat -c '%a' "$VIEW"/* | sort -u | tr '\n' ' ')
if [ "$modes" = "400 " ]; then ok "view files are root-only (mode 400)"; else notok "view file modes: $modes"; fi

# The pointer check must be able to fail: a real kernel address (a
# function of the shim, from kallsyms, which root reads unhashed) and one
# printed in decimal are caught.
addr=$(awk '$3 == "ndis_shim_view_id" { print $1; exit }' /proc/kallsyms)
caught=$(printf 'x=0x%s y=%s z=%s\n' "$addr" "$addr" "$(printf '%u' "0x$addr")" | kernel_addresses | wc -l)
if [ -n "$addr" ] && [ "$caught" = 3 ]; then ok "the pointer check catches ndis_shim_view_id's address ($addr) in hex and decimal"
else notok "the pointer check caught $caught of 3 forms of '$addr'"; fi

read -r handle_line <"$d/channel"
chan_handle=$(field "$handle_line" handle)
if [[ $chan_handle =~ ^0x[0-9a-f]+$ ]]; then ok "the sample's channel handle: $chan_handle"; else notok "no channel handle: $handle_line"; fi

for c in "${CASES[@]}"; do
	IFS='|' read -r name args want_dir want_off want_len <<<"$c"
	moved0=$(( $(adapter_count "$pci" mapped) + $(adapter_count "$pci" bounced) ))
	read -r irq0 < <(grep "^interrupt $pci " "$VIEW/interrupts")
	claimed0=$(field "$irq0" claimed) dpcs0=$(field "$irq0" dpcs_queued)
	# repeat=N: the DPC chains transfers (~100 ms each), so one is in
	# flight nearly all the time until reaped.
	run "$d" "start-only $args repeat=100"
	expect "$name: transfer started" "^start-only setup=0x00000000$"
	tree= line= again=
	for try in $(seq 1 20); do
		tree=$("$NDISKD" 2>&1)
		line=$(grep -E "^    channel handle=$chan_handle .* state=in_progress " <<<"$tree" | head -n 1)
		[ -n "$line" ] && break
	done
	# A second read while the chain runs: the same MDL (the sample reuses it).
	for try in $(seq 1 20); do
		again=$(grep -E "^channel $pci handle=$chan_handle .* state=in_progress " "$VIEW/channels")
		[ -n "$again" ] && break
	done
	echo "# $name: ndiskd (try $try):"
	sed 's/^/#   /' <<<"$tree"
	if [ -n "$line" ] && grep -q "^driver edu_dma_c  .*ndis=6\.30 " <<<"$tree" &&
		grep -q "^  characteristics: .*InitializeHandlerEx HaltHandlerEx" <<<"$tree" &&
		grep -q "^  adapter $pci  .*state=started " <<<"$tree"; then
		ok "$name: ndiskd shows driver, adapter and the channel in progress"
	else notok "$name: ndiskd's tree lacks the driver, adapter or an in-progress channel"; fi
	got="length=$(field "$line" length) offset=$(field "$line" offset) dir=$(field "$line" dir)"
	if [ "$got" = "length=$want_len offset=$want_off dir=$want_dir" ]; then ok "$name: in flight: $got"
	else notok "$name: in flight: $got, want length=$want_len offset=$want_off dir=$want_dir"; fi
	bus=$(field "$line" bus_address) bounced=$(field "$line" bounced)
	if [[ $bus =~ ^0x[0-9a-f]+$ ]] && [ "$bus" != 0x0 ] && [[ $bounced =~ ^[01]$ ]]; then ok "$name: bus_address=$bus bounced=$bounced"
	else notok "$name: bus_address='$bus' bounced='$bounced'"; fi
	mdl=$(field "$line" mdl) mdl2=$(field "$again" mdl) residue=$(field "$line" residue)
	if [[ $mdl =~ ^mdl-[0-9a-f]{8}$ ]] && [ "$mdl" = "$mdl2" ] && [ -n "$residue" ] && [ "$residue" -le "$want_len" ]; then
		ok "$name: MDL shown as an id ($mdl, the same on a second read), residue $residue"
	else notok "$name: mdl='$mdl' then '$mdl2', residue='$residue'"; fi
	# Every file and the tree, read while the transfer is in flight.
	found=$({ cat "$VIEW"/*; echo "$tree"; } | kernel_addresses | head -n 3 | tr '\n' ' ')
	if [ -z "$found" ]; then ok "$name: no kernel address in the view ($(cat "$VIEW"/* | wc -l) lines) or the tree"
	else notok "$name: kernel addresses in the view: $found"; fi
	run "$d" "reap"
	read -r idle < <(grep "^channel $pci handle=$chan_handle " "$VIEW/channels")
	if [ "$(field "$idle" state)" = idle ] && [ -z "$(field "$idle" mdl)" ] && [ -z "$(field "$idle" bus_address)" ]; then
		ok "$name: reaped: the channel is idle, no transfer shown"
	else notok "$name: after reap: $idle"; fi
	moved1=$(( $(adapter_count "$pci" mapped) + $(adapter_count "$pci" bounced) ))
	read -r a1 < <(grep "^adapter $pci " "$VIEW/adapters")
	v_moved=$(( $(field "$a1" mapped) + $(field "$a1" bounced) ))
	if [ "$moved1" -gt "$moved0" ] && [ "$v_moved" = "$moved1" ]; then ok "$name: adapter's transfers $moved0 -> $moved1 (the view agrees with ndis_shim/adapters)"
	else notok "$name: transfers $moved0 -> $moved1, the view says $v_moved"; fi
	read -r irq1 < <(grep "^interrupt $pci " "$VIEW/interrupts")
	claimed1=$(field "$irq1" claimed) dpcs1=$(field "$irq1" dpcs_queued)
	if [ -n "$claimed0" ] && [ "$claimed1" -gt "$claimed0" ] && [ "$dpcs1" -gt "$dpcs0" ]; then
		ok "$name: interrupts claimed $claimed0 -> $claimed1, DPCs queued $dpcs0 -> $dpcs1"
	else notok "$name: interrupt '$irq0' -> '$irq1'"; fi
done

# Teardown under readers: the view read in a loop while the sample is
# unloaded with a transfer in flight on every adapter.
for a in $DBG/edu_dma_c/*/; do run "${a%/}" "start-only off=0 len=4096 buf=kmalloc dir=to repeat=1000"; done
(while :; do cat "$VIEW"/* >/dev/null 2>&1; done) &
reader=$!
sleep 0.3
if rmmod edu_dma_c; then ok "rmmod edu_dma_c while the view is read, transfers in flight"; else notok "rmmod edu_dma_c"; fi
kill "$reader"
wait "$reader" 2>/dev/null
left=$(grep -c "" "$VIEW/adapters" "$VIEW/channels" "$VIEW/interrupts" "$VIEW/drivers" | awk -F: '{ n += $2 } END { print n + 0 }')
if [ "$left" = 0 ]; then ok "the view is empty once edu_dma_c is gone"; else notok "$left line(s) left: $(cat "$VIEW"/adapters "$VIEW"/drivers)"; fi
out=$("$NDISKD" 2>&1)
if [ "$out" = "no miniport driver loaded" ]; then ok "ndiskd: no miniport driver loaded"; else notok "ndiskd: $out"; fi
if rmmod ndis_shim; then ok "rmmod ndis_shim"; else notok "rmmod ndis_shim"; fi
exit "$failed"
