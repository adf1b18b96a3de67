// SPDX-License-Identifier: GPL-2.0
/*
 * edu_linux.c - the Linux side of the edu_dma_c miniport.
 *
 * What Windows keeps outside a miniport's source lives here: the PCI IDs
 * (the INF), the module around DriverEntry (NDIS_LINUX_PCI_MINIPORT), and
 * the system DMA controller the shim programs for NdisMSetupDmaTransfer
 * (the HAL's 8237 code; here edu's own engine). Plus a root-only debugfs
 * test interface, /sys/kernel/debug/edu_dma_c/<pci-name>/{cmd,result,
 * channel}, through which the selftests make the miniport move data.
 */
#include <linux/debugfs.h>
#include <linux/dma-mapping.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/random.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include <ndis_linux.h>
#include "edu.h"

NDIS_LINUX_DRIVER_ENTRY DriverEntry;

/* ------------------------------------------------------------------------
 * The DMA controller: edu's single-channel engine.
 *
 * Called by the shim with its channel lock held, up to DISPATCH_LEVEL:
 * register and config-space accesses only (config accessors take a raw
 * spin lock, so they are fine here), nothing that sleeps.
 * ------------------------------------------------------------------------ */

static inline void __iomem *edu_reg(PEDU_ADAPTER a, ULONG off)
{
	return (void __iomem __force *)(a->RegisterBase + off);
}

static inline bool edu_engine_running(PEDU_ADAPTER a)
{
	return readl(edu_reg(a, EDU_REG_DMA_CMD)) & EDU_DMA_CMD_RUN;
}

/*
 * edu's engine cannot be told to stop (writes to its DMA registers are
 * ignored while it runs). Clearing Bus Master Enable is what keeps it off
 * memory: QEMU then drops the device's DMA (and MSI). The fence stays up
 * until the engine reports idle.
 */
static void edu_set_bus_master(PEDU_ADAPTER a, bool on)
{
	struct pci_dev *pdev = a->LinuxDevice;
	u16 cmd;

	pci_read_config_word(pdev, PCI_COMMAND, &cmd);
	if (on)
		cmd |= PCI_COMMAND_MASTER;
	else
		cmd &= ~PCI_COMMAND_MASTER;
	pci_write_config_word(pdev, PCI_COMMAND, cmd);
	a->BusMasterFenced = !on;
}

/* The engine went idle behind a fence: lift it for the next transfer. */
static void edu_unfence_if_idle(PEDU_ADAPTER a)
{
	if (a->BusMasterFenced && !edu_engine_running(a))
		edu_set_bus_master(a, true);
}

static NDIS_STATUS EduDmaStart(NDIS_HANDLE AdapterContext, UINT DmaChannel,
			       ULONG64 DeviceAddress, ULONG Length,
			       BOOLEAN WriteToDevice)
{
	PEDU_ADAPTER a = AdapterContext;
	struct pci_dev *pdev = a->LinuxDevice;
	ULONG off = a->DeviceOffset;
	u64 edu_addr, mask;

	if (DmaChannel != 0)
		return NDIS_STATUS_INVALID_PARAMETER;
	/*
	 * Out of edu's 4 KiB window: refuse before touching the engine (QEMU
	 * before 9.1 aborted on such a transfer; later ones log a guest error).
	 */
	if (Length == 0 || off > EDU_BUFFER_SIZE || Length > EDU_BUFFER_SIZE - off) {
		dev_err_ratelimited(&pdev->dev, "DMA start: offset %u length %u outside edu's buffer\n",
				    off, Length);
		return NDIS_STATUS_INVALID_LENGTH;
	}
	/* edu silently truncates an address beyond its mask: never let it. */
	mask = dma_get_mask(&pdev->dev);
	if (DeviceAddress > mask || Length - 1 > mask - DeviceAddress) {
		dev_err_ratelimited(&pdev->dev, "DMA start: bus address %#llx+%u beyond mask %#llx\n",
				    DeviceAddress, Length, mask);
		return NDIS_STATUS_RESOURCES;
	}
	edu_unfence_if_idle(a);
	if (a->BusMasterFenced || edu_engine_running(a))
		return NDIS_STATUS_RESOURCES;

	edu_addr = EDU_BUFFER_DEVICE_ADDRESS + off;
	/* 8-byte writes: a 4-byte write zero-extends and 0x84 is not a register. */
	if (WriteToDevice) {
		writeq(DeviceAddress, edu_reg(a, EDU_REG_DMA_SRC));
		writeq(edu_addr, edu_reg(a, EDU_REG_DMA_DST));
	} else {
		writeq(edu_addr, edu_reg(a, EDU_REG_DMA_SRC));
		writeq(DeviceAddress, edu_reg(a, EDU_REG_DMA_DST));
	}
	writeq(Length, edu_reg(a, EDU_REG_DMA_CNT));
	writel(EDU_DMA_CMD_RUN | EDU_DMA_CMD_IRQ |
	       (WriteToDevice ? 0 : EDU_DMA_CMD_FROM_DEVICE),
	       edu_reg(a, EDU_REG_DMA_CMD));
	return NDIS_STATUS_SUCCESS;
}

static BOOLEAN EduDmaStop(NDIS_HANDLE AdapterContext, UINT DmaChannel)
{
	PEDU_ADAPTER a = AdapterContext;

	if (!edu_engine_running(a)) {
		edu_unfence_if_idle(a);
		return TRUE;
	}
	edu_set_bus_master(a, false);
	/*
	 * QEMU runs the engine's timer and this config write under one lock:
	 * if the engine is idle now, it finished (with bus mastering on)
	 * before the fence went up, and the data is complete.
	 */
	if (!edu_engine_running(a)) {
		edu_set_bus_master(a, true);
		return TRUE;
	}
	return FALSE;
}

