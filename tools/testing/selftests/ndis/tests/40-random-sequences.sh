#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Thousands of random system-DMA calls (register, setup, complete, counter,
# deregister, forged handles, waits; valid and invalid arguments, random
# channels) through ndis_ops, one raw NDIS call per step, each status
# checked against a model of Documentation/system-dma.rst
# (modules/ndis_ops/model.py). Then ndis_ops is unloaded with channels still
# registered and a transfer in flight: the shim must release them.
#
# NDIS_SEED=N replays a run (the seed is printed first); NDIS_STEPS (per
# adapter, default 3000), NDIS_BUDGET (seconds for all steps, default 120;
# chunks beyond it are reported as skipped).
# Prints nested KTAP: one line per 250 steps per adapter.
set -uo pipefail
KO=${NDIS_KO:-${KO:-/work/main/build/ko}}
HERE=$(cd "$(dirname "$0")" && pwd)
MODEL=$HERE/../modules/ndis_ops/model.py
shim=$KO/ndis_shim.ko ops=$KO/ndis_ops.ko
SEED=${NDIS_SEED:-$(( $(date +%s%N) % 1000000007 ))}
STEPS=${NDIS_STEPS:-3000} CHUNK=250 BUDGET=${NDIS_BUDGET:-120}
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
# per adapter: the chunks and "left registered"; then unload, release, rmmod shim
echo "1..$(( na * (chunks + 1) + 3 ))"
failed=0
"$PY" -u "$MODEL" --seed "$SEED" --steps "$STEPS" --chunk "$CHUNK" --first 1 \
	--deadline "$BUDGET" "${ADAPTERS[@]}" || failed=1
n=$(( na * (chunks + 1) ))
ok() { n=$((n + 1)); echo "ok $n $*"; }
notok() { n=$((n + 1)); echo "not ok $n $*"; failed=1; }

before=$(dmesg | wc -l)
if rmmod ndis_ops; then ok "rmmod ndis_ops with channels registered"; else notok "rmmod ndis_ops"; fi
released=$(dmesg | tail -n +"$((before + 1))" | grep -c 'ndis_ops: [0-9]* DMA channel(s) not deregistered; released')
left=$(grep -c 'driver=ndis_ops' $DBG/ndis_shim/adapters 2>/dev/null)
dmesg | tail -n +"$((before + 1))" | grep -E 'not deregistered|leaking|still busy' | sed 's/^/# /'
if [ "$released" -eq "$na" ] && [ "${left:-0}" -eq 0 ]; then
	ok "shim released the leftover channels of $na adapter(s)"
else
	notok "shim released channels for $released of $na adapter(s); $left adapter(s) still listed"
fi
if rmmod ndis_shim; then ok "rmmod ndis_shim"; else notok "rmmod ndis_shim"; fi
exit "$failed"
