#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# MDLs a Windows driver builds itself (Documentation/porting.rst, "MDLs"):
# the DMA calls use MmGetSystemAddressForMdlSafe's address, MappedSystemVa
# when MdlFlags has MDL_SOURCE_IS_NONPAGED_POOL or MDL_MAPPED_TO_SYSTEM_VA,
# never StartVa + ByteOffset (MmGetMdlVirtualAddress: the address in the
# context the MDL was built in, here a simulated user address). Data goes
# host -> edu -> host and is verified through NdisMSetupDmaTransfer and
# NdisMAllocateNetBufferSGList (edu_dma_c) and NdisMStartBufferPhysicalMapping
# (edu_dma_ndis5) with such MDLs. MDLs the shim cannot resolve to pages (no
# flag, MappedSystemVa not kernel memory, or not at ByteOffset) are refused
# with each call's failure status, counted exactly in rejected_calls and
# logged (rate-limited), and the device works afterwards. Shapes: tools/testing/edu-test/edu_test.h.
# Prints nested KTAP.
set -uo pipefail
. "$(dirname "$0")/../edu_c_lib.sh"
edu5=$KO/edu_dma_ndis5.ko
[ -f "$edu5" ] || { echo "# SKIP $edu5 not built"; exit 4; }

# Windows documents no status for an MDL it could map from its page list
# and the shim cannot, so each call gives its documented failure status:
#   NdisMSetupDmaTransfer: "NDIS_STATUS_RESOURCES: An attempt to set up the
#     DMA controller for the transfer has failed" -> 0xc000009a
#   NdisMAllocateNetBufferSGList: returns NDIS_STATUS_SUCCESS or
#     NDIS_STATUS_RESOURCES -> 0xc000009a
#   NdisMStartBufferPhysicalMapping: returns VOID -> *ArraySize 0, logged
#     and counted (the sample then reports RESOURCES itself).
RESOURCES=0xc000009a
GOOD_SHAPES=(user-pool user-locked)
BAD_SHAPES=(unbuilt locked-unmapped user-system-va skewed)
REASONS=("neither MDL_MAPPED_TO_SYSTEM_VA nor MDL_SOURCE_IS_NONPAGED_POOL"
	"not kernel memory" "not at ByteOffset")
C_GOOD=()
for s in "${GOOD_SHAPES[@]}"; do
	C_GOOD+=("roundtrip off=0 len=4096 mdl_off=100 buf=kmalloc mdl=$s"
		"roundtrip off=7 len=511 mdl_off=4000 buf=vmalloc mdl=$s"
		"roundtrip off=64 len=64 mdl_off=4090 buf=high mdl=$s"
		"sg-roundtrip len=3072 parts=3 skip=64 mdl_off=192 buf=vmalloc mdl=$s"
		"sg-roundtrip len=4000 parts=4 skip=100 mdl_off=37 buf=mixed mdl=$s")
done
N5_GOOD=()
for s in "${GOOD_SHAPES[@]}"; do
	N5_GOOD+=("roundtrip len=4096 off=0 buf=kmalloc reg=0 mdl=$s"
		"roundtrip len=3000 off=2000 buf=vmalloc reg=2 mdl=$s")
done

# Builtins where a case would fork: every exec goes over 9p in the guest.
rejected() { local r; read -r r <"$DBG/ndis_shim/rejected_calls"; echo "$r"; }
mark="ndis-test: $$-$(date +%s%N)"
echo "$mark" >/dev/kmsg
log_since_mark() { dmesg | awk -v m="$mark" 'on; index($0, m) { on = 1 }'; }
# CASE EXPECT-REGEX: R must match and rejected_calls must not move.
accepted() {
	local r0; r0=$(rejected)
	run "$1" "$2"
	case $R in skip*) n=$((n + 1)); echo "ok $n $3 $2 # SKIP ${R#skip }"; return ;; esac
	if [[ $R =~ ^ok\ .*verified=1 ]] && [ "$(rejected)" = "$r0" ]; then ok "$3 $2"
	else notok "$3 $2: $R (rejected_calls $r0 -> $(rejected))"; fi
}
# DIR CASE EXPECT-REGEX NAME: R must match and rejected_calls move by one.
refused() {
	local r0; r0=$(rejected)
	run "$1" "$2"
	if [[ $R =~ $3 ]] && [ "$(rejected)" = $((r0 + 1)) ]; then ok "$4 $2 refused and counted"
	else notok "$4 $2: $R (rejected_calls $r0 -> $(rejected), want +1)"; fi
}

