// SPDX-License-Identifier: GPL-2.0
/*++

Module Name:

    hw.c

Abstract:

    The PCnet-PCI II controller: register access through the I/O ports
    (NdisRawReadPortUlong/NdisRawWritePortUlong in 32-bit mode), reset,
    the initialization block and descriptor rings, start and stop, the
    receive filter (CSR15 and the logical address filter) and link state.

    Register access and concurrency.  The register address port (RAP)
    selects the CSR or BCR the data ports reach, so a register access is
    two port accesses.  Outside the initialization, every access to a
    register other than CSR0 runs under the interrupt's lock
    (NdisMSynchronizeWithInterrupt); everything else, MiniportISR
    included, reaches only CSR0 and leaves RAP at 0, so an ISR running
    between two port accesses of another CSR0 access changes nothing.

--*/

#define NDIS_MINIPORT_DRIVER 1
#define NDIS51_MINIPORT 1
#include <ndis.h>
#include "pcnet.h"

#define PCNET_PORT(_Adapter, _Offset) ((_Adapter)->PortOffset + (_Offset))

/* How long the controller may take to read its initialization block. */
#define PCNET_INIT_TIMEOUT_US   100000

USHORT
PcnetReadCsr(
	_In_ PPCNET_ADAPTER Adapter,
	_In_ ULONG Csr)
{
	ULONG Value;

	NdisRawWritePortUlong(PCNET_PORT(Adapter, PCNET_DWIO_RAP), Csr);
	NdisRawReadPortUlong(PCNET_PORT(Adapter, PCNET_DWIO_RDP), &Value);
	return (USHORT)Value;
}

VOID
PcnetWriteCsr(
	_In_ PPCNET_ADAPTER Adapter,
	_In_ ULONG Csr,
	_In_ USHORT Value)
{
	NdisRawWritePortUlong(PCNET_PORT(Adapter, PCNET_DWIO_RAP), Csr);
	NdisRawWritePortUlong(PCNET_PORT(Adapter, PCNET_DWIO_RDP), Value);
}

USHORT
PcnetReadBcr(
	_In_ PPCNET_ADAPTER Adapter,
	_In_ ULONG Bcr)
{
	ULONG Value;

	NdisRawWritePortUlong(PCNET_PORT(Adapter, PCNET_DWIO_RAP), Bcr);
	NdisRawReadPortUlong(PCNET_PORT(Adapter, PCNET_DWIO_BDP), &Value);
	return (USHORT)Value;
}

VOID
PcnetWriteBcr(
	_In_ PPCNET_ADAPTER Adapter,
	_In_ ULONG Bcr,
	_In_ USHORT Value)
{
	NdisRawWritePortUlong(PCNET_PORT(Adapter, PCNET_DWIO_RAP), Bcr);
	NdisRawWritePortUlong(PCNET_PORT(Adapter, PCNET_DWIO_BDP), Value);
}

/*
 * The station address: the first six bytes of the address PROM, read as
 * two doublewords (in 32-bit I/O mode the PROM answers doubleword reads
 * only; QEMU's model reads all ones for a byte).  After
 * PcnetResetController.
 */
VOID
PcnetReadStationAddress(
	_In_ PPCNET_ADAPTER Adapter)
{
	ULONG Words[2];
	UINT i;

	NdisRawReadPortUlong(PCNET_PORT(Adapter, PCNET_APROM), &Words[0]);
	NdisRawReadPortUlong(PCNET_PORT(Adapter, PCNET_APROM + 4), &Words[1]);
	for (i = 0; i < PCNET_ETH_ADDRESS_LENGTH; i++)
		Adapter->PermanentAddress[i] = (UCHAR)(Words[i / 4] >> (8 * (i % 4)));
}

