// SPDX-License-Identifier: GPL-2.0
/*
 * ndis5_loopnic - two NDIS 5.1 Ethernet adapters wired to each other in
 * software, for the shim's NDIS 5 data path (tests/14-ndis5-loopnic.sh).
 *
 * The NDIS 5 twin of ndis_loopnic: it binds QEMU's two edu functions only
 * to have two adapters and never touches edu. A frame sent on one adapter
 * (MiniportSendPackets) is received on the other, through its packet
 * filter, either with NdisMEthIndicateReceive and a short lookahead (the
 * rest fetched by MiniportTransferData, every fourth transfer pended and
 * finished with NdisMTransferDataComplete) or, with indicate_packets=1,
 * with NdisMIndicateReceivePacket from the adapter's own receive packets
 * (the last free one, and one in 16, with status NDIS_STATUS_RESOURCES;
 * the others come back through MiniportReturnPacket).
 *
 * Serialized unless deserialize=1: a serialized SendPackets says each
 * packet's fate with NDIS_SET_PACKET_STATUS (one in 8 PENDING, finished
 * by NdisMSendComplete from a timer; with refuse_every=N one in N
 * NDIS_STATUS_RESOURCES, NdisMSendResourcesAvailable following from a
 * timer); a deserialized one completes every packet with
 * NdisMSendComplete. Query information answers the OIDs a NIC answers
 * (OID_GEN_LINK_SPEED pended, completed by NdisMQueryInformationComplete
 * from a timer); set information takes the packet filter and, pended,
 * the multicast list (NdisMSetInformationComplete). The media connects
 * (NdisMIndicateStatus) a second after initialization. A write to the
 * parameter "hang" makes each adapter's next MiniportCheckForHang answer
 * TRUE; the MiniportReset that follows pends and completes from a timer.
 * What it saw is printed at halt for the test to check.
 */
#define NDIS_MINIPORT_DRIVER
#define NDIS51_MINIPORT

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/pci.h>

#include <ndis.h>
#include <ndis_linux.h>

#include "../loop_filter.h"

#define LOOP_RX_PACKETS 8
#define LOOP_FRAME_MAX 1514
#define LOOP_HEADER 14
#define LOOP_LOOKAHEAD 32
#define LOOP_PENDING_SENDS 16
#define LOOP_TAG 'L5pN'

static bool deserialize;
module_param(deserialize, bool, 0444);
MODULE_PARM_DESC(deserialize, "NDIS_ATTRIBUTE_DESERIALIZE (default: serialized)");
static bool indicate_packets;
module_param(indicate_packets, bool, 0444);
MODULE_PARM_DESC(indicate_packets,
		 "receive with NdisMIndicateReceivePacket (default: NdisMEthIndicateReceive with a short lookahead)");
static bool sg;
module_param(sg, bool, 0444);
MODULE_PARM_DESC(sg, "a bus master with NDIS 5.1 per-packet DMA (NdisMInitializeScatterGatherDma)");
static unsigned int refuse_every;
module_param(refuse_every, uint, 0444);
MODULE_PARM_DESC(refuse_every, "serialized: refuse one send in N with NDIS_STATUS_RESOURCES (0: never)");

typedef struct _LOOP_RX {
	PNDIS_PACKET Packet;
	PNDIS_BUFFER Buffer;
	PUCHAR Data;
	BOOLEAN Free;
} LOOP_RX;

typedef struct _LOOP_ADAPTER {
	NDIS_HANDLE AdapterHandle;
	ULONG Index;
	UCHAR Mac[6];
	NDIS_SPIN_LOCK Lock;		/* receive packets, pended sends */
	NDIS_HANDLE PacketPool, BufferPool;
	LOOP_RX Rx[LOOP_RX_PACKETS];
	ULONG PacketFilter;
	ULONG MulticastCount;
	NDIS_MEDIA_STATE Media;
	/* Sends held PENDING until SendTimer. */
	PNDIS_PACKET Pending[LOOP_PENDING_SENDS];
	ULONG PendingCount;
	BOOLEAN Refusing;
	/* A transfer pended until TransferTimer (its length in the packet's
	 * MiniportReserved). */
	PNDIS_PACKET PendingTransfer;
	/* A pended query answer. */
	PVOID QueryBuffer;
	PULONG QueryWritten;
	NDIS_MINIPORT_TIMER SendTimer, ResourcesTimer, TransferTimer, QueryTimer, SetTimer,
		ResetTimer, MediaTimer;
	/* What the test checks at halt. */
	atomic_t Sent, SendCalls, Pended, Refused, ResourcesAvailable, Received, Filtered,
		Transfers, PendedTransfers, PacketIndications, ResourcesIndications, Returned,
		Queries, PendedQueries, Sets, PendedSets, HangChecks, Resets, Busy, SgOk, SgBad;
	atomic_t InSend;
} LOOP_ADAPTER, *PLOOP_ADAPTER;

