// SPDX-License-Identifier: GPL-2.0
/*
 * ndis5_ports.ko (support.c): the NDIS 5 support calls a NIC miniport makes,
 * checked from MiniportInitialize on the pcnet adapter, each against the
 * behaviour its Microsoft page documents (learn.microsoft.com, the wdm.h
 * and ndis.h reference pages named at each check):
 *
 *   - the LIST_ENTRY / SINGLE_LIST_ENTRY helpers and CONTAINING_RECORD,
 *     and the NdisInterlocked list forms (also under a held spin lock of
 *     another lock, at DISPATCH_LEVEL), NdisInterlockedAddUlong;
 *   - the mapped-memory copies, on memory the module owns;
 *   - NdisInitUnicodeString / NdisInitAnsiString, NdisEqualString, the
 *     two conversions (fit and overflow), NdisInitializeString /
 *     NdisFreeString;
 *   - NdisScheduleWorkItem, from PASSIVE_LEVEL and from DISPATCH_LEVEL:
 *     the routine runs at PASSIVE_LEVEL with its item and context;
 *   - NdisQueryPendingIOCount, NdisMPciAssignResources,
 *     NdisImmediateRead/WritePciSlotInformation, NdisMGetDeviceProperty
 *     on the adapter, and on a forged handle (refused, counted by the shim:
 *     the test checks rejected_calls);
 *   - NdisGetSystemUpTime, NdisSystemProcessorCount,
 *     NdisGetCurrentProcessorCpuUsage, NdisPacketSize (the distance of two
 *     descriptors of one pool) and NdisSetPacketPoolProtocolId.
 */
#include <linux/cpumask.h>
#include <linux/hardirq.h>
#include <linux/timekeeping.h>

#include "ports.h"

/* Names no adapter or pool: never handed out (handles are registry slots). */
#define FORGED ((NDIS_HANDLE)(ULONG_PTR)0x5a5a5a5a00000001ULL)

typedef struct _ITEM {
	LIST_ENTRY Link;
	SINGLE_LIST_ENTRY Single;
	ULONG Id;
} ITEM, *PITEM;

static ULONG IdOf(PLIST_ENTRY Entry)
{
	return Entry ? CONTAINING_RECORD(Entry, ITEM, Link)->Id : 0;
}

static ULONG SingleIdOf(PSINGLE_LIST_ENTRY Entry)
{
	return Entry ? CONTAINING_RECORD(Entry, ITEM, Single)->Id : 0;
}

/* The list's ids front to back, as decimal digits (ids are 1..9). */
static ULONG Order(PLIST_ENTRY Head)
{
	PLIST_ENTRY e;
	ULONG v = 0;

	for (e = Head->Flink; e != Head; e = e->Flink)
		v = v * 10 + IdOf(e);
	return v;
}

static VOID ListChecks(PPORTS_ADAPTER a)
{
	ITEM It[4] = { { .Id = 1 }, { .Id = 2 }, { .Id = 3 }, { .Id = 4 } };
	LIST_ENTRY Head;
	SINGLE_LIST_ENTRY SHead = { NULL };
	BOOLEAN Empty0, Last, NotLast;
	PLIST_ENTRY H, T;
	ULONG O1, O2;
	PSINGLE_LIST_ENTRY P1, P2, P3;

	/* InitializeListHead, IsListEmpty (wdm.h pages): empty, Flink = Blink
	 * = the head. InsertTailList/InsertHeadList insert at the tail/head. */
	InitializeListHead(&Head);
	Empty0 = IsListEmpty(&Head);
	InsertTailList(&Head, &It[0].Link);
	InsertTailList(&Head, &It[1].Link);
	InsertHeadList(&Head, &It[2].Link);
	O1 = Order(&Head);
	/* RemoveEntryList: "returns TRUE if, after removal, the list is empty". */
	NotLast = RemoveEntryList(&It[0].Link);
	/* RemoveHeadList / RemoveTailList return the entry removed. */
	H = RemoveHeadList(&Head);
	O2 = Order(&Head);
	InsertTailList(&Head, &It[3].Link);
	T = RemoveTailList(&Head);
	Last = RemoveEntryList(&It[1].Link);
	CHECK(a, Empty0 && O1 == 312 && !NotLast && IdOf(H) == 3 && O2 == 2 && IdOf(T) == 4 &&
		 Last && IsListEmpty(&Head),
	      "list helpers: insert head/tail order %u, RemoveEntryList FALSE then TRUE, RemoveHeadList %u, RemoveTailList %u",
	      O1, IdOf(H), IdOf(T));

	/* PushEntryList / PopEntryList: LIFO; PopEntryList of an empty list is
	 * NULL (its page). */
	PushEntryList(&SHead, &It[0].Single);
	PushEntryList(&SHead, &It[1].Single);
	P1 = PopEntryList(&SHead);
	P2 = PopEntryList(&SHead);
	P3 = PopEntryList(&SHead);
	CHECK(a, SingleIdOf(P1) == 2 && SingleIdOf(P2) == 1 && P3 == NULL,
	      "PushEntryList/PopEntryList: LIFO (%u %u), NULL when empty", SingleIdOf(P1),
	      SingleIdOf(P2));
}