/*
 * Resets the controller to its state after power-up: stopped, in 16-bit
 * I/O mode.  The controller may be in either I/O mode (a previous
 * driver's, or this one's): the 16-bit read of the WIO reset register
 * does nothing in DWIO mode and the 32-bit read of the DWIO one nothing
 * in WIO mode, and either reset returns it to WIO mode.  MiniportHalt
 * leaves it so, for the next driver (Linux's pcnet32 probes it in WIO
 * mode).
 */
VOID
PcnetResetToWio(
	_In_ PPCNET_ADAPTER Adapter)
{
	USHORT Dummy16;
	ULONG Dummy32;

	NdisRawReadPortUshort(PCNET_PORT(Adapter, PCNET_WIO_RESET), &Dummy16);
	NdisRawReadPortUlong(PCNET_PORT(Adapter, PCNET_DWIO_RESET), &Dummy32);
	NdisStallExecution(10);
}

/*
 * Resets the controller (PcnetResetToWio) and puts it in 32-bit I/O mode
 * with 32-bit software structures: a doubleword write to RDP selects
 * DWIO.  NDIS_STATUS_ADAPTER_NOT_FOUND: not an Am79C970A.
 */
NDIS_STATUS
PcnetResetController(
	_In_ PPCNET_ADAPTER Adapter)
{
	ULONG ChipId;

	PcnetResetToWio(Adapter);
	NdisRawWritePortUlong(PCNET_PORT(Adapter, PCNET_DWIO_RDP), 0);

	/* Stopped after a reset: CSR0 reads STOP alone. */
	if (PcnetReadCsr(Adapter, PCNET_CSR0) != CSR0_STOP)
		return NDIS_STATUS_ADAPTER_NOT_FOUND;
	ChipId = PcnetReadCsr(Adapter, PCNET_CSR88) |
		 ((ULONG)PcnetReadCsr(Adapter, PCNET_CSR89) << 16);
	if (PCNET_CHIP_ID_PART(ChipId) != PCNET_PART_79C970A)
		return NDIS_STATUS_ADAPTER_NOT_FOUND;

	PcnetWriteBcr(Adapter, PCNET_BCR20, BCR20_SWSTYLE_PCNET_PCI);
	return NDIS_STATUS_SUCCESS;
}

/*
 * The receive filter as CSR15 and LADRF express it.  The logical address
 * filter hashes a multicast address by the top six bits of its Ethernet
 * CRC (the little-endian CRC-32 the controller computes on the
 * destination address): bit CRC[31:26] of the 64-bit filter.
 */
VOID
PcnetComputeFilter(
	_In_ PPCNET_ADAPTER Adapter,
	_Out_ PUSHORT Mode,
	_Out_writes_(8) PUCHAR Ladrf)
{
	ULONG Filter = Adapter->PacketFilter;
	ULONG i, Byte, Bit;

	*Mode = 0;
	NdisZeroMemory(Ladrf, 8);
	if (Filter & NDIS_PACKET_TYPE_PROMISCUOUS)
		*Mode |= CSR15_PROM;
	if (!(Filter & NDIS_PACKET_TYPE_BROADCAST))
		*Mode |= CSR15_DRCVBC;
	if (!(Filter & NDIS_PACKET_TYPE_DIRECTED))
		*Mode |= CSR15_DRCVPA;
	if (Filter & (NDIS_PACKET_TYPE_ALL_MULTICAST | NDIS_PACKET_TYPE_PROMISCUOUS)) {
		NdisFillMemory(Ladrf, 8, 0xFF);
		return;
	}
	if (!(Filter & NDIS_PACKET_TYPE_MULTICAST))
		return;
	for (i = 0; i < Adapter->MulticastCount; i++) {
		ULONG Crc = 0xFFFFFFFF;
		PUCHAR Address = Adapter->MulticastList[i];

		for (Byte = 0; Byte < PCNET_ETH_ADDRESS_LENGTH; Byte++) {
			UCHAR Data = Address[Byte];

			for (Bit = 0; Bit < 8; Bit++, Data >>= 1)
				Crc = (Crc >> 1) ^ (((Crc ^ Data) & 1) ? 0xEDB88320 : 0);
		}
		Crc >>= 26;
		Ladrf[Crc >> 3] |= (UCHAR)(1 << (Crc & 7));
	}
}

