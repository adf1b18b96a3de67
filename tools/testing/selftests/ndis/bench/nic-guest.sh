#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs in the VM (tools/bench-nic.sh boots it): per NIC family, NIC A
# driven by that family's DRIVER (the NDIS sample on the shim) and then by
# Linux's driver for the device, against NIC B on Linux's driver all
# along, each NIC in its own network namespace (the binding helpers of
# e1000_lib.sh). The families (tools/vm.sh gives the guest both pairs,
# each pair alone on its own QEMU hub):
#   e1000  82540EM 8086:100e  A 0000:00:10.0, B 0000:00:11.0  Linux e1000
#          namespaces ndis_e1k_a/b, e1ka 10.0.0.1, e1kb 10.0.0.2
#   pcnet  PCnet-PCI II 1022:2000  A 0000:00:12.0, B 0000:00:13.0  Linux pcnet32
#          namespaces ndis_pcn_a/b, pcna 10.0.5.1, pcnb 10.0.5.2
# (the names and subnets of tests/07-e1000-ndis6.sh and 15-pcnet-ndis5.sh).
# Per family, appends one CSV row per measurement to OUTDIR/FAMILY/nic.csv:
# rep,slot,driver,test,dir,offloads,value,unit, where slot is `test` (A on
# DRIVER) or `ref` (A on the family's Linux driver). DRIVER = the Linux
# driver (e1000, pcnet32) puts it in both slots (A unbound and bound again
# between them): the baseline, whose ratios should be 1.
#
#   nic-guest.sh KO_DIR OUTDIR MODE FAMILY=DRIVER...
#
# The families run one after the other; one that fails does not stop the
# next (the exit status is 1 then). Each family's log, guest-info.txt and
# UDP run go to OUTDIR/FAMILY/, the kernel log to OUTDIR/dmesg.txt.
#
# MODE wall: per repetition, each driver in turn (the order alternates,
# ABBA, so that a drift of the host's load hits both alike), with
# offloads on and then off on both NICs (ethtool -K tso gso tx rx sg; on
# pcnet32, which offloads nothing, only gso changes):
#   tcp    iperf3, one TCP stream, MTU 1500, NDIS_NIC_SECS seconds after
#          one omitted (slow start); a-to-b = A sends; Mbit/s received
#   rtt    (offloads on) NDIS_NIC_PINGS pings at 10 ms intervals;
#          a-to-b = pinged from A; median and mean round trip in us
# MODE icount (one vCPU, QEMU -icount shift=0, guest ns = instructions):
#   insn   UDP datagrams of 1400 bytes (one 1442-byte frame each) at
#          NDIS_NIC_RATE; over a window of NDIS_NIC_WINDOW seconds of guest
#          time in the middle of the stream, the instructions the guest's
#          CPU executed (elapsed guest ns less the time it sat halted, from
#          a trace: trace_stop below) divided by the frames A sent (a-to-b:
#          A's send path) or received (b-to-a: A's receive path), as B
#          counted them. Everything else in the guest (the apps, the
#          stack, B's driver) is the same for both drivers: the difference
#          of two drivers' rows is what A's driver costs more.
#   irqs   device interrupts (all lines) per frame in that window
#   udp-lost  datagrams of the whole UDP run that did not arrive (iperf3's
#          count; with UDPGEN=pace: sent less the receiving NIC's count), a
#          receive ring overrun included: a frame lost costs its sender but
#          is not counted by B
# Environment: NDIS_NIC_REPS (5), NDIS_NIC_SECS (3), NDIS_NIC_PINGS (200),
# NDIS_NIC_WINDOW (2), NDIS_NIC_RATE (100M).
set -uo pipefail
KO=$1 OUT=$2 MODE=$3
shift 3
HERE=$(cd "$(dirname "$0")" && pwd)
# The binding helpers (bind, attach, link_up, listen, stats); its cleanup
# is replaced below, its e1000 names by family's.
. "$HERE/../e1000_lib.sh"
REPS=${NDIS_NIC_REPS:-5} SECS=${NDIS_NIC_SECS:-3} PINGS=${NDIS_NIC_PINGS:-200}
WINDOW=${NDIS_NIC_WINDOW:-2} RATE=${NDIS_NIC_RATE:-100M}
PORT=5201 FIFO=
LOG=$OUT/nic-guest.log
log() { echo "# $*" | tee -a "$LOG" >&2; }
die() { log "error: $*"; exit 1; }

