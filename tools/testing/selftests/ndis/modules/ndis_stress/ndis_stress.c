// SPDX-License-Identifier: GPL-2.0
/*
 * ndis_stress - concurrent system-DMA stress through the shim, with every
 * byte verified.
 *
 * A miniport for QEMU's edu device. Each adapter registers several system
 * DMA channels; one kernel thread per channel runs transfers of random
 * direction, size, offset and buffer kind (kmalloc, vmalloc: bounced,
 * page-allocated) through NdisMSetupDmaTransfer / NdisMCompleteDmaTransfer
 * and checks every byte afterwards, plus the guard bytes around it.
 *
 * The DMA controller behind the channels is a software engine that moves
 * the bytes through the *device address* the shim handed it, translated
 * back the way the hardware would see it: through the IOMMU domain's page
 * table (iommu_iova_to_phys) when there is one, else from the bus address
 * (dma_to_phys: direct mapping or a swiotlb slot). A wrong device address,
 * a missed sync or a stale bounce buffer therefore shows up as a mismatch;
 * an address beyond the device's DMA mask is counted as a reach violation.
 * Channel 0 of each adapter also sends every REAL_EVERY-th transfer through
 * edu's real engine (to edu's buffer and back).
 *
 * /sys/kernel/debug/ndis_stress/run     (0200) "transfers=M [channels=C] [seed=S] [pin=K]"
 *     runs C channels per adapter, M transfers each, all at once; returns
 *     when every thread is done. pin=K: for the run, K KiB of page-sized
 *     streaming mappings on the first adapter's device stay mapped, as a
 *     neighbouring driver would hold most of a small swiotlb pool (only
 *     where the device reaches a forced swiotlb pool; else nothing).
 * /sys/kernel/debug/ndis_stress/result  (0400) the last run:
 *     transfers= verified= mismatches= reach= refused= errors= real= ms=
 *     pinned= (KiB actually held by pin=)
 */
#define NDIS_MINIPORT_DRIVER
#define NDIS630_MINIPORT

#include <linux/completion.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/iommu.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/prandom.h>
#include <linux/slab.h>
#include <linux/swiotlb.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include <ndis_linux.h>

#define EDU_REG_ID		0x00
#define EDU_REG_DMA_SRC		0x80
#define EDU_REG_DMA_DST		0x88
#define EDU_REG_DMA_CNT		0x90
#define EDU_REG_DMA_CMD		0x98
#define EDU_ID_VALUE		0x010000EDU
#define EDU_CMD_RUN		0x1
#define EDU_CMD_FROM_DEVICE	0x2
#define EDU_BUFFER		0x40000
#define EDU_SIZE		4096

#define MAX_ADAPTERS	4
#define MAX_CHANNELS	8
#define MAX_LEN		(16 * 1024)
/* Buffers are larger than any transfer, for offsets and guard bytes. */
#define BUF_LEN		(MAX_LEN + 512)
#define REAL_EVERY	64
#define POISON		0xA5

enum buf_kind { BUF_KMALLOC, BUF_VMALLOC, BUF_PAGES, BUF_KINDS };

struct stress_adapter;

struct stress_channel {
	struct stress_adapter *a;
	unsigned int number;
	NDIS_HANDLE handle;
	/* the software engine's "device memory", and what it last did */
	u8 *devmem;
	bool real;		/* this transfer goes through edu's engine */
	int engine_error;	/* set by the software engine */
	void *buf[BUF_KINDS];
	PMDL mdl[BUF_KINDS];
	u8 *expect;
	struct rnd_state rnd;
	unsigned int transfers;
	struct task_struct *task;
	struct completion finished;
	/* results */
	u64 done, verified, mismatches, reach, refused, errors, real_done;
	char first_error[96];
};

struct stress_adapter {
	NDIS_HANDLE MiniportAdapterHandle;
	PUCHAR RegisterBase;
	ULONG RegisterLength;
	struct pci_dev *pdev;
	struct stress_channel ch[MAX_CHANNELS];
	unsigned int nch;
};

