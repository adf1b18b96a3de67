// SPDX-License-Identifier: GPL-2.0
/*
 * ndis_mask_race - 24-bit allocations racing shared memory and transfers.
 *
 * The shim sets a device's DMA masks once, at probe, from the glue's
 * DmaAddressBits. Memory that must lie below a narrower limit (map
 * registers allocated with NDIS_DMA_24BITS, the bounce memory of a channel
 * registered with Dma32BitAddresses == FALSE) is allocated under a coherent
 * mask narrowed for that one allocation, inside a per-device mutex every
 * coherent allocation of the shim takes. Without that mutex two narrowing
 * allocations can restore the mask in the wrong order (it stays at 24
 * bits), an allocation can run under the other's narrow mask, or be
 * checked against it. This module makes those races as likely as it can
 * and reports what each of them would leave behind.
 *
 * A bus-master NDIS 6.30 miniport for QEMU's edu device. A run starts, per
 * adapter, five kernel threads at once, each for a fixed number of
 * iterations:
 *
 *  mr24    NdisMAllocateMapRegisters(NDIS_DMA_24BITS, MR_COUNT registers)
 *          then, on every register, NdisMStartBufferPhysicalMapping of a
 *          kmalloc buffer: each address + length must lie below 16 MiB
 *          (mapped in place there, or bounced into the register's low
 *          memory); the data is checked through those addresses as the
 *          device would reach them (IOMMU page table, or bus-to-physical),
 *          NdisMCompleteBufferPhysicalMapping, NdisMFreeMapRegisters;
 *  ch24    NdisMRegisterDmaChannel(Dma32BitAddresses = FALSE), one
 *          verified Setup/Complete transfer (the software engine checks
 *          the device address is below 16 MiB), NdisMDeregisterDmaChannel
 *          (map registers are one set per adapter: the second narrowing
 *          thread uses a 24-bit channel);
 *  shm0/1  NdisMAllocateSharedMemory / NdisMFreeSharedMemory (the DMA
 *          adapter they need is the scatter-gather DMA registration made
 *          at initialize, 32-bit: wider than edu's mask), up to
 *          SHM_HOLD blocks held at a time: each block's bus address and
 *          length must lie within the device's coherent mask as it was
 *          before the run, and every page of it must be the CPU's memory
 *          behind that bus address;
 *  xfer32  verified Setup/Complete transfers on a channel registered with
 *          32-bit addressing (re-registered every REREG_EVERY transfers),
 *          the address checked against the device's reach.
 *
 * NDIS_STATUS_RESOURCES from the 24-bit allocations (ZONE_DMA or the low
 * IOVA space running out) is accepted and counted; any other status, a
 * NULL shared-memory block or a wrong byte is an error. Map register and
 * shared memory calls are made at PASSIVE_LEVEL (kernel threads, no lock
 * held), as the shim requires.
 *
 * The DMA controller behind both channels is a software engine: it moves
 * the bytes through the device address the shim handed it, translated as
 * the device's bus would (see ndis_stress), and never leaves anything
 * running: Stop and IsBusy report it idle.
 *
 * /sys/kernel/debug/ndis_mask_race/run     (0200) "iterations=N [seed=S]"
 *     runs the five threads of every adapter, N iterations each
 *     (1..RACE_MAX_ITERATIONS), all at once; returns when all are done.
 *     A refused write fails with EINVAL (malformed, unknown key, not a
 *     number), ERANGE (N out of range) or E2BIG (too long) and runs nothing.
 * /sys/kernel/debug/ndis_mask_race/result  (0400) the last run: one line
 *     adapters= threads= iterations= mr24_ok= mr24_resources= ch24_ok=
 *     ch24_resources= shm_ok= xfer_ok= out24= shm_out= errors= err_mr24=
 *     err_ch24= err_shm= err_xfer= masks_changed= ms= err= [first=...]
 *     then one per adapter: adapter= dma_mask_before= dma_mask_after=
 *     coherent_dma_mask_before= coherent_dma_mask_after=
 */
#define NDIS_MINIPORT_DRIVER
#define NDIS630_MINIPORT

#include <linux/completion.h>
#include <linux/debugfs.h>
#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/iommu.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/prandom.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include <ndis_linux.h>

