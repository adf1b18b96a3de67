// SPDX-License-Identifier: GPL-2.0
/*
 * A Windows-style NDIS 5.1 (XP-era) deserialized NIC miniport's support
 * code: its own send queue on LIST_ENTRY under an NDIS_SPIN_LOCK (the
 * NdisInterlocked list calls, AppendTailList), a work item allocated per
 * use and freed by its routine (NdisScheduleWorkItem), the bus's device
 * objects and raw/translated resources (NdisMGetDeviceProperty), the
 * obsolete NdisMPciAssignResources beside NdisMQueryAdapterResources, PCI
 * configuration through the wrapper context, mapped-memory copies,
 * strings (NdisInitializeString / NdisFreeString, the conversions,
 * NdisEqualString), time, processors and CPU usage, the pending I/O count
 * and the packet calls NdisPacketSize / NdisSetPacketPoolProtocolId. It
 * must compile unchanged against include/ndis.h; it is never run.
 *
 * NDIS-CHECK-CONTRACTS: 50 51 51+50
 */

#include <ndis.h>

typedef struct _SEND_ENTRY {
	LIST_ENTRY Link;
	SINGLE_LIST_ENTRY Free;
	PNDIS_PACKET Packet;
} SEND_ENTRY, *PSEND_ENTRY;

typedef struct _MP_ADAPTER {
	NDIS_HANDLE Handle;
	NDIS_SPIN_LOCK SendLock;
	LIST_ENTRY SendQueue;
	LIST_ENTRY Staging;
	SINGLE_LIST_ENTRY FreeEntries;
	SEND_ENTRY Entries[8];
	LONG RefCount;
	ULONG QueuedBytes;
	PVOID Registers;
	ULONG RegisterCopy[4];
	NDIS_HANDLE RxPool;
	LARGE_INTEGER Started;
	ULONG UpTimeMs;
	ULONG CpuUsage;
	CCHAR Processors;
	PDEVICE_OBJECT Pdo;
	PDEVICE_OBJECT Fdo;
	PDEVICE_OBJECT NextDevice;
	NDIS_STRING DeviceName;
} MP_ADAPTER, *PMP_ADAPTER;

typedef struct _MP_WORK {
	NDIS_WORK_ITEM WorkItem;
	PMP_ADAPTER Adapter;
} MP_WORK, *PMP_WORK;

NDIS_STATUS DriverEntry(IN PDRIVER_OBJECT DriverObject, IN PUNICODE_STRING RegistryPath);

static VOID MpDeferredWork(PNDIS_WORK_ITEM WorkItem, PVOID Context)
{
	PMP_WORK Work = (PMP_WORK)Context;
	PMP_ADAPTER Adapter = Work->Adapter;
	PLIST_ENTRY Entry;
	ULONG Pending = 0;

	UNREFERENCED_PARAMETER(WorkItem);
	while ((Entry = NdisInterlockedRemoveHeadList(&Adapter->SendQueue,
						      &Adapter->SendLock)) != NULL) {
		PSEND_ENTRY Send = CONTAINING_RECORD(Entry, SEND_ENTRY, Link);

		NdisInterlockedPushEntryList(&Adapter->FreeEntries, &Send->Free,
					     &Adapter->SendLock);
	}
	if (NdisQueryPendingIOCount(Adapter->Handle, &Pending) == NDIS_STATUS_SUCCESS &&
	    Pending == 0)
		NdisInterlockedDecrement(&Adapter->RefCount);
	NdisFreeMemory(Work, sizeof(MP_WORK), 0);
}

static VOID MpQueueSend(PMP_ADAPTER Adapter, PNDIS_PACKET Packet, ULONG Bytes)
{
	PSINGLE_LIST_ENTRY Free;
	PSEND_ENTRY Send;
	PMP_WORK Work;

	Free = NdisInterlockedPopEntryList(&Adapter->FreeEntries, &Adapter->SendLock);
	if (Free == NULL)
		return;
	Send = CONTAINING_RECORD(Free, SEND_ENTRY, Free);
	Send->Packet = Packet;
	if (NDIS_GET_PACKET_PROTOCOL_TYPE(Packet) == NDIS_PROTOCOL_ID_TCP_IP)
		NdisInterlockedInsertHeadList(&Adapter->SendQueue, &Send->Link, &Adapter->SendLock);
	else
		NdisInterlockedInsertTailList(&Adapter->SendQueue, &Send->Link, &Adapter->SendLock);
	NdisInterlockedAddUlong(&Adapter->QueuedBytes, Bytes, &Adapter->SendLock);
	NdisInterlockedIncrement(&Adapter->RefCount);

	if (NdisAllocateMemoryWithTag((PVOID *)&Work, sizeof(MP_WORK), 'krWM') ==
	    NDIS_STATUS_SUCCESS) {
		Work->Adapter = Adapter;
		NdisInitializeWorkItem(&Work->WorkItem, MpDeferredWork, Work);
		NdisScheduleWorkItem(&Work->WorkItem);
	}
}

