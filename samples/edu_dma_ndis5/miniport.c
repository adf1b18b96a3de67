// SPDX-License-Identifier: GPL-2.0
/*++

Module Name:

    miniport.c

Abstract:

    An NDIS 5.1 bus-master miniport for QEMU's edu device, written as for
    Windows XP/2003: NdisMInitializeWrapper and NdisMRegisterMiniport in
    DriverEntry, NdisMSetAttributesEx(NDIS_ATTRIBUTE_BUS_MASTER) and
    NdisMAllocateMapRegisters in MiniportInitialize, and every transfer
    through NdisMStartBufferPhysicalMapping: edu's DMA engine is programmed
    with each physical-mapping entry in turn, as a NIC's descriptor would be.
    Receive buffers grow with NdisMAllocateSharedMemoryAsync, delivered to
    MiniportAllocateComplete.

    edu's interrupt (raised at each DMA completion, and on demand through
    its raise register) goes to MiniportISR and MiniportHandleInterrupt
    (NdisMRegisterInterrupt); the DPC takes the status the ISR saved under
    NdisMSynchronizeWithInterrupt.  A periodic NDIS_MINIPORT_TIMER, its
    period read with NdisOpenConfiguration, counts housekeeping runs; the
    function's IDs are checked with NdisReadPciSlotInformation.

    Nothing here is Linux-specific; edu5_linux.c is the port's glue.

--*/

#define NDIS_MINIPORT_DRIVER 1
#define NDIS51_MINIPORT 1
#include <ndis.h>
#include "edu5.h"

/* edu finishes a transfer about 100 ms (virtual time) after the start
 * command; a loaded host stretches that. Polled at PASSIVE_LEVEL. */
#define EDU5_DMA_TIMEOUT_MS 5000

NDIS_STATUS
MiniportInitialize(
	_Out_ PNDIS_STATUS OpenErrorStatus,
	_Out_ PUINT SelectedMediumIndex,
	_In_ PNDIS_MEDIUM MediumArray,
	_In_ UINT MediumArraySize,
	_In_ NDIS_HANDLE MiniportAdapterHandle,
	_In_ NDIS_HANDLE WrapperConfigurationContext);

VOID
MiniportHalt(
	_In_ NDIS_HANDLE MiniportAdapterContext);

VOID
MiniportAllocateComplete(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ PVOID VirtualAddress,
	_In_ PNDIS_PHYSICAL_ADDRESS PhysicalAddress,
	_In_ ULONG Length,
	_In_ PVOID Context);

VOID
MiniportISR(
	_Out_ PBOOLEAN InterruptRecognized,
	_Out_ PBOOLEAN QueueMiniportHandleInterrupt,
	_In_ NDIS_HANDLE MiniportAdapterContext);

VOID
MiniportHandleInterrupt(
	_In_ NDIS_HANDLE MiniportAdapterContext);

VOID
Edu5TimerFunction(
	_In_ PVOID SystemSpecific1,
	_In_ PVOID FunctionContext,
	_In_ PVOID SystemSpecific2,
	_In_ PVOID SystemSpecific3);

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
	Chars.AllocateCompleteHandler = MiniportAllocateComplete;
	Chars.ISRHandler = MiniportISR;
	Chars.HandleInterruptHandler = MiniportHandleInterrupt;
	Status = NdisMRegisterMiniport(WrapperHandle, &Chars, sizeof(Chars));
	if (Status != NDIS_STATUS_SUCCESS) {
		DbgPrint(KERN_ERR "edu_dma_ndis5: NdisMRegisterMiniport: 0x%08x\n",
			 (ULONG)Status);
		NdisTerminateWrapper(WrapperHandle, NULL);
	}
	return Status;
}

/* The first memory range of the adapter's resources (edu's BAR0) and its
 * interrupt. */