static VOID InterlockedListChecks(PPORTS_ADAPTER a)
{
	ITEM It[3] = { { .Id = 1 }, { .Id = 2 }, { .Id = 3 } };
	NDIS_SPIN_LOCK Lock, Other;
	LIST_ENTRY Head;
	SINGLE_LIST_ENTRY SHead = { NULL };
	PLIST_ENTRY I1, I2, I3, R1, R2, R3, R4;
	PSINGLE_LIST_ENTRY S1, S2, S3, S4, S5;
	ULONG Counter = 40, Old;
	LONG Count = 0, Inc, Dec;

	NdisAllocateSpinLock(&Lock);
	NdisAllocateSpinLock(&Other);
	InitializeListHead(&Head);
	/* ExInterlockedInsertHeadList/TailList (what the NdisInterlocked forms
	 * are): "a pointer to the first entry of the list before the new entry
	 * was inserted. If the list was empty, the routine returns NULL";
	 * ExInterlockedRemoveHeadList: NULL when empty. */
	I1 = NdisInterlockedInsertHeadList(&Head, &It[0].Link, &Lock);
	I2 = NdisInterlockedInsertHeadList(&Head, &It[1].Link, &Lock);
	/* At DISPATCH_LEVEL, holding another spin lock. */
	NdisAcquireSpinLock(&Other);
	I3 = NdisInterlockedInsertTailList(&Head, &It[2].Link, &Lock);
	R1 = NdisInterlockedRemoveHeadList(&Head, &Lock);
	NdisReleaseSpinLock(&Other);
	R2 = NdisInterlockedRemoveHeadList(&Head, &Lock);
	R3 = NdisInterlockedRemoveHeadList(&Head, &Lock);
	R4 = NdisInterlockedRemoveHeadList(&Head, &Lock);
	CHECK(a, I1 == NULL && IdOf(I2) == 1 && IdOf(I3) == 1 && IdOf(R1) == 2 && IdOf(R2) == 1 &&
		 IdOf(R3) == 3 && R4 == NULL,
	      "NdisInterlockedInsertHead/TailList return the old first/last (NULL, %u, %u), RemoveHeadList %u %u %u then NULL",
	      IdOf(I2), IdOf(I3), IdOf(R1), IdOf(R2), IdOf(R3));

	/* ExInterlockedPushEntryList: the first entry before the push (NULL if
	 * none); ExInterlockedPopEntryList: the entry popped, NULL if empty. */
	S1 = NdisInterlockedPushEntryList(&SHead, &It[0].Single, &Lock);
	S2 = NdisInterlockedPushEntryList(&SHead, &It[1].Single, &Lock);
	S3 = NdisInterlockedPopEntryList(&SHead, &Lock);
	S4 = NdisInterlockedPopEntryList(&SHead, &Lock);
	S5 = NdisInterlockedPopEntryList(&SHead, &Lock);
	/* NdisInterlockedAddUlong: *Addend += Increment under the lock;
	 * NdisInterlockedIncrement/Decrement return the new value. */
	Old = NdisInterlockedAddUlong(&Counter, 2, &Lock);
	Inc = NdisInterlockedIncrement(&Count);
	Dec = NdisInterlockedDecrement(&Count);
	CHECK(a, S1 == NULL && SingleIdOf(S2) == 1 && SingleIdOf(S3) == 2 && SingleIdOf(S4) == 1 &&
		 S5 == NULL && Old == 40 && Counter == 42 && Inc == 1 && Dec == 0,
	      "NdisInterlockedPush/PopEntryList LIFO (pop %u %u then NULL), AddUlong 40+2=%u, Increment %d Decrement %d",
	      SingleIdOf(S3), SingleIdOf(S4), Counter, Inc, Dec);
	NdisFreeSpinLock(&Other);
	NdisFreeSpinLock(&Lock);
}

