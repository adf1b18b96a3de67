// SPDX-License-Identifier: GPL-2.0
/*
 * ndis_nbl - on load, allocates NET_BUFFER_LIST and NET_BUFFER pools and
 * objects the way an NDIS 6 miniport does, moves the data start back and
 * forth across MDL boundaries, reads through NdisGetDataBuffer, frees
 * everything, and logs one line per check: "ndis_nbl: ok <what>" or
 * "ndis_nbl: not ok <what>", then "ndis_nbl: done".
 * tests/05-ndis6-net-buffers.sh turns them into KTAP; the harness's
 * kmemleak scan catches anything not freed. Each expected result names
 * the page (or the shim's documented choice) it comes from. Every call
 * the shim must refuse (log and count in debugfs rejected_calls) is marked
 * REJECTED; the script checks the count moved by exactly that many.
 */
#define NDIS_MINIPORT_DRIVER
#define NDIS630_MINIPORT

#include <linux/module.h>
#include <linux/bottom_half.h>

#include <ndis.h>

#define TAG 'lbNN'

static int failures;
/* Calls below the shim must count in rejected_calls (printed at the end). */
static int rejected;
#define REJECTED(call) (rejected++, (call))

static void check(bool ok, const char *what)
{
	if (!ok)
		failures++;
	pr_info("ndis_nbl: %s %s\n", ok ? "ok" : "not ok", what);
}

static NDIS_HANDLE nbl_pool(BOOLEAN with_nb, USHORT context, ULONG data)
{
	NET_BUFFER_LIST_POOL_PARAMETERS p;

	NdisZeroMemory(&p, sizeof(p));
	p.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
	p.Header.Revision = NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
	p.Header.Size = NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
	p.ProtocolId = NDIS_PROTOCOL_ID_DEFAULT;
	p.fAllocateNetBuffer = with_nb;
	p.ContextSize = context;
	p.PoolTag = TAG;
	p.DataSize = data;
	return NdisAllocateNetBufferListPool(NULL, &p);
}

/* Every data byte of nb, read through NdisGetDataBuffer with Storage. */
static bool data_is(PNET_BUFFER nb, const UCHAR *want, ULONG len)
{
	UCHAR tmp[256];
	PUCHAR p;

	if (NET_BUFFER_DATA_LENGTH(nb) != len || len > sizeof(tmp))
		return false;
	p = NdisGetDataBuffer(nb, len, tmp, 1, 0);
	return p && !memcmp(p, want, len);
}

static void test_pool_parameters(void)
{
	NET_BUFFER_LIST_POOL_PARAMETERS p;

	NdisZeroMemory(&p, sizeof(p));
	p.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
	p.Header.Revision = NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
	p.Header.Size = NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
	p.ContextSize = 8;
	/* Pool parameters page: ContextSize a multiple of
	 * MEMORY_ALLOCATION_ALIGNMENT; the pool call returns NULL on failure. */
	check(!REJECTED(NdisAllocateNetBufferListPool(NULL, &p)),
	      "NdisAllocateNetBufferListPool: ContextSize 8 is NULL");
	p.ContextSize = 0;
	p.DataSize = 64;
	check(!REJECTED(NdisAllocateNetBufferListPool(NULL, &p)),
	      "NdisAllocateNetBufferListPool: DataSize without fAllocateNetBuffer is NULL");
}

