// SPDX-License-Identifier: GPL-2.0
/*
 * A Windows-style NDIS 5.x miniport for a port-I/O NIC of the XP era
 * (the shape of the DDK's ne2000/pcnet-era drivers): interrupts with
 * NdisMRegisterInterrupt, registers through NdisMRegisterIoPortRange and
 * the NdisRaw*Port* macros (port numbers held in pointers and ULONG_PTRs,
 * as drivers do), PCI configuration through NdisReadPciSlotInformation
 * and PCI_COMMON_CONFIG, NDIS_MINIPORT_TIMER and NDIS_TIMER, NDIS_EVENT,
 * the adapter shutdown handler and NdisOpenConfiguration. It must compile
 * unchanged against include/ndis.h; it is never run.
 *
 * NDIS-CHECK-CONTRACTS: 50 51 51+50
 */

#include <ndis.h>

#define IO_PORTS 0x20
#define REG_RDP  0x10
#define REG_RAP  0x12

typedef struct _IO_ADAPTER {
	NDIS_HANDLE AdapterHandle;
	NDIS_MINIPORT_INTERRUPT Interrupt;
	NDIS_MINIPORT_TIMER WatchdogTimer;
	NDIS_TIMER LegacyTimer;
	NDIS_EVENT ResetEvent;
	PVOID PortOffset;
	ULONG_PTR IoBase;
	UINT IoBaseAddress;
	ULONG InterruptVector;
	ULONG InterruptLevel;
	UCHAR PermanentAddress[6];
	USHORT Csr0;
} IO_ADAPTER, *PIO_ADAPTER;

NDIS_STATUS DriverEntry(IN PDRIVER_OBJECT DriverObject, IN PUNICODE_STRING RegistryPath);

static VOID IoIsr(OUT PBOOLEAN InterruptRecognized, OUT PBOOLEAN QueueMiniportHandleInterrupt,
		  IN NDIS_HANDLE MiniportAdapterContext)
{
	PIO_ADAPTER Adapter = (PIO_ADAPTER)MiniportAdapterContext;
	USHORT Csr0;

	NdisRawWritePortUshort(Adapter->IoBase + REG_RAP, 0);
	NdisRawReadPortUshort(Adapter->IoBase + REG_RDP, &Csr0);
	*InterruptRecognized = (Csr0 & 0x80) != 0;
	*QueueMiniportHandleInterrupt = *InterruptRecognized;
	Adapter->Csr0 = Csr0;
}

static BOOLEAN IoSyncReadCsr0(IN PVOID SynchronizeContext)
{
	PIO_ADAPTER Adapter = (PIO_ADAPTER)SynchronizeContext;

	NdisRawWritePortUshort((PUCHAR)Adapter->PortOffset + REG_RAP, 0);
	NdisRawReadPortUshort((PUCHAR)Adapter->PortOffset + REG_RDP, &Adapter->Csr0);
	return TRUE;
}

static VOID IoHandleInterrupt(IN NDIS_HANDLE MiniportAdapterContext)
{
	PIO_ADAPTER Adapter = (PIO_ADAPTER)MiniportAdapterContext;

	NdisMSynchronizeWithInterrupt(&Adapter->Interrupt, IoSyncReadCsr0, Adapter);
	NdisSetEvent(&Adapter->ResetEvent);
}

static VOID IoEnableInterrupt(IN NDIS_HANDLE MiniportAdapterContext)
{
	PIO_ADAPTER Adapter = (PIO_ADAPTER)MiniportAdapterContext;

	NdisRawWritePortUlong(Adapter->IoBase + REG_RDP, 0x40UL);
}

static VOID IoDisableInterrupt(IN NDIS_HANDLE MiniportAdapterContext)
{
	PIO_ADAPTER Adapter = (PIO_ADAPTER)MiniportAdapterContext;
	ULONG Value;

	NdisRawReadPortUlong(Adapter->IoBase + REG_RDP, &Value);
	NdisRawWritePortUchar(Adapter->IoBase + REG_RDP, (UCHAR)Value);
}

