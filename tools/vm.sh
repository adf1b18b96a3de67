#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the test kernel under virtme-ng, run one command in the guest, return
# its exit status. Never interactive, always under `timeout`.
#
#   tools/vm.sh [--timeout SECS] [--quiet] CONFIG OUTDIR -- CMD [ARG...]
#
# CONFIG: plain | iommu (intel-iommu, intremap, strict) | swiotlb (swiotlb=force)
# | swiotlb-tiny (swiotlb=force, a 256 KiB pool in 256 MiB: mappings run out).
# Every config gets two edu devices (32-bit DMA mask first, then the default
# 28-bit one) and an empty hot-pluggable pcie-root-port (id ndis_hp0), and
# a QMP monitor the guest itself can speak to: the virtio-serial port named
# org.ndis-shim.qmp (tests/44-hot-unplug.sh uses it for device_add/del). It
# is wired as a socket chardev that QEMU connects to its own QMP server.
# Every config but swiotlb-tiny also gets two e1000 NICs (82540EM, 8086:100e)
# wired to each other through one QEMU hub and nothing else (no user/slirp
# networking, no host network; QEMU's warning "hub 0 is not connected to host
# network" is expected), at fixed addresses after everything else so that no other
# device moves (edu 00:0a.0 and 00:0b.0, ndis_hp0 00:0c.0, virtio-serial
# 00:0d.0 stay where they were):
#   NIC A 00:10.0 52:54:00:12:34:01  (the one the NDIS sample drives)
#   NIC B 00:11.0 52:54:00:12:34:02  (Linux's e1000)
# Both without an option ROM. udev loads Linux's e1000 at boot and it binds
# both; tests/07-e1000-ndis6.sh rebinds A (driver_override). After them a
# pcnet (AMD PCnet-PCI II, 1022:2000) and its peer, a second pcnet, wired
# to each other through hub 1 and nothing else, no option ROM:
#   pcnet   00:12.0 52:54:00:12:34:11  (the one the NDIS 5 sample drives;
#                                       tests/13-ndis5-ports.sh rebinds it)
#   peer    00:13.0 52:54:00:12:34:12  (Linux's pcnet32)
# Linux's pcnet32 binds both at boot; the NDIS 5 tests rebind 00:12.0
# (driver_override).
# OUTDIR is writable in the guest at the same path. It receives:
#   stdout.txt               the guest command's stdout (also shown unless --quiet)
#   console.log              the kernel console and the command's stderr
#   qemu-guest-errors.log    QEMU's guest-error log (-d guest_errors)
#   qemu-cmdline.txt         how the VM was started
# Exit status: the guest command's; 124 if the VM timed out; 255 if no status
# came back (guest panic); 3 if QEMU logged "EDU: clamping DMA" (a device
# address beyond the edu DMA mask) and the command itself succeeded; 75 if
# the guest stalled before its init started the command, twice.
#
# Environment: KDIR (default: tools/build-kernel.sh --print-kdir),
# NDIS_KVM=0/1 (skip the KVM probe), NDIS_VM_TIMEOUT (default 600 s),
# NDIS_VM_APPEND / NDIS_VM_QEMU_OPTS (extra kernel / QEMU arguments),
# NDIS_VM_CPUS (default 2; tools/bench-nic.sh's icount boot takes 1),
# NDIS_VM_BOOT_LIMIT (seconds until init starts the command, default 600),
# NDIS_VM_STALL_QUIET (seconds of console silence after an RCU stall in
# boot, default 60).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage() { die "usage: $0 [--timeout SECS] [--quiet] plain|iommu|swiotlb|swiotlb-tiny OUTDIR -- CMD..."; }
tmo=${NDIS_VM_TIMEOUT:-600} quiet=0
while [ $# -gt 0 ]; do
	case $1 in
	--timeout) tmo=$2; shift 2 ;;
	--quiet) quiet=1; shift ;;
	*) break ;;
	esac
