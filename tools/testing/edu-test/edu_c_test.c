// SPDX-License-Identifier: GPL-2.0
/*
 * edu_c_test.c - the test interface of the edu_dma_c sample miniport.
 *
 * Not part of the port: what a Windows driver's test build would reach
 * through a control device object (NdisRegisterDeviceEx) and a test tool.
 * samples/edu_dma_c/Kbuild links this file into edu_dma_c.ko; the glue's
 * platform hooks (edu_linux.c) call the EduTest* hooks of edu_test.h.
 *
 * A root-only debugfs directory per adapter,
 * /sys/kernel/debug/edu_dma_c/<pci-name>/, through which the selftests
 * (tools/testing/selftests/ndis/) make the miniport move data:
 *   cmd      write one command: a verb and key=value arguments;
 *   result   its outcome, one line per row ("ok ...", "fail ...", "skip ...");
 *   channel  the adapter's DMA channel state and counters.
 * The commands call the miniport operations edu.h declares.
 */
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/gfp.h>
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
#include "edu_test.h"

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

struct edu_test {
	PEDU_ADAPTER adapter;
	struct pci_dev *pdev;
	struct dentry *dir;
	bool published;		/* dir created: the adapter is initialized */
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

static int edu_buf_alloc(struct edu_test *et, struct edu_buf *b,
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
	b->mdl = NdisAllocateMdl(et->adapter->MiniportAdapterHandle, b->va, size);
	if (!b->mdl) {
		edu_buf_free(b);
		return -ENOMEM;
	}
	return 0;
}

/* Keep a buffer the engine might still reach until halt. */
static void edu_buf_park(struct edu_test *et, struct edu_buf *b)
{
	if (et->nparked < EDU_MAX_PARKED) {
		et->parked[et->nparked++] = *b;
		memset(b, 0, sizeof(*b));
	} else {
		/* Out of room: leaking beats freeing under a live device. */
		dev_warn(&et->pdev->dev, "leaking a DMA test buffer\n");
		memset(b, 0, sizeof(*b));
	}
}

static u8 edu_pattern(u8 seed, size_t i)
{
	return (u8)(seed + i * 7 + (i >> 8));
}

__printf(2, 3) static void edu_result(struct edu_test *et, const char *fmt, ...)
{
	va_list args;
	size_t room = sizeof(et->result) - et->result_len;
	int n;

	va_start(args, fmt);
	n = vscnprintf(et->result + et->result_len, room, fmt, args);
	va_end(args);
	et->result_len += n;
}

/* Finish a "start-only" transfer a previous command left running. */
static void edu_reap_pending(struct edu_test *et)
{
	NDIS_STATUS cs;

	if (!et->has_pending)
		return;
	EduSetRepeat(et->adapter, 0);
	if (EduWaitTransfer(et->adapter, 5000, &cs) == NDIS_STATUS_SUCCESS &&
	    cs == NDIS_STATUS_SUCCESS)
		edu_buf_free(&et->pending);
	else
		edu_buf_park(et, &et->pending);
	et->has_pending = false;
}

struct edu_args {
	unsigned int off, len, mdl_off, repeat;
	unsigned int parts, skip;	/* SG commands: data MDLs, leading MDL bytes */
	enum edu_buf_kind kind;
	bool from_device;	/* start-only: direction */
	unsigned int count;	/* shm-forget: blocks */
	unsigned int short_by;	/* short-receive: bytes the device leaves out */
	unsigned int calls;	/* complete-flood: Completes */
	bool cached;		/* shm-roundtrip: Cached */
	enum edu_mdl_shape mdl;	/* roundtrip, sg-roundtrip: the MDLs' shape */
};

/*
 * Bounds of every number a command takes, checked before any command uses
 * it: offsets and lengths in edu's 4 KiB window (the controller checks the
 * window again; these are the test's), mdl_off within 64 KiB, and the
 * counts of the commands that take them. With these no sum the commands
 * make overflows and every buffer is a modest allocation.
 */
#define EDU_MAX_MDL_OFF	SZ_64K
#define EDU_MAX_REPEAT	10000	/* start-only: chained transfers, ~100 ms each */
#define EDU_SG_RING_MAX	64	/* sg-ring: lists each way */
#define EDU_MAX_COUNT	EDU_SG_RING_MAX	/* sg-ring lists, shm-forget blocks */
#define EDU_SG_MAX_PARTS 4	/* sg-roundtrip: data MDLs */
#define EDU_MAX_CALLS	10000	/* complete-flood: Completes */

/*
 * key=value words into @a. A refusal is written to the result: -EINVAL for
 * a malformed word, an unknown key or a value that is not a number (-1
 * included), -ERANGE for a number out of bounds (2^32 and above included).
 */
static int edu_parse_args(struct edu_test *et, char *s, struct edu_args *a)
{
	static const struct edu_test_num nums[] = {
		{ "off", offsetof(struct edu_args, off), 0, EDU_BUFFER_SIZE },
		{ "len", offsetof(struct edu_args, len), 1, EDU_BUFFER_SIZE },
		{ "mdl_off", offsetof(struct edu_args, mdl_off), 0, EDU_MAX_MDL_OFF },
		{ "repeat", offsetof(struct edu_args, repeat), 0, EDU_MAX_REPEAT },
		{ "count", offsetof(struct edu_args, count), 1, EDU_MAX_COUNT },
		{ "short", offsetof(struct edu_args, short_by), 0, EDU_BUFFER_SIZE },
		{ "parts", offsetof(struct edu_args, parts), 1, EDU_SG_MAX_PARTS },
		{ "skip", offsetof(struct edu_args, skip), 0, PAGE_SIZE },
		{ "calls", offsetof(struct edu_args, calls), 1, EDU_MAX_CALLS },
	};
	const struct edu_test_num *num;
	char *word;

	while ((word = strsep(&s, " \t\n")) != NULL) {
		char *val;
		int ret;

		if (!*word)
			continue;
		val = strchr(word, '=');
		if (!val) {
			edu_result(et, "fail bad argument %s: not key=value\n", word);
			return -EINVAL;
		}
		*val++ = '\0';
		if (!strcmp(word, "cached")) {
			ret = kstrtobool(val, &a->cached);
		} else if (!strcmp(word, "buf")) {
			ret = match_string(edu_buf_kind_names,
					   ARRAY_SIZE(edu_buf_kind_names), val);
			if (ret >= 0) {
				a->kind = ret;
				ret = 0;
			}
		} else if (!strcmp(word, "mdl")) {
			ret = match_string(edu_mdl_shape_names,
					   ARRAY_SIZE(edu_mdl_shape_names), val);
			if (ret >= 0) {
				a->mdl = ret;
				ret = 0;
			}
		} else if (!strcmp(word, "dir")) {
			ret = 0;
			if (!strcmp(val, "to"))
				a->from_device = false;
			else if (!strcmp(val, "from"))
				a->from_device = true;
			else
				ret = -EINVAL;
		} else {
			ret = edu_test_parse_num(nums, ARRAY_SIZE(nums), a, word, val, &num);
			if (ret == -ERANGE) {
				edu_result(et, "fail bad argument %s=%s: out of range %u..%u\n",
					   word, val, num->min, num->max);
				return ret;
			}
		}
		if (ret) {
			edu_result(et, "fail bad argument %s=%s: %s\n", word, val,
				   ret == -ENOENT ? "unknown key" : "invalid value");
			return -EINVAL;
		}
	}
	/* The window as a whole: off + len within edu's buffer. */
	if (a->len > EDU_BUFFER_SIZE - a->off) {
		edu_result(et, "fail bad arguments off=%u len=%u: beyond edu's %u-byte buffer\n",
			   a->off, a->len, EDU_BUFFER_SIZE);
		return -ERANGE;
	}
	return 0;
}

/* One transfer, start to DPC. Returns false (and parks @b) on a timeout. */
static bool edu_transfer(struct edu_test *et, struct edu_buf *b, struct edu_args *a,
			 bool to_device, bool hold_lock, NDIS_STATUS *setup,
			 NDIS_STATUS *complete)
{
	*complete = NDIS_STATUS_PENDING;
	*setup = EduStartTransfer(et->adapter, b->mdl, a->mdl_off, a->off, a->len,
				  to_device, hold_lock);
	if (*setup != NDIS_STATUS_SUCCESS)
		return true;
	if (EduWaitTransfer(et->adapter, 5000, complete) != NDIS_STATUS_SUCCESS) {
		edu_buf_park(et, b);
		return false;
	}
	return true;
}

/*
 * "roundtrip": host -> edu -> host through the adapter's channel, the DPC
 * completing each transfer; @hold_lock: Setup under an NDIS spin lock.
 * "roundtrip-24bit" (@bits24): the same data through a second channel
 * registered with 24-bit addresses (EduRoundtrip24Bit); its result also
 * names the Register status.
 */
static void edu_cmd_roundtrip(struct edu_test *et, struct edu_args *a, bool hold_lock,
			      bool bits24)
{
	struct edu_buf src, dst;
	size_t size = a->mdl_off + a->len, i;
	NDIS_STATUS reg = 0, s1 = 0, c1 = 0, s2 = 0, c2 = 0;
	EDU_24BIT_RESULT r24;
	u64 highest = 0;
	u8 seed = et->seed++ ^ get_random_u8();
	const char *what = "";
	int ret;

	ret = edu_buf_alloc(et, &src, a->kind, size);
	if (ret == -ENOENT) {
		edu_result(et, "skip no page at or above 256 MiB\n");
		return;
	}
	if (ret) {
		edu_result(et, "fail allocating %s buffer: %d\n", edu_buf_kind_names[a->kind], ret);
		return;
	}
	ret = edu_buf_alloc(et, &dst, a->kind, size);
	if (ret) {
		edu_buf_free(&src);
		if (ret == -ENOENT)
			edu_result(et, "skip no page at or above 256 MiB\n");
		else
			edu_result(et, "fail allocating %s buffer: %d\n",
				   edu_buf_kind_names[a->kind], ret);
		return;
	}
	for (i = 0; i < a->len; i++)
		((u8 *)src.va)[a->mdl_off + i] = edu_pattern(seed, i);
	EduTestShapeMdl(src.mdl, a->mdl);
	EduTestShapeMdl(dst.mdl, a->mdl);

	if (bits24) {
		/* No transfer runs: the previous command reaped its own. */
		WRITE_ONCE(et->adapter->HighestBusAddress, 0);
		EduRoundtrip24Bit(et->adapter, src.mdl, dst.mdl, a->mdl_off, a->off,
				  a->len, &r24);
		highest = READ_ONCE(et->adapter->HighestBusAddress);
		reg = r24.Register;
		s1 = r24.Setup[0];
		c1 = r24.Complete[0];
		s2 = r24.Setup[1];
		c2 = r24.Complete[1];
		if (!r24.Finished) {
			edu_buf_park(et, &src);
			edu_buf_park(et, &dst);
			what = "24-bit transfer timed out";
		} else if (reg) {
			what = "24-bit register";
		} else if (s1 || c1) {
			what = "24-bit host-to-device";
		} else if (s2 || c2) {
			what = "24-bit device-to-host";
		}
	} else if (!edu_transfer(et, &src, a, true, hold_lock, &s1, &c1)) {
		what = "host-to-device timed out";
	} else if (s1 || c1) {
		what = "host-to-device";
	} else if (!edu_transfer(et, &dst, a, false, hold_lock, &s2, &c2)) {
		what = "device-to-host timed out";
	} else if (s2 || c2) {
		what = "device-to-host";
	}
	if (*what)
		goto report;
	for (i = 0; i < size; i++) {
		u8 want = i < a->mdl_off ? 0 : edu_pattern(seed, i - a->mdl_off);
		u8 got = ((u8 *)dst.va)[i];

		if (got != want) {
			edu_result(et, "fail data mismatch at MDL offset %zu (transfer byte %zd): got 0x%02x want 0x%02x setup=0x%08x complete=0x%08x len=%u\n",
				   i, (ssize_t)i - a->mdl_off, got, want, (u32)s2, (u32)c2, a->len);
			goto out;
		}
	}
	/* Nothing written beyond the MDL's data either (kmalloc slack). */
	if (a->kind == EDU_BUF_KMALLOC) {
		size_t alloc = roundup_pow_of_two(max_t(size_t, size, 64));

		for (i = size; i < alloc; i++) {
			if (((u8 *)dst.va)[i]) {
				edu_result(et, "fail byte %zu past the MDL was written\n", i);
				goto out;
			}
		}
	}
	if (bits24)
		edu_result(et, "ok register=0x%08x setup=0x%08x/0x%08x complete=0x%08x/0x%08x verified=1 highest_bus_address=0x%llx len=%u\n",
			   (u32)reg, (u32)s1, (u32)s2, (u32)c1, (u32)c2, highest, a->len);
	else
		edu_result(et, "ok setup=0x%08x complete=0x%08x verified=1 len=%u\n",
			   (u32)s2, (u32)c2, a->len);
	goto out;
report:
	edu_result(et, "fail %s: register=0x%08x setup=0x%08x/0x%08x complete=0x%08x/0x%08x len=%u\n",
		   what, (u32)reg, (u32)s1, (u32)s2, (u32)c1, (u32)c2, a->len);
out:
	if (src.va)
		edu_buf_free(&src);
	if (dst.va)
		edu_buf_free(&dst);
}

static void edu_cmd_counter(struct edu_test *et, struct edu_args *a)
{
	struct edu_buf b;
	NDIS_STATUS s, c = 0;
	ULONG busy, idle;

	if (edu_buf_alloc(et, &b, a->kind, a->mdl_off + a->len)) {
		edu_result(et, "fail allocation\n");
		return;
	}
	s = EduStartTransfer(et->adapter, b.mdl, a->mdl_off, a->off, a->len, TRUE, FALSE);
	if (s != NDIS_STATUS_SUCCESS) {
		edu_result(et, "fail setup=0x%08x\n", (u32)s);
		edu_buf_free(&b);
		return;
	}
	busy = EduReadCounter(et->adapter);
	if (EduWaitTransfer(et->adapter, 5000, &c) != NDIS_STATUS_SUCCESS) {
		edu_result(et, "fail transfer timed out (complete=0x%08x)\n", (u32)c);
		edu_buf_park(et, &b);
		return;
	}
	idle = EduReadCounter(et->adapter);
	edu_result(et, "counter busy=%u idle=%u len=%u complete=0x%08x\n",
		   busy, idle, a->len, (u32)c);
	edu_buf_free(&b);
}

/*
 * A subordinate-DMA receive of a frame shorter than the buffer: the device
 * moves len - short bytes (the glue's test hook), the DPC completes the
 * transfer, and the miniport learns the frame's end from the counter
 * after Complete: EndOfData = Offset + Length - NdisMReadDmaCounter.
 */
static void edu_cmd_short_receive(struct edu_test *et, struct edu_args *a)
{
	struct edu_buf src, dst;
	NDIS_STATUS s1, c1, s2, c2;
	size_t size = a->mdl_off + a->len, i;
	u8 seed = et->seed++ ^ get_random_u8();
	ULONG counter, end;
	bool ok;

	if (a->short_by >= a->len) {
		edu_result(et, "fail short=%u must be below len=%u\n", a->short_by, a->len);
		return;
	}
	if (edu_buf_alloc(et, &src, a->kind, size)) {
		edu_result(et, "fail allocation\n");
		return;
	}
	if (edu_buf_alloc(et, &dst, a->kind, size)) {
		edu_buf_free(&src);
		edu_result(et, "fail allocation\n");
		return;
	}
	for (i = 0; i < a->len; i++)
		((u8 *)src.va)[a->mdl_off + i] = edu_pattern(seed, i);
	memset(dst.va, 0xee, size);
	/* The "frame" into edu's buffer, whole. */
	if (!edu_transfer(et, &src, a, true, false, &s1, &c1)) {
		edu_result(et, "fail host-to-device timed out\n");
		goto out_dst;
	}
	if (s1 || c1) {
		edu_result(et, "fail host-to-device setup=0x%08x complete=0x%08x\n",
			   (u32)s1, (u32)c1);
		goto out;
	}
	et->adapter->ShortBy = a->short_by;
	ok = edu_transfer(et, &dst, a, false, false, &s2, &c2);
	/* Start consumes the hook; a refused Setup must not leave it set. */
	et->adapter->ShortBy = 0;
	if (!ok) {
		edu_result(et, "fail device-to-host timed out\n");
		edu_buf_free(&src);
		return;
	}
	if (s2 || c2) {
		edu_result(et, "fail device-to-host setup=0x%08x complete=0x%08x\n",
			   (u32)s2, (u32)c2);
		goto out;
	}
	counter = EduReadCounter(et->adapter);
	end = a->mdl_off + a->len - min_t(ULONG, counter, a->len);
	for (i = a->mdl_off; i < end; i++) {
		if (((u8 *)dst.va)[i] != edu_pattern(seed, i - a->mdl_off)) {
			edu_result(et, "fail data mismatch at MDL offset %zu: counter=%u end=%u setup=0x%08x complete=0x%08x\n",
				   i, counter, end, (u32)s2, (u32)c2);
			goto out;
		}
	}
	edu_result(et, "short-receive counter=%u end=%u verified=1 setup=0x%08x complete=0x%08x\n",
		   counter, end, (u32)s2, (u32)c2);
out:
	edu_buf_free(&src);
out_dst:
	if (dst.va)
		edu_buf_free(&dst);
}

/*
 * A device-to-host transfer completed while edu still runs: RESOURCES
 * ("released but the data transfer might be incoherent"), and the buffer
 * is the miniport's again. It refills it; the next Setup (host to device,
 * another buffer) lets the first mapping go, which must copy nothing over
 * the refill (a swiotlb unmap that synced would copy its slot back).
 */
static void edu_cmd_busy_receive(struct edu_test *et, struct edu_args *a)
{
	size_t size = a->mdl_off + a->len, i, bad = 0;
	NDIS_STATUS s, c, next, nc = NDIS_STATUS_PENDING;
	u8 seed = get_random_u8() | 1;
	struct edu_buf b, other;
	bool idle = false;

	if (a->kind != EDU_BUF_KMALLOC && a->kind != EDU_BUF_VMALLOC) {
		edu_result(et, "fail busy-receive takes buf=kmalloc or vmalloc\n");
		return;
	}
	if (edu_buf_alloc(et, &b, a->kind, size)) {
		edu_result(et, "fail allocation\n");
		return;
	}
	if (edu_buf_alloc(et, &other, EDU_BUF_KMALLOC, 64)) {
		edu_result(et, "fail allocation\n");
		edu_buf_free(&b);
		return;
	}
	memset(b.va, 0x5a, size);
	s = EduStartTransfer(et->adapter, b.mdl, a->mdl_off, a->off, a->len, FALSE, FALSE);
	if (s != NDIS_STATUS_SUCCESS) {
		edu_result(et, "fail setup=0x%08x\n", (u32)s);
		goto out;
	}
	/* ~100 ms early: the engine is still running; the shim must fence. */
	c = EduCompleteNow(et->adapter);
	msleep(250);
	for (i = 0; i < size; i++)
		((u8 *)b.va)[i] = edu_pattern(seed, i);
	next = EduStartTransfer(et->adapter, other.mdl, 0, 0, 64, TRUE, FALSE);
	if (next == NDIS_STATUS_SUCCESS)
		idle = EduWaitTransfer(et->adapter, 5000, &nc) == NDIS_STATUS_SUCCESS &&
		       nc == NDIS_STATUS_SUCCESS;
	for (i = 0; i < size; i++)
		bad += ((u8 *)b.va)[i] != edu_pattern(seed, i);
	edu_result(et, "busy-receive complete=0x%08x next_setup=0x%08x next_complete=0x%08x kept=%d changed=%zu\n",
		   (u32)c, (u32)next, (u32)nc, !bad, bad);
out:
	/* Only a clean transfer after it proves the shim let go of the first. */
	if (idle || s != NDIS_STATUS_SUCCESS) {
		edu_buf_free(&b);
		edu_buf_free(&other);
	} else {
		edu_buf_park(et, &b);
		edu_buf_park(et, &other);
	}
}

static void edu_cmd_busy_complete(struct edu_test *et, struct edu_args *a)
{
	struct edu_buf b;
	NDIS_STATUS s, c, next, nc = NDIS_STATUS_PENDING;
	bool idle = false;

	if (edu_buf_alloc(et, &b, a->kind, a->mdl_off + a->len)) {
		edu_result(et, "fail allocation\n");
		return;
	}
	s = EduStartTransfer(et->adapter, b.mdl, a->mdl_off, a->off, a->len, TRUE, FALSE);
	if (s != NDIS_STATUS_SUCCESS) {
		edu_result(et, "fail setup=0x%08x\n", (u32)s);
		edu_buf_free(&b);
		return;
	}
	/* ~100 ms early: the engine is still running; the shim must fence. */
	c = EduCompleteNow(et->adapter);
	msleep(250);
	next = EduStartTransfer(et->adapter, b.mdl, a->mdl_off, a->off, a->len, TRUE, FALSE);
	if (next == NDIS_STATUS_SUCCESS)
		idle = EduWaitTransfer(et->adapter, 5000, &nc) == NDIS_STATUS_SUCCESS &&
		       nc == NDIS_STATUS_SUCCESS;
	edu_result(et, "busy-complete complete=0x%08x next_setup=0x%08x next_complete=0x%08x\n",
		   (u32)c, (u32)next, (u32)nc);
	/* Only a clean transfer after it proves the shim let go of the first. */
	if (idle)
		edu_buf_free(&b);
	else
		edu_buf_park(et, &b);
}

static void edu_cmd_start_only(struct edu_test *et, struct edu_args *a)
{
	NDIS_STATUS s;

	if (edu_buf_alloc(et, &et->pending, a->kind, a->mdl_off + a->len)) {
		edu_result(et, "fail allocation\n");
		return;
	}
	memset((u8 *)et->pending.va + a->mdl_off, 0x5a, a->len);
	/* repeat=N: the DPC chains N more, so a transfer is (nearly) always running. */
	EduSetRepeat(et->adapter, a->repeat);
	s = EduStartTransfer(et->adapter, et->pending.mdl, a->mdl_off, a->off, a->len,
			     !a->from_device, FALSE);
	if (s != NDIS_STATUS_SUCCESS) {
		EduSetRepeat(et->adapter, 0);
		edu_buf_free(&et->pending);
		edu_result(et, "fail setup=0x%08x\n", (u32)s);
		return;
	}
	et->has_pending = true;
	edu_result(et, "start-only setup=0x%08x\n", (u32)s);
}

/* "adjacent-prep": put a known pattern at edu offset @off. */
static void edu_cmd_adjacent_prep(struct edu_test *et, struct edu_args *a)
{
	struct edu_args h2d = *a;
	struct edu_buf src;
	NDIS_STATUS s, c;
	size_t i;

	if (edu_buf_alloc(et, &src, EDU_BUF_KMALLOC, a->len)) {
		edu_result(et, "fail allocation\n");
		return;
	}
	/* The device side first: a known pattern at edu offset @off. */
	et->adj_seed = et->seed++ ^ get_random_u8();
	for (i = 0; i < a->len; i++)
		((u8 *)src.va)[i] = edu_pattern(et->adj_seed, i);
	h2d.mdl_off = 0;
	if (!edu_transfer(et, &src, &h2d, true, false, &s, &c)) {
		edu_result(et, "fail host-to-device timed out\n");
		return;
	}
	edu_buf_free(&src);
	if (s || c)
		edu_result(et, "fail host-to-device setup=0x%08x complete=0x%08x\n", (u32)s, (u32)c);
	else
		edu_result(et, "adjacent-prep ok\n");
}

/*
 * "adjacent-start": start (only) the device-to-host transfer of the prepared
 * pattern into [mdl_off, mdl_off + len) of the shared buffer.
 */
static void edu_cmd_adjacent_start(struct edu_test *et, struct edu_args *a)
{
	NDIS_STATUS s;
	u8 *shared;

	if (et->adj_mdl || a->mdl_off + a->len > EDU_SHARED_SIZE) {
		edu_result(et, "fail adjacent transfer pending or out of range\n");
		return;
	}
	mutex_lock(&edu_root_lock);
	if (!edu_shared)
		edu_shared = kzalloc(EDU_SHARED_SIZE, GFP_KERNEL);
	shared = edu_shared;
	mutex_unlock(&edu_root_lock);
	if (!shared) {
		edu_result(et, "fail allocation\n");
		return;
	}
	memset(shared + a->mdl_off, 0, a->len);
	et->adj_mdl = NdisAllocateMdl(et->adapter->MiniportAdapterHandle, shared,
				      a->mdl_off + a->len);
	if (!et->adj_mdl) {
		edu_result(et, "fail allocation\n");
		return;
	}
	s = EduStartTransfer(et->adapter, et->adj_mdl, a->mdl_off, a->off, a->len, FALSE, FALSE);
	if (s != NDIS_STATUS_SUCCESS) {
		NdisFreeMdl(et->adj_mdl);
		et->adj_mdl = NULL;
		edu_result(et, "fail setup=0x%08x\n", (u32)s);
		return;
	}
	et->adj_off = a->mdl_off;
	et->adj_len = a->len;
	edu_result(et, "adjacent-start setup=0x%08x\n", (u32)s);
}

static void edu_cmd_adjacent_finish(struct edu_test *et)
{
	NDIS_STATUS c;
	size_t i;

	if (!et->adj_mdl) {
		edu_result(et, "fail no adjacent transfer\n");
		return;
	}
	if (EduWaitTransfer(et->adapter, 5000, &c) != NDIS_STATUS_SUCCESS) {
		/* Still reachable by the engine: the MDL stays until halt. */
		edu_result(et, "fail device-to-host timed out\n");
		return;
	}
	for (i = 0; i < et->adj_len; i++) {
		u8 got = edu_shared[et->adj_off + i];

		if (got != edu_pattern(et->adj_seed, i)) {
			edu_result(et, "fail data mismatch at byte %zu: got 0x%02x\n", i, got);
			break;
		}
	}
	if (i == et->adj_len)
		edu_result(et, "ok adjacent complete=0x%08x verified=1 off=%u len=%u\n",
			   (u32)c, et->adj_off, et->adj_len);
	NdisFreeMdl(et->adj_mdl);
	et->adj_mdl = NULL;
}


/*
 * "shm-roundtrip off=O len=L mdl_off=R [cached=1]": a descriptor and L
 * payload bytes in shared memory, through edu's buffer at O, back into a
 * second block at offset R (mdl_off).
 */
static void edu_cmd_shm_roundtrip(struct edu_test *et, struct edu_args *a, bool cached)
{
	EDU_SHARED_RESULT r;
	u64 mask = dma_get_mask(&et->pdev->dev);
	ULONG copy = sizeof(EDU_DESCRIPTOR) + a->len;
	bool reach, aligned;

	if (a->off + copy > EDU_BUFFER_SIZE) {
		edu_result(et, "fail descriptor and payload exceed edu's buffer\n");
		return;
	}
	EduSharedMemoryRoundtrip(et->adapter, a->off, a->len, a->mdl_off, cached, &r);
	reach = (u64)r.TxAddress.QuadPart + copy - 1 <= mask &&
		(u64)r.RxAddress.QuadPart + a->mdl_off + copy - 1 <= mask;
	aligned = IS_ALIGNED((unsigned long)r.TxVa, dma_get_cache_alignment()) &&
		  IS_ALIGNED((unsigned long)r.RxVa, dma_get_cache_alignment());
	edu_result(et, "%s shm-roundtrip status=0x%08x what=%s mismatch=%d verified=%d in_reach=%d aligned=%d len=%u off=%u rx_off=%u tx_dev=%#llx rx_dev=%#llx\n",
		   r.Status == NDIS_STATUS_SUCCESS && reach && aligned ? "ok" : "fail",
		   (u32)r.Status, r.What ? r.What : "?", (int)r.Mismatch,
		   r.Status == NDIS_STATUS_SUCCESS, reach, aligned, a->len, a->off,
		   a->mdl_off, (u64)r.TxAddress.QuadPart, (u64)r.RxAddress.QuadPart);
}

/*
 * "complete-flood calls=N": a miniport misusing a call in a loop, N
 * NdisMCompleteDmaTransfer with nothing in progress. Each is SUCCESS and
 * counted as rejected; the log lines are rate-limited (21-edu-c-misuse).
 */
static void edu_cmd_complete_flood(struct edu_test *et, struct edu_args *a)
{
	struct edu_buf b;
	NDIS_STATUS s;
	unsigned int i, success = 0;

	if (edu_buf_alloc(et, &b, EDU_BUF_KMALLOC, 64)) {
		edu_result(et, "fail allocation\n");
		return;
	}
	for (i = 0; i < a->calls; i++) {
		NdisMCompleteDmaTransfer(&s, et->adapter->DmaHandle, b.mdl, 0, 64, TRUE);
		success += s == NDIS_STATUS_SUCCESS;
	}
	edu_result(et, "complete-flood calls=%u success=%u\n", a->calls, success);
	edu_buf_free(&b);
}

static void edu_cmd_rows(struct edu_test *et, const char *prefix,
			 ULONG (*run)(PEDU_ADAPTER, PEDU_MISUSE_ROW))
{
	EDU_MISUSE_ROW *rows;
	ULONG i, n;

	rows = kcalloc(EDU_MISUSE_MAX_ROWS, sizeof(*rows), GFP_KERNEL);
	if (!rows) {
		edu_result(et, "fail allocation\n");
		return;
	}
	n = run(et->adapter, rows);
	for (i = 0; i < n; i++)
		edu_result(et, "%s %s=0x%08x\n", prefix, rows[i].Name, (u32)rows[i].Status);
	kfree(rows);
}

/* ------------------------------------------------------------------------
 * Scatter-gather commands (sg.c): NET_BUFFERs built as a protocol driver
 * would hand them down, each MDL straddling a page boundary of its own
 * two-page buffer (vmalloc pages are not contiguous).
 * ------------------------------------------------------------------------ */

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

static void edu_sg_nb_park(struct edu_test *et, struct edu_sg_nb *s)
{
	unsigned int i;

	for (i = 0; i < s->n; i++)
		edu_buf_park(et, &s->bufs[i]);
	s->n = 0;
}

/*
 * a->len data bytes in a->parts MDLs (kind a->kind), after a leading MDL of
 * a->skip bytes and a->mdl_off bytes of the first data MDL: DataOffset is
 * a->skip + a->mdl_off. Parts are 64-byte multiples but the last.
 */
static int edu_sg_nb_build(struct edu_test *et, struct edu_sg_nb *s, struct edu_args *a)
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
		ret = edu_buf_alloc(et, b, kind, EDU_SG_BUF_SIZE);
		if (ret)
			goto fail;
		s->n++;
		NdisFreeMdl(b->mdl);
		/* Across the page boundary in the middle, 64-byte aligned. */
		start = (u8 *)b->va + PAGE_SIZE - round_down(size / 2, 64);
		b->mdl = NdisAllocateMdl(et->adapter->MiniportAdapterHandle, start, size);
		if (!b->mdl) {
			ret = -ENOMEM;
			goto fail;
		}
		EduTestShapeMdl(b->mdl, a->mdl);
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
static bool edu_sg_nb_data(struct edu_test *et, struct edu_sg_nb *s, u8 seed, bool check)
{
	size_t k = 0, i, j;

	for (i = 0; i < s->n; i++) {
		u8 *va = s->bufs[i].va;

		for (j = 0; j < s->dlen[i]; j++, k++) {
			if (!check)
				s->data[i][j] = edu_pattern(seed, k);
			else if (s->data[i][j] != edu_pattern(seed, k)) {
				edu_result(et, "fail data mismatch at data byte %zu: got 0x%02x want 0x%02x\n",
					   k, s->data[i][j], edu_pattern(seed, k));
				return false;
			}
		}
		for (j = 0; check && j < EDU_SG_BUF_SIZE; j++) {
			if (va + j >= s->data[i] && va + j < s->data[i] + s->dlen[i])
				continue;
			if (va[j]) {
				edu_result(et, "fail byte %zu of buffer %zu outside the data was written\n",
					   j, i);
				return false;
			}
		}
	}
	return true;
}

/*
 * NdisQueryNetBufferPhysicalCount as its page describes it, counted here
 * from the buffers the test built: for each MDL holding data, the pages
 * from the MDL's start to the data's end in it.
 */
static ULONG edu_sg_nb_physical_count(struct edu_sg_nb *s)
{
	ULONG n = 0;
	unsigned int i;

	for (i = 0; i < s->n; i++) {
		/* The system address: StartVa may be another context's. */
		u8 *va = MmGetSystemAddressForMdlSafe(s->bufs[i].mdl, NormalPagePriority);

		if (s->dlen[i])
			n += DIV_ROUND_UP(offset_in_page(va) + (s->data[i] + s->dlen[i] - va),
					  PAGE_SIZE);
	}
	return n;
}

/*
 * The arguments edu_sg_nb_build() takes: its MDLs sit across the middle of
 * a two-page buffer, which holds 1024 bytes before the data at most.
 */
static bool edu_sg_args_ok(struct edu_test *et, struct edu_args *a)
{
	if (a->parts > EDU_SG_MAX_PARTS || a->skip > PAGE_SIZE || a->mdl_off > 1024 ||
	    a->off) {
		edu_result(et, "fail bad arguments\n");
		return false;
	}
	return true;
}

static void edu_cmd_sg_roundtrip(struct edu_test *et, struct edu_args *a)
{
	u8 seed = et->seed++ ^ get_random_u8();
	struct edu_sg_nb *src, *dst;
	NDIS_STATUS s1, s2 = NDIS_STATUS_PENDING;
	ULONG e1 = 0, e2 = 0, pc, want_pc;
	BOOLEAN own1 = FALSE, own2 = FALSE, d1 = FALSE, d2 = FALSE;
	int ret;

	if (!edu_sg_args_ok(et, a))
		return;
	src = kzalloc(sizeof(*src), GFP_KERNEL);
	dst = kzalloc(sizeof(*dst), GFP_KERNEL);
	if (!src || !dst) {
		edu_result(et, "fail allocation\n");
		goto out;
	}
	ret = edu_sg_nb_build(et, src, a);
	if (!ret) {
		ret = edu_sg_nb_build(et, dst, a);
		if (ret)
			edu_sg_nb_free(src);
	}
	if (ret == -ENOENT) {
		edu_result(et, "skip no page at or above 256 MiB\n");
		goto out;
	}
	if (ret) {
		edu_result(et, "fail building NET_BUFFERs: %d\n", ret);
		goto out;
	}
	edu_sg_nb_data(et, src, seed, false);
	pc = NdisQueryNetBufferPhysicalCount(&src->nb);
	want_pc = edu_sg_nb_physical_count(src);

	/*
	 * A system-DMA test may have fenced the engine; it is idle now. sg.c
	 * does not ask the glue before programming the engine: lift the
	 * fence here (the result is sg.c's to find out).
	 */
	NdisAcquireSpinLock(&et->adapter->Lock);
	EduPlatformEngineReady(et->adapter);
	NdisReleaseSpinLock(&et->adapter->Lock);
	s1 = EduSgTransfer(et->adapter, &src->nb, TRUE, &e1, &own1, &d1);
	if (s1 == NDIS_STATUS_SUCCESS)
		s2 = EduSgTransfer(et->adapter, &dst->nb, FALSE, &e2, &own2, &d2);
	if (s1 == NDIS_STATUS_REQUEST_ABORTED || s2 == NDIS_STATUS_REQUEST_ABORTED) {
		edu_result(et, "fail engine timed out: 0x%08x/0x%08x\n", (u32)s1, (u32)s2);
		edu_sg_nb_park(et, src);
		edu_sg_nb_park(et, dst);
		goto out;
	}
	if (s1 || s2)
		edu_result(et, "fail host-to-device=0x%08x device-to-host=0x%08x len=%u\n",
			   (u32)s1, (u32)s2, a->len);
	else if (!d1 || !d2)
		edu_result(et, "fail ProcessSGList not at DISPATCH_LEVEL: %u/%u\n", d1, d2);
	else if (pc != want_pc)
		edu_result(et, "fail NdisQueryNetBufferPhysicalCount=%u want %u\n", pc, want_pc);
	else if (edu_sg_nb_data(et, dst, seed, true))
		edu_result(et, "ok sg to_elements=%u from_elements=%u own_list=%u/%u dispatch=1 physical_count=%u verified=1 len=%u\n",
			   e1, e2, own1, own2, pc, a->len);
	edu_sg_nb_free(src);
	edu_sg_nb_free(dst);
out:
	kfree(src);
	kfree(dst);
}

/*
 * sg-ring: 2 * count NET_BUFFERs of one MDL each, len data bytes at mdl_off
 * into it (CurrentMdlOffset), in ZONE_DMA memory edu reaches. The
 * destinations' MDLs start off bytes into their buffers: off=8 makes every
 * device-to-host list share a cache line, so all of them are bounced at
 * once. EduSgTransferRing holds every list of the ring at once.
 */
#define EDU_SG_RING_BUF 512

static void edu_cmd_sg_ring(struct edu_test *et, struct edu_args *a)
{
	u8 seed = et->seed++ ^ get_random_u8();
	unsigned int n = a->count, stride, i, j;
	PNET_BUFFER *src = NULL, *dst = NULL;
	ULONG outstanding = 0, at_dispatch = 0;
	NET_BUFFER *nbs = NULL;
	u8 **bufs = NULL;
	NDIS_STATUS status;
	bool ok = true;

	if (!n || n > EDU_SG_RING_MAX || a->off > 64 ||
	    a->off + a->mdl_off + a->len > EDU_SG_RING_BUF) {
		edu_result(et, "fail bad arguments\n");
		return;
	}
	stride = EDU_BUFFER_SIZE / n;
	if (a->len > stride) {
		edu_result(et, "fail len=%u over the stride %u\n", a->len, stride);
		return;
	}
	nbs = kcalloc(2 * n, sizeof(*nbs), GFP_KERNEL);
	bufs = kcalloc(2 * n, sizeof(*bufs), GFP_KERNEL);
	src = kcalloc(n, sizeof(*src), GFP_KERNEL);
	dst = kcalloc(n, sizeof(*dst), GFP_KERNEL);
	if (!nbs || !bufs || !src || !dst) {
		edu_result(et, "fail allocation\n");
		goto out;
	}
	for (i = 0; i < 2 * n; i++) {
		unsigned int start = i < n ? 0 : a->off;
		PMDL mdl;

		bufs[i] = kzalloc(EDU_SG_RING_BUF, GFP_KERNEL | GFP_DMA);
		mdl = bufs[i] ? NdisAllocateMdl(et->adapter->MiniportAdapterHandle,
						bufs[i] + start, a->mdl_off + a->len) : NULL;
		if (!mdl) {
			edu_result(et, "fail allocation\n");
			goto out;
		}
		NET_BUFFER_FIRST_MDL(&nbs[i]) = mdl;
		NET_BUFFER_CURRENT_MDL(&nbs[i]) = mdl;
		NET_BUFFER_CURRENT_MDL_OFFSET(&nbs[i]) = a->mdl_off;
		NET_BUFFER_DATA_OFFSET(&nbs[i]) = a->mdl_off;
		NET_BUFFER_DATA_LENGTH(&nbs[i]) = a->len;
		if (i < n) {
			src[i] = &nbs[i];
			for (j = 0; j < a->len; j++)
				bufs[i][a->mdl_off + j] = edu_pattern(seed + i, j);
		} else {
			dst[i - n] = &nbs[i];
		}
	}

	NdisAcquireSpinLock(&et->adapter->Lock);
	EduPlatformEngineReady(et->adapter);
	NdisReleaseSpinLock(&et->adapter->Lock);
	status = EduSgTransferRing(et->adapter, src, dst, n, stride, &outstanding, &at_dispatch);
	if (status == NDIS_STATUS_REQUEST_ABORTED) {
		edu_result(et, "fail engine timed out\n");
		/* The lists stay mapped until halt: so do their buffers. */
		for (i = 0; i < 2 * n; i++)
			bufs[i] = NULL;
		goto out;
	}
	/* Each destination holds its source's data and nothing else changed. */
	for (i = 0; ok && status == NDIS_STATUS_SUCCESS && i < n; i++) {
		u8 *b = bufs[n + i];

		for (j = 0; j < EDU_SG_RING_BUF; j++) {
			unsigned int at = j - a->off - a->mdl_off;
			u8 want = j >= a->off + a->mdl_off && at < a->len ?
				  edu_pattern(seed + i, at) : 0;

			if (b[j] != want) {
				edu_result(et, "fail list %u byte %u: got 0x%02x want 0x%02x\n",
					   i, j, b[j], want);
				ok = false;
				break;
			}
		}
	}
	if (status != NDIS_STATUS_SUCCESS)
		edu_result(et, "fail status=0x%08x outstanding=%u\n", (u32)status, outstanding);
	else if (ok)
		edu_result(et, "%s sg-ring outstanding=%u dispatch=%u verified=1 count=%u len=%u\n",
			   outstanding == 2 * n && at_dispatch == 2 * n ? "ok" : "fail",
			   outstanding, at_dispatch, n, a->len);
out:
	for (i = 0; nbs && bufs && i < 2 * n; i++) {
		if (NET_BUFFER_FIRST_MDL(&nbs[i]))
			NdisFreeMdl(NET_BUFFER_FIRST_MDL(&nbs[i]));
		kfree(bufs[i]);
	}
	kfree(nbs);
	kfree(bufs);
	kfree(src);
	kfree(dst);
}

/*
 * "sg-abandon-receive": a device-to-host list of a NET_BUFFER (built as
 * sg-roundtrip builds it) that the miniport never frees. It refills the
 * buffer, as a driver giving up on a receive would, and deregisters; the
 * shim's NdisMDeregisterScatterGatherDma releases the list and must copy
 * nothing over the refill (under swiotlb an unmap that synced would copy
 * the list's slots back). Registers again after.
 */
static void edu_cmd_sg_abandon_receive(struct edu_test *et, struct edu_args *a)
{
	EDU_SG_REQUEST request = { NULL, 0, 0 };
	u8 seed = et->seed++ ^ get_random_u8();
	size_t i, j, k = 0, bad = 0;
	NDIS_STATUS alloc, reg;
	struct edu_sg_nb *s;
	ULONG elements;
	int ret;

	if (!edu_sg_args_ok(et, a))
		return;
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s) {
		edu_result(et, "fail allocation\n");
		return;
	}
	ret = edu_sg_nb_build(et, s, a);
	if (ret) {
		if (ret == -ENOENT)
			edu_result(et, "skip no page at or above 256 MiB\n");
		else
			edu_result(et, "fail building the NET_BUFFER: %d\n", ret);
		kfree(s);
		return;
	}
	for (i = 0; i < s->n; i++)
		memset(s->data[i], 0x5a, s->dlen[i]);
	alloc = NdisMAllocateNetBufferSGList(et->adapter->SgDmaHandle, &s->nb, &request, 0,
					     NULL, 0);
	/* NDIS's memory: the list is gone with the registration. */
	elements = request.List ? request.List->NumberOfElements : 0;
	edu_sg_nb_data(et, s, seed, false);
	EduSgDeregister(et->adapter);
	for (i = 0; i < s->n; i++)
		for (j = 0; j < s->dlen[i]; j++, k++)
			bad += s->data[i][j] != edu_pattern(seed, k);
	reg = EduSgRegister(et->adapter);
	edu_result(et, "sg-abandon-receive alloc=0x%08x calls=%u elements=%u kept=%d changed=%zu register=0x%08x\n",
		   (u32)alloc, request.Calls, elements, !bad, bad, (u32)reg);
	edu_sg_nb_free(s);
	kfree(s);
}

