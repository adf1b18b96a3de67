// SPDX-License-Identifier: GPL-2.0
/*++

Module Name:

    windows_ndis6_datapath.c

Abstract:

    The data path of an NDIS 6.x Ethernet miniport, written the way a
    Windows miniport is written: general and offload attributes, NBL and
    NB pools, sends walked NBL by NBL and NB by NB with their checksum and
    large-send information, receives indicated from a pool with data,
    OID requests through the NDIS_OID_REQUEST DATA union, link-state
    indications, pause/restart/reset completion, a timer object, an I/O
    work item, configuration and the error log.  It proves the source
    compiles unchanged against include/ndis.h; it is never linked or
    loaded (the calls the shim only declares would not resolve).

    NDIS-CHECK-CONTRACTS: 60 61 620 630

--*/

#include <ndis.h>

#define NIC_TAG             'cinE'
#define NIC_MTU             1500
#define NIC_MAX_FRAME       1514
#define NIC_RX_BUFFERS      32
#define NIC_MCAST_MAX       16
#define NIC_LINK_SPEED      1000000000ULL

typedef struct _ADAPTER {
    NDIS_HANDLE AdapterHandle;
    NDIS_HANDLE InterruptHandle;
    NDIS_HANDLE RecvNblPool;
    NDIS_HANDLE SendNbPool;
    NDIS_HANDLE WatchdogTimer;
    NDIS_HANDLE ResetWorkItem;
    NDIS_SPIN_LOCK SendLock;
    PNET_BUFFER_LIST SendQueueHead;
    ULONG PacketFilter;
    UCHAR McastList[NIC_MCAST_MAX][6];
    ULONG McastCount;
    UCHAR PermanentAddress[6];
    UCHAR CurrentAddress[6];
    ULONG64 FramesSent;
    ULONG64 FramesReceived;
    BOOLEAN ChecksumOffload;
} ADAPTER, *PADAPTER;

static NDIS_OID NicSupportedOids[] = {
    OID_GEN_SUPPORTED_LIST, OID_GEN_HARDWARE_STATUS, OID_GEN_MEDIA_SUPPORTED,
    OID_GEN_MEDIA_IN_USE, OID_GEN_MAXIMUM_LOOKAHEAD, OID_GEN_MAXIMUM_FRAME_SIZE,
    OID_GEN_LINK_SPEED, OID_GEN_TRANSMIT_BUFFER_SPACE, OID_GEN_RECEIVE_BUFFER_SPACE,
    OID_GEN_TRANSMIT_BLOCK_SIZE, OID_GEN_RECEIVE_BLOCK_SIZE, OID_GEN_VENDOR_ID,
    OID_GEN_VENDOR_DESCRIPTION, OID_GEN_CURRENT_PACKET_FILTER, OID_GEN_CURRENT_LOOKAHEAD,
    OID_GEN_DRIVER_VERSION, OID_GEN_MAXIMUM_TOTAL_SIZE, OID_GEN_MAC_OPTIONS,
    OID_GEN_MEDIA_CONNECT_STATUS, OID_GEN_VENDOR_DRIVER_VERSION, OID_GEN_PHYSICAL_MEDIUM,
    OID_GEN_LINK_STATE, OID_GEN_INTERRUPT_MODERATION, OID_GEN_STATISTICS,
    OID_GEN_XMIT_OK, OID_GEN_RCV_OK, OID_GEN_XMIT_ERROR, OID_GEN_RCV_ERROR,
    OID_GEN_RCV_NO_BUFFER, OID_GEN_RCV_CRC_ERROR, OID_GEN_TRANSMIT_QUEUE_LENGTH,
    OID_GEN_DIRECTED_BYTES_XMIT, OID_GEN_DIRECTED_FRAMES_RCV,
    OID_802_3_PERMANENT_ADDRESS, OID_802_3_CURRENT_ADDRESS, OID_802_3_MULTICAST_LIST,
    OID_802_3_MAXIMUM_LIST_SIZE, OID_802_3_RCV_ERROR_ALIGNMENT,
    OID_802_3_XMIT_ONE_COLLISION, OID_802_3_XMIT_MORE_COLLISIONS,
    OID_PNP_CAPABILITIES, OID_PNP_SET_POWER, OID_PNP_QUERY_POWER,
};

