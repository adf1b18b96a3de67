#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Fault injection aimed at the shim: every memory allocation made while the
# shim's code is on the stack (failslab and fail_page_alloc, stack-trace
# filter on ndis_shim's .text) is made to fail in turn, one per step, on
# three paths:
#   - miniport load and initialization: insmod edu_dma_c (DriverEntry),
#     then a bind of one edu adapter (the shim's probe, MiniportInitializeEx:
#     NdisAllocateMemory..., NdisMMapIoSpace, NdisMRegisterInterruptEx,
#     NdisMRegisterDmaChannel);
#   - NdisMRegisterDmaChannel (ndis_ops, raw status), small and large
#     MaximumLength;
#   - NdisMSetupDmaTransfer mapped in place and bounced (ndis_ops), plus the
#     shim's own mapping fault point (ndis_shim/fail_maps).
# Each step must end in NDIS_STATUS_RESOURCES (the miniport not bound, for
# initialization) or in success where the failed allocation had a fallback;
# then the same call succeeds with injection off. A path is done when a
# step injects nothing. Nothing may be left behind: rmmod works, no
# adapter stays listed, rejected_calls does not move, and the harness's
# kmemleak / DMA-API debug / splat checks run around the whole test.
#
# Stepping: /proc/thread-self/fail-nth (Documentation/fault-injection/
# fault-injection.rst, "systematic faults"): N fails the N-th allocation
# of *this task* that passes the attributes' filters. `space` cannot step
# through sites: it is a budget in bytes (failslab) or pages
# (fail_page_alloc), not a count of calls. The attributes keep
# probability=0, so no other task is ever hit; times=1 is the witness: it
# drops to 0 exactly when a failure was injected. verbose=0.
#
# NDIS_FAULT_INIT=1 also steps through an adapter's initialization (a bind:
# about 140 steps, each a probe and a halt). Off by default: a failure
# injected inside request_irq's /proc registration makes the IRQ core WARN
# in remove_proc_entry at free_irq (a kernel error-path bug, not the
# shim's), and the run takes ~20 min on a loaded host.
#
# NDIS_FAULT_MAX_STEPS (default 400): a path that still injects after that
# many steps fails. NDIS_FAULT_VERBOSE=2 logs each injected failure's stack
# (to find a fallback's site by hand; the harness then fails the test on
# the "Call Trace:" lines). Prints nested KTAP.
set -uo pipefail
KO=${NDIS_KO:-${KO:-/work/main/build/ko}}
shim=$KO/ndis_shim.ko edu=$KO/edu_dma_c.ko ops=$KO/ndis_ops.ko
MAX_STEPS=${NDIS_FAULT_MAX_STEPS:-400}
DBG=/sys/kernel/debug
FS=$DBG/failslab FP=$DBG/fail_page_alloc SHIM=$DBG/ndis_shim
NTH=/proc/thread-self/fail-nth
RES=0xc000009a
for ko in "$shim" "$edu" "$ops"; do
	[ -f "$ko" ] || { echo "# SKIP $ko not built"; exit 4; }
done
mountpoint -q $DBG || mount -t debugfs none $DBG
[ -d $FS ] && [ -d $FP ] && [ -e $FS/require-start ] ||
	{ echo "# SKIP no failslab/fail_page_alloc with a stack-trace filter"; exit 4; }
[ -w $NTH ] || { echo "# SKIP no $NTH"; exit 4; }

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
notok() { n=$((n + 1)); echo "not ok $n $*"; failed=1; }

