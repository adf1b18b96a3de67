// SPDX-License-Identifier: GPL-2.0
/*
 * edu5_test.c - the test interface of the edu_dma_ndis5 sample miniport.
 *
 * Not part of the port: what a Windows driver's test build would reach
 * through a control device object and a test tool.
 * samples/edu_dma_ndis5/Kbuild links this file into edu_dma_ndis5.ko; the
 * glue's platform hooks (edu5_linux.c) call the Edu5Test* hooks of
 * edu_test.h.
 *
 * A root-only debugfs directory per adapter,
 * /sys/kernel/debug/edu_dma_ndis5/<pci-name>/{cmd,result}. Commands (one
 * per write to cmd; the outcome is read from result):
 *   roundtrip len=N off=N buf=kmalloc|vmalloc reg=N [mdl=SHAPE]
 *	a buffer to edu's buffer and back into a second one, compared; the
 *	MDLs reshaped as edu_test.h's SHAPE (default pool);
 *   misuse [rows=K]
 *	the first K (default all) of a list of bad physical-mapping calls
 *	(each rejected) and the good ones between them;
 *   alloc       NdisMAllocateMapRegisters' refusals;
 *   nonbm       map registers and shared memory of a non-bus master;
 *   dmasize N   reallocate the map registers with DmaSize N (0, 1, 2);
 *   sg-register NdisMRegisterScatterGatherDma from this NDIS 5.1 bus master;
 *   shm-async len=N
 *		two blocks from NdisMAllocateSharedMemoryAsync, delivered to
 *		MiniportAllocateComplete; N bytes from one to edu and back into
 *		the other by their device addresses, compared;
 *   shm-async-fail
 *		NdisMAllocateSharedMemoryAsync that must fail: PENDING, then
 *		MiniportAllocateComplete with NULL pointers; or FAILURE.
 *   info       what MiniportInitialize read (PCI IDs, configuration) and
 *		the interrupt and timer counters;
 *   irq rows=K edu's interrupt raised K times, each waited for in the DPC;
 *   timer      the timer one-shot (20 ms), then periodic for 3 runs, then
 *		set for 10 s and cancelled, then cancelled again;
 *   events     NdisWaitEvent on a reset, a set and a reset again event;
 *   ndis5-misuse
 *		bad interrupt, timer, port, PCI slot and configuration calls.
 * Every argument is checked before a command runs (edu5_parse): a refused
 * command leaves "fail <why>" in result and fails the write with EINVAL,
 * ERANGE or E2BIG.
 */
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
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
#include "edu5.h"
#include "edu_test.h"

#define EDU5_RESULT_SIZE 512

struct edu5_test {
	PEDU5_ADAPTER adapter;
	struct dentry *dir;
	struct mutex lock;	/* one command at a time; guards result */
	char result[EDU5_RESULT_SIZE];
	size_t result_len;
};

static struct dentry *edu5_root;
static unsigned int edu5_root_users;
static DEFINE_MUTEX(edu5_root_lock);

static __printf(2, 3) void edu5_result(struct edu5_test *et, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	et->result_len += vscnprintf(et->result + et->result_len,
				     sizeof(et->result) - et->result_len, fmt, ap);
	va_end(ap);
}

/* A test buffer: kmalloc (contiguous) or vmalloc (page by page). */
struct edu5_buf {
	u8 *base;
	bool vmalloc;
	PMDL mdl;
};

static int edu5_buf_alloc(struct edu5_test *et, struct edu5_buf *b, bool vm,
			  unsigned int off, unsigned int len)
{
	b->vmalloc = vm;
	b->base = vm ? vzalloc(off + len) : kzalloc(off + len, GFP_KERNEL);
	if (!b->base)
		return -ENOMEM;
	b->mdl = NdisAllocateMdl(et->adapter->MiniportAdapterHandle, b->base + off, len);
	if (!b->mdl) {
		kvfree(b->base);
		return -ENOMEM;
	}
	return 0;
}

static void edu5_buf_free(struct edu5_buf *b)
{
	if (b->mdl)
		NdisFreeMdl(b->mdl);
	kvfree(b->base);
}

/* The rows of "misuse" (edu5_cmd_misuse), all of them by default. */
#define EDU5_MISUSE_ROWS 10
/* The largest buffer offset: the buffer is off + len bytes. */
#define EDU5_MAX_OFF SZ_64K

