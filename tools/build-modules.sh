#!/usr/bin/env bash
# Build ndis_shim.ko, then every module that links against it (samples,
# selftest modules, canaries), each as its own out-of-tree build the way a
# user's miniport is built: against the shim's Module.symvers.
#
#   tools/build-modules.sh [--kdir DIR] [--clippy] [--clean]
# The .ko files are copied to $NDIS_BUILD/ko. Any compiler warning fails.
# Objects go to $NDIS_BUILD/obj (Kbuild's MO=), mirroring the checkout, never
# into it: two NDIS_BUILD directories (the test and the KASAN kernel's) then
# build side by side. DIR defaults to tools/build-kernel.sh's tree, which
# honours NDIS_KERNEL_FLAVOR.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

KDIR=
CLIPPY=
CLEAN=
while [ $# -gt 0 ]; do
	case $1 in
	--kdir) KDIR=$2; shift ;;
	--clippy) CLIPPY=1 ;;
	--clean) CLEAN=1 ;;
	*) die "unknown argument $1" ;;
	esac
	shift
done
KDIR=${KDIR:-$("$NDIS_TOP/tools/build-kernel.sh" --print-kdir)}
[ -f "$KDIR/Module.symvers" ] || die "no kernel build tree at $KDIR: run 'make kernel' or pass KDIR="
grep -q '^CONFIG_RUST=y' "$KDIR/.config" 2>/dev/null || die "$KDIR: kernel without Rust (CONFIG_RUST is not y): the shim needs a Rust-enabled kernel"
[ -f "$KDIR/rust/libkernel.rmeta" ] || die "$KDIR has no Rust metadata (rust/libkernel.rmeta): headers-only trees cannot build Rust modules, use the kernel's full build tree"

KMAKE=(make -C "$KDIR" LLVM=-"$LLVM_VERSION" RUSTC=rustc BINDGEN=bindgen)
[ -n "$CLIPPY" ] && KMAKE+=(CLIPPY=1)
OBJ=$NDIS_BUILD/obj

# Directories holding a Kbuild of their own, built after the shim.
extmod_dirs() {
	# The canaries are built by their own canaries/build.sh (out of the tree).
	find "$NDIS_TOP/samples" "$NDIS_TOP/tools/testing/selftests/ndis" \
		-name Kbuild -not -path '*/canaries/*' -printf '%h\n' 2>/dev/null | sort
}

# Objects an older build-modules.sh left in the checkout (it built with M=
# alone): Kbuild refuses MO= while the source directory holds a
# modules.order, and its VPATH would pick up stale objects there. Deleted
# here, directory by directory: `make M=. clean` would search the whole
# checkout and take $NDIS_BUILD's objects with it. All these names are in
# .gitignore.
clean_in_tree() {
	find "$NDIS_TOP" "$NDIS_TOP/rust" "$NDIS_TOP/tools/testing/edu-test" $(extmod_dirs) \
		-maxdepth 1 -type f \( -name '*.o' -o -name '*.ko' -o -name '*.mod' -o -name '*.mod.c' \
		-o -name '.*.cmd' -o -name modules.order -o -name Module.symvers \) -delete
}

if [ -n "$CLEAN" ]; then
	clean_in_tree
	rm -rf "$OBJ"
	exit 0
fi

clean_in_tree
# Objects of another kernel tree: Kbuild would not rebuild them all (their
# dependencies on the old tree's headers are still met), so start over.
if [ "$(cat "$OBJ/.kdir" 2>/dev/null)" != "$KDIR" ]; then
	rm -rf "$OBJ"
	mkdir -p "$OBJ"
	echo "$KDIR" >"$OBJ/.kdir"
fi
mkdir -p "$NDIS_BUILD/logs" "$NDIS_BUILD/ko"
rm -f "$NDIS_BUILD"/ko/*.ko

build_one() { # dir
	local d=$1 rel name log mo
	rel=$(realpath --relative-to="$NDIS_TOP" "$d")
	name=$rel
	[ "$name" = . ] && name=ndis_shim
	log=$NDIS_BUILD/logs/build-${name//\//_}.log
	# The mirror keeps a Kbuild's ../../ objects (tools/testing/edu-test)
	# inside $OBJ.
	mo=$OBJ/$rel
	mkdir -p "$mo"
	local extra=()
	[ "$d" != "$NDIS_TOP" ] && extra=(KBUILD_EXTRA_SYMBOLS="$OBJ/Module.symvers")
	if ! "${KMAKE[@]}" M="$d" MO="$mo" "${extra[@]}" modules >"$log" 2>&1; then
		cat "$log" >&2
		die "module build failed in $name (log: $log)"
	fi
	if grep -qiE '(^|[^-])warning[:\[]' "$log"; then
		grep -iE -A4 '(^|[^-])warning[:\[]' "$log" >&2
		die "warnings in $name: the module build must be warning-free (log: $log)"
	fi
	find "$mo" -maxdepth 1 -name '*.ko' -exec cp {} "$NDIS_BUILD/ko/" \;
}

# The Rust view of ndis.h is generated and committed: a header edited
# without regenerating it must not build.
if command -v bindgen >/dev/null; then
	"$NDIS_TOP/tools/gen-abi.sh" --check
else
	warn "bindgen not found: not checking rust/abi/ against include/ndis.h (run tools/setup.sh)"
fi

stage "building modules against $KDIR${CLIPPY:+ (with clippy)}"
build_one "$NDIS_TOP"
for d in $(extmod_dirs); do
	build_one "$d"
done
stage "modules: $(cd "$NDIS_BUILD/ko" && ls ./*.ko | xargs -n1 basename | tr '\n' ' ')"
