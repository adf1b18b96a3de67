#!/usr/bin/env bash
# Install everything ndis-shim needs to build and test, idempotently.
#
# Debian packages, QEMU >= 9.1, the Linux source and the rust-src that matches
# rustc (downloaded and unpacked into the cache, not installed), bindgen-cli
# and virtme-ng. Versions come from tools/versions.env.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

APT_UPDATED=
apt_update() {
	[ -n "$APT_UPDATED" ] && return
	stage "apt-get update"
	as_root apt-get update -qq >/dev/null || die "apt-get update failed: check the machine's apt sources"
	APT_UPDATED=1
}

add_source() { # name suite
	local f=/etc/apt/sources.list.d/ndis-shim-$1.sources
	[ -f "$f" ] && return
	stage "adding apt source $2"
	as_root tee "$f" >/dev/null <<SRC
Types: deb
URIs: http://deb.debian.org/debian
Suites: $2
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	APT_UPDATED=
}

missing_pkgs() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || echo "$p"
	done
}

# --- Rust toolchain: comes with the machine, never downloaded here.
stage "checking Rust toolchain $RUST_TOOLCHAIN"
command -v rustup >/dev/null || die "rustup not found: install Rust $RUST_TOOLCHAIN with rustup (rustc, cargo, clippy, rustfmt)"
[ "$(rustc_version)" = "$RUST_TOOLCHAIN" ] ||
	die "rustc $RUST_TOOLCHAIN missing (rustup toolchain list shows: $(rustup toolchain list | tr '\n' ' ')); install it or change RUST_TOOLCHAIN in tools/versions.env"
for c in cargo-clippy rustfmt; do
	RUSTUP_TOOLCHAIN=$RUST_TOOLCHAIN $c --version >/dev/null 2>&1 ||
		warn "$c missing from toolchain $RUST_TOOLCHAIN: 'make CLIPPY=1' and format checks will be skipped"
done

# --- Debian packages.
. /etc/os-release
case "${VERSION_CODENAME:-}" in
bookworm | trixie) ;;
*) warn "untested distribution '${VERSION_CODENAME:-unknown}': Debian 12 or 13 expected" ;;
esac
BASE_SUITE=${VERSION_CODENAME:-bookworm}
add_source "$KERNEL_SUITE" "$KERNEL_SUITE"
if [ "$BASE_SUITE" = bookworm ]; then
	add_source "$QEMU_SUITE" "$QEMU_SUITE"
fi

PKGS="bison flex libelf-dev libssl-dev cpio bc kmod pciutils udev busybox-static
 clang-$LLVM_VERSION lld-$LLVM_VERSION llvm-$LLVM_VERSION libclang-$LLVM_VERSION-dev
 python3-venv xz-utils rsync socat jq dwarves"
# What the in-guest tests run (the guest runs this machine's root file
# system): the e1000 traffic test's ping -f (iputils; busybox's ping has no
# flood), iperf3, tcpdump, ethtool, ip/ss (socat and jq are above).
PKGS+=" iputils-ping iperf3 tcpdump ethtool iproute2"
missing=$(missing_pkgs $PKGS)
if [ -n "$missing" ]; then
	apt_update
	stage "installing packages:" $missing
	# Pin to the base suite: the backports sources must not win.
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t "$BASE_SUITE" $missing >/dev/null ||
		die "apt-get install failed for: $missing"
fi

# DKMS for the dkms.conf test (tools/testing/dkms/check.sh), without its
# recommends (the distribution's kernel headers: the test builds against
# the test kernel's own tree).
if [ -n "$(missing_pkgs dkms)" ]; then
	apt_update
	stage "installing dkms"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -t "$BASE_SUITE" dkms >/dev/null ||
		die "apt-get install failed for: dkms"
fi

qemu_ok() {
	command -v qemu-system-x86_64 >/dev/null || return 1
	local v
	v=$(qemu-system-x86_64 --version | sed -n 's/.*version \([0-9]*\.[0-9]*\).*/\1/p')
	[ "$(printf '%s\n%s\n' "$QEMU_MIN_VERSION" "$v" | sort -V | head -1)" = "$QEMU_MIN_VERSION" ]
}
if ! qemu_ok; then
	apt_update
	stage "installing qemu-system-x86 (>= $QEMU_MIN_VERSION)"
	suite=$BASE_SUITE
	[ "$BASE_SUITE" = bookworm ] && suite=$QEMU_SUITE
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t "$suite" qemu-system-x86 >/dev/null ||
		die "could not install qemu-system-x86 from $suite"
	qemu_ok || die "QEMU >= $QEMU_MIN_VERSION needed, have: $(qemu-system-x86_64 --version | head -1)"