struct edu5_args {
	unsigned int len, off, reg, rows;
	bool vmalloc;
	enum edu_mdl_shape mdl;
};

/*
 * key=value words into @a, every number bounded before a command uses it.
 * A refusal is written to the result: -EINVAL for a malformed word, an
 * unknown key or a value that is not a number (-1 included), -ERANGE for a
 * number out of bounds (2^32 and above included).
 */
static int edu5_parse(struct edu5_test *et, char *s, struct edu5_args *a)
{
	static const struct edu_test_num nums[] = {
		{ "len", offsetof(struct edu5_args, len), 1, EDU_BUFFER_SIZE },
		{ "off", offsetof(struct edu5_args, off), 0, EDU5_MAX_OFF },
		{ "reg", offsetof(struct edu5_args, reg), 0, EDU5_MAP_REGISTERS - 1 },
		{ "rows", offsetof(struct edu5_args, rows), 1, EDU5_MISUSE_ROWS },
	};
	const struct edu_test_num *num;
	char *word, *val;

	while ((word = strsep(&s, " \t\n")) != NULL) {
		int ret;

		if (!*word)
			continue;
		val = strchr(word, '=');
		if (!val) {
			edu5_result(et, "fail bad argument %s: not key=value\n", word);
			return -EINVAL;
		}
		*val++ = '\0';
		if (!strcmp(word, "buf")) {
			ret = 0;
			if (!strcmp(val, "vmalloc"))
				a->vmalloc = true;
			else if (!strcmp(val, "kmalloc"))
				a->vmalloc = false;
			else
				ret = -EINVAL;
		} else if (!strcmp(word, "mdl")) {
			ret = match_string(edu_mdl_shape_names,
					   ARRAY_SIZE(edu_mdl_shape_names), val);
			if (ret >= 0) {
				a->mdl = ret;
				ret = 0;
			}
		} else {
			ret = edu_test_parse_num(nums, ARRAY_SIZE(nums), a, word, val, &num);
			if (ret == -ERANGE) {
				edu5_result(et, "fail bad argument %s=%s: out of range %u..%u\n",
					    word, val, num->min, num->max);
				return ret;
			}
		}
		if (ret) {
			edu5_result(et, "fail bad argument %s=%s: %s\n", word, val,
				    ret == -ENOENT ? "unknown key" : "invalid value");
			return -EINVAL;
		}
	}
	return 0;
}

static void edu5_cmd_roundtrip(struct edu5_test *et, struct edu5_args *a)
{
	struct edu5_buf src = { }, dst = { };
	NDIS_STATUS to, from = NDIS_STATUS_FAILURE;
	UINT n_to = 0, n_from = 0;
	bool same;

	if (a->len == 0 || a->len > EDU_BUFFER_SIZE) {
		edu5_result(et, "fail bad length %u\n", a->len);
		return;
	}
	if (edu5_buf_alloc(et, &src, a->vmalloc, a->off, a->len) ||
	    edu5_buf_alloc(et, &dst, a->vmalloc, a->off, a->len)) {
		edu5_result(et, "fail allocation\n");
		goto out;
	}
	get_random_bytes(src.base + a->off, a->len);
	EduTestShapeMdl(src.mdl, a->mdl);
	EduTestShapeMdl(dst.mdl, a->mdl);
	to = Edu5TransferBuffer(et->adapter, src.mdl, a->reg, TRUE, 0, &n_to);
	if (to == NDIS_STATUS_SUCCESS)
		from = Edu5TransferBuffer(et->adapter, dst.mdl, a->reg, FALSE, 0, &n_from);
	if (to == NDIS_STATUS_DEVICE_FAILED || from == NDIS_STATUS_DEVICE_FAILED) {
		/* edu may still write them: parked for good, not freed. */
		edu5_result(et, "fail engine did not finish; buffers parked\n");
		return;
	}
	same = !memcmp(src.base + a->off, dst.base + a->off, a->len);
	edu5_result(et, "%s to=0x%08x entries_to=%u from=0x%08x entries_from=%u verified=%d\n",
		    to == NDIS_STATUS_SUCCESS && from == NDIS_STATUS_SUCCESS && same ?
			    "ok" : "fail",
		    (u32)to, n_to, (u32)from, n_from, same);
out:
	edu5_buf_free(&src);
	edu5_buf_free(&dst);
}

