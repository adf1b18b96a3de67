#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms.conf's MAKE: build ndis_shim.ko in DKMS's copy of the source (the
# current directory) against KDIR.
#
#   tools/dkms-make.sh KDIR [VAR=VALUE...]
# DKMS appends CC=clang and LD=ld.lld for a clang-built kernel; a Debian
# machine has clang-NN, not clang, so those two are replaced by LLVM=-NN,
# NN the major version in KDIR's .config (CONFIG_CLANG_VERSION), when
# clang-NN is installed (else LLVM=1). NDIS_LLVM overrides the choice.
# rustc must be the version the kernel was built with (RUSTUP_TOOLCHAIN).
set -euo pipefail
kdir=${1:?usage: tools/dkms-make.sh KDIR [VAR=VALUE...]}
shift
major=$(sed -n 's/^CONFIG_CLANG_VERSION=\([0-9]*\)[0-9][0-9][0-9][0-9]$/\1/p' "$kdir/.config" 2>/dev/null || true)
if [ -n "${NDIS_LLVM:-}" ]; then
	llvm=$NDIS_LLVM
elif [ -n "$major" ] && command -v "clang-$major" >/dev/null; then
	llvm=-$major
elif [ -n "$major" ]; then
	llvm=1
else
	llvm=
fi
args=()
for a in "$@"; do
	case $a in
	CC=clang | LD=ld.lld) [ -n "$llvm" ] || args+=("$a") ;;
	*) args+=("$a") ;;
	esac
done
exec make -C "$kdir" M="$PWD" ${llvm:+LLVM="$llvm"} RUSTC="${RUSTC:-rustc}" "${args[@]}" modules
