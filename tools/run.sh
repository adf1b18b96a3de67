#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make run`: build what is needed, boot one VM (plain config, two edu
# devices) and show the shim at work (tools/testing/selftests/ndis/demo.sh).
# Logs: build/vm/run/ (console.log, stdout.txt, dmesg.txt).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$NDIS_TOP"

tools/setup.sh
# Its stages and progress lines go to stderr; stdout is only the path.
tools/build-kernel.sh >/dev/null
KDIR=$(tools/build-kernel.sh --print-kdir)
export KDIR
if [ -x tools/build-modules.sh ]; then
	tools/build-modules.sh
else
	warn "tools/build-modules.sh missing: the demo has no modules to load"
fi

out=$NDIS_BUILD/vm/run
rm -rf "$out"
mkdir -p "$out"
stage "booting the test kernel (TCG: about 15-30 s)"
t0=$(date +%s) rc=0
tools/vm.sh plain "$out" -- "$NDIS_TOP/tools/testing/selftests/ndis/demo.sh" "$NDIS_BUILD/ko" "$out" || rc=$?

echo
echo "== report =="
echo "VM: plain config, $(($(date +%s) - t0)) s, guest exit status $rc"
# Anything the debug kernel complained about during the demo.
splats=$(grep -E 'WARNING:|BUG:|Oops|DMA-API:|DMAR:.*fault|circular locking|sleeping function' \
	"$out/dmesg.txt" 2>/dev/null | grep -vE 'DMA-API: (preallocated|debugging enabled)' | head -n 5 || true)
echo "kernel complaints: ${splats:-none}"
echo "logs: ${out#"$NDIS_TOP"/}/ (console.log, stdout.txt, dmesg.txt)"
exit "$rc"
