#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Header checks for include/ndis.h:
#   - every windows_*.c here, Windows-style source that must compile
#     unchanged, under each contract its "NDIS-CHECK-CONTRACTS:" line names
#     ("51+50" defines NDIS51_MINIPORT and NDIS50_MINIPORT, as some builds
#     do; "+DBG" adds DBG=1): on the host with gcc and clang
#     (-std=gnu11 -Wall -Wextra -Werror), and as kernel objects with the
#     test kernel's Kbuild flags plus -Werror (clang, LLVM=-$LLVM_VERSION)
#     when its build tree is complete (tools/build-kernel.sh --print-kdir);
#     nothing is linked or loaded. A new windows_*.c is picked up by name;
#   - the header alone compiles (non-miniport view) with -pedantic, which
#     also evaluates its Win64 layout assertions;
#   - probe.c pins Windows values (status codes, object types, enums),
#     runs the MDL macros on a hand-built MDL and the Interlocked functions
#     and packing headers against their documented results;
#   - negative checks: things a Windows ndis.h rejects must fail here too.
#
# Usage: tools/testing/header-check/check.sh   (exit status 0 = all passed)
# CC_LIST="gcc clang-19" overrides the host compilers tried; KDIR= (empty)
# skips the kernel part, KDIR=dir uses that kernel build tree.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../../.." && pwd)
INC=$TOP/include
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# shellcheck source=../../versions.env
. "$TOP/tools/versions.env"

# -fshort-wchar as the kernel build has it: L"" is UTF-16, a PCWSTR, as on
# Windows.
CFLAGS=(-std=gnu11 -Wall -Wextra -Werror -fshort-wchar -I "$INC")
MINIPORT=(-DNDIS_MINIPORT_DRIVER=1)

pass=0 fail=0 skip=0

ok()   { pass=$((pass + 1)); printf 'test %s ... ok\n' "$1"; }
bad()  { fail=$((fail + 1)); printf 'test %s ... FAILED\n' "$1"; }
skp()  { skip=$((skip + 1)); printf 'test %s ... skipped (%s)\n' "$1" "$2"; }

# Run a command that must succeed; show its output only on failure.
expect_ok() { # name cmd...
	local name=$1 log=$TMP/log
	shift
	if "$@" >"$log" 2>&1; then ok "$name"; else bad "$name"; sed 's/^/    /' "$log"; fi
}

# Run a compile that must fail, and fail for the expected reason.
expect_fail() { # name pattern cmd...
	local name=$1 pattern=$2 log=$TMP/log
	shift 2
	if "$@" >"$log" 2>&1; then
		bad "$name"
		echo "    compiled, but should have been rejected"
	elif grep -q -- "$pattern" "$log"; then
		ok "$name"
	else
		bad "$name"
		echo "    rejected, but not with '$pattern':"
		sed 's/^/    /' "$log"
	fi
}

find_clang() {
	local c
	for c in clang clang-19 clang-18 clang-17 clang-16 clang-15 clang-14; do
		command -v "$c" >/dev/null && { echo "$c"; return; }
	done
}

if [ -n "${CC_LIST:-}" ]; then
	read -r -a CCS <<<"$CC_LIST"
else
	CCS=()
	command -v gcc >/dev/null && CCS+=(gcc)
	clang=$(find_clang)
	[ -n "$clang" ] && CCS+=("$clang")
fi
[ "${#CCS[@]}" -gt 0 ] || { echo "check.sh: no C compiler found (need gcc and/or clang)" >&2; exit 1; }
command -v gcc >/dev/null || skp "gcc" "gcc not installed"
[ -n "$(find_clang)" ] || skp "clang" "clang not installed"

# The contracts a check source names, one spec per word.
contracts_of() { # file
	sed -n 's/.*NDIS-CHECK-CONTRACTS:[[:space:]]*//p' "$1" | head -n 1
}

