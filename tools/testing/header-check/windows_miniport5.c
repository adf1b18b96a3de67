// SPDX-License-Identifier: GPL-2.0
/*
 * A Windows-style NDIS 5.1 bus-master miniport, in the shape of the DDK's
 * e100bex/e1000 samples of the XP era: every NDIS51_MINIPORT_CHARACTERISTICS
 * handler filled in with its DDK signature, map registers allocated in
 * MiniportInitialize, a send path built on physical mapping. It must
 * compile unchanged against include/ndis.h (-DNDIS51_MINIPORT or
 * -DNDIS50_MINIPORT, or both as some DDK builds have it, which is 5.1);
 * it is never run.
 *
 * NDIS-CHECK-CONTRACTS: 50 51 51+50
 */

/* As some NDIS 5 sources do; the WDK computes the same value. */
#define NDIS_LEGACY_MINIPORT 1

#include <ndis.h>

#define MP_MAP_REGISTERS 16
#define MP_MAX_MAPPING   1514

typedef struct _MP_ADAPTER5 {
	NDIS_HANDLE AdapterHandle;
	PUCHAR CsrBase;
	ULONG CsrLength;
	NDIS_PHYSICAL_ADDRESS CsrPhysical;
	ULONG NextMapRegister;
} MP_ADAPTER5, *PMP_ADAPTER5;

NDIS_STATUS DriverEntry(IN PDRIVER_OBJECT DriverObject, IN PUNICODE_STRING RegistryPath);

static BOOLEAN MPCheckForHang(IN NDIS_HANDLE MiniportAdapterContext)
{
	UNREFERENCED_PARAMETER(MiniportAdapterContext);
	return FALSE;
}

static VOID MPDisableInterrupt(IN NDIS_HANDLE MiniportAdapterContext)
{
	UNREFERENCED_PARAMETER(MiniportAdapterContext);
}

static VOID MPEnableInterrupt(IN NDIS_HANDLE MiniportAdapterContext)
{
	UNREFERENCED_PARAMETER(MiniportAdapterContext);
}

static VOID MPHandleInterrupt(IN NDIS_HANDLE MiniportAdapterContext)
{
	UNREFERENCED_PARAMETER(MiniportAdapterContext);
}

static VOID MPIsr(OUT PBOOLEAN InterruptRecognized, OUT PBOOLEAN QueueMiniportHandleInterrupt,
		  IN NDIS_HANDLE MiniportAdapterContext)
{
	UNREFERENCED_PARAMETER(MiniportAdapterContext);
	*InterruptRecognized = FALSE;
	*QueueMiniportHandleInterrupt = FALSE;
}

static NDIS_STATUS MPQueryInformation(IN NDIS_HANDLE MiniportAdapterContext, IN NDIS_OID Oid,
				      IN PVOID InformationBuffer, IN ULONG InformationBufferLength,
				      OUT PULONG BytesWritten, OUT PULONG BytesNeeded)
{
	UNREFERENCED_PARAMETER(MiniportAdapterContext);
	UNREFERENCED_PARAMETER(Oid);
	UNREFERENCED_PARAMETER(InformationBuffer);
	UNREFERENCED_PARAMETER(InformationBufferLength);
	*BytesWritten = 0;
	*BytesNeeded = 0;
	return NDIS_STATUS_NOT_SUPPORTED;
}

static NDIS_STATUS MPSetInformation(IN NDIS_HANDLE MiniportAdapterContext, IN NDIS_OID Oid,
				    IN PVOID InformationBuffer, IN ULONG InformationBufferLength,
				    OUT PULONG BytesRead, OUT PULONG BytesNeeded)
{
	return MPQueryInformation(MiniportAdapterContext, Oid, InformationBuffer,
				  InformationBufferLength, BytesRead, BytesNeeded);
}

static NDIS_STATUS MPReset(OUT PBOOLEAN AddressingReset, IN NDIS_HANDLE MiniportAdapterContext)
{
	UNREFERENCED_PARAMETER(MiniportAdapterContext);
	*AddressingReset = FALSE;
	return NDIS_STATUS_SUCCESS;
}

static VOID MPReturnPacket(IN NDIS_HANDLE MiniportAdapterContext, IN PNDIS_PACKET Packet)
{
	UNREFERENCED_PARAMETER(MiniportAdapterContext);
	UNREFERENCED_PARAMETER(Packet);
}

static VOID MPSendPackets(IN NDIS_HANDLE MiniportAdapterContext, IN PPNDIS_PACKET PacketArray,
			  IN UINT NumberOfPackets)
{
	UNREFERENCED_PARAMETER(MiniportAdapterContext);
	UNREFERENCED_PARAMETER(PacketArray);
	UNREFERENCED_PARAMETER(NumberOfPackets);
}