static NDIS_STATUS
Edu5FindRegisters(
	_In_ NDIS_HANDLE WrapperConfigurationContext,
	_Out_ PNDIS_PHYSICAL_ADDRESS Physical,
	_Out_ PULONG Length,
	_Out_ PULONG InterruptVector,
	_Out_ PULONG InterruptLevel)
{
	BOOLEAN FoundMemory = FALSE;
	UCHAR Buffer[sizeof(NDIS_RESOURCE_LIST) +
		     7 * sizeof(CM_PARTIAL_RESOURCE_DESCRIPTOR)];
	PNDIS_RESOURCE_LIST Resources = (PNDIS_RESOURCE_LIST)Buffer;
	UINT Size = sizeof(Buffer);
	NDIS_STATUS Status;
	ULONG i;

	NdisMQueryAdapterResources(&Status, WrapperConfigurationContext,
				   Resources, &Size);
	if (Status != NDIS_STATUS_SUCCESS)
		return Status;
	*InterruptVector = 0;
	*InterruptLevel = 0;
	for (i = 0; i < Resources->Count; i++) {
		PCM_PARTIAL_RESOURCE_DESCRIPTOR Desc = &Resources->PartialDescriptors[i];

		if (Desc->Type == CmResourceTypeMemory && !FoundMemory) {
			*Physical = Desc->u.Memory.Start;
			*Length = Desc->u.Memory.Length;
			FoundMemory = TRUE;
		} else if (Desc->Type == CmResourceTypeInterrupt) {
			*InterruptVector = Desc->u.Interrupt.Vector;
			*InterruptLevel = Desc->u.Interrupt.Level;
		}
	}
	return FoundMemory ? NDIS_STATUS_SUCCESS : NDIS_STATUS_RESOURCE_CONFLICT;
}

/* The timer's period: the "TimerPeriod" keyword, else the default. */
static VOID
Edu5ReadConfiguration(
	_In_ PEDU5_ADAPTER Adapter,
	_In_ NDIS_HANDLE WrapperConfigurationContext)
{
	NDIS_STRING Keyword = NDIS_STRING_CONST("TimerPeriod");
	PNDIS_CONFIGURATION_PARAMETER Value;
	NDIS_HANDLE Configuration;
	NDIS_STATUS Status;

	Adapter->TimerPeriod = EDU5_DEFAULT_TIMER_PERIOD;
	NdisOpenConfiguration(&Status, &Configuration, WrapperConfigurationContext);
	Adapter->TimerPeriodStatus = Status;
	if (Status != NDIS_STATUS_SUCCESS)
		return;
	NdisReadConfiguration(&Status, &Value, Configuration, &Keyword,
			      NdisParameterInteger);
	Adapter->TimerPeriodStatus = Status;
	if (Status == NDIS_STATUS_SUCCESS && Value->ParameterData.IntegerData >= 1 &&
	    Value->ParameterData.IntegerData <= 10000)
		Adapter->TimerPeriod = Value->ParameterData.IntegerData;
	NdisCloseConfiguration(Configuration);
}

/* Is this edu?  The function's configuration header says. */
static NDIS_STATUS
Edu5CheckPciIds(
	_In_ PEDU5_ADAPTER Adapter)
{
	PCI_COMMON_CONFIG Config;

	Adapter->PciBytesRead = NdisReadPciSlotInformation(Adapter->MiniportAdapterHandle,
							   0, 0, &Config,
							   PCI_COMMON_HDR_LENGTH);
	if (Adapter->PciBytesRead != PCI_COMMON_HDR_LENGTH)
		return NDIS_STATUS_ADAPTER_NOT_FOUND;
	Adapter->VendorId = Config.VendorID;
	Adapter->DeviceId = Config.DeviceID;
	if (Config.VendorID != EDU_PCI_VENDOR_ID || Config.DeviceID != EDU_PCI_DEVICE_ID)
		return NDIS_STATUS_ADAPTER_NOT_FOUND;
	return NDIS_STATUS_SUCCESS;
}