echo "KTAP version 1"
if ! insmod "$shim"; then echo "1..1"; notok "insmod ndis_shim"; exit 1; fi
if ! insmod "$edu"; then echo "1..1"; notok "insmod edu_dma_c"; rmmod ndis_shim; exit 1; fi
mapfile -t ADAPTERS < <(ls -d $DBG/edu_dma_c/*/ 2>/dev/null)
PER_C=$((${#C_GOOD[@]} + 2 * ${#BAD_SHAPES[@]} + 1))
PER_5=$((${#N5_GOOD[@]} + ${#BAD_SHAPES[@]} + 1))
echo "1..$((${#ADAPTERS[@]} * (PER_C + PER_5 + 2) + ${#REASONS[@]} + 6))"
if [ "${#ADAPTERS[@]}" -ge 1 ]; then ok "edu_dma_c bound ${#ADAPTERS[@]} adapter(s)"; else notok "edu_dma_c bound no adapter"; fi
for d in "${ADAPTERS[@]}"; do
	name=${d%/} name=${name##*/}
	for c in "${C_GOOD[@]}"; do accepted "$d" "$c" "$name"; done
	for s in "${BAD_SHAPES[@]}"; do
		refused "$d" "roundtrip off=0 len=64 mdl_off=100 buf=kmalloc mdl=$s" \
			"setup=$RESOURCES/" "$name"
		refused "$d" "sg-roundtrip len=1000 parts=2 skip=64 buf=kmalloc mdl=$s" \
			"host-to-device=$RESOURCES " "$name"
	done
	accepted "$d" "roundtrip off=0 len=4096 mdl_off=0 buf=kmalloc" "$name after refusals:"
done
if rmmod edu_dma_c; then ok "rmmod edu_dma_c"; else notok "rmmod edu_dma_c"; fi

if ! insmod "$edu5"; then notok "insmod edu_dma_ndis5"; rmmod ndis_shim; exit 1; fi
ok "insmod edu_dma_ndis5"
mapfile -t ADAPTERS5 < <(ls -d $DBG/edu_dma_ndis5/*/ 2>/dev/null)
if [ "${#ADAPTERS5[@]}" = "${#ADAPTERS[@]}" ]; then ok "edu_dma_ndis5 bound ${#ADAPTERS5[@]} adapter(s)"
else notok "edu_dma_ndis5 bound ${#ADAPTERS5[@]} adapter(s), edu_dma_c ${#ADAPTERS[@]}"; fi
for d in "${ADAPTERS5[@]}"; do
	name=${d%/} name=${name##*/}
	for c in "${N5_GOOD[@]}"; do accepted "$d" "$c" "$name ndis5"; done
	for s in "${BAD_SHAPES[@]}"; do
		refused "$d" "roundtrip len=64 off=100 buf=kmalloc reg=1 mdl=$s" \
			"to=$RESOURCES entries_to=0 " "$name ndis5"
	done
	accepted "$d" "roundtrip len=100 off=4090 buf=kmalloc reg=3" "$name ndis5 after refusals:"
done
if rmmod edu_dma_ndis5; then ok "rmmod edu_dma_ndis5"; else notok "rmmod edu_dma_ndis5"; fi

# Rejections are logged rate-limited (rust/reject.rs: the kernel's
# ratelimit, 10 lines per 5 s per adapter, the count exact): each adapter's
# first refusal (unbuilt) is logged, naming the device; the first adapter's
# first ten rejections (one at MiniportInitializeEx, then these eight)
# include a line for every reason.
log=$(log_since_mark)
for d in "${ADAPTERS[@]}" "${ADAPTERS5[@]}"; do
	name=${d%/} name=${name##*/}
	line="$name: NdisSetupDmaTransfer: rejected: MDL ${REASONS[0]}"
	case $d in */edu_dma_ndis5/*) line="$name: NdisMStartBufferPhysicalMapping: rejected: MDL ${REASONS[0]}" ;; esac
	if [[ $log == *"$line"* ]]; then ok "first refusal logged: $line"; else notok "no log line: $line"; fi
done
for r in "${REASONS[@]}"; do
	if [[ $log == *"$r"* ]]; then ok "logged: $r"; else notok "no log line: $r"; fi
done
if rmmod ndis_shim; then ok "rmmod ndis_shim"; else notok "rmmod ndis_shim"; fi
exit "$failed"
