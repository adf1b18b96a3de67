// SPDX-License-Identifier: GPL-2.0
/*
 * Thin C wrappers over the Linux DMA-mapping calls that are static inline
 * (and so unreachable from Rust): dma_map_single, dma_mapping_error,
 * dma_sync_single_for_cpu, the interrupt plumbing, and the rejected-call
 * log's rate limit. Each does one call and no policy;
 * the Rust side (rust/dma.rs) owns the mapping and unmaps it on Drop.
 */
#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/hrtimer.h>
#include <linux/mm.h>
#include <linux/netdevice.h>
#include <linux/pci.h>
#include <linux/random.h>
#include <linux/ratelimit.h>
#include <linux/rcupdate.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <linux/swiotlb.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include <ndis.h>

#include "helpers.h"

/*
 * The span over which virt_addr_valid() gives one answer for every page:
 * on x86_64 a bounds check and pfn_valid(), which sparsemem answers per
 * subsection. Elsewhere (arm64's pfn_is_map_memory() can change from page
 * to page) every page is asked.
 */
#if defined(CONFIG_X86_64) && defined(CONFIG_SPARSEMEM_VMEMMAP)
#define NDIS_SHIM_VALID_STRIDE (PAGES_PER_SUBSECTION * PAGE_SIZE)
#else
#define NDIS_SHIM_VALID_STRIDE PAGE_SIZE
#endif

/*
 * Could dma_map_single() of [va, va + len) fail or WARN for lack of reach?
 * Under dma-direct an address beyond the mask bounces through swiotlb, and
 * a swiotlb pool beyond a narrow mask (edu's 28 bits in a 1 GiB guest) makes
 * the map WARN ("swiotlb addr ... overflow"). The shim bounces through its
 * own coherent memory instead, so it asks first.
 */
bool ndis_shim_reachable(struct device *dev, phys_addr_t phys, size_t len,
			 u64 limit)
{
	struct io_tlb_mem *mem;

	if (dev_dma_iommu(dev))
		return true; /* the IOVA allocator honours the mask */
	if (!is_swiotlb_force_bounce(dev) &&
	    phys_to_dma(dev, phys) + len - 1 <= limit)
		return true;
	mem = dev->dma_io_tlb_mem;
	return mem && mem->nslabs &&
	       phys_to_dma(dev, mem->defpool.end - 1) <= limit;
}

/**
 * ndis_shim_dma_reach_all() - does every streaming map of @dev stay within @limit?
 * @dev: the device
 * @limit: the highest bus address its transfers may use
 *
 * True when an IOMMU translates (its IOVA allocator honours the mask) or,
 * with no forced bouncing, all of RAM lies within @limit. Then no buffer
 * needs ndis_shim_reachable(), and a channel decides this once, at
 * registration, instead of on every transfer. Memory hot-added later
 * beyond @limit is still refused: the mapped address is checked against
 * @limit after every map.
 */
bool ndis_shim_dma_reach_all(struct device *dev, u64 limit)
{
	if (dev_dma_iommu(dev))
		return true;
	return !is_swiotlb_force_bounce(dev) &&
	       dma_get_required_mask(dev) <= limit;
}

/**
 * ndis_shim_dma_map() - map a kernel-virtual range for streaming DMA
 * @dev: the device that will access the memory
 * @va: start of the range: all of it in the linear map, or all of it in
 *      vmalloc space, as ndis_shim_kernel_range() verified when the MDL
 *      was decoded (so no page of it is asked about again here)
 * @len: length in bytes, > 0
 * @dir: DMA_TO_DEVICE or DMA_FROM_DEVICE
 * @limit: highest bus address the transfer may use (the channel's reach)
 * @reach_all: ndis_shim_dma_reach_all(@dev, @limit), decided beforehand
 * @addr: the device address, on success
 *
 * Return: 0; -EFAULT when the range is in vmalloc space and so not
 * physically contiguous; -ERANGE when it could only be reached
 * through a bounce pool the device cannot address or the mapping landed
 * above @limit; -ENOMEM when the mapping failed. On any error nothing is
 * left mapped. Never sleeps.
 */
