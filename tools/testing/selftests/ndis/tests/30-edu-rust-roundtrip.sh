#!/usr/bin/env bash
# The Rust edu miniport (samples/edu_dma, on the safe API in rust/api) moves
# data both ways through every edu adapter with Setup/Complete and the
# DMA-complete interrupt, and reads the DMA counter while busy.
# Prints nested KTAP; exits 0 only if every subtest passed (4: skipped).
set -uo pipefail
. "$(dirname "$0")/../edu_rust_lib.sh"

cases=("off=0 len=1 mdl_off=0 buf=kmalloc" "off=0 len=64 mdl_off=0 buf=kmalloc"
	"off=5 len=4091 mdl_off=0 buf=kmalloc" "off=0 len=4095 mdl_off=1 buf=kmalloc"
	"off=0 len=4096 mdl_off=0 buf=kmalloc" "off=100 len=300 mdl_off=4000 buf=kmalloc"
	"off=0 len=4096 mdl_off=0 buf=vmalloc" "off=7 len=64 mdl_off=4090 buf=vmalloc")
total=$((3 + $(echo "$devs" | wc -w) * (${#cases[@]} + 3)))
echo "    KTAP version 1"
echo "    1..$total"
check "insmod ndis_shim" insmod "$shim"
check "insmod edu_dma" insmod "$edu"
for dev in $devs; do
	check "$dev debugfs interface" test -w "$D/$dev/cmd" -a -r "$D/$dev/result"
	for c in "${cases[@]}"; do
		check "$dev roundtrip $c" run "$dev" "roundtrip $c" "^ok .*verified=1"
	done
	check "$dev counter" run "$dev" "counter len=64" "^counter busy=64 idle=0"
	check "$dev out-of-window rejected" run "$dev" "roundtrip off=4000 len=200 mdl_off=0 buf=kmalloc" "^error"
done
check "rmmod edu_dma and ndis_shim" sh -c 'rmmod edu_dma && rmmod ndis_shim'
exit "$failed"
