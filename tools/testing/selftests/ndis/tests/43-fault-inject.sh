#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# ndis-test: timeout=900
# ndis-test: kmemleak-scan
#
# Fault injection that must inject. Every memory allocation made while a
# shim entry point is on the stack fails in turn, one per step (failslab
# and fail_page_alloc, stepped with /proc/<tid>/fail-nth and a stack
# filter), on one path per entry point; the mapping sites also fail
# through the shim's own fault point (debugfs ndis_shim/fail_maps) and
# Complete and Deregister through a DMA controller slow to stop
# (ndis_ops' "stall" hook). Each path declares the fewest injections it
# has (measured in the plain boot, with margin) and fails below it: a
# stack filter that never matches fails, it does not pass with 0 steps.
#
# Each injected step must end in the status the call's Microsoft page
# documents for a failure (cited at each path), or in success where the
# failed allocation had a fallback; then, with injection off, the call
# succeeds. After every path: no DMA mapping or coherent buffer of the
# device is left beyond what it held before (DMA-API debug's dump), the
# adapter moves data verified byte for byte, rejected_calls moved only
# where a void call reports its failure that way. The harness's kmemleak
# scan (right after this test), DMA-API error count and splat checks run
# around the whole test. A failed write to a fault-injection knob fails
# the path it belongs to.
#
# Stepping: fail-nth (Documentation/fault-injection/fault-injection.rst,
# "systematic faults") set to N fails the N-th allocation of that task
# that passes the attributes' filters; the count is per task, so nothing
# else in the guest is hit. The attributes keep probability=0 (only
# fail-nth injects) and times=1, which drops to 0 exactly when a failure
# was injected: the witness of each step. The filter (require-start/end)
# is the entry point's own text (its symbol up to the next one), or for a
# call that is all shim the shim's whole .text; reject-start/end spares
# DMA-API debug's own allocations (dma_entry_alloc up to the end of
# add_dma_entry: an entry, a cacheline-tracking radix node). Failing one
# of those makes DMA-API debug switch itself off for the rest of the boot
# ("cacheline tracking ENOMEM, dma-debug disabled", seen on the
# phys-mapping path), blinding every later test. kmemleak's metadata
# allocation is stepped too (it falls back to its own pool, a fallback
# step). The initialization path (below) needs the one reject range for
# something else. Without those symbols, kmemleak's __alloc_object is
# spared instead.
#
# Paths (NDIS_FAULT_PATHS, a regex over the names; default: every path in
# the plain boot, the data-integrity subset elsewhere, see path_default):
#   load           insmod edu_dma_c, no device to bind (DriverEntry)
#   init           a sysfs bind of one edu device (probe, MiniportInitializeEx)
#   sg-register    NdisMRegisterScatterGatherDma on the live adapter
#   sg-list        NdisMAllocateNetBufferSGList, mapped in place and bounced,
#                  and its mapping site (fail_maps)
#   shm            NdisMAllocateSharedMemory
#   shm-async      NdisMAllocateSharedMemoryAsyncEx: the call and the work
#                  item that serves it
#   register       NdisMRegisterDmaChannel, small and large MaximumLength
#   setup          NdisMSetupDmaTransfer in place, bounced, and the mapping
#                  site (fail_maps)
#   complete       NdisMCompleteDmaTransfer (allocates nothing; the engine
#                  slow to stop)
#   deregister     NdisMDeregisterDmaChannel (same)
#   map-registers  NdisMAllocateMapRegisters (NDIS 5)
#   phys-mapping   NdisMStartBufferPhysicalMapping (NDIS 5), and its
#                  mapping site (fail_maps)
# Injections measured per path, plain / iommu / swiotlb, and the floor
# each path declares (below it the path fails; the counts move by a few
# between runs with the slab caches' state). Plain measured again with
# DMA-API debug's allocations spared and kmemleak's stepped (fewer where
# the mapping's debug entry used to be a step, more where kmemleak's
# metadata now is); iommu and swiotlb from the runs before that:
#   load 2/-/- (2)            init 109-121/-/- (90)   sg-register 9-14/-/- (8)
#   sg-list 3/-/- (2)         shm 4/14/4 (3)          shm-async 3/8/3 (2, each part 1)
#   register 3/-/- (2)        setup 2/2/2 (2)         complete 2/2/2 (2)
#   deregister 5/5/5 (5)      map-registers 8/-/- (6)
#   phys-mapping 1/-/- (1)
# sg-list was 55/26/23 (18) until its lists came from a pool of records
# allocated at registration (2026-12-03, Documentation/performance.rst): a
# list now allocates only where the pool does not serve it (a record's
# range array grown past 4 MDLs, its own list memory the first time, a
# table beyond the record's entries, a record when all are out); this
# path's shapes reach one such site, plus kmemleak's step and fail_maps.
# phys-mapping was 11/6/5 (4) until Start stopped allocating (2026-12-04:
# each map register's piece list is allocated with it): fail_maps is the
# one step left in plain; under an IOMMU the IOVA allocation may add some.
# NDIS_FAULT_MAX_STEPS (default 600): a path still injecting after that
# many steps fails. NDIS_FAULT_VERBOSE=2 logs each injected failure's
# stack (to find a site by hand; the harness then fails the test on the
# "Call Trace:" lines). Prints nested KTAP; per path the steps injected and
# its seconds.
#
# No set -e: injected steps make calls fail on purpose, and each status is
# checked.
#
# The paths' TRY, JUDGE and FINAL functions are called through steps():
# shellcheck disable=SC2317
set -uo pipefail
KO=${NDIS_KO:-${KO:-/work/main/build/ko}}
CONFIG=${NDIS_CONFIG:-plain}
shim=$KO/ndis_shim.ko edu=$KO/edu_dma_c.ko edu5=$KO/edu_dma_ndis5.ko ops=$KO/ndis_ops.ko
MAX_STEPS=${NDIS_FAULT_MAX_STEPS:-600}
DBG=/sys/kernel/debug
FS=$DBG/failslab FP=$DBG/fail_page_alloc SHIM=$DBG/ndis_shim DUMP=$DBG/dma-api/dump
NTH=/proc/thread-self/fail-nth
BIG=1000000 # a fail-nth no path reaches: counts a call's filtered allocations
RES=0xc000009a OK=0x00000000 PENDING=0x00000103 FAILURE=0xc0000001
for ko in "$shim" "$edu" "$edu5" "$ops"; do
	[ -f "$ko" ] || { echo "# SKIP $ko not built"; exit 4; }
done
mountpoint -q $DBG || mount -t debugfs none $DBG
if [ ! -e $FS/require-start ] || [ ! -d $FP ]; then
	echo "# SKIP no failslab/fail_page_alloc with a stack-trace filter"
	exit 4
fi
[ -w $NTH ] || { echo "# SKIP no $NTH"; exit 4; }
[ -r $DUMP ] || { echo "# SKIP no DMA-API debug ($DUMP): leftover mappings cannot be seen"; exit 4; }

