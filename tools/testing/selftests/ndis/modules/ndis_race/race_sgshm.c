// SPDX-License-Identifier: GPL-2.0
/*
 * SG lists and shared memory from every CPU on one adapter at once.
 *
 * Worker threads, spread over the CPUs, each hold up to a few SG lists and
 * shared-memory blocks at a time and allocate and free them in random
 * order: NdisMAllocateNetBufferSGList and NdisMFreeNetBufferSGList at
 * PASSIVE_LEVEL or under a spin lock, NdisMAllocateSharedMemory,
 * NdisMAllocateSharedMemoryAsyncEx and NdisMFreeSharedMemory (under a spin
 * lock too: a deferred free). Every list and block is checked through the
 * bus addresses it was given, translated as the bus would see them
 * (race_bus_to_virt): a list's elements must hold exactly the NET_BUFFER's
 * data (host to device), or what is written at them must reach the
 * NET_BUFFER at free (device to host) and nothing else of its buffers; a
 * block's device address must reach the bytes written at its virtual
 * address, and still hold them at free (no other allocation overlapped
 * it). Now and then a pair of lists, and a pair of blocks, go through
 * edu's real engine instead: host to edu and back, compared.
 */
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/kthread.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "race.h"

#define SGSHM_SLOTS		3		/* of each kind, per worker */
#define SGSHM_SHM_MAX		(4 * PAGE_SIZE)
#define SGSHM_REAL_EVERY	64		/* ops between tries of edu's engine */

struct sgshm_worker;

/* A NET_BUFFER of one or two MDLs over a kmalloc and a vmalloc buffer. */
struct sg_req {
	struct sgshm_worker *w;
	NET_BUFFER nb;
	u8 *buf[2];		/* RACE_BUF_LEN each: [0] kmalloc, [1] vmalloc */
	PMDL mdl[2];
	u8 *start[2];		/* where each MDL begins */
	u32 mlen[2];
	unsigned int nmdl;
	u32 skip, len;		/* CurrentMdlOffset, DataLength */
	bool to_dev, held;
	u32 seed;
	PSCATTER_GATHER_LIST list;	/* from ProcessSGList */
	unsigned int calls;
	u8 *list_buf;		/* ScatterGatherListBuffer, SgListSize bytes */
};

struct shm_blk {
	struct sgshm_worker *w;
	PVOID va;
	NDIS_PHYSICAL_ADDRESS pa;
	ULONG len;
	BOOLEAN cached;
	u32 seed;
	bool held;
	int delivered;		/* release: the async completion came */
};

struct sgshm_stats {
	u64 sg_allocs, sg_refused, sg_verified, sg_frees, sg_at_dispatch;
	u64 shm_allocs, shm_async, shm_null, shm_verified, shm_frees, shm_frees_deferred;
	u64 real_sg, real_shm, errors;
};

struct sgshm_worker {
	struct race_adapter *a;
	struct task_struct *task;
	struct rnd_state rnd;
	spinlock_t dispatch;
	unsigned long deadline;
	struct sg_req sg[SGSHM_SLOTS];
	struct shm_blk shm[SGSHM_SLOTS];
	u8 *tmp;		/* the software engine's side: SGSHM_SHM_MAX */
	u32 seq;
	struct completion finished;
	struct sgshm_stats st;
	char first_error[128];
};

/* Calls inside NdisMAllocateNetBufferSGList at once, over all workers. */
static atomic_t sgshm_in_alloc = ATOMIC_INIT(0);
static atomic_t sgshm_max_in_alloc = ATOMIC_INIT(0);

static void sgshm_error(struct sgshm_worker *w, const char *fmt, ...)
{
	va_list args;

	w->st.errors++;
	if (w->first_error[0])
		return;
	va_start(args, fmt);
	vscnprintf(w->first_error, sizeof(w->first_error), fmt, args);
	va_end(args);
}

/* ---- the miniport's handlers ---- */

VOID RaceProcessSGList(PDEVICE_OBJECT pDO, PVOID Reserved, PSCATTER_GATHER_LIST pSGL,
		       PVOID Context)
{
	struct sg_req *r = Context;

	r->list = pSGL;
	r->calls++;
}

