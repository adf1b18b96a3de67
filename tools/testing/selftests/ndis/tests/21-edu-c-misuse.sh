#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# edu_dma_c calls the system-DMA functions wrongly in every documented way
# (bad handles, ranges outside the MDL, bad lengths, Setup while busy,
# Completes that match no Setup) and each call must get its NDIS status;
# the channel must still work afterwards. Prints nested KTAP.
set -uo pipefail
. "$(dirname "$0")/../edu_c_lib.sh"

SUCCESS=0x00000000 RESOURCES=0xc000009a INVALID_PARAMETER=0xc000000d INVALID_LENGTH=0xc0010014
# row expected-status, in the order the miniport runs them
EXPECT=(
	"null-handle $INVALID_PARAMETER"
	"register-second $SUCCESS"
	"stale-handle $INVALID_PARAMETER"
	"stale-handle-complete $INVALID_PARAMETER"
	"forged-handle $INVALID_PARAMETER"
	"offset-beyond-mdl $INVALID_PARAMETER"
	"length-beyond-mdl $INVALID_PARAMETER"
	"offset-length-overflow $INVALID_PARAMETER"
	"zero-length $INVALID_LENGTH"
	"length-over-maximum $INVALID_LENGTH"
	"complete-without-setup $INVALID_PARAMETER"
	"setup-first $SUCCESS"
	"setup-while-busy $RESOURCES"
	"first-complete $SUCCESS"
	"complete-twice $INVALID_PARAMETER"
	"setup-for-mismatch $SUCCESS"
	"complete-other-offset $INVALID_PARAMETER"
	"complete-other-length $INVALID_PARAMETER"
	"complete-other-direction $INVALID_PARAMETER"
	"complete-other-mdl $INVALID_PARAMETER"
	"complete-after-mismatch $SUCCESS"
	"transfer-after-misuse $SUCCESS"
)

echo "KTAP version 1"
if ! insmod "$shim"; then echo "1..1"; notok "insmod ndis_shim"; exit 1; fi
if ! insmod "$edu"; then echo "1..1"; notok "insmod edu_dma_c"; rmmod ndis_shim; exit 1; fi
mapfile -t ADAPTERS < <(ls -d $DBG/edu_dma_c/*/ 2>/dev/null)
echo "1..$((${#ADAPTERS[@]} * (${#EXPECT[@]} + 2) + 3))"
if [ "${#ADAPTERS[@]}" -ge 1 ]; then ok "edu_dma_c bound ${#ADAPTERS[@]} adapter(s)"; else notok "edu_dma_c bound no adapter"; fi
for d in "${ADAPTERS[@]}"; do
	name=$(basename "$d")
	if ! echo misuse >"$d/cmd"; then
		notok "$name: misuse command failed"
	else
		ok "$name: misuse command ran"
	fi
	out=$(cat "$d/result")
	echo "$out" | sed 's/^/# /'
	for e in "${EXPECT[@]}"; do
		row=${e% *} want=${e#* }
		got=$(echo "$out" | awk -v r="$row" '$1 == "misuse" { split($2, kv, "="); if (kv[1] == r) print kv[2] }')
		if [ "$got" = "$want" ]; then
			ok "$name misuse $row=$got"
		else
			notok "$name misuse $row=${got:-missing} (want $want)"
		fi
	done
	extra=$(echo "$out" | awk '$1 == "misuse" { split($2, kv, "="); print kv[1] }' |
		grep -vxF -f <(printf '%s\n' "${EXPECT[@]}" | awk '{ print $1 }') | paste -sd' ' -)
	if [ -z "$extra" ]; then ok "$name: no unexpected rows"; else notok "$name: unexpected rows: $extra"; fi
done
if rmmod edu_dma_c; then ok "rmmod edu_dma_c"; else notok "rmmod edu_dma_c"; fi
if rmmod ndis_shim; then ok "rmmod ndis_shim"; else notok "rmmod ndis_shim"; fi
exit "$failed"
