// SPDX-License-Identifier: GPL-2.0
/*
 * ndis_bench.c - what a system-DMA transfer costs through ndis-shim.
 *
 * A miniport for QEMU's edu device (1234:11e8, 28-bit DMA, MaximumLength
 * 64 KiB) whose DMA controller starts nothing: Start succeeds, Stop says
 * idle, IsBusy FALSE, residue 0. So NdisMSetupDmaTransfer +
 * NdisMCompleteDmaTransfer time the shim alone (handle lookup, checks,
 * mapping or bounce, controller calls), never the device. Each is compared
 * with the raw Linux DMA API on the same device and buffer, the way
 * kernel/dma/map_benchmark.c measures dma_map_single:
 *
 *   direct  kmalloc buffer (cache-line aligned):
 *           shim  Setup + Complete
 *           raw   dma_map_single + dma_mapping_error
 *                 [+ dma_sync_single_for_cpu, device-to-host] + dma_unmap_single
 *   bounce  vmalloc buffer (not contiguous: the shim copies through its
 *           bounce memory):
 *           raw   memcpy into a kmalloc stage + map/unmap of it (to-device),
 *                 map + sync + unmap + memcpy out (device-to-host)
 *   conc    one kthread per online CPU, bound to it, each with its own
 *           channel and buffer: throughput with 1 thread and with all,
 *           shim phases and raw phases run separately.
 *   sg      NDIS 6 scatter-gather of a NET_BUFFER over one kmalloc buffer
 *           (sg-vmalloc: over a vmalloc one, page by page):
 *           shim  NdisMAllocateNetBufferSGList (ProcessSGList just records
 *                 the list) + NdisMFreeNetBufferSGList
 *           raw   sg_alloc_table + one entry per page + dma_map_sgtable
 *                 [+ dma_sync_sgtable_for_cpu, device-to-host] +
 *                 dma_unmap_sgtable + sg_free_table
 *   phys    NDIS 5 physical mapping of one kmalloc buffer under map
 *           register 0 (NdisMAllocateMapRegisters at Initialize):
 *           shim  NdisMStartBufferPhysicalMapping +
 *                 NdisMCompleteBufferPhysicalMapping
 *           raw   as for direct
 *
 * Shim and raw iterations interleave (which goes first alternates); every
 * pair is timed on its own with local_clock() and preemption off. Results:
 * median and p99 of all samples, the spread of the per-repetition medians
 * (stability), and which path the shim took (the controller sees the bus
 * address; the channel's bounce memory has a known one).
 *
 * Root-only debugfs, /sys/kernel/debug/ndis_bench/:
 *   run     write "iters=N reps=N conc_iters=N [only=sg|phys] [profile=N]"
 *           (all optional) to run (only=sg: the sg and sg-vmalloc rows
 *           alone; only=phys: the phys rows alone; profile=N: a few rows,
 *           each followed by N marked shim pairs and N marked raw
 *           sequences for the insnprof QEMU plugin, see bench_profile())
 *   result  the last run's CSV
 */
#define NDIS_MINIPORT_DRIVER
#define NDIS630_MINIPORT

#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/dma-mapping.h>
#include <linux/iommu.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/scatterlist.h>
#include <linux/sched/clock.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/swiotlb.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include <ndis_linux.h>

#define BENCH_MAX_LENGTH	65536
#define BENCH_MAX_CHANNELS	8
#define BENCH_RESULT_SIZE	(32 * 1024)
#define BENCH_WARMUP		64
#define BENCH_TAG		'hcnB'

/* ------------------------------------------------------------------------
 * The adapter and its do-nothing DMA controller
 * ------------------------------------------------------------------------ */

typedef struct _BENCH_ADAPTER {
	NDIS_HANDLE MiniportAdapterHandle;
	NDIS_HANDLE DmaHandle[BENCH_MAX_CHANNELS];
	ULONG Channels;
	/* What Start was last given, per channel (under the channel's lock). */
	ULONG64 LastAddress[BENCH_MAX_CHANNELS];
	/* The channel's bounce memory, learnt from a vmalloc transfer. */
	ULONG64 BounceAddress[BENCH_MAX_CHANNELS];
	struct pci_dev *Pdev;
	/* NDIS 6 scatter-gather DMA (NULL if the registration failed). */
	NDIS_HANDLE SgDmaHandle;
	ULONG SgListSize;
	ULONG64 SgBounceAddress;	/* the first bounce slot, learnt */
	/* NDIS 5 map registers (one), if NdisMAllocateMapRegisters gave them. */
	BOOLEAN MapRegisters;
	ULONG64 MapRegisterBounceAddress;	/* register 0's memory, learnt */
} BENCH_ADAPTER, *PBENCH_ADAPTER;

static NDIS_STATUS BenchDmaStart(NDIS_HANDLE AdapterContext, UINT DmaChannel,
				 ULONG64 DeviceAddress, ULONG Length,
				 BOOLEAN WriteToDevice)
{
	PBENCH_ADAPTER a = AdapterContext;

	if (DmaChannel < BENCH_MAX_CHANNELS)
		WRITE_ONCE(a->LastAddress[DmaChannel], DeviceAddress);
	return NDIS_STATUS_SUCCESS;
}

static BOOLEAN BenchDmaStop(NDIS_HANDLE AdapterContext, UINT DmaChannel)
{
	return TRUE;
}

static BOOLEAN BenchDmaIsBusy(NDIS_HANDLE AdapterContext, UINT DmaChannel)
{
	return FALSE;
}

static ULONG BenchDmaReadResidue(NDIS_HANDLE AdapterContext, UINT DmaChannel)
{
	return 0;
}

static const NDIS_LINUX_DMA_CONTROLLER BenchDmaController = {
	.Start = BenchDmaStart,
	.Stop = BenchDmaStop,
	.IsBusy = BenchDmaIsBusy,
	.ReadResidue = BenchDmaReadResidue,
};

static const struct pci_device_id ndis_bench_ids[] = {
	{ PCI_DEVICE(0x1234, 0x11e8) },
	{ }
};

static NDIS_LINUX_DRIVER_ENTRY BenchDriverEntry;

NDIS_LINUX_PCI_MINIPORT(ndis_bench, ndis_bench_ids, BenchDriverEntry, 28,
			&BenchDmaController);

MODULE_DESCRIPTION("ndis-shim system-DMA benchmark (shim vs raw DMA API)");
MODULE_LICENSE("GPL");

/* The first adapter runs the benchmark; any other is bound and idle. */
static DEFINE_MUTEX(bench_lock);
static PBENCH_ADAPTER bench_adapter;
static NDIS_HANDLE bench_driver_handle;
static struct dentry *bench_dir;
static char *bench_result;
static size_t bench_result_len;

/* ------------------------------------------------------------------------
 * Miniport (the Windows-shaped part)
 * ------------------------------------------------------------------------ */