int ndis_shim_dma_map(struct device *dev, void *va, size_t len,
		      enum dma_data_direction dir, u64 limit, bool reach_all,
		      dma_addr_t *addr)
{
	dma_addr_t a;

	if (is_vmalloc_addr(va))
		return -EFAULT;
	if (!reach_all && !ndis_shim_reachable(dev, virt_to_phys(va), len, limit))
		return -ERANGE;
	a = dma_map_single_attrs(dev, va, len, dir, DMA_ATTR_NO_WARN);
	if (dma_mapping_error(dev, a))
		return -ENOMEM;
	if (a + len - 1 > limit) {
		/* The device never saw it: nothing to copy back. */
		dma_unmap_single_attrs(dev, a, len, dir, DMA_ATTR_SKIP_CPU_SYNC);
		return -ERANGE;
	}
	*addr = a;
	return 0;
}

/**
 * ndis_shim_dma_map_in_page() - map part of one page for streaming DMA
 * @dev, @len, @dir, @limit, @reach_all, @addr: as for ndis_shim_dma_map()
 * @va: start of the range, in the linear map or in vmalloc space as for
 *      ndis_shim_dma_map(); the range must not cross a page boundary
 *
 * For buffers that are not physically contiguous (vmalloc), mapped page by
 * page. Return: as ndis_shim_dma_map(), and -EFAULT when @va has no page or
 * the range crosses a page. Never sleeps.
 */
int ndis_shim_dma_map_in_page(struct device *dev, void *va, size_t len,
			      enum dma_data_direction dir, u64 limit,
			      bool reach_all, dma_addr_t *addr)
{
	size_t offset = offset_in_page(va);
	struct page *page;
	dma_addr_t a;

	if (offset + len > PAGE_SIZE)
		return -EFAULT;
	if (is_vmalloc_addr(va))
		page = vmalloc_to_page(va);
	else
		page = virt_to_page(va);
	if (!page)
		return -EFAULT;
	if (!reach_all &&
	    !ndis_shim_reachable(dev, page_to_phys(page) + offset, len, limit))
		return -ERANGE;
	a = dma_map_page_attrs(dev, page, offset, len, dir, DMA_ATTR_NO_WARN);
	if (dma_mapping_error(dev, a))
		return -ENOMEM;
	if (a + len - 1 > limit) {
		/* The device never saw it: nothing to copy back. */
		dma_unmap_page_attrs(dev, a, len, dir, DMA_ATTR_SKIP_CPU_SYNC);
		return -ERANGE;
	}
	*addr = a;
	return 0;
}

/*
 * Unmaps without a sync for the CPU: a transfer completed coherently was
 * synced first (ndis_shim_dma_sync_for_cpu), and one released incoherent
 * (completed while the engine ran, abandoned at Deregister, left open at
 * NdisMFreeMapRegisters) hands its memory back to the miniport, which may
 * have refilled or freed it by the time the mapping goes: a swiotlb slot
 * copied back then would write over it.
 */
void ndis_shim_dma_unmap(struct device *dev, dma_addr_t addr, size_t len,
			 enum dma_data_direction dir)
{
	dma_unmap_single_attrs(dev, addr, len, dir, DMA_ATTR_SKIP_CPU_SYNC);
}

void ndis_shim_dma_sync_for_cpu(struct device *dev, dma_addr_t addr, size_t len,
				enum dma_data_direction dir)
{
	dma_sync_single_for_cpu(dev, addr, len, dir);
}

/*
 * The line size DMA-API debug tracks overlapping device-to-host mappings in
 * (and the CPU's cache line): a device-to-host transfer that shares a line
 * with other memory is bounced instead of mapped in place.
 */
unsigned int ndis_shim_dma_cacheline(void)
{
	return max_t(unsigned int, dma_get_cache_alignment(), L1_CACHE_BYTES);
}

/* The effective reach of @dev for streaming DMA. */
u64 ndis_shim_dma_limit(struct device *dev)
{
	return min_not_zero(dma_get_mask(dev), dev->bus_dma_limit);
}

/*
 * Interrupts: MiniportInterrupt runs in the hard-IRQ handler; when it asks
 * for a DPC, MiniportInterruptDPC runs from the BH workqueue, i.e. in
 * softirq context (DISPATCH_LEVEL: must not sleep), as on Windows.
 */