# The data-integrity subset: the paths that map or move data, whose
# mappings change with the DMA backend (IOVA space, swiotlb slots). Loading,
# initialization and the registrations make the same shim objects in every
# boot (under the IOMMU their coherent memory has more sites underneath,
# each failing into the same RESOURCES): the plain boot steps them, the
# other boots stay short.
path_default() {
	case $CONFIG in
	plain) echo '.*' ;;
	*) echo '^(setup|complete|deregister|sg-list|shm|shm-async|phys-mapping)$' ;;
	esac
}
PATHS=${NDIS_FAULT_PATHS:-$(path_default)}
wanted() { [[ $1 =~ $PATHS ]]; }

PLAN=18 n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
notok() { n=$((n + 1)); echo "not ok $n $*"; failed=1; }
skip() { n=$((n + 1)); echo "ok $n $1 # SKIP ${2:-not in NDIS_FAULT_PATHS=$PATHS}"; }

# ---- the attributes. A knob that cannot be written fails the path.
FI_BAD=
fw() {
	echo "$3" 2>/dev/null >"$1/$2" && return 0
	FI_BAD+="cannot write $3 to $1/$2; "
	return 1
}
arm() { # REQUIRE-LO REQUIRE-HI REJECT-LO REJECT-HI
	local d bad=$FI_BAD
	for d in "$FS" "$FP"; do
		fw "$d" probability 0 # only fail-nth injects: one task alone
		fw "$d" interval 1
		fw "$d" space 0
		fw "$d" times 1
		fw "$d" verbose "${NDIS_FAULT_VERBOSE:-0}"
		fw "$d" task-filter N
		fw "$d" stacktrace-depth 32
		fw "$d" reject-start "$3"
		fw "$d" reject-end "$4"
		fw "$d" require-start "$1"
		fw "$d" require-end "$2"
		fw "$d" ignore-gfp-wait N
	done
	fw "$FP" ignore-gfp-highmem N
	fw "$FP" min-order 0
	[ "$FI_BAD" = "$bad" ]
}
disarm() {
	local d bad=$FI_BAD
	echo 0 2>/dev/null >$NTH
	for d in "$FS" "$FP"; do
		fw "$d" probability 0
		fw "$d" times 0
		fw "$d" require-start 0
		fw "$d" require-end 0xffffffffffffffff
		fw "$d" reject-start 0
		fw "$d" reject-end 0
		fw "$d" ignore-gfp-wait Y
	done
	fw "$FP" ignore-gfp-highmem Y
	fw "$FP" min-order 1
	[ "$FI_BAD" = "$bad" ]
}
rearm() { fw "$FS" times 1 && fw $FP times 1; }
# INJ: which attribute injected since rearm (slab, page) or none.
read_injected() {
	local a b
	read -r a <$FS/times
	read -r b <$FP/times
	if [ "$a" = 0 ]; then INJ=slab; elif [ "$b" = 0 ]; then INJ=page; else INJ=none; fi
}

# ---- the edu devices: EDU0 carries every path; the others stay unbound
# (driver_override) so that each module binds one adapter.
EDU_DEVS=()
for dev in /sys/bus/pci/devices/*; do
	read -r v <"$dev/vendor"
	read -r d <"$dev/device"
	[ "$v:$d" = 0x1234:0x11e8 ] && EDU_DEVS+=("$dev")
done
[ ${#EDU_DEVS[@]} -ge 1 ] || { echo "# SKIP no edu device"; exit 4; }
EDU0=${EDU_DEVS[0]}
PCI0=${EDU0##*/}
set_override() { # NAME-FOR-EDU0 NAME-FOR-THE-OTHERS
	local dev
	echo "$1" >"$EDU0/driver_override"
	for dev in "${EDU_DEVS[@]:1}"; do echo "$2" >"$dev/driver_override"; done
}
PRE_ENABLED=0
cleanup() {
	disarm
	echo 0 2>/dev/null >"$SHIM/fail_maps"
	set_override "" ""
	# The init path's own enable (see there); refused (EBUSY) while bound.
	[ "$PRE_ENABLED" = 0 ] || echo 0 2>/dev/null >"$EDU0/enable"
	# Every planned result is printed, whatever stopped the test.
	while [ "$n" -lt "$PLAN" ]; do notok "not reached"; done
}
trap cleanup EXIT

# ---- where the stack filter points
# A kernel symbol's text: its address up to the next symbol's (vmlinux
# symbols are listed in address order).
ksym_range() {
	awk -v s="$1" 'a && $1 != a { print "0x" a, "0x" $1; found = 1; exit }
		!a && $3 == s { a = $1 }
		END { exit !found }' /proc/kallsyms
}
# The shim's .text: its load address, and its size from the .ko.
text_range() {
	local start size
	read -r start </sys/module/ndis_shim/sections/.text || return 1
	size=$(readelf -SW "$shim" 2>/dev/null |
		sed -nE 's/.*\] \.text +PROGBITS +[0-9a-f]+ [0-9a-f]+ ([0-9a-f]+) .*/\1/p')
	[ -n "$start" ] && [ -n "$size" ] || return 1
	printf '%#x %#x\n' "$start" $((start + 0x$size))
}
# An entry point's text: module symbols are not listed in address order,
# so the shim's are sorted once (SHIM_SYMS) and the next one bounds it.
SHIM_SYMS=
shim_sym_range() {
	awk -v s="$1" 'a { print "0x" a, "0x" $1; found = 1; exit }
		$2 == s { a = $1 }
		END { exit !found }' <<<"$SHIM_SYMS"
}