done
{ [ $# -ge 4 ] && [ "$3" = -- ]; } || usage
config=$1 out=$2
shift 3
mkdir -p "$out"
out=$(cd "$out" && pwd)

KDIR=${KDIR:-$("$NDIS_TOP/tools/build-kernel.sh" --print-kdir)}
[ -f "$KDIR/arch/x86/boot/bzImage" ] || die "no test kernel at $KDIR: run tools/build-kernel.sh"

# Kernel arguments every config gets: keep going after a WARN so the harness
# can report it; writes to /dev/kmsg unthrottled (the harness marks every
# test there); a log buffer big enough for a few lockdep splats.
# no_timer_check: the IO-APIC timer probe panics when a loaded host slows
# TCG down (seen with several guests on 2 cores).
append="no_timer_check panic_on_warn=0 printk.devkmsg=on log_buf_len=4M kmemleak=on dma_debug_entries=65536"
# The root (the host's /, read-only 9p) with the page cache: virtme-ng
# mounts it uncached, so every exec read its binary and libraries from the
# host again. Measured in the guest (2026-12-03, 20 runs each): /bin/true
# 0.21 s -> 0.13 s, cat 0.24 -> 0.13, ip 0.66 -> 0.22; the tests are shell
# scripts that exec thousands of times. Safe because nothing the guest
# reads from the root changes on the host during a boot (the modules,
# scripts and kernel tree are built before it; results go to the
# separately mounted, uncached OUTDIR). The same flags virtme-ng passes,
# plus the cache; the kernel takes the last rootflags=.
append+=" rootflags=version=9p2000.L,trans=virtio,access=any,msize=524288,cache=loose"
# The memory and liveness detectors, tuned for a loaded TCG host: KFENCE
# samples an allocation every 2 s while the guest boots and every 10 ms
# (default 100) once the harness starts (it sets the interval): at 10 ms
# the boot's own long-lived objects filled all 255 objects of KFENCE's
# pool within the first minute, and a full pool samples nothing more, so
# the tests and the KFENCE canaries ran unsampled. slub_debug checks
# consistency, red zones and poison on every free and allocation in the
# kmalloc caches, where the shim's and the miniports' objects live (Rust's
# KBox, Arc and KVec, kmalloc, kzalloc). Not in the dedicated caches: on
# every cache it made each fork and exec in the guest about 3.5 times
# slower (the harness and the test scripts are shell) for 5% more DMA
# checking time, and the shim allocates nothing there. A soft lockup takes
# 60 s of a CPU not scheduling (watchdog_thresh 30; default 10 trips on TCG
# stalls); a task blocked 280 s is reported, under the harness's 300 s
# per-test timeout. slub_debug would also turn pointer hashing off;
# hash_pointers=always keeps %p as users' kernels print it.
append+=" kfence.sample_interval=2000 slub_debug=FZP,kmalloc-*,dma-kmalloc-* hash_pointers=always watchdog_thresh=30"
append+=" sysctl.kernel.hung_task_timeout_secs=280"
qopts="-device edu,dma_mask=0xffffffff -device edu"
qopts+=" -device pcie-root-port,id=ndis_hp0,bus=pcie.0,chassis=1,slot=1,hotplug=on"
# The server chardev must come first: the client connects while QEMU parses
# its options (a unix socket accepts into the backlog before QEMU's loop runs).
qmp_sock=$(mktemp -u "${TMPDIR:-/tmp}/ndis-qmp.XXXXXX")
trap 'rm -f "$qmp_sock"' EXIT
qopts+=" -chardev socket,id=ndis_qmp_srv,path=$qmp_sock,server=on,wait=off"
qopts+=" -mon chardev=ndis_qmp_srv,mode=control"
qopts+=" -chardev socket,id=ndis_qmp,path=$qmp_sock"
qopts+=" -device virtio-serial-pci,id=ndis_vser"
qopts+=" -device virtserialport,bus=ndis_vser.0,chardev=ndis_qmp,name=org.ndis-shim.qmp"
qopts+=" -d guest_errors -D $out/qemu-guest-errors.log"
mem=1G
case $config in
plain) ;;
iommu)
	qopts="-machine q35,kernel-irqchip=split -device intel-iommu,intremap=on $qopts"
	append+=" intel_iommu=on iommu.strict=1"
	;;