VOID RaceSharedMemAllocateComplete(NDIS_HANDLE MiniportAdapterContext, PVOID VirtualAddress,
				   PNDIS_PHYSICAL_ADDRESS PhysicalAddress, ULONG Length,
				   PVOID Context)
{
	struct shm_blk *b = Context;

	b->va = VirtualAddress;
	b->pa.QuadPart = PhysicalAddress ? PhysicalAddress->QuadPart : 0;
	smp_store_release(&b->delivered, 1);
}

/* ---- SG lists ---- */

/* Data byte @k of the NET_BUFFER. */
static u8 *sg_data(struct sg_req *r, u32 k)
{
	u32 first = r->mlen[0] - r->skip;

	return k < first ? r->start[0] + r->skip + k : r->start[1] + (k - first);
}

/*
 * Moves @len bytes between @tmp and the memory the list describes, after
 * its first @skip bytes, as the device would. -EINVAL when the list holds
 * fewer bytes, or more than skip + len.
 */
static int sg_move(struct race_adapter *a, PSCATTER_GATHER_LIST l, u32 skip, u8 *tmp, u32 len,
		   bool to_device)
{
	u32 i, at = 0, done = 0, total = 0;
	int ret;

	for (i = 0; i < l->NumberOfElements; i++) {
		u64 addr = l->Elements[i].Address.QuadPart;
		u32 elen = l->Elements[i].Length, from = 0, chunk;

		total += elen;
		if (at + elen <= skip) {
			at += elen;
			continue;
		}
		if (at < skip)
			from = skip - at;
		chunk = min(elen - from, len - done);
		ret = race_sw_copy(&a->pdev->dev, addr + from, tmp + done, chunk, to_device);
		if (ret)
			return ret;
		done += chunk;
		at += elen;
	}
	return done == len && total == skip + len ? 0 : -EINVAL;
}

/* A NET_BUFFER over random parts of the slot's buffers. */
static int sg_build(struct sgshm_worker *w, struct sg_req *r)
{
	struct race_adapter *a = w->a;
	u32 rnd = prandom_u32_state(&w->rnd), k;
	unsigned int i;

	r->nmdl = 1 + (rnd & 1);
	for (i = 0; i < r->nmdl; i++) {
		r->mlen[i] = 1 + prandom_u32_state(&w->rnd) % (i ? PAGE_SIZE : PAGE_SIZE + 512);
		r->start[i] = r->buf[i] +
			      prandom_u32_state(&w->rnd) % (RACE_BUF_LEN - r->mlen[i] + 1);
		r->mdl[i] = NdisAllocateMdl(a->MiniportAdapterHandle, r->start[i], r->mlen[i]);
		if (!r->mdl[i])
			return -ENOMEM;
	}
	if (r->nmdl == 2)
		NDIS_MDL_LINKAGE(r->mdl[0]) = r->mdl[1];
	r->skip = (rnd >> 4) % min(r->mlen[0], 257U);
	/* skip < mlen[0]: at least one data byte in the first MDL. */
	if (r->nmdl == 2)
		r->len = r->mlen[0] - r->skip + r->mlen[1];
	else
		r->len = 1 + prandom_u32_state(&w->rnd) % (r->mlen[0] - r->skip);
	r->to_dev = (rnd >> 12) & 1;
	r->seed = w->seq++;
	memset(r->buf[0], RACE_POISON, RACE_BUF_LEN);
	memset(r->buf[1], RACE_POISON, RACE_BUF_LEN);
	if (r->to_dev)
		for (k = 0; k < r->len; k++)
			*sg_data(r, k) = race_pattern(r->seed, k);
	memset(&r->nb, 0, sizeof(r->nb));
	NET_BUFFER_FIRST_MDL(&r->nb) = r->mdl[0];
	NET_BUFFER_CURRENT_MDL(&r->nb) = r->mdl[0];
	NET_BUFFER_CURRENT_MDL_OFFSET(&r->nb) = r->skip;
	NET_BUFFER_DATA_OFFSET(&r->nb) = r->skip;
	NET_BUFFER_DATA_LENGTH(&r->nb) = r->len;
	r->list = NULL;
	r->calls = 0;
	return 0;
}

