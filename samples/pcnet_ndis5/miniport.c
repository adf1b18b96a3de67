// SPDX-License-Identifier: GPL-2.0
/*++

Module Name:

    miniport.c

Abstract:

    An NDIS 5.1 miniport for the AMD PCnet-PCI II (Am79C970A, QEMU's
    "pcnet"), written as for Windows XP/2003 from AMD's data sheet: a
    serialized, bus-master miniport with its I/O ports registered with
    NdisMRegisterIoPortRange and reached with the NdisRaw* port macros,
    its initialization block, descriptor rings and receive buffers in one
    block of shared memory, a level-sensitive shared interrupt
    (NdisMRegisterInterrupt), and lookahead receive indications.

    This file: DriverEntry, MiniportInitialize, MiniportHalt,
    MiniportShutdown, MiniportReset, MiniportCheckForHang and the
    interrupt handlers.  hw.c drives the controller, send.c and recv.c
    move frames, oid.c answers OIDs.  Nothing here is Linux-specific;
    pcnet_linux.c is the port's glue.

--*/

#define NDIS_MINIPORT_DRIVER 1
#define NDIS51_MINIPORT 1
#include <ndis.h>
#include "pcnet.h"

#ifdef PCNET_USE_MAP_REGISTERS
#define PCNET_DRIVER_NAME "pcnet_ndis5_mapreg"
#else
#define PCNET_DRIVER_NAME "pcnet_ndis5"
#endif

NDIS_STATUS
MiniportInitialize(
	_Out_ PNDIS_STATUS OpenErrorStatus,
	_Out_ PUINT SelectedMediumIndex,
	_In_ PNDIS_MEDIUM MediumArray,
	_In_ UINT MediumArraySize,
	_In_ NDIS_HANDLE MiniportAdapterHandle,
	_In_ NDIS_HANDLE WrapperConfigurationContext);
VOID MiniportHalt(_In_ NDIS_HANDLE MiniportAdapterContext);
VOID MiniportShutdown(_In_ NDIS_HANDLE MiniportAdapterContext);
NDIS_STATUS MiniportReset(_Out_ PBOOLEAN AddressingReset,
			  _In_ NDIS_HANDLE MiniportAdapterContext);
BOOLEAN MiniportCheckForHang(_In_ NDIS_HANDLE MiniportAdapterContext);
VOID MiniportISR(_Out_ PBOOLEAN InterruptRecognized,
		 _Out_ PBOOLEAN QueueMiniportHandleInterrupt,
		 _In_ NDIS_HANDLE MiniportAdapterContext);
VOID MiniportHandleInterrupt(_In_ NDIS_HANDLE MiniportAdapterContext);

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);

NTSTATUS
DriverEntry(
	_In_ PDRIVER_OBJECT DriverObject,
	_In_ PUNICODE_STRING RegistryPath)
{
	NDIS_MINIPORT_CHARACTERISTICS Chars;
	NDIS_HANDLE WrapperHandle;
	NDIS_STATUS Status;

	NdisMInitializeWrapper(&WrapperHandle, DriverObject, RegistryPath, NULL);
	if (WrapperHandle == NULL)
		return NDIS_STATUS_FAILURE;

	NdisZeroMemory(&Chars, sizeof(Chars));
	Chars.MajorNdisVersion = 5;
	Chars.MinorNdisVersion = 1;
	Chars.InitializeHandler = MiniportInitialize;
	Chars.HaltHandler = MiniportHalt;
	Chars.ResetHandler = MiniportReset;
	Chars.CheckForHangHandler = MiniportCheckForHang;
	Chars.ISRHandler = MiniportISR;
	Chars.HandleInterruptHandler = MiniportHandleInterrupt;
	Chars.QueryInformationHandler = MiniportQueryInformation;
	Chars.SetInformationHandler = MiniportSetInformation;
	Chars.SendPacketsHandler = MiniportSendPackets;
	Chars.TransferDataHandler = MiniportTransferData;
	Chars.AdapterShutdownHandler = MiniportShutdown;
	Status = NdisMRegisterMiniport(WrapperHandle, &Chars, sizeof(Chars));
	if (Status != NDIS_STATUS_SUCCESS) {
		DbgPrint(PCNET_DRIVER_NAME ": NdisMRegisterMiniport: 0x%08x\n",
			 (ULONG)Status);
		NdisTerminateWrapper(WrapperHandle, NULL);
	}
	return Status;
}