static BOOLEAN EduDmaIsBusy(NDIS_HANDLE AdapterContext, UINT DmaChannel)
{
	PEDU_ADAPTER a = AdapterContext;

	if (edu_engine_running(a))
		return TRUE;
	edu_unfence_if_idle(a);
	return FALSE;
}

/* edu's count does not count down: all the data moves at the end. */
static ULONG EduDmaReadResidue(NDIS_HANDLE AdapterContext, UINT DmaChannel)
{
	PEDU_ADAPTER a = AdapterContext;

	if (!edu_engine_running(a))
		return 0;
	return readl(edu_reg(a, EDU_REG_DMA_CNT));
}

/* The miniport is about to program the engine itself (bus-master DMA). */
BOOLEAN EduPlatformEngineReady(PEDU_ADAPTER Adapter)
{
	edu_unfence_if_idle(Adapter);
	return !Adapter->BusMasterFenced && !edu_engine_running(Adapter);
}

static const NDIS_LINUX_DMA_CONTROLLER EduDmaController = {
	.Start = EduDmaStart,
	.Stop = EduDmaStop,
	.IsBusy = EduDmaIsBusy,
	.ReadResidue = EduDmaReadResidue,
};

static const struct pci_device_id edu_dma_c_ids[] = {
	{ PCI_DEVICE(0x1234, 0x11e8) },
	{ }
};

NDIS_LINUX_PCI_MINIPORT(edu_dma_c, edu_dma_c_ids, DriverEntry, 28, &EduDmaController);

MODULE_DESCRIPTION("NDIS 6.30 system-DMA miniport for QEMU's edu device, on ndis-shim");
MODULE_LICENSE("GPL");

/* ------------------------------------------------------------------------
 * Test interface
 * ------------------------------------------------------------------------ */

/* EDU_BUF_MIXED: SG commands only, kmalloc and vmalloc MDLs alternating. */
enum edu_buf_kind { EDU_BUF_KMALLOC, EDU_BUF_VMALLOC, EDU_BUF_HIGH, EDU_BUF_MIXED };

static const char *const edu_buf_kind_names[] = { "kmalloc", "vmalloc", "high", "mixed" };

struct edu_buf {
	enum edu_buf_kind kind;
	void *va;
	size_t size;		/* bytes the MDL describes */
	struct page *page;	/* EDU_BUF_HIGH */
	unsigned int order;
	PMDL mdl;
};

/* Buffers that a transfer may still reach: freed only after halt. */
#define EDU_MAX_PARKED 8

struct edu_linux {
	PEDU_ADAPTER adapter;
	struct pci_dev *pdev;
	struct dentry *dir;
	struct mutex lock;	/* one command at a time; result */
	char result[4096];
	size_t result_len;
	u8 seed;
	struct edu_buf pending;	/* "start-only" transfer left in flight */
	bool has_pending;
	struct edu_buf parked[EDU_MAX_PARKED];
	unsigned int nparked;
	/* "adjacent-start" transfer into the shared buffer, until "-finish". */
	PMDL adj_mdl;
	unsigned int adj_off, adj_len;
	u8 adj_seed;
};

/*
 * "adjacent": device-to-host transfers from two adapters into neighbouring
 * small pieces of one kmalloc buffer, in flight at the same time. The pieces
 * share a cache line: mapped in place, DMA-API debug would report the
 * overlapping mappings, so the shim bounces such transfers.
 */
#define EDU_SHARED_SIZE 256
static u8 *edu_shared;		/* under edu_root_lock; freed with the last adapter */
static unsigned int edu_adapters;

static DEFINE_MUTEX(edu_root_lock);
static struct dentry *edu_root;
static unsigned int edu_root_users;

/* Physical addresses at or above this are beyond edu's default 28-bit reach. */
#define EDU_HIGH_PHYS SZ_256M
#define EDU_HIGH_TRIES 256

static void edu_buf_free(struct edu_buf *b)
{
	if (b->mdl)
		NdisFreeMdl(b->mdl);
	switch (b->kind) {
	case EDU_BUF_KMALLOC:
		kfree(b->va);
		break;
	case EDU_BUF_VMALLOC:
		vfree(b->va);
		break;
	case EDU_BUF_HIGH:
		if (b->page)
			__free_pages(b->page, b->order);
		break;
	default:
		break;
	}
	memset(b, 0, sizeof(*b));
}

/*
 * Pages whose physical address is >= 256 MiB; -ENOENT if none turn up.
 * Small blocks first; the buddy allocator tends to hand out low memory
 * first, so then dig with 2 MiB blocks (all freed again but the one used).
 */
static int edu_alloc_high(struct edu_buf *b)
{
	unsigned int orders[] = { get_order(b->size), max_t(unsigned int, get_order(b->size), 9) };
	struct page **misses;
	unsigned int i, k, n;
	int ret = -ENOENT;

	misses = kcalloc(EDU_HIGH_TRIES, sizeof(*misses), GFP_KERNEL);
	if (!misses)
		return -ENOMEM;
	for (k = 0; k < ARRAY_SIZE(orders) && ret == -ENOENT; k++) {
		b->order = orders[k];
		for (i = 0, n = 0; i < EDU_HIGH_TRIES; i++) {
			struct page *p = alloc_pages(GFP_KERNEL | __GFP_NOWARN | __GFP_NORETRY,
						     b->order);

			if (!p)
				break;
			if (page_to_phys(p) >= EDU_HIGH_PHYS) {
				b->page = p;
				b->va = page_address(p);
				ret = 0;
				break;
			}
			misses[n++] = p;
		}
		while (n)
			__free_pages(misses[--n], b->order);
	}
	kfree(misses);
	return ret;
}