static MINIPORT_INITIALIZE BenchInitialize;
static MINIPORT_HALT BenchHalt;
static MINIPORT_UNLOAD BenchUnload;
static MINIPORT_PAUSE BenchPause;
static MINIPORT_RESTART BenchRestart;
static MINIPORT_OID_REQUEST BenchOidRequest;
static MINIPORT_SEND_NET_BUFFER_LISTS BenchSend;
static MINIPORT_RETURN_NET_BUFFER_LISTS BenchReturn;
static MINIPORT_CANCEL_SEND BenchCancelSend;
static MINIPORT_SHUTDOWN BenchShutdown;
static MINIPORT_DEVICE_PNP_EVENT_NOTIFY BenchPnp;
static MINIPORT_CANCEL_OID_REQUEST BenchCancelOid;
static MINIPORT_PROCESS_SG_LIST BenchProcessSGList;

static int bench_debugfs_create(void);
static void bench_debugfs_remove(void);

static NTSTATUS BenchDriverEntry(PDRIVER_OBJECT DriverObject,
				 PUNICODE_STRING RegistryPath)
{
	NDIS_MINIPORT_DRIVER_CHARACTERISTICS Chars;
	NDIS_STATUS Status;

	NdisZeroMemory(&Chars, sizeof(Chars));
	Chars.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS;
	Chars.Header.Revision = NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
	Chars.Header.Size = NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
	Chars.MajorNdisVersion = NDIS_MINIPORT_MAJOR_VERSION;
	Chars.MinorNdisVersion = NDIS_MINIPORT_MINOR_VERSION;
	Chars.MajorDriverVersion = 1;
	Chars.MinorDriverVersion = 0;
	Chars.InitializeHandlerEx = BenchInitialize;
	Chars.HaltHandlerEx = BenchHalt;
	Chars.UnloadHandler = BenchUnload;
	Chars.PauseHandler = BenchPause;
	Chars.RestartHandler = BenchRestart;
	Chars.OidRequestHandler = BenchOidRequest;
	Chars.SendNetBufferListsHandler = BenchSend;
	Chars.ReturnNetBufferListsHandler = BenchReturn;
	Chars.CancelSendHandler = BenchCancelSend;
	Chars.ShutdownHandlerEx = BenchShutdown;
	Chars.DevicePnPEventNotifyHandler = BenchPnp;
	Chars.CancelOidRequestHandler = BenchCancelOid;
	/* Where a Windows miniport would create its control device. */
	if (bench_debugfs_create())
		return NDIS_STATUS_RESOURCES;
	Status = NdisMRegisterMiniportDriver(DriverObject, RegistryPath, NULL,
					     &Chars, &bench_driver_handle);
	if (Status != NDIS_STATUS_SUCCESS)
		bench_debugfs_remove();
	return Status;
}

static VOID BenchUnload(PDRIVER_OBJECT DriverObject)
{
	NdisMDeregisterMiniportDriver(bench_driver_handle);
	bench_debugfs_remove();
}

static struct pci_dev *BenchFindPdev(PNDIS_RESOURCE_LIST Resources)
{
	struct pci_dev *pdev = NULL;
	resource_size_t bar0 = 0;
	ULONG i;

	for (i = 0; Resources && i < Resources->Count; i++) {
		if (Resources->PartialDescriptors[i].Type == CmResourceTypeMemory) {
			bar0 = Resources->PartialDescriptors[i].u.Memory.Start.QuadPart;
			break;
		}
	}
	while ((pdev = pci_get_device(0x1234, 0x11e8, pdev)) != NULL)
		if (bar0 && pci_resource_start(pdev, 0) == bar0)
			return pdev;
	return NULL;
}

