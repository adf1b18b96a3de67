/* SPDX-License-Identifier: GPL-2.0 */
/*++

Module Name:

    edu.h

Abstract:

    Shared between the Windows-side miniport (miniport.c) and its Linux glue
    (edu_linux.c): the register map of QEMU's "edu" device and the adapter
    context the miniport hands to NdisMSetMiniportAttributes.  The shim
    passes that context to the glue's DMA controller callbacks, which is why
    the glue needs to know its layout.  The sample's test interface
    (tools/testing/edu-test/edu_c_test.c, linked into the module) drives
    the miniport operations declared here.

    Only Windows types appear here, so the miniport can include it as it
    would on Windows; the Linux-only members are opaque PVOIDs.

--*/

#ifndef _EDU_H_
#define _EDU_H_

/* ---- edu registers (BAR0, 1 MiB MMIO) ---- */

#define EDU_REG_ID              0x00	/* RO: 0x010000ED */
#define EDU_REG_INTR_STATUS     0x24	/* RO: raised interrupt bits */
#define EDU_REG_INTR_RAISE      0x60	/* WO */
#define EDU_REG_INTR_ACK        0x64	/* WO: clears the written bits */
#define EDU_REG_DMA_SRC         0x80	/* 64-bit */
#define EDU_REG_DMA_DST         0x88	/* 64-bit */
#define EDU_REG_DMA_CNT         0x90	/* 64-bit */
#define EDU_REG_DMA_CMD         0x98

#define EDU_ID_VALUE            0x010000EDUL
#define EDU_PCI_VENDOR_ID       0x1234
#define EDU_PCI_DEVICE_ID       0x11E8

#define EDU_DMA_CMD_RUN         0x1	/* set to start; clears when done */
#define EDU_DMA_CMD_FROM_DEVICE 0x2	/* 0: RAM -> device, 1: device -> RAM */
#define EDU_DMA_CMD_IRQ         0x4	/* raise EDU_INTR_DMA when done */

#define EDU_INTR_FACTORIAL      0x001
#define EDU_INTR_DMA            0x100

/* The device's own 4 KiB buffer, at this device-side address. */
#define EDU_BUFFER_DEVICE_ADDRESS 0x40000
#define EDU_BUFFER_SIZE           4096

/* MaximumLength of the system-DMA channel: edu cannot move more. */
#define EDU_DMA_MAXIMUM_LENGTH    EDU_BUFFER_SIZE

#define EDU_POOL_TAG 'udEN'

/* A transfer as NdisMSetupDmaTransfer was given it; Complete must match. */
typedef struct _EDU_TRANSFER {
	PMDL Mdl;
	ULONG Offset;
	ULONG Length;
	BOOLEAN WriteToDevice;
} EDU_TRANSFER, *PEDU_TRANSFER;