fi

# --- Downloaded-and-unpacked packages.
fetch_deb() { # pkg version fallback-regex dest
	local pkg=$1 ver=$2 series=$3 dest=$4 tmp got
	tmp=$(mktemp -d)
	apt_update
	if ! (cd "$tmp" && apt-get download -qq "$pkg=$ver" >/dev/null 2>&1); then
		[ -n "$series" ] || die "$pkg=$ver is not in the archive, and nothing else will do; update tools/versions.env"
		got=$(apt-cache madison "$pkg" | awk -v r="$series" '$3 ~ r {print $3}' | sort -V | tail -1)
		[ -n "$got" ] || die "$pkg: neither $ver nor any $series version in the archive"
		warn "$pkg=$ver has left the archive; using $got instead"
		(cd "$tmp" && apt-get download -qq "$pkg=$got" >/dev/null) || die "could not download $pkg=$got"
	fi
	mkdir -p "$dest"
	dpkg-deb -x "$tmp"/*.deb "$dest"
	rm -rf "$tmp"
}

mkdir -p "$NDIS_CACHE" "$TOOLS_BIN"

if [ ! -f "$RUST_LIB_SRC/core/src/lib.rs" ]; then
	stage "fetching rust-src $RUST_SRC_VERSION (must match rustc $RUST_TOOLCHAIN)"
	rm -rf "$RUST_SRC_DIR"
	fetch_deb rust-src "$RUST_SRC_VERSION" "" "$RUST_SRC_DIR"
	[ -f "$RUST_LIB_SRC/core/src/lib.rs" ] || die "rust-src unpacked but $RUST_LIB_SRC is missing"
fi

KTAR=$KERNEL_SRC_ROOT/usr/src/$LINUX_SOURCE_PKG.tar.xz
if [ ! -f "$KERNEL_SRC_ROOT/.unpacked" ]; then
	if [ ! -f "$KTAR" ]; then
		stage "fetching $LINUX_SOURCE_PKG $LINUX_SOURCE_VERSION (about 170 MB)"
		fetch_deb "$LINUX_SOURCE_PKG" "$LINUX_SOURCE_VERSION" "^$KERNEL_SERIES\\." "$KERNEL_SRC_ROOT"
	fi
	stage "unpacking the kernel source (about 1.8 GB)"
	tar -C "$KERNEL_SRC_ROOT" -xaf "$KTAR"
	touch "$KERNEL_SRC_ROOT/.unpacked"
fi

# --- crates.io and PyPI tools.
if [ "$(bindgen --version 2>/dev/null | awk '{print $2}')" != "$BINDGEN_VERSION" ]; then
	stage "installing bindgen-cli $BINDGEN_VERSION from crates.io (about a minute)"
	run_logged "$NDIS_CACHE/bindgen-install.log" \
		cargo install --quiet --locked --root "$NDIS_CACHE" bindgen-cli --version "$BINDGEN_VERSION"
fi

if [ "$("$VENV/bin/vng" --version 2>/dev/null | awk '{print $NF}')" != "$VIRTME_NG_VERSION" ]; then
	stage "installing virtme-ng $VIRTME_NG_VERSION into $VENV"
	python3 -m venv "$VENV"
	run_logged "$NDIS_CACHE/virtme-install.log" \
		"$VENV/bin/pip" install -q "virtme-ng==$VIRTME_NG_VERSION"
fi

# matplotlib for `make bench`'s plot (tools/bench.sh), in the same venv.
if [ "$("$VENV/bin/python3" -c 'import matplotlib; print(matplotlib.__version__)' 2>/dev/null)" != "$MATPLOTLIB_VERSION" ]; then
	stage "installing matplotlib $MATPLOTLIB_VERSION into $VENV"
	run_logged "$NDIS_CACHE/matplotlib-install.log" \
		"$VENV/bin/pip" install -q "matplotlib==$MATPLOTLIB_VERSION"
fi

# Sphinx for `make htmldocs` and make check's docs build, same venv.
if [ "$("$VENV/bin/sphinx-build" --version 2>/dev/null | awk '{print $NF}')" != "$SPHINX_VERSION" ]; then
	stage "installing sphinx $SPHINX_VERSION into $VENV"
	run_logged "$NDIS_CACHE/sphinx-install.log" \
		"$VENV/bin/pip" install -q "sphinx==$SPHINX_VERSION"
fi

stage "setup complete: cache in $NDIS_CACHE"
