// SPDX-License-Identifier: GPL-2.0
/*++

Module Name:

    send.c

Abstract:

    The transmit path.  MiniportSendNetBufferLists queues each NET_BUFFER;
    the pump gives queued NET_BUFFERs a transmit control block (TCB) and
    ring space, reads their headers when an offload is asked for, and
    maps them with NdisMAllocateNetBufferSGList.  E1000ProcessSGList
    writes the descriptors: a TCP/IP context descriptor when the NBL asks
    for checksum offload or large send (NDIS_TCP_IP_CHECKSUM_NET_BUFFER_LIST_INFO,
    NDIS_TCP_LARGE_SEND_OFFLOAD_NET_BUFFER_LIST_INFO), then one data (or
    legacy) descriptor per scatter-gather element, and moves the tail.
    The interrupt DPC completes TCBs whose last descriptor the device has
    written back (DD): NdisMFreeNetBufferSGList, and an NBL goes back with
    NdisMSendNetBufferListsComplete once all its NET_BUFFERs are done.

    Ring space is reserved, for the worst case, before a NET_BUFFER is
    mapped, so MiniportProcessSGList never finds the ring full.  One pump
    runs at a time, so NET_BUFFERs reach the ring in the order they were
    sent (as long as NDIS calls MiniportProcessSGList before
    NdisMAllocateNetBufferSGList returns, which is the common case).

Environment:

    Kernel mode.  Built against ndis-shim's ndis.h.

--*/

#define NDIS_MINIPORT_DRIVER
#define NDIS630_MINIPORT

#include <ndis.h>
#include "e1000.h"

MINIPORT_SEND_NET_BUFFER_LISTS MiniportSendNetBufferLists;
MINIPORT_CANCEL_SEND MiniportCancelSend;

/*
 * The miniport's fields in NDIS's structures while it owns them:
 *   NET_BUFFER MiniportReserved[0]: next NET_BUFFER in the wait queue
 *   NET_BUFFER MiniportReserved[1]: the NET_BUFFER_LIST it belongs to
 *   NET_BUFFER_LIST MiniportReserved[0]: its NET_BUFFERs not yet done
 */
static __inline PNET_BUFFER
E1000NbNext(_In_ PNET_BUFFER Nb)
{
	return (PNET_BUFFER)NET_BUFFER_MINIPORT_RESERVED(Nb)[0];
}

static __inline VOID
E1000NbSetNext(_In_ PNET_BUFFER Nb, _In_opt_ PNET_BUFFER Next)
{
	NET_BUFFER_MINIPORT_RESERVED(Nb)[0] = Next;
}

static __inline PNET_BUFFER_LIST
E1000NbNbl(_In_ PNET_BUFFER Nb)
{
	return (PNET_BUFFER_LIST)NET_BUFFER_MINIPORT_RESERVED(Nb)[1];
}

static __inline ULONG_PTR
E1000NblPending(_In_ PNET_BUFFER_LIST Nbl)
{
	return (ULONG_PTR)NET_BUFFER_LIST_MINIPORT_RESERVED(Nbl)[0];
}

static __inline VOID
E1000NblSetPending(_In_ PNET_BUFFER_LIST Nbl, _In_ ULONG_PTR Pending)
{
	NET_BUFFER_LIST_MINIPORT_RESERVED(Nbl)[0] = (PVOID)Pending;
}

/* NBLs collected under TxLock, completed to NDIS after it is released. */
typedef struct _E1000_SEND_DONE {
	PNET_BUFFER_LIST Head;
	LONG Accepted;		/* of them, NBLs that counted in SendsOutstanding */
} E1000_SEND_DONE, *PE1000_SEND_DONE;

static VOID
E1000SendDoneAdd(
	_Inout_ PE1000_SEND_DONE Done,
	_In_ PNET_BUFFER_LIST Nbl,
	_In_ BOOLEAN Accepted)
{
	NET_BUFFER_LIST_NEXT_NBL(Nbl) = Done->Head;
	Done->Head = Nbl;
	if (Accepted)
		Done->Accepted++;
}

/*
 * Hands finished NBLs back to NDIS (no lock held: the protocol may send
 * again from inside the call) and lets a pending pause complete once the
 * last one is back.
 */
static VOID
E1000SendComplete(
	_In_ PE1000_ADAPTER Adapter,
	_In_ PE1000_SEND_DONE Done,
	_In_ BOOLEAN AtDispatch)
{
	if (Done->Head == NULL)
		return;
	NdisMSendNetBufferListsComplete(Adapter->MiniportAdapterHandle, Done->Head,
					AtDispatch ? NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL : 0);
	if (Done->Accepted != 0 &&
	    InterlockedAdd(&Adapter->SendsOutstanding, -Done->Accepted) == 0)
		E1000CheckPauseComplete(Adapter);
	Done->Head = NULL;
	Done->Accepted = 0;
}

/*
 * One NET_BUFFER of Nbl is finished.  The first failure becomes the NBL's
 * status; the NBL is done with its last NET_BUFFER.  TxLock held.
 */
static VOID
E1000TxNbDone(
	_In_ PNET_BUFFER_LIST Nbl,
	_In_ NDIS_STATUS Status,
	_Inout_ PE1000_SEND_DONE Done)
{
	ULONG_PTR Pending = E1000NblPending(Nbl);

	if (Status != NDIS_STATUS_SUCCESS && NET_BUFFER_LIST_STATUS(Nbl) == NDIS_STATUS_SUCCESS)
		NET_BUFFER_LIST_STATUS(Nbl) = Status;
	ASSERT(Pending != 0);
	E1000NblSetPending(Nbl, --Pending);
	if (Pending == 0)
		E1000SendDoneAdd(Done, Nbl, TRUE);
}