# ---- the attributes; disarmed on every exit path
fi_write() { echo "$3" >"$1/$2" || echo "# cannot write $3 to $1/$2"; }
disarm() {
	echo 0 >$NTH 2>/dev/null
	local d
	for d in $FS $FP; do
		fi_write $d probability 0
		fi_write $d times 0
		fi_write $d require-start 0
		fi_write $d require-end 0xffffffffffffffff
		fi_write $d ignore-gfp-wait Y
	done
	fi_write $FP ignore-gfp-highmem Y
	fi_write $FP min-order 1
}
set_override() { # NAME (empty: none)
	local dev
	for dev in "${EDU_DEVS[@]}"; do echo "$1" >"$dev/driver_override"; done
}
EDU_DEVS=()
for dev in /sys/bus/pci/devices/*; do
	[ "$(cat "$dev/vendor"):$(cat "$dev/device")" = 0x1234:0x11e8 ] && EDU_DEVS+=("$dev")
done
trap 'disarm; set_override ""' EXIT
arm() { # LO HI (the shim's text) REJECT-LO REJECT-HI
	local d
	for d in $FS $FP; do
		fi_write $d probability 0 # only fail-nth injects: this task alone
		fi_write $d interval 1
		fi_write $d space 0
		fi_write $d times 1
		fi_write $d verbose "${NDIS_FAULT_VERBOSE:-0}"
		fi_write $d task-filter N
		fi_write $d stacktrace-depth 32
		fi_write $d reject-start "$3"
		fi_write $d reject-end "$4"
		fi_write $d require-start "$1"
		fi_write $d require-end "$2"
		fi_write $d ignore-gfp-wait N
	done
	fi_write $FP ignore-gfp-highmem N
	fi_write $FP min-order 0
}
rearm() { echo 1 >$FS/times; echo 1 >$FP/times; }
# Which attribute injected since rearm: failslab, page, or none.
injected() {
	if [ "$(cat $FS/times)" = 0 ]; then echo slab
	elif [ "$(cat $FP/times)" = 0 ]; then echo page
	else echo none
	fi
}

# The shim's .text: its load address, and its size from the .ko.
text_range() {
	local start size
	start=$(cat /sys/module/ndis_shim/sections/.text 2>/dev/null)
	size=$(readelf -SW "$shim" 2>/dev/null |
		sed -nE 's/.*\] \.text +PROGBITS +[0-9a-f]+ [0-9a-f]+ ([0-9a-f]+) .*/\1/p')
	[ -n "$start" ] && [ -n "$size" ] || return 1
	printf '%#x %#x\n' "$start" $((start + 0x$size))
}

# A function's text: its address up to the next symbol's (the kernel's
# own symbols are listed in address order).
sym_range() {
	awk -v s="$1" 'a && $1 != a { print "0x" a, "0x" $1; found = 1; exit }
		!a && $3 == s { a = $1 }
		END { exit !found }' /proc/kallsyms
}
adapters_of() { grep -c "driver=$1" $SHIM/adapters; }
mark() { M="ndis-fault: $$-$(date +%s%N)"; echo "$M" >/dev/kmsg; }
since_mark() { dmesg | awk -v m="$M" 'on; index($0, m) { on = 1 }'; }

echo "KTAP version 1"
echo "1..11"
if ! insmod "$shim"; then notok "insmod ndis_shim"; exit 1; fi
rejected0=$(cat $SHIM/rejected_calls)
if ! range=$(text_range); then notok "ndis_shim .text range"; rmmod ndis_shim; exit 1; fi
read -r LO HI <<<"$range"
echo "# stack filter: ndis_shim .text $LO..$HI"
# Spared: whatever pci_enable_device does in the shim's probe (INTx
# routing and power state through ACPI methods): the PCI core's, with its
# own fallbacks ("PCI INT A: no GSI"), dozens of interpreter allocations.
range=$(sym_range pci_enable_device_flags) || range="0 0"
read -r RLO RHI <<<"$range"
echo "# spared: pci_enable_device_flags $RLO..$RHI"
arm "$LO" "$HI" "$RLO" "$RHI"

# ---- path 1: miniport initialization. (a) insmod edu_dma_c while
# driver_override keeps it off the edu devices: NdisLinuxDriverLoad and
# DriverEntry; insmod fails with ENOMEM or succeeds. (b) an adapter bound
# through sysfs, so its probe (MiniportInitializeEx) runs in this task: the
# bind fails with ENOMEM (the shim logs MiniportInitializeEx's status, which
# must be RESOURCES) or, where the failed allocation had a fallback, the
# adapter binds and must still move data.
# Every NDIS status logged since the mark, comma-separated.
statuses() {
	since_mark | grep -oE '(miniport initialization failed|MiniportInitializeEx failed|DriverEntry failed \(status|edu_dma_c: NdisM[A-Za-z]+):? 0x[0-9a-f]{8}' |
		grep -oE '0x[0-9a-f]{8}' | sort -u | paste -sd, -
}
only_resources() { [ -z "$1" ] || [[ ,$1 =~ ^(,0xc000009a)+$ ]]; }
ERR=${NDIS_OUT:-/tmp}/fault-inject.err

