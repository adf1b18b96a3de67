// SPDX-License-Identifier: GPL-2.0
/*++

Module Name:

    send.c

Abstract:

    Transmit: MiniportSendPackets puts each packet on the transmit ring,
    one descriptor per physical fragment, and the controller is told to
    poll the ring (TDMD).  The frame's descriptors are filled first and its
    first descriptor handed over (OWN) last, so the controller never sees
    half a frame.  A packet completes (NdisMSendComplete) when the
    controller has given back its last descriptor.

    The fragments' bus addresses come, in the default build, from the
    scatter-gather list NDIS built for the packet
    (NdisMInitializeScatterGatherDma; the list is in the packet's
    ScatterGatherListPacketInfo and stays mapped until NdisMSendComplete);
    with PCNET_USE_MAP_REGISTERS, from NdisMStartBufferPhysicalMapping, one
    map register per transmit descriptor: a buffer is mapped with the
    register of the first descriptor it occupies and unmapped
    (NdisMCompleteBufferPhysicalMapping) when that descriptor comes back.

    A packet with more fragments than PCNET_MAX_TX_FRAGMENTS, or shorter
    than the 60 bytes of a minimum frame, is copied into the descriptor's
    own buffer in shared memory (padded with zeros to 60 bytes).

--*/

#define NDIS_MINIPORT_DRIVER 1
#define NDIS51_MINIPORT 1
#include <ndis.h>
#include "pcnet.h"

#define PCNET_NEXT_TX(_Index) (((_Index) + 1) & (PCNET_TX_RING_SIZE - 1))

NDIS_STATUS
PcnetInitializeSendDma(
	_In_ PPCNET_ADAPTER Adapter)
{
#ifdef PCNET_USE_MAP_REGISTERS
	/* One map register per transmit descriptor; a buffer is at most a
	 * frame long. */
	return NdisMAllocateMapRegisters(Adapter->MiniportAdapterHandle, 0,
					 NDIS_DMA_32BITS, PCNET_TX_RING_SIZE,
					 PCNET_MAX_FRAME_SIZE);
#else
	/* The controller takes 32-bit addresses. */
	return NdisMInitializeScatterGatherDma(Adapter->MiniportAdapterHandle, FALSE,
					       PCNET_MAX_FRAME_SIZE);
#endif
}

VOID
PcnetFreeSendDma(
	_In_ PPCNET_ADAPTER Adapter)
{
#ifdef PCNET_USE_MAP_REGISTERS
	NdisMFreeMapRegisters(Adapter->MiniportAdapterHandle);
#else
	/* Scatter-gather DMA goes with the adapter. */
	UNREFERENCED_PARAMETER(Adapter);
#endif
}

/* Fills the descriptor at Index (not yet handed over). */
static VOID
PcnetFillTxDescriptor(
	_In_ PPCNET_ADAPTER Adapter,
	_In_ ULONG Index,
	_In_ ULONG Address,
	_In_ ULONG Length)
{
	PPCNET_TX_DESCRIPTOR Td = &Adapter->Shared->TxRing[Index];

	Td->BufferAddress = Address;
	Td->BufferLength = PCNET_BCNT(Length);
	Td->Misc = 0;
}

/*
 * Hands the Count descriptors from TxTail to the controller: the packet
 * completes with the last one.
 */
static VOID
PcnetQueueFrame(
	_In_ PPCNET_ADAPTER Adapter,
	_In_ PNDIS_PACKET Packet,
	_In_ ULONG Count)
{
	PPCNET_TX_DESCRIPTOR Ring = Adapter->Shared->TxRing;
	ULONG First = Adapter->TxTail, Index = First, i;

	for (i = 0; i < Count; i++) {
		USHORT Status = (i == 0 ? TMD_STP : TMD_OWN);

		if (i == Count - 1) {
			Status |= TMD_ENP;
			Adapter->TxSlot[Index].Packet = Packet;
		}
		if (i != 0)
			Ring[Index].Status = Status;
		Index = PCNET_NEXT_TX(Index);
	}
	/* Everything else of the frame is in memory before its start is
	 * handed over. */
	KeMemoryBarrier();
	Ring[First].Status = TMD_OWN | TMD_STP | (Count == 1 ? TMD_ENP : 0);
	Adapter->TxTail = Index;
	Adapter->TxFree -= Count;
}

