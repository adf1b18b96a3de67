#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs in the VM (tools/bench.sh boots it): loads the shim and the benchmark
# miniport, runs one benchmark, leaves the CSV and some facts in OUTDIR.
#
#   guest.sh KO_DIR OUTDIR "iters=N reps=N conc_iters=N"
set -eu
KO=$1 OUT=$2 PARAMS=$3
DBG=/sys/kernel/debug
mountpoint -q $DBG || mount -t debugfs none $DBG

{
	echo "guest_kernel=$(uname -r)"
	echo "guest_cpus=$(nproc)"
	echo "guest_mem_kb=$(awk '/MemTotal/ {print $2}' /proc/meminfo)"
	echo "guest_clocksource=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
	echo "guest_cmdline=$(cat /proc/cmdline)"
} >"$OUT/guest-info.txt"

# This test kernel has lockdep (PROVE_LOCKING) built in: stop validating
# locks (held-lock tracking stays); the boot line turned off DMA-API debug
# and kmemleak.
[ -w /proc/sys/kernel/prove_locking ] && echo 0 >/proc/sys/kernel/prove_locking
echo "prove_locking=$(cat /proc/sys/kernel/prove_locking 2>/dev/null || echo n/a)" >>"$OUT/guest-info.txt"

insmod "$KO/ndis_shim.ko"
# NDIS_BENCH_EVENTS=1 (tools/bench.sh's icount-events mode): every
# ndis_shim trace event on, recording into the ring buffer as trace-cmd
# would.
TR=/sys/kernel/tracing
if [ "${NDIS_BENCH_EVENTS:-0}" = 1 ]; then
	mountpoint -q $TR || mount -t tracefs none $TR
	echo 1 >$TR/events/ndis_shim/enable
	echo 1 >$TR/tracing_on
fi
echo "trace_events=$(cat $TR/events/ndis_shim/enable 2>/dev/null || echo n/a)" >>"$OUT/guest-info.txt"
insmod "$KO/ndis_bench.ko"
[ -e $DBG/ndis_bench/run ] || { echo "ndis_bench: no debugfs interface" >&2; exit 1; }
# NDIS_BENCH_PROFILE=1 (the icount-profile mode): the addresses the
# insnprof plugin counts, modules included, resolved on the host.
if [ "${NDIS_BENCH_PROFILE:-0}" = 1 ]; then
	cat /proc/kallsyms >"$OUT/kallsyms.txt"
	grep -q '^0\{16\} [Tt] ' "$OUT/kallsyms.txt" &&
		{ echo "kallsyms: addresses hidden (kptr_restrict)" >&2; exit 1; }
fi

t0=$(date +%s)
rc=0
# The write runs the benchmark; its failure (the module's error) is echo's.
# shellcheck disable=SC2320
echo "$PARAMS" >$DBG/ndis_bench/run || rc=$?
cat $DBG/ndis_bench/result >"$OUT/result.csv"
echo "guest_run_seconds=$(($(date +%s) - t0))" >>"$OUT/guest-info.txt"
dmesg >"$OUT/dmesg.txt"
if [ "${NDIS_BENCH_EVENTS:-0}" = 1 ]; then
	echo 0 >$TR/events/ndis_shim/enable
	# Events recorded (and overwritten): proof they fired during the run.
	awk '/^entries:|^overrun:/ { s[$1] += $2 } END { printf "trace_entries=%d trace_overrun=%d\n", s["entries:"], s["overrun:"] }' \
		$TR/per_cpu/cpu*/stats >>"$OUT/guest-info.txt"
fi
rmmod ndis_bench
rmmod ndis_shim
exit $rc
