#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The NIC part of `make bench` (`make bench-nic` alone): per NIC family, an
# NDIS sample miniport on ndis_shim.ko against Linux's own driver for the
# same emulated device, in the same VM run:
#   e1000  samples/e1000_ndis6 (NDIS 6)   vs e1000    on an Intel 82540EM
#   pcnet  samples/pcnet_ndis5 (NDIS 5.1, per-packet SG lists)
#                                         vs pcnet32  on an AMD PCnet-PCI II
#
#   tools/bench-nic.sh [CONFIG...]       CONFIG: plain iommu (default: both)
#
# Per CONFIG one VM (2 vCPUs, wall-clock guest time) runs
# tools/testing/selftests/ndis/bench/nic-guest.sh, which takes the families
# in turn: NIC A (e1000 00:10.0, pcnet 00:12.0) on the sample and then on
# Linux's driver, NIC B (00:11.0, 00:13.0) on Linux's driver all along,
# each in a network namespace; per driver and repetition (ABBA order) TCP
# throughput both ways with offloads on and off, and ping round trips both
# ways. Then one more VM (plain, 1 vCPU, QEMU -icount shift=0: guest ns =
# instructions) counts the instructions per frame on A's send and receive
# paths under each driver (NDIS_BENCH_NIC_ICOUNT: the configs of such VMs,
# default plain; empty for none).
#
# Output: a table per family on stdout and, for scripts, one line per
# family and CONFIG:
#   nic FAMILY CONFIG throughput_ratio=X rtt_ratio=Y
# (throughput: NDIS/Linux, the lower of the two directions, offloads on;
# RTT: NDIS/Linux median round trip, the higher of the two directions).
# Files: build/bench/nic/<config>-<mode>/<family>/ (each VM's nic.csv and
# log per family; console and dmesg per VM), build/bench/nic-results.csv
# (medians and ratios, a family column), build/bench/nic.txt (the lines
# above); the lines are also appended to build/bench/results.csv (the DMA
# benchmark's, as `# nic ...` comments) when it exists.
#
# Environment: NDIS_BENCH_NIC_FAMILIES (default "e1000 pcnet"),
# NDIS_BENCH_NIC_MODES (default "wall icount"), NDIS_BENCH_NIC_KERNEL
# (production, the default, or debug: which of tools/bench.sh's kernels),
# NDIS_BENCH_NIC_DRIVER_E1000 (default e1000_ndis6) and
# NDIS_BENCH_NIC_DRIVER_PCNET (default pcnet_ndis5; pcnet_ndis5_mapreg is
# the map-register build): the driver of A's test slot; the family's Linux
# driver there (e1000, pcnet32) is the baseline, whose ratios should be 1;
# NDIS_BENCH_NIC_DRIVER=linux does so for every family (any other value of
# it is the e1000 family's driver, its meaning before the pcnet family).
# NDIS_BENCH_NIC_REPS (5; NDIS_BENCH_NIC_ICOUNT_REPS, 3, in the icount VM),
# NDIS_BENCH_NIC_SECS (3, per iperf3 run), NDIS_BENCH_NIC_PINGS (200),
# NDIS_BENCH_NIC_WINDOW (2: seconds of guest time counted per icount
# stream), NDIS_BENCH_NIC_RATE (100M: that UDP stream's rate).
# Documentation/performance.rst gives the run times: with both families,
# each wall VM about twice what one family takes.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$NDIS_TOP"

configs=("$@")
[ ${#configs[@]} -gt 0 ] || configs=(plain iommu)
for c in "${configs[@]}"; do
	case $c in plain | iommu) ;; *) die "unknown config '$c' (plain, iommu)" ;; esac
done
icount_configs=${NDIS_BENCH_NIC_ICOUNT-plain}
modes=${NDIS_BENCH_NIC_MODES:-wall icount}
# Per family: the NDIS sample (the test slot's default) and Linux's driver.
declare -A ndis_of=([e1000]=e1000_ndis6 [pcnet]=pcnet_ndis5) linux_of=([e1000]=e1000 [pcnet]=pcnet32)
families=${NDIS_BENCH_NIC_FAMILIES:-e1000 pcnet}
specs=()
for f in $families; do
	[ -n "${ndis_of[$f]:-}" ] || die "unknown NIC family '$f' (${!ndis_of[*]})"
	var=NDIS_BENCH_NIC_DRIVER_${f^^}
	drv=${!var:-}
	case ${NDIS_BENCH_NIC_DRIVER:-} in
	'') ;;
	linux) drv=${drv:-${linux_of[$f]}} ;;
	*) [ "$f" != e1000 ] || drv=${drv:-$NDIS_BENCH_NIC_DRIVER} ;;
	esac
	specs+=("$f=${drv:-${ndis_of[$f]}}")