# The -D flags of one spec: "51+50" -> NDIS51_MINIPORT and NDIS50_MINIPORT.
contract_flags() { # spec
	local part parts
	IFS=+ read -r -a parts <<<"$1"
	for part in "${parts[@]}"; do
		case $part in
		DBG) echo -DDBG=1 ;;
		*) echo "-DNDIS${part}_MINIPORT=1" ;;
		esac
	done
}

SOURCES=("$HERE"/windows_*.c)

# --- Positive: the Windows-style sources, every contract, every compiler.
for cc in "${CCS[@]}"; do
	for src in "${SOURCES[@]}"; do
		name=$(basename "$src" .c)
		specs=$(contracts_of "$src")
		if [ -z "$specs" ]; then
			bad "$cc/$name"
			echo "    no NDIS-CHECK-CONTRACTS line in $src"
			continue
		fi
		for spec in $specs; do
			# shellcheck disable=SC2046
			expect_ok "$cc/$name/ndis$spec" \
				"$cc" "${CFLAGS[@]}" "${MINIPORT[@]}" $(contract_flags "$spec") \
				-fsyntax-only "$src"
		done
	done
	# Non-miniport view (everything the shim implements) + strict ISO mode.
	printf '#include <ndis.h>\n' >"$TMP/alone.c"
	expect_ok "$cc/header_alone_pedantic" \
		"$cc" "${CFLAGS[@]}" -pedantic -fsyntax-only "$TMP/alone.c"
done

# --- Kernel: the same sources as objects of an out-of-tree module, built
# with the test kernel's flags. Each object is one source under one
# contract (a symlink, so that Kbuild gives it its own flags); only the
# objects are made, so nothing is linked, modpost does not run and the
# shim need not be built.
if [ -z "${KDIR+set}" ]; then
	KDIR=$("$TOP/tools/build-kernel.sh" --print-kdir 2>/dev/null || true)
fi
if [ -z "$KDIR" ]; then
	skp "kernel" "KDIR is empty"
elif [ ! -f "$KDIR/.ndis-complete" ]; then
	skp "kernel" "no complete kernel build tree at $KDIR"