static VOID MPAllocateComplete(IN NDIS_HANDLE MiniportAdapterContext, IN PVOID VirtualAddress,
			       IN PNDIS_PHYSICAL_ADDRESS PhysicalAddress, IN ULONG Length,
			       IN PVOID Context)
{
	UNREFERENCED_PARAMETER(MiniportAdapterContext);
	UNREFERENCED_PARAMETER(VirtualAddress);
	UNREFERENCED_PARAMETER(PhysicalAddress);
	UNREFERENCED_PARAMETER(Length);
	UNREFERENCED_PARAMETER(Context);
}

#ifdef NDIS51_MINIPORT
static VOID MPCancelSendPackets(IN NDIS_HANDLE MiniportAdapterContext, IN PVOID CancelId)
{
	UNREFERENCED_PARAMETER(MiniportAdapterContext);
	UNREFERENCED_PARAMETER(CancelId);
}

static VOID MPPnPEventNotify(IN NDIS_HANDLE MiniportAdapterContext,
			     IN NDIS_DEVICE_PNP_EVENT PnPEvent, IN PVOID InformationBuffer,
			     IN ULONG InformationBufferLength)
{
	UNREFERENCED_PARAMETER(MiniportAdapterContext);
	if (PnPEvent == NdisDevicePnPEventPowerProfileChanged &&
	    InformationBufferLength == sizeof(ULONG) &&
	    *(PULONG)InformationBuffer == NdisPowerProfileBattery)
		return;
}

static VOID MPShutdown(IN NDIS_HANDLE MiniportAdapterContext)
{
	UNREFERENCED_PARAMETER(MiniportAdapterContext);
}
#endif

/* Map one fragment, hand its pieces to the NIC, finish the mapping. */
static UINT MPSendFragment(PMP_ADAPTER5 Adapter, PNDIS_BUFFER Buffer)
{
	NDIS_PHYSICAL_ADDRESS_UNIT Units[8];
	ULONG Register = Adapter->NextMapRegister++ % MP_MAP_REGISTERS;
	UINT ArraySize, Needed, i;
	ULONG Total = 0;

	NdisGetBufferPhysicalArraySize(Buffer, &Needed);
	if (Needed > 8)
		return 0;
	NdisMStartBufferPhysicalMapping(Adapter->AdapterHandle, Buffer, Register, TRUE,
					Units, &ArraySize);
	for (i = 0; i < ArraySize; i++) {
		NdisWriteRegisterUlong((PULONG)(Adapter->CsrBase + 0x10),
				       NdisGetPhysicalAddressLow(Units[i].PhysicalAddress));
		Total += Units[i].Length;
	}
	NdisMCompleteBufferPhysicalMapping(Adapter->AdapterHandle, Buffer, Register);
	return Total == MmGetMdlByteCount(Buffer) ? ArraySize : 0;
}