static void test_nbl_with_data(void)
{
	NDIS_HANDLE pool = nbl_pool(TRUE, 32, 1514);
	PNET_BUFFER_LIST nbl;
	PNET_BUFFER nb;
	PUCHAR va = NULL;
	ULONG len = 0;
	int i;

	check(pool != NULL, "NBL pool with fAllocateNetBuffer and DataSize 1514");
	if (!pool)
		return;
	nbl = NdisAllocateNetBufferList(pool, 16, 16);
	check(nbl != NULL, "NdisAllocateNetBufferList from a DataSize pool");
	if (!nbl)
		goto out;
	nb = NET_BUFFER_LIST_FIRST_NB(nbl);
	/* Its page: NDIS allocates a NET_BUFFER_LIST, NET_BUFFER, MDL and data.
	 * The data space is unused data space (NET_BUFFER_DATA page: DataOffset
	 * "is also the size, in bytes, of the unused data space"): DataOffset
	 * and CurrentMdlOffset 1514, DataLength 0; the miniport retreats into it. */
	check(nb && NET_BUFFER_FIRST_MDL(nb) && NET_BUFFER_CURRENT_MDL(nb) == NET_BUFFER_FIRST_MDL(nb) &&
	      NET_BUFFER_DATA_LENGTH(nb) == 0 && NET_BUFFER_DATA_OFFSET(nb) == 1514 &&
	      NET_BUFFER_CURRENT_MDL_OFFSET(nb) == 1514 && !NET_BUFFER_NEXT_NB(nb),
	      "the NBL comes with a NET_BUFFER and an MDL of 1514 unused bytes");
	if (nb)
		NdisQueryMdl(NET_BUFFER_FIRST_MDL(nb), &va, &len, NormalPagePriority);
	check(va && len == 1514 && !((ULONG_PTR)va & (MEMORY_ALLOCATION_ALIGNMENT - 1)),
	      "its MDL maps 1514 bytes, 16-byte aligned");
	if (va)
		for (i = 0; i < 1514; i++)
			va[i] = (UCHAR)i;
	/* NET_BUFFER_LIST_CONTEXT: 16 used bytes, at least 16 of backfill,
	 * and at least the pool's 32. */
	check(nbl->Context && NET_BUFFER_LIST_CONTEXT_DATA_SIZE(nbl) == 16 &&
	      nbl->Context->Offset >= 16 && nbl->Context->Size >= 32 &&
	      !((ULONG_PTR)NET_BUFFER_LIST_CONTEXT_DATA_START(nbl) & 15),
	      "context: 16 bytes used after the backfill, 16-byte aligned");
	if (nbl->Context)
		NdisZeroMemory(NET_BUFFER_LIST_CONTEXT_DATA_START(nbl), 16);
	check(NdisGetPoolFromNetBufferList(nbl) == pool && nbl->NdisPoolHandle == pool,
	      "NdisGetPoolFromNetBufferList names the pool");
	/* Per-packet information: zero on allocation, read and written as
	 * the WDK's macros do. */
	{
		NDIS_TCP_IP_CHECKSUM_NET_BUFFER_LIST_INFO csum;
		NDIS_TCP_LARGE_SEND_OFFLOAD_NET_BUFFER_LIST_INFO lso;

		csum.Value = NET_BUFFER_LIST_INFO(nbl, TcpIpChecksumNetBufferListInfo);
		lso.Value = NET_BUFFER_LIST_INFO(nbl, TcpLargeSendNetBufferListInfo);
		check(!csum.Value && !lso.Value && !NDIS_GET_NET_BUFFER_LIST_CANCEL_ID(nbl) &&
		      !NET_BUFFER_LIST_INFO(nbl, MaxNetBufferListInfo - 1),
		      "NetBufferListInfo[] zeroed, all 24 entries there");
		csum.Receive.TcpChecksumSucceeded = 1;
		NET_BUFFER_LIST_INFO(nbl, TcpIpChecksumNetBufferListInfo) = csum.Value;
		NDIS_SET_NET_BUFFER_LIST_CANCEL_ID(nbl, (PVOID)nbl);
		check(NDIS_GET_NET_BUFFER_LIST_CANCEL_ID(nbl) == nbl, "cancel id set and read back");
	}
	NET_BUFFER_LIST_STATUS(nbl) = NDIS_STATUS_SUCCESS;
	/* Receive data in place: take the whole data space, skip 14 bytes of
	 * header, then back. */
	if (nb) {
		PUCHAR hdr;
		UCHAR tmp[20];

		check(NdisRetreatNetBufferDataStart(nb, 1514, 0, NULL) == NDIS_STATUS_SUCCESS &&
		      NET_BUFFER_DATA_OFFSET(nb) == 0 && NET_BUFFER_DATA_LENGTH(nb) == 1514 &&
		      NET_BUFFER_CURRENT_MDL_OFFSET(nb) == 0 && va &&
		      NET_BUFFER_FIRST_MDL(nb)->MappedSystemVa == va && !NET_BUFFER_FIRST_MDL(nb)->Next,
		      "NdisRetreatNetBufferDataStart 1514 takes the pool's data space, no new MDL");

		NdisAdvanceNetBufferDataStart(nb, 14, FALSE, NULL);
		check(NET_BUFFER_DATA_OFFSET(nb) == 14 && NET_BUFFER_DATA_LENGTH(nb) == 1500 &&
		      NET_BUFFER_CURRENT_MDL_OFFSET(nb) == 14,
		      "NdisAdvanceNetBufferDataStart 14: DataOffset 14, DataLength 1500");
		hdr = NdisGetDataBuffer(nb, 20, NULL, 1, 0);
		check(hdr == va + 14, "NdisGetDataBuffer: contiguous data is a pointer into the MDL");
		check(NdisGetDataBuffer(nb, 20, NULL, 4, 0) == NULL,
		      "NdisGetDataBuffer: misaligned data and no Storage is NULL");
		memset(tmp, 0, sizeof(tmp));
		check(va && NdisGetDataBuffer(nb, 20, tmp, 4, 0) == tmp && !memcmp(tmp, va + 14, 20),
		      "NdisGetDataBuffer: misaligned data with Storage is copied there");
		check(NdisGetDataBuffer(nb, 1501, NULL, 1, 0) == NULL,
		      "NdisGetDataBuffer: more than DataLength is NULL");
		check(NdisRetreatNetBufferDataStart(nb, 14, 0, NULL) == NDIS_STATUS_SUCCESS &&
		      NET_BUFFER_DATA_OFFSET(nb) == 0 && NET_BUFFER_DATA_LENGTH(nb) == 1514 &&
		      NET_BUFFER_FIRST_MDL(nb) == NET_BUFFER_CURRENT_MDL(nb),
		      "NdisRetreatNetBufferDataStart 14 into unused space: no new MDL");
		/* Not enough unused space: a new MDL in front. */
		check(NdisRetreatNetBufferDataStart(nb, 42, 22, NULL) == NDIS_STATUS_SUCCESS &&
		      NET_BUFFER_DATA_LENGTH(nb) == 1556 && NET_BUFFER_DATA_OFFSET(nb) == 22 &&
		      NET_BUFFER_FIRST_MDL(nb) != NULL &&
		      NET_BUFFER_FIRST_MDL(nb)->Next != NULL &&
		      NET_BUFFER_CURRENT_MDL(nb) == NET_BUFFER_FIRST_MDL(nb),
		      "NdisRetreatNetBufferDataStart 42 (backfill 22): new 64-byte MDL in front");
		/* The NBL is freed with the retreat MDL still there: the shim
		 * frees its own MDL with the NBL (kmemleak sees to it). */
	}
	NdisFreeNetBufferList(nbl);
out:
	NdisFreeNetBufferListPool(pool);
	check(true, "NBL, its data and the pool freed");
}

