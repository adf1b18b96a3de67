#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Races on one channel and on one adapter (modules/ndis_race), every byte
# that moves verified through edu's engine, under the kernel's lockdep and
# memory detectors (the harness reads their reports):
#  1. channel: on each edu adapter at once, two threads on different CPUs
#     keep calling NdisMSetupDmaTransfer on channel 0 while its ISR acks
#     edu's interrupts and its DPC completes the armed transfer and sets up
#     its own; owners also complete early, racing the DPC, and now and
#     then Start hands its transfer to a thread on another CPU whose
#     Complete arrives while that Setup still holds the channel (it must
#     wait and complete, not be refused). Exactly one
#     transfer may run at a time, every DPC Complete is SUCCESS, every
#     device-to-host transfer matches what that contender wrote to edu, and
#     a buffer whose Complete returned RESOURCES is never written again.
#  2. sgshm: on the first adapter, a worker per CPU and one more each hold
#     SG lists and shared-memory blocks and allocate and free them in
#     random order (PASSIVE and under a spin lock, sync and AsyncEx), each
#     checked through its bus addresses; some through edu's engine.
#  3. physmap: on the first adapter, NDIS 5 physical mapping: the adapter
#     allocates map registers (NdisMAllocateMapRegisters, 4 per worker,
#     MaximumPhysicalMapping 8 KiB), and a worker per CPU and one more
#     each Start and Complete on its own register indices in random order
#     (PASSIVE and under a spin lock, kmalloc and vmalloc buffers, both
#     directions, 1 B to 8 KiB at any offset). Every piece Start reports
#     must map exactly the buffer's bytes, checked through its bus address
#     (host to device: the bytes there are the buffer's; device to host:
#     what is written there is in the buffer after Complete, and no other
#     byte of it changed); Starts must overlap on different CPUs.
#  4. physshare: the same with two workers also using one register index
#     from two CPUs: one gets the mapping, the other's Start is the
#     documented misuse "map register already maps a buffer", refused
#     with ArraySize 0; the shim's rejected_calls must move by exactly the
#     refusals the workers saw, and each must have been refused sometimes.
# Every run must also show the race happened: contention refused, early
# Completes, the DPC completing, calls inside the SG allocation at once.
# Apart from physshare's refusals the shim's rejected_calls must not move.
# Prints nested KTAP.
# ndis-test: timeout=240
set -euo pipefail
KO=${NDIS_KO:-${KO:-/work/main/build/ko}}
shim=$KO/ndis_shim.ko race=$KO/ndis_race.ko
for ko in "$shim" "$race"; do
	[ -f "$ko" ] || { echo "# SKIP $ko not built"; exit 4; }
