// SPDX-License-Identifier: GPL-2.0
/*++

Module Name:

    recv.c

Abstract:

    The receive path.  Receive buffers are 2 KiB pieces of shared memory
    (NdisMAllocateSharedMemory, two per page), each described once by an
    MDL (NdisAllocateMdl over its virtual address) and a NET_BUFFER_LIST
    with one NET_BUFFER (NdisAllocateNetBufferAndNetBufferList) allocated
    at initialization: a received frame is indicated in the buffer the
    device wrote it to, without a copy and without an allocation.

    The interrupt DPC takes completed descriptors (DD) in ring order,
    refills their slots from the free buffers, and indicates the frames
    with NdisMIndicateReceiveNetBufferLists.  Buffers come back through
    MiniportReturnNetBufferLists and go straight onto the ring again.
    When few free buffers are left the frames are indicated with
    NDIS_RECEIVE_FLAGS_RESOURCES: the protocols must copy what they keep,
    the NBLs are the miniport's again when the call returns, and their
    buffers are reposted at once.

Environment:

    Kernel mode.  Built against ndis-shim's ndis.h.

--*/

#define NDIS_MINIPORT_DRIVER
#define NDIS630_MINIPORT

#include <ndis.h>
#include "e1000.h"

MINIPORT_RETURN_NET_BUFFER_LISTS MiniportReturnNetBufferLists;

/* NET_BUFFER_LIST MiniportReserved[0]: the E1000_RCB it describes. */
static __inline PE1000_RCB
E1000NblRcb(_In_ PNET_BUFFER_LIST Nbl)
{
	return (PE1000_RCB)NET_BUFFER_LIST_MINIPORT_RESERVED(Nbl)[0];
}

static __inline VOID
E1000RxPushFree(
	_In_ PE1000_ADAPTER Adapter,
	_In_ PE1000_RCB Rcb)
{
	Rcb->Next = Adapter->RcbFree;
	Adapter->RcbFree = Rcb;
	Adapter->RcbFreeCount++;
}

/* Tells the device about the buffers posted (RDT = one past the last).
 * Not while a reset rebuilds the ring: it writes RDT itself. */
VOID
E1000RxWriteTail(
	_In_ PE1000_ADAPTER Adapter)
{
	if (!Adapter->ResetInProgress)
		E1000_WRITE(Adapter, E1000_RDT, Adapter->RxNextToFill);
}

/*
 * Gives free buffers to empty ring slots, up to a ring less one (RDT ==
 * RDH means empty to the device).  RxLock held.  TRUE if any was posted.
 */
static BOOLEAN
E1000RxFill(
	_In_ PE1000_ADAPTER Adapter)
{
	BOOLEAN Posted = FALSE;

	while (Adapter->RxPosted < E1000_RX_RING_SIZE - 1 && Adapter->RcbFree != NULL) {
		PE1000_RCB Rcb = Adapter->RcbFree;
		ULONG Index = Adapter->RxNextToFill;
		PE1000_RX_DESC Desc = &Adapter->RxRing[Index];

		Adapter->RcbFree = Rcb->Next;
		Adapter->RcbFreeCount--;
		Desc->BufferAddress = (ULONG64)Rcb->PhysicalAddress.QuadPart;
		Desc->Length = 0;
		Desc->PacketChecksum = 0;
		Desc->Errors = 0;
		Desc->Special = 0;
		Desc->Status = 0;	/* DD clear: the device's to fill */
		Adapter->RxSlot[Index] = Rcb;
		Adapter->RxNextToFill = (Index + 1) % E1000_RX_RING_SIZE;
		Adapter->RxPosted++;
		Posted = TRUE;
	}
	return Posted;
}

/*
 * An empty ring with every buffer the adapter holds posted (after
 * allocation or a reset; frames at the protocols stay there).  RDT is
 * written by E1000HwInitialize.
 */
VOID
E1000RxInitRing(
	_In_ PE1000_ADAPTER Adapter)
{
	ULONG i;

	for (i = 0; i < E1000_RX_RING_SIZE; i++) {
		if (Adapter->RxSlot[i] != NULL) {
			E1000RxPushFree(Adapter, Adapter->RxSlot[i]);
			Adapter->RxSlot[i] = NULL;
		}
	}
	NdisZeroMemory(Adapter->RxRing, E1000_RX_RING_SIZE * sizeof(E1000_RX_DESC));
	Adapter->RxNextToClean = 0;
	Adapter->RxNextToFill = 0;
	Adapter->RxPosted = 0;
	Adapter->RxDiscardToEop = FALSE;
	(void)E1000RxFill(Adapter);
}