/* Descriptors the ring can still give out.  One slot stays empty: a full
 * ring would have TDT == TDH, which the device reads as empty. */
static ULONG
E1000TxFreeDescriptors(
	_In_ PE1000_ADAPTER Adapter)
{
	return E1000_TX_RING_SIZE - 1 - Adapter->TxDescInUse - Adapter->TxDescReserved;
}

/*
 * Worst case of descriptors a NET_BUFFER needs: a context descriptor, one
 * per physical piece of its data (the SG list cannot have more elements),
 * and one more for each element split at E1000_TX_MAX_BYTES_PER_DESC.
 */
static ULONG
E1000TxDescriptorsNeeded(
	_In_ PNET_BUFFER Nb)
{
	ULONG Mapped = NET_BUFFER_CURRENT_MDL_OFFSET(Nb) + NET_BUFFER_DATA_LENGTH(Nb);

	return 1 + NdisQueryNetBufferPhysicalCount(Nb) +
	       Mapped / E1000_TX_MAX_BYTES_PER_DESC + 1;
}

/*
 * Reads the headers of a frame that asks for checksum offload or large
 * send and fills the TCB's context: where the IPv4 header and the TCP or
 * UDP header start and where their checksums go, and for large send the
 * MSS and header length.  IPv4 only, optionally 802.1Q tagged (what this
 * miniport advertises).  No lock held.
 */
static NDIS_STATUS
E1000TxPrepareOffload(
	_In_ PE1000_ADAPTER Adapter,
	_Inout_ PE1000_TCB Tcb,
	_Out_writes_bytes_(E1000_MAX_OFFLOAD_HEADERS) PUCHAR Storage)
{
	PNET_BUFFER Nb = Tcb->NetBuffer;
	PNET_BUFFER_LIST Nbl = Tcb->NetBufferList;
	PE1000_TX_OFFLOAD Off = &Tcb->Offload;
	NDIS_TCP_IP_CHECKSUM_NET_BUFFER_LIST_INFO Csum;
	NDIS_TCP_LARGE_SEND_OFFLOAD_NET_BUFFER_LIST_INFO Lso;
	ULONG Length = NET_BUFFER_DATA_LENGTH(Nb);
	ULONG Want, EthLength, IpLength, L4, TcpLength = 0;
	USHORT EtherType;
	BOOLEAN WantIp, WantTcp, WantUdp;
	PUCHAR H;

	UNREFERENCED_PARAMETER(Adapter);

	Csum.Value = NET_BUFFER_LIST_INFO(Nbl, TcpIpChecksumNetBufferListInfo);
	Lso.Value = NET_BUFFER_LIST_INFO(Nbl, TcpLargeSendNetBufferListInfo);

	Off->Tso = Lso.Value != NULL && Lso.LsoV1Transmit.MSS != 0;
	WantIp = Off->Tso || (Csum.Transmit.IsIPv4 && Csum.Transmit.IpHeaderChecksum);
	WantTcp = Off->Tso || (Csum.Transmit.IsIPv4 && Csum.Transmit.TcpChecksum);
	WantUdp = !WantTcp && Csum.Transmit.IsIPv4 && Csum.Transmit.UdpChecksum;
	if (!WantIp && !WantTcp && !WantUdp) {
		/* IPv6 checksums are not offered, so NDIS does not ask for them. */
		return Csum.Transmit.IsIPv6 && (Csum.Transmit.TcpChecksum || Csum.Transmit.UdpChecksum) ?
		       NDIS_STATUS_INVALID_PACKET : NDIS_STATUS_SUCCESS;
	}

	Want = min(Length, (ULONG)E1000_MAX_OFFLOAD_HEADERS);
	H = NdisGetDataBuffer(Nb, Want, Storage, 1, 0);
	if (H == NULL || Want < E1000_ETH_HEADER_SIZE + 20)
		return NDIS_STATUS_INVALID_PACKET;

	EthLength = E1000_ETH_HEADER_SIZE;
	EtherType = (USHORT)(H[12] << 8 | H[13]);
	if (EtherType == 0x8100) {		/* 802.1Q tag in the data */
		EthLength += 4;
		EtherType = (USHORT)(H[16] << 8 | H[17]);
	}
	if (EtherType != 0x0800 || Want < EthLength + 20 || (H[EthLength] >> 4) != 4)
		return NDIS_STATUS_INVALID_PACKET;
	IpLength = (ULONG)(H[EthLength] & 0x0F) * 4;
	L4 = EthLength + IpLength;
	if (IpLength < 20 || Want < L4)
		return NDIS_STATUS_INVALID_PACKET;

	if (WantTcp) {
		if (H[EthLength + 9] != 6 || Want < L4 + 20)
			return NDIS_STATUS_INVALID_PACKET;
		TcpLength = (ULONG)(H[L4 + 12] >> 4) * 4;
		if (TcpLength < 20 || Want < L4 + TcpLength)
			return NDIS_STATUS_INVALID_PACKET;
	} else if (WantUdp) {
		if (H[EthLength + 9] != 17 || Want < L4 + 8)
			return NDIS_STATUS_INVALID_PACKET;
	}

	Off->Needed = TRUE;
	Off->IpStart = (UCHAR)EthLength;
	Off->IpEnd = (USHORT)(L4 - 1);
	Off->L4Start = (UCHAR)L4;
	Off->L4ChecksumOffset = (UCHAR)(L4 + (WantUdp ? 6 : 16));
	Off->TucmdAndPopts = E1000_TXD_CTX_IP |
			     (WantTcp ? E1000_TXD_CTX_TCP : 0) |
			     (WantIp ? E1000_TXD_POPTS_IXSM : 0) |
			     (WantTcp || WantUdp ? E1000_TXD_POPTS_TXSM : 0);

	if (Off->Tso) {
		/*
		 * The transport has put the pseudo-header sum without the TCP
		 * length in the TCP checksum and zero in the IP checksum; for
		 * LSOv2 the IP total length is zero too.  The device fills in
		 * length, IP ID, sequence number, flags and both checksums per
		 * segment (SDM 3.5).
		 */
		if (Lso.Transmit.Type == NDIS_TCP_LARGE_SEND_OFFLOAD_V2_TYPE &&
		    Lso.LsoV2Transmit.IPVersion != NDIS_TCP_LARGE_SEND_OFFLOAD_IPv4)
			return NDIS_STATUS_INVALID_PACKET;
		Off->LsoV1 = Lso.Transmit.Type == NDIS_TCP_LARGE_SEND_OFFLOAD_V1_TYPE;
		Off->HeaderLength = (UCHAR)(L4 + TcpLength);
		Off->Mss = (USHORT)Lso.LsoV1Transmit.MSS;
		if (Length <= Off->HeaderLength || Off->Mss == 0)
			return NDIS_STATUS_INVALID_PACKET;
		Off->PayloadLength = Length - Off->HeaderLength;
		Off->TucmdAndPopts |= E1000_TXD_CTX_TSE;
	}
	return NDIS_STATUS_SUCCESS;
}

