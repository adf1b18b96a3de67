// SPDX-License-Identifier: GPL-2.0
/*
 * NDIS 5 physical mapping from every CPU, and against NdisMFreeMapRegisters
 * and halt.
 *
 * The adapter allocates map registers (NdisMAllocateMapRegisters); worker
 * threads, bound to the CPUs, each own a few register indices and call
 * NdisMStartBufferPhysicalMapping and NdisMCompleteBufferPhysicalMapping
 * on them in random order, at PASSIVE_LEVEL or under a spin lock, on
 * kmalloc and vmalloc buffers, both directions, any length up to
 * MaximumPhysicalMapping at any offset. Every piece Start reports is
 * checked through its bus address, translated as the bus sees it
 * (race_bus_to_virt): host to device, the bytes there must be the
 * buffer's; device to host, what is written there must reach the buffer at
 * Complete, and nothing else of it may change.
 *
 *   physmap   the race alone: every call must succeed and verify
 *   physshare two workers also use one register index from two CPUs: one
 *             maps, the other's Start is refused ("already maps a
 *             buffer"); each refusal is seen (ArraySize 0) and counted
 *   physfree  one worker on CPU C keeps calling while this task frees the
 *             map registers and allocates them again, a few rounds
 *   physhold  one worker on CPU C keeps calling until the adapter is
 *             halted with the registers not freed (race_physmap_halt)
 *
 * Calls after a Free are a miniport bug the shim must reject. The phase
 * word says where the Free stands (phase % 4: 0 registers allocated, 1
 * Free running, 2 freed, 3 allocating), so each call, by the phases seen
 * before and after it, is sure to succeed, sure to be rejected, or on the
 * edge; the run reports the rejections it expects as a range. A worker
 * reads and writes through a mapping's bus addresses only while the
 * mapping is sure to live: under the gate, which the Free takes (after
 * moving the phase) before it calls the shim; the memory behind a mapping
 * that a Free took may already be someone else's.
 */
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/kthread.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "race.h"

#define PM_SLOTS		4		/* register indices per worker */
#define PM_MAXMAP		(2 * PAGE_SIZE)	/* MaximumPhysicalMapping: 3 map registers each */
#define PM_BUF_LEN		(3 * PAGE_SIZE)
#define PM_UNITS		4		/* span of PM_MAXMAP bytes, anywhere: 3 pages */
#define PM_CPUS			8		/* per-CPU "inside Start" counters */

enum pm_mode { PM_RACE, PM_SHARE, PM_FREE, PM_HOLD };

/* One register index a worker uses, and the buffer mapped under it. */
struct pm_slot {
	u32 reg;
	bool shared;		/* another worker uses the index too */
	u8 *buf[2];		/* kmalloc, vmalloc: PM_BUF_LEN each */
	unsigned int kind;
	u32 off, len, seed;
	bool to_dev, held;
	bool live;		/* accessed through its bus addresses */
	u32 start_file;		/* the allocation it maps under; ~0: not known */
	PMDL mdl;
	NDIS_PHYSICAL_ADDRESS_UNIT units[PM_UNITS];
	UINT n;
};

struct pm_stats {
	u64 starts, completes, verified, verified_bytes, at_dispatch, vmalloc, multi_piece,
	    full_len;
	u64 overlapped;		/* Starts begun while another CPU was inside one */
	u64 refused_shared;	/* Starts on a shared index it held for the other */
	u64 rejected_starts;	/* Starts that mapped nothing (ArraySize 0) */
	u64 starts_in_free;	/* Starts that overlapped a Free */
	u64 completes_rejected;	/* Completes sure to be rejected */
	u64 completes_edge;	/* Completes that may or may not have been */
	u64 lost;		/* mapped during a Free or allocation: unchecked */
	u64 errors;
};