# ---- observing the device and the shim, without forking per step
# DMA_N DMA_BYTES: what DMA-API debug has mapped or allocated for EDU0.
dma_snapshot() {
	local line len
	DMA_N=0 DMA_BYTES=0
	mapfile -t DUMP_LINES <$DUMP
	for line in "${DUMP_LINES[@]}"; do
		[[ $line == *" $PCI0 "* ]] || continue
		len=${line#* L=}
		DMA_N=$((DMA_N + 1)) DMA_BYTES=$((DMA_BYTES + 16#${len%% *}))
	done
}
# ADAPTER: EDU0's line in ndis_shim/adapters ("" if not listed); ADAPTERS:
# how many adapters are listed.
read_adapter() {
	local line
	ADAPTER="" ADAPTERS=0
	mapfile -t ADAPTER_LINES <$SHIM/adapters
	for line in "${ADAPTER_LINES[@]}"; do
		ADAPTERS=$((ADAPTERS + 1))
		[[ $line == "$PCI0 "* ]] && ADAPTER=$line
	done
}
field() { # NAME LINE: the value of NAME=... in LINE
	local v=" $2"
	[[ $v == *" $1="* ]] || { echo ""; return; }
	v=${v#* "$1"=}
	echo "${v%% *}"
}
read_rejected() { read -r REJECTED <$SHIM/rejected_calls; }

# A command to a test interface: CMD FILE RESULT-FILE; R is the result
# ("(write failed)" if the write was refused).
R=
call() {
	if echo "$1" 2>/dev/null >"$2"; then R=$(<"$3"); else R="(write failed)"; fi
}
# The same with the STEP-th filtered allocation of this task failing;
# LEFT: fail-nth afterwards (0 when it fired).
LEFT=
call_nth() { # STEP CMD FILE RESULT-FILE
	echo "$1" >$NTH
	if echo "$2" 2>/dev/null >"$3"; then R=; else R="(write failed)"; fi
	read -r LEFT <$NTH
	echo 0 >$NTH
	[ -n "$R" ] || R=$(<"$4")
}
# How many filtered allocations CMD makes (nothing is injected).
count_call() { # CMD FILE RESULT-FILE
	call_nth $BIG "$@"
	COUNT=$((BIG - LEFT))
}

# ---- the stepping loop shared by the paths.
# steps TRY JUDGE FINAL: for S = 1, 2, ... "TRY S" makes the call with the
# S-th filtered allocation failing (arming fail-nth in the task that makes
# it); "JUDGE S" checks an injected step's outcome and recovers; the first
# step that injects nothing is checked by FINAL and ends the path. Steps
# SKIP_FROM .. SKIP_TO-1 are not run (a loop's identical iterations, see
# the paths that set them). Adds to STEPS, SITES (one word per step:
# step:attribute:outcome) and BAD.
SKIP_FROM=0 SKIP_TO=0
steps() {
	local try=$1 judge=$2 final=$3 s=0 ran=0
	while :; do
		s=$((s + 1)) ran=$((ran + 1))
		if [ "$s" = "$SKIP_FROM" ] && [ "$SKIP_TO" -gt "$s" ]; then
			SITES+=" [$s-$((SKIP_TO - 1)):not-run]"
			s=$SKIP_TO
		fi
		# Steps run, not the step's number: the skipped ones do not count.
		if [ "$ran" -gt "$MAX_STEPS" ]; then
			BAD+="still injecting after $MAX_STEPS steps; "
			return
		fi
		rearm || { BAD+="cannot rearm; "; return; }
		"$try" "$s"
		read_injected
		if [ "$INJ" = none ] && [ "$s" = "$SKIP_TO" ] && [ "$((SKIP_TO - SKIP_FROM))" -gt 1 ]; then
			# The skip overshot: this run made fewer allocations than the
			# counting run (a coherent allocation under a narrow mask
			# retries when the page it got lies beyond it, so the count
			# moves with the memory layout, by a few to a few tens).
			# Skip 16 steps less far, again if need be: halving the skip
			# would leave hundreds of identical steps to run when the
			# skipped loop is long (NdisMRegisterScatterGatherDma's list
			# records: about 1000 allocations).
			# The call went through uninjected: let the path's judge undo
			# it (unbind a bound adapter) before stepping again.
			"$judge" "$s"
			SITES+=" [$s:overshot]"
			SKIP_TO=$((SKIP_TO - 16))
			[ "$SKIP_TO" -gt "$SKIP_FROM" ] || SKIP_TO=$((SKIP_FROM + 1))
			s=$((SKIP_FROM - 1))
			continue
		fi
		if [ "$INJ" = none ]; then
			"$final"
			return
		fi
		STEPS=$((STEPS + 1))
		"$judge" "$s"
	done
}
# A path's bookkeeping: begin NAME, then its steps, then end MIN SUMMARY.
PATH_NAME="" T0=0 STEPS=0 SITES="" BAD=""
begin() {
	PATH_NAME=$1 T0=$SECONDS STEPS=0 SITES="" BAD="" FI_BAD="" SKIP_FROM=0 SKIP_TO=0
	rebase
	START_N=$DMA_N START_BYTES=$DMA_BYTES
	read_rejected
	REJECTED0=$REJECTED
}
# What check_dma compares with: now (a path that keeps a channel
# registered across its steps rebases after registering it).
rebase() {
	dma_snapshot
	DMA_N0=$DMA_N DMA_BYTES0=$DMA_BYTES
}
# No mapping or coherent buffer left beyond the baseline.
check_dma() { # WHEN
	dma_snapshot
	[ "$DMA_N/$DMA_BYTES" = "$DMA_N0/$DMA_BYTES0" ] ||
		BAD+="$1: $PCI0 holds $DMA_N DMA entries/$DMA_BYTES bytes, $DMA_N0/$DMA_BYTES0 before; "
}
# The same against the path's start.
check_dma_start() { # WHEN
	DMA_N0=$START_N DMA_BYTES0=$START_BYTES
	check_dma "$1"
}
end() { # MIN SUMMARY
	local secs=$((SECONDS - T0))
	[ "$STEPS" -ge "$1" ] ||
		BAD+="$STEPS injected steps, fewer than the $1 this path has (a filter that no longer matches?); "
	BAD+=$FI_BAD
	echo "# $PATH_NAME steps:${SITES:- none}"
	echo "# $PATH_NAME: $STEPS injected in ${secs} s"
	if [ -z "$BAD" ]; then
		ok "$PATH_NAME: $STEPS injected (at least $1), $2; ${secs} s"
	else
		notok "$PATH_NAME: ${BAD%; }"
	fi
}

# Kernel log lines since a mark (for the two paths whose failures the log
# reports: one read per path, not per step).
mark() { M="ndis-fault: $$-$EPOCHREALTIME"; echo "$M" >/dev/kmsg; }
since_mark() { dmesg | awk -v m="$M" 'on; index($0, m) { on = 1 }'; }
# Every NDIS status the shim or edu_dma_c logged, comma-separated.
statuses() {
	since_mark | grep -oE '(miniport initialization failed|DriverEntry failed \(status|edu_dma_c: NdisM[A-Za-z]+):? 0x[0-9a-f]{8}' |
		grep -oE '0x[0-9a-f]{8}' | sort -u | paste -sd, -
}

echo "KTAP version 1"
echo "1..$PLAN"
insmod "$shim" || { notok "insmod ndis_shim"; exit 1; }
SHIM_SYMS=$(awk '$4 == "[ndis_shim]" && $2 ~ /^[tT]$/ { print $1, $3 }' /proc/kallsyms | sort)
# SPARED (KLO..KHI): DMA-API debug's allocations, else kmemleak's.
# IRQPROC: the IRQ core's /proc registration, spared on the init path.
spared_range() {
	local a b c d
	if read -r a b < <(ksym_range dma_entry_alloc) && read -r c d < <(ksym_range add_dma_entry); then
		SPARED=dma_entry_alloc..add_dma_entry
		printf -v KLO '%#x' $((a < c ? a : c))
		printf -v KHI '%#x' $((b > d ? b : d))
	else
		SPARED=__alloc_object
		read -r KLO KHI < <(ksym_range __alloc_object || echo "0 0")
	fi
}
if range=$(text_range) && read -r TLO THI <<<"$range" &&
	spared_range &&
	range=$(ksym_range register_irq_proc) && read -r ILO IHI <<<"$range" &&
	[ -n "$SHIM_SYMS" ]; then
	ok "ndis_shim loaded; filters: .text $TLO..$THI, spared: $SPARED $KLO..$KHI, register_irq_proc $ILO..$IHI"
else
	notok "ndis_shim's text range, its symbols, or register_irq_proc not found"
	rmmod ndis_shim
	exit 1
fi
# Each path's filter: the entry point's text, SPARED spared.
arm_entry() { # SYMBOL
	local lo hi
	if ! read -r lo hi < <(shim_sym_range "$1"); then
		BAD+="no symbol $1 in ndis_shim; "
		return 1
	fi
	arm "$lo" "$hi" "$KLO" "$KHI" || { BAD+="cannot arm; "; return 1; }
}
arm_text() { arm "$TLO" "$THI" "$KLO" "$KHI" || { BAD+="cannot arm; "; return 1; }; }
read_rejected
REJECTED_START=$REJECTED

# =====================================================================
# edu_dma_c: loading, initialization, scatter-gather and shared memory
# =====================================================================
ERR=/dev/shm/ndis-fault-inject.err
[ -d /dev/shm ] || ERR=${NDIS_OUT:-/tmp}/fault-inject.err
E=$DBG/edu_dma_c/$PCI0

# ---- load: insmod edu_dma_c while driver_override keeps it off every
# device: NdisLinuxDriverLoad and DriverEntry. A refused load is ENOMEM
# (DriverEntry's RESOURCES: NdisMRegisterMiniportDriver's page documents
# NDIS_STATUS_RESOURCES for "insufficient resources"); the log may name
# no other status.
LRC=0 LOUT=
try_load() {
	LRC=0
	LOUT=$(bash -c 'echo "$1" >/proc/thread-self/fail-nth && exec insmod "$2"' _ "$1" "$edu" 2>&1) ||
		LRC=$?
}
judge_load() {
	if [ "$LRC" != 0 ]; then
		[[ $LOUT == *"Cannot allocate memory"* ]] || BAD+="step $1: insmod: $LOUT; "
		SITES+=" $1:$INJ:ENOMEM"
	else
		SITES+=" $1:$INJ:loaded"
		rmmod edu_dma_c || BAD+="step $1: rmmod edu_dma_c failed; "
	fi
}
final_load() { [ "$LRC" = 0 ] || BAD+="uninjected insmod: $LOUT; "; }
set_override ndis_fault_unbound ndis_fault_unbound
if wanted load; then
	begin load
	mark
	arm_text && steps try_load judge_load final_load
	st=$(statuses)
	[ -z "$st" ] || [[ ,$st =~ ^(,$RES)+$ ]] || BAD+="statuses logged: $st; "
	end 2 "each refused with ENOMEM (RESOURCES) or loaded, then loaded"
else
	skip load
	insmod "$edu" || echo "# insmod edu_dma_c failed"
fi

# ---- init: a bind through sysfs, so that the probe and
# MiniportInitializeEx run in this task. A refused bind is ENOMEM, which
# the shim returns for NDIS_STATUS_RESOURCES alone (any other status is
# ENODEV): MiniportInitializeEx's page lists RESOURCES for "insufficient
# resources"; an adapter bound after a fallback must move data.
#
# The filter is the shim's whole .text, so it also catches what the kernel
# allocates for the shim (MSI vectors, the IRQ, sysfs): "only inside the
# shim's frames" cannot be had from require-start/end alone, since the
# shim's frame is on the stack of everything it calls. A failure inside
# request_irq's /proc registration (register_irq_proc: a half-made
# /proc/irq/N) makes the IRQ core WARN in remove_proc_entry when the MSI
# vector is freed, a kernel error-path bug and not the shim's: the reject
# range spares register_irq_proc (so kmemleak's metadata is not spared
# here: about half the steps, each with its fallback). The device is
# enabled through sysfs first, so the probe's pci_enable_device only
# counts up: its power-state and INTx routing work (ACPI methods, the PCI
# core's, each with its own fallback) is not stepped either.
#
# MiniportInitializeEx ends with NdisMRegisterScatterGatherDma, whose
# bounce pool and list records are about 1000 allocations of a few
# identical kinds (the sg-register path steps them on a live adapter):
# here its first 3 and last 3 steps run, the steps between are counted
# and not run.
BRC=0
BIND=/sys/bus/pci/drivers/edu_dma_c/bind UNBIND=/sys/bus/pci/drivers/edu_dma_c/unbind
try_bind() {
	echo "$1" >$NTH
	BRC=0
	{ echo "$PCI0" >$BIND; } 2>"$ERR" || BRC=1
	read -r LEFT <$NTH
	echo 0 >$NTH
}
# Data through the bound adapter, verified.
edu_works() { # WHEN
	call "roundtrip off=0 len=256 buf=kmalloc" "$E/cmd" "$E/result"
	[[ $R == "ok "*verified=1* ]] || BAD+="$1: roundtrip: $R; "
}
judge_init() {
	local err
	if [ -e "$EDU0/driver" ]; then
		if [ -e "$E/cmd" ] && [ -e "$E/result" ]; then
			edu_works "step $1 (bound after a fallback)"
			SITES+=" $1:$INJ:bound"
		else
			# edu_dma_c's own debugfs files failed: not the shim's.
			SITES+=" $1:$INJ:bound-without-test-interface"
		fi
		echo "$PCI0" >"$UNBIND"
	else
		read -r err <"$ERR" || err=
		[[ $err == *"Cannot allocate memory"* ]] || BAD+="step $1: bind: $err; "
		SITES+=" $1:$INJ:ENOMEM"
	fi
	read_adapter
	[ -z "$ADAPTER" ] || BAD+="step $1: adapter left listed; "
}
final_init() {
	[ "$BRC" = 0 ] && [ -e "$EDU0/driver" ] || BAD+="uninjected bind: $(<"$ERR"); "
	edu_works "uninjected bind"
}
set_override "" ndis_fault_unbound
if wanted init; then
	begin init
	mark
	# Pre-enabled: see above. Refused while a driver is bound.
	echo 1 >"$EDU0/enable" && PRE_ENABLED=1
	# How many of the bind's filtered allocations NdisMRegisterScatterGatherDma
	# makes, and how many there are in all (the same reject range).
	if read -r lo hi < <(shim_sym_range NdisMRegisterScatterGatherDma) &&
		arm "$lo" "$hi" "$ILO" "$IHI" && try_bind $BIG && [ "$BRC" = 0 ]; then
		sg=$((BIG - LEFT))
		echo "$PCI0" >"$UNBIND"
		arm "$TLO" "$THI" "$ILO" "$IHI" || BAD+="cannot arm; "
		try_bind $BIG
		all=$((BIG - LEFT))
		echo "$PCI0" >"$UNBIND"
		echo "# init: $all filtered allocations, $sg of them in NdisMRegisterScatterGatherDma"
		SKIP_FROM=$((all - sg + 4)) SKIP_TO=$((all - 2))
		[ -z "$BAD" ] && steps try_bind judge_init final_init
	else
		BAD+="uninjected bind failed: $(<"$ERR"); "
	fi
	st=$(statuses)
	[ -z "$st" ] || [[ ,$st =~ ^(,$RES)+$ ]] || BAD+="statuses logged: $st; "
	end 90 "each refused with ENOMEM (RESOURCES) or bound and moving data, then bound"
	disarm
elif [ -n "${NDIS_FAULT_PATHS:-}" ]; then
	skip init
	echo "$PCI0" >$BIND
else
	skip init "plain boot only: a bind per step, and the plain boot steps the same shim code"
	echo "$PCI0" >$BIND
fi

# ---- the live adapter's paths. Each one checks EDU0 afterwards: no DMA
# entry left beyond the path's start, and data moved and verified.
# Scatter-gather data through the adapter, verified.
sg_works() { # WHEN
	call "sg-roundtrip len=3000 parts=3 buf=mixed" "$E/cmd" "$E/result"
	[[ $R == "ok "*verified=1* ]] || BAD+="$1: sg-roundtrip: $R; "
}
edu_ready=0
if [ -e "$E/cmd" ]; then edu_ready=1; fi

# ---- sg-register: NdisMRegisterScatterGatherDma again on the adapter
# (edu_c_test's "sg-reregister": deregister, then register as
# MiniportInitializeEx does). Page: SUCCESS, RESOURCES, NOT_SUPPORTED or
# BAD_VERSION; a failed allocation is RESOURCES. Its bounce pool is 128
# identical slot allocations: the first 8 steps run (the slot list and
# the first slots) and the last 6 (the last slots and what follows), the
# slots between are counted and not run.
try_sgreg() { call_nth "$1" "sg-reregister" "$E/cmd" "$E/result"; }
judge_sgreg() {
	case $R in
	"fail sg-register status=$RES") SITES+=" $1:$INJ:RESOURCES"
		call "sg-reregister" "$E/cmd" "$E/result"
		[ "$R" = "ok sg-register status=$OK" ] || BAD+="step $1: retry: $R; " ;;
	"ok sg-register status=$OK") SITES+=" $1:$INJ:fallback" ;;
	*) BAD+="step $1: $R; " ;;
	esac
	read_adapter
	[ "$(field sg_dma "$ADAPTER")" = 1 ] || BAD+="step $1: no SG DMA after the retry; "
	check_dma "step $1"
}
final_sgreg() {
	[ "$R" = "ok sg-register status=$OK" ] || BAD+="uninjected: $R; "
	sg_works "after the path"
	check_dma "after the path"
}
if ! wanted sg-register; then
	skip sg-register
elif [ "$edu_ready" = 1 ]; then
	begin sg-register
	if arm_entry NdisMRegisterScatterGatherDma; then
		count_call "sg-reregister" "$E/cmd" "$E/result"
		echo "# sg-register: $COUNT filtered allocations"
		SKIP_FROM=$((2 * 3 + 3)) SKIP_TO=$((COUNT - 5))
		steps try_sgreg judge_sgreg final_sgreg
	fi
	# 8: its first 8 steps always run and inject; the tail after the skip
	# may be a single step when the skip overshot (see steps()).
	end 8 "each RESOURCES or a fallback, then registered, nothing left mapped, SG data verified"
else
	notok "sg-register: edu_dma_c not bound to $PCI0"
fi

# ---- sg-list: NdisMAllocateNetBufferSGList (edu_c_test's "sg-roundtrip":
# a list to the device, then one from it). Page: SUCCESS or RESOURCES,
# nothing else; ProcessSGList is not called on failure (the
# MINIPORT_PROCESS_SG_LIST page: "if NdisMAllocateNetBufferSGList is
# successful"). Shapes: three MDLs, kmalloc and vmalloc (mapped in place),
# and one MDL with CurrentMdlOffset 8 (from the device its list shares a
# cache line: bounced). The mapping site: fail_maps.
SG_CMD=
try_sglist() { call_nth "$1" "$SG_CMD" "$E/cmd" "$E/result"; }
judge_sglist() {
	case $R in
	"fail host-to-device=$RES device-to-host=$PENDING "*) SITES+=" $1:$INJ:to:RESOURCES" ;;
	"fail host-to-device=$OK device-to-host=$RES "*) SITES+=" $1:$INJ:from:RESOURCES" ;;
	"ok "*verified=1*) SITES+=" $1:$INJ:fallback" ;;
	*) BAD+="step $1: $R; " ;;
	esac
	check_dma "step $1"
}
final_sglist() {
	[[ $R == "ok "*verified=1* ]] || BAD+="uninjected: $R; "
	check_dma "$SG_CMD"
}
if ! wanted sg-list; then
	skip sg-list