load_path() {
	local s out rc inj bad='' refused=0 fallback=0 steps=0
	set_override ndis_fault_unbound
	for ((s = 1; s <= MAX_STEPS; s++)); do
		rearm
		mark
		rc=0
		out=$(bash -c 'echo "$1" >/proc/thread-self/fail-nth && exec insmod "$2"' _ "$s" "$edu" 2>&1) || rc=$?
		inj=$(injected)
		[ "$inj" = none ] && break
		steps=$s
		only_resources "$(statuses)" || bad+="step $s: status $(statuses); "
		if [ "$rc" != 0 ]; then
			[[ $out == *"Cannot allocate memory"* ]] || bad+="step $s: insmod: $out; "
			refused=$((refused + 1))
			echo "# load step $s ($inj): insmod refused: ENOMEM"
		else
			fallback=$((fallback + 1))
			echo "# load step $s ($inj): loaded (fallback)"
		fi
		if lsmod | grep -q '^edu_dma_c '; then
			rmmod edu_dma_c || bad+="step $s: rmmod edu_dma_c failed; "
		fi
	done
	[ "$s" -gt "$MAX_STEPS" ] && bad+="still injecting after $MAX_STEPS steps; "
	[ "$rc" = 0 ] || bad+="uninjected insmod: $out; "
	if lsmod | grep -q '^edu_dma_c '; then rmmod edu_dma_c || bad+="rmmod edu_dma_c failed; "; fi
	if [ -z "$bad" ]; then
		ok "miniport load (DriverEntry): $steps allocation site(s) failed in turn ($refused ENOMEM, $fallback fallback), then loaded"
	else
		notok "miniport load (DriverEntry): ${bad%; }"
	fi
}
load_path
set_override ""

init_path() {
	local s dev pci brc inj bad='' refused=0 fallback=0 steps=0 left st sites='' base
	# One adapter is stepped through: the other runs the same code, and
	# each step of a bind costs a probe and a halt.
	for dev in "${EDU_DEVS[0]}"; do
		pci=$(basename "$dev")
		base=$(adapters_of edu_dma_c) # the adapters bound before this one
		for ((s = 1; s <= MAX_STEPS; s++)); do
			rearm
			mark
			echo "$s" >$NTH
			{ echo "$pci" >/sys/bus/pci/drivers/edu_dma_c/bind; } 2>"$ERR"
			brc=$?
			read -r left <$NTH
			echo 0 >$NTH
			inj=$(injected)
			st=$(statuses)
			only_resources "$st" || bad+="$pci step $s: status $st; "
			if [ "$inj" = none ]; then
				[ "$brc" = 0 ] && [ -e "$dev/driver" ] || bad+="$pci uninjected bind: $(cat "$ERR"); "
				break
			fi
			steps=$((steps + 1))
			if [ -e "$dev/driver" ]; then
				fallback=$((fallback + 1))
				if [ ! -e "$DBG/edu_dma_c/$pci/result" ] ||
					! { echo "roundtrip off=0 len=64 buf=kmalloc" >"$DBG/edu_dma_c/$pci/cmd"; } 2>/dev/null; then
					# The failure hit the sample's own debugfs files.
					sites+=" $s:$inj:bound-without-test-interface"
				elif [[ $(cat "$DBG/edu_dma_c/$pci/result") == ok\ *verified=1* ]]; then
					sites+=" $s:$inj:bound"
				else
					sites+=" $s:$inj:bound-no-data"
					bad+="$pci step $s: bound after a fallback but moves no data; "
				fi
				echo "$pci" >/sys/bus/pci/drivers/edu_dma_c/unbind
			else
				grep -q "Cannot allocate memory" "$ERR" || bad+="$pci step $s: bind: $(cat "$ERR"); "
				refused=$((refused + 1))
				sites+=" $s:$inj:${st:-ENOMEM}"
			fi
			[ "$(adapters_of edu_dma_c)" = "$base" ] || bad+="$pci step $s: adapter left listed; "
		done
		[ "$s" -gt "$MAX_STEPS" ] && bad+="$pci still injecting after $MAX_STEPS steps; "
		echo "# init $pci steps:${sites:- none}"
		sites=''
	done
	if rmmod edu_dma_c && [ "$(adapters_of edu_dma_c)" = 0 ]; then :; else bad+="rmmod edu_dma_c; "; fi
	if [ -z "$bad" ]; then
		ok "MiniportInitializeEx on $(basename "${EDU_DEVS[0]}"): $steps allocation sites failed in turn ($refused refused with RESOURCES/ENOMEM, $fallback fallback), then bound"
	else
		notok "MiniportInitializeEx: ${bad%; }"
	fi
}
set_override ndis_fault_unbound
if [ "${NDIS_FAULT_INIT:-0}" != 1 ]; then
	set_override ""
	n=$((n + 1))
	echo "ok $n MiniportInitializeEx # SKIP NDIS_FAULT_INIT=1 (the IRQ core WARNs on an injected /proc failure)"
