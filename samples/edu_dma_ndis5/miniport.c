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
	Status = NdisMRegisterMiniport(WrapperHandle, &Chars, sizeof(Chars));
	if (Status != NDIS_STATUS_SUCCESS) {
		DbgPrint(KERN_ERR "edu_dma_ndis5: NdisMRegisterMiniport: 0x%08x\n",
			 (ULONG)Status);
		NdisTerminateWrapper(WrapperHandle, NULL);
	}
	return Status;
}

/* The first memory range of the adapter's resources: edu's BAR0. */
static NDIS_STATUS
Edu5FindRegisters(
	_In_ NDIS_HANDLE WrapperConfigurationContext,
	_Out_ PNDIS_PHYSICAL_ADDRESS Physical,
	_Out_ PULONG Length)
{
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
	for (i = 0; i < Resources->Count; i++) {
		PCM_PARTIAL_RESOURCE_DESCRIPTOR Desc = &Resources->PartialDescriptors[i];

		if (Desc->Type == CmResourceTypeMemory) {
			*Physical = Desc->u.Memory.Start;
			*Length = Desc->u.Memory.Length;
			return NDIS_STATUS_SUCCESS;
		}
	}
	return NDIS_STATUS_RESOURCE_CONFLICT;
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

	Status = Edu5FindRegisters(WrapperConfigurationContext,
				   &Adapter->RegisterPhysical, &Adapter->RegisterLength);
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

	Status = Edu5PlatformAdapterStart(Adapter);
	if (Status != NDIS_STATUS_SUCCESS)
		goto FreeMapRegisters;
	return NDIS_STATUS_SUCCESS;

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

	Edu5PlatformAdapterStop(Adapter);
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
