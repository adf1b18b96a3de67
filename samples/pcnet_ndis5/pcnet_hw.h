/* SPDX-License-Identifier: GPL-2.0 */
/*++

Module Name:

    pcnet_hw.h

Abstract:

    The AMD PCnet-PCI II (Am79C970A) as this miniport programs it, from
    AMD's data sheet (publication 19436): the I/O resource map in 32-bit
    (DWIO) mode, the control and status registers (CSRs) and bus
    configuration registers (BCRs) used, the initialization block and the
    descriptors of software style 2 (32-bit PCnet-PCI structures).  All
    structures the controller reads or writes are little-endian.

--*/

#ifndef _PCNET_HW_H_
#define _PCNET_HW_H_

#define PCNET_PCI_VENDOR_ID     0x1022
#define PCNET_PCI_DEVICE_ID     0x2000

/* ---- I/O resources (offsets from the I/O BAR) ---- */

#define PCNET_IO_LENGTH         0x20    /* ports of the BAR */
#define PCNET_APROM             0x00    /* 16 bytes; station address first */

/* 16-bit (WIO) mode, the mode after a reset. */
#define PCNET_WIO_RDP           0x10
#define PCNET_WIO_RAP           0x12
#define PCNET_WIO_RESET         0x14
#define PCNET_WIO_BDP           0x16

/* 32-bit (DWIO) mode: entered by a doubleword write to RDP. */
#define PCNET_DWIO_RDP          0x10    /* register data port (CSRs) */
#define PCNET_DWIO_RAP          0x14    /* register address port */
#define PCNET_DWIO_RESET        0x18    /* a read resets the controller */
#define PCNET_DWIO_BDP          0x1C    /* BCR data port */

/* ---- Control and status registers ---- */

#define PCNET_CSR0              0       /* controller status */
#define PCNET_CSR1              1       /* initialization block address, low */
#define PCNET_CSR2              2       /* initialization block address, high */
#define PCNET_CSR3              3       /* interrupt masks, deferral control */
#define PCNET_CSR4              4       /* test and features control */
#define PCNET_CSR8              8       /* logical address filter, 4 words */
#define PCNET_CSR15             15      /* mode */
#define PCNET_CSR88             88      /* chip ID, low */
#define PCNET_CSR89             89      /* chip ID, high */

/* CSR0.  The interrupt bits (IDON..BABL) are cleared by writing 1s; INIT,
 * STRT, STOP and TDMD act when written 1; IENA holds what is written. */
#define CSR0_INIT               0x0001
#define CSR0_STRT               0x0002
#define CSR0_STOP               0x0004
#define CSR0_TDMD               0x0008  /* transmit demand */
#define CSR0_TXON               0x0010
#define CSR0_RXON               0x0020
#define CSR0_IENA               0x0040  /* interrupt enable */
#define CSR0_INTR               0x0080  /* an interrupt is pending */
#define CSR0_IDON               0x0100  /* initialization done */
#define CSR0_TINT               0x0200  /* transmit interrupt */
#define CSR0_RINT               0x0400  /* receive interrupt */
#define CSR0_MERR               0x0800  /* memory error */
#define CSR0_MISS               0x1000  /* missed frame (no receive buffer) */
#define CSR0_CERR               0x2000  /* collision error (no carrier) */
#define CSR0_BABL               0x4000  /* transmitter time-out */
#define CSR0_ERR                0x8000  /* any of BABL, CERR, MISS, MERR */
#define CSR0_ACK_BITS           (CSR0_IDON | CSR0_TINT | CSR0_RINT | CSR0_MERR | \
				 CSR0_MISS | CSR0_CERR | CSR0_BABL)

/* CSR3 */
#define CSR3_IDONM              0x0100  /* mask the initialization-done interrupt */

/* CSR4 (the reset value 0x0115 masks JAB, TXSTRT, RCVCCO and MFCO) */
#define CSR4_DEFAULT_MASKS      0x0115
#define CSR4_APAD_XMT           0x0800  /* pad short transmit frames */
#define CSR4_DMAPLUS            0x4000

/* CSR15 (mode; also the initialization block's MODE word) */
#define CSR15_DRX               0x0001  /* disable the receiver */
#define CSR15_DTX               0x0002  /* disable the transmitter */
#define CSR15_DRCVPA            0x2000  /* disable receiving the station address */
#define CSR15_DRCVBC            0x4000  /* disable receiving broadcasts */
#define CSR15_PROM              0x8000  /* promiscuous */

/* CSR88/89: the part number of the Am79C970A. */
#define PCNET_CHIP_ID_PART(_Id) (((_Id) >> 12) & 0xFFFF)
#define PCNET_PART_79C970A      0x2621

/* ---- Bus configuration registers ---- */

#define PCNET_BCR4              4       /* link status LED */
#define PCNET_BCR20             20      /* software style */