done
[ ${#specs[@]} -gt 0 ] || die "NDIS_BENCH_NIC_FAMILIES is empty"
bench_kernel "${NDIS_BENCH_NIC_KERNEL:-production}"
for s in "${specs[@]}"; do
	f=${s%%=*} drv=${s#*=}
	[ "$drv" = "${linux_of[$f]}" ] && continue
	for ko in ndis_shim.ko "$drv.ko"; do
		[ -f "$BENCH_KO/$ko" ] || die "$BENCH_KO/$ko missing: run 'make modules' (or 'make bench-nic')"
	done
done
out=$NDIS_BUILD/bench
nic=$out/nic
rm -rf "$nic"
mkdir -p "$nic"
# (The guest gets these through its command line: vng passes no environment.)
reps=${NDIS_BENCH_NIC_REPS:-5} icount_reps=${NDIS_BENCH_NIC_ICOUNT_REPS:-3} secs=${NDIS_BENCH_NIC_SECS:-3} pings=${NDIS_BENCH_NIC_PINGS:-200}
window=${NDIS_BENCH_NIC_WINDOW:-2} rate=${NDIS_BENCH_NIC_RATE:-100M}
{
	echo "host_cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
	echo "host_cpus=$(nproc)"
	echo "host_load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)"
	echo "qemu=$(qemu-system-x86_64 --version | head -1)"
	echo "kernel=$BENCH_KERNEL drivers=${specs[*]} reps=$reps icount_reps=$icount_reps secs=$secs pings=$pings window=$window rate=$rate"
	echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
} >"$nic/machine.txt"

# run_one CONFIG MODE: one VM; wall: 2 vCPUs; icount: 1 vCPU, -icount.
run_one() {
	local config=$1 mode=$2 dir=$nic/$1-$2 t0 rc=0 cpus=2 qopts="" n=$reps
	[ "$mode" = icount ] && cpus=1 qopts="-icount shift=0" n=$icount_reps
	mkdir -p "$dir"
	stage "bench-nic: $config, $mode, ${specs[*]} ($n repetitions, A on the NDIS driver and on Linux's)"
	t0=$(date +%s)
	# Debugging layers off: DMA-API debug, kmemleak, KFENCE, and the
	# slub_debug checks tools/vm.sh turns on for the kmalloc caches (the
	# later slub_debug= with the same cache list and no flags wins there).
	KDIR=$BENCH_KDIR NDIS_VM_CPUS=$cpus NDIS_VM_QEMU_OPTS="$qopts" \
		NDIS_VM_APPEND="dma_debug=off kmemleak=off slub_debug=-,kmalloc-*,dma-kmalloc-* kfence.sample_interval=0" \
		tools/vm.sh --quiet --timeout "${NDIS_BENCH_VM_TIMEOUT:-$((1500 * ${#specs[@]}))}" "$config" "$dir" -- \
		env NDIS_NIC_REPS="$n" NDIS_NIC_SECS="$secs" NDIS_NIC_PINGS="$pings" NDIS_NIC_WINDOW="$window" \
		NDIS_NIC_RATE="$rate" tools/testing/selftests/ndis/bench/nic-guest.sh "$BENCH_KO" "$dir" "$mode" "${specs[@]}" ||
		rc=$?
	echo "host_load_after=$(cut -d' ' -f1-3 /proc/loadavg) vm_seconds=$(($(date +%s) - t0)) rc=$rc" >>"$dir/host.txt"
	if [ "$rc" != 0 ]; then
		warn "nic $config/$mode: exit $rc; see $dir/nic-guest.log, $dir/<family>/nic-guest.log and $dir/console.log"
		return 1
	fi
	stage "  $config/$mode done in $(($(date +%s) - t0)) s"
}

failed=0
case " $modes " in *" wall "*)
	for c in "${configs[@]}"; do run_one "$c" wall || failed=$((failed + 1)); done ;;
esac
case " $modes " in *" icount "*)
	for c in $icount_configs; do run_one "$c" icount || failed=$((failed + 1)); done ;;
esac

stage "bench-nic: report"
"$VENV/bin/python3" tools/testing/selftests/ndis/bench/nic_report.py "$out" || die "report failed"
[ "$failed" = 0 ] || die "$failed NIC benchmark VM(s) failed"