/*
 * The first @rows of these calls: each Start row reports *ArraySize (99
 * before the call), each Complete row (which returns nothing) its name.
 * Every row but first_start and complete is one the shim must reject
 * (28-edu-ndis5 checks each row's count by running 1, 2, ... rows). A
 * mapping first_start left is completed at the end, not counted as a row.
 */
static void edu5_cmd_misuse(struct edu5_test *et, unsigned int rows)
{
	NDIS_HANDLE h = et->adapter->MiniportAdapterHandle;
	NDIS_PHYSICAL_ADDRESS_UNIT units[EDU5_MAX_PHYSICAL_UNITS + 2];
	struct edu5_buf one = { }, two = { }, big = { };
	unsigned int row = 0;
	bool mapped;
	UINT n = 0;

	if (edu5_buf_alloc(et, &one, false, 0, 64) ||
	    edu5_buf_alloc(et, &two, false, 0, 64) ||
	    edu5_buf_alloc(et, &big, true, 0, 2 * EDU5_MAXIMUM_MAPPING)) {
		edu5_result(et, "fail allocation\n");
		goto out;
	}
#define START(_name, _call) \
	do { \
		if (row++ < rows) { \
			n = 99; \
			_call; \
			edu5_result(et, "%s=%u ", _name, n); \
		} \
	} while (0)
#define COMPLETE(_name, _call) \
	do { \
		if (row++ < rows) { \
			_call; \
			edu5_result(et, "%s ", _name); \
		} \
	} while (0)
	START("index_out_of_range",
	      NdisMStartBufferPhysicalMapping(h, one.mdl, EDU5_MAP_REGISTERS, TRUE, units, &n));
	START("null_buffer", NdisMStartBufferPhysicalMapping(h, NULL, 0, TRUE, units, &n));
	START("too_long", NdisMStartBufferPhysicalMapping(h, big.mdl, 0, TRUE, units, &n));
	START("stale_handle",
	      NdisMStartBufferPhysicalMapping((NDIS_HANDLE)((ULONG_PTR)h ^ 0x40000000),
					      one.mdl, 0, TRUE, units, &n));
	COMPLETE("complete_unmapped", NdisMCompleteBufferPhysicalMapping(h, one.mdl, 1));
	COMPLETE("complete_index_out_of_range",
		 NdisMCompleteBufferPhysicalMapping(h, one.mdl, EDU5_MAP_REGISTERS + 7));
	/* Register 2 maps one buffer: a second Start and a Complete naming
	 * another buffer are refused; the right Complete then works. */
	START("first_start", NdisMStartBufferPhysicalMapping(h, one.mdl, 2, FALSE, units, &n));
	mapped = row <= rows && n > 0;
	START("start_in_use", NdisMStartBufferPhysicalMapping(h, two.mdl, 2, TRUE, units, &n));
	COMPLETE("complete_wrong_buffer", NdisMCompleteBufferPhysicalMapping(h, two.mdl, 2));
	COMPLETE("complete", NdisMCompleteBufferPhysicalMapping(h, one.mdl, 2));
	mapped = mapped && row > rows;
#undef START
#undef COMPLETE
	if (mapped)
		NdisMCompleteBufferPhysicalMapping(h, one.mdl, 2);
	edu5_result(et, "\n");
out:
	edu5_buf_free(&one);
	edu5_buf_free(&two);
	edu5_buf_free(&big);
}

/*
 * NdisMAllocateMapRegisters with the adapter's map registers allocated,
 * then freed: each row's status (NDIS 5.1 page: SUCCESS, or RESOURCES for
 * incompatible parameters and beyond NDIS's 64 map registers). Both calls
 * are PASSIVE_LEVEL only: under a spin lock Free is refused and the
 * registers stay (a Start still maps), and Allocate is RESOURCES.
 */