struct ndis_shim_irq {
	struct pci_dev *pdev;
	int irq;
	ndis_shim_isr_t isr;
	ndis_shim_dpc_t dpc;
	void *ctx;
	struct work_struct dpc_work;
	/*
	 * Windows' interrupt spin lock: held around every ISR run and around
	 * NdisMSynchronizeWithInterruptEx's function (with local interrupts
	 * off there), so the two never overlap on any CPU.
	 */
	spinlock_t isr_lock;
	/* The CPU running the ISR under isr_lock, or -1. */
	int isr_cpu;
	/*
	 * The net_device's NAPI context while the adapter is one (written
	 * under isr_lock): the ISR schedules it instead of the BH work, and
	 * its poll runs the DPC (ndis_shim_irq_poll).
	 */
	struct napi_struct *napi;
	/*
	 * Held around every DPC run, from the BH work or a NAPI poll: NDIS
	 * runs one DPC of a line-based interrupt at a time, and the switch
	 * between the two must not let them overlap.
	 */
	spinlock_t dpc_lock;
	/*
	 * Interrupts the ISR claimed and DPCs it asked for, for debugfs's
	 * view: written under isr_lock, read unlocked (READ_ONCE).
	 */
	unsigned long claimed;
	unsigned long dpcs_queued;
};

static irqreturn_t ndis_shim_irq_handler(int irq, void *data)
{
	struct ndis_shim_irq *p = data;
	unsigned char queue_dpc = 0;
	unsigned char claimed;
	u32 target = 0;

	spin_lock(&p->isr_lock);
	WRITE_ONCE(p->isr_cpu, raw_smp_processor_id());
	claimed = p->isr(p->ctx, &queue_dpc, &target);
	WRITE_ONCE(p->isr_cpu, -1);
	if (claimed) {
		WRITE_ONCE(p->claimed, p->claimed + 1);
		if (queue_dpc)
			WRITE_ONCE(p->dpcs_queued, p->dpcs_queued + 1);
	}
	spin_unlock(&p->isr_lock);
	if (!claimed)
		return IRQ_NONE;
	if (queue_dpc) {
		struct napi_struct *napi = READ_ONCE(p->napi);

		if (napi)
			napi_schedule(napi);
		else
			queue_work(system_bh_wq, &p->dpc_work);
	}
	return IRQ_HANDLED;
}

static void ndis_shim_dpc_work(struct work_struct *work)
{
	struct ndis_shim_irq *p = container_of(work, struct ndis_shim_irq, dpc_work);

	spin_lock(&p->dpc_lock);
	p->dpc(p->ctx, NULL, NULL, NULL);
	spin_unlock(&p->dpc_lock);
}

/*
 * What debugfs's view shows of a connected interrupt: its Linux IRQ number,
 * interrupts claimed and DPCs queued so far. Any context.
 */
void ndis_shim_irq_counts(struct ndis_shim_irq *p, int *irq, u64 *claimed, u64 *dpcs_queued)
{
	*irq = p->irq;
	*claimed = READ_ONCE(p->claimed);
	*dpcs_queued = READ_ONCE(p->dpcs_queued);
}

/*
 * A short id for an object's address in debugfs's view: a keyed hash
 * (random key), so the view shows which MDL is which without printing a
 * kernel address, whatever no_hash_pointers says. Any context.
 */
u32 ndis_shim_view_id(unsigned long address)
{
	static siphash_key_t key;

	get_random_once(&key, sizeof(key));
	return (u32)siphash_1u64(address, &key);
}

/*
 * Sends the DPC to @napi's poll from the next interrupt on (NULL: back to
 * the BH work). Any context.
 */
void ndis_shim_irq_set_napi(struct ndis_shim_irq *p, struct napi_struct *napi)
{
	unsigned long flags;

	spin_lock_irqsave(&p->isr_lock, flags);
	WRITE_ONCE(p->napi, napi);
	spin_unlock_irqrestore(&p->isr_lock, flags);
}

/*
 * Runs the DPC once more on the BH work: for a DPC a NAPI poll owed when
 * its NAPI context was disabled. Any context.
 */
void ndis_shim_irq_queue_dpc(struct ndis_shim_irq *p)
{
	queue_work(system_bh_wq, &p->dpc_work);
}

/*
 * The DPC from a NAPI poll, with NDIS 6.20's receive throttle: at most
 * @budget NBLs indicated. Return: whether the miniport left frames
 * (MoreNblsPending: NDIS runs the DPC again). Softirq.
 */
bool ndis_shim_irq_poll(struct ndis_shim_irq *p, int budget)
{
	NDIS_RECEIVE_THROTTLE_PARAMETERS throttle = {
		.MaxNblsToIndicate = budget,
		.MoreNblsPending = 0,
	};

	spin_lock(&p->dpc_lock);
	p->dpc(p->ctx, NULL, &throttle, NULL);
	spin_unlock(&p->dpc_lock);
	return throttle.MoreNblsPending;
}