NDIS_LINUX_DRIVER_ENTRY DriverEntry;
MINIPORT_INITIALIZE StressInitialize;
MINIPORT_HALT StressHalt;
MINIPORT_UNLOAD StressUnload;

static NDIS_HANDLE stress_driver_handle;
static DEFINE_MUTEX(stress_lock);	/* the adapter list and runs */
static struct stress_adapter *stress_adapters[MAX_ADAPTERS];
static struct dentry *stress_dir;
static char stress_result[320];
static size_t stress_result_len;

static void __iomem *edu_reg(struct stress_adapter *a, ULONG off)
{
	return (void __iomem __force *)(a->RegisterBase + off);
}

static bool edu_running(struct stress_adapter *a)
{
	return readl(edu_reg(a, EDU_REG_DMA_CMD)) & EDU_CMD_RUN;
}

/*
 * The software engine: copies between the channel's device memory and the
 * memory behind device address @addr, page by page, translating as the
 * device's bus would. Runs under the shim's channel lock: never sleeps.
 */
static int sw_engine_copy(struct stress_channel *c, u64 addr, u32 len, bool to_device)
{
	struct device *dev = &c->a->pdev->dev;
	struct iommu_domain *dom = iommu_get_domain_for_dev(dev);
	bool paging = dom && (dom->type & __IOMMU_DOMAIN_PAGING);
	u64 mask = dma_get_mask(dev);
	u32 done = 0;

	if (addr > mask || len - 1 > mask - addr)
		return -ERANGE;
	while (done < len) {
		u64 a = addr + done;
		u32 chunk = min_t(u32, len - done, PAGE_SIZE - offset_in_page(a));
		phys_addr_t phys = paging ? iommu_iova_to_phys(dom, a) : dma_to_phys(dev, a);
		void *va;

		if ((paging && !phys) || !pfn_valid(PHYS_PFN(phys)))
			return -EFAULT;
		va = phys_to_virt(phys);
		if (to_device)
			memcpy(c->devmem + done, va, chunk);
		else
			memcpy(va, c->devmem + done, chunk);
		done += chunk;
	}
	return 0;
}

static NDIS_STATUS StressDmaStart(NDIS_HANDLE Ctx, UINT Channel, ULONG64 Address,
				  ULONG Length, BOOLEAN WriteToDevice)
{
	struct stress_adapter *a = Ctx;
	struct stress_channel *c;

	if (Channel >= a->nch)
		return NDIS_STATUS_RESOURCES;
	c = &a->ch[Channel];
	if (c->real) {
		if (Length > EDU_SIZE || edu_running(a))
			return NDIS_STATUS_RESOURCES;
		writeq(WriteToDevice ? Address : EDU_BUFFER, edu_reg(a, EDU_REG_DMA_SRC));
		writeq(WriteToDevice ? EDU_BUFFER : Address, edu_reg(a, EDU_REG_DMA_DST));
		writeq(Length, edu_reg(a, EDU_REG_DMA_CNT));
		writel(EDU_CMD_RUN | (WriteToDevice ? 0 : EDU_CMD_FROM_DEVICE),
		       edu_reg(a, EDU_REG_DMA_CMD));
		return NDIS_STATUS_SUCCESS;
	}
	c->engine_error = sw_engine_copy(c, Address, Length, WriteToDevice);
	return NDIS_STATUS_SUCCESS;
}

static BOOLEAN StressDmaStop(NDIS_HANDLE Ctx, UINT Channel)
{
	struct stress_adapter *a = Ctx;

	/* Only channel 0 ever runs the real engine, and the thread waits
	 * for it before Complete. */
	return Channel != 0 || !edu_running(a);
}

static BOOLEAN StressDmaIsBusy(NDIS_HANDLE Ctx, UINT Channel)
{
	return !StressDmaStop(Ctx, Channel);
}

