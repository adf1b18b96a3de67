// SPDX-License-Identifier: GPL-2.0
/*
 * A Windows-style NDIS 5.x miniport's packet and buffer code, in the shape
 * of the XP-era DDK samples: a receive packet pool with ProtocolReserved
 * space, buffers chained and unchained, NdisQueryPacket on a send packet,
 * the OOB and per-packet-info macros, a packet copy, the NDIS 5 OIDs and
 * structures answered in MiniportQueryInformation. Every packet and buffer
 * call include/ndis.h declares for NDIS 5 is used; it must compile
 * unchanged with -Werror. It is never run.
 *
 * NDIS-CHECK-CONTRACTS: 50 51 51+50
 */

#define NDIS_LEGACY_MINIPORT 1

#include <ndis.h>

#define NUM_RFD 32
#define RFD_SIZE 1536

typedef struct _MP_RFD {
	PNDIS_PACKET NdisPacket;
	PNDIS_BUFFER NdisBuffer;
	UCHAR Data[RFD_SIZE];
} MP_RFD, *PMP_RFD;

typedef struct _MP_ADAPTER {
	NDIS_HANDLE RecvPacketPool;
	NDIS_HANDLE RecvBufferPool;
	MP_RFD Rfd[NUM_RFD];
	NDIS_MEDIA_STATE MediaState;
	NDIS_HARDWARE_STATUS HardwareStatus;
	NDIS_DEVICE_POWER_STATE PowerState;
	NDIS_INTERRUPT_MODE InterruptMode;
	ULONG PacketFilter;
} MP_ADAPTER, *PMP_ADAPTER;

/* What a deserialized miniport keeps in MiniportReservedEx. */
#define MP_GET_PACKET_RFD(_p) (*(PMP_RFD *)&(_p)->MiniportReserved[0])
#define MP_SET_PACKET_RFD(_p, _rfd) (*(PMP_RFD *)&(_p)->MiniportReserved[0] = (_rfd))

NDIS_STATUS MpAllocRecv(IN PMP_ADAPTER Adapter);
VOID MpFreeRecv(IN PMP_ADAPTER Adapter);
VOID MpRecvAtDpc(IN PMP_ADAPTER Adapter, IN ULONG Length);
VOID MpSendPacket(IN PMP_ADAPTER Adapter, IN PNDIS_PACKET Packet);
NDIS_STATUS MpQueryInformation(IN NDIS_HANDLE MiniportAdapterContext, IN NDIS_OID Oid,
			       IN PVOID InformationBuffer, IN ULONG InformationBufferLength,
			       OUT PULONG BytesWritten, OUT PULONG BytesNeeded);

NDIS_STATUS MpAllocRecv(IN PMP_ADAPTER Adapter)
{
	NDIS_STATUS Status;
	UINT i;

	NdisAllocatePacketPoolEx(&Status, &Adapter->RecvPacketPool, NUM_RFD, NUM_RFD,
				 PROTOCOL_RESERVED_SIZE_IN_PACKET);
	if (Status != NDIS_STATUS_SUCCESS)
		return Status;
	NdisAllocateBufferPool(&Status, &Adapter->RecvBufferPool, NUM_RFD);
	if (Status != NDIS_STATUS_SUCCESS) {
		NdisFreePacketPool(Adapter->RecvPacketPool);
		return Status;
	}
	for (i = 0; i < NUM_RFD; i++) {
		PMP_RFD pRfd = &Adapter->Rfd[i];

		NdisAllocatePacket(&Status, &pRfd->NdisPacket, Adapter->RecvPacketPool);
		if (Status != NDIS_STATUS_SUCCESS)
			return Status;
		NdisAllocateBuffer(&Status, &pRfd->NdisBuffer, Adapter->RecvBufferPool,
				   (PVOID)pRfd->Data, RFD_SIZE);
		if (Status != NDIS_STATUS_SUCCESS)
			return Status;
		NdisChainBufferAtFront(pRfd->NdisPacket, pRfd->NdisBuffer);
		NDIS_SET_PACKET_HEADER_SIZE(pRfd->NdisPacket, 14);
		NDIS_SET_PACKET_STATUS(pRfd->NdisPacket, NDIS_STATUS_SUCCESS);
		MP_SET_PACKET_RFD(pRfd->NdisPacket, pRfd);
	}
	return NdisPacketPoolUsage(Adapter->RecvPacketPool) == NUM_RFD ?
		NDIS_STATUS_SUCCESS : NDIS_STATUS_FAILURE;
}

