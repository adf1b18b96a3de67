# Shared helpers for the tools/ scripts. Source it; do not run it.
# shellcheck shell=bash

NDIS_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=versions.env
. "$NDIS_TOP/tools/versions.env"

# Everything large lives outside the checkout, shared by every clone.
NDIS_CACHE=${NDIS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ndis-shim}
NDIS_BUILD=${NDIS_BUILD:-$NDIS_TOP/build}
NDIS_T0=${NDIS_T0:-$(date +%s)}
export NDIS_CACHE NDIS_T0

stage() {
	printf '[%4ss] %s\n' "$(($(date +%s) - NDIS_T0))" "$*"
}

warn() {
	printf 'ndis-shim: warning: %s\n' "$*" >&2
}

die() {
	printf 'ndis-shim: error: %s\n' "$*" >&2
	exit 1
}

as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif command -v sudo >/dev/null; then
		sudo "$@"
	else
		die "need root for '$*': run as root or install sudo"
	fi
}

# Run a long command quietly: its output goes to LOG, a dot a minute shows
# it is alive, and on failure the log's tail is shown.
run_logged() {
	local log=$1
	shift
	"$@" >"$log" 2>&1 &
	local pid=$! n=0
	while kill -0 "$pid" 2>/dev/null; do
		sleep 5
		n=$((n + 1))
		if [ $((n % 12)) -eq 0 ]; then
			stage "  ... still running ($(wc -l <"$log") log lines)"
		fi
	done
	if ! wait "$pid"; then
		tail -n 40 "$log" >&2
		die "'$*' failed; full log: $log"
	fi
}

rustc_version() {
	RUSTUP_TOOLCHAIN=$RUST_TOOLCHAIN rustc --version 2>/dev/null | awk '{print $2}'
}

# Paths derived from the pins.
RUST_SRC_DIR=$NDIS_CACHE/rust-src/$RUST_TOOLCHAIN
RUST_LIB_SRC=$RUST_SRC_DIR/usr/src/rustc-$RUST_TOOLCHAIN/library
KERNEL_SRC_ROOT=$NDIS_CACHE/src
VENV=$NDIS_CACHE/venv
TOOLS_BIN=$NDIS_CACHE/bin
export PATH="$TOOLS_BIN:$VENV/bin:$HOME/.cargo/bin:$PATH"
export RUSTUP_TOOLCHAIN=$RUST_TOOLCHAIN
export LIBCLANG_PATH=/usr/lib/llvm-$LLVM_VERSION/lib
export RUST_LIB_SRC