static VOID MappedMemoryChecks(PPORTS_ADAPTER a)
{
	static const UCHAR Pattern[16] = "0123456789abcdef";
	UCHAR *Mapped;
	UCHAR Back[16], Copy[16];
	BOOLEAN Ok;

	/* Memory the module owns stands in for a mapping: the macros copy. */
	Mapped = kzalloc(32, GFP_KERNEL);
	if (!Mapped) {
		CHECK(a, FALSE, "mapped-memory copies: no memory");
		return;
	}
	NdisMoveToMappedMemory(Mapped, Pattern, sizeof(Pattern));
	NdisMoveFromMappedMemory(Back, Mapped, sizeof(Back));
	NdisMoveMappedMemory(Copy, Mapped + 4, 8);
	Ok = !memcmp(Back, Pattern, 16) && !memcmp(Copy, Pattern + 4, 8);
	NdisZeroMappedMemory(Mapped + 2, 4);
	Ok = Ok && Mapped[1] == '1' && !Mapped[2] && !Mapped[5] && Mapped[6] == '6';
	CHECK(a, Ok, "NdisMoveTo/FromMappedMemory, NdisMoveMappedMemory copy; NdisZeroMappedMemory zeroes its range");
	kfree(Mapped);
}

static VOID StringChecks(PPORTS_ADAPTER a)
{
	NDIS_STRING Speed, Upper, Longer, Null, Init, Wide;
	NDIS_ANSI_STRING Ansi, Narrow;
	WCHAR WideBuf[8];
	CHAR NarrowBuf[8];
	NDIS_STATUS S1, S2, S3, S4;
	BOOLEAN Eq1, Eq2, Eq3;
	USHORT WideLen;

	/* RtlInitUnicodeString (NdisInitUnicodeString): Length the bytes
	 * without the terminator, MaximumLength with it; NULL: 0, 0.
	 * RtlInitString (NdisInitAnsiString): in bytes. */
	NdisInitUnicodeString(&Speed, L"Speed");
	NdisInitUnicodeString(&Upper, L"SPEED");
	NdisInitUnicodeString(&Longer, L"Speeds");
	NdisInitUnicodeString(&Null, NULL);
	NdisInitAnsiString(&Ansi, "Duplex");
	CHECK(a, Speed.Length == 10 && Speed.MaximumLength == 12 && !Null.Length &&
		 !Null.MaximumLength && !Null.Buffer && Ansi.Length == 6 && Ansi.MaximumLength == 7,
	      "NdisInitUnicodeString 10/12 (%u/%u), NULL 0/0, NdisInitAnsiString 6/7 (%u/%u)",
	      Speed.Length, Speed.MaximumLength, Ansi.Length, Ansi.MaximumLength);

	/* RtlEqualUnicodeString (NdisEqualString): TRUE for the same
	 * characters, upper-cased when CaseInSensitive. */
	Eq1 = NdisEqualString(&Speed, &Upper, TRUE);
	Eq2 = NdisEqualString(&Speed, &Upper, FALSE);
	Eq3 = NdisEqualString(&Speed, &Longer, TRUE);
	CHECK(a, Eq1 && !Eq2 && !Eq3,
	      "NdisEqualString: Speed/SPEED case-insensitive TRUE, sensitive FALSE, Speed/Speeds FALSE");

	/* NdisAnsiStringToUnicodeString (RtlAnsiStringToUnicodeString without
	 * allocating): the destination's buffer must hold the string; too
	 * small: STATUS_BUFFER_OVERFLOW. */
	Wide.Buffer = WideBuf;
	Wide.Length = 0;
	Wide.MaximumLength = sizeof(WideBuf);
	S1 = NdisAnsiStringToUnicodeString(&Wide, &Ansi);
	WideLen = Wide.Length;
	Wide.MaximumLength = 6;
	Wide.Length = 0;
	S2 = NdisAnsiStringToUnicodeString(&Wide, &Ansi);
	CHECK(a, S1 == NDIS_STATUS_SUCCESS && WideLen == 12 && WideBuf[0] == 'D' &&
		 WideBuf[5] == 'x' && WideBuf[6] == 0 && S2 == NDIS_STATUS_BUFFER_OVERFLOW &&
		 Wide.Length == 0,
	      "NdisAnsiStringToUnicodeString: SUCCESS, Length 12 (%u), terminated; short buffer BUFFER_OVERFLOW (0x%08x), unchanged",
	      WideLen, (u32)S2);

	/* NdisUnicodeStringToAnsiString: the reverse. */
	Narrow.Buffer = NarrowBuf;
	Narrow.Length = 0;
	Narrow.MaximumLength = sizeof(NarrowBuf);
	S3 = NdisUnicodeStringToAnsiString(&Narrow, &Speed);
	Eq1 = Narrow.Length == 5 && !memcmp(NarrowBuf, "Speed", 6);
	Narrow.MaximumLength = 4;
	S4 = NdisUnicodeStringToAnsiString(&Narrow, &Speed);
	CHECK(a, S3 == NDIS_STATUS_SUCCESS && Eq1 && S4 == NDIS_STATUS_BUFFER_OVERFLOW &&
		 Narrow.Length == 3 && !memcmp(NarrowBuf, "Spe", 4),
	      "NdisUnicodeStringToAnsiString: SUCCESS \"Speed\"; short buffer BUFFER_OVERFLOW (0x%08x) with what fits (%u)",
	      (u32)S4, Narrow.Length);

	/* NdisInitializeString: a Unicode copy the caller frees with
	 * NdisFreeString. */
	NdisInitializeString(&Init, (PUCHAR)"Speed");
	Eq1 = Init.Buffer && Init.Length == 10 && Init.MaximumLength == 12 && !Init.Buffer[5] &&
	      NdisEqualString(&Init, &Speed, FALSE);
	CHECK(a, Eq1, "NdisInitializeString: \"Speed\" as Unicode, 10/12 (%u/%u)", Init.Length,
	      Init.MaximumLength);
	if (Init.Buffer)
		NdisFreeString(Init);
}

