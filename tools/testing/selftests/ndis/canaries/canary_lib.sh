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

# Why no KFENCE object came (a full pool samples nothing): its statistics.
kfence_stats() {
	echo "# kfence: sample_interval $(cat /sys/module/kfence/parameters/sample_interval 2>/dev/null) ms"
	sed 's/^/# kfence: /' /sys/kernel/debug/kfence/stats 2>/dev/null || true
	dmesg | grep -m1 'kfence: initialized' | sed 's/^/# /' || true
}