static NDIS_STATUS BenchInitialize(NDIS_HANDLE MiniportAdapterHandle,
				   NDIS_HANDLE MiniportDriverContext,
				   PNDIS_MINIPORT_INIT_PARAMETERS InitParameters)
{
	NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES RegAttrs;
	NDIS_SG_DMA_DESCRIPTION SgDesc;
	NDIS_DMA_DESCRIPTION DmaDesc;
	PBENCH_ADAPTER a;
	NDIS_STATUS Status, SgStatus;
	ULONG i, want;

	a = NdisAllocateMemoryWithTagPriority(MiniportAdapterHandle, sizeof(*a),
					      BENCH_TAG, NormalPoolPriority);
	if (!a)
		return NDIS_STATUS_RESOURCES;
	NdisZeroMemory(a, sizeof(*a));
	a->MiniportAdapterHandle = MiniportAdapterHandle;

	NdisZeroMemory(&RegAttrs, sizeof(RegAttrs));
	RegAttrs.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;
	RegAttrs.Header.Revision = NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_2;
	RegAttrs.Header.Size = NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_2;
	RegAttrs.MiniportAdapterContext = (NDIS_HANDLE)a;
	RegAttrs.AttributeFlags = NDIS_MINIPORT_ATTRIBUTES_HARDWARE_DEVICE |
				  NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER;
	RegAttrs.InterfaceType = NdisInterfacePci;
	Status = NdisMSetMiniportAttributes(MiniportAdapterHandle,
					    (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&RegAttrs);
	if (Status != NDIS_STATUS_SUCCESS)
		goto Free;

	a->Pdev = BenchFindPdev(InitParameters->AllocatedResources);
	if (!a->Pdev) {
		Status = NDIS_STATUS_ADAPTER_NOT_FOUND;
		goto Free;
	}

	mutex_lock(&bench_lock);
	if (bench_adapter) {
		/* Bound, but the benchmark runs on the first adapter only. */
		mutex_unlock(&bench_lock);
		return NDIS_STATUS_SUCCESS;
	}
	/* One channel per CPU (its own lock, its own bounce memory). */
	want = min_t(ULONG, num_online_cpus(), BENCH_MAX_CHANNELS);
	NdisZeroMemory(&DmaDesc, sizeof(DmaDesc));
	DmaDesc.DmaWidth = Width32Bits;
	DmaDesc.DmaSpeed = Compatible;
	DmaDesc.DmaChannelSpecified = TRUE;	/* the DmaChannel argument is ignored */
	for (i = 0; i < want; i++) {
		DmaDesc.DmaChannel = i;
		Status = NdisMRegisterDmaChannel(&a->DmaHandle[i], MiniportAdapterHandle,
						 i, TRUE, &DmaDesc, BENCH_MAX_LENGTH);
		if (Status != NDIS_STATUS_SUCCESS) {
			pr_err("ndis_bench: NdisMRegisterDmaChannel(%u): 0x%08x\n",
			       i, (u32)Status);
			break;
		}
		a->Channels++;
	}
	NdisZeroMemory(&SgDesc, sizeof(SgDesc));
	SgDesc.Header.Type = NDIS_OBJECT_TYPE_SG_DMA_DESCRIPTION;
	SgDesc.Header.Revision = NDIS_SG_DMA_DESCRIPTION_REVISION_1;
	SgDesc.Header.Size = NDIS_SIZEOF_SG_DMA_DESCRIPTION_REVISION_1;
	SgDesc.MaximumPhysicalMapping = BENCH_MAX_LENGTH;
	SgDesc.ProcessSGListHandler = BenchProcessSGList;
	SgStatus = NdisMRegisterScatterGatherDma(MiniportAdapterHandle, &SgDesc, &a->SgDmaHandle);
	if (SgStatus == NDIS_STATUS_SUCCESS)
		a->SgListSize = SgDesc.ScatterGatherListSize;
	else
		pr_err("ndis_bench: NdisMRegisterScatterGatherDma: 0x%08x\n", (u32)SgStatus);
	/* One map register for the phys rows (an NDIS 5 bus master's DMA). */
	SgStatus = NdisMAllocateMapRegisters(MiniportAdapterHandle, 0, NDIS_DMA_32BITS, 1,
					     BENCH_MAX_LENGTH);
	if (SgStatus == NDIS_STATUS_SUCCESS)
		a->MapRegisters = TRUE;
	else
		pr_err("ndis_bench: NdisMAllocateMapRegisters: 0x%08x\n", (u32)SgStatus);
	if (a->Channels)
		bench_adapter = a;
	mutex_unlock(&bench_lock);
	if (!a->Channels)
		goto Put;
	return NDIS_STATUS_SUCCESS;
Put:
	if (a->MapRegisters)
		NdisMFreeMapRegisters(MiniportAdapterHandle);
	if (a->SgDmaHandle)
		NdisMDeregisterScatterGatherDma(a->SgDmaHandle);
	pci_dev_put(a->Pdev);
Free:
	NdisFreeMemory(a, sizeof(*a), 0);
	return Status;
}

static VOID BenchHalt(NDIS_HANDLE MiniportAdapterContext, NDIS_HALT_ACTION HaltAction)
{
	PBENCH_ADAPTER a = MiniportAdapterContext;
	ULONG i;

	mutex_lock(&bench_lock);	/* waits for a run in progress */
	if (bench_adapter == a)
		bench_adapter = NULL;
	mutex_unlock(&bench_lock);
	if (a->MapRegisters)
		NdisMFreeMapRegisters(a->MiniportAdapterHandle);
	if (a->SgDmaHandle)
		NdisMDeregisterScatterGatherDma(a->SgDmaHandle);
	for (i = 0; i < a->Channels; i++)
		NdisMDeregisterDmaChannel(a->DmaHandle[i]);
	pci_dev_put(a->Pdev);
	NdisFreeMemory(a, sizeof(*a), 0);
}

static NDIS_STATUS BenchPause(NDIS_HANDLE C, PNDIS_MINIPORT_PAUSE_PARAMETERS P)
{
	return NDIS_STATUS_SUCCESS;
}

static NDIS_STATUS BenchRestart(NDIS_HANDLE C, PNDIS_MINIPORT_RESTART_PARAMETERS P)
{
	return NDIS_STATUS_SUCCESS;
}

static NDIS_STATUS BenchOidRequest(NDIS_HANDLE C, PNDIS_OID_REQUEST R)
{
	return NDIS_STATUS_NOT_SUPPORTED;
}

static VOID BenchSend(NDIS_HANDLE C, PNET_BUFFER_LIST L, NDIS_PORT_NUMBER P, ULONG F)
{
}

static VOID BenchReturn(NDIS_HANDLE C, PNET_BUFFER_LIST L, ULONG F)
{
}

static VOID BenchCancelSend(NDIS_HANDLE C, PVOID Id)
{
}

static VOID BenchShutdown(NDIS_HANDLE C, NDIS_SHUTDOWN_ACTION A)
{
}

static VOID BenchPnp(NDIS_HANDLE C, PNET_DEVICE_PNP_EVENT E)
{
}

static VOID BenchCancelOid(NDIS_HANDLE C, PVOID Id)
{
}

/* ------------------------------------------------------------------------
 * Measurement
 * ------------------------------------------------------------------------ */

struct bench_params {
	unsigned int iters;
	unsigned int reps;
	unsigned int conc_iters;
	bool sg_only;		/* only=sg: the sg and sg-vmalloc rows alone */
	bool phys_only;		/* only=phys: the phys rows alone */
	unsigned int profile;	/* profile=N: bench_profile_run() instead */
};

/* One buffer as both sides use it: kmalloc or vmalloc, with its MDL. */
struct bench_buf {
	void *va;
	PMDL mdl;
	size_t len;
	bool vmalloc;
};

/* Per-thread state of one case. */
struct bench_ctx {
	PBENCH_ADAPTER a;
	struct device *dev;
	unsigned int ch;
	struct bench_buf buf;
	void *stage;		/* raw bounce: contiguous staging buffer */
	NET_BUFFER nb;		/* sg: over buf.mdl */
	PVOID sg_list;		/* sg: the caller's list buffer (SgListSize) */
	bool to_device;
	unsigned long errors;
};

static int bench_buf_alloc(PBENCH_ADAPTER a, struct bench_buf *b, size_t len,
			   bool use_vmalloc)
{
	memset(b, 0, sizeof(*b));
	b->len = len;
	b->vmalloc = use_vmalloc;
	/* kmalloc of these sizes is cache-line aligned (power-of-two slabs). */
	b->va = use_vmalloc ? vzalloc(len) : kzalloc(roundup_pow_of_two(len), GFP_KERNEL);
	if (!b->va)
		return -ENOMEM;
	b->mdl = NdisAllocateMdl(a->MiniportAdapterHandle, b->va, len);
	if (!b->mdl) {
		kvfree(b->va);
		b->va = NULL;
		return -ENOMEM;
	}
	return 0;
}

static void bench_buf_free(struct bench_buf *b)
{
	if (b->mdl)
		NdisFreeMdl(b->mdl);
	kvfree(b->va);
	memset(b, 0, sizeof(*b));
}

/* One Setup + Complete through the shim, in ns. */
static u64 bench_shim_once(struct bench_ctx *c)
{
	NDIS_STATUS s, t;
	u64 t0, t1;

	t0 = local_clock();
	NdisMSetupDmaTransfer(&s, c->a->DmaHandle[c->ch], c->buf.mdl, 0,
			      (ULONG)c->buf.len, c->to_device);
	NdisMCompleteDmaTransfer(&t, c->a->DmaHandle[c->ch], c->buf.mdl, 0,
				 (ULONG)c->buf.len, c->to_device);
	t1 = local_clock();
	if (s != NDIS_STATUS_SUCCESS || t != NDIS_STATUS_SUCCESS)
		c->errors++;
	return t1 - t0;
}

/* The same transfer on the raw DMA API, in ns. */
static u64 bench_raw_once(struct bench_ctx *c)
{
	enum dma_data_direction dir = c->to_device ? DMA_TO_DEVICE : DMA_FROM_DEVICE;
	void *va = c->buf.vmalloc ? c->stage : c->buf.va;
	size_t len = c->buf.len;
	dma_addr_t addr;
	u64 t0, t1;

	t0 = local_clock();
	if (c->buf.vmalloc && c->to_device)
		memcpy(c->stage, c->buf.va, len);
	addr = dma_map_single(c->dev, va, len, dir);
	if (dma_mapping_error(c->dev, addr)) {
		c->errors++;
	} else {
		if (!c->to_device)
			dma_sync_single_for_cpu(c->dev, addr, len, dir);
		dma_unmap_single(c->dev, addr, len, dir);
	}
	if (c->buf.vmalloc && !c->to_device)
		memcpy(c->buf.va, c->stage, len);
	t1 = local_clock();
	return t1 - t0;
}

static int bench_cmp_u64(const void *x, const void *y)
{
	u64 a = *(const u64 *)x, b = *(const u64 *)y;

	return a < b ? -1 : a > b;
}

struct bench_stat {
	u64 med, p99, spread_permille;	/* spread of per-rep medians / median */
};

/* Sorts @s in place (per repetition, then all). */
static void bench_stats(u64 *s, unsigned int reps, unsigned int iters,
			struct bench_stat *st)
{
	u64 lo = U64_MAX, hi = 0, m;
	unsigned int r, n = reps * iters;

	for (r = 0; r < reps; r++) {
		sort(s + r * iters, iters, sizeof(u64), bench_cmp_u64, NULL);
		m = s[r * iters + iters / 2];
		lo = min(lo, m);
		hi = max(hi, m);
	}
	sort(s, n, sizeof(u64), bench_cmp_u64, NULL);
	st->med = s[n / 2];
	st->p99 = s[min(n - 1, (unsigned int)div_u64((u64)n * 99, 100))];
	st->spread_permille = st->med ? div64_u64((hi - lo) * 1000, st->med) : 0;
}

__printf(1, 2) static void bench_out(const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	bench_result_len += vscnprintf(bench_result + bench_result_len,
				       BENCH_RESULT_SIZE - bench_result_len, fmt, args);
	va_end(args);
}

static void bench_row(const char *name, size_t size, bool to_device,
		      unsigned int threads, const char *path, unsigned int iters,
		      unsigned int reps, struct bench_stat *sh, struct bench_stat *raw,
		      u64 shim_kops, u64 raw_kops, unsigned long errors)
{
	u64 ratio = raw->med ? div64_u64(sh->med * 1000, raw->med) : 0;
	s64 added = (s64)sh->med - (s64)raw->med;

	bench_out("%s,%zu,%s,%u,%s,%u,%u,%llu,%llu,%llu,%llu,%llu.%03llu,%lld,%llu.%llu,%llu.%llu,%llu,%llu,%lu\n",
		  name, size, to_device ? "to-device" : "from-device", threads,
		  path, iters, reps, sh->med, sh->p99, raw->med, raw->p99,
		  ratio / 1000, ratio % 1000, added,
		  sh->spread_permille / 10, sh->spread_permille % 10,
		  raw->spread_permille / 10, raw->spread_permille % 10,
		  shim_kops, raw_kops, errors);
}

/* One measured case: the shim's way and the raw DMA API's. */
struct bench_ops {
	u64 (*shim_once)(struct bench_ctx *c);
	u64 (*raw_once)(struct bench_ctx *c);
	const char *(*path)(struct bench_ctx *c);
};

/* Which path the shim took for this buffer: Start saw the bounce memory? */
static const char *bench_shim_path(struct bench_ctx *c)
{
	NDIS_STATUS s, t;

	WRITE_ONCE(c->a->LastAddress[c->ch], 0);
	NdisMSetupDmaTransfer(&s, c->a->DmaHandle[c->ch], c->buf.mdl, 0,
			      (ULONG)c->buf.len, c->to_device);
	NdisMCompleteDmaTransfer(&t, c->a->DmaHandle[c->ch], c->buf.mdl, 0,
				 (ULONG)c->buf.len, c->to_device);
	if (s != NDIS_STATUS_SUCCESS || t != NDIS_STATUS_SUCCESS)
		return "shim-error";
	return READ_ONCE(c->a->LastAddress[c->ch]) == c->a->BounceAddress[c->ch] ?
	       "bounce" : "direct";
}

static const struct bench_ops bench_dma_ops = {
	.shim_once = bench_shim_once,
	.raw_once = bench_raw_once,
	.path = bench_shim_path,
};

/* ---- Profile: windows for the insnprof QEMU plugin ---- */

/*
 * A marker for insnprof.c: "nopl 0x4e4453XX(%rax)", a NOP to the CPU with a
 * displacement nothing else uses. 01 begins a block, 02 starts a window
 * (counting from the next instruction), 03 stops it, 04 ends the block.
 */
#define BENCH_MARK(kind) \
	asm volatile(".byte 0x0f, 0x1f, 0x80, " #kind ", 0x53, 0x44, 0x4e" ::: "memory")

static unsigned int bench_profile_blocks;

/*
 * One block: @n iterations as bench_latency() runs them, @counted and
 * @other under one preempt_disable(), @counted first or @second; only
 * @counted inside the window.
 */
static void bench_profile_block(struct bench_ctx *c, const char *name, const char *side,
				bool second, unsigned int n, u64 (*counted)(struct bench_ctx *c),
				u64 (*other)(struct bench_ctx *c))
{
	unsigned int i;

	bench_out("#profile block=%u case=%s size=%zu dir=%s side=%s order=%s windows=%u\n",
		  bench_profile_blocks++, name, c->buf.len,
		  c->to_device ? "to-device" : "from-device", side,
		  second ? "second" : "first", n);
	BENCH_MARK(0x01);
	for (i = 0; i < n; i++) {
		preempt_disable();
		if (second)
			other(c);
		BENCH_MARK(0x02);
		counted(c);
		BENCH_MARK(0x03);
		if (!second)
			other(c);
		preempt_enable();
		if ((i & 255) == 255)
			cond_resched();
	}
	BENCH_MARK(0x04);
}

/*
 * What each instruction of a pair is spent on: after a row's timed loop
 * (so warm, same buffer and channel), the row's iterations again, each
 * shim pair (then each raw sequence) in a window of its own, once going
 * first and once second in its iteration as the timed loop alternates
 * them (the order can change the count). The same *_once functions the
 * row times, so a window is the timed region plus the two local_clock()
 * calls and the call itself. Without the plugin the markers are NOPs.
 */
static void bench_profile(struct bench_ctx *c, struct bench_params *p,
			  const struct bench_ops *ops, const char *name)
{
	unsigned int second;

	for (second = 0; second < 2; second++) {
		bench_profile_block(c, name, "shim", second, p->profile, ops->shim_once,
				    ops->raw_once);
		bench_profile_block(c, name, "raw", second, p->profile, ops->raw_once,
				    ops->shim_once);
	}
}

/* Single-thread latency: interleaved shim/raw pairs. */
static int bench_latency(PBENCH_ADAPTER a, struct bench_params *p, const struct bench_ops *ops,
			 const char *name, size_t len, bool to_device, bool use_vmalloc)
{
	unsigned int n = p->iters * p->reps, i;
	struct bench_ctx c = {
		.a = a, .dev = &a->Pdev->dev, .ch = 0, .to_device = to_device,
	};
	struct bench_stat sh, raw;
	u64 *ss = NULL, *rs = NULL;
	const char *path;
	int ret = -ENOMEM;

	ss = kvmalloc_array(n, sizeof(u64), GFP_KERNEL);
	rs = kvmalloc_array(n, sizeof(u64), GFP_KERNEL);
	c.stage = kmalloc(BENCH_MAX_LENGTH, GFP_KERNEL);
	c.sg_list = kmalloc(max_t(size_t, a->SgListSize, 1), GFP_KERNEL);
	if (!ss || !rs || !c.stage || !c.sg_list ||
	    bench_buf_alloc(a, &c.buf, len, use_vmalloc))
		goto out;
	memset(c.buf.va, 0xa5, len);
	NET_BUFFER_FIRST_MDL(&c.nb) = c.buf.mdl;
	NET_BUFFER_CURRENT_MDL(&c.nb) = c.buf.mdl;
	NET_BUFFER_DATA_LENGTH(&c.nb) = (ULONG)len;
	path = ops->path(&c);

	for (i = 0; i < BENCH_WARMUP; i++) {
		ops->shim_once(&c);
		ops->raw_once(&c);
	}
	c.errors = 0;
	for (i = 0; i < n; i++) {
		preempt_disable();
		if (i & 1) {
			ss[i] = ops->shim_once(&c);
			rs[i] = ops->raw_once(&c);
		} else {
			rs[i] = ops->raw_once(&c);
			ss[i] = ops->shim_once(&c);
		}
		preempt_enable();
		if ((i & 255) == 255)
			cond_resched();
	}
	bench_stats(ss, p->reps, p->iters, &sh);
	bench_stats(rs, p->reps, p->iters, &raw);
	bench_row(name, len, to_device, 1, path, p->iters, p->reps, &sh, &raw, 0, 0,
		  c.errors);
	if (p->profile)
		bench_profile(&c, p, ops, name);
	ret = 0;
out:
	bench_buf_free(&c.buf);
	kfree(c.sg_list);
	kfree(c.stage);
	kvfree(ss);
	kvfree(rs);
	return ret;
}

/* ---- Scatter-gather: NdisMAllocateNetBufferSGList vs dma_map_sgtable ---- */

static VOID BenchProcessSGList(PDEVICE_OBJECT pDO, PVOID Reserved,
			       PSCATTER_GATHER_LIST pSGL, PVOID Context)
{
	*(PSCATTER_GATHER_LIST *)Context = pSGL;
}

/* One list allocated and freed through the shim, in ns. */
static u64 bench_sg_shim_once(struct bench_ctx *c)
{
	PSCATTER_GATHER_LIST list = NULL;
	NDIS_STATUS s;
	u64 t0, t1;

	t0 = local_clock();
	s = NdisMAllocateNetBufferSGList(c->a->SgDmaHandle, &c->nb, &list,
					 c->to_device ? NDIS_SG_LIST_WRITE_TO_DEVICE : 0,
					 c->sg_list, c->a->SgListSize);
	if (s == NDIS_STATUS_SUCCESS && list)
		NdisMFreeNetBufferSGList(c->a->SgDmaHandle, list, &c->nb);
	t1 = local_clock();
	if (s != NDIS_STATUS_SUCCESS || !list)
		c->errors++;
	return t1 - t0;
}

/* The same pages through sg_table + dma_map_sgtable, in ns. */
static u64 bench_sg_raw_once(struct bench_ctx *c)
{
	enum dma_data_direction dir = c->to_device ? DMA_TO_DEVICE : DMA_FROM_DEVICE;
	size_t off = offset_in_page(c->buf.va), left = c->buf.len;
	unsigned int n = DIV_ROUND_UP(off + left, PAGE_SIZE);
	u8 *va = c->buf.va;
	struct scatterlist *sg;
	struct sg_table sgt;
	unsigned int i;
	u64 t0, t1;

	t0 = local_clock();
	if (sg_alloc_table(&sgt, n, GFP_ATOMIC)) {
		c->errors++;
		return local_clock() - t0;
	}
	for_each_sgtable_sg(&sgt, sg, i) {
		size_t len = min_t(size_t, left, PAGE_SIZE - off);

		sg_set_page(sg, c->buf.vmalloc ? vmalloc_to_page(va) : virt_to_page(va),
			    len, off);
		va += len;
		left -= len;
		off = 0;
	}
	if (dma_map_sgtable(c->dev, &sgt, dir, 0)) {
		c->errors++;
	} else {
		if (!c->to_device)
			dma_sync_sgtable_for_cpu(c->dev, &sgt, dir);
		dma_unmap_sgtable(c->dev, &sgt, dir, 0);
	}
	sg_free_table(&sgt);
	t1 = local_clock();
	return t1 - t0;
}

/* The address of a list, or 0. */
static ULONG64 bench_sg_first_address(struct bench_ctx *c, PNET_BUFFER nb, bool to_device,
				      ULONG *elements)
{
	PSCATTER_GATHER_LIST list = NULL;
	ULONG64 addr;

	if (NdisMAllocateNetBufferSGList(c->a->SgDmaHandle, nb, &list,
					 to_device ? NDIS_SG_LIST_WRITE_TO_DEVICE : 0,
					 c->sg_list, c->a->SgListSize) != NDIS_STATUS_SUCCESS ||
	    !list)
		return 0;
	addr = list->Elements[0].Address.QuadPart;
	*elements = list->NumberOfElements;
	NdisMFreeNetBufferSGList(c->a->SgDmaHandle, list, nb);
	return addr;
}

/*
 * "mapped" or "bounce": a bounced list is one element in the shim's first
 * bounce slot, learnt from a device-to-host list of 1 byte (which shares a
 * cache line, so is always bounced).
 */
static const char *bench_sg_path(struct bench_ctx *c)
{
	ULONG n = 0, ignored;
	ULONG64 addr;

	if (!c->a->SgBounceAddress) {
		NET_BUFFER one = c->nb;

		NET_BUFFER_DATA_LENGTH(&one) = 1;
		c->a->SgBounceAddress = bench_sg_first_address(c, &one, false, &ignored);
	}
	addr = bench_sg_first_address(c, &c->nb, c->to_device, &n);
	if (!addr)
		return "shim-error";
	return n == 1 && addr == c->a->SgBounceAddress ? "bounce" : "mapped";
}

static const struct bench_ops bench_sg_ops = {
	.shim_once = bench_sg_shim_once,
	.raw_once = bench_sg_raw_once,
	.path = bench_sg_path,
};

/* ---- NDIS 5 physical mapping: NdisMStartBufferPhysicalMapping vs map ---- */

/* One buffer mapped and completed under map register 0, in ns. */
static u64 bench_phys_shim_once(struct bench_ctx *c)
{
	NDIS_PHYSICAL_ADDRESS_UNIT units[BENCH_MAX_LENGTH / PAGE_SIZE + 1];
	UINT n = 0;
	u64 t0, t1;

	t0 = local_clock();
	NdisMStartBufferPhysicalMapping(c->a->MiniportAdapterHandle, c->buf.mdl, 0,
					c->to_device, units, &n);
	if (n)
		NdisMCompleteBufferPhysicalMapping(c->a->MiniportAdapterHandle, c->buf.mdl, 0);
	t1 = local_clock();
	if (!n)
		c->errors++;
	return t1 - t0;
}

/* The first piece's address and the number of pieces, or 0. */
static ULONG64 bench_phys_first_address(struct bench_ctx *c, PMDL mdl, bool to_device,
					UINT *pieces)
{
	NDIS_PHYSICAL_ADDRESS_UNIT units[BENCH_MAX_LENGTH / PAGE_SIZE + 1];

	*pieces = 0;
	NdisMStartBufferPhysicalMapping(c->a->MiniportAdapterHandle, mdl, 0, to_device,
					units, pieces);
	if (!*pieces)
		return 0;
	NdisMCompleteBufferPhysicalMapping(c->a->MiniportAdapterHandle, mdl, 0);
	return units[0].PhysicalAddress.QuadPart;
}

/*
 * "mapped" or "bounce": a bounced buffer is one piece in register 0's
 * memory, learnt from a device-to-host mapping of 1 byte (which shares a
 * cache line, so is always bounced).
 */
static const char *bench_phys_path(struct bench_ctx *c)
{
	UINT n, ignored;
	ULONG64 addr;

	if (!c->a->MapRegisterBounceAddress) {
		PMDL one = NdisAllocateMdl(c->a->MiniportAdapterHandle, c->buf.va, 1);

		if (!one)
			return "shim-error";
		c->a->MapRegisterBounceAddress = bench_phys_first_address(c, one, false, &ignored);
		NdisFreeMdl(one);
	}
	addr = bench_phys_first_address(c, c->buf.mdl, c->to_device, &n);
	if (!addr)
		return "shim-error";
	return n == 1 && addr == c->a->MapRegisterBounceAddress ? "bounce" : "mapped";
}

static const struct bench_ops bench_phys_ops = {
	.shim_once = bench_phys_shim_once,
	.raw_once = bench_raw_once,
	.path = bench_phys_path,
};

/* ---- Concurrency: one kthread per CPU, each with its own channel ---- */

struct bench_thread {
	struct bench_ctx c;
	struct task_struct *task;
	struct completion done;
	u64 *samples;
	unsigned int iters;
	bool shim;
	u64 elapsed;
};

/* ndis.h's SAL annotations (__out) break wait_event(): a completion it is. */
static DECLARE_COMPLETION(bench_go);

static int bench_thread_fn(void *data)
{
	struct bench_thread *t = data;
	unsigned int i;
	u64 t0;

	wait_for_completion(&bench_go);
	t0 = local_clock();
	for (i = 0; i < t->iters; i++) {
		preempt_disable();
		t->samples[i] = t->shim ? bench_shim_once(&t->c) : bench_raw_once(&t->c);
		preempt_enable();
		if ((i & 255) == 255)
			cond_resched();
	}
	t->elapsed = local_clock() - t0;
	complete(&t->done);
	/* Stay until kthread_stop() so the task is never freed under us. */
	while (!kthread_should_stop()) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (!kthread_should_stop())
			schedule();
		__set_current_state(TASK_RUNNING);
	}
	return 0;
}

/*
 * One phase: @nthreads threads (CPUs 0..n-1) all run shim or all raw.
 * Returns the summed throughput in pairs per second; samples appended.
 */
static u64 bench_conc_phase(struct bench_thread *th, unsigned int nthreads,
			    bool shim, u64 *samples, unsigned int iters)
{
	unsigned int i;
	u64 ops = 0;

	reinit_completion(&bench_go);
	for (i = 0; i < nthreads; i++) {
		th[i].shim = shim;
		th[i].iters = iters;
		th[i].samples = samples + i * iters;
		th[i].elapsed = 0;
		init_completion(&th[i].done);
		th[i].task = kthread_create_on_cpu(bench_thread_fn, &th[i], i, "ndis_bench/%u");
		if (IS_ERR(th[i].task)) {
			th[i].task = NULL;
			th[i].elapsed = 0;
			complete(&th[i].done);
			continue;
		}
		wake_up_process(th[i].task);
	}
	complete_all(&bench_go);
	for (i = 0; i < nthreads; i++) {
		wait_for_completion(&th[i].done);
		if (th[i].task)
			kthread_stop(th[i].task);
		if (th[i].elapsed)
			ops += div64_u64((u64)iters * NSEC_PER_SEC, th[i].elapsed);
	}
	return ops;
}

static int bench_concurrent(PBENCH_ADAPTER a, struct bench_params *p, size_t len)
{
	unsigned int ncpu = min_t(unsigned int, a->Channels, num_online_cpus());
	unsigned int iters = p->conc_iters, reps = p->reps, r, i, nt;
	struct bench_thread *th;
	struct bench_stat sh, raw;
	u64 *ss = NULL, *rs = NULL;
	u64 shim_ops, raw_ops;
	int ret = -ENOMEM;

	th = kcalloc(ncpu, sizeof(*th), GFP_KERNEL);
	if (!th)
		return -ENOMEM;
	for (i = 0; i < ncpu; i++) {
		th[i].c = (struct bench_ctx){
			.a = a, .dev = &a->Pdev->dev, .ch = i, .to_device = true,
		};
		if (bench_buf_alloc(a, &th[i].c.buf, len, false))
			goto out;
	}
	ss = kvmalloc_array((size_t)ncpu * iters * reps, sizeof(u64), GFP_KERNEL);
	rs = kvmalloc_array((size_t)ncpu * iters * reps, sizeof(u64), GFP_KERNEL);
	if (!ss || !rs)
		goto out;

	for (nt = 1; nt <= ncpu; nt = nt == ncpu ? ncpu + 1 : ncpu) {
		unsigned long errors = 0;

		shim_ops = 0;
		raw_ops = 0;
		/* Warm up each channel and CPU once. */
		bench_conc_phase(th, nt, true, ss, BENCH_WARMUP);
		bench_conc_phase(th, nt, false, rs, BENCH_WARMUP);
		for (i = 0; i < nt; i++)
			th[i].c.errors = 0;
		for (r = 0; r < reps; r++) {
			u64 *sr = ss + (size_t)r * nt * iters, *rr = rs + (size_t)r * nt * iters;

			if (r & 1) {
				shim_ops += bench_conc_phase(th, nt, true, sr, iters);
				raw_ops += bench_conc_phase(th, nt, false, rr, iters);
			} else {
				raw_ops += bench_conc_phase(th, nt, false, rr, iters);
				shim_ops += bench_conc_phase(th, nt, true, sr, iters);
			}
		}
		for (i = 0; i < nt; i++)
			errors += th[i].c.errors;
		bench_stats(ss, reps, nt * iters, &sh);
		bench_stats(rs, reps, nt * iters, &raw);
		bench_row("conc", len, true, nt, "direct", iters, reps, &sh, &raw,
			  div_u64(shim_ops, reps * 1000), div_u64(raw_ops, reps * 1000),
			  errors);
	}
	ret = 0;
out:
	for (i = 0; i < ncpu; i++)
		bench_buf_free(&th[i].c.buf);
	kfree(th);
	kvfree(ss);
	kvfree(rs);
	return ret;
}

/* The bus address of each channel's bounce memory: a vmalloc transfer's. */
static int bench_learn_bounce(PBENCH_ADAPTER a)
{
	struct bench_buf b;
	NDIS_STATUS s, t;
	ULONG i;

	if (bench_buf_alloc(a, &b, 2 * PAGE_SIZE, true))
		return -ENOMEM;
	for (i = 0; i < a->Channels; i++) {
		NdisMSetupDmaTransfer(&s, a->DmaHandle[i], b.mdl, 0, 64, TRUE);
		NdisMCompleteDmaTransfer(&t, a->DmaHandle[i], b.mdl, 0, 64, TRUE);
		a->BounceAddress[i] = READ_ONCE(a->LastAddress[i]);
		if (s != NDIS_STATUS_SUCCESS || t != NDIS_STATUS_SUCCESS) {
			bench_buf_free(&b);
			return -EIO;
		}
	}
	bench_buf_free(&b);
	return 0;
}

static noinline u64 bench_timer_overhead(void)
{
	u64 s[64], t0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(s); i++) {
		preempt_disable();
		t0 = local_clock();
		s[i] = local_clock() - t0;
		preempt_enable();
	}
	sort(s, ARRAY_SIZE(s), sizeof(u64), bench_cmp_u64, NULL);
	return s[ARRAY_SIZE(s) / 2];
}

