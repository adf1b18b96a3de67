/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The C wrappers the shim's Rust code calls (rust/helpers.c); their Rust
 * declarations are in rust/claim.rs, rust/dma.rs, rust/interrupt.rs,
 * rust/live_view.rs, rust/memory.rs, rust/net_buffer.rs and rust/reject.rs.
 */
#ifndef _NDIS_SHIM_HELPERS_H
#define _NDIS_SHIM_HELPERS_H

#include <linux/dma-mapping.h>
#include <linux/pci.h>
#include <linux/ratelimit_types.h>

bool ndis_shim_dma_reach_all(struct device *dev, u64 limit);
int ndis_shim_dma_map(struct device *dev, void *va, size_t len,
		      enum dma_data_direction dir, u64 limit, bool reach_all,
		      dma_addr_t *addr);
int ndis_shim_dma_map_in_page(struct device *dev, void *va, size_t len,
			      enum dma_data_direction dir, u64 limit,
			      bool reach_all, dma_addr_t *addr);
void ndis_shim_dma_unmap(struct device *dev, dma_addr_t addr, size_t len,
			 enum dma_data_direction dir);
void ndis_shim_dma_sync_for_cpu(struct device *dev, dma_addr_t addr, size_t len,
				enum dma_data_direction dir);
unsigned int ndis_shim_dma_cacheline(void);
u64 ndis_shim_dma_limit(struct device *dev);
bool ndis_shim_reachable(struct device *dev, phys_addr_t phys, size_t len,
			 u64 limit);

typedef unsigned char (*ndis_shim_isr_t)(void *ctx, unsigned char *queue_dpc,
					 u32 *target_processors);
typedef void (*ndis_shim_dpc_t)(void *ctx, void *dpc_ctx, void *throttle,
				void *reserved);
struct ndis_shim_irq;

struct ndis_shim_irq *ndis_shim_irq_connect(struct pci_dev *pdev,
					    ndis_shim_isr_t isr,
					    ndis_shim_dpc_t dpc, void *ctx,
					    const char *name, bool *message_based);
void ndis_shim_irq_disconnect(struct ndis_shim_irq *irq);
struct napi_struct;
void ndis_shim_irq_set_napi(struct ndis_shim_irq *p, struct napi_struct *napi);
bool ndis_shim_irq_poll(struct ndis_shim_irq *p, int budget);
void ndis_shim_irq_queue_dpc(struct ndis_shim_irq *p);
unsigned char ndis_shim_irq_synchronize(struct ndis_shim_irq *p,
					unsigned char (*fn)(void *ctx), void *ctx);

typedef void (*ndis_shim_timer_fn_t)(void *s1, void *ctx, void *s2, void *s3);
struct ndis_shim_timer;

struct ndis_shim_timer *ndis_shim_timer_new(ndis_shim_timer_fn_t fn, gfp_t gfp);
bool ndis_shim_timer_set(struct ndis_shim_timer *t, u64 delay_ns,
			 u64 period_ns, void *ctx);
bool ndis_shim_timer_cancel(struct ndis_shim_timer *t, bool wait);
void ndis_shim_timer_free(struct ndis_shim_timer *t);
s64 ndis_shim_system_time(void);
bool ndis_shim_may_sleep(void);
void ndis_shim_handle_read_lock(void);
void ndis_shim_handle_read_unlock(void);
bool ndis_shim_dispatch_enter(void);
void ndis_shim_dispatch_exit(bool bh_disabled);
bool ndis_shim_in_hardirq(void);
void ndis_shim_irq_counts(struct ndis_shim_irq *p, int *irq, u64 *claimed, u64 *dpcs_queued);
u32 ndis_shim_view_id(unsigned long address);

unsigned int ndis_shim_dma_alignment(void);
unsigned int ndis_shim_cache_line_size(void);
u64 ndis_shim_dma_coherent_limit(struct device *dev);

bool ndis_shim_kernel_range(const void *va, size_t len);

u64 ndis_shim_virt_to_phys(void *va);
void *ndis_shim_kmalloc_dma_zone(size_t size, gfp_t gfp);

void ndis_shim_ratelimit_init(struct ratelimit_state *rs);
struct ratelimit_state *ndis_shim_unattributed_ratelimit(void);

/* rust/config_param.c, called from rust/configuration.rs */
size_t ndis_shim_config_copy(char *buf, size_t size);
size_t ndis_shim_config_max(void);

#endif /* _NDIS_SHIM_HELPERS_H */
