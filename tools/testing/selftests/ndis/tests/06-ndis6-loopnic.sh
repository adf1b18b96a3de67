#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The NDIS 6 network bridge (rust/net_device.rs) end to end, without a NIC:
# ndis_loopnic.ko makes two NDIS 6.30 Ethernet adapters (on the two edu
# functions, which it never touches) wired together in software. Each gets
# a net_device with the MAC its general attributes declared; one moves to
# its own network namespace so traffic crosses the "wire". `ip link set up`
# restarts the miniport (its link-state indication brings the carrier up),
# the packet filter and multicast list arrive as OID set requests (the
# multicast one pended and completed later), pings of 1 to 1472 payload
# bytes and a burst of 1000 go both ways, 1 MiB over TCP each way arrives
# intact (software-segmented skbs with page fragments: MDL chains), and
# `ip link set down` pauses it (pended, completed later from an NDIS I/O
# work item). A hang reported by MiniportCheckForHangEx (the test asks for
# one) resets both adapters through MiniportResetEx, pended and completed
# by NdisMResetComplete, and traffic goes on. The miniport's own counts,
# printed at unload, must match: every receive buffer back, RESOURCES
# indications seen, no frame lost.
# ndis-test: timeout=300
set -uo pipefail
shim=${NDIS_KO:?}/ndis_shim.ko nic_ko=$NDIS_KO/ndis_loopnic.ko
for ko in "$shim" "$nic_ko"; do
	[ -f "$ko" ] || { echo "# SKIP $ko not built"; exit 4; }
done
BB=$(command -v busybox) || { echo "# SKIP busybox not installed"; exit 4; }
command -v socat >/dev/null || { echo "# SKIP socat not installed (tools/setup.sh)"; exit 4; }
NS=ndis_loop_b
mark="ndis-test: $$-$(date +%s%N)"
echo "$mark" >/dev/kmsg
log_since_mark() { dmesg | awk -v m="$mark" 'on; index($0, m) { on = 1 }'; }

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
notok() { n=$((n + 1)); echo "not ok $n $*"; failed=1; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else notok "$what"; fi; }
quiet() { "$@" >/dev/null 2>&1; }
not() { ! "$@"; }
cleanup() { ip netns del $NS 2>/dev/null; rmmod ndis_loopnic 2>/dev/null; rmmod ndis_shim 2>/dev/null; }

echo "KTAP version 1"
echo "1..28"
if ! insmod "$shim" || ! insmod "$nic_ko"; then
	notok "insmod ndis_shim ndis_loopnic"; cleanup; exit 1