/* The adapter's I/O range and interrupt, from its resource list. */
static NDIS_STATUS
PcnetFindResources(
	_In_ PPCNET_ADAPTER Adapter,
	_In_ NDIS_HANDLE WrapperConfigurationContext)
{
	BOOLEAN FoundPorts = FALSE, FoundInterrupt = FALSE;
	UCHAR Buffer[sizeof(NDIS_RESOURCE_LIST) +
		     7 * sizeof(CM_PARTIAL_RESOURCE_DESCRIPTOR)];
	PNDIS_RESOURCE_LIST Resources = (PNDIS_RESOURCE_LIST)Buffer;
	PCM_PARTIAL_RESOURCE_DESCRIPTOR Descriptors;
	UINT Size = sizeof(Buffer);
	NDIS_STATUS Status;
	ULONG i;

	NdisMQueryAdapterResources(&Status, WrapperConfigurationContext,
				   Resources, &Size);
	if (Status != NDIS_STATUS_SUCCESS)
		return Status;
	/* PartialDescriptors[1] is declared with one element and holds Count:
	 * indexed through a pointer (the PCnet has three: I/O and memory BARs,
	 * interrupt). */
	Descriptors = Resources->PartialDescriptors;
	for (i = 0; i < Resources->Count; i++) {
		PCM_PARTIAL_RESOURCE_DESCRIPTOR Desc = &Descriptors[i];

		if (Desc->Type == CmResourceTypePort && !FoundPorts) {
			Adapter->IoBase = Desc->u.Port.Start.LowPart;
			Adapter->IoLength = Desc->u.Port.Length;
			FoundPorts = TRUE;
		} else if (Desc->Type == CmResourceTypeInterrupt && !FoundInterrupt) {
			Adapter->InterruptVector = Desc->u.Interrupt.Vector;
			Adapter->InterruptLevel = Desc->u.Interrupt.Level;
			FoundInterrupt = TRUE;
		}
	}
	if (!FoundPorts || !FoundInterrupt || Adapter->IoLength < PCNET_IO_LENGTH)
		return NDIS_STATUS_RESOURCE_CONFLICT;
	return NDIS_STATUS_SUCCESS;
}

/* A locally administered address from the configuration ("NetworkAddress"),
 * if one is set and is a unicast address. */
static VOID
PcnetReadConfiguration(
	_In_ PPCNET_ADAPTER Adapter,
	_In_ NDIS_HANDLE WrapperConfigurationContext)
{
	NDIS_HANDLE Configuration;
	NDIS_STATUS Status;
	PUCHAR Address;
	UINT Length;

	NdisOpenConfiguration(&Status, &Configuration, WrapperConfigurationContext);
	if (Status != NDIS_STATUS_SUCCESS)
		return;
	NdisReadNetworkAddress(&Status, (PVOID *)&Address, &Length, Configuration);
	if (Status == NDIS_STATUS_SUCCESS && Length == PCNET_ETH_ADDRESS_LENGTH &&
	    !(Address[0] & 0x01))
		NdisMoveMemory(Adapter->CurrentAddress, Address, PCNET_ETH_ADDRESS_LENGTH);
	NdisCloseConfiguration(Configuration);
}

static const UCHAR PcnetZeroAddress[PCNET_ETH_ADDRESS_LENGTH];

