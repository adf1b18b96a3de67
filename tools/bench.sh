#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: what NdisMSetupDmaTransfer + NdisMCompleteDmaTransfer cost
# through the shim against the raw Linux DMA API, in each DMA configuration,
# on two kernels built from the same source.
#
#   tools/bench.sh [CONFIG...]        CONFIG: plain iommu swiotlb (default: all)
#
# Kernels (NDIS_BENCH_KERNELS, default "debug production"): `debug` is the
# test kernel `make check` uses (lockdep, DMA-API debug, kmemleak built in;
# switched off at boot or run time where they can be), with the modules in
# $NDIS_BUILD/ko; `production` is the same source and fragment with
# tools/kernel/production.config's debugging layers compiled out, built once
# and cached beside it (tools/build-kernel.sh, NDIS_KERNEL_FLAVOR=production),
# with its own modules built into $NDIS_BUILD/production (Kbuild's MO=), so
# neither clobbers the other's objects or Module.symvers.
#
# Per kernel and config: one VM with wall-clock guest time, then one with QEMU
# `-icount shift=0` (guest time counts instructions: repeatable, and blind to
# host load). In each the guest loads ndis_shim.ko and the benchmark
# miniport (tools/testing/selftests/ndis/bench/) and runs it once; debug
# layers off (dma_debug=off kmemleak=off; lockdep validation off at run
# time). `mem=256M` keeps all guest memory, the swiotlb pool included,
# inside edu's 28-bit DMA reach, so the raw DMA API can serve the same
# device in every config.
#
# Output: build/bench/results.csv (with the machine as comment lines and a
# `kernel` column), a table on stdout, and Documentation/performance.png.
# Raw per-VM output in build/bench/<kernel>/<config>-<mode>/.
#
# Environment: NDIS_BENCH_MODES (default "wall icount"; "icount-events" is
# icount with every ndis_shim trace event enabled, for what tracing costs;
# "icount-profile" is icount with the insnprof QEMU plugin attached and
# the module's profile=N run: instructions per guest function for a few
# rows, in build/bench/profile.txt), NDIS_BENCH_PROFILE (N, default 200),
# NDIS_BENCH_WALL / NDIS_BENCH_ICOUNT (parameters written to the module's
# debugfs `run`), NDIS_BENCH_PLOT (default Documentation/performance.png).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$NDIS_TOP"

configs=("$@")
[ ${#configs[@]} -gt 0 ] || configs=(plain iommu swiotlb)
modes=${NDIS_BENCH_MODES:-wall icount}
# About 6 minutes on an idle 2-core host (each TCG boot 15-20 s; 60-80 s when
# the host is busy). icount runs several times slower but is deterministic
# (its repetitions agree to 0.0 %): fewer iterations lose nothing there.
params_wall=${NDIS_BENCH_WALL:-iters=2000 reps=5 conc_iters=2000}
params_icount=${NDIS_BENCH_ICOUNT:-iters=500 reps=3 conc_iters=500}
params_profile="$params_icount profile=${NDIS_BENCH_PROFILE:-200}"
plot=${NDIS_BENCH_PLOT:-$NDIS_TOP/Documentation/performance.png}
bench_dir=$NDIS_TOP/tools/testing/selftests/ndis/bench
out=$NDIS_BUILD/bench

kernels=${NDIS_BENCH_KERNELS:-debug production}
for c in "${configs[@]}"; do
	case $c in plain | iommu | swiotlb) ;; *) die "unknown config '$c' (plain, iommu, swiotlb)" ;; esac
done
declare -A kdir_of ko_of
for k in $kernels; do
	bench_kernel "$k"
	kdir_of[$k]=$BENCH_KDIR
	ko_of[$k]=$BENCH_KO
	for f in ndis_shim.ko ndis_bench.ko; do
		[ -f "${ko_of[$k]}/$f" ] || die "${ko_of[$k]}/$f missing: run 'make modules' (or 'make bench')"
	done
done