static VOID IoWatchdog(IN PVOID SystemSpecific1, IN PVOID FunctionContext,
		       IN PVOID SystemSpecific2, IN PVOID SystemSpecific3)
{
	PIO_ADAPTER Adapter = (PIO_ADAPTER)FunctionContext;
	BOOLEAN Cancelled;

	UNREFERENCED_PARAMETER(SystemSpecific1);
	UNREFERENCED_PARAMETER(SystemSpecific2);
	UNREFERENCED_PARAMETER(SystemSpecific3);
	NdisCancelTimer(&Adapter->LegacyTimer, &Cancelled);
	NdisSetTimer(&Adapter->LegacyTimer, 100);
}

static VOID IoShutdown(IN PVOID ShutdownContext)
{
	PIO_ADAPTER Adapter = (PIO_ADAPTER)ShutdownContext;

	NdisRawWritePortUshort(Adapter->IoBase + REG_RAP, 0);
	NdisRawWritePortUshort(Adapter->IoBase + REG_RDP, 4);
}

static VOID IoHalt(IN NDIS_HANDLE MiniportAdapterContext)
{
	PIO_ADAPTER Adapter = (PIO_ADAPTER)MiniportAdapterContext;
	BOOLEAN Cancelled;

	NdisMCancelTimer(&Adapter->WatchdogTimer, &Cancelled);
	NdisCancelTimer(&Adapter->LegacyTimer, &Cancelled);
	NdisMDeregisterInterrupt(&Adapter->Interrupt);
	NdisMDeregisterAdapterShutdownHandler(Adapter->AdapterHandle);
	NdisMDeregisterIoPortRange(Adapter->AdapterHandle, Adapter->IoBaseAddress, IO_PORTS,
				   Adapter->PortOffset);
	NdisFreeMemory(Adapter, sizeof(*Adapter), 0);
}