typedef struct _WORK {
	NDIS_WORK_ITEM Item;
	NDIS_EVENT Done;
	PNDIS_WORK_ITEM Seen;
	PVOID SeenContext;
	KIRQL Irql;
	BOOLEAN Interrupt;
} WORK, *PWORK;

static VOID WorkRoutine(PNDIS_WORK_ITEM WorkItem, PVOID Context)
{
	PWORK w = Context;

	w->Seen = WorkItem;
	w->SeenContext = Context;
	w->Irql = KeGetCurrentIrql();
	w->Interrupt = in_interrupt() != 0;
	NdisSetEvent(&w->Done);
}

static VOID WorkItemChecks(PPORTS_ADAPTER a)
{
	NDIS_SPIN_LOCK Lock;
	NDIS_WORK_ITEM Bare;
	WORK w1, w2;
	NDIS_STATUS S1, S2, S3;
	BOOLEAN Ran1, Ran2;

	memset(&w1, 0, sizeof(w1));
	memset(&w2, 0, sizeof(w2));
	NdisInitializeEvent(&w1.Done);
	NdisInitializeEvent(&w2.Done);
	w1.Irql = w2.Irql = HIGH_LEVEL;
	/* NdisScheduleWorkItem "always succeeds"; the routine runs "at IRQL =
	 * PASSIVE_LEVEL" in a system thread, with the item and the context
	 * NdisInitializeWorkItem set. */
	NdisInitializeWorkItem(&w1.Item, WorkRoutine, &w1);
	S1 = NdisScheduleWorkItem(&w1.Item);
	Ran1 = NdisWaitEvent(&w1.Done, 10000);
	CHECK(a, S1 == NDIS_STATUS_SUCCESS && Ran1 && w1.Seen == &w1.Item &&
		 w1.SeenContext == &w1 && w1.Irql == PASSIVE_LEVEL && !w1.Interrupt,
	      "NdisScheduleWorkItem: SUCCESS (0x%08x), the routine ran at PASSIVE_LEVEL (%u) with its item and context",
	      (u32)S1, w1.Irql);

	/* From DISPATCH_LEVEL (a spin lock held). */
	NdisAllocateSpinLock(&Lock);
	NdisInitializeWorkItem(&w2.Item, WorkRoutine, &w2);
	NdisAcquireSpinLock(&Lock);
	S2 = NdisScheduleWorkItem(&w2.Item);
	NdisReleaseSpinLock(&Lock);
	NdisFreeSpinLock(&Lock);
	Ran2 = NdisWaitEvent(&w2.Done, 10000);
	/* No routine: Windows defines nothing; the shim refuses it (counted). */
	memset(&Bare, 0, sizeof(Bare));
	S3 = NdisScheduleWorkItem(&Bare);
	CHECK(a, S2 == NDIS_STATUS_SUCCESS && Ran2 && w2.Irql == PASSIVE_LEVEL &&
		 S3 == NDIS_STATUS_FAILURE,
	      "NdisScheduleWorkItem at DISPATCH_LEVEL: SUCCESS, run at PASSIVE_LEVEL; a NULL routine refused (0x%08x)",
	      (u32)S3);
}