/*
 * Where the shim's time goes, piece by piece (no profiler needed): each
 * probe is timed like a transfer, against an empty timed region.
 *   lookup         Setup with a NULL MDL: handle lookup under the
 *                  registry's spin lock, channel reference taken and put
 *   counter        NdisMReadDmaCounter: lookup + channel lock + the
 *                  controller's ReadResidue through its function pointer
 *   complete-idle  Complete with nothing set up: lookup + channel lock +
 *                  the record check
 *   c-spinlock     one spin_lock_irqsave/unlock pair in C, for scale: what
 *                  a lock costs in this kernel
 */
enum bench_probe { PROBE_LOOKUP, PROBE_COUNTER, PROBE_COMPLETE_IDLE, PROBE_SPINLOCK, PROBE_N };
static const char *const bench_probe_names[PROBE_N] = {
	"lookup", "counter", "complete-idle", "c-spinlock",
};
static DEFINE_SPINLOCK(bench_probe_lock);

static u64 bench_probe_once(struct bench_ctx *c, enum bench_probe which)
{
	NDIS_HANDLE h = c->a->DmaHandle[c->ch];
	unsigned long flags;
	NDIS_STATUS s;
	u64 t0, t1;

	t0 = local_clock();
	switch (which) {
	case PROBE_LOOKUP:
		NdisMSetupDmaTransfer(&s, h, NULL, 0, 64, TRUE);
		break;
	case PROBE_COUNTER:
		s = (NDIS_STATUS)NdisMReadDmaCounter(h);
		break;
	case PROBE_COMPLETE_IDLE:
		NdisMCompleteDmaTransfer(&s, h, c->buf.mdl, 0, 64, TRUE);
		break;
	default:
		spin_lock_irqsave(&bench_probe_lock, flags);
		s = 0;
		spin_unlock_irqrestore(&bench_probe_lock, flags);
		break;
	}
	t1 = local_clock();
	if (which != PROBE_LOOKUP && which != PROBE_COMPLETE_IDLE && s)
		c->errors++;
	return t1 - t0;
}