static PLOOP_ADAPTER LoopAdapters[2];

static atomic_t LoopHang = ATOMIC_INIT(0);

static int LoopSetHang(const char *Value, const struct kernel_param *Kp)
{
	atomic_set(&LoopHang, 3);	/* bit N: adapter N */
	return 0;
}

static const struct kernel_param_ops LoopHangOps = { .set = LoopSetHang };
module_param_cb(hang, &LoopHangOps, NULL, 0200);
MODULE_PARM_DESC(hang, "any write: each adapter's next MiniportCheckForHang answers TRUE");

static const NDIS_OID LoopOids[] = {
	OID_GEN_SUPPORTED_LIST, OID_GEN_MEDIA_CONNECT_STATUS, OID_GEN_MAXIMUM_FRAME_SIZE,
	OID_GEN_LINK_SPEED, OID_GEN_CURRENT_PACKET_FILTER, OID_GEN_XMIT_OK, OID_GEN_RCV_OK,
	OID_GEN_XMIT_ERROR, OID_GEN_RCV_ERROR, OID_GEN_RCV_NO_BUFFER,
	OID_802_3_PERMANENT_ADDRESS, OID_802_3_CURRENT_ADDRESS, OID_802_3_MULTICAST_LIST,
	OID_802_3_MAXIMUM_LIST_SIZE,
};

/* Completes the sends held PENDING; @Dpr: at DISPATCH_LEVEL already. */
static VOID LoopCompleteHeld(PLOOP_ADAPTER Adapter, BOOLEAN Dpr)
{
	PNDIS_PACKET Done[LOOP_PENDING_SENDS];
	ULONG i, n;

	if (Dpr)
		NdisDprAcquireSpinLock(&Adapter->Lock);
	else
		NdisAcquireSpinLock(&Adapter->Lock);
	n = Adapter->PendingCount;
	for (i = 0; i < n; i++)
		Done[i] = Adapter->Pending[i];
	Adapter->PendingCount = 0;
	if (Dpr)
		NdisDprReleaseSpinLock(&Adapter->Lock);
	else
		NdisReleaseSpinLock(&Adapter->Lock);
	for (i = 0; i < n; i++)
		NdisMSendComplete(Adapter->AdapterHandle, Done[i], NDIS_STATUS_SUCCESS);
}

/* Timers (DISPATCH_LEVEL): each finishes what the adapter pended. */
static VOID LoopSendTimer(PVOID S1, PVOID Context, PVOID S2, PVOID S3)
{
	LoopCompleteHeld(Context, TRUE);
}

static VOID LoopResourcesTimer(PVOID S1, PVOID Context, PVOID S2, PVOID S3)
{
	PLOOP_ADAPTER Adapter = Context;

	Adapter->Refusing = FALSE;
	atomic_inc(&Adapter->ResourcesAvailable);
	NdisMSendResourcesAvailable(Adapter->AdapterHandle);
}

static VOID LoopTransferTimer(PVOID S1, PVOID Context, PVOID S2, PVOID S3)
{
	PLOOP_ADAPTER Adapter = Context;
	PNDIS_PACKET Packet = InterlockedExchangePointer((PVOID volatile *)&Adapter->PendingTransfer,
							 NULL);

	if (Packet != NULL)
		NdisMTransferDataComplete(Adapter->AdapterHandle, Packet, NDIS_STATUS_SUCCESS,
					  *(PUINT)Packet->MiniportReserved);
}

static VOID LoopQueryTimer(PVOID S1, PVOID Context, PVOID S2, PVOID S3)
{
	PLOOP_ADAPTER Adapter = Context;
	ULONG Speed = 10000000;	/* 1 Gbit/s in 100 bit/s units */

	NdisMoveMemory(Adapter->QueryBuffer, &Speed, sizeof(Speed));
	*Adapter->QueryWritten = sizeof(Speed);
	NdisMQueryInformationComplete(Adapter->AdapterHandle, NDIS_STATUS_SUCCESS);
}

