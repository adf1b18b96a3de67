// SPDX-License-Identifier: GPL-2.0
/*
 * ndis_ops - a miniport for QEMU's edu device that makes exactly one raw
 * NDIS system-DMA call per debugfs write, with whatever arguments it is
 * given (valid or not), and reports the status. The random-sequence
 * selftests drive it and check every status against a model of
 * Documentation/system-dma.rst.
 *
 * /sys/kernel/debug/ndis_ops/<pci>/op      (0200) write one operation:
 *   register slot=S max=N dma32=0|1 desc=0|1 [badadapter=1]
 *   deregister slot=S
 *   setup slot=S buf=B off=O len=L dir=to|from [doff=D]
 *   complete slot=S buf=B off=O len=L dir=to|from
 *   counter slot=S
 *   forge slot=S value=V      (slot must not hold a live handle)
 *   wait                      (until edu's engine is idle, at most 1 s)
 *   vanish value=1|0          (fault hook: the device vanished, see below)
 *   stall value=N             (fault hook: the next N Stop/IsBusy calls
 *                              report the engine busy, see below)
 *   fill slot=S buf=B value=SEED   (the buffer's bytes: ops_pattern(SEED, i))
 *   check slot=S buf=B len=L value=SEED
 *                             (status=0 if its first L bytes are SEED's
 *                              pattern, else 1 + the first wrong byte's index)
 *   peek slot=S buf=B | peek slot=S shm=1
 *                             (what the data file reads: a buffer, a block)
 * Scatter-gather, shared memory and NDIS 5 map registers (the adapter is
 * a bus master); the "move" operations program edu's engine themselves
 * with the addresses NDIS gave, to or from edu's buffer at doff, polled:
 *   sgreg | sgdereg           NdisM(De)RegisterScatterGatherDma
 *   sgalloc slot=S buf=B off=O len=L dir=to|from
 *                             NdisMAllocateNetBufferSGList: a NET_BUFFER
 *                             over the slot's MDL, CurrentMdlOffset O
 *   sgmove slot=S doff=D      the list's L data bytes
 *   sgfree slot=S [bad=1]     NdisMFreeNetBufferSGList (bad: another NB)
 *   shmalloc slot=S len=L cached=C | shmfill slot=S value=V
 *   shmmove slot=S off=O len=L doff=D dir=to|from
 *   shmfree slot=S [bad=1..4] NdisMFreeSharedMemory (bad: a wrong length,
 *                             VA, device address or Cached)
 *   mralloc count=N max=M size=D | mrfree
 *                             NdisMAllocateMapRegisters(DmaSize D, N base
 *                             registers of M bytes), NdisMFreeMapRegisters
 *   pmstart reg=R slot=S buf=B dir=to|from | pmcomplete reg=R slot=S buf=B
 *                             NdisM{Start,Complete}BufferPhysicalMapping
 *   pmmove reg=R len=L doff=D the first L bytes of register R's entries
 * /sys/kernel/debug/ndis_ops/<pci>/result  (0400) the last operation's line:
 *   status=0x%08x (or value=N) pre=P post=Q started=K [handle=0x...]
 *   P/Q: the channel number (slot) edu's engine runs for before/after the
 *   call, -1 when idle; K: engine starts during the call. sgalloc adds
 *   elements=N, shmalloc va=0|1, pmstart entries=N (0: rejected).
 * /sys/kernel/debug/ndis_ops/<pci>/data    (0400) the bytes peek selected.
 *
 * Buffers: every slot has its own MDLs, B=0: 64 B, 1: 4 KiB, 2: 8 KiB (all
 * kmalloc), 3: 4 KiB vmalloc (bounced), B=4: a NULL MDL. Channels are never
 * deregistered by halt: the shim must release them. Buffers and the
 * adapter context outlive the adapter until the module unloads, since the
 * shim releases leftover channels after MiniportHaltEx.
 *
 * "vanish value=1" makes the adapter behave as if the device had vanished
 * from the bus: every register read returns all ones (so the engine's RUN
 * bit never clears and the residue reads 0xffffffff), Start refuses, Stop
 * cannot confirm idle, IsBusy says busy forever, also after halt. Config
 * space is left alone: the shim's own bus-master fence works on it.
 *
 * "stall value=N" is a controller slow to stop: whatever the engine does,
 * the next N calls of Stop and IsBusy report it busy, so Complete cannot
 * confirm the transfer over and Deregister has to wait. "fill" and
 * "check" let a test verify the data of a round trip through edu's buffer.
 */
#define NDIS_MINIPORT_DRIVER
#define NDIS630_MINIPORT

#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/io.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include <ndis_linux.h>

#define OPS_REG_ID		0x00
#define OPS_REG_INTR_ACK	0x64
#define OPS_REG_DMA_SRC		0x80
#define OPS_REG_DMA_DST		0x88
#define OPS_REG_DMA_CNT		0x90
#define OPS_REG_DMA_CMD		0x98
#define OPS_ID_VALUE		0x010000EDU
#define OPS_CMD_RUN		0x1
#define OPS_CMD_FROM_DEVICE	0x2
#define OPS_EDU_BUFFER		0x40000
#define OPS_EDU_SIZE		4096

#define OPS_SLOTS	8
#define OPS_BUFS	4	/* B == OPS_BUFS: NULL MDL */
#define OPS_MAPREGS	8	/* map register indexes whose mapping is kept */
#define OPS_PM_UNITS	4	/* entries of one buffer's physical mapping */
#define OPS_SG_MAX	8192	/* MaximumPhysicalMapping of the SG registration */
/* edu's engine moves a bus-master transfer, not a channel's */
#define OPS_OWNER_BUS_MASTER	OPS_SLOTS

