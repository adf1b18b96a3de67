// SPDX-License-Identifier: GPL-2.0
/*
 * ndis_loopnic - two NDIS 6.30 Ethernet adapters wired to each other in
 * software, for the shim's net_device bridge (tests/06-ndis6-loopnic.sh).
 *
 * The miniport binds QEMU's two edu functions only to have two adapters;
 * it never touches edu. A frame sent on one adapter is copied into a
 * receive NBL of the other and indicated there, through its packet filter,
 * as a NIC on the other end of a cable would. The miniport uses the calls
 * a real NIC does: general attributes, NBL pools with MDLs over its own
 * receive buffers, MiniportSendNetBufferLists / NdisMSendNetBufferListsComplete,
 * NdisMIndicateReceiveNetBufferLists (its last free buffer with
 * NDIS_RECEIVE_FLAGS_RESOURCES), MiniportReturnNetBufferLists, OID set
 * requests (the multicast list completed later, with
 * NdisMOidRequestComplete), a pause completed later (NdisMPauseComplete),
 * and the link state through NdisMIndicateStatusEx once restarted. What
 * completes later does so from NDIS I/O work items. MiniportCheckForHangEx
 * answers TRUE once each time the test writes the module parameter
 * "hang"; the reset it causes pends and completes from a work item, as an
 * addressing reset. What it saw is printed at unload for the test to check.
 */
#define NDIS_MINIPORT_DRIVER
#define NDIS630_MINIPORT

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/pci.h>

#include <ndis.h>
#include <ndis_linux.h>

#include "../loop_filter.h"

#define LOOP_RX_BUFFERS 8
#define LOOP_FRAME_MAX 1514
#define LOOP_TAG 'pooL'

typedef struct _LOOP_RX {
	PNET_BUFFER_LIST Nbl;
	PMDL Mdl;
	PUCHAR Buffer;
	BOOLEAN Free;
} LOOP_RX;

typedef struct _LOOP_ADAPTER {
	NDIS_HANDLE MiniportAdapterHandle;
	ULONG Index;
	UCHAR Mac[6];
	NDIS_SPIN_LOCK Lock;		/* the receive buffers */
	NDIS_HANDLE NblPool;
	LOOP_RX Rx[LOOP_RX_BUFFERS];
	ULONG PacketFilter;
	ULONG MulticastCount;
	BOOLEAN Running;
	/* A pended pause, OID request and reset, each completed from its
	 * own I/O work item. */
	NDIS_HANDLE PauseItem, OidItem, ResetItem;
	PNDIS_OID_REQUEST PendingOid;
	/* What the test checks at unload. */
	atomic_t Sent, Received, Filtered, Resources, Returned, Pauses, Restarts, Oids;
	atomic_t HangChecks, Resets;
} LOOP_ADAPTER, *PLOOP_ADAPTER;

static PLOOP_ADAPTER LoopAdapters[2];
static NDIS_HANDLE LoopDriverHandle;

/* Written by the test: the next hang check of each adapter answers TRUE. */
static atomic_t LoopHang = ATOMIC_INIT(0);

static int LoopSetHang(const char *Value, const struct kernel_param *Kp)
{
	atomic_set(&LoopHang, 3);	/* bit N: adapter N */
	return 0;
}

static const struct kernel_param_ops LoopHangOps = { .set = LoopSetHang };
module_param_cb(hang, &LoopHangOps, NULL, 0200);
MODULE_PARM_DESC(hang, "any write: each adapter's next MiniportCheckForHangEx answers TRUE");

