// SPDX-License-Identifier: GPL-2.0
/*
 * Deregister, halt, unload and removal against a Complete in flight on
 * another CPU.
 *
 * The hammer is a thread on one CPU that runs Setup/Complete on its own
 * channel (RACE_SW_CHANNEL, at PASSIVE_LEVEL or under a spin lock) as fast
 * as it can, every transfer verified. Its engine is a software one that
 * moves the bytes through the bus address the shim gave it, translated as
 * the bus would see it (race_bus_to_virt), so a wrong address, a missed
 * sync or a bounce buffer gone stale is a mismatch. Meanwhile the DPC
 * keeps a chain of transfers going on channel 0 through edu's engine.
 *
 * The teardown, on another CPU, meets the hammer inside Complete: the
 * hammer's Stop (called by Complete with the shim's channel lock held)
 * waits until the teardown has begun, then holds the lock a little
 * longer (1 ms; for a halt that leaves everything to the shim, the
 * hammer command's hold, 300 ms), so NdisMDeregisterDmaChannel (or the
 * shim's release of what a halt left) runs while that Complete is in
 * flight. The Complete must
 * finish its transfer, verified, and the teardown must wait for it; no
 * byte may change after the teardown returned.
 */
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/sched/clock.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "race.h"

struct hammer {
	struct race_adapter *a;
	NDIS_HANDLE handle;
	struct task_struct *task;
	int cpu, want_cpu;
	struct race_bufs bufs;
	u8 *devmem, *expect;
	struct rnd_state rnd;
	spinlock_t dispatch;
	bool stopping;		/* no new call after the one in flight */
	int engine_error;	/* the software engine's, in Start */
	/*
	 * The handshake with the teardown, each flag written with release
	 * and read with acquire: td_armed (teardown: meet me, from td_cpu),
	 * td_in_stop (hammer: I am in Stop, holding the channel), td_go
	 * (teardown: I am beginning; hold on for hold_us).
	 */
	int td_armed, td_in_stop, td_go, td_cpu;
	unsigned int hold_us;
	unsigned int leave_hold_ms;	/* the hold when the halt leaves all */
	u64 held_from, held_until;	/* local_clock(), as printk stamps */
	u64 in_stop_at, go_at;		/* go_at: when the teardown went on */
	bool met, held;
	NDIS_STATUS inflight;	/* what the held Complete returned */
	bool inflight_verified;
	u64 transfers, verified, stale, errors;
	char first_error[128];
	struct completion started;
};

/* ---- the software engine of the hammer's channel ---- */

NDIS_STATUS race_sw_start(struct race_adapter *a, UINT channel, u64 addr, u32 len,
			  bool to_device)
{
	struct hammer *h = READ_ONCE(a->hammer);

	if (channel != RACE_SW_CHANNEL || !h)
		return NDIS_STATUS_RESOURCES;
	h->engine_error = race_sw_copy(&a->pdev->dev, addr, h->devmem, len, to_device);
	return NDIS_STATUS_SUCCESS;
}

/*
 * Stop, from the hammer's Complete: with the teardown armed on another
 * CPU, say so and wait for it to begin, then keep the channel (its lock is
 * held) for hold_us. Never from the teardown's own calls.
 */
void race_sw_stop(struct race_adapter *a, UINT channel)
{
	struct hammer *h = READ_ONCE(a->hammer);
	ktime_t t0;
	unsigned int us;

	if (!h || current != h->task || h->held || !smp_load_acquire(&h->td_armed) ||
	    raw_smp_processor_id() == READ_ONCE(h->td_cpu))
		return;
	/* From here the Complete holds the channel's lock. */
	h->in_stop_at = local_clock();
	smp_store_release(&h->td_in_stop, 1);
	t0 = ktime_get();
	while (!smp_load_acquire(&h->td_go) && ktime_ms_delta(ktime_get(), t0) < RACE_MEET_MS + 500)
		cpu_relax();
	if (!READ_ONCE(h->td_go))
		return;
	h->held_from = h->in_stop_at;
	for (us = 0; us < h->hold_us; us += 50)
		udelay(50);
	h->held_until = local_clock();
	h->held = true;
}

/* ---- the hammer ---- */

static void hammer_error(struct hammer *h, const char *what, u32 kind, u32 off, u32 len,
			 bool to_device, u32 extra)
{
	h->errors++;
	race_note(h->first_error, sizeof(h->first_error), "%s: kind=%u off=%u len=%u %s %#x",
		  what, kind, off, len, to_device ? "to" : "from", extra);
}