static const struct {
	size_t size;
	bool vm;
} ops_buf_spec[OPS_BUFS] = { { 64, false }, { 4096, false }, { 8192, false }, { 4096, true } };

struct ops_buf {
	void *va;
	PMDL mdl;
};

/* A slot's SG list: its NET_BUFFER and what ProcessSGList handed back. */
struct ops_sg {
	NET_BUFFER nb;
	PSCATTER_GATHER_LIST list;
	unsigned int calls;
	bool held, to_dev;
};

/* A slot's shared-memory block. */
struct ops_shm {
	PVOID va;
	NDIS_PHYSICAL_ADDRESS pa;
	ULONG len;
	BOOLEAN cached;
};

/* A map register's physical mapping, as Start reported it. */
struct ops_pm {
	NDIS_PHYSICAL_ADDRESS_UNIT units[OPS_PM_UNITS];
	UINT n;
	PMDL mdl;
	bool to_dev;
};

struct ops_adapter {
	NDIS_HANDLE MiniportAdapterHandle;
	PUCHAR RegisterBase;
	ULONG RegisterLength;
	NDIS_PHYSICAL_ADDRESS RegisterPhysical;
	struct pci_dev *pdev;
	/* controller state: under the shim's channel lock and our mutex */
	ULONG DeviceOffset;
	bool fenced;
	bool halted;
	bool vanished;	/* fault hook: registers read all ones */
	atomic_t stall;	/* fault hook: Stop/IsBusy calls left to report busy */
	UINT owner;
	u64 starts;
	/* test interface */
	struct mutex lock;
	struct dentry *dir;
	NDIS_HANDLE slot[OPS_SLOTS];
	bool live[OPS_SLOTS];
	struct ops_buf buf[OPS_SLOTS][OPS_BUFS];
	NDIS_HANDLE SgDmaHandle;
	struct ops_sg sg[OPS_SLOTS];
	struct ops_shm shm[OPS_SLOTS];
	struct ops_pm pm[OPS_MAPREGS];
	const u8 *peek;		/* what the data file reads */
	size_t peek_len;
	char result[192];
	size_t result_len;
	struct list_head grave;
};

NDIS_LINUX_DRIVER_ENTRY DriverEntry;
MINIPORT_INITIALIZE OpsInitialize;
MINIPORT_HALT OpsHalt;
MINIPORT_UNLOAD OpsUnload;
MINIPORT_PAUSE OpsPause;
MINIPORT_RESTART OpsRestart;
MINIPORT_OID_REQUEST OpsOidRequest;
MINIPORT_SEND_NET_BUFFER_LISTS OpsSend;
MINIPORT_RETURN_NET_BUFFER_LISTS OpsReturn;
MINIPORT_CANCEL_SEND OpsCancelSend;
MINIPORT_SHUTDOWN OpsShutdown;
MINIPORT_DEVICE_PNP_EVENT_NOTIFY OpsPnp;
MINIPORT_CANCEL_OID_REQUEST OpsCancelOid;
MINIPORT_PROCESS_SG_LIST OpsProcessSGList;

static NDIS_HANDLE ops_driver_handle;
static DEFINE_MUTEX(ops_root_lock);	/* root dir and the graveyard */
static struct dentry *ops_root;
static unsigned int ops_root_users;
static LIST_HEAD(ops_graveyard);

/* ---- edu's engine as the system DMA controller ---- */

static inline void __iomem *ops_reg(struct ops_adapter *a, ULONG off)
{
	return (void __iomem __force *)(a->RegisterBase + off);
}

/* A vanished device answers every read with all ones. */
static u32 ops_read(struct ops_adapter *a, ULONG off)
{
	if (READ_ONCE(a->vanished))
		return ~0U;
	return readl(ops_reg(a, off));
}

static bool ops_running(struct ops_adapter *a)
{
	return ops_read(a, OPS_REG_DMA_CMD) & OPS_CMD_RUN;
}

static void ops_bus_master(struct ops_adapter *a, bool on)
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

static void ops_unfence_if_idle(struct ops_adapter *a)
{
	if (a->fenced && !ops_running(a))
		ops_bus_master(a, true);
}

static NDIS_STATUS OpsDmaStart(NDIS_HANDLE Ctx, UINT Channel, ULONG64 Address,
			       ULONG Length, BOOLEAN WriteToDevice)
{
	struct ops_adapter *a = Ctx;
	ULONG off = a->DeviceOffset;
	u64 mask, edu_addr;

	if (a->halted || READ_ONCE(a->vanished))
		return NDIS_STATUS_RESOURCES;
	if (Length == 0 || off > OPS_EDU_SIZE || Length > OPS_EDU_SIZE - off)
		return NDIS_STATUS_INVALID_LENGTH;
	mask = dma_get_mask(&a->pdev->dev);
	if (Address > mask || Length - 1 > mask - Address) {
		dev_err_ratelimited(&a->pdev->dev, "DMA start: bus address %#llx+%u beyond mask %#llx\n",
				    Address, Length, mask);
		return NDIS_STATUS_RESOURCES;
	}
	ops_unfence_if_idle(a);
	if (a->fenced || ops_running(a))
		return NDIS_STATUS_RESOURCES;
	edu_addr = OPS_EDU_BUFFER + off;
	if (WriteToDevice) {
		writeq(Address, ops_reg(a, OPS_REG_DMA_SRC));
		writeq(edu_addr, ops_reg(a, OPS_REG_DMA_DST));
	} else {
		writeq(edu_addr, ops_reg(a, OPS_REG_DMA_SRC));
		writeq(Address, ops_reg(a, OPS_REG_DMA_DST));
	}
	writeq(Length, ops_reg(a, OPS_REG_DMA_CNT));
	/* No interrupt: the test polls, so there is no DPC racing it. */
	writel(OPS_CMD_RUN | (WriteToDevice ? 0 : OPS_CMD_FROM_DEVICE),
	       ops_reg(a, OPS_REG_DMA_CMD));
	a->owner = Channel;
	a->starts++;
	return NDIS_STATUS_SUCCESS;
}