NDIS_STATUS
MiniportInitialize(
	_Out_ PNDIS_STATUS OpenErrorStatus,
	_Out_ PUINT SelectedMediumIndex,
	_In_ PNDIS_MEDIUM MediumArray,
	_In_ UINT MediumArraySize,
	_In_ NDIS_HANDLE MiniportAdapterHandle,
	_In_ NDIS_HANDLE WrapperConfigurationContext)
{
	PEDU5_ADAPTER Adapter;
	NDIS_STATUS Status;
	ULONG Id;
	UINT i;

	*OpenErrorStatus = NDIS_STATUS_SUCCESS;
	for (i = 0; i < MediumArraySize; i++)
		if (MediumArray[i] == NdisMedium802_3)
			break;
	if (i == MediumArraySize)
		return NDIS_STATUS_UNSUPPORTED_MEDIA;
	*SelectedMediumIndex = i;

	Adapter = NdisAllocateMemoryWithTagPriority(MiniportAdapterHandle,
						    sizeof(*Adapter), EDU_POOL_TAG,
						    NormalPoolPriority);
	if (Adapter == NULL)
		return NDIS_STATUS_RESOURCES;
	NdisZeroMemory(Adapter, sizeof(*Adapter));
	Adapter->MiniportAdapterHandle = MiniportAdapterHandle;
	NdisAllocateSpinLock(&Adapter->Lock);

	/* A bus master: the map registers below are real only for one. */
	NdisMSetAttributesEx(MiniportAdapterHandle, (NDIS_HANDLE)Adapter, 0,
			     NDIS_ATTRIBUTE_BUS_MASTER | NDIS_ATTRIBUTE_DESERIALIZE,
			     NdisInterfacePci);

	Status = Edu5CheckPciIds(Adapter);
	if (Status != NDIS_STATUS_SUCCESS)
		goto FreeAdapter;
	Edu5ReadConfiguration(Adapter, WrapperConfigurationContext);
	Status = Edu5FindRegisters(WrapperConfigurationContext,
				   &Adapter->RegisterPhysical, &Adapter->RegisterLength,
				   &Adapter->InterruptVector, &Adapter->InterruptLevel);
	if (Status != NDIS_STATUS_SUCCESS)
		goto FreeAdapter;
	Status = NdisMMapIoSpace((PVOID *)&Adapter->RegisterBase, MiniportAdapterHandle,
				 Adapter->RegisterPhysical, Adapter->RegisterLength);
	if (Status != NDIS_STATUS_SUCCESS)
		goto FreeAdapter;
	NdisReadRegisterUlong((PULONG)(Adapter->RegisterBase + EDU_REG_ID), &Id);
	if (Id != EDU_ID_VALUE) {
		Status = NDIS_STATUS_ADAPTER_NOT_FOUND;
		goto Unmap;
	}

	/* edu's engine takes 64-bit addresses; the glue declares its real
	 * reach, which the shim applies on top. */
	Status = NdisMAllocateMapRegisters(MiniportAdapterHandle, 0, NDIS_DMA_64BITS,
					   EDU5_MAP_REGISTERS, EDU5_MAXIMUM_MAPPING);
	if (Status != NDIS_STATUS_SUCCESS) {
		DbgPrint(KERN_ERR "edu_dma_ndis5: NdisMAllocateMapRegisters: 0x%08x\n",
			 (ULONG)Status);
		goto Unmap;
	}
	Adapter->DmaSize = NDIS_DMA_64BITS;
	Adapter->MapRegistersAllocated = TRUE;

	NdisInitializeEvent(&Adapter->InterruptEvent);
	NdisInitializeEvent(&Adapter->TimerEvent);
	NdisMInitializeTimer(&Adapter->Timer, MiniportAdapterHandle, Edu5TimerFunction,
			     Adapter);
	Status = NdisMRegisterInterrupt(&Adapter->Interrupt, MiniportAdapterHandle,
				        Adapter->InterruptVector, Adapter->InterruptLevel,
				        TRUE, TRUE, NdisInterruptLevelSensitive);
	if (Status != NDIS_STATUS_SUCCESS) {
		DbgPrint(KERN_ERR "edu_dma_ndis5: NdisMRegisterInterrupt: 0x%08x\n",
			 (ULONG)Status);
		goto FreeMapRegisters;
	}
	Adapter->InterruptRegistered = TRUE;

	Status = Edu5PlatformAdapterStart(Adapter);
	if (Status != NDIS_STATUS_SUCCESS)
		goto DeregisterInterrupt;
	return NDIS_STATUS_SUCCESS;

DeregisterInterrupt:
	NdisMDeregisterInterrupt(&Adapter->Interrupt);
FreeMapRegisters:
	NdisMFreeMapRegisters(MiniportAdapterHandle);
Unmap:
	NdisMUnmapIoSpace(MiniportAdapterHandle, Adapter->RegisterBase,
			  Adapter->RegisterLength);
FreeAdapter:
	NdisFreeSpinLock(&Adapter->Lock);
	NdisFreeMemory(Adapter, sizeof(*Adapter), 0);
	return Status;
}