/* Whether the transfer's bytes arrived and nothing else was written. */
static bool hammer_verify(struct hammer *h, u8 *buf, u32 kind, u32 off, u32 len, bool to_dev)
{
	u32 j;

	if (h->engine_error) {
		hammer_error(h, "engine", kind, off, len, to_dev, -h->engine_error);
		return false;
	}
	if (to_dev ? memcmp(h->devmem, h->expect, len) : memcmp(buf + off, h->expect, len)) {
		hammer_error(h, to_dev ? "device got wrong bytes" : "host got wrong bytes", kind,
			     off, len, to_dev, 0);
		return false;
	}
	for (j = 0; j < RACE_BUF_LEN; j++) {
		if ((j < off || j >= off + len) && buf[j] != RACE_POISON) {
			hammer_error(h, "guard byte written", kind, off, len, to_dev, j);
			return false;
		}
	}
	return true;
}

static void hammer_one(struct hammer *h)
{
	u32 r = prandom_u32_state(&h->rnd);
	u32 kind = r % RACE_KINDS, len, off;
	bool to_dev = (r >> 4) & 1, dispatch = (r >> 5) & 1, ok;
	u8 *buf = h->bufs.va[kind];
	PMDL mdl = h->bufs.mdl[kind];
	NDIS_STATUS st;

	len = (r >> 6) & 1 ? EDU_SIZE : 1 + prandom_u32_state(&h->rnd) % EDU_SIZE;
	off = prandom_u32_state(&h->rnd) % (RACE_BUF_LEN - len + 1);
	prandom_bytes_state(&h->rnd, h->expect, len);
	memset(buf, RACE_POISON, RACE_BUF_LEN);
	if (to_dev) {
		memcpy(buf + off, h->expect, len);
		memset(h->devmem, RACE_POISON, EDU_SIZE);
	} else {
		memcpy(h->devmem, h->expect, len);
	}
	h->engine_error = 0;
	if (dispatch)
		spin_lock_bh(&h->dispatch);
	NdisMSetupDmaTransfer(&st, h->handle, mdl, off, len, to_dev);
	if (dispatch)
		spin_unlock_bh(&h->dispatch);
	if (st != NDIS_STATUS_SUCCESS) {
		if (st == NDIS_STATUS_INVALID_PARAMETER && READ_ONCE(h->stopping))
			h->stale++;
		else
			hammer_error(h, "Setup", kind, off, len, to_dev, st);
		return;
	}
	if (dispatch)
		spin_lock_bh(&h->dispatch);
	NdisMCompleteDmaTransfer(&st, h->handle, mdl, off, len, to_dev);
	if (dispatch)
		spin_unlock_bh(&h->dispatch);
	h->transfers++;
	if (st == NDIS_STATUS_SUCCESS) {
		ok = hammer_verify(h, buf, kind, off, len, to_dev);
		h->verified += ok;
	} else if (st == NDIS_STATUS_INVALID_PARAMETER && READ_ONCE(h->stopping)) {
		ok = false;
		h->stale++;
	} else {
		ok = false;
		hammer_error(h, "Complete", kind, off, len, to_dev, st);
	}
	if (h->held && h->inflight == NDIS_STATUS_PENDING) {
		h->inflight = st;
		h->inflight_verified = ok;
	}
}

static int hammer_thread(void *data)
{
	struct hammer *h = data;
	int want;

	set_cpus_allowed_ptr(current, cpumask_of(h->cpu));
	complete(&h->started);
	while (!kthread_should_stop() && !READ_ONCE(h->stopping)) {
		/* The teardown runs on this CPU: move out of its way. */
		want = READ_ONCE(h->want_cpu);
		if (want != h->cpu) {
			set_cpus_allowed_ptr(current, cpumask_of(want));
			WRITE_ONCE(h->cpu, want);
		}
		hammer_one(h);
		cond_resched();
	}
	return race_wait_for_stop();
}

static void hammer_free(struct hammer *h)
{
	race_bufs_free(&h->bufs);
	kfree(h->devmem);
	kfree(h->expect);
	kfree(h);
}

