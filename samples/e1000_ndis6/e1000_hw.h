/* SPDX-License-Identifier: GPL-2.0 */
/*++

Module Name:

    e1000_hw.h

Abstract:

    The Intel 82540EM (8254x family) as the miniport programs it: register
    offsets and bits, descriptor layouts, and the hardware helpers of
    hw.c.  Every value comes from the "PCI/PCI-X Family of Gigabit
    Ethernet Controllers Software Developer's Manual" (8254x SDM, order
    317453): register summary in section 13, descriptors in sections 3.2
    (receive) and 3.3 (transmit).  Only what this driver uses is named.

    The device is little-endian and so are the platforms this driver is
    built for (x86/x64, as for Windows): descriptors are plain structures
    and registers plain 32-bit accesses.

Environment:

    Kernel mode.  Built against ndis-shim's ndis.h.

--*/

#ifndef _E1000_HW_H_
#define _E1000_HW_H_

#define E1000_PCI_VENDOR_ID          0x8086
#define E1000_PCI_DEVICE_ID_82540EM  0x100E

/* BAR0 is 128 KiB of memory-mapped registers. */
#define E1000_REGISTER_SPACE_SIZE    0x20000

/* PCI command register (configuration space offset 4) and two of its bits. */
#define E1000_PCI_COMMAND            0x04
#define E1000_PCI_COMMAND_MEMORY     0x0002	/* memory space decode */
#define E1000_PCI_COMMAND_MASTER     0x0004	/* bus master enable */

/* ---- General registers ---- */
#define E1000_CTRL      0x00000	/* Device Control */
#define E1000_STATUS    0x00008	/* Device Status (RO) */
#define E1000_EECD      0x00010	/* EEPROM/Flash Control */
#define E1000_EERD      0x00014	/* EEPROM Read */
#define E1000_CTRL_EXT  0x00018	/* Extended Device Control */
#define E1000_MDIC      0x00020	/* MDI Control */
#define E1000_FCAL      0x00028	/* Flow Control Address Low */
#define E1000_FCAH      0x0002C	/* Flow Control Address High */
#define E1000_FCT       0x00030	/* Flow Control Type */
#define E1000_VET       0x00038	/* VLAN Ether Type */
#define E1000_FCTTV     0x00170	/* Flow Control Transmit Timer Value */

/* ---- Interrupts ---- */
#define E1000_ICR       0x000C0	/* Interrupt Cause Read (clears on read) */
#define E1000_ITR       0x000C4	/* Interrupt Throttling */
#define E1000_ICS       0x000C8	/* Interrupt Cause Set */
#define E1000_IMS       0x000D0	/* Interrupt Mask Set/Read */
#define E1000_IMC       0x000D8	/* Interrupt Mask Clear */

/* ---- Receive ---- */
#define E1000_RCTL      0x00100	/* Receive Control */
#define E1000_RDBAL     0x02800	/* Rx Descriptor Base Low */
#define E1000_RDBAH     0x02804	/* Rx Descriptor Base High */
#define E1000_RDLEN     0x02808	/* Rx Descriptor Length (bytes, 128-aligned) */
#define E1000_RDH       0x02810	/* Rx Descriptor Head */
#define E1000_RDT       0x02818	/* Rx Descriptor Tail */
#define E1000_RDTR      0x02820	/* Rx Delay Timer */
#define E1000_RADV      0x0282C	/* Rx Absolute Delay Timer */
#define E1000_RXCSUM    0x05000	/* Rx Checksum Control */
#define E1000_MTA       0x05200	/* Multicast Table Array, 128 x 32 bits */
#define E1000_RAL0      0x05400	/* Receive Address Low, entry 0 */
#define E1000_RAH0      0x05404	/* Receive Address High, entry 0 */
#define E1000_VFTA      0x05600	/* VLAN Filter Table Array */

/* ---- Transmit ---- */
#define E1000_TCTL      0x00400	/* Transmit Control */
#define E1000_TIPG      0x00410	/* Transmit Inter-Packet Gap */
#define E1000_TDBAL     0x03800	/* Tx Descriptor Base Low */
#define E1000_TDBAH     0x03804	/* Tx Descriptor Base High */
#define E1000_TDLEN     0x03808	/* Tx Descriptor Length */
#define E1000_TDH       0x03810	/* Tx Descriptor Head */
#define E1000_TDT       0x03818	/* Tx Descriptor Tail */
#define E1000_TIDV      0x03820	/* Tx Interrupt Delay Value */
#define E1000_TADV      0x0382C	/* Tx Absolute Interrupt Delay */

