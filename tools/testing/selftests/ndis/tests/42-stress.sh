#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Concurrent system-DMA stress (modules/ndis_stress): C channels on every
# edu adapter, one kernel thread each, all at once across the vCPUs; random
# direction, length (1 B .. 16 KiB), offset and buffer kind (kmalloc,
# vmalloc, pages); a software DMA engine that moves the bytes through the
# device address the shim gave it (translated back through the IOMMU's page
# table or from the bus address), plus every 64th transfer of channel 0
# through edu's real engine. Every byte and the guard bytes around it are
# checked. Not timed: it reports its rate and asserts correctness.
#
# NDIS_STRESS_TRANSFERS (total, default 100000), NDIS_STRESS_CHANNELS (per
# adapter, default 4), NDIS_SEED (printed; replays the run),
# NDIS_STRESS_REFUSALS=1 accepts NDIS_STATUS_RESOURCES from Setup (the
# tiny-swiotlb boot, where mappings run out), NDIS_STRESS_PIN=K keeps K KiB
# of the swiotlb pool mapped during the run (a neighbouring driver's
# share; only where the device reaches a forced pool) so that they do. A
# pin that holds less than K KiB fails the run (the starved pool is the
# point); with both, the run must show refusals, and at least
# NDIS_STRESS_MIN_VERIFIED percent (default 80) of the transfers must
# still verify: a pool that refuses (nearly) everything proves nothing
# about the data, and slots the shim failed to give back would show up as
# a refusal rate far above the pool's own. Measured in swiotlb-tiny (PIN=224
# leaves 32 KiB, 16 slots, to 8 channels on 2 vCPUs; the software engine
# moves the data inside Setup, so about one mapping per vCPU is live): 649
# of 30000 transfers refused, 97.8 percent verified. 80 leaves room for
# refusals nine times as frequent (a host where more channels overlap),
# not for a pool that runs dry.
set -uo pipefail
KO=${NDIS_KO:-/work/main/build/ko}
shim=$KO/ndis_shim.ko stress=$KO/ndis_stress.ko
TOTAL=${NDIS_STRESS_TRANSFERS:-100000}
CH=${NDIS_STRESS_CHANNELS:-4}
SEED=${NDIS_SEED:-$(( $(date +%s%N) % 1000000007 ))}
DBG=/sys/kernel/debug
echo "# seed=$SEED"
for ko in "$shim" "$stress"; do
	[ -f "$ko" ] || { echo "# SKIP $ko not built"; exit 4; }
done
mountpoint -q $DBG || mount -t debugfs none $DBG

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
notok() { n=$((n + 1)); echo "not ok $n $*"; failed=1; }
field() { sed -nE "s/.*[ ^]$1=([^ ]*).*/\1/p" <<<" $2"; }

echo "KTAP version 1"
echo "1..9"
if ! insmod "$shim"; then notok "insmod ndis_shim"; exit 1; fi
if ! insmod "$stress"; then notok "insmod ndis_stress"; rmmod ndis_shim; exit 1; fi
na=$(grep -c 'driver=ndis_stress' $DBG/ndis_shim/adapters)
if [ "$na" -ge 1 ]; then ok "ndis_stress bound $na adapter(s)"; else notok "ndis_stress bound no adapter"; fi
per=$(( (TOTAL + na * CH - 1) / (na * CH) ))
before=$(awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^(mapped|bounced)=/) { split($i, kv, "="); s[kv[1]] += kv[2] } } END { print s["mapped"] + 0, s["bounced"] + 0 }' $DBG/ndis_shim/adapters)

echo "# $na adapter(s) x $CH channel(s) x $per transfers, vCPUs: $(nproc)"
if echo "transfers=$per channels=$CH seed=$SEED pin=${NDIS_STRESS_PIN:-0}" >$DBG/ndis_stress/run; then
	ok "run completed"
else
	notok "run failed to start or stopped early"
fi
res=$(cat $DBG/ndis_stress/result)
echo "# $res"
done_=$(field transfers "$res") verified=$(field verified "$res") ms=$(field ms "$res")
refused=$(field refused "$res") pinned=
after=$(awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^(mapped|bounced)=/) { split($i, kv, "="); s[kv[1]] += kv[2] } } END { print s["mapped"] + 0, s["bounced"] + 0 }' $DBG/ndis_shim/adapters)
read -r m0 b0 <<<"$before"
read -r m1 b1 <<<"$after"
echo "# rate: $(( ${verified:-0} * 1000 / (${ms:-1} > 0 ? ${ms:-1} : 1) )) verified transfers/s; shim mapped $((m1 - m0)) in place, bounced $((b1 - b0))"