elif [ "$edu_ready" = 1 ]; then
	begin sg-list
	read_adapter
	bounced0=$(field bounced "$ADAPTER")
	if arm_entry NdisMAllocateNetBufferSGList; then
		for SG_CMD in "sg-roundtrip len=3000 parts=3 buf=mixed" "sg-roundtrip len=200 mdl_off=8"; do
			steps try_sglist judge_sglist final_sglist
		done
	fi
	read_adapter
	[ "$(field bounced "$ADAPTER")" -gt "$bounced0" ] || BAD+="no list was bounced; "
	# The mapping site: the next streaming mapping fails.
	echo 1 >$SHIM/fail_maps
	call "sg-roundtrip len=3000 parts=3 buf=mixed" "$E/cmd" "$E/result"
	read -r left <$SHIM/fail_maps
	echo 0 >$SHIM/fail_maps
	if [[ $R == "fail host-to-device=$RES device-to-host=$PENDING "* ]] && [ "$left" = 0 ]; then
		STEPS=$((STEPS + 1)) SITES+=" fail_maps:to:RESOURCES"
	else
		BAD+="fail_maps=1: $R (fail_maps left $left); "
	fi
	sg_works "after the path"
	check_dma "after the path"
	end 2 "each RESOURCES (to or from the device) or a fallback, nothing left mapped, then SG data verified"
