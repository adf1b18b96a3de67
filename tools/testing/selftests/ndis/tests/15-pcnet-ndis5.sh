#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Traffic through QEMU's pcnet (AMD PCnet-PCI II) driven by the NDIS 5.1
# sample (samples/pcnet_ndis5) on ndis-shim, against a second pcnet driven
# by Linux's pcnet32, over QEMU's emulated wire. tools/vm.sh puts both on
# hub 1 and nothing else on it:
#   A 0000:00:12.0 52:54:00:12:34:11 -> the sample, namespace ndis_pcn_a, pcna 10.0.5.1/24
#   B 0000:00:13.0 52:54:00:12:34:12 -> pcnet32,    namespace ndis_pcn_b, pcnb 10.0.5.2/24
# Both builds of the sample run, one after the other on the same pair:
# FIRST (NDIS_PCNET_DRIVER_A, default pcnet_ndis5: sends through per-packet
# scatter-gather lists) and then SECOND (the other build,
# pcnet_ndis5_mapreg: the same source with map registers and
# NdisMStartBufferPhysicalMapping). The send DMA path is all that differs
# between them; the filters and OIDs run the same code and are checked on
# FIRST only. The checks, in order (D: in the data-integrity subset, the
# only ones run when NDIS_E1000_SUBSET=data, which tools/check.sh sets in
# the iommu and swiotlb boots; the others report SKIP there):
#  D  A bound to FIRST and B to pcnet32; the MACs are QEMU's (A's read
#     from the APROM, reported through OID_802_3_CURRENT_ADDRESS); link up
#     on both (OID_GEN_MEDIA_CONNECT_STATUS)
#  D  MTU 1500 (OID_GEN_MAXIMUM_FRAME_SIZE); the sample logged its station
#     address
#  D  ping both ways, payloads 1, 64, 512, 1000, 1472 bytes (1 byte: a
#     frame under the 60-byte minimum, which the sample pads)
#     ping both ways, payloads 1 to 1472 in steps of 97
#     a flood of 300 pings A -> B, none lost: the 32-descriptor rings wrap
#       about ten times each way
#  D  2 MiB of random data over TCP each way, compared by SHA-256
#     frames to a foreign MAC reach A's stack only while A is promiscuous,
#       frames to a multicast group only while A has joined it
#       (OID_GEN_CURRENT_PACKET_FILTER, OID_802_3_MULTICAST_LIST: CSR15 and
#       the logical address filter)
#     A's packet counters moved (OID_GEN_XMIT_OK/RCV_OK)
#  D  rmmod FIRST under traffic (TCP A -> B, pings B -> A); SECOND loaded
#     in its place: bound, link, MAC, ping both ways (the five payloads)
#     SECOND: the ping sweep A -> B and the flood
#  D  SECOND: 2 MiB over TCP each way by SHA-256; rmmod under traffic
#  D  no NDIS call rejected over the whole run (debugfs rejected_calls)
# Both NICs are handed back to Linux's pcnet32 at the end.
# ndis-test: timeout=480
set -uo pipefail
. "$(dirname "$0")/../pcnet_lib.sh"
FIRST=$DRIVER_A
case $FIRST in
pcnet_ndis5) SECOND=pcnet_ndis5_mapreg ;;
pcnet_ndis5_mapreg) SECOND=pcnet_ndis5 ;;
*) echo "NDIS_PCNET_DRIVER_A=$FIRST: pcnet_ndis5 or pcnet_ndis5_mapreg"; exit 2 ;;
esac
TCP_MIB=2
SUBSET=${NDIS_E1000_SUBSET:-full}
case $SUBSET in full | data) ;; *) echo "NDIS_E1000_SUBSET=$SUBSET: full or data"; exit 2 ;; esac
e1000_require
[ -f "$NDIS_KO/$SECOND.ko" ] || { echo "# SKIP $NDIS_KO/$SECOND.ko not built"; exit 4; }
e1000_init
# cleanup unloads DRIVER_A, SECOND once it has taken over; FIRST may still
# be loaded if its rmmod failed.
trap 'rmmod "$FIRST" 2>/dev/null; cleanup' EXIT

# counters_moved MIN: A's packet counters, which the shim refreshes from
# OID_GEN_XMIT_OK/RCV_OK at most once a second when they are read, both
# above MIN within 5 s.
counters_moved() {
	local i
	for ((i = 0; i < 25; i++)); do
		rx=$(in_a cat /sys/class/net/$IF_A/statistics/rx_packets)
		tx=$(in_a cat /sys/class/net/$IF_A/statistics/tx_packets)
		[ "$rx" -gt "$1" ] && [ "$tx" -gt "$1" ] && return 0
		sleep 0.2
	done
	return 1
}

echo "KTAP version 1"
echo "1..32"
echo "# FIRST=$FIRST SECOND=$SECOND, subset $SUBSET"
T0=$SECONDS
e1000_bring_up
check "A's MTU is 1500" [ "$(in_a cat /sys/class/net/$IF_A/mtu)" = 1500 ]
check "the sample logged its station address $MAC_A" kmsg_since "$DRIVER_A: station address $MAC_A, link up"
rejected0=$(cat $DBG/ndis_shim/rejected_calls 2>/dev/null || echo none)