static void sg_unbuild(struct sg_req *r)
{
	unsigned int i;

	for (i = 0; i < 2; i++) {
		if (r->mdl[i])
			NdisFreeMdl(r->mdl[i]);
		r->mdl[i] = NULL;
	}
}

/* Whether @p is one of the NET_BUFFER's data bytes. */
static bool sg_is_data(struct sg_req *r, const u8 *p)
{
	const u8 *d0 = r->start[0] + r->skip;

	if (p >= d0 && p < d0 + min(r->len, r->mlen[0] - r->skip))
		return true;
	return r->nmdl == 2 && p >= r->start[1] && p < r->start[1] + r->mlen[1];
}

/* Whether the data holds the pattern and every other byte is poison. */
static bool sg_buffers_ok(struct sgshm_worker *w, struct sg_req *r, const char *when)
{
	unsigned int i;
	u32 k, j;

	for (k = 0; k < r->len; k++) {
		if (*sg_data(r, k) != race_pattern(r->seed, k)) {
			sgshm_error(w, "sg %s: data byte %u of %u (skip %u, %u MDLs) is %#x", when,
				    k, r->len, r->skip, r->nmdl, *sg_data(r, k));
			return false;
		}
	}
	for (i = 0; i < 2; i++) {
		for (j = 0; j < RACE_BUF_LEN; j++) {
			const u8 *p = r->buf[i] + j;

			if (!sg_is_data(r, p) && *p != RACE_POISON) {
				sgshm_error(w, "sg %s: byte %u of buffer %u outside the data written",
					    when, j, i);
				return false;
			}
		}
	}
	return true;
}

static NDIS_STATUS sg_alloc(struct sgshm_worker *w, struct sg_req *r, bool dispatch)
{
	struct race_adapter *a = w->a;
	NDIS_STATUS st;
	int now;

	if (dispatch)
		spin_lock_bh(&w->dispatch);
	now = atomic_inc_return(&sgshm_in_alloc);
	if (now > atomic_read(&sgshm_max_in_alloc))
		atomic_set(&sgshm_max_in_alloc, now);
	st = NdisMAllocateNetBufferSGList(a->SgDmaHandle, &r->nb, r,
					  r->to_dev ? NDIS_SG_LIST_WRITE_TO_DEVICE : 0,
					  r->list_buf, a->SgListSize);
	atomic_dec(&sgshm_in_alloc);
	if (dispatch)
		spin_unlock_bh(&w->dispatch);
	return st;
}

static void sg_free(struct sgshm_worker *w, struct sg_req *r, bool dispatch)
{
	if (dispatch)
		spin_lock_bh(&w->dispatch);
	NdisMFreeNetBufferSGList(w->a->SgDmaHandle, r->list, &r->nb);
	if (dispatch)
		spin_unlock_bh(&w->dispatch);
	r->held = false;
	w->st.sg_frees++;
}

/* A list for the slot; checked through its elements. Held on success. */
static void sg_take(struct sgshm_worker *w, struct sg_req *r)
{
	bool dispatch = prandom_u32_state(&w->rnd) & 1;
	u32 k;
	NDIS_STATUS st;

	if (sg_build(w, r)) {
		sgshm_error(w, "sg: no memory for an MDL");
		sg_unbuild(r);
		return;
	}
	st = sg_alloc(w, r, dispatch);
	if (st == NDIS_STATUS_RESOURCES) {
		/* Bounce slots are shared by all lists: none free now. */
		w->st.sg_refused++;
		if (r->calls)
			sgshm_error(w, "sg: refused, yet ProcessSGList was called");
		sg_unbuild(r);
		return;
	}
	if (st != NDIS_STATUS_SUCCESS || r->calls != 1 || !r->list) {
		sgshm_error(w, "sg: status %#x, ProcessSGList called %u times", (u32)st, r->calls);
		sg_unbuild(r);
		return;
	}
	w->st.sg_allocs++;
	w->st.sg_at_dispatch += dispatch;
	r->held = true;
	if (r->to_dev) {
		if (sg_move(w->a, r->list, r->skip, w->tmp, r->len, true)) {
			sgshm_error(w, "sg: list does not describe %u+%u bytes", r->skip, r->len);
			return;
		}
		for (k = 0; k < r->len; k++) {
			if (w->tmp[k] != race_pattern(r->seed, k)) {
				sgshm_error(w, "sg: device would read %#x at data byte %u of %u",
					    w->tmp[k], k, r->len);
				return;
			}
		}
	} else {
		for (k = 0; k < r->len; k++)
			w->tmp[k] = race_pattern(r->seed, k);
		if (sg_move(w->a, r->list, r->skip, w->tmp, r->len, false))
			sgshm_error(w, "sg: list does not describe %u+%u bytes", r->skip, r->len);
	}
}

