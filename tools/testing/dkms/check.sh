#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms.conf: `dkms build` of the shim against the test kernel's build tree,
# with DKMS's source and module trees in a scratch directory (nothing under
# /usr/src, /var/lib/dkms or the kernel tree is written); and the one-line
# error of a tree without Rust metadata (a symlink copy of the test kernel's
# tree minus rust/*.rmeta, as a distribution's header package would be).
#
#   tools/testing/dkms/check.sh [KDIR]    (default: the test kernel's tree)
# Host-side: DKMS builds against a kernel tree, not the running kernel, so
# no VM is needed. Log: stdout; the last line says ok or what failed.
set -euo pipefail
. "$(dirname "$0")/../../lib.sh"

KDIR=${1:-${KDIR:-$("$NDIS_TOP/tools/build-kernel.sh" --print-kdir)}}
[ -f "$KDIR/.ndis-complete" ] || [ -f "$KDIR/Module.symvers" ] || die "no kernel build tree at $KDIR"
command -v dkms >/dev/null || PATH=$PATH:/usr/sbin:/sbin
command -v dkms >/dev/null || die "dkms not installed (tools/setup.sh installs Debian's dkms)"
KREL=$(cat "$KDIR/include/config/kernel.release")

# The kernel tree and its source are shared (the cache): this test runs in
# a mount namespace where both are read-only, so that nothing it builds can
# write there, not even through the symlinks of the copy below.
if [ -z "${NDIS_DKMS_RO:-}" ]; then
	rc=0
	NDIS_DKMS_RO=1 ro_kernel_tree "$KDIR" "$0" "$KDIR" || rc=$?
	[ "$rc" != 125 ] || die "cannot make $KDIR read-only in a mount namespace (needs root): not running"
	exit "$rc"
fi
touch "$KDIR/.ndis-dkms-probe" 2>/dev/null && { rm -f "$KDIR/.ndis-dkms-probe"; die "$KDIR is writable: refusing to run"; }
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$NDIS_TOP/dkms.conf")

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "dkms: FAIL: $*"; exit 1; }

# The source as `dkms add` of a clean checkout would copy it: the files git
# knows (committed or not), not build/.
src=$tmp/src/ndis-shim-$ver
mkdir -p "$src"
(cd "$NDIS_TOP" && git ls-files -co --exclude-standard -z | xargs -0 tar -cf - --) | tar -C "$src" -xf -

mkdir -p "$tmp/dkms"
stage "dkms: build ndis-shim/$ver for $KREL against $KDIR"
if ! dkms build -m ndis-shim -v "$ver" -k "$KREL" --kernelsourcedir "$KDIR" \
	--sourcetree "$tmp/src" --dkmstree "$tmp/dkms" >"$tmp/dkms.log" 2>&1; then
	cat "$tmp/dkms.log"
	tail -n 40 "$tmp/dkms/ndis-shim/$ver/build/make.log" 2>/dev/null || true
	fail "dkms build failed"
fi
ko=$(find "$tmp/dkms/ndis-shim/$ver/$KREL" -name 'ndis_shim.ko*' | head -n 1)
[ -n "$ko" ] || { cat "$tmp/dkms.log"; fail "dkms build made no ndis_shim.ko"; }
[ "$(modinfo -F vermagic "$ko" | awk '{print $1}')" = "$KREL" ] || fail "$ko: vermagic is not $KREL"
echo "dkms: built ${ko#"$tmp"/}"

stage "dkms: a tree without rust/*.rmeta says so in one line"
farm=$tmp/headers-only
cp -as "$KDIR" "$farm"
rm -f "$farm"/rust/*.rmeta "$farm/Makefile"
# The tree's Makefile names its own path: point it at the copy. (Kbuild
# writes nothing into the kernel tree for an external module, and this one
# stops while its Kbuild is read.)
printf 'export KBUILD_OUTPUT = %s\ninclude %s/Makefile\n' "$farm" "$(readlink -f "$KDIR/source")" >"$farm/Makefile"
rm -rf "$tmp/obj"
rc=0
make -C "$farm" M="$src" LLVM=-"$LLVM_VERSION" RUSTC=rustc modules >"$tmp/norust.log" 2>&1 || rc=$?
[ "$rc" != 0 ] || fail "the build against a tree without Rust metadata succeeded"
grep -q 'ndis-shim: .* has no Rust metadata (rust/libkernel.rmeta)' "$tmp/norust.log" ||
	{ cat "$tmp/norust.log"; fail "no one-line Rust metadata error"; }
grep -qE 'error\[E[0-9]+\]|rustc' "$tmp/norust.log" && { cat "$tmp/norust.log"; fail "rustc ran before the check"; }
echo "dkms: $(grep -m1 'has no Rust metadata' "$tmp/norust.log")"
echo "dkms: ok"