VOID
MiniportHalt(
	_In_ NDIS_HANDLE MiniportAdapterContext)
{
	PEDU5_ADAPTER Adapter = (PEDU5_ADAPTER)MiniportAdapterContext;
	BOOLEAN Cancelled;

	Edu5PlatformAdapterStop(Adapter);
	NdisMCancelTimer(&Adapter->Timer, &Cancelled);
	if (Adapter->InterruptRegistered)
		NdisMDeregisterInterrupt(&Adapter->Interrupt);
	if (Adapter->MapRegistersAllocated)
		NdisMFreeMapRegisters(Adapter->MiniportAdapterHandle);
	NdisMUnmapIoSpace(Adapter->MiniportAdapterHandle, Adapter->RegisterBase,
			  Adapter->RegisterLength);
	NdisFreeSpinLock(&Adapter->Lock);
	NdisFreeMemory(Adapter, sizeof(*Adapter), 0);
}

/*
 * NdisMAllocateSharedMemoryAsync's result, at PASSIVE_LEVEL: the block's
 * addresses, or NULL for both when the allocation failed.
 */
VOID
MiniportAllocateComplete(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ PVOID VirtualAddress,
	_In_ PNDIS_PHYSICAL_ADDRESS PhysicalAddress,
	_In_ ULONG Length,
	_In_ PVOID Context)
{
	PEDU5_ADAPTER Adapter = (PEDU5_ADAPTER)MiniportAdapterContext;
	PEDU5_SHARED_BLOCK Block = (PEDU5_SHARED_BLOCK)Context;

	NdisAcquireSpinLock(&Adapter->Lock);
	Block->VirtualAddress = VirtualAddress;
	Block->PhysicalAddressNull = PhysicalAddress == NULL;
	if (PhysicalAddress != NULL)
		Block->PhysicalAddress = *PhysicalAddress;
	Block->Length = Length;
	Block->Completed = TRUE;
	NdisReleaseSpinLock(&Adapter->Lock);
}

NDIS_STATUS
Edu5AllocateSharedBlock(
	_In_ PEDU5_ADAPTER Adapter,
	_In_ ULONG Length,
	_Inout_ PEDU5_SHARED_BLOCK Block)
{
	NdisZeroMemory(Block, sizeof(*Block));
	return NdisMAllocateSharedMemoryAsync(Adapter->MiniportAdapterHandle, Length,
					      FALSE, Block);
}

BOOLEAN
Edu5SharedBlockCompleted(
	_In_ PEDU5_ADAPTER Adapter,
	_In_ PEDU5_SHARED_BLOCK Block)
{
	BOOLEAN Completed;

	NdisAcquireSpinLock(&Adapter->Lock);
	Completed = Block->Completed;
	NdisReleaseSpinLock(&Adapter->Lock);
	return Completed;
}