/* A chain of three MDLs over one buffer: 10 + 20 + 30 bytes. */
struct chain {
	UCHAR buf[60];
	PMDL m[3];
};

static bool make_chain(struct chain *c)
{
	static const ULONG len[3] = { 10, 20, 30 };
	ULONG off = 0;
	int i;

	for (i = 0; i < 60; i++)
		c->buf[i] = (UCHAR)(0x40 + i);
	for (i = 0; i < 3; i++) {
		c->m[i] = NdisAllocateMdl(NULL, c->buf + off, len[i]);
		if (!c->m[i])
			return false;
		if (i)
			NDIS_MDL_LINKAGE(c->m[i - 1]) = c->m[i];
		off += len[i];
	}
	return true;
}

static void free_chain(struct chain *c)
{
	int i;

	for (i = 0; i < 3; i++)
		if (c->m[i])
			NdisFreeMdl(c->m[i]);
}

static ULONG g_alloc_calls, g_free_calls;
/* TestAllocateMdl: fail, or give this many bytes fewer than asked. */
static bool g_alloc_fails;
static ULONG g_alloc_short;
static PMDL g_last_mdl;

static PMDL TestAllocateMdl(PULONG BufferSize)
{
	ULONG n = *BufferSize > g_alloc_short ? *BufferSize - g_alloc_short : 1;
	PVOID va;

	g_alloc_calls++;
	g_last_mdl = NULL;
	if (g_alloc_fails)
		return NULL;
	va = NdisAllocateMemoryWithTagPriority(NULL, n, TAG, NormalPoolPriority);
	g_last_mdl = va ? NdisAllocateMdl(NULL, va, n) : NULL;
	if (va && !g_last_mdl)
		NdisFreeMemory(va, 0, 0);
	return g_last_mdl;
}

static VOID TestFreeMdl(PMDL Mdl)
{
	PVOID va = MmGetSystemAddressForMdlSafe(Mdl, NormalPagePriority);

	g_free_calls++;
	NdisFreeMdl(Mdl);
	NdisFreeMemory(va, 0, 0);
}

