// SPDX-License-Identifier: GPL-2.0
/*
 * A Windows-style NDIS 5.0 NIC miniport's support code, the way Win2000-era
 * drivers wrote it: resources through NdisMPciAssignResources and
 * NdisImmediateRead/WritePciSlotInformation, receive-buffer free lists on
 * LIST_ENTRY and SINGLE_LIST_ENTRY with the NdisInterlocked forms, a
 * deferred reset through NdisInitializeWorkItem / NdisScheduleWorkItem,
 * device memory copied with the mapped-memory macros, registry strings
 * compared and converted, the packet descriptor size, the system's up time
 * and processors, NdisMGetDeviceProperty and NdisQueryPendingIOCount. It
 * must compile unchanged against include/ndis.h; it is never run.
 *
 * NDIS-CHECK-CONTRACTS: 50 51 51+50
 */

#include <ndis.h>

#define NIC_RX_BUFFERS 16

typedef struct _NIC_RX_BUFFER {
	LIST_ENTRY Link;
	SINGLE_LIST_ENTRY FreeLink;
	UCHAR Data[64];
} NIC_RX_BUFFER, *PNIC_RX_BUFFER;

typedef struct _NIC_ADAPTER {
	NDIS_HANDLE AdapterHandle;
	NDIS_HANDLE PacketPool;
	NDIS_SPIN_LOCK Lock;
	LIST_ENTRY RxReady;
	LIST_ENTRY RxDone;
	SINGLE_LIST_ENTRY RxFree;
	NIC_RX_BUFFER Rx[NIC_RX_BUFFERS];
	NDIS_WORK_ITEM ResetWorkItem;
	ULONG ResetCount;
	ULONG BytesSeen;
	PUCHAR Csr;
	UCHAR Shadow[32];
	NDIS_STRING Name;
	ULONG StartTime;
} NIC_ADAPTER, *PNIC_ADAPTER;

NDIS_STATUS DriverEntry(IN PDRIVER_OBJECT DriverObject, IN PUNICODE_STRING RegistryPath);

static VOID NicResetWorker(IN PNDIS_WORK_ITEM WorkItem, IN PVOID Context)
{
	PNIC_ADAPTER Adapter = (PNIC_ADAPTER)Context;
	PNIC_RX_BUFFER Rx;
	PLIST_ENTRY Entry;

	ASSERT(WorkItem == &Adapter->ResetWorkItem);
	NdisInterlockedIncrement((PLONG)&Adapter->ResetCount);
	while ((Entry = NdisInterlockedRemoveHeadList(&Adapter->RxDone, &Adapter->Lock)) != NULL) {
		Rx = CONTAINING_RECORD(Entry, NIC_RX_BUFFER, Link);
		NdisInterlockedPushEntryList(&Adapter->RxFree, &Rx->FreeLink, &Adapter->Lock);
	}
	NdisInterlockedDecrement((PLONG)&Adapter->ResetCount);
}

static VOID NicRecycle(PNIC_ADAPTER Adapter)
{
	PSINGLE_LIST_ENTRY Free;
	PNIC_RX_BUFFER Rx;
	PLIST_ENTRY Entry;

	Free = NdisInterlockedPopEntryList(&Adapter->RxFree, &Adapter->Lock);
	if (Free != NULL) {
		Rx = CONTAINING_RECORD(Free, NIC_RX_BUFFER, FreeLink);
		NdisInterlockedInsertTailList(&Adapter->RxReady, &Rx->Link, &Adapter->Lock);
	}
	NdisAcquireSpinLock(&Adapter->Lock);
	if (!IsListEmpty(&Adapter->RxReady)) {
		Entry = RemoveHeadList(&Adapter->RxReady);
		Rx = CONTAINING_RECORD(Entry, NIC_RX_BUFFER, Link);
		NdisMoveFromMappedMemory(Rx->Data, Adapter->Csr, sizeof(Rx->Data));
		NdisMoveToMappedMemory(Adapter->Csr, Rx->Data, 4);
		NdisMoveMappedMemory(Adapter->Shadow, Rx->Data, sizeof(Adapter->Shadow));
		NdisZeroMappedMemory(Adapter->Csr, 4);
		InsertTailList(&Adapter->RxDone, Entry);
	}
	if (!IsListEmpty(&Adapter->RxDone)) {
		Entry = RemoveTailList(&Adapter->RxDone);
		InsertHeadList(&Adapter->RxReady, Entry);
		(VOID)RemoveEntryList(Entry);
		PushEntryList(&Adapter->RxFree, &CONTAINING_RECORD(Entry, NIC_RX_BUFFER, Link)->FreeLink);
		(VOID)PopEntryList(&Adapter->RxFree);
	}
	NdisReleaseSpinLock(&Adapter->Lock);
	NdisInterlockedAddUlong(&Adapter->BytesSeen, 64, &Adapter->Lock);
	NdisInterlockedInsertHeadList(&Adapter->RxReady, &Adapter->Rx[0].Link, &Adapter->Lock);
	NdisInitializeWorkItem(&Adapter->ResetWorkItem, NicResetWorker, Adapter);
	if (NdisScheduleWorkItem(&Adapter->ResetWorkItem) != NDIS_STATUS_SUCCESS)
		Adapter->ResetCount = 0;
}