/*
 * "sg-reregister": NdisMRegisterScatterGatherDma again, as
 * MiniportInitializeEx calls it, after NdisMDeregisterScatterGatherDma: a
 * registration the fault-injection test can fail in turn on a live
 * adapter. Refused, the adapter has no SG DMA until one succeeds.
 */
static void edu_cmd_sg_reregister(struct edu_test *et)
{
	NDIS_STATUS s;

	EduSgDeregister(et->adapter);
	s = EduSgRegister(et->adapter);
	edu_result(et, "%s sg-register status=0x%08x\n",
		   s == NDIS_STATUS_SUCCESS ? "ok" : "fail", (u32)s);
}

/*
 * "shm-async len=N": one NdisMAllocateSharedMemoryAsyncEx of N bytes on the
 * SG DMA handle, waited for (5 s); its status and what the completion
 * handler got, then the block is freed.
 */
static void edu_cmd_shm_async(struct edu_test *et, struct edu_args *a)
{
	PEDU_ADAPTER ad = et->adapter;
	struct _EDU_ASYNC_BLOCK *b = &ad->AsyncBlocks[0];
	struct _EDU_ASYNC_BLOCK got = { };
	unsigned int waited;
	NDIS_STATUS s;

	NdisAcquireSpinLock(&ad->Lock);
	NdisZeroMemory(b, sizeof(*b));
	NdisReleaseSpinLock(&ad->Lock);
	s = NdisMAllocateSharedMemoryAsyncEx(ad->SgDmaHandle, a->len, FALSE, b);
	for (waited = 0; s == NDIS_STATUS_PENDING && waited < 5000; waited++) {
		NdisAcquireSpinLock(&ad->Lock);
		got = *b;
		NdisReleaseSpinLock(&ad->Lock);
		if (got.Completed)
			break;
		msleep(1);
	}
	if (s == NDIS_STATUS_PENDING && !got.Completed) {
		/* The handler may still write the block: it is the adapter's. */
		edu_result(et, "fail completion not delivered\n");
		return;
	}
	edu_result(et, "%s shm-async status=0x%08x completed=%d va_null=%d pa_null=%d len=%u\n",
		   s == NDIS_STATUS_PENDING && got.VirtualAddress && !got.PhysicalAddressNull &&
		   got.Length == a->len ? "ok" : "fail", (u32)s, got.Completed,
		   !got.VirtualAddress, got.PhysicalAddressNull, got.Length);
	if (got.VirtualAddress)
		NdisMFreeSharedMemory(ad->MiniportAdapterHandle, got.Length, FALSE,
				      got.VirtualAddress, got.PhysicalAddress);
}