/**
 * ndis_shim_irq_connect() - connect a miniport's ISR and DPC to its device
 * @message_based: set to whether MSI (rather than INTx) was connected
 *
 * Return: the connection, or an ERR_PTR. May sleep.
 */
struct ndis_shim_irq *ndis_shim_irq_connect(struct pci_dev *pdev,
					    ndis_shim_isr_t isr,
					    ndis_shim_dpc_t dpc, void *ctx,
					    const char *name, bool *message_based)
{
	struct ndis_shim_irq *p;
	int err;

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return ERR_PTR(-ENOMEM);
	err = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI | PCI_IRQ_INTX);
	if (err < 0)
		goto free;
	p->pdev = pdev;
	p->irq = pci_irq_vector(pdev, 0);
	p->isr = isr;
	p->dpc = dpc;
	p->ctx = ctx;
	INIT_WORK(&p->dpc_work, ndis_shim_dpc_work);
	spin_lock_init(&p->isr_lock);
	spin_lock_init(&p->dpc_lock);
	p->isr_cpu = -1;
	err = request_irq(p->irq, ndis_shim_irq_handler,
			  pdev->msi_enabled ? 0 : IRQF_SHARED, name, p);
	if (err)
		goto vectors;
	*message_based = pdev->msi_enabled;
	return p;
vectors:
	pci_free_irq_vectors(pdev);
free:
	kfree(p);
	return ERR_PTR(err);
}

/* Disconnects and waits for a running ISR and DPC to finish. May sleep. */
void ndis_shim_irq_disconnect(struct ndis_shim_irq *p)
{
	free_irq(p->irq, p);
	cancel_work_sync(&p->dpc_work);
	pci_free_irq_vectors(p->pdev);
	kfree(p);
}

/*
 * NdisMSynchronizeWithInterruptEx: runs @fn(@ctx) under the ISR's lock with
 * local interrupts off (Windows: at DIRQL holding the interrupt spin lock),
 * so the ISR runs neither on this CPU nor on another meanwhile. Called
 * from the ISR itself (the lock is this CPU's already) it runs @fn
 * directly: the ISR is excluded by being the caller. Any context.
 */
unsigned char ndis_shim_irq_synchronize(struct ndis_shim_irq *p,
					unsigned char (*fn)(void *ctx), void *ctx)
{
	unsigned long flags;
	unsigned char ret;

	if (in_hardirq() && READ_ONCE(p->isr_cpu) == raw_smp_processor_id())
		return fn(ctx);
	spin_lock_irqsave(&p->isr_lock, flags);
	ret = fn(ctx);
	spin_unlock_irqrestore(&p->isr_lock, flags);
	return ret;
}

/*
 * NDIS timer objects (rust/timer.rs). A C wrapper, not the kernel crate's
 * HrTimer: that one fixes relative or absolute expiry in the timer's type,
 * cancels only with hrtimer_cancel() (which waits for a running callback,
 * a deadlock when a timer function cancels or re-sets its own timer, as
 * NDIS allows), and has no hrtimer_is_queued(); NdisSetTimerObject and
 * NdisCancelTimerObject need all three.
 *
 * The hrtimer runs in soft mode: its callback runs in softirq context
 * (HRTIMER_SOFTIRQ, bottom halves off), DISPATCH_LEVEL as on Windows.
 * @armed is what NDIS calls "in the system timer queue": set by Set,
 * cleared by Cancel and when a one-shot timer fires. The hrtimer's own
 * state cannot say it: hrtimer_try_to_cancel() refuses (-1) while the
 * callback runs, even if the timer is queued again meanwhile. So a firing
 * the timer is no longer armed for (cancelled too late to dequeue) runs
 * nothing. A periodic timer is re-queued, under @lock, before its function
 * runs (Windows re-inserts a periodic timer before queueing its DPC);
 * Cancel clears @armed under the same lock, so no firing after a Cancel
 * calls the function and none re-arms.
 */
struct ndis_shim_timer {
	struct hrtimer timer;
	spinlock_t lock;		/* @armed, @period, @ctx */
	ndis_shim_timer_fn_t fn;
	void *ctx;
	u64 period_ns;
	bool armed;
};

static enum hrtimer_restart ndis_shim_timer_fire(struct hrtimer *h)
{
	struct ndis_shim_timer *t = container_of(h, struct ndis_shim_timer, timer);
	unsigned long flags;
	void *ctx;