NDIS_STATUS
MiniportInitialize(
	_Out_ PNDIS_STATUS OpenErrorStatus,
	_Out_ PUINT SelectedMediumIndex,
	_In_ PNDIS_MEDIUM MediumArray,
	_In_ UINT MediumArraySize,
	_In_ NDIS_HANDLE MiniportAdapterHandle,
	_In_ NDIS_HANDLE WrapperConfigurationContext)
{
	PPCNET_ADAPTER Adapter;
	NDIS_STATUS Status;
	PVOID PortOffset;
	UINT i;

	*OpenErrorStatus = NDIS_STATUS_SUCCESS;
	for (i = 0; i < MediumArraySize; i++)
		if (MediumArray[i] == NdisMedium802_3)
			break;
	if (i == MediumArraySize)
		return NDIS_STATUS_UNSUPPORTED_MEDIA;
	*SelectedMediumIndex = i;

	Status = NdisAllocateMemoryWithTag((PVOID *)&Adapter, sizeof(*Adapter),
					   PCNET_POOL_TAG);
	if (Status != NDIS_STATUS_SUCCESS)
		return NDIS_STATUS_RESOURCES;
	NdisZeroMemory(Adapter, sizeof(*Adapter));
	Adapter->MiniportAdapterHandle = MiniportAdapterHandle;
	Adapter->PacketFilter = 0;
	Adapter->CurrentLookahead = PCNET_MAX_FRAME_SIZE - PCNET_ETH_HEADER_SIZE;
	Adapter->MediaState = NdisMediaStateConnected;

	/* Serialized (no NDIS_ATTRIBUTE_DESERIALIZE): NDIS queues sends and
	 * never calls Send, HandleInterrupt, Query/Set, Reset or CheckForHang
	 * concurrently. */
	NdisMSetAttributesEx(MiniportAdapterHandle, (NDIS_HANDLE)Adapter, 0,
			     NDIS_ATTRIBUTE_BUS_MASTER, NdisInterfacePci);

	Status = PcnetFindResources(Adapter, WrapperConfigurationContext);
	if (Status != NDIS_STATUS_SUCCESS)
		goto FreeAdapter;
	Status = NdisMRegisterIoPortRange(&PortOffset, MiniportAdapterHandle,
					  Adapter->IoBase, Adapter->IoLength);
	if (Status != NDIS_STATUS_SUCCESS)
		goto FreeAdapter;
	Adapter->PortOffset = (PUCHAR)PortOffset;
	Adapter->PortsRegistered = TRUE;

	/* First the reset: the controller may be in 32-bit I/O mode, where
	 * the address PROM reads differently. */
	Status = PcnetResetController(Adapter);
	if (Status != NDIS_STATUS_SUCCESS) {
		NdisWriteErrorLogEntry(MiniportAdapterHandle,
				       NDIS_ERROR_CODE_ADAPTER_NOT_FOUND, 0);
		goto FreeResources;
	}
	PcnetReadStationAddress(Adapter);
	NdisMoveMemory(Adapter->CurrentAddress, Adapter->PermanentAddress,
		       PCNET_ETH_ADDRESS_LENGTH);
	PcnetReadConfiguration(Adapter, WrapperConfigurationContext);
	if (NdisEqualMemory(Adapter->PermanentAddress, PcnetZeroAddress,
			    PCNET_ETH_ADDRESS_LENGTH) ||
	    (Adapter->PermanentAddress[0] & 0x01)) {
		NdisWriteErrorLogEntry(MiniportAdapterHandle,
				       NDIS_ERROR_CODE_NETWORK_ADDRESS, 0);
		Status = NDIS_STATUS_ADAPTER_NOT_FOUND;
		goto FreeResources;
	}

	Status = PcnetInitializeSendDma(Adapter);
	if (Status != NDIS_STATUS_SUCCESS) {
		DbgPrint(PCNET_DRIVER_NAME ": send DMA: 0x%08x\n", (ULONG)Status);
		goto FreeResources;
	}
	Adapter->DmaInitialized = TRUE;

	NdisMAllocateSharedMemory(MiniportAdapterHandle, sizeof(PCNET_SHARED), FALSE,
				  (PVOID *)&Adapter->Shared, &Adapter->SharedPhysical);
	if (Adapter->Shared == NULL) {
		NdisWriteErrorLogEntry(MiniportAdapterHandle,
				       NDIS_ERROR_CODE_OUT_OF_RESOURCES, 0);
		Status = NDIS_STATUS_RESOURCES;
		goto FreeResources;
	}
	/* The controller addresses 32 bits; NDIS_DMA_32BITS (or a 32-bit
	 * scatter-gather adapter) keeps the block below 4 GiB. */
	if (NdisGetPhysicalAddressHigh(Adapter->SharedPhysical) != 0) {
		Status = NDIS_STATUS_RESOURCES;
		goto FreeResources;
	}
	Adapter->SharedPhysicalLow = NdisGetPhysicalAddressLow(Adapter->SharedPhysical);
	NdisZeroMemory(Adapter->Shared, sizeof(PCNET_SHARED));

	Status = NdisMRegisterInterrupt(&Adapter->Interrupt, MiniportAdapterHandle,
					Adapter->InterruptVector, Adapter->InterruptLevel,
					TRUE, TRUE, NdisInterruptLevelSensitive);
	if (Status != NDIS_STATUS_SUCCESS) {
		NdisWriteErrorLogEntry(MiniportAdapterHandle,
				       NDIS_ERROR_CODE_INTERRUPT_CONNECT, 0);
		goto FreeResources;
	}
	Adapter->InterruptRegistered = TRUE;

	/* The line may be shared: from here on the ISR may run, so the
	 * controller is programmed under the interrupt's lock. */
	if (!NdisMSynchronizeWithInterrupt(&Adapter->Interrupt, (PVOID)PcnetSyncRestart,
					   Adapter)) {
		NdisWriteErrorLogEntry(MiniportAdapterHandle,
				       NDIS_ERROR_CODE_HARDWARE_FAILURE, 0);
		Status = NDIS_STATUS_FAILURE;
		goto FreeResources;
	}
	Adapter->MediaState = NdisMSynchronizeWithInterrupt(&Adapter->Interrupt,
							    (PVOID)PcnetSyncReadLink,
							    Adapter) ?
			      NdisMediaStateConnected : NdisMediaStateDisconnected;
	DbgPrint(PCNET_DRIVER_NAME ": station address %02x:%02x:%02x:%02x:%02x:%02x, link %s\n",
		 Adapter->CurrentAddress[0], Adapter->CurrentAddress[1],
		 Adapter->CurrentAddress[2], Adapter->CurrentAddress[3],
		 Adapter->CurrentAddress[4], Adapter->CurrentAddress[5],
		 Adapter->MediaState == NdisMediaStateConnected ? "up" : "down");
	return NDIS_STATUS_SUCCESS;

FreeResources:
	if (Adapter->InterruptRegistered) {
		PcnetStopController(Adapter);
		NdisMDeregisterInterrupt(&Adapter->Interrupt);
	}
	if (Adapter->Shared != NULL)
		NdisMFreeSharedMemory(MiniportAdapterHandle, sizeof(PCNET_SHARED), FALSE,
				      Adapter->Shared, Adapter->SharedPhysical);
	if (Adapter->DmaInitialized)
		PcnetFreeSendDma(Adapter);
	PcnetResetToWio(Adapter);
	NdisMDeregisterIoPortRange(MiniportAdapterHandle, Adapter->IoBase,
				   Adapter->IoLength, Adapter->PortOffset);
FreeAdapter:
	NdisFreeMemory(Adapter, sizeof(*Adapter), 0);
	return Status;
}

