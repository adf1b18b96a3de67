#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# edu_dma_c calls the system-DMA functions wrongly in every documented way
# (bad handles, ranges outside the MDL, bad lengths, Setup while busy,
# Completes that match no Setup) and each call must get its NDIS status;
# the channel must still work afterwards. Prints nested KTAP.
set -uo pipefail
. "$(dirname "$0")/../edu_c_lib.sh"

SUCCESS=0x00000000 RESOURCES=0xc000009a INVALID_PARAMETER=0xc000000d
FAILURE=0xc0000001 RESOURCE_CONFLICT=0xc001001e
# row expected-status, in the order the miniport runs them, each with the
# Microsoft page that documents it ("shim's choice" where Windows defines
# nothing: a NULL, stale or forged handle crashes Windows).
EXPECT=(
	"null-handle $INVALID_PARAMETER"	# shim's choice (forged handle)
	"register-second $SUCCESS"		# NdisMRegisterDmaChannel: DmaChannel "Ignored"
	"stale-handle $INVALID_PARAMETER"	# shim's choice
	"stale-handle-complete $INVALID_PARAMETER" # shim's choice
	"forged-handle $INVALID_PARAMETER"	# shim's choice
	# NdisMSetupDmaTransfer: "... or because the given Length is invalid" -> RESOURCES
	"offset-beyond-mdl $RESOURCES"
	"length-beyond-mdl $RESOURCES"
	"offset-length-overflow $RESOURCES"
	"zero-length $RESOURCES"
	"length-over-maximum $RESOURCES"
	# NdisMCompleteDmaTransfer: flushes what it is given; nothing in progress: nothing to flush -> SUCCESS
	"complete-without-setup $SUCCESS"
	"setup-first $SUCCESS"
	# NdisMSetupDmaTransfer: "the channel ... is currently in use" -> RESOURCES
	"setup-while-busy $RESOURCES"
	"first-complete $SUCCESS"		# NdisMCompleteDmaTransfer: "transferred and flushed"
	"complete-twice $SUCCESS"		# as complete-without-setup
	# NdisMCompleteDmaTransfer with other arguments: the transfer set up is flushed -> SUCCESS
	"complete-other-offset $SUCCESS"
	"complete-other-length $SUCCESS"
	"complete-other-direction $SUCCESS"
	"complete-other-mdl $SUCCESS"
	# NdisMCompleteDmaTransfer: "released but ... might be incoherent" -> RESOURCES
	"complete-other-busy $RESOURCES"
	# NdisMRegisterDmaChannel: RESOURCE_CONFLICT "attempt to claim the DMA channel ... failed"
	"register-channel-3 $RESOURCE_CONFLICT"
	"register-auto-initialize $RESOURCE_CONFLICT"
	"register-null-description $FAILURE"	# shim's choice among the page's four
	"register-null-adapter $FAILURE"	# shim's choice among the page's four
	"register-zero-length $RESOURCES"	# NdisMRegisterDmaChannel: "could not allocate the system resources"
	"register-unlimited $SUCCESS"		# NdisMRegisterDmaChannel: MaximumLength -1, "unlimited"
	"register-24bit $SUCCESS"		# NdisMRegisterDmaChannel: Dma32BitAddresses FALSE
	"setup-24bit $SUCCESS"			# NdisMSetupDmaTransfer
	"complete-24bit $SUCCESS"		# NdisMCompleteDmaTransfer
	"transfer-after-misuse $SUCCESS"
)
# Calls counted as rejected for the adapter (ndis_shim/adapters'
# rejected_calls): 5 invalid Setups, 2 Completes with nothing in progress,
# 5 mismatched Completes, 1 NULL description.
REJECTED=13

adapter_rejected() { # pci-name
	awk -v n="$1" '$1 == n { for (i = 2; i <= NF; i++) if ($i ~ /^rejected_calls=/) { sub(/.*=/, "", $i); print $i } }' \
		$DBG/ndis_shim/adapters
}

echo "KTAP version 1"
if ! insmod "$shim"; then echo "1..1"; notok "insmod ndis_shim"; exit 1; fi
if ! insmod "$edu"; then echo "1..1"; notok "insmod edu_dma_c"; rmmod ndis_shim; exit 1; fi
mapfile -t ADAPTERS < <(ls -d $DBG/edu_dma_c/*/ 2>/dev/null)
echo "1..$((${#ADAPTERS[@]} * (${#EXPECT[@]} + 3) + 3))"
if [ "${#ADAPTERS[@]}" -ge 1 ]; then ok "edu_dma_c bound ${#ADAPTERS[@]} adapter(s)"; else notok "edu_dma_c bound no adapter"; fi
for d in "${ADAPTERS[@]}"; do
	name=$(basename "$d")
	before=$(adapter_rejected "$name")
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
	after=$(adapter_rejected "$name")
	if [ -n "$before" ] && [ $((after - before)) -eq $REJECTED ]; then
		ok "$name: $REJECTED calls counted as rejected"
	else
		notok "$name: rejected_calls ${before:-?} -> ${after:-?} (want +$REJECTED)"
	fi
done
if rmmod edu_dma_c; then ok "rmmod edu_dma_c"; else notok "rmmod edu_dma_c"; fi
if rmmod ndis_shim; then ok "rmmod ndis_shim"; else notok "rmmod ndis_shim"; fi
exit "$failed"
