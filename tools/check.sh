#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: host tests, then one VM boot per configuration running the
# whole in-guest suite (tools/testing/selftests/ndis/harness.sh).
#
#   tools/check.sh [--vm-only] [CONFIG...]
#     CONFIG: plain iommu swiotlb swiotlb-tiny (default: all four)
#     NDIS_ONLY=REGEX in the environment runs only the matching test scripts
#     (not in swiotlb-tiny, which has its own subset).
#     NDIS_E1000_DRIVER_A=e1000 runs tests/07-e1000-ndis6.sh on Linux's
#     e1000 instead of the NDIS sample; NDIS_E1000_SUBSET=data|full picks
#     its checks in plain (iommu and swiotlb always run the data subset).
#     NDIS_PCNET_DRIVER_A=pcnet_ndis5_mapreg runs tests/15-pcnet-ndis5.sh's
#     map-register build first (its full checks in plain).
#
# --vm-only skips setup, the kernel and module builds (except the canaries)
# and the host tests. Full logs: build/host-test.log, build/vm/<config>/.
# The last line is always "N passed, N failed, N skipped" (leaf KTAP results
# over the host tests and every config); exit status 1 if anything failed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

vm_only=0
if [ "${1:-}" = --vm-only ]; then vm_only=1; shift; fi
configs=("$@")
[ ${#configs[@]} -gt 0 ] || configs=(plain iommu swiotlb swiotlb-tiny)
cd "$NDIS_TOP"
mkdir -p "$NDIS_BUILD/vm" "$NDIS_BUILD/ko"
: >"$NDIS_BUILD/vm/failed.txt"
passed=0 failed=0 skipped=0
# A step that cannot even produce results still counts as one failure.
step_failed() { warn "$*"; echo "$*" >>"$NDIS_BUILD/vm/failed.txt"; failed=$((failed + 1)); }

if [ "$vm_only" = 0 ]; then
	tools/setup.sh
	tools/build-kernel.sh >/dev/null
fi
KDIR=$(tools/build-kernel.sh --print-kdir)
export KDIR
[ -f "$KDIR/.ndis-complete" ] || die "test kernel not built at $KDIR: run tools/build-kernel.sh"

if [ "$vm_only" = 0 ]; then
	if [ -x tools/build-modules.sh ]; then
		tools/build-modules.sh || step_failed "tools/build-modules.sh failed"
	else
		warn "tools/build-modules.sh missing: VM tests run without the shim's modules"
	fi
fi
stage "building the canary modules"
tools/testing/selftests/ndis/canaries/build.sh "$KDIR" "$NDIS_BUILD/ko" ||
	step_failed "canary modules failed to build"

if [ "$vm_only" = 0 ]; then
	if [ -x tools/host-test.sh ]; then
		stage "host tests (log: build/host-test.log)"
		rc=0
		tools/host-test.sh >"$NDIS_BUILD/host-test.log" 2>&1 || rc=$?
		read -r p f s < <(awk '/^test result: /{
			for (i = 1; i < NF; i++) {
				if ($(i + 1) ~ /^passed/) p += $i
				if ($(i + 1) ~ /^failed/) f += $i
				if ($(i + 1) ~ /^(ignored|skipped)/) s += $i
			} } END { print p + 0, f + 0, s + 0 }' "$NDIS_BUILD/host-test.log")
		echo "host: $p passed, $f failed, $s ignored (exit $rc)"
		[ "$f" = 0 ] || echo "host: $f failed (see build/host-test.log)" >>"$NDIS_BUILD/vm/failed.txt"
		passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
		if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
			tail -n 20 "$NDIS_BUILD/host-test.log" >&2
			step_failed "tools/host-test.sh exited $rc without a failed test"
		fi
	else
		warn "tools/host-test.sh missing: no host tests"
	fi
	# Documentation/ through Sphinx, warnings as errors (about 2 s).
	stage "host: Sphinx build of Documentation/ (log: build/htmldocs.log)"
	if tools/htmldocs.sh >"$NDIS_BUILD/htmldocs.log" 2>&1; then
		echo "host: htmldocs ok"
		passed=$((passed + 1))
	else
		tail -n 20 "$NDIS_BUILD/htmldocs.log" >&2
		step_failed "host: Sphinx warnings or errors in Documentation/ (see build/htmldocs.log)"
	fi
	# dkms.conf and the no-Rust-metadata error, against the test kernel's
	# tree (read-only) on the host: DKMS builds against a tree, not the
	# running kernel, so it needs no VM (about 15 s).
	stage "host: dkms build of the shim (log: build/dkms.log)"
	if tools/testing/dkms/check.sh "$KDIR" >"$NDIS_BUILD/dkms.log" 2>&1; then
		echo "host: dkms build ok"
		passed=$((passed + 1))
	else
		tail -n 20 "$NDIS_BUILD/dkms.log" >&2
		step_failed "host: dkms build failed (see build/dkms.log)"
	fi
fi

# Count a config's KTAP results (printed live as they came): the last output
# line is "P F S"; lines before it are the host's own verdicts. Leaves are
# counted: a parent counts through its subtests, plus one failure if it is
# "not ok" although every subtest passed. Every nested plan is compared with
# its results. If the plan promised more than came (the VM died), the test
# that was running is failed with what the console says, and every later
# one as not run (names from PLANFILE).
ktap_report() { # CONFIG KTAPFILE PLANFILE CONSOLELOG VMEXIT
	local why
	case $5 in
	124) why="the VM timed out" ;;
	*) why="the VM died (exit $5)" ;;
	esac
	local panic
	panic=$(grep -aE 'Kernel panic|Oops: |BUG: |RIP: |general protection' "$4" 2>/dev/null |
		tail -n 4 | sed -E 's/^\[ *[0-9.]+\] //' | paste -sd'|' - || true)
	why+=": ${panic:-no panic on the console (killed, or hung)}"
	awk -v cfg="$1" -v planfile="$3" -v why="$why" '
	function close_deeper(w,    cw) {
		# Levels deeper than w are done: their plans must match.
		for (cw in pend) if (cw + 0 > w && pend[cw]) {
			if (cw in plan && cnt[cw] != plan[cw]) {
				print cfg ": plan mismatch: " plan[cw] " planned, " cnt[cw] " reported, before line " NR
				f++; pfail[cw] = 1
			}
			delete plan[cw]
		}
	}
	function result(w, st,    c, cw, kf) {
		close_deeper(w)
		# Children: results indented deeper, pending since our last sibling.
		c = 0
		for (cw in pend) if (cw + 0 > w && pend[cw]) {
			c = 1; if (pfail[cw]) kf = 1
			delete pend[cw]; delete pfail[cw]; delete plan[cw]; delete cnt[cw]
		}
		if (c) { if (st == "fail" && !kf) f++ }
		else if (st == "ok") p++
		else if (st == "skip") s++
		else f++
		pend[w] = 1; cnt[w]++
		if (st == "fail" || kf) pfail[w] = 1
		if (w == 0) { top++; last = n }
	}
	{ line = $0; match(line, /^[ \t]*/); w = RLENGTH; body = substr(line, w + 1) }
	body ~ /^KTAP version/ { close_deeper(w - 1); delete plan[w]; cnt[w] = 0; next }
	body ~ /^1\.\.[0-9]+/ { plan[w] = substr(body, 4) + 0; next }
	body ~ /^(not )?ok [0-9]+/ {
		st = body ~ /^not ok/ ? "fail" : "ok"
		if (body ~ /# *SKIP/) st = "skip"
		else if (body ~ /# *TODO/) st = "ok"
		n = body; sub(/^(not )?ok /, "", n); n += 0
		result(w, st)
		if (st == "fail") failed[++nf] = cfg ": " line
		next
	}
	END {
		close_deeper(0)
		if (!(0 in plan)) { print cfg ": no KTAP plan: the suite did not run"; f++ }
		else if (top < plan[0]) {
			while ((getline pl < planfile) > 0) { k = pl; sub(/ .*/, "", k); name[k + 0] = substr(pl, length(k) + 2) }
			for (k = last + 1; k <= plan[0]; k++) {
				msg = cfg ": not ok " k " " name[k] " # " (k == last + 1 ? why " (during this test)" : "not run: " why)
				print msg; failed[++nf] = msg; f++
			}
		}
		for (k = 1; k <= nf; k++) print failed[k] > "/dev/stderr"
		print p + 0, f + 0, s + 0
	}' "$2"
}

# Print a growing KTAP file's new lines with the config's name, as they
# arrive, until PID has exited (then the rest).
follow_ktap() { # CONFIG FILE PID
	local n=0 total alive=1
	while [ "$alive" = 1 ]; do
		kill -0 "$3" 2>/dev/null || alive=0
		total=$(wc -l <"$2" 2>/dev/null || echo 0)
		if [ "$total" -gt "$n" ]; then
			sed -n "$((n + 1)),${total}p" "$2" | awk -v cfg="$1" '
				/^[ \t]*(not )?ok [0-9]+/ || (/^# / && !/^# ndis-shim harness:/) { print cfg ": " $0; fflush() }'
			n=$total
		fi
		[ "$alive" = 0 ] || sleep 2
	done
}

# The guest environment of a config's suite. swiotlb-tiny (a 256 KiB
# forced pool) runs only what a starved pool changes: edu round trips
# through the pool, and the stress with most of the pool held by a
# neighbour, where Setup must refuse with RESOURCES or bounce, never hand
# out a wrong address. It is also the one boot where edu's system-DMA
# transfers go through the pool (in 1 GiB the pool is beyond edu's 28
# bits): 22's busy-receive rows check that a mapping released incoherent
# copies no slot back over the miniport's buffer (about 15 s). The shim
# maps with DMA_ATTR_NO_WARN, so "swiotlb buffer is full" is never
# expected; the harness's splat check stays whole. A developer's
# NDIS_ONLY replaces the subset here as in iommu and swiotlb.
DATA_SUBSET='/(00-shim-load|07-e1000-[a-z0-9-]+|15-pcnet-ndis5|2[02-8]-edu-[a-z0-9-]+|3[01]-edu-rust-[a-z-]+|4[1245]-[a-z-]+)\.sh$'
# The canaries: all of them in plain; elsewhere only those whose detector
# that boot alone can fire (a real DMAR fault needs the IOMMU, a full pool
# swiotlb=force). The harness, its log patterns and kmemleak are the same
# code in every boot, and checkers-active proves each boot's detectors are
# on (DMA-API debug, kmemleak, lockdep, KFENCE, slub red zones, the
# watchdogs); running the other 40 canaries again cost about 120 s a boot.
CANARIES_IOMMU='/canaries/16-dmar\.sh$'
CANARIES_SWIOTLB='/canaries/17-swiotlb\.sh$'
# The pcnet faults, down/up and hot-unplug (17-pcnet-ndis5-faults) run in
# plain only, as 09 and 12 do for the e1000: their statuses do not depend
# on the mapping layer.
guest_env() { # one line of NAME=VALUE words
	local env=() canaries
	case $1 in
	swiotlb-tiny)
		env=(NDIS_ONLY="${NDIS_ONLY:-/(22-edu-c-counter|30-edu-rust-roundtrip|42-stress)\\.sh\$|$CANARIES_SWIOTLB}"
			NDIS_STRESS_REFUSALS=1 NDIS_STRESS_PIN=224 NDIS_STRESS_TRANSFERS=30000)
		;;
	iommu | swiotlb)
		# The whole matrix runs in plain; here the tests whose outcome the
		# mapping layer changes: data moved and verified, mappings whose
		# lifetime a device can see (a removal with DMA in flight faults
		# under the IOMMU), the canaries. Not: the DbgPrint, NDIS 5 memory,
		# misuse-status, random-sequence, fault-injection and mask-race
		# tests (their statuses do not depend on the mapping layer). The
		# e1000 and pcnet traffic tests run their data-integrity checks
		# only (link, ping, TCP by hash, unload under traffic, and the
		# e1000's down/up; the pcnet one in both builds of the NDIS 5
		# sample). The stress
		# runs 30000 transfers here (100000 in plain: 49 s of its 61), the
		# edu round trips four of their seven lengths (each is two 100 ms
		# edu transfers).
		canaries=$CANARIES_IOMMU
		[ "$1" = iommu ] || canaries=$CANARIES_SWIOTLB
		env=(NDIS_ONLY="${NDIS_ONLY:-$DATA_SUBSET|$canaries}" NDIS_E1000_SUBSET=data
			NDIS_STRESS_TRANSFERS=30000 NDIS_ROUNDTRIP_LENS=1,63,4095,4096)
		;;
	*)
		# A developer's subset: NDIS_ONLY=REGEX tools/check.sh --vm-only plain
		[ -z "${NDIS_ONLY:-}" ] || env+=(NDIS_ONLY="$NDIS_ONLY")
		[ -z "${NDIS_E1000_SUBSET:-}" ] || env+=(NDIS_E1000_SUBSET="$NDIS_E1000_SUBSET")
		;;
	esac
	# NDIS_XTRACE=1: each test's commands, timed, in tests/NAME/xtrace.txt
	# (tools/testing/xtrace-summary.sh).
	[ -z "${NDIS_XTRACE:-}" ] || env+=(NDIS_XTRACE=1)
	# The e1000 traffic test's driver under test (e1000_ndis6 unless set;
	# e1000 runs it on Linux's driver).
	[ -z "${NDIS_E1000_DRIVER_A:-}" ] || env+=(NDIS_E1000_DRIVER_A="$NDIS_E1000_DRIVER_A")
	[ -z "${NDIS_PCNET_DRIVER_A:-}" ] || env+=(NDIS_PCNET_DRIVER_A="$NDIS_PCNET_DRIVER_A")
	echo "${env[*]}"
}