static int edu_buf_alloc(struct edu_linux *el, struct edu_buf *b,
			 enum edu_buf_kind kind, size_t size)
{
	int ret = 0;

	memset(b, 0, sizeof(*b));
	b->kind = kind;
	b->size = size;
	switch (kind) {
	case EDU_BUF_KMALLOC:
		/*
		 * A power-of-two kmalloc is naturally aligned, so an offset
		 * into it lands where the test asked relative to page
		 * boundaries (beyond 4 KiB it spans pages).
		 */
		b->va = kzalloc(roundup_pow_of_two(max_t(size_t, size, 64)), GFP_KERNEL);
		if (!b->va)
			ret = -ENOMEM;
		break;
	case EDU_BUF_VMALLOC:
		b->va = vzalloc(size);
		if (!b->va)
			ret = -ENOMEM;
		break;
	case EDU_BUF_HIGH:
		ret = edu_alloc_high(b);
		if (!ret)
			memset(b->va, 0, PAGE_SIZE << b->order);
		break;
	default:
		return -EINVAL;
	}
	if (ret)
		return ret;
	b->mdl = NdisAllocateMdl(el->adapter->MiniportAdapterHandle, b->va, size);
	if (!b->mdl) {
		edu_buf_free(b);
		return -ENOMEM;
	}
	return 0;
}

/* Keep a buffer the engine might still reach until halt. */
static void edu_buf_park(struct edu_linux *el, struct edu_buf *b)
{
	if (el->nparked < EDU_MAX_PARKED) {
		el->parked[el->nparked++] = *b;
		memset(b, 0, sizeof(*b));
	} else {
		/* Out of room: leaking beats freeing under a live device. */
		dev_warn(&el->pdev->dev, "leaking a DMA test buffer\n");
		memset(b, 0, sizeof(*b));
	}
}

static u8 edu_pattern(u8 seed, size_t i)
{
	return (u8)(seed + i * 7 + (i >> 8));
}

__printf(2, 3) static void edu_result(struct edu_linux *el, const char *fmt, ...)
{
	va_list args;
	size_t room = sizeof(el->result) - el->result_len;
	int n;

	va_start(args, fmt);
	n = vscnprintf(el->result + el->result_len, room, fmt, args);
	va_end(args);
	el->result_len += n;
}

/* Finish a "start-only" transfer a previous command left running. */
static void edu_reap_pending(struct edu_linux *el)
{
	NDIS_STATUS cs;

	if (!el->has_pending)
		return;
	EduSetRepeat(el->adapter, 0);
	if (EduWaitTransfer(el->adapter, 5000, &cs) == NDIS_STATUS_SUCCESS &&
	    cs == NDIS_STATUS_SUCCESS)
		edu_buf_free(&el->pending);
	else
		edu_buf_park(el, &el->pending);
	el->has_pending = false;
}

struct edu_args {
	unsigned int off, len, mdl_off, repeat;
	unsigned int parts, skip;	/* SG commands: data MDLs, leading MDL bytes */
	enum edu_buf_kind kind;
	bool from_device;	/* start-only: direction */
	unsigned int count;	/* shm-forget: blocks */
	bool cached;		/* shm-roundtrip: Cached */
};

static int edu_parse_args(char *s, struct edu_args *a)
{
	char *word;

	while ((word = strsep(&s, " \t\n")) != NULL) {
		char *val;
		int ret = 0;

		if (!*word)
			continue;
		val = strchr(word, '=');
		if (!val)
			return -EINVAL;
		*val++ = '\0';
		if (!strcmp(word, "off"))
			ret = kstrtouint(val, 0, &a->off);
		else if (!strcmp(word, "len"))
			ret = kstrtouint(val, 0, &a->len);
		else if (!strcmp(word, "repeat"))
			ret = kstrtouint(val, 0, &a->repeat);
		else if (!strcmp(word, "mdl_off"))
			ret = kstrtouint(val, 0, &a->mdl_off);
		else if (!strcmp(word, "count"))
			ret = kstrtouint(val, 0, &a->count);
		else if (!strcmp(word, "cached"))
			ret = kstrtobool(val, &a->cached);
		else if (!strcmp(word, "parts"))
			ret = kstrtouint(val, 0, &a->parts);
		else if (!strcmp(word, "skip"))
			ret = kstrtouint(val, 0, &a->skip);
		else if (!strcmp(word, "buf")) {
			ret = match_string(edu_buf_kind_names,
					   ARRAY_SIZE(edu_buf_kind_names), val);
			if (ret >= 0) {
				a->kind = ret;
				ret = 0;
			}
		} else if (!strcmp(word, "dir")) {
			if (!strcmp(val, "to"))
				a->from_device = false;
			else if (!strcmp(val, "from"))
				a->from_device = true;
			else
				ret = -EINVAL;
		} else
			ret = -EINVAL;
		if (ret)
			return ret;
	}
	/* The window is checked again by the controller; this is the test's. */
	if (a->len == 0 || a->off > EDU_BUFFER_SIZE ||
	    a->len > EDU_BUFFER_SIZE - a->off || a->mdl_off > SZ_64K)
		return -ERANGE;
	return 0;
}

/* One transfer, start to DPC. Returns false (and parks @b) on a timeout. */
static bool edu_transfer(struct edu_linux *el, struct edu_buf *b, struct edu_args *a,
			 bool to_device, bool hold_lock, NDIS_STATUS *setup,
			 NDIS_STATUS *complete)
{
	*complete = NDIS_STATUS_PENDING;
	*setup = EduStartTransfer(el->adapter, b->mdl, a->mdl_off, a->off, a->len,
				  to_device, hold_lock);
	if (*setup != NDIS_STATUS_SUCCESS)
		return true;
	if (EduWaitTransfer(el->adapter, 5000, complete) != NDIS_STATUS_SUCCESS) {
		edu_buf_park(el, b);
		return false;
	}
	return true;
}