/* NdisRetreatNetBufferDataStart's results, and MDLs the miniport makes. */
static void test_retreat_results(struct chain *c, NDIS_HANDLE nbpool)
{
	PNET_BUFFER nb = NdisAllocateNetBuffer(nbpool, c->m[0], 5, 50);
	ULONG saved;
	PMDL m;

	check(nb != NULL, "NdisAllocateNetBuffer: offset 5, length 50");
	if (!nb)
		return;
	/* Its page: NDIS_STATUS_FAILURE for any failure but resources. */
	check(REJECTED(NdisRetreatNetBufferDataStart(NULL, 1, 0, NULL)) == NDIS_STATUS_FAILURE,
	      "NdisRetreatNetBufferDataStart(NULL): NDIS_STATUS_FAILURE");
	saved = NET_BUFFER_DATA_LENGTH(nb);
	NET_BUFFER_DATA_LENGTH(nb) = 0xfffffff0;
	check(NdisRetreatNetBufferDataStart(nb, 0x20, 0, NULL) == NDIS_STATUS_FAILURE &&
	      NET_BUFFER_DATA_OFFSET(nb) == 5 && NET_BUFFER_FIRST_MDL(nb) == c->m[0],
	      "retreat past a 4 GiB DataLength: NDIS_STATUS_FAILURE, nothing changed");
	NET_BUFFER_DATA_LENGTH(nb) = saved;
	/* Its page: NDIS_STATUS_RESOURCES when resources are short. */
	g_alloc_fails = true;
	check(NdisRetreatNetBufferDataStart(nb, 10, 0, TestAllocateMdl) == NDIS_STATUS_RESOURCES &&
	      NET_BUFFER_FIRST_MDL(nb) == c->m[0] && NET_BUFFER_DATA_OFFSET(nb) == 5 &&
	      NET_BUFFER_DATA_LENGTH(nb) == 50,
	      "NetAllocateMdl returning NULL: NDIS_STATUS_RESOURCES, nothing changed");
	g_alloc_fails = false;
	/* Retreat 10 with 5 unused bytes: 5 short, 5 + 8 backfill asked for.
	 * NET_BUFFER_ALLOCATE_MDL page: the MDL comes "with an associated
	 * memory block of a specified size". Shim's choice: 9 bytes still hold
	 * the 5, so the MDL is used, with 4 bytes of backfill. */
	g_alloc_short = 4;
	g_free_calls = 0;
	check(NdisRetreatNetBufferDataStart(nb, 10, 8, TestAllocateMdl) == NDIS_STATUS_SUCCESS &&
	      NET_BUFFER_FIRST_MDL(nb) == g_last_mdl && MmGetMdlByteCount(g_last_mdl) == 9 &&
	      NET_BUFFER_DATA_OFFSET(nb) == 4 && NET_BUFFER_DATA_LENGTH(nb) == 60,
	      "NetAllocateMdl giving 9 of 13 bytes: used, 4 bytes of backfill");
	NdisAdvanceNetBufferDataStart(nb, 10, TRUE, TestFreeMdl);
	check(g_free_calls == 1 && NET_BUFFER_FIRST_MDL(nb) == c->m[0] && NET_BUFFER_DATA_OFFSET(nb) == 5,
	      "advance frees it with NetFreeMdl");
	/* 3 bytes cannot hold the 5: not used, and not freed (the call has no
	 * NetFreeMdl to free it with): RESOURCES, logged; the miniport frees it. */
	g_alloc_short = 10;
	check(REJECTED(NdisRetreatNetBufferDataStart(nb, 10, 8, TestAllocateMdl)) == NDIS_STATUS_RESOURCES &&
	      g_last_mdl && NET_BUFFER_FIRST_MDL(nb) == c->m[0] && NET_BUFFER_DATA_OFFSET(nb) == 5 &&
	      NET_BUFFER_DATA_LENGTH(nb) == 50,
	      "NetAllocateMdl giving 3 bytes for 5: NDIS_STATUS_RESOURCES, not linked");
	if (g_last_mdl)
		TestFreeMdl(g_last_mdl);
	g_alloc_short = 0;

	/* A miniport's MDL and FreeMdl without a FreeMdlHandler: NDIS frees
	 * NetAllocateMdl MDLs with NetFreeMdl only, so it stays linked. */
	g_free_calls = 0;
	check(NdisRetreatNetBufferDataStart(nb, 10, 0, TestAllocateMdl) == NDIS_STATUS_SUCCESS &&
	      NET_BUFFER_FIRST_MDL(nb) == g_last_mdl && NET_BUFFER_DATA_OFFSET(nb) == 0,
	      "retreat 10 with NetAllocateMdl: a 5-byte MDL in front");
	m = NET_BUFFER_FIRST_MDL(nb);
	REJECTED(NdisAdvanceNetBufferDataStart(nb, 10, TRUE, NULL));
	check(NET_BUFFER_FIRST_MDL(nb) == m && m->Next == c->m[0] && NET_BUFFER_DATA_OFFSET(nb) == 10 &&
	      NET_BUFFER_CURRENT_MDL(nb) == c->m[0] && NET_BUFFER_CURRENT_MDL_OFFSET(nb) == 5 &&
	      NET_BUFFER_DATA_LENGTH(nb) == 50,
	      "advance with FreeMdl, no FreeMdlHandler: the NetAllocateMdl MDL stays linked");
	NdisAdvanceNetBufferDataStart(nb, 0, TRUE, TestFreeMdl);
	check(g_free_calls == 1 && NET_BUFFER_FIRST_MDL(nb) == c->m[0] && NET_BUFFER_DATA_OFFSET(nb) == 5,
	      "a later advance with FreeMdlHandler frees it");

	/* Freed with the shim's retreat MDL still in front: it goes with the
	 * NET_BUFFER, not refused (kmemleak sees to the rest). */
	check(NdisRetreatNetBufferDataStart(nb, 10, 16, NULL) == NDIS_STATUS_SUCCESS &&
	      NET_BUFFER_FIRST_MDL(nb) != c->m[0] && NET_BUFFER_FIRST_MDL(nb)->Next == c->m[0],
	      "retreat 10 (backfill 16): the shim's MDL in front");
	NdisFreeNetBuffer(nb);
	check(true, "NdisFreeNetBuffer with the shim's retreat MDL in front");
}

