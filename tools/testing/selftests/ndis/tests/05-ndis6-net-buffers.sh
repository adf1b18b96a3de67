#!/usr/bin/env bash
# NDIS 6 NET_BUFFER_LIST / NET_BUFFER pools and data space:
# NdisAllocate/FreeNetBufferListPool, NdisAllocateNetBufferList,
# NdisAllocateNetBufferAndNetBufferList, NdisFreeNetBufferList, the
# NET_BUFFER pool calls, NdisRetreat/AdvanceNetBufferDataStart across MDL
# boundaries (with the shim's and the miniport's MDL allocators) and
# NdisGetDataBuffer, contiguous and not, at PASSIVE and DISPATCH_LEVEL.
# ndis_nbl.ko runs the checks on load (each names the page its expected
# result comes from) and logs "ok"/"not ok" per check; this turns them
# into KTAP (module_checks_lib.sh). Everything is freed: the scan right
# after this test must find no leak. The calls the shim must refuse are
# counted by debugfs rejected_calls: it must move by exactly as many as
# ndis_nbl.ko marks (REJECTED) and reports, and that number is pinned here
# too, as is the number of checks, so a check or a refusal that goes
# missing fails.
# Prints nested KTAP; exits 0 only if every subtest passed (4: skipped).
set -uo pipefail
# shellcheck source=../module_checks_lib.sh
. "$(dirname "$0")/../module_checks_lib.sh"
CHECKS=69    # "ndis_nbl: ok|not ok" lines ndis_nbl.ko logs
REJECTIONS=19 # calls it makes that the shim must refuse

module_checks ndis_nbl "$CHECKS" "$REJECTIONS"
