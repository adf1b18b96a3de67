// SPDX-License-Identifier: GPL-2.0
/*++

Module Name:

    hw.c

Abstract:

    The 82540EM's registers: reset, MAC address (receive address 0, else
    the EEPROM through EERD), link state from STATUS, receive filtering
    (RCTL and the multicast table), interrupt mask and throttling, and
    the statistics registers.  Sequences follow the 8254x SDM, chapter 14
    ("General Initialization and Reset Operation").

    Nothing here takes a lock: callers serialize (initialize, halt and
    the reset work item run alone; filter changes hold Adapter->Lock).

Environment:

    Kernel mode.  Built against ndis-shim's ndis.h.

--*/

#define NDIS_MINIPORT_DRIVER
#define NDIS630_MINIPORT

#include <ndis.h>
#include "e1000.h"

/*
 * A device gone from the bus reads all ones.  One whose memory decode was
 * turned off may not: the bus may answer with zeros instead (QEMU's does),
 * so the PCI command register is asked too.  Any IRQL: a configuration
 * read does not wait.
 */
BOOLEAN
E1000HwIsPresent(
	_In_ PE1000_ADAPTER Adapter)
{
	ULONG Status;
	USHORT Command;

	E1000_READ(Adapter, E1000_STATUS, &Status);
	if (Status == 0xFFFFFFFF)
		return FALSE;
	if (NdisMGetBusData(Adapter->MiniportAdapterHandle, PCI_WHICHSPACE_CONFIG,
			    E1000_PCI_COMMAND, &Command, sizeof(Command)) != sizeof(Command))
		return FALSE;
	return Command != 0xFFFF && (Command & E1000_PCI_COMMAND_MEMORY) != 0;
}

/*
 * Stops the device's DMA and interrupts without waiting: what shutdown
 * (any IRQL) and the start of a reset need.
 */
VOID
E1000HwStop(
	_In_ PE1000_ADAPTER Adapter)
{
	ULONG Status;

	E1000_WRITE(Adapter, E1000_IMC, 0xFFFFFFFF);
	E1000_WRITE(Adapter, E1000_RCTL, 0);
	E1000_WRITE(Adapter, E1000_TCTL, E1000_TCTL_PSP);
	/* Posted writes reach the device before anything that follows. */
	E1000_READ(Adapter, E1000_STATUS, &Status);
	UNREFERENCED_PARAMETER(Status);
}

/*
 * Global reset (SDM 14.3 / CTRL.RST): receiver and transmitter are
 * stopped first and given time to finish the DMA under way, then the
 * device is reset and its interrupts masked and cleared.  PASSIVE_LEVEL.
 */
NDIS_STATUS
E1000HwReset(
	_In_ PE1000_ADAPTER Adapter)
{
	ULONG Ctrl, Icr;

	if (!E1000HwIsPresent(Adapter))
		return NDIS_STATUS_ADAPTER_NOT_FOUND;

	E1000HwStop(Adapter);
	/* Let a frame being fetched or written back complete. */
	NdisMSleep(10000);

	E1000_READ(Adapter, E1000_CTRL, &Ctrl);
	E1000_WRITE(Adapter, E1000_CTRL, Ctrl | E1000_CTRL_RST);
	/* RST self-clears; the EEPROM reload takes a few milliseconds. */
	NdisMSleep(5000);

	/* The reset re-enables nothing, but a cause may be latched. */
	E1000_WRITE(Adapter, E1000_IMC, 0xFFFFFFFF);
	E1000_READ(Adapter, E1000_ICR, &Icr);
	UNREFERENCED_PARAMETER(Icr);

	return E1000HwIsPresent(Adapter) ? NDIS_STATUS_SUCCESS : NDIS_STATUS_HARD_ERRORS;
}

/* One EEPROM word through EERD (SDM 13.4.4); FALSE if it never completes. */
static BOOLEAN
E1000HwReadEepromWord(
	_In_ PE1000_ADAPTER Adapter,
	_In_ ULONG Word,
	_Out_ PUSHORT Data)
{
	ULONG Eerd, Tries;

	E1000_WRITE(Adapter, E1000_EERD,
		    (Word << E1000_EERD_ADDR_SHIFT) | E1000_EERD_START);
	for (Tries = 0; Tries < 1000; Tries++) {
		E1000_READ(Adapter, E1000_EERD, &Eerd);
		if (Eerd & E1000_EERD_DONE) {
			*Data = (USHORT)(Eerd >> E1000_EERD_DATA_SHIFT);
			return TRUE;
		}
		NdisStallExecution(5);
	}
	*Data = 0;
	return FALSE;
}

