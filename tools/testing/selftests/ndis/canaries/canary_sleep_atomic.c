// SPDX-License-Identifier: GPL-2.0
/*
 * Canary: take a sleeping lock with preemption disabled.
 * CONFIG_DEBUG_ATOMIC_SLEEP must report "sleeping function called from
 * invalid context" (mutex_lock() is annotated with might_sleep()).
 *
 * Not under a spin lock: with CONFIG_PROVE_RAW_LOCK_NESTING, lockdep reports
 * a mutex inside a spinlock_t as an invalid wait context and switches itself
 * off for the rest of the boot. Not msleep(): it has no might_sleep()
 * annotation and really schedules ("scheduling while atomic"). An
 * uncontended mutex triggers the check without actually sleeping.
 */
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/preempt.h>

static DEFINE_MUTEX(canary_mutex);

static int __init canary_init(void)
{
	preempt_disable();
	mutex_lock(&canary_mutex);
	mutex_unlock(&canary_mutex);
	preempt_enable();
	return 0;
}

static void __exit canary_exit(void)
{
}

module_init(canary_init);
module_exit(canary_exit);
MODULE_DESCRIPTION("ndis-shim test canary: sleep in atomic context");
MODULE_LICENSE("GPL");