/* Copies the whole packet into the first free descriptor's buffer,
 * padded to the minimum frame size. */
static NDIS_STATUS
PcnetSendCopy(
	_In_ PPCNET_ADAPTER Adapter,
	_In_ PNDIS_PACKET Packet,
	_In_ PNDIS_BUFFER Buffer)
{
	ULONG Index = Adapter->TxTail;
	PUCHAR Copy = Adapter->Shared->TxBuffers[Index];
	UINT Copied = 0;

	while (Buffer != NULL) {
		PVOID Va;
		UINT Length;

		NdisQueryBufferSafe(Buffer, &Va, &Length, NormalPagePriority);
		if (Va == NULL && Length != 0)
			return NDIS_STATUS_RESOURCES;
		if (Copied + Length > PCNET_TX_BUFFER_SIZE)
			return NDIS_STATUS_INVALID_PACKET;
		NdisMoveMemory(Copy + Copied, Va, Length);
		Copied += Length;
		NdisGetNextBuffer(Buffer, &Buffer);
	}
	if (Copied < PCNET_MIN_FRAME_SIZE) {
		NdisZeroMemory(Copy + Copied, PCNET_MIN_FRAME_SIZE - Copied);
		Copied = PCNET_MIN_FRAME_SIZE;
	}
	PcnetFillTxDescriptor(Adapter, Index,
			      Adapter->SharedPhysicalLow + FIELD_OFFSET(PCNET_SHARED, TxBuffers) +
			      Index * PCNET_TX_BUFFER_SIZE, Copied);
	PcnetQueueFrame(Adapter, Packet, 1);
	return NDIS_STATUS_PENDING;
}

#ifdef PCNET_USE_MAP_REGISTERS

/* Unmaps the buffers mapped for descriptors From..To (exclusive), as a
 * failed packet leaves them. */
static VOID
PcnetUnmapRange(
	_In_ PPCNET_ADAPTER Adapter,
	_In_ ULONG From,
	_In_ ULONG To)
{
	for (; From != To; From = PCNET_NEXT_TX(From)) {
		PPCNET_TX_SLOT Slot = &Adapter->TxSlot[From];

		if (Slot->MappedBuffer != NULL) {
			NdisMCompleteBufferPhysicalMapping(Adapter->MiniportAdapterHandle,
							   Slot->MappedBuffer, From);
			Slot->MappedBuffer = NULL;
		}
	}
}

/*
 * Maps each buffer of the packet with the map register of the first
 * descriptor it takes, one descriptor per physical unit.  Fragments (the
 * pages the buffers span) bounds the units, and fits in the free
 * descriptors.
 */
static NDIS_STATUS
PcnetSendMapped(
	_In_ PPCNET_ADAPTER Adapter,
	_In_ PNDIS_PACKET Packet,
	_In_ PNDIS_BUFFER Buffer)
{
	NDIS_PHYSICAL_ADDRESS_UNIT Units[PCNET_MAX_TX_FRAGMENTS];
	ULONG Index = Adapter->TxTail;
	ULONG Count = 0;
	UINT UnitCount, i;

	for (; Buffer != NULL; Buffer = NDIS_BUFFER_LINKAGE(Buffer)) {
		if (NdisBufferLength(Buffer) == 0)
			continue;
		NdisMStartBufferPhysicalMapping(Adapter->MiniportAdapterHandle, Buffer,
						Index, TRUE, Units, &UnitCount);
		if (UnitCount == 0 || Count + UnitCount > PCNET_MAX_TX_FRAGMENTS) {
			if (UnitCount != 0)
				NdisMCompleteBufferPhysicalMapping(Adapter->MiniportAdapterHandle,
								   Buffer, Index);
			PcnetUnmapRange(Adapter, Adapter->TxTail, Index);
			return NDIS_STATUS_FAILURE;
		}
		Adapter->TxSlot[Index].MappedBuffer = Buffer;
		for (i = 0; i < UnitCount; i++) {
			PcnetFillTxDescriptor(Adapter, Index,
					      NdisGetPhysicalAddressLow(Units[i].PhysicalAddress),
					      Units[i].Length);
			Index = PCNET_NEXT_TX(Index);
			Count++;
		}
	}
	if (Count == 0)
		return NDIS_STATUS_INVALID_PACKET;
	PcnetQueueFrame(Adapter, Packet, Count);
	return NDIS_STATUS_PENDING;
}

