# SPDX-License-Identifier: GPL-2.0
# Shared by the C sample tests (tests/2*-edu-*.sh); sourced, not run.
# Module paths (skip when not built), debugfs, nested-KTAP helpers, and
# run/expect for the sample's cmd/result test interface. The sample is
# edu_dma_c unless the test sets EDU_SAMPLE first.
# shellcheck shell=bash
KO=${NDIS_KO:-${KO:-/work/main/build/ko}}
shim=$KO/ndis_shim.ko edu=$KO/${EDU_SAMPLE:-edu_dma_c}.ko
for ko in "$shim" "$edu"; do
	[ -f "$ko" ] || { echo "# SKIP $ko not built"; exit 4; }
done
DBG=/sys/kernel/debug
mountpoint -q $DBG || mount -t debugfs none $DBG

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
notok() { n=$((n + 1)); echo "not ok $n $*"; failed=1; }
R=
run() { # DIR COMMAND: R = the result
	if ! echo "$2" >"$1/cmd" 2>/dev/null; then R="(write to cmd failed)"; return 1; fi
	# read, not $(cat): a fork costs about 0.1 s in the TCG guest.
	# (read -d '' reads to the end and returns 1 there.)
	IFS= read -r -d '' R <"$1/result" || [ -n "$R" ] || { R="(no result)"; return 1; }
	while [[ $R == *$'\n' ]]; do R=${R%$'\n'}; done
}
expect() { # DESCRIPTION EXTENDED-REGEX: R must match
	if [[ $R =~ $2 ]]; then ok "$1"; else notok "$1: $R"; fi
}
# expect_while_busy DIR COMMAND DESCRIPTION EXTENDED-REGEX: a check that
# needs edu's engine still running when the command looks (edu moves the
# data 100 ms after the doorbell). A loaded TCG host can stall the guest
# longer than that, so a miss is retried, at most 3 times in all; a wrong
# answer that is not a lost race fails all three.
expect_while_busy() {
	local try
	for try in 1 2 3; do
		run "$1" "$2"
		[[ $R =~ $4 ]] && break
		echo "# $3: try $try: $R"
	done
	expect "$3" "$4"
}
# adapter_count PCI-NAME FIELD: that counter (mapped, bounced,
# rejected_calls, ...) of the adapter's line in ndis_shim/adapters, or
# nothing. Builtins only: a fork costs about 0.1 s in the TCG guest.
adapter_count() {
	local line f
	while read -r line; do
		[[ $line == "$1 "* ]] || continue
		for f in $line; do [[ $f == "$2="* ]] && echo "${f#*=}"; done
	done <"$DBG/ndis_shim/adapters"
}