# One config's boot: the suite, its results printed live, its report in
# OUT/report.txt and the VM's exit status in OUT/vm-rc.
run_config() { # CONFIG
	local cfg=$1 out=$NDIS_BUILD/vm/$1 t0 rc=0 vmpid genv=()
	stage "VM $cfg: boot and run the suite (logs: ${out#"$NDIS_TOP"/})"
	t0=$(date +%s)
	read -ra genv < <(guest_env "$cfg") || true
	# The whole suite in one boot (about 17 min in plain on a quiet host; the
	# 40 min limit only stops a hung guest). The
	# harness appends each result to ktap.txt (shared with the host) the
	# moment a test ends; follow_ktap shows them as they come.
	tools/vm.sh --quiet --timeout "${NDIS_VM_TIMEOUT:-2400}" "$cfg" "$out" -- env "${genv[@]}" \
		"$NDIS_TOP/tools/testing/selftests/ndis/harness.sh" "$cfg" "$out" "$NDIS_BUILD/ko" &
	vmpid=$!
	follow_ktap "$cfg" "$out/ktap.txt" "$vmpid"
	wait "$vmpid" || rc=$?
	echo "== $cfg: VM exit $rc after $(($(date +%s) - t0)) s =="
	ktap_report "$cfg" "$out/ktap.txt" "$out/plan.txt" "$out/console.log" "$rc" \
		>"$out/report.txt" 2>>"$NDIS_BUILD/vm/failed.txt"
	sed '$d' "$out/report.txt"
	echo "$rc" >"$out/vm-rc"
}

