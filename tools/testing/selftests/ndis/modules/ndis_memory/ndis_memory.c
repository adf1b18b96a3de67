// SPDX-License-Identifier: GPL-2.0
/*
 * ndis_memory - on load, calls the NDIS 5 memory and buffer-descriptor
 * functions as a Windows miniport does and checks what it gets, one log
 * line per check: "ndis_memory: ok <what>" or "ndis_memory: not ok
 * <what>", then "ndis_memory: done". tests/03-ndis5-memory.sh turns them
 * into KTAP. The expected statuses are the pages' (named per check);
 * alignment, contiguity and the address limit are what
 * MmAllocateContiguousMemory / MmAllocateNonCachedMemory promise.
 * Everything is freed again; the harness's kmemleak scan catches a leak.
 */
#define NDIS_MINIPORT_DRIVER
#define NDIS51_MINIPORT

#include <linux/io.h>
#include <linux/mm.h>
#include <linux/module.h>

#include <ndis.h>

#define TAG 'meMN'

static void check(bool ok, const char *what)
{
	pr_info("ndis_memory: %s %s\n", ok ? "ok" : "not ok", what);
}

static bool all_zero(const UCHAR *p, UINT len)
{
	return !memchr_inv(p, 0, len);
}

/* Every page of [va, va + len) follows the one before physically. */
static bool contiguous(PVOID va, UINT len)
{
	phys_addr_t pa = virt_to_phys(va);
	UINT off;

	for (off = PAGE_SIZE; off < len; off += PAGE_SIZE)
		if (virt_to_phys((PUCHAR)va + off) != pa + off)
			return false;
	return true;
}

static void test_memory_with_tag(void)
{
	static const UINT sizes[] = { 1, 7, 16, 100, 4096, 10000 };
	NDIS_STATUS status;
	PVOID va;
	UINT i;
	bool ok = true;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		va = (PVOID)0x1;
		status = NdisAllocateMemoryWithTag(&va, sizes[i], TAG);
		/* NdisAllocateMemoryWithTag page: SUCCESS with the memory. */
		ok &= status == NDIS_STATUS_SUCCESS && va;
		/* Windows x64 pool alignment (MEMORY_ALLOCATION_ALIGNMENT). */
		ok &= va && !((ULONG_PTR)va & 15) && all_zero(va, sizes[i]);
		if (va)
			NdisFillMemory(va, sizes[i], 0xa5);
		/* NdisFreeMemory with Length 0 and flags 0, as many ports do. */
		if (va)
			NdisFreeMemory(va, 0, 0);
	}
	check(ok, "NdisAllocateMemoryWithTag: SUCCESS, 16-byte aligned, zeroed (1 B - 10000 B)");
}

static void test_allocate_memory(void)
{
	NDIS_PHYSICAL_ADDRESS any = NDIS_PHYSICAL_ADDRESS_CONST(-1, -1);
	NDIS_PHYSICAL_ADDRESS low16m = NDIS_PHYSICAL_ADDRESS_CONST(0xffffff, 0);
	NDIS_PHYSICAL_ADDRESS tiny = NDIS_PHYSICAL_ADDRESS_CONST(0xfff, 0);
	NDIS_STATUS status;
	PVOID va;

	status = NdisAllocateMemory(&va, 300, 0, any);
	/* NdisAllocateMemory page: NDIS_STATUS_SUCCESS, memory at *VirtualAddress. */
	check(status == NDIS_STATUS_SUCCESS && va && all_zero(va, 300),
	      "NdisAllocateMemory(0): SUCCESS, zeroed");
	if (va)
		NdisFreeMemory(va, 300, 0);

	status = NdisAllocateMemory(&va, 3 * PAGE_SIZE + 5, NDIS_MEMORY_CONTIGUOUS, any);
	check(status == NDIS_STATUS_SUCCESS && va && PAGE_ALIGNED(va) &&
	      contiguous(va, 3 * PAGE_SIZE + 5) && all_zero(va, 3 * PAGE_SIZE + 5),
	      "NdisAllocateMemory(CONTIGUOUS): page aligned, physically contiguous");
	if (va)
		NdisFreeMemory(va, 3 * PAGE_SIZE + 5, NDIS_MEMORY_CONTIGUOUS);

	status = NdisAllocateMemory(&va, 100, NDIS_MEMORY_NONCACHED, any);
	check(status == NDIS_STATUS_SUCCESS && va && PAGE_ALIGNED(va),
	      "NdisAllocateMemory(NONCACHED): SUCCESS, page aligned");
	if (va)
		NdisFreeMemory(va, 100, NDIS_MEMORY_NONCACHED);

	status = NdisAllocateMemory(&va, 2 * PAGE_SIZE,
				    NDIS_MEMORY_CONTIGUOUS | NDIS_MEMORY_NONCACHED, low16m);
	check(status == NDIS_STATUS_SUCCESS && va &&
	      virt_to_phys(va) + 2 * PAGE_SIZE - 1 <= 0xffffff &&
	      contiguous(va, 2 * PAGE_SIZE),
	      "NdisAllocateMemory(CONTIGUOUS, limit 16 MiB - 1): wholly below the limit");
	/* NdisFreeMemory: the flags differ from the allocation's; still freed. */
	if (va)
		NdisFreeMemory(va, 0, 0);

	va = (PVOID)0x1;
	status = NdisAllocateMemory(&va, PAGE_SIZE, NDIS_MEMORY_CONTIGUOUS, tiny);
	/* NdisAllocateMemory page: FAILURE, NULL at VirtualAddress. */
	check(status == NDIS_STATUS_FAILURE && !va,
	      "NdisAllocateMemory(CONTIGUOUS, limit 4 KiB - 1): FAILURE and NULL");

	status = NdisAllocateMemory(&va, PAGE_SIZE, 0, tiny);
	check(status == NDIS_STATUS_SUCCESS && va,
	      "NdisAllocateMemory(0, limit 4 KiB - 1): the limit is for contiguous memory only");
	if (va)
		NdisFreeMemory(va, PAGE_SIZE, 0);

	va = (PVOID)0x1;
	status = NdisAllocateMemory(&va, 64u << 20, NDIS_MEMORY_CONTIGUOUS, any);
	check(status == NDIS_STATUS_FAILURE && !va,
	      "NdisAllocateMemory(CONTIGUOUS, 64 MiB): FAILURE beyond the largest block");
}

