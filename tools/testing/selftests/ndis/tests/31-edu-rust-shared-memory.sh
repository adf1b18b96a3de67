#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The Rust edu miniport (samples/edu_dma) as a bus master: a descriptor and
# its payload written into a SharedMemory block (NdisMAllocateSharedMemory)
# are read by edu's engine at the block's device address and written back
# into a second block at another offset, byte for byte; the blocks free
# themselves on drop with the allocation's own parameters, so the shim
# rejects nothing and nothing stays allocated.
# Prints nested KTAP; exits 0 only if every subtest passed (4: skipped).
set -uo pipefail
. "$(dirname "$0")/../edu_rust_lib.sh"
shim_line() { # DEV EXPECT-REGEX: the shim's debugfs line of the adapter
	local l
	l=$(grep "^$1 " /sys/kernel/debug/ndis_shim/adapters)
	echo "    # $l"
	[[ $l =~ $2 ]]
}

cases=("off=0 len=64 rx_off=0" "off=100 len=1000 rx_off=64"
	"off=0 len=4072 rx_off=128" "off=4000 len=72 rx_off=4095")
total=$((3 + $(echo "$devs" | wc -w) * (${#cases[@]} + 3)))
echo "    KTAP version 1"
echo "    1..$total"
check "insmod ndis_shim" insmod "$shim"
check "insmod edu_dma" insmod "$edu"
for dev in $devs; do
	for c in "${cases[@]}"; do
		check "$dev shm $c" run "$dev" "shm $c" "^ok shm .*verified=1 dma_alignment=[1-9][0-9]* shared_data_alignment=[1-9]"
	done
	check "$dev descriptor beyond edu's buffer refused" run "$dev" "shm off=4000 len=100 rx_off=0" "^error shm .*status=0xc0010014"
	check "$dev system-DMA roundtrip beside it" run "$dev" "roundtrip off=0 len=256 mdl_off=0 buf=kmalloc" "^ok .*verified=1"
	check "$dev nothing rejected, nothing left allocated, no free deferred" shim_line "$dev" "rejected_calls=0 .*shared_blocks=0 shared_free_pending=0 shared_deferred_frees=0( |$)"
done
check "rmmod edu_dma and ndis_shim" sh -c 'rmmod edu_dma && rmmod ndis_shim'
exit "$failed"