static u64 bench_empty_once(void)
{
	u64 t0 = local_clock();

	barrier();
	return local_clock() - t0;
}

static int bench_probes(PBENCH_ADAPTER a, struct bench_params *p)
{
	unsigned int n = p->iters * p->reps, i, w;
	struct bench_ctx c = { .a = a, .dev = &a->Pdev->dev, .ch = 0 };
	struct bench_stat sh, raw;
	u64 *ss, *rs;
	char name[32];
	int ret = -ENOMEM;

	ss = kvmalloc_array(n, sizeof(u64), GFP_KERNEL);
	rs = kvmalloc_array(n, sizeof(u64), GFP_KERNEL);
	if (!ss || !rs || bench_buf_alloc(a, &c.buf, 64, false))
		goto out;
	for (w = 0; w < PROBE_N; w++) {
		c.errors = 0;
		for (i = 0; i < BENCH_WARMUP; i++)
			bench_probe_once(&c, w);
		for (i = 0; i < n; i++) {
			preempt_disable();
			if (i & 1) {
				ss[i] = bench_probe_once(&c, w);
				rs[i] = bench_empty_once();
			} else {
				rs[i] = bench_empty_once();
				ss[i] = bench_probe_once(&c, w);
			}
			preempt_enable();
			if ((i & 255) == 255)
				cond_resched();
		}
		bench_stats(ss, p->reps, p->iters, &sh);
		bench_stats(rs, p->reps, p->iters, &raw);
		snprintf(name, sizeof(name), "probe:%s", bench_probe_names[w]);
		bench_row(name, 0, true, 1, "-", p->iters, p->reps, &sh, &raw, 0, 0,
			  c.errors);
	}
	ret = 0;
out:
	bench_buf_free(&c.buf);
	kvfree(ss);
	kvfree(rs);
	return ret;
}