# ---- ping
t=$SECONDS
check "ping A -> B, payloads 1 64 512 1000 1472" ping_sizes $NS_A $IP_B 1 64 512 1000 1472
check "ping B -> A, payloads 1 64 512 1000 1472" ping_sizes $NS_B $IP_A 1 64 512 1000 1472
full && echo "# pings took $((SECONDS - t)) s"
fcheck "ping A -> B, payloads 1..1472 step 97" ping_sizes $NS_A $IP_B $(seq 1 97 1472)
fcheck "ping B -> A, payloads 1..1472 step 97" ping_sizes $NS_B $IP_A $(seq 1 97 1472)
t=$SECONDS
fcheck "flood of 300 pings A -> B, none lost" flood $NS_A $IP_B 300
full && echo "# flood took $((SECONDS - t)) s"

# ---- TCP
head -c $((TCP_MIB << 20)) /dev/urandom >"$TMP/ab"
head -c $((TCP_MIB << 20)) /dev/urandom >"$TMP/ba"
check "$TCP_MIB MiB A -> B over TCP, SHA-256 intact" tcp $NS_A $NS_B $IP_B "$TMP/ab"
check "$TCP_MIB MiB B -> A over TCP, SHA-256 intact" tcp $NS_B $NS_A $IP_A "$TMP/ba"

# ---- receive filters, seen by A's stack
t=$SECONDS
full && filter_matrix && echo "# filters took $((SECONDS - t)) s"
fcheck "not promiscuous: frames to a foreign MAC filtered" [ "${f0:-}" = 0 ]
fcheck "promiscuous: frames to a foreign MAC received (10 of 10)" [ "${f1:-0}" = 10 ]
fcheck "promiscuous off again: filtered again" [ "${f2:-}" = 0 ]
fcheck "multicast group not joined: filtered" [ "${g0:-}" = 0 ]
fcheck "multicast group joined: received (10 of 10)" [ "${g2:-0}" = 10 ]
fcheck "multicast group left: filtered again" [ "${g3:-}" = 0 ]
# The flood, the sweeps and 2 MiB each way: well over 1000 frames each way.
fcheck "A's counters moved over 1000 (OID_GEN_RCV_OK/XMIT_OK)" counters_moved 1000
full && echo "# A's counters: ${rx:-?} received, ${tx:-?} sent"
stats $NS_A $IF_A
stats $NS_B $IF_B

# ---- unload FIRST under traffic; SECOND takes A over
# under_traffic: TCP A -> B (file ab) and pings B -> A running.
under_traffic() {
	tcp_start $NS_A $NS_B $IP_B "$TMP/ab"
	ip netns exec $NS_B ping -q -i 0.01 -w 120 $IP_A >/dev/null 2>&1 &
	BG+=($!)
	sleep 1
}
t=$SECONDS
under_traffic
check "rmmod $FIRST under traffic" timeout 120 rmmod "$FIRST"
check "A's net_device gone with it" not quiet ip -n $NS_A link show dev $IF_A
kill_ns
DRIVER_A=$SECOND
load_a && attach $DEV_A "$DRIVER_A" $NS_A $IF_A $IP_A
check "$SECOND loaded: A bound to it, link up, MAC $MAC_A" \
	eval 'link_up $NS_A $IF_A && mac_is $NS_A $IF_A $MAC_A && bound $DEV_A "$DRIVER_A"'
check "$SECOND: ping both ways, payloads 1 64 512 1000 1472" \
	eval 'ping_sizes $NS_A $IP_B 1 64 512 1000 1472 && ping_sizes $NS_B $IP_A 1 64 512 1000 1472'
echo "# unload, load of $SECOND took $((SECONDS - t)) s"
fcheck "$SECOND: ping A -> B, payloads 1..1472 step 97" ping_sizes $NS_A $IP_B $(seq 1 97 1472)
fcheck "$SECOND: flood of 300 pings A -> B, none lost" flood $NS_A $IP_B 300
check "$SECOND: $TCP_MIB MiB A -> B over TCP, SHA-256 intact" tcp $NS_A $NS_B $IP_B "$TMP/ab"
check "$SECOND: $TCP_MIB MiB B -> A over TCP, SHA-256 intact" tcp $NS_B $NS_A $IP_A "$TMP/ba"
under_traffic
check "rmmod $SECOND under traffic" timeout 120 rmmod "$SECOND"
check "A's net_device gone with it" not quiet ip -n $NS_A link show dev $IF_A
kill_ns
rejected1=$(cat $DBG/ndis_shim/rejected_calls 2>/dev/null || echo none)
check "no NDIS call rejected ($rejected0 -> $rejected1)" eval '[ "$rejected0" != none ] && [ "$rejected0" = "$rejected1" ]'
echo "# total $((SECONDS - T0)) s"
exit "$failed"