/* One edu DMA between a bus address and edu's buffer, polled to the end. */
static NDIS_STATUS
Edu5Dma(
	_In_ PEDU5_ADAPTER Adapter,
	_In_ NDIS_PHYSICAL_ADDRESS Address,
	_In_ ULONG Length,
	_In_ ULONG DeviceOffset,
	_In_ BOOLEAN WriteToDevice)
{
	PUCHAR Regs = Adapter->RegisterBase;
	ULONG64 Bus = (ULONG64)Address.QuadPart;
	ULONG64 Edu = EDU_BUFFER_DEVICE_ADDRESS + DeviceOffset;
	ULONG Cmd, Waited;

	/* An adapter that declared 24 address lines (DmaSize NDIS_DMA_24BITS)
	 * would wrap above 16 MiB: NDIS must never hand it such an address. */
	if (Adapter->DmaSize == NDIS_DMA_24BITS && Bus + Length > 0x1000000)
		return NDIS_STATUS_FAILURE;
	if (WriteToDevice) {
		NdisWriteRegisterUlong((PULONG)(Regs + EDU_REG_DMA_SRC), (ULONG)Bus);
		NdisWriteRegisterUlong((PULONG)(Regs + EDU_REG_DMA_SRC + 4), (ULONG)(Bus >> 32));
		NdisWriteRegisterUlong((PULONG)(Regs + EDU_REG_DMA_DST), (ULONG)Edu);
		NdisWriteRegisterUlong((PULONG)(Regs + EDU_REG_DMA_DST + 4), 0);
		Cmd = EDU_DMA_CMD_RUN;
	} else {
		NdisWriteRegisterUlong((PULONG)(Regs + EDU_REG_DMA_SRC), (ULONG)Edu);
		NdisWriteRegisterUlong((PULONG)(Regs + EDU_REG_DMA_SRC + 4), 0);
		NdisWriteRegisterUlong((PULONG)(Regs + EDU_REG_DMA_DST), (ULONG)Bus);
		NdisWriteRegisterUlong((PULONG)(Regs + EDU_REG_DMA_DST + 4), (ULONG)(Bus >> 32));
		Cmd = EDU_DMA_CMD_RUN | EDU_DMA_CMD_FROM_DEVICE;
	}
	/* Completion raises EDU_INTR_DMA (counted by the DPC); the transfer
	 * itself is polled, as it runs at PASSIVE_LEVEL. */
	Cmd |= EDU_DMA_CMD_IRQ;
	NdisWriteRegisterUlong((PULONG)(Regs + EDU_REG_DMA_CNT), Length);
	NdisWriteRegisterUlong((PULONG)(Regs + EDU_REG_DMA_CNT + 4), 0);
	NdisWriteRegisterUlong((PULONG)(Regs + EDU_REG_DMA_CMD), Cmd);
	for (Waited = 0; Waited < EDU5_DMA_TIMEOUT_MS; Waited++) {
		NdisReadRegisterUlong((PULONG)(Regs + EDU_REG_DMA_CMD), &Cmd);
		if (!(Cmd & EDU_DMA_CMD_RUN))
			return NDIS_STATUS_SUCCESS;
		NdisMSleep(1000);
	}
	return NDIS_STATUS_FAILURE;
}

NDIS_STATUS
Edu5SharedBlockRoundtrip(
	_In_ PEDU5_ADAPTER Adapter,
	_In_ PEDU5_SHARED_BLOCK Tx,
	_In_ PEDU5_SHARED_BLOCK Rx,
	_In_ ULONG Length)
{
	NDIS_STATUS Status;

	if (Length > EDU_BUFFER_SIZE || Length > Tx->Length || Length > Rx->Length)
		return NDIS_STATUS_INVALID_LENGTH;
	Status = Edu5Dma(Adapter, Tx->PhysicalAddress, Length, 0, TRUE);
	if (Status == NDIS_STATUS_SUCCESS)
		Status = Edu5Dma(Adapter, Rx->PhysicalAddress, Length, 0, FALSE);
	return Status;
}