/*
 * Everything about a NET_BUFFER that does not need the lock, before it is
 * mapped: its destination type (for the octet counters) and, when asked
 * for, the offload context.
 */
static NDIS_STATUS
E1000TxPrepare(
	_In_ PE1000_ADAPTER Adapter,
	_Inout_ PE1000_TCB Tcb)
{
	UCHAR Storage[E1000_MAX_OFFLOAD_HEADERS];
	PUCHAR Dest;

	Tcb->Bytes = NET_BUFFER_DATA_LENGTH(Tcb->NetBuffer);
	NdisZeroMemory(&Tcb->Offload, sizeof(Tcb->Offload));
	Dest = NdisGetDataBuffer(Tcb->NetBuffer, E1000_ETH_ADDRESS_LENGTH, Storage, 1, 0);
	if (Dest == NULL || Tcb->Bytes < E1000_ETH_HEADER_SIZE)
		return NDIS_STATUS_INVALID_PACKET;
	if ((Dest[0] & Dest[1] & Dest[2] & Dest[3] & Dest[4] & Dest[5]) == 0xFF)
		Tcb->Cast = E1000_CAST_BROADCAST;
	else if (Dest[0] & 1)
		Tcb->Cast = E1000_CAST_MULTICAST;
	else
		Tcb->Cast = E1000_CAST_UNICAST;
	return E1000TxPrepareOffload(Adapter, Tcb, Storage);
}

/*
 * Moves queued NET_BUFFERs into TCBs and maps them, while there is a TCB
 * and ring space for the next one.  TxLock held at entry and exit, dropped
 * around NdisMAllocateNetBufferSGList (MiniportProcessSGList takes it, and
 * may run before that call returns).  One caller pumps at a time; the
 * others leave their NET_BUFFERs to it.
 */
static VOID
E1000TxPump(
	_In_ PE1000_ADAPTER Adapter,
	_Inout_ PE1000_SEND_DONE Done)
{
	PNET_BUFFER Nb;
	PE1000_TCB Tcb;
	NDIS_STATUS Status;
	ULONG Need;

	if (Adapter->TxPumpActive)
		return;
	Adapter->TxPumpActive = TRUE;

	while ((Nb = Adapter->TxWaitHead) != NULL && Adapter->TcbFree != NULL &&
	       Adapter->TxRejectStatus == NDIS_STATUS_SUCCESS) {
		Need = E1000TxDescriptorsNeeded(Nb);
		if (Need > E1000_TX_RING_SIZE - 1) {
			/* More pieces than the ring holds: it could never go. */
			Adapter->TxWaitHead = E1000NbNext(Nb);
			if (Adapter->TxWaitHead == NULL)
				Adapter->TxWaitTail = NULL;
			Adapter->Sw.TxDiscards++;
			E1000TxNbDone(E1000NbNbl(Nb), NDIS_STATUS_INVALID_PACKET, Done);
			continue;
		}
		if (Need > E1000TxFreeDescriptors(Adapter))
			break;	/* the DPC pumps again as descriptors come back */

		Adapter->TxWaitHead = E1000NbNext(Nb);
		if (Adapter->TxWaitHead == NULL)
			Adapter->TxWaitTail = NULL;	/* senders append while the lock is dropped */
		Tcb = Adapter->TcbFree;
		Adapter->TcbFree = Tcb->Next;
		Tcb->Next = NULL;
		Tcb->NetBuffer = Nb;
		Tcb->NetBufferList = E1000NbNbl(Nb);
		Tcb->SgList = NULL;
		Tcb->DescReserved = Need;
		Adapter->TxDescReserved += Need;
		Adapter->TcbsMapping++;
		NdisDprReleaseSpinLock(&Adapter->TxLock);

		Status = E1000TxPrepare(Adapter, Tcb);
		if (Status == NDIS_STATUS_SUCCESS)
			Status = NdisMAllocateNetBufferSGList(Adapter->SgDmaHandle, Nb, Tcb,
							      NDIS_SG_LIST_WRITE_TO_DEVICE,
							      Tcb->SgBuffer,
							      Adapter->ScatterGatherListSize);

		NdisDprAcquireSpinLock(&Adapter->TxLock);
		if (Status != NDIS_STATUS_SUCCESS) {
			/* Not mapped: MiniportProcessSGList will not be called. */
			Adapter->TcbsMapping--;
			Adapter->TxDescReserved -= Tcb->DescReserved;
			Tcb->NetBuffer = NULL;
			Tcb->Next = Adapter->TcbFree;
			Adapter->TcbFree = Tcb;
			Adapter->Sw.TxDiscards++;
			E1000TxNbDone(E1000NbNbl(Nb), Status, Done);
		}
	}
	/* One tail write for everything mapped during this pump. */
	if (Adapter->TxTailDirty) {
		Adapter->TxTailDirty = FALSE;
		E1000_WRITE(Adapter, E1000_TDT, Adapter->TxNextToUse);
	}
	Adapter->TxPumpActive = FALSE;
}

