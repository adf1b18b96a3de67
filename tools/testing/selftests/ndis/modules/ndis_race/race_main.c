// SPDX-License-Identifier: GPL-2.0
/*
 * ndis_race - races on one channel and one adapter through the shim, with
 * every byte that moves verified.
 *
 * A miniport for QEMU's edu device, a bus master with an interrupt: its
 * ISR acks edu, its DPC completes the transfer on system-DMA channel 0
 * (edu's engine, which raises an interrupt when done) and may set up the
 * next one at DISPATCH_LEVEL, as a receive path does. Commands run races
 * on one adapter and report what they counted; see race.h for the parts.
 *
 * /sys/kernel/debug/ndis_race/<pci>/run     (0200) one command:
 *   channel threads=T ms=M [seed=S]   Setup/Complete on channel 0 from T
 *                                     threads against the ISR and DPC
 *   sgshm threads=T ms=M [seed=S]     SG lists and shared memory, T
 *                                     threads over every CPU
 *   physmap threads=T ms=M [seed=S]   NDIS 5 physical mapping on map
 *                                     registers, T threads over every CPU
 *   physshare threads=T ms=M [seed=S] the same, two of them also on one
 *                                     register index (refusals counted)
 *   physfree rounds=N cpu=C [seed=S]  NdisMFreeMapRegisters (and allocate
 *                                     again) N times against a worker on
 *                                     CPU C
 *   physhold cpu=C [seed=S]           a worker on CPU C with a mapping
 *                                     held, until the halt (leave mode:
 *                                     map registers left to the shim)
 *   roundtrip [len=L] [seed=S]        a verified round trip on channel 0
 *   deregister sw=N edu=N cpu=C [seed=S]
 *                                     NdisMDeregisterDmaChannel against a
 *                                     Complete in flight on CPU C
 *   hammer cpu=C [hold=MS] [seed=S]   keep a Complete in flight on CPU C
 *                                     and the DPC busy, for the halt,
 *                                     unload or removal that follows; a
 *                                     halt in leave mode holds the
 *                                     Complete MS ms (300, at most 1000)
 * /sys/kernel/debug/ndis_race/<pci>/result  (0400) the last command's line
 * /sys/kernel/debug/ndis_race/halt_mode     (0600) "deregister": halt
 *   deregisters everything itself, racing the hammer; "leave": halt leaves
 *   channels, SG DMA, interrupt and I/O mapping to the shim, whose release
 *   races the hammer's Complete and the DPC. A teardown's result is one
 *   kernel log line, "ndis_race <pci>: teardown ...".
 */
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/iommu.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "race.h"

NDIS_LINUX_DRIVER_ENTRY DriverEntry;
MINIPORT_INITIALIZE RaceInitialize;
MINIPORT_HALT RaceHalt;
MINIPORT_UNLOAD RaceUnload;
MINIPORT_ISR RaceIsr;
MINIPORT_INTERRUPT_DPC RaceDpc;

enum race_halt_mode race_halt_mode = RACE_HALT_DEREGISTER;

static NDIS_HANDLE race_driver_handle;
static struct dentry *race_root;
static DEFINE_MUTEX(race_grave_lock);
static LIST_HEAD(race_graveyard);

/* ---- helpers shared by the parts ---- */

/* Distinct for every byte of a page and every seed: a shifted copy shows. */
u8 race_pattern(u32 seed, u32 i)
{
	return (u8)(seed * 31 + i * 0x9D + (i >> 8) * 7);
}

void race_note(char *first, size_t size, const char *fmt, ...)
{
	va_list args;

	if (first[0])
		return;
	va_start(args, fmt);
	vscnprintf(first, size, fmt, args);
	va_end(args);
}

void race_result(struct race_adapter *a, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	a->result_len = vscnprintf(a->result, sizeof(a->result), fmt, args);
	va_end(args);
}

/*
 * The end of a race thread's function: it exits only when told, so
 * kthread_stop() always finds it. Returns 0 for the thread to return.
 */
