#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The Rust edu miniport (samples/edu_dma) registers for scatter-gather DMA
# through the safe API (rust/api/sg.rs) and moves NET_BUFFERs built from
# owned kmalloc and vmalloc buffers, with chains of several MDLs spanning
# pages and DataOffset skipping into them, element by element to edu's
# buffer and back; every byte (and every byte outside the data) verified.
# As on Windows (NdisMAllocateNetBufferSGList page) each list starts at the
# beginning of CurrentMdl; the API's SgList::data_elements skips
# CurrentMdlOffset bytes of it, as a Windows miniport does.
# Cases whose device-to-host pieces start and end on cache lines are mapped
# in place; the others are bounced (see Documentation/scatter-gather.rst).
# Prints nested KTAP; exits 0 only if every subtest passed (4: skipped).
set -uo pipefail
. "$(dirname "$0")/../edu_rust_lib.sh"
DBG=/sys/kernel/debug
registered() { grep -q "^$1 .* sg_dma=1" $DBG/ndis_shim/adapters; }

cases=("parts=1 size=64 len=64 buf=kmalloc"
	"parts=2 size=6000 skip=3520 len=4096 buf=kmalloc"
	"parts=3 size=3000 skip=100 len=3000 buf=kmalloc"
	"parts=2 size=6000 skip=3500 len=4096 buf=vmalloc"
	"parts=2 size=6016 skip=3520 len=4096 buf=vmalloc"
	"parts=2 size=6016 skip=3520 len=4096 buf=kmalloc"
	"parts=4 size=5000 skip=4900 len=4000 buf=vmalloc"
	"parts=1 size=8192 skip=4095 len=2 buf=vmalloc")
total=$((3 + $(echo "$devs" | wc -w) * (${#cases[@]} + 2)))
echo "    KTAP version 1"
echo "    1..$total"
check "insmod ndis_shim" insmod "$shim"
check "insmod edu_dma" insmod "$edu"
for dev in $devs; do
	check "$dev has an SG DMA registration" registered "$dev"
	for c in "${cases[@]}"; do
		check "$dev sg-roundtrip $c" run "$dev" "sg-roundtrip $c" "^ok .*verified=1"
	done
	# The Rust API's NetBuffer::new refuses it before any NDIS call (Windows
	# has no such constructor): the API's INVALID_LENGTH, not an NDIS status.
	check "$dev data beyond the chain rejected" run "$dev" "sg-roundtrip parts=1 size=64 skip=32 len=64" "^error sg-roundtrip status=0xc0010014"
done
check "rmmod edu_dma and ndis_shim" sh -c 'rmmod edu_dma && rmmod ndis_shim'
exit "$failed"