static VOID MpDrainStaging(PMP_ADAPTER Adapter)
{
	LIST_ENTRY Local;
	PLIST_ENTRY Entry;

	InitializeListHead(&Local);
	NdisAcquireSpinLock(&Adapter->SendLock);
	while (!IsListEmpty(&Adapter->Staging)) {
		Entry = RemoveHeadList(&Adapter->Staging);
		InsertTailList(&Local, Entry);
	}
	if (!IsListEmpty(&Local)) {
		Entry = Local.Flink;
		RemoveEntryList(&Local);
		AppendTailList(&Adapter->SendQueue, Entry);
	}
	if (!IsListEmpty(&Adapter->SendQueue)) {
		Entry = RemoveTailList(&Adapter->SendQueue);
		InsertHeadList(&Adapter->SendQueue, Entry);
	}
	NdisReleaseSpinLock(&Adapter->SendLock);
}

static VOID MpRegisters(PMP_ADAPTER Adapter)
{
	NdisMoveFromMappedMemory(Adapter->RegisterCopy, Adapter->Registers,
				 sizeof(Adapter->RegisterCopy));
	NdisMoveToMappedMemory((PUCHAR)Adapter->Registers + 16, Adapter->RegisterCopy,
			       sizeof(ULONG));
	NdisMoveMappedMemory(Adapter->RegisterCopy, Adapter->Registers, sizeof(ULONG));
	NdisZeroMappedMemory((PUCHAR)Adapter->Registers + 32, 8);
}

static BOOLEAN MpNameIs(PNDIS_STRING Name, PCSTR Wanted)
{
	ANSI_STRING Ansi;
	NDIS_STRING Wide;
	NDIS_ANSI_STRING Back;
	WCHAR WideBuffer[16];
	CHAR BackBuffer[16];

	NdisInitAnsiString(&Ansi, Wanted);
	Wide.Buffer = WideBuffer;
	Wide.Length = 0;
	Wide.MaximumLength = sizeof(WideBuffer);
	if (NdisAnsiStringToUnicodeString(&Wide, &Ansi) != NDIS_STATUS_SUCCESS)
		return FALSE;
	Back.Buffer = BackBuffer;
	Back.Length = 0;
	Back.MaximumLength = sizeof(BackBuffer);
	NdisUnicodeStringToAnsiString(&Back, &Wide);
	return NdisEqualString(Name, &Wide, FALSE);
}