/*
 * Fills the initialization block and hands every receive descriptor to
 * the controller; the transmit ring starts empty.  The controller must be
 * stopped.
 */
VOID
PcnetInitializeRings(
	_In_ PPCNET_ADAPTER Adapter)
{
	PPCNET_SHARED Shared = Adapter->Shared;
	PPCNET_INIT_BLOCK Init = &Shared->InitBlock;
	ULONG Base = Adapter->SharedPhysicalLow;
	ULONG i;

	for (i = 0; i < PCNET_RX_RING_SIZE; i++) {
		PPCNET_RX_DESCRIPTOR Rd = &Shared->RxRing[i];

		Rd->BufferAddress = Base + FIELD_OFFSET(PCNET_SHARED, RxBuffers) +
				    i * PCNET_RX_BUFFER_SIZE;
		Rd->BufferLength = PCNET_BCNT(PCNET_RX_BUFFER_SIZE);
		Rd->MessageLength = 0;
		Rd->Reserved = 0;
		Rd->Status = RMD_OWN;
	}
	for (i = 0; i < PCNET_TX_RING_SIZE; i++) {
		PPCNET_TX_DESCRIPTOR Td = &Shared->TxRing[i];

		Td->BufferAddress = 0;
		Td->BufferLength = PCNET_BCNT(0);
		Td->Misc = 0;
		Td->Reserved = 0;
		Td->Status = 0;
	}
	Adapter->RxNext = 0;
	Adapter->TxHead = 0;
	Adapter->TxTail = 0;
	Adapter->TxFree = PCNET_TX_RING_SIZE;

	PcnetComputeFilter(Adapter, &Adapter->Mode, Adapter->LogicalAddressFilter);
	Init->Mode = Adapter->Mode;
	Init->RLen = PCNET_LOG2_RX_RING << 4;
	Init->TLen = PCNET_LOG2_TX_RING << 4;
	NdisMoveMemory(Init->PhysicalAddress, Adapter->CurrentAddress,
		       PCNET_ETH_ADDRESS_LENGTH);
	Init->Reserved = 0;
	NdisMoveMemory(Init->LogicalAddressFilter, Adapter->LogicalAddressFilter, 8);
	Init->ReceiveRing = Base + FIELD_OFFSET(PCNET_SHARED, RxRing);
	Init->TransmitRing = Base + FIELD_OFFSET(PCNET_SHARED, TxRing);
}

/*
 * Points the controller at the initialization block, lets it read it
 * (INIT, polled for IDON) and starts it with interrupts enabled.  The
 * controller must be reset (PcnetResetController) and the rings
 * initialized.
 */
NDIS_STATUS
PcnetStartController(
	_In_ PPCNET_ADAPTER Adapter)
{
	ULONG Address = Adapter->SharedPhysicalLow + FIELD_OFFSET(PCNET_SHARED, InitBlock);
	ULONG Waited;

	PcnetWriteCsr(Adapter, PCNET_CSR1, (USHORT)Address);
	PcnetWriteCsr(Adapter, PCNET_CSR2, (USHORT)(Address >> 16));
	/* No interrupt for the initialization: it is polled. */
	PcnetWriteCsr(Adapter, PCNET_CSR3, CSR3_IDONM);
	PcnetWriteCsr(Adapter, PCNET_CSR4, CSR4_DEFAULT_MASKS | CSR4_APAD_XMT | CSR4_DMAPLUS);
	PcnetWriteCsr(Adapter, PCNET_CSR0, CSR0_INIT);
	for (Waited = 0; Waited < PCNET_INIT_TIMEOUT_US; Waited += 10) {
		if (PcnetReadCsr(Adapter, PCNET_CSR0) & CSR0_IDON)
			break;
		NdisStallExecution(10);
	}
	if (Waited >= PCNET_INIT_TIMEOUT_US)
		return NDIS_STATUS_FAILURE;
	PcnetWriteCsr(Adapter, PCNET_CSR0, CSR0_IDON | CSR0_STRT | CSR0_IENA);
	/* RAP stays 0 (the ISR's register). */
	return NDIS_STATUS_SUCCESS;
}