/* The NdisAllocateNetBuffer page: a driver may re-point a NET_BUFFER at
 * another chain by setting NET_BUFFER_FIRST_MDL, _DATA_LENGTH,
 * _DATA_OFFSET, _CURRENT_MDL and _CURRENT_MDL_OFFSET itself. The retreat
 * MDLs the shim put in front of the old chain are then not the chain's: it
 * must free none of the new chain's MDLs (the caller's) in their place. */
static void repoint(PNET_BUFFER nb, PMDL chain, ULONG length)
{
	NET_BUFFER_FIRST_MDL(nb) = chain;
	NET_BUFFER_DATA_LENGTH(nb) = length;
	NET_BUFFER_DATA_OFFSET(nb) = 0;
	NET_BUFFER_CURRENT_MDL(nb) = chain;
	NET_BUFFER_CURRENT_MDL_OFFSET(nb) = 0;
}

static void test_repointed_chain(struct chain *c, NDIS_HANDLE nbpool)
{
	PNET_BUFFER nb = NdisAllocateNetBuffer(nbpool, c->m[0], 0, 10);
	PMDL ours;

	check(nb != NULL, "NdisAllocateNetBuffer over the chain, no unused space");
	if (!nb)
		return;
	NdisRetreatNetBufferDataStart(nb, 4, 0, NULL);
	ours = NET_BUFFER_FIRST_MDL(nb);
	check(ours != c->m[0] && ours->Next == c->m[0], "retreat 4: the shim's MDL in front");
	/* The driver takes the shim's MDL off (and frees it: NdisFreeMdl frees
	 * the shim's MDL-and-data block whole) and re-points the chain. */
	repoint(nb, c->m[1], 20);
	NdisFreeMdl(ours);
	REJECTED(NdisAdvanceNetBufferDataStart(nb, 20, TRUE, NULL));
	check(NET_BUFFER_FIRST_MDL(nb) == c->m[1] && NET_BUFFER_DATA_OFFSET(nb) == 20 &&
	      NET_BUFFER_DATA_LENGTH(nb) == 0 && c->m[0]->Next == c->m[1] && c->m[1]->Next == c->m[2],
	      "re-pointed chain: advance with FreeMdl frees none of the caller's MDLs");
	/* Again, freeing the NET_BUFFER with the re-pointed chain. */
	check(NdisRetreatNetBufferDataStart(nb, 24, 0, NULL) == NDIS_STATUS_SUCCESS &&
	      NET_BUFFER_FIRST_MDL(nb) != c->m[1] && NET_BUFFER_FIRST_MDL(nb)->Next == c->m[1],
	      "retreat 24 past the re-pointed chain's start: the shim's MDL in front");
	ours = NET_BUFFER_FIRST_MDL(nb);
	repoint(nb, c->m[0], 10);
	NdisFreeMdl(ours);
	REJECTED(NdisFreeNetBuffer(nb));
	check(c->m[0]->Next == c->m[1] && MmGetMdlByteCount(c->m[0]) == 10,
	      "re-pointed chain: NdisFreeNetBuffer frees none of the caller's MDLs");
}

/* CurrentMdlOffset past the current MDL's bytes (fields a driver set):
 * NdisGetDataBuffer reads from where the data is, in a later MDL. */
static void test_offset_past_current_mdl(struct chain *c, NDIS_HANDLE nbpool)
{
	PNET_BUFFER nb = NdisAllocateNetBuffer(nbpool, c->m[0], 0, 60);
	UCHAR storage[20];
	PUCHAR p;

	check(nb != NULL, "NdisAllocateNetBuffer over all 60 bytes");
	if (!nb)
		return;
	NET_BUFFER_DATA_OFFSET(nb) = 15;
	NET_BUFFER_DATA_LENGTH(nb) = 45;
	NET_BUFFER_CURRENT_MDL_OFFSET(nb) = 15;
	p = NdisGetDataBuffer(nb, 5, NULL, 1, 0);
	check(p == c->buf + 15,
	      "CurrentMdlOffset 15 in a 10-byte MDL: 5 bytes into the next, direct");
	memset(storage, 0, sizeof(storage));
	p = NdisGetDataBuffer(nb, 20, storage, 1, 0);
	check(p == storage && !memcmp(storage, c->buf + 15, 20),
	      "CurrentMdlOffset 15 in a 10-byte MDL: 20 bytes copied from byte 15 on");
	NdisFreeNetBuffer(nb);
}