/*
 * A frame that needs a send offload: TCP/IP context descriptor (SDM
 * 3.3.6), unless the device already holds the same checksum context (it
 * keeps the last one; a TSO context carries the payload length, so it is
 * always written and never reused).  Returns the descriptors written.
 */
static ULONG
E1000TxWriteContext(
	_In_ PE1000_ADAPTER Adapter,
	_In_ PE1000_TCB Tcb,
	_In_ ULONG Index)
{
	PE1000_TX_OFFLOAD Off = &Tcb->Offload;
	PE1000_TX_CONTEXT_DESC Ctx;
	ULONG Ip, Tcp, Cmd, Seg = 0;

	Ip = (ULONG)Off->IpStart | (ULONG)(Off->IpStart + 10) << 8 | (ULONG)Off->IpEnd << 16;
	/* TUCSE 0: the TCP/UDP checksum runs to the end of the frame. */
	Tcp = (ULONG)Off->L4Start | (ULONG)Off->L4ChecksumOffset << 8;
	/* TUCMD: DEXT, IP, TCP, TSE (bit 25 is IP here, not IFCS). */
	Cmd = E1000_TXD_CMD_DEXT | E1000_TXD_DTYP_CONTEXT |
	      (Off->TucmdAndPopts & (E1000_TXD_CTX_TCP | E1000_TXD_CTX_IP | E1000_TXD_CTX_TSE));
	if (Off->Tso) {
		Cmd |= Off->PayloadLength & E1000_TXD_PAYLEN_MASK;
		Seg = (ULONG)Off->HeaderLength << 8 | (ULONG)Off->Mss << 16;
	} else if (Adapter->TxContextValid && Adapter->TxContextIp == Ip &&
		   Adapter->TxContextTcp == Tcp && Adapter->TxContextCmd == Cmd) {
		return 0;
	}

	Ctx = (PE1000_TX_CONTEXT_DESC)&Adapter->TxRing[Index];
	Ctx->IpFields = Ip;
	Ctx->TcpFields = Tcp;
	Ctx->CmdAndLength = Cmd;
	Ctx->SegSetup = Seg;

	Adapter->TxContextValid = !Off->Tso;
	Adapter->TxContextIp = Ip;
	Adapter->TxContextTcp = Tcp;
	Adapter->TxContextCmd = Cmd;
	return 1;
}

/*
 * Writes a mapped NET_BUFFER's descriptors at TxNextToUse and hands them
 * to the device.  The list starts at the beginning of the NET_BUFFER's
 * CurrentMdl: its first CurrentMdlOffset bytes are not data.  FALSE if
 * the list does not cover the data or needs more descriptors than were
 * reserved (nothing is handed to the device then).  TxLock held.
 */