VOID MpFreeRecv(IN PMP_ADAPTER Adapter)
{
	UINT i;

	for (i = 0; i < NUM_RFD; i++) {
		PMP_RFD pRfd = &Adapter->Rfd[i];
		PNDIS_BUFFER Buffer;

		if (!pRfd->NdisPacket)
			continue;
		if (MP_GET_PACKET_RFD(pRfd->NdisPacket) != pRfd)
			continue;
		NdisUnchainBufferAtFront(pRfd->NdisPacket, &Buffer);
		if (Buffer)
			NdisFreeBuffer(Buffer);
		NdisReinitializePacket(pRfd->NdisPacket);
		if (i & 1)
			NdisFreePacket(pRfd->NdisPacket);
		else
			NdisDprFreePacket(pRfd->NdisPacket);
	}
	NdisFreeBufferPool(Adapter->RecvBufferPool);
	NdisFreePacketPool(Adapter->RecvPacketPool);
}

/* The receive side at DPC: one packet re-used. */
VOID MpRecvAtDpc(IN PMP_ADAPTER Adapter, IN ULONG Length)
{
	NDIS_STATUS Status;
	PNDIS_PACKET Packet;
	PNDIS_BUFFER Buffer = NULL;
	NDIS_HANDLE Pool;

	NdisDprAllocatePacket(&Status, &Packet, Adapter->RecvPacketPool);
	if (Status != NDIS_STATUS_SUCCESS)
		return;
	Pool = NdisGetPoolFromPacket(Packet);
	NdisAllocateBuffer(&Status, &Buffer, Adapter->RecvBufferPool, Adapter->Rfd[0].Data,
			   RFD_SIZE);
	if (Status == NDIS_STATUS_SUCCESS) {
		NdisAdjustBufferLength(Buffer, Length);
		NdisChainBufferAtBack(Packet, Buffer);
		NDIS_SET_PACKET_STATUS(Packet, NDIS_STATUS_RESOURCES);
		NDIS_SET_PACKET_TIME_RECEIVED(Packet, 0);
		NDIS_SET_ORIGINAL_PACKET(Packet, Packet);
		NdisUnchainBufferAtBack(Packet, &Buffer);
		NdisFreeBuffer(Buffer);
	}
	if (Pool == Adapter->RecvPacketPool)
		NdisDprFreePacketNonInterlocked(Packet);
	else
		NdisDprFreePacket(Packet);
	NdisDprAllocatePacketNonInterlocked(&Status, &Packet, Adapter->RecvPacketPool);
	if (Status == NDIS_STATUS_SUCCESS)
		NdisFreePacket(Packet);
}