static ULONG StressDmaReadResidue(NDIS_HANDLE Ctx, UINT Channel)
{
	return 0;
}

static const NDIS_LINUX_DMA_CONTROLLER StressDmaController = {
	.Start = StressDmaStart,
	.Stop = StressDmaStop,
	.IsBusy = StressDmaIsBusy,
	.ReadResidue = StressDmaReadResidue,
};

static const struct pci_device_id ndis_stress_ids[] = {
	{ PCI_DEVICE(0x1234, 0x11e8) },
	{ }
};

NDIS_LINUX_PCI_MINIPORT(ndis_stress, ndis_stress_ids, DriverEntry, 28, &StressDmaController);

MODULE_DESCRIPTION("ndis-shim selftest: concurrent system-DMA stress, every byte verified");
MODULE_LICENSE("GPL");

/* ---- one channel's thread ---- */

static void note_error(struct stress_channel *c, const char *what, u32 kind, u32 off, u32 len,
		       bool to_device, u32 extra)
{
	c->errors++;
	if (!c->first_error[0])
		scnprintf(c->first_error, sizeof(c->first_error),
			  "%s: ch%u kind=%u off=%u len=%u %s %#x", what, c->number, kind, off,
			  len, to_device ? "to" : "from", extra);
}

/* Waits for edu's engine after a real transfer; may sleep. */
static bool wait_engine(struct stress_adapter *a)
{
	unsigned int us;

	for (us = 0; edu_running(a) && us < 1000000; us += 20)
		udelay(20);
	return !edu_running(a);
}

/* One Setup + (wait) + Complete; returns the status that ended it. */
static NDIS_STATUS one_transfer(struct stress_channel *c, PMDL mdl, u32 off, u32 len,
				bool to_device)
{
	NDIS_STATUS st;

	c->engine_error = 0;
	NdisMSetupDmaTransfer(&st, c->handle, mdl, off, len, to_device);
	if (st != NDIS_STATUS_SUCCESS)
		return st;
	if (c->real && !wait_engine(c->a))
		c->engine_error = -ETIMEDOUT;
	NdisMCompleteDmaTransfer(&st, c->handle, mdl, off, len, to_device);
	return st;
}

static u32 random_len(struct stress_channel *c, u32 max)
{
	static const u32 common[] = { 1, 64, 1500, 4096, 4097, 8192, MAX_LEN };
	u32 r = prandom_u32_state(&c->rnd);

	if (r & 1)
		return min(common[(r >> 1) % ARRAY_SIZE(common)], max);
	return 1 + (r >> 1) % max;
}