int race_wait_for_stop(void)
{
	while (!kthread_should_stop()) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (!kthread_should_stop())
			schedule();
		__set_current_state(TASK_RUNNING);
	}
	return 0;
}

int race_bufs_alloc(struct race_adapter *a, struct race_bufs *b)
{
	unsigned int k;

	memset(b, 0, sizeof(*b));
	b->va[RACE_KMALLOC] = kmalloc(RACE_BUF_LEN, GFP_KERNEL);
	b->va[RACE_VMALLOC] = vmalloc(RACE_BUF_LEN);
	b->va[RACE_PAGES] = (u8 *)__get_free_pages(GFP_KERNEL, get_order(RACE_BUF_LEN));
	for (k = 0; k < RACE_KINDS; k++) {
		if (!b->va[k])
			goto fail;
		b->mdl[k] = NdisAllocateMdl(a->MiniportAdapterHandle, b->va[k], RACE_BUF_LEN);
		if (!b->mdl[k])
			goto fail;
	}
	return 0;
fail:
	race_bufs_free(b);
	return -ENOMEM;
}

void race_bufs_free(struct race_bufs *b)
{
	unsigned int k;

	for (k = 0; k < RACE_KINDS; k++)
		if (b->mdl[k])
			NdisFreeMdl(b->mdl[k]);
	kfree(b->va[RACE_KMALLOC]);
	vfree(b->va[RACE_VMALLOC]);
	if (b->va[RACE_PAGES])
		free_pages((unsigned long)b->va[RACE_PAGES], get_order(RACE_BUF_LEN));
	memset(b, 0, sizeof(*b));
}

/*
 * The memory behind bus address @addr as the device reaches it: through
 * the IOMMU domain's page table when there is one, else from the bus
 * address (direct mapping or a swiotlb slot). NULL if nothing is there.
 */
void *race_bus_to_virt(struct device *dev, u64 addr)
{
	struct iommu_domain *dom = iommu_get_domain_for_dev(dev);
	phys_addr_t phys;

	if (dom && (dom->type & __IOMMU_DOMAIN_PAGING)) {
		phys = iommu_iova_to_phys(dom, addr);
		if (!phys)
			return NULL;
	} else {
		phys = dma_to_phys(dev, addr);
	}
	if (!pfn_valid(PHYS_PFN(phys)))
		return NULL;
	return phys_to_virt(phys);
}

/*
 * A software engine: moves @len bytes between @mem and bus address @addr,
 * page by page, as the device would. -ERANGE beyond the device's mask,
 * -EFAULT where nothing is mapped. Never sleeps.
 */
int race_sw_copy(struct device *dev, u64 addr, void *mem, u32 len, bool to_device)
{
	u64 mask = dma_get_mask(dev);
	u32 done = 0;

	if (!len || addr > mask || len - 1 > mask - addr)
		return -ERANGE;
	while (done < len) {
		u64 at = addr + done;
		u32 chunk = min_t(u32, len - done, PAGE_SIZE - offset_in_page(at));
		u8 *va = race_bus_to_virt(dev, at);

		if (!va)
			return -EFAULT;
		if (to_device)
			memcpy((u8 *)mem + done, va, chunk);
		else
			memcpy(va, (u8 *)mem + done, chunk);
		done += chunk;
	}
	return 0;
}

/* ---- channel 0's controller: edu's engine ---- */

/*
 * edu's engine cannot be stopped: clearing Bus Master Enable keeps it off
 * memory (QEMU drops its DMA and MSI) until it reports idle.
 */
static void race_bus_master(struct race_adapter *a, bool on)
{
	u16 cmd;

	pci_read_config_word(a->pdev, PCI_COMMAND, &cmd);
	if (on)
		cmd |= PCI_COMMAND_MASTER;
	else
		cmd &= ~PCI_COMMAND_MASTER;
	pci_write_config_word(a->pdev, PCI_COMMAND, cmd);
	a->fenced = !on;
}

static void race_unfence_if_idle(struct race_adapter *a)
{
	if (a->fenced && !edu_running(a))
		race_bus_master(a, true);
}