static BOOLEAN
E1000TxWriteDescriptors(
	_In_ PE1000_ADAPTER Adapter,
	_Inout_ PE1000_TCB Tcb)
{
	PSCATTER_GATHER_LIST List = Tcb->SgList;
	PE1000_TX_OFFLOAD Off = &Tcb->Offload;
	ULONG Skip = NET_BUFFER_CURRENT_MDL_OFFSET(Tcb->NetBuffer);
	ULONG Remaining = NET_BUFFER_DATA_LENGTH(Tcb->NetBuffer);
	ULONG Index = Adapter->TxNextToUse, Last = Index, Used = 0, Data = 0, e;
	ULONG Lower, Upper;

	if (Off->Needed) {
		Used = E1000TxWriteContext(Adapter, Tcb, Index);
		Index = (Index + Used) % E1000_TX_RING_SIZE;
	}

	for (e = 0; e < List->NumberOfElements && Remaining != 0; e++) {
		ULONG64 Address = (ULONG64)List->Elements[e].Address.QuadPart;
		ULONG Length = List->Elements[e].Length;

		if (Skip >= Length) {
			Skip -= Length;
			continue;
		}
		Address += Skip;
		Length -= Skip;
		Skip = 0;
		if (Length > Remaining)
			Length = Remaining;
		Remaining -= Length;

		while (Length != 0) {
			ULONG Chunk = min(Length, (ULONG)E1000_TX_MAX_BYTES_PER_DESC);
			PE1000_TX_DESC Desc = &Adapter->TxRing[Index];

			if (Used == Tcb->DescReserved)
				return FALSE;
			if (Off->Needed) {
				/* TCP/IP data descriptor; POPTS counts in the first one. */
				Lower = Chunk | E1000_TXD_CMD_DEXT | E1000_TXD_DTYP_DATA |
					E1000_TXD_CMD_IFCS | (Off->Tso ? E1000_TXD_CMD_TSE : 0);
				Upper = Data == 0 ? (Off->TucmdAndPopts &
						     (E1000_TXD_POPTS_IXSM | E1000_TXD_POPTS_TXSM)) : 0;
			} else {
				/* Legacy descriptor: the device adds the FCS. */
				Lower = Chunk | E1000_TXD_CMD_IFCS;
				Upper = 0;
			}
			Desc->BufferAddress = Address;
			Desc->Lower = Lower;
			Desc->Upper = Upper;	/* also clears a stale DD */
			Last = Index;
			Index = (Index + 1) % E1000_TX_RING_SIZE;
			Used++;
			Data++;
			Address += Chunk;
			Length -= Chunk;
		}
	}
	if (Remaining != 0 || Data == 0)
		return FALSE;

	/* End of packet; report status so DD tells when the TCB is done. */
	Adapter->TxRing[Last].Lower |= E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS;

	Tcb->DescUsed = Used;
	Tcb->LastDesc = Last;
	Adapter->TxDescInUse += Used;
	Adapter->TxNextToUse = Index;
	return TRUE;
}

/*
 * MINIPORT_PROCESS_SG_LIST: NDIS has mapped the NET_BUFFER of the TCB in
 * Context.  DISPATCH_LEVEL; possibly before NdisMAllocateNetBufferSGList
 * returned.
 */
VOID
E1000ProcessSGList(
	_In_ PDEVICE_OBJECT pDO,
	_In_ PVOID Reserved,
	_In_ PSCATTER_GATHER_LIST pSGL,
	_In_ PVOID Context)
{
	PE1000_TCB Tcb = (PE1000_TCB)Context;
	PE1000_ADAPTER Adapter = Tcb->Adapter;
	E1000_SEND_DONE Done = { NULL, 0 };
	PNET_BUFFER Nb = Tcb->NetBuffer;

	UNREFERENCED_PARAMETER(pDO);
	UNREFERENCED_PARAMETER(Reserved);

	NdisDprAcquireSpinLock(&Adapter->TxLock);
	Adapter->TcbsMapping--;
	Tcb->SgList = pSGL;
	Adapter->TxDescReserved -= Tcb->DescReserved;

	if (E1000TxWriteDescriptors(Adapter, Tcb)) {
		if (Adapter->TcbBusyTail != NULL)
			Adapter->TcbBusyTail->Next = Tcb;
		else
			Adapter->TcbBusyHead = Tcb;
		Adapter->TcbBusyTail = Tcb;
		/*
		 * NdisWriteRegisterUlong orders the descriptor writes before
		 * the tail moves.  A running pump writes the tail once for all
		 * it mapped.
		 */
		if (Adapter->TxPumpActive)
			Adapter->TxTailDirty = TRUE;
		else
			E1000_WRITE(Adapter, E1000_TDT, Adapter->TxNextToUse);
	} else {
		/* A list that does not describe the data: drop the frame.  A
		 * context descriptor written for it never reached the device. */
		Adapter->TxContextValid = FALSE;
		NdisMFreeNetBufferSGList(Adapter->SgDmaHandle, pSGL, Nb);
		Tcb->NetBuffer = NULL;
		Tcb->SgList = NULL;
		Tcb->Next = Adapter->TcbFree;
		Adapter->TcbFree = Tcb;
		Adapter->Sw.TxDiscards++;
		E1000TxNbDone(E1000NbNbl(Nb), NDIS_STATUS_FAILURE, &Done);
	}
	NdisDprReleaseSpinLock(&Adapter->TxLock);
	E1000SendComplete(Adapter, &Done, TRUE);
}

/*
 * A TCB whose descriptors the device is finished with (or never will
 * read again): unmap, count, and finish its NET_BUFFER.  TxLock held.
 */
static VOID
E1000TxReleaseTcb(
	_In_ PE1000_ADAPTER Adapter,
	_In_ PE1000_TCB Tcb,
	_In_ NDIS_STATUS Status,
	_Inout_ PE1000_SEND_DONE Done)
{
	PNET_BUFFER_LIST Nbl = Tcb->NetBufferList;

	NdisMFreeNetBufferSGList(Adapter->SgDmaHandle, Tcb->SgList, Tcb->NetBuffer);
	if (Status == NDIS_STATUS_SUCCESS) {
		Adapter->Sw.TxFrames++;
		Adapter->Sw.TxOctets[Tcb->Cast] += Tcb->Bytes;
		if (Tcb->Offload.Tso && Tcb->Offload.LsoV1) {
			/*
			 * LSOv1: the transport learns how much TCP payload went
			 * out from the same field (it replaces MSS and header
			 * offset; an LSO NBL has exactly one NET_BUFFER).  LSOv2
			 * completions leave the information as it was.
			 */
			NDIS_TCP_LARGE_SEND_OFFLOAD_NET_BUFFER_LIST_INFO Lso;

			Lso.Value = NET_BUFFER_LIST_INFO(Nbl, TcpLargeSendNetBufferListInfo);
			Lso.LsoV1TransmitComplete.TcpPayload = Tcb->Offload.PayloadLength;
			NET_BUFFER_LIST_INFO(Nbl, TcpLargeSendNetBufferListInfo) = Lso.Value;
		}
	} else {
		Adapter->Sw.TxErrors++;
	}
	Tcb->NetBuffer = NULL;
	Tcb->SgList = NULL;
	Tcb->Next = Adapter->TcbFree;
	Adapter->TcbFree = Tcb;
	E1000TxNbDone(Nbl, Status, Done);
}

