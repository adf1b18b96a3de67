// SPDX-License-Identifier: GPL-2.0
/*
 * Canary: a module that does nothing. Its script loads it and exits
 * without unloading it, which only the harness's leftover-module check
 * can see.
 */
#include <linux/module.h>

static int __init canary_init(void)
{
	return 0;
}

static void __exit canary_exit(void)
{
}

module_init(canary_init);
module_exit(canary_exit);
MODULE_DESCRIPTION("ndis-shim test canary: a module left loaded");
MODULE_LICENSE("GPL");