static void run_one(struct stress_channel *c)
{
	u32 r = prandom_u32_state(&c->rnd);
	u32 kind = r % BUF_KINDS;
	bool to_device = (r >> 4) & 1;
	u32 off = (r >> 8) % 256;
	u32 max = c->real ? EDU_SIZE : MAX_LEN;
	u32 len = random_len(c, max);
	u8 *buf = c->buf[kind];
	NDIS_STATUS st;
	u32 j;

	prandom_bytes_state(&c->rnd, c->expect, len);
	if (c->real) {
		/* To edu's buffer and back: both directions, verified once. */
		memcpy(buf + off, c->expect, len);
		st = one_transfer(c, c->mdl[kind], off, len, true);
		if (st == NDIS_STATUS_SUCCESS && !c->engine_error) {
			memset(buf, POISON, BUF_LEN);
			st = one_transfer(c, c->mdl[kind], off, len, false);
		}
		to_device = false;
	} else if (to_device) {
		memset(buf, POISON, BUF_LEN);
		memcpy(buf + off, c->expect, len);
		memset(c->devmem, POISON, MAX_LEN);
		st = one_transfer(c, c->mdl[kind], off, len, true);
	} else {
		memset(buf, POISON, BUF_LEN);
		memcpy(c->devmem, c->expect, len);
		st = one_transfer(c, c->mdl[kind], off, len, false);
	}
	c->done++;
	if (c->real)
		c->real_done++;
	if (st == NDIS_STATUS_RESOURCES && !c->engine_error) {
		/* Out of mapping space (tiny swiotlb): refused, nothing moved. */
		c->refused++;
		return;
	}
	if (st != NDIS_STATUS_SUCCESS) {
		note_error(c, "status", kind, off, len, to_device, st);
		return;
	}
	if (c->engine_error) {
		if (c->engine_error == -ERANGE)
			c->reach++;
		note_error(c, "engine", kind, off, len, to_device, -c->engine_error);
		return;
	}
	if (to_device) {
		if (memcmp(c->devmem, c->expect, len)) {
			c->mismatches++;
			note_error(c, "device got wrong bytes", kind, off, len, true, 0);
			return;
		}
	} else {
		if (memcmp(buf + off, c->expect, len)) {
			c->mismatches++;
			note_error(c, "host got wrong bytes", kind, off, len, false, 0);
			return;
		}
		for (j = 0; j < BUF_LEN; j++) {
			if ((j < off || j >= off + len) && buf[j] != POISON) {
				c->mismatches++;
				note_error(c, "guard byte overwritten", kind, off, len, false, j);
				return;
			}
		}
	}
	c->verified++;
}

static int stress_thread(void *data)
{
	struct stress_channel *c = data;
	u64 i;

	for (i = 0; i < c->transfers && !kthread_should_stop(); i++) {
		c->real = c->number == 0 && i % REAL_EVERY == 0;
		run_one(c);
		c->real = false;
		cond_resched();
	}
	complete(&c->finished);
	/* Exit only when told, so kthread_stop() always finds the thread. */
	while (!kthread_should_stop()) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (!kthread_should_stop())
			schedule();
		__set_current_state(TASK_RUNNING);
	}
	return 0;
}

/* ---- setup and teardown of a run's channels ---- */

static void channel_free(struct stress_channel *c)
{
	unsigned int k;

	if (c->handle)
		NdisMDeregisterDmaChannel(c->handle);
	c->handle = NULL;
	for (k = 0; k < BUF_KINDS; k++) {
		if (c->mdl[k])
			NdisFreeMdl(c->mdl[k]);
		c->mdl[k] = NULL;
	}
	kfree(c->buf[BUF_KMALLOC]);
	vfree(c->buf[BUF_VMALLOC]);
	if (c->buf[BUF_PAGES])
		free_pages((unsigned long)c->buf[BUF_PAGES], get_order(BUF_LEN));
	memset(c->buf, 0, sizeof(c->buf));
	kfree(c->devmem);
	kfree(c->expect);
	c->devmem = c->expect = NULL;
}

static int channel_init(struct stress_adapter *a, unsigned int n, u64 seed)
{
	struct stress_channel *c = &a->ch[n];
	/* The channel is the description's (the DmaChannel argument is ignored). */
	NDIS_DMA_DESCRIPTION desc = { .DmaWidth = Width32Bits, .DmaSpeed = Compatible,
				      .DmaChannelSpecified = TRUE, .DmaChannel = n };
	NDIS_STATUS st;
	unsigned int k;

	memset(c, 0, sizeof(*c));
	init_completion(&c->finished);
	c->a = a;
	c->number = n;
	prandom_seed_state(&c->rnd, seed ^ ((u64)n << 32) ^ (uintptr_t)a->pdev->devfn);
	c->devmem = kmalloc(MAX_LEN, GFP_KERNEL);
	c->expect = kmalloc(MAX_LEN, GFP_KERNEL);
	c->buf[BUF_KMALLOC] = kmalloc(BUF_LEN, GFP_KERNEL);
	c->buf[BUF_VMALLOC] = vmalloc(BUF_LEN);
	c->buf[BUF_PAGES] = (void *)__get_free_pages(GFP_KERNEL, get_order(BUF_LEN));
	if (!c->devmem || !c->expect || !c->buf[0] || !c->buf[1] || !c->buf[2])
		return -ENOMEM;
	for (k = 0; k < BUF_KINDS; k++) {
		c->mdl[k] = NdisAllocateMdl(a->MiniportAdapterHandle, c->buf[k], BUF_LEN);
		if (!c->mdl[k])
			return -ENOMEM;
	}
	st = NdisMRegisterDmaChannel(&c->handle, a->MiniportAdapterHandle, n, TRUE, &desc,
				     MAX_LEN);
	if (st != NDIS_STATUS_SUCCESS) {
		c->handle = NULL;
		return -EIO;
	}
	return 0;
}

