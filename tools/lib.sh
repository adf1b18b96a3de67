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

# Run a long command quietly: its output goes to LOG, a line a minute
# shows it is alive, and on failure the log's tail is shown.
run_logged() {
	run_logged_objs "$1" "" 0 "${@:2}"
}

# Seconds and a rough duration for progress lines: 75 -> 1m15s.
fmt_secs() {
	if [ "$1" -ge 60 ]; then printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); else printf '%ds' "$1"; fi
}

# One progress line for a build writing objects into DIR: built of the
# expected TOTAL, percent, elapsed and a time left from the rate so far
# (objects built since START0 objects were there at second T0).
progress_line() { # DIR TOTAL START0 T0
	local n pct el left=''
	n=$(find "$1" -name '*.o' 2>/dev/null | wc -l)
	el=$(($(date +%s) - $4))
	if [ "$2" -gt 0 ]; then
		# The total is an estimate: never claim 100% before the end.
		pct=$((n * 100 / $2))
		[ "$pct" -le 99 ] || pct=99
		if [ "$n" -gt "$3" ] && [ "$n" -lt "$2" ]; then
			left=", about $(fmt_secs $((($2 - n) * el / (n - $3)))) left"
		elif [ "$n" -ge "$2" ]; then
			left=", finishing (past the expected total)"
		fi
		echo "  $n/~$2 objects ($pct%), $(fmt_secs "$el") elapsed$left"
	else
		echo "  $n objects, $(fmt_secs "$el") elapsed"
	fi
}

# run_logged_objs LOG DIR TOTAL CMD...: run_logged with a progress line
# every NDIS_PROGRESS_INTERVAL seconds (60) counting the *.o files in DIR
# against the expected TOTAL (DIR empty: only "still running"). One line a
# minute keeps a CI log short; on failure the log's last 40 lines are shown.
run_logged_objs() {
	local log=$1 dir=$2 total=$3
	shift 3
	local every=${NDIS_PROGRESS_INTERVAL:-60} t0 last n0=0 tick=5
	[ "$every" -ge "$tick" ] || tick=$every
	t0=$(date +%s) last=$t0
	[ -z "$dir" ] || n0=$(find "$dir" -name '*.o' 2>/dev/null | wc -l)
	"$@" >"$log" 2>&1 &
	local pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		sleep "$tick"
		kill -0 "$pid" 2>/dev/null || break
		if [ $(($(date +%s) - last)) -ge "$every" ]; then
			last=$(date +%s)
			if [ -n "$dir" ]; then
				stage "$(progress_line "$dir" "$total" "$n0" "$t0")"
			else
				stage "  ... still running, $(fmt_secs $((last - t0))) elapsed ($(wc -l <"$log") log lines)"
			fi
		fi
	done
	if ! wait "$pid"; then
		tail -n 40 "$log" >&2
		die "'$*' failed after $(fmt_secs $(($(date +%s) - t0))); full log: $log"
	fi
}

# ro_kernel_tree KDIR CMD...: run CMD in a mount namespace where the kernel
# build tree KDIR and its source are read-only, so that nothing built
# against the shared cached tree can write into it (not even through a
# symlink). Needs root (unshare -m); fails if the namespace cannot be made.
ro_kernel_tree() {
	local kdir=$1 ksrc
	shift
	ksrc=$(readlink -f "$kdir/source" 2>/dev/null || echo "$kdir")
	unshare -m --propagation private bash -c '
		for d in "$1" "$2"; do
			mount --bind "$d" "$d" && mount -o remount,bind,ro "$d" "$d" || exit 125
		done
		exec "${@:3}"' _ "$kdir" "$ksrc" "$@"
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

# bench_kernel debug|production: the benchmarks' kernel tree and modules,
# in BENCH_KDIR and BENCH_KO (BENCH_KERNEL: the name). `debug` is the test
# kernel with $NDIS_BUILD/ko; `production` (tools/kernel/production.config)
# is built once and cached, its modules built into $NDIS_BUILD/production
# (Kbuild's MO=) so that neither clobbers the other's objects.
bench_kernel() {
	BENCH_KERNEL=$1
	case $1 in
	debug)
		BENCH_KDIR=$("$NDIS_TOP/tools/build-kernel.sh" --print-kdir)
		BENCH_KO=$NDIS_BUILD/ko
		;;
	production)
		stage "bench: the production kernel and its modules"
		NDIS_KERNEL_FLAVOR=production "$NDIS_TOP/tools/build-kernel.sh" >/dev/null
		BENCH_KDIR=$(NDIS_KERNEL_FLAVOR=production "$NDIS_TOP/tools/build-kernel.sh" --print-kdir)
		NDIS_KERNEL_FLAVOR=production NDIS_BUILD=$NDIS_BUILD/production "$NDIS_TOP/tools/build-modules.sh"
		BENCH_KO=$NDIS_BUILD/production/ko
		;;
	*) die "unknown kernel '$1' (debug, production)" ;;
	esac
}
