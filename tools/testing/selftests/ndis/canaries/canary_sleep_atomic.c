// SPDX-License-Identifier: GPL-2.0
/*
 * Canary: take a sleeping lock while holding a spin lock.
 * CONFIG_DEBUG_ATOMIC_SLEEP must report "sleeping function called from
 * invalid context" (mutex_lock() is annotated with might_sleep()).
 *
 * Not msleep(): on 7.3 msleep() has no might_sleep() annotation and really
 * schedules, which yields "scheduling while atomic", "spinlock wrong CPU"
 * and switches lockdep off for the rest of the boot. An uncontended mutex
 * triggers the check without actually sleeping.
 */
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>

static DEFINE_SPINLOCK(canary_lock);
static DEFINE_MUTEX(canary_mutex);

static int __init canary_init(void)
{
	spin_lock(&canary_lock);
	mutex_lock(&canary_mutex);
	mutex_unlock(&canary_mutex);
	spin_unlock(&canary_lock);
	return 0;
}

static void __exit canary_exit(void)
{
}

module_init(canary_init);
module_exit(canary_exit);
MODULE_DESCRIPTION("ndis-shim test canary: sleep in atomic context");
MODULE_LICENSE("GPL");