/* ---- pin=: a neighbour holding most of the bounce pool ---- */

struct stress_pin {
	struct device *dev;
	struct page **pages;
	dma_addr_t *addr;
	unsigned int n;
};

/* Maps up to @kib KiB page by page until the pool refuses; returns KiB held. */
static unsigned int stress_pin(struct stress_pin *p, struct device *dev, unsigned int kib)
{
	unsigned int want = kib / (PAGE_SIZE / 1024);
	struct io_tlb_mem *mem = dev->dma_io_tlb_mem;

	memset(p, 0, sizeof(*p));
	/* Only a forced pool the device reaches: anything else would WARN
	 * (swiotlb overflow) or pin nothing that Setup competes for. */
	if (!want || !is_swiotlb_force_bounce(dev) || !mem || !mem->nslabs ||
	    phys_to_dma(dev, mem->defpool.end - 1) > dma_get_mask(dev))
		return 0;
	p->dev = dev;
	p->pages = kcalloc(want, sizeof(*p->pages), GFP_KERNEL);
	p->addr = kcalloc(want, sizeof(*p->addr), GFP_KERNEL);
	if (!p->pages || !p->addr)
		return 0;
	for (p->n = 0; p->n < want; p->n++) {
		struct page *pg = alloc_page(GFP_KERNEL);
		dma_addr_t a;

		if (!pg)
			break;
		a = dma_map_page_attrs(dev, pg, 0, PAGE_SIZE, DMA_TO_DEVICE, DMA_ATTR_NO_WARN);
		if (dma_mapping_error(dev, a)) {
			__free_page(pg);
			break;
		}
		p->pages[p->n] = pg;
		p->addr[p->n] = a;
	}
	return p->n * (PAGE_SIZE / 1024);
}

static void stress_unpin(struct stress_pin *p)
{
	while (p->n) {
		p->n--;
		dma_unmap_page(p->dev, p->addr[p->n], PAGE_SIZE, DMA_TO_DEVICE);
		__free_page(p->pages[p->n]);
	}
	kfree(p->pages);
	kfree(p->addr);
	memset(p, 0, sizeof(*p));
}

