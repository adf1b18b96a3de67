// SPDX-License-Identifier: GPL-2.0
/*
 * Canary: make the edu device read from a device address the IOMMU has no
 * mapping for. The Intel IOMMU must block the read and log a DMAR fault
 * ("DMAR: [DMA Read NO_PASID] Request device [...] fault addr ...").
 *
 * The address is one the DMA API handed out for this device and took back:
 * it lies in the device's IOVA space, and with strict invalidation
 * (iommu.strict=1) nothing is mapped there once dma_unmap_single()
 * returns. The device only reads (edu's "from RAM" direction into its own
 * buffer), so no guest memory can change whatever the address. The module
 * refuses to run unless the device is behind a DMA-API IOMMU domain and
 * no driver is bound to it.
 *
 * edu's DMA registers (QEMU hw/misc/edu.c): source at 0x80, destination at
 * 0x88, count at 0x90, command at 0x98 (bit 0 starts a transfer and clears
 * when it is done, bit 1 clear means RAM to the device's buffer at 0x40000).
 */
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/iommu.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>

#define EDU_DMA_SRC 0x80
#define EDU_DMA_DST 0x88
#define EDU_DMA_COUNT 0x90
#define EDU_DMA_CMD 0x98
#define EDU_DMA_RUN 0x1
#define EDU_BUFFER 0x40000
#define XFER_LEN 64

/* An IOVA of @pdev that was mapped and is no more, or DMA_MAPPING_ERROR. */
static dma_addr_t stale_iova(struct pci_dev *pdev)
{
	void *buf = kzalloc(XFER_LEN, GFP_KERNEL);
	dma_addr_t iova;

	if (!buf)
		return DMA_MAPPING_ERROR;
	iova = dma_map_single(&pdev->dev, buf, XFER_LEN, DMA_TO_DEVICE);
	if (!dma_mapping_error(&pdev->dev, iova))
		dma_unmap_single(&pdev->dev, iova, XFER_LEN, DMA_TO_DEVICE);
	kfree(buf);
	return iova;
}

static int edu_read_from(struct pci_dev *pdev, void __iomem *regs, dma_addr_t iova)
{
	int waited_ms;

	if (readq(regs + EDU_DMA_CMD) & EDU_DMA_RUN)
		return -EBUSY;
	writeq(iova, regs + EDU_DMA_SRC);
	writeq(EDU_BUFFER, regs + EDU_DMA_DST);
	writeq(XFER_LEN, regs + EDU_DMA_COUNT);
	writeq(EDU_DMA_RUN, regs + EDU_DMA_CMD);
	/* edu runs the transfer 100 ms (virtual time) after the command. */
	for (waited_ms = 0; waited_ms < 5000; waited_ms += 10) {
		if (!(readq(regs + EDU_DMA_CMD) & EDU_DMA_RUN))
			return 0;
		msleep(10);
	}
	return -ETIMEDOUT;
}

static int __init canary_init(void)
{
	struct pci_dev *pdev = pci_get_device(0x1234, 0x11e8, NULL);
	struct iommu_domain *domain;
	void __iomem *regs;
	dma_addr_t iova;
	int ret;

	if (!pdev)
		return -ENODEV;
	domain = iommu_get_domain_for_dev(&pdev->dev);
	if (!domain || !iommu_is_dma_domain(domain)) {
		ret = -ENODEV;
		goto put;
	}
	if (pdev->dev.driver) {
		ret = -EBUSY;
		goto put;
	}
	ret = pci_enable_device_mem(pdev);
	if (ret)
		goto put;
	ret = pci_request_region(pdev, 0, KBUILD_MODNAME);
	if (ret)
		goto disable;
	regs = pci_iomap(pdev, 0, 0x100);
	if (!regs) {
		ret = -ENOMEM;
		goto release;
	}
	/* 28 bits: what both edu devices reach, so edu never clamps the IOVA. */
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(28));
	if (ret)
		goto unmap;
	iova = stale_iova(pdev);
	if (iova == DMA_MAPPING_ERROR) {
		ret = -ENOMEM;
		goto unmap;
	}
	pci_set_master(pdev);
	/* The misdeed: a transfer from an address nothing is mapped at. */
	ret = edu_read_from(pdev, regs, iova);
	pci_clear_master(pdev);
	pr_info("canary_dmar: edu read from unmapped IOVA %pad: %d\n", &iova, ret);
unmap:
	pci_iounmap(pdev, regs);
release:
	pci_release_region(pdev, 0);
disable:
	pci_disable_device(pdev);
put:
	pci_dev_put(pdev);
	return ret;
}

static void __exit canary_exit(void)
{
}

module_init(canary_init);
module_exit(canary_exit);
MODULE_DESCRIPTION("ndis-shim test canary: DMAR fault (device read of an unmapped IOVA)");
MODULE_LICENSE("GPL");
