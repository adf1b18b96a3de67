// SPDX-License-Identifier: GPL-2.0
/*
 * edu5_linux.c - the Linux side of the edu_dma_ndis5 miniport.
 *
 * What a port needs and nothing more: the PCI IDs (the INF), the module
 * around DriverEntry (NDIS_LINUX_PCI_MINIPORT, with edu's 28-bit DMA
 * reach), and the platform hooks the miniport calls (edu5.h). A bus master
 * needs no DMA controller in its glue: the miniport programs edu's engine
 * itself with the physical-mapping entries. The hooks hand the adapter to
 * the sample's debugfs test interface, which is test support, not port:
 * tools/testing/edu-test/edu5_test.c, linked into the module by Kbuild.
 */
#include <linux/module.h>
#include <linux/pci.h>

#include <ndis_linux.h>
#include "edu5.h"
#include "edu_test.h"

NDIS_LINUX_DRIVER_ENTRY DriverEntry;

NDIS_STATUS Edu5PlatformAdapterStart(PEDU5_ADAPTER Adapter)
{
	return Edu5TestAdapterStart(Adapter);
}

VOID Edu5PlatformAdapterStop(PEDU5_ADAPTER Adapter)
{
	Edu5TestAdapterStop(Adapter);
}

static const struct pci_device_id edu_dma_ndis5_ids[] = {
	{ PCI_DEVICE(EDU_PCI_VENDOR_ID, EDU_PCI_DEVICE_ID) },
	{ }
};

NDIS_LINUX_PCI_MINIPORT(edu_dma_ndis5, edu_dma_ndis5_ids, DriverEntry, 28, NULL);

MODULE_DESCRIPTION("NDIS 5.1 bus-master miniport for QEMU's edu device, on ndis-shim");
MODULE_LICENSE("GPL");
