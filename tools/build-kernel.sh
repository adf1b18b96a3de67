#!/usr/bin/env bash
# Configure and build the Rust-enabled test kernel into the cache, once.
#
# The build tree is keyed by kernel version, the config fragments and the
# toolchain, so a changed fragment or toolchain builds a new tree and an
# unchanged one is reused.
#
#   tools/build-kernel.sh              build if needed, print the tree's path last
#   tools/build-kernel.sh --print-kdir print the path only (may not exist yet)
#
# Stages and progress go to stderr, the path alone to stdout, so that
# `tools/build-kernel.sh >/dev/null` still shows what the build is doing.
# During the build a progress line comes once a minute
# (NDIS_PROGRESS_INTERVAL): objects built of the expected total, percent,
# elapsed, time left. The expected total is the object count of the last
# complete build of the same flavour, kept beside the cache in
# $NDIS_CACHE/kernel/<flavour>.objects; before any build, the count
# measured on this flavour's configuration (EXPECTED_OBJECTS below).
#
# NDIS_KERNEL_FLAVOR picks the kernel: unset or "test", the one `make check`
# uses; "kasan", the same with tools/kernel/kasan.config merged on top
# (`make check-kasan`), cached in a tree of its own; "production", the same
# source with tools/kernel/production.config's debugging layers off, which
# `make bench` runs beside the test kernel.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

FLAVOR=${NDIS_KERNEL_FLAVOR:-test}
FRAGMENTS=("$NDIS_TOP/tools/kernel/ndis-shim.config")
# Options each flavour's tests depend on: checked after olddefconfig.
WANT_Y=(RUST INTEL_IOMMU SWIOTLB HOTPLUG_PCI EVENT_TRACING NET_NS)
DEBUG_OPTS=(DMA_API_DEBUG DEBUG_KMEMLEAK KUNIT PROVE_LOCKING DEBUG_ATOMIC_SLEEP
	FAILSLAB FUNCTION_ERROR_INJECTION UBSAN_BOUNDS DEBUG_LIST SOFTLOCKUP_DETECTOR
	DETECT_HUNG_TASK)
WANT_N=()
case $FLAVOR in
test) WANT_Y+=("${DEBUG_OPTS[@]}" KFENCE) ;;
kasan)
	FRAGMENTS+=("$NDIS_TOP/tools/kernel/kasan.config")
	WANT_Y+=("${DEBUG_OPTS[@]}" KASAN KASAN_GENERIC KASAN_INLINE KASAN_VMALLOC)
	WANT_N+=(KFENCE)
	;;
production)
	FRAGMENTS+=("$NDIS_TOP/tools/kernel/production.config")
	WANT_N+=(DMA_API_DEBUG DEBUG_KMEMLEAK PROVE_LOCKING DEBUG_LOCK_ALLOC DEBUG_SPINLOCK
		DEBUG_ATOMIC_SLEEP KFENCE UBSAN DEBUG_LIST FAILSLAB KASAN)
	;;
*) die "unknown NDIS_KERNEL_FLAVOR '$FLAVOR' (test, kasan, production)" ;;
esac
# *.o files in a complete tree of each flavour (7.3.4, measured; the
# production and KASAN figures are the test flavour's, close enough for a
# progress line).
EXPECTED_OBJECTS=2361
KSRC=$KERNEL_SRC_ROOT/$LINUX_SOURCE_PKG
KMAKE=(make -s LLVM=-"$LLVM_VERSION" RUSTC=rustc BINDGEN=bindgen)

kernel_key() {
	local kver
	kver=$(sed -n 's/^\(VERSION\|PATCHLEVEL\|SUBLEVEL\) = //p' "$KSRC/Makefile" 2>/dev/null | paste -sd.)
	[ -n "$kver" ] || kver=$KERNEL_SERIES
	# The test flavour's name and hash are what they were before flavours
	# existed, so that its cached tree stays valid.
	[ "$FLAVOR" = test ] || kver+=-$FLAVOR
	printf '%s-%s\n' "$kver" "$({
		cat "${FRAGMENTS[@]}"
		echo "llvm=$LLVM_VERSION rust=$RUST_TOOLCHAIN bindgen=$BINDGEN_VERSION vng=$VIRTME_NG_VERSION"
	} | sha256sum | cut -c1-12)"
}

KDIR=$NDIS_CACHE/kernel/$(kernel_key)
if [ "${1:-}" = --print-kdir ]; then
	echo "$KDIR"
	exit 0
fi

# Stages to stderr; the path to the original stdout (fd 3).
exec 3>&1 1>&2

[ -f "$KSRC/Makefile" ] || die "kernel source missing at $KSRC: run tools/setup.sh (or 'make setup')"

mkdir -p "$KDIR"
exec 9>"$KDIR.lock"
flock 9

if [ -f "$KDIR/.ndis-complete" ]; then
	stage "$FLAVOR kernel cached: $KDIR"
	echo "$KDIR" >&3
	exit 0
fi

cd "$KSRC"
[ "$("${KMAKE[@]}" rustavailable 2>&1 | tail -1)" = "Rust is available!" ] ||
	die "Rust is not available to the kernel build: $("${KMAKE[@]}" rustavailable 2>&1 | tail -3 | tr '\n' ' ')"

if [ ! -f "$KDIR/.config" ]; then
	stage "configuring: vng --kconfig + $(basename -a "${FRAGMENTS[@]}" | paste -sd+)"
	run_logged "$KDIR/config.log" vng --kconfig O="$KDIR" LLVM=-"$LLVM_VERSION"
	run_logged "$KDIR/config.log" scripts/kconfig/merge_config.sh -m -O "$KDIR" "$KDIR/.config" "${FRAGMENTS[@]}"
	run_logged "$KDIR/config.log" "${KMAKE[@]}" O="$KDIR" olddefconfig
	# Check the options the tests depend on survived olddefconfig.
	for opt in "${WANT_Y[@]}"; do
		grep -q "^CONFIG_$opt=y" "$KDIR/.config" || die "CONFIG_$opt did not stick in $KDIR/.config (see $KDIR/config.log)"
	done
	for opt in "${WANT_N[@]}"; do
		! grep -q "^CONFIG_$opt=" "$KDIR/.config" || die "CONFIG_$opt is still set in $KDIR/.config (see $KDIR/config.log)"
	done
	for opt in E1000 PCNET32; do
		grep -q "^CONFIG_$opt=m" "$KDIR/.config" || die "CONFIG_$opt=m did not stick in $KDIR/.config (see $KDIR/config.log)"
	done
fi

jobs=$(($(nproc) + 1))
OBJCOUNT=$NDIS_CACHE/kernel/$FLAVOR.objects
expected=$(cat "$OBJCOUNT" 2>/dev/null || echo "$EXPECTED_OBJECTS")
stage "building the $FLAVOR kernel with -j$jobs (about 15 minutes on 2 cores, ~$expected objects); log: $KDIR/build.log"
run_logged_objs "$KDIR/build.log" "$KDIR" "$expected" "${KMAKE[@]}" O="$KDIR" -j"$jobs" bzImage modules
stage "preparing the tree for out-of-tree modules"
run_logged "$KDIR/build.log.2" "${KMAKE[@]}" O="$KDIR" modules_prepare
find "$KDIR" -name '*.o' | wc -l >"$OBJCOUNT"
touch "$KDIR/.ndis-complete"
stage "$FLAVOR kernel built: $KDIR ($(cat "$OBJCOUNT") objects)"
echo "$KDIR" >&3
