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

/* One piece of the data, inside one page (linear map or vmalloc). */
struct ndis_shim_sg_chunk {
	void *va;
	unsigned int len;
};

int ndis_shim_sg_map(struct device *dev, const struct ndis_shim_sg_chunk *chunks,
		     unsigned int n, enum dma_data_direction dir, u64 limit,
		     bool reach_all, struct sg_table **out);
void ndis_shim_sg_unmap(struct device *dev, struct sg_table *sgt,
			enum dma_data_direction dir);
void ndis_shim_sg_sync_for_cpu(struct device *dev, struct sg_table *sgt,
			       enum dma_data_direction dir);
unsigned int ndis_shim_dma_max_seg_size(struct device *dev);

/* MINIPORT_PROCESS_SG_LIST: (pDO, Reserved, pSGL, Context). */
typedef void (*ndis_shim_process_sg_list)(void *pdo, void *reserved, void *list,
					  void *context);
void ndis_shim_sg_process(ndis_shim_process_sg_list process, void *list, void *context);

#endif /* _NDIS_SHIM_SG_HELPERS_H */
