// SPDX-License-Identifier: GPL-2.0
/*++

Module Name:

    miniport.c

Abstract:

    An NDIS 6.30 miniport for the Intel 82540EM (8086:100E), the adapter
    QEMU's "e1000" device models, written as it would be for Windows:
    DriverEntry registers the miniport; MiniportInitializeEx claims BAR0,
    registers for scatter-gather DMA, resets the device, allocates the
    descriptor rings and receive buffers in shared memory, connects the
    interrupt and declares the adapter (registration, general and offload
    attributes).  This file also holds the adapter's life cycle (pause,
    restart, reset, halt, shutdown, PnP), the interrupt service routine
    and DPC, and the OID request handler.  The data path is in send.c and
    recv.c, register programming in hw.c.

    Interrupts: the ISR reads (and so acknowledges) ICR, masks the device
    (IMC) and queues the DPC; the DPC completes sends, indicates receives
    and link changes, and unmasks (IMS).

Environment:

    Kernel mode.  Built against ndis-shim's ndis.h.

--*/

#define NDIS_MINIPORT_DRIVER
#define NDIS630_MINIPORT

#include <ndis.h>
#include "e1000.h"

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);

MINIPORT_INITIALIZE MiniportInitializeEx;
MINIPORT_HALT MiniportHaltEx;
MINIPORT_UNLOAD MiniportDriverUnload;
MINIPORT_PAUSE MiniportPause;
MINIPORT_RESTART MiniportRestart;
MINIPORT_OID_REQUEST MiniportOidRequest;
MINIPORT_CANCEL_OID_REQUEST MiniportCancelOidRequest;
MINIPORT_SEND_NET_BUFFER_LISTS MiniportSendNetBufferLists;
MINIPORT_RETURN_NET_BUFFER_LISTS MiniportReturnNetBufferLists;
MINIPORT_CANCEL_SEND MiniportCancelSend;
MINIPORT_CHECK_FOR_HANG MiniportCheckForHangEx;
MINIPORT_RESET MiniportResetEx;
MINIPORT_DEVICE_PNP_EVENT_NOTIFY MiniportDevicePnPEventNotify;
MINIPORT_SHUTDOWN MiniportShutdownEx;
MINIPORT_ISR MiniportInterrupt;
MINIPORT_INTERRUPT_DPC MiniportInterruptDPC;

static NDIS_HANDLE E1000DriverHandle;

/* Every OID this miniport answers (the general attributes' list). */
static const NDIS_OID E1000SupportedOids[] = {
	OID_GEN_SUPPORTED_LIST,
	OID_GEN_MEDIA_SUPPORTED,
	OID_GEN_MEDIA_IN_USE,
	OID_GEN_PHYSICAL_MEDIUM,
	OID_GEN_MAXIMUM_LOOKAHEAD,
	OID_GEN_CURRENT_LOOKAHEAD,
	OID_GEN_MAXIMUM_FRAME_SIZE,
	OID_GEN_MAXIMUM_TOTAL_SIZE,
	OID_GEN_TRANSMIT_BLOCK_SIZE,
	OID_GEN_RECEIVE_BLOCK_SIZE,
	OID_GEN_TRANSMIT_BUFFER_SPACE,
	OID_GEN_RECEIVE_BUFFER_SPACE,
	OID_GEN_MAXIMUM_SEND_PACKETS,
	OID_GEN_LINK_SPEED,
	OID_GEN_LINK_STATE,
	OID_GEN_MEDIA_CONNECT_STATUS,
	OID_GEN_MAC_OPTIONS,
	OID_GEN_VENDOR_ID,
	OID_GEN_VENDOR_DESCRIPTION,
	OID_GEN_VENDOR_DRIVER_VERSION,
	OID_GEN_DRIVER_VERSION,
	OID_GEN_CURRENT_PACKET_FILTER,
	OID_GEN_XMIT_OK,
	OID_GEN_RCV_OK,
	OID_GEN_XMIT_ERROR,
	OID_GEN_RCV_ERROR,
	OID_GEN_RCV_NO_BUFFER,
	OID_GEN_RCV_CRC_ERROR,
	OID_GEN_STATISTICS,
	OID_GEN_DIRECTED_FRAMES_RCV,
	OID_GEN_MULTICAST_FRAMES_RCV,
	OID_GEN_BROADCAST_FRAMES_RCV,
	OID_GEN_DIRECTED_FRAMES_XMIT,
	OID_GEN_MULTICAST_FRAMES_XMIT,
	OID_GEN_BROADCAST_FRAMES_XMIT,
	OID_802_3_PERMANENT_ADDRESS,
	OID_802_3_CURRENT_ADDRESS,
	OID_802_3_MULTICAST_LIST,
	OID_802_3_MAXIMUM_LIST_SIZE,
	OID_802_3_RCV_ERROR_ALIGNMENT,
	OID_802_3_XMIT_ONE_COLLISION,
	OID_802_3_XMIT_MORE_COLLISIONS,
	OID_802_3_XMIT_DEFERRED,
	OID_802_3_XMIT_MAX_COLLISIONS,
	OID_802_3_RCV_OVERRUN,
	OID_802_3_XMIT_LATE_COLLISIONS,
	OID_802_3_XMIT_TIMES_CRS_LOST,
	OID_OFFLOAD_ENCAPSULATION,
	OID_TCP_OFFLOAD_PARAMETERS,
};

/* ------------------------------------------------------------------------
 * Driver
 * ------------------------------------------------------------------------ */

NTSTATUS
DriverEntry(
	_In_ PDRIVER_OBJECT DriverObject,
	_In_ PUNICODE_STRING RegistryPath)
{
	NDIS_MINIPORT_DRIVER_CHARACTERISTICS Chars;
	NDIS_STATUS Status;

	NdisZeroMemory(&Chars, sizeof(Chars));
	Chars.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS;
	Chars.Header.Revision = NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
	Chars.Header.Size = NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
	Chars.MajorNdisVersion = NDIS_MINIPORT_MAJOR_VERSION;
	Chars.MinorNdisVersion = NDIS_MINIPORT_MINOR_VERSION;
	Chars.MajorDriverVersion = E1000_MAJOR_DRIVER_VERSION;
	Chars.MinorDriverVersion = E1000_MINOR_DRIVER_VERSION;

	Chars.InitializeHandlerEx = MiniportInitializeEx;
	Chars.HaltHandlerEx = MiniportHaltEx;
	Chars.UnloadHandler = MiniportDriverUnload;
	Chars.PauseHandler = MiniportPause;
	Chars.RestartHandler = MiniportRestart;
	Chars.OidRequestHandler = MiniportOidRequest;
	Chars.CancelOidRequestHandler = MiniportCancelOidRequest;
	Chars.SendNetBufferListsHandler = MiniportSendNetBufferLists;
	Chars.ReturnNetBufferListsHandler = MiniportReturnNetBufferLists;
	Chars.CancelSendHandler = MiniportCancelSend;
	Chars.CheckForHangHandlerEx = MiniportCheckForHangEx;
	Chars.ResetHandlerEx = MiniportResetEx;
	Chars.DevicePnPEventNotifyHandler = MiniportDevicePnPEventNotify;
	Chars.ShutdownHandlerEx = MiniportShutdownEx;

	Status = NdisMRegisterMiniportDriver(DriverObject, RegistryPath, NULL, &Chars,
					     &E1000DriverHandle);
	if (Status != NDIS_STATUS_SUCCESS)
		DbgPrintEx(DPFLTR_IHVNETWORK_ID, DPFLTR_ERROR_LEVEL,
			   E1000_DRIVER_NAME ": NdisMRegisterMiniportDriver: 0x%08x\n",
			   (ULONG)Status);
	return Status;
}

VOID
MiniportDriverUnload(
	_In_ PDRIVER_OBJECT DriverObject)
{
	UNREFERENCED_PARAMETER(DriverObject);
	NdisMDeregisterMiniportDriver(E1000DriverHandle);
}

/* ------------------------------------------------------------------------
 * Shared memory blocks (rings and receive buffers)
 * ------------------------------------------------------------------------ */

NDIS_STATUS
E1000AllocateSharedBlock(
	_In_ PE1000_ADAPTER Adapter,
	_In_ ULONG Length,
	_In_ BOOLEAN Cached,
	_Out_ PE1000_SHARED_BLOCK Block)
{
	NdisZeroMemory(Block, sizeof(*Block));
	NdisMAllocateSharedMemory(Adapter->MiniportAdapterHandle, Length, Cached,
				  &Block->VirtualAddress, &Block->PhysicalAddress);
	if (Block->VirtualAddress == NULL)
		return NDIS_STATUS_RESOURCES;
	Block->Length = Length;
	Block->Cached = Cached;
	/* Descriptor rings must be 16-byte aligned (SDM 3.2.6, 3.4); buffers
	 * are carved at 2 KiB offsets from the block's start. */
	if (Block->PhysicalAddress.LowPart & 15) {
		E1000FreeSharedBlock(Adapter, Block);
		return NDIS_STATUS_RESOURCES;
	}
	NdisZeroMemory(Block->VirtualAddress, Length);
	return NDIS_STATUS_SUCCESS;
}

VOID
E1000FreeSharedBlock(
	_In_ PE1000_ADAPTER Adapter,
	_Inout_ PE1000_SHARED_BLOCK Block)
{
	if (Block->VirtualAddress != NULL)
		NdisMFreeSharedMemory(Adapter->MiniportAdapterHandle, Block->Length,
				      Block->Cached, Block->VirtualAddress,
				      Block->PhysicalAddress);
	NdisZeroMemory(Block, sizeof(*Block));
}

/* ------------------------------------------------------------------------
 * Status indications
 * ------------------------------------------------------------------------ */

static VOID
E1000IndicateStatus(
	_In_ PE1000_ADAPTER Adapter,
	_In_ NDIS_STATUS StatusCode,
	_In_ PVOID Buffer,
	_In_ ULONG BufferSize)
{
	NDIS_STATUS_INDICATION Indication;

	NdisZeroMemory(&Indication, sizeof(Indication));
	Indication.Header.Type = NDIS_OBJECT_TYPE_STATUS_INDICATION;
	Indication.Header.Revision = NDIS_STATUS_INDICATION_REVISION_1;
	Indication.Header.Size = NDIS_SIZEOF_STATUS_INDICATION_REVISION_1;
	Indication.SourceHandle = Adapter->MiniportAdapterHandle;
	Indication.PortNumber = NDIS_DEFAULT_PORT_NUMBER;
	Indication.StatusCode = StatusCode;
	Indication.StatusBuffer = Buffer;
	Indication.StatusBufferSize = BufferSize;
	NdisMIndicateStatusEx(Adapter->MiniportAdapterHandle, &Indication);
}

