// SPDX-License-Identifier: GPL-2.0
/*
 * Canary: under swiotlb=force, map one buffer larger than the largest
 * bounce swiotlb can provide (IO_TLB_SEGSIZE slots of IO_TLB_SIZE bytes,
 * 256 KiB) for the edu device, without DMA_ATTR_NO_WARN. swiotlb must
 * refuse it and log "swiotlb buffer is full"; the mapping error is checked,
 * as it must be. The buffer is never handed to the device. The module
 * refuses to run where swiotlb does not bounce the device.
 */
#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/swiotlb.h>

#define OVERSIZE SZ_512K

static int __init canary_init(void)
{
	struct pci_dev *pdev = pci_get_device(0x1234, 0x11e8, NULL);
	dma_addr_t addr;
	void *buf;
	int ret;

	if (!pdev)
		return -ENODEV;
	ret = -ENODEV;
	if (!is_swiotlb_force_bounce(&pdev->dev))
		goto put;
	/* As canary_dma_unchecked: the 32-bit mask the first edu device has. */
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(32));
	if (ret)
		goto put;
	ret = -ENOMEM;
	buf = kmalloc(OVERSIZE, GFP_KERNEL);
	if (!buf)
		goto put;
	/* The misdeed: more than one bounce can hold. */
	addr = dma_map_single(&pdev->dev, buf, OVERSIZE, DMA_TO_DEVICE);
	if (dma_mapping_error(&pdev->dev, addr)) {
		pr_info("canary_swiotlb: a %u KiB mapping was refused\n", OVERSIZE / SZ_1K);
		ret = 0;
	} else {
		pr_err("canary_swiotlb: a %u KiB mapping succeeded\n", OVERSIZE / SZ_1K);
		dma_unmap_single(&pdev->dev, addr, OVERSIZE, DMA_TO_DEVICE);
		ret = -EEXIST;
	}
	kfree(buf);
put:
	pci_dev_put(pdev);
	return ret;
}

static void __exit canary_exit(void)
{
}

module_init(canary_init);
module_exit(canary_exit);
MODULE_DESCRIPTION("ndis-shim test canary: swiotlb overflow");
MODULE_LICENSE("GPL");