static void test_buffers(void)
{
	NDIS_HANDLE pool = NULL;
	PNDIS_BUFFER buf[3] = { NULL }, walk, next;
	NDIS_STATUS status = NDIS_STATUS_FAILURE;
	PUCHAR block = NULL;
	PVOID va;
	UINT len, total, count, i;
	static const UINT off[3] = { 0, 100, 4000 }, blen[3] = { 60, 3000, 5000 };

	NdisAllocateBufferPool(&status, &pool, 3);
	/* NdisAllocateBufferPool page: "Always returns NDIS_STATUS_SUCCESS". */
	check(status == NDIS_STATUS_SUCCESS, "NdisAllocateBufferPool: SUCCESS");

	if (NdisAllocateMemoryWithTag((PVOID *)&block, 3 * PAGE_SIZE, TAG) !=
	    NDIS_STATUS_SUCCESS) {
		check(false, "NdisAllocateMemoryWithTag for the buffers");
		NdisFreeBufferPool(pool);
		return;
	}
	for (i = 0; i < 3; i++) {
		NdisAllocateBuffer(&status, &buf[i], pool, block + off[i], blen[i]);
		/* NdisAllocateBuffer page: SUCCESS with a descriptor at Buffer. */
		if (status != NDIS_STATUS_SUCCESS || !buf[i])
			break;
	}
	check(i == 3, "NdisAllocateBuffer: SUCCESS for three ranges");
	if (i == 3) {
		PMDL m = buf[1];

		check(MmGetMdlVirtualAddress(m) == block + 100 &&
		      MmGetMdlByteCount(m) == 3000 &&
		      MmGetMdlByteOffset(m) == ((ULONG_PTR)(block + 100) & (PAGE_SIZE - 1)) &&
		      m->MappedSystemVa == block + 100 &&
		      (m->MdlFlags & MDL_SOURCE_IS_NONPAGED_POOL) && !m->Next,
		      "NdisAllocateBuffer: an MDL as MmBuildMdlForNonPagedPool builds it");
		NdisQueryBuffer(m, &va, &len);
		check(va == block + 100 && len == 3000, "NdisQueryBuffer: address and length");
		va = NULL;
		NdisQueryBufferSafe(m, &va, &len, HighPagePriority);
		check(va == block + 100 && len == 3000,
		      "NdisQueryBufferSafe: address and length");
		NdisQueryBufferSafe(m, NULL, &len, LowPagePriority);
		check(len == 3000, "NdisQueryBufferSafe: VirtualAddress is optional");

		/* A chain, walked as a miniport walks a packet's buffers. */
		NDIS_BUFFER_LINKAGE(buf[0]) = buf[1];
		NDIS_BUFFER_LINKAGE(buf[1]) = buf[2];
		total = count = 0;
		for (walk = buf[0]; walk; walk = next) {
			total += NdisBufferLength(walk);
			count++;
			NdisGetNextBuffer(walk, &next);
		}
		/* NdisGetNextBuffer page: NULL after the last descriptor. */
		check(count == 3 && total == 60 + 3000 + 5000,
		      "NdisGetNextBuffer: walks the chain, NULL at its end");
		NDIS_BUFFER_LINKAGE(buf[0]) = NULL;
		NDIS_BUFFER_LINKAGE(buf[1]) = NULL;
	}
	for (i = 0; i < 3; i++)
		if (buf[i])
			NdisFreeBuffer(buf[i]);

	walk = (PNDIS_BUFFER)0x1;
	NdisAllocateBuffer(&status, &walk, pool, NULL, 64);
	/* NdisAllocateBuffer page: otherwise NDIS_STATUS_FAILURE. */
	check(status == NDIS_STATUS_FAILURE && !walk,
	      "NdisAllocateBuffer(NULL range): FAILURE and NULL");

	/* The pool is optional (NULL PoolHandle). */
	NdisAllocateBuffer(&status, &walk, NULL, block, 16);
	check(status == NDIS_STATUS_SUCCESS && walk, "NdisAllocateBuffer(NULL pool): SUCCESS");
	if (walk)
		NdisFreeBuffer(walk);

	NdisFreeBufferPool(pool);
	NdisFreeMemory(block, 3 * PAGE_SIZE, 0);
}

static int __init ndis_memory_init(void)
{
	test_memory_with_tag();
	test_allocate_memory();
	test_buffers();
	pr_info("ndis_memory: done\n");
	return 0;
}

static void __exit ndis_memory_exit(void)
{
}

module_init(ndis_memory_init);
module_exit(ndis_memory_exit);
MODULE_DESCRIPTION("ndis-shim selftest: NDIS 5 memory and buffer descriptors");
MODULE_LICENSE("GPL");