#define BCR4_LEDOUT             0x8000  /* the LED's state: link up */
#define BCR20_SWSTYLE_PCNET_PCI 0x0002  /* 32-bit structures, SSIZE32 */

/* ---- Initialization block (SSIZE32) ---- */

/* Ring lengths are powers of two, encoded as their log2 (at most 9). */
#define PCNET_LOG2_RX_RING      5
#define PCNET_LOG2_TX_RING      5
#define PCNET_RX_RING_SIZE      (1 << PCNET_LOG2_RX_RING)
#define PCNET_TX_RING_SIZE      (1 << PCNET_LOG2_TX_RING)

#include <pshpack1.h>
typedef struct _PCNET_INIT_BLOCK {
	USHORT Mode;                    /* CSR15 */
	UCHAR RLen;                     /* log2 of the receive ring, bits 7:4 */
	UCHAR TLen;                     /* log2 of the transmit ring, bits 7:4 */
	UCHAR PhysicalAddress[6];       /* PADR */
	USHORT Reserved;
	UCHAR LogicalAddressFilter[8];  /* LADRF */
	ULONG ReceiveRing;              /* RDRA */
	ULONG TransmitRing;             /* TDRA */
} PCNET_INIT_BLOCK, *PPCNET_INIT_BLOCK;
#include <poppack.h>

/* ---- Descriptors (software style 2: 16 bytes, 16-byte aligned) ---- */

typedef struct _PCNET_RX_DESCRIPTOR {
	ULONG BufferAddress;            /* RBADR */
	SHORT BufferLength;             /* BCNT as a negative number, ONES set */
	volatile USHORT Status;         /* RMD1[31:16]; OWN hands it over */
	ULONG MessageLength;            /* MCNT in bits 11:0, FCS included */
	ULONG Reserved;
} PCNET_RX_DESCRIPTOR, *PPCNET_RX_DESCRIPTOR;

typedef struct _PCNET_TX_DESCRIPTOR {
	ULONG BufferAddress;            /* TBADR */
	SHORT BufferLength;             /* BCNT as a negative number, ONES set */
	volatile USHORT Status;         /* TMD1[31:16]; OWN hands it over */
	ULONG Misc;                     /* TMD2: error bits, retry count */
	ULONG Reserved;
} PCNET_TX_DESCRIPTOR, *PPCNET_TX_DESCRIPTOR;

#define PCNET_DESCRIPTOR_ALIGNMENT 16
/* BCNT: the two's complement of the byte count, bits 15:12 all ones. */
#define PCNET_BCNT(_Length)     ((SHORT)(0xF000 | ((-(LONG)(_Length)) & 0x0FFF)))
#define PCNET_MAX_BCNT          4095

/* RMD1 status */
#define RMD_OWN                 0x8000  /* the controller owns it */
#define RMD_ERR                 0x4000
#define RMD_FRAM                0x2000  /* framing (alignment) error */
#define RMD_OFLO                0x1000  /* overflow */
#define RMD_CRC                 0x0800
#define RMD_BUFF                0x0400  /* buffer error */
#define RMD_STP                 0x0200  /* start of packet */
#define RMD_ENP                 0x0100  /* end of packet */
#define RMD_MCNT_MASK           0x0FFF

/* TMD1 status */
#define TMD_OWN                 0x8000
#define TMD_ERR                 0x4000
#define TMD_ADD_FCS             0x2000
#define TMD_MORE                0x1000  /* more than one retry */
#define TMD_ONE                 0x0800  /* exactly one retry */
#define TMD_DEF                 0x0400  /* deferred */
#define TMD_STP                 0x0200
#define TMD_ENP                 0x0100

/* TMD2 */
#define TMD2_BUFF               0x80000000
#define TMD2_UFLO               0x40000000
#define TMD2_EXDEF              0x20000000
#define TMD2_LCOL               0x10000000  /* late collision */
#define TMD2_LCAR               0x08000000  /* loss of carrier */
#define TMD2_RTRY               0x04000000  /* retries exhausted */

/* ---- Frames ---- */

#define PCNET_ETH_ADDRESS_LENGTH 6
#define PCNET_ETH_HEADER_SIZE   14
#define PCNET_MAX_FRAME_SIZE    1514    /* without FCS */
#define PCNET_MIN_FRAME_SIZE    60
#define PCNET_FCS_SIZE          4
#define PCNET_RX_BUFFER_SIZE    1536    /* a whole frame and its FCS */
#define PCNET_TX_BUFFER_SIZE    1536    /* the copy buffer of a descriptor */

/* PCI configuration space (NdisReadPciSlotInformation) */
#define PCNET_PCI_COMMAND       0x04
#define PCNET_PCI_COMMAND_MASTER 0x0004 /* bus master enable */

/* What CSR0 reads once the registers are gone (surprise removal, I/O
 * decode off): no bus cycle answers, all ones come back. */
#define PCNET_CSR0_GONE         0xFFFF

#endif /* _PCNET_HW_H_ */