	spin_lock_irqsave(&t->lock, flags);
	/* Cancelled, or set again after this firing was dequeued. */
	if (!t->armed || hrtimer_is_queued(h)) {
		spin_unlock_irqrestore(&t->lock, flags);
		return HRTIMER_NORESTART;
	}
	ctx = t->ctx;
	if (t->period_ns) {
		hrtimer_forward_now(h, ns_to_ktime(t->period_ns));
		hrtimer_start_expires(h, HRTIMER_MODE_ABS_SOFT);
	} else {
		t->armed = false;
	}
	spin_unlock_irqrestore(&t->lock, flags);
	t->fn(NULL, ctx, NULL, NULL);
	return HRTIMER_NORESTART;
}

/* A new, idle timer; NULL without memory. @gfp: GFP_ATOMIC at DISPATCH. */
struct ndis_shim_timer *ndis_shim_timer_new(ndis_shim_timer_fn_t fn, gfp_t gfp)
{
	struct ndis_shim_timer *t = kzalloc(sizeof(*t), gfp);

	if (!t)
		return NULL;
	hrtimer_setup(&t->timer, ndis_shim_timer_fire, CLOCK_MONOTONIC,
		      HRTIMER_MODE_REL_SOFT);
	spin_lock_init(&t->lock);
	t->fn = fn;
	return t;
}

/*
 * Arms @t to fire @delay_ns from now, then every @period_ns (0: once),
 * with @ctx. Returns whether it was armed before. Any context but hard IRQ.
 */
bool ndis_shim_timer_set(struct ndis_shim_timer *t, u64 delay_ns,
			 u64 period_ns, void *ctx)
{
	unsigned long flags;
	bool was;

	spin_lock_irqsave(&t->lock, flags);
	was = t->armed;
	t->armed = true;
	t->period_ns = period_ns;
	t->ctx = ctx;
	/* Replaces a queued expiry; legal while the callback runs. */
	hrtimer_start(&t->timer, ns_to_ktime(delay_ns), HRTIMER_MODE_REL_SOFT);
	spin_unlock_irqrestore(&t->lock, flags);
	return was;
}

/*
 * Disarms @t: returns whether it was armed. With @wait (the caller may
 * sleep, and is not the timer's own callback) it also waits for a running
 * callback to return; otherwise it dequeues what it can without waiting.
 */
bool ndis_shim_timer_cancel(struct ndis_shim_timer *t, bool wait)
{
	unsigned long flags;
	bool was;

	spin_lock_irqsave(&t->lock, flags);
	was = t->armed;
	t->armed = false;
	spin_unlock_irqrestore(&t->lock, flags);
	/* Outside @lock: hrtimer_cancel() waits for the callback, which takes it. */
	if (wait)
		hrtimer_cancel(&t->timer);
	else
		hrtimer_try_to_cancel(&t->timer);
	return was;
}

/*
 * Disarms @t, waits for its callback and frees it: nothing of it runs
 * after. Process context (never the timer's own callback).
 */
void ndis_shim_timer_free(struct ndis_shim_timer *t)
{
	ndis_shim_timer_cancel(t, true);
	kfree(t);
}

/* 100 ns units since 1601-01-01 (Windows system time), now. */
s64 ndis_shim_system_time(void)
{
	return (s64)(ktime_get_real_ns() / 100) + 116444736000000000LL;
}

/*
 * Whether the caller may sleep (PASSIVE_LEVEL): allocations at DISPATCH
 * must be atomic. preemptible() reads the preempt count, which only a
 * kernel with CONFIG_PREEMPT_COUNT keeps: without it preemptible() is
 * constant 0, every caller would look atomic and, for one, every
 * NdisMAllocateSharedMemory would be refused. Such kernels are refused at
 * build time instead (see Documentation/design.rst).
 */
#ifndef CONFIG_PREEMPT_COUNT
#error "ndis-shim needs CONFIG_PREEMPT_COUNT (selected by PREEMPT_DYNAMIC, PREEMPT or DEBUG_ATOMIC_SLEEP) to tell PASSIVE_LEVEL from DISPATCH_LEVEL"
#endif
bool ndis_shim_may_sleep(void)
{
	return preemptible();
}

/*
 * The handle registry's read side (rust/registry.rs): an RCU-sched read
 * section, which synchronize_rcu() waits for like any other. The _notrace
 * forms leave lockdep out: its rcu_lock_map bookkeeping would cost a
 * lookup on the test kernel more than the rest of a transfer.
 */