/* One engine, several channels: a channel whose transfer is not the one
 * running has finished (Start refuses while the engine runs). */
static BOOLEAN OpsDmaStop(NDIS_HANDLE Ctx, UINT Channel)
{
	struct ops_adapter *a = Ctx;

	/* Registers read all ones: RUN never clears, idle is never confirmed. */
	if (READ_ONCE(a->vanished) || atomic_dec_if_positive(&a->stall) >= 0)
		return FALSE;
	if (a->halted)
		return TRUE;
	if (!ops_running(a)) {
		ops_unfence_if_idle(a);
		return TRUE;
	}
	if (a->owner != Channel)
		return TRUE;
	/*
	 * Fenced while running: not confirmed idle even if it reads idle
	 * right after, since QEMU may have run the engine's timer between
	 * the config write and the read, with the DMA dropped.
	 */
	ops_bus_master(a, false);
	return FALSE;
}

static BOOLEAN OpsDmaIsBusy(NDIS_HANDLE Ctx, UINT Channel)
{
	struct ops_adapter *a = Ctx;

	if (READ_ONCE(a->vanished) || atomic_dec_if_positive(&a->stall) >= 0)
		return TRUE;
	if (a->halted)
		return FALSE;
	if (ops_running(a))
		return a->owner == Channel;
	ops_unfence_if_idle(a);
	return FALSE;
}

static ULONG OpsDmaReadResidue(NDIS_HANDLE Ctx, UINT Channel)
{
	struct ops_adapter *a = Ctx;

	if (READ_ONCE(a->vanished))
		return ops_read(a, OPS_REG_DMA_CNT);
	if (a->halted || !ops_running(a) || a->owner != Channel)
		return 0;
	return ops_read(a, OPS_REG_DMA_CNT);
}

static const NDIS_LINUX_DMA_CONTROLLER OpsDmaController = {
	.Start = OpsDmaStart,
	.Stop = OpsDmaStop,
	.IsBusy = OpsDmaIsBusy,
	.ReadResidue = OpsDmaReadResidue,
};

static const struct pci_device_id ndis_ops_ids[] = {
	{ PCI_DEVICE(0x1234, 0x11e8) },
	{ }
};

NDIS_LINUX_PCI_MINIPORT(ndis_ops, ndis_ops_ids, DriverEntry, 28, &OpsDmaController);

MODULE_DESCRIPTION("ndis-shim selftest: one raw system-DMA call per debugfs write");
MODULE_LICENSE("GPL");

/* ---- test interface ---- */

struct ops_args {
	unsigned int slot, max, dma32, desc, badadapter, buf, shm, reg, count, size, bad;
	u32 off, len, doff;
	u64 value;
	bool from;
	bool has_slot;
};

static int ops_parse(char *s, struct ops_args *x)
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
		if (!strcmp(word, "slot")) {
			ret = kstrtouint(val, 0, &x->slot);
			x->has_slot = true;
		} else if (!strcmp(word, "max"))
			ret = kstrtouint(val, 0, &x->max);
		else if (!strcmp(word, "dma32"))
			ret = kstrtouint(val, 0, &x->dma32);
		else if (!strcmp(word, "desc"))
			ret = kstrtouint(val, 0, &x->desc);
		else if (!strcmp(word, "badadapter"))
			ret = kstrtouint(val, 0, &x->badadapter);
		else if (!strcmp(word, "buf"))
			ret = kstrtouint(val, 0, &x->buf);
		else if (!strcmp(word, "off"))
			ret = kstrtou32(val, 0, &x->off);
		else if (!strcmp(word, "len"))
			ret = kstrtou32(val, 0, &x->len);
		else if (!strcmp(word, "doff"))
			ret = kstrtou32(val, 0, &x->doff);
		else if (!strcmp(word, "value"))
			ret = kstrtou64(val, 0, &x->value);
		else if (!strcmp(word, "shm"))
			ret = kstrtouint(val, 0, &x->shm);
		else if (!strcmp(word, "reg"))
			ret = kstrtouint(val, 0, &x->reg);
		else if (!strcmp(word, "count"))
			ret = kstrtouint(val, 0, &x->count);
		else if (!strcmp(word, "size"))
			ret = kstrtouint(val, 0, &x->size);
		else if (!strcmp(word, "bad"))
			ret = kstrtouint(val, 0, &x->bad);
		else if (!strcmp(word, "dir")) {
			ret = 0;
			if (!strcmp(val, "to"))
				x->from = false;
			else if (!strcmp(val, "from"))
				x->from = true;
			else
				ret = -EINVAL;
		} else
			ret = -EINVAL;
		if (ret)
			return ret;
	}
	if (x->slot >= OPS_SLOTS || x->buf > OPS_BUFS || x->reg >= OPS_MAPREGS || x->bad > 4 ||
	    x->size > 0xff)
		return -ERANGE;
	return 0;
}

/*
 * fill's and check's pattern (model.py pattern()): distinct for every byte
 * and seed, so a shifted copy shows.
 */
static u8 ops_pattern(u32 seed, u32 i)
{
	return (u8)(seed * 31 + i * 0x9D + (i >> 8) * 7);
}

static void ops_fill(u8 *p, size_t len, u32 seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = ops_pattern(seed, i);
}

