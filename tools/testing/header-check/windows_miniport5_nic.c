// SPDX-License-Identifier: GPL-2.0
/*
 * A Windows-style NDIS 5.x Ethernet miniport's data path, the way XP-era
 * drivers wrote it: SendPackets and Send, per-packet scatter-gather lists
 * (NdisMInitializeScatterGatherDma, ScatterGatherListPacketInfo),
 * NdisMSendComplete and NdisMSendResourcesAvailable, lookahead receive
 * (NdisMEthIndicateReceive, MiniportTransferData and
 * NdisMTransferDataComplete) and packet receive (NdisMIndicateReceivePacket
 * with NDIS_SET_PACKET_STATUS / NDIS_SET_PACKET_HEADER_SIZE, the packets
 * returned through MiniportReturnPacket), pended Query/Set information
 * (NdisMQueryInformationComplete / NdisMSetInformationComplete), media
 * status (NdisMIndicateStatus / NdisMIndicateStatusComplete) and reset
 * (NdisMResetComplete). It must compile unchanged against include/ndis.h;
 * it is never run.
 *
 * NDIS-CHECK-CONTRACTS: 50 51 51+50
 */

#include <ndis.h>

#define NIC_MAX_SEND 8
#define NIC_HEADER_SIZE 14
#define NIC_MAX_FRAME 1514

typedef struct _NIC_ADAPTER {
	NDIS_HANDLE AdapterHandle;
	NDIS_HANDLE PacketPool;
	NDIS_HANDLE BufferPool;
	PNDIS_PACKET RxPacket;
	PNDIS_PACKET PendingSend[NIC_MAX_SEND];
	UINT PendingCount;
	BOOLEAN Paused;
	NDIS_MEDIA_STATE MediaState;
	NDIS_HARDWARE_STATUS HardwareStatus;
	ULONG PacketFilter;
	ULONG64 XmitOk;
	ULONG64 RcvOk;
	UCHAR CurrentAddress[6];
	UCHAR Frame[NIC_MAX_FRAME];
	UINT FrameLength;
	PVOID PendingInfo;
	NDIS_OID PendingOid;
	NDIS_PNP_CAPABILITIES PnpCaps;
} NIC_ADAPTER, *PNIC_ADAPTER;

NDIS_STATUS DriverEntry(IN PDRIVER_OBJECT DriverObject, IN PUNICODE_STRING RegistryPath);

static const NDIS_OID NicSupportedOids[] = {
	OID_GEN_SUPPORTED_LIST, OID_GEN_HARDWARE_STATUS, OID_GEN_MEDIA_SUPPORTED,
	OID_GEN_MEDIA_IN_USE, OID_GEN_MAXIMUM_LOOKAHEAD, OID_GEN_MAXIMUM_FRAME_SIZE,
	OID_GEN_LINK_SPEED, OID_GEN_CURRENT_PACKET_FILTER, OID_GEN_MAC_OPTIONS,
	OID_GEN_MEDIA_CONNECT_STATUS, OID_GEN_MAXIMUM_SEND_PACKETS,
	OID_GEN_XMIT_OK, OID_GEN_RCV_OK, OID_GEN_XMIT_ERROR, OID_GEN_RCV_ERROR,
	OID_GEN_RCV_NO_BUFFER, OID_802_3_PERMANENT_ADDRESS,
	OID_802_3_CURRENT_ADDRESS, OID_802_3_MULTICAST_LIST,
	OID_802_3_MAXIMUM_LIST_SIZE, OID_PNP_CAPABILITIES, OID_PNP_SET_POWER,
	OID_PNP_QUERY_POWER,
};

