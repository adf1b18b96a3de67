#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The NDIS 5 data path (rust/ndis5_nic.rs) end to end, without a NIC:
# ndis5_loopnic.ko makes two NDIS 5.1 Ethernet adapters (on the two edu
# functions, which it never touches) wired together in software, in front
# of the same net_device bridge as the NDIS 6 ones. Three loads:
#   1. serialized, lookahead receive (NdisMEthIndicateReceive with 32
#      bytes, MiniportTransferData for the rest, one in four pended),
#      one send in 7 refused with NDIS_STATUS_RESOURCES: each net_device
#      has the MAC of OID_802_3_CURRENT_ADDRESS, the carrier follows
#      NdisMIndicateStatus(MEDIA_CONNECT), the pended OID_GEN_LINK_SPEED
#      query and OID_802_3_MULTICAST_LIST set complete, pings of 1 to
#      1472 bytes and a burst go through with refused sends retried after
#      NdisMSendResourcesAvailable, SendPackets is never entered twice at
#      once, the counters are OID_GEN_XMIT_OK's, a hang with sends held
#      resets both adapters (MiniportReset gives the sends up and pends:
#      no send until NdisMResetComplete, the shim completes the sends
#      given up), a duplicate NdisMTransferDataComplete and forged send
#      and transfer completions are refused;
#   2. serialized, NdisMIndicateReceivePacket (RESOURCES packets, and the
#      packets after one in an array, copied and the miniport's again on
#      return; the others PENDING on return and handed back later through
#      MiniportReturnPacket; the miniport reclaims by status and counts a
#      packet reclaimed twice), a bus master with per-packet DMA
#      (NdisMInitializeScatterGatherDma: each send's SCATTER_GATHER_LIST in
#      its per-packet information, unmapped at NdisMSendComplete), 256 KiB
#      over TCP intact;
#   3. deserialized, MTU from OID_GEN_MAXIMUM_FRAME_SIZE, unloaded under
#      back-to-back pings both ways.
# The NDIS 5.1 handlers outside the data path: MiniportPnPEventNotify
# gets NdisDevicePnPEventPowerProfileChanged (AC) after initialization
# (every load) and, in load 2, NdisDevicePnPEventSurpriseRemoved before
# the halt when B's PCI function is removed after it was marked
# disconnected (as pciehp/AER/DPC mark a vanished device); in load 1 the
# PCI shutdown callback (what reboot runs) calls AdapterShutdownHandler
# once per adapter, not the handler also registered with
# NdisMRegisterAdapterShutdownHandler; in load 3 the interface goes down
# while the miniport holds 4 sends: MiniportCancelSendPackets gets the ID
# they were tagged with and completes them (REQUEST_ABORTED).
# Every load: the miniport's counts at halt (every packet back), nothing
# left held; no NDIS call rejected but the forged and duplicate ones.
# ndis-test: timeout=240
set -uo pipefail
shim=${NDIS_KO:?}/ndis_shim.ko nic_ko=$NDIS_KO/ndis5_loopnic.ko
for ko in "$shim" "$nic_ko"; do
	[ -f "$ko" ] || { echo "# SKIP $ko not built"; exit 4; }
done
BB=$(command -v busybox) || { echo "# SKIP busybox not installed"; exit 4; }
command -v socat >/dev/null || { echo "# SKIP socat not installed (tools/setup.sh)"; exit 4; }
NS=ndis5_loop_b
DBG=/sys/kernel/debug

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
notok() { n=$((n + 1)); echo "not ok $n $*"; failed=1; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else notok "$what"; fi; }
quiet() { "$@" >/dev/null 2>&1; }
not() { ! "$@"; }
cleanup() { ip netns del $NS 2>/dev/null; rmmod ndis5_loopnic 2>/dev/null; rmmod ndis_shim 2>/dev/null; }
val() { [[ " $2" =~ [\ ]$1=([^\ ]*) ]] && echo "${BASH_REMATCH[1]}"; }