static void edu5_cmd_alloc(struct edu5_test *et)
{
	PEDU5_ADAPTER ad = et->adapter;
	NDIS_HANDLE h = ad->MiniportAdapterHandle;
	NDIS_PHYSICAL_ADDRESS_UNIT units[EDU5_MAX_PHYSICAL_UNITS];
	NDIS_DMA_SIZE size = ad->DmaSize;
	struct edu5_buf one = { };
	NDIS_SPIN_LOCK lock;
	NDIS_STATUS s;
	UINT n = 0;

	if (edu5_buf_alloc(et, &one, false, 0, 64)) {
		edu5_result(et, "fail allocation\n");
		return;
	}
	NdisAllocateSpinLock(&lock);
	edu5_result(et, "again=0x%08x ",
		    (u32)NdisMAllocateMapRegisters(h, 0, NDIS_DMA_32BITS, 4, 4096));
	NdisAcquireSpinLock(&lock);
	NdisMFreeMapRegisters(h);
	NdisReleaseSpinLock(&lock);
	NdisMStartBufferPhysicalMapping(h, one.mdl, 0, TRUE, units, &n);
	if (n)
		NdisMCompleteBufferPhysicalMapping(h, one.mdl, 0);
	edu5_buf_free(&one);
	if (ad->MapRegistersAllocated)
		NdisMFreeMapRegisters(h);
	ad->MapRegistersAllocated = FALSE;
	NdisAcquireSpinLock(&lock);
	s = NdisMAllocateMapRegisters(h, 0, NDIS_DMA_32BITS, 4, 4096);
	NdisReleaseSpinLock(&lock);
	NdisFreeSpinLock(&lock);
	if (s == NDIS_STATUS_SUCCESS)
		NdisMFreeMapRegisters(h);
	edu5_result(et, "free_at_dispatch_entries=%u alloc_at_dispatch=0x%08x ", n, (u32)s);
	edu5_result(et, "dmasize3=0x%08x zero=0x%08x empty=0x%08x too_many=0x%08x over64=0x%08x ",
		    (u32)NdisMAllocateMapRegisters(h, 0, 3, 4, 4096),
		    (u32)NdisMAllocateMapRegisters(h, 0, NDIS_DMA_32BITS, 0, 4096),
		    (u32)NdisMAllocateMapRegisters(h, 0, NDIS_DMA_32BITS, 4, 0),
		    (u32)NdisMAllocateMapRegisters(h, 0, NDIS_DMA_32BITS, 1000, 4096),
		    (u32)NdisMAllocateMapRegisters(h, 0, NDIS_DMA_32BITS, 33, 1512));
	/* 32 buffers of 1512 bytes: two map registers each, 64 in all. */
	s = NdisMAllocateMapRegisters(h, 0, NDIS_DMA_32BITS, 32, 1512);
	if (s == NDIS_STATUS_SUCCESS)
		NdisMFreeMapRegisters(h);
	edu5_result(et, "at64=0x%08x restored=0x%08x\n", (u32)s,
		    (u32)Edu5ReallocateMapRegisters(ad, TRUE, size));
}

/* Waits up to 5 s for MiniportAllocateComplete to deliver Block. */
static bool edu5_wait_block(struct edu5_test *et, PEDU5_SHARED_BLOCK b)
{
	unsigned int waited;

	for (waited = 0; waited < 5000; waited++) {
		if (Edu5SharedBlockCompleted(et->adapter, b))
			return true;
		msleep(1);
	}
	return false;
}

static void edu5_free_block(struct edu5_test *et, PEDU5_SHARED_BLOCK b)
{
	if (b->VirtualAddress)
		NdisMFreeSharedMemory(et->adapter->MiniportAdapterHandle, b->Length, FALSE,
				      b->VirtualAddress, b->PhysicalAddress);
}