static void edu_cmd_roundtrip(struct edu_linux *el, struct edu_args *a, bool hold_lock)
{
	struct edu_buf src, dst;
	size_t size = a->mdl_off + a->len, i;
	NDIS_STATUS s1, c1, s2 = 0, c2 = 0;
	u8 seed = el->seed++ ^ get_random_u8();
	const char *what = "";
	int ret;

	ret = edu_buf_alloc(el, &src, a->kind, size);
	if (ret == -ENOENT) {
		edu_result(el, "skip no page at or above 256 MiB\n");
		return;
	}
	if (ret) {
		edu_result(el, "fail allocating %s buffer: %d\n", edu_buf_kind_names[a->kind], ret);
		return;
	}
	ret = edu_buf_alloc(el, &dst, a->kind, size);
	if (ret) {
		edu_buf_free(&src);
		if (ret == -ENOENT)
			edu_result(el, "skip no page at or above 256 MiB\n");
		else
			edu_result(el, "fail allocating %s buffer: %d\n",
				   edu_buf_kind_names[a->kind], ret);
		return;
	}
	for (i = 0; i < a->len; i++)
		((u8 *)src.va)[a->mdl_off + i] = edu_pattern(seed, i);

	if (!edu_transfer(el, &src, a, true, hold_lock, &s1, &c1)) {
		what = "host-to-device timed out";
		goto report;
	}
	if (s1 || c1) {
		what = "host-to-device";
		goto report;
	}
	if (!edu_transfer(el, &dst, a, false, hold_lock, &s2, &c2)) {
		what = "device-to-host timed out";
		goto report;
	}
	if (s2 || c2) {
		what = "device-to-host";
		goto report;
	}
	for (i = 0; i < size; i++) {
		u8 want = i < a->mdl_off ? 0 : edu_pattern(seed, i - a->mdl_off);
		u8 got = ((u8 *)dst.va)[i];

		if (got != want) {
			edu_result(el, "fail data mismatch at MDL offset %zu (transfer byte %zd): got 0x%02x want 0x%02x setup=0x%08x complete=0x%08x len=%u\n",
				   i, (ssize_t)i - a->mdl_off, got, want, (u32)s2, (u32)c2, a->len);
			goto out;
		}
	}
	/* Nothing written beyond the MDL's data either (kmalloc slack). */
	if (a->kind == EDU_BUF_KMALLOC) {
		size_t alloc = roundup_pow_of_two(max_t(size_t, size, 64));

		for (i = size; i < alloc; i++) {
			if (((u8 *)dst.va)[i]) {
				edu_result(el, "fail byte %zu past the MDL was written\n", i);
				goto out;
			}
		}
	}
	edu_result(el, "ok setup=0x%08x complete=0x%08x verified=1 len=%u\n",
		   (u32)s2, (u32)c2, a->len);
	goto out;
report:
	edu_result(el, "fail %s: setup=0x%08x/0x%08x complete=0x%08x/0x%08x len=%u\n",
		   what, (u32)s1, (u32)s2, (u32)c1, (u32)c2, a->len);
out:
	if (src.va)
		edu_buf_free(&src);
	if (dst.va)
		edu_buf_free(&dst);
}

static void edu_cmd_counter(struct edu_linux *el, struct edu_args *a)
{
	struct edu_buf b;
	NDIS_STATUS s, c = 0;
	ULONG busy, idle;

	if (edu_buf_alloc(el, &b, a->kind, a->mdl_off + a->len)) {
		edu_result(el, "fail allocation\n");
		return;
	}
	s = EduStartTransfer(el->adapter, b.mdl, a->mdl_off, a->off, a->len, TRUE, FALSE);
	if (s != NDIS_STATUS_SUCCESS) {
		edu_result(el, "fail setup=0x%08x\n", (u32)s);
		edu_buf_free(&b);
		return;
	}
	busy = EduReadCounter(el->adapter);
	if (EduWaitTransfer(el->adapter, 5000, &c) != NDIS_STATUS_SUCCESS) {
		edu_result(el, "fail transfer timed out (complete=0x%08x)\n", (u32)c);
		edu_buf_park(el, &b);
		return;
	}
	idle = EduReadCounter(el->adapter);
	edu_result(el, "counter busy=%u idle=%u len=%u complete=0x%08x\n",
		   busy, idle, a->len, (u32)c);
	edu_buf_free(&b);
}

static void edu_cmd_busy_complete(struct edu_linux *el, struct edu_args *a)
{
	struct edu_buf b;
	NDIS_STATUS s, c, next, nc = NDIS_STATUS_PENDING;
	bool idle = false;

	if (edu_buf_alloc(el, &b, a->kind, a->mdl_off + a->len)) {
		edu_result(el, "fail allocation\n");
		return;
	}
	s = EduStartTransfer(el->adapter, b.mdl, a->mdl_off, a->off, a->len, TRUE, FALSE);
	if (s != NDIS_STATUS_SUCCESS) {
		edu_result(el, "fail setup=0x%08x\n", (u32)s);
		edu_buf_free(&b);
		return;
	}
	/* ~100 ms early: the engine is still running; the shim must fence. */
	c = EduCompleteNow(el->adapter);
	msleep(250);
	next = EduStartTransfer(el->adapter, b.mdl, a->mdl_off, a->off, a->len, TRUE, FALSE);
	if (next == NDIS_STATUS_SUCCESS)
		idle = EduWaitTransfer(el->adapter, 5000, &nc) == NDIS_STATUS_SUCCESS &&
		       nc == NDIS_STATUS_SUCCESS;
	edu_result(el, "busy-complete complete=0x%08x next_setup=0x%08x next_complete=0x%08x\n",
		   (u32)c, (u32)next, (u32)nc);
	/* Only a clean transfer after it proves the shim let go of the first. */
	if (idle)
		edu_buf_free(&b);
	else
		edu_buf_park(el, &b);
}