/* Pools freed with objects still out: they allocate no more and go with
 * their last object, which frees as usual (no refusal). */
static void test_pool_freed_with_objects_out(void)
{
	NET_BUFFER_POOL_PARAMETERS bp;
	NDIS_HANDLE pool = nbl_pool(TRUE, 0, 64), nbpool, other;
	PNET_BUFFER_LIST nbl = pool ? NdisAllocateNetBufferList(pool, 0, 0) : NULL;
	PNET_BUFFER nb;

	check(nbl != NULL, "an NBL from a DataSize 64 pool");
	if (!nbl) {
		if (pool)
			NdisFreeNetBufferListPool(pool);
		return;
	}
	/* 80 bytes: the 64 unused first, 16 in a new MDL of the shim's. */
	check(NdisRetreatNetBufferDataStart(NET_BUFFER_LIST_FIRST_NB(nbl), 80, 0, NULL) ==
		      NDIS_STATUS_SUCCESS,
	      "retreat 80 into a 64-byte data space");
	/* NdisFreeNetBufferListPool page: free every NBL first. */
	REJECTED(NdisFreeNetBufferListPool(pool));
	check(!REJECTED(NdisAllocateNetBufferList(pool, 0, 0)),
	      "a pool freed with an NBL out allocates nothing");
	NdisFreeNetBufferList(nbl);
	check(true, "its NBL (and retreat MDL) freed after the pool");
	/* The next pool call at PASSIVE_LEVEL lets the pool go. */
	other = nbl_pool(FALSE, 0, 0);
	if (other)
		NdisFreeNetBufferListPool(other);
	REJECTED(NdisFreeNetBufferListPool(pool));

	NdisZeroMemory(&bp, sizeof(bp));
	bp.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
	bp.Header.Revision = NET_BUFFER_POOL_PARAMETERS_REVISION_1;
	bp.Header.Size = NDIS_SIZEOF_NET_BUFFER_POOL_PARAMETERS_REVISION_1;
	nbpool = NdisAllocateNetBufferPool(NULL, &bp);
	nb = nbpool ? NdisAllocateNetBuffer(nbpool, NULL, 0, 0) : NULL;
	check(nb != NULL, "a NET_BUFFER from a NET_BUFFER pool");
	if (!nb) {
		if (nbpool)
			NdisFreeNetBufferPool(nbpool);
		return;
	}
	REJECTED(NdisFreeNetBufferPool(nbpool));
	check(!REJECTED(NdisAllocateNetBuffer(nbpool, NULL, 0, 0)),
	      "a NET_BUFFER pool freed with one out allocates nothing");
	NdisFreeNetBuffer(nb);
	check(true, "its NET_BUFFER freed after the pool");
}

