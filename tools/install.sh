#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make install`: ndis_shim.ko and the sample miniports into
# $INSTALL_MOD_PATH/lib/modules/<kernel>/extra, then depmod, so that
# `modprobe edu_dma_c` loads ndis_shim first by itself.
#
#   tools/install.sh [--ko-dir DIR] [--krel RELEASE]
# DIR: the built modules (default $NDIS_BUILD/ko, from tools/build-modules.sh).
# RELEASE: the kernel they were built for (default: KDIR's
# include/config/kernel.release; KDIR defaults to the test kernel's tree).
# INSTALL_MOD_PATH (default empty: this machine's /lib/modules, as root)
# installs into a staging root instead, like the kernel's modules_install;
# depmod then runs with -b on it. The test modules are not installed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

KO=$NDIS_BUILD/ko
KREL=
while [ $# -gt 0 ]; do
	case $1 in
	--ko-dir) KO=$2; shift ;;
	--krel) KREL=$2; shift ;;
	*) die "unknown argument $1" ;;
	esac
	shift
done
if [ -z "$KREL" ]; then
	KDIR=${KDIR:-$("$NDIS_TOP/tools/build-kernel.sh" --print-kdir)}
	KREL=$(cat "$KDIR/include/config/kernel.release" 2>/dev/null) ||
		die "no kernel release in $KDIR/include/config/kernel.release: build the kernel ('make kernel') or pass KDIR="
fi
command -v depmod >/dev/null || PATH=$PATH:/sbin:/usr/sbin
command -v depmod >/dev/null || die "depmod not found: install kmod"

# The shim and every sample's obj-m, by name from the samples' Kbuild files.
mods=(ndis_shim)
for kb in "$NDIS_TOP"/samples/*/Kbuild; do
	read -ra objs < <(sed -n 's/^obj-m[[:space:]]*[:+]\?=[[:space:]]*//p' "$kb" | sed 's/\.o\b//g')
	mods+=("${objs[@]}")
done

root=${INSTALL_MOD_PATH:-}
dest=$root/lib/modules/$KREL/extra
stage "installing ${mods[*]} into $dest"
for m in "${mods[@]}"; do
	[ -f "$KO/$m.ko" ] || die "$KO/$m.ko not built: run 'make modules' first"
done
mkdir -p "$dest"
for m in "${mods[@]}"; do
	install -m 644 "$KO/$m.ko" "$dest/"
done
# A staging root has no kernel installed: give depmod the kernel's lists
# (what modules_install copies) so that it knows the built-in modules.
kmods=$root/lib/modules/$KREL
for f in modules.builtin modules.builtin.modinfo; do
	[ -e "$kmods/$f" ] || [ ! -f "${KDIR:-}/$f" ] || install -m 644 "$KDIR/$f" "$kmods/"
done
[ -e "$kmods/modules.order" ] || : >"$kmods/modules.order"
stage "depmod $KREL${root:+ in $root}"
depmod ${root:+-b "$root"} "$KREL"
