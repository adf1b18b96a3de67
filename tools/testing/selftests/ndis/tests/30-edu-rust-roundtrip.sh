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
# NdisMReadDmaCounter right after Setup reads the 64 bytes still to move,
# 0 after Complete. edu's engine takes ~100 ms of host time: a vCPU
# stalled that long on a loaded host reads 0 mid-transfer, which proves
# nothing either way, so such a read is tried again (up to three times).
counter_mid_transfer() { # DEV
	local i r=
	for i in 1 2 3; do
		echo "counter len=64" >"$D/$1/cmd" && read -r r <"$D/$1/result" || return 1
		echo "    # $1: counter len=64 -> $r"
		case $r in
		"counter busy=64 idle=0") return 0 ;;
		"counter busy=0 idle=0") ;;
		*) return 1 ;;
		esac
	done
	return 1
}
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
	check "$dev counter" counter_mid_transfer "$dev"
	# Beyond edu's 4 KiB window: the sample's engine refuses to start
	# (EduEngine::program) and NdisMSetupDmaTransfer gives RESOURCES for a
	# controller that refused: Microsoft's NdisMSetupDmaTransfer page names
	# NDIS_STATUS_RESOURCES (0xC000009A) for a transfer it cannot set up
	# (the shim's row: Documentation/system-dma.rst).
	check "$dev out-of-window rejected" run "$dev" "roundtrip off=4000 len=200 mdl_off=0 buf=kmalloc" \
		"^error roundtrip off=4000 len=200 mdl_off=0 buf=kmalloc status=0xc000009a$"
done
check "rmmod edu_dma and ndis_shim" sh -c 'rmmod edu_dma && rmmod ndis_shim'
exit "$failed"