/*
 * Reads STATUS and, when the link changed (or Force), tells NDIS with
 * NDIS_STATUS_LINK_STATE.  Any IRQL up to DISPATCH_LEVEL; no lock held.
 */
static VOID
E1000UpdateLinkState(
	_In_ PE1000_ADAPTER Adapter,
	_In_ BOOLEAN Force)
{
	NDIS_MEDIA_CONNECT_STATE Connect;
	NDIS_MEDIA_DUPLEX_STATE Duplex;
	NDIS_LINK_STATE LinkState;
	ULONG64 Speed;
	BOOLEAN Changed;

	if (Adapter->SurpriseRemoved)
		return;
	E1000HwReadLinkState(Adapter, &Connect, &Duplex, &Speed);

	NdisAcquireSpinLock(&Adapter->Lock);
	Changed = Connect != Adapter->MediaConnectState ||
		  Duplex != Adapter->MediaDuplexState || Speed != Adapter->LinkSpeed;
	Adapter->MediaConnectState = Connect;
	Adapter->MediaDuplexState = Duplex;
	Adapter->LinkSpeed = Speed;
	NdisReleaseSpinLock(&Adapter->Lock);

	if (!Changed && !Force)
		return;

	NdisZeroMemory(&LinkState, sizeof(LinkState));
	LinkState.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
	LinkState.Header.Revision = NDIS_LINK_STATE_REVISION_1;
	LinkState.Header.Size = NDIS_SIZEOF_LINK_STATE_REVISION_1;
	LinkState.MediaConnectState = Connect;
	LinkState.MediaDuplexState = Duplex;
	LinkState.XmitLinkSpeed = Speed;
	LinkState.RcvLinkSpeed = Speed;
	LinkState.PauseFunctions = NdisPauseFunctionsUnsupported;
	LinkState.AutoNegotiationFlags = Connect == MediaConnectStateConnected ?
		(NDIS_LINK_STATE_XMIT_LINK_SPEED_AUTO_NEGOTIATED |
		 NDIS_LINK_STATE_RCV_LINK_SPEED_AUTO_NEGOTIATED |
		 NDIS_LINK_STATE_DUPLEX_AUTO_NEGOTIATED) : 0;
	E1000IndicateStatus(Adapter, NDIS_STATUS_LINK_STATE, &LinkState, sizeof(LinkState));
}

/* The offload configuration as NDIS_OFFLOAD: what the hardware can do
 * (Capabilities TRUE), or what is on now. */
static VOID
E1000FillOffload(
	_In_ PE1000_ADAPTER Adapter,
	_In_ BOOLEAN Capabilities,
	_Out_ PNDIS_OFFLOAD Offload)
{
	BOOLEAN All = Capabilities;

	NdisZeroMemory(Offload, sizeof(*Offload));
	Offload->Header.Type = NDIS_OBJECT_TYPE_OFFLOAD;
	Offload->Header.Revision = NDIS_OFFLOAD_REVISION_1;
	Offload->Header.Size = NDIS_SIZEOF_NDIS_OFFLOAD_REVISION_1;

	/* IPv4 only: the 82540EM's context descriptor has no IPv6 support. */
	Offload->Checksum.IPv4Transmit.Encapsulation = NDIS_ENCAPSULATION_IEEE_802_3;
	Offload->Checksum.IPv4Transmit.IpOptionsSupported = NDIS_OFFLOAD_SUPPORTED;
	Offload->Checksum.IPv4Transmit.TcpOptionsSupported = NDIS_OFFLOAD_SUPPORTED;
	Offload->Checksum.IPv4Transmit.TcpChecksum = All || Adapter->TxTcpChecksum;
	Offload->Checksum.IPv4Transmit.UdpChecksum = All || Adapter->TxUdpChecksum;
	Offload->Checksum.IPv4Transmit.IpChecksum = All || Adapter->TxIpChecksum;

	Offload->Checksum.IPv4Receive.Encapsulation = NDIS_ENCAPSULATION_IEEE_802_3;
	Offload->Checksum.IPv4Receive.IpOptionsSupported = NDIS_OFFLOAD_SUPPORTED;
	Offload->Checksum.IPv4Receive.TcpOptionsSupported = NDIS_OFFLOAD_SUPPORTED;
	Offload->Checksum.IPv4Receive.TcpChecksum = All || Adapter->RxTcpChecksum;
	Offload->Checksum.IPv4Receive.UdpChecksum = All || Adapter->RxUdpChecksum;
	Offload->Checksum.IPv4Receive.IpChecksum = All || Adapter->RxIpChecksum;

	Offload->Checksum.IPv6Transmit.Encapsulation = NDIS_ENCAPSULATION_NOT_SUPPORTED;
	Offload->Checksum.IPv6Receive.Encapsulation = NDIS_ENCAPSULATION_NOT_SUPPORTED;

	if (All || Adapter->LsoV1) {
		Offload->LsoV1.IPv4.Encapsulation = NDIS_ENCAPSULATION_IEEE_802_3;
		Offload->LsoV1.IPv4.MaxOffLoadSize = E1000_LSO_MAX_OFFLOAD_SIZE;
		Offload->LsoV1.IPv4.MinSegmentCount = E1000_LSO_MIN_SEGMENT_COUNT;
		Offload->LsoV1.IPv4.TcpOptions = NDIS_OFFLOAD_SUPPORTED;
		Offload->LsoV1.IPv4.IpOptions = NDIS_OFFLOAD_SUPPORTED;
	}
	if (All || Adapter->LsoV2) {
		Offload->LsoV2.IPv4.Encapsulation = NDIS_ENCAPSULATION_IEEE_802_3;
		Offload->LsoV2.IPv4.MaxOffLoadSize = E1000_LSO_MAX_OFFLOAD_SIZE;
		Offload->LsoV2.IPv4.MinSegmentCount = E1000_LSO_MIN_SEGMENT_COUNT;
	}
	Offload->LsoV2.IPv6.Encapsulation = NDIS_ENCAPSULATION_NOT_SUPPORTED;
}

/* ------------------------------------------------------------------------
 * Pause bookkeeping
 * ------------------------------------------------------------------------ */

/*
 * A pause that returned NDIS_STATUS_PENDING completes once no send and no
 * indicated receive is left with the miniport's NBLs.  Called after either
 * count drops to zero.
 */
VOID
E1000CheckPauseComplete(
	_In_ PE1000_ADAPTER Adapter)
{
	BOOLEAN Complete = FALSE;

	/* Counts fall to zero all the time; pauses are rare. */
	if (*(volatile E1000_ADAPTER_STATE *)&Adapter->State != E1000StatePausing)
		return;

	NdisAcquireSpinLock(&Adapter->Lock);
	if (Adapter->State == E1000StatePausing && Adapter->PausePending &&
	    Adapter->SendsOutstanding == 0 && Adapter->RxOutstanding == 0) {
		Adapter->State = E1000StatePaused;
		Adapter->PausePending = FALSE;
		Complete = TRUE;
	}
	NdisReleaseSpinLock(&Adapter->Lock);

	if (Complete)
		NdisMPauseComplete(Adapter->MiniportAdapterHandle);
}

/* ------------------------------------------------------------------------
 * Initialization
 * ------------------------------------------------------------------------ */

/* The first memory range of the translated resources: BAR0. */
static BOOLEAN
E1000FindRegisters(
	_In_opt_ PNDIS_RESOURCE_LIST Resources,
	_Out_ PNDIS_PHYSICAL_ADDRESS Physical,
	_Out_ PULONG Length)
{
	ULONG i;

	if (Resources == NULL)
		return FALSE;
	for (i = 0; i < Resources->Count; i++) {
		PCM_PARTIAL_RESOURCE_DESCRIPTOR Desc = &Resources->PartialDescriptors[i];

		if (Desc->Type == CmResourceTypeMemory) {
			*Physical = Desc->u.Memory.Start;
			*Length = Desc->u.Memory.Length;
			return TRUE;
		}
	}
	return FALSE;
}

/*
 * Per-adapter settings a user can change without rebuilding:
 *   InterruptThrottleRate  interrupts per second (0 = no moderation,
 *                          else 100 - 100000); default 20000
 *   NetworkAddress         a locally administered MAC (NdisReadNetworkAddress)
 * A missing keyword leaves the default.
 */
static VOID
E1000ReadConfiguration(
	_In_ PE1000_ADAPTER Adapter,
	_Out_writes_(E1000_ETH_ADDRESS_LENGTH) PUCHAR NetworkAddress,
	_Out_ PBOOLEAN HaveNetworkAddress)
{
	static WCHAR ItrName[] = { 'I', 'n', 't', 'e', 'r', 'r', 'u', 'p', 't', 'T', 'h', 'r',
				   'o', 't', 't', 'l', 'e', 'R', 'a', 't', 'e', 0 };
	NDIS_CONFIGURATION_OBJECT ConfigObject;
	PNDIS_CONFIGURATION_PARAMETER Parameter;
	NDIS_HANDLE Config;
	NDIS_STRING Keyword;
	NDIS_STATUS Status;
	PUCHAR Address;
	UINT AddressLength;

	*HaveNetworkAddress = FALSE;

	NdisZeroMemory(&ConfigObject, sizeof(ConfigObject));
	ConfigObject.Header.Type = NDIS_OBJECT_TYPE_CONFIGURATION_OBJECT;
	ConfigObject.Header.Revision = NDIS_CONFIGURATION_OBJECT_REVISION_1;
	ConfigObject.Header.Size = NDIS_SIZEOF_CONFIGURATION_OBJECT_REVISION_1;
	ConfigObject.NdisHandle = Adapter->MiniportAdapterHandle;
	ConfigObject.Flags = 0;
	if (NdisOpenConfigurationEx(&ConfigObject, &Config) != NDIS_STATUS_SUCCESS)
		return;

	Keyword.Length = sizeof(ItrName) - sizeof(WCHAR);
	Keyword.MaximumLength = sizeof(ItrName);
	Keyword.Buffer = ItrName;
	NdisReadConfiguration(&Status, &Parameter, Config, &Keyword, NdisParameterInteger);
	if (Status == NDIS_STATUS_SUCCESS &&
	    (Parameter->ParameterType == NdisParameterInteger ||
	     Parameter->ParameterType == NdisParameterHexInteger)) {
		ULONG Rate = Parameter->ParameterData.IntegerData;

		if (Rate == 0 || (Rate >= 100 && Rate <= 100000))
			Adapter->InterruptRate = Rate;
		else
			NdisWriteErrorLogEntry(Adapter->MiniportAdapterHandle,
					       NDIS_ERROR_CODE_INVALID_VALUE_FROM_ADAPTER, 1, Rate);
	}

	/* A unicast, non-zero address only. */
	NdisReadNetworkAddress(&Status, (PVOID *)&Address, &AddressLength, Config);
	if (Status == NDIS_STATUS_SUCCESS && AddressLength == E1000_ETH_ADDRESS_LENGTH &&
	    !(Address[0] & 1) &&
	    (Address[0] | Address[1] | Address[2] | Address[3] | Address[4] | Address[5]) != 0) {
		NdisMoveMemory(NetworkAddress, Address, E1000_ETH_ADDRESS_LENGTH);
		*HaveNetworkAddress = TRUE;
	}
	NdisCloseConfiguration(Config);
}