/* A run: its workers and where the Free stands. */
struct pm_run {
	struct race_adapter *a;
	enum pm_mode mode;
	u32 phase;		/* see the top of the file */
	spinlock_t gate;	/* bus-address accesses vs. the Free */
	u32 pin_req, pin_ack;	/* physfree: a mapping held across the Free */
	atomic_t in_start[PM_CPUS];
	atomic_t max_in_start;
	struct pm_worker *w[RACE_THREADS_MAX];
	unsigned int nw;
	u32 count;		/* BaseMapRegistersNeeded */
	bool allocated;
	u64 rounds, frees;
	bool pinned;		/* physhold: slot 0 mapped for the halt */
	char line[400];
};

struct pm_worker {
	struct pm_run *run;
	struct task_struct *task;
	int cpu;
	struct rnd_state rnd;
	spinlock_t dispatch;
	unsigned long deadline;
	bool stop;
	struct pm_slot slot[PM_SLOTS];
	u8 *tmp;		/* the bus side of a transfer: PM_MAXMAP */
	u32 seq;
	struct completion finished;
	struct pm_stats st;
	char first_error[128];
};

/* Counts an error; the first one is reported. */
#define pm_error(w, ...)							\
	do {									\
		(w)->st.errors++;						\
		race_note((w)->first_error, sizeof((w)->first_error), __VA_ARGS__); \
	} while (0)

/* Acquire: pairs with pm_phase_next(); a later load sees what came before. */
static u32 pm_phase(struct pm_run *run)
{
	return smp_load_acquire(&run->phase);
}

/*
 * Moves the phase on. Release: a worker that sees the new phase sees what
 * came before (the registers allocated). The full barrier orders the new
 * phase before what comes next (the Free's exchange of the register file):
 * a Start that found no file sees the Free's phase after it.
 */
static void pm_phase_next(struct pm_run *run)
{
	smp_store_release(&run->phase, run->phase + 1);
	smp_mb();
}

/*
 * The allocation a call that saw phases @b to @e found, or ~0 when it may
 * have found either of two (or none): allocation k is there from phase
 * 4k - 1 (published during it) to 4k + 1 (taken during it).
 */
static u32 pm_file_of(u32 b, u32 e)
{
	u32 p, k = ~0U;

	for (p = b; p <= e; p++) {
		u32 f = p % 4 == 3 ? p / 4 + 1 : p / 4;

		if (p % 4 == 2)
			continue;
		if (k != ~0U && k != f)
			return ~0U;
		k = f;
	}
	return k;
}

static int pm_alloc_registers(struct pm_run *run)
{
	NDIS_STATUS st;

	st = NdisMAllocateMapRegisters(run->a->MiniportAdapterHandle, 0, NDIS_DMA_32BITS,
				       run->count, PM_MAXMAP);
	run->allocated = st == NDIS_STATUS_SUCCESS;
	return run->allocated ? 0 : -EIO;
}

static void pm_free_registers(struct pm_run *run)
{
	if (!run->allocated)
		return;
	NdisMFreeMapRegisters(run->a->MiniportAdapterHandle);
	run->allocated = false;
}

/* ---- one mapping ---- */

static u8 *pm_data(struct pm_slot *s)
{
	return s->buf[s->kind] + s->off;
}

/*
 * The buffer after Complete: its data what the transfer left there (when
 * @data), every other byte poison.
 */
static bool pm_buffer_ok(struct pm_worker *w, struct pm_slot *s, bool data, const char *when)
{
	u8 *b = s->buf[s->kind];
	u32 j;

	for (j = 0; j < PM_BUF_LEN; j++) {
		bool in = j >= s->off && j < s->off + s->len;

		if (in && !data)
			continue;
		if (in ? b[j] == race_pattern(s->seed, j - s->off) : b[j] == RACE_POISON)
			continue;
		pm_error(w, "%s: %s byte %u (data %u+%u, %s, %s) is %#x", when,
			 in ? "data" : "guard", j, s->off, s->len, s->kind ? "vmalloc" : "kmalloc",
			 s->to_dev ? "to device" : "from device", b[j]);
		return false;
	}
	return true;
}