static void edu5_cmd_shm_async(struct edu5_test *et, struct edu5_args *a)
{
	EDU5_SHARED_BLOCK tx, rx;
	NDIS_STATUS s_tx, s_rx, moved = NDIS_STATUS_FAILURE;
	bool done, same = false;
	u64 last;

	if (a->len == 0 || a->len > EDU_BUFFER_SIZE) {
		edu5_result(et, "fail bad length %u\n", a->len);
		return;
	}
	s_tx = Edu5AllocateSharedBlock(et->adapter, a->len, &tx);
	s_rx = Edu5AllocateSharedBlock(et->adapter, a->len, &rx);
	done = (s_tx != NDIS_STATUS_PENDING || edu5_wait_block(et, &tx)) &&
	       (s_rx != NDIS_STATUS_PENDING || edu5_wait_block(et, &rx));
	if (!done) {
		/* The handler may still write the blocks: parked for good. */
		edu5_result(et, "fail completion not delivered\n");
		return;
	}
	if (tx.VirtualAddress && rx.VirtualAddress && !tx.PhysicalAddressNull &&
	    !rx.PhysicalAddressNull) {
		get_random_bytes(tx.VirtualAddress, a->len);
		moved = Edu5SharedBlockRoundtrip(et->adapter, &tx, &rx, a->len);
		if (moved == NDIS_STATUS_FAILURE) {
			edu5_result(et, "fail engine did not finish; blocks parked\n");
			return;
		}
		same = !memcmp(tx.VirtualAddress, rx.VirtualAddress, a->len);
	}
	last = max(tx.PhysicalAddress.QuadPart, rx.PhysicalAddress.QuadPart) + a->len - 1;
	edu5_result(et, "%s shm-async status=0x%08x/0x%08x len=%u/%u moved=0x%08x verified=%d in_reach=%d\n",
		    s_tx == NDIS_STATUS_PENDING && s_rx == NDIS_STATUS_PENDING &&
			    moved == NDIS_STATUS_SUCCESS && same ? "ok" : "fail",
		    (u32)s_tx, (u32)s_rx, tx.Length, rx.Length, (u32)moved, same,
		    last <= DMA_BIT_MASK(28));
	edu5_free_block(et, &tx);
	edu5_free_block(et, &rx);
}

/* Each allocation that must fail: its status, then NULL pointers. */
static void edu5_cmd_shm_async_fail(struct edu5_test *et)
{
	static const ULONG lengths[] = { 0, 0xFFFFFFFF };
	static const char *const names[] = { "zero", "huge" };
	EDU5_SHARED_BLOCK b;
	NDIS_STATUS s;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(lengths); i++) {
		s = Edu5AllocateSharedBlock(et->adapter, lengths[i], &b);
		if (s == NDIS_STATUS_PENDING && !edu5_wait_block(et, &b)) {
			edu5_result(et, "fail completion not delivered\n");
			return;
		}
		edu5_result(et, "%s=0x%08x %s_nulls=%d ", names[i], (u32)s, names[i],
			    s == NDIS_STATUS_PENDING && !b.VirtualAddress && b.PhysicalAddressNull);
		edu5_free_block(et, &b);
	}
	edu5_result(et, "forged=0x%08x\n",
		    (u32)NdisMAllocateSharedMemoryAsync((NDIS_HANDLE)0x12345678, 64, FALSE, &b));
}

static VOID Edu5TestProcessSGList(PDEVICE_OBJECT pDO, PVOID Reserved,
				  PSCATTER_GATHER_LIST pSGL, PVOID Context)
{
}

/*
 * NDIS 6 scatter-gather DMA is for NDIS 6 drivers: the
 * NdisMRegisterScatterGatherDma page documents NOT_SUPPORTED for a driver
 * below NDIS 6.0, bus master or not.
 */
static void edu5_cmd_sg_register(struct edu5_test *et)
{
	NDIS_SG_DMA_DESCRIPTION Desc = {
		.Header = {
			.Type = NDIS_OBJECT_TYPE_SG_DMA_DESCRIPTION,
			.Revision = NDIS_SG_DMA_DESCRIPTION_REVISION_1,
			.Size = NDIS_SIZEOF_SG_DMA_DESCRIPTION_REVISION_1,
		},
		.MaximumPhysicalMapping = 4096,
		.ProcessSGListHandler = Edu5TestProcessSGList,
	};
	NDIS_HANDLE Handle = NULL;
	NDIS_STATUS Status;

	Status = NdisMRegisterScatterGatherDma(et->adapter->MiniportAdapterHandle, &Desc,
					       &Handle);
	if (Status == NDIS_STATUS_SUCCESS)
		NdisMDeregisterScatterGatherDma(Handle);
	edu5_result(et, "sg-register status=0x%08x handle=%d\n", (u32)Status, Handle != NULL);
}

