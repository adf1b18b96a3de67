/* SPDX-License-Identifier: GPL-2.0 */
/*++

Module Name:

    pcnet.h

Abstract:

    The adapter context of the NDIS 5.1 PCnet-PCI II miniport and the
    functions its source files share.

    Two builds of the same source do transmit DMA the two ways NDIS 5 bus
    masters do: by default through the scatter-gather list NDIS puts in
    each packet's per-packet information (NdisMInitializeScatterGatherDma);
    with PCNET_USE_MAP_REGISTERS defined, through map registers
    (NdisMAllocateMapRegisters) and NdisMStartBufferPhysicalMapping.

--*/

#ifndef _PCNET_H_
#define _PCNET_H_

#include "pcnet_hw.h"

#define PCNET_POOL_TAG          'tNcP'
#define PCNET_DRIVER_VERSION    0x0501  /* OID_GEN_DRIVER_VERSION: NDIS 5.1 */
#define PCNET_VENDOR_DRIVER_VERSION 0x00010000
#define PCNET_LINK_SPEED        100000  /* 10 Mbit/s, in 100 bit/s units */
#define PCNET_MAX_MULTICAST     32
#define PCNET_MAX_TX_FRAGMENTS  8       /* more: the frame is copied */
#define PCNET_MAX_SEND_PACKETS  PCNET_TX_RING_SIZE
/* CheckForHang calls (2 s each) a transmit may wait before a reset. */
#define PCNET_TX_HANG_CHECKS    3

#define PCNET_SUPPORTED_FILTERS (NDIS_PACKET_TYPE_DIRECTED |		\
				 NDIS_PACKET_TYPE_MULTICAST |		\
				 NDIS_PACKET_TYPE_ALL_MULTICAST |	\
				 NDIS_PACKET_TYPE_BROADCAST |		\
				 NDIS_PACKET_TYPE_PROMISCUOUS)

/*
 * The shared memory block: the initialization block, then the descriptor
 * rings (16-byte aligned), then the receive buffers and the transmit copy
 * buffers.  One NdisMAllocateSharedMemory allocation.
 */
typedef struct _PCNET_SHARED {
	PCNET_RX_DESCRIPTOR RxRing[PCNET_RX_RING_SIZE];
	PCNET_TX_DESCRIPTOR TxRing[PCNET_TX_RING_SIZE];
	PCNET_INIT_BLOCK InitBlock;
	UCHAR Pad[PCNET_DESCRIPTOR_ALIGNMENT - sizeof(PCNET_INIT_BLOCK) %
		  PCNET_DESCRIPTOR_ALIGNMENT];
	UCHAR RxBuffers[PCNET_RX_RING_SIZE][PCNET_RX_BUFFER_SIZE];
	UCHAR TxBuffers[PCNET_TX_RING_SIZE][PCNET_TX_BUFFER_SIZE];
} PCNET_SHARED, *PPCNET_SHARED;

/* What a transmit descriptor carries besides the hardware's fields. */
typedef struct _PCNET_TX_SLOT {
	PNDIS_PACKET Packet;            /* on the frame's last descriptor */
	PNDIS_BUFFER MappedBuffer;      /* map-register build: a buffer mapped
					 * with this descriptor's map register */
} PCNET_TX_SLOT, *PPCNET_TX_SLOT;

typedef struct _PCNET_ADAPTER {
	NDIS_HANDLE MiniportAdapterHandle;

	/* I/O ports (NdisMRegisterIoPortRange) */
	ULONG IoBase;                   /* the BAR's first port */
	ULONG IoLength;
	PUCHAR PortOffset;              /* what NdisRaw* take */
	BOOLEAN PortsRegistered;

	/* Interrupt */
	NDIS_MINIPORT_INTERRUPT Interrupt;
	ULONG InterruptVector;
	ULONG InterruptLevel;
	BOOLEAN InterruptRegistered;
	USHORT IsrCsr0;                 /* CSR0 bits the ISR acknowledged, taken
					 * by the DPC under the interrupt's lock */

	/* DMA */
	BOOLEAN DmaInitialized;         /* SG DMA or map registers */
	PPCNET_SHARED Shared;
	NDIS_PHYSICAL_ADDRESS SharedPhysical;
	ULONG SharedPhysicalLow;        /* the controller's 32-bit view */

	/* Receive ring: the next descriptor the controller hands back. */
	ULONG RxNext;

	/* Transmit ring: descriptors from TxHead (oldest in flight) to
	 * TxTail (next free); TxFree of them are free. */
	PCNET_TX_SLOT TxSlot[PCNET_TX_RING_SIZE];
	ULONG TxHead;
	ULONG TxTail;
	ULONG TxFree;
	ULONG TxHangChecks;             /* CheckForHang calls without progress */
	BOOLEAN TxProgress;
	BOOLEAN SendResourcesNeeded;    /* a send was refused for want of room */

	/* Station addresses */
	UCHAR PermanentAddress[PCNET_ETH_ADDRESS_LENGTH];
	UCHAR CurrentAddress[PCNET_ETH_ADDRESS_LENGTH];

	/* Receive filter */
	ULONG PacketFilter;
	ULONG MulticastCount;
	UCHAR MulticastList[PCNET_MAX_MULTICAST][PCNET_ETH_ADDRESS_LENGTH];
	USHORT Mode;                    /* CSR15 as programmed */
	UCHAR LogicalAddressFilter[8];  /* LADRF as programmed */
	ULONG CurrentLookahead;

	NDIS_MEDIA_STATE MediaState;
	BOOLEAN DeviceLost;             /* CSR0 read all ones (CheckForHang):
					 * sends fail until a reset finds it */

	/* Statistics */
	ULONG64 XmitOk;
	ULONG64 RcvOk;
	ULONG XmitError;
	ULONG RcvError;
	ULONG RcvNoBuffer;
	ULONG RcvAlignmentError;
	ULONG XmitOneCollision;
	ULONG XmitMoreCollisions;
} PCNET_ADAPTER, *PPCNET_ADAPTER;

