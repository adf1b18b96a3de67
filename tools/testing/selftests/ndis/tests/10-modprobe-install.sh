#!/usr/bin/env bash
# `make install`'s script (tools/install.sh) into a scratch INSTALL_MOD_PATH
# (never the kernel tree's module directory, which the guest sees): the shim
# and the samples land in lib/modules/$(uname -r)/extra, depmod records that
# every sample needs ndis_shim, and `modprobe -d SCRATCH edu_dma_c` loads
# ndis_shim first by itself; `modprobe -r` takes both away again.
# Prints nested KTAP; exits 0 only if every subtest passed (4: skipped).
set -uo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../../.." && pwd)
[ -f "$NDIS_KO/ndis_shim.ko" ] || { echo "# SKIP $NDIS_KO/ndis_shim.ko not built"; exit 4; }
[ -x "$top/tools/install.sh" ] || { echo "# SKIP no tools/install.sh under $top"; exit 4; }

n=0 failed=0
check() { # DESCRIPTION COMMAND...: one KTAP subtest line
	n=$((n + 1))
	local d=$1
	shift
	if "$@"; then echo "ok $n $d"; else echo "not ok $n $d"; failed=1; fi
}
loaded() { [ -e "/sys/module/$1" ]; }
not_loaded() { [ ! -e "/sys/module/$1" ]; }

# The test's own output directory: writable in the guest (the rest of
# the host's file system is read-only there), kept when a check failed.
scratch=${NDIS_OUT:-$(mktemp -d)}/modroot
rm -rf "$scratch"
mkdir -p "$scratch"
krel=$(uname -r)
extra=$scratch/lib/modules/$krel/extra

echo "KTAP version 1"
echo "1..9"
check "tools/install.sh into INSTALL_MOD_PATH" \
	env INSTALL_MOD_PATH="$scratch" NDIS_BUILD="$scratch/unused" "$top/tools/install.sh" --ko-dir "$NDIS_KO" --krel "$krel"
check "shim and samples in extra/" \
	test -f "$extra/ndis_shim.ko" -a -f "$extra/edu_dma_c.ko" -a -f "$extra/edu_dma.ko" -a -f "$extra/edu_dma_ndis5.ko" -a -f "$extra/e1000_ndis6.ko"
check "no test module installed" test ! -e "$extra/ndis_stress.ko"
check "modules.dep: edu_dma_c needs ndis_shim" \
	grep -qx 'extra/edu_dma_c.ko: extra/ndis_shim.ko' "$scratch/lib/modules/$krel/modules.dep"
check "ndis_shim not loaded before" not_loaded ndis_shim
check "modprobe -d SCRATCH edu_dma_c" modprobe -d "$scratch" edu_dma_c
check "ndis_shim loaded by modprobe as edu_dma_c's dependency" loaded ndis_shim
echo "# $(grep -E '^(ndis_shim|edu_dma_c) ' /proc/modules | awk '{print $1 " used by " $4}' | paste -sd';')"
check "modprobe -r edu_dma_c" modprobe -r -d "$scratch" edu_dma_c
check "ndis_shim unloaded with it" not_loaded ndis_shim
[ "$failed" = 1 ] || rm -rf "$scratch"
exit "$failed"
