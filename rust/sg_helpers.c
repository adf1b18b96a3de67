// SPDX-License-Identifier: GPL-2.0
/*
 * Scatter-gather mapping for NdisMAllocateNetBufferSGList: a NET_BUFFER's
 * data, page by page (vmalloc memory is not physically contiguous), as one
 * sg_table mapped with dma_map_sgtable(). Each function does one job and no
 * policy; rust/sg_map.rs owns the table (kept in a list record of its
 * registration, its entries allocated once) and unmaps it, and the bounce
 * decision is made in Rust (rust/sg_dma.rs, rust/core/sg.rs).
 */
#include <linux/bottom_half.h>
#include <linux/dma-mapping.h>
#include <linux/hardirq.h>
#include <linux/irqflags.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "helpers.h"
#include "sg_helpers.h"

/* @n scatterlist entries for a list record, kept from registration on. */
struct scatterlist *ndis_shim_sg_entries_alloc(unsigned int n)
{
	return kcalloc(n, sizeof(struct scatterlist), GFP_KERNEL);
}

void ndis_shim_sg_entries_free(struct scatterlist *ents)
{
	kfree(ents);
}

/* Leaves @sgt empty, freeing its entries unless they are @ents. */
static void ndis_shim_sg_table_release(struct sg_table *sgt, struct scatterlist *ents)
{
	if (sgt->sgl != ents)
		sg_free_table(sgt);
	memset(sgt, 0, sizeof(*sgt));
}

/**
 * ndis_shim_sg_map() - map pieces of kernel memory as one sg_table
 * @dev: the device that will access the memory
 * @sgt: an empty table (all zero)
 * @ents: @cap entries the table uses when @nents fits, or NULL (@cap 0)
 * @cap: entries at @ents
 * @ranges: the pieces, in order, each all in the linear map or all in
 *          vmalloc space (as ndis_shim_kernel_range() verified when its MDL
 *          was decoded)
 * @nranges: number of pieces, > 0
 * @nents: the page pieces @ranges split into, one entry each
 * @dir: DMA_TO_DEVICE or DMA_FROM_DEVICE
 * @limit: highest bus address the device reaches
 * @reach_all: ndis_shim_dma_reach_all(@dev, @limit), decided at registration:
 *             no piece needs ndis_shim_reachable()
 *
 * One entry per page piece (virt_to_page() / vmalloc_to_page()), then
 * dma_map_sgtable() and every mapped segment checked against @limit. Atomic
 * allocations only (a table of its own when @nents exceeds @cap): callable
 * at DISPATCH_LEVEL.
 *
 * Return: 0; -EFAULT when a piece has no page; -ERANGE when the device could
 * only reach it through a bounce pool beyond its reach, or the mapping landed
 * above @limit; -ENOMEM when allocating or mapping failed; -EINVAL when
 * @nents does not match @ranges. On error nothing is left mapped or
 * allocated and @sgt is empty.
 */
int ndis_shim_sg_map(struct device *dev, struct sg_table *sgt, struct scatterlist *ents,
		     unsigned int cap, const struct ndis_shim_sg_range *ranges,
		     unsigned int nranges, unsigned int nents, enum dma_data_direction dir,
		     u64 limit, bool reach_all)
{
	struct scatterlist *sg;
	unsigned int i, filled = 0;
	int ret;

	if (!nranges || !nents)
		return -EINVAL;
	if (nents <= cap) {
		sg_init_table(ents, nents);
		sgt->sgl = ents;
		sgt->orig_nents = nents;
		sgt->nents = 0;
	} else if (sg_alloc_table(sgt, nents, GFP_ATOMIC | __GFP_NOWARN)) {
		memset(sgt, 0, sizeof(*sgt));
		return -ENOMEM;
	}
	sg = sgt->sgl;
	for (i = 0; i < nranges; i++) {
		u8 *va = ranges[i].va;
		size_t left = ranges[i].len;
		bool vmalloc = is_vmalloc_addr(va);

		while (left) {
			unsigned int off = offset_in_page(va);
			unsigned int len = min_t(size_t, left, PAGE_SIZE - off);
			struct page *page = vmalloc ? vmalloc_to_page(va) : virt_to_page(va);

			if (!sg || !page) {
				ret = sg ? -EFAULT : -EINVAL;
				goto table;
			}
			if (!reach_all &&
			    !ndis_shim_reachable(dev, page_to_phys(page) + off, len, limit)) {
				ret = -ERANGE;
				goto table;
			}
			sg_set_page(sg, page, len, off);
			sg = sg_next(sg);
			filled++;
			va += len;
			left -= len;
		}
	}
	if (filled != nents) {
		ret = -EINVAL;
		goto table;
	}
	ret = dma_map_sgtable(dev, sgt, dir, DMA_ATTR_NO_WARN);
	if (ret) {
		ret = -ENOMEM;
		goto table;
	}
	for_each_sgtable_dma_sg(sgt, sg, i) {
		if (sg_dma_address(sg) + sg_dma_len(sg) - 1 > limit) {
			/* The device never saw it: nothing to copy back. */
			dma_unmap_sgtable(dev, sgt, dir, DMA_ATTR_SKIP_CPU_SYNC);
			ret = -ERANGE;
			goto table;
		}
	}
	return 0;
table:
	ndis_shim_sg_table_release(sgt, ents);
	return ret;
}

/*
 * Unmaps a table from ndis_shim_sg_map(), first handing the memory back to
 * the CPU if @sync_for_cpu (device-to-host), and leaves it empty. The unmap
 * itself syncs nothing: a list released without @sync_for_cpu (left at
 * NdisMDeregisterScatterGatherDma, undone) is memory the miniport may have
 * reused or freed, and a swiotlb slot copied back would write over it.
 * Never sleeps.
 */
void ndis_shim_sg_unmap(struct device *dev, struct sg_table *sgt, struct scatterlist *ents,
			enum dma_data_direction dir, bool sync_for_cpu)
{
	if (sync_for_cpu)
		dma_sync_sgtable_for_cpu(dev, sgt, dir);
	dma_unmap_sgtable(dev, sgt, dir, DMA_ATTR_SKIP_CPU_SYNC);
	ndis_shim_sg_table_release(sgt, ents);
}

/*
 * The 64 bits at @at, or 0 when they cannot be read: NdisMFreeNetBufferSGList
 * reads the Reserved field of a list the miniport hands back, which may be
 * anything it passes. Never faults, never sleeps.
 */
u64 ndis_shim_sg_read_hint(const void *at)
{
	u64 v;

	if (copy_from_kernel_nofault(&v, at, sizeof(v)))
		return 0;
	return v;
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