/*
 * A bus-master move: edu's engine between bus address @addr and its own
 * buffer at @doff, polled until idle. RESOURCES while a channel's transfer
 * runs or the engine is fenced.
 */
static NDIS_STATUS ops_engine_move(struct ops_adapter *a, u64 addr, u32 doff, u32 len,
				   bool to_dev)
{
	u64 mask = dma_get_mask(&a->pdev->dev);
	unsigned int ms;

	if (!len || doff > OPS_EDU_SIZE || len > OPS_EDU_SIZE - doff)
		return NDIS_STATUS_INVALID_LENGTH;
	if (addr > mask || len - 1 > mask - addr) {
		dev_err_ratelimited(&a->pdev->dev, "bus-master move: %#llx+%u beyond mask %#llx\n",
				    addr, len, mask);
		return NDIS_STATUS_RESOURCES;
	}
	if (a->halted || READ_ONCE(a->vanished))
		return NDIS_STATUS_RESOURCES;
	ops_unfence_if_idle(a);
	if (a->fenced || ops_running(a))
		return NDIS_STATUS_RESOURCES;
	writeq(to_dev ? addr : OPS_EDU_BUFFER + doff, ops_reg(a, OPS_REG_DMA_SRC));
	writeq(to_dev ? OPS_EDU_BUFFER + doff : addr, ops_reg(a, OPS_REG_DMA_DST));
	writeq(len, ops_reg(a, OPS_REG_DMA_CNT));
	writel(OPS_CMD_RUN | (to_dev ? 0 : OPS_CMD_FROM_DEVICE), ops_reg(a, OPS_REG_DMA_CMD));
	a->owner = OPS_OWNER_BUS_MASTER;
	for (ms = 0; ops_running(a) && ms < 2000; ms++)
		usleep_range(1000, 1100);
	return ops_running(a) ? NDIS_STATUS_FAILURE : NDIS_STATUS_SUCCESS;
}

/* Moves @len bytes of @n elements, after their first @skip, edu at @doff on. */
static NDIS_STATUS ops_move_elements(struct ops_adapter *a, const u64 *addr, const u32 *elen,
				     unsigned int n, u32 skip, u32 len, u32 doff, bool to_dev)
{
	NDIS_STATUS st = NDIS_STATUS_SUCCESS;
	unsigned int i;

	if (!len || doff > OPS_EDU_SIZE || len > OPS_EDU_SIZE - doff)
		return NDIS_STATUS_INVALID_LENGTH;
	for (i = 0; i < n && len && st == NDIS_STATUS_SUCCESS; i++) {
		u32 take;

		if (skip >= elen[i]) {
			skip -= elen[i];
			continue;
		}
		take = min(elen[i] - skip, len);
		st = ops_engine_move(a, addr[i] + skip, doff, take, to_dev);
		skip = 0;
		doff += take;
		len -= take;
	}
	return st == NDIS_STATUS_SUCCESS && len ? NDIS_STATUS_FAILURE : st;
}

static NDIS_STATUS ops_sg_move(struct ops_adapter *a, struct ops_sg *g, u32 doff)
{
	PSCATTER_GATHER_LIST l = g->list;
	u64 addr[16];
	u32 elen[16];
	unsigned int i, n = min_t(unsigned int, l->NumberOfElements, ARRAY_SIZE(addr));

	for (i = 0; i < n; i++) {
		addr[i] = l->Elements[i].Address.QuadPart;
		elen[i] = l->Elements[i].Length;
	}
	return ops_move_elements(a, addr, elen, n, NET_BUFFER_CURRENT_MDL_OFFSET(&g->nb),
				 NET_BUFFER_DATA_LENGTH(&g->nb), doff, g->to_dev);
}

static NDIS_STATUS ops_pm_move(struct ops_adapter *a, struct ops_pm *m, u32 len, u32 doff)
{
	u64 addr[OPS_PM_UNITS];
	u32 elen[OPS_PM_UNITS];
	unsigned int i;

	for (i = 0; i < m->n; i++) {
		addr[i] = m->units[i].PhysicalAddress.QuadPart;
		elen[i] = m->units[i].Length;
	}
	return ops_move_elements(a, addr, elen, m->n, 0, len, doff, m->to_dev);
}

VOID OpsProcessSGList(PDEVICE_OBJECT pDO, PVOID Reserved, PSCATTER_GATHER_LIST pSGL,
		      PVOID Context)
{
	struct ops_sg *g = Context;

	g->list = pSGL;
	g->calls++;
}

static NDIS_STATUS ops_sg_register(struct ops_adapter *a)
{
	NDIS_SG_DMA_DESCRIPTION d;
	NDIS_HANDLE h = NULL;
	NDIS_STATUS st;

	NdisZeroMemory(&d, sizeof(d));
	d.Header.Type = NDIS_OBJECT_TYPE_SG_DMA_DESCRIPTION;
	d.Header.Revision = NDIS_SG_DMA_DESCRIPTION_REVISION_1;
	d.Header.Size = NDIS_SIZEOF_SG_DMA_DESCRIPTION_REVISION_1;
	d.MaximumPhysicalMapping = OPS_SG_MAX;
	d.ProcessSGListHandler = OpsProcessSGList;
	st = NdisMRegisterScatterGatherDma(a->MiniportAdapterHandle, &d, &h);
	/* A second registration fails: the first one's handle stays. */
	if (st == NDIS_STATUS_SUCCESS)
		a->SgDmaHandle = h;
	return st;
}

/*
 * The scatter-gather, shared-memory and NDIS 5 operations; false if @verb
 * is none of them.
 */
