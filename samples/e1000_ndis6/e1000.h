/* SPDX-License-Identifier: GPL-2.0 */
/*++

Module Name:

    e1000.h

Abstract:

    The adapter context of the e1000 NDIS 6.30 miniport and what its
    source files (miniport.c, hw.c, send.c, recv.c) share.  Windows types
    only: the Linux glue (e1000_linux.c) does not include this file.

Environment:

    Kernel mode.  Built against ndis-shim's ndis.h.

--*/

#ifndef _E1000_H_
#define _E1000_H_

#include "e1000_hw.h"

#define E1000_POOL_TAG              '01eN'
#define E1000_DRIVER_NAME           "e1000_ndis6"
#define E1000_MAJOR_DRIVER_VERSION  1
#define E1000_MINOR_DRIVER_VERSION  0
#define E1000_VENDOR_DESCRIPTION    "Intel 82540EM Gigabit Ethernet (NDIS 6.30 sample)"

/* ---- Frame sizes ---- */
#define E1000_ETH_ADDRESS_LENGTH    6
#define E1000_ETH_HEADER_SIZE       14
#define E1000_MTU                   1500
#define E1000_MAX_FRAME_SIZE        (E1000_ETH_HEADER_SIZE + E1000_MTU)	/* no FCS */
#define E1000_LINK_SPEED_1000       1000000000ULL	/* bits per second */

/* ---- Rings ----
 * 256 descriptors each way: 4 KiB of shared memory per ring, enough to
 * keep the device busy through one interrupt interval at the throttle
 * rate below (8000 interrupts/s x 32 frames > 1 Gb/s of full frames). */
#define E1000_TX_RING_SIZE          256
#define E1000_RX_RING_SIZE          256

/*
 * Transmit control blocks: one per NET_BUFFER in flight.  Each uses at
 * least one descriptor, so more than the ring could hold would only wait;
 * 128 leaves room for context descriptors and multi-element buffers.
 */
#define E1000_TCB_COUNT             128

/* A TSO NET_BUFFER may be this large (headers included): NDIS maps at
 * most MaximumPhysicalMapping bytes per NET_BUFFER. */
#define E1000_MAX_PHYSICAL_MAPPING  (64 * 1024)
/* LSO payload limit reported to NDIS: leaves room for the largest
 * Ethernet/IPv4/TCP headers (14 + 4 + 60 + 60) within the mapping. */
#define E1000_LSO_MAX_OFFLOAD_SIZE  64000
#define E1000_LSO_MIN_SEGMENT_COUNT 2

/*
 * Longest buffer one transmit descriptor is given.  The data descriptor's
 * length field has 20 bits, the legacy one 16; an element longer than
 * this (the IOMMU can merge pages) is split, which also bounds how many
 * descriptors a NET_BUFFER can need.
 */
#define E1000_TX_MAX_BYTES_PER_DESC 8192

/* Room for the headers the send path reads to build a context descriptor:
 * Ethernet + 802.1Q + IPv4 with options + TCP with options. */
#define E1000_MAX_OFFLOAD_HEADERS   (14 + 4 + 60 + 60)

/*
 * Receive buffers: RCTL.BSIZE 2048 holds a full 1514-byte frame (plus a
 * VLAN tag), so every frame is one descriptor.  Two buffers share a page
 * of shared memory.  There are twice as many buffers as ring slots so
 * that the ring stays full while up to a ring's worth of frames is still
 * with the protocols.
 */
#define E1000_RX_BUFFER_SIZE        2048
#define E1000_RX_BLOCK_SIZE         4096
#define E1000_RX_BUFFERS_PER_BLOCK  (E1000_RX_BLOCK_SIZE / E1000_RX_BUFFER_SIZE)
#define E1000_RX_BUFFER_COUNT       (2 * E1000_RX_RING_SIZE)
#define E1000_RX_BLOCK_COUNT        (E1000_RX_BUFFER_COUNT / E1000_RX_BUFFERS_PER_BLOCK)
/* Fewer free buffers than this after refilling: indicate with
 * NDIS_RECEIVE_FLAGS_RESOURCES, so the frames come straight back. */