static const size_t bench_direct_sizes[] = { 64, 1500, 1536, 4096, 65536 };
static const size_t bench_bounce_sizes[] = { 64, 1500, 4096, 65536 };
static const size_t bench_conc_sizes[] = { 64, 4096 };

/* The rows profile=N profiles (the hot path of issue 12 and its kin). */
static const struct bench_profile_case {
	const struct bench_ops *ops;
	const char *name;
	size_t len;
	bool to_device;
} bench_profile_cases[] = {
	{ &bench_dma_ops, "direct", 64, true },
	{ &bench_dma_ops, "direct", 64, false },
	{ &bench_dma_ops, "direct", 4096, true },
	{ &bench_dma_ops, "direct", 65536, true },
	{ &bench_sg_ops, "sg", 1500, true },
	{ &bench_phys_ops, "phys", 1500, true },
};

static int bench_profile_run(PBENCH_ADAPTER a, struct bench_params *p)
{
	const struct bench_profile_case *pc;
	int ret;

	bench_profile_blocks = 0;
	for (pc = bench_profile_cases; pc < bench_profile_cases + ARRAY_SIZE(bench_profile_cases);
	     pc++) {
		if ((pc->ops == &bench_sg_ops && !a->SgDmaHandle) ||
		    (pc->ops == &bench_phys_ops && !a->MapRegisters))
			continue;
		ret = bench_latency(a, p, pc->ops, pc->name, pc->len, pc->to_device, false);
		if (ret)
			return ret;
	}
	return 0;
}