/* What Start reported: exactly the buffer's bytes, within the device's reach. */
static bool pm_pieces_ok(struct pm_worker *w, struct pm_slot *s, UINT want)
{
	u64 mask = dma_get_mask(&w->run->a->pdev->dev);
	u32 i, sum = 0;

	if (s->n > want) {
		pm_error(w, "Start: %u pieces for a span of %u pages", s->n, want);
		return false;
	}
	for (i = 0; i < s->n; i++) {
		u64 addr = s->units[i].PhysicalAddress.QuadPart;
		u32 l = s->units[i].Length;

		if (!l || addr > mask || l - 1 > mask - addr || l > s->len - sum) {
			pm_error(w, "Start: piece %u of %u at %#llx+%u (len %u, mask %#llx)", i,
				 s->n, addr, l, s->len, mask);
			return false;
		}
		sum += l;
	}
	if (sum != s->len) {
		pm_error(w, "Start: pieces hold %u bytes of %u", sum, s->len);
		return false;
	}
	return true;
}

/* The device's side, through the bus addresses: read, or write the data. */
static void pm_bus_side(struct pm_worker *w, struct pm_slot *s)
{
	struct device *dev = &w->run->a->pdev->dev;
	u32 i, at = 0, k;
	int err;

	if (!s->to_dev)
		for (k = 0; k < s->len; k++)
			w->tmp[k] = race_pattern(s->seed, k);
	for (i = 0; i < s->n; at += s->units[i].Length, i++) {
		err = race_sw_copy(dev, s->units[i].PhysicalAddress.QuadPart, w->tmp + at,
				   s->units[i].Length, s->to_dev);
		if (err) {
			pm_error(w, "bus address %#llx+%u of piece %u: %d",
				 s->units[i].PhysicalAddress.QuadPart, s->units[i].Length, i, err);
			return;
		}
	}
	if (!s->to_dev)
		return;
	for (k = 0; k < s->len; k++) {
		if (w->tmp[k] != race_pattern(s->seed, k)) {
			pm_error(w, "device reads %#x at byte %u of %u (%u pieces, %s)", w->tmp[k],
				 k, s->len, s->n, s->kind ? "vmalloc" : "kmalloc");
			return;
		}
	}
}

static void pm_overlap_enter(struct pm_worker *w)
{
	struct pm_run *run = w->run;
	int i, now = 0;

	atomic_inc(&run->in_start[w->cpu % PM_CPUS]);
	for (i = 0; i < PM_CPUS; i++) {
		int c = atomic_read(&run->in_start[i]);

		now += c;
		if (i != w->cpu % PM_CPUS && c)
			w->st.overlapped++;
	}
	if (now > atomic_read(&run->max_in_start))
		atomic_set(&run->max_in_start, now);
}

static void pm_take(struct pm_worker *w, struct pm_slot *s)
{
	struct race_adapter *a = w->run->a;
	u32 r = prandom_u32_state(&w->rnd), k, b, e;
	bool dispatch = r & 1;
	UINT want;

	s->kind = (r >> 1) & 1;
	s->to_dev = (r >> 2) & 1;
	s->len = (r >> 3) % 4 == 0 ? PM_MAXMAP : 1 + prandom_u32_state(&w->rnd) % PM_MAXMAP;
	s->off = prandom_u32_state(&w->rnd) % (PM_BUF_LEN - s->len + 1);
	s->seed = w->seq++;
	memset(s->buf[s->kind], RACE_POISON, PM_BUF_LEN);
	if (s->to_dev)
		for (k = 0; k < s->len; k++)
			pm_data(s)[k] = race_pattern(s->seed, k);
	s->mdl = NdisAllocateMdl(a->MiniportAdapterHandle, pm_data(s), s->len);
	if (!s->mdl) {
		pm_error(w, "no memory for an MDL");
		return;
	}
	NdisGetBufferPhysicalArraySize(s->mdl, &want);
	memset(s->units, 0, sizeof(s->units));
	s->n = ~0U;
	b = pm_phase(w->run);
	if (dispatch)
		spin_lock_bh(&w->dispatch);
	pm_overlap_enter(w);
	NdisMStartBufferPhysicalMapping(a->MiniportAdapterHandle, s->mdl, s->reg, s->to_dev,
					s->units, &s->n);
	atomic_dec(&w->run->in_start[w->cpu % PM_CPUS]);
	if (dispatch)
		spin_unlock_bh(&w->dispatch);
	e = pm_phase(w->run);
	w->st.starts++;
	w->st.starts_in_free += b % 4 == 1 || b != e;
	if (s->n == 0) {
		/* Mapped nothing: refused, and counted by the shim. */
		w->st.rejected_starts++;
		if (s->shared && b == e && b % 4 == 0)
			w->st.refused_shared++;
		else if (b == e && b % 4 == 0)
			pm_error(w, "Start refused with the registers allocated (phase %u)", b);
		NdisFreeMdl(s->mdl);
		s->mdl = NULL;
		return;
	}
	s->held = true;
	w->st.at_dispatch += dispatch;
	w->st.vmalloc += s->kind;
	w->st.multi_piece += s->n > 1;
	w->st.full_len += s->len == PM_MAXMAP;
	s->start_file = pm_file_of(b, e);
	if (!pm_pieces_ok(w, s, want)) {
		s->live = false;
		return;
	}
	/* Only while no Free can have taken it (the Free waits for the gate). */
	spin_lock(&w->run->gate);
	s->live = b == e && b % 4 == 0 && pm_phase(w->run) == b;
	if (s->live)
		pm_bus_side(w, s);
	spin_unlock(&w->run->gate);
	w->st.lost += !s->live;
}