/*
 * Before a bus-master move: the engine is idle and not fenced. Called with
 * a->engine held while no transfer runs on channel 0 (runs are one at a
 * time per adapter), so the fence is not touched concurrently.
 */
bool race_engine_ready(struct race_adapter *a)
{
	race_unfence_if_idle(a);
	return !a->fenced && !edu_running(a);
}

/* Waits up to @ms for the engine to go idle. PASSIVE. */
bool race_engine_wait(struct race_adapter *a, unsigned int ms)
{
	unsigned int i;

	for (i = 0; edu_running(a) && i < ms; i++)
		usleep_range(1000, 1100);
	return !edu_running(a);
}

static NDIS_STATUS RaceDmaStart(NDIS_HANDLE Ctx, UINT Channel, ULONG64 Address, ULONG Length,
				BOOLEAN WriteToDevice)
{
	struct race_adapter *a = Ctx;
	struct contender *c;
	u64 mask = dma_get_mask(&a->pdev->dev);

	if (Channel != RACE_EDU_CHANNEL)
		return race_sw_start(a, Channel, Address, Length, WriteToDevice);
	c = race_caller(a);
	if (!c) {
		a->unknown_caller++;
		return NDIS_STATUS_RESOURCES;
	}
	/* The shim passes Setup's length, within the device's reach. */
	if (Length != c->x.len || c->x.doff > EDU_SIZE || Length > EDU_SIZE - c->x.doff ||
	    Address > mask || Length - 1 > mask - Address) {
		race_note(c->first_error, sizeof(c->first_error),
			  "Start: %#llx+%u (Setup's length %u, edu offset %u, mask %#llx)",
			  Address, Length, c->x.len, c->x.doff, mask);
		c->st.bad_status++;
		return NDIS_STATUS_RESOURCES;
	}
	race_unfence_if_idle(a);
	if (a->fenced || edu_running(a))
		return NDIS_STATUS_RESOURCES;
	if (WriteToDevice) {
		writeq(Address, edu_reg(a, EDU_REG_DMA_SRC));
		writeq(EDU_BUFFER + c->x.doff, edu_reg(a, EDU_REG_DMA_DST));
	} else {
		writeq(EDU_BUFFER + c->x.doff, edu_reg(a, EDU_REG_DMA_SRC));
		writeq(Address, edu_reg(a, EDU_REG_DMA_DST));
	}
	writeq(Length, edu_reg(a, EDU_REG_DMA_CNT));
	writel(EDU_CMD_RUN | EDU_CMD_IRQ | (WriteToDevice ? 0 : EDU_CMD_FROM_DEVICE),
	       edu_reg(a, EDU_REG_DMA_CMD));
	/*
	 * Armed once the engine runs: a DPC of an earlier interrupt that sees
	 * it armed also sees the engine busy, and leaves it alone.
	 */
	race_started(a, c);
	atomic64_inc(&a->starts);
	race_prompt_from_start(a, c);
	return NDIS_STATUS_SUCCESS;
}

static BOOLEAN RaceDmaStop(NDIS_HANDLE Ctx, UINT Channel)
{
	struct race_adapter *a = Ctx;

	if (Channel != RACE_EDU_CHANNEL) {
		race_sw_stop(a, Channel);
		return TRUE;
	}
	if (!edu_running(a)) {
		race_unfence_if_idle(a);
		return TRUE;
	}
	/*
	 * Running: fence it. Idle right after the fence does not mean it
	 * finished before: QEMU may run the engine's timer between the
	 * config write and the next register read, with the DMA dropped.
	 * Not confirmed, so the shim keeps the memory mapped until IsBusy.
	 */
	race_bus_master(a, false);
	return FALSE;
}

static BOOLEAN RaceDmaIsBusy(NDIS_HANDLE Ctx, UINT Channel)
{
	struct race_adapter *a = Ctx;

	if (Channel != RACE_EDU_CHANNEL)
		return FALSE;
	if (edu_running(a))
		return TRUE;
	race_unfence_if_idle(a);
	return FALSE;
}

