// SPDX-License-Identifier: GPL-2.0
/*
 * ndis5_packet - on load, uses NDIS 5 packet pools, packets and buffer
 * chains the way an XP-era miniport does and checks what it gets, one log
 * line per check: "ndis5_packet: ok <what>" or "ndis5_packet: not ok
 * <what>", then "ndis5_packet: rejected N" and "ndis5_packet: done".
 * tests/11-ndis5-packets.sh turns them into KTAP. Each expected result
 * names the page (or the shim's documented choice, Documentation/ndis5.rst)
 * it comes from. Calls the shim must refuse (log and count in debugfs
 * rejected_calls) are marked REJECTED. One pool, with one packet in it, is
 * left allocated on purpose: the shim frees it when it unloads, and says so.
 */
#define NDIS_MINIPORT_DRIVER
#define NDIS51_MINIPORT

#include <linux/bottom_half.h>
#include <linux/module.h>
#include <linux/string.h>

#include <ndis.h>

static int rejected;
#define REJECTED(call) (rejected++, (call))

static void check(bool ok, const char *what)
{
	pr_info("ndis5_packet: %s %s\n", ok ? "ok" : "not ok", what);
}

static bool all_zero(const void *p, size_t len)
{
	return !memchr_inv(p, 0, len);
}

/* The pool left for the shim to free at unload. */
static NDIS_HANDLE left_pool;

static void test_pool_limits(void)
{
	NDIS_STATUS status = NDIS_STATUS_SUCCESS;
	NDIS_HANDLE pool = (NDIS_HANDLE)1;

	/* NdisAllocatePacketPoolEx page: more than 0xFFFF descriptors is
	 * NDIS_STATUS_RESOURCES. */
	NdisAllocatePacketPoolEx(&status, &pool, 0x10000, 0, 0);
	check(status == NDIS_STATUS_RESOURCES && pool == NULL,
	      "NdisAllocatePacketPoolEx: 0x10000 descriptors is NDIS_STATUS_RESOURCES");
	/* The shim's choice: a pool of no descriptor is refused the same way. */
	NdisAllocatePacketPool(&status, &pool, 0, 16);
	check(status == NDIS_STATUS_RESOURCES && pool == NULL,
	      "NdisAllocatePacketPool: 0 descriptors is NDIS_STATUS_RESOURCES");
	/* NdisPacketOobOffset is a USHORT: no room for 0xFFFF reserved bytes. */
	NdisAllocatePacketPool(&status, &pool, 1, 0xFFFF);
	check(status == NDIS_STATUS_RESOURCES && pool == NULL,
	      "NdisAllocatePacketPool: ProtocolReservedLength 0xFFFF is NDIS_STATUS_RESOURCES");
}

#define NPKT 6