done
[ "$(nproc)" -ge 2 ] || { echo "# SKIP one CPU: nothing runs at once"; exit 4; }
DBG=/sys/kernel/debug
mountpoint -q $DBG || mount -t debugfs none $DBG
SEED=${NDIS_SEED:-$(( $(date +%s) % 100000 ))}
CHANNEL_MS=${NDIS_RACE_MS:-12000} SGSHM_MS=${NDIS_RACE_SG_MS:-8000}
PHYS_MS=${NDIS_RACE_PHYS_MS:-3000}
echo "# seed=$SEED"

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
notok() { n=$((n + 1)); echo "not ok $n $*"; failed=1; }
# val KEY LINE: the first KEY=value of LINE
val() { [[ " $2" =~ [\ \;]$1=([^\ \;]*) ]] && echo "${BASH_REMATCH[1]}"; }
# atleast WHAT LINE KEY MIN...: every KEY of LINE at least its MIN
atleast() {
	local what=$1 line=$2 bad='' k v
	shift 2
	while [ $# -gt 1 ]; do
		k=$1 v=$(val "$1" "$line") || v=
		[ -n "$v" ] && [ "$v" -ge "$2" ] || bad+=" $k=${v:-missing}<$2"
		shift 2
	done
	if [ -z "$bad" ]; then ok "$what"; else notok "$what:$bad"; fi
}
# zero WHAT LINE KEY...: every KEY of LINE is 0
zero() {
	local what=$1 line=$2 bad='' k v
	shift 2
	for k in "$@"; do
		v=$(val "$k" "$line") || v=
		[ "$v" = 0 ] || bad+=" $k=${v:-missing}"
	done
	if [ -z "$bad" ]; then ok "$what"; else notok "$what:$bad"; fi
}
rejected() { local r; read -r r _ <$DBG/ndis_shim/rejected_calls; echo "$r"; }

echo "KTAP version 1"
insmod "$shim"
if ! insmod "$race"; then
	echo "1..1"
	notok "insmod ndis_race"
	rmmod ndis_shim
	exit 1
fi
mapfile -t ADAPTERS < <(ls -d $DBG/ndis_race/*/ 2>/dev/null)
if [ "${#ADAPTERS[@]}" = 0 ]; then
	echo "1..1"
	notok "ndis_race bound no adapter"
	rmmod ndis_race ndis_shim
	exit 1
fi
# per adapter 5 channel lines; 3 sgshm, 3 physmap, 2 physshare lines,
# round trip, rejected, rmmod
echo "1..$(( 5 * ${#ADAPTERS[@]} + 11 ))"
before=$(rejected)

# 1. channel 0 of every adapter at once
t0=$SECONDS
for d in "${ADAPTERS[@]}"; do
	echo "channel threads=2 ms=$CHANNEL_MS seed=$SEED" >"$d/run" &
done
wait
echo "# channel race: $((SECONDS - t0)) s"
for d in "${ADAPTERS[@]}"; do
	name=$(basename "$d")
	R=$(cat "$d/result")
	echo "# $name: $R"
	main=${R%%;*} dpc=${R#*; }
	zero "$name channel: no error, one transfer at a time" "$main" \
		errors err double_starts unknown_caller
	zero "$name channel: the DPC's own transfers verified" "$dpc" errors
	# 12 s of edu's 100 ms transfers: about 100; the minimums show each
	# path ran, with room for a slow host.
	atleast "$name channel: contention, DPC and early Completes all happened" "$main" \
		setups 20 refused 10 dpc_completes 10 early 1 early_fenced 1
	# One thread Setup in four hands over: 10 to 30 per run, a third or
	# more of them caught inside the Setup.
	atleast "$name channel: Completes arriving inside their own Setup completed it" "$main" \
		prompt 3 prompt_inside 1
	atleast "$name channel: device-to-host transfers verified byte for byte" "$main" \
		verified 5 verified_bytes 1000
done

# 2. SG lists and shared memory on the first adapter, from every CPU
d=${ADAPTERS[0]}
threads=$(( $(nproc) + 1 ))
[ "$threads" -le 4 ] || threads=4
t0=$SECONDS
echo "sgshm threads=$threads ms=$SGSHM_MS seed=$SEED" >"$d/run"
echo "# sgshm race: $((SECONDS - t0)) s"
R=$(cat "$d/result")
echo "# $(basename "$d"): $R"
zero "sgshm: no error" "$R" errors err
atleast "sgshm: lists and blocks verified through their bus addresses" "$R" \
	sg_verified 50 shm_verified 20 sg_at_dispatch 1 shm_frees_deferred 1 shm_async 1
atleast "sgshm: allocations overlapped, and edu moved lists and blocks" "$R" \
	max_in_alloc 2 real_sg 1 real_shm 1

# phys VERB ARGS: runs it on the first adapter; its line in R, and how
# far rejected_calls moved meanwhile in moved
phys() {
	local t0=$SECONDS r0
	r0=$(rejected)
	echo "$1 $2 seed=$SEED" >"$d/run"
	moved=$(( $(rejected) - r0 ))
	R=$(cat "$d/result")
	echo "# $1 race: $((SECONDS - t0)) s"
	echo "# $(basename "$d"): $R"
}

# 3. NDIS 5 physical mapping on the first adapter, from every CPU
phys physmap "threads=$threads ms=$PHYS_MS"
zero "physmap: no error, no Start refused, nothing rejected" "$R" errors err rejected_starts \
	completes_edge lost
if [ "$moved" != 0 ]; then
	notok "physmap: rejected_calls moved by $moved"
else
	# 3 s of mappings: about 3000 (TCG); the minimums show each kind ran,
	# with room for a slow host. (Buffers map in several pieces only where
	# the device reaches them in place: none under swiotlb=force, whose
	# pool lies beyond edu's 28 bits, so every one is bounced whole.)
	atleast "physmap: mappings verified through their bus addresses" "$R" \
		verified 200 verified_bytes 100000 at_dispatch 20 vmalloc 20 full_len 20
fi
atleast "physmap: Starts overlapped on different CPUs" "$R" overlapped 5 max_in_start 2

# 4. one register index from two CPUs: refusals, each counted once
phys physshare "threads=2 ms=$((PHYS_MS / 2))"
refused=$(val refused_shared "$R") || refused=
if [ "$(val errors "$R")" = 0 ] && [ "$(val err "$R")" = 0 ] && [ -n "$refused" ] &&
	[ "$refused" = "$(val rejected_starts "$R")" ] &&
	[ "$moved" = "$refused" ]; then
	ok "physshare: no error; rejected_calls moved by the $refused refusals seen"
else
	notok "physshare: rejected_calls moved by $moved for ${refused:-?} refusals"
fi
atleast "physshare: the shared index refused Starts, and mappings verified" "$R" \
	refused_shared 5 verified 100 overlapped 5
before=$(( before + ${refused:-0} ))

# channel 0 still moves data afterwards
for d in "${ADAPTERS[@]}"; do
	echo "roundtrip len=4096 seed=$SEED" >"$d/run"
done
R=$(for d in "${ADAPTERS[@]}"; do cat "$d/result"; done)
echo "$R" | sed 's/^/# /'
if [ "$(grep -c 'status=0x00000000,0x00000000 verified=1 .*errors=0' <<<"$R")" = "${#ADAPTERS[@]}" ]; then
	ok "round trip verified on every adapter after the races"
else
	notok "round trip after the races"
fi
after=$(rejected)
if [ "$after" = "$before" ]; then ok "no call rejected"; else notok "rejected_calls moved $before -> $after"; fi
if rmmod ndis_race && rmmod ndis_shim; then ok "rmmod ndis_race ndis_shim"; else notok "rmmod"; fi
exit "$failed"