static NDIS_STATUS NicReadConfig(PNIC_ADAPTER Adapter, NDIS_HANDLE ConfigurationHandle)
{
	NDIS_STRING Keyword = NDIS_STRING_CONST("NetworkAddress");
	NDIS_STRING Wanted;
	PNDIS_CONFIGURATION_PARAMETER Value;
	ANSI_STRING Ansi;
	NDIS_ANSI_STRING Narrow;
	UNICODE_STRING Wide;
	CHAR AnsiBuffer[32];
	WCHAR WideBuffer[32];
	NDIS_STATUS Status;

	NdisInitUnicodeString(&Wanted, L"nic0");
	NdisReadConfiguration(&Status, &Value, ConfigurationHandle, &Keyword,
			      NdisParameterString);
	if (Status == NDIS_STATUS_SUCCESS &&
	    NdisEqualString(&Value->ParameterData.StringData, &Wanted, TRUE)) {
		Narrow.Buffer = AnsiBuffer;
		Narrow.Length = 0;
		Narrow.MaximumLength = sizeof(AnsiBuffer);
		Status = NdisUnicodeStringToAnsiString(&Narrow, &Value->ParameterData.StringData);
	}
	NdisInitAnsiString(&Ansi, "nic0");
	Wide.Buffer = WideBuffer;
	Wide.Length = 0;
	Wide.MaximumLength = sizeof(WideBuffer);
	Status = NdisAnsiStringToUnicodeString(&Wide, &Ansi);
	NdisInitializeString(&Adapter->Name, (PUCHAR)"nic0");
	return Status;
}

