// SPDX-License-Identifier: GPL-2.0
/*
 * Setup/Complete on one channel against the adapter's ISR and DPC.
 *
 * Channel 0 is edu's engine, which raises an interrupt when a transfer is
 * done; the DPC completes the transfer that is armed and may set up one of
 * its own at DISPATCH_LEVEL. Several threads, spread over the CPUs, keep
 * calling NdisMSetupDmaTransfer on the same channel (at PASSIVE_LEVEL or
 * under a spin lock): the shim must start exactly one transfer at a time
 * (the others get NDIS_STATUS_RESOURCES), and the controller's Start says
 * whose it is. The owner waits for the DPC, or completes early itself,
 * racing the DPC for it (whoever claims the transfer calls Complete). Every
 * contender owns a part of edu's buffer and remembers what it wrote there,
 * so a device-to-host transfer is checked byte for byte, with the guard
 * bytes around it. After an early Complete that returned RESOURCES (the
 * engine was fenced) the buffer is the miniport's again: nothing may write
 * it afterwards, whoever reaps the transfer. Now and then Start hands a
 * thread's transfer to the prompt completer on another CPU and waits until
 * its Complete is under way: a Complete that arrives while the Setup that
 * started the engine still holds the channel must wait for it and
 * complete the transfer, not be refused.
 */
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "race.h"

u64 race_errors(const struct race_stats *st)
{
	return st->mismatches + st->guard + st->written_after + st->lost_irq + st->bad_status +
	       st->bad_counter;
}

/* Who is calling Setup: Start runs in the caller's context. */
struct contender *race_caller(struct race_adapter *a)
{
	struct task_struct *me = current;
	unsigned int i;

	if (in_serving_softirq() || (a->dpc && READ_ONCE(a->dpc_kicker) == me))
		return a->dpc;
	if (a->cmd && a->cmd->task == me)
		return a->cmd;
	for (i = 0; i < a->nthreads; i++)
		if (a->ctd[i] && a->ctd[i]->task == me)
			return a->ctd[i];
	return NULL;
}

/* From Start, under the shim's channel lock: @c's transfer is armed. */
void race_started(struct race_adapter *a, struct contender *c)
{
	unsigned long flags;

	spin_lock_irqsave(&a->xlock, flags);
	/* Nobody called Complete for the armed one: two transfers at once. */
	if (a->cur_state == RACE_ARMED)
		a->double_starts++;
	a->cur = c;
	a->cur_gen = ++a->gen;
	a->cur_state = RACE_ARMED;
	c->gen = a->cur_gen;
	c->done_early = false;
	spin_unlock_irqrestore(&a->xlock, flags);
}

/* Start's share of the prompt completer: 2 ms at most, never sleeps. */
void race_prompt_from_start(struct race_adapter *a, struct contender *c)
{
	struct task_struct *t = READ_ONCE(a->prompt_task);
	unsigned int us;

	if (!t || !c->task || c == a->cmd || READ_ONCE(a->prompt) ||
	    prandom_u32_state(&c->rnd) % 4)
		return;
	atomic_set(&a->prompt_calling, 0);
	smp_store_release(&a->prompt, c);
	wake_up_process(t);
	for (us = 0; us < 2000 && !atomic_read(&a->prompt_calling); us += 5)
		udelay(5);
	if (atomic_read(&a->prompt_calling)) {
		a->prompt_inside++;
		/* Its Complete is now waiting for this Setup to finish. */
		udelay(50);
	}
}

/* The owner takes its armed transfer away from the DPC. */
static bool race_claim(struct contender *c)
{
	struct race_adapter *a = c->a;
	unsigned long flags;
	bool mine;

	spin_lock_irqsave(&a->xlock, flags);
	mine = a->cur == c && a->cur_gen == c->gen && a->cur_state == RACE_ARMED;
	if (mine)
		a->cur_state = RACE_COMPLETING;
	spin_unlock_irqrestore(&a->xlock, flags);
	return mine;
}

