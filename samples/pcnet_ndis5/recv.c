// SPDX-License-Identifier: GPL-2.0
/*++

Module Name:

    recv.c

Abstract:

    Receive: every receive descriptor owns a buffer in shared memory that
    holds a whole frame.  MiniportHandleInterrupt takes the frames the
    controller gave back, in ring order, and indicates each with a
    lookahead (NdisMEthIndicateReceive): the header, then up to
    CurrentLookahead bytes of data.  A protocol that wants more calls
    NdisTransferData during the indication, which reaches
    MiniportTransferData; the frame's buffer goes back to the controller
    after the indication returns.  NdisMEthIndicateReceiveComplete ends
    each batch.

--*/

#define NDIS_MINIPORT_DRIVER 1
#define NDIS51_MINIPORT 1
#include <ndis.h>
#include "pcnet.h"

#define PCNET_NEXT_RX(_Index) (((_Index) + 1) & (PCNET_RX_RING_SIZE - 1))

/* The MiniportReceiveContext of an indication: the frame it is about. */
typedef struct _PCNET_RECEIVE_CONTEXT {
	PUCHAR Frame;
	UINT Length;            /* header and data, no FCS */
} PCNET_RECEIVE_CONTEXT, *PPCNET_RECEIVE_CONTEXT;

VOID
PcnetReceive(
	_In_ PPCNET_ADAPTER Adapter)
{
	PPCNET_RX_DESCRIPTOR Ring = Adapter->Shared->RxRing;
	PCNET_RECEIVE_CONTEXT Context;
	BOOLEAN Indicated = FALSE;
	ULONG Budget;

	/* Frames arriving meanwhile are taken too, up to a bound. */
	for (Budget = 0; Budget < 4 * PCNET_RX_RING_SIZE; Budget++) {
		ULONG Index = Adapter->RxNext;
		PPCNET_RX_DESCRIPTOR Rd = &Ring[Index];
		USHORT Status = Rd->Status;

		if (Status & RMD_OWN)
			break;
		KeMemoryBarrier();
		Context.Frame = Adapter->Shared->RxBuffers[Index];
		Context.Length = Rd->MessageLength & RMD_MCNT_MASK;
		if ((Status & (RMD_ERR | RMD_STP | RMD_ENP)) != (RMD_STP | RMD_ENP) ||
		    Context.Length < PCNET_ETH_HEADER_SIZE + PCNET_FCS_SIZE ||
		    Context.Length > PCNET_MAX_FRAME_SIZE + PCNET_FCS_SIZE) {
			/* An error, or a frame longer than the buffer (it would
			 * span descriptors): dropped. */
			Adapter->RcvError++;
			if (Status & RMD_FRAM)
				Adapter->RcvAlignmentError++;
		} else {
			UINT DataLength;

			Context.Length -= PCNET_FCS_SIZE;
			DataLength = Context.Length - PCNET_ETH_HEADER_SIZE;
			NdisMEthIndicateReceive(Adapter->MiniportAdapterHandle,
						(NDIS_HANDLE)&Context,
						(PCHAR)Context.Frame, PCNET_ETH_HEADER_SIZE,
						Context.Frame + PCNET_ETH_HEADER_SIZE,
						DataLength < Adapter->CurrentLookahead ?
						DataLength : Adapter->CurrentLookahead,
						DataLength);
			Adapter->RcvOk++;
			Indicated = TRUE;
		}
		/* Back to the controller. */
		Rd->MessageLength = 0;
		Rd->BufferLength = PCNET_BCNT(PCNET_RX_BUFFER_SIZE);
		KeMemoryBarrier();
		Rd->Status = RMD_OWN;
		Adapter->RxNext = PCNET_NEXT_RX(Index);
	}
	if (Indicated)
		NdisMEthIndicateReceiveComplete(Adapter->MiniportAdapterHandle);
}

/*
 * During an indication: copies the frame's data from ByteOffset (0: the
 * first byte after the header) into Packet's buffers, at most
 * BytesToTransfer bytes, as many as the frame and the buffers have.
 */
NDIS_STATUS
MiniportTransferData(
	_Out_ PNDIS_PACKET Packet,
	_Out_ PUINT BytesTransferred,
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ NDIS_HANDLE MiniportReceiveContext,
	_In_ UINT ByteOffset,
	_In_ UINT BytesToTransfer)
{
	PPCNET_RECEIVE_CONTEXT Context = (PPCNET_RECEIVE_CONTEXT)MiniportReceiveContext;
	UINT DataLength = Context->Length - PCNET_ETH_HEADER_SIZE;
	PUCHAR Source;
	PNDIS_BUFFER Buffer;

	UNREFERENCED_PARAMETER(MiniportAdapterContext);
	*BytesTransferred = 0;
	if (ByteOffset > DataLength)
		return NDIS_STATUS_FAILURE;
	if (BytesToTransfer > DataLength - ByteOffset)
		BytesToTransfer = DataLength - ByteOffset;
	Source = Context->Frame + PCNET_ETH_HEADER_SIZE + ByteOffset;

	NdisQueryPacket(Packet, NULL, NULL, &Buffer, NULL);
	while (Buffer != NULL && BytesToTransfer > 0) {
		PVOID Va;
		UINT Length;

		NdisQueryBufferSafe(Buffer, &Va, &Length, NormalPagePriority);
		if (Va == NULL && Length != 0)
			return NDIS_STATUS_RESOURCES;
		if (Length > BytesToTransfer)
			Length = BytesToTransfer;
		NdisMoveMemory(Va, Source, Length);
		Source += Length;
		BytesToTransfer -= Length;
		*BytesTransferred += Length;
		NdisGetNextBuffer(Buffer, &Buffer);
	}
	return NDIS_STATUS_SUCCESS;
}