/* ---- Statistics (all clear on read; section 13.7) ---- */
#define E1000_CRCERRS   0x04000	/* CRC Error Count */
#define E1000_ALGNERRC  0x04004	/* Alignment Error Count */
#define E1000_SYMERRS   0x04008	/* Symbol Error Count */
#define E1000_RXERRC    0x0400C	/* Rx Error Count */
#define E1000_MPC       0x04010	/* Missed Packets Count */
#define E1000_SCC       0x04014	/* Single Collision Count */
#define E1000_ECOL      0x04018	/* Excessive Collisions Count */
#define E1000_MCC       0x0401C	/* Multiple Collision Count */
#define E1000_LATECOL   0x04020	/* Late Collisions Count */
#define E1000_COLC      0x04028	/* Collision Count */
#define E1000_DC        0x04030	/* Defer Count */
#define E1000_TNCRS     0x04034	/* Transmit with No CRS */
#define E1000_RLEC      0x04040	/* Receive Length Error Count */
#define E1000_GPRC      0x04074	/* Good Packets Received */
#define E1000_BPRC      0x04078	/* Broadcast Packets Received */
#define E1000_MPRC      0x0407C	/* Multicast Packets Received */
#define E1000_GPTC      0x04080	/* Good Packets Transmitted */
#define E1000_GORCL     0x04088	/* Good Octets Received, low */
#define E1000_GORCH     0x0408C	/* ... high (reading it clears both) */
#define E1000_GOTCL     0x04090	/* Good Octets Transmitted, low */
#define E1000_GOTCH     0x04094	/* ... high */
#define E1000_RNBC      0x040A0	/* Receive No Buffers Count */
#define E1000_RUC       0x040A4	/* Receive Undersize Count */
#define E1000_RFC       0x040A8	/* Receive Fragment Count */
#define E1000_ROC       0x040AC	/* Receive Oversize Count */
#define E1000_RJC       0x040B0	/* Receive Jabber Count */
#define E1000_TORL      0x040C0	/* Total Octets Received, low */
#define E1000_TORH      0x040C4
#define E1000_TOTL      0x040C8	/* Total Octets Transmitted, low */
#define E1000_TOTH      0x040CC
#define E1000_TPR       0x040D0	/* Total Packets Received */
#define E1000_TPT       0x040D4	/* Total Packets Transmitted */
#define E1000_MPTC      0x040F0	/* Multicast Packets Transmitted */
#define E1000_BPTC      0x040F4	/* Broadcast Packets Transmitted */
#define E1000_TSCTC     0x040F8	/* TCP Segmentation Context Transmitted */

/* CTRL */
#define E1000_CTRL_FD           0x00000001	/* full duplex */
#define E1000_CTRL_LRST         0x00000008	/* link reset */
#define E1000_CTRL_ASDE         0x00000020	/* auto-speed detection */
#define E1000_CTRL_SLU          0x00000040	/* set link up */
#define E1000_CTRL_ILOS         0x00000080	/* invert loss-of-signal */
#define E1000_CTRL_RST          0x04000000	/* device reset (self-clearing) */
#define E1000_CTRL_VME          0x40000000	/* VLAN mode */
#define E1000_CTRL_PHY_RST      0x80000000

/* STATUS */
#define E1000_STATUS_FD         0x00000001
#define E1000_STATUS_LU         0x00000002	/* link up */
#define E1000_STATUS_SPEED_MASK 0x000000C0
#define E1000_STATUS_SPEED_10   0x00000000
#define E1000_STATUS_SPEED_100  0x00000040
/* 10b and 11b both mean 1000 Mb/s. */

/* EERD (82540EM layout: start bit 0, done bit 4, address 15:8, data 31:16) */
#define E1000_EERD_START        0x00000001
#define E1000_EERD_DONE         0x00000010
#define E1000_EERD_ADDR_SHIFT   8
#define E1000_EERD_DATA_SHIFT   16

/* EEPROM words */
#define E1000_EEPROM_MAC_WORD0      0x00	/* words 0..2: the MAC address */
#define E1000_EEPROM_CHECKSUM_WORD  0x3F
#define E1000_EEPROM_SUM            0xBABA	/* words 0x00..0x3F add up to this */

/* ICR / ICS / IMS / IMC bits */
#define E1000_ICR_TXDW          0x00000001	/* transmit descriptor written back */
#define E1000_ICR_TXQE          0x00000002	/* transmit queue empty */
#define E1000_ICR_LSC           0x00000004	/* link status change */
#define E1000_ICR_RXSEQ         0x00000008	/* receive sequence error */
#define E1000_ICR_RXDMT0        0x00000010	/* rx descriptors below minimum threshold */
#define E1000_ICR_RXO           0x00000040	/* receiver overrun */
#define E1000_ICR_RXT0          0x00000080	/* receiver timer: frames received */
#define E1000_ICR_MDAC          0x00000200
#define E1000_ICR_TXD_LOW       0x00008000

