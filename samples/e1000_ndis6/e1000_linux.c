// SPDX-License-Identifier: GPL-2.0
/*
 * e1000_linux.c - the Linux side of the e1000_ndis6 miniport.
 *
 * What Windows keeps outside a miniport's source, and nothing else: the
 * PCI IDs the driver binds to (an INF's models section) and the module
 * around DriverEntry (NDIS_LINUX_PCI_MINIPORT).  The 82540EM takes 64-bit
 * descriptor and buffer addresses; it is a bus master only, so there is
 * no system DMA controller to program (NULL).  The miniport source
 * (miniport.c, hw.c, send.c, recv.c) is unchanged Windows code.
 */
#include <linux/module.h>
#include <linux/pci.h>

#include <ndis_linux.h>

NDIS_LINUX_DRIVER_ENTRY DriverEntry;

static const struct pci_device_id e1000_ndis6_ids[] = {
	{ PCI_DEVICE(0x8086, 0x100e) },		/* 82540EM, QEMU's "e1000" */
	{ }
};

NDIS_LINUX_PCI_MINIPORT(e1000_ndis6, e1000_ndis6_ids, DriverEntry, 64, NULL);

MODULE_DESCRIPTION("NDIS 6.30 miniport for the Intel 82540EM (QEMU e1000), on ndis-shim");
MODULE_LICENSE("GPL");