/* edu moves everything at the end: a running engine has moved nothing. */
static ULONG RaceDmaReadResidue(NDIS_HANDLE Ctx, UINT Channel)
{
	struct race_adapter *a = Ctx;

	if (Channel != RACE_EDU_CHANNEL || !edu_running(a))
		return 0;
	return readl(edu_reg(a, EDU_REG_DMA_CNT));
}

static const NDIS_LINUX_DMA_CONTROLLER RaceDmaController = {
	.Start = RaceDmaStart,
	.Stop = RaceDmaStop,
	.IsBusy = RaceDmaIsBusy,
	.ReadResidue = RaceDmaReadResidue,
};

static const struct pci_device_id ndis_race_ids[] = {
	{ PCI_DEVICE(0x1234, 0x11e8) },
	{ }
};

NDIS_LINUX_PCI_MINIPORT(ndis_race, ndis_race_ids, DriverEntry, 28, &RaceDmaController);

MODULE_DESCRIPTION("ndis-shim selftest: races on one channel and one adapter, every byte verified");
MODULE_LICENSE("GPL");

/* ---- interrupt ---- */

BOOLEAN RaceIsr(NDIS_HANDLE Ctx, PBOOLEAN QueueDpc, PULONG TargetProcessors)
{
	struct race_adapter *a = Ctx;
	u32 status = readl(edu_reg(a, EDU_REG_INTR_STATUS));

	*QueueDpc = FALSE;
	*TargetProcessors = 0;
	/* INTx may be shared; all ones: the device is gone. */
	if (!status || status == ~0U)
		return FALSE;
	writel(status, edu_reg(a, EDU_REG_INTR_ACK));
	atomic64_inc(&a->isr_runs);
	if (status & EDU_INTR_DMA)
		*QueueDpc = TRUE;
	return TRUE;
}

VOID RaceDpc(NDIS_HANDLE Ctx, PVOID DpcContext, PVOID Reserved1, PVOID Reserved2)
{
	race_dpc(Ctx);
}

/* ---- the test interface ---- */

struct race_args {
	unsigned int threads, ms, len, sw, edu, rounds, hold;
	int cpu;
	u64 seed;
};

static int race_parse(char *s, struct race_args *x)
{
	char *word;

	while ((word = strsep(&s, " \t\n")) != NULL) {
		char *val;
		int ret;

		if (!*word)
			continue;
		val = strchr(word, '=');
		if (!val)
			return -EINVAL;
		*val++ = '\0';
		if (!strcmp(word, "threads"))
			ret = kstrtouint(val, 0, &x->threads);
		else if (!strcmp(word, "ms"))
			ret = kstrtouint(val, 0, &x->ms);
		else if (!strcmp(word, "len"))
			ret = kstrtouint(val, 0, &x->len);
		else if (!strcmp(word, "sw"))
			ret = kstrtouint(val, 0, &x->sw);
		else if (!strcmp(word, "edu"))
			ret = kstrtouint(val, 0, &x->edu);
		else if (!strcmp(word, "hold"))
			ret = kstrtouint(val, 0, &x->hold);
		else if (!strcmp(word, "rounds"))
			ret = kstrtouint(val, 0, &x->rounds);
		else if (!strcmp(word, "cpu"))
			ret = kstrtoint(val, 0, &x->cpu);
		else if (!strcmp(word, "seed"))
			ret = kstrtou64(val, 0, &x->seed);
		else
			ret = -EINVAL;
		if (ret)
			return ret;
	}
	/* Bounded: a run must stay well under the test's timeout. */
	if (x->threads > RACE_THREADS_MAX || x->ms > 60000 || x->len > EDU_SIZE ||
	    x->sw > 1000 || x->edu > 100 || x->rounds > 100 || x->cpu < 0 || x->cpu >= nr_cpu_ids ||
	    !cpu_online(x->cpu))
		return -ERANGE;
	return 0;
}

