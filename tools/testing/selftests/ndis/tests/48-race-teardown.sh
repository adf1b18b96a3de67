#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Deregister, halt, unload and hot-unplug against a Complete in flight on
# another CPU (modules/ndis_race; 41 and 44 cover removal with a transfer
# set up, this covers the calls racing it). A hammer thread on CPU 0 runs
# verified Setup/Complete pairs on its own channel while the adapter's DPC
# chains verified transfers through edu's engine on channel 0; the
# teardown, pinned to CPU 1 with taskset, meets the hammer inside Complete
# (its Stop, holding the shim's channel lock, waits for the teardown to
# begin and then holds on). Each in-flight Complete must return SUCCESS with
# its data verified, the teardown must wait for it, nothing may be written
# after it, and the device must work afterwards:
#  1. NdisMDeregisterDmaChannel rounds, on every adapter: the hammer's
#     channel under the held Complete, channel 0 under the DPC;
#  2. halt (sysfs unbind), the miniport deregistering everything itself;
#  3. halt (unbind) leaving everything to the shim, whose release must
#     begin while the Complete is held (its log line's time stamp);
#  4. PCI removal (sysfs remove, then rescan), deregistering;
#  5. unload (rmmod), leaving everything to the shim;
#  6. hot-unplug through QEMU's monitor (as 44), leaving everything, when
#     the VM has the QMP port;
#     in 3, 5 and 6 a release that begins after the 300 ms hold missed the
#     race, and the teardown runs again, three times at most
#     (leave_teardown);
#  7. NDIS 5 map registers (race_physmap.c): a worker on CPU 0 keeps
#     Start/Complete going on four register indices (verified through
#     their bus addresses while surely mapped) and holds one mapping across
#     each NdisMFreeMapRegisters, which CPU 1 calls and then allocates
#     again, 6 rounds; then halt (unbind) with a mapping held and the map
#     registers not freed, the worker calling on through the shim's
#     release ("map registers not freed; freed"). Calls after a Free are a
#     miniport bug: the shim must reject them and crash on none, and every
#     mapping completed before the Free must verify. The worker sorts its
#     calls by the Free's phase into sure to succeed, sure to be rejected
#     and on the edge: rejected_calls must move by at least the sure
#     rejections (Starts refused, one per Free finding the held mapping,
#     late Completes) and at most those plus the edge. Each is followed by
#     a verified round trip; the harness's DMA-API debug checks that the
#     release unmapped everything.
# Apart from 7 the shim's rejected_calls must not move. Prints nested KTAP.
# ndis-test: timeout=300
set -uo pipefail
. "$(dirname "$0")/../removal_lib.sh"
race=$KO/ndis_race.ko
[ -f "$race" ] || { echo "# SKIP $race not built"; exit 4; }
[ "$(nproc)" -ge 2 ] || { echo "# SKIP one CPU: nothing runs at once"; exit 4; }
TASKSET=$(command -v taskset) || { echo "# SKIP no taskset to pin the teardown"; exit 4; }
RD=$DBG/ndis_race
DRV=/sys/bus/pci/drivers/ndis_race
SEED=${NDIS_SEED:-$(( $(date +%s) % 100000 ))}
echo "# seed=$SEED"
mapfile -t DEVS < <(edu_devices)
[ "${#DEVS[@]}" -ge 1 ] || { echo "# SKIP no edu device"; exit 4; }
DEV=${DEVS[0]}