static void pm_give(struct pm_worker *w, struct pm_slot *s)
{
	struct race_adapter *a = w->run->a;
	bool dispatch = prandom_u32_state(&w->rnd) & 1;
	u32 b, e, f = s->start_file;

	b = pm_phase(w->run);
	if (dispatch)
		spin_lock_bh(&w->dispatch);
	NdisMCompleteBufferPhysicalMapping(a->MiniportAdapterHandle, s->mdl, s->reg);
	if (dispatch)
		spin_unlock_bh(&w->dispatch);
	e = pm_phase(w->run);
	w->st.completes++;
	s->held = false;
	if (f != ~0U && b == e && b == 4 * f) {
		/* Sure to have completed it: the data must be there. */
		if (s->live && pm_buffer_ok(w, s, true, "after Complete")) {
			w->st.verified++;
			w->st.verified_bytes += s->len;
		} else if (!s->live) {
			pm_buffer_ok(w, s, s->to_dev, "after Complete of an unchecked mapping");
		}
	} else {
		if (f != ~0U && b >= 4 * f + 2)
			w->st.completes_rejected++;
		else
			w->st.completes_edge++;
		/* Taken by a Free, maybe: only the bytes around it are known. */
		pm_buffer_ok(w, s, s->to_dev, "after a Free");
	}
	NdisFreeMdl(s->mdl);
	s->mdl = NULL;
}

/* ---- the workers ---- */

static void pm_one(struct pm_worker *w)
{
	struct pm_run *run = w->run;
	unsigned int i = prandom_u32_state(&w->rnd) % PM_SLOTS;
	struct pm_slot *pin = &w->slot[0];

	/* physhold: slot 0 stays mapped for the halt (race_physhold_start). */
	if (run->mode == PM_HOLD && i == 0)
		return;
	/*
	 * physfree: slot 0 is mapped when the round asks for it and held
	 * until its Free has returned, so every Free finds a mapping.
	 */
	if (run->mode == PM_FREE) {
		/* Acquire/release: the request and its answer, across CPUs. */
		u32 req = smp_load_acquire(&run->pin_req);

		if (!pin->held && req != run->pin_ack) {
			pm_take(w, pin);
			if (!pin->held || !pin->live)
				pm_error(w, "the mapping to hold across the Free failed");
			smp_store_release(&run->pin_ack, req);
		} else if (pin->held && pm_phase(run) >= 4 * pin->start_file + 2) {
			pm_give(w, pin);
		}
		if (i == 0)
			return;
	}
	if (w->slot[i].held)
		pm_give(w, &w->slot[i]);
	else
		pm_take(w, &w->slot[i]);
}