/* Frees the slot's list; the data must be in the NET_BUFFER now. */
static void sg_give(struct sgshm_worker *w, struct sg_req *r)
{
	sg_free(w, r, prandom_u32_state(&w->rnd) & 1);
	if (sg_buffers_ok(w, r, r->to_dev ? "after a host-to-device list" :
				"after a device-to-host list"))
		w->st.sg_verified++;
	sg_unbuild(r);
}

/* Moves a list's data to or from edu's buffer, element by element, polled. */
static int edu_move_list(struct race_adapter *a, struct sg_req *r)
{
	PSCATTER_GATHER_LIST l = r->list;
	u32 i, at = 0, doff = 0;

	for (i = 0; i < l->NumberOfElements; i++) {
		u64 addr = l->Elements[i].Address.QuadPart;
		u32 elen = l->Elements[i].Length, from = 0;

		if (at + elen <= r->skip) {
			at += elen;
			continue;
		}
		if (at < r->skip)
			from = r->skip - at;
		at += elen;
		elen -= from;
		addr += from;
		if (!race_engine_wait(a, 1000) || doff + elen > EDU_SIZE)
			return -EIO;
		writeq(r->to_dev ? addr : EDU_BUFFER + doff, edu_reg(a, EDU_REG_DMA_SRC));
		writeq(r->to_dev ? EDU_BUFFER + doff : addr, edu_reg(a, EDU_REG_DMA_DST));
		writeq(elen, edu_reg(a, EDU_REG_DMA_CNT));
		writel(EDU_CMD_RUN | (r->to_dev ? 0 : EDU_CMD_FROM_DEVICE),
		       edu_reg(a, EDU_REG_DMA_CMD));
		doff += elen;
	}
	return race_engine_wait(a, 1000) && doff == r->len ? 0 : -EIO;
}

/*
 * Two lists through edu's engine: one host-to-device (the data into edu's
 * buffer), one device-to-host of another NET_BUFFER (back out): the second
 * must hold the first's data. Skipped when another worker has the engine.
 */
static void sg_real(struct sgshm_worker *w, struct sg_req *src, struct sg_req *dst)
{
	struct race_adapter *a = w->a;
	u32 k;
	int tries;

	if (!mutex_trylock(&a->engine))
		return;
	if (!race_engine_ready(a))
		goto out;
	for (tries = 0; tries < 8; tries++) {
		if (sg_build(w, src)) {
			sg_unbuild(src);
			goto out;
		}
		if (src->len <= EDU_SIZE && src->nmdl == 1)
			break;
		sg_unbuild(src);
	}
	if (tries == 8)
		goto out;
	src->to_dev = true;
	for (k = 0; k < src->len; k++)
		*sg_data(src, k) = race_pattern(src->seed, k);
	*dst = (struct sg_req){ .w = w, .buf = { dst->buf[0], dst->buf[1] },
				.list_buf = dst->list_buf };
	dst->nmdl = 1;
	dst->mlen[0] = src->mlen[0];
	dst->start[0] = dst->buf[1] + prandom_u32_state(&w->rnd) % (RACE_BUF_LEN - dst->mlen[0] + 1);
	dst->skip = src->skip;
	dst->len = src->len;
	dst->seed = src->seed;
	dst->mdl[0] = NdisAllocateMdl(a->MiniportAdapterHandle, dst->start[0], dst->mlen[0]);
	if (!dst->mdl[0]) {
		sg_unbuild(src);
		goto out;
	}
	memset(dst->buf[0], RACE_POISON, RACE_BUF_LEN);
	memset(dst->buf[1], RACE_POISON, RACE_BUF_LEN);
	NET_BUFFER_FIRST_MDL(&dst->nb) = dst->mdl[0];
	NET_BUFFER_CURRENT_MDL(&dst->nb) = dst->mdl[0];
	NET_BUFFER_CURRENT_MDL_OFFSET(&dst->nb) = dst->skip;
	NET_BUFFER_DATA_OFFSET(&dst->nb) = dst->skip;
	NET_BUFFER_DATA_LENGTH(&dst->nb) = dst->len;
	if (sg_alloc(w, src, false) != NDIS_STATUS_SUCCESS)
		goto unbuild;
	src->held = true;
	if (sg_alloc(w, dst, false) != NDIS_STATUS_SUCCESS) {
		sg_free(w, src, false);
		goto unbuild;
	}
	dst->held = true;
	if (edu_move_list(a, src) || edu_move_list(a, dst))
		sgshm_error(w, "sg real: edu's engine did not finish");
	sg_free(w, src, false);
	sg_free(w, dst, false);
	if (sg_buffers_ok(w, dst, "through edu"))
		w->st.real_sg++;
unbuild:
	sg_unbuild(src);
	sg_unbuild(dst);
out:
	mutex_unlock(&a->engine);
}