/* Allocation until the pool is empty, the descriptors' layout. */
static void test_allocate_until_empty(void)
{
	NDIS_STATUS status;
	NDIS_HANDLE pool;
	PNDIS_PACKET p[NPKT + 1];
	bool ok = true, fresh = true, layout = true, apart = true;
	int i, j;

	/* 4 descriptors + 2 overflow (NdisAllocatePacketPoolEx page: used
	 * when the first are in use), 16 bytes of ProtocolReserved. */
	NdisAllocatePacketPoolEx(&status, &pool, 4, 2, 16);
	check(status == NDIS_STATUS_SUCCESS && pool != NULL,
	      "NdisAllocatePacketPoolEx 4 + 2 overflow, ProtocolReserved 16");
	if (status != NDIS_STATUS_SUCCESS)
		return;
	for (i = 0; i < NPKT; i++) {
		NdisAllocatePacket(&status, &p[i], pool);
		ok &= status == NDIS_STATUS_SUCCESS && p[i] != NULL;
		if (!p[i]) {
			layout = fresh = false;
			continue;
		}
		/* NdisAllocatePacket page: zero-initialized, buffer chain NULL. */
		fresh &= !p[i]->Private.Head && !p[i]->Private.ValidCounts &&
			 !p[i]->Private.Flags && !p[i]->Private.TotalLength &&
			 all_zero(p[i]->MiniportReserved, sizeof(p[i]->MiniportReserved)) &&
			 all_zero(p[i]->ProtocolReserved, 16) &&
			 all_zero(NDIS_OOB_DATA_FROM_PACKET(p[i]), sizeof(NDIS_PACKET_OOB_DATA)) &&
			 all_zero(NDIS_PACKET_EXTENSION_FROM_PACKET(p[i]),
				  sizeof(NDIS_PACKET_EXTENSION));
		/* The WDK's pool layout: OOB data after ProtocolReserved, the
		 * extension right after the OOB data. */
		layout &= NdisGetPoolFromPacket(p[i]) == pool &&
			  p[i]->Private.NdisPacketOobOffset >=
				  FIELD_OFFSET(NDIS_PACKET, ProtocolReserved) + 16 &&
			  (p[i]->Private.NdisPacketFlags & fPACKET_ALLOCATED_BY_NDIS) &&
			  (PUCHAR)NDIS_PACKET_EXTENSION_FROM_PACKET(p[i]) ==
				  (PUCHAR)NDIS_OOB_DATA_FROM_PACKET(p[i]) +
					  sizeof(NDIS_PACKET_OOB_DATA);
	}
	check(ok, "NdisAllocatePacket: 6 descriptors from a 4 + 2 pool, NDIS_STATUS_SUCCESS");
	check(fresh, "each descriptor zeroed: no chain, counts invalid, OOB and extension 0");
	check(layout, "Private.Pool is the pool; OOB data after 16 reserved bytes; extension after it");
	check(NdisPacketPoolUsage(pool) == NPKT, "NdisPacketPoolUsage: 6 in use");
	/* NdisAllocatePacket page: NDIS_STATUS_RESOURCES when the free list
	 * has no entries; *Packet NULL. */
	p[NPKT] = (PNDIS_PACKET)1;
	NdisAllocatePacket(&status, &p[NPKT], pool);
	check(status == NDIS_STATUS_RESOURCES && p[NPKT] == NULL,
	      "NdisAllocatePacket: empty pool is NDIS_STATUS_RESOURCES, Packet NULL");

	/* Every byte a descriptor owns is its own: fill each, check all. */
	for (i = 0; i < NPKT && ok; i++) {
		memset(p[i]->MiniportReserved, i + 1, 4 * sizeof(PVOID));
		memset(p[i]->ProtocolReserved, i + 1, 16);
		memset(NDIS_OOB_DATA_FROM_PACKET(p[i]), i + 1, sizeof(NDIS_PACKET_OOB_DATA));
		memset(NDIS_PACKET_EXTENSION_FROM_PACKET(p[i]), i + 1,
		       sizeof(NDIS_PACKET_EXTENSION));
	}
	for (i = 0; i < NPKT && ok; i++) {
		PUCHAR r = p[i]->ProtocolReserved;

		for (j = 0; j < 16; j++)
			apart &= r[j] == i + 1;
		apart &= ((PUCHAR)NDIS_PACKET_EXTENSION_FROM_PACKET(p[i]))
				 [sizeof(NDIS_PACKET_EXTENSION) - 1] == i + 1;
		apart &= p[i]->MiniportReserved[0] == i + 1;
	}
	check(ok && apart, "reserved areas, OOB data and extensions of 6 descriptors do not overlap");

	/* Freed and allocated again: zeroed again (NdisAllocatePacket page). */
	NdisFreePacket(p[2]);
	check(NdisPacketPoolUsage(pool) == NPKT - 1, "NdisFreePacket: 5 in use");
	NdisAllocatePacket(&status, &p[2], pool);
	check(status == NDIS_STATUS_SUCCESS && p[2] &&
	      all_zero(p[2]->ProtocolReserved, 16) &&
	      all_zero(NDIS_OOB_DATA_FROM_PACKET(p[2]), sizeof(NDIS_PACKET_OOB_DATA)) &&
	      p[2]->Private.NdisPacketOobOffset == p[0]->Private.NdisPacketOobOffset,
	      "a freed descriptor comes back zeroed");

	/* Freed twice: the second is refused (the shim's choice). */
	NdisFreePacket(p[5]);
	REJECTED(NdisFreePacket(p[5]));
	check(NdisPacketPoolUsage(pool) == NPKT - 1,
	      "NdisFreePacket twice: the second is refused, the count moves once");

	/* Freeing the pool with packets out is refused (NdisFreePacketPool
	 * page: all packets must be freed first); the pool then goes with
	 * its last packet, and its handle names nothing. */
	REJECTED(NdisFreePacketPool(pool));
	for (i = 0; i < NPKT - 1; i++)
		NdisFreePacket(p[i]);
	p[0] = (PNDIS_PACKET)1;
	REJECTED(NdisAllocatePacket(&status, &p[0], pool));
	check(status == NDIS_STATUS_RESOURCES && p[0] == NULL,
	      "the freed pool gives no packet: NDIS_STATUS_RESOURCES");
}