/* Frames go to the protocols only while Running with a non-empty filter. */
VOID
E1000RxSetIndicate(
	_In_ PE1000_ADAPTER Adapter,
	_In_ BOOLEAN Indicate)
{
	NdisAcquireSpinLock(&Adapter->RxLock);
	Adapter->RxIndicate = Indicate;
	NdisReleaseSpinLock(&Adapter->RxLock);
}

/*
 * The device's checksum results as NDIS_TCP_IP_CHECKSUM_NET_BUFFER_LIST_INFO
 * (IPv4 only: the 82540EM checks nothing else).  Nothing when the device
 * set IXSM (QEMU's model always does: the protocols then check in
 * software) or the offload is off.
 */
static PVOID
E1000RxChecksumInfo(
	_In_ PE1000_ADAPTER Adapter,
	_In_ UCHAR Status,
	_In_ UCHAR Errors,
	_In_reads_bytes_(Length) PUCHAR Frame,
	_In_ ULONG Length)
{
	NDIS_TCP_IP_CHECKSUM_NET_BUFFER_LIST_INFO Csum;
	UCHAR Protocol;

	Csum.Value = NULL;
	if ((Status & E1000_RXD_STAT_IXSM) || Length < E1000_ETH_HEADER_SIZE + 20 ||
	    Frame[12] != 0x08 || Frame[13] != 0x00)
		return NULL;

	if ((Status & E1000_RXD_STAT_IPCS) && Adapter->RxIpChecksum) {
		if (Errors & E1000_RXD_ERR_IPE)
			Csum.Receive.IpChecksumFailed = 1;
		else
			Csum.Receive.IpChecksumSucceeded = 1;
	}
	if (Status & E1000_RXD_STAT_TCPCS) {
		Protocol = Frame[E1000_ETH_HEADER_SIZE + 9];
		if (Protocol == 6 && Adapter->RxTcpChecksum) {
			if (Errors & E1000_RXD_ERR_TCPE)
				Csum.Receive.TcpChecksumFailed = 1;
			else
				Csum.Receive.TcpChecksumSucceeded = 1;
		} else if (Protocol == 17 && Adapter->RxUdpChecksum) {
			if (Errors & E1000_RXD_ERR_TCPE)
				Csum.Receive.UdpChecksumFailed = 1;
			else
				Csum.Receive.UdpChecksumSucceeded = 1;
		}
	}
	return Csum.Value;
}

/*
 * Sets up a buffer's NBL for indication: the NET_BUFFER describes the
 * frame from the start of the buffer (a protocol that retreated or
 * advanced it has restored it; it is set again all the same).
 */
static VOID
E1000RxPrepareNbl(
	_In_ PE1000_ADAPTER Adapter,
	_In_ PE1000_RCB Rcb,
	_In_ ULONG Length,
	_In_ UCHAR Status,
	_In_ UCHAR Errors)
{
	PNET_BUFFER_LIST Nbl = Rcb->NetBufferList;
	PNET_BUFFER Nb = NET_BUFFER_LIST_FIRST_NB(Nbl);

	NET_BUFFER_FIRST_MDL(Nb) = Rcb->Mdl;
	NET_BUFFER_CURRENT_MDL(Nb) = Rcb->Mdl;
	NET_BUFFER_DATA_OFFSET(Nb) = 0;
	NET_BUFFER_CURRENT_MDL_OFFSET(Nb) = 0;
	NET_BUFFER_DATA_LENGTH(Nb) = Length;
	NET_BUFFER_LIST_NEXT_NBL(Nbl) = NULL;
	NET_BUFFER_LIST_STATUS(Nbl) = NDIS_STATUS_SUCCESS;
	Nbl->SourceHandle = Adapter->MiniportAdapterHandle;
	NET_BUFFER_LIST_INFO(Nbl, TcpIpChecksumNetBufferListInfo) =
		E1000RxChecksumInfo(Adapter, Status, Errors, Rcb->VirtualAddress, Length);
}

/*
 * Takes up to Budget completed descriptors off the ring: frames to
 * indicate are chained at *Tail, the rest go back to the free list.
 * RxLock held.  Returns the frames chained.
 */