static ssize_t edu_cmd_write(struct file *file, const char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	struct edu_test *et = file->private_data;
	struct edu_args a = { .len = 64, .kind = EDU_BUF_KMALLOC };
	char buf[256], *s, *verb;
	int ret = 0;

	mutex_lock(&et->lock);
	et->result_len = 0;
	et->result[0] = '\0';
	ret = edu_test_read_cmd(buf, sizeof(buf), ubuf, count);
	if (ret == -E2BIG)
		edu_result(et, "fail command longer than %zu bytes\n", sizeof(buf) - 1);
	if (ret)
		goto out;
	s = strim(buf);
	verb = strsep(&s, " \t");
	if (!READ_ONCE(et->adapter->DmaHandle)) {
		edu_result(et, "fail no DMA channel\n");
		ret = -EAGAIN;
		goto out;
	}
	ret = edu_parse_args(et, s, &a);
	if (ret)
		goto out;
	edu_reap_pending(et);

	if (!strcmp(verb, "roundtrip"))
		edu_cmd_roundtrip(et, &a, false, false);
	else if (!strcmp(verb, "spinlock-roundtrip"))
		edu_cmd_roundtrip(et, &a, true, false);
	else if (!strcmp(verb, "roundtrip-24bit"))
		edu_cmd_roundtrip(et, &a, false, true);
	else if (!strcmp(verb, "counter"))
		edu_cmd_counter(et, &a);
	else if (!strcmp(verb, "short-receive"))
		edu_cmd_short_receive(et, &a);
	else if (!strcmp(verb, "busy-complete"))
		edu_cmd_busy_complete(et, &a);
	else if (!strcmp(verb, "busy-receive"))
		edu_cmd_busy_receive(et, &a);
	else if (!strcmp(verb, "start-only"))
		edu_cmd_start_only(et, &a);
	else if (!strcmp(verb, "misuse"))
		edu_cmd_rows(et, "misuse", EduRunMisuse);
	else if (!strcmp(verb, "adjacent-prep"))
		edu_cmd_adjacent_prep(et, &a);
	else if (!strcmp(verb, "adjacent-start"))
		edu_cmd_adjacent_start(et, &a);
	else if (!strcmp(verb, "adjacent-finish"))
		edu_cmd_adjacent_finish(et);
	else if (!strcmp(verb, "shm-roundtrip"))
		edu_cmd_shm_roundtrip(et, &a, a.cached);
	else if (!strcmp(verb, "shm-misuse"))
		edu_cmd_rows(et, "shm-misuse", EduRunSharedMemoryMisuse);
	else if (!strcmp(verb, "shm-subordinate"))
		edu_cmd_rows(et, "shm-subordinate", EduSharedMemorySubordinate);
	else if (!strcmp(verb, "shm-free-dispatch"))
		edu_cmd_rows(et, "shm-free-dispatch", EduSharedMemoryFreeAtDispatch);
	else if (!strcmp(verb, "shm-forget"))
		edu_result(et, "shm-forget made=%u\n", EduSharedMemoryForget(et->adapter, a.count));
	else if (!strcmp(verb, "reap"))
		edu_result(et, "ok\n");
	else if (!strcmp(verb, "sg-roundtrip"))
		edu_cmd_sg_roundtrip(et, &a);
	else if (!strcmp(verb, "sg-ring"))
		edu_cmd_sg_ring(et, &a);
	else if (!strcmp(verb, "sg-misuse"))
		edu_cmd_rows(et, "misuse", EduSgRunMisuse);
	else if (!strcmp(verb, "complete-flood"))
		edu_cmd_complete_flood(et, &a);
	else if (!strcmp(verb, "sg-reregister"))
		edu_cmd_sg_reregister(et);
	else if (!strcmp(verb, "sg-abandon-receive"))
		edu_cmd_sg_abandon_receive(et, &a);
	else if (!strcmp(verb, "shm-async"))
		edu_cmd_shm_async(et, &a);
	else {
		edu_result(et, "fail unknown command %s\n", verb);
		ret = -EINVAL;
	}
out:
	mutex_unlock(&et->lock);
	return ret ? ret : count;
}

