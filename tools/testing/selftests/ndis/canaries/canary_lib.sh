# SPDX-License-Identifier: GPL-2.0
# Shared by the canary scripts (canaries/NN-*.sh); sourced, not run.
# A canary's own exit status does not decide its result (the detectors
# do), but a failed step still exits non-zero so its output says why.
# shellcheck shell=bash
set -euo pipefail

# canary_load NAME [PARAM=VALUE...]: insmod $NDIS_KO/NAME.ko
canary_load() {
	local ko=${NDIS_KO:?}/$1.ko
	[ -f "$ko" ] || { echo "# missing $ko"; exit 1; }
	shift
	insmod "$ko" "$@"
}

# The edu device (1234:11e8) the DMA canaries program or map for.
need_edu() {
	grep -qx 0x11e8 /sys/bus/pci/devices/*/device || { echo "# SKIP no edu device"; exit 4; }
}

# Count the kernel log lines matching an extended regex.
log_count() { dmesg | grep -cE -- "$1" || true; }

# wait_log REGEX COUNT SECONDS: wait until more than COUNT log lines match
# (a report that comes from an interrupt or another thread), at most
# SECONDS; returns 1 on timeout.
wait_log() {
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		[ "$(log_count "$1")" -gt "$2" ] && return 0
		sleep 0.1
	done
	echo "# no \"$1\" in the kernel log after $3 s"
	return 1
}

# Give the canary a chance of a KFENCE object. The pool (255 objects) fills
# up with long-lived objects sampled since boot, mostly dentries and inodes,
# and a full pool samples nothing: drop those reclaimable caches. Once the
# pool is 75% full, KFENCE also skips allocations from call stacks that
# look covered already (a small Bloom filter, so many false positives):
# turn that off while the canary runs (restored on exit).
kfence_prepare() {
	local f=/sys/kernel/debug/kfence/stats p=/sys/module/kfence/parameters/skip_covered_thresh before
	if [ -w $p ]; then
		kfence_thresh=$(cat $p)
		trap 'echo "$kfence_thresh" >/sys/module/kfence/parameters/skip_covered_thresh' EXIT
		echo 100 >$p
	fi
	# No KFENCE (a KASAN kernel): no statistics, and the awk's failure must
	# not end the canary under set -e.
	before=$(awk -F': ' '/currently allocated/ { print $2 }' $f 2>/dev/null || true)
	echo 2 >/proc/sys/vm/drop_caches
	echo "# kfence: objects in use: ${before:-?} before dropping caches," \
		"$(awk -F': ' '/currently allocated/ { print $2 }' $f 2>/dev/null || echo '?') after"
	# What holds the pool: live objects per cache, and how many of them
	# were allocated during the boot's first 60 s.
	awk 'function done() { if (c != "" && !freed) { n[c]++; all++; if (t < 60) boot++ } c = "" }
		/^kfence-#[0-9]+:/ { done(); c = $0; sub(/.*cache=/, "", c); freed = 0 }
		/^allocated by task/ { t = $0; sub(/.* at /, "", t); sub(/s .*/, "", t); t += 0 }
		/^(freed|rcu freeing) by task/ { freed = 1 }
		END {
			done()
			for (k in n) if (n[k] >= 5) s = s " " k "=" n[k]
			printf "# kfence: live pool objects by cache:%s; %d of %d allocated in the first 60 s\n", s, boot, all
		}' /sys/kernel/debug/kfence/objects 2>/dev/null || true
}

# Why no KFENCE object came (a full pool samples nothing): its statistics.
kfence_stats() {
	echo "# kfence: sample_interval $(cat /sys/module/kfence/parameters/sample_interval 2>/dev/null) ms"
	sed 's/^/# kfence: /' /sys/kernel/debug/kfence/stats 2>/dev/null || true
	dmesg | grep -m1 'kfence: initialized' | sed 's/^/# /' || true
}
