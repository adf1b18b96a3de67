// SPDX-License-Identifier: GPL-2.0
/* Canary: allocate and lose the only pointer. kmemleak must report it. */
#include <linux/module.h>
#include <linux/slab.h>

static int __init canary_init(void)
{
	char *p = kmalloc(256, GFP_KERNEL);

	if (!p)
		return -ENOMEM;
	/* Touch it so the allocation cannot be optimised away, then forget it. */
	WRITE_ONCE(p[0], 'L');
	p = NULL;
	return 0;
}

static void __exit canary_exit(void)
{
}

module_init(canary_init);
module_exit(canary_exit);
MODULE_DESCRIPTION("ndis-shim test canary: memory leak");
MODULE_LICENSE("GPL");