# family NAME: the pair's PCI ID and addresses, Linux's driver (LINUX),
# MACs (tools/vm.sh's), namespaces, interface names and addresses, the
# icount UDP stream's sender (UDPGEN: iperf3, or pace: see neigh).
family() {
	case $1 in
	e1000)
		ID=0x8086:0x100e LINUX=e1000 DEV_A=0000:00:10.0 DEV_B=0000:00:11.0
		MAC_A=52:54:00:12:34:01 MAC_B=52:54:00:12:34:02 UDPGEN=iperf3
		NS_A=ndis_e1k_a NS_B=ndis_e1k_b IF_A=e1ka IF_B=e1kb IP_A=10.0.0.1 IP_B=10.0.0.2
		;;
	pcnet)
		ID=0x1022:0x2000 LINUX=pcnet32 DEV_A=0000:00:12.0 DEV_B=0000:00:13.0
		MAC_A=52:54:00:12:34:11 MAC_B=52:54:00:12:34:12 UDPGEN=pace
		NS_A=ndis_pcn_a NS_B=ndis_pcn_b IF_A=pcna IF_B=pcnb IP_A=10.0.5.1 IP_B=10.0.5.2
		;;
	*) return 1 ;;
	esac
}

for t in iperf3 ethtool jq ping ss; do command -v $t >/dev/null || die "$t not installed (tools/setup.sh)"; done
[ -w /proc/sys/kernel/prove_locking ] && echo 0 >/proc/sys/kernel/prove_locking
{
	echo "guest_kernel=$(uname -r)"
	echo "guest_cpus=$(nproc)"
	echo "guest_clocksource=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
	echo "guest_cmdline=$(cat /proc/cmdline)"
	# tools/bench-nic.sh's slub_debug= (after tools/vm.sh's own) takes the
	# kmalloc caches' checks back: 0 here.
	echo "kmalloc_256_sanity_checks=$(cat /sys/kernel/slab/kmalloc-256/sanity_checks 2>/dev/null || echo n/a)"
	echo "mode=$MODE families=$* reps=$REPS secs=$SECS pings=$PINGS window=$WINDOW rate=$RATE"
} >"$OUT/guest-info.txt"

cleanup() {
	local p
	for p in $(ip netns pids $NS_A 2>/dev/null) $(ip netns pids $NS_B 2>/dev/null); do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	ip netns del $NS_A 2>/dev/null
	ip netns del $NS_B 2>/dev/null
	[ "$DRIVER" = "$LINUX" ] || rmmod "$DRIVER" 2>/dev/null
	for p in $DEV_A $DEV_B; do # both back to Linux's driver, as at boot
		echo >"$PCI/devices/$p/driver_override"
		[ -n "$(driver_of $p)" ] || echo $p >$PCI/drivers_probe 2>/dev/null
	done
}

# neigh NS IF IP MAC: a permanent neighbour entry, so that no ARP frame
# crosses the wire. ARP's 42-byte frames are shorter than Ethernet's 60:
# QEMU's pcnet sends them unpadded (pcnet32 asks for the controller's
# auto-pad, which the model lacks) and pcnet32 drops what arrives under 60
# bytes as a runt (rx_errors), so two pcnet32 NICs never resolve each
# other; the pcnet sample pads in software. Done for every family alike.
# The same holds for iperf3's UDP handshake (a 4-byte datagram each way,
# 46-byte frames): the pcnet family's icount stream comes from
# udp_pace.py instead (UDPGEN=pace), to a socat in the other namespace.
neigh() { ip -n "$1" neigh replace "$3" lladdr "$4" dev "$2" nud permanent; }