#else /* !PCNET_USE_MAP_REGISTERS */

/* One descriptor per element of the packet's scatter-gather list. */
static NDIS_STATUS
PcnetSendScatterGather(
	_In_ PPCNET_ADAPTER Adapter,
	_In_ PNDIS_PACKET Packet,
	_In_ PSCATTER_GATHER_LIST Sgl)
{
	ULONG Index = Adapter->TxTail;
	ULONG i;

	for (i = 0; i < Sgl->NumberOfElements; i++) {
		PcnetFillTxDescriptor(Adapter, Index,
				      NdisGetPhysicalAddressLow(Sgl->Elements[i].Address),
				      Sgl->Elements[i].Length);
		Index = PCNET_NEXT_TX(Index);
	}
	PcnetQueueFrame(Adapter, Packet, Sgl->NumberOfElements);
	return NDIS_STATUS_PENDING;
}

#endif /* PCNET_USE_MAP_REGISTERS */

/*
 * One packet: NDIS_STATUS_PENDING (on the ring, NdisMSendComplete
 * follows), NDIS_STATUS_RESOURCES (no room: NDIS queues it again and
 * resubmits it after a completion), or a failure NDIS completes.
 */
static NDIS_STATUS
PcnetSendPacket(
	_In_ PPCNET_ADAPTER Adapter,
	_In_ PNDIS_PACKET Packet)
{
	PNDIS_BUFFER FirstBuffer;
	UINT PhysicalCount, TotalLength;
	ULONG Fragments;
#ifndef PCNET_USE_MAP_REGISTERS
	PSCATTER_GATHER_LIST Sgl;
#endif

	/* The registers are gone (CheckForHang): nothing would send it. */
	if (Adapter->DeviceLost)
		return NDIS_STATUS_FAILURE;
	NdisQueryPacket(Packet, &PhysicalCount, NULL, &FirstBuffer, &TotalLength);
	if (TotalLength < PCNET_ETH_HEADER_SIZE || TotalLength > PCNET_MAX_FRAME_SIZE)
		return NDIS_STATUS_INVALID_PACKET;
	if (Adapter->TxFree == 0)
		return NDIS_STATUS_RESOURCES;
#ifdef PCNET_USE_MAP_REGISTERS
	Fragments = PhysicalCount;
#else
	Sgl = (PSCATTER_GATHER_LIST)NDIS_PER_PACKET_INFO_FROM_PACKET(Packet,
								     ScatterGatherListPacketInfo);
	Fragments = Sgl != NULL ? Sgl->NumberOfElements : PCNET_MAX_TX_FRAGMENTS + 1;
#endif
	/* A short frame is copied and padded here rather than left to the
	 * controller's APAD_XMT: QEMU's model does not pad, and a receiver
	 * drops a frame under 64 bytes with its FCS as a runt. */
	if (Fragments == 0 || Fragments > PCNET_MAX_TX_FRAGMENTS ||
	    TotalLength < PCNET_MIN_FRAME_SIZE)
		return PcnetSendCopy(Adapter, Packet, FirstBuffer);
	if (Fragments > Adapter->TxFree)
		return NDIS_STATUS_RESOURCES;
#ifdef PCNET_USE_MAP_REGISTERS
	return PcnetSendMapped(Adapter, Packet, FirstBuffer);
#else
	return PcnetSendScatterGather(Adapter, Packet, Sgl);
#endif
}

