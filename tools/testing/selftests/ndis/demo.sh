#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of `make run`: load the shim, show what it says and exports,
# call it from a second module, unload both. Runs as root in the test VM.
#   demo.sh [KODIR [OUTDIR]]
set -uo pipefail
ko=${1:-${NDIS_KO:-/work/main/build/ko}}
out=${2:-/tmp}
status=0
mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug

mark="ndis-demo: $$-$(date +%s%N)"
echo "$mark" >/dev/kmsg
# Kernel log since the mark, timestamps stripped, for lines matching $1.
klog() { dmesg | awk -v m="$mark" 'on; index($0, m) { on = 1 }' | grep -E "$1" | sed 's/^\[ *[0-9.]*\] /  kernel: /'; }
run() { echo "\$ $*"; "$@" || { echo "  (failed: exit $?)"; status=1; }; }

echo "== ndis-shim demo: kernel $(uname -r), $(nproc) CPUs"
echo "edu devices (1234:11e8):"
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor"):$(cat "$d/device")" = 0x1234:0x11e8 ] && echo "  ${d##*/}"
done

if [ ! -f "$ko/ndis_shim.ko" ]; then
	echo "no $ko/ndis_shim.ko: build the modules first (make modules)"
	exit 1
fi
run insmod "$ko/ndis_shim.ko"
klog 'ndis_shim'
echo "NDIS symbols the shim exports (/proc/kallsyms):"
grep -E '\[ndis_shim\]' /proc/kallsyms | awk '$2 ~ /^[TDR]$/ && $3 ~ /^Ndis/ { print "  " $3 }' | sort
if [ -f "$ko/ndis_link_test.ko" ]; then
	run insmod "$ko/ndis_link_test.ko"
	klog 'ndis_link_test'
	run rmmod ndis_link_test
fi