/*
 * Interrupt DPC: completes every TCB whose last descriptor the device has
 * written back, then pumps the queue into the space that freed.
 */
VOID
E1000TxComplete(
	_In_ PE1000_ADAPTER Adapter)
{
	E1000_SEND_DONE Done = { NULL, 0 };
	PE1000_TCB Tcb;

	NdisDprAcquireSpinLock(&Adapter->TxLock);
	while ((Tcb = Adapter->TcbBusyHead) != NULL) {
		volatile ULONG *Upper = &Adapter->TxRing[Tcb->LastDesc].Upper;

		if (!(*Upper & E1000_TXD_STAT_DD))
			break;
		Adapter->TcbBusyHead = Tcb->Next;
		if (Adapter->TcbBusyHead == NULL)
			Adapter->TcbBusyTail = NULL;
		Adapter->TxDescInUse -= Tcb->DescUsed;
		Adapter->TxCompletions++;
		E1000TxReleaseTcb(Adapter, Tcb, NDIS_STATUS_SUCCESS, &Done);
	}
	if (Adapter->TxWaitHead != NULL)
		E1000TxPump(Adapter, &Done);
	NdisDprReleaseSpinLock(&Adapter->TxLock);
	E1000SendComplete(Adapter, &Done, TRUE);
}

/* Why an NBL cannot be sent at all, or SUCCESS with its NET_BUFFER count. */
static NDIS_STATUS
E1000TxCheckNbl(
	_In_ PE1000_ADAPTER Adapter,
	_In_ PNET_BUFFER_LIST Nbl,
	_Out_ PULONG Count)
{
	NDIS_TCP_LARGE_SEND_OFFLOAD_NET_BUFFER_LIST_INFO Lso;
	PNET_BUFFER Nb;

	*Count = 0;
	for (Nb = NET_BUFFER_LIST_FIRST_NB(Nbl); Nb != NULL; Nb = NET_BUFFER_NEXT_NB(Nb))
		(*Count)++;
	if (*Count == 0)
		return NDIS_STATUS_INVALID_PACKET;

	/*
	 * Large send once it has been turned off (OID_TCP_OFFLOAD_PARAMETERS)
	 * must be dropped, as the LSO pages require.
	 */
	Lso.Value = NET_BUFFER_LIST_INFO(Nbl, TcpLargeSendNetBufferListInfo);
	if (Lso.Value != NULL && Lso.LsoV1Transmit.MSS != 0) {
		BOOLEAN V2 = Lso.Transmit.Type == NDIS_TCP_LARGE_SEND_OFFLOAD_V2_TYPE;

		if ((V2 && !Adapter->LsoV2) || (!V2 && !Adapter->LsoV1) || *Count != 1)
			return NDIS_STATUS_FAILURE;
	}
	return NDIS_STATUS_SUCCESS;
}

/*
 * MINIPORT_SEND_NET_BUFFER_LISTS.  Queues every NET_BUFFER and pumps.
 * NBLs that cannot be sent (paused, resetting, gone, bad offload
 * request) are completed at once with the reason.
 */
VOID
MiniportSendNetBufferLists(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ PNET_BUFFER_LIST NetBufferList,
	_In_ NDIS_PORT_NUMBER PortNumber,
	_In_ ULONG SendFlags)
{
	PE1000_ADAPTER Adapter = (PE1000_ADAPTER)MiniportAdapterContext;
	BOOLEAN AtDispatch = NDIS_TEST_SEND_AT_DISPATCH_LEVEL(SendFlags);
	E1000_SEND_DONE Done = { NULL, 0 };
	PNET_BUFFER_LIST Nbl, Next;
	PNET_BUFFER Nb;
	NDIS_STATUS Status;
	ULONG Count;

	UNREFERENCED_PARAMETER(PortNumber);

	if (AtDispatch)
		NdisDprAcquireSpinLock(&Adapter->TxLock);
	else
		NdisAcquireSpinLock(&Adapter->TxLock);

	for (Nbl = NetBufferList; Nbl != NULL; Nbl = Next) {
		Next = NET_BUFFER_LIST_NEXT_NBL(Nbl);
		NET_BUFFER_LIST_NEXT_NBL(Nbl) = NULL;

		Status = Adapter->TxRejectStatus;
		if (Status == NDIS_STATUS_SUCCESS)
			Status = E1000TxCheckNbl(Adapter, Nbl, &Count);
		if (Status != NDIS_STATUS_SUCCESS) {
			NET_BUFFER_LIST_STATUS(Nbl) = Status;
			Adapter->Sw.TxDiscards++;
			E1000SendDoneAdd(&Done, Nbl, FALSE);
			continue;
		}

		NET_BUFFER_LIST_STATUS(Nbl) = NDIS_STATUS_SUCCESS;
		E1000NblSetPending(Nbl, Count);
		InterlockedIncrement(&Adapter->SendsOutstanding);
		for (Nb = NET_BUFFER_LIST_FIRST_NB(Nbl); Nb != NULL; Nb = NET_BUFFER_NEXT_NB(Nb)) {
			NET_BUFFER_MINIPORT_RESERVED(Nb)[1] = Nbl;
			E1000NbSetNext(Nb, NULL);
			if (Adapter->TxWaitTail != NULL)
				E1000NbSetNext(Adapter->TxWaitTail, Nb);
			else
				Adapter->TxWaitHead = Nb;
			Adapter->TxWaitTail = Nb;
		}
	}
	E1000TxPump(Adapter, &Done);

	if (AtDispatch)
		NdisDprReleaseSpinLock(&Adapter->TxLock);
	else
		NdisReleaseSpinLock(&Adapter->TxLock);

	/* Completing at the caller's IRQL: still DISPATCH_LEVEL if it was. */
	E1000SendComplete(Adapter, &Done, AtDispatch);
}