static void test_chain(void)
{
	NET_BUFFER_POOL_PARAMETERS bp;
	NDIS_HANDLE nbpool, pool;
	struct chain *c;
	PNET_BUFFER_LIST nbl;
	PNET_BUFFER nb, nb2;
	UCHAR storage[64];
	PUCHAR p;
	UCHAR want[64];
	int i;

	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c || !make_chain(c)) {
		check(false, "MDL chain for the chain tests");
		goto out_chain;
	}
	pool = nbl_pool(TRUE, 0, 0);
	check(pool != NULL, "NBL pool with fAllocateNetBuffer, DataSize 0");
	if (!pool)
		goto out_chain;
	/* Data: bytes 5 .. 54 of the chain (offset 5, length 50). */
	nbl = NdisAllocateNetBufferAndNetBufferList(pool, 0, 0, c->m[0], 5, 50);
	nb = nbl ? NET_BUFFER_LIST_FIRST_NB(nbl) : NULL;
	check(nb && NET_BUFFER_CURRENT_MDL(nb) == c->m[0] && NET_BUFFER_CURRENT_MDL_OFFSET(nb) == 5 &&
	      NET_BUFFER_DATA_LENGTH(nb) == 50,
	      "NdisAllocateNetBufferAndNetBufferList: offset 5 in the first MDL");
	if (!nb)
		goto out_pool;
	for (i = 0; i < 50; i++)
		want[i] = (UCHAR)(0x40 + 5 + i);
	check(data_is(nb, want, 50), "NdisGetDataBuffer with Storage copies across three MDLs");
	p = NdisGetDataBuffer(nb, 5, NULL, 1, 0);
	check(p == c->buf + 5, "NdisGetDataBuffer: 5 bytes within the first MDL is direct");
	p = NdisGetDataBuffer(nb, 6, NULL, 1, 0);
	check(p == NULL, "NdisGetDataBuffer: across an MDL boundary without Storage is NULL");
	p = NdisGetDataBuffer(nb, 6, storage, 1, 0);
	check(p == storage && !memcmp(storage, want, 6),
	      "NdisGetDataBuffer: across an MDL boundary with Storage copies");

	/* Advance across the first boundary: CurrentMdl moves on. */
	NdisAdvanceNetBufferDataStart(nb, 12, TRUE, NULL);
	check(NET_BUFFER_DATA_OFFSET(nb) == 17 && NET_BUFFER_CURRENT_MDL(nb) == c->m[1] &&
	      NET_BUFFER_CURRENT_MDL_OFFSET(nb) == 7 && NET_BUFFER_FIRST_MDL(nb) == c->m[0] &&
	      data_is(nb, want + 12, 38),
	      "advance 12 across a boundary: CurrentMdl the second, offset 7; the caller's MDL kept");
	/* Retreat back across it, then past the chain's start: 17 unused
	 * bytes are used first, 3 more come in a new MDL (+ 8 backfill). */
	check(NdisRetreatNetBufferDataStart(nb, 20, 8, NULL) == NDIS_STATUS_SUCCESS &&
	      NET_BUFFER_DATA_LENGTH(nb) == 58 && NET_BUFFER_DATA_OFFSET(nb) == 8 &&
	      NET_BUFFER_FIRST_MDL(nb) != c->m[0] && NET_BUFFER_FIRST_MDL(nb)->Next == c->m[0] &&
	      MmGetMdlByteCount(NET_BUFFER_FIRST_MDL(nb)) == 11,
	      "retreat 20 past the chain's start: an 11-byte MDL in front, DataOffset 8");
	p = NdisGetDataBuffer(nb, 3, NULL, 1, 0);
	if (p)
		memcpy(p, "abc", 3);
	memmove(want + 8, want, 50);
	memcpy(want, "abc", 3);
	for (i = 3; i < 8; i++)
		want[i] = (UCHAR)(0x40 + i - 3);
	check(p && data_is(nb, want, 58), "the data runs on without a gap into the old chain");
	/* Advance past the new MDL with FreeMdl: it is freed, the chain is
	 * the caller's again. */
	NdisAdvanceNetBufferDataStart(nb, 8, TRUE, NULL);
	check(NET_BUFFER_FIRST_MDL(nb) == c->m[0] && NET_BUFFER_DATA_OFFSET(nb) == 5 &&
	      NET_BUFFER_DATA_LENGTH(nb) == 50 && data_is(nb, want + 8, 50),
	      "advance with FreeMdl frees the retreat MDL");

	/* The miniport's own NetAllocateMdl / NetFreeMdl. */
	g_alloc_calls = g_free_calls = 0;
	check(NdisRetreatNetBufferDataStart(nb, 40, 0, TestAllocateMdl) == NDIS_STATUS_SUCCESS &&
	      g_alloc_calls == 1 && MmGetMdlByteCount(NET_BUFFER_FIRST_MDL(nb)) == 35,
	      "retreat with AllocateMdlHandler: the miniport's NetAllocateMdl makes the MDL");
	NdisAdvanceNetBufferDataStart(nb, 40, TRUE, TestFreeMdl);
	check(g_free_calls == 1 && NET_BUFFER_FIRST_MDL(nb) == c->m[0] && NET_BUFFER_DATA_OFFSET(nb) == 5,
	      "advance with FreeMdlHandler: the miniport's NetFreeMdl frees it");
	REJECTED(NdisAdvanceNetBufferDataStart(nb, 51, TRUE, NULL));
	check(NET_BUFFER_DATA_LENGTH(nb) == 50, "advance past the data: refused, nothing changes");
	NdisFreeNetBufferList(nbl);

	/* A NET_BUFFER pool and a second NET_BUFFER on an NBL. */
	NdisZeroMemory(&bp, sizeof(bp));
	bp.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
	bp.Header.Revision = NET_BUFFER_POOL_PARAMETERS_REVISION_1;
	bp.Header.Size = NDIS_SIZEOF_NET_BUFFER_POOL_PARAMETERS_REVISION_1;
	bp.PoolTag = TAG;
	nbpool = NdisAllocateNetBufferPool(NULL, &bp);
	check(nbpool != NULL, "NdisAllocateNetBufferPool");
	if (nbpool) {
		nbl = NdisAllocateNetBufferList(nbl_pool(FALSE, 0, 0), 0, 0);
		/* (that pool's handle is read back from the NBL below) */
		nb2 = NdisAllocateNetBuffer(nbpool, c->m[1], 25, 20);
		check(nb2 && NET_BUFFER_CURRENT_MDL(nb2) == c->m[2] && NET_BUFFER_CURRENT_MDL_OFFSET(nb2) == 5 &&
		      NdisGetPoolFromNetBuffer(nb2) == nbpool,
		      "NdisAllocateNetBuffer: DataOffset 25 lands 5 bytes into the third MDL");
		check(nbl && !NET_BUFFER_LIST_FIRST_NB(nbl), "NBL from a pool without NET_BUFFERs has none");
		if (nbl && nb2) {
			NET_BUFFER_LIST_FIRST_NB(nbl) = nb2;
			check(data_is(NET_BUFFER_LIST_FIRST_NB(nbl), c->buf + 35, 20),
			      "a NET_BUFFER chained on an NBL reads its data");
			NET_BUFFER_LIST_FIRST_NB(nbl) = NULL;
		}
		if (nb2)
			NdisFreeNetBuffer(nb2);
		test_retreat_results(c, nbpool);
		test_repointed_chain(c, nbpool);
		test_offset_past_current_mdl(c, nbpool);
		if (nbl) {
			NDIS_HANDLE p2 = NdisGetPoolFromNetBufferList(nbl);

			NdisFreeNetBufferList(nbl);
			NdisFreeNetBufferListPool(p2);
		}
		NdisFreeNetBufferPool(nbpool);
	}
