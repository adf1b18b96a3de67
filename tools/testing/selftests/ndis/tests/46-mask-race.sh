#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# DMA masks are set once, at probe (modules/ndis_mask_race): on every edu
# adapter, five kernel threads at once for a fixed number of iterations:
# 24-bit map registers (NdisMAllocateMapRegisters(NDIS_DMA_24BITS), a
# physical mapping under each register, every address below 16 MiB and the
# data checked through it, free), a 24-bit system-DMA channel (register,
# one verified transfer below 16 MiB, deregister), two threads allocating
# and freeing shared memory (within the device's reach, and the device's
# view of it is that memory) and one running verified transfers on a
# 32-bit channel. The shim narrows the coherent mask only for a 24-bit
# allocation, under a per-device mutex every coherent allocation takes:
# without it the mask can be restored out of order (stuck at 24 bits), or
# an allocation can be made or checked under another's narrow mask.
#
# Asserts: no errors of any kind, no 24-bit address at or above 16 MiB, no
# shared memory beyond reach, both masks of every adapter the glue's 28
# bits before and unchanged after, no rejected call and no shim complaint
# in the log, and that each path did real work (NDIS_STATUS_RESOURCES from
# the 24-bit allocations is accepted and counted, but at least some of them
# must succeed).
#
# NDIS_MASK_RACE_ITERATIONS (per thread, default 1000), NDIS_SEED (printed;
# replays the thread's choices, not their interleaving).
set -uo pipefail
KO=${NDIS_KO:-/work/main/build/ko}
shim=$KO/ndis_shim.ko race=$KO/ndis_mask_race.ko
ITER=${NDIS_MASK_RACE_ITERATIONS:-1000}
SEED=${NDIS_SEED:-$(( $(date +%s%N) % 1000000007 ))}
DBG=/sys/kernel/debug
# What DmaAddressBits (28) gives both masks at probe.
MASK=0xfffffff
KINDS=5
echo "# seed=$SEED"
for ko in "$shim" "$race"; do
	[ -f "$ko" ] || { echo "# SKIP $ko not built"; exit 4; }
done
mountpoint -q $DBG || mount -t debugfs none $DBG

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
notok() { n=$((n + 1)); echo "not ok $n $*"; failed=1; }
field() { sed -nE "s/.*[ ^]$1=([^ ]*).*/\1/p" <<<" $2"; }

mark="ndis-test: $$-$(date +%s%N)"
echo "$mark" >/dev/kmsg
log_since_mark() { dmesg | awk -v m="$mark" 'on; index($0, m) { on = 1 }'; }

echo "KTAP version 1"
echo "1..10"
if ! insmod "$shim"; then notok "insmod ndis_shim"; exit 1; fi
if ! insmod "$race"; then notok "insmod ndis_mask_race"; rmmod ndis_shim; exit 1; fi
na=$(grep -c 'driver=ndis_mask_race' $DBG/ndis_shim/adapters)
if [ "$na" -ge 1 ]; then ok "ndis_mask_race bound $na adapter(s)"; else notok "ndis_mask_race bound no adapter"; fi
rej0=$(cat $DBG/ndis_shim/rejected_calls)

echo "# $na adapter(s) x $KINDS threads x $ITER iterations, vCPUs: $(nproc)"
t0=$(date +%s%N)
if echo "iterations=$ITER seed=$SEED" >$DBG/ndis_mask_race/run; then
	ok "run completed"
else
	notok "run failed to start or stopped early"
fi
echo "# run took $(( ($(date +%s%N) - t0) / 1000000 )) ms"
out=$(cat $DBG/ndis_mask_race/result)
while IFS= read -r l; do echo "# $l"; done <<<"$out"
res=$(head -n 1 <<<"$out")
f() { field "$1" "$res"; }

want=$((na * KINDS * ITER))
if [ "$(f iterations)" = "$want" ]; then
	ok "$want iterations done"
else
	notok "$(f iterations) iterations done, wanted $want"
fi
if [ "$(f errors)" = 0 ] && [ "$(f out24)" = 0 ] && [ "$(f shm_out)" = 0 ]; then
	ok "0 errors, 0 24-bit addresses at or above 16 MiB, 0 shared memory beyond reach"