static NDIS_STATUS NicSetGeneralAttributes(PADAPTER Adapter)
{
    NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES ga;
    NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES oa;
    NDIS_OFFLOAD offload;
    NDIS_STATUS status;

    NdisZeroMemory(&ga, sizeof(ga));
    ga.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES;
#if NDIS_SUPPORT_NDIS620
    ga.Header.Revision = NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2;
    ga.Header.Size = NDIS_SIZEOF_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2;
    ga.PowerManagementCapabilitiesEx = NULL;
#else
    ga.Header.Revision = NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_1;
    ga.Header.Size = NDIS_SIZEOF_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_1;
#endif
    ga.MediaType = NdisMedium802_3;
    ga.PhysicalMediumType = NdisPhysicalMedium802_3;
    ga.MtuSize = NIC_MTU;
    ga.MaxXmitLinkSpeed = ga.MaxRcvLinkSpeed = NIC_LINK_SPEED;
    ga.XmitLinkSpeed = ga.RcvLinkSpeed = NDIS_LINK_SPEED_UNKNOWN;
    ga.MediaConnectState = MediaConnectStateUnknown;
    ga.MediaDuplexState = MediaDuplexStateUnknown;
    ga.LookaheadSize = NIC_MAX_FRAME;
    ga.PowerManagementCapabilities = NULL;
    ga.MacOptions = NDIS_MAC_OPTION_COPY_LOOKAHEAD_DATA | NDIS_MAC_OPTION_TRANSFERS_NOT_PEND |
                    NDIS_MAC_OPTION_NO_LOOPBACK | NDIS_MAC_OPTION_FULL_DUPLEX;
    ga.SupportedPacketFilters = NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_MULTICAST |
                                NDIS_PACKET_TYPE_ALL_MULTICAST | NDIS_PACKET_TYPE_BROADCAST |
                                NDIS_PACKET_TYPE_PROMISCUOUS;
    ga.MaxMulticastListSize = NIC_MCAST_MAX;
    ga.MacAddressLength = 6;
    NdisMoveMemory(ga.PermanentMacAddress, Adapter->PermanentAddress, 6);
    NdisMoveMemory(ga.CurrentMacAddress, Adapter->CurrentAddress, 6);
    ga.RecvScaleCapabilities = NULL;
    ga.AccessType = NET_IF_ACCESS_BROADCAST;
    ga.DirectionType = NET_IF_DIRECTION_SENDRECEIVE;
    ga.ConnectionType = NET_IF_CONNECTION_DEDICATED;
    ga.IfType = IF_TYPE_ETHERNET_CSMACD;
    ga.IfConnectorPresent = TRUE;
    ga.SupportedStatistics = NDIS_STATISTICS_XMIT_OK_SUPPORTED | NDIS_STATISTICS_RCV_OK_SUPPORTED |
                             NDIS_STATISTICS_XMIT_ERROR_SUPPORTED | NDIS_STATISTICS_RCV_ERROR_SUPPORTED |
                             NDIS_STATISTICS_RCV_CRC_ERROR_SUPPORTED |
                             NDIS_STATISTICS_GEN_STATISTICS_SUPPORTED;
    ga.SupportedPauseFunctions = NdisPauseFunctionsUnsupported;
    ga.DataBackFillSize = 0;
    ga.ContextBackFillSize = 0;
    ga.SupportedOidList = NicSupportedOids;
    ga.SupportedOidListLength = sizeof(NicSupportedOids);
    ga.AutoNegotiationFlags = NDIS_LINK_STATE_XMIT_LINK_SPEED_AUTO_NEGOTIATED |
                              NDIS_LINK_STATE_RCV_LINK_SPEED_AUTO_NEGOTIATED |
                              NDIS_LINK_STATE_DUPLEX_AUTO_NEGOTIATED;
    status = NdisMSetMiniportAttributes(Adapter->AdapterHandle,
                                        (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&ga);
    if (status != NDIS_STATUS_SUCCESS)
        return status;

    NdisZeroMemory(&offload, sizeof(offload));
    offload.Header.Type = NDIS_OBJECT_TYPE_OFFLOAD;
    offload.Header.Revision = NDIS_OFFLOAD_REVISION_1;
    offload.Header.Size = NDIS_SIZEOF_NDIS_OFFLOAD_REVISION_1;
    offload.Checksum.IPv4Transmit.Encapsulation = NDIS_ENCAPSULATION_IEEE_802_3;
    offload.Checksum.IPv4Transmit.IpOptionsSupported = NDIS_OFFLOAD_SUPPORTED;
    offload.Checksum.IPv4Transmit.TcpOptionsSupported = NDIS_OFFLOAD_SUPPORTED;
    offload.Checksum.IPv4Transmit.TcpChecksum = NDIS_OFFLOAD_SUPPORTED;
    offload.Checksum.IPv4Transmit.UdpChecksum = NDIS_OFFLOAD_SUPPORTED;
    offload.Checksum.IPv4Transmit.IpChecksum = NDIS_OFFLOAD_SUPPORTED;
    offload.Checksum.IPv4Receive.Encapsulation = NDIS_ENCAPSULATION_IEEE_802_3;
    offload.Checksum.IPv4Receive.TcpChecksum = NDIS_OFFLOAD_SUPPORTED;
    offload.Checksum.IPv4Receive.IpChecksum = NDIS_OFFLOAD_SUPPORTED;
    offload.Checksum.IPv6Transmit.Encapsulation = NDIS_ENCAPSULATION_NOT_SUPPORTED;
    offload.LsoV1.IPv4.Encapsulation = NDIS_ENCAPSULATION_IEEE_802_3;
    offload.LsoV1.IPv4.MaxOffLoadSize = 65536;
    offload.LsoV1.IPv4.MinSegmentCount = 2;
    offload.LsoV1.IPv4.TcpOptions = NDIS_OFFLOAD_SUPPORTED;
    offload.LsoV1.IPv4.IpOptions = NDIS_OFFLOAD_SUPPORTED;
    offload.LsoV2.IPv4.Encapsulation = NDIS_ENCAPSULATION_IEEE_802_3;
    offload.LsoV2.IPv4.MaxOffLoadSize = 65536;
    offload.LsoV2.IPv4.MinSegmentCount = 2;
    offload.LsoV2.IPv6.TcpOptionsSupported = NDIS_OFFLOAD_NOT_SUPPORTED;
    offload.IPsecV1.Supported.Encapsulation = NDIS_ENCAPSULATION_NOT_SUPPORTED;
    offload.Flags = 0;

    NdisZeroMemory(&oa, sizeof(oa));
    oa.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES;
    oa.Header.Revision = NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES_REVISION_1;
    oa.Header.Size = NDIS_SIZEOF_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES_REVISION_1;
    oa.DefaultOffloadConfiguration = &offload;
    oa.HardwareOffloadCapabilities = &offload;
    oa.DefaultTcpConnectionOffloadConfiguration = NULL;
    oa.TcpConnectionOffloadHardwareCapabilities = NULL;
    return NdisMSetMiniportAttributes(Adapter->AdapterHandle,
                                      (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&oa);
}

static NDIS_STATUS NicAllocatePools(PADAPTER Adapter)
{
    NET_BUFFER_LIST_POOL_PARAMETERS lp;
    NET_BUFFER_POOL_PARAMETERS bp;

    NdisZeroMemory(&lp, sizeof(lp));
    lp.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    lp.Header.Revision = NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    lp.Header.Size = NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    lp.ProtocolId = NDIS_PROTOCOL_ID_DEFAULT;
    lp.fAllocateNetBuffer = TRUE;
    lp.ContextSize = MEMORY_ALLOCATION_ALIGNMENT;
    lp.PoolTag = NIC_TAG;
    lp.DataSize = NIC_MAX_FRAME;
    Adapter->RecvNblPool = NdisAllocateNetBufferListPool(Adapter->AdapterHandle, &lp);
    if (Adapter->RecvNblPool == NULL)
        return NDIS_STATUS_RESOURCES;

    NdisZeroMemory(&bp, sizeof(bp));
    bp.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    bp.Header.Revision = NET_BUFFER_POOL_PARAMETERS_REVISION_1;
    bp.Header.Size = NDIS_SIZEOF_NET_BUFFER_POOL_PARAMETERS_REVISION_1;
    bp.PoolTag = NIC_TAG;
    bp.DataSize = 0;
    Adapter->SendNbPool = NdisAllocateNetBufferPool(Adapter->AdapterHandle, &bp);
    if (Adapter->SendNbPool == NULL) {
        NdisFreeNetBufferListPool(Adapter->RecvNblPool);
        return NDIS_STATUS_RESOURCES;
    }
    return NDIS_STATUS_SUCCESS;
}

static ULONG NicFrameBytes(PNET_BUFFER NetBuffer, PUCHAR Copy, ULONG CopySize)
{
    PMDL mdl = NET_BUFFER_CURRENT_MDL(NetBuffer);
    ULONG offset = NET_BUFFER_CURRENT_MDL_OFFSET(NetBuffer);
    ULONG left = NET_BUFFER_DATA_LENGTH(NetBuffer);
    ULONG copied = 0;
    PUCHAR eth;
    UCHAR header[14];

    eth = NdisGetDataBuffer(NetBuffer, sizeof(header), header, 1, 0);
    if (eth == NULL)
        return 0;
    while (mdl != NULL && left > 0 && copied < CopySize) {
        PUCHAR va;
        ULONG len;

        NdisQueryMdl(mdl, &va, &len, NormalPagePriority | MdlMappingNoExecute);
        if (va == NULL)
            return 0;
        len -= offset;
        len = min(len, left);
        len = min(len, CopySize - copied);
        NdisMoveMemory(Copy + copied, va + offset, len);
        copied += len;
        left -= len;
        offset = 0;
        NdisGetNextMdl(mdl, &mdl);
    }
    /* The destination MAC's group bit, as a filter would test it. */
    if ((eth[0] & 1) && NET_BUFFER_DATA_OFFSET(NetBuffer) > 0x10000)
        return 0;
    return copied;
}

static VOID NicSendNetBufferLists(
    NDIS_HANDLE MiniportAdapterContext,
    PNET_BUFFER_LIST NetBufferLists,
    NDIS_PORT_NUMBER PortNumber,
    ULONG SendFlags)
{
    PADAPTER adapter = (PADAPTER)MiniportAdapterContext;
    PNET_BUFFER_LIST nbl, next;
    ULONG completeFlags = 0;
    UCHAR frame[NIC_MAX_FRAME];

    UNREFERENCED_PARAMETER(PortNumber);
    if (NDIS_TEST_SEND_AT_DISPATCH_LEVEL(SendFlags))
        NDIS_SET_SEND_COMPLETE_FLAG(completeFlags, NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL);

    for (nbl = NetBufferLists; nbl != NULL; nbl = next) {
        NDIS_TCP_IP_CHECKSUM_NET_BUFFER_LIST_INFO csum;
        NDIS_TCP_LARGE_SEND_OFFLOAD_NET_BUFFER_LIST_INFO lso;
        PNET_BUFFER nb;
        ULONG mss = 0, tcpOffset = 0;

        next = NET_BUFFER_LIST_NEXT_NBL(nbl);
        csum.Value = NET_BUFFER_LIST_INFO(nbl, TcpIpChecksumNetBufferListInfo);
        lso.Value = NET_BUFFER_LIST_INFO(nbl, TcpLargeSendNetBufferListInfo);
        if (lso.LsoV1Transmit.Type == NDIS_TCP_LARGE_SEND_OFFLOAD_V1_TYPE && lso.LsoV1Transmit.MSS) {
            mss = lso.LsoV1Transmit.MSS;
            tcpOffset = lso.LsoV1Transmit.TcpHeaderOffset;
        } else if (lso.LsoV2Transmit.Type == NDIS_TCP_LARGE_SEND_OFFLOAD_V2_TYPE) {
            mss = lso.LsoV2Transmit.MSS;
            tcpOffset = lso.LsoV2Transmit.TcpHeaderOffset;
            if (lso.LsoV2Transmit.IPVersion == NDIS_TCP_LARGE_SEND_OFFLOAD_IPv4 && !csum.Transmit.IsIPv4)
                tcpOffset = 0;
        }
        if (csum.Transmit.IsIPv4 && (csum.Transmit.TcpChecksum || csum.Transmit.UdpChecksum ||
                                     csum.Transmit.IpHeaderChecksum))
            tcpOffset = tcpOffset ? tcpOffset : csum.Transmit.TcpHeaderOffset;

        NET_BUFFER_LIST_STATUS(nbl) = NDIS_STATUS_SUCCESS;
        for (nb = NET_BUFFER_LIST_FIRST_NB(nbl); nb != NULL; nb = NET_BUFFER_NEXT_NB(nb)) {
            if (NicFrameBytes(nb, frame, sizeof(frame)) == 0)
                NET_BUFFER_LIST_STATUS(nbl) = NDIS_STATUS_RESOURCES;
            NET_BUFFER_MINIPORT_RESERVED(nb)[0] = nbl;
            adapter->FramesSent++;
        }
        if (mss) {
            lso.LsoV1TransmitComplete.TcpPayload = 0;
            NET_BUFFER_LIST_INFO(nbl, TcpLargeSendNetBufferListInfo) = lso.Value;
        }
        NET_BUFFER_LIST_MINIPORT_RESERVED(nbl)[0] = (PVOID)(ULONG_PTR)tcpOffset;
    }
    NdisMSendNetBufferListsComplete(adapter->AdapterHandle, NetBufferLists, completeFlags);
}

static VOID NicCancelSend(NDIS_HANDLE MiniportAdapterContext, PVOID CancelId)
{
    PADAPTER adapter = (PADAPTER)MiniportAdapterContext;
    PNET_BUFFER_LIST nbl;

    NdisAcquireSpinLock(&adapter->SendLock);
    for (nbl = adapter->SendQueueHead; nbl != NULL; nbl = NET_BUFFER_LIST_NEXT_NBL(nbl))
        if (NDIS_GET_NET_BUFFER_LIST_CANCEL_ID(nbl) == CancelId)
            NET_BUFFER_LIST_STATUS(nbl) = NDIS_STATUS_REQUEST_ABORTED;
    NdisReleaseSpinLock(&adapter->SendLock);
}

/* A received frame: one NBL from the pool with data, checksums verified. */
static VOID NicIndicateReceive(PADAPTER Adapter, const UCHAR *Frame, ULONG Length, BOOLEAN LowResources)
{
    PNET_BUFFER_LIST nbl;
    PNET_BUFFER nb;
    NDIS_TCP_IP_CHECKSUM_NET_BUFFER_LIST_INFO csum;
    ULONG flags = NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL;
    PUCHAR data;

    nbl = NdisAllocateNetBufferList(Adapter->RecvNblPool, 0, 0);
    if (nbl == NULL)
        return;
    nb = NET_BUFFER_LIST_FIRST_NB(nbl);
    data = NdisGetDataBuffer(nb, Length, NULL, 1, 0);
    if (data == NULL) {
        NdisFreeNetBufferList(nbl);
        return;
    }
    NdisMoveMemory(data, Frame, Length);
    NET_BUFFER_DATA_LENGTH(nb) = Length;
    csum.Value = NULL;
    csum.Receive.TcpChecksumSucceeded = 1;
    csum.Receive.IpChecksumSucceeded = 1;
    NET_BUFFER_LIST_INFO(nbl, TcpIpChecksumNetBufferListInfo) = csum.Value;
    NET_BUFFER_LIST_STATUS(nbl) = NDIS_STATUS_SUCCESS;
    nbl->SourceHandle = Adapter->AdapterHandle;
    if (LowResources)
        NDIS_SET_RECEIVE_FLAG(flags, NDIS_RECEIVE_FLAGS_RESOURCES);
    NdisMIndicateReceiveNetBufferLists(Adapter->AdapterHandle, nbl, 0, 1, flags);
    if (NDIS_TEST_RECEIVE_CANNOT_PEND(flags))
        NdisFreeNetBufferList(nbl);
    Adapter->FramesReceived++;
}

static VOID NicReturnNetBufferLists(NDIS_HANDLE MiniportAdapterContext, PNET_BUFFER_LIST NetBufferLists,
                                    ULONG ReturnFlags)
{
    PNET_BUFFER_LIST nbl, next;

    UNREFERENCED_PARAMETER(MiniportAdapterContext);
    if (NDIS_TEST_RETURN_AT_DISPATCH_LEVEL(ReturnFlags))
        ASSERT(KeGetCurrentIrql() == DISPATCH_LEVEL);
    for (nbl = NetBufferLists; nbl != NULL; nbl = next) {
        next = NET_BUFFER_LIST_NEXT_NBL(nbl);
        NET_BUFFER_LIST_NEXT_NBL(nbl) = NULL;
        NdisFreeNetBufferList(nbl);
    }
}

static VOID NicIndicateLinkState(PADAPTER Adapter, BOOLEAN Up)
{
    NDIS_LINK_STATE state;
    NDIS_STATUS_INDICATION ind;

    NdisZeroMemory(&state, sizeof(state));
    state.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    state.Header.Revision = NDIS_LINK_STATE_REVISION_1;
    state.Header.Size = NDIS_SIZEOF_LINK_STATE_REVISION_1;
    state.MediaConnectState = Up ? MediaConnectStateConnected : MediaConnectStateDisconnected;
    state.MediaDuplexState = Up ? MediaDuplexStateFull : MediaDuplexStateUnknown;
    state.XmitLinkSpeed = state.RcvLinkSpeed = Up ? NIC_LINK_SPEED : NDIS_LINK_SPEED_UNKNOWN;
    state.PauseFunctions = NdisPauseFunctionsUnsupported;
    state.AutoNegotiationFlags = NDIS_LINK_STATE_DUPLEX_AUTO_NEGOTIATED;

    NdisZeroMemory(&ind, sizeof(ind));
    ind.Header.Type = NDIS_OBJECT_TYPE_STATUS_INDICATION;
    ind.Header.Revision = NDIS_STATUS_INDICATION_REVISION_1;
    ind.Header.Size = NDIS_SIZEOF_STATUS_INDICATION_REVISION_1;
    ind.SourceHandle = Adapter->AdapterHandle;
    ind.StatusCode = NDIS_STATUS_LINK_STATE;
    ind.StatusBuffer = &state;
    ind.StatusBufferSize = sizeof(state);
    NdisMIndicateStatusEx(Adapter->AdapterHandle, &ind);
}

static NDIS_STATUS NicOidRequest(NDIS_HANDLE MiniportAdapterContext, PNDIS_OID_REQUEST OidRequest)
{
    PADAPTER adapter = (PADAPTER)MiniportAdapterContext;
    NDIS_STATUS status = NDIS_STATUS_SUCCESS;
    ULONG value = 0;
    PVOID src = &value;
    ULONG len = sizeof(value);

    switch (OidRequest->RequestType) {
    case NdisRequestQueryInformation:
    case NdisRequestQueryStatistics:
        switch (OidRequest->DATA.QUERY_INFORMATION.Oid) {
        case OID_GEN_SUPPORTED_LIST:
            src = NicSupportedOids;
            len = sizeof(NicSupportedOids);
            break;
        case OID_GEN_MAXIMUM_FRAME_SIZE:
            value = NIC_MTU;
            break;
        case OID_GEN_CURRENT_PACKET_FILTER:
            value = adapter->PacketFilter;
            break;
        case OID_802_3_PERMANENT_ADDRESS:
            src = adapter->PermanentAddress;
            len = 6;
            break;
        case OID_802_3_CURRENT_ADDRESS:
            src = adapter->CurrentAddress;
            len = 6;
            break;
        case OID_802_3_MAXIMUM_LIST_SIZE:
            value = NIC_MCAST_MAX;
            break;
        case OID_GEN_XMIT_OK:
            value = (ULONG)adapter->FramesSent;
            break;
        default:
            return NDIS_STATUS_NOT_SUPPORTED;
        }
        if (OidRequest->DATA.QUERY_INFORMATION.InformationBufferLength < len) {
            OidRequest->DATA.QUERY_INFORMATION.BytesNeeded = len;
            return NDIS_STATUS_BUFFER_TOO_SHORT;
        }
        NdisMoveMemory(OidRequest->DATA.QUERY_INFORMATION.InformationBuffer, src, len);
        OidRequest->DATA.QUERY_INFORMATION.BytesWritten = len;
        break;
    case NdisRequestSetInformation:
        switch (OidRequest->DATA.SET_INFORMATION.Oid) {
        case OID_GEN_CURRENT_PACKET_FILTER:
            if (OidRequest->DATA.SET_INFORMATION.InformationBufferLength < sizeof(ULONG)) {
                OidRequest->DATA.SET_INFORMATION.BytesNeeded = sizeof(ULONG);
                return NDIS_STATUS_INVALID_LENGTH;
            }
            NdisMoveMemory(&adapter->PacketFilter, OidRequest->DATA.SET_INFORMATION.InformationBuffer,
                           sizeof(ULONG));
            if (adapter->PacketFilter & NDIS_PACKET_TYPE_PROMISCUOUS)
                adapter->PacketFilter |= NDIS_PACKET_TYPE_ALL_MULTICAST;
            OidRequest->DATA.SET_INFORMATION.BytesRead = sizeof(ULONG);
            break;
        case OID_802_3_MULTICAST_LIST:
            len = OidRequest->DATA.SET_INFORMATION.InformationBufferLength;
            if (len % 6 || len / 6 > NIC_MCAST_MAX)
                return NDIS_STATUS_MULTICAST_FULL;
            NdisMoveMemory(adapter->McastList, OidRequest->DATA.SET_INFORMATION.InformationBuffer, len);
            adapter->McastCount = len / 6;
            OidRequest->DATA.SET_INFORMATION.BytesRead = len;
            break;
        default:
            return NDIS_STATUS_NOT_SUPPORTED;
        }
        break;
    case NdisRequestMethod:
        OidRequest->DATA.METHOD_INFORMATION.BytesWritten = 0;
        OidRequest->DATA.METHOD_INFORMATION.BytesRead =
            OidRequest->DATA.METHOD_INFORMATION.InputBufferLength;
        status = NDIS_STATUS_NOT_SUPPORTED;
        break;
    default:
        status = NDIS_STATUS_NOT_SUPPORTED;
        break;
    }
    return status;
}

static VOID NicCompletePendingRequest(PADAPTER Adapter, PNDIS_OID_REQUEST Request)
{
    NdisMOidRequestComplete(Adapter->AdapterHandle, Request,
                            NicOidRequest(Adapter, Request));
}

static BOOLEAN NicSynchronizedAck(NDIS_HANDLE SynchronizeContext)
{
    return SynchronizeContext != NULL;
}

static VOID NicWatchdog(PVOID SystemSpecific1, PVOID FunctionContext, PVOID SystemSpecific2,
                        PVOID SystemSpecific3)
{
    PADAPTER adapter = (PADAPTER)FunctionContext;

    UNREFERENCED_PARAMETER(SystemSpecific1);
    UNREFERENCED_PARAMETER(SystemSpecific2);
    UNREFERENCED_PARAMETER(SystemSpecific3);
    (void)NdisMSynchronizeWithInterruptEx(adapter->InterruptHandle, 0, NicSynchronizedAck, adapter);
    NicIndicateLinkState(adapter, TRUE);
}

static VOID NicResetWork(PVOID WorkItemContext, NDIS_HANDLE NdisIoWorkItemHandle)
{
    PADAPTER adapter = (PADAPTER)WorkItemContext;

    UNREFERENCED_PARAMETER(NdisIoWorkItemHandle);
    NdisStallExecution(10);
    NdisMResetComplete(adapter->AdapterHandle, NDIS_STATUS_SUCCESS, FALSE);
}

static NDIS_STATUS NicStartTimersAndWork(PADAPTER Adapter)
{
    NDIS_TIMER_CHARACTERISTICS tc;
    LARGE_INTEGER due;
    NDIS_STATUS status;

    NdisZeroMemory(&tc, sizeof(tc));
    tc.Header.Type = NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS;
    tc.Header.Revision = NDIS_TIMER_CHARACTERISTICS_REVISION_1;
    tc.Header.Size = NDIS_SIZEOF_TIMER_CHARACTERISTICS_REVISION_1;
    tc.AllocationTag = NIC_TAG;
    tc.TimerFunction = NicWatchdog;
    tc.FunctionContext = Adapter;
    status = NdisAllocateTimerObject(Adapter->AdapterHandle, &tc, &Adapter->WatchdogTimer);
    if (status != NDIS_STATUS_SUCCESS)
        return status;
    due.QuadPart = -10000LL * 2000;	/* 2 s, relative */
    (void)NdisSetTimerObject(Adapter->WatchdogTimer, due, 2000, NULL);

    Adapter->ResetWorkItem = NdisAllocateIoWorkItem(Adapter->AdapterHandle);
    if (Adapter->ResetWorkItem == NULL) {
        (void)NdisCancelTimerObject(Adapter->WatchdogTimer);
        NdisFreeTimerObject(Adapter->WatchdogTimer);
        return NDIS_STATUS_RESOURCES;
    }
    NdisQueueIoWorkItem(Adapter->ResetWorkItem, NicResetWork, Adapter);
    return NDIS_STATUS_SUCCESS;
}

static VOID NicReadConfiguration(PADAPTER Adapter)
{
    NDIS_CONFIGURATION_OBJECT co;
    NDIS_HANDLE config;
    NDIS_STATUS status;
    PNDIS_CONFIGURATION_PARAMETER param;
    NDIS_STRING keyword;
    static WCHAR name[] = { 'C', 'h', 'e', 'c', 'k', 's', 'u', 'm', 0 };
    PVOID address;
    UINT addressLength;

    NdisZeroMemory(&co, sizeof(co));
    co.Header.Type = NDIS_OBJECT_TYPE_CONFIGURATION_OBJECT;
    co.Header.Revision = NDIS_CONFIGURATION_OBJECT_REVISION_1;
    co.Header.Size = NDIS_SIZEOF_CONFIGURATION_OBJECT_REVISION_1;
    co.NdisHandle = Adapter->AdapterHandle;
    co.Flags = 0;
    if (NdisOpenConfigurationEx(&co, &config) != NDIS_STATUS_SUCCESS) {
        NdisWriteErrorLogEntry(Adapter->AdapterHandle, NDIS_ERROR_CODE_MISSING_CONFIGURATION_PARAMETER,
                               1, 0x1234);
        return;
    }
    keyword.Buffer = name;
    keyword.Length = sizeof(name) - sizeof(WCHAR);
    keyword.MaximumLength = sizeof(name);
    NdisReadConfiguration(&status, &param, config, &keyword, NdisParameterInteger);
    if (status == NDIS_STATUS_SUCCESS && param->ParameterType == NdisParameterInteger)
        Adapter->ChecksumOffload = param->ParameterData.IntegerData != 0;
    NdisReadNetworkAddress(&status, &address, &addressLength, config);
    if (status == NDIS_STATUS_SUCCESS && addressLength == 6)
        NdisMoveMemory(Adapter->CurrentAddress, address, 6);
    NdisCloseConfiguration(config);
}

static NDIS_STATUS NicPause(NDIS_HANDLE MiniportAdapterContext, PNDIS_MINIPORT_PAUSE_PARAMETERS PauseParameters)
{
    PADAPTER adapter = (PADAPTER)MiniportAdapterContext;

    UNREFERENCED_PARAMETER(PauseParameters);
    NdisMPauseComplete(adapter->AdapterHandle);
    return NDIS_STATUS_PENDING;
}

static NDIS_STATUS NicRestart(NDIS_HANDLE MiniportAdapterContext,
                              PNDIS_MINIPORT_RESTART_PARAMETERS RestartParameters)
{
    PADAPTER adapter = (PADAPTER)MiniportAdapterContext;
    LARGE_INTEGER now;

    UNREFERENCED_PARAMETER(RestartParameters);
    NdisGetCurrentSystemTime(&now);
    NdisMRestartComplete(adapter->AdapterHandle, now.QuadPart ? NDIS_STATUS_SUCCESS : NDIS_STATUS_FAILURE);
    return NDIS_STATUS_PENDING;
}

/* Used so that every static function is referenced. */
VOID NicDataPathReferences(PADAPTER Adapter, PNDIS_OID_REQUEST Request);
VOID NicDataPathReferences(PADAPTER Adapter, PNDIS_OID_REQUEST Request)
{
    static const UCHAR frame[64];
    NDIS_MINIPORT_DRIVER_CHARACTERISTICS mc;
    PNET_BUFFER nb;
    PMDL mdl;

    NdisZeroMemory(&mc, sizeof(mc));
    mc.SendNetBufferListsHandler = NicSendNetBufferLists;
    mc.ReturnNetBufferListsHandler = NicReturnNetBufferLists;
    mc.CancelSendHandler = NicCancelSend;
    mc.OidRequestHandler = NicOidRequest;
    mc.PauseHandler = NicPause;
    mc.RestartHandler = NicRestart;
    if (NicSetGeneralAttributes(Adapter) != NDIS_STATUS_SUCCESS || NicAllocatePools(Adapter))
        return;
    NicReadConfiguration(Adapter);
    if (NicStartTimersAndWork(Adapter) != NDIS_STATUS_SUCCESS)
        return;
    NicIndicateReceive(Adapter, frame, sizeof(frame), FALSE);
    NicCompletePendingRequest(Adapter, Request);
    NicIndicateLinkState(Adapter, FALSE);

    /* A send NET_BUFFER over the adapter's own MDL, with header room
     * made and given back. */
    mdl = NdisAllocateMdl(Adapter->AdapterHandle, (PVOID)frame, sizeof(frame));
    nb = mdl ? NdisAllocateNetBuffer(Adapter->SendNbPool, mdl, 14, sizeof(frame) - 14) : NULL;
    if (nb != NULL) {
        if (NdisRetreatNetBufferDataStart(nb, 14, 0, NULL) == NDIS_STATUS_SUCCESS)
            NdisAdvanceNetBufferDataStart(nb, 14, TRUE, NULL);
        (void)NdisGetPoolFromNetBuffer(nb);
        NET_BUFFER_CHECKSUM_BIAS(nb) = 0;
        NdisFreeNetBuffer(nb);
    }
    if (mdl != NULL)
        NdisFreeMdl(mdl);
    (void)NdisGetPoolFromNetBufferList(NULL);
    NdisFreeNetBufferPool(Adapter->SendNbPool);
    NdisFreeNetBufferListPool(Adapter->RecvNblPool);
}