/* hw.c: the controller (PASSIVE_LEVEL or under the interrupt's lock as
 * each says) */
USHORT PcnetReadCsr(_In_ PPCNET_ADAPTER Adapter, _In_ ULONG Csr);
VOID PcnetWriteCsr(_In_ PPCNET_ADAPTER Adapter, _In_ ULONG Csr, _In_ USHORT Value);
USHORT PcnetReadBcr(_In_ PPCNET_ADAPTER Adapter, _In_ ULONG Bcr);
VOID PcnetWriteBcr(_In_ PPCNET_ADAPTER Adapter, _In_ ULONG Bcr, _In_ USHORT Value);
VOID PcnetReadStationAddress(_In_ PPCNET_ADAPTER Adapter);
VOID PcnetResetToWio(_In_ PPCNET_ADAPTER Adapter);
NDIS_STATUS PcnetResetController(_In_ PPCNET_ADAPTER Adapter);
VOID PcnetInitializeRings(_In_ PPCNET_ADAPTER Adapter);
NDIS_STATUS PcnetStartController(_In_ PPCNET_ADAPTER Adapter);
VOID PcnetStopController(_In_ PPCNET_ADAPTER Adapter);
VOID PcnetComputeFilter(_In_ PPCNET_ADAPTER Adapter, _Out_ PUSHORT Mode,
			_Out_writes_(8) PUCHAR Ladrf);
BOOLEAN PcnetSyncApplyFilter(_In_ PVOID SynchronizeContext);
BOOLEAN PcnetSyncReadLink(_In_ PVOID SynchronizeContext);
BOOLEAN PcnetSyncRestart(_In_ PVOID SynchronizeContext);
VOID PcnetTriggerTransmit(_In_ PPCNET_ADAPTER Adapter);

/* send.c */
NDIS_STATUS PcnetInitializeSendDma(_In_ PPCNET_ADAPTER Adapter);
VOID PcnetFreeSendDma(_In_ PPCNET_ADAPTER Adapter);
VOID PcnetSendCompleteAll(_In_ PPCNET_ADAPTER Adapter, _In_ BOOLEAN Abort);
VOID MiniportSendPackets(_In_ NDIS_HANDLE MiniportAdapterContext,
			 _In_ PPNDIS_PACKET PacketArray, _In_ UINT NumberOfPackets);

/* recv.c */
VOID PcnetReceive(_In_ PPCNET_ADAPTER Adapter);
NDIS_STATUS MiniportTransferData(_Out_ PNDIS_PACKET Packet,
				 _Out_ PUINT BytesTransferred,
				 _In_ NDIS_HANDLE MiniportAdapterContext,
				 _In_ NDIS_HANDLE MiniportReceiveContext,
				 _In_ UINT ByteOffset,
				 _In_ UINT BytesToTransfer);

/* oid.c */
NDIS_STATUS MiniportQueryInformation(_In_ NDIS_HANDLE MiniportAdapterContext,
				     _In_ NDIS_OID Oid,
				     _In_ PVOID InformationBuffer,
				     _In_ ULONG InformationBufferLength,
				     _Out_ PULONG BytesWritten,
				     _Out_ PULONG BytesNeeded);
NDIS_STATUS MiniportSetInformation(_In_ NDIS_HANDLE MiniportAdapterContext,
				   _In_ NDIS_OID Oid,
				   _In_ PVOID InformationBuffer,
				   _In_ ULONG InformationBufferLength,
				   _Out_ PULONG BytesRead,
				   _Out_ PULONG BytesNeeded);
VOID PcnetApplyFilter(_In_ PPCNET_ADAPTER Adapter);

#endif /* _PCNET_H_ */
