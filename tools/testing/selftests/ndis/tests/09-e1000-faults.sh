#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Faults under traffic on an e1000 NIC driven by the NDIS 6 sample
# (samples/e1000_ndis6 on ndis-shim), against one driven by Linux's e1000
# over QEMU's emulated wire: the topology and setup of 07-e1000-ndis6
# (../e1000_lib.sh). Plain boot only. The checks, in order:
#   A bound to the sample, B to e1000; the MACs are QEMU's; link up on both
#   send path: fail_maps armed (debugfs: the next N streaming mappings
#     fail) while TCP and pings go A -> B: every NdisMAllocateNetBufferSGList
#     failure is a frame the sample completes with a failure status, so
#     A's tx_dropped grows by at least N; the transfer arrives intact
#   receive path: fail_rx_skbs armed while TCP and pings go B -> A: the frames the
#     miniport indicates are dropped as if their skb could not be allocated,
#     counted in A's rx_dropped; the transfer arrives intact
#   OID path: fail_oids armed (every set fails), A made promiscuous: the
#     packet filter and multicast list requests are not issued (logged,
#     counted in debugfs oid_failures) and frames to a foreign MAC stay
#     filtered; disarmed, the next change goes through and they arrive
#   registers vanish: memory and I/O decode cleared in A's PCI command
#     register under pings: the sample reports the device lost and the
#     shim resets it (debugfs resets=), A loses its carrier, no second
#     reset follows while decode stays off, no rejected calls. Decode
#     restored: the sample asks for a reset itself; link, pings both ways
#     and 4 MiB over TCP are back; it unloads
#   every NIC handed back to e1000
# Hot-unplug of the sample's NIC under traffic: 12-e1000-hot-unplug.
# ndis-test: timeout=600
set -uo pipefail
. "$(dirname "$0")/../e1000_lib.sh"

[ "$DRIVER_A" = e1000_ndis6 ] ||
	{ echo "# SKIP NDIS_E1000_DRIVER_A=$DRIVER_A: the faults are injected through ndis-shim"; exit 4; }