/* Stops all DMA and interrupts (any IRQL; MiniportShutdown calls it). */
VOID
PcnetStopController(
	_In_ PPCNET_ADAPTER Adapter)
{
	PcnetWriteCsr(Adapter, PCNET_CSR0, CSR0_STOP);
}

/* Transmit demand: the controller polls the transmit ring now.  CSR0
 * only; IENA written back as it is. */
VOID
PcnetTriggerTransmit(
	_In_ PPCNET_ADAPTER Adapter)
{
	PcnetWriteCsr(Adapter, PCNET_CSR0, CSR0_TDMD | CSR0_IENA);
}

/*
 * Under the interrupt's lock: programs the receive filter the adapter's
 * Mode and LogicalAddressFilter hold.  CSR15 and LADRF take writes only
 * while the controller is stopped, so it is stopped, reprogrammed and
 * started again (STRT without INIT: the controller keeps its place in
 * both rings).  STOP clears CSR0's interrupt bits: those it had set are
 * kept in IsrCsr0 for MiniportHandleInterrupt's next run.
 */
BOOLEAN
PcnetSyncApplyFilter(
	_In_ PVOID SynchronizeContext)
{
	PPCNET_ADAPTER Adapter = (PPCNET_ADAPTER)SynchronizeContext;
	USHORT Csr0;
	ULONG i;

	Csr0 = PcnetReadCsr(Adapter, PCNET_CSR0);
	Adapter->IsrCsr0 |= Csr0 & CSR0_ACK_BITS;
	PcnetWriteCsr(Adapter, PCNET_CSR0, CSR0_STOP);
	PcnetWriteCsr(Adapter, PCNET_CSR15, Adapter->Mode);
	for (i = 0; i < 4; i++)
		PcnetWriteCsr(Adapter, PCNET_CSR8 + i,
			      (USHORT)(Adapter->LogicalAddressFilter[2 * i] |
				       (Adapter->LogicalAddressFilter[2 * i + 1] << 8)));
	PcnetWriteCsr(Adapter, PCNET_CSR0, CSR0_STRT | CSR0_IENA);
	return (Adapter->IsrCsr0 & (CSR0_RINT | CSR0_TINT)) != 0;
}

/* Under the interrupt's lock: the link state (BCR4's LED output, which
 * shows link status). */
BOOLEAN
PcnetSyncReadLink(
	_In_ PVOID SynchronizeContext)
{
	PPCNET_ADAPTER Adapter = (PPCNET_ADAPTER)SynchronizeContext;
	USHORT Bcr4;

	Bcr4 = PcnetReadBcr(Adapter, PCNET_BCR4);
	NdisRawWritePortUlong(PCNET_PORT(Adapter, PCNET_DWIO_RAP), PCNET_CSR0);
	return (Bcr4 & BCR4_LEDOUT) != 0;
}

/* Under the interrupt's lock: reset, reinitialize and start (MiniportReset). */
BOOLEAN
PcnetSyncRestart(
	_In_ PVOID SynchronizeContext)
{
	PPCNET_ADAPTER Adapter = (PPCNET_ADAPTER)SynchronizeContext;

	Adapter->IsrCsr0 = 0;
	if (PcnetResetController(Adapter) != NDIS_STATUS_SUCCESS)
		return FALSE;
	PcnetInitializeRings(Adapter);
	return PcnetStartController(Adapter) == NDIS_STATUS_SUCCESS;
}