/*
 * The causes this driver handles.  TXQE is left out: TXDW already says a
 * descriptor with RS is done, and queue-empty would add an interrupt per
 * burst.
 */
#define E1000_IMS_ENABLE_MASK \
	(E1000_ICR_TXDW | E1000_ICR_LSC | E1000_ICR_RXSEQ | E1000_ICR_RXDMT0 | \
	 E1000_ICR_RXO | E1000_ICR_RXT0)

/* ITR: interval in 256 ns units; 0 disables throttling. */
#define E1000_ITR_UNIT_NS       256

/* RCTL */
#define E1000_RCTL_EN           0x00000002	/* receiver enable */
#define E1000_RCTL_SBP          0x00000004	/* store bad packets */
#define E1000_RCTL_UPE          0x00000008	/* unicast promiscuous */
#define E1000_RCTL_MPE          0x00000010	/* multicast promiscuous */
#define E1000_RCTL_LPE          0x00000020	/* long packets */
#define E1000_RCTL_LBM_MASK     0x000000C0	/* loopback mode (00 = none) */
#define E1000_RCTL_RDMTS_HALF   0x00000000	/* RXDMT0 at 1/2 of the ring */
#define E1000_RCTL_MO_MASK      0x00003000	/* multicast offset (00 = bits 47:36) */
#define E1000_RCTL_BAM          0x00008000	/* broadcast accept */
#define E1000_RCTL_BSIZE_2048   0x00000000	/* with BSEX = 0 */
#define E1000_RCTL_VFE          0x00040000	/* VLAN filter enable */
#define E1000_RCTL_DPF          0x00400000	/* discard PAUSE frames */
#define E1000_RCTL_BSEX         0x02000000
#define E1000_RCTL_SECRC        0x04000000	/* strip the Ethernet CRC */

/* RXCSUM */
#define E1000_RXCSUM_IPOFL      0x00000100	/* IP checksum offload */
#define E1000_RXCSUM_TUOFL      0x00000200	/* TCP/UDP checksum offload */

/* RAH */
#define E1000_RAH_AV            0x80000000	/* address valid */

/* MTA: 4096 bits (128 registers), a hash of 12 destination address bits. */
#define E1000_MTA_REGISTERS     128

/* TCTL */
#define E1000_TCTL_EN           0x00000002
#define E1000_TCTL_PSP          0x00000008	/* pad short packets */
#define E1000_TCTL_CT_SHIFT     4		/* collision threshold */
#define E1000_TCTL_COLD_SHIFT   12		/* collision distance */
#define E1000_TCTL_RTLC         0x01000000	/* retransmit on late collision */
/* The SDM's recommended values: CT 0x0F; COLD 0x40 at full duplex. */
#define E1000_TCTL_CT_DEFAULT   0x0F
#define E1000_TCTL_COLD_FD      0x40

/* TIPG for the 82540EM's copper PHY: IPGT 10, IPGR1 8, IPGR2 6 (SDM 13.4.34). */
#define E1000_TIPG_DEFAULT      (10 | (8 << 10) | (6 << 20))

/* ------------------------------------------------------------------------
 * Descriptors: 16 bytes each; rings are a multiple of 8 descriptors
 * (RDLEN/TDLEN must be 128-byte aligned) and 16-byte aligned in memory.
 * ------------------------------------------------------------------------ */

/* Naturally aligned: no packing needed (the sizes are checked below). */

/* Receive descriptor (SDM 3.2.3).  Status and errors are written by the
 * device when it hands the descriptor back. */
typedef struct _E1000_RX_DESC {
	ULONG64 BufferAddress;
	USHORT Length;		/* bytes written to the buffer */
	USHORT PacketChecksum;
	UCHAR Status;
	UCHAR Errors;
	USHORT Special;
} E1000_RX_DESC, *PE1000_RX_DESC;

/*
 * Transmit descriptor in its two data forms (SDM 3.3.3 legacy and 3.3.7
 * TCP/IP data descriptor): the buffer, then two 32-bit words.
 *   legacy: Lower = length[15:0] | CSO[23:16] | CMD[31:24];
 *           Upper = STA[3:0] | CSS[15:8] | special[31:16]
 *   data:   Lower = DTALEN[19:0] | DTYP[23:20] (0001) | DCMD[31:24];
 *           Upper = STA[3:0] | POPTS[15:8] | special[31:16]
 */