#define E1000_RX_LOW_WATER          32
/* Most frames indicated in one NdisMIndicateReceiveNetBufferLists call. */
#define E1000_RX_INDICATE_BATCH     64

#define E1000_MAX_MULTICAST         128

/*
 * Interrupt moderation.  The ITR register holds the minimum interval
 * between interrupts in 256 ns units.  Linux's e1000 driver starts its
 * default "dynamic conservative" mode at 20000 interrupts/s
 * (10^9 / (20000 * 256) = 195) and never goes above that rate; this
 * driver programs the same starting value, statically.  QEMU raises any
 * interval below 500 (128 us) to 500, the 8254x's documented ceiling of
 * 7813 interrupts/s, so on QEMU both drivers interrupt at most ~7800
 * times a second.  The "InterruptThrottleRate" keyword (interrupts/s,
 * 0 = off) overrides it.
 */
#define E1000_DEFAULT_INTERRUPT_RATE 20000
#define E1000_ITR_FROM_RATE(_Rate) \
	((_Rate) ? (ULONG)(1000000000ULL / ((ULONG64)(_Rate) * E1000_ITR_UNIT_NS)) : 0)

/* NDIS calls MiniportCheckForHangEx this often. */
#define E1000_CHECK_FOR_HANG_SECONDS 2
/* Checks in a row with sends outstanding and no progress = hung. */
#define E1000_HANG_CHECKS            2

#define E1000_SUPPORTED_FILTERS \
	(NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_MULTICAST | \
	 NDIS_PACKET_TYPE_ALL_MULTICAST | NDIS_PACKET_TYPE_BROADCAST | \
	 NDIS_PACKET_TYPE_PROMISCUOUS)

typedef enum _E1000_ADAPTER_STATE {
	E1000StateInitializing,
	E1000StatePaused,
	E1000StateRunning,
	E1000StatePausing,
	E1000StateHalted,
} E1000_ADAPTER_STATE;

/* What the send path learned about a frame's headers, for the context
 * descriptor (all offsets from the start of the frame). */
typedef struct _E1000_TX_OFFLOAD {
	BOOLEAN Needed;		/* a context + data descriptors, not legacy */
	BOOLEAN Tso;
	BOOLEAN LsoV1;		/* report TcpPayload at completion */
	UCHAR IpStart;		/* IPCSS */
	UCHAR L4Start;		/* TUCSS */
	UCHAR L4ChecksumOffset;	/* TUCSO */
	USHORT IpEnd;		/* IPCSE (inclusive) */
	UCHAR HeaderLength;	/* TSO: headers repeated in each segment */
	USHORT Mss;
	ULONG PayloadLength;	/* TSO: PAYLEN */
	ULONG TucmdAndPopts;	/* context TUCMD bits | data POPTS bits */
} E1000_TX_OFFLOAD, *PE1000_TX_OFFLOAD;

/* Transmit control block: one NET_BUFFER between SG mapping and completion. */
typedef struct _E1000_TCB {
	struct _E1000_TCB *Next;	/* free list, or busy list in ring order */
	struct _E1000_ADAPTER *Adapter;
	PNET_BUFFER NetBuffer;
	PNET_BUFFER_LIST NetBufferList;
	PSCATTER_GATHER_LIST SgList;	/* from MiniportProcessSGList */
	PVOID SgBuffer;			/* preallocated storage NDIS may build the list in */
	ULONG DescReserved;		/* worst case, reserved before mapping */
	ULONG DescUsed;
	ULONG LastDesc;			/* the descriptor with RS: its DD completes the TCB */
	ULONG Bytes;
	UCHAR Cast;			/* E1000_CAST_* of the destination */
	E1000_TX_OFFLOAD Offload;
} E1000_TCB, *PE1000_TCB;