static VOID AdapterChecks(PPORTS_ADAPTER a)
{
	UCHAR Buffer[sizeof(NDIS_RESOURCE_LIST) + 8 * sizeof(CM_PARTIAL_RESOURCE_DESCRIPTOR)];
	PNDIS_RESOURCE_LIST Queried = (PNDIS_RESOURCE_LIST)Buffer;
	PNDIS_RESOURCE_LIST Assigned = NULL, ForgedList = (PNDIS_RESOURCE_LIST)1;
	PDEVICE_OBJECT Pdo = NULL, Fdo = NULL, Next = NULL, Pdo2 = NULL, Fdo2 = NULL;
	PDEVICE_OBJECT FPdo = (PDEVICE_OBJECT)1, FFdo = (PDEVICE_OBJECT)1, FNext = (PDEVICE_OBJECT)1;
	PCM_RESOURCE_LIST Raw = NULL, Translated = NULL, FRaw = (PCM_RESOURCE_LIST)1;
	UINT Size = sizeof(Buffer);
	NDIS_STATUS Status, S1, S2, S3, S4;
	ULONG Ids = 0, Pending = 77, FPending = 77, Got, Put, Bad;
	UCHAR Line = 0, Scratch = 0x5a, Back = 0;
	u32 CfgIds = 0;

	/* NdisQueryPendingIOCount: "A zero count indicates that the specified
	 * adapter is not processing any I/O operations" (this miniport sends
	 * nothing); an invalid handle: NDIS_STATUS_FAILURE. */
	S1 = NdisQueryPendingIOCount(a->Handle, &Pending);
	S2 = NdisQueryPendingIOCount(FORGED, &FPending);
	CHECK(a, S1 == NDIS_STATUS_SUCCESS && Pending == 0 && S2 == NDIS_STATUS_FAILURE &&
		 FPending == 77,
	      "NdisQueryPendingIOCount: SUCCESS, 0 (%u); forged handle FAILURE (0x%08x)", Pending,
	      (u32)S2);

	/* NdisMPciAssignResources "returns NDIS_STATUS_SUCCESS" and the
	 * resources, those NdisMQueryAdapterResources gives. */
	NdisMQueryAdapterResources(&Status, a->Wrapper, Queried, &Size);
	S3 = NdisMPciAssignResources(a->Handle, 0, &Assigned);
	S4 = NdisMPciAssignResources(FORGED, 0, &ForgedList);
	CHECK(a, Status == NDIS_STATUS_SUCCESS && S3 == NDIS_STATUS_SUCCESS && Assigned &&
		 Assigned->Count == Queried->Count && Assigned->Count > 0 &&
		 !memcmp(Assigned->PartialDescriptors, Queried->PartialDescriptors,
			 Queried->Count * sizeof(CM_PARTIAL_RESOURCE_DESCRIPTOR)) &&
		 S4 == NDIS_STATUS_FAILURE && ForgedList == NULL,
	      "NdisMPciAssignResources: SUCCESS, the %u resources NdisMQueryAdapterResources gives; forged FAILURE, NULL",
	      Assigned ? Assigned->Count : 0);

	/* NdisImmediateReadPciSlotInformation: the bytes read (the function's
	 * IDs); the write form writes (Interrupt Line, a scratch register to
	 * the device, restored); a forged context transfers 0 bytes. */
	Got = NdisImmediateReadPciSlotInformation(a->Wrapper, 0, 0, &Ids, sizeof(Ids));
	pci_read_config_dword(a->Pdev, 0, &CfgIds);
	NdisImmediateReadPciSlotInformation(a->Wrapper, 0, PCI_INTERRUPT_LINE, &Line, 1);
	Put = NdisImmediateWritePciSlotInformation(a->Wrapper, 0, PCI_INTERRUPT_LINE, &Scratch, 1);
	NdisImmediateReadPciSlotInformation(a->Wrapper, 0, PCI_INTERRUPT_LINE, &Back, 1);
	NdisImmediateWritePciSlotInformation(a->Wrapper, 0, PCI_INTERRUPT_LINE, &Line, 1);
	Bad = NdisImmediateReadPciSlotInformation(FORGED, 0, 0, &Ids, sizeof(Ids)) +
	      NdisImmediateWritePciSlotInformation(FORGED, 0, PCI_INTERRUPT_LINE, &Scratch, 1);
	CHECK(a, Got == 4 && Ids == 0x20001022 && Ids == CfgIds && Put == 1 && Back == 0x5a &&
		 Bad == 0,
	      "NdisImmediateRead/WritePciSlotInformation: IDs 0x%08x (4 bytes), a register written and read back (0x%02x); forged 0 bytes",
	      Ids, Back);

	/* NdisMGetDeviceProperty: the PDO, FDO and next device objects (tokens
	 * on the shim, the next object the PDO) and the raw and translated
	 * CM_RESOURCE_LIST; all optional. */
	NdisMGetDeviceProperty(a->Handle, &Pdo, &Fdo, &Next, &Raw, &Translated);
	NdisMGetDeviceProperty(a->Handle, &Pdo2, &Fdo2, NULL, NULL, NULL);
	NdisMGetDeviceProperty(FORGED, &FPdo, &FFdo, &FNext, &FRaw, NULL);
	CHECK(a, Pdo && Fdo && Pdo != Fdo && Next == Pdo && Pdo2 == Pdo && Fdo2 == Fdo && Raw &&
		 Raw == Translated && Raw->Count == 1 && Raw->List[0].InterfaceType == PCIBus &&
		 Raw->List[0].BusNumber == a->Pdev->bus->number &&
		 Raw->List[0].PartialResourceList.Count == Queried->Count &&
		 !memcmp(Raw->List[0].PartialResourceList.PartialDescriptors,
			 Queried->PartialDescriptors,
			 Queried->Count * sizeof(CM_PARTIAL_RESOURCE_DESCRIPTOR)) &&
		 !FPdo && !FFdo && !FNext && !FRaw,
	      "NdisMGetDeviceProperty: stable PDO/FDO tokens, next = PDO, one PCIBus list of the %u resources on bus %u; forged all NULL",
	      Raw ? Raw->List[0].PartialResourceList.Count : 0, a->Pdev->bus->number);
}

