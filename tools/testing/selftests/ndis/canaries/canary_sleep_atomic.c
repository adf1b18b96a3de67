// SPDX-License-Identifier: GPL-2.0
/*
 * Canary: sleep while holding a spin lock. CONFIG_DEBUG_ATOMIC_SLEEP must
 * report "sleeping function called from invalid context".
 */
#include <linux/delay.h>
#include <linux/module.h>
#include <linux/spinlock.h>

static DEFINE_SPINLOCK(canary_lock);

static int __init canary_init(void)
{
	spin_lock(&canary_lock);
	msleep(1);
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