static NDIS_STATUS IoInitialize(OUT PNDIS_STATUS OpenErrorStatus, OUT PUINT SelectedMediumIndex,
				IN PNDIS_MEDIUM MediumArray, IN UINT MediumArraySize,
				IN NDIS_HANDLE MiniportAdapterHandle,
				IN NDIS_HANDLE WrapperConfigurationContext)
{
	NDIS_STRING IoKeyword = NDIS_STRING_CONST("IoBaseAddress");
	PNDIS_CONFIGURATION_PARAMETER Value;
	PCI_COMMON_CONFIG PciConfig;
	NDIS_HANDLE Configuration;
	PIO_ADAPTER Adapter;
	NDIS_STATUS Status;
	ULONG Bytes;
	UINT i;

	*OpenErrorStatus = NDIS_STATUS_SUCCESS;
	if (MediumArraySize == 0 || MediumArray[0] != NdisMedium802_3)
		return NDIS_STATUS_UNSUPPORTED_MEDIA;
	*SelectedMediumIndex = 0;
	Status = NdisAllocateMemoryWithTag((PVOID *)&Adapter, sizeof(*Adapter), 'oiPM');
	if (Status != NDIS_STATUS_SUCCESS)
		return Status;
	NdisZeroMemory(Adapter, sizeof(*Adapter));
	Adapter->AdapterHandle = MiniportAdapterHandle;

	NdisOpenConfiguration(&Status, &Configuration, WrapperConfigurationContext);
	if (Status == NDIS_STATUS_SUCCESS) {
		NdisReadConfiguration(&Status, &Value, Configuration, &IoKeyword,
				      NdisParameterHexInteger);
		if (Status == NDIS_STATUS_SUCCESS)
			Adapter->IoBaseAddress = Value->ParameterData.IntegerData;
		NdisCloseConfiguration(Configuration);
	}

	Bytes = NdisReadPciSlotInformation(MiniportAdapterHandle, 0, 0, &PciConfig,
					   PCI_COMMON_HDR_LENGTH);
	if (Bytes != PCI_COMMON_HDR_LENGTH || PciConfig.VendorID != 0x1022)
		return NDIS_STATUS_ADAPTER_NOT_FOUND;
	Adapter->IoBaseAddress = PciConfig.u.type0.BaseAddresses[0] & ~3U;
	Adapter->InterruptLevel = Adapter->InterruptVector = PciConfig.u.type0.InterruptLine;
	PciConfig.Command |= 0x5;
	NdisWritePciSlotInformation(MiniportAdapterHandle, 0, FIELD_OFFSET(PCI_COMMON_CONFIG, Command),
				    &PciConfig.Command, sizeof(PciConfig.Command));

	NdisMSetAttributesEx(MiniportAdapterHandle, (NDIS_HANDLE)Adapter, 0,
			     NDIS_ATTRIBUTE_BUS_MASTER, NdisInterfacePci);
	Status = NdisMRegisterIoPortRange(&Adapter->PortOffset, MiniportAdapterHandle,
					  Adapter->IoBaseAddress, IO_PORTS);
	if (Status != NDIS_STATUS_SUCCESS)
		return Status;
	Adapter->IoBase = (ULONG_PTR)Adapter->PortOffset;
	for (i = 0; i < 6; i++)
		NdisRawReadPortUchar(Adapter->IoBase + i, &Adapter->PermanentAddress[i]);
	NdisRawReadPortBufferUchar(Adapter->PortOffset, Adapter->PermanentAddress, 6);
	NdisRawWritePortBufferUchar(Adapter->PortOffset, Adapter->PermanentAddress, 6);
	NdisRawReadPortBufferUshort(Adapter->IoBase, (PUSHORT)Adapter->PermanentAddress, 3);
	NdisRawWritePortBufferUshort(Adapter->IoBase, (PUSHORT)Adapter->PermanentAddress, 3);
	NdisRawReadPortBufferUlong(Adapter->IoBase, (PULONG)&Bytes, 1);
	NdisRawWritePortBufferUlong(Adapter->IoBase, (PULONG)&Bytes, 1);

	NdisInitializeEvent(&Adapter->ResetEvent);
	NdisResetEvent(&Adapter->ResetEvent);
	NdisMInitializeTimer(&Adapter->WatchdogTimer, MiniportAdapterHandle, IoWatchdog, Adapter);
	NdisInitializeTimer(&Adapter->LegacyTimer, IoWatchdog, Adapter);
	NdisMSetPeriodicTimer(&Adapter->WatchdogTimer, 2000);
	NdisMSetTimer(&Adapter->WatchdogTimer, 2000);

	Status = NdisMRegisterInterrupt(&Adapter->Interrupt, MiniportAdapterHandle,
					Adapter->InterruptVector, Adapter->InterruptLevel,
					TRUE, TRUE, NdisInterruptLevelSensitive);
	if (Status != NDIS_STATUS_SUCCESS) {
		NdisMDeregisterIoPortRange(MiniportAdapterHandle, Adapter->IoBaseAddress,
					   IO_PORTS, Adapter->PortOffset);
		return Status;
	}
	if (!NdisWaitEvent(&Adapter->ResetEvent, 500))
		Status = NDIS_STATUS_HARD_ERRORS;
	NdisMRegisterAdapterShutdownHandler(MiniportAdapterHandle, Adapter, IoShutdown);
	return Status;
}

NDIS_STATUS DriverEntry(IN PDRIVER_OBJECT DriverObject, IN PUNICODE_STRING RegistryPath)
{
	NDIS_MINIPORT_CHARACTERISTICS Chars;
	NDIS_HANDLE Wrapper;
	NDIS_INTERRUPT_MODE Mode = NdisInterruptLatched;

	(void)Mode;
	NdisMInitializeWrapper(&Wrapper, DriverObject, RegistryPath, NULL);
	NdisZeroMemory(&Chars, sizeof(Chars));
	Chars.MajorNdisVersion = 5;
	Chars.InitializeHandler = IoInitialize;
	Chars.HaltHandler = IoHalt;
	Chars.ISRHandler = IoIsr;
	Chars.HandleInterruptHandler = IoHandleInterrupt;
	Chars.EnableInterruptHandler = IoEnableInterrupt;
	Chars.DisableInterruptHandler = IoDisableInterrupt;
	return NdisMRegisterMiniport(Wrapper, &Chars, sizeof(Chars));
}