/* Transmit one packet: walk its SG list (5.1) or its buffers (5.0). */
static NDIS_STATUS NicTransmit(PNIC_ADAPTER Adapter, PNDIS_PACKET Packet)
{
	PSCATTER_GATHER_LIST Sgl;
	PNDIS_BUFFER Buffer;
	PVOID Va;
	UINT FirstLength, TotalLength, PhysCount, BufferCount, i;
	ULONG Bytes = 0;

	Sgl = (PSCATTER_GATHER_LIST)NDIS_PER_PACKET_INFO_FROM_PACKET(Packet,
								    ScatterGatherListPacketInfo);
	if (Sgl != NULL) {
		for (i = 0; i < Sgl->NumberOfElements; i++)
			Bytes += Sgl->Elements[i].Length;
	}
	NdisQueryPacket(Packet, &PhysCount, &BufferCount, &Buffer, &TotalLength);
	NdisGetFirstBufferFromPacketSafe(Packet, &Buffer, &Va, &FirstLength, &TotalLength,
					 NormalPagePriority);
	if (Va == NULL || TotalLength < NIC_HEADER_SIZE || TotalLength > NIC_MAX_FRAME)
		return NDIS_STATUS_FAILURE;
	if (Adapter->PendingCount == NIC_MAX_SEND)
		return NDIS_STATUS_RESOURCES;
	(void)Bytes;
	(void)PhysCount;
	(void)BufferCount;
	Adapter->PendingSend[Adapter->PendingCount++] = Packet;
	return NDIS_STATUS_PENDING;
}

static VOID NicSendPackets(IN NDIS_HANDLE MiniportAdapterContext, IN PPNDIS_PACKET PacketArray,
			   IN UINT NumberOfPackets)
{
	PNIC_ADAPTER Adapter = (PNIC_ADAPTER)MiniportAdapterContext;
	UINT i;

	for (i = 0; i < NumberOfPackets; i++) {
		NDIS_STATUS Status = NicTransmit(Adapter, PacketArray[i]);

		/* A deserialized miniport completes every packet itself. */
		if (Status != NDIS_STATUS_PENDING)
			NdisMSendComplete(Adapter->AdapterHandle, PacketArray[i], Status);
	}
}

static NDIS_STATUS NicSend(IN NDIS_HANDLE MiniportAdapterContext, IN PNDIS_PACKET Packet,
			   IN UINT Flags)
{
	(void)Flags;
	return NicTransmit((PNIC_ADAPTER)MiniportAdapterContext, Packet);
}

/* The transmit-done interrupt. */
static VOID NicHandleInterrupt(IN NDIS_HANDLE MiniportAdapterContext)
{
	PNIC_ADAPTER Adapter = (PNIC_ADAPTER)MiniportAdapterContext;
	BOOLEAN WasFull = Adapter->PendingCount == NIC_MAX_SEND;
	UINT i;

	for (i = 0; i < Adapter->PendingCount; i++) {
		NdisMSendComplete(Adapter->AdapterHandle, Adapter->PendingSend[i],
				  NDIS_STATUS_SUCCESS);
		Adapter->XmitOk++;
	}
	Adapter->PendingCount = 0;
	if (WasFull)
		NdisMSendResourcesAvailable(Adapter->AdapterHandle);

	/* Receive: lookahead first, the rest through MiniportTransferData. */
	if (Adapter->FrameLength > NIC_HEADER_SIZE) {
		UINT Lookahead = Adapter->FrameLength - NIC_HEADER_SIZE;

		if (Lookahead > 64)
			Lookahead = 64;
		NdisMEthIndicateReceive(Adapter->AdapterHandle, (NDIS_HANDLE)Adapter,
					Adapter->Frame, NIC_HEADER_SIZE,
					Adapter->Frame + NIC_HEADER_SIZE, Lookahead,
					Adapter->FrameLength - NIC_HEADER_SIZE);
		NdisMEthIndicateReceiveComplete(Adapter->AdapterHandle);
		Adapter->RcvOk++;
	}

	/* Or as a whole packet, low on resources: copied at once. */
	if (Adapter->RxPacket != NULL) {
		PNDIS_PACKET Packets[1] = { Adapter->RxPacket };

		NDIS_SET_PACKET_HEADER_SIZE(Adapter->RxPacket, NIC_HEADER_SIZE);
		NDIS_SET_PACKET_STATUS(Adapter->RxPacket, NDIS_STATUS_RESOURCES);
		NdisMIndicateReceivePacket(Adapter->AdapterHandle, Packets, 1);
		if (NDIS_GET_PACKET_STATUS(Adapter->RxPacket) == NDIS_STATUS_RESOURCES)
			Adapter->RcvOk++;
		NDIS_SET_PACKET_STATUS(Adapter->RxPacket, NDIS_STATUS_SUCCESS);
		NdisMIndicateReceivePacket(Adapter->AdapterHandle, Packets, 1);
	}
}