VOID
MiniportHalt(
	_In_ NDIS_HANDLE MiniportAdapterContext)
{
	PPCNET_ADAPTER Adapter = (PPCNET_ADAPTER)MiniportAdapterContext;
	NDIS_HANDLE Handle = Adapter->MiniportAdapterHandle;

	PcnetStopController(Adapter);
	NdisMDeregisterInterrupt(&Adapter->Interrupt);
	/* Stopped: whatever the rings still hold will never be sent. */
	Adapter->SendResourcesNeeded = FALSE;
	PcnetSendCompleteAll(Adapter, TRUE);
	NdisMFreeSharedMemory(Handle, sizeof(PCNET_SHARED), FALSE, Adapter->Shared,
			      Adapter->SharedPhysical);
	PcnetFreeSendDma(Adapter);
	/* As after power-up, for the next driver. */
	PcnetResetToWio(Adapter);
	NdisMDeregisterIoPortRange(Handle, Adapter->IoBase, Adapter->IoLength,
				   Adapter->PortOffset);
	NdisFreeMemory(Adapter, sizeof(*Adapter), 0);
}

/* System shutdown (any IRQL): stop all DMA, nothing else. */
VOID
MiniportShutdown(
	_In_ NDIS_HANDLE MiniportAdapterContext)
{
	PcnetStopController((PPCNET_ADAPTER)MiniportAdapterContext);
}