elif insmod "$edu"; then
	set_override ""
	init_path
else
	set_override ""
	notok "MiniportInitializeEx: insmod edu_dma_c failed"
fi

# ---- ndis_ops: one raw call per write, in this shell's task
if ! insmod "$ops"; then
	notok "insmod ndis_ops"
	rmmod ndis_shim
	exit 1
fi
mapfile -t OPS < <(ls -d $DBG/ndis_ops/*/ 2>/dev/null)
D=${OPS[0]:-}
if [ -n "$D" ]; then ok "ndis_ops bound ${#OPS[@]} adapter(s); using $(basename "$D")"; else notok "ndis_ops bound no adapter"; fi

R=
op() { # OP: no injection; R = result
	if echo "$1" >"$D/op" 2>/dev/null; then R=$(cat "$D/result"); else R="(write failed)"; fi
}
# OP with the N-th shim allocation of this task failing; R, INJ.
op_nth() {
	local left
	rearm
	echo "$2" >$NTH
	if echo "$1" >"$D/op" 2>/dev/null; then R=; else R="(write failed)"; fi
	read -r left <$NTH
	echo 0 >$NTH
	[ -n "$R" ] || R=$(cat "$D/result")
	INJ=$(injected)
	[ "$left" = 0 ] || [ "$INJ" = none ] || INJ="$INJ?"
}
status_of() { sed -nE 's/^status=(0x[0-9a-f]{8}).*/\1/p' <<<"$1"; }

register_path() { # MAX
	local s st bad='' refused=0 fallback=0 steps=0 sites=''
	for ((s = 1; s <= MAX_STEPS; s++)); do
		op_nth "register slot=0 max=$1" "$s"
		st=$(status_of "$R")
		[ "$INJ" = none ] && { steps=$((s - 1)); break; }
		sites+=" $s:$INJ:${st:-?}"
		case $st in
		0x00000000)
			fallback=$((fallback + 1))
			op "deregister slot=0" ;;
		$RES) refused=$((refused + 1)) ;;
		*) bad+="step $s: $R; " ;;
		esac
		# Injection off: the same call succeeds.
		op "register slot=0 max=$1"
		[ "$(status_of "$R")" = 0x00000000 ] || bad+="step $s: retry: $R; "
		op "deregister slot=0"
	done
	[ "$s" -gt "$MAX_STEPS" ] && bad+="still injecting after $MAX_STEPS steps; "
	[ "$INJ" = none ] && [ "$(status_of "$R")" = 0x00000000 ] || bad+="uninjected register: $R; "
	op "deregister slot=0"
	echo "# register max=$1 steps:${sites:- none}"
	if [ -z "$bad" ]; then
		ok "NdisMRegisterDmaChannel max=$1: $steps allocation sites failed in turn ($refused RESOURCES, $fallback fallback)"
	else
		notok "NdisMRegisterDmaChannel max=$1: ${bad%; }"
	fi
}
register_path 4096
register_path 65536