e1000_require setpci
e1000_init
SLOT=${DEV_A#0000:}
COMMAND0=

# The PCI command register back as it was, then the usual cleanup.
restore() {
	[ -n "$COMMAND0" ] && setpci -s $SLOT COMMAND=$COMMAND0
	cleanup
}
trap restore EXIT

# counter NS IF NAME: one of the interface's statistics.
counter() { ip netns exec "$1" cat "/sys/class/net/$2/statistics/$3"; }
# field NAME: NAME= of A's adapter in debugfs.
field() { sed -n "s/^$DEV_A .* $1=\([0-9]*\).*/\1/p" $DBG/ndis_shim/adapters; }
# drained KNOB SECS: the fault-injection counter back to 0 within SECS.
drained() {
	local end=$((SECONDS + $2))
	while ((SECONDS < end)); do
		[ "$(cat $DBG/ndis_shim/$1)" = 0 ] && return 0
		sleep 0.2
	done
	echo "# $1 still $(cat $DBG/ndis_shim/$1) after $2 s"
	return 1
}
# field_above NAME VALUE SECS: A's NAME= above VALUE within SECS.
field_above() {
	local end=$((SECONDS + $3))
	while ((SECONDS < end)); do
		(($(field "$1") > $2)) && return 0
		sleep 0.2
	done
	echo "# $1=$(field "$1"), wanted above $2"
	return 1
}
link_down() { # NS IF SECS: no carrier within SECS
	local end=$((SECONDS + $3))
	while ((SECONDS < end)); do
		[[ $(ip -n "$1" -o link show dev "$2" 2>/dev/null) == *LOWER_UP* ]] || return 0
		sleep 0.2
	done
	return 1
}
grew() { # WHAT BEFORE AFTER AT-LEAST
	echo "# $1: $2 -> $3"
	(($3 - $2 >= $4))
}

echo "KTAP version 1"
echo "1..26"
T0=$SECONDS
e1000_bring_up
for k in fail_maps fail_rx_skbs fail_oids; do
	[ -w $DBG/ndis_shim/$k ] || { notok "debugfs ndis_shim/$k"; exit 1; }
done
rejected0=$(field rejected_calls)
head -c $((4 << 20)) /dev/urandom >"$TMP/ab"
head -c $((4 << 20)) /dev/urandom >"$TMP/ba"
N=20

# ---- send path: mappings fail under traffic
t=$SECONDS
drop0=$(counter $NS_A $IF_A tx_dropped)
tcp_start $NS_A $NS_B $IP_B "$TMP/ab"
# Pings every 5 ms beside the transfer: the injected failures must not
# all fall on one TCP segment's retransmissions, whose timeout doubles
# each time (on a slow guest 11 in a row stalled the transfer past 120 s).
ip netns exec $NS_A ping -q -i 0.005 -w 90 $IP_B >/dev/null 2>&1 &
ppid=$!
BG+=($ppid)
sleep 1
echo $N >$DBG/ndis_shim/fail_maps
check "fail_maps=$N under traffic A -> B: every failure taken" drained fail_maps 60
check "4 MiB A -> B across the failed mappings, SHA-256 intact" tcp_finish "$TMP/ab" 240
kill -INT $ppid 2>/dev/null
wait $ppid 2>/dev/null
check "A's tx_dropped grew by at least $N" grew "tx_dropped" "$drop0" "$(counter $NS_A $IF_A tx_dropped)" $N
check "ping A -> B after the failed mappings" ping_sizes $NS_A $IP_B 56 1472
echo "# send path took $((SECONDS - t)) s"

# ---- receive path: receive skbs fail under traffic
t=$SECONDS
drop0=$(counter $NS_A $IF_A rx_dropped)
tcp_start $NS_B $NS_A $IP_A "$TMP/ba"
ip netns exec $NS_B ping -q -i 0.005 -w 90 $IP_A >/dev/null 2>&1 &
ppid=$!
BG+=($ppid)
sleep 1
echo $N >$DBG/ndis_shim/fail_rx_skbs
check "fail_rx_skbs=$N under traffic B -> A: every failure taken" drained fail_rx_skbs 60
check "4 MiB B -> A across the dropped receives, SHA-256 intact" tcp_finish "$TMP/ba" 240
kill -INT $ppid 2>/dev/null
wait $ppid 2>/dev/null
check "A's rx_dropped grew by at least $N" grew "rx_dropped" "$drop0" "$(counter $NS_A $IF_A rx_dropped)" $N
check "ping B -> A after the dropped receives" ping_sizes $NS_B $IP_A 56 1472
echo "# receive path took $((SECONDS - t)) s"

# ---- OID path: the filter change is not issued, the next one is
t=$SECONDS
in_b ip neigh replace $IP_FOREIGN lladdr $MAC_FOREIGN dev $IF_B nud permanent
in_b ip route add $IP_GROUP/32 dev $IF_B
# Every OID set fails while armed: one promiscuity change may reach the
# miniport as more than one receive-mode update (each re-applies the whole
# state), so a count that runs out could let a later one through.
fail0=$(field oid_failures)
echo 1000 >$DBG/ndis_shim/fail_oids
ip -n $NS_A link set dev $IF_A promisc on
sleep 2
check "fail_oids armed, A made promiscuous: its requests (multicast list, packet filter) failed" \
	grew oid_failures "$fail0" "$(field oid_failures)" 2
check "the failed OID requests logged" kmsg_since "not issued: no memory for the request"
filter_phase "promiscuous, its packet filter not issued"
check "its packet filter not issued: frames to a foreign MAC still filtered" [ "$SEEN_FOREIGN" = 0 ]
echo 0 >$DBG/ndis_shim/fail_oids
ip -n $NS_A link set dev $IF_A promisc off
ip -n $NS_A link set dev $IF_A promisc on
sleep 0.5
filter_phase "promiscuous again"
check "promiscuous again: frames to a foreign MAC received (10 of 10)" [ "$SEEN_FOREIGN" = 10 ]
ip -n $NS_A link set dev $IF_A promisc off
echo "# OID path took $((SECONDS - t)) s"

# ---- registers vanish under traffic, and come back
# With memory and I/O decode off QEMU (q35) does not read all ones from
# the BAR; the sample asks the PCI command register too (E1000HwIsPresent),
# so its CheckForHang reports the device lost (one reset, which finds it
# gone) and, once decode is back, asks for the reset that brings it up.
t=$SECONDS
COMMAND0=$(setpci -s $SLOT COMMAND)
resets0=$(field resets)
echo "# command register $COMMAND0, resets=$resets0"
ip netns exec $NS_A ping -q -i 0.05 -w 120 $IP_B >/dev/null 2>&1 &
ppid=$!
BG+=($ppid)
sleep 0.5
setpci -s $SLOT COMMAND=0:3 # memory and I/O decode off
echo "# STATUS reads $(python3 -c '
import mmap, os, sys
f = os.open(sys.argv[1], os.O_RDONLY | os.O_SYNC)
m = mmap.mmap(f, 4096, mmap.MAP_SHARED, mmap.PROT_READ)
print(hex(memoryview(m).cast("I")[2]))' "$PCI/devices/$DEV_A/resource0" 2>&1 | tail -n 1) with decode off"
check "decode cleared under pings: a reset within 15 s (resets=$resets0 before)" field_above resets "$resets0" 15
check "the sample reported the device lost" kmsg_since "registers unreachable: device lost"
check "decode cleared: A has no carrier" link_down $NS_A $IF_A 10
resets1=$(field resets)
sleep 5 # two hang checks
check "decode cleared: no further reset" [ "$(field resets)" = "$resets1" ]
check "no rejected calls on A's adapter" [ "$(field rejected_calls)" = "$rejected0" ]
kill_ns
setpci -s $SLOT COMMAND=$COMMAND0
check "decode back: the sample asks for a reset within 10 s" field_above resets "$resets1" 10
check "decode back: link up on A, ping both ways" \
	eval 'link_up $NS_A $IF_A 20 && ping_sizes $NS_A $IP_B 56 1472 && ping_sizes $NS_B $IP_A 56 1472'
check "decode back: 4 MiB A -> B over TCP intact" tcp $NS_A $NS_B $IP_B "$TMP/ab"
check "decode back: rmmod $DRIVER_A" timeout 60 rmmod "$DRIVER_A"
echo "# vanished device took $((SECONDS - t)) s"

stats $NS_A $IF_A
echo "# total $((SECONDS - T0)) s"
exit "$failed"