/* Under the interrupt's lock: FALSE when CSR0 reads all ones, the
 * registers gone (surprise removal, I/O decode off). */
static BOOLEAN
PcnetSyncIsPresent(
	_In_ PVOID SynchronizeContext)
{
	return PcnetReadCsr((PPCNET_ADAPTER)SynchronizeContext, PCNET_CSR0) != PCNET_CSR0_GONE;
}

/* Bus mastering on or off in the PCI command register. */
static VOID
PcnetSetBusMaster(
	_In_ PPCNET_ADAPTER Adapter,
	_In_ BOOLEAN On)
{
	USHORT Command;

	if (NdisReadPciSlotInformation(Adapter->MiniportAdapterHandle, 0, PCNET_PCI_COMMAND,
				       &Command, sizeof(Command)) != sizeof(Command) ||
	    Command == 0xFFFF)
		return;
	Command = On ? Command | PCNET_PCI_COMMAND_MASTER : Command & ~PCNET_PCI_COMMAND_MASTER;
	NdisWritePciSlotInformation(Adapter->MiniportAdapterHandle, 0, PCNET_PCI_COMMAND,
				    &Command, sizeof(Command));
}

/*
 * The controller is stopped, the sends it held completed (those it had
 * sent as sent, the others NDIS_STATUS_REQUEST_ABORTED), and it is reset
 * and started again with the same addresses and filter: no addressing
 * reset.  A controller whose registers are gone cannot be stopped: its
 * bus mastering is turned off first, so that it cannot read the sends
 * taken back, and the reset fails with NDIS_STATUS_HARD_ERRORS, logged
 * (MiniportReset: "an unrecoverable error occurred ... MiniportReset has
 * called NdisWriteErrorLogEntry").  Found again later (CheckForHang asks
 * for the reset), it gets its bus mastering back.
 */
NDIS_STATUS
MiniportReset(
	_Out_ PBOOLEAN AddressingReset,
	_In_ NDIS_HANDLE MiniportAdapterContext)
{
	PPCNET_ADAPTER Adapter = (PPCNET_ADAPTER)MiniportAdapterContext;
	BOOLEAN Present;

	*AddressingReset = FALSE;
	Present = NdisMSynchronizeWithInterrupt(&Adapter->Interrupt, (PVOID)PcnetSyncIsPresent,
						Adapter);
	if (!Present)
		PcnetSetBusMaster(Adapter, FALSE);
	PcnetStopController(Adapter);
	PcnetSendCompleteAll(Adapter, TRUE);
	Adapter->TxHangChecks = 0;
	if (!Present) {
		Adapter->DeviceLost = TRUE;
		NdisWriteErrorLogEntry(Adapter->MiniportAdapterHandle,
				       NDIS_ERROR_CODE_HARDWARE_FAILURE, 1, (ULONG)PCNET_CSR0_GONE);
		return NDIS_STATUS_HARD_ERRORS;
	}
	if (Adapter->DeviceLost) {
		PcnetSetBusMaster(Adapter, TRUE);
		Adapter->DeviceLost = FALSE;
	}
	if (!NdisMSynchronizeWithInterrupt(&Adapter->Interrupt, (PVOID)PcnetSyncRestart,
					   Adapter)) {
		NdisWriteErrorLogEntry(Adapter->MiniportAdapterHandle,
				       NDIS_ERROR_CODE_HARDWARE_FAILURE, 0);
		return NDIS_STATUS_HARD_ERRORS;
	}
	return NDIS_STATUS_SUCCESS;
}

#if DBG
/* Checked build, under the interrupt's lock: the controller's ring
 * registers and the rings' heads as the driver sees them. */