static void edu_cmd_start_only(struct edu_linux *el, struct edu_args *a)
{
	NDIS_STATUS s;

	if (edu_buf_alloc(el, &el->pending, a->kind, a->mdl_off + a->len)) {
		edu_result(el, "fail allocation\n");
		return;
	}
	memset((u8 *)el->pending.va + a->mdl_off, 0x5a, a->len);
	/* repeat=N: the DPC chains N more, so a transfer is (nearly) always running. */
	EduSetRepeat(el->adapter, a->repeat);
	s = EduStartTransfer(el->adapter, el->pending.mdl, a->mdl_off, a->off, a->len,
			     !a->from_device, FALSE);
	if (s != NDIS_STATUS_SUCCESS) {
		EduSetRepeat(el->adapter, 0);
		edu_buf_free(&el->pending);
		edu_result(el, "fail setup=0x%08x\n", (u32)s);
		return;
	}
	el->has_pending = true;
	edu_result(el, "start-only setup=0x%08x\n", (u32)s);
}

/* "adjacent-prep": put a known pattern at edu offset @off. */
static void edu_cmd_adjacent_prep(struct edu_linux *el, struct edu_args *a)
{
	struct edu_args h2d = *a;
	struct edu_buf src;
	NDIS_STATUS s, c;
	size_t i;

	if (edu_buf_alloc(el, &src, EDU_BUF_KMALLOC, a->len)) {
		edu_result(el, "fail allocation\n");
		return;
	}
	/* The device side first: a known pattern at edu offset @off. */
	el->adj_seed = el->seed++ ^ get_random_u8();
	for (i = 0; i < a->len; i++)
		((u8 *)src.va)[i] = edu_pattern(el->adj_seed, i);
	h2d.mdl_off = 0;
	if (!edu_transfer(el, &src, &h2d, true, false, &s, &c)) {
		edu_result(el, "fail host-to-device timed out\n");
		return;
	}
	edu_buf_free(&src);
	if (s || c)
		edu_result(el, "fail host-to-device setup=0x%08x complete=0x%08x\n", (u32)s, (u32)c);
	else
		edu_result(el, "adjacent-prep ok\n");
}

/*
 * "adjacent-start": start (only) the device-to-host transfer of the prepared
 * pattern into [mdl_off, mdl_off + len) of the shared buffer.
 */
static void edu_cmd_adjacent_start(struct edu_linux *el, struct edu_args *a)
{
	NDIS_STATUS s;
	u8 *shared;

	if (el->adj_mdl || a->mdl_off + a->len > EDU_SHARED_SIZE) {
		edu_result(el, "fail adjacent transfer pending or out of range\n");
		return;
	}
	mutex_lock(&edu_root_lock);
	if (!edu_shared)
		edu_shared = kzalloc(EDU_SHARED_SIZE, GFP_KERNEL);
	shared = edu_shared;
	mutex_unlock(&edu_root_lock);
	if (!shared) {
		edu_result(el, "fail allocation\n");
		return;
	}
	memset(shared + a->mdl_off, 0, a->len);
	el->adj_mdl = NdisAllocateMdl(el->adapter->MiniportAdapterHandle, shared,
				      a->mdl_off + a->len);
	if (!el->adj_mdl) {
		edu_result(el, "fail allocation\n");
		return;
	}
	s = EduStartTransfer(el->adapter, el->adj_mdl, a->mdl_off, a->off, a->len, FALSE, FALSE);
	if (s != NDIS_STATUS_SUCCESS) {
		NdisFreeMdl(el->adj_mdl);
		el->adj_mdl = NULL;
		edu_result(el, "fail setup=0x%08x\n", (u32)s);
		return;
	}
	el->adj_off = a->mdl_off;
	el->adj_len = a->len;
	edu_result(el, "adjacent-start setup=0x%08x\n", (u32)s);
}

static void edu_cmd_adjacent_finish(struct edu_linux *el)
{
	NDIS_STATUS c;
	size_t i;

	if (!el->adj_mdl) {
		edu_result(el, "fail no adjacent transfer\n");
		return;
	}
	if (EduWaitTransfer(el->adapter, 5000, &c) != NDIS_STATUS_SUCCESS) {
		/* Still reachable by the engine: the MDL stays until halt. */
		edu_result(el, "fail device-to-host timed out\n");
		return;
	}
	for (i = 0; i < el->adj_len; i++) {
		u8 got = edu_shared[el->adj_off + i];

		if (got != edu_pattern(el->adj_seed, i)) {
			edu_result(el, "fail data mismatch at byte %zu: got 0x%02x\n", i, got);
			break;
		}
	}
	if (i == el->adj_len)
		edu_result(el, "ok adjacent complete=0x%08x verified=1 off=%u len=%u\n",
			   (u32)c, el->adj_off, el->adj_len);
	NdisFreeMdl(el->adj_mdl);
	el->adj_mdl = NULL;
}


/*
 * "shm-roundtrip off=O len=L mdl_off=R [cached=1]": a descriptor and L
 * payload bytes in shared memory, through edu's buffer at O, back into a
 * second block at offset R (mdl_off).
 */