static VOID LoopSetTimer(PVOID S1, PVOID Context, PVOID S2, PVOID S3)
{
	PLOOP_ADAPTER Adapter = Context;

	NdisMSetInformationComplete(Adapter->AdapterHandle, NDIS_STATUS_SUCCESS);
}

static VOID LoopResetTimer(PVOID S1, PVOID Context, PVOID S2, PVOID S3)
{
	PLOOP_ADAPTER Adapter = Context;

	atomic_inc(&Adapter->Resets);
	NdisMResetComplete(Adapter->AdapterHandle, NDIS_STATUS_SUCCESS, TRUE);
}

static VOID LoopMediaTimer(PVOID S1, PVOID Context, PVOID S2, PVOID S3)
{
	PLOOP_ADAPTER Adapter = Context;

	Adapter->Media = NdisMediaStateConnected;
	NdisMIndicateStatus(Adapter->AdapterHandle, NDIS_STATUS_MEDIA_CONNECT, NULL, 0);
	NdisMIndicateStatusComplete(Adapter->AdapterHandle);
}

static VOID LoopFreeRx(PLOOP_ADAPTER Adapter)
{
	ULONG i;

	for (i = 0; i < LOOP_RX_PACKETS; i++) {
		LOOP_RX *Rx = &Adapter->Rx[i];

		if (Rx->Packet != NULL)
			NdisFreePacket(Rx->Packet);
		if (Rx->Buffer != NULL)
			NdisFreeBuffer(Rx->Buffer);
		if (Rx->Data != NULL)
			NdisFreeMemory(Rx->Data, LOOP_FRAME_MAX, 0);
	}
	if (Adapter->BufferPool != NULL)
		NdisFreeBufferPool(Adapter->BufferPool);
	if (Adapter->PacketPool != NULL)
		NdisFreePacketPool(Adapter->PacketPool);
}

static NDIS_STATUS LoopInitialize(OUT PNDIS_STATUS OpenErrorStatus, OUT PUINT SelectedMediumIndex,
				  IN PNDIS_MEDIUM MediumArray, IN UINT MediumArraySize,
				  IN NDIS_HANDLE MiniportAdapterHandle,
				  IN NDIS_HANDLE WrapperConfigurationContext)
{
	PLOOP_ADAPTER Adapter;
	NDIS_STATUS Status;
	UINT i;

	for (i = 0; i < MediumArraySize; i++)
		if (MediumArray[i] == NdisMedium802_3)
			break;
	if (i == MediumArraySize)
		return NDIS_STATUS_UNSUPPORTED_MEDIA;
	*SelectedMediumIndex = i;

	Status = NdisAllocateMemoryWithTag((PVOID *)&Adapter, sizeof(*Adapter), LOOP_TAG);
	if (Status != NDIS_STATUS_SUCCESS)
		return Status;
	NdisZeroMemory(Adapter, sizeof(*Adapter));
	Adapter->AdapterHandle = MiniportAdapterHandle;
	Adapter->Index = LoopAdapters[0] == NULL ? 0 : 1;
	/* Locally administered, unicast: 02:4e:44:35:53:0N. */
	Adapter->Mac[0] = 0x02; Adapter->Mac[1] = 0x4e; Adapter->Mac[2] = 0x44;
	Adapter->Mac[3] = 0x35; Adapter->Mac[4] = 0x53; Adapter->Mac[5] = (UCHAR)(Adapter->Index + 1);
	Adapter->Media = NdisMediaStateDisconnected;
	NdisAllocateSpinLock(&Adapter->Lock);
	NdisMSetAttributesEx(MiniportAdapterHandle, (NDIS_HANDLE)Adapter, 2,
			     (deserialize ? NDIS_ATTRIBUTE_DESERIALIZE : 0) |
			     (sg ? NDIS_ATTRIBUTE_BUS_MASTER : 0), NdisInterfacePci);
	Status = sg ? NdisMInitializeScatterGatherDma(MiniportAdapterHandle, FALSE, LOOP_FRAME_MAX) :
		      NDIS_STATUS_SUCCESS;
	if (Status != NDIS_STATUS_SUCCESS) {
		pr_err("ndis5_loopnic: NdisMInitializeScatterGatherDma: 0x%08x\n", Status);
		NdisFreeSpinLock(&Adapter->Lock);
		NdisFreeMemory(Adapter, sizeof(*Adapter), 0);
		return Status;
	}

	NdisAllocatePacketPool(&Status, &Adapter->PacketPool, LOOP_RX_PACKETS,
			       PROTOCOL_RESERVED_SIZE_IN_PACKET);
	if (Status == NDIS_STATUS_SUCCESS)
		NdisAllocateBufferPool(&Status, &Adapter->BufferPool, LOOP_RX_PACKETS);
	for (i = 0; Status == NDIS_STATUS_SUCCESS && i < LOOP_RX_PACKETS; i++) {
		LOOP_RX *Rx = &Adapter->Rx[i];

		Status = NdisAllocateMemoryWithTag((PVOID *)&Rx->Data, LOOP_FRAME_MAX, LOOP_TAG);
		if (Status != NDIS_STATUS_SUCCESS)
			break;
		NdisAllocateBuffer(&Status, &Rx->Buffer, Adapter->BufferPool, Rx->Data,
				   LOOP_FRAME_MAX);
		if (Status != NDIS_STATUS_SUCCESS)
			break;
		NdisAllocatePacket(&Status, &Rx->Packet, Adapter->PacketPool);
		if (Status != NDIS_STATUS_SUCCESS)
			break;
		NdisChainBufferAtFront(Rx->Packet, Rx->Buffer);
		/* Which receive slot a packet coming back is. */
		*(LOOP_RX **)Rx->Packet->MiniportReserved = Rx;
		Rx->Free = TRUE;
	}
	if (Status != NDIS_STATUS_SUCCESS) {
		LoopFreeRx(Adapter);
		NdisFreeSpinLock(&Adapter->Lock);
		NdisFreeMemory(Adapter, sizeof(*Adapter), 0);
		return Status;
	}
	NdisMInitializeTimer(&Adapter->SendTimer, MiniportAdapterHandle, LoopSendTimer, Adapter);
	NdisMInitializeTimer(&Adapter->ResourcesTimer, MiniportAdapterHandle, LoopResourcesTimer,
			     Adapter);
	NdisMInitializeTimer(&Adapter->TransferTimer, MiniportAdapterHandle, LoopTransferTimer,
			     Adapter);
	NdisMInitializeTimer(&Adapter->QueryTimer, MiniportAdapterHandle, LoopQueryTimer, Adapter);
	NdisMInitializeTimer(&Adapter->SetTimer, MiniportAdapterHandle, LoopSetTimer, Adapter);
	NdisMInitializeTimer(&Adapter->ResetTimer, MiniportAdapterHandle, LoopResetTimer, Adapter);
	NdisMInitializeTimer(&Adapter->MediaTimer, MiniportAdapterHandle, LoopMediaTimer, Adapter);
	/* The cable is plugged in a moment later. */
	NdisMSetTimer(&Adapter->MediaTimer, 1000);
	LoopAdapters[Adapter->Index] = Adapter;
	return NDIS_STATUS_SUCCESS;
}