static VOID SystemChecks(PPORTS_ADAPTER a)
{
	ULONG Up0 = 0, Up1 = 0, Usage = 1000;
	u64 Boot0, Boot1;
	CCHAR Cpus;

	/* NdisGetSystemUpTime: milliseconds since the system booted, read
	 * between two readings of the kernel's boot-time clock around a 20 ms
	 * NdisMSleep (1 ms of slack for truncation). The sleep's length is the
	 * kernel's timers' (under TCG a jiffies-based sleep can end a tick
	 * early by the boot-time clock), so only that the count moved is
	 * asked of it, and that it did not take seconds (20 s would be a
	 * sleep in milliseconds: 10 s leaves a loaded host room). */
	Boot0 = ktime_get_boottime_ns() / NSEC_PER_MSEC;
	NdisGetSystemUpTime(&Up0);
	NdisMSleep(20 * 1000);
	NdisGetSystemUpTime(&Up1);
	Boot1 = ktime_get_boottime_ns() / NSEC_PER_MSEC;
	CHECK(a, (u64)Up0 + 1 >= Boot0 && (u64)Up1 <= Boot1 + 1 && Up1 - Up0 >= 10 &&
	         Boot1 - Boot0 < 10000,
	      "NdisGetSystemUpTime: ms since boot (%u to %u, the kernel's %llu to %llu) over a 20 ms NdisMSleep",
	      Up0, Up1, Boot0, Boot1);

	/* NdisSystemProcessorCount: the processors; the CPU usage a percent. */
	Cpus = NdisSystemProcessorCount();
	NdisGetCurrentProcessorCpuUsage(&Usage);
	CHECK(a, Cpus == (CCHAR)num_online_cpus() && Usage <= 100,
	      "NdisSystemProcessorCount %d (online %u), NdisGetCurrentProcessorCpuUsage %u%%", Cpus,
	      num_online_cpus(), Usage);
}

