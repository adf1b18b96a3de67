#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# NDIS 6 timer objects and NdisMSynchronizeWithInterruptEx (rust/timer.rs,
# rust/interrupt.rs). ndis_timer.ko binds the edu functions as an NDIS 6.30
# miniport; its first adapter's MiniportInitializeEx runs the checks and
# logs one line each, naming the Microsoft page its expected result comes
# from: NdisAllocateTimerObject's statuses, one-shot timers (relative,
# absolute, in the past) that fire once, periodic ones that fire until
# cancelled (from PASSIVE, DISPATCH and their own function), Set's TRUE
# while queued, Cancel's TRUE/FALSE, frees of queued timers (PASSIVE,
# DISPATCH, from the timer's own function) that never fire, and
# NdisMSynchronizeWithInterruptEx returning the function's value with the
# ISR held off (an edu interrupt raised inside it is handled after it).
# Only "fired" / "did not fire" is asserted, never a latency. Every adapter
# leaves a periodic timer set at halt: the shim must log that it freed it,
# and it must never fire after the release (ndis_timer.ko's unload handler
# checks). rejected_calls must move by exactly what the module marks.
set -uo pipefail
CHECKS=53     # "ndis_timer: ok|not ok" lines from the checks
REJECTIONS=12 # calls it makes that the shim must refuse
DBG=/sys/kernel/debug
shim=${NDIS_KO:?}/ndis_shim.ko test_ko=$NDIS_KO/ndis_timer.ko
for ko in "$shim" "$test_ko"; do
	[ -f "$ko" ] || { echo "# SKIP $ko not built"; exit 4; }
done
mountpoint -q $DBG || mount -t debugfs none $DBG

mark="ndis-test: $$-$(date +%s%N)"
echo "$mark" >/dev/kmsg
log_since_mark() { dmesg | awk -v m="$mark" 'on; index($0, m) { on = 1 }'; }

failed=0
insmod "$shim" || { echo "# insmod ndis_shim failed"; exit 1; }
read -r rejected0 <"$DBG/ndis_shim/rejected_calls"
insmod "$test_ko" || failed=1
read -r rejected1 <"$DBG/ndis_shim/rejected_calls"
adapters=$(ls -d /sys/bus/pci/drivers/ndis_timer/0000:* 2>/dev/null | wc -l)
rmmod ndis_timer; rm_rc=$?
mapfile -t lines < <(log_since_mark | sed -nE 's/.*ndis_timer: ((not )?ok .*)/\1/p')
done_line=$(log_since_mark | grep -c 'ndis_timer: done$')
marked=$(log_since_mark | sed -nE 's/.*ndis_timer: rejected ([0-9]+)$/\1/p')
left_line=$(log_since_mark | sed -nE 's/.*ndis_timer: left (.*)/\1/p')
freed_lines=$(log_since_mark | grep -c 'ndis_timer: 1 timer object(s) not freed; cancelled and freed')

echo "KTAP version 1"
echo "1..$((${#lines[@]} + 6))"
n=0
for l in "${lines[@]}"; do
	n=$((n + 1))
	case $l in
	"not ok "*) echo "not ok $n ${l#not ok }"; failed=1 ;;
	*) echo "ok $n ${l#ok }" ;;
	esac
done
n=$((n + 1))
if [ "$done_line" = 1 ] && [ "${#lines[@]}" -eq "$CHECKS" ]; then
	echo "ok $n every check ran (${#lines[@]})"
else
	echo "not ok $n every check ran (${#lines[@]} lines, want $CHECKS; done=$done_line)"; failed=1
fi
n=$((n + 1))
delta=$((${rejected1:-0} - ${rejected0:-0}))
if [ "$delta" = "$REJECTIONS" ] && [ "${marked:-}" = "$REJECTIONS" ]; then
	echo "ok $n rejected_calls +$delta, each refusal ndis_timer.ko expects"
else
	echo "not ok $n rejected_calls ${rejected0:-?} -> ${rejected1:-?} (+$delta), ndis_timer.ko marks ${marked:-?}, want $REJECTIONS"; failed=1
fi
n=$((n + 1))
if [ "$rm_rc" = 0 ]; then echo "ok $n rmmod ndis_timer ($adapters adapters)"; else echo "not ok $n rmmod ndis_timer"; failed=1; fi
n=$((n + 1))
if [ "$adapters" -ge 1 ] && [ "$freed_lines" = "$adapters" ]; then
	echo "ok $n the shim freed each adapter's timer left at halt, with a warning ($freed_lines)"
else
	echo "not ok $n timers left at halt: $freed_lines warning(s) for $adapters adapter(s)"; failed=1
fi
n=$((n + 1))
case $left_line in
"ok "*) echo "ok $n ${left_line#ok }" ;;
*) echo "not ok $n timers left at halt: ${left_line:-no line}"; failed=1 ;;
esac
n=$((n + 1))
if rmmod ndis_shim; then echo "ok $n rmmod ndis_shim"; else echo "not ok $n rmmod ndis_shim"; failed=1; fi
exit "$failed"
