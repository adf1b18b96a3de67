/* SPDX-License-Identifier: GPL-2.0 */
/*++

Module Name:

    edu5.h

Abstract:

    The NDIS 5.1 edu miniport's adapter context, shared between the
    Windows-side miniport (miniport.c), its Linux glue (edu5_linux.c) and
    the sample's test interface (tools/testing/edu-test/edu5_test.c,
    linked into the module).  edu's register map is the NDIS 6 sample's
    (edu.h).

--*/

#ifndef _EDU5_H_
#define _EDU5_H_

#include "edu.h"

/* Map registers: one buffer each, at most edu's buffer long. */
#define EDU5_MAP_REGISTERS        4
#define EDU5_MAXIMUM_MAPPING      EDU_BUFFER_SIZE
/* Entries of one physical mapping: a buffer spans at most this many pages
 * (NdisGetBufferPhysicalArraySize). */
#define EDU5_MAX_PHYSICAL_UNITS   (EDU5_MAXIMUM_MAPPING / 4096 + 1)

/*
 * A block of shared memory asked for with NdisMAllocateSharedMemoryAsync,
 * as MiniportAllocateComplete delivered it (under the adapter's Lock).
 */
typedef struct _EDU5_SHARED_BLOCK {
	PVOID VirtualAddress;
	NDIS_PHYSICAL_ADDRESS PhysicalAddress;
	ULONG Length;
	BOOLEAN PhysicalAddressNull;	/* the handler was given NULL */
	BOOLEAN Completed;
} EDU5_SHARED_BLOCK, *PEDU5_SHARED_BLOCK;

typedef struct _EDU5_ADAPTER {
	NDIS_HANDLE MiniportAdapterHandle;
	NDIS_SPIN_LOCK Lock;			/* guards the shared blocks */
	PUCHAR RegisterBase;			/* from NdisMMapIoSpace */
	ULONG RegisterLength;
	NDIS_PHYSICAL_ADDRESS RegisterPhysical;
	NDIS_DMA_SIZE DmaSize;			/* of the current map registers */
	BOOLEAN MapRegistersAllocated;
	PVOID LinuxPrivate;			/* the test interface's state */
} EDU5_ADAPTER, *PEDU5_ADAPTER;

/* ---- Miniport operations the test interface drives ---- */

/*
 * Moves Buffer to (WriteToDevice) or from edu's buffer at DeviceOffset
 * through map register MapRegister: one edu DMA per physical-mapping entry.
 * *Entries receives the mapping's entry count (0: the shim refused it).
 * NDIS_STATUS_DEVICE_FAILED: the engine did not finish; the buffer stays
 * mapped and must not be freed.
 */
NDIS_STATUS
Edu5TransferBuffer(
	_In_ PEDU5_ADAPTER Adapter,
	_In_ PNDIS_BUFFER Buffer,
	_In_ ULONG MapRegister,
	_In_ BOOLEAN WriteToDevice,
	_In_ ULONG DeviceOffset,
	_Out_ PUINT Entries);

/* Frees and reallocates the map registers with DmaSize (or as a non-bus
 * master when BusMaster is FALSE). */
NDIS_STATUS
Edu5ReallocateMapRegisters(
	_In_ PEDU5_ADAPTER Adapter,
	_In_ BOOLEAN BusMaster,
	_In_ NDIS_DMA_SIZE DmaSize);

/*
 * Asks for Length bytes of shared memory with NdisMAllocateSharedMemoryAsync
 * (returns its status); MiniportAllocateComplete fills Block later.
 */
NDIS_STATUS
Edu5AllocateSharedBlock(
	_In_ PEDU5_ADAPTER Adapter,
	_In_ ULONG Length,
	_Inout_ PEDU5_SHARED_BLOCK Block);

/* Whether MiniportAllocateComplete has delivered Block. */
BOOLEAN
Edu5SharedBlockCompleted(
	_In_ PEDU5_ADAPTER Adapter,
	_In_ PEDU5_SHARED_BLOCK Block);

/*
 * Moves Length bytes from Tx to edu's buffer and back into Rx, by their
 * device addresses (PASSIVE_LEVEL).
 */
NDIS_STATUS
Edu5SharedBlockRoundtrip(
	_In_ PEDU5_ADAPTER Adapter,
	_In_ PEDU5_SHARED_BLOCK Tx,
	_In_ PEDU5_SHARED_BLOCK Rx,
	_In_ ULONG Length);

/* ---- Platform hooks (edu5_linux.c), at PASSIVE_LEVEL ---- */

NDIS_STATUS
Edu5PlatformAdapterStart(
	_In_ PEDU5_ADAPTER Adapter);

VOID
Edu5PlatformAdapterStop(
	_In_ PEDU5_ADAPTER Adapter);

#endif /* _EDU5_H_ */
