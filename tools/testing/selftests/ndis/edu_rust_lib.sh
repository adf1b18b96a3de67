# SPDX-License-Identifier: GPL-2.0
# Shared by the edu_dma (Rust sample) tests (tests/3*-edu-rust-*.sh);
# sourced, not run. Module paths and edu devices (skip when missing),
# nested-KTAP check, and run for the sample's cmd/result test interface.
# shellcheck shell=bash
KO=${KO:-${NDIS_KO:-/work/main/build/ko}}
shim=$KO/ndis_shim.ko edu=$KO/edu_dma.ko
for ko in "$shim" "$edu"; do
	[ -f "$ko" ] || { echo "# SKIP $ko not built"; exit 4; }
done
devs=$(grep -l 0x11e8 /sys/bus/pci/devices/*/device 2>/dev/null | xargs -r -n1 dirname | xargs -r -n1 basename)
[ -n "$devs" ] || { echo "# SKIP no edu device"; exit 4; }

n=0 failed=0
out() { echo "    $*"; }
check() { # DESCRIPTION COMMAND...
	n=$((n + 1))
	local d=$1
	shift
	if "$@"; then out "ok $n $d"; else out "not ok $n $d"; failed=1; fi
}
D=/sys/kernel/debug/edu_dma
run() { # DEV CMD EXPECT-REGEX
	echo "$2" >"$D/$1/cmd" || return 1
	local r=''
	# read, not $(cat): a fork costs about 0.1 s in the TCG guest.
	IFS= read -r -d '' r <"$D/$1/result" || [ -n "$r" ] || return 1
	while [[ $r == *$'\n' ]]; do r=${r%$'\n'}; done
	echo "    # $1: $2 -> $r"
	[[ $r =~ $3 ]]
}