#define MAX_ADAPTERS	4
#define DMA_BITS	28		/* edu's reach, as the glue declares it */
#define LIMIT24		0xffffffULL
#define MR_COUNT	2		/* map registers per allocation */
#define MR_MAXLEN	8192		/* MaximumPhysicalMapping */
#define CH_MAXLEN	8192		/* channels' MaximumLength */
#define MAX_LEN		8192		/* the longest buffer either maps */
#define BUF_LEN		(MAX_LEN + 512)
/* Pages a MAX_LEN buffer at any offset spans, and then one. */
#define MAX_UNITS	(MAX_LEN / PAGE_SIZE + 2)
#define SHM_HOLD	4
#define REREG_EVERY	128
#define POISON		0xA5

/* Channel numbers, indexes of the software engine's state. */
#define CH_XFER		0
#define CH_24		1

enum race_kind { K_MR24, K_CH24, K_SHM0, K_SHM1, K_XFER, K_KINDS };

static const char *const kind_name[K_KINDS] = { "mr24", "ch24", "shm0", "shm1", "xfer32" };

struct race_adapter;

/* The software engine's state for one channel number. */
struct sw_channel {
	u64 limit;		/* highest device address it accepts */
	u8 *devmem;		/* the "device memory" it copies to and from */
	int err;		/* of the last Start: -ERANGE beyond @limit */
};

struct shm_block {
	void *va;
	NDIS_PHYSICAL_ADDRESS pa;
	u32 len;
	BOOLEAN cached;
};

struct race_thread {
	struct race_adapter *a;
	enum race_kind kind;
	struct rnd_state rnd;
	unsigned int iterations;
	struct task_struct *task;
	struct completion finished;
	u8 *buf[MR_COUNT];	/* data buffers (kmalloc) */
	u8 *expect;		/* MR_COUNT * MAX_LEN */
	u8 *scratch;		/* MAX_LEN */
	PMDL mdl;		/* channel threads: all of buf[0] */
	NDIS_HANDLE dma;	/* xfer32: its channel */
	struct shm_block held[SHM_HOLD];
	/* results */
	u64 done, ok, resources, out24, shm_out, errors;
	char first_error[128];
};

struct race_adapter {
	NDIS_HANDLE handle;
	NDIS_HANDLE sg_dma;	/* the DMA adapter of the shared memory */
	struct pci_dev *pdev;
	struct sw_channel sw[2];
	struct race_thread t[K_KINDS];
	u64 dma_before, dma_after, coherent_before, coherent_after;
};

NDIS_LINUX_DRIVER_ENTRY DriverEntry;
MINIPORT_INITIALIZE RaceInitialize;
MINIPORT_HALT RaceHalt;
MINIPORT_PROCESS_SG_LIST RaceProcessSGList;
MINIPORT_UNLOAD RaceUnload;

static NDIS_HANDLE race_driver_handle;
static DEFINE_MUTEX(race_lock);	/* the adapter list and runs */
static struct race_adapter *race_adapters[MAX_ADAPTERS];
static struct dentry *race_dir;
static char race_result[1024];
static size_t race_result_len;

/* ---- the device's view of memory ---- */

/* The physical address a bus master reaches at device address @addr:
 * through the IOMMU domain's page table when there is one, else the
 * bus-to-physical translation (direct mapping or a swiotlb slot). */
static bool bus_phys(struct device *dev, u64 addr, phys_addr_t *phys)
{
	struct iommu_domain *dom = iommu_get_domain_for_dev(dev);
	bool paging = dom && (dom->type & __IOMMU_DOMAIN_PAGING);

	*phys = paging ? iommu_iova_to_phys(dom, addr) : dma_to_phys(dev, addr);
	return (!paging || *phys) && pfn_valid(PHYS_PFN(*phys));
}

/* Copies @len bytes between @cpu and the memory at device address @addr,
 * page by page: @from_bus reads what the device would read there, else
 * writes what it would write. Never sleeps. */
static int bus_copy(struct device *dev, u64 addr, u8 *cpu, u32 len, bool from_bus)
{
	u32 done = 0;

	while (done < len) {
		u64 a = addr + done;
		u32 chunk = min_t(u32, len - done, PAGE_SIZE - offset_in_page(a));
		phys_addr_t phys;
		u8 *va;

		if (!bus_phys(dev, a, &phys))
			return -EFAULT;
		va = phys_to_virt(phys);
		if (from_bus)
			memcpy(cpu + done, va, chunk);
		else
			memcpy(va, cpu + done, chunk);
		done += chunk;
	}
	return 0;
}

/* The physical address behind kernel address @va (linear map or vmalloc). */
static phys_addr_t cpu_phys(void *va)
{
	if (is_vmalloc_addr(va))
		return page_to_phys(vmalloc_to_page(va)) + offset_in_page(va);
	return virt_to_phys(va);
}

/* ---- the software DMA engine ---- */