/*
 * The permanent address.  After reset the device loads receive address 0
 * from the EEPROM and marks it valid, so RAL0/RAH0 is where it is read;
 * when RAH0.AV is clear the EEPROM (words 0-2, low byte first) is read
 * directly, and its checksum checked.
 */
NDIS_STATUS
E1000HwReadMacAddress(
	_In_ PE1000_ADAPTER Adapter,
	_Out_writes_(E1000_ETH_ADDRESS_LENGTH) PUCHAR Address)
{
	ULONG Ral, Rah, i;
	USHORT Word, Sum = 0;

	E1000_READ(Adapter, E1000_RAL0, &Ral);
	E1000_READ(Adapter, E1000_RAH0, &Rah);
	if (Rah & E1000_RAH_AV) {
		Address[0] = (UCHAR)Ral;
		Address[1] = (UCHAR)(Ral >> 8);
		Address[2] = (UCHAR)(Ral >> 16);
		Address[3] = (UCHAR)(Ral >> 24);
		Address[4] = (UCHAR)Rah;
		Address[5] = (UCHAR)(Rah >> 8);
		return NDIS_STATUS_SUCCESS;
	}

	for (i = 0; i <= E1000_EEPROM_CHECKSUM_WORD; i++) {
		if (!E1000HwReadEepromWord(Adapter, i, &Word))
			return NDIS_STATUS_HARD_ERRORS;
		Sum = (USHORT)(Sum + Word);
		if (i < 3) {
			Address[2 * i] = (UCHAR)Word;
			Address[2 * i + 1] = (UCHAR)(Word >> 8);
		}
	}
	if (Sum != E1000_EEPROM_SUM)
		return NDIS_STATUS_INVALID_DATA;
	return NDIS_STATUS_SUCCESS;
}

/* Receive address 0 = the current address; the other 15 entries unused. */
VOID
E1000HwSetReceiveAddress(
	_In_ PE1000_ADAPTER Adapter)
{
	PUCHAR A = Adapter->CurrentAddress;
	ULONG i;

	for (i = 1; i < 16; i++) {
		E1000_WRITE(Adapter, E1000_RAL0 + 8 * i, 0);
		E1000_WRITE(Adapter, E1000_RAH0 + 8 * i, 0);
	}
	E1000_WRITE(Adapter, E1000_RAL0,
		    (ULONG)A[0] | (ULONG)A[1] << 8 | (ULONG)A[2] << 16 | (ULONG)A[3] << 24);
	E1000_WRITE(Adapter, E1000_RAH0,
		    ((ULONG)A[4] | (ULONG)A[5] << 8) | E1000_RAH_AV);
}

/*
 * RCTL's filter bits for the NDIS packet filter.  Directed frames to
 * receive address 0 always pass the device's filter; the rest:
 *   PROMISCUOUS   -> UPE | MPE | BAM (all unicast, multicast, broadcast)
 *   ALL_MULTICAST -> MPE
 *   MULTICAST     -> the multicast table (E1000HwProgramMulticast)
 *   BROADCAST     -> BAM
 */
static ULONG
E1000HwFilterBits(
	_In_ ULONG Filter)
{
	ULONG Bits = 0;

	if (Filter & NDIS_PACKET_TYPE_PROMISCUOUS)
		Bits |= E1000_RCTL_UPE | E1000_RCTL_MPE;
	if (Filter & NDIS_PACKET_TYPE_ALL_MULTICAST)
		Bits |= E1000_RCTL_MPE;
	if (Filter & (NDIS_PACKET_TYPE_BROADCAST | NDIS_PACKET_TYPE_PROMISCUOUS))
		Bits |= E1000_RCTL_BAM;
	return Bits;
}

/*
 * The packet filter into RCTL, written only when it changes: QEMU's model
 * stops receiving for a second after every RCTL write (it flushes its
 * queue on a timer), so a filter set to what it already is must not cost
 * that.  For the same reason the receiver stays enabled from
 * initialization to halt; Pause and Restart only decide whether frames
 * are indicated (recv.c).
 */
