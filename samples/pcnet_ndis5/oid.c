// SPDX-License-Identifier: GPL-2.0
/*++

Module Name:

    oid.c

Abstract:

    MiniportQueryInformation and MiniportSetInformation: the OIDs an
    Ethernet NIC answers, with the statuses the NDIS 5 pages of
    MiniportQueryInformation and MiniportSetInformation name:
    NDIS_STATUS_INVALID_LENGTH with *BytesNeeded for a buffer too small
    (or, for a multicast list, not a whole number of addresses),
    NDIS_STATUS_NOT_SUPPORTED for an OID or a packet filter the miniport
    does not support, NDIS_STATUS_INVALID_DATA for a lookahead larger than
    the maximum and NDIS_STATUS_MULTICAST_FULL for more addresses than
    OID_802_3_MAXIMUM_LIST_SIZE.  Every request completes synchronously.

--*/

#define NDIS_MINIPORT_DRIVER 1
#define NDIS51_MINIPORT 1
#include <ndis.h>
#include "pcnet.h"

static const NDIS_OID PcnetSupportedOids[] = {
	OID_GEN_SUPPORTED_LIST,
	OID_GEN_HARDWARE_STATUS,
	OID_GEN_MEDIA_SUPPORTED,
	OID_GEN_MEDIA_IN_USE,
	OID_GEN_MAXIMUM_LOOKAHEAD,
	OID_GEN_MAXIMUM_FRAME_SIZE,
	OID_GEN_LINK_SPEED,
	OID_GEN_TRANSMIT_BUFFER_SPACE,
	OID_GEN_RECEIVE_BUFFER_SPACE,
	OID_GEN_TRANSMIT_BLOCK_SIZE,
	OID_GEN_RECEIVE_BLOCK_SIZE,
	OID_GEN_VENDOR_ID,
	OID_GEN_VENDOR_DESCRIPTION,
	OID_GEN_VENDOR_DRIVER_VERSION,
	OID_GEN_CURRENT_PACKET_FILTER,
	OID_GEN_CURRENT_LOOKAHEAD,
	OID_GEN_DRIVER_VERSION,
	OID_GEN_MAXIMUM_TOTAL_SIZE,
	OID_GEN_MAC_OPTIONS,
	OID_GEN_MEDIA_CONNECT_STATUS,
	OID_GEN_MAXIMUM_SEND_PACKETS,
	OID_GEN_XMIT_OK,
	OID_GEN_RCV_OK,
	OID_GEN_XMIT_ERROR,
	OID_GEN_RCV_ERROR,
	OID_GEN_RCV_NO_BUFFER,
	OID_802_3_PERMANENT_ADDRESS,
	OID_802_3_CURRENT_ADDRESS,
	OID_802_3_MULTICAST_LIST,
	OID_802_3_MAXIMUM_LIST_SIZE,
	OID_802_3_RCV_ERROR_ALIGNMENT,
	OID_802_3_XMIT_ONE_COLLISION,
	OID_802_3_XMIT_MORE_COLLISIONS,
};

static const char PcnetVendorDescription[] = "AMD PCnet-PCI II (Am79C970A) NDIS 5.1 sample";