/* ---- shared memory ---- */

/* The block's device address reaches the pattern its VA holds. */
static bool shm_check(struct sgshm_worker *w, struct shm_blk *b, const char *when)
{
	u64 mask = dma_get_mask(&w->a->pdev->dev);
	u32 k;
	int ret;

	if (b->pa.QuadPart + b->len - 1 > mask) {
		sgshm_error(w, "shm %s: %#llx+%u beyond the mask", when, b->pa.QuadPart, b->len);
		return false;
	}
	ret = race_sw_copy(&w->a->pdev->dev, b->pa.QuadPart, w->tmp, b->len, true);
	if (ret) {
		sgshm_error(w, "shm %s: %#llx+%u not reachable: %d", when, b->pa.QuadPart, b->len,
			    ret);
		return false;
	}
	for (k = 0; k < b->len; k++) {
		if (((u8 *)b->va)[k] != race_pattern(b->seed, k) ||
		    w->tmp[k] != race_pattern(b->seed, k)) {
			sgshm_error(w, "shm %s: byte %u of %u: VA %#x, at its device address %#x",
				    when, k, b->len, ((u8 *)b->va)[k], w->tmp[k]);
			return false;
		}
	}
	return true;
}

static void shm_take(struct sgshm_worker *w, struct shm_blk *b)
{
	struct race_adapter *a = w->a;
	bool async = prandom_u32_state(&w->rnd) % 4 == 0;
	NDIS_STATUS st;
	u32 k, i;

	memset(b, 0, sizeof(*b));
	b->w = w;
	b->len = 1 + prandom_u32_state(&w->rnd) % SGSHM_SHM_MAX;
	b->cached = prandom_u32_state(&w->rnd) & 1;
	b->seed = w->seq++;
	if (async) {
		st = NdisMAllocateSharedMemoryAsyncEx(a->SgDmaHandle, b->len, b->cached, b);
		if (st != NDIS_STATUS_PENDING) {
			sgshm_error(w, "shm: AsyncEx returned %#x", (u32)st);
			return;
		}
		for (i = 0; i < 10000 && !smp_load_acquire(&b->delivered); i++)
			usleep_range(500, 1000);
		if (!smp_load_acquire(&b->delivered)) {
			/* Its context is this block: stop before reusing it. */
			sgshm_error(w, "shm: AsyncEx never completed");
			w->deadline = jiffies;
			return;
		}
		w->st.shm_async++;
	} else {
		NdisMAllocateSharedMemory(a->MiniportAdapterHandle, b->len, b->cached, &b->va,
					  &b->pa);
	}
	if (!b->va) {
		w->st.shm_null++;
		return;
	}
	w->st.shm_allocs++;
	b->held = true;
	for (k = 0; k < b->len; k++)
		((u8 *)b->va)[k] = race_pattern(b->seed, k);
	shm_check(w, b, "after allocation");
}