static void edu_cmd_shm_roundtrip(struct edu_linux *el, struct edu_args *a, bool cached)
{
	EDU_SHARED_RESULT r;
	u64 mask = dma_get_mask(&el->pdev->dev);
	ULONG copy = sizeof(EDU_DESCRIPTOR) + a->len;
	bool reach, aligned;

	if (a->off + copy > EDU_BUFFER_SIZE) {
		edu_result(el, "fail descriptor and payload exceed edu's buffer\n");
		return;
	}
	EduSharedMemoryRoundtrip(el->adapter, a->off, a->len, a->mdl_off, cached, &r);
	reach = (u64)r.TxAddress.QuadPart + copy - 1 <= mask &&
		(u64)r.RxAddress.QuadPart + a->mdl_off + copy - 1 <= mask;
	aligned = IS_ALIGNED((unsigned long)r.TxVa, dma_get_cache_alignment()) &&
		  IS_ALIGNED((unsigned long)r.RxVa, dma_get_cache_alignment());
	edu_result(el, "%s shm-roundtrip status=0x%08x what=%s mismatch=%d verified=%d in_reach=%d aligned=%d len=%u off=%u rx_off=%u tx_dev=%#llx rx_dev=%#llx\n",
		   r.Status == NDIS_STATUS_SUCCESS && reach && aligned ? "ok" : "fail",
		   (u32)r.Status, r.What ? r.What : "?", (int)r.Mismatch,
		   r.Status == NDIS_STATUS_SUCCESS, reach, aligned, a->len, a->off,
		   a->mdl_off, (u64)r.TxAddress.QuadPart, (u64)r.RxAddress.QuadPart);
}

static void edu_cmd_rows(struct edu_linux *el, const char *prefix,
			 ULONG (*run)(PEDU_ADAPTER, PEDU_MISUSE_ROW))
{
	EDU_MISUSE_ROW *rows;
	ULONG i, n;

	rows = kcalloc(EDU_MISUSE_MAX_ROWS, sizeof(*rows), GFP_KERNEL);
	if (!rows) {
		edu_result(el, "fail allocation\n");
		return;
	}
	n = run(el->adapter, rows);
	for (i = 0; i < n; i++)
		edu_result(el, "%s %s=0x%08x\n", prefix, rows[i].Name, (u32)rows[i].Status);
	kfree(rows);
}

/* ------------------------------------------------------------------------
 * Scatter-gather commands (sg.c): NET_BUFFERs built as a protocol driver
 * would hand them down, each MDL straddling a page boundary of its own
 * two-page buffer (vmalloc pages are not contiguous).
 * ------------------------------------------------------------------------ */

#define EDU_SG_MAX_PARTS 4
#define EDU_SG_MAX_MDLS (EDU_SG_MAX_PARTS + 1)
#define EDU_SG_BUF_SIZE (2 * PAGE_SIZE)

struct edu_sg_nb {
	NET_BUFFER nb;
	unsigned int n;
	struct edu_buf bufs[EDU_SG_MAX_MDLS];
	u8 *data[EDU_SG_MAX_MDLS];	/* first data byte of each MDL */
	unsigned int dlen[EDU_SG_MAX_MDLS];	/* its data bytes (0: skipped MDL) */
};

static void edu_sg_nb_free(struct edu_sg_nb *s)
{
	unsigned int i;

	for (i = 0; i < s->n; i++)
		edu_buf_free(&s->bufs[i]);
	s->n = 0;
}

static void edu_sg_nb_park(struct edu_linux *el, struct edu_sg_nb *s)
{
	unsigned int i;

	for (i = 0; i < s->n; i++)
		edu_buf_park(el, &s->bufs[i]);
	s->n = 0;
}

/*
 * a->len data bytes in a->parts MDLs (kind a->kind), after a leading MDL of
 * a->skip bytes and a->mdl_off bytes of the first data MDL: DataOffset is
 * a->skip + a->mdl_off. Parts are 64-byte multiples but the last.
 */
static int edu_sg_nb_build(struct edu_linux *el, struct edu_sg_nb *s, struct edu_args *a)
{
	unsigned int parts = a->parts ? a->parts : 1, share, done = 0, i;
	unsigned int first = a->skip ? 1 : 0;
	int ret;

	memset(s, 0, sizeof(*s));
	share = a->len / parts;
	if (share >= 64)
		share = round_down(share, 64);
	for (i = 0; i < first + parts; i++) {
		struct edu_buf *b = &s->bufs[i];
		enum edu_buf_kind kind = a->kind;
		unsigned int dlen = 0, size;
		u8 *start;

		if (i < first) {
			kind = EDU_BUF_KMALLOC;
			size = a->skip;
		} else {
			dlen = i == first + parts - 1 ? a->len - done : share;
			size = dlen + (i == first ? a->mdl_off : 0);
			if (kind == EDU_BUF_MIXED)
				kind = (i - first) % 2 ? EDU_BUF_VMALLOC : EDU_BUF_KMALLOC;
		}
		ret = edu_buf_alloc(el, b, kind, EDU_SG_BUF_SIZE);
		if (ret)
			goto fail;
		s->n++;
		NdisFreeMdl(b->mdl);
		/* Across the page boundary in the middle, 64-byte aligned. */
		start = (u8 *)b->va + PAGE_SIZE - round_down(size / 2, 64);
		b->mdl = NdisAllocateMdl(el->adapter->MiniportAdapterHandle, start, size);
		if (!b->mdl) {
			ret = -ENOMEM;
			goto fail;
		}
		if (i)
			NDIS_MDL_LINKAGE(s->bufs[i - 1].mdl) = b->mdl;
		s->data[i] = start + (i == first ? a->mdl_off : 0);
		s->dlen[i] = dlen;
		done += dlen;
	}
	NET_BUFFER_FIRST_MDL(&s->nb) = s->bufs[0].mdl;
	NET_BUFFER_CURRENT_MDL(&s->nb) = s->bufs[first].mdl;
	NET_BUFFER_CURRENT_MDL_OFFSET(&s->nb) = a->mdl_off;
	NET_BUFFER_DATA_OFFSET(&s->nb) = a->skip + a->mdl_off;
	NET_BUFFER_DATA_LENGTH(&s->nb) = a->len;
	return 0;
fail:
	edu_sg_nb_free(s);
	return ret;
}