static bool ops_do_bus_master(struct ops_adapter *a, const char *verb, struct ops_args *x,
			      NDIS_STATUS *st, int *err)
{
	struct ops_sg *g = &a->sg[x->slot];
	struct ops_shm *b = &a->shm[x->slot];
	struct ops_pm *m = &a->pm[x->reg];
	PMDL mdl = x->buf < OPS_BUFS ? a->buf[x->slot][x->buf].mdl : NULL;
	NDIS_PHYSICAL_ADDRESS pa;
	unsigned int i;
	UINT n;

	if (!strcmp(verb, "sgreg")) {
		*st = ops_sg_register(a);
	} else if (!strcmp(verb, "sgdereg")) {
		/* The lists still held go with the registration. */
		NdisMDeregisterScatterGatherDma(a->SgDmaHandle);
		for (i = 0; i < OPS_SLOTS; i++)
			a->sg[i].held = false;
	} else if (!strcmp(verb, "sgalloc")) {
		if (g->held) {
			*err = -EBUSY;
			return true;
		}
		NdisZeroMemory(&g->nb, sizeof(g->nb));
		NET_BUFFER_FIRST_MDL(&g->nb) = mdl;
		NET_BUFFER_CURRENT_MDL(&g->nb) = mdl;
		NET_BUFFER_CURRENT_MDL_OFFSET(&g->nb) = x->off;
		NET_BUFFER_DATA_OFFSET(&g->nb) = x->off;
		NET_BUFFER_DATA_LENGTH(&g->nb) = x->len;
		g->list = NULL;
		g->calls = 0;
		g->to_dev = !x->from;
		*st = NdisMAllocateNetBufferSGList(a->SgDmaHandle, &g->nb, g,
						   g->to_dev ? NDIS_SG_LIST_WRITE_TO_DEVICE : 0,
						   NULL, 0);
		g->held = *st == NDIS_STATUS_SUCCESS && g->list;
		a->result_len = scnprintf(a->result, sizeof(a->result),
					  "status=0x%08x elements=%u calls=%u\n", (u32)*st,
					  g->list ? g->list->NumberOfElements : 0, g->calls);
		return true;
	} else if (!strcmp(verb, "sgmove")) {
		if (!g->held) {
			*err = -EINVAL;
			return true;
		}
		*st = ops_sg_move(a, g, x->doff);
	} else if (!strcmp(verb, "sgfree")) {
		NET_BUFFER other;

		NdisZeroMemory(&other, sizeof(other));
		/* Not held: the list pointer last handed out, only compared. */
		NdisMFreeNetBufferSGList(a->SgDmaHandle, g->list, x->bad ? &other : &g->nb);
		if (!x->bad)
			g->held = false;
	} else if (!strcmp(verb, "shmalloc")) {
		if (b->va) {
			*err = -EBUSY;
			return true;
		}
		pa.QuadPart = 0;
		NdisMAllocateSharedMemory(a->MiniportAdapterHandle, x->len, !!x->value, &b->va, &pa);
		b->pa = pa;
		b->len = x->len;
		b->cached = !!x->value;
		a->result_len = scnprintf(a->result, sizeof(a->result),
					  "status=void va=%d pa=0x%llx\n", b->va != NULL,
					  (u64)pa.QuadPart);
		return true;
	} else if (!strcmp(verb, "shmfill")) {
		if (!b->va) {
			*err = -EINVAL;
			return true;
		}
		ops_fill(b->va, b->len, (u32)x->value);
	} else if (!strcmp(verb, "shmmove")) {
		if (!b->va) {
			*err = -EINVAL;
			return true;
		}
		if (x->off > b->len || x->len > b->len - x->off)
			*st = NDIS_STATUS_INVALID_LENGTH;
		else
			*st = ops_engine_move(a, b->pa.QuadPart + x->off, x->doff, x->len, !x->from);
	} else if (!strcmp(verb, "shmfree")) {
		pa = b->pa;
		if (x->bad == 3)
			pa.QuadPart++;
		NdisMFreeSharedMemory(a->MiniportAdapterHandle, b->len + (x->bad == 1),
				      x->bad == 4 ? !b->cached : b->cached,
				      (u8 *)b->va + (x->bad == 2), pa);
		if (!x->bad) {
			if (a->peek == b->va) {
				a->peek = NULL;
				a->peek_len = 0;
			}
			memset(b, 0, sizeof(*b));
		}
	} else if (!strcmp(verb, "mralloc")) {
		*st = NdisMAllocateMapRegisters(a->MiniportAdapterHandle, 0, (NDIS_DMA_SIZE)x->size,
						x->count, x->max);
	} else if (!strcmp(verb, "mrfree")) {
		NdisMFreeMapRegisters(a->MiniportAdapterHandle);
		memset(a->pm, 0, sizeof(a->pm));
	} else if (!strcmp(verb, "pmstart")) {
		NDIS_PHYSICAL_ADDRESS_UNIT units[OPS_PM_UNITS];

		n = 0;
		NdisMStartBufferPhysicalMapping(a->MiniportAdapterHandle, mdl, x->reg, !x->from,
						units, &n);
		if (n && !m->n && n <= OPS_PM_UNITS) {
			memcpy(m->units, units, sizeof(units));
			m->n = n;
			m->mdl = mdl;
			m->to_dev = !x->from;
		}
		a->result_len = scnprintf(a->result, sizeof(a->result), "status=void entries=%u\n",
					  n);
		return true;
	} else if (!strcmp(verb, "pmmove")) {
		if (!m->n) {
			*err = -EINVAL;
			return true;
		}
		*st = ops_pm_move(a, m, x->len, x->doff);
	} else if (!strcmp(verb, "pmcomplete")) {
		NdisMCompleteBufferPhysicalMapping(a->MiniportAdapterHandle, mdl, x->reg);
		if (m->n && m->mdl == mdl)
			memset(m, 0, sizeof(*m));
	} else if (!strcmp(verb, "peek")) {
		if (x->shm ? !b->va : x->buf >= OPS_BUFS) {
			*err = -EINVAL;
			return true;
		}
		a->peek = x->shm ? b->va : a->buf[x->slot][x->buf].va;
		a->peek_len = x->shm ? b->len : ops_buf_spec[x->buf].size;
	} else {
		return false;
	}
	return true;
}