static BOOLEAN
PcnetSyncDebugDump(
	_In_ PVOID SynchronizeContext)
{
	PPCNET_ADAPTER Adapter = (PPCNET_ADAPTER)SynchronizeContext;
	PPCNET_SHARED Shared = Adapter->Shared;

	DbgPrint(PCNET_DRIVER_NAME ": CSR0 %04x CSR3 %04x CSR4 %04x CSR15 %04x RCVRC %u/%u XMTRC %u/%u CRDA %04x%04x CXDA %04x%04x MISSC %u BCR20 %04x; rx next %u status %04x; tx head %u tail %u status %04x\n",
		 (ULONG)PcnetReadCsr(Adapter, PCNET_CSR0), (ULONG)PcnetReadCsr(Adapter, PCNET_CSR3),
		 (ULONG)PcnetReadCsr(Adapter, PCNET_CSR4), (ULONG)PcnetReadCsr(Adapter, PCNET_CSR15),
		 (ULONG)PcnetReadCsr(Adapter, 72), (ULONG)PcnetReadCsr(Adapter, 76),
		 (ULONG)PcnetReadCsr(Adapter, 74), (ULONG)PcnetReadCsr(Adapter, 78),
		 (ULONG)PcnetReadCsr(Adapter, 29), (ULONG)PcnetReadCsr(Adapter, 28),
		 (ULONG)PcnetReadCsr(Adapter, 35), (ULONG)PcnetReadCsr(Adapter, 34),
		 (ULONG)PcnetReadCsr(Adapter, 112), (ULONG)PcnetReadBcr(Adapter, PCNET_BCR20),
		 Adapter->RxNext, (ULONG)Shared->RxRing[Adapter->RxNext].Status,
		 Adapter->TxHead, Adapter->TxTail, (ULONG)Shared->TxRing[Adapter->TxHead].Status);
	NdisRawWritePortUlong(Adapter->PortOffset + PCNET_DWIO_RAP, PCNET_CSR0);
	return TRUE;
}
#endif

/*
 * Every 2 seconds: the link state (indicated when it changed), sends the
 * controller finished without a transmit interrupt seen, and a transmit
 * ring that made no progress for PCNET_TX_HANG_CHECKS calls (TRUE: NDIS
 * resets the adapter).  Registers that read all ones: the device is gone,
 * reported once (the link down, TRUE: the reset takes the sends back);
 * registers that answer again: TRUE, the reset brings it up.
 */
BOOLEAN
MiniportCheckForHang(
	_In_ NDIS_HANDLE MiniportAdapterContext)
{
	PPCNET_ADAPTER Adapter = (PPCNET_ADAPTER)MiniportAdapterContext;
	NDIS_MEDIA_STATE State;

	if (!NdisMSynchronizeWithInterrupt(&Adapter->Interrupt, (PVOID)PcnetSyncIsPresent,
					   Adapter)) {
		if (Adapter->DeviceLost)
			return FALSE;	/* reported already; a reset could not help */
		Adapter->DeviceLost = TRUE;
		DbgPrint(PCNET_DRIVER_NAME ": registers unreachable: device lost\n");
		if (Adapter->MediaState != NdisMediaStateDisconnected) {
			Adapter->MediaState = NdisMediaStateDisconnected;
			NdisMIndicateStatus(Adapter->MiniportAdapterHandle,
					    NDIS_STATUS_MEDIA_DISCONNECT, NULL, 0);
			NdisMIndicateStatusComplete(Adapter->MiniportAdapterHandle);
		}
		return TRUE;
	}
	if (Adapter->DeviceLost)
		return TRUE;	/* back: a reset brings it up again */

	State = NdisMSynchronizeWithInterrupt(&Adapter->Interrupt, (PVOID)PcnetSyncReadLink,
					      Adapter) ?
		NdisMediaStateConnected : NdisMediaStateDisconnected;
	if (State != Adapter->MediaState) {
		Adapter->MediaState = State;
		NdisMIndicateStatus(Adapter->MiniportAdapterHandle,
				    State == NdisMediaStateConnected ?
				    NDIS_STATUS_MEDIA_CONNECT : NDIS_STATUS_MEDIA_DISCONNECT,
				    NULL, 0);
		NdisMIndicateStatusComplete(Adapter->MiniportAdapterHandle);
	}

#if DBG
	NdisMSynchronizeWithInterrupt(&Adapter->Interrupt, (PVOID)PcnetSyncDebugDump, Adapter);
	DbgPrint(PCNET_DRIVER_NAME ": CSR0 %04x filter %08x mode %04x tx ok %I64u err %u free %u, rx ok %I64u err %u no buffer %u\n",
		 (ULONG)PcnetReadCsr(Adapter, PCNET_CSR0), Adapter->PacketFilter,
		 (ULONG)Adapter->Mode, Adapter->XmitOk, Adapter->XmitError, Adapter->TxFree,
		 Adapter->RcvOk, Adapter->RcvError, Adapter->RcvNoBuffer);
#endif
	Adapter->TxProgress = FALSE;
	PcnetSendCompleteAll(Adapter, FALSE);
	if (Adapter->TxFree == PCNET_TX_RING_SIZE || Adapter->TxProgress) {
		Adapter->TxHangChecks = 0;
		return FALSE;
	}
	return ++Adapter->TxHangChecks >= PCNET_TX_HANG_CHECKS;
}