/*
 * Serialized: NDIS calls this with Send, HandleInterrupt, Query/Set,
 * Reset and CheckForHang held off.  A packet refused with
 * NDIS_STATUS_RESOURCES and every packet after it go back to NDIS's
 * queue.
 */
VOID
MiniportSendPackets(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ PPNDIS_PACKET PacketArray,
	_In_ UINT NumberOfPackets)
{
	PPCNET_ADAPTER Adapter = (PPCNET_ADAPTER)MiniportAdapterContext;
	BOOLEAN Queued = FALSE;
	NDIS_STATUS Status;
	UINT i;

	for (i = 0; i < NumberOfPackets; i++) {
		Status = PcnetSendPacket(Adapter, PacketArray[i]);
		if (Status == NDIS_STATUS_RESOURCES) {
			Adapter->SendResourcesNeeded = TRUE;
			for (; i < NumberOfPackets; i++)
				NDIS_SET_PACKET_STATUS(PacketArray[i], NDIS_STATUS_RESOURCES);
			break;
		}
		if (Status == NDIS_STATUS_PENDING)
			Queued = TRUE;
		else
			Adapter->XmitError++;
		NDIS_SET_PACKET_STATUS(PacketArray[i], Status);
	}
	if (Queued)
		PcnetTriggerTransmit(Adapter);
}

/*
 * Takes back the descriptors the controller is done with, oldest first,
 * and completes their packets.  Abort (the controller is stopped): every
 * descriptor comes back; a frame the controller had not sent completes
 * with NDIS_STATUS_REQUEST_ABORTED.  After a send was refused for want of
 * descriptors, NdisMSendResourcesAvailable once some are free again.
 */
VOID
PcnetSendCompleteAll(
	_In_ PPCNET_ADAPTER Adapter,
	_In_ BOOLEAN Abort)
{
	PPCNET_TX_DESCRIPTOR Ring = Adapter->Shared->TxRing;
	USHORT FrameStatus = 0;

	while (Adapter->TxFree < PCNET_TX_RING_SIZE) {
		ULONG Index = Adapter->TxHead;
		PPCNET_TX_SLOT Slot = &Adapter->TxSlot[Index];
		USHORT Status = Ring[Index].Status;
		PNDIS_PACKET Packet;
		NDIS_STATUS Result;

		if ((Status & TMD_OWN) && !Abort)
			break;
		KeMemoryBarrier();
		/* Error and retry bits may be on any descriptor of the frame. */
		FrameStatus |= Status;
#ifdef PCNET_USE_MAP_REGISTERS
		if (Slot->MappedBuffer != NULL) {
			NdisMCompleteBufferPhysicalMapping(Adapter->MiniportAdapterHandle,
							   Slot->MappedBuffer, Index);
			Slot->MappedBuffer = NULL;
		}
#endif
		Packet = Slot->Packet;
		Slot->Packet = NULL;
		Ring[Index].Status = 0;
		Adapter->TxHead = PCNET_NEXT_TX(Index);
		Adapter->TxFree++;
		Adapter->TxProgress = TRUE;
		if (Packet == NULL)
			continue;

		if (FrameStatus & TMD_OWN) {
			Result = NDIS_STATUS_REQUEST_ABORTED;
			Adapter->XmitError++;
		} else if (FrameStatus & TMD_ERR) {
			Result = NDIS_STATUS_FAILURE;
			Adapter->XmitError++;
		} else {
			Result = NDIS_STATUS_SUCCESS;
			Adapter->XmitOk++;
			if (FrameStatus & TMD_MORE)
				Adapter->XmitMoreCollisions++;
			else if (FrameStatus & TMD_ONE)
				Adapter->XmitOneCollision++;
		}
		FrameStatus = 0;
		NdisMSendComplete(Adapter->MiniportAdapterHandle, Packet, Result);
	}
	if (Adapter->SendResourcesNeeded && Adapter->TxFree > 0) {
		Adapter->SendResourcesNeeded = FALSE;
		NdisMSendResourcesAvailable(Adapter->MiniportAdapterHandle);
	}
}