/* Allocation and free at DISPATCH_LEVEL, all three forms. */
static void test_dispatch(void)
{
	NDIS_STATUS s1, s2, s3;
	NDIS_HANDLE pool;
	PNDIS_PACKET a = NULL, b = NULL, c = NULL;

	NdisAllocatePacketPool(&s1, &pool, 3, PROTOCOL_RESERVED_SIZE_IN_PACKET);
	if (s1 != NDIS_STATUS_SUCCESS) {
		check(false, "pool for DISPATCH_LEVEL");
		return;
	}
	local_bh_disable();
	NdisAllocatePacket(&s1, &a, pool);
	NdisDprAllocatePacket(&s2, &b, pool);
	NdisDprAllocatePacketNonInterlocked(&s3, &c, pool);
	check(s1 == NDIS_STATUS_SUCCESS && s2 == NDIS_STATUS_SUCCESS &&
	      s3 == NDIS_STATUS_SUCCESS && a && b && c && a != b && b != c && a != c,
	      "NdisAllocatePacket, NdisDprAllocatePacket(NonInterlocked) at DISPATCH_LEVEL");
	if (a)
		NdisFreePacket(a);
	if (b)
		NdisDprFreePacket(b);
	if (c)
		NdisDprFreePacketNonInterlocked(c);
	check(NdisPacketPoolUsage(pool) == 0, "the three frees at DISPATCH_LEVEL");
	local_bh_enable();
	NdisFreePacketPool(pool);
}

/* Pages a buffer spans, computed here without the header's macros. */
static UINT pages(PVOID va, UINT len)
{
	ULONG_PTR a = (ULONG_PTR)va;

	return len ? (UINT)((a + len - 1) / PAGE_SIZE - a / PAGE_SIZE + 1) : 1;
}