static NDIS_STATUS RaceDmaStart(NDIS_HANDLE Ctx, UINT Channel, ULONG64 Address,
				ULONG Length, BOOLEAN WriteToDevice)
{
	struct race_adapter *a = Ctx;
	struct sw_channel *c;

	if (Channel >= ARRAY_SIZE(a->sw) || !Length || Length > CH_MAXLEN)
		return NDIS_STATUS_RESOURCES;
	c = &a->sw[Channel];
	if (Address > c->limit || Length - 1 > c->limit - Address) {
		/* Nothing moved: the thread counts it. */
		c->err = -ERANGE;
		return NDIS_STATUS_SUCCESS;
	}
	c->err = bus_copy(&a->pdev->dev, Address, c->devmem, Length, WriteToDevice);
	return NDIS_STATUS_SUCCESS;
}

/* The engine finishes inside Start: always idle. */
static BOOLEAN RaceDmaStop(NDIS_HANDLE Ctx, UINT Channel)
{
	return TRUE;
}

static BOOLEAN RaceDmaIsBusy(NDIS_HANDLE Ctx, UINT Channel)
{
	return FALSE;
}

static ULONG RaceDmaReadResidue(NDIS_HANDLE Ctx, UINT Channel)
{
	return 0;
}

static const NDIS_LINUX_DMA_CONTROLLER RaceDmaController = {
	.Start = RaceDmaStart,
	.Stop = RaceDmaStop,
	.IsBusy = RaceDmaIsBusy,
	.ReadResidue = RaceDmaReadResidue,
};

static const struct pci_device_id ndis_mask_race_ids[] = {
	{ PCI_DEVICE(0x1234, 0x11e8) },
	{ }
};

NDIS_LINUX_PCI_MINIPORT(ndis_mask_race, ndis_mask_race_ids, DriverEntry, DMA_BITS,
			&RaceDmaController);

MODULE_DESCRIPTION("ndis-shim selftest: 24-bit allocations racing shared memory and transfers");
MODULE_LICENSE("GPL");

/* ---- the threads ---- */

static void note_error(struct race_thread *t, const char *what, u64 value)
{
	t->errors++;
	if (!t->first_error[0])
		scnprintf(t->first_error, sizeof(t->first_error), "%s/%s:%s:%#llx",
			  pci_name(t->a->pdev), kind_name[t->kind], what, value);
}

static u32 random_len(struct race_thread *t, u32 max)
{
	static const u32 common[] = { 1, 64, 1500, 4096, 4097, 8192 };
	u32 r = prandom_u32_state(&t->rnd);

	if (r & 1)
		return min(common[(r >> 1) % ARRAY_SIZE(common)], max);
	return 1 + (r >> 1) % max;
}

/*
 * One verified transfer on channel @dma (engine state @c): returns whether
 * it moved the right bytes. A device address beyond the channel's reach is
 * counted in out24 on the 24-bit channel, as an error on the other.
 */
static bool channel_transfer(struct race_thread *t, NDIS_HANDLE dma, struct sw_channel *c,
			     bool is24)
{
	u32 r = prandom_u32_state(&t->rnd);
	bool to_device = r & 1;
	u32 off = (r >> 1) % 256;
	u32 len = random_len(t, CH_MAXLEN);
	u8 *buf = t->buf[0];
	NDIS_STATUS st;
	u32 j;

	prandom_bytes_state(&t->rnd, t->expect, len);
	memset(buf, POISON, BUF_LEN);
	if (to_device) {
		memcpy(buf + off, t->expect, len);
		memset(c->devmem, POISON, CH_MAXLEN);
	} else {
		memcpy(c->devmem, t->expect, len);
	}
	c->err = 0;
	NdisMSetupDmaTransfer(&st, dma, t->mdl, off, len, to_device);
	if (st != NDIS_STATUS_SUCCESS) {
		note_error(t, "NdisMSetupDmaTransfer", st);
		return false;
	}
	NdisMCompleteDmaTransfer(&st, dma, t->mdl, off, len, to_device);
	if (st != NDIS_STATUS_SUCCESS) {
		note_error(t, "NdisMCompleteDmaTransfer", st);
		return false;
	}
	if (c->err == -ERANGE) {
		if (is24)
			t->out24++;
		else
			note_error(t, "device address beyond reach, len", len);
		return false;
	}
	if (c->err) {
		note_error(t, "engine could not translate, len", len);
		return false;
	}
	if (to_device) {
		if (memcmp(c->devmem, t->expect, len)) {
			note_error(t, "device got wrong bytes, len", len);
			return false;
		}
		return true;
	}
	if (memcmp(buf + off, t->expect, len)) {
		note_error(t, "host got wrong bytes, len", len);
		return false;
	}
	for (j = 0; j < BUF_LEN; j++) {
		if ((j < off || j >= off + len) && buf[j] != POISON) {
			note_error(t, "guard byte overwritten at", j);
			return false;
		}
	}
	return true;
}