echo "KTAP version 1"
echo "1..59"
if ! insmod "$shim"; then notok "insmod ndis_shim"; exit 1; fi
mountpoint -q $DBG || mount -t debugfs none $DBG
rejected0=$(cat $DBG/ndis_shim/rejected_calls 2>/dev/null || echo 0)

A="" B="" PCI_B="" mark=""
# up PARAMS...: loads the miniport, finds both net_devices by MAC, moves B
# to its own namespace and brings both up with addresses.
up() {
	mark="ndis-test: $$-$(date +%s%N)"
	echo "$mark" >/dev/kmsg
	insmod "$nic_ko" "$@" || return 1
	command -v udevadm >/dev/null && udevadm settle -t 10
	local d try
	declare -A IF=()
	for try in 1 2 3 4 5; do
		IF=()
		for d in /sys/class/net/*; do
			[ "$(basename "$(readlink -f "$d/device/driver" 2>/dev/null)")" = ndis5_loopnic ] || continue
			IF[$(cat "$d/address" 2>/dev/null)]=$(basename "$d")
		done
		[ ${#IF[@]} = 2 ] && break
		sleep 1
	done
	A=${IF[02:4e:44:35:53:01]:-} B=${IF[02:4e:44:35:53:02]:-}
	[ -n "$A" ] && [ -n "$B" ] || { echo "# found: ${!IF[*]}"; return 1; }
	PCI_B=$(basename "$(readlink -f /sys/class/net/"$B"/device)")
	ip netns add $NS
	ip link set "$B" netns $NS
	ip addr add 10.78.0.1/24 dev "$A"
	ip -n $NS addr add 10.78.0.2/24 dev "$B"
	ip link set "$A" up && ip -n $NS link set "$B" up
}
log_since_mark() { dmesg | awk -v m="$mark" 'on; index($0, m) { on = 1 }'; }
# down: unloads the miniport; its two count lines in C0 and C1.
C0="" C1="" LOG=""
down() {
	ip netns del $NS 2>/dev/null
	sleep 1
	rmmod ndis5_loopnic || return 1
	LOG=$(log_since_mark)
	C0=$(sed -nE 's/.*ndis5_loopnic 0: (sent=.*)/\1/p' <<<"$LOG")
	C1=$(sed -nE 's/.*ndis5_loopnic 1: (sent=.*)/\1/p' <<<"$LOG")
	echo "# 0: $C0"
	echo "# 1: $C1"
}
wait_carrier() {
	local t
	for t in $(seq 1 20); do
		[ "$(cat /sys/class/net/"$A"/carrier 2>/dev/null)" = 1 ] && return 0
		sleep 0.5
	done
	return 1
}
halted_clean() { # what
	check "$1: both adapters halted and reported" [ -n "$C0" -a -n "$C1" ]
	# "held" is what the miniport still held when MiniportHalt ran: NDIS
	# halts only with every send completed (MiniportHalt).
	check "$1: every receive packet returned, no send held or left uncompleted" \
		eval 'not grep -q "never returned\|not completed" <<<"$LOG" && [ "$(val held "$C0")" = 0 -a "$(val held "$C1")" = 0 ]'
	# NDIS_GET_PACKET_STATUS: a packet not PENDING on return is the
	# miniport's again, a PENDING one comes back through
	# MiniportReturnPacket: never both.
	check "$1: no receive packet reclaimed twice" \
		[ "$(val double_reclaims "$C0")" = 0 -a "$(val double_reclaims "$C1")" = 0 ]
	# "NDIS calls ... NdisDevicePnPEventPowerProfileChanged after ...
	# Driver initialization is complete" (MiniportDevicePnPEventNotify);
	# the ULONG is NdisPowerProfileAcOnline (1): the shim knows no battery.
	check "$1: MiniportPnPEventNotify(NdisDevicePnPEventPowerProfileChanged, AcOnline) once after initialization, no other event" \
		[ "$(val power_profile_events "$C0")" = 1 -a "$(val power_profile "$C0")" = 1 \
		  -a "$(val power_profile_events "$C1")" = 1 -a "$(val power_profile "$C1")" = 1 \
		  -a "$(val pnp_other "$C0")" = 0 -a "$(val pnp_other "$C1")" = 0 ]
}
rejected() { cat $DBG/ndis_shim/rejected_calls 2>/dev/null || echo x; }
# cancel_at_ifdown N WHAT: the miniport holds A's next N sends (never
# delivered); down, the shim cancels them: "MiniportCancelSendPackets
# cancels the transmission of all packets that are marked with a specified
# cancellation identifier". Then up again.
cancel_at_ifdown() {
	local want=$1 held cancelled txd0 txd1 t
	txd0=$(cat /sys/class/net/"$A"/statistics/tx_dropped)
	echo "$want" >/sys/module/ndis5_loopnic/parameters/hold_sends
	for t in $(seq 1 20); do
		[ "$(cat /sys/module/ndis5_loopnic/parameters/hold_sends)" = "$want" ] && break
		echo x | timeout 2 socat -u - UDP:10.78.0.2:9 2>/dev/null
		sleep 0.1
	done
	held=$(cat /sys/module/ndis5_loopnic/parameters/hold_sends)
	ip link set "$A" down
	cancelled=$(cat /sys/module/ndis5_loopnic/parameters/cancelled)
	txd1=$(cat /sys/class/net/"$A"/statistics/tx_dropped)
	check "$2: ifdown with $want sends held: MiniportCancelSendPackets completed them aborted at once (held $held, cancelled $cancelled, tx_dropped $txd0 -> $txd1)" \
		[ "$held" = "$want" -a "$cancelled" = "$want" -a "$txd1" = $((txd0 + want)) ]
	ip link set "$A" up
	check "$2: carrier up again" wait_carrier
}

# --- 1. Serialized, lookahead receive, refused sends.
bias=100000
if ! up refuse_every=7 dup_transfer=1 xmit_ok_bias=$bias; then notok "insmod ndis5_loopnic refuse_every=7, two net_devices"; cleanup; exit 1; fi
ok "insmod ndis5_loopnic refuse_every=7: two net_devices with the MACs of OID_802_3_CURRENT_ADDRESS ($A, $B)"
check "carrier up from NdisMIndicateStatus(NDIS_STATUS_MEDIA_CONNECT)" wait_carrier
check "link speed from the pended OID_GEN_LINK_SPEED query: 1000 Mb/s" \
	[ "$(cat /sys/class/net/"$A"/speed 2>/dev/null)" = 1000 ]
# The PCI driver's shutdown callback, as the PCI core runs it at reboot
# (checked at halt).
echo 1 >/sys/module/ndis5_loopnic/parameters/shutdown
check "ping A -> B" quiet "$BB" ping -A -c 3 -W 5 10.78.0.2
check "ping B -> A" quiet ip netns exec $NS "$BB" ping -A -c 3 -W 5 10.78.0.1
sizes_ok=1
for s in 1 18 19 64 500 1000 1400 1472; do
	"$BB" ping -c 1 -W 5 -s $s 10.78.0.2 >/dev/null || { sizes_ok=0; echo "# size $s failed"; }
done
check "ping payloads 1..1472 bytes (lookahead 32, the rest by MiniportTransferData)" [ $sizes_ok = 1 ]
out=$("$BB" ping -A -q -c 300 -w 60 10.78.0.2 2>&1)
echo "$out" | sed 's/^/# /' | tail -2
check "300 back-to-back pings, none lost (refused sends retried)" grep -q ' 300 packets received' <<<"$out"
ip maddr add 01:00:5e:01:02:03 dev "$A"
sleep 1
# The counters are OID_GEN_XMIT_OK's (the loopnic adds $bias to its sent
# frames), asked at most once a second: a read asks, the next one a
# moment later sees the answer, between the two counts read around it.
# Read again (each read asks anew) until the answer comes: a loaded host
# may run the query's work item late.
s1=$(cat /sys/module/ndis5_loopnic/parameters/sent)
cat /sys/class/net/"$A"/statistics/tx_packets >/dev/null
for ((t = 0; t < 10; t++)); do
	sleep 1.5
	tx=$(cat /sys/class/net/"$A"/statistics/tx_packets)
	[ "$tx" -ge $((s1 + bias)) ] && break
done
s2=$(cat /sys/module/ndis5_loopnic/parameters/sent)
check "tx_packets from OID_GEN_XMIT_OK: $s1 + $bias <= $tx <= $s2 + $bias, after 300+ sends" \
	[ "$s1" -gt 300 -a "$tx" -ge $((s1 + bias)) -a "$tx" -le $((s2 + bias)) ]
# Forged completions: a non-canonical pointer (read, it would oops) and a
# packet of the miniport's own pool; nothing Windows defines: refused and
# counted.
r0=$(rejected)
echo 1 >/sys/module/ndis5_loopnic/parameters/forge
r1=$(rejected)
# (At least 3: a pended duplicate transfer completion may land between the
# two reads; the exact total is checked below, with the duplicates.)
check "forged NdisMSendComplete/NdisMTransferDataComplete refused and counted ($r0 -> $r1), no oops" \
	[ "$r1" -ge $((r0 + 3)) ]
# A hang: each adapter's check answers TRUE once it holds a send; until then the loopnic
# holds its sends PENDING, and its MiniportReset gives them up ("the
# miniport relinquishes pending packet ownership, no matter the state of
# the send. NDIS will complete any pending sends": MiniportReset, NDIS 5).
while :; do "$BB" ping -c 1 -W 1 10.78.0.2 >/dev/null 2>&1; sleep 0.1; done &
ppid=$!
echo 1 >/sys/module/ndis5_loopnic/parameters/hang
resets_line() { grep " driver=ndis5_loopnic " $DBG/ndis_shim/adapters; }
for t in $(seq 1 20); do
	[ "$(resets_line | grep -c ' resets=1$')" = 2 ] && break
	sleep 0.5
done
check "MiniportCheckForHang TRUE: both adapters reset once (MiniportReset pended, NdisMResetComplete)" \
	[ "$(resets_line | grep -c ' resets=1$')" = 2 ]
kill $ppid 2>/dev/null
wait $ppid 2>/dev/null
check "traffic after the reset: ping A -> B" quiet "$BB" ping -c 2 -W 5 10.78.0.2
txd=$(cat /sys/class/net/"$A"/statistics/tx_dropped)
rxd=$(cat /sys/class/net/"$A"/statistics/rx_dropped)
check "rmmod ndis5_loopnic" down
halted_clean "serialized"
# NdisMRegisterAdapterShutdownHandler: "NDIS 5.1 miniport drivers ...
# must register a MiniportShutdown function by calling
# NdisMRegisterMiniport": the characteristics' handler, once per adapter.
check "PCI shutdown: AdapterShutdownHandler once per adapter, not the NdisMRegisterAdapterShutdownHandler one" \
	[ "$(val shutdowns "$C0")" = 1 -a "$(val shutdowns "$C1")" = 1 \
	  -a "$(val legacy_shutdowns "$C0")" = 0 -a "$(val legacy_shutdowns "$C1")" = 0 ]
check "the sends MiniportReset gave up ($(val reset_dropped "$C0")) completed by the shim as dropped ($txd), nothing else dropped ($rxd)" \
	[ "$(val reset_dropped "$C0")" -gt 0 -a "$txd" = "$(val reset_dropped "$C0")" -a "$rxd" = 0 ]
check "no send while a reset was in progress (NDIS sends nothing until NdisMResetComplete: Reset)" \
	[ "$(val sends_in_reset "$C0")" = 0 -a "$(val sends_in_reset "$C1")" = 0 ]
dups=$(( $(val dup_transfers "$C0") + $(val dup_transfers "$C1") ))
r2=$(rejected)
check "a second NdisMTransferDataComplete for a transfer refused and counted ($dups made; $rejected0 -> $r2 with the 3 forged)" \
	[ "$dups" -gt 0 -a "$r2" = $((rejected0 + 3 + dups)) ]
expected_rejections=$((3 + dups))
check "sends refused with NDIS_STATUS_RESOURCES and resumed by NdisMSendResourcesAvailable" \
	[ "$(val refused "$C0")" -gt 0 -a "$(val resources_available "$C0")" -gt 0 ]
check "sends pended and completed by NdisMSendComplete" [ "$(val pended "$C0")" -gt 0 ]
check "transfers pended and completed by NdisMTransferDataComplete" \
	[ "$(val pended_transfers "$C1")" -gt 0 ]
check "serialized: SendPackets never entered twice at once" \
	[ "$(val busy "$C0")" = 0 -a "$(val busy "$C1")" = 0 ]
check "pended query and set completed; packet filter (directed, broadcast, multicast) and multicast list set" \
	eval '[ "$(val pended_queries "$C0")" -gt 0 -a "$(val pended_sets "$C0")" -gt 0 ] && grep -Eq "filter=0xb multicast=[1-9]" <<<"$C0"'
check "the pended resets completed as addressing resets" \
	[ "$(grep -c 'adapter reset: 0x00000000 (addressing reset)' <<<"$LOG")" = 2 ]

# --- 2. Serialized, NdisMIndicateReceivePacket, per-packet DMA.
if up indicate_packets=1 sg=1; then ok "insmod ndis5_loopnic indicate_packets=1 sg=1"
else notok "insmod ndis5_loopnic indicate_packets=1 sg=1"; cleanup; exit 1; fi
check "carrier up" wait_carrier
check "ping A -> B (NdisMIndicateReceivePacket)" quiet "$BB" ping -A -c 3 -W 5 10.78.0.2
tmp=$(mktemp -d)
head -c 262144 /dev/urandom >"$tmp/a"
ip netns exec $NS socat -u TCP-LISTEN:5003,reuseaddr OPEN:"$tmp/a.rx",creat,trunc 2>/dev/null &
lpid=$!
for ((t = 0; t < 100; t++)); do
	[ -n "$(ip netns exec $NS ss -Hltn 'sport = :5003' 2>/dev/null)" ] && break
	sleep 0.1
done
timeout 60 socat -u OPEN:"$tmp/a" TCP:10.78.0.2:5003
timeout 30 tail --pid=$lpid -f /dev/null
kill $lpid 2>/dev/null
if cmp -s "$tmp/a" "$tmp/a.rx"; then ok "256 KiB A -> B over TCP intact (checksums done in software)"
else
	notok "256 KiB A -> B over TCP intact (checksums done in software): $(wc -c <"$tmp/a.rx") bytes"
	ip -s link show "$A" | sed 's/^/# /'
	ip netns exec $NS ip -s link show "$B" | sed 's/^/# /'
fi
rm -rf "$tmp"
# Serialized, with per-packet DMA: the held sends' SG lists are unmapped
# when they complete.
cancel_at_ifdown 2 "serialized, per-packet DMA"
# B's function vanishes (marked disconnected, as pciehp/AER/DPC do) and
# is removed: the shim tells the miniport before it halts the adapter.
echo "$PCI_B" >/sys/module/ndis5_loopnic/parameters/disconnect
echo 1 >/sys/bus/pci/devices/"$PCI_B"/remove
check "B's function ($PCI_B) removed: its net_device is gone" \
	eval 'ip netns exec $NS true && not ip netns exec $NS test -e /sys/class/net/"$B"'
check "rmmod ndis5_loopnic" down
halted_clean "packet receive"
# MiniportPnPEventNotify (NDIS 5.1): NdisDevicePnPEventSurpriseRemoved
# "indicates that the specified adapter has been unexpectedly removed";
# counted in the count line MiniportHalt prints, so before it.
check "surprise removal: MiniportPnPEventNotify(NdisDevicePnPEventSurpriseRemoved) once before B's halt, none for A (unloaded)" \
	[ "$(val surprise_removed "$C1")" = 1 -a "$(val surprise_removed "$C0")" = 0 ]
echo 1 >/sys/bus/pci/rescan
for t in $(seq 1 20); do [ -e /sys/bus/pci/devices/"$PCI_B" ] && break; sleep 0.5; done
check "serialized cancel: every held packet carried the ID cancelled" \
	[ "$(val cancelled "$C0")" = 2 -a "$(val cancel_mismatch "$C0")" = 0 ]
check "packets with NDIS_STATUS_RESOURCES copied at once, the others returned by MiniportReturnPacket" \
	[ "$(val resources_indications "$C1")" -gt 0 -a "$(val returned "$C1")" -gt 0 ]
# NDIS_SET_PACKET_STATUS: RESOURCES keeps "the packet ... and all
# subsequent packets in the packet array" the driver's.
check "arrays with RESOURCES in the middle: no later packet PENDING on return" \
	[ "$(val array_indications "$C1")" -gt 0 -a "$(val later_pending "$C1")" = 0 -a "$(val later_pending "$C0")" = 0 ]
check "every send carried its SCATTER_GATHER_LIST (ScatterGatherListPacketInfo) covering the frame" \
	[ "$(val sg_ok "$C0")" -gt 0 -a "$(val sg_bad "$C0")" = 0 -a "$(val sg_bad "$C1")" = 0 ]

# --- 3. Deserialized, unloaded under traffic.
if up deserialize=1 frame_size=1492; then ok "insmod ndis5_loopnic deserialize=1 frame_size=1492"
else notok "insmod ndis5_loopnic deserialize=1"; cleanup; exit 1; fi
# OID_GEN_MAXIMUM_FRAME_SIZE: "the maximum network packet size, in
# bytes, that the NIC supports. This specification does not include a
# header": the MTU.
check "MTU from OID_GEN_MAXIMUM_FRAME_SIZE (1492, not the default 1500)" [ "$(cat /sys/class/net/"$A"/mtu)" = 1492 ]
check "carrier up" wait_carrier
check "ping A -> B (deserialized)" quiet "$BB" ping -A -c 3 -W 5 10.78.0.2
cancel_at_ifdown 4 deserialized
"$BB" ping -A -w 30 10.78.0.2 >/dev/null 2>&1 &
fpid=$!
ip netns exec $NS "$BB" ping -A -w 30 10.78.0.1 >/dev/null 2>&1 &
gpid=$!
sleep 3
check "rmmod ndis5_loopnic under back-to-back pings both ways" down
kill $fpid $gpid 2>/dev/null
wait $fpid $gpid 2>/dev/null
halted_clean "deserialized"
check "deserialized: traffic went through until the unload (sent $(val sent "$C0"))" [ "$(val sent "$C0")" -gt 50 ]
check "cancel: every held packet carried the ID cancelled (no other ID held), nothing cancelled on B" \
	[ "$(val cancel_calls "$C0")" -ge 1 -a "$(val cancelled "$C0")" = 4 -a "$(val cancel_mismatch "$C0")" = 0 -a "$(val cancelled "$C1")" = 0 ]
check "no net_device left" not grep -q . < <(for d in /sys/class/net/*; do
	[ "$(basename "$(readlink -f "$d/device/driver" 2>/dev/null)")" = ndis5_loopnic ] && echo "$d"; done)

rejected1=$(rejected)
check "no NDIS call rejected but the $expected_rejections forged and duplicate ones ($rejected0 -> $rejected1)" \
	[ "$rejected1" = $((rejected0 + expected_rejections)) ]
if rmmod ndis_shim; then ok "rmmod ndis_shim"; else notok "rmmod ndis_shim"; fi
exit "$failed"