swiotlb) append+=" swiotlb=force" ;;
swiotlb-tiny)
	# The smallest pool the kernel takes: one 128-slot segment of 2 KiB
	# slots (256 KiB; smaller counts are rounded up to 128), in one area
	# (with the default of one area per vCPU the minimum doubles). 256 MiB
	# of RAM, so that the pool (placed at the top of low memory) lies
	# within edu's 28-bit reach: in 1 GiB it does not, and the shim then
	# bounces every transfer through its own memory, never using the pool.
	append+=" swiotlb=128,1,force"
	mem=256M
	;;
*) usage ;;
esac
if [ "$config" != swiotlb-tiny ]; then
	# No INTx line shared with edu either: the guest routes the NICs to
	# IRQs 20 and 21, both edu devices to 11 (seen in plain and iommu).
	for nic in a:10:01 b:11:02; do
		IFS=: read -r id slot mac <<<"$nic"
		qopts+=" -netdev hubport,id=ndis_nic_$id,hubid=0"
		qopts+=" -device e1000,id=ndis_e1000_$id,netdev=ndis_nic_$id,mac=52:54:00:12:34:$mac,bus=pcie.0,addr=0x$slot,romfile="
	done
	# A pcnet (AMD PCnet-PCI II, 1022:2000, I/O BAR0) for the NDIS 5
	# sample and the port I/O test, and its peer driven by Linux's
	# pcnet32, both on hub 1 (no other device is).
	qopts+=" -netdev hubport,id=ndis_nic_pcnet,hubid=1"
	qopts+=" -device pcnet,id=ndis_pcnet,netdev=ndis_nic_pcnet,mac=52:54:00:12:34:11,bus=pcie.0,addr=0x12,romfile="
	qopts+=" -netdev hubport,id=ndis_nic_pcnet_peer,hubid=1"
	qopts+=" -device pcnet,id=ndis_pcnet_peer,netdev=ndis_nic_pcnet_peer,mac=52:54:00:12:34:12,bus=pcie.0,addr=0x13,romfile="
fi
append+=" ${NDIS_VM_APPEND:-}"
qopts+=" ${NDIS_VM_QEMU_OPTS:-}"

vng_base=(vng --run "$KDIR" --force-9p --disable-microvm --memory "$mem" --cpus "${NDIS_VM_CPUS:-2}" --verbose)

# KVM only if it demonstrably boots this kernel: nested KVM here has been
# seen to hang forever, so the probe is one short, cached boot per host
# kernel and QEMU version.
kvm_works() {
	[ -n "${NDIS_KVM:-}" ] && { [ "$NDIS_KVM" = 1 ]; return; }
	[ -w /dev/kvm ] || return 1
	local key cache
	key=$(uname -r)-$(qemu-system-x86_64 --version | awk 'NR == 1 { print $4 }')
	cache=$NDIS_CACHE/kvm-probe-$key
	if [ ! -f "$cache" ]; then
		stage "probing KVM (once per host kernel and QEMU; at most 45 s)" >&2
		if (cd / && timeout -k 5 45 "${vng_base[@]}" --exec=true </dev/null >/dev/null 2>&1); then
			echo 1 >"$cache"
		else
			echo 0 >"$cache"
		fi
	fi
	[ "$(cat "$cache")" = 1 ]
}
accel=(--disable-kvm)
kvm_works && accel=()

rm -f "$out/qemu-guest-errors.log"
printf -v cmd '%q ' "$@"
printf '%q ' "${vng_base[@]}" "${accel[@]}" --rwdir="$out" --qemu-opts="$qopts" \
	--append="$append" --exec="$cmd" >"$out/qemu-cmdline.txt"
