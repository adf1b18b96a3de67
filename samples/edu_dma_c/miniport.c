// SPDX-License-Identifier: GPL-2.0
/*++

Module Name:

    miniport.c

Abstract:

    An NDIS 6.30 miniport for QEMU's "edu" device, written as it would be
    for Windows: DriverEntry registers the miniport, MiniportInitializeEx
    claims the adapter's resources, and the device's DMA engine is driven
    as a system (subordinate) DMA channel through NdisMSetupDmaTransfer /
    NdisMCompleteDmaTransfer / NdisMReadDmaCounter.  The miniport never
    sees a bus address: mapping the buffer is NDIS's job, programming the
    engine the HAL's (on Linux: the glue's DMA controller, edu_linux.c).

    edu is not a NIC, so the data-path handlers are stubs; they are
    registered anyway to show a complete miniport registers unchanged.

Environment:

    Kernel mode.  Built against ndis-shim's ndis.h.

--*/

#define NDIS_MINIPORT_DRIVER
#define NDIS630_MINIPORT

#include <ndis.h>
#include "edu.h"

#define EDU_MAJOR_DRIVER_VERSION 1
#define EDU_MINOR_DRIVER_VERSION 0

/* A page, for the shared-memory blocks of the tests. */
#define PAGE_SIZE_EDU 4096

/* The engine finishes in ~100 ms of virtual time; be generous under TCG. */
#define EDU_TRANSFER_TIMEOUT_MS 5000

MINIPORT_INITIALIZE MiniportInitializeEx;
MINIPORT_HALT MiniportHaltEx;
MINIPORT_UNLOAD MiniportDriverUnload;
MINIPORT_PAUSE MiniportPause;
MINIPORT_RESTART MiniportRestart;
MINIPORT_OID_REQUEST MiniportOidRequest;
MINIPORT_SEND_NET_BUFFER_LISTS MiniportSendNetBufferLists;
MINIPORT_RETURN_NET_BUFFER_LISTS MiniportReturnNetBufferLists;
MINIPORT_CANCEL_SEND MiniportCancelSend;
MINIPORT_SHUTDOWN MiniportShutdownEx;
MINIPORT_DEVICE_PNP_EVENT_NOTIFY MiniportDevicePnPEventNotify;
MINIPORT_CANCEL_OID_REQUEST MiniportCancelOidRequest;
MINIPORT_ISR MiniportInterrupt;
MINIPORT_INTERRUPT_DPC MiniportInterruptDPC;

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);

static NDIS_HANDLE EduDriverHandle;

/* ------------------------------------------------------------------------
 * Driver
 * ------------------------------------------------------------------------ */

NTSTATUS
DriverEntry(
	_In_ PDRIVER_OBJECT DriverObject,
	_In_ PUNICODE_STRING RegistryPath)
{
	NDIS_MINIPORT_DRIVER_CHARACTERISTICS Chars;
	NDIS_STATUS Status;

	NdisZeroMemory(&Chars, sizeof(Chars));
	Chars.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS;
	Chars.Header.Revision = NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
	Chars.Header.Size = NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
	Chars.MajorNdisVersion = NDIS_MINIPORT_MAJOR_VERSION;
	Chars.MinorNdisVersion = NDIS_MINIPORT_MINOR_VERSION;
	Chars.MajorDriverVersion = EDU_MAJOR_DRIVER_VERSION;
	Chars.MinorDriverVersion = EDU_MINOR_DRIVER_VERSION;

	Chars.InitializeHandlerEx = MiniportInitializeEx;
	Chars.HaltHandlerEx = MiniportHaltEx;
	Chars.UnloadHandler = MiniportDriverUnload;
	Chars.PauseHandler = MiniportPause;
	Chars.RestartHandler = MiniportRestart;
	Chars.OidRequestHandler = MiniportOidRequest;
	Chars.SendNetBufferListsHandler = MiniportSendNetBufferLists;
	Chars.ReturnNetBufferListsHandler = MiniportReturnNetBufferLists;
	Chars.CancelSendHandler = MiniportCancelSend;
	Chars.ShutdownHandlerEx = MiniportShutdownEx;
	Chars.DevicePnPEventNotifyHandler = MiniportDevicePnPEventNotify;
	Chars.CancelOidRequestHandler = MiniportCancelOidRequest;

	Status = NdisMRegisterMiniportDriver(DriverObject, RegistryPath,
					     NULL, &Chars, &EduDriverHandle);
	if (Status != NDIS_STATUS_SUCCESS)
		DbgPrint(KERN_ERR "edu_dma_c: NdisMRegisterMiniportDriver: 0x%08x\n",
			 (ULONG)Status);
	return Status;
}

VOID
MiniportDriverUnload(
	_In_ PDRIVER_OBJECT DriverObject)
{
	UNREFERENCED_PARAMETER(DriverObject);
	NdisMDeregisterMiniportDriver(EduDriverHandle);
}

/* ------------------------------------------------------------------------
 * Adapter
 * ------------------------------------------------------------------------ */

/* The first memory range in the translated resources: edu's BAR0. */
static BOOLEAN
EduFindRegisters(
	_In_ PNDIS_RESOURCE_LIST Resources,
	_Out_ PNDIS_PHYSICAL_ADDRESS Physical,
	_Out_ PULONG Length)
{
	ULONG i;

	if (Resources == NULL)
		return FALSE;
	for (i = 0; i < Resources->Count; i++) {
		PCM_PARTIAL_RESOURCE_DESCRIPTOR Desc = &Resources->PartialDescriptors[i];

		if (Desc->Type == CmResourceTypeMemory) {
			*Physical = Desc->u.Memory.Start;
			*Length = Desc->u.Memory.Length;
			return TRUE;
		}
	}
	return FALSE;
}

/*
 * NdisMSetMiniportAttributes with the adapter's registration attributes: a
 * PCI hardware device, and a bus master unless BusMaster is FALSE.
 */