NDIS_STATUS
Edu5TransferBuffer(
	_In_ PEDU5_ADAPTER Adapter,
	_In_ PNDIS_BUFFER Buffer,
	_In_ ULONG MapRegister,
	_In_ BOOLEAN WriteToDevice,
	_In_ ULONG DeviceOffset,
	_Out_ PUINT Entries)
{
	NDIS_PHYSICAL_ADDRESS_UNIT Units[EDU5_MAX_PHYSICAL_UNITS];
	NDIS_STATUS Status = NDIS_STATUS_SUCCESS;
	UINT Count = 0, Needed, i;
	ULONG Moved = 0;

	*Entries = 0;
	if (Buffer != NULL) {
		NdisGetBufferPhysicalArraySize(Buffer, &Needed);
		if (Needed > EDU5_MAX_PHYSICAL_UNITS ||
		    DeviceOffset + MmGetMdlByteCount(Buffer) > EDU_BUFFER_SIZE)
			return NDIS_STATUS_INVALID_LENGTH;
	}
	NdisMStartBufferPhysicalMapping(Adapter->MiniportAdapterHandle, Buffer,
					MapRegister, WriteToDevice, Units, &Count);
	*Entries = Count;
	if (Count == 0)
		return NDIS_STATUS_RESOURCES;
	for (i = 0; i < Count && Status == NDIS_STATUS_SUCCESS; i++) {
		Status = Edu5Dma(Adapter, Units[i].PhysicalAddress, Units[i].Length,
				 DeviceOffset + Moved, WriteToDevice);
		Moved += Units[i].Length;
	}
	/* An engine that did not finish may still write the buffer: it stays
	 * mapped, and the caller must not free it (NDIS_STATUS_DEVICE_FAILED). */
	if (Status != NDIS_STATUS_SUCCESS)
		return NDIS_STATUS_DEVICE_FAILED;
	NdisMCompleteBufferPhysicalMapping(Adapter->MiniportAdapterHandle, Buffer,
					   MapRegister);
	return NDIS_STATUS_SUCCESS;
}

NDIS_STATUS
Edu5ReallocateMapRegisters(
	_In_ PEDU5_ADAPTER Adapter,
	_In_ BOOLEAN BusMaster,
	_In_ NDIS_DMA_SIZE DmaSize)
{
	NDIS_STATUS Status;

	if (Adapter->MapRegistersAllocated)
		NdisMFreeMapRegisters(Adapter->MiniportAdapterHandle);
	Adapter->MapRegistersAllocated = FALSE;
	NdisMSetAttributesEx(Adapter->MiniportAdapterHandle, (NDIS_HANDLE)Adapter, 0,
			     (BusMaster ? NDIS_ATTRIBUTE_BUS_MASTER : 0) |
				     NDIS_ATTRIBUTE_DESERIALIZE,
			     NdisInterfacePci);
	Status = NdisMAllocateMapRegisters(Adapter->MiniportAdapterHandle, 0, DmaSize,
					   EDU5_MAP_REGISTERS, EDU5_MAXIMUM_MAPPING);
	if (Status == NDIS_STATUS_SUCCESS) {
		Adapter->MapRegistersAllocated = TRUE;
		Adapter->DmaSize = DmaSize;
	}
	return Status;
}

/*
 * Interrupts.  edu raises EDU_INTR_DMA at a DMA completion and whatever
 * bits are written to its raise register; its interrupt status register
 * holds them until acknowledged.
 */
VOID
MiniportISR(
	_Out_ PBOOLEAN InterruptRecognized,
	_Out_ PBOOLEAN QueueMiniportHandleInterrupt,
	_In_ NDIS_HANDLE MiniportAdapterContext)
{
	PEDU5_ADAPTER Adapter = (PEDU5_ADAPTER)MiniportAdapterContext;
	ULONG Status;

	NdisReadRegisterUlong((PULONG)(Adapter->RegisterBase + EDU_REG_INTR_STATUS), &Status);
	if (Status == 0) {
		/* Not ours: the line may be shared. */
		*InterruptRecognized = FALSE;
		*QueueMiniportHandleInterrupt = FALSE;
		return;
	}
	NdisWriteRegisterUlong((PULONG)(Adapter->RegisterBase + EDU_REG_INTR_ACK), Status);
	Adapter->IsrStatus |= Status;
	Adapter->IsrCount++;
	*InterruptRecognized = TRUE;
	*QueueMiniportHandleInterrupt = TRUE;
}