/* Chaining, unchaining, NdisQueryPacket and its cached counts. */
static void test_chains(NDIS_HANDLE pool, PUCHAR data)
{
	NDIS_STATUS status, s2, s3;
	NDIS_HANDLE bpool;
	PNDIS_PACKET p;
	PNDIS_BUFFER a, b, c, first = NULL, u = (PNDIS_BUFFER)1;
	UINT phys = 0, count = 0, len = 0, want_phys, flen = 0, tlen = 0;
	PVOID fva = NULL;
	/* B straddles a page boundary; data is 3 pages of pool memory. */
	PUCHAR vb = (PUCHAR)(((ULONG_PTR)data + 2 * PAGE_SIZE) & PAGE_MASK) - 8;
	PUCHAR va = data, vc = vb + 100;

	NdisAllocatePacket(&status, &p, pool);
	NdisAllocateBufferPool(&s2, &bpool, 3);
	if (status != NDIS_STATUS_SUCCESS || s2 != NDIS_STATUS_SUCCESS) {
		check(false, "packet and buffer pool for the chain checks");
		return;
	}
	NdisAllocateBuffer(&status, &a, bpool, va, 10);
	NdisAllocateBuffer(&s2, &b, bpool, vb, 20);
	NdisAllocateBuffer(&s3, &c, bpool, vc, 30);
	if (status || s2 || s3) {
		check(false, "three buffers");
		return;
	}
	want_phys = pages(va, 10) + pages(vb, 20) + pages(vc, 30);

	/* NdisChainBufferAtBack twice, NdisChainBufferAtFront once: A B C. */
	NdisChainBufferAtBack(p, b);
	NdisChainBufferAtBack(p, c);
	NdisChainBufferAtFront(p, a);
	check(p->Private.Head == a && a->Next == b && b->Next == c && !c->Next &&
	      p->Private.Tail == c && !p->Private.ValidCounts,
	      "NdisChainBufferAtBack B, C, AtFront A: A B C, Tail C, counts invalid");

	/* NdisQueryPacket page: buffer count, physical count, length, first. */
	NdisQueryPacket(p, &phys, &count, &first, &len);
	check(count == 3 && len == 60 && first == a && phys == want_phys && want_phys >= 4 &&
	      p->Private.ValidCounts,
	      "NdisQueryPacket: 3 buffers, the pages they span (B two), 60 bytes, first A; counts cached");
	/* The counts are cached until the chain changes (the WDK's macro
	 * walks the chain only when ValidCounts is FALSE). */
	NdisAdjustBufferLength(c, 25);
	NdisQueryPacketLength(p, &len);
	check(len == 60 && NdisBufferLength(c) == 25,
	      "NdisAdjustBufferLength: 25; NdisQueryPacketLength gives the cached 60");
	p->Private.ValidCounts = FALSE;
	NdisQueryPacketLength(p, &len);
	check(len == 55, "NdisQueryPacketLength after the counts went stale: 55");
	NdisGetFirstBufferFromPacket(p, &first, &fva, &flen, &tlen);
	check(first == a && fva == va && flen == 10 && tlen == 55,
	      "NdisGetFirstBufferFromPacket: A at its address, 10 of 55 bytes");
	NdisGetFirstBufferFromPacketSafe(p, &first, &fva, &flen, &tlen, HighPagePriority);
	check(first == a && fva == va && flen == 10 && tlen == 55,
	      "NdisGetFirstBufferFromPacketSafe: the same");
	check(NdisBufferVirtualAddress(b) == vb &&
	      NdisBufferVirtualAddressSafe(b, NormalPagePriority) == vb,
	      "NdisBufferVirtualAddress(Safe): B's address");

	/* Unchaining (NdisUnchainBufferAtBack/Front pages). */
	NdisUnchainBufferAtBack(p, &u);
	check(u == c && !c->Next && p->Private.Tail == b && !b->Next && !p->Private.ValidCounts,
	      "NdisUnchainBufferAtBack: C, Tail B");
	NdisUnchainBufferAtFront(p, &u);
	check(u == a && !a->Next && p->Private.Head == b && p->Private.Tail == b,
	      "NdisUnchainBufferAtFront: A, chain B");
	NdisQueryPacket(p, NULL, &count, NULL, &len);
	check(count == 1 && len == 20, "NdisQueryPacket: 1 buffer, 20 bytes");
	NdisUnchainBufferAtBack(p, &u);
	check(u == b && !p->Private.Head, "NdisUnchainBufferAtBack of the last buffer: chain empty");
	NdisUnchainBufferAtFront(p, &u);
	check(u == NULL, "NdisUnchainBufferAtFront of an empty chain: NULL");

	/* A pre-linked chain goes in whole (the WDK's macros walk to its end). */
	a->Next = b;
	NdisChainBufferAtFront(p, a);
	NdisChainBufferAtBack(p, c);
	check(p->Private.Head == a && a->Next == b && b->Next == c && p->Private.Tail == c,
	      "a two-buffer chain at front, C at back: A B C");
	/* NdisReinitializePacket: empty chain, counts invalid. */
	NdisReinitializePacket(p);
	NdisQueryPacket(p, &phys, &count, &first, &len);
	check(!first && !count && !len && !phys,
	      "NdisReinitializePacket: no buffer, 0 bytes");
	a->Next = b->Next = NULL;

	NdisFreeBuffer(a);
	NdisFreeBuffer(b);
	NdisFreeBuffer(c);
	NdisFreeBufferPool(bpool);
	NdisFreePacket(p);
}