fi
ok "insmod ndis_shim ndis_loopnic"
DBG=/sys/kernel/debug
mountpoint -q $DBG || mount -t debugfs none $DBG
rejected0=$(cat $DBG/ndis_shim/rejected_calls 2>/dev/null || echo x)
# udev may still be renaming them (eth0 -> enp0s10): wait for it, then
# look them up by MAC.
command -v udevadm >/dev/null && udevadm settle -t 10
declare -A IF=()
for try in 1 2 3 4 5; do
	IF=()
	for d in /sys/class/net/*; do
		[ "$(basename "$(readlink -f "$d/device/driver" 2>/dev/null)")" = ndis_loopnic ] || continue
		IF[$(cat "$d/address" 2>/dev/null)]=$(basename "$d")
	done
	[ ${#IF[@]} = 2 ] && break
	sleep 1
done
A=${IF[02:4e:44:49:53:01]:-} B=${IF[02:4e:44:49:53:02]:-}
if [ -n "$A" ] && [ -n "$B" ]; then ok "two net_devices with the declared MACs ($A, $B)"
else notok "two net_devices with the declared MACs (found: ${!IF[*]})"; cleanup; exit 1; fi
check "MTU from the general attributes" [ "$(cat /sys/class/net/"$A"/mtu)" = 1500 ]

ip netns add $NS
ip link set "$B" netns $NS
ip addr add 10.77.0.1/24 dev "$A"
ip -n $NS addr add 10.77.0.2/24 dev "$B"
ip link set "$A" up && ip -n $NS link set "$B" up
# The indication comes from MiniportRestart's side: waited for, up to 10 s.
for ((t = 0; t < 100; t++)); do
	[ "$(cat /sys/class/net/"$A"/carrier 2>/dev/null)" = 1 ] && break
	sleep 0.1
done
check "carrier up from NDIS_STATUS_LINK_STATE after MiniportRestart" \
	[ "$(cat /sys/class/net/"$A"/carrier 2>/dev/null)" = 1 ]
check "operstate up" [ "$(cat /sys/class/net/"$A"/operstate)" = up ]
# The live view (Documentation/debugging.rst) names the net_device bound
# to each adapter, its carrier and the data path's state.
check "debugfs view/net_devices: $A, carrier on, running" \
	grep -qE "^net_device [^ ]+ name=$A carrier=1 data_path=running nbls_outstanding=[0-9]+$" $DBG/ndis_shim/view/net_devices

check "ping A -> B" quiet "$BB" ping -A -c 3 -W 5 10.77.0.2
check "ping B -> A" quiet ip netns exec $NS "$BB" ping -A -c 3 -W 5 10.77.0.1
sizes_ok=1
for s in 1 64 500 1000 1400 1472; do
	"$BB" ping -c 1 -W 5 -s $s 10.77.0.2 >/dev/null || { sizes_ok=0; echo "# size $s failed"; }
done
check "ping payloads 1..1472 bytes" [ $sizes_ok = 1 ]
out=$("$BB" ping -A -q -c 1000 -w 120 10.77.0.2 2>&1)
echo "$out" | sed 's/^/# /' | tail -2
check "1000 back-to-back pings, none lost" grep -q ' 1000 packets received' <<<"$out"

# 1 MiB each way over TCP, compared by hash.
tmp=$(mktemp -d)
head -c 1048576 /dev/urandom >"$tmp/a"
head -c 1048576 /dev/urandom >"$tmp/b"
# transfer FROM TO-ADDR PORT FILE: FILE over TCP from A or B, received
# where TO-ADDR is (socat, one way: busybox nc ends the connection when its
# own stdin ends).
transfer() {
	local from=$1 to=$2 port=$3 f=$4 lpid rc i
	local here=() there=(ip netns exec $NS)
	[ "$from" = A ] || { here=(ip netns exec $NS); there=(); }
	"${there[@]}" socat -u TCP-LISTEN:"$port",reuseaddr OPEN:"$f.rx",creat,trunc 2>"$f.lerr" &
	lpid=$!
	for ((i = 0; i < 100; i++)); do
		[ -n "$("${there[@]}" ss -Hltn "sport = :$port" 2>/dev/null)" ] && break
		sleep 0.1
	done
	timeout 120 "${here[@]}" socat -u OPEN:"$f" TCP:"$to":"$port" 2>"$f.cerr"
	rc=$?
	timeout 30 tail --pid=$lpid -f /dev/null
	kill $lpid 2>/dev/null
	echo "# $from -> $to: client rc=$rc, $(wc -c <"$f.rx") of $(wc -c <"$f") bytes; $(cat "$f.cerr" "$f.lerr" | tr '\n' ' ')"
	cmp -s "$f" "$f.rx" && return 0
	# What TCP saw, both ends.
	grep -A1 '^Tcp:' /proc/net/snmp | sed 's/^/# A /'
	ip netns exec $NS grep -A1 '^Tcp:' /proc/net/snmp | sed 's/^/# B /'
	grep -A1 '^Ip:' /proc/net/snmp | sed 's/^/# A /'
	ip -s link show "$A" | sed 's/^/# /'
	ip netns exec $NS ip -s link show "$B" | sed 's/^/# /'
	return 1
}
check "1 MiB A -> B over TCP intact" transfer A 10.77.0.2 5001 "$tmp/a"
check "1 MiB B -> A over TCP intact" transfer B 10.77.0.1 5002 "$tmp/b"
rm -rf "$tmp"

# Multicast and promiscuous: OID set requests follow the interface.
ip maddr add 01:00:5e:01:02:03 dev "$A"
ip link set "$A" promisc on
sleep 1
ip link set "$A" promisc off
check "ip link set down returns (MiniportPause pended, then completed)" ip link set "$A" down
ip link set "$A" up
sleep 1
check "and up restarts it: ping A -> B again" quiet "$BB" ping -c 2 -W 5 10.77.0.2
tx=$(cat /sys/class/net/"$A"/statistics/tx_packets)
rx=$(cat /sys/class/net/"$A"/statistics/rx_packets)
drops=$(( $(cat /sys/class/net/"$A"/statistics/tx_dropped) + $(cat /sys/class/net/"$A"/statistics/rx_dropped) ))
echo "# $A: tx_packets=$tx rx_packets=$rx dropped=$drops"
check "interface counters moved (tx $tx, rx $rx > 1000)" [ "$tx" -gt 1000 -a "$rx" -gt 1000 ]
check "nothing dropped by the shim (tx_dropped + rx_dropped = $drops)" [ "$drops" = 0 ]
adapters_line() { grep " driver=ndis_loopnic " $DBG/ndis_shim/adapters; }
check "three I/O work items on each adapter (debugfs)" \
	[ "$(adapters_line | grep -c ' io_work_items=3 ')" = 2 ]
# A hang: each adapter's next check (every second) answers TRUE.
echo 1 >/sys/module/ndis_loopnic/parameters/hang
for t in $(seq 1 20); do
	[ "$(adapters_line | grep -c ' resets=1$')" = 2 ] && break
	sleep 0.5
done
adapters_line | sed 's/^/# /'
check "MiniportCheckForHangEx TRUE: both adapters reset once (debugfs resets=1)" \
	[ "$(adapters_line | grep -c ' resets=1$')" = 2 ]
check "the pended resets completed as addressing resets" \
	[ "$(log_since_mark | grep -c 'adapter reset: 0x00000000 (addressing reset)')" = 2 ]
sleep 1
check "traffic after the reset: ping A -> B" quiet "$BB" ping -c 2 -W 5 10.77.0.2
rejected1=$(cat $DBG/ndis_shim/rejected_calls 2>/dev/null || echo y)
check "no NDIS call rejected ($rejected0 -> $rejected1)" [ "$rejected0" = "$rejected1" ]

ip netns del $NS
sleep 1
if rmmod ndis_loopnic; then ok "rmmod ndis_loopnic (halt with the net_devices)"
else notok "rmmod ndis_loopnic"; fi
log=$(log_since_mark)
mapfile -t counts < <(sed -nE 's/.*ndis_loopnic ([01]): (sent=.*)/\1 \2/p' <<<"$log")
for l in "${counts[@]}"; do echo "# $l"; done
val() { [[ " $2" =~ [\ ]$1=([^\ ]*) ]] && echo "${BASH_REMATCH[1]}"; }
c0=$(grep '^0 ' <<<"$(printf '%s\n' "${counts[@]}")") c1=$(grep '^1 ' <<<"$(printf '%s\n' "${counts[@]}")")
check "both adapters halted and reported" [ ${#counts[@]} = 2 ]
check "receive buffers all returned" not grep -q 'never returned' <<<"$log"
check "frames indicated with NDIS_RECEIVE_FLAGS_RESOURCES were seen" \
	[ $(( $(val resources "$c0") + $(val resources "$c1") )) -gt 0 ]
check "every pause and restart paired (pauses=restarts, >= 2 on A)" \
	[ "$(val pauses "$c0")" = "$(val restarts "$c0")" -a "$(val restarts "$c0")" -ge 2 ]
check "packet filter (directed, broadcast, multicast) and multicast list set by OID" \
	grep -Eq 'filter=0xb multicast=[1-9]' <<<"$c0"
if rmmod ndis_shim; then ok "rmmod ndis_shim"; else notok "rmmod ndis_shim"; fi
if grep -q 'rejected' <<<"$log"; then
	echo "$log" | grep rejected | sed 's/^/# /' | head -5
fi
exit "$failed"