#define E1000_CAST_UNICAST   0
#define E1000_CAST_MULTICAST 1
#define E1000_CAST_BROADCAST 2

/* Receive control block: one receive buffer and the NBL that describes it. */
typedef struct _E1000_RCB {
	struct _E1000_RCB *Next;	/* free list */
	PUCHAR VirtualAddress;
	NDIS_PHYSICAL_ADDRESS PhysicalAddress;
	PMDL Mdl;
	PNET_BUFFER_LIST NetBufferList;
} E1000_RCB, *PE1000_RCB;

typedef struct _E1000_SHARED_BLOCK {
	PVOID VirtualAddress;
	NDIS_PHYSICAL_ADDRESS PhysicalAddress;
	ULONG Length;
	BOOLEAN Cached;
} E1000_SHARED_BLOCK, *PE1000_SHARED_BLOCK;

/* The device's statistics registers, accumulated (they clear on read). */
typedef struct _E1000_HW_STATS {
	ULONG64 Crcerrs, Algnerrc, Symerrs, Rxerrc, Mpc, Scc, Ecol, Mcc;
	ULONG64 Latecol, Colc, Dc, Tncrs, Rlec, Rnbc, Ruc, Rfc, Roc, Rjc;
	ULONG64 Gprc, Bprc, Mprc, Gptc, Bptc, Mptc, Gorc, Gotc, Tpr, Tpt;
	ULONG64 Tsctc;
} E1000_HW_STATS, *PE1000_HW_STATS;

/* What the driver counts itself: octets by destination type, and frames
 * it dropped before or after the device. */
typedef struct _E1000_SW_STATS {
	ULONG64 RxOctets[3], TxOctets[3];	/* by E1000_CAST_* */
	ULONG64 RxFrames, TxFrames;
	ULONG64 RxDiscards;	/* indicated nowhere: paused, filtered, bad frame */
	ULONG64 RxErrors;	/* descriptor error bits */
	ULONG64 TxDiscards;	/* failed before the device: mapping, bad headers */
	ULONG64 TxErrors;
} E1000_SW_STATS, *PE1000_SW_STATS;

