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
 * one indication in 8 an array of three whose middle packet has
 * NDIS_STATUS_RESOURCES). Like a Windows driver it reclaims by status: a
 * packet whose status is not NDIS_STATUS_PENDING when the indication
 * returns is its own again at once, a PENDING one only when it comes
 * back through MiniportReturnPacket; a packet reclaimed twice, and a
 * PENDING one after a RESOURCES one in the array, are counted.
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
 * parameter "hang" makes each adapter's MiniportCheckForHang answer TRUE
 * once it holds a send and, until then, holds its sends PENDING as stuck
 * hardware would;
 * the MiniportReset that follows gives up every send it holds (a
 * serialized miniport may: NDIS completes them), pends and completes from
 * a timer 300 ms later; a send that arrives in between is counted. With
 * dup_transfer=1 the first pended transfer is completed twice; a write to
 * "forge" completes a send and a transfer that were never made (a
 * non-canonical pointer and a packet of its own pool).
 *
 * The NDIS 5.1 handlers outside the data path: MiniportPnPEventNotify
 * counts NdisDevicePnPEventSurpriseRemoved and keeps the power profile
 * NdisDevicePnPEventPowerProfileChanged said; AdapterShutdownHandler
 * counts its calls, and so does a second shutdown handler registered with
 * NdisMRegisterAdapterShutdownHandler (a 5.1 miniport's characteristics
 * handler is the one called). A write of N to "hold_sends" holds adapter
 * 0's next N sends PENDING, undelivered, until MiniportCancelSendPackets
 * completes the ones carrying its cancel ID (NDIS_GET_PACKET_CANCEL_ID)
 * with NDIS_STATUS_REQUEST_ABORTED, or the halt. A write of a PCI name to
 * "disconnect" marks that function disconnected as pciehp, AER or DPC do
 * when a device vanishes (the test then removes it); a write to
 * "shutdown" runs the PCI driver's shutdown callback on each of its
 * functions, as the PCI core does at reboot. What it saw is printed at
 * halt for the test to check.
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
static bool dup_transfer;
module_param(dup_transfer, bool, 0444);
MODULE_PARM_DESC(dup_transfer, "complete the first pended transfer twice");
static unsigned int frame_size = 1500;
module_param(frame_size, uint, 0444);
MODULE_PARM_DESC(frame_size, "OID_GEN_MAXIMUM_FRAME_SIZE (at most 1500)");
static unsigned int xmit_ok_bias;
module_param(xmit_ok_bias, uint, 0444);
MODULE_PARM_DESC(xmit_ok_bias, "added to OID_GEN_XMIT_OK's answer (shows the counters come from it)");

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
	ULONG PendingCount, HeldAtHalt;
	/* Sends held while a hang is asked for, given up by the reset. */
	PNDIS_PACKET Stuck[LOOP_PENDING_SENDS];
	ULONG StuckCount;
	/* Sends held for MiniportCancelSendPackets ("hold_sends"). */
	PNDIS_PACKET Held[LOOP_PENDING_SENDS];
	ULONG HeldCount;
	/* NdisDevicePnPEventPowerProfileChanged's ULONG (-1: none yet). */
	LONG PowerProfile;
	BOOLEAN InReset;
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
		Queries, PendedQueries, Sets, PendedSets, HangChecks, Resets, Busy, SgOk, SgBad,
		DoubleReclaims, ArrayIndications, LaterPending, ResetDropped, SendsInReset,
		DupTransfers, CancelCalls, Cancelled, CancelMismatch, SurpriseRemoved,
		PowerProfileEvents, PnPOther, Shutdowns, LegacyShutdowns;
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

/* A write: completions of a send and a transfer the shim never made. */
static int LoopForge(const char *Value, const struct kernel_param *Kp)
{
	PLOOP_ADAPTER Adapter = LoopAdapters[0];
	/* Non-canonical: reading through it faults. */
	PNDIS_PACKET Forged = (PNDIS_PACKET)(ULONG_PTR)0xdead000000000100ULL;

	if (Adapter == NULL)
		return -ENODEV;
	NdisMSendComplete(Adapter->AdapterHandle, Forged, NDIS_STATUS_SUCCESS);
	NdisMTransferDataComplete(Adapter->AdapterHandle, Forged, NDIS_STATUS_SUCCESS, 0);
	/* A packet of its own pool, never sent. */
	NdisMSendComplete(Adapter->AdapterHandle, Adapter->Rx[0].Packet, NDIS_STATUS_SUCCESS);
	return 0;
}