/* Complete was called for generation @gen: the channel is free again. */
static void race_finish(struct contender *c, u64 gen, NDIS_STATUS st)
{
	struct race_adapter *a = c->a;
	unsigned long flags;

	spin_lock_irqsave(&a->xlock, flags);
	if (a->cur_gen == gen && a->cur_state == RACE_COMPLETING)
		a->cur_state = RACE_IDLE;
	spin_unlock_irqrestore(&a->xlock, flags);
	c->done_status = st;
	/* Pairs with the owner's acquire: done_status is read after it. */
	smp_store_release(&c->done_gen, gen);
}

/* Completes the transfer Start handed over, early, at DISPATCH_LEVEL. */
static void race_prompt_complete(struct race_adapter *a, struct contender *c)
{
	unsigned long flags;
	NDIS_STATUS st;
	bool mine;
	u64 gen;

	spin_lock_irqsave(&a->xlock, flags);
	mine = a->cur == c && a->cur_state == RACE_ARMED;
	gen = a->cur_gen;
	if (mine)
		a->cur_state = RACE_COMPLETING;
	spin_unlock_irqrestore(&a->xlock, flags);
	if (!mine)
		return;
	local_bh_disable();
	atomic_set(&a->prompt_calling, 1);
	NdisMCompleteDmaTransfer(&st, READ_ONCE(a->DmaHandle), c->bufs.mdl[c->x.kind], c->x.off,
				 c->x.len, c->x.to_dev);
	local_bh_enable();
	c->done_early = true;
	race_finish(c, gen, st);
}