else
	notok "errors $(f errors) (map registers $(f err_mr24), 24-bit channel $(f err_ch24), shared memory $(f err_shm), 32-bit transfers $(f err_xfer)), 24-bit out of range $(f out24), shared memory beyond reach $(f shm_out); first: $(sed -n 's/.* first=//p' <<<"$res")"
fi

# Both masks of every adapter: the glue's reach before, the same after.
bad=
while read -r l; do
	[ -n "$l" ] || continue
	for m in dma_mask coherent_dma_mask; do
		b=$(field "${m}_before" "$l") a=$(field "${m}_after" "$l")
		if [ "$b" != "$MASK" ] || [ "$a" != "$b" ]; then
			bad+=" $(field adapter "$l") $m $b -> $a;"
		fi
	done
done < <(grep '^adapter=' <<<"$out")
nlines=$(grep -c '^adapter=' <<<"$out")
if [ -z "$bad" ] && [ "$(f masks_changed)" = 0 ] && [ "$nlines" = "$na" ]; then
	ok "dma_mask and coherent_dma_mask of $na adapter(s) $MASK before and after"
else
	notok "masks changed or wrong (want $MASK):${bad:- masks_changed=$(f masks_changed), $nlines adapter lines}"
fi

# Not vacuous: every path did work. RESOURCES from the 24-bit allocations
# (ZONE_DMA, low IOVAs) is accepted but must not be all there was; the
# shared memory and 32-bit transfers have no excuse.
echo "# 24-bit map registers: $(f mr24_ok) ok, $(f mr24_resources) RESOURCES; 24-bit channels: $(f ch24_ok) ok, $(f ch24_resources) RESOURCES"
if [ "$(f mr24_ok)" -gt 0 ] && [ "$(f ch24_ok)" -gt 0 ] &&
	[ "$(f shm_ok)" = $((na * 2 * ITER)) ] && [ "$(f xfer_ok)" = $((na * ITER)) ]; then
	ok "exercised: $(f mr24_ok) 24-bit map register sets, $(f ch24_ok) 24-bit channels, $(f shm_ok) shared-memory blocks, $(f xfer_ok) 32-bit transfers"
else
	notok "not all exercised: mr24_ok=$(f mr24_ok) ch24_ok=$(f ch24_ok) shm_ok=$(f shm_ok) (want $((na * 2 * ITER))) xfer_ok=$(f xfer_ok) (want $((na * ITER)))"
fi

# Nothing refused or complained about, nothing left allocated.
rej1=$(cat $DBG/ndis_shim/rejected_calls)
left=$(awk '/driver=ndis_mask_race/ { for (i = 1; i <= NF; i++) if ($i ~ /^shared_blocks=/) { split($i, kv, "="); s += kv[2] } } END { print s + 0 }' $DBG/ndis_shim/adapters)
complaints=$(log_since_mark | grep -E 'rejected:|beyond' | head -n 5)
if [ "$rej1" = "$rej0" ] && [ "$left" = 0 ] && [ -z "$complaints" ]; then
	ok "no rejected calls, no shared memory left, no complaints in the log"
else
	notok "rejected calls $rej0 -> $rej1, shared blocks left $left; log: ${complaints:-none}"
	[ -n "$complaints" ] && while IFS= read -r l; do echo "# $l"; done <<<"$complaints"
fi

# A second, shorter run on the same adapters: still the same masks.
echo "iterations=$(( (ITER + 3) / 4 )) seed=$((SEED + 1))" >$DBG/ndis_mask_race/run
out2=$(cat $DBG/ndis_mask_race/result)
res2=$(head -n 1 <<<"$out2")
echo "# second run: $res2"
if [ "$(field errors "$res2")" = 0 ] && [ "$(field out24 "$res2")" = 0 ] &&
	[ "$(field shm_out "$res2")" = 0 ] && [ "$(field masks_changed "$res2")" = 0 ] &&
	! grep '^adapter=' <<<"$out2" | grep -qv "dma_mask_before=$MASK dma_mask_after=$MASK coherent_dma_mask_before=$MASK coherent_dma_mask_after=$MASK"; then
	ok "second run: no errors, masks still $MASK"
else
	notok "second run: $(tr '\n' ';' <<<"$out2")"
fi

if rmmod ndis_mask_race; then ok "rmmod ndis_mask_race"; else notok "rmmod ndis_mask_race"; fi
if rmmod ndis_shim; then ok "rmmod ndis_shim"; else notok "rmmod ndis_shim"; fi
exit "$failed"