static const struct kernel_param_ops LoopForgeOps = { .set = LoopForge };
module_param_cb(forge, &LoopForgeOps, NULL, 0200);
MODULE_PARM_DESC(forge, "any write: three forged completions on adapter 0");

/* A read: one of adapter 0's counters (the parameter's arg: its offset
 * in LOOP_ADAPTER), -1 without the adapter. */
static int LoopGetCounter(char *Buffer, const struct kernel_param *Kp)
{
	PLOOP_ADAPTER Adapter = LoopAdapters[0];

	return sysfs_emit(Buffer, "%d\n", Adapter != NULL ?
			  atomic_read((atomic_t *)((PUCHAR)Adapter + (ULONG_PTR)Kp->arg)) : -1);
}

static const struct kernel_param_ops LoopCounterOps = { .get = LoopGetCounter };
/* What OID_GEN_XMIT_OK counts. */
module_param_cb(sent, &LoopCounterOps, (void *)offsetof(LOOP_ADAPTER, Sent), 0444);
MODULE_PARM_DESC(sent, "adapter 0's sent frames");

static atomic_t LoopHoldSends = ATOMIC_INIT(0);

static int LoopSetHoldSends(const char *Value, const struct kernel_param *Kp)
{
	int n, err = kstrtoint(Value, 0, &n);

	if (err)
		return err;
	if (n < 0 || n > LOOP_PENDING_SENDS)
		return -EINVAL;
	atomic_set(&LoopHoldSends, n);
	return 0;
}

/* A read: adapter 0's sends held for cancellation. */
static int LoopGetHeld(char *Buffer, const struct kernel_param *Kp)
{
	PLOOP_ADAPTER Adapter = LoopAdapters[0];

	return sysfs_emit(Buffer, "%d\n", Adapter != NULL ? (int)READ_ONCE(Adapter->HeldCount) : -1);
}

static const struct kernel_param_ops LoopHoldSendsOps = {
	.set = LoopSetHoldSends, .get = LoopGetHeld,
};
module_param_cb(hold_sends, &LoopHoldSendsOps, NULL, 0600);
MODULE_PARM_DESC(hold_sends, "write N: hold adapter 0's next N sends until cancelled; read: held now");

/* Completed by MiniportCancelSendPackets. */
module_param_cb(cancelled, &LoopCounterOps, (void *)offsetof(LOOP_ADAPTER, Cancelled), 0444);
MODULE_PARM_DESC(cancelled, "adapter 0's sends cancelled");

/* A write of a PCI name: that function is disconnected (a surprise
 * removal, as pci_dev_set_disconnected marks it). */
static int LoopDisconnect(const char *Value, const struct kernel_param *Kp)
{
	struct device *Dev = bus_find_device_by_name(&pci_bus_type, NULL, Value);

	if (Dev == NULL)
		return -ENODEV;
	xchg(&to_pci_dev(Dev)->error_state, pci_channel_io_perm_failure);
	put_device(Dev);
	return 0;
}

static const struct kernel_param_ops LoopDisconnectOps = { .set = LoopDisconnect };
module_param_cb(disconnect, &LoopDisconnectOps, NULL, 0200);
MODULE_PARM_DESC(disconnect, "write a PCI name: mark the function disconnected");

/* A write: the PCI driver's shutdown callback on each of its functions,
 * as pci_device_shutdown calls it at reboot. */
static int LoopShutdownAll(const char *Value, const struct kernel_param *Kp)
{
	struct pci_dev *Pdev = NULL;

	while ((Pdev = pci_get_device(0x1234, 0x11e8, Pdev)) != NULL) {
		struct pci_driver *Drv;

		device_lock(&Pdev->dev);
		Drv = Pdev->dev.driver != NULL ? to_pci_driver(Pdev->dev.driver) : NULL;
		if (Drv != NULL && strcmp(Drv->name, KBUILD_MODNAME) == 0 && Drv->shutdown != NULL)
			Drv->shutdown(Pdev);
		device_unlock(&Pdev->dev);
	}
	return 0;
}

static const struct kernel_param_ops LoopShutdownOps = { .set = LoopShutdownAll };
module_param_cb(shutdown, &LoopShutdownOps, NULL, 0200);
MODULE_PARM_DESC(shutdown, "any write: the PCI shutdown callback on each adapter");

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
	UINT Length;

	if (Packet == NULL)
		return;
	Length = *(PUINT)Packet->MiniportReserved;
	NdisMTransferDataComplete(Adapter->AdapterHandle, Packet, NDIS_STATUS_SUCCESS, Length);
	/* The same again: a driver bug the shim must refuse. */
	if (dup_transfer && atomic_cmpxchg(&Adapter->DupTransfers, 0, 1) == 0)
		NdisMTransferDataComplete(Adapter->AdapterHandle, Packet, NDIS_STATUS_SUCCESS,
					  Length);
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

	Adapter->InReset = FALSE;
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

