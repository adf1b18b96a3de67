// SPDX-License-Identifier: GPL-2.0
/*
 * Canary: allocate and lose the only pointer. kmemleak must report it.
 *
 * Large kmallocs (page allocator, tracked by kmemleak) rather than small
 * ones: SLUB's per-CPU sheaves keep stale copies of pointers they handed
 * out, which kmemleak scans, so most small leaks went unreported. The stack
 * area kmalloc used is scrubbed too: kmemleak scans kernel stacks.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

static noinline void scrub_stack(void)
{
	char buf[1536];

	memzero_explicit(buf, sizeof(buf));
}

static int __init canary_init(void)
{
	int i;

	for (i = 0; i < 4; i++) {
		char *p = kzalloc(4 * PAGE_SIZE, GFP_KERNEL);

		if (!p)
			return -ENOMEM;
		/* Touch it so the allocation cannot be optimised away. */
		WRITE_ONCE(p[0], 'L');
	}
	scrub_stack();
	return 0;
}

static void __exit canary_exit(void)
{
}

module_init(canary_init);
module_exit(canary_exit);
MODULE_DESCRIPTION("ndis-shim test canary: memory leak");
MODULE_LICENSE("GPL");
