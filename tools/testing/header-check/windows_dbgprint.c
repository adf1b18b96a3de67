// SPDX-License-Identifier: GPL-2.0
/*
 * Windows-style debug output and NDIS 5 memory calls, as a Windows miniport
 * writes them: "%lx" for a ULONG, "%I64x" for a ULONGLONG, "%Iu" for a
 * SIZE_T, "%ws"/"%wZ" for wide strings. With -Wall -Wextra -Werror this
 * must compile without one format warning: DbgPrint follows Windows'
 * rules, not Linux's, so ndis.h gives it no format attribute (Linux's
 * would reject every line below). Compiled, never run; free and checked
 * (KdPrint compiled away, and to DbgPrint).
 *
 * NDIS-CHECK-CONTRACTS: 51 51+DBG 630 630+DBG
 */
#include <ndis.h>

#define SAMPLE_TAG 'pDbS'

static NDIS_STRING SampleName = {
	.Length = 2 * sizeof(WCHAR),
	.MaximumLength = 3 * sizeof(WCHAR),
	.Buffer = (PWSTR)L"ok",
};

VOID SampleDebugOutput(ULONG Register, LONG Delta, ULONGLONG Tsc, SIZE_T Bytes,
		       PCWSTR Port, PANSI_STRING Vendor, PVOID Ring);
NDIS_STATUS SampleMemory(PNDIS_BUFFER *Chain);

VOID SampleDebugOutput(ULONG Register, LONG Delta, ULONGLONG Tsc, SIZE_T Bytes,
		       PCWSTR Port, PANSI_STRING Vendor, PVOID Ring)
{
	DbgPrint("%lx %ld %I64x %Iu %ws %wZ\n", Register, Delta, Tsc, Bytes,
		 Port, &SampleName);
	DbgPrint("%08lX %lu %I64d %llu %S %C %Z %p\n", Register, Register,
		 (LONGLONG)Tsc, Tsc, Port, (WCHAR)L'x', Vendor, Ring);
	DbgPrintEx(DPFLTR_IHVNETWORK_ID, DPFLTR_ERROR_LEVEL,
		   "sample: %I32u %hu %Id\n", Register, (USHORT)Register,
		   (LONG_PTR)Delta);
	KdPrint(("sample: %lx\n", Register));
	KdPrintEx((DPFLTR_IHVNETWORK_ID, DPFLTR_INFO_LEVEL, "%ws\n", Port));
}

NDIS_STATUS SampleMemory(PNDIS_BUFFER *Chain)
{
	NDIS_PHYSICAL_ADDRESS Highest = NDIS_PHYSICAL_ADDRESS_CONST(-1, -1);
	NDIS_HANDLE Pool;
	PNDIS_BUFFER Buffer, Next;
	NDIS_STATUS Status;
	PVOID Block, Ring, Va;
	UINT Length;

	Status = NdisAllocateMemoryWithTag(&Block, 256, SAMPLE_TAG);
	if (Status != NDIS_STATUS_SUCCESS)
		return Status;
	Status = NdisAllocateMemory(&Ring, 4096,
				    NDIS_MEMORY_CONTIGUOUS | NDIS_MEMORY_NONCACHED,
				    Highest);
	if (Status != NDIS_STATUS_SUCCESS) {
		NdisFreeMemory(Block, 256, 0);
		return Status;
	}
	NdisAllocateBufferPool(&Status, &Pool, 4);
	NdisAllocateBuffer(&Status, &Buffer, Pool, Block, 256);
	if (Status == NDIS_STATUS_SUCCESS) {
		NdisQueryBuffer(Buffer, &Va, &Length);
		NdisQueryBufferSafe(Buffer, &Va, &Length, NormalPagePriority);
		NdisGetNextBuffer(Buffer, &Next);
		*Chain = Next ? Next : Buffer;
		Length = NdisBufferLength(Buffer);
		Va = NdisBufferVirtualAddressSafe(Buffer, HighPagePriority);
		UNREFERENCED_PARAMETER(Va);
		UNREFERENCED_PARAMETER(Length);
		NdisFreeBuffer(Buffer);
	}
	NdisFreeBufferPool(Pool);
	NdisFreeMemory(Ring, 4096, NDIS_MEMORY_CONTIGUOUS | NDIS_MEMORY_NONCACHED);
	NdisFreeMemory(Block, 256, 0);
	return Status;
}