typedef struct _E1000_ADAPTER {
	NDIS_HANDLE MiniportAdapterHandle;
	NDIS_HANDLE InterruptHandle;
	NDIS_HANDLE SgDmaHandle;
	NDIS_HANDLE RxNblPool;
	NDIS_HANDLE ResetWorkItem;
	ULONG ScatterGatherListSize;

	PUCHAR RegisterBase;			/* NdisMMapIoSpace of BAR0 */
	ULONG RegisterLength;
	NDIS_PHYSICAL_ADDRESS RegisterPhysical;

	/*
	 * Lock: adapter state, packet filter, multicast list, offload
	 * configuration, link state, statistics, RCTL.  Taken before TxLock
	 * or RxLock when more than one is held; never taken by the ISR.
	 */
	NDIS_SPIN_LOCK Lock;
	E1000_ADAPTER_STATE State;
	BOOLEAN PausePending;		/* MiniportPause returned PENDING */
	BOOLEAN SurpriseRemoved;
	BOOLEAN HardwareFailed;		/* registers read all ones */
	ULONG Rctl;			/* RCTL as last written */
	ULONG PacketFilter;
	ULONG LookAhead;
	ULONG MulticastCount;
	UCHAR MulticastList[E1000_MAX_MULTICAST][E1000_ETH_ADDRESS_LENGTH];
	UCHAR PermanentAddress[E1000_ETH_ADDRESS_LENGTH];
	UCHAR CurrentAddress[E1000_ETH_ADDRESS_LENGTH];
	ULONG InterruptRate;		/* per second; 0 = no throttling */

	NDIS_MEDIA_CONNECT_STATE MediaConnectState;
	NDIS_MEDIA_DUPLEX_STATE MediaDuplexState;
	ULONG64 LinkSpeed;

	/* Offloads in force (OID_TCP_OFFLOAD_PARAMETERS). */
	BOOLEAN TxIpChecksum, TxTcpChecksum, TxUdpChecksum;
	BOOLEAN RxIpChecksum, RxTcpChecksum, RxUdpChecksum;
	BOOLEAN LsoV1, LsoV2;
	NDIS_OFFLOAD_ENCAPSULATION Encapsulation;

	E1000_HW_STATS HwStats;

	/* Interrupt handoff: causes the ISR read for the DPC. */
	volatile LONG PendingIcr;
	/* Reset/halt fence: the DPC does nothing while set, and DpcActive
	 * tells when the last DPC left. */
	volatile LONG ResetInProgress;
	volatile LONG DpcActive;
	/* NBs and NBLs the adapter holds, for Pause. */
	volatile LONG SendsOutstanding;	/* NBLs accepted, not completed */
	volatile LONG RxOutstanding;	/* NBLs indicated, not returned */

	/* ---- Transmit: everything below under TxLock ---- */
	NDIS_SPIN_LOCK TxLock;
	NDIS_STATUS TxRejectStatus;	/* SUCCESS while sends are accepted */
	E1000_SHARED_BLOCK TxRingBlock;
	PE1000_TX_DESC TxRing;
	ULONG TxNextToUse;		/* = TDT */
	ULONG TxDescInUse;		/* written, not yet cleaned */
	ULONG TxDescReserved;		/* reserved for TCBs being mapped */
	PE1000_TCB TcbArray;
	PUCHAR SgBufferArray;
	PE1000_TCB TcbFree;
	PE1000_TCB TcbBusyHead, TcbBusyTail;
	ULONG TcbsMapping;		/* NdisMAllocateNetBufferSGList called, ProcessSGList not yet */
	BOOLEAN TxPumpActive;		/* one pump at a time keeps the order */
	BOOLEAN TxTailDirty;		/* TDT to write when the pump finishes */
	PNET_BUFFER TxWaitHead, TxWaitTail;	/* linked through MiniportReserved[0] */
	/* The context the device holds (it keeps the last one written). */
	BOOLEAN TxContextValid;
	ULONG TxContextIp, TxContextTcp, TxContextCmd;
	/* Hang detection (CheckForHang). */
	ULONG TxCompletions;
	ULONG TxCompletionsAtLastCheck;
	ULONG TxHangChecks;
	E1000_SW_STATS Sw;		/* Tx members under TxLock, Rx under RxLock */

	/* ---- Receive: everything below under RxLock ---- */
	NDIS_SPIN_LOCK RxLock;
	E1000_SHARED_BLOCK RxRingBlock;
	PE1000_RX_DESC RxRing;
	PE1000_RCB RxSlot[E1000_RX_RING_SIZE];	/* the buffer posted at each descriptor */
	ULONG RxNextToClean;
	ULONG RxNextToFill;		/* = RDT */
	ULONG RxPosted;
	PE1000_RCB RcbArray;
	PE1000_RCB RcbFree;
	ULONG RcbFreeCount;
	BOOLEAN RxDiscardToEop;		/* in the middle of a frame being dropped */
	BOOLEAN RxIndicate;		/* Running with a packet filter: frames go up */
	E1000_SHARED_BLOCK RxBlocks[E1000_RX_BLOCK_COUNT];
} E1000_ADAPTER, *PE1000_ADAPTER;

/* Register access. */
#define E1000_READ(_A, _Reg, _PValue) \
	NdisReadRegisterUlong((PULONG)((_A)->RegisterBase + (_Reg)), (_PValue))
#define E1000_WRITE(_A, _Reg, _Value) \
	NdisWriteRegisterUlong((PULONG)((_A)->RegisterBase + (_Reg)), (_Value))