/* Map registers: allocate 24-bit ones, map a buffer under each, check and
 * verify its addresses, complete, free. */
static void mr24_iteration(struct race_thread *t)
{
	NDIS_HANDLE h = t->a->handle;
	struct device *dev = &t->a->pdev->dev;
	NDIS_PHYSICAL_ADDRESS_UNIT units[MAX_UNITS];
	PMDL mdl[MR_COUNT] = {};
	bool to_device[MR_COUNT], mapped[MR_COUNT] = {};
	u32 off[MR_COUNT], len[MR_COUNT];
	bool good = true;
	NDIS_STATUS st;
	unsigned int r;

	st = NdisMAllocateMapRegisters(h, 0, NDIS_DMA_24BITS, MR_COUNT, MR_MAXLEN);
	if (st == NDIS_STATUS_RESOURCES) {
		t->resources++;
		return;
	}
	if (st != NDIS_STATUS_SUCCESS) {
		note_error(t, "NdisMAllocateMapRegisters", st);
		return;
	}
	for (r = 0; r < MR_COUNT; r++) {
		u32 rnd = prandom_u32_state(&t->rnd);
		u8 *expect = t->expect + r * MAX_LEN;
		UINT want = 0, n = 0, i;
		u32 sum = 0;

		to_device[r] = rnd & 1;
		off[r] = (rnd >> 1) % 256;
		len[r] = random_len(t, MR_MAXLEN);
		prandom_bytes_state(&t->rnd, expect, len[r]);
		memset(t->buf[r], POISON, BUF_LEN);
		if (to_device[r])
			memcpy(t->buf[r] + off[r], expect, len[r]);
		mdl[r] = NdisAllocateMdl(h, t->buf[r] + off[r], len[r]);
		if (!mdl[r]) {
			note_error(t, "NdisAllocateMdl, len", len[r]);
			good = false;
			continue;
		}
		NdisGetBufferPhysicalArraySize(mdl[r], &want);
		if (want > MAX_UNITS) {
			note_error(t, "physical array size", want);
			good = false;
			continue;
		}
		NdisMStartBufferPhysicalMapping(h, mdl[r], r, to_device[r], units, &n);
		if (n == 0 || n > want) {
			note_error(t, "NdisMStartBufferPhysicalMapping entries", n);
			good = false;
			continue;
		}
		mapped[r] = true;
		for (i = 0; i < n; i++) {
			u64 pa = units[i].PhysicalAddress.QuadPart;
			u32 l = units[i].Length;

			if (!l || pa > LIMIT24 || l - 1 > LIMIT24 - pa) {
				t->out24++;
				good = false;
			}
			sum += l;
		}
		if (sum != len[r]) {
			note_error(t, "mapped length", sum);
			good = false;
			continue;
		}
		if (!good)
			continue;
		/* What the device reads there / writes there. */
		for (i = 0, sum = 0; i < n; sum += units[i].Length, i++) {
			u64 pa = units[i].PhysicalAddress.QuadPart;
			u32 l = units[i].Length;
			int err;

			if (to_device[r])
				err = bus_copy(dev, pa, t->scratch + sum, l, true);
			else
				err = bus_copy(dev, pa, expect + sum, l, false);
			if (err) {
				note_error(t, "map register address not translatable", pa);
				good = false;
				break;
			}
		}
		if (good && to_device[r] && memcmp(t->scratch, expect, len[r])) {
			note_error(t, "device reads wrong bytes, len", len[r]);
			good = false;
		}
	}
	for (r = 0; r < MR_COUNT; r++) {
		if (!mapped[r])
			continue;
		NdisMCompleteBufferPhysicalMapping(h, mdl[r], r);
		if (good && !to_device[r] &&
		    memcmp(t->buf[r] + off[r], t->expect + r * MAX_LEN, len[r])) {
			note_error(t, "host got wrong bytes, len", len[r]);
			good = false;
		}
	}
	NdisMFreeMapRegisters(h);
	for (r = 0; r < MR_COUNT; r++)
		if (mdl[r])
			NdisFreeMdl(mdl[r]);
	if (good)
		t->ok++;
}

