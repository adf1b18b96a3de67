#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Losses, down/up and faults under traffic on the pcnet driven by the NDIS
# 5.1 sample's scatter-gather build (samples/pcnet_ndis5, pcnet_ndis5.ko on
# ndis-shim), against the pcnet driven by Linux's pcnet32 over QEMU's
# emulated wire: the topology and setup of 15-pcnet-ndis5 (../pcnet_lib.sh
# over ../e1000_lib.sh). The NDIS 6 matrix of 07, 09 and 12 on the NDIS 5
# paths. Plain boot only. The checks, in order:
#   A bound to the sample, B to pcnet32; the MACs are QEMU's; link up on both
#   UDP each way (iperf3, 4 Mbit/s for 2 s), at most 1 % lost
#   ip link set down/up on A twice while 2 MiB go B -> A over TCP (and pings
#     run): link back each time, the data intact, pings after
#   send path: fail_maps armed (the next N streaming mappings fail) while TCP
#     and pings go A -> B: the per-packet SG list of each such send
#     (NdisMInitializeScatterGatherDma's path) is not made, the send dropped
#     before MiniportSendPackets, so A's tx_dropped grows by at least N; the
#     transfer arrives intact
#   receive path: fail_rx_skbs armed while TCP and pings go B -> A: the
#     frames the sample indicates (NdisMEthIndicateReceive) are dropped as
#     if their skb could not be allocated, counted in A's rx_dropped; the
#     transfer arrives intact
#   OID path: fail_oids armed (every set fails), A made promiscuous: the
#     requests (OID_GEN_CURRENT_PACKET_FILTER, OID_802_3_MULTICAST_LIST) are
#     not issued (logged, counted in debugfs oid_failures) and frames to a
#     foreign MAC stay filtered; disarmed, the next change goes through
#   registers vanish: I/O and memory decode cleared in A's PCI command
#     register (and its INTx disabled: a device gone raises none) under
#     pings: CSR0 reads all ones, the sample's CheckForHang reports the
#     device lost and the shim resets it (debugfs resets=; MiniportReset
#     fails with NDIS_STATUS_HARD_ERRORS, bus mastering off), A loses its
#     carrier, no second reset follows while decode stays off, no rejected
#     calls. Decode restored: the sample asks for a reset itself; link,
#     pings both ways and 1 MiB over TCP are back
#   hot-unplug: a third pcnet (C, 52:54:00:12:34:13) and its port on hub 1
#     added through QMP (../qmp_lib.sh) behind the hot-pluggable root port
#     ndis_hp0, bound to the sample, in ndis_pcn_c (pcnc 10.0.5.3) against
#     B: pings both ways; TCP streams both ways and a ping flood running:
#     device_del, the guest ejects C (the sample halted while the device
#     still answers), QEMU reports it deleted, the net_device and the
#     adapter are gone, no rejected call; added again: link, pings both
#     ways; deleted again (idle)
#   the sample unloads; every NIC handed back to pcnet32
# ndis-test: timeout=600
set -uo pipefail
. "$(dirname "$0")/../pcnet_lib.sh"
. "$(dirname "$0")/../qmp_lib.sh"
# The scatter-gather build: fail_maps reaches its per-packet SG lists.
DRIVER_A=pcnet_ndis5
# The PCnet-PCI II is a 10 Mbit/s controller: UDP at 4 Mbit/s, 40 % of
# its line rate (07 sends 8 Mbit/s through a 1000 Mbit/s e1000).
UDP_RATE=4M UDP_SECS=2
e1000_require setpci iperf3 jq
HAVE_QMP=0
qmp_connect && HAVE_QMP=1
e1000_init
SLOT=${DEV_A#0000:}
COMMAND0=
NS_C=ndis_pcn_c IF_C=pcnc IP_C=10.0.5.3
HP_ID=ndis_hp_pcnet HP_NETDEV=ndis_nic_hp_pcnet HP_HUB=1 HP_MODEL=pcnet
HP_PCI_ID=$NIC_PCI_ID HP_MAC=52:54:00:12:34:13

# The PCI command register back as it was, C and its hub port gone, then
# the usual cleanup.
restore() {
	[ -n "$COMMAND0" ] && setpci -s $SLOT COMMAND=$COMMAND0
	[ $HAVE_QMP = 1 ] && nic_unplug_all
	ip netns del $NS_C 2>/dev/null
	cleanup
}
trap restore EXIT

echo "KTAP version 1"
echo "1..41"
T0=$SECONDS
e1000_bring_up
fault_knobs
head -c $((1 << 20)) /dev/urandom >"$TMP/ab"
head -c $((1 << 20)) /dev/urandom >"$TMP/ba"
head -c $((2 << 20)) /dev/urandom >"$TMP/updown"
N=10

# ---- UDP
t=$SECONDS
check "UDP A -> B, loss <= 1 %" udp $NS_A $NS_B $IP_B
check "UDP B -> A, loss <= 1 %" udp $NS_B $NS_A $IP_A
stats $NS_A $IF_A
stats $NS_B $IF_B
echo "# UDP took $((SECONDS - t)) s"

# ---- down/up under traffic
t=$SECONDS
updown_under_tcp "$TMP/updown" 2
echo "# down/up took $((SECONDS - t)) s"

# ---- send path: per-packet SG list mappings fail under traffic: each
# failure a send dropped before MiniportSendPackets
t=$SECONDS
fault_under_tcp fail_maps tx_dropped $NS_A $NS_B $IP_B "$TMP/ab" $N "the failed mappings"
echo "# send path took $((SECONDS - t)) s"

# ---- receive path: the skbs of indicated frames fail under traffic
t=$SECONDS
fault_under_tcp fail_rx_skbs rx_dropped $NS_B $NS_A $IP_A "$TMP/ba" $N "the dropped receives"
check "ping both ways after the injected failures" \
	eval 'ping_sizes $NS_A $IP_B 56 1472 && ping_sizes $NS_B $IP_A 56 1472'
echo "# receive path took $((SECONDS - t)) s"

# ---- OID path: the filter change is not issued, the next one is
t=$SECONDS
oid_fault_phase 1
echo "# OID path took $((SECONDS - t)) s"

# ---- registers vanish under pings, and come back
# With its decode off QEMU's pcnet answers no port: CSR0 reads all ones,
# as from a device that is gone. The model itself runs on (it polls its
# transmit ring and receives): its INTx is disabled too, or a level
# interrupt nobody can acknowledge would be raised until the kernel
# disabled the line.
vanished_hook() {
	check "the reset failed with NDIS_STATUS_HARD_ERRORS (0x80010004)" \
		kmsg_since "pcnet_ndis5: adapter reset: 0x80010004"
}
t=$SECONDS
vanish_phase 400:403 "$TMP/ab" # I/O and memory decode off, INTx disabled
echo "# vanished device took $((SECONDS - t)) s"
stats $NS_A $IF_A

# ---- hot-unplug of a third pcnet under traffic
t=$SECONDS
if [ $HAVE_QMP = 0 ]; then
	for w in "C added" "pings through C" "traffic through C" "device_del under traffic" \
		"net_device gone" "adapter gone" "no call rejected" "C added again" \
		"pings through the new C" "device_del, idle"; do
		n=$((n + 1))
		echo "ok $n $w # SKIP no QMP port (org.ndis-shim.qmp): VM not started by tools/vm.sh"
	done
else
	ip netns del $NS_C 2>/dev/null
	ip netns add $NS_C
	check "C added behind ndis_hp0 on hub 1, bound to $DRIVER_A, link up, QEMU's MAC" \
		eval 'nic_bring_up $NS_C $IF_C $IP_C && mac_is $NS_C $IF_C $HP_MAC'
	check "ping both ways through C" eval 'ping_sizes $NS_C $IP_B 56 1472 && ping_sizes $NS_B $IP_C 56 1472'
	rejected_all=$(cat $DBG/ndis_shim/rejected_calls)
	cb_pid= bc_pid=
	stream $NS_C $NS_B $IP_B && cb_pid=$STREAM_PID
	stream $NS_B $NS_C $IP_C && bc_pid=$STREAM_PID
	ip netns exec $NS_B ping -f -q -w 60 $IP_C >/dev/null 2>&1 &
	BG+=($!)
	flowing 20 "rx_bytes $NS_C $IF_C" "counter $NS_C $IF_C tx_bytes"
	echo "# in $MOVED_S s before device_del: C received $MOVED1 bytes, sent $MOVED2"
	check "traffic flowing both ways through C, both streams running" \
		eval '[ $MOVED1 -gt 10000 ] && [ $MOVED2 -gt 10000 ] && alive "$cb_pid" && alive "$bc_pid"'
	check "device_del under traffic: C gone from the guest and from QEMU" nic_unplug
	check "C's net_device is gone" not quiet ip -n $NS_C link show dev $IF_C
	check "C's adapter is gone from ndis_shim/adapters" not adapter_listed "$HP_DEV"
	check "no call rejected by the shim through the unplug (rejected_calls $rejected_all)" \
		[ "$(cat $DBG/ndis_shim/rejected_calls)" = "$rejected_all" ]
	kill_ns
	check "C added again: bound to $DRIVER_A, link up" nic_bring_up $NS_C $IF_C $IP_C
	check "ping both ways through the new C" eval 'ping_sizes $NS_C $IP_B 56 1472 && ping_sizes $NS_B $IP_C 56 1472'
	check "device_del, idle" nic_unplug
fi
echo "# hot-unplug took $((SECONDS - t)) s"
check "rmmod $DRIVER_A" timeout 60 rmmod "$DRIVER_A"
echo "# total $((SECONDS - T0)) s"
exit "$failed"
