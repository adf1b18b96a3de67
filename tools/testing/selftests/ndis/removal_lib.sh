# SPDX-License-Identifier: GPL-2.0
# Shared by the removal tests (tests/41-pci-remove.sh, 44-hot-unplug.sh,
# 45-vanished-device.sh); sourced, not run. Module paths (skip when not
# built), debugfs, nested-KTAP helpers, edu devices, bounded waits, marks
# in the kernel log, and unloading what a test left loaded.
# shellcheck shell=bash
KO=${NDIS_KO:-${KO:-/work/main/build/ko}}
shim=$KO/ndis_shim.ko ops=$KO/ndis_ops.ko edu=$KO/edu_dma_c.ko
for ko in "$shim" "$ops" "$edu"; do
	[ -f "$ko" ] || { echo "# SKIP $ko not built"; exit 4; }
done
DBG=/sys/kernel/debug
mountpoint -q $DBG || mount -t debugfs none $DBG
SUCCESS=0x00000000 RESOURCES=0xc000009a

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
notok() { n=$((n + 1)); echo "not ok $n $*"; failed=1; }
check() { # description command...
	local what=$1; shift
	if "$@"; then ok "$what"; else notok "$what"; fi
}
edu_devices() { # PCI names of the edu functions present, in sort order
	# Builtins only: every exec goes over 9p, which is slow in a busy guest.
	local d v id
	for d in /sys/bus/pci/devices/*; do
		read -r v <"$d/vendor" && read -r id <"$d/device" || continue
		[ "$v" = 0x1234 ] && [ "$id" = 0x11e8 ] && echo "${d##*/}"
	done
	return 0
}
wait_for() { # path seconds: until it exists
	local i
	for ((i = 0; i < $2 * 10; i++)); do [ -e "$1" ] && return 0; sleep 0.1; done
	return 1
}
wait_gone() { # path seconds: until it no longer exists
	local i
	for ((i = 0; i < $2 * 10; i++)); do [ -e "$1" ] || return 0; sleep 0.1; done
	return 1
}
before=0
mark() { before=$(dmesg | wc -l); }
since_mark() { dmesg | tail -n +"$((before + 1))"; }
unload_all() { # the test's modules, if still loaded
	local m
	for m in ndis_ops edu_dma_c ndis_shim; do
		lsmod | grep -q "^$m " && rmmod "$m"
	done
	return 0
}
roundtrip() { # pci-name when: a verified edu_dma_c round trip (edu_dma_c loaded)
	local d=$DBG/edu_dma_c/$1 r
	if wait_for "$d/cmd" 10 && echo "roundtrip len=4096" >"$d/cmd"; then
		r=$(cat "$d/result"); echo "# $r"
		if [[ $r == ok*verified=1* ]]; then ok "verified round trip on $1 $2"; else notok "round trip on $1 $2: $r"; fi
	else
		notok "round trip on $1 $2: no edu_dma_c interface"
	fi
}
