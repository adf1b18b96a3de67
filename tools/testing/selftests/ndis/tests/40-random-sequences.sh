#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Thousands of random NDIS DMA calls through ndis_ops, on every edu adapter
# at the same time (one model process per adapter, started together), one
# raw NDIS call per step, each status checked against a model of the
# documentation (modules/ndis_ops/model.py): system DMA (register, setup,
# complete, counter, deregister, forged handles, waits), scatter-gather
# lists, shared memory and NDIS 5 map registers with physical mapping,
# valid and invalid arguments. Data is checked too: edu's engine moves it
# (for a channel, or programmed with the addresses an SG list, a shared
# block or a physical mapping gave) and the model reads the buffers and
# blocks back and compares every byte it knows; after the random steps,
# one round trip to edu and back, so bytes edu moved are always compared
# (a seed may read none back in 1000 steps). Each adapter's
# rejected_calls must be exactly what its sequence caused. Then ndis_ops
# is unloaded with channels still registered and a transfer in flight:
# the shim must release them.
#
# NDIS_SEED=N replays a run (the seed is printed first); NDIS_STEPS (per
# adapter, default 1000), NDIS_BUDGET (seconds for each adapter's steps,
# default 120; chunks beyond it are reported as skipped), NDIS_MIN_STEPS
# (default half the steps: fewer done on any adapter fails).
# Prints nested KTAP: one line per 250 steps per adapter.
set -uo pipefail
KO=${NDIS_KO:-${KO:-/work/main/build/ko}}
HERE=$(cd "$(dirname "$0")" && pwd)
MODEL=$HERE/../modules/ndis_ops/model.py
shim=$KO/ndis_shim.ko ops=$KO/ndis_ops.ko
SEED=${NDIS_SEED:-$(( $(date +%s%N) % 1000000007 ))}
STEPS=${NDIS_STEPS:-1000} CHUNK=250 BUDGET=${NDIS_BUDGET:-120}
MIN_STEPS=${NDIS_MIN_STEPS:-$((STEPS / 2))}
OUT=${NDIS_OUT:-$(mktemp -d)}
echo "# seed=$SEED"
for ko in "$shim" "$ops"; do
	[ -f "$ko" ] || { echo "# SKIP $ko not built"; exit 4; }
done
PY=$(command -v python3) || { echo "# SKIP no python3 in the guest"; exit 4; }
[ -f "$MODEL" ] || { echo "# SKIP $MODEL missing"; exit 4; }
DBG=/sys/kernel/debug
mountpoint -q $DBG || mount -t debugfs none $DBG

echo "KTAP version 1"
if ! insmod "$shim"; then echo "1..1"; echo "not ok 1 insmod ndis_shim"; exit 1; fi
if ! insmod "$ops"; then echo "1..1"; echo "not ok 1 insmod ndis_ops"; rmmod ndis_shim; exit 1; fi
mapfile -t ADAPTERS < <(ls -d $DBG/ndis_ops/*/ 2>/dev/null)
na=${#ADAPTERS[@]}
if [ "$na" -eq 0 ]; then
	echo "1..1"; echo "not ok 1 ndis_ops bound no adapter"
	rmmod ndis_ops; rmmod ndis_shim; exit 1
fi
chunks=$(( (STEPS + CHUNK - 1) / CHUNK ))
# per adapter: the chunks, "left registered", the steps done; then "ran
# at the same time" (two adapters or more), unload, release, rmmod shim
per=$(( chunks + 2 ))
together=$(( na > 1 ))
echo "1..$(( na * per + together + 3 ))"
failed=0
pids=()
for i in "${!ADAPTERS[@]}"; do
	"$PY" -u "$MODEL" --seed "$SEED" --index "$i" --steps "$STEPS" --chunk "$CHUNK" \
		--first $(( 1 + i * per )) --deadline "$BUDGET" --min-steps "$MIN_STEPS" \
		"${ADAPTERS[$i]}" >"$OUT/model-$i.txt" 2>&1 &
	pids+=($!)
done
for i in "${!pids[@]}"; do
	wait "${pids[$i]}" || failed=1
done
for i in "${!pids[@]}"; do
	cat "$OUT/model-$i.txt"
done
n=$(( na * per ))
ok() { n=$((n + 1)); echo "ok $n $*"; }
notok() { n=$((n + 1)); echo "not ok $n $*"; failed=1; }

if [ "$together" = 1 ]; then
	# Each model's run, on CLOCK_MONOTONIC: every start before every end.
	ran=$(cat "$OUT"/model-*.txt | sed -n 's/^# .*: ran \([0-9.]*\) \([0-9.]*\)$/\1 \2/p')
	if [ "$(wc -l <<<"$ran")" = "$na" ] &&
		awk '{ if ($1 > s) s = $1; if (e == "" || $2 < e) e = $2 } END { exit !(s < e) }' <<<"$ran"; then
		ok "the $na adapters' sequences ran at the same time"
	else
		notok "the adapters' sequences did not overlap: $(tr '\n' ' ' <<<"$ran")"
	fi
fi

before=$(dmesg | wc -l)
if rmmod ndis_ops; then ok "rmmod ndis_ops with channels registered"; else notok "rmmod ndis_ops"; fi
released=$(dmesg | tail -n +"$((before + 1))" | grep -c 'ndis_ops: [0-9]* DMA channel(s) not deregistered; released')
left=$(grep -c 'driver=ndis_ops' $DBG/ndis_shim/adapters 2>/dev/null)
dmesg | tail -n +"$((before + 1))" | grep -E 'not deregistered|not freed|leaking|still busy' | sed 's/^/# /'
if [ "$released" -eq "$na" ] && [ "${left:-0}" -eq 0 ]; then
	ok "shim released the leftover channels of $na adapter(s)"
else
	notok "shim released channels for $released of $na adapter(s); $left adapter(s) still listed"
fi
if rmmod ndis_shim; then ok "rmmod ndis_shim"; else notok "rmmod ndis_shim"; fi
exit "$failed"