static ULONG
E1000RxHarvest(
	_In_ PE1000_ADAPTER Adapter,
	_In_ ULONG Budget,
	_Inout_ PNET_BUFFER_LIST **Tail)
{
	ULONG Count = 0;

	while (Count < Budget && Adapter->RxPosted != 0) {
		ULONG Index = Adapter->RxNextToClean;
		PE1000_RX_DESC Desc = &Adapter->RxRing[Index];
		PE1000_RCB Rcb;
		UCHAR Status, Errors;
		ULONG Length;

		Status = *(volatile UCHAR *)&Desc->Status;
		if (!(Status & E1000_RXD_STAT_DD))
			break;
		/* Length, errors and data only after DD was seen set. */
		KeMemoryBarrier();
		Errors = Desc->Errors;
		Length = Desc->Length;

		Rcb = Adapter->RxSlot[Index];
		Adapter->RxSlot[Index] = NULL;
		Adapter->RxNextToClean = (Index + 1) % E1000_RX_RING_SIZE;
		Adapter->RxPosted--;

		/*
		 * A frame longer than one buffer (possible only with long
		 * packets on, which are not) or with a receive error is
		 * dropped whole; so is everything while nobody may see it.
		 */
		if (Adapter->RxDiscardToEop || !(Status & E1000_RXD_STAT_EOP) ||
		    (Errors & E1000_RXD_ERR_FRAME_MASK) ||
		    Length < E1000_ETH_HEADER_SIZE || Length > E1000_RX_BUFFER_SIZE) {
			Adapter->RxDiscardToEop = !(Status & E1000_RXD_STAT_EOP);
			if (Errors & E1000_RXD_ERR_FRAME_MASK)
				Adapter->Sw.RxErrors++;
			else
				Adapter->Sw.RxDiscards++;
			E1000RxPushFree(Adapter, Rcb);
			continue;
		}
		if (!Adapter->RxIndicate) {
			/* Paused, or no packet filter: not a discard. */
			E1000RxPushFree(Adapter, Rcb);
			continue;
		}

		E1000RxPrepareNbl(Adapter, Rcb, Length, Status, Errors);
		{
			PUCHAR Dest = Rcb->VirtualAddress;
			UCHAR Cast = (Dest[0] & Dest[1] & Dest[2] & Dest[3] & Dest[4] & Dest[5]) == 0xFF ?
				     E1000_CAST_BROADCAST :
				     (Dest[0] & 1) ? E1000_CAST_MULTICAST : E1000_CAST_UNICAST;

			Adapter->Sw.RxOctets[Cast] += Length;
			Adapter->Sw.RxFrames++;
		}
		**Tail = Rcb->NetBufferList;
		*Tail = &NET_BUFFER_LIST_NEXT_NBL(Rcb->NetBufferList);
		Count++;
	}
	return Count;
}

/* Whether the device has completed a descriptor the DPC has not taken. */
static BOOLEAN
E1000RxPending(
	_In_ PE1000_ADAPTER Adapter)
{
	BOOLEAN Pending;

	NdisDprAcquireSpinLock(&Adapter->RxLock);
	Pending = Adapter->RxPosted != 0 &&
		  (*(volatile UCHAR *)&Adapter->RxRing[Adapter->RxNextToClean].Status &
		   E1000_RXD_STAT_DD);
	NdisDprReleaseSpinLock(&Adapter->RxLock);
	return Pending;
}

/*
 * Interrupt DPC: indicates up to MaxNbls received frames (the receive
 * throttle NDIS 6.20 passes the DPC) in batches, refilling the ring as it
 * goes.  Returns TRUE when frames are left for the next DPC.
 */
