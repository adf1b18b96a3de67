#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# NDIS 5 port I/O on QEMU's pcnet (1022:2000, tools/vm.sh: 00:12.0, MAC
# 52:54:00:12:34:11, I/O BAR0 of 32 ports): modules/ndis5_ports's
# MiniportInitialize registers the BAR with NdisMRegisterIoPortRange
# (SUCCESS, PortOffset the first port), reads the station address from the
# APROM with NdisRawReadPortUchar (and one of its ports three times with
# the buffer form, which reads one port repeatedly), writes and reads back
# the register address port with the Ushort forms, and is refused a range
# past the BAR or in no BAR (NDIS_STATUS_FAILURE) and one overlapping its
# own (NDIS_STATUS_RESOURCE_CONFLICT), per the NdisMRegisterIoPortRange
# page; deregistering a range never registered is counted. The registered
# range shows in /proc/ioports under the driver's name until the halt.
# Then (modules/ndis5_ports/support.c) the NDIS 5 support calls, each
# against its Microsoft page: the list helpers and NdisInterlocked lists,
# the mapped-memory copies, the strings, NdisScheduleWorkItem (PASSIVE and
# DISPATCH callers, the routine at PASSIVE_LEVEL), NdisQueryPendingIOCount,
# NdisMPciAssignResources, NdisImmediateRead/WritePciSlotInformation,
# NdisMGetDeviceProperty, the up time, processors, CPU usage, NdisPacketSize
# and NdisSetPacketPoolProtocolId; a forged handle for each call that takes
# one (and a work item with no routine) is refused and counted.
set -uo pipefail
CHECKS=29       # "ndis5_ports: ok|not ok" lines per adapter
# Rejections the module provokes: the bad deregistration, a forged handle
# to NdisQueryPendingIOCount, NdisMPciAssignResources, the two
# NdisImmediate*PciSlotInformation, NdisMGetDeviceProperty and
# NdisSetPacketPoolProtocolId, and NdisScheduleWorkItem with no routine.
REJECTS=8
MAC=52:54:00:12:34:11
DBG=/sys/kernel/debug PCI=/sys/bus/pci
shim=${NDIS_KO:?}/ndis_shim.ko test_ko=$NDIS_KO/ndis5_ports.ko
for ko in "$shim" "$test_ko"; do
	[ -f "$ko" ] || { echo "# SKIP $ko not built"; exit 4; }
done
mountpoint -q $DBG || mount -t debugfs none $DBG
mapfile -t DEVS < <(for d in $PCI/devices/*; do
	[ "$(cat "$d/vendor")" = 0x1022 ] && [ "$(cat "$d/device")" = 0x2000 ] && basename "$d"
done | sort)
[ "${#DEVS[@]}" -gt 0 ] || { echo "# SKIP no pcnet device"; exit 4; }
dev=${DEVS[0]}

mark="ndis-test: $$-$(date +%s%N)"
echo "$mark" >/dev/kmsg
log_since_mark() { dmesg | awk -v m="$mark" 'on; index($0, m) { on = 1 }'; }
driver_of() { basename "$(readlink "$PCI/devices/$1/driver" 2>/dev/null)" 2>/dev/null; }

failed=0 n=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
bad() { n=$((n + 1)); echo "not ok $n $*"; failed=1; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
not_claimed() { ! grep -q ": ndis5_ports$" /proc/ioports; }

echo "KTAP version 1"
echo "1..$((CHECKS + 9))"
insmod "$shim" || { bad "insmod ndis_shim"; exit 1; }
ok "insmod ndis_shim"
# Only ndis5_ports may drive it (Linux's pcnet32 binds it at boot).
before=$(driver_of "$dev")
echo ndis5_ports >"$PCI/devices/$dev/driver_override"
[ -n "$before" ] && echo "$dev" >"$PCI/devices/$dev/driver/unbind"
read -r rejected0 <"$DBG/ndis_shim/rejected_calls"
check "insmod ndis5_ports" insmod "$test_ko"
check "$dev bound to ndis5_ports (was '${before:-none}')" [ "$(driver_of "$dev")" = ndis5_ports ]
read -r rejected1 <"$DBG/ndis_shim/rejected_calls"
log=$(log_since_mark)
mapfile -t lines < <(sed -nE "s/.*ndis5_ports: ((not )?ok [0-9]+ $dev .*)/\1/p" <<<"$log")
for l in "${lines[@]}"; do
	case $l in
	"not ok "*) bad "$dev: ${l#not ok * $dev }" ;;
	*) ok "$dev: ${l#ok * $dev }" ;;
	esac
done
for ((i = ${#lines[@]}; i < CHECKS; i++)); do bad "$dev: check $((i + 1)) did not run"; done
got=$(sed -nE "s/.*ndis5_ports: $dev mac=(.*)$/\1/p" <<<"$log")
check "$dev: station address from the APROM $got (want $MAC)" [ "$got" = "$MAC" ]
check "$dev: the BAR claimed in /proc/ioports by ndis5_ports" grep -q ": ndis5_ports$" /proc/ioports
check "rejected_calls +$((rejected1 - rejected0)) (want $REJECTS: the bad deregistration, 7 forged calls)" \
	[ $((rejected1 - rejected0)) = "$REJECTS" ]
check "rmmod ndis5_ports" rmmod ndis5_ports
check "the range released at the halt" not_claimed
echo >"$PCI/devices/$dev/driver_override"
echo "$dev" >$PCI/drivers_probe 2>/dev/null
check "rmmod ndis_shim" rmmod ndis_shim
exit "$failed"