val() { [[ " $2" =~ [\ \;]$1=([^\ \;]*) ]] && echo "${BASH_REMATCH[1]}"; }
ge() { [ "$(val "$1" "$2")" -ge "$3" ] 2>/dev/null; } # KEY LINE MIN
usecs() { local s=${1%.*} f=${1#*.}; echo $(( 10#$s * 1000000 + 10#$f )); }
rejected() { local r; read -r r _ <$DBG/ndis_shim/rejected_calls; echo "$r"; }
run() { # dev command: as the teardown CPU's task; the result line in R
	"$TASKSET" -c 1 sh -c "echo '$2' >$RD/$1/run" && R=$(cat "$RD/$1/result")
}
roundtrip_ok() { # dev
	wait_for "$RD/$1/run" 10 && run "$1" "roundtrip len=4096 seed=$SEED" &&
		[[ $R == *"status=0x00000000,0x00000000 verified=1 "*"errors=0"* ]]
}

# ---- QMP (../qmp_lib.sh)
. "$(dirname "$0")/../qmp_lib.sh"
HP_ID=ndis_hp_race HP_DEV=
plug() {
	local before d i
	before=$(edu_devices)
	qmp '"execute": "device_add", "arguments": {"driver": "edu", "id": "'$HP_ID'", "bus": "ndis_hp0", "dma_mask": 4294967295}' || return 1
	for ((i = 0; i < 300; i++)); do
		for d in $(edu_devices); do
			[[ $'\n'$before$'\n' == *$'\n'$d$'\n'* ]] || HP_DEV=$d
		done
		[ -n "$HP_DEV" ] && return 0
		sleep 0.1
	done
	return 1
}
unplug() {
	EVENTS=
	qmp '"execute": "device_del", "arguments": {"id": "'$HP_ID'"}' || return 1
	wait_gone "/sys/bus/pci/devices/$HP_DEV" 60 || return 1
	qmp_wait_deleted $HP_ID 60
}
# The adapter made anew after a leave-mode teardown missed (leave_teardown).
rebind() { echo "$DEV" >$DRV/bind && wait_for "$RD/$DEV/run" 10; }
reload() { insmod "$race" && wait_for "$RD/$DEV/run" 10; }
replug() { HP_DEV= && plug && wait_for "$RD/$HP_DEV/run" 10; }

cleanup() {
	echo deregister >"$RD/halt_mode" 2>/dev/null
	for d in "${DEVS[@]}"; do
		[ -e "/sys/bus/pci/devices/$d" ] || echo 1 >/sys/bus/pci/rescan
	done
	if [ -n "$HP_DEV" ] && [ -e "/sys/bus/pci/devices/$HP_DEV" ]; then unplug; fi
	lsmod | grep -q '^ndis_race ' && rmmod ndis_race
	unload_all
}

# teardown DEV MODE WHAT TRIGGER...: starts the hammer on DEV, runs the
# teardown, checks what the miniport and the shim reported: three rows.
# Returns 3 without a row when only the leave mode's timing missed (the
# shim's release began after the hold: the race was not met) and the
# caller may try again (AGAIN=1).
HOLD_MS=300 AGAIN=0
teardown() {
	local dev=$1 mode=$2 what=$3 line='' i hammer dpc after shim ts='' from='' until='' go=''
	local bad='' rows=() row
	shift 3
	echo "$mode" >"$RD/halt_mode"
	if ! run "$dev" "hammer cpu=0 hold=$HOLD_MS seed=$SEED"; then
		notok "$what: hammer did not start"; notok "$what"; notok "$what"
		return
	fi
	sleep 0.5
	mark
	echo "48-race-teardown: $what" >/dev/kmsg
	"$@" || bad+=" trigger failed;"
	# leave mode reports after the hold and a second (the reaper)
	for ((i = 0; i < 50 + HOLD_MS / 100; i++)); do
		line=$(since_mark | grep -m1 "ndis_race $dev: teardown $mode:") && break
		sleep 0.1
	done
	echo "# ${line:-no teardown line}"
	hammer=${line%%;*} dpc=${line#*; } after=${line##*after=}
	dpc=${dpc%%;*}
	[ "$(val met "$hammer")" = 1 ] && [ "$(val held "$hammer")" = 1 ] ||
		bad+=" the teardown did not meet a Complete in flight;"
	[ "$(val inflight "$hammer")" = 0x00000000 ] && [ "$(val inflight_verified "$hammer")" = 1 ] ||
		bad+=" the Complete in flight did not finish verified;"
	[ "$(val errors "$hammer")" = 0 ] && [ "$(val transfers "$hammer")" -ge 10 ] 2>/dev/null ||
		bad+=" hammer errors or too few transfers;"
	if [ -z "$bad" ]; then rows+=("ok $what: Complete in flight met, verified"); else rows+=("notok $what:$bad"); fi
	bad=''
	[ "$(val errors "$dpc")" = 0 ] && [ "$(val completes "$dpc")" -ge 1 ] 2>/dev/null ||
		bad+=" DPC: $dpc;"
	[ "$after" = unchanged ] || bad+=" buffers written after the teardown ($after);"
	if [ -z "$bad" ]; then rows+=("ok $what: DPC verified, nothing written afterwards"); else rows+=("notok $what:$bad"); fi
	shim=$(since_mark | grep -m1 "$dev: ndis_race: [0-9]* DMA channel(s) not deregistered; released")
	if [ "$mode" = leave ]; then
		# The shim logs this line, then releases the channels: within the
		# hold. The hold began before the teardown went on (go, stamped
		# once it saw the hammer holding), and the release comes after the
		# halt returns, in the teardown's thread: it cannot begin before
		# go. But the stamps come from two vCPUs' clocks, which differ by
		# microseconds (a release stamped the same microsecond as go, 7 us
		# before the hold's start, once): go is the lower bound, less 1 ms.
		ts=$(sed -n 's/^\[ *\([0-9]*\.[0-9]*\)\].*/\1/p' <<<"$shim")
		from=$(val held_from "$hammer") until=$(val held_until "$hammer") go=$(val go "$hammer")
		echo "# shim's release at ${ts:-?}, Complete held ${from:-?} to ${until:-?}, teardown went on at ${go:-?} on CPU $(val td_cpu "$hammer")"
		if [[ $shim == *": 2 DMA channel(s)"* ]] && [ -n "$ts" ] && [ -n "$go" ] && [ -n "$until" ] &&
			(( $(usecs "$ts") >= $(usecs "$go") - 1000 && $(usecs "$ts") <= $(usecs "$until") )); then
			rows+=("ok $what: the shim released the channels while the Complete was in flight")
		else
			rows+=("notok $what: shim's release ${shim:-not logged}, not within the hold")
		fi
	else
		if [ -z "$shim" ]; then rows+=("ok $what: nothing left for the shim"); else rows+=("notok $what: $shim"); fi
	fi
	since_mark | grep -E "ndis|$dev" | grep -v "teardown $mode" | sed 's/^/# /'
	if [ "$AGAIN" = 1 ] && [[ ${rows[0]} == ok* && ${rows[1]} == ok* && ${rows[2]} == notok* ]] &&
		[[ $shim == *": 2 DMA channel(s)"* ]] && [ -n "$ts" ] && [ -n "$until" ] &&
		(( $(usecs "$ts") > $(usecs "$until") )); then
		echo "# the shim's release began $(( ($(usecs "$ts") - $(usecs "$until")) / 1000 )) ms after the hold ended: not met"
		return 3
	fi
	for row in "${rows[@]}"; do
		if [[ $row == ok* ]]; then ok "${row#ok }"; else notok "${row#notok }"; fi
	done
}

# leave_teardown DEV_VAR AGAIN_CMD WHAT TRIGGER...: a teardown in leave mode,
# again (after AGAIN_CMD makes the adapter anew, its device in the
# variable DEV_VAR) when the shim's release missed the hold, three times at
# most. A vCPU the host stalls between the halt and the release can miss
# it; a release that misses it three times running fails.
leave_teardown() {
	local devvar=$1 again=$2 what=$3 attempt
	shift 3
	for attempt in 1 2 3; do
		AGAIN=$((attempt < 3))
		teardown "${!devvar}" leave "$what" "$@"
		[ $? = 3 ] || break
		echo "# attempt $attempt: again"
		if ! $again; then
			notok "$what: the adapter did not come back"; notok "$what"; notok "$what"
			break
		fi
	done
	AGAIN=0
}

echo "KTAP version 1"
echo "1..$(( 2 * ${#DEVS[@]} + 4 * 4 + 4 + 8 + 3 ))"
if ! insmod "$shim" || ! insmod "$race"; then
	notok "insmod ndis_shim ndis_race"; cleanup; exit 1
fi
before_rejected=$(rejected)

# 1. Deregister rounds on every adapter
t0=$SECONDS
for d in "${DEVS[@]}"; do
	if ! wait_for "$RD/$d/run" 10 || ! run "$d" "deregister sw=30 edu=6 cpu=0 seed=$SEED"; then
		notok "$d deregister: command failed"; notok "$d deregister"; continue
	fi
	echo "# $d: $R"
	main=${R%%;*} dpc=${R#*; }
	if [ "$(val err "$main")" = 0 ] && [ "$(val errors "$main")" = 0 ] &&
		[ "$(val met "$main")" = 30 ] && [ "$(val inflight_verified "$main")" = 30 ]; then
		ok "$d: 30 Deregisters each met a Complete in flight, each verified"
	else
		notok "$d: Deregister under a Complete in flight: $main"
	fi
	if [ "$(val edu_rounds "$main")" = 6 ] && [ "$(val after_changed "$main")" = 0 ] &&
		[ "$(val errors "$dpc")" = 0 ] && [ "$(val completes "$dpc")" -ge 6 ]; then
		ok "$d: 6 Deregisters of channel 0 under the DPC, nothing written afterwards"
	else
		notok "$d: Deregister under the DPC: $main; $dpc"
	fi
done
echo "# deregister rounds: $((SECONDS - t0)) s"

# 2.-5. halt, removal and unload against the hammer on CPU 0
t0=$SECONDS
teardown "$DEV" deregister "unbind, deregistering" "$TASKSET" -c 1 sh -c "echo $DEV >$DRV/unbind"
echo "$DEV" >$DRV/bind
check "bound again; round trip verified" roundtrip_ok "$DEV"
leave_teardown DEV rebind "unbind, leaving it to the shim" "$TASKSET" -c 1 sh -c "echo $DEV >$DRV/unbind"
echo "$DEV" >$DRV/bind
check "bound again; round trip verified" roundtrip_ok "$DEV"
teardown "$DEV" deregister "PCI removal, deregistering" "$TASKSET" -c 1 sh -c "echo 1 >/sys/bus/pci/devices/$DEV/remove"
echo 1 >/sys/bus/pci/rescan
check "rescanned; round trip verified" roundtrip_ok "$DEV"
leave_teardown DEV reload "unload, leaving it to the shim" "$TASKSET" -c 1 rmmod ndis_race
insmod "$race"
check "reloaded; round trip verified" roundtrip_ok "$DEV"
echo "# halt, removal, unload: $((SECONDS - t0)) s"

# 6. hot-unplug through QEMU's monitor: the removal runs in a kworker, on
# whichever CPU; the module moves the hammer off it
t0=$SECONDS
if qmp_connect; then
	if plug && wait_for "$RD/$HP_DEV/run" 10; then
		ok "device_add: ndis_race bound $HP_DEV"
		leave_teardown HP_DEV replug "hot-unplug, leaving it to the shim" unplug
		# Still there (a replug whose adapter did not come up): cleanup's.
		[ -e "/sys/bus/pci/devices/$HP_DEV" ] || HP_DEV=
	else
		notok "device_add on ndis_hp0: ${HP_DEV:-nothing}"; notok "hot-unplug"; notok "hot-unplug"; notok "hot-unplug"
	fi
else
	for i in 1 2 3 4; do ok "hot-unplug # SKIP no QMP port (org.ndis-shim.qmp)"; done
fi
echo "# hot-unplug: $((SECONDS - t0)) s"

# 7. map registers: NdisMFreeMapRegisters, then halt, against a worker
# in Start/Complete on CPU 0
# in_range WHAT LINE DELTA: the worker's rejections=LO-HI range holds DELTA
in_range() {
	local r lo hi
	r=$(val rejections "$2") || r=
	lo=${r%-*} hi=${r#*-}
	if [[ $r =~ ^[0-9]+-[0-9]+$ ]] && ((lo <= $3 && $3 <= hi)); then
		ok "$1: rejected_calls moved by $3, within $r"
		phys_lo=$((phys_lo + lo)) phys_hi=$((phys_hi + hi))
	else
		notok "$1: rejected_calls moved by $3, expected ${r:-nothing}"
	fi
}
phys_lo=0 phys_hi=0
t0=$SECONDS
rej0=$(rejected)
mark
if run "$DEV" "physfree rounds=6 cpu=0 seed=$SEED"; then
	echo "# $R"
	if [ "$(val err "$R")" = 0 ] && [ "$(val errors "$R")" = 0 ] && [ "$(val rounds "$R")" = 6 ]; then
		ok "physfree: 6 Free rounds, every mapping checked verified"
	else
		notok "physfree: $R"
	fi
	# Each round's held mapping: its Complete after the Free is rejected.
	if ge completes_rejected "$R" 6 && ge starts_in_free "$R" 1 &&
		ge rejected_starts "$R" 1 && ge verified "$R" 20; then
		ok "physfree: Starts ran into the Frees, calls after them were rejected"
	else
		notok "physfree: no race with the Free seen"
	fi
	in_range physfree "$R" $(( $(rejected) - rej0 ))
	# Only the calls after a Free (and the Free finding a mapping) rejected.
	other=$(since_mark | grep 'rejected:' |
		grep -vE 'NdisM(Start|Complete)BufferPhysicalMapping: rejected: (no map registers allocated|map register maps no buffer)$|NdisMFreeMapRegisters: rejected: physical mappings not completed; unmapped$' || true)
	if [ -z "$other" ]; then ok "physfree: nothing else rejected"; else notok "physfree: $other"; fi
else
	for i in 1 2 3 4; do notok "physfree: command failed"; done
fi
check "physfree: round trip verified afterwards" roundtrip_ok "$DEV"
echo leave >"$RD/halt_mode"
rej0=$(rejected)
if run "$DEV" "physhold cpu=0 seed=$SEED"; then
	sleep 0.5
	mark
	echo "48-race-teardown: halt with map registers held" >/dev/kmsg
	"$TASKSET" -c 1 sh -c "echo $DEV >$DRV/unbind"
	for ((i = 0; i < 50; i++)); do
		line=$(since_mark | grep -m1 "ndis_race $DEV: physmap halt left:") && break
		sleep 0.1
	done
	echo "# ${line:-no physmap halt line}"
	since_mark | grep -E "ndis|$DEV" | grep -v "physmap halt left" | sed 's/^/# /'
	if since_mark | grep -q "$DEV: ndis_race: map registers not freed; freed" &&
		[ "$(val pinned "$line")" = 1 ] && [ "$(val errors "$line")" = 0 ] &&
		ge verified "$line" 10 && ge rejected_starts "$line" 1; then
		ok "physhold: halt with a mapping held; the shim freed the map registers, later calls rejected"
	else
		notok "physhold: ${line:-no report}"
	fi
	in_range physhold "$line" $(( $(rejected) - rej0 ))
else
	notok "physhold: command failed"; notok "physhold"
fi
echo deregister >"$RD/halt_mode"
echo "$DEV" >$DRV/bind
check "physhold: bound again; round trip verified" roundtrip_ok "$DEV"
echo "# map registers: $((SECONDS - t0)) s"

for d in "${DEVS[@]}"; do roundtrip_ok "$d" || notok_dev=$d; done
if [ -z "${notok_dev:-}" ]; then ok "every adapter moves verified data at the end"; else notok "round trip on $notok_dev at the end"; fi
after_rejected=$(rejected)
moved=$((after_rejected - before_rejected))
if ((phys_lo <= moved && moved <= phys_hi)); then
	ok "no call rejected but the map registers' ($moved)"
else
	notok "rejected_calls moved $before_rejected -> $after_rejected, map registers' $phys_lo-$phys_hi"
fi
echo deregister >"$RD/halt_mode"
if rmmod ndis_race && rmmod ndis_shim; then ok "rmmod ndis_race ndis_shim"; else notok "rmmod"; fi
cleanup
exit "$failed"
