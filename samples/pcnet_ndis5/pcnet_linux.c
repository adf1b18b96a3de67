// SPDX-License-Identifier: GPL-2.0
/*
 * pcnet_linux.c - the Linux side of the pcnet_ndis5 miniport.
 *
 * What Windows keeps outside a miniport's source, and nothing else: the
 * PCI IDs the driver binds to (an INF's models section) and the module
 * around DriverEntry (NDIS_LINUX_PCI_MINIPORT).  The PCnet-PCI II takes
 * 32-bit descriptor and buffer addresses; it is a bus master only, so
 * there is no system DMA controller to program (NULL).  The same file
 * makes the map-register build's module (PCNET_USE_MAP_REGISTERS, see
 * Kbuild).  The miniport source (miniport.c, hw.c, send.c, recv.c,
 * oid.c) is unchanged Windows code.
 */
#include <linux/module.h>
#include <linux/pci.h>

#include <ndis_linux.h>
#include "pcnet_hw.h"

NDIS_LINUX_DRIVER_ENTRY DriverEntry;

static const struct pci_device_id pcnet_ndis5_ids[] = {
	{ PCI_DEVICE(PCNET_PCI_VENDOR_ID, PCNET_PCI_DEVICE_ID) },	/* Am79C970A, QEMU's "pcnet" */
	{ }
};

#ifdef PCNET_USE_MAP_REGISTERS
NDIS_LINUX_PCI_MINIPORT(pcnet_ndis5_mapreg, pcnet_ndis5_ids, DriverEntry, 32, NULL);
MODULE_DESCRIPTION("NDIS 5.1 miniport for the AMD PCnet-PCI II (QEMU pcnet), map-register build, on ndis-shim");
#else
NDIS_LINUX_PCI_MINIPORT(pcnet_ndis5, pcnet_ndis5_ids, DriverEntry, 32, NULL);
MODULE_DESCRIPTION("NDIS 5.1 miniport for the AMD PCnet-PCI II (QEMU pcnet), on ndis-shim");
#endif
MODULE_LICENSE("GPL");