/* A 24-bit channel: register (low bounce memory), one transfer, deregister. */
static void ch24_iteration(struct race_thread *t)
{
	/* The channel is the description's (the DmaChannel argument is ignored). */
	NDIS_DMA_DESCRIPTION desc = { .DmaWidth = Width32Bits, .DmaSpeed = Compatible,
				      .DmaChannelSpecified = TRUE, .DmaChannel = CH_24 };
	NDIS_HANDLE dma = NULL;
	NDIS_STATUS st;

	st = NdisMRegisterDmaChannel(&dma, t->a->handle, CH_24, FALSE, &desc, CH_MAXLEN);
	if (st == NDIS_STATUS_RESOURCES) {
		t->resources++;
		return;
	}
	if (st != NDIS_STATUS_SUCCESS) {
		note_error(t, "NdisMRegisterDmaChannel(24-bit)", st);
		return;
	}
	if (channel_transfer(t, dma, &t->a->sw[CH_24], true))
		t->ok++;
	NdisMDeregisterDmaChannel(dma);
}

static void shm_free(struct race_thread *t, struct shm_block *b)
{
	NdisMFreeSharedMemory(t->a->handle, b->len, b->cached, b->va, b->pa);
	b->va = NULL;
}

/* Shared memory: allocate one block (freeing one when SHM_HOLD are held),
 * check its reach and that the device sees this memory. */
static void shm_iteration(struct race_thread *t)
{
	static const u32 lens[] = { 64, 1500, 4096, 4097, 8192, 16384, 65536 };
	struct race_adapter *a = t->a;
	struct device *dev = &a->pdev->dev;
	u32 r = prandom_u32_state(&t->rnd);
	struct shm_block *b = &t->held[(r >> 8) % SHM_HOLD];
	u64 pa;
	u32 off;

	if (b->va)
		shm_free(t, b);
	b->len = (r & 1) ? lens[(r >> 1) % ARRAY_SIZE(lens)] : 1 + (r >> 1) % 16384;
	b->cached = (r >> 4) & 1;
	b->va = NULL;
	NdisMAllocateSharedMemory(a->handle, b->len, b->cached, &b->va, &b->pa);
	if (!b->va) {
		note_error(t, "NdisMAllocateSharedMemory returned NULL, len", b->len);
		return;
	}
	pa = b->pa.QuadPart;
	if (pa > a->coherent_before || b->len - 1 > a->coherent_before - pa) {
		t->shm_out++;
		if (!t->first_error[0])
			scnprintf(t->first_error, sizeof(t->first_error),
				  "%s/%s: shared memory at %#llx+%u beyond %#llx",
				  pci_name(a->pdev), kind_name[t->kind], pa, b->len,
				  a->coherent_before);
		return;
	}
	/* Every page the device reaches at pa is the CPU's memory at va. */
	for (off = 0; off < b->len; off += PAGE_SIZE - offset_in_page(pa + off)) {
		phys_addr_t phys;

		if (!bus_phys(dev, pa + off, &phys) || phys != cpu_phys((u8 *)b->va + off)) {
			note_error(t, "shared memory's bus address is not its memory, at", pa + off);
			return;
		}
	}
	memset(b->va, POISON, b->len);
	t->ok++;
}

/* Transfers on a 32-bit channel, re-registered now and then. */
static void xfer_iteration(struct race_thread *t, u64 i)
{
	NDIS_DMA_DESCRIPTION desc = { .DmaWidth = Width32Bits, .DmaSpeed = Compatible,
				      .DmaChannelSpecified = TRUE, .DmaChannel = CH_XFER };
	NDIS_STATUS st;

	if (t->dma && i % REREG_EVERY == 0) {
		NdisMDeregisterDmaChannel(t->dma);
		t->dma = NULL;
	}
	if (!t->dma) {
		st = NdisMRegisterDmaChannel(&t->dma, t->a->handle, CH_XFER, TRUE, &desc,
					     CH_MAXLEN);
		if (st != NDIS_STATUS_SUCCESS) {
			t->dma = NULL;
			note_error(t, "NdisMRegisterDmaChannel(32-bit)", st);
			return;
		}
	}
	if (channel_transfer(t, t->dma, &t->a->sw[CH_XFER], false))
		t->ok++;
}