typedef struct _EDU_ADAPTER {
	NDIS_HANDLE MiniportAdapterHandle;
	NDIS_HANDLE InterruptHandle;
	NDIS_HANDLE DmaHandle;

	PUCHAR RegisterBase;			/* from NdisMMapIoSpace */
	ULONG RegisterLength;
	NDIS_PHYSICAL_ADDRESS RegisterPhysical;	/* BAR0, from AllocatedResources */

	/*
	 * Protects the transfer bookkeeping below against the DPC.  Never
	 * taken by the ISR (which only touches registers).
	 */
	NDIS_SPIN_LOCK Lock;

	/*
	 * The edu-buffer offset the next transfer uses.  The shim's Setup
	 * hands the controller only a bus address and a length; which end of
	 * the transfer is inside the device is edu's business, so the
	 * miniport sets this before calling NdisMSetupDmaTransfer and the
	 * glue's Start reads it (under the shim's channel lock).
	 */
	ULONG DeviceOffset;

	/*
	 * The transfer the DPC is to complete.  InFlight: recorded before
	 * Setup; Armed: Setup succeeded, so an interrupt now belongs to it.
	 * Whoever clears InFlight (DPC, an early Complete, halt) owns the
	 * NdisMCompleteDmaTransfer call for it.
	 */
	BOOLEAN InFlight;
	BOOLEAN Armed;
	BOOLEAN Done;
	EDU_TRANSFER Transfer;
	NDIS_STATUS CompleteStatus;

	/*
	 * Transfers the DPC is still to chain after the current one (same
	 * buffer, same direction), set up from the DPC at DISPATCH_LEVEL as
	 * a miniport's receive path would.  Halt sets it to 0 first.
	 */
	ULONG Repeat;
	NDIS_STATUS RepeatStatus;	/* first failed chained Setup */

	ULONG DmaInterrupts;	/* DPCs that completed a transfer */
	ULONG StrayDpcs;	/* DPCs that found nothing armed */

	/*
	 * Bus-master DMA: what NdisMAllocateSharedMemory and
	 * NdisMGetDmaAlignment gave before the adapter declared itself a bus
	 * master (both must fail: there is no DMA adapter yet).
	 */
	BOOLEAN SharedBeforeBusMaster;	/* a VA came back */
	ULONG AlignmentBeforeBusMaster;
	/*
	 * NdisMAllocateSharedMemoryAsyncEx's results, as
	 * MiniportSharedMemoryAllocateComplete delivered them (under Lock).
	 */
	struct _EDU_ASYNC_BLOCK {
		PVOID VirtualAddress;
		NDIS_PHYSICAL_ADDRESS PhysicalAddress;
		ULONG Length;
		BOOLEAN PhysicalAddressNull;
		BOOLEAN Completed;
	} AsyncBlocks[3];
	/* NDIS 6 scatter-gather DMA (sg.c): edu is also a bus master. */
	NDIS_HANDLE SgDmaHandle;
	ULONG SgListSize;		/* ScatterGatherListSize */

	/* ---- Linux glue only (edu_linux.c) ---- */
	BOOLEAN BusMasterFenced;	/* under the shim's channel lock */
	/*
	 * Residue bookkeeping, under the shim's channel lock.  Unmoved: bytes
	 * of the current transfer the engine was not programmed to move;
	 * StoppedResidue: what the last stopped transfer left unmoved.
	 * ShortBy is a test hook (set before Setup, consumed by the next
	 * Start): that transfer moves ShortBy bytes less than its Length, as
	 * a receive of a frame shorter than the buffer would.
	 */
	ULONG Unmoved;
	ULONG StoppedResidue;
	ULONG ShortBy;
	/*
	 * The bus address of the last byte of the highest transfer the engine
	 * was given since the test interface cleared it (under the shim's
	 * channel lock): a 24-bit channel's must lie below 16 MiB.
	 */
	ULONG64 HighestBusAddress;
	PVOID LinuxDevice;		/* struct pci_dev *, from the shim */
	PVOID LinuxPrivate;		/* the test interface's state */
} EDU_ADAPTER, *PEDU_ADAPTER;

/* ---- Miniport operations the test interface drives (miniport.c) ---- */

NDIS_STATUS
EduStartTransfer(
	_In_ PEDU_ADAPTER Adapter,
	_In_ PMDL Mdl,
	_In_ ULONG MdlOffset,
	_In_ ULONG DeviceOffset,
	_In_ ULONG Length,
	_In_ BOOLEAN WriteToDevice,
	_In_ BOOLEAN HoldSpinLock);

NDIS_STATUS
EduWaitTransfer(
	_In_ PEDU_ADAPTER Adapter,
	_In_ ULONG TimeoutMs,
	_Out_ PNDIS_STATUS CompleteStatus);

NDIS_STATUS
EduCompleteNow(
	_In_ PEDU_ADAPTER Adapter);

VOID
EduSetRepeat(
	_In_ PEDU_ADAPTER Adapter,
	_In_ ULONG Repeat);

BOOLEAN
EduTransferPending(
	_In_ PEDU_ADAPTER Adapter);

ULONG
EduReadCounter(
	_In_ PEDU_ADAPTER Adapter);

/*
 * A transmit descriptor as a NIC would read it from a ring in shared
 * memory; the payload follows it in the same block.
 */
typedef struct _EDU_DESCRIPTOR {
	ULONG64 BufferAddress;	/* device address of the payload */
	ULONG Length;		/* payload bytes */
	ULONG Flags;
	ULONG Sequence;
	ULONG Checksum;		/* byte sum of the payload */
} EDU_DESCRIPTOR, *PEDU_DESCRIPTOR;

#define EDU_DESCRIPTOR_OWNED_BY_DEVICE 0x80000000