static int stress_run(unsigned int transfers, unsigned int channels, u64 seed,
		      unsigned int pin_kib)
{
	struct stress_pin pin = {};
	unsigned int pinned = 0;
	u64 done = 0, verified = 0, mismatches = 0, reach = 0, refused = 0, errors = 0;
	u64 real = 0;
	const char *first = "";
	unsigned int i, n, na = 0;
	ktime_t t0;
	int err = 0;

	channels = clamp(channels, 1U, (unsigned int)MAX_CHANNELS);
	for (i = 0; i < MAX_ADAPTERS; i++) {
		struct stress_adapter *a = stress_adapters[i];

		if (!a)
			continue;
		na++;
		a->nch = channels;
		for (n = 0; n < channels && !err; n++)
			err = channel_init(a, n, seed);
	}
	if (!na)
		err = -ENODEV;
	for (i = 0; i < MAX_ADAPTERS && !err && pin_kib; i++) {
		if (stress_adapters[i]) {
			pinned = stress_pin(&pin, &stress_adapters[i]->pdev->dev, pin_kib);
			break;
		}
	}
	t0 = ktime_get();
	for (i = 0; i < MAX_ADAPTERS && !err; i++) {
		struct stress_adapter *a = stress_adapters[i];

		for (n = 0; a && n < a->nch; n++) {
			struct stress_channel *c = &a->ch[n];

			c->transfers = transfers;
			c->task = kthread_run(stress_thread, c, "ndis_stress/%u.%u", i, n);
			if (IS_ERR(c->task)) {
				err = PTR_ERR(c->task);
				c->task = NULL;
				break;
			}
		}
	}
	/* Wait for every thread (or, after an error, stop them early). */
	for (i = 0; i < MAX_ADAPTERS; i++) {
		struct stress_adapter *a = stress_adapters[i];

		for (n = 0; a && n < a->nch; n++) {
			struct stress_channel *c = &a->ch[n];

			if (!c->task)
				continue;
			if (!err)
				wait_for_completion(&c->finished);
			kthread_stop(c->task);
			c->task = NULL;
			done += c->done;
			verified += c->verified;
			mismatches += c->mismatches;
			reach += c->reach;
			refused += c->refused;
			errors += c->errors;
			real += c->real_done;
			if (!*first && c->first_error[0])
				first = c->first_error;
		}
	}
	stress_result_len = scnprintf(stress_result, sizeof(stress_result),
				      "adapters=%u channels=%u transfers=%llu verified=%llu mismatches=%llu reach=%llu refused=%llu errors=%llu real=%llu ms=%lld err=%d pinned=%u%s%s\n",
				      na, channels, done, verified, mismatches, reach, refused,
				      errors, real, ktime_ms_delta(ktime_get(), t0), err, pinned,
				      *first ? " first=" : "", first);
	stress_unpin(&pin);
	for (i = 0; i < MAX_ADAPTERS; i++) {
		struct stress_adapter *a = stress_adapters[i];

		for (n = 0; a && n < MAX_CHANNELS; n++)
			channel_free(&a->ch[n]);
	}
	return err;
}

static ssize_t run_write(struct file *file, const char __user *ubuf, size_t count,
			 loff_t *ppos)
{
	unsigned int transfers = 1000, channels = 4, pin_kib = 0;
	u64 seed = 1;
	char buf[128], *s, *word;
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
		if (!strncmp(word, "transfers=", 10))
			err = kstrtouint(word + 10, 0, &transfers);
		else if (!strncmp(word, "channels=", 9))
			err = kstrtouint(word + 9, 0, &channels);
		else if (!strncmp(word, "seed=", 5))
			err = kstrtou64(word + 5, 0, &seed);
		else if (!strncmp(word, "pin=", 4))
			err = kstrtouint(word + 4, 0, &pin_kib);
		else
			err = -EINVAL;
		if (err)
			return err;
	}
	mutex_lock(&stress_lock);
	err = stress_run(transfers, channels, seed, pin_kib);
	mutex_unlock(&stress_lock);
	return err ? err : count;
}

static ssize_t result_read(struct file *file, char __user *ubuf, size_t count, loff_t *ppos)
{
	ssize_t ret;

	mutex_lock(&stress_lock);
	ret = simple_read_from_buffer(ubuf, count, ppos, stress_result, stress_result_len);
	mutex_unlock(&stress_lock);
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
	c.InitializeHandlerEx = StressInitialize;
	c.HaltHandlerEx = StressHalt;
	c.UnloadHandler = StressUnload;
	st = NdisMRegisterMiniportDriver(DriverObject, RegistryPath, NULL, &c,
					 &stress_driver_handle);
	if (st == NDIS_STATUS_SUCCESS) {
		stress_dir = debugfs_create_dir("ndis_stress", NULL);
		debugfs_create_file("run", 0200, stress_dir, NULL, &run_fops);
		debugfs_create_file("result", 0400, stress_dir, NULL, &result_fops);
	}
	return st;
}