static int race_thread_fn(void *data)
{
	struct race_thread *t = data;
	u64 i;

	for (i = 0; i < t->iterations && !kthread_should_stop(); i++) {
		switch (t->kind) {
		case K_MR24:
			mr24_iteration(t);
			break;
		case K_CH24:
			ch24_iteration(t);
			break;
		case K_SHM0:
		case K_SHM1:
			shm_iteration(t);
			break;
		case K_XFER:
			xfer_iteration(t, i);
			break;
		default:
			break;
		}
		t->done++;
		cond_resched();
	}
	for (i = 0; i < SHM_HOLD; i++)
		if (t->held[i].va)
			shm_free(t, &t->held[i]);
	if (t->dma)
		NdisMDeregisterDmaChannel(t->dma);
	t->dma = NULL;
	complete(&t->finished);
	/* Exit only when told, so kthread_stop() always finds the thread. */
	while (!kthread_should_stop()) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (!kthread_should_stop())
			schedule();
		__set_current_state(TASK_RUNNING);
	}
	return 0;
}

/* ---- a run ---- */

static u64 dma_mask_of(struct pci_dev *pdev)
{
	return pdev->dev.dma_mask ? *pdev->dev.dma_mask : 0;
}

static void thread_free(struct race_thread *t)
{
	unsigned int r;

	if (t->mdl)
		NdisFreeMdl(t->mdl);
	t->mdl = NULL;
	for (r = 0; r < MR_COUNT; r++)
		kfree(t->buf[r]);
	kfree(t->expect);
	kfree(t->scratch);
	memset(t->buf, 0, sizeof(t->buf));
	t->expect = t->scratch = NULL;
}

static int thread_init(struct race_adapter *a, enum race_kind kind, unsigned int iterations,
		       u64 seed)
{
	struct race_thread *t = &a->t[kind];
	unsigned int r;

	memset(t, 0, sizeof(*t));
	init_completion(&t->finished);
	t->a = a;
	t->kind = kind;
	t->iterations = iterations;
	prandom_seed_state(&t->rnd, seed ^ ((u64)kind << 32) ^ (uintptr_t)a->pdev->devfn);
	for (r = 0; r < MR_COUNT; r++)
		t->buf[r] = kmalloc(BUF_LEN, GFP_KERNEL);
	t->expect = kmalloc(MR_COUNT * MAX_LEN, GFP_KERNEL);
	t->scratch = kmalloc(MAX_LEN, GFP_KERNEL);
	if (!t->buf[0] || !t->buf[1] || !t->expect || !t->scratch)
		return -ENOMEM;
	if (kind == K_CH24 || kind == K_XFER) {
		t->mdl = NdisAllocateMdl(a->handle, t->buf[0], BUF_LEN);
		if (!t->mdl)
			return -ENOMEM;
	}
	return 0;
}

static int adapter_init(struct race_adapter *a, unsigned int iterations, u64 seed)
{
	unsigned int k;
	int err;

	a->dma_before = dma_mask_of(a->pdev);
	a->coherent_before = a->pdev->dev.coherent_dma_mask;
	a->sw[CH_XFER].limit = min_t(u64, a->dma_before, U32_MAX);
	a->sw[CH_24].limit = min_t(u64, a->dma_before, LIMIT24);
	for (k = 0; k < ARRAY_SIZE(a->sw); k++) {
		a->sw[k].devmem = kmalloc(CH_MAXLEN, GFP_KERNEL);
		if (!a->sw[k].devmem)
			return -ENOMEM;
	}
	for (k = 0; k < K_KINDS; k++) {
		err = thread_init(a, k, iterations, seed);
		if (err)
			return err;
	}
	return 0;
}

static void adapter_free(struct race_adapter *a)
{
	unsigned int k;

	for (k = 0; k < K_KINDS; k++)
		thread_free(&a->t[k]);
	for (k = 0; k < ARRAY_SIZE(a->sw); k++) {
		kfree(a->sw[k].devmem);
		a->sw[k].devmem = NULL;
	}
}