/* NDIS_PACKET_OOB_DATA and per-packet information through the macros. */
static void test_oob(NDIS_HANDLE pool)
{
	NDIS_STATUS status;
	PNDIS_PACKET p;
	SCATTER_GATHER_LIST sgl;
	PVOID msi = NULL;
	UINT msi_size = 1;
	PNDIS_PACKET_OOB_DATA oob;

	NdisAllocatePacket(&status, &p, pool);
	if (status != NDIS_STATUS_SUCCESS) {
		check(false, "packet for the OOB checks");
		return;
	}
	oob = NDIS_OOB_DATA_FROM_PACKET(p);
	NDIS_SET_PACKET_STATUS(p, NDIS_STATUS_RESOURCES);
	NDIS_SET_PACKET_HEADER_SIZE(p, 14);
	NDIS_SET_PACKET_TIME_RECEIVED(p, 12345);
	check(NDIS_GET_PACKET_STATUS(p) == NDIS_STATUS_RESOURCES && oob->Status == NDIS_STATUS_RESOURCES &&
	      NDIS_GET_PACKET_HEADER_SIZE(p) == 14 && oob->HeaderSize == 14 &&
	      NDIS_GET_PACKET_TIME_RECEIVED(p) == 12345 &&
	      (PUCHAR)oob == (PUCHAR)p + p->Private.NdisPacketOobOffset,
	      "NDIS_SET/GET_PACKET_STATUS, _HEADER_SIZE, _TIME_RECEIVED in the OOB block");
	NDIS_GET_PACKET_MEDIA_SPECIFIC_INFO(p, &msi, &msi_size);
	check(!msi && !msi_size, "NDIS_GET_PACKET_MEDIA_SPECIFIC_INFO: none");
	NDIS_SET_PACKET_MEDIA_SPECIFIC_INFO(p, &sgl, 24);
	NDIS_GET_PACKET_MEDIA_SPECIFIC_INFO(p, &msi, &msi_size);
	check(msi == &sgl && msi_size == 24,
	      "NDIS_SET_PACKET_MEDIA_SPECIFIC_INFO on a pool packet: read back");

	sgl.NumberOfElements = 0;
	NDIS_PER_PACKET_INFO_FROM_PACKET(p, ScatterGatherListPacketInfo) = &sgl;
	NDIS_SET_PACKET_CANCEL_ID(p, (PVOID)p);
	check(((PVOID *)((PUCHAR)oob + sizeof(NDIS_PACKET_OOB_DATA)))[ScatterGatherListPacketInfo] ==
		      &sgl &&
	      NDIS_PER_PACKET_INFO_FROM_PACKET(p, ScatterGatherListPacketInfo) == &sgl &&
	      NDIS_GET_PACKET_CANCEL_ID(p) == p &&
	      !NDIS_PER_PACKET_INFO_FROM_PACKET(p, MaxPerPacketInfo - 1),
	      "NDIS_PER_PACKET_INFO_FROM_PACKET: ScatterGatherListPacketInfo, PacketCancelId after the OOB block");
	NdisFreePacket(p);
}

/* A packet over buffers of these lengths, each from its own NdisAllocateBuffer. */
struct chained {
	PNDIS_PACKET p;
	PNDIS_BUFFER b[4];
	int n;
};

static bool chain_up(struct chained *c, NDIS_HANDLE pool, PUCHAR mem, const UINT *len, int n)
{
	NDIS_STATUS status;
	int i;

	c->n = 0;
	NdisAllocatePacket(&status, &c->p, pool);
	if (status != NDIS_STATUS_SUCCESS)
		return false;
	for (i = 0; i < n; i++) {
		NdisAllocateBuffer(&status, &c->b[i], NULL, mem, len[i]);
		if (status != NDIS_STATUS_SUCCESS)
			return false;
		c->n++;
		NdisChainBufferAtBack(c->p, c->b[i]);
		mem += len[i];
	}
	return true;
}

static void unchain(struct chained *c)
{
	int i;

	for (i = 0; i < c->n; i++) {
		c->b[i]->Next = NULL;
		NdisFreeBuffer(c->b[i]);
	}
	if (c->p)
		NdisFreePacket(c->p);
}

/* NdisCopyFromPacketToPacket(Safe) with offsets across buffer boundaries. */
static void test_copy(NDIS_HANDLE pool, PUCHAR src, PUCHAR dst)
{
	static const UINT slen[3] = { 7, 13, 40 }, dlen[2] = { 25, 50 };
	struct chained s = {}, d = {};
	UINT copied = 99, i;
	bool ok;
	MDL unbuilt = {};

	for (i = 0; i < 60; i++)
		src[i] = (UCHAR)(0x80 + i);
	memset(dst, 0, 75);
	if (!chain_up(&s, pool, src, slen, 3) || !chain_up(&d, pool, dst, dlen, 2)) {
		check(false, "packets for the copy checks");
		goto out;
	}
	/* 30 bytes from source offset 5 (in its first buffer) to
	 * destination offset 20: both cross buffer boundaries. */
	NdisCopyFromPacketToPacket(d.p, 20, 30, s.p, 5, &copied);
	ok = copied == 30 && !memcmp(dst + 20, src + 5, 30) && all_zero(dst, 20) &&
	     all_zero(dst + 50, 25);
	check(ok, "NdisCopyFromPacketToPacket: 30 bytes, source offset 5 to destination offset 20");
	/* The source ends first: BytesCopied says how many were copied
	 * (NdisCopyFromPacketToPacket page). */
	memset(dst, 0, 75);
	NdisCopyFromPacketToPacket(d.p, 0, 100, s.p, 50, &copied);
	check(copied == 10 && !memcmp(dst, src + 50, 10) && all_zero(dst + 10, 65),
	      "NdisCopyFromPacketToPacket: past the source's end, 10 copied");
	/* The destination ends first. */
	NdisCopyFromPacketToPacketSafe(d.p, 70, 30, s.p, 0, &copied, NormalPagePriority);
	check(copied == 5 && !memcmp(dst + 70, src, 5),
	      "NdisCopyFromPacketToPacketSafe: past the destination's end, 5 copied");
	/* A destination buffer with no system address: nothing copied (the
	 * Safe form's failure, BytesCopied 0). */
	MmInitializeMdl(&unbuilt, dst, 10);
	NdisChainBufferAtFront(d.p, &unbuilt);
	NdisCopyFromPacketToPacketSafe(d.p, 0, 10, s.p, 0, &copied, NormalPagePriority);
	check(copied == 0, "NdisCopyFromPacketToPacketSafe: unmapped destination buffer, 0 copied");
	NdisUnchainBufferAtFront(d.p, &d.b[3]);
	check(d.b[3] == &unbuilt, "the unmapped buffer unchained again");
out:
	unchain(&s);
	unchain(&d);
}