NDIS_STATUS
MiniportQueryInformation(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ NDIS_OID Oid,
	_In_ PVOID InformationBuffer,
	_In_ ULONG InformationBufferLength,
	_Out_ PULONG BytesWritten,
	_Out_ PULONG BytesNeeded)
{
	PPCNET_ADAPTER Adapter = (PPCNET_ADAPTER)MiniportAdapterContext;
	NDIS_HARDWARE_STATUS HardwareStatus = NdisHardwareStatusReady;
	NDIS_MEDIUM Medium = NdisMedium802_3;
	NDIS_MEDIA_STATE MediaState;
	ULONG Value = 0;
	ULONG64 Value64 = 0;
	USHORT Value16;
	const VOID *Source = &Value;
	ULONG Length = sizeof(ULONG);
	BOOLEAN Counter64 = FALSE;

	*BytesWritten = 0;
	*BytesNeeded = 0;
	switch (Oid) {
	case OID_GEN_SUPPORTED_LIST:
		Source = PcnetSupportedOids;
		Length = sizeof(PcnetSupportedOids);
		break;
	case OID_GEN_HARDWARE_STATUS:
		Source = &HardwareStatus;
		Length = sizeof(HardwareStatus);
		break;
	case OID_GEN_MEDIA_SUPPORTED:
	case OID_GEN_MEDIA_IN_USE:
		Source = &Medium;
		Length = sizeof(Medium);
		break;
	case OID_GEN_MAXIMUM_LOOKAHEAD:
	case OID_GEN_MAXIMUM_FRAME_SIZE:
		Value = PCNET_MAX_FRAME_SIZE - PCNET_ETH_HEADER_SIZE;
		break;
	case OID_GEN_MAXIMUM_TOTAL_SIZE:
		Value = PCNET_MAX_FRAME_SIZE;
		break;
	case OID_GEN_LINK_SPEED:
		Value = PCNET_LINK_SPEED;
		break;
	case OID_GEN_TRANSMIT_BUFFER_SPACE:
		Value = PCNET_TX_RING_SIZE * PCNET_TX_BUFFER_SIZE;
		break;
	case OID_GEN_RECEIVE_BUFFER_SPACE:
		Value = PCNET_RX_RING_SIZE * PCNET_RX_BUFFER_SIZE;
		break;
	case OID_GEN_TRANSMIT_BLOCK_SIZE:
	case OID_GEN_RECEIVE_BLOCK_SIZE:
		Value = PCNET_RX_BUFFER_SIZE;
		break;
	case OID_GEN_VENDOR_ID:
		/* The IEEE OUI of the station address, and an adapter byte. */
		Value = Adapter->PermanentAddress[0] | (Adapter->PermanentAddress[1] << 8) |
			(Adapter->PermanentAddress[2] << 16);
		break;
	case OID_GEN_VENDOR_DESCRIPTION:
		Source = PcnetVendorDescription;
		Length = sizeof(PcnetVendorDescription);
		break;
	case OID_GEN_VENDOR_DRIVER_VERSION:
		Value = PCNET_VENDOR_DRIVER_VERSION;
		break;
	case OID_GEN_DRIVER_VERSION:
		Value16 = PCNET_DRIVER_VERSION;
		Source = &Value16;
		Length = sizeof(Value16);
		break;
	case OID_GEN_CURRENT_PACKET_FILTER:
		Value = Adapter->PacketFilter;
		break;
	case OID_GEN_CURRENT_LOOKAHEAD:
		Value = Adapter->CurrentLookahead;
		break;
	case OID_GEN_MAC_OPTIONS:
		/* Lookahead data may be copied, TransferData completes
		 * synchronously, and NDIS loops back what it sends. */
		Value = NDIS_MAC_OPTION_COPY_LOOKAHEAD_DATA |
			NDIS_MAC_OPTION_TRANSFERS_NOT_PEND |
			NDIS_MAC_OPTION_NO_LOOPBACK;
		break;
	case OID_GEN_MEDIA_CONNECT_STATUS:
		MediaState = Adapter->MediaState;
		Source = &MediaState;
		Length = sizeof(MediaState);
		break;
	case OID_GEN_MAXIMUM_SEND_PACKETS:
		Value = PCNET_MAX_SEND_PACKETS;
		break;
	case OID_GEN_XMIT_OK:
		Value64 = Adapter->XmitOk;
		Counter64 = TRUE;
		break;
	case OID_GEN_RCV_OK:
		Value64 = Adapter->RcvOk;
		Counter64 = TRUE;
		break;
	case OID_GEN_XMIT_ERROR:
		Value = Adapter->XmitError;
		break;
	case OID_GEN_RCV_ERROR:
		Value = Adapter->RcvError;
		break;
	case OID_GEN_RCV_NO_BUFFER:
		Value = Adapter->RcvNoBuffer;
		break;
	case OID_802_3_PERMANENT_ADDRESS:
		Source = Adapter->PermanentAddress;
		Length = PCNET_ETH_ADDRESS_LENGTH;
		break;
	case OID_802_3_CURRENT_ADDRESS:
		Source = Adapter->CurrentAddress;
		Length = PCNET_ETH_ADDRESS_LENGTH;
		break;
	case OID_802_3_MULTICAST_LIST:
		Source = Adapter->MulticastList;
		Length = Adapter->MulticastCount * PCNET_ETH_ADDRESS_LENGTH;
		break;
	case OID_802_3_MAXIMUM_LIST_SIZE:
		Value = PCNET_MAX_MULTICAST;
		break;
	case OID_802_3_RCV_ERROR_ALIGNMENT:
		Value = Adapter->RcvAlignmentError;
		break;
	case OID_802_3_XMIT_ONE_COLLISION:
		Value = Adapter->XmitOneCollision;
		break;
	case OID_802_3_XMIT_MORE_COLLISIONS:
		Value = Adapter->XmitMoreCollisions;
		break;
	default:
		return NDIS_STATUS_NOT_SUPPORTED;
	}

	if (Counter64) {
		/* A 64-bit counter: 8 bytes, or its low 4 into a ULONG. */
		Source = &Value64;
		Length = sizeof(ULONG64);
		if (InformationBufferLength >= sizeof(ULONG) &&
		    InformationBufferLength < sizeof(ULONG64)) {
			Length = sizeof(ULONG);
			*BytesNeeded = sizeof(ULONG64);
		}
	}
	if (InformationBufferLength < Length) {
		*BytesNeeded = Length;
		return NDIS_STATUS_INVALID_LENGTH;
	}
	NdisMoveMemory(InformationBuffer, Source, Length);
	*BytesWritten = Length;
	return NDIS_STATUS_SUCCESS;
}