/* Registers the hammer's channel and starts it on @cpu. PASSIVE. */
static struct hammer *hammer_new(struct race_adapter *a, int cpu, unsigned int leave_hold_ms,
				 u64 seed)
{
	NDIS_DMA_DESCRIPTION desc = { .DmaWidth = Width32Bits, .DmaSpeed = Compatible,
				      .DmaChannelSpecified = TRUE,
				      .DmaChannel = RACE_SW_CHANNEL };
	struct hammer *h = kzalloc(sizeof(*h), GFP_KERNEL);
	NDIS_STATUS st;

	if (!h)
		return ERR_PTR(-ENOMEM);
	h->a = a;
	h->cpu = h->want_cpu = cpu;
	h->leave_hold_ms = leave_hold_ms;
	h->td_cpu = -1;
	h->inflight = NDIS_STATUS_PENDING;
	spin_lock_init(&h->dispatch);
	init_completion(&h->started);
	prandom_seed_state(&h->rnd, seed ^ a->pdev->devfn);
	h->devmem = kmalloc(EDU_SIZE, GFP_KERNEL);
	h->expect = kmalloc(EDU_SIZE, GFP_KERNEL);
	if (!h->devmem || !h->expect || race_bufs_alloc(a, &h->bufs)) {
		hammer_free(h);
		return ERR_PTR(-ENOMEM);
	}
	st = NdisMRegisterDmaChannel(&h->handle, a->MiniportAdapterHandle, RACE_SW_CHANNEL, TRUE,
				     &desc, EDU_SIZE);
	if (st != NDIS_STATUS_SUCCESS) {
		hammer_free(h);
		return ERR_PTR(-EIO);
	}
	WRITE_ONCE(a->hammer, h);
	h->task = kthread_create(hammer_thread, h, "ndis_race_hammer");
	if (IS_ERR(h->task)) {
		long err = PTR_ERR(h->task);

		WRITE_ONCE(a->hammer, NULL);
		NdisMDeregisterDmaChannel(h->handle);
		hammer_free(h);
		return ERR_PTR(err);
	}
	wake_up_process(h->task);
	/* On its CPU: a teardown spinning elsewhere cannot hold up its move. */
	wait_for_completion(&h->started);
	return h;
}

/*
 * Meets the hammer inside a Complete, from the teardown's CPU: true when
 * the Complete waited for the teardown to begin (it then holds the channel
 * for @hold_us more). Either way the hammer makes no new call after it.
 * Spins with preemption off, at most RACE_MEET_MS: the hammer gets there
 * in microseconds, unless the host stalls its vCPU (a TCG guest's can be
 * for 100 ms and more). Never sleeps in between.
 */
static bool hammer_meet(struct hammer *h, unsigned int hold_us)
{
	unsigned int tries, i;
	bool met = false;
	ktime_t t0;
	int cpu;

	h->hold_us = hold_us;
	for (tries = 0; tries < 3 && num_online_cpus() > 1; tries++) {
		cpu = get_cpu();
		if (cpu == READ_ONCE(h->cpu)) {
			put_cpu();
			WRITE_ONCE(h->want_cpu, cpumask_any_but(cpu_online_mask, cpu));
			for (i = 0; i < 200 && READ_ONCE(h->cpu) == cpu; i++)
				msleep(1);
			continue;
		}
		WRITE_ONCE(h->td_cpu, cpu);
		smp_store_release(&h->td_armed, 1);
		t0 = ktime_get();
		while (!smp_load_acquire(&h->td_in_stop) &&
		       ktime_ms_delta(ktime_get(), t0) < RACE_MEET_MS)
			cpu_relax();
		met = READ_ONCE(h->td_in_stop);
		WRITE_ONCE(h->stopping, true);
		h->go_at = local_clock();
		smp_store_release(&h->td_go, 1);
		put_cpu();
		break;
	}
	if (!met)
		h->go_at = local_clock();
	WRITE_ONCE(h->stopping, true);
	smp_store_release(&h->td_go, 1);
	h->met = met;
	return met;
}

/* Stops the hammer's thread (its channel is someone else's business). */
static void hammer_end(struct hammer *h)
{
	WRITE_ONCE(h->stopping, true);
	smp_store_release(&h->td_go, 1);
	if (h->task) {
		kthread_stop(h->task);
		h->task = NULL;
	}
}

/*
 * "hammer": the hammer on @cpu and the DPC's chain, until the teardown; a
 * halt in leave mode holds the Complete for @hold_ms.
 */