# Setup on a registered channel; success is followed by wait + Complete.
transfer_done() { # CASE
	op "wait"
	op "complete slot=1 $1"
	[ "$(status_of "$R")" = 0x00000000 ]
}
setup_path() { # WHAT CASE
	local s st bad='' refused=0 fallback=0 steps=0 sites=''
	for ((s = 1; s <= MAX_STEPS; s++)); do
		op_nth "setup slot=1 $2" "$s"
		st=$(status_of "$R")
		if [ "$INJ" = none ]; then
			steps=$((s - 1))
			[ "$st" = 0x00000000 ] && transfer_done "$2" || bad+="uninjected setup/complete: $R; "
			break
		fi
		sites+=" $s:$INJ:${st:-?}"
		case $st in
		0x00000000)
			fallback=$((fallback + 1))
			transfer_done "$2" || bad+="step $s: complete: $R; " ;;
		$RES)
			refused=$((refused + 1))
			op "setup slot=1 $2"
			[ "$(status_of "$R")" = 0x00000000 ] && transfer_done "$2" ||
				bad+="step $s: retry: $R; " ;;
		*) bad+="step $s: $R; " ;;
		esac
	done
	[ "$s" -gt "$MAX_STEPS" ] && bad+="still injecting after $MAX_STEPS steps; "
	echo "# setup $1 steps:${sites:- none}"
	if [ -z "$bad" ]; then
		ok "NdisMSetupDmaTransfer $1: $steps allocation sites failed in turn ($refused RESOURCES, $fallback fallback); transfer completes with injection off"
	else
		notok "NdisMSetupDmaTransfer $1: ${bad%; }"
	fi
}
op "register slot=1 max=8192"
if [ "$(status_of "$R")" = 0x00000000 ]; then
	# buf=1: 4 KiB kmalloc (mapped in place unless out of reach); buf=2
	# from the device at an unaligned offset (cache-line split: bounced);
	# buf=3: vmalloc (not contiguous: bounced).
	setup_path "in place" "buf=1 off=0 len=4096 dir=to"
	setup_path "bounced (cache-line split)" "buf=2 off=100 len=3000 dir=from"
	setup_path "bounced (vmalloc)" "buf=3 off=0 len=4096 dir=to"
	# The mapping site itself: the shim's fault point fails the next
	# streaming mapping; Setup refuses, the retry succeeds.
	echo 1 >$SHIM/fail_maps
	op "setup slot=1 buf=1 off=0 len=4096 dir=to"
	st1=$(status_of "$R") left=$(cat $SHIM/fail_maps)
	echo 0 >$SHIM/fail_maps
	op "setup slot=1 buf=1 off=0 len=4096 dir=to"
	st2=$(status_of "$R")
	if [ "$st1" = $RES ] && [ "$left" = 0 ] && [ "$st2" = 0x00000000 ] &&
		transfer_done "buf=1 off=0 len=4096 dir=to"; then
		ok "fail_maps=1: Setup refused with RESOURCES, then the transfer completes"
	else
		notok "fail_maps=1: setup $st1 (fail_maps left $left), retry $st2, complete $R"
	fi
	op "deregister slot=1"
else
	for what in "in place" "bounced (cache-line split)" "bounced (vmalloc)" "fail_maps"; do
		notok "setup $what: register slot=1 failed: $R"
	done
fi
disarm

# ---- nothing left behind
before=$(dmesg | wc -l)
if rmmod ndis_ops; then
	left=$(dmesg | tail -n +"$((before + 1))" | grep -c 'not deregistered' || true)
	if [ "$left" = 0 ] && [ "$(adapters_of ndis_ops)" = 0 ] &&
		[ "$(cat $SHIM/rejected_calls)" = "$rejected0" ]; then
		ok "rmmod ndis_ops: no channel left registered, no adapter listed, rejected_calls unchanged"
	else
		notok "after rmmod ndis_ops: $left leftover-channel message(s), $(adapters_of ndis_ops) adapter(s), rejected_calls $rejected0 -> $(cat $SHIM/rejected_calls)"
	fi
else
	notok "rmmod ndis_ops"
fi
if rmmod ndis_shim; then ok "rmmod ndis_shim"; else notok "rmmod ndis_shim"; fi
exit "$failed"