static VOID LoopHalt(IN NDIS_HANDLE MiniportAdapterContext)
{
	PLOOP_ADAPTER Adapter = MiniportAdapterContext;
	BOOLEAN Cancelled;
	ULONG i;

	NdisMCancelTimer(&Adapter->MediaTimer, &Cancelled);
	NdisMCancelTimer(&Adapter->ResourcesTimer, &Cancelled);
	NdisMCancelTimer(&Adapter->SendTimer, &Cancelled);
	NdisMCancelTimer(&Adapter->TransferTimer, &Cancelled);
	NdisMCancelTimer(&Adapter->QueryTimer, &Cancelled);
	NdisMCancelTimer(&Adapter->SetTimer, &Cancelled);
	NdisMCancelTimer(&Adapter->ResetTimer, &Cancelled);
	/* What is still held goes back now: a send or a transfer whose
	 * timer was cancelled above. */
	LoopCompleteHeld(Adapter, FALSE);
	LoopTransferTimer(NULL, Adapter, NULL, NULL);
	LoopAdapters[Adapter->Index] = NULL;
	pr_info("ndis5_loopnic %u: sent=%d send_calls=%d pended=%d refused=%d resources_available=%d received=%d filtered=%d transfers=%d pended_transfers=%d packet_indications=%d resources_indications=%d returned=%d queries=%d pended_queries=%d sets=%d pended_sets=%d filter=0x%x multicast=%u hang_checks=%d resets=%d busy=%d held=%u sg_ok=%d sg_bad=%d\n",
		Adapter->Index, atomic_read(&Adapter->Sent), atomic_read(&Adapter->SendCalls),
		atomic_read(&Adapter->Pended), atomic_read(&Adapter->Refused),
		atomic_read(&Adapter->ResourcesAvailable), atomic_read(&Adapter->Received),
		atomic_read(&Adapter->Filtered), atomic_read(&Adapter->Transfers),
		atomic_read(&Adapter->PendedTransfers), atomic_read(&Adapter->PacketIndications),
		atomic_read(&Adapter->ResourcesIndications), atomic_read(&Adapter->Returned),
		atomic_read(&Adapter->Queries), atomic_read(&Adapter->PendedQueries),
		atomic_read(&Adapter->Sets), atomic_read(&Adapter->PendedSets),
		Adapter->PacketFilter, Adapter->MulticastCount,
		atomic_read(&Adapter->HangChecks), atomic_read(&Adapter->Resets),
		atomic_read(&Adapter->Busy), Adapter->PendingCount,
		atomic_read(&Adapter->SgOk), atomic_read(&Adapter->SgBad));
	for (i = 0; i < LOOP_RX_PACKETS; i++)
		if (!Adapter->Rx[i].Free)
			pr_err("ndis5_loopnic %u: receive packet %u never returned\n",
			       Adapter->Index, i);
	LoopFreeRx(Adapter);
	NdisFreeSpinLock(&Adapter->Lock);
	NdisFreeMemory(Adapter, sizeof(*Adapter), 0);
}