VOID
E1000HwProgramFilter(
	_In_ PE1000_ADAPTER Adapter)
{
	ULONG Rctl = (Adapter->Rctl & ~(E1000_RCTL_UPE | E1000_RCTL_MPE | E1000_RCTL_BAM)) |
		     E1000HwFilterBits(Adapter->PacketFilter);

	if (Rctl != Adapter->Rctl) {
		Adapter->Rctl = Rctl;
		E1000_WRITE(Adapter, E1000_RCTL, Rctl);
	}
}

/*
 * The 4096-bit multicast table, with RCTL.MO = 00: a destination address
 * selects bit ((addr[4] >> 4) | (addr[5] << 4)), i.e. address bits 47:36,
 * which is register (bit >> 5), bit (bit & 31).  Only set while the
 * MULTICAST filter is on; an inexact match, so the protocols still see a
 * few frames they did not ask for.
 */
VOID
E1000HwProgramMulticast(
	_In_ PE1000_ADAPTER Adapter)
{
	ULONG Table[E1000_MTA_REGISTERS];
	ULONG i, Hash;

	NdisZeroMemory(Table, sizeof(Table));
	if (Adapter->PacketFilter & NDIS_PACKET_TYPE_MULTICAST) {
		for (i = 0; i < Adapter->MulticastCount; i++) {
			PUCHAR A = Adapter->MulticastList[i];

			Hash = (((ULONG)A[4] >> 4) | ((ULONG)A[5] << 4)) & 0xFFF;
			Table[Hash >> 5] |= 1u << (Hash & 31);
		}
	}
	for (i = 0; i < E1000_MTA_REGISTERS; i++)
		E1000_WRITE(Adapter, E1000_MTA + 4 * i, Table[i]);
}

/* RXCSUM: IPv4 header and TCP/UDP checksums verified by the device. */
VOID
E1000HwProgramRxChecksum(
	_In_ PE1000_ADAPTER Adapter)
{
	ULONG Rxcsum = 0;

	if (Adapter->RxIpChecksum)
		Rxcsum |= E1000_RXCSUM_IPOFL;
	if (Adapter->RxTcpChecksum || Adapter->RxUdpChecksum)
		Rxcsum |= E1000_RXCSUM_TUOFL;
	E1000_WRITE(Adapter, E1000_RXCSUM, Rxcsum);
}

VOID
E1000HwEnableInterrupts(
	_In_ PE1000_ADAPTER Adapter)
{
	E1000_WRITE(Adapter, E1000_IMS, E1000_IMS_ENABLE_MASK);
}

VOID
E1000HwDisableInterrupts(
	_In_ PE1000_ADAPTER Adapter)
{
	E1000_WRITE(Adapter, E1000_IMC, 0xFFFFFFFF);
}

/*
 * Everything after a reset, in the SDM's order (14.4 - 14.6): link,
 * flow control off, addresses and filters, transmit, receive, interrupt
 * throttling.  The rings must be allocated and initialized (TxInitRing,
 * RxInitRing); interrupts are left masked.  The receiver is enabled:
 * until Restart the DPC recycles what arrives without indicating it.
 */