static VOID LoopLegacyShutdown(IN PVOID ShutdownContext)
{
	PLOOP_ADAPTER Adapter = ShutdownContext;

	atomic_inc(&Adapter->LegacyShutdowns);
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
	Adapter->PowerProfile = -1;
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
	/* As an NDIS 5.0 driver would: a 5.1 one's characteristics handler
	 * is the one NDIS calls. */
	NdisMRegisterAdapterShutdownHandler(MiniportAdapterHandle, Adapter, LoopLegacyShutdown);
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
	 * timer was cancelled above (the shim waited for every send). */
	NdisMDeregisterAdapterShutdownHandler(Adapter->AdapterHandle);
	Adapter->HeldAtHalt = Adapter->PendingCount + Adapter->StuckCount + Adapter->HeldCount;
	for (i = 0; i < Adapter->HeldCount; i++)
		NdisMSendComplete(Adapter->AdapterHandle, Adapter->Held[i], NDIS_STATUS_SUCCESS);
	Adapter->HeldCount = 0;
	LoopCompleteHeld(Adapter, FALSE);
	LoopTransferTimer(NULL, Adapter, NULL, NULL);
	LoopAdapters[Adapter->Index] = NULL;
	pr_info("ndis5_loopnic %u: sent=%d send_calls=%d pended=%d refused=%d resources_available=%d received=%d filtered=%d transfers=%d pended_transfers=%d packet_indications=%d resources_indications=%d returned=%d queries=%d pended_queries=%d sets=%d pended_sets=%d filter=0x%x multicast=%u hang_checks=%d resets=%d busy=%d held=%u sg_ok=%d sg_bad=%d double_reclaims=%d array_indications=%d later_pending=%d reset_dropped=%d sends_in_reset=%d dup_transfers=%d cancel_calls=%d cancelled=%d cancel_mismatch=%d surprise_removed=%d power_profile_events=%d power_profile=%d pnp_other=%d shutdowns=%d legacy_shutdowns=%d\n",
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
		atomic_read(&Adapter->Busy), Adapter->HeldAtHalt,
		atomic_read(&Adapter->SgOk), atomic_read(&Adapter->SgBad),
		atomic_read(&Adapter->DoubleReclaims), atomic_read(&Adapter->ArrayIndications),
		atomic_read(&Adapter->LaterPending), atomic_read(&Adapter->ResetDropped),
		atomic_read(&Adapter->SendsInReset), atomic_read(&Adapter->DupTransfers),
		atomic_read(&Adapter->CancelCalls), atomic_read(&Adapter->Cancelled),
		atomic_read(&Adapter->CancelMismatch), atomic_read(&Adapter->SurpriseRemoved),
		atomic_read(&Adapter->PowerProfileEvents), Adapter->PowerProfile,
		atomic_read(&Adapter->PnPOther), atomic_read(&Adapter->Shutdowns),
		atomic_read(&Adapter->LegacyShutdowns));
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
		Value = min(frame_size, (unsigned int)(LOOP_FRAME_MAX - LOOP_HEADER));
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
		Value = atomic_read(&Adapter->Sent) + xmit_ok_bias;
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

/* A receive packet is the driver's again; counted if it already was. */
static VOID LoopReclaim(PLOOP_ADAPTER Adapter, LOOP_RX *Rx)
{
	NdisDprAcquireSpinLock(&Adapter->Lock);
	if (Rx->Free) {
		atomic_inc(&Adapter->DoubleReclaims);
	} else {
		NdisAdjustBufferLength(Rx->Buffer, LOOP_FRAME_MAX);
		NdisRecalculatePacketCounts(Rx->Packet);
		Rx->Free = TRUE;
	}
	NdisDprReleaseSpinLock(&Adapter->Lock);
}

/* Receives a frame sent by the other adapter. */
static VOID LoopReceive(PLOOP_ADAPTER Peer, LOOP_FRAME *Frame)
{
	LOOP_RX *Rx[3];
	PNDIS_PACKET Packets[3];
	ULONG i, Free = 0, Taken = 0, Want;
	BOOLEAN Retained = FALSE;
	int n;

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
	/* One indication in 8: an array of three, the frame and two frames
	 * for nobody (the stack drops them), the middle one with
	 * NDIS_STATUS_RESOURCES. */
	n = atomic_inc_return(&Peer->PacketIndications);
	Want = n % 8 == 4 ? 3 : 1;
	NdisDprAcquireSpinLock(&Peer->Lock);
	for (i = 0; i < LOOP_RX_PACKETS; i++) {
		if (!Peer->Rx[i].Free)
			continue;
		Free++;
		if (Taken < Want)
			Rx[Taken++] = &Peer->Rx[i];
	}
	if (Taken < Want && Taken > 1)
		Taken = 1;
	for (i = 0; i < Taken; i++)
		Rx[i]->Free = FALSE;
	NdisDprReleaseSpinLock(&Peer->Lock);
	if (Taken == 0)
		return;
	for (i = 0; i < Taken; i++) {
		UINT Length = Frame->Length;

		if (i == 0) {
			NdisMoveMemory(Rx[i]->Data, Frame->Data, Length);
		} else {
			static const UCHAR Nobody[14] = { 0x02, 0x4e, 0x44, 0x35, 0x53, 0xff,
							  0x02, 0x4e, 0x44, 0x35, 0x53, 0xfe,
							  0x88, 0xb5 };

			Length = 60;
			NdisZeroMemory(Rx[i]->Data, Length);
			NdisMoveMemory(Rx[i]->Data, Nobody, sizeof(Nobody));
		}
		NdisAdjustBufferLength(Rx[i]->Buffer, Length);
		NdisRecalculatePacketCounts(Rx[i]->Packet);
		NDIS_SET_PACKET_HEADER_SIZE(Rx[i]->Packet, LOOP_HEADER);
		NDIS_SET_PACKET_STATUS(Rx[i]->Packet, NDIS_STATUS_SUCCESS);
		Packets[i] = Rx[i]->Packet;
	}
	/* Low on packets (the last free one, and one in 16 as if it were):
	 * the protocol copies it now and it stays the miniport's. */
	if (Taken == 1 && (n % 16 == 0 || Free == 1))
		NDIS_SET_PACKET_STATUS(Packets[0], NDIS_STATUS_RESOURCES);
	if (Taken == 3) {
		/* The driver keeps this one "and all subsequent packets in the
		 * packet array" (NDIS_SET_PACKET_STATUS). */
		NDIS_SET_PACKET_STATUS(Packets[1], NDIS_STATUS_RESOURCES);
		atomic_inc(&Peer->ArrayIndications);
	}
	NdisMIndicateReceivePacket(Peer->AdapterHandle, Packets, Taken);
	/* Reclaimed by status: anything but PENDING is the driver's again
	 * (NDIS_GET_PACKET_STATUS). */
	for (i = 0; i < Taken; i++) {
		NDIS_STATUS Status = NDIS_GET_PACKET_STATUS(Packets[i]);

		if (Status == NDIS_STATUS_RESOURCES) {
			Retained = TRUE;
			atomic_inc(&Peer->ResourcesIndications);
		} else if (Retained && Status == NDIS_STATUS_PENDING) {
			atomic_inc(&Peer->LaterPending);
		}
		if (Status != NDIS_STATUS_PENDING)
			LoopReclaim(Peer, Rx[i]);
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
	LoopReclaim(Adapter, Rx);
}

/* One packet: SUCCESS (sent), PENDING (held for SendTimer) or RESOURCES. */
static NDIS_STATUS LoopSendOne(PLOOP_ADAPTER Adapter, PNDIS_PACKET Packet, LOOP_FRAME *Frame)
{
	PLOOP_ADAPTER Peer = LoopAdapters[Adapter->Index ^ 1];
	int n = atomic_inc_return(&Adapter->SendCalls);
	BOOLEAN Hold, Stuck;

	/* NDIS sends nothing while a reset is in progress (Reset). */
	if (Adapter->InReset)
		atomic_inc(&Adapter->SendsInReset);

	/* Held until cancelled (or the halt), never delivered. */
	if (Adapter->Index == 0 && atomic_read(&LoopHoldSends) > 0) {
		BOOLEAN Taken = FALSE;

		NdisDprAcquireSpinLock(&Adapter->Lock);
		if (Adapter->HeldCount < LOOP_PENDING_SENDS &&
		    atomic_add_unless(&LoopHoldSends, -1, 0)) {
			Adapter->Held[Adapter->HeldCount++] = Packet;
			Taken = TRUE;
		}
		NdisDprReleaseSpinLock(&Adapter->Lock);
		if (Taken)
			return NDIS_STATUS_PENDING;
	}
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
	/* Hung (a hang asked for, not yet seen): sends stay PENDING until
	 * the reset gives them up. */
	Stuck = !deserialize && (atomic_read(&LoopHang) & (1 << Adapter->Index)) &&
		Adapter->StuckCount < LOOP_PENDING_SENDS;
	if (Stuck)
		Adapter->Stuck[Adapter->StuckCount++] = Packet;
	Hold = !Stuck && n % 8 == 0 && Adapter->PendingCount < LOOP_PENDING_SENDS;
	if (Hold)
		Adapter->Pending[Adapter->PendingCount++] = Packet;
	NdisDprReleaseSpinLock(&Adapter->Lock);
	if (Stuck)
		return NDIS_STATUS_PENDING;
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
	/* Hung only once a send is stuck: the reset then always has one to
	 * give up (a check right after the write would otherwise find none,
	 * and the test's count of them would depend on the timing). */
	if (READ_ONCE(Adapter->StuckCount) == 0)
		return FALSE;
	return (atomic_fetch_andnot(Bit, &LoopHang) & Bit) != 0;
}

static NDIS_STATUS LoopReset(OUT PBOOLEAN AddressingReset, IN NDIS_HANDLE MiniportAdapterContext)
{
	PLOOP_ADAPTER Adapter = MiniportAdapterContext;

	ULONG Dropped;

	*AddressingReset = FALSE;	/* said again at completion */
	/* "The miniport relinquishes pending packet ownership, no matter
	 * the state of the send": NDIS completes them (MiniportReset). */
	NdisDprAcquireSpinLock(&Adapter->Lock);
	Adapter->InReset = TRUE;
	Dropped = Adapter->PendingCount + Adapter->StuckCount;
	Adapter->PendingCount = 0;
	Adapter->StuckCount = 0;
	NdisDprReleaseSpinLock(&Adapter->Lock);
	atomic_add(Dropped, &Adapter->ResetDropped);
	NdisMSetTimer(&Adapter->ResetTimer, 300);
	return NDIS_STATUS_PENDING;
}

/* Completes the held sends marked with @CancelId, aborted. */
static VOID LoopCancelSendPackets(IN NDIS_HANDLE MiniportAdapterContext, IN PVOID CancelId)
{
	PLOOP_ADAPTER Adapter = MiniportAdapterContext;
	PNDIS_PACKET Done[LOOP_PENDING_SENDS];
	ULONG i, Kept = 0, n = 0;

	atomic_inc(&Adapter->CancelCalls);
	NdisAcquireSpinLock(&Adapter->Lock);
	for (i = 0; i < Adapter->HeldCount; i++) {
		PNDIS_PACKET Packet = Adapter->Held[i];

		if (NDIS_GET_PACKET_CANCEL_ID(Packet) == CancelId) {
			Done[n++] = Packet;
		} else {
			atomic_inc(&Adapter->CancelMismatch);
			Adapter->Held[Kept++] = Packet;
		}
	}
	Adapter->HeldCount = Kept;
	NdisReleaseSpinLock(&Adapter->Lock);
	for (i = 0; i < n; i++) {
		atomic_inc(&Adapter->Cancelled);
		NdisMSendComplete(Adapter->AdapterHandle, Done[i], NDIS_STATUS_REQUEST_ABORTED);
	}
}

static VOID LoopPnPEventNotify(IN NDIS_HANDLE MiniportAdapterContext,
			       IN NDIS_DEVICE_PNP_EVENT PnPEvent, IN PVOID InformationBuffer,
			       IN ULONG InformationBufferLength)
{
	PLOOP_ADAPTER Adapter = MiniportAdapterContext;

	switch (PnPEvent) {
	case NdisDevicePnPEventSurpriseRemoved:
		atomic_inc(&Adapter->SurpriseRemoved);
		break;
	case NdisDevicePnPEventPowerProfileChanged:
		if (InformationBuffer != NULL && InformationBufferLength == sizeof(ULONG)) {
			Adapter->PowerProfile = (LONG)*(PULONG)InformationBuffer;
			atomic_inc(&Adapter->PowerProfileEvents);
			break;
		}
		fallthrough;
	default:
		atomic_inc(&Adapter->PnPOther);
		break;
	}
}

static VOID LoopShutdown(IN NDIS_HANDLE MiniportAdapterContext)
{
	PLOOP_ADAPTER Adapter = MiniportAdapterContext;

	atomic_inc(&Adapter->Shutdowns);
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
	Chars.CancelSendPacketsHandler = LoopCancelSendPackets;
	Chars.PnPEventNotifyHandler = LoopPnPEventNotify;
	Chars.AdapterShutdownHandler = LoopShutdown;
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