static int race_run(unsigned int iterations, u64 seed)
{
	u64 done = 0, ok[K_KINDS] = {}, resources[K_KINDS] = {}, errs[K_KINDS] = {};
	u64 out24 = 0, shm_out = 0, errors = 0;
	const char *first = "";
	unsigned int i, k, na = 0, changed = 0;
	size_t len;
	ktime_t t0;
	int err = 0;

	for (i = 0; i < MAX_ADAPTERS && !err; i++) {
		if (!race_adapters[i])
			continue;
		na++;
		err = adapter_init(race_adapters[i], iterations, seed);
	}
	if (!na)
		err = -ENODEV;
	t0 = ktime_get();
	for (i = 0; i < MAX_ADAPTERS && !err; i++) {
		struct race_adapter *a = race_adapters[i];

		for (k = 0; a && k < K_KINDS; k++) {
			struct race_thread *t = &a->t[k];

			t->task = kthread_run(race_thread_fn, t, "mask_race/%u.%s", i,
					      kind_name[k]);
			if (IS_ERR(t->task)) {
				err = PTR_ERR(t->task);
				t->task = NULL;
				break;
			}
		}
	}
	/* Wait for every thread (or, after an error, stop them early). */
	for (i = 0; i < MAX_ADAPTERS; i++) {
		struct race_adapter *a = race_adapters[i];

		for (k = 0; a && k < K_KINDS; k++) {
			struct race_thread *t = &a->t[k];

			if (!t->task)
				continue;
			if (!err)
				wait_for_completion(&t->finished);
			kthread_stop(t->task);
			t->task = NULL;
		}
	}
	for (i = 0; i < MAX_ADAPTERS; i++) {
		struct race_adapter *a = race_adapters[i];

		if (!a)
			continue;
		a->dma_after = dma_mask_of(a->pdev);
		a->coherent_after = a->pdev->dev.coherent_dma_mask;
		if (a->dma_after != a->dma_before || a->coherent_after != a->coherent_before)
			changed++;
		for (k = 0; k < K_KINDS; k++) {
			struct race_thread *t = &a->t[k];

			done += t->done;
			ok[k] += t->ok;
			resources[k] += t->resources;
			errs[k] += t->errors;
			errors += t->errors;
			out24 += t->out24;
			shm_out += t->shm_out;
			if (!*first && t->first_error[0])
				first = t->first_error;
		}
	}
	len = scnprintf(race_result, sizeof(race_result),
			"adapters=%u threads=%u iterations=%llu mr24_ok=%llu mr24_resources=%llu ch24_ok=%llu ch24_resources=%llu shm_ok=%llu xfer_ok=%llu out24=%llu shm_out=%llu errors=%llu err_mr24=%llu err_ch24=%llu err_shm=%llu err_xfer=%llu masks_changed=%u ms=%lld err=%d%s%s\n",
			na, na * K_KINDS, done, ok[K_MR24], resources[K_MR24], ok[K_CH24],
			resources[K_CH24], ok[K_SHM0] + ok[K_SHM1], ok[K_XFER], out24, shm_out,
			errors, errs[K_MR24], errs[K_CH24], errs[K_SHM0] + errs[K_SHM1],
			errs[K_XFER], changed, ktime_ms_delta(ktime_get(), t0), err,
			*first ? " first=" : "", first);
	for (i = 0; i < MAX_ADAPTERS; i++) {
		struct race_adapter *a = race_adapters[i];

		if (!a)
			continue;
		len += scnprintf(race_result + len, sizeof(race_result) - len,
				 "adapter=%s dma_mask_before=%#llx dma_mask_after=%#llx coherent_dma_mask_before=%#llx coherent_dma_mask_after=%#llx\n",
				 pci_name(a->pdev), a->dma_before, a->dma_after,
				 a->coherent_before, a->coherent_after);
		adapter_free(a);
	}
	race_result_len = len;
	return err;
}

/* Each iteration is a few ms under TCG: a run stays within a test's timeout. */
#define RACE_MAX_ITERATIONS 10000

static ssize_t run_write(struct file *file, const char __user *ubuf, size_t count,
			 loff_t *ppos)
{
	unsigned int iterations = 100;
	u64 seed = 1;
	char buf[96], *s, *word;
	int err;

	if (count >= sizeof(buf))
		return -E2BIG;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	s = strim(buf);
	while ((word = strsep(&s, " \t")) != NULL) {
		if (!*word)
			continue;
		if (!strncmp(word, "iterations=", 11)) {
			err = kstrtouint(word + 11, 0, &iterations);
			if (!err && (!iterations || iterations > RACE_MAX_ITERATIONS))
				err = -ERANGE;
		} else if (!strncmp(word, "seed=", 5)) {
			err = kstrtou64(word + 5, 0, &seed);
		} else {
			err = -EINVAL;
		}
		if (err)
			return err;
	}
	mutex_lock(&race_lock);
	err = race_run(iterations, seed);
	mutex_unlock(&race_lock);
	return err ? err : count;
}

static ssize_t result_read(struct file *file, char __user *ubuf, size_t count, loff_t *ppos)
{
	ssize_t ret;

	mutex_lock(&race_lock);
	ret = simple_read_from_buffer(ubuf, count, ppos, race_result, race_result_len);
	mutex_unlock(&race_lock);
	return ret;
}

static const struct file_operations run_fops = {
	.owner = THIS_MODULE,
	.write = run_write,
	.llseek = noop_llseek,
};

static const struct file_operations result_fops = {
	.owner = THIS_MODULE,
	.read = result_read,
	.llseek = default_llseek,
};