int race_hammer_start(struct race_adapter *a, int cpu, unsigned int hold_ms, u64 seed)
{
	struct hammer *h;
	int err;

	if (a->hammer)
		return -EBUSY;
	if (hold_ms > RACE_HOLD_MS_MAX)
		return -ERANGE;
	h = hammer_new(a, cpu, hold_ms, seed);
	if (IS_ERR(h))
		return PTR_ERR(h);
	/*
	 * Channel 0 again, after the hammer's: the shim releases leftover
	 * channels in the order they were registered, so in leave mode it
	 * meets the held Complete first, then the DPC's channel.
	 */
	NdisMDeregisterDmaChannel(a->DmaHandle);
	if (race_register_channel(a) != NDIS_STATUS_SUCCESS)
		err = -EIO;
	else
		err = race_chain_start(a, seed);
	race_result(a, "hammer cpu=%d hold=%u chain=%d\n", cpu, hold_ms, err);
	return err;
}

/* What the DPC's buffers hold, to show that nothing writes them later. */
static u8 *chain_snapshot(struct race_adapter *a)
{
	u8 *snap = kmalloc_array(RACE_KINDS, RACE_BUF_LEN, GFP_KERNEL);
	unsigned int k;

	for (k = 0; snap && a->dpc && k < RACE_KINDS; k++)
		memcpy(snap + k * RACE_BUF_LEN, a->dpc->bufs.va[k], RACE_BUF_LEN);
	return snap;
}

static bool chain_unchanged(struct race_adapter *a, const u8 *snap)
{
	unsigned int k;

	for (k = 0; snap && a->dpc && k < RACE_KINDS; k++)
		if (memcmp(snap + k * RACE_BUF_LEN, a->dpc->bufs.va[k], RACE_BUF_LEN))
			return false;
	return true;
}

/* Snapshot now, compare 200 ms later (edu needs 100 ms per transfer). */
static const char *chain_after(struct race_adapter *a)
{
	u8 *snap;
	bool same;

	if (!a->dpc)
		return "no-chain";
	snap = chain_snapshot(a);
	if (!snap)
		return "no-memory";
	msleep(200);
	same = chain_unchanged(a, snap);
	kfree(snap);
	return same ? "unchanged" : "changed";
}

/* ---- "deregister": rounds of NdisMDeregisterDmaChannel ---- */

int race_deregister_rounds(struct race_adapter *a, unsigned int sw, unsigned int edu, int cpu,
			   u64 seed)
{
	u64 transfers = 0, verified = 0, stale = 0, errors = 0;
	unsigned int r, met = 0, inflight_ok = 0, changed = 0, done_sw = 0, done_edu = 0;
	struct rnd_state rnd;
	char first[128] = "", dpc_line[240];
	NDIS_STATUS st;
	int err = 0;

	if (a->hammer)
		return -EBUSY;
	prandom_seed_state(&rnd, seed);
	/* The hammer's channel, deregistered under a Complete in flight. */
	for (r = 0; r < sw && !err; r++) {
		struct hammer *h = hammer_new(a, cpu, 0, seed + r);

		if (IS_ERR(h)) {
			err = PTR_ERR(h);
			break;
		}
		msleep(1 + prandom_u32_state(&rnd) % 4);
		met += hammer_meet(h, 1000);
		NdisMDeregisterDmaChannel(h->handle);
		hammer_end(h);
		WRITE_ONCE(a->hammer, NULL);
		transfers += h->transfers;
		verified += h->verified;
		stale += h->stale;
		errors += h->errors;
		inflight_ok += h->held && h->inflight == NDIS_STATUS_SUCCESS && h->inflight_verified;
		if (!first[0] && h->first_error[0])
			strscpy(first, h->first_error, sizeof(first));
		hammer_free(h);
		done_sw++;
	}
	/* Channel 0, deregistered while the DPC completes and sets up. */
	for (r = 0; r < edu && !err; r++) {
		err = race_chain_start(a, seed + r);
		if (err)
			break;
		/*
		 * Once the DPC has completed one of the chain's transfers (edu
		 * takes 100 ms each), the Deregister lands 0-150 ms later:
		 * during the next transfer, at its completion or in the one
		 * after. Every round sees the DPC complete and set up, whatever
		 * the seed's sleeps (a fixed sleep of 60-210 ms left whole
		 * rounds without a completion); a wait that times out shows
		 * as fewer completions than rounds.
		 */
		race_chain_wait_complete(a, 2000);
		msleep(prandom_u32_state(&rnd) % 150);
		WRITE_ONCE(a->chain_tearing, true);
		NdisMDeregisterDmaChannel(a->DmaHandle);
		WRITE_ONCE(a->chain, false);
		/* A DPC that began before may still finish its (stale) calls. */
		msleep(150);
		race_chain_forget(a);
		changed += strcmp(chain_after(a), "unchanged") != 0;
		st = race_register_channel(a);
		WRITE_ONCE(a->chain_tearing, false);
		if (st != NDIS_STATUS_SUCCESS) {
			err = -EIO;
			break;
		}
		done_edu++;
	}
	race_chain_report(a, dpc_line, sizeof(dpc_line));
	race_result(a,
		    "deregister sw_rounds=%u met=%u inflight_verified=%u transfers=%llu verified=%llu stale=%llu errors=%llu edu_rounds=%u after_changed=%u err=%d%s%s; %s\n",
		    done_sw, met, inflight_ok, transfers, verified, stale, errors, done_edu, changed,
		    err, first[0] ? " first=" : "", first, dpc_line);
	race_chain_free(a);
	return err;
}