/* ---- hw.c ---- */
BOOLEAN E1000HwIsPresent(_In_ PE1000_ADAPTER Adapter);
NDIS_STATUS E1000HwReset(_In_ PE1000_ADAPTER Adapter);
VOID E1000HwStop(_In_ PE1000_ADAPTER Adapter);
NDIS_STATUS E1000HwReadMacAddress(_In_ PE1000_ADAPTER Adapter,
				  _Out_writes_(E1000_ETH_ADDRESS_LENGTH) PUCHAR Address);
VOID E1000HwInitialize(_In_ PE1000_ADAPTER Adapter);
VOID E1000HwSetReceiveAddress(_In_ PE1000_ADAPTER Adapter);
VOID E1000HwProgramFilter(_In_ PE1000_ADAPTER Adapter);
VOID E1000HwProgramMulticast(_In_ PE1000_ADAPTER Adapter);
VOID E1000HwProgramRxChecksum(_In_ PE1000_ADAPTER Adapter);
VOID E1000HwEnableInterrupts(_In_ PE1000_ADAPTER Adapter);
VOID E1000HwDisableInterrupts(_In_ PE1000_ADAPTER Adapter);
VOID E1000HwReadLinkState(_In_ PE1000_ADAPTER Adapter,
			  _Out_ PNDIS_MEDIA_CONNECT_STATE Connect,
			  _Out_ PNDIS_MEDIA_DUPLEX_STATE Duplex,
			  _Out_ PULONG64 Speed);
VOID E1000HwUpdateStatistics(_In_ PE1000_ADAPTER Adapter);

/* ---- send.c ---- */
NDIS_STATUS E1000TxAllocate(_In_ PE1000_ADAPTER Adapter);
VOID E1000TxFree(_In_ PE1000_ADAPTER Adapter);
VOID E1000TxInitRing(_In_ PE1000_ADAPTER Adapter);
VOID E1000TxComplete(_In_ PE1000_ADAPTER Adapter);
VOID E1000TxBlock(_In_ PE1000_ADAPTER Adapter, _In_ NDIS_STATUS Status,
		  _In_ BOOLEAN AtDispatch);
VOID E1000TxUnblock(_In_ PE1000_ADAPTER Adapter);
BOOLEAN E1000TxWaitForMappings(_In_ PE1000_ADAPTER Adapter);
VOID E1000TxReclaimAll(_In_ PE1000_ADAPTER Adapter, _In_ NDIS_STATUS Status,
		       _In_ BOOLEAN AtDispatch);
BOOLEAN E1000TxIsHung(_In_ PE1000_ADAPTER Adapter);
MINIPORT_PROCESS_SG_LIST E1000ProcessSGList;

/* ---- recv.c ---- */
NDIS_STATUS E1000RxAllocate(_In_ PE1000_ADAPTER Adapter);
VOID E1000RxFree(_In_ PE1000_ADAPTER Adapter);
VOID E1000RxInitRing(_In_ PE1000_ADAPTER Adapter);
VOID E1000RxSetIndicate(_In_ PE1000_ADAPTER Adapter, _In_ BOOLEAN Indicate);
VOID E1000RxWriteTail(_In_ PE1000_ADAPTER Adapter);
BOOLEAN E1000RxProcess(_In_ PE1000_ADAPTER Adapter, _In_ ULONG MaxNbls);

/* ---- miniport.c ---- */
VOID E1000CheckPauseComplete(_In_ PE1000_ADAPTER Adapter);
NDIS_STATUS E1000AllocateSharedBlock(_In_ PE1000_ADAPTER Adapter, _In_ ULONG Length,
				     _In_ BOOLEAN Cached,
				     _Out_ PE1000_SHARED_BLOCK Block);
VOID E1000FreeSharedBlock(_In_ PE1000_ADAPTER Adapter,
			  _Inout_ PE1000_SHARED_BLOCK Block);

#endif /* _E1000_H_ */