static int pm_thread(void *data)
{
	struct pm_worker *w = data;
	unsigned int i;

	while (!READ_ONCE(w->stop) && time_before(jiffies, w->deadline) &&
	       !kthread_should_stop()) {
		pm_one(w);
		cond_resched();
	}
	/* A halted adapter's mappings went with it: nothing to complete. */
	for (i = 0; i < PM_SLOTS && READ_ONCE(w->run->mode) != PM_HOLD; i++)
		if (w->slot[i].held)
			pm_give(w, &w->slot[i]);
	complete(&w->finished);
	return race_wait_for_stop();
}

static void pm_worker_free(struct pm_worker *w)
{
	unsigned int i;

	if (!w)
		return;
	for (i = 0; i < PM_SLOTS; i++) {
		if (w->slot[i].mdl)
			NdisFreeMdl(w->slot[i].mdl);
		kfree(w->slot[i].buf[0]);
		vfree(w->slot[i].buf[1]);
	}
	kfree(w->tmp);
	kfree(w);
}

static struct pm_worker *pm_worker_new(struct pm_run *run, unsigned int idx, int cpu, u64 seed)
{
	struct pm_worker *w = kzalloc(sizeof(*w), GFP_KERNEL);
	unsigned int i;

	if (!w)
		return NULL;
	w->run = run;
	w->cpu = cpu;
	w->deadline = MAX_JIFFY_OFFSET + jiffies;
	spin_lock_init(&w->dispatch);
	init_completion(&w->finished);
	prandom_seed_state(&w->rnd, seed);
	w->tmp = kmalloc(PM_MAXMAP, GFP_KERNEL);
	for (i = 0; i < PM_SLOTS; i++) {
		/* physshare: index 0 is both workers' slot 0. */
		w->slot[i].shared = run->mode == PM_SHARE && i == 0;
		w->slot[i].reg = w->slot[i].shared ? 0 : 1 + idx * PM_SLOTS + i;
		w->slot[i].buf[0] = kmalloc(PM_BUF_LEN, GFP_KERNEL);
		w->slot[i].buf[1] = vmalloc(PM_BUF_LEN);
		if (!w->slot[i].buf[0] || !w->slot[i].buf[1])
			goto fail;
	}
	if (!w->tmp)
		goto fail;
	w->task = kthread_create(pm_thread, w, "ndis_race_pm/%u", idx);
	if (IS_ERR(w->task)) {
		w->task = NULL;
		goto fail;
	}
	kthread_bind(w->task, cpu);
	return w;
fail:
	pm_worker_free(w);
	return NULL;
}

/* Stops the workers: @now, or at their deadline. */
static void pm_workers_stop(struct pm_run *run, bool now)
{
	unsigned int i;

	for (i = 0; i < run->nw && now; i++)
		WRITE_ONCE(run->w[i]->stop, true);
	for (i = 0; i < run->nw; i++) {
		wait_for_completion(&run->w[i]->finished);
		kthread_stop(run->w[i]->task);
		run->w[i]->task = NULL;
	}
}

/* The run's counts, one line; rejections= the range the shim must have counted. */
static void pm_report(struct pm_run *run, char *buf, size_t size, long long ms)
{
	struct pm_stats sum = {};
	const char *first = "";
	unsigned int i;
	u64 lo;

	for (i = 0; i < run->nw; i++) {
		const u64 *f = (const u64 *)&run->w[i]->st;
		u64 *t = (u64 *)&sum;
		size_t k;

		for (k = 0; k < sizeof(sum) / sizeof(u64); k++)
			t[k] += f[k];
		if (!*first && run->w[i]->first_error[0])
			first = run->w[i]->first_error;
	}
	/* One per Start refused, per Free with a mapping held, per late Complete. */
	lo = sum.rejected_starts + run->frees + sum.completes_rejected;
	scnprintf(buf, size,
		  "threads=%u ms=%lld rounds=%llu pinned=%d starts=%llu completes=%llu verified=%llu verified_bytes=%llu at_dispatch=%llu vmalloc=%llu multi_piece=%llu full_len=%llu overlapped=%llu max_in_start=%d refused_shared=%llu rejected_starts=%llu starts_in_free=%llu completes_rejected=%llu completes_edge=%llu lost=%llu rejections=%llu-%llu errors=%llu%s%s",
		  run->nw, ms, run->rounds, run->pinned, sum.starts, sum.completes, sum.verified,
		  sum.verified_bytes, sum.at_dispatch, sum.vmalloc, sum.multi_piece, sum.full_len,
		  sum.overlapped, atomic_read(&run->max_in_start), sum.refused_shared,
		  sum.rejected_starts, sum.starts_in_free, sum.completes_rejected,
		  sum.completes_edge, sum.lost, lo, lo + sum.completes_edge, sum.errors,
		  *first ? " first=" : "", first);
}