echo >>"$out/qemu-cmdline.txt"

# The guest starts in the checkout (vng keeps the host's working directory).
cd "$NDIS_TOP"
rc=0
# vng: guest stdout on our stdout, console + guest stderr on our stderr.
# timeout signals its whole process group, QEMU included.
run_vm() {
	local rc=0
	timeout -k 10 "$tmo" "${vng_base[@]}" "${accel[@]}" --rwdir="$out" \
		--qemu-opts="$qopts" --append="$append" --exec="$cmd" \
		</dev/null 2>"$out/console.log" |
		if [ "$quiet" = 1 ]; then cat >"$out/stdout.txt"; else tee "$out/stdout.txt"; fi ||
		rc=${PIPESTATUS[0]}
	return "$rc"
}
# A guest that stalls before the command starts would sit out the whole
# timeout. Seen once (2026-12-04, a kernel build finishing beside the
# boot): TCG lost a halted vCPU's timer wakeup, the kernel reported
# "rcu: INFO: rcu_preempt detected stalls" and "kthread timer wakeup didn't
# happen", and both vCPUs stayed idle from then on. A boot whose console
# shows such a stall and then nothing new for NDIS_VM_STALL_QUIET seconds
# (60), or whose init has not started the command after NDIS_VM_BOOT_LIMIT
# seconds (600, and at most the timeout less 60; it takes 20-50 s, longer
# under -icount), is stopped and booted once more, its console kept as
# console-stalled.log; a second stall exits 75 (EX_TEMPFAIL). Once
# virtme-ng-init has started the command, a stall is the command's to
# report.
boot_limit=${NDIS_VM_BOOT_LIMIT:-600} stall_quiet=${NDIS_VM_STALL_QUIET:-60}
[ "$boot_limit" -le $((tmo - 60)) ] || boot_limit=$((tmo - 60))
# Whether the boot in the background (PID $1) stalled: then it is stopped.
boot_stalled() {
	local t0=$SECONDS quiet_since= size last=-1
	while kill -0 "$1" 2>/dev/null &&
		! grep -qsF "virtme-ng-init: starting script" "$out/console.log"; do
		size=$(stat -c %s "$out/console.log" 2>/dev/null || echo 0)
		if [ "$size" != "$last" ]; then
			last=$size quiet_since=$SECONDS
		fi
		if { grep -qsE "rcu: INFO: rcu_(preempt|sched) detected stalls|kthread timer wakeup didn't happen" \
			"$out/console.log" && [ $((SECONDS - quiet_since)) -ge "$stall_quiet" ]; } ||
			[ $((SECONDS - t0)) -gt "$boot_limit" ]; then
			warn "VM ($config) stalled before the command started ($((SECONDS - t0)) s)"
			pkill -TERM -x -P "$1" timeout || true
			return 0
		fi
		sleep 2
	done
	return 1
}
for attempt in 1 2; do
	rc=0 stalled=
	: >"$out/console.log"
	: >"$out/stdout.txt"
	run_vm &
	vmpid=$!
	boot_stalled "$vmpid" && stalled=1
	wait "$vmpid" || rc=$?
	[ -n "$stalled" ] || break
	[ "$attempt" = 2 ] && exit 75
	mv "$out/console.log" "$out/console-stalled.log"
	warn "VM ($config): booting again (console of the stalled boot: $out/console-stalled.log)"
done
[ "$rc" = 124 ] && warn "VM ($config) timed out after ${tmo}s; console: $out/console.log"

clamp=$(grep -hs "EDU: clamping DMA" "$out/qemu-guest-errors.log" "$out/console.log" "$out/stdout.txt" | head -n 3 || true)
if [ -n "$clamp" ]; then
	printf 'ndis-shim: error: QEMU: %s\n' "$clamp" >&2
	[ "$rc" = 0 ] && rc=3
fi
exit "$rc"