static int race_prompt_thread(void *data)
{
	struct race_adapter *a = data;
	struct contender *c;

	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		c = smp_load_acquire(&a->prompt);
		if (!c && kthread_should_stop())
			break;
		if (!c) {
			schedule();
			continue;
		}
		__set_current_state(TASK_RUNNING);
		race_prompt_complete(a, c);
		smp_store_release(&a->prompt, NULL);
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

static struct contender *race_contender_new(struct race_adapter *a, const char *name,
					    u32 region, u32 region_len, u64 seed)
{
	struct contender *c = kzalloc(sizeof(*c), GFP_KERNEL);

	if (!c)
		return NULL;
	c->a = a;
	c->name = name;
	c->region = region;
	c->region_len = region_len;
	c->shadow = kzalloc(region_len, GFP_KERNEL);
	c->known = kzalloc(region_len, GFP_KERNEL);
	c->src = kzalloc(region_len, GFP_KERNEL);
	spin_lock_init(&c->dispatch);
	init_completion(&c->finished);
	atomic_set(&c->busy, 0);
	prandom_seed_state(&c->rnd, seed ^ ((u64)region << 32) ^ a->pdev->devfn);
	if (!c->shadow || !c->known || !c->src || race_bufs_alloc(a, &c->bufs)) {
		kfree(c->shadow);
		kfree(c->known);
		kfree(c->src);
		kfree(c);
		return NULL;
	}
	return c;
}

static void race_contender_free(struct contender *c)
{
	if (!c)
		return;
	race_bufs_free(&c->bufs);
	kfree(c->shadow);
	kfree(c->known);
	kfree(c->src);
	kfree(c);
}

static void race_add_stats(struct race_stats *to, const struct race_stats *from)
{
	const u64 *f = (const u64 *)from;
	u64 *t = (u64 *)to;
	size_t i;

	for (i = 0; i < sizeof(*from) / sizeof(u64); i++)
		t[i] += f[i];
}

/* A new transfer in the contender's part of edu's buffer. */
static void race_pick(struct contender *c, bool read_back)
{
	struct race_xfer *x = &c->x;
	u32 r = prandom_u32_state(&c->rnd);

	if (!read_back) {
		x->len = r & 2 ? c->region_len : 1 + prandom_u32_state(&c->rnd) % c->region_len;
		x->doff = c->region + prandom_u32_state(&c->rnd) % (c->region_len - x->len + 1);
		x->to_dev = r & 1;
	} else {
		/* Read back what the last transfer wrote, into another buffer. */
		x->to_dev = false;
	}
	x->kind = prandom_u32_state(&c->rnd) % RACE_KINDS;
	x->off = prandom_u32_state(&c->rnd) % (RACE_BUF_LEN - x->len + 1);
	x->dispatch = (r >> 8) & 1;
	memset(c->bufs.va[x->kind], RACE_POISON, RACE_BUF_LEN);
	if (x->to_dev) {
		prandom_bytes_state(&c->rnd, c->src, x->len);
		memcpy(c->bufs.va[x->kind] + x->off, c->src, x->len);
	}
}

/* Setup (or Complete) of the contender's transfer, at DISPATCH_LEVEL if asked. */
static NDIS_STATUS race_call(struct contender *c, bool complete)
{
	struct race_xfer *x = &c->x;
	NDIS_HANDLE h = READ_ONCE(c->a->DmaHandle);
	PMDL mdl = c->bufs.mdl[x->kind];
	NDIS_STATUS st;

	if (x->dispatch)
		spin_lock_bh(&c->dispatch);
	if (complete)
		NdisMCompleteDmaTransfer(&st, h, mdl, x->off, x->len, x->to_dev);
	else
		NdisMSetupDmaTransfer(&st, h, mdl, x->off, x->len, x->to_dev);
	if (x->dispatch)
		spin_unlock_bh(&c->dispatch);
	return st;
}

/* Bytes outside the transfer still poison (and, to the device, the data untouched). */
static bool race_guard_ok(struct contender *c, bool data_too)
{
	struct race_xfer *x = &c->x;
	u8 *buf = c->bufs.va[x->kind];
	u32 j;

	for (j = 0; j < RACE_BUF_LEN; j++) {
		if (j >= x->off && j < x->off + x->len)
			continue;
		if (buf[j] != RACE_POISON) {
			c->st.guard++;
			race_note(c->first_error, sizeof(c->first_error),
				  "%s: byte %u outside %s %u+%u (kind %u) was written", c->name, j,
				  x->to_dev ? "to" : "from", x->off, x->len, x->kind);
			return false;
		}
	}
	if (data_too && memcmp(buf + x->off, c->src, x->len)) {
		c->st.guard++;
		race_note(c->first_error, sizeof(c->first_error),
			  "%s: host-to-device data %u+%u changed", c->name, x->off, x->len);
		return false;
	}
	return true;
}

/* What a completed transfer moved, against what the contender knows. */
static void race_check(struct contender *c, NDIS_STATUS st, bool by_dpc)
{
	struct race_xfer *x = &c->x;
	u32 rel = x->doff - c->region, i, compared = 0;
	u8 *buf = c->bufs.va[x->kind];

	if (st == NDIS_STATUS_SUCCESS) {
		if (x->to_dev) {
			memcpy(c->shadow + rel, c->src, x->len);
			memset(c->known + rel, 1, x->len);
			race_guard_ok(c, true);
			return;
		}
		for (i = 0; i < x->len; i++) {
			if (!c->known[rel + i])
				continue;
			if (buf[x->off + i] != c->shadow[rel + i]) {
				c->st.mismatches++;
				race_note(c->first_error, sizeof(c->first_error),
					  "%s: edu %u+%u into kind %u %u: byte %u is %#x, want %#x",
					  c->name, x->doff, x->len, x->kind, x->off, i,
					  buf[x->off + i], c->shadow[rel + i]);
				return;
			}
			compared++;
		}
		if (compared) {
			c->st.verified++;
			c->st.verified_bytes += compared;
		} else {
			c->st.unverified++;
		}
		race_guard_ok(c, false);
		return;
	}
	/* Whatever reached edu is unknown now. */
	if (x->to_dev)
		memset(c->known + rel, 0, x->len);
	if (st == NDIS_STATUS_RESOURCES && !by_dpc) {
		/* Fenced early: nothing was copied for the CPU. */
		race_guard_ok(c, x->to_dev);
	} else if (st == NDIS_STATUS_INVALID_PARAMETER && READ_ONCE(c->a->chain_tearing)) {
		/* The channel was deregistered under it (race_teardown.c). */
		c->st.stale++;
	} else {
		c->st.bad_status++;
		race_note(c->first_error, sizeof(c->first_error),
			  "%s: Complete by %s returned %#x", c->name, by_dpc ? "the DPC" : "its owner",
			  (u32)st);
	}
}

/*
 * After Complete returned RESOURCES the buffer is the miniport's: the
 * engine was fenced and the shim holds the mapping until the engine is
 * idle. Until the transfer is reaped (the engine idle and the next Setup
 * started) and after, nothing may write the buffer.
 */
static void race_sentinel_check(struct contender *c)
{
	struct race_adapter *a = c->a;
	u8 *buf = c->bufs.va[c->x.kind];
	s64 starts = atomic64_read(&a->starts);
	unsigned int i;

	memset(buf, RACE_SENTINEL, RACE_BUF_LEN);
	for (i = 0; i < 500 && (edu_running(a) || atomic64_read(&a->starts) == starts); i++)
		usleep_range(1000, 1100);
	if (memchr_inv(buf, RACE_SENTINEL, RACE_BUF_LEN)) {
		c->st.written_after++;
		race_note(c->first_error, sizeof(c->first_error),
			  "%s: buffer (kind %u) written after Complete returned RESOURCES",
			  c->name, c->x.kind);
	}
}

/* One transfer of a thread contender, from Setup to the data check. */
static void race_one(struct contender *c)
{
	struct race_adapter *a = c->a;
	int early = -1, waited;
	bool by_dpc = false;
	NDIS_STATUS st;
	u64 gen = c->gen;
	ULONG counter;

	race_pick(c, c->x.to_dev && c->st.setups && prandom_u32_state(&c->rnd) % 10 < 6);
	st = race_call(c, false);
	if (st == NDIS_STATUS_RESOURCES) {
		/* The channel is in use: ours is refused, nothing is mapped. */
		c->st.refused++;
		race_guard_ok(c, c->x.to_dev);
		usleep_range(50, 500);
		return;
	}
	if (st != NDIS_STATUS_SUCCESS || c->gen == gen) {
		c->st.bad_status++;
		race_note(c->first_error, sizeof(c->first_error),
			  "%s: Setup returned %#x, Start %s", c->name, (u32)st,
			  c->gen == gen ? "not called" : "called");
		msleep(20);
		return;
	}
	c->st.setups++;
	gen = c->gen;
	if (prandom_u32_state(&c->rnd) % 100 < 30)
		early = prandom_u32_state(&c->rnd) % 150;
	for (waited = 0;; waited++) {
		if (smp_load_acquire(&c->done_gen) == gen) {
			st = c->done_status;
			by_dpc = !c->done_early;
			if (by_dpc)
				c->st.dpc_completes++;
			else
				c->st.prompt++;
			break;
		}
		/* Early, or the interrupt never came: the owner completes. */
		if ((waited == early || waited >= 3000) && race_claim(c)) {
			st = race_call(c, true);
			race_finish(c, gen, st);
			if (waited >= 3000) {
				c->st.lost_irq++;
				race_note(c->first_error, sizeof(c->first_error),
					  "%s: no DPC completed %u+%u after 3 s", c->name,
					  c->x.doff, c->x.len);
			} else {
				c->st.early++;
			}
			break;
		}
		if (waited >= 5000) {
			c->st.bad_status++;
			race_note(c->first_error, sizeof(c->first_error),
				  "%s: the DPC claimed the transfer and never finished", c->name);
			return;
		}
		if (waited % 8 == 0) {
			counter = NdisMReadDmaCounter(READ_ONCE(a->DmaHandle));
			if (counter > EDU_SIZE) {
				c->st.bad_counter++;
				race_note(c->first_error, sizeof(c->first_error),
					  "%s: NdisMReadDmaCounter %u", c->name, counter);
			}
		}
		usleep_range(1000, 1100);
	}
	race_check(c, st, by_dpc);
	if (!by_dpc && st == NDIS_STATUS_RESOURCES) {
		c->st.early_fenced++;
		race_sentinel_check(c);
	}
}

static int race_thread(void *data)
{
	struct contender *c = data;

	while (time_before(jiffies, c->deadline) && !kthread_should_stop()) {
		race_one(c);
		cond_resched();
	}
	complete(&c->finished);
	return race_wait_for_stop();
}

/* ---- the DPC ---- */

/* The DPC's own next transfer (or its first, from race_chain_start). */
static void race_dpc_setup(struct race_adapter *a)
{
	struct contender *c = a->dpc;
	NDIS_STATUS st;

	if (!c || atomic_cmpxchg(&c->busy, 0, 1) != 0)
		return;
	race_pick(c, c->x.to_dev && c->st.setups && prandom_u32_state(&c->rnd) % 2);
	NdisMSetupDmaTransfer(&st, READ_ONCE(a->DmaHandle), c->bufs.mdl[c->x.kind], c->x.off,
			      c->x.len, c->x.to_dev);
	if (st == NDIS_STATUS_SUCCESS) {
		/* Busy until the DPC completes it. */
		c->st.setups++;
		return;
	}
	if (st == NDIS_STATUS_RESOURCES) {
		c->st.refused++;
	} else if (st == NDIS_STATUS_INVALID_PARAMETER && READ_ONCE(a->chain_tearing)) {
		c->st.stale++;
	} else {
		c->st.bad_status++;
		race_note(c->first_error, sizeof(c->first_error), "dpc: Setup returned %#x",
			  (u32)st);
	}
	atomic_set_release(&c->busy, 0);
}

/*
 * Completes the armed transfer if the engine is done with it; a DPC with
 * nothing armed (an interrupt of a transfer completed early) is a stray.
 */
void race_dpc(struct race_adapter *a)
{
	struct contender *c = NULL;
	unsigned long flags;
	NDIS_STATUS st;
	u64 gen = 0;

	atomic64_inc(&a->dpc_runs);
	spin_lock_irqsave(&a->xlock, flags);
	if (a->cur_state == RACE_ARMED && !edu_running(a)) {
		c = a->cur;
		gen = a->cur_gen;
		a->cur_state = RACE_COMPLETING;
	} else {
		a->strays++;
	}
	spin_unlock_irqrestore(&a->xlock, flags);
	if (c) {
		NdisMCompleteDmaTransfer(&st, READ_ONCE(a->DmaHandle), c->bufs.mdl[c->x.kind],
					 c->x.off, c->x.len, c->x.to_dev);
		if (c == a->dpc) {
			c->st.dpc_completes++;
			race_check(c, st, true);
			race_finish(c, gen, st);
			atomic_set_release(&c->busy, 0);
		} else {
			/* The owner checks the data (and counts). */
			race_finish(c, gen, st);
		}
	}
	if (READ_ONCE(a->chain) && get_random_u32_below(100) < READ_ONCE(a->chain_percent))
		race_dpc_setup(a);
}

/* ---- the DPC's chain of transfers (also the teardown's) ---- */

/* Starts the DPC's chain: its first transfer is set up from here. */
int race_chain_start(struct race_adapter *a, u64 seed)
{
	unsigned int i;

	if (!a->dpc) {
		a->dpc = race_contender_new(a, "dpc", 0, EDU_SIZE, seed);
		if (!a->dpc)
			return -ENOMEM;
	}
	WRITE_ONCE(a->chain_percent, 100);
	WRITE_ONCE(a->chain, true);
	/* The engine may still finish an abandoned transfer: retry a while. */
	for (i = 0; i < 100 && !atomic_read(&a->dpc->busy); i++) {
		local_bh_disable();
		WRITE_ONCE(a->dpc_kicker, current);
		race_dpc_setup(a);
		WRITE_ONCE(a->dpc_kicker, NULL);
		local_bh_enable();
		if (!atomic_read(&a->dpc->busy))
			msleep(5);
	}
	return atomic_read(&a->dpc->busy) ? 0 : -EBUSY;
}

/* Waits up to @ms for the DPC to complete one more of the chain's transfers. */
void race_chain_wait_complete(struct race_adapter *a, unsigned int ms)
{
	u64 before = a->dpc ? READ_ONCE(a->dpc->st.dpc_completes) : 0;
	unsigned int i;

	for (i = 0; a->dpc && i < ms / 5 && READ_ONCE(a->dpc->st.dpc_completes) == before; i++)
		msleep(5);
}

/* Ends the chain; waits for its last transfer (false: it never finished). */
bool race_chain_quiesce(struct race_adapter *a)
{
	unsigned int i;

	WRITE_ONCE(a->chain, false);
	for (i = 0; a->dpc && atomic_read(&a->dpc->busy) && i < 2000; i++)
		usleep_range(1000, 1100);
	return !a->dpc || !atomic_read(&a->dpc->busy);
}

/*
 * After the channel went away under the chain: a transfer it had armed
 * was abandoned (the shim stopped the engine and unmapped), no interrupt
 * will complete it. Nothing of it is known any more.
 */
void race_chain_forget(struct race_adapter *a)
{
	struct contender *c = a->dpc;
	unsigned long flags;

	spin_lock_irqsave(&a->xlock, flags);
	if (a->cur_state == RACE_ARMED)
		a->cur_state = RACE_IDLE;
	a->gen++;
	spin_unlock_irqrestore(&a->xlock, flags);
	if (c && atomic_read(&c->busy)) {
		if (c->x.to_dev)
			memset(c->known + c->x.doff - c->region, 0, c->x.len);
		c->st.stale++;
		atomic_set_release(&c->busy, 0);
	}
}

void race_chain_report(struct race_adapter *a, char *buf, size_t size)
{
	const struct race_stats *st = a->dpc ? &a->dpc->st : NULL;

	if (!st) {
		scnprintf(buf, size, "dpc none");
		return;
	}
	scnprintf(buf, size,
		  "dpc setups=%llu refused=%llu completes=%llu verified=%llu unverified=%llu stale=%llu errors=%llu%s%s",
		  st->setups, st->refused, st->dpc_completes, st->verified, st->unverified,
		  st->stale, race_errors(st), a->dpc->first_error[0] ? " first=" : "",
		  a->dpc->first_error);
}

void race_chain_free(struct race_adapter *a)
{
	race_contender_free(a->dpc);
	a->dpc = NULL;
}

/* ---- the runs ---- */

int race_channel_run(struct race_adapter *a, unsigned int threads, unsigned int ms, u64 seed)
{
	unsigned int n = clamp(threads, 1U, (unsigned int)RACE_THREADS_MAX), i;
	u32 rlen = rounddown(EDU_SIZE / (n + 1), 64);
	unsigned long deadline = jiffies + msecs_to_jiffies(ms);
	struct race_stats sum = {};
	const char *first = "";
	s64 starts = atomic64_read(&a->starts), isr = atomic64_read(&a->isr_runs);
	s64 dpcs = atomic64_read(&a->dpc_runs);
	u64 strays = a->strays, doubles = a->double_starts, unknown = a->unknown_caller;
	u64 inside = a->prompt_inside;
	struct task_struct *prompt;
	char dpc_line[200];
	ktime_t t0 = ktime_get();
	int err = 0;

	race_chain_free(a);
	a->dpc = race_contender_new(a, "dpc", n * rlen, rlen, seed);
	if (!a->dpc)
		return -ENOMEM;
	for (i = 0; i < n && !err; i++) {
		struct contender *c = race_contender_new(a, "thread", i * rlen, rlen, seed + i + 1);

		if (!c) {
			err = -ENOMEM;
			break;
		}
		c->deadline = deadline;
		c->task = kthread_create(race_thread, c, "ndis_race/%u", i);
		if (IS_ERR(c->task)) {
			err = PTR_ERR(c->task);
			race_contender_free(c);
			break;
		}
		/* Spread over the CPUs: the DPC runs on whichever takes the interrupt. */
		kthread_bind(c->task, cpumask_nth(i % num_online_cpus(), cpu_online_mask));
		a->ctd[i] = c;
		a->nthreads = i + 1;
	}
	prompt = err ? NULL : kthread_run(race_prompt_thread, a, "ndis_race/prompt");
	if (IS_ERR(prompt)) {
		err = PTR_ERR(prompt);
		prompt = NULL;
	}
	WRITE_ONCE(a->prompt_task, prompt);
	/*
	 * The DPC sets up one of its own after a quarter of its runs: at
	 * once, in its softirq, it would win the channel nearly every time.
	 */
	WRITE_ONCE(a->chain_percent, 25);
	WRITE_ONCE(a->chain, !err);
	for (i = 0; i < a->nthreads; i++)
		wake_up_process(a->ctd[i]->task);
	for (i = 0; i < a->nthreads; i++) {
		struct contender *c = a->ctd[i];

		if (!err)
			wait_for_completion(&c->finished);
		kthread_stop(c->task);
		race_add_stats(&sum, &c->st);
		if (!*first && c->first_error[0])
			first = c->first_error;
	}
	/* Every owner saw its transfer completed: the completer is idle. */
	WRITE_ONCE(a->prompt_task, NULL);
	if (prompt)
		kthread_stop(prompt);
	if (!race_chain_quiesce(a)) {
		a->dpc->st.bad_status++;
		race_note(a->dpc->first_error, sizeof(a->dpc->first_error),
			  "dpc: its last transfer never completed");
	}
	race_chain_report(a, dpc_line, sizeof(dpc_line));
	race_result(a,
		    "channel threads=%u ms=%lld starts=%lld setups=%llu refused=%llu dpc_completes=%llu early=%llu early_fenced=%llu prompt=%llu prompt_inside=%llu verified=%llu verified_bytes=%llu unverified=%llu isr=%lld dpc_runs=%lld strays=%llu double_starts=%llu unknown_caller=%llu errors=%llu mismatches=%llu guard=%llu written_after=%llu lost_irq=%llu bad_status=%llu bad_counter=%llu err=%d%s%s; %s\n",
		    a->nthreads, ktime_ms_delta(ktime_get(), t0),
		    atomic64_read(&a->starts) - starts, sum.setups, sum.refused, sum.dpc_completes,
		    sum.early, sum.early_fenced, sum.prompt, a->prompt_inside - inside, sum.verified, sum.verified_bytes, sum.unverified,
		    atomic64_read(&a->isr_runs) - isr, atomic64_read(&a->dpc_runs) - dpcs,
		    a->strays - strays, a->double_starts - doubles, a->unknown_caller - unknown,
		    race_errors(&sum), sum.mismatches, sum.guard, sum.written_after, sum.lost_irq,
		    sum.bad_status, sum.bad_counter, err, *first ? " first=" : "", first, dpc_line);
	for (i = 0; i < a->nthreads; i++) {
		race_contender_free(a->ctd[i]);
		a->ctd[i] = NULL;
	}
	a->nthreads = 0;
	race_chain_free(a);
	return err;
}

/*
 * One host-to-device and one device-to-host transfer through channel 0,
 * completed by the DPC, the second into another kind of buffer; verified.
 */
int race_roundtrip(struct race_adapter *a, u32 len, u64 seed)
{
	struct contender *c = race_contender_new(a, "roundtrip", 0, EDU_SIZE, seed);
	NDIS_STATUS st[2] = { NDIS_STATUS_PENDING, NDIS_STATUS_PENDING };
	unsigned int k, waited;

	if (!c)
		return -ENOMEM;
	c->task = current;
	a->cmd = c;
	for (k = 0; k < 2; k++) {
		struct race_xfer *x = &c->x;

		x->to_dev = k == 0;
		x->len = max(len, 1U);
		x->doff = 0;
		x->kind = k == 0 ? RACE_VMALLOC : RACE_KMALLOC;
		x->off = PAGE_SIZE - x->len / 2;	/* across the page boundary */
		x->dispatch = false;
		memset(c->bufs.va[x->kind], RACE_POISON, RACE_BUF_LEN);
		if (x->to_dev) {
			prandom_seed_state(&c->rnd, seed);
			prandom_bytes_state(&c->rnd, c->src, x->len);
			memcpy(c->bufs.va[x->kind] + x->off, c->src, x->len);
		}
		st[k] = race_call(c, false);
		if (st[k] != NDIS_STATUS_SUCCESS)
			break;
		for (waited = 0; smp_load_acquire(&c->done_gen) != c->gen && waited < 3000; waited++)
			usleep_range(1000, 1100);
		if (smp_load_acquire(&c->done_gen) != c->gen) {
			if (race_claim(c)) {
				st[k] = race_call(c, true);
				race_finish(c, c->gen, st[k]);
			}
			c->st.lost_irq++;
			break;
		}
		st[k] = c->done_status;
		race_check(c, st[k], true);
		if (st[k] != NDIS_STATUS_SUCCESS)
			break;
	}
	race_result(a, "roundtrip len=%u status=0x%08x,0x%08x verified=%llu verified_bytes=%llu errors=%llu%s%s\n",
		    c->x.len, (u32)st[0], (u32)st[1], c->st.verified, c->st.verified_bytes,
		    race_errors(&c->st), c->first_error[0] ? " first=" : "", c->first_error);
	a->cmd = NULL;
	race_contender_free(c);
	return 0;
}