static ssize_t race_run_write(struct file *file, const char __user *ubuf, size_t count,
			      loff_t *ppos)
{
	struct race_adapter *a = file->private_data;
	struct race_args x = { .threads = 2, .ms = 5000, .len = EDU_SIZE, .sw = 20, .edu = 4,
			       .rounds = 8, .hold = RACE_HOLD_MS_DEFAULT, .seed = 1 };
	char buf[160], *s, *verb;
	int err;

	if (count >= sizeof(buf))
		return -E2BIG;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	s = strim(buf);
	verb = strsep(&s, " \t");
	err = race_parse(s, &x);
	if (err)
		return err;
	mutex_lock(&a->lock);
	a->result_len = 0;
	if (!strcmp(verb, "channel"))
		err = race_channel_run(a, x.threads, x.ms, x.seed);
	else if (!strcmp(verb, "sgshm"))
		err = race_sgshm_run(a, x.threads, x.ms, x.seed);
	else if (!strcmp(verb, "roundtrip"))
		err = race_roundtrip(a, x.len, x.seed);
	else if (!strcmp(verb, "deregister"))
		err = race_deregister_rounds(a, x.sw, x.edu, x.cpu, x.seed);
	else if (!strcmp(verb, "hammer"))
		err = race_hammer_start(a, x.cpu, x.hold, x.seed);
	else if (!strcmp(verb, "physmap") || !strcmp(verb, "physshare"))
		err = race_physmap_run(a, !strcmp(verb, "physshare"), x.threads, x.ms, x.seed);
	else if (!strcmp(verb, "physfree"))
		err = race_physfree_run(a, x.rounds, x.cpu, x.seed);
	else if (!strcmp(verb, "physhold"))
		err = race_physhold_start(a, x.cpu, x.seed);
	else
		err = -EINVAL;
	mutex_unlock(&a->lock);
	return err ? err : count;
}

static ssize_t race_result_read(struct file *file, char __user *ubuf, size_t count,
				loff_t *ppos)
{
	struct race_adapter *a = file->private_data;
	ssize_t ret;

	mutex_lock(&a->lock);
	ret = simple_read_from_buffer(ubuf, count, ppos, a->result, a->result_len);
	mutex_unlock(&a->lock);
	return ret;
}

static const struct file_operations race_run_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = race_run_write,
	.llseek = noop_llseek,
};

static const struct file_operations race_result_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = race_result_read,
	.llseek = default_llseek,
};

static const char *const race_halt_modes[] = { "deregister", "leave" };

static ssize_t race_mode_write(struct file *file, const char __user *ubuf, size_t count,
			       loff_t *ppos)
{
	char buf[16];
	int i;

	if (count >= sizeof(buf))
		return -E2BIG;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	i = sysfs_match_string(race_halt_modes, strim(buf));
	if (i < 0)
		return i;
	WRITE_ONCE(race_halt_mode, i);
	return count;
}

static ssize_t race_mode_read(struct file *file, char __user *ubuf, size_t count, loff_t *ppos)
{
	char buf[16];
	int n = scnprintf(buf, sizeof(buf), "%s\n", race_halt_modes[READ_ONCE(race_halt_mode)]);

	return simple_read_from_buffer(ubuf, count, ppos, buf, n);
}

static const struct file_operations race_mode_fops = {
	.owner = THIS_MODULE,
	.write = race_mode_write,
	.read = race_mode_read,
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
	/* Before the first probe: adapters add their directories to it. */
	race_root = debugfs_create_dir("ndis_race", NULL);
	debugfs_create_file("halt_mode", 0600, race_root, NULL, &race_mode_fops);
	st = NdisMRegisterMiniportDriver(DriverObject, RegistryPath, NULL, &c,
					 &race_driver_handle);
	if (st != NDIS_STATUS_SUCCESS)
		debugfs_remove_recursive(race_root);
	return st;
}

/* Frees what the adapter allocated itself (the shim's objects are gone). */
static void race_free_adapter(struct race_adapter *a)
{
	race_chain_free(a);
	race_physmap_free(a);
	mutex_destroy(&a->engine);
	mutex_destroy(&a->lock);
	kfree(a);
}