static NDIS_STATUS LoopQueryInformation(IN NDIS_HANDLE MiniportAdapterContext, IN NDIS_OID Oid,
					IN PVOID InformationBuffer,
					IN ULONG InformationBufferLength, OUT PULONG BytesWritten,
					OUT PULONG BytesNeeded)
{
	PLOOP_ADAPTER Adapter = MiniportAdapterContext;
	ULONG Value = 0;
	PVOID Source = &Value;
	ULONG Length = sizeof(Value);

	atomic_inc(&Adapter->Queries);
	switch (Oid) {
	case OID_GEN_SUPPORTED_LIST:
		Source = (PVOID)LoopOids;
		Length = sizeof(LoopOids);
		break;
	case OID_GEN_MEDIA_CONNECT_STATUS:
		Value = Adapter->Media;
		break;
	case OID_GEN_MAXIMUM_FRAME_SIZE:
		Value = LOOP_FRAME_MAX - LOOP_HEADER;
		break;
	case OID_GEN_LINK_SPEED:
		if (InformationBufferLength < sizeof(ULONG)) {
			*BytesNeeded = sizeof(ULONG);
			return NDIS_STATUS_BUFFER_TOO_SHORT;
		}
		/* Asked of the "PHY": answered from a timer. */
		Adapter->QueryBuffer = InformationBuffer;
		Adapter->QueryWritten = BytesWritten;
		atomic_inc(&Adapter->PendedQueries);
		NdisMSetTimer(&Adapter->QueryTimer, 5);
		return NDIS_STATUS_PENDING;
	case OID_GEN_CURRENT_PACKET_FILTER:
		Value = Adapter->PacketFilter;
		break;
	case OID_GEN_XMIT_OK:
		Value = atomic_read(&Adapter->Sent);
		break;
	case OID_GEN_RCV_OK:
		Value = atomic_read(&Adapter->Received) - atomic_read(&Adapter->Filtered);
		break;
	case OID_GEN_XMIT_ERROR:
	case OID_GEN_RCV_ERROR:
	case OID_GEN_RCV_NO_BUFFER:
		Value = 0;
		break;
	case OID_802_3_PERMANENT_ADDRESS:
	case OID_802_3_CURRENT_ADDRESS:
		Source = Adapter->Mac;
		Length = 6;
		break;
	case OID_802_3_MAXIMUM_LIST_SIZE:
		Value = 32;
		break;
	default:
		return NDIS_STATUS_NOT_SUPPORTED;
	}
	if (Length > InformationBufferLength) {
		*BytesNeeded = Length;
		return NDIS_STATUS_BUFFER_TOO_SHORT;
	}
	NdisMoveMemory(InformationBuffer, Source, Length);
	*BytesWritten = Length;
	return NDIS_STATUS_SUCCESS;
}

