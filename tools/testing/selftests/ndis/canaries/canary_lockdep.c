// SPDX-License-Identifier: GPL-2.0
/*
 * Canary: take two mutexes in one order, then in the other (AB-BA). Nothing
 * deadlocks, since both sequences run one after the other in one task, but
 * lockdep must report "possible circular locking dependency" from the order
 * it recorded. Lockdep reports once and then switches itself off, so this
 * canary runs after every other one that lockdep could see.
 */
#include <linux/module.h>
#include <linux/mutex.h>

static DEFINE_MUTEX(canary_lock_a);
static DEFINE_MUTEX(canary_lock_b);

static int __init canary_init(void)
{
	mutex_lock(&canary_lock_a);
	mutex_lock(&canary_lock_b);
	mutex_unlock(&canary_lock_b);
	mutex_unlock(&canary_lock_a);

	/* The misdeed: B then A, the inverse of the order above. */
	mutex_lock(&canary_lock_b);
	mutex_lock(&canary_lock_a);
	mutex_unlock(&canary_lock_a);
	mutex_unlock(&canary_lock_b);
	return 0;
}

static void __exit canary_exit(void)
{
}

module_init(canary_init);
module_exit(canary_exit);
MODULE_DESCRIPTION("ndis-shim test canary: AB-BA lock-order inversion");
MODULE_LICENSE("GPL");
