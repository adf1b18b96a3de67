/* SPDX-License-Identifier: GPL-2.0 */
/*
 * C wrappers for the shim's scatter-gather DMA (rust/sg_helpers.c); their
 * Rust declarations are in rust/sg_map.rs and (ndis_shim_sg_process)
 * rust/sg_dma.rs.
 */
#ifndef _NDIS_SHIM_SG_HELPERS_H
#define _NDIS_SHIM_SG_HELPERS_H

#include <linux/dma-mapping.h>
#include <linux/scatterlist.h>

/* One virtually contiguous piece of the data (linear map or vmalloc). */
struct ndis_shim_sg_range {
	void *va;
	size_t len;
};

struct scatterlist *ndis_shim_sg_entries_alloc(unsigned int n);
void ndis_shim_sg_entries_free(struct scatterlist *ents);
int ndis_shim_sg_map(struct device *dev, struct sg_table *sgt, struct scatterlist *ents,
		     unsigned int cap, const struct ndis_shim_sg_range *ranges,
		     unsigned int nranges, unsigned int nents, enum dma_data_direction dir,
		     u64 limit, bool reach_all);
void ndis_shim_sg_unmap(struct device *dev, struct sg_table *sgt, struct scatterlist *ents,
			enum dma_data_direction dir, bool sync_for_cpu);
u64 ndis_shim_sg_read_hint(const void *at);
unsigned int ndis_shim_dma_max_seg_size(struct device *dev);

/* MINIPORT_PROCESS_SG_LIST: (pDO, Reserved, pSGL, Context). */
typedef void (*ndis_shim_process_sg_list)(void *pdo, void *reserved, void *list,
					  void *context);
void ndis_shim_sg_process(ndis_shim_process_sg_list process, void *list, void *context);

#endif /* _NDIS_SHIM_SG_HELPERS_H */