static void edu5_cmd_nonbm(struct edu5_test *et)
{
	NDIS_PHYSICAL_ADDRESS_UNIT units[EDU5_MAX_PHYSICAL_UNITS];
	struct edu5_buf one = { };
	NDIS_STATUS s1, s2, s3;
	NDIS_PHYSICAL_ADDRESS pa;
	PVOID va;
	UINT n = 99;

	if (edu5_buf_alloc(et, &one, false, 0, 64)) {
		edu5_result(et, "fail allocation\n");
		return;
	}
	s1 = Edu5ReallocateMapRegisters(et->adapter, FALSE, NDIS_DMA_64BITS);
	NdisMStartBufferPhysicalMapping(et->adapter->MiniportAdapterHandle, one.mdl, 0,
					TRUE, units, &n);
	/* No map registers, no channel: no DMA adapter for shared memory. */
	va = (PVOID)1;
	NdisMAllocateSharedMemory(et->adapter->MiniportAdapterHandle, 64, FALSE, &va, &pa);
	s3 = NdisMAllocateSharedMemoryAsync(et->adapter->MiniportAdapterHandle, 64, FALSE,
					    NULL);
	s2 = Edu5ReallocateMapRegisters(et->adapter, TRUE, NDIS_DMA_64BITS);
	edu5_result(et, "nonbm_alloc=0x%08x nonbm_entries=%u nonbm_shm_va_null=%d nonbm_async=0x%08x busmaster_alloc=0x%08x\n",
		    (u32)s1, n, va == NULL, (u32)s3, (u32)s2);
	edu5_buf_free(&one);
}

static void edu5_cmd_info(struct edu5_test *et)
{
	PEDU5_ADAPTER a = et->adapter;

	edu5_result(et, "vendor=0x%04x device=0x%04x pci_bytes=%u config=0x%08x timer_period=%u isr=%d dpc=%d dma_irqs=%d raised=%d timer_runs=%d\n",
		    a->VendorId, a->DeviceId, a->PciBytesRead, (u32)a->TimerPeriodStatus,
		    a->TimerPeriod, READ_ONCE(a->IsrCount), READ_ONCE(a->DpcCount),
		    READ_ONCE(a->DmaInterrupts), READ_ONCE(a->RaiseInterrupts),
		    READ_ONCE(a->TimerCount));
}

static void edu5_cmd_irq(struct edu5_test *et, unsigned int n)
{
	PEDU5_ADAPTER a = et->adapter;
	LONG isr0 = READ_ONCE(a->IsrCount), dpc0 = READ_ONCE(a->DpcCount);
	LONG raised0 = READ_ONCE(a->RaiseInterrupts);
	unsigned int i, seen = 0;

	for (i = 0; i < n; i++)
		seen += Edu5RaiseInterrupt(a, 5000);
	edu5_result(et, "irq raised=%u seen=%u isr+%d dpc+%d dpc_raised+%d\n", n, seen,
		    READ_ONCE(a->IsrCount) - isr0, READ_ONCE(a->DpcCount) - dpc0,
		    READ_ONCE(a->RaiseInterrupts) - raised0);
}

static void edu5_cmd_timer(struct edu5_test *et)
{
	PEDU5_ADAPTER a = et->adapter;
	BOOLEAN once, periodic, never, c1, c2, c3, c4;
	LONG runs0, runs1;

	once = Edu5RunTimer(a, FALSE, 20, 1, 5000, &c1);
	periodic = Edu5RunTimer(a, TRUE, 0, 3, 5000, &c2);
	runs0 = READ_ONCE(a->TimerCount);
	/* 10 s away: cancelled while set, so it never runs. */
	NdisMSetTimer(&a->Timer, 10000);
	NdisMCancelTimer(&a->Timer, &c3);
	NdisMCancelTimer(&a->Timer, &c4);
	msleep(50);
	runs1 = READ_ONCE(a->TimerCount);
	never = runs1 == runs0;
	edu5_result(et, "timer once=%d periodic=%d periodic_cancelled=%d set_cancelled=%d again_cancelled=%d not_run=%d once_cancelled=%d\n",
		    once, periodic, c2, c3, c4, never, c1);
}