static VOID PacketChecks(PPORTS_ADAPTER a)
{
	NDIS_HANDLE Pool = NULL;
	PNDIS_PACKET P1 = NULL, P2 = NULL, P3 = NULL;
	NDIS_STATUS Status, S1, S2, S3;
	UINT Size0, Size64, Type1 = 99;
	ULONG_PTR Stride;

	/* NdisPacketSize: "the size, in bytes, of packet descriptors
	 * (NDIS_PACKET) that are allocated with the size specified in
	 * ProtocolReservedSize": the distance between two descriptors of one
	 * pool, which holds its OOB data. */
	Size0 = NdisPacketSize(0);
	Size64 = NdisPacketSize(64);
	NdisAllocatePacketPool(&Status, &Pool, 2, 64);
	if (Status != NDIS_STATUS_SUCCESS) {
		CHECK(a, FALSE, "NdisAllocatePacketPool (0x%08x)", (u32)Status);
		CHECK(a, FALSE, "NdisSetPacketPoolProtocolId: no pool");
		return;
	}
	NdisAllocatePacket(&S1, &P1, Pool);
	if (P1)
		Type1 = NDIS_GET_PACKET_PROTOCOL_TYPE(P1);
	/* NdisSetPacketPoolProtocolId: the packets allocated from the pool
	 * from now on carry the protocol ID. */
	NdisSetPacketPoolProtocolId(Pool, NDIS_PROTOCOL_ID_TCP_IP);
	NdisAllocatePacket(&S2, &P2, Pool);
	Stride = P1 && P2 ? (ULONG_PTR)P2 - (ULONG_PTR)P1 : 0;
	CHECK(a, S1 == NDIS_STATUS_SUCCESS && S2 == NDIS_STATUS_SUCCESS && Stride == Size64 &&
		 Size0 >= sizeof(NDIS_PACKET) + sizeof(NDIS_PACKET_OOB_DATA) &&
		 Size64 > Size0 &&
		 P1->Private.NdisPacketOobOffset + sizeof(NDIS_PACKET_OOB_DATA) <= Size64,
	      "NdisPacketSize(64) %u = the pool's descriptor stride %lu (NdisPacketSize(0) %u)",
	      Size64, (unsigned long)Stride, Size0);
	if (P1)
		NdisFreePacket(P1);
	/* A forged pool handle: refused (counted). */
	NdisSetPacketPoolProtocolId(FORGED, NDIS_PROTOCOL_ID_IPX);
	NdisAllocatePacket(&S3, &P3, Pool);
	CHECK(a, S3 == NDIS_STATUS_SUCCESS && P2 &&
		 NDIS_GET_PACKET_PROTOCOL_TYPE(P2) == NDIS_PROTOCOL_ID_TCP_IP &&
		 P3 && NDIS_GET_PACKET_PROTOCOL_TYPE(P3) == NDIS_PROTOCOL_ID_TCP_IP &&
		 Type1 == NDIS_PROTOCOL_ID_DEFAULT,
	      "NdisSetPacketPoolProtocolId: later packets carry TCP_IP (%u), earlier DEFAULT",
	      P2 ? NDIS_GET_PACKET_PROTOCOL_TYPE(P2) : 99);
	if (P3)
		NdisFreePacket(P3);
	if (P2)
		NdisFreePacket(P2);
	NdisFreePacketPool(Pool);
}

VOID SupportChecks(PPORTS_ADAPTER a)
{
	ListChecks(a);
	InterlockedListChecks(a);
	MappedMemoryChecks(a);
	StringChecks(a);
	WorkItemChecks(a);
	AdapterChecks(a);
	SystemChecks(a);
	PacketChecks(a);
}