/* Fills (check == false) or checks the data; checks nothing else was written. */
static bool edu_sg_nb_data(struct edu_linux *el, struct edu_sg_nb *s, u8 seed, bool check)
{
	size_t k = 0, i, j;

	for (i = 0; i < s->n; i++) {
		u8 *va = s->bufs[i].va;

		for (j = 0; j < s->dlen[i]; j++, k++) {
			if (!check)
				s->data[i][j] = edu_pattern(seed, k);
			else if (s->data[i][j] != edu_pattern(seed, k)) {
				edu_result(el, "fail data mismatch at data byte %zu: got 0x%02x want 0x%02x\n",
					   k, s->data[i][j], edu_pattern(seed, k));
				return false;
			}
		}
		for (j = 0; check && j < EDU_SG_BUF_SIZE; j++) {
			if (va + j >= s->data[i] && va + j < s->data[i] + s->dlen[i])
				continue;
			if (va[j]) {
				edu_result(el, "fail byte %zu of buffer %zu outside the data was written\n",
					   j, i);
				return false;
			}
		}
	}
	return true;
}

static void edu_cmd_sg_roundtrip(struct edu_linux *el, struct edu_args *a)
{
	u8 seed = el->seed++ ^ get_random_u8();
	struct edu_sg_nb *src, *dst;
	NDIS_STATUS s1, s2 = NDIS_STATUS_PENDING;
	ULONG e1 = 0, e2 = 0;
	BOOLEAN own1 = FALSE, own2 = FALSE;
	int ret;

	if (a->parts > EDU_SG_MAX_PARTS || a->skip > PAGE_SIZE || a->mdl_off > 1024 ||
	    a->off) {
		edu_result(el, "fail bad arguments\n");
		return;
	}
	src = kzalloc(sizeof(*src), GFP_KERNEL);
	dst = kzalloc(sizeof(*dst), GFP_KERNEL);
	if (!src || !dst) {
		edu_result(el, "fail allocation\n");
		goto out;
	}
	ret = edu_sg_nb_build(el, src, a);
	if (!ret) {
		ret = edu_sg_nb_build(el, dst, a);
		if (ret)
			edu_sg_nb_free(src);
	}
	if (ret == -ENOENT) {
		edu_result(el, "skip no page at or above 256 MiB\n");
		goto out;
	}
	if (ret) {
		edu_result(el, "fail building NET_BUFFERs: %d\n", ret);
		goto out;
	}
	edu_sg_nb_data(el, src, seed, false);

	/* A system-DMA test may have fenced the engine; it is idle now. */
	edu_unfence_if_idle(el->adapter);
	s1 = EduSgTransfer(el->adapter, &src->nb, TRUE, &e1, &own1);
	if (s1 == NDIS_STATUS_SUCCESS)
		s2 = EduSgTransfer(el->adapter, &dst->nb, FALSE, &e2, &own2);
	if (s1 == NDIS_STATUS_REQUEST_ABORTED || s2 == NDIS_STATUS_REQUEST_ABORTED) {
		edu_result(el, "fail engine timed out: 0x%08x/0x%08x\n", (u32)s1, (u32)s2);
		edu_sg_nb_park(el, src);
		edu_sg_nb_park(el, dst);
		goto out;
	}
	if (s1 || s2)
		edu_result(el, "fail host-to-device=0x%08x device-to-host=0x%08x len=%u\n",
			   (u32)s1, (u32)s2, a->len);
	else if (edu_sg_nb_data(el, dst, seed, true))
		edu_result(el, "ok sg to_elements=%u from_elements=%u own_list=%u/%u verified=1 len=%u\n",
			   e1, e2, own1, own2, a->len);
	edu_sg_nb_free(src);
	edu_sg_nb_free(dst);
out:
	kfree(src);
	kfree(dst);
}

static ssize_t edu_cmd_write(struct file *file, const char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	struct edu_linux *el = file->private_data;
	struct edu_args a = { .len = 64, .kind = EDU_BUF_KMALLOC };
	char buf[256], *s, *verb;
	int ret;

	if (count >= sizeof(buf))
		return -E2BIG;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	s = strim(buf);
	verb = strsep(&s, " \t");

	mutex_lock(&el->lock);
	el->result_len = 0;
	el->result[0] = '\0';
	if (!READ_ONCE(el->adapter->DmaHandle)) {
		ret = -EAGAIN;
		goto out;
	}
	ret = edu_parse_args(s, &a);
	if (ret) {
		edu_result(el, "fail bad arguments (%d)\n", ret);
		goto out;
	}
	edu_reap_pending(el);

	if (!strcmp(verb, "roundtrip"))
		edu_cmd_roundtrip(el, &a, false);
	else if (!strcmp(verb, "spinlock-roundtrip"))
		edu_cmd_roundtrip(el, &a, true);
	else if (!strcmp(verb, "counter"))
		edu_cmd_counter(el, &a);
	else if (!strcmp(verb, "busy-complete"))
		edu_cmd_busy_complete(el, &a);
	else if (!strcmp(verb, "start-only"))
		edu_cmd_start_only(el, &a);
	else if (!strcmp(verb, "misuse"))
		edu_cmd_rows(el, "misuse", EduRunMisuse);
	else if (!strcmp(verb, "adjacent-prep"))
		edu_cmd_adjacent_prep(el, &a);
	else if (!strcmp(verb, "adjacent-start"))
		edu_cmd_adjacent_start(el, &a);
	else if (!strcmp(verb, "adjacent-finish"))
		edu_cmd_adjacent_finish(el);
	else if (!strcmp(verb, "shm-roundtrip"))
		edu_cmd_shm_roundtrip(el, &a, a.cached);
	else if (!strcmp(verb, "shm-misuse"))
		edu_cmd_rows(el, "shm-misuse", EduRunSharedMemoryMisuse);
	else if (!strcmp(verb, "shm-free-dispatch"))
		edu_cmd_rows(el, "shm-free-dispatch", EduSharedMemoryFreeAtDispatch);
	else if (!strcmp(verb, "shm-forget"))
		edu_result(el, "shm-forget made=%u\n", EduSharedMemoryForget(el->adapter, a.count));
	else if (!strcmp(verb, "reap"))
		edu_result(el, "ok\n");
	else if (!strcmp(verb, "sg-roundtrip"))
		edu_cmd_sg_roundtrip(el, &a);
	else if (!strcmp(verb, "sg-misuse"))
		edu_cmd_rows(el, "misuse", EduSgRunMisuse);
	else {
		edu_result(el, "fail unknown command %s\n", verb);
		ret = -EINVAL;
	}
out:
	mutex_unlock(&el->lock);
	return ret ? ret : count;
}