static ssize_t edu_result_read(struct file *file, char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	struct edu_test *et = file->private_data;
	ssize_t ret;

	mutex_lock(&et->lock);
	ret = simple_read_from_buffer(ubuf, count, ppos, et->result, et->result_len);
	mutex_unlock(&et->lock);
	return ret;
}

static ssize_t edu_channel_read(struct file *file, char __user *ubuf,
				size_t count, loff_t *ppos)
{
	struct edu_test *et = file->private_data;
	PEDU_ADAPTER a = et->adapter;
	char buf[256];
	int n;

	n = scnprintf(buf, sizeof(buf),
		      "handle=0x%lx dma_interrupts=%u stray_dpcs=%u repeat=%u repeat_status=0x%08x dma_mask=%#llx fenced=%u\n",
		      (unsigned long)READ_ONCE(a->DmaHandle), READ_ONCE(a->DmaInterrupts),
		      READ_ONCE(a->StrayDpcs), READ_ONCE(a->Repeat), (u32)READ_ONCE(a->RepeatStatus),
		      dma_get_mask(&et->pdev->dev),
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
 * Hooks called by the glue's platform hooks (edu_test.h)
 * ------------------------------------------------------------------------ */

NDIS_STATUS EduTestAdapterStart(PEDU_ADAPTER Adapter)
{
	struct pci_dev *pdev = NdisLinuxGetPciDevice(Adapter->MiniportAdapterHandle);
	struct edu_test *et;

	if (!pdev)
		return NDIS_STATUS_ADAPTER_NOT_FOUND;
	et = kzalloc(sizeof(*et), GFP_KERNEL);
	if (!et)
		return NDIS_STATUS_RESOURCES;
	et->adapter = Adapter;
	et->pdev = pdev;
	mutex_init(&et->lock);
	Adapter->LinuxPrivate = et;

	mutex_lock(&edu_root_lock);
	edu_adapters++;
	mutex_unlock(&edu_root_lock);
	return NDIS_STATUS_SUCCESS;
}

VOID EduTestAdapterReady(PEDU_ADAPTER Adapter)
{
	struct edu_test *et = Adapter->LinuxPrivate;

	mutex_lock(&edu_root_lock);
	if (!edu_root_users++)
		edu_root = debugfs_create_dir("edu_dma_c", NULL);
	et->dir = debugfs_create_dir(pci_name(et->pdev), edu_root);
	mutex_unlock(&edu_root_lock);
	et->published = true;
	debugfs_create_file("result", 0400, et->dir, et, &edu_result_fops);
	debugfs_create_file("channel", 0400, et->dir, et, &edu_channel_fops);
	/* Last: a script waits for "cmd" to appear, then uses all three. */
	debugfs_create_file("cmd", 0200, et->dir, et, &edu_cmd_fops);
}

VOID EduTestAdapterStop(PEDU_ADAPTER Adapter)
{
	struct edu_test *et = Adapter->LinuxPrivate;

	/* An initialization that failed before EduTestAdapterReady. */
	if (!et->published)
		return;
	et->published = false;
	/* Waits for a command in progress; none can start afterwards. */
	debugfs_remove_recursive(et->dir);
	et->dir = NULL;
	mutex_lock(&edu_root_lock);
	if (!--edu_root_users) {
		debugfs_remove_recursive(edu_root);
		edu_root = NULL;
	}
	mutex_unlock(&edu_root_lock);
}

VOID EduTestAdapterHalted(PEDU_ADAPTER Adapter)
{
	struct edu_test *et = Adapter->LinuxPrivate;
	unsigned int i;

	/* The channel is gone: the engine can no longer reach these. */
	if (et->has_pending)
		edu_buf_free(&et->pending);
	if (et->adj_mdl)
		NdisFreeMdl(et->adj_mdl);
	mutex_lock(&edu_root_lock);
	if (!--edu_adapters) {
		kfree(edu_shared);
		edu_shared = NULL;
	}
	mutex_unlock(&edu_root_lock);
	for (i = 0; i < et->nparked; i++)
		edu_buf_free(&et->parked[i]);
	Adapter->LinuxPrivate = NULL;
	mutex_destroy(&et->lock);
	kfree(et);
}
