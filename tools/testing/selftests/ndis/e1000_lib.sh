# SPDX-License-Identifier: GPL-2.0
# Shared by the e1000 traffic tests (tests/*-e1000-*.sh); sourced, not run.
# tools/vm.sh gives the guest two e1000 (82540EM) NICs on one QEMU hub and
# nothing else on it:
#   NIC A 0000:00:10.0 52:54:00:12:34:01 -> DRIVER_A, namespace ndis_e1k_a, e1ka 10.0.0.1/24
#   NIC B 0000:00:11.0 52:54:00:12:34:02 -> e1000,    namespace ndis_e1k_b, e1kb 10.0.0.2/24
# Each NIC is bound with driver_override (udev loads e1000 at boot and it
# takes both; A is unbound and handed over). DRIVER_A is
# NDIS_E1000_DRIVER_A: e1000_ndis6 (the NDIS 6 sample, samples/e1000_ndis6,
# on ndis-shim; the default) or e1000 (Linux's driver on both ends).
# A test calls e1000_require (exit 4, SKIP, without what it needs; TOOLS
# lists the commands it runs), then e1000_init (temporary directory TMP,
# cleanup at exit: every NIC back to Linux's e1000), prints its KTAP plan,
# then e1000_bring_up (namespaces, binding, the first five checks).
# shellcheck shell=bash
DRIVER_A=${NDIS_E1000_DRIVER_A:-e1000_ndis6} DRIVER_B=e1000
DEV_A=0000:00:10.0 DEV_B=0000:00:11.0
MAC_A=52:54:00:12:34:01 MAC_B=52:54:00:12:34:02
NS_A=ndis_e1k_a NS_B=ndis_e1k_b IF_A=e1ka IF_B=e1kb IP_A=10.0.0.1 IP_B=10.0.0.2
MAC_FOREIGN=52:54:00:12:34:99 IP_FOREIGN=10.0.0.99
MAC_GROUP=01:00:5e:01:02:03 IP_GROUP=239.1.2.3
PCI=/sys/bus/pci
DBG=/sys/kernel/debug

# e1000_require [TOOL...]: exit 4 (SKIP) without the NICs, modules or tools.
# NIC_PCI_ID and NIC_MODEL name the pair's device (tools/vm.sh's e1000
# unless a test using these helpers for other NICs sets them).
NIC_PCI_ID=0x8086:0x100e NIC_MODEL=e1000
e1000_require() {
	for d in $DEV_A $DEV_B; do
		[ "$(cat $PCI/devices/$d/vendor 2>/dev/null):$(cat $PCI/devices/$d/device 2>/dev/null)" = $NIC_PCI_ID ] ||
			{ echo "# SKIP no $NIC_MODEL at $d (tools/vm.sh adds two, except in swiotlb-tiny)"; exit 4; }
	done
	if [ "$DRIVER_A" != e1000 ]; then
		for ko in "${NDIS_KO:?}/ndis_shim.ko" "$NDIS_KO/$DRIVER_A.ko"; do
			[ -f "$ko" ] || { echo "# SKIP $ko not built"; exit 4; }
		done
	fi
	ping -V 2>/dev/null | grep -q iputils || { echo "# SKIP iputils ping not installed (tools/setup.sh)"; exit 4; }
	for t in socat tcpdump ss sha256sum "$@"; do
		command -v $t >/dev/null || { echo "# SKIP $t not installed (tools/setup.sh)"; exit 4; }
	done
	modprobe -q $DRIVER_B || { echo "# SKIP Linux's $DRIVER_B driver not available (its CONFIG_=m)"; exit 4; }
}

# e1000_init: TMP, the state cleanup restores, cleanup at exit.
e1000_init() {
	TMP=$(mktemp -d -p "$(mountpoint -q /dev/shm && echo /dev/shm || echo /tmp)")
	SHIM_LOADED=0
	[ -e /sys/module/ndis_shim ] && SHIM_LOADED=1
	BG=()
	mark="ndis-test: $$-$(date +%s%N)"
	echo "$mark" >/dev/kmsg
	mountpoint -q $DBG || mount -t debugfs none $DBG
	trap cleanup EXIT
}

