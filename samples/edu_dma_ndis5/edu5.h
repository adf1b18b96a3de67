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

/* The timer's period when the configuration names none (ms). */
#define EDU5_DEFAULT_TIMER_PERIOD 50

typedef struct _EDU5_ADAPTER {
	NDIS_HANDLE MiniportAdapterHandle;

	/* Interrupts: NdisMRegisterInterrupt with MiniportISR. */
	NDIS_MINIPORT_INTERRUPT Interrupt;
	BOOLEAN InterruptRegistered;
	ULONG InterruptVector;			/* from the resource list */
	ULONG InterruptLevel;
	ULONG IsrStatus;			/* edu's status bits the ISR saw, taken by
						 * the DPC under NdisMSynchronizeWithInterrupt */
	LONG IsrCount;				/* interrupts recognized */
	LONG DpcCount;				/* MiniportHandleInterrupt runs */
	LONG DmaInterrupts;			/* DMA completions the DPC saw */
	LONG RaiseInterrupts;			/* raised ones the DPC saw */
	NDIS_EVENT InterruptEvent;		/* set by the DPC for a raised one */

	/* A periodic housekeeping timer, its period from the configuration. */
	NDIS_MINIPORT_TIMER Timer;
	ULONG TimerPeriod;			/* ms */
	NDIS_STATUS TimerPeriodStatus;		/* of NdisReadConfiguration */
	LONG TimerCount;			/* runs of the timer routine */
	LONG TimerTarget;			/* TimerEvent is set at this count */
	NDIS_EVENT TimerEvent;

	/* The function's identity, from NdisReadPciSlotInformation. */
	USHORT VendorId;
	USHORT DeviceId;
	ULONG PciBytesRead;

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

/*
 * Raises edu's interrupt (its "raise interrupt" register) and waits up to
 * TimeoutMs for MiniportHandleInterrupt to have seen it (PASSIVE_LEVEL).
 */
BOOLEAN
Edu5RaiseInterrupt(
	_In_ PEDU5_ADAPTER Adapter,
	_In_ ULONG TimeoutMs);

/*
 * Runs the timer Runs more times (periodic with the configured period, or
 * one-shot after Delay ms when Periodic is FALSE) and waits up to TimeoutMs
 * for them; the timer is cancelled before returning. Returns the
 * NdisWaitEvent result; *Cancelled gets NdisMCancelTimer's.
 */
BOOLEAN
Edu5RunTimer(
	_In_ PEDU5_ADAPTER Adapter,
	_In_ BOOLEAN Periodic,
	_In_ ULONG Delay,
	_In_ LONG Runs,
	_In_ ULONG TimeoutMs,
	_Out_ PBOOLEAN Cancelled);

/* ---- Platform hooks (edu5_linux.c), at PASSIVE_LEVEL ---- */

NDIS_STATUS
Edu5PlatformAdapterStart(
	_In_ PEDU5_ADAPTER Adapter);

VOID
Edu5PlatformAdapterStop(
	_In_ PEDU5_ADAPTER Adapter);

#endif /* _EDU5_H_ */