static NDIS_STATUS MpInitialize(OUT PNDIS_STATUS OpenErrorStatus, OUT PUINT SelectedMediumIndex,
				IN PNDIS_MEDIUM MediumArray, IN UINT MediumArraySize,
				IN NDIS_HANDLE MiniportAdapterHandle,
				IN NDIS_HANDLE WrapperConfigurationContext)
{
	UCHAR Buffer[sizeof(NDIS_RESOURCE_LIST) + 8 * sizeof(CM_PARTIAL_RESOURCE_DESCRIPTOR)];
	PNDIS_RESOURCE_LIST Queried = (PNDIS_RESOURCE_LIST)Buffer;
	PNDIS_RESOURCE_LIST Assigned;
	PCM_RESOURCE_LIST Translated;
	NDIS_STRING Unicode;
	UINT Size = sizeof(Buffer), i;
	ULONG Bar0 = 0;
	PMP_ADAPTER Adapter;
	NDIS_STATUS Status;

	*OpenErrorStatus = NDIS_STATUS_SUCCESS;
	for (i = 0; i < MediumArraySize && MediumArray[i] != NdisMedium802_3; i++)
		;
	if (i == MediumArraySize)
		return NDIS_STATUS_UNSUPPORTED_MEDIA;
	*SelectedMediumIndex = i;
	Status = NdisAllocateMemoryWithTag((PVOID *)&Adapter, sizeof(*Adapter), 'tpaM');
	if (Status != NDIS_STATUS_SUCCESS)
		return Status;
	NdisZeroMemory(Adapter, sizeof(*Adapter));
	Adapter->Handle = MiniportAdapterHandle;
	NdisAllocateSpinLock(&Adapter->SendLock);
	InitializeListHead(&Adapter->SendQueue);
	InitializeListHead(&Adapter->Staging);
	for (i = 0; i < 8; i++)
		PushEntryList(&Adapter->FreeEntries, &Adapter->Entries[i].Free);
	(VOID)PopEntryList(&Adapter->FreeEntries);

	NdisMQueryAdapterResources(&Status, WrapperConfigurationContext, Queried, &Size);
	if (Status == NDIS_STATUS_SUCCESS)
		Status = NdisMPciAssignResources(MiniportAdapterHandle, 0, &Assigned);
	if (Status != NDIS_STATUS_SUCCESS || Assigned->Count != Queried->Count)
		return NDIS_STATUS_RESOURCES;
	if (NdisImmediateReadPciSlotInformation(WrapperConfigurationContext, 0, 0x10, &Bar0,
						sizeof(Bar0)) != sizeof(Bar0))
		return NDIS_STATUS_FAILURE;
	NdisImmediateWritePciSlotInformation(WrapperConfigurationContext, 0, 0x10, &Bar0,
					     sizeof(Bar0));
	NdisMGetDeviceProperty(MiniportAdapterHandle, &Adapter->Pdo, &Adapter->Fdo,
			       &Adapter->NextDevice, NULL, &Translated);

	NdisAllocatePacketPool(&Status, &Adapter->RxPool, 32, 4 * sizeof(PVOID));
	if (Status == NDIS_STATUS_SUCCESS)
		NdisSetPacketPoolProtocolId(Adapter->RxPool, NDIS_PROTOCOL_ID_TCP_IP);
	if (NdisPacketSize(4 * sizeof(PVOID)) < sizeof(NDIS_PACKET))
		return NDIS_STATUS_FAILURE;

	NdisGetCurrentSystemTime(&Adapter->Started);
	NdisGetSystemUpTime(&Adapter->UpTimeMs);
	Adapter->Processors = NdisSystemProcessorCount();
	NdisGetCurrentProcessorCpuUsage(&Adapter->CpuUsage);
	NdisStallExecution(50);
	NdisMSleep(10 * 1000);

	NdisInitializeString(&Adapter->DeviceName, (PUCHAR)"mp51");
	NdisInitUnicodeString(&Unicode, L"mp51");
	if (!MpNameIs(&Adapter->DeviceName, "mp51") ||
	    !NdisEqualString(&Adapter->DeviceName, &Unicode, TRUE))
		NdisFreeString(Adapter->DeviceName);
	MpDrainStaging(Adapter);
	if (Adapter->Registers != NULL)
		MpRegisters(Adapter);
	MpQueueSend(Adapter, NULL, 0);
	NdisMSetAttributesEx(MiniportAdapterHandle, Adapter, 0,
			     NDIS_ATTRIBUTE_DESERIALIZE | NDIS_ATTRIBUTE_BUS_MASTER,
			     NdisInterfacePci);
	return NDIS_STATUS_SUCCESS;
}

static VOID MpHalt(IN NDIS_HANDLE MiniportAdapterContext)
{
	PMP_ADAPTER Adapter = (PMP_ADAPTER)MiniportAdapterContext;

	while (Adapter->RefCount != 0)
		NdisMSleep(1000);
	if (Adapter->DeviceName.Buffer)
		NdisFreeString(Adapter->DeviceName);
	NdisFreePacketPool(Adapter->RxPool);
	NdisFreeMemory(Adapter, sizeof(*Adapter), 0);
}

NDIS_STATUS DriverEntry(IN PDRIVER_OBJECT DriverObject, IN PUNICODE_STRING RegistryPath)
{
	NDIS_MINIPORT_CHARACTERISTICS Chars;
	NDIS_HANDLE Wrapper;
	NDIS_STATUS Status;

	NdisMInitializeWrapper(&Wrapper, DriverObject, RegistryPath, NULL);
	NdisZeroMemory(&Chars, sizeof(Chars));
	Chars.MajorNdisVersion = 5;
	Chars.MinorNdisVersion = 1;
	Chars.InitializeHandler = MpInitialize;
	Chars.HaltHandler = MpHalt;
	Status = NdisMRegisterMiniport(Wrapper, &Chars, sizeof(Chars));
	if (Status != NDIS_STATUS_SUCCESS)
		NdisTerminateWrapper(Wrapper, NULL);
	return Status;
}