# ---- KTAP
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
notok() { n=$((n + 1)); echo "not ok $n $*"; failed=1; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else notok "$what"; fi; }
quiet() { "$@" >/dev/null 2>&1; }
not() { ! "$@"; }
# A full-matrix check: SKIP in the data subset (SUBSET, the test's
# NDIS_E1000_SUBSET: full or data).
fcheck() {
	if [ "${SUBSET:-full}" = data ]; then n=$((n + 1)); echo "ok $n $1 # SKIP not in the data subset"; return; fi
	check "$@"
}
full() { [ "${SUBSET:-full}" = full ]; }
# (Not for a background command: a function runs in a subshell that
# ignores SIGINT and would not pass a signal on.)
in_a() { ip netns exec $NS_A "$@"; }
in_b() { ip netns exec $NS_B "$@"; }
now() { local t=${EPOCHREALTIME/[.,]/}; echo $((t / 1000)); } # ms
# kmsg_since PATTERN: the kernel logged PATTERN (grep -E) since e1000_init.
kmsg_since() { dmesg | sed -n "/$mark/,\$p" | grep -qE -- "$1"; }

# ---- binding and interfaces
# (Each command the guest forks and execs costs 0.2-0.5 s under TCG with
# the debug kernel: these helpers test sysfs links and globs in the shell
# instead of running readlink/basename/ls, and put an interface's
# configuration in one `ip` call.)
driver_of() { local l; l=$(readlink "$PCI/devices/$1/driver" 2>/dev/null); echo "${l##*/}"; }
bound() { [ -e "$PCI/drivers/$2/$1" ]; } # bound DEV DRIVER
# bind DEV DRIVER: make DRIVER (and only it) drive DEV.
bind() {
	local dev=$1 drv=$2 i
	echo "$drv" >"$PCI/devices/$dev/driver_override"
	bound "$dev" "$drv" && return 0
	[ -e "$PCI/devices/$dev/driver" ] && echo "$dev" >"$PCI/devices/$dev/driver/unbind"
	echo "$dev" >$PCI/drivers_probe 2>/dev/null
	for ((i = 0; i < 50; i++)); do
		bound "$dev" "$drv" && return 0
		sleep 0.1
	done
	echo "# $dev: driver '$(driver_of "$dev")', wanted $drv"
	return 1
}
load_a() { # the module of DRIVER_A (and the shim for an NDIS miniport)
	if [ "$DRIVER_A" = e1000 ]; then modprobe e1000; return; fi
	[ -e /sys/module/ndis_shim ] || insmod "$NDIS_KO/ndis_shim.ko" || return 1
	[ -e "/sys/module/$DRIVER_A" ] || insmod "$NDIS_KO/$DRIVER_A.ko"
}
# attach DEV DRIVER NS IF IP MAC: DEV's net_device into NS as IF with IP,
# up (the carrier is waited for by link_up). Nothing to do if IF is there.
attach() {
	local dev=$1 drv=$2 ns=$3 ifn=$4 ip=$5 i name= nd
	ip -n "$ns" link show dev "$ifn" >/dev/null 2>&1 && return 0
	bind "$dev" "$drv" || return 1
	# udev renames it (eth0 -> enp0s16): let it finish first.
	command -v udevadm >/dev/null && udevadm settle -t 10
	for ((i = 0; i < 100; i++)); do
		nd=("$PCI/devices/$dev/net/"*)
		[ -e "${nd[0]}" ] && name=${nd[0]##*/} && break
		sleep 0.1
	done
	[ -n "$name" ] || { echo "# $dev: no net_device"; return 1; }
	# Moved and renamed in one request (do_setlink), then configured in
	# one batch inside the namespace.
	ip link set dev "$name" netns "$ns" name "$ifn" &&
		printf 'addr add %s/24 dev %s\nlink set dev %s up\n' "$ip" "$ifn" "$ifn" |
		ip -n "$ns" -batch - || return 1
	echo "# $dev ($drv): $name -> $ns/$ifn $ip"
}
# link_up NS IF [SECS]: carrier (LOWER_UP) within SECS.
link_up() {
	local end=$((SECONDS + ${3:-20}))
	while ((SECONDS < end)); do
		[[ $(ip -n "$1" -o link show dev "$2" 2>/dev/null) == *LOWER_UP* ]] && return 0
		sleep 0.2
	done
	ip -n "$1" -o link show dev "$2" 2>&1 | sed 's/^/# /'
	return 1
}
mac_is() { [[ $(ip -n "$1" -o link show dev "$2" 2>/dev/null) == *"link/ether $3 "* ]]; }
stats() { # NS IF: the interface's counters as one diagnostic line
	ip -n "$1" -s -s link show dev "$2" 2>/dev/null | tr -s ' \n' ' ' | sed "s/^/# $1: /"
	echo
}

# ---- traffic
# ping_sizes NS DST SIZE...: one ping per payload size, all must answer.
ping_sizes() {
	local ns=$1 dst=$2
	shift 2
	ip netns exec "$ns" bash -c '
		dst=$1; shift; bad=
		for s in "$@"; do ping -q -c 1 -W 3 -s "$s" "$dst" >/dev/null 2>&1 || ping -q -c 1 -W 5 -s "$s" "$dst" >/dev/null 2>&1 || bad+=" $s"
		done
		[ -z "$bad" ] || { echo "# no answer to payload sizes:$bad"; exit 1; }' _ "$dst" "$@"
}
flood() { # NS DST COUNT: every ping of a flood answered
	local out
	out=$(ip netns exec "$1" ping -f -q -c "$3" -w 300 "$2" 2>&1)
	echo "$out" | tail -n 2 | sed 's/^/# /'
	[[ $out == *"$3 packets transmitted, $3 received,"* ]]
}
# listen NS PORT: wait until something listens on TCP PORT in NS.
listen() {
	local i
	for ((i = 0; i < 100; i++)); do
		[ -n "$(ip netns exec "$1" ss -Hltn "sport = :$2" 2>/dev/null)" ] && return 0
		sleep 0.1
	done
	echo "# nothing listens on $2 in $1"
	return 1
}
PORT=5000
# tcp_start FROM-NS TO-NS TO-IP FILE: FILE over TCP (socat), the receiver
# hashing what arrives into FILE.rx.sha; TCP_PIDS = receiver, sender.
tcp_start() {
	local from=$1 to=$2 dst=$3 f=$4 rpid
	PORT=$((PORT + 1))
	ip netns exec "$to" bash -c 'socat -u TCP-LISTEN:$1,reuseaddr STDOUT 2>"$2.rx.err" | sha256sum >"$2.rx.sha"' _ "$PORT" "$f" &
	rpid=$!
	listen "$to" "$PORT" || { kill $rpid 2>/dev/null; return 1; }
	ip netns exec "$from" socat -u OPEN:"$f" TCP:"$dst":"$PORT" 2>"$f.tx.err" &
	TCP_PIDS=($rpid $!)
	BG+=("${TCP_PIDS[@]}")
}
# tcp_finish FILE SECS: both ends done within SECS, the hash matches.
tcp_finish() {
	local f=$1 end=$((SECONDS + $2)) p want got
	for p in "${TCP_PIDS[@]}"; do
		while kill -0 "$p" 2>/dev/null && ((SECONDS < end)); do sleep 0.2; done
		kill -0 "$p" 2>/dev/null && { echo "# transfer still running after $2 s"; kill "${TCP_PIDS[@]}" 2>/dev/null; return 1; }
	done
	wait "${TCP_PIDS[1]}" || { echo "# sender failed: $(cat "$f.tx.err")"; return 1; }
	want=$(sha256sum <"$f") got=$(cat "$f.rx.sha" 2>/dev/null)
	[ "$want" = "$got" ] && return 0
	echo "# sha256 sent ${want%% *}, received ${got%% *}; $(cat "$f.rx.err" "$f.tx.err" 2>/dev/null | tr '\n' ' ')"
	return 1
}
tcp() { # FROM-NS TO-NS TO-IP FILE: one verified transfer, timed
	local t0 ms bytes
	t0=$(now)
	tcp_start "$@" && tcp_finish "$4" 240 || return 1
	ms=$(($(now) - t0 + 1)) bytes=$(stat -c %s "$4")
	echo "# TCP $1 -> $2: $bytes bytes in $ms ms ($((bytes / ms * 1000 / 1024)) KiB/s)"
}
# filter_matrix: filter_phase around A's promiscuous mode and A joining and
# leaving MAC_GROUP (B sends to IP_FOREIGN at MAC_FOREIGN, a permanent
# neighbour entry, and to IP_GROUP): f0 f1 f2 frames to the foreign MAC seen
# before, in and after promiscuous mode, g0 g2 g3 to the group before
# joining, joined and after leaving.
filter_matrix() {
	in_b ip neigh replace $IP_FOREIGN lladdr $MAC_FOREIGN dev $IF_B nud permanent
	in_b ip route add $IP_GROUP/32 dev $IF_B
	filter_phase "not promiscuous, group not joined"
	f0=$SEEN_FOREIGN g0=$SEEN_GROUP
	ip -n $NS_A link set dev $IF_A promisc on
	sleep 0.5
	filter_phase "promiscuous" 10 -
	f1=$SEEN_FOREIGN
	ip -n $NS_A link set dev $IF_A promisc off
	ip -n $NS_A maddr add $MAC_GROUP dev $IF_A
	sleep 0.5
	filter_phase "promiscuous off, group joined" 0 10
	f2=$SEEN_FOREIGN g2=$SEEN_GROUP
	ip -n $NS_A maddr del $MAC_GROUP dev $IF_A
	sleep 0.5
	filter_phase "group left" - 0
	g3=$SEEN_GROUP
}
# filter_phase LABEL [FOREIGN GROUP]: B sends 10 frames to the foreign MAC
# and 10 to the group; tcpdump -p on A (so it changes no filter) counts
# what reached A's stack: SEEN_FOREIGN, SEEN_GROUP. Counts other than the
# expected FOREIGN and GROUP ("-": any) send once more, a second later:
# the shim applies a receive-mode change from a work item, which a loaded
# host may run late; a filter that is wrong is wrong twice.
filter_phase() {
	filter_send "$1"
	if { [ "${2:--}" != - ] && [ "$SEEN_FOREIGN" != "$2" ]; } ||
		{ [ "${3:--}" != - ] && [ "$SEEN_GROUP" != "$3" ]; }; then
		echo "# $1: expected ${2:--} and ${3:--}; again"
		sleep 1
		filter_send "$1 (again)"
	fi
}
filter_send() {
	local cap=$TMP/cap-$1 i pid
	ip netns exec $NS_A tcpdump -p -nn -e -l -i $IF_A "ether dst $MAC_FOREIGN or ether dst $MAC_GROUP" >"$cap" 2>"$cap.err" &
	pid=$!
	for ((i = 0; i < 100; i++)); do grep -q 'listening on' "$cap.err" && break; sleep 0.1; done
	# -W, not -w: with a deadline ping goes on sending until it has COUNT
	# answers, and none come.
	ip netns exec $NS_B ping -q -c 10 -i 0.05 -W 1 $IP_FOREIGN >/dev/null 2>&1 &
	i=$!
	in_b ping -q -c 10 -i 0.05 -W 1 $IP_GROUP >"$cap.ping" 2>&1
	wait $i
	sleep 0.5
	kill -INT $pid
	wait $pid 2>/dev/null
	SEEN_FOREIGN=$(grep -c "> $MAC_FOREIGN" "$cap")
	SEEN_GROUP=$(grep -c "> $MAC_GROUP" "$cap")
	echo "# $1: A's stack saw $SEEN_FOREIGN to $MAC_FOREIGN, $SEEN_GROUP to $MAC_GROUP (of 10 each)"
}

# udp FROM-NS TO-NS TO-IP: iperf3 -u from FROM to TO (UDP_RATE, 8M, for
# UDP_SECS, 4, unless set), loss at most UDP_MAX_LOSS_PCT (1 unless set).
# A run above the limit goes once more if the receiver's socket overflowed
# (RcvbufErrors): a receiver the host stalls for a quarter of a second
# loses datagrams with no fault of the NIC's. Loss without an overflow, or
# twice, fails.
udp() {
	local srv out lost total pct try rcvbuf0 ovf
	for try in 1 2; do
		PORT=$((PORT + 1))
		ip netns exec "$2" timeout 60 iperf3 -s -1 -p "$PORT" >/dev/null 2>&1 &
		srv=$!
		BG+=($srv)
		listen "$2" "$PORT" || return 1
		rcvbuf0=$(udp_rcvbuf_errors "$2")
		out=$(ip netns exec "$1" timeout 60 iperf3 -c "$3" -p "$PORT" -u -b "${UDP_RATE:-8M}" -l 1400 -t "${UDP_SECS:-4}" -J 2>&1)
		wait $srv
		lost=$(jq -r '.end.sum.lost_packets' <<<"$out" 2>/dev/null)
		total=$(jq -r '.end.sum.packets' <<<"$out" 2>/dev/null)
		pct=$(jq -r '.end.sum.lost_percent' <<<"$out" 2>/dev/null)
		ovf=$(($(udp_rcvbuf_errors "$2") - rcvbuf0))
		echo "# UDP $1 -> $2 at ${UDP_RATE:-8M}bit/s: $lost of $total datagrams lost ($pct %), receiver's socket overflowed $ovf times"
		[[ $total =~ ^[0-9]+$ && $lost =~ ^[0-9]+$ ]] || { echo "$out" | head -n 5 | sed 's/^/# /'; return 1; }
		[ "$total" -gt 100 ] || return 1
		[ $((lost * 100)) -le $((total * ${UDP_MAX_LOSS_PCT:-1})) ] && return 0
		[ "$ovf" -gt 0 ] || return 1
	done
	return 1
}
# udp_rcvbuf_errors NS: UDP datagrams NS's sockets had no room for.
udp_rcvbuf_errors() {
	ip netns exec "$1" awk '$1 == "Udp:" && !h { for (i = 2; i <= NF; i++) if ($i == "RcvbufErrors") c = i; h = 1; next }
		$1 == "Udp:" { print $c + 0; exit }' /proc/net/snmp
}

# updown COUNT: ip link set down, then up, on A COUNT times, while the
# transfer tcp_start began runs; cycles = how many brought the link back.
updown() {
	local busy=1 c
	cycles=0
	for ((c = 0; c < $1; c++)); do
		kill -0 "${TCP_PIDS[1]}" 2>/dev/null || busy=0
		ip -n $NS_A link set dev $IF_A down && sleep 0.3 &&
			ip -n $NS_A link set dev $IF_A up && link_up $NS_A $IF_A && cycles=$((cycles + 1))
		sleep 0.5
	done
	echo "# transfer still running at the last down: $busy"
}
# ---- counters and waits (tests/09-e1000-faults.sh, 17-pcnet-ndis5-faults.sh)
# counter NS IF NAME: one of the interface's statistics.
counter() { ip netns exec "$1" cat "/sys/class/net/$2/statistics/$3"; }
# flowing SECS CMD1 CMD2: until the counts CMD1 and CMD2 print have each
# grown by more than 10000 (polled every half second, at most SECS):
# MOVED1 and MOVED2 are the growth, MOVED_S the seconds it took. A poll,
# not a fixed wait: streams a loaded host starts late, or a counter the
# shim refreshes at most once a second, still get there.
flowing() {
	local a0 b0 polls=0
	a0=$(eval "$2") b0=$(eval "$3")
	MOVED1=0 MOVED2=0 MOVED_S=0
	while :; do
		sleep 0.5
		polls=$((polls + 1))
		MOVED1=$(($(eval "$2") - a0)) MOVED2=$(($(eval "$3") - b0))
		MOVED_S=$((polls / 2)).$((polls % 2 * 5))
		[ "$MOVED1" -gt 10000 ] && [ "$MOVED2" -gt 10000 ] && return 0
		[ "$polls" -lt $(($1 * 2)) ] || return 1
	done
}
# field NAME: NAME= of A's adapter in debugfs (ndis_shim/adapters).
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

# ---- phases shared by the fault tests (07, 09 and 17-pcnet-ndis5-faults)
# updown_under_tcp FILE COUNT: FILE B -> A over TCP beside pings B -> A,
# A taken down and up COUNT times meanwhile (three checks).
updown_under_tcp() {
	local f=$1 ppid
	tcp_start $NS_B $NS_A $IP_A "$f"
	ip netns exec $NS_B ping -q -i 0.01 -w 120 $IP_A >"$TMP/ping-updown" 2>&1 &
	ppid=$!
	BG+=($ppid)
	sleep 0.5
	updown "$2"
	check "ip link set down/up x$2 on A under traffic: link back each time" [ $cycles = "$2" ]
	check "$(($(stat -c %s "$f") >> 20)) MiB B -> A across the down/up cycles, SHA-256 intact" tcp_finish "$f" 240
	kill -INT $ppid 2>/dev/null
	wait $ppid 2>/dev/null
	tail -n 2 "$TMP/ping-updown" | sed 's/^/# pings during the cycles: /'
	check "ping A -> B after the cycles" ping_sizes $NS_A $IP_B 56 1472
}
# fault_knobs: exits unless the shim's fault-injection files are there;
# rejected0 = A's rejected_calls now.
fault_knobs() {
	local k
	for k in fail_maps fail_rx_skbs fail_oids; do
		[ -w $DBG/ndis_shim/$k ] || { notok "debugfs ndis_shim/$k"; exit 1; }
	done
	rejected0=$(field rejected_calls)
}
side() { if [ "$1" = $NS_A ]; then echo A; else echo B; fi; } # NS: A or B
# fault_under_tcp KNOB STAT FROM-NS TO-NS TO-IP FILE N WHAT: FILE FROM ->
# TO over TCP beside pings every 5 ms, KNOB (debugfs ndis_shim) armed with
# N meanwhile; WHAT names the failures (three checks: every failure taken,
# the transfer intact, A's STAT grew by at least N). The pings are there
# for TCP's sake: the injected failures must not all fall on one segment's
# retransmissions, whose timeout doubles each time (on a slow guest 11 in
# a row stalled the transfer past 120 s).
fault_under_tcp() {
	local knob=$1 ctr=$2 from=$3 to=$4 dst=$5 f=$6 cnt=$7 drop0 ppid dir
	dir="$(side "$from") -> $(side "$to")"
	drop0=$(counter $NS_A $IF_A "$ctr")
	tcp_start "$from" "$to" "$dst" "$f"
	ip netns exec "$from" ping -q -i 0.005 -w 90 "$dst" >/dev/null 2>&1 &
	ppid=$!
	BG+=($ppid)
	sleep 1
	echo "$cnt" >$DBG/ndis_shim/$knob
	check "$knob=$cnt under traffic $dir: every failure taken" drained "$knob" 60
	check "$(($(stat -c %s "$f") >> 20)) MiB $dir across $8, SHA-256 intact" tcp_finish "$f" 240
	kill -INT $ppid 2>/dev/null
	wait $ppid 2>/dev/null
	check "A's $ctr grew by at least $cnt" grew "$ctr" "$drop0" "$(counter $NS_A $IF_A "$ctr")" "$cnt"
}
# oid_fault_phase MIN: fail_oids armed (every set fails while armed: one
# promiscuity change may reach the miniport as more than one receive-mode
# update, each re-applying the whole state, so a count that runs out could
# let a later one through), A made promiscuous: at least MIN requests
# failed, logged, frames to a foreign MAC still filtered; disarmed, the
# next change goes through (four checks).
oid_fault_phase() {
	local fail0
	in_b ip neigh replace $IP_FOREIGN lladdr $MAC_FOREIGN dev $IF_B nud permanent
	in_b ip route add $IP_GROUP/32 dev $IF_B
	fail0=$(field oid_failures)
	echo 1000 >$DBG/ndis_shim/fail_oids
	ip -n $NS_A link set dev $IF_A promisc on
	# The requests come from a work item: up to 15 s for the first MIN,
	# then a moment for any more of the same change.
	field_above oid_failures $((fail0 + $1 - 1)) 15
	sleep 0.5
	check "fail_oids armed, A made promiscuous: its requests (multicast list, packet filter) failed" \
		grew oid_failures "$fail0" "$(field oid_failures)" "$1"
	check "the failed OID requests logged" kmsg_since "not issued: no memory for the request"
	filter_phase "promiscuous, its packet filter not issued" 0 -
	check "its packet filter not issued: frames to a foreign MAC still filtered" [ "$SEEN_FOREIGN" = 0 ]
	echo 0 >$DBG/ndis_shim/fail_oids
	ip -n $NS_A link set dev $IF_A promisc off
	ip -n $NS_A link set dev $IF_A promisc on
	sleep 0.5
	filter_phase "promiscuous again" 10 -
	check "promiscuous again: frames to a foreign MAC received (10 of 10)" [ "$SEEN_FOREIGN" = 10 ]
	ip -n $NS_A link set dev $IF_A promisc off
}
# vanish_phase VALUE:MASK FILE: A's PCI command register written so
# (setpci: its decode off, and its INTx, which a device that is gone does
# not raise) under pings A -> B; the sample must report the
# device lost (its DRIVER_A: "registers unreachable: device lost"), be
# reset once, lose its carrier and see no second reset while it stays so,
# with no rejected call (rejected0: A's count before); then the register
# back (COMMAND0): the sample asks for a reset, link, pings both ways and
# FILE A -> B over TCP are back (eight checks). vanished_hook, when the
# test defines it, runs once the register is written and may add checks
# after the carrier's.
vanish_phase() {
	local resets0 resets1 ppid
	COMMAND0=$(setpci -s "$SLOT" COMMAND)
	resets0=$(field resets)
	echo "# command register $COMMAND0, resets=$resets0"
	ip netns exec $NS_A ping -q -i 0.05 -w 120 $IP_B >/dev/null 2>&1 &
	ppid=$!
	BG+=($ppid)
	sleep 0.5
	setpci -s "$SLOT" COMMAND="$1"
	check "decode cleared under pings: a reset within 15 s (resets=$resets0 before)" field_above resets "$resets0" 15
	check "the sample reported the device lost" kmsg_since "$DRIVER_A: registers unreachable: device lost"
	check "decode cleared: A has no carrier" link_down $NS_A $IF_A 10
	if declare -F vanished_hook >/dev/null; then vanished_hook; fi
	resets1=$(field resets)
	sleep 5 # two hang checks
	check "decode cleared: no further reset" [ "$(field resets)" = "$resets1" ]
	check "no rejected calls on A's adapter" [ "$(field rejected_calls)" = "$rejected0" ]
	kill_ns
	setpci -s "$SLOT" COMMAND="$COMMAND0"
	check "decode back: the sample asks for a reset within 10 s" field_above resets "$resets1" 10
	check "decode back: link up on A, ping both ways" \
		eval 'link_up $NS_A $IF_A 20 && ping_sizes $NS_A $IP_B 56 1472 && ping_sizes $NS_B $IP_A 56 1472'
	check "decode back: $(($(stat -c %s "$2") >> 20)) MiB A -> B over TCP intact" tcp $NS_A $NS_B $IP_B "$2"
}
# Every process left in the namespaces (a socat whose peer vanished).
kill_ns() {
	local p
	for p in "${BG[@]}"; do kill "$p" 2>/dev/null; done
	for p in $(ip netns pids $NS_A 2>/dev/null) $(ip netns pids $NS_B 2>/dev/null); do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	BG=()
}
cleanup() {
	local p
	kill_ns
	ip netns del $NS_A 2>/dev/null
	ip netns del $NS_B 2>/dev/null
	if [ "$DRIVER_A" != e1000 ]; then
		rmmod "$DRIVER_A" 2>/dev/null
		[ $SHIM_LOADED = 1 ] || rmmod ndis_shim 2>/dev/null
	fi
	# Both back to Linux's e1000, as at boot.
	for p in $DEV_A $DEV_B; do
		echo >"$PCI/devices/$p/driver_override"
		[ -e $PCI/devices/$p/driver ] || echo $p >$PCI/drivers_probe 2>/dev/null
	done
	# Fault injection disarmed (tests/09-e1000-faults.sh arms it).
	for p in fail_maps fail_rx_skbs fail_oids; do
		[ -w $DBG/ndis_shim/$p ] && echo 0 >$DBG/ndis_shim/$p
	done
	rm -rf "$TMP"
}

# e1000_bring_up: A to DRIVER_A and B to DRIVER_B (Linux's driver, e1000
# unless a test using these helpers for other NICs sets it) in their
# namespaces, link up (five checks); exits when there is no link.
e1000_bring_up() {
	local t0=$SECONDS
	[ ! -e /run/netns/$NS_A ] || ip netns del $NS_A
	[ ! -e /run/netns/$NS_B ] || ip netns del $NS_B
	ip netns add $NS_A && ip netns add $NS_B || { notok "network namespaces"; exit 1; }
	# B first: Linux's driver must hold B before an NDIS sample's
	# registration could probe it.
	bind $DEV_B $DRIVER_B && load_a && bind $DEV_A "$DRIVER_A"
	check "A ($DEV_A) bound to $DRIVER_A, B ($DEV_B) to $DRIVER_B" \
		eval 'bound $DEV_A "$DRIVER_A" && bound $DEV_B $DRIVER_B'
	attach $DEV_A "$DRIVER_A" $NS_A $IF_A $IP_A && attach $DEV_B $DRIVER_B $NS_B $IF_B $IP_B
	check "A's MAC is QEMU's ($MAC_A)" mac_is $NS_A $IF_A $MAC_A
	check "B's MAC is QEMU's ($MAC_B)" mac_is $NS_B $IF_B $MAC_B
	check "link up on A" link_up $NS_A $IF_A
	check "link up on B" link_up $NS_B $IF_B
	[ $failed = 0 ] || { echo "# no link between A and B: the rest would only time out"; exit 1; }
	echo "# both attached and link up after $((SECONDS - t0)) s"
}