static void pm_run_free(struct pm_run *run)
{
	unsigned int i;

	for (i = 0; i < run->nw; i++)
		pm_worker_free(run->w[i]);
	kfree(run);
}

static struct pm_run *pm_run_new(struct race_adapter *a, enum pm_mode mode, unsigned int n,
				 int cpu, u64 seed)
{
	struct pm_run *run = kzalloc(sizeof(*run), GFP_KERNEL);
	unsigned int i;

	if (!run)
		return NULL;
	run->a = a;
	run->mode = mode;
	spin_lock_init(&run->gate);
	/* Register 0 (physshare's), then PM_SLOTS per worker. */
	run->count = 1 + n * PM_SLOTS;
	for (i = 0; i < n; i++) {
		int c = cpu >= 0 ? cpu : (int)cpumask_nth(i % num_online_cpus(), cpu_online_mask);

		run->w[i] = pm_worker_new(run, i, c, seed + i);
		if (!run->w[i]) {
			pm_run_free(run);
			return NULL;
		}
		run->nw++;
	}
	return run;
}

static void pm_wake(struct pm_run *run, unsigned long deadline)
{
	unsigned int i;

	for (i = 0; i < run->nw; i++) {
		run->w[i]->deadline = deadline;
		wake_up_process(run->w[i]->task);
	}
}

/* ---- the commands ---- */

/* physmap and physshare: @threads workers over the CPUs for @ms. */
int race_physmap_run(struct race_adapter *a, bool share, unsigned int threads, unsigned int ms,
		     u64 seed)
{
	unsigned int n = clamp(threads, share ? 2U : 1U, (unsigned int)RACE_THREADS_MAX);
	ktime_t t0 = ktime_get();
	struct pm_run *run;
	int err;

	if (a->physmap)
		return -EBUSY;
	run = pm_run_new(a, share ? PM_SHARE : PM_RACE, n, -1, seed);
	if (!run)
		return -ENOMEM;
	err = pm_alloc_registers(run);
	if (!err) {
		pm_wake(run, jiffies + msecs_to_jiffies(ms));
		pm_workers_stop(run, false);
	} else {
		/* Never woken: kthread_stop() runs them only to exit. */
		for (n = 0; n < run->nw; n++)
			kthread_stop(run->w[n]->task);
	}
	/* Every mapping completed: this Free finds none. */
	pm_free_registers(run);
	pm_report(run, run->line, sizeof(run->line), ktime_ms_delta(ktime_get(), t0));
	race_result(a, "%s %s err=%d\n", share ? "physshare" : "physmap", run->line, err);
	pm_run_free(run);
	return err;
}

/*
 * physfree: a worker on @cpu while this task frees the map registers and
 * allocates them again, @rounds times; the worker holds one mapping across
 * each Free.
 */
