// SPDX-License-Identifier: GPL-2.0
/*
 * Canary: spin with preemption disabled for `seconds` seconds. The CPU runs
 * no other task, so the watchdog's per-CPU stopper work cannot run and the
 * soft-lockup detector must report "BUG: soft lockup" once the spin exceeds
 * twice kernel.watchdog_thresh. The script lowers that threshold for the
 * duration, so a few seconds suffice.
 */
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/preempt.h>
#include <linux/processor.h>

static unsigned int seconds = 6;
module_param(seconds, uint, 0444);
MODULE_PARM_DESC(seconds, "how long to spin (1..30)");

static int __init canary_init(void)
{
	ktime_t end;

	if (seconds < 1 || seconds > 30)
		return -EINVAL;
	end = ktime_add_ms(ktime_get(), seconds * MSEC_PER_SEC);
	preempt_disable();
	while (ktime_before(ktime_get(), end))
		cpu_relax();
	preempt_enable();
	return 0;
}

static void __exit canary_exit(void)
{
}

module_init(canary_init);
module_exit(canary_exit);
MODULE_DESCRIPTION("ndis-shim test canary: soft lockup");
MODULE_LICENSE("GPL");