static int bench_run(PBENCH_ADAPTER a, struct bench_params *p)
{
	struct device *dev = &a->Pdev->dev;
	unsigned int i, d;
	int ret;

	ret = bench_learn_bounce(a);
	if (ret)
		return ret;
	bench_out("# device=%s dma_mask=%#llx iommu=%d swiotlb_force=%d cpus=%u channels=%u cache_line=%u timer_overhead_ns=%llu iters=%u reps=%u conc_iters=%u\n",
		  pci_name(a->Pdev), dma_get_mask(dev),
		  iommu_get_domain_for_dev(dev) != NULL, is_swiotlb_force_bounce(dev),
		  num_online_cpus(), a->Channels,
		  /* the line the shim splits device-to-host buffers on */
		  max_t(unsigned int, dma_get_cache_alignment(), L1_CACHE_BYTES),
		  bench_timer_overhead(), p->iters, p->reps, p->conc_iters);
	bench_out("case,size,dir,threads,shim_path,iters,reps,shim_med_ns,shim_p99_ns,raw_med_ns,raw_p99_ns,ratio,added_ns,shim_spread_pct,raw_spread_pct,shim_kops,raw_kops,errors\n");
	if (p->profile)
		return bench_profile_run(a, p);
	for (d = 0; d < 2 && !p->sg_only && !p->phys_only; d++) {
		for (i = 0; i < ARRAY_SIZE(bench_direct_sizes); i++) {
			ret = bench_latency(a, p, &bench_dma_ops, "direct", bench_direct_sizes[i],
					    !d, false);
			if (ret)
				return ret;
		}
	}
	for (d = 0; d < 2 && !p->sg_only && !p->phys_only; d++) {
		for (i = 0; i < ARRAY_SIZE(bench_bounce_sizes); i++) {
			ret = bench_latency(a, p, &bench_dma_ops, "bounce", bench_bounce_sizes[i],
					    !d, true);
			if (ret)
				return ret;
		}
	}
	for (d = 0; d < 4 && a->SgDmaHandle && !p->phys_only; d++) {
		for (i = 0; i < ARRAY_SIZE(bench_bounce_sizes); i++) {
			ret = bench_latency(a, p, &bench_sg_ops, d & 2 ? "sg-vmalloc" : "sg",
					    bench_bounce_sizes[i], !(d & 1), d & 2);
			if (ret)
				return ret;
		}
	}
	for (d = 0; d < 2 && a->MapRegisters && !p->sg_only; d++) {
		for (i = 0; i < ARRAY_SIZE(bench_bounce_sizes); i++) {
			ret = bench_latency(a, p, &bench_phys_ops, "phys", bench_bounce_sizes[i],
					    !d, false);
			if (ret)
				return ret;
		}
	}
	if (p->sg_only || p->phys_only)
		return 0;
	for (i = 0; i < ARRAY_SIZE(bench_conc_sizes); i++) {
		ret = bench_concurrent(a, p, bench_conc_sizes[i]);
		if (ret)
			return ret;
	}
	return bench_probes(a, p);
}