int race_physfree_run(struct race_adapter *a, unsigned int rounds, int cpu, u64 seed)
{
	ktime_t t0 = ktime_get();
	struct rnd_state rnd;
	struct pm_run *run;
	unsigned int r, i;
	int err;

	if (a->physmap)
		return -EBUSY;
	run = pm_run_new(a, PM_FREE, 1, cpu, seed);
	if (!run)
		return -ENOMEM;
	prandom_seed_state(&rnd, seed);
	run->phase = 4;
	err = pm_alloc_registers(run);
	if (err) {
		kthread_stop(run->w[0]->task);
		goto out;
	}
	pm_wake(run, MAX_JIFFY_OFFSET + jiffies);
	for (r = 0; r < rounds && !err; r++) {
		/*
		 * The worker maps slot 0 and holds it across this Free (release
		 * and acquire: the request and its answer).
		 */
		smp_store_release(&run->pin_req, r + 1);
		for (i = 0; i < 1000 && smp_load_acquire(&run->pin_ack) != r + 1; i++)
			usleep_range(500, 1000);
		if (smp_load_acquire(&run->pin_ack) != r + 1) {
			err = -ETIMEDOUT;
			break;
		}
		/* Long enough for a few dozen verified mappings. */
		msleep(15 + prandom_u32_state(&rnd) % 15);
		pm_phase_next(run);		/* 4k + 1: the Free begins */
		/* No bus-address access in flight any more. */
		spin_lock(&run->gate);
		spin_unlock(&run->gate);
		pm_free_registers(run);
		run->frees++;
		pm_phase_next(run);		/* 4k + 2: freed */
		msleep(1 + prandom_u32_state(&rnd) % 3);
		pm_phase_next(run);		/* 4k + 3: allocating */
		err = pm_alloc_registers(run);
		pm_phase_next(run);		/* 4(k + 1) */
		run->rounds++;
	}
	pm_workers_stop(run, true);
	/* The worker completed what it held: nothing in use. */
	pm_free_registers(run);
out:
	pm_report(run, run->line, sizeof(run->line), ktime_ms_delta(ktime_get(), t0));
	race_result(a, "physfree %s err=%d\n", run->line, err);
	pm_run_free(run);
	return err;
}

/* physhold: a worker on @cpu until the adapter is halted. */
int race_physhold_start(struct race_adapter *a, int cpu, u64 seed)
{
	struct pm_run *run;
	int err;

	if (a->physmap)
		return -EBUSY;
	run = pm_run_new(a, PM_HOLD, 1, cpu, seed);
	if (!run)
		return -ENOMEM;
	err = pm_alloc_registers(run);
	if (err) {
		kthread_stop(run->w[0]->task);
		pm_run_free(run);
		return err;
	}
	/* Mapped before the worker runs: the halt finds it mapped. */
	pm_take(run->w[0], &run->w[0]->slot[0]);
	run->pinned = run->w[0]->slot[0].held && run->w[0]->slot[0].live;
	a->physmap = run;
	pm_wake(run, MAX_JIFFY_OFFSET + jiffies);
	race_result(a, "physhold cpu=%d err=0\n", cpu);
	return 0;
}

/*
 * From halt: the worker keeps calling, but touches no bus address from
 * here on. With @free (the miniport deregisters everything itself) it
 * stops and frees the registers; else the shim's release meets it, and
 * race_physmap_reap stops it.
 */
void race_physmap_halt(struct race_adapter *a, bool free)
{
	struct pm_run *run = a->physmap;

	if (!run)
		return;
	if (!free) {
		/* 4k + 1 for good: the shim's release comes after this returns. */
		pm_phase_next(run);
		spin_lock(&run->gate);
		spin_unlock(&run->gate);
		return;
	}
	/* As a miniport should: everything completed, then freed. */
	WRITE_ONCE(run->mode, PM_RACE);
	pm_workers_stop(run, true);
	pm_free_registers(run);
	pm_report(run, run->line, sizeof(run->line), 0);
	pr_info("ndis_race %s: physmap halt freed: %s\n", a->name, run->line);
	a->physmap = NULL;
	pm_run_free(run);
}

/* Leave mode, a second after halt: the shim has released the registers. */
void race_physmap_reap(struct race_adapter *a)
{
	struct pm_run *run = a->physmap;

	if (!run || !run->w[0]->task)
		return;
	pm_workers_stop(run, true);
	pm_report(run, run->line, sizeof(run->line), 0);
	pr_info("ndis_race %s: physmap halt left: %s\n", a->name, run->line);
}

/* At unload: the buffers outlived the shim's release of their mappings. */
void race_physmap_free(struct race_adapter *a)
{
	if (a->physmap)
		pm_run_free(a->physmap);
	a->physmap = NULL;
}