else
	notok "sg-list: edu_dma_c not bound to $PCI0"
fi

# ---- shm: NdisMAllocateSharedMemory (edu_c_test's "shm-roundtrip": two
# blocks, a descriptor and payload through edu by their device
# addresses). Page: "If NdisMAllocateSharedMemory cannot satisfy its
# caller, it returns NULL": the sample reports what=allocation
# (RESOURCES) and frees the other block.
try_shm() { call_nth "$1" "shm-roundtrip off=0 len=256" "$E/cmd" "$E/result"; }
judge_shm() {
	case $R in
	"fail shm-roundtrip status=$RES what=allocation "*) SITES+=" $1:$INJ:NULL" ;;
	"ok shm-roundtrip "*verified=1*) SITES+=" $1:$INJ:fallback" ;;
	*) BAD+="step $1: $R; " ;;
	esac
	read_adapter
	[ "$(field shared_blocks "$ADAPTER")" = 0 ] || BAD+="step $1: $ADAPTER; "
	check_dma "step $1"
}
final_shm() {
	[[ $R == "ok shm-roundtrip "*verified=1* ]] || BAD+="uninjected: $R; "
	check_dma "after the path"
}
if ! wanted shm; then
	skip shm
elif [ "$edu_ready" = 1 ]; then
	begin shm
	arm_entry NdisMAllocateSharedMemory && steps try_shm judge_shm final_shm
	end 3 "each VirtualAddress NULL or a fallback, no block left, then data verified through shared memory"
else
	notok "shm: edu_dma_c not bound to $PCI0"
fi