static NDIS_STATUS NicInitialize(OUT PNDIS_STATUS OpenErrorStatus, OUT PUINT SelectedMediumIndex,
				 IN PNDIS_MEDIUM MediumArray, IN UINT MediumArraySize,
				 IN NDIS_HANDLE MiniportAdapterHandle,
				 IN NDIS_HANDLE WrapperConfigurationContext)
{
	PNIC_ADAPTER Adapter;
	PNDIS_RESOURCE_LIST Resources;
	PDEVICE_OBJECT Pdo, Fdo, Next;
	PCM_RESOURCE_LIST Raw, Translated;
	NDIS_HANDLE Config;
	NDIS_STATUS Status;
	USHORT VendorId = 0, Command = 0;
	ULONG Pending = 0, Usage = 0, i;
	UINT PacketSize;

	*OpenErrorStatus = NDIS_STATUS_SUCCESS;
	if (MediumArraySize < 1 || MediumArray[0] != NdisMedium802_3)
		return NDIS_STATUS_UNSUPPORTED_MEDIA;
	*SelectedMediumIndex = 0;
	Status = NdisAllocateMemoryWithTag((PVOID *)&Adapter, sizeof(NIC_ADAPTER), 'cinN');
	if (Status != NDIS_STATUS_SUCCESS)
		return Status;
	NdisZeroMemory(Adapter, sizeof(NIC_ADAPTER));
	Adapter->AdapterHandle = MiniportAdapterHandle;
	NdisAllocateSpinLock(&Adapter->Lock);
	InitializeListHead(&Adapter->RxReady);
	InitializeListHead(&Adapter->RxDone);
	Adapter->RxFree.Next = NULL;
	for (i = 0; i < NIC_RX_BUFFERS; i++)
		PushEntryList(&Adapter->RxFree, &Adapter->Rx[i].FreeLink);

	Status = NdisMPciAssignResources(MiniportAdapterHandle, 0, &Resources);
	if (Status != NDIS_STATUS_SUCCESS || Resources->Count == 0)
		return NDIS_STATUS_RESOURCES;
	NdisImmediateReadPciSlotInformation(WrapperConfigurationContext, 0, 0, &VendorId,
					    sizeof(VendorId));
	NdisImmediateReadPciSlotInformation(WrapperConfigurationContext, 0, 4, &Command,
					    sizeof(Command));
	Command |= 0x4;
	NdisImmediateWritePciSlotInformation(WrapperConfigurationContext, 0, 4, &Command,
					     sizeof(Command));
	NdisMGetDeviceProperty(MiniportAdapterHandle, &Pdo, &Fdo, &Next, &Raw, &Translated);
	if (Raw == NULL || Raw->Count != 1 ||
	    Raw->List[0].InterfaceType != PCIBus ||
	    Translated->List[0].PartialResourceList.Count == 0 || Pdo != Next || Fdo == NULL)
		return NDIS_STATUS_FAILURE;
	NdisMGetDeviceProperty(MiniportAdapterHandle, NULL, NULL, NULL, NULL, NULL);

	PacketSize = NdisPacketSize(16);
	NdisAllocatePacketPool(&Status, &Adapter->PacketPool, NIC_RX_BUFFERS, 16);
	if (Status == NDIS_STATUS_SUCCESS)
		NdisSetPacketPoolProtocolId(Adapter->PacketPool, NDIS_PROTOCOL_ID_DEFAULT);
	NdisGetSystemUpTime(&Adapter->StartTime);
	if (NdisSystemProcessorCount() > 1)
		NdisGetCurrentProcessorCpuUsage(&Usage);
	Status = NdisQueryPendingIOCount(MiniportAdapterHandle, &Pending);
	NdisOpenConfiguration(&Status, &Config, WrapperConfigurationContext);
	if (Status == NDIS_STATUS_SUCCESS) {
		Status = NicReadConfig(Adapter, Config);
		NdisCloseConfiguration(Config);
	}
	NicRecycle(Adapter);
	NdisStallExecution(10);
	NdisMSleep(1000);
	NdisMSetAttributesEx(MiniportAdapterHandle, Adapter, 0, 0, NdisInterfacePci);
	return PacketSize && VendorId && Usage <= 100 ? NDIS_STATUS_SUCCESS : Status;
}

static VOID NicHalt(IN NDIS_HANDLE MiniportAdapterContext)
{
	PNIC_ADAPTER Adapter = (PNIC_ADAPTER)MiniportAdapterContext;

	if (Adapter->Name.Buffer != NULL)
		NdisFreeString(Adapter->Name);
	if (Adapter->PacketPool != NULL)
		NdisFreePacketPool(Adapter->PacketPool);
	NdisFreeSpinLock(&Adapter->Lock);
	NdisFreeMemory(Adapter, sizeof(NIC_ADAPTER), 0);
}

NDIS_STATUS DriverEntry(IN PDRIVER_OBJECT DriverObject, IN PUNICODE_STRING RegistryPath)
{
	NDIS_MINIPORT_CHARACTERISTICS Chars;
	NDIS_HANDLE Wrapper;
	NDIS_STATUS Status;

	NdisMInitializeWrapper(&Wrapper, DriverObject, RegistryPath, NULL);
	NdisZeroMemory(&Chars, sizeof(Chars));
	Chars.MajorNdisVersion = 5;
	Chars.MinorNdisVersion = 0;
	Chars.InitializeHandler = NicInitialize;
	Chars.HaltHandler = NicHalt;
	Status = NdisMRegisterMiniport(Wrapper, &Chars, sizeof(Chars));
	if (Status != NDIS_STATUS_SUCCESS)
		NdisTerminateWrapper(Wrapper, NULL);
	return Status;
}