static MINIPORT_INITIALIZE MiniportInitializeEx;
static MINIPORT_HALT MiniportHaltEx;
static MINIPORT_UNLOAD MiniportDriverUnload;
static MINIPORT_PAUSE MiniportPause;
static MINIPORT_RESTART MiniportRestart;
static MINIPORT_OID_REQUEST MiniportOidRequest;
static MINIPORT_SEND_NET_BUFFER_LISTS MiniportSendNetBufferLists;
static MINIPORT_RETURN_NET_BUFFER_LISTS MiniportReturnNetBufferLists;
static MINIPORT_CANCEL_SEND MiniportCancelSend;
static MINIPORT_SHUTDOWN MiniportShutdownEx;
static MINIPORT_DEVICE_PNP_EVENT_NOTIFY MiniportDevicePnPEventNotify;
static MINIPORT_CANCEL_OID_REQUEST MiniportCancelOidRequest;
static MINIPORT_CHECK_FOR_HANG MiniportCheckForHangEx;
static MINIPORT_RESET MiniportResetEx;

/* I/O work item routines (PASSIVE_LEVEL): each completes what it pended. */
static VOID LoopCompletePause(PVOID Context, NDIS_HANDLE WorkItem)
{
	PLOOP_ADAPTER Adapter = Context;

	NdisMSleep(10000);
	NdisMPauseComplete(Adapter->MiniportAdapterHandle);
}

static VOID LoopCompleteOid(PVOID Context, NDIS_HANDLE WorkItem)
{
	PLOOP_ADAPTER Adapter = Context;
	PNDIS_OID_REQUEST Oid = Adapter->PendingOid;

	NdisMSleep(5000);
	Adapter->PendingOid = NULL;
	NdisMOidRequestComplete(Adapter->MiniportAdapterHandle, Oid, NDIS_STATUS_SUCCESS);
}

static VOID LoopCompleteReset(PVOID Context, NDIS_HANDLE WorkItem)
{
	PLOOP_ADAPTER Adapter = Context;

	NdisMSleep(10000);
	atomic_inc(&Adapter->Resets);
	/* The filter and multicast list are gone: NDIS sets them again. */
	NdisMResetComplete(Adapter->MiniportAdapterHandle, NDIS_STATUS_SUCCESS, TRUE);
}

static VOID LoopIndicateLink(PLOOP_ADAPTER Adapter, NDIS_MEDIA_CONNECT_STATE State)
{
	NDIS_STATUS_INDICATION Ind;
	NDIS_LINK_STATE Link;

	NdisZeroMemory(&Link, sizeof(Link));
	Link.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
	Link.Header.Revision = NDIS_LINK_STATE_REVISION_1;
	Link.Header.Size = NDIS_SIZEOF_LINK_STATE_REVISION_1;
	Link.MediaConnectState = State;
	Link.MediaDuplexState = MediaDuplexStateFull;
	Link.XmitLinkSpeed = Link.RcvLinkSpeed = 1000000000ULL;
	NdisZeroMemory(&Ind, sizeof(Ind));
	Ind.Header.Type = NDIS_OBJECT_TYPE_STATUS_INDICATION;
	Ind.Header.Revision = NDIS_STATUS_INDICATION_REVISION_1;
	Ind.Header.Size = NDIS_SIZEOF_STATUS_INDICATION_REVISION_1;
	Ind.SourceHandle = Adapter->MiniportAdapterHandle;
	Ind.StatusCode = NDIS_STATUS_LINK_STATE;
	Ind.StatusBuffer = &Link;
	Ind.StatusBufferSize = sizeof(Link);
	NdisMIndicateStatusEx(Adapter->MiniportAdapterHandle, &Ind);
}

