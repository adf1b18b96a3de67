#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# edu_dma_c, NDIS 6 scatter-gather DMA: NET_BUFFERs whose MDL chains hold
# several buffers straddling pages (kmalloc, vmalloc, both, and pages beyond
# edu's 28-bit reach), with DataOffset skipping a whole MDL and part of the
# next, go to edu's buffer element by element through
# NdisMAllocateNetBufferSGList and come back the same way; every byte is
# verified and nothing outside the data is written. Device-to-host data
# sharing cache lines must be bounced (the adapter's "bounced" count moves).
# Then every bad input gets its status, and a list freed twice or never
# handed out is rejected (two more rejected calls), with nothing leaked.
# Prints nested KTAP.
set -uo pipefail
. "$(dirname "$0")/../edu_c_lib.sh"

SUCCESS=0x00000000 FAILURE=0xc0000001 INVALID_PARAMETER=0xc000000d
INVALID_LENGTH=0xc0010014 BAD_VERSION=0xc0010004 NOT_SUPPORTED=0xc00000bb
RESOURCE_CONFLICT=0xc001001e
ROUNDTRIPS=(
	"len=64 buf=kmalloc"
	"len=3072 parts=3 buf=kmalloc"
	"len=4096 parts=4 skip=128 mdl_off=64 buf=kmalloc"
	"len=3072 parts=3 skip=64 mdl_off=192 buf=vmalloc"
	"len=4000 parts=4 skip=100 mdl_off=37 buf=mixed"
	"len=2048 parts=2 buf=high"
	"len=1 mdl_off=1000 buf=vmalloc"
)
# Device-to-host into pieces sharing a cache line: always bounced.
UNALIGNED="len=1000 parts=3 skip=7 mdl_off=5 buf=mixed"
EXPECT=(
	"sg-no-mdl $FAILURE"
	"sg-offset-overflow $INVALID_LENGTH"
	"sg-beyond-chain $INVALID_LENGTH"
	"sg-over-maximum $INVALID_LENGTH"
	"sg-zero-length $INVALID_LENGTH"
	"sg-bad-handle $INVALID_PARAMETER"
	"sg-callbacks-on-failure 0x00000000"
	"sg-allocate $SUCCESS"
	"sg-callbacks 0x00000001"
	"sg-elements 0x00000001"
	"sg-register-bad-revision $BAD_VERSION"
	"sg-register-bad-size $BAD_VERSION"
	"sg-register-bad-type $BAD_VERSION"
	"sg-register-twice $RESOURCE_CONFLICT"
	"sg-register-not-bus-master $NOT_SUPPORTED"
)
field() { sed -n "s/^$1 .* $2=\([0-9]*\).*/\1/p" $DBG/ndis_shim/adapters; }

echo "KTAP version 1"
if ! insmod "$shim"; then echo "1..1"; notok "insmod ndis_shim"; exit 1; fi
if ! insmod "$edu"; then echo "1..1"; notok "insmod edu_dma_c"; rmmod ndis_shim; exit 1; fi
mapfile -t ADAPTERS < <(ls -d $DBG/edu_dma_c/*/ 2>/dev/null)
PER_ADAPTER=$((${#ROUNDTRIPS[@]} + ${#EXPECT[@]} + 6))
echo "1..$((${#ADAPTERS[@]} * PER_ADAPTER + 3))"
if [ "${#ADAPTERS[@]}" -ge 1 ]; then ok "edu_dma_c bound ${#ADAPTERS[@]} adapter(s)"; else notok "edu_dma_c bound no adapter"; fi
for d in "${ADAPTERS[@]}"; do
	name=$(basename "$d")
	if [ "$(field "$name" sg_dma)" = 1 ]; then ok "$name has an SG DMA registration"; else notok "$name: no SG DMA registration"; fi
	for c in "${ROUNDTRIPS[@]}"; do
		run "$d" "sg-roundtrip $c"
		echo "# $name sg-roundtrip $c: $R"
		if [[ $R == skip* ]]; then ok "$name sg-roundtrip $c # SKIP $R"; continue; fi
		expect "$name sg-roundtrip $c" "^ok sg .*verified=1"
	done
	before=$(field "$name" bounced)
	run "$d" "sg-roundtrip $UNALIGNED"
	echo "# $name sg-roundtrip $UNALIGNED: $R"
	expect "$name sg-roundtrip $UNALIGNED" "^ok sg .*from_elements=1 .*verified=1"
	after=$(field "$name" bounced)
	if [ -n "$before" ] && [ -n "$after" ] && [ $((after - before)) -ge 1 ]; then
		ok "$name: device-to-host data sharing cache lines was bounced ($before -> $after)"
	else
		notok "$name: expected a bounced SG list, counts '$before' -> '$after'"
	fi

	rej0=$(field "$name" rejected_calls)
	if ! echo sg-misuse >"$d/cmd"; then notok "$name: sg-misuse command failed"; else ok "$name: sg-misuse command ran"; fi
	out=$(cat "$d/result")
	echo "$out" | sed 's/^/# /'
	for e in "${EXPECT[@]}"; do
		row=${e% *} want=${e#* }
		got=$(echo "$out" | awk -v r="$row" '$1 == "misuse" { split($2, kv, "="); if (kv[1] == r) print kv[2] }')
		if [ "$got" = "$want" ]; then ok "$name $row=$got"; else notok "$name $row=${got:-missing} (want $want)"; fi
	done
	rej1=$(field "$name" rejected_calls)
	if [ -n "$rej0" ] && [ -n "$rej1" ] && [ $((rej1 - rej0)) -eq 2 ]; then
		ok "$name: freeing twice and freeing an unknown list were rejected ($rej0 -> $rej1)"
	else
		notok "$name: expected 2 rejected frees, rejected_calls '$rej0' -> '$rej1'"
	fi
	# Still works after the misuse (and the bus-master flag is back).
	run "$d" "sg-roundtrip ${ROUNDTRIPS[1]}"
	expect "$name sg-roundtrip after misuse" "^ok sg .*verified=1"
done
if rmmod edu_dma_c; then ok "rmmod edu_dma_c"; else notok "rmmod edu_dma_c"; fi
if rmmod ndis_shim; then ok "rmmod ndis_shim"; else notok "rmmod ndis_shim"; fi
exit "$failed"
