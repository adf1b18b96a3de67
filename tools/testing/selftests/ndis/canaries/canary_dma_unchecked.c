// SPDX-License-Identifier: GPL-2.0
/*
 * Canary: map a buffer for DMA on the edu device and unmap it without ever
 * calling dma_mapping_error(). DMA-API debug must report "failed to check
 * map error" and bump error_count. The device need not be bound to a driver.
 * Its mask is set to the 32 bits the first edu device has: a test's driver
 * may have left the 28-bit one behind, which fails the mapping under
 * swiotlb=force and yields a different DMA-API complaint.
 */
#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>

static int __init canary_init(void)
{
	struct pci_dev *pdev = pci_get_device(0x1234, 0x11e8, NULL);
	dma_addr_t addr;
	void *buf;

	if (!pdev)
		return -ENODEV;
	buf = kmalloc(64, GFP_KERNEL);
	if (!buf || dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(32))) {
		kfree(buf);
		pci_dev_put(pdev);
		return -ENOMEM;
	}
	addr = dma_map_single(&pdev->dev, buf, 64, DMA_TO_DEVICE);
	/* The misdeed: no dma_mapping_error(&pdev->dev, addr) here. */
	dma_unmap_single(&pdev->dev, addr, 64, DMA_TO_DEVICE);
	kfree(buf);
	pci_dev_put(pdev);
	return 0;
}

static void __exit canary_exit(void)
{
}

module_init(canary_init);
module_exit(canary_exit);
MODULE_DESCRIPTION("ndis-shim test canary: unchecked DMA mapping");
MODULE_LICENSE("GPL");