static NDIS_STATUS
E1000SetRegistrationAttributes(
	_In_ PE1000_ADAPTER Adapter)
{
	NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES Attrs;

	NdisZeroMemory(&Attrs, sizeof(Attrs));
	Attrs.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;
	Attrs.Header.Revision = NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_2;
	Attrs.Header.Size = NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_2;
	Attrs.MiniportAdapterContext = (NDIS_HANDLE)Adapter;
	Attrs.AttributeFlags = NDIS_MINIPORT_ATTRIBUTES_HARDWARE_DEVICE |
			       NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER |
			       NDIS_MINIPORT_ATTRIBUTES_SURPRISE_REMOVE_OK;
	Attrs.CheckForHangTimeInSeconds = E1000_CHECK_FOR_HANG_SECONDS;
	Attrs.InterfaceType = NdisInterfacePci;
	return NdisMSetMiniportAttributes(Adapter->MiniportAdapterHandle,
					  (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&Attrs);
}

static NDIS_STATUS
E1000SetGeneralAttributes(
	_In_ PE1000_ADAPTER Adapter)
{
	NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES Gen;

	NdisZeroMemory(&Gen, sizeof(Gen));
	Gen.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES;
	Gen.Header.Revision = NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2;
	Gen.Header.Size = NDIS_SIZEOF_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2;
	Gen.MediaType = NdisMedium802_3;
	Gen.PhysicalMediumType = NdisPhysicalMedium802_3;
	Gen.MtuSize = E1000_MTU;
	Gen.MaxXmitLinkSpeed = E1000_LINK_SPEED_1000;
	Gen.MaxRcvLinkSpeed = E1000_LINK_SPEED_1000;
	Gen.XmitLinkSpeed = Adapter->LinkSpeed;
	Gen.RcvLinkSpeed = Adapter->LinkSpeed;
	Gen.MediaConnectState = Adapter->MediaConnectState;
	Gen.MediaDuplexState = Adapter->MediaDuplexState;
	Gen.LookaheadSize = E1000_MTU;
	Gen.PowerManagementCapabilities = NULL;
	Gen.MacOptions = NDIS_MAC_OPTION_COPY_LOOKAHEAD_DATA |
			 NDIS_MAC_OPTION_TRANSFERS_NOT_PEND |
			 NDIS_MAC_OPTION_NO_LOOPBACK;
	Gen.SupportedPacketFilters = E1000_SUPPORTED_FILTERS;
	Gen.MaxMulticastListSize = E1000_MAX_MULTICAST;
	Gen.MacAddressLength = E1000_ETH_ADDRESS_LENGTH;
	NdisMoveMemory(Gen.PermanentMacAddress, Adapter->PermanentAddress, E1000_ETH_ADDRESS_LENGTH);
	NdisMoveMemory(Gen.CurrentMacAddress, Adapter->CurrentAddress, E1000_ETH_ADDRESS_LENGTH);
	Gen.RecvScaleCapabilities = NULL;
	Gen.AccessType = NET_IF_ACCESS_BROADCAST;
	Gen.DirectionType = NET_IF_DIRECTION_SENDRECEIVE;
	Gen.ConnectionType = NET_IF_CONNECTION_DEDICATED;
	Gen.IfType = IF_TYPE_ETHERNET_CSMACD;
	Gen.IfConnectorPresent = TRUE;
	Gen.SupportedStatistics =
		NDIS_STATISTICS_XMIT_OK_SUPPORTED |
		NDIS_STATISTICS_RCV_OK_SUPPORTED |
		NDIS_STATISTICS_XMIT_ERROR_SUPPORTED |
		NDIS_STATISTICS_RCV_ERROR_SUPPORTED |
		NDIS_STATISTICS_RCV_NO_BUFFER_SUPPORTED |
		NDIS_STATISTICS_DIRECTED_BYTES_XMIT_SUPPORTED |
		NDIS_STATISTICS_DIRECTED_FRAMES_XMIT_SUPPORTED |
		NDIS_STATISTICS_MULTICAST_BYTES_XMIT_SUPPORTED |
		NDIS_STATISTICS_MULTICAST_FRAMES_XMIT_SUPPORTED |
		NDIS_STATISTICS_BROADCAST_BYTES_XMIT_SUPPORTED |
		NDIS_STATISTICS_BROADCAST_FRAMES_XMIT_SUPPORTED |
		NDIS_STATISTICS_DIRECTED_BYTES_RCV_SUPPORTED |
		NDIS_STATISTICS_DIRECTED_FRAMES_RCV_SUPPORTED |
		NDIS_STATISTICS_MULTICAST_BYTES_RCV_SUPPORTED |
		NDIS_STATISTICS_MULTICAST_FRAMES_RCV_SUPPORTED |
		NDIS_STATISTICS_BROADCAST_BYTES_RCV_SUPPORTED |
		NDIS_STATISTICS_BROADCAST_FRAMES_RCV_SUPPORTED |
		NDIS_STATISTICS_RCV_CRC_ERROR_SUPPORTED |
		NDIS_STATISTICS_BYTES_RCV_SUPPORTED |
		NDIS_STATISTICS_BYTES_XMIT_SUPPORTED |
		NDIS_STATISTICS_RCV_DISCARDS_SUPPORTED |
		NDIS_STATISTICS_GEN_STATISTICS_SUPPORTED |
		NDIS_STATISTICS_XMIT_DISCARDS_SUPPORTED;
	Gen.SupportedPauseFunctions = NdisPauseFunctionsUnsupported;
	Gen.DataBackFillSize = 0;
	Gen.ContextBackFillSize = 0;
	Gen.SupportedOidList = (PNDIS_OID)E1000SupportedOids;
	Gen.SupportedOidListLength = sizeof(E1000SupportedOids);
	Gen.AutoNegotiationFlags = NDIS_LINK_STATE_XMIT_LINK_SPEED_AUTO_NEGOTIATED |
				   NDIS_LINK_STATE_RCV_LINK_SPEED_AUTO_NEGOTIATED |
				   NDIS_LINK_STATE_DUPLEX_AUTO_NEGOTIATED;
	Gen.PowerManagementCapabilitiesEx = NULL;
	return NdisMSetMiniportAttributes(Adapter->MiniportAdapterHandle,
					  (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&Gen);
}

static NDIS_STATUS
E1000SetOffloadAttributes(
	_In_ PE1000_ADAPTER Adapter)
{
	NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES Attrs;
	NDIS_OFFLOAD Current, Hardware;

	E1000FillOffload(Adapter, FALSE, &Current);
	E1000FillOffload(Adapter, TRUE, &Hardware);

	NdisZeroMemory(&Attrs, sizeof(Attrs));
	Attrs.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES;
	Attrs.Header.Revision = NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES_REVISION_1;
	Attrs.Header.Size = NDIS_SIZEOF_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES_REVISION_1;
	Attrs.DefaultOffloadConfiguration = &Current;
	Attrs.HardwareOffloadCapabilities = &Hardware;
	Attrs.DefaultTcpConnectionOffloadConfiguration = NULL;
	Attrs.TcpConnectionOffloadHardwareCapabilities = NULL;
	return NdisMSetMiniportAttributes(Adapter->MiniportAdapterHandle,
					  (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&Attrs);
}

/* The 82540EM has no MSI capability: a line-based interrupt. */
static NDIS_STATUS
E1000RegisterInterrupt(
	_In_ PE1000_ADAPTER Adapter)
{
	NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS IntChars;

	NdisZeroMemory(&IntChars, sizeof(IntChars));
	IntChars.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT;
	IntChars.Header.Revision = NDIS_MINIPORT_INTERRUPT_REVISION_1;
	IntChars.Header.Size = NDIS_SIZEOF_MINIPORT_INTERRUPT_CHARACTERISTICS_REVISION_1;
	IntChars.InterruptHandler = MiniportInterrupt;
	IntChars.InterruptDpcHandler = MiniportInterruptDPC;
	IntChars.MsiSupported = FALSE;
	return NdisMRegisterInterruptEx(Adapter->MiniportAdapterHandle, Adapter, &IntChars,
					&Adapter->InterruptHandle);
}

/*
 * Scatter-gather DMA: the descriptors take 64-bit addresses, and a
 * NET_BUFFER of up to 64 KiB (a TSO frame) is mapped at once.
 */
static NDIS_STATUS
E1000RegisterScatterGather(
	_In_ PE1000_ADAPTER Adapter)
{
	NDIS_SG_DMA_DESCRIPTION Desc;
	NDIS_STATUS Status;

	NdisZeroMemory(&Desc, sizeof(Desc));
	Desc.Header.Type = NDIS_OBJECT_TYPE_SG_DMA_DESCRIPTION;
	Desc.Header.Revision = NDIS_SG_DMA_DESCRIPTION_REVISION_1;
	Desc.Header.Size = NDIS_SIZEOF_SG_DMA_DESCRIPTION_REVISION_1;
	Desc.Flags = NDIS_SG_DMA_64_BIT_ADDRESS;
	Desc.MaximumPhysicalMapping = E1000_MAX_PHYSICAL_MAPPING;
	Desc.ProcessSGListHandler = E1000ProcessSGList;
	Desc.SharedMemAllocateCompleteHandler = NULL;	/* no asynchronous allocations */
	Status = NdisMRegisterScatterGatherDma(Adapter->MiniportAdapterHandle, &Desc,
					       &Adapter->SgDmaHandle);
	if (Status == NDIS_STATUS_SUCCESS)
		Adapter->ScatterGatherListSize = Desc.ScatterGatherListSize;
	return Status;
}

/* Releases what initialization made, in reverse.  Interrupt already gone. */
static VOID
E1000FreeAdapter(
	_In_ PE1000_ADAPTER Adapter)
{
	E1000RxFree(Adapter);
	E1000TxFree(Adapter);
	if (Adapter->SgDmaHandle != NULL)
		NdisMDeregisterScatterGatherDma(Adapter->SgDmaHandle);
	if (Adapter->ResetWorkItem != NULL)
		NdisFreeIoWorkItem(Adapter->ResetWorkItem);
	if (Adapter->RegisterBase != NULL)
		NdisMUnmapIoSpace(Adapter->MiniportAdapterHandle, Adapter->RegisterBase,
				  Adapter->RegisterLength);
	NdisFreeSpinLock(&Adapter->RxLock);
	NdisFreeSpinLock(&Adapter->TxLock);
	NdisFreeSpinLock(&Adapter->Lock);
	NdisFreeMemory(Adapter, sizeof(*Adapter), 0);
}

NDIS_STATUS
MiniportInitializeEx(
	_In_ NDIS_HANDLE MiniportAdapterHandle,
	_In_ NDIS_HANDLE MiniportDriverContext,
	_In_ PNDIS_MINIPORT_INIT_PARAMETERS MiniportInitParameters)
{
	UCHAR NetworkAddress[E1000_ETH_ADDRESS_LENGTH];
	BOOLEAN HaveNetworkAddress;
	PE1000_ADAPTER Adapter;
	NDIS_STATUS Status;
	NDIS_ERROR_CODE Error = NDIS_ERROR_CODE_OUT_OF_RESOURCES;
	ULONG PciId;

	UNREFERENCED_PARAMETER(MiniportDriverContext);

	Adapter = NdisAllocateMemoryWithTagPriority(MiniportAdapterHandle, sizeof(*Adapter),
						    E1000_POOL_TAG, NormalPoolPriority);
	if (Adapter == NULL)
		return NDIS_STATUS_RESOURCES;
	NdisZeroMemory(Adapter, sizeof(*Adapter));
	Adapter->MiniportAdapterHandle = MiniportAdapterHandle;
	NdisAllocateSpinLock(&Adapter->Lock);
	NdisAllocateSpinLock(&Adapter->TxLock);
	NdisAllocateSpinLock(&Adapter->RxLock);
	Adapter->State = E1000StateInitializing;
	Adapter->TxRejectStatus = NDIS_STATUS_PAUSED;	/* until Restart */
	Adapter->LookAhead = E1000_MTU;
	Adapter->InterruptRate = E1000_DEFAULT_INTERRUPT_RATE;
	/* Every offload the device has is on until NDIS says otherwise. */
	Adapter->TxIpChecksum = Adapter->TxTcpChecksum = Adapter->TxUdpChecksum = TRUE;
	Adapter->RxIpChecksum = Adapter->RxTcpChecksum = Adapter->RxUdpChecksum = TRUE;
	Adapter->LsoV1 = Adapter->LsoV2 = TRUE;

	/* First of all: from here on NDIS knows the adapter context. */
	Status = E1000SetRegistrationAttributes(Adapter);
	if (Status != NDIS_STATUS_SUCCESS)
		goto Fail;

	E1000ReadConfiguration(Adapter, NetworkAddress, &HaveNetworkAddress);

	/* Something else at this function is not ours to drive. */
	if (NdisMGetBusData(MiniportAdapterHandle, PCI_WHICHSPACE_CONFIG, 0, &PciId,
			    sizeof(PciId)) != sizeof(PciId) ||
	    PciId != ((ULONG)E1000_PCI_DEVICE_ID_82540EM << 16 | E1000_PCI_VENDOR_ID)) {
		Status = NDIS_STATUS_ADAPTER_NOT_FOUND;
		Error = NDIS_ERROR_CODE_ADAPTER_NOT_FOUND;
		goto Fail;
	}

	if (!E1000FindRegisters(MiniportInitParameters->AllocatedResources,
				&Adapter->RegisterPhysical, &Adapter->RegisterLength) ||
	    Adapter->RegisterLength < E1000_REGISTER_SPACE_SIZE) {
		Status = NDIS_STATUS_RESOURCE_CONFLICT;
		Error = NDIS_ERROR_CODE_RESOURCE_CONFLICT;
		goto Fail;
	}
	Status = NdisMMapIoSpace((PVOID *)&Adapter->RegisterBase, MiniportAdapterHandle,
				 Adapter->RegisterPhysical, Adapter->RegisterLength);
	if (Status != NDIS_STATUS_SUCCESS) {
		Adapter->RegisterBase = NULL;
		Error = NDIS_ERROR_CODE_BAD_IO_BASE_ADDRESS;
		goto Fail;
	}

	Adapter->ResetWorkItem = NdisAllocateIoWorkItem(MiniportAdapterHandle);
	if (Adapter->ResetWorkItem == NULL) {
		Status = NDIS_STATUS_RESOURCES;
		goto Fail;
	}

	Status = E1000RegisterScatterGather(Adapter);
	if (Status != NDIS_STATUS_SUCCESS)
		goto Fail;

	/* A known state: whatever a previous driver left running stops. */
	Status = E1000HwReset(Adapter);
	if (Status != NDIS_STATUS_SUCCESS) {
		Error = NDIS_ERROR_CODE_HARDWARE_FAILURE;
		goto Fail;
	}
	Status = E1000HwReadMacAddress(Adapter, Adapter->PermanentAddress);
	if (Status != NDIS_STATUS_SUCCESS) {
		Error = NDIS_ERROR_CODE_NETWORK_ADDRESS;
		goto Fail;
	}
	NdisMoveMemory(Adapter->CurrentAddress,
		       HaveNetworkAddress ? NetworkAddress : Adapter->PermanentAddress,
		       E1000_ETH_ADDRESS_LENGTH);

	Status = E1000TxAllocate(Adapter);
	if (Status == NDIS_STATUS_SUCCESS)
		Status = E1000RxAllocate(Adapter);
	if (Status != NDIS_STATUS_SUCCESS)
		goto Fail;

	/* Rings programmed, receiver off, interrupts masked. */
	E1000HwInitialize(Adapter);

	Status = E1000RegisterInterrupt(Adapter);
	if (Status != NDIS_STATUS_SUCCESS) {
		Error = NDIS_ERROR_CODE_INTERRUPT_CONNECT;
		goto FailStop;
	}

	E1000HwReadLinkState(Adapter, &Adapter->MediaConnectState,
			     &Adapter->MediaDuplexState, &Adapter->LinkSpeed);
	Status = E1000SetGeneralAttributes(Adapter);
	if (Status == NDIS_STATUS_SUCCESS)
		Status = E1000SetOffloadAttributes(Adapter);
	if (Status != NDIS_STATUS_SUCCESS)
		goto FailInterrupt;

	/* Link changes and send completions from now on; receives after Restart. */
	Adapter->State = E1000StatePaused;
	E1000HwEnableInterrupts(Adapter);
	return NDIS_STATUS_SUCCESS;

FailInterrupt:
	E1000HwDisableInterrupts(Adapter);
	NdisMDeregisterInterruptEx(Adapter->InterruptHandle);
FailStop:
	/* The device had the rings' addresses: stop it before they go. */
	(void)E1000HwReset(Adapter);
Fail:
	DbgPrintEx(DPFLTR_IHVNETWORK_ID, DPFLTR_ERROR_LEVEL,
		   E1000_DRIVER_NAME ": initialization failed: 0x%08x\n", (ULONG)Status);
	NdisWriteErrorLogEntry(MiniportAdapterHandle, Error, 1, (ULONG)Status);
	E1000FreeAdapter(Adapter);
	return Status;
}

/* ------------------------------------------------------------------------
 * Halt, shutdown, PnP
 * ------------------------------------------------------------------------ */

/*
 * Keeps the DPC away from the rings (it returns at once while
 * ResetInProgress is set) and waits for one that is already running.
 * That one may unmask the device as it leaves, so the mask is set again
 * once it is gone.  PASSIVE_LEVEL.
 */
static VOID
E1000FenceDpc(
	_In_ PE1000_ADAPTER Adapter)
{
	InterlockedExchange(&Adapter->ResetInProgress, 1);
	E1000HwDisableInterrupts(Adapter);
	while (Adapter->DpcActive != 0)
		NdisMSleep(100);
	E1000HwDisableInterrupts(Adapter);
}

VOID
MiniportHaltEx(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ NDIS_HALT_ACTION HaltAction)
{
	PE1000_ADAPTER Adapter = (PE1000_ADAPTER)MiniportAdapterContext;
	BOOLEAN Present;

	UNREFERENCED_PARAMETER(HaltAction);

	/* NDIS paused the adapter first: no send or receive is outstanding. */
	NdisAcquireSpinLock(&Adapter->Lock);
	Adapter->State = E1000StateHalted;
	NdisReleaseSpinLock(&Adapter->Lock);
	E1000TxBlock(Adapter, NDIS_STATUS_ADAPTER_REMOVED, FALSE);

	Present = !Adapter->SurpriseRemoved && E1000HwIsPresent(Adapter);
	if (Present)
		E1000HwStop(Adapter);
	/* Masked for good: no DPC unmasks the device after this. */
	E1000FenceDpc(Adapter);
	/* After this no ISR or DPC runs. */
	NdisMDeregisterInterruptEx(Adapter->InterruptHandle);
	/* The device lets go of the rings and buffers before they are freed. */
	if (Present)
		(void)E1000HwReset(Adapter);

	(void)E1000TxWaitForMappings(Adapter);
	E1000TxReclaimAll(Adapter, NDIS_STATUS_SEND_ABORTED, FALSE);
	E1000FreeAdapter(Adapter);
}

/*
 * Shutdown (or bugcheck): the device must stop touching memory.  Any
 * IRQL, so registers only: no waiting, no NDIS calls.
 */
VOID
MiniportShutdownEx(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ NDIS_SHUTDOWN_ACTION ShutdownAction)
{
	PE1000_ADAPTER Adapter = (PE1000_ADAPTER)MiniportAdapterContext;
	ULONG Ctrl;

	UNREFERENCED_PARAMETER(ShutdownAction);

	if (Adapter->SurpriseRemoved || !E1000HwIsPresent(Adapter))
		return;
	E1000HwStop(Adapter);
	E1000_READ(Adapter, E1000_CTRL, &Ctrl);
	E1000_WRITE(Adapter, E1000_CTRL, Ctrl | E1000_CTRL_RST);
}

/*
 * Surprise removal: the device is gone, so sends on the ring will never
 * complete.  They are taken back here (nothing can DMA any more) and new
 * ones refused; Pause and Halt follow.
 */
VOID
MiniportDevicePnPEventNotify(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ PNET_DEVICE_PNP_EVENT NetDevicePnPEvent)
{
	PE1000_ADAPTER Adapter = (PE1000_ADAPTER)MiniportAdapterContext;

	if (NetDevicePnPEvent->DevicePnPEvent != NdisDevicePnPEventSurpriseRemoved)
		return;

	NdisAcquireSpinLock(&Adapter->Lock);
	Adapter->SurpriseRemoved = TRUE;
	NdisReleaseSpinLock(&Adapter->Lock);

	E1000TxBlock(Adapter, NDIS_STATUS_ADAPTER_REMOVED, FALSE);
	E1000FenceDpc(Adapter);
	(void)E1000TxWaitForMappings(Adapter);
	E1000TxReclaimAll(Adapter, NDIS_STATUS_SEND_ABORTED, FALSE);
	E1000RxSetIndicate(Adapter, FALSE);
	E1000CheckPauseComplete(Adapter);
}

/* ------------------------------------------------------------------------
 * Pause and restart
 * ------------------------------------------------------------------------ */

/*
 * Stops indicating receives (the device keeps receiving into the ring and
 * the DPC recycles the frames: see E1000HwProgramFilter for why RCTL is
 * left alone) and refuses new sends (NDIS_STATUS_PAUSED); the queue of
 * sends not yet on the ring completes at once.  Completes when the
 * ring's sends are done and the protocols have returned every indicated
 * frame: now, or from the DPC / MiniportReturnNetBufferLists.
 */
NDIS_STATUS
MiniportPause(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ PNDIS_MINIPORT_PAUSE_PARAMETERS PauseParameters)
{
	PE1000_ADAPTER Adapter = (PE1000_ADAPTER)MiniportAdapterContext;
	NDIS_STATUS Status;

	UNREFERENCED_PARAMETER(PauseParameters);

	NdisAcquireSpinLock(&Adapter->Lock);
	Adapter->State = E1000StatePausing;
	Adapter->PausePending = FALSE;
	NdisReleaseSpinLock(&Adapter->Lock);

	E1000RxSetIndicate(Adapter, FALSE);
	E1000TxBlock(Adapter, Adapter->SurpriseRemoved ? NDIS_STATUS_ADAPTER_REMOVED :
			      Adapter->HardwareFailed ? NDIS_STATUS_HARD_ERRORS :
			      NDIS_STATUS_PAUSED, FALSE);

	NdisAcquireSpinLock(&Adapter->Lock);
	if (Adapter->SendsOutstanding == 0 && Adapter->RxOutstanding == 0) {
		Adapter->State = E1000StatePaused;
		Status = NDIS_STATUS_SUCCESS;
	} else {
		Adapter->PausePending = TRUE;
		Status = NDIS_STATUS_PENDING;
	}
	NdisReleaseSpinLock(&Adapter->Lock);
	return Status;
}

NDIS_STATUS
MiniportRestart(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ PNDIS_MINIPORT_RESTART_PARAMETERS RestartParameters)
{
	PE1000_ADAPTER Adapter = (PE1000_ADAPTER)MiniportAdapterContext;
	BOOLEAN Indicate, Failed;

	UNREFERENCED_PARAMETER(RestartParameters);

	NdisAcquireSpinLock(&Adapter->Lock);
	if (Adapter->SurpriseRemoved) {
		NdisReleaseSpinLock(&Adapter->Lock);
		return NDIS_STATUS_FAILURE;
	}
	Adapter->State = E1000StateRunning;
	Failed = Adapter->HardwareFailed;
	Indicate = Adapter->PacketFilter != 0;
	NdisReleaseSpinLock(&Adapter->Lock);

	E1000RxSetIndicate(Adapter, Indicate);
	/* A device that lost its registers keeps failing sends until a reset
	 * finds it again. */
	if (!Failed)
		E1000TxUnblock(Adapter);
	return NDIS_STATUS_SUCCESS;
}

/* ------------------------------------------------------------------------
 * Hang detection and reset
 * ------------------------------------------------------------------------ */

/*
 * Every E1000_CHECK_FOR_HANG_SECONDS, at DISPATCH_LEVEL: folds the
 * statistics registers in, catches a link change whose interrupt was
 * missed, and asks for a reset when sends stop completing or the
 * registers vanished (or came back).
 */
BOOLEAN
MiniportCheckForHangEx(
	_In_ NDIS_HANDLE MiniportAdapterContext)
{
	PE1000_ADAPTER Adapter = (PE1000_ADAPTER)MiniportAdapterContext;
	BOOLEAN Present, WasFailed;

	if (Adapter->SurpriseRemoved || Adapter->ResetInProgress)
		return FALSE;

	Present = E1000HwIsPresent(Adapter);
	NdisAcquireSpinLock(&Adapter->Lock);
	WasFailed = Adapter->HardwareFailed;
	if (!Present)
		Adapter->HardwareFailed = TRUE;
	else
		E1000HwUpdateStatistics(Adapter);
	NdisReleaseSpinLock(&Adapter->Lock);

	if (!Present) {
		if (WasFailed)
			return FALSE;	/* reported already; a reset could not help */
		DbgPrintEx(DPFLTR_IHVNETWORK_ID, DPFLTR_ERROR_LEVEL,
			   E1000_DRIVER_NAME ": registers unreachable: device lost\n");
		NdisWriteErrorLogEntry(Adapter->MiniportAdapterHandle,
				       NDIS_ERROR_CODE_HARDWARE_FAILURE, 1, (ULONG)E1000_STATUS);
		E1000UpdateLinkState(Adapter, FALSE);
		/* The reset takes the sends back from the ring. */
		return TRUE;
	}
	if (WasFailed)
		return TRUE;	/* back: a reset brings it up again */

	E1000UpdateLinkState(Adapter, FALSE);
	return E1000TxIsHung(Adapter);
}

/*
 * The reset itself, at PASSIVE_LEVEL: fence the send path and the DPC,
 * reset the device, take back every send on the ring, rebuild both rings
 * and program the device again with the current address, filter and
 * multicast list (so NDIS need not restore them: AddressingReset FALSE).
 * A device whose registers are gone has its bus mastering turned off
 * instead, so it cannot reach the memory about to be reused.
 */
static NDIS_STATUS
E1000ResetAdapter(
	_In_ PE1000_ADAPTER Adapter)
{
	NDIS_STATUS Status;
	BOOLEAN Running;
	USHORT Command;

	E1000TxBlock(Adapter, NDIS_STATUS_RESET_IN_PROGRESS, FALSE);
	E1000FenceDpc(Adapter);
	(void)E1000TxWaitForMappings(Adapter);

	if (E1000HwIsPresent(Adapter)) {
		Status = E1000HwReset(Adapter);
	} else {
		if (NdisMGetBusData(Adapter->MiniportAdapterHandle, PCI_WHICHSPACE_CONFIG,
				    E1000_PCI_COMMAND, &Command, sizeof(Command)) == sizeof(Command) &&
		    Command != 0xFFFF) {
			Command &= ~E1000_PCI_COMMAND_MASTER;
			NdisMSetBusData(Adapter->MiniportAdapterHandle, PCI_WHICHSPACE_CONFIG,
					E1000_PCI_COMMAND, &Command, sizeof(Command));
		}
		Status = NDIS_STATUS_HARD_ERRORS;
	}

	E1000TxReclaimAll(Adapter, NDIS_STATUS_RESET_IN_PROGRESS, FALSE);
	NdisAcquireSpinLock(&Adapter->TxLock);
	E1000TxInitRing(Adapter);
	NdisReleaseSpinLock(&Adapter->TxLock);
	NdisAcquireSpinLock(&Adapter->RxLock);
	E1000RxInitRing(Adapter);
	NdisReleaseSpinLock(&Adapter->RxLock);

	NdisAcquireSpinLock(&Adapter->Lock);
	Running = Adapter->State == E1000StateRunning;
	if (Status == NDIS_STATUS_SUCCESS) {
		/* Bus mastering back on, in case a failed reset turned it off. */
		if (NdisMGetBusData(Adapter->MiniportAdapterHandle, PCI_WHICHSPACE_CONFIG,
				    E1000_PCI_COMMAND, &Command, sizeof(Command)) == sizeof(Command) &&
		    !(Command & E1000_PCI_COMMAND_MASTER)) {
			Command |= E1000_PCI_COMMAND_MASTER;
			NdisMSetBusData(Adapter->MiniportAdapterHandle, PCI_WHICHSPACE_CONFIG,
					E1000_PCI_COMMAND, &Command, sizeof(Command));
		}
		E1000HwInitialize(Adapter);
		Adapter->HardwareFailed = FALSE;
	} else {
		Adapter->HardwareFailed = TRUE;
	}
	NdisReleaseSpinLock(&Adapter->Lock);

	InterlockedExchange(&Adapter->ResetInProgress, 0);

	if (Status == NDIS_STATUS_SUCCESS) {
		/* Buffers the protocols returned during the reset. */
		NdisAcquireSpinLock(&Adapter->RxLock);
		E1000RxWriteTail(Adapter);
		NdisReleaseSpinLock(&Adapter->RxLock);
		E1000HwEnableInterrupts(Adapter);
		if (Running)
			E1000TxUnblock(Adapter);
		else
			E1000TxBlock(Adapter, NDIS_STATUS_PAUSED, FALSE);
	} else {
		/* Sends fail fast (and are counted) while the device is lost. */
		E1000TxBlock(Adapter, NDIS_STATUS_HARD_ERRORS, FALSE);
	}
	E1000UpdateLinkState(Adapter, FALSE);
	E1000CheckPauseComplete(Adapter);
	return Status;
}

static VOID
E1000ResetWorker(
	_In_ PVOID WorkItemContext,
	_In_ NDIS_HANDLE NdisIoWorkItemHandle)
{
	PE1000_ADAPTER Adapter = (PE1000_ADAPTER)WorkItemContext;
	NDIS_STATUS Status;

	UNREFERENCED_PARAMETER(NdisIoWorkItemHandle);

	Status = E1000ResetAdapter(Adapter);
	NdisMResetComplete(Adapter->MiniportAdapterHandle, Status, FALSE);
}

/*
 * MINIPORT_RESET: CheckForHang said so, or NDIS timed out.  Called at up
 * to DISPATCH_LEVEL, and the reset waits, so it runs in a work item.
 */
NDIS_STATUS
MiniportResetEx(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_Out_ PBOOLEAN AddressingReset)
{
	PE1000_ADAPTER Adapter = (PE1000_ADAPTER)MiniportAdapterContext;

	*AddressingReset = FALSE;
	if (Adapter->SurpriseRemoved)
		return NDIS_STATUS_ADAPTER_REMOVED;
	NdisQueueIoWorkItem(Adapter->ResetWorkItem, E1000ResetWorker, Adapter);
	return NDIS_STATUS_PENDING;
}

/* ------------------------------------------------------------------------
 * Interrupt
 * ------------------------------------------------------------------------ */

/*
 * ISR, at device IRQL.  Reading ICR acknowledges every cause; the causes
 * go to the DPC through PendingIcr, and the device stays masked until the
 * DPC has handled them.  The line may be shared: nothing set (or a device
 * that reads all ones) is not ours.
 */
BOOLEAN
MiniportInterrupt(
	_In_ NDIS_HANDLE MiniportInterruptContext,
	_Out_ PBOOLEAN QueueDefaultInterruptDpc,
	_Out_ PULONG TargetProcessors)
{
	PE1000_ADAPTER Adapter = (PE1000_ADAPTER)MiniportInterruptContext;
	ULONG Icr;

	*QueueDefaultInterruptDpc = FALSE;
	*TargetProcessors = 0;

	E1000_READ(Adapter, E1000_ICR, &Icr);
	if (Icr == 0 || Icr == 0xFFFFFFFF)
		return FALSE;

	E1000_WRITE(Adapter, E1000_IMC, 0xFFFFFFFF);
	InterlockedOr(&Adapter->PendingIcr, (LONG)Icr);
	*QueueDefaultInterruptDpc = TRUE;
	return TRUE;
}

/*
 * DPC, at DISPATCH_LEVEL: link change, send completions, then receives up
 * to the receive throttle NDIS passes (NDIS 6.20).  When frames are left,
 * MoreNblsPending tells NDIS to queue the DPC again and the interrupt
 * stays masked; otherwise it is unmasked (any cause latched meanwhile
 * raises it at once).
 */
VOID
MiniportInterruptDPC(
	_In_ NDIS_HANDLE MiniportInterruptContext,
	_In_ PVOID MiniportDpcContext,
	_In_ PVOID ReceiveThrottleParameters,
	_In_ PVOID NdisReserved2)
{
	PE1000_ADAPTER Adapter = (PE1000_ADAPTER)MiniportInterruptContext;
	PNDIS_RECEIVE_THROTTLE_PARAMETERS Throttle =
		(PNDIS_RECEIVE_THROTTLE_PARAMETERS)ReceiveThrottleParameters;
	ULONG MaxNbls = Throttle != NULL ? Throttle->MaxNblsToIndicate : NDIS_INDICATE_ALL_NBLS;
	BOOLEAN More;
	LONG Icr;

	UNREFERENCED_PARAMETER(MiniportDpcContext);
	UNREFERENCED_PARAMETER(NdisReserved2);

	InterlockedIncrement(&Adapter->DpcActive);
	if (Adapter->ResetInProgress) {
		/* A reset or removal owns the rings; it re-enables interrupts. */
		InterlockedDecrement(&Adapter->DpcActive);
		return;
	}

	Icr = InterlockedExchange(&Adapter->PendingIcr, 0);
	if (Icr & E1000_ICR_LSC)
		E1000UpdateLinkState(Adapter, FALSE);

	E1000TxComplete(Adapter);
	More = E1000RxProcess(Adapter, MaxNbls);

	if (More && Throttle != NULL)
		Throttle->MoreNblsPending = 1;
	else if (!Adapter->ResetInProgress)
		E1000HwEnableInterrupts(Adapter);
	InterlockedDecrement(&Adapter->DpcActive);
}

/* ------------------------------------------------------------------------
 * OID requests
 * ------------------------------------------------------------------------ */

static ULONG64
E1000Sub(
	_In_ ULONG64 A,
	_In_ ULONG64 B)
{
	return A > B ? A - B : 0;
}

/* NDIS_STATISTICS_INFO from the statistics registers and the driver's
 * counters.  Adapter->Lock held. */
static VOID
E1000FillStatistics(
	_In_ PE1000_ADAPTER Adapter,
	_Out_ PNDIS_STATISTICS_INFO Stats)
{
	PE1000_HW_STATS H = &Adapter->HwStats;
	PE1000_SW_STATS S = &Adapter->Sw;

	NdisZeroMemory(Stats, sizeof(*Stats));
	Stats->Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
	Stats->Header.Revision = NDIS_STATISTICS_INFO_REVISION_1;
	Stats->Header.Size = NDIS_SIZEOF_STATISTICS_INFO_REVISION_1;
	Stats->SupportedStatistics =
		NDIS_STATISTICS_FLAGS_VALID_DIRECTED_FRAMES_RCV |
		NDIS_STATISTICS_FLAGS_VALID_MULTICAST_FRAMES_RCV |
		NDIS_STATISTICS_FLAGS_VALID_BROADCAST_FRAMES_RCV |
		NDIS_STATISTICS_FLAGS_VALID_BYTES_RCV |
		NDIS_STATISTICS_FLAGS_VALID_RCV_DISCARDS |
		NDIS_STATISTICS_FLAGS_VALID_RCV_ERROR |
		NDIS_STATISTICS_FLAGS_VALID_DIRECTED_FRAMES_XMIT |
		NDIS_STATISTICS_FLAGS_VALID_MULTICAST_FRAMES_XMIT |
		NDIS_STATISTICS_FLAGS_VALID_BROADCAST_FRAMES_XMIT |
		NDIS_STATISTICS_FLAGS_VALID_BYTES_XMIT |
		NDIS_STATISTICS_FLAGS_VALID_XMIT_ERROR |
		NDIS_STATISTICS_FLAGS_VALID_XMIT_DISCARDS |
		NDIS_STATISTICS_FLAGS_VALID_DIRECTED_BYTES_RCV |
		NDIS_STATISTICS_FLAGS_VALID_MULTICAST_BYTES_RCV |
		NDIS_STATISTICS_FLAGS_VALID_BROADCAST_BYTES_RCV |
		NDIS_STATISTICS_FLAGS_VALID_DIRECTED_BYTES_XMIT |
		NDIS_STATISTICS_FLAGS_VALID_MULTICAST_BYTES_XMIT |
		NDIS_STATISTICS_FLAGS_VALID_BROADCAST_BYTES_XMIT;

	/* Frame counts and octets as the device counted them on the wire
	 * (octets include the FCS; a TSO frame counts once per segment). */
	Stats->ifHCInBroadcastPkts = H->Bprc;
	Stats->ifHCInMulticastPkts = H->Mprc;
	Stats->ifHCInUcastPkts = E1000Sub(H->Gprc, H->Bprc + H->Mprc);
	Stats->ifHCInOctets = H->Gorc;
	Stats->ifHCOutBroadcastPkts = H->Bptc;
	Stats->ifHCOutMulticastPkts = H->Mptc;
	Stats->ifHCOutUcastPkts = E1000Sub(H->Gptc, H->Bptc + H->Mptc);
	Stats->ifHCOutOctets = H->Gotc;
	/* Receive errors the device saw, and frames it or the driver dropped. */
	Stats->ifInErrors = H->Crcerrs + H->Algnerrc + H->Symerrs + H->Rxerrc + H->Rlec +
			    H->Ruc + H->Roc + H->Rjc + S->RxErrors;
	Stats->ifInDiscards = H->Mpc + S->RxDiscards;
	Stats->ifOutErrors = H->Ecol + H->Latecol + S->TxErrors;
	Stats->ifOutDiscards = S->TxDiscards;
	/* Octets by destination type: the device does not split them, the
	 * driver counts them (frame bytes without FCS, before segmentation). */
	Stats->ifHCInUcastOctets = S->RxOctets[E1000_CAST_UNICAST];
	Stats->ifHCInMulticastOctets = S->RxOctets[E1000_CAST_MULTICAST];
	Stats->ifHCInBroadcastOctets = S->RxOctets[E1000_CAST_BROADCAST];
	Stats->ifHCOutUcastOctets = S->TxOctets[E1000_CAST_UNICAST];
	Stats->ifHCOutMulticastOctets = S->TxOctets[E1000_CAST_MULTICAST];
	Stats->ifHCOutBroadcastOctets = S->TxOctets[E1000_CAST_BROADCAST];
}

/* One statistics OID's value.  Adapter->Lock held. */
static BOOLEAN
E1000QueryCounter(
	_In_ PE1000_ADAPTER Adapter,
	_In_ NDIS_OID Oid,
	_Out_ PULONG64 Value)
{
	NDIS_STATISTICS_INFO Stats;
	PE1000_HW_STATS H = &Adapter->HwStats;

	E1000HwUpdateStatistics(Adapter);
	E1000FillStatistics(Adapter, &Stats);
	switch (Oid) {
	case OID_GEN_XMIT_OK:
		*Value = H->Gptc;
		break;
	case OID_GEN_RCV_OK:
		*Value = H->Gprc;
		break;
	case OID_GEN_XMIT_ERROR:
		*Value = Stats.ifOutErrors;
		break;
	case OID_GEN_RCV_ERROR:
		*Value = Stats.ifInErrors;
		break;
	case OID_GEN_RCV_NO_BUFFER:
		*Value = H->Mpc;
		break;
	case OID_GEN_RCV_CRC_ERROR:
		*Value = H->Crcerrs;
		break;
	case OID_GEN_DIRECTED_FRAMES_RCV:
		*Value = Stats.ifHCInUcastPkts;
		break;
	case OID_GEN_MULTICAST_FRAMES_RCV:
		*Value = H->Mprc;
		break;
	case OID_GEN_BROADCAST_FRAMES_RCV:
		*Value = H->Bprc;
		break;
	case OID_GEN_DIRECTED_FRAMES_XMIT:
		*Value = Stats.ifHCOutUcastPkts;
		break;
	case OID_GEN_MULTICAST_FRAMES_XMIT:
		*Value = H->Mptc;
		break;
	case OID_GEN_BROADCAST_FRAMES_XMIT:
		*Value = H->Bptc;
		break;
	case OID_802_3_RCV_ERROR_ALIGNMENT:
		*Value = H->Algnerrc;
		break;
	case OID_802_3_XMIT_ONE_COLLISION:
		*Value = H->Scc;
		break;
	case OID_802_3_XMIT_MORE_COLLISIONS:
		*Value = H->Mcc;
		break;
	case OID_802_3_XMIT_DEFERRED:
		*Value = H->Dc;
		break;
	case OID_802_3_XMIT_MAX_COLLISIONS:
		*Value = H->Ecol;
		break;
	case OID_802_3_RCV_OVERRUN:
		*Value = H->Mpc;
		break;
	case OID_802_3_XMIT_LATE_COLLISIONS:
		*Value = H->Latecol;
		break;
	case OID_802_3_XMIT_TIMES_CRS_LOST:
		*Value = H->Tncrs;
		break;
	default:
		return FALSE;
	}
	return TRUE;
}

static NDIS_STATUS
E1000QueryInformation(
	_In_ PE1000_ADAPTER Adapter,
	_Inout_ PNDIS_OID_REQUEST Request)
{
	NDIS_OID Oid = Request->DATA.QUERY_INFORMATION.Oid;
	PVOID Buffer = Request->DATA.QUERY_INFORMATION.InformationBuffer;
	ULONG Length = Request->DATA.QUERY_INFORMATION.InformationBufferLength;
	union {
		ULONG Ulong;
		ULONG64 Ulong64;
		NDIS_MEDIUM Medium;
		NDIS_PHYSICAL_MEDIUM PhysicalMedium;
		NDIS_MEDIA_CONNECT_STATE Connect;
		NDIS_LINK_STATE LinkState;
		NDIS_STATISTICS_INFO Statistics;
		NDIS_OFFLOAD_ENCAPSULATION Encapsulation;
		USHORT Ushort;
		UCHAR Address[E1000_ETH_ADDRESS_LENGTH];
		UCHAR Multicast[E1000_MAX_MULTICAST * E1000_ETH_ADDRESS_LENGTH];
	} U;
	const VOID *Source = &U;
	ULONG Size = sizeof(ULONG);
	BOOLEAN Counter = FALSE;
	NDIS_STATUS Status = NDIS_STATUS_SUCCESS;

	NdisAcquireSpinLock(&Adapter->Lock);
	switch (Oid) {
	case OID_GEN_SUPPORTED_LIST:
		Source = E1000SupportedOids;
		Size = sizeof(E1000SupportedOids);
		break;
	case OID_GEN_MEDIA_SUPPORTED:
	case OID_GEN_MEDIA_IN_USE:
		U.Medium = NdisMedium802_3;
		break;
	case OID_GEN_PHYSICAL_MEDIUM:
		U.PhysicalMedium = NdisPhysicalMedium802_3;
		break;
	case OID_GEN_MAXIMUM_LOOKAHEAD:
	case OID_GEN_MAXIMUM_FRAME_SIZE:
		U.Ulong = E1000_MTU;
		break;
	case OID_GEN_CURRENT_LOOKAHEAD:
		U.Ulong = Adapter->LookAhead;
		break;
	case OID_GEN_MAXIMUM_TOTAL_SIZE:
	case OID_GEN_TRANSMIT_BLOCK_SIZE:
	case OID_GEN_RECEIVE_BLOCK_SIZE:
		U.Ulong = E1000_MAX_FRAME_SIZE;
		break;
	case OID_GEN_TRANSMIT_BUFFER_SPACE:
		U.Ulong = E1000_TX_RING_SIZE * E1000_MAX_FRAME_SIZE;
		break;
	case OID_GEN_RECEIVE_BUFFER_SPACE:
		U.Ulong = E1000_RX_BUFFER_COUNT * E1000_RX_BUFFER_SIZE;
		break;
	case OID_GEN_MAXIMUM_SEND_PACKETS:
		U.Ulong = E1000_TCB_COUNT;
		break;
	case OID_GEN_LINK_SPEED:
		/* In 100 b/s units. */
		U.Ulong = Adapter->MediaConnectState == MediaConnectStateConnected ?
			  (ULONG)(Adapter->LinkSpeed / 100) : 0;
		break;
	case OID_GEN_MEDIA_CONNECT_STATUS:
		U.Connect = Adapter->MediaConnectState == MediaConnectStateConnected ?
			    MediaConnectStateConnected : MediaConnectStateDisconnected;
		break;
	case OID_GEN_LINK_STATE:
		NdisZeroMemory(&U.LinkState, sizeof(U.LinkState));
		U.LinkState.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
		U.LinkState.Header.Revision = NDIS_LINK_STATE_REVISION_1;
		U.LinkState.Header.Size = NDIS_SIZEOF_LINK_STATE_REVISION_1;
		U.LinkState.MediaConnectState = Adapter->MediaConnectState;
		U.LinkState.MediaDuplexState = Adapter->MediaDuplexState;
		U.LinkState.XmitLinkSpeed = Adapter->LinkSpeed;
		U.LinkState.RcvLinkSpeed = Adapter->LinkSpeed;
		U.LinkState.PauseFunctions = NdisPauseFunctionsUnsupported;
		Size = sizeof(U.LinkState);
		break;
	case OID_GEN_MAC_OPTIONS:
		U.Ulong = NDIS_MAC_OPTION_COPY_LOOKAHEAD_DATA | NDIS_MAC_OPTION_TRANSFERS_NOT_PEND |
			  NDIS_MAC_OPTION_NO_LOOPBACK;
		break;
	case OID_GEN_VENDOR_ID:
		/* The OUI of the permanent address, adapter number 0. */
		U.Ulong = (ULONG)Adapter->PermanentAddress[0] << 24 |
			  (ULONG)Adapter->PermanentAddress[1] << 16 |
			  (ULONG)Adapter->PermanentAddress[2] << 8;
		break;
	case OID_GEN_VENDOR_DESCRIPTION:
		Source = E1000_VENDOR_DESCRIPTION;
		Size = sizeof(E1000_VENDOR_DESCRIPTION);
		break;
	case OID_GEN_VENDOR_DRIVER_VERSION:
		U.Ulong = E1000_MAJOR_DRIVER_VERSION << 16 | E1000_MINOR_DRIVER_VERSION;
		break;
	case OID_GEN_DRIVER_VERSION:
		U.Ushort = NDIS_MINIPORT_MAJOR_VERSION << 8 | NDIS_MINIPORT_MINOR_VERSION;
		Size = sizeof(USHORT);
		break;
	case OID_GEN_CURRENT_PACKET_FILTER:
		U.Ulong = Adapter->PacketFilter;
		break;
	case OID_GEN_STATISTICS:
		E1000HwUpdateStatistics(Adapter);
		E1000FillStatistics(Adapter, &U.Statistics);
		Size = sizeof(U.Statistics);
		break;
	case OID_802_3_PERMANENT_ADDRESS:
		NdisMoveMemory(U.Address, Adapter->PermanentAddress, E1000_ETH_ADDRESS_LENGTH);
		Size = E1000_ETH_ADDRESS_LENGTH;
		break;
	case OID_802_3_CURRENT_ADDRESS:
		NdisMoveMemory(U.Address, Adapter->CurrentAddress, E1000_ETH_ADDRESS_LENGTH);
		Size = E1000_ETH_ADDRESS_LENGTH;
		break;
	case OID_802_3_MULTICAST_LIST:
		Size = Adapter->MulticastCount * E1000_ETH_ADDRESS_LENGTH;
		NdisMoveMemory(U.Multicast, Adapter->MulticastList, Size);
		break;
	case OID_802_3_MAXIMUM_LIST_SIZE:
		U.Ulong = E1000_MAX_MULTICAST;
		break;
	case OID_OFFLOAD_ENCAPSULATION:
		U.Encapsulation = Adapter->Encapsulation;
		Size = sizeof(U.Encapsulation);
		break;
	default:
		/* Counters: 64-bit, or the low 32 bits into a ULONG buffer. */
		if (E1000QueryCounter(Adapter, Oid, &U.Ulong64)) {
			Counter = TRUE;
			Size = sizeof(ULONG64);
		} else {
			Status = NDIS_STATUS_NOT_SUPPORTED;
		}
		break;
	}

	if (Status == NDIS_STATUS_SUCCESS) {
		if (Counter && Length >= sizeof(ULONG) && Length < sizeof(ULONG64)) {
			U.Ulong = (ULONG)U.Ulong64;
			Size = sizeof(ULONG);
		}
		if (Length < Size) {
			Request->DATA.QUERY_INFORMATION.BytesNeeded = Size;
			Request->DATA.QUERY_INFORMATION.BytesWritten = 0;
			Status = NDIS_STATUS_BUFFER_TOO_SHORT;
		} else {
			NdisMoveMemory(Buffer, Source, Size);
			Request->DATA.QUERY_INFORMATION.BytesWritten = Size;
			Request->DATA.QUERY_INFORMATION.BytesNeeded = 0;
		}
	}
	NdisReleaseSpinLock(&Adapter->Lock);
	return Status;
}

/*
 * OID_TCP_OFFLOAD_PARAMETERS: turns offloads on or off.  Asking for one
 * the device lacks (IPv6, IPsec, connection offload) fails the request.
 * Adapter->Lock held.
 */
static NDIS_STATUS
E1000SetOffloadParameters(
	_In_ PE1000_ADAPTER Adapter,
	_In_ PNDIS_OFFLOAD_PARAMETERS P)
{
#define E1000_TX_ON(_v) ((_v) == NDIS_OFFLOAD_PARAMETERS_TX_ENABLED_RX_DISABLED || \
			 (_v) == NDIS_OFFLOAD_PARAMETERS_TX_RX_ENABLED)
#define E1000_RX_ON(_v) ((_v) == NDIS_OFFLOAD_PARAMETERS_RX_ENABLED_TX_DISABLED || \
			 (_v) == NDIS_OFFLOAD_PARAMETERS_TX_RX_ENABLED)
	if (E1000_TX_ON(P->TCPIPv6Checksum) || E1000_RX_ON(P->TCPIPv6Checksum) ||
	    E1000_TX_ON(P->UDPIPv6Checksum) || E1000_RX_ON(P->UDPIPv6Checksum) ||
	    P->LsoV2IPv6 == NDIS_OFFLOAD_PARAMETERS_LSOV2_ENABLED ||
	    (P->IPsecV1 != NDIS_OFFLOAD_PARAMETERS_NO_CHANGE &&
	     P->IPsecV1 != NDIS_OFFLOAD_PARAMETERS_IPSECV1_DISABLED) ||
	    P->TcpConnectionIPv4 > NDIS_OFFLOAD_PARAMETERS_TX_RX_DISABLED ||
	    P->TcpConnectionIPv6 > NDIS_OFFLOAD_PARAMETERS_TX_RX_DISABLED)
		return NDIS_STATUS_INVALID_PARAMETER;

	if (P->IPv4Checksum != NDIS_OFFLOAD_PARAMETERS_NO_CHANGE) {
		Adapter->TxIpChecksum = E1000_TX_ON(P->IPv4Checksum);
		Adapter->RxIpChecksum = E1000_RX_ON(P->IPv4Checksum);
	}
	if (P->TCPIPv4Checksum != NDIS_OFFLOAD_PARAMETERS_NO_CHANGE) {
		Adapter->TxTcpChecksum = E1000_TX_ON(P->TCPIPv4Checksum);
		Adapter->RxTcpChecksum = E1000_RX_ON(P->TCPIPv4Checksum);
	}
	if (P->UDPIPv4Checksum != NDIS_OFFLOAD_PARAMETERS_NO_CHANGE) {
		Adapter->TxUdpChecksum = E1000_TX_ON(P->UDPIPv4Checksum);
		Adapter->RxUdpChecksum = E1000_RX_ON(P->UDPIPv4Checksum);
	}
	if (P->LsoV1 != NDIS_OFFLOAD_PARAMETERS_NO_CHANGE)
		Adapter->LsoV1 = P->LsoV1 == NDIS_OFFLOAD_PARAMETERS_LSOV1_ENABLED;
	if (P->LsoV2IPv4 != NDIS_OFFLOAD_PARAMETERS_NO_CHANGE)
		Adapter->LsoV2 = P->LsoV2IPv4 == NDIS_OFFLOAD_PARAMETERS_LSOV2_ENABLED;
#undef E1000_TX_ON
#undef E1000_RX_ON
	if (!Adapter->SurpriseRemoved)
		E1000HwProgramRxChecksum(Adapter);
	return NDIS_STATUS_SUCCESS;
}

static NDIS_STATUS
E1000SetInformation(
	_In_ PE1000_ADAPTER Adapter,
	_Inout_ PNDIS_OID_REQUEST Request)
{
	NDIS_OID Oid = Request->DATA.SET_INFORMATION.Oid;
	PVOID Buffer = Request->DATA.SET_INFORMATION.InformationBuffer;
	ULONG Length = Request->DATA.SET_INFORMATION.InformationBufferLength;
	NDIS_STATUS Status = NDIS_STATUS_SUCCESS;
	BOOLEAN OffloadChanged = FALSE, Indicate = FALSE, SetIndicate = FALSE;
	ULONG Needed = 0, Filter;

	NdisAcquireSpinLock(&Adapter->Lock);
	switch (Oid) {
	case OID_GEN_CURRENT_PACKET_FILTER:
		Needed = sizeof(ULONG);
		if (Length < Needed) {
			Status = NDIS_STATUS_INVALID_LENGTH;
			break;
		}
		NdisMoveMemory(&Filter, Buffer, sizeof(Filter));
		if (Filter & ~E1000_SUPPORTED_FILTERS) {
			Status = NDIS_STATUS_NOT_SUPPORTED;
			break;
		}
		Adapter->PacketFilter = Filter;
		if (!Adapter->SurpriseRemoved) {
			E1000HwProgramFilter(Adapter);
			E1000HwProgramMulticast(Adapter);
		}
		/* No filter: nothing goes up, even directed frames. */
		SetIndicate = TRUE;
		Indicate = Adapter->State == E1000StateRunning && Filter != 0;
		break;

	case OID_GEN_CURRENT_LOOKAHEAD:
		Needed = sizeof(ULONG);
		if (Length < Needed) {
			Status = NDIS_STATUS_INVALID_LENGTH;
			break;
		}
		NdisMoveMemory(&Filter, Buffer, sizeof(Filter));
		if (Filter > E1000_MTU)
			Status = NDIS_STATUS_INVALID_DATA;
		else
			Adapter->LookAhead = Filter;	/* whole frames are indicated anyway */
		break;

	case OID_802_3_MULTICAST_LIST:
		Needed = Length;
		if (Length % E1000_ETH_ADDRESS_LENGTH) {
			Status = NDIS_STATUS_INVALID_LENGTH;
			break;
		}
		if (Length / E1000_ETH_ADDRESS_LENGTH > E1000_MAX_MULTICAST) {
			Status = NDIS_STATUS_MULTICAST_FULL;
			break;
		}
		Adapter->MulticastCount = Length / E1000_ETH_ADDRESS_LENGTH;
		NdisMoveMemory(Adapter->MulticastList, Buffer, Length);
		if (!Adapter->SurpriseRemoved)
			E1000HwProgramMulticast(Adapter);
		break;

	case OID_TCP_OFFLOAD_PARAMETERS:
		Needed = NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_1;
		if (Length < Needed) {
			Status = NDIS_STATUS_INVALID_LENGTH;
			break;
		}
		Status = E1000SetOffloadParameters(Adapter, (PNDIS_OFFLOAD_PARAMETERS)Buffer);
		OffloadChanged = Status == NDIS_STATUS_SUCCESS;
		Needed = Length;
		break;

	case OID_OFFLOAD_ENCAPSULATION: {
		PNDIS_OFFLOAD_ENCAPSULATION E = (PNDIS_OFFLOAD_ENCAPSULATION)Buffer;

		Needed = NDIS_SIZEOF_OFFLOAD_ENCAPSULATION_REVISION_1;
		if (Length < Needed) {
			Status = NDIS_STATUS_INVALID_LENGTH;
			break;
		}
		if (E->Header.Type != NDIS_OBJECT_TYPE_OFFLOAD_ENCAPSULATION ||
		    E->Header.Revision < NDIS_OFFLOAD_ENCAPSULATION_REVISION_1 ||
		    E->Header.Size < NDIS_SIZEOF_OFFLOAD_ENCAPSULATION_REVISION_1) {
			Status = NDIS_STATUS_INVALID_PARAMETER;
			break;
		}
		/* Offloads work on Ethernet frames only. */
		if ((E->IPv4.Enabled == NDIS_OFFLOAD_SET_ON &&
		     E->IPv4.EncapsulationType != NDIS_ENCAPSULATION_IEEE_802_3) ||
		    (E->IPv6.Enabled == NDIS_OFFLOAD_SET_ON &&
		     E->IPv6.EncapsulationType != NDIS_ENCAPSULATION_IEEE_802_3)) {
			Status = NDIS_STATUS_NOT_SUPPORTED;
			break;
		}
		NdisMoveMemory(&Adapter->Encapsulation, E, sizeof(*E));
		break;
	}

	default:
		Status = NDIS_STATUS_NOT_SUPPORTED;
		break;
	}
	NdisReleaseSpinLock(&Adapter->Lock);

	if (Status == NDIS_STATUS_SUCCESS) {
		Request->DATA.SET_INFORMATION.BytesRead = Needed;
	} else if (Status == NDIS_STATUS_INVALID_LENGTH) {
		Request->DATA.SET_INFORMATION.BytesNeeded = Needed;
	}

	if (SetIndicate)
		E1000RxSetIndicate(Adapter, Indicate);
	if (OffloadChanged) {
		/* The protocols must learn the new configuration from an indication. */
		NDIS_OFFLOAD Current;

		NdisAcquireSpinLock(&Adapter->Lock);
		E1000FillOffload(Adapter, FALSE, &Current);
		NdisReleaseSpinLock(&Adapter->Lock);
		E1000IndicateStatus(Adapter, NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG,
				    &Current, sizeof(Current));
	}
	return Status;
}

/* Every request completes before this returns: never NDIS_STATUS_PENDING. */
NDIS_STATUS
MiniportOidRequest(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ PNDIS_OID_REQUEST OidRequest)
{
	PE1000_ADAPTER Adapter = (PE1000_ADAPTER)MiniportAdapterContext;

	switch (OidRequest->RequestType) {
	case NdisRequestQueryInformation:
	case NdisRequestQueryStatistics:
		return E1000QueryInformation(Adapter, OidRequest);
	case NdisRequestSetInformation:
		return E1000SetInformation(Adapter, OidRequest);
	default:
		return NDIS_STATUS_NOT_SUPPORTED;
	}
}

/* Nothing to cancel: no request is ever pending. */
VOID
MiniportCancelOidRequest(
	_In_ NDIS_HANDLE MiniportAdapterContext,
	_In_ PVOID RequestId)
{
	UNREFERENCED_PARAMETER(MiniportAdapterContext);
	UNREFERENCED_PARAMETER(RequestId);
}
