// SPDX-License-Identifier: GPL-2.0
/*
 * C wrappers for the NDIS 5 interrupt-era calls (issue 14): I/O port
 * ranges (rust/port_io.rs) and NDIS_EVENT (rust/exports.rs). Kept apart
 * from rust/helpers.c, which they do not need.
 */
#include <linux/bottom_half.h>
#include <linux/ioport.h>
#include <linux/jiffies.h>
#include <linux/kernel_stat.h>
#include <linux/math64.h>
#include <linux/pci.h>
#include <linux/sched.h>
#include <linux/tick.h>
#include <linux/wait_bit.h>

#include "ndis5_helpers.h"

/*
 * Claims @n ports from @start for @name: 0, -EINVAL when the range does
 * not lie inside one of @pdev's I/O BARs, -EBUSY when it is claimed
 * already. May sleep.
 */
int ndis_shim_ioport_claim(struct pci_dev *pdev, u32 start, u32 n,
			   const char *name)
{
	u64 last = (u64)start + n - 1;
	int bar;

	if (n == 0)
		return -EINVAL;
	for (bar = 0; bar < PCI_STD_NUM_BARS; bar++) {
		struct resource *r = &pdev->resource[bar];

		if (!(resource_type(r) == IORESOURCE_IO) || !r->start)
			continue;
		if (start >= r->start && last <= r->end)
			return request_region(start, n, name) ? 0 : -EBUSY;
	}
	return -EINVAL;
}

void ndis_shim_ioport_release(u32 start, u32 n)
{
	release_region(start, n);
}

/*
 * NDIS_EVENT: a notification event in the miniport's own memory, its
 * state the KEVENT's SignalState. Waiters sleep on the kernel's hashed
 * variable wait queues (wait_var_event), so the event needs no state of
 * the shim's and nothing to free.
 */
void ndis_shim_event_set(s32 *state)
{
	WRITE_ONCE(*state, 1);
	/* Orders the store before wake_up_var()'s waitqueue check. */
	smp_mb();
	wake_up_var(state);
}

void ndis_shim_event_reset(s32 *state)
{
	WRITE_ONCE(*state, 0);
}

/* Waits for @state set, at most @ms milliseconds (0: no limit). May sleep. */
bool ndis_shim_event_wait(s32 *state, u32 ms)
{
	if (ms == 0)
		wait_var_event(state, READ_ONCE(*state));
	else
		wait_var_event_timeout(state, READ_ONCE(*state),
				       msecs_to_jiffies(ms));
	return READ_ONCE(*state) != 0;
}

/* Whether @addr lies in @mod's code or data (NdisInitializeTimer's owner). */
bool ndis_shim_module_contains(struct module *mod, unsigned long addr)
{
	return within_module(addr, mod);
}

/* rust/ndis5_nic.rs: a serialized miniport's calls run with bottom
 * halves off (DISPATCH_LEVEL), under its adapter's lock. */
void ndis_shim_bh_off(void)
{
	local_bh_disable();
}

void ndis_shim_bh_on(void)
{
	local_bh_enable();
}

/* NdisSystemProcessorCount: the processors online. */
u32 ndis_shim_online_cpus(void)
{
	return num_online_cpus();
}

/*
 * NdisGetCurrentProcessorCpuUsage: the current CPU's busy share of the
 * time since boot, in percent: 100 less its idle share (the NO_HZ idle
 * accounting on the monotonic clock, or, without it, the idle time of the
 * CPU's kernel_cpustat).
 */
u32 ndis_shim_cpu_usage(void)
{
	int cpu = raw_smp_processor_id();
	u64 up = ktime_get_ns();
	u64 idle = get_cpu_idle_time_us(cpu, NULL);

	if (idle == (u64)-1)
		idle = kcpustat_cpu(cpu).cpustat[CPUTIME_IDLE];
	else
		idle *= NSEC_PER_USEC;
	if (!up || idle >= up)
		return 0;
	return 100 - (u32)div64_u64(idle * 100, up);
}