static NDIS_STATUS
MiniportInitializeEx(
	_In_ NDIS_HANDLE MiniportAdapterHandle,
	_In_ NDIS_HANDLE MiniportDriverContext,
	_In_ PNDIS_MINIPORT_INIT_PARAMETERS InitParameters)
{
	NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES Reg;
	NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES Gen;
	NET_BUFFER_LIST_POOL_PARAMETERS PoolParams;
	PLOOP_ADAPTER Adapter;
	NDIS_STATUS Status;
	ULONG i;

	Adapter = NdisAllocateMemoryWithTagPriority(MiniportAdapterHandle, sizeof(*Adapter),
						    LOOP_TAG, NormalPoolPriority);
	if (Adapter == NULL)
		return NDIS_STATUS_RESOURCES;
	NdisZeroMemory(Adapter, sizeof(*Adapter));
	Adapter->MiniportAdapterHandle = MiniportAdapterHandle;
	Adapter->Index = LoopAdapters[0] == NULL ? 0 : 1;
	/* Locally administered, unicast: 02:4e:44:49:53:0N. */
	Adapter->Mac[0] = 0x02; Adapter->Mac[1] = 0x4e; Adapter->Mac[2] = 0x44;
	Adapter->Mac[3] = 0x49; Adapter->Mac[4] = 0x53; Adapter->Mac[5] = (UCHAR)(Adapter->Index + 1);
	NdisAllocateSpinLock(&Adapter->Lock);

	NdisZeroMemory(&Reg, sizeof(Reg));
	Reg.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;
	Reg.Header.Revision = NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
	Reg.Header.Size = NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
	Reg.MiniportAdapterContext = Adapter;
	Reg.AttributeFlags = NDIS_MINIPORT_ATTRIBUTES_NO_HALT_ON_SUSPEND;
	Reg.CheckForHangTimeInSeconds = 1;
	Reg.InterfaceType = NdisInterfacePci;
	Status = NdisMSetMiniportAttributes(MiniportAdapterHandle,
					    (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&Reg);
	if (Status != NDIS_STATUS_SUCCESS)
		goto Fail;

	Adapter->PauseItem = NdisAllocateIoWorkItem(MiniportAdapterHandle);
	Adapter->OidItem = NdisAllocateIoWorkItem(MiniportAdapterHandle);
	Adapter->ResetItem = NdisAllocateIoWorkItem(MiniportAdapterHandle);
	if (Adapter->PauseItem == NULL || Adapter->OidItem == NULL || Adapter->ResetItem == NULL) {
		Status = NDIS_STATUS_RESOURCES;
		goto Fail;
	}

	NdisZeroMemory(&Gen, sizeof(Gen));
	Gen.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES;
	Gen.Header.Revision = NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_1;
	Gen.Header.Size = NDIS_SIZEOF_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_1;
	Gen.MediaType = NdisMedium802_3;
	Gen.PhysicalMediumType = NdisPhysicalMedium802_3;
	Gen.MtuSize = 1500;
	Gen.MaxXmitLinkSpeed = Gen.MaxRcvLinkSpeed = 1000000000ULL;
	Gen.XmitLinkSpeed = Gen.RcvLinkSpeed = NDIS_LINK_SPEED_UNKNOWN;
	/* Down until restarted: the carrier comes from the indication. */
	Gen.MediaConnectState = MediaConnectStateDisconnected;
	Gen.MediaDuplexState = MediaDuplexStateUnknown;
	Gen.LookaheadSize = LOOP_FRAME_MAX;
	Gen.MacOptions = NDIS_MAC_OPTION_COPY_LOOKAHEAD_DATA | NDIS_MAC_OPTION_NO_LOOPBACK;
	Gen.SupportedPacketFilters = NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_MULTICAST |
				     NDIS_PACKET_TYPE_ALL_MULTICAST | NDIS_PACKET_TYPE_BROADCAST |
				     NDIS_PACKET_TYPE_PROMISCUOUS;
	Gen.MaxMulticastListSize = 32;
	Gen.MacAddressLength = 6;
	NdisMoveMemory(Gen.PermanentMacAddress, Adapter->Mac, 6);
	NdisMoveMemory(Gen.CurrentMacAddress, Adapter->Mac, 6);
	Gen.AccessType = NET_IF_ACCESS_BROADCAST;
	Gen.DirectionType = NET_IF_DIRECTION_SENDRECEIVE;
	Gen.ConnectionType = NET_IF_CONNECTION_DEDICATED;
	Gen.IfType = IF_TYPE_ETHERNET_CSMACD;
	Gen.IfConnectorPresent = TRUE;
	Status = NdisMSetMiniportAttributes(MiniportAdapterHandle,
					    (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&Gen);
	if (Status != NDIS_STATUS_SUCCESS)
		goto Fail;

	NdisZeroMemory(&PoolParams, sizeof(PoolParams));
	PoolParams.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
	PoolParams.Header.Revision = NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
	PoolParams.Header.Size = NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
	PoolParams.fAllocateNetBuffer = TRUE;
	PoolParams.PoolTag = LOOP_TAG;
	Adapter->NblPool = NdisAllocateNetBufferListPool(MiniportAdapterHandle, &PoolParams);
	if (Adapter->NblPool == NULL) {
		Status = NDIS_STATUS_RESOURCES;
		goto Fail;
	}
	for (i = 0; i < LOOP_RX_BUFFERS; i++) {
		LOOP_RX *Rx = &Adapter->Rx[i];

		Rx->Buffer = NdisAllocateMemoryWithTagPriority(MiniportAdapterHandle,
							       LOOP_FRAME_MAX, LOOP_TAG,
							       NormalPoolPriority);
		if (Rx->Buffer != NULL)
			Rx->Mdl = NdisAllocateMdl(MiniportAdapterHandle, Rx->Buffer, LOOP_FRAME_MAX);
		if (Rx->Mdl != NULL)
			Rx->Nbl = NdisAllocateNetBufferAndNetBufferList(Adapter->NblPool, 0, 0,
									Rx->Mdl, 0, 0);
		if (Rx->Nbl == NULL) {
			Status = NDIS_STATUS_RESOURCES;
			goto Fail;
		}
		/* Which buffer an NBL coming back is. */
		Rx->Nbl->MiniportReserved[0] = Rx;
		Rx->Free = TRUE;
	}
	LoopAdapters[Adapter->Index] = Adapter;
	return NDIS_STATUS_SUCCESS;

Fail:
	for (i = 0; i < LOOP_RX_BUFFERS; i++) {
		if (Adapter->Rx[i].Nbl != NULL)
			NdisFreeNetBufferList(Adapter->Rx[i].Nbl);
		if (Adapter->Rx[i].Mdl != NULL)
			NdisFreeMdl(Adapter->Rx[i].Mdl);
		if (Adapter->Rx[i].Buffer != NULL)
			NdisFreeMemory(Adapter->Rx[i].Buffer, LOOP_FRAME_MAX, 0);
	}
	if (Adapter->NblPool != NULL)
		NdisFreeNetBufferListPool(Adapter->NblPool);
	if (Adapter->PauseItem != NULL)
		NdisFreeIoWorkItem(Adapter->PauseItem);
	if (Adapter->OidItem != NULL)
		NdisFreeIoWorkItem(Adapter->OidItem);
	if (Adapter->ResetItem != NULL)
		NdisFreeIoWorkItem(Adapter->ResetItem);
	NdisFreeSpinLock(&Adapter->Lock);
	NdisFreeMemory(Adapter, sizeof(*Adapter), 0);
	return Status;
}

static VOID
MiniportHaltEx(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ NDIS_HALT_ACTION HaltAction)
{
	PLOOP_ADAPTER Adapter = MiniportAdapterContext;
	ULONG i;

	/* Nothing is queued: the pause, every OID and every reset completed. */
	NdisFreeIoWorkItem(Adapter->PauseItem);
	NdisFreeIoWorkItem(Adapter->OidItem);
	NdisFreeIoWorkItem(Adapter->ResetItem);
	LoopAdapters[Adapter->Index] = NULL;
	pr_info("ndis_loopnic %u: sent=%d received=%d filtered=%d resources=%d returned=%d pauses=%d restarts=%d oids=%d filter=0x%x multicast=%u hang_checks=%d resets=%d\n",
		Adapter->Index, atomic_read(&Adapter->Sent), atomic_read(&Adapter->Received),
		atomic_read(&Adapter->Filtered), atomic_read(&Adapter->Resources),
		atomic_read(&Adapter->Returned), atomic_read(&Adapter->Pauses),
		atomic_read(&Adapter->Restarts), atomic_read(&Adapter->Oids),
		Adapter->PacketFilter, Adapter->MulticastCount,
		atomic_read(&Adapter->HangChecks), atomic_read(&Adapter->Resets));
	for (i = 0; i < LOOP_RX_BUFFERS; i++) {
		if (!Adapter->Rx[i].Free)
			pr_err("ndis_loopnic %u: receive buffer %u never returned\n", Adapter->Index, i);
		NdisFreeNetBufferList(Adapter->Rx[i].Nbl);
		NdisFreeMdl(Adapter->Rx[i].Mdl);
		NdisFreeMemory(Adapter->Rx[i].Buffer, LOOP_FRAME_MAX, 0);
	}
	NdisFreeNetBufferListPool(Adapter->NblPool);
	NdisFreeSpinLock(&Adapter->Lock);
	NdisFreeMemory(Adapter, sizeof(*Adapter), 0);
}

static NDIS_STATUS
MiniportPause(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ PNDIS_MINIPORT_PAUSE_PARAMETERS PauseParameters)
{
	PLOOP_ADAPTER Adapter = MiniportAdapterContext;

	/* Nothing is outstanding here: sends complete at once, receive
	 * buffers come back at once. Completed later all the same. */
	Adapter->Running = FALSE;
	atomic_inc(&Adapter->Pauses);
	NdisQueueIoWorkItem(Adapter->PauseItem, LoopCompletePause, Adapter);
	return NDIS_STATUS_PENDING;
}

static NDIS_STATUS
MiniportRestart(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ PNDIS_MINIPORT_RESTART_PARAMETERS RestartParameters)
{
	PLOOP_ADAPTER Adapter = MiniportAdapterContext;

	Adapter->Running = TRUE;
	atomic_inc(&Adapter->Restarts);
	LoopIndicateLink(Adapter, MediaConnectStateConnected);
	return NDIS_STATUS_SUCCESS;
}

static NDIS_STATUS
MiniportOidRequest(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ PNDIS_OID_REQUEST OidRequest)
{
	PLOOP_ADAPTER Adapter = MiniportAdapterContext;
	struct _SET *Set = &OidRequest->DATA.SET_INFORMATION;

	if (OidRequest->RequestType != NdisRequestSetInformation)
		return NDIS_STATUS_NOT_SUPPORTED;
	atomic_inc(&Adapter->Oids);
	switch (Set->Oid) {
	case OID_GEN_CURRENT_PACKET_FILTER:
		if (Set->InformationBufferLength < sizeof(ULONG)) {
			Set->BytesNeeded = sizeof(ULONG);
			return NDIS_STATUS_INVALID_LENGTH;
		}
		Adapter->PacketFilter = *(PULONG)Set->InformationBuffer;
		Set->BytesRead = sizeof(ULONG);
		return NDIS_STATUS_SUCCESS;
	case OID_802_3_MULTICAST_LIST:
		if (Set->InformationBufferLength % 6)
			return NDIS_STATUS_INVALID_LENGTH;
		Adapter->MulticastCount = Set->InformationBufferLength / 6;
		Set->BytesRead = Set->InformationBufferLength;
		/* Pended, as a NIC programming a hash table might. */
		Adapter->PendingOid = OidRequest;
		NdisQueueIoWorkItem(Adapter->OidItem, LoopCompleteOid, Adapter);
		return NDIS_STATUS_PENDING;
	default:
		return NDIS_STATUS_NOT_SUPPORTED;
	}
}

/* Whether the packet filter lets a frame for @Dest in. */
static BOOLEAN LoopAccepts(PLOOP_ADAPTER Adapter, const UCHAR *Dest)
{
	return LoopFilterAccepts(Adapter->PacketFilter, Adapter->Mac, Dest);
}

/* Copies one sent NET_BUFFER into a free receive buffer of @Peer and indicates it. */
static VOID LoopDeliver(PLOOP_ADAPTER Peer, PNET_BUFFER Nb)
{
	ULONG Length = NET_BUFFER_DATA_LENGTH(Nb), Left = Length, Skip;
	PMDL Mdl = NET_BUFFER_CURRENT_MDL(Nb);
	LOOP_RX *Rx = NULL;
	ULONG i, Free = 0, Flags;
	PUCHAR To;

	if (!Peer->Running || Length < 14 || Length > LOOP_FRAME_MAX)
		return;
	NdisDprAcquireSpinLock(&Peer->Lock);
	for (i = 0; i < LOOP_RX_BUFFERS; i++) {
		if (!Peer->Rx[i].Free)
			continue;
		Free++;
		if (Rx == NULL)
			Rx = &Peer->Rx[i];
	}
	if (Rx != NULL)
		Rx->Free = FALSE;
	NdisDprReleaseSpinLock(&Peer->Lock);
	if (Rx == NULL)
		return;
	To = Rx->Buffer;
	Skip = NET_BUFFER_CURRENT_MDL_OFFSET(Nb);
	for (; Mdl != NULL && Left > 0; Mdl = Mdl->Next) {
		ULONG Take = MmGetMdlByteCount(Mdl) - Skip;

		if (Take > Left)
			Take = Left;
		NdisMoveMemory(To, (PUCHAR)MmGetSystemAddressForMdlSafe(Mdl, NormalPagePriority) + Skip, Take);
		To += Take;
		Left -= Take;
		Skip = 0;
	}
	if (Left != 0 || !LoopAccepts(Peer, Rx->Buffer)) {
		atomic_inc(&Peer->Filtered);
		Rx->Free = TRUE;
		return;
	}
	NET_BUFFER_DATA_LENGTH(NET_BUFFER_LIST_FIRST_NB(Rx->Nbl)) = Length;
	NET_BUFFER_LIST_STATUS(Rx->Nbl) = NDIS_STATUS_SUCCESS;
	Flags = NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL;
	/* Low on buffers (the last free one, and one frame in 16 as if it
	 * were): the protocol must copy it now and hand nothing back. */
	if (atomic_inc_return(&Peer->Received) % 16 == 0 || Free == 1)
		Flags |= NDIS_RECEIVE_FLAGS_RESOURCES;
	NdisMIndicateReceiveNetBufferLists(Peer->MiniportAdapterHandle, Rx->Nbl,
					   NDIS_DEFAULT_PORT_NUMBER, 1, Flags);
	if (Flags & NDIS_RECEIVE_FLAGS_RESOURCES) {
		atomic_inc(&Peer->Resources);
		Rx->Free = TRUE;
	}
}

static VOID
MiniportSendNetBufferLists(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ PNET_BUFFER_LIST NetBufferLists,
	_In_ NDIS_PORT_NUMBER PortNumber,
	_In_ ULONG SendFlags)
{
	PLOOP_ADAPTER Adapter = MiniportAdapterContext;
	PLOOP_ADAPTER Peer = LoopAdapters[Adapter->Index ^ 1];
	PNET_BUFFER_LIST Nbl;
	PNET_BUFFER Nb;

	for (Nbl = NetBufferLists; Nbl != NULL; Nbl = NET_BUFFER_LIST_NEXT_NBL(Nbl)) {
		if (!Adapter->Running) {
			NET_BUFFER_LIST_STATUS(Nbl) = NDIS_STATUS_PAUSED;
			continue;
		}
		for (Nb = NET_BUFFER_LIST_FIRST_NB(Nbl); Nb != NULL; Nb = NET_BUFFER_NEXT_NB(Nb)) {
			atomic_inc(&Adapter->Sent);
			if (Peer != NULL)
				LoopDeliver(Peer, Nb);
		}
		NET_BUFFER_LIST_STATUS(Nbl) = NDIS_STATUS_SUCCESS;
	}
	NdisMSendNetBufferListsComplete(Adapter->MiniportAdapterHandle, NetBufferLists,
					NDIS_TEST_SEND_AT_DISPATCH_LEVEL(SendFlags) ?
						NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL : 0);
}

static VOID
MiniportReturnNetBufferLists(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ PNET_BUFFER_LIST NetBufferLists,
	_In_ ULONG ReturnFlags)
{
	PLOOP_ADAPTER Adapter = MiniportAdapterContext;
	PNET_BUFFER_LIST Nbl;

	for (Nbl = NetBufferLists; Nbl != NULL; Nbl = NET_BUFFER_LIST_NEXT_NBL(Nbl)) {
		LOOP_RX *Rx = Nbl->MiniportReserved[0];

		atomic_inc(&Adapter->Returned);
		Rx->Free = TRUE;
	}
}

static BOOLEAN
MiniportCheckForHangEx(
	_In_ NDIS_HANDLE MiniportAdapterContext)
{
	PLOOP_ADAPTER Adapter = MiniportAdapterContext;
	int Bit = 1 << Adapter->Index;

	atomic_inc(&Adapter->HangChecks);
	return (atomic_fetch_andnot(Bit, &LoopHang) & Bit) != 0;
}

static NDIS_STATUS
MiniportResetEx(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_Out_ PBOOLEAN AddressingReset)
{
	PLOOP_ADAPTER Adapter = MiniportAdapterContext;

	*AddressingReset = FALSE;	/* said again at completion */
	NdisQueueIoWorkItem(Adapter->ResetItem, LoopCompleteReset, Adapter);
	return NDIS_STATUS_PENDING;
}

static VOID MiniportCancelSend(NDIS_HANDLE MiniportAdapterContext, PVOID CancelId) { }
static VOID MiniportShutdownEx(NDIS_HANDLE MiniportAdapterContext, NDIS_SHUTDOWN_ACTION Action) { }
static VOID MiniportDevicePnPEventNotify(NDIS_HANDLE MiniportAdapterContext,
					 PNET_DEVICE_PNP_EVENT NetDevicePnPEvent) { }
static VOID MiniportCancelOidRequest(NDIS_HANDLE MiniportAdapterContext, PVOID RequestId) { }

static VOID MiniportDriverUnload(PDRIVER_OBJECT DriverObject)
{
	NdisMDeregisterMiniportDriver(LoopDriverHandle);
}

NDIS_LINUX_DRIVER_ENTRY DriverEntry;

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
	NDIS_MINIPORT_DRIVER_CHARACTERISTICS Chars;

	NdisZeroMemory(&Chars, sizeof(Chars));
	Chars.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS;
	Chars.Header.Revision = NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
	Chars.Header.Size = NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
	Chars.MajorNdisVersion = NDIS_MINIPORT_MAJOR_VERSION;
	Chars.MinorNdisVersion = NDIS_MINIPORT_MINOR_VERSION;
	Chars.MajorDriverVersion = 1;
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
	Chars.CheckForHangHandlerEx = MiniportCheckForHangEx;
	Chars.ResetHandlerEx = MiniportResetEx;
	return NdisMRegisterMiniportDriver(DriverObject, RegistryPath, NULL, &Chars,
					   &LoopDriverHandle);
}

static const struct pci_device_id ndis_loopnic_ids[] = {
	{ PCI_DEVICE(0x1234, 0x11e8) },
	{ }
};

NDIS_LINUX_PCI_MINIPORT(ndis_loopnic, ndis_loopnic_ids, DriverEntry, 64, NULL);

MODULE_DESCRIPTION("Two NDIS 6.30 Ethernet adapters wired together in software (ndis-shim test)");
MODULE_LICENSE("GPL");