typedef struct _EDU5_TAKE_STATUS {
	PEDU5_ADAPTER Adapter;
	ULONG Status;
} EDU5_TAKE_STATUS, *PEDU5_TAKE_STATUS;

/* Runs with the ISR held off: takes what it saved. */
static BOOLEAN
Edu5TakeIsrStatus(
	_In_ PVOID SynchronizeContext)
{
	PEDU5_TAKE_STATUS Take = (PEDU5_TAKE_STATUS)SynchronizeContext;

	Take->Status = Take->Adapter->IsrStatus;
	Take->Adapter->IsrStatus = 0;
	return Take->Status != 0;
}

VOID
MiniportHandleInterrupt(
	_In_ NDIS_HANDLE MiniportAdapterContext)
{
	PEDU5_ADAPTER Adapter = (PEDU5_ADAPTER)MiniportAdapterContext;
	EDU5_TAKE_STATUS Take;

	Take.Adapter = Adapter;
	Take.Status = 0;
	NdisInterlockedIncrement(&Adapter->DpcCount);
	if (!NdisMSynchronizeWithInterrupt(&Adapter->Interrupt,
					   (PVOID)Edu5TakeIsrStatus, &Take))
		return;
	if (Take.Status & EDU_INTR_DMA)
		NdisInterlockedIncrement(&Adapter->DmaInterrupts);
	if (Take.Status & EDU_INTR_FACTORIAL) {
		NdisInterlockedIncrement(&Adapter->RaiseInterrupts);
		NdisSetEvent(&Adapter->InterruptEvent);
	}
}

BOOLEAN
Edu5RaiseInterrupt(
	_In_ PEDU5_ADAPTER Adapter,
	_In_ ULONG TimeoutMs)
{
	NdisResetEvent(&Adapter->InterruptEvent);
	NdisWriteRegisterUlong((PULONG)(Adapter->RegisterBase + EDU_REG_INTR_RAISE),
			       EDU_INTR_FACTORIAL);
	return NdisWaitEvent(&Adapter->InterruptEvent, TimeoutMs);
}

/* The housekeeping timer: counts its runs (DISPATCH_LEVEL). */
VOID
Edu5TimerFunction(
	_In_ PVOID SystemSpecific1,
	_In_ PVOID FunctionContext,
	_In_ PVOID SystemSpecific2,
	_In_ PVOID SystemSpecific3)
{
	PEDU5_ADAPTER Adapter = (PEDU5_ADAPTER)FunctionContext;

	UNREFERENCED_PARAMETER(SystemSpecific1);
	UNREFERENCED_PARAMETER(SystemSpecific2);
	UNREFERENCED_PARAMETER(SystemSpecific3);
	if (NdisInterlockedIncrement(&Adapter->TimerCount) == Adapter->TimerTarget)
		NdisSetEvent(&Adapter->TimerEvent);
}

BOOLEAN
Edu5RunTimer(
	_In_ PEDU5_ADAPTER Adapter,
	_In_ BOOLEAN Periodic,
	_In_ ULONG Delay,
	_In_ LONG Runs,
	_In_ ULONG TimeoutMs,
	_Out_ PBOOLEAN Cancelled)
{
	BOOLEAN Fired;

	NdisResetEvent(&Adapter->TimerEvent);
	Adapter->TimerTarget = Adapter->TimerCount + Runs;
	if (Periodic)
		NdisMSetPeriodicTimer(&Adapter->Timer, Adapter->TimerPeriod);
	else
		NdisMSetTimer(&Adapter->Timer, Delay);
	Fired = NdisWaitEvent(&Adapter->TimerEvent, TimeoutMs);
	NdisMCancelTimer(&Adapter->Timer, Cancelled);
	return Fired;
}
