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

echo "KTAP version 1"
echo "1..26"
T0=$SECONDS
e1000_bring_up
fault_knobs
head -c $((4 << 20)) /dev/urandom >"$TMP/ab"
head -c $((4 << 20)) /dev/urandom >"$TMP/ba"
N=20

# ---- send path: mappings fail under traffic: every
# NdisMAllocateNetBufferSGList failure is a frame the sample completes
# with a failure status
t=$SECONDS
fault_under_tcp fail_maps tx_dropped $NS_A $NS_B $IP_B "$TMP/ab" $N "the failed mappings"
check "ping A -> B after the failed mappings" ping_sizes $NS_A $IP_B 56 1472
echo "# send path took $((SECONDS - t)) s"

# ---- receive path: receive skbs fail under traffic
t=$SECONDS
fault_under_tcp fail_rx_skbs rx_dropped $NS_B $NS_A $IP_A "$TMP/ba" $N "the dropped receives"
check "ping B -> A after the dropped receives" ping_sizes $NS_B $IP_A 56 1472
echo "# receive path took $((SECONDS - t)) s"

# ---- OID path: the filter change is not issued, the next one is
t=$SECONDS
oid_fault_phase 2
echo "# OID path took $((SECONDS - t)) s"

# ---- registers vanish under traffic, and come back
# With memory and I/O decode off QEMU (q35) does not read all ones from
# the BAR; the sample asks the PCI command register too (E1000HwIsPresent),
# so its CheckForHang reports the device lost (one reset, which finds it
# gone) and, once decode is back, asks for the reset that brings it up.
# The value a BAR reads with its decode off, for the log.
vanished_hook() {
	echo "# STATUS reads $(python3 -c '
import mmap, os, sys
f = os.open(sys.argv[1], os.O_RDONLY | os.O_SYNC)
m = mmap.mmap(f, 4096, mmap.MAP_SHARED, mmap.PROT_READ)
print(hex(memoryview(m).cast("I")[2]))' "$PCI/devices/$DEV_A/resource0" 2>&1 | tail -n 1) with decode off"
}
t=$SECONDS
# INTx is disabled with the decode, as 17 does for pcnet: a device that is
# gone raises no interrupt, but QEMU's e1000 keeps a level interrupt it
# raised (or raises for a frame from B) while no ISR can read or clear
# its cause; the kernel then disabled the line, "irq 20: nobody cared",
# once in a run of 09 (2026-12-04).
vanish_phase 400:403 "$TMP/ab" # memory and I/O decode off, INTx disabled
check "decode back: rmmod $DRIVER_A" timeout 60 rmmod "$DRIVER_A"
echo "# vanished device took $((SECONDS - t)) s"

stats $NS_A $IF_A
echo "# total $((SECONDS - T0)) s"
exit "$failed"