static void shm_give(struct sgshm_worker *w, struct shm_blk *b)
{
	bool dispatch = prandom_u32_state(&w->rnd) & 1;

	/* Nobody else's block overlapped ours while we held it. */
	if (shm_check(w, b, "before free"))
		w->st.shm_verified++;
	if (dispatch)
		spin_lock_bh(&w->dispatch);
	NdisMFreeSharedMemory(w->a->MiniportAdapterHandle, b->len, b->cached, b->va, b->pa);
	if (dispatch)
		spin_unlock_bh(&w->dispatch);
	w->st.shm_frees++;
	w->st.shm_frees_deferred += dispatch;
	b->held = false;
}

/* edu copies block @s into its buffer and out into block @d. */
static void shm_real(struct sgshm_worker *w, struct shm_blk *s, struct shm_blk *d)
{
	struct race_adapter *a = w->a;
	u32 len = min3(s->len, d->len, (ULONG)EDU_SIZE), k;

	if (!mutex_trylock(&a->engine))
		return;
	if (!race_engine_ready(a))
		goto out;
	memset(d->va, RACE_POISON, d->len);
	writeq(s->pa.QuadPart, edu_reg(a, EDU_REG_DMA_SRC));
	writeq(EDU_BUFFER, edu_reg(a, EDU_REG_DMA_DST));
	writeq(len, edu_reg(a, EDU_REG_DMA_CNT));
	writel(EDU_CMD_RUN, edu_reg(a, EDU_REG_DMA_CMD));
	if (!race_engine_wait(a, 1000))
		goto stuck;
	writeq(EDU_BUFFER, edu_reg(a, EDU_REG_DMA_SRC));
	writeq(d->pa.QuadPart, edu_reg(a, EDU_REG_DMA_DST));
	writeq(len, edu_reg(a, EDU_REG_DMA_CNT));
	writel(EDU_CMD_RUN | EDU_CMD_FROM_DEVICE, edu_reg(a, EDU_REG_DMA_CMD));
	if (!race_engine_wait(a, 1000))
		goto stuck;
	for (k = 0; k < d->len; k++) {
		u8 want = k < len ? race_pattern(s->seed, k) : RACE_POISON;

		if (((u8 *)d->va)[k] != want) {
			sgshm_error(w, "shm real: byte %u of %u is %#x, want %#x", k, len,
				    ((u8 *)d->va)[k], want);
			goto out;
		}
	}
	w->st.real_shm++;
	/* The destination holds the source's bytes now: its own pattern again. */
	for (k = 0; k < d->len; k++)
		((u8 *)d->va)[k] = race_pattern(d->seed, k);
	goto out;
stuck:
	sgshm_error(w, "shm real: edu's engine did not finish");
out:
	mutex_unlock(&a->engine);
}

/* ---- the workers ---- */

static void sgshm_one(struct sgshm_worker *w)
{
	u32 r = prandom_u32_state(&w->rnd);
	unsigned int i = (r >> 8) % SGSHM_SLOTS, j = (i + 1) % SGSHM_SLOTS;

	if (++w->seq % SGSHM_REAL_EVERY == 0) {
		if (r & 1) {
			if (!w->sg[i].held && !w->sg[j].held)
				sg_real(w, &w->sg[i], &w->sg[j]);
		} else if (w->shm[i].held && w->shm[j].held) {
			shm_real(w, &w->shm[i], &w->shm[j]);
		}
		return;
	}
	if (r & 1) {
		if (w->sg[i].held)
			sg_give(w, &w->sg[i]);
		else
			sg_take(w, &w->sg[i]);
	} else {
		if (w->shm[i].held)
			shm_give(w, &w->shm[i]);
		else
			shm_take(w, &w->shm[i]);
	}
}

static int sgshm_thread(void *data)
{
	struct sgshm_worker *w = data;
	unsigned int i;

	while (time_before(jiffies, w->deadline) && !kthread_should_stop()) {
		sgshm_one(w);
		cond_resched();
	}
	for (i = 0; i < SGSHM_SLOTS; i++) {
		if (w->sg[i].held)
			sg_give(w, &w->sg[i]);
		if (w->shm[i].held)
			shm_give(w, &w->shm[i]);
	}
	complete(&w->finished);
	return race_wait_for_stop();
}

static void sgshm_worker_free(struct sgshm_worker *w)
{
	unsigned int i;

	for (i = 0; i < SGSHM_SLOTS; i++) {
		kfree(w->sg[i].buf[0]);
		vfree(w->sg[i].buf[1]);
		kfree(w->sg[i].list_buf);
	}
	kfree(w->tmp);
	kfree(w);
}