/* ------------------------------------------------------------------------
 * debugfs
 * ------------------------------------------------------------------------ */

static int bench_parse(char *s, struct bench_params *p)
{
	char *tok;
	int ret;

	while ((tok = strsep(&s, " \t\n")) != NULL) {
		unsigned int *dst;
		char *val;

		if (!*tok)
			continue;
		val = strchr(tok, '=');
		if (!val)
			return -EINVAL;
		*val++ = '\0';
		if (!strcmp(tok, "only")) {
			if (!strcmp(val, "sg"))
				p->sg_only = true;
			else if (!strcmp(val, "phys"))
				p->phys_only = true;
			else
				return -EINVAL;
			continue;
		}
		if (!strcmp(tok, "iters"))
			dst = &p->iters;
		else if (!strcmp(tok, "reps"))
			dst = &p->reps;
		else if (!strcmp(tok, "conc_iters"))
			dst = &p->conc_iters;
		else if (!strcmp(tok, "profile"))
			dst = &p->profile;
		else
			return -EINVAL;
		ret = kstrtouint(val, 0, dst);
		if (ret)
			return ret;
	}
	if (!p->conc_iters)
		p->conc_iters = p->iters;
	if (!p->iters || p->iters > 100000 || !p->reps || p->reps > 20 ||
	    p->conc_iters > 100000 || p->profile > 100000)
		return -ERANGE;
	return 0;
}

static ssize_t bench_run_write(struct file *file, const char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	struct bench_params p = { .iters = 2000, .reps = 5, .conc_iters = 0 };
	char buf[128];
	int ret;

	if (count >= sizeof(buf))
		return -E2BIG;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	ret = bench_parse(buf, &p);
	if (ret)
		return ret;

	mutex_lock(&bench_lock);
	bench_result_len = 0;
	bench_result[0] = '\0';
	if (!bench_adapter) {
		ret = -ENODEV;
		goto out;
	}
	ret = bench_run(bench_adapter, &p);
	if (ret)
		bench_out("# error %d\n", ret);
out:
	mutex_unlock(&bench_lock);
	return ret ? ret : count;
}

static ssize_t bench_result_read(struct file *file, char __user *ubuf,
				 size_t count, loff_t *ppos)
{
	ssize_t ret;

	mutex_lock(&bench_lock);
	ret = simple_read_from_buffer(ubuf, count, ppos, bench_result, bench_result_len);
	mutex_unlock(&bench_lock);
	return ret;
}

static const struct file_operations bench_run_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = bench_run_write,
	.llseek = noop_llseek,
};

static const struct file_operations bench_result_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = bench_result_read,
	.llseek = default_llseek,
};

static int bench_debugfs_create(void)
{
	bench_result = kzalloc(BENCH_RESULT_SIZE, GFP_KERNEL);
	if (!bench_result)
		return -ENOMEM;
	bench_dir = debugfs_create_dir("ndis_bench", NULL);
	debugfs_create_file("run", 0200, bench_dir, NULL, &bench_run_fops);
	debugfs_create_file("result", 0400, bench_dir, NULL, &bench_result_fops);
	return 0;
}

/* After every adapter is halted: a run in progress has finished. */
static void bench_debugfs_remove(void)
{
	debugfs_remove_recursive(bench_dir);
	bench_dir = NULL;
	kfree(bench_result);
	bench_result = NULL;
}