# A sample miniport: load it (each edu device becomes an adapter), move
# data both ways through edu's DMA engine (system DMA: NdisMSetupDmaTransfer
# / NdisMCompleteDmaTransfer; bus master: a descriptor in shared memory read
# and written by the memory's device address, a NET_BUFFER's scatter-gather
# list element by element, NDIS 5 physical mapping),
# verify it, unload (halt).
demo_sample() { # module command...
	local mod=$1 dir d cmds
	shift
	cmds=("$@")
	[ -f "$ko/$mod.ko" ] || return 0
	echo
	echo "== sample miniport $mod"
	run insmod "$ko/$mod.ko" || return 0
	klog "$mod"
	for dir in /sys/kernel/debug/"$mod"/*/; do
		[ -f "$dir/cmd" ] || continue
		d=$(basename "$dir")
		for cmd in "${cmds[@]}"; do
			if echo "$cmd" >"$dir/cmd" 2>/dev/null; then
				echo "  $d: $cmd -> $(head -n 1 "$dir/result")"
			else
				echo "  $d: $cmd -> rejected"
				status=1
			fi
		done
	done
	run rmmod "$mod"
	klog "$mod.*(halt|Halt)"
}
SYSTEM_DMA=("roundtrip off=0 len=4096 mdl_off=0 buf=kmalloc"
	"roundtrip off=100 len=1500 mdl_off=4000 buf=vmalloc")
demo_sample edu_dma_c "${SYSTEM_DMA[@]}" "shm-roundtrip off=0 len=1000 mdl_off=64" \
	"sg-roundtrip len=4096 parts=4 skip=128 mdl_off=64 buf=kmalloc"
demo_sample edu_dma "${SYSTEM_DMA[@]}" "shm off=0 len=1000 rx_off=64" \
	"sg-roundtrip parts=2 size=6000 skip=3520 len=4096 buf=vmalloc"
# NDIS 5.1 bus master: map registers and physical mapping.
demo_sample edu_dma_ndis5 "roundtrip len=4096 off=0 buf=kmalloc reg=0" \
	"roundtrip len=1500 off=4000 buf=vmalloc reg=1"

# A network miniport sample on NIC A pinging NIC B (Linux's driver for the
# same device) across QEMU's hub, B in a namespace of its own; both handed
# back to Linux's driver after.
demo_nic() { # TITLE SAMPLE LINUX-DRIVER DEV-A DEV-B NET
	local title=$1 mod=$2 linux=$3 a=$4 b=$5 net=$6 ns=ndis_demo_b ifa ifb d t
	[ -f "$ko/$mod.ko" ] && [ -e /sys/bus/pci/devices/$a ] && [ -e /sys/bus/pci/devices/$b ] || return 0
	echo
	echo "== $title $mod on $a, against Linux's $linux on $b"
	modprobe -q "$linux" || return 0
	# PCI addresses hold colons: DEVICE=DRIVER pairs.
	for d in $a=$mod $b=$linux; do
		echo "${d#*=}" >/sys/bus/pci/devices/${d%%=*}/driver_override
		[ -e /sys/bus/pci/devices/${d%%=*}/driver ] &&
			echo "${d%%=*}" >/sys/bus/pci/devices/${d%%=*}/driver/unbind
	done
	echo $b >/sys/bus/pci/drivers/$linux/bind 2>/dev/null
	run insmod "$ko/$mod.ko" || return 0
	for t in $(seq 1 50); do
		ifa=$(ls /sys/bus/pci/devices/$a/net 2>/dev/null) ifb=$(ls /sys/bus/pci/devices/$b/net 2>/dev/null)
		[ -n "$ifa" ] && [ -n "$ifb" ] && break
		sleep 0.2
	done
	klog "$mod"
	echo "  $a: driver $(basename "$(readlink /sys/bus/pci/devices/$a/driver)"), $b: driver $(basename "$(readlink /sys/bus/pci/devices/$b/driver)")"
	[ -e /sys/bus/pci/drivers/$mod/$a ] || { echo "  $a not bound to $mod"; status=1; }
	if [ -n "$ifa" ] && [ -n "$ifb" ]; then
		ip netns add $ns && ip link set "$ifb" netns $ns
		ip addr add $net.1/24 dev "$ifa" && ip link set "$ifa" up
		ip -n $ns addr add $net.2/24 dev "$ifb" && ip -n $ns link set "$ifb" up
		# Both carriers: pcnet32 polls its link every few seconds.
		for t in $(seq 1 100); do
			[[ $(ip -o link show dev "$ifa") == *LOWER_UP* ]] &&
				[[ $(ip -n $ns -o link show dev "$ifb") == *LOWER_UP* ]] && break
			sleep 0.2
		done
		run ip -br link show dev "$ifa"
		ethtool "$ifa" 2>/dev/null | grep -E 'Speed|Duplex|Link detected' | sed 's/^\s*/  /'
		run ping -c 3 -W 5 $net.2
		ip netns del $ns
	else
		echo "  no net_device on $a or $b"
		status=1
	fi
	run rmmod "$mod"
	for d in $a $b; do echo >/sys/bus/pci/devices/$d/driver_override; done
	echo $a >/sys/bus/pci/drivers/$linux/bind 2>/dev/null
}
demo_nic "NDIS 6 network miniport" e1000_ndis6 e1000 0000:00:10.0 0000:00:11.0 10.0.0
# The NDIS 5.1 one: lookahead receive, per-packet scatter-gather lists.
demo_nic "NDIS 5.1 network miniport" pcnet_ndis5 pcnet32 0000:00:12.0 0000:00:13.0 10.0.5

echo
run rmmod ndis_shim
klog 'ndis_shim: .*unload'
echo "DMA-API debug error_count: $(cat /sys/kernel/debug/dma-api/error_count 2>/dev/null || echo unavailable)"
dmesg >"$out/dmesg.txt" 2>/dev/null || true
exit "$status"