rm -rf "$out"
mkdir -p "$out"
{
	echo "host_cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
	echo "host_cpus=$(nproc)"
	echo "host_kernel=$(uname -r)"
	echo "host_load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)"
	echo "qemu=$(qemu-system-x86_64 --version | head -1)"
	echo "accel=$( [ "${NDIS_KVM:-}" = 1 ] && echo kvm || echo "tcg (unless tools/vm.sh's KVM probe passed)")"
	echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
} >"$out/machine.txt"

# The plugin, built for the host's QEMU (it declares the API it uses:
# no qemu-plugin.h is installed).
if [[ " $modes " == *" icount-profile "* ]]; then
	gcc -shared -fPIC -O2 -Wall -fvisibility=hidden -o "$out/insnprof.so" \
		"$bench_dir/insnprof.c" -lpthread || die "building the insnprof plugin failed"
fi

run_one() { # kernel config mode
	local kernel=$1 config=$2 mode=$3 dir=$out/$1/$2-$3 params qopts="" t0 rc=0 cpus=${NDIS_VM_CPUS:-2}
	params=$params_wall
	case $mode in
	icount | icount-events)
		params=$params_icount
		qopts="-icount shift=0"
		;;
	icount-profile)
		# One vCPU: with two, the plugin missed whole functions (see
		# insnprof.c). The profiled rows count the same with one.
		params=$params_profile
		qopts="-icount shift=0 -plugin file=$out/insnprof.so,out=$dir/insnprof.txt"
		cpus=1
		;;
	esac
	mkdir -p "$dir"
	t0=$(date +%s)
	KDIR=${kdir_of[$kernel]} NDIS_VM_CPUS=$cpus NDIS_VM_APPEND="dma_debug=off kmemleak=off mem=256M" NDIS_VM_QEMU_OPTS="$qopts" \
		tools/vm.sh --quiet --timeout "${NDIS_BENCH_VM_TIMEOUT:-900}" "$config" "$dir" -- \
		env NDIS_BENCH_EVENTS="$([ "$mode" = icount-events ] && echo 1 || echo 0)" \
		NDIS_BENCH_PROFILE="$([ "$mode" = icount-profile ] && echo 1 || echo 0)" \
		"$bench_dir/guest.sh" "${ko_of[$kernel]}" "$dir" "$params" || rc=$?
	echo "host_load_after=$(cut -d' ' -f1-3 /proc/loadavg) vm_seconds=$(($(date +%s) - t0)) rc=$rc" >>"$dir/host.txt"
	if [ "$rc" != 0 ] || ! grep -q '^direct,' "$dir/result.csv" 2>/dev/null; then
		warn "$kernel/$config/$mode: no result (exit $rc); see $dir/console.log"
		return 1
	fi
	stage "  $kernel/$config/$mode done in $(($(date +%s) - t0)) s"
}

# Wall-clock VMs one after another (they would disturb each other); icount
# VMs all at once afterwards: their guest time counts instructions, so host
# load does not change their figures.
failed=0
for mode in $modes; do
	pids=()
	for kernel in $kernels; do
		for config in "${configs[@]}"; do
			if [ "$mode" != wall ]; then
				stage "bench: $kernel kernel, $config, $mode, in parallel"
				run_one "$kernel" "$config" "$mode" &
				pids+=($!)
			else
				stage "bench: $kernel kernel, $config, $mode ($params_wall)"
				run_one "$kernel" "$config" "$mode" || failed=$((failed + 1))
			fi
		done
	done
	for p in "${pids[@]}"; do
		wait "$p" || failed=$((failed + 1))
	done
done

stage "bench: report"
mplrc=$out/mplconfig
mkdir -p "$mplrc"
MPLCONFIGDIR=$mplrc MPLBACKEND=Agg "$VENV/bin/python3" "$bench_dir/report.py" "$out" "$plot" $kernels ||
	die "report failed"
[ "$failed" = 0 ] || die "$failed benchmark VM(s) failed"