static int ops_engine(struct ops_adapter *a)
{
	return ops_running(a) ? (int)a->owner : -1;
}

static void ops_do(struct ops_adapter *a, const char *verb, struct ops_args *x, int *err)
{
	NDIS_STATUS st = NDIS_STATUS_SUCCESS;
	NDIS_DMA_DESCRIPTION desc;
	NDIS_HANDLE *h = &a->slot[x->slot];
	PMDL mdl = x->buf < OPS_BUFS ? a->buf[x->slot][x->buf].mdl : NULL;
	u64 starts = a->starts;
	int pre = ops_engine(a);
	ULONG value;
	unsigned int ms;

	if (!strcmp(verb, "register")) {
		if (a->live[x->slot]) {
			*err = -EBUSY;
			return;
		}
		/* The slot is the channel: the DmaChannel argument is ignored. */
		NdisZeroMemory(&desc, sizeof(desc));
		desc.DmaWidth = Width32Bits;
		desc.DmaSpeed = Compatible;
		desc.DmaChannelSpecified = TRUE;
		desc.DmaChannel = x->slot;
		st = NdisMRegisterDmaChannel(h, x->badadapter ?
					     (NDIS_HANDLE)0x0200ABCD0000001FULL :
					     a->MiniportAdapterHandle,
					     x->slot, x->dma32 != 0, x->desc ? &desc : NULL,
					     x->max);
		a->live[x->slot] = st == NDIS_STATUS_SUCCESS;
		a->result_len = scnprintf(a->result, sizeof(a->result),
					  "status=0x%08x handle=0x%llx\n", (u32)st,
					  (u64)(uintptr_t)*h);
		return;
	} else if (!strcmp(verb, "deregister")) {
		NdisMDeregisterDmaChannel(*h);
		a->live[x->slot] = false;
		a->result_len = scnprintf(a->result, sizeof(a->result),
					  "status=void pre=%d post=%d started=%llu\n",
					  pre, ops_engine(a), a->starts - starts);
		return;
	} else if (!strcmp(verb, "setup")) {
		a->DeviceOffset = x->doff;
		NdisMSetupDmaTransfer(&st, *h, mdl, x->off, x->len, !x->from);
	} else if (!strcmp(verb, "complete")) {
		NdisMCompleteDmaTransfer(&st, *h, mdl, x->off, x->len, !x->from);
	} else if (!strcmp(verb, "counter")) {
		value = NdisMReadDmaCounter(*h);
		a->result_len = scnprintf(a->result, sizeof(a->result),
					  "value=%u pre=%d post=%d started=%llu\n",
					  value, pre, ops_engine(a), a->starts - starts);
		return;
	} else if (!strcmp(verb, "forge")) {
		if (a->live[x->slot]) {
			*err = -EBUSY;
			return;
		}
		*h = (NDIS_HANDLE)(uintptr_t)x->value;
	} else if (!strcmp(verb, "vanish")) {
		WRITE_ONCE(a->vanished, x->value != 0);
		if (x->value)
			dev_info(&a->pdev->dev, "ndis_ops: fault hook: device vanished\n");
	} else if (!strcmp(verb, "stall")) {
		atomic_set(&a->stall, min_t(u64, x->value, INT_MAX));
	} else if (!strcmp(verb, "fill") || !strcmp(verb, "check")) {
		bool check = !strcmp(verb, "check");
		u8 *va = x->buf < OPS_BUFS ? a->buf[x->slot][x->buf].va : NULL;
		size_t i, n = x->buf < OPS_BUFS ? ops_buf_spec[x->buf].size : 0;

		if (!va || (check && x->len > n)) {
			*err = -EINVAL;
			return;
		}
		if (!check) {
			ops_fill(va, n, (u32)x->value);
		} else {
			for (i = 0; i < x->len && va[i] == ops_pattern((u32)x->value, i); i++)
				;
			st = i == x->len ? NDIS_STATUS_SUCCESS : (NDIS_STATUS)(i + 1);
		}
	} else if (!strcmp(verb, "wait")) {
		for (ms = 0; ops_running(a) && ms < 1000; ms++)
			usleep_range(1000, 1100);
		if (ops_running(a))
			st = NDIS_STATUS_FAILURE;
	} else if (!ops_do_bus_master(a, verb, x, &st, err)) {
		*err = -EINVAL;
		return;
	}
	if (*err || a->result_len)
		return;
	a->result_len = scnprintf(a->result, sizeof(a->result),
				  "status=0x%08x pre=%d post=%d started=%llu\n",
				  (u32)st, pre, ops_engine(a), a->starts - starts);
}

/* Operations on the adapter as a whole. */
static bool ops_slotless(const char *verb)
{
	static const char *const verbs[] = { "wait", "vanish", "stall", "sgreg",
					     "sgdereg", "mralloc", "mrfree", "pmmove" };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(verbs); i++)
		if (!strcmp(verb, verbs[i]))
			return true;
	return false;
}