/*
 * Programs the filter the adapter's PacketFilter and MulticastList ask
 * for, if it differs from the controller's.
 */
VOID
PcnetApplyFilter(
	_In_ PPCNET_ADAPTER Adapter)
{
	UCHAR Ladrf[8];
	USHORT Mode;

	PcnetComputeFilter(Adapter, &Mode, Ladrf);
	if (Mode == Adapter->Mode && NdisEqualMemory(Ladrf, Adapter->LogicalAddressFilter, 8))
		return;
	Adapter->Mode = Mode;
	NdisMoveMemory(Adapter->LogicalAddressFilter, Ladrf, 8);
	/* The initialization block too: a reset programs the same. */
	Adapter->Shared->InitBlock.Mode = Mode;
	NdisMoveMemory(Adapter->Shared->InitBlock.LogicalAddressFilter, Ladrf, 8);
	/* Transmit completions whose interrupt the stop cleared are taken
	 * now; a receive one waits for the next interrupt. */
	if (NdisMSynchronizeWithInterrupt(&Adapter->Interrupt, (PVOID)PcnetSyncApplyFilter,
					  Adapter))
		PcnetSendCompleteAll(Adapter, FALSE);
}

NDIS_STATUS
MiniportSetInformation(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ NDIS_OID Oid,
	_In_ PVOID InformationBuffer,
	_In_ ULONG InformationBufferLength,
	_Out_ PULONG BytesRead,
	_Out_ PULONG BytesNeeded)
{
	PPCNET_ADAPTER Adapter = (PPCNET_ADAPTER)MiniportAdapterContext;
	ULONG Value;

	*BytesRead = 0;
	*BytesNeeded = 0;
	switch (Oid) {
	case OID_GEN_CURRENT_PACKET_FILTER:
		if (InformationBufferLength < sizeof(ULONG)) {
			*BytesNeeded = sizeof(ULONG);
			return NDIS_STATUS_INVALID_LENGTH;
		}
		NdisMoveMemory(&Value, InformationBuffer, sizeof(ULONG));
		*BytesRead = sizeof(ULONG);
		if (Value & ~PCNET_SUPPORTED_FILTERS)
			return NDIS_STATUS_NOT_SUPPORTED;
		Adapter->PacketFilter = Value;
		PcnetApplyFilter(Adapter);
		return NDIS_STATUS_SUCCESS;

	case OID_GEN_CURRENT_LOOKAHEAD:
		if (InformationBufferLength < sizeof(ULONG)) {
			*BytesNeeded = sizeof(ULONG);
			return NDIS_STATUS_INVALID_LENGTH;
		}
		NdisMoveMemory(&Value, InformationBuffer, sizeof(ULONG));
		*BytesRead = sizeof(ULONG);
		if (Value > PCNET_MAX_FRAME_SIZE - PCNET_ETH_HEADER_SIZE)
			return NDIS_STATUS_INVALID_DATA;
		Adapter->CurrentLookahead = Value;
		return NDIS_STATUS_SUCCESS;

	case OID_802_3_MULTICAST_LIST:
		if (InformationBufferLength % PCNET_ETH_ADDRESS_LENGTH != 0) {
			*BytesNeeded = (InformationBufferLength / PCNET_ETH_ADDRESS_LENGTH + 1) *
				       PCNET_ETH_ADDRESS_LENGTH;
			return NDIS_STATUS_INVALID_LENGTH;
		}
		if (InformationBufferLength > sizeof(Adapter->MulticastList))
			return NDIS_STATUS_MULTICAST_FULL;
		NdisMoveMemory(Adapter->MulticastList, InformationBuffer,
			       InformationBufferLength);
		Adapter->MulticastCount = InformationBufferLength / PCNET_ETH_ADDRESS_LENGTH;
		*BytesRead = InformationBufferLength;
		PcnetApplyFilter(Adapter);
		return NDIS_STATUS_SUCCESS;

	default:
		return NDIS_STATUS_NOT_SUPPORTED;
	}
}