/* Takes every NET_BUFFER of NBLs matching CancelId (or all, when
 * MatchAll) out of the wait queue, finishing them with Status.  TxLock held. */
static VOID
E1000TxRemoveWaiting(
	_In_ PE1000_ADAPTER Adapter,
	_In_ BOOLEAN MatchAll,
	_In_opt_ PVOID CancelId,
	_In_ NDIS_STATUS Status,
	_Inout_ PE1000_SEND_DONE Done)
{
	PNET_BUFFER Nb = Adapter->TxWaitHead, Prev = NULL, Next;

	while (Nb != NULL) {
		PNET_BUFFER_LIST Nbl = E1000NbNbl(Nb);

		Next = E1000NbNext(Nb);
		if (MatchAll || NDIS_GET_NET_BUFFER_LIST_CANCEL_ID(Nbl) == CancelId) {
			if (Prev != NULL)
				E1000NbSetNext(Prev, Next);
			else
				Adapter->TxWaitHead = Next;
			if (Adapter->TxWaitTail == Nb)
				Adapter->TxWaitTail = Prev;
			E1000TxNbDone(Nbl, Status, Done);
		} else {
			Prev = Nb;
		}
		Nb = Next;
	}
}

/*
 * MINIPORT_CANCEL_SEND: NBLs with this cancel ID that are still queued
 * (not yet mapped) complete with NDIS_STATUS_SEND_ABORTED.  NET_BUFFERs
 * already on the ring are left to finish; their NBL then completes with
 * the aborted status.
 */
VOID
MiniportCancelSend(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ PVOID CancelId)
{
	PE1000_ADAPTER Adapter = (PE1000_ADAPTER)MiniportAdapterContext;
	E1000_SEND_DONE Done = { NULL, 0 };

	NdisAcquireSpinLock(&Adapter->TxLock);
	E1000TxRemoveWaiting(Adapter, FALSE, CancelId, NDIS_STATUS_SEND_ABORTED, &Done);
	NdisReleaseSpinLock(&Adapter->TxLock);
	E1000SendComplete(Adapter, &Done, FALSE);
}

/*
 * Refuses new sends with Status (NDIS_STATUS_PAUSED, _RESET_IN_PROGRESS,
 * ...) and completes the queued ones with it.  NET_BUFFERs already mapped
 * finish normally.
 */
VOID
E1000TxBlock(
	_In_ PE1000_ADAPTER Adapter,
	_In_ NDIS_STATUS Status,
	_In_ BOOLEAN AtDispatch)
{
	E1000_SEND_DONE Done = { NULL, 0 };

	NdisAcquireSpinLock(&Adapter->TxLock);
	Adapter->TxRejectStatus = Status;
	E1000TxRemoveWaiting(Adapter, TRUE, NULL, Status, &Done);
	NdisReleaseSpinLock(&Adapter->TxLock);
	E1000SendComplete(Adapter, &Done, AtDispatch);
}

VOID
E1000TxUnblock(
	_In_ PE1000_ADAPTER Adapter)
{
	NdisAcquireSpinLock(&Adapter->TxLock);
	Adapter->TxRejectStatus = NDIS_STATUS_SUCCESS;
	NdisReleaseSpinLock(&Adapter->TxLock);
}

/*
 * Waits (PASSIVE_LEVEL) until no pump runs and every mapping asked for
 * has reached MiniportProcessSGList; sends must be blocked.  FALSE after
 * five seconds.
 */
BOOLEAN
E1000TxWaitForMappings(
	_In_ PE1000_ADAPTER Adapter)
{
	ULONG Waited;
	BOOLEAN Idle;

	for (Waited = 0; Waited < 5000; Waited++) {
		NdisAcquireSpinLock(&Adapter->TxLock);
		Idle = Adapter->TcbsMapping == 0 && !Adapter->TxPumpActive;
		NdisReleaseSpinLock(&Adapter->TxLock);
		if (Idle)
			return TRUE;
		NdisMSleep(1000);
	}
	return FALSE;
}

/*
 * The device will not touch the ring again (stopped or reset, or gone):
 * finishes every TCB on it with Status and empties the ring.
 */