if [ "$(field mismatches "$res")" = 0 ] && [ "$(field reach "$res")" = 0 ] && [ "$(field errors "$res")" = 0 ]; then
	ok "0 mismatches, 0 reach violations, 0 errors"
else
	notok "mismatches/reach/errors: $(field mismatches "$res")/$(field reach "$res")/$(field errors "$res")"
fi
# The neighbour's share of the pool: all of it held, or the run proves
# nothing about a starved pool.
pinned=$(field pinned "$res")
if [ "${NDIS_STRESS_PIN:-0}" = 0 ]; then
	ok "pool pin # SKIP no NDIS_STRESS_PIN"
elif [ "${pinned:-0}" = "$NDIS_STRESS_PIN" ]; then
	ok "$pinned KiB of the swiotlb pool pinned during the run"
else
	notok "pinned ${pinned:-0} of $NDIS_STRESS_PIN KiB of the swiotlb pool (no forced pool within the device's reach, or the pool was busy)"
fi
min_share=${NDIS_STRESS_MIN_VERIFIED:-80}
share=$(( ${verified:-0} * 100 / (${done_:-0} > 0 ? ${done_:-0} : 1) ))
if [ "${NDIS_STRESS_REFUSALS:-0}" = 1 ]; then
	# Every transfer not refused verifies; refusals are expected (a pinned
	# pool that never ran out proves nothing), but not all of them.
	expect_verified=$(( ${done_:-0} - ${refused:-0} ))
	if [ "${pinned:-0}" -gt 0 ] && [ "${refused:-0}" = 0 ]; then
		expect_verified=none
	elif [ "$share" -lt "$min_share" ]; then
		expect_verified="at least $min_share% of $done_"
	fi
else
	expect_verified=${done_:-0}
fi
if [ "${done_:-0}" -ge "$TOTAL" ] && [ "${verified:-0}" = "$expect_verified" ] &&
	{ [ "${NDIS_STRESS_REFUSALS:-0}" = 1 ] || [ "${refused:-0}" = 0 ]; }; then
	ok "$verified of $done_ transfers ($share%) verified byte for byte ($refused refused${pinned:+ with $pinned KiB of the pool pinned})"
else
	notok "verified $verified of $done_ transfers, $share% (need $TOTAL, and $expect_verified; refused $refused)"
fi
# Both of the shim's paths were exercised (under swiotlb=force the 28-bit
# edu cannot reach the pool, so every transfer bounces), and the real
# engine was used.
need_mapped=1
[ "${NDIS_CONFIG:-plain}" = swiotlb ] && need_mapped=0
if [ $((m1 - m0)) -ge "$need_mapped" ] && [ $((b1 - b0)) -gt 0 ] && [ "$(field real "$res")" -gt 0 ]; then
	ok "mapped in place and bounced both exercised; $(field real "$res") transfers through edu's engine"
else
	notok "paths not all exercised: mapped $((m1 - m0)), bounced $((b1 - b0)), real $(field real "$res")"
fi
# The shim's mapping fault point: each armed failure refuses exactly one
# Setup with NDIS_STATUS_RESOURCES, and everything else still verifies.
# Armed in every boot: the fault point is taken before the shim decides
# between mapping in place and bouncing (rust/dma.rs), so under
# swiotlb=force, where every transfer ends up bounced, each Setup that
# tries a mapping still takes it.
armed=20
echo "$armed" >$DBG/ndis_shim/fail_maps
echo "transfers=200 channels=2 seed=$((SEED + 1))" >$DBG/ndis_stress/run
res=$(cat $DBG/ndis_stress/result)
echo "# fail_maps=$armed: $res"
left=$(cat $DBG/ndis_shim/fail_maps)
echo 0 >$DBG/ndis_shim/fail_maps
if [ "$(field refused "$res")" = "$armed" ] && [ "$left" = 0 ] &&
	[ "$(field errors "$res")" = 0 ] && [ "$(field mismatches "$res")" = 0 ] &&
	[ "$(field verified "$res")" = $(( $(field transfers "$res") - armed )) ]; then
	ok "$armed injected mapping failures: $armed Setups refused with RESOURCES, the rest verified"
else
	notok "injected $armed mapping failures: $left left armed; $res"
fi
if rmmod ndis_stress; then ok "rmmod ndis_stress"; else notok "rmmod ndis_stress"; fi
if rmmod ndis_shim; then ok "rmmod ndis_shim"; else notok "rmmod ndis_shim"; fi
exit "$failed"