static VOID NicReturnPacket(IN NDIS_HANDLE MiniportAdapterContext, IN PNDIS_PACKET Packet)
{
	PNIC_ADAPTER Adapter = (PNIC_ADAPTER)MiniportAdapterContext;

	NdisRecalculatePacketCounts(Packet);
	Adapter->RxPacket = Packet;
}

static NDIS_STATUS NicTransferData(OUT PNDIS_PACKET Packet, OUT PUINT BytesTransferred,
				   IN NDIS_HANDLE MiniportAdapterContext,
				   IN NDIS_HANDLE MiniportReceiveContext, IN UINT ByteOffset,
				   IN UINT BytesToTransfer)
{
	PNIC_ADAPTER Adapter = (PNIC_ADAPTER)MiniportAdapterContext;
	PNDIS_BUFFER Buffer;
	PVOID Va;
	UINT Length;

	(void)MiniportReceiveContext;
	NdisQueryPacket(Packet, NULL, NULL, &Buffer, NULL);
	if (Buffer == NULL)
		return NDIS_STATUS_FAILURE;
	NdisQueryBufferSafe(Buffer, &Va, &Length, NormalPagePriority);
	if (Va == NULL)
		return NDIS_STATUS_RESOURCES;
	if (BytesToTransfer > Length)
		BytesToTransfer = Length;
	NdisMoveMemory(Va, Adapter->Frame + NIC_HEADER_SIZE + ByteOffset, BytesToTransfer);
	*BytesTransferred = BytesToTransfer;
	if (Adapter->Paused) {
		/* A DMA engine would finish later. */
		NdisMTransferDataComplete(Adapter->AdapterHandle, Packet, NDIS_STATUS_SUCCESS,
					  BytesToTransfer);
		return NDIS_STATUS_PENDING;
	}
	return NDIS_STATUS_SUCCESS;
}