static struct sgshm_worker *sgshm_worker_new(struct race_adapter *a, u64 seed)
{
	struct sgshm_worker *w = kzalloc(sizeof(*w), GFP_KERNEL);
	unsigned int i;

	if (!w)
		return NULL;
	w->a = a;
	spin_lock_init(&w->dispatch);
	init_completion(&w->finished);
	prandom_seed_state(&w->rnd, seed);
	w->tmp = kmalloc(SGSHM_SHM_MAX, GFP_KERNEL);
	for (i = 0; i < SGSHM_SLOTS; i++) {
		w->sg[i].w = w;
		w->sg[i].buf[0] = kmalloc(RACE_BUF_LEN, GFP_KERNEL);
		w->sg[i].buf[1] = vmalloc(RACE_BUF_LEN);
		w->sg[i].list_buf = kmalloc(a->SgListSize, GFP_KERNEL);
		if (!w->sg[i].buf[0] || !w->sg[i].buf[1] || !w->sg[i].list_buf)
			goto fail;
	}
	if (w->tmp)
		return w;
fail:
	sgshm_worker_free(w);
	return NULL;
}

int race_sgshm_run(struct race_adapter *a, unsigned int threads, unsigned int ms, u64 seed)
{
	unsigned int n = clamp(threads, 1U, (unsigned int)RACE_THREADS_MAX), i, started = 0;
	struct sgshm_worker *w[RACE_THREADS_MAX] = {};
	unsigned long deadline = jiffies + msecs_to_jiffies(ms);
	struct sgshm_stats sum = {};
	const char *first = "";
	ktime_t t0 = ktime_get();
	int err = 0;

	atomic_set(&sgshm_max_in_alloc, 0);
	for (i = 0; i < n; i++) {
		w[i] = sgshm_worker_new(a, seed + i);
		if (!w[i]) {
			err = -ENOMEM;
			break;
		}
		w[i]->deadline = deadline;
		w[i]->task = kthread_create(sgshm_thread, w[i], "ndis_race_sg/%u", i);
		if (IS_ERR(w[i]->task)) {
			err = PTR_ERR(w[i]->task);
			w[i]->task = NULL;
			break;
		}
		kthread_bind(w[i]->task, cpumask_nth(i % num_online_cpus(), cpu_online_mask));
	}
	for (i = 0; i < n; i++) {
		if (w[i] && w[i]->task) {
			wake_up_process(w[i]->task);
			started++;
		}
	}
	for (i = 0; i < n; i++) {
		const u64 *f;
		u64 *t = (u64 *)&sum;
		size_t k;

		if (!w[i])
			continue;
		if (w[i]->task) {
			wait_for_completion(&w[i]->finished);
			kthread_stop(w[i]->task);
		}
		f = (const u64 *)&w[i]->st;
		for (k = 0; k < sizeof(sum) / sizeof(u64); k++)
			t[k] += f[k];
		if (!*first && w[i]->first_error[0])
			first = w[i]->first_error;
	}
	race_result(a,
		    "sgshm threads=%u ms=%lld sg_allocs=%llu sg_refused=%llu sg_verified=%llu sg_frees=%llu sg_at_dispatch=%llu max_in_alloc=%d shm_allocs=%llu shm_async=%llu shm_null=%llu shm_verified=%llu shm_frees=%llu shm_frees_deferred=%llu real_sg=%llu real_shm=%llu errors=%llu err=%d%s%s\n",
		    started, ktime_ms_delta(ktime_get(), t0), sum.sg_allocs, sum.sg_refused,
		    sum.sg_verified, sum.sg_frees, sum.sg_at_dispatch,
		    atomic_read(&sgshm_max_in_alloc), sum.shm_allocs, sum.shm_async, sum.shm_null,
		    sum.shm_verified, sum.shm_frees, sum.shm_frees_deferred, sum.real_sg,
		    sum.real_shm, sum.errors, err, *first ? " first=" : "", first);
	for (i = 0; i < n; i++)
		if (w[i])
			sgshm_worker_free(w[i]);
	return err;
}