static NDIS_STATUS LoopSetInformation(IN NDIS_HANDLE MiniportAdapterContext, IN NDIS_OID Oid,
				      IN PVOID InformationBuffer, IN ULONG InformationBufferLength,
				      OUT PULONG BytesRead, OUT PULONG BytesNeeded)
{
	PLOOP_ADAPTER Adapter = MiniportAdapterContext;

	atomic_inc(&Adapter->Sets);
	switch (Oid) {
	case OID_GEN_CURRENT_PACKET_FILTER:
		if (InformationBufferLength < sizeof(ULONG)) {
			*BytesNeeded = sizeof(ULONG);
			return NDIS_STATUS_INVALID_LENGTH;
		}
		NdisMoveMemory(&Adapter->PacketFilter, InformationBuffer, sizeof(ULONG));
		*BytesRead = sizeof(ULONG);
		return NDIS_STATUS_SUCCESS;
	case OID_802_3_MULTICAST_LIST:
		if (InformationBufferLength % 6)
			return NDIS_STATUS_INVALID_LENGTH;
		Adapter->MulticastCount = InformationBufferLength / 6;
		*BytesRead = InformationBufferLength;
		/* Programmed into the "hash table" later. */
		atomic_inc(&Adapter->PendedSets);
		NdisMSetTimer(&Adapter->SetTimer, 5);
		return NDIS_STATUS_PENDING;
	default:
		return NDIS_STATUS_INVALID_OID;
	}
}

/* Whether the packet filter lets a frame for @Dest in. */
static BOOLEAN LoopAccepts(PLOOP_ADAPTER Adapter, const UCHAR *Dest)
{
	return LoopFilterAccepts(Adapter->PacketFilter, Adapter->Mac, Dest);
}

/* The frame a lookahead indication's MiniportTransferData reads from. */
typedef struct _LOOP_FRAME {
	UCHAR Data[LOOP_FRAME_MAX];
	UINT Length;
} LOOP_FRAME;

/* Copies @Packet's data (at most LOOP_FRAME_MAX bytes) to @To. */
static UINT LoopCopyPacket(PNDIS_PACKET Packet, PUCHAR To)
{
	PNDIS_BUFFER Buffer;
	PVOID Va;
	UINT Length, Total, Copied = 0;

	NdisQueryPacket(Packet, NULL, NULL, &Buffer, &Total);
	if (Total > LOOP_FRAME_MAX)
		return 0;
	while (Buffer != NULL) {
		NdisQueryBufferSafe(Buffer, &Va, &Length, NormalPagePriority);
		if (Va == NULL)
			return 0;
		NdisMoveMemory(To + Copied, Va, Length);
		Copied += Length;
		NdisGetNextBuffer(Buffer, &Buffer);
	}
	return Copied;
}