VOID MpSendPacket(IN PMP_ADAPTER Adapter, IN PNDIS_PACKET Packet)
{
	UINT PhysicalBufferCount, BufferCount, TotalPacketLength, Length, Copied;
	PNDIS_BUFFER CurrentBuffer, NextBuffer;
	PVOID VirtualAddress;
	PUCHAR FirstVa;
	UINT FirstLength, TotalLength, Offset;
	PSCATTER_GATHER_LIST pSGList;
	NDIS_TCP_IP_CHECKSUM_PACKET_INFO Csum;
	NDIS_PACKET_8021Q_INFO Vlan;
	PVOID MediaInfo;
	UINT MediaInfoSize;
	NDIS_STATUS Status;
	PNDIS_PACKET Copy;

	NdisQueryPacket(Packet, &PhysicalBufferCount, &BufferCount, &CurrentBuffer,
			&TotalPacketLength);
	NdisQueryPacketLength(Packet, &Length);
	NdisQueryPacket(Packet, NULL, NULL, NULL, &TotalPacketLength);
	NdisGetFirstBufferFromPacket(Packet, &CurrentBuffer, &FirstVa, &FirstLength, &TotalLength);
	NdisGetFirstBufferFromPacketSafe(Packet, &CurrentBuffer, &FirstVa, &FirstLength,
					 &TotalLength, NormalPagePriority);
	while (CurrentBuffer) {
		NdisQueryBufferSafe(CurrentBuffer, &VirtualAddress, &Length, NormalPagePriority);
		NdisQueryBuffer(CurrentBuffer, &VirtualAddress, &Length);
		NdisQueryBufferOffset(CurrentBuffer, &Offset, &Length);
		VirtualAddress = NdisBufferVirtualAddress(CurrentBuffer);
		VirtualAddress = NdisBufferVirtualAddressSafe(CurrentBuffer, NormalPagePriority);
		Length = NdisBufferLength(CurrentBuffer);
		Length = NDIS_BUFFER_TO_SPAN_PAGES(CurrentBuffer);
		NdisGetNextBuffer(CurrentBuffer, &NextBuffer);
		CurrentBuffer = NextBuffer;
	}
	pSGList = (PSCATTER_GATHER_LIST)NDIS_PER_PACKET_INFO_FROM_PACKET(Packet,
									 ScatterGatherListPacketInfo);
	Csum.Value = (ULONG)(ULONG_PTR)NDIS_PER_PACKET_INFO_FROM_PACKET(Packet,
									 TcpIpChecksumPacketInfo);
	Vlan.Value = NDIS_PER_PACKET_INFO_FROM_PACKET(Packet, Ieee8021QInfo);
	if (pSGList && pSGList->NumberOfElements && Csum.Transmit.NdisPacketTcpChecksum &&
	    Vlan.TagHeader.VlanId)
		NDIS_SET_PACKET_STATUS(Packet, NDIS_STATUS_SUCCESS);
	NDIS_SET_PACKET_CANCEL_ID(Packet, NULL);
	(void)NDIS_GET_PACKET_CANCEL_ID(Packet);
	NdisSetPacketCancelId(Packet, (PVOID)(ULONG_PTR)((ULONG_PTR)NdisGeneratePartialCancelId() << 24));
	(void)NdisGetPacketCancelId(Packet);
	(void)NDIS_GET_ORIGINAL_PACKET(Packet);
	(void)NDIS_PACKET_EXTENSION_FROM_PACKET(Packet)->NdisPacketInfo[PacketCancelId];
	NDIS_GET_PACKET_MEDIA_SPECIFIC_INFO(Packet, &MediaInfo, &MediaInfoSize);
	NDIS_SET_PACKET_MEDIA_SPECIFIC_INFO(Packet, MediaInfo, MediaInfoSize);
	if (NDIS_GET_PACKET_STATUS(Packet) != NDIS_STATUS_SUCCESS ||
	    NDIS_GET_PACKET_HEADER_SIZE(Packet) != 14 ||
	    NDIS_GET_PACKET_TIME_TO_SEND(Packet) || NDIS_GET_PACKET_TIME_SENT(Packet) ||
	    NDIS_GET_PACKET_TIME_RECEIVED(Packet) ||
	    NDIS_OOB_DATA_FROM_PACKET(Packet)->SizeMediaSpecificInfo)
		return;
	NDIS_SET_PACKET_TIME_TO_SEND(Packet, 0);
	NDIS_SET_PACKET_TIME_SENT(Packet, 0);
	if (NdisGetPacketFlags(Packet) & NDIS_FLAGS_DONT_LOOPBACK)
		NdisClearPacketFlags(Packet, NDIS_FLAGS_DONT_LOOPBACK);
	NdisSetPacketFlags(Packet, NDIS_FLAGS_SENT_AT_DPC);
	(void)NDIS_GET_PACKET_PROTOCOL_TYPE(Packet);
	if (Packet->Private.ValidCounts && Packet->Private.Tail && Packet->Private.Count &&
	    Packet->Private.PhysicalCount && Packet->Private.TotalLength &&
	    (Packet->Private.NdisPacketFlags & fPACKET_ALLOCATED_BY_NDIS) &&
	    Packet->MiniportReservedEx[0] == Packet->WrapperReservedEx[0] &&
	    Packet->WrapperReserved[0] == Packet->ProtocolReserved[0] && !Packet->Reserved[0])
		return;

	NdisAllocatePacket(&Status, &Copy, Adapter->RecvPacketPool);
	if (Status != NDIS_STATUS_SUCCESS)
		return;
	NdisChainBufferAtFront(Copy, Adapter->Rfd[1].NdisBuffer);
	NdisCopyFromPacketToPacket(Copy, 0, TotalPacketLength, Packet, 0, &Copied);
	NdisCopyFromPacketToPacketSafe(Copy, 2, Copied, Packet, 4, &Copied, NormalPagePriority);
	NdisUnchainBufferAtFront(Copy, &CurrentBuffer);
	NdisFreePacket(Copy);
}