BOOLEAN
E1000RxProcess(
	_In_ PE1000_ADAPTER Adapter,
	_In_ ULONG MaxNbls)
{
	ULONG Indicated = 0;

	for (;;) {
		PNET_BUFFER_LIST Head = NULL, *Tail = &Head, Nbl;
		PE1000_RCB Indicating[E1000_RX_INDICATE_BATCH];
		ULONG Budget, Count, i, Flags = NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL;

		Budget = min((ULONG)E1000_RX_INDICATE_BATCH, MaxNbls - Indicated);
		if (Budget == 0)
			return E1000RxPending(Adapter);

		NdisDprAcquireSpinLock(&Adapter->RxLock);
		Count = E1000RxHarvest(Adapter, Budget, &Tail);
		/* Refill the slots just emptied before the frames go up. */
		if (E1000RxFill(Adapter))
			E1000RxWriteTail(Adapter);
		if (Count != 0 && Adapter->RcbFreeCount < E1000_RX_LOW_WATER)
			Flags |= NDIS_RECEIVE_FLAGS_RESOURCES;
		NdisDprReleaseSpinLock(&Adapter->RxLock);

		if (Count == 0)
			return FALSE;

		/* The chain is NDIS's during the call: remember the buffers. */
		for (Nbl = Head, i = 0; Nbl != NULL; Nbl = NET_BUFFER_LIST_NEXT_NBL(Nbl))
			Indicating[i++] = E1000NblRcb(Nbl);

		if (!(Flags & NDIS_RECEIVE_FLAGS_RESOURCES))
			InterlockedAdd(&Adapter->RxOutstanding, (LONG)Count);
		NdisMIndicateReceiveNetBufferLists(Adapter->MiniportAdapterHandle, Head,
						   NDIS_DEFAULT_PORT_NUMBER, Count, Flags);
		Indicated += Count;

		if (Flags & NDIS_RECEIVE_FLAGS_RESOURCES) {
			/* Ours again: post the buffers now. */
			NdisDprAcquireSpinLock(&Adapter->RxLock);
			for (i = 0; i < Count; i++)
				E1000RxPushFree(Adapter, Indicating[i]);
			if (E1000RxFill(Adapter))
				E1000RxWriteTail(Adapter);
			NdisDprReleaseSpinLock(&Adapter->RxLock);
		}
		if (Count < Budget)
			return FALSE;	/* the ring is drained */
	}
}

/*
 * MINIPORT_RETURN_NET_BUFFER_LISTS: the protocols are done with frames
 * indicated without NDIS_RECEIVE_FLAGS_RESOURCES.  The buffers go back on
 * the ring.
 */
VOID
MiniportReturnNetBufferLists(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ PNET_BUFFER_LIST NetBufferLists,
	_In_ ULONG ReturnFlags)
{
	PE1000_ADAPTER Adapter = (PE1000_ADAPTER)MiniportAdapterContext;
	BOOLEAN AtDispatch = NDIS_TEST_RETURN_AT_DISPATCH_LEVEL(ReturnFlags);
	PNET_BUFFER_LIST Nbl, Next;
	LONG Count = 0;

	if (AtDispatch)
		NdisDprAcquireSpinLock(&Adapter->RxLock);
	else
		NdisAcquireSpinLock(&Adapter->RxLock);
	for (Nbl = NetBufferLists; Nbl != NULL; Nbl = Next) {
		Next = NET_BUFFER_LIST_NEXT_NBL(Nbl);
		NET_BUFFER_LIST_NEXT_NBL(Nbl) = NULL;
		E1000RxPushFree(Adapter, E1000NblRcb(Nbl));
		Count++;
	}
	if (E1000RxFill(Adapter))
		E1000RxWriteTail(Adapter);
	if (AtDispatch)
		NdisDprReleaseSpinLock(&Adapter->RxLock);
	else
		NdisReleaseSpinLock(&Adapter->RxLock);

	if (InterlockedAdd(&Adapter->RxOutstanding, -Count) == 0)
		E1000CheckPauseComplete(Adapter);
}

/*
 * The NBL pool, the descriptor ring and the buffers with their MDLs and
 * NBLs.  PASSIVE_LEVEL (NdisMAllocateSharedMemory), after SG DMA
 * registration (shared memory needs the adapter's DMA adapter).  On
 * failure E1000RxFree releases what was made.
 */