out_pool:
	NdisFreeNetBufferListPool(pool);
out_chain:
	if (c)
		free_chain(c);
	kfree(c);
}

/* The calls at DISPATCH_LEVEL (bottom halves off), as a DPC makes them. */
static void test_dispatch_level(void)
{
	NDIS_HANDLE pool;
	PNET_BUFFER_LIST nbl[8];
	bool ok = true;
	int i;

	local_bh_disable();
	pool = nbl_pool(TRUE, 0, 256);
	ok &= pool != NULL;
	for (i = 0; i < 8; i++) {
		nbl[i] = pool ? NdisAllocateNetBufferList(pool, 0, 0) : NULL;
		ok &= nbl[i] != NULL;
	}
	for (i = 0; i < 8; i++)
		if (nbl[i])
			NdisFreeNetBufferList(nbl[i]);
	if (pool)
		NdisFreeNetBufferListPool(pool);
	local_bh_enable();
	check(ok, "pool, 8 NBLs with data, frees: all at DISPATCH_LEVEL");
}

static void test_misuse(void)
{
	NDIS_HANDLE pool = nbl_pool(FALSE, 0, 0);
	PNET_BUFFER_LIST nbl = pool ? NdisAllocateNetBufferList(pool, 8, 0) : NULL;

	/* Shim's choice: a ContextSize not a multiple of 16 is NULL. */
	if (pool)
		rejected++;
	check(!nbl, "NdisAllocateNetBufferList: ContextSize 8 is NULL");
	/* ContextSize + ContextBackFill past what NET_BUFFER_LIST_CONTEXT.Size
	 * (a USHORT) holds: NULL, logged. */
	check(!REJECTED(NdisAllocateNetBufferList(pool, 0xfff0, 0x20)),
	      "NdisAllocateNetBufferList: ContextSize + ContextBackFill past 64 KiB is NULL");
	check(!REJECTED(NdisAllocateNetBufferAndNetBufferList(pool, 0, 0, NULL, 0, 0)),
	      "NdisAllocateNetBufferAndNetBufferList from a pool without NET_BUFFERs is NULL");
	check(!REJECTED(NdisAllocateNetBufferList((NDIS_HANDLE)0x1234, 0, 0)),
	      "a forged pool handle allocates nothing");
	if (pool)
		NdisFreeNetBufferListPool(pool);
	/* Freed twice, and allocating from a freed pool: logged, no effect. */
	if (pool) {
		REJECTED(NdisFreeNetBufferListPool(pool));
		check(!REJECTED(NdisAllocateNetBufferList(pool, 0, 0)), "a freed pool allocates nothing");
	}
}

static int __init ndis_nbl_init(void)
{
	test_pool_parameters();
	test_nbl_with_data();
	test_chain();
	test_dispatch_level();
	test_pool_freed_with_objects_out();
	test_misuse();
	pr_info("ndis_nbl: rejected %d\n", rejected);
	pr_info("ndis_nbl: done\n");
	return 0;
}

static void __exit ndis_nbl_exit(void)
{
}

module_init(ndis_nbl_init);
module_exit(ndis_nbl_exit);
MODULE_DESCRIPTION("NDIS 6 NET_BUFFER_LIST and NET_BUFFER pool checks");
MODULE_LICENSE("GPL");