static void edu5_cmd_events(struct edu5_test *et)
{
	NDIS_EVENT e;
	BOOLEAN w0, w1, w2;

	NdisInitializeEvent(&e);
	w0 = NdisWaitEvent(&e, 20);
	NdisSetEvent(&e);
	w1 = NdisWaitEvent(&e, 20);
	NdisResetEvent(&e);
	w2 = NdisWaitEvent(&e, 20);
	edu5_result(et, "events unset=%d set=%d reset=%d\n", w0, w1, w2);
}

static BOOLEAN edu5_sync_true(PVOID Context)
{
	return *(PULONG)Context == 0x5a;
}

static void edu5_cmd_ndis5_misuse(struct edu5_test *et)
{
	PEDU5_ADAPTER a = et->adapter;
	NDIS_HANDLE h = a->MiniportAdapterHandle, cfg = (NDIS_HANDLE)1;
	NDIS_MINIPORT_INTERRUPT zeroed_irq, again;
	NDIS_MINIPORT_TIMER zeroed_timer;
	NDIS_STATUS again_st, port_st, cfg_st;
	ULONG magic = 0x5a, past;
	BOOLEAN sync_ok, sync_forged, cancelled = TRUE;
	PVOID port = (PVOID)1;
	UCHAR b[4];

	memset(&zeroed_irq, 0, sizeof(zeroed_irq));
	memset(&zeroed_timer, 0, sizeof(zeroed_timer));
	sync_ok = NdisMSynchronizeWithInterrupt(&a->Interrupt, (PVOID)edu5_sync_true, &magic);
	/* 1: an interrupt object NdisMRegisterInterrupt never filled. */
	sync_forged = NdisMSynchronizeWithInterrupt(&zeroed_irq, (PVOID)edu5_sync_true, &magic);
	/* 2: a second interrupt on the adapter: RESOURCE_CONFLICT (not counted). */
	again_st = NdisMRegisterInterrupt(&again, h, a->InterruptVector, a->InterruptLevel,
					  TRUE, TRUE, NdisInterruptLevelSensitive);
	/* 2, 3: a timer NdisMInitializeTimer never saw. */
	NdisMSetTimer(&zeroed_timer, 10);
	NdisMCancelTimer(&zeroed_timer, &cancelled);
	/* edu has no I/O BAR: port 0x10 is not the adapter's (not counted). */
	port_st = NdisMRegisterIoPortRange(&port, h, 0x10, 4);
	/* 4: a range never registered. */
	NdisMDeregisterIoPortRange(h, 0x10, 4, NULL);
	/* 5: past the configuration space. */
	past = NdisReadPciSlotInformation(h, 0, 4095, b, sizeof(b));
	/* 6: a WrapperConfigurationContext that names no adapter. */
	NdisOpenConfiguration(&cfg_st, &cfg, (NDIS_HANDLE)0x4242);
	edu5_result(et, "sync=%d sync_forged=%d again=0x%08x cancelled=%d port=0x%08x port_offset_null=%d past_bytes=%u config=0x%08x config_null=%d\n",
		    sync_ok, sync_forged, (u32)again_st, cancelled, (u32)port_st,
		    port == NULL, past, (u32)cfg_st, cfg == NULL);
}

