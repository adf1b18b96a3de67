#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Hot-unplug of a NIC driven by the NDIS 6 sample (samples/e1000_ndis6 on
# ndis-shim) under traffic. A third e1000 (NIC C, 52:54:00:12:34:03) and
# its port on the NICs' hub are added through QMP (../qmp_lib.sh) behind
# the hot-pluggable root port ndis_hp0; it takes A's place in ndis_e1k_a
# (e1ka, 10.0.0.1) against B on Linux's e1000 (../e1000_lib.sh). Plain
# boot only. The checks, in order:
#   B bound to e1000, link up; C added, bound to the sample, QEMU's MAC,
#   link up, pings both ways
#   TCP streams both ways and a ping flood running: device_del. The guest ejects
#   C (pciehp: the sample is paused and halted while the device still
#   answers), QEMU reports it deleted, the net_device and the adapter are
#   gone, the shim left no rejected call; the harness checks Oops/WARN,
#   DMA-API debug and kmemleak around it
#   C added again: bound, link up, pings both ways, 4 MiB A -> B by hash;
#   deleted again (idle) and the sample unloads
# ndis-test: timeout=600
set -uo pipefail
. "$(dirname "$0")/../e1000_lib.sh"
. "$(dirname "$0")/../qmp_lib.sh"

[ "$DRIVER_A" = e1000_ndis6 ] ||
	{ echo "# SKIP NDIS_E1000_DRIVER_A=$DRIVER_A: the NDIS sample is what is unplugged"; exit 4; }
e1000_require
qmp_open
e1000_init
HP_ID=ndis_hp_e1000 HP_NETDEV=ndis_nic_hp HP_HUB=0 HP_MODEL=e1000 HP_PCI_ID=0x8086:0x100e
MAC_C=52:54:00:12:34:03 HP_MAC=52:54:00:12:34:03
# The added NIC and its hub port never outlive the test, then the usual
# cleanup.
trap 'nic_unplug_all; cleanup' EXIT
bring_up_c() { nic_bring_up $NS_A $IF_A $IP_A; }

echo "KTAP version 1"
echo "1..15"
T0=$SECONDS
ip netns del $NS_A 2>/dev/null
ip netns del $NS_B 2>/dev/null
ip netns add $NS_A && ip netns add $NS_B || { notok "network namespaces"; exit 1; }
check "B ($DEV_B) on e1000, link up" eval 'bind $DEV_B e1000 && attach $DEV_B e1000 $NS_B $IF_B $IP_B && link_up $NS_B $IF_B'
check "C added behind ndis_hp0, bound to $DRIVER_A, link up" bring_up_c
check "C's MAC is QEMU's ($MAC_C)" mac_is $NS_A $IF_A $MAC_C
check "ping both ways through C" eval 'ping_sizes $NS_A $IP_B 56 1472 && ping_sizes $NS_B $IP_A 56 1472'
[ $failed = 0 ] || { echo "# no traffic through C: the rest would only time out"; exit 1; }
rejected0=$(cat $DBG/ndis_shim/rejected_calls)

# ---- unplugged under traffic
# Endless streams (zeros; nothing to verify once the NIC is gone) both
# ways, and a ping flood.
ab_pid= ba_pid=
stream $NS_A $NS_B $IP_B && ab_pid=$STREAM_PID
stream $NS_B $NS_A $IP_A && ba_pid=$STREAM_PID
ip netns exec $NS_B ping -f -q -w 120 $IP_A >/dev/null 2>&1 &
BG+=($!)
flowing 20 "rx_bytes $NS_A $IF_A" "rx_bytes $NS_B $IF_B"
echo "# in $MOVED_S s before device_del: C received $MOVED1 bytes, B $MOVED2"
check "traffic flowing both ways through C, both streams running" \
	eval '[ $MOVED1 -gt 10000 ] && [ $MOVED2 -gt 10000 ] && alive "$ab_pid" && alive "$ba_pid"'
t=$SECONDS
check "device_del under traffic: C gone from the guest and from QEMU" nic_unplug
echo "# the removal took $((SECONDS - t)) s"
check "paused for the removal with every send back" \
	not kmsg_since "MiniportPause pended and never completed|send\(s\) not completed"
check "the net_device is gone" not ip -n $NS_A link show dev $IF_A
check "the adapter is gone from ndis_shim/adapters" not adapter_listed "$HP_DEV"
check "no call rejected by the shim through the unplug (rejected_calls $rejected0)" \
	[ "$(cat $DBG/ndis_shim/rejected_calls)" = "$rejected0" ]
kill_ns

# ---- added again
check "C added again: bound to $DRIVER_A, link up" bring_up_c
check "ping both ways through the new C" eval 'ping_sizes $NS_A $IP_B 56 1472 && ping_sizes $NS_B $IP_A 56 1472'
head -c $((4 << 20)) /dev/urandom >"$TMP/ab"
check "4 MiB A -> B over TCP intact" tcp $NS_A $NS_B $IP_B "$TMP/ab"
check "device_del, idle" nic_unplug
check "rmmod $DRIVER_A" rmmod "$DRIVER_A"
echo "# total $((SECONDS - T0)) s"
exit "$failed"