# use_a SLOT: A driven by the slot's driver (bound afresh when the slot
# changes), in its namespace, link up, answering pings.
SLOT=
use_a() {
	local drv=$DRIVER
	[ "$1" = ref ] && drv=$LINUX
	if [ "$SLOT" != "$1" ]; then
		[ -z "$(driver_of $DEV_A)" ] || echo $DEV_A >$PCI/devices/$DEV_A/driver/unbind
		bind $DEV_A "$drv" >>"$LOG" || return 1
	fi
	SLOT=$1 CUR=$drv
	attach $DEV_A "$drv" $NS_A $IF_A $IP_A >>"$LOG" && neigh $NS_A $IF_A $IP_B $MAC_B &&
		link_up $NS_A $IF_A && link_up $NS_B $IF_B || return 1
	ip netns exec $NS_A ping -q -c 3 -w 20 $IP_B >/dev/null || return 1
	log "A on $drv ($(ip netns exec $NS_A ethtool -i $IF_A | awk '/^driver/ {print $2}'))"
}
# offloads on|off: both NICs. Linux's e1000 resets its NIC when its
# features change (the link drops for a second or two): wait for the link
# and a ping both ways before measuring. Nothing happens when nothing
# changes.
offloads() {
	local ns ifn changed=0 before
	for ns in $NS_A:$IF_A $NS_B:$IF_B; do
		ifn=${ns#*:} ns=${ns%%:*}
		before=$(ip netns exec "$ns" ethtool -k "$ifn")
		ip netns exec "$ns" ethtool -K "$ifn" sg "$1" tx "$1" tso "$1" gso "$1" rx "$1" 2>>"$LOG"
		[ "$before" = "$(ip netns exec "$ns" ethtool -k "$ifn")" ] || changed=1
		ip netns exec "$ns" ethtool -k "$ifn" |
			awk -v n="$ifn" '/^(scatter-gather|tx-checksumming|tcp-segmentation-offload|generic-segmentation-offload|rx-checksumming):/ {s = s " " $1 $2} END {print "# " n s}' >>"$LOG"
	done
	[ $changed = 1 ] || return 0
	sleep 1
	link_up $NS_A $IF_A && link_up $NS_B $IF_B &&
		ip netns exec $NS_A ping -q -c 2 -w 20 $IP_B >/dev/null &&
		ip netns exec $NS_B ping -q -c 2 -w 20 $IP_A >/dev/null || { log "no link after offloads $1"; return 1; }
	sleep 1
}
row() { echo "$REP,$SLOT,$CUR,$1,$2,$3,$4,$5" >>"$CSV"; }

tcp() { # DIR OFFLOADS
	local out bps rev=''
	[ "$1" = b-to-a ] && rev=-R
	out=$(ip netns exec $NS_A timeout $((SECS + 30)) iperf3 -c $IP_B -p $PORT -t "$SECS" -O 1 $rev -J 2>&1)
	bps=$(jq -r '.end.sum_received.bits_per_second' <<<"$out" 2>/dev/null)
	if ! [[ $bps =~ ^[0-9.e+]+$ ]]; then
		log "iperf3 $1 failed: $(head -c 300 <<<"$out" | tr '\n' ' ')"
		return 1
	fi
	row tcp "$1" "$2" "$(awk -v b="$bps" 'BEGIN {printf "%.1f", b / 1e6}')" Mbit/s
	log "rep $REP $CUR tcp $1 offloads $2: $(awk -v b="$bps" 'BEGIN {printf "%.1f", b / 1e6}') Mbit/s"
}
rtt() { # DIR
	local ns=$NS_A dst=$IP_B out
	[ "$1" = b-to-a ] && ns=$NS_B dst=$IP_A
	out=$(ip netns exec $ns ping -n -c "$PINGS" -i 0.01 -W 2 $dst 2>&1)
	# Each reply's time= in ms, sorted; median and mean in us (awk may be
	# mawk: no asort).
	read -r n med avg < <(sed -n 's/.* time=\([0-9.]*\) ms.*/\1/p' <<<"$out" | sort -n |
		awk '{v[NR] = $1 * 1000; s += $1 * 1000}
		END {if (!NR) {print 0, 0, 0; exit}; m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
		printf "%d %.1f %.1f\n", NR, m, s / NR}')
	[ "$n" -gt $((PINGS * 9 / 10)) ] || { log "ping $1: $n of $PINGS answered"; return 1; }
	row rtt-median "$1" on "$med" us
	row rtt-mean "$1" on "$avg" us
	log "rep $REP $CUR rtt $1: median $med us, mean $avg us ($n replies)"
}

# Busy instructions, from a trace (icount: the x86-tsc trace clock counts
# guest ns, that is instructions): the window between two trace_marker
# lines, less the time the CPU sat halted. A halt starts at a cpu_idle
# event (state != exit) and ends at the next event: the interrupt's entry
# (irq_handler_entry, or an irq_vectors *_entry for the local APIC's) or
# the cpu_idle exit. Not counted as busy: the few hundred instructions of
# an interrupt's entry before its event. Counted: the trace's own events
# (three or so per interrupt). Sets BUSY, IRQS (device interrupts).
TR=/sys/kernel/tracing
trace_init() {
	local e
	mountpoint -q $TR || mount -t tracefs nodev $TR || return 1
	echo 0 >$TR/tracing_on
	echo x86-tsc >$TR/trace_clock || return 1
	echo 16384 >$TR/buffer_size_kb
	echo 1 >$TR/events/power/cpu_idle/enable &&
		echo 1 >$TR/events/irq/irq_handler_entry/enable || return 1
	for e in $TR/events/irq_vectors/*_entry; do echo 1 >"$e/enable"; done
}
trace_start() {
	echo >$TR/trace
	echo 1 >$TR/tracing_on
}
trace_stop() {
	local over
	echo 0 >$TR/tracing_on
	over=$(awk '/^overrun:/ {s += $2} END {print s + 0}' $TR/per_cpu/cpu*/stats)
	[ "$over" = 0 ] || { log "trace buffer overrun ($over events lost)"; return 1; }
	read -r BUSY IRQS < <(awk '
		{
			for (i = 1; i <= NF && $i !~ /^[0-9]+(\.[0-9]+)?:$/; i++);
			if (i > NF) next
			t = substr($i, 1, length($i) - 1); ev = $(i + 1)
			if (t ~ /\./) t *= 1e9
			if (ev == "tracing_mark_write:") {
				if ($(i + 2) == "nicbench-start") start = t
				else if ($(i + 2) == "nicbench-end") end = t
				next
			}
			if (start == "" || end != "") next
			if (ev == "cpu_idle:" && $(i + 2) != "state=4294967295") {
				if (!halted) { halted = 1; t0 = t }
				next
			}
			if (halted) { idle += t - t0; halted = 0 }
			if (ev == "irq_handler_entry:") irqs++
		}
		END { if (halted) idle += end - t0; printf "%d %d\n", end - start - idle, irqs }' $TR/trace)
}
# rx_count NS IF: IF's rx_packets. The shim's counters (A under the
# sample) follow OID_GEN_RCV_OK through a refresh that a read queues, at
# most once a second: read, and read again after that.
rx_count() {
	ip netns exec $1 cat /sys/class/net/$2/statistics/rx_packets >/dev/null
	sleep 1.2
	ip netns exec $1 cat /sys/class/net/$2/statistics/rx_packets
}
insn() { # DIR
	local rev='' cnt=rx_packets out lost frames ipid mk f0 f1 tx rx dst rxif rpid r0
	[ "$1" = b-to-a ] && rev=-R cnt=tx_packets
	# The sender runs on, steadily, across the whole window: its start
	# (exec, the control connection) is outside it.
	if [ "$UDPGEN" = pace ]; then
		tx=$NS_A rx=$NS_B dst=$IP_B rxif=$IF_B
		[ "$1" = b-to-a ] && tx=$NS_B rx=$NS_A dst=$IP_A rxif=$IF_A
		ip netns exec $rx socat -u UDP-RECV:$((PORT + 1)) /dev/null &
		rpid=$!
		r0=$(rx_count $rx $rxif)
		ip netns exec $tx timeout 120 python3 "$HERE/udp_pace.py" $dst $((PORT + 1)) "$RATE" $((WINDOW + 3)) \
			>"$FOUT/udp.txt" 2>&1 &
	else
		ip netns exec $NS_A timeout 120 iperf3 -c $IP_B -p $PORT -u -l 1400 -b "$RATE" -t $((WINDOW + 3)) $rev -J \
			>"$FOUT/udp.json" 2>&1 &
	fi
	ipid=$!
	trace_start
	exec {mk}>$TR/trace_marker
	# In B's namespace (its /sys): after a second, the markers and B's
	# counter around WINDOW seconds, with builtins only (no fork, no exec
	# inside the window; read -t on a FIFO nobody writes is the sleep).
	# B's: the frames A sent are those B received, and the other way
	# round; Linux's e1000 counts as it goes, where the shim's counters
	# come from OID_GEN_STATISTICS at most once a second.
	read -r f0 f1 < <(ip netns exec $NS_B bash -c '
		exec {fd}<>"$1"
		read -r -t 1 -u $fd
		read -r a <"/sys/class/net/$2/statistics/$3"
		echo nicbench-start >&"$5"
		read -r -t "$4" -u $fd
		echo nicbench-end >&"$5"
		read -r b <"/sys/class/net/$2/statistics/$3"
		echo "$a $b"' _ "$FIFO" $IF_B $cnt "$WINDOW" $mk)
	exec {mk}>&-
	trace_stop || return 1
	wait $ipid
	frames=$((f1 - f0))
	if [ "$UDPGEN" = pace ]; then
		# Sent less received by the receiving NIC over the run.
		out=$(cat "$FOUT/udp.txt")
		lost=$(($(rx_count $rx $rxif) - r0))
		kill $rpid 2>/dev/null
		wait $rpid 2>/dev/null
		[[ $out =~ ^[0-9]+$ ]] && lost=$((out > lost ? out - lost : 0)) || lost=x
	else
		out=$(cat "$FOUT/udp.json")
		lost=$(jq -r '.end.sum.lost_packets' <<<"$out" 2>/dev/null)
	fi
	[[ $lost =~ ^[0-9]+$ ]] && [ "$frames" -gt 0 ] ||
		{ log "iperf3 -u $1 failed: $(head -c 300 <<<"$out" | tr '\n' ' ')"; return 1; }
	row insn "$1" on "$((BUSY / frames))" insn/frame
	row irqs "$1" on "$(awk -v i="$IRQS" -v f="$frames" 'BEGIN {printf "%.3f", i / f}')" irq/frame
	row frames "$1" on "$frames" frames
	row udp-lost "$1" on "$lost" datagrams
	log "rep $REP $CUR insn $1: $BUSY busy over $frames frames (B's count), $IRQS device interrupts, $lost of the run's datagrams lost: $((BUSY / frames)) per frame"
}

measure() {
	if [ "$MODE" = icount ]; then
		insn a-to-b && insn b-to-a
		return
	fi
	offloads on && tcp a-to-b on && tcp b-to-a on && rtt a-to-b && rtt b-to-a &&
		offloads off && tcp a-to-b off && tcp b-to-a off && offloads on
}

# b_up: B on Linux's driver in its namespace (first, so that the NDIS
# driver's registration cannot probe it), its iperf3 server listening.
b_up() {
	attach $DEV_B $LINUX $NS_B $IF_B $IP_B >>"$LOG" && neigh $NS_B $IF_B $IP_A $MAC_A || return 1
	ip netns exec $NS_B iperf3 -s -p $PORT >/dev/null 2>&1 &
	listen $NS_B $PORT >>"$LOG"
}
# renew: after a failed measurement, both NICs unbound and bound again
# (A at the next use_a) and a fresh iperf3 server. Seen with pcnet32 at
# both ends after minutes of TCP at full speed: the wire went silent (no
# ping either way for 20 s) with both links up.
renew() {
	local p
	stats $NS_A $IF_A >>"$LOG"
	stats $NS_B $IF_B >>"$LOG"
	for p in $(ip netns pids $NS_B 2>/dev/null); do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	echo $DEV_B >$PCI/devices/$DEV_B/driver/unbind
	[ -z "$(driver_of $DEV_A)" ] || echo $DEV_A >$PCI/devices/$DEV_A/driver/unbind
	SLOT=
	b_up
}

# bench_family FAMILY DRIVER (in a subshell: its own cleanup at exit): the
# repetitions of one family into OUT/FAMILY/. A slot whose measurement
# fails loses the rest of its measurements that repetition; the run goes
# on after renew, up to three failures, and exits 1.
bench_family() {
	local d s failed=0 order=(test ref)
	family "$1" || die "unknown NIC family '$1' (e1000, pcnet)"
	DRIVER=$2 FOUT=$OUT/$1
	trap cleanup EXIT
	mkdir -p "$FOUT"
	CSV=$FOUT/nic.csv LOG=$FOUT/nic-guest.log
	: >"$CSV"
	for d in $DEV_A $DEV_B; do
		[ "$(cat $PCI/devices/$d/vendor 2>/dev/null):$(cat $PCI/devices/$d/device 2>/dev/null)" = $ID ] ||
			die "no $1 ($ID) at $d"
	done
	modprobe $LINUX || die "no $LINUX module"
	if [ "$DRIVER" != "$LINUX" ]; then
		{ [ -e /sys/module/ndis_shim ] || insmod "$KO/ndis_shim.ko"; } && insmod "$KO/$DRIVER.ko" ||
			die "cannot load $KO/ndis_shim.ko and $DRIVER.ko"
	fi
	echo "family=$1 driver=$DRIVER linux=$LINUX a=$DEV_A b=$DEV_B" >"$FOUT/guest-info.txt"
	ip netns del $NS_A 2>/dev/null
	ip netns del $NS_B 2>/dev/null
	ip netns add $NS_A && ip netns add $NS_B || die "network namespaces"
	b_up || die "B on $LINUX, or no iperf3 server"
	for ((REP = 1; REP <= REPS; REP++)); do
		for s in "${order[@]}"; do
			use_a "$s" && measure && continue
			# What this slot measured stays; the rest of it is lost.
			failed=$((failed + 1))
			log "rep $REP, slot $s: failed ($failed so far)"
			((failed < 3)) && renew || break 2
		done
		order=("${order[1]}" "${order[0]}")
	done
	stats $NS_A $IF_A >>"$LOG"
	stats $NS_B $IF_B >>"$LOG"
	exit $((failed > 0))
}

[ $# -gt 0 ] || die "no NIC family (FAMILY=DRIVER...)"
[ "$MODE" = wall ] || trace_init || die "no tracefs, x86-tsc trace clock or cpu_idle event"
FIFO=$(mktemp -u /tmp/nicbench.XXXXXX)
mkfifo "$FIFO"
failed=0
for f in "$@"; do
	log "family ${f%%=*}: A on ${f#*=}, then on Linux's driver"
	(bench_family "${f%%=*}" "${f#*=}") || { log "family ${f%%=*} failed"; failed=1; }
done
rm -f "$FIFO"
[ -e /sys/module/ndis_shim ] && rmmod ndis_shim
dmesg >"$OUT/dmesg.txt"
exit $failed