NDIS_STATUS
E1000RxAllocate(
	_In_ PE1000_ADAPTER Adapter)
{
	NET_BUFFER_LIST_POOL_PARAMETERS PoolParameters;
	NDIS_STATUS Status;
	ULONG Block, i;

	NdisZeroMemory(&PoolParameters, sizeof(PoolParameters));
	PoolParameters.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
	PoolParameters.Header.Revision = NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
	PoolParameters.Header.Size = NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
	PoolParameters.ProtocolId = NDIS_PROTOCOL_ID_DEFAULT;
	PoolParameters.fAllocateNetBuffer = TRUE;	/* an NB with each NBL */
	PoolParameters.ContextSize = 0;
	PoolParameters.PoolTag = E1000_POOL_TAG;
	PoolParameters.DataSize = 0;			/* the buffers are ours */
	Adapter->RxNblPool = NdisAllocateNetBufferListPool(Adapter->MiniportAdapterHandle,
							   &PoolParameters);
	if (Adapter->RxNblPool == NULL)
		return NDIS_STATUS_RESOURCES;

	Status = E1000AllocateSharedBlock(Adapter, E1000_RX_RING_SIZE * sizeof(E1000_RX_DESC),
					  FALSE, &Adapter->RxRingBlock);
	if (Status != NDIS_STATUS_SUCCESS)
		return Status;
	Adapter->RxRing = (PE1000_RX_DESC)Adapter->RxRingBlock.VirtualAddress;

	Adapter->RcbArray = NdisAllocateMemoryWithTagPriority(Adapter->MiniportAdapterHandle,
							      E1000_RX_BUFFER_COUNT * sizeof(E1000_RCB),
							      E1000_POOL_TAG, NormalPoolPriority);
	if (Adapter->RcbArray == NULL)
		return NDIS_STATUS_RESOURCES;
	NdisZeroMemory(Adapter->RcbArray, E1000_RX_BUFFER_COUNT * sizeof(E1000_RCB));

	for (Block = 0; Block < E1000_RX_BLOCK_COUNT; Block++) {
		PE1000_SHARED_BLOCK B = &Adapter->RxBlocks[Block];

		/* Cached: the CPU reads every frame; coherence is the platform's. */
		Status = E1000AllocateSharedBlock(Adapter, E1000_RX_BLOCK_SIZE, TRUE, B);
		if (Status != NDIS_STATUS_SUCCESS)
			return Status;

		for (i = 0; i < E1000_RX_BUFFERS_PER_BLOCK; i++) {
			PE1000_RCB Rcb = &Adapter->RcbArray[Block * E1000_RX_BUFFERS_PER_BLOCK + i];

			Rcb->VirtualAddress = (PUCHAR)B->VirtualAddress + i * E1000_RX_BUFFER_SIZE;
			Rcb->PhysicalAddress.QuadPart = B->PhysicalAddress.QuadPart +
							i * E1000_RX_BUFFER_SIZE;
			Rcb->Mdl = NdisAllocateMdl(Adapter->MiniportAdapterHandle,
						   Rcb->VirtualAddress, E1000_RX_BUFFER_SIZE);
			if (Rcb->Mdl == NULL)
				return NDIS_STATUS_RESOURCES;
			Rcb->NetBufferList = NdisAllocateNetBufferAndNetBufferList(
				Adapter->RxNblPool, 0, 0, Rcb->Mdl, 0, E1000_RX_BUFFER_SIZE);
			if (Rcb->NetBufferList == NULL)
				return NDIS_STATUS_RESOURCES;
			NET_BUFFER_LIST_MINIPORT_RESERVED(Rcb->NetBufferList)[0] = Rcb;
			E1000RxPushFree(Adapter, Rcb);
		}
	}
	E1000RxInitRing(Adapter);
	return NDIS_STATUS_SUCCESS;
}

/* Everything E1000RxAllocate made.  No buffer may be at the protocols. */
VOID
E1000RxFree(
	_In_ PE1000_ADAPTER Adapter)
{
	ULONG i;

	ASSERT(Adapter->RxOutstanding == 0);
	if (Adapter->RcbArray != NULL) {
		for (i = 0; i < E1000_RX_BUFFER_COUNT; i++) {
			PE1000_RCB Rcb = &Adapter->RcbArray[i];

			if (Rcb->NetBufferList != NULL)
				NdisFreeNetBufferList(Rcb->NetBufferList);
			if (Rcb->Mdl != NULL)
				NdisFreeMdl(Rcb->Mdl);
		}
		NdisFreeMemory(Adapter->RcbArray, 0, 0);
		Adapter->RcbArray = NULL;
	}
	Adapter->RcbFree = NULL;
	Adapter->RcbFreeCount = 0;
	NdisZeroMemory(Adapter->RxSlot, sizeof(Adapter->RxSlot));

	for (i = 0; i < E1000_RX_BLOCK_COUNT; i++)
		E1000FreeSharedBlock(Adapter, &Adapter->RxBlocks[i]);
	E1000FreeSharedBlock(Adapter, &Adapter->RxRingBlock);
	Adapter->RxRing = NULL;

	if (Adapter->RxNblPool != NULL)
		NdisFreeNetBufferListPool(Adapter->RxNblPool);
	Adapter->RxNblPool = NULL;
}