VOID
E1000HwInitialize(
	_In_ PE1000_ADAPTER Adapter)
{
	ULONG Ctrl, i;

	/* Internal copper PHY: auto-negotiated speed and duplex, link up. */
	E1000_READ(Adapter, E1000_CTRL, &Ctrl);
	Ctrl &= ~(E1000_CTRL_LRST | E1000_CTRL_ILOS | E1000_CTRL_VME | E1000_CTRL_PHY_RST);
	Ctrl |= E1000_CTRL_SLU | E1000_CTRL_ASDE;
	E1000_WRITE(Adapter, E1000_CTRL, Ctrl);

	/* No flow control: PAUSE frames are neither sent nor honoured. */
	E1000_WRITE(Adapter, E1000_FCAL, 0);
	E1000_WRITE(Adapter, E1000_FCAH, 0);
	E1000_WRITE(Adapter, E1000_FCT, 0);
	E1000_WRITE(Adapter, E1000_FCTTV, 0);
	/* No 802.1Q processing: tagged frames pass through as data. */
	E1000_WRITE(Adapter, E1000_VET, 0);
	for (i = 0; i < 128; i++)
		E1000_WRITE(Adapter, E1000_VFTA + 4 * i, 0);

	E1000HwSetReceiveAddress(Adapter);
	E1000HwProgramMulticast(Adapter);

	/* Transmit (SDM 14.5). */
	E1000_WRITE(Adapter, E1000_TDBAL, Adapter->TxRingBlock.PhysicalAddress.LowPart);
	E1000_WRITE(Adapter, E1000_TDBAH, (ULONG)Adapter->TxRingBlock.PhysicalAddress.HighPart);
	E1000_WRITE(Adapter, E1000_TDLEN, E1000_TX_RING_SIZE * sizeof(E1000_TX_DESC));
	E1000_WRITE(Adapter, E1000_TDH, 0);
	E1000_WRITE(Adapter, E1000_TDT, 0);
	/* No transmit interrupt delay: ITR alone moderates. */
	E1000_WRITE(Adapter, E1000_TIDV, 0);
	E1000_WRITE(Adapter, E1000_TADV, 0);
	E1000_WRITE(Adapter, E1000_TIPG, E1000_TIPG_DEFAULT);
	E1000_WRITE(Adapter, E1000_TCTL,
		    E1000_TCTL_EN | E1000_TCTL_PSP | E1000_TCTL_RTLC |
		    (E1000_TCTL_CT_DEFAULT << E1000_TCTL_CT_SHIFT) |
		    (E1000_TCTL_COLD_FD << E1000_TCTL_COLD_SHIFT));

	/* Receive (SDM 14.4): ring, then RDT = the buffers posted. */
	E1000_WRITE(Adapter, E1000_RDBAL, Adapter->RxRingBlock.PhysicalAddress.LowPart);
	E1000_WRITE(Adapter, E1000_RDBAH, (ULONG)Adapter->RxRingBlock.PhysicalAddress.HighPart);
	E1000_WRITE(Adapter, E1000_RDLEN, E1000_RX_RING_SIZE * sizeof(E1000_RX_DESC));
	E1000_WRITE(Adapter, E1000_RDH, 0);
	E1000_WRITE(Adapter, E1000_RDT, Adapter->RxNextToFill);
	/* No receive delay timers: RXT0 fires per frame, ITR throttles. */
	E1000_WRITE(Adapter, E1000_RDTR, 0);
	E1000_WRITE(Adapter, E1000_RADV, 0);
	E1000HwProgramRxChecksum(Adapter);
	/* Receiver on with 2 KiB buffers, CRC stripped (so lengths are frame
	 * lengths), PAUSE frames dropped, no long packets; one RCTL write. */
	Adapter->Rctl = E1000_RCTL_EN | E1000_RCTL_BSIZE_2048 | E1000_RCTL_SECRC |
			E1000_RCTL_DPF | E1000_RCTL_RDMTS_HALF |
			E1000HwFilterBits(Adapter->PacketFilter);
	E1000_WRITE(Adapter, E1000_RCTL, Adapter->Rctl);

	E1000_WRITE(Adapter, E1000_ITR, E1000_ITR_FROM_RATE(Adapter->InterruptRate));
}

/* Link state from STATUS (LU, FD, SPEED). */
VOID
E1000HwReadLinkState(
	_In_ PE1000_ADAPTER Adapter,
	_Out_ PNDIS_MEDIA_CONNECT_STATE Connect,
	_Out_ PNDIS_MEDIA_DUPLEX_STATE Duplex,
	_Out_ PULONG64 Speed)
{
	ULONG Status;

	E1000_READ(Adapter, E1000_STATUS, &Status);
	if (Status == 0xFFFFFFFF || !(Status & E1000_STATUS_LU)) {
		*Connect = MediaConnectStateDisconnected;
		*Duplex = MediaDuplexStateUnknown;
		*Speed = NDIS_LINK_SPEED_UNKNOWN;
		return;
	}
	*Connect = MediaConnectStateConnected;
	*Duplex = (Status & E1000_STATUS_FD) ? MediaDuplexStateFull : MediaDuplexStateHalf;
	switch (Status & E1000_STATUS_SPEED_MASK) {
	case E1000_STATUS_SPEED_10:
		*Speed = 10000000ULL;
		break;
	case E1000_STATUS_SPEED_100:
		*Speed = 100000000ULL;
		break;
	default:
		*Speed = E1000_LINK_SPEED_1000;
		break;
	}
}