static NDIS_STATUS MPInitialize(OUT PNDIS_STATUS OpenErrorStatus, OUT PUINT SelectedMediumIndex,
				IN PNDIS_MEDIUM MediumArray, IN UINT MediumArraySize,
				IN NDIS_HANDLE MiniportAdapterHandle,
				IN NDIS_HANDLE WrapperConfigurationContext)
{
	UCHAR ResourceBuffer[sizeof(NDIS_RESOURCE_LIST) + 4 * sizeof(CM_PARTIAL_RESOURCE_DESCRIPTOR)];
	PNDIS_RESOURCE_LIST Resources = (PNDIS_RESOURCE_LIST)ResourceBuffer;
	UINT ResourceSize = sizeof(ResourceBuffer);
	PMP_ADAPTER5 Adapter;
	NDIS_STATUS Status;
	UINT i;

	*OpenErrorStatus = NDIS_STATUS_SUCCESS;
	for (i = 0; i < MediumArraySize && MediumArray[i] != NdisMedium802_3; i++)
		;
	if (i == MediumArraySize)
		return NDIS_STATUS_UNSUPPORTED_MEDIA;
	*SelectedMediumIndex = i;

	Adapter = NdisAllocateMemoryWithTagPriority(MiniportAdapterHandle, sizeof(*Adapter),
						    'A5PM', NormalPoolPriority);
	if (Adapter == NULL)
		return NDIS_STATUS_RESOURCES;
	NdisZeroMemory(Adapter, sizeof(*Adapter));
	Adapter->AdapterHandle = MiniportAdapterHandle;
	NdisMSetAttributesEx(MiniportAdapterHandle, (NDIS_HANDLE)Adapter, 0,
			     NDIS_ATTRIBUTE_BUS_MASTER | NDIS_ATTRIBUTE_DESERIALIZE |
				     NDIS_ATTRIBUTE_SURPRISE_REMOVE_OK,
			     NdisInterfacePci);

	NdisMQueryAdapterResources(&Status, WrapperConfigurationContext, Resources, &ResourceSize);
	if (Status != NDIS_STATUS_SUCCESS)
		goto Free;
	for (i = 0; i < Resources->Count; i++) {
		if (Resources->PartialDescriptors[i].Type == CmResourceTypeMemory) {
			Adapter->CsrPhysical = Resources->PartialDescriptors[i].u.Memory.Start;
			Adapter->CsrLength = Resources->PartialDescriptors[i].u.Memory.Length;
		}
	}
	Status = NdisMMapIoSpace((PVOID *)&Adapter->CsrBase, MiniportAdapterHandle,
				 Adapter->CsrPhysical, Adapter->CsrLength);
	if (Status != NDIS_STATUS_SUCCESS)
		goto Free;
	Status = NdisMAllocateMapRegisters(MiniportAdapterHandle, 0, NDIS_DMA_32BITS,
					   MP_MAP_REGISTERS, MP_MAX_MAPPING);
	if (Status != NDIS_STATUS_SUCCESS)
		goto Unmap;
	/* Receive buffers arrive later, at MPAllocateComplete. */
	Status = NdisMAllocateSharedMemoryAsync(MiniportAdapterHandle, MP_MAX_MAPPING, TRUE,
						Adapter);
	if (Status != NDIS_STATUS_PENDING) {
		NdisMFreeMapRegisters(MiniportAdapterHandle);
		goto Unmap;
	}
	return NDIS_STATUS_SUCCESS;

Unmap:
	NdisMUnmapIoSpace(MiniportAdapterHandle, Adapter->CsrBase, Adapter->CsrLength);
Free:
	NdisFreeMemory(Adapter, sizeof(*Adapter), 0);
	return Status;
}

static VOID MPHalt(IN NDIS_HANDLE MiniportAdapterContext)
{
	PMP_ADAPTER5 Adapter = (PMP_ADAPTER5)MiniportAdapterContext;

	NdisMFreeMapRegisters(Adapter->AdapterHandle);
	NdisMUnmapIoSpace(Adapter->AdapterHandle, Adapter->CsrBase, Adapter->CsrLength);
	NdisFreeMemory(Adapter, sizeof(*Adapter), 0);
}

NDIS_STATUS DriverEntry(IN PDRIVER_OBJECT DriverObject, IN PUNICODE_STRING RegistryPath)
{
	NDIS_MINIPORT_CHARACTERISTICS MPChar;
	NDIS_HANDLE NdisWrapperHandle;
	NDIS_STATUS Status;

	NdisMInitializeWrapper(&NdisWrapperHandle, DriverObject, RegistryPath, NULL);
	NdisZeroMemory(&MPChar, sizeof(MPChar));
#ifdef NDIS51_MINIPORT
	MPChar.MajorNdisVersion = 5;
	MPChar.MinorNdisVersion = 1;
	MPChar.CancelSendPacketsHandler = MPCancelSendPackets;
	MPChar.PnPEventNotifyHandler = MPPnPEventNotify;
	MPChar.AdapterShutdownHandler = MPShutdown;
#else
	MPChar.MajorNdisVersion = 5;
	MPChar.MinorNdisVersion = 0;
#endif
	MPChar.CheckForHangHandler = MPCheckForHang;
	MPChar.DisableInterruptHandler = MPDisableInterrupt;
	MPChar.EnableInterruptHandler = MPEnableInterrupt;
	MPChar.HaltHandler = MPHalt;
	MPChar.HandleInterruptHandler = MPHandleInterrupt;
	MPChar.InitializeHandler = MPInitialize;
	MPChar.ISRHandler = MPIsr;
	MPChar.QueryInformationHandler = MPQueryInformation;
	MPChar.ResetHandler = MPReset;
	MPChar.SetInformationHandler = MPSetInformation;
	MPChar.ReturnPacketHandler = MPReturnPacket;
	MPChar.SendPacketsHandler = MPSendPackets;
	MPChar.AllocateCompleteHandler = MPAllocateComplete;

	Status = NdisMRegisterMiniport(NdisWrapperHandle, &MPChar,
				       sizeof(NDIS_MINIPORT_CHARACTERISTICS));
	if (Status != NDIS_STATUS_SUCCESS)
		NdisTerminateWrapper(NdisWrapperHandle, NULL);
	/* Referenced so -Wunused-function stays quiet in this compile-only file. */
	(void)MPSendFragment;
	return Status;
}