NDIS_STATUS MpQueryInformation(IN NDIS_HANDLE MiniportAdapterContext, IN NDIS_OID Oid,
			       IN PVOID InformationBuffer, IN ULONG InformationBufferLength,
			       OUT PULONG BytesWritten, OUT PULONG BytesNeeded)
{
	PMP_ADAPTER Adapter = (PMP_ADAPTER)MiniportAdapterContext;
	NDIS_PNP_CAPABILITIES Power;
	ULONG Value = 0;
	PVOID Info = &Value;
	ULONG Size = sizeof(Value);

	switch (Oid) {
	case OID_GEN_HARDWARE_STATUS:
		Value = Adapter->HardwareStatus == NdisHardwareStatusReady ?
			NdisHardwareStatusReady : NdisHardwareStatusNotReady;
		break;
	case OID_GEN_MEDIA_CONNECT_STATUS:
		Value = Adapter->MediaState == NdisMediaStateConnected ?
			NdisMediaStateConnected : NdisMediaStateDisconnected;
		break;
	case OID_GEN_MAC_OPTIONS:
		Value = NDIS_MAC_OPTION_COPY_LOOKAHEAD_DATA | NDIS_MAC_OPTION_TRANSFERS_NOT_PEND |
			NDIS_MAC_OPTION_NO_LOOPBACK | NDIS_MAC_OPTION_8021P_PRIORITY |
			NDIS_MAC_OPTION_8021Q_VLAN | NDIS_MAC_OPTION_RECEIVE_AT_DPC |
			NDIS_MAC_OPTION_SUPPORTS_MAC_ADDRESS_OVERWRITE;
		break;
	case OID_GEN_CURRENT_PACKET_FILTER:
		Value = Adapter->PacketFilter & (NDIS_PACKET_TYPE_DIRECTED |
						 NDIS_PACKET_TYPE_MULTICAST |
						 NDIS_PACKET_TYPE_ALL_MULTICAST |
						 NDIS_PACKET_TYPE_BROADCAST |
						 NDIS_PACKET_TYPE_PROMISCUOUS);
		break;
	case OID_802_3_MAC_OPTIONS:
		Value = NDIS_802_3_MAC_OPTION_PRIORITY;
		break;
	case OID_GEN_VLAN_ID:
	case OID_GEN_MACHINE_NAME:
	case OID_GEN_RNDIS_CONFIG_PARAMETER:
	case OID_GEN_GET_TIME_CAPS:
	case OID_GEN_GET_NETCARD_TIME:
	case OID_GEN_NETCARD_LOAD:
	case OID_GEN_DEVICE_PROFILE:
	case OID_GEN_INIT_TIME_MS:
	case OID_GEN_RESET_COUNTS:
	case OID_GEN_MEDIA_SENSE_COUNTS:
	case OID_TCP_TASK_OFFLOAD:
	case OID_PNP_ADD_WAKE_UP_PATTERN:
	case OID_PNP_REMOVE_WAKE_UP_PATTERN:
	case OID_PNP_WAKE_UP_PATTERN_LIST:
	case OID_PNP_WAKE_UP_OK:
	case OID_PNP_WAKE_UP_ERROR:
		return NDIS_STATUS_NOT_SUPPORTED;
	case OID_PNP_ENABLE_WAKE_UP:
		Value = NDIS_PNP_WAKE_UP_MAGIC_PACKET | NDIS_PNP_WAKE_UP_PATTERN_MATCH |
			NDIS_PNP_WAKE_UP_LINK_CHANGE;
		break;
	case OID_PNP_CAPABILITIES:
		Power.Flags = NDIS_DEVICE_WAKE_UP_ENABLE | NDIS_DEVICE_WAKE_ON_PATTERN_MATCH_ENABLE |
			      NDIS_DEVICE_WAKE_ON_MAGIC_PACKET_ENABLE;
		Power.WakeUpCapabilities.MinMagicPacketWakeUp = NdisDeviceStateD3;
		Power.WakeUpCapabilities.MinPatternWakeUp = NdisDeviceStateD2;
		Power.WakeUpCapabilities.MinLinkChangeWakeUp = NdisDeviceStateUnspecified;
		Info = &Power;
		Size = sizeof(Power);
		break;
	case OID_PNP_QUERY_POWER:
		return Adapter->PowerState == NdisDeviceStateD0 ||
		       Adapter->PowerState == NdisDeviceStateD1 ||
		       Adapter->PowerState == NdisDeviceStateMaximum ?
			NDIS_STATUS_SUCCESS : NDIS_STATUS_NOT_SUPPORTED;
	default:
		return Adapter->InterruptMode == NdisInterruptLatched ||
		       Adapter->InterruptMode == NdisInterruptLevelSensitive ?
			NDIS_STATUS_INVALID_OID : NDIS_STATUS_MEDIA_SPECIFIC_INDICATION;
	}
	if (InformationBufferLength < Size) {
		*BytesNeeded = Size;
		return NDIS_STATUS_BUFFER_TOO_SHORT;
	}
	NdisMoveMemory(InformationBuffer, Info, Size);
	*BytesWritten = Size;
	(void)NDIS_STATUS_WAN_LINE_UP;
	(void)NDIS_STATUS_WAN_LINE_DOWN;
	(void)NDIS_STATUS_WAN_FRAGMENT;
	(void)NDIS_STATUS_HARDWARE_LINE_UP;
	(void)NDIS_STATUS_HARDWARE_LINE_DOWN;
	(void)NDIS_STATUS_INTERFACE_UP;
	(void)NDIS_STATUS_INTERFACE_DOWN;
	return NDIS_STATUS_SUCCESS;
}