static ULONG64
E1000HwReadCounter(
	_In_ PE1000_ADAPTER Adapter,
	_In_ ULONG Register)
{
	ULONG Value;

	E1000_READ(Adapter, Register, &Value);
	return Value;
}

/* A 64-bit octet counter: the low half first, reading the high half clears both. */
static ULONG64
E1000HwReadCounter64(
	_In_ PE1000_ADAPTER Adapter,
	_In_ ULONG LowRegister)
{
	ULONG Low, High;

	E1000_READ(Adapter, LowRegister, &Low);
	E1000_READ(Adapter, LowRegister + 4, &High);
	return ((ULONG64)High << 32) | Low;
}

/*
 * Adds the statistics registers into HwStats.  They clear on read and
 * the 32-bit ones wrap after about 48 minutes of minimum-size frames at
 * 1 Gb/s, so this runs from CheckForHang (every 2 s) and before each
 * OID_GEN_STATISTICS answer.  Caller holds Adapter->Lock.
 */
VOID
E1000HwUpdateStatistics(
	_In_ PE1000_ADAPTER Adapter)
{
	PE1000_HW_STATS S = &Adapter->HwStats;

	if (Adapter->SurpriseRemoved || !E1000HwIsPresent(Adapter))
		return;
	S->Crcerrs += E1000HwReadCounter(Adapter, E1000_CRCERRS);
	S->Algnerrc += E1000HwReadCounter(Adapter, E1000_ALGNERRC);
	S->Symerrs += E1000HwReadCounter(Adapter, E1000_SYMERRS);
	S->Rxerrc += E1000HwReadCounter(Adapter, E1000_RXERRC);
	S->Mpc += E1000HwReadCounter(Adapter, E1000_MPC);
	S->Scc += E1000HwReadCounter(Adapter, E1000_SCC);
	S->Ecol += E1000HwReadCounter(Adapter, E1000_ECOL);
	S->Mcc += E1000HwReadCounter(Adapter, E1000_MCC);
	S->Latecol += E1000HwReadCounter(Adapter, E1000_LATECOL);
	S->Colc += E1000HwReadCounter(Adapter, E1000_COLC);
	S->Dc += E1000HwReadCounter(Adapter, E1000_DC);
	S->Tncrs += E1000HwReadCounter(Adapter, E1000_TNCRS);
	S->Rlec += E1000HwReadCounter(Adapter, E1000_RLEC);
	S->Rnbc += E1000HwReadCounter(Adapter, E1000_RNBC);
	S->Ruc += E1000HwReadCounter(Adapter, E1000_RUC);
	S->Rfc += E1000HwReadCounter(Adapter, E1000_RFC);
	S->Roc += E1000HwReadCounter(Adapter, E1000_ROC);
	S->Rjc += E1000HwReadCounter(Adapter, E1000_RJC);
	S->Gprc += E1000HwReadCounter(Adapter, E1000_GPRC);
	S->Bprc += E1000HwReadCounter(Adapter, E1000_BPRC);
	S->Mprc += E1000HwReadCounter(Adapter, E1000_MPRC);
	S->Gptc += E1000HwReadCounter(Adapter, E1000_GPTC);
	S->Bptc += E1000HwReadCounter(Adapter, E1000_BPTC);
	S->Mptc += E1000HwReadCounter(Adapter, E1000_MPTC);
	S->Gorc += E1000HwReadCounter64(Adapter, E1000_GORCL);
	S->Gotc += E1000HwReadCounter64(Adapter, E1000_GOTCL);
	S->Tpr += E1000HwReadCounter(Adapter, E1000_TPR);
	S->Tpt += E1000HwReadCounter(Adapter, E1000_TPT);
	S->Tsctc += E1000HwReadCounter(Adapter, E1000_TSCTC);
	/* TOR/TOT are read only to keep them from saturating. */
	(void)E1000HwReadCounter64(Adapter, E1000_TORL);
	(void)E1000HwReadCounter64(Adapter, E1000_TOTL);
}
