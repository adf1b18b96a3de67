#!/usr/bin/env bash
# NDIS 5 packets and buffers: NdisAllocatePacketPool(Ex) and its limits,
# NdisAllocatePacket until the pool is empty (NDIS_STATUS_RESOURCES), the
# descriptors' WDK layout (OOB data and extension after ProtocolReserved),
# the Dpr forms at DISPATCH_LEVEL, NdisChainBufferAtFront/Back,
# NdisUnchainBufferAtFront/Back, NdisQueryPacket(Length) and its cached
# counts, NdisGetFirstBufferFromPacket(Safe), the OOB, status, header-size
# and per-packet-info macros, NdisCopyFromPacketToPacket(Safe) across
# buffer boundaries, NdisReinitializePacket, and forged handles and
# packets refused. ndis5_packet.ko runs the checks on load (each names the
# page its expected result comes from); module_checks_lib.sh turns its log
# into KTAP and pins the number of checks and of refusals (debugfs
# rejected_calls must move by exactly as many as the module marks). The
# module leaves one pool allocated on purpose: the shim must free it when
# it unloads, and log it.
# Prints nested KTAP; exits 0 only if every subtest passed (4: skipped).
set -uo pipefail
# shellcheck source=../module_checks_lib.sh
. "$(dirname "$0")/../module_checks_lib.sh"
CHECKS=46     # "ndis5_packet: ok|not ok" lines ndis5_packet.ko logs
REJECTIONS=7  # calls it makes that the shim must refuse

# The pool the module left: freed at the shim's unload, and logged.
left_pool_freed() { # n
	local left
	left=$(log_since_mark | sed -nE 's/.*ndis5_packet: left pool (0x[0-9a-f]+)$/\1/p')
	if [ -n "$left" ] && log_since_mark |
		grep -q "ndis: packet pool $left not freed by its driver (1 packets allocated); freed at unload"; then
		echo "ok $1 the pool left behind ($left) freed at unload, logged"
	else
		echo "not ok $1 the pool left behind (${left:-?}) freed at unload, logged"
		return 1
	fi
}

module_checks ndis5_packet "$CHECKS" "$REJECTIONS" left_pool_freed