/*
 * The interrupt: CSR0 says whether it is the controller's (INTR).  Its
 * interrupt bits are acknowledged here (written back as 1s, IENA kept) so
 * that the level line drops, and saved for MiniportHandleInterrupt.  All
 * 1s: the device is gone (surprise removal), not ours.
 */
VOID
MiniportISR(
	_Out_ PBOOLEAN InterruptRecognized,
	_Out_ PBOOLEAN QueueMiniportHandleInterrupt,
	_In_ NDIS_HANDLE MiniportAdapterContext)
{
	PPCNET_ADAPTER Adapter = (PPCNET_ADAPTER)MiniportAdapterContext;
	USHORT Csr0;

	Csr0 = PcnetReadCsr(Adapter, PCNET_CSR0);
	if (Csr0 == PCNET_CSR0_GONE || !(Csr0 & CSR0_INTR)) {
		*InterruptRecognized = FALSE;
		*QueueMiniportHandleInterrupt = FALSE;
		return;
	}
	PcnetWriteCsr(Adapter, PCNET_CSR0, (Csr0 & CSR0_ACK_BITS) | CSR0_IENA);
	Adapter->IsrCsr0 |= Csr0 & CSR0_ACK_BITS;
	*InterruptRecognized = TRUE;
	*QueueMiniportHandleInterrupt = TRUE;
}

typedef struct _PCNET_TAKE_BITS {
	PPCNET_ADAPTER Adapter;
	USHORT Csr0;
} PCNET_TAKE_BITS, *PPCNET_TAKE_BITS;

/* Under the interrupt's lock: takes what the ISR saved. */
static BOOLEAN
PcnetSyncTakeIsrBits(
	_In_ PVOID SynchronizeContext)
{
	PPCNET_TAKE_BITS Take = (PPCNET_TAKE_BITS)SynchronizeContext;

	Take->Csr0 = Take->Adapter->IsrCsr0;
	Take->Adapter->IsrCsr0 = 0;
	return TRUE;
}

VOID
MiniportHandleInterrupt(
	_In_ NDIS_HANDLE MiniportAdapterContext)
{
	PPCNET_ADAPTER Adapter = (PPCNET_ADAPTER)MiniportAdapterContext;
	PCNET_TAKE_BITS Take;

	Take.Adapter = Adapter;
	Take.Csr0 = 0;
	NdisMSynchronizeWithInterrupt(&Adapter->Interrupt, (PVOID)PcnetSyncTakeIsrBits,
				      &Take);
	if (Take.Csr0 & CSR0_MISS)
		Adapter->RcvNoBuffer++;
	/* Both rings every time: an interrupt bit a filter change cleared
	 * (STOP) leaves its work for the next interrupt. */
	PcnetReceive(Adapter);
	PcnetSendCompleteAll(Adapter, FALSE);
}