/* What EduSharedMemoryRoundtrip found, for the test interface. */
typedef struct _EDU_SHARED_RESULT {
	NDIS_STATUS Status;	/* SUCCESS: data verified */
	PCSTR What;		/* the failing step, or "ok" */
	NDIS_PHYSICAL_ADDRESS TxAddress;
	NDIS_PHYSICAL_ADDRESS RxAddress;
	PVOID TxVa;
	PVOID RxVa;
	ULONG Mismatch;		/* first differing byte of the copy, or ~0 */
} EDU_SHARED_RESULT, *PEDU_SHARED_RESULT;

/*
 * Fills a descriptor and payload in one shared-memory block, has edu copy
 * them into its buffer at DeviceOffset and back into another block at
 * RxOffset, and compares.  PASSIVE_LEVEL.
 */
VOID
EduSharedMemoryRoundtrip(
	_In_ PEDU_ADAPTER Adapter,
	_In_ ULONG DeviceOffset,
	_In_ ULONG PayloadLength,
	_In_ ULONG RxOffset,
	_In_ BOOLEAN Cached,
	_Out_ PEDU_SHARED_RESULT Result);

#define EDU_MISUSE_MAX_ROWS 40

typedef struct _EDU_MISUSE_ROW {
	PCSTR Name;
	NDIS_STATUS Status;
} EDU_MISUSE_ROW, *PEDU_MISUSE_ROW;

ULONG
EduRunMisuse(
	_In_ PEDU_ADAPTER Adapter,
	_Out_writes_(EDU_MISUSE_MAX_ROWS) PEDU_MISUSE_ROW Rows);

/*
 * A 24-bit system-DMA channel's round trip, what a subordinate ISA NIC
 * does: registers a second channel with Dma32BitAddresses FALSE (its map
 * registers below 16 MiB), moves Length bytes at MdlOffset of ToDeviceMdl
 * into edu's buffer at DeviceOffset and back into FromDeviceMdl at the
 * same offset, each transfer polled to its end (NdisMReadDmaCounter) and
 * completed by hand, and deregisters the channel.  The adapter's own
 * channel must be idle.  Statuses not reached stay NDIS_STATUS_PENDING;
 * Finished FALSE: an engine did not finish in time (the buffers may have
 * been reached late: keep them until halt).  PASSIVE_LEVEL.
 */
typedef struct _EDU_24BIT_RESULT {
	NDIS_STATUS Register;
	NDIS_STATUS Setup[2];		/* host-to-device, device-to-host */
	NDIS_STATUS Complete[2];
	BOOLEAN Finished;
} EDU_24BIT_RESULT, *PEDU_24BIT_RESULT;

VOID
EduRoundtrip24Bit(
	_In_ PEDU_ADAPTER Adapter,
	_In_ PMDL ToDeviceMdl,
	_In_ PMDL FromDeviceMdl,
	_In_ ULONG MdlOffset,
	_In_ ULONG DeviceOffset,
	_In_ ULONG Length,
	_Out_ PEDU_24BIT_RESULT Result);

/* Shared memory used wrongly; each row's Status is the observed value. */
ULONG
EduRunSharedMemoryMisuse(
	_In_ PEDU_ADAPTER Adapter,
	_Out_writes_(EDU_MISUSE_MAX_ROWS) PEDU_MISUSE_ROW Rows);

/*
 * The adapter as a subordinate-DMA NIC: registration attributes without
 * NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER, so its DMA adapter is the
 * system-DMA channel; shared memory allocated and freed; the bus-master
 * declaration restored.
 */
ULONG
EduSharedMemorySubordinate(
	_In_ PEDU_ADAPTER Adapter,
	_Out_writes_(EDU_MISUSE_MAX_ROWS) PEDU_MISUSE_ROW Rows);

/* NdisMAllocateSharedMemoryAsyncEx's completion (sg.c registers it). */
MINIPORT_ALLOCATE_SHARED_MEM_COMPLETE EduSharedMemAllocateComplete;

/* Frees shared memory under an NDIS spin lock (DISPATCH_LEVEL). */
ULONG
EduSharedMemoryFreeAtDispatch(
	_In_ PEDU_ADAPTER Adapter,
	_Out_writes_(EDU_MISUSE_MAX_ROWS) PEDU_MISUSE_ROW Rows);

/* Allocates Count blocks and never frees them: halt must. */
ULONG
EduSharedMemoryForget(
	_In_ PEDU_ADAPTER Adapter,
	_In_ ULONG Count);

/* ---- Scatter-gather DMA (sg.c) ---- */

/*
 * What ProcessSGList hands back to the path that asked for the list: the
 * Context of NdisMAllocateNetBufferSGList.
 */