typedef struct _E1000_TX_DESC {
	ULONG64 BufferAddress;
	ULONG Lower;
	ULONG Upper;
} E1000_TX_DESC, *PE1000_TX_DESC;

/*
 * TCP/IP context descriptor (SDM 3.3.6): where the IP and TCP/UDP headers
 * are and, for TCP segmentation, the segment size and header length.
 *   IpFields  = IPCSS[7:0] | IPCSO[15:8] | IPCSE[31:16]
 *   TcpFields = TUCSS[7:0] | TUCSO[15:8] | TUCSE[31:16]
 *   CmdAndLength = PAYLEN[19:0] | DTYP[23:20] (0000) | TUCMD[31:24]
 *   SegSetup  = STA[3:0] | HDRLEN[15:8] | MSS[31:16]
 */
typedef struct _E1000_TX_CONTEXT_DESC {
	ULONG IpFields;
	ULONG TcpFields;
	ULONG CmdAndLength;
	ULONG SegSetup;
} E1000_TX_CONTEXT_DESC, *PE1000_TX_CONTEXT_DESC;

C_ASSERT(sizeof(E1000_RX_DESC) == 16);
C_ASSERT(sizeof(E1000_TX_DESC) == 16);
C_ASSERT(sizeof(E1000_TX_CONTEXT_DESC) == 16);

/* RX status */
#define E1000_RXD_STAT_DD       0x01	/* descriptor done */
#define E1000_RXD_STAT_EOP      0x02	/* end of packet */
#define E1000_RXD_STAT_IXSM     0x04	/* ignore checksum indication */
#define E1000_RXD_STAT_VP       0x08	/* 802.1Q tag stripped */
#define E1000_RXD_STAT_TCPCS    0x20	/* TCP/UDP checksum calculated */
#define E1000_RXD_STAT_IPCS     0x40	/* IP checksum calculated */
/* RX errors */
#define E1000_RXD_ERR_CE        0x01	/* CRC or alignment */
#define E1000_RXD_ERR_SE        0x02	/* symbol */
#define E1000_RXD_ERR_SEQ       0x04	/* sequence */
#define E1000_RXD_ERR_CXE       0x10	/* carrier extension */
#define E1000_RXD_ERR_TCPE      0x20	/* TCP/UDP checksum error */
#define E1000_RXD_ERR_IPE       0x40	/* IP checksum error */
#define E1000_RXD_ERR_RXE       0x80	/* RX data error */
#define E1000_RXD_ERR_FRAME_MASK \
	(E1000_RXD_ERR_CE | E1000_RXD_ERR_SE | E1000_RXD_ERR_SEQ | \
	 E1000_RXD_ERR_CXE | E1000_RXD_ERR_RXE)

/* TX command bits, in their place in Lower / CmdAndLength (bits 31:24). */
#define E1000_TXD_CMD_EOP       0x01000000	/* end of packet */
#define E1000_TXD_CMD_IFCS      0x02000000	/* insert FCS */
#define E1000_TXD_CMD_TSE       0x04000000	/* TCP segmentation (data descriptor) */
#define E1000_TXD_CMD_RS        0x08000000	/* report status (sets DD) */
#define E1000_TXD_CMD_DEXT      0x20000000	/* extended (context/data) descriptor */
#define E1000_TXD_CMD_VLE       0x40000000
#define E1000_TXD_CMD_IDE       0x80000000	/* interrupt delay */
/* Context descriptor TUCMD: TCP (vs UDP), IPv4 (vs IPv6), TSE. */
#define E1000_TXD_CTX_TCP       0x01000000
#define E1000_TXD_CTX_IP        0x02000000
#define E1000_TXD_CTX_TSE       0x04000000
/* DTYP */
#define E1000_TXD_DTYP_CONTEXT  0x00000000
#define E1000_TXD_DTYP_DATA     0x00100000
/* Upper: STA and POPTS */
#define E1000_TXD_STAT_DD       0x00000001	/* descriptor done */
#define E1000_TXD_POPTS_IXSM    0x00000100	/* insert IP checksum */
#define E1000_TXD_POPTS_TXSM    0x00000200	/* insert TCP/UDP checksum */

/* Lengths: a data descriptor's DTALEN has 20 bits, a legacy one 16. */
#define E1000_TXD_LENGTH_MASK   0x000FFFFF
#define E1000_TXD_PAYLEN_MASK   0x000FFFFF

#endif /* _E1000_HW_H_ */
