#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# edu_dma_c is unloaded while a transfer is in flight on every adapter
# (host -> device on one, device -> host on another, and once right after
# a fenced early Complete): MiniportHaltEx leaves the transfer to
# NdisMDeregisterDmaChannel, which must stop the engine and wait before
# memory goes away. No oops, no DMA-API error, no leak (the harness checks);
# the shim must not have to leak a mapping; reloading works.
# Prints nested KTAP.
set -uo pipefail
. "$(dirname "$0")/../edu_c_lib.sh"
mark="ndis-test: $$-$(date +%s%N)"
echo "$mark" >/dev/kmsg
log_since_mark() { dmesg | awk -v m="$mark" 'on; index($0, m) { on = 1 }'; }
adapters() { mapfile -t ADAPTERS < <(ls -d $DBG/edu_dma_c/*/ 2>/dev/null); }

# repeat=N: the miniport's DPC chains N more transfers (Setup at
# DISPATCH_LEVEL), so the engine is running whenever rmmod reaches halt.
STARTS=("start-only off=0 len=4096 buf=kmalloc dir=to repeat=1000" "start-only off=0 len=4096 mdl_off=100 buf=vmalloc dir=from repeat=1000")
ROUNDS=3

echo "KTAP version 1"
echo "1..$((1 + ROUNDS * 6 + 2))"
if insmod "$shim"; then ok "insmod ndis_shim"; else notok "insmod ndis_shim"; exit 1; fi
for round in $(seq 1 $ROUNDS); do
	if insmod "$edu"; then ok "round $round: insmod edu_dma_c"; else notok "round $round: insmod edu_dma_c"; continue; fi
	adapters
	if [ "${#ADAPTERS[@]}" -ge 1 ]; then ok "round $round: ${#ADAPTERS[@]} adapter(s)"; else notok "round $round: no adapter"; fi
	# The previous round's unload must have left the devices working.
	run "${ADAPTERS[0]}" "roundtrip off=0 len=512 buf=kmalloc"
	expect "round $round: roundtrip before unload" "^ok .*verified=1"
	started=0 i=0 res=
	for d in "${ADAPTERS[@]}"; do
		if [ "$round" = 3 ]; then
			# Fence first (early Complete), then leave another in flight.
			echo "busy-complete off=0 len=64" >"$d/cmd"
		fi
		c=${STARTS[$((i % ${#STARTS[@]}))]}
		i=$((i + 1))
		run "$d" "$c" && [[ $R == "start-only setup=0x00000000" ]] && started=$((started + 1))
		res+="$(basename "$d"): $R; "
	done
	if [ "$started" = "${#ADAPTERS[@]}" ]; then ok "round $round: transfers in flight on $started adapter(s)"; else notok "round $round: start-only: $res"; fi
	sleep 0.5
	for d in "${ADAPTERS[@]}"; do echo "# $(basename "$d"): $(cat "$d/channel")"; done
	before=$(log_since_mark | grep -c "halting with a transfer in flight (engine running)")
	if rmmod edu_dma_c; then ok "round $round: rmmod edu_dma_c with transfers in flight"; else notok "round $round: rmmod edu_dma_c"; fi
	after=$(log_since_mark | grep -c "halting with a transfer in flight (engine running)")
	echo "# round $round: $((after - before)) adapter(s) halted with the engine still running"
	if [ "$after" -gt "$before" ]; then ok "round $round: halt met a running engine"; else notok "round $round: no halt met a running engine "; fi
done
# edu_dma_c's MiniportInitializeEx asks for shared memory before it has a
# DMA adapter, on purpose (25-edu-c-shared-memory checks the VA NULL it
# gets): that one rejection is expected at every load.
bad=$(log_since_mark | grep -E "still busy after|leaking its mapping|not deregistered|not unmapped|rejected: |still running after NdisMDeregisterDmaChannel" |
	grep -v "NdisMAllocateSharedMemory: rejected: no DMA adapter" | head -3)
if [ -z "$bad" ]; then ok "shim stopped every engine in time, nothing left behind"; else notok "shim: $bad"; fi
if rmmod ndis_shim; then ok "rmmod ndis_shim"; else notok "rmmod ndis_shim"; fi
exit "$failed"