typedef struct _EDU_SG_REQUEST {
	PSCATTER_GATHER_LIST List;
	ULONG Calls;
	ULONG CallsAtDispatch;
} EDU_SG_REQUEST, *PEDU_SG_REQUEST;

/* Registers for SG DMA, MaximumPhysicalMapping = edu's 4 KiB buffer. */
NDIS_STATUS
EduSgRegister(
	_In_ PEDU_ADAPTER Adapter);

VOID
EduSgDeregister(
	_In_ PEDU_ADAPTER Adapter);

/*
 * Moves a NET_BUFFER (at most 4 KiB) to or from edu's buffer, element by
 * element at consecutive offsets, and frees the list.  PASSIVE_LEVEL.
 * NDIS_STATUS_REQUEST_ABORTED: the engine did not finish; the list stays
 * mapped and the buffers must be kept until halt.  *Elements: elements
 * moved; *OwnList: the list is not in the buffer the driver gave;
 * *AtDispatch: ProcessSGList ran at DISPATCH_LEVEL.
 */
NDIS_STATUS
EduSgTransfer(
	_In_ PEDU_ADAPTER Adapter,
	_In_ PNET_BUFFER NetBuffer,
	_In_ BOOLEAN WriteToDevice,
	_Out_ PULONG Elements,
	_Out_ PBOOLEAN OwnList,
	_Out_ PBOOLEAN AtDispatch);

/*
 * A send ring's worth of lists held at once: the lists of all Count
 * Sources are asked for before any is freed and each is moved to edu's
 * buffer at i * Stride; then, the sources' lists still held, those of all
 * Count Destinations, each moved back from i * Stride; then all are freed.
 * PASSIVE_LEVEL.  *Outstanding: lists held at the end; *AtDispatch:
 * ProcessSGList calls made at DISPATCH_LEVEL.  As EduSgTransfer for
 * NDIS_STATUS_REQUEST_ABORTED.
 */
NDIS_STATUS
EduSgTransferRing(
	_In_ PEDU_ADAPTER Adapter,
	_In_reads_(Count) PNET_BUFFER *Sources,
	_In_reads_(Count) PNET_BUFFER *Destinations,
	_In_ ULONG Count,
	_In_ ULONG Stride,
	_Out_ PULONG Outstanding,
	_Out_ PULONG AtDispatch);

ULONG
EduSgRunMisuse(
	_In_ PEDU_ADAPTER Adapter,
	_Out_writes_(EDU_MISUSE_MAX_ROWS) PEDU_MISUSE_ROW Rows);

/*
 * ---- Platform hooks (edu_linux.c) ----
 * Where a Windows miniport would create its control device object
 * (NdisRegisterDeviceEx) for a test tool to open, the Linux build creates
 * its debugfs files (through the test interface's hooks).  Called at
 * PASSIVE_LEVEL.
 */

/*
 * After the registers are mapped, before the DMA channel is registered
 * (the glue's DMA controller needs the device): the test interface's
 * state, nothing a test tool can open yet.
 */
NDIS_STATUS
EduPlatformAdapterStart(
	_In_ PEDU_ADAPTER Adapter);

/*
 * Last thing in a successful initialize, where a Windows miniport calls
 * NdisRegisterDeviceEx: the test interface appears with the adapter ready.
 */
VOID
EduPlatformAdapterReady(
	_In_ PEDU_ADAPTER Adapter);

/* First thing in halt: no new test commands after this returns. */
VOID
EduPlatformAdapterStop(
	_In_ PEDU_ADAPTER Adapter);

/*
 * Before the miniport programs edu's engine itself (bus-master DMA): lifts
 * a fence the glue's controller left on an idle engine.  FALSE when the
 * engine is busy or fenced.  Called with the adapter's lock held.
 */
BOOLEAN
EduPlatformEngineReady(
	_In_ PEDU_ADAPTER Adapter);

/* After the DMA channel is deregistered: test buffers may be freed. */
VOID
EduPlatformAdapterHalted(
	_In_ PEDU_ADAPTER Adapter);

/*
 * Whether the caller runs at DISPATCH_LEVEL or above, where no DPC can
 * preempt it: what KeGetCurrentIrql() >= DISPATCH_LEVEL tells a Windows
 * driver.  Any IRQL.
 */
BOOLEAN
EduPlatformAtDispatch(VOID);

#endif /* _EDU_H_ */