VOID RaceUnload(PDRIVER_OBJECT DriverObject)
{
	struct race_adapter *a, *n;

	/* Halts every adapter; the shim releases what they left. */
	NdisMDeregisterMiniportDriver(race_driver_handle);
	mutex_lock(&race_grave_lock);
	list_for_each_entry_safe(a, n, &race_graveyard, grave) {
		/* Reports a teardown that has not reported yet. */
		flush_delayed_work(&a->reaper);
		list_del(&a->grave);
		race_free_adapter(a);
	}
	mutex_unlock(&race_grave_lock);
	debugfs_remove_recursive(race_root);
}

static NDIS_STATUS race_register_interrupt(struct race_adapter *a)
{
	NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS ic;

	NdisZeroMemory(&ic, sizeof(ic));
	ic.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT;
	ic.Header.Revision = NDIS_MINIPORT_INTERRUPT_REVISION_1;
	ic.Header.Size = NDIS_SIZEOF_MINIPORT_INTERRUPT_CHARACTERISTICS_REVISION_1;
	ic.InterruptHandler = RaceIsr;
	ic.InterruptDpcHandler = RaceDpc;
	return NdisMRegisterInterruptEx(a->MiniportAdapterHandle, a, &ic, &a->InterruptHandle);
}

/* Channel 0: edu's engine, one 4 KiB buffer's worth at a time. */
NDIS_STATUS race_register_channel(struct race_adapter *a)
{
	NDIS_DMA_DESCRIPTION desc = { .DmaWidth = Width32Bits, .DmaSpeed = Compatible,
				      .DmaChannelSpecified = TRUE,
				      .DmaChannel = RACE_EDU_CHANNEL };
	NDIS_HANDLE h;
	NDIS_STATUS st;

	st = NdisMRegisterDmaChannel(&h, a->MiniportAdapterHandle, RACE_EDU_CHANNEL, TRUE,
				     &desc, EDU_SIZE);
	WRITE_ONCE(a->DmaHandle, st == NDIS_STATUS_SUCCESS ? h : NULL);
	return st;
}

static NDIS_STATUS race_register_sg(struct race_adapter *a)
{
	NDIS_SG_DMA_DESCRIPTION d;
	NDIS_STATUS st;

	NdisZeroMemory(&d, sizeof(d));
	d.Header.Type = NDIS_OBJECT_TYPE_SG_DMA_DESCRIPTION;
	d.Header.Revision = NDIS_SG_DMA_DESCRIPTION_REVISION_1;
	d.Header.Size = NDIS_SIZEOF_SG_DMA_DESCRIPTION_REVISION_1;
	d.Flags = 0;	/* 32-bit addresses; the shim narrows that to edu's 28 */
	d.MaximumPhysicalMapping = 4 * PAGE_SIZE;
	d.ProcessSGListHandler = RaceProcessSGList;
	d.SharedMemAllocateCompleteHandler = RaceSharedMemAllocateComplete;
	st = NdisMRegisterScatterGatherDma(a->MiniportAdapterHandle, &d, &a->SgDmaHandle);
	if (st != NDIS_STATUS_SUCCESS)
		a->SgDmaHandle = NULL;
	a->SgListSize = d.ScatterGatherListSize;
	return st;
}