VOID
E1000TxReclaimAll(
	_In_ PE1000_ADAPTER Adapter,
	_In_ NDIS_STATUS Status,
	_In_ BOOLEAN AtDispatch)
{
	E1000_SEND_DONE Done = { NULL, 0 };
	PE1000_TCB Tcb;

	NdisAcquireSpinLock(&Adapter->TxLock);
	while ((Tcb = Adapter->TcbBusyHead) != NULL) {
		Adapter->TcbBusyHead = Tcb->Next;
		Adapter->TxDescInUse -= Tcb->DescUsed;
		E1000TxReleaseTcb(Adapter, Tcb, Status, &Done);
	}
	Adapter->TcbBusyTail = NULL;
	ASSERT(Adapter->TxDescInUse == 0);
	NdisReleaseSpinLock(&Adapter->TxLock);
	E1000SendComplete(Adapter, &Done, AtDispatch);
}

/* An empty ring at index 0 (after allocation or a reset). */
VOID
E1000TxInitRing(
	_In_ PE1000_ADAPTER Adapter)
{
	NdisZeroMemory(Adapter->TxRing, E1000_TX_RING_SIZE * sizeof(E1000_TX_DESC));
	Adapter->TxNextToUse = 0;
	Adapter->TxDescInUse = 0;
	Adapter->TxDescReserved = 0;
	Adapter->TxContextValid = FALSE;
	Adapter->TxTailDirty = FALSE;
	Adapter->TxHangChecks = 0;
}

/*
 * From CheckForHang: TRUE when sends are outstanding and the device has
 * completed none of them over E1000_HANG_CHECKS periods.  A completion
 * the device wrote back but whose interrupt never came is not a hang:
 * an interrupt is raised (ICS) to collect it.
 */
BOOLEAN
E1000TxIsHung(
	_In_ PE1000_ADAPTER Adapter)
{
	BOOLEAN Hung = FALSE;
	PE1000_TCB Head;

	NdisAcquireSpinLock(&Adapter->TxLock);
	Head = Adapter->TcbBusyHead;
	if (Head == NULL || Adapter->TxCompletions != Adapter->TxCompletionsAtLastCheck) {
		Adapter->TxHangChecks = 0;
	} else if (*(volatile ULONG *)&Adapter->TxRing[Head->LastDesc].Upper & E1000_TXD_STAT_DD) {
		E1000_WRITE(Adapter, E1000_ICS, E1000_ICR_TXDW);
		Adapter->TxHangChecks = 0;
	} else if (++Adapter->TxHangChecks >= E1000_HANG_CHECKS) {
		Hung = TRUE;
	}
	Adapter->TxCompletionsAtLastCheck = Adapter->TxCompletions;
	NdisReleaseSpinLock(&Adapter->TxLock);
	return Hung;
}

/*
 * Ring, TCBs and the storage NDIS may build each TCB's SG list in (the
 * ScatterGatherListSize NdisMRegisterScatterGatherDma returned).
 * PASSIVE_LEVEL, after SG DMA registration.
 */
NDIS_STATUS
E1000TxAllocate(
	_In_ PE1000_ADAPTER Adapter)
{
	ULONG SgSize, i;
	NDIS_STATUS Status;

	Status = E1000AllocateSharedBlock(Adapter, E1000_TX_RING_SIZE * sizeof(E1000_TX_DESC),
					  FALSE, &Adapter->TxRingBlock);
	if (Status != NDIS_STATUS_SUCCESS)
		return Status;
	Adapter->TxRing = (PE1000_TX_DESC)Adapter->TxRingBlock.VirtualAddress;

	Adapter->TcbArray = NdisAllocateMemoryWithTagPriority(Adapter->MiniportAdapterHandle,
							      E1000_TCB_COUNT * sizeof(E1000_TCB),
							      E1000_POOL_TAG, NormalPoolPriority);
	/* Each list 16-byte aligned (it holds 8-byte members). */
	SgSize = (Adapter->ScatterGatherListSize + 15) & ~15u;
	Adapter->SgBufferArray = NdisAllocateMemoryWithTagPriority(Adapter->MiniportAdapterHandle,
								   E1000_TCB_COUNT * SgSize,
								   E1000_POOL_TAG, NormalPoolPriority);
	if (Adapter->TcbArray == NULL || Adapter->SgBufferArray == NULL)
		return NDIS_STATUS_RESOURCES;	/* E1000TxFree cleans up */

	NdisZeroMemory(Adapter->TcbArray, E1000_TCB_COUNT * sizeof(E1000_TCB));
	Adapter->TcbFree = NULL;
	for (i = E1000_TCB_COUNT; i-- > 0;) {
		PE1000_TCB Tcb = &Adapter->TcbArray[i];

		Tcb->Adapter = Adapter;
		Tcb->SgBuffer = Adapter->SgBufferArray + i * SgSize;
		Tcb->Next = Adapter->TcbFree;
		Adapter->TcbFree = Tcb;
	}
	E1000TxInitRing(Adapter);
	return NDIS_STATUS_SUCCESS;
}

VOID
E1000TxFree(
	_In_ PE1000_ADAPTER Adapter)
{
	if (Adapter->SgBufferArray != NULL)
		NdisFreeMemory(Adapter->SgBufferArray, 0, 0);
	if (Adapter->TcbArray != NULL)
		NdisFreeMemory(Adapter->TcbArray, 0, 0);
	Adapter->SgBufferArray = NULL;
	Adapter->TcbArray = NULL;
	Adapter->TcbFree = NULL;
	E1000FreeSharedBlock(Adapter, &Adapter->TxRingBlock);
	Adapter->TxRing = NULL;
}