static ssize_t ops_op_write(struct file *file, const char __user *ubuf,
			    size_t count, loff_t *ppos)
{
	struct ops_adapter *a = file->private_data;
	struct ops_args x = { .desc = 1, .dma32 = 1, .max = OPS_EDU_SIZE, .len = 64 };
	char buf[256], *s, *verb;
	int err;

	if (count >= sizeof(buf))
		return -E2BIG;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	s = strim(buf);
	verb = strsep(&s, " \t");
	err = ops_parse(s, &x);
	if (err)
		return err;
	if (!x.has_slot && !ops_slotless(verb))
		return -EINVAL;
	mutex_lock(&a->lock);
	a->result_len = 0;
	ops_do(a, verb, &x, &err);
	mutex_unlock(&a->lock);
	return err ? err : count;
}

static ssize_t ops_result_read(struct file *file, char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	struct ops_adapter *a = file->private_data;
	ssize_t ret;

	mutex_lock(&a->lock);
	ret = simple_read_from_buffer(ubuf, count, ppos, a->result, a->result_len);
	mutex_unlock(&a->lock);
	return ret;
}

static ssize_t ops_data_read(struct file *file, char __user *ubuf, size_t count, loff_t *ppos)
{
	struct ops_adapter *a = file->private_data;
	ssize_t ret;

	mutex_lock(&a->lock);
	ret = simple_read_from_buffer(ubuf, count, ppos, a->peek, a->peek_len);
	mutex_unlock(&a->lock);
	return ret;
}

static const struct file_operations ops_data_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = ops_data_read,
	.llseek = default_llseek,
};

static const struct file_operations ops_op_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = ops_op_write,
	.llseek = noop_llseek,
};

static const struct file_operations ops_result_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = ops_result_read,
	.llseek = default_llseek,
};

/* ---- the miniport ---- */

static void ops_free_adapter(struct ops_adapter *a)
{
	unsigned int s, b;

	for (s = 0; s < OPS_SLOTS; s++) {
		for (b = 0; b < OPS_BUFS; b++) {
			struct ops_buf *ob = &a->buf[s][b];

			if (ob->mdl)
				NdisFreeMdl(ob->mdl);
			if (ops_buf_spec[b].vm)
				vfree(ob->va);
			else
				kfree(ob->va);
		}
	}
	if (a->pdev)
		pci_dev_put(a->pdev);
	mutex_destroy(&a->lock);
	kfree(a);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
	NDIS_MINIPORT_DRIVER_CHARACTERISTICS c;

	NdisZeroMemory(&c, sizeof(c));
	c.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS;
	c.Header.Revision = NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
	c.Header.Size = NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
	c.MajorNdisVersion = NDIS_MINIPORT_MAJOR_VERSION;
	c.MinorNdisVersion = NDIS_MINIPORT_MINOR_VERSION;
	c.MajorDriverVersion = 1;
	c.InitializeHandlerEx = OpsInitialize;
	c.HaltHandlerEx = OpsHalt;
	c.UnloadHandler = OpsUnload;
	c.PauseHandler = OpsPause;
	c.RestartHandler = OpsRestart;
	c.OidRequestHandler = OpsOidRequest;
	c.SendNetBufferListsHandler = OpsSend;
	c.ReturnNetBufferListsHandler = OpsReturn;
	c.CancelSendHandler = OpsCancelSend;
	c.ShutdownHandlerEx = OpsShutdown;
	c.DevicePnPEventNotifyHandler = OpsPnp;
	c.CancelOidRequestHandler = OpsCancelOid;
	return NdisMRegisterMiniportDriver(DriverObject, RegistryPath, NULL, &c,
					   &ops_driver_handle);
}

VOID OpsUnload(PDRIVER_OBJECT DriverObject)
{
	struct ops_adapter *a, *n;

	NdisMDeregisterMiniportDriver(ops_driver_handle);
	/* Every adapter is halted and torn down: nothing reaches these now. */
	mutex_lock(&ops_root_lock);
	list_for_each_entry_safe(a, n, &ops_graveyard, grave) {
		list_del(&a->grave);
		ops_free_adapter(a);
	}
	mutex_unlock(&ops_root_lock);
}