static ssize_t edu5_cmd_write(struct file *file, const char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	struct edu5_test *et = file->private_data;
	struct edu5_args a = { .len = 64, .rows = EDU5_MISUSE_ROWS };
	char buf[128], *s, *verb;
	unsigned int size;
	int ret = 0;

	mutex_lock(&et->lock);
	et->result_len = 0;
	et->result[0] = '\0';
	ret = edu_test_read_cmd(buf, sizeof(buf), ubuf, count);
	if (ret == -E2BIG)
		edu5_result(et, "fail command longer than %zu bytes\n", sizeof(buf) - 1);
	if (ret)
		goto out;
	s = strim(buf);
	verb = strsep(&s, " \t");

	if (!strcmp(verb, "dmasize")) {
		/* "dmasize N": NDIS_DMA_24BITS (0) .. NDIS_DMA_64BITS (2). */
		ret = s ? kstrtouint(s, 0, &size) : -EINVAL;
		if (!ret && size > NDIS_DMA_64BITS)
			ret = -ERANGE;
		if (ret)
			edu5_result(et, "fail dmasize%s%s: want 0, 1 or 2 (%d)\n",
				    s ? " " : "", s ?: "", ret);
		else
			edu5_result(et, "dmasize=%u status=0x%08x\n", size,
				    (u32)Edu5ReallocateMapRegisters(et->adapter, TRUE,
								    (NDIS_DMA_SIZE)size));
		goto out;
	}
	ret = edu5_parse(et, s, &a);
	if (ret)
		goto out;
	if (!strcmp(verb, "roundtrip")) {
		edu5_cmd_roundtrip(et, &a);
	} else if (!strcmp(verb, "misuse")) {
		edu5_cmd_misuse(et, a.rows);
	} else if (!strcmp(verb, "alloc")) {
		edu5_cmd_alloc(et);
	} else if (!strcmp(verb, "nonbm")) {
		edu5_cmd_nonbm(et);
	} else if (!strcmp(verb, "sg-register")) {
		edu5_cmd_sg_register(et);
	} else if (!strcmp(verb, "shm-async")) {
		edu5_cmd_shm_async(et, &a);
	} else if (!strcmp(verb, "shm-async-fail")) {
		edu5_cmd_shm_async_fail(et);
	} else if (!strcmp(verb, "info")) {
		edu5_cmd_info(et);
	} else if (!strcmp(verb, "irq")) {
		edu5_cmd_irq(et, a.rows);
	} else if (!strcmp(verb, "timer")) {
		edu5_cmd_timer(et);
	} else if (!strcmp(verb, "events")) {
		edu5_cmd_events(et);
	} else if (!strcmp(verb, "ndis5-misuse")) {
		edu5_cmd_ndis5_misuse(et);
	} else {
		edu5_result(et, "fail unknown command %s\n", verb);
		ret = -EINVAL;
	}
out:
	mutex_unlock(&et->lock);
	return ret ? ret : count;
}

static ssize_t edu5_result_read(struct file *file, char __user *ubuf,
				size_t count, loff_t *ppos)
{
	struct edu5_test *et = file->private_data;
	ssize_t ret;

	mutex_lock(&et->lock);
	ret = simple_read_from_buffer(ubuf, count, ppos, et->result, et->result_len);
	mutex_unlock(&et->lock);
	return ret;
}

static const struct file_operations edu5_cmd_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = edu5_cmd_write,
	.llseek = noop_llseek,
};

static const struct file_operations edu5_result_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = edu5_result_read,
	.llseek = default_llseek,
};

/* The hooks the glue's platform hooks call (edu_test.h). */

NDIS_STATUS Edu5TestAdapterStart(PEDU5_ADAPTER Adapter)
{
	struct pci_dev *pdev = NdisLinuxGetPciDevice(Adapter->MiniportAdapterHandle);
	struct edu5_test *et;

	if (!pdev)
		return NDIS_STATUS_ADAPTER_NOT_FOUND;
	et = kzalloc(sizeof(*et), GFP_KERNEL);
	if (!et)
		return NDIS_STATUS_RESOURCES;
	et->adapter = Adapter;
	mutex_init(&et->lock);
	Adapter->LinuxPrivate = et;
	mutex_lock(&edu5_root_lock);
	if (!edu5_root_users++)
		edu5_root = debugfs_create_dir("edu_dma_ndis5", NULL);
	et->dir = debugfs_create_dir(pci_name(pdev), edu5_root);
	mutex_unlock(&edu5_root_lock);
	debugfs_create_file("result", 0400, et->dir, et, &edu5_result_fops);
	/* Last: a script waits for "cmd" to appear, then reads "result". */
	debugfs_create_file("cmd", 0200, et->dir, et, &edu5_cmd_fops);
	return NDIS_STATUS_SUCCESS;
}

VOID Edu5TestAdapterStop(PEDU5_ADAPTER Adapter)
{
	struct edu5_test *et = Adapter->LinuxPrivate;

	/* Waits for a command in progress; none can start afterwards. */
	debugfs_remove_recursive(et->dir);
	mutex_lock(&edu5_root_lock);
	if (!--edu5_root_users) {
		debugfs_remove_recursive(edu5_root);
		edu5_root = NULL;
	}
	mutex_unlock(&edu5_root_lock);
	Adapter->LinuxPrivate = NULL;
	mutex_destroy(&et->lock);
	kfree(et);
}
