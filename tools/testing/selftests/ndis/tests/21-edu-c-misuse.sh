#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# edu_dma_c calls the system-DMA functions wrongly in every documented way
# (bad handles, ranges outside the MDL, bad lengths, Setup while busy,
# Completes that match no Setup) and each call must get its NDIS status;
# the channel must still move data afterwards (verified both ways). The
# rejected calls are counted exactly and logged, rate-limited: the first
# rejection's line is there, and a flood of Completes with nothing in
# progress is counted call by call but logs far fewer lines. Nested KTAP.
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
	# NdisMDeregisterDmaChannel "must run at IRQL = PASSIVE_LEVEL": under a
	# spin lock the shim refuses it (shim's choice), and the channel's zero-
	# Length Setup still gets NdisMSetupDmaTransfer's RESOURCES.
	"deregister-at-dispatch $RESOURCES"
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
# rejected_calls): 6 invalid Setups, 2 Completes with nothing in progress,
# 5 mismatched Completes, 1 NULL description (Documentation/system-dma.rst).
REJECTED=14
# The shim-wide count also has register-null-adapter and the Deregister
# at DISPATCH_LEVEL: no adapter to count them against ("NULL/forged/stale
# adapter handle ... counted as rejected"; Documentation/design.rst).
REJECTED_TOTAL=$((REJECTED + 2))
# The first one the adapter logs in the misuse run: offset-beyond-mdl, with
# the cause rust/core/channel.rs describes (SetupRefusal::InvalidRange).
FIRST_LINE="NdisMSetupDmaTransfer: rejected: Offset + Length overflows or lies outside the MDL"
# A miniport misusing a call in a loop: N Completes with nothing in
# progress, each SUCCESS and counted; the kernel's ratelimit
# (rust/reject.rs: 10 lines per 5 s per adapter) logs a few of them.
FLOOD=1000 FLOOD_LINE="NdisMCompleteDmaTransfer: rejected: no transfer in progress"

# Builtins where a loop would fork: every exec goes over 9p in the guest.
adapter_rejected() { # pci-name: its rejected_calls in ndis_shim/adapters
	local line f
	while read -r line; do
		[[ $line == "$1 "* ]] || continue
		for f in $line; do [[ $f == rejected_calls=* ]] && echo "${f#*=}"; done
	done <"$DBG/ndis_shim/adapters"
}
total_rejected() { local t; read -r t <"$DBG/ndis_shim/rejected_calls"; echo "$t"; }
mark() { MARK="ndis-test: $$-$EPOCHREALTIME"; echo "$MARK" >/dev/kmsg; }
log_since_mark() { dmesg | awk -v m="$MARK" 'on; index($0, m) { on = 1 }'; }

echo "KTAP version 1"
if ! insmod "$shim"; then echo "1..1"; notok "insmod ndis_shim"; exit 1; fi
if ! insmod "$edu"; then echo "1..1"; notok "insmod edu_dma_c"; rmmod ndis_shim; exit 1; fi
mapfile -t ADAPTERS < <(ls -d $DBG/edu_dma_c/*/ 2>/dev/null)
echo "1..$((${#ADAPTERS[@]} * (${#EXPECT[@]} + 9) + 3))"
if [ "${#ADAPTERS[@]}" -ge 1 ]; then ok "edu_dma_c bound ${#ADAPTERS[@]} adapter(s)"; else notok "edu_dma_c bound no adapter"; fi
for d in "${ADAPTERS[@]}"; do
	name=${d%/} name=${name##*/}
	for try in 1 2 3; do
		before=$(adapter_rejected "$name") total0=$(total_rejected)
		mark
		ran=0
		echo misuse >"$d/cmd" && ran=1
		declare -A GOT=()
		while read -r verb kv; do
			echo "# $verb $kv"
			[ "$verb" = misuse ] && GOT[${kv%%=*}]=${kv#*=}
		done <"$d/result"
		# setup-while-busy and complete-other-busy need edu still moving
		# the transfer just set up (for about 100 ms): a vCPU the host
		# stalls longer finds it done, and they get SUCCESS. The whole
		# run again then; a shim that lets them through fails all three.
		missed=
		for row in setup-while-busy complete-other-busy; do
			[ "${GOT[$row]:-}" = "$SUCCESS" ] && missed+=" $row"
		done
		[ -n "$missed" ] && [ "$try" -lt 3 ] || break
		echo "# $name: try $try: the engine had finished for$missed: again"
		unset GOT
		# The next run's first rejection must be logged: past the
		# adapter's ratelimit interval (rust/reject.rs: 5 s).
		sleep 5.5
	done
	if [ "$ran" = 1 ]; then ok "$name: misuse command ran"; else notok "$name: misuse command failed"; fi
	for e in "${EXPECT[@]}"; do
		row=${e% *} want=${e#* }
		got=${GOT[$row]:-missing}
		unset "GOT[$row]"
		if [ "$got" = "$want" ]; then
			ok "$name misuse $row=$got"
		else
			notok "$name misuse $row=$got (want $want)"
		fi
	done
	if [ ${#GOT[@]} = 0 ]; then ok "$name: no unexpected rows"; else notok "$name: unexpected rows: ${!GOT[*]}"; fi
	unset GOT
	after=$(adapter_rejected "$name") total1=$(total_rejected)
	if [ -n "$before" ] && [ $((after - before)) -eq $REJECTED ]; then
		ok "$name: $REJECTED calls counted as rejected"
	else
		notok "$name: rejected_calls ${before:-?} -> ${after:-?} (want +$REJECTED)"
	fi
	if [ $((total1 - total0)) -eq $REJECTED_TOTAL ]; then
		ok "$name: shim-wide rejected_calls +$REJECTED_TOTAL"
	else
		notok "$name: shim-wide rejected_calls $total0 -> $total1 (want +$REJECTED_TOTAL)"
	fi
	if grep -qF "$name: $FIRST_LINE" <(log_since_mark); then
		ok "$name: first rejection logged"
	else
		notok "$name: no line '$name: $FIRST_LINE'"
	fi
	# transfer-after-misuse reports a status only: the data must move too.
	run "$d" "roundtrip off=0 len=4096 buf=kmalloc"
	expect "$name: transfer after misuse verified both ways" "^ok .*verified=1"

	before=$(adapter_rejected "$name") total0=$(total_rejected)
	mark
	run "$d" "complete-flood calls=$FLOOD"
	expect "$name: $FLOOD Completes without Setup, all SUCCESS" "^complete-flood calls=$FLOOD success=$FLOOD$"
	after=$(adapter_rejected "$name") total1=$(total_rejected)
	if [ $((after - before)) -eq $FLOOD ] && [ $((total1 - total0)) -eq $FLOOD ]; then
		ok "$name: flood counted exactly (+$FLOOD)"
	else
		notok "$name: flood: rejected_calls $before -> $after, shim-wide $total0 -> $total1 (want +$FLOOD)"
	fi
	lines=$(log_since_mark | grep -cF "$name: $FLOOD_LINE")
	echo "# $name: $FLOOD rejections logged $lines line(s)"
	if [ "$lines" -le $((FLOOD / 10)) ]; then
		ok "$name: flood rate-limited ($lines lines)"
	else
		notok "$name: flood logged $lines lines for $FLOOD rejections"
	fi
done
if rmmod edu_dma_c; then ok "rmmod edu_dma_c"; else notok "rmmod edu_dma_c"; fi
if rmmod ndis_shim; then ok "rmmod ndis_shim"; else notok "rmmod ndis_shim"; fi
exit "$failed"