static NDIS_STATUS NicQueryInformation(IN NDIS_HANDLE MiniportAdapterContext, IN NDIS_OID Oid,
				       IN PVOID InformationBuffer,
				       IN ULONG InformationBufferLength, OUT PULONG BytesWritten,
				       OUT PULONG BytesNeeded)
{
	PNIC_ADAPTER Adapter = (PNIC_ADAPTER)MiniportAdapterContext;
	ULONG Value = 0;
	PVOID Source = &Value;
	ULONG Length = sizeof(Value);

	switch (Oid) {
	case OID_GEN_SUPPORTED_LIST:
		Source = (PVOID)NicSupportedOids;
		Length = sizeof(NicSupportedOids);
		break;
	case OID_GEN_HARDWARE_STATUS:
		Source = &Adapter->HardwareStatus;
		Length = sizeof(NDIS_HARDWARE_STATUS);
		break;
	case OID_GEN_MEDIA_CONNECT_STATUS:
		Source = &Adapter->MediaState;
		Length = sizeof(NDIS_MEDIA_STATE);
		break;
	case OID_GEN_MAXIMUM_FRAME_SIZE:
		Value = NIC_MAX_FRAME - NIC_HEADER_SIZE;
		break;
	case OID_GEN_LINK_SPEED:
		Value = 100000;	/* 100 bps units: 10 Mbps */
		break;
	case OID_GEN_MAC_OPTIONS:
		Value = NDIS_MAC_OPTION_COPY_LOOKAHEAD_DATA | NDIS_MAC_OPTION_TRANSFERS_NOT_PEND |
			NDIS_MAC_OPTION_RECEIVE_SERIALIZED | NDIS_MAC_OPTION_NO_LOOPBACK;
		break;
	case OID_GEN_XMIT_OK:
		Value = (ULONG)Adapter->XmitOk;
		break;
	case OID_GEN_RCV_OK:
		Value = (ULONG)Adapter->RcvOk;
		break;
	case OID_PNP_CAPABILITIES:
		Adapter->PnpCaps.WakeUpCapabilities.MinMagicPacketWakeUp = NdisDeviceStateUnspecified;
		Source = &Adapter->PnpCaps;
		Length = sizeof(NDIS_PNP_CAPABILITIES);
		break;
	case OID_802_3_PERMANENT_ADDRESS:
	case OID_802_3_CURRENT_ADDRESS:
		Source = Adapter->CurrentAddress;
		Length = 6;
		break;
	case OID_GEN_VENDOR_DESCRIPTION:
		/* Answered later, from the hardware. */
		Adapter->PendingOid = Oid;
		Adapter->PendingInfo = InformationBuffer;
		NdisMQueryInformationComplete(Adapter->AdapterHandle, NDIS_STATUS_SUCCESS);
		return NDIS_STATUS_PENDING;
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

static NDIS_STATUS NicSetInformation(IN NDIS_HANDLE MiniportAdapterContext, IN NDIS_OID Oid,
				     IN PVOID InformationBuffer,
				     IN ULONG InformationBufferLength, OUT PULONG BytesRead,
				     OUT PULONG BytesNeeded)
{
	PNIC_ADAPTER Adapter = (PNIC_ADAPTER)MiniportAdapterContext;

	switch (Oid) {
	case OID_GEN_CURRENT_PACKET_FILTER:
		if (InformationBufferLength < sizeof(ULONG)) {
			*BytesNeeded = sizeof(ULONG);
			return NDIS_STATUS_INVALID_LENGTH;
		}
		NdisMoveMemory(&Adapter->PacketFilter, InformationBuffer, sizeof(ULONG));
		if (Adapter->PacketFilter & ~(ULONG)(NDIS_PACKET_TYPE_DIRECTED |
						     NDIS_PACKET_TYPE_MULTICAST |
						     NDIS_PACKET_TYPE_ALL_MULTICAST |
						     NDIS_PACKET_TYPE_BROADCAST |
						     NDIS_PACKET_TYPE_PROMISCUOUS))
			return NDIS_STATUS_NOT_SUPPORTED;
		*BytesRead = sizeof(ULONG);
		return NDIS_STATUS_SUCCESS;
	case OID_802_3_MULTICAST_LIST:
		if (InformationBufferLength % 6)
			return NDIS_STATUS_INVALID_LENGTH;
		*BytesRead = InformationBufferLength;
		/* Programmed by the hardware later. */
		NdisMSetInformationComplete(Adapter->AdapterHandle, NDIS_STATUS_SUCCESS);
		return NDIS_STATUS_PENDING;
	default:
		return NDIS_STATUS_INVALID_OID;
	}
}

static BOOLEAN NicCheckForHang(IN NDIS_HANDLE MiniportAdapterContext)
{
	PNIC_ADAPTER Adapter = (PNIC_ADAPTER)MiniportAdapterContext;
	NDIS_MEDIA_STATE Old = Adapter->MediaState;

	Adapter->MediaState = NdisMediaStateConnected;
	if (Old != Adapter->MediaState) {
		NdisMIndicateStatus(Adapter->AdapterHandle, NDIS_STATUS_MEDIA_CONNECT, NULL, 0);
		NdisMIndicateStatusComplete(Adapter->AdapterHandle);
	}
	return FALSE;
}

static NDIS_STATUS NicReset(OUT PBOOLEAN AddressingReset, IN NDIS_HANDLE MiniportAdapterContext)
{
	PNIC_ADAPTER Adapter = (PNIC_ADAPTER)MiniportAdapterContext;

	*AddressingReset = FALSE;
	Adapter->HardwareStatus = NdisHardwareStatusReset;
	NdisMResetComplete(Adapter->AdapterHandle, NDIS_STATUS_SUCCESS, FALSE);
	return NDIS_STATUS_PENDING;
}

static VOID NicHalt(IN NDIS_HANDLE MiniportAdapterContext)
{
	PNIC_ADAPTER Adapter = (PNIC_ADAPTER)MiniportAdapterContext;

	if (Adapter->RxPacket != NULL)
		NdisFreePacket(Adapter->RxPacket);
	NdisFreePacketPool(Adapter->PacketPool);
	NdisFreeBufferPool(Adapter->BufferPool);
	NdisMIndicateStatus(Adapter->AdapterHandle, NDIS_STATUS_MEDIA_DISCONNECT, NULL, 0);
	NdisMIndicateStatusComplete(Adapter->AdapterHandle);
	NdisFreeMemory(Adapter, sizeof(*Adapter), 0);
}

static NDIS_STATUS NicInitialize(OUT PNDIS_STATUS OpenErrorStatus, OUT PUINT SelectedMediumIndex,
				 IN PNDIS_MEDIUM MediumArray, IN UINT MediumArraySize,
				 IN NDIS_HANDLE MiniportAdapterHandle,
				 IN NDIS_HANDLE WrapperConfigurationContext)
{
	PNIC_ADAPTER Adapter;
	NDIS_STATUS Status;
	UINT i;

	(void)OpenErrorStatus;
	(void)WrapperConfigurationContext;
	for (i = 0; i < MediumArraySize; i++)
		if (MediumArray[i] == NdisMedium802_3)
			break;
	if (i == MediumArraySize)
		return NDIS_STATUS_UNSUPPORTED_MEDIA;
	*SelectedMediumIndex = i;

	Status = NdisAllocateMemoryWithTag((PVOID *)&Adapter, sizeof(*Adapter), 'cinN');
	if (Status != NDIS_STATUS_SUCCESS)
		return Status;
	NdisZeroMemory(Adapter, sizeof(*Adapter));
	Adapter->AdapterHandle = MiniportAdapterHandle;
	Adapter->MediaState = NdisMediaStateDisconnected;
	NdisMSetAttributesEx(MiniportAdapterHandle, (NDIS_HANDLE)Adapter, 0,
			     NDIS_ATTRIBUTE_BUS_MASTER | NDIS_ATTRIBUTE_DESERIALIZE,
			     NdisInterfacePci);
	Status = NdisMInitializeScatterGatherDma(MiniportAdapterHandle, FALSE, NIC_MAX_FRAME);
	if (Status != NDIS_STATUS_SUCCESS)
		goto fail;
	NdisAllocatePacketPool(&Status, &Adapter->PacketPool, 4,
			       PROTOCOL_RESERVED_SIZE_IN_PACKET);
	if (Status != NDIS_STATUS_SUCCESS)
		goto fail;
	NdisAllocateBufferPool(&Status, &Adapter->BufferPool, 4);
	if (Status != NDIS_STATUS_SUCCESS)
		goto fail_pool;
	NdisAllocatePacket(&Status, &Adapter->RxPacket, Adapter->PacketPool);
	if (Status != NDIS_STATUS_SUCCESS)
		goto fail_buffers;
	return NDIS_STATUS_SUCCESS;

fail_buffers:
	NdisFreeBufferPool(Adapter->BufferPool);
fail_pool:
	NdisFreePacketPool(Adapter->PacketPool);
fail:
	NdisFreeMemory(Adapter, sizeof(*Adapter), 0);
	return Status;
}

NDIS_STATUS DriverEntry(IN PDRIVER_OBJECT DriverObject, IN PUNICODE_STRING RegistryPath)
{
	NDIS_MINIPORT_CHARACTERISTICS Chars;
	NDIS_HANDLE Wrapper;
	NDIS_STATUS Status;

	NdisMInitializeWrapper(&Wrapper, DriverObject, RegistryPath, NULL);
	NdisZeroMemory(&Chars, sizeof(Chars));
	Chars.MajorNdisVersion = 5;
#ifdef NDIS51_MINIPORT
	Chars.MinorNdisVersion = 1;
#else
	Chars.MinorNdisVersion = 0;
#endif
	Chars.InitializeHandler = NicInitialize;
	Chars.HaltHandler = NicHalt;
	Chars.QueryInformationHandler = NicQueryInformation;
	Chars.SetInformationHandler = NicSetInformation;
	Chars.ResetHandler = NicReset;
	Chars.CheckForHangHandler = NicCheckForHang;
	Chars.HandleInterruptHandler = NicHandleInterrupt;
	Chars.SendHandler = NicSend;
	Chars.SendPacketsHandler = NicSendPackets;
	Chars.TransferDataHandler = NicTransferData;
	Chars.ReturnPacketHandler = NicReturnPacket;
	Status = NdisMRegisterMiniport(Wrapper, &Chars, sizeof(Chars));
	if (Status != NDIS_STATUS_SUCCESS)
		NdisTerminateWrapper(Wrapper, NULL);
	return Status;
}
