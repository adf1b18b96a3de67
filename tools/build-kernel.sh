#!/usr/bin/env bash
# Configure and build the Rust-enabled test kernel into the cache, once.
#
# The build tree is keyed by kernel version, the config fragment and the
# toolchain, so a changed fragment or toolchain builds a new tree and an
# unchanged one is reused.
#
#   tools/build-kernel.sh              build if needed, print the tree's path last
#   tools/build-kernel.sh --print-kdir print the path only (may not exist yet)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

FRAGMENT=$NDIS_TOP/tools/kernel/ndis-shim.config
KSRC=$KERNEL_SRC_ROOT/$LINUX_SOURCE_PKG
KMAKE=(make -s LLVM=-"$LLVM_VERSION" RUSTC=rustc BINDGEN=bindgen)

kernel_key() {
	local kver
	kver=$(sed -n 's/^\(VERSION\|PATCHLEVEL\|SUBLEVEL\) = //p' "$KSRC/Makefile" 2>/dev/null | paste -sd.)
	[ -n "$kver" ] || kver=$KERNEL_SERIES
	printf '%s-%s\n' "$kver" "$({
		cat "$FRAGMENT"
		echo "llvm=$LLVM_VERSION rust=$RUST_TOOLCHAIN bindgen=$BINDGEN_VERSION vng=$VIRTME_NG_VERSION"
	} | sha256sum | cut -c1-12)"
}

KDIR=$NDIS_CACHE/kernel/$(kernel_key)
if [ "${1:-}" = --print-kdir ]; then
	echo "$KDIR"
	exit 0
fi

[ -f "$KSRC/Makefile" ] || die "kernel source missing at $KSRC: run tools/setup.sh (or 'make setup')"

mkdir -p "$KDIR"
exec 9>"$KDIR.lock"
flock 9

if [ -f "$KDIR/.ndis-complete" ]; then
	stage "test kernel cached: $KDIR"
	echo "$KDIR"
	exit 0
fi

cd "$KSRC"
[ "$("${KMAKE[@]}" rustavailable 2>&1 | tail -1)" = "Rust is available!" ] ||
	die "Rust is not available to the kernel build: $("${KMAKE[@]}" rustavailable 2>&1 | tail -3 | tr '\n' ' ')"

if [ ! -f "$KDIR/.config" ]; then
	stage "configuring: vng --kconfig + $(basename "$FRAGMENT")"
	run_logged "$KDIR/config.log" vng --kconfig O="$KDIR" LLVM=-"$LLVM_VERSION"
	run_logged "$KDIR/config.log" scripts/kconfig/merge_config.sh -m -O "$KDIR" "$KDIR/.config" "$FRAGMENT"
	run_logged "$KDIR/config.log" "${KMAKE[@]}" O="$KDIR" olddefconfig
	# Check the options the tests depend on survived olddefconfig.
	for opt in RUST DMA_API_DEBUG DEBUG_KMEMLEAK KUNIT INTEL_IOMMU PROVE_LOCKING \
		DEBUG_ATOMIC_SLEEP FAILSLAB FUNCTION_ERROR_INJECTION HOTPLUG_PCI KFENCE UBSAN_BOUNDS \
		DEBUG_LIST SOFTLOCKUP_DETECTOR DETECT_HUNG_TASK EVENT_TRACING NET_NS; do
		grep -q "^CONFIG_$opt=y" "$KDIR/.config" || die "CONFIG_$opt did not stick in $KDIR/.config (see $KDIR/config.log)"
	done
	for opt in E1000 PCNET32; do
		grep -q "^CONFIG_$opt=m" "$KDIR/.config" || die "CONFIG_$opt=m did not stick in $KDIR/.config (see $KDIR/config.log)"
	done
fi

jobs=$(($(nproc) + 1))
stage "building the test kernel with -j$jobs (about 15 minutes on 2 cores); log: $KDIR/build.log"
run_logged "$KDIR/build.log" "${KMAKE[@]}" O="$KDIR" -j"$jobs" bzImage modules
stage "preparing the tree for out-of-tree modules"
run_logged "$KDIR/build.log.2" "${KMAKE[@]}" O="$KDIR" modules_prepare
touch "$KDIR/.ndis-complete"
stage "test kernel built: $KDIR"
echo "$KDIR"