VOID StressUnload(PDRIVER_OBJECT DriverObject)
{
	debugfs_remove_recursive(stress_dir);
	NdisMDeregisterMiniportDriver(stress_driver_handle);
}

NDIS_STATUS StressInitialize(NDIS_HANDLE AdapterHandle, NDIS_HANDLE DriverContext,
			     PNDIS_MINIPORT_INIT_PARAMETERS Params)
{
	NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES ra;
	PNDIS_RESOURCE_LIST res = Params->AllocatedResources;
	NDIS_PHYSICAL_ADDRESS phys = { .QuadPart = 0 };
	struct stress_adapter *a;
	struct pci_dev *pdev = NULL;
	NDIS_STATUS st;
	unsigned int i;

	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return NDIS_STATUS_RESOURCES;
	a->MiniportAdapterHandle = AdapterHandle;
	NdisZeroMemory(&ra, sizeof(ra));
	ra.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;
	ra.Header.Revision = NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_2;
	ra.Header.Size = NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_2;
	ra.MiniportAdapterContext = (NDIS_HANDLE)a;
	ra.InterfaceType = NdisInterfacePci;
	st = NdisMSetMiniportAttributes(AdapterHandle, (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&ra);
	if (st != NDIS_STATUS_SUCCESS)
		goto free;
	st = NDIS_STATUS_RESOURCE_CONFLICT;
	for (i = 0; res && i < res->Count; i++) {
		if (res->PartialDescriptors[i].Type == CmResourceTypeMemory) {
			phys = res->PartialDescriptors[i].u.Memory.Start;
			a->RegisterLength = res->PartialDescriptors[i].u.Memory.Length;
			st = NDIS_STATUS_SUCCESS;
			break;
		}
	}
	if (st != NDIS_STATUS_SUCCESS)
		goto free;
	while ((pdev = pci_get_device(0x1234, 0x11e8, pdev)) != NULL)
		if (pci_resource_start(pdev, 0) == (resource_size_t)phys.QuadPart)
			break;
	if (!pdev) {
		st = NDIS_STATUS_ADAPTER_NOT_FOUND;
		goto free;
	}
	a->pdev = pdev;
	st = NdisMMapIoSpace((PVOID *)&a->RegisterBase, AdapterHandle, phys, a->RegisterLength);
	if (st != NDIS_STATUS_SUCCESS)
		goto put;
	if (readl(edu_reg(a, EDU_REG_ID)) != EDU_ID_VALUE) {
		st = NDIS_STATUS_ADAPTER_NOT_FOUND;
		goto unmap;
	}
	mutex_lock(&stress_lock);
	st = NDIS_STATUS_RESOURCES;
	for (i = 0; i < MAX_ADAPTERS; i++) {
		if (!stress_adapters[i]) {
			stress_adapters[i] = a;
			st = NDIS_STATUS_SUCCESS;
			break;
		}
	}
	mutex_unlock(&stress_lock);
	if (st == NDIS_STATUS_SUCCESS)
		return st;
unmap:
	NdisMUnmapIoSpace(AdapterHandle, a->RegisterBase, a->RegisterLength);
put:
	pci_dev_put(pdev);
free:
	kfree(a);
	return st;
}

VOID StressHalt(NDIS_HANDLE Ctx, NDIS_HALT_ACTION HaltAction)
{
	struct stress_adapter *a = Ctx;
	unsigned int i;

	/* Runs hold stress_lock throughout: a halt waits for the run. */
	mutex_lock(&stress_lock);
	for (i = 0; i < MAX_ADAPTERS; i++)
		if (stress_adapters[i] == a)
			stress_adapters[i] = NULL;
	mutex_unlock(&stress_lock);
	NdisMUnmapIoSpace(a->MiniportAdapterHandle, a->RegisterBase, a->RegisterLength);
	pci_dev_put(a->pdev);
	kfree(a);
}