static NDIS_STATUS
EduSetRegistrationAttributes(
	_In_ PEDU_ADAPTER Adapter,
	_In_ BOOLEAN BusMaster)
{
	NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES RegAttrs;

	NdisZeroMemory(&RegAttrs, sizeof(RegAttrs));
	RegAttrs.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;
	RegAttrs.Header.Revision = NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_2;
	RegAttrs.Header.Size = NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_2;
	RegAttrs.MiniportAdapterContext = (NDIS_HANDLE)Adapter;
	RegAttrs.AttributeFlags = NDIS_MINIPORT_ATTRIBUTES_HARDWARE_DEVICE |
				  (BusMaster ? NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER : 0);
	RegAttrs.CheckForHangTimeInSeconds = 0;
	RegAttrs.InterfaceType = NdisInterfacePci;
	return NdisMSetMiniportAttributes(Adapter->MiniportAdapterHandle,
					  (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&RegAttrs);
}

NDIS_STATUS
MiniportInitializeEx(
	_In_ NDIS_HANDLE MiniportAdapterHandle,
	_In_ NDIS_HANDLE MiniportDriverContext,
	_In_ PNDIS_MINIPORT_INIT_PARAMETERS MiniportInitParameters)
{
	NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS IntChars;
	NDIS_DMA_DESCRIPTION DmaDesc;
	PEDU_ADAPTER Adapter;
	NDIS_STATUS Status;
	ULONG Id;

	UNREFERENCED_PARAMETER(MiniportDriverContext);

	Adapter = NdisAllocateMemoryWithTagPriority(MiniportAdapterHandle,
						    sizeof(*Adapter), EDU_POOL_TAG,
						    NormalPoolPriority);
	if (Adapter == NULL)
		return NDIS_STATUS_RESOURCES;
	NdisZeroMemory(Adapter, sizeof(*Adapter));
	Adapter->MiniportAdapterHandle = MiniportAdapterHandle;
	NdisAllocateSpinLock(&Adapter->Lock);

	/*
	 * No DMA adapter yet: bus-master calls must fail until the
	 * registration attributes below declare the adapter a bus master.
	 */
	{
		NDIS_PHYSICAL_ADDRESS Pa;
		PVOID Va = NULL;

		NdisMAllocateSharedMemory(MiniportAdapterHandle, PAGE_SIZE_EDU, FALSE,
					  &Va, &Pa);
		Adapter->SharedBeforeBusMaster = Va != NULL;
		if (Va != NULL)
			NdisMFreeSharedMemory(MiniportAdapterHandle, PAGE_SIZE_EDU, FALSE,
					      Va, Pa);
		Adapter->AlignmentBeforeBusMaster =
			NdisMGetDmaAlignment(MiniportAdapterHandle);
	}

	/*
	 * Registration attributes first: from here on NDIS (and the glue's
	 * DMA controller) are handed this context.  edu masters the bus for
	 * its own engine: shared memory and scatter-gather (sg.c) need the
	 * flag.
	 */
	Status = EduSetRegistrationAttributes(Adapter, TRUE);
	if (Status != NDIS_STATUS_SUCCESS) {
		DbgPrint(KERN_ERR "edu_dma_c: NdisMSetMiniportAttributes: 0x%08x\n", (ULONG)Status);
		goto FreeAdapter;
	}

	/* The PCI IDs, read from config space as a Windows miniport does. */
	if (NdisMGetBusData(MiniportAdapterHandle, PCI_WHICHSPACE_CONFIG, 0,
			    &Id, sizeof(Id)) != sizeof(Id) ||
	    Id != ((ULONG)EDU_PCI_DEVICE_ID << 16 | EDU_PCI_VENDOR_ID)) {
		DbgPrint(KERN_ERR "edu_dma_c: not an edu device (PCI IDs 0x%08x)\n", Id);
		Status = NDIS_STATUS_ADAPTER_NOT_FOUND;
		goto FreeAdapter;
	}

	if (!EduFindRegisters(MiniportInitParameters->AllocatedResources,
			      &Adapter->RegisterPhysical, &Adapter->RegisterLength)) {
		Status = NDIS_STATUS_RESOURCE_CONFLICT;
		goto FreeAdapter;
	}
	Status = NdisMMapIoSpace((PVOID *)&Adapter->RegisterBase, MiniportAdapterHandle,
				 Adapter->RegisterPhysical, Adapter->RegisterLength);
	if (Status != NDIS_STATUS_SUCCESS) {
		DbgPrint(KERN_ERR "edu_dma_c: NdisMMapIoSpace: 0x%08x\n", (ULONG)Status);
		goto FreeAdapter;
	}

	/* Something else answering at 1234:11e8 is not ours to drive. */
	NdisReadRegisterUlong((PULONG)(Adapter->RegisterBase + EDU_REG_ID), &Id);
	if (Id != EDU_ID_VALUE) {
		DbgPrint(KERN_ERR "edu_dma_c: unexpected ID 0x%08x\n", Id);
		Status = NDIS_STATUS_ADAPTER_NOT_FOUND;
		goto Unmap;
	}
	/* Nothing of a previous driver's left over may reach our DPC. */
	NdisWriteRegisterUlong((PULONG)(Adapter->RegisterBase + EDU_REG_INTR_ACK),
			       0xFFFFFFFF);

	Status = EduPlatformAdapterStart(Adapter);
	if (Status != NDIS_STATUS_SUCCESS)
		goto Unmap;

	NdisZeroMemory(&IntChars, sizeof(IntChars));
	IntChars.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT;
	IntChars.Header.Revision = NDIS_MINIPORT_INTERRUPT_REVISION_1;
	IntChars.Header.Size = NDIS_SIZEOF_MINIPORT_INTERRUPT_CHARACTERISTICS_REVISION_1;
	IntChars.InterruptHandler = MiniportInterrupt;
	IntChars.InterruptDpcHandler = MiniportInterruptDPC;
	Status = NdisMRegisterInterruptEx(MiniportAdapterHandle, Adapter,
					  &IntChars, &Adapter->InterruptHandle);
	if (Status != NDIS_STATUS_SUCCESS) {
		DbgPrint(KERN_ERR "edu_dma_c: NdisMRegisterInterruptEx: 0x%08x\n", (ULONG)Status);
		goto PlatformStop;
	}

	/*
	 * One channel for the adapter's life: edu has one engine.  The
	 * description's 8237 fields mean nothing on PCI; a 32-bit width is
	 * what edu's engine moves.  Dma32BitAddresses TRUE: the channel may
	 * use 32-bit addresses, the glue narrows that to edu's 28 bits.
	 */
	NdisZeroMemory(&DmaDesc, sizeof(DmaDesc));
	DmaDesc.DemandMode = FALSE;
	DmaDesc.AutoInitialize = FALSE;
	DmaDesc.DmaChannelSpecified = FALSE;
	DmaDesc.DmaWidth = Width32Bits;
	DmaDesc.DmaSpeed = Compatible;
	DmaDesc.DmaPort = 0;
	DmaDesc.DmaChannel = 0;
	Status = NdisMRegisterDmaChannel(&Adapter->DmaHandle, MiniportAdapterHandle,
					 0, TRUE, &DmaDesc, EDU_DMA_MAXIMUM_LENGTH);
	if (Status != NDIS_STATUS_SUCCESS) {
		DbgPrint(KERN_ERR "edu_dma_c: NdisMRegisterDmaChannel: 0x%08x\n", (ULONG)Status);
		goto DeregisterInterrupt;
	}

	Status = EduSgRegister(Adapter);
	if (Status != NDIS_STATUS_SUCCESS) {
		DbgPrint(KERN_ERR "edu_dma_c: NdisMRegisterScatterGatherDma: 0x%08x\n", (ULONG)Status);
		goto DeregisterDma;
	}

	/* Ready: only now may a test tool reach the adapter. */
	EduPlatformAdapterReady(Adapter);
	return NDIS_STATUS_SUCCESS;

DeregisterDma:
	NdisMDeregisterDmaChannel(Adapter->DmaHandle);
DeregisterInterrupt:
	NdisMDeregisterInterruptEx(Adapter->InterruptHandle);
PlatformStop:
	EduPlatformAdapterStop(Adapter);
	EduPlatformAdapterHalted(Adapter);
Unmap:
	NdisMUnmapIoSpace(MiniportAdapterHandle, Adapter->RegisterBase,
			  Adapter->RegisterLength);
FreeAdapter:
	NdisFreeSpinLock(&Adapter->Lock);
	NdisFreeMemory(Adapter, sizeof(*Adapter), 0);
	return Status;
}

VOID
MiniportHaltEx(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ NDIS_HALT_ACTION HaltAction)
{
	PEDU_ADAPTER Adapter = (PEDU_ADAPTER)MiniportAdapterContext;
	BOOLEAN WasInFlight;
	ULONG Cmd;

	UNREFERENCED_PARAMETER(HaltAction);

	/* No new test commands; a running one has finished. */
	EduPlatformAdapterStop(Adapter);

	/*
	 * A transfer may still be in flight.  Take it away from the DPC and
	 * leave stopping the engine to NdisMDeregisterDmaChannel, which stops
	 * the channel and waits until the engine can no longer touch memory
	 * before the buffer below is freed.
	 */
	NdisAcquireSpinLock(&Adapter->Lock);
	Adapter->Repeat = 0;
	WasInFlight = Adapter->InFlight;
	Adapter->InFlight = FALSE;
	Adapter->Armed = FALSE;
	NdisReleaseSpinLock(&Adapter->Lock);

	if (WasInFlight) {
		NdisReadRegisterUlong((PULONG)(Adapter->RegisterBase + EDU_REG_DMA_CMD), &Cmd);
		DbgPrint(KERN_INFO "edu_dma_c: halting with a transfer in flight (engine %s)\n",
			 (Cmd & EDU_DMA_CMD_RUN) ? "running" : "finished");
	}
	/* Test commands (which wait for the engine) are over: no list is out. */
	EduSgDeregister(Adapter);
	NdisMDeregisterDmaChannel(Adapter->DmaHandle);
	/* NDIS promised the engine is off memory once the channel is gone. */
	NdisReadRegisterUlong((PULONG)(Adapter->RegisterBase + EDU_REG_DMA_CMD), &Cmd);
	if (Cmd & EDU_DMA_CMD_RUN)
		DbgPrint(KERN_ERR "edu_dma_c: DMA engine still running after NdisMDeregisterDmaChannel\n");
	else if (WasInFlight)
		DbgPrint(KERN_INFO "edu_dma_c: DMA engine idle after NdisMDeregisterDmaChannel\n");
	NdisMDeregisterInterruptEx(Adapter->InterruptHandle);
	/* A last DMA interrupt may be pending with nobody left to take it. */
	NdisWriteRegisterUlong((PULONG)(Adapter->RegisterBase + EDU_REG_INTR_ACK),
			       0xFFFFFFFF);

	EduPlatformAdapterHalted(Adapter);

	NdisMUnmapIoSpace(Adapter->MiniportAdapterHandle, Adapter->RegisterBase,
			  Adapter->RegisterLength);
	NdisFreeSpinLock(&Adapter->Lock);
	NdisFreeMemory(Adapter, sizeof(*Adapter), 0);
}

/* ---- Handlers edu has no use for (it is not a NIC) ---- */

NDIS_STATUS
MiniportPause(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ PNDIS_MINIPORT_PAUSE_PARAMETERS PauseParameters)
{
	UNREFERENCED_PARAMETER(MiniportAdapterContext);
	UNREFERENCED_PARAMETER(PauseParameters);
	return NDIS_STATUS_SUCCESS;
}

NDIS_STATUS
MiniportRestart(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ PNDIS_MINIPORT_RESTART_PARAMETERS RestartParameters)
{
	UNREFERENCED_PARAMETER(MiniportAdapterContext);
	UNREFERENCED_PARAMETER(RestartParameters);
	return NDIS_STATUS_SUCCESS;
}

NDIS_STATUS
MiniportOidRequest(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ PNDIS_OID_REQUEST OidRequest)
{
	UNREFERENCED_PARAMETER(MiniportAdapterContext);
	UNREFERENCED_PARAMETER(OidRequest);
	return NDIS_STATUS_NOT_SUPPORTED;
}

VOID
MiniportSendNetBufferLists(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ PNET_BUFFER_LIST NetBufferList,
	_In_ NDIS_PORT_NUMBER PortNumber,
	_In_ ULONG SendFlags)
{
	UNREFERENCED_PARAMETER(MiniportAdapterContext);
	UNREFERENCED_PARAMETER(NetBufferList);
	UNREFERENCED_PARAMETER(PortNumber);
	UNREFERENCED_PARAMETER(SendFlags);
}

VOID
MiniportReturnNetBufferLists(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ PNET_BUFFER_LIST NetBufferLists,
	_In_ ULONG ReturnFlags)
{
	UNREFERENCED_PARAMETER(MiniportAdapterContext);
	UNREFERENCED_PARAMETER(NetBufferLists);
	UNREFERENCED_PARAMETER(ReturnFlags);
}

VOID
MiniportCancelSend(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ PVOID CancelId)
{
	UNREFERENCED_PARAMETER(MiniportAdapterContext);
	UNREFERENCED_PARAMETER(CancelId);
}

VOID
MiniportShutdownEx(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ NDIS_SHUTDOWN_ACTION ShutdownAction)
{
	UNREFERENCED_PARAMETER(MiniportAdapterContext);
	UNREFERENCED_PARAMETER(ShutdownAction);
}

VOID
MiniportDevicePnPEventNotify(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ PNET_DEVICE_PNP_EVENT NetDevicePnPEvent)
{
	UNREFERENCED_PARAMETER(MiniportAdapterContext);
	UNREFERENCED_PARAMETER(NetDevicePnPEvent);
}

VOID
MiniportCancelOidRequest(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ PVOID RequestId)
{
	UNREFERENCED_PARAMETER(MiniportAdapterContext);
	UNREFERENCED_PARAMETER(RequestId);
}

/* ------------------------------------------------------------------------
 * Interrupt
 * ------------------------------------------------------------------------ */

BOOLEAN
MiniportInterrupt(
	_In_ NDIS_HANDLE MiniportInterruptContext,
	_Out_ PBOOLEAN QueueDefaultInterruptDpc,
	_Out_ PULONG TargetProcessors)
{
	PEDU_ADAPTER Adapter = (PEDU_ADAPTER)MiniportInterruptContext;
	ULONG IntStatus;

	*QueueDefaultInterruptDpc = FALSE;
	*TargetProcessors = 0;

	NdisReadRegisterUlong((PULONG)(Adapter->RegisterBase + EDU_REG_INTR_STATUS),
			      &IntStatus);
	/* INTx may be shared: nothing raised means not ours. */
	if (IntStatus == 0)
		return FALSE;
	/* Ack now: edu keeps the line asserted until the bits are cleared. */
	NdisWriteRegisterUlong((PULONG)(Adapter->RegisterBase + EDU_REG_INTR_ACK),
			       IntStatus);
	if (IntStatus & EDU_INTR_DMA)
		*QueueDefaultInterruptDpc = TRUE;
	return TRUE;
}

VOID
MiniportInterruptDPC(
	_In_ NDIS_HANDLE MiniportInterruptContext,
	_In_ PVOID MiniportDpcContext,
	_In_ PVOID ReceiveThrottleParameters,
	_In_ PVOID NdisReserved2)
{
	PEDU_ADAPTER Adapter = (PEDU_ADAPTER)MiniportInterruptContext;
	EDU_TRANSFER Transfer;
	NDIS_STATUS Status;

	UNREFERENCED_PARAMETER(MiniportDpcContext);
	UNREFERENCED_PARAMETER(ReceiveThrottleParameters);
	UNREFERENCED_PARAMETER(NdisReserved2);

	NdisDprAcquireSpinLock(&Adapter->Lock);
	/*
	 * An interrupt with nothing armed is a late one for a transfer that
	 * was completed early (its engine fenced) or abandoned: ignore it.
	 */
	if (!Adapter->InFlight || !Adapter->Armed) {
		Adapter->StrayDpcs++;
		NdisDprReleaseSpinLock(&Adapter->Lock);
		return;
	}
	/*
	 * The same goes for an interrupt of an earlier transfer that arrives
	 * after the next one was armed: while the channel still counts bytes
	 * to move, this transfer has not finished, and completing it now
	 * would cut it short.  Its own interrupt comes later.
	 */
	if (NdisMReadDmaCounter(Adapter->DmaHandle) != 0) {
		Adapter->StrayDpcs++;
		NdisDprReleaseSpinLock(&Adapter->Lock);
		return;
	}
	Transfer = Adapter->Transfer;
	Adapter->InFlight = FALSE;
	Adapter->Armed = FALSE;
	NdisDprReleaseSpinLock(&Adapter->Lock);

	/* The engine has finished: flush (for device->host: make the data
	 * visible to the CPU) and free the channel for the next transfer. */
	NdisMCompleteDmaTransfer(&Status, Adapter->DmaHandle, Transfer.Mdl,
				 Transfer.Offset, Transfer.Length,
				 Transfer.WriteToDevice);

	NdisDprAcquireSpinLock(&Adapter->Lock);
	Adapter->CompleteStatus = Status;
	Adapter->Done = TRUE;
	Adapter->DmaInterrupts++;
	/*
	 * Chain the next transfer from here (DISPATCH_LEVEL), under the lock
	 * so halt either sees it in flight or stops the chain first.
	 */
	if (Adapter->Repeat > 0 && Status == NDIS_STATUS_SUCCESS && !Adapter->InFlight) {
		Adapter->Repeat--;
		NdisMSetupDmaTransfer(&Status, Adapter->DmaHandle, Transfer.Mdl,
				      Transfer.Offset, Transfer.Length,
				      Transfer.WriteToDevice);
		if (Status == NDIS_STATUS_SUCCESS) {
			Adapter->Transfer = Transfer;
			Adapter->InFlight = TRUE;
			Adapter->Armed = TRUE;
			Adapter->Done = FALSE;
			Adapter->CompleteStatus = NDIS_STATUS_PENDING;
		} else {
			Adapter->Repeat = 0;
			Adapter->RepeatStatus = Status;
		}
	}
	NdisDprReleaseSpinLock(&Adapter->Lock);
}

/* ------------------------------------------------------------------------
 * System DMA
 * ------------------------------------------------------------------------ */

/*
 * Starts one transfer between the MDL's data at MdlOffset and edu's buffer
 * at DeviceOffset; the DPC completes it.  HoldSpinLock: call Setup with an
 * NDIS spin lock held (DISPATCH_LEVEL), as a miniport's send path would.
 */
NDIS_STATUS
EduStartTransfer(
	_In_ PEDU_ADAPTER Adapter,
	_In_ PMDL Mdl,
	_In_ ULONG MdlOffset,
	_In_ ULONG DeviceOffset,
	_In_ ULONG Length,
	_In_ BOOLEAN WriteToDevice,
	_In_ BOOLEAN HoldSpinLock)
{
	NDIS_STATUS Status;

	NdisAcquireSpinLock(&Adapter->Lock);
	if (Adapter->InFlight) {
		NdisReleaseSpinLock(&Adapter->Lock);
		return NDIS_STATUS_RESOURCES;
	}
	Adapter->InFlight = TRUE;
	Adapter->Armed = FALSE;
	Adapter->Done = FALSE;
	Adapter->CompleteStatus = NDIS_STATUS_PENDING;
	Adapter->Transfer.Mdl = Mdl;
	Adapter->Transfer.Offset = MdlOffset;
	Adapter->Transfer.Length = Length;
	Adapter->Transfer.WriteToDevice = WriteToDevice;
	Adapter->DeviceOffset = DeviceOffset;

	if (HoldSpinLock) {
		/* Setup must not sleep: this is DISPATCH_LEVEL. */
		NdisMSetupDmaTransfer(&Status, Adapter->DmaHandle, Mdl, MdlOffset,
				      Length, WriteToDevice);
		if (Status == NDIS_STATUS_SUCCESS)
			Adapter->Armed = TRUE;
		else
			Adapter->InFlight = FALSE;
		NdisReleaseSpinLock(&Adapter->Lock);
		return Status;
	}
	NdisReleaseSpinLock(&Adapter->Lock);

	/*
	 * PASSIVE_LEVEL.  Until Armed is set a DPC ignores the record: the
	 * engine needs ~100 ms, so its own interrupt cannot come first.
	 */
	NdisMSetupDmaTransfer(&Status, Adapter->DmaHandle, Mdl, MdlOffset,
			      Length, WriteToDevice);

	NdisAcquireSpinLock(&Adapter->Lock);
	if (Status == NDIS_STATUS_SUCCESS)
		Adapter->Armed = TRUE;
	else
		Adapter->InFlight = FALSE;
	NdisReleaseSpinLock(&Adapter->Lock);
	return Status;
}

/* How many more transfers the DPC chains after the current one. */
VOID
EduSetRepeat(
	_In_ PEDU_ADAPTER Adapter,
	_In_ ULONG Repeat)
{
	NdisAcquireSpinLock(&Adapter->Lock);
	Adapter->Repeat = Repeat;
	Adapter->RepeatStatus = NDIS_STATUS_SUCCESS;
	NdisReleaseSpinLock(&Adapter->Lock);
}

/* TRUE while a started transfer has not been completed. */
BOOLEAN
EduTransferPending(
	_In_ PEDU_ADAPTER Adapter)
{
	BOOLEAN Pending;

	NdisAcquireSpinLock(&Adapter->Lock);
	Pending = Adapter->InFlight;
	NdisReleaseSpinLock(&Adapter->Lock);
	return Pending;
}

/*
 * Waits (PASSIVE_LEVEL) for the DPC to complete the transfer.  On timeout
 * the transfer is completed here (which stops the engine) so that the
 * caller may free its buffer, and NDIS_STATUS_REQUEST_ABORTED is returned.
 */
NDIS_STATUS
EduWaitTransfer(
	_In_ PEDU_ADAPTER Adapter,
	_In_ ULONG TimeoutMs,
	_Out_ PNDIS_STATUS CompleteStatus)
{
	ULONG Waited = 0;
	BOOLEAN Done;

	for (;;) {
		NdisAcquireSpinLock(&Adapter->Lock);
		Done = Adapter->Done;
		*CompleteStatus = Adapter->CompleteStatus;
		NdisReleaseSpinLock(&Adapter->Lock);
		if (Done)
			return NDIS_STATUS_SUCCESS;
		if (Waited >= TimeoutMs)
			break;
		NdisMSleep(1000);
		Waited++;
	}
	*CompleteStatus = EduCompleteNow(Adapter);
	return NDIS_STATUS_REQUEST_ABORTED;
}

/*
 * Completes the transfer now, whether or not the engine has finished, and
 * returns NdisMCompleteDmaTransfer's status (RESOURCES when the engine was
 * still running).  NDIS_STATUS_INVALID_STATE if nothing was in flight.
 */
NDIS_STATUS
EduCompleteNow(
	_In_ PEDU_ADAPTER Adapter)
{
	EDU_TRANSFER Transfer;
	NDIS_STATUS Status;

	NdisAcquireSpinLock(&Adapter->Lock);
	if (!Adapter->InFlight) {
		Status = Adapter->Done ? Adapter->CompleteStatus : NDIS_STATUS_INVALID_STATE;
		NdisReleaseSpinLock(&Adapter->Lock);
		return Status;
	}
	Transfer = Adapter->Transfer;
	Adapter->InFlight = FALSE;
	Adapter->Armed = FALSE;
	NdisReleaseSpinLock(&Adapter->Lock);

	NdisMCompleteDmaTransfer(&Status, Adapter->DmaHandle, Transfer.Mdl,
				 Transfer.Offset, Transfer.Length,
				 Transfer.WriteToDevice);

	NdisAcquireSpinLock(&Adapter->Lock);
	Adapter->CompleteStatus = Status;
	Adapter->Done = TRUE;
	NdisReleaseSpinLock(&Adapter->Lock);
	return Status;
}

ULONG
EduReadCounter(
	_In_ PEDU_ADAPTER Adapter)
{
	return NdisMReadDmaCounter(Adapter->DmaHandle);
}

/* Polls a channel's counter until the engine has nothing left to move. */
static BOOLEAN
EduWaitChannelIdle(
	_In_ NDIS_HANDLE DmaHandle)
{
	ULONG Waited;

	for (Waited = 0; Waited < EDU_TRANSFER_TIMEOUT_MS; Waited++) {
		if (NdisMReadDmaCounter(DmaHandle) == 0)
			return TRUE;
		NdisMSleep(1000);
	}
	return FALSE;
}

/* Registers a second channel and lets it go again; its status. */
static NDIS_STATUS
EduRegisterAndDeregister(
	_In_ PEDU_ADAPTER Adapter,
	_In_ UINT DmaChannel,
	_In_ BOOLEAN Dma32BitAddresses,
	_In_opt_ PNDIS_DMA_DESCRIPTION DmaDescription,
	_In_ ULONG MaximumLength)
{
	NDIS_HANDLE Handle = NULL;
	NDIS_STATUS Status;

	Status = NdisMRegisterDmaChannel(&Handle, Adapter->MiniportAdapterHandle,
					 DmaChannel, Dma32BitAddresses,
					 DmaDescription, MaximumLength);
	if (Status == NDIS_STATUS_SUCCESS)
		NdisMDeregisterDmaChannel(Handle);
	return Status;
}

/*
 * Every way of calling the system-DMA functions wrongly, with the status
 * each got.  The DPC is kept out of the rows that complete by hand (the
 * record is not armed), so each row sees exactly the calls it makes.
 */
ULONG
EduRunMisuse(
	_In_ PEDU_ADAPTER Adapter,
	_Out_writes_(EDU_MISUSE_MAX_ROWS) PEDU_MISUSE_ROW Rows)
{
	NDIS_DMA_DESCRIPTION DmaDesc;
	NDIS_HANDLE StaleHandle = NULL;
	PVOID Small = NULL, Big = NULL;
	PMDL SmallMdl = NULL, BigMdl = NULL;
	NDIS_STATUS Status, Ignored;
	ULONG n = 0, i;

#define EDU_ROW(_Name, _Status) \
	do { \
		if (n < EDU_MISUSE_MAX_ROWS) { \
			Rows[n].Name = (_Name); \
			Rows[n].Status = (_Status); \
			n++; \
		} \
	} while (0)

	/* A 4 KiB buffer (edu's window) and an 8 KiB one (beyond MaximumLength). */
	Small = NdisAllocateMemoryWithTagPriority(Adapter->MiniportAdapterHandle,
						  EDU_BUFFER_SIZE, EDU_POOL_TAG,
						  NormalPoolPriority);
	Big = NdisAllocateMemoryWithTagPriority(Adapter->MiniportAdapterHandle,
						2 * EDU_BUFFER_SIZE, EDU_POOL_TAG,
						NormalPoolPriority);
	if (Small != NULL)
		SmallMdl = NdisAllocateMdl(Adapter->MiniportAdapterHandle, Small,
					   EDU_BUFFER_SIZE);
	if (Big != NULL)
		BigMdl = NdisAllocateMdl(Adapter->MiniportAdapterHandle, Big,
					 2 * EDU_BUFFER_SIZE);
	if (SmallMdl == NULL || BigMdl == NULL) {
		EDU_ROW("alloc", NDIS_STATUS_RESOURCES);
		goto Out;
	}

	/* Handles: NULL, stale (deregistered), forged. */
	NdisMSetupDmaTransfer(&Status, NULL, SmallMdl, 0, 64, TRUE);
	EDU_ROW("null-handle", Status);

	/* DmaChannel 1 is ignored: the description names none, so channel 0. */
	NdisZeroMemory(&DmaDesc, sizeof(DmaDesc));
	DmaDesc.DmaWidth = Width32Bits;
	DmaDesc.DmaSpeed = Compatible;
	Status = NdisMRegisterDmaChannel(&StaleHandle, Adapter->MiniportAdapterHandle,
					 1, TRUE, &DmaDesc, EDU_DMA_MAXIMUM_LENGTH);
	EDU_ROW("register-second", Status);
	if (Status == NDIS_STATUS_SUCCESS) {
		NdisMDeregisterDmaChannel(StaleHandle);
		NdisMSetupDmaTransfer(&Status, StaleHandle, SmallMdl, 0, 64, TRUE);
		EDU_ROW("stale-handle", Status);
		NdisMCompleteDmaTransfer(&Status, StaleHandle, SmallMdl, 0, 64, TRUE);
		EDU_ROW("stale-handle-complete", Status);
	}

	NdisMSetupDmaTransfer(&Status, (NDIS_HANDLE)0x12345678, SmallMdl, 0, 64, TRUE);
	EDU_ROW("forged-handle", Status);

	/* Ranges: all rejected before the engine is touched. */
	Adapter->DeviceOffset = 0;
	NdisMSetupDmaTransfer(&Status, Adapter->DmaHandle, SmallMdl,
			      EDU_BUFFER_SIZE, 1, TRUE);
	EDU_ROW("offset-beyond-mdl", Status);
	NdisMSetupDmaTransfer(&Status, Adapter->DmaHandle, SmallMdl,
			      EDU_BUFFER_SIZE / 2, EDU_BUFFER_SIZE / 2 + 1, TRUE);
	EDU_ROW("length-beyond-mdl", Status);
	NdisMSetupDmaTransfer(&Status, Adapter->DmaHandle, SmallMdl,
			      0xFFFFFFF0, 0x20, TRUE);
	EDU_ROW("offset-length-overflow", Status);
	NdisMSetupDmaTransfer(&Status, Adapter->DmaHandle, SmallMdl, 0, 0, TRUE);
	EDU_ROW("zero-length", Status);
	NdisMSetupDmaTransfer(&Status, Adapter->DmaHandle, BigMdl, 0,
			      EDU_DMA_MAXIMUM_LENGTH + 1, TRUE);
	EDU_ROW("length-over-maximum", Status);

	/*
	 * NdisMDeregisterDmaChannel is a PASSIVE_LEVEL call: under a spin lock
	 * it is refused and the channel stays registered, so a zero Length
	 * still gets RESOURCES from it (not a stale handle's status).
	 */
	Status = NdisMRegisterDmaChannel(&StaleHandle, Adapter->MiniportAdapterHandle,
					 0, TRUE, &DmaDesc, EDU_DMA_MAXIMUM_LENGTH);
	if (Status == NDIS_STATUS_SUCCESS) {
		NdisAcquireSpinLock(&Adapter->Lock);
		NdisMDeregisterDmaChannel(StaleHandle);
		NdisReleaseSpinLock(&Adapter->Lock);
		NdisMSetupDmaTransfer(&Status, StaleHandle, SmallMdl, 0, 0, TRUE);
		NdisMDeregisterDmaChannel(StaleHandle);
	}
	EDU_ROW("deregister-at-dispatch", Status);

	/* Complete with nothing set up. */
	NdisMCompleteDmaTransfer(&Status, Adapter->DmaHandle, SmallMdl, 0, 64, TRUE);
	EDU_ROW("complete-without-setup", Status);

	/* Setup while busy: the second one is refused, the first completes. */
	Status = EduStartTransfer(Adapter, SmallMdl, 0, 0, 64, TRUE, FALSE);
	EDU_ROW("setup-first", Status);
	if (Status == NDIS_STATUS_SUCCESS) {
		NdisMSetupDmaTransfer(&Status, Adapter->DmaHandle, BigMdl, 0, 64, TRUE);
		EDU_ROW("setup-while-busy", Status);
		EduWaitTransfer(Adapter, EDU_TRANSFER_TIMEOUT_MS, &Status);
		EDU_ROW("first-complete", Status);

		/* The DPC completed it; a second Complete has nothing to match. */
		NdisMCompleteDmaTransfer(&Status, Adapter->DmaHandle, SmallMdl, 0, 64, TRUE);
		EDU_ROW("complete-twice", Status);
	}

	/*
	 * Completes that do not match the Setup: by hand, so the DPC stays
	 * out (the record is never armed for it).  Windows flushes with the
	 * arguments given and frees the channel; the shim completes the
	 * transfer that was set up.  Each row sets up, waits for the engine,
	 * and completes wrongly: SUCCESS, and the channel is free again.
	 */
	for (i = 0; i < 4; i++) {
		static PCSTR const Names[4] = {
			"complete-other-offset", "complete-other-length",
			"complete-other-direction", "complete-other-mdl",
		};

		Adapter->DeviceOffset = 0;
		NdisMSetupDmaTransfer(&Status, Adapter->DmaHandle, SmallMdl, 64, 128, FALSE);
		if (Status == NDIS_STATUS_SUCCESS) {
			if (!EduWaitChannelIdle(Adapter->DmaHandle))
				EDU_ROW("engine-idle-timeout", NDIS_STATUS_FAILURE);
			NdisMCompleteDmaTransfer(&Status, Adapter->DmaHandle,
						 i == 3 ? BigMdl : SmallMdl,
						 i == 0 ? 0 : 64,
						 i == 1 ? 64 : 128,
						 i == 2 ? TRUE : FALSE);
		}
		EDU_ROW(Names[i], Status);
	}
	/* Wrong arguments while the engine still runs: released, RESOURCES. */
	NdisMSetupDmaTransfer(&Status, Adapter->DmaHandle, SmallMdl, 64, 128, FALSE);
	if (Status == NDIS_STATUS_SUCCESS)
		NdisMCompleteDmaTransfer(&Status, Adapter->DmaHandle, SmallMdl, 0, 128, FALSE);
	EDU_ROW("complete-other-busy", Status);
	/* edu needs ~100 ms; the next Setup finds the engine idle. */
	NdisMSleep(250000);

	/*
	 * NdisMRegisterDmaChannel: the DmaChannel argument is ignored, the
	 * description names the channel, and the glue's controller sees the
	 * description (edu: channel 0 only, no auto-initialize).
	 */
	NdisZeroMemory(&DmaDesc, sizeof(DmaDesc));
	DmaDesc.DmaWidth = Width32Bits;
	DmaDesc.DmaSpeed = Compatible;
	DmaDesc.DmaChannelSpecified = TRUE;
	DmaDesc.DmaChannel = 3;
	Status = EduRegisterAndDeregister(Adapter, 0, TRUE, &DmaDesc, EDU_DMA_MAXIMUM_LENGTH);
	EDU_ROW("register-channel-3", Status);
	DmaDesc.DmaChannel = 0;
	DmaDesc.AutoInitialize = TRUE;
	Status = EduRegisterAndDeregister(Adapter, 0, TRUE, &DmaDesc, EDU_DMA_MAXIMUM_LENGTH);
	EDU_ROW("register-auto-initialize", Status);
	DmaDesc.AutoInitialize = FALSE;
	Status = EduRegisterAndDeregister(Adapter, 0, TRUE, NULL, EDU_DMA_MAXIMUM_LENGTH);
	EDU_ROW("register-null-description", Status);
	Status = NdisMRegisterDmaChannel(&StaleHandle, NULL, 0, TRUE, &DmaDesc,
					 EDU_DMA_MAXIMUM_LENGTH);
	EDU_ROW("register-null-adapter", Status);
	Status = EduRegisterAndDeregister(Adapter, 0, TRUE, &DmaDesc, 0);
	EDU_ROW("register-zero-length", Status);
	/* (ULONG)-1: the NIC has no limit. */
	Status = EduRegisterAndDeregister(Adapter, 0, TRUE, &DmaDesc, (ULONG)-1);
	EDU_ROW("register-unlimited", Status);

	/*
	 * A 24-bit channel (Dma32BitAddresses FALSE): its map registers lie
	 * below 16 MiB.  A transfer through it must work.  BigMdl: SmallMdl's
	 * middle may still be mapped for the fenced transfer above.
	 */
	Status = NdisMRegisterDmaChannel(&StaleHandle, Adapter->MiniportAdapterHandle,
					 0, FALSE, &DmaDesc, EDU_DMA_MAXIMUM_LENGTH);
	EDU_ROW("register-24bit", Status);
	if (Status == NDIS_STATUS_SUCCESS) {
		Adapter->DeviceOffset = 0;
		NdisMSetupDmaTransfer(&Status, StaleHandle, BigMdl, 0, 256, TRUE);
		EDU_ROW("setup-24bit", Status);
		if (Status == NDIS_STATUS_SUCCESS) {
			EduWaitChannelIdle(StaleHandle);
			NdisMCompleteDmaTransfer(&Status, StaleHandle, BigMdl, 0, 256, TRUE);
			EDU_ROW("complete-24bit", Status);
		}
		NdisMDeregisterDmaChannel(StaleHandle);
	}

	/* The channel must still work after all of that. */
	Status = EduStartTransfer(Adapter, SmallMdl, 0, 0, 64, TRUE, FALSE);
	if (Status == NDIS_STATUS_SUCCESS) {
		EduWaitTransfer(Adapter, EDU_TRANSFER_TIMEOUT_MS, &Ignored);
		Status = Ignored;
	}
	EDU_ROW("transfer-after-misuse", Status);

Out:
	if (SmallMdl != NULL)
		NdisFreeMdl(SmallMdl);
	if (BigMdl != NULL)
		NdisFreeMdl(BigMdl);
	if (Small != NULL)
		NdisFreeMemory(Small, EDU_BUFFER_SIZE, 0);
	if (Big != NULL)
		NdisFreeMemory(Big, 2 * EDU_BUFFER_SIZE, 0);
	return n;
#undef EDU_ROW
}

/*
 * One transfer on a channel of its own, polled to its end and completed
 * by hand: the DPC completes only the adapter's own channel (an interrupt
 * with nothing armed is stray to it).  FALSE: the engine did not finish
 * in time (Complete still ran; the shim fenced the engine).
 */
static BOOLEAN
EduPolledTransfer(
	_In_ PEDU_ADAPTER Adapter,
	_In_ NDIS_HANDLE DmaHandle,
	_In_ PMDL Mdl,
	_In_ ULONG MdlOffset,
	_In_ ULONG DeviceOffset,
	_In_ ULONG Length,
	_In_ BOOLEAN WriteToDevice,
	_Out_ PNDIS_STATUS SetupStatus,
	_Out_ PNDIS_STATUS CompleteStatus)
{
	BOOLEAN Finished;

	*CompleteStatus = NDIS_STATUS_PENDING;
	NdisAcquireSpinLock(&Adapter->Lock);
	Adapter->DeviceOffset = DeviceOffset;
	NdisReleaseSpinLock(&Adapter->Lock);
	NdisMSetupDmaTransfer(SetupStatus, DmaHandle, Mdl, MdlOffset, Length,
			      WriteToDevice);
	if (*SetupStatus != NDIS_STATUS_SUCCESS)
		return TRUE;
	Finished = EduWaitChannelIdle(DmaHandle);
	NdisMCompleteDmaTransfer(CompleteStatus, DmaHandle, Mdl, MdlOffset, Length,
				 WriteToDevice);
	return Finished;
}

VOID
EduRoundtrip24Bit(
	_In_ PEDU_ADAPTER Adapter,
	_In_ PMDL ToDeviceMdl,
	_In_ PMDL FromDeviceMdl,
	_In_ ULONG MdlOffset,
	_In_ ULONG DeviceOffset,
	_In_ ULONG Length,
	_Out_ PEDU_24BIT_RESULT Result)
{
	NDIS_DMA_DESCRIPTION DmaDesc;
	NDIS_HANDLE Handle = NULL;

	Result->Setup[0] = Result->Setup[1] = NDIS_STATUS_PENDING;
	Result->Complete[0] = Result->Complete[1] = NDIS_STATUS_PENDING;
	Result->Finished = TRUE;

	/* As the adapter's own channel, but with 24 address lines. */
	NdisZeroMemory(&DmaDesc, sizeof(DmaDesc));
	DmaDesc.DmaWidth = Width32Bits;
	DmaDesc.DmaSpeed = Compatible;
	Result->Register = NdisMRegisterDmaChannel(&Handle, Adapter->MiniportAdapterHandle,
						   0, FALSE, &DmaDesc,
						   EDU_DMA_MAXIMUM_LENGTH);
	if (Result->Register != NDIS_STATUS_SUCCESS)
		return;
	Result->Finished = EduPolledTransfer(Adapter, Handle, ToDeviceMdl, MdlOffset,
					     DeviceOffset, Length, TRUE,
					     &Result->Setup[0], &Result->Complete[0]);
	if (Result->Finished && Result->Setup[0] == NDIS_STATUS_SUCCESS &&
	    Result->Complete[0] == NDIS_STATUS_SUCCESS)
		Result->Finished = EduPolledTransfer(Adapter, Handle, FromDeviceMdl,
						     MdlOffset, DeviceOffset, Length,
						     FALSE, &Result->Setup[1],
						     &Result->Complete[1]);
	/* Waits until the engine can no longer reach either buffer. */
	NdisMDeregisterDmaChannel(Handle);
}

/* ------------------------------------------------------------------------
 * Bus-master DMA: shared memory
 *
 * A NIC reads its descriptors from shared memory and is given their
 * device address.  edu has no rings, but its engine is a bus master all
 * the same: the miniport programs it with the PhysicalAddress that
 * NdisMAllocateSharedMemory returned, without the system-DMA channel.
 * ------------------------------------------------------------------------ */

/*
 * Copies Length bytes between edu's buffer at DeviceOffset and the device
 * address Address, by programming the engine directly, and waits for it
 * (PASSIVE_LEVEL).  The channel's transfer slot is taken meanwhile, so no
 * system-DMA transfer starts on the engine.
 */
static NDIS_STATUS
EduBusMasterCopy(
	_In_ PEDU_ADAPTER Adapter,
	_In_ NDIS_PHYSICAL_ADDRESS Address,
	_In_ ULONG DeviceOffset,
	_In_ ULONG Length,
	_In_ BOOLEAN WriteToDevice)
{
	ULONG Cmd, Waited;
	ULONG EduAddress = EDU_BUFFER_DEVICE_ADDRESS + DeviceOffset;

	if (Length == 0 || DeviceOffset > EDU_BUFFER_SIZE ||
	    Length > EDU_BUFFER_SIZE - DeviceOffset)
		return NDIS_STATUS_INVALID_LENGTH;
	/* A 4-byte register write zero-extends: the address must fit. */
	if (Address.HighPart != 0)
		return NDIS_STATUS_RESOURCES;

	NdisAcquireSpinLock(&Adapter->Lock);
	if (Adapter->InFlight || !EduPlatformEngineReady(Adapter)) {
		NdisReleaseSpinLock(&Adapter->Lock);
		return NDIS_STATUS_RESOURCES;
	}
	/* Not armed: a DPC leaves it alone. */
	Adapter->InFlight = TRUE;
	Adapter->Armed = FALSE;
	Adapter->Done = FALSE;
	NdisReleaseSpinLock(&Adapter->Lock);

	NdisWriteRegisterUlong((PULONG)(Adapter->RegisterBase + EDU_REG_DMA_SRC),
			       WriteToDevice ? Address.LowPart : EduAddress);
	NdisWriteRegisterUlong((PULONG)(Adapter->RegisterBase + EDU_REG_DMA_DST),
			       WriteToDevice ? EduAddress : Address.LowPart);
	NdisWriteRegisterUlong((PULONG)(Adapter->RegisterBase + EDU_REG_DMA_CNT), Length);
	NdisWriteRegisterUlong((PULONG)(Adapter->RegisterBase + EDU_REG_DMA_CMD),
			       EDU_DMA_CMD_RUN |
			       (WriteToDevice ? 0 : EDU_DMA_CMD_FROM_DEVICE));

	for (Waited = 0; ; Waited++) {
		NdisReadRegisterUlong((PULONG)(Adapter->RegisterBase + EDU_REG_DMA_CMD), &Cmd);
		if (!(Cmd & EDU_DMA_CMD_RUN))
			break;
		if (Waited >= EDU_TRANSFER_TIMEOUT_MS) {
			/* Still running: keep the slot so nothing else starts. */
			return NDIS_STATUS_REQUEST_ABORTED;
		}
		NdisMSleep(1000);
	}

	NdisAcquireSpinLock(&Adapter->Lock);
	Adapter->InFlight = FALSE;
	NdisReleaseSpinLock(&Adapter->Lock);
	return NDIS_STATUS_SUCCESS;
}

static ULONG
EduByteSum(
	_In_reads_bytes_(Length) const UCHAR *Data,
	_In_ ULONG Length)
{
	ULONG Sum = 0, i;

	for (i = 0; i < Length; i++)
		Sum += Data[i];
	return Sum;
}

VOID
EduSharedMemoryRoundtrip(
	_In_ PEDU_ADAPTER Adapter,
	_In_ ULONG DeviceOffset,
	_In_ ULONG PayloadLength,
	_In_ ULONG RxOffset,
	_In_ BOOLEAN Cached,
	_Out_ PEDU_SHARED_RESULT Result)
{
	NDIS_HANDLE Handle = Adapter->MiniportAdapterHandle;
	ULONG CopyLength = sizeof(EDU_DESCRIPTOR) + PayloadLength;
	ULONG TxLength = CopyLength, RxLength = RxOffset + CopyLength;
	PEDU_DESCRIPTOR Tx, Rx;
	PUCHAR Payload;
	ULONG i;
	NDIS_STATUS Status;

	NdisZeroMemory(Result, sizeof(*Result));
	Result->Mismatch = ~0u;
	Result->Status = NDIS_STATUS_FAILURE;

	NdisMAllocateSharedMemory(Handle, TxLength, Cached, &Result->TxVa,
				  &Result->TxAddress);
	NdisMAllocateSharedMemory(Handle, RxLength, Cached, &Result->RxVa,
				  &Result->RxAddress);
	if (Result->TxVa == NULL || Result->RxVa == NULL) {
		Result->What = "allocation";
		Result->Status = NDIS_STATUS_RESOURCES;
		goto Free;
	}

	/* The driver's half: a descriptor pointing at its payload. */
	Tx = (PEDU_DESCRIPTOR)Result->TxVa;
	Payload = (PUCHAR)(Tx + 1);
	for (i = 0; i < PayloadLength; i++)
		Payload[i] = (UCHAR)(0xA5 ^ (i * 13) ^ (i >> 8) ^ DeviceOffset);
	Tx->BufferAddress = (ULONG64)Result->TxAddress.QuadPart + sizeof(EDU_DESCRIPTOR);
	Tx->Length = PayloadLength;
	Tx->Sequence = DeviceOffset ^ 0x5EC0;
	Tx->Checksum = EduByteSum(Payload, PayloadLength);
	Tx->Flags = EDU_DESCRIPTOR_OWNED_BY_DEVICE;
	/* Written before the device is told: a no-op on coherent memory. */
	NdisMUpdateSharedMemory(Handle, TxLength, Result->TxVa, Result->TxAddress);
	NdisUpdateSharedMemory(Handle, TxLength, Result->TxVa, Result->TxAddress);

	/* The device's half: read the descriptor and payload, write them back. */
	Status = EduBusMasterCopy(Adapter, Result->TxAddress, DeviceOffset,
				  CopyLength, TRUE);
	if (Status != NDIS_STATUS_SUCCESS) {
		Result->What = "host-to-device";
		Result->Status = Status;
		goto Leave;
	}
	Result->RxAddress.QuadPart += RxOffset;
	Status = EduBusMasterCopy(Adapter, Result->RxAddress, DeviceOffset,
				  CopyLength, FALSE);
	Result->RxAddress.QuadPart -= RxOffset;
	if (Status != NDIS_STATUS_SUCCESS) {
		Result->What = "device-to-host";
		Result->Status = Status;
		goto Leave;
	}

	/* Nothing before RxOffset was touched; the copy is exact. */
	for (i = 0; i < RxOffset; i++) {
		if (((PUCHAR)Result->RxVa)[i] != 0) {
			Result->What = "write before RxOffset";
			Result->Mismatch = i;
			goto Free;
		}
	}
	Rx = (PEDU_DESCRIPTOR)((PUCHAR)Result->RxVa + RxOffset);
	for (i = 0; i < CopyLength; i++) {
		if (((PUCHAR)Rx)[i] != ((PUCHAR)Tx)[i]) {
			Result->What = "data mismatch";
			Result->Mismatch = i;
			goto Free;
		}
	}
	if (Rx->Length != PayloadLength ||
	    Rx->Checksum != EduByteSum((PUCHAR)(Rx + 1), PayloadLength) ||
	    Rx->BufferAddress != (ULONG64)Result->TxAddress.QuadPart + sizeof(EDU_DESCRIPTOR)) {
		Result->What = "descriptor";
		goto Free;
	}
	Result->What = "ok";
	Result->Status = NDIS_STATUS_SUCCESS;

Free:
	if (Result->TxVa != NULL)
		NdisMFreeSharedMemory(Handle, TxLength, Cached, Result->TxVa,
				      Result->TxAddress);
	if (Result->RxVa != NULL)
		NdisMFreeSharedMemory(Handle, RxLength, Cached, Result->RxVa,
				      Result->RxAddress);
	return;
Leave:
	/*
	 * The engine may still reach the blocks: leave them to the shim,
	 * which frees what a miniport forgot once the adapter is halted.
	 */
	return;
}

static BOOLEAN
EduWaitAsyncBlocks(
	_In_ PEDU_ADAPTER Adapter);

ULONG
EduRunSharedMemoryMisuse(
	_In_ PEDU_ADAPTER Adapter,
	_Out_writes_(EDU_MISUSE_MAX_ROWS) PEDU_MISUSE_ROW Rows)
{
	NDIS_HANDLE Handle = Adapter->MiniportAdapterHandle;
	NDIS_PHYSICAL_ADDRESS Pa, Wrong, OtherPa;
	PVOID Va = NULL, Other = NULL;
	ULONG n = 0, Align;

#define EDU_ROW(_Name, _Value) \
	do { \
		if (n < EDU_MISUSE_MAX_ROWS) { \
			Rows[n].Name = (_Name); \
			Rows[n].Status = (NDIS_STATUS)(_Value); \
			n++; \
		} \
	} while (0)

	/* Before the bus-master declaration (recorded at initialize). */
	EDU_ROW("va-before-bus-master", Adapter->SharedBeforeBusMaster);
	EDU_ROW("alignment-before-bus-master", Adapter->AlignmentBeforeBusMaster);

	/* Alignment queries. */
	Align = NdisMGetDmaAlignment(Handle);
	EDU_ROW("dma-alignment-pow2", Align != 0 && (Align & (Align - 1)) == 0);
	EDU_ROW("dma-alignment-null-handle", NdisMGetDmaAlignment(NULL));
	Align = NdisGetSharedDataAlignment();
	EDU_ROW("shared-data-alignment-pow2", Align != 0 && (Align & (Align - 1)) == 0);

	/* Allocations that must fail: VA NULL. */
	Va = (PVOID)1;
	NdisMAllocateSharedMemory(Handle, 0, FALSE, &Va, &Pa);
	EDU_ROW("zero-length-va-null", Va == NULL);
	Va = (PVOID)1;
	NdisMAllocateSharedMemory((NDIS_HANDLE)0x12345678, PAGE_SIZE_EDU, FALSE, &Va, &Pa);
	EDU_ROW("forged-handle-va-null", Va == NULL);

	/* Frees that do not match the allocation: all rejected. */
	NdisMAllocateSharedMemory(Handle, PAGE_SIZE_EDU, FALSE, &Va, &Pa);
	EDU_ROW("alloc", Va != NULL);
	if (Va == NULL)
		goto Out;
	/* A second block, so a wrong free has something else to hit. */
	NdisMAllocateSharedMemory(Handle, 256, TRUE, &Other, &OtherPa);
	EDU_ROW("alloc-other", Other != NULL);
	NdisFillMemory(Va, PAGE_SIZE_EDU, 0x3C);

	NdisMFreeSharedMemory(Handle, PAGE_SIZE_EDU - 1, FALSE, Va, Pa);
	NdisMFreeSharedMemory(Handle, PAGE_SIZE_EDU, FALSE, (PUCHAR)Va + 64, Pa);
	Wrong.QuadPart = Pa.QuadPart + PAGE_SIZE_EDU;
	NdisMFreeSharedMemory(Handle, PAGE_SIZE_EDU, FALSE, Va, Wrong);
	NdisMFreeSharedMemory(Handle, PAGE_SIZE_EDU, TRUE, Va, Pa);
	/* Another adapter's (here: a forged) handle. */
	NdisMFreeSharedMemory((NDIS_HANDLE)0x12345678, PAGE_SIZE_EDU, FALSE, Va, Pa);
	/* Still ours, still intact. */
	{
		ULONG i, Intact = 1;

		for (i = 0; i < PAGE_SIZE_EDU; i++)
			Intact &= ((PUCHAR)Va)[i] == 0x3C;
		EDU_ROW("intact-after-wrong-frees", Intact);
	}
	NdisMFreeSharedMemory(Handle, PAGE_SIZE_EDU, FALSE, Va, Pa);
	/* Freed already. */
	NdisMFreeSharedMemory(Handle, PAGE_SIZE_EDU, FALSE, Va, Pa);
	if (Other != NULL)
		NdisMFreeSharedMemory(Handle, 256, TRUE, Other, OtherPa);

	/*
	 * Asynchronous allocation: NDIS_STATUS_PENDING, then the completion
	 * handler registered with NdisMRegisterScatterGatherDma (sg.c), with
	 * NULL VirtualAddress and PhysicalAddress when the allocation fails:
	 * a zero or impossible Length.
	 */
	{
		struct _EDU_ASYNC_BLOCK *Zero = &Adapter->AsyncBlocks[0];
		struct _EDU_ASYNC_BLOCK *Huge = &Adapter->AsyncBlocks[1];
		struct _EDU_ASYNC_BLOCK *Page = &Adapter->AsyncBlocks[2];

		NdisZeroMemory(Adapter->AsyncBlocks, sizeof(Adapter->AsyncBlocks));
		EDU_ROW("async-zero-length",
			NdisMAllocateSharedMemoryAsyncEx(Adapter->SgDmaHandle, 0, FALSE, Zero));
		EDU_ROW("async-huge-length",
			NdisMAllocateSharedMemoryAsyncEx(Adapter->SgDmaHandle, 0xFFFFFFFF,
							 FALSE, Huge));
		EDU_ROW("async",
			NdisMAllocateSharedMemoryAsyncEx(Adapter->SgDmaHandle, PAGE_SIZE_EDU,
							 FALSE, Page));
		EDU_ROW("async-completed", EduWaitAsyncBlocks(Adapter));
		EDU_ROW("async-zero-length-nulls",
			Zero->VirtualAddress == NULL && Zero->PhysicalAddressNull);
		EDU_ROW("async-huge-length-nulls",
			Huge->VirtualAddress == NULL && Huge->PhysicalAddressNull);
		EDU_ROW("async-va", Page->VirtualAddress != NULL && !Page->PhysicalAddressNull &&
				    Page->Length == PAGE_SIZE_EDU);
		if (Page->VirtualAddress != NULL)
			NdisMFreeSharedMemory(Handle, Page->Length, FALSE, Page->VirtualAddress,
					      Page->PhysicalAddress);
	}
	EDU_ROW("async-forged-handle",
		NdisMAllocateSharedMemoryAsyncEx((NDIS_HANDLE)0x12345678, PAGE_SIZE_EDU,
						 FALSE, Adapter));
Out:
	return n;
#undef EDU_ROW
}

/* MINIPORT_ALLOCATE_SHARED_MEM_COMPLETE: at PASSIVE_LEVEL. */
VOID
EduSharedMemAllocateComplete(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ PVOID VirtualAddress,
	_In_ PNDIS_PHYSICAL_ADDRESS PhysicalAddress,
	_In_ ULONG Length,
	_In_ PVOID Context)
{
	PEDU_ADAPTER Adapter = (PEDU_ADAPTER)MiniportAdapterContext;
	struct _EDU_ASYNC_BLOCK *Block = Context;

	NdisAcquireSpinLock(&Adapter->Lock);
	Block->VirtualAddress = VirtualAddress;
	Block->PhysicalAddressNull = PhysicalAddress == NULL;
	if (PhysicalAddress != NULL)
		Block->PhysicalAddress = *PhysicalAddress;
	Block->Length = Length;
	Block->Completed = TRUE;
	NdisReleaseSpinLock(&Adapter->Lock);
}

/* Whether every asynchronous allocation completed within 5 s. */
static BOOLEAN
EduWaitAsyncBlocks(
	_In_ PEDU_ADAPTER Adapter)
{
	ULONG Waited, i;
	BOOLEAN All = FALSE;

	for (Waited = 0; Waited < 5000 && !All; Waited++) {
		NdisAcquireSpinLock(&Adapter->Lock);
		All = TRUE;
		for (i = 0; i < ARRAYSIZE(Adapter->AsyncBlocks); i++)
			All &= Adapter->AsyncBlocks[i].Completed;
		NdisReleaseSpinLock(&Adapter->Lock);
		if (!All)
			NdisMSleep(1000);
	}
	return All;
}

ULONG
EduSharedMemorySubordinate(
	_In_ PEDU_ADAPTER Adapter,
	_Out_writes_(EDU_MISUSE_MAX_ROWS) PEDU_MISUSE_ROW Rows)
{
	NDIS_HANDLE Handle = Adapter->MiniportAdapterHandle;
	NDIS_PHYSICAL_ADDRESS Pa;
	PVOID Va = NULL;
	ULONG n = 0, Align;

	Rows[n].Name = "attributes-subordinate";
	Rows[n++].Status = EduSetRegistrationAttributes(Adapter, FALSE);
	/* Allowed for subordinate-DMA NICs since Windows XP SP1 / Server 2003. */
	NdisMAllocateSharedMemory(Handle, PAGE_SIZE_EDU, FALSE, &Va, &Pa);
	Rows[n].Name = "subordinate-va";
	Rows[n++].Status = Va != NULL;
	/* Within the channel's reach: edu's 28 address bits. */
	Rows[n].Name = "subordinate-in-reach";
	Rows[n++].Status = Va != NULL && Pa.HighPart == 0 &&
			   Pa.LowPart + (PAGE_SIZE_EDU - 1) <= 0x0FFFFFFF;
	Align = NdisMGetDmaAlignment(Handle);
	Rows[n].Name = "subordinate-dma-alignment-pow2";
	Rows[n++].Status = Align != 0 && (Align & (Align - 1)) == 0;
	if (Va != NULL)
		NdisMFreeSharedMemory(Handle, PAGE_SIZE_EDU, FALSE, Va, Pa);
	Rows[n].Name = "attributes-bus-master";
	Rows[n++].Status = EduSetRegistrationAttributes(Adapter, TRUE);
	return n;
}

ULONG
EduSharedMemoryFreeAtDispatch(
	_In_ PEDU_ADAPTER Adapter,
	_Out_writes_(EDU_MISUSE_MAX_ROWS) PEDU_MISUSE_ROW Rows)
{
	NDIS_HANDLE Handle = Adapter->MiniportAdapterHandle;
	NDIS_PHYSICAL_ADDRESS Pa, Pa2;
	PVOID Va = NULL, Va2 = (PVOID)1;
	ULONG n = 0;

	NdisMAllocateSharedMemory(Handle, 2 * PAGE_SIZE_EDU, FALSE, &Va, &Pa);
	Rows[n].Name = "alloc";
	Rows[n++].Status = Va != NULL;
	if (Va == NULL)
		return n;

	NdisAcquireSpinLock(&Adapter->Lock);
	/* Allocation is PASSIVE_LEVEL only: refused here. */
	NdisMAllocateSharedMemory(Handle, PAGE_SIZE_EDU, FALSE, &Va2, &Pa2);
	/* The free is legal at DISPATCH_LEVEL. */
	NdisMFreeSharedMemory(Handle, 2 * PAGE_SIZE_EDU, FALSE, Va, Pa);
	NdisReleaseSpinLock(&Adapter->Lock);

	Rows[n].Name = "alloc-at-dispatch-va-null";
	Rows[n++].Status = Va2 == NULL;
	if (Va2 != NULL)
		NdisMFreeSharedMemory(Handle, PAGE_SIZE_EDU, FALSE, Va2, Pa2);
	return n;
}

ULONG
EduSharedMemoryForget(
	_In_ PEDU_ADAPTER Adapter,
	_In_ ULONG Count)
{
	NDIS_PHYSICAL_ADDRESS Pa;
	PVOID Va;
	ULONG i, Made = 0;

	for (i = 0; i < Count; i++) {
		NdisMAllocateSharedMemory(Adapter->MiniportAdapterHandle,
					  PAGE_SIZE_EDU * (i + 1), FALSE, &Va, &Pa);
		if (Va != NULL)
			Made++;
	}
	return Made;
}
