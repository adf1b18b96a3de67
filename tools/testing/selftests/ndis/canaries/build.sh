#!/usr/bin/env bash
# Build the canary modules out of tree and copy the .ko files to OUTDIR.
#   build.sh KDIR OUTDIR
# The sources are copied to $NDIS_BUILD/canaries first so no object files
# land in the checkout.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../../../lib.sh"

[ $# -eq 2 ] || die "usage: $0 KDIR OUTDIR"
kdir=$1 out=$2
bdir=$NDIS_BUILD/canaries
mkdir -p "$bdir" "$out"
# cp -u keeps timestamps meaningful so make rebuilds only what changed.
cp -u "$here"/Kbuild "$here"/*.c "$bdir"/
make -s -C "$kdir" M="$bdir" LLVM=-"$LLVM_VERSION" modules
cp "$bdir"/canary_*.ko "$out"/
