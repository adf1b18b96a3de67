// SPDX-License-Identifier: GPL-2.0
/*
 * Scatter-gather mapping for NdisMAllocateNetBufferSGList: a NET_BUFFER's
 * data, page by page (vmalloc memory is not physically contiguous), as one
 * sg_table mapped with dma_map_sgtable(). Each function does one job and no
 * policy; rust/sg_map.rs owns the table and unmaps it on Drop, and the
 * bounce decision is made in Rust (rust/sg_dma.rs, rust/core/sg.rs).
 */
#include <linux/bottom_half.h>
#include <linux/dma-mapping.h>
#include <linux/hardirq.h>
#include <linux/irqflags.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "helpers.h"
#include "sg_helpers.h"

static struct page *ndis_shim_sg_page(void *va)
{
	if (is_vmalloc_addr(va))
		return vmalloc_to_page(va);
	if (virt_addr_valid(va))
		return virt_to_page(va);
	return NULL;
}

/**
 * ndis_shim_sg_map() - map pieces of kernel memory as one sg_table
 * @dev: the device that will access the memory
 * @chunks: the pieces, in order, none crossing a page boundary
 * @n: number of pieces, > 0
 * @dir: DMA_TO_DEVICE or DMA_FROM_DEVICE
 * @limit: highest bus address the device reaches
 * @reach_all: ndis_shim_dma_reach_all(@dev, @limit), decided at registration:
 *             no piece needs ndis_shim_reachable()
 * @out: the mapped table, on success
 *
 * Atomic allocations only: callable at DISPATCH_LEVEL.
 *
 * Return: 0; -EFAULT when a piece is not kernel memory the shim can map;
 * -ERANGE when the device could only reach it through a bounce pool beyond
 * its reach, or the mapping landed above @limit; -ENOMEM when allocating
 * or mapping failed. On error nothing is left mapped or allocated.
 */
int ndis_shim_sg_map(struct device *dev, const struct ndis_shim_sg_chunk *chunks,
		     unsigned int n, enum dma_data_direction dir, u64 limit,
		     bool reach_all, struct sg_table **out)
{
	struct scatterlist *sg;
	struct sg_table *sgt;
	unsigned int i;
	int ret;

	if (!n)
		return -EINVAL;
	sgt = kzalloc(sizeof(*sgt), GFP_ATOMIC | __GFP_NOWARN);
	if (!sgt)
		return -ENOMEM;
	ret = sg_alloc_table(sgt, n, GFP_ATOMIC | __GFP_NOWARN);
	if (ret)
		goto free;
	for_each_sgtable_sg(sgt, sg, i) {
		struct page *page = ndis_shim_sg_page(chunks[i].va);
		unsigned int off = offset_in_page(chunks[i].va);

		if (!page || !chunks[i].len || off + chunks[i].len > PAGE_SIZE) {
			ret = -EFAULT;
			goto table;
		}
		if (!reach_all &&
		    !ndis_shim_reachable(dev, page_to_phys(page) + off, chunks[i].len, limit)) {
			ret = -ERANGE;
			goto table;
		}
		sg_set_page(sg, page, chunks[i].len, off);
	}
	ret = dma_map_sgtable(dev, sgt, dir, DMA_ATTR_NO_WARN);
	if (ret) {
		ret = -ENOMEM;
		goto table;
	}
	for_each_sgtable_dma_sg(sgt, sg, i) {
		if (sg_dma_address(sg) + sg_dma_len(sg) - 1 > limit) {
			dma_unmap_sgtable(dev, sgt, dir, 0);
			ret = -ERANGE;
			goto table;
		}
	}
	*out = sgt;
	return 0;
table:
	sg_free_table(sgt);
free:
	kfree(sgt);
	return ret;
}

/* Unmaps and frees a table from ndis_shim_sg_map(). Never sleeps. */
void ndis_shim_sg_unmap(struct device *dev, struct sg_table *sgt,
			enum dma_data_direction dir)
{
	dma_unmap_sgtable(dev, sgt, dir, 0);
	sg_free_table(sgt);
	kfree(sgt);
}

void ndis_shim_sg_sync_for_cpu(struct device *dev, struct sg_table *sgt,
			       enum dma_data_direction dir)
{
	dma_sync_sgtable_for_cpu(dev, sgt, dir);
}

unsigned int ndis_shim_dma_max_seg_size(struct device *dev)
{
	return dma_get_max_seg_size(dev);
}

/**
 * ndis_shim_sg_process() - call a miniport's MiniportProcessSGList
 * @process: the handler (MINIPORT_PROCESS_SG_LIST), not NULL
 * @list: the SCATTER_GATHER_LIST
 * @context: the Context the miniport gave NdisMAllocateNetBufferSGList
 *
 * NDIS calls MiniportProcessSGList at DISPATCH_LEVEL, whatever the IRQL of
 * the NdisMAllocateNetBufferSGList call: with bottom halves off, so no DPC
 * (BH work) runs on this CPU while it does, and a handler's
 * NdisDprAcquireSpinLock (a plain spin_lock) cannot deadlock against one.
 * Bottom halves stay as they are where they cannot be turned off and on
 * again: in hard-IRQ context or with interrupts off (local_bh_enable()
 * must not be called there), which is above DISPATCH_LEVEL anyway.
 */
void ndis_shim_sg_process(ndis_shim_process_sg_list process, void *list, void *context)
{
	if (in_hardirq() || irqs_disabled()) {
		process(NULL, NULL, list, context);
		return;
	}
	local_bh_disable();
	process(NULL, NULL, list, context);
	local_bh_enable();
}