/* Receives a frame sent by the other adapter. */
static VOID LoopReceive(PLOOP_ADAPTER Peer, LOOP_FRAME *Frame)
{
	LOOP_RX *Rx = NULL;
	ULONG i, Free = 0;

	if (Peer->Media != NdisMediaStateConnected || Frame->Length < LOOP_HEADER)
		return;
	atomic_inc(&Peer->Received);
	if (!LoopAccepts(Peer, Frame->Data)) {
		atomic_inc(&Peer->Filtered);
		return;
	}
	if (!indicate_packets) {
		UINT Lookahead = Frame->Length - LOOP_HEADER;

		if (Lookahead > LOOP_LOOKAHEAD)
			Lookahead = LOOP_LOOKAHEAD;
		NdisMEthIndicateReceive(Peer->AdapterHandle, (NDIS_HANDLE)Frame, Frame->Data,
					LOOP_HEADER, Frame->Data + LOOP_HEADER, Lookahead,
					Frame->Length - LOOP_HEADER);
		NdisMEthIndicateReceiveComplete(Peer->AdapterHandle);
		return;
	}
	NdisDprAcquireSpinLock(&Peer->Lock);
	for (i = 0; i < LOOP_RX_PACKETS; i++) {
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
	NdisMoveMemory(Rx->Data, Frame->Data, Frame->Length);
	NdisAdjustBufferLength(Rx->Buffer, Frame->Length);
	NdisRecalculatePacketCounts(Rx->Packet);
	NDIS_SET_PACKET_HEADER_SIZE(Rx->Packet, LOOP_HEADER);
	/* Low on packets (the last free one, and one in 16 as if it were):
	 * the protocol copies it now and it stays the miniport's. */
	if (atomic_inc_return(&Peer->PacketIndications) % 16 == 0 || Free == 1)
		NDIS_SET_PACKET_STATUS(Rx->Packet, NDIS_STATUS_RESOURCES);
	else
		NDIS_SET_PACKET_STATUS(Rx->Packet, NDIS_STATUS_SUCCESS);
	NdisMIndicateReceivePacket(Peer->AdapterHandle, &Rx->Packet, 1);
	if (NDIS_GET_PACKET_STATUS(Rx->Packet) == NDIS_STATUS_RESOURCES) {
		atomic_inc(&Peer->ResourcesIndications);
		Rx->Free = TRUE;
	}
}

static NDIS_STATUS LoopTransferData(OUT PNDIS_PACKET Packet, OUT PUINT BytesTransferred,
				    IN NDIS_HANDLE MiniportAdapterContext,
				    IN NDIS_HANDLE MiniportReceiveContext, IN UINT ByteOffset,
				    IN UINT BytesToTransfer)
{
	PLOOP_ADAPTER Adapter = MiniportAdapterContext;
	LOOP_FRAME *Frame = MiniportReceiveContext;
	PNDIS_BUFFER Buffer;
	PVOID Va;
	UINT Length;

	NdisQueryPacket(Packet, NULL, NULL, &Buffer, NULL);
	if (Buffer == NULL)
		return NDIS_STATUS_FAILURE;
	NdisQueryBufferSafe(Buffer, &Va, &Length, NormalPagePriority);
	if (Va == NULL || Length < BytesToTransfer ||
	    LOOP_HEADER + ByteOffset + BytesToTransfer > Frame->Length)
		return NDIS_STATUS_FAILURE;
	NdisMoveMemory(Va, Frame->Data + LOOP_HEADER + ByteOffset, BytesToTransfer);
	*BytesTransferred = BytesToTransfer;
	/* One in four finishes later, as a DMA engine's copy would. */
	*(PUINT)Packet->MiniportReserved = BytesToTransfer;
	if (atomic_inc_return(&Adapter->Transfers) % 4 == 0 &&
	    InterlockedCompareExchangePointer((PVOID volatile *)&Adapter->PendingTransfer, Packet,
					      NULL) == NULL) {
		atomic_inc(&Adapter->PendedTransfers);
		NdisMSetTimer(&Adapter->TransferTimer, 1);
		return NDIS_STATUS_PENDING;
	}
	return NDIS_STATUS_SUCCESS;
}

static VOID LoopReturnPacket(IN NDIS_HANDLE MiniportAdapterContext, IN PNDIS_PACKET Packet)
{
	PLOOP_ADAPTER Adapter = MiniportAdapterContext;
	LOOP_RX *Rx = *(LOOP_RX **)Packet->MiniportReserved;

	atomic_inc(&Adapter->Returned);
	NdisAdjustBufferLength(Rx->Buffer, LOOP_FRAME_MAX);
	NdisRecalculatePacketCounts(Packet);
	Rx->Free = TRUE;
}

/* One packet: SUCCESS (sent), PENDING (held for SendTimer) or RESOURCES. */
static NDIS_STATUS LoopSendOne(PLOOP_ADAPTER Adapter, PNDIS_PACKET Packet, LOOP_FRAME *Frame)
{
	PLOOP_ADAPTER Peer = LoopAdapters[Adapter->Index ^ 1];
	int n = atomic_inc_return(&Adapter->SendCalls);
	BOOLEAN Hold;

	if (!deserialize && (Adapter->Refusing || (refuse_every && n % refuse_every == 0))) {
		if (!Adapter->Refusing) {
			Adapter->Refusing = TRUE;
			NdisMSetTimer(&Adapter->ResourcesTimer, 2);
		}
		atomic_inc(&Adapter->Refused);
		return NDIS_STATUS_RESOURCES;
	}
	Frame->Length = LoopCopyPacket(Packet, Frame->Data);
	if (Frame->Length == 0)
		return NDIS_STATUS_FAILURE;
	if (sg) {
		/* The shim mapped the packet before this call: its list covers
		 * the whole frame, in bus addresses. */
		PSCATTER_GATHER_LIST Sgl = NDIS_PER_PACKET_INFO_FROM_PACKET(Packet,
							ScatterGatherListPacketInfo);
		ULONG Bytes = 0, i;

		for (i = 0; Sgl != NULL && i < Sgl->NumberOfElements; i++)
			Bytes += Sgl->Elements[i].Length;
		if (Sgl != NULL && Bytes == Frame->Length && Sgl->Elements[0].Address.QuadPart != 0)
			atomic_inc(&Adapter->SgOk);
		else
			atomic_inc(&Adapter->SgBad);
	}
	atomic_inc(&Adapter->Sent);
	if (Peer != NULL)
		LoopReceive(Peer, Frame);
	NdisDprAcquireSpinLock(&Adapter->Lock);
	Hold = n % 8 == 0 && Adapter->PendingCount < LOOP_PENDING_SENDS;
	if (Hold)
		Adapter->Pending[Adapter->PendingCount++] = Packet;
	NdisDprReleaseSpinLock(&Adapter->Lock);
	if (Hold) {
		atomic_inc(&Adapter->Pended);
		NdisMSetTimer(&Adapter->SendTimer, 1);
		return NDIS_STATUS_PENDING;
	}
	return NDIS_STATUS_SUCCESS;
}

static VOID LoopSendPackets(IN NDIS_HANDLE MiniportAdapterContext, IN PPNDIS_PACKET PacketArray,
			    IN UINT NumberOfPackets)
{
	PLOOP_ADAPTER Adapter = MiniportAdapterContext;
	LOOP_FRAME *Frame;
	NDIS_STATUS Status;
	UINT i;

	/* A serialized miniport is never entered twice at once. */
	if (atomic_inc_return(&Adapter->InSend) != 1 && !deserialize)
		atomic_inc(&Adapter->Busy);
	if (NdisAllocateMemoryWithTag((PVOID *)&Frame, sizeof(*Frame), LOOP_TAG) !=
	    NDIS_STATUS_SUCCESS)
		Frame = NULL;
	for (i = 0; i < NumberOfPackets; i++) {
		Status = Frame != NULL ? LoopSendOne(Adapter, PacketArray[i], Frame) :
					 NDIS_STATUS_FAILURE;
		if (deserialize) {
			/* Completes every packet itself, never RESOURCES. */
			if (Status != NDIS_STATUS_PENDING)
				NdisMSendComplete(Adapter->AdapterHandle, PacketArray[i],
						  Status == NDIS_STATUS_RESOURCES ?
						  NDIS_STATUS_FAILURE : Status);
		} else {
			NDIS_SET_PACKET_STATUS(PacketArray[i], Status);
		}
	}
	if (Frame != NULL)
		NdisFreeMemory(Frame, sizeof(*Frame), 0);
	atomic_dec(&Adapter->InSend);
}

static BOOLEAN LoopCheckForHang(IN NDIS_HANDLE MiniportAdapterContext)
{
	PLOOP_ADAPTER Adapter = MiniportAdapterContext;
	int Bit = 1 << Adapter->Index;

	atomic_inc(&Adapter->HangChecks);
	return (atomic_fetch_andnot(Bit, &LoopHang) & Bit) != 0;
}

static NDIS_STATUS LoopReset(OUT PBOOLEAN AddressingReset, IN NDIS_HANDLE MiniportAdapterContext)
{
	PLOOP_ADAPTER Adapter = MiniportAdapterContext;

	*AddressingReset = FALSE;	/* said again at completion */
	NdisMSetTimer(&Adapter->ResetTimer, 10);
	return NDIS_STATUS_PENDING;
}

NDIS_LINUX_DRIVER_ENTRY DriverEntry;
NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
	NDIS_MINIPORT_CHARACTERISTICS Chars;
	NDIS_HANDLE Wrapper;
	NDIS_STATUS Status;

	NdisMInitializeWrapper(&Wrapper, DriverObject, RegistryPath, NULL);
	NdisZeroMemory(&Chars, sizeof(Chars));
	Chars.MajorNdisVersion = 5;
	Chars.MinorNdisVersion = 1;
	Chars.InitializeHandler = LoopInitialize;
	Chars.HaltHandler = LoopHalt;
	Chars.QueryInformationHandler = LoopQueryInformation;
	Chars.SetInformationHandler = LoopSetInformation;
	Chars.SendPacketsHandler = LoopSendPackets;
	Chars.TransferDataHandler = LoopTransferData;
	Chars.ReturnPacketHandler = LoopReturnPacket;
	Chars.CheckForHangHandler = LoopCheckForHang;
	Chars.ResetHandler = LoopReset;
	Status = NdisMRegisterMiniport(Wrapper, &Chars, sizeof(Chars));
	if (Status != NDIS_STATUS_SUCCESS)
		NdisTerminateWrapper(Wrapper, NULL);
	return Status;
}

static const struct pci_device_id ndis5_loopnic_ids[] = {
	{ PCI_DEVICE(0x1234, 0x11e8) },
	{ }
};

NDIS_LINUX_PCI_MINIPORT(ndis5_loopnic, ndis5_loopnic_ids, DriverEntry, 32, NULL);
MODULE_DESCRIPTION("Two NDIS 5.1 Ethernet adapters wired together in software (ndis-shim test)");
MODULE_LICENSE("GPL");