/* Handles and packets that are not the shim's: refused and counted. */
static void test_forged(NDIS_HANDLE pool)
{
	NDIS_STATUS status = NDIS_STATUS_SUCCESS;
	PNDIS_PACKET p = (PNDIS_PACKET)1;
	struct {
		NDIS_PACKET packet;
		UCHAR rest[256];
	} fake;

	REJECTED(NdisAllocatePacket(&status, &p, (NDIS_HANDLE)0x1234));
	check(status == NDIS_STATUS_RESOURCES && p == NULL,
	      "NdisAllocatePacket: forged pool handle, NDIS_STATUS_RESOURCES (refused)");
	REJECTED(NdisFreePacketPool((NDIS_HANDLE)0x1234));
	check(REJECTED(NdisPacketPoolUsage((NDIS_HANDLE)0x5678)) == 0,
	      "NdisPacketPoolUsage: forged handle is 0 (refused)");
	/* A descriptor the pool never gave, naming the real pool. */
	memset(&fake, 0, sizeof(fake));
	fake.packet.Private.Pool = (PNDIS_PACKET_POOL)pool;
	REJECTED(NdisFreePacket(&fake.packet));
	check(NdisPacketPoolUsage(pool) == 0,
	      "NdisFreePacket: a packet not from its pool is refused; usage unchanged");
	check(true, "NdisFreePacketPool: forged handle refused");
}

static int __init ndis5_packet_init(void)
{
	NDIS_STATUS status;
	NDIS_HANDLE pool;
	PNDIS_PACKET kept;
	PUCHAR mem = NULL;

	test_pool_limits();
	test_allocate_until_empty();
	test_dispatch();
	NdisAllocatePacketPool(&status, &pool, 8, PROTOCOL_RESERVED_SIZE_IN_PACKET);
	check(status == NDIS_STATUS_SUCCESS, "NdisAllocatePacketPool 8, ProtocolReserved 4 pointers");
	if (NdisAllocateMemoryWithTag((PVOID *)&mem, 3 * PAGE_SIZE + 256, 'tkPN') !=
	    NDIS_STATUS_SUCCESS)
		status = NDIS_STATUS_RESOURCES;
	if (status == NDIS_STATUS_SUCCESS) {
		test_chains(pool, mem);
		test_oob(pool);
		test_copy(pool, mem, mem + 128);
		test_forged(pool);
		check(NdisPacketPoolUsage(pool) == 0, "every packet freed");
		NdisFreePacketPool(pool);
	}
	if (mem)
		NdisFreeMemory(mem, 3 * PAGE_SIZE + 256, 0);
	/* Left for the shim to free when it unloads. */
	NdisAllocatePacketPool(&status, &left_pool, 2, 0);
	NdisAllocatePacket(&status, &kept, left_pool);
	check(status == NDIS_STATUS_SUCCESS, "a pool and a packet left allocated for unload");
	pr_info("ndis5_packet: left pool %#lx\n", (unsigned long)(ULONG_PTR)left_pool);
	pr_info("ndis5_packet: rejected %d\n", rejected);
	pr_info("ndis5_packet: done\n");
	return 0;
}

static void __exit ndis5_packet_exit(void)
{
}

module_init(ndis5_packet_init);
module_exit(ndis5_packet_exit);
MODULE_DESCRIPTION("NDIS 5 packet pool, packet and buffer chain checks");
MODULE_LICENSE("GPL");