else
	KMOD=$TMP/kmod
	mkdir -p "$KMOD"
	cp "$HERE/kmod/Kbuild" "$KMOD/Kbuild"
	objs=()
	for src in "${SOURCES[@]}"; do
		name=$(basename "$src" .c)
		for spec in $(contracts_of "$src"); do
			obj=${name}_${spec//+/_}
			ln -s "$src" "$KMOD/$obj.c"
			echo "CFLAGS_$obj.o := $(contract_flags "$spec" | tr '\n' ' ')" >>"$KMOD/Kbuild"
			echo "obj-m += $obj.o" >>"$KMOD/Kbuild"
			objs+=("$obj.o")
		done
	done
	# -k: one source's failure does not hide the others' results.
	log=$TMP/kmod.log
	make -k -C "$KDIR" M="$KMOD" LLVM=-"$LLVM_VERSION" RUSTC=rustc BINDGEN=bindgen \
		NDIS_INCLUDE="$INC" "${objs[@]}" >"$log" 2>&1
	failed=0
	for obj in "${objs[@]}"; do
		if [ -f "$KMOD/$obj" ]; then
			ok "kernel/${obj%.o}"
		else
			bad "kernel/${obj%.o}"
			failed=1
		fi
	done
	[ "$failed" = 0 ] || grep -v '^make\|  CC \[M\]' "$log" | sed 's/^/    /'
fi

# --- Probe: values and macro behaviour, compiled and run on the host.
CC0=${CCS[0]}
cat >"$TMP/probe.c" <<'EOF'
#include <ndis.h>
#include <stdio.h>

#define SA(e) _Static_assert(e, #e)

/* Win64 data model: ULONG is 32 bits even where C long is 64. */
SA(sizeof(ULONG) == 4 && sizeof(LONG) == 4 && sizeof(BOOLEAN) == 1);
SA(sizeof(ULONG_PTR) == sizeof(void *) && sizeof(ULONG64) == 8);
SA((ULONG)-1 == 0xFFFFFFFFu);

/* Status values from ndis-dma.md and the WDK. */
SA(NDIS_STATUS_SUCCESS == 0x00000000);
SA(NDIS_STATUS_PENDING == 0x00000103);
SA((unsigned int)NDIS_STATUS_FAILURE == 0xC0000001u);
SA((unsigned int)NDIS_STATUS_INVALID_PARAMETER == 0xC000000Du);
SA((unsigned int)NDIS_STATUS_RESOURCES == 0xC000009Au);
SA((unsigned int)NDIS_STATUS_NOT_SUPPORTED == 0xC00000BBu);
SA((unsigned int)NDIS_STATUS_BAD_VERSION == 0xC0010004u);
SA((unsigned int)NDIS_STATUS_BAD_CHARACTERISTICS == 0xC0010005u);
SA((unsigned int)NDIS_STATUS_ADAPTER_NOT_FOUND == 0xC0010006u);
SA((unsigned int)NDIS_STATUS_DEVICE_FAILED == 0xC0010008u);
SA((unsigned int)NDIS_STATUS_INVALID_LENGTH == 0xC0010014u);
SA((unsigned int)NDIS_STATUS_BUFFER_TOO_SHORT == 0xC0010016u);
SA((unsigned int)NDIS_STATUS_RESOURCE_CONFLICT == 0xC001001Eu);
SA(NDIS_STATUS_NOT_ACCEPTED == 0x00010003);
SA(NDIS_STATUS_FAILURE < 0);	/* NDIS_STATUS is a signed int */

/* Object types, enums and flags. */
SA(NDIS_OBJECT_TYPE_DEFAULT == 0x80);
SA(NDIS_OBJECT_TYPE_SG_DMA_DESCRIPTION == 0x83);
SA(NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT == 0x84);
SA(NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS == 0x8A);
SA(NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES == 0x9E);
SA(NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES == 0x9F);
SA(NdisInterfacePci == 5 && NdisInterfacePcMcia == 8);
SA(CmResourceTypePort == 1 && CmResourceTypeInterrupt == 2 && CmResourceTypeMemory == 3);
SA(NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER == 0x40 && NDIS_ATTRIBUTE_BUS_MASTER == 0x8);
SA(NDIS_DMA_24BITS == 0 && NDIS_DMA_32BITS == 1 && NDIS_DMA_64BITS == 2);
SA(NDIS_SG_DMA_64_BIT_ADDRESS == 1 && NDIS_SG_LIST_WRITE_TO_DEVICE == 1);
SA(Width8Bits == 0 && Width32Bits == 2 && MaximumDmaWidth == 5);
SA(Compatible == 0 && TypeF == 4 && MaximumDmaSpeed == 5);
SA(NormalPagePriority == 16 && NormalPoolPriority == 16 && HighPoolPriority == 32);
SA(NdisHaltDeviceDisabled == 0 && NdisHaltDeviceStopped == 6);
SA(NDIS_CONNECT_LINE_BASED == 1 && NDIS_CONNECT_MESSAGE_BASED == 2);
SA(PCI_WHICHSPACE_CONFIG == 0);
SA(NDIS_SIZEOF_MINIPORT_INTERRUPT_CHARACTERISTICS_REVISION_1 == 0x60);
SA(NDIS_SIZEOF_SG_DMA_DESCRIPTION_REVISION_1 == 0x24);
SA(NDIS_SIZEOF_MINIPORT_INIT_PARAMETERS_REVISION_1 == 0x40);

/* The exported functions have exactly the Windows signatures (no linking). */
#define SIG(f, t) SA(__builtin_types_compatible_p(__typeof__(f), t))
SIG(NdisSetupDmaTransfer, VOID(PNDIS_STATUS, NDIS_HANDLE, PNDIS_BUFFER, ULONG, ULONG, BOOLEAN));
SIG(NdisCompleteDmaTransfer, VOID(PNDIS_STATUS, NDIS_HANDLE, PNDIS_BUFFER, ULONG, ULONG, BOOLEAN));
SIG(NdisMRegisterDmaChannel,
    NDIS_STATUS(PNDIS_HANDLE, NDIS_HANDLE, UINT, BOOLEAN, PNDIS_DMA_DESCRIPTION, ULONG));
SIG(NdisMDeregisterDmaChannel, VOID(NDIS_HANDLE));
SIG(NdisMReadDmaCounter, ULONG(NDIS_HANDLE));
SIG(NdisMMapIoSpace, NDIS_STATUS(PVOID *, NDIS_HANDLE, NDIS_PHYSICAL_ADDRESS, UINT));
SIG(NdisMGetBusData, ULONG(NDIS_HANDLE, ULONG, ULONG, PVOID, ULONG));
SIG(NdisAllocateMemoryWithTagPriority, PVOID(NDIS_HANDLE, UINT, ULONG, EX_POOL_PRIORITY));
SIG(NdisMRegisterInterruptEx, NDIS_STATUS(NDIS_HANDLE, NDIS_HANDLE,
    PNDIS_MINIPORT_INTERRUPT_CHARACTERISTICS, PNDIS_HANDLE));
SIG(NdisStallExecution, VOID(UINT));
SIG(NdisMSleep, VOID(ULONG));
SIG(NdisGetVersion, UINT(VOID));

/* wdm.h names: IRQL levels, MEMORY_ALLOCATION_ALIGNMENT (16 on Win64) and
 * the NTSTATUS values of ntstatus.h ("NTSTATUS Values" page). */
SA(PASSIVE_LEVEL == 0 && APC_LEVEL == 1 && DISPATCH_LEVEL == 2 && HIGH_LEVEL == 15);
SA(MEMORY_ALLOCATION_ALIGNMENT == 16);
SA(STATUS_SUCCESS == 0 && STATUS_PENDING == 0x103);
SA((unsigned int)STATUS_UNSUCCESSFUL == 0xC0000001u);
SA((unsigned int)STATUS_INSUFFICIENT_RESOURCES == 0xC000009Au);
SA((unsigned int)STATUS_INVALID_PARAMETER == 0xC000000Du);
SIG(KeGetCurrentIrql, KIRQL(VOID));
SIG(InterlockedCompareExchange, LONG(LONG volatile *, LONG, LONG));
SIG(InterlockedExchangePointer, PVOID(PVOID volatile *, PVOID));
SIG(InterlockedCompareExchangePointer, PVOID(PVOID volatile *, PVOID, PVOID));
SIG(InterlockedExchangeAdd64, LONG64(LONG64 volatile *, LONG64));
DRIVER_INITIALIZE probe_entry;	/* the role type declares DriverEntry's shape */
SA(__builtin_types_compatible_p(__typeof__(probe_entry), NTSTATUS(PDRIVER_OBJECT, PUNICODE_STRING)));

/* <pshpackN.h> packs until <poppack.h>, which restores natural alignment. */
#include <pshpack1.h>
struct probe_packed { UCHAR a; ULONG b; USHORT c; };
#include <pshpack2.h>
struct probe_packed2 { UCHAR a; ULONG b; };
#include <poppack.h>
struct probe_packed1_again { UCHAR a; ULONG b; };
#include <poppack.h>
struct probe_natural { UCHAR a; ULONG b; };
SA(sizeof(struct probe_packed) == 7 && sizeof(struct probe_packed2) == 6);
SA(sizeof(struct probe_packed1_again) == 5 && sizeof(struct probe_natural) == 8);

static int failures;
#define CHECK(e) do { if (!(e)) { printf("    probe: %s is false\n", #e); failures++; } } while (0)

int main(void)
{
	static UCHAR page[8192] __attribute__((aligned(4096)));
	MDL mdl;
	PVOID va = NULL;
	ULONG len = 0, off = 0;
	NDIS_PHYSICAL_ADDRESS pa;
	ULONG reg32 = 0x11223344, val32 = 0;
	USHORT reg16 = 0, val16 = 0;

	NdisZeroMemory(&mdl, sizeof(mdl));
	mdl.StartVa = page;
	mdl.ByteOffset = 0x123;
	mdl.ByteCount = 1000;
	mdl.MappedSystemVa = page + 0x123;
	mdl.MdlFlags = MDL_SOURCE_IS_NONPAGED_POOL;

	CHECK(MmGetMdlVirtualAddress(&mdl) == (PVOID)(page + 0x123));
	CHECK(MmGetMdlByteCount(&mdl) == 1000 && MmGetMdlByteOffset(&mdl) == 0x123);
	CHECK(MmGetSystemAddressForMdlSafe(&mdl, NormalPagePriority | MdlMappingNoExecute) == page + 0x123);
	NdisQueryMdl(&mdl, &va, &len, NormalPagePriority);
	CHECK(va == page + 0x123 && len == 1000);
	NdisQueryMdl(&mdl, NULL, &len, NormalPagePriority);	/* VA is optional */
	NdisQueryMdlOffset(&mdl, &off, &len);
	CHECK(off == 0x123 && len == 1000);
	CHECK(NDIS_BUFFER_LINKAGE(&mdl) == NULL);
	mdl.MdlFlags = 0;	/* not mapped: the Safe variant reports failure */
	CHECK(MmGetSystemAddressForMdlSafe(&mdl, NormalPagePriority) == NULL);
	/* Locked and mapped user buffer: StartVa is the user-context address,
	 * the system address is MappedSystemVa. */
	mdl.StartVa = (PVOID)(ULONG_PTR)0x7ffe0000000ULL;
	mdl.MdlFlags = MDL_MAPPED_TO_SYSTEM_VA | MDL_PAGES_LOCKED;
	CHECK(MmGetMdlVirtualAddress(&mdl) == (PVOID)(ULONG_PTR)(0x7ffe0000000ULL + 0x123));
	CHECK(MmGetSystemAddressForMdlSafe(&mdl, NormalPagePriority) == page + 0x123);
	NdisQueryBuffer(&mdl, &va, &len);
	CHECK(va == page + 0x123 && len == 1000);
	/* MmInitializeMdl leaves it unbuilt; MmBuildMdlForNonPagedPool maps it. */
	MmInitializeMdl(&mdl, page + 0x1010, 100);
	CHECK(mdl.StartVa == page + 0x1000 && mdl.ByteOffset == 0x10 && mdl.ByteCount == 100);
	CHECK(mdl.MdlFlags == 0 && mdl.Next == NULL);
	CHECK(MmGetSystemAddressForMdlSafe(&mdl, NormalPagePriority) == NULL);
	MmBuildMdlForNonPagedPool(&mdl);
	CHECK(mdl.MdlFlags == MDL_SOURCE_IS_NONPAGED_POOL && mdl.MappedSystemVa == page + 0x1010);
	CHECK(MmGetSystemAddressForMdlSafe(&mdl, NormalPagePriority) == page + 0x1010);

	pa.QuadPart = 0x0000000123456789LL;
	CHECK(NdisGetPhysicalAddressLow(pa) == 0x23456789u && NdisGetPhysicalAddressHigh(pa) == 1);
	NdisSetPhysicalAddressHigh(pa, 2);
	NdisSetPhysicalAddressLow(pa, 0x10);
	CHECK(pa.QuadPart == 0x0000000200000010LL && pa.u.LowPart == 0x10);

	NdisReadRegisterUlong(&reg32, &val32);
	NdisWriteRegisterUshort(&reg16, 0xBEEF);
	NdisReadRegisterUshort(&reg16, &val16);
	CHECK(val32 == 0x11223344u && val16 == 0xBEEF);

	CHECK(NdisEqualMemory(page, page + 4096, 16));
	NdisFillMemory(page, 4, 0xAB);
	CHECK(page[3] == 0xAB && !NdisEqualMemory(page, page + 4096, 4));

	/*
	 * Interlocked results as the wdm.h pages document them:
	 * InterlockedIncrement/Decrement "return the incremented/decremented
	 * value", InterlockedAdd "the result", InterlockedExchange "the value
	 * of the variable at Target when the call occurred",
	 * InterlockedExchangeAdd "the initial value of the Addend",
	 * InterlockedCompareExchange "the initial value of Destination",
	 * InterlockedAnd/Or/Xor "the original value".
	 */
	{
		volatile LONG l = 5;
		volatile LONG64 q = 0x100000000LL;
		PVOID volatile p = NULL;
		int dummy;

		CHECK(InterlockedIncrement(&l) == 6 && l == 6);
		CHECK(InterlockedDecrement(&l) == 5 && l == 5);
		CHECK(InterlockedAdd(&l, 10) == 15 && l == 15);
		CHECK(InterlockedExchange(&l, 7) == 15 && l == 7);
		CHECK(InterlockedExchangeAdd(&l, 3) == 7 && l == 10);
		CHECK(InterlockedCompareExchange(&l, 20, 9) == 10 && l == 10);	/* no match */
		CHECK(InterlockedCompareExchange(&l, 20, 10) == 10 && l == 20);	/* match */
		CHECK(InterlockedAnd(&l, 0x14) == 20 && l == 0x14);
		CHECK(InterlockedOr(&l, 0x3) == 0x14 && l == 0x17);
		CHECK(InterlockedXor(&l, 0x1) == 0x17 && l == 0x16);
		l = 0x7fffffff;
		CHECK(InterlockedIncrement(&l) == (LONG)0x80000000u);	/* wraps like Windows */
		CHECK(_InterlockedExchange(&l, 1) == (LONG)0x80000000u && _InterlockedDecrement(&l) == 0);
		CHECK(InterlockedIncrement64(&q) == 0x100000001LL);
		CHECK(InterlockedExchangeAdd64(&q, 0x100000000LL) == 0x100000001LL && q == 0x200000001LL);
		CHECK(InterlockedCompareExchange64(&q, 1, 0x200000001LL) == 0x200000001LL && q == 1);
		CHECK(InterlockedExchangePointer(&p, &dummy) == NULL && p == &dummy);
		CHECK(InterlockedCompareExchangePointer(&p, NULL, (PVOID)&l) == &dummy && p == &dummy);
		CHECK(InterlockedCompareExchangePointer(&p, NULL, &dummy) == &dummy && p == NULL);
		CHECK(KeGetCurrentIrql() == PASSIVE_LEVEL);	/* host: plain thread */
	}

	return failures ? 1 : 0;
}
EOF
if "$CC0" "${CFLAGS[@]}" -o "$TMP/probe" "$TMP/probe.c" >"$TMP/log" 2>&1; then
	ok "$CC0/probe/compile"
	expect_ok "probe/run" "$TMP/probe"
else
	bad "$CC0/probe/compile"
	sed 's/^/    /' "$TMP/log"
	skp "probe/run" "probe did not compile"
fi

# --- Negative: what Windows' ndis.h rejects, and wrong handler signatures.
NEG=(-DNDIS_MINIPORT_DRIVER=1 -fsyntax-only)
expect_fail "negative/no_contract_version" "Define the contract" \
	"$CC0" "${CFLAGS[@]}" "${NEG[@]}" "$TMP/alone.c"
expect_fail "negative/ndis640_unsupported" "6.0 - 6.30" \
	"$CC0" "${CFLAGS[@]}" "${NEG[@]}" -DNDIS640_MINIPORT=1 "$TMP/alone.c"
expect_fail "negative/redefine_reserved_macro" "re-defining" \
	"$CC0" "${CFLAGS[@]}" "${NEG[@]}" -DNDIS620_MINIPORT=1 -DNDIS_MINIPORT_MAJOR_VERSION=6 "$TMP/alone.c"

# An NDIS 5 style ISR must not fit the NDIS 6 interrupt characteristics.
cat >"$TMP/old_isr.c" <<'EOF'
#include <ndis.h>
static VOID OldIsr(PBOOLEAN Recognized, PBOOLEAN QueueDpc, NDIS_HANDLE Ctx)
{ (void)Recognized; (void)QueueDpc; (void)Ctx; }
void f(PNDIS_MINIPORT_INTERRUPT_CHARACTERISTICS c) { c->InterruptHandler = OldIsr; }
EOF
expect_fail "negative/ndis5_isr_signature" "incompatible" \
	"$CC0" "${CFLAGS[@]}" "${NEG[@]}" -DNDIS620_MINIPORT=1 "$TMP/old_isr.c"

# The DMA macros take exactly six arguments, like Windows'.
cat >"$TMP/dma_args.c" <<'EOF'
#include <ndis.h>
void f(NDIS_HANDLE h, PMDL m) { NDIS_STATUS s; NdisMSetupDmaTransfer(&s, h, m, 0, 64); }
EOF
expect_fail "negative/setup_dma_five_args" "macro" \
	"$CC0" "${CFLAGS[@]}" "${NEG[@]}" -DNDIS620_MINIPORT=1 "$TMP/dma_args.c"

# A 5.0 miniport has the 5.0 characteristics: no CancelSendPacketsHandler
# (added in 5.1), so "both defined means 5.1" is not "always 5.1".
cat >"$TMP/ndis50_chars.c" <<'EOF'
#include <ndis.h>
void f(PNDIS_MINIPORT_CHARACTERISTICS c) { c->CancelSendPacketsHandler = NULL; }
EOF
expect_fail "negative/ndis50_no_cancel_send_packets" "CancelSendPacketsHandler" \
	"$CC0" "${CFLAGS[@]}" "${NEG[@]}" -DNDIS50_MINIPORT=1 "$TMP/ndis50_chars.c"

# NDIS_LEGACY_MINIPORT is the WDK's: 0 for a 6.x miniport.
cat >"$TMP/legacy6.c" <<'EOF'
#include <ndis.h>
C_ASSERT(NDIS_LEGACY_MINIPORT);
EOF
expect_fail "negative/ndis630_not_legacy" "NDIS_LEGACY_MINIPORT" \
	"$CC0" "${CFLAGS[@]}" "${NEG[@]}" -DNDIS630_MINIPORT=1 "$TMP/legacy6.c"

# A 6.0 miniport has no DirectOidRequestHandler (added in 6.1).
cat >"$TMP/direct_oid.c" <<'EOF'
#include <ndis.h>
void f(PNDIS_MINIPORT_DRIVER_CHARACTERISTICS c) { c->DirectOidRequestHandler = NULL; }
EOF
expect_fail "negative/ndis60_no_direct_oid" "DirectOidRequestHandler" \
	"$CC0" "${CFLAGS[@]}" "${NEG[@]}" -DNDIS60_MINIPORT=1 "$TMP/direct_oid.c"

echo
if [ "$fail" -eq 0 ]; then
	printf 'test result: ok. %d passed; %d failed; %d skipped\n' "$pass" "$fail" "$skip"
	exit 0
fi
printf 'test result: FAILED. %d passed; %d failed; %d skipped\n' "$pass" "$fail" "$skip"
exit 1