# The boots run one after another. NDIS_VM_LANES=2 runs swiotlb-tiny (the
# light boot: 256 MiB, no NIC, three tests) beside plain. It is not the
# default: on 2 cores each TCG guest then gets one core where it wants up
# to two while moving data. Measured (2026-12-03): in two full lanes
# 07-e1000-ndis6 took 667 s instead of about 280 and lost 1.3 % of its UDP
# datagrams; with only swiotlb-tiny beside it, CI's plain boot ran past
# its 2400 s limit (stop 20).
lanes=${NDIS_VM_LANES:-1}
for cfg in "${configs[@]}"; do
	out=$NDIS_BUILD/vm/$cfg
	rm -rf "$out"
	mkdir -p "$out"
	: >"$out/ktap.txt"
done
run_lane() { local cfg; for cfg in "$@"; do run_config "$cfg"; done; }
rest=()
beside=
for cfg in "${configs[@]}"; do
	if [ "$lanes" -ge 2 ] && [ "$cfg" = swiotlb-tiny ] && [[ " ${configs[*]} " == *" plain "* ]]; then
		beside=$cfg
	elif [ "$cfg" != plain ]; then
		rest+=("$cfg")
	fi
done
if [ -n "$beside" ]; then
	stage "VM boots: plain and $beside side by side, then ${rest[*]:-nothing}"
	run_lane "$beside" &
	beside_pid=$!
	run_lane plain
	wait "$beside_pid" || true
elif [[ " ${configs[*]} " == *" plain "* ]]; then
	run_lane plain
fi
[ ${#rest[@]} = 0 ] || run_lane "${rest[@]}"

for cfg in "${configs[@]}"; do
	out=$NDIS_BUILD/vm/$cfg
	rc=$(cat "$out/vm-rc" 2>/dev/null || echo 1)
	if [ -s "$out/report.txt" ]; then
		read -r p f s < <(tail -n 1 "$out/report.txt")
	else
		p=0 f=0 s=0
		step_failed "$cfg: no report (the boot did not run)"
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	# Results all ok but the VM still failed: say so and count it once.
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		case $rc in
		3) step_failed "$cfg: QEMU logged 'EDU: clamping DMA' (see $out/qemu-guest-errors.log)" ;;
		124) step_failed "$cfg: VM timed out (see $out/console.log)" ;;
		*) step_failed "$cfg: VM exited $rc (see $out/console.log)" ;;
		esac
	fi
done

# What failed, in one place above the summary (a CI log shows its tail).
if [ -s "$NDIS_BUILD/vm/failed.txt" ]; then
	echo "Failed:"
	head -n 30 "$NDIS_BUILD/vm/failed.txt" | sed 's/^/  /'
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