void ndis_shim_handle_read_lock(void)
{
	rcu_read_lock_sched_notrace();
}

void ndis_shim_handle_read_unlock(void)
{
	rcu_read_unlock_sched_notrace();
}

/*
 * DISPATCH_LEVEL for a channel claim (rust/claim.rs): bottom halves off,
 * which keeps DPCs (the BH workqueue) and other tasks off this CPU. Where
 * interrupts are off already nothing more is needed, and local_bh_enable()
 * must not be called there. Returns whether bottom halves were turned off.
 */
bool ndis_shim_dispatch_enter(void)
{
	if (irqs_disabled())
		return false;
	local_bh_disable();
	return true;
}

void ndis_shim_dispatch_exit(bool bh_disabled)
{
	if (bh_disabled)
		local_bh_enable();
}

/* Whether the caller may have interrupted code on its own CPU. */
bool ndis_shim_in_hardirq(void)
{
	return in_hardirq() || in_nmi();
}

/*
 * Bus-master DMA (rust/shared_memory.rs): the alignment a DMA buffer needs,
 * the CPU's cache line, and the reach of coherent allocations.
 */
unsigned int ndis_shim_dma_alignment(void)
{
	return dma_get_cache_alignment();
}

unsigned int ndis_shim_cache_line_size(void)
{
	return cache_line_size();
}

u64 ndis_shim_dma_coherent_limit(struct device *dev)
{
	return min_not_zero(dev->coherent_dma_mask, dev->bus_dma_limit);
}

/*
 * MDL decoding (rust/net_buffer.rs): can the shim turn every page of
 * [va, va + len) into a struct page, as its mapping helpers will? All of it
 * in the linear map, or all of it in vmalloc space and mapped. Decided from
 * the address alone, never touching the memory: it may be a user-context
 * address or not mapped at all. @len > 0 and the range does not wrap (the
 * caller checks). Never sleeps.
 */
bool ndis_shim_kernel_range(const void *va, size_t len)
{
	unsigned long page = (unsigned long)va & PAGE_MASK;
	unsigned long last = (unsigned long)va + len - 1;

	if (is_vmalloc_addr(va)) {
		/* vmalloc space has holes (guard pages): every page. */
		for (;; page += PAGE_SIZE) {
			const void *p = (const void *)page;

			if (!is_vmalloc_addr(p) || !vmalloc_to_page(p))
				return false;
			if (last - page < PAGE_SIZE)
				return true;
		}
	}
	/*
	 * The linear map: virt_addr_valid() is a bounds check, monotonic over
	 * the range, and pfn_valid(), which sparsemem answers per memory
	 * subsection (2 MiB on x86_64). Asking at the first page, at each
	 * subsection boundary and at the last page is asking at every page,
	 * without a Setup of 64 KiB asking 16 times.
	 */
	for (;;) {
		unsigned long next;

		if (!virt_addr_valid((const void *)page))
			return false;
		if (last - page < PAGE_SIZE)
			return true;
		next = ALIGN(page + 1, NDIS_SHIM_VALID_STRIDE);
		page = next <= last ? next : last & PAGE_MASK;
	}
}

/*
 * NdisAllocateMemory (rust/memory.rs): the physical address of kmalloc
 * memory, and kmalloc from ZONE_DMA (GFP_DMA is not visible to Rust).
 */
u64 ndis_shim_virt_to_phys(void *va)
{
	return virt_to_phys(va);
}

void *ndis_shim_kmalloc_dma_zone(size_t size, gfp_t gfp)
{
	return kmalloc(size, gfp | GFP_DMA);
}

/*
 * The rate limit of rejected-call log lines (rust/reject.rs): one state per
 * adapter, initialized here because ratelimit_state_init() is static inline
 * (its raw spin lock takes a lockdep class), and one for calls no adapter
 * is known for. The kernel's defaults: 10 lines per 5 s.
 */
void ndis_shim_ratelimit_init(struct ratelimit_state *rs)
{
	ratelimit_default_init(rs);
}

static DEFINE_RATELIMIT_STATE(ndis_shim_unattributed_rs, DEFAULT_RATELIMIT_INTERVAL,
			      DEFAULT_RATELIMIT_BURST);

struct ratelimit_state *ndis_shim_unattributed_ratelimit(void)
{
	return &ndis_shim_unattributed_rs;
}