NDIS_STATUS RaceInitialize(NDIS_HANDLE AdapterHandle, NDIS_HANDLE DriverContext,
			   PNDIS_MINIPORT_INIT_PARAMETERS Params)
{
	NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES ra;
	PNDIS_RESOURCE_LIST res = Params->AllocatedResources;
	NDIS_PHYSICAL_ADDRESS phys = { .QuadPart = 0 };
	struct race_adapter *a;
	NDIS_STATUS st;
	unsigned int i;

	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return NDIS_STATUS_RESOURCES;
	a->MiniportAdapterHandle = AdapterHandle;
	spin_lock_init(&a->xlock);
	mutex_init(&a->engine);
	mutex_init(&a->lock);
	INIT_LIST_HEAD(&a->grave);
	INIT_DELAYED_WORK(&a->reaper, race_reap);
	atomic64_set(&a->starts, 0);
	atomic64_set(&a->isr_runs, 0);
	atomic64_set(&a->dpc_runs, 0);

	NdisZeroMemory(&ra, sizeof(ra));
	ra.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;
	ra.Header.Revision = NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_2;
	ra.Header.Size = NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_2;
	ra.MiniportAdapterContext = (NDIS_HANDLE)a;
	ra.AttributeFlags = NDIS_MINIPORT_ATTRIBUTES_HARDWARE_DEVICE |
			    NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER;
	ra.InterfaceType = NdisInterfacePci;
	st = NdisMSetMiniportAttributes(AdapterHandle, (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&ra);
	if (st != NDIS_STATUS_SUCCESS)
		goto free;
	a->pdev = NdisLinuxGetPciDevice(AdapterHandle);
	st = NDIS_STATUS_RESOURCE_CONFLICT;
	for (i = 0; res && i < res->Count; i++) {
		if (res->PartialDescriptors[i].Type == CmResourceTypeMemory) {
			phys = res->PartialDescriptors[i].u.Memory.Start;
			a->RegisterLength = res->PartialDescriptors[i].u.Memory.Length;
			st = NDIS_STATUS_SUCCESS;
			break;
		}
	}
	if (st != NDIS_STATUS_SUCCESS || !a->pdev)
		goto free;
	strscpy(a->name, pci_name(a->pdev), sizeof(a->name));
	st = NdisMMapIoSpace((PVOID *)&a->RegisterBase, AdapterHandle, phys, a->RegisterLength);
	if (st != NDIS_STATUS_SUCCESS)
		goto free;
	if (readl(edu_reg(a, EDU_REG_ID)) != EDU_ID_VALUE) {
		st = NDIS_STATUS_ADAPTER_NOT_FOUND;
		goto unmap;
	}
	writel(~0U, edu_reg(a, EDU_REG_INTR_ACK));
	st = race_register_interrupt(a);
	if (st != NDIS_STATUS_SUCCESS)
		goto unmap;
	st = race_register_channel(a);
	if (st != NDIS_STATUS_SUCCESS)
		goto interrupt;
	st = race_register_sg(a);
	if (st != NDIS_STATUS_SUCCESS)
		goto channel;
	a->dir = debugfs_create_dir(pci_name(a->pdev), race_root);
	debugfs_create_file("result", 0400, a->dir, a, &race_result_fops);
	/* Last: the test waits for "run" to appear, then reads "result". */
	debugfs_create_file("run", 0200, a->dir, a, &race_run_fops);
	return NDIS_STATUS_SUCCESS;

channel:
	NdisMDeregisterDmaChannel(a->DmaHandle);
interrupt:
	NdisMDeregisterInterruptEx(a->InterruptHandle);
unmap:
	NdisMUnmapIoSpace(AdapterHandle, a->RegisterBase, a->RegisterLength);
free:
	race_free_adapter(a);
	return st;
}

VOID RaceHalt(NDIS_HANDLE Ctx, NDIS_HALT_ACTION HaltAction)
{
	struct race_adapter *a = Ctx;

	/* Waits for a command in progress; none can start afterwards. */
	debugfs_remove_recursive(a->dir);
	a->halt_mode = READ_ONCE(race_halt_mode);
	race_halt_teardown(a);
	if (a->halt_mode == RACE_HALT_LEAVE) {
		/*
		 * The shim still calls the controller with this context while
		 * it releases what was left, and the reaper reports: freed at
		 * unload.
		 */
		mutex_lock(&race_grave_lock);
		list_add(&a->grave, &race_graveyard);
		mutex_unlock(&race_grave_lock);
		return;
	}
	writel(~0U, edu_reg(a, EDU_REG_INTR_ACK));
	NdisMUnmapIoSpace(a->MiniportAdapterHandle, a->RegisterBase, a->RegisterLength);
	race_free_adapter(a);
}