/* ---- the miniport ---- */

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
	NDIS_MINIPORT_DRIVER_CHARACTERISTICS c;
	NDIS_STATUS st;

	NdisZeroMemory(&c, sizeof(c));
	c.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS;
	c.Header.Revision = NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
	c.Header.Size = NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
	c.MajorNdisVersion = NDIS_MINIPORT_MAJOR_VERSION;
	c.MinorNdisVersion = NDIS_MINIPORT_MINOR_VERSION;
	c.MajorDriverVersion = 1;
	c.InitializeHandlerEx = RaceInitialize;
	c.HaltHandlerEx = RaceHalt;
	c.UnloadHandler = RaceUnload;
	st = NdisMRegisterMiniportDriver(DriverObject, RegistryPath, NULL, &c,
					 &race_driver_handle);
	if (st == NDIS_STATUS_SUCCESS) {
		race_dir = debugfs_create_dir("ndis_mask_race", NULL);
		debugfs_create_file("run", 0200, race_dir, NULL, &run_fops);
		debugfs_create_file("result", 0400, race_dir, NULL, &result_fops);
	}
	return st;
}

VOID RaceUnload(PDRIVER_OBJECT DriverObject)
{
	debugfs_remove_recursive(race_dir);
	NdisMDeregisterMiniportDriver(race_driver_handle);
}

/* No SG lists are ever asked for: the registration is the DMA adapter. */
VOID RaceProcessSGList(PDEVICE_OBJECT pDO, PVOID Reserved, PSCATTER_GATHER_LIST pSGL,
		       PVOID Context)
{
}

NDIS_STATUS RaceInitialize(NDIS_HANDLE AdapterHandle, NDIS_HANDLE DriverContext,
			   PNDIS_MINIPORT_INIT_PARAMETERS Params)
{
	NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES ra;
	NDIS_SG_DMA_DESCRIPTION sg;
	struct race_adapter *a;
	NDIS_STATUS st;
	unsigned int i;

	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return NDIS_STATUS_RESOURCES;
	a->handle = AdapterHandle;
	a->pdev = NdisLinuxGetPciDevice(AdapterHandle);
	if (!a->pdev) {
		st = NDIS_STATUS_ADAPTER_NOT_FOUND;
		goto free;
	}
	NdisZeroMemory(&ra, sizeof(ra));
	ra.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;
	ra.Header.Revision = NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_2;
	ra.Header.Size = NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_2;
	ra.MiniportAdapterContext = (NDIS_HANDLE)a;
	ra.AttributeFlags = NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER;
	ra.InterfaceType = NdisInterfacePci;
	st = NdisMSetMiniportAttributes(AdapterHandle, (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&ra);
	if (st != NDIS_STATUS_SUCCESS)
		goto free;
	/* Shared memory needs a DMA adapter first (NdisMAllocateSharedMemory). */
	NdisZeroMemory(&sg, sizeof(sg));
	sg.Header.Type = NDIS_OBJECT_TYPE_SG_DMA_DESCRIPTION;
	sg.Header.Revision = NDIS_SG_DMA_DESCRIPTION_REVISION_1;
	sg.Header.Size = NDIS_SIZEOF_SG_DMA_DESCRIPTION_REVISION_1;
	sg.MaximumPhysicalMapping = PAGE_SIZE;
	sg.ProcessSGListHandler = RaceProcessSGList;
	st = NdisMRegisterScatterGatherDma(AdapterHandle, &sg, &a->sg_dma);
	if (st != NDIS_STATUS_SUCCESS)
		goto free;
	mutex_lock(&race_lock);
	st = NDIS_STATUS_RESOURCES;
	for (i = 0; i < MAX_ADAPTERS; i++) {
		if (!race_adapters[i]) {
			race_adapters[i] = a;
			st = NDIS_STATUS_SUCCESS;
			break;
		}
	}
	mutex_unlock(&race_lock);
	if (st == NDIS_STATUS_SUCCESS)
		return st;
	NdisMDeregisterScatterGatherDma(a->sg_dma);
free:
	kfree(a);
	return st;
}

VOID RaceHalt(NDIS_HANDLE Ctx, NDIS_HALT_ACTION HaltAction)
{
	struct race_adapter *a = Ctx;
	unsigned int i;

	/* Runs hold race_lock throughout: a halt waits for the run. */
	mutex_lock(&race_lock);
	for (i = 0; i < MAX_ADAPTERS; i++)
		if (race_adapters[i] == a)
			race_adapters[i] = NULL;
	mutex_unlock(&race_lock);
	NdisMDeregisterScatterGatherDma(a->sg_dma);
	kfree(a);
}