NDIS_STATUS OpsInitialize(NDIS_HANDLE AdapterHandle, NDIS_HANDLE DriverContext,
			  PNDIS_MINIPORT_INIT_PARAMETERS Params)
{
	NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES ra;
	PNDIS_RESOURCE_LIST res = Params->AllocatedResources;
	struct pci_dev *pdev = NULL;
	struct ops_adapter *a;
	NDIS_STATUS st;
	unsigned int i, s, b;

	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return NDIS_STATUS_RESOURCES;
	mutex_init(&a->lock);
	INIT_LIST_HEAD(&a->grave);
	a->MiniportAdapterHandle = AdapterHandle;

	NdisZeroMemory(&ra, sizeof(ra));
	ra.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;
	ra.Header.Revision = NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_2;
	ra.Header.Size = NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_2;
	ra.MiniportAdapterContext = (NDIS_HANDLE)a;
	/* A bus master too: scatter-gather, shared memory, map registers. */
	ra.AttributeFlags = NDIS_MINIPORT_ATTRIBUTES_HARDWARE_DEVICE |
			    NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER;
	ra.InterfaceType = NdisInterfacePci;
	st = NdisMSetMiniportAttributes(AdapterHandle, (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&ra);
	if (st != NDIS_STATUS_SUCCESS)
		goto free;

	st = NDIS_STATUS_RESOURCE_CONFLICT;
	for (i = 0; res && i < res->Count; i++) {
		if (res->PartialDescriptors[i].Type == CmResourceTypeMemory) {
			a->RegisterPhysical = res->PartialDescriptors[i].u.Memory.Start;
			a->RegisterLength = res->PartialDescriptors[i].u.Memory.Length;
			st = NDIS_STATUS_SUCCESS;
			break;
		}
	}
	if (st != NDIS_STATUS_SUCCESS)
		goto free;
	while ((pdev = pci_get_device(0x1234, 0x11e8, pdev)) != NULL)
		if (pci_resource_start(pdev, 0) == (resource_size_t)a->RegisterPhysical.QuadPart)
			break;
	if (!pdev) {
		st = NDIS_STATUS_ADAPTER_NOT_FOUND;
		goto free;
	}
	a->pdev = pdev;

	st = NDIS_STATUS_RESOURCES;
	for (s = 0; s < OPS_SLOTS; s++) {
		for (b = 0; b < OPS_BUFS; b++) {
			struct ops_buf *ob = &a->buf[s][b];

			ob->va = ops_buf_spec[b].vm ? vzalloc(ops_buf_spec[b].size) :
						      kzalloc(ops_buf_spec[b].size, GFP_KERNEL);
			if (!ob->va)
				goto free;
			ob->mdl = NdisAllocateMdl(AdapterHandle, ob->va, ops_buf_spec[b].size);
			if (!ob->mdl)
				goto free;
		}
	}

	st = NdisMMapIoSpace((PVOID *)&a->RegisterBase, AdapterHandle,
			     a->RegisterPhysical, a->RegisterLength);
	if (st != NDIS_STATUS_SUCCESS)
		goto free;
	if (readl(ops_reg(a, OPS_REG_ID)) != OPS_ID_VALUE) {
		st = NDIS_STATUS_ADAPTER_NOT_FOUND;
		goto unmap;
	}
	writel(0xFFFFFFFF, ops_reg(a, OPS_REG_INTR_ACK));

	mutex_lock(&ops_root_lock);
	if (!ops_root_users++)
		ops_root = debugfs_create_dir("ndis_ops", NULL);
	a->dir = debugfs_create_dir(pci_name(pdev), ops_root);
	mutex_unlock(&ops_root_lock);
	debugfs_create_file("result", 0400, a->dir, a, &ops_result_fops);
	debugfs_create_file("data", 0400, a->dir, a, &ops_data_fops);
	/* Last: a script waits for "op" to appear, then uses the others. */
	debugfs_create_file("op", 0200, a->dir, a, &ops_op_fops);
	return NDIS_STATUS_SUCCESS;

unmap:
	NdisMUnmapIoSpace(AdapterHandle, a->RegisterBase, a->RegisterLength);
free:
	ops_free_adapter(a);
	return st;
}

VOID OpsHalt(NDIS_HANDLE Ctx, NDIS_HALT_ACTION HaltAction)
{
	struct ops_adapter *a = Ctx;
	unsigned int ms;
	bool running;

	/* Waits for an operation in progress; none can start afterwards. */
	debugfs_remove_recursive(a->dir);
	mutex_lock(&ops_root_lock);
	if (!--ops_root_users) {
		debugfs_remove_recursive(ops_root);
		ops_root = NULL;
	}
	mutex_unlock(&ops_root_lock);

	/*
	 * Channels stay registered on purpose: the shim releases them after
	 * this returns, calling the controller, which must not touch the
	 * registers any more. So wait for the engine here and report idle
	 * from then on.
	 */
	running = ops_running(a);
	/* A vanished device never goes idle: the shim's bounded wait deals with it. */
	for (ms = 0; !READ_ONCE(a->vanished) && ops_running(a) && ms < 2000; ms++)
		usleep_range(1000, 1100);
	if (!READ_ONCE(a->vanished) && ops_running(a))
		dev_err(&a->pdev->dev, "ndis_ops: engine still running at halt\n");
	mutex_lock(&a->lock);
	a->halted = true;
	mutex_unlock(&a->lock);
	NdisMUnmapIoSpace(a->MiniportAdapterHandle, a->RegisterBase, a->RegisterLength);
	dev_info(&a->pdev->dev, "ndis_ops: halted (engine %s at halt, waited %u ms)\n",
		 running ? "running" : "idle", ms);
	/* Buffers may still be mapped by leftover channels: free at unload. */
	mutex_lock(&ops_root_lock);
	list_add(&a->grave, &ops_graveyard);
	mutex_unlock(&ops_root_lock);
}

NDIS_STATUS OpsPause(NDIS_HANDLE Ctx, PNDIS_MINIPORT_PAUSE_PARAMETERS p)
{
	return NDIS_STATUS_SUCCESS;
}

NDIS_STATUS OpsRestart(NDIS_HANDLE Ctx, PNDIS_MINIPORT_RESTART_PARAMETERS p)
{
	return NDIS_STATUS_SUCCESS;
}

NDIS_STATUS OpsOidRequest(NDIS_HANDLE Ctx, PNDIS_OID_REQUEST r)
{
	return NDIS_STATUS_NOT_SUPPORTED;
}

VOID OpsSend(NDIS_HANDLE Ctx, PNET_BUFFER_LIST l, NDIS_PORT_NUMBER p, ULONG f)
{
}

VOID OpsReturn(NDIS_HANDLE Ctx, PNET_BUFFER_LIST l, ULONG f)
{
}

VOID OpsCancelSend(NDIS_HANDLE Ctx, PVOID id)
{
}

VOID OpsShutdown(NDIS_HANDLE Ctx, NDIS_SHUTDOWN_ACTION act)
{
}

VOID OpsPnp(NDIS_HANDLE Ctx, PNET_DEVICE_PNP_EVENT e)
{
}

VOID OpsCancelOid(NDIS_HANDLE Ctx, PVOID id)
{
}