static ssize_t edu_result_read(struct file *file, char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	struct edu_linux *el = file->private_data;
	ssize_t ret;

	mutex_lock(&el->lock);
	ret = simple_read_from_buffer(ubuf, count, ppos, el->result, el->result_len);
	mutex_unlock(&el->lock);
	return ret;
}

static ssize_t edu_channel_read(struct file *file, char __user *ubuf,
				size_t count, loff_t *ppos)
{
	struct edu_linux *el = file->private_data;
	PEDU_ADAPTER a = el->adapter;
	char buf[256];
	int n;

	n = scnprintf(buf, sizeof(buf),
		      "handle=0x%lx dma_interrupts=%u stray_dpcs=%u repeat=%u repeat_status=0x%08x dma_mask=%#llx fenced=%u\n",
		      (unsigned long)READ_ONCE(a->DmaHandle), READ_ONCE(a->DmaInterrupts),
		      READ_ONCE(a->StrayDpcs), READ_ONCE(a->Repeat), (u32)READ_ONCE(a->RepeatStatus),
		      dma_get_mask(&el->pdev->dev),
		      READ_ONCE(a->BusMasterFenced));
	return simple_read_from_buffer(ubuf, count, ppos, buf, n);
}

static const struct file_operations edu_cmd_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = edu_cmd_write,
	.llseek = noop_llseek,
};

static const struct file_operations edu_result_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = edu_result_read,
	.llseek = default_llseek,
};

static const struct file_operations edu_channel_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = edu_channel_read,
	.llseek = default_llseek,
};

/* ------------------------------------------------------------------------
 * Platform hooks called by the miniport (see edu.h)
 * ------------------------------------------------------------------------ */

NDIS_STATUS EduPlatformAdapterStart(PEDU_ADAPTER Adapter)
{
	struct pci_dev *pdev = NULL;
	struct edu_linux *el;

	/* The adapter whose BAR0 the miniport was given. */
	while ((pdev = pci_get_device(0x1234, 0x11e8, pdev)) != NULL) {
		if (pci_resource_start(pdev, 0) == (resource_size_t)Adapter->RegisterPhysical.QuadPart)
			break;
	}
	if (!pdev)
		return NDIS_STATUS_ADAPTER_NOT_FOUND;

	el = kzalloc(sizeof(*el), GFP_KERNEL);
	if (!el) {
		pci_dev_put(pdev);
		return NDIS_STATUS_RESOURCES;
	}
	el->adapter = Adapter;
	el->pdev = pdev;
	mutex_init(&el->lock);
	Adapter->LinuxDevice = pdev;
	Adapter->LinuxPrivate = el;

	mutex_lock(&edu_root_lock);
	edu_adapters++;
	if (!edu_root_users++)
		edu_root = debugfs_create_dir("edu_dma_c", NULL);
	el->dir = debugfs_create_dir(pci_name(pdev), edu_root);
	mutex_unlock(&edu_root_lock);
	debugfs_create_file("cmd", 0200, el->dir, el, &edu_cmd_fops);
	debugfs_create_file("result", 0400, el->dir, el, &edu_result_fops);
	debugfs_create_file("channel", 0400, el->dir, el, &edu_channel_fops);
	return NDIS_STATUS_SUCCESS;
}

VOID EduPlatformAdapterStop(PEDU_ADAPTER Adapter)
{
	struct edu_linux *el = Adapter->LinuxPrivate;

	/* Waits for a command in progress; none can start afterwards. */
	debugfs_remove_recursive(el->dir);
	el->dir = NULL;
	mutex_lock(&edu_root_lock);
	if (!--edu_root_users) {
		debugfs_remove_recursive(edu_root);
		edu_root = NULL;
	}
	mutex_unlock(&edu_root_lock);
}

VOID EduPlatformAdapterHalted(PEDU_ADAPTER Adapter)
{
	struct edu_linux *el = Adapter->LinuxPrivate;
	unsigned int i;

	/* The channel is gone: the engine can no longer reach these. */
	if (el->has_pending)
		edu_buf_free(&el->pending);
	if (el->adj_mdl)
		NdisFreeMdl(el->adj_mdl);
	mutex_lock(&edu_root_lock);
	if (!--edu_adapters) {
		kfree(edu_shared);
		edu_shared = NULL;
	}
	mutex_unlock(&edu_root_lock);
	for (i = 0; i < el->nparked; i++)
		edu_buf_free(&el->parked[i]);
	Adapter->LinuxDevice = NULL;
	Adapter->LinuxPrivate = NULL;
	pci_dev_put(el->pdev);
	mutex_destroy(&el->lock);
	kfree(el);
}
