#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Removes an edu device from inside the guest while a transfer is in flight
# (echo 1 > /sys/bus/pci/devices/<dev>/remove right after Setup), twice:
# once with the engine running (the halt must find it running), once with
# a fenced (early-completed) transfer still draining. The adapter must be halted and torn down, the
# shim must release the channel the miniport left registered, and after
# /sys/bus/pci/rescan the device must work again: a transfer through
# ndis_ops, then a verified round trip through edu_dma_c. The harness
# checks for Oops/WARN/DMA-API/kmemleak around it. Prints nested KTAP.
set -uo pipefail
. "$(dirname "$0")/../removal_lib.sh"
DEV=$(edu_devices | head -n 1)
[ -n "$DEV" ] || { echo "# SKIP no edu device"; exit 4; }
OPS=$DBG/ndis_ops/$DEV

# Builtins only (no fork): the engine needs ~100 ms per transfer, and the
# removal must come while it still runs.
R=
opq() { # one ndis_ops operation; its result line in $R
	R=
	echo "$*" >"$OPS/op" && read -r R <"$OPS/result"
}
op() { opq "$@" && echo "$R"; }
status_is() { # want line
	[[ $2 == *"status=$1"* ]]
}
listed() { grep -q "^$DEV " $DBG/ndis_shim/adapters; }
cleanup() {
	unload_all
	# never leave the device removed for the next test
	[ -e /sys/bus/pci/devices/$DEV ] || echo 1 >/sys/bus/pci/rescan
}

echo "KTAP version 1"
echo "1..21"
if ! insmod "$shim" || ! insmod "$ops"; then
	notok "insmod ndis_shim ndis_ops"; cleanup; exit 1
fi
check "ndis_ops bound $DEV" wait_for "$OPS/op" 5

# remove_during MODE: start a transfer, remove the device at once. In
# "running" mode the removal must reach the halt while edu's engine still
# runs (~100 ms per transfer), which ndis_ops' halt reports ("engine
# running at halt"); a loaded host can be slower than that, so up to three
# attempts, each after a rescan.
remove_during() {
	local mode=$1 r dm try s c attempt
	for attempt in 1 2 3; do
		r=$(op register slot=0 max=4096 dma32=1 desc=1)
		echo "# $r"
		before=$(dmesg | wc -l)
		c=
		for try in 1 2 3 4 5; do
			opq wait
			opq setup slot=0 buf=1 off=0 len=4096 dir=from; s=$R
			status_is $SUCCESS "$s" || break
			[ "$mode" = running ] && break
			# Complete at once: the engine still runs, the shim fences it
			# (RESOURCES); if it had already finished, try again.
			opq complete slot=0 buf=1 off=0 len=4096 dir=from; c=$R
			status_is $RESOURCES "$c" && break
		done
		[ "$mode" = running ] || [ -z "$c" ] || status_is $RESOURCES "$c" || s="$s; never fenced: $c"
		status_is $SUCCESS "$s" && [[ $s != *never* ]] && echo 1 >/sys/bus/pci/devices/$DEV/remove
		echo "# setup: $s${c:+ complete: $c} (attempt $attempt, try $try)"
		if ! status_is $SUCCESS "$s" || [[ $s == *never* ]]; then
			notok "$mode: could not start the transfer: $s"
			[ -e "$OPS/op" ] && op deregister slot=0 >/dev/null
			return
		fi
		dm=$(dmesg | tail -n +"$((before + 1))")
		[ "$mode" = running ] && [ "$attempt" -lt 3 ] || break
		grep -q "ndis_ops $DEV: ndis_ops: halted (engine running at halt" <<<"$dm" && break
		echo "# attempt $attempt: the engine had finished before the halt; again"
		echo 1 >/sys/bus/pci/rescan
		wait_for "$OPS/op" 10 || break
	done
	ok "$mode: removed $DEV with a transfer in flight"
	echo "$dm" | grep -E "$DEV|ndis" | sed 's/^/# /'
	check "$mode: adapter halted" grep -q "ndis_ops $DEV: ndis_ops: halted" <<<"$dm"
	if [ "$mode" = running ]; then
		check "running: the engine was still running at halt" \
			grep -q "ndis_ops $DEV: ndis_ops: halted (engine running at halt" <<<"$dm"
	fi
	check "$mode: shim released the channel left registered" \
		grep -q "$DEV: ndis_ops: 1 DMA channel(s) not deregistered; released" <<<"$dm"
	check "$mode: adapter gone from ndis_shim/adapters" bash -c "! grep -q '^$DEV ' $DBG/ndis_shim/adapters"
	check "$mode: debugfs directory gone" test ! -e "$OPS"
	echo 1 >/sys/bus/pci/rescan
	check "$mode: rescan brought $DEV back to ndis_ops" wait_for "$OPS/op" 10
}
remove_during running
remove_during draining

# The device works again through ndis_ops: a transfer that completes.
check "adapter listed again" listed
r=$(op register slot=1 max=4096 dma32=1 desc=1); echo "# $r"
r=$(op setup slot=1 buf=1 off=0 len=4096 dir=to); echo "# $r"
s1=$r
op wait >/dev/null
r=$(op complete slot=1 buf=1 off=0 len=4096 dir=to); echo "# $r"
if status_is $SUCCESS "$s1" && status_is $SUCCESS "$r"; then
	ok "transfer after rescan"
else
	notok "transfer after rescan"
fi
op deregister slot=1 >/dev/null
check "rmmod ndis_ops" rmmod ndis_ops

# ... and a verified round trip through edu_dma_c.
check "insmod edu_dma_c" insmod "$edu"
roundtrip "$DEV" "after rescan"
check "rmmod edu_dma_c" rmmod edu_dma_c
check "rmmod ndis_shim" rmmod ndis_shim
cleanup
exit "$failed"