# ---- shm-async: NdisMAllocateSharedMemoryAsyncEx (edu_c_test's
# "shm-async len=4096"). The page: NDIS_STATUS_PENDING, or
# NDIS_STATUS_FAILURE ("could not be allocated at this time"; the handler
# is not called); after PENDING, "If the attempt to allocate shared memory
# fails, NDIS calls MiniportSharedMemoryAllocateComplete and passes NULL
# pointers". Two parts: the call itself (this task), and the allocation,
# made by the shim's work item on a kworker: there fail-nth is set on
# every kworker (any task's fail-nth can be written), the filter is the
# shim's .text (no other shim work runs meanwhile), and a step whose work
# ran on a kworker that appeared after the arming is run again.
try_async() { call_nth "$1" "shm-async len=4096" "$E/cmd" "$E/result"; }
judge_async() {
	case $R in
	"fail shm-async status=$FAILURE completed=0 va_null=1 pa_null=0 len=0") SITES+=" $1:$INJ:FAILURE" ;;
	"ok shm-async status=$PENDING completed=1 va_null=0 pa_null=0 len=4096") SITES+=" $1:$INJ:fallback" ;;
	*) BAD+="step $1: $R; " ;;
	esac
}
final_async() {
	[ "$R" = "ok shm-async status=$PENDING completed=1 va_null=0 pa_null=0 len=4096" ] ||
		BAD+="uninjected: $R; "
}
KWORKERS=() MOVED=
try_async_worker() {
	local p c v try
	for try in 1 2 3; do
		[ "$try" = 1 ] || rearm
		KWORKERS=() MOVED=
		for p in /proc/[0-9]*; do
			read -r c <"$p/comm" 2>/dev/null || continue
			[[ $c == kworker/* ]] && KWORKERS+=("${p#/proc/}")
		done
		for p in "${KWORKERS[@]}"; do echo "$1" 2>/dev/null >"/proc/$p/task/$p/fail-nth"; done
		call "shm-async len=4096" "$E/cmd" "$E/result"
		for p in "${KWORKERS[@]}"; do
			read -r v <"/proc/$p/task/$p/fail-nth" 2>/dev/null || continue
			[ "$v" = "$1" ] || MOVED+=" $p"
			echo 0 >"/proc/$p/task/$p/fail-nth"
		done
		# Served by an armed kworker: its count moved.
		[ -n "$MOVED" ] && return
	done
}
judge_async_worker() {
	case $R in
	"fail shm-async status=$PENDING completed=1 va_null=1 pa_null=1 len=4096") SITES+=" w$1:$INJ:NULL" ;;
	"ok shm-async status=$PENDING completed=1 va_null=0 pa_null=0 len=4096") SITES+=" w$1:$INJ:fallback" ;;
	*) BAD+="work step $1: $R; " ;;
	esac
}
final_async_worker() {
	[ -n "$MOVED" ] || BAD+="work step: served by no armed kworker (3 tries); "
	final_async
}
if ! wanted shm-async; then
	skip shm-async
elif [ "$edu_ready" = 1 ]; then
	begin shm-async
	arm_entry NdisMAllocateSharedMemoryAsyncEx && steps try_async judge_async final_async
	calls=$STEPS
	arm_text && steps try_async_worker judge_async_worker final_async_worker
	[ "$calls" -ge 1 ] && [ $((STEPS - calls)) -ge 1 ] ||
		BAD+="$calls steps in the call, $((STEPS - calls)) in the work item: want 1 and 1 at least; "
	read_adapter
	[ "$(field shared_blocks "$ADAPTER")" = 0 ] || BAD+="$ADAPTER; "
	call "shm-roundtrip off=0 len=256" "$E/cmd" "$E/result"
	[[ $R == "ok shm-roundtrip "*verified=1* ]] || BAD+="after the path: $R; "
	check_dma "after the path"
	end 2 "FAILURE from the call, or PENDING and NULL pointers in the handler, or a fallback; no block left, then data verified"
else
	notok "shm-async: edu_dma_c not bound to $PCI0"
fi
disarm || true

# ---- edu_dma_c gone: nothing of it left
read_rejected
rej_edu=$((REJECTED - REJECTED_START))
if rmmod edu_dma_c; then
	read_adapter
	if [ "$ADAPTERS" = 0 ]; then
		ok "rmmod edu_dma_c: no adapter listed ($rej_edu rejected calls so far: edu_dma_c's probe asks for shared memory before it is a bus master, once per bind)"
	else
		notok "after rmmod edu_dma_c: $ADAPTERS adapter(s) listed"
	fi
else
	notok "rmmod edu_dma_c"
fi
if [ "$PRE_ENABLED" = 1 ]; then
	echo 0 >"$EDU0/enable" && PRE_ENABLED=0
fi

# =====================================================================
# ndis_ops: one raw system-DMA call per write, in this task
# =====================================================================
read_rejected
REJECTED_START=$REJECTED
if ! insmod "$ops"; then
	notok "insmod ndis_ops"
	rmmod ndis_shim
	exit 1
fi
D=$DBG/ndis_ops/$PCI0
op() { call "$1" "$D/op" "$D/result"; }
op_nth() { call_nth "$1" "$2" "$D/op" "$D/result"; }
status_of() { # LINE: its status=
	local v=${1#status=}
	[ "$v" != "$1" ] && echo "${v%% *}"
}
# A verified round trip on SLOT: buffer 1 (4 KiB) to edu's buffer, back
# into buffer 2, compared with the pattern. Adds to BAD.
SEED=$((RANDOM + 1))
ops_works() { # SLOT WHEN
	local st dir
	SEED=$((SEED + 1))
	op "fill slot=$1 buf=1 value=$SEED"
	op "fill slot=$1 buf=2 value=0"
	for dir in "buf=1 off=0 len=4096 dir=to" "buf=2 off=0 len=4096 dir=from"; do
		op "setup slot=$1 $dir"
		st=$(status_of "$R")
		[ "$st" = $OK ] || { BAD+="$2: setup $dir: $R; "; return; }
		op wait
		op "complete slot=$1 $dir"
		st=$(status_of "$R")
		[ "$st" = $OK ] || { BAD+="$2: complete $dir: $R; "; return; }
	done
	op "check slot=$1 buf=2 len=4096 value=$SEED"
	[ "$(status_of "$R")" = $OK ] || BAD+="$2: data not verified: $R; "
}

# ---- register: NdisMRegisterDmaChannel. Page: SUCCESS,
# RESOURCE_CONFLICT, RESOURCES, FAILURE; a failed allocation is RESOURCES.
REG_MAX=
try_register() { op_nth "$1" "register slot=0 max=$REG_MAX"; }
judge_register() {
	case $(status_of "$R") in
	"$OK") SITES+=" $1:$INJ:fallback"; op "deregister slot=0" ;;
	"$RES") SITES+=" $1:$INJ:RESOURCES" ;;
	*) BAD+="step $1: $R; " ;;
	esac
	op "register slot=0 max=$REG_MAX"
	[ "$(status_of "$R")" = "$OK" ] || BAD+="step $1: retry: $R; "
	op "deregister slot=0"
	check_dma "step $1"
}
final_register() {
	[ "$(status_of "$R")" = "$OK" ] || BAD+="uninjected: $R; "
	ops_works 0 "max=$REG_MAX"
	op "deregister slot=0"
	check_dma "after the path"
}
if wanted register; then
	for REG_MAX in 4096 65536; do
		begin "register max=$REG_MAX"
		arm_text && steps try_register judge_register final_register
		end 2 "each RESOURCES or a fallback, then registered, data verified"
	done
else
	skip "register max=4096"
	skip "register max=65536"
fi

# ---- setup: NdisMSetupDmaTransfer. Page: SUCCESS, or RESOURCES when not
# all Length bytes could be mapped (Documentation/system-dma.rst). Setup
# allocates nothing of its own: the steps are the mapping's allocations
# (IOVA space, page tables) where the DMA backend has any; the mapping
# itself fails through fail_maps, once in place and once for a vmalloc
# buffer (tried in place first, then bounced). A transfer whose
# device-to-host data shares a cache line is bounced without a mapping:
# fail_maps must be left untouched by it.
SETUP_ARGS=
try_setup() { op_nth "$1" "setup slot=1 $SETUP_ARGS"; }
setup_done() { # WHEN
	op wait
	op "complete slot=1 $SETUP_ARGS"
	[ "$(status_of "$R")" = $OK ] || BAD+="$1: complete: $R; "
}
judge_setup() {
	case $(status_of "$R") in
	"$OK") SITES+=" $1:$INJ:fallback"; setup_done "step $1" ;;
	"$RES") SITES+=" $1:$INJ:RESOURCES" ;;
	*) BAD+="step $1: $R; " ;;
	esac
	check_dma "step $1"
}
final_setup() {
	[ "$(status_of "$R")" = "$OK" ] || BAD+="uninjected setup $SETUP_ARGS: $R; "
	setup_done "uninjected"
	check_dma "$SETUP_ARGS"
}
fail_maps_setup() { # ARGS EXPECT-LEFT EXPECT-STATUS
	echo 1 >$SHIM/fail_maps
	op "setup slot=1 $1"
	read -r left <$SHIM/fail_maps
	echo 0 >$SHIM/fail_maps
	if [ "$left" != "$2" ] || [ "$(status_of "$R")" != "$3" ]; then
		BAD+="fail_maps=1, setup $1: $R (fail_maps left $left); "
	elif [ "$3" = $OK ]; then
		SETUP_ARGS=$1 setup_done "fail_maps, $1"
	else
		STEPS=$((STEPS + 1)) SITES+=" fail_maps:RESOURCES"
	fi
	check_dma "fail_maps, $1"
}
if ! wanted setup; then
	skip setup
else
	begin setup
	op "register slot=1 max=8192"
	rebase # the channel's bounce memory
	if [ "$(status_of "$R")" = $OK ] && arm_text; then
		# buf=1: 4 KiB kmalloc (in place unless out of reach); buf=3:
		# vmalloc (bounced); buf=2 from the device at offset 100: bounced,
		# its cache lines shared.
		for SETUP_ARGS in "buf=1 off=0 len=4096 dir=to" "buf=3 off=0 len=4096 dir=to" \
			"buf=2 off=100 len=3000 dir=from"; do
			steps try_setup judge_setup final_setup
		done
		disarm || BAD+="cannot disarm; "
		fail_maps_setup "buf=1 off=0 len=4096 dir=to" 0 $RES
		fail_maps_setup "buf=3 off=0 len=4096 dir=to" 0 $RES
		fail_maps_setup "buf=2 off=100 len=3000 dir=from" 1 $OK
		ops_works 1 "after the path"
	else
		BAD+="register slot=1: $R; "
	fi
	op "deregister slot=1"
	check_dma_start "after the path"
	end 2 "each RESOURCES, nothing left mapped, then data verified"
fi

# ---- complete: NdisMCompleteDmaTransfer. Its allocations are stepped
# like any call's (there are none: a control call in the same arming
# shows the filter is live); its failure is the controller's: "stall"
# makes Stop report the engine still running. Page (system-dma.rst):
# RESOURCES when "the DMA controller was released but the data transfer
# might be incomplete"; the next Setup on the channel is RESOURCES ("in
# use") while the engine still reports busy, then succeeds.
if ! wanted complete; then
	skip complete
else
	begin complete
	op "register slot=1 max=8192"
	op "setup slot=1 buf=1 off=0 len=4096 dir=to"
	op wait
	if arm_text; then
		rearm
		op_nth 1 "complete slot=1 buf=1 off=0 len=4096 dir=to"
		read_injected
		[ "$INJ/$LEFT" = none/1 ] && [ "$(status_of "$R")" = $OK ] ||
			BAD+="complete allocated ($INJ, fail-nth left $LEFT): $R; "
		count_call "register slot=2 max=4096" "$D/op" "$D/result"
		[ "$COUNT" -ge 1 ] || BAD+="control: register made no filtered allocation; "
		op "deregister slot=2"
		disarm || BAD+="cannot disarm; "
	fi
	SEED=$((SEED + 1))
	op "fill slot=1 buf=1 value=$SEED"
	op "setup slot=1 buf=1 off=0 len=4096 dir=to"
	op wait
	op "stall value=2"
	op "complete slot=1 buf=1 off=0 len=4096 dir=to"
	c=$(status_of "$R")
	op "setup slot=1 buf=2 off=0 len=4096 dir=from"
	s1=$(status_of "$R")
	op "setup slot=1 buf=2 off=0 len=4096 dir=from"
	s2=$(status_of "$R")
	if [ "$c/$s1/$s2" = "$RES/$RES/$OK" ]; then
		STEPS=2 SITES=" stall:complete:RESOURCES stall:setup:RESOURCES"
		op wait
		op "complete slot=1 buf=2 off=0 len=4096 dir=from"
		op "check slot=1 buf=2 len=4096 value=$SEED"
		[ "$(status_of "$R")" = $OK ] || BAD+="data after the stalled Complete: $R; "
	else
		BAD+="stalled: complete $c, setup $s1, then $s2 (want $RES, $RES, $OK); "
	fi
	op "stall value=0"
	ops_works 1 "after the path"
	op "deregister slot=1"
	check_dma "after the path"
	end 2 "no allocation; RESOURCES while the engine is not confirmed stopped, the data intact, nothing left mapped"
fi

# ---- deregister: NdisMDeregisterDmaChannel (VOID; the page: it
# "releases" the channel). Allocations stepped as for Complete (none);
# the fault: the engine reports busy for 5 polls, so Deregister waits
# (bounded, 2 s) and then releases the mapping without fencing the
# function; the channel registers again and moves data.
if ! wanted deregister; then
	skip deregister
else
	begin deregister
	read -r fenced0 <$SHIM/fenced
	op "register slot=2 max=8192"
	if arm_text; then
		rearm
		op_nth 1 "deregister slot=2"
		read_injected
		[ "$INJ/$LEFT" = none/1 ] || BAD+="deregister allocated ($INJ, fail-nth left $LEFT); "
		count_call "register slot=2 max=8192" "$D/op" "$D/result"
		[ "$COUNT" -ge 1 ] || BAD+="control: register made no filtered allocation; "
		disarm || BAD+="cannot disarm; "
	fi
	op "setup slot=2 buf=1 off=0 len=4096 dir=to"
	op wait
	op "stall value=5"
	t=$EPOCHREALTIME
	op "deregister slot=2"
	ms=$(((${EPOCHREALTIME/./} - ${t/./}) / 1000))
	op "stall value=0"
	read -r fenced <$SHIM/fenced
	if [ "$fenced" = "$fenced0" ]; then
		STEPS=5 SITES=" stall:5-polls:released-after-${ms}ms"
	else
		BAD+="the stalled Deregister fenced the function: $fenced0 -> $fenced; "
	fi
	check_dma "after the stalled Deregister"
	op "register slot=2 max=8192"
	[ "$(status_of "$R")" = $OK ] || BAD+="register again: $R; "
	ops_works 2 "after the path"
	op "deregister slot=2"
	check_dma "after the path"
	end 5 "no allocation; a busy engine waited for, the mapping released, data verified after"
fi

# ---- ndis_ops gone: nothing left behind
before=$(dmesg | wc -l)
read_rejected
if rmmod ndis_ops; then
	left=$(dmesg | tail -n +"$((before + 1))" | grep -c 'not deregistered' || true)
	read_adapter
	if [ "$left" = 0 ] && [ "$ADAPTERS" = 0 ] && [ "$REJECTED" = "$REJECTED_START" ]; then
		ok "rmmod ndis_ops: no channel left registered, no adapter listed, rejected_calls unchanged"
	else
		notok "after rmmod ndis_ops: $left leftover-channel message(s), $ADAPTERS adapter(s), rejected_calls $REJECTED_START -> $REJECTED"
	fi
else
	notok "rmmod ndis_ops"
fi

# =====================================================================
# edu_dma_ndis5: map registers and physical mapping (NDIS 5.1)
# =====================================================================
read_rejected
REJECTED_START=$REJECTED
insmod "$edu5" || echo "# insmod edu_dma_ndis5 failed"
N=$DBG/edu_dma_ndis5/$PCI0
ndis5_works() { # WHEN
	call "roundtrip len=3000 off=100 buf=kmalloc reg=0" "$N/cmd" "$N/result"
	[[ $R == "ok "*verified=1 ]] || BAD+="$1: roundtrip: $R; "
}

# ---- map-registers: NdisMAllocateMapRegisters (edu5_test's "dmasize 2":
# free, then allocate as MiniportInitialize does). NDIS 5.1 page: SUCCESS,
# or RESOURCES (incompatible parameters, or map registers that cannot be
# allocated).
try_mapreg() { call_nth "$1" "dmasize 2" "$N/cmd" "$N/result"; }
judge_mapreg() {
	case $R in
	"dmasize=2 status=$RES") SITES+=" $1:$INJ:RESOURCES"
		call "dmasize 2" "$N/cmd" "$N/result"
		[ "$R" = "dmasize=2 status=$OK" ] || BAD+="step $1: retry: $R; " ;;
	"dmasize=2 status=$OK") SITES+=" $1:$INJ:fallback" ;;
	*) BAD+="step $1: $R; " ;;
	esac
	check_dma "step $1"
}
final_mapreg() {
	[ "$R" = "dmasize=2 status=$OK" ] || BAD+="uninjected: $R; "
	ndis5_works "after the path"
	check_dma "after the path"
}
if ! wanted map-registers; then
	skip map-registers
elif [ -e "$N/cmd" ]; then
	begin map-registers
	arm_entry NdisMAllocateMapRegisters && steps try_mapreg judge_mapreg final_mapreg
	end 6 "each RESOURCES or a fallback, then allocated again, data verified"
else
	notok "map-registers: edu_dma_ndis5 not bound to $PCI0"
fi

# ---- phys-mapping: NdisMStartBufferPhysicalMapping (edu5_test's
# "roundtrip": each buffer mapped, moved, completed). Windows documents no
# failure for this VOID call (its map registers are allocated already);
# the shim reports one as no entries (ArraySize 0), one log line and
# rejected_calls + 1 (Documentation/ndis5.rst), which edu_dma_ndis5 turns
# into RESOURCES. Shapes: kmalloc (one entry), vmalloc across a page
# boundary (two); the mapping site: fail_maps. NdisMCompleteBufferPhysical-
# Mapping runs on every step.
PM_CMD=
try_phys() { call_nth "$1" "$PM_CMD" "$N/cmd" "$N/result"; }
judge_phys() {
	case $R in
	"fail to=$RES entries_to=0 "*) SITES+=" $1:$INJ:to:none"; REFUSED=$((REFUSED + 1)) ;;
	"fail to=$OK entries_to="*" from=$RES entries_from=0 "*) SITES+=" $1:$INJ:from:none"; REFUSED=$((REFUSED + 1)) ;;
	"ok "*verified=1) SITES+=" $1:$INJ:fallback" ;;
	*) BAD+="step $1: $R; " ;;
	esac
	check_dma "step $1"
}
final_phys() {
	[[ $R == "ok "*verified=1 ]] || BAD+="uninjected $PM_CMD: $R; "
	check_dma "$PM_CMD"
}
if ! wanted phys-mapping; then
	skip phys-mapping
elif [ -e "$N/cmd" ]; then
	begin phys-mapping
	REFUSED=0
	if arm_entry NdisMStartBufferPhysicalMapping; then
		for PM_CMD in "roundtrip len=3000 off=100 buf=kmalloc reg=0" \
			"roundtrip len=3000 off=3000 buf=vmalloc reg=1"; do
			steps try_phys judge_phys final_phys
		done
	fi
	disarm || BAD+="cannot disarm; "
	echo 1 >$SHIM/fail_maps
	call "roundtrip len=3000 off=100 buf=kmalloc reg=0" "$N/cmd" "$N/result"
	read -r left <$SHIM/fail_maps
	echo 0 >$SHIM/fail_maps
	if [[ $R == "fail to=$RES entries_to=0 "* ]] && [ "$left" = 0 ]; then
		STEPS=$((STEPS + 1)) REFUSED=$((REFUSED + 1)) SITES+=" fail_maps:to:none"
	else
		BAD+="fail_maps=1: $R (fail_maps left $left); "
	fi
	read_rejected
	[ $((REJECTED - REJECTED0)) = "$REFUSED" ] ||
		BAD+="rejected_calls moved by $((REJECTED - REJECTED0)), $REFUSED refused mappings; "
	# Start and Complete allocate nothing (each register's piece list
	# comes with it): failslab finds no site of the shim's own, only
	# fail_maps counts. Under an IOMMU the IOVA allocator's own
	# allocations below the mapping are steps too.
	if [ "$CONFIG" != iommu ] && [ "$STEPS" != 1 ]; then
		BAD+="$((STEPS - 1)) allocation(s) on Start/Complete, which allocate nothing; "
	fi
	ndis5_works "after the path"
	check_dma "after the path"
	end 1 "each no entries (one rejected call) or a fallback, nothing left mapped, data verified"
else
	notok "phys-mapping: edu_dma_ndis5 not bound to $PCI0"
fi

if rmmod edu_dma_ndis5; then
	read_adapter
	if [ "$ADAPTERS" = 0 ]; then ok "rmmod edu_dma_ndis5: no adapter listed"; else notok "after rmmod edu_dma_ndis5: $ADAPTERS adapter(s) listed"; fi
else
	notok "rmmod edu_dma_ndis5"
fi

# ---- the attributes back to harmless, the shim unloaded
FI_BAD=
disarm
read -r dis <$DBG/dma-api/disabled
if [ -z "$FI_BAD" ] && [ "$dis" = N ] && rmmod ndis_shim; then
	ok "attributes disarmed, DMA-API debug still on, rmmod ndis_shim"
else
	notok "disarm: ${FI_BAD:-ok}; DMA-API debug disabled=$dis; rmmod ndis_shim"
fi
exit "$failed"