/* ---- halt ---- */

static void race_teardown_report(struct race_adapter *a, const char *mode)
{
	struct hammer *h = a->hammer;
	char dpc_line[240];
	const char *after;

	race_chain_forget(a);
	after = chain_after(a);
	race_chain_report(a, dpc_line, sizeof(dpc_line));
	/*
	 * held: when the Complete held the channel, go: when the teardown went
	 * on (from td_cpu), in printk's time stamps.
	 */
	if (h)
		pr_info("ndis_race %s: teardown %s: met=%d held=%d held_from=%llu.%06llu held_until=%llu.%06llu go=%llu.%06llu td_cpu=%d inflight=0x%08x inflight_verified=%d hammer transfers=%llu verified=%llu stale=%llu errors=%llu%s%s; %s; after=%s\n",
			a->name, mode, h->met, h->held, h->held_from / NSEC_PER_SEC,
			h->held_from % NSEC_PER_SEC / NSEC_PER_USEC, h->held_until / NSEC_PER_SEC,
			h->held_until % NSEC_PER_SEC / NSEC_PER_USEC, h->go_at / NSEC_PER_SEC,
			h->go_at % NSEC_PER_SEC / NSEC_PER_USEC, h->td_cpu, (u32)h->inflight,
			h->inflight_verified, h->transfers, h->verified, h->stale, h->errors,
			h->first_error[0] ? " first=" : "", h->first_error, dpc_line, after);
	else
		pr_info("ndis_race %s: teardown %s: no hammer; %s; after=%s\n", a->name, mode,
			dpc_line, after);
	if (h) {
		WRITE_ONCE(a->hammer, NULL);
		hammer_free(h);
	}
	race_chain_free(a);
}

/*
 * From MiniportHaltEx, after the interface is gone. "deregister": every
 * object deregistered here, the hammer's channel first, while its Complete
 * is held in flight, then channel 0 while the DPC runs. "leave": nothing
 * is; the shim's release (right after this returns) meets the held
 * Complete and the DPC, and the reaper reports a second after the hold.
 */
void race_halt_teardown(struct race_adapter *a)
{
	struct hammer *h = a->hammer;

	WRITE_ONCE(a->chain_tearing, true);
	race_physmap_halt(a, a->halt_mode != RACE_HALT_LEAVE);
	if (a->halt_mode == RACE_HALT_LEAVE) {
		unsigned int hold_ms = h ? h->leave_hold_ms : 0;

		/*
		 * The shim's release reaches the channel 0.07-5.4 ms after this
		 * returns (40 hot-unplugs under TCG); the hold leaves room for
		 * a vCPU the host stalls. The reaper comes after the hold and the release
		 * behind it.
		 */
		if (h)
			hammer_meet(h, hold_ms * USEC_PER_MSEC);
		schedule_delayed_work(&a->reaper, msecs_to_jiffies(hold_ms + 1000));
		return;
	}
	if (h) {
		hammer_meet(h, 1000);
		NdisMDeregisterDmaChannel(h->handle);
		hammer_end(h);
	}
	NdisMDeregisterDmaChannel(a->DmaHandle);
	WRITE_ONCE(a->chain, false);
	NdisMDeregisterScatterGatherDma(a->SgDmaHandle);
	/* Waits for a DPC in progress; none runs afterwards. */
	NdisMDeregisterInterruptEx(a->InterruptHandle);
	race_teardown_report(a, "deregister");
}

/* Leave mode: the shim has released what the halt left. */
void race_reap(struct work_struct *work)
{
	struct race_adapter *a = container_of(to_delayed_work(work), struct race_adapter, reaper);

	WRITE_ONCE(a->chain, false);
	if (a->hammer)
		hammer_end(a->hammer);
	race_physmap_reap(a);
	race_teardown_report(a, "leave");
}
